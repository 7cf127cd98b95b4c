/*
 * eval.c: rates and findings from two samples. Pure: no I/O, so the unit tests
 * feed it built samples.
 *
 * Counters are matched by (ifindex, class or qdisc, handle, parent, kind). The
 * 32-bit queue counters (drops, overlimits, requeues) wrap modulo 2^32; a byte
 * counter that went down means the qdisc was replaced in place, and then every
 * counter of it counts from zero.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pkt_sched.h>

#include "mem.h"
#include "qs.h"
#include "sample.h"

const char *
qs_ftype_name(enum qs_ftype t)
{
	switch (t) {
	case QS_F_DROPS: return "drops";
	case QS_F_BACKLOG: return "standing_backlog";
	case QS_F_REQUEUES: return "requeues";
	case QS_F_DEFAULT_QDISC: return "default_qdisc";
	}
	return "unknown";
}

const char *
qs_level_name(enum qs_level l)
{
	switch (l) {
	case QS_L_INFO: return "info";
	case QS_L_NOTICE: return "notice";
	case QS_L_PROBLEM: return "problem";
	}
	return "unknown";
}

/* ---- matching the previous sample ---- */

struct qs_map {
	const struct qs_obj **slot;
	size_t mask;
};

static uint64_t
obj_hash(const struct qs_obj *o)
{
	uint64_t h = (uint64_t)(uint32_t)o->ifindex * 0x9E3779B97F4A7C15ULL;

	h ^= ((uint64_t)o->handle << 1 | o->is_class) * 0xC2B2AE3D27D4EB4FULL;
	h ^= (uint64_t)o->parent * 0x165667B19E3779F9ULL;
	return h ^ (h >> 29);
}

static bool
obj_same(const struct qs_obj *a, const struct qs_obj *b)
{
	return a->ifindex == b->ifindex && a->is_class == b->is_class && a->handle == b->handle &&
	       a->parent == b->parent && strcmp(a->kind, b->kind) == 0;
}

static int
map_build(struct qs_map *m, const struct qs_sample *s)
{
	size_t sz = 16;

	while (sz < s->n * 2)
		sz *= 2;
	m->slot = calloc(sz, sizeof(*m->slot));
	if (!m->slot)
		return -ENOMEM;
	pp_mem_prefault(m->slot, sz * sizeof(*m->slot));
	m->mask = sz - 1;
	for (size_t i = 0; i < s->n; i++) {
		size_t k = obj_hash(&s->obj[i]) & m->mask;

		while (m->slot[k])
			k = (k + 1) & m->mask;
		m->slot[k] = &s->obj[i];
	}
	return 0;
}

static const struct qs_obj *
map_find(const struct qs_map *m, const struct qs_obj *o)
{
	size_t k = obj_hash(o) & m->mask;

	for (; m->slot[k]; k = (k + 1) & m->mask)
		if (obj_same(m->slot[k], o))
			return m->slot[k];
	return NULL;
}

static const struct qs_dev *
dev_find(const struct qs_sample *s, int ifindex)
{
	for (size_t i = 0; i < s->ndev; i++)
		if (s->dev[i].ifindex == ifindex)
			return &s->dev[i];
	return NULL;
}

/* ---- findings ---- */

static struct qs_finding *
finding(struct qs_eval *ev, enum qs_ftype t, enum qs_level l, size_t row)
{
	struct qs_finding *f;

	if (ev->nf == ev->fcap) {
		size_t nc = ev->fcap ? ev->fcap * 2 : 16;
		struct qs_finding *nf = realloc(ev->f, nc * sizeof(*nf));

		if (!nf)
			return NULL;
		ev->f = nf;
		ev->fcap = nc;
	}
	f = &ev->f[ev->nf++];
	memset(f, 0, sizeof(*f));
	f->type = t;
	f->level = l;
	f->row = row;
	if (l == QS_L_PROBLEM)
		ev->problems++;
	else if (l == QS_L_NOTICE)
		ev->notices++;
	return f;
}

/*
 * "qa0 tbf 1: (parent root)" for a summary, written on first use: most rows
 * have no finding, and at 12,000 objects the snprintf()s showed in profiles.
 */
static const char *
who(const struct qs_row *r, char *buf, size_t len)
{
	char h[24], p[24];

	if (buf[0])
		return buf;
	qs_handle_str(r->o->handle, h, sizeof(h));
	qs_handle_str(r->o->parent, p, sizeof(p));
	snprintf(buf, len, "%s %s %s %s (parent %s)", r->dev ? r->dev->name : "?", r->o->kind,
		 r->o->is_class ? "class" : "qdisc", h, p);
	return buf;
}

static bool
kind_selected(const char *const *kinds, const char *kind)
{
	if (!kinds)
		return true;
	for (; *kinds; kinds++)
		if (strcmp(*kinds, kind) == 0)
			return true;
	return false;
}

const char *
qs_handle_str(uint32_t h, char *buf, size_t len)
{
	/* As tc writes and takes them: "0:" (not "none"), "ffff:fff1" (not "ingress"); root stays a word. */
	if (h == TC_H_ROOT)
		snprintf(buf, len, "root");
	else if (TC_H_MIN(h))
		snprintf(buf, len, "%x:%x", TC_H_MAJ(h) >> 16, TC_H_MIN(h));
	else
		snprintf(buf, len, "%x:", TC_H_MAJ(h) >> 16);
	return buf;
}

const char *
qs_kind_unmatched(const struct qs_sample *s, const char *const *kinds)
{
	if (!kinds)
		return NULL;
	for (; *kinds; kinds++) {
		size_t i;

		for (i = 0; i < s->n; i++)
			if (strcmp(s->obj[i].kind, *kinds) == 0)
				break;
		if (i == s->n)
			return *kinds;
	}
	return NULL;
}

/* The root is a default that does no queue management (pfifo_fast, noqueue, or mq of pfifo_fast). */
static bool
default_root(const struct qs_sample *s, const struct qs_dev *d, const struct qs_obj **root)
{
	const struct qs_obj *r = NULL;

	for (size_t k = d->first; k < d->first + d->nq; k++)
		if (s->obj[k].parent == TC_H_ROOT)
			r = &s->obj[k];
	if (!r)
		return false;
	*root = r;
	if (!strcmp(r->kind, "pfifo_fast") || !strcmp(r->kind, "noqueue"))
		return true;
	if (strcmp(r->kind, "mq") != 0)
		return false;
	for (size_t k = d->first; k < d->first + d->nq; k++) {
		const struct qs_obj *o = &s->obj[k];

		if (o != r && TC_H_MAJ(o->parent) == TC_H_MAJ(r->handle) &&
		    strcmp(o->kind, "pfifo_fast") != 0)
			return false;
	}
	return true;
}

static int
eval_row(struct qs_eval *ev, size_t i, const struct qs_thresholds *th)
{
	struct qs_row *r = &ev->rows[i];
	const struct qs_obj *o = r->o;
	struct qs_finding *f;
	char w[96] = "";

	if (!r->selected)
		return 0;
	if (ev->since_boot || !r->has_delta) {
		if (o->drops == 0)
			return 0;
		if (th->has_max_drops && o->drops > th->max_drops) {
			if (!(f = finding(ev, QS_F_DROPS, QS_L_PROBLEM, i)))
				return -ENOMEM;
			snprintf(f->summary, sizeof(f->summary),
				 "%s: %u drops since it was created, more than --max-drops %llu",
				 who(r, w, sizeof(w)), o->drops, (unsigned long long)th->max_drops);
		} else if (ev->since_boot) {
			if (!(f = finding(ev, QS_F_DROPS, QS_L_INFO, i)))
				return -ENOMEM;
			snprintf(f->summary, sizeof(f->summary),
				 "%s: %u drops since it was created (old drops: sample again with -i to see if they rise)",
				 who(r, w, sizeof(w)), o->drops);
		}
		return 0;
	}
	if (r->d_drops > 0 && r->drops_ps > th->drop_rate) {
		if (!(f = finding(ev, QS_F_DROPS, QS_L_PROBLEM, i)))
			return -ENOMEM;
		if (r->has_ratio)
			snprintf(f->summary, sizeof(f->summary),
				 "%s: %llu drops in %.1f s (%.1f/s), drop ratio %.1f%%",
				 who(r, w, sizeof(w)), (unsigned long long)r->d_drops, ev->dt, r->drops_ps,
				 r->drop_ratio * 100);
		else
			snprintf(f->summary, sizeof(f->summary), "%s: %llu drops in %.1f s (%.1f/s)",
				 who(r, w, sizeof(w)), (unsigned long long)r->d_drops, ev->dt, r->drops_ps);
	}
	if (r->standing) {
		if (!(f = finding(ev, QS_F_BACKLOG, QS_L_NOTICE, i)))
			return -ENOMEM;
		if (r->bps > 0)
			snprintf(f->summary, sizeof(f->summary),
				 "%s: standing queue of %u bytes (%u packets), about %.0f ms at the %.0f B/s it sends",
				 who(r, w, sizeof(w)), o->backlog, o->qlen,
				 (double)o->backlog / r->bps * 1000, r->bps);
		else
			snprintf(f->summary, sizeof(f->summary),
				 "%s: standing queue of %u bytes (%u packets) that did not drain",
				 who(r, w, sizeof(w)), o->backlog, o->qlen);
	}
	if (r->d_requeues > 0) {
		if (!(f = finding(ev, QS_F_REQUEUES, QS_L_NOTICE, i)))
			return -ENOMEM;
		snprintf(f->summary, sizeof(f->summary),
			 "%s: %llu requeues (%.1f/s): the driver pushed packets back (TX ring full or device busy)",
			 who(r, w, sizeof(w)), (unsigned long long)r->d_requeues, r->requeues_ps);
	}
	return 0;
}

static int
eval_default_qdisc(struct qs_eval *ev, const struct qs_sample *prev, const struct qs_sample *cur,
		   const struct qs_thresholds *th)
{
	for (size_t i = 0; i < cur->ndev; i++) {
		const struct qs_dev *d = &cur->dev[i], *pd;
		const struct qs_obj *root;
		struct qs_finding *f;
		double pps;

		if (!d->has_link || !d->physical || !default_root(cur, d, &root))
			continue;
		if (!(pd = dev_find(prev, d->ifindex)) || !pd->has_link)
			continue;
		pps = pp_rate(pp_delta64(pd->tx_packets, d->tx_packets), ev->dt);
		if (pps < th->busy_pps)
			continue;
		if (!(f = finding(ev, QS_F_DEFAULT_QDISC, QS_L_NOTICE, (size_t)(root - cur->obj))))
			return -ENOMEM;
		snprintf(f->summary, sizeof(f->summary),
			 "%s: busy physical device (%.0f packets/s sent) on the default %s root: no queue management, consider fq_codel or fq",
			 d->name, pps, root->kind);
	}
	return 0;
}

int
qs_evaluate(const struct qs_sample *prev, const struct qs_sample *cur,
	    const struct qs_thresholds *th, const char *const *kinds, struct qs_eval *ev)
{
	struct qs_map m = { 0 };
	int rc = 0;

	memset(ev, 0, sizeof(*ev));
	ev->since_boot = prev == NULL;
	ev->dt = prev ? cur->mono - prev->mono : 0;
	if (prev && ev->dt <= 0)
		ev->dt = 1e-6;
	ev->rows = calloc(cur->n ? cur->n : 1, sizeof(*ev->rows));
	if (!ev->rows)
		return -ENOMEM;
	pp_mem_prefault(ev->rows, cur->n * sizeof(*ev->rows));
	ev->nrows = cur->n;
	if (prev && map_build(&m, prev) < 0) {
		qs_eval_free(ev);
		return -ENOMEM;
	}
	for (size_t di = 0; di < cur->ndev; di++) {
		const struct qs_dev *d = &cur->dev[di];

		for (size_t i = d->first; i < d->first + d->n && i < cur->n; i++)
			ev->rows[i].dev = d;
	}
	for (size_t i = 0; i < cur->n; i++) {
		struct qs_row *r = &ev->rows[i];
		const struct qs_obj *o = &cur->obj[i], *p;

		r->o = o;
		r->selected = kind_selected(kinds, o->kind);
		if (r->selected) {
			if (o->is_class)
				ev->nclass++;
			else
				ev->nqdisc++;
		}
		if (!prev || !(p = map_find(&m, o)))
			continue;
		r->has_delta = true;
		if (o->bytes < p->bytes || o->packets < p->packets) {
			/* Replaced in place: everything counts from zero. */
			r->d_bytes = o->bytes;
			r->d_packets = o->packets;
			r->d_drops = o->drops;
			r->d_overlimits = o->overlimits;
			r->d_requeues = o->requeues;
		} else {
			r->d_bytes = o->bytes - p->bytes;
			r->d_packets = o->packets - p->packets;
			r->d_drops = pp_delta32(p->drops, o->drops);
			r->d_overlimits = pp_delta32(p->overlimits, o->overlimits);
			r->d_requeues = pp_delta32(p->requeues, o->requeues);
		}
		r->bps = pp_rate(r->d_bytes, ev->dt);
		r->pps = pp_rate(r->d_packets, ev->dt);
		r->drops_ps = pp_rate(r->d_drops, ev->dt);
		r->overlimits_ps = pp_rate(r->d_overlimits, ev->dt);
		r->requeues_ps = pp_rate(r->d_requeues, ev->dt);
		if (r->d_packets + r->d_drops > 0) {
			r->has_ratio = true;
			r->drop_ratio = (double)r->d_drops / (double)(r->d_packets + r->d_drops);
		}
		r->standing = (p->backlog > 0 || p->qlen > 0) && (o->backlog > 0 || o->qlen > 0);
	}
	for (size_t i = 0; i < cur->n && rc == 0; i++)
		rc = eval_row(ev, i, th);
	if (rc == 0 && prev)
		rc = eval_default_qdisc(ev, prev, cur, th);
	free(m.slot);
	if (rc < 0)
		qs_eval_free(ev);
	return rc;
}

void
qs_eval_free(struct qs_eval *ev)
{
	free(ev->rows);
	free(ev->f);
	memset(ev, 0, sizeof(*ev));
}
