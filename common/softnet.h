/*
 * softnet.h: per-CPU packet backlog statistics from /proc/net/softnet_stat.
 * One line per online CPU, hex columns; the number of columns grew over kernel
 * versions (11 up to 5.9, 13 with backlog length and CPU id from 5.10, 15 with
 * the input and process queue lengths split out later). Columns a kernel does not
 * print are left out (has_* false), columns we do not know are ignored.
 * The counters are 32-bit and wrap: take deltas with pp_delta32().
 */
#ifndef PP_SOFTNET_H
#define PP_SOFTNET_H

#include "pp.h"

struct pp_softnet_cpu {
	unsigned cpu;			/* CPU id: column 13 when printed, else the line number */
	unsigned ncols;			/* columns on the line */
	bool has_cpu_col;		/* the CPU id came from the kernel, not from the line number */
	bool has_rps, has_flow_limit, has_backlog;
	uint32_t processed;		/* packets taken off the backlog */
	uint32_t dropped;		/* dropped: backlog full (netdev_max_backlog) */
	uint32_t time_squeeze;		/* net_rx_action ran out of budget or time with work left */
	uint32_t received_rps;		/* RPS/RFS inter-processor interrupts received */
	uint32_t flow_limit;		/* dropped by the flow limit (net.core.flow_limit_cpu_bitmap) */
	uint32_t backlog_len;		/* packets queued at the time of reading */
};

/*
 * Parse the text of /proc/net/softnet_stat (len bytes, need not be NUL-terminated)
 * into cpus[0..max). *n gets the number of CPUs parsed. Returns 0, -EBADMSG for a
 * line with fewer than 3 columns, a column that is not hex, or a last line without
 * its newline (a cut read), or -E2BIG when there are more than max lines.
 */
int pp_softnet_parse(const char *buf, size_t len, struct pp_softnet_cpu *cpus, size_t max,
		     size_t *n);

/*
 * Read and parse /proc/net/softnet_stat. *cpus is allocated (free() it) and
 * holds *n entries. Returns 0 or -errno, with e saying what failed.
 */
int pp_softnet_read(struct pp_softnet_cpu **cpus, size_t *n, struct pp_err *e);

#endif
