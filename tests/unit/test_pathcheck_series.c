/*
 * test_pathcheck_series: --count's arithmetic (quantiles, loss, the pattern of the
 * losses, mixed outcomes) on series built by hand or judged from recorded
 * observations, and the verdict the evaluator gives each kind of series.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fib_rules.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "../../cmd/pathcheck/pathcheck.h"
#include "../../cmd/pathcheck/probe_series.h"
#include "tap.h"

static struct pc_series_probe p[400];
static struct pc_series_stats st;
static char buf[512];

/* A series from letters: ! answered (connected, rtt ms from rtt[] or 1 ms), . silence, R refused, U icmp, E senderr. */
static size_t
series(const char *letters, const double *rtt_ms)
{
	size_t n = strlen(letters);

	memset(p, 0, sizeof(p));
	for (size_t i = 0; i < n; i++) {
		p[i].t0 = 100.0 + (double)i;
		switch (letters[i]) {
		case '!': p[i].outcome = PC_PR_CONNECTED; p[i].decisive = true; break;
		case 'R': p[i].outcome = PC_PR_REFUSED; p[i].decisive = true; break;
		case 'U': p[i].outcome = PC_PR_ICMP; p[i].decisive = true; break;
		case 'E': p[i].outcome = PC_PR_SENDERR; break;
		default: p[i].outcome = PC_PR_SILENCE; break;
		}
		if (p[i].decisive) {
			p[i].rtt = (rtt_ms ? rtt_ms[i] : 1.0) / 1e3;
			p[i].t_decided = p[i].rtt;
		}
	}
	pc_series_stats(p, n, &st);
	return n;
}

static void
quantiles_nearest_rank(void)
{
	double v[10] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 }, one = 7, two[2] = { 1, 2 };

	CHECK(pc_quantile(v, 10, 0.5) == 5);
	CHECK(pc_quantile(v, 10, 0.9) == 9);
	CHECK(pc_quantile(v, 10, 0) == 1);
	CHECK(pc_quantile(v, 10, 1) == 10);
	CHECK(pc_quantile(v, 10, 0.91) == 10);
	CHECK(pc_quantile(&one, 1, 0.5) == 7);
	CHECK(pc_quantile(&one, 1, 0.9) == 7);
	CHECK(pc_quantile(two, 2, 0.5) == 1);
	CHECK(pc_quantile(two, 2, 0.9) == 2);
}

static void
all_answered(void)
{
	/* RTTs out of order: the quantiles sort them; only answered probes count. */
	double r[10] = { 0.9, 0.1, 0.5, 0.2, 0.3, 0.4, 0.6, 0.7, 0.8, 0.25 };

	series("!!!!!!!!!!", r);
	CHECK_EQ_INT(st.status, PC_SERIES_ALL);
	CHECK_EQ_INT(st.sent, 10);
	CHECK_EQ_INT(st.answered, 10);
	CHECK(st.loss_percent == 0);
	CHECK(st.has_rtt);
	CHECK(st.rtt_min == 0.1 / 1e3);
	CHECK(st.rtt_max == 0.9 / 1e3);
	CHECK(st.rtt_p50 == 0.4 / 1e3);
	CHECK(st.rtt_p90 == 0.8 / 1e3);
	CHECK_EQ_INT(st.pattern, PC_PAT_NONE);
	pc_series_line(&st, buf, sizeof(buf));
	CHECK_STR(buf, "10 sent, 10 answered, 0% loss, rtt min/p50/p90/max 0.100/0.400/0.800/0.900 ms");
}

static void
none_answered(void)
{
	series(".....", NULL);
	CHECK_EQ_INT(st.status, PC_SERIES_NONE);
	CHECK(st.loss_percent == 100);
	CHECK(!st.has_rtt);
	CHECK_EQ_INT(st.pattern, PC_PAT_NONE);
	CHECK_EQ_INT(st.kinds, 1);
	pc_series_line(&st, buf, sizeof(buf));
	CHECK_STR(buf, "5 sent, 0 answered, 100% loss");
	/* Refused and silent: none answered, two kinds of failure. */
	series("RR.R.", NULL);
	CHECK_EQ_INT(st.status, PC_SERIES_NONE);
	CHECK_EQ_INT(st.kinds, 2);
	CHECK(!st.has_rtt);	/* a refusal's time is no round trip of an answer */
	pc_series_outcome_counts(&st, buf, sizeof(buf));
	CHECK_STR(buf, "3 refused, 2 silence");
}

static void
ping_like_line(void)
{
	double r[100];
	char l[101];

	for (int i = 0; i < 100; i++) {
		r[i] = 0.2;
		l[i] = i % 10 == 3 ? '.' : '!';
	}
	l[100] = '\0';
	r[0] = 0.1;
	r[99] = 0.9;
	series(l, r);
	CHECK_EQ_INT(st.status, PC_SERIES_FLAKY);
	pc_series_line(&st, buf, sizeof(buf));
	CHECK_STR(buf, "100 sent, 90 answered, 10% loss, rtt min/p50/p90/max 0.100/0.200/0.200/0.900 ms");
	/* Every 10th lost, at the same place: a period, not scattered. */
	CHECK_EQ_INT(st.pattern, PC_PAT_PERIODIC);
	CHECK_EQ_INT(st.period, 10);
	pc_series_pattern_words(&st, buf, sizeof(buf));
	CHECK_STR(buf, "every 10th one lost");
	series("!!.", NULL);
	pc_series_line(&st, buf, sizeof(buf));
	CHECK_STR(buf, "3 sent, 2 answered, 33.33% loss, rtt min/p50/p90/max 1.000/1.000/1.000/1.000 ms");
}

static void
pattern_every_other(void)
{
	series("!.!.!.!.!.", NULL);
	CHECK_EQ_INT(st.status, PC_SERIES_FLAKY);
	CHECK_EQ_INT(st.pattern, PC_PAT_EVERY_OTHER);
	CHECK_EQ_INT(st.period, 2);
	CHECK_STR(pc_series_pattern_id(st.pattern), "every_other");
	pc_series_pattern_words(&st, buf, sizeof(buf));
	CHECK_STR(buf, "every other one lost");
	/* The other phase is every other one too. */
	series(".!.!.!.!", NULL);
	CHECK_EQ_INT(st.pattern, PC_PAT_EVERY_OTHER);
	/* One probe off the beat: scattered. */
	series("!.!.!!!.!.", NULL);
	CHECK_EQ_INT(st.pattern, PC_PAT_SCATTERED);
}

static void
pattern_periodic(void)
{
	series("!!.!!.!!.", NULL);
	CHECK_EQ_INT(st.pattern, PC_PAT_PERIODIC);
	CHECK_EQ_INT(st.period, 3);
	pc_series_pattern_words(&st, buf, sizeof(buf));
	CHECK_STR(buf, "every 3rd one lost");
	/* Seen once only: no period (one lost in the middle). */
	series("!!.!", NULL);
	CHECK_EQ_INT(st.pattern, PC_PAT_BURST);
}

static void
pattern_bursts(void)
{
	series("...!!!!!!!", NULL);
	CHECK_EQ_INT(st.pattern, PC_PAT_BURST_START);
	CHECK_EQ_INT(st.burst_first, 1);
	CHECK_EQ_INT(st.burst_last, 3);
	pc_series_pattern_words(&st, buf, sizeof(buf));
	CHECK_STR(buf, "a burst at the start (probes 1-3)");
	/* The first alone (a next hop resolved while it waited). */
	series(".!!!!", NULL);
	CHECK_EQ_INT(st.pattern, PC_PAT_BURST_START);
	pc_series_pattern_words(&st, buf, sizeof(buf));
	CHECK_STR(buf, "a burst at the start (probe 1)");
	series("!!!!!!!...", NULL);
	CHECK_EQ_INT(st.pattern, PC_PAT_BURST_END);
	CHECK_EQ_INT(st.burst_first, 8);
	CHECK_EQ_INT(st.burst_last, 10);
	pc_series_pattern_words(&st, buf, sizeof(buf));
	CHECK_STR(buf, "a burst at the end (probes 8-10)");
	series("!!!....!!!", NULL);
	CHECK_EQ_INT(st.pattern, PC_PAT_BURST);
	pc_series_pattern_words(&st, buf, sizeof(buf));
	CHECK_STR(buf, "one burst (probes 4-7)");
	series("!!!!.!!!!!", NULL);
	pc_series_pattern_words(&st, buf, sizeof(buf));
	CHECK_STR(buf, "one lost (probe 5)");
}

static void
pattern_scattered(void)
{
	series("!.!!!..!!!!.!!!!!!.!", NULL);
	CHECK_EQ_INT(st.status, PC_SERIES_FLAKY);
	CHECK_EQ_INT(st.pattern, PC_PAT_SCATTERED);
	CHECK(st.loss_percent == 25);
	CHECK_STR(pc_series_pattern_id(st.pattern), "scattered");
}

static void
mixed_decisive_is_not_ok(void)
{
	/* Refused and connected by turns (a load balancer with a dead backend): never ok. */
	series("!R!R!R!R!R", NULL);
	CHECK_EQ_INT(st.status, PC_SERIES_FLAKY);
	CHECK_EQ_INT(st.answered, 5);
	CHECK_EQ_INT(st.by_outcome[PC_PR_CONNECTED], 5);
	CHECK_EQ_INT(st.by_outcome[PC_PR_REFUSED], 5);
	CHECK_EQ_INT(st.kinds, 2);
	CHECK_EQ_INT(st.pattern, PC_PAT_EVERY_OTHER);
	pc_series_outcome_counts(&st, buf, sizeof(buf));
	CHECK_STR(buf, "5 connected, 5 refused");
	pc_series_sequence(p, 10, buf, sizeof(buf));
	CHECK_STR(buf, "!R!R!R!R!R");
	/* An ICMP error and a local failure are no answers either. */
	series("!U!E", NULL);
	CHECK_EQ_INT(st.status, PC_SERIES_FLAKY);
	CHECK_EQ_INT(st.answered, 2);
	pc_series_sequence(p, 4, buf, sizeof(buf));
	CHECK_STR(buf, "!U!E");
	/* A short buffer is cut, never overrun. */
	pc_series_sequence(p, 4, buf, 3);
	CHECK_STR(buf, "!U");
}

static void
empty_series(void)
{
	series("", NULL);
	CHECK_EQ_INT(st.status, PC_SERIES_EMPTY);
	CHECK_EQ_INT(st.sent, 0);
	CHECK(!st.has_rtt);
}

/* ---- per probe, the success needs its evidence: records judged one by one ---- */

static struct pc_obs o;

static void
rec(uint8_t proto)
{
	memset(&o, 0, sizeof(o));
	o.family = AF_INET;
	o.proto = proto;
	inet_pton(AF_INET, "203.0.113.2", &o.dst.u.v4);
	o.dst.family = AF_INET;
	inet_pton(AF_INET, "198.51.100.2", &o.src.u.v4);
	o.src.family = AF_INET;
	o.wire = true;
}

static void
judged(size_t k)
{
	struct pc_judgement j;

	pc_probe_judge(&o, &j);
	p[k].outcome = j.outcome;
	p[k].rtt = j.rtt;
	p[k].decisive = j.decisive;
	p[k].t_decided = j.t_decided;
	p[k].t0 = (double)k;
}

static void
each_probe_judged_from_its_record(void)
{
	memset(p, 0, sizeof(p));
	/* 1: the SYN-ACK on the wire, the socket connected. */
	rec(IPPROTO_TCP);
	pc_obs_add(&o, 0, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	pc_obs_add(&o, 0.0001, PC_OBS_WIRE_OUT, 0, 0, 0);
	pc_obs_add(&o, 0.0004, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_SYNACK);
	pc_obs_add(&o, 0.0005, PC_OBS_POLL, 0, 0, POLLOUT);
	pc_obs_add(&o, 0.0005, PC_OBS_SOERROR, 0, 0, 0);
	pc_obs_add(&o, 0.0005, PC_OBS_PEERNAME, 0, 0, 0);
	judged(0);
	/* 2: writable, SO_ERROR 0, but getpeername fails (the error consumed): not a success, a local failure. */
	rec(IPPROTO_TCP);
	pc_obs_add(&o, 0, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	pc_obs_add(&o, 1.0, PC_OBS_POLL, 0, 0, POLLOUT | POLLERR | POLLHUP);
	pc_obs_add(&o, 1.0, PC_OBS_SOERROR, 0, 0, 0);
	pc_obs_add(&o, 1.0, PC_OBS_PEERNAME, -1, ENOTCONN, 0);
	judged(1);
	/* 3: silence until the timeout. */
	rec(IPPROTO_TCP);
	pc_obs_add(&o, 0, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	pc_obs_add(&o, 0.0001, PC_OBS_WIRE_OUT, 0, 0, 0);
	pc_obs_add(&o, 0.25, PC_OBS_TIMEOUT, 0, 0, 0);
	judged(2);
	/* 4: a RST. */
	rec(IPPROTO_TCP);
	pc_obs_add(&o, 0, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	pc_obs_add(&o, 0.0003, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_RST);
	pc_obs_add(&o, 0.0004, PC_OBS_POLL, 0, 0, POLLOUT | POLLERR | POLLHUP);
	pc_obs_add(&o, 0.0004, PC_OBS_SOERROR, 0, ECONNREFUSED, 0);
	judged(3);
	/* 5: an ICMP echo reply received that is ours. */
	rec(IPPROTO_ICMP);
	pc_obs_add(&o, 0, PC_OBS_CONNECT, 0, 0, 0);
	pc_obs_add(&o, 0, PC_OBS_SEND, 64, 0, 0);
	pc_obs_add(&o, 0.0002, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_ECHOREPLY);
	pc_obs_add(&o, 0.0003, PC_OBS_RECV, 64, 0, PC_RECV_OURS);
	judged(4);
	/* 6: another probe's echo reply (not ours), then the timeout. */
	rec(IPPROTO_ICMP);
	pc_obs_add(&o, 0, PC_OBS_CONNECT, 0, 0, 0);
	pc_obs_add(&o, 0, PC_OBS_SEND, 64, 0, 0);
	pc_obs_add(&o, 0.0003, PC_OBS_RECV, 64, 0, 0);
	pc_obs_add(&o, 0.25, PC_OBS_TIMEOUT, 0, 0, 0);
	judged(5);
	pc_series_stats(p, 6, &st);
	CHECK_EQ_INT(st.answered, 2);
	CHECK_EQ_INT(st.status, PC_SERIES_FLAKY);
	CHECK_EQ_INT(p[1].outcome == PC_PR_CONNECTED, 0);
	CHECK_EQ_INT(p[3].outcome, PC_PR_REFUSED);
	CHECK_EQ_INT(p[5].outcome, PC_PR_SILENCE);
	pc_series_sequence(p, 6, buf, sizeof(buf));
	CHECK_STR(buf, "!E.R!.");
	/* The RTTs are the records' own: 0.4 ms for the handshake, 0.3 ms for the echo. */
	CHECK(st.rtt_min > 0.00029 && st.rtt_min < 0.00031);
	CHECK(st.rtt_max > 0.00039 && st.rtt_max < 0.00041);
}

static void
drop_held_against_the_probe_in_flight(void)
{
	series("!.R", NULL);	/* sent at 100, 101, 102; answers 1 ms after */
	CHECK(!pc_series_drop_ignored(p, 3, 99.5));	/* before the first probe: it counts */
	CHECK(pc_series_drop_ignored(p, 3, 100.0005));	/* probe 1 was answered: it got through */
	CHECK(pc_series_drop_ignored(p, 3, 100.5));
	CHECK(!pc_series_drop_ignored(p, 3, 101.5));	/* probe 2 was never answered */
	CHECK(!pc_series_drop_ignored(p, 3, 102.0002));	/* probe 3, before its RST */
	CHECK(pc_series_drop_ignored(p, 3, 102.7));	/* after the RST of probe 3 */
	CHECK(!pc_series_drop_ignored(p, 0, 102.7));
}

static void
device_drop_needs_the_probes_record(void)
{
	series("!.R.", NULL);	/* sent at 100, 101, 102, 103 */
	p[0].wire_out = 1;
	p[0].wire_in = 1;
	p[1].wire_out = 1;	/* left, nothing came back: lost beyond this host */
	p[2].wire_out = 1;
	p[2].wire_in = 1;
	p[3].wire_out = 0;	/* never seen leaving */
	/* Probe 2 left and nothing came back: no local station lost it, either way. */
	CHECK(!pc_series_drop_corroborated(p, 4, 101.1, PC_OUTPUT, true));
	CHECK(!pc_series_drop_corroborated(p, 4, 101.1, PC_NEIGHBOUR, true));
	CHECK(!pc_series_drop_corroborated(p, 4, 101.1, PC_INPUT, true));
	CHECK(!pc_series_drop_corroborated(p, 4, 101.1, PC_ANY_HOOK, true));
	/* Probe 4 never left: a drop on the way out is its. */
	CHECK(pc_series_drop_corroborated(p, 4, 103.1, PC_OUTPUT, true));
	CHECK(pc_series_drop_corroborated(p, 4, 103.1, PC_QDISC, true));
	CHECK(pc_series_drop_corroborated(p, 4, 103.1, PC_ANY_HOOK, true));
	CHECK(!pc_series_drop_corroborated(p, 4, 103.1, PC_SOCKET, true));
	/* Without the capture nothing ties it. */
	CHECK(!pc_series_drop_corroborated(p, 4, 103.1, PC_OUTPUT, false));
	/* An answer that came back and never reached the socket (a refusal did reach it: not that). */
	p[2].outcome = PC_PR_SILENCE;
	p[2].decisive = false;
	CHECK(pc_series_drop_corroborated(p, 4, 102.1, PC_INPUT, true));
	CHECK(pc_series_drop_corroborated(p, 4, 102.1, PC_ANY_HOOK, true));
	CHECK(!pc_series_drop_corroborated(p, 4, 102.1, PC_OUTPUT, true));
	/* Before the first probe: nothing in flight. */
	CHECK(!pc_series_drop_corroborated(p, 4, 99.0, PC_ANY_HOOK, true));
}

/* ---- the evaluator: what each kind of series makes of the remote station ---- */

static struct pc_query q;
static struct pc_facts f;
static struct pc_result res;
static struct pp_rule rules[3];
static struct pc_series ser;
static struct pp_qdisc qdiscs[1];

static void
healthy_probe(const char *letters, int rep_outcome)
{
	size_t n = series(letters, NULL);

	pc_result_free(&res);
	memset(&q, 0, sizeof(q));
	memset(&f, 0, sizeof(f));
	memset(rules, 0, sizeof(rules));
	q.direction = PC_EGRESS;
	q.family = AF_INET;
	q.proto = IPPROTO_TCP;
	q.has_dport = true;
	q.dport = 80;
	q.probe = true;
	q.timeout = 0.25;
	q.count = (uint32_t)n;
	snprintf(q.dest_arg, sizeof(q.dest_arg), "203.0.113.2");
	inet_pton(AF_INET, "203.0.113.2", &q.dst.u.v4);
	q.dst.family = AF_INET;
	for (int i = 0; i < 3; i++) {
		rules[i].family = AF_INET;
		rules[i].action = FR_ACT_TO_TBL;
		rules[i].suppress_prefixlen = -1;
		rules[i].suppress_ifgroup = UINT32_MAX;
	}
	rules[0].table = RT_TABLE_LOCAL;
	rules[1].priority = 32766;
	rules[1].table = RT_TABLE_MAIN;
	rules[2].priority = 32767;
	rules[2].table = RT_TABLE_DEFAULT;
	f.rules = rules;
	f.nrules = 3;
	f.route.family = AF_INET;
	f.route.type = RTN_UNICAST;
	f.route.table = RT_TABLE_MAIN;
	f.route.gateway.family = AF_INET;
	inet_pton(AF_INET, "198.51.100.1", &f.route.gateway.u.v4);
	inet_pton(AF_INET, "203.0.113.2", &f.route.dst.u.v4);
	f.route.dst.family = AF_INET;
	f.route.dst_len = 32;
	inet_pton(AF_INET, "198.51.100.10", &f.route.prefsrc.u.v4);
	f.route.prefsrc.family = AF_INET;
	f.fib = f.route;
	memset(&f.fib.dst, 0, sizeof(f.fib.dst));
	f.fib.dst_len = 0;
	f.fib.protocol = RTPROT_STATIC;
	f.need_neigh = true;
	f.nexthop = f.route.gateway;
	f.neigh.family = AF_INET;
	f.neigh.state = NUD_REACHABLE;
	f.neigh.lladdr_len = 6;
	memcpy(f.neigh.lladdr, "\x02\x00\x00\x00\x00\x01", 6);
	memset(qdiscs, 0, sizeof(qdiscs));
	snprintf(qdiscs[0].kind, sizeof(qdiscs[0].kind), "pfifo");
	qdiscs[0].handle = 0x80010000;
	qdiscs[0].parent = 0xffffffff;
	f.qdiscs = qdiscs;
	f.nqdiscs = 1;
	f.oif_link.ifindex = 7;
	f.oif_link.has_xdp = true;
	snprintf(f.tc[1].dev, sizeof(f.tc[1].dev), "veth0");
	snprintf(f.oif_link.name, sizeof(f.oif_link.name), "veth0");
	f.oif_link.flags = IFF_UP | IFF_RUNNING | IFF_LOWER_UP;
	f.oif_link.operstate = 6;
	f.oif_link.has_carrier = true;
	f.oif_link.carrier = 1;
	f.oif_link.mtu = 1500;
	f.tc[0].read = f.tc[1].read = true;
	memset(&ser, 0, sizeof(ser));
	ser.count = (uint32_t)n;
	ser.n = n;
	ser.p = p;
	for (size_t i = 0; i < n; i++)
		if (pc_series_answered(p[i].outcome)) {
			ser.rep = i;
			break;
		}
	f.pr.ran = true;
	f.pr.series = &ser;
	f.pr.outcome = (enum pc_probe_outcome)rep_outcome;
	f.pr.rtt = 0.001;
	f.pr.pcap_rc = 0;
	snprintf(f.pr.pcap_dev, sizeof(f.pr.pcap_dev), "veth0");
	f.pr.wire_out = (unsigned)n;
	pc_eval(&q, &f, &res);
}

static bool
has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		printf("#   \"%s\" does not contain \"%s\"\n", hay, needle);
		return false;
	}
	return true;
}

static void
eval_all_answered_is_ok(void)
{
	healthy_probe("!!!!!!!!!!", PC_PR_CONNECTED);
	for (int i = 0; i < PC_NSTATIONS; i++)
		if (res.st[i].present && res.st[i].status != PP_ST_OK)
			printf("#   %s: %s\n", pc_station_name((enum pc_station_id)i), res.st[i].summary);
	CHECK_EQ_INT(res.st[PC_REMOTE].status, PP_ST_OK);
	CHECK(has(res.st[PC_REMOTE].summary, "answered: TCP handshakes with 203.0.113.2: 10 sent, 10 answered, 0% loss"));
	CHECK_EQ_INT(pc_exit_code(&res), PP_EXIT_OK);
}

static void
eval_flaky_is_a_warning(void)
{
	healthy_probe("!.!!!!!.!!", PC_PR_CONNECTED);
	CHECK_EQ_INT(res.st[PC_REMOTE].status, PP_ST_WARN);
	CHECK_EQ_INT(res.verdict_station, PC_REMOTE);
	CHECK_EQ_INT(res.verdict_status, PP_ST_WARN);
	CHECK_EQ_INT(pc_exit_code(&res), PP_EXIT_PROBLEM);
	CHECK(has(res.st[PC_REMOTE].summary, "flaky: 10 sent, 8 answered, 20% loss"));
	CHECK(has(res.st[PC_REMOTE].summary, "outcomes: 8 connected, 2 silence; scattered"));
	CHECK(res.st[PC_REMOTE].hint[0] != '\0');
}

static void
eval_refused_among_connected_is_flaky(void)
{
	healthy_probe("!R!R!R", PC_PR_CONNECTED);
	CHECK_EQ_INT(res.verdict_status, PP_ST_WARN);
	CHECK(has(res.st[PC_REMOTE].summary, "outcomes: 3 connected, 3 refused; every other one lost"));
}

static void
eval_none_answered_is_the_failed_probe(void)
{
	healthy_probe(".....", PC_PR_SILENCE);
	CHECK_EQ_INT(res.verdict_station, PC_REMOTE);
	CHECK_EQ_INT(res.verdict_status, PP_ST_FAIL);
	CHECK(has(res.st[PC_REMOTE].summary, "silence: the probe left on veth0"));
	CHECK(has(res.st[PC_REMOTE].summary, "5 sent, 0 answered, 100% loss"));
	healthy_probe("RRR..", PC_PR_REFUSED);
	CHECK_EQ_INT(res.verdict_status, PP_ST_FAIL);
	CHECK(has(res.st[PC_REMOTE].summary, "refused by 203.0.113.2"));
	CHECK(has(res.st[PC_REMOTE].summary, "outcomes: 3 refused, 2 silence"));
}

static void
eval_nothing_sent_is_unknown(void)
{
	healthy_probe("", PC_PR_SILENCE);
	q.count = 5;
	ser.count = 5;
	pc_result_free(&res);
	pc_eval(&q, &f, &res);
	CHECK_EQ_INT(res.verdict_status, PP_ST_UNKNOWN);
	CHECK(has(res.st[PC_REMOTE].summary, "stopped before the first of 5 probes"));
	f.pr.series = NULL;
	f.pr.series_failed = true;
	pc_result_free(&res);
	pc_eval(&q, &f, &res);
	CHECK_EQ_INT(res.verdict_status, PP_ST_UNKNOWN);
}

int
main(void)
{
	RUN(quantiles_nearest_rank);
	RUN(all_answered);
	RUN(none_answered);
	RUN(ping_like_line);
	RUN(pattern_every_other);
	RUN(pattern_periodic);
	RUN(pattern_bursts);
	RUN(pattern_scattered);
	RUN(mixed_decisive_is_not_ok);
	RUN(empty_series);
	RUN(each_probe_judged_from_its_record);
	RUN(drop_held_against_the_probe_in_flight);
	RUN(device_drop_needs_the_probes_record);
	RUN(eval_all_answered_is_ok);
	RUN(eval_flaky_is_a_warning);
	RUN(eval_refused_among_connected_is_flaky);
	RUN(eval_none_answered_is_the_failed_probe);
	RUN(eval_nothing_sent_is_unknown);
	pc_result_free(&res);
	return tap_done();
}
