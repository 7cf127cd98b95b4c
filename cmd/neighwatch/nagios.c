/*
 * nagios.c: neighwatch --nagios. The figure --warning and --critical judge is the
 * number of FAILED (or INCOMPLETE) next hops of current routes. Without them the
 * findings decide: a fail CRITICAL, a warn WARNING, a check that could not run
 * UNKNOWN. Perfdata: failed_nexthops, and per family the table's fill against
 * gc_thresh3 in %.
 */
#include <math.h>
#include <string.h>

#include "nw.h"

static int
state_of(enum pp_status st)
{
	switch (st) {
	case PP_ST_FAIL: return PP_NAG_CRITICAL;
	case PP_ST_WARN: return PP_NAG_WARNING;
	case PP_ST_UNKNOWN: return PP_NAG_UNKNOWN;
	default: return PP_NAG_OK;
	}
}

int
nw_render_nagios(const struct nw_snap *s, const struct nw_opts *o, struct pp_cli *c)
{
	struct pp_nagios *nag = c->nag;
	const struct nw_finding *decisive = NULL;
	int st = PP_NAG_OK, fst;
	double failed = 0;
	char lab[64], num[32];
	size_t nent;

	nw_snap_shown(s, &nent);
	for (size_t i = 0; i < s->nf; i++)
		if (s->f[i].kind == NW_F_NEXTHOP_FAILED)
			failed++;
	/* Without the routes there are no next hops to count. */
	if (!s->routes_ok)
		failed = NAN;
	for (size_t i = 0; i < s->nf; i++) {
		const struct nw_finding *f = &s->f[i];

		fst = state_of(f->severity);
		/* With thresholds, the count decides; a check that could not run still says so. */
		if (pp_nagios_has_thresholds(nag) && fst != PP_NAG_UNKNOWN)
			continue;
		if (fst != PP_NAG_OK && (!decisive || pp_nag_worse(st, fst) != st)) {
			st = pp_nag_worse(st, fst);
			decisive = f;
		}
	}
	if (pp_nagios_has_thresholds(nag)) {
		int ts = pp_nagios_judge(nag, failed);

		if (ts != PP_NAG_OK && pp_nag_worse(ts, st) == ts && ts != st)
			decisive = NULL;
		st = pp_nag_worse(st, ts);
	}
	if (!isnan(failed))	/* not counted: no item */
		pp_nagios_perf(nag, "failed_nexthops", failed, "", true, 0, PP_NAG_NONE);
	for (int t = 0; t < 2; t++) {
		const struct nw_table *nt = &s->tables[t];

		if (!nt->have || !nt->has_config || !nt->has_thresh || !nt->thresh3 ||
		    (o->family != AF_UNSPEC && o->family != nt->family))
			continue;
		snprintf(lab, sizeof(lab), "%s_fill", nw_family_name(nt->family));
		pp_nagios_perf(nag, lab, 100.0 * (double)nt->gc_estimate / nt->thresh3, "%", false, 0, 100);
	}
	pp_nagios_perf(nag, "entries", (double)nent, "", false, 0, PP_NAG_NONE);
	if (decisive)
		return pp_nagios_print(nag, stdout, c->prog, st, "%s", decisive->summary);
	pp_nagios_num(failed, num, sizeof(num));
	if (isnan(failed))
		return pp_nagios_print(nag, stdout, c->prog, st, "next hops not known: %s",
				       s->routes_err.what[0] ? s->routes_err.what : "the routes could not be read");
	return pp_nagios_print(nag, stdout, c->prog, st, "%s FAILED next hop%s, %zu entr%s%s", num,
			       failed == 1 ? "" : "s", nent, nent == 1 ? "y" : "ies",
			       st == PP_NAG_OK && !s->nf ? ", no findings" : "");
}
