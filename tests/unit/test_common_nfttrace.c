/*
 * test_common_nfttrace.c: pp_nfttrace_decode on NFT_MSG_TRACE as nf_trace_fill_*()
 * lays it out (good, short, truncated, unknown and lying attributes: libnftnl
 * exits on some of them, so none may reach it), and pp_nfttrace_build: the batch
 * and the exact expressions of each rule, compared with what
 * `nft --debug=netlink add rule inet t pre ...` printed for the same rule.
 */
#include <arpa/inet.h>
#include <endian.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>
#include <libnftnl/table.h>

#include "nfttrace.h"
#include "parse.h"
#include "test_common_msg.h"

#define TRACE_TYPE ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_TRACE)

static struct nlmsghdr *
trace_start(struct tmsg *m, uint8_t family)
{
	void *h;
	struct nfgenmsg *nfg;
	struct nlmsghdr *nlh = tmsg_start(m, TRACE_TYPE, sizeof(*nfg), &h);

	nlh->nlmsg_flags = 0;
	nlh->nlmsg_seq = 0;
	nlh->nlmsg_pid = 0;
	nfg = h;
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	return nlh;
}

static void
put_verdict(struct nlmsghdr *nlh, int32_t code, const char *chain)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, NFTA_TRACE_VERDICT);

	mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl((uint32_t)code));
	if (chain)
		mnl_attr_put_strz(nlh, NFTA_VERDICT_CHAIN, chain);
	mnl_attr_nest_end(nlh, n);
}

/* A rule event as the kernel sends it for "inet filt fw ... drop # handle 7" on a forwarded packet. */
static struct nlmsghdr *
build_rule_event(struct tmsg *m, const char *table, uint8_t family, int32_t verdict,
		 const char *target)
{
	struct nlmsghdr *nlh = trace_start(m, family);
	uint8_t nh[20] = { 0x45 };

	mnl_attr_put_strz(nlh, NFTA_TRACE_TABLE, table);
	mnl_attr_put_strz(nlh, NFTA_TRACE_CHAIN, "fw");
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(0x6007a8fe));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	mnl_attr_put_u64(nlh, NFTA_TRACE_RULE_HANDLE, htobe64(7));
	put_verdict(nlh, verdict, target);
	mnl_attr_put_u32(nlh, NFTA_TRACE_NFPROTO, htonl(NFPROTO_IPV4));
	mnl_attr_put_u32(nlh, NFTA_TRACE_POLICY, htonl(0));
	mnl_attr_put(nlh, NFTA_TRACE_NETWORK_HEADER, sizeof(nh), nh);
	mnl_attr_put_u32(nlh, NFTA_TRACE_IIF, htonl(1));		/* lo: exists in every namespace */
	mnl_attr_put_u16(nlh, NFTA_TRACE_IIFTYPE, htons(772));
	mnl_attr_put_u32(nlh, NFTA_TRACE_OIF, htonl(999999));	/* no such interface here */
	mnl_attr_put_u16(nlh, NFTA_TRACE_OIFTYPE, htons(1));
	mnl_attr_put_u32(nlh, NFTA_TRACE_MARK, htonl(0x10));
	return nlh;
}

static void
test_decode_rule_drop(void)
{
	struct tmsg m;
	struct pp_nfttrace_event ev;
	struct nlmsghdr *nlh = build_rule_event(&m, "filt", NFPROTO_INET, NF_DROP, NULL);

	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), 0);
	CHECK_EQ_INT(ev.id, 0x6007a8fe);
	CHECK_EQ_INT(ev.type, NFT_TRACETYPE_RULE);
	CHECK_EQ_INT(ev.family, NFPROTO_INET);
	CHECK_STR(ev.table, "filt");
	CHECK_STR(ev.chain, "fw");
	CHECK(ev.has_handle);
	CHECK_EQ_INT(ev.handle, 7);
	CHECK(ev.has_verdict);
	CHECK_EQ_INT(ev.verdict, NF_DROP);
	CHECK_STR(ev.jump_target, "");
	CHECK_STR(ev.iif, "lo");
	CHECK_EQ_INT(ev.iifindex, 1);
	CHECK_STR(ev.oif, "");
	CHECK_EQ_INT(ev.oifindex, 999999);
	CHECK_EQ_INT(ev.nfproto, NFPROTO_IPV4);
	CHECK(!ev.ours);
}

static void
test_decode_jump_and_policy(void)
{
	struct tmsg m;
	struct pp_nfttrace_event ev;
	struct nlmsghdr *nlh = build_rule_event(&m, "filt", NFPROTO_IPV6, NFT_JUMP, "fw_in");

	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), 0);
	CHECK_EQ_INT(ev.family, NFPROTO_IPV6);
	CHECK_EQ_INT(ev.verdict, NFT_JUMP);
	CHECK_STR(ev.jump_target, "fw_in");

	/* A policy event: no rule handle, no interfaces, the verdict is the policy. */
	nlh = trace_start(&m, NFPROTO_IPV4);
	mnl_attr_put_strz(nlh, NFTA_TRACE_TABLE, "t");
	mnl_attr_put_strz(nlh, NFTA_TRACE_CHAIN, "in");
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(5));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_POLICY));
	put_verdict(nlh, NF_ACCEPT, NULL);
	mnl_attr_put_u32(nlh, NFTA_TRACE_POLICY, htonl(NF_ACCEPT));
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), 0);
	CHECK_EQ_INT(ev.type, NFT_TRACETYPE_POLICY);
	CHECK(!ev.has_handle);
	CHECK(ev.has_verdict);
	CHECK_EQ_INT(ev.verdict, NF_ACCEPT);
	CHECK_STR(ev.iif, "");
	CHECK_STR(ev.oif, "");
	CHECK_EQ_INT(ev.nfproto, 0);

	/* As the kernel sends a policy event: no verdict nest, the policy attribute only. */
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_strz(nlh, NFTA_TRACE_TABLE, "filt");
	mnl_attr_put_strz(nlh, NFTA_TRACE_CHAIN, "fw2");
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(6));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_POLICY));
	mnl_attr_put_u32(nlh, NFTA_TRACE_POLICY, htonl(NF_DROP));
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), 0);
	CHECK(ev.has_verdict);
	CHECK_EQ_INT(ev.verdict, NF_DROP);
	CHECK(!ev.has_handle);

	/* The least the kernel sends: id and type. */
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(9));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RETURN));
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), 0);
	CHECK_EQ_INT(ev.type, NFT_TRACETYPE_RETURN);
	CHECK_STR(ev.table, "");
	CHECK(!ev.has_verdict);
	CHECK(!ev.ours);
}

static void
test_decode_ours(void)
{
	struct tmsg m;
	struct pp_nfttrace_event ev;
	struct nlmsghdr *nlh = build_rule_event(&m, "pktpath_trace_4242", NFPROTO_INET, NFT_CONTINUE, NULL);

	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), 0);
	CHECK(ev.ours);
	/* Same name in another family is the user's. */
	nlh = build_rule_event(&m, "pktpath_trace_4242", NFPROTO_IPV4, NFT_CONTINUE, NULL);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), 0);
	CHECK(!ev.ours);
}

/* Unknown attribute types (newer kernels: NFTA_TRACE_CT and later) are skipped. */
static void
test_decode_unknown_attrs(void)
{
	struct tmsg m;
	struct pp_nfttrace_event ev;
	struct nlmsghdr *nlh = build_rule_event(&m, "filt", NFPROTO_INET, NF_DROP, NULL);
	struct nlattr *n;

	mnl_attr_put_u8(nlh, NFTA_TRACE_MAX + 1, 1);
	n = mnl_attr_nest_start(nlh, NFTA_TRACE_MAX + 2);
	mnl_attr_put_u32(nlh, 1, 0);
	mnl_attr_nest_end(nlh, n);
	mnl_attr_put_u64(nlh, 1000, 0);
	mnl_attr_put_u16(nlh, NFTA_TRACE_UNSPEC, 0);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), 0);
	CHECK_EQ_INT(ev.handle, 7);
	CHECK_EQ_INT(ev.verdict, NF_DROP);
}

static void
test_decode_not_trace(void)
{
	struct tmsg m;
	struct pp_nfttrace_event ev;
	struct nlmsghdr *nlh = build_rule_event(&m, "filt", NFPROTO_INET, NF_DROP, NULL);

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE;
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -ENOENT);
	nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | NFT_MSG_TRACE;
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -ENOENT);
}

/* Each of these would make libnftnl exit(1) or read past the message: all refused. */
static void
test_decode_malformed(void)
{
	struct tmsg m;
	struct pp_nfttrace_event ev;
	struct nlmsghdr *nlh;
	struct nlattr *n;
	uint8_t three[3] = { 0 }, bytes8[8] = { 0 };

	/* No id. */
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	/* No type. */
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(1));
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	/* A u32 of 3 bytes, and one of 8 (libnftnl wants exactly 4). */
	nlh = build_rule_event(&m, "filt", NFPROTO_INET, NF_DROP, NULL);
	mnl_attr_put(nlh, NFTA_TRACE_IIF, sizeof(three), three);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	nlh = build_rule_event(&m, "filt", NFPROTO_INET, NF_DROP, NULL);
	mnl_attr_put(nlh, NFTA_TRACE_NFPROTO, sizeof(bytes8), bytes8);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	/* A bad one followed by a good one of the same type: libnftnl checks each. */
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put(nlh, NFTA_TRACE_ID, sizeof(bytes8), bytes8);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	/* A rule handle of 4 bytes; an iiftype of 4. */
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	mnl_attr_put_u32(nlh, NFTA_TRACE_RULE_HANDLE, 7);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	mnl_attr_put_u32(nlh, NFTA_TRACE_IIFTYPE, 1);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	/* A table name that is empty, and one without its NUL. */
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	mnl_attr_put(nlh, NFTA_TRACE_TABLE, 0, NULL);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	mnl_attr_put(nlh, NFTA_TRACE_CHAIN, 4, "abcd");
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	/* An empty network header. */
	nlh = build_rule_event(&m, "filt", NFPROTO_INET, NF_DROP, NULL);
	mnl_attr_put(nlh, NFTA_TRACE_TRANSPORT_HEADER, 0, NULL);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	/* A verdict nest that is empty, of 2 bytes, without a code, or a jump without its chain. */
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	n = mnl_attr_nest_start(nlh, NFTA_TRACE_VERDICT);
	mnl_attr_nest_end(nlh, n);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	mnl_attr_put(nlh, NFTA_TRACE_VERDICT, 2, "\0\0");
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	n = mnl_attr_nest_start(nlh, NFTA_TRACE_VERDICT);
	mnl_attr_put_strz(nlh, NFTA_VERDICT_CHAIN, "x");
	mnl_attr_nest_end(nlh, n);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	nlh = build_rule_event(&m, "filt", NFPROTO_INET, NFT_GOTO, NULL);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	/* A verdict code of 2 bytes. */
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	n = mnl_attr_nest_start(nlh, NFTA_TRACE_VERDICT);
	mnl_attr_put_u16(nlh, NFTA_VERDICT_CODE, 0);
	mnl_attr_nest_end(nlh, n);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
	/* An attribute that claims more than the message holds. */
	nlh = trace_start(&m, NFPROTO_INET);
	mnl_attr_put_u32(nlh, NFTA_TRACE_ID, htonl(1));
	mnl_attr_put_u32(nlh, NFTA_TRACE_TYPE, htonl(NFT_TRACETYPE_RULE));
	tmsg_put_raw(nlh, NFTA_TRACE_TABLE, 200, "t", 2);
	CHECK_EQ_INT(TDECODE(pp_nfttrace_decode, nlh, &ev), -EBADMSG);
}

/* Cut at every length: refused or decoded, never a crash, never exit(). */
static void
test_decode_truncated(void)
{
	struct tmsg m;
	struct pp_nfttrace_event ev;
	struct nlmsghdr *nlh = build_rule_event(&m, "filt", NFPROTO_INET, NFT_JUMP, "fw_in");
	unsigned ok = 0;

	for (uint32_t len = NLMSG_HDRLEN; len < nlh->nlmsg_len; len++) {
		int rc = TDECODE_LEN(pp_nfttrace_decode, nlh, len, &ev);

		CHECK(rc == 0 || rc == -EBADMSG);
		if (rc == 0)
			ok++;
	}
	/* Up to the nfgenmsg and without id/type nothing decodes. */
	CHECK_EQ_INT(TDECODE_LEN(pp_nfttrace_decode, nlh, NLMSG_HDRLEN, &ev), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_nfttrace_decode, nlh, NLMSG_HDRLEN + 2, &ev), -EBADMSG);
	CHECK(ok > 0);		/* cuts after a whole attribute past id and type decode */
}

static int
decode_only(const struct nlmsghdr *nlh)
{
	struct pp_nfttrace_event ev;

	return pp_nfttrace_decode(nlh, &ev);
}

static void
test_decode_fuzz(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_rule_event(&m, "filt", NFPROTO_INET, NFT_JUMP, "fw_in");
	unsigned ok = tfuzz(nlh, decode_only, 20000, 0x5eed, 3000);

	CHECK(ok < 20000);
}

/* ---- the batch ---- */

static struct pp_nfttrace_match
match(const char *src, const char *dst, uint8_t proto, uint16_t dport, bool replies)
{
	struct pp_nfttrace_match mt = { 0 };

	pp_parse_addr(dst, 0, &mt.dst);
	mt.family = mt.dst.family;
	if (src)
		pp_parse_addr(src, mt.family, &mt.src);
	mt.l4proto = proto;
	mt.dport = dport;
	mt.replies = replies;
	return mt;
}

struct walked {
	uint16_t types[16];
	char rules[8][2048];
	unsigned nmsg, nrules, nacked;
	uint32_t seqs[16];
	struct nftnl_chain *chains[2];
	unsigned nchains;
	uint32_t table_flags[3];
	bool table_flags_set[3];
	unsigned ntables;
};

static void
walk(const void *buf, size_t len, struct walked *w)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;

	memset(w, 0, sizeof(*w));
	while (mnl_nlmsg_ok(nlh, rem) && w->nmsg < 16) {
		uint16_t t = nlh->nlmsg_type;

		w->types[w->nmsg] = t;
		w->seqs[w->nmsg++] = nlh->nlmsg_seq;
		if (nlh->nlmsg_flags & NLM_F_ACK)
			w->nacked++;
		if (t == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWRULE) && w->nrules < 8) {
			struct nftnl_rule *r = nftnl_rule_alloc();

			if (r && nftnl_rule_nlmsg_parse(nlh, r) == 0)
				nftnl_rule_snprintf(w->rules[w->nrules++], sizeof(w->rules[0]), r,
						    NFTNL_OUTPUT_DEFAULT, 0);
			nftnl_rule_free(r);
		}
		if (t == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWCHAIN) && w->nchains < 2) {
			struct nftnl_chain *c = nftnl_chain_alloc();

			if (c && nftnl_chain_nlmsg_parse(nlh, c) == 0)
				w->chains[w->nchains++] = c;
			else
				nftnl_chain_free(c);
		}
		if ((t == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWTABLE) ||
		     t == ((NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_DELTABLE)) && w->ntables < 3) {
			struct nftnl_table *tb = nftnl_table_alloc();

			if (tb && nftnl_table_nlmsg_parse(nlh, tb) == 0) {
				w->table_flags_set[w->ntables] = nftnl_table_is_set(tb, NFTNL_TABLE_FLAGS);
				w->table_flags[w->ntables] = nftnl_table_get_u32(tb, NFTNL_TABLE_FLAGS);
			}
			w->ntables++;
			nftnl_table_free(tb);
		}
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	CHECK_EQ_INT(rem, 0);
}

static void
walked_free(struct walked *w)
{
	for (unsigned i = 0; i < w->nchains; i++)
		nftnl_chain_free(w->chains[i]);
}

/*
 * `nft --debug=netlink add rule inet t pre meta nfproto ipv4 ip saddr 198.51.100.2
 * ip daddr 203.0.113.2 meta l4proto tcp th dport 8080 meta nftrace set 1` printed
 * these expressions (nftables 1.0.6, x86_64): nft shows the same libnftnl text.
 */
static const char v4_fwd[] =
	"  [ meta load nfproto => reg 1 ]\n"
	"  [ cmp eq reg 1 0x00000002 ]\n"
	"  [ payload load 4b @ network header + 12 => reg 1 ]\n"
	"  [ cmp eq reg 1 0x026433c6 ]\n"
	"  [ payload load 4b @ network header + 16 => reg 1 ]\n"
	"  [ cmp eq reg 1 0x027100cb ]\n"
	"  [ meta load l4proto => reg 1 ]\n"
	"  [ cmp eq reg 1 0x00000006 ]\n"
	"  [ payload load 2b @ transport header + 2 => reg 1 ]\n"
	"  [ cmp eq reg 1 0x0000901f ]\n"
	"  [ immediate reg 1 0x00000001 ]\n"
	"  [ meta set nftrace with reg 1 ]\n";

/* The reply direction: ip saddr 203.0.113.2 ip daddr 198.51.100.2 meta l4proto tcp th sport 8080. */
static const char v4_rep[] =
	"  [ meta load nfproto => reg 1 ]\n"
	"  [ cmp eq reg 1 0x00000002 ]\n"
	"  [ payload load 4b @ network header + 12 => reg 1 ]\n"
	"  [ cmp eq reg 1 0x027100cb ]\n"
	"  [ payload load 4b @ network header + 16 => reg 1 ]\n"
	"  [ cmp eq reg 1 0x026433c6 ]\n"
	"  [ meta load l4proto => reg 1 ]\n"
	"  [ cmp eq reg 1 0x00000006 ]\n"
	"  [ payload load 2b @ transport header + 0 => reg 1 ]\n"
	"  [ cmp eq reg 1 0x0000901f ]\n"
	"  [ immediate reg 1 0x00000001 ]\n"
	"  [ meta set nftrace with reg 1 ]\n";

/* meta nfproto ipv6 ip6 saddr 2001:db8:2::2 ip6 daddr 2001:db8:1::2 meta l4proto udp th sport 9999 */
static const char v6_rep[] =
	"  [ meta load nfproto => reg 1 ]\n"
	"  [ cmp eq reg 1 0x0000000a ]\n"
	"  [ payload load 16b @ network header + 8 => reg 1 ]\n"
	"  [ cmp eq reg 1 0xb80d0120 0x00000200 0x00000000 0x02000000 ]\n"
	"  [ payload load 16b @ network header + 24 => reg 1 ]\n"
	"  [ cmp eq reg 1 0xb80d0120 0x00000100 0x00000000 0x02000000 ]\n"
	"  [ meta load l4proto => reg 1 ]\n"
	"  [ cmp eq reg 1 0x00000011 ]\n"
	"  [ payload load 2b @ transport header + 0 => reg 1 ]\n"
	"  [ cmp eq reg 1 0x00000f27 ]\n"
	"  [ immediate reg 1 0x00000001 ]\n"
	"  [ meta set nftrace with reg 1 ]\n";

/* meta nfproto ipv4 ip daddr 203.0.113.2 meta l4proto icmp meta nftrace set 1 */
static const char v4_icmp_any[] =
	"  [ meta load nfproto => reg 1 ]\n"
	"  [ cmp eq reg 1 0x00000002 ]\n"
	"  [ payload load 4b @ network header + 16 => reg 1 ]\n"
	"  [ cmp eq reg 1 0x027100cb ]\n"
	"  [ meta load l4proto => reg 1 ]\n"
	"  [ cmp eq reg 1 0x00000001 ]\n"
	"  [ immediate reg 1 0x00000001 ]\n"
	"  [ meta set nftrace with reg 1 ]\n";

/* The rule text after libnftnl's "inet TABLE CHAIN HANDLE" header line. */
static const char *
exprs(const char *rule)
{
	const char *nl = strchr(rule, '\n');

	return nl ? nl + 1 : rule;
}

static void
test_build_v4_replies(void)
{
	static char buf[16384];
	struct pp_nfttrace_match mt = match("198.51.100.2", "203.0.113.2", IPPROTO_TCP, 8080, true);
	struct walked w;
	unsigned nack = 0;
	ssize_t n = pp_nfttrace_build(buf, sizeof(buf), &mt, "pktpath_trace_42", true, 100, &nack);
	const uint16_t nft = NFNL_SUBSYS_NFTABLES << 8;
	const uint16_t want[] = {
		NFNL_MSG_BATCH_BEGIN, nft | NFT_MSG_NEWTABLE, nft | NFT_MSG_DELTABLE,
		nft | NFT_MSG_NEWTABLE, nft | NFT_MSG_NEWCHAIN, nft | NFT_MSG_NEWCHAIN,
		nft | NFT_MSG_NEWRULE, nft | NFT_MSG_NEWRULE, nft | NFT_MSG_NEWRULE,
		nft | NFT_MSG_NEWRULE, NFNL_MSG_BATCH_END,
	};

	CHECK(n > 0);
	CHECK_EQ_INT(nack, 9);
	walk(buf, (size_t)n, &w);
	CHECK_EQ_INT(w.nmsg, PP_ARRAY_SIZE(want));
	for (unsigned i = 0; i < PP_ARRAY_SIZE(want) && i < w.nmsg; i++) {
		CHECK_EQ_INT(w.types[i], want[i]);
		CHECK_EQ_INT(w.seqs[i], 100 + i);
	}
	CHECK_EQ_INT(w.nacked, 9);
	/* add (no flags), delete, add with the owner flag. */
	CHECK_EQ_INT(w.ntables, 3);
	CHECK(!w.table_flags_set[0]);
	CHECK(w.table_flags_set[2]);
	CHECK_EQ_INT(w.table_flags[2], NFT_TABLE_F_OWNER);
	CHECK_EQ_INT(w.nchains, 2);
	if (w.nchains == 2) {
		CHECK_STR(nftnl_chain_get_str(w.chains[0], NFTNL_CHAIN_NAME), "prerouting");
		CHECK_STR(nftnl_chain_get_str(w.chains[0], NFTNL_CHAIN_TABLE), "pktpath_trace_42");
		CHECK_STR(nftnl_chain_get_str(w.chains[0], NFTNL_CHAIN_TYPE), "filter");
		CHECK_EQ_INT(nftnl_chain_get_u32(w.chains[0], NFTNL_CHAIN_HOOKNUM), NF_INET_PRE_ROUTING);
		CHECK_EQ_INT(nftnl_chain_get_s32(w.chains[0], NFTNL_CHAIN_PRIO), -350);
		CHECK_EQ_INT(nftnl_chain_get_u32(w.chains[0], NFTNL_CHAIN_FAMILY), NFPROTO_INET);
		CHECK_STR(nftnl_chain_get_str(w.chains[1], NFTNL_CHAIN_NAME), "output");
		CHECK_EQ_INT(nftnl_chain_get_u32(w.chains[1], NFTNL_CHAIN_HOOKNUM), NF_INET_LOCAL_OUT);
		CHECK_EQ_INT(nftnl_chain_get_s32(w.chains[1], NFTNL_CHAIN_PRIO), -350);
	}
	CHECK_EQ_INT(w.nrules, 4);
	CHECK_STR(exprs(w.rules[0]), v4_fwd);
	CHECK_STR(exprs(w.rules[1]), v4_rep);
	CHECK_STR(exprs(w.rules[2]), v4_fwd);
	CHECK_STR(exprs(w.rules[3]), v4_rep);
	CHECK(strncmp(w.rules[0], "inet pktpath_trace_42 prerouting", 32) == 0);
	CHECK(strncmp(w.rules[2], "inet pktpath_trace_42 output", 28) == 0);
	walked_free(&w);
}

static void
test_build_v6_and_any(void)
{
	static char buf[16384];
	struct pp_nfttrace_match mt = match("2001:db8:1::2", "2001:db8:2::2", IPPROTO_UDP, 9999, true);
	struct walked w;
	unsigned nack;
	ssize_t n = pp_nfttrace_build(buf, sizeof(buf), &mt, "pktpath_trace_7", false, 1, &nack);

	CHECK(n > 0);
	walk(buf, (size_t)n, &w);
	CHECK_EQ_INT(w.nrules, 4);
	CHECK_STR(exprs(w.rules[1]), v6_rep);
	CHECK(!w.table_flags_set[2]);		/* no owner flag asked for */
	walked_free(&w);

	/* Any source, ICMP, no port, one direction: one rule per chain. */
	mt = match(NULL, "203.0.113.2", IPPROTO_ICMP, 0, false);
	n = pp_nfttrace_build(buf, sizeof(buf), &mt, "pktpath_trace_7", true, 1, &nack);
	CHECK(n > 0);
	CHECK_EQ_INT(nack, 7);
	walk(buf, (size_t)n, &w);
	CHECK_EQ_INT(w.nrules, 2);
	CHECK_STR(exprs(w.rules[0]), v4_icmp_any);
	CHECK_STR(exprs(w.rules[1]), v4_icmp_any);
	walked_free(&w);
}

static void
test_build_refused(void)
{
	static char buf[16384];
	struct pp_nfttrace_match mt;
	unsigned nack = 99;

	mt = match(NULL, "203.0.113.2", IPPROTO_ICMP, 80, false);	/* ICMP has no port */
	CHECK_EQ_INT(pp_nfttrace_build(buf, sizeof(buf), &mt, "t", true, 1, &nack), -EINVAL);
	CHECK_EQ_INT(nack, 0);
	mt = match(NULL, "203.0.113.2", IPPROTO_TCP, 80, false);	/* mixed families */
	pp_parse_addr("2001:db8::1", AF_INET6, &mt.src);
	CHECK_EQ_INT(pp_nfttrace_build(buf, sizeof(buf), &mt, "t", true, 1, &nack), -EINVAL);
	mt = match(NULL, "203.0.113.2", IPPROTO_TCP, 80, false);
	mt.family = AF_INET6;
	CHECK_EQ_INT(pp_nfttrace_build(buf, sizeof(buf), &mt, "t", true, 1, &nack), -EINVAL);
	mt.family = AF_INET;
	CHECK_EQ_INT(pp_nfttrace_build(buf, sizeof(buf), &mt, "", true, 1, &nack), -EINVAL);
	CHECK_EQ_INT(pp_nfttrace_build(buf, 1500, &mt, "t", true, 1, &nack), -ENOSPC);
	CHECK(pp_nfttrace_build(buf, sizeof(buf), &mt, "t", true, 1, &nack) > 0);
}

int
main(void)
{
	RUN(test_decode_rule_drop);
	RUN(test_decode_jump_and_policy);
	RUN(test_decode_ours);
	RUN(test_decode_unknown_attrs);
	RUN(test_decode_not_trace);
	RUN(test_decode_malformed);
	RUN(test_decode_truncated);
	RUN(test_decode_fuzz);
	RUN(test_build_v4_replies);
	RUN(test_build_v6_and_any);
	RUN(test_build_refused);
	return tap_done();
}
