#!/bin/bash
# pathcheck --follow on a Kubernetes-shaped node, built the way Calico wires pods: each pod
# (its own namespace) has one /32 (and /128) address on eth0 and a default route to a
# link-local gateway (169.254.1.1, fe80::1) that the node answers by proxy ARP (and an
# address on the host side for IPv6); the node routes each pod address to its veth
# (caliN). kube-proxy's nftables mode (table ip/ip6 kube-proxy, the shape of
# pkg/proxy/nftables/proxier.go: a services map, a numgen vmap to one chain per endpoint,
# a dnat there) load-balances a ClusterIP over three pods; a NetworkPolicy-style chain on
# the node guards one of them. The cluster's 10.96.0.0/12 and pod ranges are
# 203.0.113.0/24 and 2001:db8:96::/64, 2001:db8:a::/64 here. Every verdict is checked
# against real connections from the client pod.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
command -v socat >/dev/null || { t_skip "follow k8s" "no socat"; t_done; exit 0; }

lab_ns node cli pa pb pc ext
PIDS=()
trap 'kill "${PIDS[@]}" 2>/dev/null; lab_cleanup' EXIT
N=$(ns node); CLI=$(ns cli); X=$(ns ext)
nsrun node sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
i=10
for p in cli pa pb pc; do
	ip link add eth0 netns "$(ns $p)" type veth peer "cali$p" netns "$N"
	nsrun node ip link set "cali$p" up
	nsrun node sysctl -qw "net.ipv4.conf.cali$p.proxy_arp=1" "net.ipv4.neigh.cali$p.proxy_delay=0"
	nsrun node ip -6 addr add fe80::1/64 dev "cali$p" nodad
	nsrun "$p" ip link set eth0 up
	nsrun "$p" ip addr add "203.0.113.$i/32" dev eth0
	nsrun "$p" ip -6 addr add "2001:db8:a::$i/128" dev eth0 nodad
	nsrun "$p" ip route add 169.254.1.1 dev eth0 scope link
	nsrun "$p" ip route add default via 169.254.1.1 dev eth0
	nsrun "$p" ip -6 route add default via fe80::1 dev eth0
	nsrun node ip route add "203.0.113.$i/32" dev "cali$p"
	nsrun node ip -6 route add "2001:db8:a::$i/128" dev "cali$p"
	i=$((i + 1))
done
# pa, pb, pc serve 8080 and say who they are.
for p in pa pb pc; do
	ip netns exec "$(ns $p)" socat TCP6-LISTEN:8080,ipv6only=0,fork,reuseaddr "SYSTEM:echo $p" >/dev/null 2>&1 &
	PIDS+=($!)
done
# The outside: an uplink with the node's own address, for NodePort and the way out.
ip link add up0 netns "$N" type veth peer x0 netns "$X"
nsrun node ip link set up0 up
nsrun ext ip link set x0 up
nsrun node ip addr add 198.51.100.1/24 dev up0
nsrun ext ip addr add 198.51.100.2/24 dev x0
nsrun ext ip route add 203.0.113.0/24 via 198.51.100.1
nsrun ext ip -6 addr add 2001:db8:e::2/64 dev x0 nodad
nsrun node ip -6 addr add 2001:db8:e::1/64 dev up0 nodad
nsrun ext ip -6 route add 2001:db8:a::/64 via 2001:db8:e::1
# The node's default route: also what proxy ARP answers 169.254.1.1 by (a route out of another device); Calico sets proxy_delay 0, as here.
nsrun node ip route add default via 198.51.100.2
nsrun node ip -6 route add default via 2001:db8:e::2
ip netns exec "$X" socat TCP-LISTEN:80,fork,reuseaddr /dev/null >/dev/null 2>&1 &
PIDS+=($!)
kube() {	# FAMILY(ip|ip6) CLUSTERIP A B C
	local f=$1 vip=$2 a=$3 b=$4 c=$5 af=ipv4_addr d=ip
	[ "$f" = ip6 ] && { af=ipv6_addr; d=ip6; }
	nsrun node nft -f - <<N
table $f kube-proxy {
	map service-ips {
		type $af . inet_proto . inet_service : verdict
		elements = { $vip . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
	}
	map service-nodeports {
		type inet_proto . inet_service : verdict
		elements = { tcp . 30080 : goto external-ULMVA6XW-ns1/svc1/tcp/p80 }
	}
	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		jump services
	}
	chain services {
		$d daddr . meta l4proto . th dport vmap @service-ips
		fib daddr type local meta l4proto . th dport vmap @service-nodeports
	}
	chain external-ULMVA6XW-ns1/svc1/tcp/p80 {
		goto service-ULMVA6XW-ns1/svc1/tcp/p80
	}
	chain service-ULMVA6XW-ns1/svc1/tcp/p80 {
		numgen random mod 3 vmap { 0 : goto endpoint-A, 1 : goto endpoint-B, 2 : goto endpoint-C }
	}
	chain endpoint-A {
		meta l4proto tcp dnat to $a
	}
	chain endpoint-B {
		meta l4proto tcp dnat to $b
	}
	chain endpoint-C {
		meta l4proto tcp dnat to $c
	}
}
N
}
kube ip 203.0.113.100 203.0.113.11:8080 203.0.113.12:8080 203.0.113.13:8080
kube ip6 2001:db8:96::64 '[2001:db8:a::11]:8080' '[2001:db8:a::12]:8080' '[2001:db8:a::13]:8080'
sleep 0.3

# through ADDR PORT K: K connections from the client pod; "ok failed servers".
through() {
	local ok=0 bad=0 who seen=""
	for _ in $(seq "$3"); do
		if who=$(nsrun cli socat -T1 - "TCP:$1:$2,connect-timeout=1" </dev/null 2>/dev/null) && [ -n "$who" ]; then
			ok=$((ok + 1)); case " $seen " in *" $who "*) ;; *) seen="$seen $who";; esac
		else bad=$((bad + 1)); fi
	done
	echo "$ok $bad $(tr ' ' '\n' <<<"$seen" | sort | tr '\n' ',' | sed 's/^,//; s/,$//')"
}

# Pod to pod on the same node: proxy ARP for the gateway, the node's /32 route, the other veth.
read -r ok bad who <<<"$(through 203.0.113.12 8080 1)"
[ "$who" = pb ] && t_ok "pod to pod: traffic reaches pb" || t_fail "pod to pod: traffic $ok/$bad ($who)"
check "pod to pod" null/NONE ok 0 -N "$CLI" --follow 203.0.113.12:8080
expect_jq "pod to pod: the walk" "$LAST" '[.hops[].netns] | join(",")' "$CLI,$N,$(ns pb)"
expect_jq "pod to pod: delivered" "$LAST" '.follow.end' delivered
check "pod to pod v6" null/NONE ok 0 -N "$CLI" --follow '[2001:db8:a::12]:8080'
expect_jq "pod to pod v6: the walk" "$LAST" '[.hops[].netns] | join(",")' "$CLI,$N,$(ns pb)"

# Pod to ClusterIP: the DNAT splits the walk three ways in the node; each endpoint followed to its pod.
read -r ok bad who <<<"$(through 203.0.113.100 80 18)"
[ "$bad" = 0 ] && [ "$who" = "pa,pb,pc" ] && t_ok "ClusterIP: 18 of 18 connections, every endpoint answered" ||
	t_fail "ClusterIP: traffic $ok ok, $bad failed, endpoints $who"
check "ClusterIP" null/NONE ok 0 -N "$CLI" --follow 203.0.113.100:80
expect_jq "ClusterIP: three branches in the node" "$LAST" '.hops[1].branches | length' 3
expect_jq "ClusterIP: each branch delivered" "$LAST" '[.hops[1].branches[] | .follow.end] | join(",")' delivered,delivered,delivered
expect_jq "ClusterIP: each branch ends in its pod" "$LAST" \
	'[.hops[1].branches[] | .hops[-1].netns] | sort | join(",")' "$(ns pa),$(ns pb),$(ns pc)"
expect_jq "ClusterIP: all pass" "$LAST" '.verdict.summary | test("^all 3 branches pass")' true
check "ClusterIP v6" null/NONE ok 0 -N "$CLI" --follow '[2001:db8:96::64]:80'
expect_jq "ClusterIP v6: each branch ends in its pod" "$LAST" \
	'[.hops[1].branches[] | .hops[-1].netns] | sort | join(",")' "$(ns pa),$(ns pb),$(ns pc)"

# A NetworkPolicy on the node guards pb (Calico writes a chain per workload, reached from
# forward by its interface): one endpoint of three dies, and is named.
nsrun node nft -f - <<'N'
table inet calico {
	chain forward {
		type filter hook forward priority filter; policy accept;
		oifname "calipb" jump cali-tw-calipb
	}
	chain cali-tw-calipb {
		tcp dport 8080 drop
	}
}
N
read -r ok bad who <<<"$(through 203.0.113.100 80 24)"
[ "$ok" -gt 0 ] && [ "$bad" -gt 0 ] && [ "$who" = "pa,pc" ] && t_ok "policy: some connections fail ($bad of 24), pb never answers" ||
	t_fail "policy: traffic $ok ok, $bad failed, endpoints $who"
check "ClusterIP, one endpoint behind a policy" forward/NFT_RULE_DROP fail 1 -N "$CLI" --follow 203.0.113.100:80
expect_jq "policy: 1 of 3 die, pb named" "$LAST" '.verdict.summary | test("^1 of 3 branches die: .*dnat to 203.0.113.12:8080.*in netns '"$N"' at forward")' true
expect_jq "policy: in the node" "$LAST" '.verdict.netns' "$N"
check "ClusterIP v6, one endpoint behind a policy" forward/NFT_RULE_DROP fail 1 -N "$CLI" --follow '[2001:db8:96::64]:80'
check "pod to pb directly" forward/NFT_RULE_DROP fail 1 -N "$CLI" --follow 203.0.113.12:8080
check "pod to pa directly" null/NONE ok 0 -N "$CLI" --follow 203.0.113.11:8080
nsrun node nft delete table inet calico

# A broken endpoint behind the DNAT: pc's port closed.
kill "${PIDS[2]}" 2>/dev/null; wait "${PIDS[2]}" 2>/dev/null
read -r ok bad who <<<"$(through 203.0.113.100 80 24)"
[ "$ok" -gt 0 ] && [ "$bad" -gt 0 ] && t_ok "closed endpoint: some connections fail ($bad of 24)" ||
	t_fail "closed endpoint: traffic $ok ok, $bad failed, endpoints $who"
check "ClusterIP, one endpoint closed" socket/NO_LISTENER fail 1 -N "$CLI" --follow 203.0.113.100:80
expect_jq "closed endpoint: named in its pod" "$LAST" '.verdict.summary | test("^1 of 3 branches die: .*203.0.113.13:8080.*in netns '"$(ns pc)"' at socket")' true
ip netns exec "$(ns pc)" socat TCP6-LISTEN:8080,ipv6only=0,fork,reuseaddr "SYSTEM:echo pc" >/dev/null 2>&1 &
PIDS[2]=$!
sleep 0.3

# Pod to the outside: the node routes it by its uplink (no masquerade: ext routes the pod range back).
check "pod to outside" null/NONE ok 0 -N "$CLI" --round-trip 198.51.100.2:80
expect_jq "pod to outside: there and back" "$LAST" '.reply.follow.end + "@" + .reply.verdict.netns' "delivered@$CLI"
if nsrun cli socat -T2 /dev/null TCP:198.51.100.2:80,connect-timeout=2 2>/dev/null; then t_ok "pod to outside: traffic ok"
else t_fail "pod to outside: traffic failed"; fi

ip netns exec "$X" socat TCP6-LISTEN:81,ipv6only=1,fork,reuseaddr /dev/null >/dev/null 2>&1 &
PIDS+=($!)
sleep 0.2
check "pod to outside v6" null/NONE ok 0 -N "$CLI" --round-trip '[2001:db8:e::2]:81'
if nsrun cli socat -T2 /dev/null 'TCP:[2001:db8:e::2]:81,connect-timeout=2' 2>/dev/null; then t_ok "pod to outside v6: traffic ok"
else t_fail "pod to outside v6: traffic failed"; fi

# NodePort from outside: the node's address, every endpoint followed into its pod.
if ip netns exec "$X" socat -T1 - TCP:198.51.100.1:30080,connect-timeout=1 </dev/null 2>/dev/null | grep -q '^p[abc]$'; then
	t_ok "NodePort: traffic reaches a pod"; else t_fail "NodePort: traffic failed"; fi
check "NodePort" null/NONE ok 0 -N "$X" --follow 198.51.100.1:30080
expect_jq "NodePort: each branch ends in its pod" "$LAST" \
	'[.hops[1].branches[] | .hops[-1].netns] | sort | join(",")' "$(ns pa),$(ns pb),$(ns pc)"

if ip netns exec "$X" socat -T1 - 'TCP:[2001:db8:e::1]:30080,connect-timeout=1' </dev/null 2>/dev/null | grep -q '^p[abc]$'; then
	t_ok "NodePort v6: traffic reaches a pod"; else t_fail "NodePort v6: traffic failed"; fi
check "NodePort v6" null/NONE ok 0 -N "$X" --follow '[2001:db8:e::1]:30080'
expect_jq "NodePort v6: each branch ends in its pod" "$LAST" \
	'[.hops[1].branches[] | .hops[-1].netns] | sort | join(",")' "$(ns pa),$(ns pb),$(ns pc)"

t_done
