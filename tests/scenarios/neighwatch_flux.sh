#!/bin/bash
# neighwatch: the same IP on two devices with two MACs (ARP flux), one MAC answering
# for many IPs, and entries left on a device that went down.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh

lab_ns mon b c || exit 1
lab_veth mon m0 b b0 || exit 1
lab_veth mon m1 c c0 || exit 1
nsrun mon ip addr add 198.51.100.1/26 dev m0
nsrun mon ip addr add 198.51.100.2/26 dev m1
nsrun b ip link set dev b0 address 02:00:00:00:00:b0
nsrun c ip link set dev c0 address 02:00:00:00:00:c0
# Two hosts hold the same address, one behind each device.
nsrun b ip addr add 198.51.100.9/26 dev b0
nsrun c ip addr add 198.51.100.9/26 dev c0
# Each asks for "its" side: the ARP requests teach mon 198.51.100.9 on both devices.
nsrun b ping -c1 -W1 198.51.100.1 >/dev/null 2>&1
nsrun c ping -c1 -W1 198.51.100.2 >/dev/null 2>&1

run_json out "$BIN/neighwatch" -N "$(ns mon)" -4 -j
expect_rc "flux is a warning, not a failure" 0
expect_jq "both entries seen" "$out" \
	'[.entries[] | select(.dst=="198.51.100.9") | .device + " " + .lladdr] | sort | join(",")' \
	'm0 02:00:00:00:00:b0,m1 02:00:00:00:00:c0'
f='[.findings[] | select(.kind=="ip_many_lladdr")]'
expect_jq "one flux finding" "$out" "$f | length" '1'
expect_jq "flux finding names IP and severity" "$out" "$f[0] | [.dst,.family,.severity,(.count|tostring)] | join(\" \")" \
	'198.51.100.9 inet warn 2'
expect_jq "flux finding lists both MACs" "$out" "$f[0].entries | map(.device + \"=\" + .lladdr) | sort | join(\",\")" \
	'm0=02:00:00:00:00:b0,m1=02:00:00:00:00:c0'

# One MAC answering for many IPs (proxy ARP, a misconfigured router).
for i in 20 21 22 23 24 25; do
	nsrun mon ip neigh replace 198.51.100.$i lladdr 02:00:00:00:00:b0 dev m0 nud permanent
done
run_json out "$BIN/neighwatch" -N "$(ns mon)" -4 -j --mac-ips 4
f='[.findings[] | select(.kind=="lladdr_many_ips")]'
expect_jq "MAC on many IPs found" "$out" "$f | length" '1'
expect_jq "MAC on many IPs counted" "$out" "$f[0] | [.lladdr,(.count|tostring),.severity] | join(\" \")" '02:00:00:00:00:b0 7 info'
run_json out "$BIN/neighwatch" -N "$(ns mon)" -4 -j --mac-ips 10
expect_jq "--mac-ips raises the bar" "$out" '[.findings[] | select(.kind=="lladdr_many_ips")] | length' '0'

# A device losing its carrier: the kernel flushes the learned entries, PERMANENT ones
# stay (an admin down flushes them all).
nsrun b ip link set b0 down
# Carrier changes reach m0 through linkwatch, asynchronously: wait for the flush.
for i in $(seq 1 50); do
	[ "$(nsrun mon ip -4 neigh show dev m0 | wc -l)" -eq 6 ] && break
	sleep 0.1
done
run_json out "$BIN/neighwatch" -N "$(ns mon)" -4 -j
f='[.findings[] | select(.kind=="device_down")]'
expect_jq "entries on a down device" "$out" "$f[0] | [.device,(.count|tostring),.severity] | join(\" \")" 'm0 6 warn'
expect_jq "down device summary" "$out" "$f[0].summary" '6 entries on device m0, which is up without carrier'
expect_jq "no flux once m0 is down" "$out" '[.findings[] | select(.kind=="ip_many_lladdr")] | length' '0'
t_done
