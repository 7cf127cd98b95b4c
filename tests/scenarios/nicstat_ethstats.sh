#!/bin/bash
# nicstat: the NIC's standard counters (ethtool -S --all-groups), pause (-I -a) and FEC
# (-I --show-fec) through ethtool netlink. A veth implements none of them: -j says so per
# device, null with a reason, as ethtool(8) does (empty groups, EOPNOTSUPP), the run does
# not fail, the text stays quiet and the exposition has no made-up zeros. There is no
# real NIC here: the decoders and renderers of real replies are in the unit tests, and
# their exposition goes through promtool at the end of this test.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
NS=$BIN/nicstat

lab_ns a b || exit 1
lab_veth a e0 b e1 || exit 1
nsrun a ip addr add 198.51.100.1/30 dev e0
nsrun b ip addr add 198.51.100.2/30 dev e1
nsrun a ping -c 3 -i 0.2 -q 198.51.100.2 >/dev/null 2>&1

run_json out "$NS" -N "$(ns a)" -j --no-softnet -e
expect_rc "-e on a veth" 0
expect_jq "veth: std_stats null" "$out" '.devices[] | select(.name=="e0") | .std_stats' null
expect_jq "veth: std_stats why" "$out" '.devices[] | select(.name=="e0") | .std_stats_why' 'not supported by the driver'
expect_jq "veth: pause null, why" "$out" \
	'.devices[] | select(.name=="e0") | [(.pause|tostring), .pause_why] | join(": ")' 'null: not supported by the driver'
expect_jq "veth: fec null, why" "$out" \
	'.devices[] | select(.name=="e0") | [(.fec|tostring), .fec_why] | join(": ")' 'null: not supported by the driver'
expect_jq "lo too" "$out" '.devices[] | select(.name=="lo") | [.std_stats_why, .pause_why, .fec_why] | unique | join(",")' \
	'not supported by the driver'

# The same answer as ethtool(8) for the same device.
if command -v ethtool >/dev/null; then
	n=$(nsrun a ethtool -S e0 --all-groups 2>/dev/null | grep -vc '^Standard stats')
	if [ "$n" = 0 ]; then t_ok "ethtool -S --all-groups has no counter for e0 either"; else t_fail "ethtool shows $n standard counters for e0"; fi
	if nsrun a ethtool -I -a e0 >/dev/null 2>&1; then t_fail "ethtool -a answers for e0"; else t_ok "ethtool -I -a refuses e0 too"; fi
	if nsrun a ethtool -I --show-fec e0 >/dev/null 2>&1; then t_fail "ethtool --show-fec answers for e0"; else t_ok "ethtool --show-fec refuses e0 too"; fi
else
	t_skip "compare with ethtool" "no ethtool"
fi

# Not asked by default (a veth has no line rate): nothing said about it, as for its link settings.
run_json out "$NS" -N "$(ns a)" -j --no-softnet
expect_jq "default: veth not asked" "$out" '.devices[] | select(.name=="e0") | has("std_stats")' false

# Sampling: an interval judges, and a device without the counters makes no finding.
run_json out "$NS" -N "$(ns a)" -j --no-softnet -e -i 0.2 -c 2
expect_rc "-e -i 0.2 -c 2" 0
last=$(tail -n 1 <<<"$out")
expect_jq "second sample: no NIC finding on a veth" "$last" '.devices[] | select(.name=="e0") | .nic_findings | length' 0
expect_jq "second sample: still null, with why" "$last" '.devices[] | select(.name=="e0") | .std_stats_why' 'not supported by the driver'
expect_jq "first sample: since boot, no findings judged" "$(head -n 1 <<<"$out")" \
	'[.sample.since_boot, (.devices[] | select(.name=="e0") | has("nic_findings"))] | map(tostring) | join(",")' 'true,false'

run_json txt "$NS" -N "$(ns a)" --no-softnet -e -i 0.2 -c 2
expect_rc "text -e" 0
if grep -q "NIC counters" <<<"$txt"; then t_fail "text: a NIC counters section for veths"; else t_ok "text: quiet about what a veth lacks"; fi

run_json prom "$NS" -N "$(ns a)" --prom --no-softnet -e
expect_rc "--prom -e" 0
promcheck "--prom -e on veths" "$prom"
if grep -Eq '^pktpath_nicstat_(std_stat|pause_|fec_|rmon_)' <<<"$prom"; then t_fail "exposition: samples for counters a veth lacks"
else t_ok "exposition: nothing made up for a veth"; fi

# The exposition of a NIC with counters (built by the unit test's model) through promtool.
unit=${BIN%/bin}/tests/test_nicstat
if [ -x "$unit" ]; then
	f=$(mktemp)
	NICSTAT_PROM_SAMPLE=$f "$unit" >/dev/null 2>&1
	if grep -q '^pktpath_nicstat_std_stat_total{' "$f"; then promcheck "a NIC's standard counters, pause, FEC" "$(cat "$f")"
	else t_fail "the unit test wrote no exposition"; fi
	rm -f "$f"
else
	t_skip "a NIC's exposition" "no $unit"
fi
t_done
