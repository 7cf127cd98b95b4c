/* test_nicstat.c: softnet parser, ethtool netlink decoders, and nicstat's evaluator. No root, no kernel. */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <net/if_arp.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <libmnl/libmnl.h>

#include "tap.h"
#include "ethtool.h"
#include "softnet.h"
#include "../../cmd/nicstat/nicstat.h"

/* ---- softnet ---- */

#define L15(p, d, sq, cpu) p " " d " " sq " 00000000 00000000 00000000 00000000 00000000 00000000 " \
	"00000005 00000002 00000001 " cpu " 00000001 00000000\n"

static void
softnet_15_columns(void)
{
	const char *t = L15("0000002a", "00000003", "00000010", "00000000")
			L15("ffffffff", "00000000", "00000000", "00000002");	/* CPU 1 offline */
	struct pp_softnet_cpu c[4];
	size_t n = 99;

	CHECK_EQ_INT(pp_softnet_parse(t, strlen(t), c, 4, &n), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(c[0].processed, 42);
	CHECK_EQ_INT(c[0].dropped, 3);
	CHECK_EQ_INT(c[0].time_squeeze, 16);
	CHECK(c[0].has_rps && c[0].has_flow_limit && c[0].has_backlog && c[0].has_cpu_col);
	CHECK_EQ_INT(c[0].received_rps, 5);
	CHECK_EQ_INT(c[0].flow_limit, 2);
	CHECK_EQ_INT(c[0].backlog_len, 1);
	CHECK_EQ_INT(c[0].ncols, 15);
	CHECK_EQ_INT(c[1].processed, 0xffffffffu);
	CHECK_EQ_INT(c[1].cpu, 2);	/* the kernel's CPU id, not the line number */
}

static void
softnet_11_columns_old_kernel(void)
{
	const char *t = "00000001 00000002 00000003 00000000 00000000 00000000 00000000 00000000 00000000 00000004 00000005\n"
			"00000006 00000007 00000008 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n";
	struct pp_softnet_cpu c[4];
	size_t n;

	CHECK_EQ_INT(pp_softnet_parse(t, strlen(t), c, 4, &n), 0);
	CHECK_EQ_INT(n, 2);
	CHECK(!c[0].has_cpu_col && !c[0].has_backlog && c[0].has_flow_limit);
	CHECK_EQ_INT(c[0].flow_limit, 5);
	CHECK_EQ_INT(c[1].cpu, 1);	/* line number */
	CHECK_EQ_INT(c[1].dropped, 7);
}

static void
softnet_3_columns_and_unknown_extra(void)
{
	const char *t3 = "0000000a 0000000b 0000000c\n";
	const char *t20 = "00000001 00000002 00000003 0 0 0 0 0 0 0 0 0 00000009 0 0 abc def 1 2 3\n";
	struct pp_softnet_cpu c[2];
	size_t n;

	CHECK_EQ_INT(pp_softnet_parse(t3, strlen(t3), c, 2, &n), 0);
	CHECK_EQ_INT(n, 1);
	CHECK(!c[0].has_rps && !c[0].has_flow_limit);
	CHECK_EQ_INT(c[0].time_squeeze, 12);
	CHECK_EQ_INT(pp_softnet_parse(t20, strlen(t20), c, 2, &n), 0);
	CHECK_EQ_INT(c[0].ncols, 20);
	CHECK_EQ_INT(c[0].cpu, 9);
}

static void
softnet_bad_input(void)
{
	struct pp_softnet_cpu c[2];
	size_t n;
	const char *two = "00000001 00000002\n";
	const char *junk = "00000001 0000zz02 00000003\n";
	const char *cut = "00000001 00000002 00000003\n00000004 000";
	const char *wide = "000000001 00000002 00000003\n";
	const char *many = "1 2 3\n1 2 3\n1 2 3\n";

	CHECK_EQ_INT(pp_softnet_parse(two, strlen(two), c, 2, &n), -EBADMSG);
	CHECK_EQ_INT(pp_softnet_parse(junk, strlen(junk), c, 2, &n), -EBADMSG);
	CHECK_EQ_INT(pp_softnet_parse(cut, strlen(cut), c, 2, &n), -EBADMSG);
	CHECK_EQ_INT(pp_softnet_parse(wide, strlen(wide), c, 2, &n), -EBADMSG);
	CHECK_EQ_INT(pp_softnet_parse(many, strlen(many), c, 2, &n), -E2BIG);
	CHECK_EQ_INT(pp_softnet_parse("", 0, c, 2, &n), 0);
	CHECK_EQ_INT(n, 0);
}

/* ---- ethtool netlink decoders ---- */

static struct nlmsghdr *
genl_msg(char *buf, uint8_t cmd, int ifindex)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlattr *nest;

	nlh->nlmsg_type = 20;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	nest = mnl_attr_nest_start(nlh, 1);	/* every reply's header nest is attribute 1 */
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
	mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, "eth9");
	mnl_attr_nest_end(nlh, nest);
	return nlh;
}

static void
linkmodes_speed_full_range(void)
{
	char buf[1024];
	struct nlmsghdr *nlh = genl_msg(buf, ETHTOOL_MSG_LINKMODES_GET_REPLY, 7);
	struct pp_ethtool_linkmodes lm;

	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKMODES_AUTONEG, AUTONEG_ENABLE);
	mnl_attr_put_u32(nlh, ETHTOOL_A_LINKMODES_SPEED, 100000);	/* above 16 bits: 100G */
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKMODES_DUPLEX, DUPLEX_FULL);
	mnl_attr_put_u32(nlh, ETHTOOL_A_LINKMODES_LANES, 4);
	mnl_attr_put_u32(nlh, 250, 1);				/* from a newer kernel: ignored */
	CHECK_EQ_INT(pp_ethtool_decode_linkmodes(nlh, &lm), 0);
	CHECK_EQ_INT(lm.ifindex, 7);
	CHECK(lm.has_speed && !lm.speed_unknown);
	CHECK_EQ_INT(lm.speed, 100000);
	CHECK_EQ_INT(lm.duplex, DUPLEX_FULL);
	CHECK_EQ_INT(lm.autoneg, AUTONEG_ENABLE);
	CHECK_EQ_INT(lm.lanes, 4);
	CHECK_EQ_INT(lm.source, PP_ET_SRC_NETLINK);

	nlh = genl_msg(buf, ETHTOOL_MSG_LINKMODES_GET_REPLY, 7);
	mnl_attr_put_u32(nlh, ETHTOOL_A_LINKMODES_SPEED, 0xffffffffu);	/* SPEED_UNKNOWN */
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKMODES_DUPLEX, DUPLEX_UNKNOWN);
	CHECK_EQ_INT(pp_ethtool_decode_linkmodes(nlh, &lm), 0);
	CHECK(lm.has_speed && lm.speed_unknown);
	CHECK_EQ_INT(lm.speed, 0);
	CHECK(!lm.has_autoneg);
}

static void
linkmodes_malformed(void)
{
	char buf[1024];
	struct nlmsghdr *nlh;
	struct pp_ethtool_linkmodes lm;

	/* Speed as a u16: the wrong length for a u32 attribute. */
	nlh = genl_msg(buf, ETHTOOL_MSG_LINKMODES_GET_REPLY, 7);
	mnl_attr_put_u16(nlh, ETHTOOL_A_LINKMODES_SPEED, 1000);
	CHECK_EQ_INT(pp_ethtool_decode_linkmodes(nlh, &lm), -EBADMSG);

	/* The message cut inside the last attribute. */
	nlh = genl_msg(buf, ETHTOOL_MSG_LINKMODES_GET_REPLY, 7);
	mnl_attr_put_u32(nlh, ETHTOOL_A_LINKMODES_SPEED, 1000);
	nlh->nlmsg_len -= 2;
	CHECK_EQ_INT(pp_ethtool_decode_linkmodes(nlh, &lm), -EBADMSG);

	/* Shorter than the genl header. */
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	CHECK_EQ_INT(pp_ethtool_decode_linkmodes(nlh, &lm), -EBADMSG);

	/* A broken header nest. */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, ETHTOOL_A_LINKMODES_HEADER);

		mnl_attr_put_u16(nlh, ETHTOOL_A_HEADER_DEV_INDEX, 3);	/* u16 where a u32 belongs */
		mnl_attr_nest_end(nlh, n);
	}
	CHECK_EQ_INT(pp_ethtool_decode_linkmodes(nlh, &lm), -EBADMSG);

	/* No attributes at all: valid, nothing known. */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	CHECK_EQ_INT(pp_ethtool_decode_linkmodes(nlh, &lm), 0);
	CHECK(!lm.has_speed && !lm.has_duplex);
}

static void
rings_and_channels(void)
{
	char buf[1024];
	struct nlmsghdr *nlh = genl_msg(buf, ETHTOOL_MSG_RINGS_GET_REPLY, 2);
	struct pp_ethtool_rings r;
	struct pp_ethtool_channels c;

	mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_RX_MAX, 4096);
	mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_RX, 512);
	mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_TX_MAX, 4096);
	mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_TX, 1024);
	mnl_attr_put_u8(nlh, ETHTOOL_A_RINGS_TCP_DATA_SPLIT, 1);	/* known to the kernel, not decoded */
	mnl_attr_put_u32(nlh, 300, 9);
	CHECK_EQ_INT(pp_ethtool_decode_rings(nlh, &r), 0);
	CHECK_EQ_INT(r.ifindex, 2);
	CHECK_EQ_INT(r.cur[PP_RING_RX], 512);
	CHECK_EQ_INT(r.max[PP_RING_RX], 4096);
	CHECK_EQ_INT(r.cur[PP_RING_TX], 1024);
	CHECK(r.has_cur == ((1u << PP_RING_RX) | (1u << PP_RING_TX)));
	CHECK(!(r.has_max & (1u << PP_RING_RX_MINI)));

	nlh = genl_msg(buf, ETHTOOL_MSG_RINGS_GET_REPLY, 2);
	mnl_attr_put_u8(nlh, ETHTOOL_A_RINGS_RX, 1);	/* too short */
	CHECK_EQ_INT(pp_ethtool_decode_rings(nlh, &r), -EBADMSG);

	nlh = genl_msg(buf, ETHTOOL_MSG_CHANNELS_GET_REPLY, 2);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_MAX, 16);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_COUNT, 8);
	CHECK_EQ_INT(pp_ethtool_decode_channels(nlh, &c), 0);
	CHECK_EQ_INT(c.cur[PP_CHAN_COMBINED], 8);
	CHECK_EQ_INT(c.max[PP_CHAN_COMBINED], 16);
	CHECK(!(c.has_cur & (1u << PP_CHAN_RX)));
	nlh->nlmsg_len = NLMSG_HDRLEN + 4 + 6;	/* cut inside the header nest */
	CHECK_EQ_INT(pp_ethtool_decode_channels(nlh, &c), -EBADMSG);
}

static void
linkinfo_decode(void)
{
	char buf[1024];
	struct nlmsghdr *nlh = genl_msg(buf, ETHTOOL_MSG_LINKINFO_GET_REPLY, 5);
	struct pp_ethtool_linkinfo li;

	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKINFO_PORT, PORT_FIBRE);
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKINFO_TRANSCEIVER, 1);
	CHECK_EQ_INT(pp_ethtool_decode_linkinfo(nlh, &li), 0);
	CHECK(li.has_port && li.has_transceiver && !li.has_phyaddr);
	CHECK_EQ_INT(li.port, PORT_FIBRE);
}

static void
family_ops(void)
{
	char buf[2048];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlattr *ops, *op;
	uint16_t id;
	uint64_t mask;
	unsigned i, cmds[] = { ETHTOOL_MSG_LINKINFO_GET, ETHTOOL_MSG_LINKMODES_GET,
			       ETHTOOL_MSG_RINGS_GET, 200 /* past our mask: ignored */ };

	nlh->nlmsg_type = GENL_ID_CTRL;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_NEWFAMILY;
	mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, 27);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "ethtool");
	ops = mnl_attr_nest_start(nlh, CTRL_ATTR_OPS);
	for (i = 0; i < PP_ARRAY_SIZE(cmds); i++) {
		op = mnl_attr_nest_start(nlh, (uint16_t)(i + 1));
		mnl_attr_put_u32(nlh, CTRL_ATTR_OP_ID, cmds[i]);
		mnl_attr_put_u32(nlh, CTRL_ATTR_OP_FLAGS, 0);
		mnl_attr_nest_end(nlh, op);
	}
	mnl_attr_nest_end(nlh, ops);
	CHECK_EQ_INT(pp_ethtool_decode_family(nlh, &id, &mask), 0);
	CHECK_EQ_INT(id, 27);
	CHECK(mask & (1ULL << ETHTOOL_MSG_LINKMODES_GET));
	CHECK(mask & (1ULL << ETHTOOL_MSG_RINGS_GET));
	CHECK(!(mask & (1ULL << ETHTOOL_MSG_CHANNELS_GET)));
	{
		struct pp_ethtool et = { .family = 27, .ops = mask, .fd = -1 };

		CHECK(pp_ethtool_has_op(&et, ETHTOOL_MSG_RINGS_GET));
		CHECK(!pp_ethtool_has_op(&et, ETHTOOL_MSG_CHANNELS_GET));	/* -> ioctl */
		et.family = 0;
		CHECK(!pp_ethtool_has_op(&et, ETHTOOL_MSG_RINGS_GET));	/* no family: ioctl */
	}
	nlh->nlmsg_len -= 3;
	CHECK_EQ_INT(pp_ethtool_decode_family(nlh, &id, &mask), -EBADMSG);

	/* No family id: refused. */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, "ethtool");
	CHECK_EQ_INT(pp_ethtool_decode_family(nlh, &id, &mask), -EBADMSG);
}

/*
 * Damaged messages: every truncation and a few thousand random byte flips of valid
 * replies. The decoders may accept or refuse them; they must never read past the
 * message (AddressSanitizer watches in the SANITIZE build).
 */
static void
decoders_survive_damage(void)
{
	char buf[1024];
	struct nlmsghdr *nlh;
	struct pp_ethtool_linkmodes lm;
	struct pp_ethtool_rings r;
	struct pp_ethtool_channels c;
	struct pp_ethtool_linkinfo li;
	uint16_t id;
	uint64_t ops;
	unsigned seed = 12345, i, len, accepted = 0, total = 0;

	nlh = genl_msg(buf, ETHTOOL_MSG_LINKMODES_GET_REPLY, 9);
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKMODES_AUTONEG, 1);
	mnl_attr_put_u32(nlh, ETHTOOL_A_LINKMODES_SPEED, 25000);
	mnl_attr_put_u8(nlh, ETHTOOL_A_LINKMODES_DUPLEX, DUPLEX_FULL);
	mnl_attr_put_u32(nlh, ETHTOOL_A_RINGS_RX, 5);
	len = nlh->nlmsg_len;
	for (i = 0; i < 4000; i++) {
		char *copy = malloc(len);
		struct nlmsghdr *m = (struct nlmsghdr *)copy;
		unsigned cut = i < len ? i : len;

		memcpy(copy, buf, len);
		if (i >= len) {
			seed = seed * 1103515245 + 12345;
			copy[NLMSG_HDRLEN + (seed >> 8) % (len - NLMSG_HDRLEN)] ^= (char)(1u << ((seed >> 4) % 8));
		} else {
			m->nlmsg_len = cut < NLMSG_HDRLEN ? NLMSG_HDRLEN : cut;
		}
		if (m->nlmsg_len > len)
			m->nlmsg_len = len;
		total += 5;
		accepted += pp_ethtool_decode_linkmodes(m, &lm) == 0;
		accepted += pp_ethtool_decode_rings(m, &r) == 0;
		accepted += pp_ethtool_decode_channels(m, &c) == 0;
		accepted += pp_ethtool_decode_linkinfo(m, &li) == 0;
		accepted += pp_ethtool_decode_family(m, &id, &ops) == 0;
		free(copy);
	}
	printf("# ethtool decoders: %u of %u damaged messages accepted\n", accepted, total);
	CHECK(accepted < total);
	{
		const char *t = L15("0000002a", "00000003", "00000010", "00000000");
		size_t tl = strlen(t), k, n;
		struct pp_softnet_cpu cpus[2];

		for (k = 0; k <= tl; k++) {
			char *cp = malloc(k ? k : 1);

			memcpy(cp, t, k);
			(void)pp_softnet_parse(cp, k, cpus, 2, &n);
			free(cp);
		}
	}
}

/* ---- evaluator ---- */

static void
util_duplex(void)
{
	double u;

	/* 1 Gb/s full duplex: 62.5 MB/s in, 25 MB/s out -> 50 % (the busier direction). */
	CHECK(ns_util(62.5e6, 25e6, 1000, true, DUPLEX_FULL, &u));
	CHECK(fabs(u - 50.0) < 1e-9);
	/* Half duplex: the sum, 70 %. */
	CHECK(ns_util(62.5e6, 25e6, 1000, true, DUPLEX_HALF, &u));
	CHECK(fabs(u - 70.0) < 1e-9);
	/* Unknown duplex counts as full. */
	CHECK(ns_util(62.5e6, 25e6, 1000, true, DUPLEX_UNKNOWN, &u));
	CHECK(fabs(u - 50.0) < 1e-9);
	/* 100 Gb/s: nicstat's 16-bit speed read this as 34464 Mb/s. */
	CHECK(ns_util(12.5e9 / 2, 0, 100000, true, DUPLEX_FULL, &u));
	CHECK(fabs(u - 50.0) < 1e-9);
	CHECK(!ns_util(1e6, 1e6, 0, true, DUPLEX_FULL, &u));
	CHECK(!ns_util(1e6, 1e6, 1000, false, DUPLEX_FULL, &u));
}

static struct ns_dev *
add_dev(struct ns_model *m, int ifindex, const char *name, const char *kind)
{
	struct ns_dev *d = ns_dev_slot(m, ifindex);

	snprintf(d->l.name, sizeof(d->l.name), "%s", name);
	snprintf(d->l.kind, sizeof(d->l.kind), "%s", kind);
	d->l.type = ARPHRD_ETHER;
	d->l.has_stats64 = true;
	d->kind = ns_classify(&d->l);
	d->seen = d->selected = true;
	d->prev = calloc(1, sizeof(*d->prev));
	return d;
}

static void
eval_sat_and_util(void)
{
	struct ns_opts o;
	struct ns_model m;
	struct ns_dev *d, *v;

	memset(&o, 0, sizeof(o));
	memset(&m, 0, sizeof(m));
	o.threshold = 0;
	m.t_prev = 100;
	m.t = 102;		/* a 2 s interval */
	m.uptime = 1000;

	d = add_dev(&m, 3, "eth0", "");
	d->has_prev = true;
	d->prev->rx_bytes = 1000;
	d->l.stats.rx_bytes = 1000 + 250000000;	/* 125 MB/s over 2 s: 100 % of 1 Gb/s */
	d->prev->tx_bytes = 0;
	d->l.stats.tx_bytes = 0;
	d->prev->rx_packets = 10;
	d->l.stats.rx_packets = 10 + 200000;
	d->prev->rx_missed_errors = 5;
	d->l.stats.rx_missed_errors = 9;		/* 4 ring overflows */
	d->l.stats.rx_crc_errors = 3;		/* breakdown only, part of rx_errors */
	d->prev->rx_errors = 0;
	d->l.stats.rx_errors = 3;
	d->has_qdisc = d->has_prev_qdisc = true;
	d->prev_qdrops = 0xfffffffe;
	d->qdrops = 1;				/* wrapped: 3 drops */
	d->et_done = true;
	d->lm.has_speed = d->lm.has_duplex = true;
	d->lm.speed = 1000;
	d->lm.duplex = DUPLEX_FULL;

	v = add_dev(&m, 4, "veth0", "veth");
	v->has_prev = true;
	v->prev->tx_dropped = 100;
	v->l.stats.tx_dropped = 50;		/* went down: reset, counts from 0 -> 50 */
	v->et_done = true;
	v->lm.has_speed = true;
	v->lm.speed = 10000;			/* veth's constant: not a line rate */

	ns_eval(&o, &m);
	d = &m.devs[0];
	v = &m.devs[1];
	CHECK(d->r.util_known);
	CHECK(fabs(d->r.util - 100.0) < 1e-6);
	CHECK(fabs(d->r.rbps - 125e6) < 1e-3);
	CHECK(fabs(d->r.ravs - 1250.0) < 1e-9);
	CHECK_EQ_INT(ns_delta(d, NS_F_RX_MISSED), 4);
	CHECK_EQ_INT(d->r.d_qdrops, 3);
	/* Sat: (rx_errors 3 + missed 4 + qdisc 3) / 2 s; crc is inside rx_errors, not counted twice. */
	CHECK(fabs(d->r.sat - 5.0) < 1e-9);
	CHECK(d->r.problem);
	CHECK(!v->r.util_known);
	CHECK_STR(v->r.util_why, "virtual device: no line rate");
	CHECK_EQ_INT(ns_delta(v, NS_F_TX_DROPPED), 50);
	CHECK(fabs(v->r.sat - 25.0) < 1e-9);
	CHECK(m.problem);
	CHECK_EQ_INT(m.n_problem_devs, 2);

	/* A threshold above both: no problem. */
	o.threshold = 30;
	ns_eval(&o, &m);
	CHECK(!m.problem);

	/* Since boot: no previous sample, the rates are over the uptime. */
	o.threshold = 0;
	d->has_prev = false;
	d->has_prev_qdisc = false;
	m.since_boot = true;
	ns_eval(&o, &m);
	CHECK(fabs(d->r.dt - 1000) < 1e-9);
	CHECK_EQ_INT(ns_delta(d, NS_F_RX_MISSED), 9);
	/* A device that appeared during a later interval: all its counters are the interval's. */
	m.since_boot = false;
	ns_eval(&o, &m);
	CHECK(fabs(d->r.dt - 2) < 1e-9);
	CHECK_EQ_INT(ns_delta(d, NS_F_RX_MISSED), 9);
	ns_model_free(&m);
}

static void
eval_speed_unknown_and_softnet(void)
{
	struct ns_opts o;
	struct ns_model m;
	struct ns_dev *d;

	memset(&o, 0, sizeof(o));
	memset(&m, 0, sizeof(m));
	o.threshold = 1;
	m.t_prev = 10;
	m.t = 11;
	m.uptime = 50;
	d = add_dev(&m, 2, "eth1", "");
	d->has_prev = true;
	d->et_done = true;
	d->lm.has_speed = true;
	d->lm.speed_unknown = true;
	m.cpus = calloc(2, sizeof(*m.cpus));
	m.n_cpus = 2;
	m.cpus[0].has_prev = m.cpus[1].has_prev = true;
	m.cpus[1].cur.cpu = 1;
	m.cpus[1].prev.dropped = 0xffffffff;
	m.cpus[1].cur.dropped = 4;		/* wrapped: 5 in one second */
	ns_eval(&o, &m);
	CHECK(!m.devs[0].r.util_known);
	CHECK(m.devs[0].r.util_why != NULL);
	CHECK_EQ_INT(m.cpus[1].d_dropped, 5);
	CHECK(m.cpus[1].problem);
	CHECK(!m.cpus[0].problem);
	CHECK_EQ_INT(m.n_problem_cpus, 1);
	CHECK(m.problem);

	/* A macvlan reports its lower device's speed; on a veth that is no line rate. */
	d = add_dev(&m, 9, "mv0", "macvlan");
	d->has_prev = true;
	d->et_done = true;
	d->lm.has_speed = true;
	d->lm.speed = 10000;
	ns_eval(&o, &m);
	d = &m.devs[1];
	CHECK(d->r.util_known);
	d->lower_virtual = true;
	ns_eval(&o, &m);
	CHECK(!d->r.util_known);
	CHECK_STR(d->r.util_why, "its lower device is virtual: no line rate");
	CHECK(!ns_dev_rate(d));
	ns_model_free(&m);
}

static void
queue_labels(void)
{
	char name[64], q[12];

	CHECK(ns_split_queue("rx_queue_3_drops", name, sizeof(name), q, sizeof(q)));
	CHECK_STR(name, "rx_queue_drops");
	CHECK_STR(q, "3");
	CHECK(ns_split_queue("tx0_packets", name, sizeof(name), q, sizeof(q)));
	CHECK_STR(name, "tx_packets");
	CHECK_STR(q, "0");
	CHECK(ns_split_queue("rx-12.bytes", name, sizeof(name), q, sizeof(q)));
	CHECK_STR(name, "rx.bytes");
	CHECK_STR(q, "12");
	CHECK(ns_split_queue("queue_0_tx_cnt", name, sizeof(name), q, sizeof(q)));
	CHECK_STR(name, "queue_tx_cnt");
	CHECK(ns_split_queue("rx_queue_0_xdp_packets", name, sizeof(name), q, sizeof(q)));
	CHECK_STR(name, "rx_queue_xdp_packets");
	CHECK(ns_split_queue("ch1_arm", name, sizeof(name), q, sizeof(q)));
	CHECK_STR(name, "ch_arm");
	CHECK_STR(q, "1");
	/* Numbers that are not queues stay. */
	CHECK(!ns_split_queue("rx_64_to_127_bytes", name, sizeof(name), q, sizeof(q)));
	CHECK_STR(name, "rx_64_to_127_bytes");
	CHECK_STR(q, "");
	CHECK(!ns_split_queue("peer_ifindex", name, sizeof(name), q, sizeof(q)));
	CHECK(!ns_split_queue("port.rx_size_1522", name, sizeof(name), q, sizeof(q)));
	CHECK(!ns_split_queue("", name, sizeof(name), q, sizeof(q)));
	CHECK(!ns_split_queue("7", name, sizeof(name), q, sizeof(q)));
}

static void
kinds_and_filters(void)
{
	struct pp_link l;
	struct ns_opts o;

	memset(&l, 0, sizeof(l));
	l.type = ARPHRD_ETHER;
	CHECK_EQ_INT(ns_classify(&l), NS_K_PHYSICAL);
	CHECK(ns_speed_is_rate(&l));
	snprintf(l.kind, sizeof(l.kind), "veth");
	CHECK_EQ_INT(ns_classify(&l), NS_K_VETH);
	CHECK(!ns_speed_is_rate(&l));
	snprintf(l.kind, sizeof(l.kind), "vlan");
	CHECK(ns_speed_is_rate(&l));
	snprintf(l.kind, sizeof(l.kind), "tun");
	CHECK_EQ_INT(ns_classify(&l), NS_K_OTHER);
	CHECK(!ns_speed_is_rate(&l));
	l.kind[0] = '\0';
	l.flags = IFF_LOOPBACK;
	CHECK_EQ_INT(ns_classify(&l), NS_K_LOOPBACK);

	memset(&o, 0, sizeof(o));
	memset(&l, 0, sizeof(l));
	snprintf(l.name, sizeof(l.name), "veth12");
	snprintf(l.kind, sizeof(l.kind), "veth");
	CHECK(ns_selected(&o, &l, NS_K_VETH));
	o.dev_pats[o.n_dev_pats++] = "eth*";
	CHECK(!ns_selected(&o, &l, NS_K_VETH));
	o.dev_pats[o.n_dev_pats++] = "veth1?";
	CHECK(ns_selected(&o, &l, NS_K_VETH));
	o.kind_mask = 1u << NS_K_PHYSICAL;
	CHECK(!ns_selected(&o, &l, NS_K_VETH));
	o.kind_names[o.n_kind_names++] = "veth";
	CHECK(ns_selected(&o, &l, NS_K_VETH));
	CHECK_EQ_INT(ns_kind_parse("bridge"), NS_K_BRIDGE);
	CHECK_EQ_INT(ns_kind_parse("bogus"), -1);
	CHECK_EQ_INT(ns_sort_parse("sat"), NS_S_SAT);
	CHECK_EQ_INT(ns_sort_parse("x"), -1);
}

/* A --dev or --kind given by name that no device matches is named; wildcards may match nothing. */
static void
filters_that_match_nothing(void)
{
	struct ns_opts o;
	struct ns_hits h = { 0 };
	struct pp_link l;
	const char *what = NULL, *opt;

	memset(&o, 0, sizeof(o));
	memset(&l, 0, sizeof(l));
	CHECK(ns_hits_missing(&o, &h, &what) == NULL);	/* no filters */
	o.dev_pats[o.n_dev_pats++] = "a0";
	o.dev_pats[o.n_dev_pats++] = "x*";
	o.dev_pats[o.n_dev_pats++] = "nosuch0";
	o.kind_mask = 1u << NS_K_VETH | 1u << NS_K_BRIDGE;	/* classes: may select nothing */
	o.kind_names[o.n_kind_names++] = "tun";
	snprintf(l.name, sizeof(l.name), "a0");
	snprintf(l.kind, sizeof(l.kind), "veth");
	ns_hits_add(&o, &l, &h);
	opt = ns_hits_missing(&o, &h, &what);
	CHECK(opt && strcmp(opt, "--dev") == 0 && strcmp(what, "nosuch0") == 0);
	snprintf(l.name, sizeof(l.name), "nosuch0");
	l.kind[0] = '\0';
	ns_hits_add(&o, &l, &h);
	opt = ns_hits_missing(&o, &h, &what);
	CHECK(opt && strcmp(opt, "--kind") == 0 && strcmp(what, "tun") == 0);
	snprintf(l.name, sizeof(l.name), "tun0");
	snprintf(l.kind, sizeof(l.kind), "tun");
	ns_hits_add(&o, &l, &h);
	CHECK(ns_hits_missing(&o, &h, &what) == NULL);	/* "x*" matched nothing: not an error */
}

static void
top_by_sat(void)
{
	struct ns_opts o;
	struct ns_model m;
	struct ns_dev **v;
	size_t n;
	int i;

	memset(&o, 0, sizeof(o));
	memset(&m, 0, sizeof(m));
	m.t_prev = 0;
	m.t = 1;
	for (i = 1; i <= 5; i++) {
		char nm[16];
		struct ns_dev *d;

		snprintf(nm, sizeof(nm), "v%d", i);
		d = add_dev(&m, i, nm, "veth");
		d->has_prev = true;
		d->l.stats.rx_dropped = (uint64_t)(i == 3 ? 50 : i);
	}
	o.top = 2;
	o.sort = NS_S_SAT;
	ns_eval(&o, &m);
	n = ns_order(&o, &m, &v);
	CHECK_EQ_INT(n, 2);
	CHECK_STR(v[0]->l.name, "v3");
	CHECK_STR(v[1]->l.name, "v5");
	free(v);
	ns_model_free(&m);
}

/* The NIC's own counters: findings over an interval, the error ones a problem. */
static void
eval_nic_findings(void)
{
	struct ns_opts o;
	struct ns_model m;
	struct ns_dev *d;
	struct ns_et *x;
	char next[300];

	memset(&o, 0, sizeof(o));
	memset(&m, 0, sizeof(m));
	m.t_prev = 100;
	m.t = 104;		/* a 4 s interval */
	m.uptime = 1000;
	d = add_dev(&m, 2, "eth0", "");
	d->has_prev = true;
	d->x = x = ns_et_new();
	CHECK(x != NULL);
	if (!x)
		return;
	x->std_rc = x->pause_rc = x->fec_rc = 0;
	x->std_has_prev = x->pause_has_prev = x->fec_has_prev = true;
	x->std_prev.grp[PP_STD_ETH_MAC].has = x->std.grp[PP_STD_ETH_MAC].has =
		(1u << ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR) | (1u << ETHTOOL_A_STATS_ETH_MAC_7_ALIGN_ERR);
	x->std_prev.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR] = 100;
	x->std.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR] = 108;	/* 2/s */
	x->std_prev.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_7_ALIGN_ERR] = 4;
	x->std.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_7_ALIGN_ERR] = 4;	/* old, not rising */
	x->pause_prev.has_rx_frames = x->pause.has_rx_frames = true;
	x->pause_prev.rx_frames = 1000;
	x->pause.rx_frames = 5000;						/* 1000/s */
	x->fec_prev.st[PP_FEC_UNCORR].has = x->fec.st[PP_FEC_UNCORR].has = true;
	x->fec_prev.st[PP_FEC_UNCORR].total = 7;
	x->fec.st[PP_FEC_UNCORR].total = 7;

	ns_eval(&o, &m);
	d = &m.devs[0];
	CHECK_EQ_INT(d->r.nic_rising, (1u << NS_N_FCS) | (1u << NS_N_PAUSE_RX));
	CHECK_EQ_INT(d->r.nic_d[NS_N_FCS], 8);
	CHECK(fabs(d->r.nic_ps[NS_N_FCS] - 2.0) < 1e-9);
	CHECK(fabs(d->r.nic_ps[NS_N_PAUSE_RX] - 1000.0) < 1e-9);
	CHECK_EQ_INT(d->r.nic_d[NS_N_ALIGN], 0);
	CHECK(d->r.problem);		/* FCS errors: an error above the threshold */
	CHECK_EQ_INT(m.n_problem_devs, 1);
	CHECK_EQ_INT(ns_std_delta(x, PP_STD_ETH_MAC, ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR), 8);

	/* Pause frames alone are a finding, not a problem: nothing was lost. */
	x->std.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR] = 100;
	ns_eval(&o, &m);
	CHECK_EQ_INT(d->r.nic_rising, 1u << NS_N_PAUSE_RX);
	CHECK(!d->r.problem);
	CHECK(!m.problem);

	/* FEC uncorrectable blocks rising: a problem; above a 10/s threshold: nothing. */
	x->fec.st[PP_FEC_UNCORR].total = 27;	/* 5/s */
	ns_eval(&o, &m);
	CHECK(d->r.nic_rising & (1u << NS_N_FEC_UNCORR));
	CHECK(d->r.problem);
	o.threshold = 10;
	ns_eval(&o, &m);
	CHECK_EQ_INT(d->r.nic_rising, 1u << NS_N_PAUSE_RX);
	CHECK(!d->r.problem);
	o.threshold = 0;

	/* The since-boot sample judges nothing, however high the counters. */
	m.since_boot = true;
	ns_eval(&o, &m);
	CHECK_EQ_INT(d->r.nic_rising, 0);
	CHECK(!d->r.problem);
	m.since_boot = false;

	/* A driver without the counters, or no previous reading: no finding, no made-up zero delta. */
	x->fec_rc = -EOPNOTSUPP;
	x->pause_has_prev = false;
	ns_eval(&o, &m);
	CHECK_EQ_INT(d->r.nic_rising, 0);
	CHECK_STR(ns_nic_why(x->fec_rc), "not supported by the driver");
	CHECK_STR(ns_nic_why(-EPROTONOSUPPORT), "this kernel's ethtool netlink does not offer it (kernel 5.13+)");

	ns_nicf_next(NS_N_FCS, "eth0", next, sizeof(next));
	CHECK_STR(next, "ethtool -S eth0 --all-groups; ethtool -m eth0 (optic power); check or replace the cable or optic");
	ns_nicf_next(NS_N_FCS, "eth0", next, 12);
	CHECK_STR(next, "ethtool -S ");
	CHECK(ns_std_is_error(PP_STD_ETH_MAC, ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR));
	CHECK(!ns_std_is_error(PP_STD_ETH_MAC, ETHTOOL_A_STATS_ETH_MAC_2_TX_PKT));
	CHECK(!ns_std_is_error(PP_STD_ETH_MAC, ETHTOOL_A_STATS_ETH_MAC_24_OOR_LEN));
	ns_model_free(&m);
}

/* What the renderers make of a NIC with counters and of a veth without: objects, or null and why. */
static void
render_nic(void)
{
	struct ns_opts o;
	struct ns_model m;
	struct ns_dev *d, *v;
	struct ns_et *x;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(&o, 0, sizeof(o));
	memset(&m, 0, sizeof(m));
	pp_cli_init(&o.cli, "nicstat");
	o.count = 2;
	m.t_prev = 100;
	m.t = 102;
	m.evaluate = true;
	d = add_dev(&m, 2, "eth0", "");
	d->has_prev = true;
	d->et_done = true;
	d->x = x = ns_et_new();
	v = add_dev(&m, 3, "veth0", "veth");
	v->et_done = true;
	v->x = ns_et_new();
	if (!x || !v->x)
		return;
	v->x->std_rc = 0;			/* the kernel answered, every group empty */
	v->x->pause_rc = v->x->fec_rc = -EOPNOTSUPP;
	x->std_rc = x->pause_rc = x->fec_rc = 0;
	x->std_has_prev = true;
	x->std.grp[PP_STD_ETH_MAC].has = x->std_prev.grp[PP_STD_ETH_MAC].has =
		1u << ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR;
	x->std_prev.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR] = 3;
	x->std.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR] = 7;
	x->std.n_hist_rx = 1;
	x->std.hist_rx[0] = (struct pp_ethtool_rmon_bkt){ 0, 64, 9 };
	x->pause.has_rx = x->pause.has_tx = true;
	x->pause.rx = x->pause.tx = 1;
	x->fec.has_active = true;
	x->fec.active = ETHTOOL_LINK_MODE_FEC_RS_BIT;
	x->fec.st[PP_FEC_CORRECTED] = (struct pp_ethtool_fec_stat){ true, 30, 2, { 10, 20 } };
	ns_eval(&o, &m);

	f = open_memstream(&buf, &len);
	ns_render_json(&o, &m, f);
	fclose(f);
	CHECK(strstr(buf, "\"std_stats\":{\"groups\":[{\"group\":\"eth-mac\",\"stats\":[{\"name\":"
			  "\"FrameCheckSequenceErrors\",\"value\":7,\"delta\":4}]}") != NULL);
	CHECK(strstr(buf, "\"hist_rx\":[{\"low\":0,\"high\":64,\"value\":9,\"delta\":9}]") != NULL);
	CHECK(strstr(buf, "\"unsupported_groups\":[\"eth-phy\",\"eth-ctrl\"]") != NULL);
	CHECK(strstr(buf, "\"pause\":{\"rx\":true,\"tx\":true,\"stats\":null,\"stats_why\":\"not supported by the driver\"}") != NULL);
	CHECK(strstr(buf, "\"fec\":{\"active\":\"RS\",\"stats\":{\"corrected_blocks\":{\"total\":30,\"lanes\":[10,20]}}") != NULL);
	CHECK(strstr(buf, "\"std_stats\":null,\"std_stats_why\":\"not supported by the driver\",\"pause\":null,"
			  "\"pause_why\":\"not supported by the driver\",\"fec\":null") != NULL);
	CHECK(strstr(buf, "\"finding\":\"fcs_errors\"") != NULL);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	ns_render_prom(&o, &m, f, true);
	fclose(f);
	CHECK(strstr(buf, "pktpath_nicstat_std_stat_total{device=\"eth0\",group=\"eth-mac\","
			  "stat=\"FrameCheckSequenceErrors\"} 7\n") != NULL);
	CHECK(strstr(buf, "pktpath_nicstat_rmon_hist_packets_total{device=\"eth0\",direction=\"rx\",low=\"0\",high=\"64\"} 9\n") != NULL);
	CHECK(strstr(buf, "pktpath_nicstat_fec_corrected_blocks_total{device=\"eth0\"} 30\n") != NULL);
	CHECK(strstr(buf, "pktpath_nicstat_fec_active_info{device=\"eth0\",mode=\"RS\"} 1\n") != NULL);
	CHECK(strstr(buf, "pktpath_nicstat_pause_enabled{device=\"eth0\",setting=\"rx\"} 1\n") != NULL);
	CHECK(strstr(buf, "pause_rx_frames_total") == NULL);	/* the driver has no pause counters */
	CHECK(strstr(buf, "device=\"veth0\",group") == NULL);
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	ns_render_text(&o, &m, f);
	fclose(f);
	CHECK(strstr(buf, "NIC counters (change in the interval in brackets):\n  eth0: FrameCheckSequenceErrors 7 (+4) fec RS corrected_blocks 30\n") != NULL);
	CHECK(strstr(buf, "PROBLEM: eth0: FrameCheckSequenceErrors +4 (2.00/s)") != NULL);
	CHECK(strstr(buf, "  veth0:") == NULL || strstr(buf, "veth0: Frame") == NULL);
	free(buf);
	ns_model_free(&m);
}

/*
 * A NIC with standard, pause and FEC counters: among them the families the
 * alert rules read (pause_rx_frames_total, fec_uncorrectable_blocks_total). With
 * NICSTAT_PROM_SAMPLE set, the export is also written there, for promtool in
 * tests/scenarios/nicstat_ethstats.sh and for fleet_node_exporter.sh, whose
 * veths have no such counters.
 */
static void
render_nic_pause_fec(void)
{
	struct ns_opts o;
	struct ns_model m;
	struct ns_dev *d;
	struct ns_et *x;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	memset(&o, 0, sizeof(o));
	memset(&m, 0, sizeof(m));
	pp_cli_init(&o.cli, "nicstat");
	o.count = 2;
	m.t_prev = 100;
	m.t = 110;
	m.evaluate = true;
	d = add_dev(&m, 4, "eth1", "");
	d->has_prev = true;
	d->et_done = true;
	d->x = x = ns_et_new();
	if (!x)
		return;
	x->std_rc = x->pause_rc = x->fec_rc = 0;
	x->std_has_prev = x->pause_has_prev = x->fec_has_prev = true;
	x->std.grp[PP_STD_ETH_MAC].has = x->std_prev.grp[PP_STD_ETH_MAC].has =
		1u << ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR;
	x->std_prev.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR] = 11;
	x->std.grp[PP_STD_ETH_MAC].val[ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR] = 11;
	x->pause.has_rx = x->pause.has_tx = true;
	x->pause.rx = x->pause.tx = 1;
	x->pause.has_stats = x->pause_prev.has_stats = true;
	x->pause.has_rx_frames = x->pause_prev.has_rx_frames = true;
	x->pause.has_tx_frames = x->pause_prev.has_tx_frames = true;
	x->pause_prev.rx_frames = 1000;
	x->pause.rx_frames = 6000;
	x->pause.tx_frames = x->pause_prev.tx_frames = 2;
	x->fec.has_active = true;
	x->fec.active = ETHTOOL_LINK_MODE_FEC_RS_BIT;
	x->fec_prev.st[PP_FEC_UNCORR] = (struct pp_ethtool_fec_stat){ true, 4, 2, { 1, 3 } };
	x->fec.st[PP_FEC_UNCORR] = (struct pp_ethtool_fec_stat){ true, 9, 2, { 1, 8 } };
	x->fec_prev.st[PP_FEC_CORRECTED] = x->fec.st[PP_FEC_CORRECTED] =
		(struct pp_ethtool_fec_stat){ true, 500, 2, { 250, 250 } };
	ns_eval(&o, &m);

	f = open_memstream(&buf, &len);
	ns_render_prom(&o, &m, f, true);
	fclose(f);
	CHECK(strstr(buf, "pktpath_nicstat_std_stat_total{device=\"eth1\",group=\"eth-mac\","
			  "stat=\"FrameCheckSequenceErrors\"} 11\n") != NULL);
	CHECK(strstr(buf, "# TYPE pktpath_nicstat_pause_rx_frames_total counter\n") != NULL);
	CHECK(strstr(buf, "pktpath_nicstat_pause_rx_frames_total{device=\"eth1\"} 6000\n") != NULL);
	CHECK(strstr(buf, "pktpath_nicstat_pause_tx_frames_total{device=\"eth1\"} 2\n") != NULL);
	CHECK(strstr(buf, "# TYPE pktpath_nicstat_fec_uncorrectable_blocks_total counter\n") != NULL);
	CHECK(strstr(buf, "pktpath_nicstat_fec_uncorrectable_blocks_total{device=\"eth1\"} 9\n") != NULL);
	CHECK(strstr(buf, "pktpath_nicstat_fec_corrected_blocks_total{device=\"eth1\"} 500\n") != NULL);
	if (getenv("NICSTAT_PROM_SAMPLE")) {
		FILE *o2 = fopen(getenv("NICSTAT_PROM_SAMPLE"), "w");

		if (o2) {
			fputs(buf, o2);
			fclose(o2);
		}
	}
	free(buf);
	ns_model_free(&m);
}

int
main(void)
{
	RUN(softnet_15_columns);
	RUN(softnet_11_columns_old_kernel);
	RUN(softnet_3_columns_and_unknown_extra);
	RUN(softnet_bad_input);
	RUN(linkmodes_speed_full_range);
	RUN(linkmodes_malformed);
	RUN(rings_and_channels);
	RUN(linkinfo_decode);
	RUN(family_ops);
	RUN(decoders_survive_damage);
	RUN(util_duplex);
	RUN(eval_sat_and_util);
	RUN(eval_speed_unknown_and_softnet);
	RUN(queue_labels);
	RUN(kinds_and_filters);
	RUN(filters_that_match_nothing);
	RUN(top_by_sat);
	RUN(eval_nic_findings);
	RUN(render_nic);
	RUN(render_nic_pause_fec);
	return tap_done();
}
