/*
 * eval.c: the judgement. Every station of the path judges the facts the walk found (pure:
 * no I/O, so every decision is unit-tested with built facts), then the verdict is picked.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pathcheck.h"

void
pc_warn(struct pc_result *r, const char *fmt, ...)
{
	char buf[512], **nv;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	nv = realloc(r->warnings, (r->nwarnings + 1) * sizeof(*nv));
	if (!nv)
		return;
	r->warnings = nv;
	if ((nv[r->nwarnings] = strdup(buf)))
		r->nwarnings++;
}

void
pc_set(struct pc_station *s, enum pp_status st, enum pc_cause cause)
{
	s->status = st;
	if (st == PP_ST_OK || st == PP_ST_SKIPPED)
		s->cause = PC_C_NONE;
	else
		s->cause = cause != PC_C_NONE && pc_cause_valid((int)cause) ? cause : PC_C_UNCLASSIFIED;
}

struct pc_station *
pc_st(struct pc_result *r, enum pc_station_id id, enum pp_status st, enum pc_cause cause, const char *fmt, ...)
{
	struct pc_station *s = &r->st[id];
	va_list ap;

	s->present = true;
	pc_set(s, st, cause);
	va_start(ap, fmt);
	vsnprintf(s->summary, sizeof(s->summary), fmt, ap);
	va_end(ap);
	if (!s->evidence)
		s->evidence = pp_val_obj();
	return s;
}

void
pc_hint(struct pc_station *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->hint, sizeof(s->hint), fmt, ap);
	va_end(ap);
}

const char *
pc_ipcmd(const struct pc_query *q)
{
	return q->family == AF_INET6 ? "ip -6" : "ip";
}

/*
 * A verdict is never more certain than its evidence. A station that could not decide
 * (a rule pathcheck cannot evaluate may drop the packet or change where it goes) leaves
 * every station after it conditional: a fail or warn found there holds only if the
 * packet gets that far, so it becomes unknown, its finding kept as "if_reached", and
 * the verdict is the undecided station's. What the probe saw is evidence of its own and
 * stays as it is (and a probe that got through has already made the stations ok).
 */
static void
conditional_after_unknown(struct pc_result *res, const enum pc_station_id *order, size_t n)
{
	const char *first = NULL;

	for (size_t i = 0; i < n; i++) {
		struct pc_station *s = &res->st[order[i]];
		char buf[sizeof(s->summary)];

		if (!s->present || s->observed)
			continue;
		if (!first) {
			if (s->status == PP_ST_UNKNOWN)
				first = pc_station_name(order[i]);
			continue;
		}
		if (s->status != PP_ST_FAIL && s->status != PP_ST_WARN)
			continue;
		if (!s->evidence)
			s->evidence = pp_val_obj();
		pp_val_add_str(s->evidence, "if_reached", pp_status_name(s->status));
		pp_val_add_str(s->evidence, "if_reached_cause", pc_cause_name(s->cause));
		snprintf(buf, sizeof(buf), "only if %s lets the packet by: %s", first, s->summary);
		snprintf(s->summary, sizeof(s->summary), "%s", buf);
		pc_set(s, PP_ST_UNKNOWN, PC_C_UNDECIDED_UPSTREAM);
		s->drop_reason[0] = '\0';
	}
}

void
pc_eval(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	static const enum pp_status pick[] = { PP_ST_FAIL, PP_ST_WARN, PP_ST_UNKNOWN };
	const enum pc_station_id *order;
	size_t n;

	memset(res, 0, sizeof(*res));
	order = pc_path_order(q->direction, &n);
	for (size_t i = 0; i < n; i++)
		if (pc_station_on_path(order[i], q->direction) && (!f->l2 || pc_stations[order[i]].family))
			pc_stations[order[i]].judge(q, f, res, order[i]);
	pc_netfilter_loop_judge(q, f, res);
	for (size_t i = 0; i < n; i++)
		if (pc_stations[order[i]].after)
			pc_stations[order[i]].after(q, f, res, order[i]);
	conditional_after_unknown(res, order, n);
	/* Every status that is not ok has its cause; one a judgement forgot is a bug, and says so. */
	for (int i = 0; i < PC_NSTATIONS; i++)
		if (res->st[i].present)
			pc_set(&res->st[i], res->st[i].status, res->st[i].cause);
	res->verdict_station = PC_NSTATIONS;
	res->verdict_status = PP_ST_OK;
	res->verdict_cause = PC_C_NONE;
	/* The first fail in path order, else the first warn, else the first unknown. */
	for (size_t k = 0; k < PP_ARRAY_SIZE(pick) && res->verdict_station == PC_NSTATIONS; k++)
		for (size_t i = 0; i < n; i++)
			if (res->st[order[i]].present && res->st[order[i]].status == pick[k]) {
				res->verdict_station = order[i];
				res->verdict_status = pick[k];
				res->verdict_cause = res->st[order[i]].cause;
				break;
			}
}

int
pc_exit_code(const struct pc_result *r)
{
	switch (r->verdict_status) {
	case PP_ST_FAIL:
	case PP_ST_WARN: return PP_EXIT_PROBLEM;
	case PP_ST_UNKNOWN: return PP_EXIT_UNKNOWN;
	default: return PP_EXIT_OK;
	}
}

void
pc_result_free(struct pc_result *r)
{
	for (int i = 0; i < PC_NSTATIONS; i++)
		pp_val_free(r->st[i].evidence);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}
