#!/bin/bash
# dropstat: a tbf overflow. A tbf sized to drop (1mbit, burst 1600, limit 3000)
# on a0 and 300 UDP datagrams of 1200 bytes through it: the qdisc drops most of
# them in the sender's own sendmsg() (QDISC_DROP at the qdisc station, a's own),
# and the root qdisc's drop counter, read beside it, rises by the same number.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/lib/dropstat.sh

ds_lab
nsrun a ping -c1 -W1 198.51.100.2 >/dev/null 2>&1	# resolve the neighbour before the qdisc goes in
nsrun a tc qdisc add dev a0 root handle 1: tbf rate 1mbit burst 1600 limit 3000 || exit 1

burst() {
	timeout 20 ip netns exec "$(ns a)" bash -c \
		'for i in $(seq 1 300); do printf "%1200s" x >/dev/udp/198.51.100.2/9; done' 2>/dev/null
}
ds_watch out 4 a burst
expect_rc "tbf overflow" 1
qd=$(jq -r '.counters[] | select(.counter=="qdisc_drops") | .delta' <<<"$out")
expect_ge "the root qdisc counted drops" "${qd:-0}" 100 "$out"
here=$(ds_count "$out" QDISC_DROP qdisc here)
expect_ge "QDISC_DROP at the qdisc station, a's own, as many as the qdisc counted" "$here" "${qd:-1}" "$out"
if [ "${here:-0}" -le 300 ]; then t_ok "no more than were sent ($here <= 300)"; else t_fail "more than sent: $here"; fi
expect_jq "the qdisc counter names a0" "$out" \
	'[.counters[] | select(.counter=="qdisc_drops") | .devices[] | select(.dev=="a0") | .value > 0] | any' true
# Issue 19, item 14: the device key is "device" in every tool; "dev" stays beside it for one release.
expect_jq "the device key is device, dev its alias" "$out" \
	'[.counters[] | select(.counter=="qdisc_drops") | .devices[] | select(.device=="a0" and .dev=="a0")] | length' 1
t_done
