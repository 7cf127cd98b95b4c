/*
 * test_pmtuprobe_nagios: pmtuprobe --nagios from models built by hand: the verdict
 * is the state, --warning/--critical judge the path MTU, none found UNKNOWN.
 */
#include <arpa/inet.h>
#include <stdlib.h>

#include "../../cmd/pmtuprobe/pmtuprobe.h"
#include "nagios_capture.h"
#include "tap.h"

static struct pm_opts o;

static struct pm_model *
model(enum pp_status st, unsigned mtu, const char *summary)
{
	struct pm_model *m = calloc(1, sizeof(*m));
	struct in_addr a;

	memset(&o, 0, sizeof(o));
	pp_cli_init(&o.cli, "pmtuprobe");
	memset(o.cli.nag, 0, sizeof(*o.cli.nag));
	o.cli.nag->on = true;
	inet_pton(AF_INET, "203.0.113.2", &a);
	pp_addr_set(&o.dst, AF_INET, &a, 4);
	m->o = &o;
	m->max = 1500;
	m->probes_sent = 9;
	m->searched = mtu != 0;
	m->search.lo = mtu;
	m->v.status = st;
	snprintf(m->v.summary, sizeof(m->v.summary), "%s", summary);
	return m;
}

static int
render(struct pm_model *m, const char *warn, const char *crit, char *out, size_t len)
{
	char buf[4096];
	int st = -1;

	if (warn)
		o.cli.nag->has_warn = pp_range_parse(warn, &o.cli.nag->warn) == 0;
	if (crit)
		o.cli.nag->has_crit = pp_range_parse(crit, &o.cli.nag->crit) == 0;
	CAPTURE(buf, st = pm_render_nagios(m));
	snprintf(out, len, "%s", buf);
	return st;
}

static void
test_states(void)
{
	struct pm_model *m;
	char out[4096];

	m = model(PP_ST_OK, 1400, "path MTU 1400");
	CHECK_EQ_INT(render(m, NULL, NULL, out, sizeof(out)), PP_NAG_OK);
	CHECK_STR(out, "PMTUPROBE OK - 203.0.113.2: path MTU 1400 | 'pmtu'=1400B;;;0;1500 'probes'=9;;;0\n");
	free(m);
	m = model(PP_ST_OK, 1400, "path MTU 1400");
	CHECK_EQ_INT(render(m, "1500:", "1280:", out, sizeof(out)), PP_NAG_WARNING);
	CHECK_STR(out, "PMTUPROBE WARNING - 203.0.113.2: path MTU 1400 | 'pmtu'=1400B;1500:;1280:;0;1500 'probes'=9;;;0\n");
	free(m);
	m = model(PP_ST_OK, 1400, "path MTU 1400");
	CHECK_EQ_INT(render(m, "1500:", "1401:", out, sizeof(out)), PP_NAG_CRITICAL);
	free(m);
	/* a black hole is CRITICAL whatever the MTU's thresholds say */
	m = model(PP_ST_FAIL, 1280, "black hole: packets of 1281 bytes vanish");
	CHECK_EQ_INT(render(m, "1000:", NULL, out, sizeof(out)), PP_NAG_CRITICAL);
	CHECK(STARTS(out, "PMTUPROBE CRITICAL - 203.0.113.2: black hole: packets of 1281 bytes vanish | "));
	free(m);
	m = model(PP_ST_WARN, 1400, "a PTB that names an MTU above the probe");
	CHECK_EQ_INT(render(m, NULL, NULL, out, sizeof(out)), PP_NAG_WARNING);
	free(m);
	/* nothing got through: no MTU to judge, no pmtu item */
	m = model(PP_ST_UNKNOWN, 0, "no answer to any size");
	CHECK_EQ_INT(render(m, "1280:", NULL, out, sizeof(out)), PP_NAG_UNKNOWN);
	CHECK_STR(out, "PMTUPROBE UNKNOWN - 203.0.113.2: no answer to any size | 'probes'=9;;;0\n");
	free(m);
	m = model(PP_ST_OK, 0, "");
	CHECK_EQ_INT(render(m, "1280:", NULL, out, sizeof(out)), PP_NAG_UNKNOWN);
	free(m);
}

int
main(void)
{
	RUN(test_states);
	return tap_done();
}
