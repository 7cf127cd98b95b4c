#!/bin/bash
# contrib/systemd: a service and a timer per exporting tool, well-formed
# (systemd-analyze verify against a scratch root holding what `make install`
# puts there), hardened (systemd-analyze security), and sufficient: each
# service's ExecStart, run with no capability but its CapabilityBoundingSet,
# in a lab namespace, writes a successful export.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh

UNITS=contrib/systemd
TOOLS="pathcheck neighwatch ctdump qdiscstat nicstat pmtuprobe"
TMP=$(mktemp -d /tmp/pp-units.XXXXXX)
trap 'rm -rf "$TMP"; lab_cleanup' EXIT
trap 'rm -rf "$TMP"; lab_cleanup; exit 130' INT TERM

# key UNIT KEY: the last value of KEY in UNIT (systemd: the last one wins for
# single-valued keys; an empty assignment resets).
key() { sed -n "s/^$2=//p" "$1" | tail -1; }

for t in $TOOLS; do
	for u in "pktpath-$t.service" "pktpath-$t.timer"; do
		if [ -f "$UNITS/$u" ]; then t_ok "$u exists"; else t_fail "$u missing"; fi
	done
done

# Every line a section header, a comment, blank, or Key=value; no key twice in
# a section unless systemd takes it as a list.
for f in "$UNITS"/*.service "$UNITS"/*.timer; do
	bad=$(awk '
		/^[[:space:]]*(#|;|$)/ { next }
		/^\[[A-Za-z]+\]$/ { sec = $0; delete seen; next }
		/^[A-Z][A-Za-z0-9]*=/ {
			k = substr($0, 1, index($0, "=") - 1)
			if (seen[k]++ && k !~ /^(SystemCallFilter|ReadWritePaths|ExecStart|ExecStartPre|Environment|EnvironmentFile|After|Wants|Documentation|Condition.*)$/)
				print NR ": " k " twice in " sec
			next
		}
		{ print NR ": " $0 }' "$f")
	if [ -z "$bad" ]; then t_ok "$(basename "$f"): every line well-formed"
	else t_fail "$(basename "$f"): malformed"; printf '%s\n' "$bad" | head -5 | sed 's/^/# /'; fi
done

# What each tool needs, and nothing more.
declare -A CAPS=([pathcheck]="CAP_NET_ADMIN" [neighwatch]="" [ctdump]="CAP_NET_ADMIN"
	[qdiscstat]="" [nicstat]="" [pmtuprobe]="CAP_NET_RAW CAP_NET_ADMIN")
for t in $TOOLS; do
	s=$UNITS/pktpath-$t.service
	[ -f "$s" ] || continue
	want="Type=oneshot NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes
		ProtectKernelTunables=yes ProtectControlGroups=yes SystemCallArchitectures=native
		MemoryDenyWriteExecute=yes LockPersonality=yes RestrictRealtime=yes RestrictNamespaces=yes
		ReadWritePaths=/var/lib/prometheus/node-exporter"
	missing=""
	for kv in $want; do grep -qxF "$kv" "$s" || missing="$missing $kv"; done
	[ -z "$missing" ] && t_ok "$t: hardening keys present" || t_fail "$t: lacks$missing"
	[ "$(key "$s" CapabilityBoundingSet)" = "${CAPS[$t]}" ] &&
	[ "$(key "$s" AmbientCapabilities)" = "${CAPS[$t]}" ] &&
		t_ok "$t: capabilities '${CAPS[$t]}'" ||
		t_fail "$t: CapabilityBoundingSet '$(key "$s" CapabilityBoundingSet)', AmbientCapabilities '$(key "$s" AmbientCapabilities)', expected '${CAPS[$t]}'"
	fam=$(key "$s" RestrictAddressFamilies)
	wantfam="AF_NETLINK AF_INET AF_INET6 AF_UNIX"; [ "$t" = pmtuprobe ] && wantfam="$wantfam AF_PACKET"
	[ "$fam" = "$wantfam" ] && t_ok "$t: address families $fam" || t_fail "$t: RestrictAddressFamilies '$fam', expected '$wantfam'"
	ex=$(key "$s" ExecStart)
	case $ex in
	"$t "*"--prom-file /var/lib/prometheus/node-exporter/pktpath_$t.prom"*) t_ok "$t: ExecStart writes pktpath_$t.prom" ;;
	*) t_fail "$t: ExecStart '$ex'" ;;
	esac
	[ -f "man/man8/$t.8" ] && grep -qxF "Documentation=man:$t(8)" "$s" && t_ok "$t: documented by man/man8/$t.8" ||
		t_fail "$t: Documentation=man:$t(8) and man/man8/$t.8"
	tm=$UNITS/pktpath-$t.timer
	[ -f "$tm" ] || continue
	cal=$(key "$tm" OnCalendar)
	if [ -n "$cal" ] && grep -qx 'Persistent=true' "$tm" &&
	   [ -n "$(key "$tm" RandomizedDelaySec)" ] && grep -qx 'WantedBy=timers.target' "$tm"; then
		t_ok "$t: timer OnCalendar=$cal, RandomizedDelaySec, Persistent, timers.target"
	else
		t_fail "$t: timer OnCalendar '$cal' Persistent/RandomizedDelaySec/WantedBy"
	fi
	if ! command -v systemd-analyze >/dev/null; then
		t_skip "$t: OnCalendar=$cal parses" "no systemd-analyze (a system without systemd)"
	elif systemd-analyze calendar "$cal" >/dev/null 2>&1; then
		t_ok "$t: OnCalendar=$cal parses"
	else
		t_fail "$t: OnCalendar=$cal does not parse"
	fi
done

# make install puts the units where systemd finds them.
if make -n install DESTDIR=/nonexistent PREFIX=/usr/local 2>/dev/null | grep -q 'contrib/systemd/\*\.service contrib/systemd/\*\.timer'; then
	t_ok "make install installs contrib/systemd/*.service and *.timer"
else
	t_fail "make install does not install the units"
fi

# ---- systemd-analyze verify and security against a scratch root ----
if ! command -v systemd-analyze >/dev/null; then
	t_skip "systemd-analyze verify" "no systemd-analyze"
else
	R=$TMP/root
	mkdir -p "$R/usr/local/sbin" "$R/usr/local/lib/systemd/system" "$R/lib/systemd"
	# The units depend on the targets of the distribution (sysinit.target, ...).
	cp -a /lib/systemd/system "$R/lib/systemd/"
	for t in $TOOLS; do [ -x "$BIN/$t" ] && cp "$BIN/$t" "$R/usr/local/sbin/"; done
	cp "$UNITS"/*.service "$UNITS"/*.timer "$R/usr/local/lib/systemd/system/"
	# A template is verified as itself and as an instance. (An instance name with
	# escapes, as systemd-escape makes for IPv6, makes verify look for a file of
	# that name; the ExecStart run below covers such an instance.)
	INST=203.0.113.2
	(cd "$R/usr/local/lib/systemd/system" &&
	 systemd-analyze verify --root="$R" --man=no pktpath-*.service pktpath-*.timer \
		"pktpath-pmtuprobe@$INST.service" "pktpath-pmtuprobe@$INST.timer") >"$TMP/verify" 2>&1
	rc=$?
	if [ "$rc" = 0 ] && [ ! -s "$TMP/verify" ]; then
		t_ok "systemd-analyze verify: $(ls "$UNITS"/*.service "$UNITS"/*.timer | wc -l) units, no complaint"
	else
		t_fail "systemd-analyze verify (exit $rc)"; sed 's/^/# /' "$TMP/verify" | head -10
	fi
	for t in $TOOLS "pmtuprobe@$INST"; do
		out=$(cd "$R/usr/local/lib/systemd/system" &&
		      systemd-analyze security --offline=true --root="$R" "pktpath-$t.service" 2>&1 | tail -1)
		lvl=$(grep -oE 'level for [^:]+: [0-9.]+' <<<"$out" | awk '{print $NF}')
		if [ -n "$lvl" ] && python3 -c "import sys; sys.exit(not float('$lvl') <= 3.0)"; then
			t_ok "$t: systemd-analyze security exposure $lvl (OK)"
		elif [ -z "$lvl" ] && [[ $out == *"offline"* || $out == *"nrecognized"* ]]; then
			t_skip "$t: systemd-analyze security" "no --offline here"
		else
			t_fail "$t: systemd-analyze security: $out"
		fi
	done
fi

# ---- each ExecStart, with only the unit's capabilities, in a lab namespace ----
if ! command -v setpriv >/dev/null; then
	t_skip "units' ExecStart with their capabilities" "no setpriv"
	t_done; exit
fi
lab_three || { t_fail "lab"; t_done; exit; }
nsrun cli ping -c1 -W1 203.0.113.2 >/dev/null 2>&1
OUT=$TMP/textfile
mkdir -p "$OUT"
printf 'PMTUPROBE_DEST=203.0.113.2\nPMTUPROBE_OPTS=\n' >"$TMP/pmtuprobe.conf"
for t in $TOOLS; do
	s=$UNITS/pktpath-$t.service
	[ -f "$s" ] || continue
	ex=$(key "$s" ExecStart)
	if [ "$t" = pathcheck ] && ! "$BIN/pathcheck" --help 2>&1 | grep -qE -- '(^|[[:space:]])-f[,[:space:]]'; then
		t_skip "pktpath-pathcheck.service ExecStart" "this pathcheck has no -f yet"
		continue
	fi
	bset=-all
	for c in $(key "$s" CapabilityBoundingSet); do
		c=${c#CAP_}; bset="$bset,+${c,,}"
	done
	# The unit's command line, with the lab's files for /etc and the textfile directory.
	ex=${ex//\/var\/lib\/prometheus\/node-exporter/$OUT}
	ex=${ex//\/etc\/pktpath\/targets/$PWD/$UNITS/targets.example}
	ex=${ex//\$PMTUPROBE_OPTS/}
	ex=${ex//\$PMTUPROBE_DEST/203.0.113.2}
	# shellcheck disable=SC2086
	nsrun cli setpriv --bounding-set="$bset" --inh-caps=-all --no-new-privs \
		sh -c 'umask 0022; exec "$@"' sh "$BIN/${ex%% *}" ${ex#* } >"$TMP/out" 2>"$TMP/err"
	rc=$?
	f=$OUT/pktpath_$t.prom
	succ=$(sed -n "s/^pktpath_${t}_run_success\({[^}]*}\)\{0,1\} //p" "$f" 2>/dev/null)
	if [ "$rc" -le 1 ] && [ "$succ" = 1 ]; then
		t_ok "pktpath-$t.service ExecStart with '$bset': exit $rc, run_success 1"
	else
		t_fail "pktpath-$t.service ExecStart with '$bset': exit $rc, run_success '$succ'"
		sed 's/^/# stderr: /' "$TMP/err" | head -5
	fi
	[ "$(stat -c %a "$f" 2>/dev/null)" = 644 ] && t_ok "pktpath_$t.prom is world-readable (0644) for node_exporter" ||
		t_fail "pktpath_$t.prom mode $(stat -c %a "$f" 2>/dev/null)"
	# With the capabilities the unit grants, nothing is reported as lacking one.
	if grep -q 'needs CAP_' "$TMP/err" "$f" "$TMP/out" 2>/dev/null; then
		t_fail "$t: something still needs a capability"; grep -h 'needs CAP_' "$TMP/err" "$TMP/out" | head -3 | sed 's/^/# /'
	else
		t_ok "$t: no check lacks a capability"
	fi
done
# The template: one instance per destination, each in a file of its own, the
# two exports side by side without a shared series.
s=$UNITS/pktpath-pmtuprobe@.service
if [ "$(key "$s" CapabilityBoundingSet)" = "${CAPS[pmtuprobe]}" ] && [ "$(key "$s" AmbientCapabilities)" = "${CAPS[pmtuprobe]}" ] &&
   diff <(grep -E '^(Protect|Restrict|SystemCall|Private|NoNew|Memory|Lock|Capability|Ambient|ReadWrite)' "$s") \
	<(grep -E '^(Protect|Restrict|SystemCall|Private|NoNew|Memory|Lock|Capability|Ambient|ReadWrite)' "$UNITS/pktpath-pmtuprobe.service") >/dev/null; then
	t_ok "pktpath-pmtuprobe@.service: the same capabilities and hardening as pktpath-pmtuprobe.service"
else
	t_fail "pktpath-pmtuprobe@.service differs from pktpath-pmtuprobe.service in capabilities or hardening"
fi
for dest in 203.0.113.2 '[2001:db8:2::2]:443'; do
	inst=$(systemd-escape "$dest")
	ex=$(key "$s" ExecStart)
	ex=${ex//\/var\/lib\/prometheus\/node-exporter/$OUT}
	ex=${ex//\$PMTUPROBE_OPTS/}
	ex=${ex//%i/$dest}	# systemd reads the escapes of %i back in ExecStart: the file is named by the destination
	ex=${ex//%I/$dest}
	# shellcheck disable=SC2086
	nsrun cli setpriv --bounding-set=-all,+net_raw,+net_admin --inh-caps=-all --no-new-privs \
		sh -c 'umask 0022; exec "$@"' sh "$BIN/${ex%% *}" ${ex#* } >"$TMP/out" 2>"$TMP/err"
	rc=$?
	f="$OUT/pktpath_pmtuprobe_$dest.prom"
	addr=${dest%:443}; addr=${addr#[}; addr=${addr%]}
	succ=$(sed -n "s/^pktpath_pmtuprobe_run_success{[^}]*dst=\"$addr\"[^}]*} //p" "$f" 2>/dev/null)
	if [ "$rc" -le 1 ] && [ "$succ" = 1 ]; then
		t_ok "pktpath-pmtuprobe@$inst.service: exit $rc, run_success{dst=\"$addr\"} 1 in its own file"
	else
		t_fail "pktpath-pmtuprobe@$inst.service: exit $rc, run_success '$succ'"
		sed 's/^/# stderr: /' "$TMP/err" | head -5
	fi
done
shared=$(cat "$OUT/pktpath_pmtuprobe_203.0.113.2.prom" | grep -v '^#' | sed 's/ [^ ]*$//' | sort |
	comm -12 - <(grep -v '^#' "$OUT/pktpath_pmtuprobe_[2001:db8:2::2]:443.prom" | sed 's/ [^ ]*$//' | sort))
[ -z "$shared" ] && t_ok "the two instances' exports share no series" ||
	{ t_fail "the two instances' exports share series"; printf '%s\n' "$shared" | head -3 | sed 's/^/# /'; }

if [ -f "$OUT/pktpath_pathcheck.prom" ]; then
	n=$(grep -c '^pktpath_pathcheck_path_ok{' "$OUT/pktpath_pathcheck.prom")
	want=$(grep -cvE '^[[:space:]]*(#|$)' "$UNITS/targets.example")
	[ "$n" = "$want" ] && t_ok "targets.example: $n targets, each exported" ||
		t_fail "targets.example: $want targets, $n path_ok series"
	bad=$(grep '^pktpath_pathcheck_path_ok{' "$OUT/pktpath_pathcheck.prom" | grep -v ' 1$')
	[ -z "$bad" ] && t_ok "targets.example: every target's path is ok in the lab" ||
		{ t_fail "targets.example: a path is not ok"; printf '%s\n' "$bad" | sed 's/^/# /'; }
fi

t_done
