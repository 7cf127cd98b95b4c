#!/bin/bash
# dropstat: a full listen queue. b listens on 8080 with a backlog of 1 and
# never accepts; a opens 20 connections. The accept queue (backlog + 1 = 2)
# overflows: the kernel counts ListenOverflows and ListenDrops for each SYN it
# turns away (18 connections, each SYN and its retransmissions), dropstat's
# listen_* counters at the socket station. On 6.18 such a SYN is consumed, not
# freed as a drop (tcp_conn_request returns 0 and tcp_rcv_state_process calls
# consume_skb), so skb:kfree_skb never sees it: the counters are the only place
# a full listen queue shows, which is why dropstat reads them.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/lib/dropstat.sh

ds_lab
nsrun b sysctl -qw net.ipv4.tcp_syncookies=0 >/dev/null
nsrun a ping -c1 -W1 198.51.100.2 >/dev/null 2>&1

nsrun b python3 -c '
import socket, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("198.51.100.2", 8080)); s.listen(1); time.sleep(30)' &
srv=$!
for _ in $(seq 1 50); do nsrun b ss -Hltn 'sport = :8080' | grep -q . && break; sleep 0.1; done

conns() {
	nsrun a python3 -c '
import socket, time
socks = []
for i in range(20):
    c = socket.socket(); c.setblocking(False)
    try: c.connect(("198.51.100.2", 8080))
    except BlockingIOError: pass
    socks.append(c)
time.sleep(3)' &
	local c=$!
	sleep 2
	est=$(nsrun b ss -Htn state established '( sport = :8080 )' 2>/dev/null | wc -l)
	wait "$c"
}
ds_watch out 5 b conns
kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null
expect_rc "full listen queue" 1
expect_ge "listen_overflows: at least the 18 connections the queue could not take" \
	"$(jq -r '.counters[] | select(.counter=="listen_overflows") | .delta' <<<"$out")" 18 "$out"
expect_jq "... at the socket station" "$out" '.counters[] | select(.counter=="listen_overflows") | .station' socket
expect_ge "listen_drops too" "$(jq -r '.counters[] | select(.counter=="listen_drops") | .delta' <<<"$out")" 18 "$out"
expect_jq "the counters are this namespace's" "$out" '.counters[] | select(.counter=="listen_overflows") | .scope' netns
# the truth: the queue took only what its backlog allows, while 20 were asked for
if [ "$est" -ge 1 ] && [ "$est" -le 3 ]; then t_ok "b held 1 to backlog+1 connections done ($est of 20)"
else t_fail "b held $est connections, expected 1 to 3"; fi
t_done
