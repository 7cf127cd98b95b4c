/*
 * replay_msg.c: a recorded kernel reply (RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWRULE,
 * RTM_NEWNEIGH, NFT_MSG_NEW*) turned into the request that makes the same object again
 * (pure: no sockets, unit tested). Each kind keeps a list of the attributes a request may
 * carry; everything else (RTA_CACHEINFO, IFA_CACHEINFO, NDA_CACHEINFO, handles, use
 * counts, a table's owner, an element's expiration) is dropped. A message or attribute
 * that does not parse is refused (-EBADMSG), never copied half.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "replay.h"

enum { K_DROP = 0, K_KEEP, K_NEST };

struct policy;
typedef int (*keep_fn)(uint16_t type, const struct policy **nest);
struct policy {
	keep_fn keep;
};

static int
addr_keep(uint16_t t, const struct policy **n)
{
	(void)n;
	switch (t) {
	case IFA_ADDRESS: case IFA_LOCAL: case IFA_LABEL: case IFA_BROADCAST: case IFA_ANYCAST:
	case IFA_RT_PRIORITY:
		return K_KEEP;
	default:
		return K_DROP;	/* IFA_CACHEINFO, IFA_MULTICAST, IFA_FLAGS (set again by the caller), IFA_TARGET_NETNSID */
	}
}

static int
route_keep(uint16_t t, const struct policy **n)
{
	(void)n;
	switch (t) {
	case RTA_DST: case RTA_SRC: case RTA_IIF: case RTA_OIF: case RTA_GATEWAY: case RTA_PRIORITY:
	case RTA_PREFSRC: case RTA_METRICS: case RTA_MULTIPATH: case RTA_FLOW: case RTA_TABLE: case RTA_VIA:
	case RTA_NEWDST: case RTA_PREF: case RTA_ENCAP_TYPE: case RTA_ENCAP: case RTA_TTL_PROPAGATE:
		return K_KEEP;
	default:
		return K_DROP;	/* RTA_CACHEINFO, RTA_EXPIRES, RTA_UID, RTA_MARK (lookup keys), RTA_PAD */
	}
}

static int
rule_keep(uint16_t t, const struct policy **n)
{
	(void)n;
	return t == FRA_PAD ? K_DROP : K_KEEP;
}

static int
neigh_keep(uint16_t t, const struct policy **n)
{
	(void)n;
	return t == NDA_DST || t == NDA_LLADDR || t == NDA_FLAGS_EXT ? K_KEEP : K_DROP;
}

static int
table_keep(uint16_t t, const struct policy **n)
{
	(void)n;
	return t == NFTA_TABLE_NAME || t == NFTA_TABLE_FLAGS || t == NFTA_TABLE_USERDATA ? K_KEEP : K_DROP;
}

static int
chain_keep(uint16_t t, const struct policy **n)
{
	(void)n;
	switch (t) {
	case NFTA_CHAIN_TABLE: case NFTA_CHAIN_NAME: case NFTA_CHAIN_HOOK: case NFTA_CHAIN_POLICY:
	case NFTA_CHAIN_TYPE: case NFTA_CHAIN_FLAGS: case NFTA_CHAIN_USERDATA:
		return K_KEEP;
	default:
		return K_DROP;	/* handle, use, counters, id */
	}
}

static int
set_keep(uint16_t t, const struct policy **n)
{
	(void)n;
	switch (t) {
	case NFTA_SET_TABLE: case NFTA_SET_NAME: case NFTA_SET_FLAGS: case NFTA_SET_KEY_TYPE: case NFTA_SET_KEY_LEN:
	case NFTA_SET_DATA_TYPE: case NFTA_SET_DATA_LEN: case NFTA_SET_POLICY: case NFTA_SET_DESC:
	case NFTA_SET_TIMEOUT: case NFTA_SET_GC_INTERVAL: case NFTA_SET_USERDATA: case NFTA_SET_OBJ_TYPE:
	case NFTA_SET_EXPR: case NFTA_SET_EXPRESSIONS:
		return K_KEEP;
	default:
		return K_DROP;	/* handle, id, pad, and what newer kernels only report (the backend's type, 19) */
	}
}

static int
elem_keep(uint16_t t, const struct policy **n)
{
	(void)n;
	switch (t) {
	case NFTA_SET_ELEM_KEY: case NFTA_SET_ELEM_DATA: case NFTA_SET_ELEM_FLAGS: case NFTA_SET_ELEM_TIMEOUT:
	case NFTA_SET_ELEM_USERDATA: case NFTA_SET_ELEM_EXPR: case NFTA_SET_ELEM_OBJREF: case NFTA_SET_ELEM_KEY_END:
	case NFTA_SET_ELEM_EXPRESSIONS:
		return K_KEEP;
	default:
		return K_DROP;	/* expiration (the time left), pad */
	}
}

static const struct policy elem_pol = { elem_keep };

static int
elem_list_item_keep(uint16_t t, const struct policy **n)
{
	if (t != NFTA_LIST_ELEM)
		return K_DROP;
	*n = &elem_pol;
	return K_NEST;
}

static const struct policy elem_list_item_pol = { elem_list_item_keep };

static int
setelem_keep(uint16_t t, const struct policy **n)
{
	switch (t) {
	case NFTA_SET_ELEM_LIST_TABLE: case NFTA_SET_ELEM_LIST_SET:
		return K_KEEP;
	case NFTA_SET_ELEM_LIST_ELEMENTS:
		*n = &elem_list_item_pol;
		return K_NEST;
	default:
		return K_DROP;
	}
}

static int
rule_nft_keep(uint16_t t, const struct policy **n)
{
	(void)n;
	switch (t) {
	case NFTA_RULE_TABLE: case NFTA_RULE_CHAIN: case NFTA_RULE_EXPRESSIONS: case NFTA_RULE_COMPAT:
	case NFTA_RULE_USERDATA:
		return K_KEEP;
	default:
		return K_DROP;	/* handle, position, id, chain id */
	}
}

static int
obj_keep(uint16_t t, const struct policy **n)
{
	(void)n;
	return t == NFTA_OBJ_TABLE || t == NFTA_OBJ_NAME || t == NFTA_OBJ_TYPE || t == NFTA_OBJ_DATA ||
	       t == NFTA_OBJ_USERDATA ? K_KEEP : K_DROP;
}

struct wbuf {
	uint8_t *p;
	size_t cap, off;
	int err;
};

static void *
w_put(struct wbuf *w, const void *src, size_t len)
{
	size_t al = NLA_ALIGN(len);
	void *dst;

	if (w->err || al > w->cap - w->off) {
		w->err = -ENOSPC;
		return NULL;
	}
	dst = w->p + w->off;
	memset(dst, 0, al);
	if (src)
		memcpy(dst, src, len);
	w->off += al;
	return dst;
}

/* Copy the attributes of in[0..len) that pol keeps; nested ones filtered in turn. */
static int
copy_attrs(struct wbuf *w, const uint8_t *in, size_t len, const struct policy *pol, int depth)
{
	size_t off = 0;

	if (depth > 6)
		return -EBADMSG;
	while (off < len) {
		const struct nlattr *a = (const struct nlattr *)(in + off);
		const struct policy *np = NULL;
		uint16_t type;
		int k;

		if (len - off < sizeof(*a) || a->nla_len < sizeof(*a) || a->nla_len > len - off)
			return -EBADMSG;
		type = a->nla_type & NLA_TYPE_MASK;
		k = pol->keep(type, &np);
		if (k == K_KEEP) {
			w_put(w, a, a->nla_len);
		} else if (k == K_NEST) {
			size_t start = w->off;
			struct nlattr *h = w_put(w, a, NLA_HDRLEN);
			int rc;

			if (!h)
				return w->err;
			if ((rc = copy_attrs(w, (const uint8_t *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN, np,
					     depth + 1)) < 0)
				return rc;
			if (!w->err)
				((struct nlattr *)(w->p + start))->nla_len = (uint16_t)(w->off - start);
		}
		if (w->err)
			return w->err;
		off += NLA_ALIGN(a->nla_len);
		if (off > len)
			off = len;	/* the last attribute's padding may be cut by the message's end */
	}
	return 0;
}

static void
put_u32_attr(struct wbuf *w, uint16_t type, uint32_t v)
{
	struct { struct nlattr h; uint32_t v; } a = { { NLA_HDRLEN + 4, type }, v };

	w_put(w, &a, sizeof(a));
}

static size_t
type_fixed(int proto, uint16_t type, const struct policy **pol, char *why, size_t wl)
{
	static const struct policy addr = { addr_keep }, route = { route_keep }, rule = { rule_keep },
				   neigh = { neigh_keep }, table = { table_keep }, chain = { chain_keep },
				   set = { set_keep }, setelem = { setelem_keep }, nrule = { rule_nft_keep },
				   obj = { obj_keep };

	if (proto == NETLINK_ROUTE) {
		switch (type) {
		case RTM_NEWADDR: *pol = &addr; return sizeof(struct ifaddrmsg);
		case RTM_NEWROUTE: *pol = &route; return sizeof(struct rtmsg);
		case RTM_NEWRULE: *pol = &rule; return sizeof(struct fib_rule_hdr);
		case RTM_NEWNEIGH: *pol = &neigh; return sizeof(struct ndmsg);
		}
	} else if (proto == NETLINK_NETFILTER && NFNL_SUBSYS_ID(type) == NFNL_SUBSYS_NFTABLES) {
		switch (NFNL_MSG_TYPE(type)) {
		case NFT_MSG_NEWTABLE: *pol = &table; return sizeof(struct nfgenmsg);
		case NFT_MSG_NEWCHAIN: *pol = &chain; return sizeof(struct nfgenmsg);
		case NFT_MSG_NEWSET: *pol = &set; return sizeof(struct nfgenmsg);
		case NFT_MSG_NEWSETELEM: *pol = &setelem; return sizeof(struct nfgenmsg);
		case NFT_MSG_NEWRULE: *pol = &nrule; return sizeof(struct nfgenmsg);
		case NFT_MSG_NEWOBJ: *pol = &obj; return sizeof(struct nfgenmsg);
		case NFT_MSG_NEWFLOWTABLE:
			snprintf(why, wl, "nftables flowtables");
			return 0;
		}
	}
	snprintf(why, wl, "netlink message %u of protocol %d", type, proto);
	return 0;
}

/* The flags a table may be made with: not owner (the recording process's) nor persist. */
static int
table_flags_fix(uint8_t *attrs, size_t len)
{
	size_t off = 0;

	while (len - off >= NLA_HDRLEN) {
		struct nlattr *a = (struct nlattr *)(attrs + off);

		if (a->nla_len < NLA_HDRLEN || a->nla_len > len - off)
			return -EBADMSG;
		if ((a->nla_type & NLA_TYPE_MASK) == NFTA_TABLE_FLAGS && a->nla_len >= NLA_HDRLEN + 4) {
			uint32_t f;

			memcpy(&f, attrs + off + NLA_HDRLEN, 4);
			f = htonl(ntohl(f) & ~(uint32_t)(NFT_TABLE_F_OWNER | 0x4 /* NFT_TABLE_F_PERSIST */));
			memcpy(attrs + off + NLA_HDRLEN, &f, 4);
		}
		off += NLA_ALIGN(a->nla_len);
	}
	return 0;
}

/*
 * The kernel dumps an exthdr write ("tcp option maxseg size set ...") with
 * NFTA_EXTHDR_FLAGS 0, and refuses a write that carries flags: remove it there, the
 * nests around it (data, element, expressions) and the message shortened to match.
 */
static void
exthdr_write_fix(uint8_t *msg, size_t fixed)
{
	struct nlmsghdr *h = (struct nlmsghdr *)msg;
	uint8_t *p = msg + NLMSG_HDRLEN + NLMSG_ALIGN(fixed), *end = msg + h->nlmsg_len;

	for (; p + NLA_HDRLEN <= end; p += NLA_ALIGN(((struct nlattr *)p)->nla_len)) {
		struct nlattr *ex = (struct nlattr *)p;
		uint8_t *el;

		if (ex->nla_len < NLA_HDRLEN || (ex->nla_type & NLA_TYPE_MASK) != NFTA_RULE_EXPRESSIONS)
			continue;
		for (el = p + NLA_HDRLEN; el + NLA_HDRLEN <= p + ex->nla_len; el += NLA_ALIGN(((struct nlattr *)el)->nla_len)) {
			struct nlattr *elem = (struct nlattr *)el, *data = NULL, *flags = NULL;
			bool is_exthdr = false, sreg = false;
			uint8_t *a;

			if (elem->nla_len < NLA_HDRLEN)
				return;
			for (a = el + NLA_HDRLEN; a + NLA_HDRLEN <= el + elem->nla_len; a += NLA_ALIGN(((struct nlattr *)a)->nla_len)) {
				struct nlattr *x = (struct nlattr *)a;

				if (x->nla_len < NLA_HDRLEN)
					return;
				if ((x->nla_type & NLA_TYPE_MASK) == NFTA_EXPR_NAME && x->nla_len >= NLA_HDRLEN + 7 &&
				    memcmp(a + NLA_HDRLEN, "exthdr", 7) == 0)
					is_exthdr = true;
				if ((x->nla_type & NLA_TYPE_MASK) == NFTA_EXPR_DATA)
					data = x;
			}
			if (!is_exthdr || !data)
				continue;
			for (a = (uint8_t *)data + NLA_HDRLEN; a + NLA_HDRLEN <= (uint8_t *)data + data->nla_len;
			     a += NLA_ALIGN(((struct nlattr *)a)->nla_len)) {
				struct nlattr *x = (struct nlattr *)a;

				if (x->nla_len < NLA_HDRLEN)
					return;
				sreg |= (x->nla_type & NLA_TYPE_MASK) == NFTA_EXTHDR_SREG;
				if ((x->nla_type & NLA_TYPE_MASK) == NFTA_EXTHDR_FLAGS && x->nla_len == NLA_HDRLEN + 4 &&
				    !memcmp(a + NLA_HDRLEN, "\0\0\0\0", 4))
					flags = x;
			}
			if (sreg && flags) {
				size_t cut = NLA_ALIGN(flags->nla_len);

				memmove(flags, (uint8_t *)flags + cut, (size_t)(end - ((uint8_t *)flags + cut)));
				data->nla_len = (uint16_t)(data->nla_len - cut);
				elem->nla_len = (uint16_t)(elem->nla_len - cut);
				ex->nla_len = (uint16_t)(ex->nla_len - cut);
				h->nlmsg_len -= (uint32_t)cut;
				end -= cut;
			}
		}
	}
}

/* The next attribute of p[0..len) at *off, or NULL at the end or on one that does not fit. */
static const struct nlattr *
next_attr(const uint8_t *p, size_t len, size_t *off)
{
	const struct nlattr *a;

	if (*off + NLA_HDRLEN > len)
		return NULL;
	a = (const struct nlattr *)(p + *off);
	if (a->nla_len < NLA_HDRLEN || a->nla_len > len - *off)
		return NULL;
	*off += NLA_ALIGN(a->nla_len);
	return a;
}

static const uint8_t *
payload_of(const struct nlattr *a)
{
	return (const uint8_t *)a + NLA_HDRLEN;
}

static size_t
plen_of(const struct nlattr *a)
{
	return a->nla_len - NLA_HDRLEN;
}

static bool
be32_of(const struct nlattr *a, uint32_t *v)
{
	if (!a || plen_of(a) != 4)
		return false;
	memcpy(v, payload_of(a), 4);
	*v = ntohl(*v);
	return true;
}

/* The attribute of type t inside the nest a (NULL: none). */
static const struct nlattr *
nested(const struct nlattr *a, uint16_t t)
{
	const struct nlattr *x;
	size_t off = 0;

	if (!a)
		return NULL;
	while ((x = next_attr(payload_of(a), plen_of(a), &off)))
		if ((x->nla_type & NLA_TYPE_MASK) == t)
			return x;
	return NULL;
}

static bool
name_is(const struct nlattr *a, const char *name)
{
	size_t n = strlen(name) + 1;

	return a && plen_of(a) >= n && memcmp(payload_of(a), name, n) == 0;
}

/*
 * What an x_tables extension inside a rule's expression list is: "match icmp
 * (revision 0)", "target REJECT (revision 0)"; another expression by its name.
 */
void
pc_rp_expr_desc(const void *elem, size_t len, char *buf, size_t bl)
{
	const struct nlattr *e = elem, *name, *data, *xn, *xr;
	uint32_t rev = 0;
	bool xt;

	buf[0] = '\0';
	if (len < NLA_HDRLEN || e->nla_len < NLA_HDRLEN || e->nla_len > len || !(name = nested(e, NFTA_EXPR_NAME)))
		return;
	xt = name_is(name, "match") || name_is(name, "target");
	data = nested(e, NFTA_EXPR_DATA);
	/* NFTA_MATCH_NAME and NFTA_TARGET_NAME, _REV: the same numbers. */
	xn = xt ? nested(data, NFTA_MATCH_NAME) : NULL;
	xr = xt ? nested(data, NFTA_MATCH_REV) : NULL;
	if (xn && plen_of(xn))
		snprintf(buf, bl, "%.*s %.*s (revision %u)", (int)strnlen((const char *)payload_of(name), plen_of(name)),
			 (const char *)payload_of(name), (int)strnlen((const char *)payload_of(xn), plen_of(xn)),
			 (const char *)payload_of(xn), be32_of(xr, &rev) ? rev : 0);
	else
		snprintf(buf, bl, "%.*s", (int)strnlen((const char *)payload_of(name), plen_of(name)),
			 (const char *)payload_of(name));
}

/*
 * The rule's NFTA_RULE_COMPAT, which the kernel takes from iptables-nft but never dumps:
 * the protocol of "-p PROTO" (and "!"), which an x_tables match or target checks when
 * it is added (icmp, icmp6, multiport, tcp, udp, REJECT --reject-with tcp-reset: EINVAL
 * "only valid for protocol N" without it). Read back from the rule as iptables-nft wrote
 * it: the layer 4 protocol (meta l4proto, or the IPv4 header's protocol byte, the IPv6
 * header's next header) loaded into a register and compared equal or not equal to one
 * byte, before the first x_tables expression. Returns true with *proto and *inv when
 * the rule has an x_tables expression, no NFTA_RULE_COMPAT and such a comparison.
 */
static bool
rule_compat_find(const uint8_t *attrs, size_t len, uint8_t family, uint32_t *proto, bool *inv)
{
	const struct nlattr *a, *exprs = NULL, *e;
	size_t off = 0;
	uint32_t l4regs = 0;	/* registers (by their number, < 32) holding the layer 4 protocol */
	bool found = false;

	while ((a = next_attr(attrs, len, &off))) {
		if ((a->nla_type & NLA_TYPE_MASK) == NFTA_RULE_COMPAT)
			return false;
		if ((a->nla_type & NLA_TYPE_MASK) == NFTA_RULE_EXPRESSIONS)
			exprs = a;
	}
	if (!exprs || (family != NFPROTO_IPV4 && family != NFPROTO_IPV6))
		return false;	/* ebtables' and arptables' compat fields mean other things */
	off = 0;
	while ((e = next_attr(payload_of(exprs), plen_of(exprs), &off))) {
		const struct nlattr *name = nested(e, NFTA_EXPR_NAME), *data = nested(e, NFTA_EXPR_DATA);
		uint32_t reg, key, base, poff, plen, op;

		if (name_is(name, "match") || name_is(name, "target"))
			return found;
		if (name_is(name, "payload") && be32_of(nested(data, NFTA_PAYLOAD_DREG), &reg) && reg < 32) {
			bool l4 = be32_of(nested(data, NFTA_PAYLOAD_BASE), &base) && base == NFT_PAYLOAD_NETWORK_HEADER &&
				  be32_of(nested(data, NFTA_PAYLOAD_OFFSET), &poff) &&
				  be32_of(nested(data, NFTA_PAYLOAD_LEN), &plen) && plen == 1 &&
				  ((family == NFPROTO_IPV4 && poff == 9) || (family == NFPROTO_IPV6 && poff == 6));

			l4regs = l4 ? l4regs | 1u << reg : l4regs & ~(1u << reg);
		} else if (name_is(name, "meta") && be32_of(nested(data, NFTA_META_DREG), &reg) && reg < 32) {
			bool l4 = be32_of(nested(data, NFTA_META_KEY), &key) && key == NFT_META_L4PROTO;

			l4regs = l4 ? l4regs | 1u << reg : l4regs & ~(1u << reg);
		} else if (name_is(name, "cmp") && !found && be32_of(nested(data, NFTA_CMP_SREG), &reg) && reg < 32 &&
			   (l4regs & 1u << reg) && be32_of(nested(data, NFTA_CMP_OP), &op) &&
			   (op == NFT_CMP_EQ || op == NFT_CMP_NEQ)) {
			const struct nlattr *v = nested(nested(data, NFTA_CMP_DATA), NFTA_DATA_VALUE);

			if (v && plen_of(v) == 1) {
				*proto = payload_of(v)[0];
				*inv = op == NFT_CMP_NEQ;
				found = true;
			}
		}
	}
	return false;	/* no x_tables expression: nothing checks the protocol */
}

static void
put_rule_compat(struct wbuf *w, uint32_t proto, bool inv)
{
	struct {
		struct nlattr h;
		struct { struct nlattr h; uint32_t v; } p, f;
	} a = { { sizeof(a), NLA_F_NESTED | NFTA_RULE_COMPAT },
		{ { NLA_HDRLEN + 4, NFTA_RULE_COMPAT_PROTO }, htonl(proto) },
		{ { NLA_HDRLEN + 4, NFTA_RULE_COMPAT_FLAGS }, htonl(inv ? NFT_RULE_COMPAT_F_INV : 0) } };

	w_put(w, &a, sizeof(a));
}

ssize_t
pc_rp_convert(int proto, const void *msg, size_t len, void *out, size_t cap, uint32_t ifa_flags_add,
	      char *why, size_t wl)
{
	const struct nlmsghdr *in = msg;
	const struct policy *pol = NULL;
	struct wbuf w = { out, cap, 0, 0 };
	struct nlmsghdr *h;
	size_t fixed;
	int rc;

	why[0] = '\0';
	if (len < NLMSG_HDRLEN || in->nlmsg_len < NLMSG_HDRLEN || in->nlmsg_len > len) {
		snprintf(why, wl, "a truncated message (%zu bytes)", len);
		return -EBADMSG;
	}
	len = in->nlmsg_len;
	if (!(fixed = type_fixed(proto, in->nlmsg_type, &pol, why, wl)))
		return -EOPNOTSUPP;
	if (len < NLMSG_HDRLEN + NLMSG_ALIGN(fixed)) {
		snprintf(why, wl, "a message shorter than its header (%zu bytes)", len);
		return -EBADMSG;
	}
	if (!(h = w_put(&w, in, NLMSG_HDRLEN + NLMSG_ALIGN(fixed)))) {
		snprintf(why, wl, "no room");
		return -ENOSPC;
	}
	h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL;
	h->nlmsg_seq = h->nlmsg_pid = 0;
	if (proto == NETLINK_NETFILTER && NFNL_MSG_TYPE(in->nlmsg_type) == NFT_MSG_NEWRULE)
		h->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND;
	if (proto == NETLINK_NETFILTER)
		((struct nfgenmsg *)NLMSG_DATA(h))->res_id = 0;
	if (proto == NETLINK_ROUTE && in->nlmsg_type == RTM_NEWROUTE) {
		struct rtmsg *rtm = NLMSG_DATA(h);

		if (rtm->rtm_flags & RTM_F_CLONED) {
			snprintf(why, wl, "a cached route");
			return 0;
		}
		rtm->rtm_flags &= RTNH_F_ONLINK;	/* linkdown, dead, offload...: the kernel's own */
	}
	rc = copy_attrs(&w, (const uint8_t *)in + NLMSG_HDRLEN + NLMSG_ALIGN(fixed),
			len - NLMSG_HDRLEN - NLMSG_ALIGN(fixed), pol, 0);
	if (rc == -EBADMSG) {
		snprintf(why, wl, "an attribute that does not parse");
		return rc;
	}
	if (rc < 0 || w.err) {
		snprintf(why, wl, "no room");
		return -ENOSPC;
	}
	if (proto == NETLINK_ROUTE && in->nlmsg_type == RTM_NEWADDR) {
		struct ifaddrmsg *ifa = NLMSG_DATA(h);
		uint32_t f = ifa->ifa_flags;
		const uint8_t *a = (const uint8_t *)in + NLMSG_HDRLEN + NLMSG_ALIGN(fixed);
		size_t al = len - NLMSG_HDRLEN - NLMSG_ALIGN(fixed), off = 0;

		while (al - off >= NLA_HDRLEN) {
			const struct nlattr *at = (const struct nlattr *)(a + off);

			if (at->nla_type == IFA_FLAGS && at->nla_len >= NLA_HDRLEN + 4)
				memcpy(&f, a + off + NLA_HDRLEN, 4);
			off += NLA_ALIGN(at->nla_len);
		}
		/* The kernel's states (tentative, deprecated, secondary...) are not asked for. */
		f &= IFA_F_HOMEADDRESS | IFA_F_NODAD | IFA_F_NOPREFIXROUTE | IFA_F_MANAGETEMPADDR |
		     IFA_F_MCAUTOJOIN | IFA_F_PERMANENT;
		f |= ifa_flags_add;
		ifa->ifa_flags = (uint8_t)(f & 0xff);
		put_u32_attr(&w, IFA_FLAGS, f);
		if (w.err) {
			snprintf(why, wl, "no room");
			return -ENOSPC;
		}
	}
	/* The kernel wants NFTA_SET_ID in a new set (a rule of the same batch may name it by id): one per set. */
	if (proto == NETLINK_NETFILTER && NFNL_MSG_TYPE(in->nlmsg_type) == NFT_MSG_NEWSET) {
		static uint32_t set_id;

		put_u32_attr(&w, NFTA_SET_ID, htonl(__atomic_add_fetch(&set_id, 1, __ATOMIC_RELAXED)));
		if (w.err) {
			snprintf(why, wl, "no room");
			return -ENOSPC;
		}
	}
	if (proto == NETLINK_NETFILTER && NFNL_MSG_TYPE(in->nlmsg_type) == NFT_MSG_NEWRULE) {
		uint32_t l4 = 0;
		bool inv = false;

		if (rule_compat_find((const uint8_t *)out + NLMSG_HDRLEN + NLMSG_ALIGN(fixed),
				     w.off - NLMSG_HDRLEN - NLMSG_ALIGN(fixed),
				     ((const struct nfgenmsg *)NLMSG_DATA(h))->nfgen_family, &l4, &inv)) {
			put_rule_compat(&w, l4, inv);
			if (w.err) {
				snprintf(why, wl, "no room");
				return -ENOSPC;
			}
		}
	}
	if (proto == NETLINK_NETFILTER && NFNL_MSG_TYPE(in->nlmsg_type) == NFT_MSG_NEWTABLE &&
	    table_flags_fix((uint8_t *)out + NLMSG_HDRLEN + NLMSG_ALIGN(fixed),
			    w.off - NLMSG_HDRLEN - NLMSG_ALIGN(fixed)) < 0)
		return -EBADMSG;
	h = out;
	h->nlmsg_len = (uint32_t)w.off;
	if (proto == NETLINK_NETFILTER && NFNL_MSG_TYPE(in->nlmsg_type) == NFT_MSG_NEWRULE)
		exthdr_write_fix(out, fixed);
	return (ssize_t)h->nlmsg_len;
}
