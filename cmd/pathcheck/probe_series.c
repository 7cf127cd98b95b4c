/*
 * probe_series.c: the arithmetic of a --count series, pure. A probe is answered
 * only when its own judgement says so (connected, or our reply received: the
 * success's evidence was in its record); everything else is lost, whatever it was.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pathcheck.h"
#include "probe_series.h"

bool
pc_series_answered(int outcome)
{
	return outcome == PC_PR_CONNECTED || outcome == PC_PR_REPLY;
}

const char *
pc_outcome_name(int o)
{
	switch (o) {
	case PC_PR_CONNECTED: return "connected";
	case PC_PR_REPLY: return "reply";
	case PC_PR_REFUSED: return "refused";
	case PC_PR_ICMP: return "icmp_error";
	case PC_PR_SENDERR: return "send_error";
	case PC_PR_SILENCE: return "silence";
	default: return "none";
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double
pc_quantile(const double *sorted, size_t n, double q)
{
	/* Nearest rank: the smallest value with at least q of the values at or below it. */
	double r = q * (double)n;
	size_t k = r <= 0 ? 0 : (size_t)r;

	if ((double)k < r)
		k++;
	if (k < 1)
		k = 1;

	if (k > n)
		k = n;
	return sorted[k - 1];
}

/* The lost probes are one run from first to last (0-based)? */
static bool
one_run(const bool *lost, size_t n, size_t *first, size_t *last)
{
	size_t i = 0;

	while (i < n && !lost[i])
		i++;
	if (i == n)
		return false;
	*first = i;
	while (i < n && lost[i])
		i++;
	*last = i - 1;
	while (i < n && !lost[i])
		i++;
	return i == n;
}

/* Lost exactly when i % k == r, for some k from 2 to n/2 (so it shows at least twice)? */
static size_t
period_of(const bool *lost, size_t n)
{
	for (size_t k = 2; k <= n / 2; k++) {
		size_t r = 0;
		bool match = true;

		while (r < k && !lost[r])
			r++;
		if (r == k)
			continue;	/* nothing lost in the first period: not this one */
		for (size_t i = 0; i < n && match; i++)
			match = lost[i] == (i % k == r);
		if (match)
			return k;
	}
	return 0;
}

void
pc_series_stats(const struct pc_series_probe *p, size_t n, struct pc_series_stats *st)
{
	double *rtt = n ? malloc(n * sizeof(*rtt)) : NULL;
	bool *lost = n ? malloc(n * sizeof(*lost)) : NULL;
	size_t first = 0, last = 0;

	memset(st, 0, sizeof(*st));
	st->sent = n;
	for (size_t i = 0; i < n; i++) {
		bool ok = pc_series_answered(p[i].outcome);

		if (p[i].outcome >= 0 && p[i].outcome < PC_OUTCOMES && st->by_outcome[p[i].outcome]++ == 0)
			st->kinds++;
		if (lost)
			lost[i] = !ok;
		if (ok) {
			if (rtt)
				rtt[st->answered] = p[i].rtt;
			st->rtt_sum += p[i].rtt;
			st->answered++;
		}
	}
	if (n == 0) {
		st->status = PC_SERIES_EMPTY;
		goto out;
	}
	st->loss_percent = 100.0 * (double)(n - st->answered) / (double)n;
	st->status = st->answered == n ? PC_SERIES_ALL : st->answered == 0 ? PC_SERIES_NONE : PC_SERIES_FLAKY;
	if (st->answered && rtt) {
		qsort(rtt, st->answered, sizeof(*rtt), cmp_double);
		st->has_rtt = true;
		st->rtt_min = rtt[0];
		st->rtt_max = rtt[st->answered - 1];
		st->rtt_p50 = pc_quantile(rtt, st->answered, 0.5);
		st->rtt_p90 = pc_quantile(rtt, st->answered, 0.9);
	}
	if (st->status != PC_SERIES_FLAKY || !lost)
		goto out;
	if (one_run(lost, n, &first, &last)) {
		st->burst_first = first + 1;
		st->burst_last = last + 1;
		st->pattern = first == 0 ? PC_PAT_BURST_START : last == n - 1 ? PC_PAT_BURST_END : PC_PAT_BURST;
	} else if ((st->period = period_of(lost, n))) {
		st->pattern = st->period == 2 ? PC_PAT_EVERY_OTHER : PC_PAT_PERIODIC;
	} else {
		st->pattern = PC_PAT_SCATTERED;
	}
out:
	free(rtt);
	free(lost);
}

const char *
pc_series_pattern_id(enum pc_series_pattern p)
{
	switch (p) {
	case PC_PAT_EVERY_OTHER: return "every_other";
	case PC_PAT_PERIODIC: return "periodic";
	case PC_PAT_BURST_START: return "burst_start";
	case PC_PAT_BURST_END: return "burst_end";
	case PC_PAT_BURST: return "burst";
	case PC_PAT_SCATTERED: return "scattered";
	default: return NULL;
	}
}

static const char *
ordinal_suffix(size_t k)
{
	if (k % 100 >= 11 && k % 100 <= 13)
		return "th";
	return k % 10 == 1 ? "st" : k % 10 == 2 ? "nd" : k % 10 == 3 ? "rd" : "th";
}

/* "probe 3" or "probes 1-3". */
static void
span(size_t a, size_t b, char *buf, size_t len)
{
	if (a == b)
		snprintf(buf, len, "probe %zu", a);
	else
		snprintf(buf, len, "probes %zu-%zu", a, b);
}

void
pc_series_pattern_words(const struct pc_series_stats *st, char *buf, size_t len)
{
	char s[64];

	span(st->burst_first, st->burst_last, s, sizeof(s));
	switch (st->pattern) {
	case PC_PAT_EVERY_OTHER:
		snprintf(buf, len, "every other one lost");
		break;
	case PC_PAT_PERIODIC:
		snprintf(buf, len, "every %zu%s one lost", st->period, ordinal_suffix(st->period));
		break;
	case PC_PAT_BURST_START:
		snprintf(buf, len, "a burst at the start (%s)", s);
		break;
	case PC_PAT_BURST_END:
		snprintf(buf, len, "a burst at the end (%s)", s);
		break;
	case PC_PAT_BURST:
		snprintf(buf, len, "%s (%s)", st->burst_first == st->burst_last ? "one lost" : "one burst", s);
		break;
	case PC_PAT_SCATTERED:
		snprintf(buf, len, "scattered");
		break;
	default:
		if (len)
			buf[0] = '\0';
	}
}

void
pc_series_line(const struct pc_series_stats *st, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%zu sent, %zu answered, %.4g%% loss", st->sent, st->answered,
				    st->loss_percent);

	if (st->has_rtt && n < len)
		snprintf(buf + n, len - n, ", rtt min/p50/p90/max %.3f/%.3f/%.3f/%.3f ms", st->rtt_min * 1e3,
			 st->rtt_p50 * 1e3, st->rtt_p90 * 1e3, st->rtt_max * 1e3);
}

void
pc_series_outcome_counts(const struct pc_series_stats *st, char *buf, size_t len)
{
	size_t n = 0;

	if (len)
		buf[0] = '\0';
	for (int o = 0; o < PC_OUTCOMES && n < len; o++)
		if (st->by_outcome[o])
			n += (size_t)snprintf(buf + n, len - n, "%s%u %s", n ? ", " : "", st->by_outcome[o],
					      pc_outcome_name(o));
}

void
pc_series_sequence(const struct pc_series_probe *p, size_t n, char *buf, size_t len)
{
	size_t i;

	if (!len)
		return;
	for (i = 0; i < n && i + 1 < len; i++) {
		switch (p[i].outcome) {
		case PC_PR_CONNECTED:
		case PC_PR_REPLY: buf[i] = '!'; break;
		case PC_PR_REFUSED: buf[i] = 'R'; break;
		case PC_PR_ICMP: buf[i] = 'U'; break;
		case PC_PR_SENDERR: buf[i] = 'E'; break;
		case PC_PR_SILENCE: buf[i] = '.'; break;
		default: buf[i] = '?'; break;
		}
	}
	buf[i] = '\0';
}

bool
pc_series_drop_ignored(const struct pc_series_probe *p, size_t n, double t)
{
	size_t k = n;

	/* The probe in flight at t: the last one sent at or before it. */
	while (k > 0 && p[k - 1].t0 > t)
		k--;
	if (k == 0)
		return false;
	if (pc_series_answered(p[k - 1].outcome))
		return true;
	return p[k - 1].decisive && t - p[k - 1].t0 > p[k - 1].t_decided;
}

/* The probe in flight at t (the last one sent at or before it), or NULL. */
static const struct pc_series_probe *
in_flight(const struct pc_series_probe *p, size_t n, double t)
{
	size_t k = n;

	while (k > 0 && p[k - 1].t0 > t)
		k--;
	return k ? &p[k - 1] : NULL;
}

bool
pc_series_drop_corroborated(const struct pc_series_probe *p, size_t n, double t, int station, bool wire)
{
	const struct pc_series_probe *e = in_flight(p, n, t);
	bool out, back;

	if (!e || !wire)
		return false;
	out = e->wire_out == 0;					/* it never left */
	back = e->wire_in > 0 && !pc_series_answered(e->outcome);	/* its answer came and died inside */
	switch (station) {
	case PC_OUTPUT: case PC_POSTROUTING: case PC_NEIGHBOUR: case PC_TC_EGRESS: case PC_QDISC:
	case PC_EGRESS_DEVICE: case PC_PMTU: case PC_FORWARD_ST:
		return out;
	case PC_INGRESS_DEVICE: case PC_TC_INGRESS: case PC_PREROUTING: case PC_ROUTE: case PC_INPUT:
	case PC_SOCKET:
		return back;
	default:	/* a netfilter hook not known, conntrack: either way */
		return out || back;
	}
}
