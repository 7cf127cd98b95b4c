/*
 * probe.c: sending probes and collecting what answers them.
 *
 * Every probe is sent with DF (IP_PMTUDISC_PROBE / IPV6_PMTUDISC_PROBE plus
 * IPV6_DONTFRAG): PROBE, not DO, so that the kernel's own cached PMTU for the
 * destination does not cap (or fragment) the probe; only the device MTU does,
 * and that comes back as a local EMSGSIZE. Answers come from three places:
 *   - the socket's error queue (IP_RECVERR): PTB, time exceeded, port
 *     unreachable, with the offender's address (common/icmperr.h);
 *   - the socket itself: a UDP reply, an ICMP echo reply, a TCP SYN-ACK or RST;
 *   - a capture on the egress device (common/pcap.h): a PTB that is on the wire
 *     but never reaches the error queue was dropped by this host.
 * One probe is outstanding at a time; each carries a sequence number that the
 * quoted payload of an ICMP error or the reply is matched against, so a late
 * answer to an earlier probe is not taken for this one.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <netinet/tcp.h>
#include <linux/errqueue.h>

#include "icmperr.h"
#include "pmtuprobe.h"

#ifndef ICMP_FILTER
#define ICMP_FILTER 1	/* linux/icmp.h, which clashes with netinet/ip_icmp.h */
#endif

#define PM_MAGIC 0x504d5455u	/* "PMTU" */
#define PM_WIRE_GRACE 0.2	/* seconds to wait for the socket after a PTB was seen on the wire */

double
pm_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t
csum(const void *data, size_t len, uint32_t sum)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (uint32_t)(p[0] << 8 | p[1]);
		p += 2;
		len -= 2;
	}
	if (len)
		sum += (uint32_t)(p[0] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static int
set_df(int fd, int family)
{
	int v;

	if (family == AF_INET6) {
		v = IPV6_PMTUDISC_PROBE;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v, sizeof(v)) < 0)
			return -errno;
		v = 1;
		if (setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &v, sizeof(v)) < 0)
			return -errno;
		return 0;
	}
	v = IP_PMTUDISC_PROBE;
	if (setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v)) < 0)
		return -errno;
	return 0;
}

static int
set_ttl(int fd, int family, unsigned ttl)
{
	int v = ttl ? (int)ttl : -1;	/* -1: the route's or the system's default */

	if (family == AF_INET6)
		return setsockopt(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &v, sizeof(v)) < 0 ? -errno : 0;
	return setsockopt(fd, IPPROTO_IP, IP_TTL, &v, sizeof(v)) < 0 ? -errno : 0;
}

int
pm_prober_open(struct pm_prober *p, const struct pm_model *m, struct pp_err *e)
{
	struct sockaddr_storage ss;
	socklen_t sl;
	int fam = m->family, rc, type, proto;

	memset(p, 0, sizeof(*p));
	p->fd = -1;
	p->cap.fd = -1;
	p->family = fam;
	p->proto = m->proto;
	p->dst = m->o->dst;
	p->port = m->o->port;
	p->tries = m->o->tries;
	p->timeout = m->o->timeout;
	p->id = (uint16_t)(getpid() & 0xffff);
	p->seq = (uint32_t)(pm_now() * 1000.0) & 0xffff;
	switch (p->proto) {
	case PM_PROTO_UDP:
		type = SOCK_DGRAM;
		proto = IPPROTO_UDP;
		p->hdr = (fam == AF_INET6 ? 40 : 20) + 8;
		break;
	case PM_PROTO_ICMP:
		type = SOCK_RAW;
		proto = fam == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
		p->hdr = (fam == AF_INET6 ? 40 : 20) + 8;
		break;
	default:
		type = SOCK_RAW;
		proto = IPPROTO_TCP;
		p->hdr = (fam == AF_INET6 ? 40 : 20) + 20;
		break;
	}
	p->fd = socket(fam, type | SOCK_CLOEXEC | SOCK_NONBLOCK, proto);
	if (p->fd < 0) {
		rc = -errno;
		pp_err_set(e, -rc, "socket(%s, %s)", fam == AF_INET6 ? "inet6" : "inet",
			   type == SOCK_RAW ? "raw" : "udp");
		return rc;
	}
	if ((rc = set_df(p->fd, fam)) < 0 || (rc = pp_icmperr_enable(p->fd, fam)) < 0) {
		pp_err_set(e, -rc, "setsockopt DF / RECVERR");
		pm_prober_close(p);
		return rc;
	}
	if (p->proto == PM_PROTO_ICMP && fam == AF_INET) {
		uint32_t filt = ~(1u << ICMP_ECHOREPLY);

		setsockopt(p->fd, SOL_RAW, ICMP_FILTER, &filt, sizeof(filt));
	} else if (p->proto == PM_PROTO_ICMP) {
		struct icmp6_filter f6;

		ICMP6_FILTER_SETBLOCKALL(&f6);
		ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &f6);
		setsockopt(p->fd, IPPROTO_ICMPV6, ICMP6_FILTER, &f6, sizeof(f6));
	} else if (p->proto == PM_PROTO_TCP && fam == AF_INET6) {
		int off = 16;	/* the kernel fills the TCP checksum at this offset */

		setsockopt(p->fd, IPPROTO_IPV6, IPV6_CHECKSUM, &off, sizeof(off));
	}
	/* connect: replies are filtered to the destination, and the source address is fixed. */
	sl = (socklen_t)pp_addr_sockaddr(&p->dst, p->proto == PM_PROTO_UDP ? p->port : 0, &ss);
	if (connect(p->fd, (struct sockaddr *)&ss, sl) < 0) {
		rc = -errno;
		pp_err_set(e, -rc, "connect");
		pm_prober_close(p);
		return rc;
	}
	sl = sizeof(ss);
	if (getsockname(p->fd, (struct sockaddr *)&ss, &sl) == 0) {
		if (fam == AF_INET6) {
			pp_addr_set(&p->src, AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
			p->sport = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
		} else {
			pp_addr_set(&p->src, AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, 4);
			p->sport = ntohs(((struct sockaddr_in *)&ss)->sin_port);
		}
	}
	if (!p->src.family && m->local.src.family == fam)
		p->src = m->local.src;	/* the TCP checksum needs it */
	if (p->proto == PM_PROTO_TCP)
		p->sport = (uint16_t)(33000 + (p->id % 20000));
	return 0;
}

void
pm_prober_close(struct pm_prober *p)
{
	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->cap_on)
		pp_pcap_close(&p->cap);
	p->cap_on = false;
}

static int
prober_capture(struct pm_prober *p, const char *dev, struct pp_err *e)
{
	char filter[512], a[INET6_ADDRSTRLEN];
	int rc;

	/*
	 * PTBs about our probes, and the first fragments of the destination's replies:
	 * a reply that comes back fragmented crossed a smaller MTU on the way back.
	 */
	snprintf(filter, sizeof(filter), "(%s) or (src host %s and %s)", pp_pcap_ptb_filter(p->family),
		 pp_addr_str(&p->dst, a, sizeof(a)),
		 p->family == AF_INET6 ? "ip6[6] == 44" : "(ip[6:2] & 0x3fff) != 0");
	rc = pp_pcap_open(&p->cap, dev, filter, 1600, e);
	p->cap_on = rc == 0;
	return rc;
}

void
pm_prober_capture_now(struct pm_prober *p)
{
	if (p->cap_tried || !p->cap_dev[0])
		return;
	p->cap_tried = true;
	p->cap_rc = prober_capture(p, p->cap_dev, &p->cap_err);
}

/* Build the probe packet (transport header onwards for raw sockets, payload for UDP). */
size_t
pm_wire_build(const struct pm_prober *p, uint8_t *buf, unsigned size)
{
	size_t len = size > p->hdr ? size - p->hdr : 0;
	size_t off = 0, total, i;

	if (p->proto == PM_PROTO_ICMP)
		off = 8;
	else if (p->proto == PM_PROTO_TCP)
		off = 20;
	total = off + len;
	memset(buf, 0, total);
	for (i = off; i < total; i++)
		buf[i] = (uint8_t)i;
	if (len >= 8) {
		put32(buf + off, PM_MAGIC);
		put32(buf + off + 4, p->seq);
	}
	if (p->proto == PM_PROTO_ICMP) {
		buf[0] = p->family == AF_INET6 ? ICMP6_ECHO_REQUEST : ICMP_ECHO;
		buf[4] = (uint8_t)(p->id >> 8);
		buf[5] = (uint8_t)p->id;
		buf[6] = (uint8_t)(p->seq >> 8);
		buf[7] = (uint8_t)p->seq;
		if (p->family == AF_INET) {
			uint16_t c = csum(buf, total, 0);

			buf[2] = (uint8_t)(c >> 8);
			buf[3] = (uint8_t)c;
		}
	} else if (p->proto == PM_PROTO_TCP) {
		buf[0] = (uint8_t)(p->sport >> 8);
		buf[1] = (uint8_t)p->sport;
		buf[2] = (uint8_t)(p->port >> 8);
		buf[3] = (uint8_t)p->port;
		put32(buf + 4, p->seq << 8);	/* ISN */
		buf[12] = 5 << 4;
		buf[13] = 0x02;			/* SYN */
		buf[14] = 0xff;
		buf[15] = 0xff;
		if (p->family == AF_INET) {
			uint8_t ph[12];
			uint32_t sum = 0;

			memcpy(ph, &p->src.u.v4, 4);
			memcpy(ph + 4, &p->dst.u.v4, 4);
			ph[8] = 0;
			ph[9] = IPPROTO_TCP;
			ph[10] = (uint8_t)(total >> 8);
			ph[11] = (uint8_t)total;
			for (i = 0; i < 12; i += 2)
				sum += (uint32_t)(ph[i] << 8 | ph[i + 1]);
			uint16_t c = csum(buf, total, sum);

			buf[16] = (uint8_t)(c >> 8);
			buf[17] = (uint8_t)c;
		}
	}
	return total;
}

/* Does the quoted payload of an error-queue entry belong to the probe in flight? */
bool
pm_wire_quoted_matches(const struct pm_prober *p, const uint8_t *q, size_t len)
{
	size_t off = p->proto == PM_PROTO_UDP ? 0 : p->proto == PM_PROTO_ICMP ? 8 : 20;

	if (p->proto == PM_PROTO_ICMP && len >= 8) {
		uint16_t id = (uint16_t)(q[4] << 8 | q[5]), sq = (uint16_t)(q[6] << 8 | q[7]);

		return id == p->id && sq == (uint16_t)p->seq;
	}
	if (p->proto == PM_PROTO_TCP && len >= 8)
		return get32(q + 4) == p->seq << 8;
	if (len < off + 8)
		return true;	/* too little quoted to tell: one probe is in flight, take it */
	return get32(q + off) != PM_MAGIC || get32(q + off + 4) == p->seq;
}

bool
pm_wire_from_error(const struct pm_prober *p, const struct pp_icmperr *ie, const uint8_t *q, size_t qlen,
	   struct pm_probe *out)
{
	if (ie->has_dst && ie->origin != SO_EE_ORIGIN_LOCAL && !pp_addr_eq(&ie->dst, &p->dst))
		return false;
	if (ie->origin != SO_EE_ORIGIN_LOCAL && !pm_wire_quoted_matches(p, q, qlen))
		return false;
	out->mtu = 0;
	if (ie->has_offender)
		out->from = ie->offender;
	switch (ie->kind) {
	case PP_ICMPERR_PTB:
		out->answer = PM_A_PTB;
		out->mtu = ie->info;
		return true;
	case PP_ICMPERR_TTL:
		out->answer = PM_A_TTL;
		return true;
	case PP_ICMPERR_PORT:
		out->answer = PM_A_REACHED;
		return true;
	case PP_ICMPERR_UNREACH:
	case PP_ICMPERR_PROHIBITED:
	case PP_ICMPERR_OTHER:
		out->answer = PM_A_UNREACH;
		return true;
	case PP_ICMPERR_LOCAL_MSGSIZE:
		out->answer = PM_A_LOCAL_MSGSIZE;
		out->mtu = ie->info;
		return true;
	case PP_ICMPERR_LOCAL:
		out->answer = PM_A_SEND_ERR;
		out->err = (int)ie->ee_errno;
		return true;
	}
	return false;
}

bool
pm_wire_ptb_matches(const struct pm_prober *p, const struct pp_wire_icmp *w, unsigned size)
{
	if (!w->mtu || !w->has_inner || !pp_addr_eq(&w->inner_dst, &p->dst))
		return false;
	/* Another program's packet to the same destination is not our probe. */
	if (w->inner_len != size)
		return false;
	switch (p->proto) {
	case PM_PROTO_UDP:
		return w->inner_proto == IPPROTO_UDP && w->inner_sport == p->sport;
	case PM_PROTO_ICMP:
		return (w->inner_proto == IPPROTO_ICMP || w->inner_proto == IPPROTO_ICMPV6) &&
		       w->inner_icmp_id == p->id;
	default:
		return w->inner_proto == IPPROTO_TCP && w->inner_sport == p->sport;
	}
}

/* A reply on the socket itself. */
bool
pm_wire_reply(const struct pm_prober *p, const uint8_t *b, size_t n, const struct pp_addr *src,
	   struct pm_probe *out)
{
	switch (p->proto) {
	case PM_PROTO_UDP:
		/* connected: only the destination's datagrams arrive here */
		out->from = p->dst;
		out->answer = PM_A_REACHED;
		return true;
	case PM_PROTO_ICMP: {
		size_t off = 0;

		if (p->family == AF_INET) {
			if (n < 20)
				return false;
			off = (size_t)(b[0] & 0x0f) * 4;
		}
		if (n < off + 8)
			return false;
		if (b[off] != (p->family == AF_INET6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY))
			return false;
		if ((uint16_t)(b[off + 4] << 8 | b[off + 5]) != p->id ||
		    (uint16_t)(b[off + 6] << 8 | b[off + 7]) != (uint16_t)p->seq)
			return false;
		out->from = *src;
		out->answer = PM_A_REACHED;
		return true;
	}
	default: {
		size_t off = 0;

		if (p->family == AF_INET) {
			if (n < 20)
				return false;
			off = (size_t)(b[0] & 0x0f) * 4;
		}
		if (n < off + 20)
			return false;
		b += off;
		if ((uint16_t)(b[0] << 8 | b[1]) != p->port || (uint16_t)(b[2] << 8 | b[3]) != p->sport)
			return false;
		if (!(b[13] & 0x04) && (b[13] & 0x12) != 0x12)	/* RST, or SYN+ACK */
			return false;
		uint32_t ack = get32(b + 8), isn = p->seq << 8;

		/* A SYN-ACK acks the SYN; a RST to a SYN with data acks the data too. */
		if ((b[13] & 0x10) && (ack - isn - 1) > 0x10000u)
			return false;
		out->from = *src;
		out->answer = PM_A_REACHED;
		return true;
	}
	}
}

/* The size of a first fragment (offset 0, more to come) from the destination; 0 otherwise. */
unsigned
pm_wire_first_fragment(const struct pm_prober *p, const uint8_t *l3, size_t len)
{
	struct pp_addr src;
	const uint8_t *l4;
	size_t hl;
	unsigned size;
	uint8_t proto;

	if (p->family == AF_INET) {
		if (len < 20 || (l3[0] >> 4) != 4)
			return 0;
		hl = (size_t)(l3[0] & 0x0f) * 4;
		pp_addr_set(&src, AF_INET, l3 + 12, 4);
		if (hl < 20 || !pp_addr_eq(&src, &p->dst) || !(l3[6] & 0x20) ||
		    ((l3[6] & 0x1f) << 8 | l3[7]) != 0)
			return 0;
		proto = l3[9];
		size = (unsigned)(l3[2] << 8 | l3[3]);
	} else {
		if (len < 48 || (l3[0] >> 4) != 6 || l3[6] != 44)
			return 0;
		pp_addr_set(&src, AF_INET6, l3 + 8, 16);
		if (!pp_addr_eq(&src, &p->dst) || ((l3[42] << 8 | l3[43]) & 0xfff9) != 0x0001)
			return 0;
		hl = 48;
		proto = l3[40];
		size = 40u + (unsigned)(l3[4] << 8 | l3[5]);
	}
	/* The reply to our probe, not other traffic from the destination: our echo id, or our port. */
	if (len < hl + 8)
		return 0;
	l4 = l3 + hl;
	switch (p->proto) {
	case PM_PROTO_ICMP:
		if (proto != (p->family == AF_INET6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP) ||
		    l4[0] != (p->family == AF_INET6 ? ICMP6_ECHO_REPLY : ICMP_ECHOREPLY) ||
		    (uint16_t)(l4[4] << 8 | l4[5]) != p->id)
			return 0;
		return size;
	case PM_PROTO_UDP:
		return proto == IPPROTO_UDP && (uint16_t)(l4[2] << 8 | l4[3]) == p->sport ? size : 0;
	default:
		return proto == IPPROTO_TCP && (uint16_t)(l4[2] << 8 | l4[3]) == p->sport ? size : 0;
	}
}

/* After a reply: the capture has its fragments (the socket only gets the reassembled packet). */
static void
drain_capture(struct pm_prober *p, struct pm_probe *out)
{
	const uint8_t *l3;
	size_t l3len;
	unsigned fs;

	if (!p->cap_on)
		return;
	while (pp_pcap_next(&p->cap, &l3, &l3len, NULL) == 1)
		if ((fs = pm_wire_first_fragment(p, l3, l3len)) > out->reply_frag)
			out->reply_frag = fs;
}

int
pm_probe(struct pm_prober *p, unsigned size, unsigned ttl, struct pm_probe *out)
{
	static uint8_t buf[65536], rbuf[65536];
	struct sockaddr_storage ss;
	struct pp_icmperr ie;
	struct pp_wire_icmp w;
	bool wire = false;
	struct pp_addr wire_from = { 0 };
	uint32_t wire_mtu = 0;
	size_t len, qlen;
	unsigned t;
	ssize_t n;

	memset(out, 0, sizeof(*out));
	out->size = size;
	out->ttl = ttl;
	out->answer = PM_A_SILENT;
	set_ttl(p->fd, p->family, ttl);
	for (t = 0; t < p->tries; t++) {
		double sent_at, end, now;

		if (*p->stop)
			return -EINTR;
		if (p->deadline_at > 0 && pm_now() >= p->deadline_at)
			return -ETIME;
		/* Stale errors (and the pending socket error they set) go before we send. */
		for (;;) {
			qlen = sizeof(rbuf);
			if (pp_icmperr_read(p->fd, &ie, rbuf, &qlen) <= 0)
				break;
		}
		while (recv(p->fd, rbuf, sizeof(rbuf), MSG_DONTWAIT) >= 0)
			;
		p->seq = (p->seq + 1) & 0xffff;
		len = pm_wire_build(p, buf, size);
		sent_at = pm_now();
		n = send(p->fd, buf, len, 0);
		out->tries++;
		if (p->sent)
			(*p->sent)++;
		if (n < 0) {
			int err = errno;

			qlen = sizeof(rbuf);
			if (err == EMSGSIZE) {
				out->answer = PM_A_LOCAL_MSGSIZE;
				if (pp_icmperr_read(p->fd, &ie, rbuf, &qlen) == 1 &&
				    ie.kind == PP_ICMPERR_LOCAL_MSGSIZE)
					out->mtu = ie.info;
				return 0;
			}
			if (err == EINTR && *p->stop)
				return -EINTR;
			if (err == ECONNREFUSED || err == EHOSTUNREACH || err == ENETUNREACH ||
			    err == EAGAIN || err == EINTR)
				continue;	/* a late error of an earlier probe; send again */
			out->answer = PM_A_SEND_ERR;
			out->err = err;
			return 0;
		}
		end = sent_at + p->timeout;
		for (;;) {
			struct pollfd pfd[2];
			int nfd = 1, timeout_ms, r;

			now = pm_now();
			if (p->deadline_at > 0 && p->deadline_at < end)
				end = p->deadline_at;
			if (now >= end)
				break;
			timeout_ms = (int)((end - now) * 1000.0) + 1;
			pfd[0].fd = p->fd;
			pfd[0].events = POLLIN | POLLERR;
			pfd[0].revents = 0;
			if (p->cap_on) {
				pfd[1].fd = p->cap.fd;
				pfd[1].events = POLLIN;
				pfd[1].revents = 0;
				nfd = 2;
			}
			r = poll(pfd, (nfds_t)nfd, timeout_ms);
			if (r < 0) {
				if (errno == EINTR && *p->stop)
					return -EINTR;
				continue;
			}
			if (*p->stop)
				return -EINTR;
			for (;;) {
				qlen = sizeof(rbuf);
				if (pp_icmperr_read(p->fd, &ie, rbuf, &qlen) <= 0)
					break;
				if (pm_wire_from_error(p, &ie, rbuf, qlen, out)) {
					out->rtt_ms = (pm_now() - sent_at) * 1000.0;
					return 0;
				}
			}
			for (;;) {
				socklen_t sl = sizeof(ss);
				struct pp_addr src = { 0 };

				n = recvfrom(p->fd, rbuf, sizeof(rbuf), MSG_DONTWAIT, (struct sockaddr *)&ss, &sl);
				if (n < 0)
					break;
				if (ss.ss_family == AF_INET6)
					pp_addr_set(&src, AF_INET6, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
				else if (ss.ss_family == AF_INET)
					pp_addr_set(&src, AF_INET, &((struct sockaddr_in *)&ss)->sin_addr, 4);
				if (pm_wire_reply(p, rbuf, (size_t)n, &src, out)) {
					out->rtt_ms = (pm_now() - sent_at) * 1000.0;
					drain_capture(p, out);
					return 0;
				}
			}
			if (p->cap_on) {
				const uint8_t *l3;
				size_t l3len;

				while (pp_pcap_next(&p->cap, &l3, &l3len, NULL) == 1) {
					unsigned fs = pm_wire_first_fragment(p, l3, l3len);

					if (fs) {
						if (fs > out->reply_frag)
							out->reply_frag = fs;
						continue;
					}
					if (pp_pcap_icmp_decode(l3, l3len, &w) < 0 || !pm_wire_ptb_matches(p, &w, size))
						continue;
					if (!wire) {
						wire = true;
						wire_from = w.src;
						wire_mtu = w.mtu;
						out->rtt_ms = (pm_now() - sent_at) * 1000.0;
						/* The socket should have it within microseconds: wait a little, not the whole timeout. */
						if (pm_now() + PM_WIRE_GRACE < end)
							end = pm_now() + PM_WIRE_GRACE;
					}
				}
			}
		}
		/* Unanswered: from now on, watch the wire too. */
		if (!wire)
			pm_prober_capture_now(p);
		if (wire) {
			out->answer = PM_A_PTB;
			out->from = wire_from;
			out->mtu = wire_mtu;
			out->ptb_local_drop = true;
			return 0;
		}
	}
	if (p->deadline_at > 0 && pm_now() >= p->deadline_at)
		return -ETIME;
	return 0;
}
