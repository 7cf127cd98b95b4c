#!/bin/bash
# pathcheck --follow on a Docker-shaped host: a container (ctr) on a bridge (br0, Docker's
# docker0; its 172.17.0.0/16 is 203.0.113.0/26 and 2001:db8:c::/64 here) behind the host
# (host), which masquerades the container's IPv4 traffic out of its uplink (up0) and
# publishes the container's port 80 as 8080 with a DNAT, as Docker does; an external
# server (ext) beyond the uplink. The walk starts in one namespace and goes on through the
# veths and the bridge; each verdict names the namespace and station where the traffic
# died, and the truth is real traffic in the same lab (socat, ping).
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
command -v socat >/dev/null || { t_skip "follow" "no socat"; t_done; exit 0; }

lab_ns ctr host ext
trap lab_cleanup EXIT
C=$(ns ctr); H=$(ns host); X=$(ns ext)
ip link add eth0 netns "$C" type veth peer vethc netns "$H"
ip link add up0 netns "$H" type veth peer x0 netns "$X"
nsrun host ip link add br0 type bridge
nsrun host ip link set vethc master br0
for l in br0 vethc up0; do nsrun host ip link set "$l" up; done
nsrun ctr ip link set eth0 up
nsrun ext ip link set x0 up
nsrun host ip addr add 203.0.113.1/26 dev br0
nsrun host ip -6 addr add 2001:db8:c::1/64 dev br0 nodad
nsrun ctr ip addr add 203.0.113.2/26 dev eth0
nsrun ctr ip -6 addr add 2001:db8:c::2/64 dev eth0 nodad
nsrun ctr ip route add default via 203.0.113.1
nsrun ctr ip -6 route add default via 2001:db8:c::1
nsrun host ip addr add 198.51.100.1/24 dev up0
nsrun host ip -6 addr add 2001:db8:e::1/64 dev up0 nodad
nsrun ext ip addr add 198.51.100.2/24 dev x0
nsrun ext ip -6 addr add 2001:db8:e::2/64 dev x0 nodad
# IPv6 is routed, not masqueraded: the server knows the way back to the container's prefix.
nsrun ext ip -6 route add 2001:db8:c::/64 via 2001:db8:e::1
nsrun host sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
nsrun host nft -f - <<'N'
table ip nat {
	chain prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		iifname "up0" tcp dport 8080 dnat to 203.0.113.2:80
	}
	chain postrouting {
		type nat hook postrouting priority srcnat; policy accept;
		oifname "up0" ip saddr 203.0.113.0/26 masquerade
	}
}
table inet filter {
	chain forward {
		type filter hook forward priority filter; policy accept;
	}
}
N
PIDS=()
for ns in "$C" "$X"; do
	ip netns exec "$ns" socat TCP6-LISTEN:80,ipv6only=0,fork,reuseaddr /dev/null >/dev/null 2>&1 &
	PIDS+=($!)
done
trap 'kill "${PIDS[@]}" 2>/dev/null; lab_cleanup' EXIT
sleep 0.3

# truth NAME NS ADDR PORT WANT(ok|fail): a real connection.
truth() {
	if ip netns exec "$2" socat -T2 /dev/null "TCP:$3:$4,connect-timeout=2" 2>/dev/null; then got=ok; else got=fail; fi
	[ "$got" = "$5" ] && t_ok "$1: traffic $got" || t_fail "$1: traffic $got, expected $5"
}
# walk NAME NETNS HOPS END: where the walk's verdict is, how many hops, how it ended.
walk() {
	expect_jq "$1: verdict netns" "$LAST" '.verdict.netns' "$2"
	expect_jq "$1: hops" "$LAST" '.hops | length' "$3"
	expect_jq "$1: end" "$LAST" '.follow.end' "$4"
}

# The container reaches the server: three hops, masqueraded on the way out.
truth "ctr to ext" "$C" 198.51.100.2 80 ok
check "ctr to ext" null/NONE ok 0 -N "$C" --follow 198.51.100.2:80
walk "ctr to ext" "$X" 3 delivered
expect_jq "ctr to ext: host is hop 2" "$LAST" '.hops[1].netns' "$H"
expect_jq "ctr to ext: masqueraded" "$LAST" '.hops[2].query.src' 198.51.100.1
expect_jq "ctr to ext: arrives on x0" "$LAST" '.hops[2].device_in' x0
expect_jq "ctr to ext: host forwards" "$LAST" '.hops[1].query.direction' forward
truth "ctr to ext v6" "$C" '[2001:db8:e::2]' 80 ok
check "ctr to ext v6" null/NONE ok 0 -N "$C" --follow '[2001:db8:e::2]:80'
walk "ctr to ext v6" "$X" 3 delivered
expect_jq "ctr to ext v6: not masqueraded" "$LAST" '.hops[2].query.src' 2001:db8:c::2

# The published port, from outside: uplink, DNAT, bridge (its fdb or the host that has the address), veth, socket.
truth "published port" "$X" 198.51.100.1 8080 ok
check "published port" null/NONE ok 0 -N "$X" --follow 198.51.100.1:8080
walk "published port" "$C" 3 delivered
expect_jq "published port: DNAT seen in ctr" "$LAST" '.hops[2].query.dst + ":" + (.hops[2].query.dport|tostring)' 203.0.113.2:80
expect_jq "published port: by the bridge" "$LAST" '.hops[2].via | test("^bridge br0 port vethc")' true
truth "to ctr v6" "$X" '[2001:db8:c::2]' 80 ok
check "to ctr v6" null/NONE ok 0 -N "$X" --follow '[2001:db8:c::2]:80'
walk "to ctr v6" "$C" 3 delivered

# There and back: the answer walked from the socket that took the packet, conntrack
# undoing the masquerade and the published port's DNAT on the way.
check "round trip ctr to ext" null/NONE ok 0 -N "$C" --round-trip 198.51.100.2:80
expect_jq "round trip ctr to ext: the answer ends in ctr" "$LAST" '.reply.follow.end + " " + .reply.verdict.netns' "delivered $C"
expect_jq "round trip ctr to ext: the answer's state" "$LAST" '.reply.query.ct_state + " " + .reply.query.ct_direction' "established reply"
expect_jq "round trip ctr to ext: masquerade undone" "$LAST" '.reply.hops[2].query.dst' 203.0.113.2
check "round trip ctr to ext v6" null/NONE ok 0 -N "$C" --round-trip '[2001:db8:e::2]:80'
check "round trip published port" null/NONE ok 0 -N "$X" --round-trip 198.51.100.1:8080
expect_jq "round trip published port: dnat undone on the way out" "$LAST" '.reply.hops[2].query.src + ":" + (.reply.hops[2].query.sport|tostring)' 198.51.100.1:8080
expect_jq "round trip published port: the answer's way" "$LAST" '[.reply.hops[].netns] | join(",")' "$C,$H,$X"
check "reply only" null/NONE ok 0 -N "$X" --reply 198.51.100.1:8080
expect_jq "reply only: the verdict is the answer's" "$LAST" '.verdict.of' answer

# Several at once: -f with --follow, each walk in its own thread and namespaces.
TF=$(mktemp)
chmod 644 "$TF"	# the snapshot half of PKTPATH_SNAPSHOT_TWICE reads it as nobody
printf '%s\n' "198.51.100.2:80 name=v4" "[2001:db8:e::2]:80 name=v6" "198.51.100.1:80 name=host" > "$TF"
# (the host itself has nothing on port 80: that walk dies at its socket)
truth "-f: the host's port 80" "$C" 198.51.100.1 80 fail
pc_run out "--follow -f" -N "$C" --follow --parallel 4 -f "$TF"
expect_rc "-f --follow" 1
expect_jq "-f --follow: how each walk ended" "$out" '[.results[].follow.end] | join(",")' delivered,delivered,dies
expect_jq "-f --follow: each in its namespace" "$out" '[.results[].verdict.netns] | join(",")' "$X,$X,$H"
expect_jq "-f --follow: the host's socket" "$out" '.results[2].verdict.station' socket
run_json prom "$PC" --prom -N "$C" --follow 198.51.100.2:80
promcheck "--follow --prom" "$prom"
expect_jq "--follow --prom: verdict_netns" "$(grep -c "^pktpath_pathcheck_verdict_info{.*verdict_netns=\"$X\"" <<<"$prom")" . 1
rm -f "$TF"

# Faults, one namespace at a time.
# The container's own route.
nsrun ctr ip route del default
nsrun ctr ip -6 route del default
truth "ctr without a route" "$C" 198.51.100.2 80 fail
check "ctr without a route" route/ROUTE_NONE fail 1 -N "$C" --follow 198.51.100.2:80
walk "ctr without a route" "$C" 1 dies
truth "ctr without a route v6" "$C" '[2001:db8:e::2]' 80 fail
check "ctr without a route v6" route/ROUTE_NONE fail 1 -N "$C" --follow '[2001:db8:e::2]:80'
walk "ctr without a route v6" "$C" 1 dies
nsrun ctr ip route add default via 203.0.113.1
nsrun ctr ip -6 route add default via 2001:db8:c::1

# The host's forwarding.
nsrun host sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
truth "host forwarding off" "$C" 198.51.100.2 80 fail
check "host forwarding off" forward/FORWARDING_DISABLED fail 1 -N "$C" --follow 198.51.100.2:80
walk "host forwarding off" "$H" 2 dies
truth "host forwarding off v6" "$C" '[2001:db8:e::2]' 80 fail
check "host forwarding off v6" forward/FORWARDING_DISABLED fail 1 -N "$C" --follow '[2001:db8:e::2]:80'
walk "host forwarding off v6" "$H" 2 dies
nsrun host sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1

# A rule in the host's forward chain, as DOCKER-USER would hold it.
nsrun host nft add rule inet filter forward iifname up0 oifname br0 tcp dport 80 drop
truth "forward rule" "$X" 198.51.100.1 8080 fail
check "forward rule" forward/NFT_RULE_DROP fail 1 -N "$X" --follow 198.51.100.1:8080
walk "forward rule" "$H" 2 dies
expect_jq "forward rule: the next command runs in host" "$LAST" '.verdict.hint | startswith("ip netns exec '"$H"' nft -a list chain")' true
truth "forward rule v6" "$X" '[2001:db8:c::2]' 80 fail
check "forward rule v6" forward/NFT_RULE_DROP fail 1 -N "$X" --follow '[2001:db8:c::2]:80'
walk "forward rule v6" "$H" 2 dies
truth "forward rule spares the way out" "$C" 198.51.100.2 80 ok
check "forward rule spares the way out" null/NONE ok 0 -N "$C" --follow 198.51.100.2:80
nsrun host nft flush chain inet filter forward

# The container's own firewall.
nsrun ctr nft -f - <<'N'
table inet f {
	chain input {
		type filter hook input priority filter; policy accept;
		tcp dport 80 drop
	}
}
N
truth "ctr input drop" "$X" 198.51.100.1 8080 fail
check "ctr input drop" input/NFT_RULE_DROP fail 1 -N "$X" --follow 198.51.100.1:8080
walk "ctr input drop" "$C" 3 dies
truth "ctr input drop v6" "$X" '[2001:db8:c::2]' 80 fail
check "ctr input drop v6" input/NFT_RULE_DROP fail 1 -N "$X" --follow '[2001:db8:c::2]:80'
walk "ctr input drop v6" "$C" 3 dies
nsrun ctr nft delete table inet f

# Nothing listens in the container on the published port's target.
truth "no listener" "$X" 198.51.100.1 8081 fail
nsrun host nft add rule ip nat prerouting iifname up0 tcp dport 8081 dnat to 203.0.113.2:81
check "no listener" socket/NO_LISTENER fail 1 -N "$X" --follow 198.51.100.1:8081
walk "no listener" "$C" 3 dies
truth "no listener (after the dnat)" "$X" 198.51.100.1 8081 fail

# The bridge port down: the bridge has no port left, and loses its carrier.
# (pathcheck first: the failed connection leaves the next hop INCOMPLETE, and the
# neighbour station, which comes first, would say that instead.)
nsrun host ip link set vethc down
check "bridge port down" egress-device/NO_CARRIER fail 1 -N "$X" --follow 198.51.100.1:8080
walk "bridge port down" "$H" 2 dies
truth "bridge port down" "$X" 198.51.100.1 8080 fail
nsrun host ip link set vethc up
nsrun ctr ip link set eth0 up

# A reply-only fault: the masquerade is gone. The request still arrives (the server's
# counter sees it), the answer has no way back: one-way says ok, --round-trip says where.
nsrun ext nft -f - <<'N'
table inet seen {
	chain input {
		type filter hook input priority filter; policy accept;
		ip saddr 203.0.113.2 tcp dport 80 counter
	}
}
N
nsrun host nft flush chain ip nat postrouting
truth "no masquerade" "$C" 198.51.100.2 80 fail
expect_jq "no masquerade: the request arrived" "$(nsrun ext nft -j list chain inet seen input)" \
	'[.nftables[] | select(.rule) | .rule.expr[] | select(.counter) | .counter.packets][0] > 0' true
check "no masquerade one way" null/NONE ok 0 -N "$C" --follow 198.51.100.2:80
check "no masquerade round trip" route/ROUTE_NONE fail 1 -N "$C" --round-trip 198.51.100.2:80
expect_jq "no masquerade round trip: in ext, the answer" "$LAST" '.verdict.netns + " " + .verdict.of' "$X answer"
expect_jq "no masquerade round trip: each next command in ext" "$LAST" '.verdict.hint' "ip netns exec $X ip route get 203.0.113.2; ip netns exec $X ip rule show"
nsrun host nft add rule ip nat postrouting oifname up0 ip saddr 203.0.113.0/26 masquerade
nsrun ext nft delete table inet seen

# The answer dropped by a rule the request never meets (the host's forward chain, replies to port 80).
nsrun host nft add rule inet filter forward iifname up0 oifname br0 tcp sport 80 drop
truth "answer dropped" "$C" 198.51.100.2 80 fail
check "answer dropped one way" null/NONE ok 0 -N "$C" --follow 198.51.100.2:80
check "answer dropped round trip" forward/NFT_RULE_DROP fail 1 -N "$C" --round-trip 198.51.100.2:80
expect_jq "answer dropped round trip: in host" "$LAST" '.verdict.netns + " " + .verdict.of' "$H answer"
nsrun host nft add rule inet filter forward iifname up0 oifname br0 ip6 nexthdr tcp tcp sport 80 drop
truth "answer dropped v6" "$C" '[2001:db8:e::2]' 80 fail
check "answer dropped round trip v6" forward/NFT_RULE_DROP fail 1 -N "$C" --round-trip '[2001:db8:e::2]:80'
nsrun host nft flush chain inet filter forward

# The answer comes back by another link and strict rp_filter drops it: the host sends from
# the address of up1 by up0 (its route), the server answers that address by up1.
ip link add up1 netns "$H" type veth peer x1 netns "$X"
nsrun host ip link set up1 up
nsrun ext ip link set x1 up
nsrun host ip addr add 203.0.113.65/26 dev up1
nsrun ext ip addr add 203.0.113.66/26 dev x1
# ext's unanswered solicitations keep the entry INCOMPLETE 3 x 4 s, not 3 x 1 s: long enough
# for the walks after the truth on a loaded machine (then FAILED, another verdict).
nsrun ext sysctl -qw net.ipv4.neigh.x1.retrans_time_ms=4000
nsrun host sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.up1.rp_filter=1
rp_truth() {	# NAME WANT
	if nsrun host socat -T2 /dev/null TCP:198.51.100.2:80,bind=203.0.113.65,connect-timeout=2 2>/dev/null; then
		got=ok; else got=fail; fi
	[ "$got" = "$2" ] && t_ok "$1: traffic $got" || t_fail "$1: traffic $got, expected $2"
}
# First the server cannot even resolve 203.0.113.65: it asks "tell 198.51.100.2" (the
# answer's source), and the host's rp_filter refuses that request on up1 (arp_process
# routes it like a packet). The answer dies in ext, at its neighbour.
rp_truth "rp_filter, unresolved" fail
check "rp_filter, unresolved: one way" null/NONE ok 0 -N "$H" --follow --from 203.0.113.65 198.51.100.2:80
check "rp_filter, unresolved: round trip" neighbour/NEIGH_INCOMPLETE fail 1 -N "$H" --round-trip --from 203.0.113.65 198.51.100.2:80
expect_jq "rp_filter, unresolved: in ext, the answer" "$LAST" '.verdict.netns + " " + .verdict.of' "$X answer"
# Resolved (an ARP from 203.0.113.66 passes the filter): now the answer itself arrives on up1
# and the reverse-path filter drops it, in host, at the route.
nsrun ext ip neigh flush dev x1
nsrun ext ping -c1 -W1 -I 203.0.113.66 203.0.113.65 >/dev/null
rp_truth "rp_filter" fail
check "rp_filter: one way" null/NONE ok 0 -N "$H" --follow --from 203.0.113.65 198.51.100.2:80
check "rp_filter: round trip" route/RPF fail 1 -N "$H" --round-trip --from 203.0.113.65 198.51.100.2:80
expect_jq "rp_filter: back in host, on up1" "$LAST" '.verdict.netns + " " + .reply.hops[1].device_in' "$H up1"
nsrun host sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.up1.rp_filter=0
rp_truth "rp_filter off" ok
check "rp_filter off round trip" null/NONE ok 0 -N "$H" --round-trip --from 203.0.113.65 198.51.100.2:80

# --ct-state: the container accepts only what belongs to a flow it has.
nsrun ctr nft -f - <<'N'
table inet f {
	chain input {
		type filter hook input priority filter; policy drop;
		ct state established,related accept
		iifname "lo" accept
	}
}
N
truth "stateful ctr: new from outside" "$X" '[2001:db8:c::2]' 80 fail
check "stateful ctr: new from outside" input/NFT_POLICY_DROP fail 1 -N "$X" --follow '[2001:db8:c::2]:80'
check "stateful ctr: --ct-state established" null/NONE ok 0 -N "$X" --follow --ct-state established '[2001:db8:c::2]:80'
truth "stateful ctr: its own flows come back" "$C" '[2001:db8:e::2]' 80 ok
check "stateful ctr: round trip of its own" null/NONE ok 0 -N "$C" --round-trip '[2001:db8:e::2]:80'
nsrun ctr nft delete table inet f

# The bridge port does not learn: the container's address leaves the fdb. Flooded, the
# frame still gets there; with flooding off too, it never does.
CMAC=$(nsrun ctr cat /sys/class/net/eth0/address)
nsrun host bridge link set dev vethc learning off
nsrun host bridge fdb del "$CMAC" dev vethc master 2>/dev/null
truth "port not learning, flooding" "$X" 198.51.100.1 8080 ok
check "port not learning, flooding" null/NONE ok 0 -N "$X" --follow 198.51.100.1:8080
expect_jq "port not learning, flooding: by a flood" "$LAST" '.hops[2].via | test("not in the fdb: flooded")' true
nsrun host bridge link set dev vethc flood off
nsrun host bridge fdb del "$CMAC" dev vethc master 2>/dev/null
check "port not learning, not flooding" egress-device/BRIDGE_PORT_BLOCKED fail 1 -N "$X" --follow 198.51.100.1:8080
expect_jq "port not learning, not flooding: said" "$LAST" '.verdict.summary | test("does not flood unknown unicast")' true
truth "port not learning, not flooding" "$X" 198.51.100.1 8080 fail
nsrun host bridge link set dev vethc learning on flood on

# The host's forward policy.
nsrun host nft add chain inet filter forward '{ policy drop; }'
truth "forward policy drop" "$C" 198.51.100.2 80 fail
check "forward policy drop" forward/NFT_POLICY_DROP fail 1 -N "$C" --follow 198.51.100.2:80
check "forward policy drop v6" forward/NFT_POLICY_DROP fail 1 -N "$C" --follow '[2001:db8:e::2]:80'
nsrun host nft add chain inet filter forward '{ policy accept; }'

# Container to container on the same bridge: bridged at layer 2, no IP forwarding on the
# host (its ip_forward off changes nothing), the fdb's port, the other container's socket.
lab_ns ctr2
C2=$(ns ctr2)
# vethd gets the lowest address: the bridge takes it as its own, and the container's
# neighbour entry for 203.0.113.1 keeps the old one (vethc's, still a local fdb entry).
ip link add eth0 netns "$C2" type veth peer vethd address 02:00:00:00:00:01 netns "$H"
nsrun host ip link set vethd master br0
nsrun host ip link set vethd up
nsrun ctr2 ip link set eth0 up
nsrun ctr2 ip addr add 203.0.113.3/26 dev eth0
nsrun ctr2 ip -6 addr add 2001:db8:c::3/64 dev eth0 nodad
ip netns exec "$C2" socat TCP6-LISTEN:80,ipv6only=0,fork,reuseaddr /dev/null >/dev/null 2>&1 &
PIDS+=($!)
sleep 0.3
# br_netfilter (built into this kernel; its bridge-nf-call sysctls are per namespace, 1 by
# default) hands bridged IP frames to the IP family's prerouting, forward and postrouting
# chains, with the bridge as in and out device and the ports for -m physdev: Docker's
# "icc": false is such a rule (-i docker0 -o docker0 -j DROP in FORWARD).
if nsrun host test -e /proc/sys/net/bridge/bridge-nf-call-iptables; then
	nsrun host sysctl -qw net.bridge.bridge-nf-call-iptables=1 net.bridge.bridge-nf-call-ip6tables=1
	truth "ctr to ctr2, br_netfilter on" "$C" 203.0.113.3 80 ok
	check "ctr to ctr2, br_netfilter on" null/NONE ok 0 -N "$C" --follow 203.0.113.3:80
	expect_jq "ctr to ctr2, br_netfilter on: the host's forward chains ran" "$LAST" \
		'.hops[1].stations[] | select(.station == "forward") | .evidence.chains[0].chain + "/" + (.evidence.bridge_nf_call | tostring)' "forward/1"
	nsrun host nft insert rule inet filter forward iifname br0 oifname br0 drop
	truth "icc off" "$C" 203.0.113.3 80 fail
	check "icc off" forward/NFT_RULE_DROP fail 1 -N "$C" --follow 203.0.113.3:80
	walk "icc off" "$H" 2 dies
	expect_jq "icc off: the rule" "$LAST" '.verdict.summary | test("iifname \"br0\" oifname \"br0\" drop")' true
	# (pathcheck first: the rule drops the neighbour solicitations too, and a failed connection
	# leaves the next hop INCOMPLETE, which the container's neighbour station would say first.)
	check "icc off v6" forward/NFT_RULE_DROP fail 1 -N "$C" --follow '[2001:db8:c::3]:80'
	truth "icc off v6" "$C" '[2001:db8:c::3]' 80 fail
	nsrun host nft flush chain inet filter forward
	# iptables-nft's -m physdev sees the ports.
	nsrun host iptables -A FORWARD -m physdev --physdev-in vethc --physdev-out vethd -p tcp --dport 80 -j DROP
	truth "physdev drop" "$C" 203.0.113.3 80 fail
	check "physdev drop" forward/XT_RULE_DROP fail 1 -N "$C" --follow 203.0.113.3:80
	expect_jq "physdev drop: the rule" "$LAST" '.verdict.summary | test("--physdev-in vethc --physdev-out vethd")' true
	truth "physdev drop spares v6" "$C" '[2001:db8:c::3]' 80 ok
	check "physdev drop spares v6" null/NONE ok 0 -N "$C" --follow '[2001:db8:c::3]:80'
	nsrun host iptables -F FORWARD
	nsrun host sysctl -qw net.bridge.bridge-nf-call-iptables=0 net.bridge.bridge-nf-call-ip6tables=0
	# Off: the IP chains never see the frame, a rule there changes nothing.
	nsrun host nft insert rule inet filter forward iifname br0 oifname br0 drop
	truth "icc rule, br_netfilter off" "$C" 203.0.113.3 80 ok
	check "icc rule, br_netfilter off" null/NONE ok 0 -N "$C" --follow 203.0.113.3:80
	nsrun host nft flush chain inet filter forward
else
	t_skip "ctr to ctr2, br_netfilter on" "no net.bridge sysctls: br_netfilter is not in this kernel"
fi
nsrun host sysctl -qw net.ipv4.ip_forward=0 net.ipv6.conf.all.forwarding=0
truth "ctr to ctr2" "$C" 203.0.113.3 80 ok
check "ctr to ctr2" null/NONE ok 0 -N "$C" --follow 203.0.113.3:80
expect_jq "ctr to ctr2: bridged in host" "$LAST" '.hops[1].bridged | test("^bridged by br0 from vethc to vethd")' true
expect_jq "ctr to ctr2: delivered in ctr2" "$LAST" '.follow.end + "@" + .verdict.netns' "delivered@$C2"
truth "ctr to ctr2 v6" "$C" '[2001:db8:c::3]' 80 ok
check "ctr to ctr2 v6" null/NONE ok 0 -N "$C" --follow '[2001:db8:c::3]:80'
check "ctr to ctr2 round trip" null/NONE ok 0 -N "$C" --round-trip 203.0.113.3:80
nsrun host sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
# A bridge-family rule drops it, in host, at forward.
nsrun host nft -f - <<'N'
table bridge bf {
	chain forward {
		type filter hook forward priority filter; policy accept;
		ether type ip tcp dport 80 drop
	}
}
N
truth "bridge-family drop" "$C" 203.0.113.3 80 fail
check "bridge-family drop" forward/NFT_RULE_DROP fail 1 -N "$C" --follow 203.0.113.3:80
walk "bridge-family drop" "$H" 2 dies
expect_jq "bridge-family drop: named" "$LAST" '.verdict.summary | test("table bridge bf chain forward .*ether type ip tcp dport 80 drop")' true
truth "bridge-family drop spares v6" "$C" '[2001:db8:c::3]' 80 ok
check "bridge-family drop spares v6" null/NONE ok 0 -N "$C" --follow '[2001:db8:c::3]:80'
nsrun host nft delete table bridge bf
# Routed out by the bridge: the host's frames meet the bridge family's output chains on
# the way to the port (the bridge is their in device there); forward chains are not theirs.
nsrun host nft -f - <<'N' || t_fail "bridge output chain: not loaded"
table bridge bo {
	chain out {
		type filter hook output priority filter; policy accept;
		oifname "vethc" tcp dport 80 drop
	}
}
N
truth "bridge output drop" "$X" 198.51.100.1 8080 fail
check "bridge output drop" egress-device/NFT_RULE_DROP fail 1 -N "$X" --follow 198.51.100.1:8080
walk "bridge output drop" "$H" 2 dies
expect_jq "bridge output drop: named" "$LAST" '.verdict.summary | test("bridge br0, on its way to port vethc, at the bridge family.s output: dropped by rule in table bridge bo chain out")' true
check "bridge output drop v6" egress-device/NFT_RULE_DROP fail 1 -N "$X" --follow '[2001:db8:c::2]:80'
truth "bridge output drop v6" "$X" '[2001:db8:c::2]' 80 fail
nsrun host nft delete table bridge bo
truth "bridge output gone" "$X" 198.51.100.1 8080 ok
check "bridge output gone" null/NONE ok 0 -N "$X" --follow 198.51.100.1:8080
# A drop policy behind a rule pathcheck cannot decide (a rate limit): the traffic passes
# at this rate, and the walk says it cannot tell, never ok.
nsrun host nft -f - <<'N' || t_fail "bridge output limit: not loaded"
table bridge bl {
	chain out {
		type filter hook output priority filter; policy drop;
		limit rate 50/second accept
	}
}
N
truth "bridge output limit" "$X" 198.51.100.1 8080 ok
check "bridge output limit" egress-device/UNDECIDED_RULE unknown 3 -N "$X" --follow 198.51.100.1:8080
expect_jq "bridge output limit: named" "$LAST" '.verdict.summary | test("bridge bl chain out \\(policy drop\\).*limit")' true
nsrun host nft delete table bridge bl

# The container named by a process in it, as docker inspect -f '{{.State.Pid}}' gives it.
check "--netns-pid" null/NONE ok 0 --netns-pid "${PIDS[0]}" --follow 198.51.100.2:80
expect_jq "--netns-pid: the walk starts in ctr" "$LAST" '.hops[0].netns' "$C"

# Started inside a namespace with no /run/netns name (a container entered with nsenter): the
# walk names it by a process that lives in it, not by pathcheck's own pid, which is gone
# once the run ends. The namespace is this test's own, held by its sleep.
unshare -n sleep 120 &
UPID=$!
for i in $(seq 20); do [ "$(readlink /proc/$UPID/ns/net)" != "$(readlink /proc/$$/ns/net)" ] && break; sleep 0.05; done
run_json out nsenter -t "$UPID" -n "$PC" -j --follow 203.0.113.9:80
expect_jq "unnamed namespace: named by the process in it" "$out" '.hops[0].netns' "pid:$UPID"
kill "$UPID" 2>/dev/null; wait "$UPID" 2>/dev/null

# Bad input stays bad input.
run_json out "$PC" --reply --round-trip 198.51.100.2:80
expect_rc "--reply with --round-trip" 2
run_json out "$PC" --ct-state closed 198.51.100.2:80
expect_rc "--ct-state closed" 2
run_json out "$PC" --follow --probe 198.51.100.2:80
expect_rc "--follow with --probe" 2

t_done
