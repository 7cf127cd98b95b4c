/*
 * watch.c: the watch model. Entries are kept in one pool of at most max slots,
 * found through a hash table and ordered by an LRU list; when the pool is full the
 * least recently changed entry is forgotten. Each entry keeps the times of its
 * last NW_HIST flips, so memory stays flat however long the watch runs.
 *
 * A flip is a link-layer address change, or a state change into or out of
 * FAILED/INCOMPLETE or absence (deleted). REACHABLE <-> STALE alone is the
 * table's normal ageing and is not counted.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nw.h"

static uint32_t
hash_key(int family, int ifindex, const struct pp_addr *a)
{
	uint32_t h = 2166136261u;
	size_t n = pp_addr_len(a);

	h = (h ^ (uint32_t)family) * 16777619u;
	h = (h ^ (uint32_t)ifindex) * 16777619u;
	for (size_t i = 0; i < n; i++)
		h = (h ^ a->u.b[i]) * 16777619u;
	return h;
}

int
nw_watch_init(struct nw_watch *w, uint32_t max, unsigned flap_count, double flap_window_s)
{
	uint32_t nb = 64;

	memset(w, 0, sizeof(*w));
	if (max < 16)
		max = 16;
	while (nb < max && nb < (1u << 30))
		nb <<= 1;
	w->max = max;
	w->nbucket = nb;
	w->bucket = calloc(nb, sizeof(*w->bucket));
	if (!w->bucket)
		return -ENOMEM;
	w->flap_count = flap_count < NW_HIST ? flap_count : NW_HIST - 1;
	w->flap_window_ms = (uint64_t)(flap_window_s * 1000.0);
	return 0;
}

void
nw_watch_free(struct nw_watch *w)
{
	free(w->e);
	free(w->bucket);
	memset(w, 0, sizeof(*w));
}

struct nw_went *
nw_watch_find(struct nw_watch *w, int family, int ifindex, const struct pp_addr *dst)
{
	uint32_t i = w->bucket[hash_key(family, ifindex, dst) & (w->nbucket - 1)];

	while (i) {
		struct nw_went *e = &w->e[i - 1];

		if (e->family == family && e->ifindex == ifindex && pp_addr_eq(&e->dst, dst))
			return e;
		i = e->hnext;
	}
	return NULL;
}

static void
lru_unlink(struct nw_watch *w, uint32_t idx)
{
	struct nw_went *e = &w->e[idx - 1];

	if (e->lru_prev)
		w->e[e->lru_prev - 1].lru_next = e->lru_next;
	else
		w->lru_head = e->lru_next;
	if (e->lru_next)
		w->e[e->lru_next - 1].lru_prev = e->lru_prev;
	else
		w->lru_tail = e->lru_prev;
	e->lru_prev = e->lru_next = 0;
}

static void
lru_push_front(struct nw_watch *w, uint32_t idx)
{
	struct nw_went *e = &w->e[idx - 1];

	e->lru_prev = 0;
	e->lru_next = w->lru_head;
	if (w->lru_head)
		w->e[w->lru_head - 1].lru_prev = idx;
	w->lru_head = idx;
	if (!w->lru_tail)
		w->lru_tail = idx;
}

static void
hash_unlink(struct nw_watch *w, uint32_t idx)
{
	struct nw_went *e = &w->e[idx - 1];
	uint32_t *pp = &w->bucket[hash_key(e->family, e->ifindex, &e->dst) & (w->nbucket - 1)];

	while (*pp && *pp != idx)
		pp = &w->e[*pp - 1].hnext;
	if (*pp)
		*pp = e->hnext;
	e->hnext = 0;
}

/* A slot for a new entry: a fresh one while the pool may grow, else the least recently changed one. */
static uint32_t
slot_new(struct nw_watch *w)
{
	uint32_t idx;

	if (w->n < w->max) {
		if (w->n == w->cap) {
			uint32_t nc = w->cap ? w->cap * 2 : 256;
			struct nw_went *p;

			if (nc > w->max)
				nc = w->max;
			p = realloc(w->e, (size_t)nc * sizeof(*p));
			if (!p)
				goto evict;
			w->e = p;
			w->cap = nc;
		}
		idx = ++w->n;
		return idx;
	}
evict:
	idx = w->lru_tail;
	if (!idx)
		return 0;
	lru_unlink(w, idx);
	hash_unlink(w, idx);
	if (w->e[idx - 1].present && w->present)
		w->present--;
	w->evicted++;
	return idx;
}

static int
state_class(uint16_t st, bool present)
{
	if (!present)
		return 0;
	if (st & (NUD_FAILED | NUD_INCOMPLETE))
		return 1;
	return 2;	/* REACHABLE, STALE, DELAY, PROBE, PERMANENT, NOARP, NONE */
}

/* Record a flip at now and update the flapping flag. Returns true when the entry starts flapping. */
static bool
flip(struct nw_watch *w, struct nw_went *e, uint64_t now, unsigned *inwin)
{
	unsigned n = 0;
	bool was = e->flapping;

	e->hist[e->hpos] = now;
	e->hpos = (uint8_t)((e->hpos + 1) % NW_HIST);
	if (e->nhist < NW_HIST)
		e->nhist++;
	for (unsigned i = 0; i < e->nhist; i++)
		if (now - e->hist[i] <= w->flap_window_ms)
			n++;
	*inwin = n;
	e->flapping = n > w->flap_count;
	return e->flapping && !was;
}

bool
nw_watch_apply(struct nw_watch *w, const struct pp_neigh *n, bool del, uint64_t now_ms,
	       struct nw_event *ev)
{
	struct nw_went *e = nw_watch_find(w, n->family, n->ifindex, &n->dst);
	bool known, present_before, changed = false, flipped = false;
	int fam = n->family == AF_INET6 ? 1 : 0;
	uint32_t idx;

	memset(ev, 0, sizeof(*ev));
	ev->family = n->family;
	ev->ifindex = n->ifindex;
	ev->dst = n->dst;
	w->events++;
	if (!e) {
		if (del)
			return false;	/* deleting what we never saw */
		idx = slot_new(w);
		if (!idx)
			return false;
		e = &w->e[idx - 1];
		memset(e, 0, sizeof(*e));
		e->family = n->family;
		e->ifindex = n->ifindex;
		e->dst = n->dst;
		e->hnext = w->bucket[hash_key(e->family, e->ifindex, &e->dst) & (w->nbucket - 1)];
		w->bucket[hash_key(e->family, e->ifindex, &e->dst) & (w->nbucket - 1)] = idx;
		lru_push_front(w, idx);
		known = false;
	} else {
		idx = (uint32_t)(e - w->e) + 1;
		lru_unlink(w, idx);
		lru_push_front(w, idx);
		known = true;
	}
	e->gen = w->gen;
	present_before = known && e->present;
	ev->had_old = present_before;
	ev->old_state = present_before ? e->state : 0;
	ev->old_lladdr_len = known ? e->lladdr_len : 0;
	if (known)
		memcpy(ev->old_lladdr, e->lladdr, e->lladdr_len);
	if (del) {
		if (!present_before)
			return false;
		ev->type = NW_EV_DEL;
		ev->state = e->state;
		ev->lladdr_len = e->lladdr_len;
		memcpy(ev->lladdr, e->lladdr, e->lladdr_len);
		e->present = false;
		if (w->present)
			w->present--;
		flipped = true;
		changed = true;
	} else {
		ev->type = present_before ? NW_EV_CHANGE : NW_EV_NEW;
		ev->state = n->state;
		ev->lladdr_len = n->lladdr_len;
		memcpy(ev->lladdr, n->lladdr, n->lladdr_len);
		/* An address change against what we last saw, even across a delete (a tombstone). */
		if (known && n->lladdr_len && e->lladdr_len &&
		    (n->lladdr_len != e->lladdr_len || memcmp(n->lladdr, e->lladdr, n->lladdr_len) != 0)) {
			ev->lladdr_changed = true;
			w->lladdr_changes++;
			w->fam[fam].lladdr_changes++;
			flipped = true;
		}
		if (!present_before || n->state != e->state || n->flags != e->flags || ev->lladdr_changed ||
		    (n->lladdr_len && n->lladdr_len != e->lladdr_len))
			changed = true;
		if (state_class(n->state, true) != state_class(e->state, present_before))
			flipped = true;
		if (!present_before)
			w->present++;
		e->present = true;
		e->state = n->state;
		e->flags = n->flags;
		if (n->lladdr_len) {
			e->lladdr_len = n->lladdr_len;
			memcpy(e->lladdr, n->lladdr, n->lladdr_len);
		}
	}
	if (!changed)
		return false;
	w->changes++;
	e->last_ms = now_ms;
	/* The first sight of an entry is no flip: nothing went back and forth yet. */
	if (flipped && (known || del)) {
		ev->flap_start = flip(w, e, now_ms, &ev->flips_in_window);
		if (ev->flap_start) {
			w->flaps++;
			w->fam[fam].flaps++;
		}
	}
	ev->flapping = e->flapping;
	return true;
}

void
nw_watch_resync_begin(struct nw_watch *w)
{
	w->gen++;
}

void
nw_watch_resync_end(struct nw_watch *w, uint64_t now_ms,
		    void (*cb)(const struct nw_event *ev, void *data), void *data)
{
	for (uint32_t i = 0; i < w->n; i++) {
		struct nw_went *e = &w->e[i];
		struct pp_neigh n;
		struct nw_event ev;

		if (!e->present || e->gen == w->gen)
			continue;
		memset(&n, 0, sizeof(n));
		n.family = e->family;
		n.ifindex = e->ifindex;
		n.dst = e->dst;
		if (nw_watch_apply(w, &n, true, now_ms, &ev)) {
			ev.resync = true;
			if (cb)
				cb(&ev, data);
		}
	}
}
