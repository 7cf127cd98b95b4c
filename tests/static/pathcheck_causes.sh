#!/bin/bash
# Every lab check of pathcheck asserts the verdict's cause as well as its station:
# each `check NAME STATION/CAUSE STATUS EXIT ...` in tests/scenarios/pathcheck_*.sh and xt_*.sh
# (tests/lib/pathcheck.sh) is written with a cause, STATION/CAUSE (null/NONE when the
# verdict is ok), and the cause is a name pathcheck(8) CAUSES lists. A check whose
# station comes from its function's argument ("$2", or a local set from one) is
# followed to every call of that function in the file, whose argument must say
# STATION/CAUSE. A cause from a variable ("route/$c") is checked when the test runs
# (check() fails when the verdict's cause differs). A check the test cannot read
# fails too: write it so it can be read.
cd "$(dirname "$0")/../.." || exit 1
n=0 fails=0
causes=$(grep -oE '^\.BR [A-Z][A-Z0-9_]* " \([0-9]+\)"' man/man8/pathcheck.8 | awk '{print $2}')

ok() { n=$((n + 1)); echo "ok $n - $*"; }
bad() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }

n=$((n + 1))
if [ "$(wc -w <<<"$causes")" -ge 25 ]; then echo "ok $n - causes read from pathcheck.8: $(wc -w <<<"$causes")"
else echo "not ok $n - could not read the causes from man/man8/pathcheck.8"; fails=$((fails + 1)); fi

# args TEXT K: the K-th shell word of TEXT, as written (quotes kept), or nothing.
args() {
	local rest=$1 k=$2 i=0 w re='^[[:space:]]*("([^"\\]|\\.)*"|'"'"'[^'"'"']*'"'"'|[^[:space:]]+)'
	while [ $i -lt "$k" ]; do
		[[ $rest =~ $re ]] || return 1
		w=${BASH_REMATCH[1]}; rest=${rest:${#BASH_REMATCH[0]}}; i=$((i + 1))
	done
	printf '%s' "$w"
}

# good WORD: a literal STATION/CAUSE with a cause pathcheck has.
good() {
	local w=$1
	w=${w#\"}; w=${w%\"}; w=${w#\'}; w=${w%\'}
	# A cause from a variable the test sets ("route/$c") is checked when the test runs.
	[[ $w =~ ^[a-z-]+/\$\{?[A-Za-z_][A-Za-z0-9_]*\}?$ ]] && return 0
	[[ $w =~ ^[a-z-]+/([A-Z][A-Z0-9_]*)$ ]] || return 1
	grep -qxF "${BASH_REMATCH[1]}" <<<"$causes"
}

for f in tests/scenarios/pathcheck_*.sh tests/scenarios/xt_*.sh; do
	checks=0 missing=()
	mapfile -t lines <"$f"
	for i in "${!lines[@]}"; do
		l=${lines[$i]}
		[[ $l =~ ^[[:space:]]*# ]] && continue
		[[ $l =~ (^|[;{&|]|then|do|else)[[:space:]]*([A-Za-z_][A-Za-z0-9_]*=[^[:space:]]*[[:space:]]+)*check[[:space:]]+(.*)$ ]] || continue
		call=${BASH_REMATCH[3]}
		checks=$((checks + 1))
		st=$(args "$call" 2)
		good "$st" && continue
		# The station from the function's own argument: follow it to the calls.
		pos=
		if [[ $st =~ ^\"?\$\{?([0-9])\}?\"?$ ]]; then pos=${BASH_REMATCH[1]}
		elif [[ $st =~ ^\"?\$\{?([a-z_][a-z0-9_]*)\}?\"?$ ]]; then
			var=${BASH_REMATCH[1]}
			for ((j = i; j >= 0; j--)); do
				if [[ ${lines[$j]} =~ (^|[[:space:]])$var=\"?\$([0-9]) ]]; then pos=${BASH_REMATCH[2]}; break; fi
				[[ ${lines[$j]} =~ ^[a-z_][a-z0-9_]*\(\) ]] && break
			done
		fi
		fn=
		for ((j = i; j >= 0; j--)); do
			if [[ ${lines[$j]} =~ ^([a-z_][a-z0-9_]*)\(\) ]]; then fn=${BASH_REMATCH[1]}; break; fi
		done
		if [ -z "$pos" ] || [ -z "$fn" ]; then
			missing+=("line $((i + 1)): station $st names no cause")
			continue
		fi
		calls=0
		for k in "${!lines[@]}"; do
			c=${lines[$k]}
			[[ $c =~ ^[[:space:]]*# ]] && continue
			[[ $c =~ (^|[;{&|]|then|do|else)[[:space:]]*([A-Za-z_][A-Za-z0-9_]*=[^[:space:]]*[[:space:]]+)*$fn[[:space:]]+(.*)$ ]] || continue
			calls=$((calls + 1))
			a=$(args "${BASH_REMATCH[3]}" "$pos")
			good "$a" || missing+=("line $((k + 1)): $fn's station $a names no cause")
		done
		[ "$calls" -gt 0 ] || missing+=("line $((i + 1)): station $st from $fn, which is never called")
	done
	if [ "${#missing[@]}" -eq 0 ]; then ok "$f: $checks checks, each with a cause"
	else bad "$f: checks without a cause:"; printf '#   %s\n' "${missing[@]}"; fi
done
echo "1..$n"
[ "$fails" -eq 0 ]
