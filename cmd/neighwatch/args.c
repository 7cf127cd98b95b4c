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
};


static const struct option longopts[] = {
	PP_COMMON_LONGOPTS,
	{ "watch", no_argument, NULL, 'w' },
	{ "duration", required_argument, NULL, OPT_DURATION },
	{ "dev", required_argument, NULL, 'd' },
	{ "entries", no_argument, NULL, 'e' },
	{ "flap-count", required_argument, NULL, OPT_FLAP_COUNT },
	{ "flap-window", required_argument, NULL, OPT_FLAP_WINDOW },
	{ "mac-ips", required_argument, NULL, OPT_MAC_IPS },
	{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
	{ "rcvbuf", required_argument, NULL, OPT_RCVBUF },
	{ "final-entries", no_argument, NULL, OPT_FINAL_ENTRIES },
	{ "route-table", required_argument, NULL, OPT_ROUTE_TABLE },
	{ "table-interval", required_argument, NULL, OPT_TABLE_INTERVAL },
	{ NULL, 0, NULL, 0 },
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
	      "\n"
	      "  -4, -6                 IPv4 (ARP) or IPv6 (NDP) only\n"
	      "  -d, --dev DEV          entries and next hops on DEV only\n"
	      "  -e, --entries          text: list every entry\n"
	      "      --mac-ips N        flag a MAC answering more than N IPs (default 4)\n"
	      "      --route-table T    next hops of routes in table T: main (default), all, or a number\n"
	      "  -w, --watch            follow neighbour events (JSON Lines with -j)\n"
	      "      --duration SEC     end the watch after SEC seconds (default: until SIGINT)\n"
	      "      --flap-count N     flapping: more than N flips ... (default 4, at most 15)\n"
	      "      --flap-window SEC  ... within SEC seconds (default 60)\n"
	      "      --max-entries N    entries the watch remembers at most (default 65536)\n"
	      "      --table-interval SEC  poll the global table counters (table_fulls,\n"
	      "                         forced_gc_runs, res_failed) every SEC (default 10, 0: never)\n"
	      "      --rcvbuf BYTES     initial event socket buffer (for tests: force overruns)\n"
	      "      --final-entries    the watch summary lists the final table\n"
	      PP_COMMON_HELP
	      "\n"
	      "Exit status: 0 nothing wrong, 1 a FAILED next hop or table pressure (snapshot),\n"
	      "or flapping or a MAC change seen (watch), 2 usage error, 3 could not tell.\n", f);
}

int
nw_args(int argc, char *argv[], struct pp_cli *c, struct nw_opts *o)
{
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
	while ((opt = getopt_long(argc, argv, PP_COMMON_SHORTOPTS "46d:ew", longopts, NULL)) != -1) {
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
	o->json_events = json;
	pp_cli_finish(c);
	return PP_EXIT_OK;
}

