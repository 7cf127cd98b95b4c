#!/bin/bash
# xt_vectors.sh: write tests/unit/xt_vectors.h, the x_tables match and target blobs
# that the real iptables writes, with the line iptables-save prints for each rule.
#
#   tests/tools/xt_vectors.sh [BUILD_DIR]      (root; BUILD_DIR default build)
#
# Each case adds one rule to chain T of a table, in a namespace made for the run
# (xt<pid>, removed by the trap), with iptables-nft (backend nft) or, for the
# matches iptables-nft 1.8.9 writes as native nftables expressions (tcp and udp
# ports, mark, limit, NFLOG, the standard verdicts), with iptables-legacy: the
# blob is the same xt_* struct either way (nft_compat hands it to the same
# x_tables extension), and older iptables-nft and `--compat` write those as blobs.
# The rule is read back by tests/tools/xt_dump.c (libnftnl for nft, the
# IPT_SO_GET_ENTRIES table for legacy) and its line by iptables-save.
#
# A case is  FAMILY|BACKEND|TABLE|ARGS|PRE|POST : ARGS go to `iptables -A T`; PRE and
# POST are what iptables-save prints for the parts that are not x_tables
# expressions (the native "-p tcp", an immediate "-j ACCEPT"). test_xt.c checks
# that "-A T PRE <decoded texts> POST" is the saved line, character for character.
set -u
cd "$(dirname "$0")/../.." || exit 1
BUILD=${1:-build}
OUT=tests/unit/xt_vectors.h
N=xt$$
TMP=$(mktemp -d)
trap 'ip netns del $N 2>/dev/null; rm -rf "$TMP"' EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" -eq 0 ] || { echo "xt_vectors: needs root (a namespace)" >&2; exit 1; }
cc -std=gnu11 -O1 -I common -o "$TMP/xt_dump" tests/tools/xt_dump.c "$BUILD/libpktpath.a" \
	-lmnl -lnftnl || exit 1
ip netns add $N || exit 1
X() { ip netns exec $N "$@"; }
X ip link set lo up
# sets get kernel indexes in the order they are made: blk 0, blk6 1, blkp 2
X ipset create blk hash:ip
X ipset create blk6 hash:ip family inet6
X ipset create blkp hash:ip,port

VERSION=$(iptables-nft -V)
LEGACY_VERSION=$(iptables-legacy -V)

cases() {
cat <<'CASES'
4|nft|filter|-m addrtype --dst-type LOCAL -j RETURN||-j RETURN
4|nft|filter|-m addrtype ! --src-type LOCAL,BROADCAST --limit-iface-in||
6|nft|filter|-m addrtype --dst-type LOCAL,MULTICAST||
4|nft|filter|-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT||-j ACCEPT
4|nft|filter|-m conntrack --ctstate INVALID -j DROP||-j DROP
4|nft|filter|-m conntrack ! --ctstate NEW --ctdir REPLY||
4|nft|filter|-m conntrack --ctstate DNAT --ctorigdst 203.0.113.10 --ctorigdstport 80||
4|nft|filter|-m conntrack --ctstatus ASSURED,SEEN_REPLY --ctproto 6 --ctorigsrc 198.51.100.0/24||
6|nft|filter|-m conntrack --ctstate NEW --ctorigsrc 2001:db8::/32||
6|nft|filter|-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT||-j ACCEPT
4|nft|filter|-m state --state NEW,ESTABLISHED||
4|nft|filter|-m comment --comment hello -j ACCEPT||-j ACCEPT
4|nft|filter|-m comment --comment "kube-system/kube-dns:dns cluster IP"||
6|nft|filter|-m comment --comment "it's \"quoted\""||
4|nft|filter|-p tcp -m multiport --dports 80,443|-p tcp|
4|nft|filter|-p udp -m multiport --sports 1000:2000,53|-p udp|
4|nft|filter|-p tcp -m multiport ! --ports 22|-p tcp|
6|nft|filter|-p tcp -m multiport --dports 80,443,8000:8080|-p tcp|
4|legacy|filter|-p tcp -m tcp --dport 8080|-p tcp|
4|legacy|filter|-p tcp --sport 1024:65535 --dport 22 --tcp-flags SYN,RST,ACK SYN|-p tcp|
4|legacy|filter|-p tcp ! --dport 80 ! --tcp-flags ALL NONE|-p tcp|
6|legacy|filter|-p tcp --dport 443|-p tcp|
4|legacy|filter|-p udp --dport 53|-p udp|
6|legacy|filter|-p udp ! --sport 53|-p udp|
4|nft|filter|-p sctp -m sctp --dport 53|-p sctp|
4|nft|filter|-p sctp -m sctp --sport 1000:2000 ! --dport 80|-p sctp|
6|nft|filter|-p sctp -m sctp --dport 3868|-p sctp|
4|nft|filter|-p sctp -m sctp --chunk-types any INIT|-p sctp|
4|nft|filter|-p sctp -m sctp ! --chunk-types only DATA:Be,INIT|-p sctp|
4|nft|filter|-p icmp --icmp-type echo-request|-p icmp|
4|nft|filter|-p icmp --icmp-type 3/4|-p icmp|
4|nft|filter|-p icmp ! --icmp-type any|-p icmp|
6|nft|filter|-p ipv6-icmp --icmpv6-type 128|-p ipv6-icmp|
6|nft|filter|-p ipv6-icmp --icmpv6-type 1/4|-p ipv6-icmp|
4|legacy|filter|-m mark --mark 0x1/0xff||
4|legacy|filter|-m mark ! --mark 0x4000||
6|legacy|filter|-m mark --mark 0x4000/0x4000||
4|nft|filter|-m connmark --mark 0x2/0xf||
6|nft|filter|-m connmark ! --mark 0x2||
4|nft|filter|-m iprange --src-range 198.51.100.1-198.51.100.9||
4|nft|filter|-m iprange ! --dst-range 203.0.113.10-203.0.113.20||
6|nft|filter|-m iprange --dst-range 2001:db8::1-2001:db8::ff||
4|nft|filter|-m mac --mac-source aa:bb:cc:00:00:01||
6|nft|filter|-m mac ! --mac-source 02:00:00:00:00:01||
4|nft|filter|-m physdev --physdev-in veth0 --physdev-is-bridged||
4|nft|filter|-m physdev ! --physdev-out br+||
6|nft|filter|-m physdev --physdev-is-in||
4|nft|filter|-m set --match-set blk dst||
4|nft|filter|-m set ! --match-set blkp src,dst||
6|nft|filter|-m set --match-set blk6 src||
4|nft|filter|-m set --match-set blk src --return-nomatch ! --update-counters||
4|nft|filter|-m owner --uid-owner 0||
4|nft|filter|-m owner --uid-owner 1000-2000 --gid-owner 100||
6|nft|filter|-m owner --socket-exists||
4|nft|filter|-m socket||
4|nft|mangle|-m socket --transparent --nowildcard||
6|nft|filter|-m socket||
4|nft|filter|-m statistic --mode random --probability 0.5||
4|nft|filter|-m statistic --mode nth --every 3 --packet 1||
6|nft|filter|-m statistic --mode random --probability 0.33333333349||
4|legacy|filter|-m limit --limit 5/sec||
4|legacy|filter|-m limit --limit 3/min --limit-burst 10||
6|legacy|filter|-m limit --limit 100/hour||
4|nft|filter|-m hashlimit --hashlimit-above 10/sec --hashlimit-name h1||
4|nft|filter|-m hashlimit --hashlimit-upto 100/min --hashlimit-mode srcip,dstport --hashlimit-name h2||
6|nft|filter|-m hashlimit --hashlimit-upto 5/sec --hashlimit-mode srcip --hashlimit-srcmask 64 --hashlimit-name h6||
4|nft|filter|-m connlimit --connlimit-above 10||
6|nft|filter|-m connlimit --connlimit-upto 4 --connlimit-mask 64 --connlimit-daddr||
4|nft|filter|-m length --length 100||
4|nft|filter|-m ttl --ttl-gt 5||
6|nft|filter|-m hl --hl-eq 64||
4|nft|nat|-p tcp -j DNAT --to-destination 198.51.100.2:80|-p tcp|
4|nft|nat|-j DNAT --to-destination 198.51.100.2-198.51.100.3||
4|nft|nat|-p tcp -j DNAT --to-destination 198.51.100.2:8000-8010 --random --persistent|-p tcp|
6|nft|nat|-p tcp -j DNAT --to-destination [2001:db8::2]:80|-p tcp|
6|nft|nat|-j DNAT --to-destination 2001:db8::2||
4|nft|nat|-j SNAT --to-source 203.0.113.1||
6|nft|nat|-p udp -j SNAT --to-source [2001:db8::1]:1024-2048|-p udp|
4|nft|nat|-j MASQUERADE||
4|nft|nat|-p tcp -j MASQUERADE --to-ports 1024-2000 --random-fully|-p tcp|
6|nft|nat|-j MASQUERADE||
4|nft|nat|-p tcp -j REDIRECT --to-ports 3128|-p tcp|
6|nft|nat|-p tcp -j REDIRECT --to-ports 3128|-p tcp|
4|nft|filter|-j REJECT||
4|nft|filter|-p tcp -j REJECT --reject-with tcp-reset|-p tcp|
4|nft|filter|-j REJECT --reject-with icmp-host-prohibited||
6|nft|filter|-j REJECT||
6|nft|filter|-j REJECT --reject-with icmp6-adm-prohibited||
6|nft|filter|-p tcp -j REJECT --reject-with tcp-reset|-p tcp|
4|nft|mangle|-j MARK --set-xmark 0x4000/0x4000||
4|nft|mangle|-j MARK --set-mark 0x1||
6|nft|mangle|-j MARK --or-mark 0x8000||
4|nft|mangle|-j CONNMARK --save-mark||
4|nft|mangle|-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff||
6|nft|mangle|-j CONNMARK --set-mark 0x1/0x1||
4|nft|raw|-j CT --notrack||
4|nft|raw|-j CT --zone 5||
6|nft|raw|-j CT --notrack||
4|nft|mangle|-p tcp --tcp-flags SYN,RST SYN -j TCPMSS --clamp-mss-to-pmtu|-p tcp -m tcp --tcp-flags SYN,RST SYN|
6|nft|mangle|-p tcp -j TCPMSS --set-mss 1400|-p tcp|
4|nft|filter|-j LOG --log-prefix "DROP: " --log-level 6||
6|nft|filter|-j LOG --log-uid||
4|legacy|filter|-j NFLOG --nflog-group 2 --nflog-prefix x||
6|legacy|filter|-j NFLOG --nflog-group 5||
4|nft|mangle|-p udp --dport 68 -j CHECKSUM --checksum-fill|-p udp -m udp --dport 68|
4|legacy|filter|-p tcp --dport 80 -j ACCEPT|-p tcp|
4|legacy|filter|-j DROP||
6|legacy|filter|-j RETURN||
4|nft|filter|-m addrtype --src-type UNICAST ! --dst-type LOCAL --limit-iface-out||
6|nft|filter|-m conntrack --ctstate UNTRACKED,SNAT --ctreplsrc 2001:db8:2::2 --ctrepldst 2001:db8:1::/48||
4|nft|filter|-m conntrack ! --ctstatus EXPECTED --ctexpire 10:20 --ctdir ORIGINAL||
4|nft|filter|-m conntrack --ctorigsrcport 1000:2000 ! --ctrepldstport 53 --ctproto 17||
6|nft|filter|-m state --state INVALID,UNTRACKED||
4|legacy|filter|-p tcp --tcp-option 2 --syn|-p tcp|
6|nft|filter|-p ipv6-icmp ! --icmpv6-type 2|-p ipv6-icmp|
4|nft|filter|-m owner --gid-owner 100-200 --suppl-groups||
6|nft|filter|-m owner ! --uid-owner 0 ! --socket-exists||
4|nft|filter|-m set --match-set blkp dst,dst --packets-gt 10 ! --bytes-eq 100||
4|nft|filter|-m statistic --mode random ! --probability 0.25||
4|legacy|filter|-m limit --limit 1/day --limit-burst 1||
4|nft|filter|-m hashlimit --hashlimit-above 1000/hour --hashlimit-mode dstip,dstport --hashlimit-name h3 --hashlimit-htable-size 64 --hashlimit-htable-max 128 --hashlimit-htable-expire 5000 --hashlimit-dstmask 24||
4|nft|filter|-m hashlimit --hashlimit-upto 1mb/s --hashlimit-name hb||
4|nft|filter|-m connlimit --connlimit-upto 2 --connlimit-mask 24||
4|nft|filter|-m mac --mac-source AA:BB:CC:DD:EE:FF||
4|nft|filter|-m physdev ! --physdev-is-out --physdev-in eth+||
4|nft|filter|-m comment --comment ""||
4|nft|filter|-p udp -m multiport --dports 1:1024|-p udp|
4|nft|nat|-j SNAT --to-source 203.0.113.1-203.0.113.5 --persistent --random-fully||
4|nft|nat|-j MASQUERADE --random||
6|nft|nat|-p udp -j MASQUERADE --to-ports 2000|-p udp|
4|nft|nat|-p tcp -j DNAT --to-destination :8080|-p tcp|
6|nft|nat|-j DNAT --to-destination 2001:db8::2-2001:db8::3||
4|nft|filter|-j REJECT --reject-with icmp-net-unreachable||
4|nft|filter|-j REJECT --reject-with icmp-proto-unreachable||
4|nft|filter|-j REJECT --reject-with icmp-net-prohibited||
4|nft|filter|-j REJECT --reject-with icmp-admin-prohibited||
4|nft|filter|-j REJECT --reject-with icmp-host-unreachable||
6|nft|filter|-j REJECT --reject-with icmp6-no-route||
6|nft|filter|-j REJECT --reject-with icmp6-addr-unreachable||
6|nft|filter|-j REJECT --reject-with icmp6-policy-fail||
6|nft|filter|-j REJECT --reject-with icmp6-reject-route||
4|nft|mangle|-j MARK --and-mark 0xff||
4|nft|mangle|-j MARK --xor-mark 0x1||
4|nft|mangle|-j CONNMARK --set-xmark 0x10/0xf0||
4|nft|mangle|-j CONNMARK --save-mark --mask 0xffff||
4|nft|raw|-j CT --zone-orig 3||
6|nft|raw|-j CT --zone mark||
4|nft|raw|-j NOTRACK||
4|nft|raw|-j CT --ctevents new,destroy,assured --expevents new||
6|nft|raw|-j CT --zone-reply mark||
4|nft|filter|-m hashlimit --hashlimit-above 512kb/s --hashlimit-burst 1mb --hashlimit-name hk||
4|nft|filter|-m statistic --mode nth ! --every 2 --packet 1||
4|nft|filter|-j LOG --log-level 7 --log-tcp-sequence --log-tcp-options --log-ip-options --log-macdecode||
6|legacy|filter|-j NFLOG --nflog-prefix "a b" --nflog-size 128 --nflog-threshold 4||
6|nft|mangle|-p udp --dport 547 -j CHECKSUM --checksum-fill|-p udp -m udp --dport 547|
4|nft|filter|-m u32 --u32 "0>>22&0x3C@0>>16=0x50"||
4|nft|filter|-m recent --set --name DEFAULT --mask 255.255.255.255 --rsource||
4|nft|filter|-m recent --update --seconds 30 --hitcount 6 --name DEFAULT --mask 255.255.255.255 --rsource||
6|nft|filter|-m recent ! --rcheck --seconds 60 --reap --name ssh --mask ffff:ffff:ffff:ffff:: --rdest||
6|nft|filter|-m rt --rt-type 0||
6|nft|filter|-m rt ! --rt-type 2 --rt-segsleft 1:5 --rt-len 24||
CASES
}

cesc() { sed -e 's/\\/\\\\/g' -e 's/"/\\"/g'; }

{
	echo "/* Generated by tests/tools/xt_vectors.sh: do not edit. */"
	echo "/* $VERSION; $LEGACY_VERSION; kernel $(uname -r) */"
	echo "#define XT_VEC_IPTABLES \"$VERSION\""
	n=0
	fail=0
	while IFS='|' read -r fam be table args pre post; do
		[ -n "$fam" ] || continue
		if [ "$be" = nft ]; then
			ipt=iptables-nft; [ "$fam" = 6 ] && ipt=ip6tables-nft
			dfam=ip; [ "$fam" = 6 ] && dfam=ip6
		else
			ipt=iptables-legacy; [ "$fam" = 6 ] && ipt=ip6tables-legacy
			dfam=legacy$fam
		fi
		X "$ipt" -t "$table" -N T 2>/dev/null
		X "$ipt" -t "$table" -F T
		# ARGS may quote: eval splits them as the shell would
		if ! eval "X $ipt -t $table -A T $args" 2>"$TMP/err"; then
			echo "xt_vectors: $ipt -t $table -A T $args: $(cat "$TMP/err")" >&2
			fail=1
			continue
		fi
		save=$(X "$ipt-save" -t "$table" 2>/dev/null | grep '^-A T ')
		X "$TMP/xt_dump" "$dfam" "$table" T >"$TMP/dump" || { fail=1; continue; }
		# the first rule only (legacy lists the chain's closing RETURN after it)
		awk '/^rule/ { r++ } r == 1 && ($1 == "match" || $1 == "target")' "$TMP/dump" >"$TMP/x"
		setname=$(printf '%s\n' "$args" | sed -n 's/.*--match-set \([^ ]*\).*/\1/p')
		n=$((n + 1))
		echo "static const struct xt_vec vec_$n = {"
		echo "	.family = $fam, .backend = \"$be\", .table = \"$table\","
		echo "	.args = \"$(printf '%s' "$args" | cesc)\","
		echo "	.save = \"$(printf '%s' "$save" | cesc)\","
		echo "	.pre = \"$pre\", .post = \"$post\", .setname = \"$setname\","
		echo "	.nexpr = $(wc -l <"$TMP/x"), .expr = {"
		while read -r kind name rev len hex; do
			[ "$name" = - ] && name=""
			bytes=$(printf '%s' "$hex" | sed 's/\(..\)/0x\1,/g')
			echo "		{ \"$kind\", \"$name\", $rev, $len, (const uint8_t[]){ ${bytes:-0} } },"
		done <"$TMP/x"
		echo "	},"
		echo "};"
	done < <(cases)
	echo "static const struct xt_vec *const xt_vecs[] = {"
	for i in $(seq 1 $n); do echo "	&vec_$i,"; done
	echo "};"
	echo "#define XT_NVEC $n"
	[ $fail = 0 ] || echo "#error some cases failed: see the output of tests/tools/xt_vectors.sh"
} >"$TMP/out.h"
mv "$TMP/out.h" "$OUT"
echo "xt_vectors: $(grep -c '^static const struct xt_vec vec_' "$OUT") rules into $OUT ($VERSION)"
