/* render.c: text, JSON and Prometheus forms of one result. Renderers never touch netlink. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pathcheck.h"
#include "replay.h"
#include "probe_series.h"
#include "text.h"

const char *
pc_direction_name(enum pc_direction d)
{
	return d == PC_INGRESS ? "ingress" : d == PC_FORWARD ? "forward" : "egress";
}

const char *
pc_ct_state_name(uint32_t st)
{
	return st == PC_CT_ESTABLISHED ? "established" : st == PC_CT_RELATED ? "related" :
	       st == PC_CT_INVALID ? "invalid" : "new";
}

const char *
pc_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_ICMPV6: return "icmpv6";
	default: return "icmp";
	}
}

static const char *
status_word(enum pp_status st)
{
	switch (st) {
	case PP_ST_OK: return "ok";
	case PP_ST_WARN: return "WARN";
	case PP_ST_FAIL: return "FAIL";
	case PP_ST_UNKNOWN: return "UNKNOWN";
	default: return "skip";
	}
}

/* Evidence as "key=value" lines, nested objects and arrays flattened. */
static void
evidence_text(const struct pp_val *v, const char *prefix, FILE *f, int indent)
{
	for (const struct pp_val *c = v ? v->child : NULL; c; c = c->next) {
		char key[128];

		/* "dev" beside "device" is the old JSON key, kept for one release: text shows the device once. */
		if (c->key && strcmp(c->key, "dev") == 0 && pp_val_get(v, "device"))
			continue;
		snprintf(key, sizeof(key), "%s%s%s", prefix, prefix[0] && c->key && c->key[0] ? "." : "",
			 c->key ? c->key : "");
		switch (c->type) {
		case PP_V_OBJ:
			evidence_text(c, key, f, indent);
			break;
		case PP_V_ARR: {
			int i = 0;

			for (const struct pp_val *e = c->child; e; e = e->next, i++) {
				char k2[160];

				snprintf(k2, sizeof(k2), "%s[%d]", key, i);
				if (e->type == PP_V_OBJ) {
					evidence_text(e, k2, f, indent);
				} else if (e->type == PP_V_STR) {
					char b[1024];

					fprintf(f, "%*s%s: %s\n", indent, "", k2, pp_text_safe(e->v.s, b, sizeof(b)));
				}
			}
			break;
		}
		case PP_V_STR: {
			char b[1024];

			fprintf(f, "%*s%s: %s\n", indent, "", key, pp_text_safe(c->v.s, b, sizeof(b)));
			break;
		}
		case PP_V_U64: fprintf(f, "%*s%s: %llu\n", indent, "", key, (unsigned long long)c->v.u); break;
		case PP_V_I64: fprintf(f, "%*s%s: %lld\n", indent, "", key, (long long)c->v.i); break;
		case PP_V_BOOL: fprintf(f, "%*s%s: %s\n", indent, "", key, c->v.b ? "yes" : "no"); break;
		default: break;
		}
	}
}

static void
query_line(const struct pc_opts *o, const struct pc_query *q, char *buf, size_t len)
{
	char d[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
	size_t n;

	pp_addr_str(&q->dst, d, sizeof(d));
	n = (size_t)snprintf(buf, len, "%s", d);
	if (strcmp(q->dest_arg, d) != 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, " (%s)", q->dest_arg);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, " %s", pc_proto_name(q->proto));
	if (q->has_dport && n < len)
		n += (size_t)snprintf(buf + n, len - n, "/%u", q->dport);
	if (q->src.family && n < len)
		n += (size_t)snprintf(buf + n, len - n, " from %s", pp_addr_str(&q->src, s, sizeof(s)));
	if (q->iif[0] && n < len)
		n += (size_t)snprintf(buf + n, len - n, " in on %s", q->iif);
	if (q->ct_state && n < len)
		n += (size_t)snprintf(buf + n, len - n, ", ct state %s%s", pc_ct_state_name(q->ct_state),
				      q->ct_reply ? " (reply)" : "");
	if (n < len && q->netns)
		snprintf(buf + n, len - n, ", %s, netns %s", pc_direction_name(q->direction), q->netns);
	else if (n < len)
		snprintf(buf + n, len - n, ", %s%s%s", pc_direction_name(q->direction),
			 pp_cli_netns_name(&o->cli) ? ", netns " : "",
			 pp_cli_netns_name(&o->cli) ? pp_cli_netns_name(&o->cli) : "");
}

/* --count: the series, or NULL (no --count, a target not checked, a series not held or not sent). */
static const struct pc_series *
series_of(const struct pc_target *t)
{
	const struct pc_series *s = t->rc == PP_EXIT_OK && !t->f.pr.watch ? t->f.pr.series : NULL;

	return s && s->n ? s : NULL;
}

static const char *
series_status_name(enum pc_series_status st)
{
	switch (st) {
	case PC_SERIES_ALL: return "all_answered";
	case PC_SERIES_NONE: return "none_answered";
	case PC_SERIES_FLAKY: return "flaky";
	default: return "none_sent";
	}
}

/* As ping ends: "probes: 100 sent, 90 answered, 10% loss, rtt ...", and one letter per probe. */
static void
text_series(const struct pc_opts *o, const struct pc_target *t, FILE *f)
{
	const struct pc_series *s = series_of(t);
	struct pc_series_stats ss;
	char line[256], pat[128], *seq;

	if (!s)
		return;
	pc_series_stats(s->p, s->n, &ss);
	pc_series_line(&ss, line, sizeof(line));
	pc_series_pattern_words(&ss, pat, sizeof(pat));
	fprintf(f, "probes: %s%s%s%s\n", ss.status == PC_SERIES_FLAKY ? "flaky: " : "", line, pat[0] ? "; " : "", pat);
	/* Long series: the letters with -v only. */
	if ((s->n <= 100 || o->verbose) && (seq = malloc(s->n + 1))) {
		pc_series_sequence(s->p, s->n, seq, s->n + 1);
		fprintf(f, "  sequence: %s\n", seq);
		free(seq);
	}
}

static enum pc_cause target_cause(const struct pc_target *t);

/*
 * The verdict's next command. When --follow ends in another namespace than the walk
 * started in, each command of the hint is run there: "ip netns exec NS" (nsenter for a
 * process's namespace or the host's), so that it reads the namespace the verdict names.
 */
static const char *
verdict_hint(const struct pc_target *t, const char *hint, char *buf, size_t len)
{
	char pre[96];
	size_t n = 0;
	const char *p = hint;

	if (!t->q.follow || !t->follow_netns[0] || strcmp(t->follow_netns, t->netns_name) == 0)
		return hint;
	if (strcmp(t->follow_netns, "host") == 0)
		snprintf(pre, sizeof(pre), "nsenter -t 1 -n ");
	else if (strncmp(t->follow_netns, "pid:", 4) == 0)
		snprintf(pre, sizeof(pre), "nsenter -t %s -n ", t->follow_netns + 4);
	else
		snprintf(pre, sizeof(pre), "ip netns exec %s ", t->follow_netns);
	buf[0] = '\0';
	while (*p && n < len) {
		const char *e = strstr(p, "; ");
		size_t l = e ? (size_t)(e - p) : strlen(p);

		n += (size_t)snprintf(buf + n, len - n, "%s%s%.*s", n ? "; " : "", pre, (int)l, p);
		p = e ? e + 2 : p + l;
	}
	return buf;
}

/* The stations of one walk (one hop), in path order. */
static void
text_stations(const struct pc_opts *o, const struct pc_target *t, FILE *f)
{
	const struct pp_cli *c = &o->cli;
	const struct pc_result *r = &t->r;
	const enum pc_station_id *order;
	char b1[1024];
	size_t n;

	order = pc_path_order(t->q.direction, &n);
	for (size_t i = 0; i < n; i++) {
		const struct pc_station *s = &r->st[order[i]];

		if (!s->present)
			continue;
		fprintf(f, "  %-14s %s%-7s%s %s\n", pc_station_name(order[i]), pp_color(c, s->status),
			status_word(s->status), pp_color_reset(c), pp_text_safe(s->summary, b1, sizeof(b1)));
		if (s->cause != PC_C_NONE)
			fprintf(f, "  %-14s %-7s cause %s\n", "", "", pc_cause_name(s->cause));
		if (s->drop_reason[0])
			fprintf(f, "  %-14s %-7s drop reason: %s\n", "", "", pp_text_safe(s->drop_reason, b1, sizeof(b1)));
		if (s->hint[0] && (s->status == PP_ST_FAIL || s->status == PP_ST_WARN || s->status == PP_ST_UNKNOWN || o->verbose))
			fprintf(f, "  %-14s %-7s next: %s\n", "", "", pp_text_safe(s->hint, b1, sizeof(b1)));
		if (o->verbose)
			evidence_text(s->evidence, "", f, 25);
	}
}

static void text_hops(const struct pc_opts *o, const struct pc_target *t, FILE *f);

/* Every branch the kernel's choices split a walk into (the first is the one shown), each followed on with --follow. */
static void
text_branches(const struct pc_opts *o, const struct pc_target *t, FILE *f)
{
	const struct pp_cli *c = &o->cli;
	char b1[1024], b2[1024];

	for (size_t i = 0; i < t->nbr; i++) {
		const struct pc_result *br = i == 0 ? &t->r : &t->br[i].r;
		const struct pc_target *w = t->br[i].walk;
		enum pc_station_id st = t->br[i].station;

		fprintf(f, "branch %zu of %zu (%s): %s%s%s%s%s%s%s: %s\n", i + 1, t->nbr,
			pp_text_safe(t->br[i].label, b2, sizeof(b2)), pp_color(c, t->br[i].status),
			st < PC_NSTATIONS ? status_word(t->br[i].status) : "ok", pp_color_reset(c),
			st < PC_NSTATIONS ? " at " : "", st < PC_NSTATIONS ? pc_station_name(st) : "",
			st < PC_NSTATIONS ? ", cause " : "", st < PC_NSTATIONS ? pc_cause_name(t->br[i].cause) : "",
			pp_text_safe(st < PC_NSTATIONS ? br->st[st].summary : "every station passes", b1, sizeof(b1)));
		if (w) {
			text_hops(o, w, f);
			fprintf(f, "branch %zu walk: %s\n", i + 1, pp_text_safe(w->follow_summary, b1, sizeof(b1)));
		}
	}
}

/* Each namespace --follow went on into, with its stations. */
static void
text_hops(const struct pc_opts *o, const struct pc_target *t, FILE *f)
{
	char ql[512], b1[1024], b2[1024];

	for (size_t h = 0; h < t->nhops; h++) {
		const struct pc_hop *hp = &t->hops[h];
		char a1[INET6_ADDRSTRLEN], a2[INET6_ADDRSTRLEN];

		fprintf(f, "-> netns %s, in on %s (%s): %s -> %s %s", pp_text_safe(hp->netns, b1, sizeof(b1)),
			pp_text_safe(hp->dev_in, b2, sizeof(b2)), pp_text_safe(hp->via, ql, sizeof(ql)),
			pp_addr_str(&hp->t.q.src, a1, sizeof(a1)), pp_addr_str(&hp->t.q.dst, a2, sizeof(a2)),
			pc_proto_name(hp->t.q.proto));
		if (hp->t.q.has_dport)
			fprintf(f, "/%u", hp->t.q.dport);
		if (hp->l2)
			fprintf(f, ", %s", pp_text_safe(hp->l2_via, b1, sizeof(b1)));
		else
			fprintf(f, ", %s", pc_direction_name(hp->t.q.direction));
		if (hp->nat[0])
			fprintf(f, " (nat: %s)", pp_text_safe(hp->nat, b1, sizeof(b1)));
		fputc('\n', f);
		text_stations(o, &hp->t, f);
		text_branches(o, &hp->t, f);
	}
}

static void
text_walk(const struct pc_opts *o, const struct pc_target *t, FILE *f)
{
	char b1[1024];

	text_stations(o, t, f);
	text_branches(o, t, f);
	text_hops(o, t, f);
	if (t->q.follow)
		fprintf(f, "walk: %s\n", pp_text_safe(t->follow_summary, b1, sizeof(b1)));
}

static void
text_one(const struct pc_opts *o, const struct pc_target *t, FILE *f)
{
	const struct pp_cli *c = &o->cli;
	const struct pc_result *r = &t->r;
	char ql[512], b1[1024], b2[1024];

	/* Every string from outside (DEST, a -f line, a device or chain name) goes through pp_text_safe. */
	if (t->rc != PP_EXIT_OK) {
		fprintf(f, "pathcheck %s\n  %s%-7s%s %s\n  cause %s\n", pp_text_safe(t->label, b1, sizeof(b1)),
			pp_color(c, PP_ST_UNKNOWN), "UNKNOWN", pp_color_reset(c), pp_text_safe(t->error, b2, sizeof(b2)),
			pc_cause_name(target_cause(t)));
		return;
	}
	query_line(o, &t->q, ql, sizeof(ql));
	fprintf(f, "pathcheck %s\n", pp_text_safe(ql, b1, sizeof(b1)));
	text_walk(o, t, f);
	if (t->q.reply || t->q.round_trip) {
		if (t->reply) {
			query_line(o, &t->reply->q, ql, sizeof(ql));
			fprintf(f, "the answer: %s\n", pp_text_safe(ql, b1, sizeof(b1)));
			text_walk(o, t->reply, f);
		} else {
			fprintf(f, "the answer: %s\n", pp_text_safe(t->reply_none, b1, sizeof(b1)));
		}
	}
	for (size_t i = 0; i < r->nwarnings; i++)
		fprintf(f, "warning: %s\n", pp_text_safe(r->warnings[i], b1, sizeof(b1)));
	text_series(o, t, f);
	if (r->verdict_station == PC_NSTATIONS) {
		if (r->verdict_status != PP_ST_OK)	/* more branches than followed */
			fprintf(f, "verdict: %s%s%s: %s\n  cause %s\n", pp_color(c, r->verdict_status),
				status_word(r->verdict_status), pp_color_reset(c), r->branches_summary,
				pc_cause_name(r->verdict_cause));
		else
			fprintf(f, "verdict: %sok%s: %s\n", pp_color(c, PP_ST_OK), pp_color_reset(c),
				r->branches_summary[0] ? r->branches_summary : "every station passes");
		return;
	}
	{
		const struct pc_result *d = r->decided_by ? r->decided_by : r;
		const struct pc_station *s = &d->st[r->verdict_station];

		fprintf(f, "verdict: %s%s%s%s%s at %s: %s\n", pp_color(c, r->verdict_status),
			status_word(r->verdict_status), pp_color_reset(c), t->follow_netns[0] ? " in netns " : "",
			pp_text_safe(t->follow_netns, b2, sizeof(b2)), pc_station_name(r->verdict_station),
			pp_text_safe(r->branches_summary[0] ? r->branches_summary : s->summary, b1, sizeof(b1)));
		fprintf(f, "  cause %s\n", pc_cause_name(r->verdict_cause));
		if (s->hint[0]) {
			char hb[512];

			fprintf(f, "  next: %s\n", pp_text_safe(verdict_hint(t, s->hint, hb, sizeof(hb)), b1, sizeof(b1)));
		}
	}
}

static enum pp_status
target_status(const struct pc_target *t)
{
	return t->rc != PP_EXIT_OK ? PP_ST_UNKNOWN : t->r.verdict_status;
}

/* The cause of a target's verdict: a target that could not be checked says why. */
static enum pc_cause
target_cause(const struct pc_target *t)
{
	if (t->rc == PP_EXIT_USAGE)
		return PC_C_BAD_INPUT;
	if (t->rc != PP_EXIT_OK)
		return PC_C_RESOLVE_FAILED;
	return t->r.verdict_cause;
}

static void
json_cause(struct pp_json *j, enum pc_cause c)
{
	pp_json_str(j, "cause", pc_cause_name(c));
	pp_json_u64(j, "cause_code", (uint64_t)c);
}

/* Targets that are bad input (a line that could not be read, a name that does not exist). */
static size_t
bad_input(const struct pc_target *t, size_t n)
{
	size_t k = 0;

	for (size_t i = 0; i < n; i++)
		k += t[i].rc == PP_EXIT_USAGE;
	return k;
}

/* expect= of a -f line: "expect drop: met", "expect pass: BROKEN (...)", "not decided". Returns 1 when broken. */
int
pc_text_expect(const struct pp_cli *c, const struct pc_target *t, FILE *f)
{
	int m = pc_expect_met(t->expect, t->rc, target_status(t));

	if (!t->expect)
		return 0;
	if (m == 1)
		fprintf(f, "expect %s: met\n", pc_expect_name(t->expect));
	else if (m == 0)
		fprintf(f, "expect %s: %sBROKEN%s: the verdict is %s\n", pc_expect_name(t->expect),
			pp_color(c, PP_ST_FAIL), pp_color_reset(c), pp_status_name(target_status(t)));
	else
		fprintf(f, "expect %s: not decided: the verdict is %s\n", pc_expect_name(t->expect),
			pp_status_name(target_status(t)));
	return m == 0;
}

/* JSON members "expect" and "expectation_met" of a -f target. */
void
pc_json_expect(const struct pc_target *t, struct pp_json *j)
{
	int m = pc_expect_met(t->expect, t->rc, target_status(t));

	pp_json_str(j, "expect", pc_expect_name(t->expect));
	if (m < 0)
		pp_json_null(j, "expectation_met");
	else
		pp_json_bool(j, "expectation_met", m == 1);
}

void
pc_render_text(const struct pc_opts *o, const struct pc_target *t, size_t n, FILE *f)
{
	size_t count[PP_ST_SKIPPED + 1] = { 0 };

	size_t broken = 0;

	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc('\n', f);
		text_one(o, &t[i], f);
		if (t[i].replay)
			pc_replay_text(t[i].replay, f);
		count[target_status(&t[i])]++;
		broken += pc_text_expect(&o->cli, &t[i], f);
	}
	if (o->file) {
		size_t bad = bad_input(t, n);

		fprintf(f, "\n%zu targets: %zu ok, %zu warn, %zu fail, %zu unknown", n, count[PP_ST_OK],
			count[PP_ST_WARN], count[PP_ST_FAIL], count[PP_ST_UNKNOWN]);
		if (bad)
			fprintf(f, " (%zu of them bad input)", bad);
		if (broken)
			fprintf(f, "; %zu expectation%s BROKEN", broken, broken == 1 ? "" : "s");
		fputc('\n', f);
	}
}

/* Seconds as milliseconds, to the microsecond (no libm: values are never negative). */
static double
ms3(double sec)
{
	return (double)(long long)(sec * 1e6 + 0.5) / 1e3;
}

/* --count: "probes", after the verdict. A single probe has none, as before --count. */
static void
json_series(const struct pc_target *t, struct pp_json *j)
{
	const struct pc_series *s = series_of(t);
	struct pc_series_stats ss;
	const char *pat;
	char *seq;

	if (!s)
		return;
	pc_series_stats(s->p, s->n, &ss);
	pat = pc_series_pattern_id(ss.pattern);
	pp_json_obj_open(j, "probes");
	pp_json_u64(j, "count", s->count);
	pp_json_double(j, "interval_seconds", s->interval);
	pp_json_u64(j, "sent", ss.sent);
	pp_json_u64(j, "answered", ss.answered);
	pp_json_double(j, "loss_percent", (double)(long long)(ss.loss_percent * 100 + 0.5) / 100);
	pp_json_str(j, "status", series_status_name(ss.status));
	pp_json_str(j, "pattern", pat);
	if (ss.pattern == PC_PAT_EVERY_OTHER || ss.pattern == PC_PAT_PERIODIC)
		pp_json_u64(j, "period", ss.period);
	if (ss.pattern == PC_PAT_BURST_START || ss.pattern == PC_PAT_BURST_END || ss.pattern == PC_PAT_BURST) {
		pp_json_obj_open(j, "burst");
		pp_json_u64(j, "first", ss.burst_first);
		pp_json_u64(j, "last", ss.burst_last);
		pp_json_obj_close(j);
	}
	if (ss.has_rtt) {
		pp_json_obj_open(j, "rtt_ms");
		pp_json_double(j, "min", ms3(ss.rtt_min));
		pp_json_double(j, "p50", ms3(ss.rtt_p50));
		pp_json_double(j, "p90", ms3(ss.rtt_p90));
		pp_json_double(j, "max", ms3(ss.rtt_max));
		pp_json_obj_close(j);
	} else
		pp_json_null(j, "rtt_ms");
	pp_json_obj_open(j, "outcomes");
	for (int o = 0; o < PC_OUTCOMES; o++)
		if (ss.by_outcome[o])
			pp_json_u64(j, pc_outcome_name(o), ss.by_outcome[o]);
	pp_json_obj_close(j);
	if ((seq = malloc(s->n + 1))) {
		pc_series_sequence(s->p, s->n, seq, s->n + 1);
		pp_json_str(j, "sequence", seq);
		free(seq);
	}
	pp_json_bool(j, "stopped", s->stopped);
	pp_json_obj_close(j);
}

/* The members of one result: query, stations, verdict, warnings. */
static void json_hops(const struct pc_target *t, struct pp_json *j);

/* The members of one result: query, stations, verdict, warnings; with --follow the walk's hops (with_hops). */
static void
json_members_(const struct pc_target *t, struct pp_json *j, bool with_hops)
{
	const struct pc_query *q = &t->q;
	const struct pc_result *r = &t->r;
	const enum pc_station_id *order;
	char a[INET6_ADDRSTRLEN];
	size_t n;

	pp_json_obj_open(j, "query");
	pp_json_str(j, "direction", pc_direction_name(q->direction));
	pp_json_str(j, "family", q->family == AF_INET6 ? "inet6" : "inet");
	pp_json_str(j, "dst", q->dst.family ? pp_addr_str(&q->dst, a, sizeof(a)) : NULL);
	if (!q->dst.family || strcmp(q->dest_arg, a) != 0)
		pp_json_str(j, "name", q->dest_arg);
	pp_json_str(j, "src", q->src.family ? pp_addr_str(&q->src, a, sizeof(a)) : NULL);
	pp_json_str(j, "proto", pc_proto_name(q->proto));
	if (q->has_dport)
		pp_json_u64(j, "dport", q->dport);
	else
		pp_json_null(j, "dport");
	if (q->has_sport)
		pp_json_u64(j, "sport", q->sport);
	else
		pp_json_null(j, "sport");
	pp_json_str(j, "iif", q->iif[0] ? q->iif : NULL);
	if (q->oif[0])
		pp_json_str(j, "oif", q->oif);
	if (q->has_mark)
		pp_json_u64(j, "mark", q->mark);
	else
		pp_json_null(j, "mark");
	if (q->has_uid)
		pp_json_u64(j, "uid", q->uid);
	if (q->ct_state)
		pp_json_str(j, "ct_state", pc_ct_state_name(q->ct_state));
	if (q->ct_reply)
		pp_json_str(j, "ct_direction", "reply");
	pp_json_obj_close(j);
	pp_json_arr_open(j, "stations");
	order = pc_path_order(q->direction, &n);
	for (size_t i = 0; t->rc == PP_EXIT_OK && i < n; i++) {
		const struct pc_station *s = &r->st[order[i]];

		if (!s->present)
			continue;
		pp_json_obj_open(j, NULL);
		pp_json_str(j, "station", pc_station_name(order[i]));
		pp_json_str(j, "status", pp_status_name(s->status));
		pp_json_str(j, "summary", s->summary);
		if (s->evidence) {
			pp_val_json(s->evidence, j, "evidence");
		} else {
			pp_json_obj_open(j, "evidence");
			pp_json_obj_close(j);
		}
		if (s->drop_reason[0])
			pp_json_str(j, "drop_reason", s->drop_reason);
		json_cause(j, s->cause);
		pp_json_str(j, "hint", s->hint[0] ? s->hint : NULL);
		pp_json_obj_close(j);
	}
	pp_json_arr_close(j);
	pp_json_obj_open(j, "verdict");
	if (t->rc != PP_EXIT_OK) {
		pp_json_str(j, "status", "unknown");
		pp_json_null(j, "station");
		pp_json_str(j, "summary", t->error);
		pp_json_null(j, "hint");
		pp_json_bool(j, "bad_input", t->rc == PP_EXIT_USAGE);
		json_cause(j, target_cause(t));
	} else if (r->verdict_station == PC_NSTATIONS) {
		pp_json_str(j, "status", pp_status_name(r->verdict_status));
		pp_json_null(j, "station");
		pp_json_str(j, "summary", r->branches_summary[0] ? r->branches_summary : "every station passes");
		pp_json_null(j, "hint");
		json_cause(j, r->verdict_cause);
	} else {
		const struct pc_result *d = r->decided_by ? r->decided_by : r;
		const struct pc_station *s = &d->st[r->verdict_station];

		pp_json_str(j, "status", pp_status_name(r->verdict_status));
		pp_json_str(j, "station", pc_station_name(r->verdict_station));
		pp_json_str(j, "summary", r->branches_summary[0] ? r->branches_summary : s->summary);
		if (s->drop_reason[0])
			pp_json_str(j, "drop_reason", s->drop_reason);
		{
			char hb[512];

			pp_json_str(j, "hint", s->hint[0] ? verdict_hint(t, s->hint, hb, sizeof(hb)) : NULL);
		}
		json_cause(j, r->verdict_cause);
	}
	if (with_hops && t->q.follow)
		pp_json_str(j, "netns", t->follow_netns[0] ? t->follow_netns : t->netns_name);
	if (with_hops && (t->q.reply || t->q.round_trip))
		pp_json_str(j, "of", t->verdict_is_reply ? "answer" : "packet");
	pp_json_obj_close(j);
	json_series(t, j);
	if (t->nbr) {
		/* Each branch: what it took, its verdict, and its stations that differ from the first's. */
		pp_json_arr_open(j, "branches");
		for (size_t i = 0; i < t->nbr; i++) {
			const struct pc_result *br = i == 0 ? r : &t->br[i].r;
			enum pc_station_id st = t->br[i].station;

			pp_json_obj_open(j, NULL);
			pp_json_str(j, "choices", t->br[i].label);
			pp_json_obj_open(j, "verdict");
			pp_json_str(j, "status", pp_status_name(st < PC_NSTATIONS ? t->br[i].status : PP_ST_OK));
			pp_json_str(j, "station", st < PC_NSTATIONS ? pc_station_name(st) : NULL);
			pp_json_str(j, "summary", st < PC_NSTATIONS ? br->st[st].summary : "every station passes");
			json_cause(j, st < PC_NSTATIONS ? t->br[i].cause : PC_C_NONE);
			pp_json_obj_close(j);
			pp_json_arr_open(j, "stations");
			for (size_t k = 0; i > 0 && k < PC_NSTATIONS; k++) {
				const struct pc_station *s1 = &r->st[k], *b = &br->st[k];

				if (!b->present || (s1->present && s1->status == b->status && strcmp(s1->summary, b->summary) == 0))
					continue;
				pp_json_obj_open(j, NULL);
				pp_json_str(j, "station", pc_station_name((enum pc_station_id)k));
				pp_json_str(j, "status", pp_status_name(b->status));
				pp_json_str(j, "summary", b->summary);
				json_cause(j, b->cause);
				pp_json_obj_close(j);
			}
			pp_json_arr_close(j);
			if (t->br[i].walk)
				json_hops(t->br[i].walk, j);
			pp_json_obj_close(j);
		}
		pp_json_arr_close(j);
	}
	pp_json_arr_open(j, "warnings");
	for (size_t i = 0; i < r->nwarnings; i++)
		pp_json_str(j, NULL, r->warnings[i]);
	pp_json_arr_close(j);
	if (with_hops && t->q.follow && t->rc == PP_EXIT_OK)
		json_hops(t, j);
	if (with_hops && (t->q.reply || t->q.round_trip) && t->rc == PP_EXIT_OK) {
		/* The answer's walk, as a document of its own (query, stations, verdict, follow, hops). */
		if (t->reply) {
			pp_json_obj_open(j, "reply");
			json_members_(t->reply, j, true);
			pp_json_obj_close(j);
		} else {
			pp_json_obj_open(j, "reply");
			pp_json_null(j, "query");
			pp_json_str(j, "none", t->reply_none);
			pp_json_obj_close(j);
		}
	}
}

static void
json_members(const struct pc_target *t, struct pp_json *j)
{
	json_members_(t, j, true);
	if (t->replay)
		pc_replay_json(t->replay, t, j);
}

/* --follow: how the walk ended, and each namespace it went through, the first being this one. */
static void
json_hops(const struct pc_target *t, struct pp_json *j)
{
	pp_json_obj_open(j, "follow");
	pp_json_str(j, "end", pc_follow_end_name(t->follow_end));
	pp_json_str(j, "status", pp_status_name(t->follow_status));
	pp_json_str(j, "summary", t->follow_summary);
	pp_json_obj_close(j);
	pp_json_arr_open(j, "hops");
	pp_json_obj_open(j, NULL);
	pp_json_str(j, "netns", t->netns_name);
	pp_json_str(j, "device_in", t->q.iif[0] ? t->q.iif : NULL);
	pp_json_null(j, "via");
	json_members_(t, j, false);
	pp_json_obj_close(j);
	for (size_t i = 0; i < t->nhops; i++) {
		const struct pc_hop *h = &t->hops[i];

		pp_json_obj_open(j, NULL);
		pp_json_str(j, "netns", h->netns);
		pp_json_str(j, "device_in", h->dev_in);
		pp_json_str(j, "via", h->via);
		pp_json_str(j, "left_by", h->dev_prev);
		pp_json_str(j, "nat", h->nat[0] ? h->nat : NULL);
		pp_json_str(j, "bridged", h->l2 ? h->l2_via : NULL);
		json_members_(&h->t, j, false);
		pp_json_obj_close(j);
	}
	pp_json_arr_close(j);
}

void
pc_render_json(const struct pc_opts *o, const struct pc_target *t, size_t n, FILE *f)
{
	size_t count[PP_ST_SKIPPED + 1] = { 0 }, broken = 0;
	struct pp_json j;

	pp_json_init(&j, f, o->cli.pretty);
	pp_json_obj_open(&j, NULL);
	pp_json_str(&j, "schema", "pathcheck/1");
	pp_json_str(&j, "netns", pp_cli_netns_name(&o->cli));
	if (!o->file) {
		json_members(&t[0], &j);	/* the contract's single-destination document */
	} else {
		pp_json_arr_open(&j, "results");
		for (size_t i = 0; i < n; i++) {
			pp_json_obj_open(&j, NULL);
			pp_json_str(&j, "target", t[i].label);
			pp_json_u64(&j, "line", (uint64_t)t[i].line);
			pc_json_expect(&t[i], &j);
			if (pc_expect_met(t[i].expect, t[i].rc, target_status(&t[i])) == 0)
				broken++;
			json_members(&t[i], &j);
			pp_json_obj_close(&j);
			count[target_status(&t[i])]++;
		}
		pp_json_arr_close(&j);
		pp_json_obj_open(&j, "summary");
		pp_json_u64(&j, "targets", n);
		pp_json_u64(&j, "ok", count[PP_ST_OK]);
		pp_json_u64(&j, "warn", count[PP_ST_WARN]);
		pp_json_u64(&j, "fail", count[PP_ST_FAIL]);
		pp_json_u64(&j, "unknown", count[PP_ST_UNKNOWN]);
		pp_json_u64(&j, "bad_input", bad_input(t, n));
		pp_json_u64(&j, "expectations_broken", broken);
		pp_json_obj_close(&j);
	}
	pp_json_obj_close(&j);
	pp_json_end(&j);
}

/* The labels of one target: target, dst, proto, port, direction. */
static void
prom_labels(const struct pc_target *t, struct pp_label *l, char *d, char *port)
{
	d[0] = port[0] = '\0';
	if (t->q.dst.family)
		pp_addr_str(&t->q.dst, d, INET6_ADDRSTRLEN);
	if (t->q.has_dport)
		snprintf(port, 8, "%u", t->q.dport);
	l[0] = (struct pp_label){ "target", t->label };
	l[1] = (struct pp_label){ "dst", d };
	l[2] = (struct pp_label){ "proto", pc_proto_name(t->q.proto) };
	l[3] = (struct pp_label){ "port", port };
	l[4] = (struct pp_label){ "direction", pc_direction_name(t->q.direction) };
}

/* --count: sent, answered, loss and the RTT quantiles of each target's series. */
static void
prom_series(struct pp_prom *p, const struct pc_target *t, size_t n)
{
	static const struct { const char *q; int which; } qs[] = { { "0", 0 }, { "0.5", 1 }, { "0.9", 2 }, { "1", 3 } };
	struct pc_series_stats *ss = calloc(n, sizeof(*ss));
	struct pp_label l[6];
	char d[INET6_ADDRSTRLEN], port[8];
	bool any = false;

	if (!ss)
		return;
	for (size_t i = 0; i < n; i++)
		if (series_of(&t[i])) {
			pc_series_stats(series_of(&t[i])->p, series_of(&t[i])->n, &ss[i]);
			any = true;
		}
	if (!any)
		goto out;
	pp_prom_family(p, "pktpath_pathcheck_probe_sent", "gauge", "Probes of the flow sent to the target in this run (--count).");
	for (size_t i = 0; i < n; i++)
		if (series_of(&t[i])) {
			prom_labels(&t[i], l, d, port);
			pp_prom_sample_u64(p, "pktpath_pathcheck_probe_sent", l, 5, ss[i].sent);
		}
	pp_prom_family(p, "pktpath_pathcheck_probe_answered", "gauge",
		       "Probes of the series answered with their evidence (a completed handshake, our reply).");
	for (size_t i = 0; i < n; i++)
		if (series_of(&t[i])) {
			prom_labels(&t[i], l, d, port);
			pp_prom_sample_u64(p, "pktpath_pathcheck_probe_answered", l, 5, ss[i].answered);
		}
	pp_prom_family(p, "pktpath_pathcheck_probe_loss_ratio", "gauge",
		       "Probes of the series not answered, as a fraction of those sent (0 to 1).");
	for (size_t i = 0; i < n; i++)
		if (series_of(&t[i])) {
			prom_labels(&t[i], l, d, port);
			pp_prom_sample(p, "pktpath_pathcheck_probe_loss_ratio", l, 5, ss[i].loss_percent / 100.0);
		}
	pp_prom_family(p, "pktpath_pathcheck_probe_rtt_seconds", "summary",
		       "Round-trip time of the answered probes of the series (quantiles by nearest rank; 0 is the minimum, 1 the maximum).");
	for (size_t i = 0; i < n; i++) {
		const struct pc_series_stats *st = &ss[i];

		if (!series_of(&t[i]))
			continue;
		prom_labels(&t[i], l, d, port);
		for (size_t k = 0; k < PP_ARRAY_SIZE(qs); k++) {
			double v = !st->has_rtt ? NAN : qs[k].which == 0 ? st->rtt_min : qs[k].which == 1 ? st->rtt_p50 :
				   qs[k].which == 2 ? st->rtt_p90 : st->rtt_max;

			l[5] = (struct pp_label){ "quantile", qs[k].q };
			pp_prom_sample(p, "pktpath_pathcheck_probe_rtt_seconds", l, 6, v);
		}
		pp_prom_sample(p, "pktpath_pathcheck_probe_rtt_seconds_sum", l, 5, st->rtt_sum);
		pp_prom_sample_u64(p, "pktpath_pathcheck_probe_rtt_seconds_count", l, 5, st->answered);
	}
out:
	free(ss);
}

/* expect= lines: 1 per target whose expectation is broken (0 met or not decided), and the count. */
void
pc_prom_expect(struct pp_prom *p, const struct pc_target *t, size_t n)
{
	struct pp_label l[6];
	char d[INET6_ADDRSTRLEN], port[8];
	size_t with = 0, broken = 0;

	for (size_t i = 0; i < n; i++)
		with += t[i].expect != PC_EXPECT_NONE;
	if (!with)
		return;
	pp_prom_family(p, "pktpath_pathcheck_expectation_broken", "gauge",
		       "1 if the target's expect= (pass: verdict ok, drop: verdict fail) is broken, 0 if met or not decided.");
	for (size_t i = 0; i < n; i++) {
		int m;

		if (!t[i].expect)
			continue;
		m = pc_expect_met(t[i].expect, t[i].rc, target_status(&t[i]));
		broken += m == 0;
		prom_labels(&t[i], l, d, port);
		l[5] = (struct pp_label){ "expect", pc_expect_name(t[i].expect) };
		pp_prom_sample_u64(p, "pktpath_pathcheck_expectation_broken", l, 6, m == 0);
	}
	pp_prom_family(p, "pktpath_pathcheck_expectations_broken_targets", "gauge",
		       "Targets of the run whose expect= is broken.");
	pp_prom_sample_u64(p, "pktpath_pathcheck_expectations_broken_targets", NULL, 0, broken);
}

void
pc_render_prom(const struct pc_opts *o, const struct pc_target *t, size_t n, FILE *f, bool ok)
{
	static const enum pp_status all[] = { PP_ST_OK, PP_ST_WARN, PP_ST_FAIL, PP_ST_UNKNOWN, PP_ST_SKIPPED };
	struct pp_label l[10];
	char d[INET6_ADDRSTRLEN], port[8];
	struct pp_prom p;

	(void)o;
	pp_prom_init(&p, f);
	/* Each family once, every target's samples under it, as the text format requires. */
	if (ok && n) {
		pp_prom_family(&p, "pktpath_pathcheck_path_ok", "gauge",
			       "1 if every station on the path to the target passes, 0 if the packet dies, is degraded, or could not be checked.");
		for (size_t i = 0; i < n; i++) {
			prom_labels(&t[i], l, d, port);
			pp_prom_sample_u64(&p, "pktpath_pathcheck_path_ok", l, 5,
					   t[i].rc == PP_EXIT_OK && t[i].r.verdict_status == PP_ST_OK);
		}
		pp_prom_family(&p, "pktpath_pathcheck_verdict_info", "gauge",
			       "The verdict: its status, the deciding station, its cause (pathcheck(8) CAUSES) and the kernel's drop reason (always 1).");
		for (size_t i = 0; i < n; i++) {
			const struct pc_result *r = &t[i].r;
			bool none = t[i].rc != PP_EXIT_OK || r->verdict_station == PC_NSTATIONS;
			const struct pc_result *dr = r->decided_by ? r->decided_by : r;

			prom_labels(&t[i], l, d, port);
			l[5] = (struct pp_label){ "status", pp_status_name(target_status(&t[i])) };
			l[6] = (struct pp_label){ "station", none ? "" : pc_station_name(r->verdict_station) };
			l[7] = (struct pp_label){ "drop_reason", none ? "" : dr->st[r->verdict_station].drop_reason };
			l[8] = (struct pp_label){ "cause", pc_cause_name(target_cause(&t[i])) };
			/* --follow: the namespace the verdict is in ("netns" is the namespace pathcheck ran in). */
			l[9] = (struct pp_label){ "verdict_netns", t[i].follow_netns[0] ? t[i].follow_netns : t[i].netns_name };
			pp_prom_sample_u64(&p, "pktpath_pathcheck_verdict_info", l, t[i].q.follow ? 10 : 9, 1);
		}
		pp_prom_family(&p, "pktpath_pathcheck_station_status", "gauge",
			       "Per station of the path: 1 for its current status (state set over ok, warn, fail, unknown, skipped).");
		for (size_t i = 0; i < n; i++) {
			const enum pc_station_id *order;
			size_t ns;

			if (t[i].rc != PP_EXIT_OK)
				continue;
			order = pc_path_order(t[i].q.direction, &ns);
			for (size_t k = 0; k < ns; k++) {
				const struct pc_station *s = &t[i].r.st[order[k]];

				if (!s->present)
					continue;
				prom_labels(&t[i], l, d, port);
				l[5] = (struct pp_label){ "station", pc_station_name(order[k]) };
				for (size_t a = 0; a < PP_ARRAY_SIZE(all); a++) {
					l[6] = (struct pp_label){ "status", pp_status_name(all[a]) };
					pp_prom_sample_u64(&p, "pktpath_pathcheck_station_status", l, 7, s->status == all[a]);
				}
			}
		}
		pp_prom_family(&p, "pktpath_pathcheck_check_duration_seconds", "gauge",
			       "Wall time the check of the target took.");
		for (size_t i = 0; i < n; i++) {
			prom_labels(&t[i], l, d, port);
			pp_prom_sample(&p, "pktpath_pathcheck_check_duration_seconds", l, 5, t[i].r.elapsed);
		}
		prom_series(&p, t, n);
		pc_prom_expect(&p, t, n);
		if (t[0].replay) {
			pp_prom_family(&p, "pktpath_pathcheck_model_disagreements_total", "counter",
				       "--replay: 1 when the kernel, in the snapshot's state restored, did otherwise than pathcheck's verdict from the same snapshot.");
			for (size_t i = 0; i < n; i++) {
				prom_labels(&t[i], l, d, port);
				pp_prom_sample_u64(&p, "pktpath_pathcheck_model_disagreements_total", l, 5,
						   t[i].replay && t[i].replay->ran && t[i].replay->agree == 0);
			}
		}
	}
	pp_prom_run_info(&p, "pktpath_pathcheck", ok);
}
