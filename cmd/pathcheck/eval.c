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

#include "dropmon.h"
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
			s->status = PP_ST_UNKNOWN;
			snprintf(s->summary, sizeof(s->summary),
				 "the source port the kernel will pick is not known (ip_local_port_range: %s), and rule %u selects on sport %s",
				 strerror(-f->ports_rc), nr->priority, rr);
			hint(s, "sysctl net.ipv4.ip_local_port_range; %s rule show", ipcmd(q));
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
	s->status = PP_ST_WARN;
	s->drop_reason[0] = '\0';
	if (egress)
		snprintf(s->summary, sizeof(s->summary),
			 "the route depends on the source port the kernel picks from %s: rule %u (sport %s) takes ports %s; port %u: %s; port %u: %s",
			 range, nr->priority, rr, ov, sp->port_in, in_text, sp->port_out, out_text);
	else
		snprintf(s->summary, sizeof(s->summary),
			 "the route depends on the sender's source port: rule %u (sport %s) takes ports %s; port %u: %s; port %u: %s",
			 nr->priority, rr, ov, sp->port_in, in_text, sp->port_out, out_text);
	hint(s, "pass --sport N to check one source port (%u takes rule %u, %u does not); %s rule show",
	     sp->port_in, nr->priority, sp->port_out, ipcmd(q));
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
	if (f->rerouted && f->src_before.family) {
		/* The socket's own route chose the source; routing again after OUTPUT keeps it. */
		s = station(res, PC_SOCKET, PP_ST_OK, "source %s, chosen by the route before OUTPUT",
			    a2s(&f->src_before, a, sizeof(a)));
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
		/* Packets queued on an entry that does not resolve are freed with NEIGH_FAILED, in either state. */
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

/* ---- arriving packets: ingress and forward ---- */

static void
eval_ingress_device(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	const struct pp_link *l = &f->iif_link;
	struct pc_station *s;
	char err[512];

	if (f->iif_rc < 0) {
		s = station(res, PC_INGRESS_DEVICE, PP_ST_UNKNOWN, "device lookup failed: %s",
			    pp_err_str(&f->iif_err, err, sizeof(err)));
		return;
	}
	if (!(l->flags & IFF_UP)) {
		s = station(res, PC_INGRESS_DEVICE, PP_ST_FAIL, "%s is administratively down: nothing is received", l->name);
		hint(s, "ip link set %s up", l->name);
	} else if (!(l->flags & IFF_LOWER_UP)) {
		s = station(res, PC_INGRESS_DEVICE, PP_ST_FAIL, "%s has no carrier (operstate %s)", l->name,
			    pp_operstate_name(l->operstate));
		hint(s, "ip link show %s", l->name);
	} else if (l->has_xdp && l->xdp_attached) {
		s = station(res, PC_INGRESS_DEVICE, PP_ST_WARN,
			    "%s has an XDP program attached: it sees and may drop the packet before the stack does", l->name);
		hint(s, "ip link show %s; bpftool net show dev %s", l->name, l->name);
	} else {
		s = station(res, PC_INGRESS_DEVICE, PP_ST_OK, "%s up, carrier, mtu %u%s", l->name, l->mtu,
			    f->iif_tc_ingress ? "; a tc ingress hook is attached (its filters are not evaluated)" : "");
	}
	if (f->bridge_port[0]) {
		size_t n = strlen(s->summary);

		snprintf(s->summary + n, sizeof(s->summary) - n, "; a port of bridge %s: routed, the packet arrives on %s",
			 q->iif, q->iif);
		pp_val_add_str(s->evidence, "bridge", q->iif);
	}
	pp_val_add_str(s->evidence, "dev", l->name);
	pp_val_add_u64(s->evidence, "mtu", l->mtu);
	pp_val_add_bool(s->evidence, "tc_ingress", f->iif_tc_ingress);
	if (l->has_stats64) {
		pp_val_add_u64(s->evidence, "rx_packets", l->stats.rx_packets);
		pp_val_add_u64(s->evidence, "rx_errors", l->stats.rx_errors);
		pp_val_add_u64(s->evidence, "rx_dropped", l->stats.rx_dropped);
		pp_val_add_u64(s->evidence, "rx_missed_errors", l->stats.rx_missed_errors);
	}
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

	a2s(&q->dst, d, sizeof(d));
	a2s(&q->src, sa, sizeof(sa));
	/* IPv6 refuses these in ip6_rcv_core(), before any route: the lookup itself would succeed. */
	if (q->family == AF_INET6 && (IN6_IS_ADDR_MULTICAST(&q->src.u.v6) || IN6_IS_ADDR_LOOPBACK(&q->src.u.v6) ||
				      IN6_IS_ADDR_UNSPECIFIED(&q->src.u.v6) || IN6_IS_ADDR_LOOPBACK(&q->dst.u.v6))) {
		s = station(res, PC_ROUTE, PP_ST_FAIL, "martian: IPv6 drops a packet with %s on receive",
			    IN6_IS_ADDR_MULTICAST(&q->src.u.v6) ? "a multicast source" :
			    IN6_IS_ADDR_UNSPECIFIED(&q->src.u.v6) ? "the unspecified source ::" :
			    IN6_IS_ADDR_LOOPBACK(&q->src.u.v6) ? "the loopback source ::1 arriving on a device" :
			    "the loopback destination ::1 arriving on a device");
		hint(s, "ip -6 route get %s from %s iif %s", d, sa, q->iif);
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
		s = station(res, PC_ROUTE, PP_ST_FAIL, "martian %s: the packet has %s", is_src ? "source" : "destination", m);
		snprintf(s->drop_reason, sizeof(s->drop_reason), is_src ? "IP_INVALID_SOURCE" : "IP_INVALID_DEST");
		pp_val_add_str(s->evidence, "kernel_error", strerror(-f->route_rc));
		hint(s, "sysctl -w net.ipv4.conf.%s.log_martians=1; dmesg | grep martian", q->iif);
		return;
	}
	rpf = f->rp_filter_all > f->rp_filter_dev ? f->rp_filter_all : f->rp_filter_dev;
	/*
	 * Not a blackhole (the destination routes fine from here): the reverse-path filter, when
	 * it is on (or could not be read), and in loose mode (2) only with no route back at all.
	 */
	if (f->route_rc == -EINVAL && f->out_rc != -EINVAL && rpf != 0 && (rpf != 2 || f->rev_rc < 0)) {
		if (f->rev_rc == 0 && f->rev_route.oif)
			if_indextoname((unsigned)f->rev_route.oif, rdev);
		if (f->rev_rc < 0)
			s = station(res, PC_ROUTE, PP_ST_FAIL,
				    "reverse-path filter (rp_filter=%lld) drops it: there is no route back to %s", rpf, sa);
		else
			s = station(res, PC_ROUTE, PP_ST_FAIL,
				    "reverse-path filter (rp_filter=%lld, strict) drops it: replies to %s would leave via %s, not %s",
				    rpf, sa, rdev, q->iif);
		snprintf(s->drop_reason, sizeof(s->drop_reason), "IP_RPFILTER");
		pp_val_add_i64(s->evidence, "rp_filter_all", f->rp_filter_all);
		pp_val_add_i64(s->evidence, "rp_filter_dev", f->rp_filter_dev);
		pp_val_add_i64(s->evidence, "rp_filter_effective", rpf);
		if (f->rev_rc == 0)
			pp_val_add_str(s->evidence, "reverse_route", pp_route_format(&f->rev_route, buf, sizeof(buf)));
		pp_val_add_str(s->evidence, "kernel_error", strerror(EINVAL));
		hint(s, "ip route get %s; sysctl net.ipv4.conf.all.rp_filter net.ipv4.conf.%s.rp_filter", sa, q->iif);
		return;
	}
	if (f->route_rc == -EHOSTUNREACH && q->family == AF_INET && f->out_rc == 0 && f->out_route.type != RTN_LOCAL &&
	    (f->ip_forward == 0 || f->iif_forwarding == 0)) {
		/* IPv4 forwarding off: the input lookup fails although a route exists. */
		s = station(res, PC_ROUTE, PP_ST_OK, "%s (forwarding is off: see forward)",
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

static void
eval_forward(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s;

	if (q->family == AF_INET && (f->ip_forward == 0 || f->iif_forwarding == 0)) {
		s = station(res, PC_FORWARD_ST, PP_ST_FAIL, "IPv4 forwarding is off (%s): the packet is dropped, no ICMP is sent",
			    f->ip_forward == 0 ? "net.ipv4.ip_forward=0" : "net.ipv4.conf.IIF.forwarding=0");
		if (f->ip_forward != 0)
			snprintf(s->summary, sizeof(s->summary),
				 "IPv4 forwarding is off on %s (net.ipv4.conf.%s.forwarding=0): the packet is dropped, no ICMP is sent",
				 q->iif, q->iif);
		snprintf(s->drop_reason, sizeof(s->drop_reason), "IP_INADDRERRORS");
		pp_val_add_i64(s->evidence, "ip_forward", f->ip_forward);
		pp_val_add_i64(s->evidence, "iif_forwarding", f->iif_forwarding);
		hint(s, "sysctl -w net.ipv4.ip_forward=1");
		return;
	}
	if (q->family == AF_INET6 && f->v6_forwarding == 0) {
		/* The IPv6 lookup succeeds with forwarding off: only the sysctl tells. */
		s = station(res, PC_FORWARD_ST, PP_ST_FAIL,
			    "IPv6 forwarding is off (net.ipv6.conf.all.forwarding=0): the packet is dropped, no ICMPv6 is sent");
		snprintf(s->drop_reason, sizeof(s->drop_reason), "IP_INADDRERRORS");
		pp_val_add_i64(s->evidence, "all_forwarding", f->v6_forwarding);
		hint(s, "sysctl -w net.ipv6.conf.all.forwarding=1");
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

static void
eval_socket_ingress(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	char d[INET6_ADDRSTRLEN], a[INET6_ADDRSTRLEN], err[512];
	const struct pc_listener *match = NULL, *elsewhere = NULL;
	struct pc_station *s;
	struct pp_val *arr;

	if (res->st[PC_ROUTE].status == PP_ST_FAIL) {
		station(res, PC_SOCKET, PP_ST_SKIPPED, "not delivered locally");
		return;
	}
	if (q->proto == IPPROTO_ICMP || q->proto == IPPROTO_ICMPV6) {
		if (f->icmp_echo_ignore == 1) {
			s = station(res, PC_SOCKET, PP_ST_FAIL, "echo requests are ignored (%s=1)",
				    q->family == AF_INET ? "net.ipv4.icmp_echo_ignore_all" : "net.ipv6.icmp.echo_ignore_all");
			hint(s, "sysctl %s", q->family == AF_INET ? "net.ipv4.icmp_echo_ignore_all" : "net.ipv6.icmp.echo_ignore_all");
		} else {
			station(res, PC_SOCKET, PP_ST_OK, "the kernel answers echo requests itself");
		}
		return;
	}
	if (!q->has_dport) {
		station(res, PC_SOCKET, PP_ST_SKIPPED, "no port given");
		return;
	}
	a2s(&q->dst, d, sizeof(d));
	if (f->sock_rc < 0) {
		s = station(res, PC_SOCKET, PP_ST_UNKNOWN, "sockets not read: %s", pp_err_str(&f->sock_err, err, sizeof(err)));
		if (pp_errno_needs(f->sock_rc))
			pp_val_add_str(s->evidence, "needs", pp_errno_needs(f->sock_rc));
		return;
	}
	for (size_t i = 0; i < f->nlisteners; i++) {
		const struct pc_listener *l = &f->listeners[i];
		bool any = (l->family == AF_INET && l->addr.u.v4.s_addr == 0) ||
			   (l->family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&l->addr.u.v6));
		bool fam_ok = l->family == q->family || (l->family == AF_INET6 && q->family == AF_INET && !l->v6only && any);
		bool dev_ok = !l->ifindex || l->ifindex == (uint32_t)q->iif_index;

		if (fam_ok && dev_ok && (any || pp_addr_eq(&l->addr, &q->dst))) {
			if (!match)
				match = l;
		} else if (!elsewhere) {
			elsewhere = l;
		}
	}
	if (match) {
		s = station(res, PC_SOCKET, PP_ST_OK, "%s listener on %s port %u", pc_proto_name(q->proto),
			    a2s(&match->addr, a, sizeof(a)), q->dport);
		if (q->proto == IPPROTO_TCP && match->wqueue && match->rqueue >= match->wqueue) {
			s->status = PP_ST_WARN;
			snprintf(s->summary, sizeof(s->summary),
				 "tcp listener on %s port %u has a full accept queue (%u of %u): new connections are dropped (ListenOverflows %llu)",
				 a, q->dport, match->rqueue, match->wqueue, (unsigned long long)f->listen_overflows);
			snprintf(s->drop_reason, sizeof(s->drop_reason), "TCP_LISTEN_OVERFLOW");
			hint(s, "ss -ltn 'sport = :%u'; nstat -az TcpExtListenOverflows TcpExtListenDrops", q->dport);
		} else if (q->proto == IPPROTO_TCP && f->listen_overflows) {
			size_t n = strlen(s->summary);

			snprintf(s->summary + n, sizeof(s->summary) - n,
				 "; accept queue %u of %u now; ListenOverflows %llu since boot in this namespace",
				 match->rqueue, match->wqueue, (unsigned long long)f->listen_overflows);
		}
		pp_val_add_str(s->evidence, "bound", a);
		if (q->proto == IPPROTO_TCP) {
			pp_val_add_u64(s->evidence, "accept_queue", match->rqueue);
			pp_val_add_u64(s->evidence, "backlog", match->wqueue);
		}
	} else if (elsewhere) {
		a2s(&elsewhere->addr, a, sizeof(a));
		s = station(res, PC_SOCKET, PP_ST_FAIL,
			    "port %u is open on %s only, not on %s: the packet finds no socket (%s)", q->dport, a, d,
			    q->proto == IPPROTO_TCP ? "answered with RST" : "answered with ICMP port unreachable");
		snprintf(s->drop_reason, sizeof(s->drop_reason), "NO_SOCKET");
		pp_val_add_str(s->evidence, "bound", a);
		hint(s, "ss -l%sn 'sport = :%u'", q->proto == IPPROTO_TCP ? "t" : "u", q->dport);
	} else {
		s = station(res, PC_SOCKET, PP_ST_FAIL, "nothing listens on %s port %u (%s)", pc_proto_name(q->proto), q->dport,
			    q->proto == IPPROTO_TCP ? "answered with RST" : "answered with ICMP port unreachable");
		snprintf(s->drop_reason, sizeof(s->drop_reason), "NO_SOCKET");
		hint(s, "ss -l%sn 'sport = :%u'", q->proto == IPPROTO_TCP ? "t" : "u", q->dport);
	}
	if (f->dnat)
		pp_val_add_str(s->evidence, "after_dnat", f->dnat_text);
	arr = pp_val_add_arr(s->evidence, "sockets");
	for (size_t i = 0; i < f->nlisteners; i++)
		pp_val_add_strf(arr, NULL, "%s:%u%s", a2s(&f->listeners[i].addr, a, sizeof(a)), f->listeners[i].port,
				f->listeners[i].v6only ? " v6only" : "");
	if (f->have_snmp) {
		pp_val_add_u64(s->evidence, "listen_overflows", f->listen_overflows);
		pp_val_add_u64(s->evidence, "listen_drops", f->listen_drops);
	}
}

static void
eval_conntrack(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s;

	if (f->ct_rc == -ENOENT) {
		station(res, PC_CONNTRACK, PP_ST_SKIPPED, "conntrack is not loaded");
		return;
	}
	if (f->ct_max > 0 && f->ct_count >= f->ct_max) {
		s = station(res, PC_CONNTRACK, PP_ST_FAIL,
			    "table full: %lld of %lld entries (the limit is global, the count this namespace's); new flows are dropped",
			    f->ct_count, f->ct_max);
		snprintf(s->drop_reason, sizeof(s->drop_reason), "NETFILTER_DROP");
		hint(s, "ctdump -c; conntrack -S");
	} else if (f->ct_max > 0 && f->ct_count * 10 >= f->ct_max * 9) {
		s = station(res, PC_CONNTRACK, PP_ST_WARN, "table at %lld of %lld entries (%.0f%%): near full",
			    f->ct_count, f->ct_max, 100.0 * (double)f->ct_count / (double)f->ct_max);
		hint(s, "ctdump --top src 10");
	} else {
		if (f->ct_max > 0)
			s = station(res, PC_CONNTRACK, PP_ST_OK, "%lld of %lld entries", f->ct_count, f->ct_max);
		else
			s = station(res, PC_CONNTRACK, PP_ST_OK, "%lld entries (the limit could not be read)", f->ct_count);
		if (f->ct.drop || f->ct.early_drop || f->ct.insert_failed) {
			size_t n = strlen(s->summary);

			snprintf(s->summary + n, sizeof(s->summary) - n,
				 "; drop %llu, early_drop %llu, insert_failed %llu since the namespace began (not rising in this run)",
				 (unsigned long long)f->ct.drop, (unsigned long long)f->ct.early_drop,
				 (unsigned long long)f->ct.insert_failed);
		}
	}
	pp_val_add_i64(s->evidence, "count", f->ct_count);
	pp_val_add_i64(s->evidence, "max", f->ct_max);
	if (f->ct_buckets > 0)
		pp_val_add_i64(s->evidence, "buckets", f->ct_buckets);
	if (f->ct.ncpus) {
		pp_val_add_u64(s->evidence, "drop", f->ct.drop);
		pp_val_add_u64(s->evidence, "early_drop", f->ct.early_drop);
		pp_val_add_u64(s->evidence, "insert_failed", f->ct.insert_failed);
		pp_val_add_u64(s->evidence, "invalid", f->ct.invalid);
		pp_val_add_u64(s->evidence, "search_restart", f->ct.search_restart);
	}
	(void)q;
}

static void
eval_pmtu(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s;
	uint32_t in_mtu = f->iif_rc == 0 && q->direction == PC_FORWARD ? f->iif_link.mtu : 0;
	uint32_t out_mtu = f->oif_rc == 0 ? f->oif_link.mtu : 0;
	bool clamp = false;

	if (f->route_rc < 0 || !out_mtu) {
		station(res, PC_PMTU, PP_ST_SKIPPED, "no egress device");
		return;
	}
	for (size_t i = 0; i < f->nchains; i++)
		clamp |= f->chains[i].res.mss_clamp;
	if (f->route.mtu && f->route.has_expires) {
		s = station(res, PC_PMTU, PP_ST_OK, "path MTU %u learned from an ICMP error (expires in %u s); device %s mtu %u",
			    f->route.mtu, f->route.expires_sec, f->oif_link.name, out_mtu);
		pp_val_add_u64(s->evidence, "pmtu_exception", f->route.mtu);
		pp_val_add_u64(s->evidence, "expires_sec", f->route.expires_sec);
	} else if (in_mtu && out_mtu < in_mtu) {
		s = station(res, PC_PMTU, clamp && q->proto == IPPROTO_TCP ? PP_ST_OK : PP_ST_WARN,
			    "%s has mtu %u, less than %u on %s: larger packets need fragmentation or a working PMTU discovery (ICMP %s)%s",
			    f->oif_link.name, out_mtu, in_mtu, q->iif,
			    q->family == AF_INET ? "fragmentation needed" : "packet too big",
			    clamp ? "; an MSS clamp on the path covers TCP" : "");
		if (s->status == PP_ST_WARN) {
			char d[INET6_ADDRSTRLEN];

			snprintf(s->drop_reason, sizeof(s->drop_reason), "PKT_TOO_BIG");
			hint(s, "pmtuprobe %s (from the sender)", a2s(&q->dst, d, sizeof(d)));
		}
	} else {
		s = station(res, PC_PMTU, PP_ST_OK, "device %s mtu %u%s%s", f->oif_link.name, out_mtu,
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

/* ---- observation: --probe and --watch (issue 4) ---- */

static int
station_id(const char *name)
{
	for (int i = 0; name && i < PC_NSTATIONS; i++)
		if (strcmp(pc_station_name((enum pc_station_id)i), name) == 0)
			return i;
	return PC_NSTATIONS;
}

/* The station of a netfilter chain that dropped the flow (from the trace or the static walk). */
static int
netfilter_station(const struct pc_query *q, const struct pc_facts *f)
{
	const struct pc_probe *pr = &f->pr;
	static const int hook_station[] = { PC_PREROUTING, PC_INPUT, PC_FORWARD_ST, PC_OUTPUT, PC_POSTROUTING };

	if (pr->trace_drop)
		for (size_t i = 0; i < f->nchains; i++)
			if (strcmp(f->chains[i].c.table, pr->trace_table) == 0 &&
			    strcmp(f->chains[i].c.name, pr->trace_chain) == 0 && f->chains[i].c.hooknum < 5)
				return hook_station[f->chains[i].c.hooknum];
	for (size_t i = 0; i < f->nchains; i++)
		if (f->chains[i].res.verdict == PC_NFT_DROP && f->chains[i].c.hooknum < 5)
			return hook_station[f->chains[i].c.hooknum];
	return q->direction == PC_EGRESS ? PC_OUTPUT : q->direction == PC_FORWARD ? PC_FORWARD_ST : PC_INPUT;
}

/* Mark a station by what was observed; the configured view is kept beside it. */
static struct pc_station *
observe(struct pc_result *res, int id, enum pp_status st, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
static struct pc_station *
observe(struct pc_result *res, int id, enum pp_status st, const char *reason, const char *fmt, ...)
{
	struct pc_station *s = &res->st[id];
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (!s->evidence)
		s->evidence = pp_val_obj();
	if (s->present && s->summary[0] && !pp_val_get(s->evidence, "configured"))
		pp_val_add_str(s->evidence, "configured", s->summary);
	s->present = true;
	s->status = st;
	snprintf(s->summary, sizeof(s->summary), "%s", buf);
	if (reason)
		snprintf(s->drop_reason, sizeof(s->drop_reason), "%s", reason);
	return s;
}

static const char *
outcome_name(enum pc_probe_outcome o)
{
	switch (o) {
	case PC_PR_CONNECTED: return "connected";
	case PC_PR_REPLY: return "reply";
	case PC_PR_REFUSED: return "refused";
	case PC_PR_ICMP: return "icmp_error";
	case PC_PR_SENDERR: return "send_error";
	case PC_PR_SILENCE: return "silence";
	default: return "none";
	}
}

static const char *
icmp_words(const struct pp_icmperr *ie)
{
	switch (ie->kind) {
	case PP_ICMPERR_PTB: return "fragmentation needed / packet too big";
	case PP_ICMPERR_TTL: return "time exceeded";
	case PP_ICMPERR_PORT: return "port unreachable";
	case PP_ICMPERR_UNREACH: return "destination unreachable";
	case PP_ICMPERR_PROHIBITED: return "administratively prohibited";
	default: return "error";
	}
}

static void
eval_probe(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	const struct pc_probe *pr = &f->pr;
	char d[INET6_ADDRSTRLEN], o[INET6_ADDRSTRLEN];
	struct pp_val *ev;
	struct pc_station *s;
	bool local_drop = false, answered = pr->outcome == PC_PR_CONNECTED || pr->outcome == PC_PR_REPLY;

	if (!pr->ran)
		return;
	a2s(&q->dst, d, sizeof(d));
	if (pr->drop_rc < 0)
		pc_warn(res, "kernel drop reasons were not read (skb:kfree_skb): %s", pr->drop_err);
	if (q->trace && pr->trace_rc < 0)
		pc_warn(res, "nft trace not set up: %s", pr->trace_err);
	if (pr->pcap_rc < 0)
		pc_warn(res, "the wire was not watched: %s", pr->pcap_err);
	if (pr->drops_lost)
		pc_warn(res, "%llu drop events were lost (the trace buffer overflowed)", (unsigned long long)pr->drops_lost);
	/* A configured failure that the probe got through anyway (answered, or refused by the destination itself): the observation wins. */
	if (answered || (!pr->watch && pr->outcome == PC_PR_REFUSED))
		for (int i = 0; i < PC_NSTATIONS; i++)
			if (res->st[i].present && (res->st[i].status == PP_ST_FAIL || res->st[i].status == PP_ST_UNKNOWN) &&
			    i != PC_REMOTE && i != PC_PMTU)
				observe(res, i, PP_ST_OK, NULL, "the probe got through (configuration suggested: %.400s)",
					res->st[i].summary)->drop_reason[0] = '\0';
	/* The kernel said what it dropped, and where. */
	for (size_t i = 0; i < pr->ndrops; i++) {
		const struct pc_drop_seen *dr = &pr->drops[i];
		int id = dr->station && strcmp(dr->station, "netfilter") == 0 ? netfilter_station(q, f) : station_id(dr->station);

		if (id == PC_NSTATIONS)
			continue;
		/* An answer that arrived and died inside is the input station's, whatever hook the counter names. */
		if (answered)
			continue;
		/* A drop of a packet after the decisive answer (a RST, an ICMP error) never overturns it. */
		if (dr->after_answer)
			continue;
		s = observe(res, id, PP_ST_FAIL, dr->reason, "observed: the kernel dropped %u packet%s of this flow here (%s at %s%s%s)",
			    dr->count, dr->count == 1 ? "" : "s", dr->reason, dr->symbol[0] ? dr->symbol : "?",
			    dr->dev[0] ? ", last seen on " : "", dr->dev);
		local_drop = true;
		/* How the drop was tied to this flow (the tracepoint gives no headers to match on). */
		pp_val_add_str(s->evidence, "drop_attribution",
			       dr->attribution == PP_DROP_OURS_PROCESS ? "process: in the probe's own send" :
			       "device and time window: on one of this namespace's devices while the probe ran");
		if (!s->hint[0])
			hint(s, "%s", id == PC_QDISC ? "tc -s qdisc show" : id == PC_NEIGHBOUR ? "ip neigh show" :
				      "pathcheck --probe --trace ...");
	}
	/* The nft trace names the rule. */
	if (pr->trace_drop) {
		int id = netfilter_station(q, f);

		s = observe(res, id, PP_ST_FAIL, "NETFILTER_DROP", "observed: dropped by rule in table %s %s chain %s (handle %llu)",
			    pp_nft_family_name(pr->trace_family), pr->trace_table, pr->trace_chain,
			    (unsigned long long)pr->trace_handle);
		pp_val_add_u64(s->evidence, "trace_rule_handle", pr->trace_handle);
		pp_val_add_strf(s->evidence, "trace_chain", "%s %s %s", pp_nft_family_name(pr->trace_family),
				pr->trace_table, pr->trace_chain);
		hint(s, "nft -a list chain %s %s %s", pp_nft_family_name(pr->trace_family), pr->trace_table, pr->trace_chain);
		local_drop = true;
	}
	if (!pr->watch && pr->outcome == PC_PR_SILENCE && pr->neigh_after &&
	    (pr->neigh_state & (NUD_INCOMPLETE | NUD_FAILED)) && pr->wire_out == 0) {
		char a[INET6_ADDRSTRLEN], st[32];

		s = observe(res, PC_NEIGHBOUR, PP_ST_FAIL, "NEIGH_FAILED",
			    "observed: the probe waited on next hop %s, still %s after the probe: nobody answers %s",
			    a2s(&f->nexthop, a, sizeof(a)), pp_neigh_state_name(pr->neigh_state, st, sizeof(st)),
			    q->family == AF_INET6 ? "neighbour solicitation" : "ARP");
		hint(s, "%s neigh show %s", ipcmd(q), a);
		local_drop = true;
	}
	/* probe_judge.c: the kernel failed the flow itself, its next hop never resolved. */
	if (!pr->watch && pr->outcome == PC_PR_SENDERR && pr->judgement.local_unreach) {
		char a[INET6_ADDRSTRLEN] = "";

		if (f->need_neigh)
			a2s(&f->nexthop, a, sizeof(a));
		if (!local_drop || !res->st[PC_NEIGHBOUR].present || res->st[PC_NEIGHBOUR].status != PP_ST_FAIL) {
			s = observe(res, PC_NEIGHBOUR, PP_ST_FAIL, "NEIGH_FAILED",
				    "observed: the kernel failed the probe with %s: next hop %s did not answer %s",
				    strerror(pr->err), a[0] ? a : "?", q->family == AF_INET6 ? "neighbour solicitation" : "ARP");
			pp_val_add_str(s->evidence, "error", strerror(pr->err));
			if (a[0])
				hint(s, "%s neigh show %s", ipcmd(q), a);
		}
		local_drop = true;
	}
	if (!pr->watch && pr->outcome == PC_PR_SENDERR && (pr->err == EPERM || pr->err == EACCES) && !local_drop) {
		s = observe(res, PC_OUTPUT, PP_ST_FAIL, "NETFILTER_DROP",
			    "observed: the kernel refused to send (%s): a rule on the output path dropped it", strerror(pr->err));
		local_drop = true;
	}
	/* The remote station: what came back. */
	if (!pr->watch) {
		switch (pr->outcome) {
		case PC_PR_CONNECTED:
			s = observe(res, PC_REMOTE, PP_ST_OK, NULL, "answered: TCP handshake with %s completed in %.1f ms", d, pr->rtt * 1000);
			break;
		case PC_PR_REPLY:
			s = observe(res, PC_REMOTE, PP_ST_OK, NULL, "answered by %s in %.1f ms", d, pr->rtt * 1000);
			break;
		case PC_PR_REFUSED:
			s = observe(res, PC_REMOTE, PP_ST_FAIL, NULL, "refused by %s (%s): nothing listens there", d,
				    pr->has_icmp ? "ICMP port unreachable" : "RST");
			hint(s, "ss -ltn on %s", d);
			break;
		case PC_PR_ICMP:
			s = observe(res, PC_REMOTE, PP_ST_FAIL, NULL, "ICMP %s (type %u code %u) from %s%s",
				    icmp_words(&pr->icmp), pr->icmp.type, pr->icmp.code,
				    pr->icmp.has_offender ? a2s(&pr->icmp.offender, o, sizeof(o)) : "?",
				    pr->icmp.has_offender && !pp_addr_eq(&pr->icmp.offender, &q->dst) ? ", a hop on the way" : "");
			if (pr->icmp.has_offender)
				pp_val_add_str(s->evidence, "offender", o);
			pp_val_add_u64(s->evidence, "icmp_type", pr->icmp.type);
			pp_val_add_u64(s->evidence, "icmp_code", pr->icmp.code);
			hint(s, "pathcheck on %s, with --watch", pr->icmp.has_offender ? o : "the hop");
			break;
		case PC_PR_SENDERR:
			s = observe(res, PC_REMOTE, local_drop ? PP_ST_SKIPPED : PP_ST_UNKNOWN, NULL,
				    "no answer: the probe failed on this host (%s)", strerror(pr->err));
			break;
		case PC_PR_SILENCE:
			if (local_drop)
				s = observe(res, PC_REMOTE, PP_ST_SKIPPED, NULL, "no answer: the probe died on this host");
			else if (pr->pcap_rc == 0 && pr->wire_in > 0)
				s = observe(res, PC_REMOTE, PP_ST_OK, NULL,
					    "%s answered: %u packet%s came back on %s", d, pr->wire_in, pr->wire_in == 1 ? "" : "s",
					    pr->pcap_dev);
			else if (pr->pcap_rc == 0 && pr->wire_out > 0)
				s = observe(res, PC_REMOTE, PP_ST_FAIL, NULL,
					    "silence: the probe left on %s and nothing came back within %.1f s: it dies beyond this host",
					    pr->pcap_dev, q->timeout);
			else
				s = observe(res, PC_REMOTE, PP_ST_FAIL, NULL, "silence: no answer within %.1f s%s", q->timeout,
					    pr->pcap_rc == 0 ? " and the probe was not seen leaving" : "");
			if (s->status == PP_ST_FAIL) {
				/* The command to run where the packet goes next, ready to paste but for the device there. */
				char nh[INET6_ADDRSTRLEN] = "", src[INET6_ADDRSTRLEN] = "", port[8] = "";
				const struct pp_addr *sa = pr->src.family ? &pr->src : &f->route.prefsrc;

				if (f->route_rc == 0 && f->route.gateway.family)
					a2s(&f->route.gateway, nh, sizeof(nh));
				if (sa->family)
					a2s(sa, src, sizeof(src));
				if (q->has_dport)
					snprintf(port, sizeof(port), ":%u", q->dport);
				hint(s, "on %s: pathcheck --watch 10 --trace --from %s --iif DEV %s%s%s%s",
				     nh[0] ? nh : "the next hop", src[0] ? src : "SRC",
				     q->family == AF_INET6 && port[0] ? "[" : "", d, q->family == AF_INET6 && port[0] ? "]" : "", port);
				if (q->proto == IPPROTO_UDP) {
					size_t n = strlen(s->hint);

					snprintf(s->hint + n, sizeof(s->hint) - n, " --proto udp");
				}
			}
			break;
		default:
			break;
		}
		/* An answer that reached the wire but not the socket was dropped on the way in. */
		if (pr->outcome == PC_PR_SILENCE && pr->pcap_rc == 0 && pr->wire_in > 0) {
			const char *why = "";

			for (size_t i = 0; i < pr->ndrops; i++)
				if (pr->drops[i].station)
					why = pr->drops[i].reason;
			s = observe(res, PC_INPUT, PP_ST_FAIL, why[0] ? why : NULL,
				    "the answer arrived on %s (%u packet%s) but never reached the socket: dropped on the way in",
				    pr->pcap_dev, pr->wire_in, pr->wire_in == 1 ? "" : "s");
			hint(s, "nft -a list ruleset | grep -A3 'hook input'");
			if (res->st[PC_REMOTE].present && res->st[PC_REMOTE].status == PP_ST_SKIPPED)
				observe(res, PC_REMOTE, PP_ST_OK, NULL, "%s answered", d);
		}
		ev = res->st[PC_REMOTE].present ? res->st[PC_REMOTE].evidence : NULL;
		if (ev) {
			pp_val_add_str(ev, "outcome", outcome_name(pr->outcome));
			if (pr->err)
				pp_val_add_str(ev, "error", strerror(pr->err));
			if (pr->outcome == PC_PR_CONNECTED || pr->outcome == PC_PR_REPLY || pr->outcome == PC_PR_REFUSED ||
			    pr->outcome == PC_PR_ICMP)
				pp_val_add_dbl(ev, "rtt_seconds", pr->rtt);
			if (pr->pcap_rc == 0) {
				pp_val_add_str(ev, "wire_dev", pr->pcap_dev);
				pp_val_add_u64(ev, "wire_out", pr->wire_out);
				pp_val_add_u64(ev, "wire_in", pr->wire_in);
			}
			pc_probe_evidence(pr, ev);
		}
		if (pr->judgement.disagree[0])
			pc_warn(res, "the wire and the socket disagree: %s", pr->judgement.disagree);
	}
	/* Large probes vanishing while small ones are answered: a PMTU black hole. */
	if (pr->big_ran) {
		if (pr->big_outcome == PC_PR_REPLY)
			s = observe(res, PC_PMTU, PP_ST_OK, NULL, "a %u-byte probe with DF was answered too", pr->big_size);
		else if (pr->big_has_icmp && pr->big_icmp.kind == PP_ICMPERR_PTB)
			s = observe(res, PC_PMTU, PP_ST_OK, NULL, "path MTU %u, reported by %s for a %u-byte probe", pr->big_icmp.info,
				    pr->big_icmp.has_offender ? a2s(&pr->big_icmp.offender, o, sizeof(o)) : "a hop", pr->big_size);
		else if (pr->big_outcome == PC_PR_SILENCE) {
			s = observe(res, PC_PMTU, PP_ST_FAIL, "PKT_TOO_BIG",
				    "black hole: %u-byte probes with DF vanish, small ones are answered, and no hop reports why",
				    pr->big_size);
			hint(s, "pmtuprobe %s", d);
		} else {
			s = observe(res, PC_PMTU, PP_ST_UNKNOWN, NULL, "the %u-byte probe ended in %s", pr->big_size,
				    outcome_name(pr->big_outcome));
		}
		pp_val_add_u64(s->evidence, "big_probe_bytes", pr->big_size);
		pp_val_add_str(s->evidence, "big_probe_outcome", outcome_name(pr->big_outcome));
	}
	/* Queue drops during the run are a warning (they may be ours). */
	if (pr->have_qdisc && pr->qdisc_drops_delta && res->st[PC_QDISC].present && res->st[PC_QDISC].status == PP_ST_OK) {
		s = observe(res, PC_QDISC, PP_ST_WARN, "QDISC_DROP", "drops rising during the run: +%llu on %s",
			    (unsigned long long)pr->qdisc_drops_delta, f->oif_link.name);
		hint(s, "qdiscstat -i 1 -c 5 --dev %s", f->oif_link.name);
	}
	/* The device's and conntrack's own counters across the run. */
	{
		int dev_id = q->direction == PC_EGRESS ? PC_EGRESS_DEVICE : PC_INGRESS_DEVICE;
		struct pc_station *ds = &res->st[dev_id];

		if (pr->have_dev && ds->present && ds->evidence) {
			struct pp_val *dv = pp_val_add_obj(ds->evidence, "during_run");

			pp_val_add_u64(dv, "tx_dropped", pr->dev_tx_dropped_delta);
			pp_val_add_u64(dv, "rx_dropped", pr->dev_rx_dropped_delta);
			pp_val_add_u64(dv, "tx_errors", pr->dev_tx_errors_delta);
			pp_val_add_u64(dv, "rx_errors", pr->dev_rx_errors_delta);
			if ((pr->dev_tx_dropped_delta || pr->dev_rx_dropped_delta || pr->dev_tx_errors_delta ||
			     pr->dev_rx_errors_delta) && ds->status == PP_ST_OK)
				observe(res, dev_id, PP_ST_WARN, NULL, "drops or errors rising during the run on %s: "
					"tx dropped +%llu, rx dropped +%llu, tx errors +%llu, rx errors +%llu",
					dev_id == PC_EGRESS_DEVICE ? f->oif_link.name : f->iif_link.name,
					(unsigned long long)pr->dev_tx_dropped_delta, (unsigned long long)pr->dev_rx_dropped_delta,
					(unsigned long long)pr->dev_tx_errors_delta, (unsigned long long)pr->dev_rx_errors_delta);
		}
		if (pr->have_ct && res->st[PC_CONNTRACK].present && res->st[PC_CONNTRACK].evidence) {
			struct pp_val *cv = pp_val_add_obj(res->st[PC_CONNTRACK].evidence, "during_run");

			pp_val_add_u64(cv, "drop", pr->ct_drop_delta);
			pp_val_add_u64(cv, "early_drop", pr->ct_early_drop_delta);
			pp_val_add_u64(cv, "insert_failed", pr->ct_insert_failed_delta);
			pp_val_add_u64(cv, "invalid", pr->ct_invalid_delta);
			if ((pr->ct_drop_delta || pr->ct_insert_failed_delta) && res->st[PC_CONNTRACK].status == PP_ST_OK)
				observe(res, PC_CONNTRACK, PP_ST_WARN, NULL,
					"conntrack dropped during the run: drop +%llu, insert_failed +%llu",
					(unsigned long long)pr->ct_drop_delta, (unsigned long long)pr->ct_insert_failed_delta);
		}
	}
	/* Counter deltas, as evidence on the stations they belong to. */
	for (size_t i = 0; i < pr->nctr; i++) {
		int id = station_id(pc_counter_station(pr->ctr[i].name));
		struct pp_val *obj;

		if (id == PC_NSTATIONS || !res->st[id].present || !res->st[id].evidence)
			continue;
		obj = (struct pp_val *)pp_val_get(res->st[id].evidence, "counters");
		if (!obj)
			obj = pp_val_add_obj(res->st[id].evidence, "counters");
		pp_val_add_u64(obj, pr->ctr[i].name, pr->ctr[i].delta);
	}
	if (pr->drops_other)
		pc_warn(res, "%u kernel drops in other namespaces during the run were not counted against this flow",
			pr->drops_other);
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
			s->status = PP_ST_UNKNOWN;
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

/* ---- verdict ---- */

void
pc_eval(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	memset(res, 0, sizeof(*res));
	switch (q->direction) {
	case PC_EGRESS:
		eval_socket_egress(q, f, res);
		eval_route(q, f, res);
		eval_route_sport(q, f, res);
		eval_hook(q, f, res, PC_OUTPUT, NF_INET_LOCAL_OUT);
		eval_hook(q, f, res, PC_POSTROUTING, NF_INET_POST_ROUTING);
		eval_conntrack(q, f, res);
		eval_neigh(q, f, res);
		eval_qdisc(q, f, res);
		eval_egress_device(q, f, res);
		eval_pmtu(q, f, res);
		break;
	case PC_INGRESS:
		eval_ingress_device(q, f, res);
		eval_hook(q, f, res, PC_PREROUTING, NF_INET_PRE_ROUTING);
		eval_route_in(q, f, res);
		eval_route_sport(q, f, res);
		eval_hook(q, f, res, PC_INPUT, NF_INET_LOCAL_IN);
		eval_socket_ingress(q, f, res);
		eval_conntrack(q, f, res);
		break;
	case PC_FORWARD:
		eval_ingress_device(q, f, res);
		eval_hook(q, f, res, PC_PREROUTING, NF_INET_PRE_ROUTING);
		eval_route_in(q, f, res);
		eval_route_sport(q, f, res);
		eval_forward(q, f, res);
		eval_hook(q, f, res, PC_POSTROUTING, NF_INET_POST_ROUTING);
		eval_conntrack(q, f, res);
		eval_neigh(q, f, res);
		eval_qdisc(q, f, res);
		eval_egress_device(q, f, res);
		eval_pmtu(q, f, res);
		break;
	}
	eval_route_mark(f, res);
	eval_probe(q, f, res);
	if (f->dnat && res->st[PC_PREROUTING].present) {
		size_t n = strlen(res->st[PC_PREROUTING].summary);

		pp_val_add_str(res->st[PC_PREROUTING].evidence, "dnat", f->dnat_text);
		if (!strstr(res->st[PC_PREROUTING].summary, f->dnat_text))
			snprintf(res->st[PC_PREROUTING].summary + n, sizeof(res->st[PC_PREROUTING].summary) - n,
				 "; %s", f->dnat_text);
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
		PC_ROUTE, PC_INPUT, PC_SOCKET, PC_OUTPUT, PC_POSTROUTING, PC_CONNTRACK, PC_NEIGHBOUR,
		PC_QDISC, PC_EGRESS_DEVICE, PC_PMTU, PC_REMOTE,
	};
	static const enum pc_station_id ingress[] = {
		PC_INGRESS_DEVICE, PC_PREROUTING, PC_ROUTE, PC_INPUT, PC_SOCKET, PC_CONNTRACK, PC_REMOTE,
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
