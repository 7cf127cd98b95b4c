#!/bin/bash
# Rules written with iptables-nft are nftables rules and are evaluated like any
# other; legacy (x_tables) iptables tables are not read, and pathcheck says so.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
command -v iptables-nft >/dev/null || { t_skip "iptables-nft" "not installed"; t_done; exit 0; }

lab_three
R=$(ns rtr); S=$(ns srv)
nsrun rtr iptables-nft -A FORWARD -p tcp --dport 22 -j DROP
pc_run out "iptables-nft FORWARD drop" -N "$R" --from 198.51.100.2 --iif r0 203.0.113.2:22
expect_rc "iptables-nft FORWARD drop" 1
expect_jq "iptables-nft: station" "$out" '.verdict.station' forward
expect_jq "iptables-nft: cause, an iptables rule" "$out" '.verdict | "\(.cause) \(.cause_code)"' "XT_RULE_DROP 23"
expect_jq "iptables-nft: the table is ip filter" "$out" '.stations[] | select(.station=="forward") | .evidence.chains[0].table' "ip filter"
expect_jq "iptables-nft: rule text" "$out" '.stations[] | select(.station=="forward") | .evidence.chains[0].rule' "tcp dport 22 counter drop"
pc_run out "iptables-nft: another port passes" -N "$R" --from 198.51.100.2 --iif r0 203.0.113.2:443
expect_rc "iptables-nft: another port passes" 0
# -j REJECT, and the chain's policy: the kind of iptables verdict is the cause.
nsrun rtr iptables-nft -A FORWARD -p tcp --dport 23 -j REJECT
nsrun srv timeout 10 socat -u TCP4-LISTEN:23,reuseaddr /dev/null 2>/dev/null &
SP=$!
for _ in $(seq 1 20); do nsrun srv ss -ltn 'sport = :23' | grep -q LISTEN && break; sleep 0.1; done
if nsrun cli socat -u /dev/null TCP4:203.0.113.2:23,connect-timeout=2 2>/dev/null; then
	t_fail "iptables-nft REJECT: truth, the connect is refused"; else t_ok "iptables-nft REJECT: truth, the connect is refused"; fi
pc_run out "iptables-nft FORWARD reject" -N "$R" --from 198.51.100.2 --iif r0 203.0.113.2:23
expect_rc "iptables-nft FORWARD reject" 1
expect_jq "iptables-nft REJECT: station and cause" "$out" '.verdict | "\(.station) \(.cause)"' "forward XT_RULE_REJECT"
kill $SP 2>/dev/null; wait $SP 2>/dev/null
nsrun rtr iptables-nft -P FORWARD DROP
if nsrun cli ping -c1 -W1 203.0.113.2 >/dev/null 2>&1; then t_fail "iptables-nft policy DROP: truth, ping fails"
else t_ok "iptables-nft policy DROP: truth, ping fails"; fi
pc_run out "iptables-nft FORWARD policy drop" -N "$R" --from 198.51.100.2 --iif r0 203.0.113.2:443
expect_rc "iptables-nft FORWARD policy drop" 1
expect_jq "iptables-nft policy DROP: station and cause" "$out" '.verdict | "\(.station) \(.cause)"' "forward XT_POLICY_DROP"
nsrun rtr iptables-nft -P FORWARD ACCEPT
nsrun rtr iptables-nft -D FORWARD -p tcp --dport 23 -j REJECT

nsrun srv iptables-legacy -A INPUT -p tcp --dport 9 -j DROP
# ICMP: the kernel answers echo itself, so nothing else fails and the unread tables decide.
pc_run out "legacy iptables present: could not tell" -N "$S" --from 198.51.100.2 --iif s0 203.0.113.2
expect_rc "legacy iptables present: could not tell" 3
expect_jq "legacy iptables: input unknown" "$out" '.stations[] | select(.station=="input") | .status' unknown
expect_jq "legacy iptables: the verdict's cause" "$out" '.verdict | "\(.station) \(.cause)"' "prerouting LEGACY_IPTABLES_UNREAD"
expect_jq "legacy iptables: the tables are named" "$out" '.stations[] | select(.station=="input") | .evidence.legacy_iptables' filter
expect_jq "legacy iptables: said in the summary" "$out" '.stations[] | select(.station=="input") | .summary | test("legacy iptables tables \\(filter\\) exist and were not read")' true
t_done
