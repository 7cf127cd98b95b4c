#!/bin/bash
# pmtuprobe: MTU 1280 on the far link, the router's PTB is sent, but the client's own
# INPUT chain drops it. The capture on the egress device sees it arrive: the local
# firewall is named as the cause (exit 1), with the router and the MTU it gave.
# IPv4 and IPv6, UDP and ICMP; JSON valid; promtool accepts --prom and --prom-file.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
P="$BIN/pmtuprobe"

lab_three || exit 1
nsrun rtr ip link set r1 mtu 1280
nsrun srv ip link set s0 mtu 1280
nsrun cli nft -f - <<'NFT' || exit 1
table inet host {
	chain input {
		type filter hook input priority 0;
		icmp type destination-unreachable icmp code frag-needed drop
		icmpv6 type packet-too-big drop
	}
}
NFT

for fam in 4 6; do
	if [ $fam = 4 ]; then dst=203.0.113.2 rtr=198.51.100.1
	else dst=2001:db8:2::2 rtr=2001:db8:1::1; fi
	for proto in udp icmp; do
		run_json out nsrun cli "$P" -j -t 0.2 --proto $proto "$dst"
		expect_rc "v$fam $proto local drop" 1
		expect_jq "v$fam $proto: cause local_firewall" "$out" '.verdict.cause' local_firewall
		expect_jq "v$fam $proto: the reporting hop named" "$out" '.verdict.hop' "$rtr"
		expect_jq "v$fam $proto: PTB seen on the wire only" "$out" '.ptb.dropped_locally' true
		expect_jq "v$fam $proto: PTB not delivered" "$out" '.ptb.delivered' false
		expect_jq "v$fam $proto: its MTU" "$out" '.ptb.mtu' 1280
		expect_jq "v$fam $proto: path MTU from it" "$out" '.result.path_mtu' 1280
		expect_jq "v$fam $proto: the kernel learnt nothing" "$out" '.local.cached_pmtu_after' null
		expect_jq "v$fam $proto: summary names the input chain" "$out" \
			'.verdict.summary | test("this host drops it \\(INPUT rules: inet host input\\)")' true
		expect_jq "v$fam $proto: input chain with its drop rules" "$out" \
			'.local.input_chains[0] | "\(.table) \(.chain) \(.policy) \(.drop_rules)"' "host input accept 2"
		expect_jq "v$fam $proto: hint" "$out" '.verdict.hint | test("nft -a list chain inet host input")' true
	done
done

# Without the capture, the same path is only a black hole at the router.
run_json out nsrun cli "$P" -j -t 0.2 --no-capture 203.0.113.2
expect_rc "--no-capture: black hole" 1
expect_jq "--no-capture: cause black_hole" "$out" '.verdict.cause' black_hole
expect_jq "--no-capture: router named" "$out" '.verdict.hop' 198.51.100.1

run_json prom nsrun cli "$P" --prom -t 0.2 203.0.113.2
promcheck "--prom local drop" "$prom"$'\n'
grep -q '^pktpath_pmtuprobe_ptb_dropped_locally{.*} 1$' <<<"$prom" && t_ok "--prom: ptb_dropped_locally 1" || t_fail "--prom: ptb_dropped_locally 1"
t_done
