/*
 * nagios.c: qdiscstat --nagios. Two samples one interval apart (-i, default 1 s);
 * the figure --warning and --critical judge is each device's drops per second at
 * its root qdiscs (egress root and ingress), the worst device deciding. Without
 * thresholds the findings decide: a problem (drops rising above --drop-rate)
 * WARNING. Perfdata per device: drops and overlimits per second, backlog in bytes.
 */
#include <linux/pkt_sched.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "qs.h"

struct dev_sum {
	bool seen;
	double drops_ps, overlimits_ps;
	uint64_t backlog;
	const char *kind;		/* the root qdisc that drops most */
	double kind_ps;
};

int
qs_render_nagios(struct pp_cli *c, const struct qs_sample *s, const struct qs_eval *ev, bool have_prev)
{
	struct pp_nagios *nag = c->nag;
	struct dev_sum *d;
	const struct qs_finding *decisive = NULL;
	int st = PP_NAG_OK, worst_dev = -1, ndev = 0;
	char lab[64], num[32];

	if (!have_prev)
		return pp_nagios_print(nag, stdout, c->prog, PP_NAG_UNKNOWN, "one sample only: no rates");
	d = calloc(s->ndev ? s->ndev : 1, sizeof(*d));
	if (!d)
		return pp_nagios_print(nag, stdout, c->prog, PP_NAG_UNKNOWN, "out of memory");
	for (size_t i = 0; i < ev->nrows; i++) {
		const struct qs_row *r = &ev->rows[i];
		size_t k;

		if (!r->dev || r->o->is_class || !r->has_delta || !r->selected || r->dev->filtered)
			continue;
		if (r->o->parent != TC_H_ROOT && r->o->parent != TC_H_INGRESS)
			continue;
		k = (size_t)(r->dev - s->dev);
		if (k >= s->ndev)
			continue;
		d[k].seen = true;
		d[k].drops_ps += r->drops_ps;
		d[k].overlimits_ps += r->overlimits_ps;
		d[k].backlog += r->o->backlog;
		if (!d[k].kind || r->drops_ps > d[k].kind_ps) {
			d[k].kind = r->o->kind;
			d[k].kind_ps = r->drops_ps;
		}
	}
	for (size_t k = 0; k < s->ndev; k++) {
		int ds;

		if (!d[k].seen)
			continue;
		ndev++;
		ds = pp_nagios_judge(nag, d[k].drops_ps);
		if (worst_dev < 0 || pp_nag_worse(st, ds) != st ||
		    (ds == st && d[k].drops_ps > d[worst_dev].drops_ps)) {
			st = pp_nag_worse(st, ds);
			worst_dev = (int)k;
		}
		snprintf(lab, sizeof(lab), "%s drops", s->dev[k].name);
		pp_nagios_perf(nag, lab, d[k].drops_ps, "", true, 0, PP_NAG_NONE);
		snprintf(lab, sizeof(lab), "%s overlimits", s->dev[k].name);
		pp_nagios_perf(nag, lab, d[k].overlimits_ps, "", false, 0, PP_NAG_NONE);
		snprintf(lab, sizeof(lab), "%s backlog", s->dev[k].name);
		pp_nagios_perf(nag, lab, (double)d[k].backlog, "B", false, 0, PP_NAG_NONE);
	}
	if (!pp_nagios_has_thresholds(nag)) {
		st = PP_NAG_OK;
		for (size_t i = 0; i < ev->nf; i++)
			if (ev->f[i].level == QS_L_PROBLEM) {
				st = PP_NAG_WARNING;
				decisive = &ev->f[i];
				break;
			}
	}
	if (worst_dev < 0) {
		free(d);
		return pp_nagios_print(nag, stdout, c->prog, pp_nag_worse(st, PP_NAG_UNKNOWN),
				       "no root qdisc on the devices chosen");
	}
	if (decisive) {
		free(d);
		return pp_nagios_print(nag, stdout, c->prog, st, "%s", decisive->summary);
	}
	pp_nagios_num(d[worst_dev].drops_ps, num, sizeof(num));
	pp_nagios_print(nag, stdout, c->prog, st, "most drops at %s: %s/s (%s) over %.3g s, %d device%s",
			s->dev[worst_dev].name, num, d[worst_dev].kind ? d[worst_dev].kind : "?", ev->dt, ndev,
			ndev == 1 ? "" : "s");
	free(d);
	return st;
}
