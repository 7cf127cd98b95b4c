#!/bin/bash
# common/ipset.c against the real kernel, through tests/tools/ipset_probe.c (built
# here against the library of the build under test), in a lab namespace: sets of
# several types are made with ipset(8); for each element the probe's IPSET_CMD_TEST
# answer must be what `ipset test` says and what the element list says (nets with
# a nomatch hole, ip,port with the protocol, bitmap:port, net,iface, an element
# whose timeout has passed). Set headers and the index -> name lookup a -m set
# rule needs are checked against the order the sets were made. Then real traffic:
# an iptables-nft rule drops ICMP from the sources in a set; the probe's answer
# for the client's packet, made as -m set --match-set blk src makes it, is "in"
# exactly while the ping is dropped.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
at() { local r=$1; shift; ip netns exec "$(ns "$r")" "$@"; }
TMP=$(mktemp -d)
trap 'lab_cleanup; rm -rf "$TMP"' EXIT
trap 'lab_cleanup; rm -rf "$TMP"; exit 130' INT TERM

for c in ipset iptables-nft; do
	command -v $c >/dev/null || { t_skip "xt_ipset" "no $c"; t_done; exit 0; }
done
BUILD_DIR=$(dirname "$BIN")
SAN=
case $BUILD_DIR in *-san) SAN="-fsanitize=address -fsanitize=undefined -fno-omit-frame-pointer" ;; esac
if ! cc -std=gnu11 -O1 -g $SAN -I common -o "$TMP/probe" tests/tools/ipset_probe.c \
	"$BUILD_DIR/libpktpath.a" -lmnl -lnftnl 2>"$TMP/cc.err"; then
	t_fail "build tests/tools/ipset_probe.c against $BUILD_DIR/libpktpath.a"
	sed 's/^/# /' "$TMP/cc.err" | head; t_done; exit 1
fi
PROBE=$TMP/probe

lab_ns cli srv || { t_fail "lab"; t_done; exit 1; }
lab_veth cli c0 srv s0 || { t_fail "lab veth"; t_done; exit 1; }
at cli ip addr add 198.51.100.2/24 dev c0
at srv ip addr add 198.51.100.1/24 dev s0

S() { at srv ipset "$@" || t_fail "ipset $*"; }
# the kernel numbers sets in the order they are made
S create blk hash:ip
S create blk6 hash:ip family inet6
S create nets hash:net
S create svc hash:ip,port
S create ipp hash:ip,port,ip
S create ports bitmap:port range 1-1024
S create nif hash:net,iface
S create tmo hash:ip timeout 60
S add blk 198.51.100.10
S add blk6 2001:db8:1::2
S add nets 203.0.113.0/25
S add nets 203.0.113.64/26 nomatch
S add svc 198.51.100.3,tcp:80
S add svc 198.51.100.3,udp:53
S add svc 198.51.100.3,icmp:8/0
S add ipp 198.51.100.2,tcp:443,203.0.113.2
S add ports 22
S add ports 80
S add nif 198.51.100.0/24,s0
S add tmo 198.51.100.20 timeout 1
S add tmo 198.51.100.21

# set element expected: what the element list says
while read -r set el want; do
	got=$(at srv "$PROBE" test "$set" "$el" 2>"$TMP/err")
	if at srv ipset test "$set" "$el" 2>/dev/null; then truth="in"; else truth="not in"; fi
	want=${want//-/ }
	if [ "$got" = "$truth" ] && [ "$got" = "$want" ]; then
		t_ok "IPSET_CMD_TEST $set $el: $got, as ipset test"
	else
		t_fail "IPSET_CMD_TEST $set $el: probe '$got', ipset test '$truth', expected '$want'"
		sed 's/^/# /' "$TMP/err"
	fi
done <<'ELEMS'
blk 198.51.100.10 in
blk 198.51.100.11 not-in
blk6 2001:db8:1::2 in
blk6 2001:db8:1::3 not-in
nets 203.0.113.10 in
nets 203.0.113.70 not-in
nets 203.0.113.200 not-in
svc 198.51.100.3,tcp:80 in
svc 198.51.100.3,udp:80 not-in
svc 198.51.100.3,udp:53 in
svc 198.51.100.4,tcp:80 not-in
svc 198.51.100.3,icmp:8/0 in
svc 198.51.100.3,icmp:0/0 not-in
ipp 198.51.100.2,tcp:443,203.0.113.2 in
ipp 198.51.100.2,tcp:443,203.0.113.3 not-in
ports 22 in
ports 23 not-in
nif 198.51.100.7,s0 in
nif 198.51.100.7,c0 not-in
tmo 198.51.100.21 in
ELEMS
# an element whose timeout passed: the kernel says no without listing it
sleep 2
got=$(at srv "$PROBE" test tmo 198.51.100.20)
if at srv ipset test tmo 198.51.100.20 2>/dev/null; then truth="in"; else truth="not in"; fi
[ "$got" = "not in" ] && [ "$truth" = "not in" ] && t_ok "IPSET_CMD_TEST tmo: an expired element is not in" ||
	t_fail "IPSET_CMD_TEST tmo expired: probe '$got', ipset test '$truth'"

got=$(at srv "$PROBE" header nets)
[ "$got" = "name nets type hash:net family 2 revision $(at srv ipset list -t nets | sed -n 's/^Revision: //p') elements 2" ] &&
	t_ok "IPSET_CMD_LIST header: $got" || t_fail "IPSET_CMD_LIST header nets: '$got'"
got=$(at srv "$PROBE" header blk6)
case $got in "name blk6 type hash:ip family 10 "*) t_ok "IPSET_CMD_LIST header: IPv6 set" ;;
	*) t_fail "IPSET_CMD_LIST header blk6: '$got'" ;; esac
i=0
for s in blk blk6 nets svc ipp ports nif tmo; do
	got=$(at srv "$PROBE" name $i)
	[ "$got" = "$s" ] && t_ok "IPSET_CMD_GET_BYINDEX $i: $s" || t_fail "IPSET_CMD_GET_BYINDEX $i: '$got', expected $s"
	i=$((i + 1))
done
if at srv "$PROBE" header nosuchset 2>"$TMP/err"; then
	t_fail "IPSET_CMD_LIST of a missing set succeeded"
else
	grep -q "No such file" "$TMP/err" && t_ok "IPSET_CMD_LIST of a missing set: ENOENT" ||
		t_fail "IPSET_CMD_LIST missing set: $(cat "$TMP/err")"
fi

# the key -m set builds from a packet: dimensions and directions
while read -r set dirs src dst proto sport dport want; do
	got=$(at srv "$PROBE" xt "$set" "$dirs" "$src" "$dst" "$proto" "$sport" "$dport")
	[ "$got" = "${want//-/ }" ] && t_ok "-m set --match-set $set $dirs ($src:$sport > $dst:$dport/$proto): $got" ||
		t_fail "-m set --match-set $set $dirs ($src:$sport > $dst:$dport/$proto): '$got', expected '${want//-/ }'"
done <<'XT'
svc dst,dst 198.51.100.9 198.51.100.3 tcp 40000 80 in
svc src,src 198.51.100.3 198.51.100.9 tcp 80 40000 in
svc src,dst 198.51.100.3 198.51.100.9 tcp 80 40000 not-in
svc dst 198.51.100.9 198.51.100.3 tcp 40000 80 never
ipp src,dst,dst 198.51.100.2 203.0.113.2 tcp 40000 443 in
ports dst 198.51.100.9 198.51.100.3 tcp 40000 22 in
ports src 198.51.100.9 198.51.100.3 udp 40000 22 not-in
blk6 src 198.51.100.10 198.51.100.1 tcp 1 2 never
XT

# real traffic: the kernel's -m set drops the ping exactly while the probe says "in"
at srv iptables-nft -A INPUT -p icmp -m set --match-set blk src -j DROP || t_fail "iptables-nft -m set rule"
for round in out in; do
	[ $round = in ] && S add blk 198.51.100.2
	if at cli ping -c 1 -W 1 198.51.100.1 >/dev/null 2>&1; then fate=passes; else fate=dropped; fi
	got=$(at srv "$PROBE" xt blk src 198.51.100.2 198.51.100.1 icmp 0 0)
	want=passes; [ "$got" = in ] && want=dropped
	[ $round = out ] && exp="not in" || exp="in"
	if [ "$got" = "$exp" ] && [ "$fate" = "$want" ]; then
		t_ok "traffic: client $round the set, probe '$got', ping $fate"
	else
		t_fail "traffic: client $round the set, probe '$got' (expected '$exp'), ping $fate"
	fi
done

# pathcheck's own verdict on -m set rules (issue 20 item 1), each against a TCP connect
# from the client through the same rules: the kernel tests the packet's key (IPSET_CMD_TEST).
. tests/lib/pathcheck.sh
LPIDS=""
listen() {
	at srv python3 -c '
import socket, sys, time
s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", int(sys.argv[1]))); s.listen(16); time.sleep(120)' "$1" &
	LPIDS="$LPIDS $!"
	for _ in $(seq 1 20); do at srv ss -ltn "sport = :$1" | grep -q LISTEN && return 0; sleep 0.1; done
	return 1
}
# truth WANT PORT NAME: a TCP connect from the client to 198.51.100.1:PORT is WANT (open|dropped).
truth() {
	local got
	got=$(at cli python3 -c '
import socket, sys
s = socket.socket(); s.settimeout(1)
try:
    s.connect(("198.51.100.1", int(sys.argv[1]))); print("open")
except socket.timeout:
    print("dropped")
except Exception as e:
    print(e)' "$2")
	[ "$got" = "$1" ] && t_ok "$3: truth, $1" || t_fail "$3: truth, want $1, got $got"
}
for p in 8080 8081 8082; do listen $p || t_fail "listener on $p"; done
S create web hash:ip,port
S add web 198.51.100.2,tcp:8081
S create lst list:set
S add lst blk
at srv iptables-nft -F INPUT
at srv iptables-nft -A INPUT -p tcp --dport 8080 -m set --match-set blk src -j DROP
at srv iptables-nft -A INPUT -p tcp -m set --match-set web src,dst -j DROP
IN=(-N "$(ns srv)" --from 198.51.100.2 --iif s0)
S del blk 198.51.100.2 2>/dev/null
truth open 8080 "-m set blk src, client not in the set"
check "-m set blk src, client not in the set" null/NONE ok 0 "${IN[@]}" 198.51.100.1:8080
S add blk 198.51.100.2
truth dropped 8080 "-m set blk src, client in the set"
check "-m set blk src, client in the set" input/XT_RULE_DROP fail 1 "${IN[@]}" 198.51.100.1:8080
expect_ev "-m set blk src: the rule as iptables-save shows it" input \
	'.evidence.chains[0].rule | test("-m set --match-set blk src")' true
truth dropped 8081 "-m set web src,dst: the client's address and the port in the set"
check "-m set web src,dst: address and port in the set" input/XT_RULE_DROP fail 1 "${IN[@]}" 198.51.100.1:8081
expect_ev "-m set web src,dst: the rule" input '.evidence.chains[0].rule | test("--match-set web src,dst")' true
truth open 8082 "-m set web src,dst: the port not in the set"
check "-m set web src,dst: the port not in the set" null/NONE ok 0 "${IN[@]}" 198.51.100.1:8082
# A key pathcheck cannot form (the source port is the kernel's pick) and a type it does not test: unknown, named.
at srv iptables-nft -I INPUT 1 -p tcp --dport 8082 -m set --match-set web src,src -j DROP
check "-m set web src,src: the source port not known" input/UNDECIDED_RULE unknown 3 "${IN[@]}" 198.51.100.1:8082
expect_ev "-m set web src,src: why" input '.summary | test("source port is not known")' true
check "-m set web src,src with --sport: decided" null/NONE ok 0 "${IN[@]}" --sport 40000 198.51.100.1:8082
at srv iptables-nft -D INPUT 1
at srv iptables-nft -I INPUT 1 -p tcp --dport 8082 -m set --match-set lst src -j DROP
check "-m set of type list:set" input/UNDECIDED_RULE unknown 3 "${IN[@]}" 198.51.100.1:8082
expect_ev "-m set list:set: the type named" input '.summary | test("list:set")' true
for p in $LPIDS; do kill "$p" 2>/dev/null; done
t_done
