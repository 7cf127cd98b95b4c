#!/bin/bash
# firewalld 1.3 (Debian 12's, nftables backend), the real daemon run inside the lab's
# router namespace: its own D-Bus system bus (a private dbus-daemon on a socket of
# this run), its own mount namespace with a copy of /etc/firewalld and a private /run,
# no pid file. Its zones, services, ports, rich rules, a zone bound to a source, a
# forward port (DNAT) with masquerade, IPv4 and IPv6: each verdict of pathcheck on the
# ruleset firewalld wrote, checked against real traffic from the client namespace.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
source tests/lib/truth.sh
for c in firewalld firewall-cmd dbus-daemon socat unshare; do
	command -v $c >/dev/null || { t_skip "firewalld" "no $c (tests/lib/deps.sh installs it)"; t_done; exit 0; }
done

lab_three || { t_fail "lab"; t_done; exit 1; }
H=$(ns rtr) C=$(ns cli)
FW=$(mktemp -d /tmp/pp-fw.XXXXXX)
FWPID="" DBPID="" PIDS=""
fw_cleanup() {
	# firewalld removes its table on exit (CleanupOnExit=yes); the namespace goes anyway.
	[ -n "$FWPID" ] && kill "$FWPID" 2>/dev/null && for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$FWPID" 2>/dev/null || break; sleep 0.2; done
	[ -n "$DBPID" ] && kill "$DBPID" 2>/dev/null
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	lab_cleanup
	rm -rf "$FW"
}
trap fw_cleanup EXIT
ROOT_NFT_BEFORE=$(nft list tables 2>/dev/null)

# ---- the private bus and the daemon ----
mkdir -p "$FW/etc" "$FW/log"
cp -a /etc/firewalld/. "$FW/etc/"
cat >"$FW/bus.conf" <<B
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path=$FW/bus.sock</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="root"/><allow own="*"/><allow send_destination="*"/><allow receive_sender="*"/>
  </policy>
</busconfig>
B
dbus-daemon --config-file="$FW/bus.conf" --nofork --nopidfile >/dev/null 2>"$FW/bus.err" &
DBPID=$!
export DBUS_SYSTEM_BUS_ADDRESS="unix:path=$FW/bus.sock"
for _ in $(seq 50); do [ -S "$FW/bus.sock" ] && break; sleep 0.1; done
[ -S "$FW/bus.sock" ] || { t_skip "firewalld" "the private dbus-daemon did not start: $(head -1 "$FW/bus.err")"; t_done; exit 0; }
# ip netns exec -> unshare -> sh -> firewalld are one process (exec all the way): $! is firewalld.
ip netns exec "$H" unshare -m --propagation private sh -c \
	"mount -t tmpfs pp-fw /run && mount --bind '$FW/etc' /etc/firewalld &&
	 exec firewalld --nofork --nopid --log-target file --log-file '$FW/log/firewalld'" >"$FW/fw.out" 2>&1 &
FWPID=$!
fwc() { nsrun rtr firewall-cmd -q "$@"; }
for _ in $(seq 300); do [ "$(nsrun rtr firewall-cmd --state 2>/dev/null)" = running ] && break; sleep 0.1; done
if [ "$(nsrun rtr firewall-cmd --state 2>/dev/null)" != running ]; then
	t_skip "firewalld" "firewalld did not start: $(tail -3 "$FW/fw.out" "$FW/log/firewalld" 2>/dev/null | tr '\n' ' ')"; t_done; exit 0
fi
t_ok "firewalld $(nsrun rtr firewall-cmd --version) runs in the lab (pid $FWPID, default zone $(nsrun rtr firewall-cmd --get-default-zone))"
if [ "$(nft list tables 2>/dev/null)" = "$ROOT_NFT_BEFORE" ]; then t_ok "the root namespace's nft tables are untouched"
else t_fail "the root namespace's nft tables are untouched"; fi

# ---- services in the lab: the router (where firewalld runs) and the server ----
nsrun cli ip addr add 198.51.100.3/26 dev c0
nsrun cli ip -6 addr add 2001:db8:1::3/64 dev c0 nodad
for p in 22 80 2222 8081 8082 8086 8443; do
	nsrun rtr socat TCP6-LISTEN:$p,ipv6only=0,fork,reuseaddr /dev/null >/dev/null 2>&1 &
	PIDS="$PIDS $!"
done
nsrun srv socat TCP6-LISTEN:80,ipv6only=0,fork,reuseaddr /dev/null >/dev/null 2>&1 &
PIDS="$PIDS $!"
# port 81 on the server answers with the address it sees the client come from
nsrun srv socat TCP4-LISTEN:81,fork,reuseaddr SYSTEM:'echo $SOCAT_PEERADDR' >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 0.5

# in NAME STATION STATUS EXIT FAM FROM DEST PORT: pathcheck on the router, for the client's packet.
in4() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" "$6:$7"; }
in6() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" "[$6]:$7"; }
R4=198.51.100.1 R6=2001:db8:1::1 A4=198.51.100.2 A6=2001:db8:1::2 B4=198.51.100.3 B6=2001:db8:1::3
# save_fixture TEXT FILE: with PKTPATH_FIXTURES_SAVE=1, the ruleset as firewalld wrote it into tests/fixtures/.
save_fixture() {
	[ "${PKTPATH_FIXTURES_SAVE:-}" = 1 ] || return 0
	{ echo "# $1"; echo "# written by firewalld $(nsrun rtr firewall-cmd --version) (Debian 12, FirewallBackend=nftables), in a lab namespace; nft list ruleset"
	  nsrun rtr nft list ruleset; } >"tests/fixtures/$2"
}

# ---- default zone public: ssh and dhcpv6-client only; everything else rejected ----
truth "public tcp/22 v4" ok 4 $A4 $R4 22
in4 "public tcp/22 v4" null/NONE ok 0 $A4 $R4 22
truth "public tcp/22 v6" ok 6 $A6 $R6 22
in6 "public tcp/22 v6" null/NONE ok 0 $A6 $R6 22
truth "public tcp/80 v4" unreach 4 $A4 $R4 80
in4 "public tcp/80 v4" input/NFT_RULE_REJECT fail 1 $A4 $R4 80
expect_ev "public tcp/80 v4: firewalld's reject named" input '.summary | test("reject with icmpx admin-prohibited")' true
check "public tcp/80 v4 probe" remote/REMOTE_ICMP_ERROR fail 1 -N "$C" --probe --timeout 1 "$R4:80"
truth "public tcp/80 v6" unreach 6 $A6 $R6 80
in6 "public tcp/80 v6" input/NFT_RULE_REJECT fail 1 $A6 $R6 80
save_fixture "default zone public (ssh, dhcpv6-client)" firewalld-public.nft
check "public tcp/22 v4 probe" null/NONE ok 0 -N "$C" --probe --timeout 1 "$R4:22"

# ---- IPv6_rpfilter: fib saddr . mark . iif oif missing drop, a source whose route is elsewhere ----
nsrun cli ip -6 addr add 2001:db8:2::99/128 dev c0 nodad
truth "rpfilter v6 spoofed source" timeout 6 2001:db8:2::99 $R6 22
in6 "rpfilter v6 spoofed source" prerouting/NFT_RULE_DROP fail 1 2001:db8:2::99 $R6 22
expect_ev "rpfilter v6: the fib rule named" prerouting '.summary | test("fib saddr . mark . iif oif missing drop")' true
nsrun cli ip -6 addr del 2001:db8:2::99/128 dev c0

# ---- a service and a port added ----
fwc --add-service=http
fwc --add-port=8081/tcp
truth "service http v4" ok 4 $A4 $R4 80
in4 "service http v4" null/NONE ok 0 $A4 $R4 80
truth "service http v6" ok 6 $A6 $R6 80
in6 "service http v6" null/NONE ok 0 $A6 $R6 80
truth "port 8081/tcp" ok 4 $A4 $R4 8081
in4 "port 8081/tcp" null/NONE ok 0 $A4 $R4 8081
truth "port 8082 not added" unreach 4 $A4 $R4 8082
in4 "port 8082 not added" input/NFT_RULE_REJECT fail 1 $A4 $R4 8082
save_fixture "public + service http + port 8081/tcp" firewalld-services.nft

# ---- rich rules: reject, drop, accept (deny before allow, as firewalld orders them) ----
fwc --add-rich-rule="rule family=ipv4 source address=$A4 port port=80 protocol=tcp reject"
fwc --add-rich-rule="rule family=ipv4 source address=$B4 port port=22 protocol=tcp drop"
fwc --add-rich-rule="rule family=ipv6 source address=$B6 port port=8443 protocol=tcp accept"
truth "rich reject from $A4" unreach 4 $A4 $R4 80
in4 "rich reject from $A4" input/NFT_RULE_REJECT fail 1 $A4 $R4 80
expect_ev "rich reject: the rule in filter_IN_public_deny, as nft lists it" input '.summary | test("filter_IN_public_deny .*ip saddr 198.51.100.2 tcp dport 80 reject with icmp port-unreachable")' true
truth "rich reject: $B4 still served" ok 4 $B4 $R4 80
in4 "rich reject: $B4 still served" null/NONE ok 0 $B4 $R4 80
truth "rich drop from $B4" timeout 4 $B4 $R4 22
in4 "rich drop from $B4" input/NFT_RULE_DROP fail 1 $B4 $R4 22
expect_ev "rich drop: the rule named" input '.summary | test("ip saddr 198.51.100.3 tcp dport 22 .*drop")' true
truth "rich drop: $A4 still has ssh" ok 4 $A4 $R4 22
in4 "rich drop: $A4 still has ssh" null/NONE ok 0 $A4 $R4 22
truth "rich accept v6 from $B6" ok 6 $B6 $R6 8443
in6 "rich accept v6 from $B6" null/NONE ok 0 $B6 $R6 8443
truth "rich accept v6: $A6 rejected" unreach 6 $A6 $R6 8443
in6 "rich accept v6: $A6 rejected" input/NFT_RULE_REJECT fail 1 $A6 $R6 8443
# a rich rule with a limit: whether this packet is within the rate is not pathcheck's to know
fwc --add-rich-rule="rule family=ipv4 source address=198.51.100.0/24 port port=8086 protocol=tcp limit value=2/m accept"
truth "rich accept with a limit (the first connection)" ok 4 $A4 $R4 8086
in4 "rich accept with a limit" input/UNDECIDED_RULE unknown 3 $A4 $R4 8086
expect_ev "rich limit: the limit named" input '.summary | test("limit")' true
save_fixture "public + http + 8081/tcp + rich rules" firewalld-rich.nft

# ---- a zone bound to a source: $B4 is trusted (target ACCEPT), $A4 stays public ----
fwc --zone=trusted --add-source=$B4
truth "source zone trusted: $B4 port 8082" ok 4 $B4 $R4 8082
in4 "source zone trusted: $B4 port 8082" null/NONE ok 0 $B4 $R4 8082
truth "source zone trusted: $B4 ssh, no public rich drop" ok 4 $B4 $R4 22
in4 "source zone trusted: $B4 ssh, no public rich drop" null/NONE ok 0 $B4 $R4 22
truth "source zone: $A4 port 8082 public" unreach 4 $A4 $R4 8082
in4 "source zone: $A4 port 8082 public" input/NFT_RULE_REJECT fail 1 $A4 $R4 8082

# ---- forward-port (DNAT) to the server and masquerade ----
fwc --add-forward-port=port=8080:proto=tcp:toport=80:toaddr=203.0.113.2
fwc --add-masquerade
truth "forward-port 8080 -> server:80" ok 4 $A4 $R4 8080
in4 "forward-port 8080 -> server:80" null/NONE ok 0 $A4 $R4 8080
expect_jq "forward-port: forwarded" "$LAST" '.query.direction' forward
expect_ev "forward-port: the dnat named" prerouting '.evidence.dnat | test("dnat .*203.0.113.2:80")' true
expect_ev "forward-port: masquerade at postrouting" postrouting '.summary | test("masquerade")' true
check "forward-port probe" null/NONE ok 0 -N "$C" --probe --timeout 1 "$R4:8080"
fwc --add-forward-port=port=8085:proto=tcp:toport=81:toaddr=203.0.113.2
seen=$(nsrun cli socat -T2 - "TCP4:$R4:8085,bind=$A4,connect-timeout=1" </dev/null 2>/dev/null)
if [ "$seen" = 203.0.113.1 ]; then t_ok "masquerade: the server sees the router's address ($seen)"
else t_fail "masquerade: the server sees the router's address, saw '$seen'"; fi
in4 "forward-port 8085 -> server:81, masqueraded" null/NONE ok 0 $A4 $R4 8085
expect_ev "forward-port 8085: the dnat named" prerouting '.evidence.dnat | test("203.0.113.2:81")' true
truth "forward-port: port 8090 not forwarded" unreach 4 $A4 $R4 8090
in4 "forward-port: port 8090 not forwarded" input/NFT_RULE_REJECT fail 1 $A4 $R4 8090
save_fixture "public + forward-port 8080 -> 203.0.113.2:80 + masquerade + trusted source" firewalld-forward.nft

# ---- ICMP: public accepts it (meta l4proto { icmp, ipv6-icmp } accept); an icmp-block rejects it ----
ping4() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" --proto icmp "$6"; }
truth_ping "ping v4" ok 4 $A4 $R4
ping4 "ping v4" null/NONE ok 0 $A4 $R4
truth_ping "ping v6" ok 6 $A6 $R6
ping4 "ping v6" null/NONE ok 0 $A6 $R6
fwc --add-icmp-block=echo-request
truth_ping "icmp-block echo-request v4" unreach 4 $A4 $R4
ping4 "icmp-block echo-request v4" input/NFT_RULE_REJECT fail 1 $A4 $R4
expect_ev "icmp-block: firewalld's rule named" input '.summary | test("icmp type echo-request reject with icmpx admin-prohibited")' true
fwc --remove-icmp-block=echo-request

# ---- forwarded without a DNAT, client to server: the default zone binds no interface, so
# no intra-zone forwarding applies; filter_FWD_public rejects (only the dnat'ed flow passes,
# by ct status dnat accept) ----
fwd() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" "$6:$7"; }
truth "forward to the server:80, no dnat" unreach 4 $A4 203.0.113.2 80
fwd "forward to the server:80, no dnat" forward/NFT_RULE_REJECT fail 1 $A4 203.0.113.2 80
expect_ev "forward, no dnat: firewalld's rule named" forward '.summary | test("chain filter_FWD_public .*reject with icmpx admin-prohibited")' true
check "forward to the server:80, no dnat, probe" remote/REMOTE_ICMP_ERROR fail 1 -N "$C" --probe --timeout 1 203.0.113.2:80
expect_ev "forward, no dnat, probe: an ICMP error from the router" remote '.evidence.outcome' icmp_error

# ---- a zone bound to the interface: r0 in zone drop; the trusted source still wins ----
fwc --zone=drop --change-interface=r0
truth "interface in zone drop: $A4 ssh" timeout 4 $A4 $R4 22
in4 "interface in zone drop: $A4 ssh" input/NFT_RULE_DROP fail 1 $A4 $R4 22
expect_ev "interface in zone drop: filter_IN_drop named" input '.summary | test("filter_IN_drop")' true
truth "interface in zone drop: $A6 ssh" timeout 6 $A6 $R6 22
in6 "interface in zone drop: $A6 ssh" input/NFT_RULE_DROP fail 1 $A6 $R6 22
truth "interface in zone drop: $B4 from the trusted source" ok 4 $B4 $R4 22
in4 "interface in zone drop: $B4 from the trusted source" null/NONE ok 0 $B4 $R4 22
save_fixture "r0 in zone drop, 198.51.100.3 in zone trusted, forward-port and masquerade in public" firewalld-zones.nft

# ---- LogDenied=unicast (a reload: the runtime changes above are gone, the permanent
# public zone is back): meta pkttype host log rules before each reject; still decided ----
fwc --set-log-denied=unicast
truth "LogDenied: ssh" ok 4 $A4 $R4 22
in4 "LogDenied: ssh" null/NONE ok 0 $A4 $R4 22
truth "LogDenied: port 8090 rejected" unreach 4 $A4 $R4 8090
in4 "LogDenied: port 8090 rejected" input/NFT_RULE_REJECT fail 1 $A4 $R4 8090
expect_ev "LogDenied: the reject after the log rule named" input '.summary | test("chain filter_IN_public .*reject with icmpx admin-prohibited")' true
truth "LogDenied: port 80 v6 rejected (http was a runtime change)" unreach 6 $A6 $R6 80
in6 "LogDenied: port 80 v6 rejected (http was a runtime change)" input/NFT_RULE_REJECT fail 1 $A6 $R6 80
save_fixture "after a reload with LogDenied=unicast: the permanent public zone" firewalld-logdenied.nft
fwc --set-log-denied=off

# ---- a policy (firewalld 1.x): public -> internal accepted; the client's side (r0) in zone
# public and the server's (r1) in zone internal (a policy applies between active zones),
# permanent, and a reload (the runtime changes above are gone with it) ----
fwc --permanent --zone=public --add-interface=r0
fwc --permanent --zone=internal --add-interface=r1
fwc --permanent --new-policy=pp-fwd
fwc --permanent --policy=pp-fwd --add-ingress-zone=public
fwc --permanent --policy=pp-fwd --add-egress-zone=internal
fwc --permanent --policy=pp-fwd --set-target=ACCEPT
# and a blocklist: a firewalld ipset (an nft set) as a source of zone drop
fwc --permanent --new-ipset=pp-block --type=hash:ip
fwc --permanent --ipset=pp-block --add-entry=198.51.100.4
fwc --permanent --zone=drop --add-source=ipset:pp-block
fwc --reload
nsrun cli ip addr add 198.51.100.4/26 dev c0
truth "ipset source in zone drop: 198.51.100.4 ssh" timeout 4 198.51.100.4 $R4 22
in4 "ipset source in zone drop: 198.51.100.4 ssh" input/NFT_RULE_DROP fail 1 198.51.100.4 $R4 22
expect_ev "ipset source: the set and zone drop named" input '.summary | test("filter_IN_drop")' true
truth "ipset source: $A4 not in it" ok 4 $A4 $R4 22
in4 "ipset source: $A4 not in it" null/NONE ok 0 $A4 $R4 22
truth "policy public -> internal: forward to the server:80" ok 4 $A4 203.0.113.2 80
fwd "policy public -> internal: forward to the server:80" null/NONE ok 0 $A4 203.0.113.2 80
hpol=$(nsrun rtr nft -a list chain inet firewalld filter_FWD_policy_pp-fwd | awk '$1 == "accept" && $2 == "#" {print $4}')
expect_ev "policy: accepted by the policy's chain (filter_FWD_policy_pp-fwd, handle ${hpol:-none})" forward '.evidence.chains[0].rule_handle' "${hpol:-none}"
truth "policy public -> internal v6" ok 6 $A6 2001:db8:2::2 80
fwd "policy public -> internal v6" null/NONE ok 0 $A6 "[2001:db8:2::2]" 80
nsrun cli socat TCP4-LISTEN:22,fork,reuseaddr /dev/null >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 0.3
TRUTH_NS=srv truth "policy: internal -> public (no policy that way)" unreach 4 203.0.113.2 $A4 22
check "policy: internal -> public (no policy that way)" forward/NFT_RULE_REJECT fail 1 -N "$H" --iif r1 --from 203.0.113.2 "$A4:22"
save_fixture "after a reload: zone public on r0, internal on r1, policy pp-fwd public -> internal ACCEPT, ipset pp-block in zone drop" firewalld-policy.nft

# ---- stopped: its table goes with it, and the host's ruleset was never touched ----
kill "$FWPID"; for _ in $(seq 50); do kill -0 "$FWPID" 2>/dev/null || break; sleep 0.1; done
FWPID=""
if nsrun rtr nft list tables | grep -q firewalld; then t_fail "firewalld stopped: its table is gone"
else t_ok "firewalld stopped: its table is gone"; fi
if [ "$(nft list tables 2>/dev/null)" = "$ROOT_NFT_BEFORE" ]; then t_ok "the root namespace's nft tables are the same as before"
else t_fail "the root namespace's nft tables are the same as before"; fi
t_done
