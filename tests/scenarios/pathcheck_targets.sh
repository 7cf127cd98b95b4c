#!/bin/bash
# pathcheck -f FILE: many destinations in one run (issue 9): one JSON document
# with every result, one Prometheus export with a target label, exit status the
# worst of them, bad lines refused with their line number.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
PC="$BIN/pathcheck"

lab_three
C=$(ns cli)
nsrun cli ip route add blackhole 203.0.113.48/28
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"; lab_cleanup' EXIT
cat > "$TMP/targets" <<'T'
# the service, both families
203.0.113.2:443            name=web
[2001:db8:2::2]:443        name=web6
203.0.113.2:53 udp         name=dns
203.0.113.50               name=blackholed   # a blackhole on the client
no-such-host.invalid:80    name=unresolvable
T
run_json out "$PC" -N "$C" -j -f "$TMP/targets" --parallel 3
expect_rc "-f: worst of them (a fail)" 1
expect_jq "-f: every target has a result" "$out" '.results | length' 5
expect_jq "-f: results in file order" "$out" '[.results[].target] | join(",")' "web,web6,dns,blackholed,unresolvable"
expect_jq "-f: web ok" "$out" '.results[0].verdict.status' ok
expect_jq "-f: udp from the line" "$out" '.results[2].query.proto' udp
expect_jq "-f: blackholed fails at route" "$out" '.results[3].verdict | "\(.status) \(.station)"' "fail route"
expect_jq "-f: unresolvable is unknown, with why" "$out" '.results[4].verdict | "\(.status) \(.summary | test("cannot resolve"))"' "unknown true"
expect_jq "-f: line numbers" "$out" '[.results[].line] | join(",")' "2,3,4,5,6"
expect_jq "-f: summary" "$out" '.summary | "\(.targets) \(.ok) \(.fail) \(.unknown)"' "5 3 1 1"
run_json out "$PC" -N "$C" --prom -f "$TMP/targets"
promcheck "-f --prom" "$out"
n=$(grep -c '^pktpath_pathcheck_path_ok{' <<<"$out")
[ "$n" = 5 ] && t_ok "-f --prom: one path_ok sample per target" || t_fail "-f --prom: $n path_ok samples"
grep -q '^pktpath_pathcheck_path_ok{target="blackholed",dst="203.0.113.50",proto="icmp",port="",direction="egress",netns="[^"]*"} 0$' <<<"$out" &&
	t_ok "-f --prom: the failing target is 0 under its label" || t_fail "-f --prom: blackholed sample missing"
grep -c '^# TYPE pktpath_pathcheck_path_ok ' <<<"$out" | grep -qx 1 && t_ok "-f --prom: each family once" || t_fail "-f --prom: family repeated"
# Only healthy targets: exit 0.
printf '203.0.113.2:443\n203.0.113.2\n' > "$TMP/good"
run_json out "$PC" -N "$C" -j -f "$TMP/good"
expect_rc "-f: all healthy" 0
# A bad line: exit 2 naming the line.
printf '203.0.113.2:443\n203.0.113.2:99999 name=x\n' > "$TMP/bad"
run_json out "$PC" -N "$C" -j -f "$TMP/bad"
if [ "$RC" = 2 ] && grep -q "line 2" <<<"$ERR"; then t_ok "-f: bad line named, exit 2"; else t_fail "-f: bad line: exit $RC ($ERR)"; fi
run_json out "$PC" -N "$C" -f "$TMP/nonexistent"
[ "$RC" = 2 ] && t_ok "-f: missing file, exit 2" || t_fail "-f missing file: exit $RC"
# --prom-file of a run that cannot start still says so.
run_json out "$PC" -N nosuchns --prom-file "$TMP/out.prom" 203.0.113.2
if [ "$RC" = 2 ] && grep -q '^pktpath_pathcheck_run_success 0$' "$TMP/out.prom"; then t_ok "--prom-file: a failed run writes run_success 0"
else t_fail "--prom-file failed run: exit $RC, $(cat "$TMP/out.prom" 2>&1 | tail -2)"; fi
t_done
