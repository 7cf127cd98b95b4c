#!/bin/bash
# dropstat: a closed UDP port. 25 datagrams from a to b:9999, where nothing
# listens: b's UDP input finds no socket (NO_SOCKET at the socket station, in
# softirq: not attributable), and answers port unreachable.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/lib/dropstat.sh

ds_lab
nsrun a ping -c1 -W1 198.51.100.2 >/dev/null 2>&1

send() { nsrun a bash -c 'for i in $(seq 1 25); do printf x >/dev/udp/198.51.100.2/9999; done' 2>/dev/null; }
before=$(nsrun b awk '/^Udp: [0-9]/ {print $3}' /proc/net/snmp)	# NoPorts
ds_watch out 2 b send
after=$(nsrun b awk '/^Udp: [0-9]/ {print $3}' /proc/net/snmp)
expect_ge "b's kernel counted 25 datagrams to no port (UdpNoPorts)" "$((after - before))" 25
expect_rc "closed port" 1
expect_ge "NO_SOCKET at the socket station" "$(ds_count "$out" NO_SOCKET socket)" 25 "$out"
expect_ge "... not attributable (softirq)" "$(ds_count "$out" NO_SOCKET socket not_attributable)" 25 "$out"
expect_jq "... at __udp4_lib_rcv" "$out" \
	'[.drops[] | select(.reason=="NO_SOCKET" and .station=="socket") | .location] | index("__udp4_lib_rcv") != null' true
t_done
