#!/bin/bash
# nicstat: a device brought down shows carrier changes; softnet has one line per CPU;
# filters by kind and name, --top, ethtool settings and driver counters of a veth
# (queue numbers as labels) through netlink and through the ioctl fallback; usage
# errors; JSON and Prometheus validate.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
at() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }
NS=$BIN/nicstat

lab_ns a b || exit 1
lab_veth a a0 b b0 || exit 1
lab_veth a a1 b b1 || exit 1
# No IPv6: neighbour discovery sent into the link as it goes down would be a real drop.
at a sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.a0.disable_ipv6=1 net.ipv6.conf.a1.disable_ipv6=1
at b sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1 net.ipv6.conf.b0.disable_ipv6=1 net.ipv6.conf.b1.disable_ipv6=1
at a ip addr add 198.51.100.1/26 dev a0
at b ip addr add 198.51.100.2/26 dev b0
at a ping -c3 -i 0.2 -W1 198.51.100.2 >/dev/null 2>&1

# Carrier: b0 goes down while nicstat samples; a0 loses its carrier with it.
tmp=$(mktemp)
"$NS" -N "$(ns a)" -j --no-softnet -i 3 -c 2 >"$tmp" 2>"$tmp.err" & p=$!
sleep 0.5
at b ip link set b0 down
wait $p; RC=$?
out=$(tail -n1 "$tmp"); ERR=$(cat "$tmp.err"); rm -f "$tmp" "$tmp.err"
expect_rc "carrier loss is not a drop" 0
d='.devices[] | select(.name=="a0")'
expect_jq "a0: carrier change in the interval" "$out" "$d | .deltas.carrier_changes >= 1" true
expect_jq "a0: carrier now down" "$out" "$d | .carrier" false
expect_jq "a0: operstate DOWN (veth reports its peer's state)" "$out" "$d | .operstate" DOWN
expect_jq "a0: carrier_down counted" "$out" "$d | .counters.carrier_down >= 1" true
txt=$("$NS" -N "$(ns a)" --no-softnet -d a0)
if grep -q 'a0:.* carrier_changes [0-9]* (carrier down)' <<<"$txt"; then
	t_ok "text: carrier changes named"; else t_fail "text: carrier changes named"; echo "$txt" | sed 's/^/# /'; fi
at b ip link set b0 up

# softnet: one line per CPU, in text and JSON.
cpus=$(nproc)
run_json out "$NS" -N "$(ns a)" -j
expect_jq "softnet: one entry per CPU ($cpus)" "$out" '.softnet | length' "$cpus"
expect_jq "softnet: fields" "$out" '.softnet[0] | has("processed") and has("dropped") and has("time_squeeze") and has("flow_limit")' true
expect_jq "softnet: CPUs that drop are listed" "$out" '[.softnet[] | select(.deltas.dropped > 0 or .deltas.flow_limit > 0) | .cpu] == .softnet_drop_cpus' true
txt=$("$NS" -N "$(ns a)" -d lo)
lines=$(awk '/^softnet per CPU/ {on=1; getline; next} on && /^ +[0-9]+ / {n++} END {print n+0}' <<<"$txt")
if [ "$lines" = "$cpus" ]; then t_ok "text: softnet lines match nproc ($cpus)"
else t_fail "text: softnet lines $lines, nproc $cpus"; echo "$txt" | sed 's/^/# /'; fi

# Filters.
run_json out "$NS" -N "$(ns a)" -j --no-softnet -k veth
expect_jq "--kind veth" "$out" '[.devices[].name] | join(",")' 'a0,a1'
expect_jq "the device key is device, name its alias (issue 19)" "$out" '[.devices[] | .device == .name and .device != null] | all' true
expect_jq "device names the devices" "$out" '[.devices[].device] | join(",")' 'a0,a1'
run_json out "$NS" -N "$(ns a)" -j --no-softnet -k loopback,physical
expect_jq "--kind loopback,physical" "$out" '[.devices[].name] | join(",")' 'lo'
run_json out "$NS" -N "$(ns a)" -j --no-softnet -d 'a*' -d lo
expect_jq "--dev patterns" "$out" '[.devices[].name] | join(",")' 'lo,a0,a1'
run_json out "$NS" -N "$(ns a)" -j --no-softnet --top 1 --sort rpk
expect_jq "--top 1 --sort rpk: the busiest" "$out" '[.devices[].name] | join(",")' 'a0'
expect_jq "JSON schema" "$out" '.schema' 'nicstat/1'
expect_jq "JSON netns" "$out" '.netns' "$(ns a)"

# ethtool on a veth (-e): netlink, then the ioctl fallback gives the same answers.
run_json nl "$NS" -N "$(ns a)" -j --no-softnet -e -a -d a0
expect_rc "-e" 0
expect_jq "-e: driver veth" "$nl" "$d | .link.driver" veth
expect_jq "-e: speed read through netlink" "$nl" "$d | .link.source" netlink
expect_jq "-e: veth's speed is not a line rate" "$nl" "$d | [(.link.speed_mbps|tostring), (.link.speed_is_line_rate|tostring), .rates.util] | join(\" \")" '10000 false unknown'
expect_jq "-e: duplex and autoneg" "$nl" "$d | [.link.duplex, (.link.autoneg|tostring)] | join(\" \")" 'full false'
expect_jq "-e: channels" "$nl" "$d | .channels | [.rx, .rx_max, .tx, .tx_max] | map(tostring) | join(\" \")" '1 2 1 2'
expect_jq "-e: veth has no rings (left out)" "$nl" "$d | has(\"rings\")" false
expect_jq "-e -a: queue number split into a label" "$nl" \
	"$d | .driver_stats[] | select(.driver_name==\"rx_queue_0_drops\") | [.name, .queue] | join(\" \")" 'rx_queue_drops 0'
expect_jq "-e -a: peer_ifindex has no queue" "$nl" "$d | .driver_stats[] | select(.name==\"peer_ifindex\") | has(\"queue\")" false
run_json io "$NS" -N "$(ns a)" -j --no-softnet -e -a -d a0 --force-ioctl
expect_jq "ioctl fallback: source" "$io" "$d | .link.source" ioctl
expect_jq "ioctl fallback: same speed, duplex, channels" "$io" \
	"$d | [(.link.speed_mbps|tostring), .link.duplex, (.channels.rx_max|tostring)] | join(\" \")" '10000 full 2'
run_json out "$NS" -N "$(ns a)" -j --no-softnet -e -d a0
expect_jq "default: only non-zero driver counters" "$out" "[$d | .driver_stats[] | select(.value == 0)] | length" 0

# Prometheus, with driver counters and channels.
run_json prom "$NS" -N "$(ns a)" -e -a --prom
expect_rc "--prom -e -a" 0
promcheck "--prom -e -a" "$prom"$'\n'
if grep -q '^pktpath_nicstat_driver_stat_total{device="a0",stat="rx_queue_drops",queue="0",netns="[^"]*"} ' <<<"$prom"; then
	t_ok "prom: queue label"; else t_fail "prom: queue label"; grep driver_stat <<<"$prom" | head -5 | sed 's/^/# /'; fi
if grep -q '^pktpath_nicstat_softnet_dropped_total{cpu="0",netns="[^"]*"} ' <<<"$prom"; then
	t_ok "prom: softnet per cpu"; else t_fail "prom: softnet per cpu"; fi
pf=$(mktemp -d)
run_json out "$NS" -N "$(ns a)" --prom-file "$pf/nicstat.prom"
expect_rc "--prom-file" 0
promcheck "--prom-file" "$(cat "$pf/nicstat.prom" 2>/dev/null)"$'\n'
rm -rf "$pf"

# SIGINT or SIGTERM between samples ends the run cleanly: what was sampled is
# written out (JSON lines complete, the exposition of the last sample), the exit
# status is the run's own, not death by the signal.
for sig in INT TERM; do
	tmp=$(mktemp -d)
	"$NS" -N "$(ns a)" --no-softnet -j -i 0.3 -c 20 >"$tmp/out" 2>"$tmp/err" & p=$!
	sleep 1.2
	kill -$sig $p; wait $p; RC=$?
	ERR=$(cat "$tmp/err")
	expect_rc "SIG$sig during -i: clean exit" 0
	if [ "$(wc -l <"$tmp/out")" -ge 3 ] && jq -se 'length >= 3 and (.[-1].sample.index >= 2)' "$tmp/out" >/dev/null 2>&1 && [ -z "$ERR" ]; then
		t_ok "SIG$sig: every JSON line complete, nothing on stderr"
	else t_fail "SIG$sig: $(wc -l <"$tmp/out") lines, last: $(tail -c 200 "$tmp/out"), err: $ERR"; fi
	"$NS" -N "$(ns a)" --no-softnet --prom-file "$tmp/x.prom" -i 0.3 -c 20 2>"$tmp/err" & p=$!
	sleep 1.2
	kill -$sig $p; wait $p; RC=$?
	expect_rc "SIG$sig with --prom-file -c 20" 0
	if grep -q '_run_success{[^}]*} 1$' "$tmp/x.prom" 2>/dev/null; then t_ok "SIG$sig: --prom-file written, run_success 1"
	else t_fail "SIG$sig: --prom-file: $(head -c 200 "$tmp/x.prom" 2>&1)"; fi
	promcheck "SIG$sig: --prom-file valid" "$(cat "$tmp/x.prom" 2>/dev/null)"$'\n'
	rm -rf "$tmp"
done

# Usage errors name the bad input; a missing namespace is a usage error.
run_json out "$NS" -i abc
expect_rc "--interval abc" 2
if grep -q "interval: 'abc'" <<<"$ERR"; then t_ok "message names the bad value"; else t_fail "message: $ERR"; fi
run_json out "$NS" --sort nope
expect_rc "--sort nope" 2
run_json out "$NS" --kind 'a b'
expect_rc "--kind 'a b'" 2
run_json out "$NS" --threshold -1
expect_rc "--threshold -1" 2
run_json out "$NS" -N "$(ns nosuch)"
expect_rc "missing namespace" 2
# A device or kind named that matches nothing is a usage error naming it, not an empty table.
for f in "-d nosuch0:'nosuch0'" "-d a0,nosuch0:'nosuch0'" "-k nosuchkind:'nosuchkind'" "-j -k veth,tun:'tun'"; do
	run_json out "$NS" -N "$(ns a)" --no-softnet ${f%%:*}
	expect_rc "${f%%:*}" 2
	if [ "$(grep -c . <<<"$ERR")" = 1 ] && grep -q "${f#*:}" <<<"$ERR" && [ -z "$out" ]; then
		t_ok "${f%%:*}: one line naming ${f#*:}"; else t_fail "${f%%:*}: out '$out' err '$ERR'"; fi
done
run_json out "$NS" -N "$(ns a)" --no-softnet -d 'nosuch*'
expect_rc "-d with a wildcard may match nothing" 0
run_json out "$NS" -N "$(ns a)" --no-softnet -j -d a0 -k veth
expect_rc "-d a0 -k veth" 0
run_json out "$NS" -N "$(ns a)" --no-softnet -j -k bridge
expect_rc "-k bridge: a class of devices may select none" 0
expect_jq "-k bridge: no device" "$out" '.devices | length' 0
t_done
