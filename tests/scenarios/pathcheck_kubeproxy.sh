#!/bin/bash
# kube-proxy in nftables mode load-balances a ClusterIP with a numgen verdict map (the
# shape of pkg/proxy/nftables/proxier.go: services map -> service chain ->
# "numgen random mod N vmap { 0 : goto endpoint-..., ... }" -> endpoint chain's dnat).
# pathcheck follows every branch: ok only when every endpoint's path passes, and
# "1 of 3 branches die" naming the endpoint when one is dropped (here by a rule as a
# NetworkPolicy would write it on the node). Cluster ranges are 203.0.113.0/24 here.
# The truth is real connections through the ClusterIP from the node.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
command -v socat >/dev/null || { t_skip "kube-proxy" "no socat"; t_done; exit 0; }

lab_three
N=$(ns cli)
for a in 203.0.113.3 203.0.113.4; do nsrun srv ip addr add "$a/26" dev s0; done
PIDS=()
for a in 203.0.113.2 203.0.113.3 203.0.113.4; do
	ip netns exec "$(ns srv)" socat "TCP-LISTEN:8080,bind=$a,fork,reuseaddr" /dev/null >/dev/null 2>&1 &
	PIDS+=($!)
done
trap 'kill "${PIDS[@]}" 2>/dev/null; lab_cleanup' EXIT
nsrun cli nft -f - <<'N'
table ip kube-proxy {
	map service-ips {
		type ipv4_addr . inet_proto . inet_service : verdict
		elements = { 203.0.113.100 . tcp . 80 : goto service-ULMVA6XW-ns1/svc1/tcp/p80 }
	}
	chain nat-output {
		type nat hook output priority -100; policy accept;
		jump services
	}
	chain services {
		ip daddr . meta l4proto . th dport vmap @service-ips
	}
	chain service-ULMVA6XW-ns1/svc1/tcp/p80 {
		numgen random mod 3 vmap { 0 : goto endpoint-5OJB2KTY-ns1/svc1/tcp/p80__203.0.113.2/8080, 1 : goto endpoint-ZCF3KXKV-ns1/svc1/tcp/p80__203.0.113.3/8080, 2 : goto endpoint-WQ6FPCMF-ns1/svc1/tcp/p80__203.0.113.4/8080 }
	}
	chain endpoint-5OJB2KTY-ns1/svc1/tcp/p80__203.0.113.2/8080 {
		meta l4proto tcp dnat to 203.0.113.2:8080
	}
	chain endpoint-ZCF3KXKV-ns1/svc1/tcp/p80__203.0.113.3/8080 {
		meta l4proto tcp dnat to 203.0.113.3:8080
	}
	chain endpoint-WQ6FPCMF-ns1/svc1/tcp/p80__203.0.113.4/8080 {
		meta l4proto tcp dnat to 203.0.113.4:8080
	}
}
N
sleep 0.3
# truth: K connections through the ClusterIP; echo "ok fail".
through() {
	local ok=0 bad=0
	for _ in $(seq "$1"); do
		if nsrun cli socat -u /dev/null TCP4:203.0.113.100:80,connect-timeout=0.5 2>/dev/null; then ok=$((ok + 1))
		else bad=$((bad + 1)); fi
	done
	echo "$ok $bad"
}

# ---- three healthy endpoints ----
read -r ok bad <<<"$(through 12)"
[ "$bad" = 0 ] && t_ok "truth: 12 of 12 connections through the ClusterIP" || t_fail "truth: $ok ok, $bad failed"
check "ClusterIP, 3 endpoints" null/NONE ok 0 -N "$N" 203.0.113.100:80
expect_jq "3 endpoints: three branches followed" "$LAST" '.branches | length' 3
expect_jq "3 endpoints: each branch names its dnat" "$LAST" \
	'[.branches[].choices | capture("dnat to (?<a>[0-9.]+:[0-9]+)").a] | sort | join(",")' \
	"203.0.113.2:8080,203.0.113.3:8080,203.0.113.4:8080"
expect_jq "3 endpoints: the verdict says all pass" "$LAST" '.verdict.summary | test("all 3 branches pass")' true

# ---- one endpoint dropped on the node (a NetworkPolicy-style rule) ----
nsrun cli nft add table ip netpol
nsrun cli nft add chain ip netpol out '{ type filter hook output priority 0; policy accept; }'
nsrun cli nft add rule ip netpol out ip daddr 203.0.113.4 tcp dport 8080 drop
read -r ok bad <<<"$(through 24)"
if [ "$ok" -gt 0 ] && [ "$bad" -gt 0 ]; then t_ok "truth: some connections fail ($bad of 24), some pass"
else t_fail "truth: $ok ok, $bad failed of 24"; fi
if nsrun cli socat -u /dev/null TCP4:203.0.113.4:8080,connect-timeout=0.5 2>/dev/null; then
	t_fail "truth: the endpoint 203.0.113.4 cannot be reached"; else t_ok "truth: the endpoint 203.0.113.4 cannot be reached"; fi
check "ClusterIP, 1 endpoint dropped" output/NFT_RULE_DROP fail 1 -N "$N" 203.0.113.100:80
expect_jq "1 dropped: 1 of 3 branches die, that endpoint named" "$LAST" \
	'.verdict.summary | test("^1 of 3 branches die: .*dnat to 203.0.113.4:8080")' true
expect_jq "1 dropped: the other two pass" "$LAST" '[.branches[] | select(.verdict.status=="ok")] | length' 2
expect_jq "1 dropped: the dying branch's cause" "$LAST" '[.branches[] | select(.verdict.status=="fail") | .verdict.cause] | join(",")' NFT_RULE_DROP
run_json txt "$PC" -N "$N" 203.0.113.100:80
if grep -q '^branch 3 of 3' <<<"$txt" || grep -q '^branch [123] of 3 (.*203.0.113.4:8080.*): FAIL at output' <<<"$txt"; then
	t_ok "text: a line per branch"; else t_fail "text: branches: $txt"; fi

# ---- a probe meets one branch, the one the kernel draws: judged as it is, never "all pass" ----
run_json out "$PC" -j -N "$N" --probe --timeout 1 203.0.113.100:80
expect_jq "probe: no branches claimed" "$out" '.branches // [] | length' 0
t_done
