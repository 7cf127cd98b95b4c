/*
 * nfteval.c: a symbolic nft VM. Registers hold bytes with a "known" bit each;
 * the packet's headers are built from the query, with what pathcheck cannot know
 * (a source port not given, a TTL) left unknown. A rule matches, does not match,
 * or cannot be decided; only the last makes a station unknown.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "nfteval.h"

#define MAX_DEPTH 16

/* linux/netfilter_bridge.h clashes with net/if.h; its two hook numbers: */
#define NF_BR_PRE_ROUTING 0
#define NF_BR_LOCAL_IN 1
#define MAX_LOOKAHEAD 64		/* undecided rules looked past at once: bounds the stack */
#define NREG32 20			/* verdict (4) + 16 32-bit registers */

enum { M_YES, M_NO, M_UNKNOWN };
enum { EV_RETURN, EV_ACCEPT, EV_DROP, EV_UNKNOWN };

struct regs {
	uint8_t b[NREG32 * 4];
	uint8_t known[NREG32 * 4];
	char desc[NREG32][48];		/* what was loaded at this 32-bit slot, for rule text */
	uint8_t kind[NREG32];		/* how to print a value loaded there */
	uint8_t plen[NREG32];		/* a prefix mask applied to an address there (0: none) */
	uint32_t flags[NREG32];		/* a flag mask applied to ct state there (0: none) */
	char op[NREG32][40];		/* a bitwise applied to a mark there, as nft shows it: " | 0x4000" */
};

enum { K_HEX, K_ADDR4, K_ADDR6, K_PORT, K_PROTO, K_IFNAME, K_CTSTATE, K_U32, K_MARK, K_ICMPTYPE, K_NFPROTO, K_ETHERTYPE, K_ICMP6TYPE };

/* Byte offset of a register in the file, or -1. */
static int
reg_off(uint32_t reg)
{
	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		return (int)(reg * 16);
	if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
		return (int)((reg - NFT_REG32_00) * 4 + 16);
	return -1;
}

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
}

/* The length of a prefix mask (ones then zeros), or -1 when the mask is not one. */
static int
mask_prefix(const uint8_t *m, uint32_t len)
{
	int n = 0;
	bool zeros = false;

	for (uint32_t i = 0; i < len; i++)
		for (int b = 7; b >= 0; b--) {
			bool one = (m[i] >> b) & 1;

			if (one && zeros)
				return -1;
			if (one)
				n++;
			else
				zeros = true;
		}
	return n;
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

static const char *
proto_str(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	default: return "th";
	}
}

static void
payload_desc(const struct pc_pkt *p, uint32_t base, uint32_t off, uint32_t len, char *d, size_t dl,
	     uint8_t *kind)
{
	*kind = K_HEX;
	if (base == NFT_PAYLOAD_NETWORK_HEADER && p->family == AF_INET) {
		if (off == 12 && len <= 4) { snprintf(d, dl, "ip saddr"); *kind = K_ADDR4; return; }
		if (off == 16 && len <= 4) { snprintf(d, dl, "ip daddr"); *kind = K_ADDR4; return; }
		if (off == 9 && len == 1) { snprintf(d, dl, "ip protocol"); *kind = K_PROTO; return; }
	}
	if (base == NFT_PAYLOAD_NETWORK_HEADER && p->family == AF_INET6) {
		if (off == 8 && len <= 16) { snprintf(d, dl, "ip6 saddr"); *kind = K_ADDR6; return; }
		if (off == 24 && len <= 16) { snprintf(d, dl, "ip6 daddr"); *kind = K_ADDR6; return; }
		if (off == 6 && len == 1) { snprintf(d, dl, "ip6 nexthdr"); *kind = K_PROTO; return; }
	}
	if (base == NFT_PAYLOAD_TRANSPORT_HEADER) {
		if (off == 0 && len == 2) { snprintf(d, dl, "%s sport", proto_str(p->l4proto)); *kind = K_PORT; return; }
		if (off == 2 && len == 2) { snprintf(d, dl, "%s dport", proto_str(p->l4proto)); *kind = K_PORT; return; }
		if (off == 0 && len == 4) { snprintf(d, dl, "%s sport . dport", proto_str(p->l4proto)); return; }
		if (off == 0 && len == 1) {
			snprintf(d, dl, "%s type", proto_str(p->l4proto));
			*kind = p->l4proto == IPPROTO_ICMPV6 ? K_ICMP6TYPE : K_ICMPTYPE;
			return;
		}
		if (off == 13 && len == 1 && p->l4proto == IPPROTO_TCP) { snprintf(d, dl, "tcp flags"); return; }
	}
	snprintf(d, dl, "@%s,%u,%u", base == NFT_PAYLOAD_LL_HEADER ? "ll" :
		 base == NFT_PAYLOAD_NETWORK_HEADER ? "nh" : base == NFT_PAYLOAD_TRANSPORT_HEADER ? "th" : "ih",
		 off * 8, len * 8);
}

/* ---- the rule being evaluated ---- */

struct rule_eval {
	const struct pc_pkt *p;
	struct pc_nft_cache *cache;
	uint32_t family;
	const char *table;
	struct pc_nft_result *st;	/* the marks as earlier rules left them; set statements change them */
	char mark_stmt[96];		/* a meta mark set this rule reached */
	struct regs rg;
	int match;			/* M_YES until something says otherwise */
	char why[256];
	char text[256];
	size_t tlen;
	/* verdict of the rule when it matches */
	bool has_verdict;
	int32_t verdict;
	char target[256];
	bool reject;
	char nat[256];
	bool dnat, mss_clamp;
	struct pp_addr nat_addr;
	uint16_t nat_port;
	bool vmap;			/* the verdict came from a verdict map */
	bool gte;			/* the last cmp was "x >= a": a "x <= b" joins it into "x a-b" */
	size_t gte_tlen;
	int gte_off;
	char gte_v[80];
};

static void
text_add(struct rule_eval *re, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
text_add(struct rule_eval *re, const char *fmt, ...)
{
	va_list ap;

	if (re->tlen >= sizeof(re->text) - 1)
		return;
	if (re->tlen)
		re->text[re->tlen++] = ' ';
	re->text[re->tlen] = '\0';
	va_start(ap, fmt);
	vsnprintf(re->text + re->tlen, sizeof(re->text) - re->tlen, fmt, ap);
	va_end(ap);
	re->tlen = strlen(re->text);
}

static void
unknown(struct rule_eval *re, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
unknown(struct rule_eval *re, const char *fmt, ...)
{
	va_list ap;

	if (re->match == M_NO)
		return;
	re->match = M_UNKNOWN;
	if (re->why[0])
		return;
	va_start(ap, fmt);
	vsnprintf(re->why, sizeof(re->why), fmt, ap);
	va_end(ap);
}

static void
value_str(uint8_t kind, const uint8_t *v, uint32_t len, char *buf, size_t bl)
{
	size_t o = 0;

	buf[0] = '\0';
	switch (kind) {
	case K_ADDR4:
		if (len == 4) { inet_ntop(AF_INET, v, buf, (socklen_t)bl); return; }
		break;
	case K_ADDR6:
		if (len == 16) { inet_ntop(AF_INET6, v, buf, (socklen_t)bl); return; }
		break;
	case K_PORT:
		if (len == 2) { snprintf(buf, bl, "%u", (unsigned)((v[0] << 8) | v[1])); return; }
		break;
	case K_PROTO:
		if (len == 1) { snprintf(buf, bl, "%s", proto_str(v[0])); if (strcmp(buf, "th") == 0) snprintf(buf, bl, "%u", v[0]); return; }
		break;
	case K_ICMPTYPE:
	case K_ICMP6TYPE:
		if (len == 1) {
			/* nft's names for the common types. */
			static const char *const v4[] = { [0] = "echo-reply", [3] = "destination-unreachable",
				[5] = "redirect", [8] = "echo-request", [11] = "time-exceeded", [12] = "parameter-problem" };
			static const char *const v6[] = { [1] = "destination-unreachable", [2] = "packet-too-big",
				[3] = "time-exceeded", [4] = "parameter-problem" };
			static const char *const v6b[] = { [0] = "echo-request", [1] = "echo-reply",
				[5] = "nd-router-solicit", [6] = "nd-router-advert", [7] = "nd-neighbor-solicit",
				[8] = "nd-neighbor-advert" };
			const char *n = NULL;

			if (kind == K_ICMPTYPE && v[0] < PP_ARRAY_SIZE(v4))
				n = v4[v[0]];
			else if (kind == K_ICMP6TYPE && v[0] < PP_ARRAY_SIZE(v6))
				n = v6[v[0]];
			else if (kind == K_ICMP6TYPE && v[0] >= 128 && v[0] - 128 < (int)PP_ARRAY_SIZE(v6b))
				n = v6b[v[0] - 128];
			if (n)
				snprintf(buf, bl, "%s", n);
			else
				snprintf(buf, bl, "%u", v[0]);
			return;
		}
		break;
	case K_ETHERTYPE:
		if (len == 2 && v[0] == 0x08 && v[1] == 0x00) { snprintf(buf, bl, "ip"); return; }
		if (len == 2 && v[0] == 0x86 && v[1] == 0xdd) { snprintf(buf, bl, "ip6"); return; }
		break;
	case K_NFPROTO:
		if (len == 1) { snprintf(buf, bl, "%s", v[0] == NFPROTO_IPV4 ? "ipv4" : v[0] == NFPROTO_IPV6 ? "ipv6" : "?"); return; }
		break;
	case K_IFNAME:
		snprintf(buf, bl, "\"%.*s\"", (int)strnlen((const char *)v, len), (const char *)v);
		return;
	case K_CTSTATE: {
		uint32_t s;
		static const struct { uint32_t bit; const char *n; } st[] = {
			{ 1, "invalid" }, { 2, "established" }, { 4, "related" }, { 8, "new" }, { 64, "untracked" } };

		if (len != 4)
			break;
		memcpy(&s, v, 4);
		for (size_t i = 0; i < PP_ARRAY_SIZE(st); i++)
			if (s & st[i].bit && o < bl)
				o += (size_t)snprintf(buf + o, bl - o, "%s%s", o ? "," : "", st[i].n);
		if (!o)
			snprintf(buf, bl, "0x%x", s);
		return;
	}
	case K_U32:
	case K_MARK:
		if (len == 4) { uint32_t x; memcpy(&x, v, 4); snprintf(buf, bl, "0x%x", x); return; }
		break;
	default:
		break;
	}
	o = (size_t)snprintf(buf, bl, "0x");
	for (uint32_t i = 0; i < len && o + 2 < bl; i++)
		o += (size_t)snprintf(buf + o, bl - o, "%02x", v[i]);
}

/* ---- expressions ---- */

static void
ex_payload(struct rule_eval *re, struct nftnl_expr *e)
{
	uint32_t base = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_BASE);
	uint32_t off = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_OFFSET);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_LEN);
	uint32_t dreg;
	struct hdr h;
	char d[48];
	uint8_t kind;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_PAYLOAD_SREG))
		return;		/* a payload write (mangle): no bearing on the match */
	dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_PAYLOAD_DREG);
	if (!reg_range_ok(dreg, len) || len > 16) {
		unknown(re, "payload load of %u bytes", len);
		return;
	}
	if (base == NFT_PAYLOAD_NETWORK_HEADER)
		build_nh(re->p, &h);
	else if (base == NFT_PAYLOAD_TRANSPORT_HEADER)
		build_th(re->p, &h);
	else
		memset(&h, 0, sizeof(h));	/* link-layer and inner headers: unknown */
	payload_desc(re->p, base, off, len, d, sizeof(d), &kind);
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
	text_add(re, "%s", stmt);
	if (re->match == M_NO)
		return;
	/* The value nft computed, when the statement does not show it: "meta mark set meta mark | 0x4000 (0x4001)". */
	if (!known)
		snprintf(re->mark_stmt, sizeof(re->mark_stmt), "%.80s (unknown)", stmt);
	else if (computed)
		snprintf(re->mark_stmt, sizeof(re->mark_stmt), "%.80s (0x%x)", stmt, v);
	else
		snprintf(re->mark_stmt, sizeof(re->mark_stmt), "%s", stmt);
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
	if (mask == 0xffffffffu) {
		known = true;	/* every bit replaced: the old mark does not matter */
		snprintf(stmt, sizeof(stmt), "meta mark set 0x%x", mark);
	} else if (mark == mask) {
		snprintf(stmt, sizeof(stmt), "meta mark set meta mark | 0x%x", mark);
	} else if (mark == 0) {
		snprintf(stmt, sizeof(stmt), "meta mark set meta mark & 0x%x", ~mask);
	} else {
		snprintf(stmt, sizeof(stmt), "meta mark set meta mark & 0x%x ^ 0x%x", ~mask, mark);
	}
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
	if (off < 0)
		snprintf(stmt, sizeof(stmt), "meta mark set ?");
	else if (!re->rg.desc[off / 4][0] && known)
		snprintf(stmt, sizeof(stmt), "meta mark set 0x%x", v);
	else
		snprintf(stmt, sizeof(stmt), "meta mark set %s%s", re->rg.desc[off / 4][0] ? re->rg.desc[off / 4] : "?",
			 re->rg.op[off / 4]);
	mark_stmt_reached(re, stmt, v, known, off >= 0 && re->rg.desc[off / 4][0]);
}

static void
ex_meta(struct rule_eval *re, struct nftnl_expr *e)
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
		/* meta nftrace set 1, meta priority set ...: statements that change nothing pathcheck models. */
		text_add(re, "meta %s set", key == NFT_META_NFTRACE ? "nftrace" : "?");
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
		u8 = p->family == AF_INET ? NFPROTO_IPV4 : NFPROTO_IPV6;
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

		/* The kernel ends the rule (NFT_BREAK) when the hook has no such device. */
		if (!n[0]) {
			re->match = M_NO;
			return;
		}
		memcpy(name, n, strnlen(n, IF_NAMESIZE));
		reg_store(&re->rg, dreg, name, NULL, IF_NAMESIZE,
			  key == NFT_META_IIFNAME ? "iifname" : "oifname", K_IFNAME);
		return;
	}
	case NFT_META_IIF:
	case NFT_META_OIF: {
		int idx = key == NFT_META_IIF ? p->iif : p->oif;

		if (!idx) {
			re->match = M_NO;
			return;
		}
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
		unknown(re, "meta key %u is not evaluated", key);
		return;
	}
}

static void
ex_ct(struct rule_eval *re, struct nftnl_expr *e)
{
	const struct pc_pkt *p = re->p;
	uint32_t key = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_KEY), dreg;
	uint8_t u8;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_CT_SREG)) {
		uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_CT_SREG), v = 0;
		bool known = reg_range_ok(sreg, 4) && reg_known(&re->rg, sreg, 4);

		if (key != NFT_CT_MARK) {
			text_add(re, "ct set");
			return;
		}
		if (known)
			memcpy(&v, re->rg.b + reg_off(sreg), 4);
		text_add(re, "ct mark set");
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
	case NFT_CT_DIRECTION:
		u8 = 0;	/* IP_CT_DIR_ORIGINAL: the first packet of a flow */
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
		unknown(re, "ct key %u is not evaluated", key);
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

static const char *
op_str(uint32_t op)
{
	switch (op) {
	case NFT_CMP_NEQ: return "!= ";
	case NFT_CMP_LT: return "< ";
	case NFT_CMP_LTE: return "<= ";
	case NFT_CMP_GT: return "> ";
	case NFT_CMP_GTE: return ">= ";
	default: return "";
	}
}

static void
ex_cmp(struct rule_eval *re, struct nftnl_expr *e)
{
	uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_SREG);
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_CMP_OP), len = 0;
	const uint8_t *data = nftnl_expr_get(e, NFTNL_EXPR_CMP_DATA, &len);
	uint32_t shown = op;
	char v[80];
	int off, res;

	if (!data || !reg_range_ok(sreg, len)) {
		unknown(re, "cmp on a bad register");
		return;
	}
	off = reg_off(sreg);
	/* A prefix match compares the masked address: show it as nft does, addr/len. */
	if (re->rg.plen[off / 4]) {
		uint8_t full[16] = { 0 };

		memcpy(full, data, len > 16 ? 16 : len);
		value_str(re->rg.kind[off / 4], full, re->rg.kind[off / 4] == K_ADDR4 ? 4 : 16, v, sizeof(v));
		snprintf(v + strlen(v), sizeof(v) - strlen(v), "/%u", re->rg.plen[off / 4]);
	} else if (re->rg.flags[off / 4] && len == 4 && memcmp(data, "\0\0\0\0", 4) == 0 &&
		   (op == NFT_CMP_NEQ || op == NFT_CMP_EQ)) {
		/* A flag test, (ct state & 0x8) != 0: nft shows the flags, "ct state new". */
		value_str(re->rg.kind[off / 4], (const uint8_t *)&re->rg.flags[off / 4], 4, v, sizeof(v));
		shown = op == NFT_CMP_NEQ ? NFT_CMP_EQ : NFT_CMP_NEQ;
	} else if ((re->rg.kind[off / 4] == K_ADDR4 && len < 4) || (re->rg.kind[off / 4] == K_ADDR6 && len < 16)) {
		/* A byte-aligned prefix is a shorter load: 198.51.100.0/24 compares 3 bytes. */
		uint8_t full[16] = { 0 };

		memcpy(full, data, len);
		value_str(re->rg.kind[off / 4], full, re->rg.kind[off / 4] == K_ADDR4 ? 4 : 16, v, sizeof(v));
		snprintf(v + strlen(v), sizeof(v) - strlen(v), "/%u", len * 8);
	} else {
		value_str(re->rg.kind[off / 4], data, len, v, sizeof(v));
	}
	if (op == NFT_CMP_LTE && re->gte && re->gte_off == off) {
		/* nft writes a range as cmp gte, cmp lte: shown as nft does, "tcp dport 1000-2000". */
		re->tlen = re->gte_tlen;
		re->text[re->tlen] = '\0';
		text_add(re, "%s %s-%s", re->rg.desc[off / 4][0] ? re->rg.desc[off / 4] : "reg", re->gte_v, v);
	} else {
		re->gte_tlen = re->tlen;
		text_add(re, "%s %s%s", re->rg.desc[off / 4][0] ? re->rg.desc[off / 4] : "reg", op_str(shown), v);
	}
	re->gte = op == NFT_CMP_GTE;
	re->gte_off = off;
	snprintf(re->gte_v, sizeof(re->gte_v), "%s", v);
	if (!reg_known(&re->rg, sreg, len)) {
		unknown(re, "%s is not known for this packet", re->rg.desc[off / 4]);
		return;
	}
	res = cmp_op(memcmp(re->rg.b + off, data, len), op);
	if (res < 0)
		unknown(re, "cmp op %u", op);
	else if (!res)
		re->match = M_NO;
}

static void
ex_bitwise(struct rule_eval *re, struct nftnl_expr *e)
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
	if ((kind == K_ADDR4 || kind == K_ADDR6) && mask_prefix(mask, len) > 0) {
		bool zero_xor = true;

		for (uint32_t i = 0; i < len; i++)
			zero_xor &= xor[i] == 0;
		if (zero_xor)
			re->rg.plen[reg_off(dreg) / 4] = (uint8_t)mask_prefix(mask, len);
	}
	if (kind == K_CTSTATE && len == 4 && memcmp(xor, "\0\0\0\0", 4) == 0)
		memcpy(&re->rg.flags[reg_off(dreg) / 4], mask, 4);
	if (kind == K_MARK && len == 4) {
		/* nft's forms: "mark and M" (xor 0), "mark or V" (mask ~V, xor V), else both. */
		uint32_t m, x;
		char *op = re->rg.op[reg_off(dreg) / 4];

		memcpy(&m, mask, 4);
		memcpy(&x, xor, 4);
		if (x == 0)
			snprintf(op, sizeof(re->rg.op[0]), " & 0x%x", m);
		else if (m == ~x)
			snprintf(op, sizeof(re->rg.op[0]), " | 0x%x", x);
		else if (m == 0xffffffffu)
			snprintf(op, sizeof(re->rg.op[0]), " ^ 0x%x", x);
		else
			snprintf(op, sizeof(re->rg.op[0]), " & 0x%x ^ 0x%x", m, x);
	}
}

static void
ex_range(struct rule_eval *re, struct nftnl_expr *e)
{
	uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_SREG);
	uint32_t op = nftnl_expr_get_u32(e, NFTNL_EXPR_RANGE_OP), fl = 0, tl = 0;
	const uint8_t *from = nftnl_expr_get(e, NFTNL_EXPR_RANGE_FROM_DATA, &fl);
	const uint8_t *to = nftnl_expr_get(e, NFTNL_EXPR_RANGE_TO_DATA, &tl);
	char a[80], b[80];
	int off;
	bool in;

	if (!from || !to || fl != tl || !reg_range_ok(sreg, fl)) {
		unknown(re, "range of an unexpected shape");
		return;
	}
	off = reg_off(sreg);
	value_str(re->rg.kind[off / 4], from, fl, a, sizeof(a));
	value_str(re->rg.kind[off / 4], to, tl, b, sizeof(b));
	text_add(re, "%s %s%s-%s", re->rg.desc[off / 4], op == NFT_RANGE_NEQ ? "!= " : "", a, b);
	if (!reg_known(&re->rg, sreg, fl)) {
		unknown(re, "%s is not known for this packet", re->rg.desc[off / 4]);
		return;
	}
	in = memcmp(re->rg.b + off, from, fl) >= 0 && memcmp(re->rg.b + off, to, fl) <= 0;
	if (in != (op == NFT_RANGE_EQ))
		re->match = M_NO;
}

static const struct pp_nft_set *
cache_set(struct pc_nft_cache *c, uint32_t family, const char *table, const char *name, int *rc)
{
	struct pc_cached_set *cs;
	struct pp_err e = { 0 };

	for (size_t i = 0; i < c->nsets; i++)
		if (c->sets[i].family == family && strcmp(c->sets[i].table, table) == 0 &&
		    strcmp(c->sets[i].set.name, name) == 0) {
			*rc = c->sets[i].rc;
			return c->sets[i].rc == 0 ? &c->sets[i].set : NULL;
		}
	if (!c->nl) {
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
	cs->rc = pp_nft_set_get(c->nl, family, table, name, &cs->set, &e);
	snprintf(cs->set.name, sizeof(cs->set.name), "%s", name);
	*rc = cs->rc;
	return cs->rc == 0 ? &cs->set : NULL;
}

/* Is key in the set? Interval sets hold [start, end) pairs, the end flagged; pipapo sends key_end. */
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
		if (memcmp(key, el->key, klen) < 0)
			continue;
		if (el->key_end_len == klen) {
			if (memcmp(key, el->key_end, klen) <= 0) {
				*found = true;
				return el;
			}
			continue;
		}
		/* Find the smallest end marker above this start. */
		{
			const struct pp_nft_elem *end = NULL;

			for (size_t j = 0; j < s->nelems; j++) {
				const struct pp_nft_elem *x = &s->elems[j];

				if (!(x->flags & NFT_SET_ELEM_INTERVAL_END) || x->key_len != klen ||
				    memcmp(x->key, el->key, klen) <= 0)
					continue;
				if (!end || memcmp(x->key, end->key, klen) < 0)
					end = x;
			}
			if (!end || memcmp(key, end->key, klen) < 0) {
				if (!best || memcmp(el->key, best->key, klen) > 0)
					best = el;
			}
		}
	}
	*found = best != NULL;
	return best;
}

/*
 * An interval set's element as nft shows it: a prefix for addresses (198.51.100.0/24),
 * else first-last. Ends are exclusive markers (rbtree) or key_end (pipapo, inclusive).
 */
static void
interval_str(const struct pp_nft_set *s, const struct pp_nft_elem *el, uint8_t kind, char *buf, size_t bl)
{
	const struct pp_nft_elem *end = NULL;
	uint32_t n = el->key_len, p = 0;
	uint8_t last[PP_NFT_KEY_MAX];
	char a[80], b[80];
	bool prefix = true;

	if (el->key_end_len == n) {
		memcpy(last, el->key_end, n);
	} else {
		for (size_t j = 0; j < s->nelems; j++) {
			const struct pp_nft_elem *x = &s->elems[j];

			if (x->flags & NFT_SET_ELEM_INTERVAL_END && x->key_len == n &&
			    memcmp(x->key, el->key, n) > 0 && (!end || memcmp(x->key, end->key, n) < 0))
				end = x;
		}
		memset(last, 0xff, n);
		if (end) {
			memcpy(last, end->key, n);
			for (uint32_t i = n; i-- > 0;)	/* the marker is one past the last */
				if (last[i]-- != 0)
					break;
		}
	}
	value_str(kind, el->key, n, a, sizeof(a));
	if (memcmp(el->key, last, n) == 0) {
		snprintf(buf, bl, "%s", a);
		return;
	}
	while (p < n * 8 && !((el->key[p / 8] ^ last[p / 8]) & (0x80 >> (p % 8))))
		p++;
	for (uint32_t i = p; i < n * 8 && prefix; i++)
		prefix = !(el->key[i / 8] & (0x80 >> (i % 8))) && (last[i / 8] & (0x80 >> (i % 8)));
	if (prefix && (kind == K_ADDR4 || kind == K_ADDR6)) {
		snprintf(buf, bl, "%s/%u", a, p);
		return;
	}
	value_str(kind, last, n, b, sizeof(b));
	snprintf(buf, bl, "%s-%s", a, b);
}

static const char *
verdict_str(int32_t v, const char *chain, char *buf, size_t len)
{
	switch (v) {
	case NF_ACCEPT: return "accept";
	case NF_DROP: return "drop";
	case NFT_RETURN: return "return";
	case NFT_CONTINUE: return "continue";
	case NFT_JUMP: snprintf(buf, len, "jump %s", chain); return buf;
	case NFT_GOTO: snprintf(buf, len, "goto %s", chain); return buf;
	default: return "?";
	}
}

/*
 * A key over several registers (ip daddr . tcp dport): where its parts are and how long,
 * or 0 when it is one value or has a part pathcheck cannot name.
 */
static size_t
concat_parts(const struct regs *rg, int off, uint32_t klen, int *po, uint32_t *pl, size_t max)
{
	uint32_t at = 0, l;
	size_t n = 0;

	while (at < klen) {
		int o = off + (int)at;

		if (n == max || o / 4 >= NREG32)
			return 0;
		switch (rg->kind[o / 4]) {
		case K_ADDR4: case K_MARK: case K_U32: case K_CTSTATE: l = 4; break;
		case K_ADDR6: case K_IFNAME: l = 16; break;
		case K_PORT: l = 2; break;
		case K_PROTO: case K_NFPROTO: case K_ICMPTYPE: case K_ICMP6TYPE: l = 1; break;
		default: return 0;
		}
		po[n] = o;
		pl[n++] = l;
		at += (l + 3) & ~3u;
	}
	return n > 1 && at == klen ? n : 0;
}

/* A lookup; true when it stored a map's value in its destination register. */
static bool
lookup_eval(struct rule_eval *re, struct nftnl_expr *e)
{
	uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG);
	uint32_t flags = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_FLAGS) ?
				 nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_FLAGS) : 0;
	const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_LOOKUP_SET);
	const struct pp_nft_set *s;
	const struct pp_nft_elem *el;
	bool inv = flags & NFT_LOOKUP_F_INV, found;
	int rc, off, po[4];
	uint32_t pl[4];
	size_t np;
	char desc[160];

	if (!name) {
		unknown(re, "lookup without a set name");
		return false;
	}
	off = reg_off(sreg);
	s = cache_set(re->cache, re->family, re->table, name, &rc);
	re->vmap = nftnl_expr_is_set(e, NFTNL_EXPR_LOOKUP_DREG) &&
		   nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_DREG) == NFT_REG_VERDICT;
	np = s && off >= 0 && s->key_len <= PP_NFT_KEY_MAX ?
		     concat_parts(&re->rg, off, s->key_len, po, pl, PP_ARRAY_SIZE(po)) : 0;
	snprintf(desc, sizeof(desc), "%s", off >= 0 ? re->rg.desc[off / 4] : "?");
	for (size_t k = 1; k < np; k++)	/* "ip daddr . tcp dport" */
		snprintf(desc + strlen(desc), sizeof(desc) - strlen(desc), " . %s", re->rg.desc[po[k] / 4]);
	if (s && (strncmp(name, "__set", 5) == 0 || strncmp(name, "__map", 5) == 0) && off >= 0) {
		/* An anonymous set or map: show its elements, as nft does: { 443, 8443 }. */
		char list[160] = "", v[80];
		size_t o = 0, shown = 0;

		for (size_t i = 0; i < s->nelems && o < sizeof(list); i++) {
			if (s->elems[i].flags & NFT_SET_ELEM_INTERVAL_END)
				continue;
			if (shown++ == 8) {
				o += (size_t)snprintf(list + o, sizeof(list) - o, ", ...");
				break;
			}
			if (np) {
				v[0] = '\0';
				for (size_t k = 0; k < np; k++) {
					char pv[64];

					value_str(re->rg.kind[po[k] / 4], s->elems[i].key + (po[k] - off), pl[k], pv, sizeof(pv));
					snprintf(v + strlen(v), sizeof(v) - strlen(v), "%s%s", k ? " . " : "", pv);
				}
			} else if (s->flags & NFT_SET_INTERVAL && s->elems[i].key_len <= PP_NFT_KEY_MAX) {
				interval_str(s, &s->elems[i], re->rg.kind[off / 4], v, sizeof(v));
			} else {
				value_str(re->rg.kind[off / 4], s->elems[i].key, s->elems[i].key_len, v, sizeof(v));
			}
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", shown > 1 ? ", " : "", v);
			if (re->vmap && s->elems[i].has_verdict && o < sizeof(list))
				o += (size_t)snprintf(list + o, sizeof(list) - o, " : %s",
						      verdict_str(s->elems[i].verdict, s->elems[i].chain, v, sizeof(v)));
		}
		text_add(re, "%s %s%s{ %s }", desc, inv ? "!= " : "", re->vmap ? "vmap " : "", list);
	} else {
		text_add(re, "%s %s%s@%s", desc, inv ? "!= " : "", re->vmap ? "vmap " : "", name);
	}
	if (!s) {
		unknown(re, "set @%s could not be read: %s", name, strerror(-rc));
		return false;
	}
	if (!reg_range_ok(sreg, s->key_len) || s->key_len > PP_NFT_KEY_MAX) {
		unknown(re, "lookup in @%s of an unexpected shape", name);
		return false;
	}
	if (!reg_known(&re->rg, sreg, s->key_len)) {
		unknown(re, "%s is not known for this packet", re->rg.desc[off / 4]);
		return false;
	}
	el = set_find(s, re->rg.b + off, s->key_len, &found);
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
ex_lookup(struct rule_eval *re, struct nftnl_expr *e)
{
	uint32_t dreg, sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_LOOKUP_SREG);
	static const uint8_t none[16];
	char desc[48];
	bool stored;

	/* What a map's value is named by: its key, "tcp sport map" (nft: tcp sport map { ... }). */
	snprintf(desc, sizeof(desc), "%.40s map", reg_off(sreg) >= 0 && re->rg.desc[reg_off(sreg) / 4][0] ?
						   re->rg.desc[reg_off(sreg) / 4] : "?");
	stored = lookup_eval(re, e);
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
ex_immediate(struct rule_eval *re, struct nftnl_expr *e)
{
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG), len = 0;
	const void *data;

	if (dreg == NFT_REG_VERDICT) {
		const char *chain = nftnl_expr_get_str(e, NFTNL_EXPR_IMM_CHAIN);

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

static void
nat_text(struct rule_eval *re, struct nftnl_expr *e, const char *what)
{
	char a[64] = "", port[16] = "";
	int off;

	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_ADDR_MIN)) {
		uint32_t reg = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_ADDR_MIN);
		int fam = nftnl_expr_is_set(e, NFTNL_EXPR_NAT_FAMILY) ?
				  (int)nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_FAMILY) : NFPROTO_IPV4;

		if ((off = reg_off(reg)) >= 0 && reg_known(&re->rg, reg, fam == NFPROTO_IPV6 ? 16 : 4)) {
			inet_ntop(fam == NFPROTO_IPV6 ? AF_INET6 : AF_INET, re->rg.b + off, a, sizeof(a));
			pp_addr_set(&re->nat_addr, fam == NFPROTO_IPV6 ? AF_INET6 : AF_INET, re->rg.b + off,
				    fam == NFPROTO_IPV6 ? 16 : 4);
		}
	}
	if (nftnl_expr_is_set(e, NFTNL_EXPR_NAT_REG_PROTO_MIN)) {
		uint32_t reg = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_REG_PROTO_MIN);

		if ((off = reg_off(reg)) >= 0 && reg_known(&re->rg, reg, 2)) {
			re->nat_port = (uint16_t)((re->rg.b[off] << 8) | re->rg.b[off + 1]);
			snprintf(port, sizeof(port), ":%u", re->nat_port);
		}
	}
	snprintf(re->nat, sizeof(re->nat), "%s to %s%s", what, a, port);
	text_add(re, "%s", re->nat);
}

/* byteorder: swap each size-byte group of len bytes, register to register. */
static void
ex_byteorder(struct rule_eval *re, struct nftnl_expr *e)
{
	uint32_t sreg = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SREG);
	uint32_t dreg = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_DREG);
	uint32_t len = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_LEN);
	uint32_t size = nftnl_expr_get_u32(e, NFTNL_EXPR_BYTEORDER_SIZE);
	uint8_t out[16], known[16];
	char d[48];
	int so;

	if (len > 16 || !reg_range_ok(sreg, len) || !reg_range_ok(dreg, len) ||
	    (size != 2 && size != 4 && size != 8) || len % size) {
		unknown(re, "byteorder of an unexpected shape");
		return;
	}
	so = reg_off(sreg);
	for (uint32_t i = 0; i < len; i += size)
		for (uint32_t k = 0; k < size; k++) {
			out[i + k] = re->rg.b[so + (int)(i + size - 1 - k)];
			known[i + k] = re->rg.known[so + (int)(i + size - 1 - k)];
		}
	snprintf(d, sizeof(d), "%s", re->rg.desc[so / 4]);
	reg_store(&re->rg, dreg, out, known, len, d, K_HEX);
}

/*
 * Expressions that only load a value into a register: the value is unknown to us,
 * but loading it decides nothing. Only a comparison on it makes the rule unknown.
 */
static bool
unknown_load(struct rule_eval *re, struct nftnl_expr *e, const char *n)
{
	static const struct { const char *name; uint16_t dreg; } loads[] = {
		{ "rt", NFTNL_EXPR_RT_DREG }, { "fib", NFTNL_EXPR_FIB_DREG },
		{ "hash", NFTNL_EXPR_HASH_DREG }, { "numgen", NFTNL_EXPR_NG_DREG },
		{ "socket", NFTNL_EXPR_SOCKET_DREG }, { "osf", NFTNL_EXPR_OSF_DREG },
	};
	uint8_t zero[16] = { 0 }, known[16] = { 0 };

	for (size_t i = 0; i < PP_ARRAY_SIZE(loads); i++) {
		uint32_t dreg;

		if (strcmp(n, loads[i].name) != 0 || !nftnl_expr_is_set(e, loads[i].dreg))
			continue;
		dreg = nftnl_expr_get_u32(e, loads[i].dreg);
		if (!reg_range_ok(dreg, 16) && !reg_range_ok(dreg, 4))
			return false;
		reg_store(&re->rg, dreg, zero, known, reg_range_ok(dreg, 16) ? 16 : 4, n, K_HEX);
		text_add(re, "%s", n);
		return true;
	}
	return false;
}

static void
eval_expr(struct rule_eval *re, struct nftnl_expr *e)
{
	const char *n = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

	if (!n) {
		unknown(re, "expression without a name");
		return;
	}
	if (strcmp(n, "payload") == 0)
		ex_payload(re, e);
	else if (strcmp(n, "meta") == 0)
		ex_meta(re, e);
	else if (strcmp(n, "ct") == 0)
		ex_ct(re, e);
	else if (strcmp(n, "cmp") == 0)
		ex_cmp(re, e);
	else if (strcmp(n, "bitwise") == 0)
		ex_bitwise(re, e);
	else if (strcmp(n, "range") == 0)
		ex_range(re, e);
	else if (strcmp(n, "lookup") == 0)
		ex_lookup(re, e);
	else if (strcmp(n, "immediate") == 0)
		ex_immediate(re, e);
	else if (strcmp(n, "counter") == 0)
		text_add(re, "counter");
	else if (strcmp(n, "log") == 0)
		text_add(re, "log");
	else if (strcmp(n, "notrack") == 0 || strcmp(n, "objref") == 0 || strcmp(n, "dynset") == 0 ||
		 strcmp(n, "last") == 0 || strcmp(n, "dup") == 0)
		text_add(re, "%s", n);
	else if (strcmp(n, "exthdr") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_SREG)) {
		/* A TCP option write; option 2 is the MSS: an MSS clamp. */
		bool mss = nftnl_expr_get_u8(e, NFTNL_EXPR_EXTHDR_TYPE) == 2;

		text_add(re, mss ? "tcp option maxseg size set" : "tcp option set");
		re->mss_clamp |= mss;
	}
	else if (strcmp(n, "reject") == 0) {
		re->has_verdict = true;
		re->verdict = NF_DROP;
		re->reject = true;
		text_add(re, nftnl_expr_get_u32(e, NFTNL_EXPR_REJECT_TYPE) == NFT_REJECT_TCP_RST ?
				     "reject with tcp reset" : "reject");
	} else if (strcmp(n, "nat") == 0) {
		bool dnat = nftnl_expr_get_u32(e, NFTNL_EXPR_NAT_TYPE) == NFT_NAT_DNAT;

		nat_text(re, e, dnat ? "dnat" : "snat");
		re->dnat = dnat;
		re->has_verdict = true;
		re->verdict = NF_ACCEPT;
	} else if (strcmp(n, "masq") == 0) {
		snprintf(re->nat, sizeof(re->nat), "masquerade");
		text_add(re, "masquerade");
		re->has_verdict = true;
		re->verdict = NF_ACCEPT;
	} else if (strcmp(n, "redir") == 0) {
		snprintf(re->nat, sizeof(re->nat), "redirect");
		text_add(re, "redirect");
		re->has_verdict = true;
		re->verdict = NF_ACCEPT;
	} else if (strcmp(n, "byteorder") == 0) {
		ex_byteorder(re, e);
	} else if (strcmp(n, "target") == 0 && xt_mark_target(re, e)) {
		/* iptables-nft's -j MARK: a mark set like nft's own. */
	} else if (unknown_load(re, e, n)) {
		/* rt, fib, hash, numgen, socket: a value we cannot know, loaded into a register. */
	} else {
		/* limit, quota, connlimit, queue, xt match/target, ...: not evaluated. */
		text_add(re, "%s", n);
		unknown(re, "'%s' expression is not evaluated by pathcheck", n);
	}
}

static void
verdict_text(struct rule_eval *re)
{
	if (!re->has_verdict || re->reject || re->nat[0] || re->vmap)
		return;
	switch (re->verdict) {
	case NF_ACCEPT: text_add(re, "accept"); break;
	case NF_DROP: text_add(re, "drop"); break;
	case NFT_JUMP: text_add(re, "jump %s", re->target); break;
	case NFT_GOTO: text_add(re, "goto %s", re->target); break;
	case NFT_RETURN: text_add(re, "return"); break;
	case NFT_CONTINUE: text_add(re, "continue"); break;
	case NF_QUEUE: text_add(re, "queue"); break;
	default: break;
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
		/* Keep reading after a miss only to finish the rule's text. */
	}
	nftnl_expr_iter_destroy(it);
	verdict_text(re);
	/* A queue verdict hands the packet to a program we cannot see. */
	if (re->match == M_YES && re->has_verdict && (re->verdict & NF_VERDICT_MASK) == NF_QUEUE)
		unknown(re, "queue: a userspace program decides");
}

/* ---- chains ---- */

struct chain_ctx {
	struct pc_cached_chain *cc;
};

static int
keep_rule(struct nftnl_rule *r, void *data)
{
	struct pc_cached_chain *cc = data;
	struct nftnl_rule **nv = realloc(cc->rules, (cc->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	cc->rules = nv;
	cc->rules[cc->n++] = r;
	return PP_NFT_KEEP;
}

static struct pc_cached_chain *
cache_chain(struct pc_nft_cache *c, uint32_t family, const char *table, const char *name)
{
	struct pc_cached_chain *cc;
	struct pp_err e = { 0 };

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
	cc->rc = c->nl ? pp_nft_rule_dump(c->nl, family, table, name, keep_rule, cc, &e) : -ENOENT;
	return cc;
}

struct walk {
	struct pc_nft_cache *cache;
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

/* Drop the implicit dependencies nft adds and does not print ("meta l4proto tcp" before "tcp dport"). */
static void
tidy_text(char *t)
{
	static const struct { const char *dep, *then; } deps[] = {
		{ "meta nfproto ipv4 ", "ip " }, { "meta nfproto ipv6 ", "ip6 " },
		{ "meta protocol ip ", "ip " }, { "meta protocol ip6 ", "ip6 " },
		{ "meta l4proto tcp ", "tcp " }, { "meta l4proto udp ", "udp " },
		{ "meta l4proto icmp ", "icmp " }, { "meta l4proto icmpv6 ", "icmpv6 " },
		{ "ip protocol tcp ", "tcp " }, { "ip protocol udp ", "udp " },
		{ "ip6 nexthdr tcp ", "tcp " }, { "ip6 nexthdr udp ", "udp " },
		{ "meta nfproto ipv4 ", "icmp " }, { "meta nfproto ipv6 ", "icmpv6 " },
	};

	/*
	 * Twice: "meta nfproto ipv4 meta l4proto icmp icmp type 8" needs the inner one gone
	 * first. A dependency goes when what needs it follows, next or later in the rule.
	 */
	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < PP_ARRAY_SIZE(deps); i++) {
			char *p = strstr(t, deps[i].dep), later[16];
			size_t dl = strlen(deps[i].dep);

			snprintf(later, sizeof(later), " %s", deps[i].then);
			if (p && (strncmp(p + dl, deps[i].then, strlen(deps[i].then)) == 0 || strstr(p + dl, later)))
				memmove(p, p + dl, strlen(p + dl) + 1);
		}
}

static void
decide(struct pc_nft_result *res, const char *chain, struct nftnl_rule *r, const struct rule_eval *re)
{
	snprintf(res->chain, sizeof(res->chain), "%s", chain);
	res->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	snprintf(res->text, sizeof(res->text), "%s", re->text);
	tidy_text(res->text);
	res->reject = re->reject;
}

static int eval_chain_from(struct walk *w, const char *chain, size_t start, int depth);

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

	if (depth > MAX_DEPTH) {
		snprintf(w->res->why, sizeof(w->res->why), "jumps nest deeper than %d", MAX_DEPTH);
		return EV_UNKNOWN;
	}
	cc = cache_chain(w->cache, w->family, w->table, chain);
	if (!cc || cc->rc < 0) {
		snprintf(w->res->why, sizeof(w->res->why), "rules of chain %s could not be read: %s", chain,
			 strerror(cc ? -cc->rc : ENOMEM));
		return EV_UNKNOWN;
	}
	if (start == 0 && depth > 0)
		path_add(w->res, chain);
	for (size_t i = start; i < cc->n; i++) {
		struct rule_eval re = { .p = w->p, .cache = w->cache, .family = w->family, .table = w->table,
					.st = w->res };
		int v;

		w->res->rules_seen++;
		eval_rule(&re, cc->rules[i]);
		if (re.mark_stmt[0]) {
			w->res->mark_set = true;
			snprintf(w->res->mark_stmt, sizeof(w->res->mark_stmt), "%s", re.mark_stmt);
			snprintf(w->res->mark_chain, sizeof(w->res->mark_chain), "%s", chain);
		}
		if (re.match == M_NO)
			continue;
		if (re.match == M_UNKNOWN) {
			int rest, end;
			struct pc_nft_result saved = *w->res;

			if (!re.has_verdict || re.verdict == NFT_CONTINUE)
				continue;	/* counts or logs only: whatever it matches, the path goes on */
			/*
			 * If the rest of the path ends the same way this rule would, the answer is known
			 * anyway. Looking ahead recurses once per undecided rule: bounded, past that unknown.
			 */
			if (w->lookahead < MAX_LOOKAHEAD) {
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
			decide(w->res, chain, cc->rules[i], &re);
			snprintf(w->res->why, sizeof(w->res->why), "rule handle %llu in chain %s: %s",
				 (unsigned long long)w->res->handle, chain, re.why);
			return EV_UNKNOWN;
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
			decide(w->res, chain, cc->rules[i], &re);
			return EV_ACCEPT;
		case NF_DROP:
			decide(w->res, chain, cc->rules[i], &re);
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
pc_nft_eval_base(struct pc_nft_cache *c, const struct pp_nft_chain *base, const struct pc_pkt *p,
		 struct pc_nft_result *r)
{
	struct walk w = { c, p, base->family, base->table, r, base->policy, 0 };
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
	/*
	 * Output only: a chain of type route that leaves the mark other than it found it makes
	 * the kernel route again (nf_route_table_hook4/6 compare skb->mark before and after);
	 * a type filter chain does not. A dnat in a nat chain at output that changes the
	 * destination address does too (nf_nat_ipv4_local_fn, nf_nat_ipv6_local_fn); a port
	 * alone does not. A dropped packet is not routed again.
	 */
	if (base->hooknum == NF_INET_LOCAL_OUT && base->family != NFPROTO_BRIDGE && r->verdict != PC_NFT_DROP &&
	    !(r->verdict == PC_NFT_POLICY && base->policy == NF_DROP)) {
		if (strcmp(base->type, "route") == 0 &&
		    (r->mark_unknown ? r->mark_set : (p->mark_unknown || r->mark != p->mark)))
			r->reroute = true;
		if (strcmp(base->type, "nat") == 0 && r->dnat && r->nat_addr.family == p->family &&
		    !pp_addr_eq(&r->nat_addr, &p->dst))
			r->reroute = true;
	}
	return 0;
}

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
	for (size_t i = 0; i < c->nsets; i++)
		free(c->sets[i].set.elems);
	free(c->chains);
	free(c->sets);
	c->chains = NULL;
	c->sets = NULL;
	c->nchains = c->nsets = 0;
}

/* ---- from the query to the hooks ---- */

void
pc_pkt_for_hook(const struct pc_query *q, const struct pc_facts *f, uint32_t hook, struct pc_pkt *p)
{
	memset(p, 0, sizeof(*p));
	/* After prerouting the packet carries the DNAT'ed destination. */
	if (hook != NF_INET_PRE_ROUTING && hook != NF_INET_LOCAL_OUT && f->dnat)
		q = &f->eq;
	p->family = q->family;
	p->hook = hook;
	p->dst = q->dst;
	p->l4proto = q->proto;
	p->dport = q->dport;
	p->dport_known = q->has_dport || (q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP);
	p->sport = q->sport;
	p->sport_known = q->has_sport || (q->proto != IPPROTO_TCP && q->proto != IPPROTO_UDP);
	p->mark = q->mark;
	p->uid_known = q->has_uid;
	p->uid = q->uid;
	p->ct_state = 8;	/* new: pathcheck asks about the first packet of a flow */
	if (q->src.family) {
		p->src = q->src;
		p->src_known = true;
	} else if (f->route_rc == 0 && f->route.prefsrc.family == q->family) {
		/* The kernel picks the route's preferred source for a socket that did not bind. */
		p->src = f->route.prefsrc;
		p->src_known = true;
	}
	if (q->direction != PC_EGRESS && hook != NF_INET_LOCAL_OUT) {
		snprintf(p->iifname, sizeof(p->iifname), "%s", q->iif);
		p->iif = q->iif_index;
	}
	if (hook == NF_INET_LOCAL_OUT || hook == NF_INET_POST_ROUTING || hook == NF_INET_FORWARD) {
		if (f->route_rc == 0 && f->oif_rc == 0 && f->oif_link.name[0]) {
			snprintf(p->oifname, sizeof(p->oifname), "%s", f->oif_link.name);
			p->oif = f->oif_link.ifindex;
		}
	}
}

static bool
family_applies(uint32_t chain_family, int family)
{
	return chain_family == NFPROTO_INET ||
	       (family == AF_INET && chain_family == NFPROTO_IPV4) ||
	       (family == AF_INET6 && chain_family == NFPROTO_IPV6);
}

static bool
hook_applies(const struct pc_query *q, uint32_t hook)
{
	switch (q->direction) {
	case PC_EGRESS: return hook == NF_INET_LOCAL_OUT || hook == NF_INET_POST_ROUTING;
	case PC_INGRESS: return hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_IN;
	case PC_FORWARD:
		return hook == NF_INET_PRE_ROUTING || hook == NF_INET_FORWARD || hook == NF_INET_POST_ROUTING;
	}
	return false;
}

struct base_ctx {
	const struct pc_query *q;
	struct pc_facts *f;
	uint32_t hooks;			/* bit per NF_INET_* hook */
	int err;
};

static int
base_cb(const struct pp_nft_chain *c, void *data)
{
	struct base_ctx *bc = data;
	struct pc_chain *nv;

	if (c->base)
		bc->f->nft_base_total++;
	/* Bridge-family chains see a packet that arrives on a bridge port: prerouting and input (routed). */
	bool bridge = c->family == NFPROTO_BRIDGE && bc->f->bridge_port[0] &&
		      (c->hooknum == NF_BR_PRE_ROUTING || c->hooknum == NF_BR_LOCAL_IN);

	if (!c->base || !(family_applies(c->family, bc->q->family) || bridge) || !hook_applies(bc->q, c->hooknum) ||
	    c->hooknum >= 32 || !(bc->hooks & (1u << c->hooknum)))
		return 0;
	nv = realloc(bc->f->chains, (bc->f->nchains + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	bc->f->chains = nv;
	memset(&nv[bc->f->nchains], 0, sizeof(*nv));
	nv[bc->f->nchains++].c = *c;
	return 0;
}

static int
chain_order(const void *a, const void *b)
{
	const struct pc_chain *x = a, *y = b;

	if (x->c.hooknum != y->c.hooknum)
		return x->c.hooknum < y->c.hooknum ? -1 : 1;
	if (x->c.prio != y->c.prio)
		return x->c.prio < y->c.prio ? -1 : 1;
	return strcmp(x->c.table, y->c.table);
}

void
pc_nft_collect(const struct pc_query *q, struct pc_facts *f, uint32_t hooks)
{
	struct pp_nl nl;
	struct base_ctx bc = { q, f, hooks, 0 };
	struct pc_nft_cache cache = { 0 };
	size_t first = f->nchains;
	int rc;

	if (f->nft_rc < 0)
		return;
	rc = pp_nl_open(&nl, NETLINK_NETFILTER, &f->nft_err);
	if (rc < 0) {
		f->nft_rc = rc;
		return;
	}
	if (f->nft_resume) {
		/* Called again after the route ran again: carry on with the chain after the one that stopped. */
		first = f->nft_resume - 1;
		f->nft_resume = 0;
	} else {
		rc = pp_nft_chain_dump(&nl, NFPROTO_UNSPEC, base_cb, &bc, &f->nft_err);
		if (rc < 0) {
			f->nft_rc = rc;
			pp_nl_close(&nl);
			return;
		}
		if (f->nchains > first)
			qsort(f->chains + first, f->nchains - first, sizeof(*f->chains), chain_order);
	}
	cache.nl = &nl;
	for (size_t i = first; i < f->nchains; i++) {
		struct pc_chain *c = &f->chains[i];
		const struct pc_nft_result *r = &c->res;
		struct pc_pkt p;

		pc_pkt_for_hook(q, f, c->c.hooknum, &p);
		if (c->c.family == NFPROTO_BRIDGE) {
			/* The bridge family sees the port the frame came in on. */
			snprintf(p.iifname, sizeof(p.iifname), "%s", f->bridge_port);
			p.iif = (int)if_nametoindex(f->bridge_port);
		}
		/* The marks as the chains before this one left them. */
		p.mark = f->mark;
		p.mark_unknown = f->mark_unknown;
		p.ctmark = f->ctmark;
		p.ctmark_unknown = f->ctmark_unknown;
		c->rc = pc_nft_eval_base(&cache, &c->c, &p, &c->res);
		if (r->verdict == PC_NFT_DROP || (r->verdict == PC_NFT_POLICY && r->policy == NF_DROP))
			continue;	/* a dropped packet goes no further: later chains judge a packet that never comes */
		f->mark = r->mark;
		f->mark_unknown = r->mark_unknown;
		f->ctmark = r->ctmark;
		f->ctmark_unknown = r->ctmark_unknown;
		if (r->mark_set && (r->mark_unknown || r->mark != p.mark || p.mark_unknown))
			snprintf(f->mark_by, sizeof(f->mark_by), "%s in %s %s %s", r->mark_stmt,
				 pp_nft_family_name(c->c.family), c->c.table, r->mark_chain);
		if (q->direction != PC_EGRESS || c->c.hooknum != NF_INET_LOCAL_OUT)
			continue;
		/* A dnat at output: the later chains and stations see the new destination (q is f->eq). */
		if (r->dnat && strcmp(c->c.type, "nat") == 0 && !f->dnat) {
			f->dnat = true;
			snprintf(f->dnat_text, sizeof(f->dnat_text), "%s in %s %s %s", r->nat,
				 pp_nft_family_name(c->c.family), c->c.table, r->chain);
			if (r->nat_addr.family == f->eq.family)
				f->eq.dst = r->nat_addr;
			if (r->nat_port) {
				f->eq.dport = r->nat_port;
				f->eq.has_dport = true;
			}
		}
		if (r->reroute) {
			/* The kernel routes again here: stop, the walker runs the route station, then calls in again. */
			snprintf(f->reroute_why, sizeof(f->reroute_why), "%s",
				 strcmp(c->c.type, "nat") == 0 ? f->dnat_text : f->mark_by);
			f->nft_resume = i + 2;
			break;
		}
	}
	pc_nft_cache_free(&cache);
	pp_nl_close(&nl);
}
