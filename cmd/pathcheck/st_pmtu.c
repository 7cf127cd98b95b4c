/*
 * st_pmtu.c: the pmtu station. Reads nothing of its own: the route's and the devices' MTU
 * and the chains' MSS clamping, found by the other stations.
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
eval_pmtu(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s;
	uint32_t in_mtu = f->iif_rc == 0 && q->direction == PC_FORWARD ? f->iif_link.mtu : 0;
	uint32_t out_mtu = f->oif_rc == 0 ? f->oif_link.mtu : 0;
	bool clamp = false;

	if (f->route_rc < 0 || !out_mtu) {
		pc_st(res, PC_PMTU, PP_ST_SKIPPED, PC_C_NONE, "no egress device");
		return;
	}
	for (size_t i = 0; i < f->nchains; i++)
		clamp |= f->chains[i].res.mss_clamp;
	if (f->route.mtu && f->route.has_expires) {
		s = pc_st(res, PC_PMTU, PP_ST_OK, PC_C_NONE, "path MTU %u learned from an ICMP error (expires in %u s); device %s mtu %u",
			    f->route.mtu, f->route.expires_sec, f->oif_link.name, out_mtu);
		pp_val_add_u64(s->evidence, "pmtu_exception", f->route.mtu);
		pp_val_add_u64(s->evidence, "expires_sec", f->route.expires_sec);
	} else if (in_mtu && out_mtu < in_mtu) {
		s = pc_st(res, PC_PMTU, clamp && q->proto == IPPROTO_TCP ? PP_ST_OK : PP_ST_WARN, PC_C_MTU_EXCEEDED,
			    "%s has mtu %u, less than %u on %s: larger packets need fragmentation or a working PMTU discovery (ICMP %s)%s",
			    f->oif_link.name, out_mtu, in_mtu, q->iif,
			    q->family == AF_INET ? "fragmentation needed" : "packet too big",
			    clamp ? "; an MSS clamp on the path covers TCP" : "");
		if (s->status == PP_ST_WARN) {
			char d[INET6_ADDRSTRLEN];

			snprintf(s->drop_reason, sizeof(s->drop_reason), "PKT_TOO_BIG");
			pc_hint(s, "pmtuprobe %s (from the sender)", pp_addr_str(&q->dst, d, sizeof(d)));
		}
	} else {
		s = pc_st(res, PC_PMTU, PP_ST_OK, PC_C_NONE, "device %s mtu %u%s%s", f->oif_link.name, out_mtu,
			    f->route.mtu ? ", route mtu " : "", "");
		if (f->route.mtu) {
			size_t n = strlen(s->summary);

			snprintf(s->summary + n, sizeof(s->summary) - n, "%u", f->route.mtu);
		}
	}
	pp_val_add_u64(s->evidence, "egress_mtu", out_mtu);
	if (in_mtu)
		pp_val_add_u64(s->evidence, "ingress_mtu", in_mtu);
	if (f->route.mtu)
		pp_val_add_u64(s->evidence, "route_mtu", f->route.mtu);
	pp_val_add_bool(s->evidence, "mss_clamp", clamp);
}

void
pc_pmtu_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	(void)id;
	eval_pmtu(q, f, res);
}
