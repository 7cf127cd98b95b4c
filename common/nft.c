/* nft.c: nftables chains and rules over NETLINK_NETFILTER, decoded by libnftnl. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_hook.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/set.h>
#include <stdlib.h>
#include <arpa/inet.h>

#include "netns.h"
#include "nft.h"
#include "sysctl.h"
#include "attr.h"

/*
 * libnftnl parses with libmnl, which stops without error at an attribute that runs
 * past its nest or message (a cut hook nest reads as a regular chain), trusts
 * strings to be NUL-terminated, and prints "ABI is broken" to stderr on a wrong
 * length. Check the layout here first, so a malformed chain is refused, quietly.
 */
static const struct pp_attr_policy chain_pol[NFTA_CHAIN_MAX + 1] = {
	[NFTA_CHAIN_TABLE] = { PP_A_STR }, [NFTA_CHAIN_NAME] = { PP_A_STR },
	[NFTA_CHAIN_TYPE] = { PP_A_STR }, [NFTA_CHAIN_HOOK] = { PP_A_NEST },
	[NFTA_CHAIN_COUNTERS] = { PP_A_NEST }, [NFTA_CHAIN_HANDLE] = { PP_A_U64 },
	[NFTA_CHAIN_POLICY] = { PP_A_U32 }, [NFTA_CHAIN_USE] = { PP_A_U32 },
	[NFTA_CHAIN_FLAGS] = { PP_A_U32 }, [NFTA_CHAIN_ID] = { PP_A_U32 },
};

static const struct pp_attr_policy hook_pol[NFTA_HOOK_MAX + 1] = {
	[NFTA_HOOK_HOOKNUM] = { PP_A_U32 }, [NFTA_HOOK_PRIORITY] = { PP_A_U32 },
	[NFTA_HOOK_DEV] = { PP_A_STR }, [NFTA_HOOK_DEVS] = { PP_A_NEST },
};

static const struct pp_attr_policy counter_pol[NFTA_COUNTER_MAX + 1] = {
	[NFTA_COUNTER_BYTES] = { PP_A_U64 }, [NFTA_COUNTER_PACKETS] = { PP_A_U64 },
};

static const struct pp_attr_policy dev_pol[NFTA_DEVICE_MAX + 1] = {
	[NFTA_DEVICE_NAME] = { PP_A_STR },
};

/*
 * What libnftnl checks of every attribute (each one, not only the last of a type)
 * and exits on: integers of exactly their size, nests empty or of at least one
 * attribute header. pp_attr_parse() has checked the layout already.
 */
#define NEST 0xff
static const uint8_t chain_size[NFTA_CHAIN_MAX + 1] = {
	[NFTA_CHAIN_HANDLE] = 8, [NFTA_CHAIN_POLICY] = 4, [NFTA_CHAIN_USE] = 4,
	[NFTA_CHAIN_FLAGS] = 4, [NFTA_CHAIN_ID] = 4, [NFTA_CHAIN_HOOK] = NEST,
	[NFTA_CHAIN_COUNTERS] = NEST,
};
static const uint8_t hook_size[NFTA_HOOK_MAX + 1] = {
	[NFTA_HOOK_HOOKNUM] = 4, [NFTA_HOOK_PRIORITY] = 4,
};
static const uint8_t counter_size[NFTA_COUNTER_MAX + 1] = {
	[NFTA_COUNTER_BYTES] = 8, [NFTA_COUNTER_PACKETS] = 8,
};

static bool
sizes_ok(const void *start, size_t len, const uint8_t *size, unsigned maxtype)
{
	const struct nlattr *a = start;

	while (len >= NLA_HDRLEN) {
		unsigned t = a->nla_type & NLA_TYPE_MASK;
		size_t n = a->nla_len - NLA_HDRLEN, step = NLA_ALIGN(a->nla_len);

		if (t <= maxtype && size[t] == NEST && n != 0 && n < NLA_HDRLEN)
			return false;
		if (t <= maxtype && size[t] && size[t] != NEST && n != size[t])
			return false;
		if (step >= len)
			break;
		len -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
	return true;
}

static bool
nest_ok(const struct nlattr *nest, const struct pp_attr_policy *pol, const uint8_t *size,
	unsigned maxtype, const struct nlattr **tb)
{
	return pp_attr_parse_nest(nest, pol, maxtype, tb) == 0 &&
	       sizes_ok((const char *)nest + NLA_HDRLEN, nest->nla_len - NLA_HDRLEN, size, maxtype);
}

static int
chain_check(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_CHAIN_MAX + 1], *hk[NFTA_HOOK_MAX + 1];
	const struct nlattr *ct[NFTA_COUNTER_MAX + 1], *dv[NFTA_DEVICE_MAX + 1];
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));

	if (pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), chain_pol, NFTA_CHAIN_MAX, tb) < 0)
		return -EBADMSG;
	if (nlh->nlmsg_len > off &&
	    !sizes_ok((const char *)nlh + off, nlh->nlmsg_len - off, chain_size, NFTA_CHAIN_MAX))
		return -EBADMSG;
	if (tb[NFTA_CHAIN_COUNTERS] &&
	    !nest_ok(tb[NFTA_CHAIN_COUNTERS], counter_pol, counter_size, NFTA_COUNTER_MAX, ct))
		return -EBADMSG;
	if (tb[NFTA_CHAIN_HOOK] && !nest_ok(tb[NFTA_CHAIN_HOOK], hook_pol, hook_size, NFTA_HOOK_MAX, hk))
		return -EBADMSG;
	if (tb[NFTA_CHAIN_HOOK] && hk[NFTA_HOOK_DEVS] &&
	    pp_attr_parse_nest(hk[NFTA_HOOK_DEVS], dev_pol, NFTA_DEVICE_MAX, dv) < 0)
		return -EBADMSG;
	return 0;
}
#undef NEST

int
pp_nft_chain_decode(const struct nlmsghdr *nlh, struct pp_nft_chain *c)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	const char *s;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (!ch)
		return -ENOMEM;
	if (chain_check(nlh) < 0 || nftnl_chain_nlmsg_parse(nlh, ch) < 0) {
		rc = -EBADMSG;
		goto out;
	}
	c->family = nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY);
	if ((s = nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE)))
		snprintf(c->table, sizeof(c->table), "%s", s);
	if ((s = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME)))
		snprintf(c->name, sizeof(c->name), "%s", s);
	if (!c->table[0] || !c->name[0]) {
		rc = -EBADMSG;
		goto out;
	}
	if (nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM)) {
		c->base = true;
		c->hooknum = nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM);
		c->prio = nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO);
		/* A base chain without a policy attribute accepts, as the kernel defaults it. */
		c->policy = nftnl_chain_is_set(ch, NFTNL_CHAIN_POLICY) ?
				    nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) : NF_ACCEPT;
		if ((s = nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE)))
			snprintf(c->type, sizeof(c->type), "%s", s);
		if (nftnl_chain_is_set(ch, NFTNL_CHAIN_DEV) && (s = nftnl_chain_get_str(ch, NFTNL_CHAIN_DEV)))
			snprintf(c->dev, sizeof(c->dev), "%s", s);
	}
	if (nftnl_chain_is_set(ch, NFTNL_CHAIN_HANDLE))
		c->handle = nftnl_chain_get_u64(ch, NFTNL_CHAIN_HANDLE);
	if (nftnl_chain_is_set(ch, NFTNL_CHAIN_USE))
		c->use = nftnl_chain_get_u32(ch, NFTNL_CHAIN_USE);
out:
	nftnl_chain_free(ch);
	return rc;
}

int
pp_nft_chain_msg_is_base(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_CHAIN_MAX + 1];

	/* A chain without a hook is not a base chain: its attributes are checked, not decoded. */
	if (pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), chain_pol, NFTA_CHAIN_MAX, tb) < 0)
		return -EBADMSG;
	return tb[NFTA_CHAIN_HOOK] != NULL;
}

struct chain_ctx {
	pp_nft_chain_cb cb;
	void *data;
	struct pp_nl *nl;
	bool base_only;
};

static int
chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct chain_ctx *c = data;
	struct pp_nft_chain ch;
	int rc;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWCHAIN)
		return 0;
	if (c->base_only && (rc = pp_nft_chain_msg_is_base(nlh)) <= 0) {
		if (rc < 0)
			c->nl->bad_msgs++;
		return 0;
	}
	if ((rc = pp_nft_chain_decode(nlh, &ch)) < 0) {
		if (rc == -ENOMEM)
			return rc;
		c->nl->bad_msgs++;
		return 0;
	}
	return c->cb(&ch, c->data);
}

static int
chain_dump(struct pp_nl *nl, uint32_t family, bool base_only, pp_nft_chain_cb cb, void *data,
	   struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct chain_ctx c = { cb, data, nl, base_only };

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, (uint16_t)family, 0, 0);
	pp_err_set(e, 0, "NFT_MSG_GETCHAIN dump");
	return pp_nl_dump(nl, nlh, chain_cb, &c, NULL, e);
}

int
pp_nft_chain_dump(struct pp_nl *nl, uint32_t family, pp_nft_chain_cb cb, void *data,
		  struct pp_err *e)
{
	return chain_dump(nl, family, false, cb, data, e);
}

int
pp_nft_base_chain_dump(struct pp_nl *nl, uint32_t family, pp_nft_chain_cb cb, void *data,
		       struct pp_err *e)
{
	return chain_dump(nl, family, true, cb, data, e);
}

/* ---- one chain by name, and the base chains on one hook ---- */

struct chain_get_ctx {
	struct pp_nft_chain *c;
	bool found;
	int err;
};

static int
chain_get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct chain_get_ctx *c = data;
	int rc;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWCHAIN || c->found)
		return 0;
	if ((rc = pp_nft_chain_decode(nlh, c->c)) < 0)
		c->err = rc;
	else
		c->found = true;
	return 0;
}

int
pp_nft_chain_get(struct pp_nl *nl, uint32_t family, const char *table, const char *name,
		 struct pp_nft_chain *c, struct pp_err *e)
{
	char buf[1024];
	struct chain_get_ctx cx = { c, false, 0 };
	struct nlmsghdr *nlh;
	int rc;

	if (strlen(table) + strlen(name) > 600)
		return -EINVAL;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, (uint16_t)family, 0, 0);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, name);
	pp_err_set(e, 0, "NFT_MSG_GETCHAIN %s %s %s", pp_nft_family_name(family), table, name);
	if ((rc = pp_nl_request(nl, nlh, chain_get_cb, &cx, e)) < 0)
		return rc;
	if (cx.err < 0) {
		pp_err_set(e, -cx.err, "NFT_MSG_GETCHAIN %s %s: the reply is malformed", table, name);
		return cx.err;
	}
	if (!cx.found) {
		pp_err_set(e, ENOENT, "NFT_MSG_GETCHAIN %s %s: no chain in the reply", table, name);
		return -ENOENT;
	}
	return 0;
}

static const struct pp_attr_policy nfhook_pol[NFNLA_HOOK_MAX + 1] = {
	[NFNLA_HOOK_HOOKNUM] = { PP_A_U32 }, [NFNLA_HOOK_PRIORITY] = { PP_A_U32 },
	[NFNLA_HOOK_DEV] = { PP_A_STR }, [NFNLA_HOOK_FUNCTION_NAME] = { PP_A_STR },
	[NFNLA_HOOK_MODULE_NAME] = { PP_A_STR }, [NFNLA_HOOK_CHAIN_INFO] = { PP_A_NEST },
};
static const struct pp_attr_policy nfhook_info_pol[NFNLA_HOOK_INFO_MAX + 1] = {
	[NFNLA_HOOK_INFO_DESC] = { PP_A_NEST }, [NFNLA_HOOK_INFO_TYPE] = { PP_A_U32 },
};
static const struct pp_attr_policy nfhook_desc_pol[NFNLA_CHAIN_MAX + 1] = {
	[NFNLA_CHAIN_TABLE] = { PP_A_STR }, [NFNLA_CHAIN_FAMILY] = { PP_A_U8 },
	[NFNLA_CHAIN_NAME] = { PP_A_STR },
};

int
pp_nft_hook_decode(const struct nlmsghdr *nlh, struct pp_nft_hook_entry *h)
{
	const struct nlattr *tb[NFNLA_HOOK_MAX + 1], *in[NFNLA_HOOK_INFO_MAX + 1], *ds[NFNLA_CHAIN_MAX + 1];

	memset(h, 0, sizeof(*h));
	if (pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), nfhook_pol, NFNLA_HOOK_MAX, tb) < 0)
		return -EBADMSG;
	if (!tb[NFNLA_HOOK_CHAIN_INFO])
		return 0;
	if (pp_attr_parse_nest(tb[NFNLA_HOOK_CHAIN_INFO], nfhook_info_pol, NFNLA_HOOK_INFO_MAX, in) < 0 ||
	    !in[NFNLA_HOOK_INFO_TYPE])
		return -EBADMSG;
	if (ntohl(mnl_attr_get_u32(in[NFNLA_HOOK_INFO_TYPE])) != NFNL_HOOK_TYPE_NFTABLES)
		return 0;
	if (!tb[NFNLA_HOOK_PRIORITY] || !in[NFNLA_HOOK_INFO_DESC] ||
	    pp_attr_parse_nest(in[NFNLA_HOOK_INFO_DESC], nfhook_desc_pol, NFNLA_CHAIN_MAX, ds) < 0 ||
	    !ds[NFNLA_CHAIN_TABLE] || !ds[NFNLA_CHAIN_NAME])
		return -EBADMSG;
	if (!ds[NFNLA_CHAIN_FAMILY])
		return -EOPNOTSUPP;
	h->family = mnl_attr_get_u8(ds[NFNLA_CHAIN_FAMILY]);
	h->prio = (int32_t)ntohl(mnl_attr_get_u32(tb[NFNLA_HOOK_PRIORITY]));
	snprintf(h->table, sizeof(h->table), "%s", mnl_attr_get_str(ds[NFNLA_CHAIN_TABLE]));
	snprintf(h->name, sizeof(h->name), "%s", mnl_attr_get_str(ds[NFNLA_CHAIN_NAME]));
	return h->table[0] && h->name[0] ? 1 : -EBADMSG;
}

struct hook_ctx {
	struct pp_nft_hook_entry *h;
	size_t n;
	int err;
};

static int
hook_cb(const struct nlmsghdr *nlh, void *data)
{
	struct hook_ctx *c = data;
	struct pp_nft_hook_entry h, *nv;
	int rc;

	if (nlh->nlmsg_type != ((NFNL_SUBSYS_HOOK << 8) | NFNL_MSG_HOOK_GET) || c->err)
		return 0;
	if ((rc = pp_nft_hook_decode(nlh, &h)) <= 0) {
		c->err = rc;
		return 0;
	}
	if (!(nv = realloc(c->h, (c->n + 1) * sizeof(*nv))))
		return -ENOMEM;
	c->h = nv;
	c->h[c->n++] = h;
	return 0;
}

static void
hook_reset(void *data)
{
	struct hook_ctx *c = data;

	c->n = 0;
	c->err = 0;
}

int
pp_nft_hook_chains(struct pp_nl *nl, uint32_t pf, uint32_t hooknum, pp_nft_chain_cb cb, void *data,
		   struct pp_err *e)
{
	char buf[256];
	struct hook_ctx c = { NULL, 0, 0 };
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	int rc;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_HOOK << 8) | NFNL_MSG_HOOK_GET;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)pf;
	nfg->version = NFNETLINK_V0;
	mnl_attr_put_u32(nlh, NFNLA_HOOK_HOOKNUM, htonl(hooknum));
	pp_err_set(e, 0, "NFNL_MSG_HOOK_GET %s %s", pp_nft_family_name(pf), pp_nft_hook_name(pf, hooknum));
	rc = pp_nl_dump(nl, nlh, hook_cb, &c, hook_reset, e);
	/* No nfnetlink_hook: nfnetlink answers an unknown subsystem with EINVAL (EOPNOTSUPP, ENOENT elsewhere). */
	if (rc == -EINVAL || rc == -ENOENT || rc == -EPROTONOSUPPORT)
		rc = -EOPNOTSUPP;
	if (rc == 0 && c.err < 0)
		rc = c.err == -EOPNOTSUPP ? -EOPNOTSUPP : -EPROTO;
	for (size_t i = 0; i < c.n && rc == 0; i++) {
		struct pp_nft_chain ch;

		rc = pp_nft_chain_get(nl, c.h[i].family, c.h[i].table, c.h[i].name, &ch, e);
		if (rc == -ENOENT)
			rc = -EAGAIN;	/* on the hook a moment ago: the ruleset changed */
		else if (rc == 0 && (!ch.base || ch.hooknum != hooknum || ch.prio != c.h[i].prio))
			rc = -EAGAIN;
		if (rc == 0)
			rc = cb(&ch, data);
	}
	free(c.h);
	return rc;
}

struct rule_ctx {
	pp_nft_rule_cb cb;
	void *data;
	struct pp_nl *nl;
};

static int
rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_ctx *c = data;
	struct nftnl_rule *r;
	int rc;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWRULE)
		return 0;
	r = nftnl_rule_alloc();
	if (!r)
		return -ENOMEM;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		c->nl->bad_msgs++;
		nftnl_rule_free(r);
		return 0;
	}
	rc = c->cb(r, c->data);
	if (rc != PP_NFT_KEEP)
		nftnl_rule_free(r);
	return rc < 0 ? rc : 0;
}

int
pp_nft_rule_dump(struct pp_nl *nl, uint32_t family, const char *table, const char *chain,
		 pp_nft_rule_cb cb, void *data, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_ctx c = { cb, data, nl };

	if (!r)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, (uint16_t)family, 0, 0);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	pp_err_set(e, 0, "NFT_MSG_GETRULE %s %s %s", pp_nft_family_name(family), table, chain);
	return pp_nl_dump(nl, nlh, rule_cb, &c, NULL, e);
}

struct set_ctx {
	struct pp_nft_set *set;
	const char *name;
	bool found;
	struct pp_nl *nl;
	int err;
};

static int
set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct set_ctx *c = data;
	struct nftnl_set *s;
	const char *name;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWSET)
		return 0;
	if (!(s = nftnl_set_alloc()))
		return -ENOMEM;
	if (nftnl_set_nlmsg_parse(nlh, s) < 0) {
		c->nl->bad_msgs++;
		nftnl_set_free(s);
		return 0;
	}
	name = nftnl_set_get_str(s, NFTNL_SET_NAME);
	if (name && strcmp(name, c->name) == 0) {
		c->found = true;
		snprintf(c->set->name, sizeof(c->set->name), "%s", name);
		c->set->flags = nftnl_set_get_u32(s, NFTNL_SET_FLAGS);
		c->set->key_len = nftnl_set_get_u32(s, NFTNL_SET_KEY_LEN);
		if (nftnl_set_is_set(s, NFTNL_SET_DATA_LEN))
			c->set->data_len = nftnl_set_get_u32(s, NFTNL_SET_DATA_LEN);
		if (nftnl_set_is_set(s, NFTNL_SET_DATA_TYPE))
			c->set->data_type = nftnl_set_get_u32(s, NFTNL_SET_DATA_TYPE);
		if (nftnl_set_is_set(s, NFTNL_SET_DESC_CONCAT)) {
			uint32_t n = 0;
			const uint8_t *fl = nftnl_set_get_data(s, NFTNL_SET_DESC_CONCAT, &n);

			if (fl && n <= sizeof(c->set->field_len)) {
				memcpy(c->set->field_len, fl, n);
				c->set->nfields = n;
			}
		}
	}
	nftnl_set_free(s);
	return 0;
}

static void
copy_attr(struct nftnl_set_elem *el, uint16_t attr, uint8_t *dst, uint32_t *dlen, size_t max)
{
	uint32_t len = 0;
	const void *p;

	if (!nftnl_set_elem_is_set(el, attr))
		return;
	p = nftnl_set_elem_get(el, attr, &len);
	if (!p)
		return;
	if (len > max)
		len = (uint32_t)max;
	memcpy(dst, p, len);
	*dlen = len;
}

static int
elem_cb(const struct nlmsghdr *nlh, void *data)
{
	struct set_ctx *c = data;
	struct nftnl_set *s;
	struct nftnl_set_elems_iter *it;
	struct nftnl_set_elem *el;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWSETELEM)
		return 0;
	if (!(s = nftnl_set_alloc()))
		return -ENOMEM;
	if (nftnl_set_elems_nlmsg_parse(nlh, s) < 0) {
		c->nl->bad_msgs++;
		nftnl_set_free(s);
		return 0;
	}
	it = nftnl_set_elems_iter_create(s);
	for (el = it ? nftnl_set_elems_iter_next(it) : NULL; el; el = nftnl_set_elems_iter_next(it)) {
		struct pp_nft_elem *ne, *nv;
		const char *chain;

		nv = realloc(c->set->elems, (c->set->nelems + 1) * sizeof(*nv));
		if (!nv) {
			c->err = -ENOMEM;
			break;
		}
		c->set->elems = nv;
		ne = &nv[c->set->nelems++];
		memset(ne, 0, sizeof(*ne));
		copy_attr(el, NFTNL_SET_ELEM_KEY, ne->key, &ne->key_len, sizeof(ne->key));
		copy_attr(el, NFTNL_SET_ELEM_KEY_END, ne->key_end, &ne->key_end_len, sizeof(ne->key_end));
		copy_attr(el, NFTNL_SET_ELEM_DATA, ne->data, &ne->data_len, sizeof(ne->data));
		if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_FLAGS))
			ne->flags = nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_FLAGS);
		if (nftnl_set_elem_is_set(el, NFTNL_SET_ELEM_VERDICT)) {
			ne->has_verdict = true;
			ne->verdict = (int32_t)nftnl_set_elem_get_u32(el, NFTNL_SET_ELEM_VERDICT);
			chain = nftnl_set_elem_get_str(el, NFTNL_SET_ELEM_CHAIN);
			if (chain)
				snprintf(ne->chain, sizeof(ne->chain), "%s", chain);
		}
	}
	if (it)
		nftnl_set_elems_iter_destroy(it);
	nftnl_set_free(s);
	return c->err;
}

int
pp_nft_set_def_get(struct pp_nl *nl, uint32_t family, const char *table, const char *name,
		   struct pp_nft_set *set, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct set_ctx c = { set, name, false, nl, 0 };
	struct nlmsghdr *nlh;
	struct nftnl_set *s;
	int rc;

	memset(set, 0, sizeof(*set));
	if (!(s = nftnl_set_alloc()))
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSET, (uint16_t)family, 0, 0);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, name);
	nftnl_set_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	pp_err_set(e, 0, "NFT_MSG_GETSET %s %s", table, name);
	if ((rc = pp_nl_request(nl, nlh, set_cb, &c, e)) < 0)
		return rc;
	if (!c.found) {
		pp_err_set(e, ENOENT, "nft set %s in table %s", name, table);
		return -ENOENT;
	}
	return 0;
}

int
pp_nft_set_elems_dump(struct pp_nl *nl, uint32_t family, const char *table,
		      struct pp_nft_set *set, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct set_ctx c = { set, set->name, true, nl, 0 };
	struct nlmsghdr *nlh;
	struct nftnl_set *s;
	int rc;

	free(set->elems);
	set->elems = NULL;
	set->nelems = 0;
	if (!(s = nftnl_set_alloc()))
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETSETELEM, (uint16_t)family, 0, 0);
	nftnl_set_set_str(s, NFTNL_SET_TABLE, table);
	nftnl_set_set_str(s, NFTNL_SET_NAME, set->name);
	nftnl_set_elems_nlmsg_build_payload(nlh, s);
	nftnl_set_free(s);
	pp_err_set(e, 0, "NFT_MSG_GETSETELEM %s %s", table, set->name);
	rc = pp_nl_dump(nl, nlh, elem_cb, &c, NULL, e);
	if (rc < 0) {
		free(set->elems);
		set->elems = NULL;
		set->nelems = 0;
	}
	return rc;
}

int
pp_nft_set_get(struct pp_nl *nl, uint32_t family, const char *table, const char *name,
	       struct pp_nft_set *set, struct pp_err *e)
{
	int rc = pp_nft_set_def_get(nl, family, table, name, set, e);

	return rc < 0 ? rc : pp_nft_set_elems_dump(nl, family, table, set, e);
}

/* ---- one element by key (NFT_MSG_GETSETELEM, no dump) ---- */

struct nlmsghdr *
pp_nft_setelem_get_build(void *buf, size_t len, uint32_t family, const char *table, const char *set,
			 const uint8_t *key, uint32_t klen)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	struct nlattr *list, *el, *k;
	size_t need = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(*nfg)) + 2 * NLA_HDRLEN +
		      NLA_ALIGN(strlen(table) + 1) + NLA_ALIGN(strlen(set) + 1) + 4 * NLA_HDRLEN +
		      NLA_ALIGN(klen);

	if (need > len || klen == 0 || klen > PP_NFT_KEY_MAX)
		return NULL;
	memset(buf, 0, need);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSETELEM;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = (uint8_t)family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, set);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	k = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, klen, key);
	mnl_attr_nest_end(nlh, k);
	mnl_attr_nest_end(nlh, el);
	mnl_attr_nest_end(nlh, list);
	return nlh;
}

static const struct pp_attr_policy elist_pol[NFTA_SET_ELEM_LIST_MAX + 1] = {
	[NFTA_SET_ELEM_LIST_TABLE] = { PP_A_STR }, [NFTA_SET_ELEM_LIST_SET] = { PP_A_STR },
	[NFTA_SET_ELEM_LIST_ELEMENTS] = { PP_A_NEST }, [NFTA_SET_ELEM_LIST_SET_ID] = { PP_A_U32 },
};
static const struct pp_attr_policy elem_pol[NFTA_SET_ELEM_MAX + 1] = {
	[NFTA_SET_ELEM_KEY] = { PP_A_NEST }, [NFTA_SET_ELEM_DATA] = { PP_A_NEST },
	[NFTA_SET_ELEM_FLAGS] = { PP_A_U32 }, [NFTA_SET_ELEM_TIMEOUT] = { PP_A_U64 },
	[NFTA_SET_ELEM_EXPIRATION] = { PP_A_U64 }, [NFTA_SET_ELEM_EXPR] = { PP_A_NEST },
	[NFTA_SET_ELEM_OBJREF] = { PP_A_STR }, [NFTA_SET_ELEM_KEY_END] = { PP_A_NEST },
	[NFTA_SET_ELEM_EXPRESSIONS] = { PP_A_NEST },
};
static const struct pp_attr_policy data_pol[NFTA_DATA_MAX + 1] = {
	[NFTA_DATA_VALUE] = { PP_A_MIN, 1 }, [NFTA_DATA_VERDICT] = { PP_A_NEST },
};
static const struct pp_attr_policy verdict_pol[NFTA_VERDICT_MAX + 1] = {
	[NFTA_VERDICT_CODE] = { PP_A_U32 }, [NFTA_VERDICT_CHAIN] = { PP_A_STR },
	[NFTA_VERDICT_CHAIN_ID] = { PP_A_U32 },
};

/* An NFTA_DATA nest holding a value: its bytes into dst (at most max). */
static int
data_value(const struct nlattr *nest, uint8_t *dst, uint32_t *dlen, size_t max)
{
	const struct nlattr *tb[NFTA_DATA_MAX + 1];
	uint16_t n;

	if (pp_attr_parse_nest(nest, data_pol, NFTA_DATA_MAX, tb) < 0 || !tb[NFTA_DATA_VALUE])
		return -EBADMSG;
	n = mnl_attr_get_payload_len(tb[NFTA_DATA_VALUE]);
	if (n > max)
		return -EBADMSG;
	memcpy(dst, mnl_attr_get_payload(tb[NFTA_DATA_VALUE]), n);
	*dlen = n;
	return 0;
}

static int
elem_decode(const struct nlattr *a, struct pp_nft_elem *ne)
{
	const struct nlattr *tb[NFTA_SET_ELEM_MAX + 1], *dt[NFTA_DATA_MAX + 1], *vt[NFTA_VERDICT_MAX + 1];

	memset(ne, 0, sizeof(*ne));
	if (pp_attr_parse_nest(a, elem_pol, NFTA_SET_ELEM_MAX, tb) < 0)
		return -EBADMSG;
	if (tb[NFTA_SET_ELEM_KEY] && data_value(tb[NFTA_SET_ELEM_KEY], ne->key, &ne->key_len, sizeof(ne->key)) < 0)
		return -EBADMSG;
	if (tb[NFTA_SET_ELEM_KEY_END] &&
	    data_value(tb[NFTA_SET_ELEM_KEY_END], ne->key_end, &ne->key_end_len, sizeof(ne->key_end)) < 0)
		return -EBADMSG;
	/* The policy takes at least 4 bytes; the kernel writes exactly 4. */
	if (tb[NFTA_SET_ELEM_FLAGS] && mnl_attr_get_payload_len(tb[NFTA_SET_ELEM_FLAGS]) != 4)
		return -EBADMSG;
	if (tb[NFTA_SET_ELEM_FLAGS])
		ne->flags = ntohl(mnl_attr_get_u32(tb[NFTA_SET_ELEM_FLAGS]));
	if (!tb[NFTA_SET_ELEM_DATA])
		return 0;
	if (pp_attr_parse_nest(tb[NFTA_SET_ELEM_DATA], data_pol, NFTA_DATA_MAX, dt) < 0)
		return -EBADMSG;
	if (dt[NFTA_DATA_VERDICT]) {
		if (pp_attr_parse_nest(dt[NFTA_DATA_VERDICT], verdict_pol, NFTA_VERDICT_MAX, vt) < 0 ||
		    !vt[NFTA_VERDICT_CODE] || mnl_attr_get_payload_len(vt[NFTA_VERDICT_CODE]) != 4)
			return -EBADMSG;
		ne->has_verdict = true;
		ne->verdict = (int32_t)ntohl(mnl_attr_get_u32(vt[NFTA_VERDICT_CODE]));
		if (vt[NFTA_VERDICT_CHAIN])
			snprintf(ne->chain, sizeof(ne->chain), "%s", mnl_attr_get_str(vt[NFTA_VERDICT_CHAIN]));
		return 0;
	}
	return data_value(tb[NFTA_SET_ELEM_DATA], ne->data, &ne->data_len, sizeof(ne->data));
}

int
pp_nft_setelem_decode(const struct nlmsghdr *nlh, struct pp_nft_elem *out, size_t max, size_t *n)
{
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1], *lt[NFTA_LIST_ELEM + 1];
	const struct nlattr *a;
	size_t rem;

	*n = 0;
	if (pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), elist_pol, NFTA_SET_ELEM_LIST_MAX, tb) < 0)
		return -EBADMSG;
	if (!tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		return 0;
	/* The list's layout first (every attribute inside it), then each element. */
	if (pp_attr_parse_nest(tb[NFTA_SET_ELEM_LIST_ELEMENTS], NULL, NFTA_LIST_ELEM, lt) < 0)
		return -EBADMSG;
	a = mnl_attr_get_payload(tb[NFTA_SET_ELEM_LIST_ELEMENTS]);
	rem = mnl_attr_get_payload_len(tb[NFTA_SET_ELEM_LIST_ELEMENTS]);
	while (rem >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= rem) {
		size_t step = NLA_ALIGN(a->nla_len);

		if ((a->nla_type & NLA_TYPE_MASK) == NFTA_LIST_ELEM) {
			struct pp_nft_elem tmp, *ne = *n < max ? &out[*n] : &tmp;

			if (elem_decode(a, ne) < 0)
				return -EBADMSG;
			(*n)++;
		}
		if (step >= rem)
			break;
		rem -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
	return 0;
}

struct getelem_ctx {
	struct pp_nft_elem *out;
	size_t n;
	int err;
};

static int
getelem_cb(const struct nlmsghdr *nlh, void *data)
{
	struct getelem_ctx *c = data;
	size_t n = 0;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWSETELEM)
		return 0;
	if (pp_nft_setelem_decode(nlh, c->n ? NULL : c->out, c->n ? 0 : 1, &n) < 0) {
		c->err = -EPROTO;
		return 0;
	}
	c->n += n;
	return 0;
}

int
pp_nft_setelem_get(struct pp_nl *nl, uint32_t family, const char *table, const char *set,
		   const uint8_t *key, uint32_t klen, struct pp_nft_elem *out, struct pp_err *e)
{
	char buf[1024];
	struct getelem_ctx c = { out, 0, 0 };
	struct nlmsghdr *nlh;
	int rc;

	nlh = pp_nft_setelem_get_build(buf, sizeof(buf), family, table, set, key, klen);
	if (!nlh)
		return -EINVAL;
	pp_err_set(e, 0, "NFT_MSG_GETSETELEM %s %s (one key)", table, set);
	rc = pp_nl_request(nl, nlh, getelem_cb, &c, e);
	if (rc < 0)
		return rc;
	if (c.err < 0 || c.n == 0) {
		pp_err_set(e, EPROTO, "NFT_MSG_GETSETELEM %s %s: the reply has no element", table, set);
		return -EPROTO;
	}
	if (out->key_len == 0) {
		memcpy(out->key, key, klen);
		out->key_len = klen;
	}
	return 0;
}

static const struct pp_attr_policy gen_pol[NFTA_GEN_MAX + 1] = {
	[NFTA_GEN_ID] = { PP_A_U32 }, [NFTA_GEN_PROC_PID] = { PP_A_U32 },
	[NFTA_GEN_PROC_NAME] = { PP_A_STR },
};

int
pp_nft_gen_decode(const struct nlmsghdr *nlh, uint32_t *gen)
{
	const struct nlattr *tb[NFTA_GEN_MAX + 1];

	if (pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), gen_pol, NFTA_GEN_MAX, tb) < 0 ||
	    !tb[NFTA_GEN_ID] || mnl_attr_get_payload_len(tb[NFTA_GEN_ID]) != 4)
		return -EBADMSG;
	*gen = ntohl(mnl_attr_get_u32(tb[NFTA_GEN_ID]));
	return 0;
}

struct gen_ctx {
	uint32_t *gen;
	bool seen;
};

static int
gen_cb(const struct nlmsghdr *nlh, void *data)
{
	struct gen_ctx *c = data;

	if ((nlh->nlmsg_type & 0xff) == NFT_MSG_NEWGEN && pp_nft_gen_decode(nlh, c->gen) == 0)
		c->seen = true;
	return 0;
}

int
pp_nft_gen_get(struct pp_nl *nl, uint32_t *gen, struct pp_err *e)
{
	char buf[128];
	struct gen_ctx c = { gen, false };
	struct nlmsghdr *nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETGEN, AF_UNSPEC, 0, 0);
	int rc;

	pp_err_set(e, 0, "NFT_MSG_GETGEN");
	if ((rc = pp_nl_request(nl, nlh, gen_cb, &c, e)) < 0)
		return rc;
	if (!c.seen) {
		pp_err_set(e, EPROTO, "NFT_MSG_GETGEN: no generation in the reply");
		return -EPROTO;
	}
	return 0;
}

const char *
pp_nft_family_name(uint32_t family)
{
	switch (family) {
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_INET: return "inet";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	default: return "unknown";
	}
}

const char *
pp_nft_hook_name(uint32_t family, uint32_t hooknum)
{
	if (family == NFPROTO_NETDEV)
		return hooknum == NF_NETDEV_INGRESS ? "ingress" : "egress";
	switch (hooknum) {
	case NF_INET_PRE_ROUTING: return "prerouting";
	case NF_INET_LOCAL_IN: return "input";
	case NF_INET_FORWARD: return "forward";
	case NF_INET_LOCAL_OUT: return "output";
	case NF_INET_POST_ROUTING: return "postrouting";
	case NF_INET_INGRESS: return "ingress";
	default: return "unknown";
	}
}

int
pp_legacy_iptables(int family, char *buf, size_t len)
{
	char raw[512];
	ssize_t n;
	int count = 0;
	size_t o = 0;

	buf[0] = '\0';
	char path[64];

	n = pp_read_file(pp_proc_net_path(family == AF_INET6 ? "ip6_tables_names" : "ip_tables_names", path,
					  sizeof(path)), raw, sizeof(raw));
	if (n <= 0)
		return 0;
	for (char *save = NULL, *t = strtok_r(raw, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		if (!*t)
			continue;
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", count ? "," : "", t);
		count++;
	}
	return count;
}
