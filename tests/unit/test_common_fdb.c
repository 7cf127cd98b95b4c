/*
 * test_common_fdb.c: the decoders --follow crosses namespaces and bridges with:
 * pp_fdb_decode (RTM_NEWNEIGH of AF_BRIDGE, as fdb_fill_info() lays it out),
 * pp_brport_decode (a bridge port's IFLA_LINKINFO slave data, br_port_fill_slave_info)
 * and pp_nsid_decode (RTM_NEWNSID, rtnl_net_fill). Full, short, truncated, unknown.
 */
#include <linux/if_link.h>
#include <linux/neighbour.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>

#include "fdb.h"
#include "netns.h"
#include "test_common_msg.h"

static const uint8_t MAC[6] = { 0x02, 0x42, 0xcb, 0x00, 0x71, 0x02 };

static struct nlmsghdr *
build_fdb(struct tmsg *m, uint8_t family)
{
	struct nlmsghdr *nlh;
	struct ndmsg *ndm;
	void *h;

	nlh = tmsg_start(m, RTM_NEWNEIGH, sizeof(*ndm), &h);
	ndm = h;
	ndm->ndm_family = family;
	ndm->ndm_ifindex = 7;
	ndm->ndm_state = NUD_REACHABLE;
	ndm->ndm_flags = NTF_MASTER;
	mnl_attr_put(nlh, NDA_LLADDR, 6, MAC);
	mnl_attr_put_u32(nlh, NDA_MASTER, 5);
	mnl_attr_put_u16(nlh, NDA_VLAN, 10);
	mnl_attr_put_u32(nlh, 250, 1);		/* an attribute from a newer kernel */
	return nlh;
}

static void
test_fdb_full(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_fdb(&m, AF_BRIDGE);
	struct pp_fdb f;

	CHECK_EQ_INT(TDECODE(pp_fdb_decode, nlh, &f), 0);
	CHECK_EQ_INT(f.port, 7);
	CHECK_EQ_INT(f.master, 5);
	CHECK(f.has_vlan && f.vlan == 10);
	CHECK(memcmp(f.lladdr, MAC, 6) == 0);
	CHECK_STR(pp_fdb_kind(&f), "learned");
	f.state = NUD_PERMANENT;
	CHECK_STR(pp_fdb_kind(&f), "local");
	f.state = NUD_NOARP;
	CHECK_STR(pp_fdb_kind(&f), "static");
	f.state = NUD_STALE;
	CHECK_STR(pp_fdb_kind(&f), "stale");
	f.flags = NTF_EXT_LEARNED;
	CHECK_STR(pp_fdb_kind(&f), "extern_learn");
}

static void
test_fdb_bad(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_fdb(&m, AF_INET);
	uint32_t start = NLMSG_HDRLEN + sizeof(struct ndmsg);
	struct pp_fdb f;
	uint8_t four[4] = { 0 };

	/* An IP neighbour is not an fdb entry. */
	CHECK_EQ_INT(TDECODE(pp_fdb_decode, nlh, &f), -EAFNOSUPPORT);
	nlh = build_fdb(&m, AF_BRIDGE);
	CHECK_EQ_INT(TDECODE_LEN(pp_fdb_decode, nlh, start - 1, &f), -EBADMSG);
	/* No address: not an entry pathcheck can use. */
	CHECK_EQ_INT(TDECODE_LEN(pp_fdb_decode, nlh, start, &f), -EBADMSG);
	for (uint32_t len = start; len < nlh->nlmsg_len; len++) {
		int rc = TDECODE_LEN(pp_fdb_decode, nlh, len, &f);

		CHECK(rc == 0 || rc == -EBADMSG);
	}
	/* A 4-byte link-layer address. */
	{
		void *h;
		struct ndmsg *ndm;

		nlh = tmsg_start(&m, RTM_NEWNEIGH, sizeof(*ndm), &h);
		ndm = h;
		ndm->ndm_family = AF_BRIDGE;
		mnl_attr_put(nlh, NDA_LLADDR, 4, four);
		CHECK_EQ_INT(TDECODE(pp_fdb_decode, nlh, &f), -EBADMSG);
	}
	/* NDA_MASTER whose nla_len runs past the end. */
	nlh = build_fdb(&m, AF_BRIDGE);
	tmsg_put_raw(nlh, NDA_MASTER, 64, four, sizeof(four));
	CHECK_EQ_INT(TDECODE(pp_fdb_decode, nlh, &f), -EBADMSG);
}

static struct nlmsghdr *
build_port(struct tmsg *m, const char *slave_kind, bool data)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *li, *sd;
	void *h;

	nlh = tmsg_start(m, RTM_NEWLINK, sizeof(*ifi), &h);
	ifi = h;
	ifi->ifi_index = 7;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "vethc");
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	if (slave_kind)
		mnl_attr_put_strz(nlh, IFLA_INFO_SLAVE_KIND, slave_kind);
	if (data) {
		sd = mnl_attr_nest_start(nlh, IFLA_INFO_SLAVE_DATA);
		mnl_attr_put_u8(nlh, IFLA_BRPORT_STATE, 4);	/* blocking */
		mnl_attr_put_u8(nlh, IFLA_BRPORT_LEARNING, 0);
		mnl_attr_put_u8(nlh, IFLA_BRPORT_UNICAST_FLOOD, 1);
		mnl_attr_put_u8(nlh, IFLA_BRPORT_ISOLATED, 1);
		mnl_attr_put_u64(nlh, 200, 1);
		mnl_attr_nest_end(nlh, sd);
	}
	mnl_attr_nest_end(nlh, li);
	return nlh;
}

static void
test_brport(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_port(&m, "bridge", true);
	struct pp_brport b;

	CHECK_EQ_INT(TDECODE(pp_brport_decode, nlh, &b), 0);
	CHECK(b.has_state && b.state == 4);
	CHECK_STR(pp_brport_state_name(b.state), "blocking");
	CHECK_STR(pp_brport_state_name(3), "forwarding");
	CHECK_STR(pp_brport_state_name(99), "unknown");
	CHECK(b.has_learning && !b.learning);
	CHECK(b.has_flood && b.flood);
	CHECK(b.has_isolated && b.isolated);
	CHECK(!b.has_mcast_flood && !b.has_hairpin);
	/* A bond's port, and a device that is nobody's port. */
	nlh = build_port(&m, "bond", true);
	CHECK_EQ_INT(TDECODE(pp_brport_decode, nlh, &b), -ENOENT);
	nlh = build_port(&m, NULL, false);
	CHECK_EQ_INT(TDECODE(pp_brport_decode, nlh, &b), -ENOENT);
	/* A bridge port the kernel sent no slave data for: known to be a port, nothing more. */
	nlh = build_port(&m, "bridge", false);
	CHECK_EQ_INT(TDECODE(pp_brport_decode, nlh, &b), 0);
	CHECK(!b.has_state);
	nlh = build_port(&m, "bridge", true);
	for (uint32_t len = NLMSG_HDRLEN; len < nlh->nlmsg_len; len++) {
		int rc = TDECODE_LEN(pp_brport_decode, nlh, len, &b);

		CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOENT);
	}
}

static void
test_nsid(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	int32_t id = 99;
	void *h;

	nlh = tmsg_start(&m, RTM_NEWNSID, sizeof(struct rtgenmsg), &h);
	mnl_attr_put_u32(nlh, NETNSA_NSID, 3);
	mnl_attr_put_u32(nlh, 77, 0);
	CHECK_EQ_INT(TDECODE(pp_nsid_decode, nlh, &id), 0);
	CHECK_EQ_INT(id, 3);
	/* NETNSA_NSID_NOT_ASSIGNED */
	nlh = tmsg_start(&m, RTM_NEWNSID, sizeof(struct rtgenmsg), &h);
	mnl_attr_put_u32(nlh, NETNSA_NSID, (uint32_t)-1);
	CHECK_EQ_INT(TDECODE(pp_nsid_decode, nlh, &id), -ENOENT);
	/* No id, a short id, a cut header, the wrong message. */
	nlh = tmsg_start(&m, RTM_NEWNSID, sizeof(struct rtgenmsg), &h);
	CHECK_EQ_INT(TDECODE(pp_nsid_decode, nlh, &id), -EBADMSG);
	mnl_attr_put_u16(nlh, NETNSA_NSID, 3);
	CHECK_EQ_INT(TDECODE(pp_nsid_decode, nlh, &id), -EBADMSG);
	nlh = tmsg_start(&m, RTM_NEWNSID, sizeof(struct rtgenmsg), &h);
	mnl_attr_put_u32(nlh, NETNSA_NSID, 3);
	CHECK_EQ_INT(TDECODE_LEN(pp_nsid_decode, nlh, NLMSG_HDRLEN, &id), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_nsid_decode, nlh, nlh->nlmsg_len - 2, &id), -EBADMSG);
	nlh->nlmsg_type = RTM_NEWLINK;
	CHECK_EQ_INT(TDECODE(pp_nsid_decode, nlh, &id), -EBADMSG);
}

static struct nlmsghdr *
build_bridge(struct tmsg *m, const char *kind, int vf)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct nlattr *li, *d;
	void *h;

	nlh = tmsg_start(m, RTM_NEWLINK, sizeof(*ifi), &h);
	ifi = h;
	ifi->ifi_index = 5;
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
	if (vf >= 0) {
		d = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
		mnl_attr_put_u32(nlh, IFLA_BR_FORWARD_DELAY, 1500);
		mnl_attr_put_u8(nlh, IFLA_BR_VLAN_FILTERING, (uint8_t)vf);
		mnl_attr_nest_end(nlh, d);
	}
	mnl_attr_nest_end(nlh, li);
	return nlh;
}

static void
test_vlan_filtering(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	bool on = true;

	nlh = build_bridge(&m, "bridge", 1);
	CHECK_EQ_INT(TDECODE(pp_bridge_vlan_filtering_decode, nlh, &on), 0);
	CHECK(on);
	nlh = build_bridge(&m, "bridge", 0);
	CHECK_EQ_INT(TDECODE(pp_bridge_vlan_filtering_decode, nlh, &on), 0);
	CHECK(!on);
	nlh = build_bridge(&m, "bridge", -1);	/* no IFLA_INFO_DATA: off */
	CHECK_EQ_INT(TDECODE(pp_bridge_vlan_filtering_decode, nlh, &on), 0);
	CHECK(!on);
	nlh = build_bridge(&m, "veth", 1);
	CHECK_EQ_INT(TDECODE(pp_bridge_vlan_filtering_decode, nlh, &on), -ENOENT);
	nlh = build_bridge(&m, "bridge", 1);
	for (uint32_t len = NLMSG_HDRLEN; len < nlh->nlmsg_len; len++) {
		int rc = TDECODE_LEN(pp_bridge_vlan_filtering_decode, nlh, len, &on);

		CHECK(rc == 0 || rc == -EBADMSG || rc == -ENOENT);
	}
}

static int
fuzz_fdb(const struct nlmsghdr *nlh)
{
	struct pp_fdb f;

	return pp_fdb_decode(nlh, &f);
}

static int
fuzz_port(const struct nlmsghdr *nlh)
{
	struct pp_brport b;

	return pp_brport_decode(nlh, &b);
}

static void
test_fuzz(void)
{
	struct tmsg m;
	unsigned a = tfuzz(build_fdb(&m, AF_BRIDGE), fuzz_fdb, 3000, 0x51u, 400);
	unsigned b = tfuzz(build_port(&m, "bridge", true), fuzz_port, 3000, 0x52u, 400);

	printf("# fdb fuzz: %u, bridge port fuzz: %u of 3000 damaged messages accepted\n", a, b);
	CHECK(a > 0 && b > 0);
}

int
main(void)
{
	RUN(test_fdb_full);
	RUN(test_fdb_bad);
	RUN(test_brport);
	RUN(test_nsid);
	RUN(test_vlan_filtering);
	RUN(test_fuzz);
	return tap_done();
}
