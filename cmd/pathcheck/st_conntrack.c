/*
 * st_conntrack.c: the conntrack station. Reads the table's count, limit and buckets
 * (sysctls) and the per-CPU statistics (/proc/net/stat/nf_conntrack).
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

#include "netns.h"
#include "pathcheck.h"
#include "sysctl.h"

static void
eval_conntrack(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s;

	if (f->ct_rc == -ENOENT) {
		pc_st(res, PC_CONNTRACK, PP_ST_SKIPPED, PC_C_NONE, "conntrack is not loaded");
		return;
	}
	if (f->ct_max > 0 && f->ct_count >= f->ct_max && q->ct_state && q->ct_state != PC_CT_NEW) {
		/* A full table refuses new entries; a flow that has one goes on. */
		s = pc_st(res, PC_CONNTRACK, PP_ST_OK, PC_C_NONE,
			  "table full: %lld of %lld entries; this flow is not new and keeps its entry", f->ct_count,
			  f->ct_max);
	} else if (f->ct_max > 0 && f->ct_count >= f->ct_max) {
		s = pc_st(res, PC_CONNTRACK, PP_ST_FAIL, PC_C_CT_TABLE_FULL,
			    "table full: %lld of %lld entries (the limit is global, the count this namespace's); new flows are dropped",
			    f->ct_count, f->ct_max);
		snprintf(s->drop_reason, sizeof(s->drop_reason), "NETFILTER_DROP");
		pc_hint(s, "ctdump -c; conntrack -S");
	} else if (f->ct_max > 0 && f->ct_count * 10 >= f->ct_max * 9) {
		s = pc_st(res, PC_CONNTRACK, PP_ST_WARN, PC_C_CT_TABLE_NEAR_FULL, "table at %lld of %lld entries (%.0f%%): near full",
			    f->ct_count, f->ct_max, 100.0 * (double)f->ct_count / (double)f->ct_max);
		pc_hint(s, "ctdump --top src 10");
	} else {
		if (f->ct_max > 0)
			s = pc_st(res, PC_CONNTRACK, PP_ST_OK, PC_C_NONE, "%lld of %lld entries", f->ct_count, f->ct_max);
		else
			s = pc_st(res, PC_CONNTRACK, PP_ST_OK, PC_C_NONE, "%lld entries (the limit could not be read)", f->ct_count);
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

/*
 * Conntrack: the count is per namespace, the limit global (read-only inside a
 * namespace), the statistics per CPU (/proc/net/stat/nf_conntrack, hex, one line
 * per CPU under a header naming the columns).
 */
int
pc_ct_stats_read(struct pc_ct_stats *st)
{
	char buf[8192], path[64], *save = NULL, *line, *hdr[32];
	int nh = 0;
	ssize_t n;

	memset(st, 0, sizeof(*st));
	if ((n = pp_read_file(pp_proc_net_path("stat/nf_conntrack", path, sizeof(path)), buf, sizeof(buf))) <= 0)
		return n < 0 ? (int)n : -ENODATA;
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char *s2 = NULL, *tok;
		int col = 0;

		if (nh == 0) {
			for (tok = strtok_r(line, " \t", &s2); tok && nh < 32; tok = strtok_r(NULL, " \t", &s2))
				hdr[nh++] = tok;
			continue;
		}
		st->ncpus++;
		for (tok = strtok_r(line, " \t", &s2); tok && col < nh; tok = strtok_r(NULL, " \t", &s2), col++) {
			unsigned long long v = strtoull(tok, NULL, 16);
			const char *h = hdr[col];

			if (strcmp(h, "found") == 0) st->found += v;
			else if (strcmp(h, "invalid") == 0) st->invalid += v;
			else if (strcmp(h, "insert") == 0) st->insert += v;
			else if (strcmp(h, "insert_failed") == 0) st->insert_failed += v;
			else if (strcmp(h, "drop") == 0) st->drop += v;
			else if (strcmp(h, "early_drop") == 0) st->early_drop += v;
			else if (strcmp(h, "search_restart") == 0) st->search_restart += v;
			else if (strcmp(h, "clashres") == 0) st->clash_resolve += v;
			else if (strcmp(h, "chaintoolong") == 0) st->chaintoolong += v;
		}
	}
	return st->ncpus ? 0 : -ENODATA;
}

/* Conntrack: the count is per namespace, the limit global (read-only inside a namespace). */
static void
collect_conntrack(struct pc_facts *f)
{
	if (pp_sysctl_get("net/netfilter/nf_conntrack_count", &f->ct_count) < 0) {
		f->ct_rc = -ENOENT;
		return;
	}
	f->ct_max = pc_sysctl_or("net/netfilter/nf_conntrack_max", -1);
	f->ct_buckets = pc_sysctl_or("net/netfilter/nf_conntrack_buckets", -1);
	pc_ct_stats_read(&f->ct);
}

void
pc_conntrack_walk(struct pc_walk *w, enum pc_station_id id)
{
	(void)id;
	collect_conntrack(w->f);
}

void
pc_conntrack_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	(void)id;
	eval_conntrack(q, f, res);
}
