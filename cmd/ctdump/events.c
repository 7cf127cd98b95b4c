/* events.c: ctdump -E, following conntrack events until interrupted. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <time.h>

#include "cli.h"
#include "ct.h"
#include "ctdump.h"

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

struct evrun {
	struct ctd_opts *o;
	struct ctd_out out;
	uint64_t seen, shown, bad;
};

static int
event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct evrun *r = data;
	struct pp_ct_entry ct;
	enum pp_ct_event ev;
	uint64_t now = ctd_now_real_ns();

	if (pp_ct_parse(nlh, &ct, &ev) < 0) {
		r->bad++;
		return 0;
	}
	r->seen++;
	if (!(r->o->ev_mask & (1u << ev)) || !ctd_filter_match(&r->o->f, &ct, now))
		return 0;
	r->shown++;
	/* The time the event was read, as conntrack -E -o timestamp prints it. */
	r->out.ev_ts_ns = now;
	if (r->o->cli.format == PP_FMT_TEXT) {
		ctd_text_entry(&r->out, &ct, ev, now);
	} else {
		ctd_json_entry(&r->out, NULL, &ct, ev, now);
		ctd_j_end(&r->out);
	}
	return 0;
}

int
ctd_run_events(struct ctd_opts *o, struct pp_nl *nl)
{
	struct evrun r = { .o = o };
	struct pp_err e = { 0 };
	struct sigaction sa;
	uint32_t drops0 = 0, drops;
	uint64_t lost = 0, overruns = 0;
	double deadline = 0;
	int rcvbuf, rc;
	struct timespec ts;
	char buf[512];

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	if ((rc = pp_ct_subscribe(nl, o->ev_mask, &e)) < 0) {
		pp_warn_err(&o->cli, &e);
		if (pp_errno_needs(rc))
			pp_warnx(&o->cli, "events %s", pp_errno_needs(rc));
		return PP_EXIT_UNKNOWN;
	}
	/* Family and protocol are filtered in the kernel too: fewer events to queue for us. */
	if ((rc = pp_ct_events_filter(nl, o->f.family, o->f.has_proto, o->f.proto)) < 0)
		pp_warnx(&o->cli, "socket filter not attached (%s): filtering events in userspace",
			 strerror(-rc));
	rcvbuf = pp_nl_set_rcvbuf(nl, (int)o->rcvbuf);
	pp_ct_sock_drops(nl, &drops0);
	if (ctd_out_init(&r.out, stdout, 1 << 16, false) < 0)
		return PP_EXIT_UNKNOWN;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	if (o->duration > 0)
		deadline = (double)ts.tv_sec + ts.tv_nsec / 1e9 + o->duration;
	while (!stop) {
		struct pollfd pfd = { .fd = pp_nl_fd(nl), .events = POLLIN };
		int wait = 250;

		if (deadline > 0) {
			double now;

			clock_gettime(CLOCK_MONOTONIC, &ts);
			now = (double)ts.tv_sec + ts.tv_nsec / 1e9;
			if (now >= deadline)
				break;
			if ((deadline - now) * 1000 < wait)
				wait = (int)((deadline - now) * 1000) + 1;
		}
		rc = poll(&pfd, 1, wait);
		if (rc < 0 && errno != EINTR)
			break;
		if (rc <= 0)
			continue;
		for (;;) {
			rc = pp_nl_recv_events(nl, event_cb, &r, &e);
			if (rc == -ENOBUFS) {
				/* The kernel could not queue events for us: say how many, grow, go on. */
				uint64_t n = 0;

				overruns++;
				if (pp_ct_sock_drops(nl, &drops) == 0) {
					n = (uint32_t)(drops - drops0);
					drops0 = drops;
				}
				lost += n;
				rcvbuf = pp_nl_set_rcvbuf(nl, rcvbuf > 0 && rcvbuf < (1 << 28) ? rcvbuf * 2 : 1 << 28);
				ctd_out_flush(&r.out);
				fflush(stdout);
				pp_warnx(&o->cli, "ENOBUFS: %llu events lost (the reader fell behind); "
					 "receive buffer grown to %d bytes",
					 (unsigned long long)n, rcvbuf);
				if (o->cli.format == PP_FMT_JSON) {
					ctd_j_obj(&r.out, NULL);
					ctd_j_str(&r.out, "schema", "ctdump/1");
					ctd_j_str(&r.out, "type", "lost");
					ctd_j_u64(&r.out, "lost", n);
					ctd_j_u64(&r.out, "rcvbuf", rcvbuf > 0 ? (uint64_t)rcvbuf : 0);
					ctd_j_obj_end(&r.out);
					ctd_j_end(&r.out);
				}
				continue;
			}
			if (rc < 0) {
				pp_warnx(&o->cli, "receiving events: %s", pp_err_str(&e, buf, sizeof(buf)));
				stop = 1;
			}
			break;
		}
		ctd_out_flush(&r.out);
		fflush(stdout);
	}
	if (o->cli.format == PP_FMT_JSON) {
		ctd_j_obj(&r.out, NULL);
		ctd_j_str(&r.out, "schema", "ctdump/1");
		ctd_j_str(&r.out, "netns", pp_cli_netns_name(&o->cli));
		ctd_j_str(&r.out, "type", "summary");
		ctd_j_u64(&r.out, "events", r.seen);
		ctd_j_u64(&r.out, "shown", r.shown);
		ctd_j_u64(&r.out, "lost", lost);
		ctd_j_u64(&r.out, "overruns", overruns);
		ctd_j_u64(&r.out, "malformed", r.bad);
		ctd_j_obj_end(&r.out);
		ctd_j_end(&r.out);
	}
	ctd_out_free(&r.out);
	if (o->cli.format == PP_FMT_TEXT)
		pp_warnx(&o->cli, "%llu events shown (%llu seen, %llu lost)",
			 (unsigned long long)r.shown, (unsigned long long)r.seen,
			 (unsigned long long)lost);
	return lost ? PP_EXIT_PROBLEM : PP_EXIT_OK;
}
