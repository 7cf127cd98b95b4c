#!/bin/bash
# nicstat --save / --snapshot (issue 17 item 1): a veth pair whose sending end has a
# tbf that drops real UDP traffic (the receiver counts what arrived); nicstat's one
# since-boot sample is saved with ethtool (netlink and the SIOCETHTOOL ioctls: driver,
# driver counters), the qdisc drops in Sat, softnet_stat and the uptime it divides by;
# the lab is removed and nobody asks the snapshots: the output, stderr and exit status
# are the saving run's. Sampling over time is refused, bad files named, and pathcheck
# lists the snapshot but refuses to walk it.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/lib/snapshot.sh
NS=$BIN/nicstat

snap_pair || exit 1
at a ping -c3 -i 0.2 -W1 198.51.100.2 >/dev/null 2>&1
at a tc qdisc add dev a0 root handle 1: tbf rate 1mbit burst 1600 limit 3000 || exit 1

snap_udp_drops 300

snap_save json "$NS" -N "$(ns a)" -j
snap_save text "$NS" -N "$(ns a)" --no-color
snap_save ethtool "$NS" -N "$(ns a)" -j -e
snap_save ethtool_text "$NS" -N "$(ns a)" --no-color -e -a
snap_save prom "$NS" -N "$(ns a)" --prom -e
snap_save dev "$NS" -N "$(ns a)" -j -d a0 -q
snap_save kind "$NS" -N "$(ns a)" --no-color -k veth --no-softnet
snap_save top "$NS" -N "$(ns a)" --no-color --top 1 -s wpk -z
snap_save noethtool "$NS" -N "$(ns a)" -j --no-ethtool --no-qdisc
snap_save inside --in a "$NS" -j -e

live=$(snap_live ethtool)
a0='.devices[] | select(.name=="a0")'
qd=$(jq "$a0 | .counters.qdisc_drops" <<<"$live")
lost=$((300 - got))
if [ "$qd" -gt 0 ] && [ "$qd" -le "$lost" ]; then t_ok "live: a0's root qdisc dropped $qd (the receiver missed $lost)"
else t_fail "live: a0 qdisc drops $qd, receiver missed $lost"; fi
expect_jq "live: veth driver through the ioctl" "$live" "$a0 | .link.driver // .driver" veth
expect_jq "live: driver counters read" "$live" "$a0 | .driver_stats | length > 0" true
expect_jq "live: softnet per CPU" "$live" '.softnet | length > 0' true

# The counters move on: a later live reading differs from the saved one.
at a ping -c3 -i 0.2 -W1 198.51.100.2 >/dev/null 2>&1
later=$("$NS" -N "$(ns a)" -j -e)
if [ "$(jq -c "$a0 | .counters" <<<"$later")" != "$(jq -c "$a0 | .counters" <<<"$live")" ]; then
	t_ok "a later live reading differs from the saved one"
else t_fail "a later live reading equals the saved one: the comparison below proves nothing"; fi

lab_cleanup
snap_lab_gone
for n in json text ethtool ethtool_text prom dev kind top noethtool inside; do snap_check "$n"; done

snap_refused "-i 1 refused" 2 "more than one sample.*not with --snapshot" "$NS" -N "$(ns a)" -i 1 --snapshot "$SNAPD/json.snap"
snap_refused "-c 3 refused" 2 "more than one sample.*not with --snapshot" "$NS" -N "$(ns a)" -c 3 --snapshot "$SNAPD/json.snap"
snap_refused "--prom -i 1 refused" 2 "more than one sample.*not with --snapshot" "$NS" -N "$(ns a)" --prom -i 1 --snapshot "$SNAPD/json.snap"
snap_refused "--save with -i 1 refused" 2 "more than one sample.*not with --save" "$NS" -i 1 --save "$SNAPD/never.snap"
err=$("${NOBODY[@]}" "$NS" --save "$SNAPD/never.snap" --snapshot "$SNAPD/json.snap" 2>&1 >/dev/null); rc=$?
if [ "$rc" = 2 ] && grep -q "choose one" <<<"$err"; then t_ok "--save and --snapshot together: a usage error"
else t_fail "--save and --snapshot together: exit $rc: $err"; fi
[ ! -e "$SNAPD/never.snap" ] && t_ok "refused runs wrote no snapshot" || t_fail "a refused run wrote a snapshot"
snap_bad_files json "$NS" -N "$(ns a)" -j
snap_pathcheck ethtool nicstat
t_done
