#!/bin/bash
# pmtuprobe beside tracepath (iputils), same lab, same run:
#  1. MTU 1280 on the far link, PTB delivered: wall time to the path MTU, pmtuprobe
#     (UDP, capture on) against `tracepath -n` (target: at most 1.5 of its time).
#  2. The same path with the router's PTB dropped (a black hole): what each reports
#     and how long pmtuprobe takes to find and locate it with -t 0.2 (tracepath
#     cannot: it reports the local MTU).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/bench/lib.sh
P="$BIN/pmtuprobe"
RUNS=${PM_BENCH_RUNS:-15}
rc=0

lab_three || exit 1
nsrun rtr ip link set r1 mtu 1280
nsrun srv ip link set s0 mtu 1280

# tracepath and pmtuprobe both leave a cached exception that would shortcut the next run:
# flush it before every run of either (pmtuprobe --flush; tracepath ignores the cache with
# IP_PMTUDISC_PROBE anyway, but a fresh cache keeps the runs alike).
ours() { nsrun cli "$P" --flush -t 1 203.0.113.2; }
peer() { nsrun cli sh -c 'echo 1 > /proc/sys/net/ipv4/route/flush; tracepath -n 203.0.113.2'; }
o=$(bench_ms "$RUNS" ours)
p=$(bench_ms "$RUNS" peer)
bench_report "pmtuprobe ptb path v4 (vs tracepath -n)" "$o" "$p" 1.5 || rc=1
echo "# tracepath: $(peer 2>&1 | tail -1)"
echo "# pmtuprobe: $(nsrun cli "$P" -t 1 203.0.113.2 | grep '^verdict')"

nsrun rtr nft -f - <<'NFT' || exit 1
table inet pmtu {
	chain out {
		type filter hook output priority 0;
		icmp type destination-unreachable icmp code frag-needed drop
	}
}
NFT
nsrun cli sh -c 'echo 1 > /proc/sys/net/ipv4/route/flush'	# the lab client's cache only
t0=$(date +%s%N)
out=$(nsrun cli "$P" -j -t 0.2 203.0.113.2)
t1=$(date +%s%N)
echo "# black hole: pmtuprobe -t 0.2: $(( (t1 - t0) / 1000000 )) ms, $(jq -r '.result.probes_sent' <<<"$out") probes, path MTU $(jq -r '.result.path_mtu' <<<"$out"), hop $(jq -r '.verdict.hop' <<<"$out")"
nsrun cli sh -c 'echo 1 > /proc/sys/net/ipv4/route/flush'
echo "# black hole: tracepath: $(nsrun cli timeout 60 tracepath -n -m 4 203.0.113.2 2>&1 | tail -1)"
exit $rc
