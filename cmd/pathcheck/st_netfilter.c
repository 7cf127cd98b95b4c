/*
 * st_netfilter.c: the netfilter hooks (prerouting, input, forward, output, postrouting), one
 * station family. Reads the base chains of each hook and evaluates their rules against the
 * packet (nfteval.c). Changes the packet: a mark set, a dnat. At output either can make the
 * kernel route again: the walk stops there, the walker runs the route station again, then
 * the walk carries on from the next chain. Forward also reads the forwarding sysctls.
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

#include "nfteval.h"
#include "pathcheck.h"

/* ---- netfilter hooks ---- */

static void
eval_hook(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res,
	  enum pc_station_id id, uint32_t hook)
{
	const char *hname = pc_station_name(id);
	struct pc_station *s;
	struct pp_val *arr;
	enum pp_status st = PP_ST_OK;
	const struct pc_chain *decider = NULL, *unknown = NULL;
	char err[512], nat[256] = "";
	size_t nchains = 0;

	if (f->nft_rc < 0) {
		if (f->nft_rc == -EPROTONOSUPPORT || f->nft_rc == -ENOENT) {
			s = pc_st(res, id, PP_ST_OK, "nftables is not available in this kernel: no rules on %s", hname);
		} else {
			s = pc_st(res, id, PP_ST_UNKNOWN, "nftables ruleset not read: %s",
				    pp_err_str(&f->nft_err, err, sizeof(err)));
			if (pp_errno_needs(f->nft_rc)) {
				pp_val_add_str(s->evidence, "needs", pp_errno_needs(f->nft_rc));
				snprintf(s->summary, sizeof(s->summary), "nftables ruleset not read: %s",
					 pp_errno_needs(f->nft_rc));
			}
		}
		return;
	}
	s = pc_st(res, id, PP_ST_OK, "%s", "");
	arr = pp_val_add_arr(s->evidence, "chains");
	for (size_t i = 0; i < f->nchains; i++) {
		const struct pc_chain *c = &f->chains[i];
		struct pp_val *o;

		if (c->c.hooknum != hook)
			continue;
		nchains++;
		o = pp_val_add_obj(arr, NULL);
		pp_val_add_strf(o, "table", "%s %s", pp_nft_family_name(c->c.family), c->c.table);
		pp_val_add_str(o, "chain", c->c.name);
		pp_val_add_str(o, "type", c->c.type);
		pp_val_add_i64(o, "priority", c->c.prio);
		pp_val_add_str(o, "policy", c->c.policy == NF_DROP ? "drop" : "accept");
		pp_val_add_u64(o, "rules_evaluated", c->res.rules_seen);
		pp_val_add_str(o, "result", c->res.verdict == PC_NFT_DROP ? (c->res.reject ? "reject" : "drop") :
					    c->res.verdict == PC_NFT_ACCEPT ? "accept" :
					    c->res.verdict == PC_NFT_UNKNOWN ? "unknown" :
					    c->c.policy == NF_DROP ? "policy drop" : "policy accept");
		if (c->res.handle)
			pp_val_add_u64(o, "rule_handle", c->res.handle);
		if (c->res.text[0])
			pp_val_add_str(o, "rule", c->res.text);
		if (c->res.verdict == PC_NFT_UNKNOWN)
			pp_val_add_str(o, "why_unknown", c->res.why);
		if (c->res.mark_set)
			pp_val_add_str(o, "mark_set", c->res.mark_stmt);
		if (c->res.reroute)
			pp_val_add_bool(o, "reroute", true);
		if (c->res.nat[0]) {
			pp_val_add_str(o, "nat", c->res.nat);
			snprintf(nat, sizeof(nat), "%s", c->res.nat);
		}
		if (decider)
			continue;
		if (c->res.verdict == PC_NFT_DROP ||
		    (c->res.verdict == PC_NFT_POLICY && c->c.policy == NF_DROP)) {
			decider = c;
			st = PP_ST_FAIL;
		} else if (c->res.verdict == PC_NFT_UNKNOWN && !unknown) {
			unknown = c;
		}
	}
	if (decider) {
		const struct pc_chain *c = decider;
		const char *fam = pp_nft_family_name(c->c.family);

		s->status = PP_ST_FAIL;
		snprintf(s->drop_reason, sizeof(s->drop_reason), "NETFILTER_DROP");
		if (c->res.verdict == PC_NFT_POLICY)
			snprintf(s->summary, sizeof(s->summary),
				 "dropped by the policy of table %s %s chain %s: no rule accepts this flow (%u rules)",
				 fam, c->c.table, c->c.name, c->res.rules_seen);
		else
			snprintf(s->summary, sizeof(s->summary), "%s by rule in table %s %s chain %s (handle %llu: %s)",
				 c->res.reject ? "rejected" : "dropped", fam, c->c.table, c->res.chain,
				 (unsigned long long)c->res.handle, c->res.text);
		pc_hint(s, "nft -a list chain %s %s %s", fam, c->c.table, c->res.chain[0] ? c->res.chain : c->c.name);
		if (c->res.path[0] && strchr(c->res.path, '>'))
			pp_val_add_str(s->evidence, "path", c->res.path);
	} else if (unknown) {
		const struct pc_chain *c = unknown;
		const char *fam = pp_nft_family_name(c->c.family);

		/* The contract: a drop policy whose rules could not all be evaluated is a warning. */
		st = c->c.policy == NF_DROP ? PP_ST_WARN : PP_ST_UNKNOWN;
		s->status = st;
		snprintf(s->summary, sizeof(s->summary), "table %s %s chain %s (policy %s): %s", fam,
			 c->c.table, c->c.name, c->c.policy == NF_DROP ? "drop" : "accept", c->res.why);
		pc_hint(s, "nft -a list chain %s %s %s", fam, c->c.table, c->res.chain[0] ? c->res.chain : c->c.name);
	} else if (nchains == 0) {
		snprintf(s->summary, sizeof(s->summary), "no nftables chains on the %s hook", hname);
	} else {
		snprintf(s->summary, sizeof(s->summary), "accepted by %zu chain%s on the %s hook%s%s", nchains,
			 nchains == 1 ? "" : "s", hname, nat[0] ? "; " : "", nat);
	}
	if (f->nlegacy > 0 && s->status != PP_ST_FAIL) {
		size_t n = strlen(s->summary);

		s->status = PP_ST_UNKNOWN;
		snprintf(s->summary + n, sizeof(s->summary) - n,
			 "; legacy iptables tables (%s) exist and were not read", f->legacy);
		pp_val_add_str(s->evidence, "legacy_iptables", f->legacy);
		pc_hint(s, "%s -L -n -v", q->family == AF_INET6 ? "ip6tables-legacy" : "iptables-legacy");
	}
}

static void
eval_forward(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s;

	if (q->family == AF_INET && (f->ip_forward == 0 || f->iif_forwarding == 0)) {
		s = pc_st(res, PC_FORWARD_ST, PP_ST_FAIL, "IPv4 forwarding is off (%s): the packet is dropped, no ICMP is sent",
			    f->ip_forward == 0 ? "net.ipv4.ip_forward=0" : "net.ipv4.conf.IIF.forwarding=0");
		if (f->ip_forward != 0)
			snprintf(s->summary, sizeof(s->summary),
				 "IPv4 forwarding is off on %s (net.ipv4.conf.%s.forwarding=0): the packet is dropped, no ICMP is sent",
				 q->iif, q->iif);
		snprintf(s->drop_reason, sizeof(s->drop_reason), "IP_INADDRERRORS");
		pp_val_add_i64(s->evidence, "ip_forward", f->ip_forward);
		pp_val_add_i64(s->evidence, "iif_forwarding", f->iif_forwarding);
		pc_hint(s, "sysctl -w net.ipv4.ip_forward=1");
		return;
	}
	if (q->family == AF_INET6 && f->v6_forwarding == 0) {
		/* The IPv6 lookup succeeds with forwarding off: only the sysctl tells. */
		s = pc_st(res, PC_FORWARD_ST, PP_ST_FAIL,
			    "IPv6 forwarding is off (net.ipv6.conf.all.forwarding=0): the packet is dropped, no ICMPv6 is sent");
		snprintf(s->drop_reason, sizeof(s->drop_reason), "IP_INADDRERRORS");
		pp_val_add_i64(s->evidence, "all_forwarding", f->v6_forwarding);
		pc_hint(s, "sysctl -w net.ipv6.conf.all.forwarding=1");
		return;
	}
	eval_hook(q, f, res, PC_FORWARD_ST, NF_INET_FORWARD);
	s = &res->st[PC_FORWARD_ST];
	if (s->status == PP_ST_OK) {
		size_t n = strlen(s->summary);

		snprintf(s->summary + n, sizeof(s->summary) - n, "; forwarding is on");
	}
	pp_val_add_i64(s->evidence, q->family == AF_INET ? "ip_forward" : "all_forwarding",
		       q->family == AF_INET ? f->ip_forward : f->v6_forwarding);
}

/* The station of a netfilter chain that dropped the flow (from the trace or the static walk). */
enum pc_station_id
pc_netfilter_drop_station(const struct pc_query *q, const struct pc_facts *f)
{
	const struct pc_probe *pr = &f->pr;

	if (pr->trace_drop)
		for (size_t i = 0; i < f->nchains; i++)
			if (strcmp(f->chains[i].c.table, pr->trace_table) == 0 &&
			    strcmp(f->chains[i].c.name, pr->trace_chain) == 0 &&
			    pc_hook_station(f->chains[i].c.hooknum) != PC_NSTATIONS)
				return pc_hook_station(f->chains[i].c.hooknum);
	for (size_t i = 0; i < f->nchains; i++)
		if (f->chains[i].res.verdict == PC_NFT_DROP && pc_hook_station(f->chains[i].c.hooknum) != PC_NSTATIONS)
			return pc_hook_station(f->chains[i].c.hooknum);
	return q->direction == PC_EGRESS ? PC_OUTPUT : q->direction == PC_FORWARD ? PC_FORWARD_ST : PC_INPUT;
}

/*
 * Prerouting: a mark set there (any chain type) is on the packet when ip_rcv_finish()
 * routes it, and an accepted dnat changes the destination the route and later stations see.
 */
static void
after_prerouting(struct pc_facts *f)
{
	struct pc_query *q = &f->eq;

	if (f->mark_unknown) {
		f->route_mark_unknown = true;
		snprintf(f->route_after, sizeof(f->route_after), "%s", f->mark_by);
	} else if (f->mark != q->mark) {
		q->mark = f->mark;
		q->has_mark = true;
		f->route_mark_changed = true;
		snprintf(f->route_after, sizeof(f->route_after), "%s", f->mark_by);
	}
	f->route_mark = q->mark;
	for (size_t i = 0; i < f->nchains; i++) {
		const struct pc_nft_result *r = &f->chains[i].res;

		if (r->dnat && (r->verdict == PC_NFT_ACCEPT)) {
			f->dnat = true;
			snprintf(f->dnat_text, sizeof(f->dnat_text), "%s", r->nat);
			if (r->nat_addr.family == q->family)
				f->eq.dst = r->nat_addr;
			if (r->nat_port)
				f->eq.dport = r->nat_port;
			f->eq.has_dport = f->eq.has_dport || r->nat_port;
			break;
		}
	}
}

/*
 * This hook and the netfilter hooks right after it on the path are read with one dump of
 * the base chains and evaluated in hook and priority order. Called again after the route
 * ran again (f->nft_resume), it carries on where it stopped.
 */
void
pc_netfilter_walk(struct pc_walk *w, enum pc_station_id id)
{
	struct pc_facts *f = w->f;

	if (!f->nft_resume) {
		const enum pc_station_id *order;
		size_t n, k = 0;

		if (w->nft_walked & (1u << id))
			return;	/* evaluated with the hook before it */
		order = pc_path_order(w->dir, &n);
		while (k < n && order[k] != id)
			k++;
		w->nft_hooks = 0;
		for (; k < n && pc_stations[order[k]].family; k++) {
			if (!pc_station_on_path(order[k], w->dir))
				continue;
			w->nft_hooks |= 1u << pc_stations[order[k]].hook;
			w->nft_walked |= 1u << order[k];
		}
	}
	pc_nft_collect(&f->eq, f, w->nft_hooks);
	if (f->nft_resume) {
		w->again = true;
		return;
	}
	if (id == PC_PREROUTING)
		after_prerouting(f);
	if (!w->legacy_read) {
		w->legacy_read = true;
		f->nlegacy = pp_legacy_iptables(f->eq.family, f->legacy, sizeof(f->legacy));
	}
}

void
pc_netfilter_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	if (id == PC_FORWARD_ST)
		eval_forward(q, f, res);
	else
		eval_hook(q, f, res, id, (uint32_t)pc_stations[id].hook);
}

/* A dnat in prerouting, named in its summary once the observation has had its say. */
void
pc_netfilter_after(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	struct pc_station *s = &res->st[id];
	size_t n = strlen(s->summary);

	(void)q;
	if (!f->dnat || !s->present)
		return;
	pp_val_add_str(s->evidence, "dnat", f->dnat_text);
	if (!strstr(s->summary, f->dnat_text))
		snprintf(s->summary + n, sizeof(s->summary) - n, "; %s", f->dnat_text);
}
