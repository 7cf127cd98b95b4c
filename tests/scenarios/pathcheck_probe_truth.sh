#!/bin/bash
# pathcheck --probe tells the truth (issue 15): every path on which the probe once
# said "TCP handshake ... completed" while nothing answered, built for real, each
# probed from a clean neighbour table and right after a failed connect (the next
# hop left INCOMPLETE, as an SRE's own failed curl leaves it), three times in a row,
# IPv4 and IPv6; the truth checked by socat and ping in the same lab. And the IPv6
# closed port: refused, never "FAIL at input".
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

if ! command -v socat >/dev/null; then
	t_skip "probe truth" "no socat (tests/lib/deps.sh installs it)"; t_done; exit
fi
lab_three
C=$(ns cli)
# Resolution gives up after 3 solicitations 100 ms apart instead of 1 s apart: the same
# failures (EHOSTUNREACH on the client, ICMP host unreachable from the router), sooner.
for d in "cli c0" "rtr r0" "rtr r1"; do
	set -- $d
	nsrun "$1" sysctl -qw "net.ipv4.neigh.$2.retrans_time_ms=100" "net.ipv6.neigh.$2.retrans_time_ms=100" >/dev/null
done
# Proxy ARP answers at once, not after up to proxy_delay (0.8 s), which would outlast that.
nsrun rtr sysctl -qw net.ipv4.neigh.r0.proxy_delay=0
# A TCP service on the server, both families, for at most 300 s.
ip netns exec "$(ns srv)" python3 -c '
import socket, time
t = socket.socket(socket.AF_INET6); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); t.bind(("::", 8080)); t.listen(64)
end = time.time() + 300
while time.time() < end:
    c, _ = t.accept(); c.close()' >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; lab_cleanup' EXIT
sleep 0.5

V4=203.0.113.2 V6=2001:db8:2::2
target() { if [ "$1" = 6 ]; then echo "[$V6]:8080"; else echo "$V4:8080"; fi; }
# truth FAM: does an independent client connect? (0: yes)
truth() { local a=$V4; [ "$1" = 6 ] && a=$V6; nsrun cli socat -u /dev/null "TCP$1:$(target "$1"),connect-timeout=1" 2>/dev/null; }
# fail_first FAM: a failed connect just before, as the user's own attempt.
fail_first() { truth "$1"; true; }

# probe_case NAME FAM STATION/CAUSE OUTCOME: 3 runs from a clean table, 3 right after a failed connect.
probe_case() {
	local name=$1 fam=$2 station=$3 outcome=$4 i mode st
	for mode in clean after-failed-connect; do
		for i in 1 2 3; do
			nsrun cli ip neigh flush all 2>/dev/null; nsrun rtr ip neigh flush all 2>/dev/null
			if [ "$mode" = after-failed-connect ]; then
				fail_first "$fam"
				st=$(nsrun cli ip -"$fam" neigh show | awk '{print $NF}' | sort -u | tr '\n' ' ')
				echo "# $name v$fam run $i: neighbour states after the failed connect: ${st:-none}"
			fi
			check "$name v$fam $mode #$i" "$station" fail 1 -N "$C" --probe --timeout "${TMO:-1.5}" "$(target "$fam")"
			expect_ev "$name v$fam $mode #$i: outcome $outcome" remote ".evidence.outcome | test(\"^($outcome)\$\")" true
			expect_jq "$name v$fam $mode #$i: never connected" "$LAST" \
				'[.stations[] | select(.summary | test("handshake .* completed"))] | length' 0
		done
	done
	if truth "$fam"; then t_fail "$name v$fam: socat connected, the path is not broken"
	else t_ok "$name v$fam: socat cannot connect either"; fi
}

# ---- healthy first: the same probe and socat agree it works ----
for fam in 4 6; do
	check "healthy v$fam" null/NONE ok 0 -N "$C" --probe "$(target $fam)"
	expect_ev "healthy v$fam: decided by the wire and getpeername" remote '.evidence.decided_by' "wire, getpeername"
	if truth $fam; then t_ok "healthy v$fam: socat connects"; else t_fail "healthy v$fam: socat connects"; fi
done

# ---- 1. the route's gateway does not exist ----
nsrun cli ip route replace default via 198.51.100.50
nsrun cli ip -6 route replace default via 2001:db8:1::50
# From a clean table the SYN waits on the resolution (silence); after a failed connect the kernel fails it.
probe_case "gateway missing" 4 neighbour/NEIGH_FAILED "send_error|silence"
probe_case "gateway missing" 6 neighbour/NEIGH_FAILED "send_error|silence"
nsrun cli ip route replace default via 198.51.100.1
nsrun cli ip -6 route replace default via 2001:db8:1::1

# ---- 2. the router answers ICMP host unreachable (its own next hop does not exist) ----
nsrun rtr ip route add $V4/32 via 203.0.113.50 dev r1
nsrun rtr ip -6 route add $V6/128 via 2001:db8:2::50 dev r1
# The router resolves its missing next hop for 3 x 100 ms before it answers: wait longer than that.
TMO=2
probe_case "host unreachable from the router" 4 remote/REMOTE_ICMP_ERROR icmp_error
expect_ev "host unreachable v4: the router is the offender" remote '.evidence.offender' 198.51.100.1
probe_case "host unreachable from the router" 6 remote/REMOTE_ICMP_ERROR icmp_error
expect_ev "host unreachable v6: the router is the offender" remote '.evidence.offender' 2001:db8:1::1
TMO=1.5
nsrun rtr ip route del $V4/32
nsrun rtr ip -6 route del $V6/128
if nsrun cli ping -c1 -W2 $V4 >/dev/null; then t_ok "router restored: ping answers"; else t_fail "router restored: ping answers"; fi

# ---- 3. a gateway answered by proxy ARP, then proxy_arp turned off (IPv4: proxy ARP is IPv4's) ----
nsrun rtr sysctl -qw net.ipv4.conf.r0.proxy_arp=1
nsrun cli ip route replace default via 203.0.113.60 dev c0 onlink
check "proxy ARP on" null/NONE ok 0 -N "$C" --probe "$(target 4)"
nsrun rtr sysctl -qw net.ipv4.conf.r0.proxy_arp=0
probe_case "proxy_arp off" 4 neighbour/NEIGH_FAILED "send_error|silence"
nsrun cli ip route replace default via 198.51.100.1

# ---- 4. a tc egress filter dropping every packet (ARP and NDP too) ----
nsrun cli tc qdisc add dev c0 clsact
# matchall with a drop action where the kernel has them; else classic BPF returning TC_ACT_SHOT.
nsrun cli tc filter add dev c0 egress matchall action drop 2>/dev/null ||
	nsrun cli tc filter add dev c0 egress bpf da bytecode "1,6 0 0 2,"
probe_case "tc egress drop" 4 neighbour/NEIGH_FAILED "send_error|silence"
probe_case "tc egress drop" 6 neighbour/NEIGH_FAILED "send_error|silence"
if nsrun cli ping -c1 -W1 $V4 >/dev/null; then t_fail "tc egress drop: ping fails"; else t_ok "tc egress drop: ping fails"; fi
nsrun cli tc qdisc del dev c0 clsact

# ---- the IPv6 closed port: a RST, and a later NO_SOCKET drop never overturns it ----
for i in 1 2 3; do
	check "closed port v6 #$i" remote/REMOTE_REFUSED fail 1 -N "$C" --probe "[$V6]:8081"
	expect_ev "closed port v6 #$i: refused" remote '.evidence.outcome' refused
done
check "closed port v4" remote/REMOTE_REFUSED fail 1 -N "$C" --probe "$V4:8081"
if nsrun cli socat -u /dev/null "TCP6:[$V6]:8081,connect-timeout=2" 2>&1 | grep -q refused; then
	t_ok "closed port v6: socat is refused too"; else t_fail "closed port v6: socat is refused too"; fi

# ---- a signal stops the probe in flight, and its nft trace table goes with it ----
nsrun cli ip route replace default via 198.51.100.50
nsrun cli timeout -s INT 1 "$PC" --probe --trace --timeout 10 "$V4:8080" >/dev/null 2>&1 &
W=$!
T0=$(date +%s.%N)
wait $W; RCW=$?
T1=$(date +%s.%N)
if awk -v a="$T0" -v b="$T1" 'BEGIN { exit !(b - a < 4) }'; then t_ok "SIGINT: the probe ended at once ($RCW)"; else t_fail "SIGINT: the probe ended at once"; fi
if nsrun cli nft list tables 2>/dev/null | grep -q pktpath; then t_fail "SIGINT: the trace table is gone"
else t_ok "SIGINT: the trace table is gone"; fi
nsrun cli ip route replace default via 198.51.100.1
t_done
