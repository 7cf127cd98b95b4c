/*
 * st_remote.c: the remote station, and the observation of the flow. The walk sends the
 * probe (or watches) through probe.c, which records what it saw; the judgement reads the
 * record and marks the stations the observation concerns.
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

#include "dropmon.h"
#include "st_netfilter.h"
#include "pathcheck.h"
#include "probe_series.h"

/* ---- observation: --probe and --watch (issue 4) ---- */

/* Mark a station by what was observed; the configured view is kept beside it. */
static struct pc_station *
observe(struct pc_result *res, int id, enum pp_status st, enum pc_cause cause, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
static struct pc_station *
observe(struct pc_result *res, int id, enum pp_status st, enum pc_cause cause, const char *reason, const char *fmt, ...)
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
	pc_set(s, st, cause);
	s->observed = true;
	snprintf(s->summary, sizeof(s->summary), "%s", buf);
	if (reason)
		snprintf(s->drop_reason, sizeof(s->drop_reason), "%s", reason);
	return s;
}

/* A netfilter drop seen: the kind of rule the station read, if it read one, else the bare drop. */
static enum pc_cause
nf_cause(enum pc_cause cur, bool rule)
{
	switch (cur) {
	case PC_C_NFT_RULE_DROP: case PC_C_NFT_RULE_REJECT: case PC_C_NFT_POLICY_DROP:
	case PC_C_XT_RULE_DROP: case PC_C_XT_RULE_REJECT: case PC_C_XT_POLICY_DROP:
		return cur;
	default:
		return rule ? PC_C_NFT_RULE_DROP : PC_C_NETFILTER_DROP;
	}
}

static const char *
outcome_name(enum pc_probe_outcome o)
{
	return pc_outcome_name(o);
}

/* The command to run where the packet goes next, ready to paste but for the device there. */
static void
next_hop_hint(const struct pc_query *q, const struct pc_facts *f, struct pc_station *s)
{
	const struct pc_probe *pr = &f->pr;
	char nh[INET6_ADDRSTRLEN] = "", src[INET6_ADDRSTRLEN] = "", port[8] = "", d[INET6_ADDRSTRLEN];
	const struct pp_addr *sa = pr->src.family ? &pr->src : &f->route.prefsrc;

	pp_addr_str(&q->dst, d, sizeof(d));
	if (f->route_rc == 0 && f->route.gateway.family)
		pp_addr_str(&f->route.gateway, nh, sizeof(nh));
	if (sa->family)
		pp_addr_str(sa, src, sizeof(src));
	if (q->has_dport)
		snprintf(port, sizeof(port), ":%u", q->dport);
	pc_hint(s, "on %s: pathcheck --watch 10 --trace --from %s --iif DEV %s%s%s%s",
		nh[0] ? nh : "the next hop", src[0] ? src : "SRC",
		q->family == AF_INET6 && port[0] ? "[" : "", d, q->family == AF_INET6 && port[0] ? "]" : "", port);
	if (q->proto == IPPROTO_UDP) {
		size_t n = strlen(s->hint);

		snprintf(s->hint + n, sizeof(s->hint) - n, " --proto udp");
	}
}

/*
 * --count: the remote station says what the series saw. Every probe answered: as one
 * answered probe, with the statistics; none: as the failed probe it was judged by, with
 * the statistics (and the outcomes when they differ); some: flaky, a warning, whatever
 * the other probes met (a refusal among connections is no success), with the outcomes
 * counted and the pattern of the losses where one shows.
 */
static void
series_remote(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res,
	      const struct pc_series_stats *ss)
{
	const struct pc_probe *pr = &f->pr;
	struct pc_station *s = &res->st[PC_REMOTE];
	char line[256], oc[256], pat[128], prev[sizeof(s->summary)], d[INET6_ADDRSTRLEN];
	size_t disagree = 0;

	pp_addr_str(&q->dst, d, sizeof(d));
	pc_series_line(ss, line, sizeof(line));
	pc_series_outcome_counts(ss, oc, sizeof(oc));
	pc_series_pattern_words(ss, pat, sizeof(pat));
	snprintf(prev, sizeof(prev), "%s", s->summary);
	if (!s->evidence)
		s->evidence = pp_val_obj();
	s->present = s->observed = true;
	switch (ss->status) {
	case PC_SERIES_ALL:
		pc_set(s, PP_ST_OK, PC_C_NONE);
		if (pr->outcome == PC_PR_CONNECTED)
			snprintf(s->summary, sizeof(s->summary), "answered: TCP handshakes with %s: %s", d, line);
		else
			snprintf(s->summary, sizeof(s->summary), "answered by %s: %s", d, line);
		break;
	case PC_SERIES_NONE:
		snprintf(s->summary, sizeof(s->summary), "%s; %s%s%s", prev, line, ss->kinds > 1 ? "; outcomes: " : "",
			 ss->kinds > 1 ? oc : "");
		break;
	case PC_SERIES_FLAKY:
		pc_set(s, PP_ST_WARN, PC_C_PROBES_LOST);
		s->drop_reason[0] = '\0';
		snprintf(s->summary, sizeof(s->summary), "flaky: %s; outcomes: %s; %s", line, oc, pat);
		next_hop_hint(q, f, s);
		break;
	default:
		break;
	}
	pp_val_add_u64(s->evidence, "record_of_probe", pr->series->rep + 1);
	for (size_t i = 0; i < pr->series->n; i++)
		disagree += pr->series->p[i].disagree;
	if (disagree > (pr->judgement.disagree[0] ? 1u : 0u))
		pc_warn(res, "the wire and the socket disagreed on %zu of %zu probes", disagree, pr->series->n);
	if (pr->series->stopped)
		pc_warn(res, "stopped by a signal after %zu of %u probes", pr->series->n, pr->series->count);
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
	const struct pc_series *ser = pr->watch ? NULL : pr->series;
	struct pc_series_stats ss = { 0 };
	bool flaky = false;

	if (!pr->ran)
		return;
	if (!pr->watch && (pr->series_failed || (ser && ser->n == 0))) {
		observe(res, PC_REMOTE, PP_ST_UNKNOWN, PC_C_PROBE_INCONCLUSIVE, NULL, pr->series_failed ?
			"the series of %u probes could not be held (out of memory)" :
			"stopped before the first of %u probes was sent", q->count);
		return;
	}
	if (ser) {
		pc_series_stats(ser->p, ser->n, &ss);
		flaky = ss.status == PC_SERIES_FLAKY;
	}
	pp_addr_str(&q->dst, d, sizeof(d));
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
				observe(res, i, PP_ST_OK, PC_C_NONE, NULL, "the probe got through (configuration suggested: %.400s)",
					res->st[i].summary)->drop_reason[0] = '\0';
	/* The kernel said what it dropped, and where. */
	for (size_t i = 0; i < pr->ndrops; i++) {
		const struct pc_drop_seen *dr = &pr->drops[i];
		/* A rule dropping what arrived for a packet the host sent: the answer, on its way in. */
		int id = dr->station != PC_ANY_HOOK ? (int)dr->station :
			 dr->arrived && q->direction == PC_EGRESS && !pr->trace_drop ? (int)PC_INPUT :
			 (int)pc_netfilter_drop_station(q, f);

		if (id == PC_NSTATIONS)
			continue;
		/* An answer that arrived and died inside is the input station's, whatever hook the counter names. */
		if (answered && !flaky)
			continue;
		/* A drop of a packet after the decisive answer (a RST, an ICMP error) never overturns it. */
		if (dr->after_answer)
			continue;
		/*
		 * Refused by the destination: the flow reached it. A drop tied to this flow only by
		 * device name and time window (lab devices' names repeat across namespaces: r0 of
		 * another lab dropping its own traffic) is not the packet that was refused, and
		 * never moves the verdict off the refusal; a drop in the probe's own send still does.
		 */
		if (pr->outcome == PC_PR_REFUSED && !pr->watch && dr->attribution == PP_DROP_OURS_DEVICE) {
			pc_warn(res, "%u %s drop%s at %s seen on %s while the probe ran not counted: %s refused the flow, so it got there",
				dr->count, dr->reason, dr->count == 1 ? "" : "s", dr->symbol[0] ? dr->symbol : "?",
				dr->dev[0] ? dr->dev : "a device", d);
			continue;
		}
		/* Some probes of the series were answered: the station drops some, not all. */
		s = observe(res, id, flaky ? PP_ST_WARN : PP_ST_FAIL, pc_cause_of_drop(res->st[id].cause, dr->reason, id),
			    dr->reason, "observed: the kernel dropped %u packet%s of this flow here (%s at %s%s%s)%s",
			    dr->count, dr->count == 1 ? "" : "s", dr->reason, dr->symbol[0] ? dr->symbol : "?",
			    dr->dev[0] ? ", last seen on " : "", dr->dev, flaky ? ", while other probes were answered" : "");
		local_drop = true;
		/* How the drop was tied to this flow (the tracepoint gives no headers to match on). */
		pp_val_add_str(s->evidence, "drop_attribution",
			       dr->attribution == PP_DROP_OURS_PROCESS ? "process: in the probe's own send" :
			       dr->wire_seen ? "device and wire: arrived on the captured device with a packet of the flow captured there at that moment" :
			       "device and time window: on one of this namespace's devices while the probe ran");
		if (!s->hint[0])
			pc_hint(s, "%s", id == PC_QDISC ? "tc -s qdisc show" : id == PC_NEIGHBOUR ? "ip neigh show" :
				      "pathcheck --probe --trace ...");
	}
	/* The nft trace names the rule. */
	if (pr->trace_drop) {
		int id = pc_netfilter_drop_station(q, f);

		s = observe(res, id, flaky ? PP_ST_WARN : PP_ST_FAIL, nf_cause(res->st[id].cause, pr->trace_handle != 0),
			    "NETFILTER_DROP", "observed: dropped by rule in table %s %s chain %s (handle %llu)",
			    pp_nft_family_name(pr->trace_family), pr->trace_table, pr->trace_chain,
			    (unsigned long long)pr->trace_handle);
		pp_val_add_u64(s->evidence, "trace_rule_handle", pr->trace_handle);
		pp_val_add_strf(s->evidence, "trace_chain", "%s %s %s", pp_nft_family_name(pr->trace_family),
				pr->trace_table, pr->trace_chain);
		pc_hint(s, "nft -a list chain %s %s %s", pp_nft_family_name(pr->trace_family), pr->trace_table, pr->trace_chain);
		local_drop = true;
	}
	if (!pr->watch && pr->outcome == PC_PR_SILENCE && pr->neigh_after &&
	    (pr->neigh_state & (NUD_INCOMPLETE | NUD_FAILED)) && pr->wire_out == 0) {
		char a[INET6_ADDRSTRLEN], st[32];

		/* Still INCOMPLETE after a whole probe is nobody answering: its packets die with NEIGH_FAILED. */
		s = observe(res, PC_NEIGHBOUR, PP_ST_FAIL, PC_C_NEIGH_FAILED, "NEIGH_FAILED",
			    "observed: the probe waited on next hop %s, still %s after the probe: nobody answers %s",
			    pp_addr_str(&f->nexthop, a, sizeof(a)), pp_neigh_state_name(pr->neigh_state, st, sizeof(st)),
			    q->family == AF_INET6 ? "neighbour solicitation" : "ARP");
		pc_hint(s, "%s neigh show %s", pc_ipcmd(q), a);
		local_drop = true;
	}
	/* probe_judge.c: the kernel failed the flow itself, its next hop never resolved. */
	if (!pr->watch && pr->outcome == PC_PR_SENDERR && pr->judgement.local_unreach) {
		char a[INET6_ADDRSTRLEN] = "";

		if (f->need_neigh)
			pp_addr_str(&f->nexthop, a, sizeof(a));
		if (!local_drop || !res->st[PC_NEIGHBOUR].present || res->st[PC_NEIGHBOUR].status != PP_ST_FAIL) {
			s = observe(res, PC_NEIGHBOUR, PP_ST_FAIL, PC_C_NEIGH_FAILED, "NEIGH_FAILED",
				    "observed: the kernel failed the probe with %s: next hop %s did not answer %s",
				    strerror(pr->err), a[0] ? a : "?", q->family == AF_INET6 ? "neighbour solicitation" : "ARP");
			pp_val_add_str(s->evidence, "error", strerror(pr->err));
			if (a[0])
				pc_hint(s, "%s neigh show %s", pc_ipcmd(q), a);
		}
		local_drop = true;
	}
	if (!pr->watch && pr->outcome == PC_PR_SENDERR && (pr->err == EPERM || pr->err == EACCES) && !local_drop) {
		s = observe(res, PC_OUTPUT, PP_ST_FAIL, nf_cause(res->st[PC_OUTPUT].cause, false), "NETFILTER_DROP",
			    "observed: the kernel refused to send (%s): a rule on the output path dropped it", strerror(pr->err));
		local_drop = true;
	}
	/* The remote station: what came back. */
	if (!pr->watch) {
		switch (pr->outcome) {
		case PC_PR_CONNECTED:
			s = observe(res, PC_REMOTE, PP_ST_OK, PC_C_NONE, NULL, "answered: TCP handshake with %s completed in %.1f ms", d, pr->rtt * 1000);
			break;
		case PC_PR_REPLY:
			s = observe(res, PC_REMOTE, PP_ST_OK, PC_C_NONE, NULL, "answered by %s in %.1f ms", d, pr->rtt * 1000);
			break;
		case PC_PR_REFUSED:
			/*
			 * A REJECT on the way answers in the destination's name: the same RST or
			 * port unreachable, so which of the two refused is not known from it.
			 */
			s = observe(res, PC_REMOTE, PP_ST_FAIL, PC_C_REMOTE_REFUSED, NULL,
				    "refused by %s (%s): nothing listens there, or a REJECT rule on the way answered in its name", d,
				    pr->has_icmp ? "ICMP port unreachable" : "RST");
			pc_hint(s, "ss -ltn on %s; pathcheck --follow for the rules on the way", d);
			break;
		case PC_PR_ICMP:
			s = observe(res, PC_REMOTE, PP_ST_FAIL, PC_C_REMOTE_ICMP_ERROR, NULL, "ICMP %s (type %u code %u) from %s%s",
				    icmp_words(&pr->icmp), pr->icmp.type, pr->icmp.code,
				    pr->icmp.has_offender ? pp_addr_str(&pr->icmp.offender, o, sizeof(o)) : "?",
				    pr->icmp.has_offender && !pp_addr_eq(&pr->icmp.offender, &q->dst) ? ", a hop on the way" : "");
			if (pr->icmp.has_offender)
				pp_val_add_str(s->evidence, "offender", o);
			pp_val_add_u64(s->evidence, "icmp_type", pr->icmp.type);
			pp_val_add_u64(s->evidence, "icmp_code", pr->icmp.code);
			pc_hint(s, "pathcheck on %s, with --watch", pr->icmp.has_offender ? o : "the hop");
			break;
		case PC_PR_SENDERR:
			s = observe(res, PC_REMOTE, local_drop ? PP_ST_SKIPPED : PP_ST_UNKNOWN, PC_C_PROBE_INCONCLUSIVE, NULL,
				    "no answer: the probe failed on this host (%s)", strerror(pr->err));
			break;
		case PC_PR_SILENCE:
			if (local_drop)
				s = observe(res, PC_REMOTE, PP_ST_SKIPPED, PC_C_NONE, NULL, "no answer: the probe died on this host");
			else if (pr->pcap_rc == 0 && pr->wire_in > 0)
				s = observe(res, PC_REMOTE, PP_ST_OK, PC_C_NONE, NULL,
					    "%s answered: %u packet%s came back on %s", d, pr->wire_in, pr->wire_in == 1 ? "" : "s",
					    pr->pcap_dev);
			else if (pr->pcap_rc == 0 && pr->wire_out > 0)
				s = observe(res, PC_REMOTE, PP_ST_FAIL, PC_C_REMOTE_SILENT, NULL,
					    "silence: the probe left on %s and nothing came back within %.1f s: it dies beyond this host",
					    pr->pcap_dev, q->timeout);
			else
				s = observe(res, PC_REMOTE, PP_ST_FAIL, PC_C_REMOTE_SILENT, NULL, "silence: no answer within %.1f s%s", q->timeout,
					    pr->pcap_rc == 0 ? " and the probe was not seen leaving" : "");
			if (s->status == PP_ST_FAIL)
				next_hop_hint(q, f, s);
			break;
		default:
			break;
		}
		/* An answer that reached the wire but not the socket was dropped on the way in. */
		if (pr->outcome == PC_PR_SILENCE && pr->pcap_rc == 0 && pr->wire_in > 0) {
			const char *why = "";

			for (size_t i = 0; i < pr->ndrops; i++)
				if (pr->drops[i].station != PC_NSTATIONS)
					why = pr->drops[i].reason;
			s = observe(res, PC_INPUT, PP_ST_FAIL, pc_cause_of_drop(res->st[PC_INPUT].cause, why, PC_INPUT), why[0] ? why : NULL,
				    "the answer arrived on %s (%u packet%s) but never reached the socket: dropped on the way in",
				    pr->pcap_dev, pr->wire_in, pr->wire_in == 1 ? "" : "s");
			pc_hint(s, "nft -a list ruleset | grep -A3 'hook input'");
			if (res->st[PC_REMOTE].present && res->st[PC_REMOTE].status == PP_ST_SKIPPED)
				observe(res, PC_REMOTE, PP_ST_OK, PC_C_NONE, NULL, "%s answered", d);
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
		if (ser)
			series_remote(q, f, res, &ss);
	}
	/* Large probes vanishing while small ones are answered: a PMTU black hole. */
	if (pr->big_ran) {
		if (pr->big_outcome == PC_PR_REPLY)
			s = observe(res, PC_PMTU, PP_ST_OK, PC_C_NONE, NULL, "a %u-byte probe with DF was answered too", pr->big_size);
		else if (pr->big_has_icmp && pr->big_icmp.kind == PP_ICMPERR_PTB)
			s = observe(res, PC_PMTU, PP_ST_OK, PC_C_NONE, NULL, "path MTU %u, reported by %s for a %u-byte probe", pr->big_icmp.info,
				    pr->big_icmp.has_offender ? pp_addr_str(&pr->big_icmp.offender, o, sizeof(o)) : "a hop", pr->big_size);
		else if (pr->big_outcome == PC_PR_SILENCE) {
			s = observe(res, PC_PMTU, PP_ST_FAIL, PC_C_PMTU_BLACK_HOLE, "PKT_TOO_BIG",
				    "black hole: %u-byte probes with DF vanish, small ones are answered, and no hop reports why",
				    pr->big_size);
			pc_hint(s, "pmtuprobe %s", d);
		} else {
			s = observe(res, PC_PMTU, PP_ST_UNKNOWN, PC_C_PROBE_INCONCLUSIVE, NULL, "the %u-byte probe ended in %s", pr->big_size,
				    outcome_name(pr->big_outcome));
		}
		pp_val_add_u64(s->evidence, "big_probe_bytes", pr->big_size);
		pp_val_add_str(s->evidence, "big_probe_outcome", outcome_name(pr->big_outcome));
	}
	/* Queue drops during the run are a warning (they may be ours). */
	if (pr->have_qdisc && pr->qdisc_drops_delta && res->st[PC_QDISC].present && res->st[PC_QDISC].status == PP_ST_OK) {
		s = observe(res, PC_QDISC, PP_ST_WARN, PC_C_QDISC_DROP, "QDISC_DROP", "drops rising during the run: +%llu on %s",
			    (unsigned long long)pr->qdisc_drops_delta, f->oif_link.name);
		pc_hint(s, "qdiscstat -i 1 -c 5 --dev %s", f->oif_link.name);
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
				observe(res, dev_id, PP_ST_WARN, PC_C_DEVICE_DROPS, NULL, "drops or errors rising during the run on %s: "
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
				observe(res, PC_CONNTRACK, PP_ST_WARN, PC_C_CT_DROPS_RISING, NULL,
					"conntrack dropped during the run: drop +%llu, insert_failed +%llu",
					(unsigned long long)pr->ct_drop_delta, (unsigned long long)pr->ct_insert_failed_delta);
		}
	}
	/* Counter deltas, as evidence on the stations they belong to. */
	for (size_t i = 0; i < pr->nctr; i++) {
		int id = pc_counter_station(pr->ctr[i].name);
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
	if (pr->drops_uncorroborated)
		pc_warn(res, "%u kernel drops of packets seen arriving on a device named %s were not counted against this flow: "
			"the capture on %s holds no packet of the flow at that moment (another namespace's %s, or another flow)",
			pr->drops_uncorroborated, pr->pcap_dev, pr->pcap_dev, pr->pcap_dev);
}

/* --probe or --watch: the probe's socket carries the query's mark and sends to the query's destination. */
void
pc_remote_walk(struct pc_walk *w, enum pc_station_id id)
{
	const struct pc_query *q = &w->f->eq, *q0 = w->q0;
	struct pc_query pq = *q;

	(void)id;
	if (!q->probe && !(q->watch > 0))
		return;
	pq.mark = q0->mark;
	pq.has_mark = q0->has_mark;
	if (q->direction == PC_EGRESS) {
		pq.dst = q0->dst;
		pq.dport = q0->dport;
		pq.has_dport = q0->has_dport;
	}
	pc_probe_run(&pq, w->f);
}

void
pc_remote_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	(void)id;
	eval_probe(q, f, res);
}
