/*
 * ctdump.h: what the parts of ctdump share: the user's filter (and the part of it
 * the kernel can apply), the streaming aggregates, the health evaluation, and the
 * fast writers the renderers use. Nothing here speaks netlink: main.c collects
 * through common/ct.c.
 */
#ifndef CTDUMP_H
#define CTDUMP_H

#include <stdio.h>

#include "ct.h"
#include "pp.h"

/* ---- the filter ---- */

struct ctd_prefix {
	bool set;
	struct pp_addr a;
	unsigned plen;
};

struct ctd_filter {
	uint8_t family;			/* AF_INET, AF_INET6 or 0 */
	bool has_proto;
	uint8_t proto;
	struct ctd_prefix src, dst, rsrc, rdst;	/* original src/dst, reply src/dst */
	bool has_sport, has_dport;
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	uint32_t state_mask;		/* bit n: TCP state n; 0 = any */
	uint32_t status_set, status_clear;	/* IPS_* bits that must be set / clear */
	bool has_mark;
	uint32_t mark, mark_mask;
	bool has_zone;
	uint16_t zone;
	bool has_older;
	double older_than;		/* seconds */
};

/* Parsers for option values; return 0 or -EINVAL (the caller names the bad input). */
int ctd_parse_family(const char *s, uint8_t *out);
int ctd_parse_proto(const char *s, uint8_t *out);
int ctd_parse_ports(const char *s, uint16_t *lo, uint16_t *hi);
int ctd_parse_states(const char *s, uint32_t *mask);
int ctd_parse_status(const char *s, uint32_t *set, uint32_t *clear);
int ctd_parse_duration(const char *s, double *out);	/* "90", "1.5", "10m", "2h", "1d" */

/*
 * Split f into what the kernel can filter (kf) and what only userspace can.
 * kernel[] and user[] get short descriptions ("mark", "orig src address"), at most
 * max each; *nk and *nu their counts. A filter pushed into the kernel is still
 * re-checked in userspace (an older kernel ignores what it does not know).
 */
void ctd_filter_kernel(const struct ctd_filter *f, struct pp_ct_kfilter *kf,
		       const char **kernel, size_t *nk, const char **user, size_t *nu, size_t max);

/* Does ct match f? now_ns is CLOCK_REALTIME in ns (for --older-than). */
bool ctd_filter_match(const struct ctd_filter *f, const struct pp_ct_entry *ct, uint64_t now_ns);
/* True when f selects anything at all. */
bool ctd_filter_any(const struct ctd_filter *f);

/* ---- aggregation: top-N by a key, bounded memory (Space-Saving) ---- */

enum ctd_key { CTD_K_SRC, CTD_K_DST, CTD_K_SPORT, CTD_K_DPORT, CTD_K_PROTO, CTD_K_STATE,
	       CTD_K_ZONE, CTD_K_UNREPLIED, CTD_K_N };
const char *ctd_key_name(enum ctd_key k);
int ctd_key_from_name(const char *s);	/* -1 when unknown (UNREPLIED is not a --top key) */

#define CTD_KEYLEN 34

struct ctd_top_item {
	uint8_t key[CTD_KEYLEN];
	uint64_t count;
	uint64_t err;			/* over-count bound, 0 while the table never overflowed */
	uint32_t heap;			/* position in the min-heap */
};

/*
 * The counts of up to cap distinct keys. While the keys fit, every count is
 * exact; past cap the least counted key is replaced (Space-Saving, Metwally et al.
 * 2005): memory stays fixed and every key with more than total/cap entries is
 * still reported, with its count over-estimated by at most item.err.
 */
struct ctd_top {
	enum ctd_key kind;
	unsigned n_want;		/* N of --top */
	uint32_t cap, n;
	bool overflowed;
	uint64_t total;
	struct ctd_top_item *items;
	uint32_t *heap;			/* item indexes, min-heap on count */
	uint32_t *hash;			/* open addressing, item index + 1, 0 empty */
	uint32_t hmask;
};

int ctd_top_init(struct ctd_top *t, enum ctd_key kind, unsigned n_want, uint32_t cap);
void ctd_top_free(struct ctd_top *t);
void ctd_top_add(struct ctd_top *t, const uint8_t key[CTD_KEYLEN]);
/* The n best items, by count then key, into out (caller's array of n). Returns how many. */
size_t ctd_top_best(const struct ctd_top *t, const struct ctd_top_item **out, size_t n);
/* The key of entry ct for kind k; false when ct has no such key (no ports for ICMP). */
bool ctd_key_of(enum ctd_key k, const struct pp_ct_entry *ct, uint8_t key[CTD_KEYLEN]);
/* Text of a key ("203.0.113.2", "443", "tcp", "ESTABLISHED", "203.0.113.2 via 203.0.113.50"). */
const char *ctd_key_str(enum ctd_key k, const uint8_t key[CTD_KEYLEN], char *buf, size_t len);

#define CTD_STATE_NONE 10		/* slot for entries without a TCP state */

struct ctd_agg {
	uint64_t dumped;		/* entries the kernel sent */
	uint64_t matched;
	uint64_t bad;			/* messages the decoder refused */
	uint64_t by_state[CTD_STATE_NONE + 1];
	uint64_t by_proto[256];
	uint64_t unreplied, assured;
	uint64_t no_tstamp;		/* matched entries without CTA_TIMESTAMP */
	uint64_t oldest_ns;		/* age of the oldest matched entry with a timestamp */
	struct ctd_top top[CTD_K_N];	/* kind set for those asked for; cap 0 otherwise */
	bool want[CTD_K_N];
};

int ctd_agg_init(struct ctd_agg *a, const unsigned n_want[CTD_K_N], uint32_t cap);
void ctd_agg_add(struct ctd_agg *a, const struct pp_ct_entry *ct, uint64_t now_ns);
void ctd_agg_free(struct ctd_agg *a);

/* ---- health ---- */

struct ctd_health {
	bool have_global;
	struct pp_ct_global g;
	int global_err;			/* errno when the global stats could not be read */
	bool have_buckets;
	uint64_t buckets;
	bool have_cpu;
	struct pp_ct_cpu_stats *cpu;
	size_t ncpu;
	int cpu_err;
	uint64_t total[PP_CT_STAT_N];
	double fill;			/* entries / max, when both are known */
	enum pp_status status;
	char findings[4][256];
	size_t nfindings;
};

/*
 * Evaluate: fail when the table is at warn_pct percent of nf_conntrack_max or more,
 * or when drop, early_drop or insert_failed ever counted (since the namespace was
 * created); unknown when the statistics could not be read; ok otherwise.
 */
void ctd_health_eval(struct ctd_health *h, double warn_pct);

/* ---- output ---- */

/* A large output buffer with hand-rolled number and address formatting. */
struct ctd_out {
	FILE *f;
	char *buf;
	size_t len, cap;
	bool pretty;
	int depth;
	bool first[32];
	bool err;
};

int ctd_out_init(struct ctd_out *o, FILE *f, size_t cap, bool pretty);
void ctd_out_flush(struct ctd_out *o);
void ctd_out_free(struct ctd_out *o);
void ctd_out_raw(struct ctd_out *o, const char *s, size_t n);
void ctd_out_str(struct ctd_out *o, const char *s);
void ctd_out_u64(struct ctd_out *o, uint64_t v);
void ctd_out_addr(struct ctd_out *o, const struct pp_addr *a);

/* JSON over ctd_out: keys NULL inside arrays. */
void ctd_j_obj(struct ctd_out *o, const char *key);
void ctd_j_obj_end(struct ctd_out *o);
void ctd_j_arr(struct ctd_out *o, const char *key);
void ctd_j_arr_end(struct ctd_out *o);
void ctd_j_u64(struct ctd_out *o, const char *key, uint64_t v);
void ctd_j_dbl(struct ctd_out *o, const char *key, double v);
void ctd_j_bool(struct ctd_out *o, const char *key, bool v);
void ctd_j_null(struct ctd_out *o, const char *key);
void ctd_j_str(struct ctd_out *o, const char *key, const char *v);	/* escaped; NULL -> null */
void ctd_j_addr(struct ctd_out *o, const char *key, const struct pp_addr *a);
void ctd_j_end(struct ctd_out *o);	/* end of a document: newline */

/* One entry as conntrack -L prints it (ev: "[NEW] " prefix for events, or NONE). */
void ctd_text_entry(struct ctd_out *o, const struct pp_ct_entry *ct, enum pp_ct_event ev,
		    uint64_t now_ns);
/* One entry as a JSON object (key NULL inside an array). */
void ctd_json_entry(struct ctd_out *o, const char *key, const struct pp_ct_entry *ct,
		    enum pp_ct_event ev, uint64_t now_ns);

#endif
