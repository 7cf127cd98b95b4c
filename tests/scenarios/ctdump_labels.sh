#!/bin/bash
# ctdump and conntrack labels (CTA_LABELS): an nft "ct label set" rule on a router
# labels some flows; ctdump shows them in text (labels=) and JSON (labels: [...])
# with the names of connlabel.conf, as conntrack -L -o labels does on the same
# state; --label NAME (or bit) selects exactly what conntrack -L --label selects.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
at() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }
MADE_CONF= MADE_DIR=
cleanup() {
	local n
	for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $n in "$LAB"-*) ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null ;; esac
	done
	wait 2>/dev/null
	[ -n "$MADE_CONF" ] && rm -f "$MADE_CONF"
	[ -n "$MADE_DIR" ] && rmdir "$MADE_DIR"
	lab_cleanup
}
trap '{ cleanup; } 2>/dev/null' EXIT
trap 'cleanup; exit 130' INT TERM

# conntrack (libnetfilter_conntrack) reads the names from /etc/xtables/connlabel.conf
# (nft from /etc/connlabel.conf; the rules below use bit numbers): made for the test
# only when missing, removed by the trap.
CONF=/etc/xtables/connlabel.conf
if [ ! -e "$CONF" ]; then
	if [ ! -d /etc/xtables ]; then mkdir /etc/xtables && MADE_DIR=/etc/xtables; fi
	printf '# pktpath test %s\n1 pp-web\n5 pp-dns\n' "$$" >"$CONF" && MADE_CONF=$CONF
fi
name1=$(awk '$1 == 1 { print $2; exit }' "$CONF")
name5=$(awk '$1 == 5 { print $2; exit }' "$CONF")
if [ -z "$name1" ] || [ -z "$name5" ]; then
	echo "1..0 # SKIP $CONF names no bits 1 and 5"; exit 0
fi

lab_three || exit 1
CT="$BIN/ctdump"
# Numeric labels: nft needs no names for them.
at rtr nft -f - <<'EOF' || { t_fail "nft ruleset with ct label set"; t_done; exit 1; }
table inet ppctl {
	chain filt {
		type filter hook forward priority filter;
		tcp dport 8080 ct label set 1
		udp dport 5353 ct label set 1
		udp dport 5353 ct label set 5
	}
}
EOF
. tests/scenarios/ctdump_labels_flows.inc

theirs_n=$(at rtr conntrack -L -o labels 2>/dev/null | grep -c 'labels=')
run_json out "$CT" -N "$(ns rtr)" -j
ours_n=$(jq '[.entries[] | select(.labels)] | length' <<<"$out")
if [ "$theirs_n" -ge 5 ] && [ "$ours_n" = "$theirs_n" ]; then t_ok "json: $ours_n labelled entries, as conntrack"
else t_fail "json: labelled entries: ours $ours_n, conntrack $theirs_n"; fi
# The same labels per flow, by original source port.
ours=$(jq -r '[.entries[] | select(.labels) | "\(.orig.sport) \(.labels | join(","))"] | sort | join(";")' <<<"$out")
theirs=$(at rtr conntrack -L -o labels 2>/dev/null | grep 'labels=' |
	sed -n 's/.*src=198\.51\.100\.2 dst=203\.0\.113\.2 sport=\([0-9]*\) .*labels=\([^ ]*\).*/\1 \2/p' | sort | paste -sd';')
if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then t_ok "json: each flow's label names as conntrack ($ours)"
else t_fail "json labels: ours '$ours', conntrack '$theirs'"; fi
expect_jq "json: udp/5353 carries both" "$out" \
	'[.entries[] | select(.orig.dport==5353) | .labels | join(",")] | unique | join(" ")' "$name1,$name5"
run_json out "$CT" -N "$(ns rtr)"
ours=$(grep 'labels=' <<<"$out" | sed -n 's/.*src=198\.51\.100\.2 dst=203\.0\.113\.2 sport=\([0-9]*\) .*labels=\([^ ]*\).*/\1 \2/p' | sort | paste -sd';')
if [ "$ours" = "$theirs" ]; then t_ok "text: labels= as conntrack"; else t_fail "text labels: ours '$ours', conntrack '$theirs'"; fi
# --label, by name and by bit number, against conntrack -L --label.
for sel in "$name1" "$name5" "$name1,$name5" 5; do
	lname=$sel; [ "$sel" = 5 ] && lname=$name5
	theirs=$(at rtr conntrack -L --label "$lname" 2>/dev/null | sed -n 's/.*src=198\.51\.100\.2 dst=203\.0\.113\.2 sport=\([0-9]*\) .*/\1/p' | sort | paste -sd' ')
	run_json out "$CT" -N "$(ns rtr)" --label "$sel" -j
	ours=$(jq -r '[.entries[].orig.sport] | sort | map(tostring) | join(" ")' <<<"$out")
	if [ -n "$ours" ] && [ "$ours" = "$theirs" ]; then t_ok "--label $sel: $(wc -w <<<"$ours") entries as conntrack"
	else t_fail "--label $sel: ours '$ours', conntrack '$theirs'"; fi
done
run_json out "$CT" -N "$(ns rtr)" --label "$name1" -c
n1=$(at rtr conntrack -L --label "$name1" 2>/dev/null | grep -c 'sport=')
if [ "$(tr -dc 0-9 <<<"$out")" = "$n1" ]; then t_ok "--label -c counts $n1"; else t_fail "--label -c: '$out', conntrack $n1"; fi
# A lab copy of the map renames the bits (PKTPATH_CONNLABEL); without a name, the bit number.
lm=$(mktemp)
printf '1 other-one\n' >"$lm"
out=$(PKTPATH_CONNLABEL=$lm "$CT" -N "$(ns rtr)" -j --label other-one)
expect_jq "PKTPATH_CONNLABEL names; unnamed bit as its number" "$out" \
	'[.entries[] | select(.orig.dport==5353) | .labels | join(",")] | unique | join(" ")' "other-one,5"
rm -f "$lm"
for bad in nosuchlabel 128 "$name1,"; do
	run_json out "$CT" -N "$(ns rtr)" --label "$bad"
	if [ "$RC" = 2 ] && head -1 <<<"$ERR" | grep -q -- "--label: '"; then t_ok "usage error: --label '$bad'"
	else t_fail "usage error: --label '$bad': rc $RC: $ERR"; fi
done
# -E: each event carries the time it was read, as conntrack -E -o timestamp prints it.
evj=$(mktemp) evt=$(mktemp) evc=$(mktemp)
at rtr timeout 6 conntrack -E -o timestamp,labels -p udp --dport 5353 >"$evc" 2>/dev/null &
cpid=$!
"$CT" -N "$(ns rtr)" -E --duration 4 -j --proto udp --dport 5353 >"$evj" 2>/dev/null &
jpid=$!
"$CT" -N "$(ns rtr)" -E --duration 4 --proto udp --dport 5353 >"$evt" 2>/dev/null &
tpid=$!
sleep 1
t0=$(date +%s)
at cli python3 -c '
import socket
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("0.0.0.0", 40031)); s.settimeout(1)
s.sendto(b"x", ("203.0.113.2", 5353))
try: s.recv(16)
except OSError: pass'
t1=$(date +%s)
wait "$jpid" "$tpid"; wait "$cpid" 2>/dev/null
# The number as written (jq would drop a trailing zero of the microseconds).
ours=$(grep '"event":"new"' "$evj" | grep '"sport":40031' | head -1 | sed -n 's/.*"timestamp":\([0-9.]*\),.*/\1/p')
if [ -n "$ours" ] && awk -v t="$ours" -v a="$t0" -v b="$t1" 'BEGIN { exit !(t >= a && t <= b + 1) }' &&
	grep -Eq '^[0-9]+\.[0-9]{6}$' <<<"$ours"; then t_ok "json: event timestamp $ours (sent between $t0 and $t1)"
else t_fail "json: event timestamp '$ours' (sent between $t0 and $t1)"; sed 's/^/# /' "$evj" | head -5; fi
line=$(grep 'sport=40031' "$evt" | grep '\[NEW\]' | head -1)
theirs=$(grep 'sport=40031' "$evc" | grep '\[NEW\]' | head -1)
re='^\[[0-9]+\.[0-9]{6}\]	 *\[NEW\] udp '
if [[ $line =~ $re ]] && [[ $theirs =~ $re ]]; then t_ok "text: event timestamp as conntrack -E -o timestamp"
else t_fail "text: event timestamp: ours '$line', conntrack '$theirs'"; fi
ts_o=$(sed 's/^\[\([0-9.]*\)\].*/\1/' <<<"$line"); ts_c=$(sed 's/^\[\([0-9.]*\)\].*/\1/' <<<"$theirs")
if [ -n "$ts_o" ] && [ -n "$ts_c" ] && awk -v a="$ts_o" -v b="$ts_c" 'BEGIN { d = a - b; if (d < 0) d = -d; exit !(d < 1) }'; then
	t_ok "text: the same event within 1 s of conntrack's time ($ts_o, $ts_c)"
else t_fail "text: event times ours '$ts_o', conntrack '$ts_c'"; fi
# An update event of the labelled flow shows its labels.
if jq -e -s --arg l "$name1,$name5" '[.[] | select(.orig.sport==40031 and .labels) | .labels | join(",")] | index($l) != null' "$evj" >/dev/null; then
	t_ok "json: events carry the labels"; else t_fail "json: events carry the labels"; sed 's/^/# /' "$evj" | head -5; fi
rm -f "$evj" "$evt" "$evc"
t_done
