/*
 * sport.c: policy rules that select on the source port, when the query gives none.
 * Pure: the port ranges arrive as text, the rules as decoded structs.
 *
 * A packet this host sends over TCP or UDP leaves with an ephemeral source port the
 * kernel picks from net.ipv4.ip_local_port_range (IPv6 uses the same sysctl), skipping
 * ip_local_reserved_ports (inet_is_local_reserved_port). A rule "sport 1000-2000" is
 * judged per packet (fib_rule_port_inrange), so asking the kernel with port 0 shows a
 * route the packet may not take. TCP connect() routes again once it has its port
 * (ip_route_newports): the route of the real packet is the one with that port. Not
 * over IPv6: tcp_v6_connect() routes once, before it picks the port, so there the
 * route at port 0 is the packet's (st_route.c asks nothing more).
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "pathcheck.h"

/* One decimal port, 0-65535; *s advanced past it. */
static int
port_num(const char **s, uint16_t *out)
{
	char *end;
	unsigned long v;

	if (**s < '0' || **s > '9')
		return -EINVAL;
	errno = 0;
	v = strtoul(*s, &end, 10);
	if (errno || v > 65535)
		return -EINVAL;
	*s = end;
	*out = (uint16_t)v;
	return 0;
}

static const char *
skip_blank(const char *s)
{
	while (*s == ' ' || *s == '\t' || *s == '\n')
		s++;
	return s;
}

int
pc_ports_parse(const char *text, struct pc_ports *p)
{
	const char *s = skip_blank(text);
	uint16_t lo, hi;

	if (port_num(&s, &lo) < 0)
		return -EINVAL;
	if (*s != ' ' && *s != '\t')
		return -EINVAL;
	s = skip_blank(s);
	if (port_num(&s, &hi) < 0 || *skip_blank(s) || lo == 0 || lo > hi)
		return -EINVAL;
	p->lo = lo;
	p->hi = hi;
	return 0;
}

int
pc_ports_reserved_parse(const char *text, struct pc_ports *p)
{
	const char *s = skip_blank(text);

	p->nrsv = 0;
	while (*s) {
		uint16_t lo, hi;

		if (port_num(&s, &lo) < 0)
			return -EINVAL;
		hi = lo;
		if (*s == '-') {
			s++;
			if (port_num(&s, &hi) < 0 || hi < lo)
				return -EINVAL;
		}
		if (*s == ',')
			s++;
		else if (*skip_blank(s))
			return -EINVAL;
		s = skip_blank(s);
		/* Ports outside the range are never picked anyway; only those inside it count. */
		if (hi < p->lo || lo > p->hi)
			continue;
		if (p->nrsv == PC_PORTS_MAX_RESERVED)
			return -EINVAL;
		p->rsv[p->nrsv].lo = lo;
		p->rsv[p->nrsv].hi = hi;
		p->nrsv++;
	}
	return 0;
}

/* The reserved range holding port, or NULL. */
static const struct pc_port_range *
reserved(const struct pc_ports *p, uint32_t port)
{
	for (size_t i = 0; i < p->nrsv; i++)
		if (port >= p->rsv[i].lo && port <= p->rsv[i].hi)
			return &p->rsv[i];
	return NULL;
}

bool
pc_port_usable(const struct pc_ports *p, uint16_t port)
{
	return port && port >= p->lo && port <= p->hi && !reserved(p, port);
}

/* The lowest usable port in lo-hi, or 0. Jumps over reserved ranges: at most nrsv steps. */
static uint16_t
first_usable(const struct pc_ports *p, uint32_t lo, uint32_t hi)
{
	const struct pc_port_range *r;

	if (lo < p->lo)
		lo = p->lo;
	if (lo == 0)
		lo = 1;
	if (hi > p->hi)
		hi = p->hi;
	while (lo <= hi) {
		if (!(r = reserved(p, lo)))
			return (uint16_t)lo;
		lo = (uint32_t)r->hi + 1;
	}
	return 0;
}

enum pc_sport_class
pc_sport_classify(const struct pc_ports *p, uint16_t lo, uint16_t hi, uint16_t *in, uint16_t *out)
{
	*in = first_usable(p, lo, hi);
	*out = lo > 0 ? first_usable(p, 0, (uint32_t)lo - 1) : 0;
	if (!*out)
		*out = first_usable(p, (uint32_t)hi + 1, 65535);
	if (!*in)
		return PC_SPORT_DISJOINT;
	return *out ? PC_SPORT_PARTIAL : PC_SPORT_INSIDE;
}

size_t
pc_sport_plan(const struct pp_rule *rules, size_t n, const struct pp_rule_flow *rf,
	      const struct pp_rule *upto, const struct pc_ports *p, struct pc_sport *sp)
{
	struct pp_rule_flow at = *rf;

	memset(sp, 0, sizeof(*sp));
	for (size_t i = 0; i < n && sp->nrules < PC_SPORT_MAX_RULES; i++) {
		const struct pp_rule *r = &rules[i];
		struct pc_sport_rule *sr;
		uint16_t in, out;
		bool m_in, m_out;

		if (r == upto)
			break;
		if (!r->has_sport)
			continue;
		/* Inside the range and outside it (0 is never in a rule's range): does the port decide? */
		at.sport = r->sport_lo;
		m_in = pp_rule_match(r, &at);
		at.sport = 0;
		m_out = pp_rule_match(r, &at);
		if (m_in == m_out)
			continue;
		sr = &sp->rules[sp->nrules++];
		sr->r = *r;
		sr->cls = pc_sport_classify(p, r->sport_lo, r->sport_hi, &in, &out);
		/* The first PARTIAL rule names the answer; else the first INSIDE; else the first. */
		if (sr->cls > sp->cls) {
			sp->cls = sr->cls;
			sp->named = sp->nrules - 1;
			sp->port_in = in;
			sp->port_out = out;
		}
	}
	/*
	 * No rule is PARTIAL: every usable port takes the same rule walk, so one port stands
	 * for all (the lowest usable one).
	 */
	if (sp->cls == PC_SPORT_INSIDE)
		sp->port_in = first_usable(p, 0, 65535);
	return sp->nrules;
}

const char *
pc_sport_class_name(enum pc_sport_class c)
{
	switch (c) {
	case PC_SPORT_DISJOINT: return "none";
	case PC_SPORT_INSIDE: return "all";
	case PC_SPORT_PARTIAL: return "some";
	default: return "no rule";
	}
}
