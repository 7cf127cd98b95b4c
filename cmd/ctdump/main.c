/*
 * ctdump: what is in the conntrack table, and is it healthy?
 *
 * args -> enter the namespace -> health (IPCTNL_MSG_CT_GET_STATS, _STATS_CPU) ->
 * list, count, aggregate (one streaming dump, filters pushed into the kernel where
 * it can apply them) or follow events -> render -> exit code.
 */
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
tool_main(int argc, char *argv[])
{
	struct ctd_opts o;
	struct pp_nl nl;
	struct pp_err e = { 0 };
	struct ctd_state s;
	struct pp_out out;
	char buf[512];
	int rc;

	if ((rc = ctd_args(argc, argv, &o)) != PP_EXIT_OK)
		return rc == PP_EXIT_HELP ? PP_EXIT_OK : rc;
	if ((rc = pp_cli_enter_netns(&o.cli)) != PP_EXIT_OK)
		return rc;
	if ((rc = pp_nl_open(&nl, NETLINK_NETFILTER, &e)) < 0) {
		pp_warn_err(&o.cli, &e);
		return PP_EXIT_UNKNOWN;
	}
	if (o.cli.nag->on) {
		rc = ctd_nagios(&o, &nl);
		pp_nl_close(&nl);
		return rc;
	}
	if (o.mode == M_EVENTS) {
		rc = ctd_run_events(&o, &nl);
		pp_nl_close(&nl);
		return rc;
	}

	memset(&s, 0, sizeof(s));
	ctd_collect_health(&nl, &s.h, o.max_fill, &s.w);
	ctd_filter_kernel(&o.f, &s.kf, s.kern, &s.nk, s.user, &s.nu, PP_ARRAY_SIZE(s.kern));
	s.r.o = &o;
	s.r.now_ns = ctd_now_real_ns();
	if ((rc = pp_out_begin(&o.cli, &out)) != 0) {
		free(s.h.cpu);
		pp_nl_close(&nl);
		return rc;
	}
	if (ctd_out_init(&s.r.out, out.f, 1 << 20, o.cli.pretty && !o.stream) < 0) {
		free(s.h.cpu);
		pp_nl_close(&nl);
		return PP_EXIT_UNKNOWN;
	}
	if (ctd_collect(&o, &nl, &s) < 0)
		return PP_EXIT_UNKNOWN;
	ctd_report(&o, &s, out.f);

	ctd_out_flush(&s.r.out);
	rc = pp_out_end(&o.cli, &out, true);
	free(s.r.out.buf);
	ctd_agg_free(&s.r.agg);
	free(s.h.cpu);
	pp_nl_close(&nl);
	if (rc)
		return rc;
	if (s.dump_rc < 0) {
		if (o.cli.format == PP_FMT_JSON)
			pp_warnx(&o.cli, "%s", pp_err_str(&s.e, buf, sizeof(buf)));
		return PP_EXIT_UNKNOWN;
	}
	if (s.r.out.err)
		return PP_EXIT_UNKNOWN;
	return exit_for(&s.h);
}

int
main(int argc, char *argv[])
{
	return pp_cli_main(argc, argv, tool_main);
}
