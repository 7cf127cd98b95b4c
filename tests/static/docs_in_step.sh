#!/bin/bash
# The man page and both completions of every tool are kept in step with its option
# table. A tool's options come from its hidden `TOOL --list-options` (one line per
# option: "-d --dev DEV", "--top N", "-z --skip-idle"), which is made from the same
# table as getopt's arrays and --help. Checked:
#   man page:  every long and short option
#   zsh:       every long and short option
#   bash:      every long and short option in the word list, every option that takes a value
#              in the `case $prev` patterns (so its value is not completed as an
#              option)
#   both completions offer no option the table does not have
# Every tool has --list-options (all take an option table, common/cli's pp_optdef):
# one without it fails.
cd "$(dirname "$0")/../.." || exit 1
BIN=${PKTPATH_BIN:-build/bin}
n=0 fails=0

# has FILE OPT: OPT appears as a word in FILE (roff escapes the dashes: \-\-json).
has() {
	local esc
	esc=$(sed 's/-/\\\\-/g' <<<"$2")
	grep -qE -- "(^|[^a-zA-Z0-9-])($2|$esc)([^a-zA-Z0-9-]|$)" "$1"
}

report() {	# report DESCRIPTION MISSING...
	local what=$1; shift
	n=$((n + 1))
	if [ $# -gt 0 ]; then echo "not ok $n - $what:$(printf ' %s' "$@")"; fails=$((fails + 1))
	else echo "ok $n - $what"; fi
}

for t in "$BIN"/*; do
	tool=$(basename "$t")
	[ -x "$t" ] || continue
	man="man/man8/$tool.8" bash_c="completions/bash/$tool" zsh_c="completions/zsh/_$tool"
	for f in "$man" "$bash_c" "$zsh_c"; do
		[ -f "$f" ] && continue
		report "$tool: $f exists" "missing"
		continue 2
	done
	if list=$("$t" --list-options 2>/dev/null) && [ -n "$list" ]; then
		longs=$(grep -oE -- '--[a-z][a-z0-9-]+' <<<"$list" | sort -u)
		shorts=$(grep -oE -- '^-[a-zA-Z0-9]( |$)' <<<"$list" | tr -d ' ' | sort -u)
		# Options that take a value: the line has a word after the option names.
		valued=$(awk '{ for (i = 1; i <= NF; i++) if ($i !~ /^-/) break; if (i <= NF) for (j = 1; j < i; j++) print $j }' <<<"$list" | sort -u)
		for f in "$man" "$zsh_c"; do
			missing=()
			for o in $longs $shorts; do has "$f" "$o" || missing+=("$o"); done
			report "$tool: $f names every option of --list-options" "${missing[@]}"
		done
		words=$(grep -E 'compgen -W "-' "$bash_c" | tail -n1 | sed 's/.*compgen -W "//; s/".*//' | grep -oE -- '--?[a-zA-Z0-9][a-z0-9-]*')
		missing=()
		for o in $longs; do grep -qxF -- "$o" <<<"$words" || missing+=("$o"); done
		report "$tool: $bash_c offers every long option" "${missing[@]}"
		missing=()
		for o in $shorts; do grep -qxF -- "$o" <<<"$words" || missing+=("$o"); done
		report "$tool: $bash_c offers every short option (on -<TAB>)" "${missing[@]}"
		cases=$(grep -E '^[[:space:]]*-[^ ]*\)' "$bash_c" | tr -d ' \t)' | tr '|' '\n')
		missing=()
		for o in $valued; do grep -qxF -- "$o" <<<"$cases" || missing+=("$o"); done
		report "$tool: $bash_c knows which options take a value" "${missing[@]}"
		extra=()
		# bash: the word list and the case patterns; zsh: each _arguments spec up to its "[help]".
		specs=$(grep -E "^[[:space:]]*'" "$zsh_c" | sed 's/\[.*//' | grep -oE -- '--?[a-zA-Z0-9][a-z0-9-]*')
		for o in $(printf '%s\n' $words $cases $specs | sort -u); do
			grep -qxF -- "$o" <<<"$longs"$'\n'"$shorts" || extra+=("$o")
		done
		report "$tool: completions offer no option the table lacks" "${extra[@]}"
	else
		report "$tool: --list-options lists the option table" "no --list-options"
	fi
	n=$((n + 1))
	if "$t" --version 2>/dev/null | grep -q "$tool"; then echo "ok $n - $tool --version"; else echo "not ok $n - $tool --version"; fails=$((fails+1)); fi
done
echo "1..$n"
[ "$fails" -eq 0 ]
