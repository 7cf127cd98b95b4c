/*
 * ctdump.h: what the parts of ctdump share: the user's filter (and the part of it
 * the kernel can apply), the streaming aggregates, the health evaluation, and the
 * fast writers the renderers use, and the run (options, collect, report). Only
 * collect.c and events.c speak netlink, through common/ct.c; main.c ties them
 * together.
 */
#ifndef CTDUMP_H
#define CTDUMP_H

#include <stdio.h>

#include "cli.h"
#include "ct.h"
#include "ctlabel.h"
#include "nl.h"
#include "pp.h"
#include "prom.h"

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
	bool has_label;			/* --label: every bit of label_mask set (userspace only) */
	uint32_t label_mask[4];
};

/* Parsers for option values; return 0 or -EINVAL (the caller names the bad input). */
int ctd_parse_family(const char *s, uint8_t *out);
int ctd_parse_proto(const char *s, uint8_t *out);
int ctd_parse_ports(const char *s, uint16_t *lo, uint16_t *hi);
int ctd_parse_states(const char *s, uint32_t *mask);
int ctd_parse_status(const char *s, uint32_t *set, uint32_t *clear);
/* "NAME[,NAME]": names from m or bit numbers into mask; *bad gets the first that is neither. */
int ctd_parse_labels(const char *s, const struct pp_ct_labelmap *m, uint32_t *mask, char *bad, size_t badlen);
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
	struct pp_err global_e;		/* and what the error said */
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
	uint64_t ev_ts_ns;		/* -E: when the event was read (CLOCK_REALTIME ns), 0: none */
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


/* ---- the tool's run: options, collection, rendering (args.c, collect.c, report.c, events.c) ---- */

#define PROG "ctdump"
/*
 * Distinct values counted exactly per --top key: about 8 MiB shared by the keys
 * asked for (some 80 bytes per value with its heap and hash slots), at most
 * 65536 each, so memory stays flat at any table size.
 */
#define TOP_BUDGET (8u << 20)
#define TOP_SLOT 80u
#define TOP_CAP_MAX 65536u
#define UNREPLIED_N 10

enum mode { M_LIST, M_COUNT, M_AGG, M_STATS, M_EVENTS };

enum {
	OPT_PROTO = PP_OPT_TOOL, OPT_SPORT, OPT_DPORT, OPT_STATE, OPT_OLDER, OPT_LABEL, OPT_TOP,
	OPT_STREAM, OPT_DURATION, OPT_MAX_FILL, OPT_UNREPLIED, OPT_RCVBUF,
};

struct ctd_opts {
	struct pp_cli cli;
	enum mode mode;
	bool mode_set, agg_flag, count_flag, stats_flag, events_flag;
	struct ctd_filter f;
	unsigned top_n[CTD_K_N];
	bool stream;
	unsigned ev_mask;
	double duration;
	double max_fill;
	uint32_t rcvbuf;
	const char *label_args[16];	/* --label values, named by ctd_resolve_labels() */
	size_t n_label_args;
};

struct ctd_warnings {
	char msg[8][256];
	size_t n;
};

void ctd_warn_add(struct ctd_warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

struct ctd_run {
	struct ctd_opts *o;
	struct ctd_out out;
	struct ctd_agg agg;
	uint64_t now_ns;
	bool emit;			/* write entries */
	bool decode;			/* decode at all (count mode without filters needs not) */
};

/* One -l/-c/-a/-S run: what was collected, for the report. */
struct ctd_state {
	struct ctd_health h;
	struct ctd_warnings w;
	struct pp_ct_kfilter kf;
	const char *kern[16], *user[16];
	size_t nk, nu;
	struct ctd_run r;
	struct pp_err e;
	int dump_rc;
	bool dumped;
};

/* Parse the command line into o (PP_EXIT_OK, PP_EXIT_HELP after --help/--version, or a usage exit). */
int ctd_args(int argc, char *argv[], struct ctd_opts *o);
/* --label's names to bits, once the namespace (or snapshot) is entered: PP_EXIT_OK or a usage error. */
int ctd_resolve_labels(struct ctd_opts *o);
uint64_t ctd_now_real_ns(void);
/* Read the statistics and sysctls, and evaluate them into h. */
void ctd_collect_health(struct pp_nl *nl, struct ctd_health *h, double max_fill, struct ctd_warnings *w);
/* nagios.c: --nagios: the health read twice, --duration (1 s) apart; the line on stdout, its state returned. */
int ctd_nagios(struct ctd_opts *o, struct pp_nl *nl);
/* Its pure part: the line for two health reads dt seconds apart. */
int ctd_nagios_render(const struct ctd_opts *o, const struct ctd_health *h0, const struct ctd_health *h1, double dt,
		      const struct ctd_warnings *w);
/* One streaming dump through r, with the kernel's share kf of the filter. */
int ctd_dump(struct pp_nl *nl, struct pp_ct_kfilter *kf, struct ctd_run *r, struct pp_err *e,
	     struct ctd_warnings *w);
int ctd_collect(struct ctd_opts *o, struct pp_nl *nl, struct ctd_state *s);
void ctd_report(const struct ctd_opts *o, struct ctd_state *s, FILE *f);
/* -E: follow events until interrupted or --duration; returns the exit code. */
int ctd_run_events(struct ctd_opts *o, struct pp_nl *nl);

void ctd_text_health(FILE *f, const struct ctd_opts *o, const struct ctd_health *h);
void ctd_prom_health(struct pp_prom *p, const struct ctd_health *h);
void ctd_json_head(struct ctd_out *j, const struct ctd_opts *o, const char *mode);
void ctd_json_filter(struct ctd_out *j, const char **kern, size_t nk, const char **user, size_t nu);
void ctd_json_tail(struct ctd_out *j, const struct ctd_health *h, const struct ctd_warnings *w);
void ctd_json_agg(struct ctd_out *j, const struct ctd_opts *o, const struct ctd_agg *a);
void ctd_text_agg(FILE *f, const struct ctd_opts *o, const struct ctd_agg *a);
void ctd_prom_agg(struct pp_prom *p, const struct ctd_opts *o, const struct ctd_agg *a);

#endif
