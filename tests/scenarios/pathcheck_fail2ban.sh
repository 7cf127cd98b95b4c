#!/bin/bash
# fail2ban 1.0 (Debian 12's), the real server run inside the lab's router namespace
# with its own configuration directory (a copy of /etc/fail2ban with jails of this
# run), socket, pid file, log and an in-memory database, in its own mount namespace.
# Its nftables actions (nftables-multiport, nftables-allports) and iptables-ipset
# ban clients found in a log the test writes, or named with banip; each verdict of
# pathcheck on the sets and rules fail2ban wrote, checked against real traffic.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
source tests/lib/truth.sh
for c in fail2ban-client fail2ban-server nft ipset iptables-nft socat unshare; do
	command -v $c >/dev/null || { t_skip "fail2ban" "no $c (tests/lib/deps.sh installs it)"; t_done; exit 0; }
done

lab_three || { t_fail "lab"; t_done; exit 1; }
H=$(ns rtr) C=$(ns cli)
F2B=$(mktemp -d /tmp/pp-f2b.XXXXXX)
F2BPID="" PIDS=""
f2b_cleanup() {
	[ -n "$F2BPID" ] && kill "$F2BPID" 2>/dev/null && for _ in $(seq 50); do kill -0 "$F2BPID" 2>/dev/null || break; sleep 0.1; done
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	lab_cleanup
	rm -rf "$F2B"
}
trap f2b_cleanup EXIT
ROOT_NFT_BEFORE=$(nft list tables 2>/dev/null)
ROOT_IPSET_BEFORE=$(ipset list -n 2>/dev/null)

mkdir -p "$F2B/etc" "$F2B/lib"
cp -a /etc/fail2ban/. "$F2B/etc/"
rm -f "$F2B/etc/jail.d/"*	# Debian's defaults-debian.conf: the host's sshd jail, not ours
: >"$F2B/auth.log"; : >"$F2B/all.log"; : >"$F2B/ipset.log"
cat >"$F2B/etc/fail2ban.local" <<L
[Definition]
logtarget = $F2B/fail2ban.log
socket = $F2B/sock
pidfile = $F2B/pid
dbfile = :memory:
L
cat >"$F2B/etc/jail.local" <<L
[DEFAULT]
backend = polling
banaction = nftables-multiport
banaction_allports = nftables-allports
bantime = 1h
findtime = 10m
maxretry = 2
[sshd]
enabled = false
[pp-ssh]
enabled = true
filter = sshd
port = 22
logpath = $F2B/auth.log
[pp-all]
enabled = true
filter = sshd
logpath = $F2B/all.log
banaction = %(banaction_allports)s
[pp-ipset]
enabled = true
filter = sshd
port = 8443
logpath = $F2B/ipset.log
banaction = iptables-ipset-proto6
L
f2b() { nsrun rtr fail2ban-client -c "$F2B/etc" -s "$F2B/sock" "$@"; }
# The server in the foreground of this client process (its pid is $!), in the router's
# namespace; /var/lib/fail2ban and /run the lab's own in its mount namespace.
ip netns exec "$H" unshare -m --propagation private sh -c \
	'mount -t tmpfs pp-f2b /run && mount --bind "$0/lib" /var/lib/fail2ban &&
	 exec fail2ban-client -c "$0/etc" -s "$0/sock" -p "$0/pid" -x -f start' "$F2B" >"$F2B/server.out" 2>&1 &
F2BPID=$!
for _ in $(seq 300); do f2b ping >/dev/null 2>&1 && break; sleep 0.1; done
if ! f2b ping >/dev/null 2>&1; then
	t_skip "fail2ban" "fail2ban did not start: $(tail -3 "$F2B/server.out" "$F2B/fail2ban.log" 2>/dev/null | tr '\n' ' ')"; t_done; exit 0
fi
# The jails' actions start on the first ban or at once; wait for the tables of the nftables ones.
for _ in $(seq 50); do nsrun rtr nft list table inet f2b-table >/dev/null 2>&1 && break; sleep 0.1; done
t_ok "fail2ban $(f2b version 2>/dev/null) runs in the lab (pid $F2BPID): $(f2b status | sed -n 's/.*Jail list:\s*//p')"

nsrun cli ip addr add 198.51.100.3/26 dev c0
nsrun cli ip addr add 198.51.100.4/26 dev c0
nsrun cli ip -6 addr add 2001:db8:1::3/64 dev c0 nodad
for p in 22 80 8443; do
	nsrun rtr socat TCP6-LISTEN:$p,ipv6only=0,fork,reuseaddr /dev/null >/dev/null 2>&1 &
	PIDS="$PIDS $!"
done
sleep 0.5
in4() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" "$6:$7"; }
in6() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from "$5" "[$6]:$7"; }
R4=198.51.100.1 R6=2001:db8:1::1 A4=198.51.100.2 A6=2001:db8:1::2 B4=198.51.100.3 B6=2001:db8:1::3 D4=198.51.100.4

truth "before any ban: $B4 ssh" ok 4 $B4 $R4 22
in4 "before any ban: $B4 ssh" null/NONE ok 0 $B4 $R4 22

# failed logins, as sshd logs them: 3 > maxretry 2
failed() {	# LOG ADDR
	local i
	for i in 1 2 3; do
		echo "$(date '+%b %e %H:%M:%S') rtr sshd[$((4000 + i))]: Failed password for root from $2 port $((40000 + i)) ssh2" >>"$1"
	done
}
# banned JAIL ADDR: wait until fail2ban has banned ADDR in JAIL.
banned() { local _; for _ in $(seq 150); do f2b get "$1" banip 2>/dev/null | grep -qw "$2" && return 0; sleep 0.1; done; return 1; }

# ---- nftables-multiport: a client found in the log is banned on port 22 only ----
failed "$F2B/auth.log" $B4
if banned pp-ssh $B4; then t_ok "pp-ssh banned $B4 from the log"; else t_fail "pp-ssh banned $B4 from the log"; fi
sleep 0.3
truth "multiport ban: $B4 ssh" unreach 4 $B4 $R4 22
in4 "multiport ban: $B4 ssh" input/NFT_RULE_REJECT fail 1 $B4 $R4 22
expect_ev "multiport ban: fail2ban's rule and set named" input '.summary | test("f2b-table chain f2b-chain .*tcp dport 22 ip saddr @addr-set-pp-ssh reject with icmp port-unreachable")' true
check "multiport ban probe from $B4" remote/REMOTE_REFUSED fail 1 -N "$C" --probe --timeout 1 --from $B4 "$R4:22"
truth "multiport ban: $B4 port 80 not in the jail's ports" ok 4 $B4 $R4 80
in4 "multiport ban: $B4 port 80 not in the jail's ports" null/NONE ok 0 $B4 $R4 80
truth "multiport ban: $A4 ssh" ok 4 $A4 $R4 22
in4 "multiport ban: $A4 ssh" null/NONE ok 0 $A4 $R4 22

# ---- IPv6, banned by name ----
f2b set pp-ssh banip $B6 >/dev/null
banned pp-ssh $B6 || t_fail "pp-ssh banned $B6"
truth "multiport ban v6: $B6 ssh" unreach 6 $B6 $R6 22
in6 "multiport ban v6: $B6 ssh" input/NFT_RULE_REJECT fail 1 $B6 $R6 22
expect_ev "multiport ban v6: the ip6 set named" input '.summary | test("ip6 saddr @addr6-set-pp-ssh reject")' true
truth "multiport ban v6: $A6 ssh" ok 6 $A6 $R6 22
in6 "multiport ban v6: $A6 ssh" null/NONE ok 0 $A6 $R6 22

# ---- nftables-allports: every port ----
failed "$F2B/all.log" $D4
if banned pp-all $D4; then t_ok "pp-all banned $D4 from the log"; else t_fail "pp-all banned $D4 from the log"; fi
sleep 0.3
truth "allports ban: $D4 port 80" unreach 4 $D4 $R4 80
in4 "allports ban: $D4 port 80" input/NFT_RULE_REJECT fail 1 $D4 $R4 80
expect_ev "allports ban: the rule named" input '.summary | test("@addr-set-pp-all reject")' true
truth "allports ban: $D4 ssh" unreach 4 $D4 $R4 22
in4 "allports ban: $D4 ssh" input/NFT_RULE_REJECT fail 1 $D4 $R4 22
f2b set pp-all banip $B6 >/dev/null
banned pp-all $B6 || t_fail "pp-all banned $B6"
truth "allports ban v6: $B6 port 80" unreach 6 $B6 $R6 80
in6 "allports ban v6: $B6 port 80" input/NFT_RULE_REJECT fail 1 $B6 $R6 80
expect_ev "allports ban v6: the ip6 set named" input '.summary | test("ip6 saddr @addr6-set-pp-all reject with icmpv6 port-unreachable")' true

# ---- unban: the set element goes, the client passes again ----
f2b set pp-ssh unbanip $B4 >/dev/null
truth "unbanned: $B4 ssh" ok 4 $B4 $R4 22
in4 "unbanned: $B4 ssh" null/NONE ok 0 $B4 $R4 22
if [ "${PKTPATH_FIXTURES_SAVE:-}" = 1 ]; then
	{ echo "# fail2ban $(f2b version) (Debian 12), nftables-multiport (jail pp-ssh, port 22) and nftables-allports (jail pp-all),"
	  echo "# in a lab namespace; bans: pp-ssh 2001:db8:1::3, pp-all 198.51.100.4 and 2001:db8:1::3; nft list table inet f2b-table"
	  nsrun rtr nft list table inet f2b-table; } >tests/fixtures/fail2ban-nftables.nft
fi

# ---- iptables-ipset-proto6: -m set --match-set f2b-pp-ipset src -j REJECT ----
failed "$F2B/ipset.log" $B4
if banned pp-ipset $B4; then t_ok "pp-ipset banned $B4 from the log"; else t_fail "pp-ipset banned $B4 from the log"; fi
sleep 0.3
truth "ipset ban: $B4 port 8443" unreach 4 $B4 $R4 8443
# pathcheck reads the ipset through the ipset netlink protocol; where it cannot (yet),
# its verdict is unknown at input naming -m set: never ok, never a fail it cannot see.
# ipset_case NAME WANT(fail|ok) FROM: decided, the verdict is the truth's; else unknown naming the match.
ipset_case() {
	local st
	run_json out "$PC" -j -N "$H" --iif r0 --from "$3" "$R4:8443"
	st="$(jq -r '.verdict.status + " " + (.verdict.station // "null")' <<<"$out") $RC"
	pc_json_dump "$1" "$out"
	case "$2:$st" in
	"fail:fail input 1") t_ok "$1: fail at input (exit 1)"
		expect_jq "$1: the set named" "$out" '.verdict.summary | test("match-set f2b-pp-ipset src")' true ;;
	"ok:ok null 0") t_ok "$1: ok (exit 0)" ;;
	*:"unknown input 3"|*:"warn input 1")
		if jq -e '.verdict.summary | test("-m set")' <<<"$out" >/dev/null; then
			t_ok "$1: $st, undecided naming the match: $(jq -r .verdict.summary <<<"$out")"
		else t_fail "$1: undecided without naming the match: $(jq -r .verdict.summary <<<"$out")"; fi ;;
	*) t_fail "$1: $st, expected $2 or undecided at input"; printf '%s\n' "$out" | head -5 | sed 's/^/# /' ;;
	esac
}
ipset_case "ipset ban: $B4 port 8443" fail $B4
truth "ipset ban: $A4 port 8443" ok 4 $A4 $R4 8443
ipset_case "ipset ban: $A4 port 8443" ok $A4

# ---- stopped: fail2ban takes its rules, sets and table away; the host never had any ----
f2b stop >/dev/null 2>&1
for _ in $(seq 50); do kill -0 "$F2BPID" 2>/dev/null || break; sleep 0.1; done
F2BPID=""
if nsrun rtr nft list tables | grep -q f2b-table; then t_fail "fail2ban stopped: its table is gone"
else t_ok "fail2ban stopped: its table is gone"; fi
if [ "$(nft list tables 2>/dev/null)" = "$ROOT_NFT_BEFORE" ] && [ "$(ipset list -n 2>/dev/null)" = "$ROOT_IPSET_BEFORE" ]; then
	t_ok "the root namespace's nft tables and ipsets are the same as before"
else t_fail "the root namespace's nft tables and ipsets are the same as before"; fi
t_done
