#!/bin/bash
# nicstat: which devices get ethtool calls and what %Util says about them. The default
# sample asks no veth (no line rate to learn); a macvlan stacked on a veth reports
# the veth's made-up 10000Mb/s and is unknown too; -e with more than 8 devices reads
# the settings with one ethtool netlink dump per command, and gives what the ioctl
# path gives device by device.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
NS=$BIN/nicstat

lab_ns h || exit 1
n=$(ns h)
for i in 0 1 2 3 4 5; do
	ip -n "$n" link add "p$i" type veth peer name "q$i" || exit 1
	ip -n "$n" link set "p$i" up; ip -n "$n" link set "q$i" up
done
if ip -n "$n" link add link p0 name mv0 type macvlan mode bridge 2>/dev/null; then
	ip -n "$n" link set mv0 up
	have_macvlan=1
fi

ip -n "$n" link add br0 type bridge && ip -n "$n" link set q5 master br0 && ip -n "$n" link set br0 up

run_json out "$NS" -N "$n" -j --no-softnet -k bridge
expect_jq "--kind bridge" "$out" '[.devices[] | [.name, .kind] | join(":")] | join(",")' 'br0:bridge'
run_json out "$NS" -N "$n" -j --no-softnet -k veth -d 'q*' --top 3 --sort name
expect_jq "--kind veth --dev 'q*' --top 3 --sort name" "$out" '[.devices[].name] | join(",")' 'q0,q1,q2'

run_json out "$NS" -N "$n" -j --no-softnet
expect_rc "default sample" 0
expect_jq "default: no ethtool call for a veth" "$out" '[.devices[] | select(.kind=="veth") | has("link")] | any' false
expect_jq "default: veth %Util unknown" "$out" '[.devices[] | select(.kind=="veth") | .rates.util] | unique | join(",")' unknown
if [ -n "${have_macvlan:-}" ]; then
	expect_jq "macvlan on a veth: %Util unknown, and why" "$out" \
		'.devices[] | select(.name=="mv0") | [.rates.util, .rates.util_why] | join(": ")' \
		'unknown: its lower device is virtual: no line rate'
else
	t_skip "macvlan on a veth" "no macvlan in this kernel"
fi

run_json nl "$NS" -N "$n" -j --no-softnet -e -k veth
expect_rc "-e over 12 veths (dump path)" 0
expect_jq "-e: every veth has its settings from netlink" "$nl" \
	'[.devices[] | .link.source] | unique | join(",")' netlink
run_json io "$NS" -N "$n" -j --no-softnet -e -k veth --force-ioctl
sig='[.devices[] | [.name, (.link.speed_mbps|tostring), .link.duplex, (.channels.rx_max|tostring), (.channels.tx|tostring), .link.driver] | join(" ")] | join(";")'
a=$(jq -r "$sig" <<<"$nl"); b=$(jq -r "$sig" <<<"$io")
if [ -n "$a" ] && [ "$a" = "$b" ]; then t_ok "netlink dumps and per-device ioctls agree on 12 devices"
else t_fail "dump vs ioctl"; echo "# netlink: $a"; echo "# ioctl:   $b"; fi
expect_jq "the ioctl path says so" "$io" '[.devices[] | .link.source] | unique | join(",")' ioctl
expect_jq "-e: lo has no settings (left out, not made up)" \
	"$("$NS" -N "$n" -j --no-softnet -e -k loopback)" '.devices[0].link | [.status, has("speed_mbps")|tostring] | join(" ")' 'unknown false'
t_done
