/* render.c: the model as text, JSON (pmtuprobe/1) and Prometheus. */
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "json.h"
#include "nft.h"
#include "pmtuprobe.h"
#include "prom.h"
#include <linux/netfilter.h>

static const char *
proto_str(enum pm_proto p)
{
	return p == PM_PROTO_ICMP ? "icmp" : p == PM_PROTO_TCP ? "tcp" : "udp";
}

static const char *
addr_or_null(const struct pp_addr *a, char *buf, size_t len)
{
	return a->family ? pp_addr_str(a, buf, len) : NULL;
}

void
pm_render_text(const struct pm_model *m, FILE *f)
{
	const struct pm_local *l = &m->local;
	const struct pp_cli *c = &m->o->cli;
	char a[INET6_ADDRSTRLEN];
	unsigned pmtu = pm_path_mtu(m);
	int i;

	fprintf(f, "pmtuprobe to %s (%s) over %s, sizes %u..%u\n", m->o->dst_name,
		pp_addr_str(&m->o->dst, a, sizeof(a)), proto_str(m->proto), m->min, m->max);
	if (l->route_ok) {
		fprintf(f, "  route        %s\n", l->route[0] ? l->route : "(resolved)");
		fprintf(f, "  device       %s mtu %u (tcp mss %u)\n", l->dev[0] ? l->dev : "?", l->dev_mtu,
			pm_mss(m->family, l->dev_mtu));
		if (l->route_mtu)
			fprintf(f, "  route mtu    %u\n", l->route_mtu);
	}
	if (l->cached)
		fprintf(f, "  cached pmtu  %u (expires in %us)%s\n", l->cached_mtu, l->cached_expires,
			l->flushed ? ", flushed" : "");
	else
		fprintf(f, "  cached pmtu  none%s\n", l->flushed ? " (flushed)" : "");
	if (l->cached_after)
		fprintf(f, "  after probes cached pmtu %u (expires in %us)\n", l->cached_after_mtu,
			l->cached_after_expires);
	for (i = 0; i < l->nclamps; i++) {
		if (l->clamps[i].rt_mtu)
			fprintf(f, "  mss clamp    %s %s %s handle %llu: set rt mtu\n",
				pp_nft_family_name(l->clamps[i].family), l->clamps[i].table, l->clamps[i].chain,
				(unsigned long long)l->clamps[i].handle);
		else
			fprintf(f, "  mss clamp    %s %s %s handle %llu: set %u\n",
				pp_nft_family_name(l->clamps[i].family), l->clamps[i].table, l->clamps[i].chain,
				(unsigned long long)l->clamps[i].handle, l->clamps[i].size);
	}
	for (i = 0; i < l->ninput; i++)
		fprintf(f, "  input chain  %s %s %s policy %s, %u drop rule%s\n",
			pp_nft_family_name(l->input[i].family), l->input[i].table, l->input[i].chain,
			l->input[i].policy == NF_DROP ? "drop" : "accept", l->input[i].drop_rules,
			l->input[i].drop_rules == 1 ? "" : "s");
	fprintf(f, "probes:\n");
	for (i = 0; i < m->nprobes; i++) {
		const struct pm_probe *p = &m->log[i];

		fprintf(f, "  %-4s %5u bytes", proto_str(p->proto), p->size);
		if (p->ttl)
			fprintf(f, " ttl %-3u", p->ttl);
		fprintf(f, "  %-14s", pm_answer_name(p->answer));
		if (p->from.family)
			fprintf(f, " from %s", pp_addr_str(&p->from, a, sizeof(a)));
		if (p->mtu)
			fprintf(f, " mtu %u", p->mtu);
		if (p->ptb_local_drop)
			fprintf(f, " (on the wire only)");
		if (p->answer != PM_A_SILENT && p->rtt_ms > 0)
			fprintf(f, " %.2fms", p->rtt_ms);
		if (p->reply_frag)
			fprintf(f, " (reply fragmented: %u)", p->reply_frag);
		if (p->tries > 1)
			fprintf(f, " [%u tries]", p->tries);
		fputc('\n', f);
	}
	if (pmtu)
		fprintf(f, "path mtu %u  (tcp mss %u)\n", pmtu, pm_mss(m->family, pmtu));
	fprintf(f, "probes sent %llu\n", (unsigned long long)m->probes_sent);
	fprintf(f, "verdict: %s%s%s  %s\n", pp_color(c, m->v.status), pp_status_name(m->v.status),
		pp_color_reset(c), m->v.summary);
	if (m->v.hint[0])
		fprintf(f, "hint: %s\n", m->v.hint);
	for (i = 0; i < m->nwarn; i++)
		fprintf(f, "warning: %s\n", m->warn[i]);
}

void
pm_render_json(const struct pm_model *m, FILE *f)
{
	const struct pm_local *l = &m->local;
	struct pp_json j;
	char a[INET6_ADDRSTRLEN];
	unsigned pmtu = pm_path_mtu(m);
	int i;

	pp_json_init(&j, f, m->o->cli.pretty);
	pp_json_obj_open(&j, NULL);
	pp_json_str(&j, "schema", "pmtuprobe/1");
	pp_json_str(&j, "netns", pp_cli_netns_name(&m->o->cli));

	pp_json_obj_open(&j, "query");
	pp_json_str(&j, "dst", pp_addr_str(&m->o->dst, a, sizeof(a)));
	pp_json_str(&j, "name", m->o->dst_name);
	pp_json_str(&j, "family", m->family == AF_INET6 ? "inet6" : "inet");
	pp_json_str(&j, "proto", proto_str(m->proto));
	if (m->proto != PM_PROTO_ICMP)
		pp_json_u64(&j, "port", m->o->port);
	pp_json_u64(&j, "min", m->min);
	pp_json_u64(&j, "max", m->max);
	pp_json_u64(&j, "tries", m->o->tries);
	pp_json_double(&j, "timeout_seconds", m->o->timeout);
	pp_json_obj_close(&j);

	pp_json_obj_open(&j, "local");
	if (l->route_ok) {
		if (l->route[0])
			pp_json_str(&j, "route", l->route);
		if (l->dev[0]) {
			pp_json_str(&j, "device", l->dev);
			pp_json_str(&j, "dev", l->dev);	/* the old key, an alias for one release */
		}
		if (l->dev_mtu)
			pp_json_u64(&j, "dev_mtu", l->dev_mtu);
		if (l->route_mtu)
			pp_json_u64(&j, "route_mtu", l->route_mtu);
		if (l->src.family)
			pp_json_str(&j, "src", pp_addr_str(&l->src, a, sizeof(a)));
	}
	if (l->cached) {
		pp_json_obj_open(&j, "cached_pmtu");
		pp_json_u64(&j, "mtu", l->cached_mtu);
		pp_json_u64(&j, "expires_seconds", l->cached_expires);
		pp_json_obj_close(&j);
	} else {
		pp_json_null(&j, "cached_pmtu");
	}
	if (l->cached_after) {
		pp_json_obj_open(&j, "cached_pmtu_after");
		pp_json_u64(&j, "mtu", l->cached_after_mtu);
		pp_json_u64(&j, "expires_seconds", l->cached_after_expires);
		pp_json_obj_close(&j);
	} else {
		pp_json_null(&j, "cached_pmtu_after");
	}
	pp_json_bool(&j, "flushed", l->flushed);
	if (l->dev_mtu)
		pp_json_u64(&j, "dev_mss", pm_mss(m->family, l->route_mtu && l->route_mtu < l->dev_mtu ?
						    l->route_mtu : l->dev_mtu));
	if (l->clamps_known) {
		pp_json_arr_open(&j, "mss_clamps");
		for (i = 0; i < l->nclamps; i++) {
			pp_json_obj_open(&j, NULL);
			pp_json_str(&j, "family", pp_nft_family_name(l->clamps[i].family));
			pp_json_str(&j, "table", l->clamps[i].table);
			pp_json_str(&j, "chain", l->clamps[i].chain);
			pp_json_u64(&j, "handle", l->clamps[i].handle);
			if (l->clamps[i].rt_mtu)
				pp_json_str(&j, "size", "rt mtu");
			else
				pp_json_u64(&j, "size", l->clamps[i].size);
			pp_json_obj_close(&j);
		}
		pp_json_arr_close(&j);
	}
	if (l->clamps_known) {
		pp_json_arr_open(&j, "input_chains");
		for (i = 0; i < l->ninput; i++) {
			pp_json_obj_open(&j, NULL);
			pp_json_str(&j, "family", pp_nft_family_name(l->input[i].family));
			pp_json_str(&j, "table", l->input[i].table);
			pp_json_str(&j, "chain", l->input[i].chain);
			pp_json_str(&j, "policy", l->input[i].policy == NF_DROP ? "drop" : "accept");
			pp_json_u64(&j, "drop_rules", l->input[i].drop_rules);
			pp_json_obj_close(&j);
		}
		pp_json_arr_close(&j);
	}
	pp_json_obj_close(&j);

	pp_json_obj_open(&j, "result");
	if (pmtu) {
		pp_json_u64(&j, "path_mtu", pmtu);
		pp_json_u64(&j, "mss", pm_mss(m->family, pmtu));
	} else {
		pp_json_null(&j, "path_mtu");
	}
	if (m->searched && m->search.hi <= m->max) {
		pp_json_u64(&j, "smallest_failed", m->search.hi);
		pp_json_str(&j, "failed_by", pm_answer_name(m->search.hi_why));
	}
	pp_json_bool(&j, "black_hole", m->v.cause == PM_C_BLACK_HOLE || m->v.cause == PM_C_LOCAL_FIREWALL);
	pp_json_bool(&j, "complete", !m->interrupted && !m->timed_out && m->searched);
	pp_json_bool(&j, "interrupted", m->interrupted);
	pp_json_bool(&j, "timed_out", m->timed_out);
	pp_json_u64(&j, "probes_sent", m->probes_sent);
	if (m->return_frag) {
		pp_json_u64(&j, "return_fragment_size", m->return_frag);
		pp_json_u64(&j, "return_fragment_probe", m->return_frag_probe);
	}
	pp_json_obj_close(&j);

	if (m->ptb_seen || m->ptb_wire_only || m->bad_ptb) {
		pp_json_obj_open(&j, "ptb");
		if (m->ptb_seen) {
			pp_json_str(&j, "hop", pp_addr_str(&m->ptb_hop, a, sizeof(a)));
			pp_json_u64(&j, "mtu", m->ptb_mtu);
		} else if (m->ptb_wire_only) {
			pp_json_str(&j, "hop", pp_addr_str(&m->wire_hop, a, sizeof(a)));
			pp_json_u64(&j, "mtu", m->wire_mtu);
		}
		pp_json_bool(&j, "delivered", m->ptb_seen);
		pp_json_bool(&j, "dropped_locally", m->ptb_wire_only);
		if (m->bad_ptb) {
			pp_json_obj_open(&j, "bad_suggestion");
			pp_json_str(&j, "hop", pp_addr_str(&m->bad_hop, a, sizeof(a)));
			pp_json_u64(&j, "mtu", m->bad_mtu);
			pp_json_u64(&j, "probe_size", m->bad_size);
			pp_json_obj_close(&j);
		}
		pp_json_obj_close(&j);
	}

	if (m->located) {
		pp_json_obj_open(&j, "locate");
		pp_json_u64(&j, "size", m->search.hi);
		pp_json_bool(&j, "found", m->ttl.found);
		if (m->ttl.last_ttl) {
			pp_json_u64(&j, "last_ttl", m->ttl.last_ttl);
			pp_json_str(&j, "last_hop", pp_addr_str(&m->ttl.last_hop, a, sizeof(a)));
		}
		if (m->ttl.found) {
			pp_json_u64(&j, "drop_ttl", m->ttl.drop_ttl);
			pp_json_str(&j, "next_hop", addr_or_null(&m->ttl.next_hop, a, sizeof(a)));
			pp_json_bool(&j, "next_is_destination", m->ttl.next_is_dst);
		}
		if (m->ttl.reached)
			pp_json_bool(&j, "large_reached", true);
		pp_json_obj_close(&j);
	}

	pp_json_arr_open(&j, "probes");
	for (i = 0; i < m->nprobes; i++) {
		const struct pm_probe *p = &m->log[i];

		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "proto", proto_str(p->proto));
		pp_json_u64(&j, "size", p->size);
		if (p->ttl)
			pp_json_u64(&j, "ttl", p->ttl);
		pp_json_u64(&j, "tries", p->tries);
		pp_json_str(&j, "answer", pm_answer_name(p->answer));
		if (p->from.family)
			pp_json_str(&j, "from", pp_addr_str(&p->from, a, sizeof(a)));
		if (p->mtu)
			pp_json_u64(&j, "mtu", p->mtu);
		if (p->ptb_local_drop)
			pp_json_bool(&j, "dropped_locally", true);
		if (p->answer != PM_A_SILENT && p->answer != PM_A_SEND_ERR)
			pp_json_double(&j, "rtt_ms", p->rtt_ms);
		if (p->err)
			pp_json_str(&j, "error", strerror(p->err));
		if (p->reply_frag)
			pp_json_u64(&j, "reply_fragment_size", p->reply_frag);
		pp_json_obj_close(&j);
	}
	pp_json_arr_close(&j);

	pp_json_obj_open(&j, "verdict");
	pp_json_str(&j, "status", pp_status_name(m->v.status));
	pp_json_str(&j, "cause", pm_cause_name(m->v.cause));
	pp_json_str(&j, "hop", addr_or_null(&m->v.hop, a, sizeof(a)));
	pp_json_str(&j, "summary", m->v.summary);
	pp_json_str(&j, "hint", m->v.hint[0] ? m->v.hint : NULL);
	pp_json_obj_close(&j);

	pp_json_arr_open(&j, "warnings");
	for (i = 0; i < m->nwarn; i++)
		pp_json_str(&j, NULL, m->warn[i]);
	pp_json_arr_close(&j);
	pp_json_obj_close(&j);
	pp_json_end(&j);
}

void
pm_render_prom(const struct pm_model *m, FILE *f, bool ok)
{
	struct pp_prom p;
	char a[INET6_ADDRSTRLEN];
	unsigned pmtu = pm_path_mtu(m);
	struct pp_label lb[3] = {
		{ "dst", pp_addr_str(&m->o->dst, a, sizeof(a)) },
		{ "family", m->family == AF_INET6 ? "inet6" : "inet" },
		{ "proto", proto_str(m->proto) },
	};

	pp_prom_init(&p, f);
	if (pmtu) {
		pp_prom_family(&p, "pktpath_pmtuprobe_path_mtu_bytes", "gauge",
			       "Largest IP packet size that reached the destination with DF set.");
		pp_prom_sample_u64(&p, "pktpath_pmtuprobe_path_mtu_bytes", lb, 3, pmtu);
	}
	if (ok && m->v.cause != PM_C_INCOMPLETE && m->v.cause != PM_C_UNREACHABLE &&
	    m->v.cause != PM_C_LOCAL_ERROR) {
		pp_prom_family(&p, "pktpath_pmtuprobe_black_hole", "gauge",
			       "1 when packets larger than the path MTU vanish without a usable Packet Too Big.");
		pp_prom_sample_u64(&p, "pktpath_pmtuprobe_black_hole", lb, 3,
				   m->v.cause == PM_C_BLACK_HOLE || m->v.cause == PM_C_LOCAL_FIREWALL);
		pp_prom_family(&p, "pktpath_pmtuprobe_ptb_dropped_locally", "gauge",
			       "1 when a Packet Too Big was seen on the wire but dropped by this host.");
		pp_prom_sample_u64(&p, "pktpath_pmtuprobe_ptb_dropped_locally", lb, 3, m->ptb_wire_only);
	}
	pp_prom_family(&p, "pktpath_pmtuprobe_probes_sent", "gauge",
		       "Probe packets sent in the last run, every try counted.");
	pp_prom_sample_u64(&p, "pktpath_pmtuprobe_probes_sent", lb, 3, m->probes_sent);
	if (m->local.dev_mtu) {
		struct pp_label dl[2] = { { "device", m->local.dev }, lb[0] };

		pp_prom_family(&p, "pktpath_pmtuprobe_device_mtu_bytes", "gauge",
			       "MTU of the egress device towards the destination.");
		pp_prom_sample_u64(&p, "pktpath_pmtuprobe_device_mtu_bytes", dl, 2, m->local.dev_mtu);
	}
	if (m->local.cached) {
		pp_prom_family(&p, "pktpath_pmtuprobe_cached_pmtu_bytes", "gauge",
			       "PMTU exception the kernel had cached for the destination before probing.");
		pp_prom_sample_u64(&p, "pktpath_pmtuprobe_cached_pmtu_bytes", lb, 2, m->local.cached_mtu);
	}
	/* One export per destination: the run info says which, or two files would collide in node_exporter. */
	pp_prom_run_info_labels(&p, "pktpath_pmtuprobe", ok, lb, 1);
}
