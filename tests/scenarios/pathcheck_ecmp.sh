#!/bin/bash
# pathcheck on an ECMP route (issue 20 item 3): the client's route to the server has two
# next hops, one of them an address nobody answers. With fib_multipath_hash_policy=1
# the kernel hashes the source port, which pathcheck does not know: each next hop is a
# branch, walked to its own end ("1 of 2 branches die" at the neighbour). With policy 0
# the hash is of the addresses alone: the kernel's own answer is this flow's, the other
# next hop listed, not walked. The truth: TCP connects from 24 source ports.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

lab_three || exit 1
C=$(ns cli)
lab_veth cli c1 rtr r2 || exit 1
nsrun cli ip addr add 198.51.100.66/26 dev c1
nsrun rtr ip addr add 198.51.100.65/26 dev r2
# The server takes every connection (a full accept queue would drop SYNs itself).
nsrun srv python3 -c '
import socket
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", 8080)); s.listen(64); s.settimeout(120)
while True:
    c, _ = s.accept(); c.close()' &
LPID=$!
for _ in $(seq 1 20); do nsrun srv ss -ltn "sport = :8080" | grep -q LISTEN && break; sleep 0.1; done
# fates: of 24 connects from source ports 42000.., "OPENED DROPPED".
fates() {
	nsrun cli python3 -c '
import socket
o = d = 0
for p in range(42000, 42024):
    s = socket.socket(); s.settimeout(1.5)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("0.0.0.0", p))
    try:
        s.connect(("203.0.113.2", 8080)); o += 1
    except OSError:
        d += 1
    s.close()
print(o, d)'
}

# ---- policy 1: the ports are hashed; one next hop (198.51.100.70) answers nobody ----
nsrun cli sysctl -qw net.ipv4.fib_multipath_hash_policy=1
nsrun cli ip route replace 203.0.113.0/26 nexthop via 198.51.100.1 dev c0 nexthop via 198.51.100.70 dev c1
read -r o d <<<"$(fates)"
if [ "$o" -gt 0 ] && [ "$d" -gt 0 ]; then t_ok "policy 1, a dead next hop: truth, $o opened and $d died"
else t_fail "policy 1, a dead next hop: truth, $o opened and $d died (want both)"; fi
sleep 1
PC_TRIES=20 check "policy 1, a dead next hop" neighbour/NEIGH_FAILED fail 1 -N "$C" 203.0.113.2:8080
expect_jq "policy 1: 1 of 2 branches die" "$LAST" '.verdict.summary | test("^1 of 2 branches die: ECMP next hop of 2 = 1")' true
expect_jq "policy 1: the dead one named" "$LAST" '.verdict.summary | test("198.51.100.70 on c1 is (FAILED|INCOMPLETE)")' true
expect_jq "policy 1: two branches" "$LAST" '.branches | length' 2
expect_ev "policy 1: both next hops listed" route '[.evidence.next_hops[].gateway] | join(",")' "198.51.100.1,198.51.100.70"
expect_ev "policy 1: branches, the hash takes the port" route '.evidence.ecmp_branches' true
# With --sport the port is known: the kernel's answer is this flow's, no branch; the
# verdict as a connect from that very port fares.
for p in 42001 42002 42003 42004; do
	got=$(nsrun cli python3 -c '
import socket, sys
s = socket.socket(); s.settimeout(1.5); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1])))
try:
    s.connect(("203.0.113.2", 8080)); print("open")
except OSError:
    print("died")' "$p")
	t_ok "policy 1, source port $p: truth, $got"
	if [ "$got" = open ]; then check "policy 1, --sport $p ($got)" null/NONE ok 0 -N "$C" --sport "$p" 203.0.113.2:8080
	else PC_TRIES=20 check "policy 1, --sport $p ($got)" neighbour/NEIGH_FAILED fail 1 -N "$C" --sport "$p" 203.0.113.2:8080; fi
	expect_ev "policy 1, --sport $p: no branches" route '.evidence.ecmp_branches' false
done

# Both next hops live: every connect opens, every branch passes.
nsrun cli ip route replace 203.0.113.0/26 nexthop via 198.51.100.1 dev c0 nexthop via 198.51.100.65 dev c1
read -r o d <<<"$(fates)"
[ "$d" -eq 0 ] && t_ok "policy 1, both next hops live: truth, $o opened" || t_fail "policy 1, both live: truth, $d died"
check "policy 1, both next hops live" null/NONE ok 0 -N "$C" 203.0.113.2:8080
expect_jq "policy 1, both live: all 2 branches pass" "$LAST" '.verdict.summary | test("all 2 branches pass")' true

# ---- the same through a nexthop group (nexthop_compat_mode=0: the route names only the group) ----
nsrun cli sysctl -qw net.ipv4.nexthop_compat_mode=0
nsrun cli ip nexthop add id 1 via 198.51.100.1 dev c0
nsrun cli ip nexthop add id 2 via 198.51.100.70 dev c1
nsrun cli ip nexthop add id 10 group 1/2
nsrun cli ip route replace 203.0.113.0/26 nhid 10
# The dead member's neighbour is FAILED (from the connects above): the kernel passes over a
# group member whose neighbour is not valid (nexthop_is_good_nh), so every flow leaves by
# the live one; pathcheck lists both and follows the live one alone.
nsrun cli ip neigh show 198.51.100.70 dev c1 | grep -qE "FAILED|INCOMPLETE" &&
	t_ok "nexthop group: the dead member's neighbour is not valid" ||
	t_fail "nexthop group: neighbour of 198.51.100.70: $(nsrun cli ip neigh show 198.51.100.70 dev c1)"
read -r o d <<<"$(fates)"
[ "$d" -eq 0 ] && t_ok "nexthop group, a dead member: truth, all $o opened" ||
	t_fail "nexthop group, a dead member: truth, $o opened and $d died"
check "nexthop group, a dead member passed over" null/NONE ok 0 -N "$C" 203.0.113.2:8080
expect_ev "nexthop group: its members listed" route '[.evidence.next_hops[].gateway] | join(",")' "198.51.100.1,198.51.100.70"
expect_ev "nexthop group: the dead one passed over" route '.evidence.next_hops[1].passed_over | test("not valid")' true
expect_ev "nexthop group: the live one followed" route '.evidence.next_hops[0].followed' true
expect_jq "nexthop group: one walk" "$LAST" '.branches // [] | length' 0
nsrun cli ip route replace 203.0.113.0/26 via 198.51.100.1 dev c0
nsrun cli ip nexthop flush
nsrun cli sysctl -qw net.ipv4.nexthop_compat_mode=1

# ---- policy 0: the addresses alone; the kernel's answer is the flow's, every connect alike ----
nsrun cli sysctl -qw net.ipv4.fib_multipath_hash_policy=0
nsrun cli ip route replace 203.0.113.0/26 nexthop via 198.51.100.1 dev c0 nexthop via 198.51.100.70 dev c1
read -r o d <<<"$(fates)"
sleep 1
if [ "$o" -eq 24 ]; then what="all opened"
elif [ "$d" -eq 24 ]; then what="all died"
else what="$o opened and $d died"; fi
if [ "$o" -ne 24 ] && [ "$d" -ne 24 ]; then
	t_fail "policy 0: truth, $what (the hash of the addresses should send every flow one way)"
else
	t_ok "policy 0: truth, $what"
	if [ "$o" -eq 24 ]; then check "policy 0, as the truth ($what)" null/NONE ok 0 -N "$C" 203.0.113.2:8080
	else PC_TRIES=20 check "policy 0, as the truth ($what)" neighbour/NEIGH_FAILED fail 1 -N "$C" 203.0.113.2:8080; fi
	expect_ev "policy 0: no branches" route '.evidence.ecmp_branches' false
	expect_jq "policy 0: one walk" "$LAST" '.branches // [] | length' 0
	expect_ev "policy 0: the next hops listed" route '.evidence.next_hops | length' 2
fi
kill $LPID 2>/dev/null
t_done
