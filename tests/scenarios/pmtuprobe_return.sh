#!/bin/bash
# pmtuprobe: a hop with a lower MTU on the return path only (the router's route back
# to the client has mtu 1280; the forward path is 1500 all the way).
# What pmtuprobe reports: the forward path MTU, 1500, clean (exit 0): DF probes
# measure the way there. UDP probes are answered by small port-unreachables, so they
# see nothing of the way back. ICMP echo replies are as large as the probe: the
# router fragments them (IPv4; echo replies carry no DF) or sends the server a PTB
# and the server fragments its next reply (IPv6), so the capture sees the reply
# arrive in pieces; pmtuprobe reports the first fragment's size and warns.
# IPv4 and IPv6, UDP and ICMP; JSON valid; promtool accepts --prom and --prom-file.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
P="$BIN/pmtuprobe"

lab_three || exit 1
nsrun rtr ip route replace 198.51.100.0/26 dev r0 src 198.51.100.1 mtu lock 1280
nsrun rtr ip -6 route replace 2001:db8:1::/64 dev r0 proto kernel metric 256 mtu 1280

for fam in 4 6; do
	if [ $fam = 4 ]; then dst=203.0.113.2 frag=1276; else dst=2001:db8:2::2 frag=1280; fi
	run_json out nsrun cli "$P" -j -t 0.3 --proto udp "$dst"
	expect_rc "v$fam udp return-path only" 0
	expect_jq "v$fam udp: forward path MTU 1500" "$out" '.result.path_mtu' 1500
	expect_jq "v$fam udp: clean" "$out" '.verdict.cause' clean
	expect_jq "v$fam udp: no PTB" "$out" '.ptb' null
	expect_jq "v$fam udp: small answers show nothing of the way back" "$out" '.result.return_fragment_size' null

	run_json out nsrun cli "$P" -j -t 0.3 --proto icmp "$dst"
	expect_rc "v$fam icmp return-path only" 0
	expect_jq "v$fam icmp: forward path MTU 1500" "$out" '.result.path_mtu' 1500
	expect_jq "v$fam icmp: clean" "$out" '.verdict.status' ok
	expect_jq "v$fam icmp: the reply came back in pieces" "$out" '.result.return_fragment_size' "$frag"
	expect_jq "v$fam icmp: for the 1500-byte probe" "$out" '.result.return_fragment_probe' 1500
	expect_jq "v$fam icmp: warned" "$out" '.warnings[0] | test("return path has a smaller MTU")' true
done
t_done
