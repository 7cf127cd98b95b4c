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
}

# expect_ev NAME STATION JQ WANT: in the last check's JSON, JQ applied to station STATION gives WANT.
expect_ev() { expect_jq "$1" "$LAST" ".stations[] | select(.station==\"$2\") | $3" "$4"; }
