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
#include "sysctl.h"
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
	f->qdiscs[f->nqdiscs] = *qd;
	/* The kind's payloads point into the message, gone when this returns; pathcheck needs none. */
	f->qdiscs[f->nqdiscs].xstats = f->qdiscs[f->nqdiscs].options = NULL;
	f->qdiscs[f->nqdiscs].xstats_len = f->qdiscs[f->nqdiscs].options_len = 0;
	f->nqdiscs++;
	return 0;
}

/* An ingress or clsact qdisc: the tc ingress hook is in use. */
static int
tc_ingress_cb(const struct pp_qdisc *qd, void *data)
{
	if (strcmp(qd->kind, "ingress") == 0 || strcmp(qd->kind, "clsact") == 0)
		*(bool *)data = true;
	return 0;
}

static int
drops_cb(const struct pp_qdisc *qd, void *data)
{
	*(uint64_t *)data += qd->drops;
	return 0;
}

int
pc_qdisc_drops(struct pp_nl *nl, int ifindex, uint64_t *sum)
{
	struct pp_err e = { 0 };

	*sum = 0;
	return pp_qdisc_dump(nl, ifindex, false, drops_cb, NULL, sum, &e);
}

/*
 * The ports a packet of this host may leave with: ip_local_port_range less
 * ip_local_reserved_ports, as this namespace has them. Returns 0 or -errno.
 */
static int
read_local_ports(struct pc_ports *p)
{
	char buf[1024];
	ssize_t n;

	memset(p, 0, sizeof(*p));
	if ((n = pp_read_file("/proc/sys/net/ipv4/ip_local_port_range", buf, sizeof(buf))) < 0)
		return (int)n;
	if (pc_ports_parse(buf, p) < 0)
		return -EINVAL;
	/* Reserved ports are a later addition; a kernel without the file reserves none. */
	if ((n = pp_read_file("/proc/sys/net/ipv4/ip_local_reserved_ports", buf, sizeof(buf))) == -ENOENT)
		return 0;
	if (n < 0)
		return (int)n;
	/* A list longer than buf would be cut mid-number: read as an error, not as fewer ports. */
	if ((size_t)n >= sizeof(buf) - 1)
		return -E2BIG;
	return pc_ports_reserved_parse(buf, p);
}

/* The FIB entry behind the other port's route, shown as the route station shows its own. */
static void
other_fib(struct pp_nl *nl, const struct pp_route_query *rq, struct pc_facts *f)
{
	struct pp_route_query oq = *rq;
	struct pp_err e = { 0 };

	f->sport_other_fib_rc = -ENOENT;
	if (f->sport_other_rc < 0)
		return;
	oq.sport = f->sport_other;
	oq.fibmatch = true;
	f->sport_other_fib_rc = pp_route_get(nl, &oq, &f->sport_other_fib, &e);
}

/*
 * No --sport for TCP or UDP: the lookup above used port 0, which no rule's source-port
 * range holds. When a rule with one lies on the way to the rule that decided, compare
 * its range with the ports the packet may carry (this host's ephemeral range, or any
 * port of a sender) and ask the kernel again with a real port: one that every port
 * stands for, or, when the range holds only some of them, one inside and one outside.
 * Without such a rule nothing more is read or asked.
 */
static void
collect_sport(struct pp_nl *nl, struct pc_query *q, struct pc_facts *f, struct pp_route_query *rq)
{
	static const struct pc_ports any = { .lo = 1, .hi = 65535 };
	struct pp_rule_flow rf;
	const struct pp_rule *upto = NULL;

	if (q->has_sport || (q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP) || f->rules_rc < 0)
		return;
	pc_rule_flow(q, &rf);
	if (f->route_rc == 0)
		upto = pc_deciding_rule(f, &rf, f->route.table);
	if (!pc_sport_plan(f->rules, f->nrules, &rf, upto, &any, &f->sp))
		return;
	f->sport_checked = true;
	if (q->direction == PC_EGRESS) {
		if ((f->ports_rc = read_local_ports(&f->ports)) < 0) {
			f->sp.cls = PC_SPORT_NONE;	/* the rules are listed; the station cannot tell */
			return;
		}
	} else {
		f->ports = any;
	}
	pc_sport_plan(f->rules, f->nrules, &rf, upto, &f->ports, &f->sp);
	if (f->sp.cls == PC_SPORT_INSIDE) {
		q->sport = rq->sport = f->sp.port_in;
		memset(&f->route_err, 0, sizeof(f->route_err));
		f->route_rc = pp_route_get(nl, rq, &f->route, &f->route_err);
	} else if (f->sp.cls == PC_SPORT_PARTIAL) {
		q->sport = rq->sport = f->sp.port_out;
		memset(&f->route_err, 0, sizeof(f->route_err));
		f->route_rc = pp_route_get(nl, rq, &f->route, &f->route_err);
		f->sport_other = rq->sport = f->sp.port_in;
		f->sport_other_rc = pp_route_get(nl, rq, &f->sport_other_route, &f->sport_other_err);
		/* One port has a route and the other none: the later stations follow the one that works. */
		if (f->route_rc < 0 && f->sport_other_rc == 0) {
			struct pp_route r = f->route;
			struct pp_err e = f->route_err;
			int rc = f->route_rc;

			f->route = f->sport_other_route;
			f->route_err = f->sport_other_err;
			f->route_rc = 0;
			f->sport_other_route = r;
			f->sport_other_err = e;
			f->sport_other_rc = rc;
			f->sport_other = f->sp.port_out;
			q->sport = f->sp.port_in;
		}
		rq->sport = q->sport;
		other_fib(nl, rq, f);
	}
}

static void
collect_route(struct pp_nl *nl, struct pc_query *q, struct pc_facts *f)
{
	struct pp_route_query rq;

	f->rules_rc = pp_rule_dump(nl, q->family, &f->rules, &f->nrules, &f->rules_err);
	route_query(q, &rq, true);
	f->route_rc = pp_route_get(nl, &rq, &f->route, &f->route_err);
	collect_sport(nl, q, f, &rq);
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

static long long
sysctl_or(const char *key, long long dflt)
{
	long long v;

	return pp_sysctl_get(key, &v) == 0 ? v : dflt;
}

static void
collect_sysctls(const struct pc_query *q, struct pc_facts *f)
{
	char key[128];

	f->ip_forward = sysctl_or("net/ipv4/ip_forward", -1);
	f->v6_forwarding = sysctl_or("net/ipv6/conf/all/forwarding", -1);
	f->rp_filter_all = sysctl_or("net/ipv4/conf/all/rp_filter", -1);
	f->accept_local = sysctl_or("net/ipv4/conf/all/accept_local", -1);
	f->route_localnet = sysctl_or("net/ipv4/conf/all/route_localnet", -1);
	f->icmp_echo_ignore = sysctl_or(q->family == AF_INET6 ? "net/ipv6/icmp/echo_ignore_all" :
					"net/ipv4/icmp_echo_ignore_all", -1);
	f->iif_forwarding = f->v6_iif_forwarding = f->rp_filter_dev = -1;
	if (q->iif[0]) {
		snprintf(key, sizeof(key), "net/ipv4/conf/%s/forwarding", q->iif);
		f->iif_forwarding = sysctl_or(key, -1);
		snprintf(key, sizeof(key), "net/ipv6/conf/%s/forwarding", q->iif);
		f->v6_iif_forwarding = sysctl_or(key, -1);
		snprintf(key, sizeof(key), "net/ipv4/conf/%s/rp_filter", q->iif);
		f->rp_filter_dev = sysctl_or(key, -1);
	}
}

/*
 * Conntrack: the count is per namespace, the limit global (read-only inside a
 * namespace), the statistics per CPU (/proc/net/stat/nf_conntrack, hex, one line
 * per CPU under a header naming the columns).
 */
int
pc_ct_stats_read(struct pc_ct_stats *st)
{
	char buf[8192], *save = NULL, *line, *hdr[32];
	int nh = 0;
	ssize_t n;

	memset(st, 0, sizeof(*st));
	if ((n = pp_read_file("/proc/net/stat/nf_conntrack", buf, sizeof(buf))) <= 0)
		return n < 0 ? (int)n : -ENODATA;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *s2 = NULL, *tok;
		int col = 0;

		if (nh == 0) {
			for (tok = strtok_r(line, " \t", &s2); tok && nh < 32; tok = strtok_r(NULL, " \t", &s2))
				hdr[nh++] = tok;
			continue;
		}
		st->ncpus++;
		for (tok = strtok_r(line, " \t", &s2); tok && col < nh; tok = strtok_r(NULL, " \t", &s2), col++) {
			unsigned long long v = strtoull(tok, NULL, 16);
			const char *h = hdr[col];

			if (strcmp(h, "found") == 0) st->found += v;
			else if (strcmp(h, "invalid") == 0) st->invalid += v;
			else if (strcmp(h, "insert") == 0) st->insert += v;
			else if (strcmp(h, "insert_failed") == 0) st->insert_failed += v;
			else if (strcmp(h, "drop") == 0) st->drop += v;
			else if (strcmp(h, "early_drop") == 0) st->early_drop += v;
			else if (strcmp(h, "search_restart") == 0) st->search_restart += v;
			else if (strcmp(h, "clashres") == 0) st->clash_resolve += v;
			else if (strcmp(h, "chaintoolong") == 0) st->chaintoolong += v;
		}
	}
	return st->ncpus ? 0 : -ENODATA;
}

/* Conntrack: the count is per namespace, the limit global (read-only inside a namespace). */
static void
collect_conntrack(struct pc_facts *f)
{
	if (pp_sysctl_get("net/netfilter/nf_conntrack_count", &f->ct_count) < 0) {
		f->ct_rc = -ENOENT;
		return;
	}
	f->ct_max = sysctl_or("net/netfilter/nf_conntrack_max", -1);
	f->ct_buckets = sysctl_or("net/netfilter/nf_conntrack_buckets", -1);
	pc_ct_stats_read(&f->ct);
}

/* Ingress and forward: the packet arrives on q->iif from q->src. */
static void
collect_arriving(struct pp_nl *nl, struct pc_query *q, struct pc_facts *f)
{
	struct pp_route_query rq;
	struct pp_err e = { 0 };

	f->iif_rc = pp_link_get(nl, q->iif_index, NULL, &f->iif_link, &f->iif_err);
	/* A bridge port hands routed packets to the IP stack as arriving on the bridge itself. */
	if (f->iif_rc == 0 && f->iif_link.master && strcmp(f->iif_link.slave_kind, "bridge") == 0) {
		struct pp_link br;

		if (pp_link_get(nl, (int)f->iif_link.master, NULL, &br, &e) == 0) {
			snprintf(f->bridge_port, sizeof(f->bridge_port), "%s", q->iif);
			snprintf(q->iif, sizeof(q->iif), "%s", br.name);
			q->iif_index = br.ifindex;
		}
	}
	pp_qdisc_dump(nl, q->iif_index, false, tc_ingress_cb, NULL, &f->iif_tc_ingress, &e);
	/* Prerouting first: a DNAT there changes where the packet is routed. */
	q->direction = PC_INGRESS;
	pc_nft_collect(q, f, 1u << NF_INET_PRE_ROUTING);
	/*
	 * A mark set in prerouting (any chain type) is on the packet when ip_rcv_finish()
	 * routes it: the lookup and the policy rules see the new mark.
	 */
	if (f->mark_unknown) {
		f->route_mark_unknown = true;
		snprintf(f->route_after, sizeof(f->route_after), "%s", f->mark_by);
	} else if (f->mark != q->mark) {
		q->mark = f->mark;
		q->has_mark = true;
		f->route_mark_changed = true;
		snprintf(f->route_after, sizeof(f->route_after), "%s", f->mark_by);
	}
	f->route_mark = q->mark;
	for (size_t i = 0; i < f->nchains; i++) {
		const struct pc_nft_result *r = &f->chains[i].res;

		if (r->dnat && (r->verdict == PC_NFT_ACCEPT)) {
			f->dnat = true;
			snprintf(f->dnat_text, sizeof(f->dnat_text), "%s", r->nat);
			if (r->nat_addr.family == q->family)
				f->eq.dst = r->nat_addr;
			if (r->nat_port)
				f->eq.dport = r->nat_port;
			f->eq.has_dport = f->eq.has_dport || r->nat_port;
			break;
		}
	}
	q = &f->eq;
	f->rules_rc = pp_rule_dump(nl, q->family, &f->rules, &f->nrules, &f->rules_err);
	route_query(q, &rq, true);
	f->route_rc = pp_route_get(nl, &rq, &f->route, &f->route_err);
	collect_sport(nl, q, f, &rq);
	/* The destination as this host would route it itself, and the way back to the source. */
	route_query(q, &rq, false);
	rq.iif = 0;
	f->out_rc = pp_route_get(nl, &rq, &f->out_route, &e);
	memset(&rq, 0, sizeof(rq));
	rq.family = q->family;
	rq.dst = q->src;
	f->rev_rc = pp_route_get(nl, &rq, &f->rev_route, &e);
	f->src_is_local = pp_ifaddr_find(nl, &q->src, NULL, NULL, &e);
	/* The kernel's answer says which way the packet goes. */
	if (f->route_rc == 0)
		q->direction = f->route.type == RTN_LOCAL ? PC_INGRESS : PC_FORWARD;
	else
		q->direction = f->out_rc == 0 && f->out_route.type == RTN_LOCAL ? PC_INGRESS : PC_FORWARD;
	if (f->route_rc == 0) {
		struct pp_err e2 = { 0 };

		route_query(q, &rq, true);
		rq.fibmatch = true;
		f->fib_rc = pp_route_get(nl, &rq, &f->fib, &e2);
	} else if (f->rules_rc == 0) {
		explain_failure(nl, q, f);
	}
	if (f->route_rc == -ENETUNREACH)
		find_down_links(nl, q->family, f);
	if (q->direction == PC_FORWARD)
		collect_path(nl, q, f);
}

void
pc_collect(const struct pc_query *q0, struct pc_facts *f)
{
	struct pc_query *q;
	struct pp_nl nl;
	struct pp_err e = { 0 };
	int rc;

	memset(f, 0, sizeof(*f));
	f->eq = *q0;
	q = &f->eq;
	if (!q->has_mark)
		q->mark = 0;
	f->mark = f->route_mark = q->mark;	/* the socket's mark (SO_MARK), or none */
	collect_sysctls(q, f);
	rc = pp_nl_open(&nl, NETLINK_ROUTE, &e);
	if (rc < 0) {
		f->route_rc = f->rules_rc = f->src_local = f->iif_rc = rc;
		f->route_err = f->rules_err = f->iif_err = e;
		f->nft_rc = rc;
		f->nft_err = e;
		return;
	}
	if (q->iif[0]) {
		collect_arriving(&nl, q, f);
		if (q->direction == PC_INGRESS)
			pc_collect_socket(q, f);
	} else {
		if (q->src.family)
			f->src_local = pp_ifaddr_find(&nl, &q->src, NULL, &f->src_flags, &e);
		collect_route(&nl, q, f);
		collect_path(&nl, q, f);
	}
	pp_nl_close(&nl);
	switch (q->direction) {
	case PC_EGRESS:
		pc_nft_collect(q, f, 1u << NF_INET_LOCAL_OUT | 1u << NF_INET_POST_ROUTING);
		break;
	case PC_INGRESS:
		pc_nft_collect(q, f, 1u << NF_INET_LOCAL_IN);
		break;
	case PC_FORWARD:
		pc_nft_collect(q, f, 1u << NF_INET_FORWARD | 1u << NF_INET_POST_ROUTING);
		break;
	}
	collect_conntrack(f);
	f->nlegacy = pp_legacy_iptables(q->family, f->legacy, sizeof(f->legacy));
	if (q->probe || q->watch > 0) {
		/* The probe's socket carries the query's mark and sends to the query's destination. */
		struct pc_query pq = *q;

		pq.mark = q0->mark;
		pq.has_mark = q0->has_mark;
		if (q->direction == PC_EGRESS) {
			pq.dst = q0->dst;
			pq.dport = q0->dport;
			pq.has_dport = q0->has_dport;
		}
		pc_probe_run(&pq, f);
	}
}

void
pc_reroute(struct pc_facts *f, const char *why)
{
	struct pc_query *q = &f->eq;
	struct pp_route_query rq;
	struct pp_addr src = q->src;
	struct pp_nl nl;
	struct pp_err e = { 0 };
	size_t n = strlen(f->route_after);

	/* The socket's own lookup failed: nothing reached OUTPUT. A failed reroute dropped the packet. */
	if (f->route_rc < 0)
		return;
	if (!f->rerouted) {
		/* As the route station shows a route: the FIB entry that matched, where known. */
		pp_route_format(f->fib_rc == 0 && f->fib.type ? &f->fib : &f->route, f->route_before,
				sizeof(f->route_before));
		f->src_before = f->route.prefsrc;
	}
	f->rerouted = true;
	if (!strstr(f->route_after, why))
		snprintf(f->route_after + n, sizeof(f->route_after) - n, "%s%s", n ? "; " : "", why);
	if (f->mark_unknown) {
		/* The lookup cannot be asked: the station says so when a policy rule looks at the mark. */
		f->route_mark_unknown = true;
		return;
	}
	if (f->mark != f->route_mark)
		f->route_mark_changed = true;
	q->mark = f->route_mark = f->mark;
	q->has_mark = q->has_mark || f->mark != 0;
	/* ip_route_me_harder() keeps the packet's source, the one the first route chose. */
	if (!src.family && f->src_before.family == q->family)
		src = f->src_before;
	if (pp_nl_open(&nl, NETLINK_ROUTE, &f->route_err) < 0) {
		f->route_rc = -EIO;
		return;
	}
	f->route_rc = f->fib_rc = f->oif_rc = f->neigh_rc = f->qdisc_rc = 0;
	memset(&f->route_err, 0, sizeof(f->route_err));
	memset(&f->route, 0, sizeof(f->route));
	memset(&f->fib, 0, sizeof(f->fib));
	memset(&f->oif_link, 0, sizeof(f->oif_link));
	memset(&f->neigh, 0, sizeof(f->neigh));
	f->nspecial = 0;
	f->links_down[0] = '\0';
	f->need_neigh = false;
	free(f->qdiscs);
	f->qdiscs = NULL;
	f->nqdiscs = 0;
	route_query(q, &rq, true);
	rq.src = src;
	f->route_rc = pp_route_get(&nl, &rq, &f->route, &f->route_err);
	/* The route that depends on the source port: the other port, asked again with the new mark too. */
	if (f->sp.cls == PC_SPORT_PARTIAL) {
		struct pp_route_query oq = rq;

		oq.sport = f->sport_other;
		memset(&f->sport_other_err, 0, sizeof(f->sport_other_err));
		f->sport_other_rc = pp_route_get(&nl, &oq, &f->sport_other_route, &f->sport_other_err);
		other_fib(&nl, &rq, f);
	}
	if (f->route_rc == 0) {
		rq.fibmatch = true;
		f->fib_rc = pp_route_get(&nl, &rq, &f->fib, &e);
	} else if (f->rules_rc == 0) {
		explain_failure(&nl, q, f);
	}
	if (f->route_rc == -ENETUNREACH)
		find_down_links(&nl, q->family, f);
	collect_path(&nl, q, f);
	pp_nl_close(&nl);
}

void
pc_facts_free(struct pc_facts *f)
{
	free(f->rules);
	free(f->qdiscs);
	free(f->chains);
	memset(f, 0, sizeof(*f));
}
