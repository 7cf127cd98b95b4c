/*
 * test_common_nftset: one set element asked by key (common/nft.c): the request as
 * `nft get element` sends it (NFT_MSG_GETSETELEM, no NLM_F_DUMP, the key in
 * NFTA_SET_ELEM_LIST_ELEMENTS), and the kernel's NFT_MSG_NEWSETELEM answer as
 * nf_tables_fill_setelem() lays it out: keys, a range's end, flags, a verdict, a map's
 * value; short, truncated, wrongly sized and unknown attributes.
 */
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>

#include "nft.h"
#include "test_common_msg.h"

static const uint8_t k4[4] = { 198, 51, 100, 7 };

static void
test_request(void)
{
	static uint8_t buf[1024];
	/* ip6 daddr . meta l4proto . th dport: 16 + 4 + 4 bytes, as the registers hold it. */
	uint8_t key[24] = { 0x20, 0x01, 0x0d, 0xb8, [15] = 2, [16] = 6, [20] = 0x20, [21] = 0xfb };
	const struct nlattr *tb[NFTA_SET_ELEM_LIST_MAX + 1] = { 0 }, *a, *el, *k, *v;
	struct nlmsghdr *nlh = pp_nft_setelem_get_build(buf, sizeof(buf), NFPROTO_INET, "bl", "cc", key, 24);
	const struct nfgenmsg *nfg;

	CHECK(nlh != NULL);
	if (!nlh)
		return;
	CHECK_EQ_INT(nlh->nlmsg_type, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETSETELEM);
	/* One element asked, not a dump (pp_nl_request adds NLM_F_ACK). */
	CHECK_EQ_INT(nlh->nlmsg_flags, NLM_F_REQUEST);
	CHECK(!(nlh->nlmsg_flags & NLM_F_DUMP));
	nfg = mnl_nlmsg_get_payload(nlh);
	CHECK_EQ_INT(nfg->nfgen_family, NFPROTO_INET);
	CHECK_EQ_INT(nfg->version, NFNETLINK_V0);
	mnl_attr_for_each(a, nlh, sizeof(*nfg)) {
		if (mnl_attr_get_type(a) <= NFTA_SET_ELEM_LIST_MAX)
			tb[mnl_attr_get_type(a)] = a;
	}
	CHECK(tb[NFTA_SET_ELEM_LIST_TABLE] && strcmp(mnl_attr_get_str(tb[NFTA_SET_ELEM_LIST_TABLE]), "bl") == 0);
	CHECK(tb[NFTA_SET_ELEM_LIST_SET] && strcmp(mnl_attr_get_str(tb[NFTA_SET_ELEM_LIST_SET]), "cc") == 0);
	CHECK(tb[NFTA_SET_ELEM_LIST_ELEMENTS] != NULL);
	if (!tb[NFTA_SET_ELEM_LIST_ELEMENTS])
		return;
	CHECK(tb[NFTA_SET_ELEM_LIST_ELEMENTS]->nla_type & NLA_F_NESTED);
	el = mnl_attr_get_payload(tb[NFTA_SET_ELEM_LIST_ELEMENTS]);
	CHECK_EQ_INT(mnl_attr_get_type(el), NFTA_LIST_ELEM);
	k = mnl_attr_get_payload(el);
	CHECK_EQ_INT(mnl_attr_get_type(k), NFTA_SET_ELEM_KEY);
	/* Only the key: no flags, no key_end (the kernel's backend finds the range). */
	CHECK_EQ_INT(mnl_attr_get_payload_len(el), k->nla_len);
	v = mnl_attr_get_payload(k);
	CHECK_EQ_INT(mnl_attr_get_type(v), NFTA_DATA_VALUE);
	CHECK_EQ_INT(mnl_attr_get_payload_len(v), 24);
	CHECK(memcmp(mnl_attr_get_payload(v), key, 24) == 0);
	CHECK_EQ_INT(nlh->nlmsg_len, (uint32_t)((const char *)v + NLA_ALIGN(v->nla_len) - (const char *)nlh));

	/* Does not fit, no key, a key longer than the registers: no request. */
	CHECK(pp_nft_setelem_get_build(buf, 40, NFPROTO_INET, "bl", "cc", key, 24) == NULL);
	CHECK(pp_nft_setelem_get_build(buf, sizeof(buf), NFPROTO_INET, "bl", "cc", key, 0) == NULL);
	CHECK(pp_nft_setelem_get_build(buf, sizeof(buf), NFPROTO_INET, "bl", "cc", key, PP_NFT_KEY_MAX + 1) == NULL);
}

static struct nlmsghdr *
reply_start(struct tmsg *m)
{
	void *h;
	struct nfgenmsg *nfg;
	struct nlmsghdr *nlh = tmsg_start(m, (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_NEWSETELEM, sizeof(*nfg), &h);

	nfg = h;
	nfg->nfgen_family = NFPROTO_IPV4;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = htons(7);
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, "filter");
	mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, "blk");
	return nlh;
}

static void
put_value(struct nlmsghdr *nlh, uint16_t type, const void *v, uint16_t len)
{
	struct nlattr *n = mnl_attr_nest_start(nlh, type);

	mnl_attr_put(nlh, NFTA_DATA_VALUE, len, v);
	mnl_attr_nest_end(nlh, n);
}

/* An interval map's element as the rbtree answers it: the range's start, its verdict. */
static struct nlmsghdr *
build_verdict_reply(struct tmsg *m, bool unknown_attrs)
{
	struct nlmsghdr *nlh = reply_start(m);
	struct nlattr *list, *el, *d, *v;

	if (unknown_attrs)
		mnl_attr_put_u32(nlh, 99, 1);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	put_value(nlh, NFTA_SET_ELEM_KEY, (const uint8_t[]){ 198, 51, 100, 0 }, 4);
	if (unknown_attrs)
		mnl_attr_put_u64(nlh, 77, 5);
	d = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_DATA);
	v = mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);
	mnl_attr_put_u32(nlh, NFTA_VERDICT_CODE, htonl((uint32_t)NFT_JUMP));
	mnl_attr_put_strz(nlh, NFTA_VERDICT_CHAIN, "blocked");
	if (unknown_attrs)
		mnl_attr_put_u32(nlh, 55, 0);
	mnl_attr_nest_end(nlh, v);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_put_u32(nlh, NFTA_SET_ELEM_FLAGS, htonl(0));
	mnl_attr_nest_end(nlh, el);
	mnl_attr_nest_end(nlh, list);
	return nlh;
}

static int
decode1(const struct nlmsghdr *nlh, struct pp_nft_elem *out)
{
	size_t n = 0;
	int rc = pp_nft_setelem_decode(nlh, out, 1, &n);

	return rc < 0 ? rc : (int)n;
}

static void
test_reply_verdict(void)
{
	struct tmsg m;
	struct pp_nft_elem el;
	static const uint8_t start[4] = { 198, 51, 100, 0 };

	for (int u = 0; u < 2; u++) {
		struct nlmsghdr *nlh = build_verdict_reply(&m, u);

		CHECK_EQ_INT(TDECODE(decode1, nlh, &el), 1);
		CHECK_EQ_INT(el.key_len, 4);
		CHECK(memcmp(el.key, start, 4) == 0);
		CHECK(el.has_verdict);
		CHECK_EQ_INT(el.verdict, NFT_JUMP);
		CHECK_STR(el.chain, "blocked");
		CHECK_EQ_INT(el.data_len, 0);
		CHECK_EQ_INT(el.key_end_len, 0);
	}
}

/* A concatenation of ranges (pipapo) answers key and key_end; a map a value; two elements. */
static void
test_reply_range_and_value(void)
{
	struct tmsg m;
	struct pp_nft_elem out[2];
	struct nlmsghdr *nlh = reply_start(&m);
	struct nlattr *list, *el;
	static const uint8_t lo[8] = { 198, 51, 100, 0, 0, 80 }, hi[8] = { 198, 51, 100, 255, 0, 90 };
	static const uint8_t val[6] = { 203, 0, 113, 2, 0x1f, 0x90 };
	size_t n = 0;

	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	put_value(nlh, NFTA_SET_ELEM_KEY, lo, 8);
	put_value(nlh, NFTA_SET_ELEM_KEY_END, hi, 8);
	put_value(nlh, NFTA_SET_ELEM_DATA, val, 6);
	mnl_attr_nest_end(nlh, el);
	el = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	put_value(nlh, NFTA_SET_ELEM_KEY, k4, 4);
	mnl_attr_put_u32(nlh, NFTA_SET_ELEM_FLAGS, htonl(NFT_SET_ELEM_INTERVAL_END));
	mnl_attr_nest_end(nlh, el);
	mnl_attr_nest_end(nlh, list);

	CHECK_EQ_INT(pp_nft_setelem_decode(nlh, out, 2, &n), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(out[0].key_len, 8);
	CHECK(memcmp(out[0].key, lo, 8) == 0);
	CHECK_EQ_INT(out[0].key_end_len, 8);
	CHECK(memcmp(out[0].key_end, hi, 8) == 0);
	CHECK_EQ_INT(out[0].data_len, 6);
	CHECK(memcmp(out[0].data, val, 6) == 0);
	CHECK(!out[0].has_verdict);
	CHECK_EQ_INT(out[1].flags, NFT_SET_ELEM_INTERVAL_END);
	/* Room for one: the second is counted, not stored. */
	memset(out, 0, sizeof(out));
	CHECK_EQ_INT(pp_nft_setelem_decode(nlh, out, 1, &n), 0);
	CHECK_EQ_INT(n, 2);
	CHECK_EQ_INT(out[1].key_len, 0);
	/* No element list at all: no element. */
	nlh = reply_start(&m);
	CHECK_EQ_INT(pp_nft_setelem_decode(nlh, out, 1, &n), 0);
	CHECK_EQ_INT(n, 0);
}

static void
test_reply_malformed(void)
{
	struct tmsg m;
	struct pp_nft_elem el;
	struct nlmsghdr *nlh = build_verdict_reply(&m, false);
	uint32_t start = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	struct nlattr *list, *e;
	uint8_t big[PP_NFT_KEY_MAX + 1] = { 0 };

	/* Shorter than struct nfgenmsg. */
	CHECK_EQ_INT(TDECODE_LEN(decode1, nlh, start - 1, &el), -EBADMSG);
	/* Cut at every length: refused or decoded, never read past the end (ASan). */
	for (uint32_t len = start; len < nlh->nlmsg_len; len++) {
		int rc = TDECODE_LEN(decode1, nlh, len, &el);

		CHECK(rc == -EBADMSG || rc == 0 || rc == 1);
	}
	/* The verdict code of 2 bytes, not 4. */
	nlh = reply_start(&m);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	put_value(nlh, NFTA_SET_ELEM_KEY, k4, 4);
	{
		struct nlattr *d = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_DATA);
		struct nlattr *v = mnl_attr_nest_start(nlh, NFTA_DATA_VERDICT);

		mnl_attr_put_u16(nlh, NFTA_VERDICT_CODE, 0);
		mnl_attr_nest_end(nlh, v);
		mnl_attr_nest_end(nlh, d);
	}
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, list);
	CHECK_EQ_INT(TDECODE(decode1, nlh, &el), -EBADMSG);
	/* Flags of 8 bytes. */
	nlh = reply_start(&m);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	put_value(nlh, NFTA_SET_ELEM_KEY, k4, 4);
	mnl_attr_put_u64(nlh, NFTA_SET_ELEM_FLAGS, 1);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, list);
	CHECK_EQ_INT(TDECODE(decode1, nlh, &el), -EBADMSG);
	/* A key longer than the register file. */
	nlh = reply_start(&m);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	put_value(nlh, NFTA_SET_ELEM_KEY, big, sizeof(big));
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, list);
	CHECK_EQ_INT(TDECODE(decode1, nlh, &el), -EBADMSG);
	/* A key nest without a value; an empty value. */
	nlh = reply_start(&m);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	{
		struct nlattr *k = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_KEY);

		mnl_attr_put_u32(nlh, 9, 0);
		mnl_attr_nest_end(nlh, k);
	}
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, list);
	CHECK_EQ_INT(TDECODE(decode1, nlh, &el), -EBADMSG);
	nlh = reply_start(&m);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	put_value(nlh, NFTA_SET_ELEM_KEY, k4, 0);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, list);
	CHECK_EQ_INT(TDECODE(decode1, nlh, &el), -EBADMSG);
	/* An element nest claiming past the list. */
	nlh = reply_start(&m);
	list = mnl_attr_nest_start(nlh, NFTA_SET_ELEM_LIST_ELEMENTS);
	e = mnl_attr_nest_start(nlh, NFTA_LIST_ELEM);
	put_value(nlh, NFTA_SET_ELEM_KEY, k4, 4);
	mnl_attr_nest_end(nlh, e);
	mnl_attr_nest_end(nlh, list);
	e->nla_len = (uint16_t)(e->nla_len + 40);
	CHECK_EQ_INT(TDECODE(decode1, nlh, &el), -EBADMSG);
}

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	struct pp_nft_elem el[2];
	size_t n;

	return pp_nft_setelem_decode(nlh, el, 2, &n);
}

static void
test_fuzz(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_verdict_reply(&m, true);
	unsigned ok = tfuzz(nlh, fuzz_one, 4000, 0x5e7u, 900);

	printf("# setelem fuzz: %u of 4000 damaged messages accepted\n", ok);
	CHECK(ok > 0);
}

int
main(void)
{
	RUN(test_request);
	RUN(test_reply_verdict);
	RUN(test_reply_range_and_value);
	RUN(test_reply_malformed);
	RUN(test_fuzz);
	return tap_done();
}
