/*
 * st_qdisc.c: the qdisc station. Reads the qdiscs of the device the packet leaves by
 * (RTM_GETQDISC dump) and their drop counters.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "pathcheck.h"

static void
eval_qdisc(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s;
	struct pp_val *arr;
	const struct pp_qdisc *root = NULL;
	uint64_t drops = 0;
	char h[16], p[16], err[512];

	if (f->route_rc < 0 || !f->oif_link.ifindex) {
		pc_st(res, PC_QDISC, PP_ST_SKIPPED, PC_C_NONE, "no egress device");
		return;
	}
	if (f->route.type == RTN_LOCAL || (f->oif_link.flags & IFF_LOOPBACK)) {
		pc_st(res, PC_QDISC, PP_ST_SKIPPED, PC_C_NONE, "local delivery through loopback");
		return;
	}
	if (f->qdisc_rc < 0) {
		s = pc_st(res, PC_QDISC, PP_ST_UNKNOWN, pc_cause_of_errno(f->qdisc_rc), "qdisc dump failed: %s",
			    pp_err_str(&f->qdisc_err, err, sizeof(err)));
		return;
	}
	s = pc_st(res, PC_QDISC, PP_ST_OK, PC_C_NONE, "%s", "");
	arr = pp_val_add_arr(s->evidence, "qdiscs");
	for (size_t i = 0; i < f->nqdiscs; i++) {
		const struct pp_qdisc *qd = &f->qdiscs[i];
		struct pp_val *o = pp_val_add_obj(arr, NULL);

		if (qd->parent == 0xffffffffu && !root)
			root = qd;
		drops += qd->drops;
		pp_val_add_str(o, "kind", qd->kind);
		pp_val_add_str(o, "handle", pp_tc_handle_str(qd->handle, h, sizeof(h)));
		pp_val_add_str(o, "parent", pp_tc_handle_str(qd->parent, p, sizeof(p)));
		pp_val_add_u64(o, "bytes", qd->bytes);
		pp_val_add_u64(o, "packets", qd->packets);
		pp_val_add_u64(o, "drops", qd->drops);
		pp_val_add_u64(o, "overlimits", qd->overlimits);
		pp_val_add_u64(o, "requeues", qd->requeues);
		pp_val_add_u64(o, "backlog_bytes", qd->backlog);
		pp_val_add_u64(o, "backlog_packets", qd->qlen);
	}
	if (!root)
		snprintf(s->summary, sizeof(s->summary), "no qdisc on %s", f->oif_link.name);
	else if (strcmp(root->kind, "noqueue") == 0)
		snprintf(s->summary, sizeof(s->summary), "noqueue on %s: no queue, nothing to drop", f->oif_link.name);
	else if (drops)
		snprintf(s->summary, sizeof(s->summary),
			 "%s %s on %s; %llu drops since it was created (counters, not rising in this run)",
			 root->kind, pp_tc_handle_str(root->handle, h, sizeof(h)), f->oif_link.name,
			 (unsigned long long)drops);
	else
		snprintf(s->summary, sizeof(s->summary), "%s %s on %s, no drops", root->kind,
			 pp_tc_handle_str(root->handle, h, sizeof(h)), f->oif_link.name);
	if (drops)
		pc_hint(s, "tc -s qdisc show dev %s", f->oif_link.name);
	(void)q;
}

static int
qdisc_cb(const struct pp_qdisc *qd, void *data)
{
	struct pc_facts *f = data;
	struct pp_qdisc *nv = realloc(f->qdiscs, (f->nqdiscs + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	f->qdiscs = nv;
	f->qdiscs[f->nqdiscs] = *qd;
	/* The kind's payloads point into the message, gone when this returns; pathcheck needs none. */
	f->qdiscs[f->nqdiscs].xstats = f->qdiscs[f->nqdiscs].options = NULL;
	f->qdiscs[f->nqdiscs].xstats_len = f->qdiscs[f->nqdiscs].options_len = 0;
	f->nqdiscs++;
	return 0;
}

static int
drops_cb(const struct pp_qdisc *qd, void *data)
{
	*(uint64_t *)data += qd->drops;
	return 0;
}

int
pc_qdisc_drops(struct pp_nl *nl, int ifindex, uint64_t *sum)
{
	struct pp_err e = { 0 };

	*sum = 0;
	return pp_qdisc_dump(nl, ifindex, false, drops_cb, NULL, sum, &e);
}

void
pc_qdisc_walk(struct pc_walk *w, enum pc_station_id id)
{
	struct pc_facts *f = w->f;
	const struct pp_route *r = &f->route;
	int oif = r->oif ? r->oif : (r->nhops ? r->nh[0].ifindex : 0);

	(void)id;
	if (f->route_rc < 0 || !oif)
		return;
	f->qdisc_rc = pp_qdisc_dump(w->nl, oif, false, qdisc_cb, NULL, f, &f->qdisc_err);
}

void
pc_qdisc_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	(void)id;
	eval_qdisc(q, f, res);
}
