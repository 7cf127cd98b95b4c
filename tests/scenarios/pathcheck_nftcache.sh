#!/bin/bash
# The base chains kept between runs (/run/pktpath/nftbase-COOKIE, on a kernel without
# nfnetlink_hook): a run at a new ruleset generation reads the chains again (a drop
# chain added after the file was written decides), a file listing a chain that is gone
# is not trusted even at the current generation (the file of an earlier generation,
# its generation rewritten), a file others could write is ignored and replaced, and
# PKTPATH_NFT_CACHE=0 neither reads nor writes it. The router has 2,000 regular chains
# beside its base chain. The truth is real connections from the client through the router.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
command -v socat >/dev/null || { t_skip "nft cache" "no socat"; t_done; exit 0; }
command -v python3 >/dev/null || { t_skip "nft cache" "no python3 (the namespace's cookie)"; t_done; exit 0; }
[ "$(id -u)" = 0 ] || { t_skip "nft cache" "not root"; t_done; exit 0; }

lab_three
R=$(ns rtr)
ip netns exec "$(ns srv)" socat TCP6-LISTEN:8080,bind=[2001:db8:2::2],fork,reuseaddr /dev/null >/dev/null 2>&1 &
SRV=$!
trap 'kill "$SRV" 2>/dev/null; rm -f "$FILE" "$SAVED"; lab_cleanup' EXIT
{
	printf 'table ip6 fw {\n\tchain forward {\n\t\ttype filter hook forward priority 0; policy accept;\n\t}\n}\n'
	for i in $(seq 2000); do echo "add chain ip6 fw c$i"; done
} | nsrun rtr nft -f - || { t_fail "ruleset not loaded"; t_done; exit 1; }
COOKIE=$(nsrun rtr python3 -c 'import socket, struct
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
print("%016x" % struct.unpack("Q", s.getsockopt(socket.SOL_SOCKET, 71, 8))[0])' 2>/dev/null)
FILE=/run/pktpath/nftbase-$COOKIE
SAVED=$(mktemp)
[ -n "$COOKIE" ] || { t_skip "nft cache" "no SO_NETNS_COOKIE"; t_done; exit 0; }
sleep 0.5
truth() { nsrun cli socat -u /dev/null TCP6:[2001:db8:2::2]:8080,connect-timeout=1 2>/dev/null; }
Q=(-N "$R" --iif r0 --from 2001:db8:1::2 "[2001:db8:2::2]:8080")

truth && t_ok "truth: the client connects through the router" || t_fail "truth: the client cannot connect"
rm -f "$FILE"
check "accepting forward chain" null/NONE ok 0 "${Q[@]}"
if [ ! -e "$FILE" ]; then
	# A kernel with nfnetlink_hook reads each hook's entries: nothing is kept.
	t_skip "the base chains kept" "this kernel lists a hook's entries (nfnetlink_hook)"
	t_done; exit $?
fi
[ "$(stat -c '%a %u' "$FILE")" = "600 0" ] && t_ok "kept in $FILE, mode 600, root's" ||
	t_fail "kept in $FILE as $(stat -c '%a %u' "$FILE")"
check "accepting forward chain, from the file" null/NONE ok 0 "${Q[@]}"

# A new generation: a drop chain added after the file was written decides.
nsrun rtr nft add table ip6 block
nsrun rtr nft add chain ip6 block forward '{ type filter hook forward priority 10; policy drop; }'
truth && t_fail "truth: the drop chain stops the connection" || t_ok "truth: the drop chain stops the connection"
check "drop chain added after the file" forward/NFT_POLICY_DROP fail 1 "${Q[@]}"
cp "$FILE" "$SAVED"	# lists block forward

# The drop chain goes; the file of its generation, relabelled with the current one, is not trusted.
nsrun rtr nft delete table ip6 block
truth && t_ok "truth: the client connects again" || t_fail "truth: the client cannot connect again"
check "drop chain gone" null/NONE ok 0 "${Q[@]}"
python3 - "$SAVED" "$FILE" <<'P'
import sys
old = bytearray(open(sys.argv[1], "rb").read())
cur = open(sys.argv[2], "rb").read()
old[64:68] = cur[64:68]	# the header's generation (after magic, recsize, n, cookie, boot_id)
open(sys.argv[1], "wb").write(old)
P
cat "$SAVED" > "$FILE"
check "a kept chain that is gone" null/NONE ok 0 "${Q[@]}"
expect_jq "a kept chain that is gone: no chain of table block evaluated" "$LAST" \
	'[.stations[] | select(.station == "forward") | .evidence.chains[]?.table] | index("ip6 block")' null

# A file others can write is not read, and is replaced.
chmod 666 "$FILE"
check "a file others can write" null/NONE ok 0 "${Q[@]}"
[ "$(stat -c '%a' "$FILE")" = 600 ] && t_ok "the file others could write was replaced" ||
	t_fail "the file is mode $(stat -c '%a' "$FILE")"

# PKTPATH_NFT_CACHE=0: not written.
rm -f "$FILE"
export PKTPATH_NFT_CACHE=0
check "PKTPATH_NFT_CACHE=0" null/NONE ok 0 "${Q[@]}"
unset PKTPATH_NFT_CACHE
[ ! -e "$FILE" ] && t_ok "PKTPATH_NFT_CACHE=0 writes no file" || t_fail "PKTPATH_NFT_CACHE=0 wrote $FILE"
t_done
