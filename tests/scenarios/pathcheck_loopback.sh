#!/bin/bash
# A packet the host sends to one of its own addresses loops back through lo: after output
# and postrouting it meets prerouting and input with lo as its in device (issue 20: "the
# loopback leg does not run the prerouting and input chains"). An input drop used to be
# "ok: every station passes" on a port that timed out. The truth: socat inside the host.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
command -v socat >/dev/null || { t_skip "loopback" "no socat"; t_done; exit 0; }

lab_ns host peer
H=$(ns host)
lab_veth host d0 peer p0
nsrun host ip addr add 198.51.100.9/24 dev d0
nsrun host ip -6 addr add 2001:db8:9::9/64 dev d0 nodad
nsrun peer ip addr add 198.51.100.1/24 dev p0
nsrun host ip route add default via 198.51.100.1
# Listeners on 80, 81, 82 and 84, both families; nothing on 83.
lab_listen host 80 81 82 84
# input: policy drop, port 80 dropped before lo is let in (as ufw and firewalld accept lo);
# prerouting (a filter chain) drops 81; iptables-nft rejects 84 in INPUT.
nsrun host nft -f - <<'N'
table inet f {
	chain pre { type filter hook prerouting priority 0; policy accept; tcp dport 81 drop; }
	chain in { type filter hook input priority 0; policy drop; tcp dport 80 drop; iifname "lo" accept; }
}
table ip n {
	chain out { type nat hook output priority -100; policy accept; ip daddr 203.0.113.77 tcp dport 80 dnat to 198.51.100.9:82; }
}
N
nsrun host iptables-nft -A INPUT -p tcp --dport 84 -j REJECT
nsrun host ip6tables-nft -A INPUT -p tcp --dport 84 -j REJECT --reject-with tcp-reset

truth() {	# NAME WANT HOSTPORT: ok, refused or timeout
	local out rc got
	out=$(nsrun host socat -u /dev/null "TCP:$3,connect-timeout=1" 2>&1); rc=$?
	if [ $rc = 0 ]; then got=ok; elif [[ $out == *refused* ]]; then got=refused
	elif [[ $out == *"timed out"* ]]; then got=timeout; else got="other: $out"; fi
	if [ "$got" = "$2" ]; then t_ok "$1: traffic: $2"; else t_fail "$1: traffic: $got, expected $2"; fi
}

for fam in 4 6; do
	if [ $fam = 4 ]; then a=198.51.100.9; else a="[2001:db8:9::9]"; fi
	truth "input drop v$fam" timeout "$a:80"
	check "input drop v$fam" input/NFT_RULE_DROP fail 1 -N "$H" "$a:80"
	expect_ev "input drop v$fam: back in through lo" input '.evidence.via' lo
	truth "prerouting drop v$fam" timeout "$a:81"
	check "prerouting drop v$fam" input/NFT_RULE_DROP fail 1 -N "$H" "$a:81"
	expect_ev "prerouting drop v$fam: named" input '.summary | test("^back in through lo, at prerouting: dropped by rule in table inet f chain pre")' true
	truth "lo accepted v$fam" ok "$a:82"
	check "lo accepted v$fam (iifname lo before a drop policy)" null/NONE ok 0 -N "$H" "$a:82"
	truth "nothing listens v$fam" refused "$a:83"
	check "nothing listens v$fam" socket/NO_LISTENER fail 1 -N "$H" "$a:83"
	truth "iptables-nft REJECT v$fam" refused "$a:84"
	check "iptables-nft REJECT v$fam" input/XT_RULE_REJECT fail 1 -N "$H" "$a:84"
done
# An output dnat to this host: its way back in is not evaluated, and said.
truth "output dnat to this host" ok 203.0.113.77:80
check "output dnat to this host" input/LOOPBACK_UNEVALUATED unknown 3 -N "$H" 203.0.113.77:80
# To another host: no way back in, no input station.
check "to the peer" null/NONE ok 0 -N "$H" 198.51.100.1:80
expect_jq "to the peer: no input station" "$LAST" '[.stations[].station] | index("input")' null
t_done
