/*
 * test_pathcheck_diff.c: --diff's comparison of two sides (cmd/pathcheck/diff.c) and
 * the expect= of -f lines (targets.c). Pure: no kernel, no snapshot.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../cmd/pathcheck/diff.h"
#include "tap.h"

/* A side: verdict status/station/cause and stations given as "ID:STATUS:summary" in order. */
struct stop_spec {
	enum pc_station_id id;
	enum pp_status st;
	const char *sum;
};

static void
side(struct pc_diff_side *s, enum pp_status st, enum pc_station_id at, enum pc_cause c,
     const struct stop_spec *sp, size_t n)
{
	memset(s, 0, sizeof(*s));
	s->rc = PP_EXIT_OK;
	s->status = st;
	s->station = at;
	s->cause = c;
	s->st = n ? calloc(n, sizeof(*s->st)) : NULL;
	s->nst = n;
	for (size_t i = 0; i < n; i++) {
		s->st[i].id = sp[i].id;
		s->st[i].status = sp[i].st;
		s->st[i].cause = sp[i].st == PP_ST_OK ? PC_C_NONE : c;
		snprintf(s->st[i].summary, sizeof(s->st[i].summary), "%s", sp[i].sum);
	}
}

static const struct stop_spec fwd_ok[] = {
	{ PC_INGRESS_DEVICE, PP_ST_OK, "r0 up, rx 10" }, { PC_PREROUTING, PP_ST_OK, "none" },
	{ PC_ROUTE, PP_ST_OK, "203.0.113.0/26 dev r1" }, { PC_FORWARD_ST, PP_ST_OK, "forwarding on" },
	{ PC_QDISC, PP_ST_OK, "0 drops" },
};

static void
test_unchanged(void)
{
	struct pc_diff_side b, a;
	struct pc_diff_cmp c;
	struct stop_spec moved[PP_ARRAY_SIZE(fwd_ok)];

	side(&b, PP_ST_OK, PC_NSTATIONS, PC_C_NONE, fwd_ok, PP_ARRAY_SIZE(fwd_ok));
	/* counters in summaries changed (rx, qdisc drops): no change of fate */
	memcpy(moved, fwd_ok, sizeof(moved));
	moved[0].sum = "r0 up, rx 99";
	moved[4].sum = "3 old drops";
	side(&a, PP_ST_OK, PC_NSTATIONS, PC_C_NONE, moved, PP_ARRAY_SIZE(moved));
	pc_diff_compare(&b, &a, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_SAME);
	CHECK_EQ_INT(c.diverge, -1);
	CHECK_STR(pc_diff_kind_name(c.kind), "unchanged");
	pc_diff_side_free(&b);
	pc_diff_side_free(&a);
}

static void
test_worsened_at_forward(void)
{
	struct pc_diff_side b, a;
	struct pc_diff_cmp c;
	struct stop_spec s[PP_ARRAY_SIZE(fwd_ok)];

	memcpy(s, fwd_ok, sizeof(s));
	s[0].sum = "r0 up, rx 11";		/* a counter moved before the real change */
	s[3] = (struct stop_spec){ PC_FORWARD_ST, PP_ST_FAIL, "dropped by rule ip filter FORWARD" };
	side(&b, PP_ST_OK, PC_NSTATIONS, PC_C_NONE, fwd_ok, PP_ARRAY_SIZE(fwd_ok));
	side(&a, PP_ST_FAIL, PC_FORWARD_ST, PC_C_NFT_RULE_DROP, s, PP_ARRAY_SIZE(s));
	pc_diff_compare(&b, &a, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_WORSENED);
	CHECK_EQ_INT(c.diverge, 3);		/* forward, not the ingress device's counter */
	/* the other way round: improved, same station */
	pc_diff_compare(&a, &b, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_IMPROVED);
	CHECK_EQ_INT(c.diverge, 3);
	/* ok -> warn is worse too (pathcheck exits 1 for a warn) */
	a.status = PP_ST_WARN;
	a.st[3].status = PP_ST_WARN;
	pc_diff_compare(&b, &a, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_WORSENED);
	pc_diff_side_free(&b);
	pc_diff_side_free(&a);
}

static void
test_walk_ends_early(void)
{
	/* a route deleted: the after walk stops at route; stations after it are gone */
	static const struct stop_spec cut[] = {
		{ PC_INGRESS_DEVICE, PP_ST_OK, "r0 up, rx 10" }, { PC_PREROUTING, PP_ST_OK, "none" },
		{ PC_ROUTE, PP_ST_FAIL, "no route to 203.0.113.70" },
	};
	static const struct stop_spec shorter[] = {
		{ PC_INGRESS_DEVICE, PP_ST_OK, "r0 up, rx 10" }, { PC_PREROUTING, PP_ST_OK, "none" },
	};
	struct pc_diff_side b, a;
	struct pc_diff_cmp c;

	side(&b, PP_ST_OK, PC_NSTATIONS, PC_C_NONE, fwd_ok, PP_ARRAY_SIZE(fwd_ok));
	side(&a, PP_ST_FAIL, PC_ROUTE, PC_C_ROUTE_NONE, cut, PP_ARRAY_SIZE(cut));
	pc_diff_compare(&b, &a, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_WORSENED);
	CHECK_EQ_INT(c.diverge, 2);
	pc_diff_side_free(&a);
	/* every station alike as far as the shorter walk goes: it parts where it ends */
	side(&a, PP_ST_FAIL, PC_ROUTE, PC_C_ROUTE_NONE, shorter, PP_ARRAY_SIZE(shorter));
	pc_diff_compare(&b, &a, &c);
	CHECK_EQ_INT(c.diverge, 2);
	pc_diff_side_free(&a);
	/* no stations at all on one side (bad input): undecided, parts at the first */
	side(&a, PP_ST_UNKNOWN, PC_NSTATIONS, PC_C_BAD_INPUT, NULL, 0);
	a.rc = PP_EXIT_USAGE;
	pc_diff_compare(&b, &a, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_UNDECIDED);
	CHECK_EQ_INT(c.diverge, 0);
	pc_diff_compare(&a, &a, &c);		/* both empty and alike */
	CHECK_EQ_INT(c.kind, PC_DIFF_UNDECIDED);
	CHECK_EQ_INT(c.diverge, -1);
	pc_diff_side_free(&a);
	pc_diff_side_free(&b);
}

static void
test_moved_and_namespaces(void)
{
	static const struct stop_spec at_fwd[] = {
		{ PC_ROUTE, PP_ST_OK, "r" }, { PC_FORWARD_ST, PP_ST_FAIL, "dropped by rule 1" },
	};
	static const struct stop_spec at_route[] = {
		{ PC_ROUTE, PP_ST_FAIL, "prohibit" }, { PC_FORWARD_ST, PP_ST_OK, "x" },
	};
	static const struct stop_spec other_rule[] = {
		{ PC_ROUTE, PP_ST_OK, "r" }, { PC_FORWARD_ST, PP_ST_FAIL, "dropped by rule 2" },
	};
	struct pc_diff_side b, a;
	struct pc_diff_cmp c;

	side(&b, PP_ST_FAIL, PC_FORWARD_ST, PC_C_NFT_RULE_DROP, at_fwd, 2);
	side(&a, PP_ST_FAIL, PC_ROUTE, PC_C_ROUTE_PROHIBIT, at_route, 2);
	pc_diff_compare(&b, &a, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_MOVED);	/* fail at forward -> fail at route */
	CHECK_EQ_INT(c.diverge, 0);
	pc_diff_side_free(&a);
	/* the same station and cause, the rule's summary differs: the same verdict, unchanged */
	side(&a, PP_ST_FAIL, PC_FORWARD_ST, PC_C_NFT_RULE_DROP, other_rule, 2);
	pc_diff_compare(&b, &a, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_SAME);
	/* the verdict in another namespace (--follow): moved, parting where the namespace differs */
	snprintf(a.netns, sizeof(a.netns), "ns2");
	snprintf(a.st[1].netns, sizeof(a.st[1].netns), "ns2");
	pc_diff_compare(&b, &a, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_MOVED);
	CHECK_EQ_INT(c.diverge, 1);
	/* a moved verdict whose stations all match in status: the first summary that differs */
	a.st[1].netns[0] = '\0';
	a.cause = PC_C_NFT_POLICY_DROP;
	a.st[1].cause = PC_C_NFT_RULE_DROP;
	a.netns[0] = '\0';
	pc_diff_compare(&b, &a, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_MOVED);
	CHECK_EQ_INT(c.diverge, 1);
	pc_diff_side_free(&a);
	pc_diff_side_free(&b);
}

static void
test_unknown_is_undecided(void)
{
	static const struct stop_spec unk[] = {
		{ PC_ROUTE, PP_ST_UNKNOWN, "the snapshot holds no answer for RTM_GETROUTE to 203.0.113.9" },
	};
	static const struct stop_spec ok[] = { { PC_ROUTE, PP_ST_OK, "r" } };
	struct pc_diff_side b, a;
	struct pc_diff_cmp c;

	side(&b, PP_ST_UNKNOWN, PC_ROUTE, PC_C_UNCLASSIFIED, unk, 1);
	side(&a, PP_ST_OK, PC_NSTATIONS, PC_C_NONE, ok, 1);
	pc_diff_compare(&b, &a, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_UNDECIDED);	/* never "improved": before said nothing */
	CHECK_EQ_INT(c.diverge, 0);
	pc_diff_compare(&b, &b, &c);
	CHECK_EQ_INT(c.kind, PC_DIFF_UNDECIDED);	/* unknown on both: not "unchanged" */
	CHECK_EQ_INT(c.diverge, -1);
	pc_diff_side_free(&a);
	pc_diff_side_free(&b);
}

static void
test_expect_parse(void)
{
	struct pc_query base;
	struct pc_target t;
	char why[256];

	memset(&base, 0, sizeof(base));
	CHECK_EQ_INT(pc_target_parse("203.0.113.2:22 expect=drop name=ssh\n", &base, 0, &t, why, sizeof(why)), 1);
	CHECK_EQ_INT(t.expect, PC_EXPECT_DROP);
	CHECK_STR(t.label, "ssh");
	CHECK_EQ_INT(pc_target_parse("203.0.113.2 icmp expect=pass # ping", &base, 0, &t, why, sizeof(why)), 1);
	CHECK_EQ_INT(t.expect, PC_EXPECT_PASS);
	CHECK_EQ_INT(pc_target_parse("203.0.113.2:80", &base, 0, &t, why, sizeof(why)), 1);
	CHECK_EQ_INT(t.expect, PC_EXPECT_NONE);
	CHECK_EQ_INT(pc_target_parse("203.0.113.2:80 expect=open", &base, 0, &t, why, sizeof(why)), -1);
	CHECK(strstr(why, "'expect=open': expect= is pass or drop") != NULL);
	CHECK_EQ_INT(pc_target_parse("203.0.113.2:80 expect=", &base, 0, &t, why, sizeof(why)), -1);
	CHECK_EQ_INT(pc_target_parse("203.0.113.2:80 expect=PASS", &base, 0, &t, why, sizeof(why)), -1);
	CHECK_EQ_INT(pc_target_parse("203.0.113.2:80 expect=passx", &base, 0, &t, why, sizeof(why)), -1);
	CHECK_EQ_INT(pc_target_parse("203.0.113.2:80 expect=pass expect=pass", &base, 0, &t, why, sizeof(why)), -1);
	CHECK_STR(why, "expect= given twice");
	CHECK_EQ_INT(pc_target_parse("203.0.113.2:80 expect=pass expect=drop", &base, 0, &t, why, sizeof(why)), -1);
	CHECK_EQ_INT(pc_target_parse("203.0.113.2:80 expect", &base, 0, &t, why, sizeof(why)), -1);
	/* a comment is no expectation */
	CHECK_EQ_INT(pc_target_parse("203.0.113.2:80 #expect=drop", &base, 0, &t, why, sizeof(why)), 1);
	CHECK_EQ_INT(t.expect, PC_EXPECT_NONE);
	CHECK_EQ_INT(pc_target_parse("   # expect=drop", &base, 0, &t, why, sizeof(why)), 0);
}

static void
test_expect_file(void)
{
	static const char f[] = "203.0.113.2:80 expect=pass\n203.0.113.2:22 expect=drop\n"
				"203.0.113.2:23 expect=maybe\n203.0.113.2:24 expect=drop\0 expect=pass\n";
	char path[] = "/tmp/pc-expect-XXXXXX", why[256];
	struct pc_opts o;
	struct pc_target *t = NULL;
	size_t n = 0;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	if (fd < 0)
		return;
	CHECK(write(fd, f, sizeof(f) - 1) == (ssize_t)(sizeof(f) - 1));
	close(fd);
	memset(&o, 0, sizeof(o));
	CHECK_EQ_INT(pc_targets_load(path, &o, &t, &n, why, sizeof(why)), PP_EXIT_OK);
	CHECK_EQ_INT(n, 4);
	if (n == 4) {
		CHECK_EQ_INT(t[0].expect, PC_EXPECT_PASS);
		CHECK_EQ_INT(t[1].expect, PC_EXPECT_DROP);
		CHECK_EQ_INT(t[2].rc, PP_EXIT_USAGE);
		CHECK(strstr(t[2].error, "line 3: 'expect=maybe'") != NULL);
		CHECK_EQ_INT(t[3].rc, PP_EXIT_USAGE);	/* the NUL: refused, never cut */
		CHECK(strstr(t[3].error, "line 4: a NUL byte") != NULL);
		CHECK_EQ_INT(pc_targets_exit(t, n), PP_EXIT_USAGE);
	}
	free(t);
	unlink(path);
}

static void
test_expect_judged(void)
{
	struct pc_target t[2];

	CHECK_EQ_INT(pc_expect_met(PC_EXPECT_PASS, PP_EXIT_OK, PP_ST_OK), 1);
	CHECK_EQ_INT(pc_expect_met(PC_EXPECT_PASS, PP_EXIT_OK, PP_ST_FAIL), 0);
	CHECK_EQ_INT(pc_expect_met(PC_EXPECT_PASS, PP_EXIT_OK, PP_ST_WARN), 0);
	CHECK_EQ_INT(pc_expect_met(PC_EXPECT_DROP, PP_EXIT_OK, PP_ST_FAIL), 1);
	CHECK_EQ_INT(pc_expect_met(PC_EXPECT_DROP, PP_EXIT_OK, PP_ST_OK), 0);
	CHECK_EQ_INT(pc_expect_met(PC_EXPECT_DROP, PP_EXIT_OK, PP_ST_WARN), 0);	/* may pass: not a drop */
	CHECK_EQ_INT(pc_expect_met(PC_EXPECT_DROP, PP_EXIT_OK, PP_ST_UNKNOWN), -1);
	CHECK_EQ_INT(pc_expect_met(PC_EXPECT_PASS, PP_EXIT_UNKNOWN, PP_ST_OK), -1);
	CHECK_EQ_INT(pc_expect_met(PC_EXPECT_NONE, PP_EXIT_OK, PP_ST_OK), -1);
	CHECK_STR(pc_expect_name(PC_EXPECT_DROP), "drop");
	CHECK(pc_expect_name(PC_EXPECT_NONE) == NULL);
	/* exit: a drop that drops is 0, not the verdict's 1; a broken one is 1; undecided 3 */
	memset(t, 0, sizeof(t));
	t[0].r.verdict_station = PC_FORWARD_ST;
	t[0].r.verdict_status = PP_ST_FAIL;
	t[0].expect = PC_EXPECT_DROP;
	t[1].r.verdict_station = PC_NSTATIONS;
	t[1].r.verdict_status = PP_ST_OK;
	CHECK_EQ_INT(pc_targets_exit(t, 2), PP_EXIT_OK);
	t[1].expect = PC_EXPECT_DROP;
	CHECK_EQ_INT(pc_targets_exit(t, 2), PP_EXIT_PROBLEM);
	t[1].r.verdict_status = PP_ST_UNKNOWN;
	CHECK_EQ_INT(pc_targets_exit(t, 2), PP_EXIT_UNKNOWN);
	t[1].expect = PC_EXPECT_NONE;
	t[0].expect = PC_EXPECT_NONE;
	CHECK_EQ_INT(pc_targets_exit(t, 2), PP_EXIT_PROBLEM);	/* without expect=: the usual rule */
}

int
main(void)
{
	RUN(test_unchanged);
	RUN(test_worsened_at_forward);
	RUN(test_walk_ends_early);
	RUN(test_moved_and_namespaces);
	RUN(test_unknown_is_undecided);
	RUN(test_expect_parse);
	RUN(test_expect_file);
	RUN(test_expect_judged);
	return tap_done();
}
