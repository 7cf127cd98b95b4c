# truth.sh: what real traffic from the lab's client does, for the firewall scenarios
# (pathcheck_firewalld, pathcheck_ufw, pathcheck_fail2ban). Source after lab.sh.

# truth NAME WANT FAM FROM DEST PORT: socat from the client, bound to FROM; WANT is ok
# (connects), refused (a RST), unreach (an ICMP destination unreachable came back:
# firewalld's reject; the client's ICMP counters tell, as Linux fails an IPv6 connect
# on none of them and an IPv4 one on a port unreachable as "refused") or timeout
# (nothing came back: a drop).
# TRUTH_NS: the lab role that sends (default cli).
icmp_unreach() { nsrun "${TRUTH_NS:-cli}" nstat -asz IcmpInDestUnreachs Icmp6InDestUnreachs 2>/dev/null | awk 'NF>=2 {s+=$2} END {print s+0}'; }
truth() {
	local name=$1 want=$2 fam=$3 from=$4 dst=$5 port=$6 out rc got u0
	u0=$(icmp_unreach)
	if [ "$fam" = 6 ]; then
		out=$(nsrun "${TRUTH_NS:-cli}" socat -u /dev/null "TCP6:[$dst]:$port,bind=[$from],connect-timeout=1" 2>&1)
	else
		out=$(nsrun "${TRUTH_NS:-cli}" socat -u /dev/null "TCP4:$dst:$port,bind=$from,connect-timeout=1" 2>&1)
	fi
	rc=$?
	if [ $rc = 0 ]; then got=ok
	elif [ "$(icmp_unreach)" -gt "$u0" ]; then got=unreach
	elif [[ $out == *refused* ]]; then got=refused
	elif [[ $out == *"timed out"* ]]; then got=timeout
	else got="other: $out"; fi
	if [ "$got" = "$want" ]; then t_ok "$name: traffic: $want"; else t_fail "$name: traffic: $got, expected $want"; fi
}

# truth_ping NAME WANT FAM FROM DEST: one echo request from the client, bound to FROM;
# WANT is ok (a reply), unreach (an ICMP destination unreachable came back) or timeout.
truth_ping() {
	local name=$1 want=$2 fam=$3 from=$4 dst=$5 got u0
	u0=$(icmp_unreach)
	if nsrun "${TRUTH_NS:-cli}" ping -"$fam" -n -c1 -W1 -I "$from" "$dst" >/dev/null 2>&1; then got=ok
	elif [ "$(icmp_unreach)" -gt "$u0" ]; then got=unreach
	else got=timeout; fi
	if [ "$got" = "$want" ]; then t_ok "$name: ping: $want"; else t_fail "$name: ping: $got, expected $want"; fi
}
