/*
 * collect.c: one sample of every qdisc and class.
 *
 * The kernel dumps the qdiscs of all devices in one RTM_GETQDISC dump, but it
 * dumps classes only per device (RTM_GETTCLASS needs tcm_ifindex). At 4000
 * devices those per-device dumps are most of the cost. They run on a few
 * worker threads, each with its own netlink socket, fed while the qdisc dump is
 * still being read: a device goes to the workers as soon as the dump moves past
 * it, so on two cores the class dumps overlap the qdisc dump. Devices without a
 * classful qdisc get no class dump.
 *
 * Names: a qdisc message carries only the ifindex. tc(8) dumps every link to
 * learn names, which costs as much as the qdisc dump itself (4000 devices: about
 * 30 ms of rtnl_fill_ifinfo). With a few devices, or with --dev patterns (the name
 * decides whether a device's classes are dumped at all), the workers ask each
 * device's name with SIOCGIFNAME. With many, one ethtool netlink dump of
 * ETHTOOL_MSG_FEATURES_GET, whose every reply names its device in the header and
 * asks no driver anything, runs on a thread of its own beside the qdisc dump:
 * 4000 devices in about 5 ms, against 12 ms for 4000 ioctls (each a syscall).
 * A device the dump did not list (created since, or no ethtool family) still gets
 * its ioctl.
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
#include <linux/ethtool_netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "ethtool.h"
#include "link.h"
#include "mem.h"
#include "qs.h"
#include "sample.h"
#include "snap.h"

#define QS_MAX_WORKERS 8
/* Below this many devices threads cost more than they save. */
#define QS_THREAD_MIN_DEVS 64
/* Up to this many devices' link facts are asked one by one; more, and one link dump is cheaper. */
#define QS_LINK_GET_MAX 32

/* A device for the workers: its name to read, its classes to dump. */
struct qs_item {
	size_t dev;			/* index in the sample being built */
	int ifindex;
	bool classful;
	unsigned gen;			/* dump generation: NLM_F_DUMP_INTR starts a new one */
};

/*
 * Devices flow from the qdisc dump to the workers while the dump still runs: on
 * two cores the class dumps of the first devices overlap the rest of the qdisc
 * dump.
 */
struct qs_queue {
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct qs_item *it;
	size_t n, cap, next;
	unsigned gen, waiting;
	bool done;
	bool oom;
};

/* What a worker learnt about one device. */
struct qs_result {
	size_t dev;
	unsigned gen;
	size_t cls_first, cls_n;	/* its classes in the worker's part */
	char name[IF_NAMESIZE];
	bool filtered;
};

struct qs_worker {
	struct pp_nl nl;
	int ioctl_fd;
	pthread_t tid;
	bool running;
	struct qs_collector *c;
	struct qs_queue *q;
	struct qs_sample part;		/* this worker's classes */
	size_t dev_start;		/* part.n when the current device began (for DUMP_INTR) */
	struct qs_result *res;
	size_t nres, rescap;
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
		/* The payloads point into the message: copied while it is there. */
		if (q->xstats_len)
			memcpy(o->blob, q->xstats, q->xstats_len);
		if (q->options_len)
			memcpy(o->blob + q->xstats_len, q->options, q->options_len);
		o->xs_len = q->xstats_len;
		o->opt_len = q->options_len;
	}
	return 0;
}

int
qs_sample_add(struct qs_sample *s, const struct pp_qdisc *q)
{
	if (pp_array_grow((void **)&s->obj, &s->cap, s->n, sizeof(*s->obj), 256) < 0)
		return -ENOMEM;
	if (obj_from(&s->obj[s->n], q) < 0)
		return -ENOMEM;
	s->n++;
	return 0;
}

static int
dev_add(struct qs_sample *s, int ifindex)
{
	if (pp_array_grow((void **)&s->dev, &s->devcap, s->ndev, sizeof(*s->dev), 64) < 0)
		return -ENOMEM;
	memset(&s->dev[s->ndev], 0, sizeof(s->dev[0]));
	s->dev[s->ndev].ifindex = ifindex;
	s->ndev++;
	return 0;
}

/* ---- device names from one ethtool dump ---- */

struct qs_name {
	int ifindex;
	char name[IF_NAMESIZE];
};

struct qs_names {
	struct pp_ethtool et;
	bool et_open;			/* opened on first use, kept for later samples */
	pthread_t tid;
	bool running;
	struct qs_name *v;
	size_t n, cap;
	bool unsorted;
};

static int
name_cb(const struct nlmsghdr *nlh, void *data)
{
	struct qs_names *nm = data;
	struct qs_name x;

	if (pp_ethtool_decode_devname(nlh, &x.ifindex, x.name) < 0)
		return 0;		/* that device falls back to its ioctl */
	if (pp_array_grow((void **)&nm->v, &nm->cap, nm->n, sizeof(*nm->v), 256) < 0)
		return -ENOMEM;
	if (nm->n && nm->v[nm->n - 1].ifindex >= x.ifindex)
		nm->unsorted = true;
	nm->v[nm->n++] = x;
	return 0;
}

static int
name_cmp(const void *a, const void *b)
{
	const struct qs_name *x = a, *y = b;

	return (x->ifindex > y->ifindex) - (x->ifindex < y->ifindex);
}

static void *
names_main(void *arg)
{
	struct qs_names *nm = arg;
	struct pp_err e = { 0 };

	nm->n = 0;
	nm->unsorted = false;
	if (!nm->et_open) {
		if (pp_ethtool_open(&nm->et, &e) < 0)
			return NULL;
		nm->et_open = true;
	}
	/* No family, no such command, a failed dump: no names, every device asks its ioctl. */
	if (pp_ethtool_dump(&nm->et, ETHTOOL_MSG_FEATURES_GET, name_cb, nm, &e) < 0)
		nm->n = 0;
	/* The kernel dumps in ifindex order; sorted anyway, should it not. */
	if (nm->unsorted)
		qsort(nm->v, nm->n, sizeof(*nm->v), name_cmp);
	return NULL;
}

static struct qs_names *
names_get(struct qs_collector *c)
{
	if (!c->names)
		c->names = calloc(1, sizeof(*c->names));
	return c->names;
}

/* Names by the dump for this sample, on a thread of its own; false when that cannot be. */
static bool
names_start(struct qs_collector *c)
{
	struct qs_names *nm = names_get(c);

	if (!nm)
		return false;
	nm->n = 0;
	nm->running = pthread_create(&nm->tid, NULL, names_main, nm) == 0;
	return nm->running;
}

static void
names_wait(struct qs_collector *c)
{
	if (c->names && c->names->running) {
		pthread_join(c->names->tid, NULL);
		c->names->running = false;
	}
}

/* The dump's name of ifindex, else its ioctl, else "ifN". */
static void
name_of(struct qs_collector *c, int ifindex, char name[IF_NAMESIZE])
{
	struct qs_name key = { .ifindex = ifindex }, *hit = NULL;

	if (c->names && c->names->n)
		hit = bsearch(&key, c->names->v, c->names->n, sizeof(key), name_cmp);
	if (hit) {
		memcpy(name, hit->name, IF_NAMESIZE);
		return;
	}
	name[0] = '\0';
	if (pp_snap_active()) {
		/* Recorded, or answered from the snapshot. */
		if (!pp_ifname((unsigned)ifindex, name))
			name[0] = '\0';
	} else if (c->nworkers && c->w[0].ioctl_fd >= 0) {
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_ifindex = ifindex;
		if (ioctl(c->w[0].ioctl_fd, SIOCGIFNAME, &ifr) == 0)
			memcpy(name, ifr.ifr_name, IF_NAMESIZE);
		name[IF_NAMESIZE - 1] = '\0';
	}
	if (!name[0])
		snprintf(name, IF_NAMESIZE, "if%d", ifindex);
}

/* ---- the work queue ---- */

static void
queue_init(struct qs_queue *q)
{
	memset(q, 0, sizeof(*q));
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
}

static void
queue_destroy(struct qs_queue *q)
{
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->cv);
	free(q->it);
}

/* Hand items [0, n) to the workers. */
static void
queue_push(struct qs_queue *q, const struct qs_item *items, size_t n)
{
	pthread_mutex_lock(&q->mu);
	if (q->n + n > q->cap) {
		size_t nc = q->cap ? q->cap : 256;
		struct qs_item *ni;

		while (nc < q->n + n)
			nc *= 2;
		ni = realloc(q->it, nc * sizeof(*ni));
		if (!ni) {
			q->oom = true;
			pthread_mutex_unlock(&q->mu);
			return;
		}
		q->it = ni;
		q->cap = nc;
	}
	memcpy(q->it + q->n, items, n * sizeof(*items));
	q->n += n;
	if (q->waiting)
		pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

static void
queue_finish(struct qs_queue *q)
{
	pthread_mutex_lock(&q->mu);
	q->done = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
}

/* The next item of the current generation; false when the queue is finished and empty. */
static bool
queue_take(struct qs_queue *q, struct qs_item *out)
{
	bool got = false;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->next < q->n && q->it[q->next].gen != q->gen)
			q->next++;
		if (q->next < q->n) {
			*out = q->it[q->next++];
			got = true;
			break;
		}
		if (q->done)
			break;
		q->waiting++;
		pthread_cond_wait(&q->cv, &q->mu);
		q->waiting--;
	}
	pthread_mutex_unlock(&q->mu);
	return got;
}

/* ---- per-device work: name and classes ---- */

static void
class_reset(void *data)
{
	struct qs_worker *w = data;

	while (w->part.n > w->dev_start)
		free(w->part.obj[--w->part.n].blob);
}

static int
class_cb(const struct nlmsghdr *nlh, void *data)
{
	struct qs_worker *w = data;
	struct pp_qdisc q;

	if (nlh->nlmsg_type != RTM_NEWTCLASS)
		return 0;
	if (pp_qdisc_decode(nlh, &q) < 0) {
		w->nl.bad_msgs++;
		return 0;
	}
	return qs_sample_add(&w->part, &q);
}

/*
 * The classes of one device: pp_qdisc_dump() without its per-call error text,
 * which at 4000 devices is 4000 snprintf()s for nothing.
 */
static int
class_dump(struct qs_worker *w, int ifindex, struct pp_err *e)
{
	struct {
		struct nlmsghdr nlh;
		struct tcmsg tcm;
	} req;
	int rc;

	memset(&req, 0, sizeof(req));
	req.nlh.nlmsg_len = sizeof(req);
	req.nlh.nlmsg_type = RTM_GETTCLASS;
	req.tcm.tcm_family = AF_UNSPEC;
	req.tcm.tcm_ifindex = ifindex;
	rc = pp_nl_dump(&w->nl, &req.nlh, class_cb, w, class_reset, e);
	/*
	 * Named only when it failed; the kernel's extack text stays in e->ext. A snapshot
	 * without this dump already says which question it holds no answer to.
	 */
	if (rc < 0 && !(rc == -ENODATA && pp_snap_replaying(pp_snap_active())))
		pp_err_set(e, e->code ? e->code : -rc, "RTM_GETTCLASS dump ifindex %d", ifindex);
	return rc;
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

static struct qs_result *
result_new(struct qs_worker *w, const struct qs_item *it)
{
	struct qs_result *r;

	if (w->nres == w->rescap) {
		size_t nc = w->rescap ? w->rescap * 2 : 256;
		struct qs_result *nr = realloc(w->res, nc * sizeof(*nr));

		if (!nr)
			return NULL;
		w->res = nr;
		w->rescap = nc;
	}
	r = &w->res[w->nres++];
	memset(r, 0, sizeof(*r));
	r->dev = it->dev;
	r->gen = it->gen;
	r->cls_first = w->part.n;
	return r;
}

static void
work_item(struct qs_worker *w, const struct qs_item *it)
{
	struct qs_collector *c = w->c;
	struct pp_err e = { 0 };
	struct qs_result *r;
	int rc;

	if (w->count_only) {
		if (it->classful && c->classes && class_dump_raw(&w->nl, it->ifindex, &w->count, &e) < 0)
			w->errors++;
		return;
	}
	if (!(r = result_new(w, it))) {
		w->errors++;
		return;
	}
	if (c->names_by_dump) {
		/* Named at the merge, from the names dump: no filter needs the name now. */
	} else if (pp_snap_active()) {
		/* Recorded, or answered from the snapshot. */
		if (!pp_ifname((unsigned)it->ifindex, r->name))
			r->name[0] = '\0';
	} else if (w->ioctl_fd >= 0) {
		struct ifreq ifr;

		memset(&ifr, 0, sizeof(ifr));
		ifr.ifr_ifindex = it->ifindex;
		if (ioctl(w->ioctl_fd, SIOCGIFNAME, &ifr) == 0)
			memcpy(r->name, ifr.ifr_name, sizeof(r->name));
		r->name[sizeof(r->name) - 1] = '\0';
	}
	if (!r->name[0] && !c->names_by_dump)
		snprintf(r->name, sizeof(r->name), "if%d", it->ifindex);
	if (!c->names_by_dump && !dev_wanted(c, r->name)) {
		r->filtered = true;
		return;
	}
	if (!c->classes || !it->classful)
		return;
	w->dev_start = w->part.n;
	rc = class_dump(w, it->ifindex, &e);
	if (rc < 0 && rc != -ENODEV) {
		/* The device may have gone since the qdisc dump: its classes are simply not there. */
		class_reset(w);
		if (!w->errors++)
			w->err = e;
	}
	/* r may have moved if result_new grew the array: index again. */
	r = &w->res[w->nres - 1];
	r->cls_n = w->part.n - r->cls_first;
}

static void *
worker_main(void *arg)
{
	struct qs_worker *w = arg;
	struct qs_item it;

	while (queue_take(w->q, &it))
		work_item(w, &it);
	return NULL;
}

/* ---- the qdisc dump, feeding the queue ---- */

#define QS_PUSH_BATCH 16

struct feed {
	struct qs_collector *c;
	struct qs_sample *s;
	struct qs_queue *q;
	struct qs_item pend[QS_PUSH_BATCH];
	size_t npend, pushed;
	bool threads;
	bool count_only;
	uint64_t nmsgs;			/* count-only */
};

static void
start_threads(struct feed *fd)
{
	struct qs_collector *c = fd->c;

	fd->threads = true;
	/* Set before any worker runs: many devices and no --dev patterns, names by one dump. */
	if (!fd->count_only && !c->dev_globs)
		c->names_by_dump = names_start(c);
	/* Without classes to dump and names to ask, a worker thread would only wait on the queue. */
	if (c->names_by_dump && !c->classes)
		return;
	/* Worker 0 is this thread, once the dump is read. */
	for (unsigned k = 1; k < c->nworkers; k++)
		c->w[k].running = pthread_create(&c->w[k].tid, NULL, worker_main, &c->w[k]) == 0;
}

static void
feed_flush(struct feed *fd)
{
	if (!fd->npend)
		return;
	queue_push(fd->q, fd->pend, fd->npend);
	fd->pushed += fd->npend;
	fd->npend = 0;
	if (!fd->threads && fd->pushed >= QS_THREAD_MIN_DEVS && fd->c->nworkers > 1)
		start_threads(fd);
}

/* The device the dump just left is complete: queue it. */
static void
feed_dev(struct feed *fd, size_t i, int ifindex, bool classful)
{
	struct qs_item *it = &fd->pend[fd->npend++];

	it->dev = i;
	it->ifindex = ifindex;
	it->classful = classful;
	it->gen = fd->q->gen;
	if (fd->npend == QS_PUSH_BATCH)
		feed_flush(fd);
}

/* A class has its qdisc's kind: with --kind, only those kinds' classes are worth a dump. */
static bool
kind_wanted(const struct qs_collector *c, const char *kind)
{
	if (!c->kinds)
		return true;
	for (const char *const *k = c->kinds; *k; k++)
		if (strcmp(*k, kind) == 0)
			return true;
	return false;
}

static int
qdisc_cb(const struct pp_qdisc *q, void *data)
{
	struct feed *fd = data;
	struct qs_sample *s = fd->s;
	struct qs_dev *d;

	/*
	 * The kernel walks devices one at a time, so a device's qdiscs arrive
	 * together; a device seen again later would only mean a reordered dump, and
	 * it gets a second entry that eval treats the same way.
	 */
	if (s->ndev == 0 || s->dev[s->ndev - 1].ifindex != q->ifindex) {
		if (s->ndev)
			feed_dev(fd, s->ndev - 1, s->dev[s->ndev - 1].ifindex, s->dev[s->ndev - 1].classful);
		if (dev_add(s, q->ifindex) < 0)
			return -ENOMEM;
		s->dev[s->ndev - 1].first = s->n;
	}
	d = &s->dev[s->ndev - 1];
	if (qs_sample_add(s, q) < 0)
		return -ENOMEM;
	d->n++;
	d->nq++;
	if (pp_tc_kind_classful(q->kind) && kind_wanted(fd->c, q->kind))
		d->classful = true;
	return 0;
}

/* NLM_F_DUMP_INTR: the dump starts again; what was queued belongs to the old one. */
static void
qdisc_reset(void *data)
{
	struct feed *fd = data;
	struct qs_sample *s = fd->s;
	double mono = s->mono, wall = s->wall;

	fd->npend = 0;
	pthread_mutex_lock(&fd->q->mu);
	fd->q->gen++;
	pthread_mutex_unlock(&fd->q->mu);
	if (!fd->count_only) {
		qs_sample_free(s);
		s->mono = mono;
		s->wall = wall;
	} else {
		s->ndev = 0;
		fd->nmsgs = 0;
	}
}

/* Reset the workers for a new sample. */
static void
workers_begin(struct qs_collector *c, struct qs_queue *q, bool count_only)
{
	for (unsigned k = 0; k < c->nworkers; k++) {
		struct qs_worker *w = &c->w[k];

		w->q = q;
		w->nres = 0;
		w->errors = 0;
		w->count = 0;
		w->count_only = count_only;
		w->running = false;
		memset(&w->err, 0, sizeof(w->err));
	}
}

/* The dump is read (or failed): finish the queue, work on this thread too, wait for the others. */
static void
workers_end(struct feed *fd, bool work)
{
	struct qs_collector *c = fd->c;

	feed_flush(fd);
	queue_finish(fd->q);
	/* One worker (or the threads not started) but many devices: the names dump on this thread. */
	if (work && !fd->threads && !fd->count_only && !c->dev_globs &&
	    fd->pushed >= QS_THREAD_MIN_DEVS && names_get(c)) {
		names_main(c->names);
		c->names_by_dump = true;
	}
	if (work)
		worker_main(&c->w[0]);
	for (unsigned k = 1; k < c->nworkers; k++)
		if (c->w[k].running) {
			pthread_join(c->w[k].tid, NULL);
			c->w[k].running = false;
		}
	names_wait(c);
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
	/* ifindex 1 is the loopback device in every namespace: never a candidate. */
	for (size_t i = 0; i < s->ndev; i++)
		if (s->dev[i].ifindex != 1 && default_root(s, &s->dev[i]))
			lc.byidx[lc.n++] = &s->dev[i];
	if (lc.n == 0) {
		free(lc.byidx);
		return;
	}
	qsort(lc.byidx, lc.n, sizeof(*lc.byidx), dev_cmp_ifindex);
	/* Link facts only feed a notice: a failure leaves has_link false. */
	if (lc.n <= QS_LINK_GET_MAX) {
		for (size_t i = 0; i < lc.n; i++) {
			struct pp_link l;

			if (pp_link_get(&c->nl, lc.byidx[i]->ifindex, NULL, &l, &e) == 0)
				link_cb(&l, &lc);
		}
	} else {
		(void)pp_link_dump(&c->nl, link_cb, NULL, &lc, &e);
	}
	free(lc.byidx);
}

/* ---- merge: each device's qdiscs, then its classes ---- */

struct dev_cls {
	unsigned worker;
	size_t first, n;
	bool seen;
};

static int
merge(struct qs_collector *c, struct qs_sample *s, unsigned gen)
{
	struct dev_cls *dc;
	struct qs_obj *out;
	size_t total = 0, n = 0, nd = 0;

	dc = calloc(s->ndev + 1, sizeof(*dc));
	if (!dc)
		return -ENOMEM;
	for (unsigned k = 0; k < c->nworkers; k++) {
		const struct qs_worker *w = &c->w[k];

		for (size_t i = 0; i < w->nres; i++) {
			const struct qs_result *r = &w->res[i];
			struct qs_dev *d;

			if (r->gen != gen || r->dev >= s->ndev)
				continue;
			d = &s->dev[r->dev];
			if (c->names_by_dump && !r->filtered)
				name_of(c, d->ifindex, d->name);
			else
				memcpy(d->name, r->name, sizeof(d->name));
			d->filtered = r->filtered;
			dc[r->dev] = (struct dev_cls){ k, r->cls_first, r->cls_n, true };
		}
	}
	for (size_t i = 0; i < s->ndev; i++)
		total += s->dev[i].n + dc[i].n;
	out = malloc((total ? total : 1) * sizeof(*out));
	if (!out) {
		free(dc);
		return -ENOMEM;
	}
	pp_mem_prefault(out, total * sizeof(*out));
	for (size_t i = 0; i < s->ndev; i++) {
		struct qs_dev d = s->dev[i];

		if (!dc[i].seen)
			snprintf(d.name, sizeof(d.name), "if%d", d.ifindex);
		if (d.filtered) {
			for (size_t k = d.first; k < d.first + d.nq; k++)
				free(s->obj[k].blob);
			continue;
		}
		memcpy(&out[n], &s->obj[d.first], d.nq * sizeof(*out));
		d.first = n;
		n += d.nq;
		if (dc[i].n) {
			struct qs_sample *part = &c->w[dc[i].worker].part;

			memcpy(&out[n], &part->obj[dc[i].first], dc[i].n * sizeof(*out));
			/* The blobs now belong to the sample. */
			for (size_t k = 0; k < dc[i].n; k++)
				part->obj[dc[i].first + k].blob = NULL;
			n += dc[i].n;
		}
		d.n = d.nq + dc[i].n;
		s->dev[nd++] = d;
	}
	free(s->obj);
	free(dc);
	s->obj = out;
	s->n = n;
	s->cap = total ? total : 1;
	s->ndev = nd;
	return 0;
}

/* Classes nobody took (a restarted dump, a filtered device) are freed here. */
static void
parts_clear(struct qs_collector *c)
{
	for (unsigned k = 0; k < c->nworkers; k++) {
		struct qs_sample *part = &c->w[k].part;

		for (size_t i = 0; i < part->n; i++)
			free(part->obj[i].blob);
		part->n = 0;
	}
}

int
qs_collect(struct qs_collector *c, struct qs_sample *s, struct pp_err *e)
{
	struct qs_queue q;
	struct feed fd;
	struct timespec ts;
	int rc;

	memset(s, 0, sizeof(*s));
	s->mono = pp_mono_now();
	pp_clock_realtime(&ts);
	s->wall = (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
	queue_init(&q);
	memset(&fd, 0, sizeof(fd));
	fd.c = c;
	fd.s = s;
	fd.q = &q;
	c->names_by_dump = false;
	workers_begin(c, &q, false);
	c->nl.bad_msgs = 0;
	for (unsigned k = 0; k < c->nworkers; k++)
		c->w[k].nl.bad_msgs = 0;
	/* tc dumps come in datagrams of at most 32 KiB: no peeking. */
	c->nl.recv_len = PP_NL_RECV_LEN_MAX;
	rc = pp_qdisc_dump(&c->nl, c->only_ifindex, false, qdisc_cb, qdisc_reset, &fd, e);
	c->nl.recv_len = 0;
	s->bad_msgs = (unsigned)c->nl.bad_msgs;
	if (rc == 0 && s->ndev)
		feed_dev(&fd, s->ndev - 1, s->dev[s->ndev - 1].ifindex, s->dev[s->ndev - 1].classful);
	workers_end(&fd, rc == 0);
	if (rc == 0 && q.oom) {
		pp_err_set(e, ENOMEM, "qdiscstat sample");
		rc = -ENOMEM;
	}
	if (rc == 0) {
		for (unsigned k = 0; k < c->nworkers; k++) {
			struct qs_worker *w = &c->w[k];

			if (w->errors && !s->class_errors)
				s->class_err = w->err;
			s->class_errors += w->errors;
			s->bad_msgs += (unsigned)w->nl.bad_msgs;
		}
		if ((rc = merge(c, s, q.gen)) < 0)
			pp_err_set(e, ENOMEM, "qdiscstat sample");
	}
	parts_clear(c);
	queue_destroy(&q);
	if (rc < 0)
		return rc;
	if (c->links)
		read_links(c, s);
	return 0;
}

/* ---- count-only ---- */

static int
count_qdisc_cb(const struct nlmsghdr *nlh, void *data)
{
	struct feed *fd = data;
	struct qs_sample *s = fd->s;
	const struct tcmsg *tcm = pp_msg_hdr(nlh, sizeof(*tcm));
	const struct nlattr *a;

	if (!tcm)
		return 0;
	if (s->ndev == 0 || s->dev[s->ndev - 1].ifindex != tcm->tcm_ifindex) {
		if (s->ndev)
			feed_dev(fd, s->ndev - 1, s->dev[s->ndev - 1].ifindex, s->dev[s->ndev - 1].classful);
		if (dev_add(s, tcm->tcm_ifindex) < 0)
			return -ENOMEM;
	}
	fd->nmsgs++;
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
	struct qs_queue q;
	struct feed fd;
	struct tcmsg *tcm;
	int rc;

	queue_init(&q);
	memset(&fd, 0, sizeof(fd));
	fd.c = c;
	fd.s = &s;
	fd.q = &q;
	fd.count_only = true;
	c->names_by_dump = false;
	workers_begin(c, &q, true);
	nlh->nlmsg_type = RTM_GETQDISC;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	pp_err_set(e, 0, "RTM_GETQDISC dump");
	c->nl.recv_len = PP_NL_RECV_LEN_MAX;
	rc = pp_nl_dump(&c->nl, nlh, count_qdisc_cb, &fd, qdisc_reset, e);
	c->nl.recv_len = 0;
	if (rc == 0 && s.ndev)
		feed_dev(&fd, s.ndev - 1, s.dev[s.ndev - 1].ifindex, s.dev[s.ndev - 1].classful);
	workers_end(&fd, rc == 0);
	*nqdisc = fd.nmsgs;
	*nclass = 0;
	for (unsigned k = 0; k < c->nworkers; k++)
		*nclass += c->w[k].count;
	qs_sample_free(&s);
	queue_destroy(&q);
	return rc;
}

/* ---- sockets ---- */

/*
 * The read length for class dumps. The kernel sizes a dump's datagrams to the
 * longest read seen on the socket, but never below NLMSG_GOODSIZE (a page less
 * the skb overhead, or 8 KiB less it on pages of 8 KiB and more). A read of
 * exactly that bound (one page, or 8 KiB) keeps each datagram small: a 4 KiB
 * read gets a 4 KiB datagram from a slab, where 8 KiB needed whole pages (a
 * sample of 4000 devices measured 4-6% slower). Every class message fits, as
 * the kernel must fit each in a datagram of NLMSG_GOODSIZE anyway.
 */
static uint32_t
class_recv_len(void)
{
	long page = sysconf(_SC_PAGESIZE);

	return page > 0 && page < 8192 ? 4096 : 8192;
}

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
		w->ioctl_fd = -1;
		if ((rc = pp_nl_open(&w->nl, NETLINK_ROUTE, e)) < 0) {
			c->nworkers = k;
			qs_collector_close(c);
			return rc;
		}
		c->nworkers = k + 1;
		w->nl.recv_len = class_recv_len();
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
		free(w->res);
	}
	free(c->w);
	c->w = NULL;
	c->nworkers = 0;
	if (c->names) {
		names_wait(c);
		if (c->names->et_open)
			pp_ethtool_close(&c->names->et);
		free(c->names->v);
		free(c->names);
		c->names = NULL;
	}
	pp_nl_close(&c->nl);
}
