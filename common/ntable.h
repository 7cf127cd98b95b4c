/*
 * ntable.h: neighbour tables (RTM_GETNEIGHTBL): the ARP and NDP caches' limits
 * (gc_thresh1/2/3), configuration, statistics and per-device parameters.
 *
 * The kernel keeps one table per protocol for the whole machine: the entry count
 * in NDTA_CONFIG, the gc_thresh limits and the NDTA_STATS counters are global,
 * counted over every network namespace, whichever namespace asks. Only the
 * per-device parameter messages belong to the namespace that asked.
 */
#ifndef PP_NTABLE_H
#define PP_NTABLE_H

#include <linux/neighbour.h>
#include "nl.h"

/* NDTA_PARMS: one device's parameters (ifindex 0: the table's defaults). */
struct pp_ntable_parms {
	bool has_ifindex;
	int ifindex;
	bool has_reachable_ms, has_base_reachable_ms, has_retrans_ms, has_gc_stale_ms;
	bool has_delay_probe_ms, has_locktime_ms;
	bool has_queue_len, has_queue_lenbytes, has_app_probes, has_ucast_probes;
	bool has_mcast_probes, has_mcast_reprobes, has_refcnt;
	uint64_t reachable_ms, base_reachable_ms, retrans_ms, gc_stale_ms, delay_probe_ms;
	uint64_t locktime_ms;
	uint32_t queue_len, queue_lenbytes, app_probes, ucast_probes, mcast_probes;
	uint32_t mcast_reprobes, refcnt;
};

/*
 * One RTM_NEWNEIGHTBL message. The kernel sends, per table, one message with the
 * limits, config and stats (and the default parameters), then one message per
 * device holding only the name and that device's NDTA_PARMS.
 */
struct pp_ntable {
	int family;			/* AF_INET (arp_cache), AF_INET6 (ndisc_cache), ... */
	char name[32];			/* NDTA_NAME; "" when not sent */
	bool has_thresh1, has_thresh2, has_thresh3, has_gc_interval;
	uint32_t thresh1, thresh2, thresh3;
	uint64_t gc_interval_ms;
	bool has_config, has_stats, has_parms;
	struct ndt_config config;	/* ndtc_entries: global entry count */
	struct ndt_stats stats;		/* global counters since boot */
	struct pp_ntable_parms parms;
};

/* Decode an RTM_NEWNEIGHTBL message into t. Returns 0, or -EBADMSG for a malformed message. */
int pp_ntable_decode(const struct nlmsghdr *nlh, struct pp_ntable *t);

typedef int (*pp_ntable_cb)(const struct pp_ntable *t, void *data);
/*
 * Dump the neighbour tables of family (AF_UNSPEC: all), calling cb for each
 * message (table and per-device parameter messages alike). Malformed messages are
 * counted in nl->bad_msgs and skipped. reset (may be NULL) is called before the
 * dump restarts after NLM_F_DUMP_INTR. Returns 0 or -errno with e filled.
 */
int pp_ntable_dump(struct pp_nl *nl, int family, pp_ntable_cb cb, pp_nl_reset reset, void *data,
		   struct pp_err *e);

#endif
