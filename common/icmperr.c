/* icmperr.c: the socket error queue (IP_RECVERR / IPV6_RECVERR) decoded into plain structs. */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <linux/errqueue.h>

#include "icmperr.h"

int
pp_icmperr_enable(int fd, int family)
{
	int on = 1;

	if (family == AF_INET6) {
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_RECVERR, &on, sizeof(on)) < 0)
			return -errno;
		return 0;
	}
	if (setsockopt(fd, IPPROTO_IP, IP_RECVERR, &on, sizeof(on)) < 0)
		return -errno;
	return 0;
}

enum pp_icmperr_kind
pp_icmperr_classify(int family, uint8_t origin, uint32_t ee_errno, uint8_t type, uint8_t code)
{
	if (origin == SO_EE_ORIGIN_LOCAL)
		return ee_errno == EMSGSIZE ? PP_ICMPERR_LOCAL_MSGSIZE : PP_ICMPERR_LOCAL;
	if (origin == SO_EE_ORIGIN_ICMP && family == AF_INET) {
		if (type == ICMP_TIME_EXCEEDED)
			return PP_ICMPERR_TTL;
		if (type != ICMP_DEST_UNREACH)
			return PP_ICMPERR_OTHER;
		switch (code) {
		case ICMP_FRAG_NEEDED: return PP_ICMPERR_PTB;
		case ICMP_PORT_UNREACH: return PP_ICMPERR_PORT;
		case ICMP_NET_ANO: case ICMP_HOST_ANO: case ICMP_PKT_FILTERED:
			return PP_ICMPERR_PROHIBITED;
		default: return PP_ICMPERR_UNREACH;
		}
	}
	if (origin == SO_EE_ORIGIN_ICMP6 && family == AF_INET6) {
		if (type == ICMP6_PACKET_TOO_BIG)
			return PP_ICMPERR_PTB;
		if (type == ICMP6_TIME_EXCEEDED)
			return PP_ICMPERR_TTL;
		if (type != ICMP6_DST_UNREACH)
			return PP_ICMPERR_OTHER;
		switch (code) {
		case ICMP6_DST_UNREACH_NOPORT: return PP_ICMPERR_PORT;
		case ICMP6_DST_UNREACH_ADMIN: return PP_ICMPERR_PROHIBITED;
		default: return PP_ICMPERR_UNREACH;
		}
	}
	/*
	 * An AF_INET6 socket sending to an IPv4-mapped address gets IPv4 errors
	 * under SOL_IPV6 with origin ICMP: classify by the origin, not the level.
	 */
	if (origin == SO_EE_ORIGIN_ICMP)
		return pp_icmperr_classify(AF_INET, origin, ee_errno, type, code);
	if (origin == SO_EE_ORIGIN_ICMP6)
		return pp_icmperr_classify(AF_INET6, origin, ee_errno, type, code);
	return PP_ICMPERR_OTHER;
}

const char *
pp_icmperr_kind_name(enum pp_icmperr_kind k)
{
	switch (k) {
	case PP_ICMPERR_PTB: return "ptb";
	case PP_ICMPERR_TTL: return "ttl_exceeded";
	case PP_ICMPERR_PORT: return "port_unreachable";
	case PP_ICMPERR_UNREACH: return "unreachable";
	case PP_ICMPERR_PROHIBITED: return "prohibited";
	case PP_ICMPERR_LOCAL_MSGSIZE: return "local_msgsize";
	case PP_ICMPERR_LOCAL: return "local";
	default: return "other";
	}
}

/* A sockaddr of len bytes into a pp_addr and port; false when it is neither family or too short. */
static bool
sockaddr_addr(const void *sa, size_t len, struct pp_addr *a, uint16_t *port)
{
	sa_family_t fam;

	if (len < sizeof(sa_family_t))
		return false;
	memcpy(&fam, sa, sizeof(fam));
	if (fam == AF_INET && len >= sizeof(struct sockaddr_in)) {
		struct sockaddr_in sin;

		memcpy(&sin, sa, sizeof(sin));
		pp_addr_set(a, AF_INET, &sin.sin_addr, 4);
		if (port)
			*port = ntohs(sin.sin_port);
		return true;
	}
	if (fam == AF_INET6 && len >= sizeof(struct sockaddr_in6)) {
		struct sockaddr_in6 sin6;

		memcpy(&sin6, sa, sizeof(sin6));
		pp_addr_set(a, AF_INET6, &sin6.sin6_addr, 16);
		if (port)
			*port = ntohs(sin6.sin6_port);
		return true;
	}
	return false;
}

int
pp_icmperr_decode(const struct msghdr *msg, size_t quoted, struct pp_icmperr *out)
{
	struct cmsghdr *cm;

	memset(out, 0, sizeof(*out));
	if (!msg->msg_control || msg->msg_controllen < sizeof(struct cmsghdr))
		return -ENOMSG;
	for (cm = CMSG_FIRSTHDR((struct msghdr *)msg); cm; cm = CMSG_NXTHDR((struct msghdr *)msg, cm)) {
		struct sock_extended_err ee;
		const unsigned char *data;
		size_t dlen;

		if (!((cm->cmsg_level == SOL_IP && cm->cmsg_type == IP_RECVERR) ||
		      (cm->cmsg_level == SOL_IPV6 && cm->cmsg_type == IPV6_RECVERR)))
			continue;
		/* A control message that claims more than the buffer holds is refused, not read past. */
		if (cm->cmsg_len < CMSG_LEN(0) ||
		    (const char *)cm + cm->cmsg_len > (const char *)msg->msg_control + msg->msg_controllen)
			return -EBADMSG;
		data = CMSG_DATA(cm);
		dlen = cm->cmsg_len - CMSG_LEN(0);
		if (dlen < offsetof(struct sock_extended_err, ee_data))
			return -EBADMSG;
		memset(&ee, 0, sizeof(ee));
		memcpy(&ee, data, dlen < sizeof(ee) ? dlen : sizeof(ee));
		out->family = cm->cmsg_level == SOL_IPV6 ? AF_INET6 : AF_INET;
		out->ee_errno = ee.ee_errno;
		out->origin = ee.ee_origin;
		out->type = ee.ee_type;
		out->code = ee.ee_code;
		out->info = ee.ee_info;
		/* SO_EE_OFFENDER: the sockaddr right after the struct, if the kernel put one. */
		if (dlen > sizeof(ee))
			out->has_offender = sockaddr_addr(data + sizeof(ee), dlen - sizeof(ee),
							  &out->offender, NULL);
		if (out->has_offender && out->offender.family == AF_INET6 &&
		    IN6_IS_ADDR_UNSPECIFIED(&out->offender.u.v6))
			out->has_offender = false;
		if (out->has_offender && out->offender.family == AF_INET &&
		    out->offender.u.v4.s_addr == 0)
			out->has_offender = false;
		if (msg->msg_name)
			out->has_dst = sockaddr_addr(msg->msg_name, msg->msg_namelen, &out->dst,
						     &out->dst_port);
		out->quoted_len = quoted;
		out->kind = pp_icmperr_classify(out->family, out->origin, out->ee_errno, out->type,
						out->code);
		return 0;
	}
	return -ENOMSG;
}

int
pp_icmperr_read(int fd, struct pp_icmperr *out, void *payload, size_t *plen)
{
	unsigned char scratch[1];
	union {
		struct cmsghdr align;
		unsigned char buf[512];
	} ctl;
	struct sockaddr_storage name;
	struct iovec iov;
	struct msghdr msg;
	ssize_t n;
	int rc;

	memset(&msg, 0, sizeof(msg));
	iov.iov_base = payload ? payload : scratch;
	iov.iov_len = payload && plen ? *plen : sizeof(scratch);
	msg.msg_iov = &iov;
	msg.msg_iovlen = 1;
	msg.msg_name = &name;
	msg.msg_namelen = sizeof(name);
	msg.msg_control = ctl.buf;
	msg.msg_controllen = sizeof(ctl.buf);
	n = recvmsg(fd, &msg, MSG_ERRQUEUE | MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return 0;
		return -errno;
	}
	if (plen)
		*plen = payload ? (size_t)n : 0;
	rc = pp_icmperr_decode(&msg, (size_t)n, out);
	if (rc < 0)
		return rc;
	return 1;
}
