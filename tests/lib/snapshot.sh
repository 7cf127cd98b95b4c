# snapshot.sh: what the station tools' --save/--snapshot scenarios share. Source after
# lab.sh. A run is saved live (as root, in the lab) with its output, exit status and
# stderr kept; after the lab is gone the same command line is asked of the snapshot
# by nobody, and the two must be equal but for the times snap_mask removes.
SNAPD=$(mktemp -d /tmp/ppsnapst.XXXXXX)
chmod 755 "$SNAPD"
trap 'lab_cleanup; rm -rf "$SNAPD"' EXIT
trap 'lab_cleanup; rm -rf "$SNAPD"; exit 130' INT TERM
at() { nsrun "$@"; }

# snap_pair: lab namespaces a and b, a veth a0 -- b0, 198.51.100.1 and .2/26.
snap_pair() {
	lab_ns a b || return 1
	lab_veth a a0 b b0 || return 1
	at a ip addr add 198.51.100.1/26 dev a0
	at b ip addr add 198.51.100.2/26 dev b0
}

# snap_udp_drops N: N datagrams of 1200 bytes from a to b's port 9, what arrived counted
# by b (the truth); passes when some were dropped on the way.
snap_udp_drops() {
	local n=$1 rx got
	at b python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("198.51.100.2", 9)); s.settimeout(2)
n = 0
try:
    while True:
        s.recv(2048); n += 1
except socket.timeout:
    pass
open(sys.argv[1], "w").write("%d\n" % n)' "$SNAPD/received" &
	rx=$!
	sleep 0.3
	at a python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[1])):
    s.sendto(b"x" * 1200, ("198.51.100.2", 9))' "$n"
	wait $rx
	got=$(cat "$SNAPD/received")
	if [ "$got" -lt "$n" ]; then t_ok "real traffic: $got of $n datagrams arrived"
	else t_fail "real traffic: all $n arrived, nothing dropped"; fi
}

# An unprivileged user that can read the snapshots and run the binary.
NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
"${NOBODY[@]}" true 2>/dev/null || NOBODY=(runuser -u nobody --)

# snap_mask: what may differ between the live run and the replay, the run's own time
# (a Prometheus export's last run). Everything else is the saving run's.
snap_mask() { sed -E 's/^(pktpath_[a-z]+_last_run_timestamp_seconds(\{[^}]*\})?) [0-9.e+]+$/\1 T/'; }

# snap_save NAME [--in ROLE] CMD...: run CMD --save $SNAPD/NAME.snap as root (inside the
# lab namespace ROLE with --in: the snapshot's namespace is then "self"); stdout, stderr
# and the exit status kept beside it, with CMD for snap_check (CMD is a program: env,
# the tool; no shell function).
snap_save() {
	local name=$1; shift
	if [ "$1" = --in ]; then
		local role=$2; shift 2
		ip netns exec "$(ns "$role")" "$@" --save "$SNAPD/$name.snap" >"$SNAPD/$name.live" 2>"$SNAPD/$name.err"
	else
		"$@" --save "$SNAPD/$name.snap" >"$SNAPD/$name.live" 2>"$SNAPD/$name.err"
	fi
	echo $? >"$SNAPD/$name.rc"
	printf '%s\n' "$@" >"$SNAPD/$name.cmd"
	chmod 644 "$SNAPD/$name".* 2>/dev/null
}

# snap_live NAME: the saved live output (for assertions on the lab's truth).
snap_live() { cat "$SNAPD/$1.live"; }

# snap_check NAME: the same command line as nobody with --snapshot: stdout (masked),
# stderr and exit status as saved. One TAP line.
snap_check() {
	local name=$1 rc want cmd=() d
	mapfile -t cmd <"$SNAPD/$name.cmd"
	want=$(cat "$SNAPD/$name.rc")
	if [ ! -s "$SNAPD/$name.snap" ]; then
		t_fail "$name: no snapshot written (live exit $want)"; sed 's/^/# stderr: /' "$SNAPD/$name.err"; return 1
	fi
	"${NOBODY[@]}" "${cmd[@]}" --snapshot "$SNAPD/$name.snap" >"$SNAPD/$name.off" 2>"$SNAPD/$name.offerr"
	rc=$?
	d=$(diff <(snap_mask <"$SNAPD/$name.live") <(snap_mask <"$SNAPD/$name.off"))
	# A sanitizer's report would be alike on both sides: never equal enough.
	if grep -qE 'Sanitizer|runtime error:' "$SNAPD/$name.err" "$SNAPD/$name.offerr"; then
		t_fail "$name: a sanitizer report"; grep -hE 'Sanitizer|runtime error:' "$SNAPD/$name.err" "$SNAPD/$name.offerr" | head -4 | sed 's/^/# /'
		return 1
	fi
	if [ "$rc" = "$want" ] && [ -z "$d" ] && cmp -s "$SNAPD/$name.err" "$SNAPD/$name.offerr" &&
	   [ -s "$SNAPD/$name.live" ]; then
		t_ok "$name: as nobody from the snapshot: the live output ($(wc -l <"$SNAPD/$name.live") lines), stderr and exit $rc"
		return 0
	fi
	t_fail "$name: snapshot replay differs: exit $rc (live $want)"
	printf '%s\n' "$d" | head -20 | cut -c1-300 | sed 's/^/# /'
	diff "$SNAPD/$name.err" "$SNAPD/$name.offerr" | head -6 | sed 's/^/# stderr: /'
	return 1
}

# snap_refused NAME WANT_RC PATTERN CMD...: CMD as nobody exits WANT_RC with one line on
# stderr matching PATTERN (grep -E), and nothing on stdout.
snap_refused() {
	local name=$1 want=$2 pat=$3 out err rc
	shift 3
	err=$(mktemp)
	out=$("${NOBODY[@]}" "$@" 2>"$err"); rc=$?
	if [ "$rc" = "$want" ] && [ -z "$out" ] && [ "$(wc -l <"$err")" = 1 ] && grep -qE -- "$pat" "$err" &&
	   ! grep -qE 'Sanitizer|runtime error:' "$err"; then
		t_ok "$name: exit $rc, one line: $(head -c 160 "$err")"
	else
		t_fail "$name: exit $rc (want $want), stdout ${#out} bytes, stderr $(wc -l <"$err") lines"
		head -5 "$err" | sed 's/^/# stderr: /'
	fi
	rm -f "$err"
}

# snap_bad_files NAME TOOL ARGS...: a snapshot cut short, one damaged, one that is not a
# snapshot and one that is not there: each refused in one line naming the file, exit 2.
snap_bad_files() {
	local name=$1 len b; shift
	len=$(stat -c %s "$SNAPD/$name.snap")
	head -c $((len * 2 / 3)) "$SNAPD/$name.snap" >"$SNAPD/$name.cut"
	cp "$SNAPD/$name.snap" "$SNAPD/$name.flip"
	# The byte's every bit flipped (a fixed value would leave a byte that already is it intact).
	b=$(od -An -tu1 -j $((len - 3)) -N1 "$SNAPD/$name.snap" | tr -d ' ')
	printf "\\$(printf %o $((b ^ 255)))" | dd of="$SNAPD/$name.flip" bs=1 seek=$((len - 3)) conv=notrunc 2>/dev/null
	cmp -s "$SNAPD/$name.snap" "$SNAPD/$name.flip" && t_fail "$name: the damaged copy is not damaged"
	printf 'hello\n' >"$SNAPD/$name.txt"
	chmod 644 "$SNAPD/$name".cut "$SNAPD/$name".flip "$SNAPD/$name".txt
	snap_refused "$name: cut short" 2 "snapshot $SNAPD/$name.cut: piece .*cut short" "$@" --snapshot "$SNAPD/$name.cut"
	snap_refused "$name: damaged" 2 "snapshot $SNAPD/$name.flip: piece .*corrupt" "$@" --snapshot "$SNAPD/$name.flip"
	snap_refused "$name: not a snapshot" 2 "snapshot $SNAPD/$name.txt: not a pktpath snapshot" "$@" --snapshot "$SNAPD/$name.txt"
	snap_refused "$name: no such file" 2 "snapshot $SNAPD/nosuch.snap" "$@" --snapshot "$SNAPD/nosuch.snap"
}

# snap_pathcheck NAME WRITER: pathcheck lists the station tool's snapshot, and refuses
# to walk it, naming what it lacks.
snap_pathcheck() {
	local name=$1 writer=$2 out
	out=$("${NOBODY[@]}" "$BIN/pathcheck" --snapshot "$SNAPD/$name.snap" --list 2>&1)
	if [ $? = 0 ] && grep -q "by $writer " <<<"$out"; then t_ok "$name: pathcheck --snapshot --list lists it (by $writer)"
	else t_fail "$name: pathcheck --list"; printf '%s\n' "$out" | head -5 | sed 's/^/# /'; fi
	snap_refused "$name: pathcheck refuses to walk it" 2 \
		"written by $writer .*holds no (links, )?addresses, IPv4 routes.* of netns" \
		"$BIN/pathcheck" --snapshot "$SNAPD/$name.snap" 203.0.113.2:443
	snap_refused "$name: pathcheck --diff refuses it" 2 "written by $writer .*holds no" \
		"$BIN/pathcheck" --diff "$SNAPD/$name.snap" "$SNAPD/$name.snap" 203.0.113.2:443
}

# snap_lab_gone: no namespace of this lab is left (the replays cannot read it).
snap_lab_gone() {
	if ip netns list 2>/dev/null | grep -q "^$LAB-"; then t_fail "the lab is gone before the replays"
	else t_ok "the lab is gone before the replays"; fi
}
