/* rule.c: RTM_GETRULE dump, decoding and matching. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "route.h"
#include "rule.h"

static const struct pp_attr_policy rule_pol[FRA_MAX + 1] = {
	[FRA_DST] = { PP_A_ADDR }, [FRA_SRC] = { PP_A_ADDR },
	[FRA_IIFNAME] = { PP_A_STR }, [FRA_OIFNAME] = { PP_A_STR },
	[FRA_PRIORITY] = { PP_A_U32 }, [FRA_FWMARK] = { PP_A_U32 }, [FRA_FWMASK] = { PP_A_U32 },
	[FRA_TABLE] = { PP_A_U32 }, [FRA_GOTO] = { PP_A_U32 },
	[FRA_SUPPRESS_PREFIXLEN] = { PP_A_U32 }, [FRA_SUPPRESS_IFGROUP] = { PP_A_U32 },
	[FRA_L3MDEV] = { PP_A_U8 }, [FRA_PROTOCOL] = { PP_A_U8 }, [FRA_IP_PROTO] = { PP_A_U8 },
	[FRA_UID_RANGE] = { PP_A_MIN, sizeof(struct fib_rule_uid_range) },
	[FRA_SPORT_RANGE] = { PP_A_MIN, sizeof(struct fib_rule_port_range) },
	[FRA_DPORT_RANGE] = { PP_A_MIN, sizeof(struct fib_rule_port_range) },
};

int
pp_rule_decode(const struct nlmsghdr *nlh, struct pp_rule *r)
{
	const struct nlattr *tb[FRA_MAX + 1];
	const struct fib_rule_hdr *frh = pp_msg_hdr(nlh, sizeof(*frh));

	memset(r, 0, sizeof(*r));
	r->suppress_prefixlen = -1;
	r->suppress_ifgroup = UINT32_MAX;
	if (!frh || pp_attr_parse_msg(nlh, sizeof(*frh), rule_pol, FRA_MAX, tb) < 0)
		return -EBADMSG;
	if (frh->family != AF_INET && frh->family != AF_INET6)
		return -EAFNOSUPPORT;
	r->family = frh->family;
	r->action = frh->action;
	r->flags = (uint8_t)frh->flags;
	r->tos = frh->tos;
	r->src_len = frh->src_len;
	r->dst_len = frh->dst_len;
	r->table = tb[FRA_TABLE] ? mnl_attr_get_u32(tb[FRA_TABLE]) : frh->table;
	if (tb[FRA_PRIORITY])
		r->priority = mnl_attr_get_u32(tb[FRA_PRIORITY]);
	if (tb[FRA_SRC] && !pp_attr_addr(tb[FRA_SRC], r->family, &r->src))
		return -EBADMSG;
	if (tb[FRA_DST] && !pp_attr_addr(tb[FRA_DST], r->family, &r->dst))
		return -EBADMSG;
	if (tb[FRA_IIFNAME])
		snprintf(r->iifname, sizeof(r->iifname), "%s", mnl_attr_get_str(tb[FRA_IIFNAME]));
	if (tb[FRA_OIFNAME])
		snprintf(r->oifname, sizeof(r->oifname), "%s", mnl_attr_get_str(tb[FRA_OIFNAME]));
	if (tb[FRA_FWMARK] || tb[FRA_FWMASK]) {
		r->has_mark = true;
		r->fwmark = tb[FRA_FWMARK] ? mnl_attr_get_u32(tb[FRA_FWMARK]) : 0;
		/* A mark without a mask matches all bits, as the kernel defaults it. */
		r->fwmask = tb[FRA_FWMASK] ? mnl_attr_get_u32(tb[FRA_FWMASK]) : UINT32_MAX;
	}
	if (tb[FRA_GOTO])
		r->goto_target = mnl_attr_get_u32(tb[FRA_GOTO]);
	if (tb[FRA_SUPPRESS_PREFIXLEN])
		r->suppress_prefixlen = (int32_t)mnl_attr_get_u32(tb[FRA_SUPPRESS_PREFIXLEN]);
	if (tb[FRA_SUPPRESS_IFGROUP])
		r->suppress_ifgroup = mnl_attr_get_u32(tb[FRA_SUPPRESS_IFGROUP]);
	if (tb[FRA_L3MDEV])
		r->l3mdev = mnl_attr_get_u8(tb[FRA_L3MDEV]) != 0;
	if (tb[FRA_PROTOCOL])
		r->protocol = mnl_attr_get_u8(tb[FRA_PROTOCOL]);
	if (tb[FRA_IP_PROTO])
		r->ipproto = mnl_attr_get_u8(tb[FRA_IP_PROTO]);
	if (tb[FRA_UID_RANGE]) {
		struct fib_rule_uid_range u;

		pp_attr_copy(&u, sizeof(u), tb[FRA_UID_RANGE]);
		/* The kernel reports the default 0..UINT32_MAX range on every rule; only a narrower one selects. */
		if (u.start != 0 || u.end != UINT32_MAX) {
			r->has_uid = true;
			r->uid_start = u.start;
			r->uid_end = u.end;
		}
	}
	if (tb[FRA_SPORT_RANGE]) {
		struct fib_rule_port_range p;

		pp_attr_copy(&p, sizeof(p), tb[FRA_SPORT_RANGE]);
		if (p.start || p.end) {
			r->has_sport = true;
			r->sport_lo = p.start;
			r->sport_hi = p.end;
		}
	}
	if (tb[FRA_DPORT_RANGE]) {
		struct fib_rule_port_range p;

		pp_attr_copy(&p, sizeof(p), tb[FRA_DPORT_RANGE]);
		if (p.start || p.end) {
			r->has_dport = true;
			r->dport_lo = p.start;
			r->dport_hi = p.end;
		}
	}
	return 0;
}

struct rule_vec {
	struct pp_rule *v;
	size_t n, cap;
	int family;
	struct pp_nl *nl;
};

static int
rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_vec *rv = data;
	struct pp_rule r;

	if (nlh->nlmsg_type != RTM_NEWRULE)
		return 0;
	if (pp_rule_decode(nlh, &r) < 0) {
		rv->nl->bad_msgs++;
		return 0;
	}
	if (r.family != rv->family)
		return 0;
	if (rv->n == rv->cap) {
		size_t cap = rv->cap ? rv->cap * 2 : 16;
		struct pp_rule *nv = realloc(rv->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		rv->v = nv;
		rv->cap = cap;
	}
	rv->v[rv->n++] = r;
	return 0;
}

static void
rule_reset(void *data)
{
	((struct rule_vec *)data)->n = 0;
}

int
pp_rule_dump(struct pp_nl *nl, int family, struct pp_rule **rules, size_t *n, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rule_vec rv = { .family = family, .nl = nl };
	struct fib_rule_hdr *frh;
	int rc;

	nlh->nlmsg_type = RTM_GETRULE;
	frh = mnl_nlmsg_put_extra_header(nlh, sizeof(*frh));
	frh->family = (uint8_t)family;
	pp_err_set(e, 0, "RTM_GETRULE dump");
	rc = pp_nl_dump(nl, nlh, rule_cb, &rv, rule_reset, e);
	if (rc < 0) {
		free(rv.v);
		return rc;
	}
	*rules = rv.v;
	*n = rv.n;
	return 0;
}

bool
pp_rule_match(const struct pp_rule *r, const struct pp_rule_flow *f)
{
	bool m = true;

	if (r->iifname[0] && (!f->iifname || strcmp(r->iifname, f->iifname) != 0))
		m = false;
	else if (r->oifname[0] && (!f->oifname || strcmp(r->oifname, f->oifname) != 0))
		m = false;
	else if (r->has_mark && ((r->fwmark ^ f->mark) & r->fwmask))
		m = false;
	else if (r->has_uid && (f->uid < r->uid_start || f->uid > r->uid_end))
		m = false;
	else if (r->src_len && !pp_addr_in_prefix(&f->src, &r->src, r->src_len))
		m = false;
	else if (r->dst_len && !pp_addr_in_prefix(&f->dst, &r->dst, r->dst_len))
		m = false;
	else if (r->tos && r->tos != f->tos)
		m = false;
	else if (r->ipproto && r->ipproto != f->ipproto)
		m = false;
	else if (r->has_sport && (f->sport < r->sport_lo || f->sport > r->sport_hi))
		m = false;
	else if (r->has_dport && (f->dport < r->dport_lo || f->dport > r->dport_hi))
		m = false;
	if (r->flags & FIB_RULE_INVERT)
		m = !m;
	return m;
}

const char *
pp_rule_format(const struct pp_rule *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], t[16];
	size_t n = 0;

#define APPEND(...) do { if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	buf[0] = '\0';
	APPEND("%u:", r->priority);
	if (r->flags & FIB_RULE_INVERT)
		APPEND(" not");
	if (r->src_len)
		APPEND(" from %s/%u", pp_addr_str(&r->src, a, sizeof(a)), r->src_len);
	else
		APPEND(" from all");
	if (r->dst_len)
		APPEND(" to %s/%u", pp_addr_str(&r->dst, a, sizeof(a)), r->dst_len);
	if (r->tos)
		APPEND(" tos 0x%x", r->tos);
	if (r->has_mark)
		APPEND(r->fwmask == UINT32_MAX ? " fwmark 0x%x" : " fwmark 0x%x/0x%x", r->fwmark, r->fwmask);
	if (r->iifname[0])
		APPEND(" iif %s", r->iifname);
	if (r->oifname[0])
		APPEND(" oif %s", r->oifname);
	if (r->has_uid)
		APPEND(" uidrange %u-%u", r->uid_start, r->uid_end);
	if (r->ipproto)
		APPEND(" ipproto %u", r->ipproto);
	if (r->has_sport)
		APPEND(" sport %u-%u", r->sport_lo, r->sport_hi);
	if (r->has_dport)
		APPEND(" dport %u-%u", r->dport_lo, r->dport_hi);
	switch (r->action) {
	case FR_ACT_TO_TBL:
		APPEND(" lookup %s", pp_route_table_name(r->table, t, sizeof(t)));
		if (r->suppress_prefixlen >= 0)
			APPEND(" suppress_prefixlength %d", r->suppress_prefixlen);
		break;
	case FR_ACT_GOTO: APPEND(" goto %u", r->goto_target); break;
	case FR_ACT_NOP: APPEND(" nop"); break;
	case FR_ACT_BLACKHOLE: APPEND(" blackhole"); break;
	case FR_ACT_UNREACHABLE: APPEND(" unreachable"); break;
	case FR_ACT_PROHIBIT: APPEND(" prohibit"); break;
	default: APPEND(" action %u", r->action); break;
	}
#undef APPEND
	return buf;
}
