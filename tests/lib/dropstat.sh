# dropstat.sh: helpers for dropstat's scenario tests. Source after lab.sh.
#
# skb:kfree_skb is global: other tests' drops on the same host show up too, as
# "not attributable" or under other reasons. Assertions are on the reason and
# station the lab's own traffic must produce, with counts at least the truth
# (the packets sent that the lab makes the kernel drop).
DS=$BIN/dropstat

# ds_lab: namespaces a and b, a0 198.51.100.1/26 -- b0 198.51.100.2/26.
ds_lab() {
	lab_ns a b || exit 1
	lab_veth a a0 b b0 || exit 1
	nsrun a ip addr add 198.51.100.1/26 dev a0
	nsrun b ip addr add 198.51.100.2/26 dev b0
}

# ds_watch VAR SEC ROLE CMD...: dropstat -N ROLE -j over one interval of SEC
# seconds while CMD runs (started once dropstat has opened the tracepoint).
# Exit code in RC, stderr in ERR.
ds_watch() {
	local __v=$1 sec=$2 role=$3 tmp err p; shift 3
	tmp=$(mktemp); err=$(mktemp)
	"$DS" -N "$(ns "$role")" -j -i "$sec" -c 1 >"$tmp" 2>"$err" & p=$!
	sleep 0.5
	"$@"
	wait "$p"; RC=$?
	printf -v "$__v" '%s' "$(cat "$tmp")"
	ERR=$(cat "$err"); rm -f "$tmp" "$err"
}

# ds_count JSON REASON STATION [FIELD]: drops of that reason at that station in the
# interval (FIELD: here, not_attributable, other_netns; default here + not_attributable).
ds_count() {
	local f=${4:-}
	if [ -n "$f" ]; then
		jq -r --arg r "$2" --arg s "$3" "[.drops[] | select(.reason==\$r and .station==\$s) | .$f] | add // 0" <<<"$1"
	else
		jq -r --arg r "$2" --arg s "$3" '[.drops[] | select(.reason==$r and .station==$s) | .here + .not_attributable] | add // 0' <<<"$1"
	fi
}

# expect_ge NAME GOT MIN [JSON]: GOT >= MIN.
expect_ge() {
	if [ -n "$2" ] && [ "$2" -ge "$3" ] 2>/dev/null; then t_ok "$1 ($2 >= $3)"; else
		t_fail "$1: $2, expected at least $3"
		[ -n "${4:-}" ] && printf '%s\n' "$4" | jq -c '.tracepoint, .drops' 2>/dev/null | head -20 | sed 's/^/# /'
		[ -n "${ERR:-}" ] && printf '%s\n' "$ERR" | head -5 | sed 's/^/# stderr: /'
	fi
}
