/* ntable.c: RTM_GETNEIGHTBL, the neighbour tables' limits, counters and parameters. */
#include <errno.h>
#include <string.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "ntable.h"

/*
 * NDTA_CONFIG and NDTA_STATS are kernel structs: an older kernel may send a
 * shorter one and a newer a longer one, so only their leading fields are required
 * and they are copied with pp_attr_copy().
 */
static const struct pp_attr_policy ntable_pol[NDTA_MAX + 1] = {
	[NDTA_NAME] = { PP_A_STR },
	[NDTA_THRESH1] = { PP_A_U32 }, [NDTA_THRESH2] = { PP_A_U32 }, [NDTA_THRESH3] = { PP_A_U32 },
	[NDTA_CONFIG] = { PP_A_MIN, 8 },
	[NDTA_PARMS] = { PP_A_NEST },
	[NDTA_STATS] = { PP_A_MIN, 8 },
	[NDTA_GC_INTERVAL] = { PP_A_U64 },
};

static const struct pp_attr_policy parms_pol[NDTPA_MAX + 1] = {
	[NDTPA_IFINDEX] = { PP_A_U32 }, [NDTPA_REFCNT] = { PP_A_U32 },
	[NDTPA_REACHABLE_TIME] = { PP_A_U64 }, [NDTPA_BASE_REACHABLE_TIME] = { PP_A_U64 },
	[NDTPA_RETRANS_TIME] = { PP_A_U64 }, [NDTPA_GC_STALETIME] = { PP_A_U64 },
	[NDTPA_DELAY_PROBE_TIME] = { PP_A_U64 }, [NDTPA_QUEUE_LEN] = { PP_A_U32 },
	[NDTPA_APP_PROBES] = { PP_A_U32 }, [NDTPA_UCAST_PROBES] = { PP_A_U32 },
	[NDTPA_MCAST_PROBES] = { PP_A_U32 }, [NDTPA_LOCKTIME] = { PP_A_U64 },
	[NDTPA_QUEUE_LENBYTES] = { PP_A_U32 }, [NDTPA_MCAST_REPROBES] = { PP_A_U32 },
};

#define GET_U32(tb, a, has, dst) do { if (tb[a]) { has = true; dst = mnl_attr_get_u32(tb[a]); } } while (0)
#define GET_U64(tb, a, has, dst) do { if (tb[a]) { has = true; dst = mnl_attr_get_u64(tb[a]); } } while (0)

static int
parms_decode(const struct nlattr *nest, struct pp_ntable_parms *p)
{
	const struct nlattr *tb[NDTPA_MAX + 1];

	if (pp_attr_parse_nest(nest, parms_pol, NDTPA_MAX, tb) < 0)
		return -EBADMSG;
	if (tb[NDTPA_IFINDEX]) {
		p->has_ifindex = true;
		p->ifindex = (int)mnl_attr_get_u32(tb[NDTPA_IFINDEX]);
	}
	GET_U32(tb, NDTPA_REFCNT, p->has_refcnt, p->refcnt);
	GET_U64(tb, NDTPA_REACHABLE_TIME, p->has_reachable_ms, p->reachable_ms);
	GET_U64(tb, NDTPA_BASE_REACHABLE_TIME, p->has_base_reachable_ms, p->base_reachable_ms);
	GET_U64(tb, NDTPA_RETRANS_TIME, p->has_retrans_ms, p->retrans_ms);
	GET_U64(tb, NDTPA_GC_STALETIME, p->has_gc_stale_ms, p->gc_stale_ms);
	GET_U64(tb, NDTPA_DELAY_PROBE_TIME, p->has_delay_probe_ms, p->delay_probe_ms);
	GET_U64(tb, NDTPA_LOCKTIME, p->has_locktime_ms, p->locktime_ms);
	GET_U32(tb, NDTPA_QUEUE_LEN, p->has_queue_len, p->queue_len);
	GET_U32(tb, NDTPA_QUEUE_LENBYTES, p->has_queue_lenbytes, p->queue_lenbytes);
	GET_U32(tb, NDTPA_APP_PROBES, p->has_app_probes, p->app_probes);
	GET_U32(tb, NDTPA_UCAST_PROBES, p->has_ucast_probes, p->ucast_probes);
	GET_U32(tb, NDTPA_MCAST_PROBES, p->has_mcast_probes, p->mcast_probes);
	GET_U32(tb, NDTPA_MCAST_REPROBES, p->has_mcast_reprobes, p->mcast_reprobes);
	return 0;
}

int
pp_ntable_decode(const struct nlmsghdr *nlh, struct pp_ntable *t)
{
	const struct nlattr *tb[NDTA_MAX + 1];
	const struct ndtmsg *ndtm = pp_msg_hdr(nlh, sizeof(*ndtm));

	memset(t, 0, sizeof(*t));
	if (!ndtm || pp_attr_parse_msg(nlh, sizeof(*ndtm), ntable_pol, NDTA_MAX, tb) < 0)
		return -EBADMSG;
	t->family = ndtm->ndtm_family;
	if (tb[NDTA_NAME]) {
		size_t n = strnlen(mnl_attr_get_str(tb[NDTA_NAME]), mnl_attr_get_payload_len(tb[NDTA_NAME]));

		if (n >= sizeof(t->name))
			n = sizeof(t->name) - 1;
		memcpy(t->name, mnl_attr_get_str(tb[NDTA_NAME]), n);
		t->name[n] = '\0';
	}
	GET_U32(tb, NDTA_THRESH1, t->has_thresh1, t->thresh1);
	GET_U32(tb, NDTA_THRESH2, t->has_thresh2, t->thresh2);
	GET_U32(tb, NDTA_THRESH3, t->has_thresh3, t->thresh3);
	GET_U64(tb, NDTA_GC_INTERVAL, t->has_gc_interval, t->gc_interval_ms);
	if (tb[NDTA_CONFIG]) {
		t->has_config = true;
		pp_attr_copy(&t->config, sizeof(t->config), tb[NDTA_CONFIG]);
	}
	if (tb[NDTA_STATS]) {
		t->has_stats = true;
		pp_attr_copy(&t->stats, sizeof(t->stats), tb[NDTA_STATS]);
	}
	if (tb[NDTA_PARMS]) {
		if (parms_decode(tb[NDTA_PARMS], &t->parms) < 0)
			return -EBADMSG;
		t->has_parms = true;
	}
	return 0;
}

struct dump_ctx {
	pp_ntable_cb cb;
	void *data;
	int family;
	struct pp_nl *nl;
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct pp_ntable t;

	if (nlh->nlmsg_type != RTM_NEWNEIGHTBL)
		return 0;
	if (pp_ntable_decode(nlh, &t) < 0) {
		c->nl->bad_msgs++;
		return 0;
	}
	/* Without strict checking an old kernel may ignore the family: filter here too. */
	if (c->family != AF_UNSPEC && t.family != c->family)
		return 0;
	return c->cb(&t, c->data);
}

int
pp_ntable_dump(struct pp_nl *nl, int family, pp_ntable_cb cb, pp_nl_reset reset, void *data,
	       struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_ctx c = { cb, data, family, nl };
	struct ndtmsg *ndtm;

	nlh->nlmsg_type = RTM_GETNEIGHTBL;
	/* Strict checking wants a zeroed ndtmsg and no attributes. */
	ndtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ndtm));
	ndtm->ndtm_family = (uint8_t)family;
	pp_err_set(e, 0, "RTM_GETNEIGHTBL dump");
	return pp_nl_dump(nl, nlh, dump_cb, &c, reset, e);
}
