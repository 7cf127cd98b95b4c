#!/bin/bash
# pathcheck follows every value of a hash (issue 20 item 3): "jhash ip saddr . tcp sport
# mod 2 seed 0x5 vmap { ... }" and "symhash mod 2 vmap { ... }" on a router's forward
# chain are choice points, as numgen is: each value is walked to its own end; ok only
# when every branch passes, else "K of N branches die". The truth: TCP connects from the
# client through the router, from 24 source ports, IPv4 and IPv6, one per port chosen
# by the kernel's hash: both fates seen when the map splits them, one when it does not.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

lab_three || exit 1
R=$(ns rtr)
LPIDS=""
# The server takes every connection (a full accept queue would drop SYNs itself).
nsrun srv python3 -c '
import socket
s = socket.socket(socket.AF_INET6); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0)
s.bind(("::", 8080)); s.listen(64); s.settimeout(120)
while True:
    c, _ = s.accept(); c.close()' &
LPIDS=$!
for _ in $(seq 1 20); do nsrun srv ss -ltn "sport = :8080" | grep -q LISTEN && break; sleep 0.1; done
# fates DST: of 24 connects from source ports 41000.., how many opened and how many were dropped ("O D").
fates() {
	nsrun cli python3 -c '
import socket, sys
o = d = 0
fam = socket.AF_INET6 if ":" in sys.argv[1] else socket.AF_INET
for p in range(41000, 41024):
    s = socket.socket(fam); s.settimeout(0.4)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::" if fam == socket.AF_INET6 else "0.0.0.0", p))
    try:
        s.connect((sys.argv[1], 8080)); o += 1
    except socket.timeout:
        d += 1
    s.close()
print(o, d)' "$1"
}
IN4=(-N "$R" --from 198.51.100.2 --iif r0)
IN6=(-N "$R" --from 2001:db8:1::2 --iif r0)
load() {
	nsrun rtr nft flush ruleset
	nsrun rtr nft -f - <<EOF2
table inet lb {
	chain fw {
		type filter hook forward priority 0; policy accept;
		ct state established,related accept
		tcp dport 8080 meta nfproto ipv4 jhash ip saddr . tcp sport mod 2 seed 0x5 vmap { 0 : accept, 1 : $1 }
		tcp dport 8080 meta nfproto ipv6 symhash mod 2 vmap { 0 : accept, 1 : $1 }
	}
}
EOF2
}

# One value drops: both fates in the traffic, "1 of 2 branches die" from pathcheck.
load drop
read -r o d <<<"$(fates 203.0.113.2)"
if [ "$o" -gt 0 ] && [ "$d" -gt 0 ]; then t_ok "jhash splits: truth, $o opened and $d dropped"
else t_fail "jhash splits: truth, $o opened and $d dropped (want both)"; fi
check "jhash, one value drops" forward/NFT_RULE_DROP fail 1 "${IN4[@]}" 203.0.113.2:8080
expect_jq "jhash: 1 of 2 branches die" "$LAST" '.verdict.summary | test("^1 of 2 branches die")' true
expect_jq "jhash: two branches" "$LAST" '.branches | length' 2
expect_jq "jhash: the choice named" "$LAST" '[.branches[].choices] | join(" ") | test("jhash ip saddr . tcp sport mod 2 seed 0x5")' true
read -r o d <<<"$(fates 2001:db8:2::2)"
if [ "$o" -gt 0 ] && [ "$d" -gt 0 ]; then t_ok "symhash splits: truth, $o opened and $d dropped"
else t_fail "symhash splits: truth, $o opened and $d dropped (want both)"; fi
check "symhash, one value drops" forward/NFT_RULE_DROP fail 1 "${IN6[@]}" "[2001:db8:2::2]:8080"
expect_jq "symhash: 1 of 2 branches die" "$LAST" '.verdict.summary | test("^1 of 2 branches die")' true

# Every value accepts: every connect opens, ok from pathcheck.
load accept
read -r o d <<<"$(fates 203.0.113.2)"
[ "$d" -eq 0 ] && t_ok "jhash, all accept: truth, $o opened" || t_fail "jhash, all accept: truth, $d dropped"
check "jhash, every value accepts" null/NONE ok 0 "${IN4[@]}" 203.0.113.2:8080
expect_jq "jhash: all 2 branches pass" "$LAST" '.verdict.summary | test("all 2 branches pass")' true
read -r o d <<<"$(fates 2001:db8:2::2)"
[ "$d" -eq 0 ] && t_ok "symhash, all accept: truth, $o opened" || t_fail "symhash, all accept: truth, $d dropped"
check "symhash, every value accepts" null/NONE ok 0 "${IN6[@]}" "[2001:db8:2::2]:8080"
kill $LPIDS 2>/dev/null
t_done
