#!/bin/bash
# ufw 0.36 (Debian 12's), the real program run inside the lab's router namespace
# through iptables-nft (Debian's default iptables), with its own mount namespace per
# call: a copy of /etc/ufw and /etc/default/ufw bound over the host's, so its rules
# files are the lab's. Default deny incoming, allow, deny, limit (the recent match:
# pathcheck cannot know the history, so unknown), allow from a source range, IPv4 and
# IPv6 (ufw writes ip6tables too); each verdict checked against real traffic.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
source tests/lib/truth.sh
for c in ufw iptables-nft ip6tables-nft socat unshare; do
	command -v $c >/dev/null || { t_skip "ufw" "no $c (tests/lib/deps.sh installs it)"; t_done; exit 0; }
done
case $(readlink -f "$(command -v iptables)") in *xtables-nft-multi) ;; *)
	t_skip "ufw" "iptables is not iptables-nft here (pathcheck reads the nft ruleset iptables-nft writes)"; t_done; exit 0 ;;
esac

lab_three || { t_fail "lab"; t_done; exit 1; }
H=$(ns rtr) C=$(ns cli)
UFW=$(mktemp -d /tmp/pp-ufw.XXXXXX)
PIDS=""
ufw_cleanup() { for p in $PIDS; do kill "$p" 2>/dev/null; done; lab_cleanup; rm -rf "$UFW"; }
trap ufw_cleanup EXIT
ROOT_NFT_BEFORE=$(nft list tables 2>/dev/null)
ROOT_IPT_BEFORE=$(iptables-save 2>/dev/null | grep -v '^#'; ip6tables-save 2>/dev/null | grep -v '^#')

mkdir -p "$UFW/etc"
cp -a /etc/ufw/. "$UFW/etc/"
cp /etc/default/ufw "$UFW/default"
# ufwc ARGS...: ufw in the router namespace, its configuration the lab's copy.
ufwc() {
	ip netns exec "$H" unshare -m --propagation private sh -c \
		'mount --bind "$0/etc" /etc/ufw && mount --bind "$0/default" /etc/default/ufw && exec ufw "$@"' "$UFW" "$@"
}
# ufw's user rules in the lab's copy, never in the host's /etc/ufw.
ufwc default deny incoming >/dev/null || { t_fail "ufw default deny incoming"; t_done; exit 1; }
ufwc allow 22/tcp >/dev/null
ufwc deny 80 >/dev/null
ufwc limit 2222/tcp >/dev/null
ufwc allow from 198.51.100.0/24 to any port 443 >/dev/null
if ! out=$(ufwc --force enable 2>&1); then
	t_skip "ufw" "ufw enable failed here: $(echo "$out" | tail -1)"; t_done; exit 0
fi
if ufwc status | grep -q "Status: active"; then t_ok "ufw $(ufwc version | head -1 | awk '{print $2}') active in the lab"
else t_fail "ufw active in the lab"; fi
if grep -q "2222" "$UFW/etc/user.rules" && ! grep -q "2222" /etc/ufw/user.rules; then t_ok "ufw's rules are in the lab's copy, not the host's /etc/ufw"
else t_fail "ufw's rules are in the lab's copy, not the host's /etc/ufw"; fi
if [ "$(nft list tables 2>/dev/null)" = "$ROOT_NFT_BEFORE" ] &&
   [ "$(iptables-save 2>/dev/null | grep -v '^#'; ip6tables-save 2>/dev/null | grep -v '^#')" = "$ROOT_IPT_BEFORE" ]; then
	t_ok "the root namespace's ruleset is untouched"
else t_fail "the root namespace's ruleset is untouched"; fi
if [ "${PKTPATH_FIXTURES_SAVE:-}" = 1 ]; then
	{ echo "# ufw $(ufwc version | head -1 | awk '{print $2}') (Debian 12) through iptables-nft, in a lab namespace: default deny incoming,"
	  echo "# allow 22/tcp, deny 80, limit 2222/tcp, allow from 198.51.100.0/24 to any port 443; iptables-save, ip6tables-save"
	  echo "# iptables-save"; nsrun rtr iptables-save | grep -v '^# Generated\|^# Completed' | sed 's/\[[0-9]*:[0-9]*\]/[0:0]/'
	  echo "# ip6tables-save"; nsrun rtr ip6tables-save | grep -v '^# Generated\|^# Completed' | sed 's/\[[0-9]*:[0-9]*\]/[0:0]/'; } >tests/fixtures/ufw.iptables
fi

# ---- services on the router; a client address outside 198.51.100.0/24 ----
nsrun cli ip addr add 203.0.113.100/32 dev c0
nsrun rtr ip route add 203.0.113.100/32 via 198.51.100.2
for p in 22 80 443 2222 8080; do
	nsrun rtr socat TCP6-LISTEN:$p,ipv6only=0,fork,reuseaddr /dev/null >/dev/null 2>&1 &
	PIDS="$PIDS $!"
done
sleep 0.5
in4() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" "$6:$7"; }
in6() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" "[$6]:$7"; }
R4=198.51.100.1 R6=2001:db8:1::1 A4=198.51.100.2 A6=2001:db8:1::2 X4=203.0.113.100

truth "allow 22/tcp v4" ok 4 $A4 $R4 22
in4 "allow 22/tcp v4" null/NONE ok 0 $A4 $R4 22
truth "allow 22/tcp v6" ok 6 $A6 $R6 22
in6 "allow 22/tcp v6" null/NONE ok 0 $A6 $R6 22
check "allow 22/tcp probe" null/NONE ok 0 -N "$C" --probe --timeout 1 "$R4:22"
truth "deny 80 v4" timeout 4 $A4 $R4 80
in4 "deny 80 v4" input/XT_RULE_DROP fail 1 $A4 $R4 80
expect_ev "deny 80 v4: ufw's rule named" input '.summary | test("ufw-user-input.*dport 80.*drop")' true
truth "deny 80 v6" timeout 6 $A6 $R6 80
in6 "deny 80 v6" input/XT_RULE_DROP fail 1 $A6 $R6 80
check "deny 80 probe" remote/REMOTE_SILENT fail 1 -N "$C" --probe --timeout 1 "$R4:80"
truth "default deny incoming v4" timeout 4 $A4 $R4 8080
in4 "default deny incoming v4" input/XT_POLICY_DROP fail 1 $A4 $R4 8080
truth "default deny incoming v6" timeout 6 $A6 $R6 8080
in6 "default deny incoming v6" input/XT_POLICY_DROP fail 1 $A6 $R6 8080
truth "allow from 198.51.100.0/24 port 443" ok 4 $A4 $R4 443
in4 "allow from 198.51.100.0/24 port 443" null/NONE ok 0 $A4 $R4 443
truth "port 443 from outside the range" timeout 4 $X4 $R4 443
in4 "port 443 from outside the range" input/XT_POLICY_DROP fail 1 $X4 $R4 443
truth "port 443 v6 (the allow is IPv4 only)" timeout 6 $A6 $R6 443
in6 "port 443 v6 (the allow is IPv4 only)" input/XT_POLICY_DROP fail 1 $A6 $R6 443
# limit: -m recent --update --seconds 30 --hitcount 6: the first connections pass, and
# whether this one does depends on the source's history pathcheck cannot read. The
# chain's policy is drop, so by the contract an undecided rule there is a warning
# ("it may die here", exit 1), never ok; the recent match named.
truth "limit 2222/tcp (a first connection)" ok 4 $A4 $R4 2222
in4 "limit 2222/tcp" input/UNDECIDED_RULE warn 1 $A4 $R4 2222
expect_ev "limit 2222/tcp: the recent match named" input '.summary | test("-m recent: whether the source is in the recent list DEFAULT")' true
in6 "limit 2222/tcp v6" input/UNDECIDED_RULE warn 1 $A6 $R6 2222
expect_ev "limit 2222/tcp v6: the recent match named" input '.summary | test("ufw6-user-input: -m recent")' true
# ... and the limit is real: the 7th new connection within 30 s is refused by ufw-user-limit.
for i in 1 2 3 4 5; do nsrun cli socat -u /dev/null "TCP4:$R4:2222,bind=$A4,connect-timeout=1" >/dev/null 2>&1; done
truth "limit 2222/tcp (the 7th connection in 30 s)" unreach 4 $A4 $R4 2222
in4 "limit 2222/tcp after 7 connections: still undecided" input/UNDECIDED_RULE warn 1 $A4 $R4 2222

# ---- reject (a TCP reset, as ufw writes it for tcp), a host denied first, ICMP ----
ufwc reject 8081/tcp >/dev/null
ufwc insert 1 deny from 198.51.100.3 >/dev/null
nsrun rtr socat TCP6-LISTEN:8081,ipv6only=0,fork,reuseaddr /dev/null >/dev/null 2>&1 &
PIDS="$PIDS $!"
nsrun cli ip addr add 198.51.100.3/26 dev c0
sleep 0.3
truth "reject 8081/tcp v4" refused 4 $A4 $R4 8081
in4 "reject 8081/tcp v4" input/XT_RULE_REJECT fail 1 $A4 $R4 8081
expect_ev "reject 8081/tcp: a reset" input '.summary | test("ufw-user-input .*dport 8081 .*-j REJECT --reject-with tcp-reset")' true
truth "reject 8081/tcp v6" refused 6 $A6 $R6 8081
in6 "reject 8081/tcp v6" input/XT_RULE_REJECT fail 1 $A6 $R6 8081
truth "insert 1 deny from 198.51.100.3: ssh" timeout 4 198.51.100.3 $R4 22
in4 "insert 1 deny from 198.51.100.3: ssh" input/XT_RULE_DROP fail 1 198.51.100.3 $R4 22
expect_ev "deny from: the rule named" input '.summary | test("ufw-user-input .*ip saddr 198.51.100.3 .*drop")' true
ping4() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" --proto icmp "$6"; }
truth_ping "echo request v4 (before.rules)" ok 4 $A4 $R4
ping4 "echo request v4 (before.rules)" null/NONE ok 0 $A4 $R4
truth_ping "echo request v6 (before6.rules)" ok 6 $A6 $R6
ping4 "echo request v6 (before6.rules)" null/NONE ok 0 $A6 $R6
if [ "${PKTPATH_FIXTURES_SAVE:-}" = 1 ]; then
	{ echo "# ufw $(ufwc version | head -1 | awk '{print $2}') (Debian 12) through iptables-nft, in a lab namespace: as ufw.iptables, and"
	  echo "# reject 8081/tcp, insert 1 deny from 198.51.100.3; iptables-save, ip6tables-save"
	  echo "# iptables-save"; nsrun rtr iptables-save | grep -v '^# Generated\|^# Completed' | sed 's/\[[0-9]*:[0-9]*\]/[0:0]/'
	  echo "# ip6tables-save"; nsrun rtr ip6tables-save | grep -v '^# Generated\|^# Completed' | sed 's/\[[0-9]*:[0-9]*\]/[0:0]/'; } >tests/fixtures/ufw-reject.iptables
fi

# ---- routed: default deny routed, one route allow to the server ----
nsrun srv socat TCP6-LISTEN:80,ipv6only=0,fork,reuseaddr /dev/null >/dev/null 2>&1 &
PIDS="$PIDS $!"
nsrun srv socat TCP6-LISTEN:8080,ipv6only=0,fork,reuseaddr /dev/null >/dev/null 2>&1 &
PIDS="$PIDS $!"
ufwc default deny routed >/dev/null
ufwc route allow in on r0 out on r1 to 203.0.113.2 port 80 proto tcp >/dev/null
sleep 0.3
fwd() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" "$6:$7"; }
truth "route allow to the server:80" ok 4 $A4 203.0.113.2 80
fwd "route allow to the server:80" null/NONE ok 0 $A4 203.0.113.2 80
expect_ev "route allow: accepted by ufw's route rule" forward '.evidence.chains[0].rule' 'iifname "r0" oifname "r1" ip daddr 203.0.113.2 tcp dport 80 counter accept'
truth "default deny routed: the server:8080" timeout 4 $A4 203.0.113.2 8080
fwd "default deny routed: the server:8080" forward/XT_POLICY_DROP fail 1 $A4 203.0.113.2 8080
expect_ev "default deny routed: the FORWARD policy" forward '.summary | test("policy of table ip filter chain FORWARD")' true
truth "default deny routed v6: the server:80 (the route allow is IPv4)" timeout 6 $A6 2001:db8:2::2 80
fwd "default deny routed v6: the server:80 (the route allow is IPv4)" forward/XT_POLICY_DROP fail 1 $A6 "[2001:db8:2::2]" 80

# ---- the root namespace, after all of it ----
if [ "$(nft list tables 2>/dev/null)" = "$ROOT_NFT_BEFORE" ] &&
   [ "$(iptables-save 2>/dev/null | grep -v '^#'; ip6tables-save 2>/dev/null | grep -v '^#')" = "$ROOT_IPT_BEFORE" ]; then
	t_ok "the root namespace's ruleset is the same as before"
else t_fail "the root namespace's ruleset is the same as before"; fi
t_done
