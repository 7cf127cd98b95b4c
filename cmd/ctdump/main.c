/*
 * ctdump: what is in the conntrack table, and is it healthy?
 *
 * args -> enter the namespace -> health (IPCTNL_MSG_CT_GET_STATS, _STATS_CPU) ->
 * list, count, aggregate (one streaming dump, filters pushed into the kernel where
 * it can apply them) or follow events -> render -> exit code.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <strings.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ct.h"
#include "ctdump.h"
#include "parse.h"
#include "prom.h"
#include "sysctl.h"

#define PROG "ctdump"
/*
 * Distinct values counted exactly per --top key: about 8 MiB shared by the keys
 * asked for (some 80 bytes per value with its heap and hash slots), at most
 * 65536 each, so memory stays flat at any table size.
 */
#define TOP_BUDGET (8u << 20)
#define TOP_SLOT 80u
#define TOP_CAP_MAX 65536u
#define UNREPLIED_N 10

enum mode { M_LIST, M_COUNT, M_AGG, M_STATS, M_EVENTS };

enum {
	OPT_PROTO = PP_OPT_TOOL, OPT_SPORT, OPT_DPORT, OPT_STATE, OPT_OLDER, OPT_TOP,
	OPT_STREAM, OPT_DURATION, OPT_MAX_FILL, OPT_UNREPLIED, OPT_RCVBUF,
};

struct opts {
	struct pp_cli cli;
	enum mode mode;
	bool mode_set, agg_flag, count_flag, stats_flag, events_flag;
	struct ctd_filter f;
	unsigned top_n[CTD_K_N];
	bool stream;
	unsigned ev_mask;
	double duration;
	double max_fill;
	uint32_t rcvbuf;
};

struct warnings {
	char msg[8][256];
	size_t n;
};

static void
warn_add(struct warnings *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
warn_add(struct warnings *w, const char *fmt, ...)
{
	va_list ap;

	if (w->n >= PP_ARRAY_SIZE(w->msg))
		return;
	va_start(ap, fmt);
	vsnprintf(w->msg[w->n++], sizeof(w->msg[0]), fmt, ap);
	va_end(ap);
}

static void
usage(void)
{
	fputs("Usage: ctdump [options]            list conntrack entries (like conntrack -L)\n"
	      "       ctdump -c [filters]         count entries only\n"
	      "       ctdump -a | --top KEY [N]   aggregate while streaming, no entries kept\n"
	      "       ctdump -S                   health: fill against nf_conntrack_max, per-CPU stats\n"
	      "       ctdump -E [filters]         follow events (new, update, destroy)\n"
	      "\n"
	      "Modes:\n"
	      "  -c, --count            print the number of matching entries only\n"
	      "  -a, --aggregate        entries per state and protocol, UNREPLIED flows by destination\n"
	      "      --top KEY [N]      the N (10) biggest values of KEY: src dst sport dport proto\n"
	      "                         state zone unreplied (implies --aggregate; repeatable)\n"
	      "  -S, --stats            health only: count, limit, buckets, per-CPU statistics\n"
	      "  -E, --event            follow events until interrupted (or --duration)\n"
	      "  -e, --event-mask LIST  new,update,destroy (default all)\n"
	      "      --duration SEC     stop following events after SEC seconds\n"
	      "      --rcvbuf BYTES     event socket receive buffer to start with (1 MiB)\n"
	      "      --stream           JSON Lines: one entry per line, then a summary line\n"
	      "      --max-fill PCT     a table at PCT%% of nf_conntrack_max is a problem (90)\n"
	      "\n"
	      "Filters (the kernel applies those it can; see ctdump(8)):\n"
	      "  -f, --family F         ipv4 | ipv6\n"
	      "      --proto P          tcp, udp, icmp, icmpv6, sctp, ... or a number\n"
	      "  -s, --src ADDR[/LEN]   original source address or prefix\n"
	      "  -d, --dst ADDR[/LEN]   original destination address or prefix\n"
	      "  -r, --reply-src ADDR[/LEN]   reply source (where replies come from)\n"
	      "  -q, --reply-dst ADDR[/LEN]   reply destination (the address replies go to: SNAT)\n"
	      "      --sport P[-P]      original source port or range\n"
	      "      --dport P[-P]      original destination port or range\n"
	      "      --state LIST       TCP states: ESTABLISHED,SYN_SENT,TIME_WAIT,...\n"
	      "  -u, --status LIST      status flags: ASSURED,UNREPLIED,SEEN_REPLY,SNAT,DNAT,...\n"
	      "                         (!FLAG: flag not set)\n"
	      "      --unreplied        same as --status UNREPLIED\n"
	      "  -m, --mark V[/MASK]    conntrack mark\n"
	      "  -w, --zone N           conntrack zone\n"
	      "      --older-than T     entries older than T (90, 10m, 2h, 1d); needs\n"
	      "                         net.netfilter.nf_conntrack_timestamp=1\n"
	      "\n"
	      "Common options:\n" PP_COMMON_HELP
	      "\n"
	      "Exit status: 0 healthy, 1 table near its limit or drops, 2 usage, 3 could not tell.\n",
	      stdout);
}

static int
bad(struct opts *o, const char *opt, const char *arg, const char *what)
{
	return pp_usage_error(&o->cli, "%s: '%s' is not %s", opt, arg, what);
}

static int
parse_prefix_opt(struct opts *o, const char *opt, const char *arg, struct ctd_prefix *p)
{
	if (pp_parse_prefix(arg, &p->a, &p->plen) < 0)
		return bad(o, opt, arg, "an address or prefix");
	p->set = true;
	if (o->f.family && o->f.family != p->a.family)
		return pp_usage_error(&o->cli, "%s: '%s' is not of the family asked for", opt, arg);
	return 0;
}

static int
set_mode(struct opts *o, enum mode m, const char *opt)
{
	if (o->mode_set && o->mode != m)
		return pp_usage_error(&o->cli, "%s cannot be combined with another mode", opt);
	o->mode = m;
	o->mode_set = true;
	return 0;
}

static int
ev_tok_mask(const char *s, unsigned *mask)
{
	char buf[128], *tok, *save = NULL;

	if (!s[0] || strlen(s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	*mask = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcasecmp(tok, "new"))
			*mask |= 1u << PP_CT_EV_NEW;
		else if (!strcasecmp(tok, "update"))
			*mask |= 1u << PP_CT_EV_UPDATE;
		else if (!strcasecmp(tok, "destroy"))
			*mask |= 1u << PP_CT_EV_DESTROY;
		else if (!strcasecmp(tok, "all"))
			*mask |= 0xe;
		else
			return -EINVAL;
	}
	return 0;
}

static int
args(int argc, char *argv[], struct opts *o)
{
	static const struct option longopts[] = {
		PP_COMMON_LONGOPTS,
		{ "count", no_argument, NULL, 'c' },
		{ "aggregate", no_argument, NULL, 'a' },
		{ "stats", no_argument, NULL, 'S' },
		{ "event", no_argument, NULL, 'E' },
		{ "event-mask", required_argument, NULL, 'e' },
		{ "family", required_argument, NULL, 'f' },
		{ "proto", required_argument, NULL, OPT_PROTO },
		{ "src", required_argument, NULL, 's' },
		{ "dst", required_argument, NULL, 'd' },
		{ "reply-src", required_argument, NULL, 'r' },
		{ "reply-dst", required_argument, NULL, 'q' },
		{ "sport", required_argument, NULL, OPT_SPORT },
		{ "dport", required_argument, NULL, OPT_DPORT },
		{ "state", required_argument, NULL, OPT_STATE },
		{ "status", required_argument, NULL, 'u' },
		{ "unreplied", no_argument, NULL, OPT_UNREPLIED },
		{ "mark", required_argument, NULL, 'm' },
		{ "zone", required_argument, NULL, 'w' },
		{ "older-than", required_argument, NULL, OPT_OLDER },
		{ "top", required_argument, NULL, OPT_TOP },
		{ "stream", no_argument, NULL, OPT_STREAM },
		{ "duration", required_argument, NULL, OPT_DURATION },
		{ "max-fill", required_argument, NULL, OPT_MAX_FILL },
		{ "rcvbuf", required_argument, NULL, OPT_RCVBUF },
		{ NULL, 0, NULL, 0 },
	};
	int c, r, k;
	uint32_t v;

	memset(o, 0, sizeof(*o));
	pp_cli_init(&o->cli, PROG);
	o->ev_mask = 0xe;
	o->max_fill = 90;
	o->rcvbuf = 1 << 20;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" PP_COMMON_SHORTOPTS "caSEe:f:s:d:r:q:u:m:w:",
				longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			usage();
			return PP_EXIT_HELP;
		case 'V':
			pp_print_version(&o->cli);
			return PP_EXIT_HELP;
		case 'c':
			if ((r = set_mode(o, M_COUNT, "-c"))) return r;
			break;
		case 'a':
			o->agg_flag = true;
			break;
		case 'S':
			if ((r = set_mode(o, M_STATS, "-S"))) return r;
			break;
		case 'E':
			if ((r = set_mode(o, M_EVENTS, "-E"))) return r;
			break;
		case 'e':
			if (ev_tok_mask(optarg, &o->ev_mask) < 0)
				return bad(o, "--event-mask", optarg, "a list of new,update,destroy");
			break;
		case 'f':
			if (ctd_parse_family(optarg, &o->f.family) < 0)
				return bad(o, "--family", optarg, "ipv4 or ipv6");
			break;
		case OPT_PROTO:
			if (ctd_parse_proto(optarg, &o->f.proto) < 0)
				return bad(o, "--proto", optarg, "a protocol");
			o->f.has_proto = true;
			break;
		case 's':
			if ((r = parse_prefix_opt(o, "--src", optarg, &o->f.src))) return r;
			break;
		case 'd':
			if ((r = parse_prefix_opt(o, "--dst", optarg, &o->f.dst))) return r;
			break;
		case 'r':
			if ((r = parse_prefix_opt(o, "--reply-src", optarg, &o->f.rsrc))) return r;
			break;
		case 'q':
			if ((r = parse_prefix_opt(o, "--reply-dst", optarg, &o->f.rdst))) return r;
			break;
		case OPT_SPORT:
			if (ctd_parse_ports(optarg, &o->f.sport_lo, &o->f.sport_hi) < 0)
				return bad(o, "--sport", optarg, "a port or range");
			o->f.has_sport = true;
			break;
		case OPT_DPORT:
			if (ctd_parse_ports(optarg, &o->f.dport_lo, &o->f.dport_hi) < 0)
				return bad(o, "--dport", optarg, "a port or range");
			o->f.has_dport = true;
			break;
		case OPT_STATE:
			if (ctd_parse_states(optarg, &o->f.state_mask) < 0)
				return bad(o, "--state", optarg, "a list of TCP states");
			break;
		case 'u':
			if (ctd_parse_status(optarg, &o->f.status_set, &o->f.status_clear) < 0)
				return bad(o, "--status", optarg, "a list of status flags");
			break;
		case OPT_UNREPLIED:
			if (ctd_parse_status("UNREPLIED", &o->f.status_set, &o->f.status_clear) < 0)
				return pp_usage_error(&o->cli, "--unreplied contradicts --status");
			break;
		case 'm':
			if (pp_parse_u32_mask(optarg, &o->f.mark, &o->f.mark_mask) < 0)
				return bad(o, "--mark", optarg, "a mark (VALUE[/MASK])");
			o->f.has_mark = true;
			break;
		case 'w':
			if (pp_parse_u32(optarg, 65535, &v) < 0)
				return bad(o, "--zone", optarg, "a zone (0-65535)");
			o->f.zone = (uint16_t)v;
			o->f.has_zone = true;
			break;
		case OPT_OLDER:
			if (ctd_parse_duration(optarg, &o->f.older_than) < 0)
				return bad(o, "--older-than", optarg, "a duration (90, 10m, 2h, 1d)");
			o->f.has_older = true;
			break;
		case OPT_TOP:
			if (!strcmp(optarg, "unreplied") || !strcmp(optarg, "unreplied_dst"))
				k = CTD_K_UNREPLIED;
			else if ((k = ctd_key_from_name(optarg)) < 0)
				return bad(o, "--top", optarg,
					   "one of src dst sport dport proto state zone unreplied");
			o->top_n[k] = 10;
			/* An optional count follows as its own word: --top src 5 */
			if (optind < argc && pp_parse_u32(argv[optind], 100000, &v) == 0) {
				if (v == 0)
					return bad(o, "--top", argv[optind], "a count above 0");
				o->top_n[k] = v;
				optind++;
			}
			o->agg_flag = true;
			break;
		case OPT_STREAM:
			o->stream = true;
			break;
		case OPT_DURATION:
			if (pp_parse_seconds(optarg, 1e7, &o->duration) < 0)
				return bad(o, "--duration", optarg, "a number of seconds");
			break;
		case OPT_MAX_FILL:
			if (pp_parse_seconds(optarg, 100, &o->max_fill) < 0)
				return bad(o, "--max-fill", optarg, "a percentage (0-100)");
			break;
		case OPT_RCVBUF:
			if (pp_parse_u32(optarg, 1u << 30, &o->rcvbuf) < 0 || o->rcvbuf < 1024)
				return bad(o, "--rcvbuf", optarg, "a size in bytes (1024 or more)");
			break;
		case ':':
			return pp_usage_error(&o->cli, "%s: needs a value", argv[optind - 1]);
		case '?':
			if (optopt)
				return pp_usage_error(&o->cli, "-%c: unknown option", optopt);
			return pp_usage_error(&o->cli, "%s: unknown option", argv[optind - 1]);
		default:
			r = pp_cli_opt(&o->cli, c, optarg);
			if (r < 0)
				return PP_EXIT_USAGE;
			if (r == 0)
				return pp_usage_error(&o->cli, "unknown option");
		}
	}
	if (optind < argc)
		return pp_usage_error(&o->cli, "'%s': unexpected argument", argv[optind]);
	pp_cli_finish(&o->cli);

	/* An address implies its family, and tuple filters need one in the kernel. */
	if (!o->f.family) {
		const struct ctd_prefix *ps[] = { &o->f.src, &o->f.dst, &o->f.rsrc, &o->f.rdst };

		for (size_t i = 0; i < PP_ARRAY_SIZE(ps); i++)
			if (ps[i]->set)
				o->f.family = (uint8_t)ps[i]->a.family;
	}
	{
		const struct ctd_prefix *ps[] = { &o->f.src, &o->f.dst, &o->f.rsrc, &o->f.rdst };

		for (size_t i = 0; i < PP_ARRAY_SIZE(ps); i++)
			if (ps[i]->set && ps[i]->a.family != o->f.family)
				return pp_usage_error(&o->cli, "addresses of both families in one filter");
	}
	if (o->agg_flag) {
		if (o->mode_set && o->mode != M_AGG)
			return pp_usage_error(&o->cli, "--aggregate/--top cannot be combined with -c, -S or -E");
		o->mode = M_AGG;
		if (!o->top_n[CTD_K_UNREPLIED])
			o->top_n[CTD_K_UNREPLIED] = UNREPLIED_N;
	} else if (!o->mode_set && o->cli.format == PP_FMT_PROM) {
		/* --prom: health alone, or the aggregates of a filtered dump. */
		o->mode = ctd_filter_any(&o->f) ? M_AGG : M_STATS;
		o->top_n[CTD_K_UNREPLIED] = UNREPLIED_N;
	}
	if (o->mode == M_EVENTS && o->cli.format == PP_FMT_PROM)
		return pp_usage_error(&o->cli, "-E cannot be exported with --prom");
	if (o->mode == M_STATS && ctd_filter_any(&o->f))
		return pp_usage_error(&o->cli, "-S takes no filters (the statistics are per namespace)");
	if (o->stream && o->cli.format == PP_FMT_TEXT)
		o->cli.format = PP_FMT_JSON;
	return PP_EXIT_OK;
}

static uint64_t
now_real_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- health ---- */

static void
collect_health(struct pp_nl *nl, struct ctd_health *h, double max_fill, struct warnings *w)
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
		warn_add(w, "%s%s%s", pp_err_str(&e, buf, sizeof(buf)),
			 pp_errno_needs(rc) ? ": " : "", pp_errno_needs(rc) ? pp_errno_needs(rc) : "");
	}
	memset(&e, 0, sizeof(e));
	if ((rc = pp_ct_stats_cpu(nl, &h->cpu, &h->ncpu, &e)) == 0) {
		h->have_cpu = true;
	} else {
		h->cpu_err = -rc;
		warn_add(w, "%s%s%s", pp_err_str(&e, buf, sizeof(buf)),
			 pp_errno_needs(rc) ? ": " : "", pp_errno_needs(rc) ? pp_errno_needs(rc) : "");
	}
	/* The hash size has no ctnetlink attribute; it is a (global) sysctl. */
	if (pp_sysctl_get("net/netfilter/nf_conntrack_buckets", &b) == 0 && b > 0) {
		h->have_buckets = true;
		h->buckets = (uint64_t)b;
	}
	ctd_health_eval(h, max_fill);
}

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

static void
text_health(FILE *f, const struct opts *o, const struct ctd_health *h)
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

static void
prom_health(struct pp_prom *p, const struct ctd_health *h)
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

/* ---- the dump ---- */

struct run {
	struct opts *o;
	struct ctd_out out;
	struct ctd_agg agg;
	uint64_t now_ns;
	bool emit;			/* write entries */
	bool decode;			/* decode at all (count mode without filters needs not) */
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct run *r = data;
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
static int
dump(struct pp_nl *nl, struct pp_ct_kfilter *kf, struct run *r, struct pp_err *e,
     struct warnings *w)
{
	struct pp_ct_kfilter plain = { .family = kf->family };
	char buf[512];
	int rc;

	rc = pp_ct_dump(nl, kf, dump_cb, r, e);
	if ((rc == -EOPNOTSUPP || rc == -EINVAL) && r->agg.dumped == 0 &&
	    (kf->mark || kf->status || kf->zone || kf->orig_flags || kf->reply_flags)) {
		warn_add(w, "the kernel refused the dump filter (%s); filtering in userspace",
			 pp_err_str(e, buf, sizeof(buf)));
		*kf = plain;
		rc = pp_ct_dump(nl, kf, dump_cb, r, e);
	}
	return rc;
}

static void
json_head(struct ctd_out *j, const struct opts *o, const char *mode)
{
	ctd_j_obj(j, NULL);
	ctd_j_str(j, "schema", "ctdump/1");
	ctd_j_str(j, "netns", pp_cli_netns_name(&o->cli));
	ctd_j_str(j, "mode", mode);
}

static void
json_filter(struct ctd_out *j, const char **kern, size_t nk, const char **user, size_t nu)
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

static void
json_tail(struct ctd_out *j, const struct ctd_health *h, const struct warnings *w)
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

static void
json_agg(struct ctd_out *j, const struct opts *o, const struct ctd_agg *a)
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

static void
text_agg(FILE *f, const struct opts *o, const struct ctd_agg *a)
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

static void
prom_agg(struct pp_prom *p, const struct opts *o, const struct ctd_agg *a)
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

static int
exit_for(const struct ctd_health *h)
{
	switch (h->status) {
	case PP_ST_FAIL:
	case PP_ST_WARN:
		return PP_EXIT_PROBLEM;
	case PP_ST_UNKNOWN:
		return PP_EXIT_UNKNOWN;
	default:
		return PP_EXIT_OK;
	}
}

/* ---- events ---- */

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct evrun {
	struct opts *o;
	struct ctd_out out;
	uint64_t seen, shown, bad;
};

static int
event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct evrun *r = data;
	struct pp_ct_entry ct;
	enum pp_ct_event ev;

	if (pp_ct_parse(nlh, &ct, &ev) < 0) {
		r->bad++;
		return 0;
	}
	r->seen++;
	if (!(r->o->ev_mask & (1u << ev)) || !ctd_filter_match(&r->o->f, &ct, now_real_ns()))
		return 0;
	r->shown++;
	if (r->o->cli.format == PP_FMT_TEXT) {
		ctd_text_entry(&r->out, &ct, ev, now_real_ns());
	} else {
		ctd_json_entry(&r->out, NULL, &ct, ev, now_real_ns());
		ctd_j_end(&r->out);
	}
	return 0;
}

static int
run_events(struct opts *o, struct pp_nl *nl)
{
	struct evrun r = { .o = o };
	struct pp_err e = { 0 };
	struct sigaction sa;
	uint32_t drops0 = 0, drops;
	uint64_t lost = 0, overruns = 0;
	double deadline = 0;
	int rcvbuf, rc;
	struct timespec ts;
	char buf[512];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((rc = pp_ct_subscribe(nl, o->ev_mask, &e)) < 0) {
		pp_warn_err(&o->cli, &e);
		if (pp_errno_needs(rc))
			pp_warnx(&o->cli, "events %s", pp_errno_needs(rc));
		return PP_EXIT_UNKNOWN;
	}
	/* Family and protocol are filtered in the kernel too: fewer events to queue for us. */
	if ((rc = pp_ct_events_filter(nl, o->f.family, o->f.has_proto, o->f.proto)) < 0)
		pp_warnx(&o->cli, "socket filter not attached (%s): filtering events in userspace",
			 strerror(-rc));
	rcvbuf = pp_nl_set_rcvbuf(nl, (int)o->rcvbuf);
	pp_ct_sock_drops(nl, &drops0);
	if (ctd_out_init(&r.out, stdout, 1 << 16, false) < 0)
		return PP_EXIT_UNKNOWN;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (o->duration > 0)
		deadline = (double)ts.tv_sec + ts.tv_nsec / 1e9 + o->duration;
	while (!stop) {
		struct pollfd pfd = { .fd = pp_nl_fd(nl), .events = POLLIN };
		int wait = 250;

		if (deadline > 0) {
			double now;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
			if (now >= deadline)
				break;
			if ((deadline - now) * 1000 < wait)
				wait = (int)((deadline - now) * 1000) + 1;
		}
		rc = poll(&pfd, 1, wait);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		for (;;) {
			rc = pp_nl_recv_events(nl, event_cb, &r, &e);
			if (rc == -ENOBUFS) {
				/* The kernel could not queue events for us: say how many, grow, go on. */
				uint64_t n = 0;

				overruns++;
				if (pp_ct_sock_drops(nl, &drops) == 0) {
					n = (uint32_t)(drops - drops0);
					drops0 = drops;
				}
				lost += n;
				rcvbuf = pp_nl_set_rcvbuf(nl, rcvbuf > 0 && rcvbuf < (1 << 28) ? rcvbuf * 2 : 1 << 28);
				ctd_out_flush(&r.out);
				fflush(stdout);
				pp_warnx(&o->cli, "ENOBUFS: %llu events lost (the reader fell behind); "
					 "receive buffer grown to %d bytes",
					 (unsigned long long)n, rcvbuf);
				if (o->cli.format == PP_FMT_JSON) {
					ctd_j_obj(&r.out, NULL);
					ctd_j_str(&r.out, "schema", "ctdump/1");
					ctd_j_str(&r.out, "type", "lost");
					ctd_j_u64(&r.out, "lost", n);
					ctd_j_u64(&r.out, "rcvbuf", rcvbuf > 0 ? (uint64_t)rcvbuf : 0);
					ctd_j_obj_end(&r.out);
					ctd_j_end(&r.out);
				}
				continue;
			}
			if (rc < 0) {
				pp_warnx(&o->cli, "receiving events: %s", pp_err_str(&e, buf, sizeof(buf)));
				stop = 1;
			}
			break;
		}
		ctd_out_flush(&r.out);
		fflush(stdout);
	}
	if (o->cli.format == PP_FMT_JSON) {
		ctd_j_obj(&r.out, NULL);
		ctd_j_str(&r.out, "schema", "ctdump/1");
		ctd_j_str(&r.out, "netns", pp_cli_netns_name(&o->cli));
		ctd_j_str(&r.out, "type", "summary");
		ctd_j_u64(&r.out, "events", r.seen);
		ctd_j_u64(&r.out, "shown", r.shown);
		ctd_j_u64(&r.out, "lost", lost);
		ctd_j_u64(&r.out, "overruns", overruns);
		ctd_j_u64(&r.out, "malformed", r.bad);
		ctd_j_obj_end(&r.out);
		ctd_j_end(&r.out);
	}
	ctd_out_free(&r.out);
	if (o->cli.format == PP_FMT_TEXT)
		pp_warnx(&o->cli, "%llu events shown (%llu seen, %llu lost)",
			 (unsigned long long)r.shown, (unsigned long long)r.seen,
			 (unsigned long long)lost);
	return lost ? PP_EXIT_PROBLEM : PP_EXIT_OK;
}

/* ---- main ---- */

int
main(int argc, char *argv[])
{
	struct opts o;
	struct pp_nl nl;
	struct pp_err e = { 0 };
	struct ctd_health h = { 0 };
	struct warnings w = { 0 };
	struct pp_ct_kfilter kf;
	const char *kern[16], *user[16];
	size_t nk, nu;
	struct run r;
	struct pp_out out;
	char buf[512];
	int rc, dump_rc = 0;
	uint32_t top_cap;
	bool json, dumped = false;

	if ((rc = args(argc, argv, &o)) != PP_EXIT_OK)
		return rc == PP_EXIT_HELP ? PP_EXIT_OK : rc;
	if ((rc = pp_cli_enter_netns(&o.cli)) != PP_EXIT_OK)
		return rc;
	if ((rc = pp_nl_open(&nl, NETLINK_NETFILTER, &e)) < 0) {
		pp_warn_err(&o.cli, &e);
		return PP_EXIT_UNKNOWN;
	}
	if (o.mode == M_EVENTS) {
		rc = run_events(&o, &nl);
		pp_nl_close(&nl);
		return rc;
	}

	collect_health(&nl, &h, o.max_fill, &w);
	ctd_filter_kernel(&o.f, &kf, kern, &nk, user, &nu, PP_ARRAY_SIZE(kern));
	memset(&r, 0, sizeof(r));
	r.o = &o;
	r.now_ns = now_real_ns();
	json = o.cli.format == PP_FMT_JSON;

	if ((rc = pp_out_begin(&o.cli, &out)) != 0) {
		pp_nl_close(&nl);
		return rc;
	}
	if (ctd_out_init(&r.out, out.f, 1 << 20, o.cli.pretty && !o.stream) < 0) {
		pp_nl_close(&nl);
		return PP_EXIT_UNKNOWN;
	}

	switch (o.mode) {
	case M_LIST:
		r.emit = r.decode = true;
		if (json && !o.stream) {
			json_head(&r.out, &o, "list");
			json_filter(&r.out, kern, nk, user, nu);
			ctd_j_arr(&r.out, "entries");
		}
		dump_rc = dump(&nl, &kf, &r, &e, &w);
		dumped = true;
		if (json && !o.stream)
			ctd_j_arr_end(&r.out);
		break;
	case M_COUNT:
		if (!ctd_filter_any(&o.f) && h.have_global && h.g.have_entries) {
			/* Never dump just to count: the kernel keeps the number. */
			r.agg.matched = h.g.entries;
		} else {
			r.decode = ctd_filter_any(&o.f);
			dump_rc = dump(&nl, &kf, &r, &e, &w);
			dumped = true;
		}
		break;
	case M_AGG:
		{
			unsigned nkeys = 0;

			for (int k = 0; k < CTD_K_N; k++)
				nkeys += o.top_n[k] != 0;
			top_cap = TOP_BUDGET / TOP_SLOT / (nkeys ? nkeys : 1);
			if (top_cap > TOP_CAP_MAX)
				top_cap = TOP_CAP_MAX;
		}
		if ((rc = ctd_agg_init(&r.agg, o.top_n, top_cap)) < 0) {
			pp_warnx(&o.cli, "aggregate: out of memory");
			return PP_EXIT_UNKNOWN;
		}
		r.decode = true;
		dump_rc = dump(&nl, &kf, &r, &e, &w);
		dumped = true;
		break;
	default:
		break;
	}
	if (dump_rc < 0) {
		warn_add(&w, "%s%s%s", pp_err_str(&e, buf, sizeof(buf)),
			 pp_errno_needs(dump_rc) ? ": " : "",
			 pp_errno_needs(dump_rc) ? pp_errno_needs(dump_rc) : "");
	}
	if (r.agg.bad)
		warn_add(&w, "%llu malformed conntrack messages skipped", (unsigned long long)r.agg.bad);
	if (o.f.has_older && r.agg.no_tstamp)
		warn_add(&w, "%llu entries carry no timestamp and cannot be aged: set "
			 "net.netfilter.nf_conntrack_timestamp=1 (per namespace; new entries only)",
			 (unsigned long long)r.agg.no_tstamp);
	if (dumped && !dump_rc && ctd_filter_any(&o.f))
		warn_add(&w, "the dump walked the whole global conntrack hash (every namespace); "
			 "%zu filter(s) applied in the kernel, %zu in userspace", nk, nu);

	if (o.cli.format == PP_FMT_PROM) {
		struct pp_prom p;

		ctd_out_flush(&r.out);
		pp_prom_init(&p, out.f);
		prom_health(&p, &h);
		if (o.mode == M_AGG && !dump_rc)
			prom_agg(&p, &o, &r.agg);
		pp_prom_run_info(&p, "pktpath_ctdump", h.status != PP_ST_UNKNOWN && dump_rc == 0);
		for (size_t i = 0; i < w.n; i++)
			pp_warnx(&o.cli, "%s", w.msg[i]);
	} else if (json) {
		if (o.mode == M_LIST && o.stream) {
			json_head(&r.out, &o, "list");
			ctd_j_str(&r.out, "type", "summary");
			json_filter(&r.out, kern, nk, user, nu);
		} else if (o.mode == M_COUNT) {
			json_head(&r.out, &o, "count");
			json_filter(&r.out, kern, nk, user, nu);
		} else if (o.mode == M_AGG) {
			json_head(&r.out, &o, "aggregate");
			json_filter(&r.out, kern, nk, user, nu);
			if (!dump_rc)
				json_agg(&r.out, &o, &r.agg);
		} else if (o.mode == M_STATS) {
			json_head(&r.out, &o, "stats");
		}
		if (o.mode != M_STATS && !dump_rc) {
			if (dumped)
				ctd_j_u64(&r.out, "dumped", r.agg.dumped);
			ctd_j_u64(&r.out, "matched", r.agg.matched);
			if (o.mode == M_COUNT)
				ctd_j_str(&r.out, "source", dumped ? "dump" : "stats");
		}
		json_tail(&r.out, &h, &w);
	} else {
		ctd_out_flush(&r.out);
		if (o.mode == M_COUNT && !dump_rc)
			fprintf(out.f, "%llu\n", (unsigned long long)r.agg.matched);
		else if (o.mode == M_AGG && !dump_rc)
			text_agg(out.f, &o, &r.agg);
		else if (o.mode == M_STATS)
			text_health(out.f, &o, &h);
		fflush(out.f);
		if (o.mode == M_LIST && !dump_rc)
			pp_warnx(&o.cli, "%llu flow entries shown (%llu in this namespace dumped)",
				 (unsigned long long)r.agg.matched, (unsigned long long)r.agg.dumped);
		for (size_t i = 0; i < w.n; i++)
			pp_warnx(&o.cli, "%s", w.msg[i]);
		if (o.mode != M_STATS)
			for (size_t i = 0; i < h.nfindings; i++)
				pp_warnx(&o.cli, "%s", h.findings[i]);
	}
	ctd_out_flush(&r.out);
	rc = pp_out_end(&o.cli, &out, true);
	free(r.out.buf);
	ctd_agg_free(&r.agg);
	free(h.cpu);
	pp_nl_close(&nl);
	if (rc)
		return rc;
	if (dump_rc < 0) {
		if (o.cli.format == PP_FMT_JSON)
			pp_warnx(&o.cli, "%s", pp_err_str(&e, buf, sizeof(buf)));
		return PP_EXIT_UNKNOWN;
	}
	if (r.out.err)
		return PP_EXIT_UNKNOWN;
	return exit_for(&h);
}
