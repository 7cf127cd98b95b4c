#!/bin/bash
# pathcheck --save / --snapshot (issue 17): queries run live in a lab with --save, the
# lab torn down, the same queries asked of the snapshots by an unprivileged user; the
# verdicts (status, station, cause, exit) must be equal. Destinations not asked at
# save time are answered from one snapshot (the userspace FIB over the recorded rules
# and routes) and must equal the live answers taken before the teardown.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

D=$(mktemp -d /tmp/ppsnap.XXXXXX)
chmod 755 "$D"
trap 'lab_cleanup; rm -rf "$D"' EXIT

# An unprivileged user that can read the snapshots and run the binary.
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
"${NOBODY[@]}" true 2>/dev/null || NOBODY=(runuser -u nobody --)

# verdict JSON: "status station cause" of the verdict.
verdict() { jq -r '"\(.verdict.status) \(.verdict.station // "null") \(.verdict.cause)"' <<<"$1" 2>/dev/null; }

lab_three
C=$(ns cli)
nsrun cli ip route add blackhole 203.0.113.16/28
nsrun cli ip route add unreachable 203.0.113.32/28
nsrun cli ip -6 route add prohibit 2001:db8:2:1::/64
nsrun cli ip route add default via 198.51.100.1 table 100
nsrun cli ip rule add pref 100 to 203.0.113.48/28 lookup 100
nsrun cli ip route add blackhole default table 200
nsrun cli ip rule add pref 200 fwmark 0x2a lookup 200
nsrun cli ip route add throw 203.0.113.0/26 table 300
nsrun cli ip rule add pref 150 lookup 300
nsrun cli nft -f - <<'EOF'
table inet snap {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp dport 8443 counter drop
		ip6 daddr 2001:db8:2::3 tcp dport 22 reject
	}
}
EOF

# Each query: live with --save into its own snapshot; the live verdict kept.
Q=(
	"203.0.113.2:443"
	"203.0.113.2:8443"
	"203.0.113.17:443"
	"203.0.113.33"
	"[2001:db8:2::2]:443"
	"[2001:db8:2:1::5]:443"
	"--mark 42 203.0.113.2:443"
	"203.0.113.50:443"
	"[2001:db8:2::3]:22"
	"--proto udp 203.0.113.2:53"
	"--follow 203.0.113.2:443"
	"--round-trip --from 198.51.100.2 203.0.113.2"
)
declare -a LIVE
i=0
for q in "${Q[@]}"; do
	# shellcheck disable=SC2086
	run_json out "$PC" -j -N "$C" --save "$D/q$i.snap" $q
	LIVE[$i]="$(verdict "$out") $RC"
	if [ -s "$D/q$i.snap" ]; then t_ok "save '$q': live verdict ${LIVE[$i]}, snapshot written"
	else t_fail "save '$q': no snapshot written ($ERR)"; fi
	i=$((i + 1))
done
# Truth for two of them, from real traffic in the same lab.
if nsrun cli ping -c1 -W1 203.0.113.17 >/dev/null 2>&1; then t_fail "truth: 203.0.113.17 is blackholed"
else t_ok "truth: 203.0.113.17 is blackholed"; fi
if nsrun cli ping -c1 -W2 203.0.113.2 >/dev/null 2>&1; then t_ok "truth: 203.0.113.2 answers"
else t_fail "truth: 203.0.113.2 answers"; fi
# -f with threads: every target of the file in one snapshot.
printf '%s\n' 203.0.113.2:443 203.0.113.2:8443 203.0.113.17:443 "[2001:db8:2::2]:443" 203.0.113.33 >"$D/targets"
chmod 644 "$D/targets"
run_json out "$PC" -j -N "$C" --parallel 4 --save "$D/f.snap" -f "$D/targets"
LIVE_F=$(jq -c '[.results[] | [.target, .verdict.status, (.verdict.station // "null"), .verdict.cause]]' <<<"$out")
LIVE_F_RC=$RC
expect_jq "-f live: five targets" "$out" '.results | length' 5
# A name, resolved in the namespace (its /etc/hosts: no DNS asked).
run_json live "$PC" -j -N "$C" --save "$D/name.snap" localhost:22
expect_jq "a name, live: resolved" "$live" '.query.dst' 127.0.0.1
expect_rc "a name, live: nothing listens on 22" 1
lab_cleanup
expect_jq "lab gone" "$(ip netns list | grep -c "^$LAB-" || true)" '.' 0
chmod 644 "$D"/*.snap

# Offline, as nobody: each query against its own snapshot, with the userspace FIB off
# (PKTPATH_SNAPSHOT_NO_FIB): what the live run asked must all be in it.
i=0
for q in "${Q[@]}"; do
	# shellcheck disable=SC2086
	run_json out "${NOBODY[@]}" env PKTPATH_SNAPSHOT_NO_FIB=1 "$PC" -j --snapshot "$D/q$i.snap" $q
	got="$(verdict "$out") $RC"
	if [ "$got" = "${LIVE[$i]}" ]; then t_ok "offline '$q' as nobody: $got"
	else t_fail "offline '$q' as nobody: $got, live ${LIVE[$i]} ($ERR)"; fi
	i=$((i + 1))
done
run_json out "${NOBODY[@]}" env PKTPATH_SNAPSHOT_NO_FIB=1 "$PC" -j --parallel 4 --snapshot "$D/f.snap" -f "$D/targets"
got=$(jq -c '[.results[] | [.target, .verdict.status, (.verdict.station // "null"), .verdict.cause]]' <<<"$out")
if [ "$got $RC" = "$LIVE_F $LIVE_F_RC" ]; then t_ok "offline -f --parallel 4: the same five verdicts"
else t_fail "offline -f --parallel 4: $got $RC, live $LIVE_F $LIVE_F_RC"; fi
# The same namespace by name (-N) as the snapshot knows it; another name is bad input.
run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/q0.snap" -N "$C" 203.0.113.2:443
if [ "$(verdict "$out") $RC" = "${LIVE[0]}" ]; then t_ok "offline -N $C"; else t_fail "offline -N $C: $(verdict "$out") $RC"; fi
run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/q0.snap" -N nosuchns 203.0.113.2:443
expect_rc "offline -N of a namespace the snapshot does not hold" 2

# Destinations the first snapshot never asked: the userspace FIB, equal to live.
i=0
for q in "${Q[@]}"; do
	# A walk into other namespaces needs them recorded: not asked of the first snapshot.
	if [ "$i" -eq 0 ] || [[ $q == --follow* || $q == --round-trip* ]]; then i=$((i + 1)); continue; fi
	# shellcheck disable=SC2086
	run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/q0.snap" $q
	got="$(verdict "$out") $RC"
	if [ "$got" = "${LIVE[$i]}" ]; then t_ok "unasked '$q' from the snapshot of 203.0.113.2:443: $got"
	else t_fail "unasked '$q' from the snapshot of 203.0.113.2:443: $got, live ${LIVE[$i]} ($(jq -c '[.stations[] | select(.status=="unknown") | .summary]' <<<"$out" 2>/dev/null))"; fi
	i=$((i + 1))
done
# What the FIB does not model is unknown and names itself, never a guess.
run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/q0.snap" --oif c0 203.0.113.9:443
expect_rc "unasked --oif: could not tell" 3
expect_jq "unasked --oif: the route station says why" "$out" \
	'.stations[] | select(.station=="route") | .summary | test("snapshot holds no answer for RTM_GETROUTE to 203.0.113.9")' true

# Usage errors, listing, bad files.
run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/q0.snap" --probe 203.0.113.2:443
expect_rc "--snapshot with --probe is a usage error" 2
run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/q0.snap" --list
expect_rc "--list" 0
expect_jq "--list names the routes piece of the namespace" "$out" "[.pieces[].name] | index(\"$C/routes\") != null" true
expect_jq "--list: the header" "$out" '[.format_version, (.kernel | length > 0), (.host | length > 0)] | map(tostring) | join(" ")' "1 true true"
head -c 200 "$D/q0.snap" >"$D/cut.snap"
run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/cut.snap" 203.0.113.2:443
expect_rc "a truncated snapshot is refused" 2
if grep -q "cut.snap: piece" <<<"$ERR"; then t_ok "the error names the file and the piece: $ERR"
else t_fail "the error names the file and the piece: $ERR"; fi
run_json out "${NOBODY[@]}" "$PC" -j --snapshot /etc/hostname 203.0.113.2:443
expect_rc "not a snapshot" 2

# A name is resolved as the snapshot's host resolved it, never by this machine's resolver.
run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/name.snap" localhost:22
expect_jq "a name from the snapshot: the address the host resolved" "$out" '.query.dst' "$(jq -r .query.dst <<<"$live")"
expect_jq "a name from the snapshot: the same verdict" "$out" '.verdict | "\(.status) \(.cause)"' "$(jq -r '.verdict | "\(.status) \(.cause)"' <<<"$live")"
run_json out "${NOBODY[@]}" "$PC" -j --snapshot "$D/name.snap" ip6-localhost:22
expect_rc "a name the snapshot never resolved: could not tell" 3
if grep -q "snapshot holds no resolution" <<<"$out$ERR"; then t_ok "a name never resolved: says so"
else t_fail "a name never resolved: $(jq -c .verdict <<<"$out") $ERR"; fi
t_done
