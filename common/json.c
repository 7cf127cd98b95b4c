/* json.c: streaming JSON writer and value tree. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

void
pp_json_init(struct pp_json *j, FILE *f, bool pretty)
{
	memset(j, 0, sizeof(*j));
	j->f = f;
	j->pretty = pretty;
	j->first[0] = true;
}

static void
indent(struct pp_json *j)
{
	if (!j->pretty)
		return;
	fputc('\n', j->f);
	for (int i = 0; i < j->depth + j->over; i++)
		fputs("  ", j->f);
}

/* Separator, indentation and "key": before a value. */
static void
member(struct pp_json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			fputc(',', j->f);
		indent(j);
	}
	j->first[j->depth] = false;
	if (key && j->depth > 0) {
		pp_json_escape(j->f, key);
		fputs(j->pretty ? ": " : ":", j->f);
	}
}

static void
open_(struct pp_json *j, const char *key, char c)
{
	member(j, key);
	fputc(c, j->f);
	if (j->depth < PP_JSON_MAX_DEPTH - 1)
		j->depth++;
	else
		j->over++;
	j->first[j->depth] = true;
}

static void
close_(struct pp_json *j, char c)
{
	bool empty = j->first[j->depth];

	if (j->over > 0)
		j->over--;
	else if (j->depth > 0)
		j->depth--;
	if (!empty)
		indent(j);
	fputc(c, j->f);
	/* Past the last slot the parent's state was overwritten; it has a member: the one just closed. */
	if (j->depth == PP_JSON_MAX_DEPTH - 1)
		j->first[j->depth] = false;
}

void pp_json_obj_open(struct pp_json *j, const char *key) { open_(j, key, '{'); }
void pp_json_obj_close(struct pp_json *j) { close_(j, '}'); }
void pp_json_arr_open(struct pp_json *j, const char *key) { open_(j, key, '['); }
void pp_json_arr_close(struct pp_json *j) { close_(j, ']'); }

void
pp_json_str(struct pp_json *j, const char *key, const char *v)
{
	member(j, key);
	if (v)
		pp_json_escape(j->f, v);
	else
		fputs("null", j->f);
}

void
pp_json_u64(struct pp_json *j, const char *key, uint64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void
pp_json_i64(struct pp_json *j, const char *key, int64_t v)
{
	member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void
pp_json_double(struct pp_json *j, const char *key, double v)
{
	member(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.10g", v);
	else
		fputs("null", j->f);
}

void
pp_json_bool(struct pp_json *j, const char *key, bool v)
{
	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void
pp_json_null(struct pp_json *j, const char *key)
{
	member(j, key);
	fputs("null", j->f);
}

void
pp_json_end(struct pp_json *j)
{
	fputc('\n', j->f);
	fflush(j->f);
	j->depth = 0;
	j->over = 0;
	j->first[0] = true;
}

/* Length of the valid UTF-8 sequence at s, or 0 when it is not one. */
static size_t
utf8_len(const unsigned char *s)
{
	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		return (s[1] & 0xc0) == 0x80 ? 2 : 0;
	if (s[0] >= 0xe0 && s[0] <= 0xef) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80)
			return 0;
		if (s[0] == 0xe0 && s[1] < 0xa0)
			return 0;	/* overlong */
		if (s[0] == 0xed && s[1] >= 0xa0)
			return 0;	/* surrogate */
		return 3;
	}
	if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		if ((s[1] & 0xc0) != 0x80 || (s[2] & 0xc0) != 0x80 || (s[3] & 0xc0) != 0x80)
			return 0;
		if ((s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] >= 0x90))
			return 0;
		return 4;
	}
	return 0;
}

void
pp_json_escape(FILE *f, const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	fputc('"', f);
	while (*s) {
		const unsigned char *run = s;
		size_t n;

		/* Plain printable ASCII goes out in one write, the rest byte by byte. */
		while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
			s++;
		if (s > run)
			fwrite(run, 1, (size_t)(s - run), f);
		if (!*s)
			break;
		switch (*s) {
		case '"': fputs("\\\"", f); s++; continue;
		case '\\': fputs("\\\\", f); s++; continue;
		case '\n': fputs("\\n", f); s++; continue;
		case '\r': fputs("\\r", f); s++; continue;
		case '\t': fputs("\\t", f); s++; continue;
		default: break;
		}
		if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s);
			s++;
			continue;
		}
		n = utf8_len(s);
		if (n == 0) {
			fputs("\\ufffd", f);
			s++;
			continue;
		}
		fwrite(s, 1, n, f);
		s += n;
	}
	fputc('"', f);
}

/* ---- value tree ---- */

static struct pp_val *
new_val(enum pp_val_type t)
{
	struct pp_val *v = calloc(1, sizeof(*v));

	if (v)
		v->type = t;
	return v;
}

static struct pp_val *
attach(struct pp_val *o, const char *key, struct pp_val *v)
{
	if (!v)
		return NULL;
	if (!o || (o->type != PP_V_OBJ && o->type != PP_V_ARR)) {
		pp_val_free(v);
		return NULL;
	}
	if (o->type == PP_V_OBJ) {
		v->key = strdup(key ? key : "");
		if (!v->key) {
			pp_val_free(v);
			return NULL;
		}
	}
	if (o->last)
		o->last->next = v;
	else
		o->child = v;
	o->last = v;
	return v;
}

struct pp_val *pp_val_obj(void) { return new_val(PP_V_OBJ); }
struct pp_val *pp_val_arr(void) { return new_val(PP_V_ARR); }

struct pp_val *
pp_val_add_str(struct pp_val *o, const char *key, const char *s)
{
	struct pp_val *v;

	if (!s)
		return pp_val_add_null(o, key);
	v = new_val(PP_V_STR);
	if (v && !(v->v.s = strdup(s))) {
		free(v);
		return NULL;
	}
	return attach(o, key, v);
}

struct pp_val *
pp_val_add_strf(struct pp_val *o, const char *key, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return pp_val_add_str(o, key, buf);
}

#define ADD_SCALAR(name, T, vt, field)                                   \
	struct pp_val *name(struct pp_val *o, const char *key, T x)      \
	{                                                                \
		struct pp_val *v = new_val(vt);                          \
		if (v)                                                   \
			v->v.field = x;                                  \
		return attach(o, key, v);                                \
	}
ADD_SCALAR(pp_val_add_u64, uint64_t, PP_V_U64, u)
ADD_SCALAR(pp_val_add_i64, int64_t, PP_V_I64, i)
ADD_SCALAR(pp_val_add_dbl, double, PP_V_DBL, d)
ADD_SCALAR(pp_val_add_bool, bool, PP_V_BOOL, b)

struct pp_val *pp_val_add_null(struct pp_val *o, const char *key) { return attach(o, key, new_val(PP_V_NULL)); }
struct pp_val *pp_val_add_obj(struct pp_val *o, const char *key) { return attach(o, key, new_val(PP_V_OBJ)); }
struct pp_val *pp_val_add_arr(struct pp_val *o, const char *key) { return attach(o, key, new_val(PP_V_ARR)); }

const struct pp_val *
pp_val_get(const struct pp_val *o, const char *key)
{
	if (!o || o->type != PP_V_OBJ)
		return NULL;
	for (const struct pp_val *c = o->child; c; c = c->next)
		if (strcmp(c->key, key) == 0)
			return c;
	return NULL;
}

void
pp_val_json(const struct pp_val *v, struct pp_json *j, const char *key)
{
	if (!v) {
		pp_json_null(j, key);
		return;
	}
	switch (v->type) {
	case PP_V_NULL: pp_json_null(j, key); break;
	case PP_V_BOOL: pp_json_bool(j, key, v->v.b); break;
	case PP_V_U64: pp_json_u64(j, key, v->v.u); break;
	case PP_V_I64: pp_json_i64(j, key, v->v.i); break;
	case PP_V_DBL: pp_json_double(j, key, v->v.d); break;
	case PP_V_STR: pp_json_str(j, key, v->v.s); break;
	case PP_V_OBJ:
		pp_json_obj_open(j, key);
		for (const struct pp_val *c = v->child; c; c = c->next)
			pp_val_json(c, j, c->key);
		pp_json_obj_close(j);
		break;
	case PP_V_ARR:
		pp_json_arr_open(j, key);
		for (const struct pp_val *c = v->child; c; c = c->next)
			pp_val_json(c, j, NULL);
		pp_json_arr_close(j);
		break;
	}
}

void
pp_val_free(struct pp_val *v)
{
	while (v) {
		struct pp_val *next = v->next;

		pp_val_free(v->child);
		if (v->type == PP_V_STR)
			free(v->v.s);
		free(v->key);
		free(v);
		v = next;
	}
}
