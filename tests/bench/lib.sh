# bench/lib.sh: timing helpers for benchmarks. Source after tests/lib/lab.sh.

# bench_ms RUNS CMD...: median wall time of CMD in milliseconds (stdout to /dev/null).
bench_ms() {
	local runs=$1 i t0 t1; shift
	local times=()
	"$@" >/dev/null 2>&1	# warm-up
	for ((i = 0; i < runs; i++)); do
		t0=$(date +%s%N)
		"$@" >/dev/null 2>&1
		t1=$(date +%s%N)
		times+=($(( (t1 - t0) / 1000 )))
	done
	printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "%.2f\n", a[int((NR+1)/2)]/1000}'
}

# bench_report NAME OURS_MS PEER_MS TARGET: print the ratio and whether it meets the target (ours/peer <= TARGET).
bench_report() {
	local name=$1 ours=$2 peer=$3 target=$4
	awk -v n="$name" -v o="$ours" -v p="$peer" -v t="$target" 'BEGIN {
		r = (p > 0) ? o / p : 0
		printf "bench %s: ours %.2f ms, peer %.2f ms, ratio %.2f (target <= %.2f) %s\n", n, o, p, r, t, (r <= t) ? "MET" : "MISSED"
		exit (r <= t) ? 0 : 1 }'
}
