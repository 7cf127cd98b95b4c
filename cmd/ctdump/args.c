/* args.c: ctdump's options, their parsing and --help. */
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

static const struct pp_optdef ctd_optdefs[] = {
	PP_OPT('c', "count", 'c', NULL, "print the number of matching entries only"),
	PP_OPT('a', "aggregate", 'a', NULL, "entries per state and protocol, UNREPLIED flows by destination"),
	PP_OPT(0, "top", OPT_TOP, "KEY [N]", "the N (10) biggest values of KEY: src dst sport dport proto\nstate zone unreplied (implies --aggregate; repeatable)"),
	PP_OPT('S', "stats", 'S', NULL, "health only: count, limit, buckets, per-CPU statistics"),
	PP_OPT('E', "event", 'E', NULL, "follow events until interrupted (or --duration)"),
	PP_OPT('e', "event-mask", 'e', "LIST", "new,update,destroy (default all)"),
	PP_OPT(0, "duration", OPT_DURATION, "SEC", "stop following events after SEC seconds"),
	PP_OPT(0, "rcvbuf", OPT_RCVBUF, "BYTES", "event socket receive buffer to start with (1 MiB)"),
	PP_OPT(0, "stream", OPT_STREAM, NULL, "JSON Lines: one entry per line, then a summary line"),
	PP_OPT(0, "max-fill", OPT_MAX_FILL, "PCT", "a table at PCT%% of nf_conntrack_max is a problem (90)"),
	PP_OPT_SNAPSHOT_OPTDEFS,
	PP_OPT_HEADING(""),
	PP_OPT_HEADING("Filters (the kernel applies those it can; see ctdump(8)):"),
	PP_OPT('f', "family", 'f', "F", "ipv4 | ipv6"),
	PP_OPT(0, "proto", OPT_PROTO, "P", "tcp, udp, icmp, icmpv6, sctp, ... or a number"),
	PP_OPT('s', "src", 's', "ADDR[/LEN]", "original source address or prefix"),
	PP_OPT('d', "dst", 'd', "ADDR[/LEN]", "original destination address or prefix"),
	PP_OPT('r', "reply-src", 'r', "ADDR[/LEN]", "reply source (where replies come from)"),
	PP_OPT('q', "reply-dst", 'q', "ADDR[/LEN]", "reply destination (the address replies go to: SNAT)"),
	PP_OPT(0, "sport", OPT_SPORT, "P[-P]", "original source port or range"),
	PP_OPT(0, "dport", OPT_DPORT, "P[-P]", "original destination port or range"),
	PP_OPT(0, "state", OPT_STATE, "LIST", "TCP states: ESTABLISHED,SYN_SENT,TIME_WAIT,..."),
	PP_OPT('u', "status", 'u', "LIST", "status flags: ASSURED,UNREPLIED,SEEN_REPLY,SNAT,DNAT,...\n(!FLAG: flag not set)"),
	PP_OPT(0, "unreplied", OPT_UNREPLIED, NULL, "same as --status UNREPLIED"),
	PP_OPT('m', "mark", 'm', "V[/MASK]", "conntrack mark"),
	PP_OPT('w', "zone", 'w', "N", "conntrack zone"),
	PP_OPT(0, "label", OPT_LABEL, "NAME[,NAME]", "entries carrying every one of these conntrack labels\n(names from connlabel.conf, or bit numbers)"),
	PP_OPT(0, "older-than", OPT_OLDER, "T", "entries older than T (90, 10m, 2h, 1d); needs\nnet.netfilter.nf_conntrack_timestamp=1"),
	PP_OPT_HEADING(""),
	PP_OPT_HEADING("Common options:"),
	PP_OPT_TIMEOUT_RUN,
	PP_COMMON_OPTDEFS,
	PP_OPT_END,
};


static void
usage(void)
{
	fputs("Usage: ctdump [options]            list conntrack entries (like conntrack -L)\n"
	      "       ctdump -c [filters]         count entries only\n"
	      "       ctdump -a | --top KEY [N]   aggregate while streaming, no entries kept\n"
	      "       ctdump -S                   health: fill against nf_conntrack_max, per-CPU stats\n"
	      "       ctdump -E [filters]         follow events (new, update, destroy)\n"
	      "\n"
	      "Modes:\n", stdout);
	pp_opt_help(stdout, ctd_optdefs);
	fputs(
	      "\n"
	      "Exit status: 0 healthy, 1 table near its limit or drops, 2 usage, 3 could not tell.\n",
	      stdout);
}

static int
bad(struct ctd_opts *o, const char *opt, const char *arg, const char *what)
{
	return pp_usage_error(&o->cli, "%s: '%s' is not %s", opt, arg, what);
}

static int
parse_prefix_opt(struct ctd_opts *o, const char *opt, const char *arg, struct ctd_prefix *p)
{
	if (pp_parse_prefix(arg, &p->a, &p->plen) < 0)
		return bad(o, opt, arg, "an address or prefix");
	p->set = true;
	if (o->f.family && o->f.family != p->a.family)
		return pp_usage_error(&o->cli, "%s: '%s' is not of the family asked for", opt, arg);
	return 0;
}

static int
set_mode(struct ctd_opts *o, enum mode m, const char *opt)
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

int
ctd_args(int argc, char *argv[], struct ctd_opts *o)
{
	struct pp_optparse op;
	int c, r, k;
	uint32_t v;

	memset(o, 0, sizeof(*o));
	pp_cli_init(&o->cli, PROG);
	o->ev_mask = 0xe;
	o->max_fill = 90;
	o->rcvbuf = 1 << 20;
	pp_opt_init(&op, &o->cli, ctd_optdefs);
	while ((c = pp_opt_next(&op, argc, argv)) != -1) {
		switch (c) {
		case PP_OPT_LISTED:
			return PP_EXIT_HELP;
		case PP_OPT_BAD:
			return PP_EXIT_USAGE;
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
		case OPT_LABEL:
			/* Named once the snapshot (if any) is read: its connlabel.conf names them. */
			if (o->n_label_args >= PP_ARRAY_SIZE(o->label_args))
				return pp_usage_error(&o->cli, "--label: too many");
			o->label_args[o->n_label_args++] = optarg;
			o->f.has_label = true;
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
	do {
		int frc = pp_cli_finish(&o->cli);

		if (frc != PP_EXIT_OK)
			return frc;
	} while (0);

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
	if (o->cli.nag->on && ((o->mode_set && o->mode != M_STATS) || o->agg_flag || ctd_filter_any(&o->f)))
		return pp_usage_error(&o->cli, "--nagios judges the table's health: not with -c, -E, --aggregate, --top or filters");
	if (o->cli.nag->on)
		o->mode = M_STATS;
	if (o->mode == M_EVENTS && o->cli.format == PP_FMT_PROM)
		return pp_usage_error(&o->cli, "-E cannot be exported with --prom");
	if (o->mode == M_STATS && ctd_filter_any(&o->f))
		return pp_usage_error(&o->cli, "-S takes no filters (the statistics are per namespace)");
	if (o->stream && o->cli.format == PP_FMT_TEXT)
		o->cli.format = PP_FMT_JSON;
	/* A snapshot holds one reading: no events, no rates over an interval. */
	if ((r = pp_cli_snap_over_time(&o->cli, o->mode == M_EVENTS, "-E follows events")) != PP_EXIT_OK ||
	    (r = pp_cli_snap_over_time(&o->cli, o->cli.nag->on, "--nagios judges rates over an interval")) != PP_EXIT_OK)
		return r;
	return PP_EXIT_OK;
}

int
ctd_resolve_labels(struct ctd_opts *o)
{
	for (size_t i = 0; i < o->n_label_args; i++) {
		char badname[64];

		if (ctd_parse_labels(o->label_args[i], pp_ct_labelmap_default(), o->f.label_mask, badname,
				     sizeof(badname)) < 0)
			return pp_usage_error(&o->cli, "--label: '%s' is not a label name in %s or a bit number 0-127", badname,
					      pp_ct_labelmap_default()->path ? pp_ct_labelmap_default()->path :
					      "connlabel.conf (none found)");
	}
	return PP_EXIT_OK;
}
