/*
 * sockdiag.h: TCP and UDP sockets through NETLINK_SOCK_DIAG (SOCK_DIAG_BY_FAMILY
 * with struct inet_diag_req_v2, the request ss(8) sends). Open the socket with
 * pp_nl_open(&nl, NETLINK_SOCK_DIAG, &e). The kernel loads tcp_diag/udp_diag on
 * first use; a protocol without a diag module answers -ENOENT.
 */
#ifndef PP_SOCKDIAG_H
#define PP_SOCKDIAG_H

#include <linux/inet_diag.h>
#include <linux/sock_diag.h>
#include "nl.h"

struct pp_sock {
	int family;		/* AF_INET, AF_INET6 */
	uint8_t proto;		/* IPPROTO_TCP, IPPROTO_UDP */
	uint8_t state;		/* TCP_LISTEN, TCP_CLOSE (unconnected UDP), ... (netinet/tcp.h numbering) */
	struct pp_addr src, dst;	/* local and remote address; for AF_INET the first 4 bytes */
	uint16_t sport, dport;	/* host order */
	uint32_t ifindex;	/* bound device (SO_BINDTODEVICE), 0 none */
	uint32_t rqueue, wqueue;	/* listeners: accept queue length and its limit (the backlog) */
	uint32_t uid, inode;
	bool has_v6only, v6only;	/* INET_DIAG_SKV6ONLY for AF_INET6 sockets */
};

typedef int (*pp_sock_cb)(const struct pp_sock *s, void *data);

/*
 * Decode one inet_diag_msg reply into s. The message does not say its protocol
 * (the kernel sends INET_DIAG_PROTOCOL for raw sockets only): proto is that
 * attribute, else 0; pp_sock_dump() fills it from the request. has_v6only is set
 * when the kernel sent INET_DIAG_SKV6ONLY, which it does for AF_INET6 sockets in
 * LISTEN or CLOSE state. Returns 0, or -EBADMSG for a message shorter than
 * struct inet_diag_msg, a family other than AF_INET/AF_INET6, or broken attributes.
 */
int pp_sock_decode(const struct nlmsghdr *nlh, struct pp_sock *s);

/*
 * Call cb for each socket of family (AF_INET, AF_INET6; 0 for both, IPv4 first)
 * and proto whose state is in states (a bitmask of 1 << state: 1 << TCP_LISTEN)
 * with local port sport (0: any). The port is matched in the kernel by an
 * inet_diag bytecode (S_GE and S_LE, which every kernel with inet_diag takes);
 * should the kernel refuse it (-EINVAL), the dump runs unfiltered and the port is
 * matched here. cb returns 0 to go on or a negative errno to stop the dump with
 * it; it must not start another request on nl. Messages that do not decode are
 * counted in nl->bad_msgs and skipped. Returns 0 or -errno (e says what failed).
 */
int pp_sock_dump(struct pp_nl *nl, int family, uint8_t proto, uint32_t states, uint16_t sport,
		 pp_sock_cb cb, void *data, struct pp_err *e);

#endif
