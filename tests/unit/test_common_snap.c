/*
 * test_common_snap.c: incident snapshots (common/snap.c, snapfib.c). A store recorded
 * by hand, written, read back and replayed through common/nl.c; files cut at every
 * length and damaged byte by byte give one error naming the file (and the piece once
 * past the header), never a crash; another format version is named; the userspace FIB
 * answers route lookups from recorded rules, routes and addresses as the kernel would.
 */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "nl.h"
#include "route.h"
#include "snap.h"
#include "sysctl.h"
#include "test_common_msg.h"

/* A datagram of recorded replies: [u32 len][messages, padded]. */
struct dgram {
	uint8_t b[16384];
	size_t len;		/* bytes of the [len][data] form */
	size_t msgs;		/* start of the messages of the open datagram */
};

static void
dg_open(struct dgram *d)
{
	d->msgs = d->len + 4;
	d->len += 4;
}

static void
dg_add(struct dgram *d, const struct nlmsghdr *nlh)
{
	memcpy(d->b + d->len, nlh, nlh->nlmsg_len);
	d->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void
dg_close(struct dgram *d, bool done)
{
	uint32_t l;

	if (done) {
		struct tmsg m;
		struct nlmsghdr *nlh = tmsg_start(&m, NLMSG_DONE, sizeof(int), NULL);

		dg_add(d, nlh);
	}
	l = (uint32_t)(d->len - d->msgs);
	memcpy(d->b + d->msgs - 4, &l, 4);
}

static struct nlmsghdr *
req_route_dump(char *buf)
{
	return pp_snap_route_dump_req(buf, AF_INET);
}

static int
count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return 0;
}

/* A store with one route dump (two datagrams) and two files, written to path. */
static struct pp_snap *
sample_store(const char *path)
{
	struct pp_snap *s = pp_snap_record_new("ns1");
	char rb[MNL_SOCKET_BUFFER_SIZE];
	struct dgram d = { .len = 0 };
	struct pp_err e = { 0 };
	struct tmsg m;
	struct rtmsg *rtm;
	struct nlmsghdr *req = req_route_dump(rb), *nlh;

	for (int k = 0; k < 2; k++) {
		dg_open(&d);
		nlh = tmsg_start(&m, RTM_NEWROUTE, sizeof(*rtm), (void **)&rtm);
		rtm->rtm_family = AF_INET;
		rtm->rtm_table = RT_TABLE_MAIN;
		rtm->rtm_type = RTN_UNICAST;
		rtm->rtm_dst_len = 24;
		mnl_attr_put_u32(nlh, RTA_DST, htonl(0xcb007100 + (uint32_t)k));
		mnl_attr_put_u32(nlh, RTA_OIF, 2);
		dg_add(&d, nlh);
		dg_close(&d, k == 1);
	}
	req->nlmsg_seq = 77;	/* not part of the key */
	pp_snap_nl_record(s, pp_snap_ns_here(s), NETLINK_ROUTE, req, 1, 4242, d.b, d.len);
	pp_snap_file_record(s, "/proc/sys/net/ipv4/ip_forward", 0, "1\n", 2);
	pp_snap_file_record(s, "/proc/thread-self/net/snmp", 0, "Ip: Forwarding\nIp: 1\n", 21);
	pp_snap_file_record(s, "/proc/sys/net/ipv4/conf/x/rp_filter", -ENOENT, NULL, 0);
	pp_snap_file_record(s, "/proc/kallsyms", 0, "not kept", 8);
	CHECK_EQ_INT(pp_snap_write(s, path, &e), 0);
	return s;
}

static char tmpdir[64];

static void
path_in_tmp(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

static void
snap_round_trip(void)
{
	char path[128], rb[MNL_SOCKET_BUFFER_SIZE], *text = NULL;
	struct pp_snap *w, *r = NULL;
	struct pp_err e = { 0 };
	size_t np, ne, raw, comp;
	struct pp_nl nl;
	int n = 0;

	path_in_tmp(path, sizeof(path), "rt.snap");
	w = sample_store(path);
	CHECK_EQ_INT(pp_snap_load(path, &r, &e), 0);
	if (!r) {
		pp_snap_free(w);
		return;
	}
	CHECK_EQ_INT(pp_snap_header(r)->version, PP_SNAP_VERSION);
	CHECK_STR(pp_snap_header(r)->netns, "ns1");
	CHECK(pp_snap_header(r)->kernel[0] != '\0');
	CHECK_EQ_INT(pp_snap_header(r)->time, pp_snap_header(w)->time);
	pp_snap_stats(r, &np, &ne, &raw, &comp);
	/* routes, sysctl, snmp: kallsyms is not the network's and is not kept. */
	CHECK_EQ_INT(np, 3);
	CHECK_EQ_INT(ne, 4);
	CHECK(comp > 0 && raw > 0);
	pp_snap_install(r);
	CHECK_EQ_INT(pp_slurp("/proc/net/snmp", &text, 1 << 20), 21);
	CHECK(text && strncmp(text, "Ip: Forwarding", 14) == 0);
	free(text);
	{
		char buf[16];
		long long v = 0;

		CHECK_EQ_INT(pp_sysctl_get("net/ipv4/ip_forward", &v), 0);
		CHECK_EQ_INT(v, 1);
		CHECK_EQ_INT(pp_read_file("/proc/sys/net/ipv4/conf/x/rp_filter", buf, sizeof(buf)), -ENOENT);
		CHECK_EQ_INT(pp_read_file("/proc/sys/net/ipv4/not_asked", buf, sizeof(buf)), -ENODATA);
	}
	/* The dump, through the same layer as live: both datagrams, then DONE. */
	CHECK_EQ_INT(pp_nl_open(&nl, NETLINK_ROUTE, &e), 0);
	CHECK(nl.replay && pp_nl_fd(&nl) == -1);
	CHECK_EQ_INT(pp_nl_dump(&nl, req_route_dump(rb), count_cb, &n, NULL, &e), 0);
	CHECK_EQ_INT(n, 2);
	/* A question it does not hold: ENODATA, named. */
	{
		struct pp_route_query q = { .family = AF_INET };
		struct pp_route rt;

		q.dst.family = AF_INET;
		q.dst.u.v4.s_addr = htonl(0xcb007109);
		q.oif = 7;	/* the userspace FIB does not model it */
		CHECK_EQ_INT(pp_route_get(&nl, &q, &rt, &e), -ENODATA);
		CHECK(strstr(e.what, "holds no answer for RTM_GETROUTE to 203.0.113.9") != NULL);
	}
	CHECK_EQ_INT(pp_nl_subscribe(&nl, 1, &e), -ENODATA);
	pp_nl_close(&nl);
	/* Namespaces: the one it holds, and one it does not. */
	{
		int prev;

		CHECK_EQ_INT(pp_snap_ns_enter(r, "ns1", &prev, &e), 0);
		pp_snap_ns_leave(r, prev);
		CHECK_EQ_INT(pp_snap_ns_enter(r, "other", &prev, &e), -ENOENT);
		CHECK(strstr(e.what, "holds no namespace") != NULL);
	}
	pp_snap_install(NULL);
	pp_snap_free(r);
	pp_snap_free(w);
	unlink(path);
}

static uint8_t *
read_all(const char *path, size_t *len)
{
	uint8_t *b = malloc(1 << 20);
	int fd = open(path, O_RDONLY);
	ssize_t n = fd >= 0 ? read(fd, b, 1 << 20) : -1;

	if (fd >= 0)
		close(fd);
	*len = n > 0 ? (size_t)n : 0;
	return b;
}

static void
snap_truncated_and_corrupt(void)
{
	char path[128];
	struct pp_snap *w, *r;
	struct pp_err e;
	uint8_t *b;
	size_t len;
	int bad = 0, named = 0;

	path_in_tmp(path, sizeof(path), "bad.snap");
	w = sample_store(path);
	b = read_all(path, &len);
	CHECK(len > 64);
	for (size_t n = 0; n < len; n++) {
		uint8_t *cut = malloc(n ? n : 1);

		memcpy(cut, b, n);
		memset(&e, 0, sizeof(e));
		r = NULL;
		if (pp_snap_load_mem(cut, n, "cut.snap", &r, &e) < 0 && !r) {
			bad++;
			named += strstr(e.what, "snapshot cut.snap") != NULL;
		}
		pp_snap_free(r);
		free(cut);
	}
	CHECK_EQ_INT(bad, (long long)len);
	CHECK_EQ_INT(named, (long long)len);
	/* Cut inside the pieces: the piece is named. */
	memset(&e, 0, sizeof(e));
	CHECK(pp_snap_load_mem(b, len - 3, "cut.snap", &r, &e) < 0);
	CHECK(strstr(e.what, "piece ") != NULL);
	/* Every byte flipped: loads or refuses, never crashes; a flip in the data is caught. */
	for (size_t i = 0; i < len; i++) {
		uint8_t *c = malloc(len);

		memcpy(c, b, len);
		c[i] ^= 0x5a;
		r = NULL;
		if (pp_snap_load_mem(c, len, "flip.snap", &r, &e) == 0)
			pp_snap_free(r);
		free(c);
	}
	{
		uint8_t *c = malloc(len);

		memcpy(c, b, len);
		c[len - 5] ^= 0xff;
		CHECK(pp_snap_load_mem(c, len, "flip.snap", &r, &e) < 0);
		CHECK(strstr(e.what, "flip.snap: piece") != NULL);
		/* Another format version. */
		memcpy(c, b, len);
		c[8] = 7;
		CHECK_EQ_INT(pp_snap_load_mem(c, len, "v7.snap", &r, &e), -EPROTONOSUPPORT);
		CHECK(strstr(e.what, "format version 7") != NULL);
		/* Not a snapshot at all. */
		CHECK_EQ_INT(pp_snap_load_mem("hello\n", 6, "hello.txt", &r, &e), -EBADMSG);
		CHECK(strstr(e.what, "not a pktpath snapshot") != NULL);
		free(c);
	}
	free(b);
	pp_snap_free(w);
	unlink(path);
}

/* The userspace FIB: rules, routes and an address recorded, lookups answered as the kernel would. */
static struct nlmsghdr *
route_msg(struct tmsg *m, uint32_t table, uint8_t type, uint32_t dst, uint8_t plen, uint32_t gw, int oif,
	  uint32_t metric)
{
	struct rtmsg *rtm;
	struct nlmsghdr *nlh = tmsg_start(m, RTM_NEWROUTE, sizeof(*rtm), (void **)&rtm);

	rtm->rtm_family = AF_INET;
	rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_COMPAT;
	rtm->rtm_type = type;
	rtm->rtm_dst_len = plen;
	mnl_attr_put_u32(nlh, RTA_TABLE, table);
	if (plen)
		mnl_attr_put_u32(nlh, RTA_DST, htonl(dst));
	if (gw)
		mnl_attr_put_u32(nlh, RTA_GATEWAY, htonl(gw));
	if (oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)oif);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, metric);
	return nlh;
}

static struct nlmsghdr *
rule_msg(struct tmsg *m, uint32_t prio, uint32_t table, uint8_t action, uint32_t to, uint8_t to_len, uint32_t mark)
{
	struct fib_rule_hdr *frh;
	struct nlmsghdr *nlh = tmsg_start(m, RTM_NEWRULE, sizeof(*frh), (void **)&frh);

	frh->family = AF_INET;
	frh->action = action;
	frh->table = table < 256 ? (uint8_t)table : 0;
	frh->dst_len = to_len;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, prio);
	mnl_attr_put_u32(nlh, FRA_TABLE, table);
	if (to_len)
		mnl_attr_put_u32(nlh, FRA_DST, htonl(to));
	if (mark) {
		mnl_attr_put_u32(nlh, FRA_FWMARK, mark);
		mnl_attr_put_u32(nlh, FRA_FWMASK, 0xffffffff);
	}
	return nlh;
}

static void
record_dump(struct pp_snap *s, struct nlmsghdr *req, struct tmsg *msgs, size_t n)
{
	struct dgram *d = calloc(1, sizeof(*d));

	dg_open(d);
	for (size_t i = 0; i < n; i++)
		dg_add(d, &msgs[i].u.h);
	dg_close(d, true);
	pp_snap_nl_record(s, pp_snap_ns_here(s), NETLINK_ROUTE, req, 1, 4242, d->b, d->len);
	free(d);
}

static int
route_count(const struct pp_route *r, void *data)
{
	(void)r;
	(*(int *)data)++;
	return 0;
}

static void
snap_userspace_fib(void)
{
	char path[128], rb[MNL_SOCKET_BUFFER_SIZE];
	struct pp_snap *w = pp_snap_record_new(NULL), *r = NULL;
	struct tmsg rules[5], routes[6], addrs[1], links[2];
	struct pp_err e = { 0 };
	struct pp_nl nl;

	rule_msg(&rules[0], 0, RT_TABLE_LOCAL, FR_ACT_TO_TBL, 0, 0, 0);
	rule_msg(&rules[1], 100, 100, FR_ACT_TO_TBL, 0xcb007130, 28, 0);	/* to 203.0.113.48/28 lookup 100 */
	rule_msg(&rules[2], 200, 200, FR_ACT_TO_TBL, 0, 0, 0x2a);		/* fwmark 0x2a lookup 200 */
	rule_msg(&rules[3], 32766, RT_TABLE_MAIN, FR_ACT_TO_TBL, 0, 0, 0);
	rule_msg(&rules[4], 32767, RT_TABLE_DEFAULT, FR_ACT_TO_TBL, 0, 0, 0);
	route_msg(&routes[0], RT_TABLE_MAIN, RTN_UNICAST, 0, 0, 0xc6336401, 2, 0);	/* default via 198.51.100.1 */
	route_msg(&routes[1], RT_TABLE_MAIN, RTN_BLACKHOLE, 0xcb007110, 28, 0, 0, 0);
	route_msg(&routes[2], RT_TABLE_MAIN, RTN_UNICAST, 0xc6336400, 26, 0, 2, 0);	/* 198.51.100.0/26 dev 2 */
	route_msg(&routes[3], RT_TABLE_LOCAL, RTN_LOCAL, 0xc6336402, 32, 0, 2, 0);
	route_msg(&routes[4], 100, RTN_UNREACHABLE, 0, 0, 0, 0, 0);
	route_msg(&routes[5], 200, RTN_PROHIBIT, 0, 0, 0, 0, 0);
	{
		struct ifaddrmsg *ifa;
		struct nlmsghdr *nlh = tmsg_start(&addrs[0], RTM_NEWADDR, sizeof(*ifa), (void **)&ifa);

		ifa->ifa_family = AF_INET;
		ifa->ifa_prefixlen = 26;
		ifa->ifa_index = 2;
		mnl_attr_put_u32(nlh, IFA_LOCAL, htonl(0xc6336402));
		mnl_attr_put_u32(nlh, IFA_ADDRESS, htonl(0xc6336402));
	}
	for (int i = 0; i < 2; i++) {
		struct ifinfomsg *ifi;
		struct nlmsghdr *nlh = tmsg_start(&links[i], RTM_NEWLINK, sizeof(*ifi), (void **)&ifi);

		ifi->ifi_index = i + 1;
		ifi->ifi_flags = i == 0 ? IFF_LOOPBACK | IFF_UP : IFF_UP;
		mnl_attr_put_strz(nlh, IFLA_IFNAME, i == 0 ? "lo" : "c0");
	}
	record_dump(w, pp_snap_rule_dump_req(rb, AF_INET), rules, 5);
	record_dump(w, pp_snap_route_dump_req(rb, AF_INET), routes, 6);
	record_dump(w, pp_snap_addr_dump_req(rb), addrs, 1);
	record_dump(w, pp_snap_link_dump_req(rb), links, 2);
	path_in_tmp(path, sizeof(path), "fib.snap");
	CHECK_EQ_INT(pp_snap_write(w, path, &e), 0);
	CHECK_EQ_INT(pp_snap_load(path, &r, &e), 0);
	if (!r) {
		pp_snap_free(w);
		return;
	}
	pp_snap_install(r);
	CHECK_EQ_INT(pp_nl_open(&nl, NETLINK_ROUTE, &e), 0);
	{
		struct { uint32_t dst, mark; int rc; uint8_t type; uint32_t gw, table, src; int oif; } c[] = {
			{ 0xcb007102, 0, 0, RTN_UNICAST, 0xc6336401, RT_TABLE_MAIN, 0xc6336402, 2 },
			{ 0xcb007111, 0, -EINVAL, 0, 0, 0, 0, 0 },		/* blackhole /28 */
			{ 0xcb007131, 0, -EHOSTUNREACH, 0, 0, 0, 0, 0 },	/* rule 100: unreachable */
			{ 0xcb007102, 0x2a, -EACCES, 0, 0, 0, 0, 0 },		/* rule 200: prohibit */
			{ 0xc6336405, 0, 0, RTN_UNICAST, 0, RT_TABLE_MAIN, 0xc6336402, 2 },	/* connected */
			{ 0xc6336402, 0, 0, RTN_LOCAL, 0, RT_TABLE_LOCAL, 0xc6336402, 1 },	/* our own: lo */
		};
		for (size_t i = 0; i < PP_ARRAY_SIZE(c); i++) {
			struct pp_route_query q = { .family = AF_INET, .has_mark = c[i].mark != 0, .mark = c[i].mark };
			struct pp_route rt;
			int rc;

			q.dst.family = AF_INET;
			q.dst.u.v4.s_addr = htonl(c[i].dst);
			memset(&rt, 0, sizeof(rt));
			rc = pp_route_get(&nl, &q, &rt, &e);
			CHECK_EQ_INT(rc, c[i].rc);
			if (rc || c[i].rc)
				continue;
			CHECK_EQ_INT(rt.type, c[i].type);
			CHECK_EQ_INT(rt.table, c[i].table);
			CHECK_EQ_INT(rt.oif, c[i].oif);
			CHECK_EQ_INT(rt.gateway.family ? ntohl(rt.gateway.u.v4.s_addr) : 0, c[i].gw);
			CHECK_EQ_INT(rt.prefsrc.family ? ntohl(rt.prefsrc.u.v4.s_addr) : 0, c[i].src);
		}
	}
	/* A table's dump, filtered from the full one; a device name from the link dump. */
	{
		char name[IF_NAMESIZE];
		int n = 0;

		CHECK_EQ_INT(pp_route_dump(&nl, AF_INET, RT_TABLE_MAIN, 0, route_count, &n, &e), 0);
		CHECK_EQ_INT(n, 3);
		n = 0;
		CHECK_EQ_INT(pp_route_dump(&nl, AF_INET, 100, RTN_UNREACHABLE, route_count, &n, &e), 0);
		CHECK_EQ_INT(n, 1);

		CHECK(pp_ifname(2, name) && strcmp(name, "c0") == 0);
		CHECK_EQ_INT(pp_ifindex("c0"), 2);
		CHECK_EQ_INT(pp_ifindex("nosuch"), 0);
	}
	pp_nl_close(&nl);
	pp_snap_install(NULL);
	pp_snap_free(r);
	pp_snap_free(w);
	unlink(path);
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pp-snap-test.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	RUN(snap_round_trip);
	RUN(snap_truncated_and_corrupt);
	RUN(snap_userspace_fib);
	rmdir(tmpdir);
	return tap_done();
}
