/* neigh.c: RTM_GETNEIGH. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "neigh.h"

static const struct pp_attr_policy neigh_pol[NDA_MAX + 1] = {
	[NDA_DST] = { PP_A_ADDR }, [NDA_LLADDR] = { PP_A_UNSPEC }, [NDA_PROBES] = { PP_A_U32 },
	[NDA_CACHEINFO] = { PP_A_MIN, sizeof(struct nda_cacheinfo) },
};

int
pp_neigh_decode(const struct nlmsghdr *nlh, struct pp_neigh *n)
{
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm = pp_msg_hdr(nlh, sizeof(*ndm));

	memset(n, 0, sizeof(*n));
	if (!ndm || pp_attr_parse_msg(nlh, sizeof(*ndm), neigh_pol, NDA_MAX, tb) < 0)
		return -EBADMSG;
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return -EAFNOSUPPORT;
	n->family = ndm->ndm_family;
	n->ifindex = ndm->ndm_ifindex;
	n->state = ndm->ndm_state;
	n->flags = ndm->ndm_flags;
	n->type = ndm->ndm_type;
	if (!tb[NDA_DST] || !pp_attr_addr(tb[NDA_DST], n->family, &n->dst))
		return -EBADMSG;
	if (tb[NDA_LLADDR]) {
		size_t len = mnl_attr_get_payload_len(tb[NDA_LLADDR]);

		if (len > sizeof(n->lladdr))
			len = sizeof(n->lladdr);
		memcpy(n->lladdr, mnl_attr_get_payload(tb[NDA_LLADDR]), len);
		n->lladdr_len = (uint8_t)len;
	}
	if (tb[NDA_PROBES]) {
		n->has_probes = true;
		n->probes = mnl_attr_get_u32(tb[NDA_PROBES]);
	}
	if (tb[NDA_CACHEINFO]) {
		n->has_cacheinfo = true;
		pp_attr_copy(&n->ci, sizeof(n->ci), tb[NDA_CACHEINFO]);
	}
	return 0;
}

struct get_ctx {
	struct pp_neigh *n;
	int found, rc;
};

static int
get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *c = data;

	if (nlh->nlmsg_type != RTM_NEWNEIGH || c->found)
		return 0;
	c->found = 1;
	c->rc = pp_neigh_decode(nlh, c->n);
	return 0;
}

int
pp_neigh_get(struct pp_nl *nl, int ifindex, const struct pp_addr *dst, struct pp_neigh *n,
	     struct pp_err *e)
{
	return pp_neigh_get_flags(nl, ifindex, dst, 0, n, e);
}

int
pp_neigh_get_flags(struct pp_nl *nl, int ifindex, const struct pp_addr *dst, uint8_t flags,
		   struct pp_neigh *n, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], a[INET6_ADDRSTRLEN];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct get_ctx c = { .n = n };
	struct ndmsg *ndm;
	int rc;

	nlh->nlmsg_type = RTM_GETNEIGH;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)dst->family;
	ndm->ndm_ifindex = ifindex;
	ndm->ndm_flags = flags;
	mnl_attr_put(nlh, NDA_DST, pp_addr_len(dst), dst->u.b);
	pp_err_set(e, 0, "RTM_GETNEIGH %s%s", flags & NTF_PROXY ? "proxy " : "", pp_addr_str(dst, a, sizeof(a)));
	rc = pp_nl_request(nl, nlh, get_cb, &c, e);
	if (rc < 0)
		return rc;
	if (!c.found)
		return -ENOENT;
	if (c.rc < 0)
		nl->bad_msgs++;
	return c.rc;
}

struct dump_ctx {
	pp_neigh_cb cb;
	void *data;
	int ifindex;
	struct pp_nl *nl;
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct pp_neigh n;

	if (nlh->nlmsg_type != RTM_NEWNEIGH)
		return 0;
	if (pp_neigh_decode(nlh, &n) < 0) {
		c->nl->bad_msgs++;
		return 0;
	}
	if (c->ifindex && n.ifindex != c->ifindex)
		return 0;
	return c->cb(&n, c->data);
}

static int
neigh_dump(struct pp_nl *nl, int family, int ifindex, uint8_t flags, pp_neigh_cb cb, pp_nl_reset reset,
	   void *data, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_ctx c = { cb, data, ifindex, nl };
	struct ndmsg *ndm;

	nlh->nlmsg_type = RTM_GETNEIGH;
	ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
	ndm->ndm_family = (uint8_t)family;
	ndm->ndm_flags = flags;
	if (ifindex && nl->strict)
		mnl_attr_put_u32(nlh, NDA_IFINDEX, (uint32_t)ifindex);
	pp_err_set(e, 0, "RTM_GETNEIGH %sdump", flags & NTF_PROXY ? "proxy " : "");
	return pp_nl_dump(nl, nlh, dump_cb, &c, reset, e);
}

int
pp_neigh_dump(struct pp_nl *nl, int family, int ifindex, pp_neigh_cb cb, pp_nl_reset reset,
	      void *data, struct pp_err *e)
{
	return neigh_dump(nl, family, ifindex, 0, cb, reset, data, e);
}

int
pp_neigh_dump_proxy(struct pp_nl *nl, int family, int ifindex, pp_neigh_cb cb, pp_nl_reset reset,
		    void *data, struct pp_err *e)
{
	return neigh_dump(nl, family, ifindex, NTF_PROXY, cb, reset, data, e);
}

int
pp_neigh_nud_parse(const char *name, unsigned *mask)
{
	static const struct { const char *name; unsigned bits; } nud[] = {
		{ "permanent", NUD_PERMANENT }, { "noarp", NUD_NOARP }, { "stale", NUD_STALE },
		{ "reachable", NUD_REACHABLE }, { "none", PP_NUD_NONE }, { "incomplete", NUD_INCOMPLETE },
		{ "delay", NUD_DELAY }, { "probe", NUD_PROBE }, { "failed", NUD_FAILED },
		{ "all", 0xff | PP_NUD_NONE },
	};

	for (size_t i = 0; i < PP_ARRAY_SIZE(nud); i++)
		if (strcasecmp(name, nud[i].name) == 0) {
			*mask |= nud[i].bits;
			return 0;
		}
	return -EINVAL;
}

bool
pp_neigh_nud_match(const struct pp_neigh *n, unsigned mask)
{
	if (n->flags & (NTF_PROXY | NTF_EXT_LEARNED))
		return true;
	if (!n->state)
		return (mask & PP_NUD_NONE) != 0;
	return (n->state & mask) != 0;
}

const char *
pp_neigh_state_name(uint16_t state, char *buf, size_t len)
{
	static const struct { uint16_t bit; const char *name; } names[] = {
		{ NUD_INCOMPLETE, "INCOMPLETE" }, { NUD_REACHABLE, "REACHABLE" },
		{ NUD_STALE, "STALE" }, { NUD_DELAY, "DELAY" }, { NUD_PROBE, "PROBE" },
		{ NUD_FAILED, "FAILED" }, { NUD_NOARP, "NOARP" }, { NUD_PERMANENT, "PERMANENT" },
	};
	size_t n = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < PP_ARRAY_SIZE(names); i++)
		if ((state & names[i].bit) && n < len)
			n += (size_t)snprintf(buf + n, len - n, "%s%s", n ? "," : "", names[i].name);
	if (!buf[0])
		snprintf(buf, len, "NONE");
	return buf;
}

const char *
pp_lladdr_str(const uint8_t *a, size_t n, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < n && o + 3 < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%02x", i ? ":" : "", a[i]);
	return buf;
}
