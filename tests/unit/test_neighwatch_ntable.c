/*
 * test_neighwatch_ntable.c: pp_ntable_decode (common/ntable.c) on RTM_NEWNEIGHTBL
 * messages laid out as neightbl_fill_info() and neightbl_fill_param_info() send
 * them, with short, long, truncated and unknown attributes; and how neighwatch's
 * model takes the table and per-device messages.
 */
#include <linux/rtnetlink.h>

#include "ntable.h"
#include "../../cmd/neighwatch/nw.h"
#include "test_common_msg.h"

static struct nlmsghdr *
table_start(struct tmsg *m, int family, const char *name)
{
	void *h;
	struct nlmsghdr *nlh = tmsg_start(m, RTM_NEWNEIGHTBL, sizeof(struct ndtmsg), &h);

	((struct ndtmsg *)h)->ndtm_family = (uint8_t)family;
	if (name)
		mnl_attr_put_strz(nlh, NDTA_NAME, name);
	return nlh;
}

static void
put_stats(struct nlmsghdr *nlh, size_t len)
{
	struct { struct ndt_stats s; uint64_t future[2]; } st;

	memset(&st, 0, sizeof(st));
	st.s.ndts_allocs = 40;
	st.s.ndts_destroys = 28;
	st.s.ndts_hash_grows = 1;
	st.s.ndts_res_failed = 5;
	st.s.ndts_lookups = 94;
	st.s.ndts_hits = 67;
	st.s.ndts_periodic_gc_runs = 12;
	st.s.ndts_forced_gc_runs = 3;
	st.s.ndts_table_fulls = 2;
	st.future[0] = 99;
	mnl_attr_put(nlh, NDTA_STATS, len, &st);
}

/* The table message: limits, config, stats and the default parameters (no ifindex). */
static struct nlmsghdr *
build_table(struct tmsg *m, size_t cfglen, size_t statlen)
{
	struct nlmsghdr *nlh = table_start(m, AF_INET, "arp_cache");
	struct ndt_config cfg = { .ndtc_key_len = 4, .ndtc_entry_size = 400, .ndtc_entries = 600,
				  .ndtc_last_flush = 1000, .ndtc_hash_mask = 7 };
	struct nlattr *nest;

	mnl_attr_put_u64(nlh, NDTA_GC_INTERVAL, 30000);
	mnl_attr_put_u32(nlh, NDTA_THRESH1, 128);
	mnl_attr_put_u32(nlh, NDTA_THRESH2, 512);
	mnl_attr_put_u32(nlh, NDTA_THRESH3, 1024);
	mnl_attr_put(nlh, NDTA_CONFIG, cfglen, &cfg);
	put_stats(nlh, statlen);
	nest = mnl_attr_nest_start(nlh, NDTA_PARMS);
	mnl_attr_put_u32(nlh, NDTPA_REFCNT, 1);
	mnl_attr_put_u32(nlh, NDTPA_QUEUE_LENBYTES, 212992);
	mnl_attr_put_u32(nlh, NDTPA_APP_PROBES, 0);
	mnl_attr_put_u32(nlh, NDTPA_UCAST_PROBES, 3);
	mnl_attr_put_u32(nlh, NDTPA_MCAST_PROBES, 3);
	mnl_attr_put_u32(nlh, NDTPA_MCAST_REPROBES, 0);
	mnl_attr_put_u64(nlh, NDTPA_REACHABLE_TIME, 21000);
	mnl_attr_put_u64(nlh, NDTPA_BASE_REACHABLE_TIME, 30000);
	mnl_attr_put_u64(nlh, NDTPA_GC_STALETIME, 60000);
	mnl_attr_put_u64(nlh, NDTPA_DELAY_PROBE_TIME, 5000);
	mnl_attr_put_u64(nlh, NDTPA_RETRANS_TIME, 1000);
	mnl_attr_put_u64(nlh, NDTPA_LOCKTIME, 1000);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void
test_ntable_full(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_table(&m, sizeof(struct ndt_config), sizeof(struct ndt_stats));
	struct pp_ntable t;

	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), 0);
	CHECK_EQ_INT(t.family, AF_INET);
	CHECK_STR(t.name, "arp_cache");
	CHECK(t.has_thresh1 && t.has_thresh2 && t.has_thresh3);
	CHECK_EQ_INT(t.thresh1, 128);
	CHECK_EQ_INT(t.thresh2, 512);
	CHECK_EQ_INT(t.thresh3, 1024);
	CHECK(t.has_gc_interval && t.gc_interval_ms == 30000);
	CHECK(t.has_config);
	CHECK_EQ_INT(t.config.ndtc_entries, 600);
	CHECK_EQ_INT(t.config.ndtc_hash_mask, 7);
	CHECK(t.has_stats);
	CHECK_EQ_INT(t.stats.ndts_allocs, 40);
	CHECK_EQ_INT(t.stats.ndts_destroys, 28);
	CHECK_EQ_INT(t.stats.ndts_res_failed, 5);
	CHECK_EQ_INT(t.stats.ndts_forced_gc_runs, 3);
	CHECK_EQ_INT(t.stats.ndts_table_fulls, 2);
	CHECK(t.has_parms);
	CHECK(!t.parms.has_ifindex);
	CHECK(t.parms.has_ucast_probes && t.parms.ucast_probes == 3);
	CHECK(t.parms.has_mcast_probes && t.parms.mcast_probes == 3);
	CHECK(t.parms.has_reachable_ms && t.parms.reachable_ms == 21000);
	CHECK(t.parms.has_locktime_ms && t.parms.locktime_ms == 1000);
	CHECK(t.parms.has_queue_lenbytes && t.parms.queue_lenbytes == 212992);
	CHECK(!t.parms.has_queue_len);
}

/* An older kernel's shorter structs: what is there is kept, the rest reads 0. */
static void
test_ntable_short_structs(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_table(&m, 8, 16);
	struct pp_ntable t;

	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), 0);
	CHECK_EQ_INT(t.config.ndtc_entries, 600);
	CHECK_EQ_INT(t.config.ndtc_last_flush, 0);
	CHECK_EQ_INT(t.stats.ndts_allocs, 40);
	CHECK_EQ_INT(t.stats.ndts_destroys, 28);
	CHECK_EQ_INT(t.stats.ndts_table_fulls, 0);
}

/* A newer kernel's longer stats struct: cut to what we know. */
static void
test_ntable_long_stats(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_table(&m, sizeof(struct ndt_config), sizeof(struct ndt_stats) + 16);
	struct pp_ntable t;

	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), 0);
	CHECK_EQ_INT(t.stats.ndts_table_fulls, 2);
}

/* Too short to hold even the entry count: refused. */
static void
test_ntable_config_too_short(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = table_start(&m, AF_INET, "arp_cache");
	uint32_t x = 1;
	struct pp_ntable t;

	mnl_attr_put(nlh, NDTA_CONFIG, sizeof(x), &x);
	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), -EBADMSG);
	nlh = table_start(&m, AF_INET, "arp_cache");
	mnl_attr_put(nlh, NDTA_STATS, sizeof(x), &x);
	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), -EBADMSG);
}

static void
test_ntable_bad_thresh(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = table_start(&m, AF_INET, "arp_cache");
	uint16_t v = 5;
	struct pp_ntable t;

	mnl_attr_put(nlh, NDTA_THRESH1, sizeof(v), &v);
	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), -EBADMSG);
}

static void
test_ntable_name_unterminated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = table_start(&m, AF_INET6, NULL);
	struct pp_ntable t;

	mnl_attr_put(nlh, NDTA_NAME, 4, "ndis");
	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), -EBADMSG);
	/* A name longer than we keep is cut, not overrun. */
	nlh = table_start(&m, AF_INET6, "a_neighbour_table_name_of_more_than_32_bytes");
	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), 0);
	CHECK_EQ_INT(strlen(t.name), sizeof(t.name) - 1);
}

static void
test_ntable_unknown_attrs(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = table_start(&m, AF_INET6, "ndisc_cache");
	struct pp_ntable t;
	struct nlattr *nest;

	mnl_attr_put_u32(nlh, NDTA_MAX + 7, 0xdead);
	mnl_attr_put_u32(nlh, NDTA_THRESH3, 1024);
	nest = mnl_attr_nest_start(nlh, NDTA_PARMS);
	mnl_attr_put_u32(nlh, NDTPA_IFINDEX, 5);
	mnl_attr_put_u64(nlh, NDTPA_MAX + 3, 1);
	mnl_attr_nest_end(nlh, nest);
	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), 0);
	CHECK_EQ_INT(t.family, AF_INET6);
	CHECK_STR(t.name, "ndisc_cache");
	CHECK(t.has_thresh3 && t.thresh3 == 1024);
	CHECK(!t.has_thresh1 && !t.has_config && !t.has_stats);
	CHECK(t.has_parms && t.parms.has_ifindex && t.parms.ifindex == 5);
}

static void
test_ntable_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_table(&m, sizeof(struct ndt_config), sizeof(struct ndt_stats));
	struct pp_ntable t;

	/* Cut in the middle of the stats attribute, in the header, and before the family header ends. */
	CHECK_EQ_INT(TDECODE_LEN(pp_ntable_decode, nlh, nlh->nlmsg_len - 30, &t), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_ntable_decode, nlh, NLMSG_HDRLEN + sizeof(struct ndtmsg) + 2, &t),
		     -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_ntable_decode, nlh, NLMSG_HDRLEN + 2, &t), -EBADMSG);
}

static void
test_ntable_bad_nest(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = table_start(&m, AF_INET, "arp_cache");
	struct nlattr *nest;
	struct pp_ntable t;
	uint16_t v = 3;

	nest = mnl_attr_nest_start(nlh, NDTA_PARMS);
	mnl_attr_put(nlh, NDTPA_IFINDEX, sizeof(v), &v);	/* u32 sent as 2 bytes */
	mnl_attr_nest_end(nlh, nest);
	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), -EBADMSG);
	nlh = table_start(&m, AF_INET, "arp_cache");
	nest = mnl_attr_nest_start(nlh, NDTA_PARMS);
	tmsg_put_raw(nlh, NDTPA_REFCNT, 200, &v, sizeof(v));	/* claims more than the nest holds */
	mnl_attr_nest_end(nlh, nest);
	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), -EBADMSG);
}

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	struct pp_ntable t;

	return pp_ntable_decode(nlh, &t);
}

static void
test_ntable_fuzz(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_table(&m, sizeof(struct ndt_config), sizeof(struct ndt_stats));
	unsigned ok = tfuzz(nlh, fuzz_one, 20000, 7, 2000);

	CHECK(ok > 0);		/* some mutations leave a valid message; none may crash */
}

/* The model keeps the table message and ignores per-device parameter messages. */
static void
test_model_takes_table(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_table(&m, sizeof(struct ndt_config), sizeof(struct ndt_stats));
	struct pp_ntable t, dev;
	struct nw_snap s;
	struct nlattr *nest;

	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &t), 0);
	nlh = table_start(&m, AF_INET, "arp_cache");
	nest = mnl_attr_nest_start(nlh, NDTA_PARMS);
	mnl_attr_put_u32(nlh, NDTPA_IFINDEX, 5);
	mnl_attr_put_u32(nlh, NDTPA_UCAST_PROBES, 9);
	mnl_attr_put_u32(nlh, NDTPA_MCAST_PROBES, 9);
	mnl_attr_nest_end(nlh, nest);
	CHECK_EQ_INT(TDECODE(pp_ntable_decode, nlh, &dev), 0);
	nw_snap_init(&s);
	CHECK_EQ_INT(nw_snap_add_ntable(&s, &t), 0);
	CHECK_EQ_INT(nw_snap_add_ntable(&s, &dev), 0);
	CHECK(s.tables[0].have && !s.tables[1].have);
	CHECK_STR(s.tables[0].name, "arp_cache");
	CHECK_EQ_INT(s.tables[0].thresh3, 1024);
	CHECK_EQ_INT(s.tables[0].config.ndtc_entries, 600);
	CHECK_EQ_INT(s.tables[0].ucast_probes, 3);
	nw_snap_free(&s);
}

int
main(void)
{
	RUN(test_ntable_full);
	RUN(test_ntable_short_structs);
	RUN(test_ntable_long_stats);
	RUN(test_ntable_config_too_short);
	RUN(test_ntable_bad_thresh);
	RUN(test_ntable_name_unterminated);
	RUN(test_ntable_unknown_attrs);
	RUN(test_ntable_truncated);
	RUN(test_ntable_bad_nest);
	RUN(test_ntable_fuzz);
	RUN(test_model_takes_table);
	return tap_done();
}
