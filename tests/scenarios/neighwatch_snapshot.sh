#!/bin/bash
# neighwatch --save / --snapshot (issue 17 item 1): neighbours made by real traffic (a
# peer that answers, IPv4 and IPv6; an address nobody holds, so FAILED; a route through
# it), a permanent and a proxy entry; neighwatch's snapshot mode is saved in every form
# and with selections, the lab is removed and nobody asks the snapshots: the output,
# stderr and exit status are the saving run's. The watch is refused, bad files named,
# and pathcheck lists the snapshot but refuses to walk it.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/lib/snapshot.sh
NW=$BIN/neighwatch

snap_pair || exit 1
at a ip addr add 2001:db8:1::1/64 dev a0 nodad
at b ip addr add 2001:db8:1::2/64 dev b0 nodad
at a ip route add 203.0.113.0/26 via 198.51.100.9
at a ip route add 203.0.113.64/26 via 198.51.100.2 table 100
at a ip neigh add 198.51.100.20 lladdr 02:00:00:00:00:20 dev a0 nud permanent
at a ip neigh add proxy 198.51.100.30 dev a0

# The truth: b answers, 198.51.100.9 does not (nobody holds it).
if at a ping -c2 -i 0.2 -W1 198.51.100.2 >/dev/null 2>&1 && at a ping -6 -c2 -i 0.2 -W1 2001:db8:1::2 >/dev/null 2>&1
then t_ok "real traffic: b answers on IPv4 and IPv6"; else t_fail "real traffic: b does not answer"; fi
if at a ping -c1 -W4 203.0.113.5 >/dev/null 2>&1; then t_fail "real traffic: 203.0.113.5 answered through 198.51.100.9"
else t_ok "real traffic: nothing answers through 198.51.100.9"; fi
for i in $(seq 1 50); do at a ip neigh show 198.51.100.9 | grep -q FAILED && break; sleep 0.1; done

snap_save json "$NW" -N "$(ns a)" -j
snap_save entries "$NW" -N "$(ns a)" -j -e
snap_save text "$NW" -N "$(ns a)" --no-color -e
snap_save prom "$NW" -N "$(ns a)" --prom
snap_save v4 "$NW" -N "$(ns a)" -j -4 -e
snap_save dev "$NW" -N "$(ns a)" --no-color -d a0
snap_save nud "$NW" -N "$(ns a)" -j --nud failed,permanent
snap_save to "$NW" -N "$(ns a)" --no-color --to 198.51.100.0/28
snap_save get "$NW" -N "$(ns a)" -j --get 198.51.100.2 -d a0
snap_save proxy "$NW" -N "$(ns a)" -j --proxy
snap_save alltables "$NW" -N "$(ns a)" -j --route-table all
snap_save nagios "$NW" -N "$(ns a)" --nagios
snap_save inside --in a "$NW" -j -e

live=$(snap_live entries)
st() { jq -r --arg d "$1" '[.entries[] | select(.dst==$d) | .state][0]' <<<"$live"; }
case $(st 198.51.100.2) in REACHABLE|STALE|DELAY|PROBE) t_ok "live: b's entry $(st 198.51.100.2)" ;;
	*) t_fail "live: b's entry $(st 198.51.100.2)" ;; esac
expect_jq "live: 198.51.100.9 FAILED" "$live" '[.entries[] | select(.dst=="198.51.100.9") | .state][0]' FAILED
expect_jq "live: the route through it is a finding" "$(snap_live json)" \
	'[.findings[] | select(.kind=="nexthop_failed" and .dst=="198.51.100.9")] | length' 1
expect_jq "live: exit 1 for the FAILED next hop" "$(cat "$SNAPD/json.rc")" '.' 1
expect_jq "live: --get the one entry" "$(snap_live get)" '[.entries[].dst] | unique | join(",")' 198.51.100.2

# The table moves on: a later live reading differs from the saved one.
at a ip neigh del 198.51.100.20 dev a0
later=$("$NW" -N "$(ns a)" -j -e)
if [ "$(jq -c '.entries' <<<"$later")" != "$(jq -c '.entries' <<<"$live")" ]; then t_ok "a later live reading differs from the saved one"
else t_fail "a later live reading equals the saved one: the comparison below proves nothing"; fi

lab_cleanup
snap_lab_gone
for n in json entries text prom v4 dev nud to get proxy alltables nagios inside; do snap_check "$n"; done

snap_refused "-w refused" 2 "-w/--watch follows events.*not with --snapshot" "$NW" -N "$(ns a)" -w --snapshot "$SNAPD/json.snap"
snap_refused "--save with -w refused" 2 "-w/--watch follows events.*not with --save" "$NW" -w --duration 1 --save "$SNAPD/never.snap"
snap_refused "IPv6 not saved" 2 "holds no answer for RTM_GETNEIGH" "$NW" -N "$(ns a)" -j --snapshot "$SNAPD/v4.snap"
snap_bad_files json "$NW" -N "$(ns a)" -j
snap_pathcheck entries neighwatch
t_done
