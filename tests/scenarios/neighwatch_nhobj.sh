#!/bin/bash
# neighwatch: routes through nexthop objects (ip nexthop, as FRR installs them).
# With net.ipv4.nexthop_compat_mode=0 the kernel's route dump names only the
# object (nhid), no gateway: neighwatch must read the objects to find the next
# hops, a group's members included. IPv4 and IPv6.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh

lab_ns cli peer || exit 1
lab_veth cli c0 peer p0 || exit 1
nsrun cli ip addr add 198.51.100.2/26 dev c0
nsrun cli ip -6 addr add 2001:db8:1::2/64 dev c0 nodad
nsrun peer ip addr add 198.51.100.3/26 dev p0
nsrun peer ip -6 addr add 2001:db8:1::3/64 dev p0 nodad
if ! nsrun cli ip nexthop add id 10 via 198.51.100.50 dev c0 2>/dev/null; then
	t_skip "nexthop objects" "this kernel or iproute2 has none"; t_done; exit
fi
nsrun cli ip nexthop add id 11 via 198.51.100.3 dev c0
nsrun cli ip nexthop add id 20 group 10/11,3
nsrun cli ip nexthop add id 30 via 2001:db8:1::50 dev c0
nsrun cli ip route add 203.0.113.0/26 nhid 10
nsrun cli ip route add 203.0.113.64/26 nhid 20
nsrun cli ip -6 route add 2001:db8:2::/64 nhid 30
nsrun cli sysctl -qw net.ipv4.nexthop_compat_mode=0
# The precondition that makes this test mean something: the dump names no gateway.
gw=$(nsrun cli ip -j route show 203.0.113.0/26 | jq -r '.[0].gateway // "none"')
if [ "$gw" = none ]; then t_ok "compat mode off: the route dump names only nhid"
else t_fail "compat mode off: the route dump still names gateway $gw"; fi

nsrun cli ping -c1 -W1 198.51.100.3 >/dev/null 2>&1
nsrun cli ping -c1 -W1 203.0.113.10 >/dev/null 2>&1 &
nsrun cli ping -6 -c1 -W1 2001:db8:2::10 >/dev/null 2>&1 &
wait
for i in $(seq 1 40); do
	n=$(nsrun cli ip neigh show nud failed | wc -l)
	[ "$n" -ge 2 ] && break
	sleep 0.25
done

run_json out "$BIN/neighwatch" -N "$(ns cli)" -j
expect_rc "a FAILED gateway behind a nexthop object" 1
expect_jq "the object's gateway is a next hop" "$out" \
	'[.findings[] | select(.kind=="nexthop_failed" and .dst=="198.51.100.50")][0] | [.severity,.device,.state] | join(" ")' \
	'fail c0 FAILED'
expect_jq "its routes: the single object and the group" "$out" \
	'[.next_hops[] | select(.gateway=="198.51.100.50")][0].routes | join("|")' \
	'203.0.113.0/26 nhid 10 via 198.51.100.50 dev c0 table main|203.0.113.64/26 nhid 20 nexthop via 198.51.100.50 dev c0 weight 1 nexthop via 198.51.100.3 dev c0 weight 3 table main'
expect_jq "the group's answering member" "$out" \
	'[.next_hops[] | select(.gateway=="198.51.100.3")][0] | [.state, .route_count] | map(tostring) | join(" ")' 'REACHABLE 1'
expect_jq "IPv6 object's gateway" "$out" \
	'[.findings[] | select(.kind=="nexthop_failed" and .dst=="2001:db8:1::50")][0].routes[0]' \
	'2001:db8:2::/64 nhid 30 via 2001:db8:1::50 dev c0 table main'
expect_jq "no warning about unread objects" "$out" '[.warnings[] | select(test("nexthop object"))] | length' '0'

# --dev keeps the group's paths on that device.
run_json out "$BIN/neighwatch" -N "$(ns cli)" --dev c0 -4 -j
expect_jq "--dev c0: both gateways" "$out" '[.next_hops[].gateway] | sort | join(" ")' '198.51.100.3 198.51.100.50'

# A route whose object is removed cannot exist (the kernel deletes it with the
# object); a group member removed shrinks the group: the gateway goes away.
nsrun cli ip nexthop del id 11
run_json out "$BIN/neighwatch" -N "$(ns cli)" -4 -j
expect_jq "member removed: its gateway is no longer a next hop" "$out" \
	'[.next_hops[] | select(.gateway=="198.51.100.3")] | length' '0'

run_json out "$BIN/neighwatch" -N "$(ns cli)" --prom
promcheck "--prom with nexthop objects" "$out"
if grep -q '^pktpath_neighwatch_nexthop_routes{family="inet",device="c0",gateway="198.51.100.50",state="FAILED",netns="[^"]*"} 2$' <<<"$out"; then
	t_ok "prom: the object's gateway with its 2 routes"; else t_fail "prom: the object's gateway with its 2 routes"; grep nexthop_routes <<<"$out" | sed 's/^/# /'; fi

# pathcheck names the object, and the path the kernel chose through it.
run_json out "$BIN/pathcheck" -N "$(ns cli)" -j 203.0.113.10:80
expect_jq "pathcheck: the route names nhid 10 and its gateway" "$out" \
	'[.stations[] | select(.station=="route")][0].summary | test("^203.0.113.0/26 nhid 10 via 198.51.100.50 dev c0 table main")' 'true'
t_done
