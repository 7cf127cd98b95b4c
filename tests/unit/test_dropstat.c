/*
 * test_dropstat.c: dropstat's ledger (raw skb:kfree_skb records counted by
 * reason, location and attribution), its evaluation into rows by reason and
 * station, the counters' deltas, the renderers, and bad arguments. No root: the
 * records are built in the layout a running kernel (6.18) printed in tracefs.
 */
#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "dropmon.h"
#include "../../cmd/dropstat/dropstat.h"
#include "fixture_tracefs.h"
#include "tap.h"

static struct ds_ledger *L;

/* A kfree_skb record as 6.18 lays it out: type@0 flags@2 pid@4 skbaddr@8 location@16 protocol@32 reason@36. */
static size_t
rec(uint8_t *raw, uint8_t flags, uint64_t location, uint32_t reason)
{
	uint16_t type = 2310, proto = 0x0800;
	uint64_t skb = 0xffff888100000000ull;

	memset(raw, 0, 44);
	memcpy(raw, &type, 2);
	raw[2] = flags;
	memcpy(raw + 8, &skb, 8);
	memcpy(raw + 16, &location, 8);
	memcpy(raw + 32, &proto, 2);
	memcpy(raw + 36, &reason, 4);
	return 44;
}

static int
attr_stub(struct ds_ledger *l, pid_t pid)
{
	(void)l;
	return pid == 100 ? DS_A_HERE : pid == 200 ? DS_A_OTHER : DS_A_UNATTR;
}

static void
setup(void)
{
	L = calloc(1, sizeof(*L));
	L->fmt = malloc(sizeof(*L->fmt));
	pp_tp_parse_format(kfree_618, L->fmt);
	/* kallsyms text for two locations */
	pp_kallsyms_load(&L->ks, "ffffffff81fbd5d0 T nft_do_chain\nffffffff81e00000 T __udp4_lib_rcv\n"
				 "ffffffff81d00000 T sk_common_release\n");
	L->have_syms = true;
}

static void
teardown(void)
{
	L->ncpus = 0;
	pp_kallsyms_free(&L->ks);
	free(L->fmt);
	free(L);
}

static void
test_ledger_count(void)
{
	uint8_t raw[44];
	size_t n;

	setup();
	n = rec(raw, 0, 0xffffffff81fbd5d0ull + 0x3e8, 12);		/* NETFILTER_DROP, process context */
	CHECK_EQ_INT(ds_ledger_count(L, raw, n, 100, attr_stub), 0);
	CHECK_EQ_INT(ds_ledger_count(L, raw, n, 100, attr_stub), 0);
	CHECK_EQ_INT(ds_ledger_count(L, raw, n, 200, attr_stub), 0);	/* another namespace */
	CHECK_EQ_INT(ds_ledger_count(L, raw, n, 300, attr_stub), 0);	/* a kernel thread or gone */
	n = rec(raw, PP_TRACE_FLAG_SOFTIRQ, 0xffffffff81e00010ull, 3);	/* NO_SOCKET in softirq */
	CHECK_EQ_INT(ds_ledger_count(L, raw, n, 100, attr_stub), 0);	/* pid says nothing in softirq */
	n = rec(raw, PP_TRACE_FLAG_HARDIRQ, 0, 999);			/* no location, an unnamed reason */
	CHECK_EQ_INT(ds_ledger_count(L, raw, n, 100, attr_stub), 0);
	CHECK_EQ_INT(ds_ledger_count(L, raw, 39, 100, attr_stub), -EBADMSG);	/* reason cut */
	CHECK_EQ_INT(ds_ledger_count(L, raw, 20, 100, attr_stub), -EBADMSG);	/* location cut */
	CHECK_EQ_INT(L->seen, 6);
	CHECK_EQ_INT(L->bad, 2);
	CHECK_EQ_INT(L->nlocs, 3);
	teardown();
}

/* Namespace records: the latest by time wins whichever ring is read first. */
static void
test_ledger_ns(void)
{
	struct pp_perf_ns a = { .pid = 42, .tid = 42, .net_ino = 1000, .time = 5 };
	struct pp_perf_ns b = { .pid = 42, .tid = 42, .net_ino = 2000, .time = 9 };

	setup();
	L->netns_ino = 2000;
	ds_ledger_ns(&b, L);		/* setns into ours, read first (CPU 0's ring) */
	ds_ledger_ns(&a, L);		/* the fork before it, in another namespace (CPU 1's ring) */
	CHECK_EQ_INT(L->pids[42].attr, DS_A_HERE);
	CHECK(L->pids[42].from_record);
	ds_ledger_ns(&a, L);
	CHECK_EQ_INT(L->pids[42].attr, DS_A_HERE);
	a.time = 20;			/* a later record moves it */
	ds_ledger_ns(&a, L);
	CHECK_EQ_INT(L->pids[42].attr, DS_A_OTHER);
	teardown();
}

static void
test_ledger_full(void)
{
	uint8_t raw[44];
	size_t n, i;
	uint64_t under1 = 0;

	setup();
	/* more distinct locations than the table keeps: the rest count under "other locations" */
	for (i = 0; i < 4000; i++) {
		n = rec(raw, PP_TRACE_FLAG_SOFTIRQ, 0xffffffff80000000ull + i * 64, 12);
		CHECK_EQ_INT(ds_ledger_count(L, raw, n, 0, attr_stub), 0);
	}
	CHECK(L->nlocs <= 3 * 1024 + 1);
	for (i = 0; i < ((size_t)1 << DS_LOC_BITS); i++)
		if (L->locs[i].location == 1)
			under1 += L->locs[i].n[DS_A_UNATTR];
	CHECK_EQ_INT(under1, 4000 - (L->nlocs - 1));
	CHECK_EQ_INT(L->seen, 4000);
	teardown();
}

static void
fill_counters(struct ds_counters *a, struct ds_counters *b)
{
	memset(a, 0, sizeof(*a));
	memset(b, 0, sizeof(*b));
	a->mono = 10;
	b->mono = 12;
	for (int k = 0; k < DS_C_N; k++)
		a->have[k] = b->have[k] = true;
	a->v[DS_C_QDISC_DROPS] = 100;
	b->v[DS_C_QDISC_DROPS] = 104;
	a->v[DS_C_SOFTNET_SQUEEZE] = 5;
	b->v[DS_C_SOFTNET_SQUEEZE] = 9;		/* not drops: no problem by itself */
	a->v[DS_C_LISTEN_OVERFLOWS] = 50;
	b->v[DS_C_LISTEN_OVERFLOWS] = 7;		/* went down: a reset, counted from zero */
	b->have[DS_C_CT_DROP] = false;
	snprintf(b->needs[DS_C_CT_DROP], sizeof(b->needs[DS_C_CT_DROP]), "needs CAP_NET_ADMIN");
}

static void
test_evaluate(void)
{
	struct ds_counters a, b;
	struct ds_eval ev;
	uint8_t raw[44];
	size_t n;
	const struct ds_row *nf = NULL, *ns = NULL, *un = NULL, *qp = NULL;

	setup();
	n = rec(raw, 0, 0xffffffff81fbd5d0ull, 12);
	for (int i = 0; i < 10; i++)
		ds_ledger_count(L, raw, n, 100, attr_stub);
	ds_ledger_count(L, raw, n, 200, attr_stub);
	n = rec(raw, PP_TRACE_FLAG_SOFTIRQ, 0xffffffff81e00010ull, 3);
	for (int i = 0; i < 4; i++)
		ds_ledger_count(L, raw, n, 0, attr_stub);
	n = rec(raw, PP_TRACE_FLAG_SOFTIRQ, 0xffffffff81f00000ull, 999);
	ds_ledger_count(L, raw, n, 0, attr_stub);
	n = rec(raw, 0, 0xffffffff81d00020ull, 104);			/* QUEUE_PURGE: benign */
	for (int i = 0; i < 6; i++)
		ds_ledger_count(L, raw, n, 100, attr_stub);
	ds_ledger_close_interval(L);
	fill_counters(&a, &b);

	CHECK_EQ_INT(ds_evaluate(L, &a, &b, 0, &ev), 0);
	CHECK(ev.dt == 2);
	CHECK_EQ_INT(ev.nrows, 4);
	for (size_t i = 0; i < ev.nrows; i++) {
		if (strcmp(ev.rows[i].reason_name, "NETFILTER_DROP") == 0)
			nf = &ev.rows[i];
		if (strcmp(ev.rows[i].reason_name, "NO_SOCKET") == 0)
			ns = &ev.rows[i];
		if (strcmp(ev.rows[i].reason_name, "UNNAMED_999") == 0)
			un = &ev.rows[i];
		if (strcmp(ev.rows[i].reason_name, "QUEUE_PURGE") == 0)
			qp = &ev.rows[i];
	}
	CHECK(nf && ns && un && qp);
	if (nf && ns && un && qp) {
		CHECK_STR(nf->station, "netfilter");
		CHECK_EQ_INT(nf->n[DS_A_HERE], 10);
		CHECK_EQ_INT(nf->n[DS_A_OTHER], 1);
		CHECK(nf->rate == 5.0);				/* other namespaces left out */
		CHECK_STR(nf->top_loc->symbol, "nft_do_chain");
		CHECK_STR(ns->station, "socket");
		CHECK_EQ_INT(ns->n[DS_A_UNATTR], 4);
		CHECK_STR(un->station, "unmapped");
		CHECK(qp->benign);
		CHECK(!nf->benign);
	}
	CHECK(ev.rows[0].reason == 12);				/* most drops first */
	CHECK_EQ_INT(ev.here, 16);
	CHECK_EQ_INT(ev.unattr, 5);
	CHECK_EQ_INT(ev.other, 1);
	CHECK_EQ_INT(ev.worrying, 15);				/* benign left out */
	/* stations: benign left out, most first */
	CHECK_EQ_INT(ev.nstations, 3);
	CHECK_STR(ev.stations[0].station, "netfilter");
	CHECK_EQ_INT(ev.stations[0].n, 10);
	CHECK(ev.problem);
	/* counters */
	CHECK_EQ_INT(ev.ctr[DS_C_QDISC_DROPS].delta, 4);
	CHECK(ev.ctr[DS_C_QDISC_DROPS].rate == 2.0);
	CHECK_EQ_INT(ev.ctr[DS_C_LISTEN_OVERFLOWS].delta, 7);
	CHECK(!ev.ctr[DS_C_CT_DROP].have);
	CHECK_EQ_INT(ev.counters_unknown, 1);
	ds_eval_free(&ev);

	/* a threshold above the rates: no problem from the ledger nor the counters */
	CHECK_EQ_INT(ds_evaluate(L, &a, &b, 100, &ev), 0);
	CHECK(!ev.problem);
	ds_eval_free(&ev);
	/* only time_squeeze moved: not a drop */
	b.v[DS_C_QDISC_DROPS] = 100;
	b.v[DS_C_LISTEN_OVERFLOWS] = 50;
	b.v[DS_C_LISTEN_OVERFLOWS] = 50;
	a.v[DS_C_LISTEN_OVERFLOWS] = 50;
	CHECK_EQ_INT(ds_evaluate(NULL, &a, &b, 0, &ev), 0);
	CHECK(ev.ledger_unknown);
	CHECK(!ev.problem);
	CHECK_EQ_INT(ev.nrows, 0);
	ds_eval_free(&ev);
	teardown();
}

static void
test_station(void)
{
	bool benign = true;

	CHECK_STR(ds_station("NETFILTER_DROP", "nft_do_chain", &benign), "netfilter");
	CHECK(!benign);
	CHECK_STR(ds_station("IP_RPFILTER", "ip_rcv_finish_core", &benign), "route");
	CHECK_STR(ds_station("NEIGH_FAILED", "neigh_invalidate", &benign), "neighbour");
	CHECK_STR(ds_station("QDISC_DROP", "__dev_queue_xmit", &benign), "qdisc");
	CHECK_STR(ds_station("NO_SOCKET", "__udp4_lib_rcv", &benign), "socket");
	CHECK_STR(ds_station("TCP_LISTEN_OVERFLOW", "tcp_conn_request", &benign), "socket");
	CHECK_STR(ds_station("SOMETHING_NEW", "", &benign), "unmapped");
	CHECK_STR(ds_station("NO_SOCKET", "ping_rcv", &benign), "socket");
	CHECK(benign);
}

static char *
render(int which, const struct ds_opts *o, struct ds_ledger *l, const struct ds_counters *c,
       const struct ds_eval *ev)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	struct ds_render_ctx rc = { .o = o, .index = 1, .run_seconds = 2 };

	if (which == 0)
		ds_render_text(f, &rc, l, c, ev);
	else if (which == 1)
		ds_render_json(f, &rc, l, c, ev);
	else
		ds_render_prom(f, &rc, l, c, ev, true);
	fclose(f);
	return buf;
}

static void
test_render(void)
{
	struct ds_counters a, b;
	struct ds_eval ev;
	struct ds_opts o;
	uint8_t raw[44];
	size_t n;
	char *t;

	memset(&o, 0, sizeof(o));
	pp_cli_init(&o.cli, "dropstat");
	setup();
	snprintf(L->tracefs, sizeof(L->tracefs), "/sys/kernel/tracing");
	n = rec(raw, PP_TRACE_FLAG_SOFTIRQ, 0xffffffff81e00010ull, 3);
	for (int i = 0; i < 3; i++)
		ds_ledger_count(L, raw, n, 0, attr_stub);
	ds_ledger_close_interval(L);
	L->ncpus = 2;			/* for the header only: no rings here */
	fill_counters(&a, &b);
	ds_evaluate(L, &a, &b, 0, &ev);

	t = render(0, &o, L, &b, &ev);
	CHECK(strstr(t, "NO_SOCKET") && strstr(t, "socket") && strstr(t, "__udp4_lib_rcv"));
	CHECK(strstr(t, "not attributable"));
	CHECK(strstr(t, "conntrack_drop") && strstr(t, "unknown: needs CAP_NET_ADMIN"));
	free(t);
	t = render(1, &o, L, &b, &ev);
	CHECK(strstr(t, "\"schema\":\"dropstat/1\""));
	CHECK(strstr(t, "\"reason\":\"NO_SOCKET\",\"reason_value\":3,\"station\":\"socket\""));
	CHECK(strstr(t, "\"not_attributable\":3"));
	CHECK(strstr(t, "\"counter\":\"conntrack_drop\"") && strstr(t, "\"needs\":\"needs CAP_NET_ADMIN\""));
	free(t);
	t = render(2, &o, L, &b, &ev);
	CHECK(strstr(t, "pktpath_kernel_drops_total{reason=\"NO_SOCKET\",station=\"socket\"} 3"));
	CHECK(strstr(t, "pktpath_station_drops_total{station=\"socket\"} 3"));
	CHECK(strstr(t, "pktpath_dropstat_kernel_stat_available{stat=\"conntrack_drop\"} 0"));
	CHECK(strstr(t, "pktpath_dropstat_run_success 1"));
	CHECK(strstr(t, "pktpath_dropstat_last_run_timestamp_seconds "));
	CHECK(strstr(t, "pktpath_dropstat_tracepoint_up 1"));
	free(t);
	ds_eval_free(&ev);
	/* the ledger unknown: no drop families, tracepoint_up 0 */
	L->status = -EACCES;
	snprintf(L->needs, sizeof(L->needs), "needs CAP_PERFMON or root");
	ds_evaluate(L, &a, &b, 0, &ev);
	t = render(2, &o, L, &b, &ev);
	CHECK(!strstr(t, "pktpath_kernel_drops_total"));
	CHECK(strstr(t, "pktpath_dropstat_tracepoint_up 0"));
	free(t);
	t = render(1, &o, L, &b, &ev);
	CHECK(strstr(t, "\"status\":\"unknown\",\"needs\":\"needs CAP_PERFMON or root\""));
	free(t);
	ds_eval_free(&ev);
	teardown();
}

static int
args(const char *a1, const char *a2)
{
	char *argv[] = { (char *)"dropstat", (char *)a1, (char *)a2, NULL };
	struct ds_opts o;
	int argc = a2 ? 3 : 2, rc, saved = dup(2);
	FILE *devnull = fopen("/dev/null", "w");

	optind = 1;
	dup2(fileno(devnull), 2);
	rc = ds_args(argc, argv, &o);
	dup2(saved, 2);
	close(saved);
	fclose(devnull);
	return rc;
}

static void
test_args(void)
{
	CHECK_EQ_INT(args("-i", "0.5"), PP_EXIT_OK);
	CHECK_EQ_INT(args("-i", "0"), PP_EXIT_USAGE);
	CHECK_EQ_INT(args("-i", "abc"), PP_EXIT_USAGE);
	CHECK_EQ_INT(args("-c", "0"), PP_EXIT_USAGE);
	CHECK_EQ_INT(args("-c", "-1"), PP_EXIT_USAGE);
	CHECK_EQ_INT(args("--threshold", "0"), PP_EXIT_OK);
	CHECK_EQ_INT(args("--threshold", "0.0"), PP_EXIT_OK);
	CHECK_EQ_INT(args("--threshold", "x"), PP_EXIT_USAGE);
	CHECK_EQ_INT(args("--top", "0"), PP_EXIT_USAGE);
	CHECK_EQ_INT(args("--bogus", NULL), PP_EXIT_USAGE);
	CHECK_EQ_INT(args("extra", NULL), PP_EXIT_USAGE);
	CHECK_EQ_INT(args("-i", NULL), PP_EXIT_USAGE);
}

int
main(void)
{
	RUN(test_ledger_count);
	RUN(test_ledger_ns);
	RUN(test_ledger_full);
	RUN(test_evaluate);
	RUN(test_station);
	RUN(test_render);
	RUN(test_args);
	return tap_done();
}
