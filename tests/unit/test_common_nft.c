/* test_common_nft.c: pp_nft_chain_decode on NFT_MSG_NEWCHAIN as nf_tables_fill_chain_info() lays it out. */
#include <arpa/inet.h>
#include <endian.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_hook.h>

#include "nft.h"
#include "test_common_msg.h"

static struct nlmsghdr *
chain_start(struct tmsg *m, uint8_t family)
{
	void *h;
	struct nfgenmsg *nfg;
	struct nlmsghdr *nlh = tmsg_start(m, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWCHAIN,
					  sizeof(*nfg), &h);

	nfg = h;
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(12);
	return nlh;
}

/* "table inet filter { chain output { type filter hook output priority 0; policy drop; } }" */
static struct nlmsghdr *
build_base(struct tmsg *m, uint8_t family, uint32_t hook, int32_t prio, uint32_t policy,
	   const char *dev)
{
	struct nlmsghdr *nlh = chain_start(m, family);
	struct nlattr *nest;

	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "filter");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "output");
	mnl_attr_put_u64(nlh, NFTA_CHAIN_HANDLE, htobe64(3));
	nest = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
	mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(hook));
	mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY, htonl((uint32_t)prio));
	if (dev)
		mnl_attr_put_strz(nlh, NFTA_HOOK_DEV, dev);
	mnl_attr_nest_end(nlh, nest);
	if (policy != UINT32_MAX)
		mnl_attr_put_u32(nlh, NFTA_CHAIN_POLICY, htonl(policy));
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE, "filter");
	mnl_attr_put_u32(nlh, NFTA_CHAIN_FLAGS, htonl(NFT_CHAIN_BASE));
	mnl_attr_put_u32(nlh, NFTA_CHAIN_USE, htonl(2));
	return nlh;
}

static void
test_nft_base_chain(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_base(&m, NFPROTO_INET, NF_INET_LOCAL_OUT, -150, NF_DROP, NULL);
	struct pp_nft_chain c;

	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), 0);
	CHECK_EQ_INT(c.family, NFPROTO_INET);
	CHECK_STR(c.table, "filter");
	CHECK_STR(c.name, "output");
	CHECK(c.base);
	CHECK_EQ_INT(c.hooknum, NF_INET_LOCAL_OUT);
	CHECK_EQ_INT(c.prio, -150);
	CHECK_EQ_INT(c.policy, NF_DROP);
	CHECK_STR(c.type, "filter");
	CHECK_STR(c.dev, "");
	CHECK_EQ_INT(c.handle, 3);
	CHECK_EQ_INT(c.use, 2);
	CHECK_STR(pp_nft_family_name(c.family), "inet");
	CHECK_STR(pp_nft_hook_name(c.family, c.hooknum), "output");
}

/* No policy attribute: a base chain accepts. A netdev chain names its device. */
static void
test_nft_defaults_and_netdev(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_base(&m, NFPROTO_IPV4, NF_INET_POST_ROUTING, 100, UINT32_MAX, NULL);
	struct pp_nft_chain c;

	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), 0);
	CHECK_EQ_INT(c.policy, NF_ACCEPT);
	CHECK_STR(pp_nft_hook_name(c.family, c.hooknum), "postrouting");
	CHECK_STR(pp_nft_family_name(c.family), "ip");

	nlh = build_base(&m, NFPROTO_NETDEV, NF_NETDEV_INGRESS, -500, NF_ACCEPT, "veth0");
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), 0);
	CHECK_STR(c.dev, "veth0");
	CHECK_STR(pp_nft_hook_name(NFPROTO_NETDEV, c.hooknum), "ingress");
	CHECK_STR(pp_nft_family_name(NFPROTO_NETDEV), "netdev");
	CHECK_STR(pp_nft_family_name(99), "unknown");
	CHECK_STR(pp_nft_hook_name(NFPROTO_IPV6, 17), "unknown");
}

/* A regular chain: no hook, so not a base chain. */
static void
test_nft_regular_chain(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = chain_start(&m, NFPROTO_IPV6);
	struct pp_nft_chain c;

	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "t");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "jumped");
	mnl_attr_put_u64(nlh, NFTA_CHAIN_HANDLE, htobe64(9));
	mnl_attr_put_u32(nlh, NFTA_CHAIN_USE, htonl(1));
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), 0);
	CHECK(!c.base);
	CHECK_EQ_INT(c.handle, 9);
	CHECK_STR(c.type, "");
	/* The base-chain dump's quick test: not a base chain; a base chain is one; cut, malformed. */
	CHECK_EQ_INT(pp_nft_chain_msg_is_base(nlh), 0);
	nlh = build_base(&m, NFPROTO_INET, NF_INET_LOCAL_OUT, 0, NF_DROP, NULL);
	CHECK_EQ_INT(pp_nft_chain_msg_is_base(nlh), 1);
	nlh->nlmsg_len = NLMSG_HDRLEN + (uint32_t)sizeof(struct nfgenmsg) + NLA_HDRLEN + 3;
	CHECK_EQ_INT(pp_nft_chain_msg_is_base(nlh), -EBADMSG);
	nlh->nlmsg_len = NLMSG_HDRLEN + 1;
	CHECK_EQ_INT(pp_nft_chain_msg_is_base(nlh), -EBADMSG);

	/* Without a table or a name: malformed. */
	nlh = chain_start(&m, NFPROTO_IPV6);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "x");
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), -EBADMSG);
	nlh = chain_start(&m, NFPROTO_IPV6);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "x");
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), -EBADMSG);
}

static void
test_nft_short_and_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_base(&m, NFPROTO_INET, NF_INET_LOCAL_OUT, 0, NF_DROP, NULL);
	uint32_t start = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	struct pp_nft_chain c;

	/* Shorter than struct nfgenmsg. */
	CHECK_EQ_INT(TDECODE_LEN(pp_nft_chain_decode, nlh, start - 1, &c), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_nft_chain_decode, nlh, NLMSG_HDRLEN, &c), -EBADMSG);
	/* NFTA_CHAIN_TABLE cut inside. */
	CHECK_EQ_INT(TDECODE_LEN(pp_nft_chain_decode, nlh, start + NLA_HDRLEN + 3, &c), -EBADMSG);
	for (uint32_t len = start; len < nlh->nlmsg_len; len++) {
		int rc = TDECODE_LEN(pp_nft_chain_decode, nlh, len, &c);

		CHECK(rc == 0 || rc == -EBADMSG);
	}
	/* The hook nest truncated inside. */
	nlh = chain_start(&m, NFPROTO_INET);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "filter");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "output");
	{
		struct nlattr *nest = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);
		struct nlattr *inner = mnl_nlmsg_get_payload_tail(nlh);

		mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(3));
		mnl_attr_nest_end(nlh, nest);
		mnl_attr_put_strz(nlh, NFTA_CHAIN_TYPE, "filter");
		inner->nla_len = 30;
	}
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), -EBADMSG);
	/* NFTA_CHAIN_NAME claiming past the end. */
	nlh = chain_start(&m, NFPROTO_INET);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "filter");
	tmsg_put_raw(nlh, NFTA_CHAIN_NAME, 100, "output", 7);
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), -EBADMSG);
}

static void
test_nft_wrong_length_and_unknown(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_nft_chain c;

	nlh = chain_start(&m, NFPROTO_INET);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "filter");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "output");
	mnl_attr_put_u16(nlh, NFTA_CHAIN_POLICY, 0);	/* 2-byte policy */
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), -EBADMSG);

	nlh = chain_start(&m, NFPROTO_INET);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "filter");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "output");
	mnl_attr_put_u32(nlh, NFTA_CHAIN_HANDLE, 1);	/* 4-byte handle */
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), -EBADMSG);

	/*
	 * libnftnl checks every attribute, not only the last of its type, and exits
	 * the process on a wrong size: a bad first copy must be refused here first.
	 */
	nlh = build_base(&m, NFPROTO_INET, NF_INET_LOCAL_OUT, 0, NF_ACCEPT, NULL);
	mnl_attr_put(nlh, NFTA_CHAIN_POLICY, 7, "filter");
	mnl_attr_put_u32(nlh, NFTA_CHAIN_POLICY, htonl(NF_DROP));
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), -EBADMSG);
	nlh = build_base(&m, NFPROTO_INET, NF_INET_LOCAL_OUT, 0, NF_ACCEPT, NULL);
	mnl_attr_put(nlh, NFTA_CHAIN_HOOK, 2, "x");	/* a nest of 2 bytes */
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), -EBADMSG);
	nlh = build_base(&m, NFPROTO_INET, NF_INET_LOCAL_OUT, 0, NF_ACCEPT, NULL);
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, NFTA_CHAIN_COUNTERS);

		mnl_attr_put_u32(nlh, NFTA_COUNTER_PACKETS, 1);	/* 4-byte u64 */
		mnl_attr_nest_end(nlh, n);
	}
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), -EBADMSG);
	/* A hook priority of 8 bytes, then a good one. */
	nlh = chain_start(&m, NFPROTO_INET);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "filter");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "output");
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK);

		mnl_attr_put_u64(nlh, NFTA_HOOK_PRIORITY, 0);
		mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY, 0);
		mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(NF_INET_LOCAL_OUT));
		mnl_attr_nest_end(nlh, n);
	}
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), -EBADMSG);
	/* A device list whose name has no NUL (libnftnl would strdup past it). */
	nlh = chain_start(&m, NFPROTO_NETDEV);
	mnl_attr_put_strz(nlh, NFTA_CHAIN_TABLE, "t");
	mnl_attr_put_strz(nlh, NFTA_CHAIN_NAME, "in");
	{
		struct nlattr *n = mnl_attr_nest_start(nlh, NFTA_CHAIN_HOOK), *d;

		mnl_attr_put_u32(nlh, NFTA_HOOK_HOOKNUM, htonl(NF_NETDEV_INGRESS));
		mnl_attr_put_u32(nlh, NFTA_HOOK_PRIORITY, 0);
		d = mnl_attr_nest_start(nlh, NFTA_HOOK_DEVS);
		mnl_attr_put_strz(nlh, NFTA_DEVICE_NAME, "veth0");
		mnl_attr_put(nlh, NFTA_DEVICE_NAME, 4, "veth");
		mnl_attr_nest_end(nlh, d);
		mnl_attr_nest_end(nlh, n);
	}
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), -EBADMSG);

	/* Unknown types (newer kernels) are ignored. */
	nlh = build_base(&m, NFPROTO_INET, NF_INET_LOCAL_OUT, 0, NF_ACCEPT, NULL);
	mnl_attr_put_u32(nlh, NFTA_CHAIN_MAX + 1, 1);
	mnl_attr_put(nlh, 0x3ff0, 5, "abcd");
	CHECK_EQ_INT(TDECODE(pp_nft_chain_decode, nlh, &c), 0);
	CHECK(c.base);
	CHECK_EQ_INT(c.policy, NF_ACCEPT);
}

/* An NFNL_MSG_HOOK_GET reply as nfnl_hook_dump_one() lays it out; family 0: no NFNLA_CHAIN_FAMILY (5.13). */
static struct nlmsghdr *
build_hook(struct tmsg *m, uint32_t type, uint8_t family, const char *table, const char *name, int32_t prio)
{
	void *h;
	struct nfgenmsg *nfg;
	struct nlmsghdr *nlh = tmsg_start(m, (NFNL_SUBSYS_HOOK << 8) | NFNL_MSG_HOOK_GET, sizeof(*nfg), &h);
	struct nlattr *info, *desc;

	nfg = h;
	nfg->nfgen_family = NFPROTO_IPV6;
	nfg->version = NFNETLINK_V0;
	mnl_attr_put_u32(nlh, NFNLA_HOOK_HOOKNUM, htonl(NF_INET_PRE_ROUTING));
	mnl_attr_put_u32(nlh, NFNLA_HOOK_PRIORITY, htonl((uint32_t)prio));
	mnl_attr_put_strz(nlh, NFNLA_HOOK_FUNCTION_NAME, type ? "nft_do_chain_inet" : "ipv6_conntrack_in");
	if (!type)
		return nlh;
	info = mnl_attr_nest_start(nlh, NFNLA_HOOK_CHAIN_INFO);
	mnl_attr_put_u32(nlh, NFNLA_HOOK_INFO_TYPE, htonl(type));
	desc = mnl_attr_nest_start(nlh, NFNLA_HOOK_INFO_DESC);
	mnl_attr_put_strz(nlh, NFNLA_CHAIN_TABLE, table);
	mnl_attr_put_strz(nlh, NFNLA_CHAIN_NAME, name);
	if (family)
		mnl_attr_put_u8(nlh, NFNLA_CHAIN_FAMILY, family);
	mnl_attr_nest_end(nlh, desc);
	mnl_attr_nest_end(nlh, info);
	return nlh;
}

/* A hook's entries: an nftables base chain named with its family, other hooks skipped, 5.13's layout refused. */
static void
test_nft_hook_entry(void)
{
	struct tmsg m;
	struct pp_nft_hook_entry h;
	struct nlmsghdr *nlh = build_hook(&m, NFNL_HOOK_TYPE_NFTABLES, NFPROTO_INET, "kube-proxy", "nat-prerouting", -100);

	CHECK_EQ_INT(TDECODE(pp_nft_hook_decode, nlh, &h), 1);
	CHECK_EQ_INT(h.family, NFPROTO_INET);
	CHECK_STR(h.table, "kube-proxy");
	CHECK_STR(h.name, "nat-prerouting");
	CHECK_EQ_INT(h.prio, -100);
	nlh = build_hook(&m, 0, 0, NULL, NULL, -200);
	CHECK_EQ_INT(TDECODE(pp_nft_hook_decode, nlh, &h), 0);
	nlh = build_hook(&m, 3, NFPROTO_INET, "t", "flow", 0);	/* NFNL_HOOK_TYPE_NFT_FLOWTABLE */
	CHECK_EQ_INT(TDECODE(pp_nft_hook_decode, nlh, &h), 0);
	nlh = build_hook(&m, NFNL_HOOK_TYPE_NFTABLES, 0, "filter", "input", 0);
	CHECK_EQ_INT(TDECODE(pp_nft_hook_decode, nlh, &h), -EOPNOTSUPP);
	nlh = build_hook(&m, NFNL_HOOK_TYPE_NFTABLES, NFPROTO_IPV6, "", "input", 0);
	CHECK_EQ_INT(TDECODE(pp_nft_hook_decode, nlh, &h), -EBADMSG);
}

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	struct pp_nft_chain c;

	return pp_nft_chain_decode(nlh, &c);
}

static void
test_nft_fuzz(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_base(&m, NFPROTO_NETDEV, NF_NETDEV_INGRESS, 0, NF_DROP, "veth0");
	unsigned ok = tfuzz(nlh, fuzz_one, 4000, 0x4e46u, 900);

	printf("# nft chain fuzz: %u of 4000 damaged messages accepted\n", ok);
	CHECK(ok > 0);
}

int
main(void)
{
	RUN(test_nft_base_chain);
	RUN(test_nft_defaults_and_netdev);
	RUN(test_nft_regular_chain);
	RUN(test_nft_short_and_truncated);
	RUN(test_nft_wrong_length_and_unknown);
	RUN(test_nft_hook_entry);
	RUN(test_nft_fuzz);
	return tap_done();
}
