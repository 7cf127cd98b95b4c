/*
 * nagios.c: dropstat --nagios. One interval (-i, default 1 s; the last with -c).
 * The figure --warning and --critical judge is drops per second from skb:kfree_skb:
 * those of this namespace and those not attributable to one, benign reasons left
 * out (the rate --threshold judges). Without thresholds: a rate above --threshold,
 * or a drop counter rising above it, WARNING. Without the tracepoint the figure
 * cannot be measured: UNKNOWN. Perfdata: drops, each station's drops, and each drop
 * counter read, per second.
 */
#include <math.h>
#include <string.h>

#include "dropstat.h"

int
ds_render_nagios(const struct ds_opts *o, const struct ds_eval *ev)
{
	struct pp_nagios *nag = o->cli.nag;
	const struct ds_station_row *top = NULL;
	double fig = ev->ledger_unknown ? NAN : ev->worrying_rate;
	char lab[64], num[32], sum[256];
	int st;

	if (pp_nagios_has_thresholds(nag))
		st = pp_nagios_judge(nag, fig);
	else if (ev->problem)
		st = PP_NAG_WARNING;
	else
		st = ev->ledger_unknown ? PP_NAG_UNKNOWN : PP_NAG_OK;
	/* A counter rising is evidence without the ledger; the ledger missing is still said. */
	if (ev->ledger_unknown)
		st = pp_nag_worse(st, PP_NAG_UNKNOWN);
	for (size_t i = 0; i < ev->nstations; i++)
		if (ev->stations[i].n && (!top || ev->stations[i].rate > top->rate))
			top = &ev->stations[i];
	if (!isnan(fig))
		pp_nagios_perf(nag, "drops", fig, "", true, 0, PP_NAG_NONE);
	for (size_t i = 0; i < ev->nstations && !ev->ledger_unknown; i++) {
		snprintf(lab, sizeof(lab), "station %s", ev->stations[i].station);
		pp_nagios_perf(nag, lab, ev->stations[i].rate, "", false, 0, PP_NAG_NONE);
	}
	for (int c = 0; c < DS_C_N; c++) {
		if (!ev->ctr[c].have || !ds_counters[c].is_drop)
			continue;
		pp_nagios_perf(nag, ds_counters[c].key, ev->ctr[c].rate, "", false, 0, PP_NAG_NONE);
	}
	if (ev->ledger_unknown) {
		snprintf(sum, sizeof(sum), "skb:kfree_skb not counted: drops per second unknown");
	} else {
		pp_nagios_num(fig, num, sizeof(num));
		if (top)
			snprintf(sum, sizeof(sum), "%s drops/s over %.3g s, most at %s (%.4g/s)", num, ev->dt,
				 top->station, top->rate);
		else
			snprintf(sum, sizeof(sum), "%s drops/s over %.3g s", num, ev->dt);
	}
	return pp_nagios_print(nag, stdout, o->cli.prog, st, "%s", sum);
}
