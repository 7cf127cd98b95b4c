/* render.c: a sample and its evaluation as text, JSON or Prometheus. No netlink here. */
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <linux/pkt_sched.h>

#include "json.h"
#include "prom.h"
#include "qs.h"

#define PFX "pktpath_qdiscstat_"

static void
decode(const struct qs_obj *o, struct pp_tc_fields *xs, struct pp_tc_fields *opt)
{
	xs->n = opt->n = 0;
	if (o->xs_len)
		(void)pp_tc_xstats_decode(o->kind, o->is_class, o->blob, o->xs_len, xs);
	if (o->opt_len)
		(void)pp_tc_options_decode(o->kind, o->is_class, o->blob + o->xs_len, o->opt_len, opt);
}

/* ---- JSON ---- */

static void
fields_json(struct pp_json *j, const char *key, const struct pp_tc_fields *fl)
{
	if (!fl->n)
		return;
	pp_json_obj_open(j, key);
	for (unsigned i = 0; i < fl->n; i++) {
		if (fl->f[i].type == PP_TCF_SIGNED)
			pp_json_i64(j, fl->f[i].name, (int64_t)fl->f[i].v);
		else
			pp_json_u64(j, fl->f[i].name, fl->f[i].v);
	}
	pp_json_obj_close(j);
}

static void
obj_json(struct pp_json *j, const struct qs_eval *ev, const struct qs_row *r)
{
	const struct qs_obj *o = r->o;
	struct pp_tc_fields xs, opt;
	char h[24], p[24];

	qs_handle_str(o->handle, h, sizeof(h));
	qs_handle_str(o->parent, p, sizeof(p));
	pp_json_obj_open(j, NULL);
	pp_json_str(j, "kind", o->kind);
	pp_json_str(j, o->is_class ? "classid" : "handle", h);
	pp_json_str(j, "parent", p);
	if (!o->is_class) {
		pp_json_bool(j, "root", o->parent == TC_H_ROOT);
		pp_json_bool(j, "ingress", o->parent == TC_H_INGRESS);
	}
	pp_json_u64(j, "bytes", o->bytes);
	pp_json_u64(j, "packets", o->packets);
	pp_json_u64(j, "drops", o->drops);
	pp_json_u64(j, "overlimits", o->overlimits);
	pp_json_u64(j, "requeues", o->requeues);
	pp_json_u64(j, "backlog_bytes", o->backlog);
	pp_json_u64(j, "backlog_packets", o->qlen);
	pp_json_u64(j, "qlen", o->qlen);
	if (o->has_rate) {
		pp_json_obj_open(j, "estimator");
		pp_json_u64(j, "bytes_per_second", o->est_bps);
		pp_json_u64(j, "packets_per_second", o->est_pps);
		pp_json_obj_close(j);
	}
	if (r->has_delta && !ev->since_boot) {
		pp_json_obj_open(j, "interval");
		pp_json_u64(j, "bytes", r->d_bytes);
		pp_json_u64(j, "packets", r->d_packets);
		pp_json_u64(j, "drops", r->d_drops);
		pp_json_u64(j, "overlimits", r->d_overlimits);
		pp_json_u64(j, "requeues", r->d_requeues);
		pp_json_double(j, "bytes_per_second", r->bps);
		pp_json_double(j, "packets_per_second", r->pps);
		pp_json_double(j, "drops_per_second", r->drops_ps);
		pp_json_double(j, "overlimits_per_second", r->overlimits_ps);
		pp_json_double(j, "requeues_per_second", r->requeues_ps);
		if (r->has_ratio)
			pp_json_double(j, "drop_ratio", r->drop_ratio);
		else
			pp_json_null(j, "drop_ratio");
		pp_json_bool(j, "standing_backlog", r->standing);
		pp_json_obj_close(j);
	}
	decode(o, &xs, &opt);
	fields_json(j, "options", &opt);
	fields_json(j, "xstats", &xs);
	pp_json_obj_close(j);
}


/*
 * The compact form of obj_json, written into a buffer: at 12,000 objects the
 * writer's stdio calls per token cost more than the netlink dumps. It writes the
 * same bytes as pp_json in compact mode (the unit tests compare the two); -p uses
 * pp_json itself.
 */
struct qs_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

static __attribute__((noinline)) void
buf_grow(struct qs_buf *b, size_t n)
{
	char *np;
	size_t nc;

	if (b->oom)
		return;
	nc = b->cap ? b->cap : 4096;
	while (nc < b->len + n)
		nc *= 2;
	np = realloc(b->p, nc);
	if (!np) {
		b->oom = true;
		return;
	}
	b->p = np;
	b->cap = nc;
}

static inline void
buf_need(struct qs_buf *b, size_t n)
{
	if (b->len + n > b->cap)
		buf_grow(b, n);
}

static inline __attribute__((always_inline)) void
buf_raw(struct qs_buf *b, const char *s, size_t n)
{
	buf_need(b, n);
	if (b->oom)
		return;
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

#define BUF_LIT(b, s) buf_raw((b), (s), sizeof(s) - 1)

static void
buf_u64(struct qs_buf *b, uint64_t v)
{
	char t[24];
	int i = (int)sizeof(t);

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_raw(b, t + i, sizeof(t) - (size_t)i);
}

static void
buf_fmt(struct qs_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
buf_fmt(struct qs_buf *b, const char *fmt, ...)
{
	char t[64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t, sizeof(t), fmt, ap);
	va_end(ap);
	if (n > 0)
		buf_raw(b, t, (size_t)n < sizeof(t) ? (size_t)n : sizeof(t) - 1);
}

/* A string value: plain printable ASCII is copied; anything else goes through pp_json_escape. */
static void
buf_str(struct qs_buf *b, const char *s)
{
	size_t n = strlen(s);

	for (size_t i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)s[i];

		if (ch < 0x20 || ch >= 0x7f || ch == '"' || ch == '\\') {
			char *m = NULL;
			size_t ml = 0;
			FILE *f = open_memstream(&m, &ml);

			if (!f) {
				b->oom = true;
				return;
			}
			pp_json_escape(f, s);
			fclose(f);
			buf_raw(b, m, ml);
			free(m);
			return;
		}
	}
	buf_need(b, n + 2);
	if (b->oom)
		return;
	b->p[b->len++] = '"';
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len++] = '"';
}

static void
buf_double(struct qs_buf *b, double v)
{
	if (isfinite(v))
		buf_fmt(b, "%.6g", v);
	else
		BUF_LIT(b, "null");
}

/* ,"key": with the key a literal */
#define K(b, k) BUF_LIT((b), ",\"" k "\":")

static void
fields_buf(struct qs_buf *b, const char *key, const struct pp_tc_fields *fl)
{
	if (!fl->n)
		return;
	BUF_LIT(b, ",\"");
	buf_raw(b, key, strlen(key));
	BUF_LIT(b, "\":{");
	for (unsigned i = 0; i < fl->n; i++) {
		if (i)
			BUF_LIT(b, ",");
		/* Field names are our own snake_case literals: no escaping needed. */
		BUF_LIT(b, "\"");
		buf_raw(b, fl->f[i].name, strlen(fl->f[i].name));
		BUF_LIT(b, "\":");
		if (fl->f[i].type == PP_TCF_SIGNED)
			buf_fmt(b, "%" PRId64, (int64_t)fl->f[i].v);
		else
			buf_u64(b, fl->f[i].v);
	}
	BUF_LIT(b, "}");
}

/* qs_handle_str without snprintf: the same text, at 24,000 handles per sample. */
static const char *
handle_str(uint32_t h, char *buf)
{
	static const char hex[] = "0123456789abcdef";
	char *p = buf;

	if (h == TC_H_ROOT)
		return qs_handle_str(h, buf, 24);
	for (int part = 0; part < 2; part++) {
		uint32_t v = part ? TC_H_MIN(h) : TC_H_MAJ(h) >> 16;
		char t[8];
		int n = 0;

		if (part && v == 0)
			break;
		do {
			t[n++] = hex[v & 0xf];
			v >>= 4;
		} while (v);
		while (n)
			*p++ = t[--n];
		if (!part)
			*p++ = ':';
	}
	*p = '\0';
	return buf;
}

static void
obj_buf(struct qs_buf *b, const struct qs_eval *ev, const struct qs_row *r)
{
	const struct qs_obj *o = r->o;
	struct pp_tc_fields xs, opt;
	char h[24], p[24];

	handle_str(o->handle, h);
	handle_str(o->parent, p);
	BUF_LIT(b, "{\"kind\":");
	buf_str(b, o->kind);
	if (o->is_class)
		K(b, "classid");
	else
		K(b, "handle");
	buf_str(b, h);
	K(b, "parent");
	buf_str(b, p);
	if (!o->is_class) {
		K(b, "root");
		if (o->parent == TC_H_ROOT)
			BUF_LIT(b, "true");
		else
			BUF_LIT(b, "false");
		K(b, "ingress");
		if (o->parent == TC_H_INGRESS)
			BUF_LIT(b, "true");
		else
			BUF_LIT(b, "false");
	}
	K(b, "bytes");
	buf_u64(b, o->bytes);
	K(b, "packets");
	buf_u64(b, o->packets);
	K(b, "drops");
	buf_u64(b, o->drops);
	K(b, "overlimits");
	buf_u64(b, o->overlimits);
	K(b, "requeues");
	buf_u64(b, o->requeues);
	K(b, "backlog_bytes");
	buf_u64(b, o->backlog);
	K(b, "backlog_packets");
	buf_u64(b, o->qlen);
	K(b, "qlen");
	buf_u64(b, o->qlen);
	if (o->has_rate) {
		BUF_LIT(b, ",\"estimator\":{\"bytes_per_second\":");
		buf_u64(b, o->est_bps);
		K(b, "packets_per_second");
		buf_u64(b, o->est_pps);
		BUF_LIT(b, "}");
	}
	if (r->has_delta && !ev->since_boot) {
		BUF_LIT(b, ",\"interval\":{\"bytes\":");
		buf_u64(b, r->d_bytes);
		K(b, "packets");
		buf_u64(b, r->d_packets);
		K(b, "drops");
		buf_u64(b, r->d_drops);
		K(b, "overlimits");
		buf_u64(b, r->d_overlimits);
		K(b, "requeues");
		buf_u64(b, r->d_requeues);
		K(b, "bytes_per_second");
		buf_double(b, r->bps);
		K(b, "packets_per_second");
		buf_double(b, r->pps);
		K(b, "drops_per_second");
		buf_double(b, r->drops_ps);
		K(b, "overlimits_per_second");
		buf_double(b, r->overlimits_ps);
		K(b, "requeues_per_second");
		buf_double(b, r->requeues_ps);
		K(b, "drop_ratio");
		if (r->has_ratio)
			buf_double(b, r->drop_ratio);
		else
			BUF_LIT(b, "null");
		K(b, "standing_backlog");
		if (r->standing)
			BUF_LIT(b, "true}");
		else
			BUF_LIT(b, "false}");
	}
	decode(o, &xs, &opt);
	fields_buf(b, "options", &opt);
	fields_buf(b, "xstats", &xs);
	BUF_LIT(b, "}");
}

/* Hand the buffer to f when it holds this much: a small buffer stays in cache. */
#define QS_BUF_FLUSH (64 * 1024)

static void
buf_flush(struct qs_buf *b, FILE *f)
{
	if (!b->oom && b->len)
		fwrite(b->p, 1, b->len, f);
	b->len = 0;
}

/* The devices array of the compact document, written to f through b. */
static void
devices_buf(struct qs_buf *b, FILE *f, const struct qs_sample *s, const struct qs_eval *ev)
{
	bool first_dev = true;

	BUF_LIT(b, "\"devices\":[");
	for (size_t d = 0; d < s->ndev; d++) {
		const struct qs_dev *dev = &s->dev[d];
		bool any = false, first = true;

		for (size_t i = dev->first; i < dev->first + dev->n; i++)
			any |= ev->rows[i].selected;
		if (!any)
			continue;
		if (!first_dev)
			BUF_LIT(b, ",");
		first_dev = false;
		BUF_LIT(b, "{\"device\":");
		buf_str(b, dev->name);
		K(b, "ifindex");
		buf_u64(b, (uint64_t)dev->ifindex);
		BUF_LIT(b, ",\"qdiscs\":[");
		for (size_t i = dev->first; i < dev->first + dev->nq; i++) {
			if (!ev->rows[i].selected)
				continue;
			if (!first)
				BUF_LIT(b, ",");
			first = false;
			obj_buf(b, ev, &ev->rows[i]);
		}
		BUF_LIT(b, "],\"classes\":[");
		first = true;
		for (size_t i = dev->first + dev->nq; i < dev->first + dev->n; i++) {
			if (!ev->rows[i].selected)
				continue;
			if (!first)
				BUF_LIT(b, ",");
			first = false;
			obj_buf(b, ev, &ev->rows[i]);
		}
		BUF_LIT(b, "]}");
		if (b->len >= QS_BUF_FLUSH)
			buf_flush(b, f);
	}
	BUF_LIT(b, "]");
	buf_flush(b, f);
}

void
qs_render_json(FILE *f, const struct qs_render_ctx *rc, const struct qs_sample *s,
	       const struct qs_eval *ev)
{
	struct pp_json j;

	pp_json_init(&j, f, rc->cli->pretty);
	pp_json_obj_open(&j, NULL);
	pp_json_str(&j, "schema", "qdiscstat/1");
	pp_json_str(&j, "netns", pp_cli_netns_name(rc->cli));
	pp_json_obj_open(&j, "sample");
	pp_json_u64(&j, "index", rc->index);
	pp_json_bool(&j, "since_boot", ev->since_boot);
	if (ev->since_boot)
		pp_json_null(&j, "interval_seconds");
	else
		pp_json_double(&j, "interval_seconds", ev->dt);
	pp_json_u64(&j, "timestamp", (uint64_t)s->wall);	/* Unix seconds */
	pp_json_obj_close(&j);
	if (!rc->cli->pretty) {
		struct qs_buf b = { 0 };

		/* The writer has put '{' and the members so far: go on after a comma. */
		BUF_LIT(&b, ",");
		devices_buf(&b, f, s, ev);
		free(b.p);
	} else {
	pp_json_arr_open(&j, "devices");
	for (size_t d = 0; d < s->ndev; d++) {
		const struct qs_dev *dev = &s->dev[d];
		bool any = false;

		for (size_t i = dev->first; i < dev->first + dev->n; i++)
			any |= ev->rows[i].selected;
		if (!any)
			continue;
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "device", dev->name);
		pp_json_u64(&j, "ifindex", (uint64_t)dev->ifindex);
		pp_json_arr_open(&j, "qdiscs");
		for (size_t i = dev->first; i < dev->first + dev->nq; i++)
			if (ev->rows[i].selected)
				obj_json(&j, ev, &ev->rows[i]);
		pp_json_arr_close(&j);
		pp_json_arr_open(&j, "classes");
		for (size_t i = dev->first + dev->nq; i < dev->first + dev->n; i++)
			if (ev->rows[i].selected)
				obj_json(&j, ev, &ev->rows[i]);
		pp_json_arr_close(&j);
		pp_json_obj_close(&j);
	}
	pp_json_arr_close(&j);
	}
	pp_json_arr_open(&j, "findings");
	for (size_t i = 0; i < ev->nf; i++) {
		const struct qs_finding *fd = &ev->f[i];
		const struct qs_row *r = &ev->rows[fd->row];
		char h[24], p[24];

		qs_handle_str(r->o->handle, h, sizeof(h));
		qs_handle_str(r->o->parent, p, sizeof(p));
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "level", qs_level_name(fd->level));
		pp_json_str(&j, "type", qs_ftype_name(fd->type));
		pp_json_str(&j, "device", r->dev ? r->dev->name : NULL);
		pp_json_str(&j, "kind", r->o->kind);
		pp_json_str(&j, "object", r->o->is_class ? "class" : "qdisc");
		pp_json_str(&j, "handle", h);
		pp_json_str(&j, "parent", p);
		pp_json_str(&j, "summary", fd->summary);
		pp_json_obj_close(&j);
	}
	pp_json_arr_close(&j);
	pp_json_obj_open(&j, "summary");
	pp_json_u64(&j, "qdiscs", ev->nqdisc);
	pp_json_u64(&j, "classes", ev->nclass);
	pp_json_u64(&j, "problems", ev->problems);
	pp_json_u64(&j, "notices", ev->notices);
	pp_json_obj_close(&j);
	pp_json_arr_open(&j, "warnings");
	if (s->class_errors) {
		char buf[512], msg[600];

		snprintf(msg, sizeof(msg), "the class dump failed on %u devices: %s", s->class_errors,
			 pp_err_str(&s->class_err, buf, sizeof(buf)));
		pp_json_str(&j, NULL, msg);
	}
	if (s->bad_msgs) {
		char msg[96];

		snprintf(msg, sizeof(msg), "%u netlink messages were refused as malformed", s->bad_msgs);
		pp_json_str(&j, NULL, msg);
	}
	for (const char *const *w = rc->warnings; w && *w; w++)
		pp_json_str(&j, NULL, *w);
	pp_json_arr_close(&j);
	pp_json_obj_close(&j);
	pp_json_end(&j);
}

/* ---- text ---- */

/* s, then spaces to width w, then one space. */
static void
buf_left(struct qs_buf *b, const char *s, size_t w)
{
	size_t n = strlen(s);

	buf_raw(b, s, n);
	buf_need(b, (n < w ? w - n : 0) + 1);
	if (b->oom)
		return;
	while (n++ < w)
		b->p[b->len++] = ' ';
	b->p[b->len++] = ' ';
}

/* Right-aligned in width w: digits (or any text). */
static void
buf_right(struct qs_buf *b, const char *s, size_t n, size_t w)
{
	buf_need(b, (n < w ? w - n : 0));
	if (b->oom)
		return;
	for (size_t k = n; k < w; k++)
		b->p[b->len++] = ' ';
	buf_raw(b, s, n);
}

static void
buf_unum(struct qs_buf *b, uint64_t v, size_t w)
{
	char t[24];
	int i = (int)sizeof(t);

	do {
		t[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	buf_right(b, t + i, sizeof(t) - (size_t)i, w);
}

/* A rate with one decimal (or none), right-aligned. */
static void
buf_fixed(struct qs_buf *b, double v, int decimals, size_t w)
{
	char t[40];
	int n;

	if (isfinite(v) && v >= 0 && v < 1e15) {
		uint64_t scaled = (uint64_t)(v * (decimals ? 10 : 1) + 0.5);
		int i = (int)sizeof(t);

		if (decimals) {
			t[--i] = (char)('0' + scaled % 10);
			t[--i] = '.';
			scaled /= 10;
		}
		do {
			t[--i] = (char)('0' + scaled % 10);
			scaled /= 10;
		} while (scaled);
		buf_right(b, t + i, sizeof(t) - (size_t)i, w);
		return;
	}
	n = snprintf(t, sizeof(t), "%.*f", decimals, v);
	if (n > 0)
		buf_right(b, t, (size_t)n < sizeof(t) ? (size_t)n : sizeof(t) - 1, w);
}

static void
fields_text(struct qs_buf *b, const char *what, const struct pp_tc_fields *fl)
{
	if (!fl->n)
		return;
	BUF_LIT(b, "      ");
	buf_raw(b, what, strlen(what));
	BUF_LIT(b, ":");
	for (unsigned i = 0; i < fl->n; i++) {
		BUF_LIT(b, " ");
		buf_raw(b, fl->f[i].name, strlen(fl->f[i].name));
		BUF_LIT(b, "=");
		if (fl->f[i].type == PP_TCF_SIGNED && (int64_t)fl->f[i].v < 0) {
			BUF_LIT(b, "-");
			buf_u64(b, (uint64_t)0 - fl->f[i].v);
		} else {
			buf_u64(b, fl->f[i].v);
		}
	}
	BUF_LIT(b, "\n");
}

void
qs_render_text(FILE *f, const struct qs_render_ctx *rc, const struct qs_sample *s,
	       const struct qs_eval *ev)
{
	const struct pp_cli *cli = rc->cli;
	struct qs_buf b = { 0 };

	if (ev->since_boot)
		fprintf(f, "sample %u: counters since each qdisc and class was created (for most, since boot)\n",
			rc->index);
	else
		fprintf(f, "sample %u: rates over the last %.2f s\n", rc->index, ev->dt);
	if (ev->since_boot)
		fprintf(f, "%-16s %-10s %-6s %-10s %-8s %14s %12s %10s %10s %9s %10s %6s\n", "DEVICE",
			"KIND", "", "HANDLE", "PARENT", "BYTES", "PACKETS", "DROPS", "OVERLIMITS",
			"REQUEUES", "BACKLOG_B", "QLEN");
	else
		fprintf(f, "%-16s %-10s %-6s %-10s %-8s %14s %12s %10s %7s %12s %9s %10s %6s\n", "DEVICE",
			"KIND", "", "HANDLE", "PARENT", "BYTES/S", "PACKETS/S", "DROPS/S", "DROP%",
			"OVERLIMIT/S", "REQUEUE/S", "BACKLOG_B", "QLEN");
	for (size_t i = 0; i < ev->nrows; i++) {
		const struct qs_row *r = &ev->rows[i];
		const struct qs_obj *o = r->o;
		struct pp_tc_fields xs, opt;
		char h[24], p[24];

		if (!r->selected)
			continue;
		buf_left(&b, r->dev ? r->dev->name : "?", 16);
		buf_left(&b, o->kind, 10);
		buf_left(&b, o->is_class ? "class" : "qdisc", 6);
		buf_left(&b, handle_str(o->handle, h), 10);
		buf_left(&b, handle_str(o->parent, p), 8);
		if (ev->since_boot || !r->has_delta) {
			buf_unum(&b, o->bytes, 14);
			BUF_LIT(&b, " ");
			buf_unum(&b, o->packets, 12);
			BUF_LIT(&b, " ");
			buf_unum(&b, o->drops, 10);
			BUF_LIT(&b, " ");
			buf_unum(&b, o->overlimits, 10);
			BUF_LIT(&b, " ");
			buf_unum(&b, o->requeues, 9);
			BUF_LIT(&b, " ");
			buf_unum(&b, o->backlog, 10);
			BUF_LIT(&b, " ");
			buf_unum(&b, o->qlen, 6);
			if (!ev->since_boot)
				BUF_LIT(&b, "  (new)");
		} else {
			const char *on = r->d_drops ? pp_color(cli, PP_ST_FAIL) : "";
			const char *off = r->d_drops ? pp_color_reset(cli) : "";

			buf_fixed(&b, r->bps, 0, 14);
			BUF_LIT(&b, " ");
			buf_fixed(&b, r->pps, 1, 12);
			BUF_LIT(&b, " ");
			buf_raw(&b, on, strlen(on));
			buf_fixed(&b, r->drops_ps, 1, 10);
			buf_raw(&b, off, strlen(off));
			BUF_LIT(&b, " ");
			if (r->has_ratio)
				buf_fixed(&b, r->drop_ratio * 100, 1, 7);
			else
				buf_right(&b, "-", 1, 7);
			BUF_LIT(&b, " ");
			buf_fixed(&b, r->overlimits_ps, 1, 12);
			BUF_LIT(&b, " ");
			buf_fixed(&b, r->requeues_ps, 1, 9);
			BUF_LIT(&b, " ");
			buf_unum(&b, o->backlog, 10);
			BUF_LIT(&b, " ");
			buf_unum(&b, o->qlen, 6);
		}
		BUF_LIT(&b, "\n");
		decode(o, &xs, &opt);
		fields_text(&b, "xstats", &xs);
		if (rc->details)
			fields_text(&b, "options", &opt);
		if (b.len >= QS_BUF_FLUSH)
			buf_flush(&b, f);
	}
	buf_flush(&b, f);
	free(b.p);
	if (s->class_errors) {
		char buf[512];

		fprintf(f, "warning: the class dump failed on %u devices: %s\n", s->class_errors,
			pp_err_str(&s->class_err, buf, sizeof(buf)));
	}
	if (s->bad_msgs)
		fprintf(f, "warning: %u netlink messages were refused as malformed\n", s->bad_msgs);
	for (const char *const *w = rc->warnings; w && *w; w++)
		fprintf(f, "warning: %s\n", *w);
	if (!ev->nf) {
		fprintf(f, "%u qdiscs, %u classes: no findings\n", (unsigned)ev->nqdisc, (unsigned)ev->nclass);
		return;
	}
	fprintf(f, "%u qdiscs, %u classes; findings:\n", (unsigned)ev->nqdisc, (unsigned)ev->nclass);
	for (size_t i = 0; i < ev->nf; i++) {
		const struct qs_finding *fd = &ev->f[i];
		enum pp_status st = fd->level == QS_L_PROBLEM ? PP_ST_FAIL
				  : fd->level == QS_L_NOTICE ? PP_ST_WARN : PP_ST_OK;

		fprintf(f, "  %s%-7s%s %-16s %s\n", pp_color(cli, st), qs_level_name(fd->level),
			pp_color_reset(cli), qs_ftype_name(fd->type), fd->summary);
	}
}

/* ---- Prometheus ---- */

struct metric {
	const char *suffix;		/* after pktpath_qdiscstat_{qdisc,class}_ */
	const char *type;
	const char *help;
};

static const struct metric metrics[] = {
	{ "bytes_total", "counter", "Bytes sent by the qdisc or class since it was created." },
	{ "packets_total", "counter", "Packets sent (64-bit counter) since creation." },
	{ "drops_total", "counter", "Packets dropped since creation." },
	{ "overlimits_total", "counter", "Times the qdisc or class was over its limit (throttled or dropped)." },
	{ "requeues_total", "counter", "Packets the driver pushed back to the qdisc." },
	{ "backlog_bytes", "gauge", "Bytes queued now." },
	{ "backlog_packets", "gauge", "Packets queued now (qlen)." },
};

static uint64_t
metric_value(size_t m, const struct qs_obj *o)
{
	switch (m) {
	case 0: return o->bytes;
	case 1: return o->packets;
	case 2: return o->drops;
	case 3: return o->overlimits;
	case 4: return o->requeues;
	case 5: return o->backlog;
	default: return o->qlen;
	}
}

static void
labels_of(const struct qs_row *r, struct pp_label *l, char *h, char *p)
{
	qs_handle_str(r->o->handle, h, 24);
	qs_handle_str(r->o->parent, p, 24);
	l[0] = (struct pp_label){ "device", r->dev ? r->dev->name : "" };
	l[1] = (struct pp_label){ "kind", r->o->kind };
	l[2] = (struct pp_label){ "handle", h };
	l[3] = (struct pp_label){ "parent", p };
}

void
qs_render_prom(FILE *f, const struct qs_render_ctx *rc, const struct qs_sample *s,
	       const struct qs_eval *ev, bool success)
{
	struct pp_prom p;
	char name[128];

	pp_prom_init(&p, f);
	if (s && ev) {
		for (int cls = 0; cls <= 1; cls++) {
			for (size_t m = 0; m < PP_ARRAY_SIZE(metrics); m++) {
				bool started = false;

				snprintf(name, sizeof(name), PFX "%s_%s", cls ? "class" : "qdisc",
					 metrics[m].suffix);
				for (size_t i = 0; i < ev->nrows; i++) {
					const struct qs_row *r = &ev->rows[i];
					struct pp_label l[4];
					char h[24], pa[24];

					if (!r->selected || r->o->is_class != cls)
						continue;
					if (!started) {
						pp_prom_family(&p, name, metrics[m].type, metrics[m].help);
						started = true;
					}
					labels_of(r, l, h, pa);
					pp_prom_sample_u64(&p, name, l, 4, metric_value(m, r->o));
				}
			}
		}
		/* Drop ratio over the interval, where there was one. */
		if (!ev->since_boot) {
			bool started = false;

			for (size_t i = 0; i < ev->nrows; i++) {
				const struct qs_row *r = &ev->rows[i];
				struct pp_label l[4];
				char h[24], pa[24];

				/* Nothing offered is no loss: 0 keeps the series continuous. */
				if (!r->selected || !r->has_delta)
					continue;
				snprintf(name, sizeof(name), PFX "drop_ratio");
				if (!started) {
					pp_prom_family(&p, name, "gauge",
						       "Drops over packets offered (sent + dropped) during the last interval.");
					started = true;
				}
				labels_of(r, l, h, pa);
				pp_prom_sample(&p, name, l, 4, r->has_ratio ? r->drop_ratio : 0);
			}
		}
		/* The kinds' own numbers, one family for counters and one for levels. */
		for (int want = 0; want <= 1; want++) {
			bool started = false;

			snprintf(name, sizeof(name), want ? PFX "xstats_total" : PFX "xstats");
			for (size_t i = 0; i < ev->nrows; i++) {
				const struct qs_row *r = &ev->rows[i];
				struct pp_tc_fields xs, opt;
				struct pp_label l[5];
				char h[24], pa[24];

				if (!r->selected || !r->o->xs_len)
					continue;
				decode(r->o, &xs, &opt);
				labels_of(r, l, h, pa);
				for (unsigned k = 0; k < xs.n; k++) {
					bool counter = xs.f[k].type == PP_TCF_COUNTER;

					if (counter != (bool)want)
						continue;
					if (!started) {
						pp_prom_family(&p, name, want ? "counter" : "gauge",
							       want ? "A qdisc kind's own counter (TCA_XSTATS), named by the stat label."
								    : "A qdisc kind's own level (TCA_XSTATS), named by the stat label.");
						started = true;
					}
					l[4] = (struct pp_label){ "stat", xs.f[k].name };
					if (xs.f[k].type == PP_TCF_SIGNED)
						pp_prom_sample(&p, name, l, 5, (double)(int64_t)xs.f[k].v);
					else
						pp_prom_sample_u64(&p, name, l, 5, xs.f[k].v);
				}
			}
		}
		{
			static const enum qs_level lv[] = { QS_L_PROBLEM, QS_L_NOTICE, QS_L_INFO };

			pp_prom_family(&p, PFX "findings", "gauge", "Findings of the last sample by level.");
			for (size_t k = 0; k < PP_ARRAY_SIZE(lv); k++) {
				struct pp_label l = { "level", qs_level_name(lv[k]) };
				uint64_t n = 0;

				for (size_t i = 0; i < ev->nf; i++)
					n += ev->f[i].level == lv[k];
				pp_prom_sample_u64(&p, PFX "findings", &l, 1, n);
			}
		}
		pp_prom_family(&p, PFX "sample_interval_seconds", "gauge",
			       "Seconds the rates were measured over; 0 for a single sample since boot.");
		pp_prom_sample(&p, PFX "sample_interval_seconds", NULL, 0, ev->since_boot ? 0 : ev->dt);
	}
	(void)rc;
	pp_prom_run_info(&p, "pktpath_qdiscstat", success);
}
