#!/bin/bash
# nft_bigset.sh N: an nft -f script of table inet bl whose forward chain checks three
# named sets of N elements each, every one in 2001:db8::/32 (and none in
# 2001:db8:1::/48 or 2001:db8:2::/48, the lab's client and server nets):
#   blk  ipv6_addr interval set, N /64 ranges        ip6 daddr @blk drop
#   cc   ipv6_addr . inet_proto . inet_service       ip6 daddr . meta l4proto . th dport @cc drop
#        interval set (pipapo), N elements of a /64 . tcp . port range
#   vm   ipv6_addr : verdict interval map, N /64 ranges : accept, for tcp dport 9000-9999
# nft_bigset.sh N SETS fills only the sets named (e.g. "blk"); the others stay empty.
# Elements are added in batches of 1000 (one nft -f loads 1M in about 20 s).
set -eu
n=${1:?usage: nft_bigset.sh N [SETS]}
fill=${2:-blk cc vm}
cat <<'HDR'
table inet bl {
	set blk { type ipv6_addr; flags interval; }
	set cc { type ipv6_addr . inet_proto . inet_service; flags interval; }
	map vm { type ipv6_addr : verdict; flags interval; }
	chain filt {
		type filter hook forward priority 0; policy accept;
		ip6 daddr @blk drop
		ip6 daddr . meta l4proto . th dport @cc drop
		tcp dport 9000-9999 ip6 daddr vmap @vm
	}
}
HDR
awk -v n="$n" -v fill=" $fill " 'BEGIN {
	split("blk cc vm", sets, " ")
	for (s = 1; s <= 3; s++)
		for (i = 0; i < n && index(fill, " " sets[s] " "); i += 1000) {
			printf "add element inet bl %s { ", sets[s]
			for (j = i; j < i + 1000 && j < n; j++) {
				# 2001:db8:X:Y::/64 with X from 0x100 up: 16384 nets per X, every fourth Y.
				p = sprintf("2001:db8:%x:%x::/64", int(j / 16384) + 256, (j % 16384) * 4)
				if (s == 2) p = p " . tcp . " (1000 + j % 50000) "-" (1000 + j % 50000 + 10)
				if (s == 3) p = p " : accept"
				printf "%s%s", (j > i ? ", " : ""), p
			}
			print " }"
		}
}'
