/*
 * nagios.c: pmtuprobe --nagios. The verdict is the state (a black hole or a hop that
 * drops big packets: fail, CRITICAL; warn WARNING; unknown UNKNOWN); --warning and
 * --critical judge the path MTU in bytes ("1400:" alerts below 1400), the worse of
 * the two deciding. Perfdata: pmtu (B) when one was found, probes sent.
 */
#include <math.h>
#include <string.h>

#include "pmtuprobe.h"

static int
state_of(enum pp_status st)
{
	switch (st) {
	case PP_ST_OK:
	case PP_ST_SKIPPED: return PP_NAG_OK;
	case PP_ST_WARN: return PP_NAG_WARNING;
	case PP_ST_FAIL: return PP_NAG_CRITICAL;
	default: return PP_NAG_UNKNOWN;
	}
}

int
pm_render_nagios(const struct pm_model *m)
{
	struct pp_nagios *nag = m->o->cli.nag;
	unsigned mtu = pm_path_mtu(m);
	double fig = mtu ? (double)mtu : NAN;
	char dst[INET6_ADDRSTRLEN], sum[512];
	int st = state_of(m->v.status);

	pp_addr_str(&m->o->dst, dst, sizeof(dst));
	snprintf(sum, sizeof(sum), "%s: %s", dst, m->v.summary[0] ? m->v.summary :
		 m->probe_error ? m->probe_err : "no verdict");
	if (pp_nagios_has_thresholds(nag)) {
		int ts = pp_nagios_judge(nag, fig);

		/* The figure first when it decides: the line is cut at 79 characters. */
		if ((ts == PP_NAG_WARNING || ts == PP_NAG_CRITICAL) && pp_nag_worse(ts, st) == ts)
			snprintf(sum, sizeof(sum), "%s: path MTU %u", dst, mtu);
		st = pp_nag_worse(st, ts);
	}
	if (mtu)
		pp_nagios_perf(nag, "pmtu", fig, "B", true, 0, m->max ? (double)m->max : PP_NAG_NONE);
	pp_nagios_perf(nag, "probes", (double)m->probes_sent, "", false, 0, PP_NAG_NONE);
	return pp_nagios_print(nag, stdout, m->o->cli.prog, st, "%s", sum);
}
