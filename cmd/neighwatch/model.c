/* model.c: the snapshot model and its evaluation into findings (pure: no I/O). */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "mem.h"
#include "nw.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#ifndef NTF_MANAGED
#define NTF_MANAGED (1 << 1)
#endif

/* Cap on findings of one kind about single entries; the rest are counted in one more finding. */
#define NW_PER_KIND_MAX 64

const char *
nw_kind_name(enum nw_kind k)
{
	static const char *names[NW_F__COUNT] = {
		[NW_F_NEXTHOP_FAILED] = "nexthop_failed",
		[NW_F_NEXTHOP_UNRESOLVED] = "nexthop_not_reachable",
		[NW_F_ENTRY_FAILED] = "entry_failed",
		[NW_F_IP_MANY_LLADDR] = "ip_many_lladdr",
		[NW_F_LLADDR_MANY_IPS] = "lladdr_many_ips",
		[NW_F_DEVICE_DOWN] = "device_down",
		[NW_F_TABLE_PRESSURE] = "table_pressure",
		[NW_F_TABLE_FULLS] = "table_fulls",
		[NW_F_CHECK_UNKNOWN] = "check_unknown",
	};
	return (unsigned)k < NW_F__COUNT ? names[k] : "unknown";
}

const char *
nw_family_name(int family)
{
	return family == AF_INET ? "inet" : family == AF_INET6 ? "inet6" : "unspec";
}

const char *
nw_state_name(uint16_t state, char *buf, size_t len)
{
	/* One bit is the common case: no formatting for it (a 10,000-entry snapshot asks 10,000 times). */
	switch (state) {
	case NUD_INCOMPLETE: return "INCOMPLETE";
	case NUD_REACHABLE: return "REACHABLE";
	case NUD_STALE: return "STALE";
	case NUD_DELAY: return "DELAY";
	case NUD_PROBE: return "PROBE";
	case NUD_FAILED: return "FAILED";
	case NUD_NOARP: return "NOARP";
	case NUD_PERMANENT: return "PERMANENT";
	case 0: return "NONE";
	default: return pp_neigh_state_name(state, buf, len);
	}
}

void
nw_snap_init(struct nw_snap *s)
{
	memset(s, 0, sizeof(*s));
	s->tables[0].family = AF_INET;
	s->tables[1].family = AF_INET6;
}

void
nw_snap_free(struct nw_snap *s)
{
	free(s->ent);
	free(s->sel);
	free(s->links);
	free(s->nh);
	free(s->f);
	memset(s, 0, sizeof(*s));
}

/* Make room for one more element of size sz in *arr. */
static int
grow(void **arr, size_t *cap, size_t n, size_t sz)
{
	return pp_array_grow(arr, cap, n, sz, 64);
}

#define EF_STEP (128 * 1024)	/* its page-aligned part stays above pp_mem_prefault()'s 64 KiB minimum */

int
nw_snap_add_neigh(struct nw_snap *s, const struct pp_neigh *n)
{
	size_t end = (s->nent + 1) * sizeof(*s->ent);

	/*
	 * Grown without prefaulting the doubled array (half of it may stay unused:
	 * 10,000 entries in room for 16,384), then prefaulted 128 KiB ahead of the
	 * entries as they come, so the populated pages are the ones written.
	 */
	if (s->nent == s->capent) {
		size_t nc = s->capent ? s->capent * 2 : 64;
		struct pp_neigh *p;

		if (nc > SIZE_MAX / sizeof(*s->ent) || !(p = realloc(s->ent, nc * sizeof(*s->ent))))
			return -ENOMEM;
		if (p != s->ent)	/* copied by realloc, or moved with its pages: the hint holds as far as the copy */
			s->entfault = s->nent * sizeof(*s->ent);
		s->ent = p;
		s->capent = nc;
	}
	if (end > s->entfault) {
		/* Up to a page boundary, where the next step starts: no page left between two steps. */
		uintptr_t base = (uintptr_t)s->ent;
		size_t to = (size_t)(((base + s->entfault + EF_STEP) & ~(uintptr_t)4095) - base);

		if (to > s->capent * sizeof(*s->ent))
			to = s->capent * sizeof(*s->ent);
		if (to > s->entfault)
			pp_mem_prefault((char *)s->ent + s->entfault, to - s->entfault);
		s->entfault = to > end ? to : end;
	}
	s->ent[s->nent++] = *n;
	return 0;
}

int
nw_snap_add_sel(struct nw_snap *s, const struct pp_neigh *n)
{
	if (grow((void **)&s->sel, &s->capsel, s->nsel, sizeof(*s->sel)) < 0)
		return -ENOMEM;
	s->sel[s->nsel++] = *n;
	return 0;
}

bool
nw_select_match(const struct nw_opts *o, const struct pp_neigh *n)
{
	if (o->family && n->family != o->family)
		return false;
	if (o->has_to && !pp_addr_in_prefix(&n->dst, &o->to, o->to_plen))
		return false;
	/* As ip neigh show: without --nud, every state but NOARP (--get: the one entry, whatever its state). */
	if (o->nud ? !pp_neigh_nud_match(n, o->nud) : !o->has_get && !pp_neigh_nud_match(n, 0xff & ~NUD_NOARP))
		return false;
	return true;
}

const struct pp_neigh *
nw_snap_shown(const struct nw_snap *s, size_t *n)
{
	if (s->select) {
		*n = s->nsel;
		return s->sel;
	}
	*n = s->nent;
	return s->ent;
}

int
nw_snap_add_link(struct nw_snap *s, const struct pp_link *l)
{
	struct nw_link *k;

	if (grow((void **)&s->links, &s->caplinks, s->nlinks, sizeof(*s->links)) < 0)
		return -ENOMEM;
	/* Keep the array sorted by ifindex for nw_snap_link(). */
	{
		size_t pos = s->nlinks;

		while (pos > 0 && s->links[pos - 1].ifindex > l->ifindex)
			pos--;
		memmove(&s->links[pos + 1], &s->links[pos], (s->nlinks - pos) * sizeof(*s->links));
		s->nlinks++;
		k = &s->links[pos];
	}
	memset(k, 0, sizeof(*k));
	k->ifindex = l->ifindex;
	memcpy(k->name, l->name, sizeof(k->name));
	k->name[sizeof(k->name) - 1] = '\0';
	k->flags = l->flags;
	k->operstate = l->operstate;
	return 0;
}

struct nw_table *
nw_snap_table(struct nw_snap *s, int family)
{
	return family == AF_INET ? &s->tables[0] : family == AF_INET6 ? &s->tables[1] : NULL;
}

int
nw_snap_add_ntable(struct nw_snap *s, const struct pp_ntable *t)
{
	struct nw_table *nt = nw_snap_table(s, t->family);

	if (!nt)
		return 0;	/* DECnet and other tables: not ours */
	/* Per-device parameter messages carry only the name and NDTA_PARMS with an ifindex. */
	if (t->has_parms && t->parms.has_ifindex && t->parms.ifindex != 0)
		return 0;
	if (!t->has_thresh3 && !t->has_config && !t->has_stats)
		return 0;
	nt->have = true;
	memcpy(nt->name, t->name, sizeof(nt->name));
	if (t->has_thresh1 && t->has_thresh2 && t->has_thresh3) {
		nt->has_thresh = true;
		nt->thresh1 = t->thresh1;
		nt->thresh2 = t->thresh2;
		nt->thresh3 = t->thresh3;
	}
	if (t->has_gc_interval) {
		nt->has_gc_interval = true;
		nt->gc_interval_ms = t->gc_interval_ms;
	}
	if (t->has_config) {
		nt->has_config = true;
		nt->config = t->config;
	}
	if (t->has_stats) {
		nt->has_stats = true;
		nt->stats = t->stats;
	}
	if (t->has_parms && t->parms.has_ucast_probes && t->parms.has_mcast_probes) {
		nt->has_default_probes = true;
		nt->ucast_probes = t->parms.ucast_probes;
		nt->mcast_probes = t->parms.mcast_probes;
		nt->app_probes = t->parms.app_probes;
	}
	return 0;
}

static void
add_route_gw(struct nw_snap *s, int family, int ifindex, const struct pp_addr *gw, const char *rtxt,
	     int *rc)
{
	struct nw_nexthop *h;
	size_t i;

	if (!gw->family || !ifindex)
		return;
	for (i = 0; i < s->nnh; i++) {
		h = &s->nh[i];
		if (h->ifindex == ifindex && pp_addr_eq(&h->gw, gw))
			goto found;
	}
	if (grow((void **)&s->nh, &s->capnh, s->nnh, sizeof(*s->nh)) < 0) {
		*rc = -ENOMEM;
		return;
	}
	h = &s->nh[s->nnh++];
	memset(h, 0, sizeof(*h));
	h->family = gw->family;
	h->ifindex = ifindex;
	h->gw = *gw;
	(void)family;
found:
	if (h->nroutes < NW_NH_ROUTES)
		snprintf(h->routes[h->nroutes], sizeof(h->routes[0]), "%s", rtxt);
	h->nroutes++;
}

int
nw_snap_add_route(struct nw_snap *s, const struct pp_route *r, const struct nw_opts *o)
{
	char txt[256];
	int rc = 0;

	if (r->type != RTN_UNICAST)
		return 0;
	if (r->flags & RTM_F_CLONED)
		return 0;	/* cached exceptions are not routes */
	pp_route_format(r, txt, sizeof(txt));
	if (r->nhops == 0) {
		if (r->gateway.family)
			add_route_gw(s, r->family, r->oif, &r->gateway, txt, &rc);
	} else {
		for (int i = 0; i < r->nhops; i++)
			add_route_gw(s, r->family, r->nh[i].ifindex, &r->nh[i].gw, txt, &rc);
	}
	(void)o;
	return rc;
}

void
nw_snap_warn(struct nw_snap *s, const char *fmt, ...)
{
	va_list ap;

	if (s->nwarnings >= PP_ARRAY_SIZE(s->warnings))
		return;
	va_start(ap, fmt);
	vsnprintf(s->warnings[s->nwarnings++], sizeof(s->warnings[0]), fmt, ap);
	va_end(ap);
}

/* s->links is kept sorted by ifindex (nw_snap_add_link). */
const struct nw_link *
nw_snap_link(const struct nw_snap *s, int ifindex)
{
	size_t lo = 0, hi = s->nlinks;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->links[mid].ifindex == ifindex)
			return &s->links[mid];
		if (s->links[mid].ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

const char *
nw_ifname(const struct nw_snap *s, int ifindex, char *buf, size_t len)
{
	const struct nw_link *l = nw_snap_link(s, ifindex);

	if (l && l->name[0])
		return l->name;
	snprintf(buf, len, "if%d", ifindex);
	return buf;
}

/* ---- evaluation ---- */

static struct nw_finding *
add_finding(struct nw_snap *s, enum nw_kind kind, enum pp_status sev)
{
	struct nw_finding *f;

	if (grow((void **)&s->f, &s->capf, s->nf, sizeof(*s->f)) < 0)
		return NULL;
	f = &s->f[s->nf++];
	memset(f, 0, sizeof(*f));
	f->kind = kind;
	f->severity = sev;
	return f;
}

static bool
lladdr_usable(const struct pp_neigh *n)
{
	if (!n->lladdr_len)
		return false;
	if (!(n->state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT)))
		return false;
	for (unsigned i = 0; i < n->lladdr_len; i++)
		if (n->lladdr[i])
			return true;
	return false;
}

static bool
addr_eq(const struct pp_addr *a, const struct pp_addr *b)
{
	return a->family == b->family && memcmp(a->u.b, b->u.b, pp_addr_len(a)) == 0;
}

static bool
same_ll(const struct pp_neigh *a, const struct pp_neigh *b)
{
	return a->lladdr_len == b->lladdr_len && memcmp(a->lladdr, b->lladdr, a->lladdr_len) == 0;
}

/*
 * Entries grouped by a key (the IP, or the family and link-layer address) in an
 * open-addressing table: O(n) for any table size, where sorting 10,000 entries
 * twice cost more than the rest of the evaluation. Each group is a list in dump
 * order (next[]), its head the first entry of the group in the dump.
 */
struct grp {
	struct grp_slot {
		uint32_t ent;	/* head index + 1, 0 empty */
		uint32_t hv;	/* its group's whole hash, so a probe reads no entry unless it may match */
	} *slot;		/* side by side: a probe reads one cache line */
	uint32_t mask;
	uint32_t *next;		/* per entry: next index + 1 in its group, 0 ends */
	uint8_t *head;		/* per entry: 1 when it heads its group */
	bool by_ll;
};

static uint32_t
grp_hash(const struct pp_neigh *n, bool by_ll)
{
	const uint8_t *p = by_ll ? n->lladdr : n->dst.u.b;
	size_t len = by_ll ? n->lladdr_len : pp_addr_len(&n->dst);
	uint64_t h = 0x9e3779b97f4a7c15ull ^ (uint64_t)(unsigned)n->family;

	/*
	 * Eight bytes a step (an IPv6 address is two), multiply and fold; the last
	 * step's bytes zero-extended. The usual lengths (IPv4, IPv6, a MAC) with
	 * copies of constant size, the same words as the general loop.
	 */
#define GRP_STEP(w) (h = (h ^ (w)) * 0xff51afd7ed558ccdull, h ^= h >> 32)
	if (len == 16) {
		uint64_t w[2];

		memcpy(w, p, 16);
		GRP_STEP(w[0]);
		GRP_STEP(w[1]);
	} else if (len == 6 || len == 4) {
		uint64_t w = 0;

		if (len == 6)
			memcpy(&w, p, 6);
		else
			memcpy(&w, p, 4);
		GRP_STEP(w);
	} else {
		for (size_t i = 0; i < len; i += 8) {
			uint64_t w = 0;

			memcpy(&w, p + i, len - i < 8 ? len - i : 8);
			GRP_STEP(w);
		}
	}
#undef GRP_STEP
	/* A multiply carries a difference only upwards: fold the high bits back down (MurmurHash3's finaliser). */
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53ull;
	h ^= h >> 33;
	return (uint32_t)h;
}

static bool
grp_eq(const struct pp_neigh *a, const struct pp_neigh *b, bool by_ll)
{
	if (a->family != b->family)
		return false;
	return by_ll ? same_ll(a, b) : addr_eq(&a->dst, &b->dst);
}

/* Index s->ent (only entries with a usable link-layer address when by_ll). Returns 0 or -ENOMEM. */
static int
grp_build(struct grp *g, const struct nw_snap *s, bool by_ll)
{
	uint32_t cap = 16;

	memset(g, 0, sizeof(*g));
	g->by_ll = by_ll;
	/* At most 2/3 full: a probe compares whole hashes before any entry, and half the pages of 1/2. */
	while (cap < s->nent + s->nent / 2)
		cap <<= 1;
	g->slot = calloc(cap, sizeof(*g->slot));
	g->next = calloc(s->nent ? s->nent : 1, sizeof(*g->next));
	g->head = calloc(s->nent ? s->nent : 1, 1);
	if (!g->slot || !g->next || !g->head)
		return -ENOMEM;
	/* A big table's slots are written all over: their zero pages in one call, not a fault each. */
	pp_mem_prefault(g->slot, cap * sizeof(*g->slot));
	g->mask = cap - 1;
	/* Pushed from the last entry down, so each list runs in dump order. */
	for (size_t i = s->nent; i-- > 0;) {
		const struct pp_neigh *e = &s->ent[i];
		uint32_t full, h;

		if (by_ll && (!lladdr_usable(e) || (e->state & NUD_NOARP)))
			continue;
		full = grp_hash(e, by_ll);
		h = full & g->mask;
		while (g->slot[h].ent && (g->slot[h].hv != full || !grp_eq(&s->ent[g->slot[h].ent - 1], e, by_ll)))
			h = (h + 1) & g->mask;
		/* The group's head so far (its lowest index yet) gives way to this one. */
		if (g->slot[h].ent)
			g->head[g->slot[h].ent - 1] = 0;
		g->head[i] = 1;
		g->next[i] = g->slot[h].ent;
		g->slot[h].ent = (uint32_t)i + 1;
		g->slot[h].hv = full;
	}
	return 0;
}

static void
grp_free(struct grp *g)
{
	free(g->slot);
	free(g->next);
	free(g->head);
}

/* The first entry of key's group, or NULL. */
static const struct pp_neigh *
grp_first(const struct grp *g, const struct nw_snap *s, const struct pp_neigh *key)
{
	uint32_t full = grp_hash(key, g->by_ll), h = full & g->mask;

	while (g->slot[h].ent) {
		if (g->slot[h].hv == full && grp_eq(&s->ent[g->slot[h].ent - 1], key, g->by_ll))
			return &s->ent[g->slot[h].ent - 1];
		h = (h + 1) & g->mask;
	}
	return NULL;
}

#define GRP_NEXT(g, s, e) ((g)->next[(e) - (s)->ent] ? &(s)->ent[(g)->next[(e) - (s)->ent] - 1] : NULL)

static const char *
probes_txt(const struct pp_neigh *n, char *buf, size_t len)
{
	if (n->has_probes)
		snprintf(buf, len, " (%u probe%s sent)", n->probes, n->probes == 1 ? "" : "s");
	else
		buf[0] = '\0';
	return buf;
}

static const struct pp_neigh *
find_neigh(const struct grp *byip, const struct nw_snap *s, int ifindex, const struct pp_addr *a)
{
	struct pp_neigh key;
	const struct pp_neigh *e;

	memset(&key, 0, sizeof(key));
	key.family = a->family;
	key.dst = *a;
	for (e = grp_first(byip, s, &key); e; e = GRP_NEXT(byip, s, e))
		if (e->ifindex == ifindex)
			return e;
	return NULL;
}

static void
eval_nexthops(struct nw_snap *s, const struct grp *byip)
{
	char a[INET6_ADDRSTRLEN], db[IF_NAMESIZE + 8], st[64], pr[48];
	const char *dev;

	for (size_t i = 0; i < s->nnh; i++) {
		struct nw_nexthop *h = &s->nh[i];
		const struct pp_neigh *n = find_neigh(byip, s, h->ifindex, &h->gw);
		struct nw_finding *f;
		enum nw_kind kind;

		h->neigh = n;
		if (n && (n->state & (NUD_REACHABLE | NUD_PERMANENT | NUD_NOARP)))
			continue;
		kind = n && (n->state & (NUD_FAILED | NUD_INCOMPLETE)) ? NW_F_NEXTHOP_FAILED
								    : NW_F_NEXTHOP_UNRESOLVED;
		f = add_finding(s, kind, kind == NW_F_NEXTHOP_FAILED ? PP_ST_FAIL : PP_ST_OK);
		if (!f)
			return;
		f->family = h->family;
		f->ifindex = h->ifindex;
		f->dst = h->gw;
		f->nh = h;
		f->count = h->nroutes;
		pp_addr_str(&h->gw, a, sizeof(a));
		dev = nw_ifname(s, h->ifindex, db, sizeof(db));
		if (n) {
			f->state = n->state;
			f->has_probes = n->has_probes;
			f->probes = n->probes;
			f->nref = 1;
			f->ref[0] = n;
			snprintf(f->summary, sizeof(f->summary), "next hop %s dev %s is %s%s, used by %u route%s: %s",
				 a, dev, nw_state_name(n->state, st, sizeof(st)), probes_txt(n, pr, sizeof(pr)),
				 h->nroutes, h->nroutes == 1 ? "" : "s", h->routes[0]);
		} else {
			snprintf(f->summary, sizeof(f->summary),
				 "next hop %s dev %s has no neighbour entry (not resolved yet), used by %u route%s: %s",
				 a, dev, h->nroutes, h->nroutes == 1 ? "" : "s", h->routes[0]);
		}
	}
}

static bool
is_nexthop(const struct nw_snap *s, const struct pp_neigh *n)
{
	for (size_t i = 0; i < s->nnh; i++)
		if (s->nh[i].neigh == n)
			return true;
	return false;
}

static void
eval_failed_entries(struct nw_snap *s)
{
	char a[INET6_ADDRSTRLEN], dev[IF_NAMESIZE + 8], st[64], pr[48];
	uint64_t more = 0;
	unsigned n = 0;

	for (size_t i = 0; i < s->nent; i++) {
		const struct pp_neigh *e = &s->ent[i];
		struct nw_finding *f;

		if (!(e->state & (NUD_FAILED | NUD_INCOMPLETE)) || is_nexthop(s, e))
			continue;
		if (n >= NW_PER_KIND_MAX) {
			more++;
			continue;
		}
		n++;
		if (!(f = add_finding(s, NW_F_ENTRY_FAILED, PP_ST_WARN)))
			return;
		f->family = e->family;
		f->ifindex = e->ifindex;
		f->dst = e->dst;
		f->state = e->state;
		f->has_probes = e->has_probes;
		f->probes = e->probes;
		f->count = 1;
		f->nref = 1;
		f->ref[0] = e;
		snprintf(f->summary, sizeof(f->summary), "%s dev %s is %s%s",
			 pp_addr_str(&e->dst, a, sizeof(a)), nw_ifname(s, e->ifindex, dev, sizeof(dev)),
			 nw_state_name(e->state, st, sizeof(st)), probes_txt(e, pr, sizeof(pr)));
	}
	if (more) {
		struct nw_finding *f = add_finding(s, NW_F_ENTRY_FAILED, PP_ST_WARN);

		if (f) {
			f->count = more;
			snprintf(f->summary, sizeof(f->summary),
				 "%llu more FAILED or INCOMPLETE entries not listed", (unsigned long long)more);
		}
	}
}

static void
eval_flux(struct nw_snap *s, const struct grp *byip)
{
	char a[INET6_ADDRSTRLEN], ll[3 * 32], dev[IF_NAMESIZE + 8];

	for (size_t i = 0; i < s->nent; i++) {
		const struct pp_neigh *first = &s->ent[i], *k, *o;
		bool differ = false;
		struct nw_finding *f;
		size_t off;

		if (!byip->head[i] || !byip->next[i])
			continue;	/* not a group's head, or alone in its group */
		/* Among the usable entries of this IP, two devices with different addresses? */
		for (k = first; k && !differ; k = GRP_NEXT(byip, s, k))
			for (o = GRP_NEXT(byip, s, k); o; o = GRP_NEXT(byip, s, o))
				if (lladdr_usable(k) && lladdr_usable(o) && k->ifindex != o->ifindex && !same_ll(k, o)) {
					differ = true;
					break;
				}
		if (!differ || !(f = add_finding(s, NW_F_IP_MANY_LLADDR, PP_ST_WARN)))
			continue;
		f->family = first->family;
		f->dst = first->dst;
		off = (size_t)snprintf(f->summary, sizeof(f->summary), "%s answers with different addresses:",
				       pp_addr_str(&f->dst, a, sizeof(a)));
		for (k = first; k; k = GRP_NEXT(byip, s, k)) {
			if (!lladdr_usable(k))
				continue;
			f->count++;
			if (f->nref < NW_F_MAXREF)
				f->ref[f->nref++] = k;
			if (off < sizeof(f->summary))
				off += (size_t)snprintf(f->summary + off, sizeof(f->summary) - off, "%s %s on %s",
					f->count > 1 ? "," : "", pp_lladdr_str(k->lladdr, k->lladdr_len, ll, sizeof(ll)),
					nw_ifname(s, k->ifindex, dev, sizeof(dev)));
		}
	}
}

/* Is e's IP also held, with the same link-layer address, by an entry earlier in the dump? */
static bool
ip_seen_before(const struct grp *byip, const struct nw_snap *s, const struct pp_neigh *e)
{
	for (const struct pp_neigh *o = grp_first(byip, s, e); o && o < e; o = GRP_NEXT(byip, s, o))
		if (same_ll(o, e) && lladdr_usable(o) && !(o->state & NUD_NOARP))
			return true;
	return false;
}

static void
eval_many_ips(struct nw_snap *s, const struct grp *byip, const struct grp *byll, unsigned limit)
{
	char a[INET6_ADDRSTRLEN], ll[3 * 32];

	for (size_t i = 0; i < s->nent; i++) {
		const struct pp_neigh *first = &s->ent[i], *k;
		uint64_t ips = 0;
		struct nw_finding *f;
		size_t off;

		if (!byll->head[i] || !byll->next[i])
			continue;
		for (k = first; k; k = GRP_NEXT(byll, s, k))
			if (!ip_seen_before(byip, s, k))
				ips++;
		if (ips <= limit || !(f = add_finding(s, NW_F_LLADDR_MANY_IPS, PP_ST_OK)))
			continue;
		f->family = first->family;
		f->count = ips;
		f->lladdr_len = first->lladdr_len;
		memcpy(f->lladdr, first->lladdr, f->lladdr_len);
		off = (size_t)snprintf(f->summary, sizeof(f->summary), "%s answers for %llu %s addresses (",
				       pp_lladdr_str(f->lladdr, f->lladdr_len, ll, sizeof(ll)),
				       (unsigned long long)ips, nw_family_name(f->family));
		for (k = first; k && f->nref < NW_F_MAXREF; k = GRP_NEXT(byll, s, k)) {
			if (ip_seen_before(byip, s, k))
				continue;
			f->ref[f->nref++] = k;
			if (off < sizeof(f->summary))
				off += (size_t)snprintf(f->summary + off, sizeof(f->summary) - off, "%s%s",
					f->nref > 1 ? ", " : "", pp_addr_str(&k->dst, a, sizeof(a)));
		}
		if (off < sizeof(f->summary))
			snprintf(f->summary + off, sizeof(f->summary) - off, "%s)", ips > f->nref ? ", ..." : "");
	}
}

static void
eval_down(struct nw_snap *s)
{
	char dev[IF_NAMESIZE + 8];

	uint64_t *per = calloc(s->nlinks ? s->nlinks : 1, sizeof(*per));

	if (!per)
		return;
	for (size_t i = 0; i < s->nent; i++) {
		const struct nw_link *k = nw_snap_link(s, s->ent[i].ifindex);

		if (k && !(s->ent[i].state & NUD_NOARP))
			per[k - s->links]++;
	}
	for (size_t l = 0; l < s->nlinks; l++) {
		const struct nw_link *k = &s->links[l];
		struct nw_finding *f;
		uint64_t cnt = per[l];

		if ((k->flags & IFF_UP) && (k->flags & IFF_LOWER_UP))
			continue;
		if (!cnt || !(f = add_finding(s, NW_F_DEVICE_DOWN, PP_ST_WARN)))
			continue;
		f->ifindex = k->ifindex;
		f->count = cnt;
		snprintf(f->summary, sizeof(f->summary), "%llu entr%s on device %s, which is %s",
			 (unsigned long long)cnt, cnt == 1 ? "y" : "ies", nw_ifname(s, k->ifindex, dev, sizeof(dev)),
			 !(k->flags & IFF_UP) ? "down" : "up without carrier");
	}
	free(per);
}

static void
eval_tables(struct nw_snap *s)
{
	for (int t = 0; t < 2; t++) {
		struct nw_table *nt = &s->tables[t];
		struct nw_finding *f;

		if (!nt->have || !nt->has_config)
			continue;
		nt->gc_estimate = nt->config.ndtc_entries > nt->here_exempt ?
				  nt->config.ndtc_entries - nt->here_exempt : 0;
		if (nt->has_thresh && nt->gc_estimate >= nt->thresh2 &&
		    (f = add_finding(s, NW_F_TABLE_PRESSURE, PP_ST_FAIL))) {
			bool full = nt->gc_estimate >= nt->thresh3;

			f->family = nt->family;
			f->count = nt->gc_estimate;
			snprintf(f->summary, sizeof(f->summary),
				 "%s table holds about %llu entries counted against gc_thresh (%u entries in all, %llu exempt here) "
				 "at or above gc_thresh%s %u: %s. The limit counts every network namespace together",
				 nw_family_name(nt->family), (unsigned long long)nt->gc_estimate,
				 nt->config.ndtc_entries, (unsigned long long)nt->here_exempt,
				 full ? "3" : "2",
				 full ? nt->thresh3 : nt->thresh2,
				 full ? "new entries are refused (table full)" : "forced garbage collection runs");
		}
		if (nt->has_stats && nt->stats.ndts_table_fulls &&
		    (f = add_finding(s, NW_F_TABLE_FULLS, PP_ST_OK))) {
			f->family = nt->family;
			f->count = nt->stats.ndts_table_fulls;
			snprintf(f->summary, sizeof(f->summary),
				 "%s table was full %llu times since boot (%llu forced GC runs); counted over every network namespace",
				 nw_family_name(nt->family), (unsigned long long)nt->stats.ndts_table_fulls,
				 (unsigned long long)nt->stats.ndts_forced_gc_runs);
		}
	}
}

static void
unknown(struct nw_snap *s, const char *check, const struct pp_err *e)
{
	struct nw_finding *f = add_finding(s, NW_F_CHECK_UNKNOWN, PP_ST_UNKNOWN);
	const char *needs = pp_errno_needs(e->code);
	char buf[512];

	if (!f)
		return;
	snprintf(f->summary, sizeof(f->summary), "%s: %s%s%s", check, pp_err_str(e, buf, sizeof(buf)),
		 needs ? "; " : "", needs ? needs : "");
}

static int
cmp_sev(const void *pa, const void *pb)
{
	static const int rank[] = { [PP_ST_FAIL] = 0, [PP_ST_UNKNOWN] = 1, [PP_ST_WARN] = 2, [PP_ST_OK] = 3,
				    [PP_ST_SKIPPED] = 4 };
	const struct nw_finding *a = pa, *b = pb;

	if (rank[a->severity] != rank[b->severity])
		return rank[a->severity] - rank[b->severity];
	if (a->kind != b->kind)
		return (int)a->kind - (int)b->kind;
	return (a > b) - (a < b);
}

int
nw_eval(struct nw_snap *s, const struct nw_opts *o)
{
	struct grp byip, byll;
	bool fail = false, unk = false;

	s->nf = 0;
	for (int t = 0; t < 2; t++)
		s->tables[t].here = s->tables[t].here_exempt = 0;
	if (grp_build(&byip, s, false) < 0 || grp_build(&byll, s, true) < 0) {
		grp_free(&byip);
		grp_free(&byll);
		return -ENOMEM;
	}
	for (size_t i = 0; i < s->nent; i++) {
		struct nw_table *nt = nw_snap_table(s, s->ent[i].family);

		if (nt) {
			nt->here++;
			/* The kernel does not count these against gc_thresh (neigh_alloc's exempt_from_gc). */
			if ((s->ent[i].state & NUD_PERMANENT) || (s->ent[i].flags & (NTF_EXT_LEARNED | NTF_MANAGED)))
				nt->here_exempt++;
		}
	}
	if (s->routes_ok)
		eval_nexthops(s, &byip);
	else
		unknown(s, "next hops of routes", &s->routes_err);
	eval_failed_entries(s);
	eval_flux(s, &byip);
	eval_many_ips(s, &byip, &byll, o->mac_ips);
	eval_down(s);
	if (s->tables_ok)
		eval_tables(s);
	else
		unknown(s, "neighbour tables", &s->tables_err);
	grp_free(&byip);
	grp_free(&byll);
	if (s->nf)
		qsort(s->f, s->nf, sizeof(*s->f), cmp_sev);
	for (size_t i = 0; i < s->nf; i++) {
		if (s->f[i].severity == PP_ST_FAIL)
			fail = true;
		if (s->f[i].severity == PP_ST_UNKNOWN)
			unk = true;
	}
	/* Sorting moved findings: nexthop findings point at s->nh, entries at s->ent, both unmoved. */
	return fail ? PP_EXIT_PROBLEM : unk ? PP_EXIT_UNKNOWN : PP_EXIT_OK;
}
