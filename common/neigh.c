/* neigh.c: RTM_GETNEIGH. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "neigh.h"

/*
 * One pass over the attributes, each checked as pp_attr_parse() with a policy
 * would (NDA_DST 4 or 16 bytes, NDA_PROBES at least a u32, NDA_CACHEINFO at least
 * struct nda_cacheinfo; any other type, known or not, unchecked; the last of a
 * type wins; a malformed attribute refuses the message), without the table of
 * every type to clear and fill for each of a big dump's entries.
 */
int
pp_neigh_decode(const struct nlmsghdr *nlh, struct pp_neigh *n)
{
	const struct ndmsg *ndm = pp_msg_hdr(nlh, sizeof(*ndm));
	const struct nlattr *dst = NULL, *ll = NULL, *probes = NULL, *ci = NULL;
	const size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*ndm));

	memset(n, 0, sizeof(*n));
	if (!ndm)
		return -EBADMSG;
	if (nlh->nlmsg_len > off) {
		const char *p = (const char *)nlh + off;
		size_t rem = nlh->nlmsg_len - off;

		while (rem >= NLA_HDRLEN) {
			const struct nlattr *a = (const struct nlattr *)p;
			uint16_t alen = a->nla_len;
			size_t plen = (size_t)alen - NLA_HDRLEN, step;

			if (alen < NLA_HDRLEN || alen > rem)
				return -EBADMSG;
			switch (a->nla_type & NLA_TYPE_MASK) {
			case NDA_DST:
				if (plen != 4 && plen != 16)
					return -EBADMSG;
				dst = a;
				break;
			case NDA_LLADDR:
				ll = a;
				break;
			case NDA_PROBES:
				if (plen < sizeof(uint32_t))
					return -EBADMSG;
				probes = a;
				break;
			case NDA_CACHEINFO:
				if (plen < sizeof(struct nda_cacheinfo))
					return -EBADMSG;
				ci = a;
				break;
			default:
				break;
			}
			step = NLA_ALIGN(alen);
			if (step >= rem) {
				rem = 0;
				break;
			}
			rem -= step;
			p += step;
		}
		if (rem)
			return -EBADMSG;
	}
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return -EAFNOSUPPORT;
	n->family = ndm->ndm_family;
	n->ifindex = ndm->ndm_ifindex;
	n->state = ndm->ndm_state;
	n->flags = ndm->ndm_flags;
	n->type = ndm->ndm_type;
	if (!dst || dst->nla_len - NLA_HDRLEN != (n->family == AF_INET ? 4 : 16))
		return -EBADMSG;
	n->dst.family = n->family;
	if (n->family == AF_INET)	/* constant lengths: two moves, not a byte loop */
		memcpy(n->dst.u.b, (const char *)dst + NLA_HDRLEN, 4);
	else
		memcpy(n->dst.u.b, (const char *)dst + NLA_HDRLEN, 16);
	if (ll) {
		size_t len = ll->nla_len - NLA_HDRLEN;

		if (len > sizeof(n->lladdr))
			len = sizeof(n->lladdr);
		memcpy(n->lladdr, (const char *)ll + NLA_HDRLEN, len);
		n->lladdr_len = (uint8_t)len;
	}
	if (probes) {
		n->has_probes = true;
		memcpy(&n->probes, (const char *)probes + NLA_HDRLEN, sizeof(n->probes));
	}
	if (ci) {
		n->has_cacheinfo = true;
		memcpy(&n->ci, (const char *)ci + NLA_HDRLEN, sizeof(n->ci));
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
