/* render.c: text, JSON and Prometheus forms of one result. Renderers never touch netlink. */
#include <stdio.h>
#include <string.h>

#include "pathcheck.h"

const char *
pc_direction_name(enum pc_direction d)
{
	return d == PC_INGRESS ? "ingress" : d == PC_FORWARD ? "forward" : "egress";
}

const char *
pc_proto_name(uint8_t proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMPV6: return "icmpv6";
	default: return "icmp";
	}
}

static const char *
status_word(enum pp_status st)
{
	switch (st) {
	case PP_ST_OK: return "ok";
	case PP_ST_WARN: return "WARN";
	case PP_ST_FAIL: return "FAIL";
	case PP_ST_UNKNOWN: return "UNKNOWN";
	default: return "skip";
	}
}

/* Evidence as "key=value" lines, nested objects and arrays flattened. */
static void
evidence_text(const struct pp_val *v, const char *prefix, FILE *f, int indent)
{
	for (const struct pp_val *c = v ? v->child : NULL; c; c = c->next) {
		char key[128];

		snprintf(key, sizeof(key), "%s%s%s", prefix, prefix[0] && c->key && c->key[0] ? "." : "",
			 c->key ? c->key : "");
		switch (c->type) {
		case PP_V_OBJ:
			evidence_text(c, key, f, indent);
			break;
		case PP_V_ARR: {
			int i = 0;

			for (const struct pp_val *e = c->child; e; e = e->next, i++) {
				char k2[160];

				snprintf(k2, sizeof(k2), "%s[%d]", key, i);
				if (e->type == PP_V_OBJ) {
					evidence_text(e, k2, f, indent);
				} else if (e->type == PP_V_STR) {
					fprintf(f, "%*s%s: %s\n", indent, "", k2, e->v.s);
				}
			}
			break;
		}
		case PP_V_STR: fprintf(f, "%*s%s: %s\n", indent, "", key, c->v.s); break;
		case PP_V_U64: fprintf(f, "%*s%s: %llu\n", indent, "", key, (unsigned long long)c->v.u); break;
		case PP_V_I64: fprintf(f, "%*s%s: %lld\n", indent, "", key, (long long)c->v.i); break;
		case PP_V_BOOL: fprintf(f, "%*s%s: %s\n", indent, "", key, c->v.b ? "yes" : "no"); break;
		default: break;
		}
	}
}

static void
query_line(const struct pc_opts *o, char *buf, size_t len)
{
	const struct pc_query *q = &o->q;
	char d[INET6_ADDRSTRLEN], s[INET6_ADDRSTRLEN];
	size_t n;

	pp_addr_str(&q->dst, d, sizeof(d));
	n = (size_t)snprintf(buf, len, "%s", d);
	if (strcmp(q->dest_arg, d) != 0 && n < len)
		n += (size_t)snprintf(buf + n, len - n, " (%s)", q->dest_arg);
	if (n < len)
		n += (size_t)snprintf(buf + n, len - n, " %s", pc_proto_name(q->proto));
	if (q->has_dport && n < len)
		n += (size_t)snprintf(buf + n, len - n, "/%u", q->dport);
	if (q->src.family && n < len)
		n += (size_t)snprintf(buf + n, len - n, " from %s", pp_addr_str(&q->src, s, sizeof(s)));
	if (q->iif[0] && n < len)
		n += (size_t)snprintf(buf + n, len - n, " in on %s", q->iif);
	if (n < len)
		snprintf(buf + n, len - n, ", %s%s%s", pc_direction_name(q->direction),
			 pp_cli_netns_name(&o->cli) ? ", netns " : "",
			 pp_cli_netns_name(&o->cli) ? pp_cli_netns_name(&o->cli) : "");
}

void
pc_render_text(const struct pc_opts *o, const struct pc_result *r, FILE *f)
{
	const struct pp_cli *c = &o->cli;
	const enum pc_station_id *order;
	char ql[512];
	size_t n;

	query_line(o, ql, sizeof(ql));
	fprintf(f, "pathcheck %s\n", ql);
	order = pc_path_order(o->q.direction, &n);
	for (size_t i = 0; i < n; i++) {
		const struct pc_station *s = &r->st[order[i]];

		if (!s->present)
			continue;
		fprintf(f, "  %-14s %s%-7s%s %s\n", pc_station_name(order[i]), pp_color(c, s->status),
			status_word(s->status), pp_color_reset(c), s->summary);
		if (s->drop_reason[0])
			fprintf(f, "  %-14s %-7s drop reason: %s\n", "", "", s->drop_reason);
		if (s->hint[0] && (s->status == PP_ST_FAIL || s->status == PP_ST_WARN || s->status == PP_ST_UNKNOWN || o->verbose))
			fprintf(f, "  %-14s %-7s next: %s\n", "", "", s->hint);
		if (o->verbose)
			evidence_text(s->evidence, "", f, 25);
	}
	for (size_t i = 0; i < r->nwarnings; i++)
		fprintf(f, "warning: %s\n", r->warnings[i]);
	if (r->verdict_station == PC_NSTATIONS) {
		fprintf(f, "verdict: %sok%s: every station passes\n", pp_color(c, PP_ST_OK), pp_color_reset(c));
		return;
	}
	{
		const struct pc_station *s = &r->st[r->verdict_station];

		fprintf(f, "verdict: %s%s%s at %s: %s\n", pp_color(c, r->verdict_status),
			status_word(r->verdict_status), pp_color_reset(c), pc_station_name(r->verdict_station),
			s->summary);
		if (s->hint[0])
			fprintf(f, "  next: %s\n", s->hint);
	}
}

void
pc_render_json(const struct pc_opts *o, const struct pc_result *r, FILE *f)
{
	const struct pc_query *q = &o->q;
	struct pp_json j;
	char a[INET6_ADDRSTRLEN];
	const enum pc_station_id *order;
	size_t n;

	pp_json_init(&j, f, o->cli.pretty);
	pp_json_obj_open(&j, NULL);
	pp_json_str(&j, "schema", "pathcheck/1");
	pp_json_str(&j, "netns", pp_cli_netns_name(&o->cli));
	pp_json_obj_open(&j, "query");
	pp_json_str(&j, "direction", pc_direction_name(q->direction));
	pp_json_str(&j, "family", q->family == AF_INET6 ? "inet6" : "inet");
	pp_json_str(&j, "dst", pp_addr_str(&q->dst, a, sizeof(a)));
	if (strcmp(q->dest_arg, a) != 0)
		pp_json_str(&j, "name", q->dest_arg);
	pp_json_str(&j, "src", q->src.family ? pp_addr_str(&q->src, a, sizeof(a)) : NULL);
	pp_json_str(&j, "proto", pc_proto_name(q->proto));
	if (q->has_dport)
		pp_json_u64(&j, "dport", q->dport);
	else
		pp_json_null(&j, "dport");
	if (q->has_sport)
		pp_json_u64(&j, "sport", q->sport);
	else
		pp_json_null(&j, "sport");
	pp_json_str(&j, "iif", q->iif[0] ? q->iif : NULL);
	if (q->oif[0])
		pp_json_str(&j, "oif", q->oif);
	if (q->has_mark)
		pp_json_u64(&j, "mark", q->mark);
	else
		pp_json_null(&j, "mark");
	if (q->has_uid)
		pp_json_u64(&j, "uid", q->uid);
	pp_json_obj_close(&j);
	pp_json_arr_open(&j, "stations");
	order = pc_path_order(q->direction, &n);
	for (size_t i = 0; i < n; i++) {
		const struct pc_station *s = &r->st[order[i]];

		if (!s->present)
			continue;
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "station", pc_station_name(order[i]));
		pp_json_str(&j, "status", pp_status_name(s->status));
		pp_json_str(&j, "summary", s->summary);
		if (s->evidence)
			pp_val_json(s->evidence, &j, "evidence");
		else {
			pp_json_obj_open(&j, "evidence");
			pp_json_obj_close(&j);
		}
		if (s->drop_reason[0])
			pp_json_str(&j, "drop_reason", s->drop_reason);
		pp_json_str(&j, "hint", s->hint[0] ? s->hint : NULL);
		pp_json_obj_close(&j);
	}
	pp_json_arr_close(&j);
	pp_json_obj_open(&j, "verdict");
	pp_json_str(&j, "status", pp_status_name(r->verdict_status));
	if (r->verdict_station == PC_NSTATIONS) {
		pp_json_null(&j, "station");
		pp_json_str(&j, "summary", "every station passes");
		pp_json_null(&j, "hint");
	} else {
		const struct pc_station *s = &r->st[r->verdict_station];

		pp_json_str(&j, "station", pc_station_name(r->verdict_station));
		pp_json_str(&j, "summary", s->summary);
		if (s->drop_reason[0])
			pp_json_str(&j, "drop_reason", s->drop_reason);
		pp_json_str(&j, "hint", s->hint[0] ? s->hint : NULL);
	}
	pp_json_obj_close(&j);
	pp_json_arr_open(&j, "warnings");
	for (size_t i = 0; i < r->nwarnings; i++)
		pp_json_str(&j, NULL, r->warnings[i]);
	pp_json_arr_close(&j);
	pp_json_obj_close(&j);
	pp_json_end(&j);
}

void
pc_render_prom(const struct pc_opts *o, const struct pc_result *r, FILE *f, bool ok)
{
	const struct pc_query *q = &o->q;
	struct pp_prom p;
	char d[INET6_ADDRSTRLEN] = "", port[8] = "";
	const enum pc_station_id *order;
	size_t n;

	pp_prom_init(&p, f);
	if (ok) {
		struct pp_label l[6] = {
			{ "target", q->dest_arg }, { "dst", pp_addr_str(&q->dst, d, sizeof(d)) },
			{ "proto", pc_proto_name(q->proto) }, { "port", port },
			{ "direction", pc_direction_name(q->direction) }, { "station", NULL },
		};
		struct pp_label vl[8];

		if (q->has_dport)
			snprintf(port, sizeof(port), "%u", q->dport);
		pp_prom_family(&p, "pktpath_pathcheck_path_ok", "gauge",
			       "1 if every station on the path to the target passes, 0 if the packet dies, is degraded, or could not be checked.");
		pp_prom_sample_u64(&p, "pktpath_pathcheck_path_ok", l, 5, r->verdict_status == PP_ST_OK);
		pp_prom_family(&p, "pktpath_pathcheck_verdict_info", "gauge",
			       "The verdict: its status, the deciding station and the kernel's drop reason (always 1).");
		memcpy(vl, l, 5 * sizeof(*l));
		vl[5] = (struct pp_label){ "status", pp_status_name(r->verdict_status) };
		vl[6] = (struct pp_label){ "station", r->verdict_station == PC_NSTATIONS ? "" :
							 pc_station_name(r->verdict_station) };
		vl[7] = (struct pp_label){ "drop_reason", r->verdict_station == PC_NSTATIONS ? "" :
							     r->st[r->verdict_station].drop_reason };
		pp_prom_sample_u64(&p, "pktpath_pathcheck_verdict_info", vl, 8, 1);
		pp_prom_family(&p, "pktpath_pathcheck_station_status", "gauge",
			       "Per station of the path: 1 for its current status (state set over ok, warn, fail, unknown, skipped).");
		order = pc_path_order(q->direction, &n);
		for (size_t i = 0; i < n; i++) {
			const struct pc_station *s = &r->st[order[i]];
			static const enum pp_status all[] = { PP_ST_OK, PP_ST_WARN, PP_ST_FAIL, PP_ST_UNKNOWN, PP_ST_SKIPPED };

			if (!s->present)
				continue;
			memcpy(vl, l, 5 * sizeof(*l));
			vl[5] = (struct pp_label){ "station", pc_station_name(order[i]) };
			for (size_t k = 0; k < PP_ARRAY_SIZE(all); k++) {
				vl[6] = (struct pp_label){ "status", pp_status_name(all[k]) };
				pp_prom_sample_u64(&p, "pktpath_pathcheck_station_status", vl, 7, s->status == all[k]);
			}
		}
		pp_prom_family(&p, "pktpath_pathcheck_check_duration_seconds", "gauge",
			       "Wall time the check took.");
		pp_prom_sample(&p, "pktpath_pathcheck_check_duration_seconds", l, 5, r->elapsed);
	}
	pp_prom_run_info(&p, "pktpath_pathcheck", ok);
}
