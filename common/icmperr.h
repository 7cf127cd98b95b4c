/*
 * icmperr.h: ICMP errors about our own packets, read from a socket's error queue
 * (IP_RECVERR / IPV6_RECVERR, recvmsg(MSG_ERRQUEUE)).
 *
 * How the kernel reports them. When a socket has IP_RECVERR (IPv4) or
 * IPV6_RECVERR (IPv6) set, every ICMP error that quotes a packet this socket sent
 * (frag-needed / Packet Too Big, time exceeded, port / host / net unreachable,
 * admin prohibited) and every local error (EMSGSIZE when a packet is larger than
 * the device MTU under IP_PMTUDISC_PROBE) is queued on the socket. recvmsg with
 * MSG_ERRQUEUE returns one of them: a control message (SOL_IP/IP_RECVERR or
 * SOL_IPV6/IPV6_RECVERR) holding a struct sock_extended_err (ee_errno,
 * ee_origin, ee_type, ee_code, ee_info) followed by the offender's sockaddr (the
 * address that sent the ICMP: the router or the destination), msg_name holding
 * the original destination of the offending packet, and as data the part of the
 * offending packet's payload that the ICMP quoted (for UDP, the UDP payload; for
 * raw sockets, the transport header onwards).
 *
 *   ee_origin SO_EE_ORIGIN_ICMP / ICMP6: an ICMP error from offender;
 *             ee_type/ee_code are the ICMP type and code; for frag-needed
 *             (type 3 code 4) and Packet Too Big (ICMPv6 type 2) ee_info is the
 *             MTU the hop reported, exactly as it sent it.
 *   ee_origin SO_EE_ORIGIN_LOCAL: raised by this host (EMSGSIZE: ee_info is the
 *             MTU that refused the packet).
 *
 * A queued error also sets the socket's pending error (sk_err), which makes the
 * next send fail with it; reading the queue clears it again. Read the queue dry
 * before each send.
 *
 * The same reader serves pmtuprobe's probes and pathcheck --probe. Nothing here
 * prints; every call returns 0 / 1 or -errno.
 */
#ifndef PP_ICMPERR_H
#define PP_ICMPERR_H

#include <sys/socket.h>
#include "pp.h"

/* What an error-queue entry means, independent of the address family. */
enum pp_icmperr_kind {
	PP_ICMPERR_OTHER = 0,	/* anything not listed below (see type/code) */
	PP_ICMPERR_PTB,		/* frag-needed (v4 3/4) or Packet Too Big (v6 2/0): mtu is valid */
	PP_ICMPERR_TTL,		/* time exceeded in transit (v4 11/0, v6 3/0): offender is a hop */
	PP_ICMPERR_PORT,	/* port unreachable (v4 3/3, v6 1/4): the destination was reached */
	PP_ICMPERR_UNREACH,	/* net/host/protocol unreachable, no route */
	PP_ICMPERR_PROHIBITED,	/* administratively prohibited (v4 3/9,10,13; v6 1/1) */
	PP_ICMPERR_LOCAL_MSGSIZE, /* local EMSGSIZE: larger than this host's device or route MTU */
	PP_ICMPERR_LOCAL,	/* another local error (ee_errno says which) */
};

struct pp_icmperr {
	int family;		/* AF_INET or AF_INET6: the family of the control message */
	enum pp_icmperr_kind kind;
	uint32_t ee_errno;	/* EMSGSIZE, EHOSTUNREACH, ECONNREFUSED, ... */
	uint8_t origin;		/* SO_EE_ORIGIN_* */
	uint8_t type, code;	/* ICMP type and code (0 for local errors) */
	uint32_t info;		/* ee_info: the reported MTU for PTB and local EMSGSIZE */
	bool has_offender;
	struct pp_addr offender;	/* who sent the ICMP (SO_EE_OFFENDER), when given */
	bool has_dst;
	struct pp_addr dst;		/* original destination of the offending packet (msg_name) */
	uint16_t dst_port;		/* its port (host order), 0 for ICMP/raw */
	size_t quoted_len;		/* bytes of the offending payload returned as data */
};

/*
 * Turn on error queueing for an IPv4 or IPv6 socket: IP_RECVERR or IPV6_RECVERR
 * (for an AF_INET6 socket that may also send IPv4-mapped traffic, IP_RECVERR as
 * well). Returns 0 or -errno.
 */
int pp_icmperr_enable(int fd, int family);

/*
 * Decode one error-queue message (what recvmsg(MSG_ERRQUEUE) filled): finds the
 * IP_RECVERR / IPV6_RECVERR control message, copies sock_extended_err as
 * min(payload, sizeof) into a zeroed local, reads the offender address only when
 * the control message is long enough to hold it, and the original destination
 * from msg_name. quoted is the number of data bytes recvmsg returned.
 * Returns 0 with *out filled, or -ENOMSG when no such control message is present,
 * -EBADMSG when it is shorter than the fixed part of sock_extended_err.
 * Pure: no system calls; unit tests feed it built messages.
 */
int pp_icmperr_decode(const struct msghdr *msg, size_t quoted, struct pp_icmperr *out);

/*
 * Read one entry from fd's error queue without blocking. payload (may be NULL)
 * receives up to *plen bytes of the quoted offending payload and *plen is set to
 * how many were returned. Returns 1 with *out filled, 0 when the queue is empty,
 * or -errno.
 */
int pp_icmperr_read(int fd, struct pp_icmperr *out, void *payload, size_t *plen);

/* Classify by family, origin, errno, type and code (pp_icmperr_decode calls it). */
enum pp_icmperr_kind pp_icmperr_classify(int family, uint8_t origin, uint32_t ee_errno,
					 uint8_t type, uint8_t code);
/* "ptb", "ttl_exceeded", "port_unreachable", ... (stable: used in JSON). */
const char *pp_icmperr_kind_name(enum pp_icmperr_kind k);

#endif
