/*
 * perfring.h: a tracepoint through perf_event_open(2), without BPF: one event
 * per online CPU (PERF_TYPE_TRACEPOINT, config = the id from its tracefs
 * format), sampling every hit into an mmap'd ring (PERF_SAMPLE_TID | TIME |
 * CPU | RAW), and the decoding of the ring's records. Needs CAP_PERFMON or
 * CAP_SYS_ADMIN for a system-wide tracepoint (perf_event_paranoid aside).
 */
#ifndef PP_PERFRING_H
#define PP_PERFRING_H

#include "pp.h"

/*
 * A PERF_RECORD_SAMPLE with sample_type TID | TIME | CPU | RAW, from its header:
 * the fields and a pointer into rec at the raw tracepoint data.
 */
struct pp_perf_sample {
	uint32_t pid, tid;
	uint64_t time;
	uint32_t cpu;
	const uint8_t *raw;
	uint32_t raw_len;
};

/* Pure (no kernel; unit-tested): */

/* Returns 0, -EBADMSG when len or header.size is too short for what it claims, -ENOMSG when not a sample. */
int pp_perf_decode_sample(const void *rec, size_t len, struct pp_perf_sample *s);

/* Called per decoded sample; a negative return stops the walk and is returned. */
typedef int (*pp_perf_sample_cb)(const struct pp_perf_sample *s, void *arg);

/*
 * A PERF_RECORD_NAMESPACES (attr.namespaces): the task and the network
 * namespace it has from now on. The kernel writes one when a task is forked,
 * calls unshare(2) or setns(2), so a task that enters a namespace and exits
 * before anyone reads /proc/PID/ns/net still says where it was.
 */
struct pp_perf_ns {
	uint32_t pid, tid;
	uint64_t net_dev, net_ino;
	uint64_t time;			/* from the sample_id trailer (sample_id_all); 0 without one */
};
/* Returns 0, -ENOMSG when not such a record, -EBADMSG when it is cut or has no network namespace. */
int pp_perf_decode_namespaces(const void *rec, size_t len, struct pp_perf_ns *ns);
/* Called per PERF_RECORD_NAMESPACES that decodes; a negative return stops the walk. */
typedef int (*pp_perf_ns_cb)(const struct pp_perf_ns *ns, void *arg);

/*
 * The records in [tail, head) of a ring's data area of size bytes (a power of
 * two; positions are free-running, taken modulo size). A record that wraps the
 * end is copied into tmp (tmplen bytes; 65536 holds any record). Adds
 * PERF_RECORD_LOST counts to *lost; calls cb per sample that decodes; other
 * record types are skipped. Stops at a header that is cut or claims more than
 * is there (the rest of the ring cannot be framed). Returns 0 or cb's negative.
 */
int pp_perf_ring_walk(const uint8_t *data, uint64_t size, uint64_t tail, uint64_t head,
		      uint8_t *tmp, size_t tmplen, pp_perf_sample_cb cb, void *arg, uint64_t *lost);
/* The same, also calling ns_cb per PERF_RECORD_NAMESPACES (either callback may be NULL). */
int pp_perf_ring_walk_ns(const uint8_t *data, uint64_t size, uint64_t tail, uint64_t head,
			 uint8_t *tmp, size_t tmplen, pp_perf_sample_cb cb, pp_perf_ns_cb ns_cb,
			 void *arg, uint64_t *lost);

/* The kernel: */

/* The online CPUs ("0-3,5" in /sys/devices/system/cpu/online) into a malloc'd list. */
int pp_perf_online_cpus(int **out, unsigned *n);
/* "0-3,5,7-8" into a malloc'd list: 0, -EINVAL (malformed), -ENOENT (empty). Pure. */
int pp_perf_parse_cpulist(const char *text, int **out, unsigned *n);

/*
 * A disabled sampling event for tracepoint id on one CPU, every hit,
 * CLOCK_MONOTONIC timestamps, waking a poll(2) at wakeup bytes. With *fmt_lost
 * it asks for PERF_FORMAT_LOST (6.0+) and clears *fmt_lost when the kernel
 * refuses it. Returns the fd or -errno.
 */
int pp_perf_open_sampler(uint32_t id, int cpu, uint32_t wakeup, bool *fmt_lost);
/* The same with attr.namespaces (and attr.task): PERF_RECORD_NAMESPACES in the ring too (4.12+). */
int pp_perf_open_sampler_ns(uint32_t id, int cpu, uint32_t wakeup, bool *fmt_lost);

struct pp_perf_ring {
	uint8_t *base;			/* NULL: not mapped */
	size_t len;			/* mapped: one metadata page + data */
	uint64_t size;			/* data */
	size_t page;
	int fd;				/* the event that owns the ring, -1 none */
};

/* Map pages (a power of two) data pages of fd's ring. 0 or -errno. */
int pp_perf_ring_map(struct pp_perf_ring *r, int fd, size_t pages);
void pp_perf_ring_unmap(struct pp_perf_ring *r);
/* pp_perf_ring_walk() over what the kernel wrote since the last drain; then frees it to the kernel. */
int pp_perf_ring_drain(struct pp_perf_ring *r, uint8_t *tmp, size_t tmplen,
		       pp_perf_sample_cb cb, void *arg, uint64_t *lost);
/*
 * The PERF_RECORD_NAMESPACES the kernel wrote since the last drain, without
 * freeing anything: peek at every CPU's ring first, then drain them, and a
 * sample's task is known before its sample whichever CPU its setns() ran on.
 */
int pp_perf_ring_peek_ns(struct pp_perf_ring *r, uint8_t *tmp, size_t tmplen, pp_perf_ns_cb ns_cb,
			 void *arg);

#endif
