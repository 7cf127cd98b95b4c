/* json.c: streaming JSON writer and value tree. */
#include <float.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "json.h"

/*
 * The writer makes a call per key, value and separator: hundreds of thousands for
 * a sample of 4000 devices. Bytes go straight into the FILE's buffer when they fit
 * (what glibc's own putc_unlocked does), else through fwrite_unlocked, which also
 * keeps a line-buffered or unbuffered stream's behaviour (glibc leaves such a
 * stream's write window empty). A writer's FILE is written by one thread at a time.
 */
static inline void
put(FILE *f, const char *s, size_t n)
{
#ifdef __GLIBC__
	if ((size_t)(f->_IO_write_end - f->_IO_write_ptr) >= n) {
		memcpy(f->_IO_write_ptr, s, n);
		f->_IO_write_ptr += n;
		return;
	}
#endif
	fwrite_unlocked(s, 1, n, f);
}

static inline void
putch(FILE *f, char c)
{
	putc_unlocked(c, f);
}

#define PUT_LIT(f, s) put((f), (s), sizeof(s) - 1)

/* v in decimal at the end of t (24 bytes); returns where the digits start. */
static inline char *
u64_dec(char *t, uint64_t v)
{
	char *p = t + 24;

	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	return p;
}

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
	putch(j->f, '\n');
	for (int i = 0; i < j->depth + j->over; i++)
		PUT_LIT(j->f, "  ");
}

/* A key: our own snake_case literals are copied as they are; anything else is escaped. */
static void
key_out(FILE *f, const char *key)
{
	const unsigned char *s = (const unsigned char *)key;

	while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
		s++;
	if (*s) {
		pp_json_escape(f, key);
		return;
	}
	putch(f, '"');
	put(f, key, (size_t)(s - (const unsigned char *)key));
	putch(f, '"');
}

/* Separator, indentation and "key": before a value. */
static void
member(struct pp_json *j, const char *key)
{
	if (j->depth > 0) {
		if (!j->first[j->depth])
			putch(j->f, ',');
		indent(j);
	}
	j->first[j->depth] = false;
	if (key && j->depth > 0) {
		key_out(j->f, key);
		if (j->pretty)
			PUT_LIT(j->f, ": ");
		else
			putch(j->f, ':');
	}
}

static void
open_(struct pp_json *j, const char *key, char c)
{
	member(j, key);
	putch(j->f, c);
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
	putch(j->f, c);
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
		PUT_LIT(j->f, "null");
}

void
pp_json_u64(struct pp_json *j, const char *key, uint64_t v)
{
	char t[24], *p;

	member(j, key);
	if (v < 10) {
		putch(j->f, (char)('0' + v));
		return;
	}
	p = u64_dec(t, v);
	put(j->f, p, (size_t)(t + sizeof(t) - p));
}

void
pp_json_i64(struct pp_json *j, const char *key, int64_t v)
{
	char t[24], *p;

	member(j, key);
	/* The magnitude as unsigned: -INT64_MIN does not fit an int64_t. */
	p = u64_dec(t, v < 0 ? -(uint64_t)v : (uint64_t)v);
	if (v < 0)
		*--p = '-';
	put(j->f, p, (size_t)(t + sizeof(t) - p));
}

/*
 * What snprintf("%.10g") writes for v, without printf's exact big-number
 * conversion, for the common case: a value of fixed notation (1e-4 <= |v| < 1e10).
 * The ten digits come from |v| * 10^k in long double (64-bit mantissa: the power is
 * exact and the product is off by less than 1e-9 of a unit of the last digit), and
 * a fraction within 1e-6 of a half, where that error could flip the rounding, is
 * left to snprintf, as is everything else. Returns the length written into t
 * (at least 24 bytes), or 0 when snprintf must do it.
 */
size_t
pp_json_g10(double v, char *t)
{
#if LDBL_MANT_DIG >= 64
	static const long double pow10[] = { 1e0L, 1e1L, 1e2L, 1e3L, 1e4L, 1e5L, 1e6L, 1e7L, 1e8L, 1e9L,
					      1e10L, 1e11L, 1e12L, 1e13L };
	double a = v < 0 ? -v : v;
	long double x, fl, fr;
	uint64_t d;
	char dig[10], *p = t;
	int e, k, last;

	if (!(a >= 1e-4 && a < 1e10))
		return 0;
	/*
	 * The decimal exponent, perhaps one off where a power of ten is not exact:
	 * corrected below. 10^(e+1) is pow10[e + 5] / 1e4 (e starts at -4).
	 */
	for (e = -4; e < 9 && a >= (double)(pow10[e + 5] / 1e4L); e++)
		;
	for (int tries = 0; tries < 3; tries++) {
		k = 9 - e;
		if (k < 0 || k >= (int)(sizeof(pow10) / sizeof(pow10[0])))
			return 0;
		x = (long double)a * pow10[k];
		if (x >= 1e10L) {
			e++;
			continue;
		}
		if (x < 1e9L) {
			e--;
			continue;
		}
		break;
	}
	if (x < 1e9L || x >= 1e10L)
		return 0;
	fl = (long double)(uint64_t)x;	/* x is positive and below 1e10: truncation is floor */
	fr = x - fl;
	if (fr - 0.5L < 1e-6L && 0.5L - fr < 1e-6L)
		return 0;
	d = (uint64_t)fl + (fr > 0.5L);
	if (d >= 10000000000ull)
		return 0;	/* rounds up to the next power of ten: the exponent changes */
	for (int i = 9; i >= 0; i--) {
		dig[i] = (char)('0' + d % 10);
		d /= 10;
	}
	for (last = 9; last > 0 && dig[last] == '0'; last--)
		;
	if (v < 0)
		*p++ = '-';
	if (e >= 0) {
		for (int i = 0; i <= e; i++)
			*p++ = dig[i];
		if (last > e) {
			*p++ = '.';
			for (int i = e + 1; i <= last; i++)
				*p++ = dig[i];
		}
	} else {
		*p++ = '0';
		*p++ = '.';
		for (int i = 0; i < -e - 1; i++)
			*p++ = '0';
		for (int i = 0; i <= last; i++)
			*p++ = dig[i];
	}
	return (size_t)(p - t);
#else
	(void)v;
	(void)t;
	return 0;
#endif
}

void
pp_json_double(struct pp_json *j, const char *key, double v)
{
	char t[32];
	int n;

	member(j, key);
	if (!isfinite(v)) {
		PUT_LIT(j->f, "null");
		return;
	}
	/*
	 * A whole number below 1e10 is what %.10g prints as an integer: the same
	 * digits without printf's floating-point conversion (zero rates, mostly).
	 * -0.0 keeps printf, which writes its sign.
	 */
	if (v > -1e10 && v < 1e10 && v == (double)(int64_t)v && (v != 0 || !signbit(v))) {
		char *p;
		int64_t iv = (int64_t)v;

		p = u64_dec(t, iv < 0 ? -(uint64_t)iv : (uint64_t)iv);
		if (iv < 0)
			*--p = '-';
		put(j->f, p, (size_t)(t + 24 - p));
		return;
	}
	if ((n = (int)pp_json_g10(v, t)) > 0) {
		put(j->f, t, (size_t)n);
		return;
	}
	n = snprintf(t, sizeof(t), "%.10g", v);
	if (n > 0)
		put(j->f, t, (size_t)n < sizeof(t) ? (size_t)n : sizeof(t) - 1);
}

void
pp_json_bool(struct pp_json *j, const char *key, bool v)
{
	member(j, key);
	if (v)
		PUT_LIT(j->f, "true");
	else
		PUT_LIT(j->f, "false");
}

void
pp_json_null(struct pp_json *j, const char *key)
{
	member(j, key);
	PUT_LIT(j->f, "null");
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

	putch(f, '"');
	while (*s) {
		const unsigned char *run = s;
		size_t n;

		/* Plain printable ASCII goes out in one write, the rest byte by byte. */
		while (*s >= 0x20 && *s < 0x7f && *s != '"' && *s != '\\')
			s++;
		if (s > run)
			put(f, (const char *)run, (size_t)(s - run));
		if (!*s)
			break;
		switch (*s) {
		case '"': PUT_LIT(f, "\\\""); s++; continue;
		case '\\': PUT_LIT(f, "\\\\"); s++; continue;
		case '\n': PUT_LIT(f, "\\n"); s++; continue;
		case '\r': PUT_LIT(f, "\\r"); s++; continue;
		case '\t': PUT_LIT(f, "\\t"); s++; continue;
		default: break;
		}
		if (*s < 0x20 || *s == 0x7f) {
			fprintf(f, "\\u%04x", *s);
			s++;
			continue;
		}
		n = utf8_len(s);
		if (n == 0) {
			PUT_LIT(f, "\\ufffd");
			s++;
			continue;
		}
		put(f, (const char *)s, n);
		s += n;
	}
	putch(f, '"');
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

/* Attach v (a value of no key, made by pp_val_obj() and the like) under key: o owns it now. */
struct pp_val *
pp_val_add(struct pp_val *o, const char *key, struct pp_val *v)
{
	if (v && v->key) {
		pp_val_free(v);
		return NULL;
	}
	return attach(o, key, v);
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
