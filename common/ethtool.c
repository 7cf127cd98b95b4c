/* ethtool.c: ethtool generic netlink (link modes, link info, rings, channels) and the SIOCETHTOOL ioctl. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>

#include "attr.h"
#include "ethtool.h"
#include "snap.h"

#ifndef SPEED_UNKNOWN
#define SPEED_UNKNOWN -1
#endif
#ifndef DUPLEX_UNKNOWN
#define DUPLEX_UNKNOWN 0xff
#endif

const char *
pp_ethtool_src_name(uint8_t src)
{
	switch (src) {
	case PP_ET_SRC_NETLINK: return "netlink";
	case PP_ET_SRC_IOCTL: return "ioctl";
	default: return "none";
	}
}

const char *
pp_ring_name(unsigned r)
{
	static const char *const n[PP_RING_N] = { "rx", "rx_mini", "rx_jumbo", "tx" };
	return r < PP_RING_N ? n[r] : "?";
}

const char *
pp_chan_name(unsigned c)
{
	static const char *const n[PP_CHAN_N] = { "rx", "tx", "other", "combined" };
	return c < PP_CHAN_N ? n[c] : "?";
}

/* ---- decoders ---- */

static const struct pp_attr_policy ctrl_pol[CTRL_ATTR_MAX + 1] = {
	[CTRL_ATTR_FAMILY_ID] = { .kind = PP_A_U16 }, [CTRL_ATTR_FAMILY_NAME] = { .kind = PP_A_STR },
	[CTRL_ATTR_OPS] = { .kind = PP_A_NEST },
};

static const struct pp_attr_policy op_pol[CTRL_ATTR_OP_MAX + 1] = {
	[CTRL_ATTR_OP_ID] = { .kind = PP_A_U32 }, [CTRL_ATTR_OP_FLAGS] = { .kind = PP_A_U32 },
};

#define OPS_SLOTS 256

int
pp_ethtool_decode_family(const struct nlmsghdr *nlh, uint16_t *id, uint64_t *ops)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1];

	*id = 0;
	*ops = 0;
	if (pp_attr_parse_msg(nlh, sizeof(struct genlmsghdr), ctrl_pol, CTRL_ATTR_MAX, tb) < 0)
		return -EBADMSG;
	if (!tb[CTRL_ATTR_FAMILY_ID])
		return -EBADMSG;
	*id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (tb[CTRL_ATTR_OPS]) {
		/* The operations are nests numbered 1, 2, ...: the number carries no meaning. */
		const struct nlattr *slot[OPS_SLOTS];
		unsigned i;

		if (pp_attr_parse_nest(tb[CTRL_ATTR_OPS], NULL, OPS_SLOTS - 1, slot) < 0)
			return -EBADMSG;
		for (i = 0; i < OPS_SLOTS; i++) {
			const struct nlattr *ot[CTRL_ATTR_OP_MAX + 1];
			uint32_t op;

			if (!slot[i])
				continue;
			if (pp_attr_parse_nest(slot[i], op_pol, CTRL_ATTR_OP_MAX, ot) < 0)
				return -EBADMSG;
			if (!ot[CTRL_ATTR_OP_ID])
				continue;
			op = mnl_attr_get_u32(ot[CTRL_ATTR_OP_ID]);
			if (op < 64)
				*ops |= 1ULL << op;
		}
	}
	return 0;
}

static const struct pp_attr_policy hdr_pol[ETHTOOL_A_HEADER_MAX + 1] = {
	[ETHTOOL_A_HEADER_DEV_INDEX] = { .kind = PP_A_U32 }, [ETHTOOL_A_HEADER_DEV_NAME] = { .kind = PP_A_STR },
	[ETHTOOL_A_HEADER_FLAGS] = { .kind = PP_A_U32 },
};

/* The ifindex in a reply's header nest; 0 when absent. */
static int
hdr_ifindex(const struct nlattr *hdr, int *ifindex)
{
	const struct nlattr *tb[ETHTOOL_A_HEADER_MAX + 1];

	*ifindex = 0;
	if (!hdr)
		return 0;
	if (pp_attr_parse_nest(hdr, hdr_pol, ETHTOOL_A_HEADER_MAX, tb) < 0)
		return -EBADMSG;
	if (tb[ETHTOOL_A_HEADER_DEV_INDEX])
		*ifindex = (int)mnl_attr_get_u32(tb[ETHTOOL_A_HEADER_DEV_INDEX]);
	return 0;
}

/* Every GET reply's header is attribute 1 (ETHTOOL_A_*_HEADER); nothing else is looked at. */
static const struct pp_attr_policy any_hdr_pol[2] = { [1] = { .kind = PP_A_NEST } };

int
pp_ethtool_decode_devname(const struct nlmsghdr *nlh, int *ifindex, char name[IF_NAMESIZE])
{
	const struct nlattr *tb[2], *hb[ETHTOOL_A_HEADER_MAX + 1];
	size_t n;

	*ifindex = 0;
	name[0] = '\0';
	if (!pp_msg_hdr(nlh, sizeof(struct genlmsghdr)) ||
	    pp_attr_parse_msg(nlh, sizeof(struct genlmsghdr), any_hdr_pol, 1, tb) < 0 || !tb[1] ||
	    pp_attr_parse_nest(tb[1], hdr_pol, ETHTOOL_A_HEADER_MAX, hb) < 0 ||
	    !hb[ETHTOOL_A_HEADER_DEV_INDEX] || !hb[ETHTOOL_A_HEADER_DEV_NAME])
		return -EBADMSG;
	n = strlen(mnl_attr_get_str(hb[ETHTOOL_A_HEADER_DEV_NAME]));	/* NUL-terminated: PP_A_STR */
	if (n == 0 || n >= IF_NAMESIZE || mnl_attr_get_u32(hb[ETHTOOL_A_HEADER_DEV_INDEX]) == 0 ||
	    mnl_attr_get_u32(hb[ETHTOOL_A_HEADER_DEV_INDEX]) > INT32_MAX)
		return -EBADMSG;
	*ifindex = (int)mnl_attr_get_u32(hb[ETHTOOL_A_HEADER_DEV_INDEX]);
	memcpy(name, mnl_attr_get_str(hb[ETHTOOL_A_HEADER_DEV_NAME]), n + 1);
	return 0;
}

static const struct pp_attr_policy lm_pol[ETHTOOL_A_LINKMODES_MAX + 1] = {
	[ETHTOOL_A_LINKMODES_HEADER] = { .kind = PP_A_NEST }, [ETHTOOL_A_LINKMODES_AUTONEG] = { .kind = PP_A_U8 },
	[ETHTOOL_A_LINKMODES_OURS] = { .kind = PP_A_NEST }, [ETHTOOL_A_LINKMODES_PEER] = { .kind = PP_A_NEST },
	[ETHTOOL_A_LINKMODES_SPEED] = { .kind = PP_A_U32 }, [ETHTOOL_A_LINKMODES_DUPLEX] = { .kind = PP_A_U8 },
	[ETHTOOL_A_LINKMODES_LANES] = { .kind = PP_A_U32 },
};

int
pp_ethtool_decode_linkmodes(const struct nlmsghdr *nlh, struct pp_ethtool_linkmodes *lm)
{
	const struct nlattr *tb[ETHTOOL_A_LINKMODES_MAX + 1];

	memset(lm, 0, sizeof(*lm));
	if (pp_attr_parse_msg(nlh, sizeof(struct genlmsghdr), lm_pol, ETHTOOL_A_LINKMODES_MAX, tb) < 0 ||
	    !pp_msg_hdr(nlh, sizeof(struct genlmsghdr)))
		return -EBADMSG;
	if (hdr_ifindex(tb[ETHTOOL_A_LINKMODES_HEADER], &lm->ifindex) < 0)
		return -EBADMSG;
	lm->source = PP_ET_SRC_NETLINK;
	if (tb[ETHTOOL_A_LINKMODES_SPEED]) {
		uint32_t s = mnl_attr_get_u32(tb[ETHTOOL_A_LINKMODES_SPEED]);

		lm->has_speed = true;
		/* SPEED_UNKNOWN is -1 in an int; the attribute is its u32 bit pattern. */
		if (s == (uint32_t)SPEED_UNKNOWN || s == 0)
			lm->speed_unknown = true;
		else
			lm->speed = s;
	}
	if (tb[ETHTOOL_A_LINKMODES_DUPLEX]) {
		lm->has_duplex = true;
		lm->duplex = mnl_attr_get_u8(tb[ETHTOOL_A_LINKMODES_DUPLEX]);
	}
	if (tb[ETHTOOL_A_LINKMODES_AUTONEG]) {
		lm->has_autoneg = true;
		lm->autoneg = mnl_attr_get_u8(tb[ETHTOOL_A_LINKMODES_AUTONEG]);
	}
	if (tb[ETHTOOL_A_LINKMODES_LANES]) {
		lm->has_lanes = true;
		lm->lanes = mnl_attr_get_u32(tb[ETHTOOL_A_LINKMODES_LANES]);
	}
	return 0;
}

static const struct pp_attr_policy li_pol[ETHTOOL_A_LINKINFO_MAX + 1] = {
	[ETHTOOL_A_LINKINFO_HEADER] = { .kind = PP_A_NEST }, [ETHTOOL_A_LINKINFO_PORT] = { .kind = PP_A_U8 },
	[ETHTOOL_A_LINKINFO_PHYADDR] = { .kind = PP_A_U8 }, [ETHTOOL_A_LINKINFO_TP_MDIX] = { .kind = PP_A_U8 },
	[ETHTOOL_A_LINKINFO_TP_MDIX_CTRL] = { .kind = PP_A_U8 }, [ETHTOOL_A_LINKINFO_TRANSCEIVER] = { .kind = PP_A_U8 },
};

int
pp_ethtool_decode_linkinfo(const struct nlmsghdr *nlh, struct pp_ethtool_linkinfo *li)
{
	const struct nlattr *tb[ETHTOOL_A_LINKINFO_MAX + 1];

	memset(li, 0, sizeof(*li));
	if (pp_attr_parse_msg(nlh, sizeof(struct genlmsghdr), li_pol, ETHTOOL_A_LINKINFO_MAX, tb) < 0 ||
	    !pp_msg_hdr(nlh, sizeof(struct genlmsghdr)))
		return -EBADMSG;
	if (hdr_ifindex(tb[ETHTOOL_A_LINKINFO_HEADER], &li->ifindex) < 0)
		return -EBADMSG;
	li->source = PP_ET_SRC_NETLINK;
	if ((li->has_port = tb[ETHTOOL_A_LINKINFO_PORT] != NULL))
		li->port = mnl_attr_get_u8(tb[ETHTOOL_A_LINKINFO_PORT]);
	if ((li->has_phyaddr = tb[ETHTOOL_A_LINKINFO_PHYADDR] != NULL))
		li->phyaddr = mnl_attr_get_u8(tb[ETHTOOL_A_LINKINFO_PHYADDR]);
	if ((li->has_mdix = tb[ETHTOOL_A_LINKINFO_TP_MDIX] != NULL))
		li->tp_mdix = mnl_attr_get_u8(tb[ETHTOOL_A_LINKINFO_TP_MDIX]);
	if ((li->has_mdix_ctrl = tb[ETHTOOL_A_LINKINFO_TP_MDIX_CTRL] != NULL))
		li->tp_mdix_ctrl = mnl_attr_get_u8(tb[ETHTOOL_A_LINKINFO_TP_MDIX_CTRL]);
	if ((li->has_transceiver = tb[ETHTOOL_A_LINKINFO_TRANSCEIVER] != NULL))
		li->transceiver = mnl_attr_get_u8(tb[ETHTOOL_A_LINKINFO_TRANSCEIVER]);
	return 0;
}

static const struct pp_attr_policy rings_pol[ETHTOOL_A_RINGS_MAX + 1] = {
	[ETHTOOL_A_RINGS_HEADER] = { .kind = PP_A_NEST },
	[ETHTOOL_A_RINGS_RX_MAX] = { .kind = PP_A_U32 }, [ETHTOOL_A_RINGS_RX_MINI_MAX] = { .kind = PP_A_U32 },
	[ETHTOOL_A_RINGS_RX_JUMBO_MAX] = { .kind = PP_A_U32 }, [ETHTOOL_A_RINGS_TX_MAX] = { .kind = PP_A_U32 },
	[ETHTOOL_A_RINGS_RX] = { .kind = PP_A_U32 }, [ETHTOOL_A_RINGS_RX_MINI] = { .kind = PP_A_U32 },
	[ETHTOOL_A_RINGS_RX_JUMBO] = { .kind = PP_A_U32 }, [ETHTOOL_A_RINGS_TX] = { .kind = PP_A_U32 },
	[ETHTOOL_A_RINGS_RX_BUF_LEN] = { .kind = PP_A_U32 },
};

int
pp_ethtool_decode_rings(const struct nlmsghdr *nlh, struct pp_ethtool_rings *r)
{
	static const uint16_t cur_a[PP_RING_N] = { ETHTOOL_A_RINGS_RX, ETHTOOL_A_RINGS_RX_MINI,
						   ETHTOOL_A_RINGS_RX_JUMBO, ETHTOOL_A_RINGS_TX };
	static const uint16_t max_a[PP_RING_N] = { ETHTOOL_A_RINGS_RX_MAX, ETHTOOL_A_RINGS_RX_MINI_MAX,
						   ETHTOOL_A_RINGS_RX_JUMBO_MAX, ETHTOOL_A_RINGS_TX_MAX };
	const struct nlattr *tb[ETHTOOL_A_RINGS_MAX + 1];
	unsigned i;

	memset(r, 0, sizeof(*r));
	if (pp_attr_parse_msg(nlh, sizeof(struct genlmsghdr), rings_pol, ETHTOOL_A_RINGS_MAX, tb) < 0 ||
	    !pp_msg_hdr(nlh, sizeof(struct genlmsghdr)))
		return -EBADMSG;
	if (hdr_ifindex(tb[ETHTOOL_A_RINGS_HEADER], &r->ifindex) < 0)
		return -EBADMSG;
	r->source = PP_ET_SRC_NETLINK;
	for (i = 0; i < PP_RING_N; i++) {
		if (tb[cur_a[i]]) {
			r->has_cur |= (uint8_t)(1u << i);
			r->cur[i] = mnl_attr_get_u32(tb[cur_a[i]]);
		}
		if (tb[max_a[i]]) {
			r->has_max |= (uint8_t)(1u << i);
			r->max[i] = mnl_attr_get_u32(tb[max_a[i]]);
		}
	}
	if (tb[ETHTOOL_A_RINGS_RX_BUF_LEN]) {
		r->has_rx_buf_len = true;
		r->rx_buf_len = mnl_attr_get_u32(tb[ETHTOOL_A_RINGS_RX_BUF_LEN]);
	}
	return 0;
}

static const struct pp_attr_policy chan_pol[ETHTOOL_A_CHANNELS_MAX + 1] = {
	[ETHTOOL_A_CHANNELS_HEADER] = { .kind = PP_A_NEST },
	[ETHTOOL_A_CHANNELS_RX_MAX] = { .kind = PP_A_U32 }, [ETHTOOL_A_CHANNELS_TX_MAX] = { .kind = PP_A_U32 },
	[ETHTOOL_A_CHANNELS_OTHER_MAX] = { .kind = PP_A_U32 }, [ETHTOOL_A_CHANNELS_COMBINED_MAX] = { .kind = PP_A_U32 },
	[ETHTOOL_A_CHANNELS_RX_COUNT] = { .kind = PP_A_U32 }, [ETHTOOL_A_CHANNELS_TX_COUNT] = { .kind = PP_A_U32 },
	[ETHTOOL_A_CHANNELS_OTHER_COUNT] = { .kind = PP_A_U32 }, [ETHTOOL_A_CHANNELS_COMBINED_COUNT] = { .kind = PP_A_U32 },
};

int
pp_ethtool_decode_channels(const struct nlmsghdr *nlh, struct pp_ethtool_channels *c)
{
	static const uint16_t cur_a[PP_CHAN_N] = { ETHTOOL_A_CHANNELS_RX_COUNT, ETHTOOL_A_CHANNELS_TX_COUNT,
						   ETHTOOL_A_CHANNELS_OTHER_COUNT,
						   ETHTOOL_A_CHANNELS_COMBINED_COUNT };
	static const uint16_t max_a[PP_CHAN_N] = { ETHTOOL_A_CHANNELS_RX_MAX, ETHTOOL_A_CHANNELS_TX_MAX,
						   ETHTOOL_A_CHANNELS_OTHER_MAX,
						   ETHTOOL_A_CHANNELS_COMBINED_MAX };
	const struct nlattr *tb[ETHTOOL_A_CHANNELS_MAX + 1];
	unsigned i;

	memset(c, 0, sizeof(*c));
	if (pp_attr_parse_msg(nlh, sizeof(struct genlmsghdr), chan_pol, ETHTOOL_A_CHANNELS_MAX, tb) < 0 ||
	    !pp_msg_hdr(nlh, sizeof(struct genlmsghdr)))
		return -EBADMSG;
	if (hdr_ifindex(tb[ETHTOOL_A_CHANNELS_HEADER], &c->ifindex) < 0)
		return -EBADMSG;
	c->source = PP_ET_SRC_NETLINK;
	for (i = 0; i < PP_CHAN_N; i++) {
		if (tb[cur_a[i]]) {
			c->has_cur |= (uint8_t)(1u << i);
			c->cur[i] = mnl_attr_get_u32(tb[cur_a[i]]);
		}
		if (tb[max_a[i]]) {
			c->has_max |= (uint8_t)(1u << i);
			c->max[i] = mnl_attr_get_u32(tb[max_a[i]]);
		}
	}
	return 0;
}

/* ---- netlink requests ---- */

struct family_ctx {
	uint16_t id;
	uint64_t ops;
	int rc;
	bool found;
};

static int
family_cb(const struct nlmsghdr *nlh, void *data)
{
	struct family_ctx *c = data;

	if (nlh->nlmsg_type != GENL_ID_CTRL || c->found)
		return 0;
	c->found = true;
	c->rc = pp_ethtool_decode_family(nlh, &c->id, &c->ops);
	return 0;
}

int
pp_ethtool_open(struct pp_ethtool *et, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct family_ctx c = { 0 };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	int rc;

	memset(et, 0, sizeof(*et));
	et->fd = -1;
	if ((rc = pp_nl_open(&et->nl, NETLINK_GENERIC, e)) < 0)
		return rc == -ENOMEM ? rc : 0;	/* no generic netlink: the ioctl still works */
	et->nl_open = true;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME);
	pp_err_set(e, 0, "CTRL_CMD_GETFAMILY " ETHTOOL_GENL_NAME);
	rc = pp_nl_request(&et->nl, nlh, family_cb, &c, e);
	et->requests++;
	if (rc == 0 && c.found && c.rc == 0) {
		et->family = c.id;
		et->ops = c.ops;
	}
	/* ENOENT: this kernel has no ethtool family (before 5.6, or CONFIG_ETHTOOL_NETLINK=n). */
	if (e)
		e->code = 0;
	return 0;
}

void
pp_ethtool_close(struct pp_ethtool *et)
{
	if (et->nl_open)
		pp_nl_close(&et->nl);
	et->nl_open = false;
	if (et->fd >= 0)
		close(et->fd);
	et->fd = -1;
}

bool
pp_ethtool_has_op(const struct pp_ethtool *et, unsigned cmd)
{
	return et->family != 0 && cmd < 64 && (et->ops & (1ULL << cmd));
}

typedef int (*decode_fn)(const struct nlmsghdr *nlh, void *out);

struct get_ctx {
	uint16_t family;
	decode_fn dec;
	void *out;
	int rc;
	bool found;
};

static int
get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *c = data;

	if (nlh->nlmsg_type != c->family || c->found)
		return 0;
	c->found = true;
	c->rc = c->dec(nlh, c->out);
	return 0;
}

/* Adds a command's own request attributes after the header nest. */
typedef void (*put_fn)(struct nlmsghdr *nlh);

static int nl_get_ex(struct pp_ethtool *et, unsigned cmd, unsigned hdr_attr, uint32_t flags,
		     put_fn put, const char *what, int ifindex, const char *name, decode_fn dec,
		     void *out, struct pp_err *e);

static int
nl_get(struct pp_ethtool *et, unsigned cmd, unsigned hdr_attr, const char *what, int ifindex,
       const char *name, decode_fn dec, void *out, struct pp_err *e)
{
	return nl_get_ex(et, cmd, hdr_attr, 0, NULL, what, ifindex, name, dec, out, e);
}

static int
nl_get_ex(struct pp_ethtool *et, unsigned cmd, unsigned hdr_attr, uint32_t flags, put_fn put,
	  const char *what, int ifindex, const char *name, decode_fn dec, void *out,
	  struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct get_ctx c = { et->family, dec, out, 0, false };
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlattr *nest;
	int rc;

	nlh->nlmsg_type = et->family;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = (uint8_t)cmd;
	g->version = ETHTOOL_GENL_VERSION;
	nest = mnl_attr_nest_start(nlh, hdr_attr);
	if (ifindex > 0)
		mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
	else
		mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, name ? name : "");
	/* Compact bitsets: the link mode masks come as two bitmaps, not one nest per mode name. */
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_FLAGS, ETHTOOL_FLAG_COMPACT_BITSETS | flags);
	mnl_attr_nest_end(nlh, nest);
	if (put)
		put(nlh);
	pp_err_set(e, 0, "%s %s", what, name && name[0] ? name : "?");
	et->requests++;
	rc = pp_nl_request(&et->nl, nlh, get_cb, &c, e);
	if (rc < 0)
		return rc;
	if (!c.found) {
		pp_err_set(e, ENODATA, "%s %s: no reply", what, name ? name : "?");
		return -ENODATA;
	}
	if (c.rc < 0) {
		et->nl.bad_msgs++;
		pp_err_set(e, -c.rc, "%s %s: malformed reply", what, name ? name : "?");
	}
	return c.rc;
}

static int dec_lm(const struct nlmsghdr *n, void *o) { return pp_ethtool_decode_linkmodes(n, o); }
static int dec_li(const struct nlmsghdr *n, void *o) { return pp_ethtool_decode_linkinfo(n, o); }
static int dec_rings(const struct nlmsghdr *n, void *o) { return pp_ethtool_decode_rings(n, o); }
static int dec_chan(const struct nlmsghdr *n, void *o) { return pp_ethtool_decode_channels(n, o); }

struct dump_ctx {
	uint16_t family;
	pp_nl_cb cb;
	void *data;
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;

	if (nlh->nlmsg_type != c->family)
		return 0;
	return c->cb(nlh, c->data);
}

int
pp_ethtool_dump(struct pp_ethtool *et, unsigned cmd, pp_nl_cb cb, void *data, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct dump_ctx c = { et->family, cb, data };
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct nlattr *nest;

	if (!pp_ethtool_has_op(et, cmd)) {
		pp_err_set(e, EOPNOTSUPP, "ethtool netlink command %u", cmd);
		return -EOPNOTSUPP;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = et->family;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = (uint8_t)cmd;
	g->version = ETHTOOL_GENL_VERSION;
	/* Every GET's request header is attribute 1; no device in it: all of them. */
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_LINKMODES_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_FLAGS, ETHTOOL_FLAG_COMPACT_BITSETS);
	mnl_attr_nest_end(nlh, nest);
	pp_err_set(e, 0, "ethtool netlink command %u dump", cmd);
	et->requests++;
	return pp_nl_dump(&et->nl, nlh, dump_cb, &c, NULL, e);
}

/* ---- SIOCETHTOOL ---- */

static int
ioctl_fd(struct pp_ethtool *et)
{
	if (et->fd < 0)
		et->fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	return et->fd;
}

/* FNV-1a of an ioctl's request bytes: which question a recorded answer is to. */
static uint32_t
req_hash(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

/*
 * One SIOCETHTOOL of size bytes at data (in and out). With a snapshot installed it
 * is recorded (the answer's bytes or the error, keyed by device, command and the
 * request's bytes) or answered from it: no socket, no privilege.
 */
static int
et_ioctl(struct pp_ethtool *et, const char *name, void *data, size_t size, const char *what, struct pp_err *e)
{
	struct pp_snap *s = pp_snap_active();
	char key[128];
	struct ifreq ifr;
	int fd, err;

	if (!name || strlen(name) >= sizeof(ifr.ifr_name)) {
		pp_err_set(e, ENODEV, "%s: bad device name", what);
		return -ENODEV;
	}
	if (s)
		snprintf(key, sizeof(key), "SIOCETHTOOL %s %s %08x", name, what, req_hash(data, size));
	et->requests++;
	if (pp_snap_replaying(s)) {
		int rc = pp_snap_blob_get(s, key, data, size);

		if (rc == -ENODATA) {
			pp_err_set(e, ENODATA, "the snapshot holds no answer for SIOCETHTOOL %s %s", what, name);
			return rc;
		}
		if (rc < 0) {
			pp_err_set(e, -rc, "SIOCETHTOOL %s %s", what, name);
			return rc;
		}
		if ((size_t)rc != size) {
			pp_err_set(e, EBADMSG, "the snapshot's answer for SIOCETHTOOL %s %s is %d bytes, not %zu",
				   what, name, rc, size);
			return -EBADMSG;
		}
		return 0;
	}
	if ((fd = ioctl_fd(et)) < 0) {
		err = errno;
		pp_err_set(e, err, "%s %s: socket", what, name);
		return -err;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, name, strlen(name));
	ifr.ifr_data = data;
	if (ioctl(fd, SIOCETHTOOL, &ifr) < 0) {
		err = errno;
		if (s)
			pp_snap_blob_record(s, key, -err, NULL, 0);
		pp_err_set(e, err, "SIOCETHTOOL %s %s", what, name);
		return -err;
	}
	if (s)
		pp_snap_blob_record(s, key, 0, data, size);
	return 0;
}

static int
ioctl_linkmodes(struct pp_ethtool *et, const char *name, struct pp_ethtool_linkmodes *lm,
		struct pp_ethtool_linkinfo *li, struct pp_err *e)
{
	/* The settings and their three link mode masks of up to 127 words each, 8-byte aligned. */
	uint64_t ks[(sizeof(struct ethtool_link_settings) + 3 * 127 * 4) / 8 + 1];
	struct ethtool_link_settings *b = (struct ethtool_link_settings *)ks;
	int rc;

	/* GLINKSETTINGS is a handshake: the first call tells how many mask words the kernel uses. */
	memset(ks, 0, sizeof(ks));
	b->cmd = ETHTOOL_GLINKSETTINGS;
	if ((rc = et_ioctl(et, name, ks, sizeof(ks), "ETHTOOL_GLINKSETTINGS", e)) < 0)
		return rc;
	if (b->link_mode_masks_nwords < 0 && b->cmd == ETHTOOL_GLINKSETTINGS) {
		int8_t nw = (int8_t)-b->link_mode_masks_nwords;

		memset(ks, 0, sizeof(ks));
		b->cmd = ETHTOOL_GLINKSETTINGS;
		b->link_mode_masks_nwords = nw;
		if ((rc = et_ioctl(et, name, ks, sizeof(ks), "ETHTOOL_GLINKSETTINGS", e)) < 0)
			return rc;
	}
	if (b->link_mode_masks_nwords <= 0) {
		pp_err_set(e, EPROTO, "ETHTOOL_GLINKSETTINGS %s: handshake failed", name);
		return -EPROTO;
	}
	if (lm) {
		memset(lm, 0, sizeof(*lm));
		lm->source = PP_ET_SRC_IOCTL;
		lm->has_speed = lm->has_duplex = lm->has_autoneg = true;
		if (b->speed == (uint32_t)SPEED_UNKNOWN || b->speed == 0)
			lm->speed_unknown = true;
		else
			lm->speed = b->speed;
		lm->duplex = b->duplex;
		lm->autoneg = b->autoneg;
	}
	if (li) {
		memset(li, 0, sizeof(*li));
		li->source = PP_ET_SRC_IOCTL;
		li->has_port = li->has_phyaddr = li->has_transceiver = true;
		li->has_mdix = li->has_mdix_ctrl = true;
		li->port = b->port;
		li->phyaddr = b->phy_address;
		li->transceiver = b->transceiver;
		li->tp_mdix = b->eth_tp_mdix;
		li->tp_mdix_ctrl = b->eth_tp_mdix_ctrl;
	}
	return 0;
}

int
pp_ethtool_get_linkmodes(struct pp_ethtool *et, int ifindex, const char *name,
			 struct pp_ethtool_linkmodes *lm, struct pp_err *e)
{
	if (pp_ethtool_has_op(et, ETHTOOL_MSG_LINKMODES_GET))
		return nl_get(et, ETHTOOL_MSG_LINKMODES_GET, ETHTOOL_A_LINKMODES_HEADER,
			      "ETHTOOL_MSG_LINKMODES_GET", ifindex, name,
			      dec_lm, lm, e);
	return ioctl_linkmodes(et, name, lm, NULL, e);
}

int
pp_ethtool_get_linkinfo(struct pp_ethtool *et, int ifindex, const char *name,
			struct pp_ethtool_linkinfo *li, struct pp_err *e)
{
	if (pp_ethtool_has_op(et, ETHTOOL_MSG_LINKINFO_GET))
		return nl_get(et, ETHTOOL_MSG_LINKINFO_GET, ETHTOOL_A_LINKINFO_HEADER,
			      "ETHTOOL_MSG_LINKINFO_GET", ifindex, name,
			      dec_li, li, e);
	return ioctl_linkmodes(et, name, NULL, li, e);
}

int
pp_ethtool_get_rings(struct pp_ethtool *et, int ifindex, const char *name,
		     struct pp_ethtool_rings *r, struct pp_err *e)
{
	struct ethtool_ringparam rp;
	int rc;

	if (pp_ethtool_has_op(et, ETHTOOL_MSG_RINGS_GET))
		return nl_get(et, ETHTOOL_MSG_RINGS_GET, ETHTOOL_A_RINGS_HEADER,
			      "ETHTOOL_MSG_RINGS_GET", ifindex, name,
			      dec_rings, r, e);
	memset(&rp, 0, sizeof(rp));
	rp.cmd = ETHTOOL_GRINGPARAM;
	if ((rc = et_ioctl(et, name, &rp, sizeof(rp), "ETHTOOL_GRINGPARAM", e)) < 0)
		return rc;
	memset(r, 0, sizeof(*r));
	r->source = PP_ET_SRC_IOCTL;
	r->has_cur = r->has_max = (1u << PP_RING_N) - 1;
	r->cur[PP_RING_RX] = rp.rx_pending;
	r->cur[PP_RING_RX_MINI] = rp.rx_mini_pending;
	r->cur[PP_RING_RX_JUMBO] = rp.rx_jumbo_pending;
	r->cur[PP_RING_TX] = rp.tx_pending;
	r->max[PP_RING_RX] = rp.rx_max_pending;
	r->max[PP_RING_RX_MINI] = rp.rx_mini_max_pending;
	r->max[PP_RING_RX_JUMBO] = rp.rx_jumbo_max_pending;
	r->max[PP_RING_TX] = rp.tx_max_pending;
	return 0;
}

int
pp_ethtool_get_channels(struct pp_ethtool *et, int ifindex, const char *name,
			struct pp_ethtool_channels *c, struct pp_err *e)
{
	struct ethtool_channels ch;
	int rc;

	if (pp_ethtool_has_op(et, ETHTOOL_MSG_CHANNELS_GET))
		return nl_get(et, ETHTOOL_MSG_CHANNELS_GET, ETHTOOL_A_CHANNELS_HEADER,
			      "ETHTOOL_MSG_CHANNELS_GET", ifindex, name,
			      dec_chan, c, e);
	memset(&ch, 0, sizeof(ch));
	ch.cmd = ETHTOOL_GCHANNELS;
	if ((rc = et_ioctl(et, name, &ch, sizeof(ch), "ETHTOOL_GCHANNELS", e)) < 0)
		return rc;
	memset(c, 0, sizeof(*c));
	c->source = PP_ET_SRC_IOCTL;
	c->has_cur = c->has_max = (1u << PP_CHAN_N) - 1;
	c->cur[PP_CHAN_RX] = ch.rx_count;
	c->cur[PP_CHAN_TX] = ch.tx_count;
	c->cur[PP_CHAN_OTHER] = ch.other_count;
	c->cur[PP_CHAN_COMBINED] = ch.combined_count;
	c->max[PP_CHAN_RX] = ch.max_rx;
	c->max[PP_CHAN_TX] = ch.max_tx;
	c->max[PP_CHAN_OTHER] = ch.max_other;
	c->max[PP_CHAN_COMBINED] = ch.max_combined;
	return 0;
}

/* The number of strings in string set ss (ETH_SS_STATS), via GSSET_INFO. */
static int
sset_count(struct pp_ethtool *et, const char *name, unsigned ss, uint32_t *count, struct pp_err *e)
{
	/* The header and one length word (one set asked for), 8-byte aligned. */
	uint64_t raw[(sizeof(struct ethtool_sset_info) + sizeof(uint32_t)) / 8 + 1];
	struct ethtool_sset_info *si = (struct ethtool_sset_info *)raw;
	int rc;

	memset(raw, 0, sizeof(raw));
	si->cmd = ETHTOOL_GSSET_INFO;
	si->sset_mask = 1ULL << ss;
	if ((rc = et_ioctl(et, name, raw, sizeof(raw), "ETHTOOL_GSSET_INFO", e)) < 0)
		return rc;
	/* The kernel clears the bit of a set the driver does not have. */
	*count = (si->sset_mask & (1ULL << ss)) ? si->data[0] : 0;
	return 0;
}

#define STATS_MAX 65536
#define STATS_SLACK 256	/* more driver counters than this is a broken driver, not a big NIC */

int
pp_ethtool_get_stats(struct pp_ethtool *et, const char *name, struct pp_ethtool_stat **st,
		     size_t *n, struct pp_err *e)
{
	struct ethtool_gstrings *gs = NULL;
	struct ethtool_stats *gv = NULL;
	size_t gs_size, gv_size;
	uint32_t count = 0, i;
	int rc;

	*st = NULL;
	*n = 0;
	if ((rc = sset_count(et, name, ETH_SS_STATS, &count, e)) < 0)
		return rc;
	if (count == 0)
		return 0;
	if (count > STATS_MAX) {
		pp_err_set(e, E2BIG, "ETHTOOL_GSSET_INFO %s: %u counters", name, count);
		return -E2BIG;
	}
	/*
	 * The kernel fills as many entries as the driver has when it answers, not as
	 * many as we ask for: room for a few more, in case a queue was added between
	 * the calls (the mismatch is then refused below).
	 */
	gs_size = sizeof(*gs) + ((size_t)count + STATS_SLACK) * ETH_GSTRING_LEN;
	gv_size = sizeof(*gv) + ((size_t)count + STATS_SLACK) * sizeof(uint64_t);
	gs = calloc(1, gs_size);
	gv = calloc(1, gv_size);
	*st = calloc(count, sizeof(**st));
	if (!gs || !gv || !*st) {
		pp_err_set(e, ENOMEM, "ethtool stats %s", name);
		rc = -ENOMEM;
		goto out;
	}
	gs->cmd = ETHTOOL_GSTRINGS;
	gs->string_set = ETH_SS_STATS;
	gs->len = count;
	if ((rc = et_ioctl(et, name, gs, gs_size, "ETHTOOL_GSTRINGS", e)) < 0)
		goto out;
	gv->cmd = ETHTOOL_GSTATS;
	gv->n_stats = count;
	if ((rc = et_ioctl(et, name, gv, gv_size, "ETHTOOL_GSTATS", e)) < 0)
		goto out;
	/* The driver may have changed its count between the calls (a queue added): names and values no longer match. */
	if (gs->len != count || gv->n_stats != count) {
		pp_err_set(e, EAGAIN, "ethtool stats %s: the counter set changed while reading", name);
		rc = -EAGAIN;
		goto out;
	}
	for (i = 0; i < count; i++) {
		memcpy((*st)[i].name, gs->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		(*st)[i].name[ETH_GSTRING_LEN] = '\0';
		(*st)[i].value = gv->data[i];
	}
	*n = count;
	rc = 0;
out:
	if (rc < 0) {
		free(*st);
		*st = NULL;
	}
	free(gs);
	free(gv);
	return rc;
}

int
pp_ethtool_get_driver(struct pp_ethtool *et, const char *name, char *buf, size_t len,
		      struct pp_err *e)
{
	struct ethtool_drvinfo di;
	int rc;

	memset(&di, 0, sizeof(di));
	di.cmd = ETHTOOL_GDRVINFO;
	if ((rc = et_ioctl(et, name, &di, sizeof(di), "ETHTOOL_GDRVINFO", e)) < 0)
		return rc;
	snprintf(buf, len, "%.*s", (int)sizeof(di.driver), di.driver);
	return 0;
}

/* ---- standard statistics, pause, FEC (ETHTOOL_FLAG_STATS) ---- */

/* Indexed by the uapi enums, as the kernel's net/ethtool/stats.c names them. */
static const char *const std_group_names[PP_STD_N] = {
	[ETHTOOL_STATS_ETH_PHY] = "eth-phy", [ETHTOOL_STATS_ETH_MAC] = "eth-mac",
	[ETHTOOL_STATS_ETH_CTRL] = "eth-ctrl", [ETHTOOL_STATS_RMON] = "rmon",
};
static const char *const std_phy_names[] = {
	[ETHTOOL_A_STATS_ETH_PHY_5_SYM_ERR] = "SymbolErrorDuringCarrier",
};
static const char *const std_mac_names[] = {
	[ETHTOOL_A_STATS_ETH_MAC_2_TX_PKT] = "FramesTransmittedOK",
	[ETHTOOL_A_STATS_ETH_MAC_3_SINGLE_COL] = "SingleCollisionFrames",
	[ETHTOOL_A_STATS_ETH_MAC_4_MULTI_COL] = "MultipleCollisionFrames",
	[ETHTOOL_A_STATS_ETH_MAC_5_RX_PKT] = "FramesReceivedOK",
	[ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR] = "FrameCheckSequenceErrors",
	[ETHTOOL_A_STATS_ETH_MAC_7_ALIGN_ERR] = "AlignmentErrors",
	[ETHTOOL_A_STATS_ETH_MAC_8_TX_BYTES] = "OctetsTransmittedOK",
	[ETHTOOL_A_STATS_ETH_MAC_9_TX_DEFER] = "FramesWithDeferredXmissions",
	[ETHTOOL_A_STATS_ETH_MAC_10_LATE_COL] = "LateCollisions",
	[ETHTOOL_A_STATS_ETH_MAC_11_XS_COL] = "FramesAbortedDueToXSColls",
	[ETHTOOL_A_STATS_ETH_MAC_12_TX_INT_ERR] = "FramesLostDueToIntMACXmitError",
	[ETHTOOL_A_STATS_ETH_MAC_13_CS_ERR] = "CarrierSenseErrors",
	[ETHTOOL_A_STATS_ETH_MAC_14_RX_BYTES] = "OctetsReceivedOK",
	[ETHTOOL_A_STATS_ETH_MAC_15_RX_INT_ERR] = "FramesLostDueToIntMACRcvError",
	[ETHTOOL_A_STATS_ETH_MAC_18_TX_MCAST] = "MulticastFramesXmittedOK",
	[ETHTOOL_A_STATS_ETH_MAC_19_TX_BCAST] = "BroadcastFramesXmittedOK",
	[ETHTOOL_A_STATS_ETH_MAC_20_XS_DEFER] = "FramesWithExcessiveDeferral",
	[ETHTOOL_A_STATS_ETH_MAC_21_RX_MCAST] = "MulticastFramesReceivedOK",
	[ETHTOOL_A_STATS_ETH_MAC_22_RX_BCAST] = "BroadcastFramesReceivedOK",
	[ETHTOOL_A_STATS_ETH_MAC_23_IR_LEN_ERR] = "InRangeLengthErrors",
	[ETHTOOL_A_STATS_ETH_MAC_24_OOR_LEN] = "OutOfRangeLengthField",
	[ETHTOOL_A_STATS_ETH_MAC_25_TOO_LONG_ERR] = "FrameTooLongErrors",
};
static const char *const std_ctrl_names[] = {
	[ETHTOOL_A_STATS_ETH_CTRL_3_TX] = "MACControlFramesTransmitted",
	[ETHTOOL_A_STATS_ETH_CTRL_4_RX] = "MACControlFramesReceived",
	[ETHTOOL_A_STATS_ETH_CTRL_5_RX_UNSUP] = "UnsupportedOpcodesReceived",
};
static const char *const std_rmon_names[] = {
	[ETHTOOL_A_STATS_RMON_UNDERSIZE] = "etherStatsUndersizePkts",
	[ETHTOOL_A_STATS_RMON_OVERSIZE] = "etherStatsOversizePkts",
	[ETHTOOL_A_STATS_RMON_FRAG] = "etherStatsFragments",
	[ETHTOOL_A_STATS_RMON_JABBER] = "etherStatsJabbers",
};
static const struct { const char *const *n; unsigned count; } std_tables[PP_STD_N] = {
	[PP_STD_ETH_PHY] = { std_phy_names, PP_ARRAY_SIZE(std_phy_names) },
	[PP_STD_ETH_MAC] = { std_mac_names, PP_ARRAY_SIZE(std_mac_names) },
	[PP_STD_ETH_CTRL] = { std_ctrl_names, PP_ARRAY_SIZE(std_ctrl_names) },
	[PP_STD_RMON] = { std_rmon_names, PP_ARRAY_SIZE(std_rmon_names) },
};
_Static_assert((int)PP_STD_RMON == (int)ETHTOOL_STATS_RMON, "the groups are the uapi's ETHTOOL_STATS_*");
_Static_assert(PP_ARRAY_SIZE(std_mac_names) <= PP_STD_SLOTS, "room for every eth-mac stat");

const char *
pp_std_group_name(unsigned g)
{
	return g < PP_STD_N ? std_group_names[g] : NULL;
}

unsigned
pp_std_stat_count(unsigned g)
{
	return g < PP_STD_N ? std_tables[g].count : 0;
}

const char *
pp_std_stat_name(unsigned g, unsigned i)
{
	return i < pp_std_stat_count(g) ? std_tables[g].n[i] : NULL;
}

bool
pp_ethtool_std_any(const struct pp_ethtool_std_stats *s)
{
	unsigned g;

	for (g = 0; g < PP_STD_N; g++)
		if (s->grp[g].has)
			return true;
	return s->n_hist_rx || s->n_hist_tx;
}

const char *
pp_fec_mode_name(uint32_t bit)
{
	switch (bit) {
	case ETHTOOL_LINK_MODE_FEC_NONE_BIT: return "None";
	case ETHTOOL_LINK_MODE_FEC_RS_BIT: return "RS";
	case ETHTOOL_LINK_MODE_FEC_BASER_BIT: return "BaseR";
	case ETHTOOL_LINK_MODE_FEC_LLRS_BIT: return "LLRS";
	default: return "unknown";
	}
}

const char *
pp_fec_stat_name(unsigned s)
{
	static const char *const n[PP_FEC_N] = { "corrected_blocks", "uncorrectable_blocks",
						 "corrected_bits" };
	return s < PP_FEC_N ? n[s] : "?";
}

static const struct pp_attr_policy stats_pol[ETHTOOL_A_STATS_GRP + 1] = {
	[ETHTOOL_A_STATS_HEADER] = { .kind = PP_A_NEST }, [ETHTOOL_A_STATS_GROUPS] = { .kind = PP_A_NEST },
	[ETHTOOL_A_STATS_GRP] = { .kind = PP_A_NEST },
};

static const struct pp_attr_policy grp_pol[ETHTOOL_A_STATS_GRP_HIST_VAL + 1] = {
	[ETHTOOL_A_STATS_GRP_ID] = { .kind = PP_A_U32 }, [ETHTOOL_A_STATS_GRP_SS_ID] = { .kind = PP_A_U32 },
	[ETHTOOL_A_STATS_GRP_STAT] = { .kind = PP_A_NEST },
	[ETHTOOL_A_STATS_GRP_HIST_RX] = { .kind = PP_A_NEST }, [ETHTOOL_A_STATS_GRP_HIST_TX] = { .kind = PP_A_NEST },
	[ETHTOOL_A_STATS_GRP_HIST_BKT_LOW] = { .kind = PP_A_U32 },
	[ETHTOOL_A_STATS_GRP_HIST_BKT_HI] = { .kind = PP_A_U32 },
	[ETHTOOL_A_STATS_GRP_HIST_VAL] = { .kind = PP_A_U64 },
};

/* A u64 that need not be 8-byte aligned (the kernel pads, but a nest may shift it by 4). */
static uint64_t
get_u64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, (const char *)a + NLA_HDRLEN, sizeof(v));
	return v;
}

/*
 * A stat nest (ETHTOOL_A_STATS_GRP_STAT): one attribute whose type is the stat's
 * index in its group (starting at 0, so there is no pad type inside) and whose
 * payload is the u64 value.
 */
static int
decode_std_stat(const struct nlattr *nest, unsigned g, struct pp_ethtool_std_stats *s)
{
	const struct nlattr *tb[1], *a;

	if (pp_attr_parse_nest(nest, NULL, 0, tb) < 0)	/* bounds only */
		return -EBADMSG;
	mnl_attr_for_each_nested(a, nest) {
		unsigned i = mnl_attr_get_type(a);

		if (mnl_attr_get_payload_len(a) < sizeof(uint64_t))
			return -EBADMSG;
		if (g >= PP_STD_N || i >= PP_STD_SLOTS || i >= pp_std_stat_count(g)) {
			s->unknown_stats++;
			continue;
		}
		s->grp[g].has |= 1u << i;
		s->grp[g].val[i] = get_u64(a);
	}
	return 0;
}

static int
decode_hist(const struct nlattr *nest, struct pp_ethtool_rmon_bkt *b, unsigned *n)
{
	const struct nlattr *tb[ETHTOOL_A_STATS_GRP_HIST_VAL + 1];

	if (pp_attr_parse_nest(nest, grp_pol, ETHTOOL_A_STATS_GRP_HIST_VAL, tb) < 0)
		return -EBADMSG;
	if (!tb[ETHTOOL_A_STATS_GRP_HIST_BKT_LOW] || !tb[ETHTOOL_A_STATS_GRP_HIST_BKT_HI] ||
	    !tb[ETHTOOL_A_STATS_GRP_HIST_VAL])
		return -EBADMSG;
	if (*n >= PP_RMON_HIST_N)
		return 0;	/* more buckets than the kernel has today: keep the first ten */
	b[*n].low = mnl_attr_get_u32(tb[ETHTOOL_A_STATS_GRP_HIST_BKT_LOW]);
	b[*n].high = mnl_attr_get_u32(tb[ETHTOOL_A_STATS_GRP_HIST_BKT_HI]);
	b[*n].val = get_u64(tb[ETHTOOL_A_STATS_GRP_HIST_VAL]);
	(*n)++;
	return 0;
}

static int
decode_std_group(const struct nlattr *nest, struct pp_ethtool_std_stats *s)
{
	const struct nlattr *tb[ETHTOOL_A_STATS_GRP_HIST_VAL + 1], *a;
	uint32_t g;

	/* Checks every attribute of the nest against the policy, repeated ones too. */
	if (pp_attr_parse_nest(nest, grp_pol, ETHTOOL_A_STATS_GRP_HIST_VAL, tb) < 0)
		return -EBADMSG;
	if (!tb[ETHTOOL_A_STATS_GRP_ID])
		return -EBADMSG;
	g = mnl_attr_get_u32(tb[ETHTOOL_A_STATS_GRP_ID]);
	if (g >= PP_STD_N) {
		s->unknown_groups++;
		return 0;
	}
	s->grp[g].present = true;
	if (tb[ETHTOOL_A_STATS_GRP_SS_ID])
		s->grp[g].ss_id = mnl_attr_get_u32(tb[ETHTOOL_A_STATS_GRP_SS_ID]);
	/* STAT and HIST_* repeat: walk them all (tb keeps only the last of each type). */
	mnl_attr_for_each_nested(a, nest) {
		int rc = 0;

		switch (mnl_attr_get_type(a)) {
		case ETHTOOL_A_STATS_GRP_STAT:
			rc = decode_std_stat(a, g, s);
			break;
		case ETHTOOL_A_STATS_GRP_HIST_RX:
			rc = decode_hist(a, s->hist_rx, &s->n_hist_rx);
			break;
		case ETHTOOL_A_STATS_GRP_HIST_TX:
			rc = decode_hist(a, s->hist_tx, &s->n_hist_tx);
			break;
		default:
			break;
		}
		if (rc < 0)
			return rc;
	}
	return 0;
}

int
pp_ethtool_decode_std_stats(const struct nlmsghdr *nlh, struct pp_ethtool_std_stats *s)
{
	const struct nlattr *tb[ETHTOOL_A_STATS_GRP + 1], *a;
	size_t off = sizeof(struct genlmsghdr);

	memset(s, 0, sizeof(*s));
	if (pp_attr_parse_msg(nlh, off, stats_pol, ETHTOOL_A_STATS_GRP, tb) < 0 || !pp_msg_hdr(nlh, off))
		return -EBADMSG;
	if (hdr_ifindex(tb[ETHTOOL_A_STATS_HEADER], &s->ifindex) < 0)
		return -EBADMSG;
	mnl_attr_for_each(a, nlh, MNL_ALIGN(off)) {
		if (mnl_attr_get_type(a) == ETHTOOL_A_STATS_GRP && decode_std_group(a, s) < 0)
			return -EBADMSG;
	}
	return 0;
}

static const struct pp_attr_policy pause_pol[ETHTOOL_A_PAUSE_STATS + 1] = {
	[ETHTOOL_A_PAUSE_HEADER] = { .kind = PP_A_NEST }, [ETHTOOL_A_PAUSE_AUTONEG] = { .kind = PP_A_U8 },
	[ETHTOOL_A_PAUSE_RX] = { .kind = PP_A_U8 }, [ETHTOOL_A_PAUSE_TX] = { .kind = PP_A_U8 },
	[ETHTOOL_A_PAUSE_STATS] = { .kind = PP_A_NEST },
};
static const struct pp_attr_policy pause_stat_pol[ETHTOOL_A_PAUSE_STAT_RX_FRAMES + 1] = {
	[ETHTOOL_A_PAUSE_STAT_TX_FRAMES] = { .kind = PP_A_U64 },
	[ETHTOOL_A_PAUSE_STAT_RX_FRAMES] = { .kind = PP_A_U64 },
};

int
pp_ethtool_decode_pause(const struct nlmsghdr *nlh, struct pp_ethtool_pause *p)
{
	const struct nlattr *tb[ETHTOOL_A_PAUSE_STATS + 1];
	const struct nlattr *st[ETHTOOL_A_PAUSE_STAT_RX_FRAMES + 1];
	size_t off = sizeof(struct genlmsghdr);

	memset(p, 0, sizeof(*p));
	if (pp_attr_parse_msg(nlh, off, pause_pol, ETHTOOL_A_PAUSE_STATS, tb) < 0 || !pp_msg_hdr(nlh, off))
		return -EBADMSG;
	if (hdr_ifindex(tb[ETHTOOL_A_PAUSE_HEADER], &p->ifindex) < 0)
		return -EBADMSG;
	if ((p->has_autoneg = tb[ETHTOOL_A_PAUSE_AUTONEG] != NULL))
		p->autoneg = mnl_attr_get_u8(tb[ETHTOOL_A_PAUSE_AUTONEG]);
	if ((p->has_rx = tb[ETHTOOL_A_PAUSE_RX] != NULL))
		p->rx = mnl_attr_get_u8(tb[ETHTOOL_A_PAUSE_RX]);
	if ((p->has_tx = tb[ETHTOOL_A_PAUSE_TX] != NULL))
		p->tx = mnl_attr_get_u8(tb[ETHTOOL_A_PAUSE_TX]);
	if (tb[ETHTOOL_A_PAUSE_STATS]) {
		if (pp_attr_parse_nest(tb[ETHTOOL_A_PAUSE_STATS], pause_stat_pol,
				       ETHTOOL_A_PAUSE_STAT_RX_FRAMES, st) < 0)
			return -EBADMSG;
		p->has_stats = true;
		/* The kernel leaves out a counter the driver did not set (ETHTOOL_STAT_NOT_SET). */
		if ((p->has_tx_frames = st[ETHTOOL_A_PAUSE_STAT_TX_FRAMES] != NULL))
			p->tx_frames = get_u64(st[ETHTOOL_A_PAUSE_STAT_TX_FRAMES]);
		if ((p->has_rx_frames = st[ETHTOOL_A_PAUSE_STAT_RX_FRAMES] != NULL))
			p->rx_frames = get_u64(st[ETHTOOL_A_PAUSE_STAT_RX_FRAMES]);
	}
	return 0;
}

static const struct pp_attr_policy fec_pol[ETHTOOL_A_FEC_STATS + 1] = {
	[ETHTOOL_A_FEC_HEADER] = { .kind = PP_A_NEST }, [ETHTOOL_A_FEC_MODES] = { .kind = PP_A_NEST },
	[ETHTOOL_A_FEC_AUTO] = { .kind = PP_A_U8 }, [ETHTOOL_A_FEC_ACTIVE] = { .kind = PP_A_U32 },
	[ETHTOOL_A_FEC_STATS] = { .kind = PP_A_NEST },
};

/*
 * One FEC counter: an array of u64, element 0 the total and then one per lane; the
 * kernel sends it empty when the driver does not report it.
 */
static int
decode_fec_stat(const struct nlattr *a, struct pp_ethtool_fec_stat *fs)
{
	size_t len = mnl_attr_get_payload_len(a), n = len / sizeof(uint64_t), i;
	const char *p = (const char *)a + NLA_HDRLEN;

	memset(fs, 0, sizeof(*fs));
	if (len % sizeof(uint64_t))
		return -EBADMSG;
	if (n == 0)
		return 0;
	fs->has = true;
	memcpy(&fs->total, p, sizeof(uint64_t));
	for (i = 1; i < n && fs->n_lanes < PP_FEC_LANES; i++)
		memcpy(&fs->lane[fs->n_lanes++], p + i * sizeof(uint64_t), sizeof(uint64_t));
	return 0;
}

int
pp_ethtool_decode_fec(const struct nlmsghdr *nlh, struct pp_ethtool_fec *f)
{
	static const uint16_t stat_a[PP_FEC_N] = { ETHTOOL_A_FEC_STAT_CORRECTED, ETHTOOL_A_FEC_STAT_UNCORR,
						   ETHTOOL_A_FEC_STAT_CORR_BITS };
	const struct nlattr *tb[ETHTOOL_A_FEC_STATS + 1];
	const struct nlattr *st[ETHTOOL_A_FEC_STAT_CORR_BITS + 1];
	size_t off = sizeof(struct genlmsghdr);
	unsigned i;

	memset(f, 0, sizeof(*f));
	if (pp_attr_parse_msg(nlh, off, fec_pol, ETHTOOL_A_FEC_STATS, tb) < 0 || !pp_msg_hdr(nlh, off))
		return -EBADMSG;
	if (hdr_ifindex(tb[ETHTOOL_A_FEC_HEADER], &f->ifindex) < 0)
		return -EBADMSG;
	if ((f->has_auto = tb[ETHTOOL_A_FEC_AUTO] != NULL))
		f->fec_auto = mnl_attr_get_u8(tb[ETHTOOL_A_FEC_AUTO]);
	/* Left out by the kernel when no FEC mode is active. */
	if ((f->has_active = tb[ETHTOOL_A_FEC_ACTIVE] != NULL))
		f->active = mnl_attr_get_u32(tb[ETHTOOL_A_FEC_ACTIVE]);
	if (tb[ETHTOOL_A_FEC_STATS]) {
		if (pp_attr_parse_nest(tb[ETHTOOL_A_FEC_STATS], NULL, ETHTOOL_A_FEC_STAT_CORR_BITS, st) < 0)
			return -EBADMSG;
		f->has_stats = true;
		for (i = 0; i < PP_FEC_N; i++)
			if (st[stat_a[i]] && decode_fec_stat(st[stat_a[i]], &f->st[i]) < 0)
				return -EBADMSG;
	}
	return 0;
}

static int dec_std(const struct nlmsghdr *n, void *o) { return pp_ethtool_decode_std_stats(n, o); }
static int dec_pause(const struct nlmsghdr *n, void *o) { return pp_ethtool_decode_pause(n, o); }
static int dec_fec(const struct nlmsghdr *n, void *o) { return pp_ethtool_decode_fec(n, o); }

/*
 * The groups asked for, as a compact bitset (ETHTOOL_A_BITSET_SIZE and _VALUE,
 * NOMASK: the bits given are the whole set). Bit n is group n of the uapi enum,
 * whose names are the kernel's ETH_SS_STATS_STD string set; ethtool(8) sends the
 * same set by name instead.
 */
static void
put_std_groups(struct nlmsghdr *nlh)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, ETHTOOL_A_STATS_GROUPS);
	uint32_t bits = (1u << PP_STD_N) - 1;

	mnl_attr_put(nlh, ETHTOOL_A_BITSET_NOMASK, 0, NULL);
	mnl_attr_put_u32(nlh, ETHTOOL_A_BITSET_SIZE, PP_STD_N);
	mnl_attr_put(nlh, ETHTOOL_A_BITSET_VALUE, sizeof(bits), &bits);
	mnl_attr_nest_end(nlh, nest);
}

/*
 * PAUSE_GET and FEC_GET add their counters only with ETHTOOL_FLAG_STATS in the
 * request header. STATS_GET is all counters and refuses the flag: its header
 * policy is the plain one, and the kernel answers EINVAL "reserved bit set"
 * (seen on 6.18; ethtool(8) sends it no flag either).
 */
static int
stats_get(struct pp_ethtool *et, unsigned cmd, unsigned hdr_attr, put_fn put, const char *what,
	  int ifindex, const char *name, decode_fn dec, void *out, struct pp_err *e)
{
	uint32_t flags = cmd == ETHTOOL_MSG_STATS_GET ? 0 : ETHTOOL_FLAG_STATS;

	if (!pp_ethtool_has_op(et, cmd)) {
		/* No ioctl carries these: without the netlink command there is nothing to ask. */
		pp_err_set(e, EPROTONOSUPPORT, "%s %s: not offered by this kernel's ethtool netlink",
			   what, name ? name : "?");
		return -EPROTONOSUPPORT;
	}
	return nl_get_ex(et, cmd, hdr_attr, flags, put, what, ifindex, name, dec, out, e);
}

int
pp_ethtool_get_std_stats(struct pp_ethtool *et, int ifindex, const char *name,
			 struct pp_ethtool_std_stats *s, struct pp_err *e)
{
	memset(s, 0, sizeof(*s));
	return stats_get(et, ETHTOOL_MSG_STATS_GET, ETHTOOL_A_STATS_HEADER, put_std_groups,
			 "ETHTOOL_MSG_STATS_GET", ifindex, name, dec_std, s, e);
}

int
pp_ethtool_get_pause(struct pp_ethtool *et, int ifindex, const char *name,
		     struct pp_ethtool_pause *p, struct pp_err *e)
{
	memset(p, 0, sizeof(*p));
	return stats_get(et, ETHTOOL_MSG_PAUSE_GET, ETHTOOL_A_PAUSE_HEADER, NULL,
			 "ETHTOOL_MSG_PAUSE_GET", ifindex, name, dec_pause, p, e);
}

int
pp_ethtool_get_fec(struct pp_ethtool *et, int ifindex, const char *name,
		   struct pp_ethtool_fec *f, struct pp_err *e)
{
	memset(f, 0, sizeof(*f));
	return stats_get(et, ETHTOOL_MSG_FEC_GET, ETHTOOL_A_FEC_HEADER, NULL,
			 "ETHTOOL_MSG_FEC_GET", ifindex, name, dec_fec, f, e);
}
