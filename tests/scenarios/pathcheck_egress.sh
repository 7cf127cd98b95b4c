#!/bin/bash
# pathcheck, packets that start on this host (issue 2): each fault built for real
# in a lab namespace, verdict station, status and exit code asserted from -j.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

# check NAME STATION STATUS EXIT ARGS...: run pathcheck -j ARGS and assert the verdict.

lab_three
C=$(ns cli)
# A next hop that does not answer goes FAILED after 3 solicitations 100 ms apart, not 1 s.
nsrun cli sysctl -qw net.ipv4.neigh.c0.retrans_time_ms=100 net.ipv6.neigh.c0.retrans_time_ms=100 >/dev/null

# Healthy path, both families.
check "healthy v4" null/NONE ok 0 -N "$C" 203.0.113.2:443
expect_jq "healthy v4: every station name is in the contract's vocabulary" "$LAST" \
	'[.stations[].station | IN("ingress-device","tc-ingress","prerouting","route","input","socket","forward","output","postrouting","conntrack","neighbour","tc-egress","qdisc","egress-device","pmtu","remote")] | all' true
expect_jq "healthy v4: query shape" "$LAST" '.query | [.direction,.family,.dst,.proto,.dport] | join(" ")' "egress inet 203.0.113.2 tcp 443"
expect_jq "healthy v4: route names gateway and table" "$LAST" '.stations[] | select(.station=="route") | .evidence | "\(.gateway) \(.table)"' "198.51.100.1 main"
check "healthy v6" null/NONE ok 0 -N "$C" "[2001:db8:2::2]:443"
check "healthy icmp (no port)" null/NONE ok 0 -N "$C" 203.0.113.2
expect_jq "no port means icmp" "$LAST" '.query.proto' icmp
run_json out "$PC" -N "$C" --prom 203.0.113.2:443
promcheck "healthy v4 --prom" "$out"

# No route: the client loses its default route.
nsrun cli ip route del default
check "no route v4" route/ROUTE_NONE fail 1 -N "$C" 203.0.113.2:443
expect_jq "no route v4: kernel error" "$LAST" '.stations[] | select(.station=="route") | .evidence.kernel_error' "Network is unreachable"
nsrun cli ip -6 route del default
check "no route v6" route/ROUTE_NONE fail 1 -N "$C" "[2001:db8:2::2]:443"
nsrun cli ip route add default via 198.51.100.1
nsrun cli ip -6 route add default via 2001:db8:1::1

# Special routes, each named as such.
for t in blackhole unreachable prohibit; do
	c=ROUTE_${t^^}
	nsrun cli ip route add $t 203.0.113.0/28
	check "$t v4" "route/$c" fail 1 -N "$C" 203.0.113.2:443
	expect_jq "$t v4: the route type is named" "$LAST" '.stations[] | select(.station=="route") | .evidence.type' $t
	expect_jq "$t v4: the prefix is named" "$LAST" '.stations[] | select(.station=="route") | .evidence.prefix' 203.0.113.0/28
	nsrun cli ip route del $t 203.0.113.0/28
	nsrun cli ip -6 route add $t 2001:db8:2::/64
	check "$t v6" "route/$c" fail 1 -N "$C" "[2001:db8:2::2]:443"
	expect_jq "$t v6: the route type is named" "$LAST" '.stations[] | select(.station=="route") | .evidence.type' $t
	nsrun cli ip -6 route del $t 2001:db8:2::/64
done

# A policy rule sends the flow to an empty table.
nsrun cli ip rule add to 203.0.113.0/26 lookup 100 pref 100
check "rule to empty table, default route behind it" route/ROUTE_TABLE_FALLTHROUGH warn 1 -N "$C" 203.0.113.2:443
expect_jq "rule to empty table: the passed rule is named" "$LAST" '.stations[] | select(.station=="route") | .evidence.passed_rule' "100: from all to 203.0.113.0/26 lookup 100"
nsrun cli ip route del default
check "rule to empty table, nothing behind it" route/ROUTE_NONE fail 1 -N "$C" 203.0.113.2:443
expect_jq "rule to empty table: tables tried" "$LAST" '.stations[] | select(.station=="route") | .evidence.tables_tried' "local, 100, main, default"
nsrun cli ip route add default via 198.51.100.1
nsrun cli ip rule del pref 100
# A table that throws the destination back (issue 19 item 5): the kernel goes on to the
# next rule (main), so does the explanation; no "table has no route" warning.
nsrun cli ip rule add pref 100 lookup 200
nsrun cli ip route add throw 203.0.113.0/26 table 200
if nsrun cli ping -c1 -W2 203.0.113.2 >/dev/null 2>&1; then t_ok "throw route: truth, ping answers through main"
else t_fail "throw route: truth, ping answers through main"; fi
check "throw route in table 200" null/NONE ok 0 -N "$C" 203.0.113.2:443
expect_ev "throw route: main decided" route '.evidence.table' main
expect_ev "throw route: no passed rule" route '.evidence.passed_rule // "none"' none
expect_ev "throw route: table 200 threw" route '.evidence.threw' "table 200: throw 203.0.113.0/26 (rule 100)"
# The same throw with nothing behind it: no route, and the throw is named.
nsrun cli ip route del default
if nsrun cli ping -c1 -W1 203.0.113.2 >/dev/null 2>&1; then t_fail "throw route, nothing behind it: truth, ping fails"
else t_ok "throw route, nothing behind it: truth, ping fails"; fi
check "throw route, nothing behind it" route/ROUTE_THROW fail 1 -N "$C" 203.0.113.2:443
nsrun cli ip route add default via 198.51.100.1
nsrun cli ip route del throw 203.0.113.0/26 table 200
nsrun cli ip rule del pref 100
# A rule that selects by mark: only the marked flow goes to the table with the blackhole.
nsrun cli ip route add blackhole default table 200
nsrun cli ip rule add fwmark 0x2a lookup 200 pref 200
check "mark rule: unmarked flow" null/NONE ok 0 -N "$C" 203.0.113.2:443
check "mark rule: marked flow" route/ROUTE_BLACKHOLE fail 1 -N "$C" --mark 0x2a 203.0.113.2:443
expect_jq "mark rule: table named" "$LAST" '.stations[] | select(.station=="route") | .evidence.table' 200
nsrun cli ip rule del pref 200

# A rule that selects by TOS (issue 19 item 7): only that TOS goes to the blackhole table.
nsrun cli ip route add blackhole default table 300
nsrun cli ip rule add tos 0x10 lookup 300 pref 150
if ! nsrun cli ip route get 203.0.113.2 tos 0x10 >/dev/null 2>&1 && nsrun cli ip route get 203.0.113.2 >/dev/null 2>&1
then t_ok "tos rule: truth, ip route get with tos 0x10 fails, without it routes"
else t_fail "tos rule: truth, ip route get with tos 0x10 fails, without it routes"; fi
check "tos rule: --tos 0x10" route/ROUTE_BLACKHOLE fail 1 -N "$C" --tos 0x10 203.0.113.2:443
expect_ev "tos rule: the table is named" route '.evidence.table' 300
expect_ev "tos rule: the rule is named" route '.summary | contains("(rule 150)")' true
check "tos rule: --dscp 4 is tos 0x10" route/ROUTE_BLACKHOLE fail 1 -N "$C" --dscp 4 203.0.113.2:443
check "tos rule: --tos 0x08 passes it" null/NONE ok 0 -N "$C" --tos 0x08 203.0.113.2:443
check "tos rule: no --tos warns" route/ROUTE_DEPENDS_ON_TOS warn 1 -N "$C" 203.0.113.2:443
expect_ev "tos rule: the rule depending on tos is named" route '.evidence.tos_rules[0]' "150: from all tos 0x10 lookup 300"
expect_ev "tos rule: the warning says so" route '.summary | contains("rule 150 selects on tos 0x10")' true
nsrun cli ip rule del pref 150
nsrun cli ip route del blackhole default table 300
# Egress link: the router's end goes down, the client's veth loses carrier.
nsrun rtr ip link set r0 down
check "egress link without carrier" egress-device/NO_CARRIER fail 1 -N "$C" 203.0.113.2:443
nsrun rtr ip link set r0 up
# The client's own device administratively down: its routes go, the device is named.
nsrun cli ip link set c0 down
check "egress link admin down" route/ROUTE_NONE fail 1 -N "$C" 203.0.113.2:443
expect_jq "egress link admin down: device named" "$LAST" '.stations[] | select(.station=="route") | .evidence.devices_down' c0
nsrun cli ip link set c0 up
# Down took the IPv6 address with it (the kernel removes it); put it back.
nsrun cli ip -6 addr replace 2001:db8:1::2/64 dev c0 nodad
nsrun cli ip route replace default via 198.51.100.1
nsrun cli ip -6 route replace default via 2001:db8:1::1

# A next hop that never answers ARP / NDP.
nsrun cli ip route add 203.0.113.32/27 via 198.51.100.50
nsrun cli ip -6 route add 2001:db8:3::/64 via 2001:db8:1::50
# As in an incident, the client keeps trying (IPv6 forgets a failed entry otherwise).
nsrun cli ping -c60 -i0.5 -W1 203.0.113.40 >/dev/null 2>&1 &
P4=$!
nsrun cli ping -6 -c60 -i0.5 -W1 2001:db8:3::1 >/dev/null 2>&1 &
P6=$!
wait_failed() {	# FAMILY ADDR: until the entry is FAILED, 20 s at most
	for _ in $(seq 1 40); do
		nsrun cli ip "$1" neigh show "$2" | grep -q FAILED && return 0
		sleep 0.5
	done
	return 1
}
# The kernel cycles such an entry (FAILED, INCOMPLETE again with the next ping,
# or gone when the garbage collector took it): wait until one read of
# pathcheck's own finds it unresolved, at most five times, then check exactly.
settle_failed() {	# FAMILY GATEWAY DEST
	for _ in 1 2 3 4 5; do
		wait_failed "$1" "$2" || return 1
		"$PC" -j -N "$C" "$3" 2>/dev/null | jq -e '.verdict.station == "neighbour"' >/dev/null && return 0
	done
	return 1
}
settle_failed -4 198.51.100.50 203.0.113.40:443
# The entry is FAILED for the moment between the last probe and the next ping: a few reads find it.
PC_TRIES=20 check "next hop FAILED v4" neighbour/NEIGH_FAILED fail 1 -N "$C" 203.0.113.40:443
expect_jq "next hop FAILED v4: drop reason" "$LAST" '.verdict.drop_reason' NEIGH_FAILED
settle_failed -6 2001:db8:1::50 "[2001:db8:3::1]:443"
PC_TRIES=20 check "next hop FAILED v6" neighbour/NEIGH_FAILED fail 1 -N "$C" "[2001:db8:3::1]:443"
kill $P4 $P6 2>/dev/null; wait $P4 $P6 2>/dev/null

# Output chain with policy drop and no rule that accepts.
nsrun cli nft add table inet pc
nsrun cli nft add chain inet pc out '{ type filter hook output priority 0; policy drop; }'
check "output policy drop" output/NFT_POLICY_DROP fail 1 -N "$C" 203.0.113.2:443
expect_jq "output policy drop: drop reason" "$LAST" '.verdict.drop_reason' NETFILTER_DROP
nsrun cli nft add rule inet pc out tcp dport 443 accept
check "output policy drop, rule accepts 443" null/NONE ok 0 -N "$C" 203.0.113.2:443
check "output policy drop, port 80 not accepted" output/NFT_POLICY_DROP fail 1 -N "$C" 203.0.113.2:80
nsrun cli nft add rule inet pc out ip daddr 203.0.113.2 tcp dport 80 drop
nsrun cli nft delete table inet pc
nsrun cli nft add table inet pc
nsrun cli nft add chain inet pc out '{ type filter hook output priority 0; policy accept; }'
nsrun cli nft add rule inet pc out ip daddr 203.0.113.2 tcp dport 80 counter drop
check "output drop by rule" output/NFT_RULE_DROP fail 1 -N "$C" 203.0.113.2:80
expect_jq "output drop by rule: rule text" "$LAST" '.stations[] | select(.station=="output") | .evidence.chains[0].rule' "ip daddr 203.0.113.2 tcp dport 80 counter drop"
expect_jq "output drop by rule: handle" "$LAST" '.stations[] | select(.station=="output") | .evidence.chains[0].rule_handle' 2
nsrun cli nft delete table inet pc

# The namespace by name (above) and by the PID of a process inside it.
nsrun cli sleep 30 &
SPID=$!
sleep 0.2
check "netns by pid" null/NONE ok 0 --netns-pid "$SPID" 203.0.113.2:443
expect_jq "netns by pid: named in output" "$LAST" '.netns' "pid:$SPID"
kill "$SPID" 2>/dev/null; wait "$SPID" 2>/dev/null

# Bad input: exit 2 and a message naming it.
bad() {
	local name=$1 needle=$2 out; shift 2
	run_json out "$PC" "$@"
	if [ "$RC" = 2 ] && grep -qF -- "$needle" <<<"$ERR"; then t_ok "bad input: $name"
	else t_fail "bad input: $name: exit $RC, stderr: $ERR"; fi
}
bad "port out of range" "99999" -N "$C" 203.0.113.2:99999
bad "port not a number" "port" -N "$C" 203.0.113.2:http
bad "address that is not one" "999.1.1.1" -N "$C" 999.1.1.1
bad "unknown device" "nosuch0" -N "$C" --oif nosuch0 203.0.113.2
bad "unknown netns" "nosuchns" -N nosuchns 203.0.113.2
bad "bad mark" "--mark" -N "$C" --mark 12q 203.0.113.2
bad "bad proto" "--proto" -N "$C" --proto gre 203.0.113.2
bad "icmp with a port" "icmp" -N "$C" --proto icmp 203.0.113.2:80
bad "family mismatch" "--from" -N "$C" --from 2001:db8:1::2 203.0.113.2
bad "bad tos" "--tos" -N "$C" --tos 256 203.0.113.2
bad "bad dscp" "--dscp" -N "$C" --dscp 64 203.0.113.2
bad "tos and dscp" "--dscp" -N "$C" --tos 0x10 --dscp 4 203.0.113.2
bad "no DEST" "DEST"
bad "unclosed bracket" "]" "[2001:db8::1:80"

# A source that is not ours: bind() would fail.
check "--from not local" socket/SOURCE_NOT_LOCAL fail 1 -N "$C" --from 198.51.100.99 203.0.113.2:443
check "--from local" null/NONE ok 0 -N "$C" --from 198.51.100.2 203.0.113.2:443

t_done
