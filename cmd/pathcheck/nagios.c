/*
 * nagios.c: pathcheck --nagios. The verdict decides the state (fail CRITICAL, warn
 * WARNING, unknown UNKNOWN, ok OK); --warning and --critical apply to the probe's
 * round trip in milliseconds. Perfdata: the probe's rtt and loss (one probe: 0 or
 * 100 %), per target with -f.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "pathcheck.h"
#include "station.h"

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

static const char *
verb(enum pp_status st)
{
	switch (st) {
	case PP_ST_FAIL: return "dies at";
	case PP_ST_WARN: return "may die at";
	default: return "cannot be decided at";
	}
}

/* "203.0.113.2 tcp/443" */
static void
what(const struct pc_target *t, char *buf, size_t len)
{
	char d[INET6_ADDRSTRLEN];

	if (t->rc != PP_EXIT_OK || !t->q.dst.family) {
		snprintf(buf, len, "%s", t->label);
		return;
	}
	pp_addr_str(&t->q.dst, d, sizeof(d));
	if (t->q.has_dport)
		snprintf(buf, len, "%s %s/%u", d, pc_proto_name(t->q.proto), t->q.dport);
	else
		snprintf(buf, len, "%s %s", d, pc_proto_name(t->q.proto));
}

/* The answer's round trip in ms, or NAN when none was seen. */
static double
rtt_ms(const struct pc_target *t)
{
	const struct pc_probe *pr = &t->f.pr;

	if (t->rc != PP_EXIT_OK || !pr->ran || pr->watch)
		return NAN;
	if (pr->outcome != PC_PR_CONNECTED && pr->outcome != PC_PR_REPLY && pr->outcome != PC_PR_REFUSED)
		return NAN;
	return pr->rtt * 1e3;
}

/* One target's state and sentence. */
static int
one(const struct pc_opts *o, const struct pc_target *t, char *sum, size_t len)
{
	const struct pc_result *r = &t->r;
	char w[256];
	int st;

	what(t, w, sizeof(w));
	if (t->rc != PP_EXIT_OK) {
		snprintf(sum, len, "%s: %s", w, t->error);
		return PP_NAG_UNKNOWN;
	}
	st = state_of(r->verdict_status);
	if (r->verdict_station == PC_NSTATIONS) {
		snprintf(sum, len, "%s: %s", w, r->branches_summary[0] ? r->branches_summary : "every station passes");
	} else {
		const struct pc_result *d = r->decided_by ? r->decided_by : r;

		snprintf(sum, len, "%s %s %s: %s", w, verb(r->verdict_status), pc_station_name(r->verdict_station),
			 r->branches_summary[0] ? r->branches_summary : d->st[r->verdict_station].summary);
	}
	if (pp_nagios_has_thresholds(o->cli.nag)) {
		double ms = rtt_ms(t);
		int ts = pp_nagios_judge(o->cli.nag, ms);

		/* No answer seen: the RTT cannot be judged (UNKNOWN); the verdict says why. */
		if ((ts == PP_NAG_WARNING || ts == PP_NAG_CRITICAL) && pp_nag_worse(ts, st) == ts) {
			char num[32];

			/* The figure first: the line is cut at 79 characters. */
			pp_nagios_num(ms, num, sizeof(num));
			snprintf(sum, len, "%s: rtt %s ms", w, num);
		}
		st = pp_nag_worse(st, ts);
	}
	return st;
}

static void
perf(const struct pc_opts *o, const struct pc_target *t, size_t n)
{
	struct pp_nagios *nag = o->cli.nag;
	char lab[200];
	double ms = rtt_ms(t);

	if (!t->f.pr.ran || t->f.pr.watch)
		return;
	snprintf(lab, sizeof(lab), "%s%srtt", n > 1 ? t->label : "", n > 1 ? " " : "");
	if (!isnan(ms))
		pp_nagios_perf(nag, lab, ms, "ms", true, 0, PP_NAG_NONE);
	snprintf(lab, sizeof(lab), "%s%sloss", n > 1 ? t->label : "", n > 1 ? " " : "");
	pp_nagios_perf(nag, lab, isnan(ms) ? 100 : 0, "%", false, 0, 100);
}

int
pc_render_nagios(const struct pc_opts *o, const struct pc_target *t, size_t n)
{
	struct pp_nagios *nag = o->cli.nag;
	char sum[1024], first[1024] = "";
	int worst = PP_NAG_OK, count[4] = { 0 }, st;

	for (size_t i = 0; i < n; i++) {
		st = one(o, &t[i], sum, sizeof(sum));
		count[st]++;
		/* The summary names the first target of the worst state. */
		if (i == 0 || pp_nag_worse(worst, st) != worst) {
			worst = st;
			snprintf(first, sizeof(first), "%s", sum);
		}
		perf(o, &t[i], n);
	}
	if (n <= 1)
		return pp_nagios_print(nag, stdout, o->cli.prog, worst, "%s", first);
	return pp_nagios_print(nag, stdout, o->cli.prog, worst, "%zu targets, %d critical, %d warning, %d unknown; %s",
			       n, count[PP_NAG_CRITICAL], count[PP_NAG_WARNING], count[PP_NAG_UNKNOWN], first);
}
