/*
 * collect.c: the walker. It takes the stations of the packet's direction in the order the
 * packet meets them (station.c) and runs each one's walk, which asks the kernel (through
 * common/) and may change the packet (f->eq). A station that makes the kernel route again
 * sets w->again: the route station runs again, then the station carries on. When the route
 * station decides an arriving packet's direction, the walk goes on in that direction's order.
 * Each question records its own result or error in the facts; nothing here decides.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pathcheck.h"
#include "probe_series.h"
#include "sysctl.h"

long long
pc_sysctl_or(const char *key, long long dflt)
{
	long long v;

	return pp_sysctl_get(key, &v) == 0 ? v : dflt;
}

static void
collect_sysctls(const struct pc_query *q, struct pc_facts *f)
{
	char key[128];

	f->ip_forward = pc_sysctl_or("net/ipv4/ip_forward", -1);
	f->v6_forwarding = pc_sysctl_or("net/ipv6/conf/all/forwarding", -1);
	f->rp_filter_all = pc_sysctl_or("net/ipv4/conf/all/rp_filter", -1);
	f->accept_local = pc_sysctl_or("net/ipv4/conf/all/accept_local", -1);
	f->route_localnet = pc_sysctl_or("net/ipv4/conf/all/route_localnet", -1);
	f->icmp_echo_ignore = pc_sysctl_or(q->family == AF_INET6 ? "net/ipv6/icmp/echo_ignore_all" :
					"net/ipv4/icmp_echo_ignore_all", -1);
	f->br_nf_call = pc_sysctl_or(q->family == AF_INET6 ? "net/bridge/bridge-nf-call-ip6tables" :
				     "net/bridge/bridge-nf-call-iptables", -1);
	f->iif_forwarding = f->v6_iif_forwarding = f->rp_filter_dev = -1;
	if (q->iif[0]) {
		snprintf(key, sizeof(key), "net/ipv4/conf/%s/forwarding", q->iif);
		f->iif_forwarding = pc_sysctl_or(key, -1);
		snprintf(key, sizeof(key), "net/ipv6/conf/%s/forwarding", q->iif);
		f->v6_iif_forwarding = pc_sysctl_or(key, -1);
		snprintf(key, sizeof(key), "net/ipv4/conf/%s/rp_filter", q->iif);
		f->rp_filter_dev = pc_sysctl_or(key, -1);
	}
}

/* The place of a station in a path, or n when it is not on it. */
static size_t
place_of(const enum pc_station_id *order, size_t n, enum pc_station_id id)
{
	size_t i = 0;

	while (i < n && order[i] != id)
		i++;
	return i;
}

void
pc_collect(const struct pc_query *q0, struct pc_facts *f)
{
	struct pc_walk w = { .q0 = q0, .f = f };
	const enum pc_station_id *order;
	struct pc_query *q;
	struct pp_nl nl;
	struct pp_err e = { 0 };
	size_t n;
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
	w.nl = &nl;
	/* An arriving packet is ingress until the route station's answer says otherwise. */
	if (q->iif[0])
		q->direction = PC_INGRESS;
	w.dir = q->direction;
	order = pc_path_order(w.dir, &n);
	for (size_t i = 0; i < n; i++) {
		enum pc_station_id id = order[i];
		const struct pc_station_ops *op = &pc_stations[id];

		if (!op->walk || !pc_station_on_path(id, w.dir))
			continue;
		op->walk(&w, id);
		while (w.again) {
			w.again = false;
			pc_stations[PC_ROUTE].walk(&w, PC_ROUTE);
			op->walk(&w, id);
		}
		if (q->direction != w.dir) {
			/* The walk goes on along the new direction's path, after this station. */
			w.dir = q->direction;
			order = pc_path_order(w.dir, &n);
			i = place_of(order, n, id);
		}
	}
	pp_nl_close(&nl);
}

void
pc_facts_free(struct pc_facts *f)
{
	free(f->rules);
	free(f->qdiscs);
	free(f->chains);
	if (f->pr.series) {
		free(f->pr.series->p);
		free(f->pr.series->drops);
		free(f->pr.series);
	}
	memset(f, 0, sizeof(*f));
}
