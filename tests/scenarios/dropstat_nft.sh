#!/bin/bash
# dropstat: an nftables drop. 20 pings dropped by an output rule in namespace a
# run in ping's own sendmsg(): they are NETFILTER_DROP at the netfilter station
# and counted as a's own (process context names its namespace). Watched from
# namespace b, the same drops are another namespace's: left out of b's counts.
# Drops of a's input rule happen in softirq: not attributable, counted as such.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/lib/dropstat.sh

ds_lab
nsrun a nft -f - <<'NFT' || exit 1
table inet t {
	chain o { type filter hook output priority 0; icmp type echo-request ip daddr 198.51.100.2 drop; }
	chain i { type filter hook input priority 0; udp dport 7777 drop; }
}
NFT
pings() { nsrun a ping -q -c 20 -i 0.02 -W 0.1 198.51.100.2 >/dev/null 2>&1; }

ds_watch out 2 a pings
expect_rc "output drop, watched from a" 1
expect_jq "tracepoint read" "$out" '.tracepoint.status' ok
expect_ge "20 pings dropped: NETFILTER_DROP at netfilter, a's own" "$(ds_count "$out" NETFILTER_DROP netfilter here)" 20 "$out"
expect_jq "the location is nft_do_chain" "$out" \
	'[.drops[] | select(.reason=="NETFILTER_DROP" and .station=="netfilter") | .location] | index("nft_do_chain") != null' true
expect_ge "the netfilter station counts them" \
	"$(jq -r '[.stations[] | select(.station=="netfilter") | .drops] | add // 0' <<<"$out")" 20 "$out"
expect_jq "problem" "$out" '.problem' true

ds_watch out 2 b pings
expect_jq "watched from b: a's drops are another namespace's, not b's" "$out" \
	'[.drops[] | select(.reason=="NETFILTER_DROP") | .here] | add // 0' 0
expect_ge "... counted as other namespaces" "$(ds_count "$out" NETFILTER_DROP netfilter other_netns)" 20 "$out"

udp() { for i in $(seq 1 15); do nsrun b bash -c 'printf x >/dev/udp/198.51.100.1/7777'; done; }
ds_watch out 2 b udp
expect_ge "an input drop runs in softirq: not attributable, shown in b too" \
	"$(ds_count "$out" NETFILTER_DROP netfilter not_attributable)" 15 "$out"

# text and Prometheus
tmp=$(mktemp)
"$DS" -N "$(ns a)" -i 2 -c 1 >"$tmp" 2>&1 & p=$!
sleep 0.5; pings; wait $p
txt=$(cat "$tmp")
if grep -qE '^NETFILTER_DROP +netfilter +[0-9]+' <<<"$txt"; then t_ok "text: a NETFILTER_DROP row at netfilter"
else t_fail "text: NETFILTER_DROP row"; sed 's/^/# /' <<<"$txt" | head -20; fi
"$DS" -N "$(ns a)" -i 2 -c 1 --prom >"$tmp" 2>&1 & p=$!
sleep 0.5; pings; wait $p
prom=$(cat "$tmp"); rm -f "$tmp"
promcheck "--prom" "$prom"
n=$(sed -n 's/^pktpath_kernel_drops_total{reason="NETFILTER_DROP",station="netfilter",netns="[^"]*"} \([0-9]*\)$/\1/p' <<<"$prom")
expect_ge "--prom: pktpath_kernel_drops_total{reason=NETFILTER_DROP,station=netfilter}" "${n:-0}" 20
if grep -q '^pktpath_dropstat_run_success{netns="[^"]*"} 1$' <<<"$prom"; then t_ok "--prom: run_success 1"
else t_fail "--prom: run_success"; grep run_success <<<"$prom" | sed 's/^/# /'; fi
t_done
