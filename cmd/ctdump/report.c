/* report.c: ctdump's health and aggregate renderers (text, JSON, Prometheus). */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "cli.h"
#include "ct.h"
#include "ctdump.h"
#include "parse.h"
#include "prom.h"

static void
json_health(struct ctd_out *j, const struct ctd_health *h)
{
	ctd_j_obj(j, "health");
	ctd_j_str(j, "status", pp_status_name(h->status));
	if (h->global_err || h->cpu_err) {
		int err = h->global_err ? h->global_err : h->cpu_err;

		ctd_j_str(j, "error", strerror(err));
		if (pp_errno_needs(err))
			ctd_j_str(j, "needs", pp_errno_needs(err));
	}
	if (h->have_global && h->g.have_entries)
		ctd_j_u64(j, "entries", h->g.entries);
	if (h->have_global && h->g.have_max)
		ctd_j_u64(j, "limit", h->g.max);
	if (h->have_global && h->g.have_entries && h->g.have_max && h->g.max)
		ctd_j_dbl(j, "fill", h->fill);
	if (h->have_buckets)
		ctd_j_u64(j, "buckets", h->buckets);
	if (h->have_cpu) {
		ctd_j_obj(j, "totals");
		for (int s = 0; s < PP_CT_STAT_N; s++)
			ctd_j_u64(j, pp_ct_stat_name((enum pp_ct_stat)s), h->total[s]);
		ctd_j_obj_end(j);
		ctd_j_arr(j, "cpus");
		for (size_t i = 0; i < h->ncpu; i++) {
			ctd_j_obj(j, NULL);
			ctd_j_u64(j, "cpu", h->cpu[i].cpu);
			for (int s = 0; s < PP_CT_STAT_N; s++)
				if (h->cpu[i].have & (1u << s))
					ctd_j_u64(j, pp_ct_stat_name((enum pp_ct_stat)s), h->cpu[i].v[s]);
			ctd_j_obj_end(j);
		}
		ctd_j_arr_end(j);
	}
	ctd_j_arr(j, "findings");
	for (size_t i = 0; i < h->nfindings; i++)
		ctd_j_str(j, NULL, h->findings[i]);
	ctd_j_arr_end(j);
	ctd_j_obj_end(j);
}

void
ctd_text_health(FILE *f, const struct ctd_opts *o, const struct ctd_health *h)
{
	const struct pp_cli *c = &o->cli;

	if (h->have_global && h->g.have_entries) {
		fprintf(f, "entries: %u", h->g.entries);
		if (h->g.have_max && h->g.max)
			fprintf(f, " of %u (nf_conntrack_max, global) = %.1f%%", h->g.max, h->fill * 100);
		fputc('\n', f);
	}
	if (h->have_buckets)
		fprintf(f, "buckets: %llu (global hash, walked whole by every dump)\n",
			(unsigned long long)h->buckets);
	if (h->have_cpu) {
		fprintf(f, "%-4s", "cpu");
		for (int s = 0; s < PP_CT_STAT_N; s++)
			fprintf(f, " %s", pp_ct_stat_name((enum pp_ct_stat)s));
		fputc('\n', f);
		for (size_t i = 0; i < h->ncpu; i++) {
			fprintf(f, "%-4u", h->cpu[i].cpu);
			for (int s = 0; s < PP_CT_STAT_N; s++)
				fprintf(f, " %*u", (int)strlen(pp_ct_stat_name((enum pp_ct_stat)s)),
					h->cpu[i].v[s]);
			fputc('\n', f);
		}
	}
	fprintf(f, "status: %s%s%s\n", pp_color(c, h->status), pp_status_name(h->status),
		pp_color_reset(c));
	for (size_t i = 0; i < h->nfindings; i++)
		fprintf(f, "  %s\n", h->findings[i]);
}

void
ctd_prom_health(struct pp_prom *p, const struct ctd_health *h)
{
	char cpu[16];

	if (h->have_global && h->g.have_entries) {
		pp_prom_family(p, "pktpath_ctdump_entries", "gauge",
			       "Conntrack entries in this network namespace.");
		pp_prom_sample_u64(p, "pktpath_ctdump_entries", NULL, 0, h->g.entries);
	}
	if (h->have_global && h->g.have_max) {
		pp_prom_family(p, "pktpath_ctdump_entries_limit", "gauge",
			       "nf_conntrack_max: the global limit each namespace's count is checked against.");
		pp_prom_sample_u64(p, "pktpath_ctdump_entries_limit", NULL, 0, h->g.max);
	}
	if (h->have_buckets) {
		pp_prom_family(p, "pktpath_ctdump_buckets", "gauge",
			       "Buckets of the global conntrack hash.");
		pp_prom_sample_u64(p, "pktpath_ctdump_buckets", NULL, 0, h->buckets);
	}
	if (h->have_cpu) {
		for (int s = 0; s < PP_CT_STAT_N; s++) {
			char name[96], help[160];

			snprintf(name, sizeof(name), "pktpath_ctdump_cpu_%s_total",
				 pp_ct_stat_name((enum pp_ct_stat)s));
			snprintf(help, sizeof(help),
				 "Conntrack per-CPU statistic %s of this namespace (conntrack -S).",
				 pp_ct_stat_name((enum pp_ct_stat)s));
			pp_prom_family(p, name, "counter", help);
			for (size_t i = 0; i < h->ncpu; i++) {
				struct pp_label l = { "cpu", cpu };

				snprintf(cpu, sizeof(cpu), "%u", h->cpu[i].cpu);
				pp_prom_sample_u64(p, name, &l, 1, h->cpu[i].v[s]);
			}
		}
	}
	if (h->status == PP_ST_UNKNOWN)
		return;	/* could not tell: no made-up 0 */
	pp_prom_family(p, "pktpath_ctdump_problem", "gauge",
		       "1 when the table is near its limit or conntrack dropped flows, else 0.");
	pp_prom_sample_u64(p, "pktpath_ctdump_problem", NULL, 0, h->status == PP_ST_FAIL);
}

void
ctd_json_head(struct ctd_out *j, const struct ctd_opts *o, const char *mode)
{
	ctd_j_obj(j, NULL);
	ctd_j_str(j, "schema", "ctdump/1");
	ctd_j_str(j, "netns", pp_cli_netns_name(&o->cli));
	ctd_j_str(j, "mode", mode);
}

void
ctd_json_filter(struct ctd_out *j, const char **kern, size_t nk, const char **user, size_t nu)
{
	ctd_j_obj(j, "filter");
	ctd_j_arr(j, "kernel");
	for (size_t i = 0; i < nk; i++)
		ctd_j_str(j, NULL, kern[i]);
	ctd_j_arr_end(j);
	ctd_j_arr(j, "userspace");
	for (size_t i = 0; i < nu; i++)
		ctd_j_str(j, NULL, user[i]);
	ctd_j_arr_end(j);
	ctd_j_str(j, "note",
		  "every dump walks the whole global conntrack hash (all namespaces); a kernel "
		  "filter saves copying and decoding the entries it refuses, not the walk");
	ctd_j_obj_end(j);
}

void
ctd_json_tail(struct ctd_out *j, const struct ctd_health *h, const struct ctd_warnings *w)
{
	json_health(j, h);
	ctd_j_arr(j, "warnings");
	for (size_t i = 0; i < w->n; i++)
		ctd_j_str(j, NULL, w->msg[i]);
	ctd_j_arr_end(j);
	ctd_j_obj_end(j);
	ctd_j_end(j);
}

static const char *
state_slot_name(unsigned i)
{
	return i < CTD_STATE_NONE ? pp_ct_tcp_state_name(i) : "none";
}

void
ctd_json_agg(struct ctd_out *j, const struct ctd_opts *o, const struct ctd_agg *a)
{
	const struct ctd_top_item *best[1024];
	char kb[128];

	ctd_j_obj(j, "aggregate");
	ctd_j_u64(j, "dumped", a->dumped);
	ctd_j_u64(j, "matched", a->matched);
	ctd_j_obj(j, "by_state");
	for (unsigned i = 0; i <= CTD_STATE_NONE; i++)
		if (a->by_state[i])
			ctd_j_u64(j, state_slot_name(i), a->by_state[i]);
	ctd_j_obj_end(j);
	ctd_j_obj(j, "by_proto");
	for (unsigned i = 0; i < 256; i++) {
		char num[8];
		const char *pn = pp_ct_proto_name(i);

		if (!a->by_proto[i])
			continue;
		if (!pn) {
			snprintf(num, sizeof(num), "%u", i);
			pn = num;
		}
		ctd_j_u64(j, pn, a->by_proto[i]);
	}
	ctd_j_obj_end(j);
	ctd_j_u64(j, "unreplied", a->unreplied);
	ctd_j_u64(j, "assured", a->assured);
	if (o->f.has_older)
		ctd_j_dbl(j, "older_than_seconds", o->f.older_than);
	ctd_j_u64(j, "without_timestamp", a->no_tstamp);
	if (a->matched > a->no_tstamp)
		ctd_j_u64(j, "oldest_seconds", a->oldest_ns / 1000000000ull);
	if (a->want[CTD_K_UNREPLIED]) {
		const struct ctd_top *t = &a->top[CTD_K_UNREPLIED];
		size_t n = ctd_top_best(t, best, t->n_want < 1024 ? t->n_want : 1024);

		ctd_j_arr(j, "unreplied_by_dst");
		for (size_t i = 0; i < n; i++) {
			struct pp_addr rd = { 0 };

			ctd_j_obj(j, NULL);
			ctd_j_str(j, "dst", ctd_key_str(CTD_K_UNREPLIED, best[i]->key, kb, sizeof(kb)));
			rd.family = best[i]->key[17];
			memcpy(rd.u.b, best[i]->key + 18, 16);
			if (rd.family)
				ctd_j_addr(j, "reply_dst", &rd);
			ctd_j_u64(j, "entries", best[i]->count);
			if (t->overflowed)
				ctd_j_u64(j, "error", best[i]->err);
			ctd_j_obj_end(j);
		}
		ctd_j_arr_end(j);
	}
	ctd_j_obj(j, "top");
	for (int k = 0; k < CTD_K_UNREPLIED; k++) {
		const struct ctd_top *t = &a->top[k];
		size_t n;

		if (!a->want[k])
			continue;
		n = ctd_top_best(t, best, t->n_want < 1024 ? t->n_want : 1024);
		ctd_j_obj(j, ctd_key_name((enum ctd_key)k));
		ctd_j_bool(j, "exact", !t->overflowed);
		ctd_j_arr(j, "items");
		for (size_t i = 0; i < n; i++) {
			ctd_j_obj(j, NULL);
			ctd_j_str(j, "key", ctd_key_str((enum ctd_key)k, best[i]->key, kb, sizeof(kb)));
			ctd_j_u64(j, "entries", best[i]->count);
			if (t->overflowed)
				ctd_j_u64(j, "error", best[i]->err);
			ctd_j_obj_end(j);
		}
		ctd_j_arr_end(j);
		ctd_j_obj_end(j);
	}
	ctd_j_obj_end(j);
	ctd_j_obj_end(j);
}

void
ctd_text_agg(FILE *f, const struct ctd_opts *o, const struct ctd_agg *a)
{
	const struct ctd_top_item *best[1024];
	char kb[128];

	fprintf(f, "matched: %llu of %llu dumped", (unsigned long long)a->matched,
		(unsigned long long)a->dumped);
	if (o->f.has_older)
		fprintf(f, " (older than %gs)", o->f.older_than);
	fputc('\n', f);
	fprintf(f, "by state:");
	for (unsigned i = 0; i <= CTD_STATE_NONE; i++)
		if (a->by_state[i])
			fprintf(f, " %s=%llu", state_slot_name(i), (unsigned long long)a->by_state[i]);
	fprintf(f, "\nby proto:");
	for (unsigned i = 0; i < 256; i++) {
		const char *pn = pp_ct_proto_name(i);

		if (!a->by_proto[i])
			continue;
		if (pn)
			fprintf(f, " %s=%llu", pn, (unsigned long long)a->by_proto[i]);
		else
			fprintf(f, " %u=%llu", i, (unsigned long long)a->by_proto[i]);
	}
	fprintf(f, "\nunreplied: %llu  assured: %llu\n", (unsigned long long)a->unreplied,
		(unsigned long long)a->assured);
	if (a->matched > a->no_tstamp)
		fprintf(f, "oldest: %llus\n", (unsigned long long)(a->oldest_ns / 1000000000ull));
	if (a->want[CTD_K_UNREPLIED] && a->top[CTD_K_UNREPLIED].n) {
		const struct ctd_top *t = &a->top[CTD_K_UNREPLIED];
		size_t n = ctd_top_best(t, best, t->n_want < 1024 ? t->n_want : 1024);

		fprintf(f, "UNREPLIED flows by destination (replies expected at):\n");
		for (size_t i = 0; i < n; i++) {
			struct pp_addr rd = { 0 };
			char rb[64];

			rd.family = best[i]->key[17];
			memcpy(rd.u.b, best[i]->key + 18, 16);
			fprintf(f, "  %-40s %-40s %llu\n",
				ctd_key_str(CTD_K_UNREPLIED, best[i]->key, kb, sizeof(kb)),
				rd.family ? pp_addr_str(&rd, rb, sizeof(rb)) : "-",
				(unsigned long long)best[i]->count);
		}
	}
	for (int k = 0; k < CTD_K_UNREPLIED; k++) {
		const struct ctd_top *t = &a->top[k];
		size_t n;

		if (!a->want[k])
			continue;
		n = ctd_top_best(t, best, t->n_want < 1024 ? t->n_want : 1024);
		fprintf(f, "top %s%s:\n", ctd_key_name((enum ctd_key)k),
			t->overflowed ? " (approximate: more distinct keys than counted)" : "");
		for (size_t i = 0; i < n; i++)
			fprintf(f, "  %-40s %llu\n", ctd_key_str((enum ctd_key)k, best[i]->key, kb, sizeof(kb)),
				(unsigned long long)best[i]->count);
	}
}

void
ctd_prom_agg(struct pp_prom *p, const struct ctd_opts *o, const struct ctd_agg *a)
{
	const struct ctd_top_item *best[1024];
	char kb[128], rb[64];

	pp_prom_family(p, "pktpath_ctdump_dump_entries", "gauge",
		       "Entries of this namespace the last dump returned.");
	pp_prom_sample_u64(p, "pktpath_ctdump_dump_entries", NULL, 0, a->dumped);
	pp_prom_family(p, "pktpath_ctdump_matched_entries", "gauge",
		       "Entries that matched the filters.");
	pp_prom_sample_u64(p, "pktpath_ctdump_matched_entries", NULL, 0, a->matched);
	pp_prom_family(p, "pktpath_ctdump_state_entries", "gauge",
		       "Matched entries per TCP state (none: not TCP).");
	for (unsigned i = 0; i <= CTD_STATE_NONE; i++) {
		struct pp_label l = { "state", state_slot_name(i) };

		if (a->by_state[i])
			pp_prom_sample_u64(p, "pktpath_ctdump_state_entries", &l, 1, a->by_state[i]);
	}
	pp_prom_family(p, "pktpath_ctdump_proto_entries", "gauge", "Matched entries per protocol.");
	for (unsigned i = 0; i < 256; i++) {
		char num[8];
		struct pp_label l = { "proto", pp_ct_proto_name(i) };

		if (!a->by_proto[i])
			continue;
		if (!l.value) {
			snprintf(num, sizeof(num), "%u", i);
			l.value = num;
		}
		pp_prom_sample_u64(p, "pktpath_ctdump_proto_entries", &l, 1, a->by_proto[i]);
	}
	pp_prom_family(p, "pktpath_ctdump_unreplied_entries", "gauge",
		       "Matched entries that never saw a reply.");
	pp_prom_sample_u64(p, "pktpath_ctdump_unreplied_entries", NULL, 0, a->unreplied);
	if (a->want[CTD_K_UNREPLIED]) {
		const struct ctd_top *t = &a->top[CTD_K_UNREPLIED];
		size_t n = ctd_top_best(t, best, t->n_want < 1024 ? t->n_want : 1024);

		pp_prom_family(p, "pktpath_ctdump_unreplied_dst_entries", "gauge",
			       "UNREPLIED entries by original destination and reply destination (the NAT address).");
		for (size_t i = 0; i < n; i++) {
			struct pp_addr rd = { 0 };
			struct pp_label l[2] = { { "dst", NULL }, { "reply_dst", NULL } };

			rd.family = best[i]->key[17];
			memcpy(rd.u.b, best[i]->key + 18, 16);
			l[0].value = ctd_key_str(CTD_K_UNREPLIED, best[i]->key, kb, sizeof(kb));
			l[1].value = rd.family ? pp_addr_str(&rd, rb, sizeof(rb)) : "";
			pp_prom_sample_u64(p, "pktpath_ctdump_unreplied_dst_entries", l, 2, best[i]->count);
		}
	}
	pp_prom_family(p, "pktpath_ctdump_top_entries", "gauge",
		       "Matched entries of the biggest values of each --top key.");
	for (int k = 0; k < CTD_K_UNREPLIED; k++) {
		const struct ctd_top *t = &a->top[k];
		size_t n;

		if (!a->want[k])
			continue;
		n = ctd_top_best(t, best, t->n_want < 1024 ? t->n_want : 1024);
		for (size_t i = 0; i < n; i++) {
			struct pp_label l[2] = { { "key", ctd_key_name((enum ctd_key)k) },
						 { "value", NULL } };

			l[1].value = ctd_key_str((enum ctd_key)k, best[i]->key, kb, sizeof(kb));
			pp_prom_sample_u64(p, "pktpath_ctdump_top_entries", l, 2, best[i]->count);
		}
	}
	(void)o;
}

/* What follows the entries: the count, aggregate or health, in the format asked for. */
void
ctd_report(const struct ctd_opts *o, struct ctd_state *s, FILE *f)
{
	bool json = o->cli.format == PP_FMT_JSON;

	if (o->cli.format == PP_FMT_PROM) {
		struct pp_prom p;

		ctd_out_flush(&s->r.out);
		pp_prom_init(&p, f);
		ctd_prom_health(&p, &s->h);
		if (o->mode == M_AGG && !s->dump_rc)
			ctd_prom_agg(&p, o, &s->r.agg);
		pp_prom_run_info(&p, "pktpath_ctdump", s->h.status != PP_ST_UNKNOWN && s->dump_rc == 0);
		for (size_t i = 0; i < s->w.n; i++)
			pp_warnx(&o->cli, "%s", s->w.msg[i]);
	} else if (json) {
		if (o->mode == M_LIST && o->stream) {
			ctd_json_head(&s->r.out, o, "list");
			ctd_j_str(&s->r.out, "type", "summary");
			ctd_json_filter(&s->r.out, s->kern, s->nk, s->user, s->nu);
		} else if (o->mode == M_COUNT) {
			ctd_json_head(&s->r.out, o, "count");
			ctd_json_filter(&s->r.out, s->kern, s->nk, s->user, s->nu);
		} else if (o->mode == M_AGG) {
			ctd_json_head(&s->r.out, o, "aggregate");
			ctd_json_filter(&s->r.out, s->kern, s->nk, s->user, s->nu);
			if (!s->dump_rc)
				ctd_json_agg(&s->r.out, o, &s->r.agg);
		} else if (o->mode == M_STATS) {
			ctd_json_head(&s->r.out, o, "stats");
		}
		if (o->mode != M_STATS && !s->dump_rc) {
			if (s->dumped)
				ctd_j_u64(&s->r.out, "dumped", s->r.agg.dumped);
			ctd_j_u64(&s->r.out, "matched", s->r.agg.matched);
			if (o->mode == M_COUNT)
				ctd_j_str(&s->r.out, "source", s->dumped ? "dump" : "stats");
		}
		ctd_json_tail(&s->r.out, &s->h, &s->w);
	} else {
		ctd_out_flush(&s->r.out);
		if (o->mode == M_COUNT && !s->dump_rc)
			fprintf(f, "%llu\n", (unsigned long long)s->r.agg.matched);
		else if (o->mode == M_AGG && !s->dump_rc)
			ctd_text_agg(f, o, &s->r.agg);
		else if (o->mode == M_STATS)
			ctd_text_health(f, o, &s->h);
		fflush(f);
		if (o->mode == M_LIST && !s->dump_rc)
			pp_warnx(&o->cli, "%llu flow entries shown (%llu in this namespace dumped)",
				 (unsigned long long)s->r.agg.matched, (unsigned long long)s->r.agg.dumped);
		for (size_t i = 0; i < s->w.n; i++)
			pp_warnx(&o->cli, "%s", s->w.msg[i]);
		if (o->mode != M_STATS)
			for (size_t i = 0; i < s->h.nfindings; i++)
				pp_warnx(&o->cli, "%s", s->h.findings[i]);
	}
}
