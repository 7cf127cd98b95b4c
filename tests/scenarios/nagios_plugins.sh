#!/bin/bash
# --nagios on every tool, read by a real consumer of the format: each line goes
# through tests/lib/nagios_check.pl, which parses it with Debian's
# Monitoring::Plugin (Performance->parse_perfstring, Range, Threshold), so a
# malformed line, perfdata item or range fails. Every tool is driven into OK,
# WARNING, CRITICAL and UNKNOWN by lab state (a FAILED next hop, a tbf dropping,
# a DROP rule, a black hole, conntrack entries, an unprivileged run), each exit
# code checked against the state word; bad arguments are UNKNOWN (3); the
# thresholds' range logic is recomputed by Monitoring::Plugin::Threshold over
# every range form; --run-timeout ends a run as UNKNOWN.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh

if ! perl -MMonitoring::Plugin::Performance -e1 2>/dev/null; then
	t_skip "Monitoring::Plugin" "libmonitoring-plugin-perl is not installed (tests/lib/deps.sh)"
	t_done; exit
fi
UNPRIV=(setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all)
OUT=$(mktemp)
trap 'rm -f "$OUT"; lab_cleanup' EXIT

# nag NAME TOOL WANT [CHECKER ARGS...] -- CMD...: run CMD, feed its stdout to the
# checker with its exit code; WANT is the state it must say.
nag() {
	local name=$1 tool=$2 want=$3 chk=() res rc; shift 3
	while [ "$1" != "--" ]; do chk+=("$1"); shift; done; shift
	"$@" >"$OUT" 2>/dev/null; rc=$?
	NOUT=$(cat "$OUT")
	res=$(perl tests/lib/nagios_check.pl --tool "$tool" --rc "$rc" --want "$want" "${chk[@]}" <"$OUT")
	if [ "$res" = ok ]; then t_ok "$name: $want, exit $rc, Monitoring::Plugin reads it"; [ -n "${NAGIOS_SHOW:-}" ] && sed "s/^/#   /" "$OUT"
	else t_fail "$name: $res"; sed 's/^/# /' "$OUT" | head -3; fi
}
# has NAME TEXT: the last output holds TEXT.
has() { if grep -qF -- "$2" <<<"$NOUT"; then t_ok "$1"; else t_fail "$1: no '$2' in: $NOUT"; fi; }

lab_three || exit 1
B="$BIN"

# ---- bad arguments: UNKNOWN (3), for every tool, also when --nagios comes after the error ----
for t in pathcheck neighwatch qdiscstat nicstat ctdump pmtuprobe dropstat; do
	nag "$t: bad range" "$t" UNKNOWN -- "$B/$t" --nagios --critical 5:1 203.0.113.2
	nag "$t: unknown option before --nagios" "$t" UNKNOWN -- "$B/$t" --bogus --nagios 203.0.113.2
	nag "$t: --nagios with --json" "$t" UNKNOWN -- "$B/$t" -j --nagios 203.0.113.2
done
"$B/qdiscstat" --warning 5 >/dev/null 2>&1
if [ $? = 2 ]; then t_ok "without --nagios a usage error stays 2"; else t_fail "without --nagios: not 2"; fi

# ---- pathcheck: the verdict is the state; --warning/--critical judge the probe's rtt ----
P=(nsrun cli "$B/pathcheck" --nagios)
nag "pathcheck: probe answered" pathcheck OK --perf rtt --perf loss --figure '^rtt$' --warning 5000 -- \
	"${P[@]}" --probe --timeout 1 --warning 5000 203.0.113.2
has "pathcheck: loss 0 %" "'loss'=0%"
nag "pathcheck: rtt above --warning" pathcheck WARNING --figure '^rtt$' --warning 0.000001 -- \
	"${P[@]}" --probe --timeout 1 --warning 0.000001 203.0.113.2
nag "pathcheck: rtt above --critical" pathcheck CRITICAL --figure '^rtt$' --warning 0.000001 --critical '@0:5000' -- \
	"${P[@]}" --probe --timeout 1 --warning 0.000001 --critical @0:5000 203.0.113.2
nsrun cli nft -f - <<'NFT' || exit 1
table inet nagios { chain out { type filter hook output priority 0; tcp dport 443 drop; }; }
NFT
nag "pathcheck: DROP rule" pathcheck CRITICAL -- "${P[@]}" 203.0.113.2:443
has "pathcheck: names the station" "dies at output"
nag "pathcheck: unprivileged" pathcheck UNKNOWN -- nsrun cli "${UNPRIV[@]}" "$B/pathcheck" --nagios 203.0.113.2:443
nag "pathcheck: thresholds without --probe" pathcheck UNKNOWN -- "${P[@]}" --warning 5 203.0.113.2
nsrun cli nft delete table inet nagios
# A drop policy behind a rule pathcheck cannot evaluate: the verdict is warn.
nsrun cli nft -f - <<'NFT' || exit 1
table inet nagios { chain out { type filter hook output priority 0; policy drop; tcp dport 80 meta cpu 0 accept; }; }
NFT
nag "pathcheck: drop policy behind a rule not evaluated" pathcheck WARNING -- "${P[@]}" 203.0.113.2:80
has "pathcheck: names the station" "may die at output"
nsrun cli nft delete table inet nagios

# ---- neighwatch: FAILED next hops ----
nsrun cli ip route add 203.0.113.128/26 via 198.51.100.50	# nobody holds .50
nsrun cli ping -c1 -W1 203.0.113.130 >/dev/null 2>&1
for i in $(seq 1 40); do
	[ -n "$(nsrun cli ip neigh show 198.51.100.50 nud failed)" ] && break
	sleep 0.25
done
nsrun srv ping -c1 -W1 203.0.113.1 >/dev/null 2>&1
NW=(nsrun cli "$B/neighwatch" --nagios -4)
nag "neighwatch: a FAILED next hop" neighwatch CRITICAL --perf failed_nexthops --perf inet_fill -- "${NW[@]}"
has "neighwatch: names the next hop" "198.51.100.50"
nag "neighwatch: --warning 0 --critical 5" neighwatch WARNING --figure '^failed_nexthops$' --warning 0 --critical 5 -- \
	"${NW[@]}" --warning 0 --critical 5
nag "neighwatch: next hops resolved" neighwatch OK --perf failed_nexthops -- nsrun srv "$B/neighwatch" --nagios -4
nag "neighwatch: -w" neighwatch UNKNOWN -- "${NW[@]}" -w
# Every range form, with the one FAILED next hop: Monitoring::Plugin::Threshold must agree.
for w in 1 0 1: 2: '~:0' '~:1' 0:1 2:5 @1 @0:0 @1:1 @~:1 @2:3 '~:' 0.5:1.5 ; do
	for c in '' 5 @1:1; do
		args=(--warning "$w"); chk=(--warning "$w")
		[ -n "$c" ] && args+=(--critical "$c") && chk+=(--critical "$c")
		"${NW[@]}" "${args[@]}" >"$OUT" 2>/dev/null; rc=$?
		res=$(perl tests/lib/nagios_check.pl --tool neighwatch --rc $rc --figure '^failed_nexthops$' "${chk[@]}" <"$OUT")
		[ "$res" = ok ] || { t_fail "neighwatch: range ${args[*]}: $res"; RANGE_BAD=1; }
	done
done
[ -z "${RANGE_BAD:-}" ] && t_ok "neighwatch: 45 range pairs judged as Monitoring::Plugin::Threshold judges them"

# ---- qdiscstat, nicstat, dropstat: a tbf dropping on a0 ----
lab_ns a b || exit 1
lab_veth a a0 b b0 || exit 1
nsrun a ip addr add 198.51.100.65/26 dev a0
nsrun b ip addr add 198.51.100.66/26 dev b0
nsrun a ping -c1 -W1 198.51.100.66 >/dev/null 2>&1	# the neighbour before the qdisc
nsrun a tc qdisc add dev a0 root handle 1: tbf rate 1mbit burst 1600 limit 3000 || exit 1
burst() {
	timeout 10 ip netns exec "$(ns a)" bash -c \
		'for i in $(seq 1 400); do printf "%1200s" x >/dev/udp/198.51.100.66/9; done' 2>/dev/null
}
# Six runs at once over one interval, the burst inside it. The truth: the tbf's own drops,
# at least 5/s in every figure that says WARNING or CRITICAL (dropstat's also counts drops
# elsewhere). dropstat's start-up (the tracepoint on every CPU) takes a second and more on
# a loaded host: the burst waits until both have their perf events open.
d=$(mktemp -d)
run_bg() { local k=$1; shift; ( "$@" >"$d/$k" 2>/dev/null; echo $? >"$d/$k.rc" ) & }
perf_open() { ls -l "/proc/$1/fd" 2>/dev/null | grep -c 'perf_event'; }
ip netns exec "$(ns a)" "$B/dropstat" --nagios -i 5 >"$d/dd" 2>/dev/null & pd=$!
ip netns exec "$(ns a)" "$B/dropstat" --nagios -i 5 --warning 1 --critical 5 >"$d/dc" 2>/dev/null & pc=$!
ready=
for i in $(seq 1 50); do
	[ "$(perf_open $pd)" -gt 0 ] && [ "$(perf_open $pc)" -gt 0 ] && ready=1 && break
	sleep 0.1
done
[ -n "$ready" ] || t_fail "dropstat: no perf event open after 5 s"
run_bg qd nsrun a "$B/qdiscstat" --nagios -d a0 -i 3
run_bg qc nsrun a "$B/qdiscstat" --nagios -d a0 -i 3 --warning 1 --critical 5
run_bg nd nsrun a "$B/nicstat" --nagios -d a0 -i 3
run_bg nc nsrun a "$B/nicstat" --nagios -d a0 -i 3 --warning 1 --critical 5
sleep 1
burst
wait $pd; echo $? >"$d/dd.rc"
wait $pc; echo $? >"$d/dc.rc"
wait
chk_bg() {	# chk_bg KEY TOOL WANT NAME CHECKER-ARGS...
	local k=$1 tool=$2 want=$3 name=$4 res; shift 4
	NOUT=$(cat "$d/$k")
	res=$(perl tests/lib/nagios_check.pl --tool "$tool" --rc "$(cat "$d/$k.rc")" --want "$want" "$@" <"$d/$k")
	if [ "$res" = ok ]; then t_ok "$name: $want, Monitoring::Plugin reads it"
	else t_fail "$name: $res"; sed 's/^/# /' "$d/$k" | head -3; fi
}
chk_bg qd qdiscstat WARNING "qdiscstat: tbf dropping, no thresholds" --atleast a0_drops=5 --perf a0_backlog
has "qdiscstat: the tbf named" "a0 tbf qdisc"
chk_bg qc qdiscstat CRITICAL "qdiscstat: tbf dropping, --critical 5" --atleast a0_drops=5 \
	--figure '_drops$' --warning 1 --critical 5
chk_bg nd nicstat WARNING "nicstat: tbf dropping, no thresholds" --atleast a0_sat=5 --atleast a0_drops=5 --perf a0_errors
chk_bg nc nicstat CRITICAL "nicstat: tbf dropping, --critical 5" --atleast a0_sat=5 --figure '_sat$' --warning 1 --critical 5
chk_bg dd dropstat WARNING "dropstat: tbf dropping, no thresholds" --atleast station_qdisc=5 --atleast qdisc_drops=5
chk_bg dc dropstat CRITICAL "dropstat: tbf dropping, --critical 5" --atleast station_qdisc=5 --atleast qdisc_drops=5 \
	--figure '^drops$' --warning 1 --critical 5
rm -rf "$d"
# Quiet: nothing drops on b0 (the burst is over).
nag "qdiscstat: quiet device" qdiscstat OK --figure '_drops$' --warning 1 --critical 5 -- \
	nsrun b "$B/qdiscstat" --nagios -d b0 -i 0.3 --warning 1 --critical 5
nag "nicstat: quiet device" nicstat OK --figure '_sat$' --warning 1 --critical 5 -- \
	nsrun b "$B/nicstat" --nagios -d b0 -i 0.3 --warning 1 --critical 5
# dropstat's figure counts drops no namespace can be named for; a ceiling no host reaches.
nag "dropstat: quiet namespace" dropstat OK --figure '^drops$' --critical 100000 -- \
	nsrun b "$B/dropstat" --nagios -i 0.3 --critical 100000
nag "qdiscstat: no such device" qdiscstat UNKNOWN -- nsrun b "$B/qdiscstat" --nagios -d nosuch0
nag "nicstat: no such device" nicstat UNKNOWN -- nsrun b "$B/nicstat" --nagios -d nosuch0
nag "dropstat: no tracepoint" dropstat UNKNOWN -- nsrun b "$B/dropstat" --nagios -i 0.3 --no-tracepoint
nag "qdiscstat: unprivileged in a foreign namespace" qdiscstat UNKNOWN -- "${UNPRIV[@]}" "$B/qdiscstat" --nagios -N "$(ns b)"

# ---- ctdump: the table's fill ----
nsrun srv nft -f - <<'NFT' || exit 1
table inet nagios { chain in { type filter hook input priority 0; ct state new counter; }; }
NFT
nag "ctdump: empty table" ctdump OK --perf fill --perf insert_failed --figure '^fill$' --warning '~:0' -- \
	nsrun srv "$B/ctdump" --nagios --duration 0.2 --warning '~:0'
nsrun cli ping -c1 -W1 203.0.113.2 >/dev/null 2>&1
nag "ctdump: entries, --warning ~:0" ctdump WARNING --figure '^fill$' --warning '~:0' -- \
	nsrun srv "$B/ctdump" --nagios --duration 0.2 --warning '~:0'
nag "ctdump: entries, --critical ~:0" ctdump CRITICAL --figure '^fill$' --critical '~:0' -- \
	nsrun srv "$B/ctdump" --nagios --duration 0.2 --critical '~:0'
nag "ctdump: entries, no thresholds" ctdump OK -- nsrun srv "$B/ctdump" --nagios --duration 0.2
nag "ctdump: unprivileged" ctdump UNKNOWN -- nsrun srv "${UNPRIV[@]}" "$B/ctdump" --nagios --duration 0.2
nag "ctdump: with -E" ctdump UNKNOWN -- nsrun srv "$B/ctdump" --nagios -E

# ---- pmtuprobe: path MTU 1280 on the far link ----
nsrun rtr ip link set r1 mtu 1280
nsrun srv ip link set s0 mtu 1280
PM=(nsrun cli "$B/pmtuprobe" --nagios -t 0.2 --proto udp)
nag "pmtuprobe: PTB answered" pmtuprobe OK --perf pmtu --figure '^pmtu$' --warning 1280: -- \
	"${PM[@]}" --warning 1280: 203.0.113.2
has "pmtuprobe: 1280 found" "'pmtu'=1280B"
nag "pmtuprobe: below --warning 1400:" pmtuprobe WARNING --figure '^pmtu$' --warning 1400: --critical 1000: -- \
	"${PM[@]}" --warning 1400: --critical 1000: 203.0.113.2
nsrun rtr nft -f - <<'NFT' || exit 1
table inet pmtu { chain out { type filter hook output priority 0; icmp type destination-unreachable icmp code frag-needed drop; }; }
NFT
nag "pmtuprobe: black hole" pmtuprobe CRITICAL -- "${PM[@]}" --tries 2 --no-locate 203.0.113.2
nag "pmtuprobe: --min above --max" pmtuprobe UNKNOWN -- "${PM[@]}" --min 1400 --max 1300 203.0.113.2

# ---- --run-timeout: the run ends on its own ----
start=$(date +%s%N)
nag "qdiscstat: --run-timeout 0.5 before a 5 s interval" qdiscstat UNKNOWN -- \
	nsrun b "$B/qdiscstat" --nagios -i 5 --run-timeout 0.5
el_ms=$((($(date +%s%N) - start) / 1000000))
has "qdiscstat: says it timed out" "QDISCSTAT UNKNOWN - timed out after 0.5 s"
if [ "$el_ms" -lt 2000 ]; then t_ok "qdiscstat: ended in $el_ms ms"; else t_fail "qdiscstat: took $el_ms ms"; fi
nsrun srv nft add table inet nagios2 '{ chain in { type filter hook input priority 0; udp dport 9999 drop; }; }'
nag "pathcheck: --run-timeout 0.5 with a 5 s probe in flight" pathcheck UNKNOWN -- \
	nsrun cli "$B/pathcheck" --nagios --probe --timeout 5 --run-timeout 0.5 203.0.113.2:9999 --proto udp
has "pathcheck: says it timed out" "PATHCHECK UNKNOWN - timed out after 0.5 s"
nag "dropstat: default --timeout 10 s, -i 0.2 ends first" dropstat OK --critical 100000 -- \
	nsrun b "$B/dropstat" --nagios -i 0.2 --critical 100000
t_done
