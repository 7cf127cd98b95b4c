/* render.c: nicstat's text, JSON and Prometheus output. Reads the model, never the kernel. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "nicstat.h"
#include "sample.h"

static const char *
duplex_name(uint8_t d)
{
	return d == DUPLEX_FULL ? "full" : d == DUPLEX_HALF ? "half" : "unknown";
}

static const char *
port_name(uint8_t p)
{
	switch (p) {
	case PORT_TP: return "tp";
	case PORT_AUI: return "aui";
	case PORT_BNC: return "bnc";
	case PORT_MII: return "mii";
	case PORT_FIBRE: return "fibre";
	case PORT_DA: return "da";
	case PORT_NONE: return "none";
	case PORT_OTHER: return "other";
	default: return "unknown";
	}
}

/* Whether a driver counter is shown: all with --all-counters, else non-zero and changing. */
static bool
dstat_shown(const struct ns_opts *o, const struct ns_model *m, const struct ns_dstat *s)
{
	if (o->all_counters)
		return true;
	if (s->value == 0)
		return false;
	/* The since-boot sample has nothing to compare with: non-zero is all we can ask. */
	return !s->has_prev || m->since_boot || s->value != s->prev;
}

static bool
dev_has_errors(const struct ns_dev *d)
{
	unsigned f;

	for (f = 0; f < NS_F_N; f++)
		if (ns_fields[f].err && ns_delta(d, f))
			return true;
	return d->r.d_qdrops || d->r.d_carrier;
}

/* ---- text ---- */

/* Copy s padded to width (right-aligned unless left) at p; at most 40 bytes of s. */
static char *
col(char *p, const char *s, int width, bool left)
{
	size_t n = strnlen(s, 40);
	int pad = width > (int)n ? width - (int)n : 0;

	if (!left && pad == 0 && width > 0)
		pad = 1;	/* a wide value still gets its separating space */
	if (!left)
		for (; pad > 0; pad--)
			*p++ = ' ';
	memcpy(p, s, n);
	p += n;
	for (; pad > 0; pad--)
		*p++ = ' ';
	return p;
}

/*
 * "%.2f" without printf's floating-point machinery, which was a tenth of a
 * sample's time with thousands of devices. Same rounding to nearest for the
 * values a rate takes; anything else goes to snprintf.
 */
static void
fmt_rate(char *buf, size_t len, double v)
{
	char tmp[32];
	uint64_t c;
	size_t i = sizeof(tmp), n;

	if (!(v >= 0) || v >= 1e15 || len < 24) {
		snprintf(buf, len, "%.2f", v);
		return;
	}
	c = (uint64_t)(v * 100.0 + 0.5);
	tmp[--i] = '\0';
	tmp[--i] = (char)('0' + c % 10);
	c /= 10;
	tmp[--i] = (char)('0' + c % 10);
	c /= 10;
	tmp[--i] = '.';
	do {
		tmp[--i] = (char)('0' + c % 10);
		c /= 10;
	} while (c);
	n = sizeof(tmp) - i;
	memcpy(buf, tmp + i, n);
}

void
ns_render_text(const struct ns_opts *o, const struct ns_model *m, FILE *f)
{
	struct ns_dev **v;
	size_t n, i, j;
	char tbuf[16], util[24], sat[24], a[1][24];
	time_t now = (time_t)m->wall;
	struct tm tm;
	bool any;
	const struct pp_cli *c = &o->cli;

	localtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%H:%M:%S", &tm);
	n = ns_order(o, m, &v);
	if (m->since_boot)
		fprintf(f, "# since boot: rates over %.0f s of uptime (counters since each device appeared)\n",
			m->uptime);
	fprintf(f, "%-8s %12s %9s %9s %9s %9s %7s %7s %7s %8s\n", "Time", "Int", "rKB/s", "wKB/s",
		"rPk/s", "wPk/s", "rAvs", "wAvs", "%Util", "Sat");
	/* One buffer per row, one fwrite: printf was a tenth of a sample with 4000 devices. */
	for (i = 0; i < n; i++) {
		const struct ns_result *r = &v[i]->r;
		char line[256], *p = line;

		p = col(p, tbuf, 8, true);
		p = col(p, v[i]->l.name, 13, false);
		fmt_rate(a[0], sizeof(a[0]), r->rbps / 1024);
		p = col(p, a[0], 10, false);
		fmt_rate(a[0], sizeof(a[0]), r->wbps / 1024);
		p = col(p, a[0], 10, false);
		fmt_rate(a[0], sizeof(a[0]), r->rpps);
		p = col(p, a[0], 10, false);
		fmt_rate(a[0], sizeof(a[0]), r->wpps);
		p = col(p, a[0], 10, false);
		fmt_rate(a[0], sizeof(a[0]), r->ravs);
		p = col(p, a[0], 8, false);
		fmt_rate(a[0], sizeof(a[0]), r->wavs);
		p = col(p, a[0], 8, false);
		if (r->util_known)
			fmt_rate(util, sizeof(util), r->util);
		else
			memcpy(util, "unknown", 8);
		p = col(p, util, 8, false);
		fmt_rate(sat, sizeof(sat), r->sat);
		p = col(p, pp_color(c, m->evaluate && r->problem ? PP_ST_FAIL : PP_ST_OK), 0, true);
		p = col(p, sat, 9, false);
		p = col(p, pp_color_reset(c), 0, true);
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), f);
	}

	/* The error breakdown: only devices where something moved. */
	for (any = false, i = 0; i < n; i++) {
		const struct ns_dev *d = v[i];
		unsigned fl;

		if (!dev_has_errors(d))
			continue;
		if (!any)
			fprintf(f, "\nerrors and drops (%s):\n",
				m->since_boot ? "since boot" : "in the interval");
		any = true;
		fprintf(f, "  %s:", d->l.name);
		for (fl = 0; fl < NS_F_N; fl++)
			if (ns_fields[fl].err && ns_delta(d, fl))
				fprintf(f, " %s %" PRIu64, ns_fields[fl].key, ns_delta(d, fl));
		if (d->r.d_qdrops)
			fprintf(f, " qdisc_drops %" PRIu64, d->r.d_qdrops);
		if (d->r.d_carrier)
			fprintf(f, " carrier_changes %" PRIu64 " (carrier %s)", d->r.d_carrier,
				d->l.has_carrier ? (d->l.carrier ? "up" : "down") : "?");
		fprintf(f, "  [Sat %.2f/s]\n", d->r.sat);
	}

	/* Link settings, rings, channels. */
	for (any = false, i = 0; i < n; i++) {
		const struct ns_dev *d = v[i];
		unsigned k;

		if (!d->et_done)
			continue;
		if (!any)
			fprintf(f, "\nlink settings:\n");
		any = true;
		fprintf(f, "  %s:", d->l.name);
		if (ns_et_of(d)->driver[0])
			fprintf(f, " driver %s,", ns_et_of(d)->driver);
		if (d->lm_rc < 0)
			fprintf(f, " speed unknown (%s)", d->lm_err ? d->lm_err : "?");
		else if (d->lm.speed_unknown || !d->lm.has_speed)
			fprintf(f, " speed unknown,");
		else
			fprintf(f, " %" PRIu32 "Mb/s%s,", d->lm.speed,
				ns_dev_rate(d) ? "" : " (reported, not a line rate)");
		if (d->lm_rc == 0 && d->lm.has_duplex)
			fprintf(f, " duplex %s", duplex_name(d->lm.duplex));
		if (d->lm_rc == 0 && d->lm.has_autoneg)
			fprintf(f, ", autoneg %s", d->lm.autoneg ? "on" : "off");
		if (ns_et_of(d)->li_rc == 0 && ns_et_of(d)->li.has_port)
			fprintf(f, ", port %s", port_name(ns_et_of(d)->li.port));
		if (ns_et_of(d)->rings_rc == 0) {
			fprintf(f, "; rings");
			for (k = 0; k < PP_RING_N; k++)
				if ((ns_et_of(d)->rings.has_cur & (1u << k)) && (ns_et_of(d)->rings.has_max & (1u << k)) &&
				    ns_et_of(d)->rings.max[k])
					fprintf(f, " %s %" PRIu32 "/%" PRIu32, pp_ring_name(k),
						ns_et_of(d)->rings.cur[k], ns_et_of(d)->rings.max[k]);
		} else {
			fprintf(f, "; rings n/a");
		}
		if (ns_et_of(d)->chan_rc == 0) {
			fprintf(f, "; channels");
			for (k = 0; k < PP_CHAN_N; k++)
				if ((ns_et_of(d)->chan.has_max & (1u << k)) && ns_et_of(d)->chan.max[k])
					fprintf(f, " %s %" PRIu32 "/%" PRIu32, pp_chan_name(k),
						ns_et_of(d)->chan.cur[k], ns_et_of(d)->chan.max[k]);
		} else {
			fprintf(f, "; channels n/a");
		}
		if (d->lm_rc == 0)
			fprintf(f, " (%s)", pp_ethtool_src_name(d->lm.source));
		fputc('\n', f);
	}

	/* Driver counters. */
	for (any = false, i = 0; i < n; i++) {
		const struct ns_dev *d = v[i];

		for (j = 0; j < ns_et_of(d)->n_ds; j++) {
			const struct ns_dstat *s = &ns_et_of(d)->ds[j];

			if (!dstat_shown(o, m, s))
				continue;
			if (!any)
				fprintf(f, "\ndriver counters (%s):\n",
					o->all_counters ? "all" : "non-zero and changing; --all-counters for all");
			any = true;
			fprintf(f, "  %-12s %s", d->l.name, s->name);
			if (s->queue[0])
				fprintf(f, "{queue=\"%s\"}", s->queue);
			fprintf(f, " %" PRIu64, s->value);
			if (s->has_prev && !m->since_boot)
				fprintf(f, " (+%" PRIu64 ")", s->value >= s->prev ? s->value - s->prev : s->value);
			fputc('\n', f);
		}
		if (ns_et_of(d)->stats_rc < 0 && d->et_want && o->ethtool == NS_ET_ALL)
			fprintf(f, "  %-12s driver counters unknown: %s\n", d->l.name,
				ns_et_of(d)->stats_err ? ns_et_of(d)->stats_err : "?");
	}

	/*
	 * The NIC's standard counters, pause and FEC: a line per device where one of
	 * them is non-zero (error counters; every counter with --all-counters). A
	 * driver without them says nothing here; -j says why.
	 */
	for (any = false, i = 0; i < n; i++) {
		const struct ns_et *x = ns_et_of(v[i]);
		char line[1024];
		size_t lo = 0;
		unsigned g, k;

#define ADD(...) do { if (lo < sizeof(line)) lo += (size_t)snprintf(line + lo, sizeof(line) - lo, __VA_ARGS__); } while (0)
		if (x->std_rc == 0)
			for (g = 0; g < PP_STD_N; g++)
				for (k = 0; k < pp_std_stat_count(g); k++) {
					uint64_t val = x->std.grp[g].val[k];

					if (!(x->std.grp[g].has & (1u << k)) ||
					    !(o->all_counters || (val && ns_std_is_error(g, k))))
						continue;
					ADD(" %s %" PRIu64, pp_std_stat_name(g, k), val);
					if (x->std_has_prev && !m->since_boot)
						ADD(" (+%" PRIu64 ")", ns_std_delta(x, g, k));
				}
		if (x->pause_rc == 0 && ((x->pause.has_rx_frames && x->pause.rx_frames) ||
					 (x->pause.has_tx_frames && x->pause.tx_frames) || o->all_counters)) {
			ADD(" pause rx %s tx %s", x->pause.rx ? "on" : "off", x->pause.tx ? "on" : "off");
			if (x->pause.has_rx_frames)
				ADD(" rx_pause_frames %" PRIu64, x->pause.rx_frames);
			if (x->pause.has_tx_frames)
				ADD(" tx_pause_frames %" PRIu64, x->pause.tx_frames);
		}
		if (x->fec_rc == 0) {
			bool nz = o->all_counters;

			for (k = 0; k < PP_FEC_N; k++)
				nz |= x->fec.st[k].has && x->fec.st[k].total;
			if (nz) {
				ADD(" fec %s", x->fec.has_active ? pp_fec_mode_name(x->fec.active) : "off");
				for (k = 0; k < PP_FEC_N; k++)
					if (x->fec.st[k].has)
						ADD(" %s %" PRIu64, pp_fec_stat_name(k), x->fec.st[k].total);
			}
		}
#undef ADD
		if (!lo)
			continue;
		if (!any)
			fprintf(f, "\nNIC counters (%s):\n", m->since_boot ? "since boot" : "change in the interval in brackets");
		any = true;
		fprintf(f, "  %s:%s\n", v[i]->l.name, line);
	}

	/* softnet. */
	if (m->softnet_rc < 0) {
		fprintf(f, "\nsoftnet: unknown (%s)\n", m->softnet_err);
	} else if (m->n_cpus) {
		fprintf(f, "\nsoftnet per CPU (%s):\n  %6s %12s %10s %12s %10s\n",
			m->since_boot ? "since boot" : "in the interval", "cpu", "processed", "dropped",
			"time_squeeze", "flow_limit");
		for (i = 0; i < m->n_cpus; i++) {
			const struct ns_cpu *cp = &m->cpus[i];
			enum pp_status st = m->evaluate && cp->problem ? PP_ST_FAIL : PP_ST_OK;

			fprintf(f, "  %6u %12" PRIu64 " %s%10" PRIu64 "%s %12" PRIu64 " %10" PRIu64 "\n",
				cp->cur.cpu, cp->d_processed, pp_color(c, st), cp->d_dropped,
				pp_color_reset(c), cp->d_squeeze, cp->d_flow);
		}
		for (any = false, i = 0; i < m->n_cpus; i++) {
			if (!m->cpus[i].d_dropped && !m->cpus[i].d_flow)
				continue;
			if (!any)
				fprintf(f, "  backlog drops on CPU");
			fprintf(f, " %u", m->cpus[i].cur.cpu);
			any = true;
		}
		if (any)
			fprintf(f, ": a host problem (netdev_max_backlog, RPS, flow limit), not the NIC\n");
	}
	for (i = 0; i < m->n_warnings; i++)
		fprintf(f, "warning: %s\n", m->warnings[i]);
	/* NIC findings of this interval: every device, whether or not --top showed it. */
	for (i = 0; m->evaluate && i < m->n; i++) {
		const struct ns_dev *d = &m->devs[i];
		unsigned k;
		char next[300];

		if (!d->seen || !d->selected)
			continue;
		for (k = 0; k < NS_N_N; k++) {
			if (!(d->r.nic_rising & (1u << k)))
				continue;
			ns_nicf_next(k, d->l.name, next, sizeof(next));
			fprintf(f, "%s%s%s: %s: %s +%" PRIu64 " (%.2f/s): %s\n  next: %s\n",
				pp_color(c, ns_nicf[k].error ? PP_ST_FAIL : PP_ST_WARN),
				ns_nicf[k].error ? "PROBLEM" : "warning", pp_color_reset(c), d->l.name,
				ns_nicf[k].counter, d->r.nic_d[k], d->r.nic_ps[k], ns_nicf[k].what, next);
		}
	}
	if (m->evaluate) {
		size_t shown = 0;

		fprintf(f, "%s%s%s: %zu device(s) and %zu CPU(s) above %g errors+drops/s",
			pp_color(c, m->problem ? PP_ST_FAIL : PP_ST_OK), m->problem ? "PROBLEM" : "ok",
			pp_color_reset(c), m->n_problem_devs, m->n_problem_cpus, o->threshold);
		/* Name them (the first ten), whether or not --top let them into the table. */
		for (i = 0; i < m->n && shown < 10; i++)
			if (m->devs[i].seen && m->devs[i].selected && m->devs[i].r.problem)
				fprintf(f, "%s %s %.2f/s", shown++ ? "," : ":", m->devs[i].l.name,
					m->devs[i].r.sat);
		for (i = 0; i < m->n_cpus && shown < 10; i++)
			if (m->cpus[i].problem)
				fprintf(f, "%s cpu%u backlog %.2f/s", shown++ ? "," : ":", m->cpus[i].cur.cpu,
					m->cpus[i].dropped_ps);
		fputc('\n', f);
	}
	else if (o->count == 1)
		fprintf(f, "since boot only: old drops are evidence, not a finding; "
			   "take an interval (-i 1 -c 2) to judge\n");
	free(v);
}

/* ---- JSON ---- */

static void
json_hist(struct pp_json *j, const char *key, const struct pp_ethtool_rmon_bkt *b, unsigned n,
	  const struct pp_ethtool_rmon_bkt *pb, unsigned pn)
{
	unsigned i;

	if (!n)
		return;
	pp_json_arr_open(j, key);
	for (i = 0; i < n; i++) {
		pp_json_obj_open(j, NULL);
		pp_json_u64(j, "low", b[i].low);
		pp_json_u64(j, "high", b[i].high);
		pp_json_u64(j, "value", b[i].val);
		/* The same bucket in the previous sample, or since boot. */
		pp_json_u64(j, "delta", pb && i < pn && pb[i].low == b[i].low && pb[i].high == b[i].high
						? pp_delta64(pb[i].val, b[i].val) : b[i].val);
		pp_json_obj_close(j);
	}
	pp_json_arr_close(j);
}

/*
 * std_stats, pause and fec: an object when the driver reports something, else
 * null and a reason beside it (*_why), never zeros made up for a driver that has no
 * such counter. Deltas are over the sample; in the first one, since boot.
 */
static void
json_nic(struct pp_json *j, const struct ns_et *x)
{
	unsigned g, i, k;

	if (x->std_rc == 0 && pp_ethtool_std_any(&x->std)) {
		const struct pp_ethtool_std_stats *s = &x->std;
		const struct pp_ethtool_std_stats *ps = x->std_has_prev ? &x->std_prev : NULL;

		pp_json_obj_open(j, "std_stats");
		pp_json_arr_open(j, "groups");
		for (g = 0; g < PP_STD_N; g++) {
			bool hist = g == PP_STD_RMON && (s->n_hist_rx || s->n_hist_tx);

			if (!s->grp[g].has && !hist)
				continue;
			pp_json_obj_open(j, NULL);
			pp_json_str(j, "group", pp_std_group_name(g));
			pp_json_arr_open(j, "stats");
			for (i = 0; i < pp_std_stat_count(g); i++) {
				if (!(s->grp[g].has & (1u << i)))
					continue;
				pp_json_obj_open(j, NULL);
				pp_json_str(j, "name", pp_std_stat_name(g, i));
				pp_json_u64(j, "value", s->grp[g].val[i]);
				pp_json_u64(j, "delta", ns_std_delta(x, g, i));
				pp_json_obj_close(j);
			}
			pp_json_arr_close(j);
			if (g == PP_STD_RMON) {
				json_hist(j, "hist_rx", s->hist_rx, s->n_hist_rx, ps ? ps->hist_rx : NULL,
					  ps ? ps->n_hist_rx : 0);
				json_hist(j, "hist_tx", s->hist_tx, s->n_hist_tx, ps ? ps->hist_tx : NULL,
					  ps ? ps->n_hist_tx : 0);
			}
			pp_json_obj_close(j);
		}
		pp_json_arr_close(j);
		pp_json_arr_open(j, "unsupported_groups");
		for (g = 0; g < PP_STD_N; g++)
			if (!s->grp[g].has && !(g == PP_STD_RMON && (s->n_hist_rx || s->n_hist_tx)))
				pp_json_str(j, NULL, pp_std_group_name(g));
		pp_json_arr_close(j);
		if (s->unknown_stats || s->unknown_groups) {
			pp_json_u64(j, "unknown_stats", s->unknown_stats);
			pp_json_u64(j, "unknown_groups", s->unknown_groups);
		}
		pp_json_obj_close(j);
	} else {
		pp_json_null(j, "std_stats");
		pp_json_str(j, "std_stats_why", ns_nic_why(x->std_rc));
	}

	if (x->pause_rc == 0) {
		const struct pp_ethtool_pause *p = &x->pause;
		const struct pp_ethtool_pause *pp = x->pause_has_prev ? &x->pause_prev : NULL;

		pp_json_obj_open(j, "pause");
		if (p->has_autoneg)
			pp_json_bool(j, "autoneg", p->autoneg != 0);
		if (p->has_rx)
			pp_json_bool(j, "rx", p->rx != 0);
		if (p->has_tx)
			pp_json_bool(j, "tx", p->tx != 0);
		if (p->has_tx_frames || p->has_rx_frames) {
			pp_json_obj_open(j, "stats");
			if (p->has_tx_frames)
				pp_json_u64(j, "tx_frames", p->tx_frames);
			if (p->has_rx_frames)
				pp_json_u64(j, "rx_frames", p->rx_frames);
			pp_json_obj_close(j);
			pp_json_obj_open(j, "deltas");
			if (p->has_tx_frames)
				pp_json_u64(j, "tx_frames", pp && pp->has_tx_frames
							    ? pp_delta64(pp->tx_frames, p->tx_frames) : p->tx_frames);
			if (p->has_rx_frames)
				pp_json_u64(j, "rx_frames", pp && pp->has_rx_frames
							    ? pp_delta64(pp->rx_frames, p->rx_frames) : p->rx_frames);
			pp_json_obj_close(j);
		} else {
			pp_json_null(j, "stats");
			pp_json_str(j, "stats_why", "not supported by the driver");
		}
		pp_json_obj_close(j);
	} else {
		pp_json_null(j, "pause");
		pp_json_str(j, "pause_why", ns_nic_why(x->pause_rc));
	}

	if (x->fec_rc == 0) {
		const struct pp_ethtool_fec *f = &x->fec;
		const struct pp_ethtool_fec *pf = x->fec_has_prev ? &x->fec_prev : NULL;
		bool any = false;

		pp_json_obj_open(j, "fec");
		if (f->has_auto)
			pp_json_bool(j, "auto", f->fec_auto != 0);
		if (f->has_active)
			pp_json_str(j, "active", pp_fec_mode_name(f->active));
		else
			pp_json_null(j, "active");	/* the kernel sends none when no FEC mode is active */
		for (k = 0; k < PP_FEC_N; k++)
			any |= f->st[k].has;
		if (any) {
			pp_json_obj_open(j, "stats");
			for (k = 0; k < PP_FEC_N; k++) {
				if (!f->st[k].has)
					continue;
				pp_json_obj_open(j, pp_fec_stat_name(k));
				pp_json_u64(j, "total", f->st[k].total);
				pp_json_arr_open(j, "lanes");
				for (i = 0; i < f->st[k].n_lanes; i++)
					pp_json_u64(j, NULL, f->st[k].lane[i]);
				pp_json_arr_close(j);
				pp_json_obj_close(j);
			}
			pp_json_obj_close(j);
			pp_json_obj_open(j, "deltas");
			for (k = 0; k < PP_FEC_N; k++)
				if (f->st[k].has)
					pp_json_u64(j, pp_fec_stat_name(k),
						    pf && pf->st[k].has ? pp_delta64(pf->st[k].total, f->st[k].total)
									: f->st[k].total);
			pp_json_obj_close(j);
		} else {
			pp_json_null(j, "stats");
			pp_json_str(j, "stats_why", "not supported by the driver");
		}
		pp_json_obj_close(j);
	} else {
		pp_json_null(j, "fec");
		pp_json_str(j, "fec_why", ns_nic_why(x->fec_rc));
	}
}

/* The NIC findings of an evaluated sample: what rose, how fast, what to run next. */
static void
json_findings(struct pp_json *j, const struct ns_dev *d)
{
	unsigned k;
	char next[300];

	pp_json_arr_open(j, "nic_findings");
	for (k = 0; k < NS_N_N; k++) {
		if (!(d->r.nic_rising & (1u << k)))
			continue;
		pp_json_obj_open(j, NULL);
		pp_json_str(j, "finding", ns_nicf[k].key);
		pp_json_str(j, "counter", ns_nicf[k].counter);
		pp_json_u64(j, "delta", d->r.nic_d[k]);
		pp_json_double(j, "per_second", d->r.nic_ps[k]);
		pp_json_bool(j, "problem", ns_nicf[k].error);
		pp_json_str(j, "summary", ns_nicf[k].what);
		ns_nicf_next(k, d->l.name, next, sizeof(next));
		pp_json_str(j, "hint", next);
		pp_json_obj_close(j);
	}
	pp_json_arr_close(j);
}

static void
json_dev(const struct ns_opts *o, const struct ns_model *m, struct pp_json *j, const struct ns_dev *d)
{
	const struct ns_result *r = &d->r;
	unsigned f, k;
	size_t i;

	pp_json_obj_open(j, NULL);
	pp_json_str(j, "device", d->l.name);
	pp_json_str(j, "name", d->l.name);	/* the old key, an alias for one release */
	pp_json_u64(j, "ifindex", (uint64_t)d->l.ifindex);
	pp_json_str(j, "kind", ns_kind_name(d->kind));
	if (d->l.kind[0])
		pp_json_str(j, "link_kind", d->l.kind);
	pp_json_str(j, "operstate", pp_operstate_name(d->l.operstate));
	if (d->l.has_carrier)
		pp_json_bool(j, "carrier", d->l.carrier != 0);
	pp_json_u64(j, "mtu", d->l.mtu);
	if (d->l.qdisc[0])
		pp_json_str(j, "qdisc", d->l.qdisc);

	pp_json_obj_open(j, "rates");
	pp_json_double(j, "interval_seconds", r->dt);
	pp_json_double(j, "rx_kbytes_per_second", r->rbps / 1024);
	pp_json_double(j, "tx_kbytes_per_second", r->wbps / 1024);
	pp_json_double(j, "rx_packets_per_second", r->rpps);
	pp_json_double(j, "tx_packets_per_second", r->wpps);
	pp_json_double(j, "rx_avg_packet_bytes", r->ravs);
	pp_json_double(j, "tx_avg_packet_bytes", r->wavs);
	if (r->util_known) {
		pp_json_double(j, "util_percent", r->util);
		pp_json_str(j, "util", "known");
	} else {
		pp_json_str(j, "util", "unknown");
		pp_json_str(j, "util_why", r->util_why);
	}
	pp_json_double(j, "sat_per_second", r->sat);
	if (m->evaluate)	/* the since-boot sample judges nothing */
		pp_json_bool(j, "problem", r->problem);
	pp_json_obj_close(j);

	pp_json_obj_open(j, "counters");
	if (d->l.has_stats64)
		for (f = 0; f < NS_F_N; f++)
			pp_json_u64(j, ns_fields[f].key, ns_field_get(&d->l.stats, f));
	if (d->l.has_carrier_changes) {
		pp_json_u64(j, "carrier_changes", d->l.carrier_changes);
		pp_json_u64(j, "carrier_up", d->l.carrier_up);
		pp_json_u64(j, "carrier_down", d->l.carrier_down);
	}
	if (d->has_qdisc)
		pp_json_u64(j, "qdisc_drops", d->qdrops);
	pp_json_obj_close(j);

	pp_json_obj_open(j, "deltas");
	for (f = 0; f < NS_F_N; f++)
		pp_json_u64(j, ns_fields[f].key, ns_delta(d, f));
	if (d->l.has_carrier_changes)
		pp_json_u64(j, "carrier_changes", r->d_carrier);
	if (d->has_qdisc)
		pp_json_u64(j, "qdisc_drops", r->d_qdrops);
	pp_json_obj_close(j);

	if (d->et_done) {
		pp_json_obj_open(j, "link");
		if (ns_et_of(d)->driver[0])
			pp_json_str(j, "driver", ns_et_of(d)->driver);
		if (d->lm_rc < 0) {
			pp_json_str(j, "status", "unknown");
			pp_json_str(j, "why", d->lm_err ? d->lm_err : "unknown");
		} else {
			pp_json_str(j, "source", pp_ethtool_src_name(d->lm.source));
			if (d->lm.has_speed) {
				if (d->lm.speed_unknown)
					pp_json_null(j, "speed_mbps");
				else
					pp_json_u64(j, "speed_mbps", d->lm.speed);
				pp_json_bool(j, "speed_is_line_rate", ns_dev_rate(d));
			}
			if (d->lm.has_duplex)
				pp_json_str(j, "duplex", duplex_name(d->lm.duplex));
			if (d->lm.has_autoneg)
				pp_json_bool(j, "autoneg", d->lm.autoneg != 0);
			if (d->lm.has_lanes)
				pp_json_u64(j, "lanes", d->lm.lanes);
		}
		if (ns_et_of(d)->li_rc == 0 && ns_et_of(d)->li.has_port)
			pp_json_str(j, "port", port_name(ns_et_of(d)->li.port));
		pp_json_obj_close(j);
		if (ns_et_of(d)->rings_rc == 0) {
			pp_json_obj_open(j, "rings");
			for (k = 0; k < PP_RING_N; k++) {
				char key[32];

				if (ns_et_of(d)->rings.has_cur & (1u << k))
					pp_json_u64(j, pp_ring_name(k), ns_et_of(d)->rings.cur[k]);
				snprintf(key, sizeof(key), "%s_max", pp_ring_name(k));
				if (ns_et_of(d)->rings.has_max & (1u << k))
					pp_json_u64(j, key, ns_et_of(d)->rings.max[k]);
			}
			pp_json_obj_close(j);
		}
		if (ns_et_of(d)->chan_rc == 0) {
			pp_json_obj_open(j, "channels");
			for (k = 0; k < PP_CHAN_N; k++) {
				char key[32];

				if (ns_et_of(d)->chan.has_cur & (1u << k))
					pp_json_u64(j, pp_chan_name(k), ns_et_of(d)->chan.cur[k]);
				snprintf(key, sizeof(key), "%s_max", pp_chan_name(k));
				if (ns_et_of(d)->chan.has_max & (1u << k))
					pp_json_u64(j, key, ns_et_of(d)->chan.max[k]);
			}
			pp_json_obj_close(j);
		}
		if (ns_et_of(d)->stats_rc < 0) {
			pp_json_str(j, "driver_stats_status", "unknown");
			pp_json_str(j, "driver_stats_why", ns_et_of(d)->stats_err ? ns_et_of(d)->stats_err : "unknown");
		} else {
			pp_json_arr_open(j, "driver_stats");
			for (i = 0; i < ns_et_of(d)->n_ds; i++) {
				const struct ns_dstat *s = &ns_et_of(d)->ds[i];

				if (!dstat_shown(o, m, s))
					continue;
				pp_json_obj_open(j, NULL);
				pp_json_str(j, "name", s->name);
				if (s->queue[0])
					pp_json_str(j, "queue", s->queue);
				pp_json_str(j, "driver_name", s->raw);
				pp_json_u64(j, "value", s->value);
				if (s->has_prev && !m->since_boot)
					pp_json_u64(j, "delta", s->value >= s->prev ? s->value - s->prev : s->value);
				pp_json_obj_close(j);
			}
			pp_json_arr_close(j);
		}
		json_nic(j, ns_et_of(d));
	}
	if (m->evaluate && d->x)
		json_findings(j, d);
	pp_json_obj_close(j);
}

void
ns_render_json(const struct ns_opts *o, const struct ns_model *m, FILE *f)
{
	struct pp_json j;
	struct ns_dev **v;
	size_t n, i;

	n = ns_order(o, m, &v);
	pp_json_init(&j, f, o->cli.pretty);
	pp_json_obj_open(&j, NULL);
	pp_json_str(&j, "schema", "nicstat/1");
	pp_json_str(&j, "netns", pp_cli_netns_name(&o->cli));
	pp_json_obj_open(&j, "sample");
	pp_json_u64(&j, "index", m->sample);
	pp_json_bool(&j, "since_boot", m->since_boot);
	pp_json_double(&j, "interval_seconds", m->since_boot ? m->uptime : m->t - m->t_prev);
	pp_json_u64(&j, "timestamp", (uint64_t)m->wall);
	pp_json_bool(&j, "qdisc_drops_in_sat", m->qdisc_in_sat);
	pp_json_obj_close(&j);
	pp_json_double(&j, "threshold_per_second", o->threshold);
	pp_json_arr_open(&j, "devices");
	for (i = 0; i < n; i++)
		json_dev(o, m, &j, v[i]);
	pp_json_arr_close(&j);

	if (m->softnet_rc < 0) {
		pp_json_obj_open(&j, "softnet_status");
		pp_json_str(&j, "status", "unknown");
		pp_json_str(&j, "why", m->softnet_err);
		pp_json_obj_close(&j);
	} else {
		pp_json_arr_open(&j, "softnet");
		for (i = 0; i < m->n_cpus; i++) {
			const struct ns_cpu *c = &m->cpus[i];

			pp_json_obj_open(&j, NULL);
			pp_json_u64(&j, "cpu", c->cur.cpu);
			pp_json_u64(&j, "processed", c->cur.processed);
			pp_json_u64(&j, "dropped", c->cur.dropped);
			pp_json_u64(&j, "time_squeeze", c->cur.time_squeeze);
			if (c->cur.has_rps)
				pp_json_u64(&j, "received_rps", c->cur.received_rps);
			if (c->cur.has_flow_limit)
				pp_json_u64(&j, "flow_limit", c->cur.flow_limit);
			if (c->cur.has_backlog)
				pp_json_u64(&j, "backlog_len", c->cur.backlog_len);
			pp_json_obj_open(&j, "deltas");
			pp_json_u64(&j, "processed", c->d_processed);
			pp_json_u64(&j, "dropped", c->d_dropped);
			pp_json_u64(&j, "time_squeeze", c->d_squeeze);
			pp_json_u64(&j, "flow_limit", c->d_flow);
			pp_json_obj_close(&j);
			pp_json_double(&j, "dropped_per_second", c->dropped_ps);
			if (m->evaluate)
				pp_json_bool(&j, "problem", c->problem);
			pp_json_obj_close(&j);
		}
		pp_json_arr_close(&j);
		pp_json_arr_open(&j, "softnet_drop_cpus");
		for (i = 0; i < m->n_cpus; i++)
			if (m->cpus[i].d_dropped || m->cpus[i].d_flow)
				pp_json_u64(&j, NULL, m->cpus[i].cur.cpu);
		pp_json_arr_close(&j);
	}
	pp_json_obj_open(&j, "verdict");
	pp_json_str(&j, "status", !m->evaluate ? "skipped" : m->problem ? "problem" : "ok");
	if (m->evaluate) {
		pp_json_u64(&j, "devices_above_threshold", m->n_problem_devs);
		pp_json_u64(&j, "cpus_above_threshold", m->n_problem_cpus);
	}
	pp_json_obj_close(&j);
	pp_json_arr_open(&j, "warnings");
	for (i = 0; i < m->n_warnings; i++)
		pp_json_str(&j, NULL, m->warnings[i]);
	pp_json_arr_close(&j);
	pp_json_obj_close(&j);
	pp_json_end(&j);
	free(v);
}

/* ---- Prometheus ---- */

#define P "pktpath_nicstat_"

void
ns_render_prom(const struct ns_opts *o, const struct ns_model *m, FILE *f, bool ok)
{
	struct pp_prom p;
	struct ns_dev **v = NULL;
	size_t n = 0, i, j;
	unsigned fl, k;
	char name[160], help[256];

	pp_prom_init(&p, f);
	if (ok)
		n = ns_order(o, m, &v);
	for (fl = 0; fl < NS_F_N; fl++) {
		snprintf(name, sizeof(name), P "network_%s_total", ns_fields[fl].prom);
		for (i = 0; i < n; i++) {
			struct pp_label l[] = { { "device", v[i]->l.name } };

			if (!v[i]->l.has_stats64)
				continue;
			pp_prom_family(&p, name, "counter", ns_fields[fl].help);
			pp_prom_sample_u64(&p, name, l, 1, ns_field_get(&v[i]->l.stats, fl));
		}
	}
	for (i = 0; i < n; i++) {
		struct pp_label l[] = { { "device", v[i]->l.name } };

		if (!v[i]->l.has_carrier_changes)
			continue;
		pp_prom_family(&p, P "network_carrier_changes_total", "counter",
			       "Times the carrier went up or down.");
		pp_prom_sample_u64(&p, P "network_carrier_changes_total", l, 1, v[i]->l.carrier_changes);
	}
	for (i = 0; i < n; i++) {
		struct pp_label l[] = { { "device", v[i]->l.name } };

		if (!v[i]->has_qdisc)
			continue;
		pp_prom_family(&p, P "qdisc_root_drops_total", "counter",
			       "Packets dropped by the device's root egress qdisc (32-bit kernel counter).");
		pp_prom_sample_u64(&p, P "qdisc_root_drops_total", l, 1, v[i]->qdrops);
	}
	for (i = 0; i < n; i++) {
		struct pp_label l[] = { { "device", v[i]->l.name }, { "kind", ns_kind_name(v[i]->kind) } };

		pp_prom_family(&p, P "network_up", "gauge", "1 when the device is operationally up.");
		pp_prom_sample(&p, P "network_up", l, 2, v[i]->l.operstate == 6 /* IF_OPER_UP */ ? 1 : 0);
	}
	for (i = 0; i < n; i++) {
		struct pp_label l[] = { { "device", v[i]->l.name } };

		pp_prom_family(&p, P "network_mtu_bytes", "gauge", "Device MTU.");
		pp_prom_sample(&p, P "network_mtu_bytes", l, 1, v[i]->l.mtu);
	}
	for (i = 0; i < n; i++) {
		const struct ns_dev *d = v[i];
		struct pp_label l[] = { { "device", d->l.name } };

		/* Only a real line rate: nothing rather than a made-up figure (node_exporter#1967). */
		if (!d->et_done || d->lm_rc < 0 || !d->lm.has_speed || d->lm.speed_unknown ||
		    !ns_dev_rate(d))
			continue;
		pp_prom_family(&p, P "network_speed_bytes", "gauge", "Line rate in bytes per second.");
		pp_prom_sample(&p, P "network_speed_bytes", l, 1, (double)d->lm.speed * 125000.0);
	}
	for (i = 0; i < n; i++) {
		struct pp_label l[] = { { "device", v[i]->l.name } };

		if (!v[i]->r.util_known)
			continue;
		pp_prom_family(&p, P "device_utilization_ratio", "gauge",
			       "Utilisation over the sample interval (busier direction for full duplex).");
		pp_prom_sample(&p, P "device_utilization_ratio", l, 1, v[i]->r.util / 100.0);
	}
	for (i = 0; i < n; i++) {
		struct pp_label l[] = { { "device", v[i]->l.name } };

		pp_prom_family(&p, P "device_saturation_per_second", "gauge",
			       "Errors and drops per second over the sample interval (nicstat Sat).");
		pp_prom_sample(&p, P "device_saturation_per_second", l, 1, v[i]->r.sat);
	}
	for (i = 0; i < n; i++) {
		const struct ns_dev *d = v[i];

		if (!d->et_done || ns_et_of(d)->rings_rc < 0)
			continue;
		for (k = 0; k < PP_RING_N; k++) {
			struct pp_label l[] = { { "device", d->l.name }, { "ring", pp_ring_name(k) } };

			if (!(ns_et_of(d)->rings.has_max & (1u << k)) || !ns_et_of(d)->rings.max[k])
				continue;
			pp_prom_family(&p, P "nic_ring_entries", "gauge", "Ring size in descriptors.");
			pp_prom_sample(&p, P "nic_ring_entries", l, 2, ns_et_of(d)->rings.cur[k]);
		}
	}
	for (i = 0; i < n; i++) {
		const struct ns_dev *d = v[i];

		if (!d->et_done || ns_et_of(d)->rings_rc < 0)
			continue;
		for (k = 0; k < PP_RING_N; k++) {
			struct pp_label l[] = { { "device", d->l.name }, { "ring", pp_ring_name(k) } };

			if (!(ns_et_of(d)->rings.has_max & (1u << k)) || !ns_et_of(d)->rings.max[k])
				continue;
			pp_prom_family(&p, P "nic_ring_max_entries", "gauge", "Largest ring size the driver allows.");
			pp_prom_sample(&p, P "nic_ring_max_entries", l, 2, ns_et_of(d)->rings.max[k]);
		}
	}
	for (i = 0; i < n; i++) {
		const struct ns_dev *d = v[i];

		if (!d->et_done || ns_et_of(d)->chan_rc < 0)
			continue;
		for (k = 0; k < PP_CHAN_N; k++) {
			struct pp_label l[] = { { "device", d->l.name }, { "type", pp_chan_name(k) } };

			if (!(ns_et_of(d)->chan.has_max & (1u << k)) || !ns_et_of(d)->chan.max[k])
				continue;
			pp_prom_family(&p, P "nic_channels", "gauge", "Channels (queues) in use.");
			pp_prom_sample(&p, P "nic_channels", l, 2, ns_et_of(d)->chan.cur[k]);
		}
	}
	for (i = 0; i < n; i++) {
		const struct ns_dev *d = v[i];

		for (j = 0; j < ns_et_of(d)->n_ds; j++) {
			const struct ns_dstat *s = &ns_et_of(d)->ds[j];
			struct pp_label l[] = { { "device", d->l.name }, { "stat", s->name },
						{ "queue", s->queue } };

			if (!dstat_shown(o, m, s))
				continue;
			pp_prom_family(&p, P "driver_stat_total", "counter",
				       "Driver counters (ethtool -S), the queue number moved into a label.");
			pp_prom_sample_u64(&p, P "driver_stat_total", l, s->queue[0] ? 3 : 2, s->value);
		}
	}
	/*
	 * The NIC's standard counters, pause and FEC: only what the driver reports.
	 * Labels stay few: group and stat are the uapi's fixed names, never a driver's
	 * free strings; the rmon histogram's buckets are the driver's ranges (at most ten).
	 */
	for (i = 0; i < n; i++) {
		const struct ns_et *x = ns_et_of(v[i]);
		unsigned g;

		if (x->std_rc < 0)
			continue;
		for (g = 0; g < PP_STD_N; g++)
			for (k = 0; k < pp_std_stat_count(g); k++) {
				struct pp_label l[] = { { "device", v[i]->l.name }, { "group", pp_std_group_name(g) },
							{ "stat", pp_std_stat_name(g, k) } };

				if (!(x->std.grp[g].has & (1u << k)))
					continue;
				pp_prom_family(&p, P "std_stat_total", "counter",
					       "NIC standard counters (ethtool -S --all-groups): IEEE 802.3 and RMON.");
				pp_prom_sample_u64(&p, P "std_stat_total", l, 3, x->std.grp[g].val[k]);
			}
	}
	for (i = 0; i < n; i++) {
		const struct ns_et *x = ns_et_of(v[i]);
		unsigned dir;

		if (x->std_rc < 0)
			continue;
		for (dir = 0; dir < 2; dir++) {
			const struct pp_ethtool_rmon_bkt *b = dir ? x->std.hist_tx : x->std.hist_rx;
			unsigned nb = dir ? x->std.n_hist_tx : x->std.n_hist_rx;

			for (k = 0; k < nb; k++) {
				char lo[16], hi[16];
				struct pp_label l[] = { { "device", v[i]->l.name }, { "direction", dir ? "tx" : "rx" },
							{ "low", lo }, { "high", hi } };

				snprintf(lo, sizeof(lo), "%u", b[k].low);
				snprintf(hi, sizeof(hi), "%u", b[k].high);
				pp_prom_family(&p, P "rmon_hist_packets_total", "counter",
					       "Packets by length range (RMON histogram; low and high in bytes).");
				pp_prom_sample_u64(&p, P "rmon_hist_packets_total", l, 4, b[k].val);
			}
		}
	}
	for (k = 0; k < 2; k++) {
		const char *nm = k ? P "pause_tx_frames_total" : P "pause_rx_frames_total";

		for (i = 0; i < n; i++) {
			const struct ns_et *x = ns_et_of(v[i]);
			struct pp_label l[] = { { "device", v[i]->l.name } };

			if (x->pause_rc < 0 || !(k ? x->pause.has_tx_frames : x->pause.has_rx_frames))
				continue;
			pp_prom_family(&p, nm, "counter", k ? "Pause frames sent (this host throttles the link partner)."
							    : "Pause frames received (the link partner throttles this host).");
			pp_prom_sample_u64(&p, nm, l, 1, k ? x->pause.tx_frames : x->pause.rx_frames);
		}
	}
	for (i = 0; i < n; i++) {
		const struct ns_et *x = ns_et_of(v[i]);

		if (x->pause_rc < 0)
			continue;
		for (k = 0; k < 3; k++) {
			static const char *const what[] = { "autoneg", "rx", "tx" };
			struct pp_label l[] = { { "device", v[i]->l.name }, { "setting", what[k] } };
			bool has = k == 0 ? x->pause.has_autoneg : k == 1 ? x->pause.has_rx : x->pause.has_tx;
			uint8_t val = k == 0 ? x->pause.autoneg : k == 1 ? x->pause.rx : x->pause.tx;

			if (!has)
				continue;
			pp_prom_family(&p, P "pause_enabled", "gauge", "1 when the pause setting is on (ethtool -a).");
			pp_prom_sample(&p, P "pause_enabled", l, 2, val ? 1 : 0);
		}
	}
	for (k = 0; k < PP_FEC_N; k++) {
		static const char *const nm[PP_FEC_N] = { P "fec_corrected_blocks_total",
							  P "fec_uncorrectable_blocks_total",
							  P "fec_corrected_bits_total" };
		static const char *const fhelp[PP_FEC_N] = { "FEC blocks corrected, all lanes.",
							    "FEC blocks that could not be corrected, all lanes.",
							    "Bits corrected by FEC, all lanes." };

		for (i = 0; i < n; i++) {
			const struct ns_et *x = ns_et_of(v[i]);
			struct pp_label l[] = { { "device", v[i]->l.name } };

			if (x->fec_rc < 0 || !x->fec.st[k].has)
				continue;
			pp_prom_family(&p, nm[k], "counter", fhelp[k]);
			pp_prom_sample_u64(&p, nm[k], l, 1, x->fec.st[k].total);
		}
	}
	for (i = 0; i < n; i++) {
		const struct ns_et *x = ns_et_of(v[i]);
		struct pp_label l[] = { { "device", v[i]->l.name },
					{ "mode", x->fec.has_active ? pp_fec_mode_name(x->fec.active) : "off" } };

		if (x->fec_rc < 0)
			continue;
		pp_prom_family(&p, P "fec_active_info", "gauge", "The active FEC mode (ethtool --show-fec).");
		pp_prom_sample(&p, P "fec_active_info", l, 2, 1);
	}
	if (ok && m->softnet_rc == 0) {
		static const struct { const char *name, *help; } sf[] = {
			{ P "softnet_processed_total", "Packets processed from the CPU's backlog." },
			{ P "softnet_dropped_total", "Packets dropped because the CPU's backlog was full." },
			{ P "softnet_times_squeezed_total", "Times net_rx_action stopped with work left." },
			{ P "softnet_flow_limit_count_total", "Packets dropped by the flow limit." },
		};
		for (k = 0; k < PP_ARRAY_SIZE(sf); k++) {
			pp_prom_family(&p, sf[k].name, "counter", sf[k].help);
			for (i = 0; i < m->n_cpus; i++) {
				const struct ns_cpu *c = &m->cpus[i];
				char cpu[16];
				struct pp_label l[] = { { "cpu", cpu } };
				uint32_t val = k == 0 ? c->cur.processed : k == 1 ? c->cur.dropped
						: k == 2 ? c->cur.time_squeeze : c->cur.flow_limit;

				if (k == 3 && !c->cur.has_flow_limit)
					continue;
				snprintf(cpu, sizeof(cpu), "%u", c->cur.cpu);
				pp_prom_sample_u64(&p, sf[k].name, l, 1, val);
			}
		}
	}
	if (ok && m->evaluate) {
		snprintf(help, sizeof(help), "Devices whose Sat is above the threshold (%g per second).",
			 o->threshold);
		pp_prom_family(&p, P "devices_above_threshold", "gauge", help);
		pp_prom_sample(&p, P "devices_above_threshold", NULL, 0, (double)m->n_problem_devs);
	}
	pp_prom_run_info(&p, "pktpath_nicstat", ok);
	free(v);
}
