/*
 * test_pathcheck_sets: named sets in the nft VM (cmd/pathcheck/nftvm.c) read by key. A
 * named set is read as its definition; each key the rule looks up is asked once (the
 * fetch's elem, the glue's NFT_MSG_GETSETELEM), its answer kept; "not in the set" is a
 * decided answer; a kernel that cannot answer one key makes the set read whole, once; an
 * anonymous set is read whole. The whole-set fallback: interval sets of start and end
 * markers and concatenations of ranges compared field by field. -m set (ipset) through
 * the fetch's ipset callbacks. jhash and symhash as choice points, as numgen.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netfilter/xt_set.h>

#include "../../cmd/pathcheck/nftvm.h"
#include "xt.h"
#include "tap.h"

static struct pc_nft_cache cache;
static struct pc_pkt pkt;
static struct pp_nft_chain base;
static struct pc_nft_result res;

/* ---- the fake kernel ---- */
static struct pp_nft_set kset;		/* the set "the kernel" holds, elements included */
static int elem_rc;			/* what elem answers when it does not look (0: look) */
static int elems_rc;
static unsigned n_def, n_elem, n_elems, n_set;

static int
f_rules(struct pc_nft_cache *c, struct pc_cached_chain *cc)
{
	return -ENOENT;
}

static void
copy_def(struct pp_nft_set *set)
{
	*set = kset;
	set->elems = NULL;
	set->nelems = 0;
}

static int
f_elems(struct pc_nft_cache *c, uint32_t family, const char *table, struct pp_nft_set *set)
{
	n_elems++;
	if (elems_rc)
		return elems_rc;
	free(set->elems);
	set->elems = calloc(kset.nelems ? kset.nelems : 1, sizeof(*set->elems));
	if (!set->elems)
		abort();
	memcpy(set->elems, kset.elems, kset.nelems * sizeof(*set->elems));
	set->nelems = kset.nelems;
	return 0;
}

static int
f_set(struct pc_nft_cache *c, uint32_t family, const char *table, const char *name, struct pp_nft_set *set)
{
	n_set++;
	if (strcmp(name, kset.name) != 0)
		return -ENOENT;
	copy_def(set);
	return f_elems(c, family, table, set);
}

static int
f_def(struct pc_nft_cache *c, uint32_t family, const char *table, const char *name, struct pp_nft_set *set)
{
	n_def++;
	if (strcmp(name, kset.name) != 0)
		return -ENOENT;
	copy_def(set);
	return 0;
}

/* Exact keys only: the fake answers what a hash set would (intervals are the fallback's). */
static int
f_elem(struct pc_nft_cache *c, uint32_t family, const char *table, const struct pp_nft_set *set,
       const uint8_t *key, uint32_t klen, struct pp_nft_elem *out)
{
	n_elem++;
	if (elem_rc)
		return elem_rc;
	for (size_t i = 0; i < kset.nelems; i++)
		if (kset.elems[i].key_len == klen && memcmp(kset.elems[i].key, key, klen) == 0) {
			*out = kset.elems[i];
			return 0;
		}
	return -ENOENT;
}

/* ---- the fake ipset: index 3 is "blk"; the test's answer is ipset_rc ---- */
static int ipset_rc;
static unsigned n_ipset;
static struct pp_xt_set_query last_q;

static int
f_ipset_name(struct pc_nft_cache *c, uint16_t index, char *name, size_t len)
{
	if (index != 3)
		return -ENOENT;
	snprintf(name, len, "blk");
	return 0;
}

static int
f_ipset_test(struct pc_nft_cache *c, const char *name, const struct pp_xt_set_query *q, char *why, size_t whylen)
{
	n_ipset++;
	last_q = *q;
	if (ipset_rc < 0)
		snprintf(why, whylen, "ipset %s: the packet's source port is not known", name);
	return ipset_rc;
}

static const struct pc_nft_fetch by_key = {
	.rules = f_rules, .set = f_set, .set_def = f_def, .elem = f_elem, .elems = f_elems,
	.ipset_name = f_ipset_name, .ipset_test = f_ipset_test,
};
static const struct pc_nft_fetch whole = { .rules = f_rules, .set = f_set };

static void
kernel_set(const char *name, uint32_t flags, uint32_t klen)
{
	free(kset.elems);
	memset(&kset, 0, sizeof(kset));
	snprintf(kset.name, sizeof(kset.name), "%s", name);
	kset.flags = flags;
	kset.key_len = klen;
	elem_rc = elems_rc = 0;
	n_def = n_elem = n_elems = n_set = 0;
}

static struct pp_nft_elem *
kernel_add(const void *key, uint32_t klen, uint32_t flags)
{
	struct pp_nft_elem *e;

	kset.elems = realloc(kset.elems, (kset.nelems + 1) * sizeof(*kset.elems));
	if (!kset.elems)
		abort();
	e = &kset.elems[kset.nelems++];
	memset(e, 0, sizeof(*e));
	memcpy(e->key, key, klen);
	e->key_len = klen;
	e->flags = flags;
	return e;
}

static void
setup(void)
{
	pc_nft_cache_free(&cache);
	memset(&cache, 0, sizeof(cache));
	memset(&base, 0, sizeof(base));
	base.family = NFPROTO_IPV4;
	snprintf(base.table, sizeof(base.table), "filter");
	snprintf(base.name, sizeof(base.name), "output");
	snprintf(base.type, sizeof(base.type), "filter");
	base.base = true;
	base.hooknum = NF_INET_LOCAL_OUT;
	base.policy = NF_ACCEPT;
	memset(&pkt, 0, sizeof(pkt));
	pkt.family = AF_INET;
	pkt.hook = NF_INET_LOCAL_OUT;
	inet_pton(AF_INET, "198.51.100.10", pkt.src.u.b);
	pkt.src.family = AF_INET;
	pkt.src_known = true;
	inet_pton(AF_INET, "203.0.113.2", pkt.dst.u.b);
	pkt.dst.family = AF_INET;
	pkt.l4proto = IPPROTO_TCP;
	pkt.dport = 80;
	pkt.dport_known = true;
	snprintf(pkt.oifname, sizeof(pkt.oifname), "veth0");
	pkt.oif = 7;
	pkt.ct_state = 8;
}

static struct nftnl_expr *
ex(const char *name)
{
	struct nftnl_expr *e = nftnl_expr_alloc(name);

	if (!e)
		abort();
	return e;
}

static struct nftnl_expr *
payload(uint32_t b, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = ex("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, b);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	return e;
}

static struct nftnl_expr *
verdict(int32_t v)
{
	struct nftnl_expr *e = ex("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	return e;
}

static struct nftnl_expr *
lookup(const char *set, bool vmap)
{
	struct nftnl_expr *e = ex("lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	if (vmap)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
	return e;
}

/* "ip daddr @set drop" (or "ip daddr vmap @set"): the one rule of output. */
static void
rule_daddr(const char *set, bool vmap)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_rule **rules = malloc(sizeof(*rules));

	if (!r || !rules)
		abort();
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, base.family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, base.table);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 5);
	nftnl_rule_add_expr(r, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1));
	nftnl_rule_add_expr(r, lookup(set, vmap));
	if (!vmap)
		nftnl_rule_add_expr(r, verdict(NF_DROP));
	rules[0] = r;
	CHECK_EQ_INT(pc_nft_cache_add_chain(&cache, base.family, base.table, "output", rules, 1), 0);
}

/* "ip daddr . tcp dport @set drop": the address in reg 1, the port in reg 1 + 4 bytes. */
static void
rule_daddr_dport(const char *set)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_rule **rules = malloc(sizeof(*rules));

	if (!r || !rules)
		abort();
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, base.family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, base.table);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 6);
	nftnl_rule_add_expr(r, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG32_00));
	nftnl_rule_add_expr(r, payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01));
	{
		struct nftnl_expr *e = ex("lookup");

		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG32_00);
		nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
		nftnl_rule_add_expr(r, e);
	}
	nftnl_rule_add_expr(r, verdict(NF_DROP));
	rules[0] = r;
	CHECK_EQ_INT(pc_nft_cache_add_chain(&cache, base.family, base.table, "output", rules, 1), 0);
}

static void
run(const struct pc_nft_fetch *f)
{
	memset(&res, 0xa5, sizeof(res));
	CHECK_EQ_INT(pc_nftvm_eval_base(&cache, f, &base, &pkt, &res), 0);
	res.why[sizeof(res.why) - 1] = '\0';
	res.text[sizeof(res.text) - 1] = '\0';
}

static void
dst(const char *a)
{
	inet_pton(AF_INET, a, pkt.dst.u.b);
}

static const uint8_t a2[4] = { 203, 0, 113, 2 }, a3[4] = { 203, 0, 113, 3 };

static void
test_by_key(void)
{
	kernel_set("blk", 0, 4);
	kernel_add(a2, 4, 0);
	setup();
	rule_daddr("blk", false);
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(n_def, 1);
	CHECK_EQ_INT(n_elem, 1);
	CHECK_EQ_INT(n_elems + n_set, 0);	/* never read whole */
	/* The same key again: the answer kept, not asked again. */
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(n_elem, 1);
	CHECK_EQ_INT(n_def, 1);
	/* Not in the set: decided, the rule does not match. */
	dst("203.0.113.3");
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(n_elem, 2);
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(n_elem, 2);
	CHECK_EQ_INT(n_elems + n_set, 0);
}

/* A kernel that cannot answer one key: the set read whole, once, and then looked up in it. */
static void
test_fallback(void)
{
	static const int rcs[] = { -EOPNOTSUPP, -EPROTO };

	for (size_t i = 0; i < 2; i++) {
		kernel_set("blk", 0, 4);
		kernel_add(a2, 4, 0);
		elem_rc = rcs[i];
		setup();
		rule_daddr("blk", false);
		run(&by_key);
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
		CHECK_EQ_INT(n_elem, 1);
		CHECK_EQ_INT(n_elems, 1);
		dst("203.0.113.3");
		run(&by_key);
		CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
		CHECK_EQ_INT(n_elem, 1);	/* not asked again */
		CHECK_EQ_INT(n_elems, 1);
	}
	/* The fallback fails too, or the kernel's answer is an error: unknown, named. */
	kernel_set("blk", 0, 4);
	elem_rc = -EOPNOTSUPP;
	elems_rc = -ENOMEM;
	setup();
	rule_daddr("blk", false);
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(strstr(res.why, "@blk could not be read") != NULL);
	kernel_set("blk", 0, 4);
	elem_rc = -EIO;
	setup();
	rule_daddr("blk", false);
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(strstr(res.why, "@blk could not be read") != NULL);
	CHECK_EQ_INT(n_elems, 0);
	/* No such set. */
	setup();
	rule_daddr("nosuch", false);
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(strstr(res.why, "@nosuch could not be read") != NULL);
}

/* An anonymous set is bounded by its rule: read whole, never by key. A fetch without elem reads whole. */
static void
test_anonymous_and_whole(void)
{
	kernel_set("__set0", NFT_SET_ANONYMOUS, 4);
	kernel_add(a2, 4, 0);
	setup();
	rule_daddr("__set0", false);
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(n_elem, 0);
	CHECK_EQ_INT(n_elems, 1);
	kernel_set("blk", 0, 4);
	kernel_add(a2, 4, 0);
	setup();
	rule_daddr("blk", false);
	run(&whole);
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(n_set, 1);
	CHECK_EQ_INT(n_elem + n_def, 0);
}

/* A verdict map asked by key: the element's verdict and chain. */
static void
test_vmap_by_key(void)
{
	struct pp_nft_elem *e;

	kernel_set("svc", NFT_SET_MAP, 4);
	e = kernel_add(a2, 4, 0);
	e->has_verdict = true;
	e->verdict = NFT_JUMP;
	snprintf(e->chain, sizeof(e->chain), "svc-a");
	e = kernel_add(a3, 4, 0);
	e->has_verdict = true;
	e->verdict = NF_DROP;
	setup();
	rule_daddr("svc", true);
	dst("203.0.113.3");
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(n_elem, 1);
	/* No element: the map gives nothing, the chain ends at its policy. */
	dst("203.0.113.9");
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
}

/* The whole-set fallback on an rbtree's start and end markers ([start, end) pairs). */
static void
test_fallback_intervals(void)
{
	static const struct { const char *a; int v; } cases[] = {
		{ "198.51.100.0", PC_NFT_DROP }, { "198.51.100.3", PC_NFT_DROP },
		{ "198.51.100.15", PC_NFT_DROP }, { "198.51.100.16", PC_NFT_POLICY },
		{ "198.51.100.63", PC_NFT_POLICY }, { "198.51.100.64", PC_NFT_DROP },
		{ "198.51.100.70", PC_NFT_DROP }, { "198.51.100.71", PC_NFT_POLICY },
		{ "198.51.99.255", PC_NFT_POLICY },
		/* The last range runs to the end of the address space: no end marker. */
		{ "203.0.113.200", PC_NFT_DROP }, { "255.255.255.255", PC_NFT_DROP },
		{ "203.0.113.199", PC_NFT_POLICY },
	};
	static const uint8_t s1[4] = { 198, 51, 100, 0 }, e1[4] = { 198, 51, 100, 16 };
	static const uint8_t s2[4] = { 198, 51, 100, 64 }, e2[4] = { 198, 51, 100, 71 };
	static const uint8_t s3[4] = { 203, 0, 113, 200 };

	for (size_t i = 0; i < PP_ARRAY_SIZE(cases); i++) {
		kernel_set("blk", NFT_SET_INTERVAL, 4);
		/* In the order a dump gives them: descending. */
		kernel_add(s3, 4, 0);
		kernel_add(e2, 4, NFT_SET_ELEM_INTERVAL_END);
		kernel_add(s2, 4, 0);
		kernel_add(e1, 4, NFT_SET_ELEM_INTERVAL_END);
		kernel_add(s1, 4, 0);
		setup();
		rule_daddr("blk", false);
		dst(cases[i].a);
		run(&whole);
		if (res.verdict != cases[i].v)
			printf("#   %s\n", cases[i].a);
		CHECK_EQ_INT(res.verdict, cases[i].v);
	}
}

/* A concatenation of ranges read whole: each field in its own range, not the bytes as one number. */
static void
test_fallback_concat_ranges(void)
{
	static const struct { const char *a; uint16_t port; int v; } cases[] = {
		{ "198.51.100.9", 85, PC_NFT_DROP }, { "198.51.100.9", 80, PC_NFT_DROP },
		{ "198.51.100.9", 90, PC_NFT_DROP }, { "198.51.100.9", 95, PC_NFT_POLICY },
		{ "198.51.100.9", 79, PC_NFT_POLICY }, { "198.51.101.0", 85, PC_NFT_POLICY },
	};
	static const uint8_t lo[8] = { 198, 51, 100, 0, 0, 80 }, hi[8] = { 198, 51, 100, 255, 0, 90 };

	for (size_t i = 0; i < PP_ARRAY_SIZE(cases); i++) {
		struct pp_nft_elem *e;

		kernel_set("cc", NFT_SET_INTERVAL | NFT_SET_CONCAT, 8);
		kset.nfields = 2;
		kset.field_len[0] = 4;
		kset.field_len[1] = 2;
		e = kernel_add(lo, 8, 0);
		memcpy(e->key_end, hi, 8);
		e->key_end_len = 8;
		setup();
		rule_daddr_dport("cc");
		dst(cases[i].a);
		pkt.dport = cases[i].port;
		run(&whole);
		if (res.verdict != cases[i].v)
			printf("#   %s . %u\n", cases[i].a, cases[i].port);
		CHECK_EQ_INT(res.verdict, cases[i].v);
	}
}

/* "-m set --match-set blk src,dst -j DROP" as iptables-nft writes it: a match expression, rev 4. */
static void
rule_xt_set(uint16_t index, uint8_t dim, uint8_t dirflags, uint32_t flags)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_rule **rules = malloc(sizeof(*rules));
	struct nftnl_expr *e = ex("match");
	struct xt_set_info_match_v4 *info = calloc(1, sizeof(*info));

	if (!r || !rules || !info)
		abort();
	info->match_set.index = index;
	info->match_set.dim = dim;
	info->match_set.flags = dirflags;
	info->flags = flags;
	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "set");
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 4);
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, info, sizeof(*info));	/* libnftnl keeps the pointer */
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, base.family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, base.table);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 7);
	nftnl_rule_add_expr(r, e);
	nftnl_rule_add_expr(r, verdict(NF_DROP));
	rules[0] = r;
	CHECK_EQ_INT(pc_nft_cache_add_chain(&cache, base.family, base.table, "output", rules, 1), 0);
}

static void
test_xt_set(void)
{
	/* In the set: the rule drops; its text names the set, not the index. */
	setup();
	rule_xt_set(3, 2, IPSET_DIM_ONE_SRC, 0);
	ipset_rc = 1;
	n_ipset = 0;
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(n_ipset, 1);
	CHECK(strstr(res.text, "--match-set blk src,dst") != NULL);
	CHECK_EQ_INT(last_q.index, 3);
	CHECK_EQ_INT(last_q.dim, 2);
	CHECK_EQ_INT(last_q.srcdst, 1);		/* part 1 the source, part 2 the destination */
	CHECK(last_q.pkt != NULL);
	/* Not in it: decided, the rule does not match. */
	setup();
	rule_xt_set(3, 2, IPSET_DIM_ONE_SRC, 0);
	ipset_rc = 0;
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	/* Inverted: ! --match-set. */
	setup();
	rule_xt_set(3, 1, IPSET_INV_MATCH | IPSET_DIM_ONE_SRC, 0);
	ipset_rc = 0;
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	/* The key cannot be formed: unknown, the reason kept. */
	setup();
	rule_xt_set(3, 2, IPSET_DIM_ONE_SRC, 0);
	ipset_rc = -1;
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(strstr(res.why, "source port is not known") != NULL);
	/* --return-nomatch: a "no" cannot tell a nomatch entry from none. */
	setup();
	rule_xt_set(3, 1, IPSET_DIM_ONE_SRC, IPSET_FLAG_RETURN_NOMATCH);
	ipset_rc = 0;
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(strstr(res.why, "return-nomatch") != NULL);
	/* An index the kernel has no set for: unknown, never asked. */
	setup();
	rule_xt_set(9, 1, IPSET_DIM_ONE_SRC, 0);
	n_ipset = 0;
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK_EQ_INT(n_ipset, 0);
	CHECK(strstr(res.text, "--match-set #9") != NULL);
	/* No ipset callbacks (a fetch without them): unknown. */
	setup();
	rule_xt_set(3, 1, IPSET_DIM_ONE_SRC, 0);
	run(&whole);
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
}

/*
 * "jhash ip saddr mod 2 seed 0x1 vmap { 0 : accept, 1 : drop, 2 : drop }" (or symhash mod 3):
 * a choice point. The saddr is loaded into keyreg; jhash reads reg 2.
 */
static void
rule_hash(uint32_t type, uint32_t keyreg)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_rule **rules = malloc(sizeof(*rules));
	struct nftnl_expr *h = ex("hash");

	if (!r || !rules)
		abort();
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, base.family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, base.table);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 8);
	nftnl_rule_add_expr(r, payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, keyreg));
	nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_TYPE, type);
	nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_DREG, NFT_REG_1);
	nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_MODULUS, type == NFT_HASH_SYM ? 3 : 2);
	if (type == NFT_HASH_JENKINS) {
		nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_SREG, NFT_REG_2);
		nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_LEN, 4);
		nftnl_expr_set_u32(h, NFTNL_EXPR_HASH_SEED, 1);
	}
	nftnl_rule_add_expr(r, h);
	nftnl_rule_add_expr(r, lookup("__map0", true));
	rules[0] = r;
	CHECK_EQ_INT(pc_nft_cache_add_chain(&cache, base.family, base.table, "output", rules, 1), 0);
}

static void
test_hash_choice(void)
{
	static const int32_t v[3] = { NF_ACCEPT, NF_DROP, NF_DROP };
	struct pc_choices ch;

	kernel_set("__map0", NFT_SET_ANONYMOUS | NFT_SET_MAP, 4);
	for (uint32_t i = 0; i < 3; i++) {
		struct pp_nft_elem *e = kernel_add(&i, 4, 0);

		e->has_verdict = true;
		e->verdict = v[i];
	}
	for (uint32_t pick = 0; pick < 2; pick++) {
		setup();
		memset(&ch, 0, sizeof(ch));
		ch.npick = 1;
		ch.pick[0] = pick;
		pkt.choices = &ch;
		rule_hash(NFT_HASH_JENKINS, NFT_REG_2);
		run(&by_key);
		CHECK_EQ_INT(res.verdict, pick ? PC_NFT_DROP : PC_NFT_ACCEPT);
		CHECK_EQ_INT(ch.nseen, 1);
		CHECK_EQ_INT(ch.seen[0].options, 2);
		CHECK_EQ_INT(ch.seen[0].taken, pick);
		if (!strstr(ch.seen[0].what, "jhash ip saddr mod 2 seed 0x1"))
			printf("#   what: %s\n", ch.seen[0].what);
		CHECK(strstr(ch.seen[0].what, "jhash ip saddr mod 2 seed 0x1") != NULL);
	}
	/* symhash mod 3: three options. */
	setup();
	memset(&ch, 0, sizeof(ch));
	ch.npick = 1;
	ch.pick[0] = 2;
	pkt.choices = &ch;
	rule_hash(NFT_HASH_SYM, NFT_REG_2);
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(ch.seen[0].options, 3);
	CHECK(strstr(ch.seen[0].what, "symhash mod 3") != NULL);
	/* jhash of a register nothing wrote: unknown, not a choice, and the map not read with stale bytes. */
	setup();
	memset(&ch, 0, sizeof(ch));
	pkt.choices = &ch;
	rule_hash(NFT_HASH_JENKINS, NFT_REG_1);
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(strstr(res.why, "register 2 is read before it is written") != NULL);
	CHECK_EQ_INT(ch.nseen, 0);
	/* The walker not following choices: the value is not known. */
	setup();
	pkt.choices = NULL;
	rule_hash(NFT_HASH_SYM, NFT_REG_2);
	run(&by_key);
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
}

int
main(void)
{
	RUN(test_hash_choice);
	RUN(test_xt_set);
	RUN(test_by_key);
	RUN(test_fallback);
	RUN(test_anonymous_and_whole);
	RUN(test_vmap_by_key);
	RUN(test_fallback_intervals);
	RUN(test_fallback_concat_ranges);
	pc_nft_cache_free(&cache);
	free(kset.elems);
	return tap_done();
}
