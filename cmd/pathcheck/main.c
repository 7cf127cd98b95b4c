/*
 * pathcheck: where does a packet to (or from, or through) this host die, and why?
 * args -> collect -> evaluate -> render; only main() picks the exit code.
 */
#include <stdio.h>
#include <stdlib.h>

#include "pathcheck.h"
#include "sample.h"

/* With --prom-file, a run that could not check still says so, so an alert sees it. */
static void
prom_failed_run(struct pc_opts *o)
{
	struct pp_out out;

	if (!o->cli.prom_file || pp_out_begin(&o->cli, &out) != 0)
		return;
	pc_render_prom(o, NULL, out.f, false);
	pp_out_end(&o->cli, &out, true);
}

int
main(int argc, char *argv[])
{
	struct pc_opts o;
	struct pc_facts f;
	struct pc_result r;
	struct pp_out out;
	double t0 = pp_mono_now();
	int rc;

	if ((rc = pc_args(argc, argv, &o)) != PP_EXIT_OK)
		return rc == PP_EXIT_HELP ? PP_EXIT_OK : rc;
	if ((rc = pp_cli_enter_netns(&o.cli)) != PP_EXIT_OK ||
	    (rc = pc_resolve(&o)) != PP_EXIT_OK) {
		prom_failed_run(&o);
		return rc;
	}
	if (o.q.iif[0])
		o.q.direction = PC_INGRESS;	/* until the kernel's answer says ingress or forward */
	pc_collect(&o.q, &f);			/* the kernel, through common/ */
	o.q.direction = f.eq.direction;
	pc_eval(&f.eq, &f, &r);			/* pure; sees the destination after any DNAT */
	r.elapsed = pp_mono_now() - t0;
	rc = pc_exit_code(&r);
	if (pp_out_begin(&o.cli, &out) != 0) {
		rc = PP_EXIT_USAGE;
		goto done;
	}
	switch (o.cli.format) {
	case PP_FMT_JSON: pc_render_json(&o, &r, out.f); break;
	case PP_FMT_PROM: pc_render_prom(&o, &r, out.f, true); break;
	default: pc_render_text(&o, &r, out.f); break;
	}
	if (pp_out_end(&o.cli, &out, true) != 0)
		rc = PP_EXIT_UNKNOWN;
done:
	pc_result_free(&r);
	pc_facts_free(&f);
	pp_netns_leave(&o.cli.ns);
	return rc;
}
