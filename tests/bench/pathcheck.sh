#!/bin/bash
# pathcheck on a path with a 10,000-route table and 100 policy rules, beside
# `ip route get` in the same run: it must answer in about the time of one lookup,
# never dumping the routing table. Both run inside the namespace (ip netns exec),
# so neither pays for entering it.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/bench/lib.sh
LAB=ppbench$$
RUNS=${RUNS:-40}

lab_ns a b || exit 1
lab_veth a a0 b b0
nsrun a ip addr add 198.51.100.2/24 dev a0
nsrun b ip addr add 198.51.100.1/24 dev b0
{
	for i in $(seq 0 9999); do
		printf 'route add 203.%d.%d.0/24 via 198.51.100.1\n' $((i / 256 + 1)) $((i % 256))
	done
	# 100 rules the flow does not match, in front of main.
	for i in $(seq 1 100); do
		printf 'rule add from 198.51.100.%d/32 to 203.0.113.0/24 lookup %d pref %d\n' $((i + 100)) $((1000 + i)) $((1000 + i))
	done
} > /tmp/ppbench.$$
nsrun a ip -batch /tmp/ppbench.$$ || { rm -f /tmp/ppbench.$$; exit 1; }
rm -f /tmp/ppbench.$$
routes=$(nsrun a ip route show | wc -l)
rules=$(nsrun a ip rule show | wc -l)
echo "lab: $routes routes in main, $rules policy rules"

DST=203.20.100.7
ours=$(bench_ms "$RUNS" nsrun a "$BIN/pathcheck" -j "$DST":443)
peer=$(bench_ms "$RUNS" nsrun a ip route get "$DST" ipproto tcp dport 443)
dump=$(bench_ms 5 nsrun a ip route show table all)
echo "bench pathcheck: a full dump of the tables (ip route show table all) takes $dump ms"
# The namespace entry (ip netns exec) is paid by both sides alike.
bench_report "pathcheck (all stations) vs ip route get, 10k routes + 100 rules" "$ours" "$peer" 2.0
# The same with each tool entering the namespace itself (pathcheck -N, ip -n).
ours2=$(bench_ms "$RUNS" "$BIN/pathcheck" -N "$(ns a)" -j "$DST":443)
peer2=$(bench_ms "$RUNS" ip -n "$(ns a)" route get "$DST" ipproto tcp dport 443)
bench_report "pathcheck -N vs ip -n route get" "$ours2" "$peer2" 2.0
