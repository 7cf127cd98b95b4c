/* test_common_qdisc.c: pp_qdisc_decode on RTM_NEWQDISC / RTM_NEWTCLASS as tc_fill_qdisc() lays them out. */
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "qdisc.h"
#include "tc_kind.h"
#include "test_common_msg.h"

static struct tcmsg *
tc_start(struct tmsg *m, uint16_t type, struct nlmsghdr **nlhp)
{
	void *h;
	struct tcmsg *tcm;

	*nlhp = tmsg_start(m, type, sizeof(*tcm), &h);
	tcm = h;
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = 5;
	tcm->tcm_handle = 0x10000;	/* 1: */
	tcm->tcm_parent = TC_H_ROOT;
	tcm->tcm_info = 2;
	return tcm;
}

/* htb 1: root, as a 6.x kernel sends it: TCA_STATS2 with basic, queue; compat TCA_STATS; xstats. */
static struct nlmsghdr *
build_htb(struct tmsg *m, bool pkt64)
{
	struct nlmsghdr *nlh;
	struct nlattr *opt, *st;
	struct gnet_stats_basic b = { .bytes = 123456789012ULL, .packets = 4242 };
	struct gnet_stats_queue q = { .qlen = 3, .backlog = 4500, .drops = 17, .requeues = 1,
				      .overlimits = 99 };
	struct tc_stats ts = { .bytes = 1, .packets = 1, .drops = 1 };
	struct tc_htb_glob glob = { .version = 3, .rate2quantum = 10, .defcls = 0x10 };
	uint32_t xs[5] = { 1, 2, 3, 4, 5 };
	uint64_t packets = 5000000000ULL;

	tc_start(m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put(nlh, TCA_HTB_INIT, sizeof(glob), &glob);
	mnl_attr_nest_end(nlh, opt);
	mnl_attr_put_u8(nlh, TCA_HW_OFFLOAD, 0);
	st = mnl_attr_nest_start(nlh, TCA_STATS2);
	if (pkt64) {
		b.packets = (uint32_t)packets;
		mnl_attr_put(nlh, TCA_STATS_PAD, 0, NULL);
	}
	mnl_attr_put(nlh, TCA_STATS_BASIC, sizeof(b), &b);
	if (pkt64)
		mnl_attr_put_u64(nlh, TCA_STATS_PKT64, packets);
	mnl_attr_put(nlh, TCA_STATS_QUEUE, sizeof(q), &q);
	mnl_attr_put(nlh, TCA_STATS_APP, sizeof(xs), xs);
	mnl_attr_nest_end(nlh, st);
	mnl_attr_put(nlh, TCA_STATS, sizeof(ts), &ts);
	mnl_attr_put(nlh, TCA_XSTATS, sizeof(xs), xs);
	return nlh;
}

static void
test_qdisc_htb(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_htb(&m, false);
	struct pp_qdisc q;
	char h[16];

	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), 0);
	CHECK_STR(q.kind, "htb");
	CHECK(!q.is_class);
	CHECK_EQ_INT(q.ifindex, 5);
	CHECK_EQ_INT(q.handle, 0x10000);
	CHECK_EQ_INT(q.parent, TC_H_ROOT);
	CHECK(q.has_stats2);
	CHECK(q.bytes == 123456789012ULL);
	CHECK_EQ_INT(q.packets, 4242);
	CHECK_EQ_INT(q.qlen, 3);
	CHECK_EQ_INT(q.backlog, 4500);
	CHECK_EQ_INT(q.drops, 17);
	CHECK_EQ_INT(q.requeues, 1);
	CHECK_EQ_INT(q.overlimits, 99);
	CHECK(!q.has_rate);
	CHECK_EQ_INT(q.xstats_len, 20);
	CHECK(q.options_len > 0);
	CHECK_STR(pp_tc_handle_str(q.handle, h, sizeof(h)), "1:");
	CHECK_STR(pp_tc_handle_str(q.parent, h, sizeof(h)), "root");
	CHECK_STR(pp_tc_handle_str(0x10010, h, sizeof(h)), "1:10");
	CHECK_STR(pp_tc_handle_str(TC_H_INGRESS, h, sizeof(h)), "ingress");
	CHECK_STR(pp_tc_handle_str(0, h, sizeof(h)), "none");
	CHECK_STR(pp_tc_handle_str(0xffff0000, h, sizeof(h)), "ffff:");
	CHECK_STR(pp_tc_handle_str(0x1, h, sizeof(h)), "0:1");
	CHECK_STR(pp_tc_handle_str(0xabcd1234, h, sizeof(h)), "abcd:1234");
	CHECK_STR(pp_tc_handle_str(0x8001fff0, h, sizeof(h)), "8001:fff0");
	CHECK_STR(pp_tc_handle_str(0x00100000, h, sizeof(h)), "10:");
	{
		char small[4];

		/* Cut to fit, always terminated. */
		CHECK_STR(pp_tc_handle_str(0xabcd1234, small, sizeof(small)), "abc");
		CHECK_STR(pp_tc_handle_str(TC_H_INGRESS, small, sizeof(small)), "ing");
	}
}

/* Past 2^32 packets the kernel adds TCA_STATS_PKT64 (and a pad): the 64-bit count wins. */
static void
test_qdisc_pkt64(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_htb(&m, true);
	struct pp_qdisc q;

	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), 0);
	CHECK(q.packets == 5000000000ULL);
}

/* A class with a rate estimator; an old-style qdisc with only TCA_STATS. */
static void
test_qdisc_class_rate_and_compat(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct nlattr *st;
	struct pp_qdisc q;
	struct gnet_stats_rate_est r32 = { .bps = 1000, .pps = 10 };
	struct gnet_stats_rate_est64 r64 = { .bps = 10000000000ULL, .pps = 20 };
	struct tc_stats ts = { .bytes = 77, .packets = 7, .drops = 2, .overlimits = 3, .qlen = 1,
			       .backlog = 100 };

	tc_start(&m, RTM_NEWTCLASS, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	st = mnl_attr_nest_start(nlh, TCA_STATS2);
	mnl_attr_put(nlh, TCA_STATS_RATE_EST, sizeof(r32), &r32);
	mnl_attr_put(nlh, TCA_STATS_RATE_EST64, sizeof(r64), &r64);
	mnl_attr_nest_end(nlh, st);
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), 0);
	CHECK(q.is_class);
	CHECK(q.has_rate);
	CHECK(q.bps == 10000000000ULL);
	CHECK_EQ_INT(q.pps, 20);

	tc_start(&m, RTM_NEWTCLASS, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	st = mnl_attr_nest_start(nlh, TCA_STATS2);
	mnl_attr_put(nlh, TCA_STATS_RATE_EST, sizeof(r32), &r32);
	mnl_attr_nest_end(nlh, st);
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), 0);
	CHECK(q.has_rate && q.bps == 1000 && q.pps == 10);

	tc_start(&m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "pfifo");
	mnl_attr_put(nlh, TCA_STATS, sizeof(ts), &ts);
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), 0);
	CHECK(!q.has_stats2);
	CHECK_EQ_INT(q.bytes, 77);
	CHECK_EQ_INT(q.packets, 7);
	CHECK_EQ_INT(q.drops, 2);
	CHECK_EQ_INT(q.overlimits, 3);
	CHECK_EQ_INT(q.backlog, 100);

	/* noqueue: a kind and nothing else. */
	tc_start(&m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "noqueue");
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), 0);
	CHECK_STR(q.kind, "noqueue");
	CHECK(!q.has_stats2 && q.packets == 0);
	/* Without TCA_KIND: malformed. */
	tc_start(&m, RTM_NEWQDISC, &nlh);
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), -EBADMSG);
}

static void
test_qdisc_short_and_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_htb(&m, true);
	uint32_t start = NLMSG_HDRLEN + sizeof(struct tcmsg);
	struct pp_qdisc q;

	CHECK_EQ_INT(TDECODE_LEN(pp_qdisc_decode, nlh, start - 1, &q), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_qdisc_decode, nlh, NLMSG_HDRLEN + 8, &q), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_qdisc_decode, nlh, start + NLA_HDRLEN + 1, &q), -EBADMSG);
	for (uint32_t len = start; len < nlh->nlmsg_len; len++) {
		int rc = TDECODE_LEN(pp_qdisc_decode, nlh, len, &q);

		CHECK(rc == 0 || rc == -EBADMSG);
	}
	/* TCA_XSTATS claiming past the end. */
	tc_start(&m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	tmsg_put_raw(nlh, TCA_XSTATS, 300, "abcd", 4);
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), -EBADMSG);
}

/* TCA_STATS2 truncated inside, or with short members. */
static void
test_qdisc_stats2_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct nlattr *st, *inner;
	struct pp_qdisc q;
	struct gnet_stats_basic b = { 1, 1 };
	struct gnet_stats_queue qs = { 0 };

	/* TCA_STATS_BASIC claims more than TCA_STATS2 holds. */
	tc_start(&m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	st = mnl_attr_nest_start(nlh, TCA_STATS2);
	inner = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put(nlh, TCA_STATS_BASIC, sizeof(b), &b);
	mnl_attr_nest_end(nlh, st);
	mnl_attr_put(nlh, TCA_XSTATS, 64, (char[64]){ 0 });
	inner->nla_len = NLA_HDRLEN + 40;
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), -EBADMSG);

	/* The nest's own length cut to 6 (below one inner header). */
	tc_start(&m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	st = mnl_attr_nest_start(nlh, TCA_STATS2);
	mnl_attr_put(nlh, TCA_STATS_BASIC, sizeof(b), &b);
	mnl_attr_nest_end(nlh, st);
	st->nla_len = NLA_HDRLEN + 6;
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), -EBADMSG);

	/* A gnet_stats_queue shorter than the struct. */
	tc_start(&m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	st = mnl_attr_nest_start(nlh, TCA_STATS2);
	mnl_attr_put(nlh, TCA_STATS_QUEUE, sizeof(qs) - 4, &qs);
	mnl_attr_nest_end(nlh, st);
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), -EBADMSG);

	/* A 4-byte TCA_STATS_PKT64. */
	tc_start(&m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	st = mnl_attr_nest_start(nlh, TCA_STATS2);
	mnl_attr_put_u32(nlh, TCA_STATS_PKT64, 1);
	mnl_attr_nest_end(nlh, st);
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), -EBADMSG);

	/* The message ends inside TCA_STATS2. */
	nlh = build_htb(&m, false);
	{
		const struct nlattr *a;
		uint32_t cut = 0;

		mnl_attr_for_each(a, nlh, sizeof(struct tcmsg))
			if (mnl_attr_get_type(a) == TCA_STATS2)
				cut = tmsg_off(nlh, a) + NLA_HDRLEN + 10;
		CHECK(cut > 0);
		CHECK_EQ_INT(TDECODE_LEN(pp_qdisc_decode, nlh, cut, &q), -EBADMSG);
	}
}

static void
test_qdisc_wrong_length_and_unknown(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_qdisc q;
	struct tc_stats ts = { 0 };

	tc_start(&m, RTM_NEWQDISC, &nlh);
	mnl_attr_put(nlh, TCA_KIND, 3, "htb");	/* no NUL */
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), -EBADMSG);

	tc_start(&m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	mnl_attr_put(nlh, TCA_STATS, sizeof(ts) - 8, &ts);
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), -EBADMSG);

	/* A kind longer than 15 characters is cut; a 1 KiB TCA_OPTIONS is kept whole. */
	tc_start(&m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "a-very-long-qdisc-kind");
	{
		static char big[1024];

		memset(big, 0x5a, sizeof(big));
		mnl_attr_put(nlh, TCA_OPTIONS, sizeof(big), big);
	}
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), 0);
	CHECK_EQ_INT(strlen(q.kind), sizeof(q.kind) - 1);
	CHECK_EQ_INT(q.options_len, 1024);

	/* Unknown top-level and TCA_STATS2 members are ignored. */
	tc_start(&m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_u32(nlh, TCA_MAX + 1, 1);
	mnl_attr_put_strz(nlh, TCA_KIND, "tbf");
	mnl_attr_put_u32(nlh, TCA_CHAIN, 0);
	mnl_attr_put(nlh, 0x7ff0, 2, "x");
	{
		struct nlattr *st = mnl_attr_nest_start(nlh, TCA_STATS2);
		struct gnet_stats_queue qs = { .drops = 5 };

		mnl_attr_put_u64(nlh, TCA_STATS_MAX + 1, 1);
		mnl_attr_put(nlh, TCA_STATS_BASIC_HW, 3, "hw");
		mnl_attr_put(nlh, TCA_STATS_QUEUE, sizeof(qs), &qs);
		mnl_attr_nest_end(nlh, st);
	}
	CHECK_EQ_INT(TDECODE(pp_qdisc_decode, nlh, &q), 0);
	CHECK_STR(q.kind, "tbf");
	CHECK_EQ_INT(q.drops, 5);
}

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	struct pp_qdisc q;

	return pp_qdisc_decode(nlh, &q);
}


/*
 * cake, as cake_dump() and cake_dump_stats() send it: options nested in
 * TCA_OPTIONS; its statistics only as a nest in TCA_STATS2/TCA_STATS_APP (no
 * TCA_XSTATS), one nest per tin, numbered from 1.
 */
static struct nlmsghdr *
build_cake(struct tmsg *m, int ntins, bool bad_tin)
{
	struct nlmsghdr *nlh;
	struct nlattr *opt, *st, *app, *tins;
	struct gnet_stats_basic b = { .bytes = 1000, .packets = 10 };
	struct gnet_stats_queue q = { .drops = 7 };

	tc_start(m, RTM_NEWQDISC, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "cake");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u64(nlh, TCA_CAKE_BASE_RATE64, 12500000);
	mnl_attr_put_u32(nlh, TCA_CAKE_DIFFSERV_MODE, 1);
	mnl_attr_put_u32(nlh, TCA_CAKE_RTT, 100000);
	mnl_attr_put_u32(nlh, TCA_CAKE_OVERHEAD, (uint32_t)-4);
	mnl_attr_put_u32(nlh, TCA_CAKE_MAX + 2, 77);	/* newer than our headers */
	mnl_attr_nest_end(nlh, opt);
	st = mnl_attr_nest_start(nlh, TCA_STATS2);
	mnl_attr_put(nlh, TCA_STATS_BASIC, sizeof(b), &b);
	mnl_attr_put(nlh, TCA_STATS_QUEUE, sizeof(q), &q);
	app = mnl_attr_nest_start(nlh, TCA_STATS_APP);
	mnl_attr_put_u64(nlh, TCA_CAKE_STATS_CAPACITY_ESTIMATE64, 12000000);
	mnl_attr_put_u32(nlh, TCA_CAKE_STATS_MEMORY_LIMIT, 4194304);
	mnl_attr_put_u32(nlh, TCA_CAKE_STATS_MEMORY_USED, 65536);
	tins = mnl_attr_nest_start(nlh, TCA_CAKE_STATS_TIN_STATS);
	for (int i = 0; i < ntins; i++) {
		struct nlattr *t = mnl_attr_nest_start(nlh, (uint16_t)(i + 1));

		mnl_attr_put_u64(nlh, TCA_CAKE_TIN_STATS_THRESHOLD_RATE64, 12500000u >> i);
		mnl_attr_put_u64(nlh, TCA_CAKE_TIN_STATS_SENT_BYTES64, 6000000000ULL + (uint64_t)i);
		mnl_attr_put_u32(nlh, TCA_CAKE_TIN_STATS_BACKLOG_BYTES, 1514);
		mnl_attr_put_u32(nlh, TCA_CAKE_TIN_STATS_SENT_PACKETS, 100 + (uint32_t)i);
		mnl_attr_put_u32(nlh, TCA_CAKE_TIN_STATS_DROPPED_PACKETS, 3 * (uint32_t)i);
		mnl_attr_put_u32(nlh, TCA_CAKE_TIN_STATS_ECN_MARKED_PACKETS, 5);
		mnl_attr_put_u32(nlh, TCA_CAKE_TIN_STATS_AVG_DELAY_US, 1200);
		mnl_attr_put_u32(nlh, TCA_CAKE_TIN_STATS_MAX + 1, 9);	/* unknown: skipped */
		if (bad_tin && i == 1)
			mnl_attr_put_u16(nlh, TCA_CAKE_TIN_STATS_BULK_FLOWS, 2);	/* u32 expected */
		mnl_attr_nest_end(nlh, t);
	}
	{
		struct nlattr *t9 = mnl_attr_nest_start(nlh, 9);	/* a tin past cake's 8: skipped */

		mnl_attr_put_u32(nlh, TCA_CAKE_TIN_STATS_SENT_PACKETS, 1);
		mnl_attr_nest_end(nlh, t9);
	}
	mnl_attr_nest_end(nlh, tins);
	mnl_attr_nest_end(nlh, app);
	mnl_attr_nest_end(nlh, st);
	return nlh;
}

static void
test_qdisc_cake(void)
{
	struct tmsg m;
	struct nlmsghdr *d = tmsg_dup(build_cake(&m, 3, false));
	struct pp_qdisc q;
	struct pp_tc_fields f;
	uint64_t v = 0;

	CHECK_EQ_INT(pp_qdisc_decode(d, &q), 0);
	CHECK_STR(q.kind, "cake");
	CHECK_EQ_INT(q.drops, 7);
	CHECK(q.xstats_len > 0);	/* from TCA_STATS_APP: cake sends no TCA_XSTATS */
	CHECK_EQ_INT(pp_tc_xstats_decode(q.kind, false, q.xstats, q.xstats_len, &f), 0);
	CHECK(pp_tc_field_get(&f, "memory_used_bytes", &v) && v == 65536);
	CHECK(pp_tc_field_get(&f, "capacity_estimate_bytes_per_second", &v) && v == 12000000);
	CHECK(pp_tc_field_get(&f, "tin0_sent_bytes", &v) && v == 6000000000ULL);
	CHECK(pp_tc_field_get(&f, "tin2_sent_bytes", &v) && v == 6000000002ULL);
	CHECK(pp_tc_field_get(&f, "tin2_dropped_packets", &v) && v == 6);
	CHECK(pp_tc_field_get(&f, "tin1_threshold_rate_bytes_per_second", &v) && v == 6250000);
	CHECK(pp_tc_field_get(&f, "tin0_avg_delay_us", &v) && v == 1200);
	CHECK(!pp_tc_field_get(&f, "tin3_sent_packets", &v));
	CHECK(!pp_tc_field_get(&f, "tin8_sent_packets", &v));
	/* 3 top-level numbers, 7 for each of 3 tins. */
	CHECK_EQ_INT(f.n, 3 + 3 * 7);
	CHECK_EQ_INT(pp_tc_options_decode(q.kind, false, q.options, q.options_len, &f), 0);
	CHECK(pp_tc_field_get(&f, "bandwidth_bytes_per_second", &v) && v == 12500000);
	CHECK(pp_tc_field_get(&f, "diffserv_mode", &v) && v == 1);
	CHECK(pp_tc_field_get(&f, "overhead_bytes", &v) && (int64_t)v == -4);
	CHECK(pp_tc_field_get(&f, "rtt_us", &v) && v == 100000);
	CHECK(!pp_tc_kind_classful("cake"));
	free(d);

	/* diffserv8: all eight tins fit. */
	d = tmsg_dup(build_cake(&m, 8, false));
	CHECK_EQ_INT(pp_qdisc_decode(d, &q), 0);
	CHECK_EQ_INT(pp_tc_xstats_decode(q.kind, false, q.xstats, q.xstats_len, &f), 0);
	CHECK_EQ_INT(f.n, 3 + 8 * 7);
	CHECK(pp_tc_field_get(&f, "tin7_dropped_packets", &v) && v == 21);
	free(d);

	/* A tin with an attribute of the wrong size: malformed, the fields before it kept. */
	d = tmsg_dup(build_cake(&m, 3, true));
	CHECK_EQ_INT(pp_qdisc_decode(d, &q), 0);
	CHECK_EQ_INT(pp_tc_xstats_decode(q.kind, false, q.xstats, q.xstats_len, &f), -EBADMSG);
	CHECK(pp_tc_field_get(&f, "tin0_sent_packets", &v) && v == 100);
	CHECK(!pp_tc_field_get(&f, "tin1_sent_packets", &v));
	free(d);
}

/* TCA_STATS_APP is what tc(8) prints; TCA_XSTATS is its older copy, read only without it. */
static void
test_qdisc_stats_app_first(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh, *d;
	struct nlattr *st;
	uint32_t app[5] = { 10, 20, 30, 40, 50 }, old[5] = { 1, 2, 3, 4, 5 };
	struct pp_qdisc q;
	struct pp_tc_fields f;
	uint64_t v = 0;

	tc_start(&m, RTM_NEWTCLASS, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	st = mnl_attr_nest_start(nlh, TCA_STATS2);
	mnl_attr_put(nlh, TCA_STATS_APP, sizeof(app), app);
	mnl_attr_nest_end(nlh, st);
	mnl_attr_put(nlh, TCA_XSTATS, sizeof(old), old);
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_qdisc_decode(d, &q), 0);
	CHECK_EQ_INT(pp_tc_xstats_decode(q.kind, true, q.xstats, q.xstats_len, &f), 0);
	CHECK(pp_tc_field_get(&f, "lends", &v) && v == 10);
	free(d);

	tc_start(&m, RTM_NEWTCLASS, &nlh);
	mnl_attr_put_strz(nlh, TCA_KIND, "htb");
	mnl_attr_put(nlh, TCA_XSTATS, sizeof(old), old);
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_qdisc_decode(d, &q), 0);
	CHECK_EQ_INT(pp_tc_xstats_decode(q.kind, true, q.xstats, q.xstats_len, &f), 0);
	CHECK(pp_tc_field_get(&f, "lends", &v) && v == 1);
	free(d);
}

static void
test_qdisc_fuzz(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_htb(&m, true);
	unsigned ok = tfuzz(nlh, fuzz_one, 5000, 0xdeadu, 900);

	printf("# qdisc fuzz: %u of 5000 damaged messages accepted\n", ok);
	CHECK(ok > 0);
}

int
main(void)
{
	RUN(test_qdisc_htb);
	RUN(test_qdisc_pkt64);
	RUN(test_qdisc_class_rate_and_compat);
	RUN(test_qdisc_short_and_truncated);
	RUN(test_qdisc_stats2_truncated);
	RUN(test_qdisc_wrong_length_and_unknown);
	RUN(test_qdisc_cake);
	RUN(test_qdisc_stats_app_first);
	RUN(test_qdisc_fuzz);
	return tap_done();
}
