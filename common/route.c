/* route.c: RTM_GETROUTE lookups and filtered route dumps. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "snap.h"
#include "attr.h"
#include "route.h"

static const struct pp_attr_policy route_pol[RTA_MAX + 1] = {
	[RTA_DST] = { PP_A_ADDR }, [RTA_SRC] = { PP_A_ADDR }, [RTA_PREFSRC] = { PP_A_ADDR },
	[RTA_GATEWAY] = { PP_A_ADDR }, [RTA_IIF] = { PP_A_U32 }, [RTA_OIF] = { PP_A_U32 },
	[RTA_PRIORITY] = { PP_A_U32 }, [RTA_TABLE] = { PP_A_U32 }, [RTA_MARK] = { PP_A_U32 },
	[RTA_UID] = { PP_A_U32 }, [RTA_METRICS] = { PP_A_NEST },
	[RTA_CACHEINFO] = { PP_A_MIN, sizeof(struct rta_cacheinfo) },
	[RTA_MULTIPATH] = { PP_A_MIN, sizeof(struct rtnexthop) },
	[RTA_VIA] = { PP_A_MIN, sizeof(struct rtvia) },
	[RTA_NH_ID] = { PP_A_U32 },
};

static const struct pp_attr_policy metrics_pol[RTAX_MAX + 1] = {
	[RTAX_MTU] = { PP_A_U32 }, [RTAX_ADVMSS] = { PP_A_U32 }, [RTAX_HOPLIMIT] = { PP_A_U32 },
};

static int
decode_multipath(const struct nlattr *a, int family, struct pp_route *r)
{
	const char *p = (const char *)a + NLA_HDRLEN;
	size_t rem = a->nla_len - NLA_HDRLEN;

	while (rem >= sizeof(struct rtnexthop)) {
		const struct rtnexthop *nh = (const struct rtnexthop *)p;
		const struct nlattr *tb[RTA_MAX + 1];
		struct pp_nexthop *out;

		if (nh->rtnh_len < sizeof(*nh) || nh->rtnh_len > rem)
			return -EBADMSG;
		if (r->nhops < PP_ROUTE_MAX_NH) {
			out = &r->nh[r->nhops++];
			memset(out, 0, sizeof(*out));
			out->ifindex = nh->rtnh_ifindex;
			out->flags = nh->rtnh_flags;
			out->weight = (uint8_t)(nh->rtnh_hops + 1);
			if (pp_attr_parse(p + sizeof(*nh), nh->rtnh_len - sizeof(*nh), route_pol,
					  RTA_MAX, tb) < 0)
				return -EBADMSG;
			if (tb[RTA_GATEWAY])
				pp_attr_addr(tb[RTA_GATEWAY], family, &out->gw);
		}
		if ((size_t)RTNH_ALIGN(nh->rtnh_len) >= rem)
			break;
		rem -= (size_t)RTNH_ALIGN(nh->rtnh_len);
		p += RTNH_ALIGN(nh->rtnh_len);
	}
	return 0;
}

int
pp_route_decode(const struct nlmsghdr *nlh, struct pp_route *r)
{
	const struct nlattr *tb[RTA_MAX + 1];
	const struct rtmsg *rtm = pp_msg_hdr(nlh, sizeof(*rtm));
	int family;

	memset(r, 0, sizeof(*r));
	if (!rtm || pp_attr_parse_msg(nlh, sizeof(*rtm), route_pol, RTA_MAX, tb) < 0)
		return -EBADMSG;
	family = rtm->rtm_family;
	if (family != AF_INET && family != AF_INET6)
		return -EAFNOSUPPORT;
	r->family = family;
	r->type = rtm->rtm_type;
	r->protocol = rtm->rtm_protocol;
	r->scope = rtm->rtm_scope;
	r->dst_len = rtm->rtm_dst_len;
	r->src_len = rtm->rtm_src_len;
	r->tos = rtm->rtm_tos;
	r->flags = rtm->rtm_flags;
	r->table = tb[RTA_TABLE] ? mnl_attr_get_u32(tb[RTA_TABLE]) : rtm->rtm_table;
	/* An address of the other family (IPv4 route via an IPv6 gateway uses RTA_VIA) is malformed here. */
	if (tb[RTA_DST] && !pp_attr_addr(tb[RTA_DST], family, &r->dst))
		return -EBADMSG;
	if (tb[RTA_SRC] && !pp_attr_addr(tb[RTA_SRC], family, &r->src))
		return -EBADMSG;
	if (tb[RTA_PREFSRC] && !pp_attr_addr(tb[RTA_PREFSRC], family, &r->prefsrc))
		return -EBADMSG;
	if (tb[RTA_GATEWAY] && !pp_attr_addr(tb[RTA_GATEWAY], family, &r->gateway))
		return -EBADMSG;
	if (tb[RTA_VIA]) {
		const struct rtvia *via = mnl_attr_get_payload(tb[RTA_VIA]);
		size_t alen = mnl_attr_get_payload_len(tb[RTA_VIA]) - sizeof(*via);

		pp_addr_set(&r->gateway, via->rtvia_family, via->rtvia_addr, alen);
	}
	if (tb[RTA_OIF])
		r->oif = (int)mnl_attr_get_u32(tb[RTA_OIF]);
	if (tb[RTA_NH_ID])
		r->nhid = mnl_attr_get_u32(tb[RTA_NH_ID]);
	if (tb[RTA_IIF])
		r->iif = (int)mnl_attr_get_u32(tb[RTA_IIF]);
	if (tb[RTA_PRIORITY]) {
		r->has_priority = true;
		r->priority = mnl_attr_get_u32(tb[RTA_PRIORITY]);
	}
	if (tb[RTA_MARK]) {
		r->has_mark = true;
		r->mark = mnl_attr_get_u32(tb[RTA_MARK]);
	}
	if (tb[RTA_UID]) {
		r->has_uid = true;
		r->uid = mnl_attr_get_u32(tb[RTA_UID]);
	}
	if (tb[RTA_METRICS]) {
		const struct nlattr *mt[RTAX_MAX + 1];

		if (pp_attr_parse_nest(tb[RTA_METRICS], metrics_pol, RTAX_MAX, mt) < 0)
			return -EBADMSG;
		if (mt[RTAX_MTU])
			r->mtu = mnl_attr_get_u32(mt[RTAX_MTU]);
		if (mt[RTAX_ADVMSS])
			r->advmss = mnl_attr_get_u32(mt[RTAX_ADVMSS]);
		if (mt[RTAX_HOPLIMIT])
			r->hoplimit = mnl_attr_get_u32(mt[RTAX_HOPLIMIT]);
	}
	if (tb[RTA_CACHEINFO]) {
		struct rta_cacheinfo ci;

		pp_attr_copy(&ci, sizeof(ci), tb[RTA_CACHEINFO]);
		/* rta_expires is in USER_HZ (100 per second) as the kernel reports it. */
		if (ci.rta_expires) {
			r->has_expires = true;
			r->expires_sec = ci.rta_expires / 100;
		}
	}
	if (tb[RTA_MULTIPATH] && decode_multipath(tb[RTA_MULTIPATH], family, r) < 0)
		return -EBADMSG;
	return 0;
}

struct nlmsghdr *
pp_route_get_build(void *buf, const struct pp_route_query *q)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	size_t alen = pp_addr_len(&q->dst);

	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)q->family;
	/*
	 * IPv4 reports "main" for any table unless asked for the table the lookup
	 * found; IPv6 always reports it, and its strict checking refuses the flag.
	 */
	rtm->rtm_flags = (q->family == AF_INET ? RTM_F_LOOKUP_TABLE : 0) | (q->fibmatch ? RTM_F_FIB_MATCH : 0);
	rtm->rtm_dst_len = (uint8_t)(alen * 8);
	rtm->rtm_tos = q->tos;
	mnl_attr_put(nlh, RTA_DST, alen, q->dst.u.b);
	if (q->src.family) {
		rtm->rtm_src_len = (uint8_t)(pp_addr_len(&q->src) * 8);
		mnl_attr_put(nlh, RTA_SRC, pp_addr_len(&q->src), q->src.u.b);
	}
	if (q->iif)
		mnl_attr_put_u32(nlh, RTA_IIF, (uint32_t)q->iif);
	if (q->oif)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)q->oif);
	if (q->has_mark)
		mnl_attr_put_u32(nlh, RTA_MARK, q->mark);
	if (q->has_uid)
		mnl_attr_put_u32(nlh, RTA_UID, q->uid);
	if (q->ipproto)
		mnl_attr_put_u8(nlh, RTA_IP_PROTO, q->ipproto);
	if (q->sport)
		mnl_attr_put_u16(nlh, RTA_SPORT, htons(q->sport));
	if (q->dport)
		mnl_attr_put_u16(nlh, RTA_DPORT, htons(q->dport));
	return nlh;
}

struct get_ctx {
	struct pp_route *r;
	int found;
	int rc;
};

static int
get_cb(const struct nlmsghdr *nlh, void *data)
{
	struct get_ctx *c = data;

	if (nlh->nlmsg_type != RTM_NEWROUTE || c->found)
		return 0;
	c->rc = pp_route_decode(nlh, c->r);
	c->found = 1;
	return 0;
}

int
pp_route_get(struct pp_nl *nl, const struct pp_route_query *q, struct pp_route *r,
	     struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], a[INET6_ADDRSTRLEN];
	struct get_ctx c = { .r = r };
	struct nlmsghdr *nlh = pp_route_get_build(buf, q);
	int rc;

	pp_err_set(e, 0, "RTM_GETROUTE %s", pp_addr_str(&q->dst, a, sizeof(a)));
	rc = pp_nl_request(nl, nlh, get_cb, &c, e);
	if (rc < 0)
		return rc;
	if (!c.found) {
		pp_err_set(e, ENODATA, "RTM_GETROUTE %s: no answer", a);
		return -ENODATA;
	}
	if (c.rc < 0) {
		nl->bad_msgs++;
		pp_err_set(e, -c.rc, "RTM_GETROUTE %s: malformed reply", a);
		return c.rc;
	}
	return 0;
}

struct dump_ctx {
	int family;
	uint32_t table;
	uint8_t type;
	pp_route_cb cb;
	void *data;
	struct pp_nl *nl;
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct pp_route r;

	if (nlh->nlmsg_type != RTM_NEWROUTE)
		return 0;
	if (pp_route_decode(nlh, &r) < 0) {
		c->nl->bad_msgs++;
		return 0;
	}
	/* The kernel filters with strict checking; check again for kernels that do not. */
	if (r.family != c->family || (c->table && r.table != c->table) || (c->type && r.type != c->type))
		return 0;
	if (r.flags & RTM_F_CLONED)
		return 0;
	return c->cb(&r, c->data);
}

int
pp_route_dump(struct pp_nl *nl, int family, uint32_t table, uint8_t type, pp_route_cb cb,
	      void *data, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_ctx c = { family, table, type, cb, data, nl };
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = (uint8_t)family;
	if (nl->strict) {
		rtm->rtm_type = type;
		if (table) {
			rtm->rtm_table = table < 256 ? (uint8_t)table : RT_TABLE_UNSPEC;
			mnl_attr_put_u32(nlh, RTA_TABLE, table);
		}
	}
	pp_err_set(e, 0, "RTM_GETROUTE dump table %u", table);
	return pp_nl_dump(nl, nlh, dump_cb, &c, NULL, e);
}

const char *
pp_route_type_name(uint8_t type)
{
	switch (type) {
	case RTN_UNICAST: return "unicast";
	case RTN_LOCAL: return "local";
	case RTN_BROADCAST: return "broadcast";
	case RTN_ANYCAST: return "anycast";
	case RTN_MULTICAST: return "multicast";
	case RTN_BLACKHOLE: return "blackhole";
	case RTN_UNREACHABLE: return "unreachable";
	case RTN_PROHIBIT: return "prohibit";
	case RTN_THROW: return "throw";
	case RTN_NAT: return "nat";
	default: return "unspec";
	}
}

const char *
pp_route_proto_name(uint8_t proto, char *buf, size_t len)
{
	switch (proto) {
	case RTPROT_KERNEL: return "kernel";
	case RTPROT_BOOT: return "boot";
	case RTPROT_STATIC: return "static";
	case RTPROT_DHCP: return "dhcp";
	case RTPROT_RA: return "ra";
	case RTPROT_REDIRECT: return "redirect";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

const char *
pp_route_table_name(uint32_t table, char *buf, size_t len)
{
	switch (table) {
	case RT_TABLE_MAIN: return "main";
	case RT_TABLE_LOCAL: return "local";
	case RT_TABLE_DEFAULT: return "default";
	default:
		snprintf(buf, len, "%u", table);
		return buf;
	}
}

const char *
pp_route_format(const struct pp_route *r, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN], g[INET6_ADDRSTRLEN], t[16], dev[IF_NAMESIZE] = "";
	size_t n = 0;

	buf[0] = '\0';
#define APPEND(...) do { if (n < len) n += (size_t)snprintf(buf + n, len - n, __VA_ARGS__); } while (0)
	if (r->type != RTN_UNICAST)
		APPEND("%s ", pp_route_type_name(r->type));
	if (r->dst.family)
		APPEND("%s/%u", pp_addr_str(&r->dst, a, sizeof(a)), r->dst_len);
	else
		APPEND("default");
	if (r->nhid)
		APPEND(" nhid %u", r->nhid);
	if (r->gateway.family)
		APPEND(" via %s", pp_addr_str(&r->gateway, g, sizeof(g)));
	if (r->oif && pp_ifname((unsigned)r->oif, dev))
		APPEND(" dev %s", dev);
	else if (r->oif)
		APPEND(" dev #%d", r->oif);
	for (int i = 0; i < r->nhops; i++) {
		APPEND(" nexthop");
		if (r->nh[i].gw.family)
			APPEND(" via %s", pp_addr_str(&r->nh[i].gw, g, sizeof(g)));
		if (r->nh[i].ifindex && pp_ifname((unsigned)r->nh[i].ifindex, dev))
			APPEND(" dev %s", dev);
		APPEND(" weight %u", r->nh[i].weight);
	}
	if (r->table)
		APPEND(" table %s", pp_route_table_name(r->table, t, sizeof(t)));
	if (r->prefsrc.family)
		APPEND(" src %s", pp_addr_str(&r->prefsrc, a, sizeof(a)));
#undef APPEND
	return buf;
}
