#!/bin/bash
# pathcheck --probe --count N --interval SEC (issue 15, item 4): a series of probes of
# the same flow. A clean path (ok, 0% loss), a dead one (fail, 100% loss), a lossy one
# made with nftables numgen rules on the router (flaky, loss near 10%), its truth
# checked by the rule's own counter (every lost probe is a drop it counted) and by an
# independent client (ping) through the same rule; refusals among connections (flaky, every other one);
# -f with --parallel, each target its own series. IPv4 and IPv6, TCP, UDP and ICMP.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

lab_three
C=$(ns cli)
# TCP on 8080, 8082 and 8084 (both families), UDP echo on 9999 (both families), for at most 300 s.
nsrun srv python3 -c '
import socket, threading, time
def tcp(port):
    t = socket.socket(socket.AF_INET6)
    t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.bind(("::", port)); t.listen(512)
    while True:
        c, _ = t.accept(); c.close()
def udp():
    u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    u.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
    u.bind(("::", 9999))
    while True:
        d, a = u.recvfrom(2048); u.sendto(d, a)
for p in (8080, 8082, 8084):
    threading.Thread(target=tcp, args=(p,), daemon=True).start()
threading.Thread(target=udp, daemon=True).start()
time.sleep(300)' >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; lab_cleanup' EXIT
sleep 0.5

# 400 probes: a loss of 10% lands within 5 points of it but in 0.07% of runs (binomial).
COUNT=${PKTPATH_COUNT_N:-400}
FAST=(--interval 0.005 --timeout 0.15)

# in_range NAME VALUE LO HI: LO <= VALUE <= HI (numbers, fractions allowed).
in_range() {
	if awk -v v="$2" -v lo="$3" -v hi="$4" 'BEGIN { exit !(v >= lo && v <= hi) }'; then t_ok "$1: $2 in [$3, $4]"
	else t_fail "$1: $2 not in [$3, $4]"; fi
}
# same NAME A B: two counts agree.
same() { if [ "$2" = "$3" ]; then t_ok "$1: $2 = $3"; else t_fail "$1: $2 != $3"; fi; }
# counter NAME: packets of the router's rule with comment NAME.
counter() {
	nsrun rtr nft list chain inet lossy f | awk -v c="comment \"$1\"" 'index($0, c) {
		for (i = 1; i <= NF; i++) if ($i == "packets") print $(i + 1) }'
}
# probes JQ: JQ on the last check's "probes".
probes() { jq -r ".probes | $1" <<<"$LAST"; }

# ---- usage ----
run_json out "$PC" -j --count 3 203.0.113.2
expect_rc "--count without --probe" 2
run_json out "$PC" -j --probe --count 3 --interval -1 203.0.113.2
expect_rc "--interval -1" 2
run_json out "$PC" -j --probe --count 3 --interval 1x 203.0.113.2
expect_rc "--interval 1x" 2
run_json out "$PC" -j --probe --count 10001 203.0.113.2
expect_rc "--count 10001" 2

# ---- a clean path: every probe answered ----
check "clean tcp --count 10" null/NONE ok 0 -N "$C" --probe -c 10 -i 0.01 203.0.113.2:8080
expect_jq "clean tcp: sent, answered, loss" "$LAST" '.probes | "\(.sent) \(.answered) \(.loss_percent) \(.status)"' "10 10 0 all_answered"
expect_jq "clean tcp: one letter per probe" "$LAST" '.probes.sequence' '!!!!!!!!!!'
expect_jq "clean tcp: rtt min <= p50 <= p90 <= max" "$LAST" \
	'.probes.rtt_ms | .min <= .p50 and .p50 <= .p90 and .p90 <= .max and .min > 0' true
expect_ev "clean tcp: the remote station says it as ping does" remote \
	'.summary | test("10 sent, 10 answered, 0% loss, rtt min/p50/p90/max [0-9.]+/[0-9.]+/[0-9.]+/[0-9.]+ ms")' true
check "clean icmp v6 --count 10" null/NONE ok 0 -N "$C" --probe --count 10 --interval 0.01 2001:db8:2::2
expect_jq "clean icmp v6: sent, answered, loss" "$LAST" '.probes | "\(.sent) \(.answered) \(.loss_percent)"' "10 10 0"
check "clean udp v6 --count 10" null/NONE ok 0 -N "$C" --probe --proto udp --count 10 --interval 0.01 "[2001:db8:2::2]:9999"
expect_jq "clean udp v6: every reply ours" "$LAST" '.probes.outcomes.reply' 10
# One source port for every probe: each TCP probe ends with a RST, so the next can take the port again.
check "tcp --sport --count 3" null/NONE ok 0 -N "$C" --probe --sport 40111 --count 3 --interval 0.01 203.0.113.2:8080
expect_jq "tcp --sport: every probe connected" "$LAST" '.probes.sequence' '!!!'
# A single probe has no "probes" (the document as before --count).
check "a single probe" null/NONE ok 0 -N "$C" --probe 203.0.113.2:8080
expect_jq "a single probe: no probes member" "$LAST" 'has("probes")' false
PROM=$("$PC" -N "$C" --probe --count 5 --interval 0.01 --prom 203.0.113.2:8080)
promcheck "--count --prom" "$PROM"
if grep -q '^pktpath_pathcheck_probe_rtt_seconds{.*quantile="0.9"' <<<"$PROM" &&
	grep -q '^pktpath_pathcheck_probe_rtt_seconds_count{.*} 5$' <<<"$PROM" &&
	grep -q '^pktpath_pathcheck_probe_loss_ratio{.*} 0$' <<<"$PROM"; then t_ok "--prom: rtt summary and loss ratio"
else t_fail "--prom: rtt summary and loss ratio"; grep probe <<<"$PROM" | sed 's/^/# /'; fi

# ---- the router: a dead port, a lossy path, refusals by turns ----
nsrun rtr nft -f - <<'NFT'
table inet lossy {
	chain f {
		type filter hook forward priority 0; policy accept;
		ip daddr 203.0.113.2 tcp dport 8081 drop
		ip6 daddr 2001:db8:2::2 udp dport 9998 drop
		ip daddr 203.0.113.2 icmp type echo-request meta length < 1000 numgen random mod 10 == 0 counter drop comment "icmp4"
		ip6 daddr 2001:db8:2::2 tcp dport 8080 tcp flags & (syn | ack) == syn numgen random mod 10 == 0 counter drop comment "tcp6"
		ip daddr 203.0.113.2 tcp dport 8082 tcp flags & (syn | ack) == syn numgen inc mod 2 == 0 counter reject with tcp reset comment "rst4"
		ip daddr 203.0.113.2 tcp dport 8084 tcp flags & (syn | ack) == syn numgen inc mod 1000 < 3 counter drop comment "first3"
	}
}
NFT

# ---- a dead path: no probe answered ----
check "dead tcp --count 5" remote/REMOTE_SILENT fail 1 -N "$C" --probe --count 5 "${FAST[@]}" 203.0.113.2:8081
expect_jq "dead tcp: 100% loss" "$LAST" '.probes | "\(.sent) \(.answered) \(.loss_percent) \(.status) \(.rtt_ms)"' "5 0 100 none_answered null"
expect_jq "dead tcp: silence each time" "$LAST" '.probes.sequence' '.....'
expect_ev "dead tcp: as a failed probe, with the count" remote '.summary | test("^silence: .*; 5 sent, 0 answered, 100% loss$")' true
check "dead udp v6 --count 5" remote/REMOTE_SILENT fail 1 -N "$C" --probe --proto udp --count 5 "${FAST[@]}" "[2001:db8:2::2]:9998"
expect_jq "dead udp v6: 100% loss" "$LAST" '.probes.loss_percent' 100
PROM=$("$PC" -N "$C" --probe --count 3 "${FAST[@]}" --prom 203.0.113.2:8081)
promcheck "dead tcp --prom (no RTT: NaN quantiles)" "$PROM"
if grep -q '^pktpath_pathcheck_probe_rtt_seconds{.*quantile="0.5".*} NaN$' <<<"$PROM" &&
	grep -q '^pktpath_pathcheck_probe_loss_ratio{.*} 1$' <<<"$PROM"; then t_ok "dead tcp --prom: loss ratio 1, quantiles NaN"
else t_fail "dead tcp --prom: loss ratio 1, quantiles NaN"; grep probe <<<"$PROM" | sed 's/^/# /'; fi

# ---- a lossy path: ICMP over IPv4 ----
c0=$(counter icmp4)
check "lossy icmp --count $COUNT" remote/PROBES_LOST warn 1 -N "$C" --probe --count "$COUNT" "${FAST[@]}" 203.0.113.2
expect_jq "lossy icmp: flaky" "$LAST" '.probes.status' flaky
lost=$(probes '.sent - .answered'); loss=$(probes '.loss_percent')
echo "# pathcheck icmp: $(probes '"\(.sent) sent, \(.answered) answered, \(.loss_percent)% loss, \(.pattern)"')"
in_range "lossy icmp: pathcheck's loss within 5 points of 10%" "$loss" 5 15
c1=$(counter icmp4)
same "lossy icmp: lost probes = drops the rule counted" "$lost" "$((c1 - c0))"
expect_ev "lossy icmp: the remote station says flaky" remote '.summary | test("^flaky: [0-9]+ sent, [0-9]+ answered, [0-9.]+% loss, rtt min/p50/p90/max ")' true
# The truth, independently: ping through the same rule.
c0=$(counter icmp4)
pout=$(nsrun cli ping -q -c "$COUNT" -i 0.005 -W 1 203.0.113.2 2>&1)
c1=$(counter icmp4)
ptx=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\1/p' <<<"$pout")
prx=$(sed -n 's/^\([0-9]*\) packets transmitted, \([0-9]*\) received.*/\2/p' <<<"$pout")
echo "# ping: $(grep 'packets transmitted' <<<"$pout")"
in_range "ping through the same rule: loss within 5 points of 10%" "$(awk -v t="$ptx" -v r="$prx" 'BEGIN { print 100 * (t - r) / t }')" 5 15
same "ping: lost = drops the rule counted" "$((ptx - prx))" "$((c1 - c0))"

# ---- a lossy path: TCP over IPv6 (SYNs dropped) ----
c0=$(counter tcp6)
check "lossy tcp v6 --count $COUNT" remote/PROBES_LOST warn 1 -N "$C" --probe --count "$COUNT" "${FAST[@]}" "[2001:db8:2::2]:8080"
expect_jq "lossy tcp v6: flaky" "$LAST" '.probes.status' flaky
lost=$(probes '.sent - .answered'); loss=$(probes '.loss_percent')
echo "# pathcheck tcp v6: $(probes '"\(.sent) sent, \(.answered) answered, \(.loss_percent)% loss, \(.pattern)"')"
in_range "lossy tcp v6: pathcheck's loss within 5 points of 10%" "$loss" 5 15
c1=$(counter tcp6)
same "lossy tcp v6: lost probes = SYNs the rule dropped" "$lost" "$((c1 - c0))"
expect_jq "lossy tcp v6: only connections and silences" "$LAST" '.probes.outcomes | keys | join(",")' "connected,silence"

# ---- refused and connected by turns: no success, flaky ----
c0=$(counter rst4)
check "refusals by turns --count 10" remote/PROBES_LOST warn 1 -N "$C" --probe --count 10 --interval 0.01 203.0.113.2:8082
c1=$(counter rst4)
expect_jq "refusals by turns: counted" "$LAST" '.probes.outcomes | "\(.connected) \(.refused)"' "5 5"
expect_jq "refusals by turns: every other one" "$LAST" '.probes | "\(.pattern) \(.period)"' "every_other 2"
expect_jq "refusals by turns: the sequence" "$LAST" '.probes.sequence | test("^(R!){5}$|^(!R){5}$")' true
same "refusals by turns: the rule's RSTs = the refused probes" "$(probes '.outcomes.refused')" "$((c1 - c0))"

# ---- the first three SYNs dropped: a burst at the start ----
check "a burst at the start --count 8" remote/PROBES_LOST warn 1 -N "$C" --probe --count 8 "${FAST[@]}" 203.0.113.2:8084
expect_jq "burst at the start: the sequence" "$LAST" '.probes.sequence' '...!!!!!'
expect_jq "burst at the start: named" "$LAST" '.probes | "\(.pattern) \(.burst.first)-\(.burst.last)"' "burst_start 1-3"
expect_ev "burst at the start: said" remote '.summary | test("a burst at the start \\(probes 1-3\\)$")' true
same "burst at the start: the rule dropped three" "$(counter first3)" 3

# ---- a next hop that never answers ARP, every probe of the series ----
nsrun cli ip route add 203.0.113.32/27 via 198.51.100.50
check "next hop missing --count 3" neighbour/NEIGH_FAILED fail 1 -N "$C" --probe --count 3 "${FAST[@]}" 203.0.113.40:8080
expect_jq "next hop missing: none answered" "$LAST" '.probes | "\(.answered) \(.status)"' "0 none_answered"
nsrun cli ip route del 203.0.113.32/27 via 198.51.100.50

# ---- every reply dropped by the client's own INPUT chain ----
nsrun cli nft add table inet in
nsrun cli nft add chain inet in i '{ type filter hook input priority 0; }'
nsrun cli nft add rule inet in i ip saddr 203.0.113.2 icmp type echo-reply counter drop
check "replies dropped by the client's INPUT --count 3" input/NETFILTER_DROP fail 1 -N "$C" --probe --count 3 "${FAST[@]}" 203.0.113.2
expect_jq "replies dropped inside: the drop reason" "$LAST" '.verdict.drop_reason' NETFILTER_DROP
expect_jq "replies dropped inside: none answered" "$LAST" '.probes | "\(.answered) \(.sequence)"' "0 ..."
nsrun cli nft delete table inet in

# ---- -f with --parallel: each target its own series, the targets at once ----
TF=$(mktemp)
cat >"$TF" <<'EOF'
203.0.113.2:8080 name=tcp4
203.0.113.2:8081 name=dead4
[2001:db8:2::2]:8082 name=tcp6
2001:db8:2::2 name=icmp6
[2001:db8:2::2]:9999 udp name=udp6
203.0.113.2:8083 name=refused4
EOF
for par in 1 4; do
	run_json out "$PC" -j -N "$C" -f "$TF" --parallel "$par" --probe --count 5 "${FAST[@]}"
	expect_rc "-f --parallel $par --count 5" 1
	expect_jq "-f --parallel $par: every target sent 5" "$out" '[.results[].probes.sent] | unique | join(",")' 5
	if [ "$par" = 4 ]; then
		PROM=$("$PC" -N "$C" -f "$TF" --parallel 4 --probe --count 5 "${FAST[@]}" --prom)
		promcheck "-f --parallel 4 --count 5 --prom" "$PROM"
		n=$(grep -c '^pktpath_pathcheck_probe_rtt_seconds_count{' <<<"$PROM")
		same "-f --prom: an RTT summary per target" "$n" 6
	fi
	expect_jq "-f --parallel $par: each target's verdict" "$out" \
		'[.results[] | "\(.target)=\(.verdict.status)/\(.probes.answered)"] | join(" ")' \
		"tcp4=ok/5 dead4=fail/0 tcp6=ok/5 icmp6=ok/5 udp6=ok/5 refused4=fail/0"
done
rm -f "$TF"

t_done
