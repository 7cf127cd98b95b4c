#!/bin/bash
# make bench: every tests/bench/*.sh, each measuring one of our tools beside its
# peer tool in the same run and printing the ratio. Needs root (lab namespaces).
set -u
cd "$(dirname "$0")/../.."
export PKTPATH_BIN=${1:-build/bin}
[ "$(id -u)" -eq 0 ] || { echo "bench: needs root (lab namespaces)" >&2; exit 2; }
rc=0
for b in tests/bench/*.sh; do
	case $(basename "$b") in run.sh|lib.sh) continue ;; esac
	[ -n "${PKTPATH_ONLY:-}" ] && [[ $b != *"$PKTPATH_ONLY"* ]] && continue
	echo "== $b"
	bash "$b" || rc=1
done
exit $rc
