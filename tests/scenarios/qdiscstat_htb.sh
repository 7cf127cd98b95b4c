#!/bin/bash
# qdiscstat: an htb tree (root 1:, classes 1:10 and 1:20, default 1:20, a pfifo
# leaf under 1:10, a class filter when the kernel has one) plus an ingress qdisc:
# every qdisc and class appears with its own counters, xstats and options.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
at() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }
run_json() {
	local __v=$1 __err __out; shift
	__err=$(mktemp)
	__out=$("$@" 2>"$__err"); RC=$?
	printf -v "$__v" '%s' "$__out"
	ERR=$(cat "$__err"); rm -f "$__err"
}
QS=$BIN/qdiscstat

lab_ns a b || exit 1
lab_veth a a0 b b0 || exit 1
at a ip addr add 198.51.100.1/26 dev a0
at b ip addr add 198.51.100.2/26 dev b0
at a ping -c1 -W1 198.51.100.2 >/dev/null 2>&1
at a tc qdisc add dev a0 root handle 1: htb default 20 || exit 1
at a tc class add dev a0 parent 1: classid 1:10 htb rate 8mbit ceil 8mbit
at a tc class add dev a0 parent 1: classid 1:20 htb rate 1mbit ceil 2mbit
at a tc qdisc add dev a0 parent 1:10 handle 10: pfifo limit 50
at a tc qdisc add dev a0 ingress
at a tc qdisc add dev lo clsact
# Port 7 to class 1:10 when u32 is there; otherwise everything takes the default 1:20.
filtered=0
if at a tc filter add dev a0 parent 1: protocol ip prio 1 u32 match ip dport 7 0xffff flowid 1:10 2>/dev/null; then
	filtered=1
fi

at a bash -c 'for i in $(seq 1 40); do printf "%500s" x >/dev/udp/198.51.100.2/9; done' 2>/dev/null
at a bash -c 'for i in $(seq 1 25); do printf "%500s" x >/dev/udp/198.51.100.2/7; done' 2>/dev/null
sleep 0.3

run_json out "$QS" -N "$(ns a)" -j --dev a0
expect_rc "htb tree, one sample" 0
d='.devices[0]'
expect_jq "qdiscs of a0" "$out" "[$d.qdiscs[] | .kind + \" \" + .handle + \" \" + .parent] | join(\",\")" \
	'htb 1: root,pfifo 10: 1:10,ingress ffff: ffff:fff1'
expect_jq "classes of a0" "$out" "[$d.classes[] | .classid + \" \" + .parent] | sort | join(\",\")" \
	'1:10 root,1:20 root'
c20="$d.classes[] | select(.classid==\"1:20\")"
c10="$d.classes[] | select(.classid==\"1:10\")"
expect_jq "default class 1:20 counted the port 9 datagrams" "$out" "$c20 | .packets >= 40" true
expect_jq "class bytes" "$out" "$c20 | .bytes >= 40 * 500" true
expect_jq "htb class xstats" "$out" "$c20 | .xstats | has(\"lends\") and has(\"borrows\") and has(\"tokens\") and has(\"ctokens\")" true
expect_jq "htb class options: rate and ceil" "$out" \
	"$c20 | .options | [.rate_bytes_per_second, .ceil_bytes_per_second] | map(tostring) | join(\" \")" '125000 250000'
expect_jq "htb root options: default class" "$out" "$d.qdiscs[0].options.default_class" 32
expect_jq "pfifo leaf limit" "$out" "$d.qdiscs[] | select(.kind==\"pfifo\") | .options.limit_packets" 50
expect_jq "ingress flagged" "$out" "$d.qdiscs[] | select(.kind==\"ingress\") | .ingress" true
if [ $filtered = 1 ]; then
	expect_jq "filtered class 1:10 counted port 7" "$out" "$c10 | .packets >= 25" true
	expect_jq "its pfifo leaf too" "$out" "$d.qdiscs[] | select(.kind==\"pfifo\") | .packets >= 25" true
else
	t_skip "filtered class 1:10" "no u32 classifier in this kernel"
	t_skip "pfifo leaf counters" "no u32 classifier in this kernel"
fi
expect_jq "root counts the whole tree" "$out" "($d.qdiscs[0].packets) >= ([$d.classes[].packets] | add)" true

run_json out "$QS" -N "$(ns a)" -j --dev lo
expect_jq "clsact on lo" "$out" '[.devices[0].qdiscs[] | select(.kind=="clsact") | .handle + " " + .parent] | join(",")' 'ffff: ffff:fff1'
expect_jq "noqueue handle as tc prints it (0:, not none)" "$out" '[.devices[].qdiscs[] | select(.kind=="noqueue") | .handle] | unique | join(",")' '0:'

run_json out "$QS" -N "$(ns a)" -j --dev a0 --no-classes
expect_jq "--no-classes" "$out" '.devices[0].classes | length' 0
run_json out "$QS" -N "$(ns a)" -j --kind htb
expect_jq "--kind htb keeps the htb qdisc and its classes" "$out" \
	'[.devices[] | (.qdiscs + .classes)[] | .kind] | unique | join(",")' htb

# Rates per class over an interval.
tmp=$(mktemp)
"$QS" -N "$(ns a)" -j --dev a0 -i 1 -c 2 >"$tmp" &
pid=$!
sleep 0.2
at a bash -c 'for i in $(seq 1 30); do printf "%500s" x >/dev/udp/198.51.100.2/9; done' 2>/dev/null
wait $pid
out=$(tail -n1 "$tmp"); rm -f "$tmp"
expect_jq "class 1:20 rate over the interval" "$out" "$c20 | .interval.packets >= 30 and .interval.packets_per_second > 0" true

# b0 keeps the veth default, noqueue: a default root, but not a physical device.
at a bash -c 'for i in $(seq 1 20); do printf "%500s" x >/dev/udp/198.51.100.2/9; done' 2>/dev/null
run_json out "$QS" -N "$(ns b)" -j -i 0.2 -c 2
expect_rc "noqueue veth over an interval" 0
expect_jq "noqueue on a veth is no finding" "$(tail -n1 <<<"$out")" \
	'[.findings[] | select(.type=="default_qdisc")] | length' 0
expect_jq "noqueue root listed" "$(tail -n1 <<<"$out")" \
	'[.devices[] | select(.device=="b0") | .qdiscs[] | .kind + " " + .parent] | join(",")' 'noqueue root'

run_json out "$QS" -N "$(ns a)" --prom --dev a0
promcheck "--prom with classes" "$out"$'\n'
if grep -q '^pktpath_qdiscstat_class_packets_total{device="a0",kind="htb",handle="1:20",parent="root",netns="[^"]*"} [1-9]' <<<"$out"; then
	t_ok "prom: class packets with labels"
else t_fail "prom: class packets"; grep class_packets <<<"$out" | sed 's/^/# /'; fi
if grep -q '^pktpath_qdiscstat_xstats_total{device="a0",kind="htb",handle="1:20",parent="root",stat="lends",netns="[^"]*"}' <<<"$out"; then
	t_ok "prom: htb lends as a counter"
else t_fail "prom: htb lends"; fi
t_done
