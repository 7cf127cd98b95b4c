/*
 * eval.c: from facts to stations and a verdict. Pure: no I/O, so every decision
 * is unit-tested with built facts.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "pathcheck.h"

const char *
pc_station_name(enum pc_station_id id)
{
	static const char *const names[PC_NSTATIONS] = {
		"ingress-device", "prerouting", "route", "input", "socket", "forward", "output",
		"postrouting", "conntrack", "neighbour", "qdisc", "egress-device", "pmtu", "remote",
	};
	return (unsigned)id < PC_NSTATIONS ? names[id] : "?";
}

void
pc_warn(struct pc_result *r, const char *fmt, ...)
{
	char buf[512], **nv;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	nv = realloc(r->warnings, (r->nwarnings + 1) * sizeof(*nv));
	if (!nv)
		return;
	r->warnings = nv;
	if ((nv[r->nwarnings] = strdup(buf)))
		r->nwarnings++;
}

static struct pc_station *
station(struct pc_result *r, enum pc_station_id id, enum pp_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static struct pc_station *
station(struct pc_result *r, enum pc_station_id id, enum pp_status st, const char *fmt, ...)
{
	struct pc_station *s = &r->st[id];
	va_list ap;

	s->present = true;
	s->status = st;
	va_start(ap, fmt);
	vsnprintf(s->summary, sizeof(s->summary), fmt, ap);
	va_end(ap);
	if (!s->evidence)
		s->evidence = pp_val_obj();
	return s;
}

static void
hint(struct pc_station *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void
hint(struct pc_station *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->hint, sizeof(s->hint), fmt, ap);
	va_end(ap);
}

static const char *
a2s(const struct pp_addr *a, char *buf, size_t len)
{
	return pp_addr_str(a, buf, len);
}

static const char *
ipcmd(const struct pc_query *q)
{
	return q->family == AF_INET6 ? "ip -6" : "ip";
}

/* ---- route ---- */

/* The first rule the flow matches that sends it to table, or NULL. */
static const struct pp_rule *
deciding_rule(const struct pc_facts *f, const struct pp_rule_flow *rf, uint32_t table)
{
	for (size_t i = 0; i < f->nrules; i++) {
		const struct pp_rule *r = &f->rules[i];

		if (pp_rule_match(r, rf) && r->action == FR_ACT_TO_TBL && r->table == table)
			return r;
	}
	return NULL;
}

void pc_rule_flow(const struct pc_query *q, struct pp_rule_flow *rf);

/*
 * Custom tables (not local, main, default) that a rule sent the flow to before the
 * deciding rule, and that had no route for it: the "policy rule to an empty table".
 */
static size_t
passed_tables(const struct pc_facts *f, const struct pp_rule_flow *rf, const struct pp_rule *upto,
	      const struct pp_rule **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < f->nrules && n < max; i++) {
		const struct pp_rule *r = &f->rules[i];

		if (r == upto)
			break;
		if (!pp_rule_match(r, rf) || r->action != FR_ACT_TO_TBL)
			continue;
		if (r->table == RT_TABLE_LOCAL || r->table == RT_TABLE_MAIN || r->table == RT_TABLE_DEFAULT)
			continue;
		if (r->suppress_prefixlen >= 0 || r->suppress_ifgroup != UINT32_MAX)
			continue;	/* a suppressing rule passes on purpose (wg-quick style) */
		out[n++] = r;
	}
	return n;
}

static void
rules_evidence(struct pp_val *ev, const struct pc_facts *f, const struct pp_rule_flow *rf)
{
	struct pp_val *arr = pp_val_add_arr(ev, "rules_matched");
	char buf[256];

	for (size_t i = 0; i < f->nrules; i++)
		if (pp_rule_match(&f->rules[i], rf))
			pp_val_add_str(arr, NULL, pp_rule_format(&f->rules[i], buf, sizeof(buf)));
}

static void
route_evidence(struct pp_val *ev, const struct pp_route *r, const struct pp_route *fib, bool has_fib)
{
	char a[INET6_ADDRSTRLEN], t[16], dev[IF_NAMESIZE];
	const struct pp_route *src = has_fib ? fib : r;

	if (src->dst.family)
		pp_val_add_strf(ev, "prefix", "%s/%u", a2s(&src->dst, a, sizeof(a)), src->dst_len);
	else
		pp_val_add_str(ev, "prefix", "default");
	pp_val_add_str(ev, "type", pp_route_type_name(r->type));
	pp_val_add_str(ev, "table", pp_route_table_name(r->table, t, sizeof(t)));
	if (r->gateway.family)
		pp_val_add_str(ev, "gateway", a2s(&r->gateway, a, sizeof(a)));
	if (r->oif && if_indextoname((unsigned)r->oif, dev))
		pp_val_add_str(ev, "dev", dev);
	if (r->prefsrc.family)
		pp_val_add_str(ev, "src", a2s(&r->prefsrc, a, sizeof(a)));
	if (has_fib)
		pp_val_add_str(ev, "protocol", pp_route_proto_name(fib->protocol, t, sizeof(t)));
	if (has_fib && fib->has_priority)
		pp_val_add_u64(ev, "metric", fib->priority);
	if (r->mtu)
		pp_val_add_u64(ev, "mtu", r->mtu);
}

static const char *
err_type_word(int rc)
{
	switch (rc) {
	case -EINVAL: return "blackhole";
	case -EHOSTUNREACH: return "unreachable";
	case -EACCES: return "prohibit";
	default: return NULL;
	}
}

static void
eval_route_failure(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pp_rule_flow rf;
	char d[INET6_ADDRSTRLEN], a[INET6_ADDRSTRLEN], t[16], rb[256], err[512];
	const char *word = err_type_word(f->route_rc);
	struct pc_station *s;

	pc_rule_flow(q, &rf);
	a2s(&q->dst, d, sizeof(d));
	/* First, a rule whose own action is the failure. */
	for (size_t i = 0; i < f->nrules; i++) {
		const struct pp_rule *r = &f->rules[i];
		const char *act = r->action == FR_ACT_BLACKHOLE ? "blackhole" :
				  r->action == FR_ACT_UNREACHABLE ? "unreachable" :
				  r->action == FR_ACT_PROHIBIT ? "prohibit" : NULL;

		if (!pp_rule_match(r, &rf))
			continue;
		/* A table that holds a route for the flow ends the walk before any later rule. */
		if (r->action == FR_ACT_TO_TBL) {
			bool stops = false;

			for (size_t k = 0; k < f->nspecial; k++)
				if (f->special[k].table == r->table && f->special[k].found &&
				    f->special[k].r.type != RTN_THROW)
					stops = true;
			if (stops)
				break;
			continue;
		}
		if (act) {
			s = station(res, PC_ROUTE, PP_ST_FAIL, "policy rule %s: %s action for %s",
				    pp_rule_format(r, rb, sizeof(rb)), act, d);
			pp_val_add_str(s->evidence, "rule", rb);
			pp_val_add_str(s->evidence, "kernel_error", strerror(-f->route_rc));
			hint(s, "%s rule show", ipcmd(q));
			return;
		}
	}
	/* Then the special route the table walk ran into. */
	for (size_t k = 0; k < f->nspecial; k++) {
		const struct pc_special *sp = &f->special[k];

		if (!sp->found || sp->r.type == RTN_THROW)
			continue;
		const char *tn = pp_route_table_name(sp->table, t, sizeof(t));

		s = station(res, PC_ROUTE, PP_ST_FAIL, "%s route %s/%u in table %s (rule %u) %s %s",
			    pp_route_type_name(sp->r.type), a2s(&sp->r.dst, a, sizeof(a)), sp->r.dst_len,
			    tn, sp->rule_prio,
			    sp->r.type == RTN_BLACKHOLE ? "silently discards" :
			    sp->r.type == RTN_PROHIBIT ? "rejects (administratively prohibited)" : "rejects (unreachable)",
			    d);
		if (!sp->r.dst.family)
			snprintf(s->summary, sizeof(s->summary), "%s default route in table %s (rule %u) %s %s",
				 pp_route_type_name(sp->r.type), tn, sp->rule_prio,
				 sp->r.type == RTN_BLACKHOLE ? "silently discards" : "rejects", d);
		pp_val_add_str(s->evidence, "type", pp_route_type_name(sp->r.type));
		if (sp->r.dst.family)
			pp_val_add_strf(s->evidence, "prefix", "%s/%u", a, sp->r.dst_len);
		else
			pp_val_add_str(s->evidence, "prefix", "default");
		pp_val_add_str(s->evidence, "table", tn);
		pp_val_add_str(s->evidence, "kernel_error", strerror(-f->route_rc));
		hint(s, "%s route show table %s type %s", ipcmd(q), tn, pp_route_type_name(sp->r.type));
		return;
	}
	if (f->route_rc == -ENETUNREACH) {
		const struct pc_special *throw_ = NULL;
		char tables[128] = "";
		size_t o = 0;

		for (size_t k = 0; k < f->nspecial; k++) {
			if (f->special[k].found && f->special[k].r.type == RTN_THROW && !throw_)
				throw_ = &f->special[k];
			if (o < sizeof(tables))
				o += (size_t)snprintf(tables + o, sizeof(tables) - o, "%s%s", o ? ", " : "",
						      pp_route_table_name(f->special[k].table, t, sizeof(t)));
		}
		if (throw_)
			s = station(res, PC_ROUTE, PP_ST_FAIL,
				    "no route to %s: throw route %s/%u in table %s sent the lookup on, and no later table has a route",
				    d, a2s(&throw_->r.dst, a, sizeof(a)), throw_->r.dst_len,
				    pp_route_table_name(throw_->table, t, sizeof(t)));
		else
			s = station(res, PC_ROUTE, PP_ST_FAIL, "no route to %s (tables tried: %s)", d,
				    tables[0] ? tables : "none");
		if (f->links_down[0]) {
			size_t n = strlen(s->summary);

			snprintf(s->summary + n, sizeof(s->summary) - n, "; devices down: %s", f->links_down);
			pp_val_add_str(s->evidence, "devices_down", f->links_down);
			hint(s, "ip link set %s up", f->links_down);
		} else {
			hint(s, "%s route get %s; %s rule show", ipcmd(q), d, ipcmd(q));
		}
		pp_val_add_str(s->evidence, "kernel_error", strerror(ENETUNREACH));
		pp_val_add_str(s->evidence, "tables_tried", tables);
		rules_evidence(s->evidence, f, &rf);
		return;
	}
	if (word) {
		s = station(res, PC_ROUTE, PP_ST_FAIL, "%s route for %s (the kernel says: %s)", word, d,
			    strerror(-f->route_rc));
		pp_val_add_str(s->evidence, "kernel_error", strerror(-f->route_rc));
		if (f->route_err.ext[0])
			pp_val_add_str(s->evidence, "kernel_message", f->route_err.ext);
		hint(s, "%s route get %s; %s route show type %s", ipcmd(q), d, ipcmd(q), word);
		return;
	}
	s = station(res, PC_ROUTE, PP_ST_UNKNOWN, "route lookup failed: %s",
		    pp_err_str(&f->route_err, err, sizeof(err)));
	if (pp_errno_needs(f->route_rc))
		pp_val_add_str(s->evidence, "needs", pp_errno_needs(f->route_rc));
}

static void
eval_route(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pp_rule_flow rf;
	const struct pp_route *r = &f->route;
	const struct pp_rule *dr = NULL, *passed[8];
	char buf[256], rb[256], d[INET6_ADDRSTRLEN], t[16];
	struct pc_station *s;
	size_t np;

	pc_rule_flow(q, &rf);
	a2s(&q->dst, d, sizeof(d));
	if (f->route_rc < 0) {
		/* A source that is not ours fails the lookup (EINVAL or ENETUNREACH); the socket station says so. */
		if (q->direction == PC_EGRESS && q->src.family && f->src_local == 0 && f->nosrc_rc == 0) {
			s = station(res, PC_ROUTE, PP_ST_OK, "%s (looked up without --from, which is not local)",
				    pp_route_format(&f->nosrc_route, buf, sizeof(buf)));
			route_evidence(s->evidence, &f->nosrc_route, NULL, false);
			return;
		}
		eval_route_failure(q, f, res);
		return;
	}
	pp_route_format(f->fib_rc == 0 ? &f->fib : r, buf, sizeof(buf));
	if (f->rules_rc == 0)
		dr = deciding_rule(f, &rf, r->table);
	s = station(res, PC_ROUTE, PP_ST_OK, "%s", buf);
	route_evidence(s->evidence, r, &f->fib, f->fib_rc == 0);
	if (dr) {
		size_t n = strlen(s->summary);

		pp_rule_format(dr, rb, sizeof(rb));
		snprintf(s->summary + n, sizeof(s->summary) - n, " (rule %u)", dr->priority);
		pp_val_add_str(s->evidence, "rule", rb);
	}
	if (f->rules_rc < 0) {
		pp_val_add_strf(s->evidence, "rules_error", "%s", strerror(-f->rules_rc));
		return;
	}
	np = passed_tables(f, &rf, dr, passed, PP_ARRAY_SIZE(passed));
	if (np) {
		s->status = PP_ST_WARN;
		const char *tn = pp_route_table_name(passed[0]->table, t, sizeof(t));

		snprintf(s->summary, sizeof(s->summary),
			 "rule %u sends this flow to table %s, which has no route for %s; the lookup fell through to %s",
			 passed[0]->priority, tn, d, buf);
		pp_val_add_str(s->evidence, "passed_rule", pp_rule_format(passed[0], rb, sizeof(rb)));
		hint(s, "%s route show table %s; %s rule show", ipcmd(q), tn, ipcmd(q));
	}
	if (r->type == RTN_LOCAL)
		snprintf(s->summary, sizeof(s->summary), "local: %s is an address of this host (table %s)", d,
			 pp_route_table_name(r->table, t, sizeof(t)));
}

/* ---- socket (egress) ---- */

static void
eval_socket_egress(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	char a[INET6_ADDRSTRLEN];
	struct pc_station *s;

	if (q->src.family) {
		a2s(&q->src, a, sizeof(a));
		if (f->src_local < 0) {
			s = station(res, PC_SOCKET, PP_ST_UNKNOWN, "could not list addresses: %s",
				    strerror(-f->src_local));
			return;
		}
		if (f->src_local == 0) {
			s = station(res, PC_SOCKET, PP_ST_FAIL,
				    "%s is not an address of this host: bind() fails with EADDRNOTAVAIL", a);
			hint(s, "%s addr show", ipcmd(q));
			return;
		}
		if (f->src_flags & IFA_F_DADFAILED) {
			s = station(res, PC_SOCKET, PP_ST_FAIL, "%s failed duplicate address detection", a);
			hint(s, "ip -6 addr show");
			return;
		}
		if (f->src_flags & IFA_F_TENTATIVE) {
			s = station(res, PC_SOCKET, PP_ST_WARN, "%s is tentative (duplicate address detection running)", a);
			return;
		}
		s = station(res, PC_SOCKET, PP_ST_OK, "source %s is local", a);
		pp_val_add_str(s->evidence, "src", a);
		return;
	}
	if (f->route_rc < 0) {
		station(res, PC_SOCKET, PP_ST_SKIPPED, "no route, so no source address to choose");
		return;
	}
	if (f->route.prefsrc.family) {
		s = station(res, PC_SOCKET, PP_ST_OK, "source %s, chosen by the route",
			    a2s(&f->route.prefsrc, a, sizeof(a)));
		pp_val_add_str(s->evidence, "src", a);
		return;
	}
	if (f->route.type == RTN_LOCAL) {
		station(res, PC_SOCKET, PP_ST_OK, "local destination");
		return;
	}
	s = station(res, PC_SOCKET, PP_ST_WARN, "the route gives no source address: the host has no usable address for it");
	hint(s, "%s addr show", ipcmd(q));
}

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
			s = station(res, id, PP_ST_OK, "nftables is not available in this kernel: no rules on %s", hname);
		} else {
			s = station(res, id, PP_ST_UNKNOWN, "nftables ruleset not read: %s",
				    pp_err_str(&f->nft_err, err, sizeof(err)));
			if (pp_errno_needs(f->nft_rc)) {
				pp_val_add_str(s->evidence, "needs", pp_errno_needs(f->nft_rc));
				snprintf(s->summary, sizeof(s->summary), "nftables ruleset not read: %s",
					 pp_errno_needs(f->nft_rc));
			}
		}
		return;
	}
	s = station(res, id, PP_ST_OK, "%s", "");
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
		hint(s, "nft -a list chain %s %s %s", fam, c->c.table, c->res.chain[0] ? c->res.chain : c->c.name);
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
		hint(s, "nft -a list chain %s %s %s", fam, c->c.table, c->res.chain[0] ? c->res.chain : c->c.name);
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
		hint(s, "%s -L -n -v", q->family == AF_INET6 ? "ip6tables-legacy" : "iptables-legacy");
	}
}

/* ---- neighbour, qdisc, device ---- */

static void
eval_neigh(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	char a[INET6_ADDRSTRLEN], st[64], ll[64], err[512];
	const char *dev = f->oif_link.name;
	struct pc_station *s;

	if (f->route_rc < 0) {
		station(res, PC_NEIGHBOUR, PP_ST_SKIPPED, "no route");
		return;
	}
	if (!f->need_neigh) {
		station(res, PC_NEIGHBOUR, PP_ST_SKIPPED, "no neighbour resolution on this path (%s)",
			f->route.type == RTN_LOCAL ? "local delivery" :
			f->oif_rc == 0 && (f->oif_link.flags & IFF_NOARP) ? "device does not use ARP/NDP" :
			"not a unicast route through a device");
		return;
	}
	a2s(&f->nexthop, a, sizeof(a));
	if (f->neigh_rc == -ENOENT) {
		s = station(res, PC_NEIGHBOUR, PP_ST_OK, "no entry for next hop %s on %s yet; the first packet resolves it", a, dev);
		pp_val_add_str(s->evidence, "next_hop", a);
		return;
	}
	if (f->neigh_rc < 0) {
		s = station(res, PC_NEIGHBOUR, PP_ST_UNKNOWN, "neighbour lookup failed: %s",
			    pp_err_str(&f->neigh_err, err, sizeof(err)));
		return;
	}
	pp_neigh_state_name(f->neigh.state, st, sizeof(st));
	if (f->neigh.state & NUD_FAILED) {
		s = station(res, PC_NEIGHBOUR, PP_ST_FAIL, "next hop %s on %s is FAILED: nobody answered %s",
			    a, dev, q->family == AF_INET6 ? "neighbour solicitation" : "ARP");
	} else if (f->neigh.state & NUD_INCOMPLETE) {
		s = station(res, PC_NEIGHBOUR, PP_ST_FAIL, "next hop %s on %s is INCOMPLETE: resolution sent, no answer yet", a, dev);
	} else {
		s = station(res, PC_NEIGHBOUR, PP_ST_OK, "next hop %s on %s is %s", a, dev, st);
	}
	if (s->status == PP_ST_FAIL) {
		if (f->neigh.state & NUD_FAILED)
			snprintf(s->drop_reason, sizeof(s->drop_reason), "NEIGH_FAILED");
		hint(s, "%s neigh show dev %s %s", ipcmd(q), dev, a);
	}
	pp_val_add_str(s->evidence, "next_hop", a);
	pp_val_add_str(s->evidence, "state", st);
	if (f->neigh.lladdr_len)
		pp_val_add_str(s->evidence, "lladdr", pp_lladdr_str(f->neigh.lladdr, f->neigh.lladdr_len, ll, sizeof(ll)));
	if (f->neigh.has_probes)
		pp_val_add_u64(s->evidence, "probes", f->neigh.probes);
}

static void
eval_qdisc(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s;
	struct pp_val *arr;
	const struct pp_qdisc *root = NULL;
	uint64_t drops = 0;
	char h[16], p[16], err[512];

	if (f->route_rc < 0 || !f->oif_link.ifindex) {
		station(res, PC_QDISC, PP_ST_SKIPPED, "no egress device");
		return;
	}
	if (f->route.type == RTN_LOCAL || (f->oif_link.flags & IFF_LOOPBACK)) {
		station(res, PC_QDISC, PP_ST_SKIPPED, "local delivery through loopback");
		return;
	}
	if (f->qdisc_rc < 0) {
		s = station(res, PC_QDISC, PP_ST_UNKNOWN, "qdisc dump failed: %s",
			    pp_err_str(&f->qdisc_err, err, sizeof(err)));
		return;
	}
	s = station(res, PC_QDISC, PP_ST_OK, "%s", "");
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
		hint(s, "tc -s qdisc show dev %s", f->oif_link.name);
	(void)q;
}

static void
eval_egress_device(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	const struct pp_link *l = &f->oif_link;
	struct pc_station *s;
	char err[512];

	if (f->route_rc < 0) {
		station(res, PC_EGRESS_DEVICE, PP_ST_SKIPPED, "no route");
		return;
	}
	if (f->oif_rc < 0) {
		s = station(res, PC_EGRESS_DEVICE, PP_ST_UNKNOWN, "device lookup failed: %s",
			    pp_err_str(&f->oif_err, err, sizeof(err)));
		return;
	}
	if (!(l->flags & IFF_UP)) {
		s = station(res, PC_EGRESS_DEVICE, PP_ST_FAIL, "%s is administratively down", l->name);
		hint(s, "ip link set %s up", l->name);
	} else if (!(l->flags & IFF_LOWER_UP) || (l->has_carrier && !l->carrier)) {
		s = station(res, PC_EGRESS_DEVICE, PP_ST_FAIL,
			    "%s has no carrier (operstate %s): the link or its peer is down", l->name,
			    pp_operstate_name(l->operstate));
		hint(s, "ip link show %s", l->name);
	} else {
		s = station(res, PC_EGRESS_DEVICE, PP_ST_OK, "%s up, carrier, mtu %u", l->name, l->mtu);
		if (l->stats.tx_errors || l->stats.tx_dropped) {
			size_t n = strlen(s->summary);

			snprintf(s->summary + n, sizeof(s->summary) - n, ", %llu tx errors and %llu tx drops since boot",
				 (unsigned long long)l->stats.tx_errors, (unsigned long long)l->stats.tx_dropped);
		}
	}
	pp_val_add_str(s->evidence, "dev", l->name);
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

/* ---- verdict ---- */

void
pc_eval(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	memset(res, 0, sizeof(*res));
	if (q->direction == PC_EGRESS) {
		eval_socket_egress(q, f, res);
		eval_route(q, f, res);
		eval_hook(q, f, res, PC_OUTPUT, NF_INET_LOCAL_OUT);
		eval_hook(q, f, res, PC_POSTROUTING, NF_INET_POST_ROUTING);
		eval_neigh(q, f, res);
		eval_qdisc(q, f, res);
		eval_egress_device(q, f, res);
	}
	res->verdict_station = PC_NSTATIONS;
	res->verdict_status = PP_ST_OK;
	/* The first fail in path order, else the first warn, else the first unknown. */
	{
		static const enum pp_status pick[] = { PP_ST_FAIL, PP_ST_WARN, PP_ST_UNKNOWN };
		size_t n;
		const enum pc_station_id *order = pc_path_order(q->direction, &n);

		for (size_t k = 0; k < PP_ARRAY_SIZE(pick) && res->verdict_station == PC_NSTATIONS; k++)
			for (size_t i = 0; i < n; i++)
				if (res->st[order[i]].present && res->st[order[i]].status == pick[k]) {
					res->verdict_station = order[i];
					res->verdict_status = pick[k];
					break;
				}
	}
}

const enum pc_station_id *
pc_path_order(enum pc_direction d, size_t *n)
{
	/* The contract's vocabulary and its path order, keeping the stations each direction meets. */
	static const enum pc_station_id egress[] = {
		PC_ROUTE, PC_SOCKET, PC_OUTPUT, PC_POSTROUTING, PC_CONNTRACK, PC_NEIGHBOUR,
		PC_QDISC, PC_EGRESS_DEVICE, PC_PMTU, PC_REMOTE,
	};
	static const enum pc_station_id ingress[] = {
		PC_INGRESS_DEVICE, PC_PREROUTING, PC_ROUTE, PC_INPUT, PC_SOCKET, PC_CONNTRACK,
	};
	static const enum pc_station_id forward[] = {
		PC_INGRESS_DEVICE, PC_PREROUTING, PC_ROUTE, PC_FORWARD_ST, PC_POSTROUTING, PC_CONNTRACK,
		PC_NEIGHBOUR, PC_QDISC, PC_EGRESS_DEVICE, PC_PMTU, PC_REMOTE,
	};

	switch (d) {
	case PC_INGRESS: *n = PP_ARRAY_SIZE(ingress); return ingress;
	case PC_FORWARD: *n = PP_ARRAY_SIZE(forward); return forward;
	default: *n = PP_ARRAY_SIZE(egress); return egress;
	}
}

int
pc_exit_code(const struct pc_result *r)
{
	switch (r->verdict_status) {
	case PP_ST_FAIL:
	case PP_ST_WARN: return PP_EXIT_PROBLEM;
	case PP_ST_UNKNOWN: return PP_EXIT_UNKNOWN;
	default: return PP_EXIT_OK;
	}
}

void
pc_result_free(struct pc_result *r)
{
	for (int i = 0; i < PC_NSTATIONS; i++)
		pp_val_free(r->st[i].evidence);
	for (size_t i = 0; i < r->nwarnings; i++)
		free(r->warnings[i]);
	free(r->warnings);
	memset(r, 0, sizeof(*r));
}
