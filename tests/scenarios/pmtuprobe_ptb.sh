#!/bin/bash
# pmtuprobe: MTU 1280 on the far link (rtr r1, srv s0), frag-needed / Packet Too Big
# delivered: path MTU 1280 found, the router named as the hop that reports it, exit 0;
# IPv4 and IPv6, UDP and ICMP; JSON valid; promtool accepts --prom and --prom-file.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
P="$BIN/pmtuprobe"

lab_three || exit 1
nsrun rtr ip link set r1 mtu 1280
nsrun srv ip link set s0 mtu 1280

run_json out nsrun cli "$P" -j -t 0.3 203.0.113.2
expect_rc "v4 udp ptb" 0
expect_jq "v4 udp: valid JSON, schema" "$out" '.schema' "pmtuprobe/1"
expect_jq "v4 udp: path MTU 1280" "$out" '.result.path_mtu' 1280
expect_jq "v4 udp: MSS 1240" "$out" '.result.mss' 1240
expect_jq "v4 udp: cause ptb" "$out" '.verdict.cause' ptb
expect_jq "v4 udp: router named" "$out" '.verdict.hop' 198.51.100.1
expect_jq "v4 udp: PTB mtu" "$out" '.ptb.mtu' 1280
expect_jq "v4 udp: no black hole" "$out" '.result.black_hole' false
expect_jq "v4 udp: device MTU" "$out" '.local.dev_mtu' 1500
expect_jq "v4 udp: device" "$out" '.local.dev' c0
expect_jq "v4 udp: the key is device (dev its alias, issue 19)" "$out" '.local.device' c0
expect_jq "v4 udp: no exception before" "$out" '.local.cached_pmtu' null
expect_jq "v4 udp: the probes' PTB cached after" "$out" '.local.cached_pmtu_after.mtu' 1280

# The exception the first run left is reported, and not cleared without --flush.
run_json out nsrun cli "$P" -j -t 0.3 --proto icmp 203.0.113.2
expect_rc "v4 icmp ptb" 0
expect_jq "v4 icmp: proto" "$out" '.query.proto' icmp
expect_jq "v4 icmp: path MTU 1280" "$out" '.result.path_mtu' 1280
expect_jq "v4 icmp: router named" "$out" '.verdict.hop' 198.51.100.1
expect_jq "v4 icmp: cached exception reported" "$out" '.local.cached_pmtu.mtu' 1280
expect_jq "v4 icmp: not flushed" "$out" '.local.flushed' false

run_json out nsrun cli "$P" -j -t 0.3 --flush 203.0.113.2
expect_jq "v4 --flush: flushed" "$out" '.local.flushed' true

run_json out nsrun cli "$P" -j -t 0.3 2001:db8:2::2
expect_rc "v6 udp ptb" 0
expect_jq "v6 udp: path MTU 1280" "$out" '.result.path_mtu' 1280
expect_jq "v6 udp: MSS 1220" "$out" '.result.mss' 1220
expect_jq "v6 udp: cause ptb" "$out" '.verdict.cause' ptb
expect_jq "v6 udp: router named" "$out" '.verdict.hop' 2001:db8:1::1
expect_jq "v6 udp: family" "$out" '.query.family' inet6

run_json out nsrun cli "$P" -j -t 0.3 --proto icmp 2001:db8:2::2
expect_rc "v6 icmp ptb" 0
expect_jq "v6 icmp: router named" "$out" '.verdict.hop' 2001:db8:1::1
run_json out nsrun cli "$P" -j -t 0.3 --flush --proto icmp 2001:db8:2::2
expect_jq "v6 --flush: flushed" "$out" '.local.flushed' true
expect_jq "v6 --flush: cached before the flush still reported" "$out" '.local.cached_pmtu.mtu' 1280

run_json prom nsrun cli "$P" --prom -t 0.3 203.0.113.2
expect_rc "v4 --prom" 0
promcheck "v4 --prom" "$prom"$'\n'
if grep -q '^pktpath_pmtuprobe_path_mtu_bytes{.*} 1280$' <<<"$prom"; then t_ok "--prom: path MTU 1280"
else t_fail "--prom: path MTU 1280"; printf '%s\n' "$prom" | sed 's/^/# /'; fi
if grep -q '^pktpath_pmtuprobe_black_hole{.*} 0$' <<<"$prom"; then t_ok "--prom: black_hole 0"
else t_fail "--prom: black_hole 0"; fi
grep -q '^pktpath_pmtuprobe_probes_sent{.*} [1-9]' <<<"$prom" && t_ok "--prom: probes sent" || t_fail "--prom: probes sent"

pf=$(mktemp -d)
nsrun cli "$P" --prom-file "$pf/pmtu.prom" -t 0.3 203.0.113.2; RC=$?
expect_rc "--prom-file" 0
promcheck "--prom-file" "$(cat "$pf/pmtu.prom" 2>/dev/null)"$'\n'
grep -q '^pktpath_pmtuprobe_run_success{dst="203.0.113.2"} 1$' "$pf/pmtu.prom" && t_ok "--prom-file: run_success 1" || t_fail "--prom-file: run_success 1"
rm -rf "$pf"

# TCP SYN probes: a closed port answers with RST, an open one with SYN-ACK.
run_json out nsrun cli "$P" -j -t 0.3 --proto tcp --port 81 203.0.113.2
expect_rc "v4 tcp (RST) ptb" 0
expect_jq "v4 tcp: proto" "$out" '.query.proto' tcp
expect_jq "v4 tcp: path MTU 1280" "$out" '.result.path_mtu' 1280
expect_jq "v4 tcp: router named" "$out" '.verdict.hop' 198.51.100.1
run_json out nsrun cli "$P" -j -t 0.3 --proto tcp "[2001:db8:2::2]:81"
expect_rc "v6 tcp (RST) ptb" 0
expect_jq "v6 tcp: port from DEST" "$out" '.query.port' 81
expect_jq "v6 tcp: path MTU 1280" "$out" '.result.path_mtu' 1280
expect_jq "v6 tcp: router named" "$out" '.verdict.hop' 2001:db8:1::1
# Listeners with a bounded lifetime: a TCP one and a UDP echo responder.
nsrun srv timeout 60 python3 -c '
import socket, threading
t = socket.socket(socket.AF_INET6); t.bind(("::", 8080)); t.listen(64)
u = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); u.bind(("::", 7007))
def echo():
    while True:
        d, a = u.recvfrom(65535); u.sendto(d[:64], a)
threading.Thread(target=echo, daemon=True).start()
while True:
    c, _ = t.accept(); c.close()
' &
srvpid=$!
sleep 0.5
run_json out nsrun cli "$P" -j -t 0.3 --proto tcp 203.0.113.2:8080
expect_rc "v4 tcp (SYN-ACK) ptb" 0
expect_jq "v4 tcp SYN-ACK: destination reached" "$out" '.probes[0].answer' reached
expect_jq "v4 tcp SYN-ACK: path MTU 1280" "$out" '.result.path_mtu' 1280
run_json out nsrun cli "$P" -j -t 0.3 --proto udp --port 7007 203.0.113.2
expect_rc "v4 udp echo ptb" 0
expect_jq "v4 udp echo: reached by the reply" "$out" '.probes[0].answer' reached
expect_jq "v4 udp echo: path MTU 1280" "$out" '.result.path_mtu' 1280
run_json out nsrun cli "$P" -j -t 0.3 --proto udp --port 7007 2001:db8:2::2
expect_jq "v6 udp echo: path MTU 1280" "$out" '.result.path_mtu' 1280
kill $srvpid 2>/dev/null; wait $srvpid 2>/dev/null

# An MSS clamp in the ruleset is reported beside the result.
nsrun cli nft -f - <<'NFT' || exit 1
table inet clamp {
	chain mss {
		type filter hook output priority mangle;
		tcp flags syn tcp option maxseg size set 1200
		tcp flags syn tcp option maxseg size set rt mtu
	}
}
NFT
run_json out nsrun cli "$P" -j -t 0.3 203.0.113.2
expect_jq "mss clamp: found" "$out" '.local.mss_clamps | length' 2
expect_jq "mss clamp: fixed size" "$out" '.local.mss_clamps[0] | "\(.table) \(.chain) \(.size)"' "clamp mss 1200"
expect_jq "mss clamp: rt mtu" "$out" '.local.mss_clamps[1].size' "rt mtu"
expect_jq "mss clamp: device MSS" "$out" '.local.dev_mss' 1460

# Without privileges: UDP still measures; what needs CAP_NET_RAW / CAP_NET_ADMIN says so.
NOPRIV="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
run_json out nsrun cli $NOPRIV "$P" -j -t 0.3 --proto udp 203.0.113.2
expect_rc "unprivileged udp" 0
expect_jq "unprivileged udp: path MTU 1280" "$out" '.result.path_mtu' 1280
expect_jq "unprivileged udp: every probe answered, no capture needed" "$out" '[.warnings[] | select(test("needs CAP_NET_RAW"))] | length' 0
expect_jq "unprivileged udp: ruleset needs CAP_NET_ADMIN" "$out" '[.warnings[] | select(test("needs CAP_NET_ADMIN"))] | length' 1
run_json out nsrun cli $NOPRIV "$P" -j -t 0.3 --proto icmp 203.0.113.2
expect_rc "unprivileged icmp" 3
expect_jq "unprivileged icmp: unknown, needs CAP_NET_RAW" "$out" '.verdict | "\(.status) \(.summary | test("needs CAP_NET_RAW"))"' "unknown true"

# The route's MTU metric is reported and is the default largest probe.
nsrun cli ip route change default via 198.51.100.1 mtu 1400
nsrun cli sh -c 'echo 1 > /proc/sys/net/ipv4/route/flush'
run_json out nsrun cli "$P" -j -t 0.3 203.0.113.2
expect_jq "route mtu metric reported" "$out" '.local.route_mtu' 1400
expect_jq "route mtu: largest probe" "$out" '.query.max' 1400
expect_jq "route mtu: path MTU 1280 still found" "$out" '.result.path_mtu' 1280
nsrun cli ip route change default via 198.51.100.1

# -N enters the namespace itself and names it in the JSON.
run_json out "$P" -j -t 0.3 -N "$(ns cli)" 203.0.113.2
expect_rc "-N" 0
expect_jq "-N: netns named" "$out" '.netns' "$(ns cli)"
expect_jq "-N: path MTU 1280" "$out" '.result.path_mtu' 1280
run_json out "$P" -j -N "$LAB-nosuch" 203.0.113.2
expect_rc "-N no such namespace" 2

run_json out nsrun cli "$P" -j --min abc 203.0.113.2
expect_rc "bad --min" 2
if grep -q -- "--min: 'abc'" <<<"$ERR"; then t_ok "bad --min named"; else t_fail "bad --min named: $ERR"; fi
t_done
