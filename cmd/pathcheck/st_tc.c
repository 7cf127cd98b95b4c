/*
 * st_tc.c: the tc-ingress and tc-egress stations, the programs the kernel runs on a packet
 * that pathcheck cannot run itself. tc-ingress reads the clsact ingress filters
 * (RTM_GETTFILTER, parent ffff:fff2) and the XDP program (IFLA_XDP of the link the
 * ingress-device station read) of the device the packet arrives on; tc-egress reads the
 * clsact egress filters (parent ffff:fff3) of the device the route leaves by. The clsact
 * egress hook (sch_handle_egress) runs in __dev_queue_xmit before the qdisc's enqueue,
 * the ingress hook and XDP before the IP stack sees the packet. A program attached is a
 * warning: what it does to the packet is not known. Changes nothing in the packet.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_link.h>

#include "pathcheck.h"
#include "tcfilter.h"

static int
filter_cb(const struct pp_tcfilter *tf, void *data)
{
	struct pc_tc *t = data;

	if (!pp_tcfilter_is_filter(tf))
		return 0;
	if (t->nfilters < PP_ARRAY_SIZE(t->filters)) {
		char s[96];

		snprintf(t->filters[t->nfilters], sizeof(t->filters[0]), "%s pref %u", pp_tcfilter_str(tf, s, sizeof(s)),
			 tf->prio);
	}
	t->nfilters++;
	return 0;
}

void
pc_tc_walk(struct pc_walk *w, enum pc_station_id id)
{
	struct pc_facts *f = w->f;
	bool in = id == PC_TC_INGRESS;
	struct pc_tc *t = &f->tc[in ? 0 : 1];
	const struct pp_link *l = in ? &f->iif_link : &f->oif_link;

	if (in ? f->iif_rc < 0 : (f->route_rc < 0 || f->oif_rc < 0 || !f->oif_link.ifindex))
		return;
	t->read = true;
	snprintf(t->dev, sizeof(t->dev), "%s", l->name);
	t->rc = pp_tcfilter_dump(w->nl, l->ifindex, in ? PP_TC_PARENT_INGRESS : PP_TC_PARENT_EGRESS, filter_cb, t,
				 &t->err);
}

static const char *
xdp_mode(uint8_t attached)
{
	switch (attached) {
	case XDP_ATTACHED_DRV: return "xdp";
	case XDP_ATTACHED_SKB: return "xdpgeneric";
	case XDP_ATTACHED_HW: return "xdpoffload";
	default: return "xdpmulti";
	}
}

void
pc_tc_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	bool in = id == PC_TC_INGRESS;
	const struct pc_tc *t = &f->tc[in ? 0 : 1];
	const char *hook = in ? "ingress" : "egress";
	char progs[400] = "", err[256];
	struct pc_station *s;
	struct pp_val *arr;
	size_t n = 0;
	bool xdp = in && f->iif_link.has_xdp && f->iif_link.xdp_attached != XDP_ATTACHED_NONE;

	(void)q;
	if (!t->read) {
		if (in)
			pc_st(res, id, PP_ST_UNKNOWN, PC_C_NOT_READ, "the receiving device could not be read: its tc ingress filters and XDP program are not known");
		else if (f->route_rc < 0)
			pc_st(res, id, PP_ST_SKIPPED, PC_C_NONE, "no route");
		else
			pc_st(res, id, PP_ST_UNKNOWN, PC_C_NOT_READ, "the sending device could not be read: its tc egress filters are not known");
		return;
	}
	if (t->rc < 0) {
		s = pc_st(res, id, PP_ST_UNKNOWN, pc_cause_of_errno(t->rc), "tc %s filters on %s could not be read (%s)", hook, t->dev,
			  pp_err_str(&t->err, err, sizeof(err)));
		pc_hint(s, "tc filter show dev %s %s", t->dev, hook);
		return;
	}
	if (in && !f->iif_link.has_xdp) {
		s = pc_st(res, id, PP_ST_UNKNOWN, PC_C_KERNEL_UNSUPPORTED, "the kernel did not say whether an XDP program is attached to %s", t->dev);
		pc_hint(s, "ip link show dev %s", t->dev);
		return;
	}
	s = pc_st(res, id, PP_ST_OK, PC_C_NONE, "%s", "");
	pp_val_add_str(s->evidence, "device", t->dev);
	pp_val_add_str(s->evidence, "dev", t->dev);	/* the old key, an alias for one release */
	arr = pp_val_add_arr(s->evidence, "filters");
	for (size_t i = 0; i < t->nfilters && i < PP_ARRAY_SIZE(t->filters); i++) {
		pp_val_add_str(arr, NULL, t->filters[i]);
		n += (size_t)snprintf(progs + n, n < sizeof(progs) ? sizeof(progs) - n : 0, "%s%s", n ? ", " : "",
				      t->filters[i]);
		if (n >= sizeof(progs))
			n = sizeof(progs) - 1;
	}
	if (t->nfilters > PP_ARRAY_SIZE(t->filters))
		n += (size_t)snprintf(progs + n, sizeof(progs) - n, " and %u more",
				      t->nfilters - (unsigned)PP_ARRAY_SIZE(t->filters));
	if (in) {
		if (xdp) {
			pp_val_add_strf(s->evidence, "xdp", "%s id %u", xdp_mode(f->iif_link.xdp_attached), f->iif_link.xdp_prog_id);
			if (n >= sizeof(progs))
				n = sizeof(progs) - 1;
			snprintf(progs + n, sizeof(progs) - n, "%s%s id %u", n ? "; " : "", xdp_mode(f->iif_link.xdp_attached),
				 f->iif_link.xdp_prog_id);
		} else {
			pp_val_add_str(s->evidence, "xdp", "none");
		}
	}
	if (!t->nfilters && !xdp) {
		snprintf(s->summary, sizeof(s->summary), "no tc %s filter%s on %s", hook, in ? " and no XDP program" : "",
			 t->dev);
		return;
	}
	/* An XDP program alone is XDP_PRESENT; any tc filter, with or without one, TC_FILTER_PRESENT. */
	pc_set(s, PP_ST_WARN, t->nfilters ? PC_C_TC_FILTER_PRESENT : PC_C_XDP_PRESENT);
	snprintf(s->summary, sizeof(s->summary), "%s runs a program pathcheck cannot run (%s): it may drop or change the packet",
		 t->dev, progs);
	if (in && xdp)
		pc_hint(s, "tc filter show dev %s ingress; ip link show dev %s", t->dev, t->dev);
	else
		pc_hint(s, "tc filter show dev %s %s", t->dev, hook);
}
