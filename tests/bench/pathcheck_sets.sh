#!/bin/bash
# pathcheck on rules against large sets and a kube-proxy-shaped ruleset (issue 20), beside
# `nft list ruleset` and `nft -t list ruleset` (terse: no set elements) in the same run.
#  - a forward rule "ip6 daddr @blk drop" against an interval set of 1k, 100k and 1M
#    elements: pathcheck's time at 1M within 1.2x of its time at 1k, and under 20 ms;
#  - kube-proxy's nftables shape, 10,000 services and 30,000 endpoints (40,000 chains,
#    tests/tools/kubeproxy_scale.sh): under 50 ms and under 16 MiB peak RSS.
# Every pathcheck run is inside the namespace (ip netns exec), as the nft runs are.
# BENCH_SET_SIZES ("": none) and BENCH_KP_SERVICES make a quicker run.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/bench/lib.sh
LAB=ppbsets$$
RUNS=${RUNS:-21}
SIZES=${BENCH_SET_SIZES-1000 100000 1000000}
KP=${BENCH_KP_SERVICES:-10000}
rc=0

# peak_kb CMD...: the peak RSS of one run of CMD in KiB (/usr/bin/time -f %M; CMD a program, not a function:
# ip netns exec execs pathcheck in its own process, so the peak is pathcheck's or ip's, whichever is larger).
peak_kb() { /usr/bin/time -f %M -o /tmp/ppbsets.$$ "$@" >/dev/null 2>&1; tail -1 /tmp/ppbsets.$$; rm -f /tmp/ppbsets.$$; }
# once_ms CMD...: the wall time of one run of CMD in milliseconds (for peers that take
# minutes: nft list ruleset of 1M elements took 124 s here, so it is timed once, cold).
once_ms() {
	local t0 t1
	t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N)
	awk -v d=$(( (t1 - t0) / 1000 )) 'BEGIN { printf "%.2f\n", d / 1000 }'
}
# judge NAME VALUE LIMIT UNIT: print VALUE against LIMIT, MET or OVER TARGET.
judge() {
	awk -v n="$1" -v v="$2" -v l="$3" -v u="$4" 'BEGIN {
		printf "bench %s: %.2f %s (target < %s %s) %s\n", n, v, u, l, u, (v < l) ? "MET" : "OVER TARGET"
		exit (v < l) ? 0 : 1 }'
}

lab_three || exit 1
echo "load at start: $(uptime)"
PC=(ip netns exec "$(ns rtr)" "$BIN/pathcheck" -j --from 2001:db8:1::2 --iif r0)
declare -A T PEER TERSE
for n in $SIZES; do
	nsrun rtr nft flush ruleset
	t0=$(date +%s%N)
	tests/tools/nft_bigset.sh "$n" blk | nsrun rtr nft -f - || { echo "bench: $n elements not loaded"; rc=1; continue; }
	echo "lab: interval set of $n elements loaded in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
	# The verdict first: out of the set ok, in the set the drop (the timing is of a right answer).
	"${PC[@]}" "[2001:db8:2::2]:443" >/dev/null; r1=$?
	nsrun rtr nft add element inet bl blk "{ 2001:db8:2::/64 }"
	"${PC[@]}" "[2001:db8:2::2]:443" >/dev/null; r2=$?
	nsrun rtr nft delete element inet bl blk "{ 2001:db8:2::/64 }"
	if [ "$r1" != 0 ] || [ "$r2" != 1 ]; then
		echo "bench: $n elements: pathcheck exit $r1 out of the set (want 0), $r2 in it (want 1)"; rc=1
	fi
	T[$n]=$(bench_ms "$RUNS" "${PC[@]}" "[2001:db8:2::2]:443")
	PEER[$n]=$(once_ms nsrun rtr nft list ruleset)
	TERSE[$n]=$(bench_ms "$RUNS" nsrun rtr nft -t list ruleset)
	kb=$(peak_kb "${PC[@]}" "[2001:db8:2::2]:443")
	echo "bench pathcheck, ip6 daddr @blk of $n: ${T[$n]} ms (median of $RUNS), peak $kb KiB; nft list ruleset ${PEER[$n]} ms (one run); nft -t list ruleset ${TERSE[$n]} ms (median of $RUNS)"
done
set -- $SIZES
lo=${1:-none}; hi=${!#}
if [ $# -gt 0 ] && [ -n "${T[$lo]:-}" ] && [ -n "${T[$hi]:-}" ]; then
	awk -v a="${T[$lo]}" -v b="${T[$hi]}" -v lo="$lo" -v hi="$hi" 'BEGIN {
		r = b / a
		printf "bench pathcheck, set of %d vs %d: %.2f ms vs %.2f ms, ratio %.2f (target <= 1.20) %s\n", hi, lo, b, a, r, (r <= 1.2) ? "MET" : "OVER TARGET"
		exit (r <= 1.2) ? 0 : 1 }' || rc=1
	judge "pathcheck, set of $hi" "${T[$hi]}" 20 ms || rc=1
	awk -v a="${T[$hi]}" -v p="${PEER[$hi]}" -v t="${TERSE[$hi]}" 'BEGIN {
		printf "bench pathcheck vs nft list ruleset at the largest set: ratio %.3f; vs nft -t list ruleset: ratio %.2f\n", a / p, a / t }'
fi

# ---- kube-proxy's shape ----
nsrun rtr nft flush ruleset
t0=$(date +%s%N)
tests/tools/kubeproxy_scale.sh "$KP" 3 | nsrun rtr nft -f - || { echo "bench: kube-proxy ruleset not loaded"; t_done; exit 1; }
chains=$(nsrun rtr nft -t list chains | grep -c 'chain ')
echo "lab: kube-proxy shape, $KP services, $((KP * 3)) endpoints, $chains chains, loaded in $(( ($(date +%s%N) - t0) / 1000000 )) ms"
# A ClusterIP from the client through the router: prerouting's dnat, one branch per endpoint.
KPQ=(ip netns exec "$(ns rtr)" "$BIN/pathcheck" -j --from 2001:db8:1::2 --iif r0 "[2001:db8:100::1]:80")
out=$("${KPQ[@]}"); r=$?
echo "bench kube-proxy shape: pathcheck exit $r, verdict: $(jq -c '.verdict.summary' <<<"$out" 2>/dev/null)"
[ "$r" -le 3 ] || { echo "bench: pathcheck exit $r on the kube-proxy shape"; rc=1; }
kt=$(bench_ms "$RUNS" "${KPQ[@]}")
kb=$(peak_kb "${KPQ[@]}")
# Cold: as the first run at a generation on a kernel without nfnetlink_hook (no base chains
# kept in /run/pktpath: every run dumps every chain), the common case where kube-proxy
# rewrites its table every few seconds. Judged by the same target.
kcold=$(PKTPATH_NFT_CACHE=0 bench_ms "$RUNS" "${KPQ[@]}")
# The cold run's floor: one bare GETCHAIN dump of every chain, counted, nothing decoded (the
# kernel restarts its chain walk for every 32 KiB datagram, so this grows with the square).
NFTCHAINS=$(mktemp /tmp/ppnftchains.XXXXXX)
if cc -O2 -o "$NFTCHAINS" tests/bench/nftchains.c -lmnl; then
	echo "bench kube-proxy shape: bare chain dump: $(nsrun rtr "$NFTCHAINS")"
	kfloor=$(bench_ms "$RUNS" ip netns exec "$(ns rtr)" "$NFTCHAINS")
	awk -v c="$kcold" -v f="$kfloor" 'BEGIN {
		printf "bench kube-proxy shape, cold: pathcheck %.2f ms, the bare chain dump alone %.2f ms (both under ip netns exec), ratio %.2f\n", c, f, c / f }'
fi
rm -f "$NFTCHAINS"
kpeer=$(once_ms nsrun rtr nft list ruleset)
kterse=$(once_ms nsrun rtr nft -t list ruleset)
echo "bench kube-proxy shape: pathcheck $kt ms (median of $RUNS), peak $kb KiB; cold (PKTPATH_NFT_CACHE=0, every chain dumped) $kcold ms; nft list ruleset $kpeer ms, nft -t list ruleset $kterse ms (one run each)"
judge "pathcheck, kube-proxy shape ($KP services)" "$kt" 50 ms || rc=1
judge "pathcheck, kube-proxy shape ($KP services), cold" "$kcold" 50 ms || rc=1
judge "pathcheck peak RSS, kube-proxy shape" "$(awk -v k="$kb" 'BEGIN { print k / 1024 }')" 16 MiB || rc=1
awk -v a="$kt" -v c="$kcold" -v p="$kpeer" -v t="$kterse" 'BEGIN {
	printf "bench pathcheck vs nft list ruleset, kube-proxy shape: ratio %.3f; vs nft -t list ruleset: ratio %.3f (cold: %.3f and %.3f)\n", a / p, a / t, c / p, c / t }'
echo "load at end: $(uptime)"
exit $rc
