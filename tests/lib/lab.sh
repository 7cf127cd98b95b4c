# lab.sh: throw-away labs of network namespaces for scenario tests. Source it.
#
# Every namespace is named "$LAB-<role>" with LAB=pp<pid>, created here and
# removed by the EXIT trap, also when a test fails or is interrupted. veths are
# created straight into their namespaces, so no name ever appears in the root
# namespace. Addresses: 198.51.100.0/24, 203.0.113.0/24, 2001:db8::/32 only.

LAB=${LAB:-pp$$}
BIN=${PKTPATH_BIN:-build/bin}
T_N=0
T_FAILS=0

ns() { echo "$LAB-$1"; }

# lab_ns ROLE...: new namespaces with lo up, ICMP errors never rate-limited, no DAD delays.
lab_ns() {
	local r n
	for r in "$@"; do
		n=$(ns "$r")
		ip netns add "$n" || return 1
		ip -n "$n" link set lo up
		ip netns exec "$n" sysctl -qw net.ipv4.icmp_ratelimit=0 net.ipv6.icmp.ratelimit=0 \
			net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 >/dev/null
	done
}

# lab_veth ROLE_A IF_A ROLE_B IF_B: a veth pair between two lab namespaces, both ends up.
lab_veth() {
	ip link add name "$2" netns "$(ns "$1")" type veth peer name "$4" netns "$(ns "$3")" || return 1
	ip -n "$(ns "$1")" link set "$2" up
	ip -n "$(ns "$3")" link set "$4" up
}

# lab_listen ROLE PORT...: TCP listeners on every address of ROLE, IPv4 and IPv6 (one
# dual-stack socket a port), accepting and closing for at most 300 s; returns once the last
# port listens. Its process dies with the lab (lab_cleanup kills what runs inside).
lab_listen() {
	local r=$1 last; shift
	last=${*: -1}
	ip netns exec "$(ns "$r")" python3 -c '
import socket, sys, time, select
ls = []
for p in sys.argv[1:]:
    t = socket.socket(socket.AF_INET6); t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    t.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 0); t.bind(("::", int(p))); t.listen(64); ls.append(t)
end = time.time() + 300
while time.time() < end:
    r, _, _ = select.select(ls, [], [], 1)
    for t in r:
        t.accept()[0].close()
' "$@" >/dev/null 2>&1 &
	for _ in $(seq 100); do ip netns exec "$(ns "$r")" ss -Htln | grep -q ":$last " && return 0; sleep 0.1; done
	return 1
}

# nsrun ROLE CMD...: run CMD inside the lab namespace ROLE. ("in" is a bash keyword.)
nsrun() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }

lab_cleanup() {
	local n p
	for n in $(ip netns list 2>/dev/null | awk '{print $1}'); do
		case $n in "$LAB"-*)
			# Servers the test left running inside (they would outlive the namespace's name).
			for p in $(ip netns pids "$n" 2>/dev/null); do
				[ "$p" != "$$" ] && kill "$p" 2>/dev/null
			done
			ip netns del "$n" 2>/dev/null ;;
		esac
	done
}
trap lab_cleanup EXIT
trap 'lab_cleanup; exit 130' INT TERM

# lab_reset: remove this run's namespaces (between cases).
lab_reset() { lab_cleanup; }

# The standard three-host lab: cli -- rtr -- srv, IPv4 and IPv6, forwarding on.
#   cli c0 198.51.100.2/26  2001:db8:1::2/64      rtr r0 198.51.100.1/26 2001:db8:1::1/64
#   srv s0 203.0.113.2/26   2001:db8:2::2/64      rtr r1 203.0.113.1/26  2001:db8:2::1/64
lab_three() {
	lab_ns cli rtr srv || return 1
	lab_veth cli c0 rtr r0 && lab_veth rtr r1 srv s0 || return 1
	nsrun cli ip addr add 198.51.100.2/26 dev c0
	nsrun cli ip -6 addr add 2001:db8:1::2/64 dev c0 nodad
	nsrun rtr ip addr add 198.51.100.1/26 dev r0
	nsrun rtr ip -6 addr add 2001:db8:1::1/64 dev r0 nodad
	nsrun rtr ip addr add 203.0.113.1/26 dev r1
	nsrun rtr ip -6 addr add 2001:db8:2::1/64 dev r1 nodad
	nsrun srv ip addr add 203.0.113.2/26 dev s0
	nsrun srv ip -6 addr add 2001:db8:2::2/64 dev s0 nodad
	nsrun cli ip route add default via 198.51.100.1
	nsrun cli ip -6 route add default via 2001:db8:1::1
	nsrun srv ip route add default via 203.0.113.1
	nsrun srv ip -6 route add default via 2001:db8:2::1
	nsrun rtr sysctl -qw net.ipv4.ip_forward=1 net.ipv6.conf.all.forwarding=1 >/dev/null
}

# ---- TAP ----
t_ok() { T_N=$((T_N + 1)); echo "ok $T_N - $*"; }
t_fail() { T_N=$((T_N + 1)); T_FAILS=$((T_FAILS + 1)); echo "not ok $T_N - $*"; }
t_skip() { T_N=$((T_N + 1)); echo "ok $T_N - $1 # SKIP ${2:-}"; }
t_done() { echo "1..$T_N"; [ "$T_FAILS" -eq 0 ]; }

# run_json VAR CMD...: run CMD, keep stdout in VAR, exit code in RC, stderr in ERR.
run_json() {
	local __v=$1 __err; shift
	local __out
	__err=$(mktemp)
	__out=$("$@" 2>"$__err")
	RC=$?
	printf -v "$__v" '%s' "$__out"
	ERR=$(cat "$__err"); rm -f "$__err"
}

# expect NAME JSON JQ_EXPR EXPECTED: one assertion on a JSON document.
expect_jq() {
	local name=$1 json=$2 expr=$3 want=$4 got
	if ! got=$(jq -r "$expr" <<<"$json" 2>/dev/null); then
		t_fail "$name: output is not valid JSON"; echo "# $json" | head -20; return 1
	fi
	if [ "$got" = "$want" ]; then t_ok "$name"; return 0; fi
	t_fail "$name: $expr = '$got', expected '$want'"
	printf '%s\n' "$json" | head -60 | sed 's/^/# /'
	[ -n "${ERR:-}" ] && printf '%s\n' "$ERR" | head -10 | sed 's/^/# stderr: /'
	return 1
}

# expect_rc NAME WANT: the last run_json's exit code.
expect_rc() {
	if [ "$RC" = "$2" ]; then t_ok "$1: exit $2"; else
		t_fail "$1: exit $RC, expected $2"
		[ -n "${ERR:-}" ] && printf '%s\n' "$ERR" | head -10 | sed 's/^/# stderr: /'
	fi
}

# promcheck NAME TEXT: promtool accepts the exposition.
promcheck() {
	local out
	if ! command -v promtool >/dev/null; then t_skip "$1: promtool check metrics" "no promtool"; return; fi
	if out=$(printf '%s\n' "$2" | promtool check metrics 2>&1); then t_ok "$1: promtool check metrics"
	else t_fail "$1: promtool check metrics"; printf '%s\n' "$out" | head -10 | sed 's/^/# /'; fi
}
