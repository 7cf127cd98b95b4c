#!/bin/bash
# pathcheck and policy rules that select on the source port, when --sport is not given.
# A packet this host sends over TCP or UDP leaves with a port from
# net.ipv4.ip_local_port_range (less ip_local_reserved_ports; the same sysctls govern
# IPv6), so a rule "sport A-B" matches every such packet, none, or some, and the route
# is the one the kernel gives for such a port, not for port 0. A packet that arrives
# carries the sender's port: any. With --sport the kernel's answer for that port stands.
# Built for real in a lab; station, status, summary and exit code asserted from -j.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

lab_three
C=$(ns cli); R=$(ns rtr)
nsrun cli sysctl -qw net.ipv4.ip_local_port_range="40000 40100"
nsrun cli ip route add blackhole default table 100
nsrun cli ip -6 route add blackhole default table 100

# No rule with a port range: nothing more asked, nothing said.
check "no sport rule" null/NONE ok 0 -N "$C" 203.0.113.2:443
expect_ev "no sport rule: no sport evidence" route '.evidence.sport_rules // "none"' none

# ---- every ephemeral port is inside the rule's range: the blackhole is the real route ----
nsrun cli ip rule add sport 1024-65534 lookup 100 pref 100
check "range inside the rule" route/ROUTE_BLACKHOLE fail 1 -N "$C" 203.0.113.2:443
expect_jq "inside: summary" "$LAST" '.verdict.summary' \
	"blackhole default route in table 100 (rule 100) silently discards 203.0.113.2 (source port from 40000-40100, all inside rule 100's sport 1024-65534)"
expect_ev "inside: the port asked" route '.evidence.sport' 40000
expect_ev "inside: the range" route '.evidence.sport_range' 40000-40100
expect_ev "inside: the rule judged" route '.evidence.sport_rules[0].ports' all
expect_jq "inside: the query keeps no sport" "$LAST" '.query.sport' null
check "inside, udp" route/ROUTE_BLACKHOLE fail 1 -N "$C" --proto udp 203.0.113.2:53
check "inside, icmp has no ports" null/NONE ok 0 -N "$C" 203.0.113.2
# --sport: the kernel's answer for that port, whatever the ephemeral range.
check "inside, --sport 40050" route/ROUTE_BLACKHOLE fail 1 -N "$C" --sport 40050 203.0.113.2:443
expect_ev "--sport 40050: no sport evidence" route '.evidence.sport_rules // "none"' none
check "inside, --sport 80 (outside the rule)" null/NONE ok 0 -N "$C" --sport 80 203.0.113.2:443
expect_ev "--sport 80: table" route '.evidence.table' main
# Reserved ports are never picked: reserving 40000-40049 leaves 40050 as the first port.
nsrun cli sysctl -qw net.ipv4.ip_local_reserved_ports=40000-40049
check "inside, with reserved ports" route/ROUTE_BLACKHOLE fail 1 -N "$C" 203.0.113.2:443
expect_ev "reserved: the port asked" route '.evidence.sport' 40050
expect_ev "reserved: the evidence" route '.evidence.sport_reserved' 40000-40049
nsrun cli sysctl -qw net.ipv4.ip_local_reserved_ports=
nsrun cli ip rule del pref 100

# ---- disjoint: the rule never matches, the route at port 0 is right ----
nsrun cli ip rule add sport 1000-2000 lookup 100 pref 100
check "range disjoint from the rule" null/NONE ok 0 -N "$C" 203.0.113.2:443
expect_ev "disjoint: table" route '.evidence.table' main
expect_ev "disjoint: the rule was considered" route '.evidence.sport_rules[0] | "\(.rule) \(.ports)"' \
	"100: from all sport 1000-2000 lookup 100 none"
expect_ev "disjoint: the note" route '.evidence.sport_note' \
	"no port of 40000-40100 is in rule 100's sport 1000-2000: the rule never matches"
check "disjoint, --sport 1500" route/ROUTE_BLACKHOLE fail 1 -N "$C" --sport 1500 203.0.113.2:443
nsrun cli ip rule del pref 100

# ---- partial: the route depends on the port the kernel picks ----
nsrun cli ip rule add sport 40050-50000 lookup 100 pref 100
check "range partly in the rule" route/ROUTE_DEPENDS_ON_SPORT warn 1 -N "$C" 203.0.113.2:443
expect_jq "partial: summary" "$LAST" '.verdict.summary' \
	"the route depends on the source port the kernel picks from 40000-40100: rule 100 (sport 40050-50000) takes ports 40050-40100; port 40050: blackhole (the kernel says: Invalid argument); port 40000: default via 198.51.100.1 dev c0 table main (rule 32766)"
expect_jq "partial: hint" "$LAST" '.verdict.hint | test("pass --sport N to check one source port")' true
expect_ev "partial: the later stations follow the working route" neighbour '.summary | test("198.51.100.1 on c0")' true
expect_ev "partial: the other port" route '.evidence.sport_other' 40050
check "partial, --sport 40060" route/ROUTE_BLACKHOLE fail 1 -N "$C" --sport 40060 203.0.113.2:443
check "partial, --sport 40010" null/NONE ok 0 -N "$C" --sport 40010 203.0.113.2:443
# Both ports leave the same way (table 100 routes as main does): ok after all, and said why.
nsrun cli ip route replace default via 198.51.100.1 table 100
check "partial, the same way out either way" null/NONE ok 0 -N "$C" 203.0.113.2:443
expect_ev "same way: note" route '.evidence.sport_note' \
	"ports 40000 and 40050 leave the same way: rule 100's sport 40050-50000 decides nothing for this flow"
# A second way out for table 100 (c1 -- r2): two working routes that differ are a warning too.
lab_veth cli c1 rtr r2
nsrun cli ip addr add 198.51.100.66/26 dev c1
nsrun rtr ip addr add 198.51.100.65/26 dev r2
nsrun cli ip route replace default via 198.51.100.65 dev c1 table 100
check "partial, two working routes" route/ROUTE_DEPENDS_ON_SPORT warn 1 -N "$C" 203.0.113.2:443
expect_ev "two routes: summary" route '.summary | test("port 40050: default via 198.51.100.65 dev c1 table 100 \\(rule 100\\); port 40000: default via 198.51.100.1 dev c0 table main \\(rule 32766\\)$")' true
nsrun cli ip route replace blackhole default table 100
nsrun cli ip rule del pref 100

# ---- IPv6: the same sysctl governs it, for UDP. TCP over IPv6 routes once, at port 0,
# before it picks its port (tcp_v6_connect), so there the rule never applies. ----
# v6try PROTO: what the client's connect/send to srv says: refused (it got there) or invalid (the blackhole).
v6try() {
	local out
	if [ "$1" = tcp ]; then out=$(nsrun cli timeout 3 socat -T1 /dev/null "TCP6:[2001:db8:2::2]:443,connect-timeout=2" 2>&1)
	else out=$(nsrun cli timeout 3 socat -T1 -u - "UDP6:[2001:db8:2::2]:53" <<<x 2>&1); fi
	if grep -qi "invalid argument" <<<"$out"; then echo invalid; elif grep -qi refused <<<"$out"; then echo refused; else echo "other: $out"; fi
}
nsrun cli ip -6 rule add sport 1024-65534 lookup 100 pref 100
got=$(v6try udp); [ "$got" = invalid ] && t_ok "truth: v6 inside, udp: the blackhole" || t_fail "truth: v6 inside, udp: $got"
check "v6 inside, udp" route/ROUTE_BLACKHOLE fail 1 -N "$C" --proto udp "[2001:db8:2::2]:53"
expect_ev "v6 inside: table" route '.evidence.table' 100
expect_ev "v6 inside: summary" route '.summary | test("source port from 40000-40100, all inside rule 100.s sport 1024-65534")' true
got=$(v6try tcp); [ "$got" = refused ] && t_ok "truth: v6 inside, tcp: reaches srv" || t_fail "truth: v6 inside, tcp: $got"
check "v6 inside, tcp: routed at port 0" null/NONE ok 0 -N "$C" "[2001:db8:2::2]:443"
expect_ev "v6 inside, tcp: table" route '.evidence.table' main
check "v6 inside, --sport 80" null/NONE ok 0 -N "$C" --sport 80 "[2001:db8:2::2]:443"
check "v4 untouched by a v6 rule" null/NONE ok 0 -N "$C" 203.0.113.2:443
nsrun cli ip -6 rule del pref 100
nsrun cli ip -6 rule add sport 40050-50000 lookup 100 pref 100
check "v6 partial, udp" route/ROUTE_DEPENDS_ON_SPORT warn 1 -N "$C" --proto udp "[2001:db8:2::2]:53"
expect_ev "v6 partial: summary" route '.summary | test("^the route depends on the source port the kernel picks from 40000-40100: rule 100 \\(sport 40050-50000\\)")' true
check "v6 partial, tcp: routed at port 0" null/NONE ok 0 -N "$C" "[2001:db8:2::2]:443"
nsrun cli ip -6 rule del pref 100
nsrun cli ip -6 rule add sport 1000-2000 lookup 100 pref 100
check "v6 disjoint" null/NONE ok 0 -N "$C" "[2001:db8:2::2]:443"
nsrun cli ip -6 rule del pref 100

# ---- forward and ingress: the sender's port is not known ----
nsrun rtr ip route add blackhole default table 100
nsrun rtr ip -6 route add blackhole default table 100
nsrun rtr ip rule add sport 1000-2000 lookup 100 pref 100
FWD=(-N "$R" --from 198.51.100.2 --iif r0)
check "forward, a sport rule" route/ROUTE_DEPENDS_ON_SPORT warn 1 "${FWD[@]}" 203.0.113.2:443
expect_jq "forward: summary" "$LAST" '.verdict.summary' \
	"the route depends on the sender's source port: rule 100 (sport 1000-2000) takes ports 1000-2000; port 1000: blackhole (the kernel says: Invalid argument); port 1: 203.0.113.0/26 dev r1 table main src 203.0.113.1 (rule 32766)"
expect_ev "forward: sender's range" route '.evidence.sport_range_sender' 1-65535
check "forward, --sport 1500" route/ROUTE_BLACKHOLE fail 1 "${FWD[@]}" --sport 1500 203.0.113.2:443
check "forward, --sport 3000" null/NONE ok 0 "${FWD[@]}" --sport 3000 203.0.113.2:443
# A local destination: the local table's rule (0) comes before any sport rule.
check "ingress to a local address (nothing listens)" socket/NO_LISTENER fail 1 "${FWD[@]}" 198.51.100.1:22
expect_ev "ingress: route ok" route '.status' ok
expect_ev "ingress: no sport evidence" route '.evidence.sport_rules // "none"' none
nsrun rtr ip rule del pref 100
nsrun rtr ip -6 rule add sport 1000-2000 lookup 100 pref 100
check "v6 forward, a sport rule" route/ROUTE_DEPENDS_ON_SPORT warn 1 -N "$R" --from 2001:db8:1::2 --iif r0 "[2001:db8:2::2]:443"
check "v6 forward, --sport 1500" route/ROUTE_BLACKHOLE fail 1 -N "$R" --from 2001:db8:1::2 --iif r0 --sport 1500 "[2001:db8:2::2]:443"
nsrun rtr ip -6 rule del pref 100
t_done
