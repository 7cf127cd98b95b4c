/*
 * nftrule.c: a rule as `nft list ruleset` shows it, for the shapes pathcheck understands,
 * built as the VM (nftvm.c) reads the rule's expressions: each register remembers what
 * was loaded into it ("ip daddr", "meta mark & 0xff") so a comparison on it reads as nft
 * writes it ("ip daddr 198.51.100.0/24", "tcp dport 1000-2000", "ct state new").
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <linux/netfilter.h>

#include "nftrule.h"

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


static const char *
proto_str(uint8_t p)
{
	switch (p) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	default: return "th";
	}
}

void
nftr_payload_desc(const struct pc_pkt *p, uint32_t base, uint32_t off, uint32_t len, char *d, size_t dl,
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
	if (base == NFT_PAYLOAD_LL_HEADER) {
		/* The Ethernet header, as nft names its fields (ether daddr, saddr, type). */
		if (off == 0 && len == 6) { snprintf(d, dl, "ether daddr"); *kind = K_LLADDR; return; }
		if (off == 6 && len == 6) { snprintf(d, dl, "ether saddr"); *kind = K_LLADDR; return; }
		if (off == 12 && len == 2) { snprintf(d, dl, "ether type"); *kind = K_ETHERTYPE; return; }
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
	if (base > NFT_PAYLOAD_INNER_HEADER) {
		/* A base this build does not know (a tunnel header): named by its number. */
		snprintf(d, dl, "@base%u,%u,%u", base, off * 8, len * 8);
		return;
	}
	snprintf(d, dl, "@%s,%u,%u", base == NFT_PAYLOAD_LL_HEADER ? "ll" :
		 base == NFT_PAYLOAD_NETWORK_HEADER ? "nh" : base == NFT_PAYLOAD_TRANSPORT_HEADER ? "th" : "ih",
		 off * 8, len * 8);
}


void
nftr_add(struct rule_eval *re, const char *fmt, ...)
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


void
nftr_value(uint8_t kind, const uint8_t *v, uint32_t len, char *buf, size_t bl)
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
	case K_LLADDR:
		if (len == 6) {
			snprintf(buf, bl, "%02x:%02x:%02x:%02x:%02x:%02x", v[0], v[1], v[2], v[3], v[4], v[5]);
			return;
		}
		break;
	case K_NFPROTO:
		if (len == 1) {
			snprintf(buf, bl, "%s", v[0] == NFPROTO_IPV4 ? "ipv4" : v[0] == NFPROTO_IPV6 ? "ipv6" :
					 v[0] == NFPROTO_BRIDGE ? "bridge" : "?");
			return;
		}
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
	case K_FIBOIF:
		if (len == 1) { snprintf(buf, bl, "%s", v[0] ? "exists" : "missing"); return; }
		if (len == 4) {
			uint32_t x;

			memcpy(&x, v, 4);
			if (x == 0) { snprintf(buf, bl, "missing"); return; }
			snprintf(buf, bl, "%u", x);
			return;
		}
		break;
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
	nftr_value(kind, el->key, n, a, sizeof(a));
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
	nftr_value(kind, last, n, b, sizeof(b));
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
		case K_ADDR4: case K_MARK: case K_U32: case K_CTSTATE: case K_FIBOIF: l = 4; break;
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


void
nftr_verdict(struct rule_eval *re)
{
	if (!re->has_verdict || re->reject || re->nat[0] || re->vmap)
		return;
	switch (re->verdict) {
	case NF_ACCEPT: nftr_add(re, "accept"); break;
	case NF_DROP: nftr_add(re, "drop"); break;
	case NFT_JUMP: nftr_add(re, "jump %s", re->target); break;
	case NFT_GOTO: nftr_add(re, "goto %s", re->target); break;
	case NFT_RETURN: nftr_add(re, "return"); break;
	case NFT_CONTINUE: nftr_add(re, "continue"); break;
	case NF_QUEUE: nftr_add(re, "queue"); break;
	default: break;
	}
}


void
nftr_tidy(char *t)
{
	static const struct { const char *dep, *then; } deps[] = {
		{ "meta nfproto ipv4 ", "ip " }, { "meta nfproto ipv6 ", "ip6 " },
		{ "meta protocol ip ", "ip " }, { "meta protocol ip6 ", "ip6 " },
		{ "meta l4proto tcp ", "tcp " }, { "meta l4proto udp ", "udp " }, { "meta l4proto sctp ", "sctp " },
		{ "meta l4proto icmp ", "icmp " }, { "meta l4proto icmpv6 ", "icmpv6 " },
		{ "ip protocol tcp ", "tcp " }, { "ip protocol udp ", "udp " },
		{ "ip6 nexthdr tcp ", "tcp " }, { "ip6 nexthdr udp ", "udp " },
		{ "ip protocol sctp ", "sctp " }, { "ip6 nexthdr sctp ", "sctp " },
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

void
nftr_cmp(struct rule_eval *re, int off, uint32_t op, const uint8_t *data, uint32_t len)
{
	uint32_t shown = op;
	char v[80];

	/* A prefix match compares the masked address: show it as nft does, addr/len. */
	if (re->rg.plen[off / 4]) {
		uint8_t full[16] = { 0 };

		memcpy(full, data, len > 16 ? 16 : len);
		nftr_value(re->rg.kind[off / 4], full, re->rg.kind[off / 4] == K_ADDR4 ? 4 : 16, v, sizeof(v));
		snprintf(v + strlen(v), sizeof(v) - strlen(v), "/%u", re->rg.plen[off / 4]);
	} else if (re->rg.flags[off / 4] && len == 4 && memcmp(data, "\0\0\0\0", 4) == 0 &&
		   (op == NFT_CMP_NEQ || op == NFT_CMP_EQ)) {
		/* A flag test, (ct state & 0x8) != 0: nft shows the flags, "ct state new". */
		nftr_value(re->rg.kind[off / 4], (const uint8_t *)&re->rg.flags[off / 4], 4, v, sizeof(v));
		shown = op == NFT_CMP_NEQ ? NFT_CMP_EQ : NFT_CMP_NEQ;
	} else if ((re->rg.kind[off / 4] == K_ADDR4 && len < 4) || (re->rg.kind[off / 4] == K_ADDR6 && len < 16)) {
		/* A byte-aligned prefix is a shorter load: 198.51.100.0/24 compares 3 bytes. */
		uint8_t full[16] = { 0 };

		memcpy(full, data, len);
		nftr_value(re->rg.kind[off / 4], full, re->rg.kind[off / 4] == K_ADDR4 ? 4 : 16, v, sizeof(v));
		snprintf(v + strlen(v), sizeof(v) - strlen(v), "/%u", len * 8);
	} else {
		nftr_value(re->rg.kind[off / 4], data, len, v, sizeof(v));
	}
	if (op == NFT_CMP_LTE && re->gte && re->gte_off == off) {
		/* nft writes a range as cmp gte, cmp lte: shown as nft does, "tcp dport 1000-2000". */
		re->tlen = re->gte_tlen;
		re->text[re->tlen] = '\0';
		nftr_add(re, "%s %s-%s", re->rg.desc[off / 4][0] ? re->rg.desc[off / 4] : "reg", re->gte_v, v);
	} else {
		re->gte_tlen = re->tlen;
		nftr_add(re, "%s %s%s", re->rg.desc[off / 4][0] ? re->rg.desc[off / 4] : "reg", op_str(shown), v);
	}
	re->gte = op == NFT_CMP_GTE;
	re->gte_off = off;
	snprintf(re->gte_v, sizeof(re->gte_v), "%s", v);
}

void
nftr_range(struct rule_eval *re, int off, uint32_t op, const uint8_t *from, const uint8_t *to, uint32_t len)
{
	char a[80], b[80];

	nftr_value(re->rg.kind[off / 4], from, len, a, sizeof(a));
	nftr_value(re->rg.kind[off / 4], to, len, b, sizeof(b));
	nftr_add(re, "%s %s%s-%s", re->rg.desc[off / 4], op == NFT_RANGE_NEQ ? "!= " : "", a, b);
}

void
nftr_bitwise(struct rule_eval *re, uint32_t dreg, uint8_t kind, const uint8_t *mask, const uint8_t *xor,
	     uint32_t len)
{
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

void
nftr_lookup(struct rule_eval *re, const struct pp_nft_set *s, const char *name, int off, bool inv)
{
	int po[4];
	uint32_t pl[4];
	size_t np;
	char desc[160];

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

					nftr_value(re->rg.kind[po[k] / 4], s->elems[i].key + (po[k] - off), pl[k], pv, sizeof(pv));
					snprintf(v + strlen(v), sizeof(v) - strlen(v), "%s%s", k ? " . " : "", pv);
				}
			} else if (s->flags & NFT_SET_INTERVAL && s->elems[i].key_len <= PP_NFT_KEY_MAX) {
				interval_str(s, &s->elems[i], re->rg.kind[off / 4], v, sizeof(v));
			} else {
				nftr_value(re->rg.kind[off / 4], s->elems[i].key, s->elems[i].key_len, v, sizeof(v));
			}
			o += (size_t)snprintf(list + o, sizeof(list) - o, "%s%s", shown > 1 ? ", " : "", v);
			if (re->vmap && s->elems[i].has_verdict && o < sizeof(list))
				o += (size_t)snprintf(list + o, sizeof(list) - o, " : %s",
						      verdict_str(s->elems[i].verdict, s->elems[i].chain, v, sizeof(v)));
		}
		nftr_add(re, "%s %s%s{ %s }", desc, inv ? "!= " : "", re->vmap ? "vmap " : "", list);
	} else {
		nftr_add(re, "%s %s%s@%s", desc, inv ? "!= " : "", re->vmap ? "vmap " : "", name);
	}
}

void
nftr_map_desc(const struct rule_eval *re, uint32_t sreg, char *desc, size_t dl)
{
	snprintf(desc, dl, "%.40s map", reg_off(sreg) >= 0 && re->rg.desc[reg_off(sreg) / 4][0] ?
						   re->rg.desc[reg_off(sreg) / 4] : "?");
}

void
nftr_xt_mark(char *stmt, size_t sl, uint32_t mark, uint32_t mask)
{
	if (mask == 0xffffffffu)
		snprintf(stmt, sl, "meta mark set 0x%x", mark);
	else if (mark == mask)
		snprintf(stmt, sl, "meta mark set meta mark | 0x%x", mark);
	else if (mark == 0)
		snprintf(stmt, sl, "meta mark set meta mark & 0x%x", ~mask);
	else
		snprintf(stmt, sl, "meta mark set meta mark & 0x%x ^ 0x%x", ~mask, mark);
}

void
nftr_meta_mark_set(const struct rule_eval *re, int off, bool known, uint32_t v, char *stmt, size_t sl)
{
	if (off < 0)
		snprintf(stmt, sl, "meta mark set ?");
	else if (!re->rg.desc[off / 4][0] && known)
		snprintf(stmt, sl, "meta mark set 0x%x", v);
	else
		snprintf(stmt, sl, "meta mark set %s%s", re->rg.desc[off / 4][0] ? re->rg.desc[off / 4] : "?",
			 re->rg.op[off / 4]);
}

void
nftr_mark_stmt(struct rule_eval *re, const char *stmt, uint32_t v, bool known, bool computed)
{
	nftr_add(re, "%s", stmt);
	if (re->match == M_NO)
		return;
	/* The value nft computed, when the statement does not show it: "meta mark set meta mark | 0x4000 (0x4001)". */
	if (!known)
		snprintf(re->mark_stmt, sizeof(re->mark_stmt), "%.80s (unknown)", stmt);
	else if (computed)
		snprintf(re->mark_stmt, sizeof(re->mark_stmt), "%.80s (0x%x)", stmt, v);
	else
		snprintf(re->mark_stmt, sizeof(re->mark_stmt), "%s", stmt);
}

void
nftr_nat(struct rule_eval *re, const char *what, bool has_addr, bool has_port)
{
	char a[64] = "", port[16] = "";

	bool v6 = has_addr && re->nat_addr.family == AF_INET6;

	if (has_addr)
		inet_ntop(re->nat_addr.family, re->nat_addr.u.b, a, sizeof(a));
	if (has_port)
		snprintf(port, sizeof(port), ":%u", re->nat_port);
	/* As nft writes it: an IPv6 address before a port in brackets, [ADDR]:PORT. */
	snprintf(re->nat, sizeof(re->nat), "%s to %s%s%s%s", what, v6 && has_port ? "[" : "", a,
		 v6 && has_port ? "]" : "", port);
	nftr_add(re, "%s", re->nat);
}

/* nft's names of the meta keys (nft describe meta) and of the ct keys. */
static const struct key_name {
	const char *expr;
	uint32_t key;
	const char *name;
} key_names[] = {
	{ "meta", NFT_META_LEN, "length" }, { "meta", NFT_META_PROTOCOL, "protocol" },
	{ "meta", NFT_META_PRIORITY, "priority" }, { "meta", NFT_META_MARK, "mark" },
	{ "meta", NFT_META_IIF, "iif" }, { "meta", NFT_META_OIF, "oif" },
	{ "meta", NFT_META_IIFNAME, "iifname" }, { "meta", NFT_META_OIFNAME, "oifname" },
	{ "meta", NFT_META_IIFTYPE, "iiftype" }, { "meta", NFT_META_OIFTYPE, "oiftype" },
	{ "meta", NFT_META_SKUID, "skuid" }, { "meta", NFT_META_SKGID, "skgid" },
	{ "meta", NFT_META_NFTRACE, "nftrace" }, { "meta", NFT_META_RTCLASSID, "rtclassid" },
	{ "meta", NFT_META_SECMARK, "secmark" }, { "meta", NFT_META_NFPROTO, "nfproto" },
	{ "meta", NFT_META_L4PROTO, "l4proto" }, { "meta", NFT_META_BRI_IIFNAME, "ibrname" },
	{ "meta", NFT_META_BRI_OIFNAME, "obrname" }, { "meta", NFT_META_PKTTYPE, "pkttype" },
	{ "meta", NFT_META_CPU, "cpu" }, { "meta", NFT_META_IIFGROUP, "iifgroup" },
	{ "meta", NFT_META_OIFGROUP, "oifgroup" }, { "meta", NFT_META_CGROUP, "cgroup" },
	{ "meta", NFT_META_PRANDOM, "random" }, { "meta", NFT_META_SECPATH, "ipsec" },
	{ "meta", NFT_META_IIFKIND, "iifkind" }, { "meta", NFT_META_OIFKIND, "oifkind" },
	{ "meta", NFT_META_BRI_IIFPVID, "ibrpvid" }, { "meta", NFT_META_BRI_IIFVPROTO, "ibrvproto" },
	{ "meta", NFT_META_TIME_NS, "time" }, { "meta", NFT_META_TIME_DAY, "day" },
	{ "meta", NFT_META_TIME_HOUR, "hour" }, { "meta", NFT_META_SDIF, "sdif" },
	{ "meta", NFT_META_SDIFNAME, "sdifname" }, { "ct", NFT_CT_STATE, "state" },
	{ "ct", NFT_CT_DIRECTION, "direction" }, { "ct", NFT_CT_STATUS, "status" },
	{ "ct", NFT_CT_MARK, "mark" }, { "ct", NFT_CT_SECMARK, "secmark" },
	{ "ct", NFT_CT_EXPIRATION, "expiration" }, { "ct", NFT_CT_HELPER, "helper" },
	{ "ct", NFT_CT_L3PROTOCOL, "l3proto" }, { "ct", NFT_CT_SRC, "saddr" },
	{ "ct", NFT_CT_DST, "daddr" }, { "ct", NFT_CT_PROTOCOL, "protocol" },
	{ "ct", NFT_CT_PROTO_SRC, "proto-src" }, { "ct", NFT_CT_PROTO_DST, "proto-dst" },
	{ "ct", NFT_CT_LABELS, "label" }, { "ct", NFT_CT_PKTS, "packets" },
	{ "ct", NFT_CT_BYTES, "bytes" }, { "ct", NFT_CT_AVGPKT, "avgpkt" }, { "ct", NFT_CT_ZONE, "zone" },
	{ "ct", NFT_CT_EVENTMASK, "event" }, { "ct", NFT_CT_SRC_IP, "ip saddr" },
	{ "ct", NFT_CT_DST_IP, "ip daddr" }, { "ct", NFT_CT_SRC_IP6, "ip6 saddr" },
	{ "ct", NFT_CT_DST_IP6, "ip6 daddr" }, { "ct", NFT_CT_ID, "id" },
};

const char *
nftr_key(const char *expr, uint32_t key)
{
	for (size_t i = 0; i < PP_ARRAY_SIZE(key_names); i++)
		if (key_names[i].key == key && strcmp(key_names[i].expr, expr) == 0)
			return key_names[i].name;
	return NULL;
}
