#!/bin/bash
# pmtuprobe: MTU 1280 on the far link and the router's OUTPUT chain drops its own
# frag-needed / Packet Too Big: large probes vanish while small ones are answered.
# A black hole is found (exit 1), the TTL search names the router as the last hop the
# large packets reach; IPv4 and IPv6. Partial results on --deadline and on SIGINT.
# IPv4 and IPv6, UDP and ICMP; JSON valid; promtool accepts --prom and --prom-file.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
P="$BIN/pmtuprobe"

lab_three || exit 1
nsrun rtr ip link set r1 mtu 1280
nsrun srv ip link set s0 mtu 1280
nsrun rtr nft -f - <<'NFT' || exit 1
table inet pmtu {
	chain out {
		type filter hook output priority 0;
		icmp type destination-unreachable icmp code frag-needed drop
		icmpv6 type packet-too-big drop
	}
}
NFT

for fam in 4 6; do
	if [ $fam = 4 ]; then dst=203.0.113.2 rtr=198.51.100.1 mss=1240
	else dst=2001:db8:2::2 rtr=2001:db8:1::1 mss=1220; fi
	run_json out nsrun cli "$P" -j -t 0.2 "$dst"
	expect_rc "v$fam black hole" 1
	expect_jq "v$fam: schema" "$out" '.schema' "pmtuprobe/1"
	expect_jq "v$fam: cause black_hole" "$out" '.verdict.cause' black_hole
	expect_jq "v$fam: status fail" "$out" '.verdict.status' fail
	expect_jq "v$fam: router named as the dropping hop" "$out" '.verdict.hop' "$rtr"
	expect_jq "v$fam: last hop the large probe reached" "$out" '.locate.last_hop' "$rtr"
	expect_jq "v$fam: at TTL 1" "$out" '.locate.last_ttl' 1
	expect_jq "v$fam: next hop is the destination" "$out" '.locate.next_is_destination' true
	expect_jq "v$fam: 1280 gets through" "$out" '.result.path_mtu' 1280
	expect_jq "v$fam: 1281 vanishes" "$out" '.result.smallest_failed' 1281
	expect_jq "v$fam: failed silently" "$out" '.result.failed_by' silent
	expect_jq "v$fam: black_hole true" "$out" '.result.black_hole' true
	expect_jq "v$fam: MSS to clamp to" "$out" '.result.mss' "$mss"
	expect_jq "v$fam: no PTB reported" "$out" '.ptb' null
	expect_jq "v$fam: RFC 8899 MAX_PROBES tries on a silent size" "$out" \
		'[.probes[] | select(.answer == "silent") | .tries] | unique | join(",")' 3
	expect_jq "v$fam: no exception cached (no PTB came)" "$out" '.local.cached_pmtu_after' null
done

# Unprivileged: the black hole is still found; the capture that would tell a local drop says what it needs.
run_json out nsrun cli setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$P" -j -t 0.2 --proto udp 203.0.113.2
expect_rc "unprivileged black hole" 1
expect_jq "unprivileged: router named" "$out" '.verdict.hop' 198.51.100.1
expect_jq "unprivileged: capture needs CAP_NET_RAW" "$out" '[.warnings[] | select(test("capture on c0: needs CAP_NET_RAW"))] | length' 1

run_json prom nsrun cli "$P" --prom -t 0.2 203.0.113.2
expect_rc "--prom black hole" 1
promcheck "--prom black hole" "$prom"$'\n'
grep -q '^pktpath_pmtuprobe_black_hole{.*} 1$' <<<"$prom" && t_ok "--prom: black_hole 1" || t_fail "--prom: black_hole 1"
grep -q '^pktpath_pmtuprobe_path_mtu_bytes{.*} 1280$' <<<"$prom" && t_ok "--prom: path MTU 1280" || t_fail "--prom: path MTU 1280"

# --deadline: stop early, still a whole document with what was found so far.
run_json out nsrun cli "$P" -j -t 0.2 --deadline 1 203.0.113.2
expect_jq "--deadline: JSON still written" "$out" '.schema' "pmtuprobe/1"
expect_jq "--deadline: marked timed out" "$out" '.result.timed_out' true
expect_jq "--deadline: not complete" "$out" '.result.complete' false
expect_jq "--deadline: the base probe is in the log" "$out" '.probes[0].answer' reached
expect_jq "--deadline: silence already seen makes it a black hole" "$out" '.verdict.cause' black_hole

# SIGINT: the same, partial.
tmp=$(mktemp)
ip netns exec "$(ns cli)" "$P" -j -t 0.2 203.0.113.2 >"$tmp" 2>/dev/null &
pid=$!
sleep 1.5
kill -INT $pid
wait $pid; RC=$?
out=$(cat "$tmp"); rm -f "$tmp"
expect_jq "SIGINT: JSON still written" "$out" '.schema' "pmtuprobe/1"
expect_jq "SIGINT: marked interrupted" "$out" '.result.interrupted' true
expect_jq "SIGINT: probes sent counted" "$out" '.result.probes_sent > 1' true
t_done
