/*
 * nagios.c: ctdump --nagios. The table's statistics are read twice, --duration
 * seconds apart (default 1), so drops are rates over that interval, not counts since
 * the namespace started. The figure --warning and --critical judge is the table's
 * fill, % of nf_conntrack_max. Without them: fill at --max-fill or above CRITICAL,
 * drop, early_drop or insert_failed rising during the interval WARNING. Statistics
 * that cannot be read are UNKNOWN either way. Perfdata: fill %, entries, and drop,
 * early_drop, insert_failed and invalid per second.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctdump.h"
#include "sample.h"

int
ctd_nagios_render(const struct ctd_opts *o, const struct ctd_health *h0, const struct ctd_health *h1, double dt,
		  const struct ctd_warnings *w)
{
	static const enum pp_ct_stat rated[] = { PP_CT_STAT_DROP, PP_CT_STAT_EARLY_DROP,
						 PP_CT_STAT_INSERT_FAILED, PP_CT_STAT_INVALID };
	struct pp_nagios *nag = o->cli.nag;
	double fill = NAN, rate[4] = { 0 };
	bool rising = false;
	char sum[256], num[32];
	int st;

	if (h1->have_global && h1->g.have_entries && h1->g.have_max && h1->g.max > 0)
		fill = 100.0 * (double)h1->g.entries / (double)h1->g.max;
	if (h0->have_cpu && h1->have_cpu && dt > 0) {
		for (size_t i = 0; i < PP_ARRAY_SIZE(rated); i++) {
			/* The sums of per-CPU counters; one that went down (a CPU gone) is no negative rate. */
			uint64_t a = h0->total[rated[i]], b = h1->total[rated[i]];

			rate[i] = b >= a ? (double)(b - a) / dt : 0;
			if (i < 3 && b > a)
				rising = true;
		}
	}
	if (isnan(fill) || !h0->have_cpu || !h1->have_cpu) {
		st = PP_NAG_UNKNOWN;
		snprintf(sum, sizeof(sum), "%s", w && w->n ? w->msg[0] : "conntrack statistics could not be read");
	} else {
		pp_nagios_num(fill, num, sizeof(num));
		if (pp_nagios_has_thresholds(nag))
			st = pp_nagios_judge(nag, fill);
		else
			st = fill >= o->max_fill ? PP_NAG_CRITICAL : rising ? PP_NAG_WARNING : PP_NAG_OK;
		snprintf(sum, sizeof(sum), "table %s%% full (%u of %u)%s", num, h1->g.entries, h1->g.max,
			 rising ? ", dropping now" : "");
	}
	if (!isnan(fill)) {
		pp_nagios_perf(nag, "fill", fill, "%", true, 0, 100);
		pp_nagios_perf(nag, "entries", (double)h1->g.entries, "", false, 0, (double)h1->g.max);
	}
	if (h0->have_cpu && h1->have_cpu)
		for (size_t i = 0; i < PP_ARRAY_SIZE(rated); i++)
			pp_nagios_perf(nag, pp_ct_stat_name(rated[i]), rate[i], "", false, 0, PP_NAG_NONE);
	return pp_nagios_print(nag, stdout, o->cli.prog, st, "%s", sum);
}

int
ctd_nagios(struct ctd_opts *o, struct pp_nl *nl)
{
	struct ctd_health h0, h1;
	struct ctd_warnings w = { 0 };
	double interval = o->duration > 0 ? o->duration : 1, t0;
	int st;

	ctd_collect_health(nl, &h0, o->max_fill, &w);
	ctd_health_eval(&h0, o->max_fill);
	t0 = pp_mono_now();
	pp_sleep_until(t0 + interval);
	ctd_collect_health(nl, &h1, o->max_fill, &w);
	ctd_health_eval(&h1, o->max_fill);
	st = ctd_nagios_render(o, &h0, &h1, pp_mono_now() - t0, &w);
	free(h0.cpu);
	free(h1.cpu);
	return st;
}
