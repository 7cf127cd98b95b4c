#!/bin/bash
# pathcheck for packets that arrive (issue 3): ingress to a local address and
# forwarding through a router, IPv4 and IPv6, from configuration and counters
# alone. Each fault is built for real; verdict station, status and exit code are
# asserted from -j.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

ev() { jq -r ".stations[] | select(.station==\"$1\") | $2" <<<"$LAST"; }

# A TCP listener in namespace ROLE on ADDR:PORT (backlog BL), for at most 60 s.
listen_tcp() {
	nsrun "$1" python3 -c '
import socket, sys, time
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind((sys.argv[1], int(sys.argv[2])))
s.listen(int(sys.argv[3]))
print("up", flush=True)
time.sleep(600)' "$2" "$3" "${4:-128}" &
	LPIDS="$LPIDS $!"
	for _ in $(seq 1 20); do nsrun "$1" ss -ltn "sport = :$3" | grep -q LISTEN && return 0; sleep 0.1; done
	return 1
}
stop_listeners() { for p in $LPIDS; do kill "$p" 2>/dev/null; done; wait $LPIDS 2>/dev/null; LPIDS=""; }
LPIDS=""

lab_three
R=$(ns rtr); S=$(ns srv)
FWD4=(-N "$R" --from 198.51.100.2 --iif r0)
FWD6=(-N "$R" --from 2001:db8:1::2 --iif r0)
IN4=(-N "$S" --from 198.51.100.2 --iif s0)
IN6=(-N "$S" --from 2001:db8:1::2 --iif s0)

# ---- healthy paths ----
check "forward v4 healthy" null/NONE ok 0 "${FWD4[@]}" 203.0.113.2:443
expect_jq "forward v4: direction from the kernel's answer" "$LAST" '.query.direction' forward
expect_jq "forward v4: stations in path order" "$LAST" '[.stations[].station] | join(",")' \
	"ingress-device,tc-ingress,prerouting,route,forward,postrouting,conntrack,neighbour,tc-egress,qdisc,egress-device,pmtu"
check "forward v6 healthy" null/NONE ok 0 "${FWD6[@]}" "[2001:db8:2::2]:443"
listen_tcp srv 0.0.0.0 8080
listen_tcp srv :: 8086
check "ingress v4 healthy" null/NONE ok 0 "${IN4[@]}" 203.0.113.2:8080
expect_jq "ingress v4: direction" "$LAST" '.query.direction' ingress
expect_jq "ingress v4: stations in path order" "$LAST" '[.stations[].station] | join(",")' \
	"ingress-device,tc-ingress,prerouting,route,input,socket,conntrack"
check "ingress v6 healthy" null/NONE ok 0 "${IN6[@]}" "[2001:db8:2::2]:8086"
check "ingress v4 to a dual-stack [::] listener" null/NONE ok 0 "${IN4[@]}" 203.0.113.2:8086
check "ingress icmp" null/NONE ok 0 "${IN4[@]}" 203.0.113.2
run_json out "$PC" --prom "${FWD4[@]}" 203.0.113.2:443
promcheck "forward --prom" "$out"

# ---- route for input ----
# rp_filter strict with an asymmetric route: 198.51.100.64/26 lives behind the server.
nsrun rtr ip route add 198.51.100.64/26 via 203.0.113.2
nsrun rtr sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.r0.rp_filter=1
check "rp_filter strict, asymmetric" route/RPF fail 1 -N "$R" --from 198.51.100.70 --iif r0 203.0.113.2:443
expect_jq "rp_filter strict: drop reason" "$LAST" '.verdict.drop_reason' IP_RPFILTER
expect_ev "rp_filter strict: the way back is named" route '.evidence.reverse_route | test("dev r1")' true
nsrun rtr sysctl -qw net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.r0.rp_filter=2
check "rp_filter loose, asymmetric" null/NONE ok 0 -N "$R" --from 198.51.100.70 --iif r0 203.0.113.2:443
nsrun rtr sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.r0.rp_filter=0
# Martian source.
check "martian source (loopback)" route/MARTIAN_SOURCE fail 1 -N "$R" --from 127.0.0.9 --iif r0 203.0.113.2:443
expect_jq "martian source: drop reason" "$LAST" '.verdict.drop_reason' IP_INVALID_SOURCE
check "martian source (our own address)" route/MARTIAN_SOURCE fail 1 -N "$R" --from 203.0.113.1 --iif r0 203.0.113.2:443
check "martian source v6 (loopback)" route/MARTIAN_SOURCE fail 1 -N "$R" --from ::1 --iif r0 "[2001:db8:2::2]:443"
check "martian source v6 (multicast)" route/MARTIAN_SOURCE fail 1 -N "$R" --from ff02::1 --iif r0 "[2001:db8:2::2]:443"
# Blackhole on the router, told apart from rp_filter.
nsrun rtr ip route add blackhole 203.0.113.0/28
check "blackhole on the router" route/ROUTE_BLACKHOLE fail 1 "${FWD4[@]}" 203.0.113.2:443
expect_ev "blackhole on the router: named as a blackhole, not rp_filter" route '.evidence.type' blackhole
nsrun rtr ip route del blackhole 203.0.113.0/28
# More specific than the connected /64, so it wins the lookup.
nsrun rtr ip -6 route add blackhole 2001:db8:2::/120
check "blackhole on the router v6" route/ROUTE_BLACKHOLE fail 1 "${FWD6[@]}" "[2001:db8:2::2]:443"
expect_ev "blackhole v6: type" route '.evidence.type' blackhole
nsrun rtr ip -6 route del blackhole 2001:db8:2::/120

# ---- forward ----
nsrun rtr sysctl -qw net.ipv4.ip_forward=0
check "ip_forward off" forward/FORWARDING_DISABLED fail 1 "${FWD4[@]}" 203.0.113.2:443
expect_jq "ip_forward off: drop reason" "$LAST" '.verdict.drop_reason' IP_INADDRERRORS
nsrun rtr sysctl -qw net.ipv4.ip_forward=1
nsrun rtr sysctl -qw net.ipv6.conf.all.forwarding=0
check "IPv6 forwarding off" forward/FORWARDING_DISABLED fail 1 "${FWD6[@]}" "[2001:db8:2::2]:443"
nsrun rtr sysctl -qw net.ipv6.conf.all.forwarding=1

nsrun rtr nft -f - <<'NFT'
table inet fw {
	set blocked { type ipv4_addr; elements = { 198.51.100.33 } }
	set blocked6 { type ipv6_addr; flags interval; elements = { 2001:db8:1::30-2001:db8:1::3f } }
	chain quarantine { counter drop; }
	chain fw_in {
		type filter hook forward priority 0; policy accept;
		ip daddr 203.0.113.2 tcp dport 22 counter drop
		ip6 daddr 2001:db8:2::2 tcp dport 22 counter drop
		ip saddr @blocked counter drop
		ip6 saddr @blocked6 counter drop
		tcp dport 25 jump quarantine
		udp dport 53 reject
		tcp dport 111 limit rate 1/second drop
	}
}
NFT
check "FORWARD drop by rule" forward/NFT_RULE_DROP fail 1 "${FWD4[@]}" 203.0.113.2:22
expect_ev "FORWARD drop: rule handle named" forward '.evidence.chains[0].rule_handle' "$(nsrun rtr nft -a list chain inet fw fw_in | awk '/tcp dport 22 counter/ && /203.0.113.2/ {print $NF}')"
expect_ev "FORWARD drop: rule text" forward '.evidence.chains[0].rule' "ip daddr 203.0.113.2 tcp dport 22 counter drop"
check "FORWARD drop by rule v6" forward/NFT_RULE_DROP fail 1 "${FWD6[@]}" "[2001:db8:2::2]:22"
check "FORWARD other port passes" null/NONE ok 0 "${FWD4[@]}" 203.0.113.2:443
check "rule matching a named set" forward/NFT_RULE_DROP fail 1 -N "$R" --from 198.51.100.33 --iif r0 203.0.113.2:443
expect_ev "named set: the set is named" forward '.evidence.chains[0].rule' "ip saddr @blocked counter drop"
check "jump into a user chain that drops" forward/NFT_RULE_DROP fail 1 "${FWD4[@]}" 203.0.113.2:25
expect_ev "jump: the path is shown" forward '.evidence.path' "fw_in -> quarantine"
check "reject in FORWARD" forward/NFT_RULE_REJECT fail 1 "${FWD4[@]}" --proto udp 203.0.113.2:53
expect_ev "reject: result" forward '.evidence.chains[0].result' reject
check "rule matching a named interval set v6" forward/NFT_RULE_DROP fail 1 -N "$R" --from 2001:db8:1::33 --iif r0 "[2001:db8:2::2]:443"
check "named interval set v6: outside the interval" null/NONE ok 0 -N "$R" --from 2001:db8:1::40 --iif r0 "[2001:db8:2::2]:443"
check "jump into a user chain that drops v6" forward/NFT_RULE_DROP fail 1 "${FWD6[@]}" "[2001:db8:2::2]:25"
check "reject in FORWARD v6" forward/NFT_RULE_REJECT fail 1 "${FWD6[@]}" --proto udp "[2001:db8:2::2]:53"
check "a rule shape pathcheck does not evaluate" forward/UNDECIDED_RULE unknown 3 "${FWD4[@]}" 203.0.113.2:111
expect_ev "unknown shape: why" forward '.evidence.chains[0].why_unknown | test("limit")' true
nsrun rtr nft delete table inet fw

# ---- input ----
nsrun srv nft -f - <<'NFT'
table inet host {
	chain in {
		type filter hook input priority 0; policy drop;
		ct state established,related accept
		iifname "lo" accept
		ip6 nexthdr icmpv6 accept
		tcp dport 8080 accept
		tcp dport 9000 ip saddr 198.51.100.2 counter drop
		tcp dport 9006 ip6 saddr 2001:db8:1::2 counter drop
	}
}
NFT
check "INPUT policy drop, accept for another port" input/NFT_POLICY_DROP fail 1 "${IN4[@]}" 203.0.113.2:8086
expect_ev "INPUT policy drop: named as the policy" input '.evidence.chains[0].result' "policy drop"
check "INPUT accept rule for this port" null/NONE ok 0 "${IN4[@]}" 203.0.113.2:8080
check "INPUT drop by rule" input/NFT_RULE_DROP fail 1 "${IN4[@]}" 203.0.113.2:9000
expect_ev "INPUT drop by rule: text" input '.evidence.chains[0].rule' "tcp dport 9000 ip saddr 198.51.100.2 counter drop"
check "INPUT v6 policy drop" input/NFT_POLICY_DROP fail 1 "${IN6[@]}" "[2001:db8:2::2]:8086"
check "INPUT v6 drop by rule" input/NFT_RULE_DROP fail 1 -N "$S" --from 2001:db8:1::2 --iif s0 "[2001:db8:2::2]:9006"
nsrun srv nft delete table inet host

# ---- socket ----
listen_tcp srv 127.0.0.1 8081
listen_tcp srv ::1 8082
check "service bound to 127.0.0.1, asked on the external address" socket/LISTENER_LOOPBACK_ONLY fail 1 "${IN4[@]}" 203.0.113.2:8081
expect_jq "bound to 127.0.0.1: drop reason" "$LAST" '.verdict.drop_reason' NO_SOCKET
expect_ev "bound to 127.0.0.1: where it is bound" socket '.evidence.bound' 127.0.0.1
check "service bound to ::1, asked on the external address" socket/LISTENER_LOOPBACK_ONLY fail 1 "${IN6[@]}" "[2001:db8:2::2]:8082"
expect_ev "bound to ::1: where it is bound" socket '.evidence.bound' ::1
check "no listener" socket/NO_LISTENER fail 1 "${IN4[@]}" 203.0.113.2:8090
check "no listener v6" socket/NO_LISTENER fail 1 "${IN6[@]}" "[2001:db8:2::2]:8090"
# Bound to another address of the host: the packet for this one finds no socket.
nsrun srv ip addr add 203.0.113.3/32 dev lo
listen_tcp srv 203.0.113.3 8083
if nsrun cli socat -u /dev/null TCP4:203.0.113.2:8083,connect-timeout=1 2>/dev/null; then
	t_fail "bound to another address: truth, a connect to 203.0.113.2:8083 fails"
else t_ok "bound to another address: truth, a connect to 203.0.113.2:8083 fails"; fi
check "service bound to another address" socket/LISTENER_OTHER_ADDRESS fail 1 "${IN4[@]}" 203.0.113.2:8083
expect_ev "bound to another address: where it is bound" socket '.evidence.bound' 203.0.113.3
nsrun srv ip addr del 203.0.113.3/32 dev lo
# Echo requests ignored by the host.
nsrun srv sysctl -qw net.ipv4.icmp_echo_ignore_all=1
if nsrun cli ping -c1 -W1 203.0.113.2 >/dev/null 2>&1; then t_fail "echo ignored: truth, ping gets no answer"
else t_ok "echo ignored: truth, ping gets no answer"; fi
check "echo requests ignored" socket/ICMP_ECHO_IGNORED fail 1 "${IN4[@]}" 203.0.113.2
nsrun srv sysctl -qw net.ipv4.icmp_echo_ignore_all=0
# The other protocol listens on the port (issue 19 item 6): the summary says so.
# A UDP socket in namespace ROLE on ADDR:PORT, for at most 60 s.
listen_udp() {
	nsrun "$1" python3 -c '
import socket, sys, time
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
s = socket.socket(fam, socket.SOCK_DGRAM)
s.bind((sys.argv[1], int(sys.argv[2])))
time.sleep(60)' "$2" "$3" &
	LPIDS="$LPIDS $!"
	for _ in $(seq 1 20); do nsrun "$1" ss -lun "sport = :$3" | grep -q ":$3" && return 0; sleep 0.1; done
	return 1
}
# truth_refused PROTO ADDR PORT: from the client, the server refuses (RST or ICMP port unreachable).
truth_refused() {
	nsrun cli python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM if sys.argv[1] == "tcp" else socket.SOCK_DGRAM)
s.settimeout(2)
try:
    s.connect((sys.argv[2], int(sys.argv[3])))
    if sys.argv[1] == "udp":
        s.send(b"x"); s.recv(16)
except ConnectionRefusedError:
    sys.exit(0)
except Exception as e:
    print(e); sys.exit(1)
sys.exit(1)' "$@"
}
listen_tcp srv 0.0.0.0 8053
if truth_refused udp 203.0.113.2 8053; then t_ok "udp to a tcp-only port: truth, ICMP port unreachable"
else t_fail "udp to a tcp-only port: truth, ICMP port unreachable"; fi
check "udp to a tcp-only port" socket/LISTENER_OTHER_PROTOCOL fail 1 "${IN4[@]}" --proto udp 203.0.113.2:8053
expect_ev "udp to a tcp-only port: says tcp is open" socket '.summary | contains("nothing listens on udp/8053; tcp/8053 is open")' true
expect_ev "udp to a tcp-only port: evidence" socket '.evidence.other_proto_open' tcp/8053
listen_udp srv 0.0.0.0 8054
if truth_refused tcp 203.0.113.2 8054; then t_ok "tcp to a udp-only port: truth, RST"
else t_fail "tcp to a udp-only port: truth, RST"; fi
check "tcp to a udp-only port" socket/LISTENER_OTHER_PROTOCOL fail 1 "${IN4[@]}" 203.0.113.2:8054
expect_ev "tcp to a udp-only port: says udp is open" socket '.summary | contains("nothing listens on tcp/8054; udp/8054 is open")' true
check "tcp to a port nothing listens on: no other protocol named" socket/NO_LISTENER fail 1 "${IN4[@]}" 203.0.113.2:8055
expect_ev "nothing on either protocol: no other_proto_open" socket '.evidence.other_proto_open // "none"' none
# DNAT to a port with no listener.
nsrun srv nft add table ip nat
nsrun srv nft add chain ip nat pre '{ type nat hook prerouting priority -100; }'
nsrun srv nft add rule ip nat pre tcp dport 80 dnat to 203.0.113.2:8099
check "DNAT to a port with no listener" socket/NO_LISTENER fail 1 "${IN4[@]}" 203.0.113.2:80
expect_ev "DNAT shown in prerouting" prerouting '.evidence.dnat' "dnat to 203.0.113.2:8099"
nsrun srv nft delete table ip nat
nsrun srv nft add table ip6 nat
nsrun srv nft add chain ip6 nat pre '{ type nat hook prerouting priority -100; }'
nsrun srv nft add rule ip6 nat pre tcp dport 80 dnat to [2001:db8:2::2]:8099
check "DNAT to a port with no listener v6" socket/NO_LISTENER fail 1 "${IN6[@]}" "[2001:db8:2::2]:80"
expect_ev "DNAT v6 shown in prerouting" prerouting '.evidence.dnat' "dnat to [2001:db8:2::2]:8099"
nsrun srv nft delete table ip6 nat
# A listener whose accept queue overflows: backlog 1, never accepts.
listen_tcp srv 0.0.0.0 7000 1
nsrun cli python3 -c '
import socket
socks = []
for i in range(6):
    s = socket.socket(); s.settimeout(0.5)
    try: s.connect(("203.0.113.2", 7000))
    except Exception: pass
    socks.append(s)' 2>/dev/null
check "listener with an overflowing backlog" socket/ACCEPT_QUEUE_FULL warn 1 "${IN4[@]}" 203.0.113.2:7000
expect_ev "backlog: overflow counter moved" socket '.evidence.listen_overflows > 0' true
expect_jq "backlog: drop reason" "$LAST" '.verdict.drop_reason' TCP_LISTEN_OVERFLOW
stop_listeners

# ---- pmtu ----
nsrun rtr ip link set r1 mtu 1280
nsrun srv ip link set s0 mtu 1280
check "far side MTU smaller on the router" pmtu/MTU_EXCEEDED warn 1 "${FWD4[@]}" 203.0.113.2:443
expect_jq "far side MTU: drop reason" "$LAST" '.verdict.drop_reason' PKT_TOO_BIG
expect_ev "far side MTU: both MTUs" pmtu '"\(.evidence.ingress_mtu) \(.evidence.egress_mtu)"' "1500 1280"
check "far side MTU smaller v6" pmtu/MTU_EXCEEDED warn 1 "${FWD6[@]}" "[2001:db8:2::2]:443"
nsrun rtr nft add table inet clamp
nsrun rtr nft add chain inet clamp fw_c '{ type filter hook forward priority 0; }'
nsrun rtr nft add rule inet clamp fw_c tcp flags syn tcp option maxseg size set rt mtu
check "far side MTU smaller, MSS clamp for TCP" null/NONE ok 0 "${FWD4[@]}" 203.0.113.2:443
expect_ev "MSS clamp found" pmtu '.evidence.mss_clamp' true
nsrun rtr nft delete table inet clamp
nsrun rtr ip link set r1 mtu 1500
nsrun srv ip link set s0 mtu 1500

# ---- conntrack table at its limit ----
# nf_conntrack_max is global and read-only inside a namespace; the count is this
# namespace's: fill the router's table to the limit with ASSURED entries.
TMP=$(mktemp -d)
if cc -O2 -o "$TMP/ctfill" tests/tools/ctfill.c -lmnl; then
	nsrun rtr nft add table inet cttab
	nsrun rtr nft add chain inet cttab fw_ct '{ type filter hook forward priority 0; }'
	nsrun rtr nft add rule inet cttab fw_ct ct state new accept
	max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
	nsrun rtr "$TMP/ctfill" fill "$max" >/dev/null
	check "conntrack table at its limit" conntrack/CT_TABLE_FULL fail 1 "${FWD4[@]}" 203.0.113.2:443
	expect_ev "conntrack: count equals max" conntrack '.evidence.count == .evidence.max' true
	nsrun rtr conntrack -F >/dev/null 2>&1
	nsrun rtr nft delete table inet cttab
else
	t_fail "build tests/tools/ctfill.c"
fi
rm -rf "$TMP"

# ---- a bridge port: bridge-family chains see the port, the IP stack the bridge ----
nsrun rtr ip addr flush dev r0
nsrun rtr ip link add br0 type bridge
nsrun rtr ip link set r0 master br0
nsrun rtr ip link set br0 up
nsrun rtr ip addr add 198.51.100.1/26 dev br0
nsrun rtr nft -f - <<'NFT'
table bridge bf {
	chain pre { type filter hook prerouting priority 0; policy accept; ip saddr 198.51.100.9 counter drop; }
}
NFT
check "bridge port: healthy" null/NONE ok 0 "${FWD4[@]}" 203.0.113.2:443
expect_ev "bridge port: the bridge is named" ingress-device '.evidence.bridge' br0
check "bridge port: drop in the bridge family" prerouting/NFT_RULE_DROP fail 1 -N "$R" --from 198.51.100.9 --iif r0 203.0.113.2:443
expect_ev "bridge family: rule text" prerouting '.evidence.chains[0].rule' "ip saddr 198.51.100.9 counter drop"
expect_ev "bridge family: table" prerouting '.evidence.chains[0].table' "bridge bf"

# ---- bad input ----
run_json out "$PC" -N "$R" --from 198.51.100.2 --iif nosuch0 203.0.113.2:443
if [ "$RC" = 2 ] && grep -q nosuch0 <<<"$ERR"; then t_ok "--iif unknown device: exit 2"; else t_fail "--iif unknown device: exit $RC ($ERR)"; fi
run_json out "$PC" -N "$R" --iif r0 203.0.113.2:443
if [ "$RC" = 2 ] && grep -q -- "--from" <<<"$ERR"; then t_ok "--iif without --from: exit 2"; else t_fail "--iif without --from: exit $RC"; fi

t_done
