/*
 * test_qdiscstat.c: the kind decoders of common/tc_kind.c (TCA_OPTIONS and
 * TCA_XSTATS of htb, tbf, fq_codel, codel, fq, pfifo/bfifo, prio, sfq, netem) with
 * whole, short, truncated and unknown attributes; TCA_STATS2 through
 * pp_qdisc_decode into qdiscstat's model; and the evaluator on built samples.
 */
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <math.h>
#include <stdio.h>

#include "../../cmd/qdiscstat/qs.h"
#include "test_common_msg.h"

/* ---- building option blobs ---- */

struct blob {
	union {
		char b[1024];
		uint64_t align_;
	} u;
	size_t len;
};

static void
put(struct blob *bl, uint16_t type, const void *data, size_t n)
{
	struct nlattr *a = (struct nlattr *)(bl->u.b + bl->len);

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + n);
	memcpy(bl->u.b + bl->len + NLA_HDRLEN, data, n);
	bl->len += NLA_ALIGN(NLA_HDRLEN + n);
}

static void
put32(struct blob *bl, uint16_t type, uint32_t v)
{
	put(bl, type, &v, sizeof(v));
}

static void
put64(struct blob *bl, uint16_t type, uint64_t v)
{
	put(bl, type, &v, sizeof(v));
}

/* Decode from an exact-size heap copy, so ASan sees any read past the end. */
static int
dec(bool xstats, const char *kind, bool is_class, const void *p, size_t len, struct pp_tc_fields *f)
{
	void *c = malloc(len ? len : 1);
	int rc;

	memcpy(c, p, len);
	rc = xstats ? pp_tc_xstats_decode(kind, is_class, c, len, f)
		    : pp_tc_options_decode(kind, is_class, c, len, f);
	free(c);
	return rc;
}

static uint64_t
fv(const struct pp_tc_fields *f, const char *name)
{
	uint64_t v = 0xdeadbeef;

	pp_tc_field_get(f, name, &v);
	return v;
}

static bool
has(const struct pp_tc_fields *f, const char *name)
{
	uint64_t v;

	return pp_tc_field_get(f, name, &v);
}

/* ---- decoders ---- */

static void
htb_qdisc_options(void)
{
	struct tc_htb_glob g = { .version = 3, .rate2quantum = 10, .defcls = 0x20, .direct_pkts = 7 };
	struct blob bl = { .len = 0 };
	struct pp_tc_fields f;

	put(&bl, TCA_HTB_INIT, &g, sizeof(g));
	put32(&bl, TCA_HTB_DIRECT_QLEN, 1000);
	put32(&bl, 200, 1);	/* unknown: ignored */
	CHECK_EQ_INT(dec(false, "htb", false, bl.u.b, bl.len, &f), 0);
	CHECK_EQ_INT(fv(&f, "r2q"), 10);
	CHECK_EQ_INT(fv(&f, "default_class"), 0x20);
	CHECK_EQ_INT(fv(&f, "direct_packets"), 7);
	CHECK_EQ_INT(fv(&f, "direct_qlen"), 1000);
	/* INIT one byte short: refused, nothing made up. */
	bl.len = 0;
	put(&bl, TCA_HTB_INIT, &g, sizeof(g) - 1);
	CHECK_EQ_INT(dec(false, "htb", false, bl.u.b, bl.len, &f), -EBADMSG);
	CHECK(!has(&f, "r2q"));
}

static void
htb_class_options(void)
{
	struct tc_htb_opt o = { .quantum = 1514, .level = 0, .prio = 3 };
	struct blob bl = { .len = 0 };
	struct pp_tc_fields f;

	o.rate.rate = 125000;
	o.ceil.rate = 250000;
	o.buffer = 200000;	/* 12.8 ms at 125000 B/s: 1600 bytes */
	o.cbuffer = 100000;
	put(&bl, TCA_HTB_PARMS, &o, sizeof(o));
	CHECK_EQ_INT(dec(false, "htb", true, bl.u.b, bl.len, &f), 0);
	CHECK_EQ_INT(fv(&f, "rate_bytes_per_second"), 125000);
	CHECK_EQ_INT(fv(&f, "ceil_bytes_per_second"), 250000);
	CHECK_EQ_INT(fv(&f, "burst_bytes"), 1600);
	CHECK_EQ_INT(fv(&f, "cburst_bytes"), 1600);
	CHECK_EQ_INT(fv(&f, "quantum_bytes"), 1514);
	CHECK_EQ_INT(fv(&f, "prio"), 3);
	/* Rates past 32 bits come in RATE64/CEIL64. */
	put64(&bl, TCA_HTB_RATE64, 50000000000ULL);
	put64(&bl, TCA_HTB_CEIL64, 60000000000ULL);
	CHECK_EQ_INT(dec(false, "htb", true, bl.u.b, bl.len, &f), 0);
	CHECK(fv(&f, "rate_bytes_per_second") == 50000000000ULL);
	CHECK(fv(&f, "ceil_bytes_per_second") == 60000000000ULL);
	/* A stream cut inside the last attribute. */
	CHECK_EQ_INT(dec(false, "htb", true, bl.u.b, bl.len - 3, &f), -EBADMSG);
	/* A header claiming more than there is. */
	CHECK_EQ_INT(dec(false, "htb", true, bl.u.b, 2, &f), -EBADMSG);
	CHECK_EQ_INT(dec(false, "htb", true, bl.u.b, 0, &f), 0);
	CHECK_EQ_INT(f.n, 0);
}

static void
htb_class_xstats(void)
{
	struct tc_htb_xstats x = { .lends = 5, .borrows = 6, .giants = 1, .tokens = -1200, .ctokens = 800 };
	struct pp_tc_fields f;

	CHECK_EQ_INT(dec(true, "htb", true, &x, sizeof(x), &f), 0);
	CHECK_EQ_INT(fv(&f, "lends"), 5);
	CHECK_EQ_INT(fv(&f, "borrows"), 6);
	CHECK_EQ_INT(fv(&f, "giants"), 1);
	CHECK_EQ_INT((int64_t)fv(&f, "tokens"), -1200);
	CHECK_EQ_INT(f.f[3].type, PP_TCF_SIGNED);
	CHECK_EQ_INT(f.f[0].type, PP_TCF_COUNTER);
	/* Short: the three counters it covers, and an error. */
	CHECK_EQ_INT(dec(true, "htb", true, &x, 12, &f), -EBADMSG);
	CHECK_EQ_INT(f.n, 3);
	CHECK(!has(&f, "tokens"));
	CHECK_EQ_INT(dec(true, "htb", true, &x, 0, &f), -EBADMSG);
	CHECK_EQ_INT(f.n, 0);
}

static void
tbf_options(void)
{
	struct tc_tbf_qopt q = { .limit = 3000, .buffer = 200000 };
	struct blob bl = { .len = 0 };
	struct pp_tc_fields f;

	q.rate.rate = 125000;
	put(&bl, TCA_TBF_PARMS, &q, sizeof(q));
	put32(&bl, 77, 5);	/* unknown */
	CHECK_EQ_INT(dec(false, "tbf", false, bl.u.b, bl.len, &f), 0);
	CHECK_EQ_INT(fv(&f, "rate_bytes_per_second"), 125000);
	CHECK_EQ_INT(fv(&f, "burst_bytes"), 1600);
	CHECK_EQ_INT(fv(&f, "limit_bytes"), 3000);
	CHECK(!has(&f, "peakrate_bytes_per_second"));
	put64(&bl, TCA_TBF_RATE64, 10000000000ULL);
	put32(&bl, TCA_TBF_BURST, 20000);
	CHECK_EQ_INT(dec(false, "tbf", false, bl.u.b, bl.len, &f), 0);
	CHECK(fv(&f, "rate_bytes_per_second") == 10000000000ULL);
	CHECK_EQ_INT(fv(&f, "burst_bytes"), 20000);
	/* PARMS too short for its struct. */
	bl.len = 0;
	put(&bl, TCA_TBF_PARMS, &q, 8);
	CHECK_EQ_INT(dec(false, "tbf", false, bl.u.b, bl.len, &f), -EBADMSG);
	CHECK_EQ_INT(f.n, 0);
	/* A u64 attribute of 4 bytes. */
	bl.len = 0;
	put32(&bl, TCA_TBF_RATE64, 1);
	CHECK_EQ_INT(dec(false, "tbf", false, bl.u.b, bl.len, &f), -EBADMSG);
}

static void
fq_codel_both(void)
{
	struct blob bl = { .len = 0 };
	struct tc_fq_codel_xstats x;
	struct pp_tc_fields f;
	size_t old_len;

	put32(&bl, TCA_FQ_CODEL_TARGET, 5000);
	put32(&bl, TCA_FQ_CODEL_LIMIT, 10240);
	put32(&bl, TCA_FQ_CODEL_INTERVAL, 100000);
	put32(&bl, TCA_FQ_CODEL_ECN, 1);
	put32(&bl, TCA_FQ_CODEL_FLOWS, 1024);
	put32(&bl, TCA_FQ_CODEL_QUANTUM, 1514);
	put32(&bl, TCA_FQ_CODEL_MEMORY_LIMIT, 33554432);
	put32(&bl, 60, 9);	/* a newer kernel's attribute */
	CHECK_EQ_INT(dec(false, "fq_codel", false, bl.u.b, bl.len, &f), 0);
	CHECK_EQ_INT(fv(&f, "target_us"), 5000);
	CHECK_EQ_INT(fv(&f, "limit_packets"), 10240);
	CHECK_EQ_INT(fv(&f, "interval_us"), 100000);
	CHECK_EQ_INT(fv(&f, "flows"), 1024);
	CHECK_EQ_INT(fv(&f, "memory_limit_bytes"), 33554432);
	CHECK(!has(&f, "ce_threshold_us"));
	/* A u32 of two bytes. */
	bl.len = 0;
	put(&bl, TCA_FQ_CODEL_LIMIT, "ab", 2);
	CHECK_EQ_INT(dec(false, "fq_codel", false, bl.u.b, bl.len, &f), -EBADMSG);

	memset(&x, 0, sizeof(x));
	x.type = TCA_FQ_CODEL_XSTATS_QDISC;
	x.qdisc_stats.maxpacket = 1514;
	x.qdisc_stats.drop_overlimit = 42;
	x.qdisc_stats.new_flow_count = 9;
	x.qdisc_stats.ce_mark = 3;
	x.qdisc_stats.memory_usage = 4096;
	x.qdisc_stats.drop_overmemory = 2;
	CHECK_EQ_INT(dec(true, "fq_codel", false, &x, sizeof(x), &f), 0);
	CHECK_EQ_INT(fv(&f, "drop_overlimit"), 42);
	CHECK_EQ_INT(fv(&f, "maxpacket"), 1514);
	CHECK_EQ_INT(fv(&f, "drop_overmemory"), 2);
	CHECK_EQ_INT(fv(&f, "memory_usage"), 4096);
	/* An older kernel's struct ends before ce_mark: those fields are left out. */
	old_len = offsetof(struct tc_fq_codel_xstats, qdisc_stats) +
		  offsetof(struct tc_fq_codel_qd_stats, ce_mark);
	CHECK_EQ_INT(dec(true, "fq_codel", false, &x, old_len, &f), 0);
	CHECK(has(&f, "old_flows_len"));
	CHECK(!has(&f, "ce_mark"));
	CHECK(!has(&f, "memory_usage"));
	/* Class (flow) stats. */
	memset(&x, 0, sizeof(x));
	x.type = TCA_FQ_CODEL_XSTATS_CLASS;
	x.class_stats.deficit = -300;
	x.class_stats.ldelay = 1500;
	CHECK_EQ_INT(dec(true, "fq_codel", true, &x, sizeof(x), &f), 0);
	CHECK_EQ_INT((int64_t)fv(&f, "deficit"), -300);
	CHECK_EQ_INT(fv(&f, "ldelay_us"), 1500);
	/* Unknown type, and too short for the type. */
	x.type = 7;
	CHECK_EQ_INT(dec(true, "fq_codel", false, &x, sizeof(x), &f), -EBADMSG);
	CHECK_EQ_INT(dec(true, "fq_codel", false, &x, 2, &f), -EBADMSG);
	CHECK_EQ_INT(f.n, 0);
}

static void
codel_both(void)
{
	struct tc_codel_xstats x = { .maxpacket = 1514, .count = 4, .ldelay = 2000, .drop_overlimit = 11,
				     .ecn_mark = 5, .ce_mark = 1 };
	struct blob bl = { .len = 0 };
	struct pp_tc_fields f;

	put32(&bl, TCA_CODEL_TARGET, 5000);
	put32(&bl, TCA_CODEL_LIMIT, 1000);
	CHECK_EQ_INT(dec(false, "codel", false, bl.u.b, bl.len, &f), 0);
	CHECK_EQ_INT(fv(&f, "target_us"), 5000);
	CHECK_EQ_INT(fv(&f, "limit_packets"), 1000);
	CHECK_EQ_INT(dec(true, "codel", false, &x, sizeof(x), &f), 0);
	CHECK_EQ_INT(fv(&f, "drop_overlimit"), 11);
	CHECK_EQ_INT(fv(&f, "ldelay_us"), 2000);
	CHECK_EQ_INT(dec(true, "codel", false, &x, 8, &f), -EBADMSG);
	CHECK(has(&f, "count"));
	CHECK(!has(&f, "drop_overlimit"));
}

static void
fq_both(void)
{
	struct {
		struct tc_fq_qd_stats base;
		uint64_t fastpath_packets;
		uint64_t band_drops[3];
		uint32_t band_pkt_count[3];
		uint32_t pad;
	} x;
	struct blob bl = { .len = 0 };
	struct pp_tc_fields f;
	uint8_t one = 1;

	put32(&bl, TCA_FQ_PLIMIT, 10000);
	put32(&bl, TCA_FQ_FLOW_PLIMIT, 100);
	put32(&bl, TCA_FQ_BUCKETS_LOG, 10);
	put32(&bl, TCA_FQ_FLOW_MAX_RATE, ~0U);
	put(&bl, TCA_FQ_HORIZON_DROP, &one, 1);
	CHECK_EQ_INT(dec(false, "fq", false, bl.u.b, bl.len, &f), 0);
	CHECK_EQ_INT(fv(&f, "limit_packets"), 10000);
	CHECK_EQ_INT(fv(&f, "flow_limit_packets"), 100);
	CHECK_EQ_INT(fv(&f, "buckets"), 1024);
	CHECK(!has(&f, "maxrate_bytes_per_second"));
	CHECK_EQ_INT(fv(&f, "horizon_drop"), 1);

	memset(&x, 0, sizeof(x));
	x.base.throttled = 77;
	x.base.flows_plimit = 3;
	x.base.flows = 12;
	x.base.horizon_drops = 4;
	x.band_drops[2] = 9;
	CHECK_EQ_INT(dec(true, "fq", false, &x, sizeof(x), &f), 0);
	CHECK_EQ_INT(fv(&f, "throttled"), 77);
	CHECK_EQ_INT(fv(&f, "flows_plimit"), 3);
	CHECK_EQ_INT(fv(&f, "flows"), 12);
	CHECK_EQ_INT(fv(&f, "band2_drops"), 9);
	/* The 6.1 struct: no band drops. */
	CHECK_EQ_INT(dec(true, "fq", false, &x, sizeof(x.base), &f), 0);
	CHECK_EQ_INT(fv(&f, "horizon_drops"), 4);
	CHECK(!has(&f, "band2_drops"));
	CHECK(!has(&f, "fastpath_packets"));
	CHECK_EQ_INT(dec(true, "fq", false, &x, 20, &f), -EBADMSG);
	CHECK(has(&f, "gc_flows"));
	CHECK(!has(&f, "throttled"));
}

static void
fifo_prio_sfq(void)
{
	struct tc_fifo_qopt fq = { .limit = 50 };
	struct tc_prio_qopt pq = { .bands = 3 };
	struct {
		struct tc_sfq_qopt v0;
		uint32_t depth, headdrop, limit;
	} sq = { { .quantum = 1514, .perturb_period = 10, .limit = 127, .divisor = 1024, .flows = 128 },
		 127, 0, 5000 };
	int32_t allot = -20;
	struct pp_tc_fields f;

	CHECK_EQ_INT(dec(false, "pfifo", false, &fq, sizeof(fq), &f), 0);
	CHECK_EQ_INT(fv(&f, "limit_packets"), 50);
	CHECK_EQ_INT(dec(false, "bfifo", false, &fq, sizeof(fq), &f), 0);
	CHECK_EQ_INT(fv(&f, "limit_bytes"), 50);
	CHECK_EQ_INT(dec(false, "pfifo", false, &fq, 2, &f), -EBADMSG);
	CHECK_EQ_INT(f.n, 0);
	CHECK_EQ_INT(dec(false, "pfifo_fast", false, &pq, sizeof(pq), &f), 0);
	CHECK_EQ_INT(fv(&f, "bands"), 3);
	CHECK_EQ_INT(dec(false, "prio", false, &pq, 4, &f), -EBADMSG);
	CHECK_EQ_INT(dec(false, "sfq", false, &sq, sizeof(sq), &f), 0);
	CHECK_EQ_INT(fv(&f, "limit_packets"), 5000);
	CHECK_EQ_INT(fv(&f, "depth_packets"), 127);
	CHECK_EQ_INT(dec(false, "sfq", false, &sq, sizeof(sq.v0), &f), 0);
	CHECK_EQ_INT(fv(&f, "limit_packets"), 127);
	CHECK(!has(&f, "depth_packets"));
	CHECK_EQ_INT(dec(false, "sfq", false, &sq, 6, &f), -EBADMSG);
	CHECK_EQ_INT(dec(true, "sfq", true, &allot, sizeof(allot), &f), 0);
	CHECK_EQ_INT((int64_t)fv(&f, "allot"), -20);
	CHECK_EQ_INT(dec(true, "sfq", true, &allot, 3, &f), -EBADMSG);
}

static void
netem_options(void)
{
	struct tc_netem_qopt q = { .latency = 1562500, .limit = 1000, .loss = 42949673 /* 1% */ };
	struct blob bl = { .len = 0 };
	struct pp_tc_fields f;

	memcpy(bl.u.b, &q, sizeof(q));
	bl.len = NLA_ALIGN(sizeof(q));
	CHECK_EQ_INT(dec(false, "netem", false, bl.u.b, bl.len, &f), 0);
	CHECK_EQ_INT(fv(&f, "limit_packets"), 1000);
	CHECK_EQ_INT(fv(&f, "latency_ns"), 100000000);
	CHECK_EQ_INT(fv(&f, "loss_ppm"), 10000);
	put64(&bl, TCA_NETEM_LATENCY64, 25000000);
	put64(&bl, TCA_NETEM_RATE64, 1000000000000ULL);
	put32(&bl, 99, 0);	/* unknown */
	CHECK_EQ_INT(dec(false, "netem", false, bl.u.b, bl.len, &f), 0);
	CHECK_EQ_INT(fv(&f, "latency_ns"), 25000000);
	CHECK(fv(&f, "rate_bytes_per_second") == 1000000000000ULL);
	CHECK_EQ_INT(dec(false, "netem", false, bl.u.b, bl.len - 2, &f), -EBADMSG);
	CHECK_EQ_INT(fv(&f, "limit_packets"), 1000);	/* the struct was whole */
	CHECK_EQ_INT(dec(false, "netem", false, bl.u.b, 10, &f), -EBADMSG);
	CHECK_EQ_INT(f.n, 0);
}

static void
unknown_kinds(void)
{
	struct pp_tc_fields f;
	uint32_t v = 1;

	CHECK_EQ_INT(dec(false, "choke", false, &v, sizeof(v), &f), -EOPNOTSUPP);
	CHECK_EQ_INT(dec(true, "tbf", false, &v, sizeof(v), &f), -EOPNOTSUPP);
	CHECK_EQ_INT(dec(true, "noqueue", false, &v, 0, &f), -EOPNOTSUPP);
	CHECK_EQ_INT(f.n, 0);
	CHECK(pp_tc_kind_classful("htb"));
	CHECK(pp_tc_kind_classful("mq"));
	CHECK(!pp_tc_kind_classful("tbf"));
	CHECK(!pp_tc_kind_classful("ingress"));
	CHECK(!pp_tc_kind_classful("nosuchkind"));
}

/* Random damage to a good htb class option stream never crashes and never overruns. */
static void
options_fuzz(void)
{
	struct tc_htb_opt o = { .quantum = 1514 };
	struct blob bl = { .len = 0 };
	struct pp_tc_fields f;
	uint32_t s = 12345;
	static const char *const ks[] = { "htb", "tbf", "fq_codel", "fq", "codel", "netem", "sfq", "pfifo" };

	put(&bl, TCA_HTB_PARMS, &o, sizeof(o));
	put64(&bl, TCA_HTB_RATE64, 5);
	put32(&bl, TCA_HTB_DIRECT_QLEN, 5);
	for (int i = 0; i < 20000; i++) {
		struct blob c = bl;
		size_t len = trand(&s) % (bl.len + 1);

		for (int k = 0; k < 3; k++)
			c.u.b[trand(&s) % bl.len] = (char)trand(&s);
		dec(i & 1, ks[i % 8], i & 2, c.u.b, len, &f);
		CHECK(f.n <= PP_TC_FIELDS_MAX);
	}
}

/* ---- TCA_STATS2 into the model ---- */

static void
stats2_into_model(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	struct nlattr *st, *opt;
	struct gnet_stats_basic b = { .bytes = 9000000000ULL, .packets = 705032704 /* low bits */ };
	struct gnet_stats_queue q = { .qlen = 2, .backlog = 3000, .drops = 294, .requeues = 1,
				      .overlimits = 302 };
	struct tc_tbf_qopt tq = { .limit = 3000, .buffer = 200000 };
	struct pp_qdisc pq;
	struct qs_sample s = { 0 };
	uint32_t xs = 7;

	tq.rate.rate = 125000;
	nlh = tmsg_start(&m, RTM_NEWQDISC, sizeof(*tcm), (void **)&tcm);
	tcm->tcm_ifindex = 4;
	tcm->tcm_handle = 0x10000;
	tcm->tcm_parent = TC_H_ROOT;
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_TBF_PARMS, sizeof(tq), &tq);
	mnl_attr_nest_end(nlh, opt);
	st = mnl_attr_nest_start(nlh, TCA_STATS2);
	mnl_attr_put(nlh, TCA_STATS_BASIC, sizeof(b), &b);
	mnl_attr_put_u64(nlh, TCA_STATS_PKT64, 5000000000ULL);
	mnl_attr_put(nlh, TCA_STATS_QUEUE, sizeof(q), &q);
	mnl_attr_put_u32(nlh, 40, 1);	/* unknown inside the nest */
	mnl_attr_nest_end(nlh, st);
	mnl_attr_put(nlh, TCA_XSTATS, sizeof(xs), &xs);
	/* The payloads point into the message: the sample copies them while it is there. */
	{
		struct nlmsghdr *d = tmsg_dup(nlh);

		CHECK_EQ_INT(pp_qdisc_decode(d, &pq), 0);
		CHECK_EQ_INT(qs_sample_add(&s, &pq), 0);
		free(d);
	}
	CHECK_EQ_INT(s.n, 1);
	CHECK(s.obj[0].packets == 5000000000ULL);
	CHECK(s.obj[0].bytes == 9000000000ULL);
	CHECK_EQ_INT(s.obj[0].drops, 294);
	CHECK_EQ_INT(s.obj[0].overlimits, 302);
	CHECK_EQ_INT(s.obj[0].backlog, 3000);
	CHECK_EQ_INT(s.obj[0].qlen, 2);
	CHECK_EQ_INT(s.obj[0].xs_len, 4);
	CHECK_EQ_INT(s.obj[0].opt_len, NLA_HDRLEN + sizeof(tq));
	CHECK_STR(s.obj[0].kind, "tbf");
	{
		struct pp_tc_fields f;

		CHECK_EQ_INT(pp_tc_options_decode("tbf", false, s.obj[0].blob + s.obj[0].xs_len,
						  s.obj[0].opt_len, &f), 0);
		CHECK_EQ_INT(fv(&f, "limit_bytes"), 3000);
	}
	/* The queue stats cut short: the message is refused. */
	{
		struct nlattr *qa = (struct nlattr *)((char *)st + NLA_HDRLEN +
						       NLA_ALIGN(NLA_HDRLEN + sizeof(b)) +
						       NLA_ALIGN(NLA_HDRLEN + 8));

		CHECK_EQ_INT(qa->nla_type, TCA_STATS_QUEUE);
		qa->nla_len = NLA_HDRLEN + 8;
		CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &pq), -EBADMSG);
	}
	/* Truncated after the kind: decodes without stats. */
	CHECK_EQ_INT(TDECODE_LEN(pp_qdisc_decode, nlh, tmsg_off(nlh, opt), &pq), 0);
	CHECK(!pq.has_stats2);
	qs_sample_free(&s);
}

/* ---- the evaluator on built samples ---- */

static void
obj(struct qs_sample *s, int ifindex, const char *kind, bool cls, uint32_t handle, uint32_t parent,
    uint64_t bytes, uint64_t packets, uint32_t drops, uint32_t requeues, uint32_t backlog,
    uint32_t qlen)
{
	struct pp_qdisc q;

	memset(&q, 0, sizeof(q));
	q.ifindex = ifindex;
	snprintf(q.kind, sizeof(q.kind), "%s", kind);
	q.is_class = cls;
	q.handle = handle;
	q.parent = parent;
	q.has_stats2 = true;
	q.bytes = bytes;
	q.packets = packets;
	q.drops = drops;
	q.requeues = requeues;
	q.backlog = backlog;
	q.qlen = qlen;
	if (qs_sample_add(s, &q) < 0)
		abort();
}

/* One device (ifindex 4, "a0") holding every object of the sample. */
static void
one_dev(struct qs_sample *s, double mono, size_t nq)
{
	s->mono = mono;
	s->dev = calloc(1, sizeof(*s->dev));
	s->ndev = s->devcap = 1;
	s->dev[0].ifindex = 4;
	snprintf(s->dev[0].name, sizeof(s->dev[0].name), "a0");
	s->dev[0].first = 0;
	s->dev[0].n = s->n;
	s->dev[0].nq = nq;
}

static const struct qs_finding *
find(const struct qs_eval *ev, enum qs_ftype t)
{
	for (size_t i = 0; i < ev->nf; i++)
		if (ev->f[i].type == t)
			return &ev->f[i];
	return NULL;
}

static void
eval_drops_rising(void)
{
	struct qs_sample a = { 0 }, b = { 0 };
	struct qs_thresholds th = { .busy_pps = 10000 };
	struct qs_eval ev;
	const struct qs_finding *f;

	obj(&a, 4, "tbf", false, 0x10000, TC_H_ROOT, 1000, 10, 5, 0, 0, 0);
	one_dev(&a, 100.0, 1);
	obj(&b, 4, "tbf", false, 0x10000, TC_H_ROOT, 101000, 110, 105, 0, 0, 0);
	one_dev(&b, 102.0, 1);

	CHECK_EQ_INT(qs_evaluate(NULL, &a, &th, NULL, &ev), 0);
	CHECK(ev.since_boot);
	f = find(&ev, QS_F_DROPS);
	CHECK(f && f->level == QS_L_INFO);	/* old drops: evidence only */
	CHECK_EQ_INT(ev.problems, 0);
	qs_eval_free(&ev);

	CHECK_EQ_INT(qs_evaluate(&a, &b, &th, NULL, &ev), 0);
	CHECK(!ev.since_boot);
	CHECK(fabs(ev.dt - 2.0) < 1e-9);
	CHECK_EQ_INT(ev.rows[0].d_drops, 100);
	CHECK_EQ_INT(ev.rows[0].d_packets, 100);
	CHECK(fabs(ev.rows[0].drops_ps - 50.0) < 1e-9);
	CHECK(ev.rows[0].has_ratio && fabs(ev.rows[0].drop_ratio - 0.5) < 1e-9);
	f = find(&ev, QS_F_DROPS);
	CHECK(f && f->level == QS_L_PROBLEM);
	CHECK(f && strstr(f->summary, "drop ratio 50.0%") != NULL);
	CHECK(f && strstr(f->summary, "a0 tbf qdisc 1:") != NULL);
	CHECK_EQ_INT(ev.problems, 1);
	qs_eval_free(&ev);

	/* Above the threshold only: 50/s is not more than 50/s. */
	th.drop_rate = 50;
	CHECK_EQ_INT(qs_evaluate(&a, &b, &th, NULL, &ev), 0);
	CHECK_EQ_INT(ev.problems, 0);
	qs_eval_free(&ev);
	th.drop_rate = 0;

	/* --max-drops on a single sample. */
	th.has_max_drops = true;
	th.max_drops = 100;
	CHECK_EQ_INT(qs_evaluate(NULL, &b, &th, NULL, &ev), 0);
	CHECK_EQ_INT(ev.problems, 1);
	qs_eval_free(&ev);
	th.max_drops = 105;
	CHECK_EQ_INT(qs_evaluate(NULL, &b, &th, NULL, &ev), 0);
	CHECK_EQ_INT(ev.problems, 0);
	qs_eval_free(&ev);

	/* --kind elsewhere: nothing selected, nothing found. */
	{
		const char *kinds[] = { "htb", NULL };

		CHECK_EQ_INT(qs_evaluate(&a, &b, &th, kinds, &ev), 0);
		CHECK_EQ_INT(ev.nf, 0);
		CHECK_EQ_INT(ev.nqdisc, 0);
		CHECK(!ev.rows[0].selected);
		qs_eval_free(&ev);
		/* ... and a kind no qdisc or class has is named, so the run can refuse it. */
		CHECK(qs_kind_unmatched(&b, kinds) == kinds[0]);
	}
	{
		const char *kinds[] = { "tbf", "nosuchkind", NULL };

		CHECK(qs_kind_unmatched(&b, NULL) == NULL);
		CHECK(qs_kind_unmatched(&b, kinds) == kinds[1]);
		kinds[1] = NULL;
		CHECK(qs_kind_unmatched(&b, kinds) == NULL);
	}
	qs_sample_free(&a);
	qs_sample_free(&b);
}

static void
eval_wrap_and_reset(void)
{
	struct qs_sample a = { 0 }, b = { 0 }, c = { 0 };
	struct qs_thresholds th = { .busy_pps = 10000 };
	struct qs_eval ev;

	obj(&a, 4, "htb", false, 0x10000, TC_H_ROOT, 5000, 50, 0xFFFFFFF0u, 0xFFFFFFFFu, 0, 0);
	one_dev(&a, 10.0, 1);
	obj(&b, 4, "htb", false, 0x10000, TC_H_ROOT, 6000, 60, 0x10, 2, 0, 0);
	one_dev(&b, 11.0, 1);
	CHECK_EQ_INT(qs_evaluate(&a, &b, &th, NULL, &ev), 0);
	CHECK_EQ_INT(ev.rows[0].d_drops, 0x20);	/* across the 32-bit wrap */
	CHECK_EQ_INT(ev.rows[0].d_requeues, 3);
	CHECK(find(&ev, QS_F_REQUEUES) && find(&ev, QS_F_REQUEUES)->level == QS_L_NOTICE);
	qs_eval_free(&ev);

	/* Replaced in place: bytes went down, so every counter counts from zero. */
	obj(&c, 4, "htb", false, 0x10000, TC_H_ROOT, 100, 1, 3, 0, 0, 0);
	one_dev(&c, 12.0, 1);
	CHECK_EQ_INT(qs_evaluate(&b, &c, &th, NULL, &ev), 0);
	CHECK_EQ_INT(ev.rows[0].d_bytes, 100);
	CHECK_EQ_INT(ev.rows[0].d_drops, 3);
	qs_eval_free(&ev);

	/* A different handle is a different object: no delta, no rising drops. */
	c.obj[0].handle = 0x20000;
	CHECK_EQ_INT(qs_evaluate(&b, &c, &th, NULL, &ev), 0);
	CHECK(!ev.rows[0].has_delta);
	CHECK_EQ_INT(ev.problems, 0);
	qs_eval_free(&ev);
	qs_sample_free(&a);
	qs_sample_free(&b);
	qs_sample_free(&c);
}

static void
eval_backlog_and_classes(void)
{
	struct qs_sample a = { 0 }, b = { 0 };
	struct qs_thresholds th = { .busy_pps = 10000 };
	struct qs_eval ev;
	const struct qs_finding *f;

	/* htb root, a class with a standing queue, a class that drains. */
	obj(&a, 4, "htb", false, 0x10000, TC_H_ROOT, 0, 0, 0, 0, 30000, 20);
	obj(&a, 4, "htb", true, 0x10010, TC_H_ROOT, 0, 0, 0, 0, 30000, 20);
	obj(&a, 4, "htb", true, 0x10020, TC_H_ROOT, 0, 0, 0, 0, 1500, 1);
	one_dev(&a, 0.0, 1);
	obj(&b, 4, "htb", false, 0x10000, TC_H_ROOT, 100000, 70, 0, 0, 30000, 20);
	obj(&b, 4, "htb", true, 0x10010, TC_H_ROOT, 100000, 70, 0, 0, 30000, 20);
	obj(&b, 4, "htb", true, 0x10020, TC_H_ROOT, 0, 0, 0, 0, 0, 0);
	one_dev(&b, 1.0, 1);
	CHECK_EQ_INT(qs_evaluate(&a, &b, &th, NULL, &ev), 0);
	CHECK_EQ_INT(ev.nqdisc, 1);
	CHECK_EQ_INT(ev.nclass, 2);
	CHECK(ev.rows[1].standing);
	CHECK(!ev.rows[2].standing);
	f = find(&ev, QS_F_BACKLOG);
	CHECK(f && f->level == QS_L_NOTICE);
	CHECK(f && strstr(f->summary, "about 300 ms") != NULL);
	CHECK_EQ_INT(ev.problems, 0);
	CHECK_EQ_INT(ev.notices, 2);	/* the root and class 1:10 */
	qs_eval_free(&ev);
	qs_sample_free(&a);
	qs_sample_free(&b);
}

static void
eval_default_qdisc(void)
{
	struct qs_sample a = { 0 }, b = { 0 };
	struct qs_thresholds th = { .busy_pps = 10000 };
	struct qs_eval ev;
	const struct qs_finding *f;

	obj(&a, 4, "pfifo_fast", false, 0, TC_H_ROOT, 0, 0, 0, 0, 0, 0);
	one_dev(&a, 0.0, 1);
	obj(&b, 4, "pfifo_fast", false, 0, TC_H_ROOT, 0, 0, 0, 0, 0, 0);
	one_dev(&b, 1.0, 1);
	a.dev[0].has_link = b.dev[0].has_link = true;
	a.dev[0].physical = b.dev[0].physical = true;
	a.dev[0].tx_packets = 1000;
	b.dev[0].tx_packets = 51000;
	CHECK_EQ_INT(qs_evaluate(&a, &b, &th, NULL, &ev), 0);
	f = find(&ev, QS_F_DEFAULT_QDISC);
	CHECK(f && f->level == QS_L_NOTICE && strstr(f->summary, "pfifo_fast") != NULL);
	qs_eval_free(&ev);
	/* Quiet device: nothing. */
	b.dev[0].tx_packets = 1500;
	CHECK_EQ_INT(qs_evaluate(&a, &b, &th, NULL, &ev), 0);
	CHECK(!find(&ev, QS_F_DEFAULT_QDISC));
	qs_eval_free(&ev);
	/* A veth (not physical): nothing. */
	b.dev[0].tx_packets = 51000;
	b.dev[0].physical = false;
	CHECK_EQ_INT(qs_evaluate(&a, &b, &th, NULL, &ev), 0);
	CHECK(!find(&ev, QS_F_DEFAULT_QDISC));
	qs_eval_free(&ev);
	/* fq_codel root on a busy physical device: nothing. */
	b.dev[0].physical = true;
	snprintf(b.obj[0].kind, sizeof(b.obj[0].kind), "fq_codel");
	CHECK_EQ_INT(qs_evaluate(&a, &b, &th, NULL, &ev), 0);
	CHECK(!find(&ev, QS_F_DEFAULT_QDISC));
	qs_eval_free(&ev);
	qs_sample_free(&a);
	qs_sample_free(&b);
}

/* JSON: the fast compact writer and pp_json (-p) say the same thing. */
static char *
squeeze(const char *s)
{
	char *o = malloc(strlen(s) + 1), *p = o;
	bool in = false, esc = false;

	for (; *s; s++) {
		if (in) {
			*p++ = *s;
			if (esc)
				esc = false;
			else if (*s == '\\')
				esc = true;
			else if (*s == '"')
				in = false;
			continue;
		}
		if (*s == '"')
			in = true;
		if (*s != ' ' && *s != '\n')
			*p++ = *s;
	}
	*p = '\0';
	return o;
}

static void
json_writers_agree(void)
{
	struct qs_sample a = { 0 }, b = { 0 };
	struct qs_thresholds th = { .busy_pps = 10000 };
	struct pp_cli cli;
	struct qs_render_ctx rc = { .cli = &cli, .index = 2 };
	struct qs_eval ev;
	char *m1 = NULL, *m2 = NULL, *s1, *s2;
	size_t l1, l2;
	FILE *f;

	obj(&a, 4, "tbf", false, 0x10000, TC_H_ROOT, 1000, 10, 5, 0, 100, 1);
	obj(&a, 4, "htb", true, 0x10010, 0x10000, 1000, 10, 5, 0, 100, 1);
	one_dev(&a, 100.0, 1);
	obj(&b, 4, "tbf", false, 0x10000, TC_H_ROOT, 101000, 110, 105, 0, 200, 2);
	obj(&b, 4, "ingress", false, 0xFFFF0000u, TC_H_INGRESS, 0, 0, 0, 0, 0, 0);
	obj(&b, 4, "noqueue", false, 0, TC_H_ROOT, 0, 0, 0, 0, 0, 0);
	obj(&b, 4, "htb", true, 0x10010, 0x10000, 1000, 10, 5, 0, 0, 0);
	obj(&b, 4, "htb", true, 0x8001abcdu, 0x80010000u, 1000, 10, 5, 0, 0, 0);
	one_dev(&b, 102.0, 3);
	snprintf(b.dev[0].name, sizeof(b.dev[0].name), "we\"ird\\");
	pp_cli_init(&cli, "qdiscstat");
	CHECK_EQ_INT(qs_evaluate(&a, &b, &th, NULL, &ev), 0);
	b.wall = 1700000000.5;
	f = open_memstream(&m1, &l1);
	qs_render_json(f, &rc, &b, &ev);
	fclose(f);
	cli.pretty = true;
	f = open_memstream(&m2, &l2);
	qs_render_json(f, &rc, &b, &ev);
	fclose(f);
	s1 = squeeze(m1);
	s2 = squeeze(m2);
	CHECK_STR(s1, s2);
	CHECK(strstr(m1, "\"device\":\"we\\\"ird\\\\\"") != NULL);
	CHECK(strstr(m1, "\"drop_ratio\":0.5") != NULL);
	CHECK(strstr(m1, "\"classid\":\"8001:abcd\",\"parent\":\"8001:\"") != NULL);
	CHECK(strstr(m1, "\"handle\":\"ffff:\",\"parent\":\"ffff:fff1\"") != NULL);
	{
		/* Handles as tc takes them: 0: (noqueue), ffff:fff1 (ingress), root a word. */
		char hb[24];

		CHECK_STR(qs_handle_str(0, hb, sizeof(hb)), "0:");
		CHECK_STR(qs_handle_str(TC_H_INGRESS, hb, sizeof(hb)), "ffff:fff1");
		CHECK_STR(qs_handle_str(TC_H_ROOT, hb, sizeof(hb)), "root");
		CHECK_STR(qs_handle_str(0x10010, hb, sizeof(hb)), "1:10");
		CHECK_STR(qs_handle_str(0xffff0000u, hb, sizeof(hb)), "ffff:");
	}
	free(s1);
	free(s2);
	free(m1);
	free(m2);
	qs_eval_free(&ev);
	qs_sample_free(&a);
	qs_sample_free(&b);
}

int
main(void)
{
	RUN(htb_qdisc_options);
	RUN(htb_class_options);
	RUN(htb_class_xstats);
	RUN(tbf_options);
	RUN(fq_codel_both);
	RUN(codel_both);
	RUN(fq_both);
	RUN(fifo_prio_sfq);
	RUN(netem_options);
	RUN(unknown_kinds);
	RUN(options_fuzz);
	RUN(stats2_into_model);
	RUN(eval_drops_rising);
	RUN(eval_wrap_and_reset);
	RUN(eval_backlog_and_classes);
	RUN(eval_default_qdisc);
	RUN(json_writers_agree);
	return tap_done();
}
