/* args.c: nicstat's options, their parsing and --help. */
#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/ethtool_netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "nicstat.h"
#include "parse.h"
#include "qdisc.h"
#include "sample.h"

enum {
	OPT_TOP = PP_OPT_TOOL,
	OPT_NO_ETHTOOL,
	OPT_THRESHOLD,
	OPT_COUNT_ONLY,
	OPT_NO_SOFTNET,
	OPT_FORCE_IOCTL,
	OPT_NO_QDISC,
};


static const struct pp_optdef ns_optdefs[] = {
	PP_OPT('i', "interval", 'i', "SEC", "sample every SEC seconds (the first sample is since boot)"),
	PP_OPT('c', "count", 'c', "N", "take N samples (default 1; with -i and no -c: until stopped)"),
	PP_OPT('d', "dev", 'd', "PATTERN", "only devices whose name matches PATTERN (glob; repeat or comma-separate)"),
	PP_OPT('k', "kind", 'k', "KIND", "only devices of KIND: physical, veth, bridge, vlan, loopback, other,\nor a link kind such as tun or bond (repeat or comma-separate)"),
	PP_OPT(0, "top", OPT_TOP, "N", "only the N devices highest by --sort"),
	PP_OPT('s', "sort", 's', "COL", "sort by rkb, wkb, rpk, wpk, util, sat (default with --top), errors,\ndrops, or name"),
	PP_OPT('z', "skip-idle", 'z', NULL, "leave out devices that moved no packets"),
	PP_OPT('e', "ethtool", 'e', NULL, "link settings, rings, channels and driver counters for every\nselected device (default: physical devices only)"),
	PP_OPT(0, "no-ethtool", OPT_NO_ETHTOOL, NULL, "no ethtool calls at all (%Util is then unknown)"),
	PP_OPT('a', "all-counters", 'a', NULL, "every driver counter, not only non-zero and changing ones"),
	PP_OPT('q', "qdisc", 'q', NULL, "count root qdisc drops in Sat (where a saturated transmit\npath drops on Linux): always, at one more dump (default: when\nat most 256 devices have a qdisc)"),
	PP_OPT(0, "no-qdisc", OPT_NO_QDISC, NULL, "never count qdisc drops in Sat"),
	PP_OPT(0, "no-softnet", OPT_NO_SOFTNET, NULL, "leave out softnet (per-CPU backlog) statistics, which are the\nhost's, not the namespace's"),
	PP_OPT(0, "threshold", OPT_THRESHOLD, "RATE", "exit 1 when a device's Sat or a CPU's backlog drops per second\nare above RATE over an interval (default 0: any); the\nsince-boot sample alone decides nothing"),
	PP_OPT_SNAPSHOT_OPTDEFS,
	PP_OPT_HIDDEN("count-only", OPT_COUNT_ONLY, NULL),	/* hidden: benchmark floor */
	PP_OPT_HIDDEN("force-ioctl", OPT_FORCE_IOCTL, NULL),	/* hidden: test the ioctl fallback */
	PP_OPT_TIMEOUT_RUN,
	PP_COMMON_OPTDEFS,
	PP_OPT_END,
};


static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: nicstat [options]\n"
		"Is a NIC (or virtual device) saturated or dropping? Per device and interval:\n"
		"rKB/s wKB/s rPk/s wPk/s rAvs wAvs %%Util Sat, the error breakdown, link settings,\n"
		"rings and channels, driver counters, and softnet drops per CPU.\n"
		"\n");
	pp_opt_help(f, ns_optdefs);
	fprintf(f,
		"\n"
		"Exit status: 0 nothing above the threshold, 1 drops or errors above it, 2 usage error,\n"
		"3 could not tell.\n");
}

static int
split_list(const struct pp_cli *c, const char *opt, char *arg, const char **out, size_t max,
	   size_t *n)
{
	char *save = NULL, *tok;

	for (tok = strtok_r(arg, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!tok[0])
			continue;
		if (*n >= max)
			return pp_usage_error(c, "%s: at most %zu values", opt, max);
		out[(*n)++] = tok;
	}
	return 0;
}

int
ns_args(int argc, char *argv[], struct ns_opts *o)
{
	struct pp_optparse op;
	struct pp_cli *c = &o->cli;
	bool has_count = false;
	uint64_t u;
	int opt, rc, i, k, frc;

	memset(o, 0, sizeof(*o));
	pp_cli_init(c, "nicstat");
	o->count = 1;
	o->sort = NS_S_NONE;
	pp_opt_init(&op, c, ns_optdefs);
	while ((opt = pp_opt_next(&op, argc, argv)) != -1) {
		switch (opt) {
		case 'i':
			if (pp_parse_seconds(optarg, 86400, &o->interval) < 0)
				return pp_usage_error(c, "--interval: '%s' is not a number of seconds", optarg);
			break;
		case 'c':
			if (pp_parse_u64(optarg, UINT32_MAX, &o->count) < 0 || o->count == 0)
				return pp_usage_error(c, "--count: '%s' is not a positive number", optarg);
			has_count = true;
			break;
		case 'd':
			if ((rc = split_list(c, "--dev", optarg, o->dev_pats, PP_ARRAY_SIZE(o->dev_pats),
					     &o->n_dev_pats)))
				return rc;
			break;
		case 'k': {
			const char *kinds[16];
			size_t nk = 0, j;

			if ((rc = split_list(c, "--kind", optarg, kinds, PP_ARRAY_SIZE(kinds), &nk)))
				return rc;
			for (j = 0; j < nk; j++) {
				if ((k = ns_kind_parse(kinds[j])) >= 0) {
					o->kind_mask |= 1u << k;
					continue;
				}
				for (i = 0; kinds[j][i]; i++)
					if (!((kinds[j][i] >= 'a' && kinds[j][i] <= 'z') ||
					      (kinds[j][i] >= '0' && kinds[j][i] <= '9') || kinds[j][i] == '_'))
						return pp_usage_error(c, "--kind: '%s' is not a device kind", kinds[j]);
				if (o->n_kind_names >= PP_ARRAY_SIZE(o->kind_names))
					return pp_usage_error(c, "--kind: too many kinds");
				o->kind_names[o->n_kind_names++] = kinds[j];
			}
			break;
		}
		case OPT_TOP:
			if (pp_parse_u64(optarg, 1000000, &u) < 0 || u == 0)
				return pp_usage_error(c, "--top: '%s' is not a positive number", optarg);
			o->top = (unsigned)u;
			break;
		case 's':
			if ((o->sort = ns_sort_parse(optarg)) < 0)
				return pp_usage_error(c, "--sort: '%s' is not a column (rkb, wkb, rpk, wpk, util, "
						      "sat, errors, drops, name)", optarg);
			break;
		case 'z':
			o->skip_idle = true;
			break;
		case 'e':
			o->ethtool = NS_ET_ALL;
			break;
		case OPT_NO_ETHTOOL:
			o->ethtool = NS_ET_NONE;
			break;
		case 'a':
			o->all_counters = true;
			break;
		case 'q':
			o->qdisc = NS_Q_ON;
			break;
		case OPT_NO_QDISC:
			o->qdisc = NS_Q_OFF;
			break;
		case OPT_THRESHOLD:
			/* The checked parser takes positive numbers; zero (any drop counts) is the default. */
			if (pp_parse_seconds(optarg, 1e12, &o->threshold) < 0) {
				size_t z = strspn(optarg, "0"), len = strlen(optarg);

				if (!(len > 0 && (z == len || (optarg[z] == '.' && z > 0 &&
							   strspn(optarg + z + 1, "0") == len - z - 1))))
					return pp_usage_error(c, "--threshold: '%s' is not a rate (per second, >= 0)",
							      optarg);
				o->threshold = 0;
			}
			break;
		case OPT_NO_SOFTNET:
			o->no_softnet = true;
			break;
		case OPT_FORCE_IOCTL:
			o->force_ioctl = true;
			break;
		case OPT_COUNT_ONLY:
			o->count_only = true;
			break;
		default:
			if ((rc = pp_opt_common(c, opt, optarg, usage)) != PP_EXIT_OK)
				return rc;
		}
	}
	if (optind < argc)
		return pp_usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (o->interval > 0 && !has_count)
		o->count = 0;
	if (has_count && o->count > 1 && o->interval <= 0)
		o->interval = 1;	/* nicstat's habit: -c alone samples every second */
	if ((frc = pp_cli_finish(c)) != PP_EXIT_OK)
		return frc;
	/* An exposition is one point in time: with -i and no -c, one interval. */
	if (c->format == PP_FMT_PROM && o->count == 0)
		o->count = 2;
	/* A snapshot holds one sample: no rates over an interval. */
	if ((frc = pp_cli_snap_over_time(c, c->nag->on, "--nagios judges rates over an interval")) != PP_EXIT_OK ||
	    (frc = pp_cli_snap_over_time(c, o->count != 1, "-i, or -c above 1, takes more than one sample")) != PP_EXIT_OK)
		return frc;
	/* --nagios judges rates over one interval at least: two samples, 1 s apart unless -i says. */
	if (c->nag->on) {
		if (o->count < 2)
			o->count = 2;
		if (o->interval <= 0)
			o->interval = 1;
	}
	return PP_EXIT_OK;
}

