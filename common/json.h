/* json.h: a streaming JSON writer (escaped strings, valid UTF-8 out) and a small value tree. */
#ifndef PP_JSON_H
#define PP_JSON_H

#include <stdio.h>
#include "pp.h"

#define PP_JSON_MAX_DEPTH 32

struct pp_json {
	FILE *f;
	bool pretty;
	int depth;
	bool first[PP_JSON_MAX_DEPTH];
	int over;		/* levels opened past the last slot of first[] (they share it) */
};

void pp_json_init(struct pp_json *j, FILE *f, bool pretty);
/* key is NULL inside arrays and for the top-level value. */
void pp_json_obj_open(struct pp_json *j, const char *key);
void pp_json_obj_close(struct pp_json *j);
void pp_json_arr_open(struct pp_json *j, const char *key);
void pp_json_arr_close(struct pp_json *j);
void pp_json_str(struct pp_json *j, const char *key, const char *v);	/* NULL writes null */
void pp_json_u64(struct pp_json *j, const char *key, uint64_t v);
void pp_json_i64(struct pp_json *j, const char *key, int64_t v);
void pp_json_double(struct pp_json *j, const char *key, double v);	/* non-finite writes null */
/*
 * printf's "%.10g" of v in fixed notation (1e-4 <= |v| < 1e10), written into t (at
 * least 24 bytes) without printf: the length, or 0 where pp_json_double leaves v to
 * snprintf (another magnitude, or a fraction too near a rounding half). For the tests.
 */
size_t pp_json_g10(double v, char *t);
void pp_json_bool(struct pp_json *j, const char *key, bool v);
void pp_json_null(struct pp_json *j, const char *key);
/* End of a document: newline, flush (JSON Lines streams flush per document). */
void pp_json_end(struct pp_json *j);
/* Write s as a JSON string literal, quotes included; invalid UTF-8 becomes U+FFFD. */
void pp_json_escape(FILE *f, const char *s);

/*
 * A value tree, for models whose shape is decided while collecting (pathcheck's
 * evidence). Allocation failure leaves the tree short, never crashes: every call
 * accepts NULL.
 */
enum pp_val_type { PP_V_NULL, PP_V_BOOL, PP_V_U64, PP_V_I64, PP_V_DBL, PP_V_STR, PP_V_OBJ, PP_V_ARR };
struct pp_val {
	enum pp_val_type type;
	char *key;			/* member name inside an object */
	union {
		bool b;
		uint64_t u;
		int64_t i;
		double d;
		char *s;
	} v;
	struct pp_val *child, *last;	/* members of an object or array */
	struct pp_val *next;
};

struct pp_val *pp_val_obj(void);
struct pp_val *pp_val_arr(void);
/* Add a member (to an object: key required; to an array: key NULL). Returns the new value. */
struct pp_val *pp_val_add_str(struct pp_val *o, const char *key, const char *s);
struct pp_val *pp_val_add_strf(struct pp_val *o, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
struct pp_val *pp_val_add_u64(struct pp_val *o, const char *key, uint64_t u);
struct pp_val *pp_val_add_i64(struct pp_val *o, const char *key, int64_t i);
struct pp_val *pp_val_add_dbl(struct pp_val *o, const char *key, double d);
struct pp_val *pp_val_add_bool(struct pp_val *o, const char *key, bool b);
struct pp_val *pp_val_add_null(struct pp_val *o, const char *key);
struct pp_val *pp_val_add_obj(struct pp_val *o, const char *key);
struct pp_val *pp_val_add_arr(struct pp_val *o, const char *key);
/* Attach v, a value of its own (pp_val_obj(), ...; not one inside another), under key: o owns it. */
struct pp_val *pp_val_add(struct pp_val *o, const char *key, struct pp_val *v);
/* The member named key of an object, or NULL. */
const struct pp_val *pp_val_get(const struct pp_val *o, const char *key);
void pp_val_json(const struct pp_val *v, struct pp_json *j, const char *key);
void pp_val_free(struct pp_val *v);

#endif
