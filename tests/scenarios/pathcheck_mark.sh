#!/bin/bash
# pathcheck models packet marks and output NAT as the kernel does: a mark set in
# prerouting is on the packet when it is routed; at output the socket's route is
# taken first, and the packet is routed again only after a chain of type route
# changed the mark (nft_chain_route.c) or a dnat changed the destination
# (nf_nat_ipv4_local_fn). A mark set in a filter-type output chain does not
# re-route. Each case built for real in a lab; verdict, status, summary and exit
# code asserted from -j.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

lab_three
C=$(ns cli); R=$(ns rtr)
# A second way out of the client: c1 -- r2, for marked traffic once table 100 has a route.
lab_veth cli c1 rtr r2
nsrun cli ip addr add 198.51.100.66/26 dev c1
nsrun rtr ip addr add 198.51.100.65/26 dev r2

# ---- (a) egress: mark set at output ----
nsrun cli ip rule add fwmark 0x1 lookup 100 pref 100
nsrun cli ip route add blackhole default table 100
nsrun cli nft -f - <<'EOF'
table ip mangle {
	chain out {
		type route hook output priority mangle; policy accept;
		tcp dport 443 meta mark set 0x1
	}
}
EOF
check "route chain marks 443" route/ROUTE_BLACKHOLE fail 1 -N "$C" 203.0.113.2:443
expect_jq "route chain marks 443: summary" "$LAST" '.verdict.summary' \
	"blackhole default route in table 100 (rule 100) silently discards 203.0.113.2 (routed again after meta mark set 0x1 in ip mangle out)"
expect_ev "route chain: the mark used" route '.evidence.mark' 1
expect_ev "route chain: what set it" route '.evidence.after_mark' "meta mark set 0x1 in ip mangle out"
expect_ev "route chain: the socket's own route" route '.evidence.route_before | test("via 198.51.100.1 dev c0 table main")' true
expect_ev "route chain: the source stays the first route's" socket '.evidence.src' 198.51.100.2
expect_ev "route chain: the chain says it re-routes" output '.evidence.chains[0].reroute' true
check "route chain, port 80 unmarked" null/NONE ok 0 -N "$C" 203.0.113.2:80
expect_ev "port 80: the mark used" route '.evidence.mark' 0
expect_ev "port 80: no mark change" route '.evidence.after_mark // "none"' none

# Table 100 with a real route: the later stations follow the new route (c1, not c0).
nsrun cli ip route replace default via 198.51.100.65 dev c1 table 100
check "route chain to a working table" null/NONE ok 0 -N "$C" 203.0.113.2:443
expect_ev "re-routed: table" route '.evidence.table' 100
expect_ev "re-routed: device" route '.evidence.dev' c1
expect_ev "re-routed: the key is device (dev its alias, issue 19)" route '.evidence.device' c1
expect_ev "egress device: the key is device, dev its alias" egress-device '[.evidence.device, .evidence.dev] | join(" ")' "c1 c1"
expect_ev "re-routed: summary" route '.summary' \
	"default via 198.51.100.65 dev c1 table 100 (rule 100) (routed again after meta mark set 0x1 in ip mangle out)"
expect_ev "re-routed: neighbour is the new next hop" neighbour '.summary | test("198.51.100.65 on c1")' true
expect_ev "re-routed: egress device follows" egress-device '.summary | test("^c1 up")' true
nsrun rtr ip link set r2 down
check "re-routed device without carrier" egress-device/NO_CARRIER fail 1 -N "$C" 203.0.113.2:443
check "unmarked flow keeps c0" null/NONE ok 0 -N "$C" 203.0.113.2:80
nsrun rtr ip link set r2 up
nsrun cli ip route replace blackhole default table 100

# The same mark set in a filter chain: no new lookup, but later rules see the mark.
nsrun cli nft flush ruleset
nsrun cli nft -f - <<'EOF'
table ip f {
	chain out {
		type filter hook output priority -10; policy accept;
		tcp dport 443 meta mark set 0x1
	}
	chain later {
		type filter hook output priority 10; policy accept;
		meta mark 0x1 tcp dport 443 drop
	}
}
EOF
check "filter chain marks 443: no re-route, later chain drops" output/NFT_RULE_DROP fail 1 -N "$C" 203.0.113.2:443
expect_ev "filter chain: route is the socket's" route '.evidence.table' main
expect_ev "filter chain: route station ok" route '.status' ok
expect_ev "filter chain: the mark set is shown" output '.evidence.chains[0].mark_set' "meta mark set 0x1"
expect_ev "filter chain: no reroute" output '.evidence.chains[0].reroute // false' false
expect_jq "filter chain: the later chain's rule decides" "$LAST" '.verdict.summary' \
	"dropped by rule in table ip f chain later (handle 4: meta mark 0x1 tcp dport 443 drop)"
nsrun cli nft delete chain ip f later
check "filter chain marks 443 alone" null/NONE ok 0 -N "$C" 203.0.113.2:443
nsrun cli nft flush ruleset

# iptables-nft's mangle OUTPUT is a route chain: -j MARK re-routes.
if command -v iptables-nft >/dev/null; then
	nsrun cli iptables-nft -t mangle -A OUTPUT -p tcp --dport 443 -j MARK --set-mark 1
	check "iptables-nft MARK in mangle OUTPUT" route/ROUTE_BLACKHOLE fail 1 -N "$C" 203.0.113.2:443
	expect_ev "iptables-nft MARK: what set it" route '.evidence.after_mark' "meta mark set 0x1 in ip mangle OUTPUT"
	check "iptables-nft MARK, port 80" null/NONE ok 0 -N "$C" 203.0.113.2:80
	nsrun cli iptables-nft -t mangle -F OUTPUT
	nsrun cli nft flush ruleset
else
	t_skip "iptables-nft MARK" "iptables-nft not installed"
fi

# IPv6 through an inet route chain that marks only IPv6 (ip6_route_me_harder).
nsrun cli ip -6 rule add fwmark 0x1 lookup 100 pref 100
nsrun cli ip -6 route add blackhole default table 100
nsrun cli nft -f - <<'EOF'
table inet m6 {
	chain out {
		type route hook output priority mangle; policy accept;
		meta nfproto ipv6 tcp dport 443 meta mark set 0x1
	}
}
EOF
check "v6 route chain marks 443" route/ROUTE_BLACKHOLE fail 1 -N "$C" "[2001:db8:2::2]:443"
expect_ev "v6 route chain: what set it" route '.evidence.after_mark' "meta mark set 0x1 in inet m6 out"
expect_ev "v6 route chain: table" route '.evidence.table' 100
check "v6 route chain leaves IPv4 unmarked" null/NONE ok 0 -N "$C" 203.0.113.2:443
nsrun cli nft flush ruleset

# ---- (c) egress: dnat at output is routed again ----
nsrun cli ip route add unreachable 203.0.113.99
nsrun cli nft -f - <<'EOF'
table ip nat {
	chain out {
		type nat hook output priority -100; policy accept;
		tcp dport 8080 dnat to 203.0.113.99
	}
}
EOF
check "dnat at output to an unreachable address" route/ROUTE_UNREACHABLE fail 1 -N "$C" 203.0.113.2:8080
expect_jq "dnat at output: summary" "$LAST" '.verdict.summary' \
	"unreachable route 203.0.113.99/32 in table main (rule 32766) rejects (unreachable) 203.0.113.99 (routed again after dnat to 203.0.113.99 in ip nat out)"
expect_ev "dnat at output: after_dnat" route '.evidence.after_dnat' "dnat to 203.0.113.99 in ip nat out"
expect_ev "dnat at output: the route type" route '.evidence.type' unreachable
expect_jq "dnat at output: the query keeps the destination asked" "$LAST" '.query.dst' 203.0.113.2
check "dnat at output, another port" null/NONE ok 0 -N "$C" 203.0.113.2:8081
nsrun cli nft flush ruleset

# ---- (b) forward: a mark set in prerouting is there when the router routes ----
nsrun rtr ip rule add fwmark 0x1 lookup 100 pref 100
nsrun rtr ip route add blackhole default table 100
nsrun rtr nft -f - <<'EOF'
table ip mangle {
	chain pre {
		type filter hook prerouting priority mangle; policy accept;
		tcp dport 443 meta mark set 0x1
	}
}
EOF
FWD=(-N "$R" --from 198.51.100.2 --iif r0)
check "prerouting mark, forward" route/ROUTE_BLACKHOLE fail 1 "${FWD[@]}" 203.0.113.2:443
expect_jq "prerouting mark: summary" "$LAST" '.verdict.summary' \
	"blackhole default route in table 100 (rule 100) silently discards 203.0.113.2 (after meta mark set 0x1 in ip mangle pre)"
expect_ev "prerouting mark: table" route '.evidence.table' 100
expect_ev "prerouting mark: the mark used" route '.evidence.mark' 1
check "prerouting mark, port 80" null/NONE ok 0 "${FWD[@]}" 203.0.113.2:80
expect_ev "prerouting, port 80: table" route '.evidence.table' main
# The mark from a map keyed by the source port: unknown without --sport, decided with it.
nsrun rtr nft flush ruleset
nsrun rtr nft -f - <<'EOF'
table ip mangle {
	chain pre {
		type filter hook prerouting priority mangle; policy accept;
		meta mark set tcp sport map { 1000 : 0x1 }
	}
}
EOF
check "prerouting mark from an unknown source port" route/MARK_UNKNOWN unknown 3 "${FWD[@]}" 203.0.113.2:443
expect_ev "unknown mark: said so" route '.summary' \
	"the mark at routing is not known (meta mark set tcp sport map (unknown) in ip mangle pre), and policy rules select on fwmark"
check "prerouting mark from source port 1000" route/ROUTE_BLACKHOLE fail 1 "${FWD[@]}" --sport 1000 203.0.113.2:443
expect_ev "source port 1000: table" route '.evidence.table' 100
check "prerouting mark from source port 2000" null/NONE ok 0 "${FWD[@]}" --sport 2000 203.0.113.2:443
# Without a fwmark rule the unknown mark decides nothing.
nsrun rtr ip rule del pref 100
check "unknown mark, no fwmark rule" null/NONE ok 0 "${FWD[@]}" 203.0.113.2:443
nsrun rtr nft flush ruleset
t_done
