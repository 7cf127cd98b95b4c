/* render.c: the snapshot as text, JSON and Prometheus. Reads the model only. */
#include <stdlib.h>
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include "mem.h"
#include "nw.h"

#define GLOBAL_NOTE "gc_thresh limits, entry counts and counters are global: every network namespace counts together"

static const char *
sev_name(enum pp_status st)
{
	switch (st) {
	case PP_ST_FAIL: return "fail";
	case PP_ST_WARN: return "warn";
	case PP_ST_UNKNOWN: return "unknown";
	default: return "info";
	}
}

/* USER_HZ ticks (100 per second) to milliseconds. */
static uint64_t
ticks_ms(uint32_t t)
{
	return (uint64_t)t * 10;
}

static const uint16_t state_bits[] = {	/* in bit order: main_state_idx() relies on it */
	NUD_INCOMPLETE, NUD_REACHABLE, NUD_STALE, NUD_DELAY, NUD_PROBE, NUD_FAILED, NUD_NOARP, NUD_PERMANENT, 0,
};
_Static_assert(NUD_INCOMPLETE == 0x01 && NUD_REACHABLE == 0x02 && NUD_STALE == 0x04 && NUD_DELAY == 0x08 &&
	       NUD_PROBE == 0x10 && NUD_FAILED == 0x20 && NUD_NOARP == 0x40 && NUD_PERMANENT == 0x80,
	       "state_bits[] is the NUD bits in order");

/* Entry counts per (family, device, state); the state is the entry's lowest NUD bit (entries hold one). */
/* state_bits[] is in bit order (NUD_INCOMPLETE 0x01 .. NUD_PERMANENT 0x80), so an entry's
 * index there is its lowest bit's number, and 8 (the trailing 0, "NONE") without one. */
static size_t
main_state_idx(uint16_t st)
{
	unsigned low = st & 0xffu;

	return low ? (size_t)__builtin_ctz(low) : PP_ARRAY_SIZE(state_bits) - 1;
}

static uint16_t
main_state(uint16_t st)
{
	return state_bits[main_state_idx(st)];
}

struct count_row {
	int family, ifindex;
	uint16_t state;
	uint64_t n;
};

/* Rows of counts into rows (caller frees). */
static size_t
count_rows(const struct nw_snap *s, struct count_row **out)
{
	struct count_row *rows = NULL;
	size_t n = 0, cap = 0, nent;
	const struct pp_neigh *ent = nw_snap_shown(s, &nent);

	for (size_t i = 0; i < nent; i++) {
		const struct pp_neigh *e = &ent[i];
		uint16_t st = main_state(e->state);
		size_t k;

		for (k = 0; k < n; k++)
			if (rows[k].family == e->family && rows[k].ifindex == e->ifindex && rows[k].state == st)
				break;
		if (k == n) {
			if (n == cap) {
				struct count_row *p = realloc(rows, (cap ? cap * 2 : 16) * sizeof(*rows));

				if (!p)
					break;
				rows = p;
				cap = cap ? cap * 2 : 16;
			}
			rows[n].family = e->family;
			rows[n].ifindex = e->ifindex;
			rows[n].state = st;
			rows[n].n = 0;
			n++;
		}
		rows[k].n++;
	}
	*out = rows;
	return n;
}

static void
flags_json(struct pp_json *j, uint8_t fl)
{
	pp_json_arr_open(j, "flags");
	if (fl & NTF_ROUTER)
		pp_json_str(j, NULL, "router");
	if (fl & NTF_PROXY)
		pp_json_str(j, NULL, "proxy");
	if (fl & NTF_EXT_LEARNED)
		pp_json_str(j, NULL, "extern_learn");
	if (fl & NTF_OFFLOADED)
		pp_json_str(j, NULL, "offload");
	if (fl & NTF_USE)
		pp_json_str(j, NULL, "use");
	pp_json_arr_close(j);
}

static void
entry_json(struct pp_json *j, const struct nw_snap *s, const struct pp_neigh *e, const char *key)
{
	char a[INET6_ADDRSTRLEN], ll[3 * 32], dev[IF_NAMESIZE + 8], st[64];

	pp_json_obj_open(j, key);
	pp_json_str(j, "family", nw_family_name(e->family));
	pp_json_str(j, "dst", pp_addr_str(&e->dst, a, sizeof(a)));
	pp_json_str(j, "device", nw_ifname(s, e->ifindex, dev, sizeof(dev)));
	pp_json_u64(j, "ifindex", (uint64_t)e->ifindex);
	pp_json_str(j, "state", nw_state_name(e->state, st, sizeof(st)));
	if (e->lladdr_len)
		pp_json_str(j, "lladdr", pp_lladdr_str(e->lladdr, e->lladdr_len, ll, sizeof(ll)));
	if (e->has_probes)
		pp_json_u64(j, "probes", e->probes);
	if (e->has_cacheinfo) {
		pp_json_u64(j, "used_ms", ticks_ms(e->ci.ndm_used));
		pp_json_u64(j, "confirmed_ms", ticks_ms(e->ci.ndm_confirmed));
		pp_json_u64(j, "updated_ms", ticks_ms(e->ci.ndm_updated));
	}
	flags_json(j, e->flags);
	pp_json_obj_close(j);
}

static void
table_json(struct pp_json *j, const struct nw_table *t)
{
	pp_json_obj_open(j, NULL);
	pp_json_str(j, "family", nw_family_name(t->family));
	pp_json_str(j, "name", t->name);
	pp_json_str(j, "scope", "global");
	if (t->has_config) {
		pp_json_u64(j, "entries", t->config.ndtc_entries);
		pp_json_u64(j, "gc_entries_estimate", t->gc_estimate);
	}
	pp_json_u64(j, "entries_here", t->here);
	pp_json_u64(j, "exempt_here", t->here_exempt);
	if (t->has_thresh) {
		pp_json_u64(j, "gc_thresh1", t->thresh1);
		pp_json_u64(j, "gc_thresh2", t->thresh2);
		pp_json_u64(j, "gc_thresh3", t->thresh3);
	}
	if (t->has_gc_interval)
		pp_json_u64(j, "gc_interval_ms", t->gc_interval_ms);
	if (t->has_stats) {
		const struct ndt_stats *st = &t->stats;

		pp_json_u64(j, "allocs", st->ndts_allocs);
		pp_json_u64(j, "destroys", st->ndts_destroys);
		pp_json_u64(j, "hash_grows", st->ndts_hash_grows);
		pp_json_u64(j, "res_failed", st->ndts_res_failed);
		pp_json_u64(j, "lookups", st->ndts_lookups);
		pp_json_u64(j, "hits", st->ndts_hits);
		pp_json_u64(j, "rcv_probes_mcast", st->ndts_rcv_probes_mcast);
		pp_json_u64(j, "rcv_probes_ucast", st->ndts_rcv_probes_ucast);
		pp_json_u64(j, "periodic_gc_runs", st->ndts_periodic_gc_runs);
		pp_json_u64(j, "forced_gc_runs", st->ndts_forced_gc_runs);
		pp_json_u64(j, "table_fulls", st->ndts_table_fulls);
	}
	if (t->has_default_probes) {
		pp_json_u64(j, "ucast_probes", t->ucast_probes);
		pp_json_u64(j, "mcast_probes", t->mcast_probes);
		pp_json_u64(j, "app_probes", t->app_probes);
	}
	pp_json_str(j, "note", GLOBAL_NOTE);
	pp_json_obj_close(j);
}

static void
finding_json(struct pp_json *j, const struct nw_snap *s, const struct nw_finding *f)
{
	char a[INET6_ADDRSTRLEN], ll[3 * 32], dev[IF_NAMESIZE + 8], st[64];

	pp_json_obj_open(j, NULL);
	pp_json_str(j, "kind", nw_kind_name(f->kind));
	pp_json_str(j, "severity", sev_name(f->severity));
	if (f->family)
		pp_json_str(j, "family", nw_family_name(f->family));
	if (f->dst.family)
		pp_json_str(j, "dst", pp_addr_str(&f->dst, a, sizeof(a)));
	if (f->ifindex)
		pp_json_str(j, "device", nw_ifname(s, f->ifindex, dev, sizeof(dev)));
	if (f->kind == NW_F_NEXTHOP_FAILED || f->kind == NW_F_NEXTHOP_UNRESOLVED)
		pp_json_str(j, "state", f->nref ? nw_state_name(f->state, st, sizeof(st)) : "NONE");
	else if (f->state)
		pp_json_str(j, "state", nw_state_name(f->state, st, sizeof(st)));
	if (f->has_probes)
		pp_json_u64(j, "probes", f->probes);
	if (f->lladdr_len)
		pp_json_str(j, "lladdr", pp_lladdr_str(f->lladdr, f->lladdr_len, ll, sizeof(ll)));
	if (f->kind != NW_F_CHECK_UNKNOWN)
		pp_json_u64(j, "count", f->count);
	if (f->nh) {
		pp_json_arr_open(j, "routes");
		for (unsigned i = 0; i < f->nh->nroutes && i < NW_NH_ROUTES; i++)
			pp_json_str(j, NULL, f->nh->routes[i]);
		pp_json_arr_close(j);
	}
	if (f->kind == NW_F_IP_MANY_LLADDR || f->kind == NW_F_LLADDR_MANY_IPS) {
		pp_json_arr_open(j, "entries");
		for (unsigned i = 0; i < f->nref; i++)
			entry_json(j, s, f->ref[i], NULL);
		pp_json_arr_close(j);
	}
	pp_json_str(j, "summary", f->summary);
	pp_json_obj_close(j);
}

/*
 * The entry list is most of a big snapshot's output, so entries are formatted by
 * hand when the output is compact: straight into one 64 KiB buffer shared by all
 * entries (the write position passed and returned by value, so it stays in a
 * register), flushed with one fwrite() when less than one entry's worst case
 * (EB_ROOM) is left. Every string written here is safe as it is (addresses, MACs,
 * state names, numbers) except the device name, which is escaped unless it is
 * plain. Writers may store up to EB_SLACK bytes past what they keep (fixed-size
 * copies instead of a call per string): the room check covers those too.
 */
#define EB_SIZE 65536
#define EB_SLACK 32
#define EB_ROOM 768	/* > the longest entry: 46 + 15 + 10 + 63 + 95 + 10 + 3 * 20 + 52 + keys, plus EB_SLACK */

static const char d2[] =
	"00010203040506070809101112131415161718192021222324252627282930313233343536373839"
	"40414243444546474849505152535455565758596061626364656667686970717273747576777879"
	"8081828384858687888990919293949596979899";
static const char hx2[] =
	"000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f"
	"202122232425262728292a2b2c2d2e2f303132333435363738393a3b3c3d3e3f"
	"404142434445464748494a4b4c4d4e4f505152535455565758595a5b5c5d5e5f"
	"606162636465666768696a6b6c6d6e6f707172737475767778797a7b7c7d7e7f"
	"808182838485868788898a8b8c8d8e8f909192939495969798999a9b9c9d9e9f"
	"a0a1a2a3a4a5a6a7a8a9aaabacadaeafb0b1b2b3b4b5b6b7b8b9babbbcbdbebf"
	"c0c1c2c3c4c5c6c7c8c9cacbcccdcecfd0d1d2d3d4d5d6d7d8d9dadbdcdddedf"
	"e0e1e2e3e4e5e6e7e8e9eaebecedeeeff0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

#define PUT_LIT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) += sizeof(s) - 1)

/* Decimal digits of v (1 for 0). */
static unsigned
ndigits(uint64_t v)
{
	unsigned n = 1;

	while (v >= 10000) {
		v /= 10000;
		n += 4;
	}
	if (v >= 100) {
		v /= 100;
		n += 2;
	}
	return n + (v >= 10);
}

/* v in decimal at p, two digits a division, written from the end; returns the end. */
static char *
put_u64(char *p, uint64_t v)
{
	char *end, *q;

	if (v < 10) {	/* an ifindex, a probe count */
		*p = (char)('0' + v);
		return p + 1;
	}
	end = p + ndigits(v);
	q = end;
	while (v >= 100) {
		unsigned r = (unsigned)(v % 100);

		v /= 100;
		q -= 2;
		memcpy(q, d2 + 2 * r, 2);
	}
	if (v >= 10) {
		q -= 2;
		memcpy(q, d2 + 2 * v, 2);
	} else {
		*--q = (char)('0' + v);
	}
	return end;
}

/* 20 bytes from v to p, which may overlap it: through a copy, so both moves are inlined. */
static void
copy20(char *p, const char *v)
{
	char t[20];

	memcpy(t, v, sizeof(t));
	memcpy(p, t, sizeof(t));
}

/* A string of len bytes from a buffer of at least EB_SLACK bytes: one fixed copy when it fits. */
static char *
put_padded(char *p, const char *s, size_t len)
{
	if (len <= EB_SLACK)
		memcpy(p, s, EB_SLACK);
	else
		memcpy(p, s, len);
	return p + len;
}

/*
 * An address in its RFC 5952 text form, as inet_ntop() writes it but without
 * its sprintf() per IPv6 group, which dominated the JSON of a big snapshot.
 */
static char *
put_addr(char *p, const struct pp_addr *a)
{
	if (a->family == AF_INET) {
		for (int i = 0; i < 4; i++) {
			unsigned v = a->u.b[i];

			if (i)
				*p++ = '.';
			if (v >= 100) {
				*p++ = (char)('0' + v / 100);
				v %= 100;
				memcpy(p, d2 + 2 * v, 2);
				p += 2;
			} else if (v >= 10) {
				memcpy(p, d2 + 2 * v, 2);
				p += 2;
			} else {
				*p++ = (char)('0' + v);
			}
		}
	} else if (a->family == AF_INET6) {
		uint16_t w[8];
		unsigned zero = 0;
		int best = -1, bestlen = 0;

		for (int i = 0; i < 8; i++) {
			w[i] = (uint16_t)(a->u.b[2 * i] << 8 | a->u.b[2 * i + 1]);
			zero |= (unsigned)(w[i] == 0) << i;
		}
		/* IPv4-mapped and -compatible forms: let inet_ntop write them. */
		if ((zero & 0x1f) == 0x1f && (w[5] == 0xffff || (!w[5] && w[6]))) {
			char t[INET6_ADDRSTRLEN];
			const char *s = pp_addr_str(a, t, sizeof(t));
			size_t n = strlen(s);

			memcpy(p, s, n);
			return p + n;
		}
		/* The longest run of zero groups (the first of equals), from the bit mask of zero groups. */
		for (unsigned m = zero; m;) {
			int i = __builtin_ctz(m), len = __builtin_ctz(~(m >> i));

			if (len > bestlen)
				best = i, bestlen = len;
			m &= ~((len >= 32 ? ~0u : (1u << len) - 1) << i);
		}
		if (bestlen < 2)
			best = -1;
		for (int i = 0; i < 8; i++) {
			if (i == best) {
				*p++ = ':';
				if (i == 0)
					*p++ = ':';
				i += bestlen - 1;
				continue;
			}
			/* A group without its leading zeros: as many hex digits as its highest bit needs, at least one. */
			unsigned nd = w[i] ? (unsigned)(35 - __builtin_clz(w[i])) / 4 : 1;
			char g[8];	/* 4 digits, then what the fixed copy below may read */

			memcpy(g, hx2 + 2 * (w[i] >> 8), 2);
			memcpy(g + 2, hx2 + 2 * (w[i] & 0xff), 2);
			memcpy(p, g + 4 - nd, 4);	/* 4 - nd bytes of slack */
			p += nd;
			if (i < 7)
				*p++ = ':';
		}
	}
	return p;
}

static bool
plain(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || (unsigned char)*s >= 0x7f || *s == '"' || *s == '\\')
			return false;
	return true;
}

/* The last device and state written, with their text: most entries share both with the one before. */
struct ecache {
	int ifindex;
	bool have_dev, dev_plain;
	uint16_t state;
	bool have_state;
	size_t dev_len, state_len;
	char dev[IF_NAMESIZE + 8 + EB_SLACK], st[64 + EB_SLACK];
};

/* One entry, compact, at p; NULL when it needs the general writer (a device name to escape). */
static char *
entry_fast(char *p, struct ecache *ec, const struct nw_snap *s, const struct pp_neigh *e, bool comma)
{
	if (!ec->have_dev || ec->ifindex != e->ifindex) {
		char db[IF_NAMESIZE + 8];
		const char *dev = nw_ifname(s, e->ifindex, db, sizeof(db));
		size_t n = strlen(dev);

		ec->have_dev = true;
		ec->ifindex = e->ifindex;
		ec->dev_plain = n < sizeof(ec->dev) - EB_SLACK && plain(dev);
		if (ec->dev_plain) {
			memset(ec->dev, 0, sizeof(ec->dev));
			memcpy(ec->dev, dev, n);
			ec->dev_len = n;
		}
	}
	if (!ec->dev_plain)
		return NULL;
	if (!ec->have_state || ec->state != e->state) {
		char st[64];
		const char *t = nw_state_name(e->state, st, sizeof(st));
		size_t n = strlen(t);

		if (n >= sizeof(ec->st) - EB_SLACK)
			n = sizeof(ec->st) - EB_SLACK - 1;
		memset(ec->st, 0, sizeof(ec->st));
		memcpy(ec->st, t, n);
		ec->state_len = n;
		ec->state = e->state;
		ec->have_state = true;
	}
	if (comma)
		*p++ = ',';
	if (e->family == AF_INET6)
		PUT_LIT(p, "{\"family\":\"inet6\",\"dst\":\"");
	else if (e->family == AF_INET)
		PUT_LIT(p, "{\"family\":\"inet\",\"dst\":\"");
	else
		PUT_LIT(p, "{\"family\":\"unspec\",\"dst\":\"");
	_Static_assert(sizeof("unspec") - 1 == 6, "nw_family_name()'s names");
	p = put_addr(p, &e->dst);
	PUT_LIT(p, "\",\"device\":\"");
	p = put_padded(p, ec->dev, ec->dev_len);
	PUT_LIT(p, "\",\"ifindex\":");
	p = put_u64(p, (uint64_t)e->ifindex);
	PUT_LIT(p, ",\"state\":\"");
	p = put_padded(p, ec->st, ec->state_len);
	*p++ = '"';
	if (e->lladdr_len) {
		unsigned n = e->lladdr_len < sizeof(e->lladdr) ? e->lladdr_len : (unsigned)sizeof(e->lladdr);

		PUT_LIT(p, ",\"lladdr\":\"");
		for (unsigned i = 0; i < n; i++) {
			memcpy(p, hx2 + 2 * e->lladdr[i], 2);
			p[2] = ':';
			p += 3;
		}
		p[-1] = '"';	/* over the last ':' */
	}
	if (e->has_probes) {
		PUT_LIT(p, ",\"probes\":");
		p = put_u64(p, e->probes);
	}
	if (e->has_cacheinfo) {
		char *v;
		size_t n;

		/*
		 * The three timers are often equal (an entry updated and confirmed at
		 * once): then the digits of the one before are copied (at most 11; the
		 * rest of the fixed copy is slack).
		 */
		PUT_LIT(p, ",\"used_ms\":");
		v = p;
		p = put_u64(p, ticks_ms(e->ci.ndm_used));
		n = (size_t)(p - v);
		PUT_LIT(p, ",\"confirmed_ms\":");
		if (e->ci.ndm_confirmed == e->ci.ndm_used) {
			copy20(p, v);
			v = p;
			p += n;
		} else {
			v = p;
			p = put_u64(p, ticks_ms(e->ci.ndm_confirmed));
			n = (size_t)(p - v);
		}
		PUT_LIT(p, ",\"updated_ms\":");
		if (e->ci.ndm_updated == e->ci.ndm_confirmed) {
			copy20(p, v);
			p += n;
		} else {
			p = put_u64(p, ticks_ms(e->ci.ndm_updated));
		}
	}
	if (!(e->flags & (NTF_ROUTER | NTF_PROXY | NTF_EXT_LEARNED | NTF_OFFLOADED | NTF_USE))) {
		PUT_LIT(p, ",\"flags\":[]}");
		return p;
	}
	PUT_LIT(p, ",\"flags\":[");
	{
		static const struct { uint8_t bit; const char *name; } fl[] = {
			{ NTF_ROUTER, "\"router\"" }, { NTF_PROXY, "\"proxy\"" },
			{ NTF_EXT_LEARNED, "\"extern_learn\"" }, { NTF_OFFLOADED, "\"offload\"" },
			{ NTF_USE, "\"use\"" },
		};
		bool first = true;

		for (size_t i = 0; i < PP_ARRAY_SIZE(fl); i++)
			if (e->flags & fl[i].bit) {
				size_t n = strlen(fl[i].name);

				if (!first)
					*p++ = ',';
				memcpy(p, fl[i].name, n);
				p += n;
				first = false;
			}
	}
	PUT_LIT(p, "]}");
	return p;
}

/*
 * A full buffer out: past stdio when the stream has a descriptor (its own
 * buffer emptied first, so the order holds), which spares copying every byte
 * of a big snapshot into stdio's buffer on the way. Errors are the stream's
 * concern as before: a short or failed write goes the stdio way, which retries
 * it and keeps its error state.
 */
static void
eb_flush(FILE *f, const char *buf, size_t n)
{
	int fd = fileno(f);

	if (n >= EB_SIZE / 2 && fd >= 0 && fflush(f) == 0) {
		while (n) {
			ssize_t w = write(fd, buf, n);

			if (w < 0 && errno == EINTR)
				continue;
			if (w <= 0)
				break;
			buf += w;
			n -= (size_t)w;
		}
	}
	if (n)
		fwrite(buf, 1, n, f);
}

/* The entries array's members: the compact ones from one buffer, the others through the writer. */
static void
entries_json(struct pp_json *j, const struct nw_snap *s, const struct pp_neigh *ent, size_t nent,
	     const struct pp_cli *c, FILE *f)
{
	struct ecache ec = { 0 };
	char *buf = c->pretty || !nent ? NULL : malloc(EB_SIZE), *p = buf;

	if (buf && nent > EB_SIZE / 512)	/* it will be filled: its pages in one call */
		pp_mem_prefault(buf, EB_SIZE);
	for (size_t i = 0; i < nent; i++) {
		char *q;

		if (buf) {
			if ((size_t)(buf + EB_SIZE - p) < EB_ROOM) {
				eb_flush(f, buf, (size_t)(p - buf));
				p = buf;
			}
			if ((q = entry_fast(p, &ec, s, &ent[i], !j->first[j->depth]))) {
				p = q;
				j->first[j->depth] = false;	/* the writer's comma bookkeeping */
				continue;
			}
			fwrite(buf, 1, (size_t)(p - buf), f);
			p = buf;
		}
		entry_json(j, s, &ent[i], NULL);
	}
	if (buf) {
		fwrite(buf, 1, (size_t)(p - buf), f);
		free(buf);
	}
}

void
nw_render_json(const struct nw_snap *s, const struct nw_opts *o, const struct pp_cli *c, FILE *f)
{
	char a[INET6_ADDRSTRLEN], dev[IF_NAMESIZE + 8], st[64];
	struct count_row *rows = NULL;
	size_t nrows = count_rows(s, &rows), nent;
	const struct pp_neigh *ent = nw_snap_shown(s, &nent);
	uint64_t nst[9] = { 0 };
	unsigned nfail = 0, nwarn = 0;
	struct pp_json j;

	pp_json_init(&j, f, c->pretty);
	pp_json_obj_open(&j, NULL);
	pp_json_str(&j, "schema", "neighwatch/1");
	pp_json_str(&j, "netns", pp_cli_netns_name(c));
	if (s->select) {
		pp_json_obj_open(&j, "selection");
		pp_json_bool(&j, "proxy", o->proxy);
		if (o->nud) {
			pp_json_arr_open(&j, "nud");
			for (size_t b = 0; b + 1 < PP_ARRAY_SIZE(state_bits); b++)
				if (o->nud & state_bits[b])
					pp_json_str(&j, NULL, nw_state_name(state_bits[b], st, sizeof(st)));
			if (o->nud & PP_NUD_NONE)
				pp_json_str(&j, NULL, "NONE");
			pp_json_arr_close(&j);
		}
		if (o->has_to) {
			char p[INET6_ADDRSTRLEN + 8];

			snprintf(p, sizeof(p), "%s/%u", pp_addr_str(&o->to, a, sizeof(a)), o->to_plen);
			pp_json_str(&j, "to", p);
		}
		if (o->has_get)
			pp_json_str(&j, "get", pp_addr_str(&o->get, a, sizeof(a)));
		pp_json_str(&j, "note", "entries, counts and summary are the selection; findings are about the whole table");
		pp_json_obj_close(&j);
	}
	pp_json_arr_open(&j, "entries");
	entries_json(&j, s, ent, nent, c, f);
	pp_json_arr_close(&j);

	pp_json_arr_open(&j, "counts");
	for (size_t i = 0; i < nrows; i++) {
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "family", nw_family_name(rows[i].family));
		pp_json_str(&j, "device", nw_ifname(s, rows[i].ifindex, dev, sizeof(dev)));
		pp_json_str(&j, "state", nw_state_name(rows[i].state, st, sizeof(st)));
		pp_json_u64(&j, "entries", rows[i].n);
		pp_json_obj_close(&j);
	}
	pp_json_arr_close(&j);

	if (s->routes_ok) {
		pp_json_arr_open(&j, "next_hops");
		for (size_t i = 0; i < s->nnh; i++) {
			const struct nw_nexthop *h = &s->nh[i];

			pp_json_obj_open(&j, NULL);
			pp_json_str(&j, "family", nw_family_name(h->family));
			pp_json_str(&j, "gateway", pp_addr_str(&h->gw, a, sizeof(a)));
			pp_json_str(&j, "device", nw_ifname(s, h->ifindex, dev, sizeof(dev)));
			pp_json_str(&j, "state", h->neigh ? nw_state_name(h->neigh->state, st, sizeof(st)) : "NONE");
			if (h->neigh && h->neigh->has_probes)
				pp_json_u64(&j, "probes", h->neigh->probes);
			pp_json_u64(&j, "route_count", h->nroutes);
			pp_json_arr_open(&j, "routes");
			for (unsigned r = 0; r < h->nroutes && r < NW_NH_ROUTES; r++)
				pp_json_str(&j, NULL, h->routes[r]);
			pp_json_arr_close(&j);
			pp_json_obj_close(&j);
		}
		pp_json_arr_close(&j);
	} else {
		pp_json_null(&j, "next_hops");
	}

	pp_json_arr_open(&j, "tables");
	for (int t = 0; t < 2; t++)
		if (s->tables[t].have && (o->family == AF_UNSPEC || o->family == s->tables[t].family))
			table_json(&j, &s->tables[t]);
	pp_json_arr_close(&j);

	pp_json_arr_open(&j, "findings");
	for (size_t i = 0; i < s->nf; i++) {
		finding_json(&j, s, &s->f[i]);
		nfail += s->f[i].severity == PP_ST_FAIL;
		nwarn += s->f[i].severity == PP_ST_WARN;
	}
	pp_json_arr_close(&j);

	for (size_t i = 0; i < nent; i++)
		nst[main_state_idx(ent[i].state)]++;
	pp_json_obj_open(&j, "summary");
	pp_json_u64(&j, "entries", nent);
	for (size_t b = 0; b < PP_ARRAY_SIZE(state_bits); b++) {
		char key[32], tmp[32];
		size_t k;

		snprintf(key, sizeof(key), "%s", nw_state_name(state_bits[b], tmp, sizeof(tmp)));
		for (k = 0; key[k]; k++)
			key[k] = (char)(key[k] >= 'A' && key[k] <= 'Z' ? key[k] - 'A' + 'a' : key[k]);
		pp_json_u64(&j, key, nst[b]);
	}
	pp_json_u64(&j, "next_hops", s->nnh);
	pp_json_u64(&j, "fail", nfail);
	pp_json_u64(&j, "warn", nwarn);
	pp_json_obj_close(&j);

	pp_json_arr_open(&j, "warnings");
	for (unsigned i = 0; i < s->nwarnings; i++)
		pp_json_str(&j, NULL, s->warnings[i]);
	pp_json_arr_close(&j);
	pp_json_obj_close(&j);
	pp_json_end(&j);
	free(rows);
}

void
nw_render_text(const struct nw_snap *s, const struct nw_opts *o, const struct pp_cli *c, FILE *f)
{
	char a[INET6_ADDRSTRLEN], ll[3 * 32], dev[IF_NAMESIZE + 8], st[64];
	struct count_row *rows = NULL;
	size_t nrows = count_rows(s, &rows), nent;
	const struct pp_neigh *ent = nw_snap_shown(s, &nent);

	if (pp_cli_netns_name(c))
		fprintf(f, "netns %s\n", pp_cli_netns_name(c));
	fprintf(f, "neighbour tables (global: %s)\n", "every network namespace counts against the same limits");
	for (int t = 0; t < 2; t++) {
		const struct nw_table *nt = &s->tables[t];

		if (!nt->have || (o->family != AF_UNSPEC && o->family != nt->family))
			continue;
		fprintf(f, "  %-5s %-12s", nw_family_name(nt->family), nt->name);
		if (nt->has_config)
			fprintf(f, " entries %u (here %llu, ~%llu against gc_thresh)", nt->config.ndtc_entries,
				(unsigned long long)nt->here, (unsigned long long)nt->gc_estimate);
		if (nt->has_thresh)
			fprintf(f, " gc_thresh1/2/3 %u/%u/%u", nt->thresh1, nt->thresh2, nt->thresh3);
		fputc('\n', f);
		if (nt->has_stats)
			fprintf(f, "        table_fulls %llu forced_gc_runs %llu res_failed %llu allocs %llu destroys %llu\n",
				(unsigned long long)nt->stats.ndts_table_fulls,
				(unsigned long long)nt->stats.ndts_forced_gc_runs,
				(unsigned long long)nt->stats.ndts_res_failed,
				(unsigned long long)nt->stats.ndts_allocs,
				(unsigned long long)nt->stats.ndts_destroys);
	}
	fprintf(f, "entries%s: %zu\n", s->select ? " (selection)" : "", nent);
	for (size_t i = 0; i < nrows; i++)
		fprintf(f, "  %-16s %-5s %-10s %llu\n", nw_ifname(s, rows[i].ifindex, dev, sizeof(dev)),
			nw_family_name(rows[i].family), nw_state_name(rows[i].state, st, sizeof(st)),
			(unsigned long long)rows[i].n);
	if (o->list_entries || s->select)
		for (size_t i = 0; i < nent; i++) {
			const struct pp_neigh *e = &ent[i];

			fprintf(f, "  %s dev %s", pp_addr_str(&e->dst, a, sizeof(a)),
				nw_ifname(s, e->ifindex, dev, sizeof(dev)));
			if (e->lladdr_len)
				fprintf(f, " lladdr %s", pp_lladdr_str(e->lladdr, e->lladdr_len, ll, sizeof(ll)));
			/* The flags as ip neigh writes them, in its order. */
			if (e->flags & NTF_ROUTER)
				fputs(" router", f);
			if (e->flags & NTF_PROXY)
				fputs(" proxy", f);
			if (e->flags & NTF_EXT_LEARNED)
				fputs(" extern_learn", f);
			if (e->flags & NTF_OFFLOADED)
				fputs(" offload", f);
			if (e->has_probes)
				fprintf(f, " probes %u", e->probes);
			fprintf(f, " %s\n", nw_state_name(e->state, st, sizeof(st)));
		}
	if (s->routes_ok) {
		fprintf(f, "next hops: %zu\n", s->nnh);
		for (size_t i = 0; i < s->nnh; i++) {
			const struct nw_nexthop *h = &s->nh[i];

			fprintf(f, "  %s dev %s %s, %u route%s\n", pp_addr_str(&h->gw, a, sizeof(a)),
				nw_ifname(s, h->ifindex, dev, sizeof(dev)),
				h->neigh ? nw_state_name(h->neigh->state, st, sizeof(st)) : "no entry",
				h->nroutes, h->nroutes == 1 ? "" : "s");
		}
	}
	fprintf(f, "findings: %zu\n", s->nf);
	for (size_t i = 0; i < s->nf; i++) {
		const struct nw_finding *x = &s->f[i];
		char tag[16];
		size_t k;

		snprintf(tag, sizeof(tag), "%s", sev_name(x->severity));
		for (k = 0; tag[k]; k++)
			tag[k] = (char)(tag[k] >= 'a' && tag[k] <= 'z' ? tag[k] - 'a' + 'A' : tag[k]);
		fprintf(f, "  %s%-7s%s %s\n", pp_color(c, x->severity), tag, pp_color_reset(c), x->summary);
	}
	for (unsigned i = 0; i < s->nwarnings; i++)
		fprintf(f, "warning: %s\n", s->warnings[i]);
	free(rows);
}

void
nw_render_prom(const struct nw_snap *s, struct pp_prom *p)
{
	char dev[IF_NAMESIZE + 8], st[64];
	struct count_row *rows = NULL;
	size_t nrows = count_rows(s, &rows);
	static const char *lv[] = { "1", "2", "3" };

	pp_prom_family(p, "pktpath_neighwatch_entries", "gauge",
		       "Neighbour entries in this network namespace by family, device and state.");
	for (size_t i = 0; i < nrows; i++) {
		struct pp_label l[3] = {
			{ "family", nw_family_name(rows[i].family) },
			{ "device", nw_ifname(s, rows[i].ifindex, dev, sizeof(dev)) },
			{ "state", nw_state_name(rows[i].state, st, sizeof(st)) },
		};
		pp_prom_sample_u64(p, "pktpath_neighwatch_entries", l, 3, rows[i].n);
	}
	free(rows);

	/*
	 * One sample per next hop of the routes, so that an alert can name the
	 * gateway: its value is how many routes go through it. Bounded by the
	 * routing table's distinct gateways, not by the neighbour table.
	 */
	if (s->routes_ok) {
		char a[INET6_ADDRSTRLEN];

		pp_prom_family(p, "pktpath_neighwatch_nexthop_routes", "gauge",
			       "Routes through each next hop (gateway), with the state of its neighbour entry (NONE: no entry).");
		for (size_t i = 0; i < s->nnh; i++) {
			const struct nw_nexthop *h = &s->nh[i];
			struct pp_label l[4] = {
				{ "family", nw_family_name(h->family) },
				{ "device", nw_ifname(s, h->ifindex, dev, sizeof(dev)) },
				{ "gateway", pp_addr_str(&h->gw, a, sizeof(a)) },
				{ "state", h->neigh ? nw_state_name(h->neigh->state, st, sizeof(st)) : "NONE" },
			};

			pp_prom_sample_u64(p, "pktpath_neighwatch_nexthop_routes", l, 4, h->nroutes);
		}
	}

	pp_prom_family(p, "pktpath_neighwatch_table_entries", "gauge",
		       "Entries in the neighbour table, counted over every network namespace (global).");
	for (int t = 0; t < 2; t++)
		if (s->tables[t].have && s->tables[t].has_config) {
			struct pp_label l = { "family", nw_family_name(s->tables[t].family) };

			pp_prom_sample_u64(p, "pktpath_neighwatch_table_entries", &l, 1, s->tables[t].config.ndtc_entries);
		}
	pp_prom_family(p, "pktpath_neighwatch_table_gc_entries_estimate", "gauge",
		       "Global entries minus the PERMANENT ones seen here: an upper bound of what gc_thresh is compared to.");
	for (int t = 0; t < 2; t++)
		if (s->tables[t].have && s->tables[t].has_config) {
			struct pp_label l = { "family", nw_family_name(s->tables[t].family) };

			pp_prom_sample_u64(p, "pktpath_neighwatch_table_gc_entries_estimate", &l, 1, s->tables[t].gc_estimate);
		}
	pp_prom_family(p, "pktpath_neighwatch_table_gc_thresh", "gauge",
		       "Neighbour table gc_thresh1/2/3 (global limits).");
	for (int t = 0; t < 2; t++) {
		const struct nw_table *nt = &s->tables[t];
		uint32_t v[3] = { nt->thresh1, nt->thresh2, nt->thresh3 };

		if (!nt->have || !nt->has_thresh)
			continue;
		for (int k = 0; k < 3; k++) {
			struct pp_label l[2] = { { "family", nw_family_name(nt->family) }, { "level", lv[k] } };

			pp_prom_sample_u64(p, "pktpath_neighwatch_table_gc_thresh", l, 2, v[k]);
		}
	}
#define STAT(name, field, help)								\
	do {										\
		pp_prom_family(p, "pktpath_neighwatch_table_" name "_total", "counter", help); \
		for (int t = 0; t < 2; t++)						\
			if (s->tables[t].have && s->tables[t].has_stats) {		\
				struct pp_label l = { "family", nw_family_name(s->tables[t].family) }; \
				pp_prom_sample_u64(p, "pktpath_neighwatch_table_" name "_total", &l, 1, \
						   s->tables[t].stats.field);		\
			}								\
	} while (0)
	STAT("allocs", ndts_allocs, "Neighbour entries allocated since boot (global).");
	STAT("destroys", ndts_destroys, "Neighbour entries destroyed since boot (global).");
	STAT("res_failed", ndts_res_failed, "Neighbour resolutions that failed since boot (global).");
	STAT("lookups", ndts_lookups, "Neighbour table lookups since boot (global).");
	STAT("hits", ndts_hits, "Neighbour table lookup hits since boot (global).");
	STAT("periodic_gc_runs", ndts_periodic_gc_runs, "Periodic garbage collection runs since boot (global).");
	STAT("forced_gc_runs", ndts_forced_gc_runs, "Forced garbage collection runs (above gc_thresh2) since boot (global).");
	STAT("fulls", ndts_table_fulls, "Times the neighbour table was full (gc_thresh3) since boot (global).");
#undef STAT
	pp_prom_family(p, "pktpath_neighwatch_findings", "gauge", "Findings of this run by kind and severity.");
	for (int k = 0; k < NW_F__COUNT; k++) {
		static const enum pp_status sevs[] = { PP_ST_FAIL, PP_ST_WARN, PP_ST_OK, PP_ST_UNKNOWN };

		for (size_t v = 0; v < PP_ARRAY_SIZE(sevs); v++) {
			uint64_t n = 0;

			for (size_t i = 0; i < s->nf; i++)
				n += s->f[i].kind == (enum nw_kind)k && s->f[i].severity == sevs[v];
			if (n) {
				struct pp_label l[2] = { { "kind", nw_kind_name((enum nw_kind)k) },
							 { "severity", sev_name(sevs[v]) } };
				pp_prom_sample_u64(p, "pktpath_neighwatch_findings", l, 2, n);
			}
		}
	}
}
