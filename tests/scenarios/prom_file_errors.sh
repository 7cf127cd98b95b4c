#!/bin/bash
# --prom-file that cannot be written: one rule in every tool. The diagnosis ran,
# its export could not be written: exit 3 ("could not tell"), one message naming
# the path, no temporary file left behind. Cases: a read-only file system (a
# read-only tmpfs in a private mount namespace), a directory at PATH, a directory
# the user may not write. The file is created as open(2) with 0666 would create
# it: 0644 under umask 022, 0600 under umask 077.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
BIN=$(cd "$BIN" && pwd)
d=$(mktemp -d)
trap 'umount "$d/ro" 2>/dev/null; rm -rf "$d"' EXIT
mkdir -p "$d/ro" "$d/isdir.prom" "$d/locked"
chmod 755 "$d"
chmod 555 "$d/locked"

declare -A args=([nicstat]="--no-softnet" [qdiscstat]="" [neighwatch]="" [ctdump]="-S" [pmtuprobe]="127.0.0.1" [pathcheck]="127.0.0.1")
for tool in nicstat qdiscstat neighwatch ctdump pmtuprobe pathcheck; do
	t="$BIN/$tool"
	# Read-only file system.
	out=$(unshare -m sh -c 'mount -t tmpfs -o ro none "$1" && shift && exec "$@"' sh "$d/ro" \
		"$t" ${args[$tool]} --prom-file "$d/ro/x.prom" 2>&1 >/dev/null); RC=$?
	ERR=$out
	expect_rc "$tool: read-only file system" 3
	if [ "$(grep -c . <<<"$ERR")" = 1 ] && grep -q "$d/ro/x.prom" <<<"$ERR"; then t_ok "$tool: read-only: one line naming the path"
	else t_fail "$tool: read-only message: $ERR"; fi
	# A directory where the file should be.
	ERR=$("$t" ${args[$tool]} --prom-file "$d/isdir.prom" 2>&1 >/dev/null); RC=$?
	expect_rc "$tool: a directory at PATH" 3
	if [ "$(grep -c . <<<"$ERR")" = 1 ] && grep -q "isdir.prom" <<<"$ERR"; then t_ok "$tool: directory: one line naming the path"
	else t_fail "$tool: directory message: $ERR"; fi
	# A directory the user may not write.
	ERR=$(setpriv --reuid=65534 --regid=65534 --clear-groups "$t" ${args[$tool]} --prom-file "$d/locked/x.prom" 2>&1 >/dev/null); RC=$?
	expect_rc "$tool: unwritable directory" 3
	left=$(find "$d" -name '*.prom.*' | wc -l)
	if [ "$left" = 0 ]; then t_ok "$tool: no temporary file left"; else t_fail "$tool: $left temporary files left"; find "$d" -name '*.prom.*' | sed 's/^/# /'; fi
	# The umask decides the mode.
	rm -f "$d/a.prom" "$d/b.prom"
	(umask 077; "$t" ${args[$tool]} --prom-file "$d/a.prom" >/dev/null 2>&1)
	(umask 022; "$t" ${args[$tool]} --prom-file "$d/b.prom" >/dev/null 2>&1)
	m="$(stat -c %a "$d/a.prom" 2>&1) $(stat -c %a "$d/b.prom" 2>&1)"
	if [ "$m" = "600 644" ]; then t_ok "$tool: mode 600 under umask 077, 644 under 022"
	else t_fail "$tool: modes under umask 077 and 022: $m"; fi
done
t_done
