/* link.c: RTM_GETLINK get and dump. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "link.h"

static const struct pp_attr_policy link_pol[IFLA_MAX + 1] = {
	[IFLA_IFNAME] = { PP_A_STR }, [IFLA_QDISC] = { PP_A_STR }, [IFLA_MTU] = { PP_A_U32 },
	[IFLA_TXQLEN] = { PP_A_U32 }, [IFLA_MASTER] = { PP_A_U32 }, [IFLA_LINK] = { PP_A_U32 },
	[IFLA_OPERSTATE] = { PP_A_U8 }, [IFLA_CARRIER] = { PP_A_U8 },
	[IFLA_CARRIER_CHANGES] = { PP_A_U32 }, [IFLA_CARRIER_UP_COUNT] = { PP_A_U32 },
	[IFLA_CARRIER_DOWN_COUNT] = { PP_A_U32 }, [IFLA_GROUP] = { PP_A_U32 },
	[IFLA_LINK_NETNSID] = { PP_A_U32 }, [IFLA_LINKINFO] = { PP_A_NEST },
	[IFLA_XDP] = { PP_A_NEST }, [IFLA_STATS64] = { PP_A_UNSPEC }, [IFLA_ADDRESS] = { PP_A_UNSPEC },
};

static const struct pp_attr_policy info_pol[IFLA_INFO_MAX + 1] = {
	[IFLA_INFO_KIND] = { PP_A_STR }, [IFLA_INFO_SLAVE_KIND] = { PP_A_STR },
	[IFLA_INFO_DATA] = { PP_A_NEST }, [IFLA_INFO_SLAVE_DATA] = { PP_A_NEST },
};

static const struct pp_attr_policy brport_pol[IFLA_BRPORT_MAX + 1] = {
	[IFLA_BRPORT_STATE] = { PP_A_U8 }, [IFLA_BRPORT_LEARNING] = { PP_A_U8 },
	[IFLA_BRPORT_UNICAST_FLOOD] = { PP_A_U8 }, [IFLA_BRPORT_MCAST_FLOOD] = { PP_A_U8 },
	[IFLA_BRPORT_ISOLATED] = { PP_A_U8 }, [IFLA_BRPORT_MODE] = { PP_A_U8 },
};

static const struct pp_attr_policy br_pol[IFLA_BR_MAX + 1] = {
	[IFLA_BR_VLAN_FILTERING] = { PP_A_U8 },
};

int
pp_link_bridge_info(const struct nlattr *linkinfo, bool *is_port, struct pp_brport *b, bool *is_bridge, bool *vf)
{
	const struct nlattr *li[IFLA_INFO_MAX + 1], *pt[IFLA_BRPORT_MAX + 1], *bt[IFLA_BR_MAX + 1];

	*is_port = *is_bridge = *vf = false;
	memset(b, 0, sizeof(*b));
	if (pp_attr_parse_nest(linkinfo, info_pol, IFLA_INFO_MAX, li) < 0)
		return -EBADMSG;
	/* br_port_fill_slave_info */
	if (li[IFLA_INFO_SLAVE_KIND] && strcmp(mnl_attr_get_str(li[IFLA_INFO_SLAVE_KIND]), "bridge") == 0) {
		*is_port = true;
		if (li[IFLA_INFO_SLAVE_DATA]) {
			if (pp_attr_parse_nest(li[IFLA_INFO_SLAVE_DATA], brport_pol, IFLA_BRPORT_MAX, pt) < 0)
				return -EBADMSG;
#define BR_FLAG(attr, has, val) do { if (pt[attr]) { b->has = true; b->val = mnl_attr_get_u8(pt[attr]) != 0; } } while (0)
			if (pt[IFLA_BRPORT_STATE]) {
				b->has_state = true;
				b->state = mnl_attr_get_u8(pt[IFLA_BRPORT_STATE]);
			}
			BR_FLAG(IFLA_BRPORT_LEARNING, has_learning, learning);
			BR_FLAG(IFLA_BRPORT_UNICAST_FLOOD, has_flood, flood);
			BR_FLAG(IFLA_BRPORT_MCAST_FLOOD, has_mcast_flood, mcast_flood);
			BR_FLAG(IFLA_BRPORT_ISOLATED, has_isolated, isolated);
			BR_FLAG(IFLA_BRPORT_MODE, has_hairpin, hairpin);
#undef BR_FLAG
		}
	}
	/* br_fill_info */
	if (li[IFLA_INFO_KIND] && strcmp(mnl_attr_get_str(li[IFLA_INFO_KIND]), "bridge") == 0) {
		*is_bridge = true;
		if (li[IFLA_INFO_DATA]) {
			if (pp_attr_parse_nest(li[IFLA_INFO_DATA], br_pol, IFLA_BR_MAX, bt) < 0)
				return -EBADMSG;
			*vf = bt[IFLA_BR_VLAN_FILTERING] && mnl_attr_get_u8(bt[IFLA_BR_VLAN_FILTERING]);
		}
	}
	return 0;
}

/* A string attribute into dst (n bytes), cut to fit: snprintf's result at a dump of thousands of links, without printf. */
static void
attr_str(char *dst, size_t n, const struct nlattr *a)
{
	const char *s = mnl_attr_get_payload(a);
	size_t len = strnlen(s, mnl_attr_get_payload_len(a));

	if (len >= n)
		len = n - 1;
	memcpy(dst, s, len);
	dst[len] = '\0';
}

static const struct pp_attr_policy xdp_pol[IFLA_XDP_MAX + 1] = {
	[IFLA_XDP_ATTACHED] = { PP_A_U8 }, [IFLA_XDP_PROG_ID] = { PP_A_U32 },
};

int
pp_link_decode(const struct nlmsghdr *nlh, struct pp_link *l)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi = pp_msg_hdr(nlh, sizeof(*ifi));

	memset(l, 0, sizeof(*l));
	if (!ifi || pp_attr_parse_msg(nlh, sizeof(*ifi), link_pol, IFLA_MAX, tb) < 0)
		return -EBADMSG;
	l->ifindex = ifi->ifi_index;
	l->flags = ifi->ifi_flags;
	l->type = ifi->ifi_type;
	if (!tb[IFLA_IFNAME])
		return -EBADMSG;
	attr_str(l->name, sizeof(l->name), tb[IFLA_IFNAME]);
	if (tb[IFLA_QDISC])
		attr_str(l->qdisc, sizeof(l->qdisc), tb[IFLA_QDISC]);
	if (tb[IFLA_MTU])
		l->mtu = mnl_attr_get_u32(tb[IFLA_MTU]);
	if (tb[IFLA_TXQLEN])
		l->txqlen = mnl_attr_get_u32(tb[IFLA_TXQLEN]);
	if (tb[IFLA_MASTER])
		l->master = mnl_attr_get_u32(tb[IFLA_MASTER]);
	if (tb[IFLA_LINK])
		l->link = mnl_attr_get_u32(tb[IFLA_LINK]);
	if (tb[IFLA_GROUP])
		l->group = mnl_attr_get_u32(tb[IFLA_GROUP]);
	if (tb[IFLA_OPERSTATE])
		l->operstate = mnl_attr_get_u8(tb[IFLA_OPERSTATE]);
	if (tb[IFLA_CARRIER]) {
		l->has_carrier = true;
		l->carrier = mnl_attr_get_u8(tb[IFLA_CARRIER]);
	}
	if (tb[IFLA_CARRIER_CHANGES]) {
		l->has_carrier_changes = true;
		l->carrier_changes = mnl_attr_get_u32(tb[IFLA_CARRIER_CHANGES]);
	}
	if (tb[IFLA_CARRIER_UP_COUNT])
		l->carrier_up = mnl_attr_get_u32(tb[IFLA_CARRIER_UP_COUNT]);
	if (tb[IFLA_CARRIER_DOWN_COUNT])
		l->carrier_down = mnl_attr_get_u32(tb[IFLA_CARRIER_DOWN_COUNT]);
	if (tb[IFLA_LINK_NETNSID]) {
		l->has_link_netnsid = true;
		l->link_netnsid = (int32_t)mnl_attr_get_u32(tb[IFLA_LINK_NETNSID]);
	}
	if (tb[IFLA_ADDRESS]) {
		size_t n = mnl_attr_get_payload_len(tb[IFLA_ADDRESS]);

		if (n > sizeof(l->addr))
			n = sizeof(l->addr);
		memcpy(l->addr, mnl_attr_get_payload(tb[IFLA_ADDRESS]), n);
		l->addr_len = (uint8_t)n;
	}
	if (tb[IFLA_STATS64]) {
		/* Older kernels send a shorter struct: the fields they lack stay 0. */
		pp_attr_copy(&l->stats, sizeof(l->stats), tb[IFLA_STATS64]);
		l->has_stats64 = true;
	}
	if (tb[IFLA_LINKINFO]) {
		const struct nlattr *li[IFLA_INFO_MAX + 1];

		if (pp_attr_parse_nest(tb[IFLA_LINKINFO], info_pol, IFLA_INFO_MAX, li) < 0)
			return -EBADMSG;
		if (li[IFLA_INFO_KIND])
			attr_str(l->kind, sizeof(l->kind), li[IFLA_INFO_KIND]);
		if (li[IFLA_INFO_SLAVE_KIND])
			attr_str(l->slave_kind, sizeof(l->slave_kind), li[IFLA_INFO_SLAVE_KIND]);
		{
			bool is_bridge;

			if (pp_link_bridge_info(tb[IFLA_LINKINFO], &l->has_brport, &l->brport, &is_bridge,
						&l->br_vlan_filtering) < 0)
				return -EBADMSG;
		}
	}
	if (tb[IFLA_XDP]) {
		const struct nlattr *xt[IFLA_XDP_MAX + 1];

		if (pp_attr_parse_nest(tb[IFLA_XDP], xdp_pol, IFLA_XDP_MAX, xt) < 0)
			return -EBADMSG;
		if (xt[IFLA_XDP_ATTACHED]) {
			l->has_xdp = true;
			l->xdp_attached = mnl_attr_get_u8(xt[IFLA_XDP_ATTACHED]);
		}
		if (xt[IFLA_XDP_PROG_ID])
			l->xdp_prog_id = mnl_attr_get_u32(xt[IFLA_XDP_PROG_ID]);
	}
	return 0;
}

struct get_ctx {
	struct pp_link *l;
	int found, rc;
};

static int
get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *c = data;

	if (nlh->nlmsg_type != RTM_NEWLINK || c->found)
		return 0;
	c->found = 1;
	c->rc = pp_link_decode(nlh, c->l);
	return 0;
}

int
pp_link_get(struct pp_nl *nl, int ifindex, const char *name, struct pp_link *l, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct get_ctx c = { .l = l };
	struct ifinfomsg *ifi;
	int rc;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	if (ifindex <= 0 && name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (ifindex > 0)
		pp_err_set(e, 0, "RTM_GETLINK ifindex %d", ifindex);
	else
		pp_err_set(e, 0, "RTM_GETLINK %s", name ? name : "?");
	rc = pp_nl_request(nl, nlh, get_cb, &c, e);
	if (rc < 0)
		return rc;
	if (!c.found)
		return -ENODEV;
	if (c.rc < 0)
		nl->bad_msgs++;
	return c.rc;
}

struct dump_ctx {
	pp_link_cb cb;
	void *data;
	struct pp_nl *nl;
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct pp_link l;

	if (nlh->nlmsg_type != RTM_NEWLINK)
		return 0;
	if (pp_link_decode(nlh, &l) < 0) {
		c->nl->bad_msgs++;
		return 0;
	}
	return c->cb(&l, c->data);
}

int
pp_link_dump(struct pp_nl *nl, pp_link_cb cb, pp_nl_reset reset, void *data, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_ctx c = { cb, data, nl };
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	pp_err_set(e, 0, "RTM_GETLINK dump");
	return pp_nl_dump(nl, nlh, dump_cb, &c, reset, e);
}

const char *
pp_operstate_name(uint8_t st)
{
	static const char *const n[] = { "UNKNOWN", "NOTPRESENT", "DOWN", "LOWERLAYERDOWN",
					 "TESTING", "DORMANT", "UP" };
	return st < PP_ARRAY_SIZE(n) ? n[st] : "UNKNOWN";
}
