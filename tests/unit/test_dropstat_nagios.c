/*
 * test_dropstat_nagios: dropstat --nagios from evaluations built by hand: drops
 * per second as the figure, the stations and drop counters as perfdata, the
 * ledger missing UNKNOWN (a counter rising still WARNING).
 */
#include <math.h>

#include "../../cmd/dropstat/dropstat.h"
#include "nagios_capture.h"
#include "tap.h"

static struct ds_opts o;

static void
eval(struct ds_eval *ev, double rate, bool problem)
{
	memset(ev, 0, sizeof(*ev));
	ev->dt = 1;
	ev->worrying_rate = rate;
	ev->problem = problem;
	ev->nstations = 2;
	ev->stations[0] = (struct ds_station_row){ "netfilter", 30, 30, 30 };
	ev->stations[1] = (struct ds_station_row){ "qdisc", 0, 4, 0 };
	ev->ctr[DS_C_QDISC_DROPS] = (struct ds_ctr_row){ DS_C_QDISC_DROPS, true, 0, 4, 0 };
	ev->ctr[DS_C_SOFTNET_SQUEEZE] = (struct ds_ctr_row){ DS_C_SOFTNET_SQUEEZE, true, 9, 9, 9 };	/* no drop */
}

static int
render(const struct ds_eval *ev, const char *warn, const char *crit, char *out, size_t len)
{
	char buf[4096];
	int st = -1;

	memset(&o, 0, sizeof(o));
	pp_cli_init(&o.cli, "dropstat");
	memset(o.cli.nag, 0, sizeof(*o.cli.nag));
	o.cli.nag->on = true;
	if (warn)
		o.cli.nag->has_warn = pp_range_parse(warn, &o.cli.nag->warn) == 0;
	if (crit)
		o.cli.nag->has_crit = pp_range_parse(crit, &o.cli.nag->crit) == 0;
	CAPTURE(buf, st = ds_render_nagios(&o, ev));
	snprintf(out, len, "%s", buf);
	return st;
}

static void
test_rate(void)
{
	struct ds_eval ev;
	char out[4096];

	eval(&ev, 30, true);
	CHECK_EQ_INT(render(&ev, NULL, NULL, out, sizeof(out)), PP_NAG_WARNING);
	CHECK_STR(out, "DROPSTAT WARNING - 30 drops/s over 1 s, most at netfilter (30/s) | 'drops'=30;;;0 "
		       "'station_netfilter'=30;;;0 'station_qdisc'=0;;;0 'qdisc_drops'=0;;;0\n");
	CHECK_EQ_INT(render(&ev, "10", "100", out, sizeof(out)), PP_NAG_WARNING);
	CHECK(strstr(out, "'drops'=30;10;100;0") != NULL);
	CHECK_EQ_INT(render(&ev, "10", "20", out, sizeof(out)), PP_NAG_CRITICAL);
	CHECK_EQ_INT(render(&ev, "100", NULL, out, sizeof(out)), PP_NAG_OK);
	eval(&ev, 0, false);
	ev.stations[0].n = 0;
	ev.stations[0].rate = 0;
	CHECK_EQ_INT(render(&ev, NULL, NULL, out, sizeof(out)), PP_NAG_OK);
	CHECK(STARTS(out, "DROPSTAT OK - 0 drops/s over 1 s | "));
}

static void
test_no_ledger(void)
{
	struct ds_eval ev;
	char out[4096];

	eval(&ev, 0, false);
	ev.ledger_unknown = true;
	CHECK_EQ_INT(render(&ev, "10", "100", out, sizeof(out)), PP_NAG_UNKNOWN);
	CHECK_STR(out, "DROPSTAT UNKNOWN - skb:kfree_skb not counted: drops per second unknown | 'qdisc_drops'=0;;;0\n");
	CHECK_EQ_INT(render(&ev, NULL, NULL, out, sizeof(out)), PP_NAG_UNKNOWN);
	/* a drop counter rising above --threshold is evidence without the ledger */
	ev.problem = true;
	CHECK_EQ_INT(render(&ev, NULL, NULL, out, sizeof(out)), PP_NAG_WARNING);
}

int
main(void)
{
	RUN(test_rate);
	RUN(test_no_ledger);
	return tap_done();
}
