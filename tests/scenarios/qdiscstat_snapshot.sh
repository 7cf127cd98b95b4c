#!/bin/bash
# qdiscstat --save / --snapshot (issue 17 item 1): an htb tree with a small pfifo leaf
# on a veth drops real UDP traffic (the receiver counts what arrived); qdiscstat's one
# sample is saved in every form and with filters, the lab is removed, and nobody asks
# the snapshots: the output, stderr and exit status are the saving run's. Runs that
# sample over time are refused, bad files named, and pathcheck lists the snapshot but
# refuses to walk it.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/lib/snapshot.sh
QS=$BIN/qdiscstat

snap_pair || exit 1
at a ping -c1 -W1 198.51.100.2 >/dev/null 2>&1
at a tc qdisc add dev a0 root handle 1: htb default 10 || exit 1
at a tc class add dev a0 parent 1: classid 1:10 htb rate 1mbit ceil 1mbit burst 1600 || exit 1
at a tc qdisc add dev a0 parent 1:10 handle 10: pfifo limit 5 || exit 1
at a tc qdisc add dev a0 ingress || exit 1

# The truth: 400 datagrams sent, the receiver counts what came.
snap_udp_drops 400

snap_save json "$QS" -N "$(ns a)" -j
snap_save text "$QS" -N "$(ns a)" --no-color
snap_save details "$QS" -N "$(ns a)" --no-color --details
snap_save prom "$QS" -N "$(ns a)" --prom
snap_save pretty "$QS" -N "$(ns a)" -j -p
snap_save dev "$QS" -N "$(ns a)" -j --dev a0
snap_save glob "$QS" -N "$(ns a)" -j --dev 'a*'
snap_save kind "$QS" -N "$(ns a)" -j --kind htb,pfifo
snap_save noclasses "$QS" -N "$(ns a)" -j --no-classes
snap_save maxdrops "$QS" -N "$(ns a)" -j --max-drops 10
# Run inside the namespace (no -N): saved as "self".
snap_save inside --in a "$QS" -j

live=$(snap_live json)
drops=$(jq '[.devices[] | select(.device=="a0") | .qdiscs[] | select(.kind=="pfifo") | .drops][0]' <<<"$live")
lost=$((400 - got))
if [ "$drops" -gt 0 ] && [ "$drops" -le "$lost" ]; then t_ok "live: pfifo 10: dropped $drops (the receiver missed $lost)"
else t_fail "live: pfifo drops $drops, receiver missed $lost"; fi
expect_jq "live: htb class 1:10 read" "$live" '[.devices[] | select(.device=="a0") | .classes[] | .classid] | join(",")' '1:10'
expect_jq "live: --max-drops 10 exit" "$(cat "$SNAPD/maxdrops.rc")" '.' 1

# The state moves on: a later live reading differs from the saved one.
at a python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(50):
    s.sendto(b"x" * 1200, ("198.51.100.2", 9))'
later=$("$QS" -N "$(ns a)" -j)
if [ "$(jq -c '.devices' <<<"$later")" != "$(jq -c '.devices' <<<"$live")" ]; then t_ok "a later live reading differs from the saved one"
else t_fail "a later live reading equals the saved one: the comparison below proves nothing"; fi

lab_cleanup
snap_lab_gone
sleep 1.1	# the sample's timestamp would move if the replay read this machine's clock
for n in json text details prom pretty dev glob kind noclasses maxdrops inside; do snap_check "$n"; done

# From a snapshot, nothing is read over time; wrong options find no answer.
snap_refused "-c 2 refused" 2 "more than one sample.*not with --snapshot" "$QS" -N "$(ns a)" -c 2 --snapshot "$SNAPD/json.snap"
snap_refused "-i 1 refused" 2 "more than one sample.*not with --snapshot" "$QS" -N "$(ns a)" -i 1 --snapshot "$SNAPD/json.snap"
out=$("${NOBODY[@]}" "$QS" -N "$(ns a)" --nagios --snapshot "$SNAPD/json.snap" 2>/dev/null); rc=$?
if [ "$rc" = 3 ] && grep -q "rates over an interval" <<<"$out"; then t_ok "--nagios refused: UNKNOWN line, exit 3 (the plugin contract)"
else t_fail "--nagios with --snapshot: exit $rc: $out"; fi
snap_refused "--save with -c 2 refused" 2 "more than one sample.*not with --save" "$QS" -c 2 --save "$SNAPD/never.snap"
snap_refused "another namespace" 2 "holds no netns 'other'" "$QS" -N other --snapshot "$SNAPD/json.snap"
out=$("${NOBODY[@]}" "$QS" -N "$(ns a)" -j --snapshot "$SNAPD/noclasses.snap" 2>/dev/null)
expect_jq "classes the saving run did not dump: a warning says so" "$out" \
	'[.warnings[] | select(test("class dump failed on 1 devices: the snapshot holds no answer for RTM_GETTCLASS"))] | length' 1
snap_refused "a device the saving run did not name" 2 "written by qdiscstat .*holds no device of that name" \
	"$QS" -N "$(ns a)" -j --dev a0 --snapshot "$SNAPD/json.snap"
snap_bad_files json "$QS" -N "$(ns a)" -j
snap_pathcheck json qdiscstat
t_done
