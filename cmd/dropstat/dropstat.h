/*
 * dropstat.h: which kernel station drops packets right now, by reason, without
 * eBPF. The model that collect.c fills (skb:kfree_skb sampled through perf into
 * a ledger by reason and location; the counters that hold drops with no
 * tracepoint), the pure evaluator (eval.c: stations, rates, the verdict) and the
 * renderers (render.c: text, JSON, Prometheus).
 *
 * Why sampling and not one counting event per reason: a counting event with a
 * filter ("reason == N") costs a filter evaluation on every drop, for every
 * reason's event on that CPU. With the 127 reasons of 6.18 that was 3.5 us of
 * kernel time per drop (one counting event without a filter: 0.2 us; sampling
 * into a ring: 0.6 to 1.0 us, and about 70 ns of our own per drop to read it
 * back, tests/bench/dropstat.sh).
 * Sampling also yields the location (so the station), and the pid and context
 * that tie a drop to a namespace. See README and dropstat(8).
 */
#ifndef DROPSTAT_H
#define DROPSTAT_H

#include <net/if.h>
#include <stdio.h>
#include <sys/types.h>

#include "cli.h"
#include "kallsyms.h"
#include "nl.h"
#include "perfring.h"
#include "tracefs.h"

struct ds_opts {
	struct pp_cli cli;
	double interval;		/* seconds per sample (default 1) */
	uint64_t count;			/* samples; 0: until interrupted */
	double threshold;		/* problem: drops/s here (not benign) above this (default 0: any) */
	unsigned top;			/* text: at most this many reason rows (0: all) */
	bool all;			/* text: also counters and reasons that did not move */
	bool no_tracepoint;		/* counters only */
};

int ds_args(int argc, char *argv[], struct ds_opts *o);

/* ---- the drop ledger (skb:kfree_skb) ---- */

/*
 * Whose a drop is. The tracepoint has no namespace, device or ifindex field
 * (its fields are skbaddr, location, rx_sk, protocol, reason), so only a drop in
 * process context tells: it ran in the syscall of the task it names, and that
 * task's network namespace is read from /proc/PID/ns/net. A drop in softirq,
 * hardirq or NMI context, or by a kernel thread, names whoever happened to run.
 */
enum ds_attr { DS_A_HERE, DS_A_UNATTR, DS_A_OTHER, DS_A_N };

/* One (reason, location) seen. */
struct ds_loc {
	uint64_t location;		/* 0: empty slot */
	uint32_t reason;
	bool resolved;			/* symbol looked up */
	char symbol[64];		/* "" when kallsyms hides it */
	uint64_t n[DS_A_N];		/* this interval */
	uint64_t total[DS_A_N];		/* since the start of the run */
};

#define DS_LOC_BITS	12		/* 4096 (reason, location) pairs; more are counted under location 1 */

struct ds_pidns {
	pid_t pid;
	int attr;			/* enum ds_attr for a process-context drop of this pid */
	bool checked;			/* /proc looked at (kernel thread or not) */
	bool from_record;		/* attr from a PERF_RECORD_NAMESPACES (fork, unshare, setns) */
	uint64_t time;			/* of that record */
};
#define DS_PID_SLOTS	1024

struct ds_ledger {
	int status;			/* 0 ok, else -errno why it could not run */
	char needs[160];		/* what it needs, when it could not run */
	char tracefs[128];
	struct pp_tp_format *fmt;	/* skb:kfree_skb */
	struct pp_kallsyms ks;
	bool have_syms;
	unsigned ncpus;
	int *fds;
	struct pp_perf_ring *rings;
	uint8_t *tmp;
	bool fmt_lost;			/* PERF_FORMAT_LOST (6.0+) */
	uint64_t lost_rec;		/* PERF_RECORD_LOST so far */
	uint64_t lost_fmt;		/* PERF_FORMAT_LOST so far (also counts while a ring stays full) */
	uint64_t lost_prev;		/* lost at the start of this interval */
	uint64_t lost;			/* this interval */
	uint64_t lost_total;
	uint64_t seen;			/* records decoded this interval */
	uint64_t bad;			/* records that did not decode */
	ino_t netns_ino;		/* ours */
	struct ds_pidns pids[DS_PID_SLOTS];
	struct ds_loc locs[1u << DS_LOC_BITS];
	size_t nlocs;
};

/* Open skb:kfree_skb sampling on every online CPU. Never fails the run: l->status and l->needs say what is missing. */
void ds_ledger_open(struct ds_ledger *l);
/* Wait up to timeout_ms for a ring a quarter full, then read every ring into the ledger. */
void ds_ledger_poll(struct ds_ledger *l, int timeout_ms);
/* End the interval: read what is left, the lost counts; resolve new locations' symbols. */
void ds_ledger_close_interval(struct ds_ledger *l);
/* Start the next interval (this interval's counts to zero); with all, the run's totals too. */
void ds_ledger_next(struct ds_ledger *l, bool all);
void ds_ledger_close(struct ds_ledger *l);
/* A PERF_RECORD_NAMESPACES: tid's namespace from now on (ours or another). */
int ds_ledger_ns(const struct pp_perf_ns *ns, void *ledger);
/*
 * Count one raw kfree_skb record with the given pid into the ledger (pure but
 * for the /proc/PID/ns/net look-up a process-context drop needs; attr_of may
 * replace it in tests). Returns 0 or -EBADMSG.
 */
int ds_ledger_count(struct ds_ledger *l, const void *raw, size_t len, uint32_t pid,
		    int (*attr_of)(struct ds_ledger *l, pid_t pid));

/* ---- the counters with no tracepoint ---- */

enum ds_counter {
	DS_C_RX_MISSED,			/* link stats64 rx_missed_errors, every device of the namespace */
	DS_C_RX_FIFO,			/* rx_fifo_errors */
	DS_C_TX_FIFO,			/* tx_fifo_errors */
	DS_C_QDISC_DROPS,		/* root qdiscs' drops */
	DS_C_SOFTNET_DROPPED,		/* /proc/net/softnet_stat: backlog full (the host's, every CPU) */
	DS_C_SOFTNET_SQUEEZE,		/* time_squeeze: not a drop, the budget ran out with work left */
	DS_C_CT_DROP,			/* conntrack per-CPU stats */
	DS_C_CT_EARLY_DROP,
	DS_C_CT_INSERT_FAILED,
	DS_C_LISTEN_OVERFLOWS,		/* TcpExtListenOverflows */
	DS_C_LISTEN_DROPS,		/* TcpExtListenDrops */
	DS_C_UDP_RCVBUF,		/* UdpRcvbufErrors */
	DS_C_UDP6_RCVBUF,		/* Udp6RcvbufErrors */
	DS_C_N
};

struct ds_counter_desc {
	const char *key;		/* JSON and Prometheus label: "rx_missed" */
	const char *station;		/* the station it belongs to */
	const char *source;		/* where it is read */
	bool host_wide;			/* the host's, whatever namespace reads it */
	bool is_drop;			/* counts dropped packets (time_squeeze does not) */
};
extern const struct ds_counter_desc ds_counters[DS_C_N];

/* One device's share of the link and qdisc counters. */
struct ds_devctr {
	int ifindex;
	char name[IF_NAMESIZE];
	bool has_qdisc;
	uint64_t v[DS_C_QDISC_DROPS + 1];	/* RX_MISSED .. QDISC_DROPS */
};

struct ds_counters {
	double mono;
	bool have[DS_C_N];
	uint64_t v[DS_C_N];
	char needs[DS_C_N][96];		/* why a counter is missing, "" when it is there */
	struct ds_devctr *dev;
	size_t ndev;
};

struct ds_collector {
	struct pp_nl rt;		/* NETLINK_ROUTE: links, qdiscs */
	struct pp_nl nf;		/* NETLINK_NETFILTER: conntrack statistics */
	int rt_rc, nf_rc;		/* 0 open, else -errno */
};
void ds_collector_open(struct ds_collector *c);
void ds_collector_close(struct ds_collector *c);
/* Read every counter it can into s (zeroed first); what it cannot is marked in s->needs. */
void ds_collect_counters(struct ds_collector *c, struct ds_counters *s);
void ds_counters_free(struct ds_counters *s);

/* ---- evaluation (eval.c; pure) ---- */

/* One row of the ledger: a reason at a station (a reason can drop at more than one). */
struct ds_row {
	uint32_t reason;
	const char *reason_name;	/* the kernel's name, or "UNNAMED_<n>" in name_buf */
	char name_buf[24];
	const char *station;		/* a pathcheck station, or "unmapped" */
	bool benign;			/* a drop a healthy host shows all the time */
	uint64_t n[DS_A_N], total[DS_A_N];
	double rate;			/* (here + not attributable) per second */
	const struct ds_loc *top_loc;	/* where most of this interval's drops were */
	unsigned nlocs;
};

struct ds_station_row {
	const char *station;
	uint64_t n, total;		/* here + not attributable, benign left out */
	double rate;
};

struct ds_ctr_row {
	enum ds_counter c;
	bool have;
	uint64_t delta, value;
	double rate;
};

#define DS_MAX_STATIONS 32

struct ds_eval {
	double dt;
	struct ds_row *rows;
	size_t nrows;
	struct ds_station_row stations[DS_MAX_STATIONS];
	size_t nstations;
	struct ds_ctr_row ctr[DS_C_N];
	uint64_t here, unattr, other;	/* this interval, benign included */
	uint64_t worrying;		/* here + not attributable, benign left out */
	double worrying_rate;
	bool problem;			/* worrying_rate or a drop counter's rate above the threshold */
	bool ledger_unknown;
	unsigned counters_unknown;
};

/* The station and benign flag of a drop: the one place dropstat asks pathcheck's mapping. */
const char *ds_station(const char *reason_name, const char *symbol, bool *benign);
/*
 * The ledger (NULL when it could not run) and the counters at the start and end
 * of the interval into ev. Returns 0 or -ENOMEM.
 */
int ds_evaluate(const struct ds_ledger *l, const struct ds_counters *prev,
		const struct ds_counters *cur, double threshold, struct ds_eval *ev);
void ds_eval_free(struct ds_eval *ev);

/* ---- rendering (render.c) ---- */

struct ds_render_ctx {
	const struct ds_opts *o;
	unsigned index;			/* sample number, from 1 */
	double wall;			/* CLOCK_REALTIME at the end of the sample */
	double run_seconds;		/* since the run started watching */
};

void ds_render_text(FILE *f, const struct ds_render_ctx *rc, const struct ds_ledger *l,
		    const struct ds_counters *cur, const struct ds_eval *ev);
void ds_render_json(FILE *f, const struct ds_render_ctx *rc, const struct ds_ledger *l,
		    const struct ds_counters *cur, const struct ds_eval *ev);
/* ev NULL: a failed run (only last_run and run_success 0). */
void ds_render_prom(FILE *f, const struct ds_render_ctx *rc, const struct ds_ledger *l,
		    const struct ds_counters *cur, const struct ds_eval *ev, bool success);

/* nagios.c: the --nagios line of one interval on stdout; returns its state (the exit code). */
int ds_render_nagios(const struct ds_opts *o, const struct ds_eval *ev);

#endif
