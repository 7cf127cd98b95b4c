/* nfttrace.c: a temporary nftables table that sets nftrace for one flow, and its trace events. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnftnl/common.h>
#include <libnftnl/table.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>
#include <libnftnl/trace.h>

#include "nfttrace.h"
#include "attr.h"
#include "parse.h"

#define BATCH_LEN 16384
#define MSG_ROOM 1024			/* the longest message we build (an IPv6 rule) fits */
#define ACK_WAIT_MS 2000
#define TRACE_RCVBUF (4 << 20)
#define STALE_MAX 64

struct pp_nfttrace {
	struct pp_nl ctl;		/* batches; owns the table (NFT_TABLE_F_OWNER) */
	struct pp_nl mon;		/* NFNLGRP_NFTRACE listener */
	char table[48];
	/* BATCH_BEGIN + DELTABLE + BATCH_END, built at begin, for the signal handler. */
	union {
		char b[512];
		struct nlmsghdr align_;
	} del;
	size_t del_len;
	int ctl_fd;
	volatile sig_atomic_t sig_sent;
};

/* ---- decoding trace events ---- */

/*
 * libnftnl's trace parser calls exit() ("ABI is broken") on an integer attribute
 * of the wrong size, an empty string or header, a nest of 1-3 bytes, a message
 * without NFTA_TRACE_ID or NFTA_TRACE_TYPE, or a verdict nest without a code (or
 * a jump without its chain: that one reads an uninitialised table). It checks
 * every attribute, not only the last of a type, and strdup()s strings it trusts
 * to be terminated. So the layout is checked here first, the same way nft.c does
 * for chains, and a malformed event is refused quietly.
 */
static const struct pp_attr_policy trace_pol[NFTA_TRACE_MAX + 1] = {
	[NFTA_TRACE_TABLE] = { PP_A_STR }, [NFTA_TRACE_CHAIN] = { PP_A_STR },
	[NFTA_TRACE_RULE_HANDLE] = { PP_A_U64 }, [NFTA_TRACE_TYPE] = { PP_A_U32 },
	[NFTA_TRACE_VERDICT] = { PP_A_NEST }, [NFTA_TRACE_ID] = { PP_A_U32 },
	[NFTA_TRACE_LL_HEADER] = { PP_A_MIN, 1 }, [NFTA_TRACE_NETWORK_HEADER] = { PP_A_MIN, 1 },
	[NFTA_TRACE_TRANSPORT_HEADER] = { PP_A_MIN, 1 }, [NFTA_TRACE_IIF] = { PP_A_U32 },
	[NFTA_TRACE_IIFTYPE] = { PP_A_U16 }, [NFTA_TRACE_OIF] = { PP_A_U32 },
	[NFTA_TRACE_OIFTYPE] = { PP_A_U16 }, [NFTA_TRACE_MARK] = { PP_A_U32 },
	[NFTA_TRACE_NFPROTO] = { PP_A_U32 }, [NFTA_TRACE_POLICY] = { PP_A_U32 },
};

static const struct pp_attr_policy verdict_pol[NFTA_VERDICT_MAX + 1] = {
	[NFTA_VERDICT_CODE] = { PP_A_U32 }, [NFTA_VERDICT_CHAIN] = { PP_A_STR },
};

/* Exact payload sizes libnftnl insists on, for every attribute of a type. */
#define NEST 0xff		/* empty, or at least one attribute header */
#define NONEMPTY 0xfe		/* at least one byte */
static const uint8_t trace_size[NFTA_TRACE_MAX + 1] = {
	[NFTA_TRACE_RULE_HANDLE] = 8, [NFTA_TRACE_TYPE] = 4, [NFTA_TRACE_ID] = 4,
	[NFTA_TRACE_IIF] = 4, [NFTA_TRACE_OIF] = 4, [NFTA_TRACE_MARK] = 4,
	[NFTA_TRACE_NFPROTO] = 4, [NFTA_TRACE_POLICY] = 4,
	[NFTA_TRACE_IIFTYPE] = 2, [NFTA_TRACE_OIFTYPE] = 2,
	[NFTA_TRACE_VERDICT] = NEST, [NFTA_TRACE_LL_HEADER] = NONEMPTY,
	[NFTA_TRACE_NETWORK_HEADER] = NONEMPTY, [NFTA_TRACE_TRANSPORT_HEADER] = NONEMPTY,
};
static const uint8_t verdict_size[NFTA_VERDICT_MAX + 1] = {
	[NFTA_VERDICT_CODE] = 4,
};

/* pp_attr_parse() has already checked that the attributes tile [start, start+len). */
static bool
sizes_ok(const void *start, size_t len, const uint8_t *size, unsigned maxtype)
{
	const struct nlattr *a = start;

	while (len >= NLA_HDRLEN) {
		unsigned t = a->nla_type & NLA_TYPE_MASK;
		size_t n = a->nla_len - NLA_HDRLEN, step = NLA_ALIGN(a->nla_len);

		if (t <= maxtype && size[t]) {
			if (size[t] == NEST && n != 0 && n < NLA_HDRLEN)
				return false;
			if (size[t] == NONEMPTY && n == 0)
				return false;
			if (size[t] != NEST && size[t] != NONEMPTY && n != size[t])
				return false;
		}
		if (step >= len)
			break;
		len -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
	return true;
}

static int
trace_check(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[NFTA_TRACE_MAX + 1], *vt[NFTA_VERDICT_MAX + 1];
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg));

	if (pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), trace_pol, NFTA_TRACE_MAX, tb) < 0)
		return -EBADMSG;
	if (nlh->nlmsg_len > off &&
	    !sizes_ok((const char *)nlh + off, nlh->nlmsg_len - off, trace_size, NFTA_TRACE_MAX))
		return -EBADMSG;
	if (!tb[NFTA_TRACE_ID] || !tb[NFTA_TRACE_TYPE])
		return -EBADMSG;
	if (tb[NFTA_TRACE_VERDICT]) {
		const struct nlattr *v = tb[NFTA_TRACE_VERDICT];
		int32_t code;

		if (pp_attr_parse_nest(v, verdict_pol, NFTA_VERDICT_MAX, vt) < 0 ||
		    !sizes_ok((const char *)v + NLA_HDRLEN, v->nla_len - NLA_HDRLEN, verdict_size,
			      NFTA_VERDICT_MAX) ||
		    !vt[NFTA_VERDICT_CODE])
			return -EBADMSG;
		code = (int32_t)ntohl(mnl_attr_get_u32(vt[NFTA_VERDICT_CODE]));
		if ((code == NFT_JUMP || code == NFT_GOTO) && !vt[NFTA_VERDICT_CHAIN])
			return -EBADMSG;
	}
	return 0;
}
#undef NEST
#undef NONEMPTY

static void
ifname(uint32_t ifindex, char *out)
{
	char name[IF_NAMESIZE];

	out[0] = '\0';
	if (ifindex && if_indextoname(ifindex, name))
		snprintf(out, IF_NAMESIZE, "%s", name);
}

static void
copy_str(const struct nftnl_trace *tr, uint16_t attr, char *out, size_t len)
{
	const char *s;

	if (nftnl_trace_is_set(tr, attr) && (s = nftnl_trace_get_str(tr, attr)))
		snprintf(out, len, "%s", s);
}

int
pp_nfttrace_decode(const struct nlmsghdr *nlh, struct pp_nfttrace_event *ev)
{
	struct nftnl_trace *tr;
	int rc = 0;

	memset(ev, 0, sizeof(*ev));
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return -EBADMSG;
	if (NFNL_SUBSYS_ID(nlh->nlmsg_type) != NFNL_SUBSYS_NFTABLES ||
	    NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_TRACE)
		return -ENOENT;
	if ((rc = trace_check(nlh)) < 0)
		return rc;
	if (!(tr = nftnl_trace_alloc()))
		return -ENOMEM;
	if (nftnl_trace_nlmsg_parse(nlh, tr) < 0) {
		rc = -EBADMSG;
		goto out;
	}
	ev->id = nftnl_trace_get_u32(tr, NFTNL_TRACE_ID);
	ev->type = nftnl_trace_get_u32(tr, NFTNL_TRACE_TYPE);
	ev->family = nftnl_trace_get_u32(tr, NFTNL_TRACE_FAMILY);
	copy_str(tr, NFTNL_TRACE_TABLE, ev->table, sizeof(ev->table));
	copy_str(tr, NFTNL_TRACE_CHAIN, ev->chain, sizeof(ev->chain));
	if (nftnl_trace_is_set(tr, NFTNL_TRACE_RULE_HANDLE)) {
		ev->has_handle = true;
		ev->handle = nftnl_trace_get_u64(tr, NFTNL_TRACE_RULE_HANDLE);
	}
	if (nftnl_trace_is_set(tr, NFTNL_TRACE_VERDICT)) {
		ev->has_verdict = true;
		ev->verdict = (int32_t)nftnl_trace_get_u32(tr, NFTNL_TRACE_VERDICT);
		copy_str(tr, NFTNL_TRACE_JUMP_TARGET, ev->jump_target, sizeof(ev->jump_target));
	}
	/*
	 * The kernel sends the verdict nest with rule and return events only; a
	 * policy event carries the base chain's policy in NFTA_TRACE_POLICY instead.
	 * It is the verdict all the same (a chain with policy drop drops here).
	 */
	if (!ev->has_verdict && ev->type == NFT_TRACETYPE_POLICY &&
	    nftnl_trace_is_set(tr, NFTNL_TRACE_POLICY)) {
		ev->has_verdict = true;
		ev->verdict = (int32_t)nftnl_trace_get_u32(tr, NFTNL_TRACE_POLICY);
	}
	if (nftnl_trace_is_set(tr, NFTNL_TRACE_IIF))
		ev->iifindex = nftnl_trace_get_u32(tr, NFTNL_TRACE_IIF);
	if (nftnl_trace_is_set(tr, NFTNL_TRACE_OIF))
		ev->oifindex = nftnl_trace_get_u32(tr, NFTNL_TRACE_OIF);
	ifname(ev->iifindex, ev->iif);
	ifname(ev->oifindex, ev->oif);
	if (nftnl_trace_is_set(tr, NFTNL_TRACE_NFPROTO))
		ev->nfproto = nftnl_trace_get_u32(tr, NFTNL_TRACE_NFPROTO);
	ev->ours = ev->family == NFPROTO_INET &&
		   strncmp(ev->table, PP_NFTTRACE_PREFIX, strlen(PP_NFTTRACE_PREFIX)) == 0;
out:
	nftnl_trace_free(tr);
	return rc;
}

/* ---- building the table ---- */

static bool
has_ports(uint8_t l4proto)
{
	return l4proto == IPPROTO_TCP || l4proto == IPPROTO_UDP || l4proto == IPPROTO_SCTP ||
	       l4proto == IPPROTO_DCCP || l4proto == IPPROTO_UDPLITE;
}

static bool
match_ok(const struct pp_nfttrace_match *m)
{
	if (m->family != AF_INET && m->family != AF_INET6)
		return false;
	if (m->dst.family != m->family)
		return false;
	if (m->src.family != 0 && m->src.family != m->family)
		return false;
	/* A port is only where TCP, UDP, SCTP, DCCP and UDP-Lite keep it. */
	if (m->dport && !has_ports(m->l4proto))
		return false;
	return true;
}

/* Expressions, each as `nft --debug=netlink` shows it; bad set on allocation failure. */
static void
add_expr(struct nftnl_rule *r, struct nftnl_expr *x, bool *bad)
{
	if (!x) {
		*bad = true;
		return;
	}
	nftnl_rule_add_expr(r, x);
}

/* [ meta load KEY => reg 1 ] */
static void
e_meta_load(struct nftnl_rule *r, uint32_t key, bool *bad)
{
	struct nftnl_expr *x = nftnl_expr_alloc("meta");

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_META_KEY, key);
		nftnl_expr_set_u32(x, NFTNL_EXPR_META_DREG, NFT_REG_1);
	}
	add_expr(r, x, bad);
}

/* [ cmp eq reg 1 DATA ] */
static void
e_cmp_eq(struct nftnl_rule *r, const void *data, uint32_t len, bool *bad)
{
	struct nftnl_expr *x = nftnl_expr_alloc("cmp");

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_SREG, NFT_REG_1);
		nftnl_expr_set_u32(x, NFTNL_EXPR_CMP_OP, NFT_CMP_EQ);
		if (nftnl_expr_set(x, NFTNL_EXPR_CMP_DATA, data, len) < 0)
			*bad = true;
	}
	add_expr(r, x, bad);
}

/* [ payload load LENb @ BASE header + OFF => reg 1 ] */
static void
e_payload(struct nftnl_rule *r, uint32_t base, uint32_t off, uint32_t len, bool *bad)
{
	struct nftnl_expr *x = nftnl_expr_alloc("payload");

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_BASE, base);
		nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_OFFSET, off);
		nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_LEN, len);
		nftnl_expr_set_u32(x, NFTNL_EXPR_PAYLOAD_DREG, NFT_REG_1);
	}
	add_expr(r, x, bad);
}

/* [ immediate reg 1 0x00000001 ] [ meta set nftrace with reg 1 ] */
static void
e_nftrace(struct nftnl_rule *r, bool *bad)
{
	struct nftnl_expr *x = nftnl_expr_alloc("immediate");
	uint8_t one = 1;

	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_IMM_DREG, NFT_REG_1);
		if (nftnl_expr_set(x, NFTNL_EXPR_IMM_DATA, &one, sizeof(one)) < 0)
			*bad = true;
	}
	add_expr(r, x, bad);
	x = nftnl_expr_alloc("meta");
	if (x) {
		nftnl_expr_set_u32(x, NFTNL_EXPR_META_KEY, NFT_META_NFTRACE);
		nftnl_expr_set_u32(x, NFTNL_EXPR_META_SREG, NFT_REG_1);
	}
	add_expr(r, x, bad);
}

/* The address match for one side: ip saddr/daddr or ip6 saddr/daddr. */
static void
e_addr(struct nftnl_rule *r, const struct pp_addr *a, bool dst, bool *bad)
{
	uint32_t off, len = (uint32_t)pp_addr_len(a);

	if (a->family == AF_INET)
		off = dst ? 16 : 12;	/* struct iphdr: saddr, daddr */
	else
		off = dst ? 24 : 8;	/* struct ip6_hdr: ip6_src, ip6_dst */
	e_payload(r, NFT_PAYLOAD_NETWORK_HEADER, off, len, bad);
	e_cmp_eq(r, a->u.b, len, bad);
}

/*
 * One rule: meta nfproto, [saddr], [daddr], [meta l4proto], [th sport|dport],
 * meta nftrace set 1. from/to may be family 0 (any). port in host order, 0: any.
 */
static struct nftnl_rule *
flow_rule(const char *table, const char *chain, int family, const struct pp_addr *from,
	  const struct pp_addr *to, uint8_t l4proto, uint16_t port, bool port_is_src)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	uint8_t nfproto = family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
	uint16_t nport = htons(port);
	bool bad = false;

	if (!r)
		return NULL;
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, NFPROTO_INET);
	if (nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table) < 0 ||
	    nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain) < 0)
		bad = true;
	e_meta_load(r, NFT_META_NFPROTO, &bad);
	e_cmp_eq(r, &nfproto, sizeof(nfproto), &bad);
	if (from->family)
		e_addr(r, from, false, &bad);
	if (to->family)
		e_addr(r, to, true, &bad);
	if (l4proto) {
		e_meta_load(r, NFT_META_L4PROTO, &bad);
		e_cmp_eq(r, &l4proto, sizeof(l4proto), &bad);
	}
	if (port) {
		e_payload(r, NFT_PAYLOAD_TRANSPORT_HEADER, port_is_src ? 0 : 2, 2, &bad);
		e_cmp_eq(r, &nport, sizeof(nport), &bad);
	}
	e_nftrace(r, &bad);
	if (bad) {
		nftnl_rule_free(r);
		return NULL;
	}
	return r;
}

struct bbuf {
	char *buf;
	size_t len, off;
	size_t room;		/* what the longest message of this batch may need */
	uint32_t seq;
	unsigned nack;
	int err;
};

/* Room for the next message, or the error remembered. */
static char *
b_next(struct bbuf *b)
{
	if (b->err)
		return NULL;
	if (b->len - b->off < b->room) {
		b->err = -ENOSPC;
		return NULL;
	}
	return b->buf + b->off;
}

static void
b_done(struct bbuf *b, struct nlmsghdr *nlh, bool ack)
{
	if (ack) {
		nlh->nlmsg_flags |= NLM_F_ACK;
		b->nack++;
	}
	b->off += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void
b_table(struct bbuf *b, uint16_t cmd, const char *name, uint32_t flags, bool set_flags, bool ack)
{
	struct nftnl_table *tb;
	struct nlmsghdr *nlh;
	char *p = b_next(b);

	if (!p)
		return;
	if (!(tb = nftnl_table_alloc())) {
		b->err = -ENOMEM;
		return;
	}
	nftnl_table_set_u32(tb, NFTNL_TABLE_FAMILY, NFPROTO_INET);
	if (nftnl_table_set_str(tb, NFTNL_TABLE_NAME, name) < 0) {
		nftnl_table_free(tb);
		b->err = -ENOMEM;
		return;
	}
	if (set_flags)
		nftnl_table_set_u32(tb, NFTNL_TABLE_FLAGS, flags);
	nlh = nftnl_table_nlmsg_build_hdr(p, cmd, NFPROTO_INET,
					  cmd == NFT_MSG_NEWTABLE ? NLM_F_CREATE : 0, b->seq++);
	nftnl_table_nlmsg_build_payload(nlh, tb);
	nftnl_table_free(tb);
	b_done(b, nlh, ack);
}

static void
b_chain(struct bbuf *b, const char *table, const char *name, uint32_t hooknum)
{
	struct nftnl_chain *c;
	struct nlmsghdr *nlh;
	char *p = b_next(b);

	if (!p)
		return;
	if (!(c = nftnl_chain_alloc())) {
		b->err = -ENOMEM;
		return;
	}
	nftnl_chain_set_u32(c, NFTNL_CHAIN_FAMILY, NFPROTO_INET);
	if (nftnl_chain_set_str(c, NFTNL_CHAIN_TABLE, table) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_NAME, name) < 0 ||
	    nftnl_chain_set_str(c, NFTNL_CHAIN_TYPE, "filter") < 0) {
		nftnl_chain_free(c);
		b->err = -ENOMEM;
		return;
	}
	nftnl_chain_set_u32(c, NFTNL_CHAIN_HOOKNUM, hooknum);
	nftnl_chain_set_s32(c, NFTNL_CHAIN_PRIO, PP_NFTTRACE_PRIO);
	nftnl_chain_set_u32(c, NFTNL_CHAIN_POLICY, NF_ACCEPT);
	nlh = nftnl_chain_nlmsg_build_hdr(p, NFT_MSG_NEWCHAIN, NFPROTO_INET, NLM_F_CREATE, b->seq++);
	nftnl_chain_nlmsg_build_payload(nlh, c);
	nftnl_chain_free(c);
	b_done(b, nlh, true);
}

static void
b_rule(struct bbuf *b, struct nftnl_rule *r)
{
	struct nlmsghdr *nlh;
	char *p = b_next(b);

	if (!r) {
		if (!b->err)
			b->err = -ENOMEM;
		return;
	}
	if (p) {
		nlh = nftnl_rule_nlmsg_build_hdr(p, NFT_MSG_NEWRULE, NFPROTO_INET,
						 NLM_F_CREATE | NLM_F_APPEND, b->seq++);
		nftnl_rule_nlmsg_build_payload(nlh, r);
		b_done(b, nlh, true);
	}
	nftnl_rule_free(r);
}

static void
b_batch(struct bbuf *b, bool begin)
{
	struct nlmsghdr *nlh;
	char *p = b_next(b);

	if (!p)
		return;
	nlh = begin ? nftnl_batch_begin(p, b->seq++) : nftnl_batch_end(p, b->seq++);
	b_done(b, nlh, false);
}

static const char *const chain_names[2] = { "prerouting", "output" };
static const uint32_t chain_hooks[2] = { NF_INET_PRE_ROUTING, NF_INET_LOCAL_OUT };

ssize_t
pp_nfttrace_build(void *buf, size_t len, const struct pp_nfttrace_match *m, const char *table,
		  bool owner, uint32_t seq, unsigned *nack)
{
	struct bbuf b = { buf, len, 0, MSG_ROOM, seq, 0, 0 };
	static const struct pp_addr any;

	*nack = 0;
	if (!match_ok(m) || !table || !*table || strlen(table) >= NFT_TABLE_MAXNAMELEN)
		return -EINVAL;
	memset(buf, 0, len);
	b_batch(&b, true);
	/* add + delete + add: a leftover of the same name goes in the same transaction. */
	b_table(&b, NFT_MSG_NEWTABLE, table, 0, false, true);
	b_table(&b, NFT_MSG_DELTABLE, table, 0, false, true);
	b_table(&b, NFT_MSG_NEWTABLE, table, owner ? NFT_TABLE_F_OWNER : 0, owner, true);
	for (int i = 0; i < 2; i++)
		b_chain(&b, table, chain_names[i], chain_hooks[i]);
	for (int i = 0; i < 2; i++) {
		b_rule(&b, flow_rule(table, chain_names[i], m->family, &m->src, &m->dst, m->l4proto,
				     m->dport, false));
		if (m->replies)
			b_rule(&b, flow_rule(table, chain_names[i], m->family, &m->dst,
					     m->src.family ? &m->src : &any, m->l4proto, m->dport, true));
	}
	b_batch(&b, false);
	if (b.err)
		return b.err;
	*nack = b.nack;
	return (ssize_t)b.off;
}

/* BATCH_BEGIN, DELTABLE table, BATCH_END; the DELTABLE asks for an ACK when ack. */
static ssize_t
build_delete(void *buf, size_t len, const char *table, uint32_t seq, bool ack, unsigned *nack)
{
	/* Three short messages: a table name is at most NFT_TABLE_MAXNAMELEN (256). */
	struct bbuf b = { buf, len, 0, 128 + NFT_TABLE_MAXNAMELEN, seq, 0, 0 };

	memset(buf, 0, len);
	b_batch(&b, true);
	b_table(&b, NFT_MSG_DELTABLE, table, 0, false, ack);
	b_batch(&b, false);
	if (b.err)
		return b.err;
	*nack = b.nack;
	return (ssize_t)b.off;
}

/* ---- talking to the kernel ---- */

static const char *
msg_name(uint16_t type)
{
	switch (NFNL_MSG_TYPE(type)) {
	case NFT_MSG_NEWTABLE: return "NFT_MSG_NEWTABLE";
	case NFT_MSG_DELTABLE: return "NFT_MSG_DELTABLE";
	case NFT_MSG_NEWCHAIN: return "NFT_MSG_NEWCHAIN";
	case NFT_MSG_NEWRULE: return "NFT_MSG_NEWRULE";
	default: return "nftables batch";
	}
}

/*
 * Send a batch whose acked messages carry sequence numbers seq0+1 .. seq0+nack
 * (seq0 is BATCH_BEGIN) and read one ACK or error for each. The kernel runs the
 * whole batch inside sendmsg() and answers every message flagged NLM_F_ACK, the
 * failed ones with their errno and extack, even after the first failure (then the
 * transaction is aborted as a whole). A failed commit is answered on BATCH_BEGIN.
 * Returns 0 or the first error, described in e.
 */
static int
batch_talk(struct pp_nl *nl, const char *buf, size_t len, uint32_t seq0, unsigned nack,
	   struct pp_err *e)
{
	int fd = pp_nl_fd(nl), first = 0;
	unsigned got = 0;

	if (mnl_socket_sendto(nl->sk, buf, len) < 0) {
		int err = errno;

		pp_err_set(e, err, "nftables batch (%zu bytes)", len);
		return -err;
	}
	while (got < nack) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		const struct nlmsghdr *nlh;
		ssize_t n;
		int rem, pr;

		pr = poll(&p, 1, ACK_WAIT_MS);
		if (pr < 0 && errno == EINTR)
			continue;
		if (pr <= 0) {
			int err = pr == 0 ? ETIMEDOUT : errno;

			if (!first)
				pp_err_set(e, err, "nftables batch: %u of %u answers", got, nack);
			return first ? first : -err;
		}
		n = recv(fd, nl->buf, nl->buflen, MSG_DONTWAIT);
		if (n < 0) {
			int err = errno;

			if (err == EINTR || err == EAGAIN)
				continue;
			pp_err_set(e, err, "nftables batch: reading answers");
			return first ? first : -err;
		}
		nlh = (const struct nlmsghdr *)nl->buf;
		rem = (int)n;
		while (mnl_nlmsg_ok(nlh, rem)) {
			uint32_t s = nlh->nlmsg_seq;

			if (nlh->nlmsg_type == NLMSG_ERROR && s >= seq0 && s - seq0 <= nack) {
				struct pp_err me = { 0 };
				bool intr = false;
				int rc = pp_nl_parse_replies(nl, nlh, nlh->nlmsg_len, s, NULL, NULL, &intr, &me);

				if (s != seq0)
					got++;
				if (rc < 0 && !first) {
					const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
					uint16_t type = nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(*err) ?
							err->msg.nlmsg_type : 0;

					first = rc;
					pp_err_set(e, -rc, "%s", s == seq0 ? "nftables commit" : msg_name(type));
					if (e)
						snprintf(e->ext, sizeof(e->ext), "%s", me.ext);
				}
			}
			nlh = mnl_nlmsg_next(nlh, &rem);
		}
	}
	return first;
}

static int
delete_table(struct pp_nl *nl, const char *table, struct pp_err *e)
{
	char buf[1024];
	uint32_t seq0 = nl->seq + 1;
	unsigned nack;
	ssize_t n = build_delete(buf, sizeof(buf), table, seq0, true, &nack);

	if (n < 0) {
		pp_err_set(e, (int)-n, "NFT_MSG_DELTABLE %s", table);
		return (int)n;
	}
	nl->seq += 3;
	return batch_talk(nl, buf, (size_t)n, seq0, nack, e);
}

/* ---- stale tables ---- */

static const struct pp_attr_policy table_pol[NFTA_TABLE_MAX + 1] = {
	[NFTA_TABLE_NAME] = { PP_A_STR }, [NFTA_TABLE_FLAGS] = { PP_A_U32 },
	[NFTA_TABLE_USE] = { PP_A_U32 }, [NFTA_TABLE_HANDLE] = { PP_A_U64 },
	[NFTA_TABLE_OWNER] = { PP_A_U32 },
};

struct stale {
	char names[STALE_MAX][32];
	unsigned n;
};

/* The pid in "pktpath_trace_<pid>", or 0 when the name is not ours. */
static pid_t
table_pid(const char *name)
{
	size_t pl = strlen(PP_NFTTRACE_PREFIX);
	const char *d = name + pl;
	uint32_t v;

	if (strncmp(name, PP_NFTTRACE_PREFIX, pl) != 0 || !*d || strlen(d) > 10)
		return 0;
	for (const char *c = d; *c; c++)
		if (!isdigit((unsigned char)*c))
			return 0;
	if (d[0] == '0' || pp_parse_u32(d, INT_MAX, &v) < 0)
		return 0;
	return (pid_t)v;
}

static int
stale_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[NFTA_TABLE_MAX + 1];
	struct stale *s = data;
	const char *name;
	pid_t pid;

	if (NFNL_MSG_TYPE(nlh->nlmsg_type) != NFT_MSG_NEWTABLE)
		return 0;
	if (pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), table_pol, NFTA_TABLE_MAX, tb) < 0 ||
	    !tb[NFTA_TABLE_NAME])
		return 0;
	/* An owned table goes away with its socket, and only that socket may delete it. */
	if (tb[NFTA_TABLE_OWNER])
		return 0;
	name = mnl_attr_get_str(tb[NFTA_TABLE_NAME]);
	if ((pid = table_pid(name)) == 0 || pid == getpid())
		return 0;
	/* EPERM means the process exists (another user's): leave it. Only ESRCH is gone. */
	if (kill(pid, 0) == 0 || errno != ESRCH)
		return 0;
	if (s->n < STALE_MAX && strlen(name) < sizeof(s->names[0]))
		snprintf(s->names[s->n++], sizeof(s->names[0]), "%s", name);
	return 0;
}

static void
stale_reset(void *data)
{
	((struct stale *)data)->n = 0;
}

static int
cleanup_on(struct pp_nl *nl, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct stale *s = calloc(1, sizeof(*s));
	struct nlmsghdr *nlh;
	int rc, removed = 0;

	if (!s) {
		pp_err_set(e, ENOMEM, "stale trace tables");
		return -ENOMEM;
	}
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETTABLE, NFPROTO_INET, 0, 0);
	pp_err_set(e, 0, "NFT_MSG_GETTABLE dump");
	if ((rc = pp_nl_dump(nl, nlh, stale_cb, s, stale_reset, e)) < 0) {
		free(s);
		return rc;
	}
	for (unsigned i = 0; i < s->n; i++) {
		struct pp_err de = { 0 };

		rc = delete_table(nl, s->names[i], &de);
		if (rc == 0)
			removed++;
		else if (rc != -ENOENT && rc != -EPERM) {
			/* Report the first real failure, but try the others. */
			if (e && !e->code)
				*e = de;
		}
	}
	free(s);
	if (e && e->code)
		return -e->code;
	return removed;
}

int
pp_nfttrace_cleanup_stale(struct pp_err *e)
{
	struct pp_nl nl;
	int rc;

	if ((rc = pp_nl_open(&nl, NETLINK_NETFILTER, e)) < 0)
		return rc;
	rc = cleanup_on(&nl, e);
	pp_nl_close(&nl);
	return rc;
}

/* ---- the session ---- */

/* Build the delete for the signal handler, then add the table (owned where the kernel can). */
static int
add_table(struct pp_nfttrace *t, const struct pp_nfttrace_match *m, char *buf, struct pp_err *e)
{
	unsigned nack, dn;
	uint32_t seq0;
	ssize_t n;
	int rc = 0;

	/* Sequence numbers far from the ones batches use; nobody reads its answer. */
	n = build_delete(t->del.b, sizeof(t->del.b), t->table, 0x7fff0000u, false, &dn);
	if (n < 0) {
		pp_err_set(e, (int)-n, "NFT_MSG_DELTABLE %s", t->table);
		return (int)n;
	}
	t->del_len = (size_t)n;
	for (int owner = 1; owner >= 0; owner--) {
		seq0 = t->ctl.seq + 1;
		n = pp_nfttrace_build(buf, BATCH_LEN, m, t->table, owner, seq0, &nack);
		if (n < 0) {
			pp_err_set(e, (int)-n, "nft trace table %s", t->table);
			return (int)n;
		}
		t->ctl.seq += nack + 2;
		rc = batch_talk(&t->ctl, buf, (size_t)n, seq0, nack, e);
		/* Kernels before 5.12 know no owner flag: the table then lives until deleted. */
		if (rc != -EOPNOTSUPP)
			break;
	}
	return rc;
}

int
pp_nfttrace_begin(struct pp_nfttrace **tp, const struct pp_nfttrace_match *m, struct pp_err *e)
{
	struct pp_nfttrace *t;
	struct pp_err se = { 0 };
	char *buf = NULL;
	int rc;

	*tp = NULL;
	if (!match_ok(m)) {
		pp_err_set(e, EINVAL, "nft trace: flow not expressible");
		return -EINVAL;
	}
	if (!(t = calloc(1, sizeof(*t))) || !(buf = malloc(BATCH_LEN))) {
		free(t);
		pp_err_set(e, ENOMEM, "nft trace");
		return -ENOMEM;
	}
	snprintf(t->table, sizeof(t->table), PP_NFTTRACE_PREFIX "%ld", (long)getpid());
	t->ctl_fd = -1;
	if ((rc = pp_nl_open(&t->ctl, NETLINK_NETFILTER, e)) < 0)
		goto fail_free;
	t->ctl_fd = pp_nl_fd(&t->ctl);
	/* Leftovers of killed runs first; a failure here shows again below, with its cause. */
	cleanup_on(&t->ctl, &se);
	if ((rc = pp_nl_open(&t->mon, NETLINK_NETFILTER, e)) < 0)
		goto fail_ctl;
	pp_nl_set_rcvbuf(&t->mon, TRACE_RCVBUF);
	/* Subscribe before the table exists, so the first traced packet is not missed. */
	if ((rc = pp_nl_subscribe(&t->mon, NFNLGRP_NFTRACE, e)) < 0)
		goto fail_mon;
	for (int attempt = 0; attempt < 2; attempt++) {
		/*
		 * A process of another pid namespace that shares this network namespace
		 * can have our pid, and then owns our name (EPERM): take a name with our
		 * netlink port id as well, unique in the namespace. Such names are never
		 * taken for stale (only owned tables get them, and those cannot be left).
		 */
		if (attempt == 1)
			snprintf(t->table, sizeof(t->table), PP_NFTTRACE_PREFIX "%ld_%u", (long)getpid(),
				 t->ctl.portid);
		if ((rc = add_table(t, m, buf, e)) != -EPERM)
			break;
	}
	if (rc < 0)
		goto fail_mon;
	free(buf);
	*tp = t;
	return 0;
fail_mon:
	pp_nl_close(&t->mon);
fail_ctl:
	pp_nl_close(&t->ctl);
fail_free:
	free(buf);
	free(t);
	return rc;
}

int
pp_nfttrace_fd(const struct pp_nfttrace *t)
{
	return pp_nl_fd(&t->mon);
}

const char *
pp_nfttrace_table_name(const struct pp_nfttrace *t)
{
	return t->table;
}

uint64_t
pp_nfttrace_lost(const struct pp_nfttrace *t)
{
	return t->mon.enobufs;
}

struct rd {
	int (*cb)(const struct pp_nfttrace_event *ev, void *data);
	void *data;
	struct pp_nl *nl;
	int n;
};

static int
ev_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rd *r = data;
	struct pp_nfttrace_event ev;
	int rc = pp_nfttrace_decode(nlh, &ev);

	if (rc == -ENOENT)
		return 0;
	if (rc == -ENOMEM)
		return rc;
	if (rc < 0) {
		r->nl->bad_msgs++;
		return 0;
	}
	r->n++;
	return r->cb(&ev, r->data);
}

int
pp_nfttrace_read(struct pp_nfttrace *t, int (*cb)(const struct pp_nfttrace_event *ev, void *data),
		 void *data)
{
	struct rd r = { cb, data, &t->mon, 0 };

	for (;;) {
		struct pp_err e = { 0 };
		int rc = pp_nl_recv_events(&t->mon, ev_cb, &r, &e);

		if (rc == -ENOBUFS)
			continue;	/* counted in mon.enobufs; what is queued after it is still good */
		if (rc < 0)
			return rc;
		if (rc == 0)
			return r.n;
	}
}

void
pp_nfttrace_end_from_signal(struct pp_nfttrace *t)
{
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };
	int saved = errno;

	if (!t || t->ctl_fd < 0 || !t->del_len)
		return;
	if (sendto(t->ctl_fd, t->del.b, t->del_len, 0, (struct sockaddr *)&k, sizeof(k)) >= 0)
		t->sig_sent = 1;
	errno = saved;
}

int
pp_nfttrace_end(struct pp_nfttrace *t)
{
	struct pp_err e = { 0 };
	int rc;

	if (!t)
		return 0;
	/* Delete and wait for the answer even after the signal handler's try: ENOENT is success. */
	rc = delete_table(&t->ctl, t->table, &e);
	if (rc == -ENOENT)
		rc = 0;
	pp_nl_close(&t->mon);
	pp_nl_close(&t->ctl);
	free(t);
	return rc;
}
