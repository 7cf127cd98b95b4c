#!/bin/bash
# neighwatch: a gateway nobody answers (FAILED, exit 1), and a route whose next hop
# is FAILED named in the snapshot; IPv4 (ARP) and IPv6 (NDP); promtool accepts --prom.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh

lab_ns cli peer || exit 1
lab_veth cli c0 peer p0 || exit 1
nsrun cli ip addr add 198.51.100.2/26 dev c0
nsrun cli ip -6 addr add 2001:db8:1::2/64 dev c0 nodad
nsrun peer ip addr add 198.51.100.3/26 dev p0
nsrun peer ip -6 addr add 2001:db8:1::3/64 dev p0 nodad
# Nobody holds .50 / ::50: the default gateway never answers.
nsrun cli ip route add default via 198.51.100.50
nsrun cli ip -6 route add default via 2001:db8:1::50
# A specific route through another silent next hop.
nsrun cli ip route add 203.0.113.0/26 via 198.51.100.51
# A working neighbour, for contrast.
nsrun cli ping -c1 -W1 198.51.100.3 >/dev/null 2>&1

# Make the kernel try to resolve each next hop that has no FAILED entry, then wait until it
# gives up. Called again before later sections: an unreferenced FAILED entry can be garbage
# collected meanwhile (the thresholds are global: seen in make check for the IPv6 one).
fail_hops() {
	local gw dst i
	for gw in 198.51.100.50/203.0.113.99 198.51.100.51/203.0.113.10 2001:db8:1::50/2001:db8:2::99; do
		[ -n "$(nsrun cli ip neigh show "${gw%/*}" nud failed)" ] && continue
		dst=${gw#*/}
		nsrun cli ping -c1 -W1 "$dst" >/dev/null 2>&1 &
	done
	wait
	for i in $(seq 1 40); do
		[ "$(nsrun cli ip neigh show nud failed | wc -l)" -ge 3 ] && break
		sleep 0.25
	done
}
fail_hops

run_json out "$BIN/neighwatch" -N "$(ns cli)" -j
expect_rc "snapshot with FAILED gateways" 1
expect_jq "schema" "$out" '.schema' 'neighwatch/1'
expect_jq "netns named" "$out" '.netns' "$(ns cli)"
expect_jq "v4 gateway finding" "$out" \
	'[.findings[] | select(.kind=="nexthop_failed" and .dst=="198.51.100.50")][0] | [.severity,.family,.device,.state] | join(" ")' \
	'fail inet c0 FAILED'
expect_jq "v4 gateway probes counted" "$out" \
	'[.findings[] | select(.kind=="nexthop_failed" and .dst=="198.51.100.50")][0].probes >= 1' 'true'
expect_jq "v4 gateway route named" "$out" \
	'[.findings[] | select(.kind=="nexthop_failed" and .dst=="198.51.100.50")][0].routes[0]' \
	'default via 198.51.100.50 dev c0 table main'
expect_jq "specific route's next hop named" "$out" \
	'[.findings[] | select(.kind=="nexthop_failed" and .dst=="198.51.100.51")][0].routes[0]' \
	'203.0.113.0/26 via 198.51.100.51 dev c0 table main'
expect_jq "v6 gateway finding" "$out" \
	'[.findings[] | select(.kind=="nexthop_failed" and .dst=="2001:db8:1::50")][0] | [.severity,.family,.device,.state] | join(" ")' \
	'fail inet6 c0 FAILED'
expect_jq "next_hops lists the gateway" "$out" \
	'[.next_hops[] | select(.gateway=="198.51.100.50")][0] | [.state,.route_count] | map(tostring) | join(" ")' 'FAILED 1'
expect_jq "working neighbour is REACHABLE" "$out" \
	'[.entries[] | select(.dst=="198.51.100.3")][0].state' 'REACHABLE'
expect_jq "FAILED entries counted" "$out" '.summary.failed >= 3' 'true'
expect_jq "tables say they are global" "$out" '[.tables[].scope] | unique | join(",")' 'global'
expect_jq "arp_cache thresholds" "$out" '[.tables[] | select(.family=="inet")][0] | (.gc_thresh3 > 0 and .gc_thresh2 > 0 and (.table_fulls|type)=="number")' 'true'

# IPv4 only: the same verdict, and no IPv6 findings.
run_json out "$BIN/neighwatch" -N "$(ns cli)" -4 -j
expect_rc "-4 snapshot" 1
expect_jq "-4 has no inet6 entries" "$out" '[.entries[] | select(.family=="inet6")] | length' '0'
expect_jq "-4 nexthop failures" "$out" '[.findings[] | select(.kind=="nexthop_failed")] | length' '2'

# --dev filters entries and next hops (kernel-side).
run_json out "$BIN/neighwatch" -N "$(ns cli)" --dev lo -4 -j
expect_jq "--dev lo: no c0 entries" "$out" '[.entries[] | select(.device=="c0")] | length' '0'
expect_jq "--dev lo: no next hops" "$out" '.next_hops | length' '0'

run_json out "$BIN/neighwatch" -N "$(ns cli)" --dev nosuchdev
expect_rc "unknown device is a usage error" 2
run_json out "$BIN/neighwatch" --flap-count abc
expect_rc "bad number is a usage error" 2
if grep -q "flap-count: 'abc'" <<<"$ERR"; then t_ok "usage error names the input"; else t_fail "usage error names the input: $ERR"; fi

# Text names the gateway.
run_json out "$BIN/neighwatch" -N "$(ns cli)" -4
if grep -q "next hop 198.51.100.50 dev c0 is FAILED" <<<"$out"; then t_ok "text names the FAILED gateway"
else t_fail "text names the FAILED gateway"; printf '%s\n' "$out" | sed 's/^/# /'; fi

# Prometheus.
fail_hops
run_json out "$BIN/neighwatch" -N "$(ns cli)" --prom
expect_rc "--prom" 1
promcheck "--prom" "$out"
if grep -q '^pktpath_neighwatch_entries{family="inet",device="c0",state="FAILED",netns="[^"]*"} 2$' <<<"$out"; then
	t_ok "prom: FAILED entries on c0"; else t_fail "prom: FAILED entries on c0"; grep entries <<<"$out" | sed 's/^/# /'; fi
# Each next hop is its own sample, so an alert can name the gateway.
if grep -q '^pktpath_neighwatch_nexthop_routes{family="inet",device="c0",gateway="198.51.100.50",state="FAILED",netns="[^"]*"} 1$' <<<"$out" &&
	grep -q '^pktpath_neighwatch_nexthop_routes{family="inet",device="c0",gateway="198.51.100.51",state="FAILED",netns="[^"]*"} 1$' <<<"$out" &&
	grep -q '^pktpath_neighwatch_nexthop_routes{family="inet6",device="c0",gateway="2001:db8:1::50",state="FAILED",netns="[^"]*"} 1$' <<<"$out"; then
	t_ok "prom: each FAILED gateway named"; else t_fail "prom: each FAILED gateway named"; grep nexthop <<<"$out" | sed 's/^/# /'; fi
if grep -q '^pktpath_neighwatch_run_success{netns="[^"]*"} 1$' <<<"$out" && grep -q '^pktpath_neighwatch_table_fulls_total{family="inet",netns="[^"]*"}' <<<"$out"; then
	t_ok "prom: run_success and table counters"; else t_fail "prom: run_success and table counters"; fi
pf=$(mktemp -d)
"$BIN/neighwatch" -N "$(ns cli)" --prom-file "$pf/nw.prom"
if [ -s "$pf/nw.prom" ] && promtool check metrics <"$pf/nw.prom" >/dev/null 2>&1; then t_ok "--prom-file written and valid"
else t_fail "--prom-file written and valid"; fi
"$BIN/neighwatch" -N nosuchns-$$ --prom-file "$pf/nw2.prom" 2>/dev/null
t_ok "--prom-file with a missing namespace does not crash"
rm -rf "$pf"

# An entry learned outside the kernel (a control plane, ip neigh ... extern_learn):
# its flag in text as ip neigh writes it, and in JSON.
nsrun cli ip neigh add 198.51.100.9 lladdr 02:00:00:00:00:09 dev c0 extern_learn
run_json out "$BIN/neighwatch" -N "$(ns cli)" -e
theirs=$(nsrun cli ip neigh show 198.51.100.9 | grep -o extern_learn)
line=$(grep '^  198.51.100.9 dev c0' <<<"$out")
if [ "$theirs" = extern_learn ] && grep -q ' lladdr 02:00:00:00:00:09 extern_learn ' <<<"$line"; then
	t_ok "text: extern_learn after lladdr, as ip neigh shows it"
else t_fail "text: extern_learn: '$line' (ip neigh: '$theirs')"; fi
run_json out "$BIN/neighwatch" -N "$(ns cli)" -j
expect_jq "json: extern_learn flag" "$out" '[.entries[] | select(.dst=="198.51.100.9") | .flags[]] | join(",")' 'extern_learn'
# Selections, each against ip neigh on the same state: the same count and the same addresses.
nsrun cli ip neigh add proxy 198.51.100.40 dev c0
nsrun cli ip neigh add proxy 198.51.100.41 dev c0
nsrun cli ip -6 neigh add proxy 2001:db8:1::40 dev c0
# dst lists: ours from JSON, ip's from ip -j, both sorted.
ours() { jq -r '[.entries[].dst] | sort | join(" ")' <<<"$1"; }
theirs() { nsrun cli ip -j "$@" | jq -r '[.[].dst] | sort | join(" ")'; }
# ip neigh get writes text even with -j (iproute2 6.1): its first word is the address.
theirs_get() { nsrun cli ip neigh get "$@" 2>/dev/null | awk '{ print $1 }' | sort | tr '\n' ' ' | sed 's/ $//'; }
same() { # name ours theirs
	if [ -n "$3" ] && [ "$2" = "$3" ]; then t_ok "$1: $(wc -w <<<"$2") entries as ip neigh"
	else t_fail "$1: ours '$2', ip neigh '$3'"; fi
}
fail_hops
run_json out "$BIN/neighwatch" -N "$(ns cli)" --proxy -j
same "--proxy" "$(ours "$out")" "$(theirs neigh show proxy)"
expect_jq "--proxy entries carry the proxy flag" "$out" '[.entries[].flags[]] | unique | join(",")' 'proxy'
expect_jq "--proxy: findings are still about the whole table" "$out" \
	'[.findings[] | select(.kind=="nexthop_failed")] | length' '3'
expect_rc "--proxy: the verdict is the whole table's" 1
run_json out "$BIN/neighwatch" -N "$(ns cli)" --proxy -6 -j
same "--proxy -6" "$(ours "$out")" "$(theirs -6 neigh show proxy)"
run_json out "$BIN/neighwatch" -N "$(ns cli)" --nud failed -j
same "--nud failed" "$(ours "$out")" "$(theirs neigh show nud failed)"
expect_jq "--nud failed: summary counts the selection" "$out" '.summary.entries == (.entries | length) and .summary.failed >= 3' 'true'
run_json out "$BIN/neighwatch" -N "$(ns cli)" --nud failed,reachable -4 -j
same "--nud failed,reachable -4" "$(ours "$out")" \
	"$(nsrun cli ip -4 -j neigh show nud failed nud reachable | jq -r '[.[].dst] | sort | join(" ")')"
run_json out "$BIN/neighwatch" -N "$(ns cli)" --to 198.51.100.48/28 -j
same "--to 198.51.100.48/28" "$(ours "$out")" "$(theirs neigh show to 198.51.100.48/28)"
run_json out "$BIN/neighwatch" -N "$(ns cli)" --to 2001:db8:1::/64 -j
same "--to 2001:db8:1::/64" "$(ours "$out")" "$(theirs neigh show to 2001:db8:1::/64)"
run_json out "$BIN/neighwatch" -N "$(ns cli)" --get 198.51.100.50 -d c0 -j
same "--get 198.51.100.50 -d c0" "$(ours "$out")" "$(theirs_get 198.51.100.50 dev c0)"
expect_jq "--get: the entry's state" "$out" '.entries[0].state' "$(nsrun cli ip neigh get 198.51.100.50 dev c0 | awk '{ print $NF }')"
run_json out "$BIN/neighwatch" -N "$(ns cli)" --get 2001:db8:1::50 -d c0 -j
same "--get 2001:db8:1::50 -d c0" "$(ours "$out")" "$(theirs_get 2001:db8:1::50 dev c0)"
run_json out "$BIN/neighwatch" -N "$(ns cli)" --get 198.51.100.60 -d c0 -j
expect_jq "--get of no entry: none listed, said so" "$out" \
	'(.entries | length | tostring) + " " + (.warnings | map(select(test("no neighbour entry for 198.51.100.60 on c0"))) | length | tostring)' '0 1'
if ! nsrun cli ip neigh get 198.51.100.60 dev c0 >/dev/null 2>&1; then t_ok "ip neigh get has no such entry either"; else t_fail "ip neigh get found 198.51.100.60"; fi
run_json out "$BIN/neighwatch" -N "$(ns cli)" --get 198.51.100.40 -d c0 --proxy -j
same "--get --proxy" "$(ours "$out")" "$(theirs_get proxy 198.51.100.40 dev c0)"
# Text lists the selection as ip neigh does; prom counts it.
run_json out "$BIN/neighwatch" -N "$(ns cli)" --proxy -4
if grep -q '^  198.51.100.40 dev c0 proxy NONE$' <<<"$out" && grep -q '^entries (selection): 2$' <<<"$out"; then
	t_ok "text: the proxy selection listed"; else t_fail "text: the proxy selection"; printf '%s\n' "$out" | sed 's/^/# /'; fi
run_json out "$BIN/neighwatch" -N "$(ns cli)" --nud failed --prom
promcheck "--nud --prom" "$out"
n=$(nsrun cli ip -4 -j neigh show nud failed dev c0 | jq '[.[] | select(.state | index("FAILED"))] | length')
if grep -q "^pktpath_neighwatch_entries{family=\"inet\",device=\"c0\",state=\"FAILED\",netns=\"[^\"]*\"} $n\$" <<<"$out" &&
	! grep -q '^pktpath_neighwatch_entries{.*state="REACHABLE"' <<<"$out"; then
	t_ok "prom: the selection's entries ($n FAILED, no REACHABLE)"; else t_fail "prom: selection (ip neigh: $n FAILED)"; grep entries <<<"$out" | sed 's/^/# /'; fi
# Bad selections: one line naming the input, exit 2.
for bad in "--nud nosuch" "--nud ," "--to 198.51.100.0/33" "--get nothing -d c0" "--get 198.51.100.50" "--proxy -w"; do
	# shellcheck disable=SC2086
	run_json out "$BIN/neighwatch" -N "$(ns cli)" $bad
	if [ "$RC" = 2 ] && head -1 <<<"$ERR" | grep -q -- "${bad%% *}"; then t_ok "usage error: $bad"
	else t_fail "usage error: $bad: rc $RC: $ERR"; fi
done
t_done
