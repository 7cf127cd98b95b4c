#!/bin/bash
# json_diff.sh BASE_BIN NEW_BIN: run every tests/scenarios/pathcheck_*.sh once with
# PKTPATH_BIN=BASE_BIN and once with PKTPATH_BIN=NEW_BIN, keep the JSON of every check()
# (tests/lib/pathcheck.sh writes it with PKTPATH_JSON_DUMP=DIR), mask what moves between
# two runs of the same build, and print the differences. Exit 0 when there are none.
#
# Masked (jq, below), because it moves between two runs of one binary:
#   - times: any key ending in _seconds, _ms, _us, "rtt*", "t" of a probe record event,
#     "elapsed"; and a probe record's "revents" (poll timing);
#   - counters that traffic moves: device counters (rx_/tx_ packets, bytes, dropped,
#     errors, missed_errors, carrier_errors, carrier_changes), qdisc counters (packets,
#     bytes, drops, overlimits, requeues, backlog_*), conntrack's count and per-CPU
#     statistics (count, drop, early_drop, insert_failed, invalid, search_restart, and
#     the "during_run" deltas), SNMP "counters" deltas, the neighbour's "probes",
#     listen_drops, listen_overflows, and a probe's wire_in/wire_out packet counts.
#   - the warning "N kernel drops in other namespaces during the run were not counted
#     against this flow" (dropped from "warnings"): skb:kfree_skb is global, so it counts
#     whatever else runs on the machine;
#   - names a run makes up: a "pid:N" namespace, the lab's namespace prefix (pp<PID>-) in any string, and
#     MAC addresses (veths get random ones): "lladdr", and any aa:bb:cc:dd:ee:ff in a string.
#   - the numbers a summary quotes from a time or a moving counter: "in 0.2 ms",
#     "ListenOverflows 6", "dropped 10 packets", conntrack's "29 of 262144 entries" (the
#     table is global), and an XDP program's id (the kernel gives each load a new one).
# Nothing that encodes a verdict, station, status, summary, hint, drop reason, rule or
# route is masked: a summary that quotes a moving number shows as a difference.
#
# JSON_DIFF_KEEP=DIR keeps the two dump trees in DIR/base and DIR/new;
# JSON_DIFF_BASE=DIR reuses an earlier DIR/base dump instead of running BASE_BIN again,
# JSON_DIFF_NEW=DIR an earlier DIR/new (to compare again with other masks).
set -u
cd "$(dirname "$0")/../.."
[ $# -eq 2 ] || { echo "usage: $0 BASE_BIN NEW_BIN" >&2; exit 2; }
base=$(cd "$1" && pwd) || exit 2
new=$(cd "$2" && pwd) || exit 2
keep=${JSON_DIFF_KEEP:-$(mktemp -d)}
mkdir -p "$keep"

run_all() {	# BIN DIR
	local s
	rm -rf "$2"; mkdir -p "$2"
	for s in tests/scenarios/pathcheck_*.sh; do
		PKTPATH_JSON_DUMP=$2 PKTPATH_BIN=$1 timeout -k 10 600 bash "$s" >"$2.$(basename "$s" .sh).log" 2>&1 </dev/null
	done
}

MASK='
def vol: test("(_seconds|_ms|_us)$|^rtt|^elapsed$|^revents$|^t$|^(rx|tx)_|^carrier_changes$|^(packets|bytes|drops|overlimits|requeues|backlog_bytes|backlog_packets)$|^(count|drop|early_drop|insert_failed|invalid|search_restart|probes|listen_drops|listen_overflows|wire_in|wire_out)$");
def scrub: gsub("pp[0-9]+-"; "pp<lab>-") | gsub("^pid:[0-9]+$"; "pid:<pid>") | gsub("[0-9a-f]{2}(:[0-9a-f]{2}){5}"; "<mac>")
	| gsub("in [0-9.]+ ms"; "in <t> ms") | gsub("ListenOverflows [0-9]+"; "ListenOverflows <n>")
	| gsub("dropped [0-9]+ packets?"; "dropped <n> packet(s)")
	| gsub("^[0-9]+ of (?<m>[0-9]+) entries"; "<n> of \\(.m) entries")
	| gsub("(?<k>xdp[a-z]* id) [0-9]+"; "\\(.k) <id>");
def mask: if type == "string" then scrub
	elif type == "object" then with_entries(
		if (.key | vol) and (.value | type) == "number" then .value = "<masked>"
		elif .key == "during_run" or .key == "counters" then .value = "<masked>"
		elif .key == "warnings" and (.value | type) == "array" then
			.value |= map(select(type != "string" or (test("kernel drops in other namespaces") | not)) | mask)
		else .value |= mask end)
	elif type == "array" then map(mask) else . end;
mask'

if [ -n "${JSON_DIFF_BASE:-}" ]; then
	[ "$JSON_DIFF_BASE" -ef "$keep" ] || { rm -rf "$keep/base"; cp -r "$JSON_DIFF_BASE/base" "$keep/base"; }
else
	run_all "$base" "$keep/base"
fi
if [ -n "${JSON_DIFF_NEW:-}" ]; then
	[ "$JSON_DIFF_NEW" -ef "$keep" ] || { rm -rf "$keep/new"; cp -r "$JSON_DIFF_NEW/new" "$keep/new"; }
else
	run_all "$new" "$keep/new"
fi
for side in base new; do
	rm -rf "$keep/$side.masked"; mkdir -p "$keep/$side.masked"
	for f in "$keep/$side"/*.json; do
		[ -e "$f" ] || continue
		jq -S "$MASK" "$f" >"$keep/$side.masked/$(basename "$f")" 2>/dev/null || cp "$f" "$keep/$side.masked/"
	done
done
nb=$(ls "$keep/base.masked" | wc -l); nn=$(ls "$keep/new.masked" | wc -l)
if diff -ru "$keep/base.masked" "$keep/new.masked"; then
	echo "# json_diff: no difference, $nb files compared ($nn new)"
	exit 0
fi
echo "# json_diff: differences above ($nb base files, $nn new files; dumps in $keep)"
exit 1
