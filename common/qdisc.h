/* qdisc.h: queueing disciplines and classes (RTM_GETQDISC, RTM_GETTCLASS) with TCA_STATS2. */
#ifndef PP_QDISC_H
#define PP_QDISC_H

#include "nl.h"

struct pp_qdisc {
	int ifindex;
	uint32_t handle, parent;
	char kind[16];
	bool is_class;
	bool has_stats2, has_rate;
	uint64_t bytes, packets;	/* 64-bit packets from TCA_STATS_PKT64 where sent */
	uint32_t drops, overlimits, requeues, backlog, qlen;
	uint64_t bps, pps;		/* rate estimator, when one is configured */
	/*
	 * The kind's own payloads, pointing into the message: valid only while the
	 * message is (in a pp_qdisc_cb, until it returns). xstats is TCA_STATS_APP
	 * from TCA_STATS2 where sent (cake sends only that), else TCA_XSTATS.
	 */
	const void *xstats, *options;
	uint16_t xstats_len, options_len;
};

int pp_qdisc_decode(const struct nlmsghdr *nlh, struct pp_qdisc *q);
/* q and its payloads are valid until the callback returns: copy what you keep. */
typedef int (*pp_qdisc_cb)(const struct pp_qdisc *q, void *data);
/*
 * Qdiscs of every device (ifindex 0) or of one (filtered here: the kernel dumps
 * all devices' qdiscs). With classes, the classes of ifindex (required) instead.
 */
int pp_qdisc_dump(struct pp_nl *nl, int ifindex, bool classes, pp_qdisc_cb cb, pp_nl_reset reset,
		  void *data, struct pp_err *e);
/* "1:", "1:10", "root", "ingress", "none" as tc(8) prints a handle. */
const char *pp_tc_handle_str(uint32_t h, char *buf, size_t len);

#endif
