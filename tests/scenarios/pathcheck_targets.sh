#!/bin/bash
# pathcheck -f FILE: many destinations in one run (issue 9): one JSON document
# with every result, one Prometheus export with a target label, exit status the
# worst of them, bad lines refused with their line number.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
PC="$BIN/pathcheck"

lab_three
C=$(ns cli)
nsrun cli ip route add blackhole 203.0.113.48/28
TMP=$(mktemp -d)
chmod 755 "$TMP"	# the snapshot half of PKTPATH_SNAPSHOT_TWICE reads the targets as nobody
trap 'rm -rf "$TMP"; lab_cleanup' EXIT
cat > "$TMP/targets" <<'T'
# the service, both families
203.0.113.2:443            name=web
[2001:db8:2::2]:443        name=web6
203.0.113.2:53 udp         name=dns
203.0.113.50               name=blackholed   # a blackhole on the client
no-such-host.invalid:80    name=unresolvable
T
pc_run out "-f, five targets" -N "$C" -f "$TMP/targets" --parallel 3
expect_rc "-f: worst of them (a fail)" 1
expect_jq "-f: every target has a result" "$out" '.results | length' 5
expect_jq "-f: results in file order" "$out" '[.results[].target] | join(",")' "web,web6,dns,blackholed,unresolvable"
expect_jq "-f: web ok" "$out" '.results[0].verdict.status' ok
expect_jq "-f: udp from the line" "$out" '.results[2].query.proto' udp
expect_jq "-f: blackholed fails at route" "$out" '.results[3].verdict | "\(.status) \(.station) \(.cause)"' "fail route ROUTE_BLACKHOLE"
expect_jq "-f: web's cause" "$out" '.results[0].verdict.cause' NONE
expect_jq "-f: unresolvable is unknown, with why" "$out" '.results[4].verdict | "\(.status) \(.summary | test("cannot resolve"))"' "unknown true"
expect_jq "-f: unresolvable's cause says which" "$out" '.results[4].verdict | if .bad_input then .cause == "BAD_INPUT" else .cause == "RESOLVE_FAILED" end' true
expect_jq "-f: line numbers" "$out" '[.results[].line] | join(",")' "2,3,4,5,6"
expect_jq "-f: summary" "$out" '.summary | "\(.targets) \(.ok) \(.fail) \(.unknown)"' "5 3 1 1"
run_json out "$PC" -N "$C" --prom -f "$TMP/targets"
promcheck "-f --prom" "$out"
n=$(grep -c '^pktpath_pathcheck_path_ok{' <<<"$out")
[ "$n" = 5 ] && t_ok "-f --prom: one path_ok sample per target" || t_fail "-f --prom: $n path_ok samples"
grep -q '^pktpath_pathcheck_path_ok{target="blackholed",dst="203.0.113.50",proto="icmp",port="",direction="egress",netns="[^"]*"} 0$' <<<"$out" &&
	t_ok "-f --prom: the failing target is 0 under its label" || t_fail "-f --prom: blackholed sample missing"
grep -c '^# TYPE pktpath_pathcheck_path_ok ' <<<"$out" | grep -qx 1 && t_ok "-f --prom: each family once" || t_fail "-f --prom: family repeated"
grep -q '^pktpath_pathcheck_verdict_info{target="blackholed",.*station="route",drop_reason="[^"]*",cause="ROUTE_BLACKHOLE",netns="[^"]*"} 1$' <<<"$out" &&
	t_ok "-f --prom: the verdict's cause label" || t_fail "-f --prom: no cause label for blackholed: $(grep 'verdict_info{target="blackholed"' <<<"$out")"
# Only healthy targets: exit 0.
printf '203.0.113.2:443\n203.0.113.2\n' > "$TMP/good"
pc_run out "-f, all healthy" -N "$C" -f "$TMP/good"
expect_rc "-f: all healthy" 0
# A bad line is that target's bad input, in its place; the others still run; the run exits 2.
printf '203.0.113.2:443\n203.0.113.2:99999 name=x\n203.0.113.999:80\nbad\0line\n203.0.113.50\n' > "$TMP/bad"
run_json out "$PC" -N "$C" -j -f "$TMP/bad"
expect_rc "-f: a bad line makes the run bad input" 2
expect_jq "-f: every line has a result" "$out" '.results | length' 5
expect_jq "-f: the good line still ran" "$out" '.results[0].verdict.status' ok
expect_jq "-f: the bad port named with its line" "$out" '.results[1].verdict | "\(.bad_input) \(.summary | test("line 2: .*99999")) \(.cause)"' "true true BAD_INPUT"
expect_jq "-f: a mistyped address is not sent to DNS" "$out" '.results[2].verdict.summary' \
	"line 3: DEST '203.0.113.999' is not an IPv4 address"
expect_jq "-f: a NUL byte refused, naming the line" "$out" '.results[3].verdict.summary | test("line 4: a NUL byte")' true
expect_jq "-f: the blackhole after them still judged" "$out" '.results[4].verdict | "\(.status) \(.station) \(.cause)"' "fail route ROUTE_BLACKHOLE"
expect_jq "-f: summary counts bad input" "$out" '.summary | "\(.targets) \(.bad_input)"' "5 3"
# The same mistyped address on the command line: exit 2 too, one line naming it.
run_json out "$PC" -N "$C" 203.0.113.999
if [ "$RC" = 2 ] && [ "$(head -1 <<<"$ERR")" = "pathcheck: DEST '203.0.113.999' is not an IPv4 address" ]; then
	t_ok "DEST 203.0.113.999: exit 2, named, no DNS"; else t_fail "DEST 203.0.113.999: exit $RC ($ERR)"; fi
# Control bytes from the file never reach the terminal raw.
printf 'evil\033]0;pwned\007:80\n' > "$TMP/ctl"
run_json out "$PC" -N "$C" -f "$TMP/ctl"
if grep -q $'\033' <<<"$out$ERR"; then t_fail "-f: an escape byte reached the output"
elif grep -qF 'evil\x1b]0;pwned\x07' <<<"$out"; then t_ok "-f: control bytes written as \\xHH"
else t_fail "-f: control bytes: $out"; fi
run_json out "$PC" -N "$C" -f "$TMP/nonexistent"
[ "$RC" = 2 ] && t_ok "-f: missing file, exit 2" || t_fail "-f missing file: exit $RC"
# --prom-file of a run that cannot start still says so.
run_json out "$PC" -N nosuchns --prom-file "$TMP/out.prom" 203.0.113.2
if [ "$RC" = 2 ] && grep -q '^pktpath_pathcheck_run_success 0$' "$TMP/out.prom"; then t_ok "--prom-file: a failed run writes run_success 0"
else t_fail "--prom-file failed run: exit $RC, $(cat "$TMP/out.prom" 2>&1 | tail -2)"; fi
t_done
