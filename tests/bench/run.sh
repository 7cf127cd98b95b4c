#!/bin/bash
# make bench: every tests/bench/*.sh, each measuring one of our tools beside its
# peer tool in the same run and printing the ratio. Needs root (lab namespaces).
set -u
cd "$(dirname "$0")/../.."
export PKTPATH_BIN=${1:-build/bin}
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (lab namespaces)" >&2; exit 2; }
rc=0
BENCH_SUMMARY=$(mktemp)
export BENCH_SUMMARY
trap 'rm -f "$BENCH_SUMMARY"' EXIT
for b in tests/bench/*.sh; do
	case $(basename "$b") in run.sh|lib.sh) continue ;; esac
	if [ -n "${PKTPATH_ONLY:-}" ]; then	# words: run the benches whose name holds any of them
		hit=0
		for w in $PKTPATH_ONLY; do [[ $b == *"$w"* ]] && hit=1; done
		[ "$hit" -eq 1 ] || continue
	fi
	echo "== $b"
	bash "$b" || rc=1
done
if [ -s "$BENCH_SUMMARY" ]; then
	echo "== every tool at its bench target (medians; ABOVE: above its target)"
	printf '%-44s %-18s %-25s %-31s\n' "tool and work" "peer" "ours/peer (target)" "ours/floor (target)"
	cat "$BENCH_SUMMARY"
	grep -q ABOVE "$BENCH_SUMMARY" && { echo "bench: some ratios are above their targets"; rc=1; }
fi
exit $rc
