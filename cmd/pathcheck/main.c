/*
 * pathcheck: where does a packet to (or from, or through) this host die, and why?
 * args -> collect -> evaluate -> render; only main() picks the exit code.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "pathcheck.h"
#include "prom.h"
#include "replay.h"
#include "snap.h"

/* With --prom-file, a run that could not check still says so, so an alert sees it. */
static void
prom_failed_run(struct pc_opts *o)
{
	struct pp_out out;

	if (!o->cli.prom_file || pp_out_begin(&o->cli, &out) != 0)
		return;
	pc_render_prom(o, NULL, 0, out.f, false);
	pp_out_end(&o->cli, &out, true);
}

/*
 * A probe in flight (and its nft trace table) must end cleanly on SIGINT, SIGTERM
 * and SIGHUP. The signals are blocked in every thread and taken by a signalfd that
 * each probe polls without reading, so one signal stops all of them; the signal is
 * then raised again, its default action ending the run.
 */
static int
stop_signals_begin(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (pthread_sigmask(SIG_BLOCK, &set, NULL) != 0)
		return -1;
	return signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
}

static void
stop_signals_end(int fd)
{
	struct signalfd_siginfo si;
	sigset_t set;
	bool got = fd > 0 && read(fd, &si, sizeof(si)) == (ssize_t)sizeof(si);

	if (fd > 0)
		close(fd);
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGHUP);
	if (got)
		signal((int)si.ssi_signo, SIG_DFL);
	pthread_sigmask(SIG_UNBLOCK, &set, NULL);
	if (got)
		raise((int)si.ssi_signo);
}

/*
 * --save: after the run, the namespace's full tables too (so other questions can be
 * answered), then the file. A snapshot that cannot be written leaves the diagnosis
 * standing; the run could not do all it was asked: 3.
 */
static int
save_snapshot(struct pc_opts *o, struct pp_snap *snap)
{
	struct pp_err e = { 0 };

	if (pp_snap_dump_all(&e) < 0 || pp_snap_write(snap, o->save, &e) < 0) {
		pp_warn_err(&o->cli, &e);
		return PP_EXIT_UNKNOWN;
	}
	return PP_EXIT_OK;
}

static int
tool_main(int argc, char *argv[])
{
	struct pc_opts o;
	struct pp_snap *snap = NULL;
	struct pc_target *t = NULL;
	struct pc_replay *rp = NULL;
	struct pp_out out;
	char why[512];
	size_t n = 0;
	int rc, orc;

	if ((rc = pc_args(argc, argv, &o)) != PP_EXIT_OK)
		return rc == PP_EXIT_HELP ? PP_EXIT_OK : rc;
	/* --warning and --critical judge the probe's round trip: without a probe there is none. */
	if (pp_nagios_has_thresholds(o.cli.nag) && !o.q.probe)
		return pp_usage_error(&o.cli, "--warning and --critical apply to the probe's rtt: they need --probe");
	if (o.diff_before)
		return pc_diff_main(&o);
	if (o.snapshot) {
		struct pp_err e = { 0 };

		/* A snapshot that cannot be read is bad input, named with its piece: exit 2. */
		if ((rc = pp_snap_load(o.snapshot, &snap, &e)) < 0) {
			pp_warn_err(&o.cli, &e);
			return PP_EXIT_USAGE;
		}
		if (o.list) {
			pp_snap_list(snap, stdout, o.cli.format == PP_FMT_JSON);
			pp_snap_free(snap);
			return PP_EXIT_OK;
		}
		pp_snap_install(snap);
	}
	if ((rc = pp_cli_enter_netns(&o.cli)) != PP_EXIT_OK) {
		prom_failed_run(&o);
		goto done_snap;
	}
	if (snap) {
		pp_snap_rebase(snap);	/* -N NAME of the snapshot: every thread's namespace */
		/* Without -N, the namespace the snapshot was asked in is the one reported. */
		if (!o.cli.ns.name[0] && strcmp(pp_snap_header(snap)->netns, "self") != 0) {
			snprintf(o.cli.ns.name, sizeof(o.cli.ns.name), "%s", pp_snap_header(snap)->netns);
			pp_prom_const_label("netns", o.cli.ns.name);
		}
		/* Another tool's snapshot without the tables a walk needs: refused, not walked into unknowns. */
		if ((rc = pc_snap_usable(&o, snap, pp_snap_ns_here(snap))) != PP_EXIT_OK) {
			prom_failed_run(&o);
			pp_netns_leave(&o.cli.ns);
			goto done_snap;
		}
	}
	if (o.save) {
		if (!(snap = pp_snap_record_new(o.cli.ns.name))) {
			pp_warnx(&o.cli, "--save: out of memory");
			rc = PP_EXIT_UNKNOWN;
			goto done_snap;
		}
		pp_snap_install(snap);
	}
	if (o.file) {
		if ((rc = pc_targets_load(o.file, &o, &t, &n, why, sizeof(why))) != PP_EXIT_OK) {
			pp_warnx(&o.cli, "%s", why);
			prom_failed_run(&o);
			return rc;
		}
	} else {
		if (!(t = calloc(1, sizeof(*t)))) {
			pp_warnx(&o.cli, "out of memory");
			return PP_EXIT_UNKNOWN;
		}
		n = 1;
		t->q = o.q;
		snprintf(t->label, sizeof(t->label), "%s", o.q.dest_arg);
		/* One destination: a name that does not resolve or a device that does not exist is bad input. */
		if ((rc = pc_resolve(&t->q, why, sizeof(why))) != PP_EXIT_OK) {
			pp_warnx(&o.cli, "%s", why);
			prom_failed_run(&o);
			pc_targets_free(t, n);
			return rc;
		}
	}
	if (o.q.probe || o.q.watch > 0) {
		int sfd = stop_signals_begin();

		for (size_t i = 0; i < n; i++)
			t[i].q.stop_fd = sfd;
		pc_targets_run(t, n, o.parallel);
		stop_signals_end(sfd);
	} else
		pc_targets_run(t, n, o.parallel);	/* the kernel through common/, then the pure evaluator */
	rc = pc_targets_exit(t, n);
	/* --replay: the same targets in the kernel, the snapshot's state restored (replay.c). */
	if (o.replay && snap) {
		if (!(rp = calloc(n, sizeof(*rp)))) {
			pp_warnx(&o.cli, "out of memory");
			rc = PP_EXIT_UNKNOWN;
			goto done;
		}
		pc_replay_run(&o, snap, pp_snap_ns_here(snap), t, n, rp);
		for (size_t i = 0; i < n; i++)
			t[i].replay = &rp[i];
		rc = pc_replay_exit(rc, rp, n);
	}
	if (o.save && (orc = save_snapshot(&o, snap)) != PP_EXIT_OK)
		rc = orc;
	if (o.cli.nag->on) {
		rc = pc_render_nagios(&o, t, n);
		goto done;
	}
	/* An export that cannot be opened: the diagnosis ran, its answer could not be written (3). */
	if ((orc = pp_out_begin(&o.cli, &out)) != 0) {
		rc = orc;
		goto done;
	}
	switch (o.cli.format) {
	case PP_FMT_JSON: pc_render_json(&o, t, n, out.f); break;
	case PP_FMT_PROM: pc_render_prom(&o, t, n, out.f, true); break;
	default: pc_render_text(&o, t, n, out.f); break;
	}
	if (pp_out_end(&o.cli, &out, true) != 0)
		rc = PP_EXIT_UNKNOWN;
done:
	pc_targets_free(t, n);
	free(rp);
	pp_netns_leave(&o.cli.ns);
done_snap:
	pp_snap_install(NULL);
	pp_snap_free(snap);
	return rc;
}

int
main(int argc, char *argv[])
{
	return pp_cli_main(argc, argv, tool_main);
}
