/*
 * qdiscstat: which qdisc or class drops, requeues or holds a standing queue?
 * args -> namespace -> collect -> evaluate -> render -> exit status.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "parse.h"
#include "qs.h"
#include "sample.h"
#include "snap.h"

enum {
	OPT_NO_CLASSES = PP_OPT_TOOL,
	OPT_DETAILS,
	OPT_DROP_RATE,
	OPT_MAX_DROPS,
	OPT_BUSY_PPS,
	OPT_COUNT_ONLY,
	OPT_THREADS,
};

#define MAX_LIST 64

struct qs_opts {
	struct pp_cli cli;
	double interval;
	uint32_t count;			/* 0: until interrupted */
	bool has_interval, has_count;
	const char *devs[MAX_LIST + 1];
	unsigned ndevs;
	const char *kinds[MAX_LIST + 1];
	unsigned nkinds;
	char *kind_buf[MAX_LIST];
	unsigned nkind_buf;
	bool no_classes, details, count_only;
	uint32_t threads;
	struct qs_thresholds th;
};

static const struct pp_optdef qs_optdefs[] = {
	PP_OPT('i', "interval", 'i', "SEC", "seconds between samples (default 1 with -c)"),
	PP_OPT('c', "count", 'c', "N", "number of samples (default 1; with -i alone, until interrupted)"),
	PP_OPT('d', "dev", 'd', "PATTERN", "only devices matching PATTERN (shell wildcards; repeatable)"),
	PP_OPT('k', "kind", 'k', "KIND[,KIND]", "only qdiscs and classes of these kinds (htb, tbf, fq_codel, ...)"),
	PP_OPT(0, "no-classes", OPT_NO_CLASSES, NULL, "skip the per-device class dumps"),
	PP_OPT(0, "details", OPT_DETAILS, NULL, "show each kind's options in text output too"),
	PP_OPT(0, "drop-rate", OPT_DROP_RATE, "N", "drops per second above which rising drops are a problem (default 0)"),
	PP_OPT(0, "max-drops", OPT_MAX_DROPS, "N", "single sample: more than N drops since creation is a problem"),
	PP_OPT(0, "busy-pps", OPT_BUSY_PPS, "N", "packets/s above which a physical device is busy (default 10000)"),
	PP_OPT_SNAPSHOT_OPTDEFS,
	PP_OPT_HIDDEN("count-only", OPT_COUNT_ONLY, NULL),	/* benchmark floor */
	PP_OPT_HIDDEN("threads", OPT_THREADS, "N"),
	PP_OPT_TIMEOUT_RUN,
	PP_COMMON_OPTDEFS,
	PP_OPT_END,
};

static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: qdiscstat [options]\n"
		"Which qdisc or class drops, requeues or holds a standing queue? Every qdisc and\n"
		"class of every device (or those chosen), 64-bit counters, rates over an interval.\n"
		"The first sample shows counters since each qdisc was created (for most, since boot).\n"
		"\n");
	pp_opt_help(f, qs_optdefs);
	fprintf(f,
		"\n"
		"Exit status: 0 no drops rising, 1 drops rising (or above --max-drops),\n"
		"2 usage error, 3 could not read the qdiscs.\n");
}

static int
add_kinds(struct qs_opts *o, const char *arg)
{
	char *copy, *tok, *save = NULL;

	if (o->nkind_buf >= MAX_LIST)
		return pp_usage_error(&o->cli, "--kind: too many lists");
	copy = strdup(arg);
	if (!copy)
		return pp_usage_error(&o->cli, "--kind: out of memory");
	o->kind_buf[o->nkind_buf++] = copy;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(tok);

		if (n == 0 || n >= 16 || strspn(tok, "abcdefghijklmnopqrstuvwxyz0123456789_") != n)
			return pp_usage_error(&o->cli, "--kind: '%s' is not a qdisc kind", tok);
		if (o->nkinds >= MAX_LIST)
			return pp_usage_error(&o->cli, "--kind: too many kinds");
		o->kinds[o->nkinds++] = tok;
	}
	if (o->nkinds == 0)
		return pp_usage_error(&o->cli, "--kind: '%s' names no kind", arg);
	return PP_EXIT_OK;
}

static int
parse_args(int argc, char *argv[], struct qs_opts *o)
{
	struct pp_optparse op;
	uint64_t u;
	int opt, rc;

	o->th.busy_pps = 10000;
	pp_opt_init(&op, &o->cli, qs_optdefs);
	while ((opt = pp_opt_next(&op, argc, argv)) != -1) {
		switch (opt) {
		case 'h':
			usage(stdout);
			return PP_EXIT_HELP;
		case 'V':
			pp_print_version(&o->cli);
			return PP_EXIT_HELP;
		case 'i':
			if (pp_parse_seconds(optarg, 86400, &o->interval) < 0)
				return pp_usage_error(&o->cli, "--interval: '%s' is not a number of seconds (0 < SEC <= 86400)", optarg);
			o->has_interval = true;
			break;
		case 'c':
			if (pp_parse_u32(optarg, 100000000, &o->count) < 0 || o->count == 0)
				return pp_usage_error(&o->cli, "--count: '%s' is not a positive number", optarg);
			o->has_count = true;
			break;
		case 'd':
			if (!optarg[0] || strlen(optarg) >= 256)
				return pp_usage_error(&o->cli, "--dev: '%s' is not a device name or pattern", optarg);
			if (o->ndevs >= MAX_LIST)
				return pp_usage_error(&o->cli, "--dev: too many devices");
			o->devs[o->ndevs++] = optarg;
			break;
		case 'k':
			if ((rc = add_kinds(o, optarg)) != PP_EXIT_OK)
				return rc;
			break;
		case OPT_NO_CLASSES:
			o->no_classes = true;
			break;
		case OPT_DETAILS:
			o->details = true;
			break;
		case OPT_DROP_RATE:
			if (pp_parse_u64(optarg, 1000000000, &u) < 0)
				return pp_usage_error(&o->cli, "--drop-rate: '%s' is not a number of drops per second", optarg);
			o->th.drop_rate = (double)u;
			break;
		case OPT_MAX_DROPS:
			if (pp_parse_u64(optarg, UINT32_MAX, &u) < 0)
				return pp_usage_error(&o->cli, "--max-drops: '%s' is not a number", optarg);
			o->th.has_max_drops = true;
			o->th.max_drops = u;
			break;
		case OPT_BUSY_PPS:
			if (pp_parse_u64(optarg, 1000000000, &u) < 0)
				return pp_usage_error(&o->cli, "--busy-pps: '%s' is not a number of packets per second", optarg);
			o->th.busy_pps = (double)u;
			break;
		case OPT_COUNT_ONLY:
			o->count_only = true;
			break;
		case OPT_THREADS:
			if (pp_parse_u32(optarg, 8, &o->threads) < 0 || o->threads == 0)
				return pp_usage_error(&o->cli, "--threads: '%s' is not a number from 1 to 8", optarg);
			break;
		case PP_OPT_LISTED:
			return PP_EXIT_HELP;
		case PP_OPT_BAD:
			return PP_EXIT_USAGE;
		default:
			if ((rc = pp_cli_opt(&o->cli, opt, optarg)) < 0)
				return PP_EXIT_USAGE;
			if (rc == 0)
				return pp_usage_error(&o->cli, "unknown option");
		}
	}
	if (optind < argc)
		return pp_usage_error(&o->cli, "'%s': unexpected argument", argv[optind]);
	if (!o->has_count)
		o->count = o->has_interval ? 0 : 1;
	if (!o->has_interval)
		o->interval = 1;
	/* A snapshot holds one sample: no rates over an interval. */
	if ((rc = pp_cli_snap_over_time(&o->cli, o->cli.nag->on, "--nagios judges rates over an interval")) != PP_EXIT_OK ||
	    (rc = pp_cli_snap_over_time(&o->cli, o->count != 1, "-i, or -c above 1, takes more than one sample")) != PP_EXIT_OK)
		return rc;
	/* --nagios judges rates: the last of at least two samples, one interval apart. */
	if (o->cli.nag->on && (o->count == 0 || o->count < 2))
		o->count = 2;
	do {
		int frc = pp_cli_finish(&o->cli);

		if (frc != PP_EXIT_OK)
			return frc;
	} while (0);
	return PP_EXIT_OK;
}

/* --dev NAME without wildcards must exist; one such name lets the dump skip other devices. */
static int
resolve_devs(struct qs_opts *o, struct qs_collector *c)
{
	unsigned literal = 0;
	int idx = 0;

	if (!o->ndevs)
		return PP_EXIT_OK;
	for (unsigned i = 0; i < o->ndevs; i++) {
		if (strpbrk(o->devs[i], "*?[") != NULL)
			continue;
		literal++;
		if (strlen(o->devs[i]) >= IF_NAMESIZE || (idx = (int)pp_ifindex(o->devs[i])) == 0) {
			if (pp_snap_replaying(o->cli.snap)) {
				pp_warnx(&o->cli, "--dev: '%s': snapshot %s (written by %s) holds no device of that name",
					 o->devs[i], o->cli.snapshot, pp_snap_header(o->cli.snap)->writer);
				return PP_EXIT_USAGE;
			}
			pp_warnx(&o->cli, "--dev: '%s': no such device%s", o->devs[i],
				 pp_cli_netns_name(&o->cli) ? " in this network namespace" : "");
			return PP_EXIT_USAGE;
		}
	}
	if (literal == 1 && o->ndevs == 1)
		c->only_ifindex = idx;
	c->dev_globs = o->devs;
	return PP_EXIT_OK;
}

static int
count_only(struct qs_opts *o, struct qs_collector *c)
{
	struct pp_err e = { 0 };
	uint64_t nq = 0, nc = 0;

	if (qs_collect_count(c, &nq, &nc, &e) < 0) {
		pp_warn_err(&o->cli, &e);
		return PP_EXIT_UNKNOWN;
	}
	printf("qdiscs %llu classes %llu\n", (unsigned long long)nq, (unsigned long long)nc);
	return PP_EXIT_OK;
}

/* Prometheus output of one sample (or of a failed run when s is NULL). */
static int
emit_prom(struct qs_opts *o, const struct qs_render_ctx *rc, const struct qs_sample *s,
	  const struct qs_eval *ev, bool success)
{
	struct pp_out out;
	int x;

	if ((x = pp_out_begin(&o->cli, &out)) != 0)
		return x;
	qs_render_prom(out.f, rc, s, ev, success);
	/* Even a failed run is committed: run_success 0 is what tells an alert so. */
	return pp_out_end(&o->cli, &out, true);
}

static int
run(struct qs_opts *o, struct qs_collector *c)
{
	struct qs_sample prev = { 0 }, cur = { 0 };
	struct qs_render_ctx rc = { .cli = &o->cli, .details = o->details };
	const char *const *kinds = o->nkinds ? o->kinds : NULL;
	const char *unmatched;
	bool have_prev = false, problem = false;
	struct pp_err e = { 0 };
	double next = 0, t0, t1;
	/* QDISCSTAT_TIMING=1: where a sample's time goes, on stderr (for benchmarks). */
	bool timing = getenv("QDISCSTAT_TIMING") != NULL;
	int exitc = PP_EXIT_OK, x;
	sigset_t stopset;

	pp_stop_block(&stopset);
	for (uint32_t i = 1; o->count == 0 || i <= o->count; i++) {
		struct qs_eval ev;

		/* SIGINT/SIGTERM between samples end the run as its last sample would. */
		if (i > 1 && pp_sleep_until_stop(next, &stopset))
			break;
		t0 = pp_mono_now();
		if (qs_collect(c, &cur, &e) < 0) {
			if ((exitc = pp_cli_snap_refuse(&o->cli, &e)) != 0) {
				qs_sample_free(&cur);
				break;
			}
			pp_warn_err(&o->cli, &e);
			if (e.code == EPERM || e.code == EACCES)
				pp_warnx(&o->cli, "%s", pp_errno_needs(e.code) ? pp_errno_needs(e.code) : "permission denied");
			if (o->cli.format == PP_FMT_PROM)
				emit_prom(o, &rc, NULL, NULL, false);
			qs_sample_free(&cur);
			exitc = PP_EXIT_UNKNOWN;
			break;
		}
		/* A kind named on the command line that the first sample does not hold is a usage error. */
		if (i == 1 && (unmatched = qs_kind_unmatched(&cur, kinds)) != NULL) {
			pp_warnx(&o->cli, "--kind: '%s': no qdisc or class of that kind%s", unmatched,
				 o->ndevs ? " on the devices chosen" :
				 pp_cli_netns_name(&o->cli) ? " in this network namespace" : "");
			qs_sample_free(&cur);
			exitc = PP_EXIT_USAGE;
			break;
		}
		next = (i == 1 ? cur.mono : next) + o->interval;
		if (qs_evaluate(have_prev ? &prev : NULL, &cur, &o->th, kinds, &ev) < 0) {
			pp_warnx(&o->cli, "out of memory");
			exitc = PP_EXIT_UNKNOWN;
			qs_sample_free(&cur);
			break;
		}
		t1 = pp_mono_now();
		rc.index = i;
		rc.last = o->count != 0 && i == o->count;
		if (ev.problems)
			problem = true;
		if (o->cli.nag->on) {
			if (rc.last)
				exitc = qs_render_nagios(&o->cli, &cur, &ev, have_prev);
		} else switch (o->cli.format) {
		case PP_FMT_TEXT:
			if (i > 1)
				putchar('\n');
			qs_render_text(stdout, &rc, &cur, &ev);
			fflush(stdout);
			break;
		case PP_FMT_JSON:
			qs_render_json(stdout, &rc, &cur, &ev);
			break;
		case PP_FMT_PROM:
			/*
			 * The last sample; every sample when running until interrupted (a
			 * file is then rewritten each time); and a file gets the first at
			 * once, so it exists while a long run goes on.
			 */
			if (rc.last || o->count == 0 || (o->cli.prom_file && i == 1))
				if ((x = emit_prom(o, &rc, &cur, &ev, true)) != 0)
					exitc = x;
			break;
		}
		if (timing)
			fprintf(stderr, "qdiscstat: sample %u: collect %.1f ms, evaluate and render %.1f ms\n",
				i, (t1 - t0) * 1e3, (pp_mono_now() - t1) * 1e3);
		qs_eval_free(&ev);
		if (have_prev)
			qs_sample_free(&prev);
		prev = cur;
		have_prev = true;
		memset(&cur, 0, sizeof(cur));
		if (exitc != PP_EXIT_OK || o->cli.nag->printed)
			break;
	}
	if (have_prev)
		qs_sample_free(&prev);
	if (exitc != PP_EXIT_OK || o->cli.nag->printed)
		return exitc;
	return problem ? PP_EXIT_PROBLEM : PP_EXIT_OK;
}

static int
tool_main(int argc, char *argv[])
{
	struct qs_opts o;
	struct qs_collector c;
	struct pp_err e = { 0 };
	long ncpu;
	int rc;

	memset(&o, 0, sizeof(o));
	memset(&c, 0, sizeof(c));
	pp_cli_init(&o.cli, "qdiscstat");
	if ((rc = parse_args(argc, argv, &o)) != PP_EXIT_OK) {
		rc = rc == PP_EXIT_HELP ? PP_EXIT_OK : rc;
		goto out;
	}
	if ((rc = pp_cli_enter_netns(&o.cli)) != PP_EXIT_OK)
		goto out;
	/* Only this thread writes stdout: skip stdio's locking, and buffer fully into pipes and files. */
	pp_cli_stdout_buffered();
	ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	if (qs_collector_open(&c, o.threads ? o.threads : (ncpu > 4 ? 4 : ncpu > 0 ? (unsigned)ncpu : 1),
			      &e) < 0) {
		pp_warn_err(&o.cli, &e);
		rc = PP_EXIT_UNKNOWN;
		goto out;
	}
	c.classes = !o.no_classes;
	c.kinds = o.nkinds ? o.kinds : NULL;
	c.links = o.count != 1;
	if ((rc = resolve_devs(&o, &c)) != PP_EXIT_OK)
		goto out;
	rc = o.count_only ? count_only(&o, &c) : run(&o, &c);
out:
	qs_collector_close(&c);
	rc = pp_cli_snap_end(&o.cli, rc);
	for (unsigned i = 0; i < o.nkind_buf; i++)
		free(o.kind_buf[i]);
	fflush(stdout);
	return rc;
}

int
main(int argc, char *argv[])
{
	return pp_cli_main(argc, argv, tool_main);
}
