/* collect.c: the snapshot: links, neighbours, routes' next hops and the tables, read through common/. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "nexthop.h"
#include "nw.h"
#include "parse.h"

/* ---- collect ---- */

int
nw_link_cb(const struct pp_link *l, void *data)
{
	return nw_snap_add_link(data, l);
}

void
nw_link_reset(void *data)
{
	((struct nw_snap *)data)->nlinks = 0;
}

struct neigh_ctx {
	struct nw_snap *s;
	const struct nw_opts *o;
	size_t keep;		/* entries of earlier dumps, kept when this one restarts */
	struct pp_nhobj_table nhobj;	/* nexthop objects, for routes that only name one */
	bool nhobj_ok;
	unsigned nhobj_unresolved;	/* routes whose nexthop object could not be read */
};

static int
neigh_cb(const struct pp_neigh *n, void *data)
{
	struct neigh_ctx *c = data;

	if (c->o->family && n->family != c->o->family)
		return 0;
	return nw_snap_add_neigh(c->s, n);
}

static void
neigh_reset(void *data)
{
	struct neigh_ctx *c = data;

	c->s->nent = c->keep;
}

static int
route_cb(const struct pp_route *r, void *data)
{
	struct neigh_ctx *c = data;
	struct pp_route rr, ex;

	/*
	 * A route through a nexthop object, with nexthop_compat_mode off, names only
	 * the object: its gateways come from the object (a group's members).
	 */
	if (r->nhid && !r->nhops && !r->gateway.family && r->type == RTN_UNICAST) {
		int n;

		ex = *r;
		n = c->nhobj_ok ? pp_nhobj_expand(&c->nhobj, r->nhid, ex.nh, PP_ROUTE_MAX_NH) : -1;
		if (n < 0) {
			c->nhobj_unresolved++;
		} else if (n == 1 && !pp_nhobj_find(&c->nhobj, r->nhid)->is_group) {
			ex.gateway = ex.nh[0].gw;
			ex.oif = ex.nh[0].ifindex;
		} else {
			ex.nhops = n;
		}
		r = &ex;
	}
	if (!c->o->ifindex)
		return nw_snap_add_route(c->s, r, c->o);
	/* --dev: keep only the next hops on that device. */
	rr = *r;
	rr.nhops = 0;
	for (int i = 0; i < r->nhops; i++)
		if (r->nh[i].ifindex == c->o->ifindex)
			rr.nh[rr.nhops++] = r->nh[i];
	if (r->nhops && !rr.nhops)
		return 0;
	if (!r->nhops && r->oif != c->o->ifindex)
		return 0;
	return nw_snap_add_route(c->s, &rr, c->o);
}

int
nw_ntable_cb(const struct pp_ntable *t, void *data)
{
	return nw_snap_add_ntable(data, t);
}

void
nw_ntable_reset(void *data)
{
	struct nw_snap *s = data;

	memset(s->tables, 0, sizeof(s->tables));
	s->tables[0].family = AF_INET;
	s->tables[1].family = AF_INET6;
}

static int collect_selection(const struct pp_cli *c, struct pp_nl *nl, struct nw_opts *o, struct nw_snap *s);

/* Resolve --dev against the link dump. Returns PP_EXIT_OK or PP_EXIT_USAGE after a message. */
int
nw_resolve_dev(const struct pp_cli *c, struct nw_snap *s, struct nw_opts *o)
{
	if (!o->dev)
		return PP_EXIT_OK;
	for (size_t i = 0; i < s->nlinks; i++)
		if (strcmp(s->links[i].name, o->dev) == 0) {
			o->ifindex = s->links[i].ifindex;
			return PP_EXIT_OK;
		}
	pp_warnx(c, "--dev: '%s': no such device", o->dev);
	return PP_EXIT_USAGE;
}

/*
 * Collect a snapshot. Returns 0, or an exit code when the neighbour dump itself
 * failed (the other parts fail soft: their check is reported unknown).
 */
int
nw_collect(const struct pp_cli *c, struct pp_nl *nl, struct nw_opts *o, struct nw_snap *s)
{
	struct neigh_ctx nc = { .s = s, .o = o };
	struct pp_err e = { 0 };
	int fams[2] = { AF_INET, AF_INET6 }, rc;

	if ((rc = pp_link_dump(nl, nw_link_cb, nw_link_reset, s, &s->links_err)) < 0)
		nw_snap_warn(s, "device names unknown: RTM_GETLINK dump: %s", strerror(-rc));
	else
		s->links_ok = true;
	if ((rc = nw_resolve_dev(c, s, o)) != PP_EXIT_OK)
		return rc;
	/*
	 * One dump per family: an AF_UNSPEC dump also brings the bridges' FDB entries
	 * (AF_BRIDGE), which are not neighbours of ours. A restarted dump (DUMP_INTR)
	 * forgets only its own family's entries.
	 */
	for (int i = 0; i < 2; i++) {
		size_t keep = s->nent;

		if (o->family && o->family != fams[i])
			continue;
		nc.keep = keep;
		if ((rc = pp_neigh_dump(nl, fams[i], o->ifindex, neigh_cb, neigh_reset, &nc, &e)) < 0) {
			const char *needs = pp_errno_needs(-rc);

			if ((rc = pp_cli_snap_refuse(c, &e)) != 0)
				return rc;

			pp_warn_err(c, &e);
			if (needs)
				pp_warnx(c, "%s", needs);
			return PP_EXIT_UNKNOWN;
		}
	}
	s->entries_ok = true;
	s->routes_ok = true;
	/* Read before the route dumps (no netlink I/O from inside a dump); a kernel without them fails soft. */
	nc.nhobj_ok = pp_nhobj_dump(nl, &nc.nhobj, &e) == 0;
	for (int i = 0; i < 2; i++) {
		if (o->family && o->family != fams[i])
			continue;
		rc = pp_route_dump(nl, fams[i], o->route_all_tables ? 0 : o->route_table, RTN_UNICAST, route_cb,
				   &nc, &s->routes_err);
		/* IPv4 creates a FIB table with its first route: until then the dump says ENOENT. */
		if (rc == -ENOENT)
			continue;
		if (rc < 0) {
			s->routes_ok = false;
			break;
		}
	}
	if (nc.nhobj_unresolved)
		nw_snap_warn(s, "%u route(s) use a nexthop object that could not be read (RTM_GETNEXTHOP%s): their gateways are not checked",
			     nc.nhobj_unresolved, nc.nhobj_ok ? ": no such id" : " failed");
	pp_nhobj_table_free(&nc.nhobj);
	if ((rc = pp_ntable_dump(nl, o->family, nw_ntable_cb, nw_ntable_reset, s, &s->tables_err)) < 0)
		s->tables_ok = false;
	else
		s->tables_ok = true;
	if (o->select && (rc = collect_selection(c, nl, o, s)) != 0)
		return rc;
	if (nl->bad_msgs)
		nw_snap_warn(s, "%llu malformed netlink messages skipped", (unsigned long long)nl->bad_msgs);
	if (s->tables_ok && !o->watch)
		nw_snap_warn(s, "the neighbour table limits (gc_thresh1/2/3), entry counts and counters are global: "
				"every network namespace counts against them together");
	return 0;
}

static int
sel_cb(const struct pp_neigh *n, void *data)
{
	struct neigh_ctx *c = data;

	if (!nw_select_match(c->o, n))
		return 0;
	return nw_snap_add_sel(c->s, n);
}

static void
sel_reset(void *data)
{
	struct neigh_ctx *c = data;

	c->s->nsel = c->keep;
}

/*
 * The selection: --get asks the kernel for the one entry (RTM_GETNEIGH, no dump),
 * --proxy dumps the proxy entries, otherwise the dumped table is filtered. Returns
 * 0 or an exit code after a message.
 */
static int
collect_selection(const struct pp_cli *c, struct pp_nl *nl, struct nw_opts *o, struct nw_snap *s)
{
	struct neigh_ctx nc = { .s = s, .o = o };
	int fams[2] = { AF_INET, AF_INET6 }, rc;
	struct pp_err e = { 0 };

	s->select = true;
	if (o->has_get) {
		char a[INET6_ADDRSTRLEN];
		struct pp_neigh n;

		rc = pp_neigh_get_flags(nl, o->ifindex, &o->get, o->proxy ? NTF_PROXY : 0, &n, &e);
		if (rc == -ENOENT) {
			nw_snap_warn(s, "no %sneighbour entry for %s on %s", o->proxy ? "proxy " : "",
				     pp_addr_str(&o->get, a, sizeof(a)), o->dev);
			return 0;
		}
		if (rc < 0) {
			pp_warn_err(c, &e);
			return PP_EXIT_UNKNOWN;
		}
		return sel_cb(&n, &nc) < 0 ? PP_EXIT_UNKNOWN : 0;
	}
	if (!o->proxy) {
		for (size_t i = 0; i < s->nent; i++)
			if (nw_select_match(o, &s->ent[i]) && nw_snap_add_sel(s, &s->ent[i]) < 0)
				return PP_EXIT_UNKNOWN;
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		if (o->family && o->family != fams[i])
			continue;
		nc.keep = s->nsel;
		if ((rc = pp_neigh_dump_proxy(nl, fams[i], o->ifindex, sel_cb, sel_reset, &nc, &e)) < 0) {
			pp_warn_err(c, &e);
			return PP_EXIT_UNKNOWN;
		}
	}
	return 0;
}

int
nw_render_prom_snapshot(struct pp_cli *c, const struct nw_snap *s, const struct nw_watch *w,
		     const uint64_t *wctr, bool ok)
{
	struct pp_out out;
	struct pp_prom p;
	int rc;

	if ((rc = pp_out_begin(c, &out)) != 0)
		return rc;
	pp_prom_init(&p, out.f);
	if (ok && s)
		nw_render_prom(s, &p);
	if (ok && w) {
		static const char *fam[2] = { "inet", "inet6" };

		pp_prom_family(&p, "pktpath_neighwatch_flaps_total", "counter",
			       "Entries that started flapping during the watch.");
		for (int i = 0; i < 2; i++) {
			struct pp_label l = { "family", fam[i] };

			pp_prom_sample_u64(&p, "pktpath_neighwatch_flaps_total", &l, 1, w->fam[i].flaps);
		}
		pp_prom_family(&p, "pktpath_neighwatch_lladdr_changes_total", "counter",
			       "Link-layer address changes of one IP seen during the watch.");
		for (int i = 0; i < 2; i++) {
			struct pp_label l = { "family", fam[i] };

			pp_prom_sample_u64(&p, "pktpath_neighwatch_lladdr_changes_total", &l, 1, w->fam[i].lladdr_changes);
		}
		pp_prom_family(&p, "pktpath_neighwatch_events_total", "counter", "Neighbour events received.");
		pp_prom_sample_u64(&p, "pktpath_neighwatch_events_total", NULL, 0, wctr[0]);
		pp_prom_family(&p, "pktpath_neighwatch_overruns_total", "counter",
			       "Event socket overruns (ENOBUFS), each followed by a resync dump.");
		pp_prom_sample_u64(&p, "pktpath_neighwatch_overruns_total", NULL, 0, wctr[1]);
		pp_prom_family(&p, "pktpath_neighwatch_events_lost_total", "counter",
			       "Events the kernel dropped for this watcher (socket drops).");
		pp_prom_sample_u64(&p, "pktpath_neighwatch_events_lost_total", NULL, 0, wctr[2]);
	}
	pp_prom_run_info(&p, "pktpath_neighwatch", ok);
	return pp_out_end(c, &out, true);
}

/* ---- the hidden benchmark floor: the snapshot's neighbour dumps, messages only counted ---- */

static int
count_cb(const struct nlmsghdr *nlh, void *data)
{
	(*(uint64_t *)data)++;
	(void)nlh;
	return 0;
}

static int
count_only(struct pp_cli *c, struct pp_nl *nl, const struct nw_opts *o)
{
	int fams[2] = { AF_INET, AF_INET6 };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct pp_err e = { 0 };
	uint64_t n = 0;

	for (int i = 0; i < 2; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct ndmsg *ndm;

		if (o->family && o->family != fams[i])
			continue;
		nlh->nlmsg_type = RTM_GETNEIGH;
		ndm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndm));
		ndm->ndm_family = (uint8_t)fams[i];
		pp_err_set(&e, 0, "RTM_GETNEIGH dump");
		if (pp_nl_dump(nl, nlh, count_cb, &n, NULL, &e) < 0) {
			pp_warn_err(c, &e);
			return PP_EXIT_UNKNOWN;
		}
	}
	printf("neighbours %llu\n", (unsigned long long)n);
	return PP_EXIT_OK;
}

int
nw_snapshot(struct pp_cli *c, struct nw_opts *o)
{
	struct pp_err e = { 0 };
	struct nw_snap s;
	struct pp_nl nl;
	int rc, erc;

	nw_snap_init(&s);
	if ((rc = pp_nl_open(&nl, NETLINK_ROUTE, &e)) < 0) {
		pp_warn_err(c, &e);
		if (c->format == PP_FMT_PROM)
			nw_render_prom_snapshot(c, NULL, NULL, NULL, false);
		return PP_EXIT_UNKNOWN;
	}
	if (o->count_only) {
		rc = count_only(c, &nl, o);
		pp_nl_close(&nl);
		return rc;
	}
	rc = nw_collect(c, &nl, o, &s);
	pp_nl_close(&nl);
	if (rc != 0) {
		if (c->format == PP_FMT_PROM && rc != PP_EXIT_USAGE)
			nw_render_prom_snapshot(c, NULL, NULL, NULL, false);
		nw_snap_free(&s);
		return rc;
	}
	rc = nw_eval(&s, o);
	if (rc < 0) {
		pp_warnx(c, "out of memory");
		nw_snap_free(&s);
		return PP_EXIT_UNKNOWN;
	}
	if (c->nag->on) {
		rc = nw_render_nagios(&s, o, c);
		nw_snap_free(&s);
		return rc;
	}
	switch (c->format) {
	case PP_FMT_JSON:
		nw_render_json(&s, o, c, stdout);
		break;
	case PP_FMT_PROM:
		if ((erc = nw_render_prom_snapshot(c, &s, NULL, NULL, true)) != 0)
			rc = erc;
		break;
	default:
		nw_render_text(&s, o, c, stdout);
		break;
	}
	fflush(stdout);
	nw_snap_free(&s);
	return rc;
}
