#!/bin/bash
# pmtuprobe: a PTB suggesting an MTU larger than the probe (a bad suggestion). MTU 1280 on
# the far link; the router's own frag-needed / Packet Too Big has its MTU field rewritten
# to 1600 by nft on the way out. The hop is named with the MTU it gave, the search finds
# 1280 without following it, status warn, exit 1; IPv4 and IPv6.
# IPv4 and IPv6, UDP and ICMP; JSON valid; promtool accepts --prom and --prom-file.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
P="$BIN/pmtuprobe"

lab_three || exit 1
nsrun rtr ip link set r1 mtu 1280
nsrun srv ip link set s0 mtu 1280
nsrun rtr nft -f - <<'NFT' || exit 1
table inet bad {
	chain out {
		type filter hook output priority 0;
		icmp type destination-unreachable icmp code frag-needed icmp mtu set 1600
		icmpv6 type packet-too-big icmpv6 mtu set 1600
	}
}
NFT

for fam in 4 6; do
	if [ $fam = 4 ]; then dst=203.0.113.2 rtr=198.51.100.1; else dst=2001:db8:2::2 rtr=2001:db8:1::1; fi
	run_json out nsrun cli "$P" -j -t 0.2 "$dst"
	expect_rc "v$fam bad suggestion" 1
	expect_jq "v$fam: cause bad_ptb" "$out" '.verdict.cause' bad_ptb
	expect_jq "v$fam: status warn" "$out" '.verdict.status' warn
	expect_jq "v$fam: hop named" "$out" '.verdict.hop' "$rtr"
	expect_jq "v$fam: the MTU it gave" "$out" '.ptb.bad_suggestion.mtu' 1600
	expect_jq "v$fam: for the 1500-byte probe" "$out" '.ptb.bad_suggestion.probe_size' 1500
	expect_jq "v$fam: path MTU found without it" "$out" '.result.path_mtu' 1280
	expect_jq "v$fam: not followed (no 1600-byte probe)" "$out" '[.probes[] | select(.size == 1600)] | length' 0
done
t_done
