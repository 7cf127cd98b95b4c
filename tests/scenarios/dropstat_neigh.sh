#!/bin/bash
# dropstat: a FAILED neighbour. Pings from a to 198.51.100.3, on a0's subnet but
# owned by nobody: ARP goes unanswered, the neighbour turns FAILED, and the
# packets queued on it are dropped from the neighbour timer (softirq: not
# attributable): NEIGH_FAILED at the neighbour station.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/lib/dropstat.sh

ds_lab
# three probes a second apart: FAILED after about 3 s
nsrun a sysctl -qw net.ipv4.neigh.a0.mcast_solicit=3 net.ipv4.neigh.a0.retrans_time_ms=1000 >/dev/null

pings() { nsrun a ping -q -c 3 -i 0.2 -W 1 198.51.100.3 >/dev/null 2>&1; sleep 3.5; }
ds_watch out 6 a pings
state=$(nsrun a ip neigh show 198.51.100.3 dev a0 | awk '{print $NF}')
if [ "$state" = FAILED ]; then t_ok "the neighbour is FAILED"; else t_fail "neighbour state '$state', expected FAILED"; fi
expect_rc "FAILED neighbour" 1
# All 3 pings wait in the queue (unres_qlen_bytes holds far more) and die with it.
expect_ge "NEIGH_FAILED at the neighbour station: the 3 pings" "$(ds_count "$out" NEIGH_FAILED neighbour)" 3 "$out"
expect_jq "... at neigh_invalidate" "$out" \
	'[.drops[] | select(.reason=="NEIGH_FAILED" and .station=="neighbour") | .location] | index("neigh_invalidate") != null' true
t_done
