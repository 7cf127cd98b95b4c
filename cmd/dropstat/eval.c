/*
 * eval.c: the ledger and the counters into rows by reason and station, rates
 * over the interval, and the verdict. Pure: no I/O.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "../pathcheck/dropmap.h"
#include "dropstat.h"
#include "sample.h"

/*
 * pathcheck's own mapping from a drop (reason, location) to its station, linked
 * in from cmd/pathcheck/dropmap.c, so both tools name a drop's station alike.
 * A drop the mapping does not know is "unmapped", never guessed.
 */
const char *
ds_station(const char *reason_name, const char *symbol, bool *benign)
{
	const char *st = pp_drop_station(reason_name, symbol);

	*benign = pp_drop_benign(reason_name, symbol);
	return st ? st : "unmapped";
}

static int
row_cmp(const void *a, const void *b)
{
	const struct ds_row *x = a, *y = b;
	uint64_t nx = x->n[DS_A_HERE] + x->n[DS_A_UNATTR], ny = y->n[DS_A_HERE] + y->n[DS_A_UNATTR];
	uint64_t tx = x->total[DS_A_HERE] + x->total[DS_A_UNATTR], ty = y->total[DS_A_HERE] + y->total[DS_A_UNATTR];
	int c;

	if (nx != ny)
		return nx > ny ? -1 : 1;
	if (tx != ty)
		return tx > ty ? -1 : 1;
	if ((c = strcmp(x->reason_name, y->reason_name)) != 0)
		return c;
	return strcmp(x->station, y->station);
}

static int
station_cmp(const void *a, const void *b)
{
	const struct ds_station_row *x = a, *y = b;

	if (x->n != y->n)
		return x->n > y->n ? -1 : 1;
	if (x->total != y->total)
		return x->total > y->total ? -1 : 1;
	return strcmp(x->station, y->station);
}

static int
add_loc(const struct ds_ledger *l, const struct ds_loc *s, struct ds_eval *ev, size_t *cap)
{
	const char *name = pp_tp_reason_name(l->fmt, s->reason);
	char buf[24];
	const char *st;
	struct ds_row *r = NULL;
	bool benign;

	if (!name) {
		snprintf(buf, sizeof(buf), "UNNAMED_%u", s->reason);
		name = buf;
	}
	st = ds_station(name, s->symbol, &benign);
	for (size_t i = 0; i < ev->nrows; i++)
		if (ev->rows[i].reason == s->reason && strcmp(ev->rows[i].station, st) == 0) {
			r = &ev->rows[i];
			break;
		}
	if (!r) {
		if (ev->nrows == *cap) {
			size_t nc = *cap ? *cap * 2 : 32;
			struct ds_row *nr = realloc(ev->rows, nc * sizeof(*nr));

			if (!nr)
				return -ENOMEM;
			ev->rows = nr;
			*cap = nc;
		}
		r = &ev->rows[ev->nrows++];
		memset(r, 0, sizeof(*r));
		r->reason = s->reason;
		r->station = st;
		if (name == buf)	/* reason_name is pointed at name_buf once the rows stop moving */
			snprintf(r->name_buf, sizeof(r->name_buf), "%s", buf);
		r->reason_name = name == buf ? "" : name;
	}
	/* benign when every location of the row is: one that is not makes the row worth a look */
	r->benign = r->nlocs == 0 ? benign : r->benign && benign;
	r->nlocs++;
	for (int a = 0; a < DS_A_N; a++) {
		r->n[a] += s->n[a];
		r->total[a] += s->total[a];
	}
	if (!r->top_loc || s->n[DS_A_HERE] + s->n[DS_A_UNATTR] >
			   r->top_loc->n[DS_A_HERE] + r->top_loc->n[DS_A_UNATTR])
		r->top_loc = s;
	return 0;
}

int
ds_evaluate(const struct ds_ledger *l, const struct ds_counters *prev,
	    const struct ds_counters *cur, double threshold, struct ds_eval *ev)
{
	size_t cap = 0;

	memset(ev, 0, sizeof(*ev));
	ev->dt = cur->mono - prev->mono;
	ev->ledger_unknown = !l || l->status < 0 || !l->fmt;
	if (!ev->ledger_unknown) {
		for (size_t i = 0; i < ((size_t)1 << DS_LOC_BITS); i++) {
			const struct ds_loc *s = &l->locs[i];

			if (!s->location)
				continue;
			if (add_loc(l, s, ev, &cap) < 0) {
				ds_eval_free(ev);
				return -ENOMEM;
			}
		}
		for (size_t i = 0; i < ev->nrows; i++)
			if (ev->rows[i].name_buf[0])
				ev->rows[i].reason_name = ev->rows[i].name_buf;
		for (size_t i = 0; i < ev->nrows; i++) {
			/* top_loc points into the ledger, which outlives ev */
			struct ds_row *r = &ev->rows[i];
			uint64_t worry = r->n[DS_A_HERE] + r->n[DS_A_UNATTR];
			struct ds_station_row *st = NULL;

			r->rate = pp_rate(worry, ev->dt);
			ev->here += r->n[DS_A_HERE];
			ev->unattr += r->n[DS_A_UNATTR];
			ev->other += r->n[DS_A_OTHER];
			if (r->benign)
				continue;
			ev->worrying += worry;
			for (size_t j = 0; j < ev->nstations; j++)
				if (strcmp(ev->stations[j].station, r->station) == 0)
					st = &ev->stations[j];
			if (!st && ev->nstations < DS_MAX_STATIONS) {
				st = &ev->stations[ev->nstations++];
				st->station = r->station;
			}
			if (st) {
				st->n += worry;
				st->total += r->total[DS_A_HERE] + r->total[DS_A_UNATTR];
			}
		}
		for (size_t j = 0; j < ev->nstations; j++)
			ev->stations[j].rate = pp_rate(ev->stations[j].n, ev->dt);
		if (ev->nrows > 1)
			qsort(ev->rows, ev->nrows, sizeof(*ev->rows), row_cmp);
		for (size_t i = 0; i < ev->nrows; i++)
			if (ev->rows[i].name_buf[0])
				ev->rows[i].reason_name = ev->rows[i].name_buf;
		if (ev->nstations > 1)
			qsort(ev->stations, ev->nstations, sizeof(*ev->stations), station_cmp);
		ev->worrying_rate = pp_rate(ev->worrying, ev->dt);
		if (ev->worrying > 0 && ev->worrying_rate > threshold)
			ev->problem = true;
	}
	for (int k = 0; k < DS_C_N; k++) {
		struct ds_ctr_row *c = &ev->ctr[k];

		c->c = (enum ds_counter)k;
		c->have = prev->have[k] && cur->have[k];
		if (!cur->have[k]) {
			ev->counters_unknown++;
			continue;
		}
		c->value = cur->v[k];
		if (!c->have)
			continue;
		c->delta = pp_delta64(prev->v[k], cur->v[k]);
		c->rate = pp_rate(c->delta, ev->dt);
		if (ds_counters[k].is_drop && c->delta > 0 && c->rate > threshold)
			ev->problem = true;
	}
	return 0;
}

void
ds_eval_free(struct ds_eval *ev)
{
	free(ev->rows);
	ev->rows = NULL;
	ev->nrows = 0;
}
