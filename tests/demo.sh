#!/bin/bash
# make demo: a throw-away lab with a broken path, pathcheck run into it, the lab removed.
#
#   client (198.51.100.2) --- router --- server (203.0.113.2)
#
# The client's firewall drops HTTPS to the server: pathcheck names the station,
# the rule, and what to run next. Then a next hop that never answers ARP.
set -u
cd "$(dirname "$0")/.."
[ "$(id -u)" -eq 0 ] || { echo "demo: needs root (it builds network namespaces)" >&2; exit 2; }
BIN=${1:-build/bin}
source tests/lib/lab.sh
LAB=ppdemo$$

say() { printf '\n\033[1m$ %s\033[0m\n' "$*"; }

lab_three || exit 1
C=$(ns cli)
echo "lab: namespaces $(ns cli), $(ns rtr), $(ns srv) (removed on exit)"

say "pathcheck -N $C 203.0.113.2:443      # a healthy path"
"$BIN/pathcheck" -N "$C" 203.0.113.2:443

nsrun cli nft -f - <<'NFT'
table inet demo {
	chain out {
		type filter hook output priority 0; policy accept;
		ct state established accept
		ip daddr 203.0.113.0/26 tcp dport { 443, 8443 } counter drop
	}
}
NFT
say "pathcheck -N $C 203.0.113.2:443      # after a firewall change on the client"
"$BIN/pathcheck" -N "$C" 203.0.113.2:443
echo "(exit status $?)"

say "pathcheck -N $C -j 203.0.113.2:443 | jq .verdict"
"$BIN/pathcheck" -N "$C" -j 203.0.113.2:443 | jq .verdict

nsrun cli nft delete table inet demo
nsrun cli ip route add 203.0.113.64/26 via 198.51.100.50
nsrun cli ping -c4 -i0.5 -W1 203.0.113.70 >/dev/null 2>&1 &
for _ in $(seq 1 10); do nsrun cli ip neigh show 198.51.100.50 | grep -q FAILED && break; sleep 0.5; done
say "pathcheck -N $C 203.0.113.70:80      # a gateway nobody answers"
"$BIN/pathcheck" -N "$C" 203.0.113.70:80
echo "(exit status $?)"
wait
echo
echo "lab removed."
