#!/bin/bash
# qdiscstat names its devices: with many devices from one ethtool netlink dump
# (ETHTOOL_MSG_FEATURES_GET, beside the qdisc dump), with few or with --dev
# patterns one SIOCGIFNAME per device. Every way must give the names `ip -j link`
# gives for the same ifindex: 100 veth pairs (200 devices, past the 64 where the
# dump takes over), some renamed after creation and some with 15-character names,
# every device with an htb root, a class and an ingress qdisc.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
QS=$BIN/qdiscstat

lab_ns n || exit 1
N=$(ns n)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"; lab_cleanup' EXIT
for ((i = 0; i < 100; i++)); do
	if ((i % 10 == 3)); then
		echo "link add abcdefghij$(printf %05d "$i") type veth peer name nb$i"	# 15 characters
	else
		echo "link add na$i type veth peer name nb$i"
	fi
done >"$tmp/links"
ip -n "$N" -batch "$tmp/links" || exit 1
# Renamed after creation: a name the device did not start with.
for i in 5 50 95; do ip -n "$N" link set nb$i name rn$i || exit 1; done
for d in $(ip -n "$N" -j link show | jq -r '.[].ifname'); do
	echo "link set $d up"
done >"$tmp/up"
ip -n "$N" -batch "$tmp/up" || exit 1
for d in $(ip -n "$N" -j link show | jq -r '.[] | select(.ifname != "lo") | .ifname'); do
	echo "qdisc add dev $d root handle 1: htb default 10"
	echo "class add dev $d parent 1: classid 1:10 htb rate 10mbit"
	echo "qdisc add dev $d ingress"
done >"$tmp/tc"
ip netns exec "$N" tc -batch "$tmp/tc" || exit 1

# The truth: ifindex and name, from the link dump.
ip -n "$N" -j link show | jq -r '.[] | "\(.ifindex) \(.ifname)"' | sort -n >"$tmp/want"
ndev=$(wc -l <"$tmp/want")
[ "$ndev" -eq 201 ] || { t_fail "lab: $ndev devices, expected 201"; t_done; exit 1; }

names() { jq -r '.devices[] | "\(.ifindex) \(.device)"' | sort -n; }
same() {	# NAME FILE: FILE equal to the truth
	if diff -q "$tmp/want" "$2" >/dev/null; then t_ok "$1: every device named as ip link names it ($ndev)"
	else t_fail "$1: names differ from ip link"; diff "$tmp/want" "$2" | head -5 | sed 's/^/# /'; fi
}

"$QS" -N "$N" -j --no-classes | names >"$tmp/nc"; same "--no-classes" "$tmp/nc"
"$QS" -N "$N" -j | names >"$tmp/cl"; same "with classes" "$tmp/cl"
"$QS" -N "$N" -j --threads 1 | names >"$tmp/t1"; same "one thread" "$tmp/t1"
"$QS" -N "$N" -j --threads 1 --no-classes | names >"$tmp/t1nc"; same "one thread, --no-classes" "$tmp/t1nc"
# Classes still belong to their device: one class on every device but lo.
got=$("$QS" -N "$N" -j | jq '[.devices[] | select(.device != "lo") | .classes | length == 1] | all')
[ "$got" = true ] && t_ok "every device has its one class" || t_fail "classes: $got"

# --dev patterns: names asked per device (the pattern decides the class dumps).
grep -E ' (rn[0-9]+|abcdefghij[0-9]+)$' "$tmp/want" >"$tmp/want_pat"
"$QS" -N "$N" -j -d 'rn*' -d 'abcdefghij*' | names >"$tmp/pat"
if diff -q "$tmp/want_pat" "$tmp/pat" >/dev/null && [ -s "$tmp/pat" ]; then
	t_ok "--dev patterns: the $(wc -l <"$tmp/pat") matching devices, named as ip link names them"
else
	t_fail "--dev patterns"; diff "$tmp/want_pat" "$tmp/pat" | head -5 | sed 's/^/# /'
fi

# With many devices and no pattern the names come from the dump, not one ioctl each.
if command -v strace >/dev/null; then
	n=$(strace -f -qq -e trace=ioctl -o "$tmp/st" "$QS" -N "$N" -j --no-classes >/dev/null 2>&1; grep -c SIOCGIFNAME "$tmp/st")
	[ "$n" -lt 10 ] && t_ok "names by the dump: $n SIOCGIFNAME for $ndev devices" ||
		t_fail "names by the dump: $n SIOCGIFNAME for $ndev devices"
	n=$(strace -f -qq -e trace=ioctl -o "$tmp/st" "$QS" -N "$N" -j -d 'rn*' >/dev/null 2>&1; grep -c SIOCGIFNAME "$tmp/st")
	[ "$n" -ge "$ndev" ] && t_ok "--dev patterns: one SIOCGIFNAME per device ($n)" ||
		t_fail "--dev patterns: $n SIOCGIFNAME for $ndev devices"
else
	t_skip "names by the dump" "no strace"
fi
t_done
