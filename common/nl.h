/*
 * nl.h: the one netlink layer. A socket opened in the calling thread's network
 * namespace; request, dump and listen with sequence and port checks, the kernel's
 * extended-ack message kept for the user, NLM_F_DUMP_INTR answered by dumping
 * again, the error inside NLMSG_DONE checked, and ENOBUFS counted on listeners.
 * Nothing here prints or exits: every call returns 0 or -errno and fills a pp_err.
 */
#ifndef PP_NL_H
#define PP_NL_H

#include <libmnl/libmnl.h>
#include <linux/netlink.h>
#include "pp.h"

#define PP_NL_RECV_LEN_MAX 32768

struct pp_nl {
	struct mnl_socket *sk;
	int proto;
	uint32_t portid;
	uint32_t seq;
	bool strict;		/* the kernel took NETLINK_GET_STRICT_CHK: dumps are filtered by it */
	char *buf;		/* receive buffer, grown to fit the largest datagram */
	size_t buflen;
	uint64_t enobufs;	/* listener overruns seen (each means lost messages) */
	uint64_t bad_msgs;	/* messages a decoder refused as malformed */
	unsigned dump_retries;	/* dumps restarted after NLM_F_DUMP_INTR */
	bool busy;		/* a request or dump is being read: no other may start from a callback */
	/*
	 * When set (at most PP_NL_RECV_LEN_MAX), requests and dumps read replies
	 * straight into buf with this length, two datagrams per recvmmsg() and no
	 * peek: half the syscalls or less. The kernel sizes a dump's datagrams to
	 * the longest read it has seen on the socket (a page at least, 32 KiB at
	 * most), so a small recv_len also means small kernel buffers. Only for
	 * replies that cannot outgrow it (tc objects); a bigger datagram fails the
	 * call with -EMSGSIZE. Keep it on a socket of its own: the kernel remembers
	 * the longest read.
	 */
	uint32_t recv_len;
	/*
	 * Snapshots (common/snap.h): when a store is installed, snap is set at open; a
	 * recording socket keeps each reply datagram of the request being read in rec
	 * ([u32 len][bytes, padded to 4]...), a replaying handle has no socket at all.
	 */
	struct pp_snap *snap;
	int snap_ns;		/* the namespace the handle was opened in */
	bool replay;
	char *rec;
	size_t rec_len, rec_cap;
	bool rec_bad;		/* a datagram could not be kept: nothing is recorded for this request */
};

/*
 * Called for each reply message that belongs to our request (or, for listeners,
 * each event). Return 0 to go on, or a negative errno to stop with that error.
 */
typedef int (*pp_nl_cb)(const struct nlmsghdr *nlh, void *data);
/* Called before a dump is run again after NLM_F_DUMP_INTR: forget what was collected. */
typedef void (*pp_nl_reset)(void *data);

/*
 * Open a netlink socket of protocol proto (NETLINK_ROUTE, ...) in the current namespace.
 * With a snapshot being replayed (pp_snap_install), no socket: a handle whose requests
 * and dumps are answered from the snapshot; listeners on it fail with -ENODATA.
 */
int pp_nl_open(struct pp_nl *nl, int proto, struct pp_err *e);
void pp_nl_close(struct pp_nl *nl);
static inline int pp_nl_fd(const struct pp_nl *nl) { return nl->sk ? mnl_socket_get_fd(nl->sk) : -1; }

/*
 * Callbacks must not start another request or dump on the same socket (its
 * replies would interleave with the one being read): such a call fails with
 * -EBUSY. Collect first, then ask.
 *
 * A request that is answered by zero or more messages and an ACK (NLM_F_ACK is
 * added): RTM_GETROUTE, RTM_GETNEIGH for one entry, a change. Fills nlh_seq.
 * Returns 0, or the kernel's -errno with its extack message in e->ext.
 */
int pp_nl_request(struct pp_nl *nl, struct nlmsghdr *req, pp_nl_cb cb, void *data,
		  struct pp_err *e);

/*
 * A dump (NLM_F_DUMP is added). If the kernel flags NLM_F_DUMP_INTR (the table
 * changed under the dump), read on to NLMSG_DONE, call reset(data) and dump again,
 * up to four times; then return -EAGAIN ("the table kept changing").
 */
int pp_nl_dump(struct pp_nl *nl, struct nlmsghdr *req, pp_nl_cb cb, void *data,
	       pp_nl_reset reset, struct pp_err *e);

/* Join a multicast group (RTNLGRP_NEIGH, NFNLGRP_CONNTRACK_NEW, ...). */
int pp_nl_subscribe(struct pp_nl *nl, unsigned group, struct pp_err *e);

/*
 * Read one datagram of events and pass each message to cb (no sequence check:
 * events carry seq 0). Returns the number of messages, 0 on EAGAIN for a
 * non-blocking socket, -ENOBUFS when the kernel dropped events for us (counted in
 * nl->enobufs; the caller should grow the buffer and resync), or -errno.
 */
int pp_nl_recv_events(struct pp_nl *nl, pp_nl_cb cb, void *data, struct pp_err *e);

/* Ask for a receive buffer of bytes: SO_RCVBUFFORCE (root), else SO_RCVBUF. Returns the size granted or -errno. */
int pp_nl_set_rcvbuf(struct pp_nl *nl, int bytes);

/*
 * Walk one datagram of replies (exposed for unit tests, which feed recorded or
 * built messages). Returns 1 when the request is complete (ACK or NLMSG_DONE),
 * 0 when more is to come, or -errno (the kernel's error, with extack in e).
 * *intr is set when a message carried NLM_F_DUMP_INTR.
 */
int pp_nl_parse_replies(struct pp_nl *nl, const void *buf, size_t len, uint32_t seq,
			pp_nl_cb cb, void *data, bool *intr, struct pp_err *e);

#endif
