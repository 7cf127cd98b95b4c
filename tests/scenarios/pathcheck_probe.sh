#!/bin/bash
# pathcheck --probe / --watch / --trace (issue 4): a real packet, and where the
# kernel drops it, each fault built for real in lab namespaces; verdict station,
# drop_reason where the kernel gives one, and exit code asserted from -j.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

BG=""
# bg ROLE CMD...: CMD in lab namespace ROLE, in the background; its own pid is kept (ip netns exec execs it).
bg() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@" >/dev/null 2>&1 & BG="$BG $!"; }
stop_bg() { for p in $BG; do kill "$p" 2>/dev/null; done; wait $BG 2>/dev/null; BG=""; }

lab_three
C=$(ns cli); R=$(ns rtr); S=$(ns srv)
# A TCP and a UDP service on the server, for at most 120 s.
bg srv python3 -c '
import socket, threading, time
t = socket.socket(); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1); t.bind(("0.0.0.0", 8080)); t.listen(64)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("0.0.0.0", 9999))
def tcp():
    while True:
        c, _ = t.accept(); c.close()
def udp():
    while True:
        d, a = u.recvfrom(2048); u.sendto(d, a)
threading.Thread(target=tcp, daemon=True).start()
threading.Thread(target=udp, daemon=True).start()
time.sleep(400)'
SERVER=$BG; BG=""
trap 'kill $SERVER 2>/dev/null; lab_cleanup' EXIT
# Listening before the first probe (python starts slowly on a loaded host).
for _ in $(seq 100); do nsrun srv ss -Htln | grep -q ':8080 ' && break; sleep 0.1; done

# ---- healthy ----
check "probe tcp healthy" null/NONE ok 0 -N "$C" --probe 203.0.113.2:8080
expect_ev "probe tcp: connected" remote '.evidence.outcome' connected
expect_ev "probe tcp: seen leaving on the wire" remote '.evidence.wire_out > 0' true
expect_ev "probe tcp: device counters across the run" egress-device '.evidence.during_run.tx_dropped' 0
check "probe udp healthy" null/NONE ok 0 -N "$C" --probe --proto udp 203.0.113.2:9999
check "probe icmp healthy" null/NONE ok 0 -N "$C" --probe 203.0.113.2
expect_ev "probe icmp: a full-size probe answered" pmtu '.evidence.big_probe_outcome' reply
check "probe icmp healthy v6" null/NONE ok 0 -N "$C" --probe 2001:db8:2::2

# ---- no listener: refused, the server is the offender ----
check "no listener tcp: refused" remote/REMOTE_REFUSED fail 1 -N "$C" --probe 203.0.113.2:8081
expect_ev "no listener tcp: outcome" remote '.evidence.outcome' refused
check "no listener udp: refused" remote/REMOTE_REFUSED fail 1 -N "$C" --probe --proto udp 203.0.113.2:9998
expect_ev "no listener udp: the server's port unreachable" remote '.summary | test("refused by 203.0.113.2")' true

check "no listener tcp v6: refused" remote/REMOTE_REFUSED fail 1 -N "$C" --probe "[2001:db8:2::2]:8081"
check "no listener udp v6: refused" remote/REMOTE_REFUSED fail 1 -N "$C" --probe --proto udp "[2001:db8:2::2]:9998"
expect_ev "no listener udp v6: the server's port unreachable" remote '.summary | test("refused by 2001:db8:2::2")' true

# ---- a FORWARD drop on the router ----
nsrun rtr nft -f - <<'NFT'
table inet fw {
	chain fw_in {
		type filter hook forward priority 0; policy accept;
		ip daddr 203.0.113.2 tcp dport 8080 counter drop
		ip daddr 203.0.113.2 udp dport 9999 reject
	}
}
NFT
HANDLE=$(nsrun rtr nft -a list chain inet fw fw_in | awk '/tcp dport 8080/ {print $NF}')
# Seen from the client: silence, the probe seen leaving.
check "FORWARD drop seen from the client" remote/REMOTE_SILENT fail 1 -N "$C" --probe 203.0.113.2:8080
expect_ev "FORWARD drop from the client: silence" remote '.evidence.outcome' silence
expect_ev "FORWARD drop from the client: the probe left" remote '.evidence.wire_out > 0' true
# Seen from the router with --watch while the client retries.
bg cli python3 -c '
import socket, time
end = time.time() + 8
while time.time() < end:
    s = socket.socket(); s.settimeout(0.3)
    try: s.connect(("203.0.113.2", 8080))
    except Exception: pass
    s.close()'
check "FORWARD drop seen on the router (--watch --trace)" forward/NFT_RULE_DROP fail 1 -N "$R" --from 198.51.100.2 --iif r0 --watch 3 --trace 203.0.113.2:8080
expect_jq "FORWARD drop on the router: drop reason" "$LAST" '.verdict.drop_reason' NETFILTER_DROP
expect_ev "FORWARD drop on the router: the traced rule's handle" forward '.evidence.trace_rule_handle' "$HANDLE"
stop_bg
# Reject on the router: the ICMP comes from the router's address.
check "reject on the router" remote/REMOTE_ICMP_ERROR fail 1 -N "$C" --probe --proto udp 203.0.113.2:9999
expect_ev "reject on the router: offender is the router" remote '.evidence.offender' 198.51.100.1
nsrun rtr nft delete table inet fw

# ---- OUTPUT drop on the client ----
nsrun cli nft add table inet out
nsrun cli nft add chain inet out o '{ type filter hook output priority 0; }'
nsrun cli nft add rule inet out o ip daddr 203.0.113.2 udp dport 9999 counter drop
check "OUTPUT drop on the client" output/NFT_RULE_DROP fail 1 -N "$C" --probe --proto udp 203.0.113.2:9999
expect_jq "OUTPUT drop: drop reason" "$LAST" '.verdict.drop_reason' NETFILTER_DROP
nsrun cli nft add rule inet out o ip6 daddr 2001:db8:2::2 udp dport 9999 counter drop
check "OUTPUT drop on the client v6" output/NFT_RULE_DROP fail 1 -N "$C" --probe --proto udp "[2001:db8:2::2]:9999"
nsrun cli nft delete table inet out

# ---- rp_filter on the router, seen with --watch ----
nsrun cli ip addr add 198.51.100.70/32 dev c0
nsrun rtr ip route add 198.51.100.64/26 via 203.0.113.2
nsrun rtr sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.r0.rp_filter=1
bg cli ping -I 198.51.100.70 -c 30 -i 0.2 -W 1 203.0.113.2
check "rp_filter on the router (--watch)" route/RPF fail 1 -N "$R" --from 198.51.100.70 --iif r0 --watch 2 203.0.113.2
expect_jq "rp_filter: drop reason" "$LAST" '.verdict.drop_reason' IP_RPFILTER
stop_bg
nsrun rtr sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.r0.rp_filter=0
nsrun rtr ip route del 198.51.100.64/26 via 203.0.113.2

# ---- a reply dropped by the client's own INPUT chain ----
nsrun cli nft add table inet in
nsrun cli nft add chain inet in i '{ type filter hook input priority 0; }'
nsrun cli nft add rule inet in i ip saddr 203.0.113.2 icmp type echo-reply counter drop
check "reply dropped by the client's INPUT" input/NETFILTER_DROP fail 1 -N "$C" --probe 203.0.113.2
expect_jq "reply dropped inside: drop reason" "$LAST" '.verdict.drop_reason' NETFILTER_DROP
expect_ev "reply dropped inside: the answer was on the wire" remote '.evidence.wire_in > 0' true
nsrun cli nft delete table inet in

# ---- PMTU black hole: large probes vanish, small ones are answered ----
nsrun rtr ip link set r1 mtu 1280
nsrun srv ip link set s0 mtu 1280
nsrun rtr nft add table inet mtu
nsrun rtr nft add chain inet mtu o '{ type filter hook output priority 0; }'
nsrun rtr nft add rule inet mtu o icmp type destination-unreachable icmp code frag-needed counter drop
check "PMTU black hole" pmtu/PMTU_BLACK_HOLE fail 1 -N "$C" --probe 203.0.113.2
expect_jq "PMTU black hole: drop reason" "$LAST" '.verdict.drop_reason' PKT_TOO_BIG
nsrun rtr nft delete table inet mtu
nsrun rtr ip link set r1 mtu 1500
nsrun srv ip link set s0 mtu 1500

# ---- a tbf qdisc dropping a burst ----
nsrun cli tc qdisc add dev c0 root tbf rate 1mbit burst 1600 limit 3000
bg cli python3 -c '
import socket, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
end = time.time() + 6
while time.time() < end:
    try: s.sendto(b"x" * 1200, ("203.0.113.2", 9))
    except Exception: pass'
# The burst is on: the qdisc has begun to drop.
for _ in $(seq 100); do
	nsrun cli tc -s qdisc show dev c0 | grep -Eq 'dropped [1-9]' && break; sleep 0.05
done
run_json out "$PC" -j -N "$C" --probe 203.0.113.2
expect_jq "tbf burst: the qdisc decides" "$out" '.verdict.station' qdisc
expect_jq "tbf burst: cause" "$out" '.verdict.cause' QDISC_DROP
expect_jq "tbf burst: drop reason" "$out" '.verdict.drop_reason' QDISC_DROP
expect_rc "tbf burst" 1
stop_bg
nsrun cli tc qdisc del dev c0 root

# ---- next hop FAILED ----
nsrun cli ip route add 203.0.113.32/27 via 198.51.100.50
check "next hop FAILED (--probe)" neighbour/NEIGH_FAILED fail 1 -N "$C" --probe 203.0.113.40
expect_jq "next hop FAILED: drop reason" "$LAST" '.verdict.drop_reason' NEIGH_FAILED

# ---- a --trace run killed with SIGKILL: the next run cleans up ----
"$PC" -N "$C" --watch 20 --trace 203.0.113.2:8080 >/dev/null 2>&1 &
KP=$!
for _ in $(seq 1 30); do nsrun cli nft list tables | grep -q pktpath_trace_ && break; sleep 0.1; done
if nsrun cli nft list tables | grep -q "pktpath_trace_"; then t_ok "--trace installs its temporary table"; else t_fail "--trace: no temporary table"; fi
kill -9 $KP; wait $KP 2>/dev/null
sleep 0.2
# The table is created owned by the run's netlink socket (NFT_TABLE_F_OWNER, 5.12+): the kernel
# removes it when the process dies, even by SIGKILL. Older kernels keep it: the next run removes it.
STALE=$(nsrun cli nft list tables | grep -o 'pktpath_trace_[0-9]*')
[ -z "$STALE" ] && t_ok "SIGKILL: nothing left behind (the kernel removed the owned table)" ||
	t_ok "SIGKILL left $STALE (a kernel without owned tables)"
# A table left by a killed run on such a kernel (planted here): the next --trace run removes it.
before=$(nsrun cli nft list ruleset | md5sum)
nsrun cli nft add table inet pktpath_trace_999999
run_json out "$PC" -j -N "$C" --probe --trace 203.0.113.2:8080
if nsrun cli nft list tables | grep -q pktpath_trace_; then t_fail "the next --trace run did not remove the stale table"
else t_ok "the next --trace run removed the stale table"; fi
after=$(nsrun cli nft list ruleset | md5sum)
[ "$before" = "$after" ] && t_ok "nothing else in the ruleset changed" || t_fail "the ruleset changed"
# SIGTERM removes it at once.
"$PC" -N "$C" --watch 20 --trace 203.0.113.2:8080 >/dev/null 2>&1 &
KP=$!
for _ in $(seq 1 30); do nsrun cli nft list tables | grep -q pktpath_trace_ && break; sleep 0.1; done
kill -TERM $KP; wait $KP 2>/dev/null
sleep 0.2
if nsrun cli nft list tables | grep -q pktpath_trace_; then t_fail "SIGTERM left the table"; else t_ok "SIGTERM removes the table"; fi

# ---- drops in another namespace at the same time are not blamed on the probe ----
lab_ns x1 x2
lab_veth x1 xa x2 xb
nsrun x1 ip addr add 198.51.100.130/26 dev xa
nsrun x2 ip addr add 198.51.100.131/26 dev xb
nsrun x2 nft add table inet d
nsrun x2 nft add chain inet d i '{ type filter hook input priority 0; }'
nsrun x2 nft add rule inet d i drop
bg x1 ping -c 200 -i 0.01 -W 1 198.51.100.131
sleep 0.3
check "other namespace dropping at the same time" null/NONE ok 0 -N "$C" --probe 203.0.113.2:8080
expect_jq "other namespace's drops noted, not blamed" "$LAST" '[.warnings[] | test("other namespaces")] | any' true
stop_bg

t_done
