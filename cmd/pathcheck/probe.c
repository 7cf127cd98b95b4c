/*
 * probe.c: prove where the packet dies. Send one real flow that matches the query
 * (a TCP SYN by non-blocking connect, a UDP datagram, an ICMP echo), or with
 * --watch send nothing and wait for the user's own traffic, and watch it with
 * everything the kernel offers: the socket's error queue (who answered, with what
 * ICMP), the wire (libpcap on the device), skb:kfree_skb (what the kernel dropped
 * and why), an nft trace of the flow, and the counters that name drops.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/icmp6.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/rtnetlink.h>
#include <unistd.h>

#include "dropmap.h"
#include "dropmon.h"
#include "icmperr.h"
#include "link.h"
#include "nfttrace.h"
#include "pathcheck.h"
#include "pcap.h"
#include "probe_series.h"
#include "sample.h"
#include "snmp.h"

/* Counters that name a drop (nstat names), and the station each belongs to. */
static const struct { const char *name; enum pc_station_id station; } counters[] = {
	{ "IpOutNoRoutes", PC_ROUTE }, { "IpInAddrErrors", PC_FORWARD_ST }, { "IpExtInNoRoutes", PC_ROUTE },
	{ "IpOutDiscards", PC_OUTPUT }, { "IpInDiscards", PC_INPUT }, { "IpFragFails", PC_PMTU },
	{ "IpForwDatagrams", PC_FORWARD_ST }, { "TcpExtIPReversePathFilter", PC_ROUTE },
	{ "TcpExtListenDrops", PC_SOCKET }, { "TcpExtListenOverflows", PC_SOCKET },
	{ "UdpNoPorts", PC_SOCKET }, { "UdpInErrors", PC_SOCKET }, { "Udp6NoPorts", PC_SOCKET },
	{ "TcpAttemptFails", PC_REMOTE }, { "TcpOutRsts", PC_SOCKET }, { "TcpExtTCPSynRetrans", PC_REMOTE },
	{ "IcmpInDestUnreachs", PC_REMOTE }, { "IcmpOutDestUnreachs", PC_ROUTE }, { "Icmp6InDestUnreachs", PC_REMOTE },
	{ "Icmp6InPktTooBigs", PC_PMTU }, { "Ip6OutNoRoutes", PC_ROUTE }, { "Ip6InNoRoutes", PC_ROUTE },
	{ "Ip6InAddrErrors", PC_FORWARD_ST }, { "Ip6OutDiscards", PC_OUTPUT },
};

/* ---- sockets ---- */

/* A socket for the probe, bound and marked as the query says. */
static int
probe_socket(const struct pc_query *q, int type, int proto, struct pc_probe *pr)
{
	struct sockaddr_storage ss;
	int fd, one = 1;

	fd = socket(q->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, proto);
	if (fd < 0)
		return -errno;
	pp_icmperr_enable(fd, q->family);
	if (q->has_mark && setsockopt(fd, SOL_SOCKET, SO_MARK, &q->mark, sizeof(q->mark)) < 0)
		goto fail;
	if (q->oif[0] && setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, q->oif, (socklen_t)strlen(q->oif)) < 0)
		goto fail;
	if (q->src.family || q->has_sport) {
		struct pp_addr any = { .family = q->family };

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, (struct sockaddr *)&ss,
			 (socklen_t)pp_addr_sockaddr(q->src.family ? &q->src : &any, q->has_sport ? q->sport : 0, &ss)) < 0)
			goto fail;
	}
	(void)pr;
	return fd;
fail:
	{
		int err = errno;

		close(fd);
		return -err;
	}
}

static double
ms_left(double deadline)
{
	double left = deadline - pp_mono_now();

	return left > 0 ? left * 1000.0 : 0;
}

/*
 * Everything one probe needs, passed down: no probe state lives at file scope, so
 * the targets of -f --parallel each observe their own flow.
 */
struct drop_ctx {
	struct pc_probe *pr;
	const struct pc_facts *f;
	int family;
	uint8_t l4proto;
	bool shared;			/* q->probes_share_devices */
	struct pc_series *series;	/* --count: each drop's time, to tell which probe it followed */
	char oif_name[IF_NAMESIZE];	/* --count: the device the flow leaves by ("": not known) */
	struct probe_ctx *pc;		/* the capture, to hold a drop seen arriving against it */
	bool cap_xdp;			/* an XDP program on the captured device runs before the tap */
	/* The flow's packets captured arriving, and the drops waiting to be matched with them. */
	struct pc_wire_seen *arr;
	size_t narr, carr;
	struct pp_drop *pend;
	size_t npend, cpend;
};

/*
 * How far a packet's capture time may lie from its net:netif_receive_skb time: the tap
 * runs a few microseconds after the tracepoint (tens of them seen here), or takes the
 * time the skb was stamped when it was queued to the backlog.
 */
#define PC_WIRE_WINDOW_NS (2ull * 1000 * 1000)
#define PC_WIRE_MAX 65536		/* arrivals and drops waiting, each: beyond, a drop is not counted */

struct probe_ctx {
	const struct pc_query *q;
	struct pc_probe *pr;		/* where the observation goes (the small or the big probe) */
	struct pc_obs *obs;
	struct pp_pcap *cap;
	struct pp_dropmon *dm;		/* drained every 50 ms while the probe is in flight */
	struct drop_ctx *dc;
	double t0;			/* CLOCK_MONOTONIC seconds when the probe was sent */
	uint16_t sport;			/* the probe's own port, once bound (0 before) */
	uint16_t echo_id;		/* the echo identifier of an ICMP probe */
	uint16_t seq;			/* its sequence number: 1, or the probe's place in a --count series */
	bool stopped;
	bool closed;			/* the socket is gone: what arrives now came too late to be its answer */
	int64_t real_minus_mono_ns;	/* to put a capture's (CLOCK_REALTIME) time on the drops' clock */
	struct drop_ctx *wire_dc;	/* where the flow's arriving packets are kept (also for the big probe) */
};

static int drop_cb(const struct pp_drop *d, void *data);
static void pcap_drain(struct probe_ctx *c);

static double
rel(const struct probe_ctx *c)
{
	return pp_mono_now() - c->t0;
}

/* Record every queued error, each with its origin, in the order the kernel queued them. */
static bool
read_errqueue(struct probe_ctx *c, int fd)
{
	struct pp_icmperr ie;
	bool got = false;

	while (pp_icmperr_read(fd, &ie, NULL, NULL) == 1) {
		struct pc_obs_ev *e = pc_obs_add(c->obs, rel(c), PC_OBS_ERRQ, 0, (int)ie.ee_errno, ie.origin);

		if (e)
			e->icmp = ie;
		got = true;
	}
	return got;
}

typedef bool (*step_fn)(struct probe_ctx *c, int fd, short revents);

/* Wait for fd's answer while the wire and the drop monitor keep being read. */
static void
wait_for(struct probe_ctx *c, int fd, short events, step_fn step, double deadline)
{
	const struct pc_query *q = c->q;

	for (;;) {
		struct pollfd p[3] = { { fd, events, 0 }, { c->cap && c->cap->fd >= 0 ? c->cap->fd : -1, POLLIN, 0 },
				       { q->stop_fd > 0 ? q->stop_fd : -1, POLLIN, 0 } };
		double left = ms_left(deadline);
		int n;

		if (left <= 0) {
			pc_obs_add(c->obs, rel(c), PC_OBS_TIMEOUT, 0, 0, 0);
			return;
		}
		n = poll(p, 3, left > 50 ? 50 : (int)left + 1);
		if (c->dm)
			pp_dropmon_read(c->dm, drop_cb, c->dc);
		if (n < 0 && errno != EINTR)
			return;
		if (p[1].revents)
			pcap_drain(c);
		if (p[2].revents & POLLIN) {
			pc_obs_add(c->obs, rel(c), PC_OBS_STOP, 0, 0, 0);
			c->stopped = true;
			return;
		}
		if (p[0].revents) {
			pc_obs_add(c->obs, rel(c), PC_OBS_POLL, 0, 0, (unsigned)p[0].revents);
			if (step(c, fd, p[0].revents))
				return;
		}
	}
}

/*
 * SO_ERROR first: dequeuing the last error-queue entry resets the socket error to
 * 0, which read afterwards looks like a connect that succeeded. Then getpeername,
 * which only a connected socket answers; then the queue, each entry recorded.
 */
static bool
tcp_step(struct probe_ctx *c, int fd, short revents)
{
	int soerr = 0;
	socklen_t sl = sizeof(soerr);
	int rc = getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl);

	pc_obs_add(c->obs, rel(c), PC_OBS_SOERROR, rc < 0 ? -1 : 0, rc < 0 ? errno : soerr, 0);
	if (rc == 0 && soerr == 0) {
		struct sockaddr_storage peer;
		socklen_t pl = sizeof(peer);

		rc = getpeername(fd, (struct sockaddr *)&peer, &pl);
		pc_obs_add(c->obs, rel(c), PC_OBS_PEERNAME, rc < 0 ? -1 : 0, rc < 0 ? errno : 0, 0);
	}
	read_errqueue(c, fd);
	(void)revents;
	return true;
}

static bool
dgram_step(struct probe_ctx *c, int fd, short revents)
{
	const struct pc_query *q = c->q;
	uint8_t buf[2048];

	if ((revents & POLLERR) && read_errqueue(c, fd))
		return true;
	if (revents & POLLIN) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);
		unsigned ours = 0;

		if (n < 0 && errno != EAGAIN) {
			pc_obs_add(c->obs, rel(c), PC_OBS_RECV, -1, errno, 0);
			read_errqueue(c, fd);
			return true;
		}
		if (n > 0) {
			ours = PC_RECV_OURS;
			/* A raw ICMP socket sees every echo reply: only ours counts. */
			if (q->proto == IPPROTO_ICMP || q->proto == IPPROTO_ICMPV6) {
				size_t off = 0;

				if (q->family == AF_INET)
					off = (size_t)(buf[0] & 0x0f) * 4;
				if ((size_t)n < off + 8 ||
				    buf[off] != (q->family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY) ||
				    ((buf[off + 4] << 8) | buf[off + 5]) != c->echo_id ||
				    ((buf[off + 6] << 8) | buf[off + 7]) != c->seq)
					ours = 0;
			}
			pc_obs_add(c->obs, rel(c), PC_OBS_RECV, (int)n, 0, ours);
			return ours != 0;
		}
	}
	return false;
}

static uint16_t
csum(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint32_t sum = 0;

	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons((uint16_t)~sum);
}

/* The socket's own address and port, once it has them. */
static void
note_local(struct probe_ctx *c, int fd)
{
	struct sockaddr_storage ls;
	socklen_t ll = sizeof(ls);

	if (getsockname(fd, (struct sockaddr *)&ls, &ll) != 0)
		return;
	if (ls.ss_family == AF_INET) {
		pp_addr_set(&c->pr->src, AF_INET, &((struct sockaddr_in *)&ls)->sin_addr, 4);
		c->pr->sport = ntohs(((struct sockaddr_in *)&ls)->sin_port);
	} else if (ls.ss_family == AF_INET6) {
		pp_addr_set(&c->pr->src, AF_INET6, &((struct sockaddr_in6 *)&ls)->sin6_addr, 16);
		c->pr->sport = ntohs(((struct sockaddr_in6 *)&ls)->sin6_port);
	}
	c->obs->src = c->pr->src;
	c->sport = c->pr->sport;
}

/* The decision, from the record alone, copied where eval reads it. */
static void
decide(struct pc_probe *pr)
{
	pc_probe_judge(&pr->obs, &pr->judgement);
	pr->outcome = (enum pc_probe_outcome)pr->judgement.outcome;
	pr->err = pr->judgement.err;
	pr->rtt = pr->judgement.rtt;
	pr->has_icmp = pr->judgement.has_icmp;
	if (pr->has_icmp)
		pr->icmp = pr->judgement.icmp;
}

/* Send one probe of size bytes of payload, recording what happens in c->obs. */
static void
send_probe(struct probe_ctx *c, size_t size, bool df)
{
	const struct pc_query *q = c->q;
	struct pc_probe *pr = c->pr;
	struct sockaddr_storage ss;
	socklen_t sl = (socklen_t)pp_addr_sockaddr(&q->dst, q->has_dport ? q->dport : 0, &ss);
	uint8_t msg[9000];
	double deadline;
	int fd, rc;

	c->obs->family = q->family;
	c->obs->proto = q->proto;
	c->obs->dst = q->dst;
	c->obs->wire = c->cap && c->cap->fd >= 0;
	if (size > sizeof(msg))
		size = sizeof(msg);
	memset(msg, 0, sizeof(msg));
	snprintf((char *)msg + 8, sizeof(msg) - 8, "pktpath probe");
	switch (q->proto) {
	case IPPROTO_TCP:
		fd = probe_socket(q, SOCK_STREAM, 0, pr);
		break;
	case IPPROTO_UDP:
		fd = probe_socket(q, SOCK_DGRAM, 0, pr);
		break;
	default:
		fd = probe_socket(q, SOCK_RAW, q->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6, pr);
		break;
	}
	c->t0 = pp_mono_now();
	deadline = c->t0 + q->timeout;
	if (fd < 0) {
		pc_obs_add(c->obs, 0, PC_OBS_CONNECT, -1, -fd, 0);
		return;
	}
	/* Unique among the probes in flight (their sockets are): the threads of -f share one pid. */
	c->echo_id = (uint16_t)(getpid() + (unsigned)fd * 40503u);
	if (df) {
		int v = IP_PMTUDISC_PROBE;

		if (q->family == AF_INET)
			setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER, &v, sizeof(v));
		else {
			int on = 1;

			v = IPV6_PMTUDISC_PROBE;
			setsockopt(fd, IPPROTO_IPV6, IPV6_MTU_DISCOVER, &v, sizeof(v));
			setsockopt(fd, IPPROTO_IPV6, IPV6_DONTFRAG, &on, sizeof(on));
		}
	}
	if (q->proto == IPPROTO_TCP) {
		if (q->count > 1 && q->has_sport) {
			/* Each probe of the series ends with a RST, not in TIME_WAIT: the next one takes the same port. */
			struct linger lg = { 1, 0 };

			setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
		}
		rc = connect(fd, (struct sockaddr *)&ss, sl);
		pc_obs_add(c->obs, rel(c), PC_OBS_CONNECT, rc, rc < 0 ? errno : 0, 0);
		note_local(c, fd);
		if (rc < 0 && errno != EINPROGRESS)
			read_errqueue(c, fd);
		else if (rc < 0)
			wait_for(c, fd, POLLOUT, tcp_step, deadline);
		else
			tcp_step(c, fd, POLLOUT);
	} else {
		if (q->proto != IPPROTO_UDP) {
			/* An echo request: type, code, checksum, id, seq; the kernel sums ICMPv6. */
			msg[0] = q->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST;
			msg[4] = (uint8_t)(c->echo_id >> 8);
			msg[5] = (uint8_t)c->echo_id;
			msg[6] = (uint8_t)(c->seq >> 8);
			msg[7] = (uint8_t)c->seq;
			if (q->family == AF_INET) {
				uint16_t sum = csum(msg, size);

				memcpy(msg + 2, &sum, 2);
			} else {
				struct icmp6_filter flt;

				ICMP6_FILTER_SETBLOCKALL(&flt);
				ICMP6_FILTER_SETPASS(ICMP6_ECHO_REPLY, &flt);
				setsockopt(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &flt, sizeof(flt));
			}
		}
		/* Connected: only the destination's answers reach us, errors come back on this socket. */
		rc = connect(fd, (struct sockaddr *)&ss, sl);
		pc_obs_add(c->obs, rel(c), PC_OBS_CONNECT, rc, rc < 0 ? errno : 0, 0);
		if (rc == 0) {
			note_local(c, fd);
			rc = (int)send(fd, msg, size, 0);
			pc_obs_add(c->obs, rel(c), PC_OBS_SEND, rc < 0 ? -1 : rc, rc < 0 ? errno : 0, 0);
		}
		if (rc < 0)
			read_errqueue(c, fd);
		else
			wait_for(c, fd, POLLIN | POLLERR, dgram_step, deadline);
	}
	close(fd);
	c->closed = true;
}

/* ---- the wire ---- */

/* One captured packet: is it our flow, which way, and what does it say? */
static void
wire_arrived(struct probe_ctx *c, uint64_t t_ns)
{
	struct drop_ctx *dc = c->wire_dc;

	if (!dc)
		return;
	if (dc->narr == dc->carr) {
		size_t n = dc->carr ? dc->carr * 2 : 64;
		struct pc_wire_seen *a;

		if (n > PC_WIRE_MAX || !(a = realloc(dc->arr, n * sizeof(*a))))
			return;
		dc->arr = a;
		dc->carr = n;
	}
	dc->arr[dc->narr].t = t_ns;
	dc->arr[dc->narr++].len = c->cap ? c->cap->wire_len : 0;
}

static void
wire_packet(struct probe_ctx *c, const uint8_t *l3, size_t len, uint64_t t_ns)
{
	const struct pc_query *q = c->q;
	struct pp_addr s = { 0 }, d = { 0 };
	size_t off;
	uint8_t proto;
	unsigned flags = 0;

	if (q->family == AF_INET && len >= 20 && (l3[0] >> 4) == 4) {
		pp_addr_set(&s, AF_INET, l3 + 12, 4);
		pp_addr_set(&d, AF_INET, l3 + 16, 4);
		off = (size_t)(l3[0] & 0x0f) * 4;
		proto = l3[9];
	} else if (q->family == AF_INET6 && len >= 40 && (l3[0] >> 4) == 6) {
		pp_addr_set(&s, AF_INET6, l3 + 8, 16);
		pp_addr_set(&d, AF_INET6, l3 + 24, 16);
		off = 40;
		proto = l3[6];
	} else {
		return;
	}
	/* Ports, where the packet carries them: another flow to the same host is not ours. */
	if ((proto == IPPROTO_TCP || proto == IPPROTO_UDP) && len >= off + 4 && proto == q->proto) {
		uint16_t sp = (uint16_t)(l3[off] << 8 | l3[off + 1]), dp = (uint16_t)(l3[off + 2] << 8 | l3[off + 3]);
		bool out = pp_addr_eq(&d, &q->dst);

		if (out && ((q->has_dport && dp != q->dport) || (c->sport && sp != c->sport)))
			return;
		if (!out && pp_addr_eq(&s, &q->dst) && ((q->has_dport && sp != q->dport) || (c->sport && dp != c->sport)))
			return;
		if (proto == IPPROTO_TCP && len >= off + 14) {
			uint8_t tf = l3[off + 13];

			if ((tf & 0x12) == 0x12)
				flags |= PC_WIRE_SYNACK;
			if (tf & 0x04)
				flags |= PC_WIRE_RST;
		} else if (proto == IPPROTO_UDP)
			flags |= PC_WIRE_DATA;
	} else if ((proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6) && len >= off + 8 && pp_addr_eq(&s, &q->dst) &&
		   l3[off] == (q->family == AF_INET ? ICMP_ECHOREPLY : ICMP6_ECHO_REPLY)) {
		if (((l3[off + 4] << 8) | l3[off + 5]) != c->echo_id || ((l3[off + 6] << 8) | l3[off + 7]) != c->seq)
			return;
		flags |= PC_WIRE_ECHOREPLY;
	}
	/* Leaving towards the destination; coming back from it, or an ICMP error quoting a packet to it. */
	if (pp_addr_eq(&d, &q->dst)) {
		c->pr->wire_out++;
		pc_obs_add(c->obs, rel(c), PC_OBS_WIRE_OUT, 0, 0, 0);
		if (q->watch > 0)	/* watching on the in device: the client's packets arrive there */
			wire_arrived(c, t_ns);
	} else if (pp_addr_eq(&s, &q->dst)) {
		if (!c->closed)
			c->pr->wire_in++;
		pc_obs_add(c->obs, rel(c), PC_OBS_WIRE_IN, 0, 0, flags);
		wire_arrived(c, t_ns);
	} else {
		struct pp_wire_icmp wi;

		if (pp_pcap_icmp_decode(l3, len, &wi) == 0 && wi.has_inner && pp_addr_eq(&wi.inner_dst, &q->dst) &&
		    (!c->sport || !wi.inner_sport || wi.inner_sport == c->sport)) {
			if (!c->closed)
				c->pr->wire_in++;
			pc_obs_add(c->obs, rel(c), PC_OBS_WIRE_IN, 0, 0, PC_WIRE_ICMPERR);
			wire_arrived(c, t_ns);
		}
	}
}

static void
pcap_drain(struct probe_ctx *c)
{
	const uint8_t *l3;
	size_t len;
	struct timeval tv;

	if (!c->cap || c->cap->fd < 0)
		return;
	while (pp_pcap_next(c->cap, &l3, &len, &tv) == 1) {
		int64_t real = (int64_t)tv.tv_sec * 1000000000 + (int64_t)tv.tv_usec * 1000;

		wire_packet(c, l3, len, (uint64_t)(real - c->real_minus_mono_ns));
	}
}

static int64_t
real_minus_mono(void)
{
	struct timespec r, m;

	clock_gettime(CLOCK_MONOTONIC, &m);
	clock_gettime(CLOCK_REALTIME, &r);
	return ((int64_t)r.tv_sec - m.tv_sec) * 1000000000 + ((int64_t)r.tv_nsec - m.tv_nsec);
}

/*
 * A drop of an skb last seen arriving on the device the probe captures: the tap saw
 * every packet that arrived there before anything in this namespace could drop it
 * (packet sockets are fed in __netif_receive_skb_core, after the tracepoint, before tc
 * and netfilter), so the flow's packet must be in the capture at that moment. If it is
 * not, the skb arrived on another namespace's device of the same name (every lab has
 * its c0), or was another flow's. Such a drop waits until the probe ends (wire_match()).
 * Not where the capture cannot tell: no capture there, an XDP program ahead of the tap,
 * ARP (the capture keeps the flow's IP packets only).
 */
static bool
wire_checkable(const struct drop_ctx *dc, const struct pp_drop *d)
{
	const struct probe_ctx *c = dc->pc;

	return c && c->cap && c->cap->fd >= 0 && !dc->cap_xdp && d->dev_rx && d->dev_time_ns &&
	       d->protocol != 0x0806 && strcmp(d->dev, c->pr->pcap_dev) == 0;
}

static int drop_record(struct drop_ctx *c, const struct pp_drop *d, int wire);

/*
 * Each captured arrival of the flow vouches for one drop: the waiting drop nearest to it
 * in time (within the window, of its length). The drops no arrival vouches for are not
 * this flow's and are counted apart; the others are recorded, tied by device and wire.
 */
static void
wire_match(struct drop_ctx *c)
{
	bool *ok = c->npend ? calloc(c->npend, sizeof(*ok)) : NULL;
	struct pc_wire_seen *d = c->npend ? calloc(c->npend, sizeof(*d)) : NULL;

	if (c->npend && (!ok || !d)) {
		c->pr->drops_uncorroborated += (unsigned)c->npend;
		c->npend = 0;
		free(ok);
		free(d);
		return;
	}
	for (size_t k = 0; k < c->npend; k++) {
		d[k].t = c->pend[k].dev_time_ns;
		d[k].len = c->pend[k].dev_len;
	}
	pc_wire_vouch(c->arr, c->narr, d, c->npend, PC_WIRE_WINDOW_NS, ok);
	free(d);
	for (size_t k = 0; k < c->npend; k++) {
		if (ok[k])
			drop_record(c, &c->pend[k], 1);
		else
			c->pr->drops_uncorroborated++;
	}
	c->npend = 0;
	free(ok);
}

static void
pcap_start(const struct pc_query *q, const char *dev, struct pp_pcap *cap, struct pc_probe *pr)
{
	char filter[160], d[INET6_ADDRSTRLEN];
	struct pp_err e = { 0 };

	cap->fd = -1;
	snprintf(pr->pcap_dev, sizeof(pr->pcap_dev), "%s", dev);
	pp_addr_str(&q->dst, d, sizeof(d));
	/* The flow both ways, and ICMP errors that quote it. */
	snprintf(filter, sizeof(filter), "%s host %s or icmp or icmp6", q->family == AF_INET ? "ip" : "ip6", d);
	pr->pcap_rc = pp_pcap_open(cap, dev, filter, 256, &e);
	if (pr->pcap_rc < 0) {
		pp_err_str(&e, pr->pcap_err, sizeof(pr->pcap_err));
		cap->fd = -1;
	}
}

/* ---- drops and traces ---- */

/*
 * A device name is not unique across namespaces (every lab has its "eth0"), so a
 * drop seen on a device of our name must also be possible here: a netfilter drop
 * needs rules or conntrack in this namespace, a queue drop a queue that can drop
 * (or a device without carrier), an rp_filter drop rp_filter turned on.
 */
static bool
plausible_here(const struct pc_facts *f, const char *reason)
{
	bool queue = false;

	if (strcmp(reason, "NETFILTER_DROP") == 0)
		return f->nft_base_total > 0 || f->nlegacy > 0 || f->ct_count > 0;
	if (strncmp(reason, "QDISC_", 6) == 0) {
		for (size_t i = 0; i < f->nqdiscs; i++)
			queue |= strcmp(f->qdiscs[i].kind, "noqueue") != 0;
		return queue || (f->oif_rc == 0 && !(f->oif_link.flags & IFF_LOWER_UP));
	}
	if (strcmp(reason, "IP_RPFILTER") == 0)
		return f->rp_filter_all > 0 || f->rp_filter_dev > 0;
	return true;
}

/* Does a drop's reason or location belong to transport proto? (TCP_* / tcp_*, UDP / udp*, ICMP / icmp*.) */
static bool
l4_matches(uint8_t proto, const char *reason, const char *sym)
{
	static const struct { const char *prefix; uint8_t proto; } owners[] = {
		{ "TCP_", IPPROTO_TCP }, { "tcp_", IPPROTO_TCP }, { "tcp6_", IPPROTO_TCP }, { "__tcp", IPPROTO_TCP },
		{ "UDP_", IPPROTO_UDP }, { "udp", IPPROTO_UDP }, { "__udp", IPPROTO_UDP },
		{ "ICMP", IPPROTO_ICMP }, { "icmp", IPPROTO_ICMP },
	};

	for (size_t i = 0; i < PP_ARRAY_SIZE(owners); i++) {
		const char *p = owners[i].prefix;

		if (strncmp(reason, p, strlen(p)) == 0 || strncmp(sym, p, strlen(p)) == 0) {
			uint8_t want = proto == IPPROTO_ICMPV6 ? IPPROTO_ICMP : proto;

			return owners[i].proto == want;
		}
	}
	return true;
}

/* A drop of a series: its time, so that it is held against the probe it followed. */
static void
series_drop(struct pc_series *s, double t, size_t idx, bool device)
{
	if (!s)
		return;
	if (s->ndrops >= PC_SERIES_DROPS_MAX) {
		s->drops_unrecorded++;
		return;
	}
	s->drops[s->ndrops].t = t;
	s->drops[s->ndrops].device = device;
	s->drops[s->ndrops++].idx = (unsigned)idx;
}

static int
drop_cb(const struct pp_drop *d, void *data)
{
	struct drop_ctx *c = data;
	struct pc_probe *pr = c->pr;
	uint16_t want = c->family == AF_INET ? 0x0800 : 0x86dd;

	if (d->attribution == PP_DROP_OTHER_NS) {
		pr->drops_other++;
		return 0;
	}
	/*
	 * Seen on one of our devices, but other probes of this run use the same devices at
	 * the same time: the drop may be theirs (a late segment of a flow that already
	 * ended), so it cannot count against this one. In a --count series of TCP probes
	 * the connections before the one in flight are such flows: their teardown (a FIN,
	 * an ACK of a closed connection) arrives while the next one waits. (An ICMP or UDP
	 * probe leaves nothing behind but its own late answer, which is the flow's.) And a
	 * series watches for seconds while a device name is not unique across namespaces
	 * (every one has its "lo"): only the device the flow leaves by ties a drop to it.
	 */
	if (d->attribution == PP_DROP_UNATTRIBUTED ||
	    (d->attribution == PP_DROP_OURS_DEVICE &&
	     (c->shared || (c->series && c->series->n > 0 && c->l4proto == IPPROTO_TCP) ||
	      (c->series && (!c->oif_name[0] || strcmp(d->dev, c->oif_name) != 0))))) {
		pr->drops_unattributed++;
		return 0;
	}
	/* A healthy host's everyday frees (normal TCP closes, queue purges, our own route lookups). */
	if (pp_drop_benign(d->reason_name, d->symbol))
		return 0;
	/* Ours: the packet's family, or ARP/NDP resolution for it (a neighbour's queue). */
	if (d->protocol != want && d->protocol != 0x0806)
		return 0;
	/* A drop inside another transport's code is another flow's (a stray TCP segment is not our UDP probe). */
	if (!l4_matches(c->l4proto, d->reason_name, d->symbol) ||
	    (d->attribution == PP_DROP_OURS_DEVICE && !plausible_here(c->f, d->reason_name))) {
		pr->drops_unattributed++;
		return 0;
	}
	/*
	 * Seen arriving on lo while the flow's route leaves the host: nothing of this flow comes
	 * in by lo (every namespace has one, and another lab's loopback traffic dies there too).
	 */
	if (d->attribution == PP_DROP_OURS_DEVICE && d->dev_rx && strcmp(d->dev, "lo") == 0 &&
	    c->f->route_rc == 0 && c->f->route.type != RTN_LOCAL) {
		pr->drops_unattributed++;
		return 0;
	}
	/* Seen arriving on the captured device: held until the capture can vouch for it. */
	if (d->attribution == PP_DROP_OURS_DEVICE && wire_checkable(c, d)) {
		if (c->npend == c->cpend) {
			size_t n = c->cpend ? c->cpend * 2 : 64;
			struct pp_drop *a;

			if (n > PC_WIRE_MAX || !(a = realloc(c->pend, n * sizeof(*a)))) {
				pr->drops_uncorroborated++;
				return 0;
			}
			c->pend = a;
			c->cpend = n;
		}
		c->pend[c->npend++] = *d;
		return 0;
	}
	return drop_record(c, d, -1);
}

/* A drop that is this flow's (wire: 1 when the capture vouched for it, -1 when it could not tell). */
static int
drop_record(struct drop_ctx *c, const struct pp_drop *d, int wire)
{
	struct pc_probe *pr = c->pr;

	for (size_t i = 0; i < pr->ndrops; i++)
		if (strcmp(pr->drops[i].reason, d->reason_name) == 0 && strcmp(pr->drops[i].symbol, d->symbol) == 0) {
			pr->drops[i].count++;
			pr->drops[i].t_last = (double)d->time_ns / 1e9;
			pr->drops[i].wire_seen |= wire == 1;
			pr->drops[i].arrived &= d->dev_rx;
			series_drop(c->series, (double)d->time_ns / 1e9, i, d->attribution == PP_DROP_OURS_DEVICE);
			return 0;
		}
	if (pr->ndrops < PP_ARRAY_SIZE(pr->drops)) {
		series_drop(c->series, (double)d->time_ns / 1e9, pr->ndrops, d->attribution == PP_DROP_OURS_DEVICE);
		struct pc_drop_seen *s = &pr->drops[pr->ndrops++];

		snprintf(s->reason, sizeof(s->reason), "%s", d->reason_name[0] ? d->reason_name : "NOT_SPECIFIED");
		snprintf(s->symbol, sizeof(s->symbol), "%s", d->symbol);
		snprintf(s->dev, sizeof(s->dev), "%s", d->dev);
		s->station = pc_drop_station(s->reason, s->symbol);
		s->attribution = d->attribution;
		s->wire_seen = wire == 1;
		s->arrived = d->dev_rx;
		s->count = 1;
		s->t_first = s->t_last = (double)d->time_ns / 1e9;
	}
	return 0;
}

static int
trace_cb(const struct pp_nfttrace_event *ev, void *data)
{
	struct pc_probe *pr = data;

	if (ev->ours)
		return 0;
	pr->trace_events++;
	/* The first rule whose verdict drops the flow (a reject shows as drop). */
	if (!pr->trace_drop && ev->has_verdict && ev->verdict == 0 /* NF_DROP */) {
		pr->trace_drop = true;
		pr->trace_family = ev->family;
		snprintf(pr->trace_table, sizeof(pr->trace_table), "%s", ev->table);
		snprintf(pr->trace_chain, sizeof(pr->trace_chain), "%s", ev->chain);
		pr->trace_handle = ev->has_handle ? ev->handle : 0;
		snprintf(pr->trace_iif, sizeof(pr->trace_iif), "%s", ev->iif);
		snprintf(pr->trace_oif, sizeof(pr->trace_oif), "%s", ev->oif);
	}
	return 0;
}

struct devs_ctx {
	char names[256][IF_NAMESIZE];
	size_t n;
};

static int
dev_cb(const struct pp_link *l, void *data)
{
	struct devs_ctx *c = data;

	if (c->n < PP_ARRAY_SIZE(c->names))
		snprintf(c->names[c->n++], IF_NAMESIZE, "%s", l->name);
	return 0;
}

static uint64_t
qdisc_drops(int ifindex, bool *ok)
{
	struct pp_nl nl;
	struct pp_err e = { 0 };
	uint64_t sum = 0;

	*ok = false;
	if (!ifindex || pp_nl_open(&nl, NETLINK_ROUTE, &e) < 0)
		return 0;
	*ok = pc_qdisc_drops(&nl, ifindex, &sum) == 0;
	pp_nl_close(&nl);
	return sum;
}

/* The device's 64-bit counters now. */
static bool
dev_counters(int ifindex, struct pp_link *l)
{
	struct pp_nl nl;
	struct pp_err e = { 0 };
	bool ok;

	if (!ifindex || pp_nl_open(&nl, NETLINK_ROUTE, &e) < 0)
		return false;
	ok = pp_link_get(&nl, ifindex, NULL, l, &e) == 0 && l->has_stats64;
	pp_nl_close(&nl);
	return ok;
}

/* An XDP program on the captured device sees a packet before the tap: a drop there is never captured. */
static bool
cap_dev_xdp(const char *dev)
{
	struct pp_link l;
	unsigned idx = dev[0] ? if_nametoindex(dev) : 0;

	memset(&l, 0, sizeof(l));
	return idx && dev_counters((int)idx, &l) && l.has_xdp && l.xdp_attached;
}

/* ---- --count: a series of probes ---- */

/*
 * Until t, keep reading the wire and the drops (what arrives now is the last probe's,
 * late). False when a signal stops the series.
 */
static bool
gap_until(struct probe_ctx *c, double t)
{
	const struct pc_query *q = c->q;

	while (ms_left(t) > 0) {
		struct pollfd p[2] = { { c->cap && c->cap->fd >= 0 ? c->cap->fd : -1, POLLIN, 0 },
				       { q->stop_fd > 0 ? q->stop_fd : -1, POLLIN, 0 } };
		double left = ms_left(t);

		poll(p, 2, left > 50 ? 50 : (int)left + 1);
		if (p[0].revents)
			pcap_drain(c);
		if (c->dm)
			pp_dropmon_read(c->dm, drop_cb, c->dc);
		if (p[1].revents & POLLIN) {
			c->stopped = true;
			return false;
		}
	}
	return true;
}

/* Probe k of the series, as its own record judges it (again, once the wire has caught up). */
static void
series_judge(struct pc_series *s, size_t k)
{
	struct pc_judgement j;
	struct pc_series_probe *e = &s->p[k];

	pc_probe_judge(&s->last, &j);
	e->outcome = j.outcome;
	e->err = j.err;
	e->rtt = j.rtt;
	e->t_decided = j.t_decided;
	e->decisive = j.decisive;
	e->disagree = j.disagree[0] != '\0';
}

/*
 * N probes of the same flow, one after another: each its own socket, record and
 * judgement; the next starts --interval after the one before started, or when it
 * ended if it took longer (a probe waits for its answer, up to --timeout). The
 * record of the representative probe (the first answered, else the first) is kept
 * in pr->obs, the stations are judged by it.
 */
static void
run_series(struct probe_ctx *c, struct pc_series *s)
{
	struct pc_probe *pr = c->pr;
	const struct pc_query *q = c->q;
	bool have_rep = false, rep_answered = false;
	double next = 0;

	for (size_t k = 0; k < s->count; k++) {
		struct pc_series_probe *e = &s->p[k];
		unsigned wo = pr->wire_out, wi = pr->wire_in;
		bool answered;

		if (k > 0 && !gap_until(c, next))
			break;
		memset(&s->last, 0, sizeof(s->last));
		c->obs = &s->last;
		c->closed = false;
		c->seq = (uint16_t)(k + 1);
		next = pp_mono_now() + s->interval;
		send_probe(c, q->proto == IPPROTO_TCP ? 0 : 64, false);
		pcap_drain(c);
		s->n = k + 1;
		e->t0 = c->t0;
		series_judge(s, k);
		e->wire_out = pr->wire_out - wo;
		e->wire_in = pr->wire_in - wi;
		answered = pc_series_answered(e->outcome);
		if (!have_rep || (answered && !rep_answered)) {
			pr->obs = s->last;
			s->rep = k;
			have_rep = true;
			rep_answered = answered;
		}
		if (c->stopped)
			break;
	}
	s->stopped = c->stopped;
}

/* The series' end: the last probe judged again from its whole record, then the stations' probe. */
static void
series_finish(struct pc_series *s, struct pc_probe *pr)
{
	if (s->n == 0)
		return;
	series_judge(s, s->n - 1);
	if (s->rep == s->n - 1)
		pr->obs = s->last;
}

/* A series to hold q->count probes, or NULL. */
static struct pc_series *
series_new(const struct pc_query *q)
{
	struct pc_series *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->count = q->count;
	s->interval = q->interval;
	s->p = calloc(q->count, sizeof(*s->p));
	s->drops = calloc(PC_SERIES_DROPS_MAX, sizeof(*s->drops));
	if (!s->p || !s->drops) {
		free(s->p);
		free(s->drops);
		free(s);
		return NULL;
	}
	return s;
}

void
pc_probe_run(const struct pc_query *q, struct pc_facts *f)
{
	struct pc_probe *pr = &f->pr;
	struct pp_dropmon *dm = NULL;
	struct pp_nfttrace *tr = NULL;
	struct pp_snmp before = { 0 }, after = { 0 };
	struct pp_pcap cap = { .fd = -1 };
	struct pp_err e = { 0 };
	struct devs_ctx *devs = calloc(1, sizeof(*devs));
	const char *devp[256];
	int oif = f->route_rc == 0 ? (f->route.oif ? f->route.oif : (f->route.nhops ? f->route.nh[0].ifindex : 0)) : 0;
	uint64_t qd0 = 0;
	bool qok0 = false, qok1 = false, dev_ok0, ct_ok0;
	/* The device the flow leaves by (egress) or arrives on (--watch with --iif). */
	int dev_ifindex = q->iif_index ? q->iif_index : oif;
	struct pp_link dev0;
	struct pc_ct_stats ct0;

	struct drop_ctx dc = { .pr = pr, .f = f, .family = q->family, .l4proto = q->proto,
			       .shared = q->probes_share_devices }, *dctx = &dc;
	struct probe_ctx pc = { .q = q, .pr = pr, .obs = &pr->obs, .cap = &cap, .dc = dctx, .t0 = pp_mono_now(),
				.seq = 1, .real_minus_mono_ns = real_minus_mono() };
	struct pc_series *series = NULL;

	dc.pc = &pc;
	pc.wire_dc = &dc;
	if (pr->series) {	/* a walk run again over the same facts */
		free(pr->series->p);
		free(pr->series->drops);
		free(pr->series);
	}
	memset(pr, 0, sizeof(*pr));
	pr->ran = true;
	pr->watch = q->watch > 0;
	if (q->count && q->watch <= 0) {
		if ((series = series_new(q))) {
			pr->series = dc.series = series;
			if (!oif || !if_indextoname((unsigned)oif, dc.oif_name))
				dc.oif_name[0] = '\0';
		} else
			pr->series_failed = true;
	}
	/* Our namespace's devices: a drop seen on another device belongs to another namespace. */
	if (devs) {
		struct pp_nl nl;

		if (pp_nl_open(&nl, NETLINK_ROUTE, &e) == 0) {
			pp_link_dump(&nl, dev_cb, NULL, devs, &e);
			pp_nl_close(&nl);
		}
		for (size_t i = 0; i < devs->n; i++)
			devp[i] = devs->names[i];
	}
	pr->drop_rc = pp_dropmon_open(&dm, &e);
	if (pr->drop_rc == 0) {
		pp_dropmon_set_scope(dm, gettid(), devp, devs ? devs->n : 0);
		pp_dropmon_enable(dm);
		pc.dm = dm;
	} else {
		pp_err_str(&e, pr->drop_err, sizeof(pr->drop_err));
	}
	if (q->trace) {
		struct pp_nfttrace_match m = { .family = q->family, .dst = q->dst, .l4proto = q->proto,
					       .dport = q->has_dport ? q->dport : 0, .replies = true };

		if (q->src.family)
			m.src = q->src;
		memset(&e, 0, sizeof(e));
		pr->trace_rc = pp_nfttrace_begin(&tr, &m, &e);
		if (pr->trace_rc < 0)
			pp_err_str(&e, pr->trace_err, sizeof(pr->trace_err));
	}
	pr->snmp_rc = pp_snmp_read(&before);
	qd0 = qdisc_drops(oif, &qok0);
	dev_ok0 = dev_counters(dev_ifindex, &dev0);
	ct_ok0 = pc_ct_stats_read(&ct0) == 0;
	if (q->watch > 0) {
		/* A router or a node in front of a container: the user's client keeps retrying. */
		const char *dev = q->iif[0] ? f->bridge_port[0] ? f->bridge_port : q->iif : NULL;
		double deadline = pp_mono_now() + q->watch;

		if (dev) {
			pcap_start(q, dev, &cap, pr);
			dc.cap_xdp = cap_dev_xdp(dev);
		}
		while (ms_left(deadline) > 0) {
			struct pollfd p[2] = { { cap.fd, POLLIN, 0 }, { q->stop_fd > 0 ? q->stop_fd : -1, POLLIN, 0 } };

			poll(p, 2, (int)(ms_left(deadline) > 50 ? 50 : ms_left(deadline)) + 1);
			pcap_drain(&pc);
			if (dm)
				pp_dropmon_read(dm, drop_cb, dctx);
			if (p[1].revents & POLLIN)
				break;	/* a signal: every probe in flight ends, its trace table removed */
		}
		pr->outcome = PC_PR_NONE;
	} else {
		if (oif) {
			char name[IF_NAMESIZE];

			if (if_indextoname((unsigned)oif, name)) {
				pcap_start(q, name, &cap, pr);
				dc.cap_xdp = cap_dev_xdp(name);
			}
		}
		if (series) {
			run_series(&pc, series);
			decide(pr);
		} else if (!pr->series_failed) {
			send_probe(&pc, q->proto == IPPROTO_TCP ? 0 : 64, false);
			decide(pr);
		} else
			pr->outcome = PC_PR_NONE;
		pc.obs = series ? &series->last : &pr->obs;	/* what the wire brings late is the last probe's */
		/* Large probes vanishing while small ones are answered: a PMTU black hole. */
		if (pr->outcome == PC_PR_REPLY && f->oif_rc == 0 && q->proto != IPPROTO_TCP && !pc.stopped) {
			struct pc_probe *big = calloc(1, sizeof(*big));
			unsigned hdr = (q->family == AF_INET ? 20 : 40) + 8;

			if (big) {
				struct probe_ctx bc = pc;

				bc.pr = big;
				bc.obs = &big->obs;
				bc.dc = NULL;
				bc.dm = NULL;	/* drops go to the small probe's record, as before */
				big->src = pr->src;
				pr->big_size = f->oif_link.mtu > hdr ? f->oif_link.mtu : 1500;
				send_probe(&bc, pr->big_size - hdr, true);
				decide(big);
				pr->big_ran = true;
				pr->big_outcome = big->outcome;
				pr->big_has_icmp = big->has_icmp;
				pr->big_icmp = big->icmp;
				free(big);
			}
		}
	}
	/* Softirq drops and trace events arrive a moment after the answer (or its absence). */
	usleep(150 * 1000);
	/* A probe queued behind a next hop that does not resolve never leaves: look at the entry again. */
	if (f->need_neigh && pr->outcome == PC_PR_SILENCE) {
		struct pp_nl nl;

		if (pp_nl_open(&nl, NETLINK_ROUTE, &e) == 0) {
			struct pp_neigh n;

			if (pp_neigh_get(&nl, oif, &f->nexthop, &n, &e) == 0) {
				pr->neigh_after = true;
				pr->neigh_state = n.state;
			}
			pp_nl_close(&nl);
		}
	}
	pcap_drain(&pc);
	/* The wire may have caught up: decide again from the whole record. */
	if (series)
		series_finish(series, pr);
	if (!pr->watch && !pr->series_failed)
		decide(pr);
	if (dm) {
		pp_dropmon_disable(dm);
		pp_dropmon_read(dm, drop_cb, dctx);
		pr->drops_lost = pp_dropmon_lost(dm);
		pp_dropmon_close(dm);
	}
	/* The drops seen arriving on the captured device: each needs a captured packet of the flow. */
	pcap_drain(&pc);
	wire_match(&dc);
	free(dc.arr);
	free(dc.pend);
	/* A drop of a packet that follows a decisive answer (a RST, an ICMP error) never overturns it. */
	for (size_t i = 0; i < pr->ndrops; i++)
		pr->drops[i].after_answer = !pr->watch && pc_drop_after_answer(&pr->judgement, pr->drops[i].t_first - pc.t0);
	/*
	 * In a series, a drop counts against the probe in flight when it happened, as it would
	 * against one probe: not when that probe was answered, nor after its decisive answer.
	 * An entry is set aside only when every drop of it is.
	 */
	if (series) {
		for (size_t i = 0; i < pr->ndrops; i++)
			pr->drops[i].after_answer = series->drops_unrecorded == 0 && series->n > 0;
		for (size_t k = 0; k < series->ndrops; k++) {
			const struct pc_series_drop *sd = &series->drops[k];

			if (sd->idx < pr->ndrops && !pc_series_drop_ignored(series->p, series->n, sd->t) &&
			    (!sd->device || pc_series_drop_corroborated(series->p, series->n, sd->t,
									pr->drops[sd->idx].station, pr->obs.wire)))
				pr->drops[sd->idx].after_answer = false;
		}
	}
	if (tr) {
		pp_nfttrace_read(tr, trace_cb, pr);
		pp_nfttrace_end(tr);
	}
	if (cap.fd >= 0 || cap.p)
		pp_pcap_close(&cap);
	{
		struct pp_link dev1;
		struct pc_ct_stats ct1;

		if (dev_ok0 && dev_counters(dev_ifindex, &dev1)) {
			pr->have_dev = true;
			pr->dev_tx_dropped_delta = pp_delta64(dev0.stats.tx_dropped, dev1.stats.tx_dropped);
			pr->dev_rx_dropped_delta = pp_delta64(dev0.stats.rx_dropped, dev1.stats.rx_dropped);
			pr->dev_tx_errors_delta = pp_delta64(dev0.stats.tx_errors, dev1.stats.tx_errors);
			pr->dev_rx_errors_delta = pp_delta64(dev0.stats.rx_errors, dev1.stats.rx_errors);
		}
		if (ct_ok0 && pc_ct_stats_read(&ct1) == 0) {
			pr->have_ct = true;
			pr->ct_drop_delta = pp_delta64(ct0.drop, ct1.drop);
			pr->ct_early_drop_delta = pp_delta64(ct0.early_drop, ct1.early_drop);
			pr->ct_insert_failed_delta = pp_delta64(ct0.insert_failed, ct1.insert_failed);
			pr->ct_invalid_delta = pp_delta64(ct0.invalid, ct1.invalid);
		}
	}
	{
		uint64_t qd1 = qdisc_drops(oif, &qok1);

		if (qok0 && qok1) {
			pr->have_qdisc = true;
			pr->qdisc_drops_delta = qd1 >= qd0 ? qd1 - qd0 : 0;
		}
	}
	if (pr->snmp_rc == 0 && pp_snmp_read(&after) == 0) {
		for (size_t i = 0; i < PP_ARRAY_SIZE(counters) && pr->nctr < PP_ARRAY_SIZE(pr->ctr); i++) {
			uint64_t d = pp_snmp_delta(&before, &after, counters[i].name);

			if (d) {
				snprintf(pr->ctr[pr->nctr].name, sizeof(pr->ctr[0].name), "%s", counters[i].name);
				pr->ctr[pr->nctr++].delta = d;
			}
		}
	}
	pp_snmp_free(&before);
	pp_snmp_free(&after);
	free(devs);
}

/* The station a counter belongs to (for evidence), or PC_NSTATIONS. */
enum pc_station_id
pc_counter_station(const char *name)
{
	for (size_t i = 0; i < PP_ARRAY_SIZE(counters); i++)
		if (strcmp(counters[i].name, name) == 0)
			return counters[i].station;
	return PC_NSTATIONS;
}
