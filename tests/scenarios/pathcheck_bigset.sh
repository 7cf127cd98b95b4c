#!/bin/bash
# pathcheck on rules against large named sets (issue 20 item 4): an interval set, a
# concatenation of ranges and an interval verdict map of 1,000 and 100,000 elements
# each, on a router's forward chain. pathcheck asks the kernel for the packet's key
# (one NFT_MSG_GETSETELEM, no dump); every verdict is checked against real traffic
# from the client to the server through the router, the element in and out.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

lab_three || exit 1
R=$(ns rtr)
LPIDS=""
listen6() {
	nsrun srv python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("::", int(sys.argv[1])))
s.listen(64)
time.sleep(300)' "$1" &
	LPIDS="$LPIDS $!"
	for _ in $(seq 1 20); do nsrun srv ss -ltn "sport = :$1" | grep -q LISTEN && return 0; sleep 0.1; done
	return 1
}
# truth WANT PORT: a TCP connect from the client to [2001:db8:2::2]:PORT (1 s) is WANT (open|dropped).
truth() {
	local got
	got=$(nsrun cli python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET6, socket.SOCK_STREAM)
s.settimeout(1)
try:
    s.connect(("2001:db8:2::2", int(sys.argv[1]))); print("open")
except socket.timeout:
    print("dropped")
except Exception as e:
    print(e)' "$2")
	if [ "$got" = "$1" ]; then t_ok "$3: truth, $1"; else t_fail "$3: truth, want $1, got $got"; fi
}
for p in 443 8443 9443; do listen6 $p || { t_fail "server on $p"; t_done; exit 1; }; done
IN=(-N "$R" --from 2001:db8:1::2 --iif r0)
SRV=2001:db8:2::/64

for n in 1000 100000; do
	nsrun rtr nft flush ruleset
	tests/tools/nft_bigset.sh "$n" | nsrun rtr nft -f - || { t_fail "$n: ruleset loaded"; continue; }
	got=$(nsrun rtr nft -j list set inet bl blk | jq '[.nftables[].set.elem // empty | .[]] | length')
	if [ "$got" = "$n" ]; then t_ok "$n: the set holds $n elements"; else t_fail "$n: the set holds $got elements"; fi

	# Nothing of the server's in the sets.
	truth open 443 "$n, out of every set"
	check "$n, out of every set" null/NONE ok 0 "${IN[@]}" "[2001:db8:2::2]:443"
	truth open 9443 "$n, vmap: no element"
	check "$n, vmap: no element" null/NONE ok 0 "${IN[@]}" "[2001:db8:2::2]:9443"

	# The interval set holds the server's net.
	nsrun rtr nft add element inet bl blk "{ $SRV }"
	truth dropped 443 "$n, in the interval set"
	check "$n, in the interval set" forward/NFT_RULE_DROP fail 1 "${IN[@]}" "[2001:db8:2::2]:443"
	expect_ev "$n, in the interval set: the rule" forward '.evidence.chains[0].rule | test("ip6 daddr @blk drop")' true
	nsrun rtr nft delete element inet bl blk "{ $SRV }"

	# A concatenation of ranges: the address in range and the port out of it is not in the set.
	nsrun rtr nft add element inet bl cc "{ $SRV . tcp . 8000-8999 }"
	truth dropped 8443 "$n, concatenation: every field in range"
	check "$n, concatenation: every field in range" forward/NFT_RULE_DROP fail 1 "${IN[@]}" "[2001:db8:2::2]:8443"
	expect_ev "$n, concatenation: the rule" forward '.evidence.chains[0].rule | test("@cc drop")' true
	truth open 9443 "$n, concatenation: the port out of range"
	check "$n, concatenation: the port out of range" null/NONE ok 0 "${IN[@]}" "[2001:db8:2::2]:9443"
	check "$n, concatenation: udp is not tcp" null/NONE ok 0 "${IN[@]}" --proto udp "[2001:db8:2::2]:8443"
	nsrun rtr nft delete element inet bl cc "{ $SRV . tcp . 8000-8999 }"

	# The verdict map gives the server's net drop; a neighbour's range accepts.
	nsrun rtr nft add element inet bl vm "{ $SRV : drop, 2001:db8:2:1::/64 : accept }"
	truth dropped 9443 "$n, vmap: drop"
	check "$n, vmap: drop" forward/NFT_RULE_DROP fail 1 "${IN[@]}" "[2001:db8:2::2]:9443"
	expect_ev "$n, vmap: drop: the rule" forward '.evidence.chains[0].rule | test("vmap @vm")' true
	truth open 443 "$n, vmap: the rule not reached"
	check "$n, vmap: the rule not reached" null/NONE ok 0 "${IN[@]}" "[2001:db8:2::2]:443"
done
for p in $LPIDS; do kill "$p" 2>/dev/null; done
t_done
