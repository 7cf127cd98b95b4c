#!/bin/bash
# ctdump when one namespace's conntrack table is at nf_conntrack_max: the router's
# table is filled through batched ctnetlink (tests/tools/ctfill.c; ASSURED entries,
# so early drop cannot make room), then new flows through it are dropped. The
# health finding fires (exit 1) and the per-CPU drop counters move, read through
# IPCTNL_MSG_CT_GET_STATS_CPU, equal to what conntrack -S reports.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
at() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }
TMP=$(mktemp -d)
trap 'lab_cleanup; rm -rf "$TMP"' EXIT
trap 'lab_cleanup; rm -rf "$TMP"; exit 130' INT TERM

if ! cc -O2 -o "$TMP/ctfill" tests/tools/ctfill.c -lmnl; then
	t_fail "build tests/tools/ctfill.c"; t_done; exit 1
fi
lab_three || exit 1
CT="$BIN/ctdump"
at rtr nft -f - <<'EOF' || { t_fail "nft ruleset on the router"; t_done; exit 1; }
table inet ppct {
	chain filt {
		type filter hook forward priority filter;
		ct state established,related accept
	}
}
EOF

# A table with room: healthy.
at cli ping -c1 -W1 203.0.113.2 >/dev/null 2>&1
run_json out at rtr $CT -S -j
expect_rc "table with room" 0
expect_jq "table with room: ok" "$out" '.health.status' 'ok'

# Fill the router's table to the (global) limit; the count is per namespace.
max=$(cat /proc/sys/net/netfilter/nf_conntrack_max)
have=$(at rtr conntrack -C)
got=$(at rtr "$TMP/ctfill" fill $((max - have + 16)))
now=$(at rtr conntrack -C)
if [ "$now" -ge "$max" ]; then t_ok "router table filled: $now of $max ($got inserted)"
else t_fail "router table filled: $now of $max ($got inserted)"; fi

run_json before at rtr $CT -S -j
expect_rc "full table" 1
expect_jq "full table: fail, at 100%" "$before" '"\(.health.status) \(.health.fill >= 1)"' 'fail true'
expect_jq "full table: finding says new flows are dropped" "$before" \
	'.health.findings[0] | test("new flows are dropped")' 'true'
d0=$(jq '.health.totals.drop' <<<"$before")

# New flows through the full router: conntrack cannot allocate, the packets die.
at cli ping -c3 -i0.2 -W1 203.0.113.2 >/dev/null 2>&1
at cli bash -c 'for p in 1001 1002 1003; do exec 3<>/dev/udp/203.0.113.2/$p; echo x >&3; exec 3>&-; done' 2>/dev/null
if at cli ping -c1 -W1 203.0.113.2 >/dev/null 2>&1; then t_fail "a new flow still passed the full router"
else t_ok "new flows through the full router are dropped"; fi

run_json after at rtr $CT -S -j
expect_rc "after drops" 1
d1=$(jq '.health.totals.drop' <<<"$after")
if [ "$d1" -gt "$d0" ]; then t_ok "per-CPU drop moved: $d0 -> $d1"; else t_fail "per-CPU drop did not move: $d0 -> $d1"; fi
theirs=$(at rtr conntrack -S | sed -n 's/.* drop=\([0-9]*\).*/\1/p' | awk '{s += $1} END {print s}')
if [ "$d1" = "$theirs" ]; then t_ok "drop total equals conntrack -S ($theirs)"; else t_fail "drop $d1, conntrack -S $theirs"; fi
expect_jq "early_drop could not make room (all ASSURED)" "$after" '.health.totals.early_drop' '0'
expect_jq "findings name the drops" "$after" '[.health.findings[] | select(test("drop="))] | length' '1'

# Entries only leave the full table while the test runs (the first ping's ICMP entry
# expires after 30 s): a count is right when it lies between conntrack -C before and after.
c0=$(at rtr conntrack -C)
run_json prom at rtr $CT --prom
c1=$(at rtr conntrack -C)
expect_rc "prom on a full table" 1
promcheck "--prom on a full table" "$prom"$'\n'
sum=$(grep '^pktpath_ctdump_cpu_drop_total{' <<<"$prom" | awk '{s += $2} END {print s}')
if [ "$sum" = "$d1" ]; then t_ok "prom: drop counters per CPU sum to $d1"; else t_fail "prom drop sum $sum, expected $d1"; fi
pe=$(sed -n 's/^pktpath_ctdump_entries \([0-9]*\)$/\1/p' <<<"$prom")
if grep -q '^pktpath_ctdump_problem 1$' <<<"$prom" && [ -n "$pe" ] && [ "$pe" -le "$c0" ] && [ "$pe" -ge "$c1" ]; then
	t_ok "prom: problem 1 and the count"; else t_fail "prom: problem/count ($pe, conntrack -C $c0 then $c1)"; fi

# Counting never dumps: the kernel keeps the number.
c0=$(at rtr conntrack -C)
run_json out at rtr $CT -c -j
c1=$(at rtr conntrack -C)
expect_jq "count from the statistics" "$out" \
	"if .source == \"stats\" and .matched <= $c0 and .matched >= $c1 then \"stats, as conntrack -C\" else \"\\(.matched) \\(.source)\" end" "stats, as conntrack -C"

# A dump of the whole full table: every entry once, through the pipelined reader.
# The table is full, so entries can only leave it while this runs (an ICMP entry
# expires after 30 s): the count is the summary line's own, a few below $now at most.
sf=$(mktemp)
at rtr $CT --stream >"$sf" 2>/dev/null
lines=$(wc -l <"$sf")
matched=$(tail -n 1 "$sf" | jq -r 'select(.type == "summary") | .matched')
rm -f "$sf"
if [ -n "$matched" ] && [ "$lines" -eq $((matched + 1)) ] && [ "$matched" -le "$now" ] && [ "$matched" -ge $((now - 10)) ]; then
	t_ok "--stream: $matched entries (of $now) and a summary line"
else t_fail "--stream: $lines lines, summary says '$matched' entries, the table had $now"; fi
run_json out at rtr $CT -c -j --proto udp -f ipv4
theirs=$(at rtr conntrack -L -p udp -f ipv4 2>/dev/null | wc -l)
expect_jq "kernel-filtered count: UDP entries as conntrack -L finds them" "$out" \
	'"\(.matched) \(.dumped == .matched) \(.filter.kernel | join(","))"' "$theirs true family,protocol"
run_json out at rtr $CT -j --top dport 3
# Counted by conntrack -L itself, not derived from an earlier total: the first ping's ICMP
# entry (30 s timeout) may expire in between.
# Once it has expired, one of the refused UDP flows above (ports 1001-1003) takes its slot, so
# the DNS entries are counted by port too, and a third item may be that one flow.
https=$(at rtr conntrack -L -p tcp --dport 443 2>/dev/null | wc -l)
dns=$(at rtr conntrack -L -p udp --dport 53 2>/dev/null | wc -l)
expect_jq "--top dport on the full table" "$out" \
	'.aggregate.top.dport.items | map("\(.key)=\(.entries)") | .[:2] + (.[2:] | map(select(test("^100[123]=1$") | not))) | join(" ")' \
	"443=$https 53=$dns"

# Another namespace is unaffected: its own count, the same global limit.
run_json out at srv $CT -S -j
expect_jq "other namespace: own count" "$out" '.health.entries < 100' 'true'

t_done
