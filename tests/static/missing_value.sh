#!/bin/bash
# Every option that takes a value, given without one (as the last word, long and
# short form), exits 2 with one line naming the option, worded the same in every
# tool: "TOOL: option '--top' needs a value (see 'TOOL --help')". The options come
# from `TOOL --list-options` (every tool takes an option table: one without
# --list-options fails).
cd "$(dirname "$0")/../.." || exit 1
BIN=${PKTPATH_BIN:-build/bin}
n=0 fails=0
ok() { n=$((n + 1)); echo "ok $n - $*"; }
nok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
err=$(mktemp)
trap 'rm -f "$err"' EXIT

for t in "$BIN"/*; do
	tool=$(basename "$t")
	[ -x "$t" ] || continue
	if ! list=$("$t" --list-options 2>/dev/null) || [ -z "$list" ]; then
		nok "$tool: --list-options lists the option table"; continue
	fi
	tried=0
	while read -r line; do
		words=($line)
		opts=()
		for w in "${words[@]}"; do [[ $w == -* ]] && opts+=("$w") || break; done
		[ ${#opts[@]} -lt ${#words[@]} ] || continue	# takes no value
		for o in "${opts[@]}"; do
			tried=$((tried + 1))
			out=$(timeout 10 "$t" "$o" 2>"$err" </dev/null); rc=$?
			lines=$(grep -c . "$err")
			if [ $rc -ne 2 ]; then nok "$tool $o: exit $rc, expected 2"; continue; fi
			named=0
			grep -qF -- "'$o'" "$err" && named=1
			if [ $named = 0 ]; then
				nok "$tool $o: the message names the option: $(head -c 200 "$err")"; continue
			fi
			if [ -n "$out" ]; then nok "$tool $o: nothing on stdout: $out"; continue; fi
			want="$tool: option '$o' needs a value (see '$tool --help')"
			if [ "$lines" = 1 ] && [ "$(cat "$err")" = "$want" ]; then ok "$tool $o: exit 2, one line naming it"
			else nok "$tool $o: expected \"$want\", got: $(cat "$err")"; fi
		done
	done <<<"$list"
	if [ $tried -gt 0 ]; then ok "$tool: $tried options with a value tried"; else nok "$tool: no option with a value found"; fi
done
echo "1..$n"
[ "$fails" -eq 0 ]
