/*
 * collect.c: ask the kernel everything pathcheck needs, through common/. Each
 * question records its own result or error in the facts; nothing here decides.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/fib_rules.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "nfteval.h"
#include "pathcheck.h"

/* The rule walk's idea of the flow, as fib_rules_lookup() sees a locally generated packet. */
void
pc_rule_flow(const struct pc_query *q, struct pp_rule_flow *rf)
{
	memset(rf, 0, sizeof(*rf));
	rf->dst = q->dst;
	rf->src = q->src;
	/* Locally generated packets carry the loopback device as their input interface. */
	rf->iifname = q->direction == PC_EGRESS ? "lo" : q->iif;
	rf->oifname = q->oif[0] ? q->oif : NULL;
	rf->mark = q->mark;
	rf->uid = q->has_uid ? q->uid : 0;
	rf->ipproto = q->proto;
	rf->sport = q->sport;
	rf->dport = q->dport;
}

static void
route_query(const struct pc_query *q, struct pp_route_query *rq, bool with_src)
{
	memset(rq, 0, sizeof(*rq));
	rq->family = q->family;
	rq->dst = q->dst;
	if (with_src && q->src.family)
		rq->src = q->src;
	if (q->direction != PC_EGRESS)
		rq->iif = q->iif_index;
	rq->oif = q->oif_index;
	rq->has_mark = q->has_mark;
	rq->mark = q->mark;
	rq->has_uid = q->has_uid;
	rq->uid = q->uid;
	rq->ipproto = q->proto;
	rq->sport = q->sport;
	rq->dport = q->dport;
}

struct special_ctx {
	const struct pp_addr *dst;
	uint8_t want;
	bool found;
	struct pp_route best;
};

/* Longest prefix among the special routes of one table that covers dst. */
static int
special_cb(const struct pp_route *r, void *data)
{
	struct special_ctx *c = data;
	bool covers = r->dst.family ? pp_addr_in_prefix(c->dst, &r->dst, r->dst_len) : true;

	if (!covers || (r->type != c->want && r->type != RTN_THROW))
		return 0;
	if (!c->found || r->dst_len > c->best.dst_len) {
		c->best = *r;
		c->found = true;
	}
	return 0;
}

static uint8_t
errno_route_type(int rc)
{
	switch (rc) {
	case -EINVAL: return RTN_BLACKHOLE;
	case -EHOSTUNREACH: return RTN_UNREACHABLE;
	case -EACCES: return RTN_PROHIBIT;
	default: return RTN_THROW;
	}
}

/*
 * The lookup failed: find out why without dumping whole tables. Walk the rules the
 * flow matches, in order; for each table they send it to, ask the kernel for that
 * table's routes of the failing type (and throw), filtered in the kernel.
 */
static void
explain_failure(struct pp_nl *nl, const struct pc_query *q, struct pc_facts *f)
{
	struct pp_rule_flow rf;
	uint8_t want = errno_route_type(f->route_rc);
	struct pp_err e = { 0 };

	pc_rule_flow(q, &rf);
	for (size_t i = 0; i < f->nrules && f->nspecial < PP_ARRAY_SIZE(f->special); i++) {
		const struct pp_rule *r = &f->rules[i];
		struct special_ctx c = { .dst = &q->dst, .want = want };
		struct pc_special *s;
		int rc;

		if (!pp_rule_match(r, &rf) || r->action != FR_ACT_TO_TBL)
			continue;
		rc = pp_route_dump(nl, q->family, r->table, 0, special_cb, &c, &e);
		s = &f->special[f->nspecial++];
		s->table = r->table;
		s->rule_prio = r->priority;
		/* -ENOENT: the table does not exist, so it holds nothing. */
		if (rc < 0 && rc != -ENOENT)
			continue;
		s->found = c.found;
		if (c.found)
			s->r = c.best;
		if (c.found && c.best.type != RTN_THROW)
			break;
	}
}

struct down_ctx {
	int ifindex[64];
	size_t n;
};

/* Devices that carry addresses: collected here, looked at after the dump. */
static int
down_addr_cb(const struct pp_ifaddr *a, void *data)
{
	struct down_ctx *c = data;

	if (a->scope >= RT_SCOPE_HOST || c->n >= PP_ARRAY_SIZE(c->ifindex))
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->ifindex[i] == a->ifindex)
			return 0;
	c->ifindex[c->n++] = a->ifindex;
	return 0;
}

/* Devices administratively down that carry addresses: their routes are gone. */
static void
find_down_links(struct pp_nl *nl, int family, struct pc_facts *f)
{
	struct down_ctx c = { .n = 0 };
	struct pp_err e = { 0 };

	if (pp_ifaddr_dump(nl, family, down_addr_cb, &c, &e) < 0)
		return;
	for (size_t i = 0; i < c.n; i++) {
		struct pp_link l;
		size_t n = strlen(f->links_down);

		if (pp_link_get(nl, c.ifindex[i], NULL, &l, &e) < 0 || (l.flags & IFF_UP))
			continue;
		snprintf(f->links_down + n, sizeof(f->links_down) - n, "%s%s", n ? "," : "", l.name);
	}
}

static int
qdisc_cb(const struct pp_qdisc *qd, void *data)
{
	struct pc_facts *f = data;
	struct pp_qdisc *nv = realloc(f->qdiscs, (f->nqdiscs + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	f->qdiscs = nv;
	f->qdiscs[f->nqdiscs++] = *qd;
	return 0;
}

static void
collect_route(struct pp_nl *nl, const struct pc_query *q, struct pc_facts *f)
{
	struct pp_route_query rq;

	f->rules_rc = pp_rule_dump(nl, q->family, &f->rules, &f->nrules, &f->rules_err);
	route_query(q, &rq, true);
	f->route_rc = pp_route_get(nl, &rq, &f->route, &f->route_err);
	if (f->route_rc == 0) {
		struct pp_err e = { 0 };

		rq.fibmatch = true;
		f->fib_rc = pp_route_get(nl, &rq, &f->fib, &e);
	} else if (f->rules_rc == 0) {
		explain_failure(nl, q, f);
	}
	/* A source that is not ours makes the output lookup fail with EINVAL: look again without it. */
	if (q->direction == PC_EGRESS && q->src.family && f->src_local == 0) {
		struct pp_err e = { 0 };

		route_query(q, &rq, false);
		f->nosrc_rc = pp_route_get(nl, &rq, &f->nosrc_route, &e);
	}
	if (f->route_rc == -ENETUNREACH)
		find_down_links(nl, q->family, f);
}

static void
collect_path(struct pp_nl *nl, const struct pc_query *q, struct pc_facts *f)
{
	const struct pp_route *r = &f->route;
	int oif = r->oif ? r->oif : (r->nhops ? r->nh[0].ifindex : 0);

	if (f->route_rc < 0 || !oif)
		return;
	f->oif_rc = pp_link_get(nl, oif, NULL, &f->oif_link, &f->oif_err);
	if (r->type == RTN_UNICAST && f->oif_rc == 0 && !(f->oif_link.flags & (IFF_LOOPBACK | IFF_NOARP))) {
		f->need_neigh = true;
		f->nexthop = r->gateway.family == q->family ? r->gateway : q->dst;
		if (r->gateway.family && r->gateway.family != q->family)
			f->nexthop = r->gateway;	/* IPv4 route via an IPv6 next hop */
		f->neigh_rc = pp_neigh_get(nl, oif, &f->nexthop, &f->neigh, &f->neigh_err);
	}
	f->qdisc_rc = pp_qdisc_dump(nl, oif, false, qdisc_cb, NULL, f, &f->qdisc_err);
}

void
pc_collect(const struct pc_query *q, struct pc_facts *f)
{
	struct pp_nl nl;
	struct pp_err e = { 0 };
	int rc;

	memset(f, 0, sizeof(*f));
	rc = pp_nl_open(&nl, NETLINK_ROUTE, &e);
	if (rc < 0) {
		f->route_rc = f->rules_rc = f->src_local = rc;
		f->route_err = f->rules_err = e;
		f->nft_rc = rc;
		f->nft_err = e;
		return;
	}
	if (q->src.family && q->direction == PC_EGRESS)
		f->src_local = pp_ifaddr_find(&nl, &q->src, NULL, &f->src_flags, &e);
	collect_route(&nl, q, f);
	collect_path(&nl, q, f);
	pp_nl_close(&nl);
	pc_nft_collect(q, f);
	f->nlegacy = pp_legacy_iptables(q->family, f->legacy, sizeof(f->legacy));
}

void
pc_facts_free(struct pc_facts *f)
{
	free(f->rules);
	free(f->qdiscs);
	free(f->chains);
	memset(f, 0, sizeof(*f));
}
