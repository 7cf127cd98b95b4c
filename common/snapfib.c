/*
 * snapfib.c: questions a snapshot did not record, answered from the full tables it did.
 *
 * - RTM_GETROUTE for a packet this host sends (no RTA_IIF, no RTA_OIF): the policy
 *   rules in priority order with their selectors (pp_rule_match), goto and nop, the
 *   rules' own blackhole, unreachable and prohibit; in each table the longest prefix
 *   that covers the destination, its TOS, the lowest metric; blackhole, unreachable,
 *   prohibit and throw routes as the kernel answers them; the source address as
 *   inet_select_addr() picks it (IPv6: the longest matching prefix of the device's
 *   usable addresses). RTM_F_FIB_MATCH answers the FIB entry itself.
 * - An RTM_GETROUTE dump of one table or type: the full dump, filtered.
 * - RTM_GETNEIGH of one entry: the full neighbour dump.
 * What it does not model (an input lookup, an output device, a multipath route or a
 * nexthop object, a source route of IPv6, l3mdev or suppress rules, a dead next hop)
 * is not answered: -ENODATA saying which, so the station is unknown, never guessed.
 * PKTPATH_SNAPSHOT_NO_FIB=1 (tests) turns it off: a snapshot then answers only what
 * was recorded, so a test sees that the recording missed nothing.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "route.h"
#include "rule.h"
#include "snap.h"

struct fib_route {
	struct pp_route r;
	const struct nlmsghdr *nlh;	/* the recorded message (for FIB_MATCH and metrics) */
};

struct fib {
	int family;
	struct pp_rule *rules;
	size_t nrules, caprules;
	struct fib_route *routes;
	size_t nroutes, caproutes;
	struct pp_ifaddr *addrs;
	size_t naddrs, capaddrs;
	bool bad;
};

/* Room for element n (of sz bytes) in *p of *cap elements. */
static bool
grow(void **p, size_t *cap, size_t n, size_t sz)
{
	size_t nc = *cap ? *cap : 64;
	void *np;

	if (n < *cap)
		return true;
	while (nc <= n)
		nc *= 2;
	if (!(np = realloc(*p, nc * sz)))
		return false;
	*p = np;
	*cap = nc;
	return true;
}

static int
rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fib *f = data;

	if (nlh->nlmsg_type != RTM_NEWRULE)
		return 0;
	if (!grow((void **)&f->rules, &f->caprules, f->nrules, sizeof(*f->rules)))
		return -ENOMEM;
	if (pp_rule_decode(nlh, &f->rules[f->nrules]) < 0) {
		f->bad = true;
		return 0;
	}
	if (f->rules[f->nrules].family == f->family)
		f->nrules++;
	return 0;
}

static int
route_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fib *f = data;
	struct fib_route *fr;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (!grow((void **)&f->routes, &f->caproutes, f->nroutes, sizeof(*f->routes)))
		return -ENOMEM;
	fr = &f->routes[f->nroutes];
	if (pp_route_decode(nlh, &fr->r) < 0) {
		f->bad = true;
		return 0;
	}
	fr->nlh = nlh;
	if (fr->r.family == f->family)
		f->nroutes++;
	return 0;
}

static int
addr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct fib *f = data;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	if (!grow((void **)&f->addrs, &f->capaddrs, f->naddrs, sizeof(*f->addrs)))
		return -ENOMEM;
	if (pp_ifaddr_decode(nlh, &f->addrs[f->naddrs]) == 0 && f->addrs[f->naddrs].family == f->family)
		f->naddrs++;
	return 0;
}

static void
fib_free(struct fib *f)
{
	free(f->rules);
	free(f->routes);
	free(f->addrs);
}

/* The flow of the request. */
struct flow {
	int family;
	struct pp_addr dst, src;
	bool has_iif, has_oif, has_uid, has_mark;
	uint32_t mark, uid, flags;
	uint8_t tos, ipproto;
	uint16_t sport, dport;
};

static int
parse_req(const struct nlmsghdr *req, struct flow *fl)
{
	const struct rtmsg *rtm;
	const struct nlattr *a;

	memset(fl, 0, sizeof(*fl));
	if (req->nlmsg_len < NLMSG_HDRLEN + sizeof(*rtm))
		return -EINVAL;
	rtm = mnl_nlmsg_get_payload(req);
	fl->family = rtm->rtm_family;
	fl->tos = rtm->rtm_tos;
	fl->flags = rtm->rtm_flags;
	if (fl->family != AF_INET && fl->family != AF_INET6)
		return -EINVAL;
	mnl_attr_for_each(a, req, sizeof(*rtm)) {
		uint16_t t = mnl_attr_get_type(a), l = mnl_attr_get_payload_len(a);
		const void *p = mnl_attr_get_payload(a);

		switch (t) {
		case RTA_DST:
			if (!pp_addr_set(&fl->dst, fl->family, p, l))
				return -EINVAL;
			break;
		case RTA_SRC:
			if (!pp_addr_set(&fl->src, fl->family, p, l))
				return -EINVAL;
			break;
		case RTA_IIF: fl->has_iif = true; break;
		case RTA_OIF: fl->has_oif = true; break;
		case RTA_MARK: if (l == 4) { fl->has_mark = true; fl->mark = mnl_attr_get_u32(a); } break;
		case RTA_UID: if (l == 4) { fl->has_uid = true; fl->uid = mnl_attr_get_u32(a); } break;
		case RTA_IP_PROTO: if (l >= 1) fl->ipproto = mnl_attr_get_u8(a); break;
		case RTA_SPORT: if (l == 2) fl->sport = ntohs(mnl_attr_get_u16(a)); break;
		case RTA_DPORT: if (l == 2) fl->dport = ntohs(mnl_attr_get_u16(a)); break;
		default: return -EOPNOTSUPP;	/* a selector not modelled */
		}
	}
	return fl->dst.family ? 0 : -EINVAL;
}

static bool
addr_local(const struct fib *f, const struct pp_addr *a)
{
	for (size_t i = 0; i < f->naddrs; i++)
		if (pp_addr_eq(&f->addrs[i].local, a))
			return true;
	return false;
}

static unsigned
common_bits(const struct pp_addr *a, const struct pp_addr *b)
{
	unsigned n = 0;

	for (size_t i = 0; i < pp_addr_len(a); i++) {
		uint8_t x = a->u.b[i] ^ b->u.b[i];

		if (!x) {
			n += 8;
			continue;
		}
		while (!(x & 0x80)) {
			x <<= 1;
			n++;
		}
		break;
	}
	return n;
}

/* The source address the kernel picks for a route without prefsrc. */
static bool
select_src(const struct fib *f, const struct pp_route *r, const struct pp_addr *dst, struct pp_addr *out)
{
	const struct pp_ifaddr *best = NULL;
	unsigned best_bits = 0;

	if (f->family == AF_INET) {
		/* inet_select_addr(dev, gw, scope): link scope for a gateway, host for a connected route. */
		uint8_t limit = r->gateway.family ? RT_SCOPE_LINK : RT_SCOPE_HOST;

		for (size_t i = 0; i < f->naddrs; i++) {
			const struct pp_ifaddr *a = &f->addrs[i];

			if (a->ifindex != r->oif || (a->flags & IFA_F_SECONDARY) || a->scope > limit)
				continue;
			if (!r->gateway.family || pp_addr_in_prefix(&r->gateway, &a->local, a->prefixlen)) {
				best = a;
				break;
			}
			if (!best)
				best = a;
		}
		for (size_t i = 0; !best && i < f->naddrs; i++)
			if (f->addrs[i].scope < RT_SCOPE_LINK && !(f->addrs[i].flags & IFA_F_SECONDARY))
				best = &f->addrs[i];
	} else {
		bool ll = dst->u.b[0] == 0xfe && (dst->u.b[1] & 0xc0) == 0x80;

		for (int pass = 0; pass < 2 && !best; pass++)
			for (size_t i = 0; i < f->naddrs; i++) {
				const struct pp_ifaddr *a = &f->addrs[i];
				unsigned bits;

				if ((pass == 0 && a->ifindex != r->oif) ||
				    (a->flags & (IFA_F_TENTATIVE | IFA_F_DADFAILED | IFA_F_DEPRECATED)) ||
				    (ll ? a->scope != RT_SCOPE_LINK : a->scope != RT_SCOPE_UNIVERSE))
					continue;
				bits = common_bits(&a->local, dst);
				if (!best || bits > best_bits) {
					best = a;
					best_bits = bits;
				}
			}
	}
	if (!best)
		return false;
	*out = best->local;
	return true;
}

struct answer {
	char *buf;
	size_t len, cap;
	uint32_t seq, portid;
};

static struct nlmsghdr *
ans_msg(struct answer *a, size_t room)
{
	struct nlmsghdr *nlh;

	if (!grow((void **)&a->buf, &a->cap, a->len + room, 1))
		return NULL;
	memset(a->buf + a->len, 0, room);
	nlh = (struct nlmsghdr *)(a->buf + a->len);
	nlh->nlmsg_len = NLMSG_HDRLEN;
	nlh->nlmsg_seq = a->seq;
	nlh->nlmsg_pid = a->portid;
	return nlh;
}

static void
ans_done(struct answer *a, struct nlmsghdr *nlh)
{
	a->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* The ACK (error 0) or the kernel's error for the request. */
static int
ans_ack(struct answer *a, const struct nlmsghdr *req, int err)
{
	struct nlmsghdr *nlh = ans_msg(a, NLMSG_HDRLEN + sizeof(struct nlmsgerr));
	struct nlmsgerr *e;

	if (!nlh)
		return -ENOMEM;
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg = *req;
	ans_done(a, nlh);
	return 0;
}

static int
ans_copy(struct answer *a, const struct nlmsghdr *m)
{
	struct nlmsghdr *nlh = ans_msg(a, NLMSG_ALIGN(m->nlmsg_len));

	if (!nlh)
		return -ENOMEM;
	memcpy(nlh, m, m->nlmsg_len);
	nlh->nlmsg_seq = a->seq;
	nlh->nlmsg_pid = a->portid;
	nlh->nlmsg_flags = 0;
	ans_done(a, nlh);
	return 0;
}

/* The route the kernel resolves for the flow, as RTM_NEWROUTE. */
static int
ans_route(struct answer *a, const struct fib *f, const struct flow *fl, const struct fib_route *fr,
	  unsigned lo_index)
{
	struct nlmsghdr *nlh = ans_msg(a, 1024);
	const struct pp_route *r = &fr->r;
	const struct nlattr *at;
	struct pp_addr src;
	struct rtmsg *rtm;
	size_t alen = pp_addr_len(&fl->dst);
	bool local = r->type == RTN_LOCAL;

	if (!nlh)
		return -ENOMEM;
	nlh->nlmsg_type = RTM_NEWROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)f->family;
	rtm->rtm_dst_len = (uint8_t)(alen * 8);
	rtm->rtm_src_len = fl->src.family ? (uint8_t)(alen * 8) : 0;
	rtm->rtm_tos = fl->tos;
	rtm->rtm_type = r->type;
	rtm->rtm_scope = RT_SCOPE_UNIVERSE;
	rtm->rtm_flags = RTM_F_CLONED;
	if (f->family == AF_INET)
		rtm->rtm_table = (fl->flags & RTM_F_LOOKUP_TABLE) ? (r->table < 256 ? (uint8_t)r->table : RT_TABLE_COMPAT)
								  : RT_TABLE_MAIN;
	else
		rtm->rtm_table = r->table < 256 ? (uint8_t)r->table : RT_TABLE_COMPAT;
	mnl_attr_put_u32(nlh, RTA_TABLE, f->family == AF_INET && !(fl->flags & RTM_F_LOOKUP_TABLE) ? RT_TABLE_MAIN
												    : r->table);
	mnl_attr_put(nlh, RTA_DST, alen, fl->dst.u.b);
	if (fl->src.family)
		mnl_attr_put(nlh, RTA_SRC, alen, fl->src.u.b);
	mnl_attr_put_u32(nlh, RTA_OIF, local && lo_index ? lo_index : (uint32_t)r->oif);
	if (!fl->src.family) {
		if (r->prefsrc.family)
			src = r->prefsrc;
		else if (local)
			src = fl->dst;
		else if (!select_src(f, r, &fl->dst, &src))
			src.family = 0;
		if (src.family)
			mnl_attr_put(nlh, RTA_PREFSRC, alen, src.u.b);
	}
	if (r->gateway.family == f->family)
		mnl_attr_put(nlh, RTA_GATEWAY, alen, r->gateway.u.b);
	if (f->family == AF_INET6 && r->has_priority)
		mnl_attr_put_u32(nlh, RTA_PRIORITY, r->priority);
	/* The FIB entry's metrics (mtu, advmss, hoplimit) carry over. */
	mnl_attr_for_each(at, fr->nlh, sizeof(struct rtmsg))
		if (mnl_attr_get_type(at) == RTA_METRICS && mnl_attr_get_payload_len(at) < 512)
			mnl_attr_put(nlh, RTA_METRICS, mnl_attr_get_payload_len(at), mnl_attr_get_payload(at));
	mnl_attr_put_u32(nlh, RTA_UID, fl->has_uid ? fl->uid : 0);
	if (fl->has_mark && fl->mark)
		mnl_attr_put_u32(nlh, RTA_MARK, fl->mark);
	ans_done(a, nlh);
	return 0;
}

/* The best route of table for the flow: longest prefix, its TOS, lowest metric. NULL: none. */
static const struct fib_route *
table_lookup(const struct fib *f, uint32_t table, const struct flow *fl, const char **why)
{
	const struct fib_route *best = NULL;

	for (size_t i = 0; i < f->nroutes; i++) {
		const struct fib_route *fr = &f->routes[i];
		const struct pp_route *r = &fr->r;

		if (r->table != table)
			continue;
		if (r->dst.family ? !pp_addr_in_prefix(&fl->dst, &r->dst, r->dst_len) : r->dst_len != 0)
			continue;
		if (r->tos && r->tos != fl->tos)
			continue;
		if (r->src_len) {
			*why = "a source-specific route";
			return NULL;
		}
		if (!best || r->dst_len > best->r.dst_len ||
		    (r->dst_len == best->r.dst_len && r->tos && !best->r.tos) ||
		    (r->dst_len == best->r.dst_len && r->tos == best->r.tos && r->priority < best->r.priority))
			best = fr;
	}
	if (best && (best->r.nhops > 1 || best->r.nhid)) {
		*why = best->r.nhid ? "a nexthop object" : "multipath: the kernel's hash";
		return NULL;
	}
	if (best && (best->r.flags & (RTNH_F_DEAD | RTNH_F_LINKDOWN))) {
		*why = "its next hop is dead or link down";
		return NULL;
	}
	return best;
}


/* Walk the rules for fl. Returns 0 with *hit, a lookup's -errno, or 1 with *why for what is not modelled. */
static int
fib_lookup(const struct fib *f, const struct flow *fl, const struct fib_route **hit, const char **why)
{
	struct pp_rule_flow rf = {
		.dst = fl->dst, .src = fl->src, .iifname = "lo", .mark = fl->mark, .uid = fl->uid,
		.ipproto = fl->ipproto, .tos = fl->tos, .sport = fl->sport, .dport = fl->dport,
	};
	size_t hops = 0;

	*hit = NULL;
	for (size_t i = 0; i < f->nrules; i++) {
		const struct pp_rule *r = &f->rules[i];
		const struct fib_route *fr;

		if (!pp_rule_match(r, &rf))
			continue;
		if (r->l3mdev || r->suppress_ifgroup != UINT32_MAX) {
			*why = "an l3mdev or suppress_ifgroup rule";
			return 1;
		}
		switch (r->action) {
		case FR_ACT_TO_TBL:
			*why = NULL;
			fr = table_lookup(f, r->table, fl, why);
			if (*why)
				return 1;
			if (!fr || fr->r.type == RTN_THROW)
				continue;
			/* suppress_prefixlength N: a route of prefix N or shorter does not count. */
			if (r->suppress_prefixlen >= 0 && fr->r.dst_len <= r->suppress_prefixlen)
				continue;
			if (fr->r.type == RTN_UNICAST || fr->r.type == RTN_LOCAL || fr->r.type == RTN_BROADCAST ||
			    fr->r.type == RTN_ANYCAST || fr->r.type == RTN_MULTICAST) {
				*hit = fr;
				return 0;
			}
			/* The kernel's errors for these types, both families (ip6_rt_type_to_error too). */
			if (fr->r.type == RTN_BLACKHOLE)
				return -EINVAL;
			if (fr->r.type == RTN_PROHIBIT)
				return -EACCES;
			if (fr->r.type == RTN_UNREACHABLE)
				return -EHOSTUNREACH;
			*why = "a route type not modelled";
			return 1;
		case FR_ACT_GOTO: {
			size_t k;

			if (++hops > f->nrules)
				break;
			for (k = 0; k < f->nrules && f->rules[k].priority < r->goto_target; k++)
				;
			if (k == f->nrules || f->rules[k].priority != r->goto_target) {
				*why = "a goto to a missing rule";
				return 1;
			}
			i = k - 1;
			continue;
		}
		case FR_ACT_NOP:
			continue;
		case FR_ACT_BLACKHOLE: return -EINVAL;
		case FR_ACT_UNREACHABLE: return -ENETUNREACH;
		case FR_ACT_PROHIBIT: return -EACCES;
		default:
			*why = "a rule action not modelled";
			return 1;
		}
	}
	return -ENETUNREACH;
}

static int
lo_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct ifinfomsg *ifi;

	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifi))
		return 0;
	ifi = mnl_nlmsg_get_payload(nlh);
	if (ifi->ifi_flags & IFF_LOOPBACK)
		*(unsigned *)data = (unsigned)ifi->ifi_index;
	return 0;
}

static int
decline(const struct pp_snap *s, int ns, const struct nlmsghdr *req, const char *why, struct pp_err *e)
{
	char d[INET6_ADDRSTRLEN] = "?";
	struct flow fl;

	if (parse_req(req, &fl) == 0 || fl.dst.family)
		pp_addr_str(&fl.dst, d, sizeof(d));
	pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);
	pp_err_set(e, ENODATA, "the snapshot holds no answer for RTM_GETROUTE to %s (%s)", d, why);
	return -ENODATA;
}

static int
route_get(const struct pp_snap *s, int ns, const struct nlmsghdr *req, struct answer *a, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct fib f = { 0 };
	struct flow fl;
	const struct fib_route *hit = NULL;
	const char *why = NULL;
	unsigned lo = 0;
	int rc;

	if ((rc = parse_req(req, &fl)) < 0)
		return decline(s, ns, req, rc == -EOPNOTSUPP ? "a selector not modelled"
							     : "a request it does not read", e);
	if (fl.has_iif)
		return decline(s, ns, req, "input lookups are not modelled", e);
	if (fl.has_oif)
		return decline(s, ns, req, "--oif is not modelled", e);
	f.family = fl.family;
	if (pp_snap_walk(s, ns, NETLINK_ROUTE, pp_snap_rule_dump_req(buf, fl.family), rule_cb, &f) < 0 ||
	    pp_snap_walk(s, ns, NETLINK_ROUTE, pp_snap_route_dump_req(buf, fl.family), route_cb, &f) < 0 ||
	    pp_snap_walk(s, ns, NETLINK_ROUTE, pp_snap_addr_dump_req(buf), addr_cb, &f) < 0) {
		fib_free(&f);
		return decline(s, ns, req, "no full rule, route, address tables", e);
	}
	if (f.bad) {
		fib_free(&f);
		return decline(s, ns, req, "a rule or route does not decode", e);
	}
	pp_snap_walk(s, ns, NETLINK_ROUTE, pp_snap_link_dump_req(buf), lo_cb, &lo);
	/* IPv4 refuses a source that is not one of this host's addresses. */
	if (fl.family == AF_INET && fl.src.family && !addr_local(&f, &fl.src))
		rc = -EINVAL;
	else if (fl.family == AF_INET && (IN_MULTICAST(ntohl(fl.dst.u.v4.s_addr)) ||
					  fl.dst.u.v4.s_addr == INADDR_BROADCAST || fl.dst.u.v4.s_addr == 0))
		rc = 1, why = "multicast, broadcast or zero dst";
	else if (fl.family == AF_INET6 && (fl.dst.u.b[0] == 0xff || IN6_IS_ADDR_UNSPECIFIED(&fl.dst.u.v6)))
		rc = 1, why = "multicast or unspecified dst";
	else
		rc = fib_lookup(&f, &fl, &hit, &why);
	if (rc == 1) {
		fib_free(&f);
		return decline(s, ns, req, why, e);
	}
	if (rc == 0 && (fl.flags & RTM_F_FIB_MATCH))
		rc = ans_copy(a, hit->nlh) < 0 ? -ENOMEM : ans_ack(a, req, 0);
	else if (rc == 0)
		rc = ans_route(a, &f, &fl, hit, lo) < 0 ? -ENOMEM : ans_ack(a, req, 0);
	else
		rc = ans_ack(a, req, rc);
	fib_free(&f);
	if (rc < 0)
		pp_err_set(e, -rc, "userspace FIB");
	return rc;
}

/* A dump of one table or type: the full dump, filtered as strict checking filters. */
struct filt {
	struct answer *a;
	int family;
	uint32_t table;
	uint8_t type;
	int rc;
};

static int
filt_cb(const struct nlmsghdr *nlh, void *data)
{
	struct filt *ft = data;
	struct pp_route r;

	if (nlh->nlmsg_type != RTM_NEWROUTE || pp_route_decode(nlh, &r) < 0)
		return 0;
	if ((ft->family && r.family != ft->family) || (ft->table && r.table != ft->table) ||
	    (ft->type && r.type != ft->type))
		return 0;
	if (ans_copy(ft->a, nlh) < 0)
		return -ENOMEM;
	((struct nlmsghdr *)(ft->a->buf + ft->a->len - NLMSG_ALIGN(nlh->nlmsg_len)))->nlmsg_flags = NLM_F_MULTI;
	return 0;
}

static int
route_dump(const struct pp_snap *s, int ns, const struct nlmsghdr *req, struct answer *a, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const struct rtmsg *rtm;
	const struct nlattr *at;
	struct filt ft = { .a = a };
	struct nlmsghdr *done;

	if (req->nlmsg_len < NLMSG_HDRLEN + sizeof(*rtm))
		return pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);
	rtm = mnl_nlmsg_get_payload(req);
	ft.family = rtm->rtm_family;
	ft.table = rtm->rtm_table;
	ft.type = rtm->rtm_type;
	if (rtm->rtm_flags & RTM_F_CLONED)
		return pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);	/* the cache is not in the full dump */
	mnl_attr_for_each(at, req, sizeof(*rtm)) {
		if (mnl_attr_get_type(at) == RTA_TABLE && mnl_attr_get_payload_len(at) == 4)
			ft.table = mnl_attr_get_u32(at);
		else
			return pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);
	}
	if ((ft.family != AF_INET && ft.family != AF_INET6) ||
	    pp_snap_walk(s, ns, NETLINK_ROUTE, pp_snap_route_dump_req(buf, ft.family), filt_cb, &ft) < 0)
		return pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);
	if (!(done = ans_msg(a, NLMSG_HDRLEN + sizeof(int))))
		return -ENOMEM;
	done->nlmsg_type = NLMSG_DONE;
	done->nlmsg_flags = NLM_F_MULTI;
	done->nlmsg_len = NLMSG_HDRLEN + sizeof(int);
	ans_done(a, done);
	return 0;
}

/* One neighbour entry: the full dump holds every non-proxy entry. */
struct nfind {
	int family, ifindex;
	struct pp_addr dst;
	const struct nlmsghdr *hit;
};

static int
neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nfind *nf = data;
	const struct ndmsg *ndm;
	const struct nlattr *at;

	if (nlh->nlmsg_type != RTM_NEWNEIGH || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ndm) || nf->hit)
		return 0;
	ndm = mnl_nlmsg_get_payload(nlh);
	if (ndm->ndm_family != nf->family || (nf->ifindex && ndm->ndm_ifindex != nf->ifindex) ||
	    (ndm->ndm_flags & NTF_PROXY))
		return 0;
	mnl_attr_for_each(at, nlh, sizeof(*ndm)) {
		struct pp_addr d;

		if (mnl_attr_get_type(at) == NDA_DST &&
		    pp_addr_set(&d, nf->family, mnl_attr_get_payload(at), mnl_attr_get_payload_len(at)) &&
		    pp_addr_eq(&d, &nf->dst))
			nf->hit = nlh;
	}
	return 0;
}

static int
neigh_get(const struct pp_snap *s, int ns, const struct nlmsghdr *req, struct answer *a, struct pp_err *e)
{
	struct ndmsg nd = { .ndm_family = AF_UNSPEC };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const struct ndmsg *ndm;
	const struct nlattr *at;
	struct nfind nf = { 0 };

	if (req->nlmsg_len < NLMSG_HDRLEN + sizeof(*ndm))
		return pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);
	ndm = mnl_nlmsg_get_payload(req);
	if (ndm->ndm_flags & NTF_PROXY)
		return pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);
	nf.family = ndm->ndm_family;
	nf.ifindex = ndm->ndm_ifindex;
	mnl_attr_for_each(at, req, sizeof(*ndm))
		if (mnl_attr_get_type(at) == NDA_DST)
			pp_addr_set(&nf.dst, nf.family, mnl_attr_get_payload(at), mnl_attr_get_payload_len(at));
	if (!nf.dst.family)
		return pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);
	if (pp_snap_walk(s, ns, NETLINK_ROUTE, pp_snap_rt_dump_req(buf, RTM_GETNEIGH, &nd, sizeof(nd)), neigh_cb,
			 &nf) < 0)
		return pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);
	if (nf.hit && ans_copy(a, nf.hit) < 0)
		return -ENOMEM;
	return ans_ack(a, req, nf.hit ? 0 : -ENOENT);
}

int
pp_snap_fib_answer(const struct pp_snap *s, int ns, const struct nlmsghdr *req, uint32_t seq,
		   uint32_t portid, void **out, size_t *outlen, struct pp_err *e)
{
	struct answer a = { .seq = seq, .portid = portid };
	int rc;

	*out = NULL;
	*outlen = 0;
	/* For tests: a run replayed against its own snapshot must need no FIB at all. */
	if (getenv("PKTPATH_SNAPSHOT_NO_FIB"))
		return pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);
	if (req->nlmsg_type == RTM_GETROUTE && !(req->nlmsg_flags & NLM_F_DUMP))
		rc = route_get(s, ns, req, &a, e);
	else if (req->nlmsg_type == RTM_GETROUTE)
		rc = route_dump(s, ns, req, &a, e);
	else if (req->nlmsg_type == RTM_GETNEIGH && !(req->nlmsg_flags & NLM_F_DUMP))
		rc = neigh_get(s, ns, req, &a, e);
	else
		rc = pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);
	if (rc < 0) {
		free(a.buf);
		return rc;
	}
	*out = a.buf;
	*outlen = a.len;
	return 0;
}
