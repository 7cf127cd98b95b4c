/*
 * dropmon.c: skb:kfree_skb through perf_event_open, formats from tracefs,
 * locations from /proc/kallsyms, devices from net:* events by skb address.
 * See dropmon.h for the attribution rules and their limits.
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "dropmon.h"

/* ---------------------------------------------------------------- raw records */

int
pp_dropmon_check_kfree(const struct pp_tp_format *f)
{
	if (!pp_tp_int_field(f, f->f_common_type) || !pp_tp_int_field(f, f->f_skbaddr) ||
	    !pp_tp_int_field(f, f->f_location) || !pp_tp_int_field(f, f->f_protocol) ||
	    !pp_tp_int_field(f, f->f_reason))
		return -ENOENT;
	return 0;
}

int
pp_dropmon_decode_kfree(const struct pp_tp_format *f, const void *raw, size_t len, struct pp_drop *d)
{
	uint64_t v;
	const char *name;

	if (pp_dropmon_check_kfree(f) < 0)
		return -ENOENT;
	if (pp_tp_get_uint(f, f->f_skbaddr, raw, len, &d->skbaddr) < 0 ||
	    pp_tp_get_uint(f, f->f_location, raw, len, &d->location) < 0)
		return -EBADMSG;
	if (pp_tp_get_uint(f, f->f_protocol, raw, len, &v) < 0)
		return -EBADMSG;
	d->protocol = (uint16_t)v;
	if (pp_tp_get_uint(f, f->f_reason, raw, len, &v) < 0)
		return -EBADMSG;
	d->reason = (uint32_t)v;
	d->flags = 0;
	if (pp_tp_get_uint(f, f->f_common_flags, raw, len, &v) == 0)
		d->flags = (uint8_t)v;
	name = pp_tp_reason_name(f, d->reason);
	snprintf(d->reason_name, sizeof(d->reason_name), "%s", name ? name : "");
	return 0;
}

int
pp_dropmon_decode_skb_len(const struct pp_tp_format *f, const void *raw, size_t len, uint32_t *skblen)
{
	uint64_t v;

	if (f->f_len < 0)
		return -ENOENT;
	if (pp_tp_get_uint(f, f->f_len, raw, len, &v) < 0)
		return -EBADMSG;
	*skblen = (uint32_t)v;
	return 0;
}

int
pp_dropmon_decode_skb_event(const struct pp_tp_format *f, const void *raw, size_t len,
			    uint64_t *skbaddr, char *dev, size_t devlen)
{
	const uint8_t *r = raw;

	if (devlen)
		dev[0] = '\0';
	if (pp_tp_get_uint(f, f->f_skbaddr, r, len, skbaddr) < 0)
		return -EBADMSG;
	if (f->f_name >= 0 && devlen &&
	    pp_tp_get_str(f, f->f_name, r, len, dev, devlen) < 0)
		return -EBADMSG;
	return 0;
}

int
pp_drop_attribute(const struct pp_drop *d, pid_t pid, const char *const *devs, size_t ndevs)
{
	const uint8_t irq = PP_TRACE_FLAG_HARDIRQ | PP_TRACE_FLAG_SOFTIRQ | PP_TRACE_FLAG_NMI;

	/*
	 * A drop in OUTPUT runs in the sender's own syscall: no softirq flag, and the task
	 * is the sending thread (its tid: threads of one process share a pid).
	 */
	if (pid > 0 && !(d->flags & irq) && d->tid == (uint32_t)pid)
		return PP_DROP_OURS_PROCESS;
	/* The skb was last seen (net:netif_receive_skb / net_dev_queue) on a device with this name. */
	if (d->dev[0]) {
		if (ndevs == 0)
			return PP_DROP_UNATTRIBUTED;
		for (size_t i = 0; i < ndevs; i++)
			if (devs[i] && strcmp(devs[i], d->dev) == 0)
				return PP_DROP_OURS_DEVICE;
		return PP_DROP_OTHER_NS;
	}
	/* In softirq the pid is whoever happened to be running on that CPU: nothing to go on. */
	return PP_DROP_UNATTRIBUTED;
}

/* ---------------------------------------------------------------- kallsyms */

/* ---------------------------------------------------------------- the monitor */

enum { EV_KFREE, EV_RX, EV_TX, EV_CONSUME, EV_N };

static const char *const ev_path[EV_N] = {
	[EV_KFREE] = "events/skb/kfree_skb/format",
	[EV_RX] = "events/net/netif_receive_skb/format",
	[EV_TX] = "events/net/net_dev_queue/format",
	[EV_CONSUME] = "events/skb/consume_skb/format",
};

#define DROP_PAGES	32		/* data pages per CPU for kfree_skb alone (power of two) */
#define AUX_PAGES	128		/* for the net:* and consume_skb flood; 32 when mlock is short */
#define MAP_BITS	16		/* skb address -> device: 65536 slots */

struct dm_cpu {
	int cpu;
	int fd[EV_N];
	/*
	 * Two rings: drops alone in ring 0, so a flood of net:* and consume_skb
	 * records can cost device attribution (ring 1) but never a drop.
	 */
	struct pp_perf_ring ring[2];	/* [0] kfree_skb, [1] the others (SET_OUTPUT) */
};

struct dm_slot {
	uint64_t key;			/* skbaddr, 0 = empty */
	uint64_t time;			/* of the device event (CLOCK_MONOTONIC ns) */
	bool rx;			/* net:netif_receive_skb (arriving), not net_dev_queue */
	uint32_t len;			/* skb->len there (0: not known) */
	char dev[16];
};

struct dm_ev {
	uint64_t time;
	uint64_t seq;
	uint64_t skbaddr;
	int kind;
	uint32_t drop;			/* index into drops for EV_KFREE */
	uint32_t len;			/* skb->len of a device event (0: not known) */
	char dev[16];
};

struct pp_dropmon {
	struct pp_tp_format *fmt[EV_N];	/* NULL when that event is not available */
	const struct pp_kallsyms *ks;	/* pp_kallsyms_running(): shared, not ours to free */
	struct dm_cpu *cpus;
	unsigned ncpus;
	size_t page;
	int cur_ring;			/* the ring being drained, for take_sample */
	uint64_t lost[2];		/* PERF_RECORD_LOST per ring */
	uint64_t fmt_lost[2];		/* PERF_FORMAT_LOST (6.0+) summed per ring kind */
	bool has_fmt_lost;
	unsigned aux_missing;		/* net:* / consume_skb events that could not be opened */
	uint64_t seq;
	pid_t pid;
	char (*devs)[16];
	const char **devp;
	size_t ndevs;
	struct dm_slot *map;
	size_t map_used;
	struct dm_ev *evs;
	size_t nevs, evcap;
	struct pp_drop *drops;
	size_t ndrops, dropcap;
	uint8_t *tmp;			/* one record that wraps the ring end */
	char tracefs[128];
};

static int
open_one(struct pp_dropmon *dm, int kind, int cpu, size_t pages)
{
	return pp_perf_open_sampler(dm->fmt[kind]->id, cpu, (uint32_t)(pages * dm->page / 4),
				    &dm->has_fmt_lost);
}

void
pp_dropmon_close(struct pp_dropmon *dm)
{
	if (!dm)
		return;
	for (unsigned i = 0; i < dm->ncpus; i++) {
		struct dm_cpu *c = &dm->cpus[i];

		for (int k = EV_N - 1; k >= 0; k--)
			if (c->fd[k] >= 0)
				close(c->fd[k]);
		for (int r = 0; r < 2; r++)
			pp_perf_ring_unmap(&c->ring[r]);
	}
	free(dm->cpus);
	for (int k = 0; k < EV_N; k++)
		free(dm->fmt[k]);
	free(dm->devs);
	free(dm->devp);
	free(dm->map);
	free(dm->evs);
	free(dm->drops);
	free(dm->tmp);
	free(dm);
}

static int
load_formats(struct pp_dropmon *dm, struct pp_err *e)
{
	char *text[EV_N] = { NULL };
	int rc;

	rc = pp_tracefs_read(ev_path, EV_N, text, dm->tracefs, sizeof(dm->tracefs), e);
	if (rc == 0 && !text[EV_KFREE]) {
		rc = -ENOENT;
		pp_err_set(e, ENOENT, "tracepoint skb:kfree_skb");
	}
	for (int i = 0; rc == 0 && i < EV_N; i++) {
		struct pp_tp_format *f;

		if (!text[i])
			continue;
		f = malloc(sizeof(*f));
		if (!f) {
			rc = -ENOMEM;
			break;
		}
		if (pp_tp_parse_format(text[i], f) < 0 ||
		    (i == EV_KFREE && pp_dropmon_check_kfree(f) < 0) ||
		    (i != EV_KFREE && f->f_skbaddr < 0) ||
		    ((i == EV_RX || i == EV_TX) && f->f_name < 0)) {
			free(f);
			if (i == EV_KFREE) {
				rc = -ENOENT;
				pp_err_set(e, ENOENT, "skb:kfree_skb format has no usable reason field");
			}
			continue;
		}
		dm->fmt[i] = f;
	}
	for (int i = 0; i < EV_N; i++)
		free(text[i]);
	return rc;
}

int
pp_dropmon_open(struct pp_dropmon **out, struct pp_err *e)
{
	struct pp_dropmon *dm;
	int *cpus = NULL, rc;
	unsigned ncpu = 0;

	*out = NULL;
	dm = calloc(1, sizeof(*dm));
	if (!dm)
		return -ENOMEM;
	dm->page = (size_t)sysconf(_SC_PAGESIZE);
	dm->has_fmt_lost = true;
	rc = load_formats(dm, e);
	if (rc < 0)
		goto fail;

	dm->ks = pp_kallsyms_running();

	dm->map = calloc((size_t)1 << MAP_BITS, sizeof(*dm->map));
	dm->tmp = malloc(65536);
	if (!dm->map || !dm->tmp) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = pp_perf_online_cpus(&cpus, &ncpu);
	if (rc < 0) {
		pp_err_set(e, -rc, "/sys/devices/system/cpu/online");
		goto fail;
	}
	dm->cpus = calloc(ncpu, sizeof(*dm->cpus));
	if (!dm->cpus) {
		rc = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < ncpu; i++) {
		struct dm_cpu *c = &dm->cpus[i];

		c->cpu = cpus[i];
		for (int k = 0; k < EV_N; k++)
			c->fd[k] = -1;
		c->ring[0].fd = c->ring[1].fd = -1;
		dm->ncpus = i + 1;
		rc = open_one(dm, EV_KFREE, c->cpu, DROP_PAGES);
		if (rc < 0) {
			pp_err_set(e, -rc, "perf_event_open skb:kfree_skb on cpu %d%s", c->cpu,
				   rc == -EACCES || rc == -EPERM ? " (needs CAP_PERFMON or root)" : "");
			goto fail;
		}
		c->fd[EV_KFREE] = rc;
		rc = pp_perf_ring_map(&c->ring[0], rc, DROP_PAGES);
		if (rc < 0) {
			pp_err_set(e, -rc, "mmap perf ring on cpu %d", c->cpu);
			goto fail;
		}
		c->ring[1].fd = -1;
		for (int k = EV_RX; k < EV_N; k++) {
			int fd;

			if (!dm->fmt[k])
				continue;
			fd = open_one(dm, k, c->cpu, AUX_PAGES);
			if (fd >= 0 && c->ring[1].fd < 0) {
				if (pp_perf_ring_map(&c->ring[1], fd, AUX_PAGES) < 0 &&
				    pp_perf_ring_map(&c->ring[1], fd, DROP_PAGES) < 0) {
					close(fd);
					fd = -1;
				}
			} else if (fd >= 0 &&
				   ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, c->ring[1].fd) < 0) {
				close(fd);
				fd = -1;
			}
			if (fd < 0) {		/* optional: attribution by device gets weaker */
				dm->aux_missing++;
				continue;
			}
			c->fd[k] = fd;
		}
	}
	free(cpus);
	*out = dm;
	return 0;
fail:
	free(cpus);
	pp_dropmon_close(dm);
	return rc;
}

int
pp_dropmon_set_scope(struct pp_dropmon *dm, pid_t pid, const char *const *devs, size_t ndevs)
{
	char (*nd)[16] = NULL;
	const char **np = NULL;

	if (ndevs) {
		nd = calloc(ndevs, sizeof(*nd));
		np = calloc(ndevs, sizeof(*np));
		if (!nd || !np) {
			free(nd);
			free(np);
			return -ENOMEM;
		}
		for (size_t i = 0; i < ndevs; i++) {
			snprintf(nd[i], sizeof(nd[i]), "%s", devs[i] ? devs[i] : "");
			np[i] = nd[i];
		}
	}
	free(dm->devs);
	free(dm->devp);
	dm->devs = nd;
	dm->devp = np;
	dm->ndevs = ndevs;
	dm->pid = pid;
	return 0;
}

static int
ioctl_all(struct pp_dropmon *dm, unsigned long req)
{
	for (unsigned i = 0; i < dm->ncpus; i++)
		for (int k = 0; k < EV_N; k++)
			if (dm->cpus[i].fd[k] >= 0 && ioctl(dm->cpus[i].fd[k], req, 0) < 0)
				return -errno;
	return 0;
}

int
pp_dropmon_enable(struct pp_dropmon *dm)
{
	return ioctl_all(dm, PERF_EVENT_IOC_ENABLE);
}

int
pp_dropmon_disable(struct pp_dropmon *dm)
{
	return ioctl_all(dm, PERF_EVENT_IOC_DISABLE);
}

uint64_t
pp_dropmon_lost(const struct pp_dropmon *dm)
{
	return dm->has_fmt_lost && dm->fmt_lost[0] > dm->lost[0] ? dm->fmt_lost[0] : dm->lost[0];
}

uint64_t
pp_dropmon_lost_aux(const struct pp_dropmon *dm)
{
	return dm->has_fmt_lost && dm->fmt_lost[1] > dm->lost[1] ? dm->fmt_lost[1] : dm->lost[1];
}

/* PERF_FORMAT_LOST: what the kernel could not write, also while the ring stayed full. */
static void
count_lost(struct pp_dropmon *dm)
{
	uint64_t sum[2] = { 0, 0 };

	if (!dm->has_fmt_lost)
		return;
	for (unsigned i = 0; i < dm->ncpus; i++)
		for (int k = 0; k < EV_N; k++) {
			uint64_t v[2];

			if (dm->cpus[i].fd[k] >= 0 && read(dm->cpus[i].fd[k], v, sizeof(v)) == sizeof(v))
				sum[k != EV_KFREE] += v[1];
		}
	dm->fmt_lost[0] = sum[0];
	dm->fmt_lost[1] = sum[1];
}

bool
pp_dropmon_has_devices(const struct pp_dropmon *dm)
{
	return (dm->fmt[EV_RX] || dm->fmt[EV_TX]) && dm->aux_missing == 0;
}

bool
pp_dropmon_has_symbols(const struct pp_dropmon *dm)
{
	return dm->ks != NULL;
}

const char *
pp_dropmon_tracefs(const struct pp_dropmon *dm)
{
	return dm->tracefs;
}

int
pp_dropmon_wait(struct pp_dropmon *dm, int timeout_ms)
{
	struct pollfd pf[512];
	unsigned n = 0;
	int rc;

	for (unsigned i = 0; i < dm->ncpus; i++)
		for (int r = 0; r < 2; r++)
			if (dm->cpus[i].ring[r].fd >= 0 && n < PP_ARRAY_SIZE(pf)) {
				pf[n].fd = dm->cpus[i].ring[r].fd;
				pf[n].events = POLLIN;
				pf[n].revents = 0;
				n++;
			}
	rc = poll(pf, n, timeout_ms);
	if (rc < 0)
		return -errno;
	return rc > 0;
}

/* skb address -> last device, linear probing with backward-shift deletion. */
static size_t
map_hash(uint64_t key)
{
	return (size_t)(((key >> 6) * 0x9E3779B97F4A7C15ull) >> (64 - MAP_BITS));
}

static struct dm_slot *
map_find(struct pp_dropmon *dm, uint64_t key)
{
	size_t mask = ((size_t)1 << MAP_BITS) - 1;

	for (size_t i = map_hash(key);; i = (i + 1) & mask) {
		if (dm->map[i].key == key)
			return &dm->map[i];
		if (dm->map[i].key == 0)
			return NULL;
	}
}

static void
map_put(struct pp_dropmon *dm, uint64_t key, const char *dev, uint64_t time, bool rx, uint32_t len)
{
	size_t mask = ((size_t)1 << MAP_BITS) - 1, i;

	if (!key)
		return;
	if (dm->map_used >= (mask + 1) / 4 * 3) {	/* full of skbs never freed in view: start over */
		memset(dm->map, 0, ((size_t)1 << MAP_BITS) * sizeof(*dm->map));
		dm->map_used = 0;
	}
	for (i = map_hash(key); dm->map[i].key && dm->map[i].key != key; i = (i + 1) & mask)
		;
	if (!dm->map[i].key)
		dm->map_used++;
	dm->map[i].key = key;
	dm->map[i].time = time;
	dm->map[i].rx = rx;
	dm->map[i].len = len;
	snprintf(dm->map[i].dev, sizeof(dm->map[i].dev), "%s", dev);
}

static void
map_del(struct pp_dropmon *dm, uint64_t key)
{
	size_t mask = ((size_t)1 << MAP_BITS) - 1, i, j;
	struct dm_slot *s = key ? map_find(dm, key) : NULL;

	if (!s)
		return;
	i = (size_t)(s - dm->map);
	dm->map[i].key = 0;
	dm->map_used--;
	for (j = (i + 1) & mask; dm->map[j].key; j = (j + 1) & mask) {
		size_t h = map_hash(dm->map[j].key);

		/* move j back into the hole at i unless its home lies in (i, j] */
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			dm->map[i] = dm->map[j];
			dm->map[j].key = 0;
			i = j;
		}
	}
}

static int
push_ev(struct pp_dropmon *dm, const struct dm_ev *ev)
{
	if (dm->nevs == dm->evcap) {
		size_t nc = dm->evcap ? dm->evcap * 2 : 1024;
		struct dm_ev *n = realloc(dm->evs, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		dm->evs = n;
		dm->evcap = nc;
	}
	dm->evs[dm->nevs++] = *ev;
	return 0;
}

static int
push_drop(struct pp_dropmon *dm, const struct pp_drop *d, uint32_t *idx)
{
	if (dm->ndrops == dm->dropcap) {
		size_t nc = dm->dropcap ? dm->dropcap * 2 : 64;
		struct pp_drop *n = realloc(dm->drops, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		dm->drops = n;
		dm->dropcap = nc;
	}
	*idx = (uint32_t)dm->ndrops;
	dm->drops[dm->ndrops++] = *d;
	return 0;
}

/* One sample's raw data, by its common_type. */
static int
take_sample(const struct pp_perf_sample *s, void *arg)
{
	struct pp_dropmon *dm = arg;
	struct dm_ev ev;
	uint32_t type;
	int kind = -1;

	if (pp_tp_raw_type(dm->fmt[EV_KFREE], s->raw, s->raw_len, &type) < 0)
		return 0;
	for (int k = 0; k < EV_N; k++)
		if (dm->fmt[k] && dm->fmt[k]->id == type)
			kind = k;
	if (kind < 0)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.time = s->time;
	ev.seq = dm->seq++;
	ev.kind = kind;
	if (kind == EV_KFREE) {
		struct pp_drop d;

		memset(&d, 0, sizeof(d));
		if (pp_dropmon_decode_kfree(dm->fmt[kind], s->raw, s->raw_len, &d) < 0)
			return 0;
		d.time_ns = s->time;
		d.cpu = (int)s->cpu;
		d.pid = s->pid;
		d.tid = s->tid;
		ev.skbaddr = d.skbaddr;
		if (push_drop(dm, &d, &ev.drop) < 0)
			return -ENOMEM;
	} else if (pp_dropmon_decode_skb_event(dm->fmt[kind], s->raw, s->raw_len, &ev.skbaddr,
					       ev.dev, sizeof(ev.dev)) < 0) {
		return 0;
	} else if (pp_dropmon_decode_skb_len(dm->fmt[kind], s->raw, s->raw_len, &ev.len) < 0) {
		ev.len = 0;
	}
	return push_ev(dm, &ev);
}

static int
ev_cmp(const void *a, const void *b)
{
	const struct dm_ev *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
pp_dropmon_read(struct pp_dropmon *dm, int (*cb)(const struct pp_drop *d, void *data), void *data)
{
	int rc = 0, seen = 0;
	bool stop = false;

	dm->nevs = 0;
	dm->ndrops = 0;
	for (unsigned i = 0; i < dm->ncpus && rc == 0; i++)
		for (int r = 0; r < 2 && rc == 0; r++)
			rc = pp_perf_ring_drain(&dm->cpus[i].ring[r], dm->tmp, 65536, take_sample, dm,
						&dm->lost[r]);
	count_lost(dm);
	if (rc < 0)
		return rc;
	if (dm->nevs > 1)
		qsort(dm->evs, dm->nevs, sizeof(*dm->evs), ev_cmp);
	for (size_t i = 0; i < dm->nevs; i++) {
		const struct dm_ev *ev = &dm->evs[i];
		struct pp_drop *d;
		struct dm_slot *s;
		const char *sym;

		switch (ev->kind) {
		case EV_RX:
		case EV_TX:
			map_put(dm, ev->skbaddr, ev->dev, ev->time, ev->kind == EV_RX, ev->len);
			continue;
		case EV_CONSUME:
			map_del(dm, ev->skbaddr);
			continue;
		default:
			break;
		}
		d = &dm->drops[ev->drop];
		s = map_find(dm, d->skbaddr);
		if (s) {
			snprintf(d->dev, sizeof(d->dev), "%s", s->dev);
			d->dev_time_ns = s->time;
			d->dev_rx = s->rx;
			d->dev_len = s->len;
		}
		map_del(dm, d->skbaddr);
		if (dm->ks && (sym = pp_kallsyms_lookup(dm->ks, d->location, &d->sym_off)))
			snprintf(d->symbol, sizeof(d->symbol), "%s", sym);
		d->attribution = pp_drop_attribute(d, dm->pid, dm->devp, dm->ndevs);
		seen++;
		if (cb && !stop && cb(d, data) != 0)
			stop = true;
	}
	return seen;
}
