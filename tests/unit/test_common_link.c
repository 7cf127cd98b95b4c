/* test_common_link.c: pp_link_decode on RTM_NEWLINK messages as rtnl_fill_ifinfo() lays them out. */
#include <net/if_arp.h>
#include <linux/rtnetlink.h>

#include "link.h"
#include "test_common_msg.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#define OPER_UP 6	/* OPER_UP: linux/if.h clashes with net/if.h */

/* The size of rtnl_link_stats64 before rx_nohandler (kernels before 4.6). */
#define STATS64_OLD_LEN (23 * sizeof(uint64_t))

static struct ifinfomsg *
link_start(struct tmsg *m, struct nlmsghdr **nlhp)
{
	void *h;
	struct ifinfomsg *ifi;

	*nlhp = tmsg_start(m, RTM_NEWLINK, sizeof(*ifi), &h);
	ifi = h;
	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_type = ARPHRD_ETHER;
	ifi->ifi_index = 7;
	ifi->ifi_flags = IFF_UP | IFF_BROADCAST | IFF_RUNNING | IFF_MULTICAST | IFF_LOWER_UP;
	return ifi;
}

static void
fill_stats(struct rtnl_link_stats64 *s)
{
	uint64_t *v = (uint64_t *)s;

	for (size_t i = 0; i < sizeof(*s) / sizeof(*v); i++)
		v[i] = 1000 + i;
	s->rx_packets = 5000000000ULL;	/* past 32 bits */
}

/* A veth in a bridge, with XDP, as the kernel dumps it. */
static struct nlmsghdr *
build_veth(struct tmsg *m)
{
	struct nlmsghdr *nlh;
	struct nlattr *nest, *data;
	struct rtnl_link_stats64 s;
	struct rtnl_link_stats s32 = { .rx_packets = 1 };
	uint8_t mac[6] = { 0x02, 0x00, 0x5e, 0x10, 0x00, 0x01 }, bc[6];

	link_start(m, &nlh);
	memset(bc, 0xff, sizeof(bc));
	fill_stats(&s);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth-a");
	mnl_attr_put_u32(nlh, IFLA_TXQLEN, 1000);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, OPER_UP);
	mnl_attr_put_u8(nlh, IFLA_LINKMODE, 0);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u32(nlh, IFLA_MIN_MTU, 68);
	mnl_attr_put_u32(nlh, IFLA_MAX_MTU, 65535);
	mnl_attr_put_u32(nlh, IFLA_GROUP, 0);
	mnl_attr_put_u32(nlh, IFLA_PROMISCUITY, 0);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 1);
	mnl_attr_put_u8(nlh, IFLA_CARRIER, 1);
	mnl_attr_put_u32(nlh, IFLA_CARRIER_CHANGES, 4);
	mnl_attr_put_u8(nlh, IFLA_PROTO_DOWN, 0);
	mnl_attr_put_u32(nlh, IFLA_CARRIER_UP_COUNT, 2);
	mnl_attr_put_u32(nlh, IFLA_CARRIER_DOWN_COUNT, 2);
	mnl_attr_put_strz(nlh, IFLA_QDISC, "noqueue");
	mnl_attr_put_u32(nlh, IFLA_MASTER, 3);
	mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(mac), mac);
	mnl_attr_put(nlh, IFLA_BROADCAST, sizeof(bc), bc);
	mnl_attr_put(nlh, IFLA_STATS, sizeof(s32), &s32);
	mnl_attr_put(nlh, IFLA_PAD, 0, NULL);
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(s), &s);
	nest = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u8(nlh, IFLA_XDP_ATTACHED, XDP_ATTACHED_DRV);
	mnl_attr_put_u32(nlh, IFLA_XDP_PROG_ID, 12);
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	data = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	mnl_attr_nest_end(nlh, data);
	mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, "bridge");
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, IFLA_LINK_NETNSID, (uint32_t)-1);
	mnl_attr_put_u32(nlh, IFLA_LINK, 8);
	return nlh;
}

static void
test_link_full(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_veth(&m);
	struct pp_link l;
	struct rtnl_link_stats64 want;

	fill_stats(&want);
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), 0);
	CHECK_EQ_INT(l.ifindex, 7);
	CHECK_STR(l.name, "veth-a");
	CHECK_STR(l.kind, "veth");
	CHECK_STR(l.slave_kind, "bridge");
	CHECK_STR(l.qdisc, "noqueue");
	CHECK(l.flags & IFF_UP);
	CHECK(l.flags & IFF_LOWER_UP);
	CHECK_EQ_INT(l.type, ARPHRD_ETHER);
	CHECK_EQ_INT(l.operstate, OPER_UP);
	CHECK_STR(pp_operstate_name(l.operstate), "UP");
	CHECK(l.has_carrier && l.carrier == 1);
	CHECK(l.has_carrier_changes && l.carrier_changes == 4);
	CHECK_EQ_INT(l.carrier_up, 2);
	CHECK_EQ_INT(l.carrier_down, 2);
	CHECK_EQ_INT(l.mtu, 1500);
	CHECK_EQ_INT(l.txqlen, 1000);
	CHECK_EQ_INT(l.master, 3);
	CHECK_EQ_INT(l.link, 8);
	CHECK(l.has_link_netnsid && l.link_netnsid == -1);
	CHECK(l.has_xdp && l.xdp_attached == XDP_ATTACHED_DRV);
	CHECK_EQ_INT(l.addr_len, 6);
	CHECK_EQ_INT(l.addr[0], 0x02);
	CHECK_EQ_INT(l.addr[5], 0x01);
	CHECK(l.has_stats64);
	CHECK(memcmp(&l.stats, &want, sizeof(want)) == 0);
	CHECK(l.stats.rx_packets == 5000000000ULL);
}

/* Loopback: no IFLA_LINKINFO, no carrier counters; optional fields stay unset. */
static void
test_link_minimal(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi = link_start(&m, &nlh);
	struct pp_link l;

	ifi->ifi_index = 1;
	ifi->ifi_type = ARPHRD_LOOPBACK;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "lo");
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), 0);
	CHECK_STR(l.name, "lo");
	CHECK_STR(l.kind, "");
	CHECK(!l.has_carrier && !l.has_stats64 && !l.has_xdp && !l.has_link_netnsid);
	CHECK_EQ_INT(l.type, ARPHRD_LOOPBACK);
	CHECK_STR(pp_operstate_name(200), "UNKNOWN");

	/* Without IFLA_IFNAME a link is malformed. */
	link_start(&m, &nlh);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), -EBADMSG);
}

/* An older kernel's shorter IFLA_STATS64: the fields it lacks stay 0; a longer one is cut. */
static void
test_link_stats64_short(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_link l;
	uint64_t v[40];

	for (size_t i = 0; i < PP_ARRAY_SIZE(v); i++)
		v[i] = i + 1;
	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put(nlh, IFLA_STATS64, STATS64_OLD_LEN, v);
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), 0);
	CHECK(l.has_stats64);
	CHECK_EQ_INT(l.stats.rx_packets, 1);
	CHECK_EQ_INT(l.stats.tx_packets, 2);
	CHECK_EQ_INT(l.stats.rx_dropped, 7);
	CHECK_EQ_INT(l.stats.tx_compressed, 23);
	CHECK_EQ_INT(l.stats.rx_nohandler, 0);
	CHECK_EQ_INT(l.stats.rx_otherhost_dropped, 0);

	/* Three bytes only: one partial field, the rest 0. */
	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put(nlh, IFLA_STATS64, 3, v);
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), 0);
	CHECK_EQ_INT(l.stats.rx_packets, 1);
	CHECK_EQ_INT(l.stats.tx_packets, 0);

	/* A newer kernel's longer struct: what we know is kept. */
	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put(nlh, IFLA_STATS64, sizeof(v), v);
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), 0);
	CHECK_EQ_INT(l.stats.rx_nohandler, 24);

	/* An empty one. */
	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put(nlh, IFLA_STATS64, 0, NULL);
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), 0);
	CHECK_EQ_INT(l.stats.rx_packets, 0);
}

static void
test_link_short_and_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_veth(&m);
	uint32_t start = NLMSG_HDRLEN + sizeof(struct ifinfomsg);
	struct pp_link l;

	CHECK_EQ_INT(TDECODE_LEN(pp_link_decode, nlh, start - 1, &l), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_link_decode, nlh, NLMSG_HDRLEN + 4, &l), -EBADMSG);
	/* IFLA_IFNAME cut inside its string. */
	CHECK_EQ_INT(TDECODE_LEN(pp_link_decode, nlh, start + 6, &l), -EBADMSG);
	for (uint32_t len = start; len < nlh->nlmsg_len; len++) {
		int rc = TDECODE_LEN(pp_link_decode, nlh, len, &l);

		CHECK(rc == 0 || rc == -EBADMSG);
	}
	/* IFLA_STATS64 claiming 200 bytes at the end of the message: truncated. */
	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	{
		uint64_t v[4] = { 1, 2, 3, 4 };

		tmsg_put_raw(nlh, IFLA_STATS64, NLA_HDRLEN + 200, v, sizeof(v));
	}
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), -EBADMSG);
}

static void
test_link_wrong_length(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_link l;

	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put_u16(nlh, IFLA_MTU, 1500);
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), -EBADMSG);

	link_start(&m, &nlh);
	mnl_attr_put(nlh, IFLA_IFNAME, 4, "eth0");	/* no NUL */
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), -EBADMSG);

	link_start(&m, &nlh);
	mnl_attr_put(nlh, IFLA_IFNAME, 0, NULL);	/* empty */
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), -EBADMSG);

	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put(nlh, IFLA_OPERSTATE, 0, NULL);
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), -EBADMSG);

	/* A name longer than IFNAMSIZ is cut; a 40-byte hardware address is cut to 32. */
	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "a-very-long-interface-name-indeed");
	{
		uint8_t hw[40];

		memset(hw, 0xab, sizeof(hw));
		mnl_attr_put(nlh, IFLA_ADDRESS, sizeof(hw), hw);
	}
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), 0);
	CHECK_EQ_INT(strlen(l.name), IF_NAMESIZE - 1);
	CHECK_EQ_INT(l.addr_len, 32);

	/* A 2-byte IFLA_XDP_ATTACHED is fine (u8 needs 1); an empty one is not. */
	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, IFLA_XDP);

		mnl_attr_put(nlh, IFLA_XDP_ATTACHED, 0, NULL);
		mnl_attr_nest_end(nlh, n);
	}
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), -EBADMSG);
}

static void
test_link_unknown_attr(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_link l;
	char junk[9] = "12345678";

	link_start(&m, &nlh);
	mnl_attr_put(nlh, IFLA_MAX + 1, sizeof(junk), junk);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put(nlh, IFLA_MAX + 30, 1, junk);
	mnl_attr_put(nlh, IFLA_AF_SPEC, 3, junk);	/* known to the kernel, opaque here */
	mnl_attr_put(nlh, IFLA_MAP, 5, junk);
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, IFLA_LINKINFO);

		mnl_attr_put_u32(nlh, IFLA_INFO_MAX + 4, 1);
		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "vlan");
		mnl_attr_nest_end(nlh, n);
		n->nla_type |= NLA_F_NESTED;
	}
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), 0);
	CHECK_STR(l.name, "eth0");
	CHECK_STR(l.kind, "vlan");
}

static void
test_link_linkinfo_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct nlattr *nest, *kind;
	struct pp_link l;

	/* IFLA_INFO_KIND claims more than the nest holds. */
	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	kind = mnl_nlmsg_get_payload_tail(nlh);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	kind->nla_len = 40;
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), -EBADMSG);

	/* The nest cut below its first attribute's header. */
	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, nest);
	nest->nla_len = NLA_HDRLEN + 3;
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), -EBADMSG);

	/* IFLA_INFO_KIND without its NUL. */
	link_start(&m, &nlh);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put(nlh, IFLA_INFO_KIND, 4, "veth");
	mnl_attr_nest_end(nlh, nest);
	CHECK_EQ_INT(TDECODE(pp_link_decode, nlh, &l), -EBADMSG);

	/* The whole message ends inside the nest. */
	nlh = build_veth(&m);
	{
		const struct nlattr *a;
		uint32_t cut = 0;

		mnl_attr_for_each(a, nlh, sizeof(struct ifinfomsg))
			if (mnl_attr_get_type(a) == IFLA_LINKINFO)
				cut = tmsg_off(nlh, a) + NLA_HDRLEN + 6;
		CHECK(cut > 0);
		CHECK_EQ_INT(TDECODE_LEN(pp_link_decode, nlh, cut, &l), -EBADMSG);
	}
}

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	struct pp_link l;

	return pp_link_decode(nlh, &l);
}

static void
test_link_fuzz(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_veth(&m);
	unsigned ok = tfuzz(nlh, fuzz_one, 5000, 0x51u, 900);

	printf("# link fuzz: %u of 5000 damaged messages accepted\n", ok);
	CHECK(ok > 0);
}

int
main(void)
{
	RUN(test_link_full);
	RUN(test_link_minimal);
	RUN(test_link_stats64_short);
	RUN(test_link_short_and_truncated);
	RUN(test_link_wrong_length);
	RUN(test_link_unknown_attr);
	RUN(test_link_linkinfo_truncated);
	RUN(test_link_fuzz);
	return tap_done();
}
