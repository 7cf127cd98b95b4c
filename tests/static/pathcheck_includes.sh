#!/bin/bash
# No circle of includes among pathcheck's own files: every #include "x.h" of
# cmd/pathcheck/*.[ch] that names a file of cmd/pathcheck is an edge, and tsort
# finds a loop if there is one (named in the failure). The check first proves it
# can fail: the same check on a temporary copy with a planted cycle must fail.
cd "$(dirname "$0")/../.." || exit 1

# cycle_in DIR: print the files of an include loop among DIR/*.[ch] ("" when none).
cycle_in() {
	local dir=$1 f inc
	{
		for f in "$dir"/*.[ch]; do
			[ -f "$f" ] || continue
			echo "$(basename "$f") $(basename "$f")"	# every file is a node
			grep -oE '^[[:space:]]*#[[:space:]]*include[[:space:]]+"[^"]+"' "$f" |
				sed -E 's/.*"([^"]+)".*/\1/' | while read -r inc; do
				[ -f "$dir/$inc" ] && echo "$(basename "$f") $inc"
			done
		done
	} | tsort 2>&1 >/dev/null | sed -n 's/^tsort: //p' | grep -v 'input contains a loop' | tr '\n' ' '
}

n=0 fails=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cp cmd/pathcheck/*.[ch] "$tmp"/
printf '#include "zz_b.h"\n' >"$tmp/zz_a.h"
printf '#include "zz_a.h"\n' >"$tmp/zz_b.h"
n=$((n + 1))
loop=$(cycle_in "$tmp")
if [[ $loop == *zz_a.h* && $loop == *zz_b.h* ]]; then echo "ok $n - a planted cycle is found: $loop"
else echo "not ok $n - a planted cycle zz_a.h <-> zz_b.h was not found (got: ${loop:-nothing})"; fails=$((fails + 1)); fi

n=$((n + 1))
loop=$(cycle_in cmd/pathcheck)
if [ -z "$loop" ]; then echo "ok $n - no include cycle among cmd/pathcheck/*.[ch]"
else echo "not ok $n - include cycle among cmd/pathcheck: $loop"; fails=$((fails + 1)); fi
echo "1..$n"
[ "$fails" -eq 0 ]
