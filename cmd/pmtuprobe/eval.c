/* eval.c: the verdict from what the probes found (pure: no I/O). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "nft.h"
#include "pmtuprobe.h"
#include <linux/netfilter.h>

const char *
pm_cause_name(enum pm_cause c)
{
	switch (c) {
	case PM_C_CLEAN: return "clean";
	case PM_C_PTB: return "ptb";
	case PM_C_BLACK_HOLE: return "black_hole";
	case PM_C_LOCAL_FIREWALL: return "local_firewall";
	case PM_C_BAD_PTB: return "bad_ptb";
	case PM_C_UNREACHABLE: return "unreachable";
	case PM_C_INCOMPLETE: return "incomplete";
	case PM_C_LOCAL_ERROR: return "local_error";
	}
	return "unknown";
}

void
pm_warn(struct pm_model *m, const char *fmt, ...)
{
	va_list ap;

	if (m->nwarn >= (int)PP_ARRAY_SIZE(m->warn))
		return;
	va_start(ap, fmt);
	vsnprintf(m->warn[m->nwarn++], sizeof(m->warn[0]), fmt, ap);
	va_end(ap);
}

unsigned
pm_mss(int family, unsigned mtu)
{
	unsigned hdr = family == AF_INET6 ? 60 : 40;

	return mtu > hdr ? mtu - hdr : 0;
}

unsigned
pm_path_mtu(const struct pm_model *m)
{
	return m->searched ? m->search.lo : 0;
}

static const char *
proto_name(enum pm_proto p)
{
	return p == PM_PROTO_ICMP ? "ICMP" : p == PM_PROTO_TCP ? "TCP" : "UDP";
}

static int
set(struct pm_model *m, enum pp_status st, enum pm_cause c, const struct pp_addr *hop)
{
	m->v.status = st;
	m->v.cause = c;
	if (hop)
		m->v.hop = *hop;
	switch (st) {
	case PP_ST_OK: return PP_EXIT_OK;
	case PP_ST_WARN:
	case PP_ST_FAIL: return PP_EXIT_PROBLEM;
	default: return PP_EXIT_UNKNOWN;
	}
}

int
pm_eval(struct pm_model *m)
{
	const struct pm_search *s = &m->search;
	struct pm_verdict *v = &m->v;
	bool stopped = m->interrupted || m->timed_out;
	bool complete = m->searched && !stopped;
	const char *why = m->interrupted ? "interrupted" : "out of time (--deadline)";
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	unsigned pmtu = pm_path_mtu(m);
	int rc;

	memset(v, 0, sizeof(*v));
	if (m->return_frag)
		pm_warn(m, "the reply to a %u-byte probe came back fragmented (first fragment %u bytes): "
			"the return path has a smaller MTU than the forward path", m->return_frag_probe,
			m->return_frag);
	if (m->probe_error) {
		rc = set(m, PP_ST_UNKNOWN, PM_C_LOCAL_ERROR, NULL);
		snprintf(v->summary, sizeof(v->summary), "cannot probe: %s", m->probe_err);
		return rc;
	}
	if (pmtu == 0) {
		if (!complete || !s->base_done) {
			rc = set(m, PP_ST_UNKNOWN, PM_C_INCOMPLETE, NULL);
			snprintf(v->summary, sizeof(v->summary),
				 "%s before the destination answered a probe", why);
			return rc;
		}
		rc = set(m, PP_ST_UNKNOWN, PM_C_UNREACHABLE, NULL);
		snprintf(v->summary, sizeof(v->summary),
			 "no answer to %s probes of %u bytes (%s): cannot tell a black hole from a silent destination",
			 proto_name(m->proto), s->min, pm_answer_name(s->hi_why));
		snprintf(v->hint, sizeof(v->hint), "%s",
			 m->proto == PM_PROTO_UDP ? "try --proto icmp, or --proto tcp --port N to an open port"
						  : "try another --proto, or check the path with pathcheck");
		return rc;
	}
	/* A PTB on the wire that never reached the socket: this host threw it away. */
	if (m->ptb_wire_only) {
		const struct pm_input_chain *ic = NULL;
		char where[200] = "";
		int i;

		/* The input chain most likely to hold the drop: one with drop rules, else a drop policy. */
		for (i = 0; i < m->local.ninput && !ic; i++)
			if (m->local.input[i].drop_rules)
				ic = &m->local.input[i];
		for (i = 0; i < m->local.ninput && !ic; i++)
			if (m->local.input[i].policy == NF_DROP)
				ic = &m->local.input[i];
		if (ic)
			snprintf(where, sizeof(where), "%s %s %s", pp_nft_family_name(ic->family), ic->table,
				 ic->chain);
		rc = set(m, PP_ST_FAIL, PM_C_LOCAL_FIREWALL, &m->wire_hop);
		snprintf(v->summary, sizeof(v->summary),
			 "%s reports %s (mtu %u) and it arrives on %s, but this host drops it "
			 "(INPUT rules%s%s): PMTU discovery cannot work; path MTU %u",
			 pp_addr_str(&m->wire_hop, a, sizeof(a)),
			 m->family == AF_INET6 ? "Packet Too Big" : "frag-needed", m->wire_mtu,
			 m->local.dev[0] ? m->local.dev : "the egress device", where[0] ? ": " : "", where,
			 pmtu);
		if (where[0])
			snprintf(v->hint, sizeof(v->hint), "accept %s in %s (nft -a list chain %s)",
				 m->family == AF_INET6 ? "icmpv6 type packet-too-big"
						       : "icmp type destination-unreachable code frag-needed",
				 where, where);
		else
			snprintf(v->hint, sizeof(v->hint), "accept %s in the input chain (nft list ruleset, iptables -S INPUT)",
				 m->family == AF_INET6 ? "icmpv6 type packet-too-big"
						       : "icmp type destination-unreachable code frag-needed");
		return rc;
	}
	if (s->hi_why == PM_A_SILENT && s->hi <= m->max && pmtu < m->max) {
		rc = set(m, PP_ST_FAIL, PM_C_BLACK_HOLE, m->ttl.found ? &m->ttl.last_hop : NULL);
		if (m->located && m->ttl.found && m->ttl.last_ttl) {
			snprintf(v->summary, sizeof(v->summary),
				 "black hole: packets of %u bytes vanish without a Packet Too Big after hop %u "
				 "%s (before %s%s); %u bytes get through",
				 s->hi, m->ttl.last_ttl, pp_addr_str(&m->ttl.last_hop, a, sizeof(a)),
				 pp_addr_str(&m->ttl.next_hop, b, sizeof(b)),
				 m->ttl.next_is_dst ? ", the destination" : "", pmtu);
		} else if (m->located && m->ttl.found) {
			m->v.hop = m->ttl.next_hop;
			snprintf(v->summary, sizeof(v->summary),
				 "black hole: packets of %u bytes vanish on the way to the first hop %s; "
				 "%u bytes get through", s->hi,
				 pp_addr_str(&m->ttl.next_hop, a, sizeof(a)), pmtu);
		} else {
			snprintf(v->summary, sizeof(v->summary),
				 "black hole: packets of %u bytes vanish without a Packet Too Big; %u bytes "
				 "get through (dropping hop not located%s)", s->hi, pmtu,
				 m->located && m->ttl.reached ? ": large probes got through during the TTL search" :
				 m->located ? ": no hop answered" : "");
		}
		if (!complete) {
			size_t l = strlen(v->summary);

			snprintf(v->summary + l, sizeof(v->summary) - l,
				 "; search not finished (%s): the path MTU is at least %u", why, pmtu);
		}
		snprintf(v->hint, sizeof(v->hint),
			 "a hop drops packets larger than %u without saying so: lower the MTU or clamp the TCP MSS "
			 "to %u on this side, and ask the hop's owner to send ICMP", pmtu,
			 pm_mss(m->family, pmtu));
		return rc;
	}
	if (m->bad_ptb) {
		rc = set(m, PP_ST_WARN, PM_C_BAD_PTB, &m->bad_hop);
		snprintf(v->summary, sizeof(v->summary),
			 "%s sent a Packet Too Big for a %u-byte probe suggesting mtu %u, not below the probe "
			 "(a bad suggestion); path MTU %u", pp_addr_str(&m->bad_hop, a, sizeof(a)),
			 m->bad_size, m->bad_mtu, pmtu);
		snprintf(v->hint, sizeof(v->hint), "the hop's PTB cannot steer PMTU discovery; clamp the MSS to %u",
			 pm_mss(m->family, pmtu));
		return rc;
	}
	if (!complete && s->hi > s->lo + 1) {
		rc = set(m, PP_ST_UNKNOWN, PM_C_INCOMPLETE, NULL);
		snprintf(v->summary, sizeof(v->summary),
			 "%s: path MTU at least %u%s", why, pmtu,
			 s->hi <= m->max ? " (larger sizes failed)" : "");
		return rc;
	}
	if (pmtu >= m->max) {
		rc = set(m, PP_ST_OK, PM_C_CLEAN, NULL);
		snprintf(v->summary, sizeof(v->summary), "path MTU %u: the largest size probed gets through%s",
			 pmtu, !m->max_limited_by_dev ? "" :
			 m->local.route_mtu == m->max ? " (the route's MTU)" : " (this host's device MTU)");
		return rc;
	}
	if (m->ptb_seen) {
		rc = set(m, PP_ST_OK, PM_C_PTB, &m->ptb_hop);
		snprintf(v->summary, sizeof(v->summary),
			 "path MTU %u: %s reports %s (mtu %u)", pmtu, pp_addr_str(&m->ptb_hop, a, sizeof(a)),
			 m->family == AF_INET6 ? "Packet Too Big" : "frag-needed", m->ptb_mtu);
		return rc;
	}
	rc = set(m, PP_ST_OK, PM_C_CLEAN, NULL);
	snprintf(v->summary, sizeof(v->summary), "path MTU %u (%u bytes: %s)", pmtu, s->hi,
		 pm_answer_name(s->hi_why));
	return rc;
}
