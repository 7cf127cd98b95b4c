/*
 * st_device.c: the ingress-device and egress-device stations. Ingress: the device the
 * packet arrives on (RTM_GETLINK), the bridge it is a port of (the IP stack then sees the
 * packet arrive on the bridge: the packet's input device changes), and whether a tc
 * ingress or clsact qdisc is attached. Egress: the device the route chose, read by the
 * route station (the output chains need its name before this station is reached).
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
eval_egress_device(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	const struct pp_link *l = &f->oif_link;
	struct pc_station *s;
	char err[512];

	if (f->route_rc < 0) {
		pc_st(res, PC_EGRESS_DEVICE, PP_ST_SKIPPED, PC_C_NONE, "no route");
		return;
	}
	if (f->oif_rc < 0) {
		s = pc_st(res, PC_EGRESS_DEVICE, PP_ST_UNKNOWN, pc_cause_of_errno(f->oif_rc), "device lookup failed: %s",
			    pp_err_str(&f->oif_err, err, sizeof(err)));
		return;
	}
	if (!(l->flags & IFF_UP)) {
		s = pc_st(res, PC_EGRESS_DEVICE, PP_ST_FAIL, PC_C_LINK_DOWN, "%s is administratively down", l->name);
		pc_hint(s, "ip link set %s up", l->name);
	} else if (!(l->flags & IFF_LOWER_UP) || (l->has_carrier && !l->carrier)) {
		s = pc_st(res, PC_EGRESS_DEVICE, PP_ST_FAIL, PC_C_NO_CARRIER,
			    "%s has no carrier (operstate %s): the link or its peer is down", l->name,
			    pp_operstate_name(l->operstate));
		pc_hint(s, "ip link show %s", l->name);
	} else {
		s = pc_st(res, PC_EGRESS_DEVICE, PP_ST_OK, PC_C_NONE, "%s up, carrier, mtu %u", l->name, l->mtu);
		if (l->stats.tx_errors || l->stats.tx_dropped) {
			size_t n = strlen(s->summary);

			snprintf(s->summary + n, sizeof(s->summary) - n, ", %llu tx errors and %llu tx drops since boot",
				 (unsigned long long)l->stats.tx_errors, (unsigned long long)l->stats.tx_dropped);
		}
	}
	pp_val_add_str(s->evidence, "device", l->name);
	pp_val_add_str(s->evidence, "dev", l->name);	/* the old key, an alias for one release */
	if (l->kind[0])
		pp_val_add_str(s->evidence, "kind", l->kind);
	pp_val_add_str(s->evidence, "operstate", pp_operstate_name(l->operstate));
	pp_val_add_u64(s->evidence, "mtu", l->mtu);
	if (l->has_carrier_changes)
		pp_val_add_u64(s->evidence, "carrier_changes", l->carrier_changes);
	if (l->has_stats64) {
		pp_val_add_u64(s->evidence, "tx_packets", l->stats.tx_packets);
		pp_val_add_u64(s->evidence, "tx_errors", l->stats.tx_errors);
		pp_val_add_u64(s->evidence, "tx_dropped", l->stats.tx_dropped);
		pp_val_add_u64(s->evidence, "tx_carrier_errors", l->stats.tx_carrier_errors);
	}
	(void)q;
}

/* ---- arriving packets: ingress and forward ---- */

static void
eval_ingress_device(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	const struct pp_link *l = &f->iif_link;
	struct pc_station *s;
	char err[512];

	if (f->iif_rc < 0) {
		s = pc_st(res, PC_INGRESS_DEVICE, PP_ST_UNKNOWN, pc_cause_of_errno(f->iif_rc), "device lookup failed: %s",
			    pp_err_str(&f->iif_err, err, sizeof(err)));
		return;
	}
	if (!(l->flags & IFF_UP)) {
		s = pc_st(res, PC_INGRESS_DEVICE, PP_ST_FAIL, PC_C_LINK_DOWN, "%s is administratively down: nothing is received", l->name);
		pc_hint(s, "ip link set %s up", l->name);
	} else if (!(l->flags & IFF_LOWER_UP)) {
		s = pc_st(res, PC_INGRESS_DEVICE, PP_ST_FAIL, PC_C_NO_CARRIER, "%s has no carrier (operstate %s)", l->name,
			    pp_operstate_name(l->operstate));
		pc_hint(s, "ip link show %s", l->name);
	} else if (l->has_xdp && l->xdp_attached) {
		s = pc_st(res, PC_INGRESS_DEVICE, PP_ST_WARN, PC_C_XDP_PRESENT,
			    "%s has an XDP program attached: it sees and may drop the packet before the stack does", l->name);
		pc_hint(s, "ip link show %s; bpftool net show dev %s", l->name, l->name);
	} else {
		s = pc_st(res, PC_INGRESS_DEVICE, PP_ST_OK, PC_C_NONE, "%s up, carrier, mtu %u%s", l->name, l->mtu,
			    f->iif_tc_ingress ? "; a tc ingress hook is attached (its filters are not evaluated)" : "");
	}
	if (f->bridge_port[0]) {
		size_t n = strlen(s->summary);

		snprintf(s->summary + n, sizeof(s->summary) - n, "; a port of bridge %s: routed, the packet arrives on %s",
			 q->iif, q->iif);
		pp_val_add_str(s->evidence, "bridge", q->iif);
	}
	pp_val_add_str(s->evidence, "device", l->name);
	pp_val_add_str(s->evidence, "dev", l->name);	/* the old key, an alias for one release */
	pp_val_add_u64(s->evidence, "mtu", l->mtu);
	pp_val_add_bool(s->evidence, "tc_ingress", f->iif_tc_ingress);
	if (l->has_stats64) {
		pp_val_add_u64(s->evidence, "rx_packets", l->stats.rx_packets);
		pp_val_add_u64(s->evidence, "rx_errors", l->stats.rx_errors);
		pp_val_add_u64(s->evidence, "rx_dropped", l->stats.rx_dropped);
		pp_val_add_u64(s->evidence, "rx_missed_errors", l->stats.rx_missed_errors);
	}
}

/* An ingress or clsact qdisc: the tc ingress hook is in use. */
static int
tc_ingress_cb(const struct pp_qdisc *qd, void *data)
{
	if (strcmp(qd->kind, "ingress") == 0 || strcmp(qd->kind, "clsact") == 0)
		*(bool *)data = true;
	return 0;
}

/* Ingress: the device the packet arrives on; a bridge port hands it to the stack as the bridge's. */
void
pc_device_walk(struct pc_walk *w, enum pc_station_id id)
{
	struct pc_facts *f = w->f;
	struct pc_query *q = &f->eq;
	struct pp_err e = { 0 };

	if (id != PC_INGRESS_DEVICE)
		return;
	f->iif_rc = pp_link_get(w->nl, q->iif_index, NULL, &f->iif_link, &f->iif_err);
	if (f->iif_rc == 0 && f->iif_link.master && strcmp(f->iif_link.slave_kind, "bridge") == 0) {
		struct pp_link br;

		if (pp_link_get(w->nl, (int)f->iif_link.master, NULL, &br, &e) == 0) {
			snprintf(f->bridge_port, sizeof(f->bridge_port), "%s", q->iif);
			snprintf(q->iif, sizeof(q->iif), "%s", br.name);
			q->iif_index = br.ifindex;
		}
	}
	pp_qdisc_dump(w->nl, q->iif_index, false, tc_ingress_cb, NULL, &f->iif_tc_ingress, &e);
}

void
pc_device_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	if (id == PC_INGRESS_DEVICE)
		eval_ingress_device(q, f, res);
	else
		eval_egress_device(q, f, res);
}
