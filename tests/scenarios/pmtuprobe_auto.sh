#!/bin/bash
# pmtuprobe --proto auto: the server drops UDP and ICMP echo, so TCP SYN (to a port
# given with DEST:PORT) is what gets through and what measures the path; MTU 1280 on
# the far link with PTB delivered. A destination that answers nothing: exit 3 (could
# not tell), with run_success 0 in --prom-file.
# IPv4 and IPv6, UDP and ICMP; JSON valid; promtool accepts --prom and --prom-file.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
P="$BIN/pmtuprobe"

lab_three || exit 1
nsrun rtr ip link set r1 mtu 1280
nsrun srv ip link set s0 mtu 1280
nsrun srv nft -f - <<'NFT' || exit 1
table inet srv {
	chain input {
		type filter hook input priority 0;
		meta l4proto udp drop
		icmp type echo-request drop
		icmpv6 type echo-request drop
	}
}
NFT

for fam in 4 6; do
	if [ $fam = 4 ]; then dst=203.0.113.2:80 rtr=198.51.100.1; else dst='[2001:db8:2::2]:80' rtr=2001:db8:1::1; fi
	run_json out nsrun cli "$P" -j -t 0.5 --tries 2 "$dst"
	expect_rc "v$fam auto picks tcp" 0
	expect_jq "v$fam auto: tcp chosen" "$out" '.query.proto' tcp
	expect_jq "v$fam auto: udp tried first, silent" "$out" '.probes[0] | "\(.proto) \(.answer)"' "udp silent"
	expect_jq "v$fam auto: then icmp, silent" "$out" '.probes[1] | "\(.proto) \(.answer)"' "icmp silent"
	expect_jq "v$fam auto: tcp answered" "$out" '.probes[2] | "\(.proto) \(.answer)"' "tcp reached"
	expect_jq "v$fam auto: path MTU 1280" "$out" '.result.path_mtu' 1280
	expect_jq "v$fam auto: router named" "$out" '.verdict.hop' "$rtr"
done

# Nothing answers: could not tell.
nsrun srv nft add rule inet srv input tcp dport 80 drop
run_json out nsrun cli "$P" -j -t 0.2 --tries 2 203.0.113.2:80
expect_rc "silent destination" 3
expect_jq "silent destination: unreachable" "$out" '.verdict.cause' unreachable
expect_jq "silent destination: status unknown" "$out" '.verdict.status' unknown
expect_jq "silent destination: no path MTU" "$out" '.result.path_mtu' null
expect_jq "silent destination: every protocol tried" "$out" '[.probes[].proto] | join(",")' "udp,icmp,tcp"
pf=$(mktemp -d)
nsrun cli "$P" --prom-file "$pf/p.prom" -t 0.2 --tries 1 --proto icmp 203.0.113.2; RC=$?
expect_rc "--prom-file silent" 3
promcheck "--prom-file silent" "$(cat "$pf/p.prom")"$'\n'
grep -q '^pktpath_pmtuprobe_run_success{dst="203.0.113.2"} 0$' "$pf/p.prom" && t_ok "--prom-file: run_success 0" || t_fail "--prom-file: run_success 0"
rm -rf "$pf"
t_done
