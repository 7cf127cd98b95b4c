#!/bin/bash
# nicstat at container-host scale: one lab namespace with 2000 veth pairs (4000
# devices), an htb root and an ingress qdisc on every device. One nicstat sample (-j)
# against `ip -s -j link show` (target: at most 0.7 of its time) and against a bare
# netlink dump of the same objects that only counts them (nicstat's hidden
# --count-only, same socket layer; target: within 1.5). Both sides enter the
# namespace themselves (-N / ip -n), so no `ip netns exec` is timed.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/bench/lib.sh
NS=$BIN/nicstat
PAIRS=${NICSTAT_BENCH_PAIRS:-2000}
RUNS=${NICSTAT_BENCH_RUNS:-11}
CHUNK=500	# ip -batch grows per command: split the batches

lab_ns bench || exit 1
n=$(ns bench)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; lab_cleanup' EXIT
t0=$(date +%s%N)
for ((s = 0; s < PAIRS; s += CHUNK)); do
	: >"$tmp/link"; : >"$tmp/up"; : >"$tmp/tc"
	for ((i = s; i < s + CHUNK && i < PAIRS; i++)); do
		echo "link add bva$i type veth peer name bvb$i" >>"$tmp/link"
		echo "link set bva$i up" >>"$tmp/up"
		echo "link set bvb$i up" >>"$tmp/up"
		for d in bva$i bvb$i; do
			echo "qdisc add dev $d root handle 1: htb default 10"
			echo "qdisc add dev $d ingress"
		done >>"$tmp/tc"
	done
	ip -n "$n" -batch "$tmp/link" || exit 1
	ip -n "$n" -batch "$tmp/up" || exit 1
	ip netns exec "$n" tc -batch "$tmp/tc" || exit 1
done
t1=$(date +%s%N)
links=$(ip -n "$n" -o link show | wc -l)
qd=$(ip netns exec "$n" tc qdisc show | wc -l)
echo "# fixture: $links devices, $qd qdiscs, built in $(( (t1 - t0) / 1000000 )) ms"
echo "# bare dump: $("$NS" -N "$n" --count-only) (with -q: $("$NS" -N "$n" -q --count-only))"

# Sanity: nicstat sees every device.
got=$("$NS" -N "$n" --no-softnet -j | jq '.devices | length')
[ "$got" = "$links" ] || { echo "not ok - nicstat saw $got devices, expected $links"; exit 1; }

# Interleaved: every round times each command once, in turn, so a busy moment on
# this shared 2-CPU machine falls on all of them alike (bench_ms would time all the
# runs of one command, then all of the next). Medians of RUNS rounds, after a warm-up.
once_us() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )); }
median_ms() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]/1000}'; }
P=() B=() O=() T=() BQ=() OQ=()
ip -n "$n" -s -j link show >/dev/null; "$NS" -N "$n" --count-only >/dev/null; "$NS" -N "$n" -j >/dev/null
for ((r = 0; r < RUNS; r++)); do
	P+=("$(once_us ip -n "$n" -s -j link show)")
	B+=("$(once_us "$NS" -N "$n" --count-only)")
	O+=("$(once_us "$NS" -N "$n" -j)")
	T+=("$(once_us "$NS" -N "$n")")
	BQ+=("$(once_us "$NS" -N "$n" -q --count-only)")
	OQ+=("$(once_us "$NS" -N "$n" -q)")
done
peer=$(median_ms "${P[@]}")
bare=$(median_ms "${B[@]}")
ours=$(median_ms "${O[@]}")
ours_t=$(median_ms "${T[@]}")
bare_q=$(median_ms "${BQ[@]}")
ours_q=$(median_ms "${OQ[@]}")
rc=0
# The target is the JSON sample, as `ip -s -j link show` writes JSON too.
bench_target "nicstat, $links devices, one sample -j" "$ours" "ip -s -j link" "$peer" 0.7 "$bare" 1.5 || rc=1
echo "# text sample: $ours_t ms ($(awk -v a="$ours_t" -v b="$bare" 'BEGIN{printf "%.2f", a/b}') of the floor)"

# For the record, not targets: the other output forms, -q (one more dump: qdisc drops
# in Sat), and per-device ethtool calls, which is why the default sample makes none
# for virtual devices.
prom=$(bench_ms 5 "$NS" -N "$n" --prom)
eth=$(bench_ms 3 "$NS" -N "$n" -e)
echo "# -q: ours $ours_q ms, bare link+qdisc dumps $bare_q ms, ratio $(awk -v a="$ours_q" -v b="$bare_q" 'BEGIN{printf "%.2f", a/b}')"
echo "# --prom $prom ms, -e (ethtool on all $links devices) $eth ms"
exit $rc
