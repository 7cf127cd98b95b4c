/*
 * test_pathcheck_nftvm: the nft VM (cmd/pathcheck/nftvm.c) against every expression
 * libnftnl knows, and against the shapes it must not guess at. Every expression name
 * is either one the VM evaluates (its table of operations) or makes its rule unknown,
 * the expression named; a register read before anything wrote it, a key, base or
 * verdict the VM does not know, a statement that changes what later rules see: unknown,
 * never a silent accept.
 *
 * The names are not a list kept here: they are every string in libnftnl's shared object
 * that nftnl_expr_alloc() accepts (libnftnl looks a name up in its expr_ops table, so
 * that is exactly the set it can decode). The list of libnftnl 1.2.4's src/expr_ops.c
 * below is only a floor, to show the scan finds what it must.
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_statistic.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "../../cmd/pathcheck/nftvm.h"
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
setup(uint32_t policy)
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
	base.policy = policy;

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
	pkt.ct_state = 8;	/* new */
}

/* The base chain "output" holding one rule of the given expressions (NULL-terminated). */
static void
one_rule(struct nftnl_expr *first, ...)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_rule **rules = malloc(sizeof(*rules));
	struct nftnl_expr *e;
	va_list ap;

	if (!r || !rules)
		abort();
	nftnl_rule_set_u32(r, NFTNL_RULE_FAMILY, base.family);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, base.table);
	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 5);
	va_start(ap, first);
	for (e = first; e; e = va_arg(ap, struct nftnl_expr *))
		nftnl_rule_add_expr(r, e);
	va_end(ap);
	rules[0] = r;
	CHECK_EQ_INT(pc_nft_cache_add_chain(&cache, base.family, base.table, "output", rules, 1), 0);
}

static void
run(void)
{
	memset(&res, 0xa5, sizeof(res));
	CHECK_EQ_INT(pc_nftvm_eval_base(&cache, NULL, &base, &pkt, &res), 0);
	res.why[sizeof(res.why) - 1] = '\0';
	res.text[sizeof(res.text) - 1] = '\0';
}

/* ---- expressions ---- */

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

/* A payload write (ip daddr set ...): the value in sreg written at base/off. */
static struct nftnl_expr *
payload_set(uint32_t b, uint32_t off, uint32_t len, uint32_t sreg)
{
	struct nftnl_expr *e = ex("payload");

	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_BASE, b);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET, off);
	nftnl_expr_set_u32(e, NFTNL_EXPR_PAYLOAD_LEN, len);
	return e;
}

static struct nftnl_expr *
cmp(uint32_t sreg, uint32_t op, const void *data, uint32_t len)
{
	struct nftnl_expr *e = ex("cmp");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_SREG, sreg);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CMP_OP, op);
	nftnl_expr_set(e, NFTNL_EXPR_CMP_DATA, data, len);
	return e;
}

static struct nftnl_expr *
imm(uint32_t dreg, const void *data, uint32_t len)
{
	struct nftnl_expr *e = ex("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, dreg);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, data, len);
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
meta_load(uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = ex("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_DREG, dreg);
	return e;
}

static struct nftnl_expr *
meta_store(uint32_t key, uint32_t sreg)
{
	struct nftnl_expr *e = ex("meta");

	nftnl_expr_set_u32(e, NFTNL_EXPR_META_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_META_SREG, sreg);
	return e;
}

static struct nftnl_expr *
ct_load(uint32_t key, uint32_t dreg)
{
	struct nftnl_expr *e = ex("ct");

	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_KEY, key);
	nftnl_expr_set_u32(e, NFTNL_EXPR_CT_DREG, dreg);
	return e;
}

static struct nftnl_expr *
nat(uint32_t type, uint32_t amin, uint32_t amax, uint32_t pmin, uint32_t pmax)
{
	struct nftnl_expr *e = ex("nat");

	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_TYPE, type);
	nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV4);
	if (amin)
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN, amin);
	if (amax)
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MAX, amax);
	if (pmin)
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN, pmin);
	if (pmax)
		nftnl_expr_set_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MAX, pmax);
	return e;
}

static struct nftnl_expr *
addr4(uint32_t dreg, const char *a)
{
	uint8_t b[4];

	inet_pton(AF_INET, a, b);
	return imm(dreg, b, 4);
}

static struct nftnl_expr *
port(uint32_t dreg, uint16_t p)
{
	uint16_t v = htons(p);

	return imm(dreg, &v, 2);
}

static struct nftnl_expr *
objref(uint32_t type, const char *name)
{
	struct nftnl_expr *e = ex("objref");

	nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE, type);
	nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_IMM_NAME, name);
	return e;
}

/* add @meter { ip saddr <inner> }: a dynset keyed by reg 1, with inner attached (or none). */
static struct nftnl_expr *
dynset(struct nftnl_expr *inner, uint32_t flags)
{
	struct nftnl_expr *e = ex("dynset");

	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SREG_KEY, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_OP, NFT_DYNSET_OP_ADD);
	nftnl_expr_set_str(e, NFTNL_EXPR_DYNSET_SET_NAME, "meter");
	nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_SET_ID, 1);
	if (flags)
		nftnl_expr_set_u32(e, NFTNL_EXPR_DYNSET_FLAGS, flags);
	if (inner)
		nftnl_expr_add_expr(e, NFTNL_EXPR_DYNSET_EXPRESSIONS, inner);
	return e;
}

static struct nftnl_expr *
limit_over(void)
{
	struct nftnl_expr *e = ex("limit");

	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_RATE, 10);
	nftnl_expr_set_u64(e, NFTNL_EXPR_LIMIT_UNIT, 1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_TYPE, NFT_LIMIT_PKTS);
	nftnl_expr_set_u32(e, NFTNL_EXPR_LIMIT_FLAGS, NFT_LIMIT_F_INV);
	return e;
}

/* ip saddr into reg 1 */
#define SADDR() payload(NFT_PAYLOAD_NETWORK_HEADER, 12, 4, NFT_REG_1)

/* ---- every expression libnftnl knows ---- */

/* libnftnl 1.2.4, src/expr_ops.c: the floor the scan must reach. */
static const char *const floor_names[] = {
	"bitwise", "byteorder", "cmp", "connlimit", "counter", "ct", "dup", "exthdr", "fwd",
	"immediate", "last", "limit", "log", "lookup", "masq", "match", "meta", "numgen", "nat",
	"tproxy", "notrack", "payload", "range", "redir", "reject", "rt", "queue", "quota",
	"target", "dynset", "hash", "fib", "objref", "flow_offload", "socket", "synproxy",
	"tunnel", "osf", "xfrm", "inner",
};

#define MAX_NAMES 128
static char names[MAX_NAMES][24];
static size_t nnames;

static bool
known_name(const char *n)
{
	for (size_t i = 0; i < nnames; i++)
		if (strcmp(names[i], n) == 0)
			return true;
	return false;
}

/* Every NUL-terminated [a-z0-9_] string in libnftnl's object that nftnl_expr_alloc() takes. */
static int
scan_libnftnl(void)
{
	Dl_info info;
	FILE *f;
	char cur[24];
	size_t len = 0;
	int c;

	if (!dladdr((void *)nftnl_expr_alloc, &info) || !info.dli_fname)
		return -ENOENT;
	f = fopen(info.dli_fname, "rb");
	if (!f)
		return -errno;
	printf("# scanning %s\n", info.dli_fname);
	while ((c = fgetc(f)) != EOF) {
		if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_') {
			if (len < sizeof(cur) - 1)
				cur[len++] = (char)c;
			else
				len = sizeof(cur);	/* too long to be a name */
			continue;
		}
		/* The linker merges a string into the tail of a longer one ("ct" ends "objref_ct"): every suffix. */
		if (c == 0 && len >= 2 && len < sizeof(cur)) {
			cur[len] = '\0';
			for (size_t k = 0; k + 2 <= len; k++) {
				struct nftnl_expr *e;

				if (!known_name(cur + k) && nnames < MAX_NAMES && (e = nftnl_expr_alloc(cur + k)) != NULL) {
					nftnl_expr_free(e);
					snprintf(names[nnames++], sizeof(names[0]), "%s", cur + k);
				}
			}
		}
		len = 0;
	}
	fclose(f);
	return 0;
}

static bool
in_vm_table(const char *n)
{
	const char *t;

	for (size_t i = 0; (t = pc_nftvm_expr_name(i)) != NULL; i++)
		if (strcmp(t, n) == 0)
			return true;
	return false;
}

static void
test_ops_table(void)
{
	const char *prev = NULL, *n;
	size_t i;

	/* Sorted (the VM looks names up with bsearch), and each a name libnftnl knows. */
	for (i = 0; (n = pc_nftvm_expr_name(i)) != NULL; i++) {
		struct nftnl_expr *e = nftnl_expr_alloc(n);

		if (prev && strcmp(prev, n) >= 0) {
			printf("#   table not sorted at \"%s\" after \"%s\"\n", n, prev);
			CHECK(0);
		}
		if (!e)
			printf("#   \"%s\" is not an expression libnftnl knows\n", n);
		CHECK(e != NULL);
		nftnl_expr_free(e);
		prev = n;
	}
	CHECK(i > 20);
}

/*
 * Each expression alone, every attribute unset, then accept, under a drop policy (so the
 * rule's own outcome decides, not a look past it): the bare form of a statement that
 * decides nothing (a counter) truly accepts, a verdict expression gives its verdict;
 * every other one makes the rule unknown, named in why.
 */
static void
test_every_libnftnl_expression(void)
{
	static const struct { const char *name; int verdict; } decided[] = {
		{ "counter", PC_NFT_ACCEPT }, { "dup", PC_NFT_ACCEPT }, { "last", PC_NFT_ACCEPT },
		{ "log", PC_NFT_ACCEPT }, { "notrack", PC_NFT_ACCEPT }, { "masq", PC_NFT_ACCEPT },
		{ "reject", PC_NFT_DROP },
	};
	size_t evaluated = 0, refused = 0;

	nnames = 0;
	CHECK_EQ_INT(scan_libnftnl(), 0);
	for (size_t i = 0; i < PP_ARRAY_SIZE(floor_names); i++) {
		struct nftnl_expr *e = nftnl_expr_alloc(floor_names[i]);

		if (!e) {
			printf("# %s: not in this libnftnl\n", floor_names[i]);
			continue;
		}
		nftnl_expr_free(e);
		if (!known_name(floor_names[i]))
			printf("#   the scan missed \"%s\"\n", floor_names[i]);
		CHECK(known_name(floor_names[i]));
	}
	printf("# libnftnl knows %zu expression names\n", nnames);
	CHECK(nnames >= 30);
	for (size_t i = 0; i < nnames; i++) {
		const char *n = names[i];
		int want = PC_NFT_UNKNOWN;
		bool table = in_vm_table(n);

		for (size_t k = 0; k < PP_ARRAY_SIZE(decided); k++)
			if (strcmp(decided[k].name, n) == 0)
				want = decided[k].verdict;
		setup(NF_DROP);
		one_rule(ex(n), verdict(NF_ACCEPT), NULL);
		run();
		printf("# %-12s %s: %s\n", n, table ? "evaluated" : "not evaluated",
		       res.verdict == PC_NFT_UNKNOWN ? res.why : res.text);
		if (res.verdict != want)
			printf("#   %s: verdict %d, expected %d\n", n, res.verdict, want);
		CHECK_EQ_INT(res.verdict, want);
		if (want == PC_NFT_UNKNOWN)
			CHECK(has(res.why, n));
		if (!table) {
			char quoted[40];

			snprintf(quoted, sizeof(quoted), "'%s' expression", n);
			CHECK(has(res.why, quoted));
			refused++;
		} else {
			evaluated++;
		}
	}
	printf("# %zu evaluated, %zu make their rule unknown\n", evaluated, refused);
	CHECK(evaluated > 20 && refused > 5);
}

/* ---- the audit: what must not be guessed ---- */

/* A register nothing wrote: the kernel's holds whatever the last rule left there. */
static void
test_register_read_before_written(void)
{
	uint8_t v[4] = { 203, 0, 113, 2 };

	setup(NF_ACCEPT);
	one_rule(cmp(NFT_REG32_05, NFT_CMP_NEQ, v, 4), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "register 13 is read before it is written"));

	/* A dnat to an address from a register nothing wrote: not a dnat to nothing. */
	setup(NF_ACCEPT);
	one_rule(nat(NFT_NAT_DNAT, NFT_REG_2, 0, 0, 0), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "dnat"));
	CHECK(has(res.why, "register 2 is read before it is written"));

	/* Its port from a value pathcheck cannot know (numgen). */
	setup(NF_ACCEPT);
	{
		struct nftnl_expr *ng = ex("numgen");

		nftnl_expr_set_u32(ng, NFTNL_EXPR_NG_DREG, NFT_REG_2);
		nftnl_expr_set_u32(ng, NFTNL_EXPR_NG_MODULUS, 2);
		one_rule(addr4(NFT_REG_1, "198.51.100.7"), ng, nat(NFT_NAT_DNAT, NFT_REG_1, 0, NFT_REG_2, 0), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "dnat port"));

	/* Both known: the dnat as before. */
	setup(NF_ACCEPT);
	one_rule(addr4(NFT_REG_1, "198.51.100.7"), port(NFT_REG_2, 8080), nat(NFT_NAT_DNAT, NFT_REG_1, 0, NFT_REG_2, 0), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_STR(res.nat, "dnat to 198.51.100.7:8080");
	CHECK(res.dnat);
}

/* An IPv6 dnat with a port is written as nft writes it, [ADDR]:PORT: kube-proxy's
 * "dnat to [2001:db8:10:180::1]:80" was shown as "dnat to 2001:db8:10:180::1:80", an
 * address of nine groups. Without a port, the bare address. */
static void
test_nat6_text(void)
{
	uint8_t a[16];
	struct nftnl_expr *n;

	inet_pton(AF_INET6, "2001:db8:10:180::1", a);
	setup(NF_ACCEPT);
	pkt.family = AF_INET6;
	base.family = NFPROTO_IPV6;
	n = nat(NFT_NAT_DNAT, NFT_REG_1, 0, NFT_REG_2, 0);
	nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV6);
	one_rule(imm(NFT_REG_1, a, 16), port(NFT_REG_2, 80), n, NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_STR(res.nat, "dnat to [2001:db8:10:180::1]:80");

	setup(NF_ACCEPT);
	pkt.family = AF_INET6;
	base.family = NFPROTO_IPV6;
	n = nat(NFT_NAT_DNAT, NFT_REG_1, 0, 0, 0);
	nftnl_expr_set_u32(n, NFTNL_EXPR_NAT_FAMILY, NFPROTO_IPV6);
	one_rule(imm(NFT_REG_1, a, 16), n, NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_STR(res.nat, "dnat to 2001:db8:10:180::1");
}

/* dnat to 198.51.100.7-198.51.100.9: the kernel picks one; pathcheck does not take the first. */
static void
test_nat_range(void)
{
	setup(NF_ACCEPT);
	one_rule(addr4(NFT_REG_1, "198.51.100.7"), addr4(NFT_REG_2, "198.51.100.9"),
		 nat(NFT_NAT_DNAT, NFT_REG_1, NFT_REG_2, 0, 0), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "range"));

	setup(NF_ACCEPT);
	one_rule(addr4(NFT_REG_1, "198.51.100.7"), port(NFT_REG_2, 8000), port(NFT_REG_3, 8010),
		 nat(NFT_NAT_DNAT, NFT_REG_1, 0, NFT_REG_2, NFT_REG_3), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "range"));

	/* A "range" of one: the address itself. */
	setup(NF_ACCEPT);
	one_rule(addr4(NFT_REG_1, "198.51.100.7"), addr4(NFT_REG_2, "198.51.100.7"),
		 nat(NFT_NAT_DNAT, NFT_REG_1, NFT_REG_2, 0, 0), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
	CHECK_STR(res.nat, "dnat to 198.51.100.7");

	/* A nat of no type is not an snat. */
	setup(NF_ACCEPT);
	one_rule(ex("nat"), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "nat"));
}

/* Verdict codes as nft_do_chain reads them: the errno of a drop rides in the upper bits. */
static void
test_verdict_codes(void)
{
	setup(NF_ACCEPT);
	one_rule(verdict((int32_t)(((uint32_t)EPERM << 16) | NF_DROP)), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);

	/* Codes the walk does not follow (stolen, repeat, garbage): unknown, never "go on". */
	setup(NF_ACCEPT);
	one_rule(verdict(NF_STOLEN), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "verdict"));

	setup(NF_ACCEPT);
	one_rule(verdict(7), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "verdict"));

	/* An immediate into the verdict register that carries no verdict. */
	setup(NF_ACCEPT);
	{
		struct nftnl_expr *e = ex("immediate");

		nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
		one_rule(e, NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "immediate"));

	/* break ends the rule, the next decides: policy accept here. */
	setup(NF_ACCEPT);
	one_rule(verdict(NFT_BREAK), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
}

/* Keys the VM does not know are named as nft names them, not by number. */
static void
test_keys_named(void)
{
	uint8_t z[16] = { 0 };

	setup(NF_ACCEPT);
	one_rule(meta_load(NFT_META_IIFKIND, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, "veth", 5), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "meta iifkind"));

	setup(NF_ACCEPT);
	one_rule(meta_load(NFT_META_CPU, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, z, 4), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "meta cpu"));

	setup(NF_ACCEPT);
	one_rule(ct_load(NFT_CT_ZONE, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, z, 2), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "ct zone"));

	/* A key number past the ones this build knows: still unknown, the number given. */
	setup(NF_ACCEPT);
	one_rule(meta_load(200, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, z, 4), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "meta key 200"));
}

/* Statements that change what later rules and the route see must not be skipped. */
static void
test_rewrites(void)
{
	uint8_t one = 1;

	/* meta pkttype set host: changes how the packet is delivered. */
	setup(NF_ACCEPT);
	one_rule(imm(NFT_REG_1, &one, 1), meta_store(NFT_META_PKTTYPE, NFT_REG_1), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "meta pkttype set"));

	/* meta priority set, meta nftrace set: nothing pathcheck judges. */
	setup(NF_ACCEPT);
	one_rule(imm(NFT_REG_1, &one, 1), meta_store(NFT_META_NFTRACE, NFT_REG_1), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK(has(res.text, "meta nftrace set"));
	setup(NF_ACCEPT);
	one_rule(imm(NFT_REG_1, &one, 1), meta_store(NFT_META_PRIORITY, NFT_REG_1), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK(has(res.text, "meta priority set"));

	/* ip daddr set 198.51.100.7: a stateless nat pathcheck does not follow. */
	setup(NF_ACCEPT);
	one_rule(addr4(NFT_REG_1, "198.51.100.7"), payload_set(NFT_PAYLOAD_NETWORK_HEADER, 16, 4, NFT_REG_1), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "payload write to ip daddr"));

	/* tcp dport set 8080 */
	setup(NF_ACCEPT);
	one_rule(port(NFT_REG_1, 8080), payload_set(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "tcp dport"));

	/* ip ttl set 65: the TTL is not known to pathcheck anyway, nothing later depends on it. */
	setup(NF_ACCEPT);
	{
		uint8_t ttl = 65;

		one_rule(imm(NFT_REG_1, &ttl, 1), payload_set(NFT_PAYLOAD_NETWORK_HEADER, 8, 1, NFT_REG_1), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
}

/* A named object: a counter counts, a quota or limit decides whether the rule matches. */
static void
test_objref(void)
{
	setup(NF_ACCEPT);
	one_rule(objref(NFT_OBJECT_COUNTER, "c"), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);

	setup(NF_ACCEPT);
	one_rule(objref(NFT_OBJECT_QUOTA, "q"), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "quota"));

	setup(NF_ACCEPT);
	one_rule(objref(NFT_OBJECT_LIMIT, "l"), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "limit"));

	/* ct helper set "ftp": assigns a helper, decides nothing. */
	setup(NF_ACCEPT);
	one_rule(objref(NFT_OBJECT_CT_HELPER, "ftp"), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);

	/* An object chosen by a map: its type is the map's, not known here. */
	setup(NF_ACCEPT);
	{
		struct nftnl_expr *e = ex("objref");

		nftnl_expr_set_u32(e, NFTNL_EXPR_OBJREF_SET_SREG, NFT_REG_1);
		nftnl_expr_set_str(e, NFTNL_EXPR_OBJREF_SET_NAME, "objmap");
		one_rule(SADDR(), e, verdict(NF_DROP), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "objref"));
}

/* add @meter { ip saddr limit rate over 10/second } drop: the classic meter. */
static void
test_dynset(void)
{
	setup(NF_ACCEPT);
	one_rule(SADDR(), dynset(limit_over(), 0), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "limit"));

	/* add @seen { ip saddr counter }: counts, decides nothing. */
	setup(NF_ACCEPT);
	one_rule(SADDR(), dynset(ex("counter"), 0), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);

	/* update @seen { ip saddr }: nothing attached. */
	setup(NF_ACCEPT);
	one_rule(SADDR(), dynset(NULL, 0), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);

	/* Inverted: matches when the add fails (the set is full), which pathcheck cannot see. */
	setup(NF_ACCEPT);
	one_rule(SADDR(), dynset(NULL, NFT_DYNSET_F_INV), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "dynset"));
}

/* Bytes the VM does not know: the link-layer header, a payload base it has no name for. */
static void
test_payload_bases(void)
{
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 };

	setup(NF_ACCEPT);
	one_rule(payload(NFT_PAYLOAD_LL_HEADER, 6, 6, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, mac, 6),
		 verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "ether saddr is not known"));

	setup(NF_ACCEPT);
	one_rule(payload(7, 0, 4, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, mac, 4), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "@base7,0,32"));
}

/*
 * A bridged frame (--follow): a bridge-family chain knows the ether type and, where the walk
 * knows them, the addresses; meta ibrname is the ports' bridge, nfproto bridge; an IP
 * chain through br_netfilter names the ports to -m physdev.
 */
/*
 * "! -i docker0" in nat OUTPUT (Docker's DNAT for the host's own connections): the
 * output hook has no input device, the kernel loads "" (and 0 for iif), so the
 * inequality matches and the equality does not; the rule goes on, not ends.
 */
static void
test_no_device_at_hook(void)
{
	char docker0[IF_NAMESIZE] = "docker0";
	uint32_t five = 5;

	setup(NF_ACCEPT);
	one_rule(meta_load(NFT_META_IIFNAME, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_NEQ, docker0, IF_NAMESIZE),
		 verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	setup(NF_ACCEPT);
	one_rule(meta_load(NFT_META_IIFNAME, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, docker0, IF_NAMESIZE),
		 verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	setup(NF_ACCEPT);
	one_rule(meta_load(NFT_META_IIF, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_NEQ, &five, 4), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	/* In input there is no out device: "oifname != veth0" matches too. */
	setup(NF_ACCEPT);
	base.hooknum = pkt.hook = NF_INET_LOCAL_IN;
	snprintf(pkt.iifname, sizeof(pkt.iifname), "veth0");
	pkt.iif = 7;
	pkt.oifname[0] = '\0';
	pkt.oif = 0;
	one_rule(meta_load(NFT_META_OIFNAME, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_NEQ, docker0, IF_NAMESIZE),
		 verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
}

static void
test_bridged(void)
{
	uint8_t mac[6] = { 2, 0, 0, 0, 0, 1 }, other[6] = { 2, 0, 0, 0, 0, 2 };
	uint16_t ip = htons(0x0800);
	uint8_t bridge = NFPROTO_BRIDGE;
	char br0[IF_NAMESIZE] = "br0";

	/* ether type ip tcp dport 80 drop, in a bridge-family forward chain */
	setup(NF_ACCEPT);
	base.family = NFPROTO_BRIDGE;
	base.hooknum = NF_INET_FORWARD;
	one_rule(payload(NFT_PAYLOAD_LL_HEADER, 12, 2, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &ip, 2),
		 verdict(NF_DROP), NULL);
	pkt.hook = NF_INET_FORWARD;
	pkt.bridge_family = true;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK(has(res.text, "ether type ip"));
	/* The same rule seen by an IP chain: the type is not one it is sure of. */
	pkt.bridge_family = false;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);

	/* ether saddr: decided when the walk knows the sender's address, either way. */
	setup(NF_ACCEPT);
	base.family = NFPROTO_BRIDGE;
	one_rule(payload(NFT_PAYLOAD_LL_HEADER, 6, 6, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, mac, 6),
		 verdict(NF_DROP), NULL);
	pkt.bridge_family = true;
	pkt.ll_src_known = true;
	memcpy(pkt.ll_src, mac, 6);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK(has(res.text, "ether saddr 02:00:00:00:00:01"));
	memcpy(pkt.ll_src, other, 6);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* meta ibrname "br0" drop: the ports' bridge; none (no port in): the rule ends. */
	setup(NF_ACCEPT);
	base.family = NFPROTO_BRIDGE;
	one_rule(meta_load(NFT_META_BRI_IIFNAME, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, br0, IF_NAMESIZE),
		 verdict(NF_DROP), NULL);
	pkt.bridge_family = true;
	snprintf(pkt.ibrname, sizeof(pkt.ibrname), "br0");
	snprintf(pkt.iifname, sizeof(pkt.iifname), "vethc");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK(has(res.text, "ibrname"));
	/* The in device is no port (the bridge sends what the host routes out by it): the rule ends. */
	pkt.ibrname[0] = '\0';
	snprintf(pkt.iifname, sizeof(pkt.iifname), "br0");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	pkt.bridge_family = false;	/* an IP chain: no ibrname */
	snprintf(pkt.ibrname, sizeof(pkt.ibrname), "br0");
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* meta nfproto bridge */
	setup(NF_ACCEPT);
	base.family = NFPROTO_BRIDGE;
	one_rule(meta_load(NFT_META_NFPROTO, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &bridge, 1),
		 verdict(NF_DROP), NULL);
	pkt.bridge_family = true;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK(has(res.text, "nfproto bridge"));
	pkt.bridge_family = false;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
}

/* A range op past EQ/NEQ is not a "not in range". */
/* A verdict map __map0 of 4-byte keys 0..n-1, each to verdicts[i]. */
static void
vmap_set(const int32_t *verdicts, size_t n)
{
	struct pp_nft_set s = { .flags = NFT_SET_MAP | NFT_SET_ANONYMOUS, .key_len = 4 };

	snprintf(s.name, sizeof(s.name), "__map0");
	s.elems = calloc(n, sizeof(*s.elems));
	if (!s.elems)
		abort();
	for (size_t i = 0; i < n; i++) {
		uint32_t k = (uint32_t)i;

		memcpy(s.elems[i].key, &k, 4);
		s.elems[i].key_len = 4;
		s.elems[i].has_verdict = true;
		s.elems[i].verdict = verdicts[i];
	}
	s.nelems = n;
	CHECK_EQ_INT(pc_nft_cache_add_set(&cache, base.family, base.table, &s), 0);
}

static struct nftnl_expr *
vmap_lookup(void)
{
	struct nftnl_expr *e = ex("lookup");

	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_SREG, NFT_REG_1);
	nftnl_expr_set_str(e, NFTNL_EXPR_LOOKUP_SET, "__map0");
	nftnl_expr_set_u32(e, NFTNL_EXPR_LOOKUP_DREG, NFT_REG_VERDICT);
	return e;
}

/*
 * numgen random mod 2 vmap { 0 : accept, 1 : drop } (kube-proxy's shape): the verdict is
 * one of the map's, which one is not known; the rule is not one that "only counts".
 */
static void
test_vmap_undecided(void)
{
	static const int32_t v[] = { NF_ACCEPT, NF_DROP };
	struct nftnl_expr *ng;

	setup(NF_ACCEPT);
	vmap_set(v, 2);
	ng = ex("numgen");
	nftnl_expr_set_u32(ng, NFTNL_EXPR_NG_DREG, NFT_REG_1);
	nftnl_expr_set_u32(ng, NFTNL_EXPR_NG_MODULUS, 2);
	nftnl_expr_set_u32(ng, NFTNL_EXPR_NG_TYPE, NFT_NG_RANDOM);
	one_rule(ng, vmap_lookup(), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "numgen"));

	/* The key known: the map's verdict. */
	setup(NF_ACCEPT);
	vmap_set(v, 2);
	{
		uint32_t one = 1;

		one_rule(imm(NFT_REG_1, &one, 4), vmap_lookup(), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);

	/* The map not in the cache (not readable): unknown as well. */
	setup(NF_ACCEPT);
	{
		uint32_t one = 1;

		one_rule(imm(NFT_REG_1, &one, 4), vmap_lookup(), NULL);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "__map0"));
}

/* The rule ends at its verdict (nft_do_chain stops at a code other than continue). */
static void
test_rule_ends_at_verdict(void)
{
	setup(NF_ACCEPT);
	one_rule(ex("reject"), verdict(NF_ACCEPT), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK(res.reject);

	setup(NF_DROP);
	one_rule(verdict(NFT_CONTINUE), verdict(NF_ACCEPT), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_ACCEPT);
}

/*
 * -m conntrack --ctorigdst 198.51.100.1 --ctorigdstport 8080 --ctdir ORIGINAL -j DROP in
 * DOCKER-USER (Docker's documentation), on the forward hook after the DNAT to
 * 203.0.113.2:80: the new flow's entry holds the destination before the DNAT
 * (pathcheck_dockerd: "the conntrack entry's addresses are not known", a warn for a
 * port that was dropped and for one that was not).
 */
static struct nftnl_expr *
ct_match(uint16_t dport)
{
	struct nftnl_expr *e = ex("match");
	size_t len = XT_ALIGN(sizeof(struct xt_conntrack_mtinfo3));	/* as iptables sends it */
	struct xt_conntrack_mtinfo3 *c = calloc(1, len);	/* libnftnl keeps the pointer */

	if (!c)
		abort();
	c->match_flags = XT_CONNTRACK_ORIGDST | XT_CONNTRACK_ORIGDST_PORT | XT_CONNTRACK_DIRECTION;
	inet_pton(AF_INET, "198.51.100.1", &c->origdst_addr.in);
	memset(&c->origdst_mask.in, 0xff, 4);
	c->origdst_port = c->origdst_port_high = dport;	/* rev 3: host order */
	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "conntrack");
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 3);
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, c, (uint32_t)len);
	return e;
}

/*
 * -m statistic --mode random --probability 0.33333333349 -j DROP (kube-proxy's iptables
 * mode writes one per endpoint): the kernel decides per flow. Without choices: unknown;
 * with them a choice of two, option 0 the match (the drop), option 1 the miss (on to the
 * policy). Before, the rule was unknown even with the walker following choices, and a
 * ClusterIP of kube-proxy's iptables mode was never followed to its endpoints.
 */
static struct nftnl_expr *
statistic_match(uint32_t prob)
{
	struct nftnl_expr *e = ex("match");
	size_t len = XT_ALIGN(sizeof(struct xt_statistic_info));
	struct xt_statistic_info *s = calloc(1, len);	/* libnftnl keeps the pointer */

	if (!s)
		abort();
	s->mode = XT_STATISTIC_MODE_RANDOM;
	s->u.random.probability = prob;
	nftnl_expr_set_str(e, NFTNL_EXPR_MT_NAME, "statistic");
	nftnl_expr_set_u32(e, NFTNL_EXPR_MT_REV, 0);
	nftnl_expr_set(e, NFTNL_EXPR_MT_INFO, s, (uint32_t)len);
	return e;
}

static void
test_xt_statistic_choice(void)
{
	struct pc_choices ch;

	setup(NF_ACCEPT);
	one_rule(statistic_match(0x2AAAAAAB), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "statistic"));

	memset(&ch, 0, sizeof(ch));
	pkt.choices = &ch;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK_EQ_INT(ch.nseen, 1);
	CHECK_EQ_INT(ch.seen[0].options, 2);
	CHECK_STR(ch.seen[0].what, "-m statistic p=0.3333 (0 match, 1 miss)");
	memset(&ch, 0, sizeof(ch));
	ch.pick[0] = 1;
	ch.npick = 1;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	CHECK_EQ_INT(ch.seen[0].taken, 1);
	pkt.choices = NULL;
}

static void
test_xt_conntrack_tuple(void)
{
	setup(NF_ACCEPT);
	base.hooknum = pkt.hook = NF_INET_FORWARD;
	pkt.dport = 80;
	pkt.ct_tuple_known = true;
	inet_pton(AF_INET, "198.51.100.1", pkt.ct_orig_dst.u.b);
	pkt.ct_orig_dst.family = AF_INET;
	pkt.ct_orig_dport = 8080;
	one_rule(ct_match(8080), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK(has(res.text, "--ctorigdstport 8080"));
	pkt.ct_orig_dport = 8090;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);
	/* Without the entry's tuple (not a forwarded new flow): unknown, never a guess. */
	pkt.ct_tuple_known = false;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "addresses are not known"));
	/* An established flow is no new entry pathcheck can describe. */
	pkt.ct_tuple_known = true;
	pkt.ct_state = 2;
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
}

static void
test_range_op(void)
{
	struct nftnl_expr *e = ex("range");
	uint16_t a = htons(1), b = htons(100);

	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_SREG, NFT_REG_1);
	nftnl_expr_set_u32(e, NFTNL_EXPR_RANGE_OP, 9);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_FROM_DATA, &a, 2);
	nftnl_expr_set(e, NFTNL_EXPR_RANGE_TO_DATA, &b, 2);
	setup(NF_ACCEPT);
	one_rule(payload(NFT_PAYLOAD_TRANSPORT_HEADER, 2, 2, NFT_REG_1), e, verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "range op 9"));
}

static struct nftnl_expr *
fib_rpf(uint32_t flags, uint32_t dreg)
{
	struct nftnl_expr *e = ex("fib");

	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_FLAGS, flags);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_RESULT, NFT_FIB_RESULT_OIF);
	nftnl_expr_set_u32(e, NFTNL_EXPR_FIB_DREG, dreg);
	return e;
}

/* firewalld's IPv6_rpfilter: meta nfproto ipv6 fib saddr . mark . iif oif missing drop. */
static void
rpf_setup(bool known, int oif)
{
	setup(NF_ACCEPT);
	base.family = NFPROTO_INET;
	base.hooknum = NF_INET_PRE_ROUTING;
	pkt.hook = NF_INET_PRE_ROUTING;
	pkt.oifname[0] = '\0';
	pkt.oif = 0;
	snprintf(pkt.iifname, sizeof(pkt.iifname), "eth0");
	pkt.iif = 3;
	pkt.rpf_known = known;
	pkt.rpf_oif = oif;
}

static void
test_fib_rpf(void)
{
	static const uint32_t zero = 0;
	const uint32_t f = NFTA_FIB_F_SADDR | NFTA_FIB_F_MARK | NFTA_FIB_F_IIF;
	uint8_t z8 = 0;

	/* The route back to the source leaves by another device: missing, dropped, the rule as nft shows it. */
	rpf_setup(true, 0);
	one_rule(fib_rpf(f, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &zero, 4), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK(has(res.text, "fib saddr . mark . iif oif missing"));

	/* It leaves by iif: the rule does not match. */
	rpf_setup(true, 3);
	one_rule(fib_rpf(f, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &zero, 4), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* NFTA_FIB_F_PRESENT (one byte, 1 or 0), as nft writes "missing" on newer kernels. */
	rpf_setup(true, 0);
	one_rule(fib_rpf(f | NFTA_FIB_F_PRESENT, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &z8, 1), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
	CHECK(has(res.text, "oif missing"));
	rpf_setup(true, 3);
	one_rule(fib_rpf(f | NFTA_FIB_F_PRESENT, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &z8, 1), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_POLICY);

	/* No lookup made (no source, no iif): unknown, the fib named. */
	rpf_setup(false, 0);
	one_rule(fib_rpf(f, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &zero, 4), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
	CHECK(has(res.why, "fib saddr . mark . iif oif"));

	/* A mark set before the lookup in the same chain: a route the glue did not look up. */
	rpf_setup(true, 3);
	{
		uint32_t m = 7;
		struct nftnl_rule *r1 = nftnl_rule_alloc(), *r2 = nftnl_rule_alloc();
		struct nftnl_rule **rules = malloc(2 * sizeof(*rules));

		nftnl_rule_set_u32(r1, NFTNL_RULE_FAMILY, base.family);
		nftnl_rule_add_expr(r1, imm(NFT_REG_1, &m, 4));
		nftnl_rule_add_expr(r1, meta_store(NFT_META_MARK, NFT_REG_1));
		nftnl_rule_set_u32(r2, NFTNL_RULE_FAMILY, base.family);
		nftnl_rule_add_expr(r2, fib_rpf(f, NFT_REG_1));
		nftnl_rule_add_expr(r2, cmp(NFT_REG_1, NFT_CMP_EQ, &zero, 4));
		nftnl_rule_add_expr(r2, verdict(NF_DROP));
		rules[0] = r1;
		rules[1] = r2;
		CHECK_EQ_INT(pc_nft_cache_add_chain(&cache, base.family, base.table, "output", rules, 2), 0);
	}
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);

	/* Other fib shapes (daddr . iif, oifname) stay unknown. */
	rpf_setup(true, 3);
	one_rule(fib_rpf(NFTA_FIB_F_DADDR | NFTA_FIB_F_IIF, NFT_REG_1), cmp(NFT_REG_1, NFT_CMP_EQ, &zero, 4),
		 verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
}

/* ct status dnat accept (firewalld's input and forward chains): the new flow's low status byte. */
static void
test_ct_status(void)
{
	static const uint32_t dnat = 0x20, zero = 0;
	struct nftnl_expr *b;

	for (int i = 0; i < 3; i++) {
		setup(NF_ACCEPT);
		pkt.ct_status_known = i > 0;
		pkt.ct_status = i == 2 ? 0x20 : 0;
		b = ex("bitwise");
		nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_LEN, 4);
		nftnl_expr_set(b, NFTNL_EXPR_BITWISE_MASK, &dnat, 4);
		nftnl_expr_set(b, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
		/* (drop, not accept: an undecided accept before policy accept is decided either way) */
		one_rule(ct_load(NFT_CT_STATUS, NFT_REG_1), b, cmp(NFT_REG_1, NFT_CMP_NEQ, &zero, 4),
			 verdict(NF_DROP), NULL);
		run();
		CHECK_EQ_INT(res.verdict, i == 0 ? PC_NFT_UNKNOWN : i == 1 ? PC_NFT_POLICY : PC_NFT_DROP);
		if (i == 0)
			CHECK(has(res.why, "ct status"));
	}
	/* A bit past the low byte (dnat-done, helper, ...) is not known. */
	setup(NF_ACCEPT);
	pkt.ct_status_known = true;
	{
		static const uint32_t done = 0x100;

		b = ex("bitwise");
		nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_SREG, NFT_REG_1);
		nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_DREG, NFT_REG_1);
		nftnl_expr_set_u32(b, NFTNL_EXPR_BITWISE_LEN, 4);
		nftnl_expr_set(b, NFTNL_EXPR_BITWISE_MASK, &done, 4);
		nftnl_expr_set(b, NFTNL_EXPR_BITWISE_XOR, &zero, 4);
	}
	one_rule(ct_load(NFT_CT_STATUS, NFT_REG_1), b, cmp(NFT_REG_1, NFT_CMP_NEQ, &zero, 4), verdict(NF_DROP), NULL);
	run();
	CHECK_EQ_INT(res.verdict, PC_NFT_UNKNOWN);
}

/* reject as nft lists it: firewalld's "reject with icmpx admin-prohibited". */
static void
test_reject_text(void)
{
	static const struct { uint32_t type; uint8_t code; int fam; const char *want; } c[] = {
		{ NFT_REJECT_ICMPX_UNREACH, NFT_REJECT_ICMPX_ADMIN_PROHIBITED, AF_INET, "reject with icmpx admin-prohibited" },
		{ NFT_REJECT_ICMPX_UNREACH, NFT_REJECT_ICMPX_PORT_UNREACH, AF_INET, "reject" },
		{ NFT_REJECT_ICMP_UNREACH, 3, AF_INET6, "reject with icmpv6 addr-unreachable" },
		{ NFT_REJECT_ICMP_UNREACH, 10, AF_INET, "reject with icmp host-prohibited" },
		{ NFT_REJECT_TCP_RST, 0, AF_INET, "reject with tcp reset" },
		{ NFT_REJECT_ICMP_UNREACH, 3, AF_INET, "reject" },
		/* fail2ban's in its inet table: nft lists the family's port unreachable */
		{ NFT_REJECT_ICMP_UNREACH, 4, AF_INET6, "reject with icmpv6 port-unreachable" },
	};

	for (size_t i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		struct nftnl_expr *e = ex("reject");

		setup(NF_ACCEPT);
		if (c[i].fam == AF_INET6) {
			pkt.family = AF_INET6;
			base.family = NFPROTO_INET;
		}
		nftnl_expr_set_u32(e, NFTNL_EXPR_REJECT_TYPE, c[i].type);
		nftnl_expr_set_u8(e, NFTNL_EXPR_REJECT_CODE, c[i].code);
		one_rule(e, NULL);
		run();
		CHECK_EQ_INT(res.verdict, PC_NFT_DROP);
		CHECK(has(res.text, c[i].want));
	}
}

int
main(void)
{
	RUN(test_ops_table);
	RUN(test_every_libnftnl_expression);
	RUN(test_register_read_before_written);
	RUN(test_nat_range);
	RUN(test_nat6_text);
	RUN(test_verdict_codes);
	RUN(test_keys_named);
	RUN(test_rewrites);
	RUN(test_objref);
	RUN(test_dynset);
	RUN(test_rule_ends_at_verdict);
	RUN(test_vmap_undecided);
	RUN(test_payload_bases);
	RUN(test_bridged);
	RUN(test_no_device_at_hook);
	RUN(test_range_op);
	RUN(test_fib_rpf);
	RUN(test_ct_status);
	RUN(test_reject_text);
	RUN(test_xt_conntrack_tuple);
	RUN(test_xt_statistic_choice);
	pc_nft_cache_free(&cache);
	return tap_done();
}
