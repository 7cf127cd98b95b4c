#!/bin/bash
# pathcheck --diff BEFORE AFTER (issue 17 item 3) and expect= in target files (item 5).
# A router namespace forwards between a client and a server. BEFORE is saved; then,
# one at a time, (a) an iptables-nft rule in FORWARD drops one target's port, (b) a
# route is deleted, (c) net.ipv4.ip_forward is turned off; AFTER is saved and --diff
# must name exactly the targets that changed and the first station where their walks
# part, list none of the others, and exit as the man page says. Real traffic from the
# client tells the truth before and after each change.
cd "$(dirname "$0")/../.." || exit 1
LAB=ppdf$$
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
source tests/lib/truth.sh

D=$(mktemp -d /tmp/ppdf.XXXXXX)
chmod 755 "$D"
trap 'lab_cleanup; rm -rf "$D"' EXIT
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
"${NOBODY[@]}" true 2>/dev/null || NOBODY=(runuser -u nobody --)

lab_three
R=$(ns rtr)
# A second server prefix behind srv, reached by a route of its own on the router.
nsrun srv ip addr add 203.0.113.70/32 dev lo
nsrun rtr ip route add 203.0.113.64/26 via 203.0.113.2
for p in 80 22; do nsrun srv socat TCP-LISTEN:$p,fork,reuseaddr /dev/null & done
nsrun rtr socat TCP-LISTEN:2222,fork,reuseaddr /dev/null &
sleep 0.5

# The packets the router sees from the client: forwarded (web, ssh, far, ping) or for
# the router itself (local, which no change below touches).
A=(--from 198.51.100.2 --iif r0)
cat >"$D/targets" <<'EOF'
# name    the router forwards these
203.0.113.2:80 name=web
203.0.113.2:22 name=ssh
203.0.113.70:80 name=far
203.0.113.2 icmp name=ping
198.51.100.1:2222 name=local
EOF
chmod 644 "$D/targets"

truth_all() {	# truth_all CASE WEB SSH FAR PING LOCAL
	truth "$1 web" "$2" 4 198.51.100.2 203.0.113.2 80
	truth "$1 ssh" "$3" 4 198.51.100.2 203.0.113.2 22
	truth "$1 far" "$4" 4 198.51.100.2 203.0.113.70 80
	truth_ping "$1 ping" "$5" 4 198.51.100.2 203.0.113.2
	truth "$1 local" "$6" 4 198.51.100.2 198.51.100.1 2222
}

truth_all before ok ok ok ok ok
run_json out "$PC" -j -N "$R" "${A[@]}" --save "$D/before.snap" -f "$D/targets"
expect_rc "BEFORE saved: every target passes" 0
chmod 644 "$D/before.snap"
# From the client, --follow: the walk goes on into the router and the server.
printf '%s\n' "203.0.113.2:80 name=web" "203.0.113.2:22 name=ssh" >"$D/follow"
chmod 644 "$D/follow"
run_json out "$PC" -j -N "$(ns cli)" --follow --save "$D/before_follow.snap" -f "$D/follow"
expect_rc "BEFORE --follow saved from the client" 0
chmod 644 "$D/before_follow.snap"

# diff_case NAME SNAP WANT_RC "TARGET:CHANGE:BEFORE_STATUS:AFTER_STATUS:AFTER_STATION:DIVERGING ..."
# --diff BEFORE SNAP -f targets (as nobody: no privileges); the changed[] list must be
# exactly the given targets, each with its change, both statuses, the after station and
# the first diverging station; every other target counted unchanged.
diff_case() {
	local name=$1 snap=$2 want=$3 spec=$4 got exp nchg
	run_json out "${NOBODY[@]}" "$PC" -j --diff "$D/before.snap" "$snap" "${A[@]}" -f "$D/targets"
	expect_rc "$name: --diff" "$want"
	got=$(jq -r '[.changed[] | "\(.target):\(.change):\(.before.status):\(.after.status):\(.after.station // "null"):\(.first_diverging_station.station // "null")"] | join(" ")' <<<"$out")
	if [ "$got" = "$spec" ]; then t_ok "$name: changed targets and first diverging stations: $got"
	else t_fail "$name: changed: '$got', expected '$spec'"; printf '%s\n' "$out" | head -c 3000 | sed 's/^/# /'; fi
	nchg=$(wc -w <<<"$spec")
	expect_jq "$name: the others counted unchanged, not listed" "$out" '"\(.summary.unchanged) \(.summary.targets)"' "$((5 - nchg)) 5"
}

# (a) a rule inserted in FORWARD (iptables-nft) dropping ssh's port.
nsrun rtr iptables-nft -I FORWARD -p tcp --dport 22 -j DROP
truth_all "(a) FORWARD drop 22" ok timeout ok ok ok
run_json out "$PC" -j -N "$R" "${A[@]}" --save "$D/a.snap" -f "$D/targets"
expect_rc "(a) saved: ssh fails" 1
chmod 644 "$D/a.snap"
diff_case "(a) FORWARD rule" "$D/a.snap" 1 "ssh:worsened:ok:fail:forward:forward"
expect_jq "(a) the diverging station's both sides" "$out" \
	'.changed[0].first_diverging_station | "\(.before.status) \(.after.status) \(.after.summary | test("drop"))"' "ok fail true"
expect_jq "(a) header: both snapshots, host, kernel" "$out" \
	'[.schema, .before.source, .after.source, (.before.host|length>0), (.after.kernel|length>0)] | map(tostring) | join(" ")' \
	"pathcheck-diff/1 snapshot snapshot true true"
# The same against the live host (AFTER '-'), as root: the router's namespace from BEFORE's header.
run_json out "$PC" -j --diff "$D/before.snap" - "${A[@]}" -f "$D/targets"
expect_rc "(a) --diff BEFORE - (live)" 1
expect_jq "(a) live: ssh worsened at forward" "$out" \
	'[.after.source, (.changed | map("\(.target) \(.change) \(.first_diverging_station.station)") | join(","))] | join(" ")' \
	"live ssh worsened forward"
# Text and Prometheus forms.
run_json txt "${NOBODY[@]}" "$PC" --diff "$D/before.snap" "$D/a.snap" "${A[@]}" -f "$D/targets"
if grep -q '^ssh: worsened: ok -> fail at forward' <<<"$txt" && grep -q 'first diverging station: forward' <<<"$txt" &&
   ! grep -qE '^(web|far|ping|local):' <<<"$txt" && grep -q '1 changed (1 worsened' <<<"$txt"; then
	t_ok "(a) text names ssh and forward, and no unchanged target"
else t_fail "(a) text"; printf '%s\n' "$txt" | sed 's/^/# /'; fi
run_json prom "${NOBODY[@]}" "$PC" --prom --diff "$D/before.snap" "$D/a.snap" "${A[@]}" -f "$D/targets"
promcheck "(a) --prom" "$prom"
if grep -qx 'pktpath_pathcheck_diff_worsened_targets{netns="'"$R"'"} 1' <<<"$prom" &&
   grep -qx 'pktpath_pathcheck_diff_changed_targets{netns="'"$R"'"} 1' <<<"$prom" &&
   grep -q 'pktpath_pathcheck_diff_change_info{.*target="ssh".*diverging_station="forward".*} 1' <<<"$prom"; then
	t_ok "(a) --prom: worsened 1, changed 1, ssh at forward"
else t_fail "(a) --prom"; printf '%s\n' "$prom" | grep diff | sed 's/^/# /'; fi
# --follow from the client: the diverging station is in the router's namespace.
run_json out "$PC" -j -N "$(ns cli)" --follow --save "$D/a_follow.snap" -f "$D/follow"
chmod 644 "$D/a_follow.snap"
run_json out "${NOBODY[@]}" "$PC" -j --follow --diff "$D/before_follow.snap" "$D/a_follow.snap" -f "$D/follow"
expect_rc "(a) --follow from the client: --diff" 1
expect_jq "(a) --follow: ssh worsened at forward in the router's namespace" "$out" \
	'[.changed[] | "\(.target) \(.change) \(.after.station) \(.first_diverging_station.station) \(.first_diverging_station.netns)"] | join(",")' \
	"ssh worsened forward forward $R"
# -N names the namespace in both snapshots.
run_json out "${NOBODY[@]}" "$PC" -j -N "$R" --diff "$D/before.snap" "$D/a.snap" "${A[@]}" -f "$D/targets"
expect_jq "(a) -N $R: ssh worsened at forward, exit 1" "$out" \
	'"\(.changed | map("\(.target) \(.change) \(.first_diverging_station.station)") | join(",")) \(.netns)"' "ssh worsened forward $R"
# --prom-file: a snapshot that cannot be read still leaves run_success 0.
run_json out "$PC" --prom-file "$D/diff.prom" --diff "$D/nosuch.snap" "$D/a.snap" "${A[@]}" -f "$D/targets"
if [ "$RC" = 2 ] && grep -q '^pktpath_pathcheck_run_success.* 0$' "$D/diff.prom" 2>/dev/null; then t_ok "--prom-file, BEFORE unreadable: exit 2, run_success 0"
else t_fail "--prom-file, BEFORE unreadable: exit $RC, $(cat "$D/diff.prom" 2>&1 | tail -2)"; fi
# A single DEST: unchanged is exit 0.
run_json out "${NOBODY[@]}" "$PC" -j --diff "$D/before.snap" "$D/a.snap" "${A[@]}" 203.0.113.2:80
expect_rc "(a) single DEST web: unchanged" 0
expect_jq "(a) single DEST web: nothing listed" "$out" '"\(.changed | length) \(.summary.unchanged)"' "0 1"
run_json out "${NOBODY[@]}" "$PC" -j --diff "$D/before.snap" "$D/a.snap" "${A[@]}" 203.0.113.2:22
expect_rc "(a) single DEST ssh: worsened" 1
# AFTER to BEFORE: ssh improved, nothing worsened: 0.
run_json out "${NOBODY[@]}" "$PC" -j --diff "$D/a.snap" "$D/before.snap" "${A[@]}" -f "$D/targets"
expect_rc "(a) reversed: an improvement is no problem" 0
expect_jq "(a) reversed: ssh improved" "$out" '[.changed[] | "\(.target) \(.change)"] | join(",")' "ssh improved"
nsrun rtr iptables-nft -D FORWARD -p tcp --dport 22 -j DROP

# (b) the route to the second prefix deleted.
nsrun rtr ip route del 203.0.113.64/26
truth_all "(b) route deleted" ok ok unreach ok ok
run_json out "$PC" -j -N "$R" "${A[@]}" --save "$D/b.snap" -f "$D/targets"
chmod 644 "$D/b.snap"
diff_case "(b) route deleted" "$D/b.snap" 1 "far:worsened:ok:fail:route:route"
nsrun rtr ip route add 203.0.113.64/26 via 203.0.113.2

# (c) a sysctl: forwarding off. Every forwarded target dies; the router's own does not.
nsrun rtr sysctl -qw net.ipv4.ip_forward=0
truth_all "(c) ip_forward=0" timeout timeout timeout timeout ok
run_json out "$PC" -j -N "$R" "${A[@]}" --save "$D/c.snap" -f "$D/targets"
chmod 644 "$D/c.snap"
cst=$(jq -r '[.results[] | select(.target=="web") | .verdict.station] | .[0]' <<<"$out")
diff_case "(c) ip_forward=0" "$D/c.snap" 1 \
	"web:worsened:ok:fail:$cst:$cst ssh:worsened:ok:fail:$cst:$cst far:worsened:ok:fail:$cst:$cst ping:worsened:ok:fail:$cst:$cst"
if [ "$cst" = forward ] || [ "$cst" = route ]; then t_ok "(c) forwarding off is named at $cst"
else t_fail "(c) forwarding off is named at '$cst'"; fi
nsrun rtr sysctl -qw net.ipv4.ip_forward=1
echo "# (c) forwarding off named at $cst"
truth_all "restored" ok ok ok ok ok

# A target BEFORE never asked: an input route lookup the snapshot cannot answer. It is
# undecided with the snapshot's reason, never a guess, and the run exits 3.
cp "$D/targets" "$D/targets2"
echo "203.0.113.9:443 name=unasked" >>"$D/targets2"
chmod 644 "$D/targets2"
run_json out "${NOBODY[@]}" "$PC" -j --diff "$D/before.snap" "$D/before.snap" "${A[@]}" -f "$D/targets2"
expect_rc "unasked target: could not tell" 3
expect_jq "unasked target: undecided, the reason said" "$out" \
	'.changed[] | select(.target=="unasked") | "\(.change) \(.before.status) \(.first_diverging_station) \([.before.summary, .after.summary] | map(test("snapshot holds no answer")) | all)"' \
	"undecided unknown null true"
expect_jq "unasked target: the other five unchanged" "$out" '.summary.unchanged' 5

# expect= lines: live, from a snapshot, in --diff (judged against AFTER).
cat >"$D/expect" <<'EOF'
203.0.113.2:80 name=web expect=pass
203.0.113.2:22 name=ssh expect=drop   # broken while the FORWARD rule is not there
198.51.100.1:2222 name=local expect=pass
EOF
chmod 644 "$D/expect"
run_json out "$PC" -j -N "$R" "${A[@]}" -f "$D/expect"
expect_rc "expect= live: ssh must drop but passes" 1
expect_jq "expect= live: met, broken, met" "$out" '[.results[] | "\(.target)=\(.expect):\(.expectation_met)"] | join(" ")' \
	"web=pass:true ssh=drop:false local=pass:true"
expect_jq "expect= live: summary" "$out" '.summary.expectations_broken' 1
run_json txt "$PC" -N "$R" "${A[@]}" -f "$D/expect"
if grep -q '^expect drop: BROKEN: the verdict is ok' <<<"$txt" && grep -q '1 expectation BROKEN' <<<"$txt"; then
	t_ok "expect= live text marks the broken one"; else t_fail "expect= live text"; printf '%s\n' "$txt" | tail -5 | sed 's/^/# /'; fi
run_json prom "$PC" --prom -N "$R" "${A[@]}" -f "$D/expect"
promcheck "expect= --prom" "$prom"
if grep -q 'pktpath_pathcheck_expectation_broken{.*target="ssh".*expect="drop".*} 1' <<<"$prom" &&
   grep -q 'pktpath_pathcheck_expectation_broken{.*target="web".*} 0' <<<"$prom" &&
   grep -qE '^pktpath_pathcheck_expectations_broken_targets(\{[^}]*\})? 1$' <<<"$prom"; then
	t_ok "expect= --prom: ssh broken, web met, total 1"
else t_fail "expect= --prom"; printf '%s\n' "$prom" | grep expect | sed 's/^/# /'; fi
run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/a.snap" "${A[@]}" -f "$D/expect"
expect_rc "expect= from the FORWARD-rule snapshot: every expectation met" 0
expect_jq "expect= --snapshot: all met" "$out" '[.results[].expectation_met] | all' true
run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/before.snap" "${A[@]}" -f "$D/expect"
expect_rc "expect= from BEFORE: ssh broken" 1
# --diff: the expectation is judged against AFTER.
run_json out "${NOBODY[@]}" "$PC" -j --diff "$D/before.snap" "$D/before.snap" "${A[@]}" -f "$D/expect"
expect_rc "expect= --diff nothing changed, ssh broken in AFTER" 1
expect_jq "expect= --diff: the expectations list" "$out" '[.expectations[] | "\(.target):\(.expectation_met)"] | join(" ")' \
	"web:true ssh:false local:true"
run_json out "${NOBODY[@]}" "$PC" -j --diff "$D/before.snap" "$D/a.snap" "${A[@]}" -f "$D/expect"
expect_rc "expect= --diff to the FORWARD rule: ssh worsened (its drop expected)" 1
expect_jq "expect= --diff to the FORWARD rule: ssh's expectation met in AFTER" "$out" \
	'"\(.summary.expectations_broken) \(.changed[0].target) \(.changed[0].expectation_met)"' "0 ssh true"
run_json out "${NOBODY[@]}" "$PC" -j --diff "$D/a.snap" "$D/a.snap" "${A[@]}" -f "$D/expect"
expect_rc "expect= --diff, AFTER meets every expectation and nothing changed" 0
printf '203.0.113.2:80 expect=pass expect=drop\n' >"$D/dup"
chmod 644 "$D/dup"
run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/before.snap" "${A[@]}" -f "$D/dup"
expect_rc "expect= twice: bad input" 2
expect_jq "expect= twice: the line named" "$out" '.results[0].verdict.summary' "line 1: expect= given twice"

# Bad and truncated snapshots, usage errors.
head -c 300 "$D/before.snap" >"$D/cut.snap"
chmod 644 "$D/cut.snap"
for pair in "cut.snap a.snap" "before.snap cut.snap"; do
	set -- $pair
	run_json out "${NOBODY[@]}" "$PC" -j --diff "$D/$1" "$D/$2" "${A[@]}" -f "$D/targets"
	expect_rc "--diff $1 $2: a truncated snapshot" 2
	if [ "$(wc -l <<<"$ERR")" -eq 1 ] && grep -q "cut.snap: piece" <<<"$ERR"; then t_ok "--diff $1 $2: one line naming the file and the piece: $ERR"
	else t_fail "--diff $1 $2: error '$ERR'"; fi
done
run_json out "${NOBODY[@]}" "$PC" -j --diff /etc/hostname "$D/a.snap" -f "$D/targets"
expect_rc "--diff of a file that is no snapshot" 2
run_json out "${NOBODY[@]}" "$PC" -j --diff "$D/nosuch.snap" "$D/a.snap" -f "$D/targets"
expect_rc "--diff of a missing file" 2
grep -q "nosuch.snap" <<<"$ERR" && t_ok "--diff missing file named" || t_fail "--diff missing file: $ERR"
run_json out "$PC" -j --diff "$D/before.snap"
expect_rc "--diff without AFTER" 2
run_json out "$PC" -j --diff - "$D/a.snap" -f "$D/targets"
expect_rc "--diff with BEFORE '-'" 2
run_json out "$PC" -j --diff "$D/before.snap" "$D/a.snap" --probe 203.0.113.2:80
expect_rc "--diff with --probe" 2
t_done
