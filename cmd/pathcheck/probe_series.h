/*
 * probe_series.h: --count N. Every probe of the series is recorded and judged on its
 * own (probe_judge.c); this is the pure arithmetic over their judgements: sent,
 * answered, loss, RTT quantiles, the pattern of the losses, and the series' status.
 */
#ifndef PC_PROBE_SERIES_H
#define PC_PROBE_SERIES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "probe_judge.h"

/* One probe of a series, as its own record judged it. */
struct pc_series_probe {
	int outcome;			/* enum pc_probe_outcome */
	int err;
	double t0;			/* CLOCK_MONOTONIC seconds when it was sent */
	double rtt;			/* seconds from t0 to the deciding event (its record's own times) */
	double t_decided;		/* seconds after t0 of the decisive answer */
	bool decisive;
	bool disagree;			/* the wire and the socket disagreed */
	unsigned wire_out, wire_in;	/* its own packets on the wire */
};

/* A kernel drop seen while the series ran: when (CLOCK_MONOTONIC s), and its entry in pc_probe.drops. */
struct pc_series_drop {
	double t;
	unsigned idx;
	bool device;			/* tied to the flow by device and time only (not in our own send) */
};

#define PC_SERIES_DROPS_MAX 4096

struct pc_series {
	uint32_t count;			/* asked for */
	double interval;
	size_t n;			/* sent */
	struct pc_series_probe *p;	/* count entries, n used */
	size_t rep;			/* the probe the stations are judged by: the first answered, else the first */
	bool stopped;			/* a signal ended the series early */
	struct pc_series_drop *drops;	/* PC_SERIES_DROPS_MAX entries */
	size_t ndrops;
	unsigned drops_unrecorded;	/* drops past PC_SERIES_DROPS_MAX: their times are not known */
	struct pc_obs last;		/* the record of the probe in flight (the last one, at the end) */
};

enum pc_series_status {
	PC_SERIES_EMPTY = 0,		/* nothing was sent (stopped first) */
	PC_SERIES_ALL,			/* every probe answered */
	PC_SERIES_NONE,			/* none answered */
	PC_SERIES_FLAKY,		/* some but not all answered */
};

enum pc_series_pattern {
	PC_PAT_NONE = 0,		/* nothing lost, or everything */
	PC_PAT_EVERY_OTHER,		/* lost: every second probe */
	PC_PAT_PERIODIC,		/* lost: every period-th probe */
	PC_PAT_BURST_START,		/* lost: probes 1 to burst_last, the rest answered */
	PC_PAT_BURST_END,		/* lost: burst_first to the last */
	PC_PAT_BURST,			/* lost: one run burst_first to burst_last in the middle */
	PC_PAT_SCATTERED,		/* none of those */
};

#define PC_OUTCOMES 7			/* enum pc_probe_outcome's values, PC_PR_NONE to PC_PR_SILENCE */

struct pc_series_stats {
	size_t sent, answered;
	double loss_percent;		/* 100 * (sent - answered) / sent */
	bool has_rtt;			/* some probe answered */
	double rtt_min, rtt_p50, rtt_p90, rtt_max, rtt_sum;	/* seconds, answered probes only */
	unsigned by_outcome[PC_OUTCOMES];
	unsigned kinds;			/* how many different outcomes */
	enum pc_series_status status;
	enum pc_series_pattern pattern;
	size_t period;			/* EVERY_OTHER (2), PERIODIC */
	size_t burst_first, burst_last;	/* BURST*: 1-based probe numbers */
};

/* Answered: its success has its evidence (connected, or our reply received). */
bool pc_series_answered(int outcome);
/* The q-quantile (0..1) of n sorted values, by nearest rank; n > 0. */
double pc_quantile(const double *sorted, size_t n, double q);
/* Everything over p[0..n-1]. */
void pc_series_stats(const struct pc_series_probe *p, size_t n, struct pc_series_stats *st);
/* "every_other", "periodic", "burst_start", "burst_end", "burst", "scattered", or NULL. */
const char *pc_series_pattern_id(enum pc_series_pattern p);
/* "every other one", "a burst at the start (probes 1-3)", ...; "" for none. */
void pc_series_pattern_words(const struct pc_series_stats *st, char *buf, size_t len);
/* As ping's summary: "100 sent, 90 answered, 10% loss, rtt min/p50/p90/max 0.101/0.2/0.3/0.9 ms". */
void pc_series_line(const struct pc_series_stats *st, char *buf, size_t len);
/* "90 connected, 5 refused, 5 silence": the outcomes counted, in enum order. */
void pc_series_outcome_counts(const struct pc_series_stats *st, char *buf, size_t len);
/* One letter per probe, in order: ! answered, R refused, U ICMP error, E failed on this host, . silence. */
void pc_series_sequence(const struct pc_series_probe *p, size_t n, char *buf, size_t len);
/* The outcome's name as JSON says it ("connected", "silence", ...). */
const char *pc_outcome_name(int outcome);
/*
 * A drop at t (CLOCK_MONOTONIC s) cannot count against the series: the probe in flight
 * then (the last one sent at or before t) was answered (as one answered probe, it got
 * through whatever else was dropped), or the drop followed its decisive answer (a RST,
 * an ICMP error). A drop before the first probe counts, as it does for one probe.
 */
bool pc_series_drop_ignored(const struct pc_series_probe *p, size_t n, double t);
/*
 * A drop tied to the flow by device and time only (station: pc_drop_station()'s, for an
 * egress probe) counts against the probe in flight at t only where that probe's own
 * record puts the loss: at a station on the way out when the capture (wire: it ran)
 * never saw the probe leave, at one on the way back when its answer was seen arriving
 * and never reached the socket. A series watches for seconds, and device names repeat
 * in every namespace: a drop elsewhere must not be taken for the flow's.
 */
bool pc_series_drop_corroborated(const struct pc_series_probe *p, size_t n, double t, int station, bool wire);

#endif
