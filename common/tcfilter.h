/*
 * tcfilter.h: tc filters (RTM_GETTFILTER) on a device's clsact hooks, and the names
 * tc(8) gives them: "bpf name foo id 42 direct-action", "bpf bytecode (1 op)".
 */
#ifndef PP_TCFILTER_H
#define PP_TCFILTER_H

#include "nl.h"

/* The clsact qdisc's hooks, as tc(8) calls them "ingress" and "egress". */
#define PP_TC_PARENT_INGRESS 0xfffffff2u	/* TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS) */
#define PP_TC_PARENT_EGRESS  0xfffffff3u	/* TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS) */

struct pp_tcfilter {
	int ifindex;
	uint32_t parent, handle;
	uint16_t prio;			/* tc's "pref" */
	uint16_t protocol;		/* ETH_P_*, host order */
	uint32_t chain;			/* TCA_CHAIN, 0 when absent */
	char kind[16];			/* TCA_KIND: "bpf", "u32", "flower", ... */
	/* bpf (cls_bpf): the program, named as the kernel reports it */
	bool has_bpf_name, has_bpf_id, bpf_direct_action;
	char bpf_name[64];
	uint32_t bpf_id;
	uint16_t bpf_ops;		/* classic BPF: the number of instructions, 0 for eBPF */
};

/*
 * Decode one RTM_NEWTFILTER. Returns 0, or -EBADMSG for a short message, a message
 * without TCA_KIND, or a known attribute of the wrong length. Unknown attributes are
 * skipped; a kind pathcheck does not know keeps only its kind.
 */
int pp_tcfilter_decode(const struct nlmsghdr *nlh, struct pp_tcfilter *f);
/* Is it a filter, not the header of its priority (handle 0, no options)? */
bool pp_tcfilter_is_filter(const struct pp_tcfilter *f);
typedef int (*pp_tcfilter_cb)(const struct pp_tcfilter *f, void *data);
/* The filters of ifindex under parent (PP_TC_PARENT_INGRESS, ...), in the kernel's order. */
int pp_tcfilter_dump(struct pp_nl *nl, int ifindex, uint32_t parent, pp_tcfilter_cb cb, void *data,
		     struct pp_err *e);
/* As tc filter show names it: "bpf name foo id 42 direct-action", "u32", ... */
const char *pp_tcfilter_str(const struct pp_tcfilter *f, char *buf, size_t len);

#endif
