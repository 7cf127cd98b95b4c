#!/bin/bash
# neighwatch at scale:
#  1. a snapshot of 10,000 PERMANENT neighbour entries beside `ip -j neigh show`,
#     in the same run (target: at most 0.7 of its time), and beside the bare neighbour
#     dumps that only count (target: within 1.5). PERMANENT entries do not
#     count against the global gc_thresh3, which this benchmark never changes.
#  2. a watch held flat in memory over a large number of events (adds and deletes
#     of PERMANENT entries through `ip -batch`): RSS before, midway and after.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/bench/lib.sh

N=${NW_BENCH_N:-10000}
EVENTS=${NW_BENCH_EVENTS:-1000000}
RUNS=${NW_BENCH_RUNS:-15}
rc=0

lab_ns nb peer || exit 1
lab_veth nb n0 peer p0 || exit 1
nsrun nb sysctl -qw net.ipv6.conf.n0.disable_ipv6=0
batch=$(mktemp)
for ((i = 1; i <= N; i++)); do
	printf 'neigh add 2001:db8:a::%x lladdr 02:00:00:%02x:%02x:01 dev n0 nud permanent\n' "$i" $((i / 256 % 256)) $((i % 256))
done >"$batch"
nsrun nb ip -batch "$batch" || { echo "bench neighwatch: loading $N entries failed"; exit 1; }
rm -f "$batch"
have=$(ip -n "$(ns nb)" -6 neigh show nud permanent | wc -l)
echo "# $have PERMANENT entries in $(ns nb)"

# Same output volume: both print every entry as JSON.
got=$("$BIN/neighwatch" -N "$(ns nb)" -j | jq '.entries | length')
echo "# neighwatch -j lists $got entries; ip -j neigh show lists $(ip -n "$(ns nb)" -j neigh show | jq length)"
# Interleaved rounds (ours, the peer, the bare dumps that only count: neighwatch's hidden
# --count-only), so a busy moment on the shared machine falls on all three alike.
once_us() { local t0 t1; t0=$(date +%s%N); "$@" >/dev/null 2>&1; t1=$(date +%s%N); echo $(( (t1 - t0) / 1000 )); }
median_ms() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]/1000}'; }
echo "# bare dumps: $("$BIN/neighwatch" -N "$(ns nb)" --count-only)"
O=() P=() F=()
"$BIN/neighwatch" -N "$(ns nb)" -j >/dev/null; ip -n "$(ns nb)" -j neigh show >/dev/null; "$BIN/neighwatch" -N "$(ns nb)" --count-only >/dev/null
for ((r = 0; r < RUNS; r++)); do
	O+=("$(once_us "$BIN/neighwatch" -N "$(ns nb)" -j)")
	P+=("$(once_us ip -n "$(ns nb)" -j neigh show)")
	F+=("$(once_us "$BIN/neighwatch" -N "$(ns nb)" --count-only)")
done
ours=$(median_ms "${O[@]}")
peer=$(median_ms "${P[@]}")
floor=$(median_ms "${F[@]}")
bench_target "neighwatch, $N neighbours, snapshot -j" "$ours" "ip -j neigh" "$peer" 0.7 "$floor" 1.5 || rc=1
ours_t=$(bench_ms "$RUNS" "$BIN/neighwatch" -N "$(ns nb)")
echo "# text summary (counts, next hops, findings): $ours_t ms"
lab_reset

# ---- watch memory ----
lab_ns nw peer || exit 1
lab_veth nw w0 peer q0 || exit 1
K=1000			# distinct entries cycled
CHUNK=20000		# commands per ip -batch (iproute2 6.1 -batch grows by ~4 KiB per command)
mk_chunk() {	# one chunk: add K entries then delete them, CHUNK/(2K) times
	local f=$1 r i
	: >"$f"
	for ((r = 0; r < CHUNK / (2 * K); r++)); do
		for ((i = 1; i <= K; i++)); do
			printf 'neigh replace 2001:db8:b::%x lladdr 02:00:00:00:%02x:%02x dev w0 nud permanent\n' "$i" $((i / 256)) $((i % 256))
		done
		for ((i = 1; i <= K; i++)); do printf 'neigh del 2001:db8:b::%x dev w0\n' "$i"; done
	done >>"$f"
}
chunk=$(mktemp)
mk_chunk "$chunk"
out=$(mktemp)
"$BIN/neighwatch" -N "$(ns nw)" -6 -w -j >"$out" 2>&1 &
pid=$!
for i in $(seq 1 50); do grep -q '"type":"start"' "$out" && break; sleep 0.1; done
rss() { awk '/^VmRSS/ {print $2}' "/proc/$pid/status"; }
# Warm up: one chunk, so the pool and buffers reach their working size.
nsrun nw ip -batch "$chunk"
sleep 1
rss0=$(rss)
chunks=$((EVENTS / CHUNK))
t0=$(date +%s%N)
for ((c = 1; c <= chunks; c++)); do
	nsrun nw ip -batch "$chunk"
	[ "$c" -eq $((chunks / 2)) ] && { sleep 1; rss_mid=$(rss); }
done
sleep 2
t1=$(date +%s%N)
rss1=$(rss)
kill -INT "$pid"; wait "$pid"
sum=$(grep '"type":"summary"' "$out")
ev=$(jq '.events' <<<"$sum"); lost=$(jq '.events_lost' <<<"$sum"); ovr=$(jq '.overruns' <<<"$sum")
echo "bench neighwatch watch: $((chunks * CHUNK)) neighbour changes in $(( (t1 - t0) / 1000000 )) ms; watcher received $ev events, lost $lost in $ovr overruns (each resynced); RSS ${rss0} KiB after warm-up, ${rss_mid} KiB midway, ${rss1} KiB at the end (tracked $(jq .tracked <<<"$sum"), max-entries 65536)"
if [ -n "$rss0" ] && [ -n "$rss1" ] && [ "$rss1" -le $((rss0 + 1024)) ]; then
	echo "bench neighwatch watch memory: flat (grew $((rss1 - rss0)) KiB) MET"
else
	echo "bench neighwatch watch memory: grew $((rss1 - rss0)) KiB MISSED"; rc=1
fi
rm -f "$chunk" "$out"
exit $rc
