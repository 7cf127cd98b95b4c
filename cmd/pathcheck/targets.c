/*
 * targets.c: many destinations in one run (-f FILE). One target per line:
 * DEST[:PORT] [tcp|udp|icmp] [name=LABEL], '#' starts a comment. Targets are
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
		} else if (strcmp(tok, "tcp") == 0 || strcmp(tok, "udp") == 0 || strcmp(tok, "icmp") == 0) {
			t->q.proto = tok[0] == 't' ? IPPROTO_TCP : tok[0] == 'u' ? IPPROTO_UDP : IPPROTO_ICMP;
			has_proto = true;
		} else {
			snprintf(why, len, "'%s' is not tcp, udp, icmp or name=LABEL", tok);
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
	return 1;
}

int
pc_targets_load(const char *path, const struct pc_opts *o, struct pc_target **out, size_t *n,
		char *why, size_t len)
{
	FILE *fp = strcmp(path, "-") == 0 ? stdin : fopen(path, "re");
	struct pc_target *v = NULL, t;
	char line[1024], w[256];
	size_t cnt = 0;
	int lineno = 0, rc;

	*out = NULL;
	*n = 0;
	if (!fp) {
		snprintf(why, len, "-f %s: %s", path, strerror(errno));
		return PP_EXIT_USAGE;
	}
	while (fgets(line, sizeof(line), fp)) {
		lineno++;
		rc = pc_target_parse(line, &o->q, o->default_proto, &t, w, sizeof(w));
		if (rc == 0)
			continue;
		if (rc < 0 || cnt >= 10000) {
			snprintf(why, len, "-f %s, line %d: %s", path, lineno, rc < 0 ? w : "more than 10000 targets");
			goto bad;
		}
		{
			struct pc_target *nv = realloc(v, (cnt + 1) * sizeof(*nv));

			if (!nv) {
				snprintf(why, len, "-f %s: out of memory", path);
				goto bad;
			}
			v = nv;
		}
		t.line = lineno;
		v[cnt++] = t;
	}
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
	if (fp != stdin)
		fclose(fp);
	free(v);
	return PP_EXIT_USAGE;
}

/* One target from start to verdict. */
static void
check_one(struct pc_target *t)
{
	double t0 = pp_mono_now();

	/* Resolved once: main() did it already for a single DEST. */
	if (!t->q.dst.family && (t->rc = pc_resolve(&t->q, t->error, sizeof(t->error))) != PP_EXIT_OK)
		return;
	if (t->q.iif[0])
		t->q.direction = PC_INGRESS;	/* until the kernel's answer says */
	pc_collect(&t->q, &t->f);
	t->q.direction = t->f.eq.direction;
	pc_eval(&t->f.eq, &t->f, &t->r);
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
		check_one(&p->t[i]);
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
	/* Threads inherit the network namespace of the thread that creates them. */
	for (unsigned i = 1; i < parallel; i++)
		if (pthread_create(&th[started], NULL, worker, &p) == 0)
			started++;
	worker(&p);
	for (unsigned i = 0; i < started; i++)
		pthread_join(th[i], NULL);
}

void
pc_targets_free(struct pc_target *t, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		pc_result_free(&t[i].r);
		pc_facts_free(&t[i].f);
	}
	free(t);
}

/* The worst of them: a problem (1), then could not tell (3; a target that could not be resolved counts here), then ok. */
int
pc_targets_exit(const struct pc_target *t, size_t n)
{
	int worst = PP_EXIT_OK;

	for (size_t i = 0; i < n; i++) {
		int e = t[i].rc != PP_EXIT_OK ? PP_EXIT_UNKNOWN : pc_exit_code(&t[i].r);

		if (e == PP_EXIT_PROBLEM)
			return PP_EXIT_PROBLEM;
		if (e == PP_EXIT_UNKNOWN)
			worst = PP_EXIT_UNKNOWN;
	}
	return worst;
}
