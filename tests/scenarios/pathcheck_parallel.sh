#!/bin/bash
# pathcheck -f TARGETS --probe at --parallel 1, 4, 16 and 64 (issue 15): 64 targets,
# reachable, refused, silent and unreachable, IPv4 and IPv6. Every run must finish
# (no crash, no sanitizer report: make check runs this against the ASan/UBSan build,
# and against the ThreadSanitizer build where there is one), every target must get
# its own verdict, and the verdicts must be the same in every run and at every
# parallelism. The truth of each kind is checked with socat and ping in the same lab.
# PKTPATH_PARALLEL_RUNS (default 2) sets the runs at 4, 16 and 64 at once, and
# PKTPATH_PARALLEL_RUNS_SERIAL (default 1) those one at a time; `make stress` runs 20 of
# each. PKTPATH_TSAN_BIN, a ThreadSanitizer build of pathcheck (make check builds one),
# runs the same targets at 16 and 64 at once, and any report fails.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

RUNS=${PKTPATH_PARALLEL_RUNS:-2}
RUNS_SERIAL=${PKTPATH_PARALLEL_RUNS_SERIAL:-1}
if ! command -v socat >/dev/null; then
	t_skip "parallel probes" "no socat (tests/lib/deps.sh installs it)"; t_done; exit
fi
lab_three
C=$(ns cli)
TMP=$(mktemp -d)
ip netns exec "$(ns srv)" python3 -c '
import socket, time
t = socket.socket(socket.AF_INET6); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); t.bind(("::", 8080)); t.listen(512)
end = time.time() + 7200
while time.time() < end:
    c, _ = t.accept(); c.close()' >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"; lab_cleanup' EXIT
# silent: the server drops port 8082; unreachable: the router has no way to .200 / 3::1.
nsrun srv nft -f - <<'N'
table inet f { chain in { type filter hook input priority 0; tcp dport 8082 drop; }; }
N
# The router rejects .200 and 3::1 with an ICMP error. Not an "unreachable" route: the
# kernel's ip_error() answers those at most 5 at once, then one per second
# (net.ipv4.route.error_burst and error_cost, not per namespace on this kernel), so the
# sixth of eight concurrent probes really is met with silence.
nsrun rtr nft -f - <<'N'
table inet r {
	chain reject_some {
		type filter hook forward priority 0;
		ip daddr 203.0.113.200 reject with icmp host-unreachable
		ip6 daddr 2001:db8:3::1 reject with icmpv6 addr-unreachable
	}
}
N
nsrun rtr ip route add 203.0.113.200/32 dev r1
nsrun rtr ip -6 route add 2001:db8:3::1/128 dev r1
# The server is python: on a loaded machine it listens a second or more after it starts.
for i in $(seq 100); do
	nsrun srv ss -Hltn 'sport = :8080' | grep -q . && break
	sleep 0.1
done

# 64 targets: 12+12 reachable, 8+8 refused, 4+4 silent, 8+8 unreachable (IPv4, IPv6).
{
	for i in $(seq 12); do echo "203.0.113.2:8080 name=open4-$i"; echo "[2001:db8:2::2]:8080 name=open6-$i"; done
	for i in $(seq 8); do echo "203.0.113.2:8081 name=refused4-$i"; echo "[2001:db8:2::2]:8081 name=refused6-$i"; done
	for i in $(seq 4); do echo "203.0.113.2:8082 name=silent4-$i"; echo "[2001:db8:2::2]:8082 name=silent6-$i"; done
	for i in $(seq 8); do echo "203.0.113.200:8080 name=unreach4-$i"; echo "[2001:db8:3::1]:8080 name=unreach6-$i"; done
} > "$TMP/targets"

# The truth, once per kind, with clients that are not ours.
nsrun cli socat -u /dev/null TCP4:203.0.113.2:8080,connect-timeout=1 && t_ok "truth: socat connects to :8080" ||
	t_fail "truth: socat connects to :8080"
nsrun cli socat -u /dev/null TCP6:[2001:db8:2::2]:8081,connect-timeout=1 2>&1 | grep -q refused &&
	t_ok "truth: socat is refused at :8081" || t_fail "truth: socat is refused at :8081"
if nsrun cli socat -u /dev/null TCP4:203.0.113.2:8082,connect-timeout=1 2>&1 | grep -qi 'timed out\|timeout'; then
	t_ok "truth: socat times out at :8082"; else t_fail "truth: socat times out at :8082"; fi
nsrun cli ping -c1 -W1 203.0.113.200 2>&1 | grep -q 'Unreachable' && t_ok "truth: ping .200 is told unreachable" ||
	t_fail "truth: ping .200 is told unreachable"

# What each kind must be: status, station, outcome.
want_of() {
	case $1 in
	open*) echo "ok null connected" ;;
	refused*) echo "fail remote refused" ;;
	silent*) echo "fail remote silence" ;;
	unreach*) echo "fail remote icmp_error" ;;
	esac
}
# verdicts JSON: "label status station outcome" per target, in file order.
verdicts() {
	jq -r '.results[] | "\(.target) \(.verdict.status) \(.verdict.station // "null") \((.stations[] | select(.station=="remote") | .evidence.outcome) // "none")"' <<<"$1"
}

first=""
for par in 1 4 16 64; do
	bad=0 crashed=0 differ=0
	runs=$RUNS
	[ "$par" = 1 ] && runs=$RUNS_SERIAL
	for run in $(seq "$runs"); do
		t0=$(date +%s.%N)
		run_json out "$PC" -N "$C" -j -f "$TMP/targets" --probe --timeout 1 --parallel "$par"
		echo "# --parallel $par run $run: $(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }') s"
		if [ "$RC" != 1 ] || ! n=$(jq '.results | length' <<<"$out" 2>/dev/null) || [ "$n" != 64 ]; then
			crashed=$((crashed + 1)); echo "# --parallel $par run $run: exit $RC, $(head -c 300 <<<"$ERR")"; continue
		fi
		if grep -q 'Sanitizer\|runtime error' <<<"$ERR"; then
			crashed=$((crashed + 1)); echo "# --parallel $par run $run: $(grep -m3 'Sanitizer\|runtime error' <<<"$ERR")"
		fi
		v=$(verdicts "$out")
		[ -n "${PKTPATH_PARALLEL_DUMP:-}" ] && printf "%s\n" "$out" > "$PKTPATH_PARALLEL_DUMP.$par.$run.json"
		if [ -z "$first" ]; then
			first=$v
			while read -r label st sta oc; do
				w=$(want_of "$label")
				if [ "$st $sta $oc" != "$w" ]; then
					bad=$((bad + 1)); echo "# $label: $st $sta $oc, expected $w"
				fi
			done <<<"$v"
		elif [ "$v" != "$first" ]; then
			differ=$((differ + 1))
			diff <(echo "$first") <(echo "$v") | grep '^>' | sed 's/^/# now: /' | head -6
		fi
	done
	[ "$crashed" = 0 ] && t_ok "--parallel $par: $runs runs ended with 64 results, exit 1, no sanitizer report" ||
		t_fail "--parallel $par: $crashed of $runs runs crashed, lost results or reported"
	if [ "$par" = 1 ]; then
		[ "$bad" = 0 ] && t_ok "--parallel 1: every target's verdict is what the traffic did" ||
			t_fail "--parallel 1: $bad targets judged against the truth"
	fi
	[ "$differ" = 0 ] && t_ok "--parallel $par: the same verdicts as the first run, every run" ||
		t_fail "--parallel $par: $differ of $runs runs gave other verdicts"
done
if [ -n "${PKTPATH_TSAN_BIN:-}" ] && [ -x "$PKTPATH_TSAN_BIN" ]; then
	for par in 16 64; do
		TSAN_OPTIONS="halt_on_error=0 exitcode=66 $TSAN_OPTIONS" run_json out "$PKTPATH_TSAN_BIN" -N "$C" -j \
			-f "$TMP/targets" --probe --timeout 1 --parallel "$par"
		races=$(grep -c 'WARNING: ThreadSanitizer' <<<"$ERR")
		if [ "$RC" = 1 ] && [ "$races" = 0 ] && [ "$(verdicts "$out")" = "$first" ]; then
			t_ok "ThreadSanitizer, --parallel $par: no report, the same verdicts"
		else
			t_fail "ThreadSanitizer, --parallel $par: exit $RC, $races reports"
			grep -A8 -m2 'WARNING: ThreadSanitizer' <<<"$ERR" | sed 's/^/# /'
		fi
	done
else
	t_skip "ThreadSanitizer" "no PKTPATH_TSAN_BIN (make check builds build-tsan/bin/pathcheck)"
fi
t_done
