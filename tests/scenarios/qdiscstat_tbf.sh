#!/bin/bash
# qdiscstat: a tbf qdisc sized to drop (1mbit, burst 1600, limit 3000) on a veth,
# a bounded UDP burst through it: drops rise during the interval, with a drop
# ratio, the exit status says so, and JSON and Prometheus validate.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
at() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }
# Keep the command's own exit status (lab.sh's run_json reports printf's).
run_json() {
	local __v=$1 __err __out; shift
	__err=$(mktemp)
	__out=$("$@" 2>"$__err"); RC=$?
	printf -v "$__v" '%s' "$__out"
	ERR=$(cat "$__err"); rm -f "$__err"
}
QS=$BIN/qdiscstat

lab_ns a b || exit 1
lab_veth a a0 b b0 || exit 1
at a ip addr add 198.51.100.1/26 dev a0
at b ip addr add 198.51.100.2/26 dev b0
at a ping -c1 -W1 198.51.100.2 >/dev/null 2>&1	# resolve the neighbour before the qdisc goes in
at a tc qdisc add dev a0 root handle 1: tbf rate 1mbit burst 1600 limit 3000 || exit 1

burst() {	# 300 datagrams of 1200 bytes, as fast as bash writes them
	at a bash -c 'for i in $(seq 1 300); do printf "%1200s" x >/dev/udp/198.51.100.2/9; done' 2>/dev/null
}

# Quiet interval first: nothing rising, exit 0.
run_json out "$QS" -N "$(ns a)" -j -i 0.3 -c 2
expect_rc "quiet interval" 0
expect_jq "quiet: two JSON lines" "$out" '.sample.index' $'1\n2'
last=$(tail -n1 <<<"$out")
expect_jq "quiet: no problem" "$last" '.summary.problems' 0
expect_jq "first sample is since boot" "$(head -n1 <<<"$out")" '.sample.since_boot' true
expect_jq "second sample has an interval" "$last" '.sample.since_boot == false and .sample.interval_seconds > 0.2' true

# Drops rising while qdiscstat samples.
tmp=$(mktemp)
"$QS" -N "$(ns a)" -j -i 2 -c 2 >"$tmp" 2>"$tmp.err" &
pid=$!
sleep 0.4
burst
wait $pid; RC=$?
out=$(cat "$tmp"); ERR=$(cat "$tmp.err"); rm -f "$tmp" "$tmp.err"
expect_rc "drops rising" 1
last=$(tail -n1 <<<"$out")
q='.devices[] | select(.device=="a0") | .qdiscs[] | select(.kind=="tbf")'
expect_jq "tbf seen as root 1:" "$last" "$q | [.handle,.parent,(.root|tostring)] | join(\" \")" '1: root true'
expect_jq "interval drops counted" "$last" "$q | .interval.drops > 100" true
expect_jq "drop ratio over the interval" "$last" "$q | .interval.drop_ratio > 0.5 and .interval.drop_ratio < 1" true
expect_jq "drops per second" "$last" "$q | .interval.drops_per_second > 0" true
expect_jq "tbf options decoded" "$last" "$q | .options | [.rate_bytes_per_second,.burst_bytes,.limit_bytes] | map(tostring) | join(\" \")" '125000 1600 3000'
expect_jq "drops finding is a problem" "$last" \
	'[.findings[] | select(.type=="drops" and .device=="a0" and .kind=="tbf")][0].level' problem
expect_jq "finding states the ratio" "$last" \
	'[.findings[] | select(.type=="drops")][0].summary | test("drop ratio [0-9.]+%")' true

# One sample afterwards: old drops are evidence, not a problem, unless --max-drops says so.
run_json out "$QS" -N "$(ns a)" -j
expect_rc "old drops alone" 0
expect_jq "old drops are info" "$out" '[.findings[] | select(.type=="drops")][0].level' info
expect_jq "cumulative drops" "$out" "$q | .drops > 100" true
expect_jq "64-bit packets present" "$out" "$q | .packets > 0" true
run_json out "$QS" -N "$(ns a)" -j --max-drops 10
expect_rc "--max-drops 10" 1

# Filters.
run_json out "$QS" -N "$(ns a)" -j --dev a0 --kind tbf
expect_jq "--dev a0 --kind tbf: one qdisc" "$out" '[.devices[].qdiscs[]] | length' 1
run_json out "$QS" -N "$(ns a)" -j --dev 'lo*'
expect_jq "--dev 'lo*': lo only" "$out" '[.devices[].device] | join(",")' lo

# Text names the first sample as since boot.
run_json out "$QS" -N "$(ns a)" --no-color
if grep -q 'since' <<<"$out" && grep -q '^a0 .*tbf' <<<"$out"; then t_ok "text: since-boot header and tbf row"
else t_fail "text output"; printf '%s\n' "$out" | head -5 | sed 's/^/# /'; fi

# Prometheus on stdout and in a file.
run_json out "$QS" -N "$(ns a)" --prom
expect_rc "--prom" 0
promcheck "--prom" "$out"$'\n'
if grep -q '^pktpath_qdiscstat_qdisc_drops_total{device="a0",kind="tbf",handle="1:",parent="root",netns="[^"]*"} [1-9]' <<<"$out"; then
	t_ok "prom: drops with device, kind, handle, parent labels"
else t_fail "prom: drops sample"; grep drops_total <<<"$out" | head -5 | sed 's/^/# /'; fi
pf=$(mktemp -d)/qdiscstat.prom
run_json out "$QS" -N "$(ns a)" --prom-file "$pf" -i 0.2 -c 2
expect_rc "--prom-file" 0
if [ -s "$pf" ] && grep -q '^pktpath_qdiscstat_run_success{netns="[^"]*"} 1' "$pf"; then t_ok "--prom-file written"; else t_fail "--prom-file written"; fi
promcheck "--prom-file" "$(cat "$pf")"$'\n'
if grep -q '^pktpath_qdiscstat_drop_ratio{' "$pf"; then t_ok "prom: drop ratio after an interval"; else t_fail "prom: drop ratio"; fi
rm -rf "$(dirname "$pf")"

# A queue that does not drain within the interval: a deep tbf (limit 200000 bytes) fed
# 120 kB at once sends it at 125 kB/s, so it still holds a backlog 0.3 s later.
at a tc qdisc replace dev a0 root handle 1: tbf rate 1mbit burst 1600 limit 200000
at a bash -c 'for i in $(seq 1 100); do printf "%1200s" x >/dev/udp/198.51.100.2/9; done' 2>/dev/null
run_json out "$QS" -N "$(ns a)" -j -i 0.3 -c 2 --kind tbf
last=$(tail -n1 <<<"$out")
expect_rc "standing queue without drops" 0
expect_jq "standing backlog flagged" "$last" \
	'[.findings[] | select(.type=="standing_backlog" and .kind=="tbf")][0].level' notice
expect_jq "backlog in bytes and packets" "$last" "$q | .backlog_bytes > 10000 and .backlog_packets > 5 and .qlen == .backlog_packets" true
expect_jq "interval marks it standing" "$last" "$q | .interval.standing_backlog" true

# SIGINT or SIGTERM between samples ends the run cleanly: what was sampled is
# written out (JSON lines complete, the exposition of the last sample), the exit
# status is the run's own, not death by the signal.
for sig in INT TERM; do
	tmp=$(mktemp -d)
	"$QS" -N "$(ns a)" -j -i 0.3 -c 20 >"$tmp/out" 2>"$tmp/err" & p=$!
	sleep 1.2
	kill -$sig $p; wait $p; RC=$?
	ERR=$(cat "$tmp/err")
	expect_rc "SIG$sig during -i: clean exit" 0
	if [ "$(wc -l <"$tmp/out")" -ge 3 ] && jq -se 'length >= 3 and (.[-1].sample.index >= 2)' "$tmp/out" >/dev/null 2>&1 && [ -z "$ERR" ]; then
		t_ok "SIG$sig: every JSON line complete, nothing on stderr"
	else t_fail "SIG$sig: $(wc -l <"$tmp/out") lines, last: $(tail -c 200 "$tmp/out"), err: $ERR"; fi
	"$QS" -N "$(ns a)" --prom-file "$tmp/x.prom" -i 0.3 -c 20 2>"$tmp/err" & p=$!
	sleep 1.2
	kill -$sig $p; wait $p; RC=$?
	expect_rc "SIG$sig with --prom-file -c 20" 0
	if grep -q '_run_success{[^}]*} 1$' "$tmp/x.prom" 2>/dev/null; then t_ok "SIG$sig: --prom-file written, run_success 1"
	else t_fail "SIG$sig: --prom-file: $(head -c 200 "$tmp/x.prom" 2>&1)"; fi
	promcheck "SIG$sig: --prom-file valid" "$(cat "$tmp/x.prom" 2>/dev/null)"$'\n'
	rm -rf "$tmp"
done

# Usage errors name the bad input.
run_json out "$QS" -i abc
expect_rc "-i abc" 2
if grep -q "'abc'" <<<"$ERR"; then t_ok "-i abc: message names the input"; else t_fail "-i abc message: $ERR"; fi
run_json out "$QS" -N "$(ns a)" --dev nosuch0
expect_rc "--dev nosuch0" 2
if [ "$(grep -c . <<<"$ERR")" = 1 ] && grep -q "'nosuch0'" <<<"$ERR"; then t_ok "--dev nosuch0: one line naming it"; else t_fail "--dev nosuch0 message: $ERR"; fi
# A kind that no qdisc or class in the namespace has is named, like a device (a0 has tbf only).
run_json out "$QS" -N "$(ns a)" -k nosuchkind
expect_rc "--kind nosuchkind" 2
if [ "$(grep -c . <<<"$ERR")" = 1 ] && grep -q "'nosuchkind'" <<<"$ERR" && [ -z "$out" ]; then
	t_ok "--kind nosuchkind: one line naming it, no output"; else t_fail "--kind nosuchkind: out '$out' err '$ERR'"; fi
run_json out "$QS" -N "$(ns a)" -j -k tbf,htb
expect_rc "--kind tbf,htb without htb" 2
if grep -q "'htb'" <<<"$ERR"; then t_ok "--kind: names the kind missing"; else t_fail "--kind tbf,htb message: $ERR"; fi
run_json out "$QS" -N "$(ns a)" -j -k tbf
expect_rc "--kind tbf" 0
run_json out "$QS" -N "${LAB}-nosuch"
expect_rc "unknown netns" 2
t_done
