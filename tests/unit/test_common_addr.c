/* test_common_addr.c: pp_ifaddr_decode on RTM_NEWADDR as inet_fill_ifaddr() / inet6_fill_ifaddr() lay them out. */
#include <arpa/inet.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "test_common_msg.h"

static struct ifaddrmsg *
addr_start(struct tmsg *m, int family, struct nlmsghdr **nlhp)
{
	void *h;
	struct ifaddrmsg *ifa;

	*nlhp = tmsg_start(m, RTM_NEWADDR, sizeof(*ifa), &h);
	ifa = h;
	ifa->ifa_family = (uint8_t)family;
	ifa->ifa_prefixlen = family == AF_INET ? 24 : 64;
	ifa->ifa_flags = IFA_F_PERMANENT;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = 3;
	return ifa;
}

static void
put_a(struct nlmsghdr *nlh, uint16_t type, int family, const char *s)
{
	uint8_t b[16];

	inet_pton(family, s, b);
	mnl_attr_put(nlh, type, family == AF_INET ? 4 : 16, b);
}

static struct nlmsghdr *
build_v4(struct tmsg *m)
{
	struct nlmsghdr *nlh;
	struct ifa_cacheinfo ci = { .ifa_prefered = 0xffffffff, .ifa_valid = 0xffffffff };

	addr_start(m, AF_INET, &nlh);
	put_a(nlh, IFA_ADDRESS, AF_INET, "198.51.100.2");
	put_a(nlh, IFA_LOCAL, AF_INET, "198.51.100.2");
	put_a(nlh, IFA_BROADCAST, AF_INET, "198.51.100.255");
	mnl_attr_put_strz(nlh, IFA_LABEL, "veth0");
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE);
	mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	return nlh;
}

static void
test_addr_v4(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4(&m);
	struct pp_ifaddr a;

	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), 0);
	CHECK_EQ_INT(a.family, AF_INET);
	CHECK_EQ_INT(a.ifindex, 3);
	CHECK_EQ_INT(a.prefixlen, 24);
	CHECK_EQ_INT(a.scope, RT_SCOPE_UNIVERSE);
	CHECK_EQ_INT(a.flags, IFA_F_PERMANENT | IFA_F_NOPREFIXROUTE);	/* IFA_FLAGS wins */
	CHECK_STR(astr(&a.local), "198.51.100.2");
	CHECK_EQ_INT(a.peer.family, 0);
	CHECK_STR(a.label, "veth0");
}

/* Point-to-point: IFA_ADDRESS is the peer, IFA_LOCAL ours. */
static void
test_addr_peer(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_ifaddr a;

	addr_start(&m, AF_INET, &nlh);
	put_a(nlh, IFA_ADDRESS, AF_INET, "203.0.113.1");
	put_a(nlh, IFA_LOCAL, AF_INET, "203.0.113.2");
	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), 0);
	CHECK_STR(astr(&a.local), "203.0.113.2");
	CHECK_STR(astr(&a.peer), "203.0.113.1");
	CHECK_EQ_INT(a.flags, IFA_F_PERMANENT);	/* no IFA_FLAGS: the header's */
}

/* IPv6: only IFA_ADDRESS; a tentative address's flags in IFA_FLAGS. */
static void
test_addr_v6(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct ifaddrmsg *ifa = addr_start(&m, AF_INET6, &nlh);
	struct pp_ifaddr a;

	ifa->ifa_flags = IFA_F_TENTATIVE;
	put_a(nlh, IFA_ADDRESS, AF_INET6, "2001:db8::2");
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_TENTATIVE | IFA_F_DADFAILED);
	mnl_attr_put_u32(nlh, IFA_RT_PRIORITY, 256);
	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), 0);
	CHECK_EQ_INT(a.family, AF_INET6);
	CHECK_EQ_INT(a.prefixlen, 64);
	CHECK_STR(astr(&a.local), "2001:db8::2");
	CHECK(a.flags & IFA_F_DADFAILED);
	CHECK_STR(a.label, "");

	/* Neither IFA_LOCAL nor IFA_ADDRESS: malformed. */
	addr_start(&m, AF_INET6, &nlh);
	mnl_attr_put_u32(nlh, IFA_FLAGS, 0);
	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), -EBADMSG);
}

static void
test_addr_short_and_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4(&m);
	uint32_t start = NLMSG_HDRLEN + sizeof(struct ifaddrmsg);
	struct pp_ifaddr a;

	CHECK_EQ_INT(TDECODE_LEN(pp_ifaddr_decode, nlh, start - 1, &a), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_ifaddr_decode, nlh, NLMSG_HDRLEN, &a), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_ifaddr_decode, nlh, start + 6, &a), -EBADMSG);
	for (uint32_t len = start; len < nlh->nlmsg_len; len++) {
		int rc = TDECODE_LEN(pp_ifaddr_decode, nlh, len, &a);

		CHECK(rc == 0 || rc == -EBADMSG);
	}
	addr_start(&m, AF_INET, &nlh);
	put_a(nlh, IFA_LOCAL, AF_INET, "198.51.100.2");
	tmsg_put_raw(nlh, IFA_LABEL, 255, "eth0", 5);
	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), -EBADMSG);
}

static void
test_addr_wrong_length(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_ifaddr a;
	uint8_t b[16] = { 198, 51, 100, 2 };

	addr_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, IFA_LOCAL, 3, b);
	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), -EBADMSG);

	addr_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, IFA_ADDRESS, 16, b);	/* IPv6 length in an IPv4 address */
	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), -EBADMSG);

	addr_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, IFA_LOCAL, 4, b);
	mnl_attr_put_u16(nlh, IFA_FLAGS, 1);
	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), -EBADMSG);

	addr_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, IFA_LOCAL, 4, b);
	mnl_attr_put(nlh, IFA_LABEL, 4, "eth0");	/* no NUL */
	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), -EBADMSG);

	addr_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, IFA_LOCAL, 4, b);
	mnl_attr_put(nlh, IFA_CACHEINFO, 8, b);
	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), -EBADMSG);

	addr_start(&m, AF_PACKET, &nlh);
	mnl_attr_put(nlh, IFA_LOCAL, 4, b);
	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), -EAFNOSUPPORT);
}

static void
test_addr_unknown_attr(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4(&m);
	struct pp_ifaddr a;

	mnl_attr_put_u8(nlh, IFA_MAX + 1, 1);	/* IFA_PROTO on newer headers */
	mnl_attr_put(nlh, 0x3000, 6, "abcde");
	mnl_attr_put(nlh, IFA_MULTICAST, 3, "ab");
	CHECK_EQ_INT(TDECODE(pp_ifaddr_decode, nlh, &a), 0);
	CHECK_STR(a.label, "veth0");
}

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	struct pp_ifaddr a;

	return pp_ifaddr_decode(nlh, &a);
}

static void
test_addr_fuzz(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4(&m);
	unsigned ok = tfuzz(nlh, fuzz_one, 5000, 0xa11u, 600);

	printf("# addr fuzz: %u of 5000 damaged messages accepted\n", ok);
	CHECK(ok > 0);
}

int
main(void)
{
	RUN(test_addr_v4);
	RUN(test_addr_peer);
	RUN(test_addr_v6);
	RUN(test_addr_short_and_truncated);
	RUN(test_addr_wrong_length);
	RUN(test_addr_unknown_attr);
	RUN(test_addr_fuzz);
	return tap_done();
}
