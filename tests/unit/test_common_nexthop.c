/*
 * test_common_nexthop.c: pp_nhobj_decode on RTM_NEWNEXTHOP messages laid out as
 * nh_fill_node() sends them, the expansion of groups into a route's paths, and
 * RTA_NH_ID in routes.
 */
#include <arpa/inet.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "nexthop.h"
#include "route.h"
#include "test_common_msg.h"

static struct nlmsghdr *
nh_start(struct tmsg *m, int family, uint32_t id)
{
	struct nhmsg *nhm;
	struct nlmsghdr *nlh = tmsg_start(m, RTM_NEWNEXTHOP, sizeof(*nhm), (void **)&nhm);

	nhm->nh_family = (uint8_t)family;
	nhm->nh_protocol = RTPROT_BOOT;
	nhm->nh_scope = RT_SCOPE_UNIVERSE;
	mnl_attr_put_u32(nlh, NHA_ID, id);
	return nlh;
}

/* "ip nexthop add id 10 via 198.51.100.1 dev #3" */
static struct nlmsghdr *
build_v4(struct tmsg *m, uint32_t id, const char *gw, uint32_t oif)
{
	struct nlmsghdr *nlh = nh_start(m, AF_INET, id);
	struct in_addr a;

	inet_pton(AF_INET, gw, &a);
	mnl_attr_put_u32(nlh, NHA_OIF, oif);
	mnl_attr_put(nlh, NHA_GATEWAY, 4, &a);
	return nlh;
}

static struct nlmsghdr *
build_group(struct tmsg *m, uint32_t id, const struct nexthop_grp *g, size_t n)
{
	struct nlmsghdr *nlh = nh_start(m, AF_UNSPEC, id);

	mnl_attr_put(nlh, NHA_GROUP, n * sizeof(*g), g);
	mnl_attr_put_u16(nlh, NHA_GROUP_TYPE, NEXTHOP_GRP_TYPE_MPATH);
	return nlh;
}

static void
test_nh_v4(void)
{
	struct tmsg m;
	struct nlmsghdr *d = tmsg_dup(build_v4(&m, 10, "198.51.100.1", 3));
	struct pp_nhobj o;

	CHECK_EQ_INT(pp_nhobj_decode(d, &o), 0);
	CHECK_EQ_INT(o.id, 10);
	CHECK_EQ_INT(o.family, AF_INET);
	CHECK_EQ_INT(o.ifindex, 3);
	CHECK_STR(astr(&o.gw), "198.51.100.1");
	CHECK(!o.is_group && !o.blackhole && !o.fdb);
	CHECK_EQ_INT(o.protocol, RTPROT_BOOT);
	free(d);
}

static void
test_nh_v6_and_blackhole(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = nh_start(&m, AF_INET6, 11), *d;
	struct in6_addr a;
	struct pp_nhobj o;

	inet_pton(AF_INET6, "2001:db8:1::1", &a);
	mnl_attr_put_u32(nlh, NHA_OIF, 4);
	mnl_attr_put(nlh, NHA_GATEWAY, 16, &a);
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), 0);
	CHECK_STR(astr(&o.gw), "2001:db8:1::1");
	CHECK_EQ_INT(o.ifindex, 4);
	free(d);

	nlh = nh_start(&m, AF_UNSPEC, 5);
	mnl_attr_put(nlh, NHA_BLACKHOLE, 0, NULL);
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), 0);
	CHECK(o.blackhole);
	CHECK_EQ_INT(o.gw.family, 0);
	free(d);
}

static void
test_nh_group(void)
{
	struct tmsg m;
	/*
	 * Weights 1 and 3 as ip(8) shows them; the third is 300, its high byte set by
	 * hand (headers before 6.12 call that byte resvd1, later ones weight_high).
	 */
	struct nexthop_grp g[3] = { { .id = 10, .weight = 0 }, { .id = 11, .weight = 2 },
				    { .id = 12, .weight = (300 - 1) & 0xff } };
	struct nlmsghdr *d;
	struct pp_nhobj o;

	((uint8_t *)&g[2])[5] = (300 - 1) >> 8;
	d = tmsg_dup(build_group(&m, 20, g, 3));
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), 0);
	CHECK(o.is_group);
	CHECK_EQ_INT(o.ngrp, 3);
	CHECK_EQ_INT(o.ngrp_total, 3);
	CHECK_EQ_INT(o.grp[0].id, 10);
	CHECK_EQ_INT(o.grp[0].weight, 1);
	CHECK_EQ_INT(o.grp[1].weight, 3);
	CHECK_EQ_INT(o.grp[2].weight, 300);
	CHECK_EQ_INT(o.group_type, NEXTHOP_GRP_TYPE_MPATH);
	free(d);
}

static void
test_nh_malformed(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh, *d;
	struct pp_nhobj o;
	struct nexthop_grp g = { .id = 10 };
	struct in_addr a4;

	/* No NHA_ID. */
	tmsg_start(&m, RTM_NEWNEXTHOP, sizeof(struct nhmsg), NULL);
	d = tmsg_dup(&m.u.h);
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), -EBADMSG);
	free(d);
	/* Shorter than struct nhmsg. */
	d = tmsg_dup_len(build_v4(&m, 10, "198.51.100.1", 3), NLMSG_HDRLEN + 4);
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), -EBADMSG);
	free(d);
	/* Cut in the middle of an attribute. */
	nlh = build_v4(&m, 10, "198.51.100.1", 3);
	d = tmsg_dup_len(nlh, nlh->nlmsg_len - 2);
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), -EBADMSG);
	free(d);
	/* A group array that is not a whole number of entries. */
	nlh = nh_start(&m, AF_UNSPEC, 20);
	mnl_attr_put(nlh, NHA_GROUP, sizeof(g) - 2, &g);
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), -EBADMSG);
	free(d);
	/* An empty group. */
	nlh = nh_start(&m, AF_UNSPEC, 20);
	mnl_attr_put(nlh, NHA_GROUP, 0, NULL);
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), -EBADMSG);
	free(d);
	/* An IPv6 object with a 4-byte gateway. */
	nlh = nh_start(&m, AF_INET6, 12);
	inet_pton(AF_INET, "198.51.100.1", &a4);
	mnl_attr_put(nlh, NHA_GATEWAY, 4, &a4);
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), -EBADMSG);
	free(d);
	/* A gateway of neither length. */
	nlh = nh_start(&m, AF_INET, 12);
	mnl_attr_put(nlh, NHA_GATEWAY, 6, "abcdef");
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), -EBADMSG);
	free(d);
	/* NHA_OIF of the wrong size. */
	nlh = nh_start(&m, AF_INET, 12);
	mnl_attr_put_u16(nlh, NHA_OIF, 3);
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), -EBADMSG);
	free(d);
}

/* Attributes newer than our headers (NHA_OP_FLAGS, NHA_GROUP_STATS, ...) are skipped. */
static void
test_nh_unknown_attr(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4(&m, 10, "198.51.100.1", 3), *d;
	struct pp_nhobj o;

	mnl_attr_put_u32(nlh, NHA_MAX + 3, 0xdeadbeef);
	mnl_attr_put(nlh, NHA_MAX + 7, 5, "hello");
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_nhobj_decode(d, &o), 0);
	CHECK_EQ_INT(o.id, 10);
	CHECK_STR(astr(&o.gw), "198.51.100.1");
	free(d);
}

static void
table_add(struct pp_nhobj_table *t, const struct nlmsghdr *nlh)
{
	struct nlmsghdr *d = tmsg_dup(nlh);

	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->v = realloc(t->v, t->cap * sizeof(*t->v));
	}
	CHECK_EQ_INT(pp_nhobj_decode(d, &t->v[t->n]), 0);
	t->n++;
	free(d);
}

static int
by_id(const void *a, const void *b)
{
	uint32_t x = ((const struct pp_nhobj *)a)->id, y = ((const struct pp_nhobj *)b)->id;

	return x < y ? -1 : x > y;
}

static void
test_nh_expand(void)
{
	struct pp_nhobj_table t = { 0 };
	struct nexthop_grp g[3] = { { .id = 10, .weight = 0 }, { .id = 5 }, { .id = 11, .weight = 1 } };
	struct nexthop_grp bad[1] = { { .id = 99 } };
	struct nexthop_grp nested[1] = { { .id = 20 } };
	struct pp_nexthop out[4];
	struct tmsg m;
	struct nlmsghdr *nlh;

	table_add(&t, build_v4(&m, 10, "198.51.100.1", 3));
	table_add(&t, build_v4(&m, 11, "198.51.100.3", 3));
	nlh = nh_start(&m, AF_UNSPEC, 5);
	mnl_attr_put(nlh, NHA_BLACKHOLE, 0, NULL);
	table_add(&t, nlh);
	table_add(&t, build_group(&m, 20, g, 3));
	table_add(&t, build_group(&m, 21, bad, 1));
	table_add(&t, build_group(&m, 22, nested, 1));

	CHECK_EQ_INT(pp_nhobj_expand(&t, 10, out, 4), 1);
	CHECK_STR(astr(&out[0].gw), "198.51.100.1");
	CHECK_EQ_INT(out[0].ifindex, 3);
	/* The group's blackhole member carries no path; the others keep their weights. */
	CHECK_EQ_INT(pp_nhobj_expand(&t, 20, out, 4), 2);
	CHECK_STR(astr(&out[0].gw), "198.51.100.1");
	CHECK_EQ_INT(out[0].weight, 1);
	CHECK_STR(astr(&out[1].gw), "198.51.100.3");
	CHECK_EQ_INT(out[1].weight, 2);
	/* Room for one path only: the first. */
	CHECK_EQ_INT(pp_nhobj_expand(&t, 20, out, 1), 1);
	CHECK_EQ_INT(pp_nhobj_expand(&t, 5, out, 4), 0);
	CHECK_EQ_INT(pp_nhobj_expand(&t, 77, out, 4), -1);
	CHECK_EQ_INT(pp_nhobj_expand(&t, 21, out, 4), -1);	/* a member that is not there */
	CHECK_EQ_INT(pp_nhobj_expand(&t, 22, out, 4), -1);	/* a group inside a group */
	CHECK(pp_nhobj_find(&t, 11) != NULL);
	CHECK(pp_nhobj_find(&t, 12) == NULL);
	/* Sorted by id, as pp_nhobj_dump leaves it: found by binary search. */
	qsort(t.v, t.n, sizeof(*t.v), by_id);
	t.sorted = true;
	CHECK(pp_nhobj_find(&t, 5) != NULL && pp_nhobj_find(&t, 5)->blackhole);
	CHECK(pp_nhobj_find(&t, 22) != NULL && pp_nhobj_find(&t, 22)->id == 22);
	CHECK(pp_nhobj_find(&t, 12) == NULL);
	CHECK(pp_nhobj_find(&t, 0) == NULL);
	CHECK(pp_nhobj_find(&t, 99) == NULL);
	CHECK_EQ_INT(pp_nhobj_expand(&t, 20, out, 4), 2);
	CHECK_STR(astr(&out[1].gw), "198.51.100.3");
	pp_nhobj_table_free(&t);
	CHECK_EQ_INT(t.n, 0);
}

/* A route through a nexthop object with nexthop_compat_mode=0: RTA_NH_ID and nothing else. */
static void
test_route_nhid(void)
{
	struct tmsg m;
	struct rtmsg *rtm;
	struct nlmsghdr *nlh = tmsg_start(&m, RTM_NEWROUTE, sizeof(*rtm), (void **)&rtm), *d;
	struct in_addr a;
	struct pp_route r;
	char buf[256];

	rtm->rtm_family = AF_INET;
	rtm->rtm_dst_len = 26;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_TABLE, RT_TABLE_MAIN);
	inet_pton(AF_INET, "203.0.113.64", &a);
	mnl_attr_put(nlh, RTA_DST, 4, &a);
	mnl_attr_put_u32(nlh, RTA_NH_ID, 10);
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_route_decode(d, &r), 0);
	CHECK_EQ_INT(r.nhid, 10);
	CHECK_EQ_INT(r.gateway.family, 0);
	CHECK_STR(pp_route_format(&r, buf, sizeof(buf)), "203.0.113.64/26 nhid 10 table main");
	free(d);
	/* RTA_NH_ID of the wrong size is malformed. */
	nlh = tmsg_start(&m, RTM_NEWROUTE, sizeof(*rtm), (void **)&rtm);
	rtm->rtm_family = AF_INET;
	mnl_attr_put_u16(nlh, RTA_NH_ID, 10);
	d = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_route_decode(d, &r), -EBADMSG);
	free(d);
}

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	struct pp_nhobj o;

	return pp_nhobj_decode(nlh, &o);
}

static void
test_nh_fuzz(void)
{
	struct tmsg m;
	struct nexthop_grp g[2] = { { .id = 10 }, { .id = 11, .weight = 4 } };
	unsigned ok = tfuzz(build_v4(&m, 10, "198.51.100.1", 3), fuzz_one, 3000, 0x5eedu, 600);

	printf("# nexthop fuzz: %u of 3000 damaged messages accepted\n", ok);
	CHECK(ok > 0);
	ok = tfuzz(build_group(&m, 20, g, 2), fuzz_one, 3000, 0x5eed2u, 600);
	printf("# nexthop group fuzz: %u of 3000 damaged messages accepted\n", ok);
	CHECK(ok > 0);
}

int
main(void)
{
	RUN(test_nh_v4);
	RUN(test_nh_v6_and_blackhole);
	RUN(test_nh_group);
	RUN(test_nh_malformed);
	RUN(test_nh_unknown_attr);
	RUN(test_nh_expand);
	RUN(test_route_nhid);
	RUN(test_nh_fuzz);
	return tap_done();
}
