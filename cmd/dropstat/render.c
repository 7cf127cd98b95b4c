/* render.c: dropstat's text (a top-like table), JSON and Prometheus output. Only writes. */
#include <stdio.h>
#include <string.h>

#include "../pathcheck/station.h"
#include "dropstat.h"
#include "json.h"
#include "prom.h"

static const char attr_note[] =
	"not attributable: dropped in softirq/irq context or by a kernel thread; skb:kfree_skb "
	"carries no namespace, so only a process-context drop names its namespace";

static bool
ctr_shown(const struct ds_opts *o, const struct ds_ctr_row *c, const struct ds_counters *cur)
{
	return o->all || !cur->have[c->c] || c->delta > 0;
}

void
ds_render_text(FILE *f, const struct ds_render_ctx *rc, const struct ds_ledger *l,
	       const struct ds_counters *cur, const struct ds_eval *ev)
{
	const struct ds_opts *o = rc->o;
	const char *ns = pp_cli_netns_name(&o->cli);
	unsigned shown = 0;
	bool any = false;

	fprintf(f, "dropstat: sample %u, %.2f s, namespace %s\n", rc->index, ev->dt, ns ? ns : "(current)");
	if (ev->ledger_unknown) {
		fprintf(f, "kernel drops (skb:kfree_skb): unknown: %s\n", l && l->needs[0] ? l->needs : "not opened");
	} else {
		fprintf(f, "kernel drops (skb:kfree_skb on %u CPUs, %s): %.1f/s; here %llu, not attributable %llu, "
			"other namespaces %llu (left out)",
			l->ncpus, l->tracefs, ev->worrying_rate, (unsigned long long)ev->here,
			(unsigned long long)ev->unattr, (unsigned long long)ev->other);
		if (l->lost)
			fprintf(f, ", LOST %llu (ring full: not counted by reason)", (unsigned long long)l->lost);
		fputc('\n', f);
		if (ev->nstations) {
			fprintf(f, "\n%-16s %10s %10s %12s\n", "STATION", "DROPS", "/s", "TOTAL");
			for (size_t i = 0; i < ev->nstations; i++) {
				const struct ds_station_row *s = &ev->stations[i];

				if (!s->n && !o->all)
					continue;
				fprintf(f, "%-16s %10llu %10.1f %12llu\n", s->station, (unsigned long long)s->n,
					s->rate, (unsigned long long)s->total);
			}
		}
		for (size_t i = 0; i < ev->nrows; i++) {
			const struct ds_row *r = &ev->rows[i];

			if (!o->all && r->n[DS_A_HERE] + r->n[DS_A_UNATTR] == 0)
				continue;
			if (o->top && shown >= o->top)
				break;
			if (!shown++)
				fprintf(f, "\n%-28s %-15s %9s %9s %9s %10s  %s\n", "REASON", "STATION", "HERE",
					"NOT-ATTR", "/s", "TOTAL", "LOCATION");
			fprintf(f, "%-28s %-15s %9llu %9llu %9.1f %10llu  %s%s%s\n", r->reason_name, r->station,
				(unsigned long long)r->n[DS_A_HERE], (unsigned long long)r->n[DS_A_UNATTR], r->rate,
				(unsigned long long)(r->total[DS_A_HERE] + r->total[DS_A_UNATTR]),
				r->top_loc && r->top_loc->symbol[0] ? r->top_loc->symbol : "?",
				r->nlocs > 1 ? " (+more)" : "", r->benign ? "  [benign]" : "");
			if (r->n[DS_A_UNATTR])
				any = true;
		}
		if (!shown)
			fprintf(f, "no drops in this namespace or unattributable in the interval\n");
		if (any)
			fprintf(f, "(%s)\n", attr_note);
	}
	shown = 0;
	for (int k = 0; k < DS_C_N; k++) {
		const struct ds_ctr_row *c = &ev->ctr[k];

		if (!ctr_shown(o, c, cur))
			continue;
		if (!shown++)
			fprintf(f, "\n%-24s %-15s %10s %10s %14s  %s\n", "COUNTER", "STATION", "DELTA", "/s",
				"VALUE", "SCOPE");
		if (!cur->have[k]) {
			fprintf(f, "%-24s %-15s %10s %10s %14s  unknown: %s\n", ds_counters[k].key,
				ds_counters[k].station, "-", "-", "-", cur->needs[k]);
			continue;
		}
		fprintf(f, "%-24s %-15s %10llu %10.1f %14llu  %s%s\n", ds_counters[k].key, ds_counters[k].station,
			(unsigned long long)c->delta, c->rate, (unsigned long long)c->value,
			ds_counters[k].host_wide ? "host" : "namespace", ds_counters[k].is_drop ? "" : " (not drops)");
	}
	if (!shown)
		fprintf(f, "\ncounters: none moved (-a shows them all)\n");
}

void
ds_render_json(FILE *f, const struct ds_render_ctx *rc, const struct ds_ledger *l,
	       const struct ds_counters *cur, const struct ds_eval *ev)
{
	const struct ds_opts *o = rc->o;
	struct pp_json j;

	pp_json_init(&j, f, o->cli.pretty);
	pp_json_obj_open(&j, NULL);
	pp_json_str(&j, "schema", "dropstat/1");
	pp_json_str(&j, "netns", pp_cli_netns_name(&o->cli));
	pp_json_u64(&j, "sample", rc->index);
	pp_json_double(&j, "interval_seconds", ev->dt);
	pp_json_double(&j, "run_seconds", rc->run_seconds);
	pp_json_bool(&j, "problem", ev->problem);

	pp_json_obj_open(&j, "tracepoint");
	pp_json_str(&j, "event", "skb:kfree_skb");
	if (ev->ledger_unknown) {
		pp_json_str(&j, "status", "unknown");
		pp_json_str(&j, "needs", l && l->needs[0] ? l->needs : "not opened (--no-tracepoint)");
	} else {
		pp_json_str(&j, "status", "ok");
		pp_json_str(&j, "method", "perf sampling, one event per CPU");
		pp_json_str(&j, "tracefs", l->tracefs);
		pp_json_u64(&j, "cpus", l->ncpus);
		pp_json_bool(&j, "symbols", l->have_syms);
		pp_json_u64(&j, "reasons_known", l->fmt->nreasons);
		pp_json_u64(&j, "here", ev->here);
		pp_json_u64(&j, "not_attributable", ev->unattr);
		pp_json_u64(&j, "other_netns", ev->other);
		pp_json_u64(&j, "lost", l->lost);
		pp_json_u64(&j, "lost_total", l->lost_total);
		pp_json_u64(&j, "drops", ev->worrying);
		pp_json_double(&j, "rate", ev->worrying_rate);
	}
	pp_json_obj_close(&j);

	pp_json_arr_open(&j, "stations");
	for (size_t i = 0; !ev->ledger_unknown && i < ev->nstations; i++) {
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "station", ev->stations[i].station);
		pp_json_u64(&j, "drops", ev->stations[i].n);
		pp_json_double(&j, "rate", ev->stations[i].rate);
		pp_json_u64(&j, "total", ev->stations[i].total);
		pp_json_obj_close(&j);
	}
	pp_json_arr_close(&j);

	pp_json_arr_open(&j, "drops");
	for (size_t i = 0; !ev->ledger_unknown && i < ev->nrows; i++) {
		const struct ds_row *r = &ev->rows[i];

		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "reason", r->reason_name);
		pp_json_u64(&j, "reason_value", r->reason);
		pp_json_str(&j, "station", r->station);
		pp_json_bool(&j, "benign", r->benign);
		pp_json_u64(&j, "here", r->n[DS_A_HERE]);
		pp_json_u64(&j, "not_attributable", r->n[DS_A_UNATTR]);
		pp_json_u64(&j, "other_netns", r->n[DS_A_OTHER]);
		pp_json_double(&j, "rate", r->rate);
		pp_json_u64(&j, "total_here", r->total[DS_A_HERE]);
		pp_json_u64(&j, "total_not_attributable", r->total[DS_A_UNATTR]);
		pp_json_u64(&j, "total_other_netns", r->total[DS_A_OTHER]);
		if (r->top_loc && r->top_loc->symbol[0])
			pp_json_str(&j, "location", r->top_loc->symbol);
		pp_json_u64(&j, "locations", r->nlocs);
		pp_json_obj_close(&j);
	}
	pp_json_arr_close(&j);

	pp_json_arr_open(&j, "counters");
	for (int k = 0; k < DS_C_N; k++) {
		const struct ds_ctr_row *c = &ev->ctr[k];

		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "counter", ds_counters[k].key);
		pp_json_str(&j, "station", ds_counters[k].station);
		pp_json_str(&j, "source", ds_counters[k].source);
		pp_json_str(&j, "scope", ds_counters[k].host_wide ? "host" : "netns");
		pp_json_bool(&j, "drops", ds_counters[k].is_drop);
		if (!cur->have[k]) {
			pp_json_str(&j, "status", "unknown");
			pp_json_str(&j, "needs", cur->needs[k]);
		} else {
			pp_json_str(&j, "status", "ok");
			pp_json_u64(&j, "value", c->value);
			if (c->have) {
				pp_json_u64(&j, "delta", c->delta);
				pp_json_double(&j, "rate", c->rate);
			}
			if (k <= DS_C_QDISC_DROPS) {
				pp_json_arr_open(&j, "devices");
				for (size_t i = 0; i < cur->ndev; i++) {
					if (k == DS_C_QDISC_DROPS && !cur->dev[i].has_qdisc)
						continue;
					pp_json_obj_open(&j, NULL);
					pp_json_str(&j, "device", cur->dev[i].name);
					pp_json_str(&j, "dev", cur->dev[i].name);	/* the old key, an alias for one release */
					pp_json_u64(&j, "value", cur->dev[i].v[k]);
					pp_json_obj_close(&j);
				}
				pp_json_arr_close(&j);
			}
		}
		pp_json_obj_close(&j);
	}
	pp_json_arr_close(&j);
	pp_json_arr_open(&j, "warnings");
	if (!ev->ledger_unknown && l->lost)
		pp_json_str(&j, NULL, "the perf ring was full: some drops were lost before their reason was read");
	if (!ev->ledger_unknown && !l->have_syms)
		pp_json_str(&j, NULL, "kallsyms hides addresses: locations unknown, stations by reason only");
	pp_json_arr_close(&j);
	pp_json_obj_close(&j);
	pp_json_end(&j);
	fflush(f);
}

void
ds_render_prom(FILE *f, const struct ds_render_ctx *rc, const struct ds_ledger *l,
	       const struct ds_counters *cur, const struct ds_eval *ev, bool success)
{
	struct pp_prom p;

	pp_prom_init(&p, f);
	if (ev) {
		pp_prom_family(&p, "pktpath_dropstat_tracepoint_up", "gauge",
			       "1 if skb:kfree_skb could be read, 0 if not (the drop families are then absent).");
		pp_prom_sample_u64(&p, "pktpath_dropstat_tracepoint_up", NULL, 0, ev->ledger_unknown ? 0 : 1);
		pp_prom_family(&p, "pktpath_dropstat_window_seconds", "gauge",
			       "Seconds this dropstat has watched skb:kfree_skb; the drop counters count from its start.");
		pp_prom_sample(&p, "pktpath_dropstat_window_seconds", NULL, 0, rc->run_seconds);
	}
	if (ev && !ev->ledger_unknown) {
		/* reason is one of the running kernel's enum skb_drop_reason names, station one of a fixed set: bounded */
		pp_prom_family(&p, "pktpath_kernel_drops_total", "counter",
			       "Packets the kernel dropped (skb:kfree_skb), in this namespace or not attributable to one, by drop reason and station.");
		for (size_t i = 0; i < ev->nrows; i++) {
			const struct ds_row *r = &ev->rows[i];
			struct pp_label lb[] = { { "reason", r->reason_name }, { "station", r->station } };

			pp_prom_sample_u64(&p, "pktpath_kernel_drops_total", lb, 2,
					   r->total[DS_A_HERE] + r->total[DS_A_UNATTR]);
		}
		pp_prom_family(&p, "pktpath_station_drops_total", "counter",
			       "Packets the kernel dropped, by station, leaving out drops a healthy host shows all the time.");
		/*
		 * Every station a drop can be put at, 0 where none was seen, so that a series
		 * exists before the first drop (rate() and absent() alerts need it): the
		 * stations of pathcheck's table, "netfilter" (a rule's drop, on whichever hook),
		 * and "unmapped".
		 */
		for (size_t i = 0; i <= PC_NSTATIONS + 1; i++) {
			const char *name = i < PC_NSTATIONS ? pc_station_name(i)
				: i == PC_NSTATIONS ? pc_stations[PC_PREROUTING].family : "unmapped";
			struct pp_label lb[] = { { "station", name } };
			uint64_t total = 0;

			if (!name)
				continue;
			for (size_t k = 0; k < ev->nstations; k++)
				if (strcmp(ev->stations[k].station, name) == 0)
					total = ev->stations[k].total;
			pp_prom_sample_u64(&p, "pktpath_station_drops_total", lb, 1, total);
		}
		pp_prom_family(&p, "pktpath_dropstat_other_netns_drops_total", "counter",
			       "Drops seen in process context of another network namespace, left out of the families above.");
		{
			uint64_t other = 0;

			for (size_t i = 0; i < ev->nrows; i++)
				other += ev->rows[i].total[DS_A_OTHER];
			pp_prom_sample_u64(&p, "pktpath_dropstat_other_netns_drops_total", NULL, 0, other);
		}
		pp_prom_family(&p, "pktpath_dropstat_lost_drops_total", "counter",
			       "Drops the perf ring had no room for: counted nowhere else.");
		pp_prom_sample_u64(&p, "pktpath_dropstat_lost_drops_total", NULL, 0, l->lost_total);
	}
	if (ev) {
		pp_prom_family(&p, "pktpath_dropstat_kernel_stat_available", "gauge",
			       "1 if the counter could be read, 0 if not.");
		for (int k = 0; k < DS_C_N; k++) {
			struct pp_label lb[] = { { "stat", ds_counters[k].key } };

			pp_prom_sample_u64(&p, "pktpath_dropstat_kernel_stat_available", lb, 1, cur->have[k] ? 1 : 0);
		}
		pp_prom_family(&p, "pktpath_dropstat_kernel_stat_total", "counter",
			       "Kernel counters of drops with no tracepoint, as the kernel keeps them (since boot or since the device was made).");
		for (int k = 0; k < DS_C_N; k++) {
			struct pp_label lb[] = { { "stat", ds_counters[k].key }, { "station", ds_counters[k].station },
						 { "scope", ds_counters[k].host_wide ? "host" : "netns" } };

			if (cur->have[k])
				pp_prom_sample_u64(&p, "pktpath_dropstat_kernel_stat_total", lb, 3, cur->v[k]);
		}
	}
	pp_prom_run_info(&p, "pktpath_dropstat", success);
}
