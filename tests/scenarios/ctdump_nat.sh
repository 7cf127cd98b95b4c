#!/bin/bash
# ctdump on a NAT router with real flows (cli -- rtr -- srv, masquerade on rtr):
# every filter returns exactly what conntrack -L returns in the same namespace;
# a wrong SNAT (to 203.0.113.50, an address nobody owns) shows as UNREPLIED flows
# by destination; counts, aggregates, --older-than, usage errors; promtool
# accepts --prom; events show a flow's life (new, update, destroy).
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
at() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }
# Servers and held connections live in the lab namespaces: end them with the lab.
cleanup() {
	local n
	for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $n in "$LAB"-*) ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null ;; esac
	done
	wait 2>/dev/null
	lab_cleanup
}
trap '{ cleanup; } 2>/dev/null' EXIT
trap 'cleanup; exit 130' INT TERM

lab_three || exit 1
R=$(ns rtr)
CT="$BIN/ctdump"
# Conntrack only runs in a namespace where a ct or nat expression is loaded.
# Timestamps on, so entries can be aged (per namespace, new entries only).
at rtr sysctl -qw net.netfilter.nf_conntrack_timestamp=1
at rtr nft -f - <<'EOF' || { t_fail "nft ruleset on the router"; t_done; exit 1; }
table inet ppct {
	chain raw_pre {
		type filter hook prerouting priority raw;
		iifname "r0" ip6 daddr 2001:db8:2::2 ct zone set 5
		iifname "r1" ip6 saddr 2001:db8:2::2 ct zone set 5
	}
	chain filt {
		type filter hook forward priority filter;
		ct state established,related accept
		tcp dport 8080 ct mark set 0x101
	}
	chain natpost {
		type nat hook postrouting priority srcnat;
		oifname "r1" tcp dport 9000 snat ip to 203.0.113.50
		oifname "r1" ip daddr 203.0.113.0/26 masquerade
	}
}
EOF

# Servers on srv: TCP that holds connections until the peer closes, a UDP echo.
at srv python3 - <<'EOF' &
import socket, threading
def hold(c):
    try:
        while c.recv(4096):
            pass
    finally:
        c.close()
def tcp(port):
    s = socket.socket(socket.AF_INET6)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("::", port)); s.listen(64)
    while True:
        c, _ = s.accept()
        threading.Thread(target=hold, args=(c,), daemon=True).start()
def udp(port):
    s = socket.socket(socket.AF_INET6, socket.SOCK_DGRAM)
    s.bind(("::", port))
    while True:
        d, a = s.recvfrom(4096); s.sendto(d, a)
for p in (8080, 8081, 9000):
    threading.Thread(target=tcp, args=(p,), daemon=True).start()
udp(9999)
EOF
for i in $(seq 1 50); do at srv ss -ltn | grep -q ':8081' && break; sleep 0.1; done

# Flows through the router: held TCP (v4 and v6), UDP with and without answers, ICMP.
for i in 1 2 3; do
	at cli bash -c 'exec 3<>/dev/tcp/203.0.113.2/8080; sleep 120' &
	done
at cli bash -c 'exec 3<>/dev/tcp/2001:db8:2::2/8080; sleep 120' &
at cli bash -c 'exec 3<>/dev/udp/203.0.113.2/9999; echo hi >&3; read -t 1 -u 3 x' >/dev/null 2>&1
at cli bash -c 'exec 3<>/dev/udp/203.0.113.2/9998; echo hi >&3' >/dev/null 2>&1
at cli ping -c1 -W1 203.0.113.2 >/dev/null 2>&1
# The wrong SNAT: SYNs leave as 203.0.113.50; srv answers an address nobody holds.
for i in 1 2 3 4; do
	at cli timeout 2 bash -c 'exec 3<>/dev/tcp/203.0.113.2/9000' >/dev/null 2>&1 &
	done
sleep 2.2

# The same table through both tools: timeouts tick, so the third field goes.
norm() { awk '{ $3 = ""; print }' | sed 's/delta-time=[0-9]*/delta-time/' | sort; }
compare() {	# NAME "ctdump args" "conntrack args"
	local name=$1 ours theirs
	ours=$(at rtr $CT $2 2>/dev/null | norm)
	theirs=$(at rtr conntrack -L $3 2>/dev/null | norm)
	if [ -n "$theirs" ] && [ "$ours" = "$theirs" ]; then
		t_ok "filter $name: same $(wc -l <<<"$ours") entries as conntrack -L $3"
	elif [ -z "$theirs" ] && [ -z "$ours" ]; then
		t_fail "filter $name: conntrack -L $3 returned nothing (lab broken?)"
	else
		t_fail "filter $name: differs from conntrack -L $3"
		diff <(echo "$ours") <(echo "$theirs") | head -20 | sed 's/^/# /'
	fi
}
compare "none" "" ""
compare "family ipv6" "-f ipv6" "-f ipv6"
compare "proto tcp" "--proto tcp" "-p tcp"
compare "proto udp" "--proto udp" "-p udp"
compare "proto icmp" "--proto icmp" "-p icmp"
compare "tcp dport 8080" "--proto tcp --dport 8080" "-p tcp --dport 8080"
compare "src" "-s 198.51.100.2" "-s 198.51.100.2"
compare "dst" "-d 203.0.113.2" "-d 203.0.113.2"
compare "reply-dst (masquerade address)" "-q 203.0.113.1" "-q 203.0.113.1"
compare "reply-dst (wrong SNAT)" "-q 203.0.113.50" "-q 203.0.113.50"
compare "status UNREPLIED" "--status UNREPLIED" "-u UNREPLIED"
compare "status ASSURED" "--status ASSURED" "-u ASSURED"
compare "state ESTABLISHED" "--proto tcp --state ESTABLISHED" "-p tcp --state ESTABLISHED"
compare "mark with mask" "-m 0x1/0xff" "-m 0x1/0xff"
compare "zone 5" "-w 5" "-w 5"
compare "src prefix (userspace)" "-s 198.51.100.0/26" "-f ipv4 -s 198.51.100.2"
compare "reply-src" "-r 203.0.113.2" "-r 203.0.113.2"
compare "src and dport" "-s 198.51.100.2 --proto tcp --dport 8080" "-s 198.51.100.2 -p tcp --dport 8080"
compare "src and reply-dst" "-s 198.51.100.2 -q 203.0.113.1" "-s 198.51.100.2 -q 203.0.113.1"
# IPv6 exact addresses: the kernel's CTA_FILTER is handed them too.
compare "src v6" "-s 2001:db8:1::2" "-s 2001:db8:1::2"
compare "dst v6" "-d 2001:db8:2::2" "-d 2001:db8:2::2"
compare "reply-src v6" "-r 2001:db8:2::2" "-r 2001:db8:2::2"
compare "reply-dst v6" "-q 2001:db8:1::2" "-q 2001:db8:1::2"
compare "src v6 and dport" "-s 2001:db8:1::2 --proto tcp --dport 8080" "-s 2001:db8:1::2 -p tcp --dport 8080"
compare "src and dst v6" "-s 2001:db8:1::2 -d 2001:db8:2::2" "-s 2001:db8:1::2 -d 2001:db8:2::2"
compare "dst v6 prefix (userspace)" "-d 2001:db8:2::/64" "-d 2001:db8:2::2"
compare "tcp dport 8080 v6" "-f ipv6 --proto tcp --dport 8080" "-f ipv6 -p tcp --dport 8080"
compare "zone 5 src v6" "-w 5 -s 2001:db8:1::2" "-w 5 -s 2001:db8:1::2"
# Counts agree too, per filter.
for f in "-s 198.51.100.2" "-d 203.0.113.2" "-r 203.0.113.2" "-q 203.0.113.1" \
	 "-s 2001:db8:1::2" "-d 2001:db8:2::2" "-r 2001:db8:2::2" "-q 2001:db8:1::2"; do
	ours=$(at rtr $CT -c $f 2>/dev/null)
	theirs=$(at rtr conntrack -L $f 2>/dev/null | wc -l)
	if [ "$theirs" -gt 0 ] && [ "$ours" = "$theirs" ]; then t_ok "-c $f: $ours, as conntrack -L"
	else t_fail "-c $f: $ours, conntrack -L $theirs"; fi
done

# JSON: what the kernel filtered and what userspace did.
run_json out at rtr $CT -j --proto tcp --dport 9000 -f ipv4
expect_rc "json list" 0
expect_jq "json schema" "$out" '.schema' 'ctdump/1'
expect_jq "tcp dport 9000: four SYN_SENT entries" "$out" \
	'[.entries[] | select(.state=="SYN_SENT" and .unreplied and .reply.dst=="203.0.113.50")] | length' '4'
expect_jq "tuple filters pushed into the kernel" "$out" '.filter.kernel | join(",")' 'family,protocol,dport'
expect_jq "walk of the global hash said" "$out" '.filter.note | test("whole global conntrack hash")' 'true'
run_json out at rtr $CT -j -s 198.51.100.0/26 --dport 8000-8100
expect_jq "prefix and range stay in userspace" "$out" '.filter.userspace | join(",")' 'src,dport'
expect_jq "prefix and range: the v4 8080 flows" "$out" '[.entries[] | .orig.dport] | unique | join(",")' '8080'

# Counts.
run_json out at rtr $CT -c
expect_rc "count" 0
theirs=$(at rtr conntrack -C 2>/dev/null)
if [ "$out" = "$theirs" ]; then t_ok "-c equals conntrack -C ($out)"; else t_fail "-c $out, conntrack -C $theirs"; fi
run_json out "$CT" -N "$R" -c -j
expect_jq "-N: the router's namespace, named" "$out" '"\(.netns) \(.matched)"' "$R $theirs"
run_json out at rtr $CT -c --status UNREPLIED
theirs=$(at rtr conntrack -L -u UNREPLIED 2>/dev/null | wc -l)
if [ "$out" = "$theirs" ]; then t_ok "-c --status UNREPLIED: $out"; else t_fail "-c --status UNREPLIED $out, conntrack $theirs"; fi

# The wrong-SNAT signature in the aggregate.
run_json out at rtr $CT -a -j
expect_rc "aggregate" 0
expect_jq "UNREPLIED by destination: srv, replies due at .50" "$out" \
	'.aggregate.unreplied_by_dst[0] | "\(.dst) \(.reply_dst) \(.entries)"' '203.0.113.2 203.0.113.50 4'
expect_jq "entries per state" "$out" '.aggregate.by_state.SYN_SENT' '4'
expect_jq "entries per state (established)" "$out" '.aggregate.by_state.ESTABLISHED' '4'
run_json out at rtr $CT -j --top dport 2 --top src
expect_jq "--top dport 2" "$out" '.aggregate.top.dport.items | map("\(.key)=\(.entries)") | join(" ")' '8080=4 9000=4'
expect_jq "--top src exact" "$out" '.aggregate.top.src | "\(.exact) \(.items[0].key)"' 'true 198.51.100.2'
run_json txt at rtr $CT -a
if grep -q '203.0.113.2 .*203.0.113.50 .* 4$' <<<"$txt"; then t_ok "aggregate text names the SNAT signature"
else t_fail "aggregate text"; echo "$txt" | sed 's/^/# /'; fi

# Age: every entry is younger than an hour, all are older than a moment ago.
run_json out at rtr $CT -c --older-than 1h
expect_jq "--older-than 1h" "$out" '.' '0'
sleep 1.1
run_json out at rtr $CT -j -a --older-than 1
expect_jq "--older-than 1s: all timestamped entries" "$out" \
	'.aggregate.matched == .aggregate.dumped and .aggregate.without_timestamp == 0' 'true'

# Health in a quiet table: ok, exit 0.
run_json out at rtr $CT -S -j
expect_rc "stats" 0
expect_jq "stats: status ok, count and limit" "$out" \
	"[.health.status, (.health.entries == $(at rtr conntrack -C)), (.health.limit == $(cat /proc/sys/net/netfilter/nf_conntrack_max))] | join(\" \")" \
	'ok true true'
expect_jq "stats: one row per CPU" "$out" ".health.cpus | length" "$(at rtr conntrack -S | wc -l)"

# Prometheus.
run_json prom at rtr $CT --prom
expect_rc "prom" 0
promcheck "--prom" "$prom"$'\n'
if grep -q '^pktpath_ctdump_cpu_drop_total{cpu="0"} ' <<<"$prom" && grep -q '^pktpath_ctdump_entries_limit ' <<<"$prom"; then
	t_ok "prom: per-CPU counters and the limit"; else t_fail "prom families"; fi
run_json prom at rtr $CT --prom -a --top dport 3
promcheck "--prom -a --top dport" "$prom"$'\n'
if grep -q '^pktpath_ctdump_unreplied_dst_entries{dst="203.0.113.2",reply_dst="203.0.113.50"} 4' <<<"$prom"; then
	t_ok "prom: UNREPLIED by destination"; else t_fail "prom: UNREPLIED by destination"; grep unreplied <<<"$prom" | sed 's/^/# /'; fi

pf=$(mktemp -d)
at rtr $CT --prom-file "$pf/ct.prom"
if [ -s "$pf/ct.prom" ] && promtool check metrics <"$pf/ct.prom" >/dev/null 2>&1; then t_ok "--prom-file written and valid"
else t_fail "--prom-file"; fi
rm -rf "$pf"

# Without CAP_NET_ADMIN: unknown, with what it needs, exit 3.
run_json out at rtr setpriv --reuid=65534 --regid=65534 --clear-groups $CT -S -j
expect_rc "unprivileged" 3
expect_jq "unprivileged: unknown, needs CAP_NET_ADMIN" "$out" '"\(.health.status) \(.health.needs)"' \
	'unknown needs CAP_NET_ADMIN (run as root)'

# Usage errors name the bad input.
run_json out "$CT" --dport abc
expect_rc "bad port" 2
if grep -q "\-\-dport: 'abc'" <<<"$ERR"; then t_ok "bad port named"; else t_fail "bad port message: $ERR"; fi
run_json out "$CT" --top nothing
expect_rc "bad --top key" 2
run_json out "$CT" -N "$LAB-nosuch" -c
expect_rc "missing namespace" 2

# Events: a flow's life, new -> update -> destroy.
ev=$(mktemp)
at rtr $CT -E -j --proto tcp --dport 8081 --duration 6 >"$ev" 2>/dev/null &
EVPID=$!
sleep 0.5
at cli bash -c 'exec 3<>/dev/tcp/203.0.113.2/8081; echo hello >&3; sleep 0.3; exec 3>&-' >/dev/null 2>&1
sleep 0.5
at rtr conntrack -D -p tcp --dport 8081 >/dev/null 2>&1
wait $EVPID
life=$(jq -r 'select(.event) | .event' "$ev" | uniq | tr '\n' ' ')
case "$life" in
"new update"*"destroy ") t_ok "events: $life" ;;
*) t_fail "events: '$life'"; head -20 "$ev" | sed 's/^/# /' ;;
esac
expect_jq "events: all on the filtered flow" "$(jq -s '.' "$ev")" \
	'[.[] | select(.event) | .orig.dport] | unique | join(",")' '8081'
expect_jq "events: summary line" "$(tail -1 "$ev")" '"\(.type) \(.lost)"' 'summary 0'
rm -f "$ev"

t_done
