/* agg.c: aggregates computed while the dump streams by, in fixed memory. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctdump.h"

static const char *const key_names[CTD_K_N] = {
	[CTD_K_SRC] = "src", [CTD_K_DST] = "dst", [CTD_K_SPORT] = "sport",
	[CTD_K_DPORT] = "dport", [CTD_K_PROTO] = "proto", [CTD_K_STATE] = "state",
	[CTD_K_ZONE] = "zone", [CTD_K_UNREPLIED] = "unreplied_dst",
};

const char *
ctd_key_name(enum ctd_key k)
{
	return (unsigned)k < CTD_K_N ? key_names[k] : "unknown";
}

int
ctd_key_from_name(const char *s)
{
	for (int k = 0; k < CTD_K_UNREPLIED; k++)
		if (strcmp(s, key_names[k]) == 0)
			return k;
	return -1;
}

/* ---- Space-Saving top-k: hash (linear probing) + min-heap on count ---- */

static uint32_t
key_hash(const uint8_t *k)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (int i = 0; i < CTD_KEYLEN; i++)
		h = (h ^ k[i]) * 0x100000001b3ull;
	return (uint32_t)(h ^ (h >> 32));
}

int
ctd_top_init(struct ctd_top *t, enum ctd_key kind, unsigned n_want, uint32_t cap)
{
	uint32_t hs = 1;

	memset(t, 0, sizeof(*t));
	t->kind = kind;
	t->n_want = n_want;
	if (cap < 16)
		cap = 16;
	while (hs < cap * 2)
		hs <<= 1;
	t->cap = cap;
	t->hmask = hs - 1;
	t->items = calloc(cap, sizeof(*t->items));
	t->heap = calloc(cap, sizeof(*t->heap));
	t->hash = calloc(hs, sizeof(*t->hash));
	if (!t->items || !t->heap || !t->hash) {
		ctd_top_free(t);
		return -ENOMEM;
	}
	return 0;
}

void
ctd_top_free(struct ctd_top *t)
{
	free(t->items);
	free(t->heap);
	free(t->hash);
	t->items = NULL;
	t->heap = t->hash = NULL;
	t->cap = t->n = 0;
}

static void
heap_swap(struct ctd_top *t, uint32_t a, uint32_t b)
{
	uint32_t ia = t->heap[a], ib = t->heap[b];

	t->heap[a] = ib;
	t->heap[b] = ia;
	t->items[ib].heap = a;
	t->items[ia].heap = b;
}

/* A count only grows: move the item down towards the leaves. */
static void
heap_down(struct ctd_top *t, uint32_t i)
{
	for (;;) {
		uint32_t l = 2 * i + 1, r = l + 1, m = i;

		if (l < t->n && t->items[t->heap[l]].count < t->items[t->heap[m]].count)
			m = l;
		if (r < t->n && t->items[t->heap[r]].count < t->items[t->heap[m]].count)
			m = r;
		if (m == i)
			return;
		heap_swap(t, i, m);
		i = m;
	}
}

static uint32_t *
hash_slot(struct ctd_top *t, const uint8_t *key)
{
	uint32_t h = key_hash(key) & t->hmask;

	for (;;) {
		uint32_t v = t->hash[h];

		if (v == 0 || memcmp(t->items[v - 1].key, key, CTD_KEYLEN) == 0)
			return &t->hash[h];
		h = (h + 1) & t->hmask;
	}
}

/* Remove item idx from the hash, shifting the probe chain back (no tombstones). */
static void
hash_del(struct ctd_top *t, uint32_t idx)
{
	uint32_t i = (uint32_t)(hash_slot(t, t->items[idx].key) - t->hash), j = i;

	t->hash[i] = 0;
	for (;;) {
		uint32_t k;

		j = (j + 1) & t->hmask;
		if (t->hash[j] == 0)
			return;
		k = key_hash(t->items[t->hash[j] - 1].key) & t->hmask;
		/* Move j back to i unless its home slot k lies cyclically in (i, j]. */
		if ((i <= j) ? (i < k && k <= j) : (i < k || k <= j))
			continue;
		t->hash[i] = t->hash[j];
		t->hash[j] = 0;
		i = j;
	}
}

void
ctd_top_add(struct ctd_top *t, const uint8_t key[CTD_KEYLEN])
{
	uint32_t *slot, idx;

	if (!t->cap)
		return;
	t->total++;
	slot = hash_slot(t, key);
	if (*slot) {
		idx = *slot - 1;
		t->items[idx].count++;
		heap_down(t, t->items[idx].heap);
		return;
	}
	if (t->n < t->cap) {
		idx = t->n;
		memcpy(t->items[idx].key, key, CTD_KEYLEN);
		t->items[idx].count = 1;
		t->items[idx].err = 0;
		/* A new count of 1 is the minimum: the root's place is right for it. */
		t->heap[t->n] = idx;
		t->items[idx].heap = t->n;
		t->n++;
		for (uint32_t i = t->items[idx].heap; i > 0;) {
			uint32_t p = (i - 1) / 2;

			if (t->items[t->heap[p]].count <= t->items[t->heap[i]].count)
				break;
			heap_swap(t, i, p);
			i = p;
		}
		*slot = idx + 1;
		return;
	}
	/* Full: the least counted key gives up its place; the newcomer inherits its count. */
	t->overflowed = true;
	idx = t->heap[0];
	hash_del(t, idx);
	t->items[idx].err = t->items[idx].count;
	t->items[idx].count++;
	memcpy(t->items[idx].key, key, CTD_KEYLEN);
	*hash_slot(t, key) = idx + 1;
	heap_down(t, 0);
}

static int
cmp_item(const void *a, const void *b)
{
	const struct ctd_top_item *x = *(const struct ctd_top_item *const *)a;
	const struct ctd_top_item *y = *(const struct ctd_top_item *const *)b;

	if (x->count != y->count)
		return x->count > y->count ? -1 : 1;
	return memcmp(x->key, y->key, CTD_KEYLEN);
}

size_t
ctd_top_best(const struct ctd_top *t, const struct ctd_top_item **out, size_t n)
{
	const struct ctd_top_item **all;
	size_t k;

	if (!t->n || !n)
		return 0;
	all = malloc(t->n * sizeof(*all));
	if (!all)
		return 0;
	for (uint32_t i = 0; i < t->n; i++)
		all[i] = &t->items[i];
	qsort(all, t->n, sizeof(*all), cmp_item);
	k = n < t->n ? n : t->n;
	memcpy(out, all, k * sizeof(*out));
	free(all);
	return k;
}

/* ---- keys ---- */

static void
put_addr(uint8_t *k, const struct pp_addr *a)
{
	k[0] = (uint8_t)a->family;
	memcpy(k + 1, a->u.b, 16);
}

bool
ctd_key_of(enum ctd_key kind, const struct pp_ct_entry *ct, uint8_t key[CTD_KEYLEN])
{
	const struct pp_ct_tuple *o = &ct->orig;

	memset(key, 0, CTD_KEYLEN);
	switch (kind) {
	case CTD_K_SRC:
		if (!(o->have & PP_CT_T_SRC))
			return false;
		put_addr(key, &o->src);
		return true;
	case CTD_K_DST:
		if (!(o->have & PP_CT_T_DST))
			return false;
		put_addr(key, &o->dst);
		return true;
	case CTD_K_SPORT:
	case CTD_K_DPORT: {
		uint16_t p = kind == CTD_K_SPORT ? o->sport : o->dport;

		if (!(o->have & (kind == CTD_K_SPORT ? PP_CT_T_SPORT : PP_CT_T_DPORT)))
			return false;
		key[0] = o->proto;
		key[1] = (uint8_t)(p >> 8);
		key[2] = (uint8_t)p;
		return true;
	}
	case CTD_K_PROTO:
		if (!(o->have & PP_CT_T_PROTO))
			return false;
		key[0] = o->proto;
		return true;
	case CTD_K_STATE:
		key[0] = (ct->have & PP_CT_HAVE_TCP_STATE) && ct->tcp_state < CTD_STATE_NONE
				 ? ct->tcp_state : CTD_STATE_NONE;
		return true;
	case CTD_K_ZONE:
		key[0] = (uint8_t)(ct->zone >> 8);
		key[1] = (uint8_t)ct->zone;
		return true;
	case CTD_K_UNREPLIED:
		/* Where the unanswered flows went, and where the reply was expected to come back to. */
		if (!(o->have & PP_CT_T_DST))
			return false;
		put_addr(key, &o->dst);
		if (ct->reply.have & PP_CT_T_DST)
			put_addr(key + 17, &ct->reply.dst);
		return true;
	default:
		return false;
	}
}

static void
addr_of(const uint8_t *k, struct pp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = k[0];
	memcpy(a->u.b, k + 1, 16);
}

const char *
ctd_key_str(enum ctd_key kind, const uint8_t key[CTD_KEYLEN], char *buf, size_t len)
{
	struct pp_addr a;
	const char *s;

	buf[0] = '\0';
	switch (kind) {
	case CTD_K_SRC:
	case CTD_K_DST:
	case CTD_K_UNREPLIED:
		addr_of(key, &a);
		pp_addr_str(&a, buf, len);
		break;
	case CTD_K_SPORT:
	case CTD_K_DPORT:
		snprintf(buf, len, "%u", (unsigned)key[1] << 8 | key[2]);
		break;
	case CTD_K_PROTO:
		if ((s = pp_ct_proto_name(key[0])))
			snprintf(buf, len, "%s", s);
		else
			snprintf(buf, len, "%u", key[0]);
		break;
	case CTD_K_STATE:
		s = key[0] < CTD_STATE_NONE ? pp_ct_tcp_state_name(key[0]) : NULL;
		snprintf(buf, len, "%s", s ? s : "none");
		break;
	case CTD_K_ZONE:
		snprintf(buf, len, "%u", (unsigned)key[0] << 8 | key[1]);
		break;
	default:
		break;
	}
	return buf;
}

/* ---- the aggregate ---- */

int
ctd_agg_init(struct ctd_agg *a, const unsigned n_want[CTD_K_N], uint32_t cap)
{
	memset(a, 0, sizeof(*a));
	for (int k = 0; k < CTD_K_N; k++) {
		if (!n_want[k])
			continue;
		if (ctd_top_init(&a->top[k], (enum ctd_key)k, n_want[k], cap) < 0) {
			ctd_agg_free(a);
			return -ENOMEM;
		}
		a->want[k] = true;
	}
	return 0;
}

void
ctd_agg_free(struct ctd_agg *a)
{
	for (int k = 0; k < CTD_K_N; k++)
		ctd_top_free(&a->top[k]);
}

void
ctd_agg_add(struct ctd_agg *a, const struct pp_ct_entry *ct, uint64_t now_ns)
{
	uint8_t key[CTD_KEYLEN];
	bool unreplied = (ct->have & PP_CT_HAVE_STATUS) && !(ct->status & (1u << 1));

	a->matched++;
	if ((ct->have & PP_CT_HAVE_TCP_STATE) && ct->tcp_state < CTD_STATE_NONE)
		a->by_state[ct->tcp_state]++;
	else
		a->by_state[CTD_STATE_NONE]++;
	a->by_proto[ct->orig.proto]++;
	if (unreplied)
		a->unreplied++;
	if (ct->status & (1u << 2))
		a->assured++;
	if (ct->have & PP_CT_HAVE_TSTAMP_START) {
		if (now_ns > ct->tstamp_start && now_ns - ct->tstamp_start > a->oldest_ns)
			a->oldest_ns = now_ns - ct->tstamp_start;
	} else {
		a->no_tstamp++;
	}
	for (int k = 0; k < CTD_K_UNREPLIED; k++)
		if (a->want[k] && ctd_key_of((enum ctd_key)k, ct, key))
			ctd_top_add(&a->top[k], key);
	if (unreplied && a->want[CTD_K_UNREPLIED] && ctd_key_of(CTD_K_UNREPLIED, ct, key))
		ctd_top_add(&a->top[CTD_K_UNREPLIED], key);
}
