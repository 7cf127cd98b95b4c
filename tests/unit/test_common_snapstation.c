/*
 * test_common_snapstation.c: what the station tools' snapshots add to the recording
 * layer (common/snap.c): binary facts (the ethtool ioctl's answers), the wall clock,
 * /proc/uptime and softnet_stat through sysctl.c, connlabel.conf's text, a ctnetlink
 * dump through nl.c while a store is installed, and the tables pathcheck needs.
 * Written, read back and replayed; the file cut at every length and damaged byte by
 * byte gives one error naming the file (and the piece past the header), never a crash.
 */
#include <fcntl.h>
#include <net/if.h>
#include <stdio.h>
#include <unistd.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "ct.h"
#include "ctlabel.h"
#include "ethtool.h"
#include "nl.h"
#include "snap.h"
#include "softnet.h"
#include "sysctl.h"
#include "test_common_msg.h"

static char tmpdir[64];

/* [u32 len][messages...] of one datagram: the conntrack dump's reply, cut when cut. */
static size_t
ct_dgram(uint8_t *b, bool cut)
{
	struct tmsg m;
	struct nfgenmsg *nfg;
	struct nlmsghdr *nlh;
	size_t len = 4;
	uint32_t l;

	for (int k = 0; k < 2; k++) {
		nlh = tmsg_start(&m, (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW, sizeof(*nfg), (void **)&nfg);
		nfg->nfgen_family = AF_INET;
		mnl_attr_put_u32(nlh, CTA_MARK, htonl(7 + (uint32_t)k));
		memcpy(b + len, nlh, nlh->nlmsg_len);
		len += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	nlh = tmsg_start(&m, NLMSG_DONE, sizeof(int), NULL);
	memcpy(b + len, nlh, nlh->nlmsg_len);
	len += NLMSG_ALIGN(nlh->nlmsg_len);
	l = (uint32_t)(len - 4);
	if (cut)
		l -= 12;	/* the datagram ends inside DONE */
	memcpy(b, &l, 4);
	return cut ? len - 12 : len;
}

static int
count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return 0;
}

static struct nlmsghdr *
ct_req(char *buf)
{
	struct nlmsghdr *nlh = pp_ct_build_dump(buf, MNL_SOCKET_BUFFER_SIZE, NULL);

	nlh->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;	/* as pp_nl_dump() sends it */
	return nlh;
}

static const char softnet_text[] =
	"00000f62 00000000 00000001 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
	"0000157d 00000003 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000000 00000001\n";

/*
 * A station tool's store: recorded through the same calls the tools make (the ioctls
 * live, on lo and on a device that does not exist), written to path.
 */
static struct pp_snap *
station_store(const char *path, struct timespec *clock_at, int *drv_rc, char *drv, size_t drvlen)
{
	struct pp_snap *s = pp_snap_record_new("ns1");
	struct pp_ethtool et;
	struct pp_err e = { 0 };
	char rb[MNL_SOCKET_BUFFER_SIZE];
	uint8_t dg[4096];
	size_t dl;

	pp_snap_set_writer(s, "nicstat");
	pp_snap_install(s);
	pp_clock_realtime(clock_at);
	memset(&et, 0, sizeof(et));
	et.fd = -1;
	*drv_rc = pp_ethtool_get_driver(&et, "lo", drv, drvlen, &e);
	/* GSSET_INFO answers (the bit of a set lo lacks cleared): the answer's bytes are recorded. */
	{
		struct pp_ethtool_stat *st = NULL;
		size_t n = 99;

		CHECK_EQ_INT(pp_ethtool_get_stats(&et, "lo", &st, &n, &e), 0);
		CHECK_EQ_INT(n, 0);
		free(st);
	}
	CHECK_EQ_INT(pp_ethtool_get_driver(&et, "ppnosuch0", drv + 64, 32, &e), -ENODEV);
	if (et.fd >= 0)
		close(et.fd);
	pp_snap_file_record(s, "/proc/net/softnet_stat", 0, softnet_text, sizeof(softnet_text) - 1);
	pp_snap_file_record(s, "/proc/uptime", 0, "702.25 1300.10\n", 15);
	pp_snap_blob_record(s, "connlabel.conf", 0, "# names\n1 web\n3 db-primary\n", 27);
	dl = ct_dgram(dg, false);
	pp_snap_nl_record(s, 0, NETLINK_NETFILTER, ct_req(rb), 1, 4242, dg, dl);
	/* A qdisc dump, as qdiscstat records it: a piece pathcheck cannot walk with. */
	{
		struct tcmsg tcm = { .tcm_family = AF_UNSPEC };
		struct tmsg m;
		struct nlmsghdr *nlh = tmsg_start(&m, NLMSG_DONE, sizeof(int), NULL);
		uint8_t q[64];
		uint32_t l = nlh->nlmsg_len;

		memcpy(q, &l, 4);
		memcpy(q + 4, nlh, nlh->nlmsg_len);
		pp_snap_nl_record(s, 0, NETLINK_ROUTE, pp_snap_rt_dump_req(rb, RTM_GETQDISC, &tcm, sizeof(tcm)), 1, 4242,
				  q, 4 + NLMSG_ALIGN(l));
	}
	pp_snap_install(NULL);
	CHECK_EQ_INT(pp_snap_write(s, path, &e), 0);
	return s;
}

static void
station_round_trip(void)
{
	char path[128], drv[128] = "", drv2[128] = "", missing[256], holds[256];
	struct pp_snap *w, *r = NULL;
	struct pp_err e = { 0 };
	struct timespec t0, t1;
	struct pp_ethtool et;
	int drv_rc, n = 0;

	snprintf(path, sizeof(path), "%s/station.snap", tmpdir);
	w = station_store(path, &t0, &drv_rc, drv, sizeof(drv));
	CHECK_EQ_INT(pp_snap_load(path, &r, &e), 0);
	if (!r) {
		pp_snap_free(w);
		return;
	}
	CHECK_STR(pp_snap_header(r)->writer, "nicstat " PP_VERSION);
	pp_snap_install(r);
	/* The clock: the saving run's first reading, to the nanosecond. */
	pp_clock_realtime(&t1);
	CHECK_EQ_INT(t1.tv_sec, t0.tv_sec);
	CHECK_EQ_INT(t1.tv_nsec, t0.tv_nsec);
	/* The ioctls: the same answers, and no socket opened. */
	memset(&et, 0, sizeof(et));
	et.fd = -1;
	CHECK_EQ_INT(pp_ethtool_get_driver(&et, "lo", drv2, sizeof(drv2), &e), drv_rc);
	{
		struct pp_ethtool_stat *st = NULL;
		size_t nst = 99;

		CHECK_EQ_INT(pp_ethtool_get_stats(&et, "lo", &st, &nst, &e), 0);
		CHECK_EQ_INT(nst, 0);
		free(st);
	}
	CHECK_STR(drv2, drv);
	CHECK_EQ_INT(pp_ethtool_get_driver(&et, "ppnosuch0", drv2, sizeof(drv2), &e), -ENODEV);
	CHECK_EQ_INT(pp_ethtool_get_driver(&et, "eth9", drv2, sizeof(drv2), &e), -ENODATA);
	CHECK(strstr(e.what, "the snapshot holds no answer for SIOCETHTOOL ETHTOOL_GDRVINFO eth9") != NULL);
	CHECK_EQ_INT(et.fd, -1);
	/* A binary fact gives its length and at most the room asked for. */
	{
		char small[4];

		CHECK_EQ_INT(pp_snap_blob_get(r, "connlabel.conf", small, sizeof(small)), 27);
		CHECK(memcmp(small, "# na", 4) == 0);
		CHECK_EQ_INT(pp_snap_blob_get(r, "not asked", small, sizeof(small)), -ENODATA);
	}
	/* softnet_stat and the uptime through sysctl.c. */
	{
		struct pp_softnet_cpu *cpus = NULL;
		size_t nc = 0;
		char up[64];

		CHECK_EQ_INT(pp_softnet_read(&cpus, &nc, &e), 0);
		CHECK_EQ_INT(nc, 2);
		if (nc == 2) {
			CHECK_EQ_INT(cpus[0].processed, 0xf62);
			CHECK_EQ_INT(cpus[1].dropped, 3);
			CHECK_EQ_INT(cpus[1].cpu, 1);
		}
		free(cpus);
		CHECK_EQ_INT(pp_read_file("/proc/uptime", up, sizeof(up)), 15);
		CHECK(strncmp(up, "702.25", 6) == 0);
	}
	/* connlabel.conf: the saving host's names. */
	{
		const struct pp_ct_labelmap *m = pp_ct_labelmap_default();

		CHECK_STR(m->name[1], "web");
		CHECK_STR(m->name[3], "db-primary");
		CHECK_EQ_INT(pp_ct_label_from_name(m, "db-primary"), 3);
	}
	/* The conntrack dump: through nl.c, both entries, then DONE. */
	{
		struct pp_nl nl;

		CHECK_EQ_INT(pp_nl_open(&nl, NETLINK_NETFILTER, &e), 0);
		CHECK_EQ_INT(pp_ct_dump(&nl, NULL, count_cb, &n, &e), 0);
		CHECK_EQ_INT(n, 2);
		/* Another kernel filter is another question. */
		{
			struct pp_ct_kfilter f = { .family = AF_INET6 };

			CHECK_EQ_INT(pp_ct_dump(&nl, &f, count_cb, &n, &e), -ENODATA);
			CHECK(strstr(e.what, "holds no answer for IPCTNL_MSG_CT_GET (dump)") != NULL);
		}
		pp_nl_close(&nl);
	}
	/* What pathcheck needs: none of it; what it holds, by kind. */
	CHECK_EQ_INT(pp_snap_lacks_tables(r, -1, missing, sizeof(missing), holds, sizeof(holds)), 6);
	CHECK_STR(missing, "links, addresses, IPv4 routes, IPv6 routes, IPv4 rules, IPv6 rules");
	CHECK(strstr(holds, "qdisc") && strstr(holds, "ethtool-ioctl") && strstr(holds, "softnet") &&
	      strstr(holds, "conntrack") && strstr(holds, "clock") && strstr(holds, "connlabel"));
	pp_snap_install(NULL);
	pp_snap_free(r);
	/* Recorded tables are no longer missing. */
	{
		struct pp_snap *s = pp_snap_record_new("self");
		struct tmsg m;
		struct nlmsghdr *done = tmsg_start(&m, NLMSG_DONE, sizeof(int), NULL);
		uint8_t d[64];
		uint32_t l = done->nlmsg_len;
		struct nlmsghdr *reqs[6];
		char bufs[6][256];

		memcpy(d, &l, 4);
		memcpy(d + 4, done, l);
		reqs[0] = pp_snap_link_dump_req(bufs[0]);
		reqs[1] = pp_snap_addr_dump_req(bufs[1]);
		reqs[2] = pp_snap_route_dump_req(bufs[2], AF_INET);
		reqs[3] = pp_snap_route_dump_req(bufs[3], AF_INET6);
		reqs[4] = pp_snap_rule_dump_req(bufs[4], AF_INET);
		reqs[5] = pp_snap_rule_dump_req(bufs[5], AF_INET6);
		for (int i = 0; i < 6; i++) {
			CHECK(pp_snap_lacks_tables(s, 0, missing, sizeof(missing), holds, sizeof(holds)) == 6 - i);
			pp_snap_nl_record(s, 0, NETLINK_ROUTE, reqs[i], 1, 1, d, 4 + NLMSG_ALIGN(l));
		}
		CHECK_EQ_INT(pp_snap_lacks_tables(s, 0, missing, sizeof(missing), holds, sizeof(holds)), 0);
		CHECK_STR(missing, "");
		pp_snap_free(s);
	}
	pp_snap_free(w);
	unlink(path);
}

/* A snapshot without a recorded clock (pathcheck's): its header's time. */
static void
station_clock_fallback(void)
{
	char path[128];
	struct pp_snap *w = pp_snap_record_new(""), *r = NULL;
	struct pp_err e = { 0 };
	struct timespec t;

	snprintf(path, sizeof(path), "%s/noclock.snap", tmpdir);
	pp_snap_file_record(w, "/proc/sys/net/ipv4/ip_forward", 0, "0\n", 2);
	CHECK_EQ_INT(pp_snap_write(w, path, &e), 0);
	CHECK_EQ_INT(pp_snap_load(path, &r, &e), 0);
	if (r) {
		pp_snap_install(r);
		pp_clock_realtime(&t);
		CHECK_EQ_INT(t.tv_sec, pp_snap_header(w)->time);
		CHECK_EQ_INT(t.tv_nsec, 0);
		pp_snap_install(NULL);
		pp_snap_free(r);
	}
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

/* Cut at every length, every byte damaged: refused with the file (and piece) named, or read; never a crash. */
static void
station_truncated(void)
{
	char path[128], drv[128];
	struct pp_snap *w, *r;
	struct pp_err e;
	struct timespec t;
	uint8_t *b;
	size_t len;
	int bad = 0, named = 0, piece = 0, rc;

	snprintf(path, sizeof(path), "%s/cut.snap", tmpdir);
	w = station_store(path, &t, &rc, drv, sizeof(drv));
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
			piece += strstr(e.what, "piece ") != NULL;
		}
		pp_snap_free(r);
		free(cut);
	}
	CHECK_EQ_INT(bad, (long long)len);
	CHECK_EQ_INT(named, (long long)len);
	CHECK(piece > (int)len / 2);	/* past the header, the piece is named */
	for (size_t i = 0; i < len; i++) {
		uint8_t *c = malloc(len);

		memcpy(c, b, len);
		c[i] ^= 0xa5;
		r = NULL;
		memset(&e, 0, sizeof(e));
		if (pp_snap_load_mem(c, len, "flip.snap", &r, &e) == 0) {
			/* Read despite the flip (a length in a name, a count that still fits): replay must not crash. */
			struct pp_softnet_cpu *cpus = NULL;
			struct pp_nl nl;
			size_t nc;
			int k = 0;

			pp_snap_install(r);
			(void)pp_softnet_read(&cpus, &nc, &e);
			free(cpus);
			if (pp_nl_open(&nl, NETLINK_NETFILTER, &e) == 0) {
				(void)pp_ct_dump(&nl, NULL, count_cb, &k, &e);
				pp_nl_close(&nl);
			}
			pp_snap_install(NULL);
			pp_snap_free(r);
		} else {
			CHECK(strstr(e.what, "flip.snap") != NULL);
		}
		free(c);
	}
	free(b);
	pp_snap_free(w);
	unlink(path);
	/* A recorded conntrack datagram cut inside a message: refused at load, the piece named. */
	{
		struct pp_snap *s = pp_snap_record_new("self");
		char rb[MNL_SOCKET_BUFFER_SIZE];
		uint8_t dg[4096];
		size_t dl = ct_dgram(dg, true);
		uint32_t l;

		/* The datagram's length word says more than the entry holds. */
		memcpy(&l, dg, 4);
		l += 12;
		memcpy(dg, &l, 4);
		pp_snap_nl_record(s, 0, NETLINK_NETFILTER, ct_req(rb), 1, 4242, dg, dl);
		snprintf(path, sizeof(path), "%s/ctcut.snap", tmpdir);
		CHECK_EQ_INT(pp_snap_write(s, path, &e), 0);
		r = NULL;
		CHECK_EQ_INT(pp_snap_load(path, &r, &e), -EBADMSG);
		CHECK(strstr(e.what, "piece self/conntrack") != NULL);
		pp_snap_free(r);
		pp_snap_free(s);
		unlink(path);
	}
	/* A recorded datagram whose last message is cut: read, and the dump fails as a cut reply does. */
	{
		struct pp_snap *s = pp_snap_record_new("self");
		char rb[MNL_SOCKET_BUFFER_SIZE];
		uint8_t dg[4096];
		size_t dl = ct_dgram(dg, true);
		struct pp_nl nl;
		int k = 0;

		pp_snap_nl_record(s, 0, NETLINK_NETFILTER, ct_req(rb), 1, 4242, dg, (dl + 3) & ~(size_t)3);
		snprintf(path, sizeof(path), "%s/ctcut2.snap", tmpdir);
		CHECK_EQ_INT(pp_snap_write(s, path, &e), 0);
		r = NULL;
		CHECK_EQ_INT(pp_snap_load(path, &r, &e), 0);
		if (r) {
			pp_snap_install(r);
			CHECK_EQ_INT(pp_nl_open(&nl, NETLINK_NETFILTER, &e), 0);
			CHECK_EQ_INT(pp_ct_dump(&nl, NULL, count_cb, &k, &e), -EBADMSG);
			CHECK_EQ_INT(k, 2);
			pp_nl_close(&nl);
			pp_snap_install(NULL);
			pp_snap_free(r);
		}
		pp_snap_free(s);
		unlink(path);
	}
}

int
main(void)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/pp-snapst-test.XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	RUN(station_round_trip);
	RUN(station_clock_fallback);
	RUN(station_truncated);
	rmdir(tmpdir);
	return tap_done();
}
