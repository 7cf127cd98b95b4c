#!/bin/bash
# Fleet use, tested against the real programs: Debian's prometheus-node-exporter
# reads what the tools write with --prom-file into its textfile directory, and
# Prometheus evaluates contrib/prometheus/pktpath.rules.yml on what it scrapes.
#
#   - node_exporter runs on 127.0.0.1 on a free high port, textfile collector only,
#     pointed at a temporary directory (never the machine's default port or dir);
#   - every tool exports from a lab namespace; promtool check metrics accepts
#     every export; the scrape has our series with the right values and
#     node_textfile_scrape_error 0;
#   - a broken path, a FAILED gateway and a failed run show as they should, and
#     Prometheus with our rules has the matching alerts pending;
#   - 20 concurrent runs write one --prom-file while a reader and a scraper loop:
#     never a partial file, never a scrape error, no temporary file left behind.
cd "$(dirname "$0")/../.." || exit 1
. tests/lib/lab.sh

TMP=$(mktemp -d /tmp/pp-fleet.XXXXXX)
TXT=$TMP/textfile
mkdir -p "$TXT"
NE_PID="" PROM_PID="" POLICY_RC=""

fleet_cleanup() {
	[ -n "$PROM_PID" ] && kill "$PROM_PID" 2>/dev/null && wait "$PROM_PID" 2>/dev/null
	[ -n "$NE_PID" ] && kill "$NE_PID" 2>/dev/null && wait "$NE_PID" 2>/dev/null
	[ -n "$POLICY_RC" ] && rm -f "$POLICY_RC"
	rm -rf "$TMP"
	lab_cleanup
}
trap fleet_cleanup EXIT
trap 'fleet_cleanup; exit 130' INT TERM

NE=/usr/bin/prometheus-node-exporter

# ---- node_exporter: Debian's package, installed if missing ----
if [ ! -x "$NE" ]; then
	# The package starts its service on :9100 when installed; a policy-rc.d that
	# refuses every start keeps it from running (honoured by invoke-rc.d and
	# deb-systemd-invoke). Only when there is none already.
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		POLICY_RC=/usr/sbin/policy-rc.d
		printf '#!/bin/sh\nexit 101\n' >"$POLICY_RC" && chmod 0755 "$POLICY_RC"
	fi
	before=$(pgrep -x prometheus-node 2>/dev/null; pgrep -f "^$NE" 2>/dev/null)
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
		prometheus-node-exporter >"$TMP/apt.log" 2>&1
	# Whatever the install started anyway is stopped, by its pid.
	for p in $(pgrep -f "^$NE" 2>/dev/null); do
		case " $before " in *" $p "*) ;; *) kill "$p" 2>/dev/null ;; esac
	done
	[ -n "$POLICY_RC" ] && rm -f "$POLICY_RC" && POLICY_RC=""
fi
if [ ! -x "$NE" ]; then
	t_skip "prometheus-node-exporter" "not installed and apt-get install failed"
	sed 's/^/# /' "$TMP/apt.log" 2>/dev/null | tail -5
	t_done; exit
fi
t_ok "prometheus-node-exporter installed ($("$NE" --version 2>&1 | head -1 | awk '{print $3}'))"

# prom FILE NAME [LABEL=VALUE...]: the values of the series NAME whose labels
# include every LABEL=VALUE, one per line (text exposition, any label order).
cat >"$TMP/prom.py" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
name, want = sys.argv[2], dict(a.split("=", 1) for a in sys.argv[3:])
lab = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')
for line in text.splitlines():
    if not line or line.startswith("#"):
        continue
    m = re.match(r'([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)', line)
    if not m or m.group(1) != name:
        continue
    labels = dict(lab.findall(m.group(3) or ""))
    if all(labels.get(k, "") == v for k, v in want.items()):
        print(m.group(4))
EOF
prom() { python3 "$TMP/prom.py" "$@"; }

# expect_prom NAME FILE METRIC WANT [LABEL=VALUE...]: exactly one series, value WANT
# (compared as numbers).
expect_prom() {
	local name=$1 file=$2 metric=$3 want=$4 got; shift 4
	got=$(prom "$file" "$metric" "$@")
	if [ "$(wc -l <<<"$got")" = 1 ] && [ -n "$got" ] &&
	   python3 -c "import sys; sys.exit(float('$got') != float('$want'))" 2>/dev/null; then
		t_ok "$name"
	else
		t_fail "$name: $metric{$*} = '$(tr '\n' ' ' <<<"$got")', expected $want"
		grep "^$metric" "$file" | head -10 | sed 's/^/# /'
	fi
}

# http_get URL: the body on stdout, non-zero on any error (curl, or python3
# where curl is not installed).
http_get() {
	if command -v curl >/dev/null; then curl -sf "$1"; else
		python3 -c 'import sys, urllib.request
sys.stdout.write(urllib.request.urlopen(sys.argv[1], timeout=5).read().decode())' "$1" 2>/dev/null
	fi
}

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# ---- start node_exporter on loopback, textfile collector only ----
for try in 1 2 3; do
	NE_PORT=$(free_port)
	"$NE" --web.listen-address="127.0.0.1:$NE_PORT" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$TXT" >"$TMP/ne.log" 2>&1 &
	NE_PID=$!
	for _ in $(seq 50); do
		http_get "http://127.0.0.1:$NE_PORT/metrics" >/dev/null 2>&1 && break 2
		kill -0 "$NE_PID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$NE_PID" 2>/dev/null; wait "$NE_PID" 2>/dev/null; NE_PID=""
done
if [ -z "$NE_PID" ]; then
	t_fail "node_exporter did not start"; sed 's/^/# /' "$TMP/ne.log" | tail -5
	t_done; exit
fi
t_ok "node_exporter listens on 127.0.0.1:$NE_PORT (textfile collector, $TXT)"
scrape() { http_get "http://127.0.0.1:$NE_PORT/metrics" >"$1"; }

# ---- the lab: cli -- rtr -- srv; a shaped link, a gateway nobody answers for ----
lab_three || { t_fail "lab"; t_done; exit; }
nsrun cli tc qdisc add dev c0 root tbf rate 10mbit burst 32kb latency 50ms
# 203.0.113.64/26 via 198.51.100.3: no host has that address, its ARP fails.
nsrun cli ip route add 203.0.113.64/26 via 198.51.100.3
nsrun cli ping -c1 -W1 203.0.113.65 >/dev/null 2>&1
nsrun cli ping -c1 -W1 203.0.113.2 >/dev/null 2>&1
# Traffic through the router, so its conntrack table has entries.
nsrun rtr nft add table inet pp
nsrun rtr nft add chain inet pp through '{ type filter hook forward priority 0; }'
nsrun rtr nft add rule inet pp through ct state new,established counter accept
nsrun cli ping -c2 -i0.2 -W1 203.0.113.2 >/dev/null 2>&1
# A path that dies: the client's output chain drops TCP to port 444.
nsrun cli nft add table inet pp
nsrun cli nft add chain inet pp out '{ type filter hook output priority 0; }'
nsrun cli nft add rule inet pp out tcp dport 444 drop

CLI=$(ns cli) RTR=$(ns rtr)

# export NAME TOOL ARGS...: run TOOL with --prom-file into the textfile dir;
# the file passes promtool check metrics. RC is the tool's exit status.
export_run() {
	local name=$1 tool=$2 out; shift 2
	"$BIN/$tool" "$@" --prom-file "$TXT/pktpath_$tool.prom" >"$TMP/out" 2>"$TMP/err"
	RC=$?
	if [ ! -s "$TXT/pktpath_$tool.prom" ]; then
		t_fail "$name: no export (exit $RC)"; sed 's/^/# stderr: /' "$TMP/err" | head -5
		return 1
	fi
	if out=$(promtool check metrics <"$TXT/pktpath_$tool.prom" 2>&1); then
		t_ok "$name: exit $RC, promtool check metrics accepts pktpath_$tool.prom"
	else
		t_fail "$name: promtool check metrics"; printf '%s\n' "$out" | head -10 | sed 's/^/# /'
	fi
}

# ---- healthy exports of every tool ----
export_run "pathcheck healthy target" pathcheck -N "$CLI" 203.0.113.2:443
[ "$RC" = 0 ] || t_fail "pathcheck healthy target: exit $RC, expected 0"
export_run "neighwatch" neighwatch -N "$CLI"
export_run "ctdump -S" ctdump -N "$RTR" -S
export_run "qdiscstat" qdiscstat -N "$CLI"
export_run "nicstat" nicstat -N "$CLI"
export_run "pmtuprobe" pmtuprobe -N "$CLI" -t 0.3 -w 20 203.0.113.2
# dropstat's exit status follows the host's drops (skb:kfree_skb is global): only its export is asserted.
export_run "dropstat" dropstat -N "$CLI" -i 0.3 -c 1 --threshold 1000000000

S=$TMP/scrape1
if scrape "$S"; then t_ok "scrape"; else t_fail "scrape"; fi
expect_prom "node_textfile_scrape_error 0" "$S" node_textfile_scrape_error 0
now=$(date +%s)
for tool in pathcheck neighwatch ctdump qdiscstat nicstat pmtuprobe dropstat; do
	expect_prom "$tool: run_success 1" "$S" "pktpath_${tool}_run_success" 1
	ts=$(prom "$S" "pktpath_${tool}_last_run_timestamp_seconds")
	if [ -n "$ts" ] && python3 -c "import sys; sys.exit(abs($now - float('$ts')) > 120)"; then
		t_ok "$tool: last_run_timestamp_seconds is now"
	else
		t_fail "$tool: last_run_timestamp_seconds '$ts', now $now"
	fi
	if [ -n "$(prom "$S" node_textfile_mtime_seconds "file=$TXT/pktpath_$tool.prom")" ]; then
		t_ok "$tool: node_exporter read pktpath_$tool.prom"
	else
		t_fail "$tool: no node_textfile_mtime_seconds for pktpath_$tool.prom"
	fi
done
expect_prom "pathcheck: path_ok 1 for the healthy target" "$S" pktpath_pathcheck_path_ok 1 \
	target=203.0.113.2 dst=203.0.113.2 proto=tcp port=443 direction=egress
expect_prom "pathcheck: verdict ok" "$S" pktpath_pathcheck_verdict_info 1 target=203.0.113.2 status=ok cause=NONE
expect_prom "neighwatch: the unresolvable gateway is a nexthop_failed finding" "$S" \
	pktpath_neighwatch_findings 1 kind=nexthop_failed severity=fail
expect_prom "neighwatch: REACHABLE entry for the router" "$S" pktpath_neighwatch_entries 1 \
	family=inet device=c0 state=REACHABLE
ctmax=$(nsrun rtr cat /proc/sys/net/netfilter/nf_conntrack_max)
expect_prom "ctdump: entries_limit is nf_conntrack_max" "$S" pktpath_ctdump_entries_limit "$ctmax"
ctn=$(prom "$S" pktpath_ctdump_entries)
if [ -n "$ctn" ] && [ "$ctn" -ge 1 ] 2>/dev/null; then t_ok "ctdump: $ctn entries in the router's table"
else t_fail "ctdump: entries '$ctn', expected at least 1"; fi
expect_prom "qdiscstat: the tbf root on c0 is exported" "$S" pktpath_qdiscstat_qdisc_drops_total 0 \
	device=c0 kind=tbf parent=root
expect_prom "nicstat: c0 is up" "$S" pktpath_nicstat_network_up 1 device=c0 kind=veth
expect_prom "pmtuprobe: path MTU 1500" "$S" pktpath_pmtuprobe_path_mtu_bytes 1500 dst=203.0.113.2
expect_prom "pmtuprobe: no black hole" "$S" pktpath_pmtuprobe_black_hole 0 dst=203.0.113.2
expect_prom "dropstat: the tracepoint was read" "$S" pktpath_dropstat_tracepoint_up 1

# Every pktpath metric the alert rules name is in the scrape (HELP line).
missing=""
for m in $(grep -oE 'pktpath_[a-z0-9_]+' contrib/prometheus/pktpath.rules.yml | sort -u); do
	case $m in pktpath_) continue ;; esac
	grep -q "^# HELP $m " "$S" || missing="$missing $m"
done
# A veth has no pause frames or FEC: those families come only from a NIC that
# reports them. nicstat's unit test renders one from a NIC's replies.
if [ -n "$missing" ] && [ -x "$BIN/../tests/test_nicstat" ]; then
	nic=$(mktemp)
	NICSTAT_PROM_SAMPLE=$nic "$BIN/../tests/test_nicstat" >/dev/null 2>&1
	still=""
	for m in $missing; do
		case $m in pktpath_nicstat_pause_*|pktpath_nicstat_fec_*|pktpath_nicstat_std_stat*)
			grep -q "^# HELP $m " "$nic" && continue ;;
		esac
		still="$still $m"
	done
	rm -f "$nic"
	[ "$missing" != "$still" ] && echo "# exported for a NIC only (nicstat's renderer on a NIC's replies):$(comm -23 <(tr ' ' '\n' <<<"$missing" | sort) <(tr ' ' '\n' <<<"$still" | sort) | tr '\n' ' ')"
	missing=$still
fi
if [ -z "$missing" ]; then t_ok "every metric the alert rules use is exported"
else t_fail "metrics the alert rules use but no tool exported:$missing"; fi

# ---- a path that dies, a failed run ----
export_run "pathcheck blocked target" pathcheck -N "$CLI" 203.0.113.2:444
[ "$RC" = 1 ] && t_ok "pathcheck blocked target: exit 1" || t_fail "pathcheck blocked target: exit $RC, expected 1"
# ctdump without CAP_NET_ADMIN cannot read the statistics: run_success 0.
nsrun rtr setpriv --bounding-set=-all --inh-caps=-all "$BIN/ctdump" -S \
	--prom-file "$TXT/pktpath_ctdump.prom" >/dev/null 2>&1
RC=$?
[ "$RC" = 3 ] && t_ok "ctdump without CAP_NET_ADMIN: exit 3" || t_fail "ctdump without CAP_NET_ADMIN: exit $RC, expected 3"
S=$TMP/scrape2
scrape "$S" || t_fail "second scrape"
expect_prom "node_textfile_scrape_error 0 (second scrape)" "$S" node_textfile_scrape_error 0
expect_prom "pathcheck: path_ok 0 for the blocked target" "$S" pktpath_pathcheck_path_ok 0 \
	target=203.0.113.2 port=444
expect_prom "pathcheck: verdict fail at output" "$S" pktpath_pathcheck_verdict_info 1 \
	target=203.0.113.2 status=fail station=output cause=NFT_RULE_DROP
expect_prom "ctdump without CAP_NET_ADMIN: run_success 0" "$S" pktpath_ctdump_run_success 0

# ---- pathcheck -f: many targets in one export (when this pathcheck has -f) ----
MULTI=""
if "$BIN/pathcheck" --help 2>&1 | grep -qE -- '(^|[[:space:]])-f[,[:space:]]'; then
	MULTI=1
	cat >"$TMP/targets" <<'EOF'
# pathcheck -f: DEST[:PORT] [proto] [name=LABEL]
203.0.113.2:443 name=web

203.0.113.2:444 tcp name=blocked
198.51.100.1 icmp name=gateway
[2001:db8:2::2]:443 name=web6
EOF
	export_run "pathcheck -f (4 targets)" pathcheck -N "$CLI" -f "$TMP/targets"
	[ "$RC" = 1 ] && t_ok "pathcheck -f: exit 1, the worst target's" || t_fail "pathcheck -f: exit $RC, expected 1"
	S=$TMP/scrape3
	scrape "$S" || t_fail "third scrape"
	expect_prom "node_textfile_scrape_error 0 (pathcheck -f)" "$S" node_textfile_scrape_error 0
	expect_prom "pathcheck -f: web path_ok 1" "$S" pktpath_pathcheck_path_ok 1 target=web
	expect_prom "pathcheck -f: blocked path_ok 0" "$S" pktpath_pathcheck_path_ok 0 target=blocked
	expect_prom "pathcheck -f: gateway path_ok 1" "$S" pktpath_pathcheck_path_ok 1 target=gateway proto=icmp
	expect_prom "pathcheck -f: web6 path_ok 1" "$S" pktpath_pathcheck_path_ok 1 target=web6 dst=2001:db8:2::2
	expect_prom "pathcheck -f: one run_success" "$S" pktpath_pathcheck_run_success 1
else
	t_skip "pathcheck -f" "this pathcheck has no -f yet"
fi

# ---- Prometheus with the rules: the alerts for what is broken are pending ----
if command -v prometheus >/dev/null; then
	P_PORT=$(free_port)
	cat >"$TMP/prometheus.yml" <<EOF
global: { scrape_interval: 1s, evaluation_interval: 1s }
rule_files: [ "$PWD/contrib/prometheus/pktpath.rules.yml" ]
scrape_configs:
  - job_name: node
    static_configs: [ { targets: [ "127.0.0.1:$NE_PORT" ] } ]
EOF
	prometheus --config.file="$TMP/prometheus.yml" --storage.tsdb.path="$TMP/tsdb" \
		--web.listen-address="127.0.0.1:$P_PORT" >"$TMP/prom.log" 2>&1 &
	PROM_PID=$!
	want_down='.data.alerts[] | select(.labels.alertname=="PktpathPathDown" and .labels.port=="444") | .state'
	for _ in $(seq 60); do
		A=$(http_get "http://127.0.0.1:$P_PORT/api/v1/alerts" 2>/dev/null)
		[ -n "$(jq -r "$want_down" <<<"$A" 2>/dev/null)" ] &&
		[ -n "$(jq -r '.data.alerts[] | select(.labels.alertname=="PktpathGatewayFailed")' <<<"$A" 2>/dev/null)" ] &&
		[ -n "$(jq -r '.data.alerts[] | select(.labels.alertname=="PktpathExportFailed")' <<<"$A" 2>/dev/null)" ] && break
		sleep 0.5
	done
	if [ -z "$A" ]; then
		t_fail "prometheus did not answer"; sed 's/^/# /' "$TMP/prom.log" | tail -5
	else
		expect_jq "prometheus: PktpathPathDown pending for the blocked target" "$A" "$want_down" pending
		expect_jq "prometheus: its station is output" "$A" \
			'.data.alerts[] | select(.labels.alertname=="PktpathPathDown" and .labels.port=="444") | .labels.station' output
		expect_jq "prometheus: its cause is NFT_RULE_DROP" "$A" \
			'.data.alerts[] | select(.labels.alertname=="PktpathPathDown" and .labels.port=="444") | .labels.cause' NFT_RULE_DROP
		expect_jq "prometheus: PktpathGatewayFailed pending" "$A" \
			'[.data.alerts[] | select(.labels.alertname=="PktpathGatewayFailed") | .state] | unique | join(",")' pending
		expect_jq "prometheus: PktpathExportFailed pending for ctdump" "$A" \
			'[.data.alerts[] | select(.labels.alertname=="PktpathExportFailed") | .labels.tool] | join(",")' ctdump
		expect_jq "prometheus: no stale export, no textfile error" "$A" \
			'[.data.alerts[] | select(.labels.alertname=="PktpathExportStale" or .labels.alertname=="PktpathTextfileError")] | length' 0
		if [ -n "$MULTI" ]; then
			expect_jq "prometheus: no PktpathPathDown for the healthy targets" "$A" \
				'[.data.alerts[] | select(.labels.alertname=="PktpathPathDown" and .labels.target!="blocked" and .labels.port!="444")] | length' 0
		fi
		R=$(http_get "http://127.0.0.1:$P_PORT/api/v1/rules" 2>/dev/null)
		expect_jq "prometheus: every rule evaluates without error" "$R" \
			'[.data.groups[].rules[] | select(.health == "err")] | length' 0
	fi
	kill "$PROM_PID" 2>/dev/null; wait "$PROM_PID" 2>/dev/null; PROM_PID=""
else
	t_skip "prometheus with the rules" "no prometheus binary"
fi

# ---- concurrency: 20 writers on one --prom-file, a reader and a scraper ----
F=$TXT/pktpath_pathcheck.prom
"$BIN/pathcheck" -N "$CLI" 203.0.113.2:443 --prom-file "$F" >/dev/null 2>&1
cat >"$TMP/reader.py" <<'EOF'
# Read the file over and over until told to stop; every read must be a whole
# export: well-formed lines only, ending with pktpath_<tool>_run_success.
import os, re, sys
path, stop = sys.argv[1], sys.argv[2]
open(os.path.join(os.path.dirname(stop), "ready"), "w").close()
sample = re.compile(r'^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*",?)*\})? '
                    r'(-?[0-9.e+-]+|NaN|\+Inf|-Inf)$')
meta = re.compile(r'^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (gauge|counter|untyped|histogram|summary))$')
reads = bad = 0
while True:
    done = os.path.exists(stop)
    with open(path) as f:
        text = f.read()
    reads += 1
    lines = text.split("\n")
    ok = text.endswith("\n") and lines[-1] == "" and \
        all(sample.match(l) or meta.match(l) for l in lines[:-1]) and \
        re.match(r'^pktpath_[a-z]+_run_success(\{[^}]*\})? [01]$', lines[-2] if len(lines) > 1 else "")
    if not ok:
        bad += 1
        if bad <= 3:
            sys.stderr.write("partial read (%d bytes): %r\n" % (len(text), text[-200:]))
    if done:
        break
print(reads, bad)
EOF
rm -f "$TMP/stop" "$TMP/ready"
python3 "$TMP/reader.py" "$F" "$TMP/stop" >"$TMP/reader.out" 2>"$TMP/reader.err" &
RPID=$!
( n=0 errs=0
  while [ ! -e "$TMP/stop" ]; do
	http_get "http://127.0.0.1:$NE_PORT/metrics" >"$TMP/s.cur" 2>/dev/null || { errs=$((errs + 1)); continue; }
	n=$((n + 1))
	grep -qx 'node_textfile_scrape_error 0' "$TMP/s.cur" || errs=$((errs + 1))
	grep -q '^pktpath_pathcheck_run_success[{ ]' "$TMP/s.cur" || errs=$((errs + 1))
  done
  echo "$n $errs" >"$TMP/scraper.out" ) &
SPID=$!
for _ in $(seq 100); do [ -e "$TMP/ready" ] && break; sleep 0.05; done
# 20 writers at once, each 5 runs in a row: 100 exports, 20 at a time.
pids=()
for i in $(seq 20); do
	if [ $((i % 2)) = 0 ]; then dest=203.0.113.2:443; else dest=203.0.113.2:444; fi
	( worst=0
	  for _ in 1 2 3 4 5; do
		"$BIN/pathcheck" -N "$CLI" "$dest" --prom-file "$F" >/dev/null 2>>"$TMP/w$i.err"
		r=$?; [ "$r" -le 1 ] || worst=$r
	  done
	  exit "$worst" ) &
	pids+=($!)
done
wrc=0
for p in "${pids[@]}"; do wait "$p"; r=$?; [ "$r" = 0 ] || wrc=$r; done
touch "$TMP/stop"
wait "$RPID"; wait "$SPID"
[ "$wrc" = 0 ] && t_ok "20 concurrent writers, 100 pathcheck runs on one --prom-file: all exit 0 or 1" ||
	{ t_fail "concurrent runs: an exit status $wrc"; cat "$TMP"/w*.err | head -5 | sed 's/^/# /'; }
read -r reads bad <"$TMP/reader.out"
if [ "${bad:-1}" = 0 ] && [ "${reads:-0}" -ge 20 ]; then
	t_ok "reader: $reads reads during the writes, every one a whole export"
else
	t_fail "reader: $reads reads, $bad partial"; sed 's/^/# /' "$TMP/reader.err" | head -6
fi
read -r scrapes serrs <"$TMP/scraper.out"
if [ "${serrs:-1}" = 0 ] && [ "${scrapes:-0}" -ge 1 ]; then
	t_ok "scraper: $scrapes scrapes during the writes, no textfile error"
else
	t_fail "scraper: $scrapes scrapes, $serrs with an error or without pathcheck's series"
fi
left=$(find "$TXT" -name 'pktpath_pathcheck.prom.*' | wc -l)
[ "$left" = 0 ] && t_ok "no temporary file left in the textfile directory" ||
	t_fail "$left temporary files left in the textfile directory"
if out=$(promtool check metrics <"$F" 2>&1); then t_ok "the last writer's export passes promtool"
else t_fail "the last export: promtool check metrics"; printf '%s\n' "$out" | head -5 | sed 's/^/# /'; fi
if grep -q 'was collected before' "$TMP/ne.log"; then
	t_fail "node_exporter logged duplicate series"; grep 'was collected before' "$TMP/ne.log" | head -3 | cut -c1-300 | sed 's/^/# /'
else
	t_ok "node_exporter logged no gathering error"
fi

t_done
