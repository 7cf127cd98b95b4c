/*
 * dropstat: which kernel station drops packets right now, and why?
 * args -> namespace -> open (tracepoint, netlink) -> per interval: watch, collect,
 * evaluate, render -> exit status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "dropstat.h"
#include "sample.h"

static int
emit_prom(struct ds_opts *o, const struct ds_render_ctx *rc, const struct ds_ledger *l,
	  const struct ds_counters *cur, const struct ds_eval *ev, bool success)
{
	struct pp_out out;
	int x;

	if ((x = pp_out_begin(&o->cli, &out)) != 0)
		return x;
	ds_render_prom(out.f, rc, l, cur, ev, success);
	return pp_out_end(&o->cli, &out, true);
}

static double
wall_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
tool_main(int argc, char *argv[])
{
	struct ds_opts o;
	struct ds_ledger *l = NULL;
	struct ds_collector c;
	struct ds_counters prev, cur;
	struct ds_render_ctx rc;
	bool problem = false, unknown = false;
	double t0;
	int rc_exit = PP_EXIT_OK, x;

	if ((x = ds_args(argc, argv, &o)) != PP_EXIT_OK)
		return x == PP_EXIT_HELP ? PP_EXIT_OK : x;
	pp_cli_stdout_buffered();
	memset(&rc, 0, sizeof(rc));
	rc.o = &o;
	if ((x = pp_cli_enter_netns(&o.cli)) != PP_EXIT_OK) {
		if (o.cli.format == PP_FMT_PROM)
			emit_prom(&o, &rc, NULL, NULL, NULL, false);
		return x;
	}
	l = calloc(1, sizeof(*l));
	if (!l) {
		pp_warnx(&o.cli, "out of memory");
		return PP_EXIT_UNKNOWN;
	}
	if (o.no_tracepoint) {
		l->status = -ENOENT;
		snprintf(l->needs, sizeof(l->needs), "not opened (--no-tracepoint)");
	} else {
		ds_ledger_open(l);
		if (l->status < 0)
			pp_warnx(&o.cli, "skb:kfree_skb: %s; the counters still run", l->needs);
	}
	ds_collector_open(&c);
	ds_collect_counters(&c, &prev);
	if (l->status == 0)
		ds_ledger_next(l, true);	/* drops before the first counters belong to no interval */
	t0 = prev.mono;
	for (uint64_t s = 1; o.count == 0 || s <= o.count; s++) {
		double deadline = t0 + o.interval * (double)s, now;
		struct ds_eval ev;
		bool last = o.count != 0 && s == o.count;

		while ((now = pp_mono_now()) < deadline) {
			double left = (deadline - now) * 1e3;

			ds_ledger_poll(l, left > 100 ? 100 : (int)left + 1);
		}
		if (l->status == 0)
			ds_ledger_close_interval(l);
		ds_collect_counters(&c, &cur);
		if (ds_evaluate(l, &prev, &cur, o.threshold, &ev) < 0) {
			pp_warnx(&o.cli, "out of memory");
			ds_counters_free(&cur);
			rc_exit = PP_EXIT_UNKNOWN;
			break;
		}
		rc.index = (unsigned)s;
		rc.wall = wall_now();
		rc.run_seconds = cur.mono - t0;
		if (ev.problem)
			problem = true;
		if (ev.ledger_unknown || ev.counters_unknown)
			unknown = true;
		if (o.cli.nag->on) {
			if (last)
				ds_render_nagios(&o, &ev);
		} else switch (o.cli.format) {
		case PP_FMT_TEXT:
			if (s > 1)
				putchar('\n');
			ds_render_text(stdout, &rc, l, &cur, &ev);
			fflush(stdout);
			break;
		case PP_FMT_JSON:
			ds_render_json(stdout, &rc, l, &cur, &ev);
			break;
		case PP_FMT_PROM:
			/* the last sample; every sample of a run until interrupted (the file is rewritten) */
			if (last || o.count == 0)
				if ((x = emit_prom(&o, &rc, l, &cur, &ev, true)) != 0)
					rc_exit = x;
			break;
		}
		ds_eval_free(&ev);
		ds_counters_free(&prev);
		prev = cur;
		if (l->status == 0)
			ds_ledger_next(l, false);
		if (rc_exit != PP_EXIT_OK)
			break;
	}
	ds_counters_free(&prev);
	ds_collector_close(&c);
	ds_ledger_close(l);
	free(l);
	fflush(stdout);
	if (rc_exit != PP_EXIT_OK)
		return rc_exit;
	if (problem)
		return PP_EXIT_PROBLEM;
	return unknown ? PP_EXIT_UNKNOWN : PP_EXIT_OK;
}

int
main(int argc, char *argv[])
{
	return pp_cli_main(argc, argv, tool_main);
}
