/*
 * nfttrace.h: nftables rule tracing for one flow. A temporary table
 * "inet pktpath_trace_<pid>" whose only job is `meta nftrace set 1` for the flow
 * (chains at priority -350, before raw, on prerouting and output), a listener on
 * NFNLGRP_NFTRACE (NETLINK_NETFILTER; trace events stay in the namespace whose
 * ruleset set the bit, so everything here runs in the current namespace), and
 * the table removed again on every exit path:
 *
 *   - pp_nfttrace_end() deletes it by name (NFT_MSG_DELTABLE);
 *   - pp_nfttrace_end_from_signal() does the same from a SIGINT/SIGTERM handler
 *     with a pre-built message on a pre-opened socket (sendto() only);
 *   - the table is created with NFT_TABLE_F_OWNER where the kernel has it (5.12+),
 *     so the kernel itself removes it when the process dies, SIGKILL included;
 *   - on older kernels a killed run leaves the table behind, and the next run's
 *     pp_nfttrace_cleanup_stale() removes every pktpath_trace_<pid> whose pid no
 *     longer exists.
 *
 * Nothing else in the ruleset is touched. Needs CAP_NET_ADMIN in the namespace.
 * Nothing here prints or exits: calls return 0 (or a count) or -errno and fill a pp_err.
 */
#ifndef PP_NFTTRACE_H
#define PP_NFTTRACE_H

#include <net/if.h>
#include <sys/types.h>
#include "nl.h"

#define PP_NFTTRACE_PREFIX "pktpath_trace_"
#define PP_NFTTRACE_PRIO (-350)

struct pp_nfttrace_match {
	int family;			/* AF_INET or AF_INET6 */
	struct pp_addr src, dst;	/* src family 0: any source */
	uint8_t l4proto;		/* 0: any */
	uint16_t dport;			/* 0: any (host order) */
	bool replies;			/* also trace packets coming back (src<->dst swapped, sport = dport) */
};

/*
 * One trace event. Seen live on 6.18, per base chain a traced packet passes:
 * iif/oif (and nfproto) come with the chain's first event only; a rule that
 * decides gives a RULE event with its handle and verdict; a chain that ends
 * undecided gives a RULE event without a handle (verdict continue) and then a
 * POLICY event whose verdict is the chain's policy.
 */
struct pp_nfttrace_event {
	uint32_t id;			/* packet id: events of one packet share it */
	uint32_t type;			/* NFT_TRACETYPE_RULE, _RETURN, _POLICY */
	uint32_t family;		/* nfproto of the table: NFPROTO_INET, ... */
	char table[256], chain[256];
	bool has_handle;
	uint64_t handle;
	bool has_verdict;
	int32_t verdict;		/* NF_ACCEPT, NF_DROP, NFT_JUMP, NFT_GOTO, NFT_RETURN, NFT_CONTINUE;
					   for a policy event the chain's policy (NFTA_TRACE_POLICY) */
	char jump_target[256];		/* for NFT_JUMP / NFT_GOTO */
	char iif[IF_NAMESIZE], oif[IF_NAMESIZE]; /* names, "" if not sent or not resolvable here */
	uint32_t nfproto;		/* NFPROTO_IPV4 / NFPROTO_IPV6 of the packet, 0 if not sent */
	bool ours;			/* from a pktpath_trace_* table (skip those when reporting) */
	/* Extension: the raw interface indexes (0 if not sent), for a name that did not resolve. */
	uint32_t iifindex, oifindex;
};

struct pp_nfttrace;			/* opaque */

/*
 * Remove every "inet pktpath_trace_<pid>" table whose pid no longer exists
 * (kill(pid, 0) fails with ESRCH), in the current namespace. Tables still owned
 * by a live netlink socket are left alone. Returns the number removed, or -errno.
 */
int pp_nfttrace_cleanup_stale(struct pp_err *e);

/*
 * Start tracing m: clean stale tables first, subscribe to NFNLGRP_NFTRACE, then
 * add the table in one batch (every message acknowledged and checked). On success
 * *t owns two sockets and the table; end it with pp_nfttrace_end(). On failure
 * nothing is left behind and *t is NULL. Returns 0 or -errno (-EINVAL for a match
 * the module cannot express, -EPERM without CAP_NET_ADMIN, ...).
 *
 * Signals: until begin has returned, the caller has no handle to remove the table
 * with; block SIGINT/SIGTERM around the call (the owner flag covers a kill on
 * kernels that have it).
 */
int pp_nfttrace_begin(struct pp_nfttrace **t, const struct pp_nfttrace_match *m, struct pp_err *e);

/* The listener's file descriptor, for poll() (POLLIN: call pp_nfttrace_read()). */
int pp_nfttrace_fd(const struct pp_nfttrace *t);

/*
 * Decode the trace events available now (never blocks) and call cb for each;
 * cb returns 0 to go on or a negative errno to stop with it. Malformed messages
 * are skipped. When the kernel dropped events for us (ENOBUFS) they are counted
 * (pp_nfttrace_lost()) and reading goes on. Returns the number of events passed
 * to cb, or -errno.
 */
int pp_nfttrace_read(struct pp_nfttrace *t, int (*cb)(const struct pp_nfttrace_event *ev, void *data),
		     void *data);

/* Extension: how many times the kernel reported lost trace events (ENOBUFS). */
uint64_t pp_nfttrace_lost(const struct pp_nfttrace *t);

/*
 * Delete the table, close the sockets and free t. Returns 0, or -errno when the
 * table could not be deleted (it may still exist: say so). t is gone afterwards;
 * pp_nfttrace_end(NULL) does nothing, and end after end_from_signal() is fine.
 * Clear the pointer a signal handler uses (or block the signals) before calling
 * it, so the handler never sees a freed t.
 */
int pp_nfttrace_end(struct pp_nfttrace *t);

/*
 * The name of the table this process created: "pktpath_trace_<pid>", or
 * "pktpath_trace_<pid>_<portid>" when a process of another pid namespace with the
 * same pid already owns the first name in this network namespace.
 */
const char *pp_nfttrace_table_name(const struct pp_nfttrace *t);

/*
 * Async-signal-safe removal for a SIGINT/SIGTERM handler: one sendto() of a
 * pre-built NFT_MSG_DELTABLE batch on the pre-opened (owning) socket; no reply is
 * read. NULL is allowed. pp_nfttrace_end() is still to be called (or the process
 * to exit) to close and free.
 */
void pp_nfttrace_end_from_signal(struct pp_nfttrace *t);

/*
 * Pure, for tests: decode one NFT_MSG_TRACE message. The layout is checked first
 * (libnftnl exits on some malformed attributes). Returns 0, -EBADMSG for a
 * malformed or incomplete message, -ENOENT for a message that is not a trace, or
 * -ENOMEM.
 */
int pp_nfttrace_decode(const struct nlmsghdr *nlh, struct pp_nfttrace_event *ev);

/*
 * Extension, for tests: build the batch that creates table for m into buf
 * (BATCH_BEGIN, NEWTABLE, DELTABLE, NEWTABLE [flags owner when owner],
 * NEWCHAIN prerouting, NEWCHAIN output, NEWRULE for each chain and direction,
 * BATCH_END), with sequence numbers from seq on. The NEWTABLE/DELTABLE pair first
 * replaces a leftover table of the same name (a reused pid) in the same
 * transaction. Every message but BEGIN/END asks for an ACK; *nack is their
 * number. Returns the batch length, or -EINVAL (bad match), -ENOSPC, -ENOMEM.
 */
ssize_t pp_nfttrace_build(void *buf, size_t len, const struct pp_nfttrace_match *m,
			  const char *table, bool owner, uint32_t seq, unsigned *nack);

#endif
