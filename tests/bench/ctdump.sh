#!/bin/bash
# ctdump at a million conntrack entries, side by side in one run with conntrack -L
# and with a bare netlink dump that only counts (tests/tools/ctfill.c count):
#   full dump to text, to JSON, and a --top aggregate, each
#     <= 0.6 x conntrack -L >/dev/null, <= 1.2 x the bare dump,
#     and under 16 MiB peak RSS (ru_maxrss of the process, from wait4).
# The table is filled through batched ctnetlink in one lab namespace.
# nf_conntrack_max is global: it is raised in the root namespace for this run only
# and restored by the trap, also on failure or interrupt. Keep it short: other
# tests share the global conntrack hash while this runs.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/bench/lib.sh
N=${CTDUMP_BENCH_N:-1000000}
RUNS=${CTDUMP_BENCH_RUNS:-3}
MAXF=/proc/sys/net/netfilter/nf_conntrack_max
TMP=$(mktemp -d)
ORIG_MAX=$(cat "$MAXF")

RAISED=
# Put the limit back only if this run raised it: another benchmark may have raised
# it too and restored it meanwhile.
restore() {
	lab_cleanup
	[ -n "$RAISED" ] && echo "$ORIG_MAX" >"$MAXF"
	rm -rf "$TMP"
}
trap restore EXIT
trap 'restore; exit 130' INT TERM

cc -O2 -o "$TMP/ctfill" tests/tools/ctfill.c -lmnl || { echo "bench ctdump: cannot build ctfill" >&2; exit 1; }
CT=$(realpath "$BIN/ctdump")
lab_ns ct || exit 1
NS=$(ns ct)
ip netns exec "$NS" nft -f - <<'EOF' || exit 1
table inet ppct {
	chain filt {
		type filter hook forward priority filter;
		ct state established accept
	}
}
EOF
if [ "$ORIG_MAX" -lt $((N + 1000)) ]; then
	RAISED=1
	echo $((N + 1000)) >"$MAXF" || exit 1
fi
t0=$(date +%s%N)
got=$(ip netns exec "$NS" "$TMP/ctfill" fill "$N")
echo "bench ctdump: filled $got entries in $(( ($(date +%s%N) - t0) / 1000000 )) ms (batched ctnetlink)"
[ "$got" -eq "$N" ] || { echo "bench ctdump: fill stopped at $got" >&2; exit 1; }

# Interleaved rounds, so load from other tests falls on every command alike; median per command.
declare -A T
names=(floor peer text json top)
cmd_floor=("$TMP/ctfill" count)
cmd_peer=(conntrack -L)
cmd_text=("$CT")
cmd_json=("$CT" -j)
cmd_top=("$CT" --top src 10 --top dport 10)
run() {	# NAME: wall ms of one run, stdout to /dev/null
	local -n c="cmd_$1"
	local s e
	s=$(date +%s%N)
	ip netns exec "$NS" "${c[@]}" >/dev/null 2>&1
	e=$(date +%s%N)
	echo $(( (e - s) / 1000 ))
}
for ((r = 0; r < RUNS; r++)); do
	for n in "${names[@]}"; do T[$n]+="$(run "$n") "; done
done
med() { tr ' ' '\n' <<<"$1" | grep . | sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]/1000}'; }
low() { tr ' ' '\n' <<<"$1" | grep . | sort -n | head -1 | awk '{printf "%.2f\n", $1/1000}'; }
declare -A M L
for n in "${names[@]}"; do M[$n]=$(med "${T[$n]}"); L[$n]=$(low "${T[$n]}"); done
echo "bench ctdump: medians of $RUNS at $N entries: bare dump ${M[floor]} ms, conntrack -L ${M[peer]} ms," \
	"ctdump text ${M[text]} ms, -j ${M[json]} ms, --top ${M[top]} ms"
echo "bench ctdump: fastest of $RUNS: bare dump ${L[floor]} ms, conntrack -L ${L[peer]} ms," \
	"ctdump text ${L[text]} ms, -j ${L[json]} ms, --top ${L[top]} ms"
# Other tests share these two CPUs and the global conntrack hash: the fastest of the
# interleaved runs is the least disturbed estimate of each, so the verdicts use it.

rc=0
for n in text json top; do
	bench_report "ctdump_${n}_vs_conntrack_L" "${L[$n]}" "${L[peer]}" 0.6 || rc=1
	bench_report "ctdump_${n}_vs_bare_dump" "${L[$n]}" "${L[floor]}" 1.2 || rc=1
done

# Peak memory: ru_maxrss of the process (survives the exec from ip netns exec).
for n in text json top; do
	declare -n c="cmd_$n"
	kib=$("$TMP/ctfill" rss ip netns exec "$NS" "${c[@]}")
	unset -n c
	awk -v n="$n" -v k="$kib" 'BEGIN {
		printf "bench ctdump_%s_peak_rss: %.1f MiB (target < 16 MiB) %s\n", n, k / 1024, (k < 16384) ? "MET" : "MISSED"
		exit (k < 16384) ? 0 : 1 }' || rc=1
done
exit $rc
