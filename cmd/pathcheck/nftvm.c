/*
 * nftvm.c: a symbolic nft VM. Registers hold bytes with a "known" bit each;
 * the packet's headers are built from the query, with what pathcheck cannot know
 * (a source port not given, a TTL) left unknown. A rule matches, does not match,
 * or cannot be decided; only the last makes a station unknown. Expressions are
 * dispatched by name through expr_ops[] (as libnftnl's); a name not there, a key,
 * base or verdict the VM does not know, a register nothing wrote, or a statement
 * that changes the packet in a way the VM does not follow makes the rule unknown.
 * No I/O: chains and sets come from the cache, a miss goes to the fetch callback.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "nftrule.h"
#include "xt.h"

#define MAX_DEPTH 16

#define MAX_LOOKAHEAD 64		/* undecided rules looked past at once: bounds the stack */

enum { EV_RETURN, EV_ACCEPT, EV_DROP, EV_UNKNOWN };

static bool
reg_range_ok(uint32_t reg, uint32_t len)
{
	int off = reg_off(reg);

	return off >= 0 && len > 0 && (size_t)off + len <= sizeof(((struct regs *)0)->b);
}

static bool
reg_known(const struct regs *rg, uint32_t reg, uint32_t len)
{
	int off = reg_off(reg);

	for (uint32_t i = 0; i < len; i++)
		if (!rg->known[off + (int)i])
			return false;
	return true;
}

static void
reg_store(struct regs *rg, uint32_t reg, const void *data, const uint8_t *known, uint32_t len,
	  const char *desc, uint8_t kind)
{
	int off = reg_off(reg);
	uint32_t padded = (len + 3) & ~3u;

	memset(rg->b + off, 0, padded);
	memcpy(rg->b + off, data, len);
	for (uint32_t i = 0; i < padded; i++)
		rg->known[off + (int)i] = i < len ? (known ? known[i] : 1) : 1;
	snprintf(rg->desc[off / 4], sizeof(rg->desc[0]), "%s", desc ? desc : "");
	rg->kind[off / 4] = kind;
	rg->plen[off / 4] = 0;
	rg->flags[off / 4] = 0;
	rg->op[off / 4][0] = '\0';
	for (uint32_t i = 0; i < padded; i += 4)
		rg->written[(off + (int)i) / 4] = true;
}

/* Why the len bytes at reg are not known: nothing in the rule wrote them, or what was loaded is not known. */
static const char *
reg_why(const struct regs *rg, uint32_t reg, uint32_t len, char *buf, size_t bl)
{
	int off = reg_off(reg);

	for (uint32_t i = 0; off >= 0 && i < len; i += 4)
		if (!rg->written[(off + (int)i) / 4]) {
			snprintf(buf, bl, "register %u is read before it is written", reg);
			return buf;
		}
	snprintf(buf, bl, "%s is not known for this packet", off >= 0 ? rg->desc[off / 4] : "?");
	return buf;
}

/* ---- the packet's bytes ---- */

struct hdr {
	uint8_t b[64];
	uint8_t known[64];
	size_t len;
};

static void
set_bytes(struct hdr *h, size_t off, const void *v, size_t n, bool known)
{
	memcpy(h->b + off, v, n);
	memset(h->known + off, known, n);
}

static void
build_nh(const struct pc_pkt *p, struct hdr *h)
{
	memset(h, 0, sizeof(*h));
	if (p->family == AF_INET) {
		uint8_t vihl = 0x45, ttl = 64, tos = 0;
		uint16_t frag = htons(0x4000);

		h->len = 20;
		set_bytes(h, 0, &vihl, 1, true);
		set_bytes(h, 1, &tos, 1, true);
		set_bytes(h, 6, &frag, 2, true);
		set_bytes(h, 8, &ttl, 1, false);
		set_bytes(h, 9, &p->l4proto, 1, true);
		set_bytes(h, 12, p->src.u.b, 4, p->src_known);
		set_bytes(h, 16, p->dst.u.b, 4, true);
	} else {
		uint8_t v = 0x60, hl = 64;

		h->len = 40;
		set_bytes(h, 0, &v, 1, true);
		set_bytes(h, 6, &p->l4proto, 1, true);
		set_bytes(h, 7, &hl, 1, false);
		set_bytes(h, 8, p->src.u.b, 16, p->src_known);
		set_bytes(h, 24, p->dst.u.b, 16, true);
	}
}

static void
build_th(const struct pc_pkt *p, struct hdr *h)
{
	uint16_t sp = htons(p->sport), dp = htons(p->dport);

	memset(h, 0, sizeof(*h));
	switch (p->l4proto) {
	case IPPROTO_TCP: {
		uint8_t flags = 0x02, off = 0x50;	/* a SYN: the first packet of the flow */

		h->len = 20;
		set_bytes(h, 0, &sp, 2, p->sport_known);
		set_bytes(h, 2, &dp, 2, p->dport_known);
		set_bytes(h, 12, &off, 1, true);
		set_bytes(h, 13, &flags, 1, true);
		break;
	}
	case IPPROTO_UDP:
		h->len = 8;
		set_bytes(h, 0, &sp, 2, p->sport_known);
		set_bytes(h, 2, &dp, 2, p->dport_known);
		break;
	case IPPROTO_SCTP:
		/*
		 * The common header: ports, then the verification tag and the CRC32c, which stay
		 * not known (an INIT's tag is 0, but whether the packet is an INIT is a chunk
		 * the VM does not model), and so does every chunk after it.
		 */
		h->len = 12;
		set_bytes(h, 0, &sp, 2, p->sport_known);
		set_bytes(h, 2, &dp, 2, p->dport_known);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6: {
		uint8_t type = p->l4proto == IPPROTO_ICMP ? 8 : 128, code = 0;	/* echo request */

		h->len = 8;
		set_bytes(h, 0, &type, 1, true);
		set_bytes(h, 1, &code, 1, true);
		break;
	}
	default:
		break;
	}
}

/*
 * The Ethernet header: destination, source, ether type. Only a bridge-family chain is
 * sure of the type (the frame is the packet's, untagged: VLAN filtering is refused before
 * a walk gets here); the addresses where the walk knows them.
 */
static void
build_ll(const struct pc_pkt *p, struct hdr *h)
{
	uint16_t type = htons(p->family == AF_INET ? 0x0800 : 0x86dd);

	memset(h, 0, sizeof(*h));
	h->len = 14;
	set_bytes(h, 0, p->ll_dst, 6, p->ll_dst_known);
	set_bytes(h, 6, p->ll_src, 6, p->ll_src_known);
	set_bytes(h, 12, &type, 2, p->bridge_family);
}

/* ---- the rule being evaluated ---- */

/*
 * The rule cannot be decided, and why (the first reason stays). unknown(): whether it
 * matches is not known. not_followed(): a statement reached (the rule matches, or may)
 * changes the packet in a way the VM does not follow, so whatever the rule's verdict,
 * what later rules, chains and the route see is not known, nor the chain's outcome.
 * A rule that already missed is not reached: nothing changes.
 */
static void
rule_undecided(struct rule_eval *re, bool changes, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
rule_undecided(struct rule_eval *re, bool changes, const char *fmt, ...)
{
	va_list ap;

	if (re->match == M_NO)
		return;
	if (changes)
		re->unfollowed = true;
	else
		re->match = M_UNKNOWN;
	if (re->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(re->why, sizeof(re->why), fmt, ap);
	va_end(ap);
}
#define unknown(re, ...) rule_undecided(re, false, __VA_ARGS__)
#define not_followed(re, ...) rule_undecided(re, true, __VA_ARGS__)

/* ---- expressions ---- */

struct expr_ops;
typedef void expr_eval_fn(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops);

/* What the VM does with an expression of one name (as libnftnl's struct expr_ops). */
struct expr_ops {
	const char *name;		/* NFTNL_EXPR_NAME */
	expr_eval_fn *eval;
	uint16_t dreg;			/* a load of a value pathcheck cannot know: its dreg attribute */
};

/*
 * A payload write (ip daddr set, tcp dport set, ip dscp set): bytes the VM knows for this
 * packet change, and later loads, chains and the route would see the new ones, which the
 * VM does not follow. A write to bytes it does not know anyway (the TTL, a checksum, the
 * link-layer header) changes nothing it judges by.
 */
static void
payload_write(struct rule_eval *re, uint32_t base, uint32_t off, uint32_t len)
{
	struct hdr h;
	char d[48];
	uint8_t kind;

	nftr_payload_desc(re->p, base, off, len, d, sizeof(d), &kind);
	nftr_add(re, "%s set", d);
	if (base == NFT_PAYLOAD_NETWORK_HEADER)
		build_nh(re->p, &h);
	else if (base == NFT_PAYLOAD_TRANSPORT_HEADER)
		build_th(re->p, &h);
	else
		return;
	for (uint32_t i = off; i < off + len && i < sizeof(h.known); i++)
		if (h.known[i]) {
			not_followed(re, "payload write to %s is not followed by pathcheck", d);
			return;
		}
}

static void
op_payload(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	uint32_t base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	uint32_t dreg;
	struct hdr h;
	char d[48];
	uint8_t kind;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_SREG)) {
		payload_write(re, base, off, len);
		return;
	}
	dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG);
	if (!reg_range_ok(dreg, len) || len > 16) {
		unknown(re, "payload load of %u bytes", len);
		return;
	}
	if (base == NFT_PAYLOAD_NETWORK_HEADER)
		build_nh(re->p, &h);
	else if (base == NFT_PAYLOAD_TRANSPORT_HEADER)
		build_th(re->p, &h);
	else if (base == NFT_PAYLOAD_LL_HEADER)
		build_ll(re->p, &h);
	else
		memset(&h, 0, sizeof(h));	/* inner headers: unknown */
	nftr_payload_desc(re->p, base, off, len, d, sizeof(d), &kind);
	if (off + len > sizeof(h.b)) {
		memset(&h, 0, sizeof(h));
		reg_store(&re->rg, dreg, h.b, h.known, len, d, kind);
		return;
	}
	reg_store(&re->rg, dreg, h.b + off, h.known + off, len, d, kind);
}

/*
 * A set statement reached with the rule still matching changes the mark for every later
 * expression, rule and chain (nft_meta_set_eval writes skb->mark at once, whatever the
 * rest of the rule does). Reached while the rule is undecided, the new mark is unknown
 * unless it equals the old one; not reached (the rule already missed), nothing changes.
 */
static void
mark_update(const struct rule_eval *re, uint32_t *mark, bool *unk, uint32_t v, bool known)
{
	if (re->match == M_NO)
		return;
	if (re->match == M_UNKNOWN) {
		if (!known || *unk || *mark != v)
			*unk = true;
		return;
	}
	*mark = v;
	*unk = !known;
}

/* The statement reached: record it (stmt as nft shows it) and change the mark. */
static void
mark_stmt_reached(struct rule_eval *re, const char *stmt, uint32_t v, bool known, bool computed)
{
	nftr_mark_stmt(re, stmt, v, known, computed);
	mark_update(re, &re->st->mark, &re->st->mark_unknown, v, known);
}

/*
 * iptables-nft writes -j MARK as the x_tables target MARK, revision 2 (struct
 * xt_mark_tginfo2 { u32 mark, mask; }): xt_MARK's mark_tg() sets
 * skb->mark = (skb->mark & ~mask) ^ mark, and the rule goes on (XT_CONTINUE).
 */
static bool
xt_mark_target(struct rule_eval *re, struct nftnl_expr *e)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
	uint32_t len = 0, mark, mask, v;
	const uint8_t *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);
	char stmt[96];
	bool known = !re->st->mark_unknown;

	if (!name || strcmp(name, "MARK") != 0 || !nftnl_expr_is_set(e, NFTNL_EXPR_TG_REV) ||
	    nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV) != 2 || !info || len < 8)
		return false;
	memcpy(&mark, info, 4);
	memcpy(&mask, info + 4, 4);
	v = (re->st->mark & ~mask) ^ mark;
	if (mask == 0xffffffffu)
		known = true;	/* every bit replaced: the old mark does not matter */
	nftr_xt_mark(stmt, sizeof(stmt), mark, mask);
	mark_stmt_reached(re, stmt, v, known, mask != 0xffffffffu);
	return true;
}

static void
meta_mark_set(struct rule_eval *re, uint32_t sreg)
{
	bool known = reg_range_ok(sreg, 4) && reg_known(&re->rg, sreg, 4);
	char stmt[96];
	uint32_t v = 0;
	int off = reg_range_ok(sreg, 4) ? reg_off(sreg) : -1;

	if (known)
		memcpy(&v, re->rg.b + off, 4);
	nftr_meta_mark_set(re, off, known, v, stmt, sizeof(stmt));
	mark_stmt_reached(re, stmt, v, known, off >= 0 && re->rg.desc[off / 4][0]);
}

/*
 * A meta or ct key the VM does not evaluate: the rule is unknown, the key named as nft
 * names it ("meta iifkind"), or by number past the ones this build knows. The register
 * is loaded as unknown so the comparison on it reads as nft writes it.
 */
static void
key_not_evaluated(struct rule_eval *re, uint32_t dreg, const char *expr, const char *name, uint32_t key)
{
	static const uint8_t none[16];
	char d[48];

	if (name)
		snprintf(d, sizeof(d), "%s %s", expr, name);
	else
		snprintf(d, sizeof(d), "%s key %u", expr, key);
	reg_store(&re->rg, dreg, none, none, 16, d, K_HEX);
	unknown(re, "%s is not evaluated", d);
}

static void
op_meta(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	const struct pc_pkt *p = re->p;
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_META_KEY), dreg, u32;
	uint16_t u16;
	uint8_t u8, name[IF_NAMESIZE] = { 0 };

	if (nftnl_expr_is_set(e, NFTNL_EXPR_META_SREG)) {
		if (key == NFT_META_MARK) {
			meta_mark_set(re, nftnl_expr_get_u32(e, NFTNL_EXPR_META_SREG));
			return;
		}
		nftr_add(re, "meta %s set", nftr_key("meta", key) ? nftr_key("meta", key) : "?");
		/* meta nftrace set 1, meta priority set, meta secmark set: nothing pathcheck judges by. */
		if (key != NFT_META_NFTRACE && key != NFT_META_PRIORITY && key != NFT_META_SECMARK) {
			if (nftr_key("meta", key))
				not_followed(re, "meta %s set is not followed by pathcheck", nftr_key("meta", key));
			else
				not_followed(re, "meta key %u set is not followed by pathcheck", key);
		}
		return;
	}
	dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_META_DREG);
	if (!reg_range_ok(dreg, 16)) {
		unknown(re, "meta load into a bad register");
		return;
	}
	switch (key) {
	case NFT_META_L4PROTO:
		reg_store(&re->rg, dreg, &p->l4proto, NULL, 1, "meta l4proto", K_PROTO);
		return;
	case NFT_META_NFPROTO:
		u8 = p->bridge_family ? NFPROTO_BRIDGE : p->family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
		reg_store(&re->rg, dreg, &u8, NULL, 1, "meta nfproto", K_NFPROTO);
		return;
	case NFT_META_PROTOCOL:
		u16 = htons(p->family == AF_INET ? 0x0800 : 0x86dd);
		reg_store(&re->rg, dreg, &u16, NULL, 2, "meta protocol", K_ETHERTYPE);
		return;
	case NFT_META_MARK: {
		static const uint8_t none[4];

		/* The mark as earlier rules left it (nft_meta_get_eval reads skb->mark). */
		reg_store(&re->rg, dreg, &re->st->mark, re->st->mark_unknown ? none : NULL, 4, "meta mark", K_MARK);
		return;
	}
	case NFT_META_IIFNAME:
	case NFT_META_OIFNAME: {
		const char *n = key == NFT_META_IIFNAME ? p->iifname : p->oifname;

		/*
		 * A hook with no such device (iif in output, oif in input): the kernel loads ""
		 * (nft_meta_store_ifname), so "iifname != docker0" matches there; only the
		 * device's type, group and kind end the rule.
		 */
		memcpy(name, n, strnlen(n, IF_NAMESIZE));
		reg_store(&re->rg, dreg, name, NULL, IF_NAMESIZE,
			  key == NFT_META_IIFNAME ? "iifname" : "oifname", K_IFNAME);
		return;
	}
	case NFT_META_BRI_IIFNAME:
	case NFT_META_BRI_OIFNAME: {
		const char *n = key == NFT_META_BRI_IIFNAME ? p->ibrname : p->obrname;

		/* The bridge of the port the frame came in (goes out) by; no such port: the rule ends. */
		if (!p->bridge_family || !n[0]) {
			re->match = M_NO;
			return;
		}
		memcpy(name, n, strnlen(n, IF_NAMESIZE));
		reg_store(&re->rg, dreg, name, NULL, IF_NAMESIZE,
			  key == NFT_META_BRI_IIFNAME ? "ibrname" : "obrname", K_IFNAME);
		return;
	}
	case NFT_META_IIF:
	case NFT_META_OIF: {
		int idx = key == NFT_META_IIF ? p->iif : p->oif;

		/* No such device at this hook: the kernel loads 0 (nft_meta_store_ifindex). */
		u32 = (uint32_t)idx;
		reg_store(&re->rg, dreg, &u32, NULL, 4, key == NFT_META_IIF ? "iif" : "oif", K_U32);
		return;
	}
	case NFT_META_SKUID:
		if (p->hook != NF_INET_LOCAL_OUT && p->hook != NF_INET_POST_ROUTING) {
			re->match = M_NO;	/* no local socket */
			return;
		}
		if (!p->uid_known) {
			unknown(re, "meta skuid: the sending user is not known (give --uid)");
			return;
		}
		reg_store(&re->rg, dreg, &p->uid, NULL, 4, "meta skuid", K_U32);
		return;
	default:
		key_not_evaluated(re, dreg, "meta", nftr_key("meta", key), key);
		return;
	}
}

static void
op_ct(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	const struct pc_pkt *p = re->p;
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY), dreg;
	uint8_t u8;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_SREG)) {
		uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_SREG), v = 0;
		bool known = reg_range_ok(sreg, 4) && reg_known(&re->rg, sreg, 4);

		if (key != NFT_CT_MARK) {
			/* ct zone set, ct label set, ct event set: the first packet's fate does not change. */
			nftr_add(re, "ct %s set", nftr_key("ct", key) ? nftr_key("ct", key) : "?");
			return;
		}
		if (known)
			memcpy(&v, re->rg.b + reg_off(sreg), 4);
		nftr_add(re, "ct mark set");
		mark_update(re, &re->st->ctmark, &re->st->ctmark_unknown, v, known);
		return;
	}
	dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_DREG);
	if (!reg_range_ok(dreg, 16)) {
		unknown(re, "ct load into a bad register");
		return;
	}
	switch (key) {
	case NFT_CT_STATE:
		reg_store(&re->rg, dreg, &p->ct_state, NULL, 4, "ct state", K_CTSTATE);
		return;
	case NFT_CT_STATUS: {
		static const uint8_t low[4] = { 1, 0, 0, 0 };

		/* The low byte (expected, seen-reply, assured, confirmed, snat, dnat, ...) of a new flow. */
		if (!p->ct_status_known) {
			key_not_evaluated(re, dreg, "ct", "status", key);
			return;
		}
		reg_store(&re->rg, dreg, &p->ct_status, low, 4, "ct status", K_HEX);
		return;
	}
	case NFT_CT_DIRECTION:
		u8 = p->ct_reply ? 1 : 0;	/* IP_CT_DIR_REPLY, or ORIGINAL: the first packet of a flow */
		reg_store(&re->rg, dreg, &u8, NULL, 1, "ct direction", K_HEX);
		return;
	case NFT_CT_MARK: {
		static const uint8_t none[4];

		/* A new flow starts at 0, unless an earlier rule set it (ct mark set). */
		reg_store(&re->rg, dreg, &re->st->ctmark, re->st->ctmark_unknown ? none : NULL, 4, "ct mark", K_MARK);
		return;
	}
	case NFT_CT_L3PROTOCOL:
		u8 = p->family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
		reg_store(&re->rg, dreg, &u8, NULL, 1, "ct l3proto", K_HEX);
		return;
	case NFT_CT_PROTOCOL:
		reg_store(&re->rg, dreg, &p->l4proto, NULL, 1, "ct protocol", K_PROTO);
		return;
	default:
		key_not_evaluated(re, dreg, "ct", nftr_key("ct", key), key);
		return;
	}
}

static int
cmp_op(int c, uint32_t op)
{
	switch (op) {
	case NFT_CMP_EQ: return c == 0;
	case NFT_CMP_NEQ: return c != 0;
	case NFT_CMP_LT: return c < 0;
	case NFT_CMP_LTE: return c <= 0;
	case NFT_CMP_GT: return c > 0;
	case NFT_CMP_GTE: return c >= 0;
	default: return -1;
	}
}

static void
op_cmp(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG);
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), len = 0;
	const uint8_t *data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	int off, res;
	char why[160];

	if (!data || !reg_range_ok(sreg, len)) {
		unknown(re, "cmp on a bad register");
		return;
	}
	off = reg_off(sreg);
	nftr_cmp(re, off, op, data, len);
	if (!reg_known(&re->rg, sreg, len)) {
		unknown(re, "%s", reg_why(&re->rg, sreg, len, why, sizeof(why)));
		return;
	}
	res = cmp_op(memcmp(re->rg.b + off, data, len), op);
	if (res < 0)
		unknown(re, "cmp op %u", op);
	else if (!res)
		re->match = M_NO;
}

static void
op_bitwise(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_SREG);
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_DREG);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_LEN), ml = 0, xl = 0;
	const uint8_t *mask = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_MASK, &ml);
	const uint8_t *xor = nftnl_expr_get(e, NFTNL_EXPR_BITWISE_XOR, &xl);
	uint8_t out[16], known[16];
	int so;
	char d[48];
	uint8_t kind;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_BITWISE_OP) &&
	    nftnl_expr_get_u32(e, NFTNL_EXPR_BITWISE_OP) != NFT_BITWISE_BOOL) {
		unknown(re, "bitwise shift");
		return;
	}
	if (!mask || !xor || ml < len || xl < len || len > 16 || !reg_range_ok(sreg, len) ||
	    !reg_range_ok(dreg, len)) {
		unknown(re, "bitwise of an unexpected shape");
		return;
	}
	so = reg_off(sreg);
	for (uint32_t i = 0; i < len; i++) {
		out[i] = (uint8_t)((re->rg.b[so + (int)i] & mask[i]) ^ xor[i]);
		/* A bit masked out is known whatever the packet holds. */
		known[i] = re->rg.known[so + (int)i] || (mask[i] == 0);
	}
	snprintf(d, sizeof(d), "%s", re->rg.desc[so / 4]);
	kind = re->rg.kind[so / 4];
	reg_store(&re->rg, dreg, out, known, len, d, kind);
	nftr_bitwise(re, dreg, kind, mask, xor, len);
}

static void
op_range(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG);
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP), fl = 0, tl = 0;
	const uint8_t *from = nftnl_expr_get(e, NFTNL_EXPR_RANGE_FROM_DATA, &fl);
	const uint8_t *to = nftnl_expr_get(e, NFTNL_EXPR_RANGE_TO_DATA, &tl);
	int off;
	bool in;
	char why[160];

	if (!from || !to || fl != tl || !reg_range_ok(sreg, fl)) {
		unknown(re, "range of an unexpected shape");
		return;
	}
	off = reg_off(sreg);
	nftr_range(re, off, op, from, to, fl);
	if (!reg_known(&re->rg, sreg, fl)) {
		unknown(re, "%s", reg_why(&re->rg, sreg, fl, why, sizeof(why)));
		return;
	}
	if (op != NFT_RANGE_EQ && op != NFT_RANGE_NEQ) {
		unknown(re, "range op %u is not evaluated", op);
		return;
	}
	in = memcmp(re->rg.b + off, from, fl) >= 0 && memcmp(re->rg.b + off, to, fl) <= 0;
	if (in != (op == NFT_RANGE_EQ))
		re->match = M_NO;
}

/*
 * The set from the cache, or fetched into it on a miss: a named set as its definition
 * alone when the fetch can ask the kernel key by key, an anonymous one (bounded by its
 * rule) whole.
 */
static struct pc_cached_set *
cache_set(struct pc_nft_cache *c, const struct pc_nft_fetch *fetch, uint32_t family, const char *table,
	  const char *name, int *rc)
{
	struct pc_cached_set *cs;

	for (size_t i = 0; i < c->nsets; i++)
		if (c->sets[i].family == family && strcmp(c->sets[i].table, table) == 0 &&
		    strcmp(c->sets[i].set.name, name) == 0) {
			*rc = c->sets[i].rc;
			return c->sets[i].rc == 0 ? &c->sets[i] : NULL;
		}
	if (!fetch || !fetch->set) {
		*rc = -ENOENT;
		return NULL;
	}
	cs = realloc(c->sets, (c->nsets + 1) * sizeof(*cs));
	if (!cs) {
		*rc = -ENOMEM;
		return NULL;
	}
	c->sets = cs;
	cs = &c->sets[c->nsets++];
	memset(cs, 0, sizeof(*cs));
	cs->family = family;
	snprintf(cs->table, sizeof(cs->table), "%s", table);
	if (fetch->set_def && fetch->elem && fetch->elems) {
		cs->rc = fetch->set_def(c, family, table, name, &cs->set);
		snprintf(cs->set.name, sizeof(cs->set.name), "%s", name);
		if (cs->rc == 0 && (cs->set.flags & NFT_SET_ANONYMOUS))
			cs->rc = fetch->elems(c, family, table, &cs->set);
		else if (cs->rc == 0)
			cs->by_key = true;
	} else {
		cs->rc = fetch->set(c, family, table, name, &cs->set);
	}
	snprintf(cs->set.name, sizeof(cs->set.name), "%s", name);
	*rc = cs->rc;
	return cs->rc == 0 ? cs : NULL;
}

/*
 * key against [lo, hi] field by field: a concatenation of ranges (pipapo) holds a range
 * per field, each field padded to 4 bytes in the key; one field is the whole key.
 */
static bool
in_range(const struct pp_nft_set *s, const uint8_t *key, const uint8_t *lo, const uint8_t *hi, uint32_t klen)
{
	uint32_t off = 0;

	if (s->nfields <= 1)
		return memcmp(key, lo, klen) >= 0 && memcmp(key, hi, klen) <= 0;
	for (uint32_t f = 0; f < s->nfields; f++) {
		uint32_t fl = s->field_len[f];

		if (off + fl > klen)
			return false;
		if (memcmp(key + off, lo + off, fl) < 0 || memcmp(key + off, hi + off, fl) > 0)
			return false;
		off += (fl + 3) & ~3u;
	}
	return true;
}

/*
 * Is key in the set (the elements read whole, the fallback)? Interval sets hold
 * [start, end) pairs, the end flagged (rbtree), or elements with key_end (pipapo). One
 * pass: the greatest start at or below key, and no end marker after it up to key.
 */
static const struct pp_nft_elem *
set_find(const struct pp_nft_set *s, const uint8_t *key, uint32_t klen, bool *found)
{
	const struct pp_nft_elem *best = NULL;

	*found = false;
	if (!(s->flags & NFT_SET_INTERVAL)) {
		for (size_t i = 0; i < s->nelems; i++)
			if (s->elems[i].key_len == klen && memcmp(s->elems[i].key, key, klen) == 0) {
				*found = true;
				return &s->elems[i];
			}
		return NULL;
	}
	for (size_t i = 0; i < s->nelems; i++) {
		const struct pp_nft_elem *el = &s->elems[i];

		if (el->flags & NFT_SET_ELEM_INTERVAL_END || el->key_len != klen)
			continue;
		if (el->key_end_len == klen) {
			if (in_range(s, key, el->key, el->key_end, klen)) {
				*found = true;
				return el;
			}
			continue;
		}
		if (memcmp(key, el->key, klen) >= 0 && (!best || memcmp(el->key, best->key, klen) > 0))
			best = el;
	}
	if (!best)
		return NULL;
	for (size_t i = 0; i < s->nelems; i++) {
		const struct pp_nft_elem *x = &s->elems[i];

		/* An end marker is the first key past its range: in (start, key] it closes it. */
		if ((x->flags & NFT_SET_ELEM_INTERVAL_END) && x->key_len == klen &&
		    memcmp(x->key, best->key, klen) > 0 && memcmp(x->key, key, klen) <= 0)
			return NULL;
	}
	*found = true;
	return best;
}

/*
 * The element for key: asked of the kernel (one NFT_MSG_GETSETELEM, the answer kept)
 * for a set read by key, else found in the elements read whole. A kernel that cannot
 * answer one key makes the set read whole, once. Returns 0 (*found set) or -errno.
 */
static int
set_lookup(struct pc_nft_cache *c, const struct pc_nft_fetch *fetch, struct pc_cached_set *cs,
	   const uint8_t *key, uint32_t klen, const struct pp_nft_elem **el, bool *found)
{
	struct pc_set_answer *a;
	int rc;

	*el = NULL;
	*found = false;
	if (cs->by_key) {
		for (size_t i = 0; i < cs->nanswers; i++)
			if (cs->answers[i].klen == klen && memcmp(cs->answers[i].key, key, klen) == 0) {
				*found = cs->answers[i].rc == 0;
				*el = *found ? &cs->answers[i].el : NULL;
				return 0;
			}
		a = realloc(cs->answers, (cs->nanswers + 1) * sizeof(*a));
		if (!a)
			return -ENOMEM;
		cs->answers = a;
		a = &cs->answers[cs->nanswers];
		memset(a, 0, sizeof(*a));
		memcpy(a->key, key, klen);
		a->klen = klen;
		rc = fetch->elem(c, cs->family, cs->table, &cs->set, key, klen, &a->el);
		if (rc == 0 || rc == -ENOENT) {
			a->rc = rc;
			cs->nanswers++;
			*found = rc == 0;
			*el = *found ? &a->el : NULL;
			return 0;
		}
		if (rc != -EOPNOTSUPP && rc != -EPROTO)
			return rc;
		/* This kernel cannot answer one key: read the set whole, once. */
		cs->by_key = false;
		if ((rc = fetch->elems(c, cs->family, cs->table, &cs->set)) < 0) {
			cs->rc = rc;
			return rc;
		}
	}
	*el = set_find(&cs->set, key, klen, found);
	return 0;
}

/* A lookup; true when it stored a map's value in its destination register. */
static bool
lookup_eval(struct rule_eval *re, struct nftnl_expr *e)
{
	uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG);
	uint32_t flags = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) ?
				 nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) : 0;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
	struct pc_cached_set *cs;
	const struct pp_nft_set *s;
	const struct pp_nft_elem *el;
	bool inv = flags & NFT_LOOKUP_F_INV, found;
	char why[160];
	int rc, off;

	if (!name) {
		unknown(re, "lookup without a set name");
		return false;
	}
	off = reg_off(sreg);
	cs = cache_set(re->cache, re->fetch, re->family, re->table, name, &rc);
	s = cs ? &cs->set : NULL;
	re->vmap = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG) &&
		   nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG) == NFT_REG_VERDICT;
	nftr_lookup(re, s, name, off, inv);
	if (!s) {
		unknown(re, "set @%s could not be read: %s", name, strerror(-rc));
		return false;
	}
	if (!reg_range_ok(sreg, s->key_len) || s->key_len > PP_NFT_KEY_MAX) {
		unknown(re, "lookup in @%s of an unexpected shape", name);
		return false;
	}
	if (!reg_known(&re->rg, sreg, s->key_len)) {
		unknown(re, "%s", reg_why(&re->rg, sreg, s->key_len, why, sizeof(why)));
		return false;
	}
	if ((rc = set_lookup(re->cache, re->fetch, cs, re->rg.b + off, s->key_len, &el, &found)) < 0) {
		unknown(re, "set @%s could not be read: %s", name, strerror(-rc));
		return false;
	}
	if (found == inv) {
		re->match = M_NO;
		return false;
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG)) {
		uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG);

		if (dreg == NFT_REG_VERDICT && el && el->has_verdict) {
			re->has_verdict = true;
			re->verdict = el->verdict;
			snprintf(re->target, sizeof(re->target), "%s", el->chain);
		} else if (el && reg_range_ok(dreg, el->data_len) && el->data_len) {
			reg_store(&re->rg, dreg, el->data, NULL, el->data_len, name, K_HEX);
			return true;
		} else {
			unknown(re, "map @%s gives no usable value", name);
		}
	}
	return false;
}

static void
op_lookup(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	uint32_t dreg, sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG);
	static const uint8_t none[16];
	char desc[48];
	bool stored;

	/* What a map's value is named by: its key, "tcp sport map" (nft: tcp sport map { ... }). */
	nftr_map_desc(re, sreg, desc, sizeof(desc));
	stored = lookup_eval(re, e);
	/*
	 * A verdict map that could not be looked up (a key not known, a map not read): the
	 * rule has a verdict, only not a known one; it is not a rule that "only counts".
	 */
	if (re->vmap && !re->has_verdict && re->match == M_UNKNOWN)
		re->unfollowed = true;
	if (!nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG))
		return;
	dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG);
	if (stored) {
		snprintf(re->rg.desc[reg_off(dreg) / 4], sizeof(re->rg.desc[0]), "%s", desc);
		return;
	}
	/* A map's value the lookup did not find is unknown: a mark set from it must not read stale bytes. */
	if (reg_range_ok(dreg, 16) || reg_range_ok(dreg, 4))
		reg_store(&re->rg, dreg, none, none, reg_range_ok(dreg, 16) ? 16 : 4, desc, K_HEX);
}

static void
op_immediate(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG), len = 0;
	const void *data;

	if (dreg == NFT_REG_VERDICT) {
		const char *chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);

		if (!nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT)) {
			not_followed(re, "immediate to the verdict register without a verdict");
			return;
		}
		re->has_verdict = true;
		re->verdict = (int32_t)nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT);
		re->target[0] = '\0';
		if (chain)
			snprintf(re->target, sizeof(re->target), "%s", chain);
		return;
	}
	data = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &len);
	if (!data || !reg_range_ok(dreg, len)) {
		unknown(re, "immediate of an unexpected shape");
		return;
	}
	reg_store(&re->rg, dreg, data, NULL, len, "", len == 4 ? K_ADDR4 : len == 16 ? K_ADDR6 : len == 2 ? K_PORT : K_HEX);
}

/*
 * The len bytes a nat reads from the register in attr. For a dnat, one that is not known
 * (nothing wrote it, a numgen, a lookup that did not decide) makes the destination
 * unknown: the rule is not followed. An snat's source does not bear on the path here.
 */
static const uint8_t *
nat_reg(struct rule_eval *re, struct nftnl_expr *e, uint16_t attr, uint32_t len, bool dnat, const char *part)
{
	uint32_t reg = nftnl_expr_get_u32(e, attr);
	char why[160];

	if (!reg_range_ok(reg, len)) {
		if (dnat)
			not_followed(re, "dnat %s from register %u of an unexpected shape", part, reg);
		return NULL;
	}
	if (!reg_known(&re->rg, reg, len)) {
		if (dnat)
			not_followed(re, "dnat %s: %s", part, reg_why(&re->rg, reg, len, why, sizeof(why)));
		return NULL;
	}
	return re->rg.b + reg_off(reg);
}

static void
nat_regs(struct rule_eval *re, struct nftnl_expr *e, const char *what)
{
	bool dnat = strcmp(what, "dnat") == 0, has_addr = false, has_port = false;
	const uint8_t *lo, *hi;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN)) {
		int fam = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FAMILY) ?
				  (int)nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY) : NFPROTO_IPV4;
		uint32_t alen = fam == NFPROTO_IPV6 ? 16 : 4;

		if ((lo = nat_reg(re, e, NFTNL_EXPR_NAT_REG_ADDR_MIN, alen, dnat, "address")) != NULL) {
			has_addr = true;
			pp_addr_set(&re->nat_addr, fam == NFPROTO_IPV6 ? AF_INET6 : AF_INET, lo, alen);
			/* dnat to A-B: the kernel picks one of them (nf_nat_l3proto's range). */
			if (dnat && nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MAX) &&
			    (hi = nat_reg(re, e, NFTNL_EXPR_NAT_REG_ADDR_MAX, alen, dnat, "address")) != NULL &&
			    memcmp(lo, hi, alen) != 0)
				not_followed(re, "dnat to a range of addresses: the kernel picks one");
		}
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MIN)) {
		if ((lo = nat_reg(re, e, NFTNL_EXPR_NAT_REG_PROTO_MIN, 2, dnat, "port")) != NULL) {
			re->nat_port = (uint16_t)((lo[0] << 8) | lo[1]);
			has_port = true;
			if (dnat && nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MAX) &&
			    (hi = nat_reg(re, e, NFTNL_EXPR_NAT_REG_PROTO_MAX, 2, dnat, "port")) != NULL &&
			    memcmp(lo, hi, 2) != 0)
				not_followed(re, "dnat to a range of ports: the kernel picks one");
		}
	}
	nftr_nat(re, what, has_addr, has_port);
}

/* byteorder: swap each size-byte group of len bytes, register to register. */
static void
op_byteorder(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SREG);
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_DREG);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_LEN);
	uint32_t size = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SIZE);
	uint8_t out[16], known[16];
	char d[48];
	int so;

	if (len > 16 || !reg_range_ok(sreg, len) || !reg_range_ok(dreg, len) ||
	    (size != 2 && size != 4 && size != 8)) {
		unknown(re, "byteorder of an unexpected shape");
		return;
	}
	/*
	 * nft_byteorder_eval swaps len / size whole groups and leaves the bytes past them
	 * alone: nft writes "meta l4proto" in a concatenation as hton(reg, 2, 1), which
	 * swaps nothing and leaves the register as it was.
	 */
	len -= len % size;
	if (len == 0)
		return;
	so = reg_off(sreg);
	for (uint32_t i = 0; i < len; i += size)
		for (uint32_t k = 0; k < size; k++) {
			out[i + k] = re->rg.b[so + (int)(i + size - 1 - k)];
			known[i + k] = re->rg.known[so + (int)(i + size - 1 - k)];
		}
	snprintf(d, sizeof(d), "%s", re->rg.desc[so / 4]);
	reg_store(&re->rg, dreg, out, known, len, d, K_HEX);
}

/* An expression pathcheck does not evaluate: its rule is undecided, the expression named. */
static void
not_evaluated(struct rule_eval *re, const char *n)
{
	nftr_add(re, "%s", n);
	unknown(re, "'%s' expression is not evaluated by pathcheck", n);
}

/* counter, log, notrack, last, dup: statements that decide nothing here. */
static void
op_statement(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	nftr_add(re, "%s", ops->name);
}

/*
 * A named object. A counter counts; a ct helper, timeout, expectation or a secmark is
 * given to the flow; a quota, limit or connlimit decides whether the rule matches, a
 * synproxy answers the SYN itself, a tunnel sends the packet elsewhere: not evaluated.
 */
static void
op_objref(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	static const char *const types[] = {
		[NFT_OBJECT_COUNTER] = "counter", [NFT_OBJECT_QUOTA] = "quota",
		[NFT_OBJECT_CT_HELPER] = "ct helper", [NFT_OBJECT_LIMIT] = "limit",
		[NFT_OBJECT_CONNLIMIT] = "ct count", [NFT_OBJECT_TUNNEL] = "tunnel",
		[NFT_OBJECT_CT_TIMEOUT] = "ct timeout", [NFT_OBJECT_SECMARK] = "secmark",
		[NFT_OBJECT_CT_EXPECT] = "ct expectation", [NFT_OBJECT_SYNPROXY] = "synproxy",
	};
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_OBJREF_IMM_TYPE);
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_OBJREF_IMM_NAME);
	const char *tn = type < PP_ARRAY_SIZE(types) ? types[type] : NULL;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_SET_NAME)) {
		const char *map = nftnl_expr_get_str(e, NFTNL_EXPR_OBJREF_SET_NAME);

		nftr_add(re, "objref map @%s", map ? map : "?");
		unknown(re, "objref map @%s: the object it picks, and what that does, is not evaluated",
			map ? map : "?");
		return;
	}
	if (!nftnl_expr_is_set(e, NFTNL_EXPR_OBJREF_IMM_TYPE) || !tn) {
		nftr_add(re, "objref");
		unknown(re, "objref of object type %u is not evaluated", type);
		return;
	}
	nftr_add(re, "%s name \"%s\"", tn, name ? name : "?");
	switch (type) {
	case NFT_OBJECT_COUNTER:
	case NFT_OBJECT_CT_HELPER:
	case NFT_OBJECT_CT_TIMEOUT:
	case NFT_OBJECT_CT_EXPECT:
	case NFT_OBJECT_SECMARK:
		return;
	case NFT_OBJECT_TUNNEL:
		not_followed(re, "objref: tunnel object \"%s\" is not followed by pathcheck", name ? name : "?");
		return;
	default:
		unknown(re, "objref: %s object \"%s\" decides and is not evaluated by pathcheck", tn,
			name ? name : "?");
		return;
	}
}

struct dynset_ctx {
	struct rule_eval *re;
};

static int
dynset_inner(struct nftnl_expr *e, void *data)
{
	struct dynset_ctx *dc = data;
	const char *n = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	/* counter and last keep state in the element; limit, quota, connlimit decide the match. */
	nftr_add(dc->re, "%s", n ? n : "?");
	if (!n || (strcmp(n, "counter") != 0 && strcmp(n, "last") != 0))
		unknown(dc->re, "dynset: '%s' in the element decides and is not evaluated by pathcheck",
			n ? n : "?");
	return 0;
}

/*
 * add @set { key }, update @set { key }, delete: the rule goes on, unless the set is full
 * (nft_dynset_eval breaks then; the inverted form matches only then) or an expression
 * kept in the element decides (a meter: add @m { ip saddr limit rate over 10/second }).
 */
static void
op_dynset(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	const char *set = nftnl_expr_get_str(e, NFTNL_EXPR_DYNSET_SET_NAME);
	uint32_t flags = nftnl_expr_is_set(e, NFTNL_EXPR_DYNSET_FLAGS) ?
				 nftnl_expr_get_u32(e, NFTNL_EXPR_DYNSET_FLAGS) : 0;
	struct dynset_ctx dc = { re };

	nftr_add(re, "dynset");
	if (!set) {
		unknown(re, "dynset without a set name");
		return;
	}
	if (flags & NFT_DYNSET_F_INV) {
		unknown(re, "dynset @%s inverted: it matches when the set is full, which pathcheck cannot see", set);
		return;
	}
	nftnl_expr_expr_foreach(e, dynset_inner, &dc);
}

static void
op_exthdr(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	bool mss;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_SREG)) {
		/*
		 * A load (tcp option, ipv6 extension header, sctp chunk): its register now holds
		 * bytes the VM does not know, never what an earlier expression left there.
		 */
		if (nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_DREG)) {
			uint8_t zero[16] = { 0 }, known[16] = { 0 };
			uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_DREG);
			uint32_t len = nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_LEN) ? nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_LEN) : 4;

			if (len == 0 || len > 16)
				len = 16;
			if (reg_range_ok(dreg, len))
				reg_store(&re->rg, dreg, zero, known, len, ops->name, K_HEX);
		}
		if (nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_OP) &&
		    nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_OP) == NFT_EXTHDR_OP_SCTP) {
			/* sctp chunk TYPE exists / sctp chunk TYPE FIELD: the chunks are not modelled */
			nftr_add(re, "sctp chunk %u", nftnl_expr_get_u8(e, NFTNL_EXPR_EXTHDR_TYPE));
			unknown(re, "sctp chunk %u: the packet's SCTP chunks are not known to pathcheck",
				nftnl_expr_get_u8(e, NFTNL_EXPR_EXTHDR_TYPE));
			return;
		}
		not_evaluated(re, ops->name);
		return;
	}
	/* A TCP option write; option 2 is the MSS: an MSS clamp. */
	mss = nftnl_expr_get_u8(e, NFTNL_EXPR_EXTHDR_TYPE) == 2;
	nftr_add(re, mss ? "tcp option maxseg size set" : "tcp option set");
	re->mss_clamp |= mss;
}

/*
 * reject as nft lists it: the type and code, the default (port unreachable of the
 * table's family; icmpx in an inet table) shown bare. The ICMP family of a plain icmp reject is the packet's.
 */
static void
nftr_reject(struct rule_eval *re, uint32_t type, uint8_t code)
{
	static const char *const v4[] = { [0] = "net-unreachable", [1] = "host-unreachable",
		[2] = "prot-unreachable", [3] = "port-unreachable", [9] = "net-prohibited",
		[10] = "host-prohibited", [13] = "admin-prohibited" };
	static const char *const v6[] = { "no-route", "admin-prohibited", NULL, "addr-unreachable",
		"port-unreachable", "policy-fail", "reject-route" };
	static const char *const x[] = { "no-route", "port-unreachable", "host-unreachable", "admin-prohibited" };
	bool six = re->p->family == AF_INET6;
	const char *n = NULL;

	switch (type) {
	case NFT_REJECT_TCP_RST:
		nftr_add(re, "reject with tcp reset");
		return;
	case NFT_REJECT_ICMP_UNREACH:
		/* bare in an ip or ip6 table; an inet table's bare reject is icmpx */
		if ((six ? code == 4 : code == 3) && re->family != NFPROTO_INET) {
			nftr_add(re, "reject");
			return;
		}
		n = six ? (code < PP_ARRAY_SIZE(v6) ? v6[code] : NULL) : (code < PP_ARRAY_SIZE(v4) ? v4[code] : NULL);
		if (n)
			nftr_add(re, "reject with %s %s", six ? "icmpv6" : "icmp", n);
		else
			nftr_add(re, "reject with %s %u", six ? "icmpv6" : "icmp", code);
		return;
	case NFT_REJECT_ICMPX_UNREACH:
		if (code == NFT_REJECT_ICMPX_PORT_UNREACH) {
			nftr_add(re, "reject");
			return;
		}
		if (code < PP_ARRAY_SIZE(x))
			nftr_add(re, "reject with icmpx %s", x[code]);
		else
			nftr_add(re, "reject with icmpx %u", code);
		return;
	default:
		nftr_add(re, "reject (type %u)", type);
	}
}

static void
op_reject(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	re->has_verdict = true;
	re->verdict = NF_DROP;
	re->reject = true;
	nftr_reject(re, nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE),
		    nftnl_expr_is_set(e, NFTNL_EXPR_REJECT_CODE) ? nftnl_expr_get_u8(e, NFTNL_EXPR_REJECT_CODE) : 0);
}

static void
op_nat(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	bool dnat = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE) == NFT_NAT_DNAT;

	if (!nftnl_expr_is_set(e, NFTNL_EXPR_NAT_TYPE)) {
		nftr_add(re, "nat");
		not_followed(re, "nat without a type (snat or dnat)");
		return;
	}
	nat_regs(re, e, dnat ? "dnat" : "snat");
	re->dnat = dnat;
	re->has_verdict = true;
	re->verdict = NF_ACCEPT;
}

/*
 * masq, redir: a nat to an address the kernel picks. masquerade changes the source only;
 * redirect sends the packet to this host (its port too, redirect to :3128), a new
 * destination the VM does not follow.
 */
static void
op_nat_local(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	bool masq = strcmp(ops->name, "masq") == 0;
	const char *what = masq ? "masquerade" : "redirect";

	snprintf(re->nat, sizeof(re->nat), "%s", what);
	nftr_add(re, "%s", what);
	re->has_verdict = true;
	re->verdict = NF_ACCEPT;
	if (!masq)
		not_followed(re, "redirect: the new destination (this host) is not followed by pathcheck");
}

/*
 * ---- x_tables expressions (iptables-nft's match and target, common/xt.c) ----
 *
 * What the packet is at this hook, as the x_tables decoders ask for it. Every fact
 * pathcheck does not have stays "not known", so a match that needs it is unknown.
 */
static void
xt_pkt(const struct rule_eval *re, struct pp_xt_pkt *x)
{
	const struct pc_pkt *p = re->p;

	memset(x, 0, sizeof(*x));
	x->family = p->family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	x->addr_known = p->src_known;
	x->src = p->src;
	x->dst = p->dst;
	x->l4_known = true;
	x->l4proto = p->l4proto;
	x->sport_known = p->sport_known;
	x->dport_known = p->dport_known;
	x->sport = p->sport;
	x->dport = p->dport;
	/* The flow's first packet: a TCP SYN, an ICMP echo request. */
	if (p->l4proto == IPPROTO_TCP && p->ct_state == 8) {
		x->tcp_flags_known = true;
		x->tcp_flags = 0x02;
	} else if (p->l4proto == IPPROTO_TCP && p->ct_reply && p->ct_state == 2) {
		/* The answer to a SYN: SYN-ACK. */
		x->tcp_flags_known = true;
		x->tcp_flags = 0x12;
	}
	if (p->l4proto == IPPROTO_ICMP || p->l4proto == IPPROTO_ICMPV6) {
		x->icmp_known = !p->ct_reply || p->ct_state == 2;
		x->icmp_type = p->ct_reply ? (p->l4proto == IPPROTO_ICMP ? 0 : 129) : (p->l4proto == IPPROTO_ICMP ? 8 : 128);
	}
	/* "" is a hook without that device: known to be none. */
	x->iif_known = x->oif_known = true;
	snprintf(x->iif, sizeof(x->iif), "%s", p->iifname);
	snprintf(x->oif, sizeof(x->oif), "%s", p->oifname);
	x->mark_known = !re->st->mark_unknown;
	x->mark = re->st->mark;
	x->ctmark_known = !re->st->ctmark_unknown;
	x->ctmark = re->st->ctmark;
	x->ctstate_known = true;
	x->ctstate = p->ct_state;
	x->ctdir_known = p->ct_state == 8 || p->ct_reply;	/* a new flow is in its original direction */
	x->ctdir = p->ct_reply ? 1 : 0;				/* IP_CT_DIR_REPLY, IP_CT_DIR_ORIGINAL */
	if (p->ct_tuple_known && p->ct_state == 8 && !p->ct_reply && p->src_known && p->dport_known) {
		x->cttuple_known = true;
		x->ct_l4proto = p->l4proto;
		x->ct_orig.src = p->src;
		x->ct_orig.dst = p->ct_orig_dst;
		x->ct_orig.sport = p->sport;
		x->ct_orig.dport = p->ct_orig_dport;
		x->ct_reply.src = p->dst;
		x->ct_reply.dst = p->src;
		x->ct_reply.sport = p->dport;
		x->ct_reply.dport = p->sport;
		x->ct_sport_unknown = !p->sport_known;
	}
	x->addrtype_known = p->addrtype_known;
	x->src_type = p->src_type;
	x->dst_type = p->dst_type;
	x->smac_known = p->ll_src_known;
	memcpy(x->smac, p->ll_src, 6);
	x->phys_known = p->phys_known;
	x->bridged = p->bridged;
	snprintf(x->physin, sizeof(x->physin), "%s", p->physin);
	snprintf(x->physout, sizeof(x->physout), "%s", p->physout);
}

/* -m set: the ipset's members asked of the kernel through the glue, one key at a time. */
struct vm_set_ctx {
	const struct rule_eval *re;
	const char *name;
};

static int
vm_set_test(const struct pp_xt_set_query *q, void *ctx, char *why, size_t whylen)
{
	const struct vm_set_ctx *sc = ctx;

	return sc->re->fetch->ipset_test(sc->re->cache, sc->name, q, why, whylen);
}

static int choice_take(struct rule_eval *re, uint32_t mod, const char *d);

/* -m NAME: decoded and judged on the packet; one the decoder does not know leaves the rule unknown. */
static void
op_match(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_MT_NAME);
	uint32_t len = 0;
	const void *info = nftnl_expr_get(e, NFTNL_EXPR_MT_INFO, &len);
	struct pp_xt_match m;
	struct pp_xt_pkt x;
	struct vm_set_ctx sc;
	char err[160], text[256], why[200];

	re->xt = true;
	if (!name || !nftnl_expr_is_set(e, NFTNL_EXPR_MT_REV)) {
		not_evaluated(re, ops->name);
		return;
	}
	if (pp_xt_match_decode(name, nftnl_expr_get_u32(e, NFTNL_EXPR_MT_REV),
			       re->p->family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4, info, info ? len : 0, &m,
			       err, sizeof(err)) < 0) {
		nftr_add(re, "-m %s", name);
		unknown(re, "-m %s: %s", name, err);
		return;
	}
	/* -m set names its ipset by the kernel's index: the name for the text and the test. */
	if (pp_xt_match_set_index(&m) >= 0 && re->fetch && re->fetch->ipset_name && !m.set_name[0] &&
	    re->fetch->ipset_name(re->cache, (uint16_t)pp_xt_match_set_index(&m), m.set_name,
				  sizeof(m.set_name)) < 0)
		m.set_name[0] = '\0';
	pp_xt_match_text(&m, text, sizeof(text));
	nftr_add(re, "%s", text);
	xt_pkt(re, &x);
	if (m.set_name[0] && re->fetch && re->fetch->ipset_test) {
		sc.re = re;
		sc.name = m.set_name;
		x.set_test = vm_set_test;
		x.set_ctx = &sc;
	}
	why[0] = '\0';
	switch (pp_xt_match_eval(&m, &x, why, sizeof(why))) {
	case PP_XT_MATCH:
		break;
	case PP_XT_NOMATCH:
		re->match = M_NO;
		break;
	case PP_XT_BRANCH: {
		/*
		 * -m statistic (kube-proxy's iptables mode: one rule per endpoint, --probability
		 * 1/n, 1/(n-1), ...): the kernel decides per flow whether it matches; a choice of
		 * two, option 0 the match, 1 the miss, each walked to its end.
		 */
		struct pp_xt_branch b;
		char d[48];
		int taken = -1;

		if (re->match == M_NO)
			break;
		if (pp_xt_match_branch(&m, &b)) {
			snprintf(d, sizeof(d), "-m statistic p=%.4f (0 match, 1 miss)", b.p_match);
			taken = choice_take(re, 2, d);
		}
		if (taken < 0)
			unknown(re, "%s: the kernel picks at random or by count whether it matches (%s)", text, why);
		else if (taken == 1)
			re->match = M_NO;
		break;
	}
	default:
		unknown(re, "%s", why);
		break;
	}
}

/*
 * -j NAME: the action decoded (common/xt.c) and applied as nft's own statement would
 * be: a verdict, a nat, a mark, a connmark; statements that change nothing pathcheck
 * judges (LOG, NFLOG, CHECKSUM, CT) are noted; anything else leaves the rule unknown.
 */
static void
op_target(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_TG_NAME);
	uint32_t len = 0;
	const void *info = nftnl_expr_get(e, NFTNL_EXPR_TG_INFO, &len);
	struct pp_xt_target t;
	const struct pp_xt_action *a = &t.act;
	char err[160], text[256];

	re->xt = true;
	if (xt_mark_target(re, e))
		return;
	if (!name || !nftnl_expr_is_set(e, NFTNL_EXPR_TG_REV)) {
		not_evaluated(re, ops->name);
		return;
	}
	if (pp_xt_target_decode(name, nftnl_expr_get_u32(e, NFTNL_EXPR_TG_REV),
				re->p->family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4, info, info ? len : 0, &t,
				err, sizeof(err)) < 0) {
		nftr_add(re, "-j %s", name);
		not_followed(re, "-j %s: %s", name, err);
		return;
	}
	pp_xt_target_text(&t, text, sizeof(text));
	if (text[0])
		nftr_add(re, "%s", text);
	switch (t.kind) {
	case PP_XT_T_DNAT: {
		bool has_addr = a->nat_range.flags & NF_NAT_RANGE_MAP_IPS;
		bool has_port = a->nat_range.flags & NF_NAT_RANGE_PROTO_SPECIFIED;

		if (has_addr && !pp_addr_eq(&a->nat_range.min, &a->nat_range.max))
			not_followed(re, "%s: a range of addresses, the kernel picks one", text);
		if (has_port && a->nat_range.min_port != a->nat_range.max_port)
			not_followed(re, "%s: a range of ports, the kernel picks one", text);
		if (a->nat_range.flags & (NF_NAT_RANGE_PROTO_OFFSET | NF_NAT_RANGE_PROTO_RANDOM_ALL))
			not_followed(re, "%s: the port is chosen by the kernel", text);
		if (has_addr)
			re->nat_addr = a->nat_range.min;
		if (has_port)
			re->nat_port = a->nat_range.min_port;
		snprintf(re->nat, sizeof(re->nat), "%s", text);
		re->dnat = has_addr || has_port;
		re->has_verdict = true;
		re->verdict = NF_ACCEPT;
		return;
	}
	case PP_XT_T_SNAT:
	case PP_XT_T_MASQUERADE:
		/* The source only: nothing later stations judge by. */
		snprintf(re->nat, sizeof(re->nat), "%s", text);
		re->has_verdict = true;
		re->verdict = NF_ACCEPT;
		return;
	case PP_XT_T_REDIRECT:
		snprintf(re->nat, sizeof(re->nat), "%s", text);
		re->has_verdict = true;
		re->verdict = NF_ACCEPT;
		not_followed(re, "%s: the new destination (this host) is not followed by pathcheck", text);
		return;
	case PP_XT_T_REJECT:
		re->has_verdict = true;
		re->verdict = NF_DROP;
		re->reject = true;
		return;
	case PP_XT_T_CONNMARK: {
		uint32_t mark = re->st->mark, ctmark = re->st->ctmark;
		bool mk = !re->st->mark_unknown, ck = !re->st->ctmark_unknown;

		pp_xt_connmark_apply(a, &mark, &ctmark);
		/* set: the ct mark from constants; save: from the mark; restore: the mark from the ct mark */
		if (a->connmark_mode == 0)	/* XT_CONNMARK_SET */
			mark_update(re, &re->st->ctmark, &re->st->ctmark_unknown, ctmark, ck || a->ctmask == 0xffffffffu);
		else if (a->connmark_mode == 1)	/* XT_CONNMARK_SAVE */
			mark_update(re, &re->st->ctmark, &re->st->ctmark_unknown, ctmark, mk && ck);
		else
			mark_update(re, &re->st->mark, &re->st->mark_unknown, mark, mk && ck);
		return;
	}
	case PP_XT_T_TCPMSS:
		re->mss_clamp = true;
		return;
	case PP_XT_T_LOG:
	case PP_XT_T_NFLOG:
	case PP_XT_T_CHECKSUM:
		return;
	case PP_XT_T_CT:
		if (a->notrack)
			not_followed(re, "%s: an untracked flow is not followed by pathcheck", text);
		return;
	case PP_XT_T_STANDARD:
		switch (a->verdict) {
		case PP_XT_V_ACCEPT:
			re->has_verdict = true;
			re->verdict = NF_ACCEPT;
			return;
		case PP_XT_V_DROP:
			re->has_verdict = true;
			re->verdict = NF_DROP;
			return;
		case PP_XT_V_RETURN:
			re->has_verdict = true;
			re->verdict = NFT_RETURN;
			return;
		case PP_XT_V_CONTINUE:
			return;
		default:
			break;
		}
		break;
	default:
		break;
	}
	not_followed(re, "%s is not evaluated by pathcheck", text[0] ? text : name);
}

/*
 * rt, fib, hash, numgen, socket, osf: a value pathcheck cannot know, loaded into a
 * register. Loading it decides nothing; only a comparison on it makes the rule unknown.
 */
static void
op_unknown_load(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	uint8_t zero[16] = { 0 }, known[16] = { 0 };
	uint32_t dreg;

	if (!nftnl_expr_is_set(e, ops->dreg)) {
		not_evaluated(re, ops->name);
		return;
	}
	dreg = nftnl_expr_get_u32(e, ops->dreg);
	if (!reg_range_ok(dreg, 16) && !reg_range_ok(dreg, 4)) {
		not_evaluated(re, ops->name);
		return;
	}
	reg_store(&re->rg, dreg, zero, known, reg_range_ok(dreg, 16) ? 16 : 4, ops->name, K_HEX);
	nftr_add(re, "%s", ops->name);
}

/*
 * numgen random mod N (offset O): the kernel draws one of O..O+N-1 for the flow. With
 * the walker following choices, this is a choice point: the value is the option the
 * walker picked for it (0 the first time it is met) and the VM notes N, so the walker
 * runs the other branches too. numgen inc (a counter) the same: each value is one
 * flow's fate. Without choices, or past PC_CHOICES_MAX, it is a value not known.
 */
/*
 * A choice the kernel makes for the flow, at the rule being evaluated, out of mod options
 * described by d: the option the walker picked for this rule (0 the first time it is
 * met), noted so the walker runs the other options too. -1 without choices, or past
 * PC_CHOICES_MAX or PC_CHOICE_OPTIONS_MAX (then overflow is noted).
 */
static int
choice_take(struct rule_eval *re, uint32_t mod, const char *d)
{
	struct pc_choices *ch = re->p->choices;
	struct pc_choice *c = NULL;
	char where[96];
	size_t k;

	if (!ch)
		return -1;
	if (mod > PC_CHOICE_OPTIONS_MAX) {
		ch->overflow = true;
		return -1;
	}
	snprintf(where, sizeof(where), "%s %s handle %llu", re->table ? re->table : "", re->chain ? re->chain : "",
		 (unsigned long long)re->handle);
	for (k = 0; k < ch->nseen; k++)
		if (strcmp(ch->seen[k].where, where) == 0) {
			c = &ch->seen[k];
			break;
		}
	if (!c) {
		if (ch->nseen >= PC_CHOICES_MAX) {
			ch->overflow = true;
			return -1;
		}
		k = ch->nseen++;
		c = &ch->seen[k];
		snprintf(c->where, sizeof(c->where), "%s", where);
		snprintf(c->what, sizeof(c->what), "%s", d);
		c->options = mod;
		c->taken = k < ch->npick && ch->pick[k] < mod ? ch->pick[k] : 0;
	}
	return (int)c->taken;
}

/*
 * A choice point: the register dreg gets off + the option the walker picked for this
 * rule out of mod (choice_take). Without choices, or past PC_CHOICES_MAX, the value is unknown.
 */
static void
choice_point(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops, uint32_t dreg,
	     uint32_t mod, uint32_t off, const char *d, const char *desc)
{
	uint32_t v;
	int taken;

	/* A rule that no longer matches (meta nfproto ipv4 on an IPv6 packet) makes no choice. */
	if (re->match == M_NO) {
		v = off;
		reg_store(&re->rg, dreg, &v, NULL, 4, desc, K_U32);
		nftr_add(re, "%s", d);
		return;
	}
	taken = choice_take(re, mod, d);
	if (taken < 0) {
		op_unknown_load(re, e, ops);
		return;
	}
	v = off + (uint32_t)taken;
	reg_store(&re->rg, dreg, &v, NULL, 4, desc, K_U32);
	nftr_add(re, "%s", d);
}

static void
op_numgen(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	uint32_t mod = nftnl_expr_get_u32(e, NFTNL_EXPR_NG_MODULUS);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_NG_OFFSET);
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_NG_DREG);
	uint32_t type = nftnl_expr_get_u32(e, NFTNL_EXPR_NG_TYPE);
	char d[48];

	if (!re->p->choices || !nftnl_expr_is_set(e, NFTNL_EXPR_NG_DREG) || !reg_range_ok(dreg, 4) || mod == 0 ||
	    (type != NFT_NG_RANDOM && type != NFT_NG_INCREMENTAL)) {
		op_unknown_load(re, e, ops);
		return;
	}
	snprintf(d, sizeof(d), "numgen %s mod %u", type == NFT_NG_RANDOM ? "random" : "inc", mod);
	if (off)
		snprintf(d + strlen(d), sizeof(d) - strlen(d), " offset %u", off);
	choice_point(re, e, ops, dreg, mod, off, d, "numgen");
}

/*
 * jhash KEY mod N seed S (offset O), symhash mod N (offset O): the kernel hashes the
 * flow (jhash: the key's bytes with the seed, reciprocal_scale into N; symhash: the
 * skb's symmetric flow hash) into one of O..O+N-1. pathcheck does not compute the hash
 * (a seed the kernel drew is not dumped, a source port is the kernel's pick): a choice
 * point, every value walked, as numgen. The key's register must be known for jhash all
 * the same: a key read before it was written is unknown, not a choice.
 */
static void
op_hash(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	uint32_t mod = nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_MODULUS);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_OFFSET);
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_DREG);
	uint32_t type = nftnl_expr_is_set(e, NFTNL_EXPR_HASH_TYPE) ? nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_TYPE)
								   : NFT_HASH_JENKINS;
	char d[96], why[160];

	if (!re->p->choices || !nftnl_expr_is_set(e, NFTNL_EXPR_HASH_DREG) || !reg_range_ok(dreg, 4) || mod == 0 ||
	    (type != NFT_HASH_JENKINS && type != NFT_HASH_SYM)) {
		op_unknown_load(re, e, ops);
		return;
	}
	if (type == NFT_HASH_JENKINS) {
		uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_SREG);
		uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_LEN);

		/* The destination is left not known either way: a later lookup must not read stale bytes. */
		if (!nftnl_expr_is_set(e, NFTNL_EXPR_HASH_SREG) || len == 0 || !reg_range_ok(sreg, len)) {
			unknown(re, "jhash of an unexpected shape");
			op_unknown_load(re, e, ops);
			return;
		}
		/*
		 * A key read before anything wrote it is a ruleset pathcheck cannot read; a key
		 * written but not known (a source port the kernel picks) still hashes to one of
		 * the N values: the choice stands.
		 */
		for (uint32_t i = 0; i < len; i += 4)
			if (!re->rg.written[(reg_off(sreg) + (int)i) / 4]) {
				unknown(re, "jhash: %s", reg_why(&re->rg, sreg, len, why, sizeof(why)));
				op_unknown_load(re, e, ops);
				return;
			}
		/* The key as nft writes it: each register slot's name once, "ip saddr . tcp sport". */
		{
			char key[48] = "";
			const char *last = NULL;

			for (uint32_t i = 0; i < len; i += 4) {
				const char *n = re->rg.desc[(reg_off(sreg) + (int)i) / 4];

				if (last && strcmp(last, n) == 0)
					continue;
				snprintf(key + strlen(key), sizeof(key) - strlen(key), "%s%s", last ? " . " : "", n);
				last = n;
			}
			snprintf(d, sizeof(d), "jhash %s mod %u", key, mod);
		}
		if (nftnl_expr_is_set(e, NFTNL_EXPR_HASH_SEED))
			snprintf(d + strlen(d), sizeof(d) - strlen(d), " seed 0x%x",
				 nftnl_expr_get_u32(e, NFTNL_EXPR_HASH_SEED));
	} else {
		snprintf(d, sizeof(d), "symhash mod %u", mod);
	}
	if (off)
		snprintf(d + strlen(d), sizeof(d) - strlen(d), " offset %u", off);
	choice_point(re, e, ops, dreg, mod, off, d, type == NFT_HASH_JENKINS ? "jhash" : "symhash");
}

/*
 * fib daddr type / fib saddr type (Docker's nftables backend: "fib daddr type local"):
 * the address's type in the kernel's local table, as nft_fib4_eval_type() asks
 * inet_dev_addr_type() with no device. Restricted to a device (". iif", ". oif"), or
 * any other result (oif, oifname: a route lookup, "fib saddr . iif oif missing"), the
 * value is one pathcheck does not compute here: loaded as unknown.
 */
/*
 * fib saddr [. mark] . iif oif: the device the route back to the source leaves by, when
 * that is the device the packet came in on (nft_fib4/6 with NFTA_FIB_F_IIF), else 0
 * ("missing": firewalld's and rpfilter's reverse path drop). The glue looked it up
 * with the mark the packet had entering the chain; a mark set since, or a lookup
 * without the mark on a marked packet, is a route the VM did not see.
 */
static void
op_fib_rpf(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops, uint32_t flags,
	   uint32_t dreg)
{
	const struct pc_pkt *p = re->p;
	uint32_t mark = (flags & NFTA_FIB_F_MARK) ? re->st->mark : 0, v;
	const char *d = (flags & NFTA_FIB_F_MARK) ? "fib saddr . mark . iif oif" : "fib saddr . iif oif";
	static const uint8_t none[4];
	uint32_t zero = 0;

	/* NFTA_FIB_F_PRESENT (nft's "exists"/"missing" on kernels that have it): one byte, 1 or 0. */
	uint32_t len = (flags & NFTA_FIB_F_PRESENT) ? 1 : 4;
	uint8_t kind = K_FIBOIF;

	if (!p->rpf_known || !p->src_known || p->iif <= 0 ||
	    ((flags & NFTA_FIB_F_MARK) && re->st->mark_unknown) || mark != p->rpf_mark) {
		reg_store(&re->rg, dreg, &zero, none, len, d, kind);
		return;
	}
	v = (flags & NFTA_FIB_F_PRESENT) ? (p->rpf_oif != 0) : (uint32_t)p->rpf_oif;
	if (len == 1) {
		uint8_t b = (uint8_t)v;

		reg_store(&re->rg, dreg, &b, NULL, 1, d, kind);
	} else {
		reg_store(&re->rg, dreg, &v, NULL, 4, d, kind);
	}
	(void)e;
	(void)ops;
}

static void
op_fib(struct rule_eval *re, struct nftnl_expr *e, const struct expr_ops *ops)
{
	uint32_t flags = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_FLAGS);
	uint32_t result = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_RESULT);
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_FIB_DREG);
	uint32_t which = flags & (NFTA_FIB_F_SADDR | NFTA_FIB_F_DADDR);
	const struct pc_pkt *p = re->p;
	uint16_t bits;
	uint32_t type = 0;
	char d[48];

	if (nftnl_expr_is_set(e, NFTNL_EXPR_FIB_DREG) && result == NFT_FIB_RESULT_OIF &&
	    (flags & ~(NFTA_FIB_F_MARK | NFTA_FIB_F_PRESENT)) == (NFTA_FIB_F_SADDR | NFTA_FIB_F_IIF) &&
	    reg_range_ok(dreg, 4)) {
		op_fib_rpf(re, e, ops, flags, dreg);
		return;
	}
	if (!nftnl_expr_is_set(e, NFTNL_EXPR_FIB_DREG) || result != NFT_FIB_RESULT_ADDRTYPE ||
	    (which != NFTA_FIB_F_SADDR && which != NFTA_FIB_F_DADDR) ||
	    (flags & ~(NFTA_FIB_F_SADDR | NFTA_FIB_F_DADDR)) || !reg_range_ok(dreg, 4) || !p->addrtype_known) {
		op_unknown_load(re, e, ops);
		return;
	}
	bits = which == NFTA_FIB_F_DADDR ? p->dst_type : p->src_type;
	while (bits > 1) {
		bits >>= 1;
		type++;
	}
	snprintf(d, sizeof(d), "fib %s type", which == NFTA_FIB_F_DADDR ? "daddr" : "saddr");
	reg_store(&re->rg, dreg, &type, NULL, 4, d, K_U32);
}

/*
 * The expressions the VM evaluates, sorted by name (bsearch). A name not here (limit,
 * quota, connlimit, queue, match, ...) makes its rule unknown, the expression named.
 */
static const struct expr_ops expr_ops[] = {
	{ .name = "bitwise",	.eval = op_bitwise },
	{ .name = "byteorder",	.eval = op_byteorder },
	{ .name = "cmp",	.eval = op_cmp },
	{ .name = "counter",	.eval = op_statement },
	{ .name = "ct",		.eval = op_ct },
	{ .name = "dup",	.eval = op_statement },
	{ .name = "dynset",	.eval = op_dynset },
	{ .name = "exthdr",	.eval = op_exthdr },
	{ .name = "fib",	.eval = op_fib,		.dreg = NFTNL_EXPR_FIB_DREG },
	{ .name = "hash",	.eval = op_hash,	.dreg = NFTNL_EXPR_HASH_DREG },
	{ .name = "immediate",	.eval = op_immediate },
	{ .name = "last",	.eval = op_statement },
	{ .name = "log",	.eval = op_statement },
	{ .name = "lookup",	.eval = op_lookup },
	{ .name = "masq",	.eval = op_nat_local },
	{ .name = "match",	.eval = op_match },
	{ .name = "meta",	.eval = op_meta },
	{ .name = "nat",	.eval = op_nat },
	{ .name = "notrack",	.eval = op_statement },
	{ .name = "numgen",	.eval = op_numgen,	.dreg = NFTNL_EXPR_NG_DREG },
	{ .name = "objref",	.eval = op_objref },
	{ .name = "osf",	.eval = op_unknown_load,	.dreg = NFTNL_EXPR_OSF_DREG },
	{ .name = "payload",	.eval = op_payload },
	{ .name = "range",	.eval = op_range },
	{ .name = "redir",	.eval = op_nat_local },
	{ .name = "reject",	.eval = op_reject },
	{ .name = "rt",		.eval = op_unknown_load,	.dreg = NFTNL_EXPR_RT_DREG },
	{ .name = "socket",	.eval = op_unknown_load,	.dreg = NFTNL_EXPR_SOCKET_DREG },
	{ .name = "target",	.eval = op_target },
};

static int
ops_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct expr_ops *)elem)->name);
}

const char *
pc_nftvm_expr_name(size_t i)
{
	return i < PP_ARRAY_SIZE(expr_ops) ? expr_ops[i].name : NULL;
}

static void
eval_expr(struct rule_eval *re, struct nftnl_expr *e)
{
	const char *n = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
	const struct expr_ops *ops;

	if (!n) {
		unknown(re, "expression without a name");
		return;
	}
	ops = bsearch(n, expr_ops, PP_ARRAY_SIZE(expr_ops), sizeof(expr_ops[0]), ops_cmp);
	if (ops)
		ops->eval(re, e, ops);
	else
		not_evaluated(re, n);
}

/*
 * The verdict as nft_do_chain reads it: accept and drop carry flags in their upper bits
 * (a drop's errno), kept out of the code the walk switches on; a queue is judged apart.
 * false for a code the walk does not follow (stolen, repeat, anything else).
 */
static bool
verdict_followed(int32_t *v)
{
	switch (*v) {
	case NFT_CONTINUE: case NFT_BREAK: case NFT_RETURN: case NFT_JUMP: case NFT_GOTO:
		return true;
	default:
		break;
	}
	if (*v < 0)
		return false;
	switch (*v & NF_VERDICT_MASK) {
	case NF_ACCEPT:
	case NF_DROP:
		*v &= NF_VERDICT_MASK;
		return true;
	case NF_QUEUE:
		return true;
	default:
		return false;
	}
}

static void
eval_rule(struct rule_eval *re, struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it = nftnl_expr_iter_create(r);
	struct nftnl_expr *e;

	re->match = M_YES;
	if (!it) {
		unknown(re, "out of memory");
		return;
	}
	while ((e = nftnl_expr_iter_next(it)) != NULL) {
		eval_expr(re, e);
		/* The kernel ends the rule at a verdict other than continue; nothing after it runs. */
		if (re->has_verdict && re->verdict != NFT_CONTINUE)
			break;
		/* Keep reading after a miss only to finish the rule's text. */
	}
	nftnl_expr_iter_destroy(it);
	if (re->has_verdict && !verdict_followed(&re->verdict))
		unknown(re, "verdict %d (%s) is not followed by pathcheck", re->verdict,
			(re->verdict & NF_VERDICT_MASK) == NF_STOLEN ? "stolen" :
			(re->verdict & NF_VERDICT_MASK) == NF_REPEAT ? "repeat" : "not a verdict nft writes");
	nftr_verdict(re);
	/* A queue verdict hands the packet to a program we cannot see. */
	if (re->match == M_YES && re->has_verdict && (re->verdict & NF_VERDICT_MASK) == NF_QUEUE)
		unknown(re, "queue: a userspace program decides");
}

/* ---- chains ---- */

/* The chain from the cache, or fetched into it on a miss. */
static struct pc_cached_chain *
cache_chain(struct pc_nft_cache *c, const struct pc_nft_fetch *fetch, uint32_t family, const char *table,
	    const char *name)
{
	struct pc_cached_chain *cc;

	for (size_t i = 0; i < c->nchains; i++)
		if (c->chains[i].family == family && strcmp(c->chains[i].table, table) == 0 &&
		    strcmp(c->chains[i].name, name) == 0)
			return &c->chains[i];
	cc = realloc(c->chains, (c->nchains + 1) * sizeof(*cc));
	if (!cc)
		return NULL;
	c->chains = cc;
	cc = &c->chains[c->nchains++];
	memset(cc, 0, sizeof(*cc));
	cc->family = family;
	snprintf(cc->table, sizeof(cc->table), "%s", table);
	snprintf(cc->name, sizeof(cc->name), "%s", name);
	cc->rc = fetch && fetch->rules ? fetch->rules(c, cc) : -ENOENT;
	return cc;
}

struct walk {
	struct pc_nft_cache *cache;
	const struct pc_nft_fetch *fetch;
	const struct pc_pkt *p;
	uint32_t family;
	const char *table;
	struct pc_nft_result *res;
	uint32_t policy;		/* the base chain's: what falling off its end means */
	int lookahead;			/* undecided rules being looked past now */
};

static void
path_add(struct pc_nft_result *res, const char *chain)
{
	size_t n = strlen(res->path);

	snprintf(res->path + n, sizeof(res->path) - n, "%s%s", n ? " -> " : "", chain);
}

static void
decide(struct pc_nft_result *res, const char *chain, struct nftnl_rule *r, const struct rule_eval *re)
{
	snprintf(res->chain, sizeof(res->chain), "%s", chain);
	res->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	snprintf(res->text, sizeof(res->text), "%s", re->text);
	nftr_tidy(res->text);
	res->reject = re->reject;
	res->xt = re->xt;
}

static int eval_chain_from(struct walk *w, const char *chain, size_t start, int depth);

/* The rule decides the chain's outcome as unknown: it, and why, go to the result. */
static int
undecided(struct walk *w, const char *chain, struct nftnl_rule *r, const struct rule_eval *re)
{
	decide(w->res, chain, r, re);
	snprintf(w->res->why, sizeof(w->res->why), "rule handle %llu in chain %s: %s",
		 (unsigned long long)w->res->handle, chain, re->why);
	return EV_UNKNOWN;
}

static int
eval_chain(struct walk *w, const char *chain, int depth)
{
	return eval_chain_from(w, chain, 0, depth);
}

/*
 * Evaluate chain from rule index start. Returns EV_RETURN (fell off the end or
 * returned), EV_ACCEPT, EV_DROP, or EV_UNKNOWN (res->why says why).
 */
static int
eval_chain_from(struct walk *w, const char *chain, size_t start, int depth)
{
	struct pc_cached_chain *cc;
	struct nftnl_rule **rules;
	size_t nrules;

	if (depth > MAX_DEPTH) {
		snprintf(w->res->why, sizeof(w->res->why), "jumps nest deeper than %d", MAX_DEPTH);
		return EV_UNKNOWN;
	}
	cc = cache_chain(w->cache, w->fetch, w->family, w->table, chain);
	if (!cc || cc->rc < 0) {
		snprintf(w->res->why, sizeof(w->res->why), "rules of chain %s could not be read: %s", chain,
			 strerror(cc ? -cc->rc : ENOMEM));
		return EV_UNKNOWN;
	}
	/*
	 * The rules, not the cache entry: a jump below fetches more chains, and the cache's
	 * array of entries moves when it grows (the rules arrays stay where they are).
	 */
	rules = cc->rules;
	nrules = cc->n;
	cc = NULL;
	if (start == 0 && depth > 0)
		path_add(w->res, chain);
	for (size_t i = start; i < nrules; i++) {
		struct rule_eval re = { .p = w->p, .cache = w->cache, .fetch = w->fetch, .family = w->family,
					.table = w->table, .chain = chain,
					.handle = nftnl_rule_get_u64(rules[i], NFTNL_RULE_HANDLE), .st = w->res };
		int v;

		w->res->rules_seen++;
		eval_rule(&re, rules[i]);
		if (re.mark_stmt[0]) {
			w->res->mark_set = true;
			snprintf(w->res->mark_stmt, sizeof(w->res->mark_stmt), "%s", re.mark_stmt);
			snprintf(w->res->mark_chain, sizeof(w->res->mark_chain), "%s", chain);
		}
		if (re.match == M_NO)
			continue;
		/* The packet may have changed in a way the VM does not follow: later rules cannot say. */
		if (re.unfollowed)
			return undecided(w, chain, rules[i], &re);
		if (re.match == M_UNKNOWN) {
			int rest, end;
			struct pc_nft_result saved = *w->res;

			if (!re.has_verdict || re.verdict == NFT_CONTINUE)
				continue;	/* counts or logs only: whatever it matches, the path goes on */
			/*
			 * If the rest of the path ends the same way this rule would, the answer is known
			 * anyway. Looking ahead recurses once per undecided rule: bounded, past that unknown.
			 */
			/* An undecided dnat: whether the packet leaves with a new destination is not known either. */
			if (w->lookahead < MAX_LOOKAHEAD && !re.dnat) {
				w->lookahead++;
				rest = eval_chain_from(w, chain, i + 1, depth);
				w->lookahead--;
				/* Off the end of the base chain: the policy, known too (returned as such). */
				end = rest == EV_RETURN && depth == 0 ? (w->policy == NF_DROP ? EV_DROP : EV_ACCEPT) : rest;
				if ((end == EV_ACCEPT && re.verdict == NF_ACCEPT && !re.reject) ||
				    (end == EV_DROP && re.verdict == NF_DROP))
					return rest;
			}
			*w->res = saved;
			return undecided(w, chain, rules[i], &re);
		}
		if (re.mss_clamp)
			w->res->mss_clamp = true;
		if (re.nat[0]) {
			snprintf(w->res->nat, sizeof(w->res->nat), "%s", re.nat);
			w->res->dnat = re.dnat && (re.nat_addr.family || re.nat_port);
			w->res->nat_addr = re.nat_addr;
			w->res->nat_port = re.nat_port;
		}
		if (!re.has_verdict)
			continue;
		switch (re.verdict) {
		case NF_ACCEPT:
			decide(w->res, chain, rules[i], &re);
			return EV_ACCEPT;
		case NF_DROP:
			decide(w->res, chain, rules[i], &re);
			return EV_DROP;
		case NFT_RETURN:
			return EV_RETURN;
		case NFT_JUMP:
		case NFT_GOTO:
			v = eval_chain(w, re.target, depth + 1);
			if (v != EV_RETURN)
				return v;
			if (re.verdict == NFT_GOTO)
				return EV_RETURN;	/* a goto does not come back here */
			continue;
		default:
			continue;
		}
	}
	return EV_RETURN;
}

int
pc_nftvm_eval_base(struct pc_nft_cache *c, const struct pc_nft_fetch *fetch, const struct pp_nft_chain *base,
		   const struct pc_pkt *p, struct pc_nft_result *r)
{
	struct walk w = { c, fetch, p, base->family, base->table, r, base->policy, 0 };
	int v;

	memset(r, 0, sizeof(*r));
	r->mark = p->mark;
	r->mark_unknown = p->mark_unknown;
	r->ctmark = p->ctmark;
	r->ctmark_unknown = p->ctmark_unknown;
	snprintf(r->path, sizeof(r->path), "%s", base->name);
	v = eval_chain(&w, base->name, 0);
	switch (v) {
	case EV_ACCEPT: r->verdict = PC_NFT_ACCEPT; break;
	case EV_DROP: r->verdict = PC_NFT_DROP; break;
	case EV_UNKNOWN: r->verdict = PC_NFT_UNKNOWN; break;
	default:
		r->verdict = PC_NFT_POLICY;
		r->policy = base->policy;
		r->handle = 0;
		snprintf(r->chain, sizeof(r->chain), "%s", base->name);
		snprintf(r->text, sizeof(r->text), "policy %s", base->policy == NF_DROP ? "drop" : "accept");
		break;
	}
	return 0;
}

/* ---- the cache ---- */

int
pc_nft_cache_add_chain(struct pc_nft_cache *c, uint32_t family, const char *table, const char *chain,
		       struct nftnl_rule **rules, size_t n)
{
	struct pc_cached_chain *cc = realloc(c->chains, (c->nchains + 1) * sizeof(*cc));

	if (!cc)
		return -ENOMEM;
	c->chains = cc;
	cc = &c->chains[c->nchains++];
	memset(cc, 0, sizeof(*cc));
	cc->family = family;
	snprintf(cc->table, sizeof(cc->table), "%s", table);
	snprintf(cc->name, sizeof(cc->name), "%s", chain);
	cc->rules = rules;
	cc->n = n;
	return 0;
}

int
pc_nft_cache_add_set(struct pc_nft_cache *c, uint32_t family, const char *table, struct pp_nft_set *set)
{
	struct pc_cached_set *cs = realloc(c->sets, (c->nsets + 1) * sizeof(*cs));

	if (!cs)
		return -ENOMEM;
	c->sets = cs;
	cs = &c->sets[c->nsets++];
	memset(cs, 0, sizeof(*cs));
	cs->family = family;
	snprintf(cs->table, sizeof(cs->table), "%s", table);
	cs->set = *set;
	return 0;
}

void
pc_nft_cache_free(struct pc_nft_cache *c)
{
	for (size_t i = 0; i < c->nchains; i++) {
		for (size_t j = 0; j < c->chains[i].n; j++)
			nftnl_rule_free(c->chains[i].rules[j]);
		free(c->chains[i].rules);
	}
	for (size_t i = 0; i < c->nsets; i++) {
		free(c->sets[i].set.elems);
		free(c->sets[i].answers);
	}
	free(c->chains);
	free(c->sets);
	c->chains = NULL;
	c->sets = NULL;
	c->nchains = c->nsets = 0;
}

