/*
 * neighwatch: is L2 resolution healthy? A snapshot of the ARP/NDP tables with
 * findings, or a watch of RTNLGRP_NEIGH events.
 *
 * args -> enter netns -> collect (common/) -> nw_eval() -> render -> exit code.
 */
#include "nw.h"

static int
tool_main(int argc, char *argv[])
{
	struct pp_cli c;
	struct nw_opts o;
	int rc;

	pp_cli_init(&c, "neighwatch");
	if ((rc = nw_args(argc, argv, &c, &o)) != PP_EXIT_OK)
		return rc == PP_EXIT_HELP ? PP_EXIT_OK : rc;
	pp_cli_stdout_buffered();
	if ((rc = pp_cli_enter_netns(&c)) != PP_EXIT_OK)
		return rc;
	rc = o.watch ? nw_watch_run(&c, &o) : nw_snapshot(&c, &o);
	return pp_cli_snap_end(&c, rc);
}

int
main(int argc, char *argv[])
{
	return pp_cli_main(argc, argv, tool_main);
}
