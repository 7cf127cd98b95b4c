#!/bin/bash
# neighwatch -w: a peer whose MAC changes. Each change is flagged as it happens
# (JSON Lines, flushed per event), the third within the window makes the entry
# flap, and the summary counts both; exit 1.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh

lab_ns mon peer || exit 1
lab_veth mon m0 peer p0 || exit 1
nsrun mon ip addr add 198.51.100.1/26 dev m0
nsrun peer ip addr add 198.51.100.9/26 dev p0

out=$(mktemp)
"$BIN/neighwatch" -N "$(ns mon)" -4 -w -j --duration 8 --flap-count 2 --flap-window 30 >"$out" 2>"$out.err" &
pid=$!
for i in $(seq 1 40); do grep -q '"type":"start"' "$out" && break; sleep 0.1; done

# The peer takes a new MAC, forgets its cache and asks for us again: its ARP
# request carries the new address, which the monitored host must accept.
for m in 01 02 03 04; do
	nsrun peer ip link set dev p0 address 02:00:00:00:0b:$m
	nsrun peer ip neigh flush dev p0
	nsrun peer ping -c1 -W1 198.51.100.1 >/dev/null 2>&1
	sleep 0.3
done
# Events are flushed one by one: the MAC changes are visible before the watch ends.
sleep 0.5
if kill -0 "$pid" 2>/dev/null && grep -q '"lladdr_changed":true' "$out"; then
	t_ok "MAC change reported while the watch still runs"
else t_fail "MAC change reported while the watch still runs"; fi
wait "$pid"; RC=$?
expect_rc "watch with MAC changes" 1
if jq -e . "$out" >/dev/null 2>&1 && [ "$(jq -s 'length' "$out")" -ge 4 ]; then t_ok "every line is JSON"
else t_fail "every line is JSON"; sed 's/^/# /' "$out" | head; fi
ev=$(jq -c 'select(.type=="event" and .dst=="198.51.100.9" and .lladdr_changed)' "$out" | head -1)
expect_jq "first MAC change" "$ev" '[.event,.family,.device,.old_lladdr,.lladdr] | join(" ")' \
	'change inet m0 02:00:00:00:0b:01 02:00:00:00:0b:02'
expect_jq "event has a timestamp" "$ev" '.time | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+Z$")' 'true'
expect_jq "MAC changes counted" "$(jq -c 'select(.type=="event" and .lladdr_changed)' "$out" | jq -s 'length')" '.' '3'
fl=$(jq -c 'select(.type=="event" and .flap_start)' "$out" | head -1)
expect_jq "flap flagged on the third change" "$fl" '[.dst,.lladdr,(.flips_in_window|tostring),(.flapping|tostring)] | join(" ")' \
	'198.51.100.9 02:00:00:00:0b:04 3 true'
sum=$(jq -c 'select(.type=="summary")' "$out")
expect_jq "summary schema" "$sum" '.schema' 'neighwatch/1'
expect_jq "summary counts" "$sum" '[.flaps,.lladdr_changes,.overruns] | map(tostring) | join(" ")' '1 3 0'
expect_jq "summary lost nothing" "$sum" '.events_lost' '0'
rm -f "$out" "$out.err"

# Text mode, SIGINT ends it with a summary; a quiet watch exits 0.
out=$(mktemp)
"$BIN/neighwatch" -N "$(ns mon)" -4 -w >"$out" 2>&1 &
pid=$!
for i in $(seq 1 40); do grep -q 'watching' "$out" && break; sleep 0.1; done
nsrun mon ip neigh replace 198.51.100.20 lladdr 02:00:00:00:00:20 dev m0 nud permanent
sleep 0.3
kill -INT "$pid"; wait "$pid"; RC=$?
expect_rc "SIGINT ends a quiet watch" 0
if grep -q 'new .*inet .*198.51.100.20 dev m0 lladdr 02:00:00:00:00:20 PERMANENT' "$out"; then t_ok "text event line"
else t_fail "text event line"; sed 's/^/# /' "$out"; fi
if grep -q ' summary: .* 0 flaps, 0 MAC changes, 0 overruns' "$out"; then t_ok "text summary after SIGINT"
else t_fail "text summary after SIGINT"; sed 's/^/# /' "$out"; fi
rm -f "$out"

# The global table counters are polled during the watch: a resolution that fails
# shows as res_failed rising (global: another namespace may add to it).
out=$(mktemp)
"$BIN/neighwatch" -N "$(ns mon)" -4 -w -j --duration 6 --table-interval 0.5 >"$out" 2>&1 &
pid=$!
for i in $(seq 1 40); do grep -q '"type":"start"' "$out" && break; sleep 0.1; done
nsrun mon ping -c1 -W1 198.51.100.44 >/dev/null 2>&1
wait "$pid"; RC=$?
tl=$(jq -c 'select(.type=="table" and .family=="inet" and .res_failed > 0)' "$out" | head -1)
expect_jq "table counters polled: res_failed rose" "$tl" '[.name,.scope] | join(" ")' 'arp_cache global'
ev=$(jq -c 'select(.type=="event" and .dst=="198.51.100.44" and .state=="FAILED")' "$out" | head -1)
# The kernel announces no INCOMPLETE entry: the first event is the FAILED one.
expect_jq "the failed resolution is an event" "$ev" '[.event,.device] | join(" ")' 'new m0'
rm -f "$out"

# Watch with --prom-file: counters for flaps and MAC changes, promtool accepts it.
pf=$(mktemp -d)
"$BIN/neighwatch" -N "$(ns mon)" -4 -w --duration 3 --flap-count 1 --prom-file "$pf/nw.prom" >/dev/null 2>&1 &
pid=$!
sleep 0.5
nsrun mon ip neigh replace 198.51.100.21 lladdr 02:00:00:00:00:21 dev m0 nud permanent
nsrun mon ip neigh replace 198.51.100.21 lladdr 02:00:00:00:00:22 dev m0 nud permanent
nsrun mon ip neigh replace 198.51.100.21 lladdr 02:00:00:00:00:23 dev m0 nud permanent
wait "$pid"; RC=$?
expect_rc "watch --prom-file with changes" 1
if promtool check metrics <"$pf/nw.prom" >/dev/null 2>&1; then t_ok "watch --prom-file: promtool check metrics"
else t_fail "watch --prom-file: promtool check metrics"; promtool check metrics <"$pf/nw.prom" 2>&1 | sed 's/^/# /' | head; fi
if grep -q '^pktpath_neighwatch_lladdr_changes_total{family="inet",netns="[^"]*"} 2$' "$pf/nw.prom" &&
   grep -q '^pktpath_neighwatch_flaps_total{family="inet",netns="[^"]*"} 1$' "$pf/nw.prom"; then t_ok "watch prom counters"
else t_fail "watch prom counters"; grep -E 'flaps|lladdr' "$pf/nw.prom" | sed 's/^/# /'; fi
rm -rf "$pf"
t_done
