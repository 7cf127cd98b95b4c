/* fdb.c: bridge fdb get, and a bridge port's state, as bridge(8) asks for them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "fdb.h"
#include "link.h"

static const struct pp_attr_policy fdb_pol[NDA_MAX + 1] = {
	[NDA_LLADDR] = { PP_A_MIN, 6 }, [NDA_MASTER] = { PP_A_U32 }, [NDA_VLAN] = { PP_A_U16 },
};

int
pp_fdb_decode(const struct nlmsghdr *nlh, struct pp_fdb *f)
{
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm = pp_msg_hdr(nlh, sizeof(*ndm));

	memset(f, 0, sizeof(*f));
	if (!ndm || pp_attr_parse_msg(nlh, sizeof(*ndm), fdb_pol, NDA_MAX, tb) < 0)
		return -EBADMSG;
	if (ndm->ndm_family != AF_BRIDGE)
		return -EAFNOSUPPORT;
	if (!tb[NDA_LLADDR])
		return -EBADMSG;
	f->port = ndm->ndm_ifindex;
	f->state = ndm->ndm_state;
	f->flags = ndm->ndm_flags;
	memcpy(f->lladdr, mnl_attr_get_payload(tb[NDA_LLADDR]), 6);
	if (tb[NDA_MASTER])
		f->master = (int)mnl_attr_get_u32(tb[NDA_MASTER]);
	if (tb[NDA_VLAN]) {
		f->has_vlan = true;
		f->vlan = mnl_attr_get_u16(tb[NDA_VLAN]);
	}
	return 0;
}

struct one_ctx {
	void *out;
	int (*decode)(const struct nlmsghdr *, void *);
	int found, rc;
	uint16_t type;
};

static int
one_cb(const struct nlmsghdr *nlh, void *data)
{
	struct one_ctx *c = data;

	if (nlh->nlmsg_type != c->type || c->found)
		return 0;
	c->found = 1;
	c->rc = c->decode(nlh, c->out);
	return 0;
}

static int
fdb_decode_v(const struct nlmsghdr *nlh, void *out)
{
	return pp_fdb_decode(nlh, out);
}

int
pp_fdb_get(struct pp_nl *nl, int bridge, const uint8_t *lladdr, uint16_t vlan, struct pp_fdb *f,
	   struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct one_ctx c = { .out = f, .decode = fdb_decode_v, .type = RTM_NEWNEIGH };
	struct ndmsg *ndm;
	int rc;

	nlh->nlmsg_type = RTM_GETNEIGH;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = AF_BRIDGE;
	mnl_attr_put(nlh, NDA_LLADDR, 6, lladdr);
	mnl_attr_put_u32(nlh, NDA_MASTER, (uint32_t)bridge);
	if (vlan)
		mnl_attr_put_u16(nlh, NDA_VLAN, vlan);
	pp_err_set(e, 0, "RTM_GETNEIGH bridge fdb %02x:%02x:%02x:%02x:%02x:%02x", lladdr[0], lladdr[1],
		   lladdr[2], lladdr[3], lladdr[4], lladdr[5]);
	rc = pp_nl_request(nl, nlh, one_cb, &c, e);
	if (rc < 0)
		return rc;
	if (!c.found)
		return -ENOENT;
	if (c.rc < 0)
		nl->bad_msgs++;
	return c.rc;
}

const char *
pp_fdb_kind(const struct pp_fdb *f)
{
	if (f->state & NUD_PERMANENT)
		return "local";
	if (f->flags & NTF_EXT_LEARNED)
		return "extern_learn";
	if (f->state & NUD_NOARP)
		return "static";
	if (f->state & NUD_STALE)
		return "stale";
	return "learned";
}

static const struct pp_attr_policy brlink_pol[IFLA_MAX + 1] = {
	[IFLA_LINKINFO] = { PP_A_NEST },
};

/* The IFLA_LINKINFO of an RTM_NEWLINK message, parsed for its bridge parts (link.c does the same in pp_link_decode). */
static int
bridge_info_of(const struct nlmsghdr *nlh, bool *is_port, struct pp_brport *b, bool *is_bridge, bool *vf)
{
	const struct nlattr *tb[IFLA_MAX + 1];
	const struct ifinfomsg *ifi = pp_msg_hdr(nlh, sizeof(*ifi));

	memset(b, 0, sizeof(*b));
	*is_port = *is_bridge = *vf = false;
	if (!ifi || pp_attr_parse_msg(nlh, sizeof(*ifi), brlink_pol, IFLA_MAX, tb) < 0)
		return -EBADMSG;
	if (!tb[IFLA_LINKINFO])
		return 0;
	return pp_link_bridge_info(tb[IFLA_LINKINFO], is_port, b, is_bridge, vf);
}

int
pp_brport_decode(const struct nlmsghdr *nlh, struct pp_brport *b)
{
	bool is_port, is_bridge, vf;
	int rc = bridge_info_of(nlh, &is_port, b, &is_bridge, &vf);

	return rc < 0 ? rc : is_port ? 0 : -ENOENT;
}

int
pp_bridge_vlan_filtering_decode(const struct nlmsghdr *nlh, bool *on)
{
	struct pp_brport b;
	bool is_port, is_bridge;
	int rc = bridge_info_of(nlh, &is_port, &b, &is_bridge, on);

	return rc < 0 ? rc : is_bridge ? 0 : -ENOENT;
}

const char *
pp_brport_state_name(uint8_t state)
{
	static const char *const n[] = { "disabled", "listening", "learning", "forwarding", "blocking" };

	return state < sizeof(n) / sizeof(n[0]) ? n[state] : "unknown";
}
