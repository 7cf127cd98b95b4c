/* qdisc.c: RTM_GETQDISC / RTM_GETTCLASS dumps. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/gen_stats.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "qdisc.h"

static const struct pp_attr_policy tc_pol[TCA_MAX + 1] = {
	[TCA_KIND] = { PP_A_STR }, [TCA_STATS2] = { PP_A_NEST },
	[TCA_STATS] = { PP_A_MIN, sizeof(struct tc_stats) },
	[TCA_XSTATS] = { PP_A_UNSPEC }, [TCA_OPTIONS] = { PP_A_UNSPEC },
};

static const struct pp_attr_policy stats_pol[TCA_STATS_MAX + 1] = {
	[TCA_STATS_BASIC] = { PP_A_MIN, sizeof(struct gnet_stats_basic) },
	[TCA_STATS_QUEUE] = { PP_A_MIN, sizeof(struct gnet_stats_queue) },
	[TCA_STATS_RATE_EST] = { PP_A_MIN, sizeof(struct gnet_stats_rate_est) },
	[TCA_STATS_RATE_EST64] = { PP_A_MIN, sizeof(struct gnet_stats_rate_est64) },
	[TCA_STATS_PKT64] = { PP_A_U64 },
	[TCA_STATS_APP] = { PP_A_UNSPEC },
};

static void
payload(const void **p, uint16_t *len, const struct nlattr *a)
{
	*p = mnl_attr_get_payload(a);
	*len = (uint16_t)mnl_attr_get_payload_len(a);
}

int
pp_qdisc_decode(const struct nlmsghdr *nlh, struct pp_qdisc *q)
{
	const struct nlattr *tb[TCA_MAX + 1];
	const struct tcmsg *tcm = pp_msg_hdr(nlh, sizeof(*tcm));

	memset(q, 0, sizeof(*q));
	if (!tcm || pp_attr_parse_msg(nlh, sizeof(*tcm), tc_pol, TCA_MAX, tb) < 0)
		return -EBADMSG;
	if (!tb[TCA_KIND])
		return -EBADMSG;
	q->ifindex = tcm->tcm_ifindex;
	q->handle = tcm->tcm_handle;
	q->parent = tcm->tcm_parent;
	q->is_class = nlh->nlmsg_type == RTM_NEWTCLASS;
	snprintf(q->kind, sizeof(q->kind), "%s", mnl_attr_get_str(tb[TCA_KIND]));
	if (tb[TCA_STATS2]) {
		const struct nlattr *st[TCA_STATS_MAX + 1];

		if (pp_attr_parse_nest(tb[TCA_STATS2], stats_pol, TCA_STATS_MAX, st) < 0)
			return -EBADMSG;
		q->has_stats2 = true;
		if (st[TCA_STATS_APP])
			payload(&q->xstats, &q->xstats_len, st[TCA_STATS_APP]);
		if (st[TCA_STATS_BASIC]) {
			struct gnet_stats_basic b;

			pp_attr_copy(&b, sizeof(b), st[TCA_STATS_BASIC]);
			q->bytes = b.bytes;
			q->packets = b.packets;
		}
		/* The basic packet count is 32 bits and wraps; the 64-bit one wins where sent. */
		if (st[TCA_STATS_PKT64])
			q->packets = mnl_attr_get_u64(st[TCA_STATS_PKT64]);
		if (st[TCA_STATS_QUEUE]) {
			struct gnet_stats_queue qs;

			pp_attr_copy(&qs, sizeof(qs), st[TCA_STATS_QUEUE]);
			q->qlen = qs.qlen;
			q->backlog = qs.backlog;
			q->drops = qs.drops;
			q->requeues = qs.requeues;
			q->overlimits = qs.overlimits;
		}
		if (st[TCA_STATS_RATE_EST64]) {
			struct gnet_stats_rate_est64 r;

			pp_attr_copy(&r, sizeof(r), st[TCA_STATS_RATE_EST64]);
			q->has_rate = true;
			q->bps = r.bps;
			q->pps = r.pps;
		} else if (st[TCA_STATS_RATE_EST]) {
			struct gnet_stats_rate_est r;

			pp_attr_copy(&r, sizeof(r), st[TCA_STATS_RATE_EST]);
			q->has_rate = true;
			q->bps = r.bps;
			q->pps = r.pps;
		}
	} else if (tb[TCA_STATS]) {
		struct tc_stats s;

		pp_attr_copy(&s, sizeof(s), tb[TCA_STATS]);
		q->bytes = s.bytes;
		q->packets = s.packets;
		q->drops = s.drops;
		q->overlimits = s.overlimits;
		q->qlen = s.qlen;
		q->backlog = s.backlog;
	}
	if (!q->xstats && tb[TCA_XSTATS])
		payload(&q->xstats, &q->xstats_len, tb[TCA_XSTATS]);
	if (tb[TCA_OPTIONS])
		payload(&q->options, &q->options_len, tb[TCA_OPTIONS]);
	return 0;
}

struct dump_ctx {
	pp_qdisc_cb cb;
	void *data;
	int ifindex;
	struct pp_nl *nl;
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct pp_qdisc q;

	if (nlh->nlmsg_type != RTM_NEWQDISC && nlh->nlmsg_type != RTM_NEWTCLASS)
		return 0;
	if (pp_qdisc_decode(nlh, &q) < 0) {
		c->nl->bad_msgs++;
		return 0;
	}
	if (c->ifindex && q.ifindex != c->ifindex)
		return 0;
	return c->cb(&q, c->data);
}

int
pp_qdisc_dump(struct pp_nl *nl, int ifindex, bool classes, pp_qdisc_cb cb, pp_nl_reset reset,
	      void *data, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_ctx c = { cb, data, ifindex, nl };
	struct tcmsg *tcm;

	nlh->nlmsg_type = classes ? RTM_GETTCLASS : RTM_GETQDISC;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	pp_err_set(e, 0, classes ? "RTM_GETTCLASS dump" : "RTM_GETQDISC dump");
	return pp_nl_dump(nl, nlh, dump_cb, &c, reset, e);
}

const char *
pp_tc_handle_str(uint32_t h, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char t[sizeof("ffff:ffff")], *p = t;
	const char *name = NULL;

	if (h == TC_H_ROOT)
		name = "root";
	else if (h == TC_H_INGRESS)
		name = "ingress";
	else if (h == TC_H_UNSPEC)
		name = "none";
	if (!name) {
		/* "%x:%x", or "%x:" for a qdisc (minor 0); by hand, as it runs for every object. */
		for (int half = 0; half < 2; half++) {
			unsigned v = half ? TC_H_MIN(h) : TC_H_MAJ(h) >> 16;
			int shift = 12;

			if (half && v == 0)
				break;
			while (shift > 0 && !(v >> shift))
				shift -= 4;
			for (; shift >= 0; shift -= 4)
				*p++ = hex[(v >> shift) & 0xf];
			if (!half)
				*p++ = ':';
		}
		*p = '\0';
		name = t;
	}
	if (len) {
		size_t n = strlen(name);

		if (n >= len)
			n = len - 1;
		memcpy(buf, name, n);
		buf[n] = '\0';
	}
	return buf;
}
