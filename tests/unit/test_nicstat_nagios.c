/*
 * test_nicstat_nagios: nicstat --nagios from models built by hand: each device's
 * Sat as the figure, the worst device named, drops and errors per second as
 * perfdata, the since-boot sample alone UNKNOWN.
 */
#include <stdlib.h>

#include "../../cmd/nicstat/nicstat.h"
#include "nagios_capture.h"
#include "tap.h"

static struct ns_opts o;
static struct ns_model m;

static void
dev(struct ns_dev *d, const char *name, double sat, uint64_t rx_dropped, uint64_t rx_errors, uint64_t qdrops)
{
	memset(d, 0, sizeof(*d));
	snprintf(d->l.name, sizeof(d->l.name), "%s", name);
	d->seen = d->selected = d->has_prev = true;
	d->prev = calloc(1, sizeof(*d->prev));
	d->prev->rx_dropped = 100;	/* since boot: not in the interval */
	d->l.stats.rx_dropped = 100 + rx_dropped;
	d->l.stats.rx_errors = rx_errors;
	d->prev->rx_errors = 0;
	d->r.dt = 2;
	d->r.sat = sat;
	d->r.d_qdrops = qdrops;
	d->r.problem = sat > 0;
}

static int
render(const char *warn, const char *crit, char *out, size_t len)
{
	char buf[4096];
	int st = -1;

	pp_cli_init(&o.cli, "nicstat");
	memset(o.cli.nag, 0, sizeof(*o.cli.nag));
	o.cli.nag->on = true;
	if (warn)
		o.cli.nag->has_warn = pp_range_parse(warn, &o.cli.nag->warn) == 0;
	if (crit)
		o.cli.nag->has_crit = pp_range_parse(crit, &o.cli.nag->crit) == 0;
	CAPTURE(buf, st = ns_render_nagios(&o, &m));
	snprintf(out, len, "%s", buf);
	return st;
}

static void
test_sat(void)
{
	char out[4096];

	memset(&m, 0, sizeof(m));
	m.devs = calloc(2, sizeof(*m.devs));
	m.n = 2;
	dev(&m.devs[0], "b0", 0, 0, 0, 0);
	dev(&m.devs[1], "a0", 8, 10, 2, 4);	/* (10 + 2 + 4) / 2 s */
	/* no thresholds: a Sat above --threshold (0) is WARNING, the device named */
	CHECK_EQ_INT(render(NULL, NULL, out, sizeof(out)), PP_NAG_WARNING);
	CHECK_STR(out, "NICSTAT WARNING - most errors and drops at a0: 8/s over 2 s, 2 devices | "
		       "'b0_sat'=0;;;0 'b0_drops'=0;;;0 'b0_errors'=0;;;0 "
		       "'a0_sat'=8;;;0 'a0_drops'=7;;;0 'a0_errors'=1;;;0\n");
	CHECK_EQ_INT(render("5", "10", out, sizeof(out)), PP_NAG_WARNING);
	CHECK_EQ_INT(render("5", "7.5", out, sizeof(out)), PP_NAG_CRITICAL);
	CHECK(strstr(out, "'a0_sat'=8;5;7.5;0") != NULL);
	CHECK_EQ_INT(render("10", NULL, out, sizeof(out)), PP_NAG_OK);
	/* the since-boot sample alone has no rate */
	m.since_boot = true;
	CHECK_EQ_INT(render("10", NULL, out, sizeof(out)), PP_NAG_UNKNOWN);
	CHECK_STR(out, "NICSTAT UNKNOWN - one sample only: no rates\n");
	m.since_boot = false;
	/* nothing selected: no figure */
	m.devs[0].selected = m.devs[1].selected = false;
	CHECK_EQ_INT(render(NULL, NULL, out, sizeof(out)), PP_NAG_UNKNOWN);
	for (size_t i = 0; i < m.n; i++)
		free(m.devs[i].prev);
	free(m.devs);
}

int
main(void)
{
	RUN(test_sat);
	return tap_done();
}
