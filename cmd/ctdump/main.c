/*
 * ctdump: what is in the conntrack table, and is it healthy?
 *
 * args -> enter the namespace -> health (IPCTNL_MSG_CT_GET_STATS, _STATS_CPU) ->
 * list, count, aggregate (one streaming dump, filters pushed into the kernel where
 * it can apply them) or follow events -> render -> exit code.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "ct.h"
#include "ctdump.h"

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

static int
run(struct ctd_opts *op)
{
	struct pp_nl nl;
	struct pp_err e = { 0 };
	struct ctd_state s;
	struct pp_out out;
	char buf[512];
	int rc;

	if ((rc = pp_cli_enter_netns(&op->cli)) != PP_EXIT_OK || (rc = ctd_resolve_labels(op)) != PP_EXIT_OK)
		return rc;
	if ((rc = pp_nl_open(&nl, NETLINK_NETFILTER, &e)) < 0) {
		pp_warn_err(&op->cli, &e);
		return PP_EXIT_UNKNOWN;
	}
	if (op->cli.nag->on) {
		rc = ctd_nagios(op, &nl);
		pp_nl_close(&nl);
		return rc;
	}
	if (op->mode == M_EVENTS) {
		rc = ctd_run_events(op, &nl);
		pp_nl_close(&nl);
		return rc;
	}

	memset(&s, 0, sizeof(s));
	ctd_collect_health(&nl, &s.h, op->max_fill, &s.w);
	/* A snapshot that holds no conntrack statistics (another tool's) cannot answer: refused. */
	if (s.h.global_err == ENODATA && (rc = pp_cli_snap_refuse(&op->cli, &s.h.global_e)) != 0) {
		free(s.h.cpu);
		pp_nl_close(&nl);
		return rc;
	}
	ctd_filter_kernel(&op->f, &s.kf, s.kern, &s.nk, s.user, &s.nu, PP_ARRAY_SIZE(s.kern));
	s.r.o = op;
	s.r.now_ns = ctd_now_real_ns();
	if ((rc = pp_out_begin(&op->cli, &out)) != 0) {
		free(s.h.cpu);
		pp_nl_close(&nl);
		return rc;
	}
	if (ctd_out_init(&s.r.out, out.f, 1 << 20, op->cli.pretty && !op->stream) < 0) {
		free(s.h.cpu);
		pp_nl_close(&nl);
		return PP_EXIT_UNKNOWN;
	}
	if (ctd_collect(op, &nl, &s) < 0)
		return PP_EXIT_UNKNOWN;
	ctd_report(op, &s, out.f);

	ctd_out_flush(&s.r.out);
	rc = pp_out_end(&op->cli, &out, true);
	free(s.r.out.buf);
	ctd_agg_free(&s.r.agg);
	free(s.h.cpu);
	pp_nl_close(&nl);
	if (rc)
		return rc;
	if (s.dump_rc < 0) {
		if (op->cli.format == PP_FMT_JSON)
			pp_warnx(&op->cli, "%s", pp_err_str(&s.e, buf, sizeof(buf)));
		return PP_EXIT_UNKNOWN;
	}
	if (s.r.out.err)
		return PP_EXIT_UNKNOWN;
	return exit_for(&s.h);
}

static int
tool_main(int argc, char *argv[])
{
	struct ctd_opts o;
	int rc;

	if ((rc = ctd_args(argc, argv, &o)) != PP_EXIT_OK)
		return rc == PP_EXIT_HELP ? PP_EXIT_OK : rc;
	rc = run(&o);
	return pp_cli_snap_end(&o.cli, rc);
}

int
main(int argc, char *argv[])
{
	return pp_cli_main(argc, argv, tool_main);
}
