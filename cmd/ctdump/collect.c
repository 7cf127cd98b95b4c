/* collect.c: ctdump's kernel reads: the health statistics and the (filtered) dump. */
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
#include "snap.h"
#include "sysctl.h"

void
ctd_warn_add(struct ctd_warnings *w, const char *fmt, ...)
{
	va_list ap;

	if (w->n >= PP_ARRAY_SIZE(w->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(w->msg[w->n++], sizeof(w->msg[0]), fmt, ap);
	va_end(ap);
}

uint64_t
ctd_now_real_ns(void)
{
	struct timespec ts;

	/* Replaying a snapshot, its clock: an entry's age is what it was at save time. */
	pp_clock_realtime(&ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- health ---- */

void
ctd_collect_health(struct pp_nl *nl, struct ctd_health *h, double max_fill, struct ctd_warnings *w)
{
	struct pp_err e = { 0 };
	long long b;
	char buf[512];
	int rc;

	memset(h, 0, sizeof(*h));
	if ((rc = pp_ct_stats_global(nl, &h->g, &e)) == 0) {
		h->have_global = true;
	} else {
		h->global_err = -rc;
		h->global_e = e;
		ctd_warn_add(w, "%s%s%s", pp_err_str(&e, buf, sizeof(buf)),
			 pp_errno_needs(rc) ? ": " : "", pp_errno_needs(rc) ? pp_errno_needs(rc) : "");
	}
	memset(&e, 0, sizeof(e));
	if ((rc = pp_ct_stats_cpu(nl, &h->cpu, &h->ncpu, &e)) == 0) {
		h->have_cpu = true;
	} else {
		h->cpu_err = -rc;
		ctd_warn_add(w, "%s%s%s", pp_err_str(&e, buf, sizeof(buf)),
			 pp_errno_needs(rc) ? ": " : "", pp_errno_needs(rc) ? pp_errno_needs(rc) : "");
	}
	/* The hash size has no ctnetlink attribute; it is a (global) sysctl. */
	if (pp_sysctl_get("net/netfilter/nf_conntrack_buckets", &b) == 0 && b > 0) {
		h->have_buckets = true;
		h->buckets = (uint64_t)b;
	}
	ctd_health_eval(h, max_fill);
}

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctd_run *r = data;
	struct pp_ct_entry ct;

	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK ||
	    (nlh->nlmsg_type & 0xff) != IPCTNL_MSG_CT_NEW)
		return 0;
	r->agg.dumped++;
	if (!r->decode) {
		r->agg.matched++;
		return 0;
	}
	if (pp_ct_parse(nlh, &ct, NULL) < 0) {
		r->agg.bad++;
		return 0;
	}
	if (!ctd_filter_match(&r->o->f, &ct, r->now_ns))
		return 0;
	if (!r->emit) {
		ctd_agg_add(&r->agg, &ct, r->now_ns);
		return 0;
	}
	r->agg.matched++;
	if (r->o->cli.format == PP_FMT_TEXT) {
		ctd_text_entry(&r->out, &ct, PP_CT_EV_NONE, r->now_ns);
	} else if (r->o->stream) {
		ctd_json_entry(&r->out, NULL, &ct, PP_CT_EV_NONE, r->now_ns);
		ctd_j_end(&r->out);
	} else {
		ctd_json_entry(&r->out, NULL, &ct, PP_CT_EV_NONE, r->now_ns);
	}
	return 0;
}

/*
 * Dump with the kernel's share of the filter. A kernel that refuses a filter it
 * does not support (EOPNOTSUPP, EINVAL) refuses before sending any entry: dump
 * again with the family alone and filter in userspace, which is always done anyway.
 */
int
ctd_dump(struct pp_nl *nl, struct pp_ct_kfilter *kf, struct ctd_run *r, struct pp_err *e,
     struct ctd_warnings *w)
{
	struct pp_ct_kfilter plain = { .family = kf->family };
	char buf[512];
	int rc;

	rc = pp_ct_dump(nl, kf, dump_cb, r, e);
	if ((rc == -EOPNOTSUPP || rc == -EINVAL) && r->agg.dumped == 0 &&
	    (kf->mark || kf->status || kf->zone || kf->orig_flags || kf->reply_flags)) {
		ctd_warn_add(w, "the kernel refused the dump filter (%s); filtering in userspace",
			 pp_err_str(e, buf, sizeof(buf)));
		*kf = plain;
		rc = pp_ct_dump(nl, kf, dump_cb, r, e);
	}
	return rc;
}

/*
 * The run of -l, -c, -a or -S: health, then the one dump the mode needs (none for
 * -S, nor for -c without filters: the kernel keeps the count). Entries stream into
 * s->r.out as they come. Returns 0, or -1 when the aggregate could not be set up.
 */
int
ctd_collect(struct ctd_opts *o, struct pp_nl *nl, struct ctd_state *s)
{
	bool json = o->cli.format == PP_FMT_JSON;
	uint32_t top_cap;
	char buf[512];
	int rc;

	switch (o->mode) {
	case M_LIST:
		s->r.emit = s->r.decode = true;
		if (json && !o->stream) {
			ctd_json_head(&s->r.out, o, "list");
			ctd_json_filter(&s->r.out, s->kern, s->nk, s->user, s->nu);
			ctd_j_arr(&s->r.out, "entries");
		}
		s->dump_rc = ctd_dump(nl, &s->kf, &s->r, &s->e, &s->w);
		s->dumped = true;
		if (json && !o->stream)
			ctd_j_arr_end(&s->r.out);
		break;
	case M_COUNT:
		if (!ctd_filter_any(&o->f) && s->h.have_global && s->h.g.have_entries) {
			/* Never dump just to count: the kernel keeps the number. */
			s->r.agg.matched = s->h.g.entries;
		} else {
			s->r.decode = ctd_filter_any(&o->f);
			s->dump_rc = ctd_dump(nl, &s->kf, &s->r, &s->e, &s->w);
			s->dumped = true;
		}
		break;
	case M_AGG:
		{
			unsigned nkeys = 0;

			for (int k = 0; k < CTD_K_N; k++)
				nkeys += o->top_n[k] != 0;
			top_cap = TOP_BUDGET / TOP_SLOT / (nkeys ? nkeys : 1);
			if (top_cap > TOP_CAP_MAX)
				top_cap = TOP_CAP_MAX;
		}
		if ((rc = ctd_agg_init(&s->r.agg, o->top_n, top_cap)) < 0) {
			pp_warnx(&o->cli, "aggregate: out of memory");
			return -1;
		}
		s->r.decode = true;
		s->dump_rc = ctd_dump(nl, &s->kf, &s->r, &s->e, &s->w);
		s->dumped = true;
		break;
	default:
		break;
	}
	if (s->dump_rc < 0) {
		ctd_warn_add(&s->w, "%s%s%s", pp_err_str(&s->e, buf, sizeof(buf)),
			 pp_errno_needs(s->dump_rc) ? ": " : "",
			 pp_errno_needs(s->dump_rc) ? pp_errno_needs(s->dump_rc) : "");
	}
	if (s->r.agg.bad)
		ctd_warn_add(&s->w, "%llu malformed conntrack messages skipped", (unsigned long long)s->r.agg.bad);
	if (o->f.has_older && s->r.agg.no_tstamp)
		ctd_warn_add(&s->w, "%llu entries carry no timestamp and cannot be aged: set "
			 "net.netfilter.nf_conntrack_timestamp=1 (per namespace; new entries only)",
			 (unsigned long long)s->r.agg.no_tstamp);
	if (s->dumped && !s->dump_rc && ctd_filter_any(&o->f))
		ctd_warn_add(&s->w, "the dump walked the whole global conntrack hash (every namespace); "
			 "%zu filter(s) applied in the kernel, %zu in userspace", s->nk, s->nu);

	return 0;
}
