/*
 * test_pathcheck_nagios: pathcheck --nagios from results built by hand: the
 * verdict's status is the state, the rtt thresholds, perfdata, -f targets.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>

#include "../../cmd/pathcheck/pathcheck.h"
#include "../../cmd/pathcheck/station.h"
#include "nagios_capture.h"
#include "tap.h"

static struct pc_opts o;

static struct pc_target *
target(const char *dst, uint16_t port, enum pp_status st, enum pc_station_id at, const char *summary)
{
	struct pc_target *t = calloc(1, sizeof(*t));
	struct in_addr a;

	inet_pton(AF_INET, dst, &a);
	pp_addr_set(&t->q.dst, AF_INET, &a, 4);
	t->q.proto = IPPROTO_TCP;
	t->q.has_dport = port != 0;
	t->q.dport = port;
	snprintf(t->label, sizeof(t->label), "%s", dst);
	t->r.verdict_status = st;
	t->r.verdict_station = at;
	if (at < PC_NSTATIONS)
		snprintf(t->r.st[at].summary, sizeof(t->r.st[at].summary), "%s", summary);
	return t;
}

static void
reset(void)
{
	pp_cli_init(&o.cli, "pathcheck");
	memset(o.cli.nag, 0, sizeof(*o.cli.nag));
	o.cli.nag->on = true;
}

static int
render(struct pc_target *t, size_t n, char *out, size_t len)
{
	char buf[4096];
	int st = 0;

	CAPTURE(buf, st = pc_render_nagios(&o, t, n));
	snprintf(out, len, "%s", buf);
	return st;
}

static void
test_verdict_is_the_state(void)
{
	static const struct { enum pp_status st; int want; const char *word; } cases[] = {
		{ PP_ST_FAIL, PP_NAG_CRITICAL, "CRITICAL - 203.0.113.2 tcp/443 dies at output: " },
		{ PP_ST_WARN, PP_NAG_WARNING, "WARNING - 203.0.113.2 tcp/443 may die at output: " },
		{ PP_ST_UNKNOWN, PP_NAG_UNKNOWN, "UNKNOWN - 203.0.113.2 tcp/443 cannot be decided at output: " },
	};
	char out[4096], want[256];

	for (size_t i = 0; i < PP_ARRAY_SIZE(cases); i++) {
		struct pc_target *t = target("203.0.113.2", 443, cases[i].st, PC_OUTPUT, "rule 7");

		reset();
		CHECK_EQ_INT(render(t, 1, out, sizeof(out)), cases[i].want);
		snprintf(want, sizeof(want), "PATHCHECK %srule 7\n", cases[i].word);
		CHECK_STR(out, want);
		free(t);
	}
	{
		struct pc_target *t = target("203.0.113.2", 0, PP_ST_OK, PC_NSTATIONS, "");

		t->q.proto = IPPROTO_ICMP;
		reset();
		CHECK_EQ_INT(render(t, 1, out, sizeof(out)), PP_NAG_OK);
		CHECK_STR(out, "PATHCHECK OK - 203.0.113.2 icmp: every station passes\n");
		free(t);
	}
	{
		/* a DEST that could not be resolved is UNKNOWN, never OK */
		struct pc_target *t = target("203.0.113.2", 443, PP_ST_OK, PC_NSTATIONS, "");

		t->rc = PP_EXIT_UNKNOWN;
		snprintf(t->label, sizeof(t->label), "db.example");
		snprintf(t->error, sizeof(t->error), "db.example: the resolver did not answer");
		reset();
		CHECK_EQ_INT(render(t, 1, out, sizeof(out)), PP_NAG_UNKNOWN);
		CHECK_STR(out, "PATHCHECK UNKNOWN - db.example: db.example: the resolver did not answer\n");
		free(t);
	}
}

static void
test_rtt(void)
{
	struct pc_target *t = target("203.0.113.2", 443, PP_ST_OK, PC_NSTATIONS, "");
	char out[4096];

	t->f.pr.ran = true;
	t->f.pr.outcome = PC_PR_CONNECTED;
	t->f.pr.rtt = 0.0123;	/* 12.3 ms */
	reset();
	CHECK_EQ_INT(render(t, 1, out, sizeof(out)), PP_NAG_OK);
	CHECK_STR(out, "PATHCHECK OK - 203.0.113.2 tcp/443: every station passes | 'rtt'=12.3ms;;;0 'loss'=0%;;;0;100\n");
	reset();
	pp_range_parse("10", &o.cli.nag->warn);
	o.cli.nag->has_warn = true;
	pp_range_parse("20", &o.cli.nag->crit);
	o.cli.nag->has_crit = true;
	CHECK_EQ_INT(render(t, 1, out, sizeof(out)), PP_NAG_WARNING);
	CHECK_STR(out, "PATHCHECK WARNING - 203.0.113.2 tcp/443: rtt 12.3 ms | 'rtt'=12.3ms;10;20;0 'loss'=0%;;;0;100\n");
	t->f.pr.rtt = 0.0201;
	reset();
	pp_range_parse("20", &o.cli.nag->crit);
	o.cli.nag->has_crit = true;
	CHECK_EQ_INT(render(t, 1, out, sizeof(out)), PP_NAG_CRITICAL);
	/* the verdict stays when it is worse than the rtt: a fail is not turned into a warning */
	t->r.verdict_status = PP_ST_FAIL;
	t->r.verdict_station = PC_REMOTE;
	snprintf(t->r.st[PC_REMOTE].summary, sizeof(t->r.st[PC_REMOTE].summary), "reset by 203.0.113.2");
	t->f.pr.outcome = PC_PR_REFUSED;
	t->f.pr.rtt = 0.0123;
	reset();
	pp_range_parse("10", &o.cli.nag->warn);
	o.cli.nag->has_warn = true;
	CHECK_EQ_INT(render(t, 1, out, sizeof(out)), PP_NAG_CRITICAL);
	CHECK(strstr(out, "dies at remote: reset by 203.0.113.2") != NULL);
	/* no answer: no rtt to judge (UNKNOWN unless the verdict is worse), loss 100 % */
	t->r.verdict_status = PP_ST_OK;
	t->r.verdict_station = PC_NSTATIONS;
	t->f.pr.outcome = PC_PR_SILENCE;
	reset();
	pp_range_parse("10", &o.cli.nag->warn);
	o.cli.nag->has_warn = true;
	CHECK_EQ_INT(render(t, 1, out, sizeof(out)), PP_NAG_UNKNOWN);
	CHECK(strstr(out, "| 'loss'=100%;;;0;100\n") != NULL);
	CHECK(strstr(out, "'rtt'") == NULL);
	free(t);
}

static void
test_targets(void)
{
	struct pc_target *t = calloc(3, sizeof(*t)), *a, *b, *c;
	char out[4096];

	a = target("203.0.113.2", 443, PP_ST_OK, PC_NSTATIONS, "");
	b = target("203.0.113.3", 443, PP_ST_WARN, PC_QDISC, "drops rising");
	c = target("203.0.113.4", 80, PP_ST_FAIL, PC_FORWARD_ST, "forwarding is off");
	t[0] = *a, t[1] = *b, t[2] = *c;
	snprintf(t[2].label, sizeof(t[2].label), "web front");
	reset();
	CHECK_EQ_INT(render(t, 3, out, sizeof(out)), PP_NAG_CRITICAL);
	/* the worst target named, cut at 79 characters */
	CHECK(STARTS(out, "PATHCHECK CRITICAL - 3 targets, 1 critical, 1 warning, 0 unknown; 203.0.113."));
	CHECK(strchr(out, '\n') - out <= 79);
	/* perfdata labels carry the target's label, white space made '_' */
	t[2].f.pr.ran = true;
	t[2].f.pr.outcome = PC_PR_REPLY;
	t[2].f.pr.rtt = 0.001;
	reset();
	render(t, 3, out, sizeof(out));
	CHECK(strstr(out, "| 'web_front_rtt'=1ms;;;0 'web_front_loss'=0%;;;0;100\n") != NULL);
	free(a), free(b), free(c), free(t);
}

int
main(void)
{
	RUN(test_verdict_is_the_state);
	RUN(test_rtt);
	RUN(test_targets);
	return tap_done();
}
