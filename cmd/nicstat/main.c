/*
 * nicstat: is the NIC (or virtual device) saturated or dropping?
 * nicstat's columns (rKB/s wKB/s rPk/s wPk/s rAvs wAvs %Util Sat) from one
 * RTM_GETLINK dump with 64-bit counters, Sat with the root qdisc's drops from one
 * RTM_GETQDISC dump, the full error breakdown, link settings, rings and channels
 * through ethtool netlink, driver counters through the ethtool ioctl, and softnet
 * drops per CPU.
 */
#include <errno.h>
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

static int
run(struct ns_opts *op)
{
	struct ns_model m;
	struct ns_collector c;
	struct pp_nl nl;
	struct pp_err e = { 0 };
	struct pp_out out;
	bool problem = false, ok = true;
	const char *opt, *what;
	sigset_t stopset;
	double t0 = 0;
	uint64_t s;
	int rc;

	/* One thread writes stdout, through a 64 KiB buffer. Each sample is flushed. */
	pp_cli_stdout_buffered();
	if ((rc = pp_cli_enter_netns(&op->cli)) != PP_EXIT_OK) {
		if (op->cli.format == PP_FMT_PROM && pp_out_begin(&op->cli, &out) == 0) {
			memset(&m, 0, sizeof(m));
			ns_render_prom(op, &m, out.f, false);
			pp_out_end(&op->cli, &out, true);
		}
		return rc;
	}
	if (pp_nl_open(&nl, NETLINK_ROUTE, &e) < 0) {
		pp_warn_err(&op->cli, &e);
		return PP_EXIT_UNKNOWN;
	}
	if (op->count_only) {
		rc = ns_count_only(op, &nl);
		pp_nl_close(&nl);
		return rc;
	}
	pp_stop_block(&stopset);
	memset(&m, 0, sizeof(m));
	memset(&c, 0, sizeof(c));
	m.ethtool_family = -1;
	c.o = op;
	c.m = &m;
	rc = PP_EXIT_OK;
	for (s = 0; op->count == 0 || s < op->count; s++) {
		bool last = op->count != 0 && s + 1 == op->count;

		/* SIGINT/SIGTERM between samples end the run as its last sample would. */
		if (s > 0 && pp_sleep_until_stop(t0 + op->interval * (double)s, &stopset))
			break;
		m.sample = (unsigned)s;
		m.since_boot = s == 0;
		m.n_warnings = 0;
		if ((rc = ns_collect(&c, &nl, &e)) < 0) {
			if ((rc = pp_cli_snap_refuse(&op->cli, &e)) != 0) {
				ok = false;
				break;
			}
			pp_warn_err(&op->cli, &e);
			ok = false;
			rc = PP_EXIT_UNKNOWN;
			break;
		}
		if (s == 0 && (opt = ns_hits_missing(op, &c.hits, &what)) != NULL) {
			/* A device or kind asked for by name that is not there is a usage error, not an empty table. */
			if (opt[2] == 'd')
				pp_warnx(&op->cli, "--dev: '%s': no such device%s", what,
					 pp_cli_netns_name(&op->cli) ? " in this network namespace" : "");
			else
				pp_warnx(&op->cli, "--kind: '%s': no device of that kind%s", what,
					 pp_cli_netns_name(&op->cli) ? " in this network namespace" : "");
			ok = false;
			rc = PP_EXIT_USAGE;
			break;
		}
		if (s == 0)
			t0 = m.t;
		/* Old drops are evidence, not a finding: the since-boot sample decides only when it is the only one. */
		m.evaluate = s > 0;
		ns_eval(op, &m);
		if (m.evaluate && m.problem)
			problem = true;
		if (op->cli.nag->on) {
			if (last)
				ns_render_nagios(op, &m);
			continue;
		}
		if (op->cli.format == PP_FMT_TEXT) {
			if (s > 0)
				putchar('\n');
			ns_render_text(op, &m, stdout);
			fflush(stdout);
		} else if (op->cli.format == PP_FMT_JSON) {
			ns_render_json(op, &m, stdout);
		} else if (!last) {
			continue;
		}
		rc = PP_EXIT_OK;
	}
	if (op->cli.format == PP_FMT_PROM) {
		int orc = pp_out_begin(&op->cli, &out);

		if (orc != 0) {
			rc = orc;
		} else {
			ns_render_prom(op, &m, out.f, ok);
			if (pp_out_end(&op->cli, &out, true) != 0)
				rc = PP_EXIT_UNKNOWN;
		}
	}
	if (c.et_open)
		pp_ethtool_close(&c.et);
	free(c.virt);

	pp_nl_close(&nl);
	ns_model_free(&m);
	if (rc != PP_EXIT_OK)
		return rc;
	return problem ? PP_EXIT_PROBLEM : PP_EXIT_OK;
}

static int
tool_main(int argc, char *argv[])
{
	struct ns_opts o;
	int rc;

	if ((rc = ns_args(argc, argv, &o)) != PP_EXIT_OK)
		return rc == PP_EXIT_HELP ? PP_EXIT_OK : rc;
	rc = run(&o);
	return pp_cli_snap_end(&o.cli, rc);
}

int
main(int argc, char *argv[])
{
	return pp_cli_main(argc, argv, tool_main);
}
