/*
 * dropmon.h: where the kernel frees a packet it meant to deliver, from the
 * skb:kfree_skb tracepoint, read without BPF through perf_event_open
 * (PERF_TYPE_TRACEPOINT, PERF_SAMPLE_TID | TIME | CPU | RAW), one event per
 * online CPU into an mmap'd ring.
 *
 * Nothing here is compiled in for one kernel: the event ids, the field offsets
 * and sizes and the names of the drop reasons come from the tracepoints'
 * "format" files in tracefs at run time (the reason numbers moved in 5.18, 6.2
 * and later; drop-tracing-anchors.md section 8). The location is resolved
 * through /proc/kallsyms.
 *
 * The tracepoint is global and carries no device, ifindex or namespace
 * (fault-signals.md 5.1). A drop is tied to a namespace by
 *   - process context: a drop in process context (no softirq/hardirq/NMI bit in
 *     the record's common_flags) whose pid is the caller's own happened in the
 *     caller's own syscall, so in its namespace (F6: OUTPUT drop, comm = sender);
 *   - pointer correlation: net:netif_receive_skb and net:net_dev_queue name the
 *     device an skb passed; the drop's skbaddr equals the skbaddr of the last of
 *     them (F3, 5.1 "Workaround A"). skb:consume_skb forgets an address when its
 *     skb is freed normally, so a recycled address does not inherit a stale
 *     device. Those events carry a device NAME only: attribution by device is as
 *     good as the names are unique across namespaces.
 */
#ifndef PP_DROPMON_H
#define PP_DROPMON_H

#include <sys/types.h>

#include "pp.h"

#define PP_TP_MAX_FIELDS	32
#define PP_TP_MAX_REASONS	512

struct pp_tp_field {
	char name[32];
	uint16_t offset, size;
	bool is_signed;
	bool data_loc;			/* __data_loc: u32 (len << 16 | offset into the record) */
};

struct pp_tp_reason {
	uint32_t value;
	char name[48];			/* without SKB_DROP_REASON_ */
};

/* One tracepoint's format file, parsed. */
struct pp_tp_format {
	char name[64];			/* "kfree_skb" */
	uint32_t id;			/* perf_event_attr.config; also the record's common_type */
	unsigned nfields;
	struct pp_tp_field fields[PP_TP_MAX_FIELDS];
	/* Indexes into fields[] of the fields we read, -1 when the format has none. */
	int f_common_type, f_common_flags, f_common_pid;
	int f_skbaddr, f_location, f_protocol, f_reason, f_rx_sk;	/* skb:kfree_skb, consume_skb */
	int f_len, f_name;						/* net:netif_receive_skb, net_dev_queue */
	/* __print_symbolic(REC->reason, {N, "NAME"}, ...) in print fmt, in file order. */
	unsigned nreasons;
	bool reasons_truncated;		/* more than PP_TP_MAX_REASONS: the rest are unnamed */
	struct pp_tp_reason reasons[PP_TP_MAX_REASONS];
};

struct pp_kallsyms_sym {
	uint64_t addr;
	uint32_t name;			/* offset into names */
};

/* Text symbols of /proc/kallsyms (types t T w W), sorted by address. */
struct pp_kallsyms {
	struct pp_kallsyms_sym *syms;
	size_t nsyms;
	char *names;			/* "name\0name\0..." (module symbols without [module]) */
	size_t names_len;
	bool hidden;			/* every address was 0: kptr_restrict, or not root */
};

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
 * tracefs: found where it is mounted (/sys/kernel/tracing, debugfs' tracing/, or
 * any tracefs mount in /proc/self/mounts); when none is mounted, a child process
 * mounts it in a private mount namespace of its own, reads the format files and
 * exits, so no mount is left behind on the host. The monitor starts disabled.
 * Returns 0, or -errno with e saying what is missing (-ENOENT: no skb:kfree_skb
 * tracepoint or no reason field on this kernel; -EACCES/-EPERM: privilege).
 * Missing net:* or consume_skb events only weaken device attribution: see
 * pp_dropmon_has_devices().
 */
int pp_dropmon_open(struct pp_dropmon **dm, struct pp_err *e);
/*
 * Our namespace's devices (names, copied), for attribution, and our pid (0: none).
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

/*
 * Parse a tracepoint format file (text, NUL-terminated). Returns 0, -EBADMSG when
 * it is cut or malformed (no "ID:", no "format:", a field line without
 * offset/size, no complete "print fmt:" line, a __print_symbolic list not
 * closed), -E2BIG with more than PP_TP_MAX_FIELDS fields.
 */
int pp_dropmon_parse_format(const char *text, struct pp_tp_format *out);
/* The reason's name from the format's table, or NULL. */
const char *pp_dropmon_reason_name(const struct pp_tp_format *f, uint32_t reason);
/* 0 when f is a usable skb:kfree_skb (skbaddr, location, protocol, reason), else -ENOENT. */
int pp_dropmon_check_kfree(const struct pp_tp_format *f);

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
/* Returns 0, -EBADMSG when len or header.size is too short for what it claims, -ENOMSG when not a sample. */
int pp_dropmon_decode_sample(const void *rec, size_t len, struct pp_perf_sample *s);
/* Raw kfree_skb data into d (skbaddr, location, protocol, reason, reason_name, flags). 0 or -EBADMSG. */
int pp_dropmon_decode_kfree(const struct pp_tp_format *f, const void *raw, size_t len,
			    struct pp_drop *d);
/* Raw net:netif_receive_skb / net_dev_queue / skb:consume_skb: the skbaddr and (if any) device name. */
int pp_dropmon_decode_skb_event(const struct pp_tp_format *f, const void *raw, size_t len,
				uint64_t *skbaddr, char *dev, size_t devlen);
/* The common_type of a raw record (the tracepoint id), or -EBADMSG. */
int pp_dropmon_raw_type(const struct pp_tp_format *f, const void *raw, size_t len, uint32_t *type);
/*
 * Attribution of a decoded drop (d->flags, d->pid, d->dev) for a scope:
 * see the enum. pid 0 means "no pid in the scope".
 */
int pp_drop_attribute(const struct pp_drop *d, pid_t pid, const char *const *devs, size_t ndevs);

/*
 * Load /proc/kallsyms text (NUL-terminated). Keeps text symbols only. Returns 0,
 * -EACCES when every address is 0 (hidden: the location cannot be resolved;
 * ks->hidden set), -ENOENT when there are no text symbols, -ENOMEM.
 */
int pp_kallsyms_load(struct pp_kallsyms *ks, const char *text);
/*
 * The symbol addr falls in (the nearest one at or below), *off the offset; NULL
 * below the first symbol, or more than 64 KiB above the last one.
 */
const char *pp_kallsyms_lookup(const struct pp_kallsyms *ks, uint64_t addr, uint64_t *off);
void pp_kallsyms_free(struct pp_kallsyms *ks);

/* The pathcheck station of a drop is pathcheck's own: cmd/pathcheck/dropmap.h. */

#endif
