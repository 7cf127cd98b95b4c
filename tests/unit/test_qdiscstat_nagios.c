/*
 * test_qdiscstat_nagios: qdiscstat --nagios from samples built by hand: each
 * device's root qdisc drops per second as the figure (a child's drops not counted
 * twice), the findings without thresholds, one sample UNKNOWN.
 */
#include <math.h>
#include <stdlib.h>
#include <linux/pkt_sched.h>

#include "../../cmd/qdiscstat/qs.h"
#include "nagios_capture.h"
#include "tap.h"

static struct pp_cli c;

static void
obj(struct qs_sample *s, const char *kind, uint32_t handle, uint32_t parent, uint64_t packets,
    uint32_t drops)
{
	struct pp_qdisc q;

	memset(&q, 0, sizeof(q));
	q.ifindex = 4;
	snprintf(q.kind, sizeof(q.kind), "%s", kind);
	q.handle = handle;
	q.parent = parent;
	q.has_stats2 = true;
	q.packets = packets;
	q.bytes = packets * 1000;
	q.drops = drops;
	if (qs_sample_add(s, &q) < 0)
		abort();
}

/* a0: tbf 1: at the root, a pfifo 10: under it; both count the same drops. */
static void
sample(struct qs_sample *s, double mono, uint64_t packets, uint32_t drops)
{
	memset(s, 0, sizeof(*s));
	obj(s, "tbf", 0x10000, TC_H_ROOT, packets, drops);
	obj(s, "pfifo", 0x100000, 0x10001, packets, drops);
	s->mono = mono;
	s->dev = calloc(1, sizeof(*s->dev));
	s->ndev = s->devcap = 1;
	s->dev[0].ifindex = 4;
	snprintf(s->dev[0].name, sizeof(s->dev[0].name), "a0");
	s->dev[0].n = s->n;
	s->dev[0].nq = 2;
}

static int
render(const struct qs_sample *prev, const struct qs_sample *cur, const char *warn, const char *crit,
       char *out, size_t len)
{
	struct qs_thresholds th = { .busy_pps = 10000 };
	struct qs_eval ev;
	char buf[4096];
	int st = -1;

	pp_cli_init(&c, "qdiscstat");
	memset(c.nag, 0, sizeof(*c.nag));
	c.nag->on = true;
	if (warn)
		c.nag->has_warn = pp_range_parse(warn, &c.nag->warn) == 0;
	if (crit)
		c.nag->has_crit = pp_range_parse(crit, &c.nag->crit) == 0;
	if (qs_evaluate(prev, cur, &th, NULL, &ev) < 0)
		return -1;
	CAPTURE(buf, st = qs_render_nagios(&c, cur, &ev, prev != NULL));
	snprintf(out, len, "%s", buf);
	qs_eval_free(&ev);
	return st;
}

static void
test_drops(void)
{
	struct qs_sample a, b;
	char out[4096];

	sample(&a, 100.0, 10, 5);
	sample(&b, 102.0, 110, 105);	/* 100 drops in 2 s */
	/* no thresholds: drops rising is the finding, WARNING */
	CHECK_EQ_INT(render(&a, &b, NULL, NULL, out, sizeof(out)), PP_NAG_WARNING);
	CHECK(STARTS(out, "QDISCSTAT WARNING - a0 tbf qdisc 1:"));
	/* the root's 50/s, not the root's and the child's together */
	CHECK(strstr(out, "| 'a0_drops'=50;;;0 'a0_overlimits'=0;;;0 'a0_backlog'=0B;;;0\n") != NULL);
	CHECK_EQ_INT(render(&a, &b, "10", "40", out, sizeof(out)), PP_NAG_CRITICAL);
	CHECK_STR(out, "QDISCSTAT CRITICAL - most drops at a0: 50/s (tbf) over 2 s, 1 device | "
		       "'a0_drops'=50;10;40;0 'a0_overlimits'=0;;;0 'a0_backlog'=0B;;;0\n");
	CHECK_EQ_INT(render(&a, &b, "10", "50", out, sizeof(out)), PP_NAG_WARNING);	/* 50 is inside 0..50 */
	CHECK_EQ_INT(render(&a, &b, "60", NULL, out, sizeof(out)), PP_NAG_OK);
	/* one sample: no rate */
	CHECK_EQ_INT(render(NULL, &b, "10", NULL, out, sizeof(out)), PP_NAG_UNKNOWN);
	CHECK_STR(out, "QDISCSTAT UNKNOWN - one sample only: no rates\n");
	/* quiet */
	qs_sample_free(&a);
	sample(&a, 100.0, 110, 105);
	CHECK_EQ_INT(render(&a, &b, NULL, NULL, out, sizeof(out)), PP_NAG_OK);
	CHECK(STARTS(out, "QDISCSTAT OK - most drops at a0: 0/s (tbf) over 2 s, 1 device | "));
	qs_sample_free(&a);
	qs_sample_free(&b);
}

int
main(void)
{
	RUN(test_drops);
	return tap_done();
}
