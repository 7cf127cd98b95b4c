#!/bin/bash
# ctdump --save / --snapshot (issue 17 item 1): conntrack entries on a router from real
# connections through it (3 TCP held open, UDP answered and unanswered), timestamps on
# and some flows labelled (names from a connlabel.conf made for the test); ctdump's
# listing, counts, aggregates and statistics are saved in every form and with filters,
# the lab and the label file are removed, and nobody asks the snapshots: the output
# (entry ages included: the saving run's clock), stderr and exit status are the saving
# run's. Events and --nagios are refused, bad files named, and pathcheck lists the
# snapshot but refuses to walk it.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/lib/snapshot.sh
cleanup() {
	local n
	for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $n in "$LAB"-*) ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null ;; esac
	done
	wait 2>/dev/null
	lab_cleanup
}
trap '{ cleanup; } 2>/dev/null; rm -rf "$SNAPD"' EXIT
trap 'cleanup; rm -rf "$SNAPD"; exit 130' INT TERM
CT=$BIN/ctdump
LABELS=$SNAPD/connlabel.conf
printf '# pktpath test\n1 pp-web\n5 pp-dns\n' >"$LABELS"

lab_three || exit 1
at rtr nft -f - <<'EOF' || { t_fail "nft ruleset on the router"; t_done; exit 1; }
table inet ppsnap {
	chain filt {
		type filter hook forward priority filter;
		tcp dport 8080 ct label set 1
		udp dport 5353 ct label set 5
		ct state established,related accept
	}
}
EOF
at rtr sysctl -qw net.netfilter.nf_conntrack_timestamp=1 || { t_fail "conntrack timestamps on the router"; t_done; exit 1; }
. tests/scenarios/ctdump_labels_flows.inc
# One UDP flow nobody answers (no listener): UNREPLIED on the router.
at cli python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 40031))
s.sendto(b"x", ("203.0.113.2", 7777))'
sleep 2	# every entry is older than 1 s

# The truth: the client's three TCP connections are established (its own sockets say so).
est=$(at cli ss -Htn state established '( dport = :8080 )' | wc -l)
if [ "$est" = 3 ]; then t_ok "real traffic: 3 TCP connections to 8080 established"
else t_fail "real traffic: $est TCP connections established"; fi

CTL=(env PKTPATH_CONNLABEL="$LABELS" "$CT" -N "$(ns rtr)")
snap_save list "${CTL[@]}" --no-color
snap_save json "${CTL[@]}" -j
snap_save pretty "${CTL[@]}" -j -p
snap_save stream "${CTL[@]}" -j --stream
snap_save count "${CTL[@]}" -c
snap_save count_tcp "${CTL[@]}" -c --proto tcp
snap_save agg "${CTL[@]}" -a
snap_save top "${CTL[@]}" -j --top dst 3 --top sport 2
snap_save stats "${CTL[@]}" -S
snap_save stats_json "${CTL[@]}" -j -S
snap_save prom "${CTL[@]}" --prom
snap_save dport "${CTL[@]}" -j --dport 8080
snap_save state "${CTL[@]}" --no-color --state ESTABLISHED
snap_save label "${CTL[@]}" -j --label pp-web
snap_save older "${CTL[@]}" -j --older-than 1
snap_save family "${CTL[@]}" -j -f ipv4 --unreplied
snap_save other "$BIN/qdiscstat" -N "$(ns rtr)" -j
snap_save inside --in rtr env PKTPATH_CONNLABEL="$LABELS" "$CT" -j

live=$(snap_live dport)
expect_jq "live: the 3 connections' entries" "$live" '[.entries[] | select(.proto=="tcp" and .state=="ESTABLISHED")] | length' 3
expect_jq "live: labelled with the file's name" "$live" '[.entries[] | .labels // [] | join(",")] | unique | join(";")' pp-web
expect_jq "live: ages read (timestamps on)" "$(snap_live older)" '[.entries[] | select(.age_seconds >= 1)] | length > 3' true
expect_jq "live: the unanswered flow is UNREPLIED" "$(snap_live family)" \
	'[.entries[] | select(.orig.dport==7777)] | length' 1

# The table moves on: a later live reading differs from the saved one.
at cli python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 40032))
s.sendto(b"x", ("203.0.113.2", 7778))'
later=$("${CTL[@]}" -j)
if [ "$(jq -c '[.entries[] | .orig]' <<<"$later")" != "$(jq -c '[.entries[] | .orig]' <<<"$(snap_live json)")" ]; then
	t_ok "a later live reading differs from the saved one"
else t_fail "a later live reading equals the saved one: the comparison below proves nothing"; fi

{ cleanup; } 2>/dev/null
rm -f "$LABELS"
snap_lab_gone
sleep 1	# ages would grow by a second if the replay read this machine's clock
for n in list json pretty stream count count_tcp agg top stats stats_json prom dport state label older family inside; do
	snap_check "$n"
done

snap_refused "-E refused" 2 "-E follows events.*not with --snapshot" "$CT" -N "$(ns rtr)" -E --snapshot "$SNAPD/json.snap"
snap_refused "--save with -E refused" 2 "-E follows events.*not with --save" "$CT" -E --duration 1 --save "$SNAPD/never.snap"
out=$("${NOBODY[@]}" "$CT" -N "$(ns rtr)" --nagios --snapshot "$SNAPD/stats.snap" 2>/dev/null); rc=$?
if [ "$rc" = 3 ] && grep -q "rates over an interval" <<<"$out"; then t_ok "--nagios refused: UNKNOWN line, exit 3 (the plugin contract)"
else t_fail "--nagios with --snapshot: exit $rc: $out"; fi
snap_refused "another tool's snapshot" 2 "holds no answer for IPCTNL_MSG_CT_GET_STATS" "$CT" -N "$(ns rtr)" -j --snapshot "$SNAPD/other.snap"
snap_bad_files json "$CT" -N "$(ns rtr)" -j
snap_pathcheck json ctdump
t_done
