#!/bin/bash
# The alerting rules of contrib/prometheus load (promtool check rules), pass
# their unit tests (promtool test rules), and every alert is tested both
# firing and silent, with a severity, a summary, a description and a runbook.
cd "$(dirname "$0")/../.." || exit 1
dir=contrib/prometheus
rules=$dir/pktpath.rules.yml
tests=$dir/pktpath.rules.test.yml
n=0 fails=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
notok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
show() { printf '%s\n' "$1" | head -30 | sed 's/^/# /'; }

for f in "$rules" "$tests"; do
	if [ -f "$f" ]; then ok "$f exists"; else notok "$f missing"; fi
done

if ! command -v promtool >/dev/null; then
	skip "promtool check rules" "no promtool (Debian package prometheus)"
	skip "promtool test rules" "no promtool (Debian package prometheus)"
else
	if out=$(promtool check rules "$rules" 2>&1); then
		ok "promtool check rules: $(grep -o '[0-9]* rules found' <<<"$out")"
	else
		notok "promtool check rules"; show "$out"
	fi
	# promtool resolves rule_files relative to the test file.
	if out=$(promtool test rules "$tests" 2>&1); then
		ok "promtool test rules"
	else
		notok "promtool test rules"; show "$out"
	fi
fi

# Coverage and annotations need a YAML parser: python3 with PyYAML.
if ! out=$(python3 -c 'import yaml' 2>&1); then
	skip "every alert tested firing and silent" "python3 yaml missing"
	echo "1..$n"
	[ "$fails" -eq 0 ]
	exit
fi
out=$(python3 - "$rules" "$tests" <<'EOF'
import sys, yaml
rules = yaml.safe_load(open(sys.argv[1]))
tests = yaml.safe_load(open(sys.argv[2]))
fires, silent = set(), set()
for t in tests.get("tests", []):
    for a in t.get("alert_rule_test", []):
        (fires if a.get("exp_alerts") else silent).add(a["alertname"])
for g in rules["groups"]:
    for r in g["rules"]:
        if "alert" not in r:
            continue
        name = r["alert"]
        ann = r.get("annotations", {})
        missing = [k for k in ("summary", "description", "runbook") if not ann.get(k)]
        if not r.get("labels", {}).get("severity"):
            missing.append("severity label")
        print("%s\t%s\t%s\t%s" % (name, name in fires, name in silent, ",".join(missing)))
EOF
)
if [ -z "$out" ]; then
	notok "no alerts read from $rules"
fi
while IFS=$'\t' read -r name fires silent missing; do
	[ -n "$name" ] || continue
	if [ "$fires" = True ] && [ "$silent" = True ]; then
		ok "$name: tested firing and silent"
	else
		notok "$name: tested firing=$fires silent=$silent"
	fi
	if [ -z "$missing" ]; then
		ok "$name: severity, summary, description, runbook"
	else
		notok "$name: lacks $missing"
	fi
done <<<"$out"

echo "1..$n"
[ "$fails" -eq 0 ]
