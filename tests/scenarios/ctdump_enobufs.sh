#!/bin/bash
# ctdump -E when the reader falls behind: a listener with a tiny receive buffer is
# stopped while 3000 entries are created through ctnetlink; on resuming it reports
# ENOBUFS with the exact number of events lost (the socket's drop counter, through
# SO_MEMINFO), grows its buffer, carries on, and exits 1. Then --proto udp with a
# socket filter: the kernel drops the TCP events before they reach the socket.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
at() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }
TMP=$(mktemp -d)
trap 'lab_cleanup; rm -rf "$TMP"' EXIT
trap 'lab_cleanup; rm -rf "$TMP"; exit 130' INT TERM

if ! cc -O2 -o "$TMP/ctfill" tests/tools/ctfill.c -lmnl; then
	t_fail "build tests/tools/ctfill.c"; t_done; exit 1
fi
lab_ns ct || exit 1
at ct nft -f - <<'NFT' || { t_fail "nft ruleset"; t_done; exit 1; }
table inet ppct {
	chain filt {
		type filter hook forward priority filter;
		ct state established accept
	}
}
NFT
ip netns exec "$(ns ct)" "$BIN/ctdump" -E -j --rcvbuf 4096 --duration 5 >"$TMP/ev.json" 2>"$TMP/ev.err" &
P=$!
# Subscribed once its netfilter socket shows groups in /proc/net/netlink (protocol 12).
for i in $(seq 1 50); do
	at ct awk '$2 == 12 && $4 != "00000000" { f = 1 } END { exit !f }' /proc/net/netlink && break
	sleep 0.1
done
kill -STOP $P
n=$(at ct "$TMP/ctfill" fill 3000)
kill -CONT $P
wait $P
RC=$?
expect_rc "events lost" 1
shown=$(grep -c '"event":"new"' "$TMP/ev.json")
lost=$(jq -s '[.[] | select(.type=="lost") | .lost] | add' "$TMP/ev.json")
if [ "$n" = 3000 ] && [ "${lost:-0}" -gt 0 ] && [ $((shown + lost)) -eq 3000 ]; then
	t_ok "ENOBUFS: $lost lost + $shown shown = 3000 created"
else
	t_fail "ENOBUFS: created $n, shown $shown, lost $lost"; sed 's/^/# /' "$TMP/ev.err"
fi
said=$(sed -n 's/.*ENOBUFS: \([0-9]*\) events lost.*receive buffer grown to.*/\1/p' "$TMP/ev.err" | awk '{s += $1} END {print s + 0}')
if [ "$said" = "$lost" ]; then t_ok "ENOBUFS said on stderr, buffer grown"
else t_fail "ENOBUFS message"; sed 's/^/# /' "$TMP/ev.err"; fi
expect_jq "summary counts the loss" "$(tail -1 "$TMP/ev.json")" \
	"\"\\(.type) \\(.lost) \\(.overruns == $(grep -c ENOBUFS "$TMP/ev.err"))\"" "summary $lost true"
# The socket filter: of 400 entries created and flushed, only the 100 UDP ones
# (new and destroy) reach the socket at all ("events" counts what arrived).
at ct conntrack -F >/dev/null 2>&1
ip netns exec "$(ns ct)" "$BIN/ctdump" -E -j --proto udp --duration 3 >"$TMP/ev2.json" 2>"$TMP/ev2.err" &
P=$!
for i in $(seq 1 50); do
	at ct awk '$2 == 12 && $4 != "00000000" { f = 1 } END { exit !f }' /proc/net/netlink && break
	sleep 0.1
done
sleep 0.2
at ct "$TMP/ctfill" fill 400 >/dev/null
at ct conntrack -F >/dev/null 2>&1
wait $P
expect_jq "kernel-filtered events: only UDP arrives" "$(tail -1 "$TMP/ev2.json")" \
	'"\(.events) \(.shown) \(.lost)"' '200 200 0'
t_done
