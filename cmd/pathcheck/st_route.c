/*
 * st_route.c: the route station. Reads the policy rules (RTM_GETRULE dump), the kernel's
 * own lookup for the packet (RTM_GETROUTE, and with RTM_F_FIB_MATCH the FIB entry behind
 * it), the special routes that explain a failed lookup, devices that are down, the source
 * ports that policy rules select on, and for an arriving packet the way back to the source.
 * It changes the packet: it decides an arriving packet's direction (local or forwarded),
 * picks the source port the lookup used, and names the device it leaves by. It runs again
 * when a later station (an output chain's mark or dnat) makes the kernel route again.
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

#include "snap.h"
#include "addr.h"
#include "st_netfilter.h"
#include "pathcheck.h"

/* ---- route ---- */

const struct pp_rule *
pc_deciding_rule(const struct pc_facts *f, const struct pp_rule_flow *rf, uint32_t table)
{
	for (size_t i = 0; i < f->nrules; i++) {
		const struct pp_rule *r = &f->rules[i];

		if (pp_rule_match(r, rf) && r->action == FR_ACT_TO_TBL && r->table == table)
			return r;
	}
	return NULL;
}

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
		pp_val_add_strf(ev, "prefix", "%s/%u", pp_addr_str(&src->dst, a, sizeof(a)), src->dst_len);
	else
		pp_val_add_str(ev, "prefix", "default");
	pp_val_add_str(ev, "type", pp_route_type_name(r->type));
	pp_val_add_str(ev, "table", pp_route_table_name(r->table, t, sizeof(t)));
	if (r->gateway.family)
		pp_val_add_str(ev, "gateway", pp_addr_str(&r->gateway, a, sizeof(a)));
	if (r->oif && pp_ifname((unsigned)r->oif, dev)) {
		pp_val_add_str(ev, "device", dev);
		pp_val_add_str(ev, "dev", dev);	/* the old key, an alias for one release */
	}
	if (r->prefsrc.family)
		pp_val_add_str(ev, "src", pp_addr_str(&r->prefsrc, a, sizeof(a)));
	if (has_fib)
		pp_val_add_str(ev, "protocol", pp_route_proto_name(fib->protocol, t, sizeof(t)));
	if (has_fib && fib->has_priority)
		pp_val_add_u64(ev, "metric", fib->priority);
	if (r->mtu)
		pp_val_add_u64(ev, "mtu", r->mtu);
}

/*
 * ECMP: every next hop of the FIB entry, the one this walk follows, and whether that is
 * a branch of the walk (the hash takes what pathcheck does not know) or the kernel's
 * own answer for this flow.
 */
static void
ecmp_evidence(const struct pc_facts *f, struct pc_station *s)
{
	struct pp_val *arr = pp_val_add_arr(s->evidence, "next_hops");
	char a[INET6_ADDRSTRLEN], dev[IF_NAMESIZE];
	size_t n = strlen(s->summary);

	for (int i = 0; i < f->ecmp_n; i++) {
		const struct pp_nexthop *nh = &f->fib.nh[i];
		struct pp_val *o = arr ? pp_val_add_obj(arr, NULL) : NULL;

		if (!o)
			break;
		if (nh->gw.family)
			pp_val_add_str(o, "gateway", pp_addr_str(&nh->gw, a, sizeof(a)));
		if (nh->ifindex && pp_ifname((unsigned)nh->ifindex, dev)) {
			pp_val_add_str(o, "device", dev);
			pp_val_add_str(o, "dev", dev);	/* the old key, an alias for one release */
		}
		pp_val_add_u64(o, "weight", nh->weight);
		pp_val_add_bool(o, "followed", i == f->ecmp_taken);
		if (f->ecmp_skip[i])
			pp_val_add_str(o, "passed_over", "its neighbour is not valid: the kernel uses another");
		pp_val_add_bool(o, "kernel_answer", i == f->ecmp_kernel);
	}
	pp_val_add_bool(s->evidence, "ecmp_branches", f->ecmp_branch);
	if (f->ecmp_policy >= 0)
		pp_val_add_i64(s->evidence, "multipath_hash_policy", f->ecmp_policy);
	if (f->ecmp_taken >= 0 && n < sizeof(s->summary))
		snprintf(s->summary + n, sizeof(s->summary) - n, " (ECMP: next hop %d of %d, %s)", f->ecmp_taken + 1,
			 f->ecmp_n, f->ecmp_branch ? "each one followed" : "the kernel's hash of this flow");
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

/* The cause of a policy rule's own failing action, of a special route, of the kernel's errno. */
static enum pc_cause
rule_action_cause(uint8_t action)
{
	return action == FR_ACT_BLACKHOLE ? PC_C_ROUTE_BLACKHOLE :
	       action == FR_ACT_PROHIBIT ? PC_C_ROUTE_PROHIBIT : PC_C_ROUTE_UNREACHABLE;
}

static enum pc_cause
route_type_cause(uint8_t type)
{
	return type == RTN_BLACKHOLE ? PC_C_ROUTE_BLACKHOLE :
	       type == RTN_PROHIBIT ? PC_C_ROUTE_PROHIBIT : PC_C_ROUTE_UNREACHABLE;
}

static enum pc_cause
route_rc_cause(int rc)
{
	return rc == -EINVAL ? PC_C_ROUTE_BLACKHOLE : rc == -EACCES ? PC_C_ROUTE_PROHIBIT : PC_C_ROUTE_UNREACHABLE;
}

static void
eval_route_failure(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pp_rule_flow rf;
	char d[INET6_ADDRSTRLEN], a[INET6_ADDRSTRLEN], t[16], rb[256], err[512];
	const char *word = err_type_word(f->route_rc);
	struct pc_station *s;

	pc_rule_flow(q, &rf);
	pp_addr_str(&q->dst, d, sizeof(d));
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
			s = pc_st(res, PC_ROUTE, PP_ST_FAIL, rule_action_cause(r->action), "policy rule %s: %s action for %s",
				    pp_rule_format(r, rb, sizeof(rb)), act, d);
			pp_val_add_str(s->evidence, "rule", rb);
			pp_val_add_str(s->evidence, "kernel_error", strerror(-f->route_rc));
			pc_hint(s, "%s rule show", pc_ipcmd(q));
			return;
		}
	}
	/* Then the special route the table walk ran into. */
	for (size_t k = 0; k < f->nspecial; k++) {
		const struct pc_special *sp = &f->special[k];

		if (!sp->found || sp->r.type == RTN_THROW)
			continue;
		const char *tn = pp_route_table_name(sp->table, t, sizeof(t));

		s = pc_st(res, PC_ROUTE, PP_ST_FAIL, route_type_cause(sp->r.type), "%s route %s/%u in table %s (rule %u) %s %s",
			    pp_route_type_name(sp->r.type), pp_addr_str(&sp->r.dst, a, sizeof(a)), sp->r.dst_len,
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
		pc_hint(s, "%s route show table %s type %s", pc_ipcmd(q), tn, pp_route_type_name(sp->r.type));
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
			s = pc_st(res, PC_ROUTE, PP_ST_FAIL, PC_C_ROUTE_THROW,
				    "no route to %s: throw route %s/%u in table %s sent the lookup on, and no later table has a route",
				    d, pp_addr_str(&throw_->r.dst, a, sizeof(a)), throw_->r.dst_len,
				    pp_route_table_name(throw_->table, t, sizeof(t)));
		else
			s = pc_st(res, PC_ROUTE, PP_ST_FAIL, PC_C_ROUTE_NONE, "no route to %s (tables tried: %s)", d,
				    tables[0] ? tables : "none");
		if (f->links_down[0]) {
			size_t n = strlen(s->summary);

			snprintf(s->summary + n, sizeof(s->summary) - n, "; devices down: %s", f->links_down);
			pp_val_add_str(s->evidence, "devices_down", f->links_down);
			pc_hint(s, "ip link set %s up", f->links_down);
		} else {
			pc_hint(s, "%s route get %s; %s rule show", pc_ipcmd(q), d, pc_ipcmd(q));
		}
		pp_val_add_str(s->evidence, "kernel_error", strerror(ENETUNREACH));
		pp_val_add_str(s->evidence, "tables_tried", tables);
		rules_evidence(s->evidence, f, &rf);
		return;
	}
	if (word) {
		s = pc_st(res, PC_ROUTE, PP_ST_FAIL, route_rc_cause(f->route_rc), "%s route for %s (the kernel says: %s)", word, d,
			    strerror(-f->route_rc));
		pp_val_add_str(s->evidence, "kernel_error", strerror(-f->route_rc));
		if (f->route_err.ext[0])
			pp_val_add_str(s->evidence, "kernel_message", f->route_err.ext);
		pc_hint(s, "%s route get %s; %s route show type %s", pc_ipcmd(q), d, pc_ipcmd(q), word);
		return;
	}
	s = pc_st(res, PC_ROUTE, PP_ST_UNKNOWN, pc_cause_of_errno(f->route_rc), "route lookup failed: %s",
		    pp_err_str(&f->route_err, err, sizeof(err)));
	if (pp_errno_needs(f->route_rc))
		pp_val_add_str(s->evidence, "needs", pp_errno_needs(f->route_rc));
}

/* The throw route that made the passed rule's table send the lookup on, if it held one. */
static const struct pc_special *
thrown_by(const struct pc_facts *f, const struct pp_rule *passed)
{
	for (size_t i = 0; i < f->nthrown; i++)
		if (f->thrown[i].table == passed->table && f->thrown[i].rule_prio == passed->priority)
			return f->thrown[i].found ? &f->thrown[i] : NULL;
	return NULL;
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
	pp_addr_str(&q->dst, d, sizeof(d));
	if (f->route_rc < 0) {
		/* A source that is not ours fails the lookup (EINVAL or ENETUNREACH); the socket station says so. */
		if (q->direction == PC_EGRESS && q->src.family && f->src_local == 0 && f->nosrc_rc == 0) {
			s = pc_st(res, PC_ROUTE, PP_ST_OK, PC_C_NONE, "%s (looked up without --from, which is not local)",
				    pp_route_format(&f->nosrc_route, buf, sizeof(buf)));
			route_evidence(s->evidence, &f->nosrc_route, NULL, false);
			return;
		}
		eval_route_failure(q, f, res);
		return;
	}
	if (f->fib_rc == 0) {
		struct pp_route shown = f->fib;

		/*
		 * A route through a nexthop object, with nexthop_compat_mode=0, names
		 * only the object: show the path the kernel chose for this flow.
		 */
		if (shown.nhid && !shown.gateway.family && !shown.nhops && !shown.oif) {
			shown.gateway = r->gateway;
			shown.oif = r->oif;
		}
		pp_route_format(&shown, buf, sizeof(buf));
	} else {
		pp_route_format(r, buf, sizeof(buf));
	}
	if (f->rules_rc == 0)
		dr = pc_deciding_rule(f, &rf, r->table);
	s = pc_st(res, PC_ROUTE, PP_ST_OK, PC_C_NONE, "%s", buf);
	route_evidence(s->evidence, r, &f->fib, f->fib_rc == 0);
	if (f->ecmp_n > 1)
		ecmp_evidence(f, s);
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
	/* A table that threw the destination back sent the lookup on by design: evidence, no warning. */
	char threw[512] = "", a[INET6_ADDRSTRLEN], pfx[INET6_ADDRSTRLEN + 8];
	size_t o = 0;

	for (size_t i = 0; i < np && o < sizeof(threw); i++) {
		const struct pc_special *th = thrown_by(f, passed[i]);

		if (!th)
			continue;
		if (th->r.dst.family)
			snprintf(pfx, sizeof(pfx), "%s/%u", pp_addr_str(&th->r.dst, a, sizeof(a)), th->r.dst_len);
		else
			snprintf(pfx, sizeof(pfx), "default");
		o += (size_t)snprintf(threw + o, sizeof(threw) - o, "%stable %s: throw %s (rule %u)", o ? "; " : "",
				      pp_route_table_name(th->table, t, sizeof(t)), pfx, th->rule_prio);
	}
	if (threw[0])
		pp_val_add_str(s->evidence, "threw", threw);
	for (size_t i = 0; i < np; i++) {
		if (thrown_by(f, passed[i]))
			continue;
		pc_set(s, PP_ST_WARN, PC_C_ROUTE_TABLE_FALLTHROUGH);
		const char *tn = pp_route_table_name(passed[i]->table, t, sizeof(t));

		snprintf(s->summary, sizeof(s->summary),
			 "rule %u sends this flow to table %s, which has no route for %s; the lookup fell through to %s",
			 passed[i]->priority, tn, d, buf);
		pp_val_add_str(s->evidence, "passed_rule", pp_rule_format(passed[i], rb, sizeof(rb)));
		pc_hint(s, "%s route show table %s; %s rule show", pc_ipcmd(q), tn, pc_ipcmd(q));
		break;
	}
	if (r->type == RTN_LOCAL)
		snprintf(s->summary, sizeof(s->summary), "local: %s is an address of this host (table %s)", d,
			 pp_route_table_name(r->table, t, sizeof(t)));
}

/*
 * What the lookup with source port sport answered, in a few words: the route as the
 * station shows one (its FIB entry and deciding rule), or why there is none.
 */
static const char *
lookup_text(const struct pc_query *q, const struct pc_facts *f, uint16_t sport, int rc, const struct pp_route *r,
	    int fib_rc, const struct pp_route *fib, char *buf, size_t len)
{
	const char *word = err_type_word(rc);
	struct pp_rule_flow rf;
	const struct pp_rule *dr;
	size_t n;

	if (rc < 0) {
		snprintf(buf, len, "%s (the kernel says: %s)", word ? word : "no route", strerror(-rc));
		return buf;
	}
	if (fib_rc == 0) {
		struct pp_route shown = *fib;

		/* As eval_route: a nexthop object named alone shows the path the kernel chose. */
		if (shown.nhid && !shown.gateway.family && !shown.nhops && !shown.oif) {
			shown.gateway = r->gateway;
			shown.oif = r->oif;
		}
		pp_route_format(&shown, buf, len);
	} else {
		pp_route_format(r, buf, len);
	}
	pc_rule_flow(q, &rf);
	rf.sport = sport;
	if ((dr = pc_deciding_rule(f, &rf, r->table)) && (n = strlen(buf)) < len)
		snprintf(buf + n, len - n, " (rule %u)", dr->priority);
	return buf;
}

/*
 * Do two answers send the packet the same way: both failing alike, or the same type,
 * device, next hop(s), source address and MTU? The table they came from may differ.
 */
static bool
same_path(int rc_a, const struct pp_route *a, int rc_b, const struct pp_route *b)
{
	if (rc_a != rc_b)
		return false;
	if (rc_a < 0)
		return true;
	if (a->type != b->type || a->oif != b->oif || !pp_addr_eq(&a->gateway, &b->gateway) ||
	    !pp_addr_eq(&a->prefsrc, &b->prefsrc) || a->mtu != b->mtu || a->nhops != b->nhops)
		return false;
	for (int i = 0; i < a->nhops && i < PP_ROUTE_MAX_NH; i++)
		if (a->nh[i].ifindex != b->nh[i].ifindex || !pp_addr_eq(&a->nh[i].gw, &b->nh[i].gw))
			return false;
	return true;
}

/*
 * No --sport for TCP or UDP, and a policy rule with a source-port range on the way
 * (collect_sport): say what the range makes of the ports the packet may carry. All of
 * them: the route shown was asked with one of them. None: nothing changes. Some: the
 * route depends on the port, a warning naming both routes, unless they are the same.
 */
static void
eval_route_sport(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s = &res->st[PC_ROUTE];
	const struct pc_sport *sp = &f->sp;
	const struct pp_rule *nr = &sp->rules[sp->named].r;
	bool egress = q->direction == PC_EGRESS;
	char range[16], rr[16], rb[256], shown[256], other[256], ov[16];
	const char *in_text, *out_text;
	struct pp_val *arr;
	size_t n;

	if (!f->sport_checked || !s->present || !sp->nrules)
		return;
	arr = pp_val_add_arr(s->evidence, "sport_rules");
	for (size_t i = 0; i < sp->nrules; i++) {
		struct pp_val *o = pp_val_add_obj(arr, NULL);

		pp_val_add_str(o, "rule", pp_rule_format(&sp->rules[i].r, rb, sizeof(rb)));
		if (f->ports_rc == 0)
			pp_val_add_str(o, "ports", pc_sport_class_name(sp->rules[i].cls));
	}
	snprintf(rr, sizeof(rr), "%u-%u", nr->sport_lo, nr->sport_hi);
	if (f->ports_rc < 0) {
		pp_val_add_strf(s->evidence, "sport_error", "ip_local_port_range: %s", strerror(-f->ports_rc));
		if (s->status == PP_ST_OK) {
			pc_set(s, PP_ST_UNKNOWN, PC_C_SPORT_UNKNOWN);
			snprintf(s->summary, sizeof(s->summary),
				 "the source port the kernel will pick is not known (ip_local_port_range: %s), and rule %u selects on sport %s",
				 strerror(-f->ports_rc), nr->priority, rr);
			pc_hint(s, "sysctl net.ipv4.ip_local_port_range; %s rule show", pc_ipcmd(q));
		}
		return;
	}
	snprintf(range, sizeof(range), "%u-%u", f->ports.lo, f->ports.hi);
	pp_val_add_str(s->evidence, egress ? "sport_range" : "sport_range_sender", range);
	if (f->ports.nrsv) {
		char rsv[256] = "";
		size_t o = 0;

		for (size_t i = 0; i < f->ports.nrsv && o < sizeof(rsv); i++)
			o += (size_t)snprintf(rsv + o, sizeof(rsv) - o, f->ports.rsv[i].lo == f->ports.rsv[i].hi ?
					      "%s%u" : "%s%u-%u", i ? "," : "", f->ports.rsv[i].lo, f->ports.rsv[i].hi);
		pp_val_add_str(s->evidence, "sport_reserved", rsv);
	}
	switch (sp->cls) {
	case PC_SPORT_DISJOINT:
		pp_val_add_strf(s->evidence, "sport_note", "no port of %s is in rule %u's sport %s: the rule never matches",
				range, nr->priority, rr);
		return;
	case PC_SPORT_INSIDE:
		pp_val_add_u64(s->evidence, "sport", q->sport);
		n = strlen(s->summary);
		if (egress)
			snprintf(s->summary + n, sizeof(s->summary) - n, " (source port from %s, all inside rule %u's sport %s)",
				 range, nr->priority, rr);
		else
			snprintf(s->summary + n, sizeof(s->summary) - n, " (any source port of the sender is inside rule %u's sport %s)",
				 nr->priority, rr);
		return;
	case PC_SPORT_PARTIAL:
		break;
	default:
		return;
	}
	lookup_text(q, f, q->sport, f->route_rc, &f->route, f->fib_rc, &f->fib, shown, sizeof(shown));
	lookup_text(q, f, f->sport_other, f->sport_other_rc, &f->sport_other_route, f->sport_other_fib_rc,
		    &f->sport_other_fib, other, sizeof(other));
	pp_val_add_u64(s->evidence, "sport", q->sport);
	pp_val_add_u64(s->evidence, "sport_other", f->sport_other);
	pp_val_add_str(s->evidence, "route_other", other);
	if (f->route_rc < 0) {
		/* No port has a route (collect_sport shows a working one first): the packet dies either way. */
		pp_val_add_strf(s->evidence, "sport_note", "port %u: %s; port %u: %s", q->sport, shown, f->sport_other, other);
		return;
	}
	if (same_path(f->route_rc, &f->route, f->sport_other_rc, &f->sport_other_route)) {
		pp_val_add_strf(s->evidence, "sport_note",
				"ports %u and %u leave the same way: rule %u's sport %s decides nothing for this flow",
				q->sport, f->sport_other, nr->priority, rr);
		return;
	}
	if (s->status != PP_ST_OK && s->status != PP_ST_WARN)
		return;
	in_text = q->sport == sp->port_in ? shown : other;
	out_text = q->sport == sp->port_in ? other : shown;
	snprintf(ov, sizeof(ov), "%u-%u", nr->sport_lo > f->ports.lo ? nr->sport_lo : f->ports.lo,
		 nr->sport_hi < f->ports.hi ? nr->sport_hi : f->ports.hi);
	pc_set(s, PP_ST_WARN, PC_C_ROUTE_DEPENDS_ON_SPORT);
	s->drop_reason[0] = '\0';
	if (egress)
		snprintf(s->summary, sizeof(s->summary),
			 "the route depends on the source port the kernel picks from %s: rule %u (sport %s) takes ports %s; port %u: %s; port %u: %s",
			 range, nr->priority, rr, ov, sp->port_in, in_text, sp->port_out, out_text);
	else
		snprintf(s->summary, sizeof(s->summary),
			 "the route depends on the sender's source port: rule %u (sport %s) takes ports %s; port %u: %s; port %u: %s",
			 nr->priority, rr, ov, sp->port_in, in_text, sp->port_out, out_text);
	pc_hint(s, "pass --sport N to check one source port (%u takes rule %u, %u does not); %s rule show",
	     sp->port_in, nr->priority, sp->port_out, pc_ipcmd(q));
}

/* Martian addresses the IPv4 input path refuses before any rule or route applies. */
static const char *
martian_v4(const struct pc_query *q, const struct pc_facts *f, bool *is_src)
{
	const uint8_t *s = q->src.u.b, *d = q->dst.u.b;

	*is_src = true;
	if (s[0] == 0)
		return "a source in 0.0.0.0/8";
	if (s[0] >= 224 && s[0] <= 239)
		return "a multicast source";
	if (s[0] == 255 && s[1] == 255 && s[2] == 255 && s[3] == 255)
		return "the broadcast address as source";
	if (s[0] == 127 && f->route_localnet != 1)
		return "a loopback source (127.0.0.0/8) arriving on a device";
	if (f->src_is_local == 1 && f->accept_local != 1)
		return "one of this host's own addresses as source (accept_local is 0)";
	*is_src = false;
	if (d[0] == 0)
		return "a destination in 0.0.0.0/8";
	if (d[0] == 127 && f->route_localnet != 1)
		return "a loopback destination (127.0.0.0/8) arriving on a device";
	return NULL;
}

static void
eval_route_in(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	char d[INET6_ADDRSTRLEN], sa[INET6_ADDRSTRLEN], buf[256], t[16], rdev[IF_NAMESIZE] = "?";
	struct pc_station *s;
	long long rpf;
	bool is_src;
	const char *m;

	pp_addr_str(&q->dst, d, sizeof(d));
	pp_addr_str(&q->src, sa, sizeof(sa));
	/* IPv6 refuses these in ip6_rcv_core(), before any route: the lookup itself would succeed. */
	if (q->family == AF_INET6 && (IN6_IS_ADDR_MULTICAST(&q->src.u.v6) || IN6_IS_ADDR_LOOPBACK(&q->src.u.v6) ||
				      IN6_IS_ADDR_UNSPECIFIED(&q->src.u.v6) || IN6_IS_ADDR_LOOPBACK(&q->dst.u.v6))) {
		s = pc_st(res, PC_ROUTE, PP_ST_FAIL, IN6_IS_ADDR_LOOPBACK(&q->dst.u.v6) && !IN6_IS_ADDR_LOOPBACK(&q->src.u.v6) && !IN6_IS_ADDR_MULTICAST(&q->src.u.v6) && !IN6_IS_ADDR_UNSPECIFIED(&q->src.u.v6) ? PC_C_MARTIAN_DESTINATION : PC_C_MARTIAN_SOURCE, "martian: IPv6 drops a packet with %s on receive",
			    IN6_IS_ADDR_MULTICAST(&q->src.u.v6) ? "a multicast source" :
			    IN6_IS_ADDR_UNSPECIFIED(&q->src.u.v6) ? "the unspecified source ::" :
			    IN6_IS_ADDR_LOOPBACK(&q->src.u.v6) ? "the loopback source ::1 arriving on a device" :
			    "the loopback destination ::1 arriving on a device");
		pc_hint(s, "ip -6 route get %s from %s iif %s", d, sa, q->iif);
		return;
	}
	if (f->route_rc == 0) {
		eval_route(q, f, res);
		s = &res->st[PC_ROUTE];
		if (f->route.type == RTN_LOCAL && s->status == PP_ST_OK)
			snprintf(s->summary, sizeof(s->summary), "local: %s is an address of this host (table %s)%s%s",
				 d, pp_route_table_name(f->route.table, t, sizeof(t)), f->dnat ? " after " : "",
				 f->dnat ? f->dnat_text : "");
		else if (f->route.type == RTN_BROADCAST)
			snprintf(s->summary, sizeof(s->summary), "broadcast: delivered locally");
		return;
	}
	/* The input lookup failed. The errno alone is ambiguous: explain it. */
	if (q->family == AF_INET && (m = martian_v4(q, f, &is_src)) != NULL) {
		s = pc_st(res, PC_ROUTE, PP_ST_FAIL, is_src ? PC_C_MARTIAN_SOURCE : PC_C_MARTIAN_DESTINATION, "martian %s: the packet has %s", is_src ? "source" : "destination", m);
		snprintf(s->drop_reason, sizeof(s->drop_reason), is_src ? "IP_INVALID_SOURCE" : "IP_INVALID_DEST");
		pp_val_add_str(s->evidence, "kernel_error", strerror(-f->route_rc));
		pc_hint(s, "sysctl -w net.ipv4.conf.%s.log_martians=1; dmesg | grep martian", q->iif);
		return;
	}
	rpf = f->rp_filter_all > f->rp_filter_dev ? f->rp_filter_all : f->rp_filter_dev;
	/*
	 * Not a blackhole (the destination routes fine from here): the reverse-path filter, when
	 * it is on (or could not be read), and in loose mode (2) only with no route back at all.
	 */
	if (f->route_rc == -EINVAL && f->out_rc != -EINVAL && rpf != 0 && (rpf != 2 || f->rev_rc < 0)) {
		if (f->rev_rc == 0 && f->rev_route.oif)
			pp_ifname((unsigned)f->rev_route.oif, rdev);
		if (f->rev_rc < 0)
			s = pc_st(res, PC_ROUTE, PP_ST_FAIL, PC_C_RPF,
				    "reverse-path filter (rp_filter=%lld) drops it: there is no route back to %s", rpf, sa);
		else
			s = pc_st(res, PC_ROUTE, PP_ST_FAIL, PC_C_RPF,
				    "reverse-path filter (rp_filter=%lld, strict) drops it: replies to %s would leave via %s, not %s",
				    rpf, sa, rdev, q->iif);
		snprintf(s->drop_reason, sizeof(s->drop_reason), "IP_RPFILTER");
		pp_val_add_i64(s->evidence, "rp_filter_all", f->rp_filter_all);
		pp_val_add_i64(s->evidence, "rp_filter_dev", f->rp_filter_dev);
		pp_val_add_i64(s->evidence, "rp_filter_effective", rpf);
		if (f->rev_rc == 0)
			pp_val_add_str(s->evidence, "reverse_route", pp_route_format(&f->rev_route, buf, sizeof(buf)));
		pp_val_add_str(s->evidence, "kernel_error", strerror(EINVAL));
		pc_hint(s, "ip route get %s; sysctl net.ipv4.conf.all.rp_filter net.ipv4.conf.%s.rp_filter", sa, q->iif);
		return;
	}
	if (f->route_rc == -EHOSTUNREACH && q->family == AF_INET && f->out_rc == 0 && f->out_route.type != RTN_LOCAL &&
	    (f->ip_forward == 0 || f->iif_forwarding == 0)) {
		/* IPv4 forwarding off: the input lookup fails although a route exists. */
		s = pc_st(res, PC_ROUTE, PP_ST_OK, PC_C_NONE, "%s (forwarding is off: see forward)",
			    pp_route_format(&f->out_route, buf, sizeof(buf)));
		route_evidence(s->evidence, &f->out_route, NULL, false);
		return;
	}
	eval_route_failure(q, f, res);
	if (res->st[PC_ROUTE].status == PP_ST_FAIL && !res->st[PC_ROUTE].drop_reason[0])
		snprintf(res->st[PC_ROUTE].drop_reason, sizeof(res->st[PC_ROUTE].drop_reason),
			 f->route_rc == -ENETUNREACH || f->route_rc == -EHOSTUNREACH || f->route_rc == -EACCES ?
				 "IP_INNOROUTES" : "");
}

/*
 * The mark the route lookup used, and the rules that changed the mark or the destination
 * before the kernel routed (prerouting) or routed again (output): evidence, and in the
 * summary. A mark pathcheck cannot know decides nothing unless a policy rule selects on
 * fwmark; then the route cannot be told.
 */
static void
eval_route_mark(const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s = &res->st[PC_ROUTE];
	bool fwmark_rules = f->rules_rc < 0;
	size_t n;

	if (!s->present)
		return;
	for (size_t i = 0; i < f->nrules; i++)
		fwmark_rules |= f->rules[i].has_mark;
	if (f->route_mark_unknown) {
		pp_val_add_str(s->evidence, "mark", "unknown");
		pp_val_add_str(s->evidence, "after_mark", f->mark_by);
		if (fwmark_rules && s->status != PP_ST_FAIL) {
			pc_set(s, PP_ST_UNKNOWN, PC_C_MARK_UNKNOWN);
			snprintf(s->summary, sizeof(s->summary),
				 "the mark at routing is not known (%s), and policy rules select on fwmark", f->mark_by);
			snprintf(s->hint, sizeof(s->hint), "nft -a list ruleset; %s rule show",
				 f->eq.family == AF_INET6 ? "ip -6" : "ip");
		}
		return;
	}
	pp_val_add_u64(s->evidence, "mark", f->route_mark);
	if (f->route_mark_changed)
		pp_val_add_str(s->evidence, "after_mark", f->mark_by);
	if (f->rerouted && f->eq.direction == PC_EGRESS && f->dnat)
		pp_val_add_str(s->evidence, "after_dnat", f->dnat_text);
	if (f->rerouted)
		pp_val_add_str(s->evidence, "route_before", f->route_before);
	if (f->route_after[0] && !strstr(s->summary, f->route_after)) {
		n = strlen(s->summary);
		snprintf(s->summary + n, sizeof(s->summary) - n, " (%s %s)",
			 f->rerouted ? "routed again after" : "after", f->route_after);
	}
}
/*
 * collect.c: ask the kernel everything pathcheck needs, through common/. Each
 * question records its own result or error in the facts; nothing here decides.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/fib_rules.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "sysctl.h"
#include "nexthop.h"
#include "neigh.h"

static void ecmp_choice(struct pp_nl *nl, const struct pc_query *q, const struct pp_route_query *rq,
			struct pc_facts *f);
#include "st_netfilter.h"
#include "pathcheck.h"

/* The rule walk's idea of the flow, as fib_rules_lookup() sees a locally generated packet. */
void
pc_rule_flow(const struct pc_query *q, struct pp_rule_flow *rf)
{
	memset(rf, 0, sizeof(*rf));
	rf->dst = q->dst;
	rf->src = q->src;
	/* Locally generated packets carry the loopback device as their input interface. */
	rf->iifname = q->direction == PC_EGRESS ? "lo" : q->iif;
	rf->oifname = q->oif[0] ? q->oif : NULL;
	rf->mark = q->mark;
	rf->uid = q->has_uid ? q->uid : 0;
	rf->ipproto = q->proto;
	rf->sport = q->sport;
	rf->dport = q->dport;
	rf->tos = q->tos;
}

static void
route_query(const struct pc_query *q, struct pp_route_query *rq, bool with_src)
{
	memset(rq, 0, sizeof(*rq));
	rq->family = q->family;
	rq->dst = q->dst;
	if (with_src && q->src.family)
		rq->src = q->src;
	if (q->direction != PC_EGRESS)
		rq->iif = q->iif_index;
	rq->oif = q->oif_index;
	rq->has_mark = q->has_mark;
	rq->mark = q->mark;
	rq->has_uid = q->has_uid;
	rq->uid = q->uid;
	/*
	 * RTM_GETROUTE takes RTA_IP_PROTO for tcp, udp and icmp only ("Unsupported ip
	 * proto" for sctp): an SCTP flow is asked without it, its ports kept (the kernel
	 * takes RTA_SPORT and RTA_DPORT alone). eval_route_ipproto() says when a rule
	 * selecting ipproto sctp makes that answer not the packet's.
	 */
	rq->ipproto = q->proto == IPPROTO_SCTP ? 0 : q->proto;
	rq->sport = q->sport;
	rq->dport = q->dport;
	rq->tos = q->tos;
}

struct special_ctx {
	const struct pp_addr *dst;
	uint8_t want;
	bool found;
	struct pp_route best;
};

/* Longest prefix among the special routes of one table that covers dst. */
static int
special_cb(const struct pp_route *r, void *data)
{
	struct special_ctx *c = data;
	bool covers = r->dst.family ? pp_addr_in_prefix(c->dst, &r->dst, r->dst_len) : true;

	if (!covers || (r->type != c->want && r->type != RTN_THROW))
		return 0;
	if (!c->found || r->dst_len > c->best.dst_len) {
		c->best = *r;
		c->found = true;
	}
	return 0;
}

static uint8_t
errno_route_type(int rc)
{
	switch (rc) {
	case -EINVAL: return RTN_BLACKHOLE;
	case -EHOSTUNREACH: return RTN_UNREACHABLE;
	case -EACCES: return RTN_PROHIBIT;
	default: return RTN_THROW;
	}
}

/*
 * The lookup failed: find out why without dumping whole tables. Walk the rules the
 * flow matches, in order; for each table they send it to, ask the kernel for that
 * table's routes of the failing type (and throw), filtered in the kernel.
 */
static void
explain_failure(struct pp_nl *nl, const struct pc_query *q, struct pc_facts *f)
{
	struct pp_rule_flow rf;
	uint8_t want = errno_route_type(f->route_rc);
	struct pp_err e = { 0 };

	pc_rule_flow(q, &rf);
	for (size_t i = 0; i < f->nrules && f->nspecial < PP_ARRAY_SIZE(f->special); i++) {
		const struct pp_rule *r = &f->rules[i];
		struct special_ctx c = { .dst = &q->dst, .want = want };
		struct pc_special *s;
		int rc;

		if (!pp_rule_match(r, &rf) || r->action != FR_ACT_TO_TBL)
			continue;
		rc = pp_route_dump(nl, q->family, r->table, 0, special_cb, &c, &e);
		s = &f->special[f->nspecial++];
		s->table = r->table;
		s->rule_prio = r->priority;
		/* -ENOENT: the table does not exist, so it holds nothing. */
		if (rc < 0 && rc != -ENOENT)
			continue;
		s->found = c.found;
		if (c.found)
			s->r = c.best;
		if (c.found && c.best.type != RTN_THROW)
			break;
	}
}

/*
 * The lookup succeeded, and rules before the deciding one sent the flow to custom tables
 * that gave no route: read each for a throw route covering the destination (the kernel
 * went on to the next rule on purpose), filtered in the kernel to that table and type.
 */
static void
collect_thrown(struct pp_nl *nl, const struct pc_query *q, struct pc_facts *f)
{
	const struct pp_rule *passed[PP_ARRAY_SIZE(f->thrown)];
	struct pp_rule_flow rf;
	size_t np;

	f->nthrown = 0;
	if (f->route_rc < 0 || f->rules_rc < 0)
		return;
	pc_rule_flow(q, &rf);
	np = passed_tables(f, &rf, pc_deciding_rule(f, &rf, f->route.table), passed, PP_ARRAY_SIZE(passed));
	for (size_t i = 0; i < np; i++) {
		struct special_ctx c = { .dst = &q->dst, .want = RTN_THROW };
		struct pc_special *s = &f->thrown[f->nthrown++];
		struct pp_err e = { 0 };

		memset(s, 0, sizeof(*s));
		s->table = passed[i]->table;
		s->rule_prio = passed[i]->priority;
		s->rc = pp_route_dump(nl, q->family, passed[i]->table, RTN_THROW, special_cb, &c, &e);
		s->found = s->rc == 0 && c.found && c.best.type == RTN_THROW;
		if (s->found)
			s->r = c.best;
	}
}

struct down_ctx {
	int ifindex[64];
	size_t n;
};

/* Devices that carry addresses: collected here, looked at after the dump. */
static int
down_addr_cb(const struct pp_ifaddr *a, void *data)
{
	struct down_ctx *c = data;

	if (a->scope >= RT_SCOPE_HOST || c->n >= PP_ARRAY_SIZE(c->ifindex))
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->ifindex[i] == a->ifindex)
			return 0;
	c->ifindex[c->n++] = a->ifindex;
	return 0;
}

/* Devices administratively down that carry addresses: their routes are gone. */
static void
find_down_links(struct pp_nl *nl, int family, struct pc_facts *f)
{
	struct down_ctx c = { .n = 0 };
	struct pp_err e = { 0 };

	if (pp_ifaddr_dump(nl, family, down_addr_cb, &c, &e) < 0)
		return;
	for (size_t i = 0; i < c.n; i++) {
		struct pp_link l;
		size_t n = strlen(f->links_down);

		if (pp_link_get(nl, c.ifindex[i], NULL, &l, &e) < 0 || (l.flags & IFF_UP))
			continue;
		snprintf(f->links_down + n, sizeof(f->links_down) - n, "%s%s", n ? "," : "", l.name);
	}
}

/*
 * The ports a packet of this host may leave with: ip_local_port_range less
 * ip_local_reserved_ports, as this namespace has them. Returns 0 or -errno.
 */
static int
read_local_ports(struct pc_ports *p)
{
	char buf[1024];
	ssize_t n;

	memset(p, 0, sizeof(*p));
	if ((n = pp_read_file("/proc/sys/net/ipv4/ip_local_port_range", buf, sizeof(buf))) < 0)
		return (int)n;
	if (pc_ports_parse(buf, p) < 0)
		return -EINVAL;
	/* Reserved ports are a later addition; a kernel without the file reserves none. */
	if ((n = pp_read_file("/proc/sys/net/ipv4/ip_local_reserved_ports", buf, sizeof(buf))) == -ENOENT)
		return 0;
	if (n < 0)
		return (int)n;
	/* A list longer than buf would be cut mid-number: read as an error, not as fewer ports. */
	if ((size_t)n >= sizeof(buf) - 1)
		return -E2BIG;
	return pc_ports_reserved_parse(buf, p);
}

/* The FIB entry behind the other port's route, shown as the route station shows its own. */
static void
other_fib(struct pp_nl *nl, const struct pp_route_query *rq, struct pc_facts *f)
{
	struct pp_route_query oq = *rq;
	struct pp_err e = { 0 };

	f->sport_other_fib_rc = -ENOENT;
	if (f->sport_other_rc < 0)
		return;
	oq.sport = f->sport_other;
	oq.fibmatch = true;
	f->sport_other_fib_rc = pp_route_get(nl, &oq, &f->sport_other_fib, &e);
}

/*
 * No --sport for TCP or UDP: the lookup above used port 0, which no rule's source-port
 * range holds. When a rule with one lies on the way to the rule that decided, compare
 * its range with the ports the packet may carry (this host's ephemeral range, or any
 * port of a sender) and ask the kernel again with a real port: one that every port
 * stands for, or, when the range holds only some of them, one inside and one outside.
 * Without such a rule nothing more is read or asked.
 */
static void
collect_sport(struct pp_nl *nl, struct pc_query *q, struct pc_facts *f, struct pp_route_query *rq)
{
	static const struct pc_ports any = { .lo = 1, .hi = 65535 };
	struct pp_rule_flow rf;
	const struct pp_rule *upto = NULL;

	if (q->has_sport || !pc_proto_has_ports(q->proto) || f->rules_rc < 0)
		return;
	/*
	 * IPv6 TCP from this host: tcp_v6_connect() routes before inet6_hash_connect() picks
	 * the port, and never again (IPv4 has ip_route_newports(), UDP binds before it
	 * routes): the route at port 0 is the packet's, whatever a rule's sport says.
	 */
	if (q->direction == PC_EGRESS && q->family == AF_INET6 && q->proto == IPPROTO_TCP)
		return;
	pc_rule_flow(q, &rf);
	if (f->route_rc == 0)
		upto = pc_deciding_rule(f, &rf, f->route.table);
	if (!pc_sport_plan(f->rules, f->nrules, &rf, upto, &any, &f->sp))
		return;
	f->sport_checked = true;
	if (q->direction == PC_EGRESS) {
		if ((f->ports_rc = read_local_ports(&f->ports)) < 0) {
			f->sp.cls = PC_SPORT_NONE;	/* the rules are listed; the station cannot tell */
			return;
		}
	} else {
		f->ports = any;
	}
	pc_sport_plan(f->rules, f->nrules, &rf, upto, &f->ports, &f->sp);
	if (f->sp.cls == PC_SPORT_INSIDE) {
		q->sport = rq->sport = f->sp.port_in;
		memset(&f->route_err, 0, sizeof(f->route_err));
		f->route_rc = pp_route_get(nl, rq, &f->route, &f->route_err);
	} else if (f->sp.cls == PC_SPORT_PARTIAL) {
		q->sport = rq->sport = f->sp.port_out;
		memset(&f->route_err, 0, sizeof(f->route_err));
		f->route_rc = pp_route_get(nl, rq, &f->route, &f->route_err);
		f->sport_other = rq->sport = f->sp.port_in;
		f->sport_other_rc = pp_route_get(nl, rq, &f->sport_other_route, &f->sport_other_err);
		/* One port has a route and the other none: the later stations follow the one that works. */
		if (f->route_rc < 0 && f->sport_other_rc == 0) {
			struct pp_route r = f->route;
			struct pp_err e = f->route_err;
			int rc = f->route_rc;

			f->route = f->sport_other_route;
			f->route_err = f->sport_other_err;
			f->route_rc = 0;
			f->sport_other_route = r;
			f->sport_other_err = e;
			f->sport_other_rc = rc;
			f->sport_other = f->sp.port_out;
			q->sport = f->sp.port_in;
		}
		rq->sport = q->sport;
		other_fib(nl, rq, f);
	}
}

static void
collect_route(struct pp_nl *nl, struct pc_query *q, struct pc_facts *f)
{
	struct pp_route_query rq;

	f->rules_rc = pp_rule_dump(nl, q->family, &f->rules, &f->nrules, &f->rules_err);
	route_query(q, &rq, true);
	f->route_rc = pp_route_get(nl, &rq, &f->route, &f->route_err);
	collect_sport(nl, q, f, &rq);
	if (f->route_rc == 0) {
		struct pp_err e = { 0 };

		rq.fibmatch = true;
		f->fib_rc = pp_route_get(nl, &rq, &f->fib, &e);
		rq.fibmatch = false;
		ecmp_choice(nl, q, &rq, f);
		collect_thrown(nl, q, f);
	} else if (f->rules_rc == 0) {
		explain_failure(nl, q, f);
	}
	/* A source that is not ours makes the output lookup fail with EINVAL: look again without it. */
	if (q->direction == PC_EGRESS && q->src.family && f->src_local == 0) {
		struct pp_err e = { 0 };

		route_query(q, &rq, false);
		f->nosrc_rc = pp_route_get(nl, &rq, &f->nosrc_route, &e);
	}
	if (f->route_rc == -ENETUNREACH)
		find_down_links(nl, q->family, f);
}

/*
 * An ECMP route (a FIB entry with several next hops: a multipath route, or a nexthop
 * group shown as one): the kernel hashes each flow onto one (fib_multipath_hash_policy:
 * 0 the addresses, and an IPv6 flow label; 1 the ports too; 2 and 3 inner or chosen
 * fields). When the hash takes a field pathcheck does not know (the source port the
 * kernel picks, the flow label of a forwarded IPv6 packet, a policy it does not model),
 * each next hop is a choice point the walker follows to its own end; else the kernel's
 * own answer for this flow is the one next hop it will use, and the others are listed.
 */
/* The kernel's NUD_VALID (include/net/neighbour.h): an entry it sends to. */
#define PC_NUD_VALID (NUD_PERMANENT | NUD_NOARP | NUD_REACHABLE | NUD_PROBE | NUD_STALE | NUD_DELAY)

/* How many of the n next hops the kernel does not pass over. */
static int
ecmp_good(const struct pc_facts *f, int n)
{
	int g = 0;

	for (int i = 0; i < n; i++)
		g += !f->ecmp_skip[i];
	return g;
}

static void
ecmp_choice(struct pp_nl *nl, const struct pc_query *q, const struct pp_route_query *rq, struct pc_facts *f)
{
	struct pp_route *fib = &f->fib;
	struct pc_choices *ch = &f->choices;
	struct pc_choice *c = NULL;
	char where[96], a[INET6_ADDRSTRLEN];
	int n;
	size_t k;

	f->ecmp_n = 0;
	/*
	 * A route through a nexthop object names only the object (nexthop_compat_mode=0):
	 * its group's members, as the kernel expands it, are the next hops.
	 */
	if (f->route_rc == 0 && f->fib_rc == 0 && fib->nhid && fib->nhops == 0) {
		struct pp_nhobj_table t = { 0 };
		struct pp_err e = { 0 };

		if (pp_nhobj_dump(nl, &t, &e) == 0) {
			int m = pp_nhobj_expand(&t, fib->nhid, fib->nh, PP_ROUTE_MAX_NH);

			if (m > 1)
				fib->nhops = m;
		}
		pp_nhobj_table_free(&t);
	}
	n = fib->nhops < PP_ROUTE_MAX_NH ? fib->nhops : PP_ROUTE_MAX_NH;
	if (f->route_rc < 0 || f->fib_rc < 0 || n < 2)
		return;
	/*
	 * The kernel passes over a next hop whose neighbour is known and not valid (FAILED,
	 * INCOMPLETE: nexthop_is_good_nh() for a nexthop group, fib_good_nh() for a
	 * multipath route with fib_multipath_use_neigh=1) while a good one is left: a flow
	 * hashed onto it leaves by a good one. Those are not branches; they stay listed.
	 */
	{
		long long use_neigh = 0;
		bool check = fib->nhid != 0;
		int good = 0;

		if (!check && q->family == AF_INET &&
		    pp_sysctl_get("net/ipv4/fib_multipath_use_neigh", &use_neigh) == 0)
			check = use_neigh != 0;
		memset(f->ecmp_skip, 0, sizeof(f->ecmp_skip));
		for (int i = 0; check && i < n; i++) {
			struct pp_neigh ne;
			struct pp_err e = { 0 };

			if (fib->nh[i].gw.family && fib->nh[i].ifindex &&
			    pp_neigh_get(nl, fib->nh[i].ifindex, &fib->nh[i].gw, &ne, &e) == 0 &&
			    !(ne.state & PC_NUD_VALID))
				f->ecmp_skip[i] = true;
			else
				good++;
		}
		if (good == 0)
			memset(f->ecmp_skip, 0, sizeof(f->ecmp_skip));
	}
	f->ecmp_n = n;
	f->ecmp_kernel = f->ecmp_taken = -1;
	for (int i = 0; i < n; i++)
		if (fib->nh[i].ifindex == f->route.oif && pp_addr_eq(&fib->nh[i].gw, &f->route.gateway)) {
			f->ecmp_kernel = f->ecmp_taken = i;
			break;
		}
	if (pp_sysctl_get(q->family == AF_INET6 ? "net/ipv6/fib_multipath_hash_policy"
						  : "net/ipv4/fib_multipath_hash_policy", &f->ecmp_policy) < 0)
		f->ecmp_policy = -1;
	f->ecmp_branch = !(f->ecmp_policy == 0 && (q->family == AF_INET || q->direction == PC_EGRESS)) &&
			 !(f->ecmp_policy == 1 && q->has_sport && (q->family == AF_INET || q->direction == PC_EGRESS));
	if (ecmp_good(f, n) < 2) {
		/* One good next hop: every flow takes it. */
		for (int i = 0; i < n; i++)
			if (!f->ecmp_skip[i])
				f->ecmp_taken = i;
		f->ecmp_branch = false;
		if (f->ecmp_taken != f->ecmp_kernel && f->ecmp_taken >= 0) {
			f->route.gateway = fib->nh[f->ecmp_taken].gw;
			f->route.oif = fib->nh[f->ecmp_taken].ifindex;
		}
		return;
	}
	if (!f->ecmp_branch || !q->follow_choices)
		return;
	if (!f->choices_init) {
		f->choices_init = true;
		f->choices.npick = q->choice_npick;
		memcpy(f->choices.pick, q->choice_pick, sizeof(f->choices.pick));
	}
	if (fib->dst.family)
		snprintf(where, sizeof(where), "route %s/%u table %u", pp_addr_str(&fib->dst, a, sizeof(a)),
			 fib->dst_len, fib->table);
	else
		snprintf(where, sizeof(where), "route default table %u", fib->table);
	for (k = 0; k < ch->nseen; k++)
		if (strcmp(ch->seen[k].where, where) == 0) {
			c = &ch->seen[k];
			break;
		}
	if (!c) {
		if (ch->nseen >= PC_CHOICES_MAX) {
			ch->overflow = true;
			return;
		}
		k = ch->nseen++;
		c = &ch->seen[k];
		snprintf(c->where, sizeof(c->where), "%s", where);
		snprintf(c->what, sizeof(c->what), "ECMP next hop of %d", ecmp_good(f, n));
		c->options = (uint32_t)ecmp_good(f, n);
		/* Option i is next hop i of the FIB entry; the walker pushes every option but the first. */
		c->taken = k < ch->npick && ch->pick[k] < c->options ? ch->pick[k] : 0;
	}
	/* Option j is the j-th next hop not passed over. */
	f->ecmp_taken = -1;
	for (int i = 0, j = 0; i < n; i++)
		if (!f->ecmp_skip[i] && j++ == (int)c->taken) {
			f->ecmp_taken = i;
			break;
		}
	if (f->ecmp_taken < 0 || f->ecmp_taken == f->ecmp_kernel)
		return;
	/*
	 * Another next hop than the kernel's answer: leaving by its device, a locally sent
	 * packet gets that device's source address. Asked with the device as oif (the
	 * kernel then takes the next hop on it, fib_select_path) when no other next hop
	 * shares it; else, and for a forwarded packet, the gateway and device alone.
	 */
	{
		const struct pp_nexthop *nh = &fib->nh[f->ecmp_taken];
		bool shared = false;

		for (int i = 0; i < n; i++)
			shared |= i != f->ecmp_taken && fib->nh[i].ifindex == nh->ifindex;
		if (q->direction == PC_EGRESS && !q->iif[0] && !shared && !rq->oif) {
			struct pp_route_query r2 = *rq;
			struct pp_route via;
			struct pp_err e = { 0 };

			r2.oif = nh->ifindex;
			r2.fibmatch = false;
			if (pp_route_get(nl, &r2, &via, &e) == 0 && via.oif == nh->ifindex &&
			    pp_addr_eq(&via.gateway, &nh->gw)) {
				f->route = via;
				return;
			}
		}
		f->route.gateway = nh->gw;
		f->route.oif = nh->ifindex;
	}
}

/* The device the route leaves by: the output chains match on its name before the device station is reached. */
static void
route_device(struct pp_nl *nl, struct pc_facts *f)
{
	const struct pp_route *r = &f->route;
	int oif = r->oif ? r->oif : (r->nhops ? r->nh[0].ifindex : 0);

	if (f->route_rc < 0 || !oif)
		return;
	f->oif_rc = pp_link_get(nl, oif, NULL, &f->oif_link, &f->oif_err);
}

/*
 * Ingress and forward: the packet arrived on q->iif from q->src, prerouting has had its
 * say (mark, dnat). The kernel's answer says which way it goes: the packet's direction.
 */
static void
collect_arriving(struct pp_nl *nl, struct pc_query *q, struct pc_facts *f)
{
	struct pp_route_query rq;
	struct pp_err e = { 0 };

	f->rules_rc = pp_rule_dump(nl, q->family, &f->rules, &f->nrules, &f->rules_err);
	route_query(q, &rq, true);
	f->route_rc = pp_route_get(nl, &rq, &f->route, &f->route_err);
	collect_sport(nl, q, f, &rq);
	/* The destination as this host would route it itself, and the way back to the source. */
	route_query(q, &rq, false);
	rq.iif = 0;
	f->out_rc = pp_route_get(nl, &rq, &f->out_route, &e);
	memset(&rq, 0, sizeof(rq));
	rq.family = q->family;
	rq.dst = q->src;
	f->rev_rc = pp_route_get(nl, &rq, &f->rev_route, &e);
	f->src_is_local = pp_ifaddr_find(nl, &q->src, NULL, NULL, &e);
	/* The kernel's answer says which way the packet goes. */
	if (f->route_rc == 0)
		q->direction = f->route.type == RTN_LOCAL ? PC_INGRESS : PC_FORWARD;
	else
		q->direction = f->out_rc == 0 && f->out_route.type == RTN_LOCAL ? PC_INGRESS : PC_FORWARD;
	if (f->route_rc == 0) {
		struct pp_err e2 = { 0 };

		route_query(q, &rq, true);
		rq.fibmatch = true;
		f->fib_rc = pp_route_get(nl, &rq, &f->fib, &e2);
		rq.fibmatch = false;
		ecmp_choice(nl, q, &rq, f);
	} else if (f->rules_rc == 0) {
		explain_failure(nl, q, f);
	}
	if (f->route_rc == -ENETUNREACH)
		find_down_links(nl, q->family, f);
	if (q->direction == PC_FORWARD)
		route_device(nl, f);
}

/*
 * Egress, run again: an output chain changed the mark (type route) or the destination (a
 * dnat in a nat chain), and the kernel routes again as ip_route_me_harder() does: the
 * current mark, the new destination, the source the first route chose. Replaces the route
 * and what follows from it (device, neighbour, qdisc); f->reroute_why says what changed.
 */
static void
reroute(struct pp_nl *nl, struct pc_facts *f)
{
	struct pc_query *q = &f->eq;
	const char *why = f->reroute_why;
	struct pp_route_query rq;
	struct pp_addr src = q->src;
	struct pp_err e = { 0 };
	size_t n = strlen(f->route_after);

	/* The socket's own lookup failed: nothing reached OUTPUT. A failed reroute dropped the packet. */
	if (f->route_rc < 0)
		return;
	if (!f->rerouted) {
		/* As the route station shows a route: the FIB entry that matched, where known. */
		pp_route_format(f->fib_rc == 0 && f->fib.type ? &f->fib : &f->route, f->route_before,
				sizeof(f->route_before));
		f->src_before = f->route.prefsrc;
	}
	f->rerouted = true;
	if (!strstr(f->route_after, why))
		snprintf(f->route_after + n, sizeof(f->route_after) - n, "%s%s", n ? "; " : "", why);
	if (f->mark_unknown) {
		/* The lookup cannot be asked: the station says so when a policy rule looks at the mark. */
		f->route_mark_unknown = true;
		return;
	}
	if (f->mark != f->route_mark)
		f->route_mark_changed = true;
	q->mark = f->route_mark = f->mark;
	q->has_mark = q->has_mark || f->mark != 0;
	/* ip_route_me_harder() keeps the packet's source, the one the first route chose. */
	if (!src.family && f->src_before.family == q->family)
		src = f->src_before;
	f->route_rc = f->fib_rc = f->oif_rc = f->neigh_rc = f->qdisc_rc = 0;
	memset(&f->route_err, 0, sizeof(f->route_err));
	memset(&f->route, 0, sizeof(f->route));
	memset(&f->fib, 0, sizeof(f->fib));
	memset(&f->oif_link, 0, sizeof(f->oif_link));
	memset(&f->neigh, 0, sizeof(f->neigh));
	f->nspecial = 0;
	f->nthrown = 0;
	f->links_down[0] = '\0';
	f->need_neigh = false;
	free(f->qdiscs);
	f->qdiscs = NULL;
	f->nqdiscs = 0;
	route_query(q, &rq, true);
	rq.src = src;
	f->route_rc = pp_route_get(nl, &rq, &f->route, &f->route_err);
	/* The route that depends on the source port: the other port, asked again with the new mark too. */
	if (f->sp.cls == PC_SPORT_PARTIAL) {
		struct pp_route_query oq = rq;

		oq.sport = f->sport_other;
		memset(&f->sport_other_err, 0, sizeof(f->sport_other_err));
		f->sport_other_rc = pp_route_get(nl, &oq, &f->sport_other_route, &f->sport_other_err);
		other_fib(nl, &rq, f);
	}
	f->ecmp_n = 0;
	if (f->route_rc == 0) {
		rq.fibmatch = true;
		f->fib_rc = pp_route_get(nl, &rq, &f->fib, &e);
		/* The new route's next hops: a choice of its own (or the same one, taken as before). */
		rq.fibmatch = false;
		ecmp_choice(nl, q, &rq, f);
		collect_thrown(nl, q, f);
	} else if (f->rules_rc == 0) {
		explain_failure(nl, q, f);
	}
	if (f->route_rc == -ENETUNREACH)
		find_down_links(nl, q->family, f);
	route_device(nl, f);
}

/*
 * The first run asks the kernel for the packet's route; a later run (the walker runs the
 * station again when a chain asks for it) routes it again.
 */
void
pc_route_walk(struct pc_walk *w, enum pc_station_id id)
{
	struct pc_facts *f = w->f;
	struct pc_query *q = &f->eq;
	struct pp_err e = { 0 };

	(void)id;
	if (w->route_runs++) {
		reroute(w->nl, f);
		return;
	}
	if (q->iif[0]) {
		collect_arriving(w->nl, q, f);
		return;
	}
	/* Whether the source is ours (the socket station's question) decides how the route is asked. */
	if (q->src.family)
		f->src_local = pp_ifaddr_find(w->nl, &q->src, NULL, &f->src_flags, &e);
	collect_route(w->nl, q, f);
	route_device(w->nl, f);
}

/*
 * No --tos: the lookup was asked with TOS 0. A policy rule with a tos selector that the
 * flow would match with that TOS, before the rule that decided, makes the route depend
 * on a field the user did not give: a warning naming the rule, as for the source port.
 */
static void
eval_route_tos(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s = &res->st[PC_ROUTE];
	struct pp_rule_flow rf;
	const struct pp_rule *upto = NULL, *first = NULL;
	struct pp_val *arr = NULL;
	char rb[256];

	if (q->has_tos || f->rules_rc < 0 || !s->present)
		return;
	pc_rule_flow(q, &rf);
	if (f->route_rc == 0)
		upto = pc_deciding_rule(f, &rf, f->route.table);
	for (size_t i = 0; i < f->nrules; i++) {
		const struct pp_rule *r = &f->rules[i];
		struct pp_rule_flow tf = rf;

		if (r == upto)
			break;
		if (!r->tos)
			continue;
		tf.tos = r->tos;
		if (!pp_rule_match(r, &tf))
			continue;
		if (!arr)
			arr = pp_val_add_arr(s->evidence, "tos_rules");
		pp_val_add_str(arr, NULL, pp_rule_format(r, rb, sizeof(rb)));
		if (!first)
			first = r;
	}
	if (!first)
		return;
	if (s->status == PP_ST_OK) {
		size_t n = strlen(s->summary);

		pc_set(s, PP_ST_WARN, PC_C_ROUTE_DEPENDS_ON_TOS);
		snprintf(s->summary + n, sizeof(s->summary) - n,
			 "; rule %u selects on tos 0x%x, which was not given: a packet with that TOS is routed by it (--tos)",
			 first->priority, first->tos);
		pc_hint(s, "%s rule show; %s route get %s tos 0x%x", pc_ipcmd(q), pc_ipcmd(q),
			pp_addr_str(&q->dst, rb, sizeof(rb)), first->tos);
	}
}

/*
 * An SCTP flow's lookup was asked without its protocol (route_query()): a policy rule that
 * selects ipproto sctp, reached before the rule that decided that lookup and matching the
 * packet otherwise, would route the real packet by itself. Which route it takes is then
 * not known: unknown, the rule named, never the other route's verdict.
 */
static void
eval_route_ipproto(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s = &res->st[PC_ROUTE];
	const struct pp_rule *upto = NULL;
	struct pp_rule_flow rf, asked;
	char rb[256];

	if (q->proto != IPPROTO_SCTP || f->rules_rc < 0 || !s->present)
		return;
	pc_rule_flow(q, &rf);
	asked = rf;
	asked.ipproto = 0;
	if (f->route_rc == 0)
		upto = pc_deciding_rule(f, &asked, f->route.table);
	for (size_t i = 0; i < f->nrules; i++) {
		const struct pp_rule *r = &f->rules[i];

		if (r == upto)
			break;
		if (r->ipproto != IPPROTO_SCTP || !pp_rule_match(r, &rf))
			continue;
		pp_val_add_str(s->evidence, "ipproto_rule", pp_rule_format(r, rb, sizeof(rb)));
		pc_set(s, PP_ST_UNKNOWN, PC_C_KERNEL_UNSUPPORTED);
		s->drop_reason[0] = '\0';
		snprintf(s->summary, sizeof(s->summary),
			 "rule %u selects ipproto sctp, and the kernel's route lookup cannot be asked about SCTP "
			 "(RTA_IP_PROTO takes tcp, udp and icmp): which route the packet takes is not known", r->priority);
		pc_hint(s, "%s rule show; %s route show table %u", pc_ipcmd(q), pc_ipcmd(q), r->table);
		return;
	}
}

void
pc_route_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	(void)id;
	if (q->direction == PC_EGRESS)
		eval_route(q, f, res);
	else
		eval_route_in(q, f, res);
	eval_route_sport(q, f, res);
	eval_route_tos(q, f, res);
	eval_route_ipproto(q, f, res);
	eval_route_mark(f, res);
}
