/* filter.c: ctdump's filter: option values in, the kernel's share out, the match. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctdump.h"
#include "parse.h"

int
ctd_parse_family(const char *s, uint8_t *out)
{
	if (!strcasecmp(s, "ipv4") || !strcasecmp(s, "inet") || !strcmp(s, "4"))
		*out = AF_INET;
	else if (!strcasecmp(s, "ipv6") || !strcasecmp(s, "inet6") || !strcmp(s, "6"))
		*out = AF_INET6;
	else
		return -EINVAL;
	return 0;
}

int
ctd_parse_proto(const char *s, uint8_t *out)
{
	static const char *const names[] = { "tcp", "udp", "icmp", "icmpv6", "sctp", "udplite",
					     "dccp", "gre" };
	static const uint8_t nums[] = { IPPROTO_TCP, IPPROTO_UDP, IPPROTO_ICMP, IPPROTO_ICMPV6,
					IPPROTO_SCTP, IPPROTO_UDPLITE, IPPROTO_DCCP, IPPROTO_GRE };
	uint32_t v;

	for (size_t i = 0; i < PP_ARRAY_SIZE(names); i++) {
		if (!strcasecmp(s, names[i])) {
			*out = nums[i];
			return 0;
		}
	}
	if (!strcasecmp(s, "icmp6") || !strcasecmp(s, "ipv6-icmp")) {
		*out = IPPROTO_ICMPV6;
		return 0;
	}
	if (pp_parse_u32(s, 255, &v) < 0)
		return -EINVAL;
	*out = (uint8_t)v;
	return 0;
}

int
ctd_parse_ports(const char *s, uint16_t *lo, uint16_t *hi)
{
	char buf[32];
	const char *dash = strchr(s, '-');
	uint32_t a, b;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	if (!dash) {
		if (pp_parse_u32(s, 65535, &a) < 0)
			return -EINVAL;
		*lo = *hi = (uint16_t)a;
		return 0;
	}
	memcpy(buf, s, (size_t)(dash - s));
	buf[dash - s] = '\0';
	if (pp_parse_u32(buf, 65535, &a) < 0 || pp_parse_u32(dash + 1, 65535, &b) < 0 || a > b)
		return -EINVAL;
	*lo = (uint16_t)a;
	*hi = (uint16_t)b;
	return 0;
}

/* Walk a comma-separated list; fn returns 0 or -EINVAL for each token. */
static int
each_token(const char *s, int (*fn)(const char *tok, void *data), void *data)
{
	char buf[256], *tok, *save = NULL;

	if (!s[0] || strlen(s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		if (fn(tok, data) < 0)
			return -EINVAL;
	return 0;
}

static int
state_tok(const char *tok, void *data)
{
	int st = pp_ct_tcp_state_from_name(tok);

	if (st < 0)
		return -EINVAL;
	*(uint32_t *)data |= 1u << st;
	return 0;
}

int
ctd_parse_states(const char *s, uint32_t *mask)
{
	*mask = 0;
	return each_token(s, state_tok, mask);
}

struct status_acc {
	uint32_t set, clear;
};

static int
status_tok(const char *tok, void *data)
{
	struct status_acc *a = data;
	bool neg = tok[0] == '!';
	int bit;

	if (neg)
		tok++;
	/* conntrack prints [UNREPLIED] for an entry that has not seen a reply. */
	if (!strcasecmp(tok, "UNREPLIED")) {
		if (neg)
			a->set |= 1u << 1;
		else
			a->clear |= 1u << 1;
		return 0;
	}
	if ((bit = pp_ct_status_bit_from_name(tok)) < 0)
		return -EINVAL;
	if (neg)
		a->clear |= 1u << bit;
	else
		a->set |= 1u << bit;
	return 0;
}

int
ctd_parse_status(const char *s, uint32_t *set, uint32_t *clear)
{
	struct status_acc a = { *set, *clear };
	int rc = each_token(s, status_tok, &a);

	if (rc < 0 || (a.set & a.clear))
		return -EINVAL;
	*set = a.set;
	*clear = a.clear;
	return 0;
}

int
ctd_parse_duration(const char *s, double *out)
{
	char buf[32];
	size_t n = strlen(s);
	double mul = 1;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, n + 1);
	switch (buf[n - 1]) {
	case 's': mul = 1; buf[n - 1] = '\0'; break;
	case 'm': mul = 60; buf[n - 1] = '\0'; break;
	case 'h': mul = 3600; buf[n - 1] = '\0'; break;
	case 'd': mul = 86400; buf[n - 1] = '\0'; break;
	default: break;
	}
	if (pp_parse_seconds(buf, 1e9, out) < 0)
		return -EINVAL;
	*out *= mul;
	return 0;
}

bool
ctd_filter_any(const struct ctd_filter *f)
{
	return f->family || f->has_proto || f->src.set || f->dst.set || f->rsrc.set ||
	       f->rdst.set || f->has_sport || f->has_dport || f->state_mask || f->status_set ||
	       f->status_clear || f->has_mark || f->has_zone || f->has_older || f->has_label;
}

static void
push_addr(const struct ctd_prefix *p, uint32_t flag, uint32_t *flags, struct pp_addr *dst)
{
	if (p->set && p->plen == pp_addr_len(&p->a) * 8) {
		*flags |= flag;
		*dst = p->a;
	}
}

#define ADD(list, n, s)                 \
	do {                            \
		if (*(n) < max)         \
			(list)[(*(n))++] = (s); \
	} while (0)

void
ctd_filter_kernel(const struct ctd_filter *f, struct pp_ct_kfilter *kf,
		  const char **kernel, size_t *nk, const char **user, size_t *nu, size_t max)
{
	memset(kf, 0, sizeof(*kf));
	*nk = *nu = 0;
	kf->family = f->family;
	if (f->family)
		ADD(kernel, nk, "family");
	if (f->has_mark) {
		kf->mark = true;
		kf->mark_val = f->mark & f->mark_mask;
		kf->mark_mask = f->mark_mask;
		ADD(kernel, nk, "mark");
	}
	if (f->status_set || f->status_clear) {
		kf->status = true;
		kf->status_val = f->status_set;
		kf->status_mask = f->status_set | f->status_clear;
		ADD(kernel, nk, "status");
	}
	if (f->has_zone) {
		/* Zone 0 is the kernel's "no zone filter" marker: filter it here. */
		if (f->zone) {
			kf->zone = f->zone;
			ADD(kernel, nk, "zone");
		} else {
			ADD(user, nu, "zone 0");
		}
	}
	/*
	 * CTA_FILTER: exact addresses, protocol, single ports; only with a family.
	 * IPv6 addresses stay here: ctnetlink_filter_match_tuple() compares them with
	 * !ipv6_addr_cmp(), so the kernel (5.8 to at least 6.18) skips exactly the
	 * entries that hold the address and sends the others (seen: -s of an entry's
	 * source dumped 0 entries, -s of another address dumped all 3). conntrack -L
	 * sends the family alone and filters in userspace.
	 */
	if (f->family) {
		if (f->family == AF_INET) {
			push_addr(&f->src, PP_CTA_FILTER_IP_SRC, &kf->orig_flags, &kf->orig.src);
			push_addr(&f->dst, PP_CTA_FILTER_IP_DST, &kf->orig_flags, &kf->orig.dst);
			push_addr(&f->rsrc, PP_CTA_FILTER_IP_SRC, &kf->reply_flags, &kf->reply.src);
			push_addr(&f->rdst, PP_CTA_FILTER_IP_DST, &kf->reply_flags, &kf->reply.dst);
		}
		if (f->has_proto) {
			kf->orig_flags |= PP_CTA_FILTER_PROTO_NUM;
			kf->orig.proto = f->proto;
			ADD(kernel, nk, "protocol");
			if (f->proto == IPPROTO_TCP || f->proto == IPPROTO_UDP) {
				if (f->has_sport && f->sport_lo == f->sport_hi) {
					kf->orig_flags |= PP_CTA_FILTER_SRC_PORT;
					kf->orig.sport = f->sport_lo;
					ADD(kernel, nk, "sport");
				}
				if (f->has_dport && f->dport_lo == f->dport_hi) {
					kf->orig_flags |= PP_CTA_FILTER_DST_PORT;
					kf->orig.dport = f->dport_lo;
					ADD(kernel, nk, "dport");
				}
			}
		}
		/* Reply tuple filters need the protocol too when they carry ports; addresses do not. */
	}
	if (f->src.set)
		ADD(kf->orig_flags & PP_CTA_FILTER_IP_SRC ? kernel : user,
		    kf->orig_flags & PP_CTA_FILTER_IP_SRC ? nk : nu, "src");
	if (f->dst.set)
		ADD(kf->orig_flags & PP_CTA_FILTER_IP_DST ? kernel : user,
		    kf->orig_flags & PP_CTA_FILTER_IP_DST ? nk : nu, "dst");
	if (f->rsrc.set)
		ADD(kf->reply_flags & PP_CTA_FILTER_IP_SRC ? kernel : user,
		    kf->reply_flags & PP_CTA_FILTER_IP_SRC ? nk : nu, "reply-src");
	if (f->rdst.set)
		ADD(kf->reply_flags & PP_CTA_FILTER_IP_DST ? kernel : user,
		    kf->reply_flags & PP_CTA_FILTER_IP_DST ? nk : nu, "reply-dst");
	if (f->has_proto && !(kf->orig_flags & PP_CTA_FILTER_PROTO_NUM))
		ADD(user, nu, "protocol");
	if (f->has_sport && !(kf->orig_flags & PP_CTA_FILTER_SRC_PORT))
		ADD(user, nu, "sport");
	if (f->has_dport && !(kf->orig_flags & PP_CTA_FILTER_DST_PORT))
		ADD(user, nu, "dport");
	if (f->state_mask)
		ADD(user, nu, "state");
	if (f->has_older)
		ADD(user, nu, "older-than");
	if (f->has_label)
		ADD(user, nu, "label");
}

static bool
prefix_match(const struct ctd_prefix *p, const struct pp_ct_tuple *t, bool src)
{
	uint16_t need = src ? PP_CT_T_SRC : PP_CT_T_DST;

	if (!(t->have & need))
		return false;
	return pp_addr_in_prefix(src ? &t->src : &t->dst, &p->a, p->plen);
}

bool
ctd_filter_match(const struct ctd_filter *f, const struct pp_ct_entry *ct, uint64_t now_ns)
{
	const struct pp_ct_tuple *o = &ct->orig;

	if (f->family && ct->family != f->family)
		return false;
	if (f->has_proto && (!(o->have & PP_CT_T_PROTO) || o->proto != f->proto))
		return false;
	if (f->src.set && !prefix_match(&f->src, o, true))
		return false;
	if (f->dst.set && !prefix_match(&f->dst, o, false))
		return false;
	if (f->rsrc.set && !prefix_match(&f->rsrc, &ct->reply, true))
		return false;
	if (f->rdst.set && !prefix_match(&f->rdst, &ct->reply, false))
		return false;
	if (f->has_sport && (!(o->have & PP_CT_T_SPORT) || o->sport < f->sport_lo ||
			     o->sport > f->sport_hi))
		return false;
	if (f->has_dport && (!(o->have & PP_CT_T_DPORT) || o->dport < f->dport_lo ||
			     o->dport > f->dport_hi))
		return false;
	if (f->state_mask && (!(ct->have & PP_CT_HAVE_TCP_STATE) || ct->tcp_state >= 32 ||
			      !(f->state_mask & (1u << ct->tcp_state))))
		return false;
	if ((f->status_set || f->status_clear) &&
	    ((ct->status & f->status_set) != f->status_set || (ct->status & f->status_clear)))
		return false;
	if (f->has_mark && (ct->mark & f->mark_mask) != (f->mark & f->mark_mask))
		return false;
	if (f->has_zone && ct->zone != f->zone)
		return false;
	if (f->has_label)
		for (unsigned w = 0; w < 4; w++)
			if ((ct->labels[w] & f->label_mask[w]) != f->label_mask[w])
				return false;
	if (f->has_older) {
		if (!(ct->have & PP_CT_HAVE_TSTAMP_START) || ct->tstamp_start > now_ns)
			return false;
		if ((double)(now_ns - ct->tstamp_start) / 1e9 < f->older_than)
			return false;
	}
	return true;
}

int
ctd_parse_labels(const char *s, const struct pp_ct_labelmap *m, uint32_t *mask, char *bad, size_t badlen)
{
	const char *p = s;

	snprintf(bad, badlen, "%s", s);
	if (!s[0])
		return -EINVAL;
	while (*p) {
		const char *c = strchr(p, ',');
		size_t n = c ? (size_t)(c - p) : strlen(p);
		char name[64];
		int bit;

		if (n == 0 || n >= sizeof(name)) {
			snprintf(bad, badlen, "%.*s", (int)(n < 60 ? n : 60), p);
			return -EINVAL;
		}
		memcpy(name, p, n);
		name[n] = '\0';
		if ((bit = pp_ct_label_from_name(m, name)) < 0) {
			snprintf(bad, badlen, "%s", name);
			return -EINVAL;
		}
		mask[bit / 32] |= 1u << (bit % 32);
		p += n;
		if (*p == ',' && !*++p) {
			snprintf(bad, badlen, "%s", s);
			return -EINVAL;
		}
	}
	return 0;
}
