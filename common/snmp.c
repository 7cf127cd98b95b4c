/* snmp.c: /proc/net/snmp, /proc/net/netstat and /proc/net/snmp6. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "snmp.h"
#include "sysctl.h"

#define SNMP_MIN_SLOTS 64

/*
 * v holds max(SNMP_MIN_SLOTS, n rounded up to a power of two) slots, so the
 * struct needs no capacity field: grow when n reaches such a size.
 */
static int
grow(struct pp_snmp *s)
{
	size_t cap;
	struct pp_snmp_ent *nv;

	if (s->n == 0)
		cap = SNMP_MIN_SLOTS;
	else if (s->n >= SNMP_MIN_SLOTS && (s->n & (s->n - 1)) == 0)
		cap = s->n * 2;
	else
		return 0;
	if (!(nv = realloc(s->v, cap * sizeof(*nv))))
		return -ENOMEM;
	s->v = nv;
	return 0;
}

static struct pp_snmp_ent *
find(const struct pp_snmp *s, const char *name)
{
	for (size_t i = 0; i < s->n; i++)
		if (strcmp(s->v[i].name, name) == 0)
			return &s->v[i];
	return NULL;
}

/* Set prefix+col (lengths plen, clen) to v. Names of 64 bytes or more are skipped. */
static int
put(struct pp_snmp *s, const char *prefix, size_t plen, const char *col, size_t clen, uint64_t v)
{
	char name[sizeof(s->v[0].name)];
	struct pp_snmp_ent *ent;
	int rc;

	if (plen + clen >= sizeof(name) || plen + clen == 0)
		return 0;
	memcpy(name, prefix, plen);
	memcpy(name + plen, col, clen);
	name[plen + clen] = '\0';
	if ((ent = find(s, name))) {
		ent->value = v;
		return 0;
	}
	if ((rc = grow(s)) < 0)
		return rc;
	ent = &s->v[s->n++];
	memcpy(ent->name, name, plen + clen + 1);
	ent->value = v;
	return 0;
}

static bool
is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r';
}

/* The next token of [*p, end): its start, with *len; NULL when none is left. */
static const char *
token(const char **p, const char *end, size_t *len)
{
	const char *t;

	while (*p < end && is_space(**p))
		(*p)++;
	if (*p == end)
		return NULL;
	t = *p;
	while (*p < end && !is_space(**p))
		(*p)++;
	*len = (size_t)(*p - t);
	return t;
}

/* A decimal value, optionally negative (stored as two's complement). */
static bool
number(const char *t, size_t len, uint64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t i = 0;

	if (len && t[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == len)
		return false;
	for (; i < len; i++) {
		unsigned d;

		if (t[i] < '0' || t[i] > '9')
			return false;
		d = (unsigned)(t[i] - '0');
		if (v > (UINT64_MAX - d) / 10)
			return false;
		v = v * 10 + d;
	}
	if (neg) {
		if (v > (uint64_t)INT64_MAX + 1)
			return false;
		v = (uint64_t)0 - v;
	}
	*out = v;
	return true;
}

/* "Ip6InReceives 123": one name, one value. */
static int
parse_single(struct pp_snmp *s, const char *p, const char *end)
{
	const char *name, *val;
	size_t nlen, vlen;
	uint64_t v;

	if (!(name = token(&p, end, &nlen)) || !(val = token(&p, end, &vlen)))
		return 0;
	if (token(&p, end, &vlen) || !number(val, vlen, &v))
		return 0;	/* a third column or a value that is not one: not this format */
	return put(s, name, nlen, "", 0, v);
}

struct pending {
	const char *prefix;	/* the header line waiting for its values, or NULL */
	size_t plen;
	const char *cols, *end;	/* its columns */
};

/*
 * One line of the pairs format. A line whose first column is a number is the
 * value line of the header before it, when that header has the same prefix;
 * any other line is a header.
 */
static int
parse_pair_line(struct pp_snmp *s, struct pending *h, const char *p, const char *end)
{
	const char *colon = memchr(p, ':', (size_t)(end - p));
	const char *first, *q, *hc, *vt, *nt;
	size_t plen, flen, vlen, nlen;
	uint64_t v;
	int rc;

	if (!colon) {
		h->prefix = NULL;
		return 0;
	}
	plen = (size_t)(colon - p);
	q = colon + 1;
	if (!(first = token(&q, end, &flen))) {
		h->prefix = NULL;	/* "Ip:" alone: nothing to pair */
		return 0;
	}
	if (!(first[0] == '-' || (first[0] >= '0' && first[0] <= '9'))) {
		h->prefix = p;
		h->plen = plen;
		h->cols = colon + 1;
		h->end = end;
		return 0;
	}
	if (!h->prefix || h->plen != plen || memcmp(h->prefix, p, plen) != 0) {
		h->prefix = NULL;	/* values without their header */
		return 0;
	}
	hc = h->cols;
	q = colon + 1;
	while ((nt = token(&hc, h->end, &nlen)) && (vt = token(&q, end, &vlen))) {
		if (number(vt, vlen, &v) && (rc = put(s, p, plen, nt, nlen, v)) < 0)
			return rc;
	}
	h->prefix = NULL;
	return 0;
}

int
pp_snmp_parse(struct pp_snmp *s, const char *text, int kind)
{
	struct pending h = { 0 };
	const char *p = text;
	int rc;

	if (kind != 0 && kind != 1)
		return -EINVAL;
	while (*p) {
		const char *end = strchr(p, '\n');

		if (!end)
			end = p + strlen(p);
		rc = kind == 0 ? parse_pair_line(s, &h, p, end) : parse_single(s, p, end);
		if (rc < 0)
			return rc;
		p = *end ? end + 1 : end;
	}
	return 0;
}

int
pp_snmp_read(struct pp_snmp *s)
{
	static const struct { const char *name; int kind; } files[] = {
		{ "snmp", 0 }, { "netstat", 0 }, { "snmp6", 1 },
	};
	/*
	 * /proc/net is /proc/self/net, the namespace of the thread group leader;
	 * /proc/thread-self/net is the caller's, which differs after a setns() in
	 * another thread.
	 */
	const char *dir = access("/proc/thread-self/net", F_OK) == 0 ? "/proc/thread-self/net"
								     : "/proc/net";
	char path[64], *text;
	int rc;

	memset(s, 0, sizeof(*s));
	for (size_t i = 0; i < PP_ARRAY_SIZE(files); i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, files[i].name);
		/* Through common/sysctl.c, so a snapshot records and replays it. */
		rc = pp_slurp(path, &text, 16 << 20);
		if (rc == -ENOENT)
			continue;
		if (rc < 0)
			goto fail;
		rc = pp_snmp_parse(s, text, files[i].kind);
		free(text);
		if (rc < 0)
			goto fail;
	}
	return 0;
fail:
	pp_snmp_free(s);
	return rc;
}

bool
pp_snmp_get(const struct pp_snmp *s, const char *name, uint64_t *out)
{
	const struct pp_snmp_ent *ent = find(s, name);

	if (!ent)
		return false;
	if (out)
		*out = ent->value;
	return true;
}

uint64_t
pp_snmp_delta(const struct pp_snmp *before, const struct pp_snmp *after, const char *name)
{
	uint64_t a, b;

	if (!pp_snmp_get(before, name, &b) || !pp_snmp_get(after, name, &a))
		return 0;
	return a >= b ? a - b : a;
}

void
pp_snmp_free(struct pp_snmp *s)
{
	free(s->v);
	s->v = NULL;
	s->n = 0;
}
