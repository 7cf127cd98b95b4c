#!/bin/bash
# A Docker host's rules, written with iptables-nft the way Docker 20.10 writes them
# for its bridge and one container publishing a port (moby/libnetwork's iptables.go
# and drivers/bridge/setup_ip_tables.go; `iptables-save` of such a host): the nat
# PREROUTING rule `-m addrtype --dst-type LOCAL -j DOCKER` and the DOCKER chain's
# DNAT are x_tables match and target expressions. The "host" is the router namespace;
# r1 plays docker0 (Docker's 172.17.0.0/16 is 203.0.113.0/26 here), the server
# namespace is the container. Each verdict is checked against real traffic.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh
command -v iptables-nft >/dev/null || { t_skip "docker rules" "iptables-nft not installed"; t_done; exit 0; }
command -v socat >/dev/null || { t_skip "docker rules" "no socat"; t_done; exit 0; }

lab_three
H=$(ns rtr)
ip netns exec "$(ns srv)" socat TCP-LISTEN:80,fork,reuseaddr /dev/null >/dev/null 2>&1 &
SRV=$!
trap 'kill $SRV 2>/dev/null; lab_cleanup' EXIT
# The rules as iptables-save shows them on a Docker host (br = docker0, ctr = 172.17.0.2).
docker_rules() {
	local br=r1 ctr=203.0.113.2 net=203.0.113.0/26
	nsrun rtr iptables-nft-restore <<R
*nat
:PREROUTING ACCEPT [0:0]
:INPUT ACCEPT [0:0]
:OUTPUT ACCEPT [0:0]
:POSTROUTING ACCEPT [0:0]
:DOCKER - [0:0]
-A PREROUTING -m addrtype --dst-type LOCAL -j DOCKER
-A OUTPUT ! -d 127.0.0.0/8 -m addrtype --dst-type LOCAL -j DOCKER
-A POSTROUTING -s $net ! -o $br -j MASQUERADE
-A POSTROUTING -s $ctr/32 -d $ctr/32 -p tcp -m tcp --dport 80 -j MASQUERADE
-A DOCKER -i $br -j RETURN
-A DOCKER ! -i $br -p tcp -m tcp --dport 8080 -j DNAT --to-destination $ctr:80
COMMIT
*filter
:INPUT ACCEPT [0:0]
:FORWARD DROP [0:0]
:OUTPUT ACCEPT [0:0]
:DOCKER - [0:0]
:DOCKER-ISOLATION-STAGE-1 - [0:0]
:DOCKER-ISOLATION-STAGE-2 - [0:0]
:DOCKER-USER - [0:0]
-A FORWARD -j DOCKER-USER
-A FORWARD -j DOCKER-ISOLATION-STAGE-1
-A FORWARD -o $br -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
-A FORWARD -o $br -j DOCKER
-A FORWARD -i $br ! -o $br -j ACCEPT
-A FORWARD -i $br -o $br -j ACCEPT
-A DOCKER -d $ctr/32 ! -i $br -o $br -p tcp -m tcp --dport 80 -j ACCEPT
-A DOCKER-ISOLATION-STAGE-1 -i $br ! -o $br -j DOCKER-ISOLATION-STAGE-2
-A DOCKER-ISOLATION-STAGE-1 -j RETURN
-A DOCKER-ISOLATION-STAGE-2 -o $br -j DROP
-A DOCKER-ISOLATION-STAGE-2 -j RETURN
-A DOCKER-USER -j RETURN
COMMIT
R
}
docker_rules || { t_fail "iptables-nft-restore took Docker's rules"; t_done; exit 1; }
sleep 0.3
# truth PORT: 0 when the client connects to the published address.
truth() { nsrun cli socat -u /dev/null "TCP4:198.51.100.1:$1,connect-timeout=1" 2>&1; }
pub() { check "$1" "$2" "$3" "$4" -N "$H" --iif r0 --from 198.51.100.2 "198.51.100.1:$5"; }

# ---- the published port works: DNAT by the x_tables target, forwarded to the container ----
if truth 8080 >/dev/null; then t_ok "published: socat connects"; else t_fail "published: socat connects"; fi
pub "published port" null/NONE ok 0 8080
expect_ev "published: prerouting applies Docker's DNAT" prerouting '.evidence.chains[] | select(.chain=="PREROUTING") | .nat // empty' \
	"-j DNAT --to-destination 203.0.113.2:80"
expect_jq "published: forwarded, not delivered" "$LAST" '.query.direction' forward
expect_jq "published: the forward chain accepts through DOCKER" "$LAST" \
	'.stations[] | select(.station=="forward") | .status' ok

# ---- a port nobody published: no DNAT, delivered to the host, where nothing listens ----
if truth 8081 | grep -q refused; then t_ok "unpublished: socat is refused"; else t_fail "unpublished: socat is refused"; fi
pub "unpublished port" socket/NO_LISTENER fail 1 8081

# ---- DOCKER-USER drops the client ----
nsrun rtr iptables-nft -I DOCKER-USER -s 198.51.100.2 -j DROP
if truth 8080 >/dev/null; then t_fail "DOCKER-USER drop: socat cannot connect"; else t_ok "DOCKER-USER drop: socat cannot connect"; fi
pub "DOCKER-USER drop" forward/XT_RULE_DROP fail 1 8080
expect_ev "DOCKER-USER drop: the rule named" forward '.summary | test("chain DOCKER-USER .*ip saddr 198.51.100.2 counter drop")' true
nsrun rtr iptables-nft -D DOCKER-USER -s 198.51.100.2 -j DROP

# ---- ip_forward off on the host ----
nsrun rtr sysctl -qw net.ipv4.ip_forward=0
if truth 8080 >/dev/null; then t_fail "ip_forward off: socat cannot connect"; else t_ok "ip_forward off: socat cannot connect"; fi
pub "ip_forward off" forward/FORWARDING_DISABLED fail 1 8080
nsrun rtr sysctl -qw net.ipv4.ip_forward=1

# ---- a match pathcheck does not evaluate (-m ttl): unknown from that rule on, never ok ----
nsrun rtr iptables-nft -t nat -I DOCKER -m ttl --ttl-gt 5 -j RETURN
pub "unknown extension" prerouting/UNDECIDED_RULE unknown 3 8080
expect_ev "unknown extension: named" prerouting '.summary | test("ttl")' true
nsrun rtr iptables-nft -t nat -D DOCKER -m ttl --ttl-gt 5 -j RETURN

# ---- Docker's nftables backend: "fib daddr type local" instead of -m addrtype ----
# (the shape of moby's daemon/libnetwork/internal/nftables tables for a bridge network,
# reduced to the chains this packet meets)
nsrun rtr nft flush ruleset
nsrun rtr nft -f - <<'N'
table ip docker-bridges {
	chain nat-prerouting-and-output {
		iifname != "r1" tcp dport 8080 counter dnat to 203.0.113.2:80
	}
	chain nat-prerouting {
		type nat hook prerouting priority dstnat; policy accept;
		fib daddr type local counter jump nat-prerouting-and-output
	}
	chain filter-forward {
		type filter hook forward priority filter; policy drop;
		ct state established,related counter accept
		oifname "r1" ip daddr 203.0.113.2 tcp dport 80 counter accept
	}
}
N
if truth 8080 >/dev/null; then t_ok "nft backend: socat connects"; else t_fail "nft backend: socat connects"; fi
pub "nft backend published port" null/NONE ok 0 8080
expect_ev "nft backend: fib daddr type local decided, the dnat applied" prerouting '.evidence.dnat | test("dnat to 203.0.113.2:80")' true
if truth 8081 | grep -q refused; then t_ok "nft backend: unpublished refused"; else t_fail "nft backend: unpublished refused"; fi
pub "nft backend unpublished port" socket/NO_LISTENER fail 1 8081

# ---- a later prerouting chain sees the destination the dnat made (a Calico-style policy
# on the container's address), and a later nat chain is not run once the flow is bound ----
nsrun rtr nft -f - <<'N'
table ip later {
	chain pre-filter {
		type filter hook prerouting priority 10; policy accept;
		ip daddr 203.0.113.2 tcp dport 80 counter drop
	}
	chain pre-nat {
		type nat hook prerouting priority 50; policy accept;
		tcp dport 8080 counter dnat to 203.0.113.9:9
	}
}
N
if truth 8080 >/dev/null; then t_fail "later chain: socat cannot connect"; else t_ok "later chain: socat cannot connect"; fi
pub "later prerouting chain sees the dnat" prerouting/NFT_RULE_DROP fail 1 8080
expect_ev "later chain: the filter on the new address drops" prerouting '.summary | test("chain pre-filter")' true
expect_ev "later chain: the second nat chain is not run" prerouting \
	'[.evidence.chains[] | select(.chain=="pre-nat") | .rule | test("^not run: ")] | all' true
t_done
