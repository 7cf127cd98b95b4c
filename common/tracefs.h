/*
 * tracefs.h: tracepoint format files, read from the running kernel.
 *
 * Nothing here is compiled in for one kernel: a tracepoint's id, its fields'
 * offsets and sizes and, for skb:kfree_skb, the names of the drop reasons come
 * from events/<system>/<event>/format in tracefs at run time. The reason
 * numbers are an enum that moved between kernel versions (5.18, 6.2 and later
 * inserted values in the middle), so a number means nothing without the
 * kernel's own table, which the format's "print fmt:" line carries as
 * __print_symbolic(REC->reason, { N, "NAME" }, ...).
 */
#ifndef PP_TRACEFS_H
#define PP_TRACEFS_H

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

/* Pure (no kernel; unit-tested): */

/*
 * Parse a tracepoint format file (text, NUL-terminated). Returns 0, -EBADMSG when
 * it is cut or malformed (no "ID:", no "format:", a field line without
 * offset/size, no complete "print fmt:" line, a __print_symbolic list not
 * closed), -E2BIG with more than PP_TP_MAX_FIELDS fields.
 */
int pp_tp_parse_format(const char *text, struct pp_tp_format *out);
/* The reason's name from the format's table, or NULL. */
const char *pp_tp_reason_name(const struct pp_tp_format *f, uint32_t reason);
/* The value of the reason called name (without SKB_DROP_REASON_); 0 found, -ENOENT. */
int pp_tp_reason_value(const struct pp_tp_format *f, const char *name, uint32_t *value);
/* Field i exists and is a plain integer of 1, 2, 4 or 8 bytes. */
bool pp_tp_int_field(const struct pp_tp_format *f, int i);
/* Field i of a raw record: 0, -ENOENT (not an integer field), -EBADMSG (record too short). */
int pp_tp_get_uint(const struct pp_tp_format *f, int i, const void *raw, size_t len, uint64_t *v);
/* A __data_loc string field of a raw record into buf (trailing NULs dropped); 0 or -EBADMSG. */
int pp_tp_get_str(const struct pp_tp_format *f, int i, const void *raw, size_t len,
		  char *buf, size_t buflen);
/* The common_type of a raw record (the tracepoint id), or -EBADMSG. */
int pp_tp_raw_type(const struct pp_tp_format *f, const void *raw, size_t len, uint32_t *type);

/* The kernel: */

/*
 * A tracefs mount with events/skb in it: /sys/kernel/tracing, debugfs' tracing/,
 * then any tracefs in /proc/self/mounts. false when none is mounted.
 */
bool pp_tracefs_find(char *dir, size_t len);
/*
 * The files paths[0..n) (relative to tracefs: "events/skb/kfree_skb/format")
 * into text[i] (malloc'd, NUL-terminated; NULL when that one could not be read).
 * Where tracefs is mounted it is read there; when none is, a child process
 * mounts it in a private mount namespace of its own, reads the files and exits,
 * so no mount is left behind on the host. where says which ("/sys/kernel/tracing"
 * or "(private mount)"). Returns 0, or -errno with e saying what is missing when
 * text[0] could not be read (tracefs unreachable, or no such event).
 */
int pp_tracefs_read(const char *const *paths, size_t n, char **text, char *where, size_t wlen,
		    struct pp_err *e);

#endif
