#!/bin/bash
# tc-ingress and tc-egress: a program on a device's clsact hook (a cBPF filter that
# drops everything: `bpf bytecode '1,6 0 0 2' da`, TC_ACT_SHOT) or an XDP program
# (generic mode, built with clang when it is here) is a warning at the station of the
# hook, naming the filter as tc filter show does, or the program as ip link does. The
# truth: real traffic (socat, ping) dies with the program and passes without it.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

if ! command -v socat >/dev/null; then
	t_skip "tc stations" "no socat (tests/lib/deps.sh installs it)"; t_done; exit
fi
lab_three
C=$(ns cli) R=$(ns rtr) S=$(ns srv)
V4=203.0.113.2
# A TCP service on the server for at most 120 s.
nsrun srv socat TCP4-LISTEN:8080,fork,reuseaddr SYSTEM:true >/dev/null 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null; lab_cleanup' EXIT
sleep 0.5
# truth: does an independent client connect from cli to srv? (0: yes)
truth() { nsrun cli socat -u /dev/null "TCP4:$V4:8080,connect-timeout=2" 2>/dev/null; }
truth_ok() {	# NAME WANT(0 passes, 1 dies)
	local got=1
	truth && got=0
	if [ "$got" = "$2" ]; then t_ok "$1: traffic $( [ "$2" = 0 ] && echo passes || echo dies )"
	else t_fail "$1: traffic $( [ "$got" = 0 ] && echo passes || echo dies ), expected otherwise"; fi
}
SHOT="1,6 0 0 2"	# one instruction: return TC_ACT_SHOT (direct-action)

# Nothing attached: both stations ok, on every path.
check "healthy forward" null/NONE ok 0 -N "$R" --iif r0 --from 198.51.100.2 "$V4:8080"
expect_ev "healthy forward: tc-ingress" tc-ingress '.status' ok
expect_ev "healthy forward: tc-egress" tc-egress '.status' ok
expect_ev "healthy forward: no xdp" tc-ingress '.evidence.xdp' none
check "healthy ingress" null/NONE ok 0 -N "$S" --iif s0 --from 198.51.100.2 "$V4:8080"
expect_ev "healthy ingress: tc-ingress" tc-ingress '.summary' "no tc ingress filter and no XDP program on s0"
check "healthy egress" null/NONE ok 0 -N "$C" "$V4:8080"
expect_ev "healthy egress: tc-egress" tc-egress '.summary' "no tc egress filter on c0"
truth_ok "healthy" 0

# A dropping filter on the server's receiving device: warn at tc-ingress, named.
nsrun srv tc qdisc add dev s0 clsact
nsrun srv tc filter add dev s0 ingress bpf bytecode "$SHOT" da
check "ingress filter" tc-ingress/TC_FILTER_PRESENT warn 1 -N "$S" --iif s0 --from 198.51.100.2 "$V4:8080"
expect_ev "ingress filter: named" tc-ingress '.evidence.filters[0]' "bpf bytecode (1 op) direct-action pref 49152"
expect_ev "ingress filter: hint" tc-ingress '.hint' "tc filter show dev s0 ingress"
truth_ok "ingress filter" 1
nsrun srv tc qdisc del dev s0 clsact
truth_ok "ingress filter removed" 0

# The router forwards: a filter on its receiving device (tc-ingress), then on its sending one (tc-egress).
nsrun rtr tc qdisc add dev r0 clsact
nsrun rtr tc filter add dev r0 ingress bpf bytecode "$SHOT" da
check "forward ingress filter" tc-ingress/TC_FILTER_PRESENT warn 1 -N "$R" --iif r0 --from 198.51.100.2 "$V4:8080"
truth_ok "forward ingress filter" 1
nsrun rtr tc qdisc del dev r0 clsact
nsrun rtr tc qdisc add dev r1 clsact
nsrun rtr tc filter add dev r1 egress bpf bytecode "$SHOT" da
check "forward egress filter" tc-egress/TC_FILTER_PRESENT warn 1 -N "$R" --iif r0 --from 198.51.100.2 "$V4:8080"
expect_ev "forward egress filter: device" tc-egress '.evidence.dev' r1
expect_ev "forward egress filter: the key is device (dev its alias, issue 19)" tc-egress '.evidence.device' r1
expect_ev "forward egress filter: before the qdisc" qdisc '.status' ok
truth_ok "forward egress filter" 1
nsrun rtr tc qdisc del dev r1 clsact

# The client's own sending device.
nsrun cli tc qdisc add dev c0 clsact
nsrun cli tc filter add dev c0 egress bpf bytecode "$SHOT" da
check "egress filter" tc-egress/TC_FILTER_PRESENT warn 1 -N "$C" "$V4:8080"
expect_ev "egress filter: named" tc-egress '.evidence.filters[0]' "bpf bytecode (1 op) direct-action pref 49152"
truth_ok "egress filter" 1
nsrun cli tc qdisc del dev c0 clsact
truth_ok "egress filter removed" 0

# XDP in generic mode on the server's device, when clang can build the program here.
TMP=$(mktemp -d)
trap 'kill $SERVER 2>/dev/null; rm -rf "$TMP"; lab_cleanup' EXIT
printf '%s\n' '__attribute__((section("xdp"), used)) int xdp_drop_all(void *ctx) { return 1; }' \
	'char _license[] __attribute__((section("license"), used)) = "GPL";' >"$TMP/xdp.c"
if command -v clang >/dev/null && clang -O2 -target bpf -c "$TMP/xdp.c" -o "$TMP/xdp.o" 2>/dev/null &&
   nsrun srv ip link set dev s0 xdpgeneric obj "$TMP/xdp.o" sec xdp 2>/dev/null; then
	id=$(nsrun srv ip -d link show dev s0 | sed -n 's/.*prog\/xdp id \([0-9]*\).*/\1/p')
	check "xdp" ingress-device/XDP_PRESENT warn 1 -N "$S" --iif s0 --from 198.51.100.2 "$V4:8080"
	expect_ev "xdp: tc-ingress warns" tc-ingress '.status' warn
	expect_ev "xdp: named as ip link does" tc-ingress '.evidence.xdp' "xdpgeneric id $id"
	truth_ok "xdp" 1
	nsrun srv ip link set dev s0 xdpgeneric off
	truth_ok "xdp removed" 0
else
	t_skip "xdp" "clang could not build an XDP program, or generic XDP could not be attached here"
fi
t_done
