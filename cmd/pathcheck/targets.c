/*
 * targets.c: many destinations in one run (-f FILE). One target per line:
 * DEST[:PORT] [tcp|udp|sctp|icmp] [name=LABEL] [expect=pass|drop], '#' starts a comment. Targets are
 * checked by a bounded number of threads; each thread builds its own sockets, and
 * all of them live in the namespace main() entered before they started.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"
#include "pathcheck.h"
#include "sample.h"

int
pc_target_parse(const char *line, const struct pc_query *base, uint8_t default_proto,
		struct pc_target *t, char *why, size_t len)
{
	char buf[512], host[256], *save = NULL, *tok, *hash;
	const char *w = NULL;
	bool has_proto = false;
	int field = 0;

	if (strlen(line) >= sizeof(buf)) {
		snprintf(why, len, "line too long");
		return -1;
	}
	memcpy(buf, line, strlen(line) + 1);
	if ((hash = strchr(buf, '#')))
		*hash = '\0';
	memset(t, 0, sizeof(*t));
	t->q = *base;
	for (tok = strtok_r(buf, " \t\r\n", &save); tok; tok = strtok_r(NULL, " \t\r\n", &save), field++) {
		if (field == 0) {
			if (pp_parse_dest(tok, host, sizeof(host), &t->q.dport, &t->q.has_dport, &w) < 0) {
				snprintf(why, len, "'%s': %s", tok, w);
				return -1;
			}
			snprintf(t->q.dest_arg, sizeof(t->q.dest_arg), "%s", host);
			snprintf(t->label, sizeof(t->label), "%s", tok);
		} else if (strncmp(tok, "name=", 5) == 0) {
			if (!tok[5]) {
				snprintf(why, len, "empty name=");
				return -1;
			}
			snprintf(t->label, sizeof(t->label), "%s", tok + 5);
		} else if (strncmp(tok, "expect=", 7) == 0) {
			if (t->expect) {
				snprintf(why, len, "expect= given twice");
				return -1;
			}
			if (strcmp(tok + 7, "pass") == 0)
				t->expect = PC_EXPECT_PASS;
			else if (strcmp(tok + 7, "drop") == 0)
				t->expect = PC_EXPECT_DROP;
			else {
				snprintf(why, len, "'%s': expect= is pass or drop", tok);
				return -1;
			}
		} else if (strcmp(tok, "tcp") == 0 || strcmp(tok, "udp") == 0 || strcmp(tok, "icmp") == 0 ||
			   strcmp(tok, "sctp") == 0) {
			t->q.proto = tok[0] == 't' ? IPPROTO_TCP : tok[0] == 'u' ? IPPROTO_UDP :
				     tok[0] == 's' ? IPPROTO_SCTP : IPPROTO_ICMP;
			has_proto = true;
		} else {
			snprintf(why, len, "'%s' is not tcp, udp, sctp, icmp, name=LABEL or expect=pass|drop", tok);
			return -1;
		}
	}
	if (field == 0)
		return 0;
	if (!has_proto)
		t->q.proto = default_proto ? default_proto : t->q.has_dport ? IPPROTO_TCP : IPPROTO_ICMP;
	if (t->q.proto == IPPROTO_ICMP && t->q.has_dport) {
		snprintf(why, len, "icmp has no port");
		return -1;
	}
	if (t->q.proto == IPPROTO_SCTP && (t->q.probe || t->q.watch > 0)) {
		snprintf(why, len, "sctp: %s speaks tcp, udp and icmp only (an SCTP probe needs SCTP sockets)",
			 t->q.probe ? "--probe" : "--watch");
		return -1;
	}
	return 1;
}

/* Append t to *v (cnt used, *cap allocated), doubling the array as it fills. */
static int
push_target(struct pc_target **v, size_t *cnt, size_t *cap, const struct pc_target *t)
{
	if (*cnt == *cap) {
		size_t ncap = *cap ? *cap * 2 : 64;
		struct pc_target *nv = realloc(*v, ncap * sizeof(*nv));

		if (!nv)
			return -1;
		*v = nv;
		*cap = ncap;
	}
	(*v)[(*cnt)++] = *t;
	return 0;
}

/*
 * A line that cannot be read as a target becomes a target of its own with rc
 * PP_EXIT_USAGE: it is reported in its place, the other lines still run, and the
 * run's exit is 2 (pc_targets_exit), as the same DEST on the command line gives.
 */
int
pc_targets_load(const char *path, const struct pc_opts *o, struct pc_target **out, size_t *n,
		char *why, size_t len)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	struct pc_target *v = NULL, t;
	char *line = NULL, w[256];
	size_t cnt = 0, cap = 0, linecap = 0;
	ssize_t got;
	int lineno = 0, rc;

	*out = NULL;
	*n = 0;
	if (!fp) {
		snprintf(why, len, "-f %s: %s", path, strerror(errno));
		return PP_EXIT_USAGE;
	}
	while ((got = getline(&line, &linecap, fp)) >= 0) {
		lineno++;
		if (memchr(line, '\0', (size_t)got))
			rc = -1, snprintf(w, sizeof(w), "a NUL byte in the line");
		else
			rc = pc_target_parse(line, &o->q, o->default_proto, &t, w, sizeof(w));
		if (rc == 0)
			continue;
		if (cnt >= PC_TARGETS_MAX) {
			snprintf(why, len, "-f %s, line %d: more than %d targets", path, lineno, PC_TARGETS_MAX);
			goto bad;
		}
		if (rc < 0) {
			char first[64];

			memset(&t, 0, sizeof(t));
			t.q = o->q;
			if (sscanf(line, "%63s", first) != 1)
				snprintf(first, sizeof(first), "line %d", lineno);
			snprintf(t.label, sizeof(t.label), "%s", first);
			snprintf(t.error, sizeof(t.error), "line %d: %s", lineno, w);
			t.rc = PP_EXIT_USAGE;
		}
		t.line = lineno;
		if (push_target(&v, &cnt, &cap, &t) < 0) {
			snprintf(why, len, "-f %s: out of memory", path);
			goto bad;
		}
	}
	free(line);
	if (fp != stdin)
		fclose(fp);
	if (cnt == 0) {
		free(v);
		snprintf(why, len, "-f %s: no targets", path);
		return PP_EXIT_USAGE;
	}
	*out = v;
	*n = cnt;
	return PP_EXIT_OK;
bad:
	free(line);
	if (fp != stdin)
		fclose(fp);
	free(v);
	return PP_EXIT_USAGE;
}

/* One walk of t's packet, with the kernel's choices taken as pick says. */
static void
walk_once(const struct pc_target *t, const uint32_t *pick, size_t npick, struct pc_facts *f,
	  struct pc_result *r)
{
	struct pc_query q = t->q;

	q.follow_choices = true;
	if (npick)
		memcpy(q.choice_pick, pick, npick * sizeof(*pick));
	q.choice_npick = npick;
	pc_collect(&q, f);
	pc_eval(&f->eq, f, r);
}

/* "numgen random mod 3 = 1; dnat to 198.51.100.12:8080": what this branch took. */
static void
branch_label(const struct pc_facts *f, char *buf, size_t len)
{
	char tail[sizeof(f->dnat_text) + 8] = "";
	size_t n = 0, room;

	buf[0] = '\0';
	/* The nat the branch ends in is what tells it apart: it is never cut off, the choices are. */
	if (f->dnat)
		snprintf(tail, sizeof(tail), "; %s", f->dnat_text);
	room = len > strlen(tail) + 4 ? len - strlen(tail) - 4 : 0;
	for (size_t i = 0; i < f->choices.nseen && n < room; i++)
		n += (size_t)snprintf(buf + n, room - n, "%s%s = %u", i ? "; " : "", f->choices.seen[i].what,
				      f->choices.seen[i].taken);
	if (n >= room && room) {
		n = strlen(buf);
		n += (size_t)snprintf(buf + n, len - n, "...");
	}
	if (n < len)
		snprintf(buf + n, len - n, "%s", tail);
}

/* The prefixes of the branches a walk did not take: every other option of every choice it met past npick. */
struct prefix {
	uint32_t pick[PC_CHOICES_MAX];
	size_t n;
};

static size_t
push_untaken(const struct pc_facts *f, size_t npick, struct prefix *stack, size_t sp, size_t cap, bool *over)
{
	for (size_t j = f->choices.nseen; j-- > npick;)
		for (uint32_t v = 1; v < f->choices.seen[j].options; v++) {
			if (sp >= cap) {
				*over = true;
				return sp;
			}
			for (size_t k = 0; k < j; k++)
				stack[sp].pick[k] = f->choices.seen[k].taken;
			stack[sp].pick[j] = v;
			stack[sp++].n = j + 1;
		}
	return sp;
}

/*
 * Every branch of a walk the kernel's choices split, each walked and judged on its own;
 * the verdict holds for all of them: ok only when every one passes, else how many of
 * how many die and which (the first such branch's station).
 */
static void
follow_branches(struct pc_target *t)
{
	struct prefix *stack = malloc(PC_BRANCHES_MAX * sizeof(*stack));
	size_t sp = 0, die = 0, warn = 0, unk = 0, n;
	struct pc_branch *first_bad = NULL;
	char *w;

	t->br = calloc(PC_BRANCHES_MAX, sizeof(*t->br));
	if (!stack || !t->br) {
		free(stack);
		free(t->br);
		t->br = NULL;
		return;
	}
	/* branch 1 is the walk already done: its facts stay in t->f, its label and result are copied */
	t->nbr = 1;
	branch_label(&t->f, t->br[0].label, sizeof(t->br[0].label));
	sp = push_untaken(&t->f, 0, stack, sp, PC_BRANCHES_MAX, &t->br_overflow);
	while (sp > 0) {
		struct prefix p = stack[--sp];
		struct pc_branch *b;

		if (t->nbr >= PC_BRANCHES_MAX) {
			t->br_overflow = true;
			break;
		}
		b = &t->br[t->nbr++];
		walk_once(t, p.pick, p.n, &b->f, &b->r);
		branch_label(&b->f, b->label, sizeof(b->label));
		t->br_overflow |= b->f.choices.overflow;
		sp = push_untaken(&b->f, p.n, stack, sp, PC_BRANCHES_MAX, &t->br_overflow);
	}
	free(stack);
	for (size_t i = 0; i < t->nbr; i++) {
		const struct pc_result *r = i == 0 ? &t->r : &t->br[i].r;

		t->br[i].status = r->verdict_status;
		t->br[i].station = r->verdict_station;
		t->br[i].cause = r->verdict_cause;
	}
	for (size_t i = 0; i < t->nbr; i++) {
		const struct pc_result *r = i == 0 ? &t->r : &t->br[i].r;

		if (r->verdict_status == PP_ST_FAIL)
			die++;
		else if (r->verdict_status == PP_ST_WARN)
			warn++;
		else if (r->verdict_status == PP_ST_UNKNOWN)
			unk++;
		if (!first_bad && r->verdict_status != PP_ST_OK && r->verdict_status != PP_ST_SKIPPED)
			first_bad = &t->br[i];
	}
	n = t->nbr;
	w = t->r.branches_summary;
	if (t->br_overflow) {
		snprintf(w, sizeof(t->r.branches_summary),
			 "the kernel's choices split the path into more branches than pathcheck follows (%d); %zu followed",
			 PC_BRANCHES_MAX, n);
		t->r.verdict_status = PP_ST_UNKNOWN;
		t->r.verdict_cause = PC_C_BRANCHES_OVERFLOW;
		return;
	}
	if (!first_bad) {
		snprintf(w, sizeof(t->r.branches_summary), "all %zu branches pass (%s)", n, t->f.choices.seen[0].what);
		return;
	}
	{
		const struct pc_result *r = first_bad == &t->br[0] ? &t->r : &first_bad->r;
		enum pc_station_id st = r->verdict_station;

		snprintf(w, sizeof(t->r.branches_summary), "%zu of %zu branches %s: %s: %s", die ? die : warn ? warn : unk,
			 n, die ? "die" : warn ? "may die" : "could not be decided", first_bad->label,
			 st < PC_NSTATIONS ? r->st[st].summary : "");
		t->r.verdict_status = die ? PP_ST_FAIL : warn ? PP_ST_WARN : PP_ST_UNKNOWN;
		/* the station named is the first such branch's (branch 1's stations are the ones shown) */
		t->r.verdict_station = st;
		t->r.verdict_cause = r->verdict_cause;
		if (first_bad != &t->br[0])
			t->r.decided_by = r;
	}
}

/* One target from start to verdict. */
void
pc_target_check(struct pc_target *t)
{
	double t0 = pp_mono_now();

	if (t->rc != PP_EXIT_OK)	/* a line that could not be read */
		return;
	/* Resolved once: main() did it already for a single DEST. */
	if (!t->q.dst.family) {
		char why[sizeof(t->error) - 16];

		if ((t->rc = pc_resolve(&t->q, why, sizeof(why))) != PP_EXIT_OK) {
			snprintf(t->error, sizeof(t->error), "line %d: %s", t->line, why);
			return;
		}
	}
	if (t->q.iif[0])
		t->q.direction = PC_INGRESS;	/* until the kernel's answer says */
	if (t->q.probe || t->q.watch > 0) {
		/* A probe's flow meets one of the branches, the one the kernel draws: it is judged as it is. */
		pc_collect(&t->q, &t->f);
		t->q.direction = t->f.eq.direction;
		pc_eval(&t->f.eq, &t->f, &t->r);
	} else {
		walk_once(t, NULL, 0, &t->f, &t->r);
		t->q.direction = t->f.eq.direction;
		if (t->f.choices.nseen > 0)
			follow_branches(t);
	}
	if (t->q.follow)
		pc_follow(t);
	if (t->q.reply || t->q.round_trip) {
		pc_reply(t);
		pc_reply_verdict(t);
	}
	t->r.elapsed = pp_mono_now() - t0;
}

struct pool {
	struct pc_target *t;
	size_t n;
	size_t next;
	pthread_mutex_t lock;
};

static void *
worker(void *arg)
{
	struct pool *p = arg;

	for (;;) {
		size_t i;

		pthread_mutex_lock(&p->lock);
		i = p->next++;
		pthread_mutex_unlock(&p->lock);
		if (i >= p->n)
			return NULL;
		pc_target_check(&p->t[i]);
	}
}

void
pc_targets_run(struct pc_target *t, size_t n, unsigned parallel)
{
	struct pool p = { t, n, 0, PTHREAD_MUTEX_INITIALIZER };
	pthread_t th[64];
	unsigned started = 0;

	if (parallel > PP_ARRAY_SIZE(th))
		parallel = PP_ARRAY_SIZE(th);
	if (parallel > n)
		parallel = (unsigned)n;
	for (size_t i = 0; parallel > 1 && i < n; i++)
		t[i].q.probes_share_devices = true;
	/* Threads inherit the network namespace of the thread that creates them. */
	for (unsigned i = 1; i < parallel; i++)
		if (pthread_create(&th[started], NULL, worker, &p) == 0)
			started++;
	worker(&p);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

void
pc_targets_free_one(struct pc_target *t)
{
	pc_hops_free(t);
	pc_result_free(&t->r);
	pc_facts_free(&t->f);
	for (size_t b = 0; b < t->nbr; b++)
		pc_branch_walk_free(t->br[b].walk);
	for (size_t b = 1; b < t->nbr; b++) {
		pc_result_free(&t->br[b].r);
		pc_facts_free(&t->br[b].f);
	}
	free(t->br);
	t->br = NULL;
	t->nbr = 0;
}

void
pc_targets_free(struct pc_target *t, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pc_targets_free_one(&t[i]);
	free(t);
}

int
pc_expect_met(uint8_t expect, int rc, enum pp_status verdict)
{
	if (!expect || rc != PP_EXIT_OK || verdict == PP_ST_UNKNOWN)
		return -1;
	return expect == PC_EXPECT_PASS ? verdict == PP_ST_OK : verdict == PP_ST_FAIL;
}

const char *
pc_expect_name(uint8_t expect)
{
	return expect == PC_EXPECT_PASS ? "pass" : expect == PC_EXPECT_DROP ? "drop" : NULL;
}

/*
 * A target with expect= is judged by it: met 0, broken 1, not decided 3 (bad input
 * stays 2). The others by their verdict.
 * The worst of them: bad input (2: a line that could not be read, a name that does
 * not exist, as on the command line), then a problem (1), then could not tell (3; a
 * resolver that did not answer counts here), then ok.
 */
int
pc_targets_exit(const struct pc_target *t, size_t n)
{
	int worst = PP_EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		int e = t[i].rc != PP_EXIT_OK ? t[i].rc : pc_exit_code(&t[i].r);

		if (t[i].expect && t[i].rc == PP_EXIT_OK) {
			int m = pc_expect_met(t[i].expect, t[i].rc, t[i].r.verdict_status);

			e = m == 1 ? PP_EXIT_OK : m == 0 ? PP_EXIT_PROBLEM : PP_EXIT_UNKNOWN;
		}

		if (e == PP_EXIT_USAGE)
			return PP_EXIT_USAGE;
		if (e == PP_EXIT_PROBLEM)
			worst = PP_EXIT_PROBLEM;
		else if (e == PP_EXIT_UNKNOWN && worst == PP_EXIT_OK)
			worst = PP_EXIT_UNKNOWN;
	}
	return worst;
}
