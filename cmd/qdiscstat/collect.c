/*
 * collect.c: one sample of every qdisc and class.
 *
 * The kernel dumps the qdiscs of all devices in one RTM_GETQDISC dump, but it
 * dumps classes only per device (RTM_GETTCLASS needs tcm_ifindex). At 4000
 * devices those per-device dumps are most of the cost, and they do not serialize
 * in the kernel, so they run on a few threads, each with its own netlink socket;
 * the same threads read each device's name with SIOCGIFNAME, which costs one
 * ioctl per device against 1.1 KB per device for a link dump (tc(8) dumps every
 * link just to learn names). Devices without a classful qdisc get no class dump.
 */
#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "link.h"
#include "qs.h"
#include "sample.h"

#define QS_MAX_WORKERS 8
/* Below this many devices threads cost more than they save. */
#define QS_THREAD_MIN_DEVS 64

struct qs_worker {
	struct pp_nl nl;
	int ioctl_fd;
	pthread_t tid;
	struct qs_collector *c;
	struct qs_sample *s;		/* the shared sample: devices only, each written by one worker */
	struct qs_sample part;		/* this worker's classes */
	size_t dev_start;		/* part.n when the current device began (for DUMP_INTR) */
	size_t *cls_first;		/* per device: first class in part (shared array, own devices only) */
	unsigned *cls_worker;
	unsigned id;
	atomic_size_t *next;
	unsigned errors;
	struct pp_err err;
	uint64_t count;			/* count-only mode */
	bool count_only;
};

void
qs_sample_free(struct qs_sample *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->obj[i].blob);
	free(s->obj);
	free(s->dev);
	memset(s, 0, sizeof(*s));
}

static int
obj_from(struct qs_obj *o, const struct pp_qdisc *q)
{
	memset(o, 0, sizeof(*o));
	o->ifindex = q->ifindex;
	o->handle = q->handle;
	o->parent = q->parent;
	memcpy(o->kind, q->kind, sizeof(o->kind));
	o->kind[sizeof(o->kind) - 1] = '\0';
	o->is_class = q->is_class;
	o->has_stats2 = q->has_stats2;
	o->has_rate = q->has_rate;
	o->bytes = q->bytes;
	o->packets = q->packets;
	o->drops = q->drops;
	o->overlimits = q->overlimits;
	o->requeues = q->requeues;
	o->backlog = q->backlog;
	o->qlen = q->qlen;
	o->est_bps = q->bps;
	o->est_pps = q->pps;
	if (q->xstats_len + q->options_len) {
		o->blob = malloc((size_t)q->xstats_len + q->options_len);
		if (!o->blob)
			return -ENOMEM;
		memcpy(o->blob, q->xstats, q->xstats_len);
		memcpy(o->blob + q->xstats_len, q->options, q->options_len);
		o->xs_len = q->xstats_len;
		o->opt_len = q->options_len;
	}
	return 0;
}

int
qs_sample_add(struct qs_sample *s, const struct pp_qdisc *q)
{
	if (s->n == s->cap) {
		size_t nc = s->cap ? s->cap * 2 : 256;
		struct qs_obj *no = realloc(s->obj, nc * sizeof(*no));

		if (!no)
			return -ENOMEM;
		s->obj = no;
		s->cap = nc;
	}
	if (obj_from(&s->obj[s->n], q) < 0)
		return -ENOMEM;
	s->n++;
	return 0;
}

static int
dev_add(struct qs_sample *s, int ifindex)
{
	if (s->ndev == s->devcap) {
		size_t nc = s->devcap ? s->devcap * 2 : 64;
		struct qs_dev *nd = realloc(s->dev, nc * sizeof(*nd));

		if (!nd)
			return -ENOMEM;
		s->dev = nd;
		s->devcap = nc;
	}
	memset(&s->dev[s->ndev], 0, sizeof(s->dev[0]));
	s->dev[s->ndev].ifindex = ifindex;
	s->ndev++;
	return 0;
}

/* ---- the qdisc dump ---- */

static int
qdisc_cb(const struct pp_qdisc *q, void *data)
{
	struct qs_sample *s = data;
	struct qs_dev *d;

	/*
	 * The kernel walks devices one at a time, so a device's qdiscs arrive
	 * together; a device seen again later would only mean a reordered dump, and
	 * it gets a second entry that eval treats the same way.
	 */
	if (s->ndev == 0 || s->dev[s->ndev - 1].ifindex != q->ifindex) {
		if (dev_add(s, q->ifindex) < 0)
			return -ENOMEM;
		s->dev[s->ndev - 1].first = s->n;
	}
	d = &s->dev[s->ndev - 1];
	if (qs_sample_add(s, q) < 0)
		return -ENOMEM;
	d->n++;
	d->nq++;
	if (pp_tc_kind_classful(q->kind))
		d->classful = true;
	return 0;
}

static void
qdisc_reset(void *data)
{
	struct qs_sample *s = data;
	double mono = s->mono, wall = s->wall;

	qs_sample_free(s);
	s->mono = mono;
	s->wall = wall;
}

/* ---- per-device work: name and classes ---- */

static int
class_cb(const struct pp_qdisc *q, void *data)
{
	struct qs_worker *w = data;

	return qs_sample_add(&w->part, q);
}

static void
class_reset(void *data)
{
	struct qs_worker *w = data;

	while (w->part.n > w->dev_start)
		free(w->part.obj[--w->part.n].blob);
}

static bool
dev_wanted(const struct qs_collector *c, const char *name)
{
	if (!c->dev_globs)
		return true;
	for (const char *const *g = c->dev_globs; *g; g++)
		if (fnmatch(*g, name, 0) == 0)
			return true;
	return false;
}

/* Count-only class dumps: no decoding at all. */
static int
count_cb(const struct nlmsghdr *nlh, void *data)
{
	uint64_t *n = data;

	(*n)++;
	(void)nlh;
	return 0;
}

static int
class_dump_raw(struct pp_nl *nl, int ifindex, uint64_t *n, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct tcmsg *tcm;

	nlh->nlmsg_type = RTM_GETTCLASS;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	return pp_nl_dump(nl, nlh, count_cb, n, NULL, e);
}

static void
work_dev(struct qs_worker *w, size_t i)
{
	struct qs_dev *d = &w->s->dev[i];
	struct qs_collector *c = w->c;
	struct pp_err e = { 0 };
	int rc;

	if (w->count_only) {
		if (d->classful && class_dump_raw(&w->nl, d->ifindex, &w->count, &e) < 0)
			w->errors++;
		return;
	}
	if (w->ioctl_fd >= 0) {
		struct ifreq r;

		memset(&r, 0, sizeof(r));
		r.ifr_ifindex = d->ifindex;
		if (ioctl(w->ioctl_fd, SIOCGIFNAME, &r) == 0)
			memcpy(d->name, r.ifr_name, sizeof(d->name));
		d->name[sizeof(d->name) - 1] = '\0';
	}
	if (!d->name[0])
		snprintf(d->name, sizeof(d->name), "if%d", d->ifindex);
	if (!dev_wanted(c, d->name)) {
		d->filtered = true;	/* merge drops it */
		return;
	}
	w->cls_worker[i] = w->id;
	w->cls_first[i] = w->part.n;
	if (!c->classes || !d->classful)
		return;
	w->dev_start = w->part.n;
	rc = pp_qdisc_dump(&w->nl, d->ifindex, true, class_cb, class_reset, w, &e);
	if (rc < 0 && rc != -ENODEV) {
		/* The device may have gone since the qdisc dump: its classes are simply not there. */
		class_reset(w);
		if (!w->errors++)
			w->err = e;
	}
}

static void *
worker_main(void *arg)
{
	struct qs_worker *w = arg;
	size_t i;

	while ((i = atomic_fetch_add(w->next, 1)) < w->s->ndev)
		work_dev(w, i);
	return NULL;
}

/* Run work_dev over every device, on threads when there are many. */
static void
run_workers(struct qs_collector *c, struct qs_sample *s, size_t *cls_first, unsigned *cls_worker,
	    bool count_only)
{
	atomic_size_t next = 0;
	unsigned nw = c->nworkers, started = 0;

	if (s->ndev < QS_THREAD_MIN_DEVS)
		nw = 1;
	for (unsigned k = 0; k < c->nworkers; k++) {
		struct qs_worker *w = &c->w[k];

		w->s = s;
		w->next = &next;
		w->cls_first = cls_first;
		w->cls_worker = cls_worker;
		w->errors = 0;
		w->count = 0;
		w->count_only = count_only;
		memset(&w->err, 0, sizeof(w->err));
	}
	/* Worker 0 runs on this thread; the others on their own. */
	for (unsigned k = 1; k < nw; k++) {
		if (pthread_create(&c->w[k].tid, NULL, worker_main, &c->w[k]) != 0)
			break;
		started = k;
	}
	worker_main(&c->w[0]);
	for (unsigned k = 1; k <= started; k++)
		pthread_join(c->w[k].tid, NULL);
}

/* ---- link facts for the default-qdisc finding ---- */

static bool
default_root(const struct qs_sample *s, const struct qs_dev *d)
{
	for (size_t k = d->first; k < d->first + d->nq; k++) {
		const struct qs_obj *o = &s->obj[k];

		if (o->parent == TC_H_ROOT &&
		    (!strcmp(o->kind, "pfifo_fast") || !strcmp(o->kind, "noqueue") ||
		     !strcmp(o->kind, "mq")))
			return true;
	}
	return false;
}

static int
dev_cmp_ifindex(const void *a, const void *b)
{
	const struct qs_dev *x = *(const struct qs_dev *const *)a, *y = *(const struct qs_dev *const *)b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

struct link_ctx {
	struct qs_dev **byidx;
	size_t n;
};

static int
link_cb(const struct pp_link *l, void *data)
{
	struct link_ctx *lc = data;
	struct qs_dev key = { .ifindex = l->ifindex }, *kp = &key, **hit;

	hit = bsearch(&kp, lc->byidx, lc->n, sizeof(*lc->byidx), dev_cmp_ifindex);
	if (!hit)
		return 0;
	(*hit)->has_link = true;
	(*hit)->physical = !l->kind[0] && !(l->flags & IFF_LOOPBACK);
	(*hit)->tx_packets = l->stats.tx_packets;
	(*hit)->tx_bytes = l->stats.tx_bytes;
	return 0;
}

static void
read_links(struct qs_collector *c, struct qs_sample *s)
{
	struct link_ctx lc = { 0 };
	struct pp_err e = { 0 };

	lc.byidx = malloc(s->ndev * sizeof(*lc.byidx) + 1);
	if (!lc.byidx)
		return;
	for (size_t i = 0; i < s->ndev; i++)
		if (default_root(s, &s->dev[i]))
			lc.byidx[lc.n++] = &s->dev[i];
	if (lc.n) {
		qsort(lc.byidx, lc.n, sizeof(*lc.byidx), dev_cmp_ifindex);
		/* Link facts only feed a notice: a failure leaves has_link false. */
		(void)pp_link_dump(&c->nl, link_cb, NULL, &lc, &e);
	}
	free(lc.byidx);
}

/* ---- merge: each device's qdiscs, then its classes ---- */

static int
merge(struct qs_collector *c, struct qs_sample *s, const size_t *cls_first,
      const unsigned *cls_worker)
{
	struct qs_obj *out;
	size_t total = 0, n = 0, nd = 0;

	for (size_t i = 0; i < s->ndev; i++)
		total += s->dev[i].n;
	for (unsigned k = 0; k < c->nworkers; k++)
		total += c->w[k].part.n;
	out = malloc((total ? total : 1) * sizeof(*out));
	if (!out)
		return -ENOMEM;
	for (size_t i = 0; i < s->ndev; i++) {
		struct qs_dev d = s->dev[i];
		size_t cf, cn = 0;
		struct qs_sample *part;

		if (d.filtered) {
			/* Filtered out: free its qdiscs. */
			for (size_t k = s->dev[i].first; k < s->dev[i].first + s->dev[i].nq; k++)
				free(s->obj[k].blob);
			continue;
		}
		memcpy(&out[n], &s->obj[d.first], d.nq * sizeof(*out));
		d.first = n;
		n += d.nq;
		part = &c->w[cls_worker[i]].part;
		cf = cls_first[i];
		while (cf + cn < part->n && part->obj[cf + cn].ifindex == d.ifindex)
			cn++;
		if (cn)
			memcpy(&out[n], &part->obj[cf], cn * sizeof(*out));
		n += cn;
		d.n = d.nq + cn;
		s->dev[nd++] = d;
	}
	free(s->obj);
	s->obj = out;
	s->n = n;
	s->cap = total ? total : 1;
	s->ndev = nd;
	/* The blobs now belong to s; the parts only lend their arrays. */
	for (unsigned k = 0; k < c->nworkers; k++)
		c->w[k].part.n = 0;
	return 0;
}

int
qs_collect(struct qs_collector *c, struct qs_sample *s, struct pp_err *e)
{
	size_t *cls_first = NULL;
	unsigned *cls_worker = NULL;
	int rc;

	memset(s, 0, sizeof(*s));
	s->mono = pp_mono_now();
	{
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		s->wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	}
	c->nl.nopeek = true;
	rc = pp_qdisc_dump(&c->nl, c->only_ifindex, false, qdisc_cb, qdisc_reset, s, e);
	c->nl.nopeek = false;
	s->bad_msgs = (unsigned)c->nl.bad_msgs;
	if (rc < 0)
		return rc;
	cls_first = calloc(s->ndev + 1, sizeof(*cls_first));
	cls_worker = calloc(s->ndev + 1, sizeof(*cls_worker));
	if (!cls_first || !cls_worker) {
		free(cls_first);
		free(cls_worker);
		pp_err_set(e, ENOMEM, "qdiscstat sample");
		return -ENOMEM;
	}
	run_workers(c, s, cls_first, cls_worker, false);
	for (unsigned k = 0; k < c->nworkers; k++) {
		struct qs_worker *w = &c->w[k];

		if (w->errors && !s->class_errors)
			s->class_err = w->err;
		s->class_errors += w->errors;
		s->bad_msgs += (unsigned)w->nl.bad_msgs;
	}
	rc = merge(c, s, cls_first, cls_worker);
	free(cls_first);
	free(cls_worker);
	if (rc < 0) {
		pp_err_set(e, ENOMEM, "qdiscstat sample");
		return rc;
	}
	if (c->links)
		read_links(c, s);
	return 0;
}

/* ---- count-only ---- */

static int
count_qdisc_cb(const struct nlmsghdr *nlh, void *data)
{
	struct qs_sample *s = data;
	const struct tcmsg *tcm = pp_msg_hdr(nlh, sizeof(*tcm));
	const struct nlattr *a;

	if (!tcm)
		return 0;
	if (s->ndev == 0 || s->dev[s->ndev - 1].ifindex != tcm->tcm_ifindex)
		if (dev_add(s, tcm->tcm_ifindex) < 0)
			return -ENOMEM;
	s->n++;
	/* The kind is the first attribute the kernel puts; that is all we look at. */
	mnl_attr_for_each(a, nlh, sizeof(*tcm)) {
		if (mnl_attr_get_type(a) == TCA_KIND) {
			if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) == 0 &&
			    pp_tc_kind_classful(mnl_attr_get_str(a)))
				s->dev[s->ndev - 1].classful = true;
			break;
		}
	}
	return 0;
}

int
qs_collect_count(struct qs_collector *c, uint64_t *nqdisc, uint64_t *nclass, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct qs_sample s = { 0 };
	struct tcmsg *tcm;
	int rc;

	nlh->nlmsg_type = RTM_GETQDISC;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	pp_err_set(e, 0, "RTM_GETQDISC dump");
	c->nl.nopeek = true;
	rc = pp_nl_dump(&c->nl, nlh, count_qdisc_cb, &s, NULL, e);
	c->nl.nopeek = false;
	if (rc < 0) {
		qs_sample_free(&s);
		return rc;
	}
	*nqdisc = s.n;
	*nclass = 0;
	s.n = 0;
	if (c->classes) {
		run_workers(c, &s, NULL, NULL, true);
		for (unsigned k = 0; k < c->nworkers; k++)
			*nclass += c->w[k].count;
	}
	qs_sample_free(&s);
	return 0;
}

/* ---- sockets ---- */

int
qs_collector_open(struct qs_collector *c, unsigned nworkers, struct pp_err *e)
{
	int rc;

	if (nworkers < 1)
		nworkers = 1;
	if (nworkers > QS_MAX_WORKERS)
		nworkers = QS_MAX_WORKERS;
	c->ioctl_fd = -1;
	if ((rc = pp_nl_open(&c->nl, NETLINK_ROUTE, e)) < 0)
		return rc;

	c->w = calloc(nworkers, sizeof(*c->w));
	if (!c->w) {
		pp_nl_close(&c->nl);
		pp_err_set(e, ENOMEM, "qdiscstat workers");
		return -ENOMEM;
	}
	for (unsigned k = 0; k < nworkers; k++) {
		struct qs_worker *w = &c->w[k];

		w->c = c;
		w->id = k;
		w->ioctl_fd = -1;
		if ((rc = pp_nl_open(&w->nl, NETLINK_ROUTE, e)) < 0) {
			c->nworkers = k;
			qs_collector_close(c);
			return rc;
		}
		c->nworkers = k + 1;
		/* tc dumps come in datagrams of at most 32 KiB: no need to peek at each. */
		w->nl.nopeek = true;
		w->ioctl_fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	}
	return 0;
}

void
qs_collector_close(struct qs_collector *c)
{
	for (unsigned k = 0; c->w && k < c->nworkers; k++) {
		struct qs_worker *w = &c->w[k];

		pp_nl_close(&w->nl);
		if (w->ioctl_fd >= 0)
			close(w->ioctl_fd);
		for (size_t i = 0; i < w->part.n; i++)
			free(w->part.obj[i].blob);
		free(w->part.obj);
		free(w->part.dev);
	}
	free(c->w);
	c->w = NULL;
	c->nworkers = 0;
	pp_nl_close(&c->nl);
}
