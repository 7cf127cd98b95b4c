#!/bin/bash
# pathcheck --probe and a drop on another namespace's device of the same name (issue 15,
# item 3). skb:kfree_skb carries no namespace, and net:netif_receive_skb names the device
# only by name: every lab has its c0. A second lab here, whose own c0 drops a flood of TCP
# SYNs to a closed port (NO_SOCKET) and of UDP to a closed port, runs beside the probed one.
# (and its own lo, refusing its connects to itself). A silent target must stay "silence at the remote" (it was "fail at socket, nothing
# listens" from the other lab's drops), and a drop that is this flow's (the client's INPUT
# dropping the SYN-ACK that arrived on c0) must still count, tied by the capture on c0.
# The truth: socat from the same client.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

if ! command -v socat >/dev/null; then
	t_skip "same-name devices" "no socat (tests/lib/deps.sh installs it)"; t_done; exit
fi
lab_three
C=$(ns cli)
# A TCP service on 8080 and 8083, both families, for at most 300 s; 8082 dropped on the server.
lab_listen srv 8080 8083
nsrun srv nft add table inet t
nsrun srv nft add chain inet t in '{ type filter hook input priority 0; policy accept; }'
nsrun srv nft add rule inet t in tcp dport 8082 drop
# The client drops the answers from 8083 itself: the SYN-ACK arrives on c0 and dies in INPUT.
nsrun cli nft add table inet c
nsrun cli nft add chain inet c in '{ type filter hook input priority 0; policy accept; }'
nsrun cli nft add rule inet c in tcp sport 8083 drop

# The other lab: x (r0) -- y (c0). y answers x's SYNs to a closed port with a RST and
# frees each SYN (NO_SOCKET), its UDP with a port unreachable (NO_SOCKET), on its c0.
B=pps$$
ip netns add "$B-x" && ip netns add "$B-y" || { t_fail "second lab"; t_done; exit 1; }
FL=""
trap 'kill $FL 2>/dev/null; ip netns del "$B-x" 2>/dev/null; ip netns del "$B-y" 2>/dev/null; lab_cleanup' EXIT
ip link add r0 netns "$B-x" type veth peer c0 netns "$B-y"
for n in x y; do
	ip -n "$B-$n" link set lo up
	ip netns exec "$B-$n" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 net.ipv6.conf.all.accept_dad=0 \
		net.ipv6.conf.default.accept_dad=0 >/dev/null
done
ip -n "$B-x" link set r0 up; ip -n "$B-y" link set c0 up
ip -n "$B-x" addr add 198.51.100.65/26 dev r0; ip -n "$B-y" addr add 198.51.100.66/26 dev c0
ip -n "$B-x" addr add 2001:db8:5::1/64 dev r0; ip -n "$B-y" addr add 2001:db8:5::2/64 dev c0
ip netns exec "$B-x" python3 -c '
import socket, time
end = time.time() + 240
u4 = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u6 = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
while time.time() < end:
    for fam, a in ((socket.AF_INET, "198.51.100.66"), (socket.AF_INET6, "2001:db8:5::2")):
        s = socket.socket(fam); s.setblocking(False)
        try: s.connect((a, 9))
        except (BlockingIOError, OSError): pass
        s.close()
    try:
        u4.sendto(b"x", ("198.51.100.66", 9)); u6.sendto(b"x", ("2001:db8:5::2", 9))
    except OSError: pass
    time.sleep(0.002)
' >/dev/null 2>&1 &
FL=$!
# And y's own loopback: its connects to itself refused on lo (NO_SOCKET on a device every namespace has).
ip netns exec "$B-y" python3 -c '
import socket, time
end = time.time() + 240
while time.time() < end:
    for fam, a in ((socket.AF_INET, "127.0.0.1"), (socket.AF_INET6, "::1")):
        s = socket.socket(fam); s.setblocking(False)
        try: s.connect((a, 9))
        except (BlockingIOError, OSError): pass
        s.close()
    time.sleep(0.002)
' >/dev/null 2>&1 &
FL="$FL $!"
# The flood runs (each probe below also asserts the other c0's drops were seen).
sleep 0.5
if kill -0 ${FL% *} 2>/dev/null && kill -0 ${FL#* } 2>/dev/null; then t_ok "the other lab's flood runs"; else t_fail "the other lab's flood is not running"; fi

truth() {	# truth NAME WANT DEST PORT FAM: socat from the client: ok, refused or timeout
	local out rc got
	out=$(nsrun cli socat -u /dev/null "TCP$5:$3:$4,connect-timeout=1" 2>&1); rc=$?
	if [ $rc = 0 ]; then got=ok; elif [[ $out == *refused* ]]; then got=refused
	elif [[ $out == *"timed out"* ]]; then got=timeout; else got="other: $out"; fi
	if [ "$got" = "$2" ]; then t_ok "$1: traffic: $2"; else t_fail "$1: traffic: $got, expected $2"; fi
}

for fam in 4 6; do
	if [ $fam = 4 ]; then a=203.0.113.2; t=$a; else a=2001:db8:2::2; t="[$a]"; fi
	truth "silent v$fam" timeout "$t" 8082 $fam
	check "silent v$fam beside the other lab's c0" remote/REMOTE_SILENT fail 1 -N "$C" --probe --timeout 1.5 "$t:8082"
	expect_jq "silent v$fam: the other c0's drops were seen, and not counted" "$LAST" \
		'[.warnings[] | select(test("arriving on a device named c0 were not counted"))] | length' 1
	truth "answer dropped in INPUT v$fam" timeout "$t" 8083 $fam
	check "answer dropped in INPUT v$fam beside the other lab" input/NETFILTER_DROP fail 1 -N "$C" --probe --timeout 1.5 "$t:8083"
	expect_jq "answer dropped v$fam: tied by the capture" "$LAST" \
		'[.stations[] | select(.station=="input") | .evidence.drop_attribution // empty][0] | startswith("device and wire")' true
	truth "healthy v$fam" ok "$t" 8080 $fam
	check "healthy v$fam beside the other lab" null/NONE ok 0 -N "$C" --probe "$t:8080"
done
t_done
