/*
 * st_netfilter.c: the netfilter hooks (prerouting, input, forward, output, postrouting), one
 * station family. Reads the base chains of each hook and evaluates their rules against the
 * packet (the glue at the end of this file; the VM is nftvm.c). Changes the packet: a mark set, a dnat. At output either can make the
 * kernel route again: the walk stops there, the walker runs the route station again, then
 * the walk carries on from the next chain. Forward also reads the forwarding sysctls.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libnftnl/rule.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/rtnetlink.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pthread.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <dirent.h>
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "snap.h"
#include "st_netfilter.h"
#include "pathcheck.h"
#include "route.h"
#include "ipset.h"
#include "xt.h"
#include "sysctl.h"

/* ---- netfilter hooks ---- */

/*
 * A chain as iptables-nft lays them out: an ip or ip6 table named as an iptables table,
 * its base chain named as the hook in capitals. nft can make the same by hand; the rule's
 * own x_tables expressions (a match or a target) say iptables-nft for sure.
 */
static bool
iptables_layout(const struct pp_nft_chain *c)
{
	static const char *const tables[] = { "filter", "mangle", "raw", "nat", "security" };
	static const char *const chains[] = { "PREROUTING", "INPUT", "FORWARD", "OUTPUT", "POSTROUTING" };
	bool t = false, ch = false;

	if (c->family != NFPROTO_IPV4 && c->family != NFPROTO_IPV6)
		return false;
	for (size_t i = 0; i < PP_ARRAY_SIZE(tables); i++)
		t |= strcmp(c->table, tables[i]) == 0;
	for (size_t i = 0; i < PP_ARRAY_SIZE(chains); i++)
		ch |= strcmp(c->name, chains[i]) == 0;
	return t && ch;
}

/* The cause of a chain that drops the packet: rule or policy, reject or drop, nft or iptables. */
static enum pc_cause
chain_drop_cause(const struct pc_chain *c)
{
	bool xt = c->res.xt || iptables_layout(&c->c);

	if (c->res.verdict == PC_NFT_POLICY)
		return xt ? PC_C_XT_POLICY_DROP : PC_C_NFT_POLICY_DROP;
	if (c->res.reject)
		return xt ? PC_C_XT_RULE_REJECT : PC_C_NFT_RULE_REJECT;
	return xt ? PC_C_XT_RULE_DROP : PC_C_NFT_RULE_DROP;
}

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
			s = pc_st(res, id, PP_ST_OK, PC_C_NONE, "nftables is not available in this kernel: no rules on %s", hname);
		} else {
			s = pc_st(res, id, PP_ST_UNKNOWN, pc_cause_of_errno(f->nft_rc), "nftables ruleset not read: %s",
				    pp_err_str(&f->nft_err, err, sizeof(err)));
			if (pp_errno_needs(f->nft_rc)) {
				pp_val_add_str(s->evidence, "needs", pp_errno_needs(f->nft_rc));
				snprintf(s->summary, sizeof(s->summary), "nftables ruleset not read: %s",
					 pp_errno_needs(f->nft_rc));
			}
		}
		return;
	}
	s = pc_st(res, id, PP_ST_OK, PC_C_NONE, "%s", "");
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

		pc_set(s, PP_ST_FAIL, chain_drop_cause(c));
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
		pc_set(s, st, PC_C_UNDECIDED_RULE);
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

		/* A warning of its own (a drop policy not fully evaluated) keeps its cause. */
		pc_set(s, PP_ST_UNKNOWN, s->status == PP_ST_WARN ? s->cause : PC_C_LEGACY_IPTABLES_UNREAD);
		snprintf(s->summary + n, sizeof(s->summary) - n,
			 "; legacy iptables tables (%s) exist and were not read", f->legacy);
		pp_val_add_str(s->evidence, "legacy_iptables", f->legacy);
		pc_hint(s, "%s -L -n -v", q->family == AF_INET6 ? "ip6tables-legacy" : "iptables-legacy");
	}
}

/* The route leaves by ifindex straight onto its link (no gateway). */
static bool
route_onlink(const struct pp_route *r, int ifindex)
{
	if (r->gateway.family || r->nhops > 1)
		return false;
	if (r->nhops == 1 && (r->nh[0].gw.family || (r->nh[0].ifindex && r->nh[0].ifindex != ifindex)))
		return false;
	return ifindex > 0 && (r->oif == ifindex || (!r->oif && r->nhops == 1 && r->nh[0].ifindex == ifindex));
}

/*
 * A packet that arrives on a bridge for a host on the same bridge, from a host on the
 * bridge's link, is bridged, not routed: the sender resolves the destination itself and
 * the frame never reaches the IP stack (no route lookup, no ip_forward). With a dnat in
 * prerouting br_netfilter routes it again: not claimed here.
 */
static bool
pc_bridged(const struct pc_facts *f)
{
	const struct pp_route *r = f->route_rc == 0 ? &f->route : f->out_rc == 0 ? &f->out_route : NULL;
	int br = f->eq.iif_index;

	if (f->iif_rc != 0 || (!f->bridge_port[0] && strcmp(f->iif_link.kind, "bridge") != 0))
		return false;
	if (f->dnat || !r || r->type != RTN_UNICAST || !route_onlink(r, br))
		return false;
	return f->rev_rc == 0 && f->rev_route.type == RTN_UNICAST && route_onlink(&f->rev_route, br);
}

/* A frame the bridge forwards at layer 2 (--follow): its chains, and what br_netfilter does with it. */
static void
eval_l2(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	const char *nfcall = q->family == AF_INET6 ? "ip6tables" : "iptables";
	struct pc_station *s;
	size_t n;

	eval_hook(q, f, res, id, (uint32_t)pc_stations[id].hook);
	s = &res->st[id];
	if (id == PC_PREROUTING && f->l2_dnat[0] && s->status != PP_ST_FAIL) {
		pc_set(s, PP_ST_UNKNOWN, PC_C_NOT_FOLLOWED);
		snprintf(s->summary, sizeof(s->summary),
			 "bridged on %s, and a dnat in prerouting (%s) changes its destination: br_netfilter routes "
			 "such a frame again, which pathcheck does not follow", f->l2_bridge, f->l2_dnat);
		pc_hint(s, "nft list ruleset; sysctl net.bridge.bridge-nf-call-%s", nfcall);
		return;
	}
	if (id != PC_FORWARD_ST)
		return;
	pp_val_add_str(s->evidence, "bridged", f->l2_bridge);
	pp_val_add_i64(s->evidence, "bridge_nf_call", f->br_nf_call);
	if (f->br_nf_call < 0) {
		/* Whether the IP chains see it is not known: neither can their verdict be. */
		if (s->status != PP_ST_FAIL) {
			pc_set(s, PP_ST_UNKNOWN, PC_C_UNDECIDED_RULE);
			snprintf(s->summary, sizeof(s->summary),
				 "bridged on %s: net.bridge.bridge-nf-call-%s could not be read, so whether br_netfilter "
				 "hands the frame to the IP forward chains is not known", f->l2_bridge, nfcall);
			pc_hint(s, "sysctl net.bridge.bridge-nf-call-%s", nfcall);
		}
		return;
	}
	if (s->status != PP_ST_OK)
		return;
	n = strlen(s->summary);
	snprintf(s->summary + n, sizeof(s->summary) - n, "; bridged on %s from %s to %s, %s", f->l2_bridge,
		 f->bridge_port, f->l2_out,
		 f->br_nf_call == 1 ? "br_netfilter hands it to the IP forward chains too (in and out the bridge)" :
				      "not handed to the IP forward chains (bridge-nf-call off)");
}

static void
eval_forward(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s;
	const char *nfcall = q->family == AF_INET6 ? "ip6tables" : "iptables";

	if (pc_bridged(f)) {
		if (f->br_nf_call != 1) {
			char why[96];

			if (f->br_nf_call < 0)
				snprintf(why, sizeof(why), "no net.bridge sysctls: br_netfilter is not loaded");
			else
				snprintf(why, sizeof(why), "net.bridge.bridge-nf-call-%s=%lld", nfcall, f->br_nf_call);
			/* Not the IP forward hook: the bridge's own forwarding, which pathcheck does not walk. */
			s = pc_st(res, PC_FORWARD_ST, PP_ST_UNKNOWN, PC_C_UNDECIDED_RULE,
				    "bridged on %s (source and destination are both on its link), not routed: "
				    "br_netfilter does not hand it to the IP forward chains (%s), and the bridge's "
				    "own forwarding is not evaluated", f->eq.iif, why);
			pp_val_add_str(s->evidence, "bridged", f->eq.iif);
			pp_val_add_i64(s->evidence, "bridge_nf_call", f->br_nf_call);
			pc_hint(s, "sysctl net.bridge.bridge-nf-call-%s; bridge fdb show br %s", nfcall, f->eq.iif);
			return;
		}
		/* br_netfilter runs the forward hook with in and out the bridge; ip_forward does not apply. */
		eval_hook(q, f, res, PC_FORWARD_ST, NF_INET_FORWARD);
		s = &res->st[PC_FORWARD_ST];
		if (s->status == PP_ST_OK) {
			size_t n = strlen(s->summary);

			snprintf(s->summary + n, sizeof(s->summary) - n,
				 "; bridged on %s, not routed (br_netfilter runs the forward chains, "
				 "bridge-nf-call-%s=1; ip_forward does not apply)", f->eq.iif, nfcall);
		}
		pp_val_add_str(s->evidence, "bridged", f->eq.iif);
		pp_val_add_i64(s->evidence, "bridge_nf_call", f->br_nf_call);
		return;
	}

	if (q->family == AF_INET && (f->ip_forward == 0 || f->iif_forwarding == 0)) {
		s = pc_st(res, PC_FORWARD_ST, PP_ST_FAIL, PC_C_FORWARDING_DISABLED, "IPv4 forwarding is off (%s): the packet is dropped, no ICMP is sent",
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
		s = pc_st(res, PC_FORWARD_ST, PP_ST_FAIL, PC_C_FORWARDING_DISABLED,
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
			if (!f->dnat) {	/* the first time: q is not rewritten yet */
				f->pre_dnat_dst = q->dst;
				f->pre_dnat_dport = q->dport;
			}
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
		/* To the host's own address: back in through lo, prerouting and input (ip_rcv from loopback_xmit). */
		if (w->dir == PC_EGRESS && (w->nft_hooks & (1u << NF_INET_LOCAL_OUT)) && f->route_rc == 0 &&
		    f->route.type == RTN_LOCAL && !f->l2) {
			w->nft_hooks |= 1u << NF_INET_PRE_ROUTING | 1u << NF_INET_LOCAL_IN;
			f->loop_leg = true;
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
	if (f->l2) {
		eval_l2(q, f, res, id);
		return;
	}
	if (id == PC_FORWARD_ST)
		eval_forward(q, f, res);
	else
		eval_hook(q, f, res, id, (uint32_t)pc_stations[id].hook);
}

/*
 * The host's own packet to one of its addresses (egress, a local route): after output and
 * postrouting, loopback_xmit hands it to ip_rcv with lo as its device, and the prerouting
 * and input hooks run (their nat chains do not: the flow got its binding on the way out).
 * One station, input, tells that way in: a prerouting chain that drops it speaks there.
 */
void
pc_netfilter_loop_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *in = &res->st[PC_INPUT], *pre = &res->st[PC_PREROUTING];
	char buf[sizeof(in->summary)];

	if (q->direction != PC_EGRESS || f->l2)
		return;
	if (f->loop_missed) {
		pc_st(res, PC_INPUT, PP_ST_UNKNOWN, PC_C_LOOPBACK_UNEVALUATED,
			  "%s sends the packet to this host: its way back in through lo (prerouting, input) was not evaluated",
			  f->dnat_text);
		return;
	}
	if (!f->loop_leg || f->route_rc != 0 || f->route.type != RTN_LOCAL || f->nft_rc < 0 ||
	    res->st[PC_INPUT].present)
		return;
	if ((res->st[PC_OUTPUT].present && res->st[PC_OUTPUT].status == PP_ST_FAIL) ||
	    (res->st[PC_POSTROUTING].present && res->st[PC_POSTROUTING].status == PP_ST_FAIL)) {
		pc_st(res, PC_INPUT, PP_ST_SKIPPED, PC_C_NONE, "dropped on the way out: it never comes back in through lo");
		return;
	}
	eval_hook(q, f, res, PC_PREROUTING, NF_INET_PRE_ROUTING);
	eval_hook(q, f, res, PC_INPUT, NF_INET_LOCAL_IN);
	if (pre->status != PP_ST_OK) {
		/* Prerouting comes first on the way in: its drop, or what it could not decide, is the answer. */
		pp_val_free(in->evidence);
		*in = *pre;
		snprintf(buf, sizeof(buf), "back in through lo, at prerouting: %s", pre->summary);
		memset(pre, 0, sizeof(*pre));
	} else {
		if (in->status == PP_ST_OK)
			snprintf(buf, sizeof(buf), "back in through lo: %s; prerouting: %s", in->summary, pre->summary);
		else
			snprintf(buf, sizeof(buf), "back in through lo: %s", in->summary);
		if (pre->evidence && in->evidence)
			pp_val_add(in->evidence, pc_station_name(PC_PREROUTING), pre->evidence);
		else
			pp_val_free(pre->evidence);
		memset(pre, 0, sizeof(*pre));
	}
	snprintf(in->summary, sizeof(in->summary), "%s", buf);
	if (in->evidence)
		pp_val_add_str(in->evidence, "via", "lo");
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

/* ---- the collection glue: the ruleset read from the kernel, and the packet each chain sees ---- */
/*
 * The nft VM's collection glue. It reads the base chains on the packet's
 * hooks from the kernel, builds the packet each hook sees, and hands both to the VM
 * (nftvm.c), fetching the chains and sets the VM asks for on a cache miss.
 */
/* linux/netfilter_bridge.h clashes with net/if.h; its two hook numbers: */
#define NF_BR_PRE_ROUTING 0
#define NF_BR_LOCAL_IN 1

/* ---- what the VM asks for on a cache miss: the kernel's chains and sets ---- */

static int
keep_rule(struct nftnl_rule *r, void *data)
{
	struct pc_cached_chain *cc = data;
	struct nftnl_rule **nv = realloc(cc->rules, (cc->n + 1) * sizeof(*nv));

	if (!nv)
		return -ENOMEM;
	cc->rules = nv;
	cc->rules[cc->n++] = r;
	return PP_NFT_KEEP;
}

static int
fetch_rules(struct pc_nft_cache *c, struct pc_cached_chain *cc)
{
	struct pp_err e = { 0 };

	return pp_nft_rule_dump(c->nl, cc->family, cc->table, cc->name, keep_rule, cc, &e);
}

static int
fetch_set(struct pc_nft_cache *c, uint32_t family, const char *table, const char *name, struct pp_nft_set *set)
{
	struct pp_err e = { 0 };

	return pp_nft_set_get(c->nl, family, table, name, set, &e);
}

static int
fetch_set_def(struct pc_nft_cache *c, uint32_t family, const char *table, const char *name,
	      struct pp_nft_set *set)
{
	struct pp_err e = { 0 };

	return pp_nft_set_def_get(c->nl, family, table, name, set, &e);
}

/* One key asked of the kernel: pathcheck's time on a lookup does not grow with the set. */
static int
fetch_elem(struct pc_nft_cache *c, uint32_t family, const char *table, const struct pp_nft_set *set,
	   const uint8_t *key, uint32_t klen, struct pp_nft_elem *out)
{
	struct pp_err e = { 0 };

	return pp_nft_setelem_get(c->nl, family, table, set->name, key, klen, out, &e);
}

static int
fetch_elems(struct pc_nft_cache *c, uint32_t family, const char *table, struct pp_nft_set *set)
{
	struct pp_err e = { 0 };

	return pp_nft_set_elems_dump(c->nl, family, table, set, &e);
}

static int
fetch_ipset_name(struct pc_nft_cache *c, uint16_t index, char *name, size_t len)
{
	struct pp_err e = { 0 };

	return pp_ipset_name(c->nl, index, name, len, &e);
}

/* -m set: the set's type and family (IPSET_CMD_LIST, header only), then the packet's key tested. */
static int
fetch_ipset_test(struct pc_nft_cache *c, const char *name, const struct pp_xt_set_query *q, char *why,
		 size_t whylen)
{
	struct pp_ipset_info info;
	struct pp_ipset_key k;
	struct pp_err e = { 0 };
	int rc;

	if ((rc = pp_ipset_header(c->nl, name, &info, &e)) < 0) {
		snprintf(why, whylen, "-m set: ipset %s could not be read: %s", name, strerror(-rc));
		return -1;
	}
	if ((rc = pp_ipset_key_for(&info, q, &k, why, whylen)) <= 0)
		return rc;
	if ((rc = pp_ipset_test(c->nl, name, info.family, &k, &e)) < 0) {
		snprintf(why, whylen, "-m set: IPSET_CMD_TEST in ipset %s failed: %s%s%s", name, strerror(-rc),
			 e.ext[0] ? ": " : "", e.ext);
		return -1;
	}
	return rc;
}

int
pc_nft_eval_base(struct pc_nft_cache *c, const struct pp_nft_chain *base, const struct pc_pkt *p,
		 struct pc_nft_result *r)
{
	static const struct pc_nft_fetch from_kernel = { fetch_rules, fetch_set, fetch_set_def,
							 fetch_elem, fetch_elems, fetch_ipset_name,
							 fetch_ipset_test };

	pc_nftvm_eval_base(c, c->nl ? &from_kernel : NULL, base, p, r);
	/*
	 * Output only: a chain of type route that leaves the mark other than it found it makes
	 * the kernel route again (nf_route_table_hook4/6 compare skb->mark before and after);
	 * a type filter chain does not. A dnat in a nat chain at output that changes the
	 * destination address does too (nf_nat_ipv4_local_fn, nf_nat_ipv6_local_fn); a port
	 * alone does not. A dropped packet is not routed again.
	 */
	if (base->hooknum == NF_INET_LOCAL_OUT && base->family != NFPROTO_BRIDGE && r->verdict != PC_NFT_DROP &&
	    !(r->verdict == PC_NFT_POLICY && base->policy == NF_DROP)) {
		if (strcmp(base->type, "route") == 0 &&
		    (r->mark_unknown ? r->mark_set : (p->mark_unknown || r->mark != p->mark)))
			r->reroute = true;
		if (strcmp(base->type, "nat") == 0 && r->dnat && r->nat_addr.family == p->family &&
		    !pp_addr_eq(&r->nat_addr, &p->dst))
			r->reroute = true;
	}
	return 0;
}

/* ---- from the query to the hooks ---- */

void
pc_pkt_for_hook(const struct pc_query *q, const struct pc_facts *f, uint32_t hook, struct pc_pkt *p)
{
	bool loop = q->direction == PC_EGRESS && (hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_IN);

	memset(p, 0, sizeof(*p));
	/* After prerouting the packet carries the DNAT'ed destination (on the way back in, output's). */
	if (((hook != NF_INET_PRE_ROUTING && hook != NF_INET_LOCAL_OUT) || loop) && f->dnat)
		q = &f->eq;
	p->family = q->family;
	p->hook = hook;
	p->dst = q->dst;
	p->l4proto = q->proto;
	p->dport = q->dport;
	p->dport_known = q->has_dport || !pc_proto_has_ports(q->proto);
	p->sport = q->sport;
	p->sport_known = q->has_sport || !pc_proto_has_ports(q->proto);
	p->mark = q->mark;
	p->uid_known = q->has_uid;
	p->uid = q->uid;
	/* new (8) unless asked: pathcheck asks about the first packet of a flow */
	p->ct_state = q->ct_state ? q->ct_state : PC_CT_NEW;
	p->ct_reply = q->ct_reply;
	if (q->src.family) {
		p->src = q->src;
		p->src_known = true;
	} else if (f->route_rc == 0 && f->route.prefsrc.family == q->family) {
		/* The kernel picks the route's preferred source for a socket that did not bind. */
		p->src = f->route.prefsrc;
		p->src_known = true;
	}
	if (q->direction != PC_EGRESS && hook != NF_INET_LOCAL_OUT) {
		snprintf(p->iifname, sizeof(p->iifname), "%s", q->iif);
		p->iif = q->iif_index;
	} else if (loop) {
		snprintf(p->iifname, sizeof(p->iifname), "lo");
		p->iif = (int)pp_ifindex("lo");
	}
	if (hook == NF_INET_FORWARD && p->ct_state == 8 && !p->ct_reply) {
		/* A forwarded new flow: its entry holds the destination before the DNAT, no SNAT yet. */
		p->ct_tuple_known = true;
		p->ct_orig_dst = f->dnat ? f->pre_dnat_dst : p->dst;
		p->ct_orig_dport = f->dnat ? f->pre_dnat_dport : p->dport;
	}
	if (hook == NF_INET_LOCAL_OUT || hook == NF_INET_POST_ROUTING || hook == NF_INET_FORWARD) {
		if (f->route_rc == 0 && f->oif_rc == 0 && f->oif_link.name[0]) {
			snprintf(p->oifname, sizeof(p->oifname), "%s", f->oif_link.name);
			p->oif = f->oif_link.ifindex;
		} else if (hook != NF_INET_LOCAL_OUT && pc_bridged(f)) {
			/* Bridged (also with forwarding off): br_netfilter's out device is the bridge. */
			snprintf(p->oifname, sizeof(p->oifname), "%s", f->eq.iif);
			p->oif = f->eq.iif_index;
		}
	}
}

static bool
family_applies(uint32_t chain_family, int family)
{
	return chain_family == NFPROTO_INET ||
	       (family == AF_INET && chain_family == NFPROTO_IPV4) ||
	       (family == AF_INET6 && chain_family == NFPROTO_IPV6);
}

static bool
hook_applies(const struct pc_query *q, const struct pc_facts *f, uint32_t hook)
{
	switch (q->direction) {
	case PC_EGRESS:
		return hook == NF_INET_LOCAL_OUT || hook == NF_INET_POST_ROUTING ||
		       (f->loop_leg && (hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_IN));
	case PC_INGRESS: return hook == NF_INET_PRE_ROUTING || hook == NF_INET_LOCAL_IN;
	case PC_FORWARD:
		return hook == NF_INET_PRE_ROUTING || hook == NF_INET_FORWARD || hook == NF_INET_POST_ROUTING;
	}
	return false;
}

struct base_ctx {
	const struct pc_query *q;
	struct pc_facts *f;
	uint32_t hooks;			/* bit per NF_INET_* hook */
	int err;
};

/*
 * The chains a frame bridged at layer 2 meets (--follow): the bridge family's on its
 * prerouting, forward and postrouting hooks (br_handle_frame, br_forward), and, with
 * br_netfilter handing bridged IP to the IP family (bridge-nf-call-iptables 1), the IP
 * family's on the same hooks (br_nf_pre_routing, br_nf_forward_ip, br_nf_post_routing).
 * One the host sends out by a bridge: the bridge family's output and postrouting.
 */
static bool
l2_chain_applies(const struct pp_nft_chain *c, const struct pc_query *q, const struct pc_facts *f)
{
	if (f->l2_local)
		return c->family == NFPROTO_BRIDGE &&
		       (c->hooknum == NF_INET_LOCAL_OUT || c->hooknum == NF_INET_POST_ROUTING);
	if (c->hooknum != NF_INET_PRE_ROUTING && c->hooknum != NF_INET_FORWARD && c->hooknum != NF_INET_POST_ROUTING)
		return false;
	return c->family == NFPROTO_BRIDGE || (f->br_nf_call == 1 && family_applies(c->family, q->family));
}

/* A base chain the query's packet meets on the hooks asked. */
static bool
base_wanted(const struct base_ctx *bc, const struct pp_nft_chain *c)
{
	/* Bridge-family chains see a packet that arrives on a bridge port: prerouting and input (routed). */
	bool bridge = c->family == NFPROTO_BRIDGE && bc->f->bridge_port[0] &&
		      (c->hooknum == NF_BR_PRE_ROUTING || c->hooknum == NF_BR_LOCAL_IN);

	if (bc->f->l2)
		return c->base && c->hooknum < 32 && (bc->hooks & (1u << c->hooknum)) && l2_chain_applies(c, bc->q, bc->f);
	return c->base && (family_applies(c->family, bc->q->family) || bridge) && hook_applies(bc->q, bc->f, c->hooknum) &&
	       c->hooknum < 32 && (bc->hooks & (1u << c->hooknum));
}

static int
base_cb(const struct pp_nft_chain *c, void *data)
{
	struct base_ctx *bc = data;
	struct pc_chain *nv;

	if (c->base)
		bc->f->nft_base_total++;
	if (!base_wanted(bc, c))
		return 0;
	nv = realloc(bc->f->chains, (bc->f->nchains + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	bc->f->chains = nv;
	memset(&nv[bc->f->nchains], 0, sizeof(*nv));
	nv[bc->f->nchains++].c = *c;
	return 0;
}

/*
 * The base chains of one hook of one protocol family, kept for this process while the
 * ruleset's generation in that namespace stays the same: a branch of a numgen walks the
 * hooks again. They are read the way `nft list hooks` reads them, from the hook's own
 * entries (pp_nft_hook_chains), not from a dump of every chain: that dump costs the
 * kernel time in the number of every chain (40,000 on a node kube-proxy fills, of which
 * a dozen are base chains). A kernel without nfnetlink_hook (before 5.14, or built
 * without CONFIG_NETFILTER_NETLINK_HOOK) dumps every chain once, kept as the entry of
 * every hook (pf NFPROTO_UNSPEC).
 * Shared by the workers of --parallel, under a lock.
 */
#define BASE_CACHE_N 32
static struct base_cache {
	bool used;
	dev_t dev;
	ino_t ino;
	uint32_t gen;
	uint32_t pf, hook;		/* NFPROTO_UNSPEC: every base chain of the namespace */
	struct pp_nft_chain *c;
	size_t n;
} base_cache[BASE_CACHE_N];
static size_t base_cache_next;
static pthread_mutex_t base_cache_lock = PTHREAD_MUTEX_INITIALIZER;

struct base_all {
	struct pp_nft_chain *c;
	size_t n;
};

static int
keep_base(const struct pp_nft_chain *c, void *data)
{
	struct base_all *a = data;
	struct pp_nft_chain *nv;

	if (!c->base)
		return 0;
	nv = realloc(a->c, (a->n + 1) * sizeof(*nv));
	if (!nv)
		return -ENOMEM;
	a->c = nv;
	a->c[a->n++] = *c;
	return 0;
}

/* The hook lists one query reads: its family's list of each hook, and the bridge's for a bridge port. */
struct base_key {
	uint32_t pf, hook;
};

static size_t
base_keys(const struct base_ctx *bc, struct base_key *k, size_t max)
{
	size_t n = 0;

	for (uint32_t h = 0; h < NF_INET_NUMHOOKS && n + 2 <= max; h++) {
		if (!(bc->hooks & (1u << h)) || !hook_applies(bc->q, bc->f, h))
			continue;
		/* A bridged frame: the bridge's lists, and the IP family's where br_netfilter runs them. */
		if (bc->f->l2) {
			if (!bc->f->l2_local && bc->f->br_nf_call == 1)
				k[n++] = (struct base_key){ bc->q->family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4, h };
			k[n++] = (struct base_key){ NFPROTO_BRIDGE, h };
			continue;
		}
		k[n++] = (struct base_key){ bc->q->family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4, h };
		if (bc->f->bridge_port[0] && (h == NF_BR_PRE_ROUTING || h == NF_BR_LOCAL_IN))
			k[n++] = (struct base_key){ NFPROTO_BRIDGE, h };
	}
	return n;
}

/* A copy of the cached chains of (pf, hook) into *out; false when not cached. Under the lock. */
static bool
cache_find(const struct stat *st, uint32_t gen, uint32_t pf, uint32_t hook, struct base_all *out)
{
	for (size_t i = 0; i < BASE_CACHE_N; i++) {
		const struct base_cache *b = &base_cache[i];

		if (!b->used || b->gen != gen || b->dev != st->st_dev || b->ino != st->st_ino ||
		    b->pf != pf || (pf != NFPROTO_UNSPEC && b->hook != hook))
			continue;
		out->c = NULL;
		if (b->n && !(out->c = malloc(b->n * sizeof(*out->c))))
			return false;
		if (b->n)
			memcpy(out->c, b->c, b->n * sizeof(*out->c));
		out->n = b->n;
		return true;
	}
	return false;
}

static void
cache_put(const struct stat *st, uint32_t gen, uint32_t pf, uint32_t hook, const struct base_all *a)
{
	struct base_cache *b;
	struct pp_nft_chain *c = NULL;

	if (a->n && !(c = malloc(a->n * sizeof(*c))))
		return;
	if (a->n)
		memcpy(c, a->c, a->n * sizeof(*c));
	b = &base_cache[base_cache_next++ % BASE_CACHE_N];
	free(b->c);
	*b = (struct base_cache){ true, st->st_dev, st->st_ino, gen, pf, hook, c, a->n };
}

/* ---- the base chains kept between runs ---- */
/*
 * A kernel that cannot list a hook's entries leaves only the dump of every chain, and
 * that dump restarts its walk of the chain list for every datagram it fills
 * (nf_tables_dump_chains skips what it sent already): its time grows with the square
 * of the chains, 40 ms and more of a kube-proxy node's 40,000. So what one dump found
 * is kept in a file under BASE_FILE_DIR, one per network namespace, named by its
 * cookie (SO_NETNS_COOKIE, never reused while the host is up) and valid for the boot
 * and the ruleset generation it was read at; every chain in it is read again by name
 * (NFT_MSG_GETCHAIN) before it is trusted, and any difference falls back to the dump.
 * Only for root, in a directory only root can write; PKTPATH_NFT_CACHE=0 turns it off.
 */
#define BASE_FILE_DIR "/run/pktpath"
#define BASE_FILE_MAX 128		/* files kept (namespaces come and go: the oldest go) */
#define BASE_FILE_CHAINS 4096

struct base_file_key {
	uint64_t cookie;
	char boot_id[40];
	uint32_t gen;
};

struct base_file_hdr {
	char magic[8];			/* "ppnftb1" */
	uint32_t recsize;		/* sizeof(struct pp_nft_chain): another build's layout misses */
	uint32_t n;
	struct base_file_key key;
};

static bool
base_file_key(struct pp_nl *nl, uint32_t gen, struct base_file_key *k)
{
	const char *env = getenv("PKTPATH_NFT_CACHE");
	socklen_t len = sizeof(k->cookie);
	char buf[64];
	ssize_t n;

	memset(k, 0, sizeof(*k));
	/* Not while a snapshot records or answers: the file is no part of the kernel's conversation. */
	if (geteuid() != 0 || (env && strcmp(env, "0") == 0) || pp_snap_active())
		return false;
	if (getsockopt(pp_nl_fd(nl), SOL_SOCKET, SO_NETNS_COOKIE, &k->cookie, &len) < 0 || len != sizeof(k->cookie))
		return false;
	n = pp_read_file("/proc/sys/kernel/random/boot_id", buf, sizeof(buf));
	if (n < 36)
		return false;
	memcpy(k->boot_id, buf, 36);
	k->gen = gen;
	return true;
}

/* BASE_FILE_DIR is a directory of root's that nobody else can write (made so when create). */
static bool
base_file_dir_ok(bool create)
{
	struct stat st;

	if (create && mkdir(BASE_FILE_DIR, 0700) < 0 && errno != EEXIST)
		return false;
	return lstat(BASE_FILE_DIR, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == 0 && !(st.st_mode & 022);
}

static void
base_file_path(const struct base_file_key *k, char *buf, size_t len)
{
	snprintf(buf, len, "%s/nftbase-%016llx", BASE_FILE_DIR, (unsigned long long)k->cookie);
}

/* The chains kept for k into *out (malloc'd). Returns 0, or -1 when there are none for k. */
static int
base_file_read(const struct base_file_key *k, struct base_all *out)
{
	struct base_file_hdr h;
	struct stat st;
	char path[128];
	int fd, rc = -1;

	out->c = NULL;
	out->n = 0;
	if (!base_file_dir_ok(false))
		return -1;
	base_file_path(k, path, sizeof(path));
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return -1;
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_uid == 0 && !(st.st_mode & 022) &&
	    read(fd, &h, sizeof(h)) == (ssize_t)sizeof(h) && memcmp(h.magic, "ppnftb1", 8) == 0 &&
	    h.recsize == sizeof(struct pp_nft_chain) && h.n <= BASE_FILE_CHAINS &&
	    memcmp(&h.key, k, sizeof(*k)) == 0 &&
	    (size_t)st.st_size == sizeof(h) + h.n * sizeof(struct pp_nft_chain)) {
		size_t bytes = h.n * sizeof(struct pp_nft_chain);

		out->c = h.n ? malloc(bytes) : NULL;
		if (!h.n || (out->c && read(fd, out->c, bytes) == (ssize_t)bytes)) {
			out->n = h.n;
			rc = 0;
		}
	}
	close(fd);
	for (size_t i = 0; i < out->n; i++) {
		struct pp_nft_chain *c = &out->c[i];

		/* Strings ended, as the decoder left them. */
		if (!memchr(c->table, 0, sizeof(c->table)) || !memchr(c->name, 0, sizeof(c->name)) ||
		    !memchr(c->type, 0, sizeof(c->type)) || !memchr(c->dev, 0, sizeof(c->dev)) || !c->base)
			rc = -1;
	}
	if (rc < 0) {
		free(out->c);
		out->c = NULL;
		out->n = 0;
	}
	return rc;
}

/* Past BASE_FILE_MAX files, the least recently written goes. */
static void
base_file_prune(void)
{
	DIR *d = opendir(BASE_FILE_DIR);
	struct dirent *de;
	char oldest[300] = "", path[300];
	time_t t = 0;
	size_t n = 0;

	if (!d)
		return;
	while ((de = readdir(d))) {
		struct stat st;

		if (strncmp(de->d_name, "nftbase-", 8) != 0)
			continue;
		n++;
		snprintf(path, sizeof(path), "%s/%s", BASE_FILE_DIR, de->d_name);
		if (lstat(path, &st) == 0 && (!oldest[0] || st.st_mtime < t)) {
			t = st.st_mtime;
			snprintf(oldest, sizeof(oldest), "%s", path);
		}
	}
	closedir(d);
	if (n > BASE_FILE_MAX && oldest[0])
		unlink(oldest);
}

static void
base_file_write(const struct base_file_key *k, const struct base_all *a)
{
	struct base_file_hdr h;
	char tmp[128], path[128];
	size_t bytes = a->n * sizeof(struct pp_nft_chain);
	int fd;
	bool ok;

	if (a->n > BASE_FILE_CHAINS || !base_file_dir_ok(true))
		return;
	memset(&h, 0, sizeof(h));
	memcpy(h.magic, "ppnftb1", 8);
	h.recsize = sizeof(struct pp_nft_chain);
	h.n = (uint32_t)a->n;
	memcpy(&h.key, k, sizeof(*k));
	snprintf(tmp, sizeof(tmp), "%s/.nftbase-XXXXXX", BASE_FILE_DIR);
	if ((fd = mkstemp(tmp)) < 0)
		return;
	ok = fchmod(fd, 0600) == 0 && write(fd, &h, sizeof(h)) == (ssize_t)sizeof(h) &&
	     (!bytes || write(fd, a->c, bytes) == (ssize_t)bytes);
	ok = close(fd) == 0 && ok;
	base_file_path(k, path, sizeof(path));
	if (!ok || rename(tmp, path) < 0) {
		unlink(tmp);
		return;
	}
	base_file_prune();
}

/*
 * Every kept chain read again by name (every one: the process keeps the list for the
 * later hooks of the walk too): 0 and *a with what the kernel has now, or -1 when one
 * is gone or moved (then the dump decides).
 */
static int
base_file_check(struct pp_nl *nl, struct base_all *a)
{
	for (size_t i = 0; i < a->n; i++) {
		struct pp_nft_chain *c = &a->c[i], now;

		if (pp_nft_chain_get(nl, c->family, c->table, c->name, &now, NULL) < 0 || !now.base ||
		    now.family != c->family || now.hooknum != c->hooknum || now.prio != c->prio)
			return -1;
		*c = now;
	}
	return 0;
}

/*
 * The base chains on the query's hooks, through base_cb: from the cache when the
 * generation is the one read, else from each hook's entries, else (a kernel that
 * cannot list a hook's entries) from a dump of every chain.
 */
static int
base_chains(struct pp_nl *nl, struct base_ctx *bc, struct pp_err *e)
{
	struct base_key k[2 * NF_INET_NUMHOOKS];
	struct base_all got[2 * NF_INET_NUMHOOKS] = { { 0 } }, all = { NULL, 0 };
	bool cached[2 * NF_INET_NUMHOOKS] = { false };
	size_t nk = base_keys(bc, k, PP_ARRAY_SIZE(k));
	struct stat st;
	uint32_t gen = 0, gen2 = 0;
	/* Replaying, the thread's own namespace is not the snapshot's: nothing is kept between questions. */
	bool ns_known = !pp_snap_replaying(pp_snap_active()) && stat("/proc/thread-self/ns/net", &st) == 0;
	bool gen_known = ns_known && pp_nft_gen_get(nl, &gen, NULL) == 0;
	bool full = false, full_cached = false, filed = false, from_file = false;
	struct base_file_key fk;
	size_t found = 0;
	int rc = 0;

	if (gen_known) {
		pthread_mutex_lock(&base_cache_lock);
		full = full_cached = cache_find(&st, gen, NFPROTO_UNSPEC, 0, &all);
		for (size_t i = 0; i < nk && !full; i++)
			cached[i] = cache_find(&st, gen, k[i].pf, k[i].hook, &got[i]);
		pthread_mutex_unlock(&base_cache_lock);
	}
	for (size_t i = 0; i < nk && rc == 0 && !full; i++) {
		if (!cached[i])
			rc = pp_nft_hook_chains(nl, k[i].pf, k[i].hook, keep_base, &got[i], e);
		found += got[i].n;
	}
	if ((rc < 0 && rc != -ENOMEM) || (rc == 0 && !full && found == 0 && bc->f->nft_base_total == 0)) {
		/*
		 * Not answered hook by hook (or it changed meanwhile), or no base chain on these
		 * hooks (then whether there are others, for a drop observed here: probe.c): what
		 * the dump found at this generation, else every chain, as nft list chains reads them.
		 */
		full = true;
		filed = gen_known && base_file_key(nl, gen, &fk);
		if (filed && base_file_read(&fk, &all) == 0 && base_file_check(nl, &all) == 0) {
			from_file = true;
			rc = 0;
		} else {
			free(all.c);
			all = (struct base_all){ NULL, 0 };
			rc = pp_nft_base_chain_dump(nl, NFPROTO_UNSPEC, keep_base, &all, e);
		}
	}
	if (full) {
		for (size_t j = 0; j < all.n && rc == 0; j++)
			rc = base_cb(&all.c[j], bc);
	} else {
		for (size_t i = 0; i < nk && rc == 0; i++)
			for (size_t j = 0; j < got[i].n && rc == 0; j++)
				rc = base_cb(&got[i].c[j], bc);
	}
	/* Kept only when nothing changed while the kernel answered. */
	if (rc == 0 && gen_known && !full_cached && pp_nft_gen_get(nl, &gen2, NULL) == 0 && gen2 == gen) {
		pthread_mutex_lock(&base_cache_lock);
		if (full)
			cache_put(&st, gen, NFPROTO_UNSPEC, 0, &all);
		for (size_t i = 0; i < nk && !full; i++)
			if (!cached[i])
				cache_put(&st, gen, k[i].pf, k[i].hook, &got[i]);
		pthread_mutex_unlock(&base_cache_lock);
		if (full && filed && !from_file)
			base_file_write(&fk, &all);
	}
	for (size_t i = 0; i < nk; i++)
		free(got[i].c);
	free(all.c);
	return rc;
}

static int
chain_order(const void *a, const void *b)
{
	const struct pc_chain *x = a, *y = b;

	if (x->c.hooknum != y->c.hooknum)
		return x->c.hooknum < y->c.hooknum ? -1 : 1;
	if (x->c.prio != y->c.prio)
		return x->c.prio < y->c.prio ? -1 : 1;
	return strcmp(x->c.table, y->c.table);
}

/* The host's own packet to itself: output, postrouting, then back in by prerouting and input. */
static int
chain_order_loop(const void *a, const void *b)
{
	const struct pc_chain *x = a, *y = b;
	unsigned rx = (x->c.hooknum + 2) % 5, ry = (y->c.hooknum + 2) % 5;

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return chain_order(a, b);
}

/*
 * A bridged frame's order on a hook: bridge-family chains of negative priority, then the
 * IP family's, which br_netfilter runs from its bridge hook at priority 0
 * (NF_BR_PRI_BRNF), then the bridge-family chains at 0 and above (registered after it).
 */
static int
l2_group(const struct pc_chain *c)
{
	if (c->c.family != NFPROTO_BRIDGE)
		return 1;
	return c->c.prio < 0 ? 0 : 2;
}

static int
chain_order_l2(const void *a, const void *b)
{
	const struct pc_chain *x = a, *y = b;

	if (x->c.hooknum != y->c.hooknum)
		return x->c.hooknum < y->c.hooknum ? -1 : 1;
	if (l2_group(x) != l2_group(y))
		return l2_group(x) < l2_group(y) ? -1 : 1;
	return chain_order(a, b);
}

/*
 * The devices of a bridged frame as each hook gives them: the bridge family sees the
 * ports (in by prerouting and forward, out by forward and postrouting); the IP family,
 * through br_netfilter, the bridge itself, and -m physdev the ports.
 */
static void
pkt_for_l2(const struct pc_facts *f, const struct pc_chain *c, struct pc_pkt *p)
{
	bool br = c->c.family == NFPROTO_BRIDGE, in = c->c.hooknum != NF_INET_POST_ROUTING,
	     out = c->c.hooknum != NF_INET_PRE_ROUTING;

	p->iifname[0] = p->oifname[0] = '\0';
	p->iif = p->oif = 0;
	if (in) {
		bool port = br && !f->l2_local;	/* a frame the host sends comes in from the bridge itself */

		snprintf(p->iifname, sizeof(p->iifname), "%s", port ? f->bridge_port : f->l2_bridge);
		p->iif = port ? f->l2_in_index : f->l2_bridge_index;
	}
	if (f->l2_src_unknown)
		p->src_known = false;
	if (out) {
		snprintf(p->oifname, sizeof(p->oifname), "%s", br ? f->l2_out : f->l2_bridge);
		p->oif = br ? f->l2_out_index : f->l2_bridge_index;
	}
	p->ibrname[0] = p->obrname[0] = '\0';
	if (br && in && !f->l2_local)
		snprintf(p->ibrname, sizeof(p->ibrname), "%s", f->l2_bridge);
	if (br && out)
		snprintf(p->obrname, sizeof(p->obrname), "%s", f->l2_bridge);
	p->ll_src_known = f->l2_src_mac_known;
	memcpy(p->ll_src, f->l2_src_mac, 6);
	p->ll_dst_known = f->l2_dst_mac_known;
	memcpy(p->ll_dst, f->l2_dst_mac, 6);
	if (!br) {
		p->phys_known = p->bridged = true;
		snprintf(p->physin, sizeof(p->physin), "%s", f->bridge_port);
		if (out)
			snprintf(p->physout, sizeof(p->physout), "%s", f->l2_out);
	}
}

/*
 * The kernel's local table, for -m addrtype: an address's type is that of its route
 * there (local, broadcast, ...), multicast by its range, else unicast, as
 * inet_addr_type() answers (IPv6: local when an address of this host, ipv6_chk_addr).
 */
struct local_types {
	int rc;				/* 0, or -errno when the table could not be read */
	size_t n;
	struct { struct pp_addr a; uint8_t len, type; } e[256];
};

static int
local_cb(const struct pp_route *r, void *data)
{
	struct local_types *lt = data;

	if ((r->type == RTN_LOCAL || r->type == RTN_BROADCAST || r->type == RTN_ANYCAST) &&
	    r->dst.family && lt->n < PP_ARRAY_SIZE(lt->e)) {
		lt->e[lt->n].a = r->dst;
		lt->e[lt->n].len = r->dst_len;
		lt->e[lt->n++].type = r->type;
	} else if (lt->n >= PP_ARRAY_SIZE(lt->e))
		lt->rc = -E2BIG;
	return 0;
}

static void
local_types_load(int family, struct local_types *lt)
{
	struct pp_nl nl;
	struct pp_err e = { 0 };

	lt->n = 0;
	lt->rc = pp_nl_open(&nl, NETLINK_ROUTE, &e);
	if (lt->rc < 0)
		return;
	lt->rc = pp_route_dump(&nl, family, RT_TABLE_LOCAL, 0, local_cb, lt, &e);
	if (lt->rc > 0)
		lt->rc = 0;
	pp_nl_close(&nl);
}

static uint16_t
addr_type(const struct local_types *lt, const struct pp_addr *a)
{
	for (size_t i = 0; i < lt->n; i++)
		if (lt->e[i].a.family == a->family && lt->e[i].len == (a->family == AF_INET ? 32 : 128) &&
		    pp_addr_eq(&lt->e[i].a, a))
			return (uint16_t)(1u << lt->e[i].type);
	if (a->family == AF_INET && (a->u.b[0] & 0xf0) == 0xe0)
		return 1u << RTN_MULTICAST;
	if (a->family == AF_INET6 && a->u.b[0] == 0xff)
		return 1u << RTN_MULTICAST;
	if (a->family == AF_INET && (a->u.b[0] | a->u.b[1] | a->u.b[2] | a->u.b[3]) == 0)
		return 1u << RTN_BROADCAST;	/* 0.0.0.0, as inet_addr_type: zeronet */
	if (a->family == AF_INET && (a->u.b[0] & a->u.b[1] & a->u.b[2] & a->u.b[3]) == 0xff)
		return 1u << RTN_BROADCAST;
	return 1u << RTN_UNICAST;
}

static void
pkt_addrtype(const struct local_types *lt, struct pc_pkt *p)
{
	if (lt->rc < 0 || !p->src_known)
		return;
	p->addrtype_known = true;
	p->src_type = addr_type(lt, &p->src);
	p->dst_type = addr_type(lt, &p->dst);
}

/*
 * fib saddr . iif oif, as nft_fib4/nft_fib6 answer it: the route back to the packet's
 * source. IPv4 looks it up restricted to iif (flowi4_oif), and only a FIB entry counts
 * (RTM_F_FIB_MATCH: no "assume on-link" route for a device-bound lookup); IPv6 looks
 * it up from the packet's destination and takes the device it gives.
 * Either way the answer is iif when the route leaves by iif, else missing (0); a local,
 * reject or anycast route is missing. One lookup per mark and destination a collection.
 */
struct rpf_cache {
	bool done;
	uint32_t mark;
	struct pp_addr dst;
	int oif, rc;
};

static void
pkt_rpf(struct pc_pkt *p, struct rpf_cache *rc)
{
	struct pp_route_query rq = { 0 };
	struct pp_route r;
	struct pp_nl nl;
	struct pp_err e = { 0 };
	int err;

	if (!p->src_known || p->iif <= 0 || p->mark_unknown ||
	    (p->hook != NF_INET_PRE_ROUTING && p->hook != NF_INET_LOCAL_IN && p->hook != NF_INET_FORWARD))
		return;
	if (!(rc->done && rc->mark == p->mark && pp_addr_eq(&rc->dst, &p->dst))) {
		rc->done = true;
		rc->mark = p->mark;
		rc->dst = p->dst;
		rc->oif = 0;
		rc->rc = pp_nl_open(&nl, NETLINK_ROUTE, &e);
		if (rc->rc < 0)
			return;
		rq.family = p->family;
		rq.dst = p->src;
		rq.has_mark = p->mark != 0;
		rq.mark = p->mark;
		rq.fibmatch = true;
		if (p->family == AF_INET)
			rq.oif = p->iif;
		else
			rq.src = p->dst;	/* nft_fib6: the packet's destination as the lookup's source */
		err = pp_route_get(&nl, &rq, &r, &e);
		pp_nl_close(&nl);
		if (err == 0) {
			int on = 0;

			for (int i = 0; i < r.nhops; i++)
				on += r.nh[i].ifindex == p->iif;
			if (r.type != RTN_UNICAST)
				;
			else if (r.nhops == 0 ? r.oif == p->iif : on > 0)
				rc->oif = p->iif;
			/*
			 * IPv6 takes the one path of a multipath route the flow's hash picks
			 * (nft_fib6 compares only its device), IPv4 any: some by iif and some
			 * not is, for IPv6, a choice pathcheck does not see.
			 */
			if (p->family == AF_INET6 && r.type == RTN_UNICAST && on > 0 && on < r.nhops) {
				rc->rc = -EAGAIN;
				return;
			}
		} else if (err != -ENETUNREACH && err != -EHOSTUNREACH && err != -EINVAL && err != -EACCES) {
			rc->rc = err;
			return;
		}
		rc->rc = 0;
	}
	if (rc->rc < 0)
		return;
	p->rpf_known = true;
	p->rpf_oif = rc->oif;
	p->rpf_mark = p->mark;
}

void
pc_nft_collect(const struct pc_query *q, struct pc_facts *f, uint32_t hooks)
{
	struct rpf_cache rpf = { 0 };
	struct pp_nl nl;
	struct base_ctx bc = { q, f, hooks, 0 };
	struct pc_nft_cache cache = { 0 };
	struct local_types lt = { 0 };
	/* A prerouting nat chain's dnat, for the chains after it on the hook. */
	bool pre_nat = false;
	struct pp_addr pre_dst = { 0 };
	uint16_t pre_dport = 0;
	char pre_nat_by[300] = "";
	size_t first = f->nchains;
	int rc;

	if (f->nft_rc < 0)
		return;
	rc = pp_nl_open(&nl, NETLINK_NETFILTER, &f->nft_err);
	if (rc < 0) {
		f->nft_rc = rc;
		return;
	}
	if (f->nft_resume) {
		/* Called again after the route ran again: carry on with the chain after the one that stopped. */
		first = f->nft_resume - 1;
		f->nft_resume = 0;
	} else {
		rc = base_chains(&nl, &bc, &f->nft_err);
		if (rc < 0) {
			f->nft_rc = rc;
			pp_nl_close(&nl);
			return;
		}
		if (f->nchains > first)
			qsort(f->chains + first, f->nchains - first, sizeof(*f->chains),
			      f->l2 ? chain_order_l2 : q->direction == PC_EGRESS && f->loop_leg ? chain_order_loop : chain_order);
	}
	cache.nl = &nl;
	if (q->follow_choices && !f->choices_init) {
		f->choices_init = true;
		f->choices.npick = q->choice_npick;
		memcpy(f->choices.pick, q->choice_pick, sizeof(f->choices.pick));
	}
	if (f->nchains > first)
		local_types_load(q->family, &lt);
	for (size_t i = first; i < f->nchains; i++) {
		struct pc_chain *c = &f->chains[i];
		const struct pc_nft_result *r = &c->res;
		struct pc_pkt p;

		/*
		 * Prerouting after a nat chain gave the flow its binding: the kernel runs no further
		 * nat chain on the hook (nf_nat_inet_fn stops at the first that binds), and every
		 * later chain sees the new destination.
		 */
		/* Only a flow's first packet meets the nat chains; conntrack applies its binding to the rest. */
		if (q->ct_state && q->ct_state != PC_CT_NEW && strcmp(c->c.type, "nat") == 0) {
			memset(&c->res, 0, sizeof(c->res));
			c->res.verdict = PC_NFT_POLICY;
			c->res.policy = NF_ACCEPT;
			snprintf(c->res.text, sizeof(c->res.text),
				 "not run: a nat chain sees only a flow's first packet; conntrack translates the rest");
			continue;
		}
		if (q->direction == PC_EGRESS && (c->c.hooknum == NF_INET_PRE_ROUTING || c->c.hooknum == NF_INET_LOCAL_IN)) {
			/* The way back in through lo (loop_leg). */
			const char *why = NULL;

			if (f->route_rc != 0 || f->route.type != RTN_LOCAL)
				why = "not run: after output the route no longer ends on this host, so the packet does not come back in through lo";
			else if (strcmp(c->c.type, "nat") == 0)
				why = "not run: the host's own flow got its nat binding at output and postrouting";
			if (why) {
				memset(&c->res, 0, sizeof(c->res));
				c->res.verdict = PC_NFT_POLICY;
				c->res.policy = NF_ACCEPT;
				snprintf(c->res.text, sizeof(c->res.text), "%s", why);
				continue;
			}
		}
		if (c->c.hooknum == NF_INET_PRE_ROUTING && pre_nat && strcmp(c->c.type, "nat") == 0) {
			memset(&c->res, 0, sizeof(c->res));
			c->res.verdict = PC_NFT_POLICY;
			c->res.policy = NF_ACCEPT;
			snprintf(c->res.text, sizeof(c->res.text), "not run: the flow's nat binding was made by %s", pre_nat_by);
			continue;
		}
		pc_pkt_for_hook(q, f, c->c.hooknum, &p);
		if (c->c.hooknum == NF_INET_PRE_ROUTING && pre_nat) {
			if (pre_dst.family == p.family)
				p.dst = pre_dst;
			if (pre_dport) {
				p.dport = pre_dport;
				p.dport_known = true;
			}
		}
		pkt_addrtype(&lt, &p);
		if (q->follow_choices)
			p.choices = &f->choices;
		if (c->c.family == NFPROTO_BRIDGE) {
			/* The bridge family sees the port the frame came in on. */
			snprintf(p.iifname, sizeof(p.iifname), "%s", f->bridge_port);
			p.iif = (int)pp_ifindex(f->bridge_port);
			snprintf(p.ibrname, sizeof(p.ibrname), "%s", f->eq.iif);
			p.bridge_family = true;
		}
		if (f->l2)
			pkt_for_l2(f, c, &p);
		/* The marks as the chains before this one left them. */
		p.mark = f->mark;
		p.mark_unknown = f->mark_unknown;
		p.ctmark = f->ctmark;
		p.ctmark_unknown = f->ctmark_unknown;
		if (c->c.family != NFPROTO_BRIDGE)
			pkt_rpf(&p, &rpf);
		/*
		 * ct status of a new flow's first packet: dnat once a nat chain bound it (prerouting,
		 * output); nothing else of the low byte is set before the source nat hook (priority
		 * 100). A flow asked about as established, related or its reply: not known.
		 */
		if (p.ct_state == PC_CT_NEW && !p.ct_reply &&
		    (c->c.hooknum == NF_INET_PRE_ROUTING || c->c.hooknum == NF_INET_FORWARD ||
		     c->c.hooknum == NF_INET_LOCAL_OUT ||
		     (c->c.hooknum == NF_INET_LOCAL_IN && c->c.prio < NF_IP_PRI_NAT_SRC))) {
			p.ct_status_known = true;
			if ((c->c.hooknum == NF_INET_PRE_ROUTING && q->direction != PC_EGRESS && pre_nat) ||
			    ((c->c.hooknum != NF_INET_PRE_ROUTING || q->direction == PC_EGRESS) && f->dnat))
				p.ct_status |= IPS_DST_NAT;
		}
		c->rc = pc_nft_eval_base(&cache, &c->c, &p, &c->res);
		if (r->verdict == PC_NFT_DROP || (r->verdict == PC_NFT_POLICY && r->policy == NF_DROP))
			continue;	/* a dropped packet goes no further: later chains judge a packet that never comes */
		f->mark = r->mark;
		f->mark_unknown = r->mark_unknown;
		f->ctmark = r->ctmark;
		f->ctmark_unknown = r->ctmark_unknown;
		if (r->mark_set && (r->mark_unknown || r->mark != p.mark || p.mark_unknown))
			snprintf(f->mark_by, sizeof(f->mark_by), "%s in %s %s %s", r->mark_stmt,
				 pp_nft_family_name(c->c.family), c->c.table, r->mark_chain);
		if (c->c.hooknum == NF_INET_PRE_ROUTING && strcmp(c->c.type, "nat") == 0 && r->dnat &&
		    r->verdict == PC_NFT_ACCEPT && !pre_nat) {
			pre_nat = true;
			pre_dst = r->nat_addr;
			pre_dport = r->nat_port;
			snprintf(pre_nat_by, sizeof(pre_nat_by), "%s %s %s", pp_nft_family_name(c->c.family),
				 c->c.table, c->c.name);
		}
		if (q->direction != PC_EGRESS || c->c.hooknum != NF_INET_LOCAL_OUT)
			continue;
		/* A dnat at output: the later chains and stations see the new destination (q is f->eq). */
		if (r->dnat && strcmp(c->c.type, "nat") == 0 && !f->dnat) {
			f->dnat = true;
			snprintf(f->dnat_text, sizeof(f->dnat_text), "%s in %s %s %s", r->nat,
				 pp_nft_family_name(c->c.family), c->c.table, r->chain);
			if (r->nat_addr.family == f->eq.family)
				f->eq.dst = r->nat_addr;
			if (r->nat_port) {
				f->eq.dport = r->nat_port;
				f->eq.has_dport = true;
			}
		}
		if (r->reroute) {
			/* The kernel routes again here: stop, the walker runs the route station, then calls in again. */
			snprintf(f->reroute_why, sizeof(f->reroute_why), "%s",
				 strcmp(c->c.type, "nat") == 0 ? f->dnat_text : f->mark_by);
			f->nft_resume = i + 2;
			break;
		}
	}
	/* An output dnat to this host: it comes back in through lo, whose hooks were not collected. */
	if (!f->nft_resume && q->direction == PC_EGRESS && !f->loop_leg && !f->l2 && f->route_rc == 0 &&
	    f->route.type == RTN_LOCAL && f->dnat)
		f->loop_missed = true;
	/* br_netfilter routes a bridged frame whose destination a dnat changed (br_nf_pre_routing_finish). */
	if (f->l2 && pre_nat)
		snprintf(f->l2_dnat, sizeof(f->l2_dnat), "%s", pre_nat_by);
	pc_nft_cache_free(&cache);
	pp_nl_close(&nl);
}
