/*
 * diff.c: pathcheck --diff BEFORE AFTER [-f FILE | DEST]. Every target is walked
 * against BEFORE (a snapshot), then against AFTER (a snapshot, or "-": the live host),
 * each with the same code as --snapshot and a live run; the two verdicts and walks are
 * compared (pc_diff_compare, pure). The targets whose fate changed are listed with the
 * first station where the walks part; the unchanged are counted. A target either side
 * could not decide (a question the snapshot holds no answer to, a check that could not
 * run) is undecided, with that side's reason, never called unchanged.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>

#include "diff.h"
#include "prom.h"
#include "snap.h"
#include "text.h"

const char *
pc_diff_kind_name(enum pc_diff_kind k)
{
	switch (k) {
	case PC_DIFF_SAME: return "unchanged";
	case PC_DIFF_WORSENED: return "worsened";
	case PC_DIFF_IMPROVED: return "improved";
	case PC_DIFF_MOVED: return "moved";
	default: return "undecided";
	}
}

static bool
side_undecided(const struct pc_diff_side *s)
{
	return s->rc != PP_EXIT_OK || s->status == PP_ST_UNKNOWN;
}

static bool
side_bad(const struct pc_diff_side *s)
{
	return s->status == PP_ST_FAIL || s->status == PP_ST_WARN;
}

static bool
stop_same_place(const struct pc_diff_stop *x, const struct pc_diff_stop *y)
{
	return x->id == y->id && strcmp(x->netns, y->netns) == 0;
}

void
pc_diff_compare(const struct pc_diff_side *b, const struct pc_diff_side *a, struct pc_diff_cmp *c)
{
	size_t n = b->nst > a->nst ? b->nst : a->nst;
	bool same = b->rc == a->rc && b->status == a->status && b->station == a->station && b->cause == a->cause &&
		    strcmp(b->netns, a->netns) == 0;

	c->diverge = -1;
	if (side_undecided(b) || side_undecided(a))
		c->kind = PC_DIFF_UNDECIDED;
	else if (same)
		c->kind = PC_DIFF_SAME;
	else if (b->status == PP_ST_OK && side_bad(a))
		c->kind = PC_DIFF_WORSENED;
	else if (side_bad(b) && a->status == PP_ST_OK)
		c->kind = PC_DIFF_IMPROVED;
	else
		c->kind = PC_DIFF_MOVED;
	if (c->kind == PC_DIFF_SAME)
		return;
	for (size_t i = 0; i < n; i++) {
		const struct pc_diff_stop *x, *y;

		if (i >= b->nst || i >= a->nst) {
			c->diverge = (long)i;
			return;
		}
		x = &b->st[i];
		y = &a->st[i];
		if (!stop_same_place(x, y) || x->status != y->status || x->cause != y->cause) {
			c->diverge = (long)i;
			return;
		}
	}
	/* Undecided and the same on both sides: nothing parts. */
	if (same)
		return;
	for (size_t i = 0; i < n; i++)
		if (strcmp(b->st[i].summary, a->st[i].summary) != 0) {
			c->diverge = (long)i;
			return;
		}
}

/* The stations of one walk (a hop's or the first namespace's), appended to s. */
static void
push_stops(struct pc_diff_side *s, size_t *cap, const struct pc_target *t, const char *netns)
{
	const enum pc_station_id *order;
	size_t n;

	if (t->rc != PP_EXIT_OK)
		return;
	order = pc_path_order(t->q.direction, &n);
	for (size_t i = 0; i < n; i++) {
		const struct pc_station *st = &t->r.st[order[i]];
		struct pc_diff_stop *p;

		if (!st->present)
			continue;
		if (s->nst == *cap) {
			size_t nc = *cap ? *cap * 2 : 32;
			struct pc_diff_stop *nv = realloc(s->st, nc * sizeof(*nv));

			if (!nv)
				return;
			s->st = nv;
			*cap = nc;
		}
		p = &s->st[s->nst++];
		memset(p, 0, sizeof(*p));
		snprintf(p->netns, sizeof(p->netns), "%s", netns);
		p->id = order[i];
		p->status = st->status;
		p->cause = st->cause;
		snprintf(p->summary, sizeof(p->summary), "%s", st->summary);
	}
}

void
pc_diff_side_of(const struct pc_target *t, struct pc_diff_side *s)
{
	const struct pc_result *r = &t->r;
	size_t cap = 0;

	memset(s, 0, sizeof(*s));
	s->rc = t->rc;
	s->station = PC_NSTATIONS;
	if (t->rc != PP_EXIT_OK) {
		s->status = PP_ST_UNKNOWN;
		s->cause = t->rc == PP_EXIT_USAGE ? PC_C_BAD_INPUT : PC_C_RESOLVE_FAILED;
		snprintf(s->summary, sizeof(s->summary), "%s", t->error);
		return;
	}
	s->status = r->verdict_status;
	s->station = r->verdict_station;
	s->cause = r->verdict_cause;
	snprintf(s->netns, sizeof(s->netns), "%s", t->follow_netns[0] ? t->follow_netns : t->netns_name);
	if (r->branches_summary[0])
		snprintf(s->summary, sizeof(s->summary), "%s", r->branches_summary);
	else if (r->verdict_station >= PC_NSTATIONS)
		snprintf(s->summary, sizeof(s->summary), "every station passes");
	else
		snprintf(s->summary, sizeof(s->summary), "%s",
			 (r->decided_by ? r->decided_by : r)->st[r->verdict_station].summary);
	push_stops(s, &cap, t, t->netns_name);
	for (size_t i = 0; i < t->nhops; i++)
		push_stops(s, &cap, &t->hops[i].t, t->hops[i].netns);
}

void
pc_diff_side_free(struct pc_diff_side *s)
{
	free(s->st);
	s->st = NULL;
	s->nst = 0;
}

/* ---- the run ---- */

/* What one side is: a snapshot's header, or the live host now. */
struct side_info {
	const char *file;		/* NULL: live */
	struct pp_snap *snap;
	int64_t time;
	char host[128], kernel[128], netns[64];
};

struct diff_run {
	struct pc_opts *o;
	struct side_info side[2];
	struct pc_target *tmpl;		/* the targets as read, not yet checked */
	size_t n;
	struct pc_target *after;	/* AFTER's checked targets (their expect= judged here) */
	struct pc_diff_side *sb, *sa;
	struct pc_diff_cmp *cmp;
	size_t count[PC_DIFF_UNDECIDED + 1], bad, broken;
};

static int
load_side(struct pc_opts *o, const char *file, struct side_info *si)
{
	struct pp_err e = { 0 };

	memset(si, 0, sizeof(*si));
	if (strcmp(file, "-") == 0) {
		struct utsname u;

		si->time = (int64_t)time(NULL);
		if (uname(&u) == 0) {
			snprintf(si->host, sizeof(si->host), "%s", u.nodename);
			snprintf(si->kernel, sizeof(si->kernel), "%s", u.release);
		}
		return PP_EXIT_OK;
	}
	si->file = file;
	/* A snapshot that cannot be read is bad input, named with its piece: exit 2. */
	if (pp_snap_load(file, &si->snap, &e) < 0) {
		pp_warn_err(&o->cli, &e);
		return PP_EXIT_USAGE;
	}
	if (pc_snap_usable(o, si->snap, -1) != PP_EXIT_OK) {
		pp_snap_free(si->snap);
		si->snap = NULL;
		return PP_EXIT_USAGE;
	}
	si->time = pp_snap_header(si->snap)->time;
	snprintf(si->host, sizeof(si->host), "%s", pp_snap_header(si->snap)->host);
	snprintf(si->kernel, sizeof(si->kernel), "%s", pp_snap_header(si->snap)->kernel);
	snprintf(si->netns, sizeof(si->netns), "%s", pp_snap_header(si->snap)->netns);
	return PP_EXIT_OK;
}

/*
 * Walk every target against one side. The snapshot (or none: live) is installed only
 * while no thread runs, as snap.h requires; the namespace is entered and left around it.
 */
static int
run_side(struct diff_run *d, int k, struct pc_target **out)
{
	struct pc_opts *o = d->o;
	struct side_info *si = &d->side[k];
	const char *given = o->cli.netns;
	struct pc_target *t = malloc(d->n * sizeof(*t));
	char why[512];
	int rc;

	*out = NULL;
	if (!t) {
		pp_warnx(&o->cli, "out of memory");
		return PP_EXIT_UNKNOWN;
	}
	memcpy(t, d->tmpl, d->n * sizeof(*t));
	pp_snap_install(si->snap);
	o->cli.ns.name[0] = '\0';
	/* The live host without -N: the namespace BEFORE was asked in. */
	if (!si->snap && !given && !o->cli.netns_pid && d->side[0].netns[0] && strcmp(d->side[0].netns, "self") != 0)
		o->cli.netns = d->side[0].netns;
	rc = pp_cli_enter_netns(&o->cli);
	o->cli.netns = given;
	if (rc != PP_EXIT_OK) {
		pp_snap_install(NULL);
		free(t);
		return rc;
	}
	if (si->snap) {
		pp_snap_rebase(si->snap);
		if (!o->cli.ns.name[0] && strcmp(si->netns, "self") != 0)
			snprintf(o->cli.ns.name, sizeof(o->cli.ns.name), "%s", si->netns);
	}
	if (!o->file && (rc = pc_resolve(&t[0].q, why, sizeof(why))) != PP_EXIT_OK) {
		/* One DEST that the side cannot resolve (a device --iif names that it lacks): bad input. */
		pp_warnx(&o->cli, "%s: %s", si->file ? si->file : "live", why);
		pp_netns_leave(&o->cli.ns);
		pp_snap_install(NULL);
		free(t);
		return rc;
	}
	pc_targets_run(t, d->n, o->parallel);
	pp_netns_leave(&o->cli.ns);
	pp_snap_install(NULL);
	*out = t;
	return PP_EXIT_OK;
}

static const char *
stname(enum pc_station_id id)
{
	return id < PC_NSTATIONS ? pc_station_name(id) : NULL;
}

/* "ok", "fail at forward", "fail at route in netns ns2". */
static void
side_words(const struct pc_diff_side *s, char *buf, size_t len)
{
	char b[128];

	if (s->station < PC_NSTATIONS)
		snprintf(buf, len, "%s at %s%s%s", pp_status_name(s->status), pc_station_name(s->station),
			 s->netns[0] ? " in netns " : "", pp_text_safe(s->netns, b, sizeof(b)));
	else
		snprintf(buf, len, "%s", pp_status_name(s->status));
}

static void
text_side_head(const struct side_info *si, const char *what, FILE *f)
{
	char tb[32], b1[512], b2[256];
	time_t tt = (time_t)si->time;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(tb, sizeof(tb), "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(tb, sizeof(tb), "?");
	fprintf(f, "%s %s: host %s, %s\n", what, si->file ? pp_text_safe(si->file, b1, sizeof(b1)) : "live",
		pp_text_safe(si->host, b2, sizeof(b2)), tb);
}

static void
text_render(const struct diff_run *d, FILE *f)
{
	const struct pp_cli *c = &d->o->cli;
	char b1[1024], b2[1024], w1[256], w2[256];

	text_side_head(&d->side[0], "before", f);
	text_side_head(&d->side[1], "after ", f);
	for (size_t i = 0; i < d->n; i++) {
		const struct pc_diff_side *b = &d->sb[i], *a = &d->sa[i];
		const struct pc_diff_cmp *m = &d->cmp[i];

		if (m->kind != PC_DIFF_SAME) {
			enum pp_status col = m->kind == PC_DIFF_WORSENED ? PP_ST_FAIL :
					     m->kind == PC_DIFF_UNDECIDED ? PP_ST_UNKNOWN : PP_ST_OK;

			side_words(b, w1, sizeof(w1));
			side_words(a, w2, sizeof(w2));
			fprintf(f, "\n%s: %s%s%s: %s -> %s\n", pp_text_safe(d->tmpl[i].label, b1, sizeof(b1)),
				pp_color(c, col), pc_diff_kind_name(m->kind), pp_color_reset(c), w1, w2);
			fprintf(f, "  before: %s: %s (cause %s)\n", w1, pp_text_safe(b->summary, b1, sizeof(b1)),
				pc_cause_name(b->cause));
			fprintf(f, "  after:  %s: %s (cause %s)\n", w2, pp_text_safe(a->summary, b1, sizeof(b1)),
				pc_cause_name(a->cause));
			if (m->diverge >= 0) {
				size_t k = (size_t)m->diverge;
				const struct pc_diff_stop *x = k < b->nst ? &b->st[k] : NULL, *y = k < a->nst ? &a->st[k] : NULL;
				const struct pc_diff_stop *p = x ? x : y;

				fprintf(f, "  first diverging station: %s%s%s (station %zu of the walk)\n",
					pc_station_name(p->id), p->netns[0] ? " in netns " : "",
					pp_text_safe(p->netns, b1, sizeof(b1)), k + 1);
				if (x)
					fprintf(f, "    before %s: %s\n", pp_status_name(x->status), pp_text_safe(x->summary, b1, sizeof(b1)));
				else
					fprintf(f, "    before: the walk ended before it\n");
				if (y && (!x || !stop_same_place(x, y)))
					fprintf(f, "    after, station %s: %s: %s\n", pc_station_name(y->id),
						pp_status_name(y->status), pp_text_safe(y->summary, b2, sizeof(b2)));
				else if (y)
					fprintf(f, "    after  %s: %s\n", pp_status_name(y->status), pp_text_safe(y->summary, b2, sizeof(b2)));
				else
					fprintf(f, "    after: the walk ended before it\n");
			} else {
				fprintf(f, "  first diverging station: none (every station the same on both sides%s)\n",
					m->kind == PC_DIFF_UNDECIDED ? ", and undecided" : "");
			}
		}
		if (d->after[i].expect && pc_expect_met(d->after[i].expect, d->after[i].rc, a->status) != 1) {
			if (m->kind == PC_DIFF_SAME)
				fprintf(f, "\n%s: unchanged: ", pp_text_safe(d->tmpl[i].label, b1, sizeof(b1)));
			else
				fputs("  after: ", f);
			pc_text_expect(c, &d->after[i], f);
		}
	}
	fprintf(f, "\n%zu targets: %zu changed (%zu worsened, %zu improved, %zu moved), %zu undecided, %zu unchanged",
		d->n, d->count[PC_DIFF_WORSENED] + d->count[PC_DIFF_IMPROVED] + d->count[PC_DIFF_MOVED],
		d->count[PC_DIFF_WORSENED], d->count[PC_DIFF_IMPROVED], d->count[PC_DIFF_MOVED],
		d->count[PC_DIFF_UNDECIDED], d->count[PC_DIFF_SAME]);
	if (d->bad)
		fprintf(f, " (%zu bad input)", d->bad);
	if (d->broken)
		fprintf(f, "; %zu expectation%s BROKEN", d->broken, d->broken == 1 ? "" : "s");
	fputc('\n', f);
}

static void
json_side_head(struct pp_json *j, const char *key, const struct side_info *si)
{
	pp_json_obj_open(j, key);
	pp_json_str(j, "source", si->file ? "snapshot" : "live");
	pp_json_str(j, "file", si->file);
	pp_json_i64(j, "time", si->time);
	pp_json_str(j, "host", si->host);
	pp_json_str(j, "kernel", si->kernel);
	pp_json_str(j, "netns", si->file ? si->netns : NULL);
	pp_json_obj_close(j);
}

static void
json_verdict(struct pp_json *j, const char *key, const struct pc_diff_side *s)
{
	pp_json_obj_open(j, key);
	pp_json_str(j, "status", pp_status_name(s->status));
	pp_json_str(j, "station", stname(s->station));
	pp_json_str(j, "cause", pc_cause_name(s->cause));
	pp_json_str(j, "summary", s->summary);
	pp_json_str(j, "netns", s->netns[0] ? s->netns : NULL);
	pp_json_obj_close(j);
}

static void
json_stop(struct pp_json *j, const char *key, const struct pc_diff_stop *p)
{
	if (!p) {
		pp_json_null(j, key);
		return;
	}
	pp_json_obj_open(j, key);
	pp_json_str(j, "station", pc_station_name(p->id));
	pp_json_str(j, "netns", p->netns[0] ? p->netns : NULL);
	pp_json_str(j, "status", pp_status_name(p->status));
	pp_json_str(j, "cause", pc_cause_name(p->cause));
	pp_json_str(j, "summary", p->summary);
	pp_json_obj_close(j);
}

static void
json_render(const struct diff_run *d, FILE *f)
{
	struct pp_json j;

	pp_json_init(&j, f, d->o->cli.pretty);
	pp_json_obj_open(&j, NULL);
	pp_json_str(&j, "schema", "pathcheck-diff/1");
	pp_json_str(&j, "netns", pp_cli_netns_name(&d->o->cli));
	json_side_head(&j, "before", &d->side[0]);
	json_side_head(&j, "after", &d->side[1]);
	pp_json_arr_open(&j, "changed");
	for (size_t i = 0; i < d->n; i++) {
		const struct pc_diff_side *b = &d->sb[i], *a = &d->sa[i];
		const struct pc_diff_cmp *m = &d->cmp[i];

		if (m->kind == PC_DIFF_SAME)
			continue;
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "target", d->tmpl[i].label);
		pp_json_u64(&j, "line", (uint64_t)d->tmpl[i].line);
		pp_json_str(&j, "change", pc_diff_kind_name(m->kind));
		json_verdict(&j, "before", b);
		json_verdict(&j, "after", a);
		if (m->diverge < 0) {
			pp_json_null(&j, "first_diverging_station");
		} else {
			size_t k = (size_t)m->diverge;
			const struct pc_diff_stop *x = k < b->nst ? &b->st[k] : NULL, *y = k < a->nst ? &a->st[k] : NULL;
			const struct pc_diff_stop *p = x ? x : y;

			pp_json_obj_open(&j, "first_diverging_station");
			pp_json_str(&j, "station", pc_station_name(p->id));
			pp_json_str(&j, "netns", p->netns[0] ? p->netns : NULL);
			pp_json_u64(&j, "position", k + 1);
			json_stop(&j, "before", x);
			json_stop(&j, "after", y);
			pp_json_obj_close(&j);
		}
		pc_json_expect(&d->after[i], &j);
		pp_json_obj_close(&j);
	}
	pp_json_arr_close(&j);
	/* Every target with expect=, changed or not: judged against AFTER. */
	pp_json_arr_open(&j, "expectations");
	for (size_t i = 0; i < d->n; i++) {
		if (!d->after[i].expect)
			continue;
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "target", d->tmpl[i].label);
		pp_json_u64(&j, "line", (uint64_t)d->tmpl[i].line);
		pc_json_expect(&d->after[i], &j);
		pp_json_str(&j, "status", pp_status_name(d->sa[i].status));
		pp_json_obj_close(&j);
	}
	pp_json_arr_close(&j);
	pp_json_obj_open(&j, "summary");
	pp_json_u64(&j, "targets", d->n);
	pp_json_u64(&j, "changed", d->count[PC_DIFF_WORSENED] + d->count[PC_DIFF_IMPROVED] + d->count[PC_DIFF_MOVED]);
	pp_json_u64(&j, "worsened", d->count[PC_DIFF_WORSENED]);
	pp_json_u64(&j, "improved", d->count[PC_DIFF_IMPROVED]);
	pp_json_u64(&j, "moved", d->count[PC_DIFF_MOVED]);
	pp_json_u64(&j, "undecided", d->count[PC_DIFF_UNDECIDED]);
	pp_json_u64(&j, "unchanged", d->count[PC_DIFF_SAME]);
	pp_json_u64(&j, "bad_input", d->bad);
	pp_json_u64(&j, "expectations_broken", d->broken);
	pp_json_obj_close(&j);
	pp_json_obj_close(&j);
	pp_json_end(&j);
}

static void
prom_render(const struct diff_run *d, FILE *f)
{
	static const struct { const char *name, *help; int kind; } fam[] = {
		{ "pktpath_pathcheck_diff_targets", "Targets compared between BEFORE and AFTER.", -1 },
		{ "pktpath_pathcheck_diff_changed_targets", "Targets whose verdict (status, station, cause) changed, both sides decided.", -2 },
		{ "pktpath_pathcheck_diff_worsened_targets", "Targets ok in BEFORE that fail or warn in AFTER.", PC_DIFF_WORSENED },
		{ "pktpath_pathcheck_diff_undecided_targets", "Targets unknown (or not checked) in BEFORE or AFTER: their change cannot be told.", PC_DIFF_UNDECIDED },
		{ "pktpath_pathcheck_diff_unchanged_targets", "Targets with the same decided verdict in BEFORE and AFTER.", PC_DIFF_SAME },
	};
	struct pp_label l[10];
	char dst[INET6_ADDRSTRLEN], port[8];
	struct pp_prom p;

	pp_prom_init(&p, f);
	for (size_t k = 0; k < PP_ARRAY_SIZE(fam); k++) {
		uint64_t v = fam[k].kind == -1 ? d->n :
			     fam[k].kind == -2 ? d->count[PC_DIFF_WORSENED] + d->count[PC_DIFF_IMPROVED] + d->count[PC_DIFF_MOVED] :
			     d->count[fam[k].kind];

		pp_prom_family(&p, fam[k].name, "gauge", fam[k].help);
		pp_prom_sample_u64(&p, fam[k].name, NULL, 0, v);
	}
	pp_prom_family(&p, "pktpath_pathcheck_diff_change_info", "gauge",
		       "A target whose verdict changed or could not be compared: the change, both verdicts and the first station where the walks part (always 1).");
	for (size_t i = 0; i < d->n; i++) {
		const struct pc_target *t = &d->after[i];
		const struct pc_diff_cmp *m = &d->cmp[i];
		const struct pc_diff_stop *s = NULL;

		if (m->kind == PC_DIFF_SAME)
			continue;
		if (m->diverge >= 0)
			s = (size_t)m->diverge < d->sb[i].nst ? &d->sb[i].st[m->diverge] : &d->sa[i].st[m->diverge];
		dst[0] = port[0] = '\0';
		if (t->q.dst.family)
			pp_addr_str(&t->q.dst, dst, sizeof(dst));
		if (t->q.has_dport)
			snprintf(port, sizeof(port), "%u", t->q.dport);
		l[0] = (struct pp_label){ "target", t->label };
		l[1] = (struct pp_label){ "dst", dst };
		l[2] = (struct pp_label){ "proto", pc_proto_name(t->q.proto) };
		l[3] = (struct pp_label){ "port", port };
		l[4] = (struct pp_label){ "change", pc_diff_kind_name(m->kind) };
		l[5] = (struct pp_label){ "before_status", pp_status_name(d->sb[i].status) };
		l[6] = (struct pp_label){ "before_station", d->sb[i].station < PC_NSTATIONS ? pc_station_name(d->sb[i].station) : "" };
		l[7] = (struct pp_label){ "after_status", pp_status_name(d->sa[i].status) };
		l[8] = (struct pp_label){ "after_station", d->sa[i].station < PC_NSTATIONS ? pc_station_name(d->sa[i].station) : "" };
		l[9] = (struct pp_label){ "diverging_station", s ? pc_station_name(s->id) : "" };
		pp_prom_sample_u64(&p, "pktpath_pathcheck_diff_change_info", l, 10, 1);
	}
	pc_prom_expect(&p, d->after, d->n);
	pp_prom_run_info(&p, "pktpath_pathcheck", true);
}

/*
 * Bad input first (2: a target line that cannot be read, on either side), then a
 * problem (1: a target that passed now fails or warns; an expect= AFTER breaks), then
 * could not tell (3: a target undecided on either side, an expect= not decided), else 0.
 */
static int
diff_exit(const struct diff_run *d)
{
	size_t undecided_expect = 0;

	for (size_t i = 0; i < d->n; i++)
		undecided_expect += d->after[i].expect && d->after[i].rc == PP_EXIT_OK &&
				    pc_expect_met(d->after[i].expect, d->after[i].rc, d->sa[i].status) < 0;
	if (d->bad)
		return PP_EXIT_USAGE;
	if (d->count[PC_DIFF_WORSENED] || d->broken)
		return PP_EXIT_PROBLEM;
	if (d->count[PC_DIFF_UNDECIDED] || undecided_expect)
		return PP_EXIT_UNKNOWN;
	return PP_EXIT_OK;
}

int
pc_diff_main(struct pc_opts *o)
{
	struct diff_run d = { .o = o };
	struct pc_target *before = NULL;
	struct pp_out out;
	char why[512];
	int rc, orc;

	if (o->cli.nag->on)
		return pp_usage_error(&o->cli, "--diff has no --nagios form: use -j or its exit status");
	if ((rc = load_side(o, o->diff_before, &d.side[0])) != PP_EXIT_OK ||
	    (rc = load_side(o, o->diff_after, &d.side[1])) != PP_EXIT_OK)
		goto out;
	if (strcmp(o->diff_before, "-") == 0) {
		rc = pp_usage_error(&o->cli, "--diff BEFORE AFTER: BEFORE is a snapshot file ('-', the live host, is AFTER only)");
		goto out;
	}
	if (o->file) {
		if ((rc = pc_targets_load(o->file, o, &d.tmpl, &d.n, why, sizeof(why))) != PP_EXIT_OK) {
			pp_warnx(&o->cli, "%s", why);
			goto out;
		}
	} else {
		if (!(d.tmpl = calloc(1, sizeof(*d.tmpl)))) {
			rc = PP_EXIT_UNKNOWN;
			goto out;
		}
		d.n = 1;
		d.tmpl[0].q = o->q;
		snprintf(d.tmpl[0].label, sizeof(d.tmpl[0].label), "%s", o->q.dest_arg);
	}
	/* The header's namespace of BEFORE names the run's samples, as --snapshot does. */
	if (!o->cli.netns && strcmp(d.side[0].netns, "self") != 0)
		pp_prom_const_label("netns", d.side[0].netns);
	if ((rc = run_side(&d, 0, &before)) != PP_EXIT_OK || (rc = run_side(&d, 1, &d.after)) != PP_EXIT_OK)
		goto out;
	if (!o->cli.ns.name[0] && d.side[0].netns[0] && strcmp(d.side[0].netns, "self") != 0)
		snprintf(o->cli.ns.name, sizeof(o->cli.ns.name), "%s", d.side[0].netns);
	d.sb = calloc(d.n, sizeof(*d.sb));
	d.sa = calloc(d.n, sizeof(*d.sa));
	d.cmp = calloc(d.n, sizeof(*d.cmp));
	if (!d.sb || !d.sa || !d.cmp) {
		pp_warnx(&o->cli, "out of memory");
		rc = PP_EXIT_UNKNOWN;
		goto out;
	}
	for (size_t i = 0; i < d.n; i++) {
		pc_diff_side_of(&before[i], &d.sb[i]);
		pc_diff_side_of(&d.after[i], &d.sa[i]);
		pc_diff_compare(&d.sb[i], &d.sa[i], &d.cmp[i]);
		d.count[d.cmp[i].kind]++;
		d.bad += before[i].rc == PP_EXIT_USAGE || d.after[i].rc == PP_EXIT_USAGE;
		d.broken += pc_expect_met(d.after[i].expect, d.after[i].rc, d.sa[i].status) == 0;
	}
	rc = diff_exit(&d);
	if ((orc = pp_out_begin(&o->cli, &out)) != 0) {
		rc = orc;
		goto out;
	}
	switch (o->cli.format) {
	case PP_FMT_JSON: json_render(&d, out.f); break;
	case PP_FMT_PROM: prom_render(&d, out.f); break;
	default: text_render(&d, out.f); break;
	}
	if (pp_out_end(&o->cli, &out, true) != 0)
		rc = PP_EXIT_UNKNOWN;
out:
	/* With --prom-file, a run that could not compare still says so (run_success 0), as a live run does. */
	if (rc == PP_EXIT_USAGE && o->cli.prom_file && !d.after) {
		struct pp_out po;

		if (pp_out_begin(&o->cli, &po) == 0) {
			pc_render_prom(o, NULL, 0, po.f, false);
			pp_out_end(&o->cli, &po, true);
		}
	}
	if (before)
		pc_targets_free(before, d.n);
	if (d.after)
		pc_targets_free(d.after, d.n);
	for (size_t i = 0; d.sb && i < d.n; i++)
		pc_diff_side_free(&d.sb[i]);
	for (size_t i = 0; d.sa && i < d.n; i++)
		pc_diff_side_free(&d.sa[i]);
	free(d.sb);
	free(d.sa);
	free(d.cmp);
	free(d.tmpl);
	pp_snap_free(d.side[0].snap);
	pp_snap_free(d.side[1].snap);
	return rc;
}
