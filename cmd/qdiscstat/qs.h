/*
 * qs.h: qdiscstat's model. collect.c fills a sample from the kernel (one
 * RTM_GETQDISC dump for every device, one RTM_GETTCLASS dump per device that has
 * a classful qdisc, a name per device); eval.c turns two samples into rates and
 * findings without any I/O; render.c writes text, JSON or Prometheus.
 */
#ifndef QS_H
#define QS_H

#include <net/if.h>
#include <stdio.h>

#include "cli.h"
#include "nl.h"
#include "pp.h"
#include "qdisc.h"
#include "tc_kind.h"

/* One qdisc or class, as one sample saw it. */
struct qs_obj {
	int ifindex;
	uint32_t handle, parent;	/* for a class, handle is the classid */
	char kind[16];
	bool is_class;
	bool has_stats2, has_rate;
	uint64_t bytes, packets;	/* packets from the 64-bit attribute where sent */
	uint32_t drops, overlimits, requeues;
	uint32_t backlog, qlen;		/* backlog in bytes; qlen is the backlog in packets */
	uint64_t est_bps, est_pps;	/* the kernel's rate estimator, when one is configured */
	uint16_t xs_len, opt_len;
	uint8_t *blob;			/* xs_len bytes of TCA_XSTATS, then opt_len of TCA_OPTIONS */
};

/* One device that has qdiscs, with the range of its objects in the sample. */
struct qs_dev {
	int ifindex;
	char name[IF_NAMESIZE];
	bool classful;			/* some qdisc on it has classes worth a dump */
	bool filtered;			/* left out by --dev */
	bool has_link;			/* link facts below were read (only when a finding needs them) */
	bool physical;			/* no IFLA_INFO_KIND, not loopback */
	uint64_t tx_packets, tx_bytes;
	size_t first, n;		/* objects [first, first+n): qdiscs, then classes */
	size_t nq;			/* how many of them are qdiscs */
};

struct qs_sample {
	double mono;			/* CLOCK_MONOTONIC seconds when the dump started */
	double wall;			/* CLOCK_REALTIME seconds */
	struct qs_obj *obj;
	size_t n, cap;
	struct qs_dev *dev;
	size_t ndev, devcap;
	unsigned class_errors;		/* devices whose class dump failed */
	struct pp_err class_err;	/* the first such failure */
	unsigned bad_msgs;		/* messages refused as malformed */
};

void qs_sample_free(struct qs_sample *s);
/* Append a copy of q (blobs included). Returns 0 or -ENOMEM. */
int qs_sample_add(struct qs_sample *s, const struct pp_qdisc *q);

/* ---- collection (collect.c) ---- */

struct qs_collector {
	struct pp_nl nl;		/* the qdisc dump and the link dump */
	unsigned nworkers;		/* threads for class dumps and names */
	struct qs_worker *w;
	bool classes;			/* dump classes (--no-classes turns it off) */
	bool links;			/* read link facts for the default-qdisc finding */
	int only_ifindex;		/* --dev NAME without wildcards: that device only */
	const char *const *dev_globs;	/* --dev patterns, NULL-terminated, or NULL */
	const char *const *kinds;	/* --kind list: classes of other kinds are not dumped */
	int ioctl_fd;
	struct qs_names *names;		/* device names from one ethtool dump (collect.c) */
	bool names_by_dump;		/* this sample's names come from it, not from SIOCGIFNAME */
};

/* Open the sockets in the current network namespace. Returns 0 or -errno (e says which). */
int qs_collector_open(struct qs_collector *c, unsigned nworkers, struct pp_err *e);
void qs_collector_close(struct qs_collector *c);
/* One sample. Returns 0, or -errno when the qdisc dump itself failed. */
int qs_collect(struct qs_collector *c, struct qs_sample *s, struct pp_err *e);
/* The same dumps, counting messages only (for the benchmark's floor). */
int qs_collect_count(struct qs_collector *c, uint64_t *nqdisc, uint64_t *nclass, struct pp_err *e);

/* ---- evaluation (eval.c) ---- */

struct qs_thresholds {
	double drop_rate;		/* drops/s above which rising drops are a problem (default 0: any) */
	bool has_max_drops;
	uint64_t max_drops;		/* one sample: more drops than this since creation is a problem */
	double busy_pps;		/* a device above this tx rate is busy (default-qdisc finding) */
};

/* What changed for one object over the interval (valid when has_delta). */
struct qs_row {
	const struct qs_obj *o;
	const struct qs_dev *dev;
	bool selected;			/* passes --kind */
	bool has_delta;			/* seen in the previous sample too */
	uint64_t d_bytes, d_packets, d_drops, d_overlimits, d_requeues;
	double bps, pps, drops_ps, overlimits_ps, requeues_ps;
	bool has_ratio;
	double drop_ratio;		/* drops / (packets sent + drops) over the interval */
	bool standing;			/* a backlog at both ends of the interval */
};

enum qs_ftype { QS_F_DROPS, QS_F_BACKLOG, QS_F_REQUEUES, QS_F_DEFAULT_QDISC };
enum qs_level { QS_L_INFO, QS_L_NOTICE, QS_L_PROBLEM };

struct qs_finding {
	enum qs_ftype type;
	enum qs_level level;
	size_t row;			/* index into rows */
	char summary[200];
};

struct qs_eval {
	bool since_boot;		/* first sample: counters since each object was created */
	double dt;			/* seconds since the previous sample */
	struct qs_row *rows;
	size_t nrows;
	struct qs_finding *f;
	size_t nf, fcap;
	unsigned problems, notices;
	uint64_t nqdisc, nclass;	/* selected objects */
};

/* A handle or parent as tc prints and accepts it: "root", "1:", "1:10", "0:", "ffff:fff1". */
const char *qs_handle_str(uint32_t h, char *buf, size_t len);

/* The first of kinds (NULL-terminated, or NULL) that no qdisc or class of s has, or NULL. Pure. */
const char *qs_kind_unmatched(const struct qs_sample *s, const char *const *kinds);

/*
 * Rates and findings for cur against prev (NULL for the first sample, which is
 * since boot). kinds: NULL-terminated --kind list or NULL. Pure: no I/O.
 * Returns 0 or -ENOMEM. The rows point into cur.
 */
int qs_evaluate(const struct qs_sample *prev, const struct qs_sample *cur,
		const struct qs_thresholds *th, const char *const *kinds, struct qs_eval *ev);
void qs_eval_free(struct qs_eval *ev);
const char *qs_ftype_name(enum qs_ftype t);
const char *qs_level_name(enum qs_level l);

/* ---- rendering (render.c) ---- */

struct qs_render_ctx {
	struct pp_cli *cli;
	unsigned index;			/* sample number, from 1 */
	bool last;
	bool details;			/* --details: the kinds' options too (text) */
	const char *const *warnings;	/* NULL-terminated */
};

void qs_render_text(FILE *f, const struct qs_render_ctx *rc, const struct qs_sample *s,
		    const struct qs_eval *ev);
void qs_render_json(FILE *f, const struct qs_render_ctx *rc, const struct qs_sample *s,
		    const struct qs_eval *ev);
void qs_render_prom(FILE *f, const struct qs_render_ctx *rc, const struct qs_sample *s,
		    const struct qs_eval *ev, bool success);
/*
 * nagios.c: the --nagios line for the last sample (rates over the interval when
 * have_prev) on stdout; returns its state (the exit code).
 */
int qs_render_nagios(struct pp_cli *c, const struct qs_sample *s, const struct qs_eval *ev, bool have_prev);

#endif
