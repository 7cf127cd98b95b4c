/*
 * test_pathcheck_cause.c: the table of causes (cmd/pathcheck/cause.c). Codes are added,
 * never renumbered, never removed, never reused: the frozen list below fails when one
 * is. A new code goes into the table, the man page's CAUSES section and this list.
 */
#include <errno.h>
#include <string.h>

#include "../../cmd/pathcheck/dropmap.h"
#include "../../cmd/pathcheck/pathcheck.h"
#include "fixture_tracefs.h"
#include "parse.h"
#include "tap.h"

/* Frozen. Append only: a line here is changed or removed only by breaking every user's alerts. */
static const struct { int code; const char *name; } frozen[] = {
	{ 0, "NONE" },
	{ 1, "ROUTE_NONE" }, { 2, "ROUTE_BLACKHOLE" }, { 3, "ROUTE_UNREACHABLE" }, { 4, "ROUTE_PROHIBIT" },
	{ 5, "ROUTE_THROW" }, { 6, "RPF" }, { 7, "MARTIAN_SOURCE" }, { 8, "MARTIAN_DESTINATION" },
	{ 9, "FORWARDING_DISABLED" }, { 10, "ROUTE_TABLE_FALLTHROUGH" }, { 11, "ROUTE_DEPENDS_ON_SPORT" },
	{ 12, "ROUTE_DEPENDS_ON_TOS" },
	{ 20, "NFT_RULE_DROP" }, { 21, "NFT_RULE_REJECT" }, { 22, "NFT_POLICY_DROP" }, { 23, "XT_RULE_DROP" },
	{ 24, "XT_RULE_REJECT" }, { 25, "XT_POLICY_DROP" }, { 26, "NETFILTER_DROP" }, { 27, "BPF_CGROUP_DROP" },
	{ 40, "NO_LISTENER" }, { 41, "LISTENER_LOOPBACK_ONLY" }, { 42, "LISTENER_OTHER_ADDRESS" },
	{ 43, "LISTENER_OTHER_PROTOCOL" }, { 44, "ACCEPT_QUEUE_FULL" }, { 45, "ICMP_ECHO_IGNORED" },
	{ 46, "SOURCE_NOT_LOCAL" }, { 47, "SOURCE_DAD_FAILED" }, { 48, "SOURCE_TENTATIVE" },
	{ 49, "NO_SOURCE_ADDRESS" }, { 50, "PROTOCOL_UNREACHABLE" },
	{ 60, "CT_TABLE_FULL" }, { 61, "CT_TABLE_NEAR_FULL" }, { 62, "CT_INVALID" }, { 63, "CT_DROPS_RISING" },
	{ 70, "NEIGH_FAILED" }, { 71, "NEIGH_INCOMPLETE" },
	{ 80, "QDISC_DROP" }, { 81, "LINK_DOWN" }, { 82, "NO_CARRIER" }, { 83, "DEVICE_DROPS" },
	{ 84, "XDP_PRESENT" }, { 85, "TC_FILTER_PRESENT" }, { 86, "BRIDGE_PORT_BLOCKED" },
	{ 90, "MTU_EXCEEDED" }, { 91, "PMTU_BLACK_HOLE" },
	{ 100, "REMOTE_REFUSED" }, { 101, "REMOTE_SILENT" }, { 102, "REMOTE_ICMP_ERROR" }, { 103, "PROBES_LOST" },
	{ 110, "KERNEL_DROP" },
	{ 200, "UNDECIDED_RULE" }, { 201, "UNDECIDED_UPSTREAM" }, { 202, "NOT_READ" }, { 203, "NEEDS_PRIVILEGE" },
	{ 204, "LEGACY_IPTABLES_UNREAD" }, { 205, "MARK_UNKNOWN" }, { 206, "SPORT_UNKNOWN" },
	{ 207, "KERNEL_UNSUPPORTED" }, { 208, "PROBE_INCONCLUSIVE" }, { 209, "BRANCHES_OVERFLOW" },
	{ 210, "BAD_INPUT" }, { 211, "RESOLVE_FAILED" }, { 212, "UNCLASSIFIED" }, { 213, "NOT_FOLLOWED" },
	{ 214, "LOOPBACK_UNEVALUATED" },
};

#define NF_BITS ((1u << PC_PREROUTING) | (1u << PC_INPUT) | (1u << PC_FORWARD_ST) | (1u << PC_OUTPUT) | \
		 (1u << PC_POSTROUTING))

static void
test_frozen(void)
{
	size_t n = 0;

	/* Every frozen code is still there, with its name. */
	for (size_t i = 0; i < PP_ARRAY_SIZE(frozen); i++) {
		if (!pc_cause_valid(frozen[i].code)) {
			printf("#   code %d (%s) was removed\n", frozen[i].code, frozen[i].name);
			CHECK(0);
			continue;
		}
		if (strcmp(pc_causes[frozen[i].code].name, frozen[i].name) != 0) {
			printf("#   code %d was %s, is now %s\n", frozen[i].code, frozen[i].name,
			       pc_causes[frozen[i].code].name);
			CHECK(0);
		}
		CHECK_EQ_INT(pc_cause_by_name(frozen[i].name), frozen[i].code);
	}
	/* Every code of the table is frozen: a new one is added to the list above too. */
	for (int c = 0; c < PC_C_MAX; c++) {
		bool found = false;

		if (!pc_causes[c].name)
			continue;
		n++;
		for (size_t i = 0; i < PP_ARRAY_SIZE(frozen); i++)
			found |= frozen[i].code == c;
		if (!found)
			printf("#   code %d (%s) is not in the frozen list\n", c, pc_causes[c].name);
		CHECK(found);
	}
	CHECK_EQ_INT(n, PP_ARRAY_SIZE(frozen));
	/* The enum's values are the codes. */
	CHECK_EQ_INT(PC_C_NFT_RULE_DROP, 20);
	CHECK_EQ_INT(PC_C_NO_LISTENER, 40);
	CHECK_EQ_INT(PC_C_UNDECIDED_RULE, PC_C_FIRST_UNDECIDED);
	CHECK(!pc_cause_valid(-1));
	CHECK(!pc_cause_valid(13));
	CHECK(!pc_cause_valid(PC_C_MAX));
	CHECK_STR(pc_cause_name((enum pc_cause)13), "UNCLASSIFIED");
	CHECK_EQ_INT(pc_cause_by_name("NO_SUCH_CAUSE"), -1);
	CHECK_EQ_INT(pc_cause_by_name(NULL), -1);
}

/* Every code has a name in capitals, a meaning and a recommendation; names are unique. */
static void
test_documented(void)
{
	for (int c = 0; c < PC_C_MAX; c++) {
		const struct pc_cause_info *ci = &pc_causes[c];

		if (!ci->name)
			continue;
		CHECK(ci->name[0]);
		CHECK(strspn(ci->name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") == strlen(ci->name));
		if (!ci->meaning || strlen(ci->meaning) < 10 || !ci->recommendation || strlen(ci->recommendation) < 10) {
			printf("#   code %d (%s) has no meaning or recommendation\n", c, ci->name);
			CHECK(0);
		}
		/* One line each: the man page and the text output print them as such. */
		CHECK(!strchr(ci->meaning ? ci->meaning : "", '\n'));
		CHECK(!strchr(ci->recommendation ? ci->recommendation : "", '\n'));
		for (int d = c + 1; d < PC_C_MAX; d++)
			CHECK(!pc_causes[d].name || strcmp(pc_causes[d].name, ci->name) != 0);
		/* The stations named exist. */
		CHECK((ci->stations >> PC_NSTATIONS) == 0);
	}
}

/*
 * The kernel drop reasons of each cause: names the running kernel's tracepoint has (6.18's,
 * from the fixture), and the drop mapping (dropmap.c) puts each at one of the cause's stations.
 */
static void
test_reasons_agree(void)
{
	for (int c = 0; c < PC_C_MAX; c++) {
		const struct pc_cause_info *ci = &pc_causes[c];

		if (!ci->name)
			continue;
		for (size_t k = 0; k < PC_CAUSE_REASONS_MAX && ci->reasons[k]; k++) {
			char reason[64], quoted[70];
			const char *at = strchr(ci->reasons[k], '@');
			enum pc_station_id st;

			snprintf(reason, sizeof(reason), "%.*s", at ? (int)(at - ci->reasons[k]) : 63, ci->reasons[k]);
			snprintf(quoted, sizeof(quoted), "\"%s\"", reason);
			if (!strstr(kfree_618, quoted)) {
				printf("#   %s: %s is not a drop reason of 6.18\n", ci->name, reason);
				CHECK(0);
			}
			st = pc_drop_station(reason, at ? at + 1 : "");
			if (ci->stations == 0)
				continue;
			if (st == PC_ANY_HOOK ? !(ci->stations & NF_BITS) : st >= PC_NSTATIONS || !(ci->stations & (1u << st))) {
				printf("#   %s: dropmap.c puts %s at %s, not at one of its stations\n", ci->name,
				       ci->reasons[k], st == PC_ANY_HOOK ? "a netfilter hook" : pc_station_name(st));
				CHECK(0);
			}
		}
	}
}

/* A drop the probe saw: the station's own finding when the reason fits it, else the reason's cause. */
static void
test_of_drop(void)
{
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "NO_SOCKET", PC_SOCKET), PC_C_NO_LISTENER);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_LISTENER_LOOPBACK_ONLY, "NO_SOCKET", PC_SOCKET), PC_C_LISTENER_LOOPBACK_ONLY);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "IP_RPFILTER", PC_ROUTE), PC_C_RPF);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "QDISC_DROP", PC_QDISC), PC_C_QDISC_DROP);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "NEIGH_FAILED", PC_NEIGHBOUR), PC_C_NEIGH_FAILED);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NEIGH_INCOMPLETE, "NEIGH_FAILED", PC_NEIGHBOUR), PC_C_NEIGH_INCOMPLETE);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "IP_INADDRERRORS", PC_FORWARD_ST), PC_C_FORWARDING_DISABLED);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "PKT_TOO_BIG", PC_PMTU), PC_C_MTU_EXCEEDED);
	/* A reason alone does not name the kind of rule: the bare netfilter drop, unless the station read the rule. */
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "NETFILTER_DROP", PC_OUTPUT), PC_C_NETFILTER_DROP);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NFT_POLICY_DROP, "NETFILTER_DROP", PC_INPUT), PC_C_NFT_POLICY_DROP);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_XT_RULE_REJECT, "NETFILTER_DROP", PC_FORWARD_ST), PC_C_XT_RULE_REJECT);
	/* Conntrack: full or invalid is not in the reason. */
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "NETFILTER_DROP", PC_CONNTRACK), PC_C_KERNEL_DROP);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_CT_TABLE_FULL, "NETFILTER_DROP", PC_CONNTRACK), PC_C_CT_TABLE_FULL);
	/* A cause that does not list the reason is not kept. */
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NO_CARRIER, "QDISC_DROP", PC_QDISC), PC_C_QDISC_DROP);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_UNDECIDED_RULE, "NETFILTER_DROP", PC_INPUT), PC_C_NETFILTER_DROP);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "SOME_FUTURE_REASON", PC_ROUTE), PC_C_KERNEL_DROP);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "", PC_ROUTE), PC_C_KERNEL_DROP);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, NULL, PC_ROUTE), PC_C_KERNEL_DROP);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "NO_SOCKET", PC_NSTATIONS), PC_C_KERNEL_DROP);
	CHECK_EQ_INT(pc_cause_of_drop(PC_C_NONE, "NO_SOCKET", -1), PC_C_KERNEL_DROP);
	CHECK_EQ_INT(pc_cause_of_drop((enum pc_cause)999, "NO_SOCKET", PC_SOCKET), PC_C_NO_LISTENER);
	CHECK_EQ_INT(pc_cause_of_errno(-EPERM), PC_C_NEEDS_PRIVILEGE);
	CHECK_EQ_INT(pc_cause_of_errno(-EACCES), PC_C_NEEDS_PRIVILEGE);
	CHECK_EQ_INT(pc_cause_of_errno(-EIO), PC_C_NOT_READ);
}

/* A status comes with its cause; ok and skipped have none; a problem given none is a bug that says so. */
static void
test_set(void)
{
	struct pc_result r;
	struct pc_station *s;

	memset(&r, 0, sizeof(r));
	s = pc_st(&r, PC_ROUTE, PP_ST_FAIL, PC_C_RPF, "x");
	CHECK_EQ_INT(s->cause, PC_C_RPF);
	pc_set(s, PP_ST_OK, PC_C_RPF);
	CHECK_EQ_INT(s->cause, PC_C_NONE);
	pc_set(s, PP_ST_SKIPPED, PC_C_RPF);
	CHECK_EQ_INT(s->cause, PC_C_NONE);
	pc_set(s, PP_ST_WARN, PC_C_NONE);
	CHECK_EQ_INT(s->cause, PC_C_UNCLASSIFIED);
	pc_set(s, PP_ST_UNKNOWN, (enum pc_cause)13);
	CHECK_EQ_INT(s->cause, PC_C_UNCLASSIFIED);
	pc_set(s, PP_ST_UNKNOWN, PC_C_NOT_READ);
	CHECK_EQ_INT(s->cause, PC_C_NOT_READ);
	pc_result_free(&r);
}

/* Render one result to a string. */
static char *
render(int how, struct pc_opts *o, struct pc_target *t, size_t n)
{
	static char out[64 * 1024];
	FILE *fp = fmemopen(out, sizeof(out) - 1, "w");

	memset(out, 0, sizeof(out));
	if (!fp)
		return out;
	if (how == 0)
		pc_render_json(o, t, n, fp);
	else if (how == 1)
		pc_render_text(o, t, n, fp);
	else
		pc_render_prom(o, t, n, fp, true);
	fclose(fp);
	return out;
}

/* The cause in every form: JSON verdict and station, text, Prometheus label; a target that could not be checked. */
static void
test_render(void)
{
	static struct pc_target t[2];
	struct pc_opts o;
	const char *out;

	memset(&o, 0, sizeof(o));
	memset(t, 0, sizeof(t));
	t[0].q.family = AF_INET;
	t[0].q.direction = PC_INGRESS;
	t[0].q.proto = IPPROTO_TCP;
	pp_parse_addr("203.0.113.2", AF_INET, &t[0].q.dst);
	snprintf(t[0].q.dest_arg, sizeof(t[0].q.dest_arg), "203.0.113.2");
	snprintf(t[0].label, sizeof(t[0].label), "web");
	pc_st(&t[0].r, PC_ROUTE, PP_ST_FAIL, PC_C_RPF, "reverse-path filter drops it");
	snprintf(t[0].r.st[PC_ROUTE].drop_reason, sizeof(t[0].r.st[PC_ROUTE].drop_reason), "IP_RPFILTER");
	pc_st(&t[0].r, PC_INPUT, PP_ST_OK, PC_C_RPF, "accepted");
	t[0].r.verdict_station = PC_ROUTE;
	t[0].r.verdict_status = PP_ST_FAIL;
	t[0].r.verdict_cause = PC_C_RPF;

	out = render(0, &o, t, 1);
	CHECK(strstr(out, "\"verdict\":{\"status\":\"fail\",\"station\":\"route\"") != NULL);
	CHECK(strstr(out, "\"hint\":null,\"cause\":\"RPF\",\"cause_code\":6}") != NULL);
	CHECK(strstr(out, "\"drop_reason\":\"IP_RPFILTER\",\"cause\":\"RPF\",\"cause_code\":6,") != NULL);
	/* ok keeps no cause, whatever it was given */
	CHECK(strstr(out, "\"summary\":\"accepted\",\"evidence\":{},\"cause\":\"NONE\",\"cause_code\":0,") != NULL);
	out = render(1, &o, t, 1);
	CHECK(strstr(out, "verdict: FAIL at route: reverse-path filter drops it\n  cause RPF\n") != NULL);
	out = render(2, &o, t, 1);
	CHECK(strstr(out, "station=\"route\",drop_reason=\"IP_RPFILTER\",cause=\"RPF\"} 1\n") != NULL);

	/* -f: a bad line, and a name the resolver did not answer for. */
	o.file = "targets";
	t[1] = t[0];
	memset(&t[1].r, 0, sizeof(t[1].r));
	t[1].rc = PP_EXIT_USAGE;
	snprintf(t[1].error, sizeof(t[1].error), "line 2: bad");
	out = render(0, &o, t, 2);
	CHECK(strstr(out, "\"bad_input\":true,\"cause\":\"BAD_INPUT\",\"cause_code\":210}") != NULL);
	t[1].rc = PP_EXIT_UNKNOWN;
	out = render(0, &o, t, 2);
	CHECK(strstr(out, "\"bad_input\":false,\"cause\":\"RESOLVE_FAILED\",\"cause_code\":211}") != NULL);
	out = render(2, &o, t, 2);
	CHECK(strstr(out, "status=\"unknown\",station=\"\",drop_reason=\"\",cause=\"RESOLVE_FAILED\"} 1\n") != NULL);
	out = render(1, &o, t, 2);
	CHECK(strstr(out, "  cause RESOLVE_FAILED\n") != NULL);
	for (size_t i = 0; i < 2; i++)
		pc_result_free(&t[i].r);
}

/*
 * The man page's CAUSES section lists every code: ".BR NAME \" (N)\"", its meaning, what to
 * do, and each kernel drop reason. Read from the source tree (make runs the tests from it).
 */
static void
test_man_page(void)
{
	static char buf[256 * 1024];
	char *sec, *end, *w;
	const char *r;
	size_t n = 0;
	FILE *fp = fopen("man/man8/pathcheck.8", "r");

	if (!fp)
		fp = fopen("../../man/man8/pathcheck.8", "r");
	CHECK(fp != NULL);
	if (!fp)
		return;
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* roff's escaped dash back to a dash */
	for (r = buf, w = buf; *r; r++) {
		if (r[0] == '\\' && r[1] == '-')
			r++;
		*w++ = *r;
	}
	*w = '\0';
	sec = strstr(buf, "\n.SH CAUSES\n");
	CHECK(sec != NULL);
	if (!sec)
		return;
	if ((end = strstr(sec + 1, "\n.SH ")) != NULL)
		*end = '\0';
	for (int c = 0; c < PC_C_MAX; c++) {
		const struct pc_cause_info *ci = &pc_causes[c];
		char head[96];

		if (!ci->name)
			continue;
		snprintf(head, sizeof(head), "\n.BR %s \" (%d)\"\n", ci->name, c);
		if (!strstr(sec, head) || !strstr(sec, ci->meaning + 1) || !strstr(sec, ci->recommendation + 1)) {
			printf("#   pathcheck.8 CAUSES: %s (%d), its meaning or what to do is missing or differs\n", ci->name, c);
			CHECK(0);
		}
		for (size_t k = 0; k < PC_CAUSE_REASONS_MAX && ci->reasons[k]; k++)
			if (!strstr(sec, ci->reasons[k])) {
				printf("#   pathcheck.8 CAUSES: %s lacks its drop reason %s\n", ci->name, ci->reasons[k]);
				CHECK(0);
			}
	}
}

int
main(void)
{
	RUN(test_frozen);
	RUN(test_documented);
	RUN(test_reasons_agree);
	RUN(test_of_drop);
	RUN(test_set);
	RUN(test_man_page);
	RUN(test_render);
	return tap_done();
}
