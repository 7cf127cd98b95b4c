/*
 * test_pathcheck_nft: pathcheck's nft rule evaluator on rules built with libnftnl
 * the way nft(8) emits them (what `nft --debug=netlink` shows), in a cache with
 * no netlink socket behind it: verdicts, the deciding rule's handle and text,
 * jumps, sets, maps, and what stays unknown.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_sctp.h>
#undef bytes
#include <linux/rtnetlink.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "../../cmd/pathcheck/st_netfilter.h"
#include "tap.h"

static struct pc_nft_cache cache;
static struct pc_pkt pkt;
static struct pp_nft_chain base;
static struct pc_nft_result res;

static bool
has(const char *hay, const char *needle)
{
	if (!strstr(hay, needle)) {
		printf("#   \"%s\" does not contain \"%s\"\n", hay, needle);
		return false;
	}
	return true;
}

static void
addr(struct pp_addr *a, const char *s)
{
	if (strchr(s, ':')) {
		struct in6_addr in6;

		inet_pton(AF_INET6, s, &in6);
		pp_addr_set(a, AF_INET6, &in6, 16);
	} else {
		struct in_addr in;

		inet_pton(AF_INET, s, &in);
		pp_addr_set(a, AF_INET, &in, 4);
	}
}

/* ---- expressions, as nft(8) emits them ---- */

static struct nftnl_expr *
payload(uint32_t base_, uint32_t off, uint32_t len, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_DREG, dreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, base_);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	return e;
}

static struct nftnl_expr *
cmp(uint32_t sreg, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return e;
}

static struct nftnl_expr *
cmp8(uint32_t op, uint8_t v)
{
	return cmp(NFT_REG_1, op, &v, 1);
}

static struct nftnl_expr *
cmp16(uint32_t op, uint16_t host)
{
	uint16_t v = htons(host);

	return cmp(NFT_REG_1, op, &v, 2);
}

static struct nftnl_expr *
cmp_addr(uint32_t op, const char *s)
{
	struct pp_addr a;

	addr(&a, s);
	return cmp(NFT_REG_1, op, a.u.b, (uint32_t)pp_addr_len(&a));
}

static struct nftnl_expr *
meta(uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	return e;
}

static struct nftnl_expr *
ct(uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
	return e;
}

static struct nftnl_expr *
bitwise(uint32_t reg, const void *mask, const void *xor, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("bitwise");

	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_SREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_DREG, reg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_BITWISE_LEN, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_MASK, mask, len);
	nftnl_expr_set(e, NFTNL_EXPR_BITWISE_XOR, xor, len);
	return e;
}

static struct nftnl_expr *
range16(uint32_t op, uint16_t lo, uint16_t hi)
{
	struct nftnl_expr *e = nftnl_expr_alloc("range");
	uint16_t a = htons(lo), b = htons(hi);

	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, &a, 2);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, &b, 2);
	return e;
}

static struct nftnl_expr *
lookup(const char *set, uint32_t flags, bool vmap)
{
	struct nftnl_expr *e = nftnl_expr_alloc("lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, set);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SET_ID, 1);
	if (flags)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_FLAGS, flags);
	if (vmap)
		nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
	return e;
}

static struct nftnl_expr *
verdict(int32_t v, const char *chain)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, (uint32_t)v);
	if (chain)
		nftnl_expr_set_str(e, NFTNL_EXPR_IMM_CHAIN, chain);
	return e;
}

static struct nftnl_expr *
imm(uint32_t dreg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
	return e;
}

static struct nftnl_expr *
counter(void)
{
	struct nftnl_expr *e = nftnl_expr_alloc("counter");

	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_PACKETS, 0);
	nftnl_expr_set_u64(e, NFTNL_EXPR_CTR_BYTES, 0);
	return e;
}

static struct nftnl_expr *
reject(uint32_t type, uint8_t code)
{
	struct nftnl_expr *e = nftnl_expr_alloc("reject");

	nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, type);
	nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, code);
	return e;
}

static struct nftnl_expr *
limit(void)
{
	struct nftnl_expr *e = nftnl_expr_alloc("limit");

	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, 10);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_BURST, 5);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, NFT_LIMIT_F_INV);
	return e;
}

static struct nftnl_expr *
dnat(uint32_t family, uint32_t reg_addr, uint32_t reg_proto)
{
	struct nftnl_expr *e = nftnl_expr_alloc("nat");

	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, NFT_NAT_DNAT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, family);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, reg_addr);
	if (reg_proto)
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, reg_proto);
	return e;
}

/* "meta mark set REG" and "ct mark set REG": the statements, reading a register. */
static struct nftnl_expr *
meta_set(uint32_t key, uint32_t sreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, sreg);
	return e;
}

static struct nftnl_expr *
ct_set(uint32_t key, uint32_t sreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_SREG, sreg);
	return e;
}

/* iptables-nft's -j MARK: the x_tables target MARK revision 2, struct xt_mark_tginfo2 { mark, mask }. */
static struct nftnl_expr *
xt_mark(uint32_t mark, uint32_t mask)
{
	struct nftnl_expr *e = nftnl_expr_alloc("target");
	uint32_t *info = malloc(2 * sizeof(*info));	/* libnftnl keeps (and frees) the target's info */

	if (!info)
		abort();
	info[0] = mark;
	info[1] = mask;
	nftnl_expr_set_str(e, NFTNL_EXPR_TG_NAME, "MARK");
	nftnl_expr_set_u32(e, NFTNL_EXPR_TG_REV, 2);
	nftnl_expr_set(e, NFTNL_EXPR_TG_INFO, info, 2 * sizeof(*info));
	return e;
}

/* A map lookup: the value for the key in reg 1 goes to reg 1 (meta mark set tcp sport map { ... }). */
static struct nftnl_expr *
map_lookup(const char *set)
{
	struct nftnl_expr *e = lookup(set, 0, false);

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_1);
	return e;
}

/* ---- the statements nft expands ---- */

/* "ip daddr ADDR" / "ip saddr ADDR" (ip family: no nfproto dependency). */
static struct nftnl_expr *E_END = NULL;

static struct nftnl_rule *
rule(uint64_t handle, ...)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e;
	va_list ap;

	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, base.family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, base.table);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, handle);
	va_start(ap, handle);
	while ((e = va_arg(ap, struct nftnl_expr *)) != NULL)
		nftnl_rule_add_expr(r, e);
	va_end(ap);
	return r;
}

/* Put a chain of n rules (NULL-terminated list) in the cache. */
static void
chain(const char *name, ...)
{
	struct nftnl_rule **rules = NULL, *r;
	size_t n = 0;
	va_list ap;

	va_start(ap, name);
	while ((r = va_arg(ap, struct nftnl_rule *)) != NULL) {
		struct nftnl_rule **nv = realloc(rules, (n + 1) * sizeof(*nv));

		if (!nv)
			abort();
		rules = nv;
		rules[n++] = r;
	}
	va_end(ap);
	CHECK_EQ_INT(pc_nft_cache_add_chain(&cache, base.family, base.table, name, rules, n), 0);
}

static struct pp_nft_elem *
elem(struct pp_nft_set *s)
{
	struct pp_nft_elem *nv = realloc(s->elems, (s->nelems + 1) * sizeof(*nv));

	if (!nv)
		abort();
	s->elems = nv;
	memset(&nv[s->nelems], 0, sizeof(*nv));
	return &nv[s->nelems++];
}

static void
elem_addr(struct pp_nft_set *s, const char *a, uint32_t flags)
{
	struct pp_nft_elem *el = elem(s);
	struct pp_addr x;

	addr(&x, a);
	memcpy(el->key, x.u.b, pp_addr_len(&x));
	el->key_len = (uint32_t)pp_addr_len(&x);
	el->flags = flags;
}

static void
add_set(struct pp_nft_set *s)
{
	CHECK_EQ_INT(pc_nft_cache_add_set(&cache, base.family, base.table, s), 0);
}

/* A fresh cache, an "ip filter output" base chain, and a TCP packet to 203.0.113.2:80. */
static void
setup(uint32_t family, uint32_t hook, uint32_t policy)
{
	pc_nft_cache_free(&cache);
	memset(&cache, 0, sizeof(cache));
	memset(&base, 0, sizeof(base));
	base.family = family;
	snprintf(base.table, sizeof(base.table), "filter");
	snprintf(base.name, sizeof(base.name), "%s", hook == NF_INET_POST_ROUTING ? "postrouting" : "output");
	snprintf(base.type, sizeof(base.type), "filter");
	base.base = true;
	base.hooknum = hook;
	base.policy = policy;

	memset(&pkt, 0, sizeof(pkt));
	pkt.family = AF_INET;
	pkt.hook = hook;
	addr(&pkt.src, "198.51.100.10");
	pkt.src_known = true;
	addr(&pkt.dst, "203.0.113.2");
	pkt.l4proto = IPPROTO_TCP;
	pkt.dport = 80;
	pkt.dport_known = true;
	pkt.sport = 0;
	pkt.sport_known = false;
	snprintf(pkt.oifname, sizeof(pkt.oifname), "veth0");
	pkt.oif = 7;
	pkt.ct_state = 8;	/* new */
}

static int
run(void)
{
	memset(&res, 0xa5, sizeof(res));
	return pc_nft_eval_base(&cache, &base, &pkt, &res);
}

/* ip daddr A */
#define IP_DADDR(op, a) payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1), cmp_addr(op, a)
#define IP_SADDR(op, a) payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1), cmp_addr(op, a)
#define IP6_DADDR(op, a) payload(NFT_PAYLOAD_NETWORK_HEADER, 24, 16, NFT_REG_1), cmp_addr(op, a)
/* tcp dport P: nft adds the l4proto dependency */
#define L4PROTO(p) meta(NFT_META_L4PROTO, NFT_REG_1), cmp8(NFT_CMP_EQ, p)
#define TCP_DPORT(op, p) L4PROTO(IPPROTO_TCP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1), cmp16(op, p)
#define TCP_SPORT(op, p) L4PROTO(IPPROTO_TCP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1), cmp16(op, p)

/* ---- tests ---- */

static void
test_daddr(void)
{
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(3, IP_DADDR(NFT_CMP_EQ, "203.0.113.9"), counter(), verdict(NF_DROP, NULL), E_END),
	      rule(4, IP_DADDR(NFT_CMP_EQ, "203.0.113.2"), TCP_DPORT(NFT_CMP_EQ, 80), counter(),
		   verdict(NF_DROP, NULL), E_END),
	      NULL);
	CHECK_EQ_INT(run(), 0);
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 4);
	CHECK_STR(res.text, "ip daddr 203.0.113.2 tcp dport 80 counter drop");
	CHECK_STR(res.chain, "output");
	CHECK_EQ_INT(res.reject, false);
	CHECK_EQ_INT(res.rules_seen, 2);
	CHECK_STR(res.nat, "");

	/* Another port: both rules miss, the policy decides. */
	pkt.dport = 443;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.policy, NF_ACCEPT);
	CHECK_EQ_INT(res.handle, 0);
	CHECK_STR(res.text, "policy accept");
	CHECK_STR(res.chain, "output");

	/* != */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_DROP);
	chain("output", rule(5, IP_DADDR(NFT_CMP_NEQ, "203.0.113.9"), verdict(NF_ACCEPT, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 5);
	CHECK_STR(res.text, "ip daddr != 203.0.113.9 accept");
	addr(&pkt.dst, "203.0.113.9");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.policy, NF_DROP);
	CHECK_STR(res.text, "policy drop");
}

static void
test_prefix(void)
{
	static const uint8_t mask[4] = { 0xff, 0xff, 0xff, 0x00 }, zero[4] = { 0 };

	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(6, payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1), bitwise(NFT_REG_1, mask, zero, 4),
		   cmp_addr(NFT_CMP_EQ, "198.51.100.0"), verdict(NF_DROP, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 6);
	CHECK_STR(res.text, "ip saddr 198.51.100.0/24 drop");

	addr(&pkt.src, "198.51.101.10");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* nft emits a byte-aligned prefix as a shorter load, no bitwise: 3 bytes for a /24. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	{
		static const uint8_t net[3] = { 198, 51, 100 };

		chain("output", rule(7, payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 3, NFT_REG_1),
				     cmp(NFT_REG_1, NFT_CMP_EQ, net, 3), verdict(NF_DROP, NULL), E_END), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "ip saddr 198.51.100.0/24 drop");
	addr(&pkt.src, "198.51.101.10");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* /25: not byte-aligned, so a bitwise mask (nft's own shape). */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	{
		static const uint8_t m25[4] = { 0xff, 0xff, 0xff, 0x80 };

		chain("output", rule(8, payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1),
				     bitwise(NFT_REG_1, m25, zero, 4), cmp_addr(NFT_CMP_EQ, "198.51.100.128"),
				     verdict(NF_DROP, NULL), E_END), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);	/* .10 is in the lower half */
	addr(&pkt.src, "198.51.100.200");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "ip saddr 198.51.100.128/25 drop");

	/* The source is not known (no --from, no preferred source): a prefix on it cannot be decided. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(6, payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1), bitwise(NFT_REG_1, mask, zero, 4),
		   cmp_addr(NFT_CMP_EQ, "198.51.100.0"), verdict(NF_DROP, NULL), E_END),
	      NULL);
	pkt.src_known = false;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "ip saddr is not known for this packet"));
	CHECK(has(res.why, "rule handle 6"));
	CHECK_EQ_INT(res.handle, 6);
}

static void
test_port_range_l4proto(void)
{
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(7, L4PROTO(IPPROTO_TCP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1),
		   range16(NFT_RANGE_EQ, 1, 1023), verdict(NF_DROP, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "tcp dport 1-1023 drop");
	pkt.dport = 1024;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	pkt.dport = 1023;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);

	/* nft 1.0.6 writes "tcp dport 1000-2000" as cmp gte, cmp lte. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(11, L4PROTO(IPPROTO_TCP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1),
		   cmp16(NFT_CMP_GTE, 1000), cmp16(NFT_CMP_LTE, 2000), verdict(NF_DROP, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	pkt.dport = 1000;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "tcp dport 1000-2000 drop");
	pkt.dport = 2000;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	pkt.dport = 2001;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	/* A lone >= stays as written. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(12, L4PROTO(IPPROTO_TCP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1),
		   cmp16(NFT_CMP_GTE, 80), verdict(NF_DROP, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "tcp dport >= 80 drop");

	/* != range */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(8, L4PROTO(IPPROTO_TCP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1),
		   range16(NFT_RANGE_NEQ, 1000, 2000), verdict(NF_DROP, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "tcp dport != 1000-2000 drop");
	pkt.dport = 1500;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* meta l4proto udp: a TCP packet misses, a UDP one matches. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(9, L4PROTO(IPPROTO_UDP), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	pkt.l4proto = IPPROTO_UDP;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "meta l4proto udp drop");
	/* A udp dport rule does not match a TCP packet even when the port agrees. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(10, L4PROTO(IPPROTO_UDP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1),
			     cmp16(NFT_CMP_EQ, 80), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
}

static void
test_ifname(void)
{
	char name[IFNAMSIZ] = "veth0";

	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(11, meta(NFT_META_OIFNAME, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, name, IFNAMSIZ),
			     verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "oifname \"veth0\" drop");
	snprintf(pkt.oifname, sizeof(pkt.oifname), "veth1");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* iifname on the output hook: no input device, the kernel loads "" (nft_meta_store_ifname): != matches. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(12, meta(NFT_META_IIFNAME, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, name, IFNAMSIZ),
		   verdict(NF_DROP, NULL), E_END),
	      rule(13, meta(NFT_META_IIFNAME, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_NEQ, name, IFNAMSIZ),
		   verdict(NF_DROP, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.rules_seen, 2);
	CHECK_STR(res.text, "iifname != \"veth0\" drop");

	/* On a hook with an input device it does match. */
	snprintf(pkt.iifname, sizeof(pkt.iifname), "veth0");
	pkt.iif = 7;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 12);
	CHECK_STR(res.text, "iifname \"veth0\" drop");
}

static void
test_ct_state(void)
{
	uint32_t mask = 8 /* new */, zero = 0, estrel = 2 | 4;

	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_DROP);
	chain("output",
	      rule(20, ct(NFT_CT_STATE, NFT_REG_1), bitwise(NFT_REG_1, &estrel, &zero, 4),
		   cmp(NFT_REG_1, NFT_CMP_NEQ, &zero, 4), verdict(NF_ACCEPT, NULL), E_END),
	      rule(21, ct(NFT_CT_STATE, NFT_REG_1), bitwise(NFT_REG_1, &mask, &zero, 4),
		   cmp(NFT_REG_1, NFT_CMP_NEQ, &zero, 4), verdict(NF_ACCEPT, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 21);
	CHECK_STR(res.text, "ct state new accept");
	CHECK_EQ_INT(res.rules_seen, 2);

	/* An established packet (not what pathcheck asks about, but the VM says so). */
	pkt.ct_state = 2;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 20);
	CHECK_STR(res.text, "ct state established,related accept");

	/* ct state invalid: nothing matches, the drop policy decides. */
	pkt.ct_state = 1;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.policy, NF_DROP);

	/* ct state invalid drop; and the inverse test, (ct state & new) == 0: "ct state != new". */
	{
		uint32_t inv = 1;

		setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
		chain("output",
		      rule(22, ct(NFT_CT_STATE, NFT_REG_1), bitwise(NFT_REG_1, &inv, &zero, 4),
			   cmp(NFT_REG_1, NFT_CMP_NEQ, &zero, 4), verdict(NF_DROP, NULL), E_END),
		      rule(23, ct(NFT_CT_STATE, NFT_REG_1), bitwise(NFT_REG_1, &mask, &zero, 4),
			   cmp(NFT_REG_1, NFT_CMP_EQ, &zero, 4), verdict(NF_DROP, NULL), E_END),
		      NULL);
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
		pkt.ct_state = 1;
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
		CHECK_EQ_INT(res.handle, 22);
		CHECK_STR(res.text, "ct state invalid drop");
		pkt.ct_state = 2;
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
		CHECK_EQ_INT(res.handle, 23);
		CHECK_STR(res.text, "ct state != new drop");
	}
}

static void
test_sets(void)
{
	struct pp_nft_set s;

	/* A plain named set of addresses. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "blocklist");
	s.key_len = 4;
	elem_addr(&s, "203.0.113.7", 0);
	elem_addr(&s, "203.0.113.2", 0);
	add_set(&s);
	chain("output", rule(30, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1), lookup("blocklist", 0, false),
			     counter(), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 30);
	CHECK_STR(res.text, "ip daddr @blocklist counter drop");
	addr(&pkt.dst, "203.0.113.3");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* Inverted: ip daddr != @allowed drop. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "allowed");
	s.key_len = 4;
	elem_addr(&s, "203.0.113.9", 0);
	add_set(&s);
	chain("output", rule(31, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1),
			     lookup("allowed", NFT_LOOKUP_F_INV, false), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "ip daddr != @allowed drop");
	addr(&pkt.dst, "203.0.113.9");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* An interval set, as the kernel holds 198.51.100.0/24 and 203.0.113.0-203.0.113.15:
	 * a zero end marker, then start / end pairs. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "nets");
	s.key_len = 4;
	s.flags = NFT_SET_INTERVAL;
	elem_addr(&s, "0.0.0.0", NFT_SET_ELEM_INTERVAL_END);
	elem_addr(&s, "198.51.100.0", 0);
	elem_addr(&s, "198.51.101.0", NFT_SET_ELEM_INTERVAL_END);
	elem_addr(&s, "203.0.113.0", 0);
	elem_addr(&s, "203.0.113.16", NFT_SET_ELEM_INTERVAL_END);
	add_set(&s);
	chain("output", rule(32, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1), lookup("nets", 0, false),
			     verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "ip daddr @nets drop");
	addr(&pkt.dst, "203.0.113.15");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	addr(&pkt.dst, "203.0.113.16");	/* the end marker is exclusive */
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	addr(&pkt.dst, "198.51.100.255");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	addr(&pkt.dst, "198.51.99.255");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	addr(&pkt.dst, "198.51.101.0");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* An interval set as pipapo sends it: key and key_end in one element. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "nets");
	s.key_len = 4;
	s.flags = NFT_SET_INTERVAL;
	elem_addr(&s, "203.0.113.0", 0);
	{
		struct pp_addr e;

		addr(&e, "203.0.113.3");
		memcpy(s.elems[0].key_end, e.u.b, 4);
		s.elems[0].key_end_len = 4;
	}
	add_set(&s);
	chain("output", rule(33, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1), lookup("nets", 0, false),
			     verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	addr(&pkt.dst, "203.0.113.4");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* A set that is not there (not in the cache, no socket): unknown, not a crash. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(34, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1), lookup("missing", 0, false),
			     verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "@missing"));
}

static void
test_vmap(void)
{
	struct pp_nft_set s;
	struct pp_nft_elem *el;
	struct pp_addr a;

	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "dispatch");
	s.key_len = 4;
	s.flags = NFT_SET_MAP;
	s.data_type = NFT_DATA_VERDICT;
	el = elem(&s);
	addr(&a, "203.0.113.2");
	memcpy(el->key, a.u.b, 4);
	el->key_len = 4;
	el->has_verdict = true;
	el->verdict = NF_DROP;
	el = elem(&s);
	addr(&a, "203.0.113.3");
	memcpy(el->key, a.u.b, 4);
	el->key_len = 4;
	el->has_verdict = true;
	el->verdict = NFT_JUMP;
	snprintf(el->chain, sizeof(el->chain), "web");
	add_set(&s);
	chain("output", rule(40, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1), lookup("dispatch", 0, true), E_END),
	      NULL);
	chain("web", rule(41, TCP_DPORT(NFT_CMP_EQ, 80), verdict(NF_ACCEPT, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 40);
	CHECK_STR(res.text, "ip daddr vmap @dispatch");

	/* Jump through the map into chain web, which accepts port 80. */
	addr(&pkt.dst, "203.0.113.3");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 41);
	CHECK_STR(res.chain, "web");
	CHECK_STR(res.path, "output -> web");

	/* Not in the map: the rule does not match. */
	addr(&pkt.dst, "203.0.113.4");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* An anonymous map, ip daddr vmap { ... }: shown by its elements. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "__map0");
	s.key_len = 4;
	s.flags = NFT_SET_MAP | NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;
	s.data_type = NFT_DATA_VERDICT;
	el = elem(&s);
	addr(&a, "203.0.113.2");
	memcpy(el->key, a.u.b, 4);
	el->key_len = 4;
	el->has_verdict = true;
	el->verdict = NF_DROP;
	el = elem(&s);
	addr(&a, "203.0.113.3");
	memcpy(el->key, a.u.b, 4);
	el->key_len = 4;
	el->has_verdict = true;
	el->verdict = NFT_JUMP;
	snprintf(el->chain, sizeof(el->chain), "web");
	add_set(&s);
	chain("output", rule(42, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1), lookup("__map0", 0, true), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "ip daddr vmap { 203.0.113.2 : drop, 203.0.113.3 : jump web }");
}

static void
test_jump_goto(void)
{
	/* jump into a user chain that drops */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(50, IP_DADDR(NFT_CMP_EQ, "203.0.113.2"), verdict(NFT_JUMP, "blocklist"), E_END),
	      rule(51, verdict(NF_ACCEPT, NULL), E_END),
	      NULL);
	chain("blocklist", rule(52, TCP_DPORT(NFT_CMP_EQ, 80), counter(), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 52);
	CHECK_STR(res.chain, "blocklist");
	CHECK_STR(res.path, "output -> blocklist");
	CHECK_STR(res.text, "tcp dport 80 counter drop");
	CHECK_EQ_INT(res.rules_seen, 2);

	/* The user chain does not match: back in output, the next rule accepts. */
	pkt.dport = 443;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 51);
	CHECK_STR(res.chain, "output");

	/* jump into a chain that returns, then the policy. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_DROP);
	chain("output", rule(53, verdict(NFT_JUMP, "checks"), E_END), NULL);
	chain("checks",
	      rule(54, TCP_DPORT(NFT_CMP_EQ, 80), verdict(NFT_RETURN, NULL), E_END),
	      rule(55, verdict(NF_ACCEPT, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.policy, NF_DROP);
	CHECK_EQ_INT(res.handle, 0);
	CHECK_STR(res.text, "policy drop");
	CHECK_EQ_INT(res.rules_seen, 2);
	pkt.dport = 22;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 55);

	/* goto: a chain that falls off the end does not come back. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(56, verdict(NFT_GOTO, "allow"), E_END),
	      rule(57, verdict(NF_DROP, NULL), E_END),
	      NULL);
	chain("allow", rule(58, TCP_DPORT(NFT_CMP_EQ, 22), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.policy, NF_ACCEPT);
	pkt.dport = 22;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 58);
	CHECK_STR(res.path, "output -> allow");

	/* A jump to a chain that is not there: unknown. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(59, verdict(NFT_JUMP, "nowhere"), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "nowhere"));

	/* A jump loop: ends unknown, not in a stack overflow. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(60, verdict(NFT_JUMP, "a"), E_END), NULL);
	chain("a", rule(61, verdict(NFT_JUMP, "a"), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "deeper"));
}

static void
test_unknown(void)
{
	/* limit rate over 10/second drop: pathcheck cannot know the rate. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(70, IP_DADDR(NFT_CMP_EQ, "203.0.113.2"), limit(), verdict(NF_DROP, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK_EQ_INT(res.handle, 70);
	CHECK(has(res.why, "rule handle 70 in chain output"));
	CHECK(has(res.why, "'limit' expression is not evaluated"));
	CHECK(has(res.text, "ip daddr 203.0.113.2 limit"));

	/* A rule that would not match anyway is not unknown. */
	addr(&pkt.dst, "203.0.113.3");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* The same rule followed by a drop policy: dropped whichever way the limit goes. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_DROP);
	chain("output",
	      rule(70, IP_DADDR(NFT_CMP_EQ, "203.0.113.2"), limit(), verdict(NF_DROP, NULL), E_END),
	      NULL);
	run();
	CHECK(res.verdict == PC_NFT_DROP || (res.verdict == PC_NFT_POLICY && res.policy == NF_DROP));
	CHECK(res.verdict != PC_NFT_UNKNOWN);

	/* ... and followed by a rule that drops it. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(70, IP_DADDR(NFT_CMP_EQ, "203.0.113.2"), limit(), verdict(NF_DROP, NULL), E_END),
	      rule(71, TCP_DPORT(NFT_CMP_EQ, 80), verdict(NF_DROP, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 71);

	/* An unknown accept followed by an accept policy: accepted. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(72, limit(), verdict(NF_ACCEPT, NULL), E_END), NULL);
	run();
	CHECK(res.verdict == PC_NFT_ACCEPT || (res.verdict == PC_NFT_POLICY && res.policy == NF_ACCEPT));

	/* An unknown match with no verdict (limit ... counter): the path goes on. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(73, limit(), counter(), E_END),
	      rule(74, TCP_DPORT(NFT_CMP_EQ, 80), reject(NFT_REJECT_ICMP_UNREACH, 3), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 74);
	CHECK_EQ_INT(res.reject, true);
	CHECK_STR(res.text, "tcp dport 80 reject");

	/* tcp sport 1234 drop, and the source port is not known. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(75, TCP_SPORT(NFT_CMP_EQ, 1234), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "tcp sport is not known for this packet"));
	CHECK_EQ_INT(res.handle, 75);
	/* Given, it decides. */
	pkt.sport_known = true;
	pkt.sport = 1234;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "tcp sport 1234 drop");
	pkt.sport = 1235;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	/* A known mismatch elsewhere in the rule makes the unknown port irrelevant. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(76, IP_DADDR(NFT_CMP_EQ, "203.0.113.99"), TCP_SPORT(NFT_CMP_EQ, 1234),
			     verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
}

static void
test_reject(void)
{
	setup(NFPROTO_IPV4, NF_INET_POST_ROUTING, NF_ACCEPT);
	chain("postrouting", rule(80, TCP_DPORT(NFT_CMP_EQ, 80), reject(NFT_REJECT_TCP_RST, 0), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.reject, true);
	CHECK_EQ_INT(res.handle, 80);
	CHECK_STR(res.text, "tcp dport 80 reject with tcp reset");
	CHECK_STR(res.chain, "postrouting");
}

static void
test_dnat(void)
{
	struct pp_addr a;
	uint16_t port = htons(8080);

	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	snprintf(base.type, sizeof(base.type), "nat");
	addr(&a, "203.0.113.2");
	chain("output",
	      rule(90, IP_DADDR(NFT_CMP_EQ, "203.0.113.2"), TCP_DPORT(NFT_CMP_EQ, 80),
		   imm(NFT_REG_1, a.u.b, 4), imm(NFT_REG_2, &port, 2), dnat(NFPROTO_IPV4, NFT_REG_1, NFT_REG_2),
		   E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 90);
	CHECK_STR(res.nat, "dnat to 203.0.113.2:8080");
	CHECK_STR(res.text, "ip daddr 203.0.113.2 tcp dport 80 dnat to 203.0.113.2:8080");

	/* Address only. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	addr(&a, "198.51.100.20");
	chain("output", rule(91, imm(NFT_REG_1, a.u.b, 4), dnat(NFPROTO_IPV4, NFT_REG_1, 0), E_END), NULL);
	run();
	CHECK_STR(res.nat, "dnat to 198.51.100.20");
}

static void
test_ipv6(void)
{
	setup(NFPROTO_IPV6, NF_INET_LOCAL_OUT, NF_ACCEPT);
	pkt.family = AF_INET6;
	addr(&pkt.src, "2001:db8::10");
	addr(&pkt.dst, "2001:db8::2");
	chain("output",
	      rule(100, IP6_DADDR(NFT_CMP_EQ, "2001:db8::3"), verdict(NF_DROP, NULL), E_END),
	      rule(101, IP6_DADDR(NFT_CMP_EQ, "2001:db8::2"), TCP_DPORT(NFT_CMP_EQ, 80), verdict(NF_DROP, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 101);
	CHECK_STR(res.text, "ip6 daddr 2001:db8::2 tcp dport 80 drop");
	addr(&pkt.dst, "2001:db8::4");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* A /64 prefix on the source. */
	{
		uint8_t mask[16] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff }, zero[16] = { 0 };

		setup(NFPROTO_IPV6, NF_INET_LOCAL_OUT, NF_ACCEPT);
		pkt.family = AF_INET6;
		addr(&pkt.src, "2001:db8::10");
		addr(&pkt.dst, "2001:db8::2");
		chain("output", rule(102, payload(NFT_PAYLOAD_NETWORK_HEADER, 8, 16, NFT_REG_1),
				     bitwise(NFT_REG_1, mask, zero, 16), cmp_addr(NFT_CMP_EQ, "2001:db8::"),
				     verdict(NF_DROP, NULL), E_END), NULL);
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
		CHECK_STR(res.text, "ip6 saddr 2001:db8::/64 drop");
		addr(&pkt.src, "2001:db8:1::10");
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	}
}

static void
test_inet(void)
{
	uint8_t v4 = NFPROTO_IPV4, v6 = NFPROTO_IPV6;

	/* inet: nft prefixes "ip daddr" with a meta nfproto ipv4 dependency. */
	setup(NFPROTO_INET, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output",
	      rule(110, meta(NFT_META_NFPROTO, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &v4, 1),
		   IP_DADDR(NFT_CMP_EQ, "203.0.113.2"), verdict(NF_DROP, NULL), E_END),
	      rule(111, meta(NFT_META_NFPROTO, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &v6, 1),
		   IP6_DADDR(NFT_CMP_EQ, "2001:db8::2"), verdict(NF_DROP, NULL), E_END),
	      NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 110);
	CHECK_STR(res.text, "ip daddr 203.0.113.2 drop");

	/* An IPv6 packet through the same chain: the ipv4 rule's dependency fails. */
	pkt.family = AF_INET6;
	addr(&pkt.src, "2001:db8::10");
	addr(&pkt.dst, "2001:db8::2");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 111);
	CHECK_STR(res.text, "ip6 daddr 2001:db8::2 drop");
	addr(&pkt.dst, "2001:db8::3");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.rules_seen, 2);

	/* icmp type in inet: two dependencies, nfproto then l4proto, neither shown. */
	{
		uint8_t echo = 8;

		setup(NFPROTO_INET, NF_INET_LOCAL_OUT, NF_ACCEPT);
		pkt.l4proto = IPPROTO_ICMP;
		chain("output", rule(112, meta(NFT_META_NFPROTO, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &v4, 1),
				     L4PROTO(IPPROTO_ICMP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1),
				     cmp(NFT_REG_1, NFT_CMP_EQ, &echo, 1), verdict(NF_DROP, NULL), E_END), NULL);
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
		CHECK_STR(res.text, "icmp type echo-request drop");
	}
}

static void
test_concat_anon(void)
{
	struct pp_nft_set s;
	struct pp_nft_elem *el;
	struct pp_addr a;
	uint16_t port = htons(80);

	/* ip daddr . tcp dport @svc: the address in reg 1, the port in the next 32-bit register. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "svc");
	s.key_len = 8;
	s.flags = NFT_SET_CONCAT;
	el = elem(&s);
	addr(&a, "203.0.113.2");
	memcpy(el->key, a.u.b, 4);
	memcpy(el->key + 4, &port, 2);
	el->key_len = 8;
	add_set(&s);
	chain("output", rule(120, L4PROTO(IPPROTO_TCP), payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1),
			     payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01), lookup("svc", 0, false),
			     verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 120);
	CHECK_STR(res.text, "ip daddr . tcp dport @svc drop");
	pkt.dport = 81;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	/* The port not known: the lookup cannot be decided. */
	pkt.dport_known = false;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);

	/* tcp dport { 22, 80 } drop: an anonymous set, shown by its elements. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "__set0");
	s.key_len = 2;
	s.flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;
	el = elem(&s);
	port = htons(22);
	memcpy(el->key, &port, 2);
	el->key_len = 2;
	el = elem(&s);
	port = htons(80);
	memcpy(el->key, &port, 2);
	el->key_len = 2;
	add_set(&s);
	chain("output", rule(121, L4PROTO(IPPROTO_TCP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1),
			     lookup("__set0", 0, false), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "tcp dport { 22, 80 } drop");
	pkt.dport = 443;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* tcp dport { 1000-2000, 3000 }: an anonymous interval set, ends as exclusive markers. */
	{
		static const uint8_t keys[5][2] = { { 0, 0 }, { 0x03, 0xe8 }, { 0x07, 0xd1 }, { 0x0b, 0xb8 }, { 0x0b, 0xb9 } };
		static const uint32_t fl[5] = { NFT_SET_ELEM_INTERVAL_END, 0, NFT_SET_ELEM_INTERVAL_END, 0,
						NFT_SET_ELEM_INTERVAL_END };

		setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
		memset(&s, 0, sizeof(s));
		snprintf(s.name, sizeof(s.name), "__set1");
		s.key_len = 2;
		s.flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | NFT_SET_INTERVAL;
		for (size_t i = 0; i < 5; i++) {
			el = elem(&s);
			memcpy(el->key, keys[i], 2);
			el->key_len = 2;
			el->flags = fl[i];
		}
		add_set(&s);
		chain("output", rule(122, L4PROTO(IPPROTO_TCP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1),
				     lookup("__set1", 0, false), verdict(NF_DROP, NULL), E_END), NULL);
		pkt.dport = 2000;
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
		CHECK_STR(res.text, "tcp dport { 1000-2000, 3000 } drop");
		pkt.dport = 2001;
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
		pkt.dport = 3000;
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	}

	/* Addresses: a prefix (pipapo key_end) and a range that runs to the top. */
	{
		struct pp_addr x;

		setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
		memset(&s, 0, sizeof(s));
		snprintf(s.name, sizeof(s.name), "__set2");
		s.key_len = 4;
		s.flags = NFT_SET_ANONYMOUS | NFT_SET_CONSTANT | NFT_SET_INTERVAL;
		elem_addr(&s, "203.0.113.0", 0);
		addr(&x, "203.0.113.3");
		memcpy(s.elems[0].key_end, x.u.b, 4);
		s.elems[0].key_end_len = 4;
		elem_addr(&s, "203.0.113.200", 0);
		add_set(&s);
		chain("output", rule(123, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1),
				     lookup("__set2", 0, false), verdict(NF_DROP, NULL), E_END), NULL);
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
		CHECK_STR(res.text, "ip daddr { 203.0.113.0/30, 203.0.113.200-255.255.255.255 } drop");
		addr(&pkt.dst, "203.0.113.100");
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
		addr(&pkt.dst, "203.0.113.201");
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	}
}

static void
test_meta_misc(void)
{
	uint8_t echo = 8;
	uint32_t mark = 0x10, uid = 1000;

	/* icmp type echo-request drop */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	pkt.l4proto = IPPROTO_ICMP;
	pkt.dport_known = pkt.sport_known = true;
	chain("output", rule(130, L4PROTO(IPPROTO_ICMP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 1, NFT_REG_1),
			     cmp(NFT_REG_1, NFT_CMP_EQ, &echo, 1), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 130);
	CHECK(has(res.text, "icmp type echo-request drop"));

	/* meta mark 0x10 accept, with the query's mark and without. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_DROP);
	chain("output", rule(131, meta(NFT_META_MARK, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &mark, 4),
			     verdict(NF_ACCEPT, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.policy, NF_DROP);
	pkt.mark = 0x10;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_STR(res.text, "meta mark 0x10 accept");

	/* meta skuid 1000 drop: the user is not known unless given. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(132, meta(NFT_META_SKUID, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &uid, 4),
			     verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "skuid"));
	pkt.uid_known = true;
	pkt.uid = 1000;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	pkt.uid = 0;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
}

/*
 * meta mark set: the mark changes for the later expressions, rules, chains (a jump) and
 * base chains (the caller carries res.mark on); bitwise of a known mark; a value from an
 * unknown key stays unknown; route-type output chains route again, filter-type do not.
 */
static void
test_mark_set(void)
{
	uint32_t one = 0x1, m4001 = 0x4001, notbit = ~0x4000u, bit = 0x4000, ff00 = 0xff00, zero = 0;
	uint32_t m1200 = 0x1200, five = 0x5;
	struct pp_nft_set s;
	struct pp_nft_elem *el;
	uint16_t sp = htons(1234);
	struct pp_addr a;

	/* meta mark set 0x1, then meta mark 0x1 drop in the same chain. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(200, TCP_DPORT(NFT_CMP_EQ, 80), imm(NFT_REG_1, &one, 4), meta_set(NFT_META_MARK, NFT_REG_1),
			     E_END),
	      rule(201, meta(NFT_META_MARK, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &one, 4), verdict(NF_DROP, NULL),
		   E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 201);
	CHECK_EQ_INT(res.mark, 1);
	CHECK(!res.mark_unknown);
	CHECK(res.mark_set);
	CHECK_STR(res.mark_stmt, "meta mark set 0x1");
	CHECK_STR(res.mark_chain, "output");
	CHECK_EQ_INT(res.reroute, false);	/* dropped, and a filter chain */
	/* The set's rule misses (port 443 is not 80): the mark stays, rule 201 does not match. */
	pkt.dport = 443;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.mark, 0);
	CHECK(!res.mark_set);

	/* Set in the base chain, matched in a chain it jumps to; then seen by a later base chain. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(210, imm(NFT_REG_1, &one, 4), meta_set(NFT_META_MARK, NFT_REG_1), E_END),
	      rule(211, verdict(NFT_JUMP, "marked"), E_END), NULL);
	chain("marked", rule(212, meta(NFT_META_MARK, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &one, 4),
			     verdict(NF_ACCEPT, NULL), E_END), NULL);
	chain("later", rule(213, meta(NFT_META_MARK, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_NEQ, &zero, 4),
			    verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 212);
	CHECK_EQ_INT(res.mark, 1);
	pkt.mark = res.mark;	/* as pc_nft_collect carries it to the next base chain */
	snprintf(base.name, sizeof(base.name), "later");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 213);
	CHECK(!res.mark_set);
	pkt.mark = 0;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* meta mark set meta mark or 0x4000 (mark & ~0x4000 ^ 0x4000), of a known mark 0x1. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_DROP);
	pkt.mark = 0x1;
	chain("output", rule(220, meta(NFT_META_MARK, NFT_REG_1), bitwise(NFT_REG_1, &notbit, &bit, 4),
			     meta_set(NFT_META_MARK, NFT_REG_1), E_END),
	      rule(221, meta(NFT_META_MARK, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &m4001, 4), verdict(NF_ACCEPT, NULL),
		   E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 221);
	CHECK_EQ_INT(res.mark, 0x4001);
	CHECK_STR(res.mark_stmt, "meta mark set meta mark | 0x4000 (0x4001)");
	/* meta mark set mark and 0xff00, of 0x1234. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_DROP);
	pkt.mark = 0x1234;
	chain("output", rule(222, meta(NFT_META_MARK, NFT_REG_1), bitwise(NFT_REG_1, &ff00, &zero, 4),
			     meta_set(NFT_META_MARK, NFT_REG_1), E_END),
	      rule(223, meta(NFT_META_MARK, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &m1200, 4), verdict(NF_ACCEPT, NULL),
		   E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.mark, 0x1200);
	CHECK(has(res.mark_stmt, "meta mark & 0xff00"));

	/* meta mark set tcp sport map { 1234 : 0x1 }: the source port is not known, so neither is the mark. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "sportmark");
	s.key_len = 2;
	s.flags = NFT_SET_MAP;
	s.data_len = 4;
	el = elem(&s);
	memcpy(el->key, &sp, 2);
	el->key_len = 2;
	memcpy(el->data, &one, 4);
	el->data_len = 4;
	add_set(&s);
	chain("output", rule(230, L4PROTO(IPPROTO_TCP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 0, 2, NFT_REG_1),
			     map_lookup("sportmark"), meta_set(NFT_META_MARK, NFT_REG_1), E_END),
	      rule(231, meta(NFT_META_MARK, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &one, 4), verdict(NF_DROP, NULL),
		   E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(res.mark_unknown);
	CHECK(has(res.why, "rule handle 231"));
	CHECK(has(res.why, "meta mark is not known"));
	/* With the source port known, the map gives 0x1 and rule 231 drops. */
	pkt.sport = 1234;
	pkt.sport_known = true;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 231);
	CHECK_EQ_INT(res.mark, 1);
	CHECK(!res.mark_unknown);
	/* A key not in the map: the statement is not reached, the mark stays 0. */
	pkt.sport = 999;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.mark, 0);

	/* Reached only maybe (tcp sport 1234 with the port unknown): the mark after it is unknown. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(240, TCP_SPORT(NFT_CMP_EQ, 1234), imm(NFT_REG_1, &one, 4),
			     meta_set(NFT_META_MARK, NFT_REG_1), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK(res.mark_unknown);
	/* Setting the value it already has changes nothing, reached or not. */
	pkt.mark = 1;
	run();
	CHECK(!res.mark_unknown);
	CHECK_EQ_INT(res.mark, 1);

	/* ct mark set 0x5, then meta mark set ct mark: the mark is 0x5. A new flow's ct mark is 0. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(250, imm(NFT_REG_1, &five, 4), ct_set(NFT_CT_MARK, NFT_REG_1), E_END),
	      rule(251, ct(NFT_CT_MARK, NFT_REG_1), meta_set(NFT_META_MARK, NFT_REG_1), E_END), NULL);
	run();
	CHECK_EQ_INT(res.ctmark, 5);
	CHECK_EQ_INT(res.mark, 5);
	CHECK_STR(res.mark_stmt, "meta mark set ct mark (0x5)");
	pkt.ctmark_unknown = true;	/* a ct mark the model does not know */
	chain("unk", rule(252, ct(NFT_CT_MARK, NFT_REG_1), meta_set(NFT_META_MARK, NFT_REG_1), E_END), NULL);
	snprintf(base.name, sizeof(base.name), "unk");
	run();
	CHECK(res.mark_unknown);

	/* iptables-nft: -j MARK --set-mark 0x1, then --set-xmark 0x4000/0x4000 (or), then a match on 0x4001. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	pkt.mark = 0x30;
	chain("output", rule(255, counter(), xt_mark(0x1, 0xffffffff), E_END),
	      rule(256, xt_mark(0x4000, 0x4000), E_END),
	      rule(257, meta(NFT_META_MARK, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &m4001, 4), verdict(NF_DROP, NULL),
		   E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 257);
	CHECK_EQ_INT(res.mark, 0x4001);
	CHECK_STR(res.mark_stmt, "meta mark set meta mark | 0x4000 (0x4001)");
	/* Another x_tables target is still not evaluated. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	{
		struct nftnl_expr *tg = xt_mark(1, 0xffffffff);

		nftnl_expr_set_str(tg, NFTNL_EXPR_TG_NAME, "CONNMARK");
		chain("output", rule(258, tg, verdict(NF_DROP, NULL), E_END), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);

	/* Output: a filter chain that sets the mark does not route again; a route chain does. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(260, TCP_DPORT(NFT_CMP_EQ, 443), imm(NFT_REG_1, &one, 4),
			     meta_set(NFT_META_MARK, NFT_REG_1), E_END), NULL);
	pkt.dport = 443;
	run();
	CHECK_EQ_INT(res.mark, 1);
	CHECK_EQ_INT(res.reroute, false);
	snprintf(base.type, sizeof(base.type), "route");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.reroute, true);
	pkt.dport = 80;		/* the rule misses: nothing changed, no new lookup */
	run();
	CHECK_EQ_INT(res.reroute, false);
	pkt.dport = 443;
	pkt.mark = 1;		/* the mark it already had: the kernel compares, no new lookup */
	run();
	CHECK_EQ_INT(res.reroute, false);
	pkt.mark = 0;
	base.hooknum = pkt.hook = NF_INET_POST_ROUTING;	/* route chains only route again at output */
	run();
	CHECK_EQ_INT(res.reroute, false);
	/* A route chain whose mark becomes unknown: the new lookup is needed and cannot be asked. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	snprintf(base.type, sizeof(base.type), "route");
	chain("output", rule(261, TCP_SPORT(NFT_CMP_EQ, 1234), imm(NFT_REG_1, &one, 4),
			     meta_set(NFT_META_MARK, NFT_REG_1), E_END), NULL);
	run();
	CHECK(res.mark_unknown);
	CHECK_EQ_INT(res.reroute, true);

	/* nat at output: a dnat to another address routes again; one to the same address (a port) does not. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	snprintf(base.type, sizeof(base.type), "nat");
	addr(&a, "203.0.113.99");
	chain("output", rule(270, imm(NFT_REG_1, a.u.b, 4), dnat(NFPROTO_IPV4, NFT_REG_1, 0), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.reroute, true);
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	snprintf(base.type, sizeof(base.type), "nat");
	addr(&a, "203.0.113.2");
	chain("output", rule(271, imm(NFT_REG_1, a.u.b, 4), dnat(NFPROTO_IPV4, NFT_REG_1, 0), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.reroute, false);
	/* The same dnat in a filter-type chain is not one (nft refuses it; the model does not route again). */
	snprintf(base.type, sizeof(base.type), "filter");
	addr(&pkt.dst, "203.0.113.5");
	run();
	CHECK_EQ_INT(res.reroute, false);
}

/* The packet each hook sees, from the query and the collected facts. */
static void
test_pkt_for_hook(void)
{
	struct pc_query q;
	struct pc_facts f;
	struct pc_pkt p;

	memset(&q, 0, sizeof(q));
	memset(&f, 0, sizeof(f));
	q.direction = PC_EGRESS;
	q.family = AF_INET;
	addr(&q.dst, "203.0.113.2");
	q.proto = IPPROTO_TCP;
	q.has_dport = true;
	q.dport = 80;
	f.route.family = AF_INET;
	addr(&f.route.prefsrc, "198.51.100.10");
	snprintf(f.oif_link.name, sizeof(f.oif_link.name), "veth0");
	f.oif_link.ifindex = 7;

	pc_pkt_for_hook(&q, &f, NF_INET_LOCAL_OUT, &p);
	CHECK_EQ_INT(p.family, AF_INET);
	CHECK_EQ_INT(p.hook, NF_INET_LOCAL_OUT);
	CHECK(pp_addr_eq(&p.dst, &q.dst));
	CHECK(p.src_known);
	CHECK(pp_addr_eq(&p.src, &f.route.prefsrc));	/* the route's preferred source */
	CHECK_EQ_INT(p.l4proto, IPPROTO_TCP);
	CHECK(p.dport_known);
	CHECK_EQ_INT(p.dport, 80);
	CHECK(!p.sport_known);				/* an ephemeral port: not known */
	CHECK(!p.uid_known);
	CHECK_STR(p.iifname, "");			/* locally generated: no input device */
	CHECK_STR(p.oifname, "veth0");
	CHECK_EQ_INT(p.oif, 7);
	CHECK_EQ_INT(p.ct_state, 8);			/* new */

	pc_pkt_for_hook(&q, &f, NF_INET_POST_ROUTING, &p);
	CHECK_STR(p.iifname, "");
	CHECK_STR(p.oifname, "veth0");

	/* --from, --sport, --uid, --mark given. */
	addr(&q.src, "198.51.100.11");
	q.has_sport = true;
	q.sport = 4000;
	q.has_uid = true;
	q.uid = 1000;
	q.has_mark = true;
	q.mark = 0x10;
	pc_pkt_for_hook(&q, &f, NF_INET_LOCAL_OUT, &p);
	CHECK(pp_addr_eq(&p.src, &q.src));
	CHECK(p.sport_known);
	CHECK_EQ_INT(p.sport, 4000);
	CHECK(p.uid_known);
	CHECK_EQ_INT(p.uid, 1000);
	CHECK_EQ_INT(p.mark, 0x10);

	/* No route: no output device, no source from it. */
	memset(&q.src, 0, sizeof(q.src));
	f.route_rc = -ENETUNREACH;
	pc_pkt_for_hook(&q, &f, NF_INET_LOCAL_OUT, &p);
	CHECK(!p.src_known);
	CHECK_STR(p.oifname, "");
	CHECK_EQ_INT(p.oif, 0);

	/* Arriving: the input device on every hook; after prerouting, the DNAT'ed destination. */
	{
		struct pc_query in = q;

		in.direction = PC_FORWARD;
		in.proto = IPPROTO_TCP;
		in.has_dport = true;
		in.dport = 80;
		addr(&in.src, "198.51.100.2");
		snprintf(in.iif, sizeof(in.iif), "veth0");
		in.iif_index = 5;
		f.route_rc = 0;
		f.eq = in;
		addr(&f.eq.dst, "203.0.113.20");
		f.eq.dport = 8080;
		f.dnat = true;
		pc_pkt_for_hook(&in, &f, NF_INET_PRE_ROUTING, &p);
		CHECK_STR(p.iifname, "veth0");
		CHECK_EQ_INT(p.iif, 5);
		CHECK_STR(p.oifname, "");	/* not routed yet */
		CHECK(pp_addr_eq(&p.dst, &in.dst));
		CHECK_EQ_INT(p.dport, 80);
		CHECK(pp_addr_eq(&p.src, &in.src));
		pc_pkt_for_hook(&in, &f, NF_INET_FORWARD, &p);
		CHECK_STR(p.iifname, "veth0");
		CHECK_STR(p.oifname, "veth0");	/* f.oif_link */
		CHECK(pp_addr_eq(&p.dst, &f.eq.dst));
		CHECK_EQ_INT(p.dport, 8080);
		pc_pkt_for_hook(&in, &f, NF_INET_POST_ROUTING, &p);
		CHECK(pp_addr_eq(&p.dst, &f.eq.dst));
		f.dnat = false;
		memset(&f.eq, 0, sizeof(f.eq));
		memset(&q.src, 0, sizeof(q.src));
	}

	/* ICMP has no ports: nothing unknown about them. */
	f.route_rc = 0;
	q.proto = IPPROTO_ICMP;
	q.has_dport = q.has_sport = false;
	pc_pkt_for_hook(&q, &f, NF_INET_LOCAL_OUT, &p);
	CHECK(p.sport_known && p.dport_known);
}

static void
test_wildcard_queue_masq(void)
{
	/* oifname "vet*": nft compares the prefix only (no NUL in the data). */
	setup(NFPROTO_IPV4, NF_INET_POST_ROUTING, NF_ACCEPT);
	chain("postrouting", rule(140, meta(NFT_META_OIFNAME, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, "vet", 3),
				  verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 140);
	snprintf(pkt.oifname, sizeof(pkt.oifname), "eth0");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* queue: a userspace program decides. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(141, TCP_DPORT(NFT_CMP_EQ, 80), verdict(NF_QUEUE, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "queue"));
	CHECK_EQ_INT(res.handle, 141);

	/* masquerade on postrouting: accepted, and the nat is said. */
	setup(NFPROTO_IPV4, NF_INET_POST_ROUTING, NF_ACCEPT);
	snprintf(base.type, sizeof(base.type), "nat");
	chain("postrouting", rule(142, meta(NFT_META_OIFNAME, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, "veth0", 6),
				  nftnl_expr_alloc("masq"), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_STR(res.nat, "masquerade");
	CHECK_STR(res.text, "oifname \"veth0\" masquerade");

	/* A rule with no verdict at all (counter only): the path goes on to the policy. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_DROP);
	chain("output", rule(143, TCP_DPORT(NFT_CMP_EQ, 80), counter(), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.policy, NF_DROP);
	CHECK_EQ_INT(res.rules_seen, 1);

	/* An empty base chain. */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_DROP);
	chain("output", NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.rules_seen, 0);
}

/* n rules "limit rate over 10/second drop" (undecidable, with a verdict), then the policy. */
static void
many_unknown(size_t n, uint32_t policy)
{
	struct nftnl_rule **rules = calloc(n, sizeof(*rules));

	if (!rules)
		abort();
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, policy);
	for (size_t i = 0; i < n; i++)
		rules[i] = rule(1000 + i, limit(), verdict(NF_DROP, NULL), E_END);
	CHECK_EQ_INT(pc_nft_cache_add_chain(&cache, base.family, base.table, "output", rules, n), 0);
}

static void
test_many_unknown(void)
{
	/* A few, then a drop policy: dropped whichever way each limit goes. */
	many_unknown(10, NF_DROP);
	run();
	CHECK(res.verdict == PC_NFT_POLICY && res.policy == NF_DROP);

	/* An accept policy: undecided, pinned on the first. */
	many_unknown(10, NF_ACCEPT);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK_EQ_INT(res.handle, 1000);

	/* Thousands: the look-ahead is bounded (this overflowed the stack), the answer unknown. */
	many_unknown(5000, NF_ACCEPT);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK_EQ_INT(res.handle, 1000);
	CHECK(has(res.why, "rule handle 1000 in chain output"));
	many_unknown(5000, NF_DROP);
	run();
	CHECK(res.verdict == PC_NFT_UNKNOWN || (res.verdict == PC_NFT_POLICY && res.policy == NF_DROP));
}

/* An anonymous set of keys of klen bytes from a byte array, with flags per element. */
static void
anon_set(const char *name, uint32_t setflags, uint32_t klen, const void *keys, const uint32_t *eflags,
	 const int32_t *verdicts, size_t n)
{
	struct pp_nft_set s;

	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "%s", name);
	s.key_len = klen;
	s.flags = setflags | NFT_SET_ANONYMOUS | NFT_SET_CONSTANT;
	for (size_t i = 0; i < n; i++) {
		struct pp_nft_elem *el = elem(&s);

		memcpy(el->key, (const uint8_t *)keys + i * klen, klen);
		el->key_len = klen;
		el->flags = eflags ? eflags[i] : 0;
		if (verdicts) {
			el->has_verdict = true;
			el->verdict = verdicts[i];
		}
	}
	add_set(&s);
}

/*
 * A realistic inet output chain, exactly as nft 1.0.6 emits it (nft --debug=netlink):
 *   policy drop;
 *   ct state vmap { established : accept, related : accept, invalid : drop }		# 1
 *   ip saddr { 198.51.100.0/24, 203.0.113.0/28 } drop					# 2
 *   tcp flags syn / fin,syn,rst,ack tcp dport != { 22, 80 } drop			# 3
 *   meta l4proto { tcp, udp } th dport 53 accept					# 4
 *   ip daddr . tcp dport { 203.0.113.2 . 80 } accept					# 5
 *   oif "lo" accept									# 6
 *   ip daddr 203.0.113.0/25 accept							# 9
 */
static void
inet_chain(void)
{
	static const uint32_t ctkeys[3] = { 2, 4, 1 };
	static const int32_t ctv[3] = { NF_ACCEPT, NF_ACCEPT, NF_DROP };
	static const uint8_t nets[5][4] = { { 0, 0, 0, 0 }, { 198, 51, 100, 0 }, { 198, 51, 101, 0 },
					     { 203, 0, 113, 0 }, { 203, 0, 113, 16 } };
	static const uint32_t netf[5] = { NFT_SET_ELEM_INTERVAL_END, 0, NFT_SET_ELEM_INTERVAL_END, 0,
					  NFT_SET_ELEM_INTERVAL_END };
	static const uint8_t ports[2][2] = { { 0, 22 }, { 0, 80 } };
	static const uint8_t protos[2] = { IPPROTO_TCP, IPPROTO_UDP };
	static const uint8_t svc[1][8] = { { 203, 0, 113, 2, 0, 80, 0, 0 } };
	static const uint8_t m17 = 0x17, z1 = 0, syn = 0x02, v4 = NFPROTO_IPV4;
	static const uint8_t m25[4] = { 0xff, 0xff, 0xff, 0x80 }, z4[4] = { 0 };
	uint32_t lo = 1;

	setup(NFPROTO_INET, NF_INET_LOCAL_OUT, NF_DROP);
	addr(&pkt.src, "203.0.113.100");
	anon_set("__map0", NFT_SET_MAP, 4, ctkeys, NULL, ctv, 3);
	anon_set("__set0", NFT_SET_INTERVAL, 4, nets, netf, NULL, 5);
	anon_set("__set1", 0, 2, ports, NULL, NULL, 2);
	anon_set("__set2", 0, 1, protos, NULL, NULL, 2);
	anon_set("__set3", NFT_SET_CONCAT, 8, svc, NULL, NULL, 1);
	chain("output",
	      rule(1, ct(NFT_CT_STATE, NFT_REG_1), lookup("__map0", 0, true), E_END),
	      rule(2, meta(NFT_META_NFPROTO, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &v4, 1),
		   payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1), lookup("__set0", 0, false),
		   verdict(NF_DROP, NULL), E_END),
	      rule(3, L4PROTO(IPPROTO_TCP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 13, 1, NFT_REG_1),
		   bitwise(NFT_REG_1, &m17, &z1, 1), cmp(NFT_REG_1, NFT_CMP_EQ, &syn, 1),
		   payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1), lookup("__set1", NFT_LOOKUP_F_INV, false),
		   verdict(NF_DROP, NULL), E_END),
	      rule(4, meta(NFT_META_L4PROTO, NFT_REG_1), lookup("__set2", 0, false),
		   payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1), cmp16(NFT_CMP_EQ, 53),
		   verdict(NF_ACCEPT, NULL), E_END),
	      rule(5, meta(NFT_META_NFPROTO, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &v4, 1), L4PROTO(IPPROTO_TCP),
		   payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1),
		   payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_01), lookup("__set3", 0, false),
		   verdict(NF_ACCEPT, NULL), E_END),
	      rule(6, meta(NFT_META_OIF, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &lo, 4), verdict(NF_ACCEPT, NULL), E_END),
	      rule(9, meta(NFT_META_NFPROTO, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &v4, 1),
		   payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1), bitwise(NFT_REG_1, m25, z4, 4),
		   cmp_addr(NFT_CMP_EQ, "203.0.113.0"), verdict(NF_ACCEPT, NULL), E_END),
	      NULL);
}

static void
test_realistic_inet(void)
{
	/* tcp to 203.0.113.2:80: the concatenation accepts it. */
	inet_chain();
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 5);
	CHECK_EQ_INT(res.rules_seen, 5);
	CHECK_STR(res.text, "ip daddr . tcp dport { 203.0.113.2 . 80 } accept");

	/* :443: a SYN to a port not in { 22, 80 }. */
	pkt.dport = 443;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 3);
	CHECK(has(res.text, "tcp dport != { 22, 80 } drop"));

	/* udp to :53. */
	pkt.l4proto = IPPROTO_UDP;
	pkt.dport = 53;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 4);

	/* A source in the interval set. */
	addr(&pkt.src, "198.51.100.10");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 2);
	CHECK_STR(res.text, "ip saddr { 198.51.100.0/24, 203.0.113.0/28 } drop");
	addr(&pkt.src, "203.0.113.15");
	run();
	CHECK_EQ_INT(res.handle, 2);
	addr(&pkt.src, "203.0.113.16");
	run();
	CHECK_EQ_INT(res.handle, 4);

	/* udp :5000 to the /25: accepted by rule 9; to the upper half: the drop policy. */
	pkt.dport = 5000;
	addr(&pkt.dst, "203.0.113.50");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 9);
	addr(&pkt.dst, "203.0.113.200");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(res.policy, NF_DROP);
	CHECK_EQ_INT(res.rules_seen, 7);

	/* An established packet: the ct state map accepts it first. */
	pkt.ct_state = 2;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 1);
	CHECK(has(res.text, "ct state vmap { established : accept, related : accept, invalid : drop }"));

	/* IPv6 through the same chain: the ipv4 rules fall away, the tcp one still applies. */
	inet_chain();
	pkt.family = AF_INET6;
	addr(&pkt.src, "2001:db8::10");
	addr(&pkt.dst, "2001:db8::2");
	pkt.dport = 443;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 3);
	pkt.dport = 80;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
}

/* An x_tables match or target as iptables-nft writes it; libnftnl keeps (and frees) info. */
static struct nftnl_expr *
xt(const char *kind, const char *name, uint32_t rev, const void *info, size_t len)
{
	struct nftnl_expr *e = nftnl_expr_alloc(kind);
	size_t alen = (len + 7) & ~(size_t)7;	/* XT_ALIGN, as iptables sends it */
	void *copy = calloc(1, alen);
	bool mt = strcmp(kind, "match") == 0;

	if (!copy)
		abort();
	memcpy(copy, info, len);
	nftnl_expr_set_str(e, mt ? NFTNL_EXPR_MT_NAME : NFTNL_EXPR_TG_NAME, name);
	nftnl_expr_set_u32(e, mt ? NFTNL_EXPR_MT_REV : NFTNL_EXPR_TG_REV, rev);
	nftnl_expr_set(e, mt ? NFTNL_EXPR_MT_INFO : NFTNL_EXPR_TG_INFO, copy, (uint32_t)alen);
	return e;
}

static struct nftnl_expr *
fib(uint32_t flags, uint32_t result, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("fib");

	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, flags);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, result);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, dreg);
	return e;
}

/*
 * Docker's nat PREROUTING as iptables-nft writes it: -m addrtype --dst-type LOCAL -j DOCKER,
 * and the DOCKER chain's -j DNAT; the types come from the glue (the local table).
 */
static void
test_xtables(void)
{
	struct xt_addrtype_info_v1 at = { .dest = XT_ADDRTYPE_LOCAL };
	struct nf_nat_range2 nr = { .flags = NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED };
	uint32_t reject_with = 3;	/* IPT_ICMP_PORT_UNREACHABLE */

	inet_pton(AF_INET, "203.0.113.2", &nr.min_addr.ip);
	nr.max_addr = nr.min_addr;
	nr.min_proto.tcp.port = nr.max_proto.tcp.port = htons(80);

	setup(NFPROTO_IPV4, NF_INET_PRE_ROUTING, NF_ACCEPT);
	snprintf(base.type, sizeof(base.type), "nat");
	snprintf(base.name, sizeof(base.name), "PREROUTING");
	pkt.dport = 8080;
	chain("PREROUTING", rule(1, xt("match", "addrtype", 1, &at, sizeof(at)), verdict(NFT_JUMP, "DOCKER"), E_END), NULL);
	chain("DOCKER", rule(2, TCP_DPORT(NFT_CMP_EQ, 8080), xt("target", "DNAT", 2, &nr, sizeof(nr)), E_END), NULL);
	/* no types known (the local table could not be read): unknown, never a silent skip */
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "addrtype"));
	/* the destination is local: the jump is taken and the DNAT applies */
	setup(NFPROTO_IPV4, NF_INET_PRE_ROUTING, NF_ACCEPT);
	snprintf(base.type, sizeof(base.type), "nat");
	snprintf(base.name, sizeof(base.name), "PREROUTING");
	pkt.dport = 8080;
	pkt.addrtype_known = true;
	pkt.src_type = 1u << RTN_UNICAST;
	pkt.dst_type = 1u << RTN_LOCAL;
	chain("PREROUTING", rule(1, xt("match", "addrtype", 1, &at, sizeof(at)), verdict(NFT_JUMP, "DOCKER"), E_END), NULL);
	chain("DOCKER", rule(2, TCP_DPORT(NFT_CMP_EQ, 8080), xt("target", "DNAT", 2, &nr, sizeof(nr)), E_END), NULL);
	run();
	if (res.verdict != PC_NFT_ACCEPT)
		printf("# why: %s\n", res.why);
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 2);
	CHECK(res.dnat);
	CHECK_EQ_INT(res.nat_port, 80);
	CHECK(has(res.nat, "-j DNAT --to-destination 203.0.113.2:80"));
	/* not local: no jump, policy */
	pkt.dst_type = 1u << RTN_UNICAST;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK(!res.dnat);

	/* -j REJECT: a drop with the answer */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(3, TCP_DPORT(NFT_CMP_EQ, 80), xt("target", "REJECT", 0, &reject_with, sizeof(reject_with)), E_END), NULL);
	run();
	if (res.verdict != PC_NFT_DROP)
		printf("# why: %s\n", res.why);
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK(res.reject);
	CHECK(has(res.text, "-j REJECT"));
	/* an extension the decoder does not know: unknown, named */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(4, xt("match", "ttl", 0, &reject_with, 2), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "ttl"));
	/* a truncated blob (3 of 8 bytes): unknown, never read past it */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	{
		struct nftnl_expr *cut = xt("match", "addrtype", 1, &at, sizeof(at));
		uint32_t l = 0;
		void *b = malloc(3);

		if (!b)
			abort();
		memcpy(b, nftnl_expr_get(cut, NFTNL_EXPR_MT_INFO, &l), 3);
		nftnl_expr_set(cut, NFTNL_EXPR_MT_INFO, b, 3);
		chain("output", rule(5, cut, verdict(NF_DROP, NULL), E_END), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
}

/* fib daddr type local (Docker's nftables backend): from the same types; with ". iif" not computed. */
static void
test_fib(void)
{
	uint32_t local = RTN_LOCAL;

	setup(NFPROTO_IPV4, NF_INET_PRE_ROUTING, NF_ACCEPT);
	pkt.addrtype_known = true;
	pkt.src_type = 1u << RTN_UNICAST;
	pkt.dst_type = 1u << RTN_LOCAL;
	chain("output", rule(6, fib(NFTA_FIB_F_DADDR, NFT_FIB_RESULT_ADDRTYPE, NFT_REG_1),
			     cmp(NFT_REG_1, NFT_CMP_EQ, &local, 4), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(res.handle, 6);
	pkt.dst_type = 1u << RTN_UNICAST;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	pkt.addrtype_known = false;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	setup(NFPROTO_IPV4, NF_INET_PRE_ROUTING, NF_ACCEPT);
	pkt.addrtype_known = true;
	pkt.dst_type = 1u << RTN_LOCAL;
	chain("output", rule(7, fib(NFTA_FIB_F_DADDR | NFTA_FIB_F_IIF, NFT_FIB_RESULT_ADDRTYPE, NFT_REG_1),
			     cmp(NFT_REG_1, NFT_CMP_EQ, &local, 4), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
}

static struct nftnl_expr *
numgen(uint32_t mod, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("numgen");

	nftnl_expr_set_u32(e, NFTNL_EXPR_NG_DREG, dreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NG_MODULUS, mod);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NG_TYPE, NFT_NG_RANDOM);
	return e;
}

/*
 * kube-proxy's "numgen random mod 2 vmap { 0 : drop, 1 : accept }" shape, reduced to a
 * compare: without choices the value is not known; with them each pick is one branch,
 * the choice point recorded once even when the rule is met again.
 */
static void
test_numgen_choice(void)
{
	struct pc_choices ch;
	uint32_t one = 1;

	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	chain("output", rule(8, numgen(2, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &one, 4), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	memset(&ch, 0, sizeof(ch));
	pkt.choices = &ch;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);	/* option 0 taken: no match */
	CHECK_EQ_INT(ch.nseen, 1);
	CHECK_EQ_INT(ch.seen[0].options, 2);
	CHECK_STR(ch.seen[0].what, "numgen random mod 2");
	run();						/* the same rule again: no new choice point */
	CHECK_EQ_INT(ch.nseen, 1);
	memset(&ch, 0, sizeof(ch));
	ch.pick[0] = 1;
	ch.npick = 1;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(ch.seen[0].taken, 1);
	/* wider than followed: not known, and said */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	memset(&ch, 0, sizeof(ch));
	pkt.choices = &ch;
	chain("output", rule(9, numgen(PC_CHOICE_OPTIONS_MAX + 1, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &one, 4),
			     verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(ch.overflow);
	pkt.choices = NULL;
}


/*
 * SCTP (132): its ports are where tcp's and udp's are. kube-proxy's dispatch, "ip daddr .
 * meta l4proto . th dport vmap @service-ips", sends an SCTP packet to its own service
 * chain and DNAT (not the TCP one on the same port); sctp dport and -m sctp --dport
 * match; a chunk (sctp chunk, -m sctp --chunk-types) is not modelled: unknown.
 */
static void
test_sctp(void)
{
	struct pp_nft_set s;
	struct pp_nft_elem *el;
	struct pp_addr a, ep;
	uint16_t p53 = htons(53), p5353 = htons(5353);

	setup(NFPROTO_IPV4, NF_INET_PRE_ROUTING, NF_ACCEPT);
	snprintf(base.type, sizeof(base.type), "nat");
	snprintf(base.name, sizeof(base.name), "nat-prerouting");
	pkt.l4proto = IPPROTO_SCTP;
	pkt.dport = 53;
	addr(&pkt.dst, "198.51.100.106");
	memset(&s, 0, sizeof(s));
	snprintf(s.name, sizeof(s.name), "service-ips");
	s.key_len = 12;
	s.flags = NFT_SET_MAP | NFT_SET_CONCAT;
	s.data_type = NFT_DATA_VERDICT;
	addr(&a, "198.51.100.106");
	for (int i = 0; i < 2; i++) {
		el = elem(&s);
		memcpy(el->key, a.u.b, 4);
		el->key[4] = i ? IPPROTO_SCTP : IPPROTO_TCP;
		memcpy(el->key + 8, &p53, 2);
		el->key_len = 12;
		el->has_verdict = true;
		el->verdict = NFT_GOTO;
		snprintf(el->chain, sizeof(el->chain), "%s", i ? "svc-sctp" : "svc-tcp");
	}
	add_set(&s);
	addr(&ep, "198.51.100.11");
	chain("nat-prerouting", rule(1, payload(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1),
				     meta(NFT_META_L4PROTO, NFT_REG32_01),
				     payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG32_02),
				     lookup("service-ips", 0, true), E_END), NULL);
	chain("svc-sctp", rule(2, L4PROTO(IPPROTO_SCTP), imm(NFT_REG_1, ep.u.b, 4), imm(NFT_REG_2, &p53, 2),
			       dnat(NFPROTO_IPV4, NFT_REG_1, NFT_REG_2), E_END), NULL);
	chain("svc-tcp", rule(3, L4PROTO(IPPROTO_TCP), imm(NFT_REG_1, ep.u.b, 4), imm(NFT_REG_2, &p5353, 2),
			      dnat(NFPROTO_IPV4, NFT_REG_1, NFT_REG_2), E_END), NULL);
	run();
	if (res.verdict != PC_NFT_ACCEPT)
		printf("# why: %s\n", res.why);
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_EQ_INT(res.handle, 2);
	CHECK_STR(res.nat, "dnat to 198.51.100.11:53");
	CHECK_STR(res.text, "meta l4proto sctp dnat to 198.51.100.11:53");
	CHECK_EQ_INT(res.nat_port, 53);
	/* the same port over TCP: the TCP service's chain */
	pkt.l4proto = IPPROTO_TCP;
	run();
	CHECK_EQ_INT(res.handle, 3);
	CHECK_STR(res.nat, "dnat to 198.51.100.11:5353");
	/* UDP: in neither element */
	pkt.l4proto = IPPROTO_UDP;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	/* SCTP without a port: the lookup cannot be decided */
	pkt.l4proto = IPPROTO_SCTP;
	pkt.dport_known = false;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);

	/* sctp dport 53 drop */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	pkt.l4proto = IPPROTO_SCTP;
	pkt.dport = 53;
	chain("output", rule(4, L4PROTO(IPPROTO_SCTP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1),
			     cmp16(NFT_CMP_EQ, 53), verdict(NF_DROP, NULL), E_END), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_STR(res.text, "sctp dport 53 drop");
	pkt.dport = 54;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	/* the verification tag (th offset 4) is not known */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	pkt.l4proto = IPPROTO_SCTP;
	{
		uint32_t zero = 0;

		chain("output", rule(5, L4PROTO(IPPROTO_SCTP), payload(NFT_PAYLOAD_TRANSPORT_HEADER, 4, 4, NFT_REG_1),
				     cmp(NFT_REG_1, NFT_CMP_EQ, &zero, 4), verdict(NF_DROP, NULL), E_END), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);

	/* sctp chunk init exists drop: the chunks are not modelled */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	pkt.l4proto = IPPROTO_SCTP;
	{
		struct nftnl_expr *x = nftnl_expr_alloc("exthdr");
		uint8_t one = 1;

		nftnl_expr_set_u32(x, NFTNL_EXPR_EXTHDR_DREG, NFT_REG_1);
		nftnl_expr_set_u8(x, NFTNL_EXPR_EXTHDR_TYPE, 1);
		nftnl_expr_set_u32(x, NFTNL_EXPR_EXTHDR_OFFSET, 0);
		nftnl_expr_set_u32(x, NFTNL_EXPR_EXTHDR_LEN, 1);
		nftnl_expr_set_u32(x, NFTNL_EXPR_EXTHDR_FLAGS, NFT_EXTHDR_F_PRESENT);
		nftnl_expr_set_u32(x, NFTNL_EXPR_EXTHDR_OP, NFT_EXTHDR_OP_SCTP);
		chain("output", rule(6, L4PROTO(IPPROTO_SCTP), x, cmp(NFT_REG_1, NFT_CMP_EQ, &one, 1),
				     verdict(NF_DROP, NULL), E_END), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "SCTP chunks are not known"));
	/*
	 * tcp option maxseg exists drop: the load writes the register the l4proto dependency
	 * used; the cmp must not read that stale 6 and call the rule a miss.
	 */
	setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
	{
		struct nftnl_expr *x = nftnl_expr_alloc("exthdr");
		uint8_t one = 1;

		nftnl_expr_set_u32(x, NFTNL_EXPR_EXTHDR_DREG, NFT_REG_1);
		nftnl_expr_set_u8(x, NFTNL_EXPR_EXTHDR_TYPE, 2);
		nftnl_expr_set_u32(x, NFTNL_EXPR_EXTHDR_OFFSET, 0);
		nftnl_expr_set_u32(x, NFTNL_EXPR_EXTHDR_LEN, 1);
		nftnl_expr_set_u32(x, NFTNL_EXPR_EXTHDR_FLAGS, NFT_EXTHDR_F_PRESENT);
		nftnl_expr_set_u32(x, NFTNL_EXPR_EXTHDR_OP, NFT_EXTHDR_OP_TCPOPT);
		chain("output", rule(10, L4PROTO(IPPROTO_TCP), x, cmp(NFT_REG_1, NFT_CMP_EQ, &one, 1),
				     verdict(NF_DROP, NULL), E_END), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "exthdr"));

	/* iptables-nft: -p sctp -m sctp --dport 53 -j DROP; --chunk-types: unknown */
	{
		struct xt_sctp_info si;

		memset(&si, 0, sizeof(si));
		si.spts[1] = si.dpts[1] = 0xffff;
		si.dpts[0] = si.dpts[1] = 53;
		si.flags = XT_SCTP_DEST_PORTS;
		setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
		pkt.l4proto = IPPROTO_SCTP;
		pkt.dport = 53;
		chain("output", rule(7, L4PROTO(IPPROTO_SCTP), xt("match", "sctp", 0, &si, sizeof(si)),
				     verdict(NF_DROP, NULL), E_END), NULL);
		run();
		if (res.verdict != PC_NFT_DROP)
			printf("# why: %s\n", res.why);
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
		CHECK(has(res.text, "-m sctp --dport 53"));
		pkt.dport = 80;
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
		/* inverted: ! --dport 53 */
		si.invflags = XT_SCTP_DEST_PORTS;
		setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
		pkt.l4proto = IPPROTO_SCTP;
		pkt.dport = 80;
		chain("output", rule(8, xt("match", "sctp", 0, &si, sizeof(si)), verdict(NF_DROP, NULL), E_END), NULL);
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
		CHECK(has(res.text, "-m sctp ! --dport 53"));
		/* a TCP packet never matches -m sctp */
		pkt.l4proto = IPPROTO_TCP;
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
		/* --chunk-types any INIT: the chunks are not known */
		si.invflags = 0;
		si.dpts[0] = 0;
		si.dpts[1] = 0xffff;
		si.flags = XT_SCTP_CHUNK_TYPES;
		si.chunk_match_type = SCTP_CHUNK_MATCH_ANY;
		si.chunkmap[0] = 1u << 1;
		setup(NFPROTO_IPV4, NF_INET_LOCAL_OUT, NF_ACCEPT);
		pkt.l4proto = IPPROTO_SCTP;
		chain("output", rule(9, xt("match", "sctp", 0, &si, sizeof(si)), verdict(NF_DROP, NULL), E_END), NULL);
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
		CHECK(has(res.why, "--chunk-types"));
		CHECK(has(res.text, "-m sctp --chunk-types any INIT"));
	}
}

int
main(void)
{
	RUN(test_daddr);
	RUN(test_prefix);
	RUN(test_port_range_l4proto);
	RUN(test_ifname);
	RUN(test_ct_state);
	RUN(test_sets);
	RUN(test_vmap);
	RUN(test_jump_goto);
	RUN(test_unknown);
	RUN(test_reject);
	RUN(test_dnat);
	RUN(test_ipv6);
	RUN(test_inet);
	RUN(test_concat_anon);
	RUN(test_meta_misc);
	RUN(test_mark_set);
	RUN(test_pkt_for_hook);
	RUN(test_wildcard_queue_masq);
	RUN(test_many_unknown);
	RUN(test_realistic_inet);
	RUN(test_xtables);
	RUN(test_fib);
	RUN(test_numgen_choice);
	RUN(test_sctp);
	pc_nft_cache_free(&cache);
	return tap_done();
}
