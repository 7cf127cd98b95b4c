#!/bin/bash
# pathcheck --replay (issue 17 item 4): real labs, a snapshot saved per query, then the
# snapshot's state restored by pathcheck in namespaces of its own and the packet sent
# there. Each case asserts the static verdict, the kernel's outcome in the replay and
# their agreement; the truth for each case also from real traffic in the original lab.
# One case is a construct pathcheck does not model (net.ipv4.ip_no_pmtu_disc=1: the
# model assumes every IPv4 TCP packet carries DF), where the replay must disagree, say
# so, exit 1 and count it. Also replayed: iptables-nft extensions that check the rule's
# protocol (REJECT --reject-with tcp-reset, -p icmp --icmp-type), and a bridge with a port.
cd "$(dirname "$0")/../.." || exit 1
source tests/lib/lab.sh
source tests/lib/pathcheck.sh

D=$(mktemp -d /tmp/pprp.XXXXXX)
chmod 755 "$D"
trap 'lab_cleanup; rm -rf "$D"' EXIT

NOBODY=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
"${NOBODY[@]}" true 2>/dev/null || NOBODY=(runuser -u nobody --)

lab_three
C=$(ns cli) R=$(ns rtr) S=$(ns srv)
# srv: listeners on 443, 7443, 6443, 8443, 9443, 9444; 8090 closed.
for p in 443 6443 7443 8443 9443 9444; do
	ip netns exec "$S" socat -T 30 TCP-LISTEN:$p,bind=203.0.113.2,fork,reuseaddr /dev/null >/dev/null 2>&1 &
done
# rtr: an nft FORWARD drop for 8443, an iptables-nft REJECT for 9443, no default route.
nsrun rtr nft -f - <<'EOF'
table inet f {
	chain fw {
		type filter hook forward priority 0; policy accept;
		tcp dport 8443 counter drop
	}
}
EOF
nsrun rtr iptables-nft -A FORWARD -p tcp --dport 9443 -j REJECT
# ... and x_tables extensions that check the rule's protocol when added (the kernel never
# dumps it: the replay reads it back from the rule): a tcp-reset REJECT, an icmp match.
nsrun rtr iptables-nft -A FORWARD -p tcp --dport 9444 -j REJECT --reject-with tcp-reset
nsrun rtr iptables-nft -A FORWARD -p icmp --icmp-type echo-request -j DROP
# cli: a rule on the DF bit (the model assumes DF; this host does not set it), one on
# the TTL (the model cannot tell), and an unreachable route.
nsrun cli sysctl -qw net.ipv4.ip_no_pmtu_disc=1
nsrun cli nft -f - <<'EOF'
table ip c {
	chain out {
		type filter hook output priority 0; policy accept;
		tcp dport 7443 ip frag-off & 0x4000 != 0 counter drop
		tcp dport 6443 ip ttl 64 counter drop
	}
}
EOF
nsrun cli ip route add unreachable 203.0.113.32/28
# srv: a bridge br9 whose port s9 is wired to cli's c9, a listener on its address.
lab_veth cli c9 srv s9
nsrun srv ip link add br9 type bridge
nsrun srv ip link set s9 master br9
nsrun srv ip link set br9 up
nsrun srv ip addr add 203.0.113.129/26 dev br9
nsrun cli ip addr add 203.0.113.130/26 dev c9
ip netns exec "$S" socat -T 30 TCP-LISTEN:443,bind=203.0.113.129,fork,reuseaddr /dev/null >/dev/null 2>&1 &
for i in $(seq 50); do nsrun srv ss -Htln | grep -q ':9443' && break; sleep 0.1; done

# The truth, from real traffic in the lab.
tcp_try() { nsrun "$1" timeout 3 socat -T1 /dev/null "TCP:$2,connect-timeout=2" 2>&1; }
truth() { # NAME ROLE HOST:PORT WANT(connects|refused|silent|unreachable)
	local out got
	out=$(tcp_try "$2" "$3"); local rc=$?
	if [ $rc -eq 0 ]; then got=connects
	elif grep -qi "refused" <<<"$out"; then got=refused
	elif grep -qiE "unreachable|no route to host" <<<"$out"; then got=unreachable
	else got=silent; fi
	if [ "$got" = "$4" ]; then t_ok "truth: $1: $got"; else t_fail "truth: $1: $got, expected $4 ($out)"; fi
}
truth "cli to 203.0.113.2:443 connects" cli 203.0.113.2:443 connects
truth "the router drops 8443 (nft forward)" cli 203.0.113.2:8443 silent
truth "the router rejects 9443 (iptables-nft REJECT)" cli 203.0.113.2:9443 refused
truth "the router resets 9444 (iptables-nft REJECT --reject-with tcp-reset)" cli 203.0.113.2:9444 refused
if nsrun cli ping -c1 -W1 203.0.113.2 >/dev/null 2>&1; then t_fail "truth: the router drops echo requests (iptables-nft -p icmp --icmp-type)"
else t_ok "truth: the router drops echo requests (iptables-nft -p icmp --icmp-type)"; fi
truth "srv's 8090 is closed" cli 203.0.113.2:8090 refused
truth "cli's DF rule does not match: ip_no_pmtu_disc=1, the SYN has no DF" cli 203.0.113.2:7443 connects
truth "cli's TTL rule drops 6443" cli 203.0.113.2:6443 silent
truth "cli's unreachable route" cli 203.0.113.33:443 unreachable
truth "cli to srv's bridge address connects (by the port s9)" cli 203.0.113.129:443 connects
if nsrun srv ping -c1 -W1 203.0.113.130 >/dev/null 2>&1; then t_ok "truth: srv reaches cli by its bridge"
else t_fail "truth: srv reaches cli by its bridge"; fi
truth "the router has no route to 203.0.113.70" rtr 203.0.113.70:443 unreachable

# Each case: NAME ROLE "ARGS" MODEL_STATUS MODEL_STATION KERNEL_OUTCOME KERNEL_DEVICE AGREE EXIT
CASES=(
	"egress-gateway|cli|203.0.113.2:443|ok|null|egress|c0|true|0"
	"forward-ok|rtr|--iif r0 --from 198.51.100.2 203.0.113.2:443|ok|null|egress|r1|true|0"
	"forward-nft-drop|rtr|--iif r0 --from 198.51.100.2 203.0.113.2:8443|fail|forward|dropped|null|true|1"
	"forward-iptables-reject|rtr|--iif r0 --from 198.51.100.2 203.0.113.2:9443|fail|forward|rejected|null|true|1"
	"listener-open|srv|--iif s0 --from 198.51.100.2 203.0.113.2:443|ok|null|delivered|null|true|0"
	"listener-closed|srv|--iif s0 --from 198.51.100.2 203.0.113.2:8090|fail|socket|rejected|null|true|1"
	"route-unreachable|cli|203.0.113.33:443|fail|route|rejected|null|true|1"
	"route-missing|rtr|203.0.113.70:443|fail|route|rejected|null|true|1"
	"unmodelled-df|cli|203.0.113.2:7443|fail|output|egress|c0|false|1"
	"unknown-ttl|cli|203.0.113.2:6443|unknown|output|dropped|null|null|3"
	"forward-iptables-tcp-reset|rtr|--iif r0 --from 198.51.100.2 203.0.113.2:9444|fail|forward|rejected|null|true|1"
	"forward-iptables-icmp|rtr|--iif r0 --from 198.51.100.2 --proto icmp 203.0.113.2|fail|forward|dropped|null|true|1"
	"bridge-port-in|srv|--iif s9 --from 203.0.113.130 203.0.113.129:443|ok|null|delivered|null|true|0"
	"bridge-egress|srv|203.0.113.130:443|ok|null|egress|br9|true|0"
)
i=0
for c in "${CASES[@]}"; do
	IFS='|' read -r name role args mst mstation kout kdev agree want <<<"$c"
	# shellcheck disable=SC2086
	run_json out "$PC" -j -N "$(ns "$role")" --save "$D/c$i.snap" $args
	if [ -s "$D/c$i.snap" ]; then t_ok "$name: saved (live: $(jq -r .verdict.status <<<"$out"))"
	else t_fail "$name: no snapshot ($ERR)"; fi
	i=$((i + 1))
done
lab_cleanup
chmod 644 "$D"/*.snap

i=0
for c in "${CASES[@]}"; do
	IFS='|' read -r name role args mst mstation kout kdev agree want <<<"$c"
	# shellcheck disable=SC2086
	run_json out "$PC" -j --replay "$D/c$i.snap" $args
	got=$(jq -r '[.replay.model.status, (.replay.model.station // "null"), (.replay.kernel.outcome // "none"), (.replay.kernel.device // "null"), (.replay.agree | tostring)] | join(" ")' <<<"$out" 2>/dev/null)
	if [ "$got $RC" = "$mst $mstation $kout $kdev $agree $want" ]; then t_ok "replay $name: $got, exit $RC"
	else t_fail "replay $name: $got exit $RC, expected $mst $mstation $kout $kdev $agree $want ($(jq -c .replay <<<"$out" 2>/dev/null) $ERR)"; fi
	# A sanitizer's report exits like a finding (1): look for it (PKTPATH_BIN=build-san/bin).
	if grep -q "Sanitizer" <<<"$ERR"; then t_fail "replay $name: sanitizer report: $(head -5 <<<"$ERR")"; fi
	i=$((i + 1))
done
# The disagreement in text and Prometheus.
IFS='|' read -r _ _ args _ <<<"${CASES[8]}"
# shellcheck disable=SC2086
run_json out "$PC" --replay "$D/c8.snap" $args
if grep -q "^replay: DISAGREES: pathcheck says the packet dies at output" <<<"$out"; then t_ok "text: the disagreement is said"
else t_fail "text: the disagreement is said: $out"; fi
# shellcheck disable=SC2086
run_json out "$PC" --prom --replay "$D/c8.snap" $args
expect_rc "--prom of the disagreement" 1
if grep -q '^pktpath_pathcheck_model_disagreements_total{.*} 1$' <<<"$out"; then t_ok "prom: the disagreement counted"
else t_fail "prom: the disagreement counted: $(grep disagree <<<"$out")"; fi
promcheck "replay export" "$out"
run_json out "$PC" --prom --replay "$D/c0.snap" 203.0.113.2:443
if grep -q '^pktpath_pathcheck_model_disagreements_total{.*} 0$' <<<"$out"; then t_ok "prom: an agreement counts 0"
else t_fail "prom: an agreement counts 0: $(grep disagree <<<"$out")"; fi
# -f: every target replayed, the worst exit.
printf '%s\n' 203.0.113.2:443 203.0.113.2:7443 >"$D/targets"
chmod 644 "$D/targets"
run_json out "$PC" -j --replay "$D/c0.snap" -f "$D/targets"
expect_jq "-f: each target's agreement" "$out" '[.results[].replay.agree] | map(tostring) | join(" ")' "true false"
expect_rc "-f with a disagreement" 1

# Nothing left behind: the namespaces are anonymous and go with the process, at its end
# and on a signal. Their inodes, read while it runs, must be held by no task and no
# descriptor afterwards (other workers' namespaces on the machine do not matter).
ns_of() { readlink /proc/"$1"/task/*/ns/net /proc/"$1"/fd/* 2>/dev/null | grep '^net:' | sort -u; }
ns_alive() { { readlink /proc/[0-9]*/task/*/ns/net /proc/[0-9]*/fd/* 2>/dev/null | grep '^net:'; } | sort -u | grep -cxF -f <(printf '%s\n' "$1"); }
for how in end SIGTERM; do
	"$PC" --replay "$D/c2.snap" --iif r0 --from 198.51.100.2 --timeout 3 203.0.113.2:8443 >/dev/null 2>&1 &
	pid=$!
	mine=""
	for _ in $(seq 40); do
		sleep 0.1
		mine=$(ns_of "$pid" | grep -vxF "$(readlink /proc/self/ns/net)")
		[ "$(printf '%s' "$mine" | grep -c .)" -ge 3 ] && break
	done
	[ "$how" = SIGTERM ] && kill -TERM "$pid"
	wait "$pid" 2>/dev/null
	sleep 0.3
	n=$(printf '%s' "$mine" | grep -c .)
	if [ "$n" -ge 3 ] && [ "$(ns_alive "$mine")" -eq 0 ]; then t_ok "$how: the replay's $n namespaces are gone"
	else t_fail "$how: $n namespaces seen during the replay, $(ns_alive "$mine") of them still alive"; fi
done

# Without privilege: one line, the static verdict stands, the replay unknown (exit 3).
run_json out "${NOBODY[@]}" "$PC" -j --replay "$D/c0.snap" 203.0.113.2:443
expect_rc "as nobody" 3
expect_jq "as nobody: agree null, the privilege named" "$out" '[(.replay.agree|tostring), (.replay.reason | test("needs CAP_SYS_ADMIN"))] | map(tostring) | join(" ")' "null true"
if [ "$(printf '%s\n' "$ERR" | wc -l)" -eq 1 ]; then t_ok "as nobody: one line on stderr: $ERR"; else t_fail "as nobody: stderr: $ERR"; fi
# Usage.
run_json out "$PC" --replay "$D/c0.snap" --probe 203.0.113.2:443
expect_rc "--replay with --probe" 2
run_json out "$PC" --replay "$D/nosuch.snap" 203.0.113.2:443
expect_rc "--replay of a missing file" 2
t_done
