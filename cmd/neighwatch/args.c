/* args.c: neighwatch's options, their parsing and --help. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "nexthop.h"
#include "nw.h"
#include "parse.h"

enum {
	OPT_DURATION = PP_OPT_TOOL,
	OPT_FLAP_COUNT,
	OPT_FLAP_WINDOW,
	OPT_MAC_IPS,
	OPT_MAX_ENTRIES,
	OPT_RCVBUF,
	OPT_FINAL_ENTRIES,
	OPT_ROUTE_TABLE,
	OPT_TABLE_INTERVAL,
	OPT_PROXY,
	OPT_NUD,
	OPT_TO,
	OPT_GET,
	OPT_COUNT_ONLY,
};


static const struct pp_optdef nw_optdefs[] = {
	{ NULL, '4', '4', no_argument, NULL, "IPv4 (ARP) or IPv6 (NDP) only", "-4, -6", 0 },
	{ NULL, '6', '6', no_argument, NULL, NULL, NULL, PP_OPTF_NOHELP },
	PP_OPT('d', "dev", 'd', "DEV", "entries and next hops on DEV only"),
	PP_OPT('e', "entries", 'e', NULL, "text: list every entry"),
	PP_OPT(0, "proxy", OPT_PROXY, NULL, "list the proxy entries (ip neigh show proxy)"),
	PP_OPT(0, "nud", OPT_NUD, "STATE[,STATE]", "list entries in these states (ip neigh show nud):\npermanent, noarp, stale, reachable, none, incomplete,\ndelay, probe, failed, all"),
	PP_OPT(0, "to", OPT_TO, "PREFIX", "list entries whose address is in PREFIX"),
	PP_OPT(0, "get", OPT_GET, "ADDR", "list the one entry for ADDR on -d DEV (ip neigh get)"),
	PP_OPT(0, "mac-ips", OPT_MAC_IPS, "N", "flag a MAC answering more than N IPs (default 4)"),
	PP_OPT(0, "route-table", OPT_ROUTE_TABLE, "T", "next hops of routes in table T: main (default), all, or a number"),
	PP_OPT('w', "watch", 'w', NULL, "follow neighbour events (JSON Lines with -j)"),
	PP_OPT(0, "duration", OPT_DURATION, "SEC", "end the watch after SEC seconds (default: until SIGINT)"),
	PP_OPT(0, "flap-count", OPT_FLAP_COUNT, "N", "flapping: more than N flips ... (default 4, at most 15)"),
	PP_OPT(0, "flap-window", OPT_FLAP_WINDOW, "SEC", "... within SEC seconds (default 60)"),
	PP_OPT(0, "max-entries", OPT_MAX_ENTRIES, "N", "entries the watch remembers at most (default 65536)"),
	PP_OPT(0, "table-interval", OPT_TABLE_INTERVAL, "SEC", "poll the global table counters (table_fulls,\nforced_gc_runs, res_failed) every SEC (default 10, 0: never)"),
	PP_OPT(0, "rcvbuf", OPT_RCVBUF, "BYTES", "initial event socket buffer (for tests: force overruns)"),
	PP_OPT(0, "final-entries", OPT_FINAL_ENTRIES, NULL, "the watch summary lists the final table"),
	PP_OPT_SNAPSHOT_OPTDEFS,
	PP_OPT_HIDDEN("count-only", OPT_COUNT_ONLY, NULL),	/* hidden: benchmark floor */
	PP_OPT_TIMEOUT_RUN,
	PP_COMMON_OPTDEFS,
	PP_OPT_END,
};

static void
usage(FILE *f)
{
	fputs("Usage: neighwatch [options]\n"
	      "       neighwatch -w [--duration SEC] [options]\n"
	      "Is L2 resolution healthy? ARP and NDP entries per device and state, FAILED and\n"
	      "INCOMPLETE entries, next hops of routes that are not REACHABLE, one IP on several\n"
	      "MACs, one MAC on many IPs, entries on down devices, and the global neighbour\n"
	      "tables against gc_thresh1/2/3. With -w, follow neighbour events.\n"
	      "\n", f);
	pp_opt_help(f, nw_optdefs);
	fputs("\n"
	      "Exit status: 0 nothing wrong, 1 a FAILED next hop or table pressure (snapshot),\n"
	      "or flapping or a MAC change seen (watch), 2 usage error, 3 could not tell.\n", f);
}

int
nw_args(int argc, char *argv[], struct pp_cli *c, struct nw_opts *o)
{
	struct pp_optparse op;
	bool json = false;
	uint32_t v;
	int opt, rc;

	memset(o, 0, sizeof(*o));
	o->route_table = RT_TABLE_MAIN;
	o->mac_ips = 4;
	o->flap_count = 4;
	o->flap_window = 60;
	o->max_entries = 65536;
	o->table_interval = 10;
	pp_opt_init(&op, c, nw_optdefs);
	while ((opt = pp_opt_next(&op, argc, argv)) != -1) {
		if (opt == PP_OPT_LISTED)
			return PP_EXIT_HELP;
		if (opt == PP_OPT_BAD)
			return PP_EXIT_USAGE;
		if (opt == 'h') {
			usage(stdout);
			return PP_EXIT_HELP;
		}
		if (opt == 'V') {
			pp_print_version(c);
			return PP_EXIT_HELP;
		}
		if (opt == 'j')
			json = true;
		rc = pp_cli_opt(c, opt, optarg);
		if (rc < 0)
			return PP_EXIT_USAGE;
		if (rc > 0)
			continue;
		switch (opt) {
		case '4':
			o->family = AF_INET;
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case 'd':
			if (!optarg[0] || strlen(optarg) >= IF_NAMESIZE)
				return pp_usage_error(c, "--dev: '%s' is not a device name", optarg);
			o->dev = optarg;
			break;
		case 'e':
			o->list_entries = true;
			break;
		case 'w':
			o->watch = true;
			break;
		case OPT_DURATION:
			if (pp_parse_seconds(optarg, 31536000, &o->duration) < 0)
				return pp_usage_error(c, "--duration: '%s' is not a number of seconds", optarg);
			break;
		case OPT_FLAP_COUNT:
			if (pp_parse_u32(optarg, NW_HIST - 1, &v) < 0)
				return pp_usage_error(c, "--flap-count: '%s' is not a number from 0 to %d", optarg,
						      NW_HIST - 1);
			o->flap_count = v;
			break;
		case OPT_FLAP_WINDOW:
			if (pp_parse_seconds(optarg, 86400, &o->flap_window) < 0)
				return pp_usage_error(c, "--flap-window: '%s' is not a number of seconds", optarg);
			break;
		case OPT_MAC_IPS:
			if (pp_parse_u32(optarg, 1000000, &v) < 0 || v == 0)
				return pp_usage_error(c, "--mac-ips: '%s' is not a number from 1 to 1000000", optarg);
			o->mac_ips = v;
			break;
		case OPT_MAX_ENTRIES:
			if (pp_parse_u32(optarg, 1u << 26, &v) < 0 || v < 16)
				return pp_usage_error(c, "--max-entries: '%s' is not a number from 16 to %u", optarg,
						      1u << 26);
			o->max_entries = v;
			break;
		case OPT_RCVBUF:
			if (pp_parse_u32(optarg, NW_RCVBUF_MAX, &v) < 0 || v == 0)
				return pp_usage_error(c, "--rcvbuf: '%s' is not a number of bytes from 1 to %d", optarg,
						      NW_RCVBUF_MAX);
			o->rcvbuf = (int)v;
			break;
		case OPT_TABLE_INTERVAL:
			if (strcmp(optarg, "0") == 0)
				o->table_interval = 0;
			else if (pp_parse_seconds(optarg, 86400, &o->table_interval) < 0)
				return pp_usage_error(c, "--table-interval: '%s' is not a number of seconds", optarg);
			break;
		case OPT_PROXY:
			o->proxy = true;
			break;
		case OPT_NUD: {
			char buf[256], *save = NULL, *tok;

			if (!optarg[0] || strlen(optarg) >= sizeof(buf))
				return pp_usage_error(c, "--nud: '%s' is not a list of states", optarg);
			memcpy(buf, optarg, strlen(optarg) + 1);
			for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
				if (pp_neigh_nud_parse(tok, &o->nud) < 0)
					return pp_usage_error(c, "--nud: '%s' is not a state (permanent, noarp, stale, reachable, none, incomplete, delay, probe, failed, all)", tok);
			if (!o->nud)
				return pp_usage_error(c, "--nud: '%s' is not a list of states", optarg);
			break;
		}
		case OPT_TO:
			if (pp_parse_prefix(optarg, &o->to, &o->to_plen) < 0)
				return pp_usage_error(c, "--to: '%s' is not a prefix", optarg);
			o->has_to = true;
			break;
		case OPT_GET:
			if (pp_parse_addr(optarg, 0, &o->get) < 0)
				return pp_usage_error(c, "--get: '%s' is not an address", optarg);
			o->has_get = true;
			break;
		case OPT_COUNT_ONLY:
			o->count_only = true;
			break;
		case OPT_FINAL_ENTRIES:
			o->final_entries = true;
			break;
		case OPT_ROUTE_TABLE:
			if (strcmp(optarg, "all") == 0)
				o->route_all_tables = true;
			else if (strcmp(optarg, "main") == 0)
				o->route_table = RT_TABLE_MAIN;
			else if (strcmp(optarg, "default") == 0)
				o->route_table = RT_TABLE_DEFAULT;
			else if (strcmp(optarg, "local") == 0)
				o->route_table = RT_TABLE_LOCAL;
			else if (pp_parse_u32(optarg, UINT32_MAX, &v) < 0 || v == 0)
				return pp_usage_error(c, "--route-table: '%s' is not main, all or a table number", optarg);
			else
				o->route_table = v;
			break;
		default:
			return pp_usage_error(c, "unknown option");
		}
	}
	if (optind < argc)
		return pp_usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (o->duration && !o->watch)
		return pp_usage_error(c, "--duration: only with -w/--watch");
	o->select = o->proxy || o->nud || o->has_to || o->has_get;
	if (o->select && o->watch)
		return pp_usage_error(c, "--proxy, --nud, --to and --get: not with -w/--watch");
	if (o->has_get && !o->dev)
		return pp_usage_error(c, "--get: needs -d/--dev (the entry is per device)");
	if (c->nag->on && o->watch)
		return pp_usage_error(c, "--nagios judges a snapshot: not with -w/--watch");
	o->json_events = json;
	if ((rc = pp_cli_snap_over_time(c, o->watch, "-w/--watch follows events")) != PP_EXIT_OK)
		return rc;
	do {
		int frc = pp_cli_finish(c);

		if (frc != PP_EXIT_OK)
			return frc;
	} while (0);
	return PP_EXIT_OK;
}

