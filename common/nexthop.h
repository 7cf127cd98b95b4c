/*
 * nexthop.h: nexthop objects (RTM_GETNEXTHOP, kernel 5.3+). A route that names
 * one carries RTA_NH_ID; with net.ipv4.nexthop_compat_mode=0 the kernel sends
 * nothing else about the way out (no RTA_GATEWAY, no RTA_MULTIPATH), so the
 * gateways must be read from the objects themselves.
 */
#ifndef PP_NEXTHOP_H
#define PP_NEXTHOP_H

#include "nl.h"
#include "route.h"

#define PP_NHOBJ_MAX_GRP 32

struct pp_nhobj {
	uint32_t id;
	int family;		/* AF_INET, AF_INET6, or AF_UNSPEC for groups and blackholes */
	int ifindex;
	struct pp_addr gw;	/* family 0: none (a device route) */
	uint32_t flags;		/* RTNH_F_DEAD, RTNH_F_LINKDOWN, ... */
	uint8_t protocol;
	bool blackhole, fdb;
	bool is_group;
	uint16_t group_type;	/* NEXTHOP_GRP_TYPE_MPATH or _RES */
	unsigned ngrp;		/* members kept (at most PP_NHOBJ_MAX_GRP) */
	unsigned ngrp_total;	/* members the kernel sent */
	struct { uint32_t id; uint32_t weight; } grp[PP_NHOBJ_MAX_GRP];	/* weight as ip(8) shows it: 1.. */
};

/* Decode an RTM_NEWNEXTHOP message. Returns 0 or -EBADMSG. */
int pp_nhobj_decode(const struct nlmsghdr *nlh, struct pp_nhobj *o);

struct pp_nhobj_table {
	struct pp_nhobj *v;
	size_t n, cap;
	bool sorted;		/* by id (pp_nhobj_dump sorts it): pp_nhobj_find searches in log time */
};

/*
 * Dump every nexthop object of this namespace into t (emptied first). Returns 0,
 * or -errno: -EOPNOTSUPP (or -EINVAL) from a kernel without nexthop objects.
 */
int pp_nhobj_dump(struct pp_nl *nl, struct pp_nhobj_table *t, struct pp_err *e);
void pp_nhobj_table_free(struct pp_nhobj_table *t);
const struct pp_nhobj *pp_nhobj_find(const struct pp_nhobj_table *t, uint32_t id);

/*
 * The paths of nexthop object id, as the kernel would expand them into a route
 * (a group's members, each with its own gateway and device). Returns how many
 * were written to out (at most max; weights above 255 are shown as 255), 0 for
 * a blackhole, or -1 when id (or a member of its group) is unknown.
 */
int pp_nhobj_expand(const struct pp_nhobj_table *t, uint32_t id, struct pp_nexthop *out, int max);

#endif
