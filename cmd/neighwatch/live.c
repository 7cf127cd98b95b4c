/* live.c: neighwatch -w, following RTNLGRP_NEIGH events with resyncs after overruns. */
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "nexthop.h"
#include "nw.h"
#include "parse.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

static volatile sig_atomic_t stop_sig;

static void
on_signal(int sig)
{
	stop_sig = sig;
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static const char *
now_str(char *buf, size_t len)
{
	struct timespec ts;
	struct tm tm;
	char t[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(t, sizeof(t), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06ldZ", t, ts.tv_nsec / 1000);
	return buf;
}

struct wctx {
	struct pp_cli *c;
	struct nw_opts *o;
	struct nw_watch w;
	struct pp_nl ev, dump;
	struct nw_snap names;		/* links only: ifindex -> name */
	bool json, quiet;
	uint64_t events, overruns, lost, resyncs, lladdr_changes_seen, flaps_seen;
	uint64_t start_ms;
	uint32_t drops_base;
	bool have_drops;
	int rcvbuf;
	uint64_t changes_base;		/* model changes made by the first dump */
	struct nw_table tbase[2];	/* table counters at the last poll */
	uint64_t table_alerts;		/* polls that saw table_fulls or forced_gc_runs rise */
	uint64_t next_table_ms, next_prom_ms;
};

static const char *
w_ifname(struct wctx *x, int ifindex, char *buf, size_t len)
{
	if (!nw_snap_link(&x->names, ifindex)) {
		struct pp_link l;
		struct pp_err e = { 0 };

		/*
		 * A device that appeared after we started: ask once and remember it.
		 * Devices come and go for as long as the watch runs (containers), so
		 * the name cache is bounded too: past NW_NAMES_MAX it starts afresh.
		 */
		if (pp_link_get(&x->dump, ifindex, NULL, &l, &e) == 0) {
			if (x->names.nlinks >= NW_NAMES_MAX)
				x->names.nlinks = 0;
			nw_snap_add_link(&x->names, &l);
		}
	}
	return nw_ifname(&x->names, ifindex, buf, len);
}

static void
print_event(const struct nw_event *ev, void *data)
{
	struct wctx *x = data;
	char ts[48], a[INET6_ADDRSTRLEN], db[IF_NAMESIZE + 8], sb[64], osb[64], ll[3 * 32], oll[3 * 32];
	static const char *types[] = { "none", "new", "change", "del" };
	const char *dev, *st, *ost;

	if (ev->lladdr_changed)
		x->lladdr_changes_seen++;
	if (ev->flap_start)
		x->flaps_seen++;
	if (x->quiet)
		return;
	now_str(ts, sizeof(ts));
	pp_addr_str(&ev->dst, a, sizeof(a));
	dev = w_ifname(x, ev->ifindex, db, sizeof(db));
	st = nw_state_name(ev->state, sb, sizeof(sb));
	ost = nw_state_name(ev->old_state, osb, sizeof(osb));
	pp_lladdr_str(ev->lladdr, ev->lladdr_len, ll, sizeof(ll));
	pp_lladdr_str(ev->old_lladdr, ev->old_lladdr_len, oll, sizeof(oll));
	if (x->json) {
		struct pp_json j;

		pp_json_init(&j, stdout, false);
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "type", "event");
		pp_json_str(&j, "time", ts);
		pp_json_str(&j, "event", types[ev->type]);
		pp_json_str(&j, "family", nw_family_name(ev->family));
		pp_json_str(&j, "dst", a);
		pp_json_str(&j, "device", dev);
		pp_json_u64(&j, "ifindex", (uint64_t)ev->ifindex);
		pp_json_str(&j, "state", st);
		if (ev->had_old)
			pp_json_str(&j, "old_state", ost);
		if (ev->lladdr_len)
			pp_json_str(&j, "lladdr", ll);
		if (ev->lladdr_changed)
			pp_json_str(&j, "old_lladdr", oll);
		pp_json_bool(&j, "lladdr_changed", ev->lladdr_changed);
		pp_json_bool(&j, "flapping", ev->flapping);
		pp_json_bool(&j, "flap_start", ev->flap_start);
		if (ev->flips_in_window)
			pp_json_u64(&j, "flips_in_window", ev->flips_in_window);
		pp_json_bool(&j, "resync", ev->resync);
		pp_json_obj_close(&j);
		pp_json_end(&j);
		return;
	}
	printf("%s %-6s %-5s %s dev %s", ts, types[ev->type], nw_family_name(ev->family), a, dev);
	if (ev->lladdr_changed)
		printf(" lladdr %s -> %s", oll, ll);
	else if (ev->lladdr_len)
		printf(" lladdr %s", ll);
	if (ev->type == NW_EV_CHANGE && ev->old_state != ev->state)
		printf(" %s -> %s", ost, st);
	else
		printf(" %s", st);
	if (ev->resync)
		fputs(" (resync)", stdout);
	if (ev->lladdr_changed)
		fputs(" [MAC CHANGED]", stdout);
	if (ev->flap_start)
		printf(" [FLAPPING: %u flips within %gs]", ev->flips_in_window, x->o->flap_window);
	else if (ev->flapping)
		fputs(" [flapping]", stdout);
	putchar('\n');
	fflush(stdout);
}

static int
event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct wctx *x = data;
	struct pp_neigh n;
	struct nw_event ev;
	int rc;

	if (nlh->nlmsg_type != RTM_NEWNEIGH && nlh->nlmsg_type != RTM_DELNEIGH)
		return 0;
	if ((rc = pp_neigh_decode(nlh, &n)) < 0) {
		/* RTNLGRP_NEIGH also carries the bridges' FDB (AF_BRIDGE): not ours, not malformed. */
		if (rc != -EAFNOSUPPORT)
			x->ev.bad_msgs++;
		return 0;
	}
	if ((x->o->family && n.family != x->o->family) || (x->o->ifindex && n.ifindex != x->o->ifindex))
		return 0;
	x->events++;
	if (nw_watch_apply(&x->w, &n, nlh->nlmsg_type == RTM_DELNEIGH, mono_ms(), &ev))
		print_event(&ev, x);
	return 0;
}

static int
resync_neigh_cb(const struct pp_neigh *n, void *data)
{
	struct wctx *x = data;
	struct nw_event ev;

	if (x->o->family && n->family != x->o->family)
		return 0;
	if (nw_watch_apply(&x->w, n, false, mono_ms(), &ev)) {
		ev.resync = true;
		print_event(&ev, x);
	}
	return 0;
}

/* Dump the table and make the model equal to it. Returns 0 or -errno. */
static int
resync(struct wctx *x, bool initial, struct pp_err *e)
{
	uint64_t changes = x->w.changes;
	char ts[48];
	int rc;

	nw_watch_resync_begin(&x->w);
	x->quiet = initial;
	/* Per family, as in nw_collect(): an AF_UNSPEC dump would bring bridge FDB entries too. */
	rc = 0;
	for (int fam = AF_INET; rc == 0 && fam; fam = fam == AF_INET ? AF_INET6 : 0)
		if (!x->o->family || x->o->family == fam)
			rc = pp_neigh_dump(&x->dump, fam, x->o->ifindex, resync_neigh_cb, NULL, x, e);
	if (rc == 0)
		nw_watch_resync_end(&x->w, mono_ms(), print_event, x);
	x->quiet = false;
	if (rc < 0 || initial)
		return rc;
	x->resyncs++;
	now_str(ts, sizeof(ts));
	if (x->json) {
		struct pp_json j;

		pp_json_init(&j, stdout, false);
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "type", "resync");
		pp_json_str(&j, "time", ts);
		pp_json_u64(&j, "entries", x->w.present);
		pp_json_u64(&j, "changed", x->w.changes - changes);
		pp_json_obj_close(&j);
		pp_json_end(&j);
	} else {
		printf("%s resync: %llu entries, %llu corrected by the dump\n", ts,
		       (unsigned long long)x->w.present, (unsigned long long)(x->w.changes - changes));
		fflush(stdout);
	}
	return 0;
}

/* The kernel's count of messages dropped for this socket (SO_MEMINFO, sk_drops). */
static bool
sock_drops(struct pp_nl *nl, uint32_t *out)
{
	uint32_t mi[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mi);

	memset(mi, 0, sizeof(mi));
	if (getsockopt(pp_nl_fd(nl), SOL_SOCKET, SO_MEMINFO, mi, &len) < 0 ||
	    len < (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t))
		return false;
	*out = mi[SK_MEMINFO_DROPS];
	return true;
}

static int
overrun(struct wctx *x, struct pp_err *e)
{
	uint32_t drops = 0;
	bool have = false;
	int64_t lost = -1;
	char ts[48];
	int rc, got, want;

	x->overruns++;
	/* Read what is still queued first: it is older than the dump that follows. */
	for (int i = 0; i < 4096; i++) {
		rc = pp_nl_recv_events(&x->ev, event_cb, x, e);
		if (rc == 0)
			break;
		if (rc < 0 && rc != -ENOBUFS)
			return rc;
	}
	if (x->have_drops && (have = sock_drops(&x->ev, &drops))) {
		lost = (int64_t)(uint32_t)(drops - x->drops_base);
		x->drops_base = drops;
		x->lost += (uint64_t)lost;
	}
	want = x->rcvbuf < NW_RCVBUF_MAX / 2 ? x->rcvbuf * 2 : NW_RCVBUF_MAX;
	if (want < 256 * 1024 && x->rcvbuf < 128 * 1024 && x->o->rcvbuf == 0)
		want = 256 * 1024;
	got = pp_nl_set_rcvbuf(&x->ev, want);
	if (got > 0)
		x->rcvbuf = got;
	now_str(ts, sizeof(ts));
	if (x->json) {
		struct pp_json j;

		pp_json_init(&j, stdout, false);
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "type", "overrun");
		pp_json_str(&j, "time", ts);
		if (lost >= 0)
			pp_json_u64(&j, "lost", (uint64_t)lost);
		pp_json_u64(&j, "overruns", x->overruns);
		pp_json_u64(&j, "rcvbuf", (uint64_t)x->rcvbuf);
		pp_json_obj_close(&j);
		pp_json_end(&j);
	} else {
		if (lost >= 0)
			printf("%s overrun: %lld events lost (ENOBUFS), receive buffer now %d bytes; resyncing\n", ts,
			       (long long)lost, x->rcvbuf);
		else
			printf("%s overrun: events lost (ENOBUFS, count unknown), receive buffer now %d bytes; resyncing\n",
			       ts, x->rcvbuf);
		fflush(stdout);
	}
	return resync(x, false, e);
}

/* Poll the global tables; report counters that rose since the last poll. */
static void
table_poll(struct wctx *x, bool first)
{
	struct pp_err e = { 0 };
	struct nw_snap t;
	char ts[48];

	nw_snap_init(&t);
	if (pp_ntable_dump(&x->dump, x->o->family, nw_ntable_cb, nw_ntable_reset, &t, &e) < 0) {
		nw_snap_free(&t);
		return;
	}
	for (int i = 0; i < 2; i++) {
		const struct nw_table *n = &t.tables[i], *b = &x->tbase[i];
		uint64_t fulls, forced, resf;

		if (!n->have || !n->has_stats)
			continue;
		if (first || !b->have || !b->has_stats) {
			x->tbase[i] = *n;
			continue;
		}
		fulls = n->stats.ndts_table_fulls - b->stats.ndts_table_fulls;
		forced = n->stats.ndts_forced_gc_runs - b->stats.ndts_forced_gc_runs;
		resf = n->stats.ndts_res_failed - b->stats.ndts_res_failed;
		x->tbase[i] = *n;
		if (!fulls && !forced && !resf)
			continue;
		if (fulls || forced)
			x->table_alerts++;
		if (x->quiet)
			continue;
		now_str(ts, sizeof(ts));
		if (x->json) {
			struct pp_json j;

			pp_json_init(&j, stdout, false);
			pp_json_obj_open(&j, NULL);
			pp_json_str(&j, "type", "table");
			pp_json_str(&j, "time", ts);
			pp_json_str(&j, "family", nw_family_name(n->family));
			pp_json_str(&j, "name", n->name);
			pp_json_str(&j, "scope", "global");
			pp_json_u64(&j, "table_fulls", fulls);
			pp_json_u64(&j, "forced_gc_runs", forced);
			pp_json_u64(&j, "res_failed", resf);
			if (n->has_config)
				pp_json_u64(&j, "entries", n->config.ndtc_entries);
			if (n->has_thresh) {
				pp_json_u64(&j, "gc_thresh2", n->thresh2);
				pp_json_u64(&j, "gc_thresh3", n->thresh3);
			}
			pp_json_obj_close(&j);
			pp_json_end(&j);
		} else {
			printf("%s table  %-5s %s: +%llu table_fulls, +%llu forced_gc_runs, +%llu res_failed; %u entries",
			       ts, nw_family_name(n->family), n->name, (unsigned long long)fulls,
			       (unsigned long long)forced, (unsigned long long)resf, n->config.ndtc_entries);
			if (n->has_thresh)
				printf(", gc_thresh2/3 %u/%u", n->thresh2, n->thresh3);
			printf(" (global: every network namespace counts)\n");
			fflush(stdout);
		}
	}
	nw_snap_free(&t);
}

static void
summary(struct wctx *x)
{
	char ts[48], a[INET6_ADDRSTRLEN], dev[IF_NAMESIZE + 8], st[64], ll[3 * 32];
	double dur = (double)(mono_ms() - x->start_ms) / 1000.0;

	now_str(ts, sizeof(ts));
	if (x->json) {
		struct pp_json j;

		pp_json_init(&j, stdout, false);
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "schema", "neighwatch/1");
		pp_json_str(&j, "type", "summary");
		pp_json_str(&j, "netns", pp_cli_netns_name(x->c));
		pp_json_str(&j, "time", ts);
		pp_json_double(&j, "duration_s", dur);
		pp_json_u64(&j, "events", x->events);
		pp_json_u64(&j, "changes", x->w.changes - x->changes_base);
		pp_json_u64(&j, "flaps", x->w.flaps);
		pp_json_u64(&j, "lladdr_changes", x->w.lladdr_changes);
		pp_json_u64(&j, "overruns", x->overruns);
		if (x->have_drops)
			pp_json_u64(&j, "events_lost", x->lost);
		pp_json_u64(&j, "resyncs", x->resyncs);
		pp_json_u64(&j, "table_alerts", x->table_alerts);
		pp_json_u64(&j, "entries", x->w.present);
		pp_json_u64(&j, "tracked", x->w.n);
		pp_json_u64(&j, "evicted", x->w.evicted);
		pp_json_u64(&j, "rcvbuf", (uint64_t)x->rcvbuf);
		if (x->o->final_entries) {
			pp_json_arr_open(&j, "final_entries");
			for (uint32_t i = 0; i < x->w.n; i++) {
				const struct nw_went *e = &x->w.e[i];

				if (!e->present)
					continue;
				pp_json_obj_open(&j, NULL);
				pp_json_str(&j, "family", nw_family_name(e->family));
				pp_json_str(&j, "dst", pp_addr_str(&e->dst, a, sizeof(a)));
				pp_json_str(&j, "device", w_ifname(x, e->ifindex, dev, sizeof(dev)));
				pp_json_str(&j, "state", nw_state_name(e->state, st, sizeof(st)));
				if (e->lladdr_len)
					pp_json_str(&j, "lladdr", pp_lladdr_str(e->lladdr, e->lladdr_len, ll, sizeof(ll)));
				pp_json_obj_close(&j);
			}
			pp_json_arr_close(&j);
		}
		pp_json_arr_open(&j, "warnings");
		if (x->ev.bad_msgs)
			pp_json_str(&j, NULL, "malformed neighbour events skipped");
		pp_json_arr_close(&j);
		pp_json_obj_close(&j);
		pp_json_end(&j);
		return;
	}
	printf("%s summary: %.1fs, %llu events, %llu changes, %llu flaps, %llu MAC changes, %llu overruns",
	       ts, dur, (unsigned long long)x->events, (unsigned long long)(x->w.changes - x->changes_base),
	       (unsigned long long)x->w.flaps, (unsigned long long)x->w.lladdr_changes,
	       (unsigned long long)x->overruns);
	if (x->have_drops)
		printf(" (%llu events lost)", (unsigned long long)x->lost);
	if (x->table_alerts)
		printf(", %llu table pressure alerts", (unsigned long long)x->table_alerts);
	printf(", %llu resyncs, %llu entries now, %u tracked, %llu evicted\n", (unsigned long long)x->resyncs,
	       (unsigned long long)x->w.present, x->w.n, (unsigned long long)x->w.evicted);
	if (x->o->final_entries)
		for (uint32_t i = 0; i < x->w.n; i++) {
			const struct nw_went *e = &x->w.e[i];

			if (!e->present)
				continue;
			printf("  %s dev %s %s %s\n", pp_addr_str(&e->dst, a, sizeof(a)),
			       w_ifname(x, e->ifindex, dev, sizeof(dev)),
			       e->lladdr_len ? pp_lladdr_str(e->lladdr, e->lladdr_len, ll, sizeof(ll)) : "-",
			       nw_state_name(e->state, st, sizeof(st)));
		}
	fflush(stdout);
}

/* The exposition of a watch: a fresh snapshot plus the watch's counters. Returns 0 or an exit code. */
static int
watch_prom(struct wctx *x, int ret)
{
	uint64_t ctr[3] = { x->events, x->overruns, x->lost };
	struct nw_snap s;
	int erc;

	nw_snap_init(&s);
	if (nw_collect(x->c, &x->dump, x->o, &s) == 0 && nw_eval(&s, x->o) >= 0)
		erc = nw_render_prom_snapshot(x->c, &s, &x->w, ctr, ret == PP_EXIT_OK);
	else
		erc = nw_render_prom_snapshot(x->c, NULL, NULL, NULL, false);
	nw_snap_free(&s);
	return erc;
}

int
nw_watch_run(struct pp_cli *c, struct nw_opts *o)
{
	struct sigaction sa;
	struct wctx x;
	struct pp_err e = { 0 };
	uint64_t end_ms = 0;
	char ts[48];
	int rc, ret = PP_EXIT_OK;
	bool prom = c->format == PP_FMT_PROM;

	memset(&x, 0, sizeof(x));
	x.c = c;
	x.o = o;
	/* --prom: the exposition is stdout, so no event lines; --prom-file: events as asked. */
	x.json = prom ? (c->prom_file && o->json_events) : c->format == PP_FMT_JSON;
	x.quiet = false;
	nw_snap_init(&x.names);
	if (nw_watch_init(&x.w, o->max_entries, o->flap_count, o->flap_window) < 0) {
		pp_warnx(c, "out of memory");
		return PP_EXIT_UNKNOWN;
	}
	if ((rc = pp_nl_open(&x.ev, NETLINK_ROUTE, &e)) < 0 || (rc = pp_nl_open(&x.dump, NETLINK_ROUTE, &e)) < 0) {
		pp_warn_err(c, &e);
		nw_watch_free(&x.w);
		return PP_EXIT_UNKNOWN;
	}
	if (o->rcvbuf && (rc = pp_nl_set_rcvbuf(&x.ev, o->rcvbuf)) < 0)
		pp_warnx(c, "--rcvbuf %d: %s", o->rcvbuf, strerror(-rc));
	{
		int v = 0;
		socklen_t sl = sizeof(v);

		if (getsockopt(pp_nl_fd(&x.ev), SOL_SOCKET, SO_RCVBUF, &v, &sl) == 0)
			x.rcvbuf = v;
	}
	/* Subscribe before the first dump, so no change falls between the two. */
	if ((rc = pp_nl_subscribe(&x.ev, RTNLGRP_NEIGH, &e)) < 0) {
		pp_warn_err(c, &e);
		ret = PP_EXIT_UNKNOWN;
		goto out;
	}
	x.have_drops = sock_drops(&x.ev, &x.drops_base);
	if ((rc = pp_link_dump(&x.dump, nw_link_cb, nw_link_reset, &x.names, &e)) < 0)
		pp_warnx(c, "device names unknown: RTM_GETLINK dump: %s", strerror(-rc));
	if ((rc = nw_resolve_dev(c, &x.names, o)) != PP_EXIT_OK) {
		ret = rc;
		goto out;
	}
	if ((rc = resync(&x, true, &e)) < 0) {
		pp_warn_err(c, &e);
		ret = PP_EXIT_UNKNOWN;
		goto out;
	}
	x.changes_base = x.w.changes;
	if (o->table_interval > 0)
		table_poll(&x, true);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	x.start_ms = mono_ms();
	if (o->duration > 0)
		end_ms = x.start_ms + (uint64_t)(o->duration * 1000.0);
	x.next_table_ms = x.start_ms + (uint64_t)(o->table_interval * 1000.0);
	x.next_prom_ms = x.start_ms + NW_PROM_EVERY_MS;
	now_str(ts, sizeof(ts));
	if (x.json) {
		struct pp_json j;

		pp_json_init(&j, stdout, false);
		pp_json_obj_open(&j, NULL);
		pp_json_str(&j, "schema", "neighwatch/1");
		pp_json_str(&j, "type", "start");
		pp_json_str(&j, "netns", pp_cli_netns_name(c));
		pp_json_str(&j, "time", ts);
		pp_json_u64(&j, "entries", x.w.present);
		pp_json_u64(&j, "rcvbuf", (uint64_t)x.rcvbuf);
		pp_json_obj_close(&j);
		pp_json_end(&j);
	} else if (!prom || c->prom_file) {
		printf("%s watching neighbour events: %llu entries\n", ts, (unsigned long long)x.w.present);
		fflush(stdout);
	}
	if (prom && !c->prom_file)
		x.quiet = true;
	while (!stop_sig) {
		struct pollfd pfd = { .fd = pp_nl_fd(&x.ev), .events = POLLIN };
		int timeout = 1000;
		uint64_t now = mono_ms();

		if (end_ms) {
			if (now >= end_ms)
				break;
			if (end_ms - now < (uint64_t)timeout)
				timeout = (int)(end_ms - now);
		}
		if (o->table_interval > 0 && now >= x.next_table_ms) {
			table_poll(&x, false);
			x.next_table_ms = now + (uint64_t)(o->table_interval * 1000.0);
		}
		if (c->prom_file && now >= x.next_prom_ms) {
			watch_prom(&x, PP_EXIT_OK);
			x.next_prom_ms = now + NW_PROM_EVERY_MS;
		}
		rc = poll(&pfd, 1, timeout);
		if (rc < 0) {
			if (errno == EINTR)
				continue;
			pp_warnx(c, "poll: %s", strerror(errno));
			ret = PP_EXIT_UNKNOWN;
			break;
		}
		if (rc == 0)
			continue;
		for (int i = 0; i < 64; i++) {
			rc = pp_nl_recv_events(&x.ev, event_cb, &x, &e);
			if (rc == -ENOBUFS) {
				if ((rc = overrun(&x, &e)) < 0) {
					pp_warn_err(c, &e);
					ret = PP_EXIT_UNKNOWN;
					goto done;
				}
				continue;
			}
			if (rc < 0) {
				pp_warnx(c, "receiving neighbour events: %s", strerror(-rc));
				ret = PP_EXIT_UNKNOWN;
				goto done;
			}
			if (rc == 0)
				break;
		}
	}
done:
	x.quiet = prom && !c->prom_file;
	if (!prom || c->prom_file)
		summary(&x);
	if (prom) {
		int erc = watch_prom(&x, ret);

		if (erc)
			ret = erc;
	}
	if (ret == PP_EXIT_OK && (x.w.flaps || x.w.lladdr_changes || x.table_alerts))
		ret = PP_EXIT_PROBLEM;
out:
	pp_nl_close(&x.ev);
	pp_nl_close(&x.dump);
	nw_snap_free(&x.names);
	nw_watch_free(&x.w);
	return ret;
}

