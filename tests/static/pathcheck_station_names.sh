#!/bin/bash
# A station's name is written in one place: the table of cmd/pathcheck/station.c.
# Every name in that table (.name, and the hooks' .family) must not appear as a
# string literal anywhere else in pathcheck's code and unit tests (cmd/pathcheck,
# tests/unit/test_pathcheck_*); they take names from the table. Scenario tests
# assert on the JSON text and are not looked at. Other tools and common/ have
# vocabularies of their own (nft hook names, JSON keys) and are not looked at either.
#
# The same words used for something that is not a station are allowed where the
# line says so by its shape (ALLOW below): an nft chain's name or type in a unit
# test's built chain, an nft expression's name (and a list of them, the line with "synproxy"), a chain type compared, the
# direction names, a unit test's assertion on the chain an nft evaluation names.
cd "$(dirname "$0")/../.." || exit 1
TABLE=cmd/pathcheck/station.c
ALLOW='"synproxy"|chain\(|[.]chain, |mark_chain, |\.type|->type|NFTNL_EXPR_|pc_direction_name|PC_FORWARD \?|snprintf\(base\.name'

names=$(grep -oE '\.(name|family) = "[^"]+"' "$TABLE" | sed -E 's/.*"([^"]+)"/\1/' | sort -u)
n=0 fails=0
n=$((n + 1))
if [ "$(wc -w <<<"$names")" -ge 10 ]; then echo "ok $n - station table names read: $(echo $names)"
else echo "not ok $n - could not read the station names from $TABLE"; fails=$((fails + 1)); fi
files=$(ls cmd/pathcheck/*.[ch] tests/unit/test_pathcheck_*.c | grep -v "^$TABLE$")
for w in $names; do
	n=$((n + 1))
	# Comments are not code: what follows /* or // on a line is dropped before looking.
	hits=$(grep -nF "\"$w\"" $files | grep -vE "$ALLOW" |
		while IFS= read -r l; do code=${l%%/\**}; code=${code%%//*}; [[ $code == *"\"$w\""* ]] && printf '%s\n' "$l"; done)
	if [ -z "$hits" ]; then echo "ok $n - \"$w\" is written only in $TABLE"
	else
		echo "not ok $n - \"$w\" is written outside $TABLE:"; printf '%s\n' "$hits" | sed 's/^/#   /'
		fails=$((fails + 1))
	fi
done
# The check can fail: a planted literal is found.
n=$((n + 1))
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
first=$(head -1 <<<"$names")
printf 'const char *x = "%s";\n' "$first" >"$tmp"
if grep -F "\"$first\"" "$tmp" | grep -vqE "$ALLOW"; then echo "ok $n - a planted \"$first\" would be found"
else echo "not ok $n - a planted literal is not found"; fails=$((fails + 1)); fi
echo "1..$n"
[ "$fails" -eq 0 ]
