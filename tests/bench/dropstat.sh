#!/bin/bash
# dropstat under a drop flood: 1,000,000 datagrams at 100,000 per second, each
# dropped by an nftables output rule in the sender's own sendmsg(). Measured in
# the same run:
#   - dropstat's own CPU time over its interval (goal: under 1% of one core);
#   - the sender's CPU time per datagram with nobody watching, with perf stat's
#     one counting event, and with dropstat's sampling (the kernel's per-drop cost);
#   - dropstat's count of all kfree_skb drops against `perf stat -e skb:kfree_skb -a`
#     over the same window (goal: within 1%), and its NETFILTER_DROP count against
#     the datagrams sent.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
DS=$BIN/dropstat
N=${DROPSTAT_BENCH_N:-1000000}
RATE=${DROPSTAT_BENCH_RATE:-100000}
command -v perf >/dev/null || { echo "bench dropstat: SKIP (no perf: Debian package linux-perf)"; exit 0; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; lab_cleanup' EXIT
cc -O2 -o "$tmp/dropflood" tests/bench/dropflood.c || exit 1

lab_ns flood || exit 1
nsrun flood ip addr add 203.0.113.1/24 dev lo
nsrun flood nft add table inet bench
nsrun flood nft add chain inet bench o '{ type filter hook output priority 0; }'
nsrun flood nft add rule inet bench o udp dport 9 drop
flood() { nsrun flood "$tmp/dropflood" 203.0.113.9 "$1" "$RATE"; }
secs=$(awk -v n="$N" -v r="$RATE" 'BEGIN { printf "%d", n / r + 3 }')

# dropstat's start-up alone (tracefs, kallsyms, one ring per CPU), to tell it from the per-drop cost
TIMEFORMAT='%U %S'
{ time "$DS" -N "$(ns flood)" -j -i 0.01 -c 1 >/dev/null 2>&1; } 2>"$tmp/start.time"
read -r su ss <"$tmp/start.time"
startup=$(awk -v u="$su" -v s="$ss" 'BEGIN { printf "%.3f", u + s }')

idle=$(flood "$((N / 4))")
echo "bench dropstat: nobody watching: $idle"

# perf stat's one counting event and dropstat over the same window
perf stat -e skb:kfree_skb -a -x, -o "$tmp/perf" -- sleep "$secs" & pp=$!
TIMEFORMAT='%R %U %S'
{ time "$DS" -N "$(ns flood)" -j -i "$secs" -c 1 >"$tmp/ds.json" 2>"$tmp/ds.err"; } 2>"$tmp/ds.time" & dp=$!
sleep 1
watched=$(flood "$N")
wait "$dp" "$pp"
echo "bench dropstat: watched by dropstat and perf stat: $watched"

perf_n=$(awk -F, '/skb:kfree_skb/ {print $1; exit}' "$tmp/perf")
read -r wall user sys <"$tmp/ds.time"
jq -r --arg perf "${perf_n:-0}" --arg n "$N" --arg wall "$wall" --arg user "$user" --arg sys "$sys" \
	--arg startup "$startup" --arg rate "$RATE" '
	.tracepoint as $t
	| ($t.here + $t.not_attributable + $t.other_netns + $t.lost) as $all
	| ([.drops[] | select(.reason=="NETFILTER_DROP" and .station=="netfilter") | .here] | add // 0) as $nf
	| (($user|tonumber) + ($sys|tonumber)) as $cpu
	| "bench dropstat: own CPU \($cpu) s over \($wall) s = \(100 * $cpu / ($wall|tonumber) | . * 1000 | round / 1000)% of one core (goal < 1%) \(if 100 * $cpu / ($wall|tonumber) < 1 then "MET" else "MISSED" end)",
	  "bench dropstat: of which start-up \($startup) s; the rest per drop: \(1e9 * ($cpu - ($startup|tonumber)) / $all | round) ns = \(100 * ($cpu - ($startup|tonumber)) / $all * ($rate|tonumber) | . * 1000 | round / 1000)% of one core at \($rate) drops/s",
	  "bench dropstat: all drops: dropstat \($all) (lost \($t.lost)), perf stat \($perf); difference \(if ($perf|tonumber) > 0 then (100 * ($all - ($perf|tonumber)) / ($perf|tonumber) | fabs | . * 1000 | round / 1000) else "n/a" end)% (goal within 1%) \(if ($perf|tonumber) > 0 and (100 * ($all - ($perf|tonumber)) / ($perf|tonumber) | fabs) <= 1 then "MET" else "MISSED" end)",
	  "bench dropstat: NETFILTER_DROP at netfilter, the sender'"'"'s own: \($nf) of \($n) sent"' "$tmp/ds.json"
[ -s "$tmp/ds.err" ] && sed 's/^/# dropstat: /' "$tmp/ds.err"

perf stat -e skb:kfree_skb -a -x, -o "$tmp/perf2" -- sleep "$secs" & pp=$!
sleep 1
alone=$(flood "$((N / 4))")
wait "$pp"
echo "bench dropstat: perf stat's counting event alone: $alone"
