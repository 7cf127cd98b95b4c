/*
 * test_ctdump_decode.c: the conntrack decoder (common/ct.c) on messages laid out
 * as ctnetlink_fill_info() builds them: whole, short, truncated, with unknown
 * attributes; the statistics replies; the dump request with its filters. Also
 * times our decoder against libnetfilter_conntrack's nfct_payload_parse().
 */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <libnetfilter_conntrack/libnetfilter_conntrack.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_conntrack_tcp.h>

#include "attr.h"
#include "ct.h"
#include "ctlabel.h"
#include "tap.h"

static char mbuf[8192];

static struct nlmsghdr *
start(unsigned msg, uint16_t flags, uint8_t family)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	memset(mbuf, 0, sizeof(mbuf));
	nlh = mnl_nlmsg_put_header(mbuf);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | msg;
	nlh->nlmsg_flags = flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	return nlh;
}

static void
tuple(struct nlmsghdr *nlh, uint16_t type, int family, const char *src, const char *dst,
      uint8_t proto, uint16_t sport, uint16_t dport, bool junk)
{
	struct nlattr *t, *n;
	uint8_t a[16];
	size_t alen = family == AF_INET ? 4 : 16;

	t = mnl_attr_nest_start(nlh, type);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	inet_pton(family, src, a);
	mnl_attr_put(nlh, family == AF_INET ? CTA_IP_V4_SRC : CTA_IP_V6_SRC, alen, a);
	inet_pton(family, dst, a);
	mnl_attr_put(nlh, family == AF_INET ? CTA_IP_V4_DST : CTA_IP_V6_DST, alen, a);
	if (junk)
		mnl_attr_put_u32(nlh, 77, 0xdeadbeef);	/* unknown: ignored */
	mnl_attr_nest_end(nlh, n);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_NUM, proto);
	if (proto == IPPROTO_ICMP) {
		mnl_attr_put_u16(nlh, CTA_PROTO_ICMP_ID, htons(sport));
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_TYPE, 8);
		mnl_attr_put_u8(nlh, CTA_PROTO_ICMP_CODE, 0);
	} else {
		mnl_attr_put_u16(nlh, CTA_PROTO_SRC_PORT, htons(sport));
		mnl_attr_put_u16(nlh, CTA_PROTO_DST_PORT, htons(dport));
	}
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
}

static void
counters(struct nlmsghdr *nlh, uint16_t type, uint64_t pk, uint64_t by)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	mnl_attr_put_u64(nlh, CTA_COUNTERS_PACKETS, htobe64(pk));
	mnl_attr_put_u64(nlh, CTA_COUNTERS_BYTES, htobe64(by));
	mnl_attr_nest_end(nlh, n);
}

/* A TCP entry as a dump returns it, with accounting and timestamps on. */
static struct nlmsghdr *
build_tcp(bool junk)
{
	struct nlmsghdr *nlh = start(IPCTNL_MSG_CT_NEW, NLM_F_MULTI, AF_INET);
	struct nlattr *n, *m;

	tuple(nlh, CTA_TUPLE_ORIG, AF_INET, "198.51.100.2", "203.0.113.2", IPPROTO_TCP, 40000, 443, junk);
	tuple(nlh, CTA_TUPLE_REPLY, AF_INET, "203.0.113.2", "203.0.113.50", IPPROTO_TCP, 443, 40000, false);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(IPS_CONFIRMED | IPS_SRC_NAT | IPS_SRC_NAT_DONE));
	counters(nlh, CTA_COUNTERS_ORIG, 3, 180);
	counters(nlh, CTA_COUNTERS_REPLY, 0, 0);
	n = mnl_attr_nest_start(nlh, CTA_TIMESTAMP);
	mnl_attr_put_u64(nlh, CTA_TIMESTAMP_START, htobe64(1000000000000ull));
	mnl_attr_nest_end(nlh, n);
	mnl_attr_put_u32(nlh, CTA_TIMEOUT, htonl(118));
	mnl_attr_put_u32(nlh, CTA_MARK, htonl(0x42));
	n = mnl_attr_nest_start(nlh, CTA_PROTOINFO);
	m = mnl_attr_nest_start(nlh, CTA_PROTOINFO_TCP);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_STATE, TCP_CONNTRACK_SYN_SENT);
	mnl_attr_put_u8(nlh, CTA_PROTOINFO_TCP_WSCALE_ORIGINAL, 7);
	mnl_attr_nest_end(nlh, m);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_put_u16(nlh, CTA_ZONE, htons(7));
	mnl_attr_put_u32(nlh, CTA_USE, htonl(1));
	mnl_attr_put_u32(nlh, CTA_ID, htonl(123456));
	if (junk)
		mnl_attr_put_u32(nlh, 240, 1);	/* a newer kernel's attribute */
	return nlh;
}

static void
test_decode_tcp(void)
{
	struct nlmsghdr *nlh = build_tcp(true);
	struct pp_ct_entry ct;
	enum pp_ct_event ev;
	char b[64];

	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, &ev), 0);
	CHECK_EQ_INT(ct.family, AF_INET);
	CHECK_STR(pp_addr_str(&ct.orig.src, b, sizeof(b)), "198.51.100.2");
	CHECK_STR(pp_addr_str(&ct.orig.dst, b, sizeof(b)), "203.0.113.2");
	CHECK_STR(pp_addr_str(&ct.reply.dst, b, sizeof(b)), "203.0.113.50");
	CHECK_EQ_INT(ct.orig.proto, IPPROTO_TCP);
	CHECK_EQ_INT(ct.orig.sport, 40000);
	CHECK_EQ_INT(ct.orig.dport, 443);
	CHECK_EQ_INT(ct.reply.sport, 443);
	CHECK_EQ_INT(ct.status, IPS_CONFIRMED | IPS_SRC_NAT | IPS_SRC_NAT_DONE);
	CHECK_EQ_INT(ct.timeout, 118);
	CHECK_EQ_INT(ct.mark, 0x42);
	CHECK_EQ_INT(ct.zone, 7);
	CHECK_EQ_INT(ct.use, 1);
	CHECK_EQ_INT(ct.id, 123456);
	CHECK_EQ_INT(ct.tcp_state, TCP_CONNTRACK_SYN_SENT);
	CHECK_EQ_INT(ct.packets[0], 3);
	CHECK_EQ_INT(ct.bytes[0], 180);
	CHECK_EQ_INT(ct.tstamp_start, 1000000000000ull);
	CHECK(ct.have & PP_CT_HAVE_TSTAMP_START);
	CHECK(!(ct.have & PP_CT_HAVE_TSTAMP_STOP));
	CHECK(ct.have & PP_CT_HAVE_COUNTERS_REPLY);
	CHECK_EQ_INT(ev, PP_CT_EV_UPDATE);	/* a dump reply carries no NLM_F_CREATE */
}

static void
test_decode_icmp_v6_and_events(void)
{
	struct nlmsghdr *nlh = start(IPCTNL_MSG_CT_NEW, NLM_F_CREATE | NLM_F_EXCL, AF_INET);
	struct pp_ct_entry ct;
	enum pp_ct_event ev;
	char b[64];

	tuple(nlh, CTA_TUPLE_ORIG, AF_INET, "198.51.100.2", "203.0.113.2", IPPROTO_ICMP, 99, 0, false);
	mnl_attr_put_u32(nlh, CTA_STATUS, htonl(0));
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, &ev), 0);
	CHECK_EQ_INT(ev, PP_CT_EV_NEW);
	CHECK_EQ_INT(ct.orig.icmp_id, 99);
	CHECK_EQ_INT(ct.orig.icmp_type, 8);
	CHECK(!(ct.have & PP_CT_HAVE_REPLY));
	CHECK(!(ct.have & PP_CT_HAVE_TIMEOUT));

	nlh = start(IPCTNL_MSG_CT_DELETE, 0, AF_INET6);
	tuple(nlh, CTA_TUPLE_ORIG, AF_INET6, "2001:db8:1::2", "2001:db8:2::2", IPPROTO_UDP, 5000, 53, false);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, &ev), 0);
	CHECK_EQ_INT(ev, PP_CT_EV_DESTROY);
	CHECK_STR(pp_addr_str(&ct.orig.dst, b, sizeof(b)), "2001:db8:2::2");
	CHECK_EQ_INT(ct.orig.dport, 53);
}

static void
test_decode_truncated(void)
{
	struct nlmsghdr *nlh = build_tcp(false);
	struct pp_ct_entry ct;
	uint32_t full = nlh->nlmsg_len;

	/* Cut inside the last attribute, inside the first nest, inside the family header. */
	nlh->nlmsg_len = full - 2;
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), -EBADMSG);
	nlh->nlmsg_len = NLMSG_HDRLEN + 4 + 10;
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), -EBADMSG);
	nlh->nlmsg_len = NLMSG_HDRLEN + 2;
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), -EBADMSG);
	/* Only the header: a valid, empty entry. */
	nlh->nlmsg_len = NLMSG_HDRLEN + 4;
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), 0);
	CHECK_EQ_INT(ct.have, 0);
}

static void
test_decode_short_attrs(void)
{
	struct nlmsghdr *nlh;
	struct nlattr *t, *n;
	struct pp_ct_entry ct;
	uint8_t three[3] = { 198, 51, 100 };

	/* A 16-bit status. */
	nlh = start(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	mnl_attr_put_u16(nlh, CTA_STATUS, 1);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), -EBADMSG);
	/* A three-byte IPv4 address. */
	nlh = start(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	t = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_IP);
	mnl_attr_put(nlh, CTA_IP_V4_SRC, sizeof(three), three);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), -EBADMSG);
	/* An IPv6 address in an IPv4 entry. */
	nlh = start(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	tuple(nlh, CTA_TUPLE_ORIG, AF_INET6, "2001:db8::1", "2001:db8::2", IPPROTO_UDP, 1, 2, false);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), 0);	/* V6 attributes in a V4 entry: not read */
	CHECK(!(ct.orig.have & PP_CT_T_SRC));
	/* A one-byte port; a 4-byte counter where 8 are due. */
	nlh = start(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	t = mnl_attr_nest_start(nlh, CTA_TUPLE_ORIG);
	n = mnl_attr_nest_start(nlh, CTA_TUPLE_PROTO);
	mnl_attr_put_u8(nlh, CTA_PROTO_SRC_PORT, 1);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_nest_end(nlh, t);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), -EBADMSG);
	nlh = start(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	n = mnl_attr_nest_start(nlh, CTA_COUNTERS_ORIG);
	mnl_attr_put_u32(nlh, CTA_COUNTERS_PACKETS, 1);
	mnl_attr_nest_end(nlh, n);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), -EBADMSG);
	/* An attribute claiming more than the message holds. */
	nlh = start(IPCTNL_MSG_CT_NEW, 0, AF_INET);
	mnl_attr_put_u32(nlh, CTA_MARK, 1);
	((struct nlattr *)((char *)nlh + NLMSG_HDRLEN + 4))->nla_len = 200;
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), -EBADMSG);
	/* Not a conntrack entry at all. */
	nlh = start(IPCTNL_MSG_CT_GET_STATS_CPU, 0, AF_INET);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), -ENOMSG);
	/* An unknown family. */
	nlh = start(IPCTNL_MSG_CT_NEW, 0, 7);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), -EBADMSG);
}

static void
test_stats(void)
{
	struct nlmsghdr *nlh = start(IPCTNL_MSG_CT_GET_STATS_CPU, 0, AF_UNSPEC);
	struct pp_ct_cpu_stats s;
	struct pp_ct_global g;

	((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->res_id = htons(1);
	mnl_attr_put_u32(nlh, CTA_STATS_FOUND, htonl(5));
	mnl_attr_put_u32(nlh, CTA_STATS_DROP, htonl(17));
	mnl_attr_put_u32(nlh, CTA_STATS_CHAIN_TOOLONG, htonl(2));
	mnl_attr_put_u32(nlh, 99, htonl(1));	/* unknown */
	CHECK_EQ_INT(pp_ct_parse_cpu_stats(nlh, &s), 0);
	CHECK_EQ_INT(s.cpu, 1);
	CHECK_EQ_INT(s.v[PP_CT_STAT_FOUND], 5);
	CHECK_EQ_INT(s.v[PP_CT_STAT_DROP], 17);
	CHECK_EQ_INT(s.v[PP_CT_STAT_CHAINTOOLONG], 2);
	CHECK(s.have & (1u << PP_CT_STAT_DROP));
	CHECK(!(s.have & (1u << PP_CT_STAT_EARLY_DROP)));
	CHECK_STR(pp_ct_stat_name(PP_CT_STAT_INSERT_FAILED), "insert_failed");

	nlh = start(IPCTNL_MSG_CT_GET_STATS_CPU, 0, AF_UNSPEC);
	mnl_attr_put_u16(nlh, CTA_STATS_DROP, 1);	/* short */
	CHECK_EQ_INT(pp_ct_parse_cpu_stats(nlh, &s), -EBADMSG);

	nlh = start(IPCTNL_MSG_CT_GET_STATS, 0, AF_UNSPEC);
	mnl_attr_put_u32(nlh, CTA_STATS_GLOBAL_ENTRIES, htonl(262144));
	mnl_attr_put_u32(nlh, CTA_STATS_GLOBAL_MAX_ENTRIES, htonl(262144));
	CHECK_EQ_INT(pp_ct_parse_global_stats(nlh, &g), 0);
	CHECK(g.have_entries && g.have_max);
	CHECK_EQ_INT(g.entries, 262144);
	nlh = start(IPCTNL_MSG_CT_GET_STATS, 0, AF_UNSPEC);
	mnl_attr_put_u32(nlh, CTA_STATS_GLOBAL_ENTRIES, htonl(3));
	CHECK_EQ_INT(pp_ct_parse_global_stats(nlh, &g), 0);
	CHECK(!g.have_max);
}

static const struct pp_attr_policy req_pol[CTA_MAX + 1] = {
	[CTA_MARK] = { PP_A_U32, 0 }, [CTA_MARK_MASK] = { PP_A_U32, 0 },
	[CTA_STATUS] = { PP_A_U32, 0 }, [CTA_STATUS_MASK] = { PP_A_U32, 0 },
	[CTA_ZONE] = { PP_A_U16, 0 }, [CTA_FILTER] = { PP_A_NEST, 0 },
	[CTA_TUPLE_ORIG] = { PP_A_NEST, 0 }, [CTA_TUPLE_REPLY] = { PP_A_NEST, 0 },
};

static void
test_build_dump(void)
{
	char buf[1024];
	struct pp_ct_kfilter f = { 0 };
	struct nlmsghdr *nlh;
	const struct nlattr *tb[CTA_MAX + 1], *fl[CTA_FILTER_MAX + 1];
	struct pp_ct_entry ct;

	nlh = pp_ct_build_dump(buf, sizeof(buf), NULL);
	CHECK(nlh && (nlh->nlmsg_flags & NLM_F_DUMP));
	CHECK_EQ_INT(nlh->nlmsg_len, NLMSG_HDRLEN + 4);

	f.family = AF_INET;
	f.mark = true;
	f.mark_val = 0x10;
	f.mark_mask = 0xf0;
	f.status = true;
	f.status_val = 0;
	f.status_mask = IPS_SEEN_REPLY;
	f.zone = 3;
	f.orig_flags = PP_CTA_FILTER_IP_DST | PP_CTA_FILTER_PROTO_NUM | PP_CTA_FILTER_DST_PORT;
	inet_pton(AF_INET, "203.0.113.2", f.orig.dst.u.b);
	f.orig.dst.family = AF_INET;
	f.orig.proto = IPPROTO_TCP;
	f.orig.dport = 8080;
	f.reply_flags = PP_CTA_FILTER_IP_DST;
	inet_pton(AF_INET, "203.0.113.50", f.reply.dst.u.b);
	f.reply.dst.family = AF_INET;
	nlh = pp_ct_build_dump(buf, sizeof(buf), &f);
	CHECK(nlh != NULL);
	if (!nlh)
		return;
	CHECK_EQ_INT(((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family, AF_INET);
	CHECK_EQ_INT(pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), req_pol, CTA_MAX, tb), 0);
	CHECK(tb[CTA_MARK] && ntohl(mnl_attr_get_u32(tb[CTA_MARK])) == 0x10);
	CHECK(tb[CTA_MARK_MASK] && ntohl(mnl_attr_get_u32(tb[CTA_MARK_MASK])) == 0xf0);
	CHECK(tb[CTA_STATUS_MASK] && ntohl(mnl_attr_get_u32(tb[CTA_STATUS_MASK])) == IPS_SEEN_REPLY);
	CHECK(tb[CTA_ZONE] && ntohs(mnl_attr_get_u16(tb[CTA_ZONE])) == 3);
	CHECK(tb[CTA_FILTER] != NULL);
	if (tb[CTA_FILTER]) {
		CHECK_EQ_INT(pp_attr_parse_nest(tb[CTA_FILTER], NULL, CTA_FILTER_MAX, fl), 0);
		CHECK(fl[CTA_FILTER_ORIG_FLAGS] &&
		      mnl_attr_get_u32(fl[CTA_FILTER_ORIG_FLAGS]) == f.orig_flags);
		CHECK(fl[CTA_FILTER_REPLY_FLAGS] &&
		      mnl_attr_get_u32(fl[CTA_FILTER_REPLY_FLAGS]) == PP_CTA_FILTER_IP_DST);
	}
	/* The filter tuples read back through the entry decoder. */
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_NEW;
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), 0);
	CHECK_EQ_INT(ct.orig.dport, 8080);
	CHECK(!(ct.orig.have & PP_CT_T_SRC));
	CHECK(ct.reply.have & PP_CT_T_DST);

	/* Without a family the kernel refuses CTA_FILTER: it is left out. */
	f.family = 0;
	nlh = pp_ct_build_dump(buf, sizeof(buf), &f);
	CHECK_EQ_INT(pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), req_pol, CTA_MAX, tb), 0);
	CHECK(tb[CTA_FILTER] == NULL && tb[CTA_MARK] != NULL);
	/* Too small a buffer. */
	CHECK(pp_ct_build_dump(buf, 40, &f) == NULL);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Not a pass/fail test (sanitizer builds are slow): the measurement behind the choice of decoder. */
static void
test_decoder_speed(void)
{
	struct nlmsghdr *nlh = build_tcp(false);
	struct nf_conntrack *nct = nfct_new();
	struct pp_ct_entry ct;
	const int n = 200000;
	double t0, t_own, t_nfct;
	int bad = 0;

	CHECK(nct != NULL);
	if (!nct)
		return;
	t0 = now_s();
	for (int i = 0; i < n; i++)
		bad += pp_ct_parse(nlh, &ct, NULL) != 0;
	t_own = now_s() - t0;
	t0 = now_s();
	for (int i = 0; i < n; i++)
		bad += nfct_payload_parse((const char *)nlh + NLMSG_HDRLEN + 4,
					  nlh->nlmsg_len - NLMSG_HDRLEN - 4, AF_INET, nct) < 0;
	t_nfct = now_s() - t0;
	CHECK_EQ_INT(bad, 0);
	CHECK_EQ_INT(nfct_get_attr_u16(nct, ATTR_ORIG_PORT_DST), htons(443));
	printf("# decoder: pp_ct_parse %.0f ns/entry, nfct_payload_parse %.0f ns/entry\n",
	       t_own / n * 1e9, t_nfct / n * 1e9);
	nfct_destroy(nct);
}

/* CTA_LABELS: bits as conntrack reads them; short, odd, long and all-zero bitmaps. */
static void
test_decode_labels(void)
{
	struct pp_ct_labelmap m;
	struct pp_ct_entry ct;
	uint32_t w[4] = { (1u << 1) | (1u << 5), 0, 0, 1u << 31 }, w5[5] = { 1u << 3, 0, 0, 0, 1 }, z[4] = { 0 };
	struct nlmsghdr *nlh;
	char b[256];

	nlh = build_tcp(false);
	mnl_attr_put(nlh, CTA_LABELS, sizeof(w), w);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), 0);
	CHECK(ct.have & PP_CT_HAVE_LABELS);
	CHECK(pp_ct_label_isset(ct.labels, 1) && pp_ct_label_isset(ct.labels, 5) && pp_ct_label_isset(ct.labels, 127));
	CHECK(!pp_ct_label_isset(ct.labels, 0) && !pp_ct_label_isset(ct.labels, 128));
	CHECK_STR(pp_ct_labels_str(NULL, ct.labels, b, sizeof(b)), "1,5,127");
	pp_ct_labelmap_parse(&m, "# comment\n1 web\n  5\tdns # trailing\n1 again\nx 7\n200 toolarge\n9\n");
	CHECK_STR(pp_ct_labels_str(&m, ct.labels, b, sizeof(b)), "web,dns,127");
	CHECK_EQ_INT(pp_ct_label_from_name(&m, "dns"), 5);
	CHECK_EQ_INT(pp_ct_label_from_name(&m, "127"), 127);
	CHECK_EQ_INT(pp_ct_label_from_name(&m, "128"), -1);
	CHECK_EQ_INT(pp_ct_label_from_name(&m, "again"), -1);
	CHECK_EQ_INT(pp_ct_label_from_name(&m, "9x"), -1);
	pp_ct_labelmap_free(&m);
	/* A longer bitmap (a future kernel): the first 128 bits. */
	nlh = build_tcp(false);
	mnl_attr_put(nlh, CTA_LABELS, sizeof(w5), w5);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), 0);
	CHECK_STR(pp_ct_labels_str(NULL, ct.labels, b, sizeof(b)), "3");
	/* Four bytes: bits 0..31 only. */
	nlh = build_tcp(false);
	mnl_attr_put(nlh, CTA_LABELS, 4, w);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), 0);
	CHECK_STR(pp_ct_labels_str(NULL, ct.labels, b, sizeof(b)), "1,5");
	/* All zero (labels cleared): no labels. */
	nlh = build_tcp(false);
	mnl_attr_put(nlh, CTA_LABELS, sizeof(z), z);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), 0);
	CHECK(!(ct.have & PP_CT_HAVE_LABELS));
	/* Not a multiple of 4 bytes: malformed. */
	nlh = build_tcp(false);
	mnl_attr_put(nlh, CTA_LABELS, 3, w);
	CHECK_EQ_INT(pp_ct_parse(nlh, &ct, NULL), -EBADMSG);
}

int
main(void)
{
	RUN(test_decode_labels);
	RUN(test_decode_tcp);
	RUN(test_decode_icmp_v6_and_events);
	RUN(test_decode_truncated);
	RUN(test_decode_short_attrs);
	RUN(test_stats);
	RUN(test_build_dump);
	RUN(test_decoder_speed);
	return tap_done();
}
