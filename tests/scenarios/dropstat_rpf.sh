#!/bin/bash
# dropstat: rp_filter. a sends pings to b from 203.0.113.77, an address b has
# no route back to through b0; with strict reverse-path filtering b drops them
# on input: IP_RPFILTER at the route station.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/lib/dropstat.sh

ds_lab
nsrun a ip addr add 203.0.113.77/32 dev lo
nsrun b sysctl -qw net.ipv4.conf.all.rp_filter=1 net.ipv4.conf.b0.rp_filter=1 >/dev/null
nsrun a ping -c1 -W1 198.51.100.2 >/dev/null 2>&1

pings() { nsrun a ping -q -c 15 -i 0.05 -W 0.2 -I 203.0.113.77 198.51.100.2 >/dev/null 2>&1; }
ds_watch out 3 b pings
expect_rc "rp_filter" 1
expect_ge "IP_RPFILTER at the route station" "$(ds_count "$out" IP_RPFILTER route)" 15 "$out"
# the truth: with rp_filter off, the same pings are answered
nsrun b sysctl -qw net.ipv4.conf.all.rp_filter=0 net.ipv4.conf.b0.rp_filter=0 >/dev/null
nsrun b ip route add 203.0.113.77/32 via 198.51.100.1
if nsrun a ping -q -c 2 -W 1 -I 203.0.113.77 198.51.100.2 >/dev/null 2>&1; then
	t_ok "with a route back and rp_filter off the pings are answered"
else t_fail "pings still unanswered with a route back"; fi
t_done
