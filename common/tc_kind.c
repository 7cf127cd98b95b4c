/* tc_kind.c: per-kind decoding of TCA_OPTIONS and TCA_XSTATS (see tc_kind.h). */
#include <errno.h>
#include <string.h>
#include <linux/pkt_sched.h>

#include "attr.h"
#include "tc_kind.h"

/* tc_fq_qd_stats grew after the headers we build against: the fields past horizon_caps. */
struct fq_qd_stats_ext {
	struct tc_fq_qd_stats base;
	uint64_t fastpath_packets;
	uint64_t band_drops[3];
	uint32_t band_pkt_count[3];
	uint32_t pad;
};

/* The sch_sfq v1 options, as the kernel has sent them since 3.3 (older headers may lack it). */
struct sfq_qopt_v1 {
	struct tc_sfq_qopt v0;
	uint32_t depth;
	uint32_t headdrop;
	uint32_t limit;
};

static void
add(struct pp_tc_fields *out, const char *name, uint64_t v, uint8_t type)
{
	if (out->n < PP_TC_FIELDS_MAX)
		out->f[out->n++] = (struct pp_tc_field){ name, v, type };
}

static void
add_s(struct pp_tc_fields *out, const char *name, int64_t v)
{
	add(out, name, (uint64_t)v, PP_TCF_SIGNED);
}

/* A field of a kernel struct, listed only when the payload of len bytes covers it. */
#define HAS(type, member, len) (offsetof(type, member) + sizeof(((type *)0)->member) <= (len))

static uint32_t
u32_at(const void *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static uint32_t
a_u32(const struct nlattr *a)
{
	return u32_at((const char *)a + NLA_HDRLEN);
}

static uint64_t
a_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, (const char *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

/* tc's ticks are 64 ns (PSCHED_SHIFT 6): bytes a token bucket of rate B/s holds for ticks. */
static uint64_t
ticks_to_bytes(uint64_t rate, uint32_t ticks)
{
	return (uint64_t)((double)rate * (double)ticks * 64.0 / 1e9 + 0.5);
}

/* ---- htb ---- */

static const struct pp_attr_policy htb_pol[TCA_HTB_MAX + 1] = {
	[TCA_HTB_PARMS] = { PP_A_MIN, sizeof(struct tc_htb_opt) },
	[TCA_HTB_INIT] = { PP_A_MIN, sizeof(struct tc_htb_glob) },
	[TCA_HTB_DIRECT_QLEN] = { PP_A_U32 },
	[TCA_HTB_RATE64] = { PP_A_U64 },
	[TCA_HTB_CEIL64] = { PP_A_U64 },
};

static int
htb_options(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	const struct nlattr *tb[TCA_HTB_MAX + 1];
	int rc = pp_attr_parse(p, len, htb_pol, TCA_HTB_MAX, tb);

	if (tb[TCA_HTB_INIT]) {
		struct tc_htb_glob g;

		pp_attr_copy(&g, sizeof(g), tb[TCA_HTB_INIT]);
		add(out, "r2q", g.rate2quantum, PP_TCF_GAUGE);
		add(out, "default_class", g.defcls, PP_TCF_GAUGE);
		add(out, "direct_packets", g.direct_pkts, PP_TCF_COUNTER);
	}
	if (tb[TCA_HTB_DIRECT_QLEN])
		add(out, "direct_qlen", a_u32(tb[TCA_HTB_DIRECT_QLEN]), PP_TCF_GAUGE);
	if (tb[TCA_HTB_PARMS]) {
		struct tc_htb_opt o;
		uint64_t rate, ceil;

		pp_attr_copy(&o, sizeof(o), tb[TCA_HTB_PARMS]);
		/* Rates of 2^32 B/s and more travel in the 64-bit attributes. */
		rate = tb[TCA_HTB_RATE64] ? a_u64(tb[TCA_HTB_RATE64]) : o.rate.rate;
		ceil = tb[TCA_HTB_CEIL64] ? a_u64(tb[TCA_HTB_CEIL64]) : o.ceil.rate;
		add(out, "rate_bytes_per_second", rate, PP_TCF_GAUGE);
		add(out, "ceil_bytes_per_second", ceil, PP_TCF_GAUGE);
		add(out, "burst_bytes", ticks_to_bytes(rate, o.buffer), PP_TCF_GAUGE);
		add(out, "cburst_bytes", ticks_to_bytes(ceil, o.cbuffer), PP_TCF_GAUGE);
		add(out, "quantum_bytes", o.quantum, PP_TCF_GAUGE);
		add(out, "level", o.level, PP_TCF_GAUGE);
		add(out, "prio", o.prio, PP_TCF_GAUGE);
	}
	(void)is_class;
	return rc;
}

static int
htb_xstats(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	struct tc_htb_xstats x;

	if (!is_class)
		return len ? -EBADMSG : 0;
	memset(&x, 0, sizeof(x));
	memcpy(&x, p, len < sizeof(x) ? len : sizeof(x));
	if (HAS(struct tc_htb_xstats, lends, len))
		add(out, "lends", x.lends, PP_TCF_COUNTER);
	if (HAS(struct tc_htb_xstats, borrows, len))
		add(out, "borrows", x.borrows, PP_TCF_COUNTER);
	if (HAS(struct tc_htb_xstats, giants, len))
		add(out, "giants", x.giants, PP_TCF_COUNTER);
	if (HAS(struct tc_htb_xstats, tokens, len))
		add_s(out, "tokens", x.tokens);
	if (HAS(struct tc_htb_xstats, ctokens, len))
		add_s(out, "ctokens", x.ctokens);
	return len < sizeof(x) ? -EBADMSG : 0;
}

/* ---- tbf ---- */

static const struct pp_attr_policy tbf_pol[TCA_TBF_MAX + 1] = {
	[TCA_TBF_PARMS] = { PP_A_MIN, sizeof(struct tc_tbf_qopt) },
	[TCA_TBF_RATE64] = { PP_A_U64 },
	[TCA_TBF_PRATE64] = { PP_A_U64 },
	[TCA_TBF_BURST] = { PP_A_U32 },
	[TCA_TBF_PBURST] = { PP_A_U32 },
};

static int
tbf_options(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	const struct nlattr *tb[TCA_TBF_MAX + 1];
	int rc = pp_attr_parse(p, len, tbf_pol, TCA_TBF_MAX, tb);

	if (tb[TCA_TBF_PARMS]) {
		struct tc_tbf_qopt q;
		uint64_t rate, prate;

		pp_attr_copy(&q, sizeof(q), tb[TCA_TBF_PARMS]);
		rate = tb[TCA_TBF_RATE64] ? a_u64(tb[TCA_TBF_RATE64]) : q.rate.rate;
		prate = tb[TCA_TBF_PRATE64] ? a_u64(tb[TCA_TBF_PRATE64]) : q.peakrate.rate;
		add(out, "rate_bytes_per_second", rate, PP_TCF_GAUGE);
		/* The kernel keeps the bucket as time (ticks); tc(8) shows it as bytes at the rate. */
		add(out, "burst_bytes", tb[TCA_TBF_BURST] ? a_u32(tb[TCA_TBF_BURST])
				       : ticks_to_bytes(rate, q.buffer), PP_TCF_GAUGE);
		add(out, "limit_bytes", q.limit, PP_TCF_GAUGE);
		if (prate) {
			add(out, "peakrate_bytes_per_second", prate, PP_TCF_GAUGE);
			add(out, "mtu_bytes", tb[TCA_TBF_PBURST] ? a_u32(tb[TCA_TBF_PBURST])
					     : ticks_to_bytes(prate, q.mtu), PP_TCF_GAUGE);
		}
	}
	(void)is_class;
	return rc;
}

/* ---- fq_codel and codel ---- */

static const struct pp_attr_policy fq_codel_pol[TCA_FQ_CODEL_MEMORY_LIMIT + 1] = {
	[TCA_FQ_CODEL_TARGET] = { PP_A_U32 }, [TCA_FQ_CODEL_LIMIT] = { PP_A_U32 },
	[TCA_FQ_CODEL_INTERVAL] = { PP_A_U32 }, [TCA_FQ_CODEL_ECN] = { PP_A_U32 },
	[TCA_FQ_CODEL_FLOWS] = { PP_A_U32 }, [TCA_FQ_CODEL_QUANTUM] = { PP_A_U32 },
	[TCA_FQ_CODEL_CE_THRESHOLD] = { PP_A_U32 }, [TCA_FQ_CODEL_DROP_BATCH_SIZE] = { PP_A_U32 },
	[TCA_FQ_CODEL_MEMORY_LIMIT] = { PP_A_U32 },
};

static const char *const fq_codel_names[TCA_FQ_CODEL_MEMORY_LIMIT + 1] = {
	[TCA_FQ_CODEL_TARGET] = "target_us", [TCA_FQ_CODEL_LIMIT] = "limit_packets",
	[TCA_FQ_CODEL_INTERVAL] = "interval_us", [TCA_FQ_CODEL_ECN] = "ecn",
	[TCA_FQ_CODEL_FLOWS] = "flows", [TCA_FQ_CODEL_QUANTUM] = "quantum_bytes",
	[TCA_FQ_CODEL_CE_THRESHOLD] = "ce_threshold_us",
	[TCA_FQ_CODEL_DROP_BATCH_SIZE] = "drop_batch_packets",
	[TCA_FQ_CODEL_MEMORY_LIMIT] = "memory_limit_bytes",
};

static const struct pp_attr_policy codel_pol[TCA_CODEL_MAX + 1] = {
	[TCA_CODEL_TARGET] = { PP_A_U32 }, [TCA_CODEL_LIMIT] = { PP_A_U32 },
	[TCA_CODEL_INTERVAL] = { PP_A_U32 }, [TCA_CODEL_ECN] = { PP_A_U32 },
	[TCA_CODEL_CE_THRESHOLD] = { PP_A_U32 },
};

static const char *const codel_names[TCA_CODEL_MAX + 1] = {
	[TCA_CODEL_TARGET] = "target_us", [TCA_CODEL_LIMIT] = "limit_packets",
	[TCA_CODEL_INTERVAL] = "interval_us", [TCA_CODEL_ECN] = "ecn",
	[TCA_CODEL_CE_THRESHOLD] = "ce_threshold_us",
};

/* Nested u32 attributes, one field each, in attribute order of the table. */
static int
u32_table(const void *p, size_t len, const struct pp_attr_policy *pol, const char *const *names,
	  unsigned max, struct pp_tc_fields *out)
{
	const struct nlattr *tb[64];
	int rc;

	if (max >= PP_ARRAY_SIZE(tb))
		return -EINVAL;
	rc = pp_attr_parse(p, len, pol, max, tb);
	for (unsigned t = 1; t <= max; t++)
		if (tb[t] && names[t])
			add(out, names[t], a_u32(tb[t]), PP_TCF_GAUGE);
	return rc;
}

static int
fq_codel_options(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	(void)is_class;
	return u32_table(p, len, fq_codel_pol, fq_codel_names, TCA_FQ_CODEL_MEMORY_LIMIT, out);
}

static int
codel_options(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	(void)is_class;
	return u32_table(p, len, codel_pol, codel_names, TCA_CODEL_MAX, out);
}

static int
fq_codel_xstats(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	struct tc_fq_codel_xstats x;
	size_t off = offsetof(struct tc_fq_codel_xstats, qdisc_stats);

	if (len < sizeof(uint32_t))
		return -EBADMSG;
	memset(&x, 0, sizeof(x));
	memcpy(&x, p, len < sizeof(x) ? len : sizeof(x));
	if (x.type == TCA_FQ_CODEL_XSTATS_QDISC) {
		const struct tc_fq_codel_qd_stats *s = &x.qdisc_stats;
		size_t n = len - off;

#define QD(m, t) if (HAS(struct tc_fq_codel_qd_stats, m, n)) add(out, #m, s->m, t)
		QD(maxpacket, PP_TCF_GAUGE);
		QD(drop_overlimit, PP_TCF_COUNTER);
		QD(ecn_mark, PP_TCF_COUNTER);
		QD(new_flow_count, PP_TCF_COUNTER);
		QD(new_flows_len, PP_TCF_GAUGE);
		QD(old_flows_len, PP_TCF_GAUGE);
		QD(ce_mark, PP_TCF_COUNTER);
		QD(memory_usage, PP_TCF_GAUGE);
		QD(drop_overmemory, PP_TCF_COUNTER);
#undef QD
		return n < offsetof(struct tc_fq_codel_qd_stats, ce_mark) ? -EBADMSG : 0;
	}
	if (x.type == TCA_FQ_CODEL_XSTATS_CLASS) {
		const struct tc_fq_codel_cl_stats *s = &x.class_stats;
		size_t n = len - off;

		if (HAS(struct tc_fq_codel_cl_stats, deficit, n))
			add_s(out, "deficit", s->deficit);
		if (HAS(struct tc_fq_codel_cl_stats, ldelay, n))
			add(out, "ldelay_us", s->ldelay, PP_TCF_GAUGE);
		if (HAS(struct tc_fq_codel_cl_stats, count, n))
			add(out, "count", s->count, PP_TCF_GAUGE);
		if (HAS(struct tc_fq_codel_cl_stats, dropping, n))
			add(out, "dropping", s->dropping, PP_TCF_GAUGE);
		return 0;
	}
	(void)is_class;
	return -EBADMSG;
}

static int
codel_xstats(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	struct tc_codel_xstats x;

	memset(&x, 0, sizeof(x));
	memcpy(&x, p, len < sizeof(x) ? len : sizeof(x));
#define CX(m, t) if (HAS(struct tc_codel_xstats, m, len)) add(out, #m, x.m, t)
	CX(maxpacket, PP_TCF_GAUGE);
	CX(count, PP_TCF_GAUGE);
	CX(lastcount, PP_TCF_GAUGE);
	if (HAS(struct tc_codel_xstats, ldelay, len))
		add(out, "ldelay_us", x.ldelay, PP_TCF_GAUGE);
	CX(drop_overlimit, PP_TCF_COUNTER);
	CX(ecn_mark, PP_TCF_COUNTER);
	CX(dropping, PP_TCF_GAUGE);
	CX(ce_mark, PP_TCF_COUNTER);
#undef CX
	(void)is_class;
	return len < offsetof(struct tc_codel_xstats, ce_mark) ? -EBADMSG : 0;
}

/* ---- fq ---- */

static const struct pp_attr_policy fq_pol[TCA_FQ_HORIZON_DROP + 1] = {
	[TCA_FQ_PLIMIT] = { PP_A_U32 }, [TCA_FQ_FLOW_PLIMIT] = { PP_A_U32 },
	[TCA_FQ_QUANTUM] = { PP_A_U32 }, [TCA_FQ_INITIAL_QUANTUM] = { PP_A_U32 },
	[TCA_FQ_RATE_ENABLE] = { PP_A_U32 }, [TCA_FQ_FLOW_MAX_RATE] = { PP_A_U32 },
	[TCA_FQ_BUCKETS_LOG] = { PP_A_U32 }, [TCA_FQ_FLOW_REFILL_DELAY] = { PP_A_U32 },
	[TCA_FQ_ORPHAN_MASK] = { PP_A_U32 }, [TCA_FQ_LOW_RATE_THRESHOLD] = { PP_A_U32 },
	[TCA_FQ_CE_THRESHOLD] = { PP_A_U32 }, [TCA_FQ_TIMER_SLACK] = { PP_A_U32 },
	[TCA_FQ_HORIZON] = { PP_A_U32 }, [TCA_FQ_HORIZON_DROP] = { PP_A_U8 },
};

static int
fq_options(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	static const char *const names[TCA_FQ_HORIZON_DROP + 1] = {
		[TCA_FQ_PLIMIT] = "limit_packets", [TCA_FQ_FLOW_PLIMIT] = "flow_limit_packets",
		[TCA_FQ_QUANTUM] = "quantum_bytes", [TCA_FQ_INITIAL_QUANTUM] = "initial_quantum_bytes",
		[TCA_FQ_RATE_ENABLE] = "rate_enable",
		[TCA_FQ_FLOW_REFILL_DELAY] = "refill_delay_us", [TCA_FQ_ORPHAN_MASK] = "orphan_mask",
		[TCA_FQ_LOW_RATE_THRESHOLD] = "low_rate_threshold_bytes_per_second",
		[TCA_FQ_CE_THRESHOLD] = "ce_threshold_us", [TCA_FQ_TIMER_SLACK] = "timer_slack_ns",
		[TCA_FQ_HORIZON] = "horizon_us",
	};
	const struct nlattr *tb[TCA_FQ_HORIZON_DROP + 1];
	int rc = pp_attr_parse(p, len, fq_pol, TCA_FQ_HORIZON_DROP, tb);

	for (unsigned t = 1; t <= TCA_FQ_HORIZON_DROP; t++)
		if (tb[t] && names[t])
			add(out, names[t], a_u32(tb[t]), PP_TCF_GAUGE);
	if (tb[TCA_FQ_BUCKETS_LOG] && a_u32(tb[TCA_FQ_BUCKETS_LOG]) < 32)
		add(out, "buckets", 1ULL << a_u32(tb[TCA_FQ_BUCKETS_LOG]), PP_TCF_GAUGE);
	/* ~0U means no per-flow limit: leave it out rather than print 4 GB/s. */
	if (tb[TCA_FQ_FLOW_MAX_RATE] && a_u32(tb[TCA_FQ_FLOW_MAX_RATE]) != ~0U)
		add(out, "maxrate_bytes_per_second", a_u32(tb[TCA_FQ_FLOW_MAX_RATE]), PP_TCF_GAUGE);
	if (tb[TCA_FQ_HORIZON_DROP])
		add(out, "horizon_drop", *((const uint8_t *)tb[TCA_FQ_HORIZON_DROP] + NLA_HDRLEN),
		    PP_TCF_GAUGE);
	(void)is_class;
	return rc;
}

static int
fq_xstats(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	struct fq_qd_stats_ext x;

	memset(&x, 0, sizeof(x));
	memcpy(&x, p, len < sizeof(x) ? len : sizeof(x));
#define FQ(m, t) if (HAS(struct tc_fq_qd_stats, m, len)) add(out, #m, x.base.m, t)
	FQ(gc_flows, PP_TCF_COUNTER);
	FQ(highprio_packets, PP_TCF_COUNTER);
	FQ(tcp_retrans, PP_TCF_COUNTER);
	FQ(throttled, PP_TCF_COUNTER);
	FQ(flows_plimit, PP_TCF_COUNTER);
	FQ(pkts_too_long, PP_TCF_COUNTER);
	FQ(allocation_errors, PP_TCF_COUNTER);
	FQ(flows, PP_TCF_GAUGE);
	FQ(inactive_flows, PP_TCF_GAUGE);
	FQ(throttled_flows, PP_TCF_GAUGE);
	FQ(unthrottle_latency_ns, PP_TCF_GAUGE);
	FQ(ce_mark, PP_TCF_COUNTER);
	FQ(horizon_drops, PP_TCF_COUNTER);
	FQ(horizon_caps, PP_TCF_COUNTER);
#undef FQ
	if (HAS(struct fq_qd_stats_ext, fastpath_packets, len))
		add(out, "fastpath_packets", x.fastpath_packets, PP_TCF_COUNTER);
	if (HAS(struct fq_qd_stats_ext, band_drops, len)) {
		add(out, "band0_drops", x.band_drops[0], PP_TCF_COUNTER);
		add(out, "band1_drops", x.band_drops[1], PP_TCF_COUNTER);
		add(out, "band2_drops", x.band_drops[2], PP_TCF_COUNTER);
	}
	(void)is_class;
	return len < offsetof(struct tc_fq_qd_stats, time_next_delayed_flow) ? -EBADMSG : 0;
}

/* ---- struct-only kinds ---- */

static int
fifo_options(const char *name, const void *p, size_t len, struct pp_tc_fields *out)
{
	if (len < sizeof(struct tc_fifo_qopt))
		return -EBADMSG;
	add(out, name, u32_at(p), PP_TCF_GAUGE);
	return 0;
}

static int
pfifo_options(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	(void)is_class;
	return fifo_options("limit_packets", p, len, out);
}

static int
bfifo_options(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	(void)is_class;
	return fifo_options("limit_bytes", p, len, out);
}

static int
prio_options(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	struct tc_prio_qopt q;

	if (is_class)
		return 0;
	if (len < sizeof(q))
		return -EBADMSG;
	memcpy(&q, p, sizeof(q));
	add(out, "bands", (uint32_t)q.bands, PP_TCF_GAUGE);
	return 0;
}

static int
sfq_options(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	struct sfq_qopt_v1 q;

	if (is_class)
		return 0;
	if (len < sizeof(struct tc_sfq_qopt))
		return -EBADMSG;
	memset(&q, 0, sizeof(q));
	memcpy(&q, p, len < sizeof(q) ? len : sizeof(q));
	add(out, "quantum_bytes", q.v0.quantum, PP_TCF_GAUGE);
	add(out, "perturb_seconds", (uint32_t)q.v0.perturb_period, PP_TCF_GAUGE);
	add(out, "divisor", q.v0.divisor, PP_TCF_GAUGE);
	add(out, "flows", q.v0.flows, PP_TCF_GAUGE);
	/* v1 carries the real limit after depth and headdrop; v0's limit is the old field. */
	if (HAS(struct sfq_qopt_v1, limit, len)) {
		add(out, "limit_packets", q.limit, PP_TCF_GAUGE);
		add(out, "depth_packets", q.depth, PP_TCF_GAUGE);
		add(out, "headdrop", q.headdrop, PP_TCF_GAUGE);
	} else {
		add(out, "limit_packets", q.v0.limit, PP_TCF_GAUGE);
	}
	return 0;
}

static int
sfq_xstats(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	struct tc_sfq_xstats x;

	if (len < sizeof(x))
		return -EBADMSG;
	memcpy(&x, p, sizeof(x));
	add_s(out, "allot", x.allot);
	(void)is_class;
	return 0;
}

/* ---- netem: a struct, then attributes after it ---- */

static const struct pp_attr_policy netem_pol[TCA_NETEM_MAX + 1] = {
	[TCA_NETEM_RATE] = { PP_A_MIN, sizeof(struct tc_netem_rate) },
	[TCA_NETEM_ECN] = { PP_A_U32 },
	[TCA_NETEM_RATE64] = { PP_A_U64 },
	[TCA_NETEM_LATENCY64] = { PP_A_U64 },
	[TCA_NETEM_JITTER64] = { PP_A_U64 },
};

static int
netem_options(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	const struct nlattr *tb[TCA_NETEM_MAX + 1];
	struct tc_netem_qopt q;
	size_t off = NLA_ALIGN(sizeof(q));
	int rc = 0;

	if (is_class)
		return 0;
	if (len < sizeof(q))
		return -EBADMSG;
	memcpy(&q, p, sizeof(q));
	memset(tb, 0, sizeof(tb));
	if (len > off)
		rc = pp_attr_parse((const char *)p + off, len - off, netem_pol, TCA_NETEM_MAX, tb);
	add(out, "limit_packets", q.limit, PP_TCF_GAUGE);
	/* The struct's times are 64 ns ticks; newer kernels add exact nanoseconds. */
	add(out, "latency_ns", tb[TCA_NETEM_LATENCY64] ? a_u64(tb[TCA_NETEM_LATENCY64])
			       : (uint64_t)q.latency * 64, PP_TCF_GAUGE);
	add(out, "jitter_ns", tb[TCA_NETEM_JITTER64] ? a_u64(tb[TCA_NETEM_JITTER64])
			      : (uint64_t)q.jitter * 64, PP_TCF_GAUGE);
	/* Probabilities are fractions of 2^32; parts per million read better. */
	add(out, "loss_ppm", (uint64_t)(((double)q.loss * 1e6) / 4294967296.0 + 0.5), PP_TCF_GAUGE);
	add(out, "duplicate_ppm", (uint64_t)(((double)q.duplicate * 1e6) / 4294967296.0 + 0.5),
	    PP_TCF_GAUGE);
	add(out, "gap", q.gap, PP_TCF_GAUGE);
	if (tb[TCA_NETEM_RATE] || tb[TCA_NETEM_RATE64]) {
		struct tc_netem_rate r = { 0 };

		if (tb[TCA_NETEM_RATE])
			pp_attr_copy(&r, sizeof(r), tb[TCA_NETEM_RATE]);
		add(out, "rate_bytes_per_second",
		    tb[TCA_NETEM_RATE64] ? a_u64(tb[TCA_NETEM_RATE64]) : r.rate, PP_TCF_GAUGE);
	}
	if (tb[TCA_NETEM_ECN])
		add(out, "ecn", a_u32(tb[TCA_NETEM_ECN]), PP_TCF_GAUGE);
	return rc;
}

/* ---- dispatch ---- */

typedef int (*dec_fn)(bool is_class, const void *p, size_t len, struct pp_tc_fields *out);

struct kind_ops {
	const char *kind;
	dec_fn options, xstats;
	bool classful;
};

/* ---- cake ---- */

static const struct pp_attr_policy cake_pol[TCA_CAKE_MAX + 1] = {
	[TCA_CAKE_BASE_RATE64] = { PP_A_U64 },
	[TCA_CAKE_DIFFSERV_MODE] = { PP_A_U32 }, [TCA_CAKE_ATM] = { PP_A_U32 },
	[TCA_CAKE_FLOW_MODE] = { PP_A_U32 }, [TCA_CAKE_OVERHEAD] = { PP_A_U32 },
	[TCA_CAKE_RTT] = { PP_A_U32 }, [TCA_CAKE_TARGET] = { PP_A_U32 },
	[TCA_CAKE_AUTORATE] = { PP_A_U32 }, [TCA_CAKE_MEMORY] = { PP_A_U32 },
	[TCA_CAKE_NAT] = { PP_A_U32 }, [TCA_CAKE_RAW] = { PP_A_U32 },
	[TCA_CAKE_WASH] = { PP_A_U32 }, [TCA_CAKE_MPU] = { PP_A_U32 },
	[TCA_CAKE_INGRESS] = { PP_A_U32 }, [TCA_CAKE_ACK_FILTER] = { PP_A_U32 },
	[TCA_CAKE_SPLIT_GSO] = { PP_A_U32 }, [TCA_CAKE_FWMARK] = { PP_A_U32 },
};

/* Each as cake_dump() sends it; overhead is signed (a negative compensation is allowed). */
static int
cake_options(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	static const struct { uint16_t type; const char *name; } u32s[] = {
		{ TCA_CAKE_DIFFSERV_MODE, "diffserv_mode" }, { TCA_CAKE_FLOW_MODE, "flow_mode" },
		{ TCA_CAKE_RTT, "rtt_us" }, { TCA_CAKE_TARGET, "target_us" },
		{ TCA_CAKE_MEMORY, "memory_limit_bytes" }, { TCA_CAKE_AUTORATE, "autorate" },
		{ TCA_CAKE_NAT, "nat" }, { TCA_CAKE_WASH, "wash" }, { TCA_CAKE_INGRESS, "ingress" },
		{ TCA_CAKE_ACK_FILTER, "ack_filter" }, { TCA_CAKE_SPLIT_GSO, "split_gso" },
		{ TCA_CAKE_ATM, "atm" }, { TCA_CAKE_RAW, "raw" }, { TCA_CAKE_MPU, "mpu_bytes" },
		{ TCA_CAKE_FWMARK, "fwmark_mask" },
	};
	const struct nlattr *tb[TCA_CAKE_MAX + 1];
	int rc = pp_attr_parse(p, len, cake_pol, TCA_CAKE_MAX, tb);

	if (tb[TCA_CAKE_BASE_RATE64])
		add(out, "bandwidth_bytes_per_second", a_u64(tb[TCA_CAKE_BASE_RATE64]), PP_TCF_GAUGE);
	for (size_t i = 0; i < PP_ARRAY_SIZE(u32s); i++)
		if (tb[u32s[i].type])
			add(out, u32s[i].name, a_u32(tb[u32s[i].type]), PP_TCF_GAUGE);
	if (tb[TCA_CAKE_OVERHEAD])
		add_s(out, "overhead_bytes", (int32_t)a_u32(tb[TCA_CAKE_OVERHEAD]));
	(void)is_class;
	return rc;
}

static const struct pp_attr_policy cake_stats_pol[TCA_CAKE_STATS_MAX + 1] = {
	[TCA_CAKE_STATS_CAPACITY_ESTIMATE64] = { PP_A_U64 },
	[TCA_CAKE_STATS_MEMORY_LIMIT] = { PP_A_U32 }, [TCA_CAKE_STATS_MEMORY_USED] = { PP_A_U32 },
	[TCA_CAKE_STATS_AVG_NETOFF] = { PP_A_U32 },
	[TCA_CAKE_STATS_MIN_NETLEN] = { PP_A_U32 }, [TCA_CAKE_STATS_MAX_NETLEN] = { PP_A_U32 },
	[TCA_CAKE_STATS_MIN_ADJLEN] = { PP_A_U32 }, [TCA_CAKE_STATS_MAX_ADJLEN] = { PP_A_U32 },
	[TCA_CAKE_STATS_TIN_STATS] = { PP_A_NEST },
	[TCA_CAKE_STATS_DEFICIT] = { PP_A_U32 }, [TCA_CAKE_STATS_COBALT_COUNT] = { PP_A_U32 },
	[TCA_CAKE_STATS_DROPPING] = { PP_A_U32 }, [TCA_CAKE_STATS_DROP_NEXT_US] = { PP_A_U32 },
	[TCA_CAKE_STATS_P_DROP] = { PP_A_U32 }, [TCA_CAKE_STATS_BLUE_TIMER_US] = { PP_A_U32 },
};

static const struct pp_attr_policy cake_tin_pol[TCA_CAKE_TIN_STATS_MAX + 1] = {
	[TCA_CAKE_TIN_STATS_SENT_PACKETS] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_SENT_BYTES64] = { PP_A_U64 },
	[TCA_CAKE_TIN_STATS_DROPPED_PACKETS] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_ECN_MARKED_PACKETS] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_ACKS_DROPPED_PACKETS] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_BACKLOG_BYTES] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_THRESHOLD_RATE64] = { PP_A_U64 },
	[TCA_CAKE_TIN_STATS_TARGET_US] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_INTERVAL_US] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_WAY_INDIRECT_HITS] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_WAY_MISSES] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_WAY_COLLISIONS] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_PEAK_DELAY_US] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_AVG_DELAY_US] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_BASE_DELAY_US] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_SPARSE_FLOWS] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_BULK_FLOWS] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_UNRESPONSIVE_FLOWS] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_MAX_SKBLEN] = { PP_A_U32 },
	[TCA_CAKE_TIN_STATS_FLOW_QUANTUM] = { PP_A_U32 },
};

/*
 * The per-tin numbers worth a field, in the order tc(8) prints them. A name is
 * "tin<N>_<what>", N from 0 in the kernel's display order (cake's tin_order);
 * the strings are static because a field holds only a pointer.
 */
#define CAKE_TIN_FIELDS(n) {								\
	"tin" #n "_threshold_rate_bytes_per_second", "tin" #n "_target_us",		\
	"tin" #n "_interval_us", "tin" #n "_peak_delay_us", "tin" #n "_avg_delay_us",	\
	"tin" #n "_base_delay_us", "tin" #n "_sent_packets", "tin" #n "_sent_bytes",	\
	"tin" #n "_way_indirect_hits", "tin" #n "_way_misses", "tin" #n "_way_collisions", \
	"tin" #n "_dropped_packets", "tin" #n "_ecn_marked_packets",			\
	"tin" #n "_acks_dropped_packets", "tin" #n "_sparse_flows", "tin" #n "_bulk_flows", \
	"tin" #n "_unresponsive_flows", "tin" #n "_max_skblen_bytes",			\
	"tin" #n "_flow_quantum_bytes", "tin" #n "_backlog_bytes" }
#define CAKE_TINS 8
static const char *const cake_tin_names[CAKE_TINS][20] = {
	CAKE_TIN_FIELDS(0), CAKE_TIN_FIELDS(1), CAKE_TIN_FIELDS(2), CAKE_TIN_FIELDS(3),
	CAKE_TIN_FIELDS(4), CAKE_TIN_FIELDS(5), CAKE_TIN_FIELDS(6), CAKE_TIN_FIELDS(7),
};
static const struct { uint16_t type; uint8_t ftype; } cake_tin_attrs[20] = {
	{ TCA_CAKE_TIN_STATS_THRESHOLD_RATE64, PP_TCF_GAUGE }, { TCA_CAKE_TIN_STATS_TARGET_US, PP_TCF_GAUGE },
	{ TCA_CAKE_TIN_STATS_INTERVAL_US, PP_TCF_GAUGE }, { TCA_CAKE_TIN_STATS_PEAK_DELAY_US, PP_TCF_GAUGE },
	{ TCA_CAKE_TIN_STATS_AVG_DELAY_US, PP_TCF_GAUGE }, { TCA_CAKE_TIN_STATS_BASE_DELAY_US, PP_TCF_GAUGE },
	{ TCA_CAKE_TIN_STATS_SENT_PACKETS, PP_TCF_COUNTER }, { TCA_CAKE_TIN_STATS_SENT_BYTES64, PP_TCF_COUNTER },
	{ TCA_CAKE_TIN_STATS_WAY_INDIRECT_HITS, PP_TCF_COUNTER }, { TCA_CAKE_TIN_STATS_WAY_MISSES, PP_TCF_COUNTER },
	{ TCA_CAKE_TIN_STATS_WAY_COLLISIONS, PP_TCF_COUNTER }, { TCA_CAKE_TIN_STATS_DROPPED_PACKETS, PP_TCF_COUNTER },
	{ TCA_CAKE_TIN_STATS_ECN_MARKED_PACKETS, PP_TCF_COUNTER },
	{ TCA_CAKE_TIN_STATS_ACKS_DROPPED_PACKETS, PP_TCF_COUNTER },
	{ TCA_CAKE_TIN_STATS_SPARSE_FLOWS, PP_TCF_GAUGE }, { TCA_CAKE_TIN_STATS_BULK_FLOWS, PP_TCF_GAUGE },
	{ TCA_CAKE_TIN_STATS_UNRESPONSIVE_FLOWS, PP_TCF_GAUGE }, { TCA_CAKE_TIN_STATS_MAX_SKBLEN, PP_TCF_GAUGE },
	{ TCA_CAKE_TIN_STATS_FLOW_QUANTUM, PP_TCF_GAUGE }, { TCA_CAKE_TIN_STATS_BACKLOG_BYTES, PP_TCF_GAUGE },
};

static uint64_t
a_num(const struct nlattr *a)
{
	return mnl_attr_get_payload_len(a) == 8 ? a_u64(a) : a_u32(a);
}

/*
 * cake_dump_stats() sends nested attributes in TCA_STATS_APP (and no TCA_XSTATS):
 * the qdisc's memory and capacity, then one nest per tin. A flow (a cake class)
 * sends the flow's own few numbers instead.
 */
static int
cake_xstats(bool is_class, const void *p, size_t len, struct pp_tc_fields *out)
{
	static const struct { uint16_t type; const char *name; uint8_t ftype; } top[] = {
		{ TCA_CAKE_STATS_CAPACITY_ESTIMATE64, "capacity_estimate_bytes_per_second", PP_TCF_GAUGE },
		{ TCA_CAKE_STATS_MEMORY_LIMIT, "memory_limit_bytes", PP_TCF_GAUGE },
		{ TCA_CAKE_STATS_MEMORY_USED, "memory_used_bytes", PP_TCF_GAUGE },
		{ TCA_CAKE_STATS_AVG_NETOFF, "avg_netoff_bytes", PP_TCF_GAUGE },
		{ TCA_CAKE_STATS_MIN_NETLEN, "min_netlen_bytes", PP_TCF_GAUGE },
		{ TCA_CAKE_STATS_MAX_NETLEN, "max_netlen_bytes", PP_TCF_GAUGE },
		{ TCA_CAKE_STATS_MIN_ADJLEN, "min_adjlen_bytes", PP_TCF_GAUGE },
		{ TCA_CAKE_STATS_MAX_ADJLEN, "max_adjlen_bytes", PP_TCF_GAUGE },
		{ TCA_CAKE_STATS_COBALT_COUNT, "cobalt_count", PP_TCF_GAUGE },
		{ TCA_CAKE_STATS_DROPPING, "dropping", PP_TCF_GAUGE },
		{ TCA_CAKE_STATS_DROP_NEXT_US, "drop_next_us", PP_TCF_SIGNED },
		{ TCA_CAKE_STATS_P_DROP, "p_drop", PP_TCF_GAUGE },
		{ TCA_CAKE_STATS_BLUE_TIMER_US, "blue_timer_us", PP_TCF_SIGNED },
	};
	const struct nlattr *tb[TCA_CAKE_STATS_MAX + 1];
	int rc = pp_attr_parse(p, len, cake_stats_pol, TCA_CAKE_STATS_MAX, tb);

	for (size_t i = 0; i < PP_ARRAY_SIZE(top); i++) {
		const struct nlattr *a = tb[top[i].type];

		if (!a)
			continue;
		if (top[i].ftype == PP_TCF_SIGNED)
			add_s(out, top[i].name, (int32_t)a_u32(a));
		else
			add(out, top[i].name, a_num(a), top[i].ftype);
	}
	if (tb[TCA_CAKE_STATS_DEFICIT])
		add_s(out, "deficit", (int32_t)a_u32(tb[TCA_CAKE_STATS_DEFICIT]));
	if (tb[TCA_CAKE_STATS_TIN_STATS]) {
		const struct nlattr *t;

		mnl_attr_for_each_nested(t, tb[TCA_CAKE_STATS_TIN_STATS]) {
			unsigned tin = mnl_attr_get_type(t);
			const struct nlattr *ts[TCA_CAKE_TIN_STATS_MAX + 1];

			/* Tins are numbered from 1; cake has at most 8. */
			if (tin < 1 || tin > CAKE_TINS)
				continue;
			if (pp_attr_parse_nest(t, cake_tin_pol, TCA_CAKE_TIN_STATS_MAX, ts) < 0) {
				rc = -EBADMSG;
				break;
			}
			for (size_t k = 0; k < PP_ARRAY_SIZE(cake_tin_attrs); k++) {
				const struct nlattr *a = ts[cake_tin_attrs[k].type];

				if (a)
					add(out, cake_tin_names[tin - 1][k], a_num(a), cake_tin_attrs[k].ftype);
			}
		}
	}
	(void)is_class;
	return rc;
}

static const struct kind_ops kinds[] = {
	{ "htb", htb_options, htb_xstats, true },
	{ "tbf", tbf_options, NULL, false },
	{ "fq_codel", fq_codel_options, fq_codel_xstats, false },
	{ "codel", codel_options, codel_xstats, false },
	{ "fq", fq_options, fq_xstats, false },
	{ "pfifo", pfifo_options, NULL, false },
	{ "pfifo_head_drop", pfifo_options, NULL, false },
	{ "bfifo", bfifo_options, NULL, false },
	{ "pfifo_fast", prio_options, NULL, false },
	{ "prio", prio_options, NULL, true },
	{ "sfq", sfq_options, sfq_xstats, false },
	{ "netem", netem_options, NULL, false },
	{ "hfsc", NULL, NULL, true },
	{ "drr", NULL, NULL, true },
	{ "qfq", NULL, NULL, true },
	{ "ets", NULL, NULL, true },
	{ "mq", NULL, NULL, true },
	{ "mqprio", NULL, NULL, true },
	{ "multiq", NULL, NULL, true },
	{ "taprio", NULL, NULL, true },
	{ "cbq", NULL, NULL, true },
	{ "atm", NULL, NULL, true },
	{ "cbs", NULL, NULL, false },
	/* Classful in the kernel, but its classes are flows (up to 8 x 1024): no class dump. */
	{ "cake", cake_options, cake_xstats, false },
};

static const struct kind_ops *
find_kind(const char *kind)
{
	for (size_t i = 0; i < PP_ARRAY_SIZE(kinds); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return &kinds[i];
	return NULL;
}

int
pp_tc_options_decode(const char *kind, bool is_class, const void *p, size_t len,
		     struct pp_tc_fields *out)
{
	const struct kind_ops *k = find_kind(kind);

	out->n = 0;
	if (!k || !k->options)
		return -EOPNOTSUPP;
	if (!p && len)
		return -EINVAL;
	return k->options(is_class, p, len, out) < 0 ? -EBADMSG : 0;
}

int
pp_tc_xstats_decode(const char *kind, bool is_class, const void *p, size_t len,
		    struct pp_tc_fields *out)
{
	const struct kind_ops *k = find_kind(kind);

	out->n = 0;
	if (!k || !k->xstats)
		return -EOPNOTSUPP;
	if (!p && len)
		return -EINVAL;
	return k->xstats(is_class, p, len, out) < 0 ? -EBADMSG : 0;
}

bool
pp_tc_field_get(const struct pp_tc_fields *f, const char *name, uint64_t *v)
{
	for (unsigned i = 0; i < f->n; i++)
		if (strcmp(f->f[i].name, name) == 0) {
			*v = f->f[i].v;
			return true;
		}
	return false;
}

bool
pp_tc_kind_classful(const char *kind)
{
	const struct kind_ops *k = find_kind(kind);

	return k && k->classful;
}
