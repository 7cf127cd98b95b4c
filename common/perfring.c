/* perfring.c: tracepoint events through perf_event_open(2), their mmap'd rings and records. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "perfring.h"
#include "sysctl.h"

/* ---------------------------------------------------------------- records */

int
pp_perf_decode_sample(const void *rec, size_t len, struct pp_perf_sample *s)
{
	const uint8_t *p = rec;
	struct perf_event_header h;
	uint32_t u32[2];
	size_t need = sizeof(h) + 8 + 8 + 8 + 4;

	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, p, sizeof(h));
	if (h.size < sizeof(h) || h.size > len)
		return -EBADMSG;
	if (h.type != PERF_RECORD_SAMPLE)
		return -ENOMSG;
	if (h.size < need)
		return -EBADMSG;
	p += sizeof(h);
	memcpy(u32, p, 8);			/* PERF_SAMPLE_TID */
	s->pid = u32[0];
	s->tid = u32[1];
	memcpy(&s->time, p + 8, 8);		/* PERF_SAMPLE_TIME */
	memcpy(u32, p + 16, 8);			/* PERF_SAMPLE_CPU: cpu, res */
	s->cpu = u32[0];
	memcpy(&s->raw_len, p + 24, 4);		/* PERF_SAMPLE_RAW: u32 size, data */
	if (s->raw_len > h.size - need)
		return -EBADMSG;
	s->raw = p + 28;
	return 0;
}

int
pp_perf_decode_namespaces(const void *rec, size_t len, struct pp_perf_ns *ns)
{
	const uint8_t *p = rec;
	struct perf_event_header h;
	uint64_t nr;

	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, p, sizeof(h));
	if (h.size < sizeof(h) || h.size > len)
		return -EBADMSG;
	if (h.type != PERF_RECORD_NAMESPACES)
		return -ENOMSG;
	/* u32 pid, tid; u64 nr_namespaces; { u64 dev, inode } [nr] */
	if (h.size < sizeof(h) + 16)
		return -EBADMSG;
	memcpy(&ns->pid, p + 8, 4);
	memcpy(&ns->tid, p + 12, 4);
	memcpy(&nr, p + 16, 8);
	if (nr <= NET_NS_INDEX || (size_t)h.size < sizeof(h) + 16 + 16 * (NET_NS_INDEX + 1))
		return -EBADMSG;
	memcpy(&ns->net_dev, p + 24 + 16 * NET_NS_INDEX, 8);
	memcpy(&ns->net_ino, p + 32 + 16 * NET_NS_INDEX, 8);
	/* sample_id trailer of a TID | TIME | CPU sampler: u32 pid, tid; u64 time; u32 cpu, res */
	ns->time = 0;
	if (nr <= 64 && (size_t)h.size >= sizeof(h) + 16 + 16 * nr + 24)
		memcpy(&ns->time, p + 24 + 16 * nr + 8, 8);
	return 0;
}

int
pp_perf_ring_walk(const uint8_t *data, uint64_t size, uint64_t tail, uint64_t head,
		  uint8_t *tmp, size_t tmplen, pp_perf_sample_cb cb, void *arg, uint64_t *lost)
{
	return pp_perf_ring_walk_ns(data, size, tail, head, tmp, tmplen, cb, NULL, arg, lost);
}

int
pp_perf_ring_walk_ns(const uint8_t *data, uint64_t size, uint64_t tail, uint64_t head,
		     uint8_t *tmp, size_t tmplen, pp_perf_sample_cb cb, pp_perf_ns_cb ns_cb,
		     void *arg, uint64_t *lost)
{
	int rc = 0;

	if (size == 0)
		return 0;
	while (tail < head && rc == 0) {
		struct perf_event_header h;
		uint64_t off = tail % size;
		const uint8_t *rec;

		if (head - tail < sizeof(h))
			break;
		for (size_t i = 0; i < sizeof(h); i++)
			((uint8_t *)&h)[i] = data[(off + i) % size];
		if (h.size < sizeof(h) || h.size > head - tail || h.size > size)
			break;			/* corrupt: give up on this ring's content */
		if (off + h.size <= size) {
			rec = data + off;
		} else {
			size_t first = (size_t)(size - off);

			if (h.size > tmplen)
				break;
			memcpy(tmp, data + off, first);
			memcpy(tmp + first, data, h.size - first);
			rec = tmp;
		}
		if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
			uint64_t n;

			memcpy(&n, rec + sizeof(h) + 8, 8);
			if (lost)
				*lost += n;
		} else if (h.type == PERF_RECORD_SAMPLE && cb) {
			struct pp_perf_sample smp;

			if (pp_perf_decode_sample(rec, h.size, &smp) == 0)
				rc = cb(&smp, arg);
		} else if (h.type == PERF_RECORD_NAMESPACES && ns_cb) {
			struct pp_perf_ns ns;

			if (pp_perf_decode_namespaces(rec, h.size, &ns) == 0)
				rc = ns_cb(&ns, arg);
		}
		tail += h.size;
	}
	return rc < 0 ? rc : 0;
}

/* ---------------------------------------------------------------- the kernel */

static long
perf_event_open(struct perf_event_attr *a, pid_t pid, int cpu, int group, unsigned long flags)
{
	return syscall(SYS_perf_event_open, a, pid, cpu, group, flags);
}

int
pp_perf_parse_cpulist(const char *t, int **out, unsigned *n)
{
	const char *p;
	int *v = NULL;
	unsigned cnt = 0, cap = 0;

	for (p = t; *p && *p != '\n';) {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p || a < 0)
			goto bad;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a || b - a > 65536)
				goto bad;
			p = end;
		}
		for (long c = a; c <= b; c++) {
			if (cnt == cap) {
				int *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

				if (!nv)
					goto bad;
				v = nv;
			}
			v[cnt++] = (int)c;
		}
		if (*p == ',')
			p++;
		else if (*p && *p != '\n')
			goto bad;
	}
	if (!cnt) {
		free(v);
		return -ENOENT;
	}
	*out = v;
	*n = cnt;
	return 0;
bad:
	free(v);
	return -EINVAL;
}

int
pp_perf_online_cpus(int **out, unsigned *n)
{
	char *t = NULL;
	int rc = pp_slurp("/sys/devices/system/cpu/online", &t, 65536);

	if (rc < 0)
		return rc;
	rc = pp_perf_parse_cpulist(t, out, n);
	free(t);
	return rc;
}

static int
open_sampler(uint32_t id, int cpu, uint32_t wakeup, bool *fmt_lost, bool namespaces)
{
	struct perf_event_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = id;
	a.sample_period = 1;
	a.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	a.disabled = 1;
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.watermark = 1;
	a.wakeup_watermark = wakeup;
	/*
	 * A CPU-wide event receives side-band records only when it asks for one of
	 * those that make it a side-band event (is_sb_event(): mmap, comm, task,
	 * ...); namespaces alone is not among them. task adds FORK and EXIT records,
	 * one per task created or ended, which the walk skips.
	 */
	a.namespaces = namespaces;
	a.task = namespaces;
	/* their time (sample_id trailer), to order a task's records across CPUs' rings */
	a.sample_id_all = namespaces;
	a.read_format = fmt_lost && *fmt_lost ? PERF_FORMAT_LOST : 0;
	fd = perf_event_open(&a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && errno == EINVAL && fmt_lost && *fmt_lost) {	/* before 6.0 */
		*fmt_lost = false;
		a.read_format = 0;
		fd = perf_event_open(&a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	}
	return fd < 0 ? -errno : (int)fd;
}

int
pp_perf_open_sampler(uint32_t id, int cpu, uint32_t wakeup, bool *fmt_lost)
{
	return open_sampler(id, cpu, wakeup, fmt_lost, false);
}

int
pp_perf_open_sampler_ns(uint32_t id, int cpu, uint32_t wakeup, bool *fmt_lost)
{
	return open_sampler(id, cpu, wakeup, fmt_lost, true);
}

int
pp_perf_ring_map(struct pp_perf_ring *r, int fd, size_t pages)
{
	r->page = (size_t)sysconf(_SC_PAGESIZE);
	r->len = (pages + 1) * r->page;
	r->base = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->base == MAP_FAILED) {
		r->base = NULL;
		return -errno;
	}
	r->size = (uint64_t)pages * r->page;
	r->fd = fd;
	return 0;
}

void
pp_perf_ring_unmap(struct pp_perf_ring *r)
{
	if (r->base)
		munmap(r->base, r->len);
	r->base = NULL;
}

int
pp_perf_ring_drain(struct pp_perf_ring *r, uint8_t *tmp, size_t tmplen,
		   pp_perf_sample_cb cb, void *arg, uint64_t *lost)
{
	struct perf_event_mmap_page *m;
	uint64_t head, tail;
	int rc;

	if (!r->base)
		return 0;
	m = (void *)r->base;
	head = __atomic_load_n(&m->data_head, __ATOMIC_ACQUIRE);
	tail = m->data_tail;
	rc = pp_perf_ring_walk(r->base + r->page, r->size, tail, head, tmp, tmplen, cb, arg, lost);
	__atomic_store_n(&m->data_tail, head, __ATOMIC_RELEASE);
	return rc;
}

int
pp_perf_ring_peek_ns(struct pp_perf_ring *r, uint8_t *tmp, size_t tmplen, pp_perf_ns_cb ns_cb, void *arg)
{
	struct perf_event_mmap_page *m;
	uint64_t head, tail;

	if (!r->base)
		return 0;
	m = (void *)r->base;
	head = __atomic_load_n(&m->data_head, __ATOMIC_ACQUIRE);
	tail = m->data_tail;
	return pp_perf_ring_walk_ns(r->base + r->page, r->size, tail, head, tmp, tmplen, NULL, ns_cb, arg, NULL);
}
