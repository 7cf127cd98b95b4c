/*
 * xt.c: x_tables match and target blobs (nft_compat's NFTA_MATCH_INFO and
 * NFTA_TARGET_INFO) decoded with the kernel's uapi structs, printed as
 * iptables-save prints them, and judged against the facts of one packet.
 *
 * The blob of a (name, revision) is the extension's struct padded to XT_ALIGN;
 * the kernel refuses any other size, so a shorter blob is malformed and refused
 * here before any field is read. Every blob is copied into a zeroed, aligned
 * buffer first: the struct is read from there, never from the caller's bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/netfilter/xt_addrtype.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/xt_state.h>
#include <linux/netfilter/xt_comment.h>
#include <linux/netfilter/xt_multiport.h>
#include <linux/netfilter/xt_tcpudp.h>
#include <linux/netfilter/xt_sctp.h>
#undef bytes			/* xt_sctp.h's helper macro: not ours */
#include <linux/netfilter/xt_mark.h>
#include <linux/netfilter/xt_connmark.h>
#include <linux/netfilter/xt_iprange.h>
#include <linux/netfilter/xt_mac.h>
#include <linux/netfilter/xt_physdev.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netfilter/xt_set.h>
#include <linux/netfilter/xt_owner.h>
#include <linux/netfilter/xt_socket.h>
#include <linux/netfilter/xt_statistic.h>
#include <linux/netfilter/xt_limit.h>
#include <linux/netfilter/xt_hashlimit.h>
#include <linux/netfilter/xt_connlimit.h>
#include <linux/netfilter/xt_recent.h>
#include <linux/netfilter_ipv6/ip6t_rt.h>
#include <linux/netfilter/xt_CT.h>
#include <linux/netfilter/xt_TCPMSS.h>
#include <linux/netfilter/xt_LOG.h>
#include <linux/netfilter/xt_NFLOG.h>
#include <linux/netfilter/xt_CHECKSUM.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv4/ipt_REJECT.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <linux/netfilter_ipv6/ip6t_REJECT.h>

#include "xt.h"

_Static_assert(sizeof(struct xt_hashlimit_mtinfo3) <= PP_XT_INFO_MAX, "info buffer");
_Static_assert(sizeof(struct xt_comment_info) <= PP_XT_INFO_MAX, "info buffer");
_Static_assert(PP_XT_IFNAMSIZ == IFNAMSIZ, "interface names");
_Static_assert(sizeof(struct xt_connmark_mtinfo1) == sizeof(struct xt_mark_mtinfo1) &&
	       offsetof(struct xt_connmark_mtinfo1, invert) == offsetof(struct xt_mark_mtinfo1, invert),
	       "-m connmark and -m mark share a layout");

/* A string built by appending, always NUL-terminated, cut at the buffer's end. */
struct sb {
	char *p;
	size_t len, n;
};

static void __attribute__((format(printf, 2, 3)))
sb_add(struct sb *b, const char *fmt, ...)
{
	va_list ap;
	int w;

	if (b->n >= b->len)
		return;
	va_start(ap, fmt);
	w = vsnprintf(b->p + b->n, b->len - b->n, fmt, ap);
	va_end(ap);
	if (w > 0)
		b->n = b->n + (size_t)w < b->len ? b->n + (size_t)w : b->len - 1;
}

/* " !" when inverted: iptables-save puts the ! before the option it inverts. */
static void
sb_not(struct sb *b, bool inv)
{
	if (inv)
		sb_add(b, " !");
}

/* An address of family into b (numeric, as iptables-save prints). */
static void
sb_addr(struct sb *b, uint8_t family, const union nf_inet_addr *a)
{
	char s[INET6_ADDRSTRLEN];

	inet_ntop(family == NFPROTO_IPV6 ? AF_INET6 : AF_INET, a, s, sizeof(s));
	sb_add(b, "%s", s);
}

/* A mask as a prefix length when it is one, else as an address (xtables_ipmask_to_numeric). */
static int
mask_len(uint8_t family, const union nf_inet_addr *m)
{
	int words = family == NFPROTO_IPV6 ? 4 : 1, n = 0, i;

	for (i = 0; i < words; i++) {
		uint32_t w = ntohl(m->ip6[i]);

		if (w == 0xffffffffu) {
			n += 32;
			continue;
		}
		while (w & 0x80000000u) {
			n++;
			w <<= 1;
		}
		if (w)
			return -1;
		for (i++; i < words; i++)
			if (m->ip6[i])
				return -1;
		break;
	}
	return n;
}

/* A string as xtables_save_string() writes it: bare when plain, else quoted with \ before " \ '. */
static void
sb_savestr(struct sb *b, const char *s)
{
	static const char plain[] = "_-0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
	size_t n = strspn(s, plain);

	if (n > 0 && s[n] == '\0') {
		sb_add(b, " %s", s);
		return;
	}
	sb_add(b, " \"");
	for (; *s; s++) {
		if (strchr("\"\\'", *s))
			sb_add(b, "\\");
		sb_add(b, "%c", *s);
	}
	sb_add(b, "\"");
}

/* The text after "-m NAME" / "-j NAME" is built with a leading space per option. */
static int
sb_done(struct sb *b)
{
	return (int)b->n;
}

static void
seterr(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#define why_set(...) seterr(why, whylen, __VA_ARGS__)

/*
 * The extensions known: name, the family they apply to (NFPROTO_UNSPEC: both),
 * the revisions, and the struct size of each revision.
 */
struct ext {
	const char *name;
	int kind;
	uint8_t family;
	uint8_t rev_min, rev_max;
	struct {
		size_t size;		/* 0: not a known revision */
		const char *sname;	/* the struct, for the error message */
	} r[5];				/* by revision */
};

#define SZ(rev, s) [rev] = { sizeof(struct s), "struct " #s }

static const struct ext matches[] = {
	{ "addrtype", PP_XT_M_ADDRTYPE, NFPROTO_UNSPEC, 1, 1, { SZ(1, xt_addrtype_info_v1) } },
	{ "conntrack", PP_XT_M_CONNTRACK, NFPROTO_UNSPEC, 1, 3,
	  { SZ(1, xt_conntrack_mtinfo1), SZ(2, xt_conntrack_mtinfo2), SZ(3, xt_conntrack_mtinfo3) } },
	{ "state", PP_XT_M_STATE, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_state_info) } },
	{ "comment", PP_XT_M_COMMENT, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_comment_info) } },
	{ "multiport", PP_XT_M_MULTIPORT, NFPROTO_UNSPEC, 1, 1, { SZ(1, xt_multiport_v1) } },
	{ "tcp", PP_XT_M_TCP, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_tcp) } },
	{ "udp", PP_XT_M_UDP, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_udp) } },
	{ "sctp", PP_XT_M_SCTP, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_sctp_info) } },
	{ "icmp", PP_XT_M_ICMP, NFPROTO_IPV4, 0, 0, { SZ(0, ipt_icmp) } },
	{ "icmp6", PP_XT_M_ICMP6, NFPROTO_IPV6, 0, 0, { SZ(0, ip6t_icmp) } },
	{ "mark", PP_XT_M_MARK, NFPROTO_UNSPEC, 1, 1, { SZ(1, xt_mark_mtinfo1) } },
	{ "connmark", PP_XT_M_CONNMARK, NFPROTO_UNSPEC, 1, 1, { SZ(1, xt_connmark_mtinfo1) } },
	{ "iprange", PP_XT_M_IPRANGE, NFPROTO_UNSPEC, 1, 1, { SZ(1, xt_iprange_mtinfo) } },
	{ "mac", PP_XT_M_MAC, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_mac_info) } },
	{ "physdev", PP_XT_M_PHYSDEV, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_physdev_info) } },
	{ "set", PP_XT_M_SET, NFPROTO_UNSPEC, 1, 4,
	  { SZ(1, xt_set_info_match_v1), SZ(2, xt_set_info_match_v1), SZ(3, xt_set_info_match_v3),
	    SZ(4, xt_set_info_match_v4) } },
	{ "owner", PP_XT_M_OWNER, NFPROTO_UNSPEC, 1, 1, { SZ(1, xt_owner_match_info) } },
	{ "socket", PP_XT_M_SOCKET, NFPROTO_UNSPEC, 1, 3,
	  { SZ(1, xt_socket_mtinfo1), SZ(2, xt_socket_mtinfo2), SZ(3, xt_socket_mtinfo3) } },
	{ "statistic", PP_XT_M_STATISTIC, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_statistic_info) } },
	{ "limit", PP_XT_M_LIMIT, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_rateinfo) } },
	{ "hashlimit", PP_XT_M_HASHLIMIT, NFPROTO_UNSPEC, 1, 3,
	  { SZ(1, xt_hashlimit_mtinfo1), SZ(2, xt_hashlimit_mtinfo2), SZ(3, xt_hashlimit_mtinfo3) } },
	{ "connlimit", PP_XT_M_CONNLIMIT, NFPROTO_UNSPEC, 1, 1, { SZ(1, xt_connlimit_info) } },
	{ "recent", PP_XT_M_RECENT, NFPROTO_UNSPEC, 0, 1,
	  { SZ(0, xt_recent_mtinfo), SZ(1, xt_recent_mtinfo_v1) } },
	{ "rt", PP_XT_M_RT, NFPROTO_IPV6, 0, 0, { SZ(0, ip6t_rt) } },
};

static const struct ext targets[] = {
	{ "", PP_XT_T_STANDARD, NFPROTO_UNSPEC, 0, 0, { [0] = { sizeof(int), "int" } } },
	{ "DNAT", PP_XT_T_DNAT, NFPROTO_IPV4, 0, 2,
	  { SZ(0, nf_nat_ipv4_multi_range_compat), SZ(1, nf_nat_range), SZ(2, nf_nat_range2) } },
	{ "DNAT", PP_XT_T_DNAT, NFPROTO_IPV6, 1, 2, { SZ(1, nf_nat_range), SZ(2, nf_nat_range2) } },
	{ "SNAT", PP_XT_T_SNAT, NFPROTO_IPV4, 0, 2,
	  { SZ(0, nf_nat_ipv4_multi_range_compat), SZ(1, nf_nat_range), SZ(2, nf_nat_range2) } },
	{ "SNAT", PP_XT_T_SNAT, NFPROTO_IPV6, 1, 2, { SZ(1, nf_nat_range), SZ(2, nf_nat_range2) } },
	{ "MASQUERADE", PP_XT_T_MASQUERADE, NFPROTO_IPV4, 0, 0, { SZ(0, nf_nat_ipv4_multi_range_compat) } },
	{ "MASQUERADE", PP_XT_T_MASQUERADE, NFPROTO_IPV6, 0, 0, { SZ(0, nf_nat_range) } },
	{ "REDIRECT", PP_XT_T_REDIRECT, NFPROTO_IPV4, 0, 0, { SZ(0, nf_nat_ipv4_multi_range_compat) } },
	{ "REDIRECT", PP_XT_T_REDIRECT, NFPROTO_IPV6, 0, 0, { SZ(0, nf_nat_range) } },
	{ "REJECT", PP_XT_T_REJECT, NFPROTO_IPV4, 0, 0, { SZ(0, ipt_reject_info) } },
	{ "REJECT", PP_XT_T_REJECT, NFPROTO_IPV6, 0, 0, { SZ(0, ip6t_reject_info) } },
	{ "MARK", PP_XT_T_MARK, NFPROTO_UNSPEC, 2, 2, { SZ(2, xt_mark_tginfo2) } },
	{ "CONNMARK", PP_XT_T_CONNMARK, NFPROTO_UNSPEC, 1, 2,
	  { SZ(1, xt_connmark_tginfo1), SZ(2, xt_connmark_tginfo2) } },
	{ "CT", PP_XT_T_CT, NFPROTO_UNSPEC, 0, 2,
	  { SZ(0, xt_ct_target_info), SZ(1, xt_ct_target_info_v1), SZ(2, xt_ct_target_info_v1) } },
	{ "TCPMSS", PP_XT_T_TCPMSS, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_tcpmss_info) } },
	{ "LOG", PP_XT_T_LOG, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_log_info) } },
	{ "NFLOG", PP_XT_T_NFLOG, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_nflog_info) } },
	{ "CHECKSUM", PP_XT_T_CHECKSUM, NFPROTO_UNSPEC, 0, 0, { SZ(0, xt_CHECKSUM_info) } },
};

/*
 * Find (name, rev, family) and check len. Returns the entry, or NULL with err
 * set and *rc = -EOPNOTSUPP (unknown) or -EBADMSG (short).
 */
static const struct ext *
ext_find(const struct ext *tab, size_t n, const char *name, uint32_t rev, uint8_t family,
	 size_t len, int *rc, char *err, size_t errlen)
{
	const struct ext *e;
	size_t i;

	if (family != NFPROTO_IPV4 && family != NFPROTO_IPV6) {
		seterr(err, errlen, "unknown extension %s rev %u (family %u)", name, rev, family);
		*rc = -EOPNOTSUPP;
		return NULL;
	}
	for (i = 0; i < n; i++) {
		e = &tab[i];
		if (strcmp(e->name, name) || (e->family != NFPROTO_UNSPEC && e->family != family))
			continue;
		if (rev < e->rev_min || rev > e->rev_max || !e->r[rev].size)
			continue;
		/* the kernel takes exactly XT_ALIGN(size): anything shorter is cut */
		if (len < XT_ALIGN(e->r[rev].size)) {
			seterr(err, errlen, "%s rev %u: info of %zu bytes is shorter than %s (%zu)",
			       *name ? name : "standard", rev, len, e->r[rev].sname,
			       (size_t)XT_ALIGN(e->r[rev].size));
			*rc = -EBADMSG;
			return NULL;
		}
		return e;
	}
	seterr(err, errlen, "unknown extension %s rev %u", *name ? name : "standard", rev);
	*rc = -EOPNOTSUPP;
	return NULL;
}

/* ---- matches: decode ------------------------------------------------------ */

/*
 * Conntrack rev 1 and 2 into rev 3's struct: the same addresses and flags, one
 * port per direction in network order (rev 3: ranges in host order), and in
 * rev 1 8-bit state and status masks.
 */
#define CT_WIDEN(c, o)								\
	do {									\
		memcpy((c), (o), offsetof(struct xt_conntrack_mtinfo3, l4proto));	\
		(c)->l4proto = (o)->l4proto;					\
		(c)->origsrc_port = ntohs((o)->origsrc_port);			\
		(c)->origdst_port = ntohs((o)->origdst_port);			\
		(c)->replsrc_port = ntohs((o)->replsrc_port);			\
		(c)->repldst_port = ntohs((o)->repldst_port);			\
		(c)->match_flags = (o)->match_flags;				\
		(c)->invert_flags = (o)->invert_flags;				\
		(c)->state_mask = (o)->state_mask;				\
		(c)->status_mask = (o)->status_mask;				\
	} while (0)

int
pp_xt_match_decode(const char *name, uint32_t rev, uint8_t family, const void *info,
		   size_t len, struct pp_xt_match *m, char *err, size_t errlen)
{
	const struct ext *e;
	uint8_t raw[PP_XT_INFO_MAX] __attribute__((aligned(8)));
	int rc = 0;

	memset(m, 0, sizeof(*m));
	if (!name)
		name = "";
	if (!(e = ext_find(matches, sizeof(matches) / sizeof(matches[0]), name, rev, family, len,
			   &rc, err, errlen)))
		return rc;
	memset(raw, 0, sizeof(raw));
	memcpy(raw, info, e->r[rev].size);
	m->kind = e->kind;
	snprintf(m->name, sizeof(m->name), "%s", name);
	m->rev = (uint8_t)rev;
	m->family = family;
	m->len = (uint32_t)len;

	switch (m->kind) {
	case PP_XT_M_CONNTRACK: {
		struct xt_conntrack_mtinfo3 *c = (void *)m->info;

		if (rev == 3) {
			memcpy(c, raw, sizeof(*c));
			break;
		}
		if (rev == 1)
			CT_WIDEN(c, (const struct xt_conntrack_mtinfo1 *)(const void *)raw);
		else
			CT_WIDEN(c, (const struct xt_conntrack_mtinfo2 *)(const void *)raw);
		c->origsrc_port_high = c->origsrc_port;
		c->origdst_port_high = c->origdst_port;
		c->replsrc_port_high = c->replsrc_port;
		c->repldst_port_high = c->repldst_port;
		break;
	}
	case PP_XT_M_SET: {
		struct xt_set_info_match_v4 *s = (void *)m->info;

		/* Rev 1 and 2 are the index, dim and flags alone; rev 3 adds counters. */
		if (rev == 4) {
			memcpy(s, raw, sizeof(*s));
		} else if (rev == 3) {
			const struct xt_set_info_match_v3 *o = (const void *)raw;

			s->match_set = o->match_set;
			s->packets.value = o->packets.value;
			s->packets.op = o->packets.op;
			s->bytes.value = o->bytes.value;
			s->bytes.op = o->bytes.op;
			s->flags = o->flags;
		} else {
			const struct xt_set_info_match_v1 *o = (const void *)raw;

			s->match_set = o->match_set;
			/* rev 1 knows no --return-nomatch; rev 2 carries it in the flags */
			if (rev == 2 && (o->match_set.flags & IPSET_RETURN_NOMATCH))
				s->flags |= IPSET_FLAG_RETURN_NOMATCH;
			s->match_set.flags &= ~IPSET_RETURN_NOMATCH;
		}
		if (s->match_set.dim < 1 || s->match_set.dim > IPSET_DIM_MAX) {
			seterr(err, errlen, "set rev %u: dimension %u out of 1..%u", rev,
			       s->match_set.dim, IPSET_DIM_MAX);
			return -EBADMSG;
		}
		break;
	}
	case PP_XT_M_MULTIPORT: {
		const struct xt_multiport_v1 *mp = (const void *)raw;

		if (mp->count > XT_MULTI_PORTS) {
			seterr(err, errlen, "multiport rev 1: %u ports, at most %u", mp->count,
			       XT_MULTI_PORTS);
			return -EBADMSG;
		}
		memcpy(m->info, raw, e->r[rev].size);
		break;
	}
	case PP_XT_M_COMMENT:
		memcpy(m->info, raw, e->r[rev].size);
		m->info[XT_MAX_COMMENT_LEN - 1] = '\0';
		break;
	case PP_XT_M_RECENT: {
		/* rev 0 is rev 1 without the mask (all ones: the whole address) */
		struct xt_recent_mtinfo_v1 *r = (void *)m->info;

		memcpy(m->info, raw, e->r[rev].size);
		if (rev == 0)
			memset(&r->mask, 0xff, sizeof(r->mask));
		r->name[XT_RECENT_NAME_LEN - 1] = '\0';
		break;
	}
	case PP_XT_M_PHYSDEV: {
		struct xt_physdev_info *ph = (void *)m->info;

		memcpy(m->info, raw, e->r[rev].size);
		ph->physindev[IFNAMSIZ - 1] = ph->physoutdev[IFNAMSIZ - 1] = '\0';
		ph->in_mask[IFNAMSIZ - 1] = ph->out_mask[IFNAMSIZ - 1] = 0;
		break;
	}
	case PP_XT_M_HASHLIMIT:
		if (rev == 2) {
			/* rev 2 is rev 3 without cfg.interval, which sits before the masks */
			const struct xt_hashlimit_mtinfo2 *o = (const void *)raw;
			struct xt_hashlimit_mtinfo3 *h = (void *)m->info;

			memcpy(h->name, o->name, sizeof(h->name));
			h->cfg.avg = o->cfg.avg, h->cfg.burst = o->cfg.burst, h->cfg.mode = o->cfg.mode;
			h->cfg.size = o->cfg.size, h->cfg.max = o->cfg.max;
			h->cfg.gc_interval = o->cfg.gc_interval, h->cfg.expire = o->cfg.expire;
			h->cfg.srcmask = o->cfg.srcmask, h->cfg.dstmask = o->cfg.dstmask;
		} else {
			memcpy(m->info, raw, e->r[rev].size);
		}
		if (rev == 1)
			((struct xt_hashlimit_mtinfo1 *)m->info)->name[IFNAMSIZ - 1] = '\0';
		else
			((struct xt_hashlimit_mtinfo3 *)m->info)->name[NAME_MAX - 1] = '\0';
		break;
	default:
		memcpy(m->info, raw, e->r[rev].size);
		break;
	}
	return 0;
}

int
pp_xt_match_set_index(const struct pp_xt_match *m)
{
	if (m->kind != PP_XT_M_SET)
		return -1;
	return ((const struct xt_set_info_match_v4 *)m->info)->match_set.index;
}

/* ---- matches: text -------------------------------------------------------- */

static const char *const addrtype_names[] = {
	"UNSPEC", "UNICAST", "LOCAL", "BROADCAST", "ANYCAST", "MULTICAST",
	"BLACKHOLE", "UNREACHABLE", "PROHIBIT", "THROW", "NAT", "XRESOLVE",
};

static void
sb_addrtypes(struct sb *b, uint16_t mask)
{
	const char *sep = " ";
	unsigned i;

	for (i = 0; i < sizeof(addrtype_names) / sizeof(addrtype_names[0]); i++)
		if (mask & (1u << i)) {
			sb_add(b, "%s%s", sep, addrtype_names[i]);
			sep = ",";
		}
}

/* The conntrack state bits in iptables' order of printing. */
static void
sb_ctstate(struct sb *b, unsigned mask)
{
	static const struct { unsigned bit; const char *name; } st[] = {
		{ XT_CONNTRACK_STATE_INVALID, "INVALID" },
		{ XT_CONNTRACK_STATE_BIT(IP_CT_NEW), "NEW" },
		{ XT_CONNTRACK_STATE_BIT(IP_CT_RELATED), "RELATED" },
		{ XT_CONNTRACK_STATE_BIT(IP_CT_ESTABLISHED), "ESTABLISHED" },
		{ XT_CONNTRACK_STATE_UNTRACKED, "UNTRACKED" },
		{ XT_CONNTRACK_STATE_SNAT, "SNAT" },
		{ XT_CONNTRACK_STATE_DNAT, "DNAT" },
	};
	const char *sep = " ";
	size_t i;

	for (i = 0; i < sizeof(st) / sizeof(st[0]); i++)
		if (mask & st[i].bit) {
			sb_add(b, "%s%s", sep, st[i].name);
			sep = ",";
		}
}

static void
sb_ctstatus(struct sb *b, unsigned mask)
{
	const char *sep = " ";

	if (mask & IPS_EXPECTED) { sb_add(b, "%sEXPECTED", sep); sep = ","; }
	if (mask & IPS_SEEN_REPLY) { sb_add(b, "%sSEEN_REPLY", sep); sep = ","; }
	if (mask & IPS_ASSURED) { sb_add(b, "%sASSURED", sep); sep = ","; }
	if (mask & IPS_CONFIRMED) { sb_add(b, "%sCONFIRMED", sep); sep = ","; }
	if (mask == 0)
		sb_add(b, "%sNONE", sep);
}

static void
sb_addrmask(struct sb *b, uint8_t family, const union nf_inet_addr *a, const union nf_inet_addr *m)
{
	int l = mask_len(family, m);

	sb_add(b, " ");
	sb_addr(b, family, a);
	/* xtables_ipmask_to_numeric: nothing for a host, /N for a prefix, else the mask */
	if (l == (family == NFPROTO_IPV6 ? 128 : 32)) {
		return;
	} else if (l >= 0) {
		sb_add(b, "/%d", l);
	} else {
		sb_add(b, "/");
		sb_addr(b, family, m);
	}
}

static void
text_conntrack(struct sb *b, const struct pp_xt_match *m)
{
	const struct xt_conntrack_mtinfo3 *c = (const void *)m->info;
	uint16_t f = c->match_flags, inv = c->invert_flags;
	static const struct {
		uint16_t flag;
		const char *opt;
		size_t lo, hi;
	} ports[] = {
		{ XT_CONNTRACK_ORIGSRC_PORT, "ctorigsrcport", offsetof(struct xt_conntrack_mtinfo3, origsrc_port),
		  offsetof(struct xt_conntrack_mtinfo3, origsrc_port_high) },
		{ XT_CONNTRACK_ORIGDST_PORT, "ctorigdstport", offsetof(struct xt_conntrack_mtinfo3, origdst_port),
		  offsetof(struct xt_conntrack_mtinfo3, origdst_port_high) },
		{ XT_CONNTRACK_REPLSRC_PORT, "ctreplsrcport", offsetof(struct xt_conntrack_mtinfo3, replsrc_port),
		  offsetof(struct xt_conntrack_mtinfo3, replsrc_port_high) },
		{ XT_CONNTRACK_REPLDST_PORT, "ctrepldstport", offsetof(struct xt_conntrack_mtinfo3, repldst_port),
		  offsetof(struct xt_conntrack_mtinfo3, repldst_port_high) },
	};
	size_t i;

	if (f & XT_CONNTRACK_STATE) {
		sb_not(b, inv & XT_CONNTRACK_STATE);
		sb_add(b, " --%s", f & XT_CONNTRACK_STATE_ALIAS ? "state" : "ctstate");
		sb_ctstate(b, c->state_mask);
	}
	if (f & XT_CONNTRACK_PROTO) {
		sb_not(b, inv & XT_CONNTRACK_PROTO);
		sb_add(b, " --ctproto %u", c->l4proto);
	}
	if (f & XT_CONNTRACK_ORIGSRC) {
		sb_not(b, inv & XT_CONNTRACK_ORIGSRC);
		sb_add(b, " --ctorigsrc");
		sb_addrmask(b, m->family, &c->origsrc_addr, &c->origsrc_mask);
	}
	if (f & XT_CONNTRACK_ORIGDST) {
		sb_not(b, inv & XT_CONNTRACK_ORIGDST);
		sb_add(b, " --ctorigdst");
		sb_addrmask(b, m->family, &c->origdst_addr, &c->origdst_mask);
	}
	if (f & XT_CONNTRACK_REPLSRC) {
		sb_not(b, inv & XT_CONNTRACK_REPLSRC);
		sb_add(b, " --ctreplsrc");
		sb_addrmask(b, m->family, &c->replsrc_addr, &c->replsrc_mask);
	}
	if (f & XT_CONNTRACK_REPLDST) {
		sb_not(b, inv & XT_CONNTRACK_REPLDST);
		sb_add(b, " --ctrepldst");
		sb_addrmask(b, m->family, &c->repldst_addr, &c->repldst_mask);
	}
	for (i = 0; i < sizeof(ports) / sizeof(ports[0]); i++) {
		uint16_t lo, hi;

		if (!(f & ports[i].flag))
			continue;
		memcpy(&lo, (const uint8_t *)c + ports[i].lo, 2);
		memcpy(&hi, (const uint8_t *)c + ports[i].hi, 2);
		sb_not(b, inv & ports[i].flag);
		sb_add(b, " --%s %u", ports[i].opt, lo);
		if (hi != lo)
			sb_add(b, ":%u", hi);
	}
	if (f & XT_CONNTRACK_STATUS) {
		sb_not(b, inv & XT_CONNTRACK_STATUS);
		sb_add(b, " --ctstatus");
		sb_ctstatus(b, c->status_mask);
	}
	if (f & XT_CONNTRACK_EXPIRES) {
		sb_not(b, inv & XT_CONNTRACK_EXPIRES);
		sb_add(b, " --ctexpire %u", c->expires_min);
		if (c->expires_max != c->expires_min)
			sb_add(b, ":%u", c->expires_max);
	}
	if (f & XT_CONNTRACK_DIRECTION)
		sb_add(b, " --ctdir %s", inv & XT_CONNTRACK_DIRECTION ? "REPLY" : "ORIGINAL");
}

static void
sb_ports(struct sb *b, const char *opt, const uint16_t pts[2], bool inv)
{
	if (pts[0] == 0 && pts[1] == 0xffff)
		return;
	sb_not(b, inv);
	if (pts[0] == pts[1])
		sb_add(b, " --%s %u", opt, pts[0]);
	else
		sb_add(b, " --%s %u:%u", opt, pts[0], pts[1]);
}

/* libxt_sctp's chunk names and the letters of their flags (iptables' sctp_chunk_names). */
static const struct { uint8_t type; const char *name, *flags; } sctp_chunks[] = {
	{ 0, "DATA", "----IUBE" }, { 1, "INIT", NULL }, { 2, "INIT_ACK", NULL }, { 3, "SACK", NULL },
	{ 4, "HEARTBEAT", NULL }, { 5, "HEARTBEAT_ACK", NULL }, { 6, "ABORT", "-------T" },
	{ 7, "SHUTDOWN", NULL }, { 8, "SHUTDOWN_ACK", NULL }, { 9, "ERROR", NULL }, { 10, "COOKIE_ECHO", NULL },
	{ 11, "COOKIE_ACK", NULL }, { 12, "ECN_ECNE", NULL }, { 13, "ECN_CWR", NULL },
	{ 14, "SHUTDOWN_COMPLETE", "-------T" }, { 64, "I_DATA", "----IUBE" }, { 130, "RE_CONFIG", NULL },
	{ 132, "PAD", NULL }, { 193, "ASCONF", NULL }, { 128, "ASCONF_ACK", NULL }, { 192, "FORWARD_TSN", NULL },
	{ 194, "I_FORWARD_TSN", NULL },
};

static void
sb_sctp_chunks(struct sb *b, const struct xt_sctp_info *c)
{
	bool any = false;

	sb_not(b, c->invflags & XT_SCTP_CHUNK_TYPES);
	sb_add(b, " --chunk-types %s", c->chunk_match_type == SCTP_CHUNK_MATCH_ALL ? "all" :
		    c->chunk_match_type == SCTP_CHUNK_MATCH_ONLY ? "only" : "any");
	for (unsigned t = 0; t < 256; t++) {
		const char *name = NULL, *letters = NULL;

		if (!(c->chunkmap[t / 32] & (1u << (t % 32))))
			continue;
		for (size_t k = 0; k < PP_ARRAY_SIZE(sctp_chunks); k++)
			if (sctp_chunks[k].type == t) {
				name = sctp_chunks[k].name;
				letters = sctp_chunks[k].flags;
			}
		sb_add(b, "%s", any ? "," : " ");
		any = true;
		if (name)
			sb_add(b, "%s", name);
		else
			sb_add(b, "0x%04X", t);
		for (int f = 0; f < c->flag_count && f < XT_NUM_SCTP_FLAGS; f++) {
			if (c->flag_info[f].chunktype != t)
				continue;
			sb_add(b, ":");
			for (int bit = 7; bit >= 0; bit--)
				if (c->flag_info[f].flag_mask & (1u << bit)) {
					char l = letters && letters[7 - bit] != '-' ? letters[7 - bit] : '?';

					sb_add(b, "%c", c->flag_info[f].flag & (1u << bit) ? l : (char)(l | 0x20));
				}
		}
	}
	if (!any)
		sb_add(b, " NONE");
}

static void
sb_tcpflags(struct sb *b, uint8_t flags)
{
	static const char *const names[] = { "FIN", "SYN", "RST", "PSH", "ACK", "URG" };
	const char *sep = "";
	unsigned i;

	if (flags == 0) {
		sb_add(b, "NONE");
		return;
	}
	for (i = 0; i < 6; i++)
		if (flags & (1u << i)) {
			sb_add(b, "%s%s", sep, names[i]);
			sep = ",";
		}
	/* bits 0x40 and 0x80 (ECE, CWR) have no name in iptables: shown as a number */
	if (flags & 0xc0)
		sb_add(b, "%s0x%x", sep, flags & 0xc0);
}

static void
sb_mark(struct sb *b, uint32_t mark, uint32_t mask)
{
	if (mask != 0xffffffffu)
		sb_add(b, " 0x%x/0x%x", mark, mask);
	else
		sb_add(b, " 0x%x", mark);
}

/*
 * A rate as xt_limit and hashlimit print it: the largest unit that keeps it
 * whole. Returns the unit in seconds (hashlimit's default expiry is one unit).
 */
static uint64_t
sb_rate(struct sb *b, uint64_t period, uint64_t scale)
{
	static const struct { const char *name; uint64_t mult; } rates[] = {
		{ "day", 24 * 60 * 60 }, { "hour", 60 * 60 }, { "min", 60 }, { "sec", 1 },
	};
	unsigned i;

	if (period == 0) {
		sb_add(b, " inf");
		return 1;
	}
	for (i = 1; i < 4; i++)
		if (period > rates[i].mult * scale ||
		    rates[i].mult * scale / period < rates[i].mult * scale % period)
			break;
	sb_add(b, " %llu/%s", (unsigned long long)(rates[i - 1].mult * scale / period), rates[i - 1].name);
	return rates[i - 1].mult;
}

/*
 * hashlimit's byte mode stores a cost per byte-chunk: avg = UINT32_MAX / (bytes
 * >> XT_HASHLIMIT_BYTE_SHIFT + 1). Shown in the largest of m, k, b that gives the
 * same cost back, with the burst in bytes; the default expiry (in seconds) is
 * 15 without a burst and 60 with one.
 */
static uint64_t
hl_cost_to_bytes(uint64_t cost)
{
	uint64_t r = cost ? UINT32_MAX / cost : UINT32_MAX;

	return (r - 1) << XT_HASHLIMIT_BYTE_SHIFT;
}

static uint64_t
hl_bytes_to_cost(uint64_t bytes)
{
	uint32_t r = (uint32_t)(bytes >> XT_HASHLIMIT_BYTE_SHIFT);

	return UINT32_MAX / ((uint64_t)r + 1);
}

static uint64_t
sb_bytes(struct sb *b, uint64_t avg, uint64_t burst)
{
	static const struct { const char *name; uint64_t div; } units[] = {
		{ "m", 1024 * 1024 }, { "k", 1024 }, { "", 1 },
	};
	uint64_t r = hl_cost_to_bytes(avg);
	unsigned i;

	for (i = 0; i < 2; i++)
		if (r >= units[i].div && hl_bytes_to_cost(r & ~(units[i].div - 1)) == avg)
			break;
	sb_add(b, " %llu%sb/s", (unsigned long long)(r / units[i].div), units[i].name);
	if (burst == 0)
		return 15;
	r *= burst;
	for (i = 0; i < 2; i++)
		if (r >= units[i].div)
			break;
	sb_add(b, " --hashlimit-burst %llu%sb", (unsigned long long)(r / units[i].div), units[i].name);
	return 60;
}

static void
text_hashlimit(struct sb *b, const struct pp_xt_match *m)
{
	const char *name;
	uint64_t avg, burst, scale;
	uint32_t mode, size, max, gc, expire;
	uint8_t srcmask, dstmask;
	uint64_t quantum = 1;

	if (m->rev == 1) {
		const struct xt_hashlimit_mtinfo1 *h = (const void *)m->info;

		name = h->name, avg = h->cfg.avg, burst = h->cfg.burst, mode = h->cfg.mode;
		size = h->cfg.size, max = h->cfg.max, gc = h->cfg.gc_interval, expire = h->cfg.expire;
		srcmask = h->cfg.srcmask, dstmask = h->cfg.dstmask;
		scale = XT_HASHLIMIT_SCALE;
	} else {
		/* rev 2 was widened to rev 3's struct when decoded */
		const struct xt_hashlimit_mtinfo3 *h = (const void *)m->info;

		name = h->name, avg = h->cfg.avg, burst = h->cfg.burst, mode = h->cfg.mode;
		size = h->cfg.size, max = h->cfg.max, gc = h->cfg.gc_interval, expire = h->cfg.expire;
		srcmask = h->cfg.srcmask, dstmask = h->cfg.dstmask;
		scale = XT_HASHLIMIT_SCALE_v2;
	}
	sb_add(b, " --hashlimit-%s", mode & XT_HASHLIMIT_INVERT ? "above" : "upto");
	if (mode & XT_HASHLIMIT_BYTES) {
		quantum = sb_bytes(b, avg, burst);
	} else {
		quantum = sb_rate(b, avg, scale);
		sb_add(b, " --hashlimit-burst %llu", (unsigned long long)burst);
	}
	if (mode & (XT_HASHLIMIT_HASH_SIP | XT_HASHLIMIT_HASH_SPT | XT_HASHLIMIT_HASH_DIP |
		    XT_HASHLIMIT_HASH_DPT)) {
		const char *sep = " ";

		sb_add(b, " --hashlimit-mode");
		if (mode & XT_HASHLIMIT_HASH_SIP) { sb_add(b, "%ssrcip", sep); sep = ","; }
		if (mode & XT_HASHLIMIT_HASH_SPT) { sb_add(b, "%ssrcport", sep); sep = ","; }
		if (mode & XT_HASHLIMIT_HASH_DIP) { sb_add(b, "%sdstip", sep); sep = ","; }
		if (mode & XT_HASHLIMIT_HASH_DPT) sb_add(b, "%sdstport", sep);
	}
	/* iptables-save: the name, then what differs from the defaults */
	sb_add(b, " --hashlimit-name %s", name);
	if (size)
		sb_add(b, " --hashlimit-htable-size %u", size);
	if (max)
		sb_add(b, " --hashlimit-htable-max %u", max);
	if (gc != 1000)
		sb_add(b, " --hashlimit-htable-gcinterval %u", gc);
	if (expire != quantum * 1000)
		sb_add(b, " --hashlimit-htable-expire %u", expire);
	if (srcmask != (m->family == NFPROTO_IPV6 ? 128 : 32))
		sb_add(b, " --hashlimit-srcmask %u", srcmask);
	if (dstmask != (m->family == NFPROTO_IPV6 ? 128 : 32))
		sb_add(b, " --hashlimit-dstmask %u", dstmask);
}

static void
text_set(struct sb *b, const struct pp_xt_match *m, const char *setname)
{
	const struct xt_set_info_match_v4 *s = (const void *)m->info;
	static const char *const ops[] = { "", "eq", "ne", "lt", "gt" };
	unsigned i;

	sb_not(b, s->match_set.flags & IPSET_INV_MATCH);
	if (setname && *setname)
		sb_add(b, " --match-set %s", setname);
	else
		sb_add(b, " --match-set #%u", s->match_set.index);
	for (i = 1; i <= s->match_set.dim; i++)
		sb_add(b, "%s%s", i == 1 ? " " : ",", s->match_set.flags & (1u << i) ? "src" : "dst");
	if (s->flags & IPSET_FLAG_RETURN_NOMATCH)
		sb_add(b, " --return-nomatch");
	if (s->flags & IPSET_FLAG_SKIP_COUNTER_UPDATE)
		sb_add(b, " ! --update-counters");
	if (s->flags & IPSET_FLAG_SKIP_SUBCOUNTER_UPDATE)
		sb_add(b, " ! --update-subcounters");
	if (s->packets.op > IPSET_COUNTER_NONE && s->packets.op <= IPSET_COUNTER_GT) {
		if (s->packets.op == IPSET_COUNTER_NE)
			sb_add(b, " ! --packets-eq %llu", (unsigned long long)s->packets.value);
		else
			sb_add(b, " --packets-%s %llu", ops[s->packets.op], (unsigned long long)s->packets.value);
	}
	if (s->bytes.op > IPSET_COUNTER_NONE && s->bytes.op <= IPSET_COUNTER_GT) {
		if (s->bytes.op == IPSET_COUNTER_NE)
			sb_add(b, " ! --bytes-eq %llu", (unsigned long long)s->bytes.value);
		else
			sb_add(b, " --bytes-%s %llu", ops[s->bytes.op], (unsigned long long)s->bytes.value);
	}
}

static void
text_owner(struct sb *b, const struct xt_owner_match_info *o)
{
	if (o->match & XT_OWNER_SOCKET) {
		sb_not(b, o->invert & XT_OWNER_SOCKET);
		sb_add(b, " --socket-exists");
	}
	if (o->match & XT_OWNER_UID) {
		sb_not(b, o->invert & XT_OWNER_UID);
		sb_add(b, " --uid-owner %u", o->uid_min);
		if (o->uid_max != o->uid_min)
			sb_add(b, "-%u", o->uid_max);
	}
	if (o->match & XT_OWNER_GID) {
		sb_not(b, o->invert & XT_OWNER_GID);
		sb_add(b, " --gid-owner %u", o->gid_min);
		if (o->gid_max != o->gid_min)
			sb_add(b, "-%u", o->gid_max);
	}
	if (o->match & XT_OWNER_SUPPL_GROUPS) {
		sb_not(b, o->invert & XT_OWNER_SUPPL_GROUPS);
		sb_add(b, " --suppl-groups");
	}
}

static void
text_match_opts(struct sb *b, const struct pp_xt_match *m, const char *setname)
{
	const void *i = m->info;

	switch (m->kind) {
	case PP_XT_M_ADDRTYPE: {
		const struct xt_addrtype_info_v1 *a = i;

		if (a->source) {
			sb_not(b, a->flags & XT_ADDRTYPE_INVERT_SOURCE);
			sb_add(b, " --src-type");
			sb_addrtypes(b, a->source);
		}
		if (a->dest) {
			sb_not(b, a->flags & XT_ADDRTYPE_INVERT_DEST);
			sb_add(b, " --dst-type");
			sb_addrtypes(b, a->dest);
		}
		if (a->flags & XT_ADDRTYPE_LIMIT_IFACE_IN)
			sb_add(b, " --limit-iface-in");
		if (a->flags & XT_ADDRTYPE_LIMIT_IFACE_OUT)
			sb_add(b, " --limit-iface-out");
		break;
	}
	case PP_XT_M_CONNTRACK:
		text_conntrack(b, m);
		break;
	case PP_XT_M_STATE: {
		const struct xt_state_info *s = i;

		sb_add(b, " --state");
		/* xt_state has conntrack's bits but its own UNTRACKED, where conntrack has SNAT */
		sb_ctstate(b, (s->statemask & 0x0f) | (s->statemask & XT_STATE_UNTRACKED ?
						       XT_CONNTRACK_STATE_UNTRACKED : 0));
		break;
	}
	case PP_XT_M_COMMENT:
		sb_add(b, " --comment");
		sb_savestr(b, ((const struct xt_comment_info *)i)->comment);
		break;
	case PP_XT_M_MULTIPORT: {
		const struct xt_multiport_v1 *mp = i;
		unsigned k;

		sb_not(b, mp->invert);
		sb_add(b, " --%s ", mp->flags == XT_MULTIPORT_SOURCE ? "sports" :
			    mp->flags == XT_MULTIPORT_DESTINATION ? "dports" : "ports");
		for (k = 0; k < mp->count; k++) {
			sb_add(b, "%s%u", k ? "," : "", mp->ports[k]);
			if (mp->pflags[k] && k + 1 < mp->count) {
				sb_add(b, ":%u", mp->ports[k + 1]);
				k++;
			}
		}
		break;
	}
	case PP_XT_M_TCP: {
		const struct xt_tcp *t = i;

		sb_ports(b, "sport", t->spts, t->invflags & XT_TCP_INV_SRCPT);
		sb_ports(b, "dport", t->dpts, t->invflags & XT_TCP_INV_DSTPT);
		if (t->option || (t->invflags & XT_TCP_INV_OPTION)) {
			sb_not(b, t->invflags & XT_TCP_INV_OPTION);
			sb_add(b, " --tcp-option %u", t->option);
		}
		if (t->flg_mask || (t->invflags & XT_TCP_INV_FLAGS)) {
			sb_not(b, t->invflags & XT_TCP_INV_FLAGS);
			sb_add(b, " --tcp-flags ");
			sb_tcpflags(b, t->flg_mask);
			sb_add(b, " ");
			sb_tcpflags(b, t->flg_cmp);
		}
		break;
	}
	case PP_XT_M_UDP: {
		const struct xt_udp *u = i;

		sb_ports(b, "sport", u->spts, u->invflags & XT_UDP_INV_SRCPT);
		sb_ports(b, "dport", u->dpts, u->invflags & XT_UDP_INV_DSTPT);
		break;
	}
	case PP_XT_M_SCTP: {
		const struct xt_sctp_info *c = i;

		/* as libxt_sctp saves it: --sport, --dport, --chunk-types MODE CHUNK[:FLAGS],... */
		if (c->flags & XT_SCTP_SRC_PORTS) {
			sb_not(b, c->invflags & XT_SCTP_SRC_PORTS);
			if (c->spts[0] != c->spts[1])
				sb_add(b, " --sport %u:%u", c->spts[0], c->spts[1]);
			else
				sb_add(b, " --sport %u", c->spts[0]);
		}
		if (c->flags & XT_SCTP_DEST_PORTS) {
			sb_not(b, c->invflags & XT_SCTP_DEST_PORTS);
			if (c->dpts[0] != c->dpts[1])
				sb_add(b, " --dport %u:%u", c->dpts[0], c->dpts[1]);
			else
				sb_add(b, " --dport %u", c->dpts[0]);
		}
		if (c->flags & XT_SCTP_CHUNK_TYPES)
			sb_sctp_chunks(b, c);
		break;
	}
	case PP_XT_M_ICMP: {
		const struct ipt_icmp *c = i;

		sb_not(b, c->invflags & IPT_ICMP_INV);
		if (c->type == 0xff) {
			sb_add(b, " --icmp-type any");
		} else {
			sb_add(b, " --icmp-type %u", c->type);
			if (c->code[0] != 0 || c->code[1] != 0xff)
				sb_add(b, "/%u", c->code[0]);
		}
		break;
	}
	case PP_XT_M_ICMP6: {
		const struct ip6t_icmp *c = i;

		sb_not(b, c->invflags & IP6T_ICMP_INV);
		sb_add(b, " --icmpv6-type %u", c->type);
		if (c->code[0] != 0 || c->code[1] != 0xff)
			sb_add(b, "/%u", c->code[0]);
		break;
	}
	case PP_XT_M_MARK:
	case PP_XT_M_CONNMARK: {
		/* xt_connmark_mtinfo1 is xt_mark_mtinfo1 (asserted above) */
		const struct xt_mark_mtinfo1 *k = i;

		sb_not(b, k->invert);
		sb_add(b, " --mark");
		sb_mark(b, k->mark, k->mask);
		break;
	}
	case PP_XT_M_IPRANGE: {
		const struct xt_iprange_mtinfo *r = i;

		if (r->flags & IPRANGE_SRC) {
			sb_not(b, r->flags & IPRANGE_SRC_INV);
			sb_add(b, " --src-range ");
			sb_addr(b, m->family, &r->src_min);
			sb_add(b, "-");
			sb_addr(b, m->family, &r->src_max);
		}
		if (r->flags & IPRANGE_DST) {
			sb_not(b, r->flags & IPRANGE_DST_INV);
			sb_add(b, " --dst-range ");
			sb_addr(b, m->family, &r->dst_min);
			sb_add(b, "-");
			sb_addr(b, m->family, &r->dst_max);
		}
		break;
	}
	case PP_XT_M_MAC: {
		const struct xt_mac_info *a = i;
		unsigned k;

		sb_not(b, a->invert);
		sb_add(b, " --mac-source ");
		for (k = 0; k < ETH_ALEN; k++)
			sb_add(b, "%s%02x", k ? ":" : "", a->srcaddr[k]);
		break;
	}
	case PP_XT_M_PHYSDEV: {
		const struct xt_physdev_info *ph = i;

		if (ph->bitmask & XT_PHYSDEV_OP_ISIN) {
			sb_not(b, ph->invert & XT_PHYSDEV_OP_ISIN);
			sb_add(b, " --physdev-is-in");
		}
		if (ph->bitmask & XT_PHYSDEV_OP_IN) {
			sb_not(b, ph->invert & XT_PHYSDEV_OP_IN);
			sb_add(b, " --physdev-in %s", ph->physindev);
		}
		if (ph->bitmask & XT_PHYSDEV_OP_ISOUT) {
			sb_not(b, ph->invert & XT_PHYSDEV_OP_ISOUT);
			sb_add(b, " --physdev-is-out");
		}
		if (ph->bitmask & XT_PHYSDEV_OP_OUT) {
			sb_not(b, ph->invert & XT_PHYSDEV_OP_OUT);
			sb_add(b, " --physdev-out %s", ph->physoutdev);
		}
		if (ph->bitmask & XT_PHYSDEV_OP_BRIDGED) {
			sb_not(b, ph->invert & XT_PHYSDEV_OP_BRIDGED);
			sb_add(b, " --physdev-is-bridged");
		}
		break;
	}
	case PP_XT_M_SET:
		text_set(b, m, setname);
		break;
	case PP_XT_M_OWNER:
		text_owner(b, i);
		break;
	case PP_XT_M_SOCKET: {
		uint8_t fl = *(const uint8_t *)i;

		if (fl & XT_SOCKET_TRANSPARENT)
			sb_add(b, " --transparent");
		if (m->rev >= 2 && (fl & XT_SOCKET_NOWILDCARD))
			sb_add(b, " --nowildcard");
		if (m->rev >= 3 && (fl & XT_SOCKET_RESTORESKMARK))
			sb_add(b, " --restore-skmark");
		break;
	}
	case PP_XT_M_STATISTIC: {
		const struct xt_statistic_info *s = i;
		bool inv = s->flags & XT_STATISTIC_INVERT;

		/* the ! stands after the mode, before what it inverts */
		if (s->mode == XT_STATISTIC_MODE_RANDOM) {
			sb_add(b, " --mode random%s --probability %.11f", inv ? " !" : "",
			       1.0 * s->u.random.probability / 0x80000000u);
		} else {
			sb_add(b, " --mode nth%s --every %u", inv ? " !" : "", s->u.nth.every + 1);
			if (s->u.nth.packet)
				sb_add(b, " --packet %u", s->u.nth.packet);
		}
		break;
	}
	case PP_XT_M_LIMIT: {
		const struct xt_rateinfo *r = i;

		sb_add(b, " --limit");
		sb_rate(b, r->avg, XT_LIMIT_SCALE);
		if (r->burst != 5)
			sb_add(b, " --limit-burst %u", r->burst);
		break;
	}
	case PP_XT_M_HASHLIMIT:
		text_hashlimit(b, m);
		break;
	case PP_XT_M_RECENT: {
		const struct xt_recent_mtinfo_v1 *r = i;

		/* as iptables-save: the command, its modifiers, the list, the mask, the side */
		sb_not(b, r->invert);
		if (r->check_set & XT_RECENT_SET)
			sb_add(b, " --set");
		if (r->check_set & XT_RECENT_CHECK)
			sb_add(b, " --rcheck");
		if (r->check_set & XT_RECENT_UPDATE)
			sb_add(b, " --update");
		if (r->check_set & XT_RECENT_REMOVE)
			sb_add(b, " --remove");
		if (r->seconds)
			sb_add(b, " --seconds %u", r->seconds);
		if (r->check_set & XT_RECENT_REAP)
			sb_add(b, " --reap");
		if (r->hit_count)
			sb_add(b, " --hitcount %u", r->hit_count);
		if (r->check_set & XT_RECENT_TTL)
			sb_add(b, " --rttl");
		sb_add(b, " --name %s --mask ", r->name);
		sb_addr(b, m->family, &r->mask);
		sb_add(b, " %s", r->side == XT_RECENT_DEST ? "--rdest" : "--rsource");
		break;
	}
	case PP_XT_M_RT: {
		const struct ip6t_rt *r = i;

		if (r->flags & IP6T_RT_TYP) {
			sb_not(b, r->invflags & IP6T_RT_INV_TYP);
			sb_add(b, " --rt-type %u", r->rt_type);
		}
		if (r->flags & IP6T_RT_SGS) {
			sb_not(b, r->invflags & IP6T_RT_INV_SGS);
			if (r->segsleft[0] == r->segsleft[1])
				sb_add(b, " --rt-segsleft %u", r->segsleft[0]);
			else
				sb_add(b, " --rt-segsleft %u:%u", r->segsleft[0], r->segsleft[1]);
		}
		if (r->flags & IP6T_RT_LEN) {
			sb_not(b, r->invflags & IP6T_RT_INV_LEN);
			sb_add(b, " --rt-len %u", r->hdrlen);
		}
		if (r->flags & IP6T_RT_RES)
			sb_add(b, " --rt-0-res");
		break;
	}
	case PP_XT_M_CONNLIMIT: {
		const struct xt_connlimit_info *c = i;
		int bits = mask_len(m->family, &c->mask);

		sb_add(b, " --connlimit-%s %u", c->flags & XT_CONNLIMIT_INVERT ? "upto" : "above", c->limit);
		sb_add(b, " --connlimit-mask %d", bits < 0 ? 0 : bits);
		sb_add(b, " --connlimit-%s", c->flags & XT_CONNLIMIT_DADDR ? "daddr" : "saddr");
		break;
	}
	}
}

int
pp_xt_match_text(const struct pp_xt_match *m, char *buf, size_t len)
{
	struct sb b = { buf, len, 0 };
	const char *name = m->name;

	if (!len)
		return 0;
	buf[0] = '\0';
	/* -m state is written as conntrack rev 3 with XT_CONNTRACK_STATE_ALIAS */
	if (m->kind == PP_XT_M_CONNTRACK &&
	    (((const struct xt_conntrack_mtinfo3 *)m->info)->match_flags & XT_CONNTRACK_STATE_ALIAS))
		name = "state";
	sb_add(&b, "-m %s", name);
	text_match_opts(&b, m, m->kind == PP_XT_M_SET ? m->set_name : NULL);
	return sb_done(&b);
}

/* ---- matches: evaluation -------------------------------------------------- */

static enum pp_xt_result
res(bool match, bool invert)
{
	return match != invert ? PP_XT_MATCH : PP_XT_NOMATCH;
}

/* a against b, addresses of family compared as big-endian numbers (iprange's order) */
static int
addr_cmp(uint8_t family, const struct pp_addr *a, const union nf_inet_addr *b)
{
	return memcmp(a->u.b, b, family == NFPROTO_IPV6 ? 16 : 4);
}

static bool
pkt_addr_ok(const struct pp_xt_pkt *p, uint8_t family)
{
	int af = family == NFPROTO_IPV6 ? AF_INET6 : AF_INET;

	return p->addr_known && p->src.family == af && p->dst.family == af;
}

/* The packet's ct state as conntrack's state bits (nftables' untracked bit is xt's 1 << 6). */
static unsigned
xt_ctstate(const struct pp_xt_pkt *p)
{
	unsigned s = p->ctstate & 0x0f;

	if (p->ctstate & 0x40)
		s |= XT_CONNTRACK_STATE_UNTRACKED;
	return s;
}

/* an address of family under mask, as the kernel's conntrack_addrcmp() */
static bool
addr_masked_eq(uint8_t family, const struct pp_addr *a, const union nf_inet_addr *want,
	       const union nf_inet_addr *mask)
{
	unsigned k, words = family == NFPROTO_IPV6 ? 4 : 1;
	uint32_t w[4] = { 0 };

	memcpy(w, a->u.b, words * 4);
	for (k = 0; k < words; k++)
		if ((w[k] ^ want->ip6[k]) & mask->ip6[k])
			return false;
	return true;
}

/*
 * Every option of the match, in the kernel's order; a false one decides
 * (nomatch) whatever is unknown, otherwise the first unknown is the answer.
 */
static enum pp_xt_result
eval_conntrack(const struct pp_xt_match *m, const struct pp_xt_pkt *p, char *why, size_t whylen)
{
	const struct xt_conntrack_mtinfo3 *c = (const void *)m->info;
	uint16_t f = c->match_flags, inv = c->invert_flags;
	int af = m->family == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
	const char *missing = NULL;
	unsigned k;
	static const struct {
		uint16_t flag;
		bool reply, src;
	} addrs[] = {
		{ XT_CONNTRACK_ORIGSRC, false, true }, { XT_CONNTRACK_ORIGDST, false, false },
		{ XT_CONNTRACK_REPLSRC, true, true }, { XT_CONNTRACK_REPLDST, true, false },
	};
	const union nf_inet_addr *aw[] = { &c->origsrc_addr, &c->origdst_addr, &c->replsrc_addr, &c->repldst_addr };
	const union nf_inet_addr *am[] = { &c->origsrc_mask, &c->origdst_mask, &c->replsrc_mask, &c->repldst_mask };
	static const uint16_t pflag[] = {
		XT_CONNTRACK_ORIGSRC_PORT, XT_CONNTRACK_ORIGDST_PORT, XT_CONNTRACK_REPLSRC_PORT,
		XT_CONNTRACK_REPLDST_PORT,
	};
	const uint16_t plo[] = { c->origsrc_port, c->origdst_port, c->replsrc_port, c->repldst_port };
	const uint16_t phi[] = { c->origsrc_port_high, c->origdst_port_high, c->replsrc_port_high,
				 c->repldst_port_high };

#define CT_UNKNOWN(what) do { if (!missing) missing = (what); } while (0)
	if (f & XT_CONNTRACK_STATE) {
		unsigned st;

		if (!p->ctstate_known) {
			why_set("-m conntrack --ctstate: the packet's conntrack state is not known");
			return PP_XT_UNKNOWN;
		}
		st = xt_ctstate(p);
		if ((c->state_mask & (XT_CONNTRACK_STATE_SNAT | XT_CONNTRACK_STATE_DNAT)) &&
		    !(st & (XT_CONNTRACK_STATE_INVALID | XT_CONNTRACK_STATE_UNTRACKED))) {
			if (!p->ctstatus_known) {
				why_set("-m conntrack --ctstate SNAT/DNAT: the conntrack status is not known");
				return PP_XT_UNKNOWN;
			}
			if (p->ctstatus & IPS_SRC_NAT)
				st |= XT_CONNTRACK_STATE_SNAT;
			if (p->ctstatus & IPS_DST_NAT)
				st |= XT_CONNTRACK_STATE_DNAT;
		}
		if (((st & c->state_mask) != 0) == !!(inv & XT_CONNTRACK_STATE))
			return PP_XT_NOMATCH;
	}
	/* an invalid or untracked packet has no entry: the kernel stops here */
	if (p->ctstate_known && (xt_ctstate(p) & (XT_CONNTRACK_STATE_INVALID | XT_CONNTRACK_STATE_UNTRACKED)))
		return f & XT_CONNTRACK_STATE ? PP_XT_MATCH : PP_XT_NOMATCH;
	if (f & XT_CONNTRACK_DIRECTION) {
		if (!p->ctdir_known)
			CT_UNKNOWN("-m conntrack --ctdir: the conntrack direction is not known");
		else if ((p->ctdir == IP_CT_DIR_ORIGINAL) == !!(inv & XT_CONNTRACK_DIRECTION))
			return PP_XT_NOMATCH;
	}
	for (k = 0; k < 4; k++) {
		const struct pp_xt_ct_tuple *t = addrs[k].reply ? &p->ct_reply : &p->ct_orig;
		const struct pp_addr *a = addrs[k].src ? &t->src : &t->dst;

		if (!(f & addrs[k].flag))
			continue;
		if (!p->cttuple_known || a->family != af)
			CT_UNKNOWN("-m conntrack: the conntrack entry's addresses are not known");
		else if (addr_masked_eq(m->family, a, aw[k], am[k]) == !!(inv & addrs[k].flag))
			return PP_XT_NOMATCH;
	}
	if (f & XT_CONNTRACK_PROTO) {
		if (!p->cttuple_known)
			CT_UNKNOWN("-m conntrack --ctproto: the conntrack entry's protocol is not known");
		else if ((p->ct_l4proto == c->l4proto) == !!(inv & XT_CONNTRACK_PROTO))
			return PP_XT_NOMATCH;
	}
	for (k = 0; k < 4; k++) {
		const struct pp_xt_ct_tuple *t = k >= 2 ? &p->ct_reply : &p->ct_orig;
		uint16_t port = k % 2 == 0 ? t->sport : t->dport;

		if (!(f & pflag[k]))
			continue;
		if (!p->cttuple_known)
			CT_UNKNOWN("-m conntrack: the conntrack entry's ports are not known");
		else if (p->ct_sport_unknown && (k == 0 || k == 3))
			CT_UNKNOWN("-m conntrack: the flow's source port is not known (--sport)");
		else if ((port >= plo[k] && port <= phi[k]) == !!(inv & pflag[k]))
			return PP_XT_NOMATCH;
	}
	if (f & XT_CONNTRACK_STATUS) {
		if (!p->ctstatus_known)
			CT_UNKNOWN("-m conntrack --ctstatus: the conntrack status is not known");
		else if (((p->ctstatus & c->status_mask) != 0) == !!(inv & XT_CONNTRACK_STATUS))
			return PP_XT_NOMATCH;
	}
	if (f & XT_CONNTRACK_EXPIRES) {
		if (!p->ctexpires_known)
			CT_UNKNOWN("-m conntrack --ctexpire: the seconds the entry has left are not known");
		else if ((p->ctexpires >= c->expires_min && p->ctexpires <= c->expires_max) ==
			 !!(inv & XT_CONNTRACK_EXPIRES))
			return PP_XT_NOMATCH;
	}
#undef CT_UNKNOWN
	if (missing) {
		why_set("%s", missing);
		return PP_XT_UNKNOWN;
	}
	return PP_XT_MATCH;
}

static bool
in_range(uint16_t v, const uint16_t r[2])
{
	return v >= r[0] && v <= r[1];
}

static enum pp_xt_result
eval_ports(const char *what, uint8_t proto, const uint16_t spts[2], const uint16_t dpts[2],
	   bool sinv, bool dinv, const struct pp_xt_pkt *p, char *why, size_t whylen)
{
	if (!p->l4_known) {
		why_set("-m %s: the packet's protocol is not known", what);
		return PP_XT_UNKNOWN;
	}
	/* the kernel's tcp and udp matches never match a packet of another protocol */
	if (p->l4proto != proto)
		return PP_XT_NOMATCH;
	/* a port the rule does not restrict (0:65535) need not be known: a SYN's source port, say */
	if ((spts[0] != 0 || spts[1] != 0xffff) && !p->sport_known) {
		why_set("-m %s: the packet's source port is not known", what);
		return PP_XT_UNKNOWN;
	}
	if ((dpts[0] != 0 || dpts[1] != 0xffff) && !p->dport_known) {
		why_set("-m %s: the packet's destination port is not known", what);
		return PP_XT_UNKNOWN;
	}
	if (in_range(p->sport, spts) == sinv)
		return PP_XT_NOMATCH;
	if (in_range(p->dport, dpts) == dinv)
		return PP_XT_NOMATCH;
	return PP_XT_MATCH;
}

static bool
multiport_hit(const struct xt_multiport_v1 *mp, uint16_t port)
{
	unsigned k;

	for (k = 0; k < mp->count; k++) {
		if (mp->pflags[k] && k + 1 < mp->count) {
			if (port >= mp->ports[k] && port <= mp->ports[k + 1])
				return true;
			k++;
		} else if (port == mp->ports[k]) {
			return true;
		}
	}
	return false;
}

/*
 * A device name against the rule's name under its mask, as the kernel's
 * ifname_compare_aligned(): iptables masks "br+" to its first two bytes and a
 * plain name to its bytes and the NUL after them.
 */
static bool
physdev_eq(const char *want, const char *mask, const char *have)
{
	char h[IFNAMSIZ] = { 0 };
	unsigned k;

	memcpy(h, have, strnlen(have, IFNAMSIZ - 1));
	for (k = 0; k < IFNAMSIZ; k++)
		if ((h[k] ^ want[k]) & mask[k])
			return false;
	return true;
}

enum pp_xt_result
pp_xt_match_eval(const struct pp_xt_match *m, const struct pp_xt_pkt *p, char *why, size_t whylen)
{
	const void *i = m->info;

	if (why && whylen)
		why[0] = '\0';
	switch (m->kind) {
	case PP_XT_M_ADDRTYPE: {
		const struct xt_addrtype_info_v1 *a = i;

		if (a->flags & (XT_ADDRTYPE_LIMIT_IFACE_IN | XT_ADDRTYPE_LIMIT_IFACE_OUT)) {
			why_set("-m addrtype --limit-iface-%s: address types on one device are not known",
				a->flags & XT_ADDRTYPE_LIMIT_IFACE_IN ? "in" : "out");
			return PP_XT_UNKNOWN;
		}
		if (!p->addrtype_known) {
			why_set("-m addrtype: the address types of the packet are not known");
			return PP_XT_UNKNOWN;
		}
		if (a->source && ((p->src_type & a->source) != 0) == !!(a->flags & XT_ADDRTYPE_INVERT_SOURCE))
			return PP_XT_NOMATCH;
		if (a->dest && ((p->dst_type & a->dest) != 0) == !!(a->flags & XT_ADDRTYPE_INVERT_DEST))
			return PP_XT_NOMATCH;
		return PP_XT_MATCH;
	}
	case PP_XT_M_CONNTRACK:
		return eval_conntrack(m, p, why, whylen);
	case PP_XT_M_STATE: {
		const struct xt_state_info *s = i;

		if (!p->ctstate_known) {
			why_set("-m state: the packet's conntrack state is not known");
			return PP_XT_UNKNOWN;
		}
		unsigned st = p->ctstate & 0x0f;

		/* xt_state's untracked bit is 1 << (IP_CT_NUMBER + 1), nftables' too */
		if (p->ctstate & 0x40)
			st |= XT_STATE_UNTRACKED;
		return res((st & s->statemask) != 0, false);
	}
	case PP_XT_M_COMMENT:
		return PP_XT_MATCH;
	case PP_XT_M_MULTIPORT: {
		const struct xt_multiport_v1 *mp = i;
		bool hit;

		if (!p->l4_known || (mp->flags != XT_MULTIPORT_DESTINATION && !p->sport_known) ||
		    (mp->flags != XT_MULTIPORT_SOURCE && !p->dport_known)) {
			why_set("-m multiport: the packet's %s not known", p->l4_known ? "ports are" : "protocol is");
			return PP_XT_UNKNOWN;
		}
		/* the kernel's multiport only looks at protocols with ports */
		if (p->l4proto != IPPROTO_TCP && p->l4proto != IPPROTO_UDP && p->l4proto != IPPROTO_UDPLITE &&
		    p->l4proto != IPPROTO_SCTP && p->l4proto != IPPROTO_DCCP)
			return PP_XT_NOMATCH;
		if (mp->flags == XT_MULTIPORT_SOURCE)
			hit = multiport_hit(mp, p->sport);
		else if (mp->flags == XT_MULTIPORT_DESTINATION)
			hit = multiport_hit(mp, p->dport);
		else
			hit = multiport_hit(mp, p->sport) || multiport_hit(mp, p->dport);
		return res(hit, mp->invert);
	}
	case PP_XT_M_TCP: {
		const struct xt_tcp *t = i;
		enum pp_xt_result r = eval_ports("tcp", IPPROTO_TCP, t->spts, t->dpts,
						 t->invflags & XT_TCP_INV_SRCPT,
						 t->invflags & XT_TCP_INV_DSTPT, p, why, whylen);

		if (r != PP_XT_MATCH)
			return r;
		if (t->flg_mask || (t->invflags & XT_TCP_INV_FLAGS)) {
			if (!p->tcp_flags_known) {
				why_set("-m tcp --tcp-flags: the packet's TCP flags are not known");
				return PP_XT_UNKNOWN;
			}
			if (((p->tcp_flags & t->flg_mask) == t->flg_cmp) == !!(t->invflags & XT_TCP_INV_FLAGS))
				return PP_XT_NOMATCH;
		}
		if (t->option || (t->invflags & XT_TCP_INV_OPTION)) {
			why_set("-m tcp --tcp-option: the packet's TCP options are not known");
			return PP_XT_UNKNOWN;
		}
		return PP_XT_MATCH;
	}
	case PP_XT_M_UDP: {
		const struct xt_udp *u = i;

		return eval_ports("udp", IPPROTO_UDP, u->spts, u->dpts, u->invflags & XT_UDP_INV_SRCPT,
				  u->invflags & XT_UDP_INV_DSTPT, p, why, whylen);
	}
	case PP_XT_M_SCTP: {
		const struct xt_sctp_info *c = i;
		static const uint16_t all[2] = { 0, 0xffff };
		enum pp_xt_result r;

		/* xt_sctp's ports are the common header's; a port not flagged is not looked at */
		r = eval_ports("sctp", IPPROTO_SCTP, c->flags & XT_SCTP_SRC_PORTS ? c->spts : all,
			       c->flags & XT_SCTP_DEST_PORTS ? c->dpts : all,
			       (c->flags & XT_SCTP_SRC_PORTS) && (c->invflags & XT_SCTP_SRC_PORTS),
			       (c->flags & XT_SCTP_DEST_PORTS) && (c->invflags & XT_SCTP_DEST_PORTS), p, why, whylen);
		if (r != PP_XT_MATCH)
			return r;
		if (c->flags & XT_SCTP_CHUNK_TYPES) {
			why_set("-m sctp --chunk-types: the packet's SCTP chunks are not known");
			return PP_XT_UNKNOWN;
		}
		return PP_XT_MATCH;
	}
	case PP_XT_M_ICMP:
	case PP_XT_M_ICMP6: {
		/* struct ipt_icmp and ip6t_icmp have one layout */
		const struct ipt_icmp *c = i;
		uint8_t proto = m->kind == PP_XT_M_ICMP ? IPPROTO_ICMP : IPPROTO_ICMPV6;
		bool hit;

		if (!p->l4_known) {
			why_set("-m %s: the packet's protocol is not known", m->name);
			return PP_XT_UNKNOWN;
		}
		if (p->l4proto != proto)
			return PP_XT_NOMATCH;
		if (!p->icmp_known) {
			why_set("-m %s: the packet's ICMP type is not known", m->name);
			return PP_XT_UNKNOWN;
		}
		hit = (m->kind == PP_XT_M_ICMP && c->type == 0xff) ||
		      (c->type == p->icmp_type && p->icmp_code >= c->code[0] && p->icmp_code <= c->code[1]);
		return res(hit, c->invflags & IPT_ICMP_INV);
	}
	case PP_XT_M_MARK:
	case PP_XT_M_CONNMARK: {
		const struct xt_mark_mtinfo1 *k = i;
		bool ct = m->kind == PP_XT_M_CONNMARK;

		if (ct ? !p->ctmark_known : !p->mark_known) {
			why_set(ct ? "-m connmark: the connection's mark is not known" :
				     "-m mark: the packet's mark is not known");
			return PP_XT_UNKNOWN;
		}
		return res(((ct ? p->ctmark : p->mark) & k->mask) == k->mark, k->invert);
	}
	case PP_XT_M_IPRANGE: {
		const struct xt_iprange_mtinfo *r = i;

		if (!pkt_addr_ok(p, m->family)) {
			why_set("-m iprange: the packet's addresses are not known");
			return PP_XT_UNKNOWN;
		}
		if (r->flags & IPRANGE_SRC) {
			bool in = addr_cmp(m->family, &p->src, &r->src_min) >= 0 &&
				  addr_cmp(m->family, &p->src, &r->src_max) <= 0;

			if (in == !!(r->flags & IPRANGE_SRC_INV))
				return PP_XT_NOMATCH;
		}
		if (r->flags & IPRANGE_DST) {
			bool in = addr_cmp(m->family, &p->dst, &r->dst_min) >= 0 &&
				  addr_cmp(m->family, &p->dst, &r->dst_max) <= 0;

			if (in == !!(r->flags & IPRANGE_DST_INV))
				return PP_XT_NOMATCH;
		}
		return PP_XT_MATCH;
	}
	case PP_XT_M_MAC: {
		const struct xt_mac_info *a = i;

		if (!p->smac_known) {
			why_set("-m mac: the packet's source MAC address is not known");
			return PP_XT_UNKNOWN;
		}
		return res(memcmp(a->srcaddr, p->smac, ETH_ALEN) == 0, a->invert);
	}
	case PP_XT_M_PHYSDEV: {
		const struct xt_physdev_info *ph = i;

		if (!p->phys_known) {
			why_set("-m physdev: whether the packet crosses a bridge is not known");
			return PP_XT_UNKNOWN;
		}
		/* not bridged: only --physdev-is-bridged, -is-in and -is-out can be true (inverted) */
		if (!p->bridged) {
			if ((ph->bitmask & XT_PHYSDEV_OP_BRIDGED) && !(ph->invert & XT_PHYSDEV_OP_BRIDGED))
				return PP_XT_NOMATCH;
			if ((ph->bitmask & XT_PHYSDEV_OP_ISIN) && !(ph->invert & XT_PHYSDEV_OP_ISIN))
				return PP_XT_NOMATCH;
			if ((ph->bitmask & XT_PHYSDEV_OP_ISOUT) && !(ph->invert & XT_PHYSDEV_OP_ISOUT))
				return PP_XT_NOMATCH;
			/* the kernel answers !invert for in/out names on an unbridged packet */
			if ((ph->bitmask & XT_PHYSDEV_OP_IN) && !(ph->invert & XT_PHYSDEV_OP_IN))
				return PP_XT_NOMATCH;
			if ((ph->bitmask & XT_PHYSDEV_OP_OUT) && !(ph->invert & XT_PHYSDEV_OP_OUT))
				return PP_XT_NOMATCH;
			return PP_XT_MATCH;
		}
		/* --physdev-is-bridged means "leaves through a bridge port" (the kernel tests physoutdev) */
		if ((ph->bitmask & XT_PHYSDEV_OP_BRIDGED) &&
		    (!!p->physout[0] == !!(ph->invert & XT_PHYSDEV_OP_BRIDGED)))
			return PP_XT_NOMATCH;
		if ((ph->bitmask & XT_PHYSDEV_OP_ISIN) && (!!p->physin[0] == !!(ph->invert & XT_PHYSDEV_OP_ISIN)))
			return PP_XT_NOMATCH;
		if ((ph->bitmask & XT_PHYSDEV_OP_ISOUT) && (!!p->physout[0] == !!(ph->invert & XT_PHYSDEV_OP_ISOUT)))
			return PP_XT_NOMATCH;
		if ((ph->bitmask & XT_PHYSDEV_OP_IN) &&
		    physdev_eq(ph->physindev, ph->in_mask, p->physin) == !!(ph->invert & XT_PHYSDEV_OP_IN))
			return PP_XT_NOMATCH;
		if ((ph->bitmask & XT_PHYSDEV_OP_OUT) &&
		    physdev_eq(ph->physoutdev, ph->out_mask, p->physout) == !!(ph->invert & XT_PHYSDEV_OP_OUT))
			return PP_XT_NOMATCH;
		return PP_XT_MATCH;
	}
	case PP_XT_M_SET: {
		const struct xt_set_info_match_v4 *s = i;
		struct pp_xt_set_query q = { s->match_set.index, s->match_set.dim, 0, p };
		unsigned k;
		int in;

		if (s->packets.op != IPSET_COUNTER_NONE || s->bytes.op != IPSET_COUNTER_NONE) {
			why_set("-m set --packets/--bytes: the set's counters are not known");
			return PP_XT_UNKNOWN;
		}
		if (!p->set_test) {
			why_set("-m set: the members of ipset %s are not known",
				m->set_name[0] ? m->set_name : "(unnamed)");
			return PP_XT_UNKNOWN;
		}
		for (k = 1; k <= s->match_set.dim; k++)
			if (s->match_set.flags & (1u << k))
				q.srcdst |= (uint8_t)(1u << (k - 1));
		in = p->set_test(&q, p->set_ctx, why, whylen);
		if (in < 0) {
			if (why && whylen && !why[0])
				why_set("-m set: membership in ipset %s is not known", m->set_name);
			return PP_XT_UNKNOWN;
		}
		/*
		 * With --return-nomatch a nomatch element makes the match true, but
		 * IPSET_CMD_TEST answers alike for such an element and for no element.
		 */
		if (in == 0 && (s->flags & IPSET_FLAG_RETURN_NOMATCH)) {
			why_set("-m set --return-nomatch: a nomatch entry of ipset %s and a missing one "
				"answer alike", m->set_name);
			return PP_XT_UNKNOWN;
		}
		return res(in > 0, s->match_set.flags & IPSET_INV_MATCH);
	}
	case PP_XT_M_OWNER: {
		const struct xt_owner_match_info *o = i;

		if (!p->owner_known) {
			why_set("-m owner: the packet's socket and its owner are not known");
			return PP_XT_UNKNOWN;
		}
		/* no socket: the kernel matches when every option given is inverted */
		if (!p->has_sk)
			return (o->match ^ o->invert) == 0 ? PP_XT_MATCH : PP_XT_NOMATCH;
		if ((o->match & XT_OWNER_SOCKET) && (o->invert & XT_OWNER_SOCKET))
			return PP_XT_NOMATCH;
		if ((o->match & XT_OWNER_UID) &&
		    (p->uid >= o->uid_min && p->uid <= o->uid_max) == !!(o->invert & XT_OWNER_UID))
			return PP_XT_NOMATCH;
		if (o->match & XT_OWNER_GID) {
			bool hit = p->gid >= o->gid_min && p->gid <= o->gid_max;

			if (o->match & XT_OWNER_SUPPL_GROUPS && !hit) {
				why_set("-m owner --suppl-groups: the socket's supplementary groups are not known");
				return PP_XT_UNKNOWN;
			}
			if (hit == !!(o->invert & XT_OWNER_GID))
				return PP_XT_NOMATCH;
		}
		return PP_XT_MATCH;
	}
	case PP_XT_M_SOCKET: {
		uint8_t fl = *(const uint8_t *)i;

		if (m->rev >= 3 && (fl & XT_SOCKET_RESTORESKMARK)) {
			why_set("-m socket --restore-skmark: sets the mark from a socket pathcheck does not see");
			return PP_XT_UNKNOWN;
		}
		if (fl & (XT_SOCKET_TRANSPARENT | XT_SOCKET_NOWILDCARD)) {
			why_set("-m socket --%s: the socket's options are not known",
				fl & XT_SOCKET_TRANSPARENT ? "transparent" : "nowildcard");
			return PP_XT_UNKNOWN;
		}
		if (!p->socket_known) {
			why_set("-m socket: whether a local socket matches the packet is not known");
			return PP_XT_UNKNOWN;
		}
		return res(p->socket, false);
	}
	case PP_XT_M_STATISTIC: {
		const struct xt_statistic_info *s = i;

		if (s->mode == XT_STATISTIC_MODE_RANDOM)
			why_set("-m statistic --mode random: the kernel picks at random (p=%.4f)",
				1.0 * s->u.random.probability / 0x80000000u);
		else
			why_set("-m statistic --mode nth: the kernel counts packets (every %u)",
				s->u.nth.every + 1);
		return PP_XT_BRANCH;
	}
	case PP_XT_M_LIMIT:
		why_set("-m limit: a rate pathcheck cannot know");
		return PP_XT_UNKNOWN;
	case PP_XT_M_HASHLIMIT:
		why_set("-m hashlimit: a per-flow rate pathcheck cannot know");
		return PP_XT_UNKNOWN;
	case PP_XT_M_CONNLIMIT:
		why_set("-m connlimit: a count of connections pathcheck cannot know");
		return PP_XT_UNKNOWN;
	case PP_XT_M_RECENT: {
		const struct xt_recent_mtinfo_v1 *r = i;

		/* --set (and --remove of an address the list holds) only change the list: --set always matches */
		if ((r->check_set & (XT_RECENT_SET | XT_RECENT_CHECK | XT_RECENT_UPDATE | XT_RECENT_REMOVE)) ==
		    XT_RECENT_SET)
			return res(true, r->invert);
		why_set("-m recent: whether the %s is in the recent list %s%s is the host's history, which pathcheck cannot know",
			r->side == XT_RECENT_DEST ? "destination" : "source", r->name,
			r->hit_count ? " often enough" : "");
		return PP_XT_UNKNOWN;
	}
	case PP_XT_M_RT:
		/*
		 * ip6t_rt matches only a packet with a routing header (inversion applies to its
		 * fields, never to its absence); the packet pathcheck asks about has none: its
		 * next header is the transport.
		 */
		return PP_XT_NOMATCH;
	}
	why_set("-m %s: not evaluated", m->name);
	return PP_XT_UNKNOWN;
}

bool
pp_xt_match_branch(const struct pp_xt_match *m, struct pp_xt_branch *b)
{
	const struct xt_statistic_info *s = (const void *)m->info;
	bool inv;

	if (m->kind != PP_XT_M_STATISTIC)
		return false;
	memset(b, 0, sizeof(*b));
	inv = s->flags & XT_STATISTIC_INVERT;
	if (s->mode == XT_STATISTIC_MODE_RANDOM) {
		/* the kernel: (get_random_u32() & 0x7FFFFFFF) < probability */
		b->p_match = 1.0 * s->u.random.probability / 0x80000000u;
	} else {
		b->nth = true;
		b->every = s->u.nth.every + 1;
		b->packet = s->u.nth.packet;
		b->p_match = 1.0 / b->every;
	}
	if (inv)
		b->p_match = 1.0 - b->p_match;
	return true;
}

/* ---- targets -------------------------------------------------------------- */

static void
nat_from_compat(struct pp_xt_action *a, const struct nf_nat_ipv4_multi_range_compat *c)
{
	const struct nf_nat_ipv4_range *r = &c->range[0];

	a->nat_range.flags = r->flags;
	a->nat_range.min.family = a->nat_range.max.family = AF_INET;
	memcpy(&a->nat_range.min.u.v4, &r->min_ip, 4);
	memcpy(&a->nat_range.max.u.v4, &r->max_ip, 4);
	a->nat_range.min_port = ntohs(r->min.all);
	a->nat_range.max_port = ntohs(r->max.all);
}

static void
nat_from_range(struct pp_xt_action *a, uint8_t family, const struct nf_nat_range2 *r, bool v2)
{
	int af = family == NFPROTO_IPV6 ? AF_INET6 : AF_INET;

	a->nat_range.flags = r->flags;
	a->nat_range.min.family = a->nat_range.max.family = af;
	if (af == AF_INET6) {
		memcpy(&a->nat_range.min.u.v6, &r->min_addr.in6, 16);
		memcpy(&a->nat_range.max.u.v6, &r->max_addr.in6, 16);
	} else {
		memcpy(&a->nat_range.min.u.v4, &r->min_addr.in, 4);
		memcpy(&a->nat_range.max.u.v4, &r->max_addr.in, 4);
	}
	a->nat_range.min_port = ntohs(r->min_proto.all);
	a->nat_range.max_port = ntohs(r->max_proto.all);
	if (v2)
		a->nat_range.base_port = ntohs(r->base_proto.all);
}

int
pp_xt_target_decode(const char *name, uint32_t rev, uint8_t family, const void *info,
		    size_t len, struct pp_xt_target *t, char *err, size_t errlen)
{
	const struct ext *e;
	struct pp_xt_action *a = &t->act;
	const void *i = t->info;
	int rc = 0;

	memset(t, 0, sizeof(*t));
	if (!name)
		name = "";
	if (!(e = ext_find(targets, sizeof(targets) / sizeof(targets[0]), name, rev, family, len,
			   &rc, err, errlen)))
		return rc;
	memcpy(t->info, info, e->r[rev].size);
	t->kind = e->kind;
	snprintf(t->name, sizeof(t->name), "%s", name);
	t->rev = (uint8_t)rev;
	t->family = family;
	t->len = (uint32_t)len;
	a->verdict = PP_XT_V_CONTINUE;

	switch (t->kind) {
	case PP_XT_T_STANDARD: {
		int v;

		memcpy(&v, i, sizeof(v));
		/* a verdict is stored as -verdict - 1; a positive value is a jump offset */
		if (v == -NF_ACCEPT - 1)
			a->verdict = PP_XT_V_ACCEPT;
		else if (v == -NF_DROP - 1)
			a->verdict = PP_XT_V_DROP;
		else if (v == XT_RETURN)
			a->verdict = PP_XT_V_RETURN;
		else if (v >= 0)
			a->verdict = PP_XT_V_JUMP;
		else {
			seterr(err, errlen, "standard target: verdict %d not known", v);
			return -EOPNOTSUPP;
		}
		break;
	}
	case PP_XT_T_DNAT:
	case PP_XT_T_SNAT:
	case PP_XT_T_MASQUERADE:
	case PP_XT_T_REDIRECT:
		/* the NAT targets end the chain with NF_ACCEPT once the binding is made */
		a->nat = true;
		a->verdict = PP_XT_V_ACCEPT;
		if (family == NFPROTO_IPV4 && rev == 0) {
			const struct nf_nat_ipv4_multi_range_compat *c = i;

			if (c->rangesize != 1) {
				seterr(err, errlen, "%s rev 0: rangesize %u, the kernel takes 1", name,
				       c->rangesize);
				return -EBADMSG;
			}
			nat_from_compat(a, c);
		} else if (rev == 2) {
			nat_from_range(a, family, i, true);
		} else {
			struct nf_nat_range2 r2 = { 0 };

			memcpy(&r2, i, sizeof(struct nf_nat_range));
			nat_from_range(a, family, &r2, false);
		}
		break;
	case PP_XT_T_REJECT:
		a->reject = true;
		a->verdict = PP_XT_V_DROP;
		if (family == NFPROTO_IPV4)
			a->reject_with = ((const struct ipt_reject_info *)i)->with;
		else
			a->reject_with = ((const struct ip6t_reject_info *)i)->with;
		if (a->reject_with > (family == NFPROTO_IPV4 ? IPT_ICMP_ADMIN_PROHIBITED : IP6T_ICMP6_REJECT_ROUTE)) {
			seterr(err, errlen, "REJECT: reject type %u not known", a->reject_with);
			return -EBADMSG;
		}
		break;
	case PP_XT_T_MARK: {
		const struct xt_mark_tginfo2 *k = i;

		a->set_mark = true;
		a->mark_value = k->mark;
		a->mark_mask = k->mask;
		break;
	}
	case PP_XT_T_CONNMARK:
		a->connmark = true;
		if (rev == 1) {
			const struct xt_connmark_tginfo1 *c = i;

			a->connmark_mode = c->mode;
			a->ctmark = c->ctmark, a->ctmask = c->ctmask, a->nfmask = c->nfmask;
		} else {
			const struct xt_connmark_tginfo2 *c = i;

			a->connmark_mode = c->mode;
			a->ctmark = c->ctmark, a->ctmask = c->ctmask, a->nfmask = c->nfmask;
			a->shift_dir = c->shift_dir, a->shift_bits = c->shift_bits;
		}
		if (a->connmark_mode > XT_CONNMARK_RESTORE) {
			seterr(err, errlen, "CONNMARK: mode %u not known", a->connmark_mode);
			return -EBADMSG;
		}
		break;
	case PP_XT_T_CT:
		a->notrack = ((const struct xt_ct_target_info *)i)->flags & XT_CT_NOTRACK;
		if (rev == 0)
			((struct xt_ct_target_info *)t->info)->helper[15] = '\0';
		else {
			((struct xt_ct_target_info_v1 *)t->info)->helper[15] = '\0';
			((struct xt_ct_target_info_v1 *)t->info)->timeout[31] = '\0';
		}
		break;
	case PP_XT_T_LOG:
		((struct xt_log_info *)t->info)->prefix[29] = '\0';
		break;
	case PP_XT_T_NFLOG:
		((struct xt_nflog_info *)t->info)->prefix[63] = '\0';
		break;
	default:
		break;
	}
	return 0;
}

uint32_t
pp_xt_mark_apply(const struct pp_xt_action *a, uint32_t mark)
{
	if (a->set_mark)
		return (mark & ~a->mark_mask) ^ a->mark_value;
	return mark;
}

static uint32_t
cm_shift(const struct pp_xt_action *a, uint32_t v)
{
	if (a->shift_bits >= 32)
		return 0;
	return a->shift_dir == D_SHIFT_RIGHT ? v >> a->shift_bits : v << a->shift_bits;
}

void
pp_xt_connmark_apply(const struct pp_xt_action *a, uint32_t *mark, uint32_t *ctmark)
{
	if (!a->connmark)
		return;
	/* xt_connmark's connmark_tg_shift(), mode by mode */
	switch (a->connmark_mode) {
	case XT_CONNMARK_SET:
		*ctmark = cm_shift(a, (*ctmark & ~a->ctmask) ^ a->ctmark);
		break;
	case XT_CONNMARK_SAVE:
		*ctmark = (*ctmark & ~a->ctmask) ^ cm_shift(a, *mark & a->nfmask);
		break;
	case XT_CONNMARK_RESTORE:
		*mark = (*mark & ~a->nfmask) ^ cm_shift(a, *ctmark & a->ctmask);
		break;
	}
}

static const char *const reject4[] = {
	"icmp-net-unreachable", "icmp-host-unreachable", "icmp-proto-unreachable",
	"icmp-port-unreachable", "echo-reply", "icmp-net-prohibited", "icmp-host-prohibited",
	"tcp-reset", "icmp-admin-prohibited",
};
static const char *const reject6[] = {
	"icmp6-no-route", "icmp6-adm-prohibited", "icmp6-not-neighbour", "icmp6-addr-unreachable",
	"icmp6-port-unreachable", "echo-reply", "tcp-reset", "icmp6-policy-fail", "icmp6-reject-route",
};

static void
sb_nat_range(struct sb *b, const struct pp_xt_target *t)
{
	const struct pp_xt_action *a = &t->act;
	bool v6 = t->family == NFPROTO_IPV6;
	bool ports = a->nat_range.flags & NF_NAT_RANGE_PROTO_SPECIFIED;
	char s[INET6_ADDRSTRLEN];

	if (a->nat_range.flags & NF_NAT_RANGE_MAP_IPS) {
		if (v6 && ports)
			sb_add(b, "[");
		inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? (const void *)&a->nat_range.min.u.v6 :
			  (const void *)&a->nat_range.min.u.v4, s, sizeof(s));
		sb_add(b, "%s", s);
		if (memcmp(&a->nat_range.min, &a->nat_range.max, sizeof(a->nat_range.min))) {
			inet_ntop(v6 ? AF_INET6 : AF_INET, v6 ? (const void *)&a->nat_range.max.u.v6 :
				  (const void *)&a->nat_range.max.u.v4, s, sizeof(s));
			sb_add(b, "-%s", s);
		}
		if (v6 && ports)
			sb_add(b, "]");
	}
	if (ports) {
		sb_add(b, ":%u", a->nat_range.min_port);
		if (a->nat_range.max_port != a->nat_range.min_port)
			sb_add(b, "-%u", a->nat_range.max_port);
		if (a->nat_range.flags & NF_NAT_RANGE_PROTO_OFFSET)
			sb_add(b, "/%u", a->nat_range.base_port);
	}
}

/* CT --ctevents / --expevents: the event bits by their names in iptables (IPCT_* order). */
static void
sb_ctevents(struct sb *b, const char *opt, uint32_t mask, bool exp)
{
	static const char *const ct[] = {
		"new", "related", "destroy", "reply", "assured", "protoinfo", "helper", "mark",
		"natseqinfo", "secmark",
	};
	const char *sep = " ";
	unsigned i, n = exp ? 1 : sizeof(ct) / sizeof(ct[0]);

	if (!mask)
		return;
	sb_add(b, " %s", opt);
	for (i = 0; i < n; i++)
		if (mask & (1u << i)) {
			sb_add(b, "%s%s", sep, ct[i]);
			sep = ",";
		}
}

static void
sb_nat_flags(struct sb *b, uint32_t flags)
{
	if (flags & NF_NAT_RANGE_PROTO_RANDOM)
		sb_add(b, " --random");
	if (flags & NF_NAT_RANGE_PROTO_RANDOM_FULLY)
		sb_add(b, " --random-fully");
	if (flags & NF_NAT_RANGE_PERSISTENT)
		sb_add(b, " --persistent");
}

int
pp_xt_target_text(const struct pp_xt_target *t, char *buf, size_t len)
{
	struct sb b = { buf, len, 0 };
	const struct pp_xt_action *a = &t->act;
	const void *i = t->info;

	if (!len)
		return 0;
	buf[0] = '\0';
	if (t->kind == PP_XT_T_STANDARD) {
		static const char *const v[] = {
			[PP_XT_V_ACCEPT] = "ACCEPT", [PP_XT_V_DROP] = "DROP", [PP_XT_V_RETURN] = "RETURN",
		};

		/*
		 * A jump offset exists only in legacy tables, where a rule without -j
		 * jumps to the rule after it: iptables-save shows nothing for it.
		 */
		if (a->verdict == PP_XT_V_JUMP)
			return 0;
		sb_add(&b, "-j %s", v[a->verdict] ? v[a->verdict] : "CONTINUE");
		return sb_done(&b);
	}
	/* -j NOTRACK is CT with XT_CT_NOTRACK_ALIAS, shown under its own name */
	if (t->kind == PP_XT_T_CT && (((const struct xt_ct_target_info *)i)->flags & XT_CT_NOTRACK_ALIAS)) {
		sb_add(&b, "-j NOTRACK");
		return sb_done(&b);
	}
	sb_add(&b, "-j %s", t->name);
	switch (t->kind) {
	case PP_XT_T_DNAT:
	case PP_XT_T_SNAT:
		if (a->nat_range.flags & (NF_NAT_RANGE_MAP_IPS | NF_NAT_RANGE_PROTO_SPECIFIED)) {
			sb_add(&b, " --to-%s ", t->kind == PP_XT_T_DNAT ? "destination" : "source");
			sb_nat_range(&b, t);
		}
		sb_nat_flags(&b, a->nat_range.flags);
		break;
	case PP_XT_T_MASQUERADE:
	case PP_XT_T_REDIRECT:
		if (a->nat_range.flags & NF_NAT_RANGE_PROTO_SPECIFIED) {
			sb_add(&b, " --to-ports %u", a->nat_range.min_port);
			if (a->nat_range.max_port != a->nat_range.min_port)
				sb_add(&b, "-%u", a->nat_range.max_port);
		}
		sb_nat_flags(&b, a->nat_range.flags);
		break;
	case PP_XT_T_REJECT:
		sb_add(&b, " --reject-with %s", t->family == NFPROTO_IPV4 ? reject4[a->reject_with] :
								   reject6[a->reject_with]);
		break;
	case PP_XT_T_MARK:
		sb_add(&b, " --set-xmark 0x%x/0x%x", a->mark_value, a->mark_mask);
		break;
	case PP_XT_T_CONNMARK:
		switch (a->connmark_mode) {
		case XT_CONNMARK_SET:
			sb_add(&b, " --set-xmark 0x%x/0x%x", a->ctmark, a->ctmask);
			break;
		case XT_CONNMARK_SAVE:
			sb_add(&b, " --save-mark --nfmask 0x%x --ctmask 0x%x", a->nfmask, a->ctmask);
			break;
		case XT_CONNMARK_RESTORE:
			sb_add(&b, " --restore-mark --nfmask 0x%x --ctmask 0x%x", a->nfmask, a->ctmask);
			break;
		}
		if (a->shift_bits)
			sb_add(&b, " --%s-shift-mark %u", a->shift_dir == D_SHIFT_RIGHT ? "right" : "left",
			       a->shift_bits);
		break;
	case PP_XT_T_CT: {
		const struct xt_ct_target_info_v1 *c = i;

		uint16_t dirs = c->flags & (XT_CT_ZONE_DIR_ORIG | XT_CT_ZONE_DIR_REPL);

		if (c->flags & XT_CT_NOTRACK) {
			sb_add(&b, " --notrack");
			break;
		}
		if (c->helper[0])
			sb_add(&b, " --helper %s", c->helper);
		if (t->rev >= 1 && c->timeout[0])
			sb_add(&b, " --timeout %s", c->timeout);
		sb_ctevents(&b, "--ctevents", c->ct_events, false);
		sb_ctevents(&b, "--expevents", c->exp_events, true);
		if (c->zone || (c->flags & XT_CT_ZONE_MARK)) {
			sb_add(&b, " --zone%s", dirs == XT_CT_ZONE_DIR_ORIG ? "-orig" :
					       dirs == XT_CT_ZONE_DIR_REPL ? "-reply" : "");
			if (c->flags & XT_CT_ZONE_MARK)
				sb_add(&b, " mark");
			else
				sb_add(&b, " %u", c->zone);
		}
		break;
	}
	case PP_XT_T_TCPMSS: {
		const struct xt_tcpmss_info *s = i;

		if (s->mss == XT_TCPMSS_CLAMP_PMTU)
			sb_add(&b, " --clamp-mss-to-pmtu");
		else
			sb_add(&b, " --set-mss %u", s->mss);
		break;
	}
	case PP_XT_T_LOG: {
		const struct xt_log_info *l = i;

		if (l->prefix[0]) {
			sb_add(&b, " --log-prefix");
			sb_savestr(&b, l->prefix);
		}
		if (l->level != 4)
			sb_add(&b, " --log-level %u", l->level);
		if (l->logflags & XT_LOG_TCPSEQ)
			sb_add(&b, " --log-tcp-sequence");
		if (l->logflags & XT_LOG_TCPOPT)
			sb_add(&b, " --log-tcp-options");
		if (l->logflags & XT_LOG_IPOPT)
			sb_add(&b, " --log-ip-options");
		if (l->logflags & XT_LOG_UID)
			sb_add(&b, " --log-uid");
		if (l->logflags & XT_LOG_MACDECODE)
			sb_add(&b, " --log-macdecode");
		break;
	}
	case PP_XT_T_NFLOG: {
		const struct xt_nflog_info *n = i;

		if (n->prefix[0]) {
			sb_add(&b, " --nflog-prefix");
			sb_savestr(&b, n->prefix);
		}
		if (n->group)
			sb_add(&b, " --nflog-group %u", n->group);
		if (n->flags & XT_NFLOG_F_COPY_LEN)
			sb_add(&b, " --nflog-size %u", n->len);
		if (n->threshold != XT_NFLOG_DEFAULT_THRESHOLD)
			sb_add(&b, " --nflog-threshold %u", n->threshold);
		break;
	}
	case PP_XT_T_CHECKSUM:
		if (((const struct xt_CHECKSUM_info *)i)->operation & XT_CHECKSUM_OP_FILL)
			sb_add(&b, " --checksum-fill");
		break;
	default:
		break;
	}
	return sb_done(&b);
}
