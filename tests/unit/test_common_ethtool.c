/*
 * test_common_ethtool.c: the decoders of ethtool's standard statistics
 * (ETHTOOL_MSG_STATS_GET), pause (PAUSE_GET) and FEC (FEC_GET) replies, built
 * with libmnl as net/ethtool/stats.c, pause.c and fec.c lay them out. No kernel.
 */
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>

#include "test_common_msg.h"
#include "ethtool.h"

#define FAMILY 27

static struct nlmsghdr *
reply(struct tmsg *m, uint8_t cmd, uint16_t hdr_attr, int ifindex)
{
	struct genlmsghdr *g;
	struct nlmsghdr *nlh = tmsg_start(m, FAMILY, sizeof(*g), (void **)&g);
	struct nlattr *nest;

	g->cmd = cmd;
	g->version = ETHTOOL_GENL_VERSION;
	nest = mnl_attr_nest_start(nlh, hdr_attr);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
	mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, "eth7");
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

/* One ETHTOOL_A_STATS_GRP_STAT nest: the stat's index as the attribute type, a u64. */
static void
put_stat(struct nlmsghdr *nlh, uint16_t idx, uint64_t v)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, ETHTOOL_A_STATS_GRP_STAT);

	mnl_attr_put_u64(nlh, idx, v);
	mnl_attr_nest_end(nlh, n);
}

static void
put_bkt(struct nlmsghdr *nlh, uint16_t type, uint32_t lo, uint32_t hi, uint64_t v)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u32(nlh, ETHTOOL_A_STATS_GRP_HIST_BKT_LOW, lo);
	mnl_attr_put_u32(nlh, ETHTOOL_A_STATS_GRP_HIST_BKT_HI, hi);
	mnl_attr_put(nlh, ETHTOOL_A_STATS_GRP_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, ETHTOOL_A_STATS_GRP_HIST_VAL, v);
	mnl_attr_nest_end(nlh, n);
}

static struct nlattr *
grp_start(struct nlmsghdr *nlh, uint32_t id, uint32_t ss)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, ETHTOOL_A_STATS_GRP);

	mnl_attr_put_u32(nlh, ETHTOOL_A_STATS_GRP_ID, id);
	mnl_attr_put_u32(nlh, ETHTOOL_A_STATS_GRP_SS_ID, ss);
	return n;
}

/* A NIC with every group: what `ethtool -S eth7 --all-groups` shows. */
static struct nlmsghdr *
build_stats(struct tmsg *m)
{
	struct nlmsghdr *nlh = reply(m, ETHTOOL_MSG_STATS_GET_REPLY, ETHTOOL_A_STATS_HEADER, 7);
	struct nlattr *g;

	mnl_attr_put_u32(nlh, ETHTOOL_A_STATS_GRP + 1, 0);	/* ETHTOOL_A_STATS_SRC of newer kernels */
	g = grp_start(nlh, ETHTOOL_STATS_ETH_PHY, ETH_SS_STATS_ETH_PHY);
	put_stat(nlh, ETHTOOL_A_STATS_ETH_PHY_5_SYM_ERR, 7);
	mnl_attr_nest_end(nlh, g);
	g = grp_start(nlh, ETHTOOL_STATS_ETH_MAC, ETH_SS_STATS_ETH_MAC);
	put_stat(nlh, ETHTOOL_A_STATS_ETH_MAC_2_TX_PKT, 100);
	mnl_attr_put(nlh, ETHTOOL_A_STATS_GRP_PAD, 0, NULL);	/* padding some arches put between stats */
	put_stat(nlh, ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR, 3);
	put_stat(nlh, ETHTOOL_A_STATS_ETH_MAC_7_ALIGN_ERR, 1);
	put_stat(nlh, ETHTOOL_A_STATS_ETH_MAC_25_TOO_LONG_ERR, 0x100000000ULL);
	mnl_attr_nest_end(nlh, g);
	g = grp_start(nlh, ETHTOOL_STATS_ETH_CTRL, ETH_SS_STATS_ETH_CTRL);
	put_stat(nlh, ETHTOOL_A_STATS_ETH_CTRL_5_RX_UNSUP, 0);	/* a real zero: set, and 0 */
	mnl_attr_nest_end(nlh, g);
	g = grp_start(nlh, ETHTOOL_STATS_RMON, ETH_SS_STATS_RMON);
	put_bkt(nlh, ETHTOOL_A_STATS_GRP_HIST_RX, 0, 64, 11);
	put_bkt(nlh, ETHTOOL_A_STATS_GRP_HIST_RX, 65, 127, 12);
	put_bkt(nlh, ETHTOOL_A_STATS_GRP_HIST_TX, 1519, 9216, 13);
	put_stat(nlh, ETHTOOL_A_STATS_RMON_UNDERSIZE, 4);
	put_stat(nlh, ETHTOOL_A_STATS_RMON_JABBER, 5);
	mnl_attr_nest_end(nlh, g);
	return nlh;
}

static void
std_stats_every_group(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_stats(&m);
	struct pp_ethtool_std_stats s;

	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_std_stats, nlh, &s), 0);
	CHECK_EQ_INT(s.ifindex, 7);
	CHECK(s.grp[PP_STD_ETH_PHY].present);
	CHECK_EQ_INT(s.grp[PP_STD_ETH_PHY].ss_id, ETH_SS_STATS_ETH_PHY);
	CHECK_EQ_INT(s.grp[PP_STD_ETH_PHY].has, 1);
	CHECK_EQ_INT(s.grp[PP_STD_ETH_PHY].val[0], 7);
	CHECK_EQ_INT(s.grp[PP_STD_ETH_MAC].has,
		     (1u << ETHTOOL_A_STATS_ETH_MAC_2_TX_PKT) | (1u << ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR) |
		     (1u << ETHTOOL_A_STATS_ETH_MAC_7_ALIGN_ERR) | (1u << ETHTOOL_A_STATS_ETH_MAC_25_TOO_LONG_ERR));
	CHECK_EQ_INT(s.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_2_TX_PKT], 100);
	CHECK_EQ_INT(s.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR], 3);
	CHECK_EQ_INT(s.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_7_ALIGN_ERR], 1);
	CHECK(s.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_25_TOO_LONG_ERR] == 0x100000000ULL);
	CHECK_EQ_INT(s.grp[PP_STD_ETH_CTRL].has, 1u << ETHTOOL_A_STATS_ETH_CTRL_5_RX_UNSUP);
	CHECK_EQ_INT(s.grp[PP_STD_ETH_CTRL].val[ETHTOOL_A_STATS_ETH_CTRL_5_RX_UNSUP], 0);
	CHECK_EQ_INT(s.grp[PP_STD_RMON].has,
		     (1u << ETHTOOL_A_STATS_RMON_UNDERSIZE) | (1u << ETHTOOL_A_STATS_RMON_JABBER));
	CHECK_EQ_INT(s.grp[PP_STD_RMON].val[ETHTOOL_A_STATS_RMON_JABBER], 5);
	CHECK_EQ_INT(s.n_hist_rx, 2);
	CHECK_EQ_INT(s.hist_rx[1].low, 65);
	CHECK_EQ_INT(s.hist_rx[1].high, 127);
	CHECK_EQ_INT(s.hist_rx[1].val, 12);
	CHECK_EQ_INT(s.n_hist_tx, 1);
	CHECK_EQ_INT(s.hist_tx[0].high, 9216);
	CHECK_EQ_INT(s.hist_tx[0].val, 13);
	CHECK_EQ_INT(s.unknown_stats, 0);
	CHECK_EQ_INT(s.unknown_groups, 0);
	CHECK(pp_ethtool_std_any(&s));
}

static void
std_stats_names_match_uapi(void)
{
	/* The table must cover the uapi enums this was built with, index for index. */
	CHECK_EQ_INT(pp_std_stat_count(PP_STD_ETH_PHY), __ETHTOOL_A_STATS_ETH_PHY_CNT);
	CHECK_EQ_INT(pp_std_stat_count(PP_STD_ETH_MAC), __ETHTOOL_A_STATS_ETH_MAC_CNT);
	CHECK_EQ_INT(pp_std_stat_count(PP_STD_ETH_CTRL), __ETHTOOL_A_STATS_ETH_CTRL_CNT);
	CHECK_EQ_INT(pp_std_stat_count(PP_STD_RMON), __ETHTOOL_A_STATS_RMON_CNT);
	CHECK_STR(pp_std_stat_name(PP_STD_ETH_MAC, ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR), "FrameCheckSequenceErrors");
	CHECK_STR(pp_std_stat_name(PP_STD_ETH_MAC, ETHTOOL_A_STATS_ETH_MAC_24_OOR_LEN), "OutOfRangeLengthField");
	CHECK_STR(pp_std_stat_name(PP_STD_ETH_PHY, 0), "SymbolErrorDuringCarrier");
	CHECK_STR(pp_std_stat_name(PP_STD_RMON, ETHTOOL_A_STATS_RMON_FRAG), "etherStatsFragments");
	CHECK_STR(pp_std_group_name(ETHTOOL_STATS_ETH_CTRL), "eth-ctrl");
	CHECK(pp_std_stat_name(PP_STD_ETH_PHY, 1) == NULL);
	CHECK(pp_std_group_name(PP_STD_N) == NULL);
	CHECK_STR(pp_fec_mode_name(ETHTOOL_LINK_MODE_FEC_RS_BIT), "RS");
	CHECK_STR(pp_fec_mode_name(ETHTOOL_LINK_MODE_FEC_LLRS_BIT), "LLRS");
	CHECK_STR(pp_fec_mode_name(3), "unknown");
}

/* veth, lo: the kernel answers with every group asked for and no counter in any. */
static void
std_stats_virtual_device(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = reply(&m, ETHTOOL_MSG_STATS_GET_REPLY, ETHTOOL_A_STATS_HEADER, 3);
	struct pp_ethtool_std_stats s;
	unsigned g;

	for (g = 0; g < PP_STD_N; g++)
		mnl_attr_nest_end(nlh, grp_start(nlh, g, ETH_SS_STATS_ETH_PHY + g));
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_std_stats, nlh, &s), 0);
	for (g = 0; g < PP_STD_N; g++) {
		CHECK(s.grp[g].present);
		CHECK_EQ_INT(s.grp[g].has, 0);
	}
	CHECK(!pp_ethtool_std_any(&s));
}

static void
std_stats_unknown_group_and_index(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = reply(&m, ETHTOOL_MSG_STATS_GET_REPLY, ETHTOOL_A_STATS_HEADER, 3);
	struct pp_ethtool_std_stats s;
	struct nlattr *g;

	g = grp_start(nlh, 9, 40);			/* a group of a newer kernel */
	put_stat(nlh, 0, 77);
	mnl_attr_nest_end(nlh, g);
	g = grp_start(nlh, ETHTOOL_STATS_ETH_MAC, ETH_SS_STATS_ETH_MAC);
	put_stat(nlh, __ETHTOOL_A_STATS_ETH_MAC_CNT, 5);	/* a stat past our table */
	put_stat(nlh, 200, 6);				/* past the slots */
	put_stat(nlh, ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR, 9);
	mnl_attr_nest_end(nlh, g);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_std_stats, nlh, &s), 0);
	CHECK_EQ_INT(s.unknown_groups, 1);
	CHECK_EQ_INT(s.unknown_stats, 2);
	CHECK_EQ_INT(s.grp[PP_STD_ETH_MAC].has, 1u << ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR);
	CHECK_EQ_INT(s.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR], 9);
	CHECK(!s.grp[PP_STD_ETH_PHY].present);
}

static void
std_stats_malformed(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_ethtool_std_stats s;
	struct nlattr *g, *n;
	uint32_t four = 4;
	uint16_t two = 2;
	const struct nlattr *a;
	uint32_t cut = 0;
	unsigned ngrp = 0;

	/* The message ends inside the second group's nest (eth-mac, after its id and a stat). */
	nlh = build_stats(&m);
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == ETHTOOL_A_STATS_GRP && ++ngrp == 2)
			cut = tmsg_off(nlh, a) + NLA_HDRLEN + 20;
	CHECK(cut > 0);
	CHECK_EQ_INT(TDECODE_LEN(pp_ethtool_decode_std_stats, nlh, cut, &s), -EBADMSG);

	/* A stat whose value is a u32, not a u64. */
	nlh = reply(&m, ETHTOOL_MSG_STATS_GET_REPLY, ETHTOOL_A_STATS_HEADER, 3);
	g = grp_start(nlh, ETHTOOL_STATS_ETH_MAC, ETH_SS_STATS_ETH_MAC);
	n = mnl_attr_nest_start(nlh, ETHTOOL_A_STATS_GRP_STAT);
	mnl_attr_put_u32(nlh, ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR, 3);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, g);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_std_stats, nlh, &s), -EBADMSG);

	/* A group id of two bytes. */
	nlh = reply(&m, ETHTOOL_MSG_STATS_GET_REPLY, ETHTOOL_A_STATS_HEADER, 3);
	g = mnl_attr_nest_start(nlh, ETHTOOL_A_STATS_GRP);
	mnl_attr_put(nlh, ETHTOOL_A_STATS_GRP_ID, sizeof(two), &two);
	mnl_attr_nest_end(nlh, g);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_std_stats, nlh, &s), -EBADMSG);

	/* A group without its id. */
	nlh = reply(&m, ETHTOOL_MSG_STATS_GET_REPLY, ETHTOOL_A_STATS_HEADER, 3);
	g = mnl_attr_nest_start(nlh, ETHTOOL_A_STATS_GRP);
	put_stat(nlh, 0, 1);
	mnl_attr_nest_end(nlh, g);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_std_stats, nlh, &s), -EBADMSG);

	/* A histogram bucket without its value. */
	nlh = reply(&m, ETHTOOL_MSG_STATS_GET_REPLY, ETHTOOL_A_STATS_HEADER, 3);
	g = grp_start(nlh, ETHTOOL_STATS_RMON, ETH_SS_STATS_RMON);
	n = mnl_attr_nest_start(nlh, ETHTOOL_A_STATS_GRP_HIST_RX);
	mnl_attr_put_u32(nlh, ETHTOOL_A_STATS_GRP_HIST_BKT_LOW, 0);
	mnl_attr_put_u32(nlh, ETHTOOL_A_STATS_GRP_HIST_BKT_HI, 64);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, g);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_std_stats, nlh, &s), -EBADMSG);

	/* A stat nest whose inner attribute claims more than the nest holds. */
	nlh = reply(&m, ETHTOOL_MSG_STATS_GET_REPLY, ETHTOOL_A_STATS_HEADER, 3);
	g = grp_start(nlh, ETHTOOL_STATS_ETH_MAC, ETH_SS_STATS_ETH_MAC);
	n = mnl_attr_nest_start(nlh, ETHTOOL_A_STATS_GRP_STAT);
	tmsg_put_raw(nlh, ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR, NLA_HDRLEN + 16, &four, sizeof(four));
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, g);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_std_stats, nlh, &s), -EBADMSG);

	/* The bare genl header: no groups, not an error (nothing to report). */
	nlh = tmsg_start(&m, FAMILY, sizeof(struct genlmsghdr), NULL);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_std_stats, nlh, &s), 0);
	CHECK(!pp_ethtool_std_any(&s));
	/* Shorter than the genl header. */
	CHECK_EQ_INT(TDECODE_LEN(pp_ethtool_decode_std_stats, nlh, NLMSG_HDRLEN + 2, &s), -EBADMSG);
}

static struct nlmsghdr *
build_pause(struct tmsg *m, bool stats, bool rx_frames)
{
	struct nlmsghdr *nlh = reply(m, ETHTOOL_MSG_PAUSE_GET_REPLY, ETHTOOL_A_PAUSE_HEADER, 4);

	mnl_attr_put_u8(nlh, ETHTOOL_A_PAUSE_AUTONEG, 0);
	mnl_attr_put_u8(nlh, ETHTOOL_A_PAUSE_RX, 1);
	mnl_attr_put_u8(nlh, ETHTOOL_A_PAUSE_TX, 1);
	if (stats) {
		struct nlattr *n;

		mnl_attr_put_u32(nlh, ETHTOOL_A_PAUSE_STATS + 1, 0);	/* ETHTOOL_A_PAUSE_STATS_SRC (6.4+) */
		n = mnl_attr_nest_start(nlh, ETHTOOL_A_PAUSE_STATS);
		mnl_attr_put(nlh, ETHTOOL_A_PAUSE_STAT_PAD, 0, NULL);
		mnl_attr_put_u64(nlh, ETHTOOL_A_PAUSE_STAT_TX_FRAMES, 21);
		if (rx_frames)
			mnl_attr_put_u64(nlh, ETHTOOL_A_PAUSE_STAT_RX_FRAMES, 0x1234567890ULL);
		mnl_attr_nest_end(nlh, n);
	}
	return nlh;
}

static void
pause_with_and_without_stats(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_ethtool_pause p;
	struct nlattr *n;
	uint32_t four = 4;

	nlh = build_pause(&m, false, false);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_pause, nlh, &p), 0);
	CHECK_EQ_INT(p.ifindex, 4);
	CHECK(p.has_autoneg && p.has_rx && p.has_tx);
	CHECK(!p.autoneg && p.rx && p.tx);
	CHECK(!p.has_stats && !p.has_rx_frames && !p.has_tx_frames);

	nlh = build_pause(&m, true, true);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_pause, nlh, &p), 0);
	CHECK(p.has_stats && p.has_rx_frames && p.has_tx_frames);
	CHECK_EQ_INT(p.tx_frames, 21);
	CHECK(p.rx_frames == 0x1234567890ULL);

	/* The driver counts only what it sends: rx left out, never 0. */
	nlh = build_pause(&m, true, false);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_pause, nlh, &p), 0);
	CHECK(p.has_stats && p.has_tx_frames && !p.has_rx_frames);

	/* A 4-byte counter. */
	nlh = build_pause(&m, false, false);
	n = mnl_attr_nest_start(nlh, ETHTOOL_A_PAUSE_STATS);
	mnl_attr_put(nlh, ETHTOOL_A_PAUSE_STAT_RX_FRAMES, sizeof(four), &four);
	mnl_attr_nest_end(nlh, n);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_pause, nlh, &p), -EBADMSG);
	/* Cut inside the stats nest. */
	nlh = build_pause(&m, true, true);
	CHECK_EQ_INT(TDECODE_LEN(pp_ethtool_decode_pause, nlh, nlh->nlmsg_len - 6, &p), -EBADMSG);
}

static struct nlmsghdr *
build_fec(struct tmsg *m)
{
	struct nlmsghdr *nlh = reply(m, ETHTOOL_MSG_FEC_GET_REPLY, ETHTOOL_A_FEC_HEADER, 5);
	uint64_t corr[3] = { 30, 10, 20 }, uncorr[1] = { 5 };
	uint32_t modes[3] = { 0, 1u << (ETHTOOL_LINK_MODE_FEC_RS_BIT - 32), 0 };
	struct nlattr *n;

	n = mnl_attr_nest_start(nlh, ETHTOOL_A_FEC_MODES);	/* compact bitset: skipped by us */
	mnl_attr_put(nlh, ETHTOOL_A_BITSET_NOMASK, 0, NULL);
	mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_SIZE, 96);
	mnl_attr_put(nlh, ETHTOOL_A_BITSET_VALUE, sizeof(modes), modes);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_put_u8(nlh, ETHTOOL_A_FEC_AUTO, 1);
	mnl_attr_put_u32(nlh, ETHTOOL_A_FEC_ACTIVE, ETHTOOL_LINK_MODE_FEC_RS_BIT);
	n = mnl_attr_nest_start(nlh, ETHTOOL_A_FEC_STATS);
	mnl_attr_put(nlh, ETHTOOL_A_FEC_STAT_CORRECTED, sizeof(corr), corr);	/* total, lane 0, lane 1 */
	mnl_attr_put(nlh, ETHTOOL_A_FEC_STAT_UNCORR, sizeof(uncorr), uncorr);	/* a total, no lanes */
	mnl_attr_put(nlh, ETHTOOL_A_FEC_STAT_CORR_BITS, 0, NULL);		/* the driver has none */
	mnl_attr_nest_end(nlh, n);
	return nlh;
}

static void
fec_lanes(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_fec(&m);
	struct pp_ethtool_fec f;
	uint64_t odd[2] = { 1, 2 }, many[12] = { 66, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11 };
	struct nlattr *n;

	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_fec, nlh, &f), 0);
	CHECK_EQ_INT(f.ifindex, 5);
	CHECK(f.has_auto && f.fec_auto == 1);
	CHECK(f.has_active);
	CHECK_STR(pp_fec_mode_name(f.active), "RS");
	CHECK(f.has_stats);
	CHECK(f.st[PP_FEC_CORRECTED].has);
	CHECK_EQ_INT(f.st[PP_FEC_CORRECTED].total, 30);
	CHECK_EQ_INT(f.st[PP_FEC_CORRECTED].n_lanes, 2);
	CHECK_EQ_INT(f.st[PP_FEC_CORRECTED].lane[0], 10);
	CHECK_EQ_INT(f.st[PP_FEC_CORRECTED].lane[1], 20);
	CHECK(f.st[PP_FEC_UNCORR].has);
	CHECK_EQ_INT(f.st[PP_FEC_UNCORR].total, 5);
	CHECK_EQ_INT(f.st[PP_FEC_UNCORR].n_lanes, 0);
	CHECK(!f.st[PP_FEC_CORR_BITS].has);

	/* Without stats and with no active mode (FEC off): both left out. */
	nlh = reply(&m, ETHTOOL_MSG_FEC_GET_REPLY, ETHTOOL_A_FEC_HEADER, 5);
	mnl_attr_put_u8(nlh, ETHTOOL_A_FEC_AUTO, 0);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_fec, nlh, &f), 0);
	CHECK(!f.has_active && !f.has_stats);

	/* An array that is not whole u64s. */
	nlh = reply(&m, ETHTOOL_MSG_FEC_GET_REPLY, ETHTOOL_A_FEC_HEADER, 5);
	n = mnl_attr_nest_start(nlh, ETHTOOL_A_FEC_STATS);
	mnl_attr_put(nlh, ETHTOOL_A_FEC_STAT_UNCORR, 12, odd);
	mnl_attr_nest_end(nlh, n);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_fec, nlh, &f), -EBADMSG);

	/* More lanes than ETHTOOL_MAX_LANES: the total and the first eight. */
	nlh = reply(&m, ETHTOOL_MSG_FEC_GET_REPLY, ETHTOOL_A_FEC_HEADER, 5);
	n = mnl_attr_nest_start(nlh, ETHTOOL_A_FEC_STATS);
	mnl_attr_put(nlh, ETHTOOL_A_FEC_STAT_CORR_BITS, sizeof(many), many);
	mnl_attr_nest_end(nlh, n);
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_fec, nlh, &f), 0);
	CHECK_EQ_INT(f.st[PP_FEC_CORR_BITS].total, 66);
	CHECK_EQ_INT(f.st[PP_FEC_CORR_BITS].n_lanes, PP_FEC_LANES);
	CHECK_EQ_INT(f.st[PP_FEC_CORR_BITS].lane[7], 8);

	/* A two-byte active mode; a message cut inside the stats nest. */
	nlh = reply(&m, ETHTOOL_MSG_FEC_GET_REPLY, ETHTOOL_A_FEC_HEADER, 5);
	{
		uint16_t two = 50;

		mnl_attr_put(nlh, ETHTOOL_A_FEC_ACTIVE, sizeof(two), &two);
	}
	CHECK_EQ_INT(TDECODE(pp_ethtool_decode_fec, nlh, &f), -EBADMSG);
	nlh = build_fec(&m);
	CHECK_EQ_INT(TDECODE_LEN(pp_ethtool_decode_fec, nlh, nlh->nlmsg_len - 10, &f), -EBADMSG);
}

static int
fuzz_std(const struct nlmsghdr *nlh)
{
	struct pp_ethtool_std_stats s;

	return pp_ethtool_decode_std_stats(nlh, &s);
}

static int
fuzz_pause(const struct nlmsghdr *nlh)
{
	struct pp_ethtool_pause p;

	return pp_ethtool_decode_pause(nlh, &p);
}

static int
fuzz_fec(const struct nlmsghdr *nlh)
{
	struct pp_ethtool_fec f;

	return pp_ethtool_decode_fec(nlh, &f);
}

/* Any GET reply's device, from its header: what qdiscstat names its devices with (a FEATURES dump). */
struct devname_out {
	int ifindex;
	char name[IF_NAMESIZE];
};

static int
dec_devname(const struct nlmsghdr *nlh, struct devname_out *o)
{
	return pp_ethtool_decode_devname(nlh, &o->ifindex, o->name);
}

static struct nlmsghdr *
devname_msg(struct tmsg *m, const char *name, bool with_index, bool with_name)
{
	struct genlmsghdr *g;
	struct nlmsghdr *nlh = tmsg_start(m, FAMILY, sizeof(*g), (void **)&g);
	struct nlattr *nest;

	g->cmd = ETHTOOL_MSG_FEATURES_GET_REPLY;
	g->version = ETHTOOL_GENL_VERSION;
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_HEADER);
	if (with_index)
		mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, 4001);
	if (with_name)
		mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, name);
	mnl_attr_nest_end(nlh, nest);
	/* The reply's own attributes after the header: not looked at. */
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_FEATURES_HW);
	mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_SIZE, 64);
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void
devname_from_header(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct devname_out o;
	uint32_t full;

	nlh = devname_msg(&m, "qb1999", true, true);
	CHECK_EQ_INT(TDECODE(dec_devname, nlh, &o), 0);
	CHECK_EQ_INT(o.ifindex, 4001);
	CHECK_STR(o.name, "qb1999");
	/* 15 characters is the longest name a device can have. */
	nlh = devname_msg(&m, "abcdefghijklmno", true, true);
	CHECK_EQ_INT(TDECODE(dec_devname, nlh, &o), 0);
	CHECK_STR(o.name, "abcdefghijklmno");
	nlh = devname_msg(&m, "abcdefghijklmnop", true, true);
	CHECK_EQ_INT(TDECODE(dec_devname, nlh, &o), -EBADMSG);
	CHECK_EQ_INT(o.name[0], 0);
	nlh = devname_msg(&m, "", true, true);
	CHECK_EQ_INT(TDECODE(dec_devname, nlh, &o), -EBADMSG);
	nlh = devname_msg(&m, "eth0", false, true);
	CHECK_EQ_INT(TDECODE(dec_devname, nlh, &o), -EBADMSG);
	nlh = devname_msg(&m, "eth0", true, false);
	CHECK_EQ_INT(TDECODE(dec_devname, nlh, &o), -EBADMSG);
	/* Cut anywhere inside the header (or before the genl header ends): never a name. */
	nlh = devname_msg(&m, "qb1999", true, true);
	full = nlh->nlmsg_len;
	for (uint32_t cut = NLMSG_HDRLEN; cut < NLMSG_HDRLEN + GENL_HDRLEN + NLA_HDRLEN + 8 + 12; cut++) {
		o.ifindex = -1;
		CHECK_EQ_INT(TDECODE_LEN(dec_devname, nlh, cut, &o), -EBADMSG);
		CHECK_EQ_INT(o.ifindex, 0);
	}
	/* Cut inside the attributes after the header: malformed as a whole. */
	CHECK_EQ_INT(TDECODE_LEN(dec_devname, nlh, full - 2, &o), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(dec_devname, nlh, full, &o), 0);
}

static int
fuzz_devname(const struct nlmsghdr *nlh)
{
	struct devname_out o;
	int rc = dec_devname(nlh, &o);

	/* Whatever it accepts is a usable name; whatever it refuses leaves none. */
	if (rc == 0)
		CHECK(o.name[0] && strlen(o.name) < IF_NAMESIZE && o.ifindex > 0);
	else
		CHECK(!o.name[0] && o.ifindex == 0);
	return rc;
}

static void
decoders_survive_damage(void)
{
	struct tmsg m;
	unsigned a, b, c, d;

	a = tfuzz(build_stats(&m), fuzz_std, 5000, 0x5eedu, 900);
	b = tfuzz(build_pause(&m, true, true), fuzz_pause, 3000, 0x77u, 600);
	c = tfuzz(build_fec(&m), fuzz_fec, 3000, 0x99u, 600);
	d = tfuzz(devname_msg(&m, "qb1999", true, true), fuzz_devname, 3000, 0xd3u, 600);
	printf("# accepted damaged messages: stats %u/5000, pause %u/3000, fec %u/3000, devname %u/3000\n", a, b, c, d);
	CHECK(a > 0 && a < 5000);
	CHECK(b > 0 && b < 3000);
	CHECK(c > 0 && c < 3000);
	CHECK(d > 0 && d < 3000);
}

int
main(void)
{
	RUN(std_stats_every_group);
	RUN(std_stats_names_match_uapi);
	RUN(std_stats_virtual_device);
	RUN(std_stats_unknown_group_and_index);
	RUN(std_stats_malformed);
	RUN(pause_with_and_without_stats);
	RUN(fec_lanes);
	RUN(devname_from_header);
	RUN(decoders_survive_damage);
	return tap_done();
}
