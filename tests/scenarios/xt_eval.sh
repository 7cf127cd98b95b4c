#!/bin/bash
# common/xt.c's evaluator against the kernel's own x_tables matches: on the
# server of a two-host lab, iptables-nft writes one INPUT rule per match (addrtype,
# conntrack, state, multiport, iprange, connmark, set, comment, mac, socket,
# physdev, hashlimit, statistic), each counting; the client sends one TCP SYN to
# port 80 (nothing listens: the answer is a RST). tests/tools/xt_eval.c reads the
# same rules back, decodes them and judges them on that packet's facts (and the
# MARK and CONNMARK targets change the marks the later rules see). Every
# rule it calls match must have counted the SYN, every nomatch must not; the
# rate and the random choice must be unknown and a branch, never a guess. Then
# the same for IPv6 with ip6tables-nft, and a DNAT (v4, v6) decoded to the address
# and port of the binding the kernel made (its conntrack entry).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
at() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }
TMP=$(mktemp -d)
PIDS=()
stop_all() { local p; for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; }
trap 'stop_all; lab_cleanup; rm -rf "$TMP"' EXIT
trap 'stop_all; lab_cleanup; rm -rf "$TMP"; exit 130' INT TERM

for c in ipset iptables-nft iptables-nft-save; do
	command -v $c >/dev/null || { t_skip "xt_eval" "no $c"; t_done; exit 0; }
done
BUILD_DIR=$(dirname "$BIN")
SAN=
case $BUILD_DIR in *-san) SAN="-fsanitize=address -fsanitize=undefined -fno-omit-frame-pointer" ;; esac
if ! cc -std=gnu11 -O1 -g $SAN -I common -o "$TMP/xt_eval" tests/tools/xt_eval.c \
	"$BUILD_DIR/libpktpath.a" -lmnl -lnftnl 2>"$TMP/cc.err"; then
	t_fail "build tests/tools/xt_eval.c against $BUILD_DIR/libpktpath.a"
	sed 's/^/# /' "$TMP/cc.err" | head; t_done; exit 1
fi

lab_ns cli srv || { t_fail "lab"; t_done; exit 1; }
lab_veth cli c0 srv s0 || { t_fail "lab veth"; t_done; exit 1; }
at cli ip addr add 198.51.100.2/24 dev c0
at srv ip addr add 198.51.100.1/24 dev s0
mac=$(at cli cat /sys/class/net/c0/address)
other=02:00:00:00:00:99
at srv ipset create blk hash:ip
at srv ipset add blk 198.51.100.2

R() { at srv iptables-nft -A INPUT -p tcp "$@" || t_fail "iptables-nft -A INPUT -p tcp $*"; }
R -m multiport --dports 80,443
R -m multiport --dports 22
R -m conntrack --ctstate NEW
R -m conntrack --ctstate RELATED,ESTABLISHED
R -m state --state NEW
R -m addrtype --dst-type LOCAL
R -m addrtype --src-type LOCAL
R -m iprange --src-range 198.51.100.2-198.51.100.5
R -m iprange ! --src-range 198.51.100.2-198.51.100.5
R -m connmark --mark 0
R -m connmark --mark 0x1/0x1
R -m set --match-set blk src
R -m set --match-set blk dst
R -m comment --comment "counts all"
R -m mac --mac-source "$mac"
R -m mac --mac-source $other
R -m socket
R -m physdev ! --physdev-is-bridged
R -m conntrack --ctorigsrc 198.51.100.0/24 --ctorigdstport 80 --ctreplsrc 198.51.100.1
R -m conntrack --ctreplsrcport 81
R -m conntrack --ctproto 17
R -m hashlimit --hashlimit-upto 1/sec --hashlimit-name xt$$
R -m statistic --mode random --probability 0.5
# targets: the marks they set are seen by the rules after them
R -j MARK --set-xmark 0x30/0xff
R -j CONNMARK --set-xmark 0x5/0xff
R -m connmark --mark 0x5/0xff
R -j CONNMARK --save-mark --mask 0xf0
R -m connmark --mark 0x35/0xff
R -m connmark --mark 0x5/0xff

# judge FAM IPT N FACT...: read the counters, run xt_eval, compare rule by rule
judge() {
	local fam=$1 ipt=$2 want=$3 n answer text count
	shift 3
	at srv "$ipt-save" -c -t filter 2>/dev/null | sed -n 's/^\[\([0-9]*\):[0-9]*\] -A INPUT .*/\1/p' >"$TMP/counts"
	at srv "$TMP/xt_eval" "$fam" filter INPUT "$@" >"$TMP/eval" 2>"$TMP/err" ||
		{ t_fail "xt_eval $fam: $(cat "$TMP/err")"; return 1; }
	[ "$(wc -l <"$TMP/eval")" = "$want" ] && [ "$(wc -l <"$TMP/counts")" = "$want" ] ||
		t_fail "$want rules: xt_eval $(wc -l <"$TMP/eval"), counters $(wc -l <"$TMP/counts")"
	matched=0 decided=0
	while read -r _ n answer text && read -r count <&3; do
		case $answer in
		match|nomatch)
			decided=$((decided + 1))
			[ "$answer" = match ] && matched=$((matched + 1))
			if { [ "$answer" = match ] && [ "$count" -ge 1 ]; } ||
			   { [ "$answer" = nomatch ] && [ "$count" = 0 ]; }; then
				t_ok "$fam rule $n $answer, kernel counted $count: $text"
			else
				t_fail "$fam rule $n $answer, kernel counted $count: $text"
			fi ;;
		*)	echo "# $fam rule $n $answer (kernel counted $count): $text" ;;
		esac
	done <"$TMP/eval" 3<"$TMP/counts"
}

at cli bash -c 'exec 3<>/dev/tcp/198.51.100.1/80' 2>/dev/null
sleep 0.2
judge ip iptables-nft 29 src=198.51.100.2 dst=198.51.100.1 proto=tcp sport=40000 \
	dport=80 ctstate=8 srctype=2 dsttype=4 mark=0 ctmark=0 smac="$mac" socket=0 bridged=0 cttuple=1
grep -q "^rule 22 unknown -m hashlimit .*: -m hashlimit: a per-flow rate" "$TMP/eval" &&
	t_ok "hashlimit: unknown, the rate named" || t_fail "hashlimit: $(sed -n 22p "$TMP/eval")"
grep -q "^rule 23 branch -m statistic --mode random --probability 0.50000000000 : " "$TMP/eval" &&
	t_ok "statistic random: a branch with its probability" || t_fail "statistic: $(sed -n 23p "$TMP/eval")"
grep -q "^rule 29 nomatch -m connmark --mark 0x5/0xff" "$TMP/eval" &&
	t_ok "CONNMARK --save-mark changed the connection's mark seen by the next rules" ||
	t_fail "after --save-mark: $(sed -n 29p "$TMP/eval")"
[ $decided = 27 ] && [ $matched -ge 8 ] && t_ok "27 rules decided, $matched of them match" ||
	t_fail "decided $decided, matched $matched"
# IPv6: the same matches through ip6tables-nft, one SYN over IPv6
at cli ip -6 addr add 2001:db8:1::2/64 dev c0 nodad
at srv ip -6 addr add 2001:db8:1::1/64 dev s0 nodad
at srv ipset create blk6 hash:ip family inet6
at srv ipset add blk6 2001:db8:1::2
R6() { at srv ip6tables-nft -A INPUT -p tcp "$@" || t_fail "ip6tables-nft -A INPUT -p tcp $*"; }
R6 -m multiport --dports 80,443
R6 -m multiport ! --dports 80
R6 -m conntrack --ctstate NEW --ctdir ORIGINAL
R6 -m conntrack --ctstate INVALID
R6 -m addrtype --dst-type LOCAL
R6 -m addrtype --dst-type MULTICAST
R6 -m iprange --src-range 2001:db8:1::1-2001:db8:1::ff
R6 -m iprange --src-range 2001:db8:1::3-2001:db8:1::ff
R6 -m set --match-set blk6 src
R6 -m set ! --match-set blk6 src
R6 -m mac --mac-source "$mac"
R6 -m connmark ! --mark 0
R6 -m conntrack --ctorigdst 2001:db8:1::/64 --ctrepldstport 1:1023
at cli timeout 3 bash -c 'exec 3<>/dev/tcp/2001:db8:1::1/80' 2>/dev/null
sleep 0.2
judge ip6 ip6tables-nft 13 src=2001:db8:1::2 dst=2001:db8:1::1 proto=tcp sport=40000 \
	dport=80 ctstate=8 srctype=2 dsttype=4 mark=0 ctmark=0 smac="$mac" socket=0 bridged=0 cttuple=1
[ $decided = 13 ] && [ $matched = 6 ] && t_ok "ip6: 13 rules decided, 6 match" ||
	t_fail "ip6: decided $decided, matched $matched"
# DNAT: the address and port the decoder reads are those the kernel binds the
# connection to (the reply tuple of its conntrack entry)
if command -v conntrack >/dev/null && command -v socat >/dev/null; then
	at srv iptables-nft -t nat -A PREROUTING -p tcp --dport 81 -j DNAT --to-destination 198.51.100.1:8080
	at srv ip6tables-nft -t nat -A PREROUTING -p tcp --dport 81 -j DNAT --to-destination "[2001:db8:1::1]:8081"
	# listeners, so the connections are established and their entries stay
	at srv socat TCP4-LISTEN:8080,reuseaddr OPEN:/dev/null & PIDS+=($!)
	at srv socat TCP6-LISTEN:8081,reuseaddr OPEN:/dev/null & PIDS+=($!)
	sleep 0.3
	at cli timeout 1 socat -u OPEN:/dev/null TCP4:198.51.100.1:81 2>/dev/null
	at cli timeout 1 socat -u OPEN:/dev/null TCP6:[2001:db8:1::1]:81 2>/dev/null
	sleep 0.2
	for fam in ip ip6; do
		got=$(at srv "$TMP/xt_eval" $fam nat PREROUTING | sed -n 's/^rule 1 match -j DNAT --to-destination //p')
		f=ipv4; [ $fam = ip6 ] && f=ipv6
		ct=$(at srv conntrack -L -f $f -p tcp --orig-port-dst 81 2>/dev/null |
			sed -n 's/.*src=\([^ ]*\) dst=[^ ]* sport=\([0-9]*\) dport=[0-9]*.*/\1:\2/p' | tail -1)
		[ $fam = ip6 ] && ct="[${ct%:*}]:${ct##*:}"
		if [ -n "$got" ] && [ "$got" = "$ct" ]; then
			t_ok "$fam DNAT decoded as $got, the kernel's binding $ct"
		else
			t_fail "$fam DNAT decoded as '$got', the kernel's binding '$ct'"
		fi
	done
else
	t_skip "DNAT against conntrack" "no conntrack(8) or socat"
fi
t_done
