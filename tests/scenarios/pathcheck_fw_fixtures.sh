#!/bin/bash
# The rulesets firewalld, ufw and fail2ban wrote in pathcheck_firewalld, pathcheck_ufw
# and pathcheck_fail2ban (tests/fixtures/, each with its generator and version in its
# header), loaded as saved into a fresh lab's router, with no generator installed or
# running: pathcheck's verdicts on them checked against real traffic, so the rulesets
# stay under test on a machine without those packages. And a reverse path filter of
# IPv4 (fib saddr . iif oif missing), which none of the three writes.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
source tests/lib/truth.sh
for c in nft iptables-nft-restore ip6tables-nft-restore socat; do
	command -v $c >/dev/null || { t_skip "fixtures" "no $c (tests/lib/deps.sh installs it)"; t_done; exit 0; }
done
FX=tests/fixtures
lab_three || { t_fail "lab"; t_done; exit 1; }
H=$(ns rtr) C=$(ns cli)
PIDS=""
trap 'for p in $PIDS; do kill $p 2>/dev/null; done; lab_cleanup' EXIT
nsrun cli ip addr add 198.51.100.3/26 dev c0
nsrun cli ip addr add 198.51.100.4/26 dev c0
nsrun cli ip -6 addr add 2001:db8:1::3/64 dev c0 nodad
for p in 22 80 2222 8081 8082 8443; do
	nsrun rtr socat TCP6-LISTEN:$p,ipv6only=0,fork,reuseaddr /dev/null >/dev/null 2>&1 &
	PIDS="$PIDS $!"
done
nsrun srv socat TCP6-LISTEN:80,ipv6only=0,fork,reuseaddr /dev/null >/dev/null 2>&1 &
PIDS="$PIDS $!"
sleep 0.5
in4() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" "$6:$7"; }
in6() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" "[$6]:$7"; }
R4=198.51.100.1 R6=2001:db8:1::1 A4=198.51.100.2 A6=2001:db8:1::2 B4=198.51.100.3 B6=2001:db8:1::3 D4=198.51.100.4
load_nft() { nsrun rtr nft flush ruleset && nsrun rtr nft -f "$FX/$1" || { t_fail "nft -f $1"; return 1; }; t_ok "nft -f $1: $(sed -n 2p "$FX/$1" | cut -c3-80)"; }
# load_ipt FILE: its iptables-save part into iptables-nft-restore, its ip6tables-save part into ip6tables-nft-restore.
load_ipt() {
	nsrun rtr nft flush ruleset
	awk '/^# ip6tables-save/ {exit} !/^#/' "$FX/$1" | nsrun rtr iptables-nft-restore &&
	awk 'f && !/^#/; /^# ip6tables-save/ {f=1}' "$FX/$1" | nsrun rtr ip6tables-nft-restore ||
		{ t_fail "iptables-nft-restore $1"; return 1; }
	t_ok "iptables-nft-restore $1: $(sed -n 1p "$FX/$1" | cut -c3-60)"
}

# ---- firewalld: public, http, 8081/tcp, rich rules, a trusted source, forward-port 8080 ----
if load_nft firewalld-forward.nft; then
	truth "firewalld fixture: ssh" ok 4 $A4 $R4 22
	in4 "firewalld fixture: ssh" null/NONE ok 0 $A4 $R4 22
	truth "firewalld fixture: rich reject" unreach 4 $A4 $R4 80
	in4 "firewalld fixture: rich reject" input/NFT_RULE_REJECT fail 1 $A4 $R4 80
	truth "firewalld fixture: port not added" unreach 4 $A4 $R4 8082
	in4 "firewalld fixture: port not added" input/NFT_RULE_REJECT fail 1 $A4 $R4 8082
	truth "firewalld fixture: trusted source" ok 4 $B4 $R4 8082
	in4 "firewalld fixture: trusted source" null/NONE ok 0 $B4 $R4 8082
	truth "firewalld fixture: forward-port" ok 4 $A4 $R4 8080
	in4 "firewalld fixture: forward-port" null/NONE ok 0 $A4 $R4 8080
	in4 "firewalld fixture: rich accept with a limit" input/UNDECIDED_RULE unknown 3 $A4 $R4 8086
	truth "firewalld fixture: rich accept v6" ok 6 $B6 $R6 8443
	in6 "firewalld fixture: rich accept v6" null/NONE ok 0 $B6 $R6 8443
	nsrun cli ip -6 addr add 2001:db8:2::99/128 dev c0 nodad
	truth "firewalld fixture: rpfilter v6" timeout 6 2001:db8:2::99 $R6 22
	in6 "firewalld fixture: rpfilter v6" prerouting/NFT_RULE_DROP fail 1 2001:db8:2::99 $R6 22
	nsrun cli ip -6 addr del 2001:db8:2::99/128 dev c0
	# a source whose route back is multipath, one path by r0 and one by r1: nft_fib6 takes
	# the path the flow's hash picks, which pathcheck does not know: unknown, never ok
	nsrun rtr ip -6 route add 2001:db8:5::/64 nexthop via 2001:db8:1::2 dev r0 nexthop via 2001:db8:2::2 dev r1
	in6 "firewalld fixture: rpfilter v6, a multipath route back" prerouting/UNDECIDED_RULE unknown 3 2001:db8:5::1 $R6 22
	expect_ev "rpfilter v6 multipath: the fib named" prerouting '.summary | test("fib saddr . mark . iif oif")' true
	nsrun rtr ip -6 route del 2001:db8:5::/64
	truth "firewalld fixture: forward v6, past the rpfilter" unreach 6 $A6 2001:db8:2::2 80
	in6 "firewalld fixture: forward v6, past the rpfilter" forward/NFT_RULE_REJECT fail 1 $A6 2001:db8:2::2 80
fi

# ---- ufw: deny 80, limit 2222, reject 8081, insert 1 deny from 198.51.100.3 ----
if load_ipt ufw-reject.iptables; then
	truth "ufw fixture: ssh" ok 4 $A4 $R4 22
	in4 "ufw fixture: ssh" null/NONE ok 0 $A4 $R4 22
	truth "ufw fixture: deny 80" timeout 4 $A4 $R4 80
	in4 "ufw fixture: deny 80" input/XT_RULE_DROP fail 1 $A4 $R4 80
	truth "ufw fixture: reject 8081 v6" refused 6 $A6 $R6 8081
	in6 "ufw fixture: reject 8081 v6" input/XT_RULE_REJECT fail 1 $A6 $R6 8081
	truth "ufw fixture: deny from" timeout 4 $B4 $R4 22
	in4 "ufw fixture: deny from" input/XT_RULE_DROP fail 1 $B4 $R4 22
	in4 "ufw fixture: limit" input/UNDECIDED_RULE warn 1 $A4 $R4 2222
fi

# ---- fail2ban: pp-ssh bans 2001:db8:1::3 on ssh, pp-all bans 198.51.100.4 everywhere ----
if load_nft fail2ban-nftables.nft; then
	truth "fail2ban fixture: allports ban" unreach 4 $D4 $R4 8081
	in4 "fail2ban fixture: allports ban" input/NFT_RULE_REJECT fail 1 $D4 $R4 8081
	truth "fail2ban fixture: multiport ban v6" unreach 6 $B6 $R6 22
	in6 "fail2ban fixture: multiport ban v6" input/NFT_RULE_REJECT fail 1 $B6 $R6 22
	truth "fail2ban fixture: not banned" ok 4 $A4 $R4 22
	in4 "fail2ban fixture: not banned" null/NONE ok 0 $A4 $R4 22
fi

# ---- IPv4 reverse path filter: the route back to the source must leave by iif ----
nsrun rtr nft flush ruleset
nsrun rtr nft -f - <<'N'
table ip rpf {
	chain pre {
		type filter hook prerouting priority raw; policy accept;
		fib saddr . iif oif missing counter drop
	}
}
N
nsrun cli ip addr add 203.0.113.10/32 dev c0
truth "rpfilter v4: a source routed elsewhere (r1)" timeout 4 203.0.113.10 $R4 22
in4 "rpfilter v4: a source routed elsewhere (r1)" prerouting/NFT_RULE_DROP fail 1 203.0.113.10 $R4 22
expect_ev "rpfilter v4: the rule named" prerouting '.summary | test("fib saddr . iif oif missing")' true
nsrun cli ip addr add 203.0.113.99/32 dev c0
truth "rpfilter v4: a source with no route back" timeout 4 203.0.113.99 $R4 22
in4 "rpfilter v4: a source with no route back" prerouting/NFT_RULE_DROP fail 1 203.0.113.99 $R4 22
truth "rpfilter v4: the client's own address" ok 4 $A4 $R4 22
in4 "rpfilter v4: the client's own address" null/NONE ok 0 $A4 $R4 22
truth "rpfilter v4: forwarded, the client's address" ok 4 $A4 203.0.113.2 80
in4 "rpfilter v4: forwarded, the client's address" null/NONE ok 0 $A4 203.0.113.2 80
# A route back by r0 for that source: it passes.
nsrun rtr ip route add 203.0.113.99/32 via 198.51.100.2 dev r0
truth "rpfilter v4: routed back by r0" ok 4 203.0.113.99 $R4 22
in4 "rpfilter v4: routed back by r0" null/NONE ok 0 203.0.113.99 $R4 22
t_done
