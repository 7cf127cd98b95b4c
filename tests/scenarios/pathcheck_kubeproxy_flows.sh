#!/bin/bash
# kube-proxy's own rulesets and packet flows. Each ruleset of tests/fixtures/kube-proxy-nft/
# (nftables mode) and tests/fixtures/kube-proxy-iptables/ (iptables mode, loaded with
# iptables-nft-restore) is what kube-proxy writes for one of its proxier tests (the README
# there says which test, at which commit, and how it was readdressed); the flows below are
# the packet flows of those tests (runPacketFlowTests: source, destination, the endpoints
# kube-proxy's tracer expects, or REJECT/DROP). The node namespace runs the ruleset; pods
# (endpoints, and the endpoint that is its own client) sit behind cali0, client pods behind
# cali1 (Calico's wiring: /32 routes, proxy ARP), external clients behind up0.
# For every flow: the truth is real connections from the flow's source (enough of them to
# meet every endpoint, each endpoint answering with its address and the peer it saw), then
# pathcheck on the node (--iif and --from as the flow says, from the node itself for the
# node's own addresses): the verdict, its station and cause, and for a load-balanced
# service the set of endpoints its branches DNAT to, must be the ones the traffic met.
cd "$(dirname "$0")/../.." || exit 1
export LC_ALL=C
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
command -v socat >/dev/null || { t_skip "kube-proxy flows" "no socat"; t_done; exit 0; }
FX=tests/fixtures

lab_ns node cli pods ext
PIDS=()
TMPD=$(mktemp -d)
trap 'kill "${PIDS[@]}" 2>/dev/null; rm -rf "$TMPD"; lab_cleanup' EXIT
N=$(ns node)
nsrun node sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1
for p in pods:cali0 cli:cali1; do
	r=${p%%:*} d=${p#*:}
	ip link add eth0 netns "$(ns "$r")" type veth peer "$d" netns "$N"
	nsrun node ip link set "$d" up
	nsrun node sysctl -qw "net.ipv4.conf.$d.proxy_arp=1" "net.ipv4.neigh.$d.proxy_delay=0"
	nsrun node ip -6 addr add fe80::1/64 dev "$d" nodad
	nsrun "$r" ip link set eth0 up
	nsrun "$r" ip route add 169.254.1.1 dev eth0 scope link
	nsrun "$r" ip route add default via 169.254.1.1 dev eth0
	nsrun "$r" ip -6 route add default via fe80::1 dev eth0
done
pod_addr() {	# ROLE DEV ADDR...: pod addresses, routed by the node to DEV
	local r=$1 d=$2 a; shift 2
	for a in "$@"; do
		case $a in
		*:*) nsrun "$r" ip -6 addr add "$a/128" dev eth0 nodad; nsrun node ip -6 route add "$a/128" dev "$d" ;;
		*) nsrun "$r" ip addr add "$a/32" dev eth0; nsrun node ip route add "$a/32" dev "$d" ;;
		esac
	done
}
# Endpoints (10.180.0.1-5 -> .11-.15, 10.180.2.1 -> .21, 10.0.1.1-3 -> .31-.33), the client pods (10.0.0.2 -> .2,
# and 10.180.0.2 -> .12, the client of TestClusterIPGeneral).
EPS4="198.51.100.11 198.51.100.13 198.51.100.14 198.51.100.15 198.51.100.21 198.51.100.31 198.51.100.32 198.51.100.33"
EPS12=$(seq -f '198.51.100.%g' 40 51 | paste -sd' ')	# a ClusterIP of 12 endpoints
EPS4="$EPS4 $EPS12"
EPS6="2001:db8:10:180::1 2001:db8:10:180::2:1"
# shellcheck disable=SC2086
pod_addr pods cali0 $EPS4 $EPS6
pod_addr cli cali1 198.51.100.2 198.51.100.12 2001:db8:10::2
# The node's own addresses (192.168.0.2, 192.168.1.2, and 192.168.99.11, which kube-proxy's
# fake node also owns) on its uplink; the outside (203.0.113.0/24 and 2600:5200::1).
ip link add up0 netns "$N" type veth peer x0 netns "$(ns ext)"
nsrun node ip link set up0 up
nsrun ext ip link set x0 up
nsrun node ip addr add 198.51.100.130/27 dev up0
nsrun node ip addr add 198.51.100.162/27 dev up0
nsrun node ip addr add 198.51.100.203/32 dev up0
nsrun node ip -6 addr add 2001:db8::1/64 dev up0 nodad
nsrun node ip -6 addr add 2001:db8:1::2/64 dev up0 nodad
nsrun node ip route add 203.0.113.0/25 dev up0
nsrun node ip route add 203.0.113.128/25 dev up0
nsrun node ip -6 route add 2001:db8:2600::1/128 dev up0
for a in 203.0.113.2 203.0.113.130; do nsrun ext ip addr add "$a/32" dev x0; done
nsrun ext ip -6 addr add 2001:db8:2600::1/128 dev x0 nodad
nsrun ext ip route add 198.51.100.128/27 dev x0
nsrun ext ip route add 198.51.100.160/27 dev x0
nsrun ext ip route add default via 198.51.100.130 dev x0
# The node's default route (everything not a pod or a node address leaves by the uplink).
nsrun ext ip addr add 198.51.100.129/32 dev x0
nsrun ext ip -6 addr add 2001:db8::2/64 dev x0 nodad
nsrun node ip route add default via 198.51.100.129 dev up0
nsrun node ip -6 route add default via 2001:db8::2 dev up0
nsrun ext ip -6 route add 2001:db8::/64 dev x0
nsrun ext ip -6 route add 2001:db8:1::/64 dev x0
nsrun ext ip -6 route add default via 2001:db8::1 dev x0

# Every endpoint answers with its address, port and the peer it saw (masquerade or not);
# socat's environment, as a colon in a SYSTEM command would end it.
ANSWER='SYSTEM:echo $SOCAT_SOCKADDR $SOCAT_SOCKPORT $SOCAT_PEERADDR'
listen() {	# ROLE PROTO ADDR PORT
	local b=$3
	case $3 in *:*) b="[$3]" ;; esac
	local tcp=TCP-LISTEN answer=$ANSWER
	# IPv6: the address itself, its colons as dots (socat writes SOCAT_SOCKADDR in full).
	case $3 in *:*) tcp=TCP6-LISTEN answer="SYSTEM:echo ${3//:/.} $4 \$SOCAT_PEERADDR" ;; esac
	if [ "$2" = udp ]; then	# (socat sets no SOCAT_SOCKADDR for UDP-RECVFROM; IPv4 only here)
		ip netns exec "$(ns "$1")" socat "UDP-RECVFROM:$4,bind=$b,fork" "SYSTEM:echo $3 $4 \$SOCAT_PEERADDR" >/dev/null 2>&1 &
	else
		ip netns exec "$(ns "$1")" socat "$tcp:$4,bind=$b,fork,reuseaddr" "$answer" >/dev/null 2>&1 &
	fi
	PIDS+=($!)
}
for a in $EPS4 $EPS6; do listen pods tcp "$a" 80; done
for a in 198.51.100.11 198.51.100.21; do
	listen pods tcp "$a" 8443; listen pods tcp "$a" 5353; listen pods udp "$a" 53
done
listen cli tcp 198.51.100.12 80	# svc2's endpoint in TestOverallNFTablesRules

# truth SRC PROTO DST PORT WANT: real connections from SRC's namespace (bound to SRC) to
# DST:PORT; prints "endpoints" (sorted, comma-separated address:port), or REFUSED, or
# TIMEOUT; MASQ=yes|no for the peer the endpoints saw. Tries until every endpoint of
# WANT has answered (at most 24 tries; an endpoint the rules do not name, met on the way, is
# in the answer); one try for a flow that is not answered.
truth() {
	local src=$1 proto=$2 dst=$3 port=$4 want=$5 role out err seen="" peers="" n=0 need empty=0
	role=$(src_role "$src")
	local hp=$dst:$port b=$src
	case $dst in *:*) hp="[$dst]:$port" b="[$src]" ;; esac
	need=$(tr ',' '\n' <<<"$want" | grep -c :)
	local tries=$((need * 8 > 24 ? need * 8 : 24))	# 12 endpoints: enough draws to meet each
	while [ "$n" -lt "$tries" ]; do
		n=$((n + 1))
		if [ "$proto" = udp ]; then
			out=$(echo x | ip netns exec "$(ns "$role")" timeout 2 socat -T0.6 - "UDP:$hp,bind=$b" 2>&1)
		else
			out=$(ip netns exec "$(ns "$role")" timeout 2 socat -T1 - "TCP:$hp,bind=$b,connect-timeout=0.3" </dev/null 2>&1)
		fi
		case $out in
		*"Connection refused"*) echo REFUSED; return ;;
		# A datagram can go missing on a loaded machine: UDP is not called unanswered before 3 tries.
		*"timed out"* | "") empty=$((empty + 1))
			[ -z "$seen" ] && { [ "$proto" != udp ] || [ "$empty" -ge 3 ]; } && { echo TIMEOUT; return; }
			continue ;;
		esac
		local a p peer ep
		read -r a p peer <<<"$out"
		ep=$a:$p
		case $a in *.*.*.*.*) a=${a//./:}; ep="[$a]:$p" ;; esac
		case ",$seen," in *",$ep,"*) ;; *) seen="${seen:+$seen,}$ep" ;; esac
		case " $peers " in *" $peer "*) ;; *) peers="$peers $peer" ;; esac
		[ "$(tr ',' '\n' <<<"$seen" | grep -c .)" -ge "$need" ] && break
	done
	# The node's own connections: masquerade picks the node's address, the source it
	# already has, so the endpoint cannot tell; "node" then, and the flow takes either.
	local masq=no
	local me=$src
	case $src in *:*) me="[$(full6 "$src")]" ;; esac
	for p in $peers; do [ "$p" != "$me" ] && masq=yes; done
	[ "$role" = node ] && masq=node
	echo "$(tr ',' '\n' <<<"$seen" | sort | paste -sd, -) MASQ=$masq"
}
# truth_sctp SRC DST PORT WANT: SCTP, which this kernel does not have (no CONFIG_IP_SCTP):
# nothing can connect or listen, so the truth is the packets themselves. INITs, each the
# first packet of a new association, are sent with a raw socket from SRC's namespace
# (tests/tools/sctp_init.py, a correct CRC32c: conntrack checks it), and captured on the
# endpoints' side (pods, eth0) to see where they arrive: the address:port they were
# DNATed to and the source they carry. Prints the endpoints met as truth() does, or
# TIMEOUT; sends as many INITs as truth() tries connections. A capture on the sender's
# side shows an ICMP error that answers them: "ICMP TYPE/CODE FROM" is printed then.
SCTP_SPORT=20000
truth_sctp() {
	local src=$1 dst=$2 port=$3 want=$4 role need count cp seen peers masq=no p
	role=$(src_role "$src")
	need=$(tr ',' '\n' <<<"$want" | grep -c :)
	count=$((need * 8 > 24 ? need * 8 : 24))
	SCTP_SPORT=$((SCTP_SPORT + 100))
	ip netns exec "$(ns pods)" python3 tests/tools/sctp_init.py capture eth0 2 "$SCTP_SPORT" "$count" >"$TMPD/cap" 2>&1 &
	cp=$!
	ip netns exec "$(ns "$role")" python3 tests/tools/sctp_init.py capture "$(src_dev "$src")" 2 "$SCTP_SPORT" "$count" \
		>"$TMPD/back" 2>&1 &
	local bp=$!
	for _ in $(seq 50); do grep -q ready "$TMPD/cap" && grep -q ready "$TMPD/back" && break; sleep 0.05; done
	ip netns exec "$(ns "$role")" python3 tests/tools/sctp_init.py send "$src" "$dst" "$port" "$SCTP_SPORT" "$count"
	wait "$cp" "$bp"
	seen=$(awk '$1 != "ready" && $1 != "icmp" { a = $1; if (a ~ /:/) a = "[" a "]"; print a ":" $2 }' "$TMPD/cap" | sort -u | paste -sd, -)
	peers=$(awk '$1 != "ready" && $1 != "icmp" { print $3 }' "$TMPD/cap" | sort -u)
	if [ -z "$seen" ]; then
		p=$(awk '$1 == "icmp" { print "ICMP " $2 "/" $3 " FROM " $4; exit }' "$TMPD/back")
		echo "${p:-TIMEOUT}"
		return
	fi
	for p in $peers; do [ "$p" != "$src" ] && masq=yes; done
	[ "$role" = node ] && masq=node
	echo "$seen MASQ=$masq"
}

# full6 ADDR: an IPv6 address in socat's full form (2001:0db8:0000:...), as it writes a peer.
full6() {
	local a=$1 head tail n g out=""
	case $a in *::*) head=${a%%::*} tail=${a#*::} ;; *) head=$a tail="" ;; esac
	local -a H T
	IFS=: read -ra H <<<"$head"
	IFS=: read -ra T <<<"$tail"
	n=$((8 - ${#H[@]} - ${#T[@]}))
	for g in "${H[@]}"; do out+=$(printf '%04x:' "0x$g"); done
	while [ "$n" -gt 0 ]; do out+="0000:"; n=$((n - 1)); done
	for g in "${T[@]}"; do out+=$(printf '%04x:' "0x$g"); done
	echo "${out%:}"
}
src_role() {
	case $1 in
	198.51.100.2 | 198.51.100.12 | 2001:db8:10::2) echo cli ;;
	198.51.100.1[1-5] | 198.51.100.21 | 2001:db8:10:180::*) echo pods ;;
	203.0.113.* | 2001:db8:2600::1) echo ext ;;
	*) echo node ;;
	esac
}
src_iif() { case $(src_role "$1") in cli) echo cali1 ;; pods) echo cali0 ;; ext) echo up0 ;; esac; }
src_dev() { case $(src_role "$1") in node) echo cali0 ;; ext) echo x0 ;; *) echo eth0 ;; esac; }	# where answers come back

# The endpoints pathcheck's branches (or its one walk) DNAT to, sorted.
# (nft writes "dnat to ADDR:PORT", iptables "-j DNAT --to-destination ADDR:PORT".)
PC_EPS='[(if (.branches // []) | length > 0 then [.branches[].choices] else [.stations[] | .. | strings] end)
	| .[] | scan("(?:dnat to|DNAT --to-destination) (\\[[0-9a-f:]+\\]:[0-9]+|[0-9.]+:[0-9]+)") | .[0]] | unique | join(",")'

FLOWS=0 PASSED=0
# flow FIXTURE NAME SRC PROTO DST PORT OUTPUT MASQ STATION/CAUSE
#   OUTPUT: the endpoints kube-proxy's tracer expects ("a:p,b:p"), REJECT, DROP, or
#   NONE (kube-proxy does not touch the packet: the node's own socket answers).
#   STATION/CAUSE: where pathcheck must name the death (REJECT, DROP, NONE flows);
#   null/NONE for a flow that reaches its endpoints.
flow() {
	local fx=$1 name=$2 src=$3 proto=$4 dst=$5 port=$6 want=$7 masq=$8 t hp iif fails=$T_FAILS
	local sc=$9
	FLOWS=$((FLOWS + 1))
	if [ "$proto" = sctp ]; then
		t=$(truth_sctp "$src" "$dst" "$port" "$want")
	else
		t=$(truth "$src" "$proto" "$dst" "$port" "$want")
	fi
	hp=$dst:$port
	case $dst in *:*) hp="[$dst]:$port" ;; esac
	iif=$(src_iif "$src")
	local args=(-N "$N" --from "$src" --proto "$proto")
	[ -n "$iif" ] && args+=(--iif "$iif")
	# SCTP has no connection to refuse: a reject is an ICMP port unreachable (type 3 code 3),
	# a node without SCTP answers protocol unreachable (3/2).
	local refused=REFUSED noproto=REFUSED
	[ "$proto" = sctp ] && refused="ICMP 3/3" noproto="ICMP 3/2"
	case $t in "ICMP "*) t=${t% FROM *} ;; esac
	case $want in
	REJECT) [ "$t" = "$refused" ] && t_ok "$fx: $name: truth: refused ($t)" || t_fail "$fx: $name: truth: $t, kube-proxy says REJECT"
		check "$fx: $name" "$sc" fail 1 "${args[@]}" "$hp" ;;
	DROP) [ "$t" = TIMEOUT ] && t_ok "$fx: $name: truth: no answer" || t_fail "$fx: $name: truth: $t, kube-proxy says DROP"
		check "$fx: $name" "$sc" fail 1 "${args[@]}" "$hp" ;;
	NONE) [ "$t" = "$noproto" ] && t_ok "$fx: $name: truth: the node refuses ($t)" || t_fail "$fx: $name: truth: $t, kube-proxy leaves it to the node"
		check "$fx: $name" "$sc" fail 1 "${args[@]}" "$hp" ;;
	*) [ "$t" = "$want MASQ=$masq" ] || [ "$t" = "$want MASQ=node" ] && t_ok "$fx: $name: truth: $t" || t_fail "$fx: $name: truth: $t, kube-proxy says $want masq $masq"
		check "$fx: $name" "$sc" ok 0 "${args[@]}" "$hp"
		expect_jq "$fx: $name: endpoints" "$LAST" "$PC_EPS" "$want" ;;
	esac
	[ "$T_FAILS" = "$fails" ] && PASSED=$((PASSED + 1))
}

load_nft() {
	nsrun node iptables-nft -t nat -F 2>/dev/null; nsrun node nft flush ruleset
	nsrun node nft -f "$FX/kube-proxy-nft/$1.nft" && t_ok "nft: $1 loads" || t_fail "nft: $1 does not load"
	nsrun node conntrack -F >/dev/null 2>&1
}
load_ipt() {
	nsrun node nft flush ruleset
	nsrun node iptables-nft-restore "$FX/kube-proxy-iptables/$1.iptables" && t_ok "iptables: $1 loads" || t_fail "iptables: $1 does not load"
	nsrun node conntrack -F >/dev/null 2>&1
}
[ -n "${KP_PAUSE:-}" ] && { echo "# lab $LAB up, paused"; sleep "$KP_PAUSE"; }
# ---- the flows, readdressed as the fixtures are (tests/fixtures/kube-proxy-nft/README.md).
# The name is kube-proxy's test case name; the expected output is its tracer's ("" there
# is NONE here).
P=198.51.100.2 X=203.0.113.2 XB=203.0.113.130 NODE=198.51.100.130 ALT=198.51.100.162
EP1=198.51.100.11:80 EP21=198.51.100.21:80

# ---- nftables: TestOverallNFTablesRules' ruleset (kube-proxy's own expected dump). Its test
# asserts no flows; these are the flows of the other tests, on the same services.
load_nft overall
flow overall "pod to cluster IP" $P tcp 198.51.100.105 80 $EP1 no null/NONE
flow overall "hairpin to cluster IP" 198.51.100.11 tcp 198.51.100.105 80 $EP1 yes null/NONE
flow overall "pod to cluster IP, 2 endpoints" $P tcp 198.51.100.108 80 198.51.100.14:80,198.51.100.15:80 no null/NONE
flow overall "external to external IP" $X tcp 198.51.100.225 80 198.51.100.14:80,198.51.100.15:80 yes null/NONE
flow overall "external to nodePort" $X tcp $NODE 3003 198.51.100.13:80 yes null/NONE
flow overall "node to nodePort" $NODE tcp $NODE 3003 198.51.100.13:80 yes null/NONE
flow overall "accepted external to LB" $X tcp 203.0.113.242 80 198.51.100.13:80 yes null/NONE
flow overall "blocked external to LB" $XB tcp 203.0.113.242 80 DROP - prerouting/NFT_RULE_DROP
flow overall "pod to LB (blocked by LoadBalancerSourceRanges)" $P tcp 203.0.113.242 80 DROP - prerouting/NFT_RULE_DROP
flow overall "pod to cluster IP with no endpoints" $P tcp 198.51.100.110 80 REJECT - forward/NFT_RULE_REJECT
flow overall "external to external IP, eTP Local, no local endpoints" $X tcp 198.51.100.214 80 DROP - forward/NFT_RULE_DROP
flow overall "external to LB, eTP Local, no local endpoints" $X tcp 203.0.113.241 80 DROP - forward/NFT_RULE_DROP
flow overall "external to nodePort, eTP Local, no local endpoints" $X tcp $NODE 3001 DROP - input/NFT_RULE_DROP
flow overall "node to LB, eTP Local (short-circuit local traffic)" $NODE tcp 203.0.113.241 80 198.51.100.12:80 yes null/NONE
flow overall "svc1 does not accept svc2's ports" $P tcp 198.51.100.105 443 REJECT - forward/NFT_RULE_REJECT
flow overall "packet to unallocated cluster ip" $P tcp 198.51.100.114 80 DROP - forward/NFT_RULE_DROP

# ---- nftables: TestNoEndpointsReject
load_nft no-endpoints
flow no-endpoints "pod to cluster IP with no endpoints" $P tcp 198.51.100.105 80 REJECT - forward/NFT_RULE_REJECT
flow no-endpoints "external to external IP with no endpoints" $X tcp 198.51.100.203 80 REJECT - input/NFT_RULE_REJECT
flow no-endpoints "pod to NodePort with no endpoints" $P tcp $NODE 3001 REJECT - input/NFT_RULE_REJECT
flow no-endpoints "external to NodePort with no endpoints" $X tcp $NODE 3001 REJECT - input/NFT_RULE_REJECT
flow no-endpoints "pod to LoadBalancer IP with no endpoints" $P tcp 203.0.113.241 80 REJECT - forward/NFT_RULE_REJECT
flow no-endpoints "external to LoadBalancer IP with no endpoints" $X tcp 203.0.113.241 80 REJECT - forward/NFT_RULE_REJECT

# ---- nftables: TestClusterIPGeneral
load_nft clusterip-general
C=198.51.100.12
flow clusterip-general "simple clusterIP" $C tcp 198.51.100.105 80 $EP1 no null/NONE
flow clusterip-general "hairpin to cluster IP" 198.51.100.11 tcp 198.51.100.105 80 $EP1 yes null/NONE
flow clusterip-general "clusterIP with multiple endpoints" $C tcp 198.51.100.106 80 $EP1,$EP21 no null/NONE
flow clusterip-general "clusterIP with TargetPort" $C tcp 198.51.100.106 443 198.51.100.11:8443,198.51.100.21:8443 no null/NONE
flow clusterip-general "clusterIP with TCP, UDP, and SCTP on same port (TCP)" $C tcp 198.51.100.106 53 198.51.100.11:5353,198.51.100.21:5353 no null/NONE
flow clusterip-general "clusterIP with TCP, UDP, and SCTP on same port (UDP)" $C udp 198.51.100.106 53 198.51.100.11:53,198.51.100.21:53 no null/NONE
flow clusterip-general "clusterIP with TCP, UDP, and SCTP on same port (SCTP)" $C sctp 198.51.100.106 53 198.51.100.11:53,198.51.100.21:53 no null/NONE
# (not kube-proxy's flow: its "TCP-only port does not match UDP traffic" for SCTP)
flow clusterip-general "TCP-only port does not match SCTP traffic" $C sctp 198.51.100.106 80 REJECT - forward/NFT_RULE_REJECT
flow clusterip-general "TCP-only port does not match UDP traffic" $C udp 198.51.100.106 80 REJECT - forward/NFT_RULE_REJECT
flow clusterip-general "svc1 does not accept svc2's ports" $C tcp 198.51.100.105 443 REJECT - forward/NFT_RULE_REJECT
flow clusterip-general "packet to unallocated cluster ip" $C tcp 198.51.100.114 80 DROP - forward/NFT_RULE_DROP

# ---- nftables: TestLoadBalancer
load_nft loadbalancer
flow loadbalancer "pod to cluster IP" $P tcp 198.51.100.105 80 $EP1 no null/NONE
flow loadbalancer "external to nodePort" $X tcp $NODE 3001 $EP1 yes null/NONE
flow loadbalancer "nodePort bypasses LoadBalancerSourceRanges" $XB tcp $NODE 3001 $EP1 yes null/NONE
# (not kube-proxy's flow) SCTP to the TCP nodePort: kube-proxy leaves it to the node, which
# has no SCTP (this kernel: no CONFIG_IP_SCTP) and answers ICMP protocol unreachable.
flow loadbalancer "SCTP to the TCP nodePort (the node has no SCTP)" $X sctp $NODE 3001 NONE - socket/PROTOCOL_UNREACHABLE
flow loadbalancer "accepted external to LB1" $X tcp 203.0.113.241 80 $EP1 yes null/NONE
flow loadbalancer "accepted external to LB2" $X tcp 203.0.113.242 80 $EP1 yes null/NONE
flow loadbalancer "blocked external to LB1" $XB tcp 203.0.113.241 80 DROP - prerouting/NFT_RULE_DROP
flow loadbalancer "blocked external to LB2" $XB tcp 203.0.113.242 80 DROP - prerouting/NFT_RULE_DROP
flow loadbalancer "pod to LB1 (blocked by LoadBalancerSourceRanges)" $P tcp 203.0.113.241 80 DROP - prerouting/NFT_RULE_DROP
flow loadbalancer "pod to LB2 (blocked by LoadBalancerSourceRanges)" $P tcp 203.0.113.242 80 DROP - prerouting/NFT_RULE_DROP
flow loadbalancer "node to LB1 (allowed by LoadBalancerSourceRanges)" $NODE tcp 203.0.113.241 80 $EP1 yes null/NONE
flow loadbalancer "node to LB2 (allowed by LoadBalancerSourceRanges)" $NODE tcp 203.0.113.242 80 $EP1 yes null/NONE
# Its last two flows: "the LB rules assume that when you connect from a node to a LB IP,
# something external to kube-proxy will cause the connection to be SNATted to the LB IP", so
# with the node in the source ranges the LB IPs are allowed as sources too; kube-proxy's
# tracer runs them through prerouting, a packet arriving with the LB IP as its source (a
# load balancer's hairpin). Here the outside (ext) owns the LB IPs and sends from them: its
# own packets to them take the uplink to the node (a policy rule for locally generated
# packets, iif lo, ahead of the local table; what arrives for them on x0 is still
# delivered), so the node sees source = destination = the LB IP on up0.
nsrun ext ip addr add 203.0.113.241/32 dev x0
nsrun ext ip addr add 203.0.113.242/32 dev x0
nsrun ext ip route add 203.0.113.240/29 via 198.51.100.130 dev x0 onlink table 100
nsrun ext ip rule add pref 10 iif lo to 203.0.113.240/29 lookup 100
nsrun ext ip rule del pref 0 lookup local
nsrun ext ip rule add pref 100 lookup local
flow loadbalancer "same node to LB1, SNATted to LB1 (implicitly allowed)" 203.0.113.241 tcp 203.0.113.241 80 $EP1 yes null/NONE
flow loadbalancer "same node to LB2, SNATted to LB2 (implicitly allowed)" 203.0.113.242 tcp 203.0.113.242 80 $EP1 yes null/NONE
# The same packet from an LB IP the source ranges do not name (.243, not this service's):
# kube-proxy's firewall chain drops it; not one of its flows, the check that the two
# above pass for the rule's reason.
nsrun ext ip addr add 203.0.113.243/32 dev x0
flow loadbalancer "from another LB IP to LB1 (not in the source ranges)" 203.0.113.243 tcp 203.0.113.241 80 DROP - prerouting/NFT_RULE_DROP
nsrun ext ip rule del pref 100 lookup local
nsrun ext ip rule add pref 0 lookup local
nsrun ext ip rule del pref 10
for a in 203.0.113.241 203.0.113.242 203.0.113.243; do nsrun ext ip addr del "$a/32" dev x0; done

# ---- nftables: TestExternalTrafficPolicyLocal, TestExternalTrafficPolicyCluster
load_nft etp-local
flow etp-local "pod to cluster IP hits both endpoints, unmasqueraded" $P tcp 198.51.100.105 80 $EP1,$EP21 no null/NONE
flow etp-local "pod to external IP hits both endpoints, unmasqueraded" $P tcp 198.51.100.203 80 $EP1,$EP21 no null/NONE
flow etp-local "external to external IP hits only local endpoint, unmasqueraded" $X tcp 198.51.100.203 80 $EP21 no null/NONE
flow etp-local "pod to LB IP hits only both endpoints, unmasqueraded" $P tcp 203.0.113.241 80 $EP1,$EP21 no null/NONE
flow etp-local "external to LB IP hits only local endpoint, unmasqueraded" $X tcp 203.0.113.241 80 $EP21 no null/NONE
flow etp-local "pod to NodePort hits both endpoints, unmasqueraded" $P tcp $NODE 3001 $EP1,$EP21 no null/NONE
flow etp-local "external to NodePort hits only local endpoint, unmasqueraded" $X tcp $NODE 3001 $EP21 no null/NONE
load_nft etp-cluster
flow etp-cluster "pod to cluster IP hits both endpoints, unmasqueraded" $P tcp 198.51.100.105 80 $EP1,$EP21 no null/NONE
flow etp-cluster "pod to external IP hits both endpoints, masqueraded" $P tcp 198.51.100.203 80 $EP1,$EP21 yes null/NONE
flow etp-cluster "external to external IP hits both endpoints, masqueraded" $X tcp 198.51.100.203 80 $EP1,$EP21 yes null/NONE
flow etp-cluster "pod to LB IP hits both endpoints, masqueraded" $P tcp 203.0.113.241 80 $EP1,$EP21 yes null/NONE
flow etp-cluster "external to LB IP hits both endpoints, masqueraded" $X tcp 203.0.113.241 80 $EP1,$EP21 yes null/NONE
flow etp-cluster "pod to NodePort hits both endpoints, masqueraded" $P tcp $NODE 3001 $EP1,$EP21 yes null/NONE
flow etp-cluster "external to NodePort hits both endpoints, masqueraded" $X tcp $NODE 3001 $EP1,$EP21 yes null/NONE

# ---- nftables: TestNodePorts, its four cases
load_nft nodeports-v4
flow nodeports-v4 "pod to cluster IP" $P tcp 198.51.100.105 80 $EP1,$EP21 no null/NONE
flow nodeports-v4 "external to nodePort" $X tcp $NODE 3001 $EP1,$EP21 yes null/NONE
flow nodeports-v4 "node to nodePort" $NODE tcp $NODE 3001 $EP1,$EP21 yes null/NONE
flow nodeports-v4 "secondary nodeIP ignores NodePorts" $X tcp $ALT 3001 NONE - socket/NO_LISTENER
load_nft nodeports-v4-multi
flow nodeports-v4-multi "pod to cluster IP" $P tcp 198.51.100.105 80 $EP1,$EP21 no null/NONE
flow nodeports-v4-multi "external to nodePort" $X tcp $NODE 3001 $EP1,$EP21 yes null/NONE
flow nodeports-v4-multi "node to nodePort" $NODE tcp $NODE 3001 $EP1,$EP21 yes null/NONE
flow nodeports-v4-multi "external to nodePort on secondary IP" $X tcp $ALT 3001 $EP1,$EP21 yes null/NONE
E6='[2001:db8:10:180::1]:80,[2001:db8:10:180::2:1]:80'
load_nft nodeports-v6
flow nodeports-v6 "pod to cluster IP" 2001:db8:10::2 tcp 2001:db8:172:30::41 80 $E6 no null/NONE
flow nodeports-v6 "external to nodePort" 2001:db8:2600::1 tcp 2001:db8::1 3001 $E6 yes null/NONE
flow nodeports-v6 "node to nodePort" 2001:db8::1 tcp 2001:db8::1 3001 $E6 yes null/NONE
flow nodeports-v6 "secondary nodeIP ignores NodePorts" 2001:db8:2600::1 tcp 2001:db8:1::2 3001 NONE - socket/NO_LISTENER
load_nft nodeports-v6-multi
flow nodeports-v6-multi "pod to cluster IP" 2001:db8:10::2 tcp 2001:db8:172:30::41 80 $E6 no null/NONE
flow nodeports-v6-multi "external to nodePort" 2001:db8:2600::1 tcp 2001:db8::1 3001 $E6 yes null/NONE
flow nodeports-v6-multi "node to nodePort" 2001:db8::1 tcp 2001:db8::1 3001 $E6 yes null/NONE
flow nodeports-v6-multi "external to nodePort on secondary IP" 2001:db8:2600::1 tcp 2001:db8:1::2 3001 $E6 yes null/NONE

# ---- nftables: TestInternalTrafficPolicy, its four cases and its "endpoints deleted"
for c in itp-cluster:198.51.100.31:80,198.51.100.32:80,198.51.100.33:80 itp-local-one:198.51.100.31:80 \
	itp-local-many:198.51.100.31:80,198.51.100.32:80; do
	load_nft "${c%%:*}"
	flow "${c%%:*}" "pod to ClusterIP" $P tcp 198.51.100.120 80 "${c#*:}" no null/NONE
done
load_nft itp-local-none
flow itp-local-none "no endpoints" $P tcp 198.51.100.120 80 DROP - forward/NFT_RULE_DROP
load_nft itp-deleted
flow itp-deleted "endpoints deleted" $P tcp 198.51.100.120 80 REJECT - forward/NFT_RULE_REJECT

# ---- iptables mode (iptables-nft): TestTracePacket's ruleset (the overall test's services)
# and its flows, then the same services' other flows. Its "no match" flow (to a pod
# address, no service) is left out; its "ACCEPT (NodePortHealthCheck)" goes on to the
# node's own socket, where nothing listens here.
load_ipt trace-packet
flow iptables "single endpoint" $P tcp 198.51.100.105 80 $EP1 no null/NONE
flow iptables "multiple endpoints" $P tcp 198.51.100.108 80 198.51.100.14:80,198.51.100.15:80 no null/NONE
flow iptables "LOCAL, KUBE-MARK-MASQ" $NODE tcp 198.51.100.214 80 198.51.100.12:80 yes null/NONE
flow iptables "DROP" $X tcp 198.51.100.214 80 DROP - forward/XT_RULE_DROP
flow iptables "ACCEPT (NodePortHealthCheck)" $NODE tcp $NODE 30000 NONE - socket/NO_LISTENER
flow iptables "REJECT" $P tcp 198.51.100.110 80 REJECT - forward/XT_RULE_REJECT
flow iptables "hairpin to cluster IP" 198.51.100.11 tcp 198.51.100.105 80 $EP1 yes null/NONE
flow iptables "external to nodePort" $X tcp $NODE 3003 198.51.100.13:80 yes null/NONE
flow iptables "external to external IP, 2 endpoints" $X tcp 198.51.100.225 80 198.51.100.14:80,198.51.100.15:80 yes null/NONE
flow iptables "accepted external to LB (source ranges)" $X tcp 203.0.113.242 80 198.51.100.13:80 yes null/NONE
flow iptables "blocked external to LB (source ranges)" $XB tcp 203.0.113.242 80 DROP - forward/XT_RULE_DROP
flow iptables "external to nodePort, eTP Local, no local endpoints" $X tcp $NODE 3001 DROP - input/XT_RULE_DROP
flow iptables "external to LB, eTP Local, no local endpoints" $X tcp 203.0.113.241 80 DROP - forward/XT_RULE_DROP

# ---- iptables mode: ClusterIPs of 3, 2 and 12 endpoints (statistic --probability chains), no endpoints
load_ipt clusterip-3
flow iptables-3 "clusterIP, 3 endpoints" $P tcp 198.51.100.105 80 $EP1,198.51.100.13:80,198.51.100.14:80 no null/NONE
flow iptables-3 "clusterIP, 2 endpoints" $P tcp 198.51.100.106 80 $EP1,$EP21 no null/NONE
flow iptables-3 "clusterIP, 3 endpoints, from outside the pod range" $X tcp 198.51.100.105 80 $EP1,198.51.100.13:80,198.51.100.14:80 yes null/NONE
flow iptables-3 "clusterIP with no endpoints" $P tcp 198.51.100.107 80 REJECT - forward/XT_RULE_REJECT
E12=$(sed 's/ /:80,/g; s/$/:80/' <<<"$EPS12")
flow iptables-3 "clusterIP, 12 endpoints (11 statistic choices)" $P tcp 198.51.100.111 80 $E12 no null/NONE

# ---- iptables mode: TestClusterIPGeneral's services (its SCTP flow through -m sctp, kube-proxy's
# match for an SCTP service port, and the SCTP DNAT). Its two flows that kube-proxy leaves
# alone ("TCP-only port does not match UDP traffic", "svc1 does not accept svc2's ports":
# no REJECT in iptables mode, the packet goes on to the node's default route) are left out.
load_ipt clusterip-general
flow iptables-general "simple clusterIP" $C tcp 198.51.100.105 80 $EP1 no null/NONE
flow iptables-general "hairpin to cluster IP" 198.51.100.11 tcp 198.51.100.105 80 $EP1 yes null/NONE
flow iptables-general "clusterIP with multiple endpoints" $C tcp 198.51.100.106 80 $EP1,$EP21 no null/NONE
flow iptables-general "clusterIP with TargetPort" $C tcp 198.51.100.106 443 198.51.100.11:8443,198.51.100.21:8443 no null/NONE
flow iptables-general "clusterIP with TCP, UDP, and SCTP on same port (TCP)" $C tcp 198.51.100.106 53 198.51.100.11:5353,198.51.100.21:5353 no null/NONE
flow iptables-general "clusterIP with TCP, UDP, and SCTP on same port (UDP)" $C udp 198.51.100.106 53 198.51.100.11:53,198.51.100.21:53 no null/NONE
flow iptables-general "clusterIP with TCP, UDP, and SCTP on same port (SCTP)" $C sctp 198.51.100.106 53 198.51.100.11:53,198.51.100.21:53 no null/NONE

echo "# $FLOWS flows, $PASSED with every assertion passing"
t_done
