# pathcheck.sh: assertions for the pathcheck scenarios. Source after lab.sh.

PC="$BIN/pathcheck"

# check NAME STATION STATUS EXIT ARGS...: run pathcheck -j ARGS; the verdict names
# STATION (null: none) with STATUS, and pathcheck exits EXIT. The JSON stays in LAST.
check() {
	local name=$1 station=$2 status=$3 want=$4 out; shift 4
	run_json out "$PC" -j "$@"
	expect_jq "$name: verdict station" "$out" '.verdict.station // "null"' "$station" &&
	expect_jq "$name: verdict status" "$out" '.verdict.status' "$status"
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
