/*
 * nagios.c: nicstat --nagios. Two samples at least, one interval apart; the figure
 * --warning and --critical judge is each device's Sat: errors and drops per second
 * (with the root qdisc's drops), the worst device deciding. Without thresholds the
 * evaluation decides: Sat or a NIC error counter above --threshold WARNING.
 * Perfdata per device: sat, drops and errors per second, util % where known.
 */
#include <string.h>

#include "nicstat.h"

int
ns_render_nagios(const struct ns_opts *o, const struct ns_model *m)
{
	struct pp_nagios *nag = o->cli.nag;
	const struct ns_dev *worst = NULL;
	int st = PP_NAG_OK, n = 0;
	char lab[64], num[32];

	if (m->since_boot)
		return pp_nagios_print(nag, stdout, o->cli.prog, PP_NAG_UNKNOWN, "one sample only: no rates");
	for (size_t i = 0; i < m->n; i++) {
		const struct ns_dev *d = &m->devs[i];
		const struct ns_result *r = &d->r;
		double dt = r->dt > 0 ? r->dt : 1;
		uint64_t drops, errs;
		int ds;

		if (!d->seen || !d->selected)
			continue;
		n++;
		drops = ns_delta(d, NS_F_RX_DROPPED) + ns_delta(d, NS_F_RX_MISSED) + ns_delta(d, NS_F_TX_DROPPED) +
			r->d_qdrops;
		errs = ns_delta(d, NS_F_RX_ERRORS) + ns_delta(d, NS_F_TX_ERRORS) + ns_delta(d, NS_F_COLLISIONS);
		if (pp_nagios_has_thresholds(nag))
			ds = pp_nagios_judge(nag, r->sat);
		else
			ds = r->problem || r->nic_rising ? PP_NAG_WARNING : PP_NAG_OK;
		if (!worst || pp_nag_worse(st, ds) != st || (ds == st && r->sat > worst->r.sat)) {
			st = pp_nag_worse(st, ds);
			worst = d;
		}
		snprintf(lab, sizeof(lab), "%s sat", d->l.name);
		pp_nagios_perf(nag, lab, r->sat, "", true, 0, PP_NAG_NONE);
		snprintf(lab, sizeof(lab), "%s drops", d->l.name);
		pp_nagios_perf(nag, lab, (double)drops / dt, "", false, 0, PP_NAG_NONE);
		snprintf(lab, sizeof(lab), "%s errors", d->l.name);
		pp_nagios_perf(nag, lab, (double)errs / dt, "", false, 0, PP_NAG_NONE);
		if (r->util_known) {
			snprintf(lab, sizeof(lab), "%s util", d->l.name);
			pp_nagios_perf(nag, lab, r->util, "%", false, 0, 100);
		}
	}
	if (!worst)
		return pp_nagios_print(nag, stdout, o->cli.prog, PP_NAG_UNKNOWN, "no device selected");
	pp_nagios_num(worst->r.sat, num, sizeof(num));
	return pp_nagios_print(nag, stdout, o->cli.prog, st, "most errors and drops at %s: %s/s over %.3g s, %d device%s",
			       worst->l.name, num, worst->r.dt, n, n == 1 ? "" : "s");
}
