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

# bench_target WORK OURS_MS PEER PEER_MS PEER_TARGET FLOOR_MS FLOOR_TARGET: one row of issue 19's
# table ("every tool at its bench target"): ours against the peer tool and against the bare
# netlink floor, each ratio beside its target, "ABOVE" where it is above. The row is also
# appended to $BENCH_SUMMARY (run.sh prints them together at the end). Returns 1 when above.
bench_target() {
	local work=$1 ours=$2 peer=$3 peer_ms=$4 pt=$5 floor=$6 ft=$7 line
	line=$(awk -v w="$work" -v o="$ours" -v pn="$peer" -v p="$peer_ms" -v pt="$pt" -v f="$floor" -v ft="$ft" 'BEGIN {
		rp = (p > 0) ? o / p : 99; rf = (f > 0) ? o / f : 99
		printf "%-44s %-18s %5.2fx (<= %.2f) %-5s %5.2fx floor (<= %.2f) %-5s | ours %.2f ms, peer %.2f ms, floor %.2f ms",
			w, pn, rp, pt, (rp <= pt) ? "ok" : "ABOVE", rf, ft, (rf <= ft) ? "ok" : "ABOVE", o, p, f }')
	echo "bench target: $line"
	[ -n "${BENCH_SUMMARY:-}" ] && echo "$line" >>"$BENCH_SUMMARY"
	case $line in *ABOVE*) return 1 ;; esac
	return 0
}
