#!/bin/bash
# pathcheck --save (issue 17) on a namespace with 10,000 routes, 100 policy rules and
# 10,000 nftables rules: the snapshot's size (target under 5 MB) and what writing it
# costs (the --save run less the same run without it; target under 1 s), beside the
# bare dumps of the same tables by ip and nft in the same run.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/bench/lib.sh
LAB=ppsnapb$$
RUNS=${RUNS:-5}
D=$(mktemp -d /tmp/ppsnapb.XXXXXX)
trap 'lab_cleanup; rm -rf "$D"' EXIT

lab_ns a b || exit 1
lab_veth a a0 b b0
nsrun a ip addr add 198.51.100.2/24 dev a0
nsrun a ip -6 addr add 2001:db8:ffff::2/64 dev a0 nodad
nsrun b ip addr add 198.51.100.1/24 dev b0
nsrun a ip route add default via 198.51.100.1
{
	for i in $(seq 0 9999); do
		printf 'route add 2001:db8:%x:%x::/64 via 2001:db8:ffff::1\n' $((i / 256 + 1)) $((i % 256))
	done
	for i in $(seq 1 100); do
		printf 'rule add from 198.51.100.%d/32 to 203.0.113.0/24 lookup %d pref %d\n' $((i + 100)) $((1000 + i)) $((1000 + i))
	done
} >"$D/batch"
nsrun a ip -batch "$D/batch" || exit 1
{
	echo 'table inet bench {'
	for c in $(seq 0 9); do
		echo " chain c$c {"
		for i in $(seq 0 999); do
			printf '  ip daddr 203.0.113.%d tcp dport %d counter accept\n' $((i % 256)) $((c * 1000 + i + 1))
		done
		echo ' }'
	done
	echo ' chain out { type filter hook output priority 0; policy accept;'
	for c in $(seq 0 9); do echo "  tcp sport $((40000 + c)) jump c$c"; done
	echo ' }'
	echo '}'
} >"$D/ruleset.nft"
nsrun a nft -f "$D/ruleset.nft" || exit 1
routes=$(nsrun a ip -6 route show | wc -l)
rules=$(nsrun a ip rule show | wc -l)
nftrules=$(nsrun a nft -a list table inet bench | grep -c 'handle [0-9]*$' || true)
echo "lab: $routes IPv6 routes, $rules policy rules, $nftrules nftables lines with handles"

DST=203.0.113.7:443
plain=$(bench_ms "$RUNS" "$BIN/pathcheck" -N "$(ns a)" -j "$DST")
saved=$(bench_ms "$RUNS" "$BIN/pathcheck" -N "$(ns a)" -j --save "$D/s.snap" "$DST")
dump=$(bench_ms "$RUNS" sh -c "ip -n $(ns a) route show table all >/dev/null; ip -n $(ns a) -6 route show table all >/dev/null; ip -n $(ns a) rule show >/dev/null; ip netns exec $(ns a) nft list ruleset >/dev/null")
size=$(stat -c %s "$D/s.snap")
"$BIN/pathcheck" -j --snapshot "$D/s.snap" --list >"$D/list.json"
raw=$(jq .raw_bytes "$D/list.json")
offline=$(bench_ms "$RUNS" "$BIN/pathcheck" -j --snapshot "$D/s.snap" "$DST")
echo "bench pathcheck --save: the bare dumps (ip route/rule show table all, nft list ruleset) take $dump ms"
echo "bench pathcheck --save: pathcheck $plain ms, with --save $saved ms; offline from the snapshot $offline ms"
awk -v s="$size" -v r="$raw" -v p="$plain" -v w="$saved" 'BEGIN {
	d = w - p
	printf "bench pathcheck --save: snapshot %d bytes (%.2f MB; %d raw), target < 5 MB %s\n", s, s / 1e6, r, (s < 5e6) ? "MET" : "MISSED"
	printf "bench pathcheck --save: writing it costs %.0f ms, target < 1000 ms %s\n", d, (d < 1000) ? "MET" : "MISSED"
	exit (s < 5e6 && d < 1000) ? 0 : 1 }'
