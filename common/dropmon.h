/*
 * dropmon.h: where the kernel frees a packet it meant to deliver, from the
 * skb:kfree_skb tracepoint, read without BPF through perf_event_open: one
 * sampling event per online CPU into an mmap'd ring (perfring.h), the event's
 * layout and the drop reasons' names from its tracefs format (tracefs.h), the
 * location resolved through /proc/kallsyms (kallsyms.h).
 *
 * The tracepoint is global: it fires for every namespace, and its record
 * carries no device, ifindex or namespace (its fields are skbaddr, location,
 * rx_sk, protocol and reason). A drop is tied to a namespace by
 *   - process context: a drop in process context (no softirq/hardirq/NMI bit in
 *     the record's common_flags) whose pid is the caller's own happened in the
 *     caller's own syscall, so in its namespace (a drop in OUTPUT, for one, runs
 *     in the sender's sendmsg(), and the record's comm is the sender);
 *   - pointer correlation: net:netif_receive_skb and net:net_dev_queue name the
 *     device an skb passed; the drop's skbaddr equals the skbaddr of the last of
 *     them. skb:consume_skb forgets an address when its skb is freed normally,
 *     so a recycled address does not inherit a stale device. Those events carry
 *     a device NAME only: attribution by device is as good as the names are
 *     unique across namespaces.
 * A drop in softirq context that was never seen on a device cannot be tied to
 * any namespace: the pid is whoever happened to be running on that CPU.
 */
#ifndef PP_DROPMON_H
#define PP_DROPMON_H

#include <sys/types.h>

#include "kallsyms.h"
#include "perfring.h"
#include "pp.h"
#include "tracefs.h"

struct pp_dropmon;			/* opaque */

struct pp_drop {
	uint64_t time_ns;		/* PERF_SAMPLE_TIME; CLOCK_MONOTONIC (attr.use_clockid) */
	int cpu;
	uint32_t pid, tid;		/* the task that was current: meaningful in process context only */
	uint64_t skbaddr, location;
	uint16_t protocol;		/* ETH_P_IP 0x0800, ETH_P_IPV6, ETH_P_ARP, host order */
	uint32_t reason;		/* raw value */
	char reason_name[48];		/* without SKB_DROP_REASON_ prefix, from the format; "" if unknown */
	char symbol[64];		/* location resolved, "" if not */
	uint64_t sym_off;
	char dev[16];			/* device the skb was last seen on, "" if not seen */
	uint64_t dev_time_ns;		/* when it was seen there (CLOCK_MONOTONIC), with dev */
	bool dev_rx;			/* seen arriving (netif_receive_skb), not queued to send */
	uint32_t dev_len;		/* its skb->len there: from the network header on when arriving (0: not known) */
	uint8_t flags;			/* the record's common_flags (PP_TRACE_FLAG_*) */
	enum {
		PP_DROP_OURS_PROCESS,	/* process context, the scope pid's own syscall */
		PP_DROP_OURS_DEVICE,	/* last seen on one of the scope's devices */
		PP_DROP_UNATTRIBUTED,	/* not seen on any device, not our process: cannot tell */
		PP_DROP_OTHER_NS,	/* last seen on a device the scope does not have */
	} attribution;
};

/* common_flags bits (kernel/trace/trace.h, stable since 2.6): the context of the event. */
#define PP_TRACE_FLAG_HARDIRQ	0x08
#define PP_TRACE_FLAG_SOFTIRQ	0x10
#define PP_TRACE_FLAG_NMI	0x40

/*
 * Open on every online CPU. Needs CAP_PERFMON or CAP_SYS_ADMIN (root) and
 * tracefs (pp_tracefs_read(): mounted, or a private mount of its own). The
 * monitor starts disabled.
 * Returns 0, or -errno with e saying what is missing (-ENOENT: no skb:kfree_skb
 * tracepoint or no reason field on this kernel; -EACCES/-EPERM: privilege).
 * Missing net:* or consume_skb events only weaken device attribution: see
 * pp_dropmon_has_devices().
 */
int pp_dropmon_open(struct pp_dropmon **dm, struct pp_err *e);
/*
 * Our namespace's devices (names, copied), for attribution, and the thread that
 * sends (its tid, gettid(); 0: none).
 * With no devices, a drop seen on a device is PP_DROP_UNATTRIBUTED, not OTHER_NS.
 */
int pp_dropmon_set_scope(struct pp_dropmon *dm, pid_t pid, const char *const *devs, size_t ndevs);
int pp_dropmon_enable(struct pp_dropmon *dm);	/* start counting (ioctl ENABLE) */
int pp_dropmon_disable(struct pp_dropmon *dm);
/*
 * Read what the rings hold, in time order across CPUs; cb per kfree_skb event
 * (attribution filled). A cb returning non-zero stops the callbacks (the rings
 * are still drained). Returns kfree_skb events seen or -errno. Counts lost
 * records (PERF_RECORD_LOST, and PERF_FORMAT_LOST on 6.0+, which also counts
 * while a ring stays full). Call it every so often while waiting
 * (pp_dropmon_wait), not only at the end: each CPU's ring holds about 1600 drops.
 */
int pp_dropmon_read(struct pp_dropmon *dm, int (*cb)(const struct pp_drop *d, void *data), void *data);
uint64_t pp_dropmon_lost(const struct pp_dropmon *dm);
void pp_dropmon_close(struct pp_dropmon *dm);

/* Extensions (not in the first sketch of the API): */
/*
 * Records of net:* / consume_skb the kernel could not write (their own ring, so
 * they never cost a drop): when non-zero, some drops may miss their dev.
 */
uint64_t pp_dropmon_lost_aux(const struct pp_dropmon *dm);
/* Wait up to timeout_ms for a ring to be a quarter full (poll(2)); 1 ready, 0 timeout, -errno. */
int pp_dropmon_wait(struct pp_dropmon *dm, int timeout_ms);
/* false when net:netif_receive_skb/net_dev_queue/consume_skb could not be opened on every CPU: dev may stay "". */
bool pp_dropmon_has_devices(const struct pp_dropmon *dm);
/* false when kallsyms hides addresses (or could not be read): symbol stays "". */
bool pp_dropmon_has_symbols(const struct pp_dropmon *dm);
/* Where tracefs was found, or "(private mount)"; for messages. */
const char *pp_dropmon_tracefs(const struct pp_dropmon *dm);

/* Pure helpers (no kernel; unit-tested): */

/* 0 when f is a usable skb:kfree_skb (skbaddr, location, protocol, reason), else -ENOENT. */
int pp_dropmon_check_kfree(const struct pp_tp_format *f);

/* Raw kfree_skb data into d (skbaddr, location, protocol, reason, reason_name, flags). 0 or -EBADMSG. */
int pp_dropmon_decode_kfree(const struct pp_tp_format *f, const void *raw, size_t len,
			    struct pp_drop *d);
/* Raw net:netif_receive_skb / net_dev_queue / skb:consume_skb: the skbaddr and (if any) device name. */
/* The len field of a net:* event (skb->len): 0, -ENOENT when the format has none, -EBADMSG. */
int pp_dropmon_decode_skb_len(const struct pp_tp_format *f, const void *raw, size_t len, uint32_t *skblen);
int pp_dropmon_decode_skb_event(const struct pp_tp_format *f, const void *raw, size_t len,
				uint64_t *skbaddr, char *dev, size_t devlen);
/*
 * Attribution of a decoded drop (d->flags, d->tid, d->dev) for a scope:
 * see the enum. pid is the sending thread's tid; 0 means "none in the scope".
 */
int pp_drop_attribute(const struct pp_drop *d, pid_t pid, const char *const *devs, size_t ndevs);

/* The pathcheck station of a drop is pathcheck's own: cmd/pathcheck/dropmap.h. */

#endif
