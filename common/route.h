/*
 * route.h: the kernel's own route lookup (RTM_GETROUTE with every selector), and
 * table dumps filtered in the kernel (by table and type), never a full dump to
 * answer one destination.
 */
#ifndef PP_ROUTE_H
#define PP_ROUTE_H

#include <net/if.h>
#include "nl.h"

struct pp_route_query {
	int family;
	struct pp_addr dst;
	struct pp_addr src;	/* family 0: none */
	int iif, oif;		/* 0: none */
	bool has_mark, has_uid;
	uint32_t mark, uid;
	uint8_t ipproto;	/* 0: none */
	uint16_t sport, dport;	/* host order, 0: none */
	uint8_t tos;		/* rtmsg.rtm_tos, as ip route get ... tos (IPv6: the traffic class); 0: none */
	bool fibmatch;		/* RTM_F_FIB_MATCH: the FIB entry that matched, not the resolved route */
};

#define PP_ROUTE_MAX_NH 16

struct pp_nexthop {
	int ifindex;
	struct pp_addr gw;
	uint8_t flags;		/* RTNH_F_DEAD, RTNH_F_LINKDOWN, ... */
	uint8_t weight;		/* rtnh_hops + 1 */
};

struct pp_route {
	int family;
	uint8_t type, protocol, scope, dst_len, src_len, tos;
	uint32_t table;
	uint32_t flags;		/* rtm_flags */
	struct pp_addr dst, src, prefsrc, gateway;	/* family 0 when not sent */
	int oif, iif;
	bool has_priority, has_mark, has_uid, has_expires;
	uint32_t priority, mark, uid;
	uint32_t mtu, advmss, hoplimit;	/* RTA_METRICS; 0 when not sent */
	uint32_t expires_sec;		/* cached PMTU exception lifetime */
	uint32_t nhid;			/* RTA_NH_ID: the route uses nexthop object nhid (0: none) */
	int nhops;
	struct pp_nexthop nh[PP_ROUTE_MAX_NH];
};

/* Decode an RTM_NEWROUTE message. Returns 0 or -EBADMSG. */
int pp_route_decode(const struct nlmsghdr *nlh, struct pp_route *r);
/* Build the RTM_GETROUTE request for q into buf (MNL_SOCKET_BUFFER_SIZE bytes). */
struct nlmsghdr *pp_route_get_build(void *buf, const struct pp_route_query *q);
/*
 * Look q up as the kernel would route it. Returns 0 with *r filled, or the kernel's
 * -errno: -EINVAL blackhole (or bad source / rp_filter with iif), -EHOSTUNREACH
 * unreachable, -EACCES prohibit, -ENETUNREACH no route or throw.
 */
int pp_route_get(struct pp_nl *nl, const struct pp_route_query *q, struct pp_route *r,
		 struct pp_err *e);

typedef int (*pp_route_cb)(const struct pp_route *r, void *data);
/*
 * Dump one table's routes of one type (0: any), filtered by the kernel when it
 * supports strict checking (filtered here otherwise). cb returns 0 or -errno.
 */
int pp_route_dump(struct pp_nl *nl, int family, uint32_t table, uint8_t type, pp_route_cb cb,
		  void *data, struct pp_err *e);

const char *pp_route_type_name(uint8_t type);
const char *pp_route_proto_name(uint8_t proto, char *buf, size_t len);
/* "main", "local", "default", or the number. */
const char *pp_route_table_name(uint32_t table, char *buf, size_t len);
/* iproute2-like one-line form: "203.0.113.0/24 via 198.51.100.1 dev eth0 table main" ("nhid 10 via ..." with a nexthop object). */
const char *pp_route_format(const struct pp_route *r, char *buf, size_t len);

#endif
