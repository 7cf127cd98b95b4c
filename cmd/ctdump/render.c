/*
 * render.c: the fast writers. A million entries leave through one large buffer
 * with hand-rolled number and address formatting: printf costs more per entry
 * than the decoding does.
 */
#include <arpa/inet.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "ctdump.h"
#include "json.h"

int
ctd_out_init(struct ctd_out *o, FILE *f, size_t cap, bool pretty)
{
	memset(o, 0, sizeof(*o));
	o->f = f;
	o->cap = cap < 4096 ? 4096 : cap;
	o->pretty = pretty;
	o->first[0] = true;
	o->buf = malloc(o->cap);
	return o->buf ? 0 : -1;
}

void
ctd_out_flush(struct ctd_out *o)
{
	if (o->len && fwrite(o->buf, 1, o->len, o->f) != o->len)
		o->err = true;
	o->len = 0;
}

void
ctd_out_free(struct ctd_out *o)
{
	ctd_out_flush(o);
	fflush(o->f);
	free(o->buf);
	o->buf = NULL;
}

/* Room for n more bytes (n well under cap). */
static inline char *
room(struct ctd_out *o, size_t n)
{
	if (o->len + n > o->cap)
		ctd_out_flush(o);
	return o->buf + o->len;
}

void
ctd_out_raw(struct ctd_out *o, const char *s, size_t n)
{
	if (n > o->cap / 2) {
		ctd_out_flush(o);
		if (fwrite(s, 1, n, o->f) != n)
			o->err = true;
		return;
	}
	memcpy(room(o, n), s, n);
	o->len += n;
}

void
ctd_out_str(struct ctd_out *o, const char *s)
{
	ctd_out_raw(o, s, strlen(s));
}

/* A literal: the copy has a constant size, so the compiler inlines it. */
#define LIT(o, s)                                                        \
	do {                                                             \
		memcpy(room((o), sizeof(s) - 1), (s), sizeof(s) - 1);    \
		(o)->len += sizeof(s) - 1;                               \
	} while (0)

static inline size_t
fmt_u64(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		p[i] = tmp[n - 1 - i];
	return n;
}

void
ctd_out_u64(struct ctd_out *o, uint64_t v)
{
	char *p = room(o, 20);

	o->len += fmt_u64(p, v);
}

static inline size_t
fmt_ip4(char *p, const uint8_t *b)
{
	size_t n = 0;

	for (int i = 0; i < 4; i++) {
		unsigned v = b[i];

		if (i)
			p[n++] = '.';
		if (v >= 100) {
			p[n++] = (char)('0' + v / 100);
			v %= 100;
			p[n++] = (char)('0' + v / 10);
			p[n++] = (char)('0' + v % 10);
		} else if (v >= 10) {
			p[n++] = (char)('0' + v / 10);
			p[n++] = (char)('0' + v % 10);
		} else {
			p[n++] = (char)('0' + v);
		}
	}
	return n;
}

void
ctd_out_addr(struct ctd_out *o, const struct pp_addr *a)
{
	char *p = room(o, INET6_ADDRSTRLEN);

	if (a->family == AF_INET) {
		o->len += fmt_ip4(p, a->u.b);
	} else if (a->family == AF_INET6) {
		if (inet_ntop(AF_INET6, a->u.b, p, INET6_ADDRSTRLEN))
			o->len += strlen(p);
	}
}

/* ---- JSON ---- */

static void
j_sep(struct ctd_out *o, const char *key)
{
	if (o->depth > 0) {
		if (!o->first[o->depth])
			LIT(o, ",");
		if (o->pretty) {
			char *p = room(o, 1 + 2 * (size_t)o->depth);

			p[0] = '\n';
			memset(p + 1, ' ', 2 * (size_t)o->depth);
			o->len += 1 + 2 * (size_t)o->depth;
		}
	}
	o->first[o->depth] = false;
	if (key) {
		LIT(o, "\"");
		ctd_out_str(o, key);
		if (o->pretty)
			LIT(o, "\": ");
		else
			LIT(o, "\":");
	}
}

static void
j_open(struct ctd_out *o, const char *key, char c)
{
	j_sep(o, key);
	ctd_out_raw(o, &c, 1);
	if (o->depth < (int)PP_ARRAY_SIZE(o->first) - 1)
		o->depth++;
	o->first[o->depth] = true;
}

static void
j_close(struct ctd_out *o, char c)
{
	bool empty = o->first[o->depth];

	if (o->depth > 0)
		o->depth--;
	if (o->pretty && !empty) {
		char *p = room(o, 1 + 2 * (size_t)o->depth);

		p[0] = '\n';
		memset(p + 1, ' ', 2 * (size_t)o->depth);
		o->len += 1 + 2 * (size_t)o->depth;
	}
	ctd_out_raw(o, &c, 1);
}

void ctd_j_obj(struct ctd_out *o, const char *key) { j_open(o, key, '{'); }
void ctd_j_obj_end(struct ctd_out *o) { j_close(o, '}'); }
void ctd_j_arr(struct ctd_out *o, const char *key) { j_open(o, key, '['); }
void ctd_j_arr_end(struct ctd_out *o) { j_close(o, ']'); }

void
ctd_j_u64(struct ctd_out *o, const char *key, uint64_t v)
{
	j_sep(o, key);
	ctd_out_u64(o, v);
}

void
ctd_j_dbl(struct ctd_out *o, const char *key, double v)
{
	char buf[64];

	j_sep(o, key);
	if (!isfinite(v)) {
		LIT(o, "null");
		return;
	}
	snprintf(buf, sizeof(buf), "%.6g", v);
	ctd_out_str(o, buf);
}

void
ctd_j_bool(struct ctd_out *o, const char *key, bool v)
{
	j_sep(o, key);
	if (v)
		LIT(o, "true");
	else
		LIT(o, "false");
}

void
ctd_j_null(struct ctd_out *o, const char *key)
{
	j_sep(o, key);
	LIT(o, "null");
}

void
ctd_j_str(struct ctd_out *o, const char *key, const char *v)
{
	j_sep(o, key);
	if (!v) {
		LIT(o, "null");
		return;
	}
	/* Plain ASCII without quotes or controls goes straight in; anything else through the escaper. */
	for (const unsigned char *p = (const unsigned char *)v; *p; p++) {
		if (*p < 0x20 || *p >= 0x7f || *p == '"' || *p == '\\') {
			ctd_out_flush(o);
			pp_json_escape(o->f, v);
			return;
		}
	}
	LIT(o, "\"");
	ctd_out_str(o, v);
	LIT(o, "\"");
}

void
ctd_j_addr(struct ctd_out *o, const char *key, const struct pp_addr *a)
{
	j_sep(o, key);
	LIT(o, "\"");
	ctd_out_addr(o, a);
	LIT(o, "\"");
}

void
ctd_j_end(struct ctd_out *o)
{
	LIT(o, "\n");
	o->depth = 0;
	o->first[0] = true;
}

/* ---- one entry ---- */

static const char *
family_name(uint8_t f)
{
	return f == AF_INET ? "ipv4" : f == AF_INET6 ? "ipv6" : "unknown";
}

static bool
is_icmp(uint8_t proto)
{
	return proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;
}

/* Room an entry can need at most: four IPv6 addresses, every number, 16 status names, strings. */
#define CTD_LABELS_MAX 256	/* text labels= at most this long */
#define ENTRY_MAX (1536 + CTD_LABELS_MAX + 16)
#define PUT(p, s) (memcpy((p), (s), sizeof(s) - 1), (p) += sizeof(s) - 1)

/* An event's time as conntrack -E -o timestamp prints it: seconds.microseconds. */
static char *
put_ts(char *p, uint64_t ns)
{
	/* 20 digits, a dot and 6 more at most: ENTRY_MAX leaves room for them. */
	int n = snprintf(p, 32, "%llu.%06llu", (unsigned long long)(ns / 1000000000ull),
			 (unsigned long long)(ns % 1000000000ull / 1000));

	return p + (n > 0 && n < 32 ? n : 0);
}

static inline char *
put_u64(char *p, uint64_t v)
{
	return p + fmt_u64(p, v);
}

static inline char *
put_raw_addr(char *p, const struct pp_addr *a)
{
	if (a->family == AF_INET)
		p += fmt_ip4(p, a->u.b);
	else if (a->family == AF_INET6 && inet_ntop(AF_INET6, a->u.b, p, INET6_ADDRSTRLEN))
		p += strlen(p);
	return p;
}

static inline char *
put_cstr(char *p, const char *v, size_t max)
{
	size_t n = strnlen(v, max);

	memcpy(p, v, n);
	return p + n;
}

static char *
text_tuple(char *p, const struct pp_ct_tuple *t)
{
	if (t->have & PP_CT_T_SRC) {
		PUT(p, "src=");
		p = put_raw_addr(p, &t->src);
		*p++ = ' ';
	}
	if (t->have & PP_CT_T_DST) {
		PUT(p, "dst=");
		p = put_raw_addr(p, &t->dst);
		*p++ = ' ';
	}
	if (is_icmp(t->proto)) {
		if (t->have & PP_CT_T_ICMP_TYPE) {
			PUT(p, "type=");
			p = put_u64(p, t->icmp_type);
			*p++ = ' ';
		}
		if (t->have & PP_CT_T_ICMP_CODE) {
			PUT(p, "code=");
			p = put_u64(p, t->icmp_code);
			*p++ = ' ';
		}
		if (t->have & PP_CT_T_ICMP_ID) {
			PUT(p, "id=");
			p = put_u64(p, t->icmp_id);
			*p++ = ' ';
		}
		return p;
	}
	if (t->have & PP_CT_T_SPORT) {
		PUT(p, "sport=");
		p = put_u64(p, t->sport);
		*p++ = ' ';
	}
	if (t->have & PP_CT_T_DPORT) {
		PUT(p, "dport=");
		p = put_u64(p, t->dport);
		*p++ = ' ';
	}
	return p;
}

static char *
text_counters(char *p, const struct pp_ct_entry *ct, int dir)
{
	if (!(ct->have & (dir ? PP_CT_HAVE_COUNTERS_REPLY : PP_CT_HAVE_COUNTERS_ORIG)))
		return p;
	PUT(p, "packets=");
	p = put_u64(p, ct->packets[dir]);
	PUT(p, " bytes=");
	p = put_u64(p, ct->bytes[dir]);
	*p++ = ' ';
	return p;
}

void
ctd_text_entry(struct ctd_out *o, const struct pp_ct_entry *ct, enum pp_ct_event ev,
	       uint64_t now_ns)
{
	const char *pn = pp_ct_proto_name(ct->orig.proto);
	char *p, *start;
	size_t n;

	start = p = room(o, ENTRY_MAX);
	if (ev != PP_CT_EV_NONE && o->ev_ts_ns) {
		*p++ = '[';
		p = put_ts(p, o->ev_ts_ns);
		PUT(p, "]\t");
	}
	switch (ev) {
	case PP_CT_EV_NEW: PUT(p, "    [NEW] "); break;
	case PP_CT_EV_UPDATE: PUT(p, " [UPDATE] "); break;
	case PP_CT_EV_DESTROY: PUT(p, "[DESTROY] "); break;
	default: break;
	}
	/* "%-8s %u " as conntrack prints the protocol */
	if (!pn)
		pn = "unknown";
	n = strlen(pn);
	memcpy(p, pn, n);
	for (; n < 8; n++)
		p[n] = ' ';
	p += n;
	*p++ = ' ';
	p = put_u64(p, ct->orig.proto);
	*p++ = ' ';
	if (ct->have & PP_CT_HAVE_TIMEOUT) {
		p = put_u64(p, ct->timeout);
		*p++ = ' ';
	}
	if ((ct->have & PP_CT_HAVE_TCP_STATE) && pp_ct_tcp_state_name(ct->tcp_state)) {
		p = put_cstr(p, pp_ct_tcp_state_name(ct->tcp_state), 16);
		*p++ = ' ';
	}
	p = text_tuple(p, &ct->orig);
	p = text_counters(p, ct, 0);
	if ((ct->have & PP_CT_HAVE_STATUS) && !(ct->status & (1u << 1)))
		PUT(p, "[UNREPLIED] ");
	p = text_tuple(p, &ct->reply);
	p = text_counters(p, ct, 1);
	if (ct->status & (1u << 2))
		PUT(p, "[ASSURED] ");
	if (ct->status & (1u << 15))
		PUT(p, "[HW_OFFLOAD] ");
	else if (ct->status & (1u << 14))
		PUT(p, "[OFFLOAD] ");
	if (ct->have & PP_CT_HAVE_MARK) {
		PUT(p, "mark=");
		p = put_u64(p, ct->mark);
		*p++ = ' ';
	}
	if (ct->have & PP_CT_HAVE_SECCTX) {
		PUT(p, "secctx=");
		p = put_cstr(p, ct->secctx, sizeof(ct->secctx));
		*p++ = ' ';
	}
	if (ct->have & PP_CT_HAVE_ZONE) {
		PUT(p, "zone=");
		p = put_u64(p, ct->zone);
		*p++ = ' ';
	}
	if (ct->have & PP_CT_HAVE_LABELS) {
		char lb[CTD_LABELS_MAX + 1];

		PUT(p, "labels=");
		p = put_cstr(p, pp_ct_labels_str(pp_ct_labelmap_default(), ct->labels, lb, sizeof(lb)), CTD_LABELS_MAX);
		*p++ = ' ';
	}
	/* With timestamps on, conntrack prints the age of a live entry in seconds. */
	if ((ct->have & PP_CT_HAVE_TSTAMP_START) && !(ct->have & PP_CT_HAVE_TSTAMP_STOP) &&
	    now_ns >= ct->tstamp_start) {
		PUT(p, "delta-time=");
		p = put_u64(p, now_ns / 1000000000ull - ct->tstamp_start / 1000000000ull);
		*p++ = ' ';
	}
	if (ct->have & PP_CT_HAVE_HELPER) {
		PUT(p, "helper=");
		p = put_cstr(p, ct->helper, sizeof(ct->helper));
		*p++ = ' ';
	}
	if (ct->have & PP_CT_HAVE_USE) {
		PUT(p, "use=");
		p = put_u64(p, ct->use);
		*p++ = ' ';
	}
	/* No trailing blank, as conntrack. */
	if (p > start && p[-1] == ' ')
		p--;
	*p++ = '\n';
	o->len += (size_t)(p - start);
}

static void
json_tuple(struct ctd_out *o, const char *key, const struct pp_ct_entry *ct, int dir)
{
	const struct pp_ct_tuple *t = dir ? &ct->reply : &ct->orig;

	ctd_j_obj(o, key);
	if (t->have & PP_CT_T_SRC)
		ctd_j_addr(o, "src", &t->src);
	if (t->have & PP_CT_T_DST)
		ctd_j_addr(o, "dst", &t->dst);
	if (t->have & PP_CT_T_SPORT)
		ctd_j_u64(o, "sport", t->sport);
	if (t->have & PP_CT_T_DPORT)
		ctd_j_u64(o, "dport", t->dport);
	if (t->have & PP_CT_T_ICMP_TYPE)
		ctd_j_u64(o, "type", t->icmp_type);
	if (t->have & PP_CT_T_ICMP_CODE)
		ctd_j_u64(o, "code", t->icmp_code);
	if (t->have & PP_CT_T_ICMP_ID)
		ctd_j_u64(o, "id", t->icmp_id);
	if (t->have & PP_CT_T_ZONE)
		ctd_j_u64(o, "zone", t->zone);
	if (ct->have & (dir ? PP_CT_HAVE_COUNTERS_REPLY : PP_CT_HAVE_COUNTERS_ORIG)) {
		ctd_j_u64(o, "packets", ct->packets[dir]);
		ctd_j_u64(o, "bytes", ct->bytes[dir]);
	}
	ctd_j_obj_end(o);
}

/* ---- one entry as compact JSON, written straight into the buffer ---- */

static inline char *
put_addr(char *p, const struct pp_addr *a)
{
	*p++ = '"';
	if (a->family == AF_INET) {
		p += fmt_ip4(p, a->u.b);
	} else if (a->family == AF_INET6 && inet_ntop(AF_INET6, a->u.b, p, INET6_ADDRSTRLEN)) {
		p += strlen(p);
	}
	*p++ = '"';
	return p;
}

static inline char *
put_str(char *p, const char *v)
{
	size_t n = strlen(v);

	*p++ = '"';
	memcpy(p, v, n);
	p += n;
	*p++ = '"';
	return p;
}

static bool
plain(const char *v)
{
	for (const unsigned char *q = (const unsigned char *)v; *q; q++)
		if (*q < 0x20 || *q >= 0x7f || *q == '"' || *q == '\\')
			return false;
	return true;
}

#define FIELD(p, first, key)                 \
	do {                                 \
		if (!(first))                \
			*(p)++ = ',';        \
		(first) = false;             \
		PUT((p), "\"" key "\":");    \
	} while (0)

static char *
put_tuple(char *p, const struct pp_ct_entry *ct, int dir)
{
	const struct pp_ct_tuple *t = dir ? &ct->reply : &ct->orig;
	bool first = true;

	*p++ = '{';
	if (t->have & PP_CT_T_SRC) {
		FIELD(p, first, "src");
		p = put_addr(p, &t->src);
	}
	if (t->have & PP_CT_T_DST) {
		FIELD(p, first, "dst");
		p = put_addr(p, &t->dst);
	}
	if (t->have & PP_CT_T_SPORT) {
		FIELD(p, first, "sport");
		p = put_u64(p, t->sport);
	}
	if (t->have & PP_CT_T_DPORT) {
		FIELD(p, first, "dport");
		p = put_u64(p, t->dport);
	}
	if (t->have & PP_CT_T_ICMP_TYPE) {
		FIELD(p, first, "type");
		p = put_u64(p, t->icmp_type);
	}
	if (t->have & PP_CT_T_ICMP_CODE) {
		FIELD(p, first, "code");
		p = put_u64(p, t->icmp_code);
	}
	if (t->have & PP_CT_T_ICMP_ID) {
		FIELD(p, first, "id");
		p = put_u64(p, t->icmp_id);
	}
	if (t->have & PP_CT_T_ZONE) {
		FIELD(p, first, "zone");
		p = put_u64(p, t->zone);
	}
	if (ct->have & (dir ? PP_CT_HAVE_COUNTERS_REPLY : PP_CT_HAVE_COUNTERS_ORIG)) {
		FIELD(p, first, "packets");
		p = put_u64(p, ct->packets[dir]);
		FIELD(p, first, "bytes");
		p = put_u64(p, ct->bytes[dir]);
	}
	*p++ = '}';
	return p;
}

/*
 * The same document as the generic writer below, for the common case (no
 * indentation, no string that needs escaping), without a call per token.
 */
static bool
json_entry_compact(struct ctd_out *o, const struct pp_ct_entry *ct, enum pp_ct_event ev,
		   uint64_t now_ns)
{
	const char *pn = pp_ct_proto_name(ct->orig.proto);
	char *p, *start;
	bool first;

	if (o->pretty || (ct->have & PP_CT_HAVE_LABELS) || ((ct->have & PP_CT_HAVE_HELPER) && !plain(ct->helper)) ||
	    ((ct->have & PP_CT_HAVE_SECCTX) && !plain(ct->secctx)))
		return false;
	if (o->depth > 0) {
		if (!o->first[o->depth])
			LIT(o, ",");
		o->first[o->depth] = false;
	}
	start = p = room(o, ENTRY_MAX);
	*p++ = '{';
	if (ev != PP_CT_EV_NONE) {
		PUT(p, "\"event\":");
		p = put_str(p, pp_ct_event_name(ev));
		*p++ = ',';
		if (o->ev_ts_ns) {
			PUT(p, "\"timestamp\":");
			p = put_ts(p, o->ev_ts_ns);
			*p++ = ',';
		}
	}
	PUT(p, "\"family\":");
	p = put_str(p, family_name(ct->family));
	PUT(p, ",\"proto\":");
	if (pn)
		p = put_str(p, pn);
	else
		PUT(p, "null");
	PUT(p, ",\"proto_num\":");
	p = put_u64(p, ct->orig.proto);
	if (ct->have & PP_CT_HAVE_TIMEOUT) {
		PUT(p, ",\"timeout\":");
		p = put_u64(p, ct->timeout);
	}
	if ((ct->have & PP_CT_HAVE_TCP_STATE) && pp_ct_tcp_state_name(ct->tcp_state)) {
		PUT(p, ",\"state\":");
		p = put_str(p, pp_ct_tcp_state_name(ct->tcp_state));
	}
	if (ct->have & PP_CT_HAVE_ORIG) {
		PUT(p, ",\"orig\":");
		p = put_tuple(p, ct, 0);
	}
	if (ct->have & PP_CT_HAVE_REPLY) {
		PUT(p, ",\"reply\":");
		p = put_tuple(p, ct, 1);
	}
	if (ct->have & PP_CT_HAVE_STATUS) {
		PUT(p, ",\"status\":[");
		first = true;
		for (unsigned b = 0; b < 32; b++) {
			const char *bn;

			if (!(ct->status & (1u << b)) || !(bn = pp_ct_status_bit_name(b)))
				continue;
			if (!first)
				*p++ = ',';
			first = false;
			p = put_str(p, bn);
		}
		*p++ = ']';
		if (ct->status & (1u << 1))
			PUT(p, ",\"unreplied\":false");
		else
			PUT(p, ",\"unreplied\":true");
	}
	if (ct->have & PP_CT_HAVE_MARK) {
		PUT(p, ",\"mark\":");
		p = put_u64(p, ct->mark);
	}
	if (ct->have & PP_CT_HAVE_ZONE) {
		PUT(p, ",\"zone\":");
		p = put_u64(p, ct->zone);
	}
	if (ct->have & PP_CT_HAVE_SECCTX) {
		PUT(p, ",\"secctx\":");
		p = put_str(p, ct->secctx);
	}
	if (ct->have & PP_CT_HAVE_HELPER) {
		PUT(p, ",\"helper\":");
		p = put_str(p, ct->helper);
	}
	if (ct->have & PP_CT_HAVE_USE) {
		PUT(p, ",\"use\":");
		p = put_u64(p, ct->use);
	}
	if (ct->have & PP_CT_HAVE_ID) {
		PUT(p, ",\"id\":");
		p = put_u64(p, ct->id);
	}
	if ((ct->have & PP_CT_HAVE_TSTAMP_START) && now_ns >= ct->tstamp_start) {
		PUT(p, ",\"age_seconds\":");
		p = put_u64(p, (now_ns - ct->tstamp_start) / 1000000000ull);
	}
	*p++ = '}';
	o->len += (size_t)(p - start);
	return true;
}

void
ctd_json_entry(struct ctd_out *o, const char *key, const struct pp_ct_entry *ct,
	       enum pp_ct_event ev, uint64_t now_ns)
{
	const char *pn = pp_ct_proto_name(ct->orig.proto);

	if (!key && json_entry_compact(o, ct, ev, now_ns))
		return;
	ctd_j_obj(o, key);
	if (ev != PP_CT_EV_NONE)
		ctd_j_str(o, "event", pp_ct_event_name(ev));
	if (ev != PP_CT_EV_NONE && o->ev_ts_ns) {
		char ts[32];

		put_ts(ts, o->ev_ts_ns)[0] = '\0';
		j_sep(o, "timestamp");
		ctd_out_str(o, ts);
	}
	ctd_j_str(o, "family", family_name(ct->family));
	if (pn)
		ctd_j_str(o, "proto", pn);
	else
		ctd_j_null(o, "proto");
	ctd_j_u64(o, "proto_num", ct->orig.proto);
	if (ct->have & PP_CT_HAVE_TIMEOUT)
		ctd_j_u64(o, "timeout", ct->timeout);
	if ((ct->have & PP_CT_HAVE_TCP_STATE) && pp_ct_tcp_state_name(ct->tcp_state))
		ctd_j_str(o, "state", pp_ct_tcp_state_name(ct->tcp_state));
	if (ct->have & PP_CT_HAVE_ORIG)
		json_tuple(o, "orig", ct, 0);
	if (ct->have & PP_CT_HAVE_REPLY)
		json_tuple(o, "reply", ct, 1);
	if (ct->have & PP_CT_HAVE_STATUS) {
		ctd_j_arr(o, "status");
		for (unsigned b = 0; b < 32; b++) {
			const char *bn;

			if (!(ct->status & (1u << b)))
				continue;
			if ((bn = pp_ct_status_bit_name(b)))
				ctd_j_str(o, NULL, bn);
		}
		ctd_j_arr_end(o);
		ctd_j_bool(o, "unreplied", !(ct->status & (1u << 1)));
	}
	if (ct->have & PP_CT_HAVE_MARK)
		ctd_j_u64(o, "mark", ct->mark);
	if (ct->have & PP_CT_HAVE_ZONE)
		ctd_j_u64(o, "zone", ct->zone);
	if (ct->have & PP_CT_HAVE_SECCTX)
		ctd_j_str(o, "secctx", ct->secctx);
	if (ct->have & PP_CT_HAVE_LABELS) {
		const struct pp_ct_labelmap *m = pp_ct_labelmap_default();

		ctd_j_arr(o, "labels");
		for (unsigned b = 0; b < PP_CT_LABEL_BITS; b++) {
			char num[8];

			if (!pp_ct_label_isset(ct->labels, b))
				continue;
			snprintf(num, sizeof(num), "%u", b);
			ctd_j_str(o, NULL, m->name[b] ? m->name[b] : num);
		}
		ctd_j_arr_end(o);
	}
	if (ct->have & PP_CT_HAVE_HELPER)
		ctd_j_str(o, "helper", ct->helper);
	if (ct->have & PP_CT_HAVE_USE)
		ctd_j_u64(o, "use", ct->use);
	if (ct->have & PP_CT_HAVE_ID)
		ctd_j_u64(o, "id", ct->id);
	if ((ct->have & PP_CT_HAVE_TSTAMP_START) && now_ns >= ct->tstamp_start)
		ctd_j_u64(o, "age_seconds", (now_ns - ct->tstamp_start) / 1000000000ull);
	ctd_j_obj_end(o);
}
