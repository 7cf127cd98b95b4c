# pathcheck.sh: assertions for the pathcheck scenarios. Source after lab.sh.

PC="$BIN/pathcheck"

# check NAME STATION/CAUSE STATUS EXIT ARGS...: run pathcheck -j ARGS; the verdict names
# STATION (null: none) with STATUS and CAUSE (verdict.cause, a name from pathcheck(8)
# CAUSES), and pathcheck exits EXIT. The JSON stays in LAST.
#   check "no listener" socket/NO_LISTENER fail 1 -N "$S" --from ... 203.0.113.2:8090
#   check "healthy" null/NONE ok 0 -N "$C" 203.0.113.2:443
# The cause is not optional: a STATION without "/CAUSE" is a failed test, and
# tests/static/pathcheck_causes.sh fails for a check in tests/scenarios/pathcheck_*.sh
# written without one.
# PC_TRIES=N check ...: for a kernel state that cycles (a neighbour entry going FAILED,
# INCOMPLETE again with the next packet), run pathcheck up to N times, 0.25 s apart,
# until the verdict is the one asserted; the last run is asserted, and the tries said.
#
# PKTPATH_SNAPSHOT_TWICE=1 (tests/run.sh sets it for make check): every check also saves
# a snapshot of what its run asked (--save), asks the snapshot again offline (--snapshot,
# as nobody when root), and asserts the answer (PC_SNAP_KEY) and the exit are the same
# (with --follow, the namespaces it walked into are in the snapshot too). Checks that send
# or watch packets are asked once.
# What must be equal: the whole verdict, and every station's status and cause, of every hop
# (--follow) and of every target (-f).
PC_SNAP_KEY='def st: [.stations[]? | {station, status, cause}];
	{verdict, stations: st, hops: [.hops[]? | {netns, verdict, stations: st}],
	 summary: (if .results then .summary else null end), results: [.results[]? | {target, verdict, stations: st}]}'
pc_snap_args_ok() {
	local a
	for a in "$@"; do
		case $a in --probe|--watch|--trace|-c|--count|--save|--snapshot|--prom|--prom-file|--nagios|--diff|--replay) return 1 ;; esac
	done
	return 0
}

# pc_snap_same NAME LIVE_JSON LIVE_RC SNAPFILE ARGS...: ask SNAPFILE what the live run was
# asked (ARGS without --save; -j added), as nobody when root, and assert the same answer.
pc_snap_same() {
	local name=$1 lout=$2 lrc=$3 snap=$4 live got sout src serr; shift 4
	local -a as=()
	live="$(jq -cS "$PC_SNAP_KEY" <<<"$lout" 2>/dev/null) $lrc"
	[ "$(id -u)" -eq 0 ] && as=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
	sout=$("${as[@]}" "$PC" -j --snapshot "$snap" "$@" 2>/tmp/ppsnap.err.$$)
	src=$?
	serr=$(head -c 300 /tmp/ppsnap.err.$$); rm -f /tmp/ppsnap.err.$$ "$snap"
	got="$(jq -cS "$PC_SNAP_KEY" <<<"$sout" 2>/dev/null) $src"
	if [ "$got" = "$live" ]; then
		t_ok "$name: the same verdict from its snapshot ($(jq -r 'if .results then "\(.summary)" else "\(.verdict.status) \(.verdict.station // "null") \(.verdict.cause)" end' <<<"$sout" 2>/dev/null) $src)"
	else
		t_fail "$name: from its snapshot $got, live $live ${serr:+($serr)}$(jq -c '[.stations[]? | select(.status=="unknown") | .summary]' <<<"$sout" 2>/dev/null)"
	fi
}

# pc_run VAR NAME ARGS...: run_json VAR "$PC" -j ARGS, and with PKTPATH_SNAPSHOT_TWICE the
# same question asked of its snapshot (pc_snap_same), with PKTPATH_REPLAY_TWICE replayed
# (pc_replay_check). For the checks that assert more than check() does (a -f run, an
# exact field).
pc_run() {
	local var=$1 name=$2 snap="" prc; shift 2
	if [ -n "${PKTPATH_SNAPSHOT_TWICE:-}" ] && pc_snap_args_ok "$@"; then
		snap=$(mktemp /tmp/ppsnap.XXXXXX)
		run_json "$var" "$PC" -j --save "$snap" "$@"
		prc=$RC
		[ -n "${PKTPATH_REPLAY_TWICE:-}" ] && pc_replay_check "$name" --snap "$snap" "$@"
		pc_snap_same "$name" "${!var}" "$RC" "$snap" "$@"
		RC=$prc
	else
		run_json "$var" "$PC" -j "$@"
		prc=$RC
		[ -n "${PKTPATH_REPLAY_TWICE:-}" ] && pc_snap_args_ok "$@" && pc_replay_check "$name" "$@"
		RC=$prc
	fi
}

# PKTPATH_REPLAY_TWICE=1: every check that sends nothing and walks one namespace is also
# saved (--save) and replayed (--replay): the kernel, in the snapshot's state restored,
# must not disagree with the verdict. A state the replay does not restore is a skip that
# names it, never a pass. With PKTPATH_SNAPSHOT_TWICE too, the check's own snapshot is
# replayed (no second live run). PKTPATH_REPLAY_TIMEOUT: the replay's --timeout (how
# long it waits before calling a packet dropped; default pathcheck's, 2 s).
# PKTPATH_REPLAY_TIMES=FILE: each replay's seconds and name appended there.
# PKTPATH_REPLAY_DUMP=DIR: the JSON of each disagreeing replay kept there.
# pc_replay_check NAME [--snap FILE] ARGS...
pc_replay_check() {
	local name=$1 a rs="" keep="" rout rrc t0=$EPOCHREALTIME; shift
	if [ "${1:-}" = --snap ]; then rs=$2 keep=1; shift 2; fi
	for a in "$@"; do
		case $a in --follow|--reply|--round-trip|--ct-state|--uid|--netns-pid) return 0 ;; esac
	done
	if [ -z "$rs" ]; then
		rs=$(mktemp /tmp/pprp.XXXXXX)
		"$PC" -j --save "$rs" "$@" >/dev/null 2>&1
	fi
	rout=$("$PC" -j --replay "$rs" "$@" ${PKTPATH_REPLAY_TIMEOUT:+--timeout "$PKTPATH_REPLAY_TIMEOUT"} 2>/dev/null)
	rrc=$?
	# PKTPATH_REPLAY_DUMP=DIR: a disagreement's replay JSON kept there, to see why.
	if [ -n "${PKTPATH_REPLAY_DUMP:-}" ] && grep -q '"agree": *false' <<<"$rout"; then
		mkdir -p "$PKTPATH_REPLAY_DUMP" && printf '%s\n' "$rout" >"$PKTPATH_REPLAY_DUMP/$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_').json"
	fi
	[ -n "$keep" ] || rm -f "$rs"
	# One line per target: a -f run's each, else the one.
	while IFS= read -r one; do
		local who=$name t
		t=$(jq -r '.t // empty' <<<"$one")
		[ -n "$t" ] && who="$name: $t"
		case $(jq -r '.r.agree | tostring' <<<"$one") in
		true) t_ok "$who: the replayed kernel agrees ($(jq -r '.r.kernel.outcome' <<<"$one"))" ;;
		false) t_fail "$who: the replayed kernel disagrees: $(jq -r '.r.reason' <<<"$one") (exit $rrc)" ;;
		*) t_skip "$who: replay" "$(jq -r '.r.reason // "no replay object"' <<<"$one" | head -c 200)" ;;
		esac
	done < <(jq -c 'if .results then .results[] | {t: .target, r: .replay} else {t: null, r: .replay} end' <<<"$rout" 2>/dev/null)
	[ -n "$rout" ] || t_skip "$name: replay" "pathcheck --replay printed nothing (exit $rrc)"
	[ -z "${PKTPATH_REPLAY_TIMES:-}" ] ||
		echo "$(bc <<<"${EPOCHREALTIME/,/.} - ${t0/,/.}") $(basename "$0" .sh): $name" >>"$PKTPATH_REPLAY_TIMES"
}

check() {
	local name=$1 a rs rout rrc; shift
	for a in "$@"; do
		case $a in --follow|--reply|--round-trip|--ct-state|--uid|--netns-pid) return 0 ;; esac
	done
	rs=$(mktemp /tmp/pprp.XXXXXX)
	"$PC" -j --save "$rs" "$@" >/dev/null 2>&1
	rout=$("$PC" -j --replay "$rs" "$@" 2>/dev/null)
	rrc=$?
	rm -f "$rs"
	case $(jq -r '.replay.agree | tostring' <<<"$rout" 2>/dev/null) in
	true) t_ok "$name: the replayed kernel agrees ($(jq -r '.replay.kernel.outcome' <<<"$rout"))" ;;
	false) t_fail "$name: the replayed kernel disagrees: $(jq -r '.replay.reason' <<<"$rout") (exit $rrc)" ;;
	*) t_skip "$name: replay" "$(jq -r '.replay.reason // "no replay object"' <<<"$rout" 2>/dev/null | head -c 200)" ;;
	esac
}

check() {
	local name=$1 sc=$2 station=${2%%/*} cause=${2#*/} status=$3 want=$4 out try=1 snap=""; shift 4
	if [[ $sc != */* ]] || [ -z "$station" ] || [ -z "$cause" ]; then
		t_fail "$name: the check names no cause (write STATION/CAUSE, e.g. socket/NO_LISTENER or null/NONE)"
		return 1
	fi
	if [ -n "${PKTPATH_SNAPSHOT_TWICE:-}" ] && pc_snap_args_ok "$@"; then
		snap=$(mktemp /tmp/ppsnap.XXXXXX)
		set -- --save "$snap" "$@"
	fi
	run_json out "$PC" -j "$@"
	while [ "$try" -lt "${PC_TRIES:-1}" ] &&
	      [ "$(jq -r '"\(.verdict.station // "null") \(.verdict.status) \(.verdict.cause)"' <<<"$out" 2>/dev/null) $RC" != \
		"$station $status $cause $want" ]; do
		sleep 0.25
		try=$((try + 1))
		run_json out "$PC" -j "$@"
	done
	if [ -n "$snap" ]; then
		local lrc=$RC
		shift 2
		[ -n "${PKTPATH_REPLAY_TWICE:-}" ] && pc_replay_check "$name" --snap "$snap" "$@"
		pc_snap_same "$name" "$out" "$RC" "$snap" "$@"
		RC=$lrc
	elif [ -n "${PKTPATH_REPLAY_TWICE:-}" ] && pc_snap_args_ok "$@"; then
		pc_replay_check "$name" "$@"
	fi
	[ "${PC_TRIES:-1}" -gt 1 ] && echo "# $name: $try of ${PC_TRIES} runs"
	expect_jq "$name: verdict station" "$out" '.verdict.station // "null"' "$station" &&
	expect_jq "$name: verdict status" "$out" '.verdict.status' "$status" &&
	expect_jq "$name: verdict cause" "$out" '.verdict.cause' "$cause"
	expect_rc "$name" "$want"
	LAST=$out
	pc_json_dump "$name" "$out"
}

# pc_json_dump NAME JSON: with PKTPATH_JSON_DUMP=DIR set, keep JSON in
# DIR/<scenario>.<name>.json (name made file-safe; a repeated name gets .2, .3, ...),
# so tests/tools/json_diff.sh can compare two builds' output.
pc_json_dump() {
	[ -n "${PKTPATH_JSON_DUMP:-}" ] || return 0
	local scen safe f n=1
	scen=$(basename "$0" .sh)
	safe=$(printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_')
	mkdir -p "$PKTPATH_JSON_DUMP" || return 0
	f="$PKTPATH_JSON_DUMP/$scen.$safe.json"
	while [ -e "$f" ]; do n=$((n + 1)); f="$PKTPATH_JSON_DUMP/$scen.$safe.$n.json"; done
	printf '%s\n' "$2" >"$f"
}

# expect_ev NAME STATION JQ WANT: in the last check's JSON, JQ applied to station STATION gives WANT.
expect_ev() { expect_jq "$1" "$LAST" ".stations[] | select(.station==\"$2\") | $3" "$4"; }
