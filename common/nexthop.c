/* nexthop.c: nexthop objects (see nexthop.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "nexthop.h"

/*
 * struct nexthop_grp as it travels. Its second byte was resvd1 until 6.12 made it
 * weight_high, and the headers a system builds against may have either name: read
 * the bytes, never the field.
 */
struct nh_grp_wire {
	uint32_t id;
	uint8_t weight;		/* weight - 1, low byte */
	uint8_t weight_high;	/* 0 before 6.12 */
	uint16_t resvd;
};
_Static_assert(sizeof(struct nh_grp_wire) == sizeof(struct nexthop_grp), "nexthop_grp layout");

static const struct pp_attr_policy nh_pol[NHA_MAX + 1] = {
	[NHA_ID] = { PP_A_U32 },
	[NHA_GROUP] = { PP_A_UNSPEC },		/* an array of struct nexthop_grp: checked below */
	[NHA_GROUP_TYPE] = { PP_A_U16 },
	[NHA_OIF] = { PP_A_U32 },
	[NHA_GATEWAY] = { PP_A_ADDR },
	[NHA_ENCAP_TYPE] = { PP_A_U16 },
};

int
pp_nhobj_decode(const struct nlmsghdr *nlh, struct pp_nhobj *o)
{
	const struct nlattr *tb[NHA_MAX + 1];
	const struct nhmsg *nhm = pp_msg_hdr(nlh, sizeof(*nhm));

	memset(o, 0, sizeof(*o));
	if (!nhm || pp_attr_parse_msg(nlh, sizeof(*nhm), nh_pol, NHA_MAX, tb) < 0)
		return -EBADMSG;
	if (!tb[NHA_ID])
		return -EBADMSG;
	o->id = mnl_attr_get_u32(tb[NHA_ID]);
	o->family = nhm->nh_family;
	o->flags = nhm->nh_flags;
	o->protocol = nhm->nh_protocol;
	o->blackhole = tb[NHA_BLACKHOLE] != NULL;
	o->fdb = tb[NHA_FDB] != NULL;
	if (tb[NHA_OIF])
		o->ifindex = (int)mnl_attr_get_u32(tb[NHA_OIF]);
	if (tb[NHA_GATEWAY]) {
		/* The gateway's family is the object's own (an IPv4 object may not have an IPv6 gateway). */
		int gf = mnl_attr_get_payload_len(tb[NHA_GATEWAY]) == 4 ? AF_INET : AF_INET6;

		if ((o->family == AF_INET || o->family == AF_INET6) && gf != o->family)
			return -EBADMSG;
		if (!pp_attr_addr(tb[NHA_GATEWAY], gf, &o->gw))
			return -EBADMSG;
	}
	if (tb[NHA_GROUP]) {
		const char *g = mnl_attr_get_payload(tb[NHA_GROUP]);
		size_t len = mnl_attr_get_payload_len(tb[NHA_GROUP]);

		if (len == 0 || len % sizeof(struct nh_grp_wire))
			return -EBADMSG;
		o->is_group = true;
		o->ngrp_total = (unsigned)(len / sizeof(struct nh_grp_wire));
		for (unsigned i = 0; i < o->ngrp_total && o->ngrp < PP_NHOBJ_MAX_GRP; i++) {
			struct nh_grp_wire m;

			memcpy(&m, g + i * sizeof(m), sizeof(m));
			o->grp[o->ngrp].id = m.id;
			o->grp[o->ngrp].weight = ((uint32_t)m.weight_high << 8 | m.weight) + 1;
			o->ngrp++;
		}
		o->group_type = tb[NHA_GROUP_TYPE] ? mnl_attr_get_u16(tb[NHA_GROUP_TYPE])
						   : NEXTHOP_GRP_TYPE_MPATH;
	}
	return 0;
}

struct dump_ctx {
	struct pp_nhobj_table *t;
	struct pp_nl *nl;
};

static int
nh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct pp_nhobj_table *t = c->t;
	struct pp_nhobj o;

	if (nlh->nlmsg_type != RTM_NEWNEXTHOP)
		return 0;
	if (pp_nhobj_decode(nlh, &o) < 0) {
		c->nl->bad_msgs++;
		return 0;
	}
	if (t->n == t->cap) {
		size_t cap = t->cap ? t->cap * 2 : 16;
		struct pp_nhobj *nv = realloc(t->v, cap * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		t->v = nv;
		t->cap = cap;
	}
	t->v[t->n++] = o;
	return 0;
}

static void
nh_reset(void *data)
{
	((struct dump_ctx *)data)->t->n = 0;
}

static int
cmp_id(const void *a, const void *b)
{
	uint32_t x = ((const struct pp_nhobj *)a)->id, y = ((const struct pp_nhobj *)b)->id;

	return x < y ? -1 : x > y;
}

int
pp_nhobj_dump(struct pp_nl *nl, struct pp_nhobj_table *t, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_ctx c = { t, nl };
	struct nhmsg *nhm;
	int rc;

	t->n = 0;
	t->sorted = false;
	nlh->nlmsg_type = RTM_GETNEXTHOP;
	nhm = mnl_nlmsg_put_extra_header(nlh, sizeof(*nhm));
	nhm->nh_family = AF_UNSPEC;
	pp_err_set(e, 0, "RTM_GETNEXTHOP dump");
	if ((rc = pp_nl_dump(nl, nlh, nh_cb, &c, nh_reset, e)) < 0)
		return rc;
	/* Looked up once per route (a full table has hundreds of thousands): by id, in log time. */
	if (t->n > 1)
		qsort(t->v, t->n, sizeof(*t->v), cmp_id);
	t->sorted = true;
	return 0;
}

void
pp_nhobj_table_free(struct pp_nhobj_table *t)
{
	free(t->v);
	memset(t, 0, sizeof(*t));
}

const struct pp_nhobj *
pp_nhobj_find(const struct pp_nhobj_table *t, uint32_t id)
{
	struct pp_nhobj key = { .id = id };

	if (t->sorted)
		return t->n ? bsearch(&key, t->v, t->n, sizeof(*t->v), cmp_id) : NULL;
	for (size_t i = 0; i < t->n; i++)
		if (t->v[i].id == id)
			return &t->v[i];
	return NULL;
}

static void
put_path(const struct pp_nhobj *o, uint32_t weight, struct pp_nexthop *out)
{
	memset(out, 0, sizeof(*out));
	out->ifindex = o->ifindex;
	out->gw = o->gw;
	out->flags = (uint8_t)o->flags;
	out->weight = (uint8_t)(weight > 255 ? 255 : weight);
}

int
pp_nhobj_expand(const struct pp_nhobj_table *t, uint32_t id, struct pp_nexthop *out, int max)
{
	const struct pp_nhobj *o = pp_nhobj_find(t, id);
	int n = 0;

	if (!o)
		return -1;
	if (o->blackhole || o->fdb)
		return 0;
	if (!o->is_group) {
		if (max > 0)
			put_path(o, 1, &out[n++]);
		return n;
	}
	/* The kernel refuses groups of groups: members are single nexthops. */
	for (unsigned i = 0; i < o->ngrp; i++) {
		const struct pp_nhobj *m = pp_nhobj_find(t, o->grp[i].id);

		if (!m || m->is_group)
			return -1;
		if (m->blackhole || m->fdb)
			continue;
		if (n < max)
			put_path(m, o->grp[i].weight, &out[n++]);
	}
	return n;
}
