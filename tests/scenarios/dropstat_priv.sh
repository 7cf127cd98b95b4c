#!/bin/bash
# dropstat without privilege, and with bad input. As nobody, skb:kfree_skb
# cannot be read (tracefs, perf_event_open): the ledger is unknown and says
# what it needs, the counters still run, conntrack's (CAP_NET_ADMIN) is unknown
# too, and nothing moving means exit 3. Bad input: one line naming it, exit 2.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh
. tests/lib/dropstat.sh

command -v setpriv >/dev/null || { t_skip "unprivileged run" "no setpriv"; t_done; exit; }
bin=$(realpath "$DS")
nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all "$@"; }

run_json out nobody "$bin" -j -i 0.3 -c 1 --threshold 1000000
expect_rc "as nobody" 3
expect_jq "ledger unknown" "$out" '.tracepoint.status' unknown
expect_jq "... naming what it needs" "$out" '.tracepoint.needs | test("root|CAP_PERFMON")' true
expect_jq "no drops made up" "$out" '[(.drops | length), (.stations | length)] | map(tostring) | join(" ")' '0 0'
expect_jq "link counters still read" "$out" '.counters[] | select(.counter=="rx_missed") | .status' ok
expect_jq "softnet still read" "$out" '.counters[] | select(.counter=="softnet_dropped") | .status' ok
expect_jq "snmp still read" "$out" '.counters[] | select(.counter=="listen_overflows") | .status' ok
expect_jq "conntrack unknown, with what it needs" "$out" \
	'.counters[] | select(.counter=="conntrack_drop") | [.status, (.needs | test("CAP_NET_ADMIN|Operation not permitted"))] | map(tostring) | join(" ")' 'unknown true'
if grep -q 'skb:kfree_skb: .*counters still run' <<<"$ERR"; then t_ok "stderr says the ledger is missing and why"
else t_fail "stderr: '$ERR'"; fi
run_json prom nobody "$bin" --prom -i 0.3 -c 1 --threshold 1000000
promcheck "as nobody --prom" "$prom"
if grep -q '^pktpath_dropstat_tracepoint_up 0$' <<<"$prom" && ! grep -q '^pktpath_kernel_drops_total' <<<"$prom"; then
	t_ok "--prom: tracepoint_up 0, no drop families"; else t_fail "--prom: tracepoint"; grep tracepoint <<<"$prom" | sed 's/^/# /'; fi
if grep -q '^pktpath_dropstat_run_success 1$' <<<"$prom"; then t_ok "--prom: the run completed"; else t_fail "--prom: run_success"; fi

bad() {	# NAME ARGS...: exit 2, one line on stderr naming the input
	local name=$1; shift
	run_json o "$DS" "$@"
	local lines; lines=$(printf '%s\n' "$ERR" | grep -vc '^Try ')
	if [ "$RC" = 2 ] && [ "$lines" = 1 ] && [ -z "$o" ]; then t_ok "bad input $name: exit 2, one line"
	else t_fail "bad input $name: exit $RC, stderr '$ERR', stdout '$o'"; fi
}
bad "-i 0" -i 0
bad "-i x" -i x
bad "-c 0" -c 0
bad "--threshold -1" --threshold -1
bad "--top x" --top x
bad "--bogus" --bogus
bad "extra argument" extra
bad "-N no-such-namespace" -N "pp-no-such-ns-$$"
t_done
