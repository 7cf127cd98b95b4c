/*
 * test_neighwatch.c: neighwatch without a kernel. The neighbour decoder on short,
 * truncated and unknown attributes; the evaluator's findings from a built set of
 * entries, routes, devices and tables; the watch model's transitions, MAC
 * changes, flapping window, resync and bounded memory.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/rtnetlink.h>

#include "../../cmd/neighwatch/nw.h"
#include "parse.h"
#include "test_common_msg.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

/* ---- building blocks ---- */

static bool
starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static struct pp_neigh
ent(const char *ip, int ifindex, uint16_t state, const char *mac)
{
	struct pp_neigh n;

	memset(&n, 0, sizeof(n));
	pp_parse_addr(ip, 0, &n.dst);
	n.family = n.dst.family;
	n.ifindex = ifindex;
	n.state = state;
	if (mac) {
		unsigned b[6];

		sscanf(mac, "%x:%x:%x:%x:%x:%x", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5]);
		for (int i = 0; i < 6; i++)
			n.lladdr[i] = (uint8_t)b[i];
		n.lladdr_len = 6;
	}
	return n;
}

static void
add_link(struct nw_snap *s, int ifindex, const char *name, unsigned flags)
{
	struct pp_link l;

	memset(&l, 0, sizeof(l));
	l.ifindex = ifindex;
	snprintf(l.name, sizeof(l.name), "%s", name);
	l.flags = flags;
	nw_snap_add_link(s, &l);
}

static void
add_route(struct nw_snap *s, const struct nw_opts *o, const char *dst, unsigned plen, const char *gw,
	  int oif)
{
	struct pp_route r;

	memset(&r, 0, sizeof(r));
	r.type = RTN_UNICAST;
	r.table = RT_TABLE_MAIN;
	if (dst) {
		pp_parse_addr(dst, 0, &r.dst);
		r.dst_len = (uint8_t)plen;
	}
	pp_parse_addr(gw, 0, &r.gateway);
	r.family = r.gateway.family;
	r.oif = oif;
	nw_snap_add_route(s, &r, o);
}

static void
opts_init(struct nw_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->mac_ips = 4;
	o->flap_count = 2;
	o->flap_window = 60;
}

static void
snap_std(struct nw_snap *s)
{
	nw_snap_init(s);
	add_link(s, 1, "lo", IFF_UP | IFF_LOWER_UP);
	add_link(s, 2, "c0", IFF_UP | IFF_LOWER_UP);
	add_link(s, 3, "c1", IFF_UP | IFF_LOWER_UP);
	s->links_ok = s->entries_ok = s->routes_ok = s->tables_ok = true;
}

static const struct nw_finding *
find_kind(const struct nw_snap *s, enum nw_kind k, unsigned nth)
{
	for (size_t i = 0; i < s->nf; i++)
		if (s->f[i].kind == k && nth-- == 0)
			return &s->f[i];
	return NULL;
}

static unsigned
count_kind(const struct nw_snap *s, enum nw_kind k)
{
	unsigned n = 0;

	for (size_t i = 0; i < s->nf; i++)
		n += s->f[i].kind == k;
	return n;
}

/* ---- neighbour decoder: short, truncated, unknown ---- */

static struct nlmsghdr *
neigh_msg(struct tmsg *m, uint16_t type)
{
	void *h;
	struct nlmsghdr *nlh = tmsg_start(m, type, sizeof(struct ndmsg), &h);
	struct ndmsg *ndm = h;

	ndm->ndm_family = AF_INET;
	ndm->ndm_ifindex = 2;
	ndm->ndm_state = NUD_FAILED;
	return nlh;
}

static void
test_neigh_decode_edges(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_neigh n;
	uint8_t a[4] = { 198, 51, 100, 50 }, ib[20];
	uint16_t shortp = 3;

	/* Unknown attributes are skipped, known ones read. */
	nlh = neigh_msg(&m, RTM_NEWNEIGH);
	mnl_attr_put(nlh, NDA_DST, 4, a);
	mnl_attr_put_u32(nlh, NDA_MAX + 9, 1);
	mnl_attr_put_u32(nlh, NDA_PROBES, 6);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), 0);
	CHECK(n.has_probes && n.probes == 6);
	CHECK_EQ_INT(n.state, NUD_FAILED);
	CHECK_EQ_INT(n.lladdr_len, 0);
	/* A 20-byte (InfiniBand) link-layer address is kept whole. */
	memset(ib, 0xab, sizeof(ib));
	nlh = neigh_msg(&m, RTM_NEWNEIGH);
	mnl_attr_put(nlh, NDA_DST, 4, a);
	mnl_attr_put(nlh, NDA_LLADDR, sizeof(ib), ib);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), 0);
	CHECK_EQ_INT(n.lladdr_len, 20);
	/* Short attributes. */
	nlh = neigh_msg(&m, RTM_NEWNEIGH);
	mnl_attr_put(nlh, NDA_DST, 3, a);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), -EBADMSG);
	nlh = neigh_msg(&m, RTM_NEWNEIGH);
	mnl_attr_put(nlh, NDA_DST, 4, a);
	mnl_attr_put(nlh, NDA_PROBES, sizeof(shortp), &shortp);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), -EBADMSG);
	nlh = neigh_msg(&m, RTM_NEWNEIGH);
	mnl_attr_put(nlh, NDA_DST, 4, a);
	mnl_attr_put(nlh, NDA_CACHEINFO, 8, ib);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), -EBADMSG);
	/* No destination: refused. */
	nlh = neigh_msg(&m, RTM_NEWNEIGH);
	mnl_attr_put_u32(nlh, NDA_PROBES, 1);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), -EBADMSG);
	/* Truncated: inside the attribute, inside the ndmsg. */
	nlh = neigh_msg(&m, RTM_NEWNEIGH);
	mnl_attr_put(nlh, NDA_DST, 4, a);
	mnl_attr_put_u32(nlh, NDA_PROBES, 6);
	CHECK_EQ_INT(TDECODE_LEN(pp_neigh_decode, nlh, nlh->nlmsg_len - 2, &n), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_neigh_decode, nlh, NLMSG_HDRLEN + 4, &n), -EBADMSG);
	/* A bridge FDB entry (AF_BRIDGE) is not ours. */
	nlh = neigh_msg(&m, RTM_NEWNEIGH);
	((struct ndmsg *)mnl_nlmsg_get_payload(nlh))->ndm_family = AF_BRIDGE;
	mnl_attr_put(nlh, NDA_LLADDR, 6, ib);
	CHECK(TDECODE(pp_neigh_decode, nlh, &n) < 0);
}

/* The entries array grows (heap, then mapped, moved by realloc) and is prefaulted ahead: every entry kept, also after a dump restarts. */
static void
test_snap_grow(void)
{
	struct nw_snap s;
	unsigned bad = 0;

	nw_snap_init(&s);
	for (unsigned round = 0; round < 2; round++) {
		s.nent = round ? 777 : 0;	/* a restarted dump keeps what came before it */
		for (unsigned k = s.nent; k < 20000; k++) {
			struct pp_neigh n;

			memset(&n, 0, sizeof(n));
			n.family = n.dst.family = AF_INET6;
			n.ifindex = (int)k;
			n.dst.u.b[0] = (uint8_t)round;
			memcpy(n.dst.u.b + 12, &k, sizeof(k));
			CHECK_EQ_INT(nw_snap_add_neigh(&s, &n), 0);
		}
		CHECK_EQ_INT(s.nent, 20000);
		for (unsigned k = 0; k < s.nent; k++) {
			unsigned v;

			memcpy(&v, s.ent[k].dst.u.b + 12, sizeof(v));
			bad += s.ent[k].ifindex != (int)k || v != k || s.ent[k].dst.u.b[0] != (k < 777 ? 0 : round);
		}
	}
	CHECK_EQ_INT(bad, 0);
	nw_snap_free(&s);
}

/* ---- evaluator ---- */

static void
test_eval_nexthop_failed(void)
{
	struct nw_snap s;
	struct nw_opts o;
	struct pp_neigh n = ent("198.51.100.50", 2, NUD_FAILED, NULL);
	const struct nw_finding *f;

	opts_init(&o);
	snap_std(&s);
	n.has_probes = true;
	n.probes = 6;
	nw_snap_add_neigh(&s, &n);
	add_route(&s, &o, NULL, 0, "198.51.100.50", 2);
	add_route(&s, &o, "203.0.113.0", 26, "198.51.100.50", 2);
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_PROBLEM);
	f = find_kind(&s, NW_F_NEXTHOP_FAILED, 0);
	CHECK(f != NULL);
	if (f) {
		CHECK_EQ_INT(f->severity, PP_ST_FAIL);
		CHECK_EQ_INT(f->count, 2);
		CHECK_EQ_INT(f->probes, 6);
		CHECK_EQ_INT(f->nh->nroutes, 2);
		/* The route text names the device as this host does: compare up to there. */
		CHECK(starts(f->summary, "next hop 198.51.100.50 dev c0 is FAILED (6 probes sent), used by 2 routes: "
				  "default via 198.51.100.50 "));
	}
	/* The entry is a next hop: not reported again as a plain FAILED entry. */
	CHECK_EQ_INT(count_kind(&s, NW_F_ENTRY_FAILED), 0);
	CHECK(s.f[0].kind == NW_F_NEXTHOP_FAILED);	/* fail sorts first */
	nw_snap_free(&s);
}

static void
test_eval_nexthop_states(void)
{
	struct nw_snap s;
	struct nw_opts o;
	struct pp_neigh r = ent("198.51.100.1", 2, NUD_REACHABLE, "02:00:00:00:00:01");
	struct pp_neigh st = ent("2001:db8:1::1", 2, NUD_STALE, "02:00:00:00:00:01");
	struct pp_neigh inc = ent("203.0.113.1", 3, NUD_INCOMPLETE, NULL);

	opts_init(&o);
	snap_std(&s);
	nw_snap_add_neigh(&s, &r);
	nw_snap_add_neigh(&s, &st);
	nw_snap_add_neigh(&s, &inc);
	add_route(&s, &o, NULL, 0, "198.51.100.1", 2);		/* REACHABLE: nothing to say */
	add_route(&s, &o, NULL, 0, "2001:db8:1::1", 2);		/* STALE: information */
	add_route(&s, &o, "203.0.113.128", 25, "203.0.113.9", 3);	/* no entry: information */
	add_route(&s, &o, "198.51.100.128", 25, "198.51.100.1", 3);	/* same gateway, other device: no entry there */
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_OK);
	CHECK_EQ_INT(count_kind(&s, NW_F_NEXTHOP_UNRESOLVED), 3);
	CHECK_EQ_INT(count_kind(&s, NW_F_NEXTHOP_FAILED), 0);
	CHECK_EQ_INT(find_kind(&s, NW_F_NEXTHOP_UNRESOLVED, 0)->severity, PP_ST_OK);
	/* INCOMPLETE, not a next hop: a warning about the entry. */
	CHECK_EQ_INT(count_kind(&s, NW_F_ENTRY_FAILED), 1);
	CHECK_STR(find_kind(&s, NW_F_ENTRY_FAILED, 0)->summary, "203.0.113.1 dev c1 is INCOMPLETE");
	nw_snap_free(&s);
}

static void
test_eval_failed_cap(void)
{
	struct nw_snap s;
	struct nw_opts o;
	char ip[32];

	opts_init(&o);
	snap_std(&s);
	for (int i = 0; i < 70; i++) {
		struct pp_neigh n;

		snprintf(ip, sizeof(ip), "2001:db8::%x", i + 1);
		n = ent(ip, 2, NUD_FAILED, NULL);
		nw_snap_add_neigh(&s, &n);
	}
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_OK);
	CHECK_EQ_INT(count_kind(&s, NW_F_ENTRY_FAILED), 65);
	CHECK_EQ_INT(find_kind(&s, NW_F_ENTRY_FAILED, 64)->count, 6);
	nw_snap_free(&s);
}

static void
test_eval_flux(void)
{
	struct nw_snap s;
	struct nw_opts o;
	struct pp_neigh a = ent("198.51.100.9", 2, NUD_REACHABLE, "02:00:00:00:00:b0");
	struct pp_neigh b = ent("198.51.100.9", 3, NUD_STALE, "02:00:00:00:00:c0");
	struct pp_neigh same = ent("198.51.100.10", 2, NUD_STALE, "02:00:00:00:00:d0");
	struct pp_neigh same2 = ent("198.51.100.10", 3, NUD_STALE, "02:00:00:00:00:d0");
	struct pp_neigh failed = ent("198.51.100.11", 2, NUD_FAILED, NULL);
	struct pp_neigh other = ent("198.51.100.11", 3, NUD_REACHABLE, "02:00:00:00:00:e0");
	const struct nw_finding *f;

	opts_init(&o);
	snap_std(&s);
	nw_snap_add_neigh(&s, &a);
	nw_snap_add_neigh(&s, &same);
	nw_snap_add_neigh(&s, &failed);
	nw_snap_add_neigh(&s, &b);
	nw_snap_add_neigh(&s, &same2);
	nw_snap_add_neigh(&s, &other);
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_OK);
	CHECK_EQ_INT(count_kind(&s, NW_F_IP_MANY_LLADDR), 1);
	f = find_kind(&s, NW_F_IP_MANY_LLADDR, 0);
	if (f) {
		CHECK_EQ_INT(f->severity, PP_ST_WARN);
		CHECK_EQ_INT(f->count, 2);
		CHECK_EQ_INT(f->nref, 2);
		CHECK_STR(f->summary, "198.51.100.9 answers with different addresses: 02:00:00:00:00:b0 on c0, "
				      "02:00:00:00:00:c0 on c1");
	}
	nw_snap_free(&s);
}

/* A group of three (IPv4 and IPv6, among others) has one head: one finding each, all three in it. */
static void
test_eval_flux_three(void)
{
	static const char *ips[] = { "198.51.100.30", "2001:db8::30" };
	struct nw_snap s;
	struct nw_opts o;
	char mac[32];

	opts_init(&o);
	snap_std(&s);
	for (int r = 0; r < 3; r++)
		for (int k = 0; k < 2; k++) {
			struct pp_neigh n, other;

			snprintf(mac, sizeof(mac), "02:00:00:00:%02x:%02x", k, r);
			n = ent(ips[k], 1 + r, NUD_REACHABLE, mac);
			nw_snap_add_neigh(&s, &n);
			snprintf(mac, sizeof(mac), "02:00:00:01:%02x:%02x", k, r);
			other = ent(k ? "2001:db8::31" : "198.51.100.31", 2, NUD_REACHABLE, mac);
			other.dst.u.b[k ? 15 : 3] = (uint8_t)(0x40 + r);
			nw_snap_add_neigh(&s, &other);
		}
	nw_eval(&s, &o);
	CHECK_EQ_INT(count_kind(&s, NW_F_IP_MANY_LLADDR), 2);
	for (unsigned i = 0; i < 2; i++) {
		const struct nw_finding *f = find_kind(&s, NW_F_IP_MANY_LLADDR, i);

		if (f) {
			CHECK_EQ_INT(f->count, 3);
			CHECK_EQ_INT(f->nref, 3);
		}
	}
	nw_snap_free(&s);
}

static void
test_eval_many_ips(void)
{
	struct nw_snap s;
	struct nw_opts o;
	char ip[32];
	const struct nw_finding *f;

	opts_init(&o);
	snap_std(&s);
	for (int i = 0; i < 5; i++) {
		struct pp_neigh n;

		snprintf(ip, sizeof(ip), "198.51.100.%d", 20 + i);
		n = ent(ip, 2, NUD_PERMANENT, "02:00:00:00:00:aa");
		nw_snap_add_neigh(&s, &n);
	}
	/* The same MAC over IPv6 is another family: counted apart. NOARP multicast is ignored. */
	{
		struct pp_neigh v6 = ent("2001:db8::20", 2, NUD_REACHABLE, "02:00:00:00:00:aa");
		struct pp_neigh mc = ent("ff02::1", 2, NUD_NOARP, "33:33:00:00:00:01");

		nw_snap_add_neigh(&s, &v6);
		nw_snap_add_neigh(&s, &mc);
	}
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_OK);
	CHECK_EQ_INT(count_kind(&s, NW_F_LLADDR_MANY_IPS), 1);
	f = find_kind(&s, NW_F_LLADDR_MANY_IPS, 0);
	if (f) {
		CHECK_EQ_INT(f->count, 5);
		CHECK_EQ_INT(f->family, AF_INET);
		CHECK_STR(f->summary, "02:00:00:00:00:aa answers for 5 inet addresses (198.51.100.20, "
				      "198.51.100.21, 198.51.100.22, 198.51.100.23, ...)");
	}
	o.mac_ips = 5;
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_OK);
	CHECK_EQ_INT(count_kind(&s, NW_F_LLADDR_MANY_IPS), 0);
	nw_snap_free(&s);
}

static void
test_eval_down_device(void)
{
	struct nw_snap s;
	struct nw_opts o;
	struct pp_neigh a = ent("198.51.100.20", 4, NUD_PERMANENT, "02:00:00:00:00:01");
	struct pp_neigh b = ent("198.51.100.21", 4, NUD_PERMANENT, "02:00:00:00:00:02");
	struct pp_neigh c = ent("198.51.100.22", 5, NUD_PERMANENT, "02:00:00:00:00:03");

	opts_init(&o);
	snap_std(&s);
	add_link(&s, 4, "d0", 0);
	add_link(&s, 5, "d1", IFF_UP);
	nw_snap_add_neigh(&s, &a);
	nw_snap_add_neigh(&s, &b);
	nw_snap_add_neigh(&s, &c);
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_OK);
	CHECK_EQ_INT(count_kind(&s, NW_F_DEVICE_DOWN), 2);
	CHECK_STR(find_kind(&s, NW_F_DEVICE_DOWN, 0)->summary, "2 entries on device d0, which is down");
	CHECK_STR(find_kind(&s, NW_F_DEVICE_DOWN, 1)->summary, "1 entry on device d1, which is up without carrier");
	nw_snap_free(&s);
}

static void
set_table(struct nw_snap *s, int fam, uint32_t entries, uint64_t fulls)
{
	struct nw_table *t = nw_snap_table(s, fam);

	t->have = t->has_thresh = t->has_config = t->has_stats = true;
	snprintf(t->name, sizeof(t->name), "%s", fam == AF_INET ? "arp_cache" : "ndisc_cache");
	t->thresh1 = 128;
	t->thresh2 = 512;
	t->thresh3 = 1024;
	t->config.ndtc_entries = entries;
	t->stats.ndts_table_fulls = fulls;
	t->stats.ndts_forced_gc_runs = 7;
}

static void
test_eval_tables(void)
{
	struct nw_snap s;
	struct nw_opts o;
	const struct nw_finding *f;

	opts_init(&o);
	snap_std(&s);
	set_table(&s, AF_INET, 100, 0);
	set_table(&s, AF_INET6, 1030, 4);
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_PROBLEM);
	CHECK_EQ_INT(count_kind(&s, NW_F_TABLE_PRESSURE), 1);
	f = find_kind(&s, NW_F_TABLE_PRESSURE, 0);
	if (f) {
		CHECK_EQ_INT(f->family, AF_INET6);
		CHECK_EQ_INT(f->count, 1030);
		CHECK(strstr(f->summary, "gc_thresh3 1024: new entries are refused") != NULL);
		CHECK(strstr(f->summary, "every network namespace") != NULL);
	}
	f = find_kind(&s, NW_F_TABLE_FULLS, 0);
	CHECK(f && f->count == 4 && f->severity == PP_ST_OK);
	/* PERMANENT entries seen here are not counted against gc_thresh. */
	for (int i = 0; i < 600; i++) {
		struct pp_neigh n = ent("2001:db8::1", 2, NUD_PERMANENT, "02:00:00:00:00:01");

		n.dst.u.b[14] = (uint8_t)(i >> 8);
		n.dst.u.b[15] = (uint8_t)i;
		nw_snap_add_neigh(&s, &n);
	}
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_OK);
	CHECK_EQ_INT(count_kind(&s, NW_F_TABLE_PRESSURE), 0);
	CHECK_EQ_INT(s.tables[1].gc_estimate, 430);
	CHECK_EQ_INT(s.tables[1].here_exempt, 600);
	/* Between gc_thresh2 and gc_thresh3: forced GC, still pressure. */
	set_table(&s, AF_INET, 520, 0);
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_PROBLEM);
	f = find_kind(&s, NW_F_TABLE_PRESSURE, 0);
	CHECK(f && f->family == AF_INET && strstr(f->summary, "gc_thresh2 512: forced garbage collection") != NULL);
	nw_snap_free(&s);
}

static void
test_eval_unknown(void)
{
	struct nw_snap s;
	struct nw_opts o;

	opts_init(&o);
	snap_std(&s);
	s.routes_ok = false;
	pp_err_set(&s.routes_err, EPERM, "RTM_GETROUTE dump");
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_UNKNOWN);
	CHECK_EQ_INT(count_kind(&s, NW_F_CHECK_UNKNOWN), 1);
	CHECK(strstr(find_kind(&s, NW_F_CHECK_UNKNOWN, 0)->summary, "next hops of routes: RTM_GETROUTE dump") != NULL);
	/* A failure still wins over unknown. */
	set_table(&s, AF_INET, 2000, 0);
	CHECK_EQ_INT(nw_eval(&s, &o), PP_EXIT_PROBLEM);
	nw_snap_free(&s);
}

static void
test_render_json(void)
{
	struct nw_snap s;
	struct nw_opts o;
	struct pp_cli c;
	struct pp_neigh n = ent("198.51.100.50", 2, NUD_FAILED, NULL);
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	opts_init(&o);
	pp_cli_init(&c, "neighwatch");
	snap_std(&s);
	nw_snap_add_neigh(&s, &n);
	add_route(&s, &o, NULL, 0, "198.51.100.50", 2);
	set_table(&s, AF_INET, 3, 0);
	nw_eval(&s, &o);
	nw_render_json(&s, &o, &c, f);
	fclose(f);
	CHECK(starts(buf, "{\"schema\":\"neighwatch/1\",\"netns\":null,\"entries\":["));
	CHECK(strstr(buf, "\"kind\":\"nexthop_failed\",\"severity\":\"fail\",\"family\":\"inet\","
			  "\"dst\":\"198.51.100.50\",\"device\":\"c0\",\"state\":\"FAILED\"") != NULL);
	CHECK(strstr(buf, "\"scope\":\"global\"") != NULL);
	CHECK(strstr(buf, "\"summary\":{\"entries\":1,") != NULL);
	free(buf);
	nw_snap_free(&s);
}

/* The compact JSON writes addresses itself: it must agree with inet_ntop() on every form. */
static void
test_render_addr_forms(void)
{
	struct nw_opts o;
	struct pp_cli c;
	uint32_t seed = 12345;
	unsigned bad = 0;

	opts_init(&o);
	pp_cli_init(&c, "neighwatch");
	for (int k = 0; k < 3000; k++) {
		struct nw_snap s;
		struct pp_neigh n;
		char want[INET6_ADDRSTRLEN], key[INET6_ADDRSTRLEN + 16];
		char *buf = NULL;
		size_t len = 0;
		FILE *f;

		memset(&n, 0, sizeof(n));
		n.ifindex = 2;
		n.state = NUD_PERMANENT;
		if (k % 5 == 0) {
			n.family = n.dst.family = AF_INET;
			for (int i = 0; i < 4; i++)
				n.dst.u.b[i] = (uint8_t)(trand(&seed) % 4 == 0 ? 0 : trand(&seed));
		} else {
			n.family = n.dst.family = AF_INET6;
			/* Mostly zero groups, so every run length and position is tried. */
			for (int i = 0; i < 8; i++) {
				uint32_t r = trand(&seed);
				uint16_t w = r % 3 == 0 ? (uint16_t)(r >> 8) : r % 7 == 1 ? (uint16_t)(r >> 20 & 0xf) : 0;

				n.dst.u.b[2 * i] = (uint8_t)(w >> 8);
				n.dst.u.b[2 * i + 1] = (uint8_t)w;
			}
			if (k % 97 == 0) {	/* IPv4-mapped */
				memset(n.dst.u.b, 0, 10);
				n.dst.u.b[10] = n.dst.u.b[11] = 0xff;
			}
		}
		/* ... and numbers with printf() (two digits a division there), every digit count. */
		static const uint32_t vals[] = { 0, 7, 9, 10, 42, 99, 100, 101, 999, 1000, 12345, 99999, 100000,
						 4000000000u, UINT32_MAX };
		char pkey[40];

		n.has_probes = true;
		n.probes = vals[k % PP_ARRAY_SIZE(vals)];
		snprintf(pkey, sizeof(pkey), "\"probes\":%u,", (unsigned)n.probes);
		inet_ntop(n.family, n.dst.u.b, want, sizeof(want));
		snprintf(key, sizeof(key), "\"dst\":\"%s\"", want);
		snap_std(&s);
		nw_snap_add_neigh(&s, &n);
		nw_eval(&s, &o);
		f = open_memstream(&buf, &len);
		nw_render_json(&s, &o, &c, f);
		fclose(f);
		if (!strstr(buf, key) && bad++ < 5)
			printf("#   expected %s in %.160s\n", key, buf);
		if (!strstr(buf, pkey) && bad++ < 5)
			printf("#   expected %s in %.200s\n", pkey, buf);
		free(buf);
		nw_snap_free(&s);
	}
	CHECK_EQ_INT(bad, 0);
}

/*
 * The compact entries are written into one buffer flushed every 64 KiB, with the
 * device and state of the entry before kept, and a timer equal to the one
 * before copied: every field against printf() over enough entries to flush many
 * times, the device and state changing, fallbacks to the general writer (a
 * device name to escape) between them, and timers of every digit count.
 */
static void
test_render_entries_stream(void)
{
	static const uint32_t vals[] = { 0, 1, 9, 10, 99, 100, 12345, 99999999, 100000000, UINT32_MAX };
	static const int ifs[] = { 2, 2, 3, 7, 2, 4, 3, 3 };
	static const uint16_t states[] = { NUD_PERMANENT, NUD_PERMANENT, NUD_REACHABLE, NUD_STALE | NUD_DELAY, 0,
					   NUD_FAILED };
	static const unsigned lllen[] = { 6, 0, 1, 6, 20, 32 };
	static const struct { uint8_t bit; const char *name; } fl[] = {
		{ NTF_ROUTER, "router" }, { NTF_PROXY, "proxy" }, { NTF_EXT_LEARNED, "extern_learn" },
		{ NTF_OFFLOADED, "offload" }, { NTF_USE, "use" },
	};
	enum { N = 3000 };
	struct nw_snap s;
	struct nw_opts o;
	struct pp_cli c;
	char *buf = NULL, *want = malloc(N * 700), *w = want, *got, *end;
	size_t len = 0;
	FILE *f;

	opts_init(&o);
	pp_cli_init(&c, "neighwatch");
	snap_std(&s);
	add_link(&s, 4, "a\"b", IFF_UP | IFF_LOWER_UP);
	for (unsigned k = 0; k < N; k++) {
		struct pp_neigh n;
		char a[INET6_ADDRSTRLEN], st[64];
		const char *dev;
		uint32_t u = vals[k % 10], cf = vals[(k / 10) % 10], up = vals[(k / 100) % 10];

		memset(&n, 0, sizeof(n));
		if (k % 3 == 0) {
			n.family = n.dst.family = AF_INET;
			n.dst.u.b[0] = 203, n.dst.u.b[1] = 0, n.dst.u.b[2] = 113, n.dst.u.b[3] = (uint8_t)k;
		} else {
			n.family = n.dst.family = AF_INET6;
			n.dst.u.b[0] = 0x20, n.dst.u.b[1] = 0x01, n.dst.u.b[2] = 0x0d, n.dst.u.b[3] = 0xb8;
			n.dst.u.b[14] = (uint8_t)(k >> 8), n.dst.u.b[15] = (uint8_t)k;
			if (k % 7 == 0)
				n.dst.u.b[8] = 0xff;
		}
		n.ifindex = ifs[(k / 3) % PP_ARRAY_SIZE(ifs)];
		n.state = states[(k / 5) % PP_ARRAY_SIZE(states)];
		n.lladdr_len = (uint8_t)lllen[k % PP_ARRAY_SIZE(lllen)];
		for (unsigned i = 0; i < n.lladdr_len; i++)
			n.lladdr[i] = (uint8_t)(i == 0 ? 0xff : i == 1 ? 0 : k * 7 + i * 13);
		n.has_probes = k % 4 != 1;
		n.probes = vals[(k / 4) % 10];
		n.has_cacheinfo = k % 11 != 3;
		/* Equal timers in every pattern: all, the first two, the last two, none. */
		if (k % 4 == 0)
			cf = up = u;
		else if (k % 4 == 1)
			cf = u;
		else if (k % 4 == 2)
			up = cf;
		n.ci.ndm_used = u, n.ci.ndm_confirmed = cf, n.ci.ndm_updated = up;
		n.flags = (uint8_t)((k & 1 ? NTF_ROUTER : 0) | (k & 2 ? NTF_PROXY : 0) | (k & 4 ? NTF_EXT_LEARNED : 0) |
				    (k % 9 == 0 ? NTF_OFFLOADED : 0) | (k % 13 == 0 ? NTF_USE : 0));
		nw_snap_add_neigh(&s, &n);

		dev = n.ifindex == 2 ? "c0" : n.ifindex == 3 ? "c1" : n.ifindex == 4 ? "a\\\"b" : "if7";
		w += sprintf(w, "%s{\"family\":\"%s\",\"dst\":\"%s\",\"device\":\"%s\",\"ifindex\":%d,\"state\":\"%s\"",
			     k ? "," : "", n.family == AF_INET ? "inet" : "inet6", inet_ntop(n.family, n.dst.u.b, a, sizeof(a)),
			     dev, n.ifindex, n.state ? pp_neigh_state_name(n.state, st, sizeof(st)) : "NONE");
		if (n.lladdr_len) {
			w += sprintf(w, ",\"lladdr\":\"");
			for (unsigned i = 0; i < n.lladdr_len; i++)
				w += sprintf(w, "%s%02x", i ? ":" : "", n.lladdr[i]);
			w += sprintf(w, "\"");
		}
		if (n.has_probes)
			w += sprintf(w, ",\"probes\":%u", n.probes);
		if (n.has_cacheinfo)
			w += sprintf(w, ",\"used_ms\":%llu,\"confirmed_ms\":%llu,\"updated_ms\":%llu",
				     (unsigned long long)u * 10, (unsigned long long)cf * 10, (unsigned long long)up * 10);
		w += sprintf(w, ",\"flags\":[");
		for (size_t i = 0, first = 1; i < PP_ARRAY_SIZE(fl); i++)
			if (n.flags & fl[i].bit) {
				w += sprintf(w, "%s\"%s\"", first ? "" : ",", fl[i].name);
				first = 0;
			}
		w += sprintf(w, "]}");
	}
	nw_eval(&s, &o);
	f = open_memstream(&buf, &len);
	nw_render_json(&s, &o, &c, f);
	fclose(f);
	got = strstr(buf, "\"entries\":[");
	end = got ? strstr(got, "],\"counts\":") : NULL;
	CHECK(got && end);
	if (got && end) {
		size_t n;

		got += strlen("\"entries\":[");
		*end = '\0';
		for (n = 0; got[n] && got[n] == want[n]; n++)
			;
		if (got[n] || want[n])
			printf("#   differ at %zu: got %.120s\n#   want %.120s\n", n, got + n, want + n);
		CHECK(strcmp(got, want) == 0);
		CHECK(strlen(got) > 4 * 65536);	/* flushed many times */
	}
	free(buf);
	free(want);
	nw_snap_free(&s);
}

/* ---- watch model ---- */

static void
test_watch_transitions(void)
{
	struct nw_watch w;
	struct nw_event ev;
	struct pp_neigh n = ent("198.51.100.9", 2, NUD_REACHABLE, "02:00:00:00:0b:01");

	CHECK_EQ_INT(nw_watch_init(&w, 64, 2, 30), 0);
	CHECK(nw_watch_apply(&w, &n, false, 1000, &ev));
	CHECK_EQ_INT(ev.type, NW_EV_NEW);
	CHECK(!ev.lladdr_changed && !ev.flap_start);
	/* The same again: nothing visible. */
	CHECK(!nw_watch_apply(&w, &n, false, 1100, &ev));
	/* REACHABLE -> STALE is ageing, not a flip. */
	n.state = NUD_STALE;
	CHECK(nw_watch_apply(&w, &n, false, 1200, &ev));
	CHECK_EQ_INT(ev.type, NW_EV_CHANGE);
	CHECK_EQ_INT(ev.old_state, NUD_REACHABLE);
	CHECK_EQ_INT(ev.flips_in_window, 0);
	/* MAC changes: flips 1, 2, then 3 > 2 starts flapping, once. */
	n.lladdr[5] = 2;
	CHECK(nw_watch_apply(&w, &n, false, 2000, &ev));
	CHECK(ev.lladdr_changed && ev.old_lladdr[5] == 1 && ev.lladdr[5] == 2);
	CHECK_EQ_INT(ev.flips_in_window, 1);
	n.state = NUD_FAILED;
	CHECK(nw_watch_apply(&w, &n, false, 3000, &ev));
	CHECK(!ev.lladdr_changed && !ev.flap_start);
	CHECK_EQ_INT(ev.flips_in_window, 2);
	n.state = NUD_REACHABLE;
	CHECK(nw_watch_apply(&w, &n, false, 4000, &ev));
	CHECK(ev.flap_start && ev.flapping);
	CHECK_EQ_INT(ev.flips_in_window, 3);
	n.state = NUD_FAILED;
	CHECK(nw_watch_apply(&w, &n, false, 5000, &ev));
	CHECK(!ev.flap_start && ev.flapping);
	CHECK_EQ_INT(w.flaps, 1);
	CHECK_EQ_INT(w.lladdr_changes, 1);
	CHECK_EQ_INT(w.fam[0].flaps, 1);
	/* Long after the window, one flip alone is no flapping. */
	n.state = NUD_REACHABLE;
	CHECK(nw_watch_apply(&w, &n, false, 100000, &ev));
	CHECK(!ev.flapping);
	/* Deleted, then back with another MAC: a MAC change across the delete. */
	CHECK(nw_watch_apply(&w, &n, true, 101000, &ev));
	CHECK_EQ_INT(ev.type, NW_EV_DEL);
	CHECK_EQ_INT(w.present, 0);
	CHECK(!nw_watch_apply(&w, &n, true, 101100, &ev));	/* deleting twice: nothing */
	n.lladdr[5] = 7;
	CHECK(nw_watch_apply(&w, &n, false, 102000, &ev));
	CHECK_EQ_INT(ev.type, NW_EV_NEW);
	CHECK(ev.lladdr_changed && ev.old_lladdr[5] == 2);
	CHECK_EQ_INT(w.present, 1);
	nw_watch_free(&w);
}

static void
test_watch_spread_flips(void)
{
	struct nw_watch w;
	struct nw_event ev;
	struct pp_neigh n = ent("2001:db8::9", 2, NUD_REACHABLE, "02:00:00:00:0b:01");

	nw_watch_init(&w, 64, 2, 10);
	nw_watch_apply(&w, &n, false, 0, &ev);
	/* A flip every 6 s: never more than 2 within 10 s. */
	for (int i = 1; i <= 20; i++) {
		n.state = (i & 1) ? NUD_FAILED : NUD_REACHABLE;
		nw_watch_apply(&w, &n, false, (uint64_t)i * 6000, &ev);
		CHECK(!ev.flapping);
	}
	CHECK_EQ_INT(w.flaps, 0);
	nw_watch_free(&w);
}

static void
test_watch_bounded(void)
{
	struct nw_watch w;
	struct nw_event ev;
	char ip[48];

	nw_watch_init(&w, 16, 4, 60);
	for (int i = 0; i < 40; i++) {
		struct pp_neigh n;

		snprintf(ip, sizeof(ip), "2001:db8::%x", i + 1);
		n = ent(ip, 2, NUD_PERMANENT, "02:00:00:00:00:01");
		CHECK(nw_watch_apply(&w, &n, false, (uint64_t)i, &ev));
	}
	CHECK_EQ_INT(w.n, 16);
	CHECK_EQ_INT(w.cap, 16);
	CHECK_EQ_INT(w.evicted, 24);
	CHECK_EQ_INT(w.present, 16);
	{
		struct pp_neigh old = ent("2001:db8::1", 2, 0, NULL), last = ent("2001:db8::28", 2, 0, NULL);

		CHECK(nw_watch_find(&w, AF_INET6, 2, &old.dst) == NULL);
		CHECK(nw_watch_find(&w, AF_INET6, 2, &last.dst) != NULL);
	}
	/* A million events over 1000 keys: the pool never passes its cap. */
	for (int i = 0; i < 1000000; i++) {
		struct pp_neigh n;

		snprintf(ip, sizeof(ip), "198.51.%d.%d", (i % 1000) / 250, i % 250);
		n = ent(ip, 2, (i / 1000) & 1 ? NUD_REACHABLE : NUD_FAILED, "02:00:00:00:00:01");
		nw_watch_apply(&w, &n, (i / 1000) % 3 == 2, (uint64_t)i, &ev);
	}
	CHECK_EQ_INT(w.n, 16);
	CHECK_EQ_INT(w.cap, 16);
	nw_watch_free(&w);
}

static int resync_dels;

static void
count_del(const struct nw_event *ev, void *data)
{
	(void)data;
	if (ev->type == NW_EV_DEL && ev->resync)
		resync_dels++;
}

static void
test_watch_resync(void)
{
	struct nw_watch w;
	struct nw_event ev;
	struct pp_neigh a = ent("198.51.100.1", 2, NUD_REACHABLE, "02:00:00:00:00:01");
	struct pp_neigh b = ent("198.51.100.2", 2, NUD_REACHABLE, "02:00:00:00:00:02");

	nw_watch_init(&w, 64, 4, 60);
	nw_watch_apply(&w, &a, false, 1, &ev);
	nw_watch_apply(&w, &b, false, 2, &ev);
	/* Events were lost: the dump shows a changed and b gone. */
	nw_watch_resync_begin(&w);
	a.state = NUD_STALE;
	CHECK(nw_watch_apply(&w, &a, false, 3, &ev));
	resync_dels = 0;
	nw_watch_resync_end(&w, 4, count_del, NULL);
	CHECK_EQ_INT(resync_dels, 1);
	CHECK_EQ_INT(w.present, 1);
	CHECK(!nw_watch_find(&w, AF_INET, 2, &b.dst)->present);
	CHECK_EQ_INT(nw_watch_find(&w, AF_INET, 2, &a.dst)->state, NUD_STALE);
	nw_watch_free(&w);
}

/* --nud names as ip(8) spells them; the selection filter as ip neigh show applies it. */
static void
test_select_filter(void)
{
	struct nw_opts o;
	struct pp_neigh n = { .family = AF_INET, .ifindex = 2, .state = NUD_FAILED };
	unsigned m = 0;

	CHECK_EQ_INT(pp_neigh_nud_parse("failed", &m), 0);
	CHECK_EQ_INT(pp_neigh_nud_parse("REACHABLE", &m), 0);
	CHECK_EQ_INT((int)m, NUD_FAILED | NUD_REACHABLE);
	CHECK(pp_neigh_nud_parse("failing", &m) < 0);
	CHECK(pp_neigh_nud_parse("", &m) < 0);
	m = 0;
	CHECK_EQ_INT(pp_neigh_nud_parse("all", &m), 0);
	CHECK(m & PP_NUD_NONE);
	m = 0;
	CHECK_EQ_INT(pp_neigh_nud_parse("none", &m), 0);
	CHECK_EQ_INT((int)m, PP_NUD_NONE);

	memset(&o, 0, sizeof(o));
	o.select = true;
	o.nud = NUD_FAILED;
	pp_parse_addr("198.51.100.50", AF_INET, &n.dst);
	CHECK(nw_select_match(&o, &n));
	n.state = NUD_REACHABLE;
	CHECK(!nw_select_match(&o, &n));
	/* ip: extern_learn and proxy entries pass any state filter. */
	n.flags = NTF_EXT_LEARNED;
	CHECK(nw_select_match(&o, &n));
	n.flags = NTF_PROXY;
	n.state = 0;
	CHECK(nw_select_match(&o, &n));
	n.flags = 0;
	CHECK(!nw_select_match(&o, &n));
	o.nud = PP_NUD_NONE;
	CHECK(nw_select_match(&o, &n));
	/* No --nud: every state but NOARP (and NONE); --get: whatever the state. */
	o.nud = 0;
	n.state = NUD_NOARP;
	CHECK(!nw_select_match(&o, &n));
	n.state = NUD_STALE;
	CHECK(nw_select_match(&o, &n));
	o.has_get = true;
	n.state = NUD_NOARP;
	CHECK(nw_select_match(&o, &n));
	o.has_get = false;
	/* --to: the prefix, and the family. */
	n.state = NUD_STALE;
	o.has_to = true;
	CHECK_EQ_INT(pp_parse_prefix("198.51.100.48/28", &o.to, &o.to_plen), 0);
	CHECK(nw_select_match(&o, &n));
	pp_parse_addr("198.51.100.64", AF_INET, &n.dst);
	CHECK(!nw_select_match(&o, &n));
	pp_parse_addr("2001:db8:1::50", AF_INET6, &n.dst);
	n.family = AF_INET6;
	CHECK(!nw_select_match(&o, &n));
	o.has_to = false;
	o.family = AF_INET;
	CHECK(!nw_select_match(&o, &n));
}

int
main(void)
{
	RUN(test_select_filter);
	RUN(test_neigh_decode_edges);
	RUN(test_snap_grow);
	RUN(test_eval_nexthop_failed);
	RUN(test_eval_nexthop_states);
	RUN(test_eval_failed_cap);
	RUN(test_eval_flux);
	RUN(test_eval_flux_three);
	RUN(test_eval_many_ips);
	RUN(test_eval_down_device);
	RUN(test_eval_tables);
	RUN(test_eval_unknown);
	RUN(test_render_json);
	RUN(test_render_entries_stream);
	RUN(test_render_addr_forms);
	RUN(test_watch_transitions);
	RUN(test_watch_spread_flips);
	RUN(test_watch_bounded);
	RUN(test_watch_resync);
	return tap_done();
}
