/* test_common_route.c: pp_route_decode on RTM_NEWROUTE messages built as the kernel sends them. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "route.h"
#include "test_common_msg.h"

static struct rtmsg *
route_start(struct tmsg *m, int family, struct nlmsghdr **nlhp)
{
	void *h;
	struct rtmsg *rtm;

	*nlhp = tmsg_start(m, RTM_NEWROUTE, sizeof(*rtm), &h);
	rtm = h;
	rtm->rtm_family = (uint8_t)family;
	rtm->rtm_dst_len = family == AF_INET ? 32 : 128;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_UNSPEC;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_flags = RTM_F_CLONED | RTM_F_LOOKUP_TABLE;
	return rtm;
}

static void
put4(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	struct in_addr a;

	inet_pton(AF_INET, s, &a);
	mnl_attr_put(nlh, type, 4, &a);
}

static void
put6(struct nlmsghdr *nlh, uint16_t type, const char *s)
{
	struct in6_addr a;

	inet_pton(AF_INET6, s, &a);
	mnl_attr_put(nlh, type, 16, &a);
}

/* The reply to "ip route get 203.0.113.10 mark 7 uid 1000" via a gateway, as rt_fill_info() lays it out. */
static struct nlmsghdr *
build_v4_get_reply(struct tmsg *m)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct rta_cacheinfo ci = { .rta_expires = 500, .rta_used = 3 };

	route_start(m, AF_INET, &nlh);
	mnl_attr_put_u32(nlh, RTA_TABLE, 100);
	put4(nlh, RTA_DST, "203.0.113.10");
	mnl_attr_put_u32(nlh, RTA_OIF, 3);
	put4(nlh, RTA_PREFSRC, "198.51.100.2");
	put4(nlh, RTA_GATEWAY, "198.51.100.1");
	nest = mnl_attr_nest_start(nlh, RTA_METRICS);
	mnl_attr_put_u32(nlh, RTAX_MTU, 1400);
	mnl_attr_put_u32(nlh, RTAX_ADVMSS, 1360);
	mnl_attr_put_u32(nlh, RTAX_HOPLIMIT, 9);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, RTA_MARK, 7);
	mnl_attr_put_u32(nlh, RTA_UID, 1000);
	mnl_attr_put(nlh, RTA_CACHEINFO, sizeof(ci), &ci);
	mnl_attr_put_u32(nlh, RTA_PRIORITY, 20);
	return nlh;
}

static void
test_route_v4_full(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4_get_reply(&m);
	struct pp_route r;
	char buf[256];

	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.family, AF_INET);
	CHECK_EQ_INT(r.type, RTN_UNICAST);
	CHECK_EQ_INT(r.dst_len, 32);
	CHECK_EQ_INT(r.table, 100);
	CHECK_EQ_INT(r.flags, RTM_F_CLONED | RTM_F_LOOKUP_TABLE);
	CHECK_STR(astr(&r.dst), "203.0.113.10");
	CHECK_STR(astr(&r.prefsrc), "198.51.100.2");
	CHECK_STR(astr(&r.gateway), "198.51.100.1");
	CHECK_EQ_INT(r.src.family, 0);
	CHECK_EQ_INT(r.oif, 3);
	CHECK_EQ_INT(r.iif, 0);
	CHECK(r.has_priority && r.priority == 20);
	CHECK(r.has_mark && r.mark == 7);
	CHECK(r.has_uid && r.uid == 1000);
	CHECK_EQ_INT(r.mtu, 1400);
	CHECK_EQ_INT(r.advmss, 1360);
	CHECK_EQ_INT(r.hoplimit, 9);
	CHECK(r.has_expires);
	CHECK_EQ_INT(r.expires_sec, 5);
	CHECK_EQ_INT(r.nhops, 0);
	pp_route_format(&r, buf, sizeof(buf));
	CHECK(strncmp(buf, "203.0.113.10/32 via 198.51.100.1 dev ", 37) == 0);
	CHECK(strstr(buf, " table 100 src 198.51.100.2") != NULL);
}

/* No RTA_TABLE: the table comes from rtm_table; an empty message is a default route. */
static void
test_route_minimal(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct rtmsg *rtm = route_start(&m, AF_INET6, &nlh);
	struct pp_route r;
	char buf[128];

	rtm->rtm_dst_len = 0;
	rtm->rtm_table = RT_TABLE_LOCAL;
	rtm->rtm_type = RTN_BLACKHOLE;
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.family, AF_INET6);
	CHECK_EQ_INT(r.table, RT_TABLE_LOCAL);
	CHECK_EQ_INT(r.type, RTN_BLACKHOLE);
	CHECK(!r.has_priority && !r.has_mark && !r.has_uid && !r.has_expires);
	CHECK_EQ_INT(r.dst.family, 0);
	CHECK_STR(pp_route_format(&r, buf, sizeof(buf)), "blackhole default table local");
}

/* IPv6 ECMP: RTA_MULTIPATH of rtnexthop records, each with its own RTA_GATEWAY. */
static void
test_route_v6_multipath(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct nlattr *mp;
	struct rtnexthop *nh;
	struct pp_route r;

	route_start(&m, AF_INET6, &nlh);
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	put6(nlh, RTA_DST, "2001:db8:1::");
	mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	for (int i = 0; i < 2; i++) {
		nh = mnl_nlmsg_get_payload_tail(nlh);
		memset(nh, 0, sizeof(*nh));
		nh->rtnh_ifindex = 5 + i;
		nh->rtnh_hops = (uint8_t)i;
		nh->rtnh_flags = i ? RTNH_F_LINKDOWN : 0;
		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
		put6(nlh, RTA_GATEWAY, i ? "fe80::2" : "fe80::1");
		nh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nh);
	}
	mnl_attr_nest_end(nlh, mp);
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
	CHECK_STR(astr(&r.dst), "2001:db8:1::");
	CHECK_EQ_INT(r.nhops, 2);
	CHECK_EQ_INT(r.nh[0].ifindex, 5);
	CHECK_EQ_INT(r.nh[1].ifindex, 6);
	CHECK_STR(astr(&r.nh[0].gw), "fe80::1");
	CHECK_STR(astr(&r.nh[1].gw), "fe80::2");
	CHECK_EQ_INT(r.nh[0].weight, 1);
	CHECK_EQ_INT(r.nh[1].weight, 2);
	CHECK_EQ_INT(r.nh[1].flags, RTNH_F_LINKDOWN);

	/* Second record's length runs past the attribute: refused. */
	nh = (struct rtnexthop *)((char *)mp + NLA_HDRLEN + RTNH_ALIGN(nh->rtnh_len));
	nh->rtnh_len = 200;
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);
	/* Shorter than an rtnexthop: refused. */
	nh->rtnh_len = 4;
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);
}

/* More next hops than PP_ROUTE_MAX_NH: the first ones kept, no overflow. */
static void
test_route_multipath_many(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct nlattr *mp;
	struct pp_route r;

	route_start(&m, AF_INET, &nlh);
	mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
	for (int i = 0; i < PP_ROUTE_MAX_NH + 8; i++) {
		struct rtnexthop *nh = mnl_nlmsg_get_payload_tail(nlh);

		memset(nh, 0, sizeof(*nh));
		nh->rtnh_ifindex = 100 + i;
		nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
		put4(nlh, RTA_GATEWAY, "198.51.100.1");
		nh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nh);
	}
	mnl_attr_nest_end(nlh, mp);
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.nhops, PP_ROUTE_MAX_NH);
	CHECK_EQ_INT(r.nh[PP_ROUTE_MAX_NH - 1].ifindex, 100 + PP_ROUTE_MAX_NH - 1);
}

/* IPv4 route via an IPv6 next hop (RFC 5549): RTA_VIA. */
static void
test_route_via(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_route r;
	char v[sizeof(struct rtvia) + 16];
	struct rtvia *via = (struct rtvia *)v;

	route_start(&m, AF_INET, &nlh);
	put4(nlh, RTA_DST, "203.0.113.0");
	via->rtvia_family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", via->rtvia_addr);
	mnl_attr_put(nlh, RTA_VIA, sizeof(v), v);
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.gateway.family, AF_INET6);
	CHECK_STR(astr(&r.gateway), "2001:db8::1");

	/* An RTA_VIA with the bare family and no address leaves the gateway unset. */
	route_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, RTA_VIA, sizeof(struct rtvia), v);
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.gateway.family, 0);
	/* Shorter than struct rtvia: refused by the policy. */
	route_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, RTA_VIA, 1, v);
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);
}

static void
test_route_short_header(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4_get_reply(&m);
	struct pp_route r;

	CHECK_EQ_INT(TDECODE_LEN(pp_route_decode, nlh, NLMSG_HDRLEN + sizeof(struct rtmsg) - 1, &r),
		     -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_route_decode, nlh, NLMSG_HDRLEN, &r), -EBADMSG);
	/* Exactly the header: no attributes, still a route. */
	CHECK_EQ_INT(TDECODE_LEN(pp_route_decode, nlh, NLMSG_HDRLEN + sizeof(struct rtmsg), &r), 0);
	CHECK_EQ_INT(r.family, AF_INET);
}

/* Every cut inside the attributes that splits one is refused; cuts between attributes are fine. */
static void
test_route_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4_get_reply(&m);
	uint32_t full = nlh->nlmsg_len, start = NLMSG_HDRLEN + sizeof(struct rtmsg);
	struct pp_route r;
	int refused = 0, accepted = 0;

	for (uint32_t len = start; len < full; len++) {
		int rc = TDECODE_LEN(pp_route_decode, nlh, len, &r);

		CHECK(rc == 0 || rc == -EBADMSG);
		if (rc == 0)
			accepted++;
		else
			refused++;
	}
	CHECK(refused > 0 && accepted > 0);
	/* The first attribute (RTA_TABLE, 8 bytes) cut after 6 bytes. */
	CHECK_EQ_INT(TDECODE_LEN(pp_route_decode, nlh, start + 6, &r), -EBADMSG);
	/* nla_len that claims more than the message holds. */
	{
		struct tmsg m2;
		struct nlmsghdr *n2;
		uint32_t v = 3;

		route_start(&m2, AF_INET, &n2);
		tmsg_put_raw(n2, RTA_OIF, 200, &v, sizeof(v));
		CHECK_EQ_INT(TDECODE(pp_route_decode, n2, &r), -EBADMSG);
		/* nla_len below the attribute header. */
		route_start(&m2, AF_INET, &n2);
		tmsg_put_raw(n2, RTA_OIF, 2, &v, sizeof(v));
		CHECK_EQ_INT(TDECODE(pp_route_decode, n2, &r), -EBADMSG);
		/* Three stray bytes after the last attribute. */
		route_start(&m2, AF_INET, &n2);
		mnl_attr_put_u32(n2, RTA_OIF, 3);
		n2->nlmsg_len += 3;
		CHECK_EQ_INT(TDECODE(pp_route_decode, n2, &r), -EBADMSG);
	}
}

static void
test_route_wrong_length(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_route r;
	uint8_t b[16] = { 203, 0, 113, 1 };
	struct rta_cacheinfo ci = { 0 };

	route_start(&m, AF_INET, &nlh);
	mnl_attr_put_u16(nlh, RTA_OIF, 3);	/* 2-byte RTA_OIF */
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);

	route_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, RTA_DST, 3, b);	/* 3-byte address */
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);

	route_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, RTA_GATEWAY, 16, b);	/* IPv6-sized gateway on an IPv4 route */
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);

	route_start(&m, AF_INET6, &nlh);
	mnl_attr_put(nlh, RTA_PREFSRC, 4, b);	/* IPv4-sized source on an IPv6 route */
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);

	route_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, RTA_CACHEINFO, sizeof(ci) - 4, &ci);
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);

	route_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, RTA_TABLE, 0, NULL);	/* empty u32 */
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);

	/* A longer u32 (8 bytes) is accepted, as the kernel's own policy allows: the low word is read. */
	route_start(&m, AF_INET, &nlh);
	{
		uint32_t w[2] = { 4, 0 };

		mnl_attr_put(nlh, RTA_OIF, sizeof(w), w);
	}
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.oif, 4);
}

/* Types this decoder does not know (newer kernels) are ignored. */
static void
test_route_unknown_attr(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_route r;
	char junk[7] = "abcdef";

	route_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, RTA_MAX + 1, sizeof(junk), junk);
	mnl_attr_put_u32(nlh, RTA_OIF, 9);
	mnl_attr_put(nlh, 0x3fff, 1, junk);
	mnl_attr_put_u8(nlh, RTA_PREF, 1);		/* known to the kernel, not used here */
	mnl_attr_put(nlh, RTA_ENCAP, 5, junk);
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.oif, 9);

	/* Unknown metric types, and a nest flagged NLA_F_NESTED, are fine too. */
	{
		struct nlattr *nest;

		route_start(&m, AF_INET, &nlh);
		nest = mnl_attr_nest_start(nlh, RTA_METRICS);
		mnl_attr_put_u32(nlh, RTAX_MAX + 3, 1);
		mnl_attr_put_u32(nlh, RTAX_MTU, 1280);
		mnl_attr_nest_end(nlh, nest);
		nest->nla_type |= NLA_F_NESTED;
		CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
		CHECK_EQ_INT(r.mtu, 1280);
	}
	/* An unpadded last attribute (u8, nla_len 5, no padding in nlmsg_len). */
	route_start(&m, AF_INET, &nlh);
	mnl_attr_put_u8(nlh, RTA_IP_PROTO, 6);
	nlh->nlmsg_len -= 3;
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
}

static void
test_route_metrics_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct nlattr *nest, *inner;
	struct pp_route r;

	/* The inner attribute claims more than its nest holds. */
	route_start(&m, AF_INET, &nlh);
	nest = mnl_attr_nest_start(nlh, RTA_METRICS);
	inner = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_u32(nlh, RTAX_MTU, 1400);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, RTA_OIF, 2);	/* room after the nest, so only the nest bound catches it */
	inner->nla_len = 16;
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);

	/* The nest itself cut: RTA_METRICS shorter than the inner attribute header. */
	route_start(&m, AF_INET, &nlh);
	nest = mnl_attr_nest_start(nlh, RTA_METRICS);
	mnl_attr_put_u32(nlh, RTAX_MTU, 1400);
	mnl_attr_nest_end(nlh, nest);
	nest->nla_len = NLA_HDRLEN + 2;
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);

	/* A 2-byte RTAX_MTU. */
	route_start(&m, AF_INET, &nlh);
	nest = mnl_attr_nest_start(nlh, RTA_METRICS);
	mnl_attr_put_u16(nlh, RTAX_MTU, 1400);
	mnl_attr_nest_end(nlh, nest);
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EBADMSG);

	/* An empty nest is fine. */
	route_start(&m, AF_INET, &nlh);
	nest = mnl_attr_nest_start(nlh, RTA_METRICS);
	mnl_attr_nest_end(nlh, nest);
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.mtu, 0);
}

static void
test_route_family(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_route r;

	route_start(&m, AF_MPLS, &nlh);
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EAFNOSUPPORT);
	route_start(&m, AF_UNSPEC, &nlh);
	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), -EAFNOSUPPORT);
}

/* The request pp_route_get() sends carries every selector of the query. */
static void
test_route_get_build(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct pp_route_query q = { .family = AF_INET6 };
	struct nlmsghdr *nlh;
	struct rtmsg *rtm;
	const struct nlattr *a;
	int seen = 0;

	inet_pton(AF_INET6, "2001:db8::10", &q.dst.u.v6);
	q.dst.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::2", &q.src.u.v6);
	q.src.family = AF_INET6;
	q.iif = 1;
	q.oif = 4;
	q.has_mark = true;
	q.mark = 0x10;
	q.has_uid = true;
	q.uid = 0;
	q.ipproto = IPPROTO_TCP;
	q.sport = 40000;
	q.dport = 443;
	q.fibmatch = true;
	nlh = pp_route_get_build(buf, &q);
	CHECK_EQ_INT(nlh->nlmsg_type, RTM_GETROUTE);
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ_INT(rtm->rtm_family, AF_INET6);
	CHECK_EQ_INT(rtm->rtm_dst_len, 128);
	CHECK_EQ_INT(rtm->rtm_src_len, 128);
	CHECK(rtm->rtm_flags & RTM_F_FIB_MATCH);
	mnl_attr_for_each(a, nlh, sizeof(*rtm)) {
		switch (mnl_attr_get_type(a)) {
		case RTA_DST: CHECK(memcmp(mnl_attr_get_payload(a), q.dst.u.b, 16) == 0); seen |= 1; break;
		case RTA_SRC: CHECK(memcmp(mnl_attr_get_payload(a), q.src.u.b, 16) == 0); seen |= 2; break;
		case RTA_IIF: CHECK_EQ_INT(mnl_attr_get_u32(a), 1); seen |= 4; break;
		case RTA_OIF: CHECK_EQ_INT(mnl_attr_get_u32(a), 4); seen |= 8; break;
		case RTA_MARK: CHECK_EQ_INT(mnl_attr_get_u32(a), 0x10); seen |= 16; break;
		case RTA_UID: CHECK_EQ_INT(mnl_attr_get_u32(a), 0); seen |= 32; break;
		case RTA_IP_PROTO: CHECK_EQ_INT(mnl_attr_get_u8(a), IPPROTO_TCP); seen |= 64; break;
		case RTA_SPORT: CHECK_EQ_INT(ntohs(mnl_attr_get_u16(a)), 40000); seen |= 128; break;
		case RTA_DPORT: CHECK_EQ_INT(ntohs(mnl_attr_get_u16(a)), 443); seen |= 256; break;
		default: CHECK(!"unexpected attribute");
		}
	}
	CHECK_EQ_INT(seen, 511);

	/* A bare query: only RTA_DST. */
	memset(&q, 0, sizeof(q));
	q.family = AF_INET;
	q.dst.family = AF_INET;
	inet_pton(AF_INET, "203.0.113.5", &q.dst.u.v4);
	nlh = pp_route_get_build(buf, &q);
	CHECK_EQ_INT(nlh->nlmsg_len, NLMSG_HDRLEN + sizeof(struct rtmsg) + NLA_HDRLEN + 4);
	rtm = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ_INT(rtm->rtm_dst_len, 32);
	CHECK(rtm->rtm_flags & RTM_F_LOOKUP_TABLE);	/* IPv4 reports "main" otherwise */
	CHECK(!(rtm->rtm_flags & RTM_F_FIB_MATCH));
}

static void
test_route_names(void)
{
	char b[16];

	CHECK_STR(pp_route_type_name(RTN_UNREACHABLE), "unreachable");
	CHECK_STR(pp_route_type_name(RTN_PROHIBIT), "prohibit");
	CHECK_STR(pp_route_type_name(RTN_THROW), "throw");
	CHECK_STR(pp_route_type_name(250), "unspec");
	CHECK_STR(pp_route_table_name(RT_TABLE_MAIN, b, sizeof(b)), "main");
	CHECK_STR(pp_route_table_name(1000, b, sizeof(b)), "1000");
	CHECK_STR(pp_route_proto_name(RTPROT_KERNEL, b, sizeof(b)), "kernel");
	CHECK_STR(pp_route_proto_name(186, b, sizeof(b)), "186");
}

/* pp_route_format never writes past a small buffer. */
static void
test_route_format_small(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4_get_reply(&m);
	struct pp_route r;
	char *small = malloc(10);

	CHECK_EQ_INT(TDECODE(pp_route_decode, nlh, &r), 0);
	pp_route_format(&r, small, 10);
	CHECK_EQ_INT(strlen(small), 9);
	free(small);
}

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	struct pp_route r;

	return pp_route_decode(nlh, &r);
}

static void
test_route_fuzz(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4_get_reply(&m);
	unsigned ok = tfuzz(nlh, fuzz_one, 4000, 0x1234u, 600);

	CHECK(ok > 0);
	printf("# route fuzz: %u of 4000 damaged messages accepted\n", ok);
	/* The multipath layout too. */
	{
		struct nlattr *mp;

		route_start(&m, AF_INET6, &nlh);
		mp = mnl_attr_nest_start(nlh, RTA_MULTIPATH);
		for (int i = 0; i < 3; i++) {
			struct rtnexthop *nh = mnl_nlmsg_get_payload_tail(nlh);

			memset(nh, 0, sizeof(*nh));
			nlh->nlmsg_len += RTNH_ALIGN(sizeof(*nh));
			put6(nlh, RTA_GATEWAY, "fe80::1");
			nh->rtnh_len = (unsigned short)((char *)mnl_nlmsg_get_payload_tail(nlh) - (char *)nh);
		}
		mnl_attr_nest_end(nlh, mp);
		tfuzz(nlh, fuzz_one, 3000, 0x9876u, 500);
	}
}

int
main(void)
{
	RUN(test_route_v4_full);
	RUN(test_route_minimal);
	RUN(test_route_v6_multipath);
	RUN(test_route_multipath_many);
	RUN(test_route_via);
	RUN(test_route_short_header);
	RUN(test_route_truncated);
	RUN(test_route_wrong_length);
	RUN(test_route_unknown_attr);
	RUN(test_route_metrics_truncated);
	RUN(test_route_family);
	RUN(test_route_get_build);
	RUN(test_route_names);
	RUN(test_route_format_small);
	RUN(test_route_fuzz);
	return tap_done();
}
