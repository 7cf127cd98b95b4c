/*
 * ct.h: conntrack over ctnetlink (NETLINK_NETFILTER, NFNL_SUBSYS_CTNETLINK).
 *
 * Dump requests are built here with libmnl, so that every filter the kernel can
 * apply is pushed into it: the family (nfgen_family), CTA_MARK/CTA_MARK_MASK,
 * CTA_STATUS/CTA_STATUS_MASK (5.19+), CTA_ZONE (6.8+, not zone 0) and CTA_FILTER
 * tuple filters (5.8+: exact addresses, protocol, ports, ICMP fields; only with a
 * family). libnetfilter_conntrack exposes none of the tuple filters.
 *
 * Whatever is pushed, the kernel walks the whole global conntrack hash, every
 * namespace's entries included, for every dump: a filter saves the netlink copy
 * and the decoding of entries it refuses, never the walk (about 0.25 us per entry
 * held anywhere on the host). Older kernels ignore attributes they do not know
 * in a dump request, so callers must re-check every filter on what comes back.
 *
 * The decoder fills a plain struct against policy tables and never prints.
 */
#ifndef PP_CT_H
#define PP_CT_H

#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>

#include "nl.h"

/* What the kernel sent for an entry (pp_ct_entry.have). */
enum {
	PP_CT_HAVE_ORIG = 1u << 0,
	PP_CT_HAVE_REPLY = 1u << 1,
	PP_CT_HAVE_STATUS = 1u << 2,
	PP_CT_HAVE_TIMEOUT = 1u << 3,
	PP_CT_HAVE_MARK = 1u << 4,
	PP_CT_HAVE_USE = 1u << 5,
	PP_CT_HAVE_ID = 1u << 6,
	PP_CT_HAVE_ZONE = 1u << 7,
	PP_CT_HAVE_TCP_STATE = 1u << 8,
	PP_CT_HAVE_COUNTERS_ORIG = 1u << 9,
	PP_CT_HAVE_COUNTERS_REPLY = 1u << 10,
	PP_CT_HAVE_TSTAMP_START = 1u << 11,
	PP_CT_HAVE_TSTAMP_STOP = 1u << 12,
	PP_CT_HAVE_HELPER = 1u << 13,
	PP_CT_HAVE_SECCTX = 1u << 14,
	PP_CT_HAVE_LABELS = 1u << 15,	/* CTA_LABELS with at least one bit set */
};

/* What a tuple carried (pp_ct_tuple.have). */
enum {
	PP_CT_T_SRC = 1u << 0,
	PP_CT_T_DST = 1u << 1,
	PP_CT_T_PROTO = 1u << 2,
	PP_CT_T_SPORT = 1u << 3,
	PP_CT_T_DPORT = 1u << 4,
	PP_CT_T_ICMP_ID = 1u << 5,
	PP_CT_T_ICMP_TYPE = 1u << 6,
	PP_CT_T_ICMP_CODE = 1u << 7,
	PP_CT_T_ZONE = 1u << 8,
};

struct pp_ct_tuple {
	struct pp_addr src, dst;
	uint16_t have;
	uint8_t proto;
	uint8_t icmp_type, icmp_code;
	uint16_t sport, dport;		/* host order */
	uint16_t icmp_id;		/* host order */
	uint16_t zone;
};

struct pp_ct_entry {
	uint32_t have;
	uint8_t family;			/* AF_INET or AF_INET6 (nfgen_family) */
	uint8_t tcp_state;		/* enum tcp_conntrack, when PP_CT_HAVE_TCP_STATE */
	uint16_t zone;
	struct pp_ct_tuple orig, reply;
	uint32_t status;		/* IPS_* bits */
	uint32_t timeout;		/* seconds left */
	uint32_t mark, use, id;
	uint64_t packets[2], bytes[2];	/* [0] original, [1] reply direction */
	uint64_t tstamp_start, tstamp_stop;	/* ns since the epoch (CLOCK_REALTIME) */
	char helper[16];
	char secctx[64];
	uint32_t labels[4];		/* CTA_LABELS: bit n in labels[n / 32] (host order), 128 bits */
};

/* Conntrack event kinds, as the kernel distinguishes them by message. */
enum pp_ct_event { PP_CT_EV_NONE = 0, PP_CT_EV_NEW, PP_CT_EV_UPDATE, PP_CT_EV_DESTROY };
const char *pp_ct_event_name(enum pp_ct_event ev);

/*
 * Decode one IPCTNL_MSG_CT_NEW / _DELETE message (dump reply or event) into ct
 * (zeroed first). Every known attribute is length-checked; unknown ones are
 * ignored. Returns 0, or -EBADMSG for a malformed or truncated message, -ENOMSG
 * for a message that is not a conntrack entry. *ev, when not NULL, gets the event
 * kind (a dump reply reads as PP_CT_EV_NEW or PP_CT_EV_UPDATE; callers of dumps
 * ignore it).
 */
int pp_ct_parse(const struct nlmsghdr *nlh, struct pp_ct_entry *ct, enum pp_ct_event *ev);

/* Name of a TCP conntrack state ("ESTABLISHED"), or NULL for an unknown number. */
const char *pp_ct_tcp_state_name(unsigned st);
/* The state number for a name (case-insensitive), or -1. */
int pp_ct_tcp_state_from_name(const char *name);
/* Name of an IPS_* bit (0..31) as conntrack prints it ("ASSURED"), or NULL. */
const char *pp_ct_status_bit_name(unsigned bit);
/* The bit for a name (case-insensitive), or -1. */
int pp_ct_status_bit_from_name(const char *name);
/* Protocol name as conntrack prints it ("tcp", "icmpv6"), or NULL for numbers it does not name. */
const char *pp_ct_proto_name(unsigned proto);

/*
 * What a dump asks the kernel to filter. Fields are pushed when set; see the
 * top of this file for which kernels honour which.
 */
/* CTA_FILTER flags, as include/net/netfilter/nf_internals.h numbers them (not UAPI). */
enum {
	PP_CTA_FILTER_IP_SRC = 1u << 0,
	PP_CTA_FILTER_IP_DST = 1u << 1,
	PP_CTA_FILTER_TUPLE_ZONE = 1u << 2,
	PP_CTA_FILTER_PROTO_NUM = 1u << 3,
	PP_CTA_FILTER_SRC_PORT = 1u << 4,
	PP_CTA_FILTER_DST_PORT = 1u << 5,
	PP_CTA_FILTER_ICMP_TYPE = 1u << 6,
	PP_CTA_FILTER_ICMP_CODE = 1u << 7,
	PP_CTA_FILTER_ICMP_ID = 1u << 8,
	PP_CTA_FILTER_ICMPV6_TYPE = 1u << 9,
	PP_CTA_FILTER_ICMPV6_CODE = 1u << 10,
	PP_CTA_FILTER_ICMPV6_ID = 1u << 11,
};

struct pp_ct_kfilter {
	uint8_t family;			/* 0: every family; CTA_FILTER needs one */
	bool mark;
	uint32_t mark_val, mark_mask;
	bool status;
	uint32_t status_val, status_mask;	/* mask must not be 0 */
	uint16_t zone;			/* 0: no zone filter (the kernel cannot filter zone 0) */
	uint32_t orig_flags, reply_flags;	/* PP_CTA_FILTER_* */
	struct pp_ct_tuple orig, reply;	/* values for the flagged fields */
};

/*
 * Build an IPCTNL_MSG_CT_GET dump request for f (NULL: no filter) into buf of
 * len bytes (MNL_SOCKET_BUFFER_SIZE is plenty). Returns the message, or NULL when
 * buf is too small.
 */
struct nlmsghdr *pp_ct_build_dump(void *buf, size_t len, const struct pp_ct_kfilter *f);

/*
 * Dump the conntrack table of the current network namespace on nl (opened with
 * NETLINK_NETFILTER), calling cb for each entry's message. Returns 0 or -errno
 * (e says which, with the kernel's extack message).
 */
int pp_ct_dump(struct pp_nl *nl, const struct pp_ct_kfilter *f, pp_nl_cb cb, void *data,
	       struct pp_err *e);

/* The per-CPU statistics of IPCTNL_MSG_CT_GET_STATS_CPU, in CTA_STATS_* order. */
enum pp_ct_stat {
	PP_CT_STAT_FOUND, PP_CT_STAT_INVALID, PP_CT_STAT_INSERT, PP_CT_STAT_INSERT_FAILED,
	PP_CT_STAT_DROP, PP_CT_STAT_EARLY_DROP, PP_CT_STAT_ERROR, PP_CT_STAT_SEARCH_RESTART,
	PP_CT_STAT_CLASH_RESOLVE, PP_CT_STAT_CHAINTOOLONG, PP_CT_STAT_N
};
/* "insert_failed", as conntrack -S names it. */
const char *pp_ct_stat_name(enum pp_ct_stat s);

struct pp_ct_cpu_stats {
	uint16_t cpu;
	uint16_t have;			/* bit s set: v[s] was sent */
	uint32_t v[PP_CT_STAT_N];
};

/* Decode one IPCTNL_MSG_CT_GET_STATS_CPU reply. Returns 0 or -EBADMSG. */
int pp_ct_parse_cpu_stats(const struct nlmsghdr *nlh, struct pp_ct_cpu_stats *out);

/*
 * Per-CPU statistics of the current namespace. *out is malloc'd (caller frees),
 * one element per CPU the kernel reported. Returns 0 or -errno.
 */
int pp_ct_stats_cpu(struct pp_nl *nl, struct pp_ct_cpu_stats **out, size_t *n, struct pp_err *e);

/*
 * IPCTNL_MSG_CT_GET_STATS: the entries of the current namespace and the global
 * nf_conntrack_max. Returns 0 or -errno; *have_max is false when the kernel did
 * not send the limit.
 */
struct pp_ct_global {
	uint32_t entries;
	uint32_t max;
	bool have_entries, have_max;
};
int pp_ct_parse_global_stats(const struct nlmsghdr *nlh, struct pp_ct_global *out);
int pp_ct_stats_global(struct pp_nl *nl, struct pp_ct_global *out, struct pp_err *e);

/*
 * Subscribe nl to conntrack events: mask of 1 << PP_CT_EV_NEW / _UPDATE /
 * _DESTROY (NFNLGRP_CONNTRACK_NEW, _UPDATE, _DESTROY). Returns 0 or -errno.
 */
int pp_ct_subscribe(struct pp_nl *nl, unsigned mask, struct pp_err *e);

/*
 * Let the kernel drop events we would filter out anyway: a socket filter (classic
 * BPF, SO_ATTACH_FILTER) that passes only entries of family (0: any) and, when
 * has_proto, of original-direction protocol proto. It walks the attributes with
 * the kernel's SKF_AD_NLATTR helpers, as conntrack-tools does; messages it drops
 * are not counted as lost. Returns 0 or -errno (the caller filters in userspace
 * anyway).
 */
int pp_ct_events_filter(struct pp_nl *nl, uint8_t family, bool has_proto, uint8_t proto);

/*
 * Messages the kernel dropped for this socket so far (sk_drops, through
 * SO_MEMINFO): after ENOBUFS, the difference tells how many events were lost.
 * Returns 0 or -errno.
 */
int pp_ct_sock_drops(struct pp_nl *nl, uint32_t *drops);

#endif
