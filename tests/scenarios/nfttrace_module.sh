#!/bin/bash
# common/nfttrace.c against the real kernel, through tests/tools/nfttrace_probe.c
# (built here against the library of the build under test). On the router of a
# three-host lab a FORWARD rule drops TCP to 203.0.113.2:8080; the client tries to
# connect. The trace names table, chain, the rule's handle and verdict drop with
# iif/oif; our own table's events are marked ours. The temporary table goes away
# on every exit: normal end, SIGTERM (handler: one sendto of a pre-built delete),
# SIGKILL (the kernel drops an NFT_TABLE_F_OWNER table with its socket; without
# the flag the next run would), and a table left by a dead pid is removed by the
# next run while one of a live pid is kept. The user's ruleset is the same after.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
at() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }
TMP=$(mktemp -d)
PIDS=()
stop_all() { local p; for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; done; }
trap 'stop_all; lab_cleanup; rm -rf "$TMP"' EXIT
trap 'stop_all; lab_cleanup; rm -rf "$TMP"; exit 130' INT TERM

BUILD_DIR=$(dirname "$BIN")
SAN=
case $BUILD_DIR in *-san) SAN="-fsanitize=address -fsanitize=undefined -fno-omit-frame-pointer" ;; esac
if ! cc -std=gnu11 -O1 -g $SAN -I common -o "$TMP/probe" tests/tools/nfttrace_probe.c \
	"$BUILD_DIR/libpktpath.a" -lmnl -lnftnl 2>"$TMP/cc.err"; then
	t_fail "build tests/tools/nfttrace_probe.c against $BUILD_DIR/libpktpath.a"
	sed 's/^/# /' "$TMP/cc.err" | head; t_done; exit 1
fi
PROBE=$TMP/probe

lab_three || { t_fail "lab"; t_done; exit 1; }
at rtr nft -f - <<'NFT' || { t_fail "router ruleset"; t_done; exit 1; }
table inet filt {
	chain fw {
		type filter hook forward priority filter; policy accept;
		ip daddr 203.0.113.2 tcp dport 8080 counter drop
		ip6 daddr 2001:db8:2::2 tcp dport 8080 counter drop
	}
	chain fw2 {
		type filter hook forward priority 10; policy drop;
		meta l4proto tcp accept
	}
}
NFT
at rtr nft -s list ruleset >"$TMP/before"
H4=$(at rtr nft -a list chain inet filt fw | awk '/ip daddr 203.0.113.2/ { print $NF }')
H6=$(at rtr nft -a list chain inet filt fw | awk '/ip6 daddr 2001:db8:2::2/ { print $NF }')

trace_tables() { at rtr nft list tables | awk '$3 ~ /^pktpath_trace_/ { print $3 }'; }

# wait_table FILE: until the probe printed "table NAME" (5 s); echoes NAME.
wait_table() {
	local i
	for i in $(seq 1 50); do
		if grep -q '^table ' "$1" 2>/dev/null; then awk '/^table / { print $2; exit }' "$1"; return 0; fi
		sleep 0.1
	done
	return 1
}

# start_probe OUT ARGS...: the probe in the router, in the background; P = its pid.
start_probe() {
	local out=$1; shift
	ip netns exec "$(ns rtr)" "$PROBE" "$@" >"$out" 2>"$out.err" &
	P=$!
	PIDS+=("$P")
}

# --- 1. the FORWARD drop, IPv4 and IPv6, named by the trace ---
for fam in 4 6; do
	if [ $fam = 4 ]; then dst=203.0.113.2 src=198.51.100.2 h=$H4 np=2
	else dst=2001:db8:2::2 src=2001:db8:1::2 h=$H6 np=10; fi
	start_probe "$TMP/t$fam" trace $dst $src tcp 8080 2.5 replies
	name=$(wait_table "$TMP/t$fam") || { t_fail "v$fam: probe did not start: $(cat "$TMP/t$fam.err")"; continue; }
	if [ "$(trace_tables)" = "$name" ] && at rtr nft list table inet "$name" | grep -q 'flags owner'; then
		t_ok "v$fam: table inet $name in place, owned by its socket"
	else t_fail "v$fam: table $name not as expected: $(trace_tables)"; fi
	at cli timeout 1 bash -c "exec 3<>/dev/tcp/$dst/8080" 2>/dev/null
	wait "$P"; rc=$?
	line=$(grep '^event ' "$TMP/t$fam" | grep 'verdict=drop' | head -1)
	want="table=1:filt chain=fw handle=$h verdict=drop iif=r0 oif=r1 nfproto=$np"
	if [ $rc = 0 ] && [[ $line == *"type=rule $want"* ]]; then
		t_ok "v$fam: trace names inet filt fw handle $h verdict drop, r0 -> r1"
	else
		t_fail "v$fam: rc=$rc, wanted '$want'"; sed 's/^/# /' "$TMP/t$fam" "$TMP/t$fam.err" | head -20
	fi
	if grep -q '^event .*pktpath_trace' "$TMP/t$fam"; then t_fail "v$fam: our own table's events were reported"
	elif grep -Eq '^done ours=[1-9]' "$TMP/t$fam"; then t_ok "v$fam: own table's events marked ours and skipped"
	else t_fail "v$fam: no own events seen: $(tail -1 "$TMP/t$fam")"; fi
	if [ -z "$(trace_tables)" ]; then t_ok "v$fam: table deleted at the end"
	else t_fail "v$fam: left behind: $(trace_tables)"; fi
done

# --- 1b. a drop by a chain's policy: the policy event says drop (no rule handle) ---
start_probe "$TMP/pol" trace 203.0.113.2 198.51.100.2 udp 9999 1.5
if wait_table "$TMP/pol" >/dev/null; then
	at cli bash -c 'echo x >/dev/udp/203.0.113.2/9999'
	wait "$P"; rc=$?
	if [ $rc = 0 ] && grep -q '^event .* type=policy table=1:filt chain=fw2 verdict=drop .*nfproto=2$' "$TMP/pol"; then
		t_ok "policy drop: trace names inet filt fw2, type policy, verdict drop"
	else t_fail "policy drop: rc=$rc"; sed 's/^/# /' "$TMP/pol" "$TMP/pol.err" | head; fi
else t_fail "policy drop: probe did not start: $(cat "$TMP/pol.err")"; fi

# --- 2. SIGTERM: the handler's pre-built delete removes the table at once, while
# the process still lives (its exit would also drop an owned table: not this test) ---
start_probe "$TMP/term" trace 203.0.113.2 any tcp 8080 30
if name=$(wait_table "$TMP/term"); then
	kill -TERM "$P"
	for i in $(seq 1 30); do grep -q '^signalled' "$TMP/term" && break; sleep 0.05; done
	left=$(trace_tables)
	if kill -0 "$P" 2>/dev/null && grep -q '^signalled 15' "$TMP/term" && [ -z "$left" ]; then
		t_ok "SIGTERM: $name removed by the handler's sendto, process still running"
	else t_fail "SIGTERM: left: '$left', $(cat "$TMP/term")"; fi
	wait "$P"; rc=$?
	if [ $rc = 143 ]; then t_ok "SIGTERM: pp_nfttrace_end after the handler's delete is fine (exit 143)"
	else t_fail "SIGTERM: exit $rc: $(cat "$TMP/term.err")"; fi
else t_fail "SIGTERM: probe did not start: $(cat "$TMP/term.err")"; fi

# --- 3. SIGKILL: nothing left, by the kernel (owner flag) or by the next run ---
start_probe "$TMP/kill" trace 203.0.113.2 any tcp 8080 30
if name=$(wait_table "$TMP/kill"); then
	kill -KILL "$P"; wait "$P" 2>/dev/null
	sleep 0.2
	if [ -z "$(trace_tables)" ]; then by=kernel; else by="next run"; fi
	start_probe "$TMP/next" trace 203.0.113.2 any tcp 8080 0.3
	wait "$P"; rc=$?
	if [ $rc = 0 ] && [ -z "$(trace_tables)" ]; then t_ok "SIGKILL: $name gone (removed by the $by)"
	else t_fail "SIGKILL: rc=$rc, left: $(trace_tables)"; fi
else t_fail "SIGKILL: probe did not start: $(cat "$TMP/kill.err")"; fi

# --- 4. a table a dead pid left (older kernel, no owner flag) goes; a live pid's stays ---
sleep 0 & dead=$!; wait $dead
while kill -0 "$dead" 2>/dev/null; do sleep 0 & dead=$!; wait $dead; done
mk_table() { at rtr nft -f - <<NFT
table inet $1 {
	chain prerouting { type filter hook prerouting priority -350; policy accept; ip daddr 203.0.113.2 meta nftrace set 1; }
}
NFT
}
mk_table "pktpath_trace_$dead" && mk_table "pktpath_trace_$$" || t_fail "stale tables"
out=$(at rtr "$PROBE" cleanup 2>&1)
left=$(trace_tables | tr '\n' ' ')
if [ "$out" = "removed 1" ] && [ "$left" = "pktpath_trace_$$ " ]; then
	t_ok "cleanup: removed the table of dead pid $dead, kept the one of live pid $$"
else t_fail "cleanup: '$out', left: $left"; fi
mk_table "pktpath_trace_$dead"
start_probe "$TMP/stale" trace 203.0.113.2 any icmp 0 0.3
wait "$P"; rc=$?
left=$(trace_tables | tr '\n' ' ')
if [ $rc = 0 ] && [ "$left" = "pktpath_trace_$$ " ]; then t_ok "begin removes a dead pid's table first"
else t_fail "begin: rc=$rc, left: $left"; cat "$TMP/stale.err"; fi
at rtr nft delete table inet "pktpath_trace_$$"

# --- 4b. two runs of the same pid from two pid namespaces sharing the router's netns ---
ip netns exec "$(ns rtr)" unshare --pid --fork --mount-proc "$PROBE" trace 203.0.113.2 any tcp 8080 1.5 >"$TMP/pa" 2>&1 &
PIDS+=($!); pa=$!
wait_table "$TMP/pa" >/dev/null
ip netns exec "$(ns rtr)" unshare --pid --fork --mount-proc "$PROBE" trace 203.0.113.2 any tcp 8080 0.3 >"$TMP/pb" 2>&1
rc=$?
wait "$pa"
a=$(awk '/^table / { print $2 }' "$TMP/pa"); b=$(awk '/^table / { print $2 }' "$TMP/pb")
if [ $rc = 0 ] && [ -n "$a" ] && [[ $b == "${a}_"* ]] && [ -z "$(trace_tables)" ]; then
	t_ok "pid namespaces: $a taken, the second run used $b"
else t_fail "pid namespaces: rc=$rc a='$a' b='$b' left: $(trace_tables)"; cat "$TMP/pb"; fi

# --- 5. nothing else changed ---
if at rtr nft -s list ruleset | diff "$TMP/before" - >"$TMP/diff"; then
	t_ok "the router's ruleset is as before (nft -s list ruleset)"
else t_fail "ruleset changed"; sed 's/^/# /' "$TMP/diff" | head -20; fi
t_done
