/*
 * nfteval.c: the nft VM's collection glue. It reads the base chains on the packet's
 * hooks from the kernel, builds the packet each hook sees, and hands both to the VM
 * (nftvm.c), fetching the chains and sets the VM asks for on a cache miss.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/rule.h>
#include <linux/rtnetlink.h>

#include "nfteval.h"
#include "route.h"

/* linux/netfilter_bridge.h clashes with net/if.h; its two hook numbers: */
#define NF_BR_PRE_ROUTING 0
#define NF_BR_LOCAL_IN 1

/* ---- what the VM asks for on a cache miss: the kernel's chains and sets ---- */

static int
keep_rule(struct nftnl_rule *r, void *data)
{
	struct pc_cached_chain *cc = data;
	struct nftnl_rule **nv = realloc(cc->rules, (cc->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	cc->rules = nv;
	cc->rules[cc->n++] = r;
	return PP_NFT_KEEP;
}

static int
fetch_rules(struct pc_nft_cache *c, struct pc_cached_chain *cc)
{
	struct pp_err e = { 0 };

	return pp_nft_rule_dump(c->nl, cc->family, cc->table, cc->name, keep_rule, cc, &e);
}

static int
fetch_set(struct pc_nft_cache *c, uint32_t family, const char *table, const char *name, struct pp_nft_set *set)
{
	struct pp_err e = { 0 };

	return pp_nft_set_get(c->nl, family, table, name, set, &e);
}

int
pc_nft_eval_base(struct pc_nft_cache *c, const struct pp_nft_chain *base, const struct pc_pkt *p,
		 struct pc_nft_result *r)
{
	static const struct pc_nft_fetch from_kernel = { fetch_rules, fetch_set };

	pc_nftvm_eval_base(c, c->nl ? &from_kernel : NULL, base, p, r);
	/*
	 * Output only: a chain of type route that leaves the mark other than it found it makes
	 * the kernel route again (nf_route_table_hook4/6 compare skb->mark before and after);
	 * a type filter chain does not. A dnat in a nat chain at output that changes the
	 * destination address does too (nf_nat_ipv4_local_fn, nf_nat_ipv6_local_fn); a port
	 * alone does not. A dropped packet is not routed again.
	 */
	if (base->hooknum == NF_INET_LOCAL_OUT && base->family != NFPROTO_BRIDGE && r->verdict != PC_NFT_DROP &&
	    !(r->verdict == PC_NFT_POLICY && base->policy == NF_DROP)) {
		if (strcmp(base->type, "route") == 0 &&
		    (r->mark_unknown ? r->mark_set : (p->mark_unknown || r->mark != p->mark)))
			r->reroute = true;
		if (strcmp(base->type, "nat") == 0 && r->dnat && r->nat_addr.family == p->family &&
		    !pp_addr_eq(&r->nat_addr, &p->dst))
			r->reroute = true;
	}
	return 0;
}

/* ---- from the query to the hooks ---- */

void
pc_pkt_for_hook(const struct pc_query *q, const struct pc_facts *f, uint32_t hook, struct pc_pkt *p)
{
	memset(p, 0, sizeof(*p));
	/* After prerouting the packet carries the DNAT'ed destination. */
	if (hook != NF_INET_PRE_ROUTING && hook != NF_INET_LOCAL_OUT && f->dnat)
		q = &f->eq;
	p->family = q->family;
	p->hook = hook;
	p->dst = q->dst;
	p->l4proto = q->proto;
	p->dport = q->dport;
	p->dport_known = q->has_dport || (q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP);
	p->sport = q->sport;
	p->sport_known = q->has_sport || (q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP);
	p->mark = q->mark;
	p->uid_known = q->has_uid;
	p->uid = q->uid;
	p->ct_state = 8;	/* new: pathcheck asks about the first packet of a flow */
	if (q->src.family) {
		p->src = q->src;
		p->src_known = true;
	} else if (f->route_rc == 0 && f->route.prefsrc.family == q->family) {
		/* The kernel picks the route's preferred source for a socket that did not bind. */
		p->src = f->route.prefsrc;
		p->src_known = true;
	}
	if (q->direction != PC_EGRESS && hook != NF_INET_LOCAL_OUT) {
		snprintf(p->iifname, sizeof(p->iifname), "%s", q->iif);
		p->iif = q->iif_index;
	}
	if (hook == NF_INET_LOCAL_OUT || hook == NF_INET_POST_ROUTING || hook == NF_INET_FORWARD) {
		if (f->route_rc == 0 && f->oif_rc == 0 && f->oif_link.name[0]) {
			snprintf(p->oifname, sizeof(p->oifname), "%s", f->oif_link.name);
			p->oif = f->oif_link.ifindex;
		}
	}
}

static bool
family_applies(uint32_t chain_family, int family)
{
	return chain_family == NFPROTO_INET ||
	       (family == AF_INET && chain_family == NFPROTO_IPV4) ||
	       (family == AF_INET6 && chain_family == NFPROTO_IPV6);
}

static bool
hook_applies(const struct pc_query *q, uint32_t hook)
{
	switch (q->direction) {
	case PC_EGRESS: return hook == NF_INET_LOCAL_OUT || hook == NF_INET_POST_ROUTING;
	case PC_INGRESS: return hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_IN;
	case PC_FORWARD:
		return hook == NF_INET_PRE_ROUTING || hook == NF_INET_FORWARD || hook == NF_INET_POST_ROUTING;
	}
	return false;
}

struct base_ctx {
	const struct pc_query *q;
	struct pc_facts *f;
	uint32_t hooks;			/* bit per NF_INET_* hook */
	int err;
};

static int
base_cb(const struct pp_nft_chain *c, void *data)
{
	struct base_ctx *bc = data;
	struct pc_chain *nv;

	if (c->base)
		bc->f->nft_base_total++;
	/* Bridge-family chains see a packet that arrives on a bridge port: prerouting and input (routed). */
	bool bridge = c->family == NFPROTO_BRIDGE && bc->f->bridge_port[0] &&
		      (c->hooknum == NF_BR_PRE_ROUTING || c->hooknum == NF_BR_LOCAL_IN);

	if (!c->base || !(family_applies(c->family, bc->q->family) || bridge) || !hook_applies(bc->q, c->hooknum) ||
	    c->hooknum >= 32 || !(bc->hooks & (1u << c->hooknum)))
		return 0;
	nv = realloc(bc->f->chains, (bc->f->nchains + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	bc->f->chains = nv;
	memset(&nv[bc->f->nchains], 0, sizeof(*nv));
	nv[bc->f->nchains++].c = *c;
	return 0;
}

static int
chain_order(const void *a, const void *b)
{
	const struct pc_chain *x = a, *y = b;

	if (x->c.hooknum != y->c.hooknum)
		return x->c.hooknum < y->c.hooknum ? -1 : 1;
	if (x->c.prio != y->c.prio)
		return x->c.prio < y->c.prio ? -1 : 1;
	return strcmp(x->c.table, y->c.table);
}

/*
 * The kernel's local table, for -m addrtype: an address's type is that of its route
 * there (local, broadcast, ...), multicast by its range, else unicast, as
 * inet_addr_type() answers (IPv6: local when an address of this host, ipv6_chk_addr).
 */
struct local_types {
	int rc;				/* 0, or -errno when the table could not be read */
	size_t n;
	struct { struct pp_addr a; uint8_t len, type; } e[256];
};

static int
local_cb(const struct pp_route *r, void *data)
{
	struct local_types *lt = data;

	if ((r->type == RTN_LOCAL || r->type == RTN_BROADCAST || r->type == RTN_ANYCAST) &&
	    r->dst.family && lt->n < PP_ARRAY_SIZE(lt->e)) {
		lt->e[lt->n].a = r->dst;
		lt->e[lt->n].len = r->dst_len;
		lt->e[lt->n++].type = r->type;
	} else if (lt->n >= PP_ARRAY_SIZE(lt->e))
		lt->rc = -E2BIG;
	return 0;
}

static void
local_types_load(int family, struct local_types *lt)
{
	struct pp_nl nl;
	struct pp_err e = { 0 };

	lt->n = 0;
	lt->rc = pp_nl_open(&nl, NETLINK_ROUTE, &e);
	if (lt->rc < 0)
		return;
	lt->rc = pp_route_dump(&nl, family, RT_TABLE_LOCAL, 0, local_cb, lt, &e);
	if (lt->rc > 0)
		lt->rc = 0;
	pp_nl_close(&nl);
}

static uint16_t
addr_type(const struct local_types *lt, const struct pp_addr *a)
{
	for (size_t i = 0; i < lt->n; i++)
		if (lt->e[i].a.family == a->family && lt->e[i].len == (a->family == AF_INET ? 32 : 128) &&
		    pp_addr_eq(&lt->e[i].a, a))
			return (uint16_t)(1u << lt->e[i].type);
	if (a->family == AF_INET && (a->u.b[0] & 0xf0) == 0xe0)
		return 1u << RTN_MULTICAST;
	if (a->family == AF_INET6 && a->u.b[0] == 0xff)
		return 1u << RTN_MULTICAST;
	if (a->family == AF_INET && (a->u.b[0] | a->u.b[1] | a->u.b[2] | a->u.b[3]) == 0)
		return 1u << RTN_BROADCAST;	/* 0.0.0.0, as inet_addr_type: zeronet */
	if (a->family == AF_INET && (a->u.b[0] & a->u.b[1] & a->u.b[2] & a->u.b[3]) == 0xff)
		return 1u << RTN_BROADCAST;
	return 1u << RTN_UNICAST;
}

static void
pkt_addrtype(const struct local_types *lt, struct pc_pkt *p)
{
	if (lt->rc < 0 || !p->src_known)
		return;
	p->addrtype_known = true;
	p->src_type = addr_type(lt, &p->src);
	p->dst_type = addr_type(lt, &p->dst);
}

void
pc_nft_collect(const struct pc_query *q, struct pc_facts *f, uint32_t hooks)
{
	struct pp_nl nl;
	struct base_ctx bc = { q, f, hooks, 0 };
	struct pc_nft_cache cache = { 0 };
	struct local_types lt = { 0 };
	/* A prerouting nat chain's dnat, for the chains after it on the hook. */
	bool pre_nat = false;
	struct pp_addr pre_dst = { 0 };
	uint16_t pre_dport = 0;
	char pre_nat_by[300] = "";
	size_t first = f->nchains;
	int rc;

	if (f->nft_rc < 0)
		return;
	rc = pp_nl_open(&nl, NETLINK_NETFILTER, &f->nft_err);
	if (rc < 0) {
		f->nft_rc = rc;
		return;
	}
	if (f->nft_resume) {
		/* Called again after the route ran again: carry on with the chain after the one that stopped. */
		first = f->nft_resume - 1;
		f->nft_resume = 0;
	} else {
		rc = pp_nft_chain_dump(&nl, NFPROTO_UNSPEC, base_cb, &bc, &f->nft_err);
		if (rc < 0) {
			f->nft_rc = rc;
			pp_nl_close(&nl);
			return;
		}
		if (f->nchains > first)
			qsort(f->chains + first, f->nchains - first, sizeof(*f->chains), chain_order);
	}
	cache.nl = &nl;
	if (q->follow_choices && !f->choices_init) {
		f->choices_init = true;
		f->choices.npick = q->choice_npick;
		memcpy(f->choices.pick, q->choice_pick, sizeof(f->choices.pick));
	}
	if (f->nchains > first)
		local_types_load(q->family, &lt);
	for (size_t i = first; i < f->nchains; i++) {
		struct pc_chain *c = &f->chains[i];
		const struct pc_nft_result *r = &c->res;
		struct pc_pkt p;

		/*
		 * Prerouting after a nat chain gave the flow its binding: the kernel runs no further
		 * nat chain on the hook (nf_nat_inet_fn stops at the first that binds), and every
		 * later chain sees the new destination.
		 */
		if (c->c.hooknum == NF_INET_PRE_ROUTING && pre_nat && strcmp(c->c.type, "nat") == 0) {
			memset(&c->res, 0, sizeof(c->res));
			c->res.verdict = PC_NFT_POLICY;
			c->res.policy = NF_ACCEPT;
			snprintf(c->res.text, sizeof(c->res.text), "not run: the flow's nat binding was made by %s", pre_nat_by);
			continue;
		}
		pc_pkt_for_hook(q, f, c->c.hooknum, &p);
		if (c->c.hooknum == NF_INET_PRE_ROUTING && pre_nat) {
			if (pre_dst.family == p.family)
				p.dst = pre_dst;
			if (pre_dport) {
				p.dport = pre_dport;
				p.dport_known = true;
			}
		}
		pkt_addrtype(&lt, &p);
		if (q->follow_choices)
			p.choices = &f->choices;
		if (c->c.family == NFPROTO_BRIDGE) {
			/* The bridge family sees the port the frame came in on. */
			snprintf(p.iifname, sizeof(p.iifname), "%s", f->bridge_port);
			p.iif = (int)if_nametoindex(f->bridge_port);
		}
		/* The marks as the chains before this one left them. */
		p.mark = f->mark;
		p.mark_unknown = f->mark_unknown;
		p.ctmark = f->ctmark;
		p.ctmark_unknown = f->ctmark_unknown;
		c->rc = pc_nft_eval_base(&cache, &c->c, &p, &c->res);
		if (r->verdict == PC_NFT_DROP || (r->verdict == PC_NFT_POLICY && r->policy == NF_DROP))
			continue;	/* a dropped packet goes no further: later chains judge a packet that never comes */
		f->mark = r->mark;
		f->mark_unknown = r->mark_unknown;
		f->ctmark = r->ctmark;
		f->ctmark_unknown = r->ctmark_unknown;
		if (r->mark_set && (r->mark_unknown || r->mark != p.mark || p.mark_unknown))
			snprintf(f->mark_by, sizeof(f->mark_by), "%s in %s %s %s", r->mark_stmt,
				 pp_nft_family_name(c->c.family), c->c.table, r->mark_chain);
		if (c->c.hooknum == NF_INET_PRE_ROUTING && strcmp(c->c.type, "nat") == 0 && r->dnat &&
		    r->verdict == PC_NFT_ACCEPT && !pre_nat) {
			pre_nat = true;
			pre_dst = r->nat_addr;
			pre_dport = r->nat_port;
			snprintf(pre_nat_by, sizeof(pre_nat_by), "%s %s %s", pp_nft_family_name(c->c.family),
				 c->c.table, c->c.name);
		}
		if (q->direction != PC_EGRESS || c->c.hooknum != NF_INET_LOCAL_OUT)
			continue;
		/* A dnat at output: the later chains and stations see the new destination (q is f->eq). */
		if (r->dnat && strcmp(c->c.type, "nat") == 0 && !f->dnat) {
			f->dnat = true;
			snprintf(f->dnat_text, sizeof(f->dnat_text), "%s in %s %s %s", r->nat,
				 pp_nft_family_name(c->c.family), c->c.table, r->chain);
			if (r->nat_addr.family == f->eq.family)
				f->eq.dst = r->nat_addr;
			if (r->nat_port) {
				f->eq.dport = r->nat_port;
				f->eq.has_dport = true;
			}
		}
		if (r->reroute) {
			/* The kernel routes again here: stop, the walker runs the route station, then calls in again. */
			snprintf(f->reroute_why, sizeof(f->reroute_why), "%s",
				 strcmp(c->c.type, "nat") == 0 ? f->dnat_text : f->mark_by);
			f->nft_resume = i + 2;
			break;
		}
	}
	pc_nft_cache_free(&cache);
	pp_nl_close(&nl);
}
