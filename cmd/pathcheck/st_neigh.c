/*
 * st_neigh.c: the neighbour station. Reads the next hop's entry (RTM_GETNEIGH) on the
 * device the route leaves by, when that route needs ARP or NDP.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "pathcheck.h"

/* ---- neighbour, qdisc, device ---- */

static void
eval_neigh(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	char a[INET6_ADDRSTRLEN], st[64], ll[64], err[512];
	const char *dev = f->oif_link.name;
	struct pc_station *s;

	if (f->route_rc < 0) {
		pc_st(res, PC_NEIGHBOUR, PP_ST_SKIPPED, PC_C_NONE, "no route");
		return;
	}
	if (!f->need_neigh) {
		pc_st(res, PC_NEIGHBOUR, PP_ST_SKIPPED, PC_C_NONE, "no neighbour resolution on this path (%s)",
			f->route.type == RTN_LOCAL ? "local delivery" :
			f->oif_rc == 0 && (f->oif_link.flags & IFF_NOARP) ? "device does not use ARP/NDP" :
			"not a unicast route through a device");
		return;
	}
	pp_addr_str(&f->nexthop, a, sizeof(a));
	if (f->neigh_rc == -ENOENT) {
		s = pc_st(res, PC_NEIGHBOUR, PP_ST_OK, PC_C_NONE, "no entry for next hop %s on %s yet; the first packet resolves it", a, dev);
		pp_val_add_str(s->evidence, "next_hop", a);
		return;
	}
	if (f->neigh_rc < 0) {
		s = pc_st(res, PC_NEIGHBOUR, PP_ST_UNKNOWN, pc_cause_of_errno(f->neigh_rc), "neighbour lookup failed: %s",
			    pp_err_str(&f->neigh_err, err, sizeof(err)));
		return;
	}
	pp_neigh_state_name(f->neigh.state, st, sizeof(st));
	if (f->neigh.state & NUD_FAILED) {
		s = pc_st(res, PC_NEIGHBOUR, PP_ST_FAIL, PC_C_NEIGH_FAILED, "next hop %s on %s is FAILED: nobody answered %s",
			    a, dev, q->family == AF_INET6 ? "neighbour solicitation" : "ARP");
	} else if (f->neigh.state & NUD_INCOMPLETE) {
		s = pc_st(res, PC_NEIGHBOUR, PP_ST_FAIL, PC_C_NEIGH_INCOMPLETE, "next hop %s on %s is INCOMPLETE: resolution sent, no answer yet", a, dev);
	} else {
		s = pc_st(res, PC_NEIGHBOUR, PP_ST_OK, PC_C_NONE, "next hop %s on %s is %s", a, dev, st);
	}
	if (s->status == PP_ST_FAIL) {
		/* Packets queued on an entry that does not resolve are freed with NEIGH_FAILED, in either state. */
		snprintf(s->drop_reason, sizeof(s->drop_reason), "NEIGH_FAILED");
		pc_hint(s, "%s neigh show dev %s %s", pc_ipcmd(q), dev, a);
	}
	pp_val_add_str(s->evidence, "next_hop", a);
	pp_val_add_str(s->evidence, "state", st);
	if (f->neigh.lladdr_len)
		pp_val_add_str(s->evidence, "lladdr", pp_lladdr_str(f->neigh.lladdr, f->neigh.lladdr_len, ll, sizeof(ll)));
	if (f->neigh.has_probes)
		pp_val_add_u64(s->evidence, "probes", f->neigh.probes);
}

/* The route's device and next hop: an entry only where the device resolves neighbours. */
void
pc_neigh_walk(struct pc_walk *w, enum pc_station_id id)
{
	struct pc_facts *f = w->f;
	const struct pc_query *q = &f->eq;
	const struct pp_route *r = &f->route;
	int oif = r->oif ? r->oif : (r->nhops ? r->nh[0].ifindex : 0);

	(void)id;
	if (f->route_rc < 0 || !oif)
		return;
	if (r->type == RTN_UNICAST && f->oif_rc == 0 && !(f->oif_link.flags & (IFF_LOOPBACK | IFF_NOARP))) {
		f->need_neigh = true;
		f->nexthop = r->gateway.family == q->family ? r->gateway : q->dst;
		if (r->gateway.family && r->gateway.family != q->family)
			f->nexthop = r->gateway;	/* IPv4 route via an IPv6 next hop */
		f->neigh_rc = pp_neigh_get(w->nl, oif, &f->nexthop, &f->neigh, &f->neigh_err);
	}
}

void
pc_neigh_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	(void)id;
	eval_neigh(q, f, res);
}
