/* test_common_neigh.c: pp_neigh_decode on RTM_NEWNEIGH messages as neigh_fill_info() lays them out. */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "neigh.h"
#include "test_common_msg.h"

static struct ndmsg *
neigh_start(struct tmsg *m, int family, struct nlmsghdr **nlhp)
{
	void *h;
	struct ndmsg *ndm;

	*nlhp = tmsg_start(m, RTM_NEWNEIGH, sizeof(*ndm), &h);
	ndm = h;
	ndm->ndm_family = (uint8_t)family;
	ndm->ndm_ifindex = 4;
	ndm->ndm_state = NUD_REACHABLE;
	ndm->ndm_flags = 0;
	ndm->ndm_type = RTN_UNICAST;
	return ndm;
}

static struct nlmsghdr *
build_v4(struct tmsg *m)
{
	struct nlmsghdr *nlh;
	struct in_addr a;
	uint8_t mac[6] = { 0x02, 0, 0x5e, 0, 0x53, 0x01 };
	struct nda_cacheinfo ci = { .ndm_confirmed = 100, .ndm_used = 200, .ndm_updated = 300,
				    .ndm_refcnt = 1 };

	neigh_start(m, AF_INET, &nlh);
	inet_pton(AF_INET, "198.51.100.1", &a);
	mnl_attr_put(nlh, NDA_DST, 4, &a);
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	mnl_attr_put_u32(nlh, NDA_PROBES, 0);
	mnl_attr_put(nlh, NDA_CACHEINFO, sizeof(ci), &ci);
	mnl_attr_put_u8(nlh, NDA_PROTOCOL, 0);
	return nlh;
}

static void
test_neigh_v4_full(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4(&m);
	struct pp_neigh n;
	char a[INET6_ADDRSTRLEN], b[64];

	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), 0);
	CHECK_EQ_INT(n.family, AF_INET);
	CHECK_EQ_INT(n.ifindex, 4);
	CHECK_EQ_INT(n.state, NUD_REACHABLE);
	CHECK_EQ_INT(n.type, RTN_UNICAST);
	CHECK_STR(pp_addr_str(&n.dst, a, sizeof(a)), "198.51.100.1");
	CHECK_EQ_INT(n.lladdr_len, 6);
	CHECK_STR(pp_lladdr_str(n.lladdr, n.lladdr_len, b, sizeof(b)), "02:00:5e:00:53:01");
	CHECK(n.has_probes && n.probes == 0);
	CHECK(n.has_cacheinfo);
	CHECK_EQ_INT(n.ci.ndm_confirmed, 100);
	CHECK_EQ_INT(n.ci.ndm_used, 200);
	CHECK_EQ_INT(n.ci.ndm_updated, 300);
	CHECK_STR(pp_neigh_state_name(n.state, b, sizeof(b)), "REACHABLE");
}

/* An IPv6 entry that failed: no link-layer address, probes counted. */
static void
test_neigh_v6_failed(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct ndmsg *ndm = neigh_start(&m, AF_INET6, &nlh);
	struct in6_addr a;
	struct pp_neigh n;
	char b[64];

	ndm->ndm_state = NUD_FAILED;
	ndm->ndm_flags = NTF_ROUTER;
	inet_pton(AF_INET6, "2001:db8::1", &a);
	mnl_attr_put(nlh, NDA_DST, 16, &a);
	mnl_attr_put_u32(nlh, NDA_PROBES, 3);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), 0);
	CHECK_EQ_INT(n.family, AF_INET6);
	CHECK_EQ_INT(n.state, NUD_FAILED);
	CHECK_EQ_INT(n.flags, NTF_ROUTER);
	CHECK_EQ_INT(n.lladdr_len, 0);
	CHECK(!n.has_cacheinfo);
	CHECK_EQ_INT(n.probes, 3);
	CHECK_STR(pp_neigh_state_name(n.state, b, sizeof(b)), "FAILED");
	CHECK_STR(pp_neigh_state_name(0, b, sizeof(b)), "NONE");
	CHECK_STR(pp_neigh_state_name(NUD_STALE | NUD_PERMANENT, b, sizeof(b)), "STALE,PERMANENT");
	/* A small buffer is cut, not overrun. */
	CHECK_STR(pp_neigh_state_name(NUD_INCOMPLETE | NUD_REACHABLE | NUD_STALE, b, 12), "INCOMPLETE,");
	CHECK_STR(pp_lladdr_str((const uint8_t *)"\x01\x02\x03", 3, b, 6), "01:02");
	CHECK_STR(pp_lladdr_str(NULL, 0, b, sizeof(b)), "");
}

static void
test_neigh_short_and_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4(&m);
	uint32_t start = NLMSG_HDRLEN + sizeof(struct ndmsg);
	struct pp_neigh n;

	CHECK_EQ_INT(TDECODE_LEN(pp_neigh_decode, nlh, start - 1, &n), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_neigh_decode, nlh, NLMSG_HDRLEN, &n), -EBADMSG);
	/* Header only: no NDA_DST, malformed. */
	CHECK_EQ_INT(TDECODE_LEN(pp_neigh_decode, nlh, start, &n), -EBADMSG);
	/* NDA_DST cut after 2 of its 4 address bytes. */
	CHECK_EQ_INT(TDECODE_LEN(pp_neigh_decode, nlh, start + NLA_HDRLEN + 2, &n), -EBADMSG);
	for (uint32_t len = start; len < nlh->nlmsg_len; len++) {
		int rc = TDECODE_LEN(pp_neigh_decode, nlh, len, &n);

		CHECK(rc == 0 || rc == -EBADMSG);
	}
	/* NDA_LLADDR whose nla_len runs past the end. */
	nlh = build_v4(&m);
	{
		uint8_t mac[6] = { 0 };

		tmsg_put_raw(nlh, NDA_LLADDR, 100, mac, sizeof(mac));
	}
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), -EBADMSG);
}

static void
test_neigh_wrong_length(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_neigh n;
	uint8_t b[20] = { 198, 51, 100, 1 };
	struct nda_cacheinfo ci = { 0 };

	neigh_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, NDA_DST, 3, b);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), -EBADMSG);

	neigh_start(&m, AF_INET6, &nlh);
	mnl_attr_put(nlh, NDA_DST, 4, b);	/* IPv4 length in an IPv6 entry */
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), -EBADMSG);

	neigh_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, NDA_DST, 4, b);
	mnl_attr_put_u16(nlh, NDA_PROBES, 1);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), -EBADMSG);

	neigh_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, NDA_DST, 4, b);
	mnl_attr_put(nlh, NDA_CACHEINFO, sizeof(ci) - 4, &ci);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), -EBADMSG);

	/* A 40-byte link-layer address (InfiniBand is 20) is cut to 32, an empty one is fine. */
	neigh_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, NDA_DST, 4, b);
	{
		uint8_t ll[40];

		memset(ll, 0x11, sizeof(ll));
		mnl_attr_put(nlh, NDA_LLADDR, sizeof(ll), ll);
	}
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), 0);
	CHECK_EQ_INT(n.lladdr_len, 32);
	neigh_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, NDA_DST, 4, b);
	mnl_attr_put(nlh, NDA_LLADDR, 0, NULL);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), 0);
	CHECK_EQ_INT(n.lladdr_len, 0);

	neigh_start(&m, AF_BRIDGE, &nlh);
	mnl_attr_put(nlh, NDA_DST, 4, b);
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), -EAFNOSUPPORT);
}

static void
test_neigh_unknown_attr(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4(&m);
	struct pp_neigh n;

	mnl_attr_put_u32(nlh, NDA_MAX + 1, 7);
	mnl_attr_put_u32(nlh, NDA_FLAGS_EXT, 1);	/* known, not used */
	mnl_attr_put(nlh, 0x7fff, 3, "ab");
	CHECK_EQ_INT(TDECODE(pp_neigh_decode, nlh, &n), 0);
	CHECK_EQ_INT(n.lladdr_len, 6);
	CHECK_EQ_INT(n.state, NUD_REACHABLE);
}

/* The decoder as it was, through the policy table: pp_neigh_decode()'s one pass must agree with it. */
static const struct pp_attr_policy ref_pol[NDA_MAX + 1] = {
	[NDA_DST] = { PP_A_ADDR }, [NDA_LLADDR] = { PP_A_UNSPEC }, [NDA_PROBES] = { PP_A_U32 },
	[NDA_CACHEINFO] = { PP_A_MIN, sizeof(struct nda_cacheinfo) },
};

static int
ref_decode(const struct nlmsghdr *nlh, struct pp_neigh *n)
{
	const struct nlattr *tb[NDA_MAX + 1];
	const struct ndmsg *ndm = pp_msg_hdr(nlh, sizeof(*ndm));

	memset(n, 0, sizeof(*n));
	if (!ndm || pp_attr_parse_msg(nlh, sizeof(*ndm), ref_pol, NDA_MAX, tb) < 0)
		return -EBADMSG;
	if (ndm->ndm_family != AF_INET && ndm->ndm_family != AF_INET6)
		return -EAFNOSUPPORT;
	n->family = ndm->ndm_family;
	n->ifindex = ndm->ndm_ifindex;
	n->state = ndm->ndm_state;
	n->flags = ndm->ndm_flags;
	n->type = ndm->ndm_type;
	if (!tb[NDA_DST] || !pp_attr_addr(tb[NDA_DST], n->family, &n->dst))
		return -EBADMSG;
	if (tb[NDA_LLADDR]) {
		size_t len = mnl_attr_get_payload_len(tb[NDA_LLADDR]);

		if (len > sizeof(n->lladdr))
			len = sizeof(n->lladdr);
		memcpy(n->lladdr, mnl_attr_get_payload(tb[NDA_LLADDR]), len);
		n->lladdr_len = (uint8_t)len;
	}
	if (tb[NDA_PROBES]) {
		n->has_probes = true;
		n->probes = mnl_attr_get_u32(tb[NDA_PROBES]);
	}
	if (tb[NDA_CACHEINFO]) {
		n->has_cacheinfo = true;
		pp_attr_copy(&n->ci, sizeof(n->ci), tb[NDA_CACHEINFO]);
	}
	return 0;
}

static unsigned fuzz_differ;

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	struct pp_neigh n, r;
	int rc = pp_neigh_decode(nlh, &n), rrc = ref_decode(nlh, &r);

	/* The same verdict, and on success the same entry (both start from a zeroed struct). */
	if (rc != rrc || (rc == 0 && memcmp(&n, &r, sizeof(n)) != 0))
		fuzz_differ++;
	return rc;
}

/* Damaged copies of a full IPv4 entry, an IPv6 one with every attribute twice and odd lengths, an empty one. */
static void
test_neigh_fuzz(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4(&m);
	unsigned ok = tfuzz(nlh, fuzz_one, 5000, 0x77u, 600), ok6, ok0;
	struct in6_addr a6;
	uint8_t ll[40], one = 1;
	struct nda_cacheinfo ci = { .ndm_confirmed = 1, .ndm_used = 2, .ndm_updated = 3, .ndm_refcnt = 4 };
	uint8_t cib[sizeof(ci) + 3];

	printf("# neigh fuzz: %u of 5000 damaged messages accepted\n", ok);
	CHECK(ok > 0);
	memset(ll, 0x5a, sizeof(ll));
	neigh_start(&m, AF_INET6, &nlh);
	inet_pton(AF_INET6, "2001:db8::1", &a6);
	mnl_attr_put(nlh, NDA_DST, 16, &a6);
	mnl_attr_put(nlh, NDA_LLADDR, 7, ll);
	mnl_attr_put(nlh, NDA_PROBES, 5, ll);
	memset(cib, 0x33, sizeof(cib));
	memcpy(cib, &ci, sizeof(ci));
	mnl_attr_put(nlh, NDA_CACHEINFO, sizeof(cib), cib);	/* longer than its struct */
	mnl_attr_put(nlh, NDA_MAX + 1, 1, &one);
	mnl_attr_put(nlh, NDA_LLADDR | NLA_F_NESTED, sizeof(ll), ll);
	mnl_attr_put_u32(nlh, NDA_PROBES, 9);
	mnl_attr_put(nlh, NDA_DST, 16, ll);
	mnl_attr_put(nlh, NDA_CACHEINFO, sizeof(ci), &ci);
	ok6 = tfuzz(nlh, fuzz_one, 5000, 0x99u, 600);
	neigh_start(&m, AF_INET, &nlh);
	ok0 = tfuzz(nlh, fuzz_one, 2000, 0x55u, 64);
	printf("# neigh fuzz: IPv6 %u of 5000, header only %u of 2000 accepted\n", ok6, ok0);
	CHECK(ok6 > 0);
	CHECK_EQ_INT(fuzz_differ, 0);
}

int
main(void)
{
	RUN(test_neigh_v4_full);
	RUN(test_neigh_v6_failed);
	RUN(test_neigh_short_and_truncated);
	RUN(test_neigh_wrong_length);
	RUN(test_neigh_unknown_attr);
	RUN(test_neigh_fuzz);
	return tap_done();
}
