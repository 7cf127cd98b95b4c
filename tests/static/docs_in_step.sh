#!/bin/bash
# Every long option a tool's --help lists appears in its man page and in both
# completions: the three are kept in step with the option table.
cd "$(dirname "$0")/../.." || exit 1
BIN=${PKTPATH_BIN:-build/bin}
n=0 fails=0
for t in "$BIN"/*; do
	tool=$(basename "$t")
	[ -x "$t" ] || continue
	opts=$("$t" --help 2>/dev/null | grep -oE -- '--[a-z][a-z0-9-]+' | sort -u)
	for f in "man/man8/$tool.8" "completions/bash/$tool" "completions/zsh/_$tool"; do
		n=$((n + 1))
		if [ ! -f "$f" ]; then
			echo "not ok $n - $tool: $f missing"; fails=$((fails + 1)); continue
		fi
		missing=""
		for o in $opts; do
			# roff escapes the dashes: \-\-json
			esc=$(sed 's/-/\\\\-/g' <<<"$o")
			grep -qE -- "(^|[^a-z-])($o|$esc)([^a-z-]|$)" "$f" || missing="$missing $o"
		done
		if [ -n "$missing" ]; then echo "not ok $n - $tool: $f lacks$missing"; fails=$((fails + 1))
		else echo "ok $n - $tool: $f lists every option of --help"; fi
	done
	n=$((n + 1))
	if "$t" --version 2>/dev/null | grep -q "$tool"; then echo "ok $n - $tool --version"; else echo "not ok $n - $tool --version"; fails=$((fails+1)); fi
done
echo "1..$n"
[ "$fails" -eq 0 ]
