/*
 * test_pathcheck_replay.c: --replay's recorded replies turned into requests
 * (cmd/pathcheck/replay_msg.c): the attributes kept and dropped, the flags, nested
 * element lists, truncated and malformed messages; and the run's exit with replays.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_tables_compat.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>

#include "../../cmd/pathcheck/pathcheck.h"
#include "../../cmd/pathcheck/replay.h"
#include "tap.h"

static uint8_t inb[4096], outb[4096];
static char why[256];

static bool
has_attr(const void *msg, size_t fixed, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, (const struct nlmsghdr *)msg, fixed)
		if (mnl_attr_get_type(a) == type)
			return true;
	return false;
}

static uint32_t
attr_u32(const void *msg, size_t fixed, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, (const struct nlmsghdr *)msg, fixed)
		if (mnl_attr_get_type(a) == type)
			return mnl_attr_get_u32(a);
	return 0xdeadbeef;
}

static struct nlmsghdr *
route_reply(uint32_t rtm_flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(inb);
	struct rtmsg *rtm;
	struct rta_cacheinfo ci = { .rta_used = 5 };
	uint32_t gw = htonl(0xc6336401);

	nlh->nlmsg_type = RTM_NEWROUTE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 77;
	nlh->nlmsg_pid = 1234;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_protocol = RTPROT_BOOT;
	rtm->rtm_type = RTN_UNICAST;
	rtm->rtm_flags = rtm_flags;
	mnl_attr_put_u32(nlh, RTA_TABLE, 100);
	mnl_attr_put(nlh, RTA_GATEWAY, 4, &gw);
	mnl_attr_put_u32(nlh, RTA_OIF, 2);
	mnl_attr_put(nlh, RTA_CACHEINFO, sizeof(ci), &ci);
	mnl_attr_put_u32(nlh, RTA_EXPIRES, 30);
	return nlh;
}

static void
route_kept_and_stripped(void)
{
	struct nlmsghdr *in = route_reply(RTNH_F_LINKDOWN | RTNH_F_ONLINK);
	ssize_t n = pc_rp_convert(NETLINK_ROUTE, in, in->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why));
	const struct nlmsghdr *o = (const struct nlmsghdr *)outb;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(o);

	CHECK(n > 0);
	CHECK_EQ_INT(o->nlmsg_len, n);
	CHECK_EQ_INT(o->nlmsg_type, RTM_NEWROUTE);
	CHECK_EQ_INT(o->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL);
	CHECK_EQ_INT(o->nlmsg_seq, 0);
	CHECK_EQ_INT(o->nlmsg_pid, 0);
	CHECK_EQ_INT(rtm->rtm_flags, RTNH_F_ONLINK);	/* linkdown is the kernel's */
	CHECK_EQ_INT(rtm->rtm_protocol, RTPROT_BOOT);
	CHECK_EQ_INT(attr_u32(o, sizeof(*rtm), RTA_TABLE), 100);
	CHECK_EQ_INT(attr_u32(o, sizeof(*rtm), RTA_OIF), 2);
	CHECK(has_attr(o, sizeof(*rtm), RTA_GATEWAY));
	CHECK(!has_attr(o, sizeof(*rtm), RTA_CACHEINFO));
	CHECK(!has_attr(o, sizeof(*rtm), RTA_EXPIRES));
}

static void
route_cloned_skipped(void)
{
	struct nlmsghdr *in = route_reply(RTM_F_CLONED);

	CHECK_EQ_INT(pc_rp_convert(NETLINK_ROUTE, in, in->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why)), 0);
	CHECK(strstr(why, "cached") != NULL);
}

static void
addr_flags(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(inb);
	struct ifaddrmsg *ifa;
	struct ifa_cacheinfo ci = { 0 };
	uint32_t a = htonl(0xc6336402);
	ssize_t n;

	nlh->nlmsg_type = RTM_NEWADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = 26;
	ifa->ifa_index = 2;
	ifa->ifa_flags = IFA_F_PERMANENT | IFA_F_SECONDARY;
	mnl_attr_put(nlh, IFA_LOCAL, 4, &a);
	mnl_attr_put(nlh, IFA_ADDRESS, 4, &a);
	mnl_attr_put_strz(nlh, IFA_LABEL, "c0");
	mnl_attr_put(nlh, IFA_CACHEINFO, sizeof(ci), &ci);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_PERMANENT | IFA_F_SECONDARY | IFA_F_TENTATIVE | IFA_F_DEPRECATED);
	n = pc_rp_convert(NETLINK_ROUTE, nlh, nlh->nlmsg_len, outb, sizeof(outb), IFA_F_NODAD | IFA_F_NOPREFIXROUTE,
			  why, sizeof(why));
	CHECK(n > 0);
	CHECK(has_attr(outb, sizeof(*ifa), IFA_LOCAL));
	CHECK(has_attr(outb, sizeof(*ifa), IFA_LABEL));
	CHECK(!has_attr(outb, sizeof(*ifa), IFA_CACHEINFO));
	CHECK_EQ_INT(attr_u32(outb, sizeof(*ifa), IFA_FLAGS), IFA_F_PERMANENT | IFA_F_NODAD | IFA_F_NOPREFIXROUTE);
	CHECK_EQ_INT(((struct ifaddrmsg *)mnl_nlmsg_get_payload((struct nlmsghdr *)outb))->ifa_prefixlen, 26);
}

static void
neigh_and_rule(void)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(inb);
	struct ndmsg *nd;
	struct nda_cacheinfo ci = { 0 };
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };
	uint32_t a = htonl(0xc6336401);
	struct fib_rule_hdr *frh;

	nlh->nlmsg_type = RTM_NEWNEIGH;
	nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));
	nd->ndm_family = AF_INET;
	nd->ndm_ifindex = 2;
	nd->ndm_state = NUD_PERMANENT;
	mnl_attr_put(nlh, NDA_DST, 4, &a);
	mnl_attr_put(nlh, NDA_LLADDR, 6, mac);
	mnl_attr_put(nlh, NDA_CACHEINFO, sizeof(ci), &ci);
	mnl_attr_put_u32(nlh, NDA_PROBES, 3);
	CHECK(pc_rp_convert(NETLINK_ROUTE, nlh, nlh->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why)) > 0);
	CHECK(has_attr(outb, sizeof(*nd), NDA_DST));
	CHECK(has_attr(outb, sizeof(*nd), NDA_LLADDR));
	CHECK(!has_attr(outb, sizeof(*nd), NDA_CACHEINFO));
	CHECK(!has_attr(outb, sizeof(*nd), NDA_PROBES));

	nlh = mnl_nlmsg_put_header(inb);
	nlh->nlmsg_type = RTM_NEWRULE;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = AF_INET;
	frh->action = FR_ACT_TO_TBL;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 100);
	mnl_attr_put_u32(nlh, FRA_TABLE, 100);
	mnl_attr_put_u32(nlh, FRA_FWMARK, 42);
	CHECK(pc_rp_convert(NETLINK_ROUTE, nlh, nlh->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why)) > 0);
	CHECK_EQ_INT(attr_u32(outb, sizeof(*frh), FRA_PRIORITY), 100);
	CHECK_EQ_INT(attr_u32(outb, sizeof(*frh), FRA_FWMARK), 42);
}

static struct nlmsghdr *
nft_msg(uint16_t msg)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(inb);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | msg;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = NFPROTO_INET;
	g->res_id = htons(9);	/* the generation of a dump */
	return nlh;
}

static void
nft_table_and_rule(void)
{
	struct nlmsghdr *nlh = nft_msg(NFT_MSG_NEWTABLE);
	const struct nlmsghdr *o = (const struct nlmsghdr *)outb;
	struct nlattr *e;

	mnl_attr_put_strz(nlh, NFTA_TABLE_NAME, "t");
	mnl_attr_put_u32(nlh, NFTA_TABLE_FLAGS, htonl(NFT_TABLE_F_OWNER | NFT_TABLE_F_DORMANT));
	mnl_attr_put_u32(nlh, NFTA_TABLE_USE, htonl(3));
	mnl_attr_put_u64(nlh, NFTA_TABLE_HANDLE, 7);
	mnl_attr_put_u32(nlh, NFTA_TABLE_OWNER, htonl(999));
	CHECK(pc_rp_convert(NETLINK_NETFILTER, nlh, nlh->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why)) > 0);
	CHECK(has_attr(o, 4, NFTA_TABLE_NAME));
	CHECK(!has_attr(o, 4, NFTA_TABLE_HANDLE));
	CHECK(!has_attr(o, 4, NFTA_TABLE_USE));
	CHECK(!has_attr(o, 4, NFTA_TABLE_OWNER));
	CHECK_EQ_INT(ntohl(attr_u32(o, 4, NFTA_TABLE_FLAGS)), NFT_TABLE_F_DORMANT);
	CHECK_EQ_INT(((struct nfgenmsg *)mnl_nlmsg_get_payload(o))->res_id, 0);
	CHECK_EQ_INT(((struct nfgenmsg *)mnl_nlmsg_get_payload(o))->nfgen_family, NFPROTO_INET);

	nlh = nft_msg(NFT_MSG_NEWRULE);
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "t");
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "out");
	mnl_attr_put_u64(nlh, NFTA_RULE_HANDLE, 4);
	mnl_attr_put_u64(nlh, NFTA_RULE_POSITION, 3);
	e = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	mnl_attr_put_strz(nlh, NFTA_LIST_ELEM, "x");
	mnl_attr_nest_end(nlh, e);
	CHECK(pc_rp_convert(NETLINK_NETFILTER, nlh, nlh->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why)) > 0);
	CHECK_EQ_INT(o->nlmsg_flags, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_APPEND);
	CHECK(has_attr(o, 4, NFTA_RULE_EXPRESSIONS));
	CHECK(has_attr(o, 4, NFTA_RULE_CHAIN));
	CHECK(!has_attr(o, 4, NFTA_RULE_HANDLE));
	CHECK(!has_attr(o, 4, NFTA_RULE_POSITION));
}

/* The expiration of each element goes, its key and timeout stay; the nests' lengths are right. */
static void
nft_setelem_nested(void)
{
	struct nlmsghdr *nlh = nft_msg(NFT_MSG_NEWSETELEM);
	const struct nlattr *l, *el, *x;
	struct nlattr *list, *elem, *key;
	int nelem = 0, nkey = 0, ntimeout = 0, nexp = 0;

	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, "t");
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, "s");
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	for (int i = 0; i < 2; i++) {
		elem = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
		key = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);
		mnl_attr_put_u32(nlh, NFTA_DATA_VALUE, htonl(0xcb007102 + (uint32_t)i));
		mnl_attr_nest_end(nlh, key);
		mnl_attr_put_u64(nlh, NFTA_SET_ELEM_TIMEOUT, 60000);
		mnl_attr_put_u64(nlh, NFTA_SET_ELEM_EXPIRATION, 41234);
		mnl_attr_nest_end(nlh, elem);
	}
	mnl_attr_nest_end(nlh, list);
	CHECK(pc_rp_convert(NETLINK_NETFILTER, nlh, nlh->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why)) > 0);
	CHECK(mnl_nlmsg_ok((struct nlmsghdr *)outb, (int)((struct nlmsghdr *)outb)->nlmsg_len));
	mnl_attr_for_each(l, (struct nlmsghdr *)outb, 4) {
		if (mnl_attr_get_type(l) != NFTA_SET_ELEM_LIST_ELEMENTS)
			continue;
		CHECK(mnl_attr_validate(l, MNL_TYPE_NESTED) == 0);
		mnl_attr_for_each_nested(el, l) {
			nelem++;
			mnl_attr_for_each_nested(x, el) {
				nkey += mnl_attr_get_type(x) == NFTA_SET_ELEM_KEY;
				ntimeout += mnl_attr_get_type(x) == NFTA_SET_ELEM_TIMEOUT;
				nexp += mnl_attr_get_type(x) == NFTA_SET_ELEM_EXPIRATION;
			}
		}
	}
	CHECK_EQ_INT(nelem, 2);
	CHECK_EQ_INT(nkey, 2);
	CHECK_EQ_INT(ntimeout, 2);
	CHECK_EQ_INT(nexp, 0);
}

/* A set: the kernel's own attributes out (handle, the backend type of newer kernels), an id in. */
static void
nft_set_id(void)
{
	struct nlmsghdr *nlh = nft_msg(NFT_MSG_NEWSET);
	const struct nlmsghdr *o = (const struct nlmsghdr *)outb;

	mnl_attr_put_strz(nlh, NFTA_SET_TABLE, "t");
	mnl_attr_put_strz(nlh, NFTA_SET_NAME, "blocked");
	mnl_attr_put_u32(nlh, NFTA_SET_KEY_LEN, htonl(4));
	mnl_attr_put_u64(nlh, NFTA_SET_HANDLE, 3);
	mnl_attr_put_strz(nlh, 19, "hash");	/* NFTA_SET_TYPE, report only */
	CHECK(pc_rp_convert(NETLINK_NETFILTER, nlh, nlh->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why)) > 0);
	CHECK(has_attr(o, 4, NFTA_SET_NAME));
	CHECK(has_attr(o, 4, NFTA_SET_KEY_LEN));
	CHECK(has_attr(o, 4, NFTA_SET_ID));
	CHECK(!has_attr(o, 4, NFTA_SET_HANDLE));
	CHECK(!has_attr(o, 4, 19));
}

/* "tcp option maxseg size set ...": the zero flags the kernel dumps and refuses go, the nests shrink. */
static void
nft_exthdr_write(void)
{
	struct nlmsghdr *nlh = nft_msg(NFT_MSG_NEWRULE);
	const struct nlmsghdr *o = (const struct nlmsghdr *)outb;
	struct nlattr *ex, *el, *d;
	const struct nlattr *a, *b, *c;
	int flags = 0, sreg = 0, names = 0;

	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "t");
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "c");
	ex = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "exthdr");
	d = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	mnl_attr_put_u32(nlh, NFTA_EXTHDR_SREG, htonl(1));
	mnl_attr_put_u8(nlh, NFTA_EXTHDR_TYPE, 2);
	mnl_attr_put_u32(nlh, NFTA_EXTHDR_FLAGS, 0);
	mnl_attr_put_u32(nlh, NFTA_EXTHDR_OP, htonl(1));
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, el);
	el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);	/* a read keeps its flags */
	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, "exthdr");
	d = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	mnl_attr_put_u32(nlh, NFTA_EXTHDR_DREG, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_EXTHDR_FLAGS, 0);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, el);
	mnl_attr_nest_end(nlh, ex);
	CHECK(pc_rp_convert(NETLINK_NETFILTER, nlh, nlh->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why)) > 0);
	CHECK_EQ_INT(o->nlmsg_len, nlh->nlmsg_len - 8);
	mnl_attr_for_each(a, o, 4) {
		if (mnl_attr_get_type(a) != NFTA_RULE_EXPRESSIONS)
			continue;
		CHECK(mnl_attr_validate(a, MNL_TYPE_NESTED) == 0);
		mnl_attr_for_each_nested(b, a) {
			mnl_attr_for_each_nested(c, b) {
				const struct nlattr *x;

				names += mnl_attr_get_type(c) == NFTA_EXPR_NAME;
				if (mnl_attr_get_type(c) != NFTA_EXPR_DATA)
					continue;
				mnl_attr_for_each_nested(x, c) {
					flags += mnl_attr_get_type(x) == NFTA_EXTHDR_FLAGS;
					sreg += mnl_attr_get_type(x) == NFTA_EXTHDR_SREG;
				}
			}
		}
	}
	CHECK_EQ_INT(names, 2);
	CHECK_EQ_INT(sreg, 1);
	CHECK_EQ_INT(flags, 1);	/* the read's */
}

/* One expression: NAME with DATA's attributes put by fill. */
static void
put_expr(struct nlmsghdr *nlh, const char *name, void (*fill)(struct nlmsghdr *, const void *), const void *arg)
{
	struct nlattr *el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM), *d;

	mnl_attr_put_strz(nlh, NFTA_EXPR_NAME, name);
	d = mnl_attr_nest_start(nlh, NFTA_EXPR_DATA);
	fill(nlh, arg);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, el);
}

static void
fill_l4_payload(struct nlmsghdr *nlh, const void *off)
{
	mnl_attr_put_u32(nlh, NFTA_PAYLOAD_DREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(nlh, NFTA_PAYLOAD_BASE, htonl(NFT_PAYLOAD_NETWORK_HEADER));
	mnl_attr_put_u32(nlh, NFTA_PAYLOAD_OFFSET, htonl(*(const uint32_t *)off));
	mnl_attr_put_u32(nlh, NFTA_PAYLOAD_LEN, htonl(1));
}

static void
fill_l4_meta(struct nlmsghdr *nlh, const void *arg)
{
	(void)arg;
	mnl_attr_put_u32(nlh, NFTA_META_KEY, htonl(NFT_META_L4PROTO));
	mnl_attr_put_u32(nlh, NFTA_META_DREG, htonl(NFT_REG_1));
}

struct cmp_arg { uint32_t op; uint8_t v; };

static void
fill_cmp(struct nlmsghdr *nlh, const void *arg)
{
	const struct cmp_arg *c = arg;
	struct nlattr *d;

	mnl_attr_put_u32(nlh, NFTA_CMP_SREG, htonl(NFT_REG_1));
	mnl_attr_put_u32(nlh, NFTA_CMP_OP, htonl(c->op));
	d = mnl_attr_nest_start(nlh, NFTA_CMP_DATA);
	mnl_attr_put(nlh, NFTA_DATA_VALUE, 1, &c->v);
	mnl_attr_nest_end(nlh, d);
}

static void
fill_xt(struct nlmsghdr *nlh, const void *name)
{
	uint8_t info[8] = { 0xff, 3, 0, 0xff };	/* struct ipt_icmp: any type 3 */

	mnl_attr_put_strz(nlh, NFTA_MATCH_NAME, name);
	mnl_attr_put_u32(nlh, NFTA_MATCH_REV, htonl(0));
	mnl_attr_put(nlh, NFTA_MATCH_INFO, sizeof(info), info);
}

/* A rule as iptables-nft writes it: [-p P as payload or meta, cmp], [an x_tables match]; its compat out. */
static const struct nlmsghdr *
iptnft_rule(uint8_t family, int l4, uint32_t op, uint8_t proto, const char *xt, bool compat)
{
	struct nlmsghdr *nlh = nft_msg(NFT_MSG_NEWRULE);
	struct cmp_arg c = { op, proto };
	uint32_t off = family == NFPROTO_IPV4 ? 9 : 6;
	struct nlattr *ex;

	((struct nfgenmsg *)mnl_nlmsg_get_payload(nlh))->nfgen_family = family;
	mnl_attr_put_strz(nlh, NFTA_RULE_TABLE, "filter");
	mnl_attr_put_strz(nlh, NFTA_RULE_CHAIN, "ufw-before-input");
	ex = mnl_attr_nest_start(nlh, NFTA_RULE_EXPRESSIONS);
	if (l4 == 1)
		put_expr(nlh, "payload", fill_l4_payload, &off);
	else if (l4 == 2)
		put_expr(nlh, "meta", fill_l4_meta, NULL);
	if (l4)
		put_expr(nlh, "cmp", fill_cmp, &c);
	if (xt)
		put_expr(nlh, xt[0] == 'R' ? "target" : "match", fill_xt, xt);
	mnl_attr_nest_end(nlh, ex);
	if (compat) {
		struct nlattr *n = mnl_attr_nest_start(nlh, NFTA_RULE_COMPAT);

		mnl_attr_put_u32(nlh, NFTA_RULE_COMPAT_PROTO, htonl(17));
		mnl_attr_put_u32(nlh, NFTA_RULE_COMPAT_FLAGS, 0);
		mnl_attr_nest_end(nlh, n);
	}
	if (pc_rp_convert(NETLINK_NETFILTER, nlh, nlh->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why)) <= 0)
		return NULL;
	return (const struct nlmsghdr *)outb;
}

/* Its NFTA_RULE_COMPAT: proto * 4 + flags (the inversion is 2), -1 none, -2 two or malformed. */
static long
compat_of(const struct nlmsghdr *o)
{
	const struct nlattr *a, *b;
	long r = -1;

	if (!o)
		return -3;
	mnl_attr_for_each(a, o, 4) {
		uint32_t p = 0xffff, f = 0xffff;

		if (mnl_attr_get_type(a) != NFTA_RULE_COMPAT)
			continue;
		if (r != -1 || mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return -2;
		mnl_attr_for_each_nested(b, a) {
			if (mnl_attr_get_type(b) == NFTA_RULE_COMPAT_PROTO)
				p = ntohl(mnl_attr_get_u32(b));
			else if (mnl_attr_get_type(b) == NFTA_RULE_COMPAT_FLAGS)
				f = ntohl(mnl_attr_get_u32(b));
		}
		r = (long)p * 4 + (long)f;
	}
	return r;
}

/*
 * The kernel never dumps a rule's NFTA_RULE_COMPAT; an x_tables icmp match (or REJECT
 * --reject-with tcp-reset) added without it is EINVAL ("only valid for protocol 1").
 * It comes back from the rule's own "-p" comparison.
 */
static void
nft_rule_compat(void)
{
	const struct nlmsghdr *o;

	CHECK_EQ_INT(compat_of(iptnft_rule(NFPROTO_IPV4, 1, NFT_CMP_EQ, IPPROTO_ICMP, "icmp", false)), IPPROTO_ICMP * 4);
	CHECK(mnl_nlmsg_ok((const struct nlmsghdr *)outb, (int)((const struct nlmsghdr *)outb)->nlmsg_len));
	CHECK_EQ_INT(compat_of(iptnft_rule(NFPROTO_IPV4, 1, NFT_CMP_NEQ, IPPROTO_TCP, "REJECT", false)),
		     IPPROTO_TCP * 4 + NFT_RULE_COMPAT_F_INV);
	CHECK_EQ_INT(compat_of(iptnft_rule(NFPROTO_IPV6, 2, NFT_CMP_EQ, IPPROTO_ICMPV6, "icmp6", false)),
		     IPPROTO_ICMPV6 * 4);
	CHECK_EQ_INT(compat_of(iptnft_rule(NFPROTO_IPV6, 1, NFT_CMP_EQ, IPPROTO_TCP, "REJECT", false)), IPPROTO_TCP * 4);
	CHECK_EQ_INT(compat_of(iptnft_rule(NFPROTO_IPV4, 2, NFT_CMP_EQ, IPPROTO_UDP, "multiport", false)),
		     IPPROTO_UDP * 4);
	/* Not there: no x_tables expression, no protocol, one already there, a family whose compat means more. */
	CHECK_EQ_INT(compat_of(iptnft_rule(NFPROTO_IPV4, 1, NFT_CMP_EQ, IPPROTO_TCP, NULL, false)), -1);
	CHECK_EQ_INT(compat_of(iptnft_rule(NFPROTO_IPV4, 0, 0, 0, "addrtype", false)), -1);
	CHECK_EQ_INT(compat_of(iptnft_rule(NFPROTO_IPV4, 1, NFT_CMP_EQ, IPPROTO_TCP, "tcp", true)), 17 * 4);
	CHECK_EQ_INT(compat_of(iptnft_rule(NFPROTO_BRIDGE, 2, NFT_CMP_EQ, IPPROTO_TCP, "ip", false)), -1);
	CHECK_EQ_INT(compat_of(iptnft_rule(NFPROTO_IPV4, 1, NFT_CMP_GT, IPPROTO_TCP, "icmp", false)), -1);
	/* The rest of the rule as it was. */
	o = iptnft_rule(NFPROTO_IPV4, 1, NFT_CMP_EQ, IPPROTO_ICMP, "icmp", false);
	CHECK(o != NULL && has_attr(o, 4, NFTA_RULE_EXPRESSIONS) && has_attr(o, 4, NFTA_RULE_CHAIN));
}

/* The expression the kernel points at, named for the message: an x_tables one by its name and revision. */
static void
nft_expr_described(void)
{
	const struct nlmsghdr *o = iptnft_rule(NFPROTO_IPV4, 1, NFT_CMP_EQ, IPPROTO_ICMP, "icmp", false);
	const struct nlattr *a, *e, *last = NULL;
	char d[96];

	CHECK(o != NULL);
	mnl_attr_for_each(a, o, 4)
		if (mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS)
			mnl_attr_for_each_nested(e, a)
				last = e;
	CHECK(last != NULL);
	if (!last)
		return;
	pc_rp_expr_desc(last, last->nla_len, d, sizeof(d));
	CHECK_STR(d, "match icmp (revision 0)");
	pc_rp_expr_desc(last, NLA_HDRLEN - 1, d, sizeof(d));	/* cut: nothing said, nothing read past */
	CHECK_STR(d, "");
	mnl_attr_for_each(a, o, 4)
		if (mnl_attr_get_type(a) == NFTA_RULE_EXPRESSIONS) {
			e = mnl_attr_get_payload(a);
			pc_rp_expr_desc(e, e->nla_len, d, sizeof(d));
			CHECK_STR(d, "payload");
		}
}

static void
not_replayed_kinds(void)
{
	struct nlmsghdr *nlh = nft_msg(NFT_MSG_NEWFLOWTABLE);

	CHECK_EQ_INT(pc_rp_convert(NETLINK_NETFILTER, nlh, nlh->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why)),
		     -EOPNOTSUPP);
	CHECK(strstr(why, "flowtables") != NULL);
	nlh = mnl_nlmsg_put_header(inb);
	nlh->nlmsg_type = RTM_NEWLINK;
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct ifinfomsg));
	CHECK_EQ_INT(pc_rp_convert(NETLINK_ROUTE, nlh, nlh->nlmsg_len, outb, sizeof(outb), 0, why, sizeof(why)),
		     -EOPNOTSUPP);
}

/* Every prefix of a message, and messages whose lengths lie: refused or converted, never read past. */
static void
truncated(void)
{
	struct nlmsghdr *in = route_reply(0);
	size_t full = in->nlmsg_len;
	uint8_t copy[4096];
	int bad = 0;

	for (size_t len = 0; len < full; len++) {
		ssize_t n;

		memcpy(copy, inb, full);
		n = pc_rp_convert(NETLINK_ROUTE, copy, len, outb, sizeof(outb), 0, why, sizeof(why));
		bad += n != -EBADMSG;	/* nlmsg_len says more than there is */
		((struct nlmsghdr *)copy)->nlmsg_len = (uint32_t)len;
		n = pc_rp_convert(NETLINK_ROUTE, copy, len, outb, sizeof(outb), 0, why, sizeof(why));
		/* A cut on an attribute boundary is a shorter valid message; anything else is refused. */
		if (n < 0 && n != -EBADMSG)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	/* A header shorter than struct rtmsg. */
	memcpy(copy, inb, full);
	((struct nlmsghdr *)copy)->nlmsg_len = NLMSG_HDRLEN + 4;
	CHECK_EQ_INT(pc_rp_convert(NETLINK_ROUTE, copy, full, outb, sizeof(outb), 0, why, sizeof(why)), -EBADMSG);
	/* An attribute claiming more than the message holds. */
	memcpy(copy, inb, full);
	((struct nlattr *)(copy + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct rtmsg))))->nla_len = 2000;
	CHECK_EQ_INT(pc_rp_convert(NETLINK_ROUTE, copy, full, outb, sizeof(outb), 0, why, sizeof(why)), -EBADMSG);
	CHECK(strstr(why, "does not parse") != NULL);
	/* No room for the request. */
	CHECK_EQ_INT(pc_rp_convert(NETLINK_ROUTE, inb, full, outb, 40, 0, why, sizeof(why)), -ENOSPC);
}

static void
exit_codes(void)
{
	struct pc_replay rp[2];

	memset(rp, 0, sizeof(rp));
	rp[0].ran = rp[1].ran = true;
	rp[0].agree = rp[1].agree = 1;
	CHECK_EQ_INT(pc_replay_exit(PP_EXIT_OK, rp, 2), PP_EXIT_OK);
	CHECK_EQ_INT(pc_replay_exit(PP_EXIT_PROBLEM, rp, 2), PP_EXIT_PROBLEM);
	rp[1].agree = 0;	/* a disagreement is a problem even when every verdict is ok */
	CHECK_EQ_INT(pc_replay_exit(PP_EXIT_OK, rp, 2), PP_EXIT_PROBLEM);
	rp[1].agree = -1;	/* an unknown settled: the verdict's own exit */
	CHECK_EQ_INT(pc_replay_exit(PP_EXIT_UNKNOWN, rp, 2), PP_EXIT_UNKNOWN);
	rp[1].ran = false;	/* not replayed: could not tell, unless something fails */
	CHECK_EQ_INT(pc_replay_exit(PP_EXIT_OK, rp, 2), PP_EXIT_UNKNOWN);
	CHECK_EQ_INT(pc_replay_exit(PP_EXIT_PROBLEM, rp, 2), PP_EXIT_PROBLEM);
	CHECK_EQ_INT(pc_replay_exit(PP_EXIT_USAGE, rp, 2), PP_EXIT_USAGE);
	CHECK_STR(pc_rp_outcome_name(PC_RP_EGRESS), "egress");
	CHECK_STR(pc_rp_outcome_name(PC_RP_DROPPED), "dropped");
}

int
main(void)
{
	RUN(route_kept_and_stripped);
	RUN(route_cloned_skipped);
	RUN(addr_flags);
	RUN(neigh_and_rule);
	RUN(nft_table_and_rule);
	RUN(nft_setelem_nested);
	RUN(nft_set_id);
	RUN(nft_exthdr_write);
	RUN(nft_rule_compat);
	RUN(nft_expr_described);
	RUN(not_replayed_kinds);
	RUN(truncated);
	RUN(exit_codes);
	return tap_done();
}
