/* args.c: dropstat's options, their parsing and --help. */
#include <stdlib.h>
#include <string.h>

#include "dropstat.h"
#include "parse.h"

enum {
	OPT_THRESHOLD = PP_OPT_TOOL,
	OPT_TOP,
	OPT_NO_TRACEPOINT,
};

static const struct pp_optdef ds_optdefs[] = {
	PP_OPT('i', "interval", 'i', "SEC", "seconds per sample (default 1); drops are counted over it"),
	PP_OPT('c', "count", 'c', "N", "number of samples (default 1; with -i alone, until interrupted)"),
	PP_OPT('a', "all", 'a', NULL, "text: also the counters that did not move"),
	PP_OPT(0, "top", OPT_TOP, "N", "text: at most N reason rows (default: all that moved)"),
	PP_OPT(0, "threshold", OPT_THRESHOLD, "RATE", "exit 1 when drops per second (not benign, this namespace or\nnot attributable) or a drop counter's rate is above RATE (default 0: any)"),
	PP_OPT(0, "no-tracepoint", OPT_NO_TRACEPOINT, NULL, "counters only: do not open skb:kfree_skb"),
	PP_OPT_TIMEOUT_RUN,
	PP_COMMON_OPTDEFS,
	PP_OPT_END,
};

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: dropstat [options]\n"
		"Which kernel station drops packets right now, and why? skb:kfree_skb sampled\n"
		"through perf (no eBPF), by the running kernel's drop reasons and the station each\n"
		"belongs to, beside the counters that hold drops with no tracepoint (device\n"
		"rx_missed and fifo errors, softnet, qdiscs, conntrack, listen queues, UDP buffers).\n"
		"\n");
	pp_opt_help(f, ds_optdefs);
	fprintf(f,
		"\n"
		"Exit status: 0 no drops above the threshold, 1 drops above it, 2 usage error,\n"
		"3 could not tell (the tracepoint or a counter could not be read, and nothing was\n"
		"above the threshold).\n");
}

int
ds_args(int argc, char *argv[], struct ds_opts *o)
{
	struct pp_optparse op;
	struct pp_cli *c = &o->cli;
	bool has_count = false, has_interval = false;
	uint64_t u;
	int opt, rc;

	memset(o, 0, sizeof(*o));
	pp_cli_init(c, "dropstat");
	o->interval = 1;
	o->count = 1;
	pp_opt_init(&op, c, ds_optdefs);
	while ((opt = pp_opt_next(&op, argc, argv)) != -1) {
		switch (opt) {
		case 'i':
			if (pp_parse_seconds(optarg, 86400, &o->interval) < 0 || o->interval < 0.01)
				return pp_usage_error(c, "--interval: '%s' is not a number of seconds (0.01 to 86400)",
						      optarg);
			has_interval = true;
			break;
		case 'c':
			if (pp_parse_u64(optarg, UINT32_MAX, &o->count) < 0 || o->count == 0)
				return pp_usage_error(c, "--count: '%s' is not a positive number", optarg);
			has_count = true;
			break;
		case 'a':
			o->all = true;
			break;
		case OPT_TOP:
			if (pp_parse_u64(optarg, 100000, &u) < 0 || u == 0)
				return pp_usage_error(c, "--top: '%s' is not a positive number", optarg);
			o->top = (unsigned)u;
			break;
		case OPT_THRESHOLD:
			if (pp_parse_rate(optarg, 1e12, &o->threshold) < 0)
				return pp_usage_error(c, "--threshold: '%s' is not a rate (per second, >= 0)", optarg);
			break;
		case OPT_NO_TRACEPOINT:
			o->no_tracepoint = true;
			break;
		default:
			if ((rc = pp_opt_common(c, opt, optarg, usage)) != PP_EXIT_OK)
				return rc;
		}
	}
	if (optind < argc)
		return pp_usage_error(c, "unexpected argument '%s'", argv[optind]);
	if (has_interval && !has_count)
		o->count = 0;
	do {
		int frc = pp_cli_finish(c);

		if (frc != PP_EXIT_OK)
			return frc;
	} while (0);
	/* An exposition on stdout is one point in time: with -i and no -c, one interval. */
	if (c->format == PP_FMT_PROM && o->count == 0 && !c->prom_file)
		o->count = 1;
	/* --nagios judges one interval (the last, with -c). */
	if (c->nag->on && o->count == 0)
		o->count = 1;
	return PP_EXIT_OK;
}
