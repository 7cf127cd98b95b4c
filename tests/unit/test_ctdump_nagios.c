/*
 * test_ctdump_nagios: ctdump --nagios from two health reads built by hand: the
 * fill % as the figure, drops as rates over the interval (not counts since boot),
 * statistics missing UNKNOWN.
 */
#include <math.h>

#include "../../cmd/ctdump/ctdump.h"
#include "nagios_capture.h"
#include "tap.h"

static struct ctd_opts o;

static void
health(struct ctd_health *h, unsigned entries, unsigned max, uint64_t drop, uint64_t insert_failed)
{
	memset(h, 0, sizeof(*h));
	h->have_global = h->g.have_entries = h->g.have_max = true;
	h->g.entries = entries;
	h->g.max = max;
	h->have_cpu = true;
	h->total[PP_CT_STAT_DROP] = drop;
	h->total[PP_CT_STAT_INSERT_FAILED] = insert_failed;
}

static int
render(const struct ctd_health *a, const struct ctd_health *b, const char *warn, const char *crit, char *out,
       size_t len)
{
	char buf[4096];
	int st = -1;

	memset(&o, 0, sizeof(o));
	pp_cli_init(&o.cli, "ctdump");
	memset(o.cli.nag, 0, sizeof(*o.cli.nag));
	o.cli.nag->on = true;
	o.max_fill = 90;
	if (warn)
		o.cli.nag->has_warn = pp_range_parse(warn, &o.cli.nag->warn) == 0;
	if (crit)
		o.cli.nag->has_crit = pp_range_parse(crit, &o.cli.nag->crit) == 0;
	CAPTURE(buf, st = ctd_nagios_render(&o, a, b, 2.0, NULL));
	snprintf(out, len, "%s", buf);
	return st;
}

static void
test_fill_and_rates(void)
{
	struct ctd_health a, b;
	char out[4096];

	/* 1000 old drops since boot, none in the interval: OK, rate 0 */
	health(&a, 500, 1000, 1000, 7);
	health(&b, 500, 1000, 1000, 7);
	CHECK_EQ_INT(render(&a, &b, NULL, NULL, out, sizeof(out)), PP_NAG_OK);
	CHECK_STR(out, "CTDUMP OK - table 50% full (500 of 1000) | 'fill'=50%;;;0;100 'entries'=500;;;0;1000 "
		       "'drop'=0;;;0 'early_drop'=0;;;0 'insert_failed'=0;;;0 'invalid'=0;;;0\n");
	/* drops rising during it: WARNING, the rates per second */
	health(&b, 500, 1000, 1010, 11);
	CHECK_EQ_INT(render(&a, &b, NULL, NULL, out, sizeof(out)), PP_NAG_WARNING);
	CHECK(STARTS(out, "CTDUMP WARNING - table 50% full (500 of 1000), dropping now | "));
	CHECK(strstr(out, "'drop'=5;;;0 'early_drop'=0;;;0 'insert_failed'=2;;;0") != NULL);
	/* at --max-fill: CRITICAL */
	health(&b, 900, 1000, 1000, 7);
	CHECK_EQ_INT(render(&a, &b, NULL, NULL, out, sizeof(out)), PP_NAG_CRITICAL);
	/* thresholds on the fill decide, drops or not */
	health(&b, 850, 1000, 1010, 7);
	CHECK_EQ_INT(render(&a, &b, "80", "95", out, sizeof(out)), PP_NAG_WARNING);
	CHECK(strstr(out, "'fill'=85%;80;95;0;100") != NULL);
	CHECK_EQ_INT(render(&a, &b, "80", "84.9", out, sizeof(out)), PP_NAG_CRITICAL);
	CHECK_EQ_INT(render(&a, &b, "90", "95", out, sizeof(out)), PP_NAG_OK);
	/* a counter that went down (a CPU gone) is no negative rate */
	health(&b, 500, 1000, 900, 7);
	render(&a, &b, NULL, NULL, out, sizeof(out));
	CHECK(strstr(out, "'drop'=0;;;0") != NULL);
}

static void
test_unknown(void)
{
	struct ctd_health a, b;
	char out[4096];

	/* conntrack not loaded: no global statistics, no fill to judge */
	health(&a, 0, 0, 0, 0);
	a.have_global = false;
	b = a;
	CHECK_EQ_INT(render(&a, &b, "80", "95", out, sizeof(out)), PP_NAG_UNKNOWN);
	CHECK_STR(out, "CTDUMP UNKNOWN - conntrack statistics could not be read | 'drop'=0;;;0 "
		       "'early_drop'=0;;;0 'insert_failed'=0;;;0 'invalid'=0;;;0\n");
	/* the per-CPU statistics missing in one read: the rates are not known, no OK */
	health(&a, 10, 1000, 0, 0);
	health(&b, 10, 1000, 0, 0);
	a.have_cpu = false;
	CHECK_EQ_INT(render(&a, &b, NULL, NULL, out, sizeof(out)), PP_NAG_UNKNOWN);
	CHECK(strstr(out, "'drop'") == NULL);
}

int
main(void)
{
	RUN(test_fill_and_rates);
	RUN(test_unknown);
	return tap_done();
}
