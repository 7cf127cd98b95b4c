#!/bin/bash
# nicstat: a tbf qdisc sized to drop (1mbit, burst 1600, limit 3000) on a veth and a
# bounded UDP burst through it. What the kernel counts: the drops happen in the
# qdisc, and the device's own tx_dropped stays 0, so Sat from the link counters
# alone (--no-qdisc) stays 0; with the root qdisc drops in Sat (the default while
# few devices have a qdisc, or -q) Sat rises and nicstat exits 1.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
at() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }
NS=$BIN/nicstat

lab_ns a b || exit 1
lab_veth a a0 b b0 || exit 1
at a ip addr add 198.51.100.1/26 dev a0
at b ip addr add 198.51.100.2/26 dev b0
at a ping -c1 -W1 198.51.100.2 >/dev/null 2>&1	# resolve the neighbour before the qdisc goes in
at a tc qdisc add dev a0 root handle 1: tbf rate 1mbit burst 1600 limit 3000 || exit 1

burst() {	# 300 datagrams of 1200 bytes, as fast as bash writes them; bounded in count and time
	timeout 20 ip netns exec "$(ns a)" bash -c \
		'for i in $(seq 1 300); do printf "%1200s" x >/dev/udp/198.51.100.2/9; done' 2>/dev/null
}

# softnet is the host's (every namespace sees every CPU): left out where the exit status is asserted,
# so another test's traffic cannot change it.
run_json out "$NS" -N "$(ns a)" -j -q --no-softnet -i 0.3 -c 2
expect_rc "quiet interval" 0
expect_jq "quiet: two JSON lines" "$out" '.sample.index' $'0\n1'
expect_jq "first sample is since boot" "$(head -n1 <<<"$out")" '.sample.since_boot' true
expect_jq "first sample decides nothing" "$(head -n1 <<<"$out")" '.verdict.status' skipped
last=$(tail -n1 <<<"$out")
expect_jq "second sample is an interval" "$last" '.sample.since_boot == false and .sample.interval_seconds > 0.2' true
expect_jq "quiet: verdict ok" "$last" '.verdict.status' ok
expect_jq "veth: %Util unknown, not veth's made-up 10000Mb/s" "$last" \
	'.devices[] | select(.name=="a0") | .rates | [.util, (has("util_percent")|tostring)] | join(" ")' 'unknown false'

# Two samplers over the same burst: one from link counters alone, one by default.
t1=$(mktemp); t2=$(mktemp)
"$NS" -N "$(ns a)" -j --no-softnet --no-qdisc -i 3 -c 2 >"$t1" 2>"$t1.err" & p1=$!
"$NS" -N "$(ns a)" -j --no-softnet -i 3 -c 2 >"$t2" 2>"$t2.err" & p2=$!
sleep 0.5
burst
wait $p1; rc1=$?
wait $p2; rc2=$?
plain=$(tail -n1 "$t1"); withq=$(tail -n1 "$t2")
ERR=$(cat "$t1.err" "$t2.err"); rm -f "$t1" "$t2" "$t1.err" "$t2.err"
d='.devices[] | select(.name=="a0")'
expect_jq "a few of the burst went out of a0 (tbf lets a burst of 1600 bytes through)" "$withq" "$d | .deltas.tx_packets >= 1" true
expect_jq "the kernel counts tbf drops in the qdisc" "$withq" "$d | .deltas.qdisc_drops > 100" true
expect_jq "... and not in the device's tx_dropped" "$plain" "$d | .deltas.tx_dropped" 0
expect_jq "link counters alone: Sat stays 0" "$plain" "$d | .rates.sat_per_second" 0
RC=$rc1; expect_rc "link counters alone: nothing above the threshold" 0
expect_jq "default: qdisc drops counted in Sat (few devices have a qdisc)" "$withq" '.sample.qdisc_drops_in_sat' true
expect_jq "--no-qdisc: not counted" "$plain" '.sample.qdisc_drops_in_sat' false
expect_jq "default: Sat rises with the qdisc drops" "$withq" "$d | .rates.sat_per_second > 50" true
expect_jq "Sat is the qdisc drops per second" "$withq" \
	"$d | (.rates.sat_per_second - (.deltas.qdisc_drops / .rates.interval_seconds)) | fabs < 0.01" true
expect_jq "a0 above the threshold" "$withq" "$d | .rates.problem" true
expect_jq "verdict problem" "$withq" '.verdict | [.status, (.devices_above_threshold|tostring)] | join(" ")' 'problem 1'
RC=$rc2; expect_rc "drops above the threshold" 1
expect_jq "receiver saw fewer than were sent" "$withq" \
	'([.devices[] | select(.name=="a0")][0].deltas.tx_packets) < 300' true

# A threshold above the drop rate: exit 0 again. Text form names the qdisc drops.
tmp=$(mktemp)
"$NS" -N "$(ns a)" --no-softnet -q -i 3 -c 2 --threshold 100000 >"$tmp" 2>&1 & p=$!	# -q: always
sleep 0.5
burst
wait $p; RC=$?
txt=$(cat "$tmp"); rm -f "$tmp"
expect_rc "--threshold above the rate" 0
if grep -q '^Time .*rKB/s.*wKB/s.*rPk/s.*wPk/s.*rAvs.*wAvs.*%Util.*Sat' <<<"$txt"; then
	t_ok "text: nicstat's columns"; else t_fail "text: nicstat's columns"; echo "$txt" | sed 's/^/# /'; fi
if grep -q 'a0:.*qdisc_drops [0-9]' <<<"$txt"; then
	t_ok "text: error breakdown names qdisc drops"; else t_fail "text: breakdown"; echo "$txt" | sed 's/^/# /'; fi
if grep -q '^# since boot' <<<"$txt"; then t_ok "text: first sample says since boot"; else t_fail "text: since boot"; fi

# Prometheus.
run_json prom "$NS" -N "$(ns a)" -q --prom
expect_rc "--prom single sample" 0
promcheck "--prom -q" "$prom"$'\n'
if grep -q '^pktpath_nicstat_qdisc_root_drops_total{device="a0",netns="[^"]*"} [1-9]' <<<"$prom"; then
	t_ok "prom: root qdisc drops of a0"; else t_fail "prom: root qdisc drops"; grep qdisc <<<"$prom" | sed 's/^/# /'; fi
if grep -q '^pktpath_nicstat_run_success{netns="[^"]*"} 1' <<<"$prom" && grep -q '^pktpath_nicstat_last_run_timestamp_seconds{netns="[^"]*"} ' <<<"$prom"; then
	t_ok "prom: run info"; else t_fail "prom: run info"; fi
if grep -q 'pktpath_nicstat_network_speed_bytes{device="a0"' <<<"$prom"; then
	t_fail "prom: no made-up speed for a veth"; else t_ok "prom: no made-up speed for a veth"; fi
t_done
