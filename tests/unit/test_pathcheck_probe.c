/*
 * test_pathcheck_probe: the probe's judgement replayed from recorded observations,
 * one per outcome, including every sequence that once read as "handshake completed"
 * on a path where nothing answered.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/errqueue.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>

#include "../../cmd/pathcheck/pathcheck.h"
#include "tap.h"

static struct pc_obs o;
static struct pc_judgement j;

static void
addr(struct pp_addr *a, const char *s)
{
	struct in6_addr in6;
	struct in_addr in4;

	if (strchr(s, ':')) {
		inet_pton(AF_INET6, s, &in6);
		pp_addr_set(a, AF_INET6, &in6, 16);
	} else {
		inet_pton(AF_INET, s, &in4);
		pp_addr_set(a, AF_INET, &in4, 4);
	}
}

/* A fresh record: a probe from src to dst. */
static void
start(int family, uint8_t proto, const char *src, const char *dst, bool wire)
{
	memset(&o, 0, sizeof(o));
	o.family = family;
	o.proto = proto;
	addr(&o.src, src);
	addr(&o.dst, dst);
	o.wire = wire;
}

static void
ev(double t, enum pc_obs_kind k, int rc, int err, unsigned flags)
{
	pc_obs_add(&o, t, k, rc, err, flags);
}

/* An error-queue entry: origin, type, code, errno, offender ("" for none). */
static void
errq(double t, uint8_t origin, uint8_t type, uint8_t code, int err, const char *offender)
{
	struct pc_obs_ev *e = pc_obs_add(&o, t, PC_OBS_ERRQ, 0, err, origin);
	int fam = o.family;

	e->icmp.family = fam;
	e->icmp.origin = origin;
	e->icmp.type = type;
	e->icmp.code = code;
	e->icmp.ee_errno = (uint32_t)err;
	e->icmp.kind = pp_icmperr_classify(fam, origin, (uint32_t)err, type, code);
	if (offender[0]) {
		e->icmp.has_offender = true;
		addr(&e->icmp.offender, offender);
	}
}

static void
judge(void)
{
	pc_probe_judge(&o, &j);
}

/* ---- TCP ---- */

static void
tcp_connected_wire_and_socket(void)
{
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(0.0002, PC_OBS_WIRE_OUT, 0, 0, 0);
	ev(0.0010, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_SYNACK);
	ev(0.0011, PC_OBS_POLL, 0, 0, POLLOUT);
	ev(0.0011, PC_OBS_SOERROR, 0, 0, 0);
	ev(0.0011, PC_OBS_PEERNAME, 0, 0, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_CONNECTED);
	CHECK(j.decisive);
	CHECK_STR(j.basis, "wire, getpeername");
	CHECK_STR(j.disagree, "");
	CHECK(j.rtt > 0.0009 && j.rtt < 0.0011);
}

/* No capture ran (pcap missing): getpeername on a writable socket, SO_ERROR read first and 0. */
static void
tcp_connected_socket_only(void)
{
	start(AF_INET6, IPPROTO_TCP, "2001:db8:1::2", "2001:db8:2::2", false);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(0.002, PC_OBS_POLL, 0, 0, POLLOUT);
	ev(0.002, PC_OBS_SOERROR, 0, 0, 0);
	ev(0.002, PC_OBS_PEERNAME, 0, 0, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_CONNECTED);
	CHECK_STR(j.basis, "getpeername");
	CHECK_STR(j.disagree, "");
}

/* The capture ran and saw no SYN-ACK, yet the socket connected: connected, and said so. */
static void
tcp_connected_wire_disagrees(void)
{
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(0.002, PC_OBS_POLL, 0, 0, POLLOUT);
	ev(0.002, PC_OBS_SOERROR, 0, 0, 0);
	ev(0.002, PC_OBS_PEERNAME, 0, 0, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_CONNECTED);
	CHECK(strstr(j.disagree, "no SYN-ACK") != NULL);
}

static void
tcp_refused_rst(void)
{
	start(AF_INET6, IPPROTO_TCP, "2001:db8:1::2", "2001:db8:2::2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(0.0002, PC_OBS_WIRE_OUT, 0, 0, 0);
	ev(0.0008, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_RST);
	ev(0.0009, PC_OBS_POLL, 0, 0, POLLOUT | POLLERR | POLLHUP);
	ev(0.0009, PC_OBS_SOERROR, 0, ECONNREFUSED, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_REFUSED);
	CHECK_EQ_INT(j.err, ECONNREFUSED);
	CHECK(j.decisive);
	CHECK(j.t_decided > 0.0008 && j.t_decided < 0.001);
}

/* A router's ICMP error, each type: the offender is a hop, the outcome an ICMP error. */
static void
tcp_icmp_from_router_each_type(void)
{
	static const struct { uint8_t type, code; int err; enum pp_icmperr_kind kind; } v4[] = {
		{ ICMP_DEST_UNREACH, ICMP_NET_UNREACH, ENETUNREACH, PP_ICMPERR_UNREACH },
		{ ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, EHOSTUNREACH, PP_ICMPERR_UNREACH },
		{ ICMP_DEST_UNREACH, ICMP_PKT_FILTERED, EHOSTUNREACH, PP_ICMPERR_PROHIBITED },
		{ ICMP_DEST_UNREACH, ICMP_HOST_ANO, EHOSTUNREACH, PP_ICMPERR_PROHIBITED },
		{ ICMP_DEST_UNREACH, ICMP_PROT_UNREACH, ENOPROTOOPT, PP_ICMPERR_UNREACH },
		{ ICMP_TIME_EXCEEDED, 0, EHOSTUNREACH, PP_ICMPERR_TTL },
		{ ICMP_DEST_UNREACH, ICMP_PORT_UNREACH, ECONNREFUSED, PP_ICMPERR_PORT },	/* from a hop: not a refusal */
	};

	for (size_t i = 0; i < sizeof(v4) / sizeof(v4[0]); i++) {
		start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", true);
		ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
		ev(0.0002, PC_OBS_WIRE_OUT, 0, 0, 0);
		ev(0.0005, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_ICMPERR);
		ev(0.0006, PC_OBS_POLL, 0, 0, POLLOUT | POLLERR | POLLHUP);
		ev(0.0006, PC_OBS_SOERROR, 0, v4[i].err, 0);
		errq(0.0006, SO_EE_ORIGIN_ICMP, v4[i].type, v4[i].code, v4[i].err, "198.51.100.1");
		judge();
		CHECK_EQ_INT(j.outcome, PC_PR_ICMP);
		CHECK_EQ_INT(j.icmp.kind, v4[i].kind);
		CHECK_EQ_INT(j.icmp.type, v4[i].type);
		CHECK(!j.local_unreach);
	}
	/* IPv6: address unreachable and administratively prohibited from the router. */
	start(AF_INET6, IPPROTO_TCP, "2001:db8:1::2", "2001:db8:2::2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(0.0006, PC_OBS_POLL, 0, 0, POLLOUT | POLLERR | POLLHUP);
	ev(0.0006, PC_OBS_SOERROR, 0, EACCES, 0);
	errq(0.0006, SO_EE_ORIGIN_ICMP6, ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_ADMIN, EACCES, "2001:db8:1::1");
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_ICMP);
	CHECK_EQ_INT(j.icmp.kind, PP_ICMPERR_PROHIBITED);
	start(AF_INET6, IPPROTO_TCP, "2001:db8:1::2", "2001:db8:2::2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(0.0006, PC_OBS_POLL, 0, 0, POLLOUT | POLLERR | POLLHUP);
	ev(0.0006, PC_OBS_SOERROR, 0, EHOSTUNREACH, 0);
	errq(0.0006, SO_EE_ORIGIN_ICMP6, ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_ADDR, EHOSTUNREACH, "2001:db8:1::1");
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_ICMP);
	CHECK_EQ_INT(j.icmp.kind, PP_ICMPERR_UNREACH);
}

/*
 * The first false success, recorded the way the old code read it: the next hop
 * INCOMPLETE, the kernel fails the connect with EHOSTUNREACH after about a second
 * by an ICMP host unreachable that our own address sends us. Draining the error
 * queue first reset the socket error to 0, which read as "connected". Replayed in
 * the old order (errqueue, then SO_ERROR 0) and in the new (SO_ERROR first).
 */
static void
tcp_neigh_failure_old_order_is_not_success(void)
{
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(1.02, PC_OBS_POLL, 0, 0, POLLOUT | POLLERR | POLLHUP);
	errq(1.02, SO_EE_ORIGIN_ICMP, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, EHOSTUNREACH, "198.51.100.2");
	ev(1.02, PC_OBS_SOERROR, 0, 0, 0);
	ev(1.02, PC_OBS_PEERNAME, -1, ENOTCONN, 0);
	judge();
	CHECK(j.outcome != PC_PR_CONNECTED);
	CHECK_EQ_INT(j.outcome, PC_PR_SENDERR);
	CHECK(j.local_unreach);
	CHECK_EQ_INT(j.err, EHOSTUNREACH);
	CHECK(!j.decisive);
}

static void
tcp_neigh_failure_v4(void)
{
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(1.02, PC_OBS_POLL, 0, 0, POLLOUT | POLLERR | POLLHUP);
	ev(1.02, PC_OBS_SOERROR, 0, EHOSTUNREACH, 0);
	errq(1.02, SO_EE_ORIGIN_ICMP, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, EHOSTUNREACH, "198.51.100.2");
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SENDERR);
	CHECK(j.local_unreach);
	CHECK_EQ_INT(j.err, EHOSTUNREACH);
}

/* IPv6: the same, an address unreachable from our own address; a tc drop of every packet looks alike. */
static void
tcp_neigh_failure_v6(void)
{
	start(AF_INET6, IPPROTO_TCP, "2001:db8:1::2", "2001:db8:2::2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(1.5, PC_OBS_POLL, 0, 0, POLLOUT | POLLERR | POLLHUP);
	ev(1.5, PC_OBS_SOERROR, 0, EHOSTUNREACH, 0);
	errq(1.5, SO_EE_ORIGIN_ICMP6, ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_ADDR, EHOSTUNREACH, "2001:db8:1::2");
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SENDERR);
	CHECK(j.local_unreach);
}

/* The error was consumed before it was read, and no ICMP was queued: still never "connected". */
static void
tcp_writable_not_connected(void)
{
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", false);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(1.0, PC_OBS_POLL, 0, 0, POLLOUT | POLLHUP);
	ev(1.0, PC_OBS_SOERROR, 0, 0, 0);
	ev(1.0, PC_OBS_PEERNAME, -1, ENOTCONN, 0);
	judge();
	CHECK(j.outcome != PC_PR_CONNECTED);
	CHECK_EQ_INT(j.outcome, PC_PR_SENDERR);
}

/* A router answering ICMP host unreachable for a gateway that does not exist (a container's host). */
static void
tcp_host_unreach_from_router_old_order(void)
{
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "198.51.100.130", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(0.0002, PC_OBS_WIRE_OUT, 0, 0, 0);
	ev(0.97, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_ICMPERR);
	ev(0.976, PC_OBS_POLL, 0, 0, POLLOUT | POLLERR | POLLHUP);
	errq(0.976, SO_EE_ORIGIN_ICMP, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, EHOSTUNREACH, "198.51.100.1");
	ev(0.976, PC_OBS_SOERROR, 0, 0, 0);
	ev(0.976, PC_OBS_PEERNAME, -1, ENOTCONN, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_ICMP);
	CHECK(!j.local_unreach);
}

/* Silence: the SYN left, nothing came back, the deadline passed. */
static void
tcp_silence(void)
{
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(0.0002, PC_OBS_WIRE_OUT, 0, 0, 0);
	ev(1.0, PC_OBS_WIRE_OUT, 0, 0, 0);
	ev(3.0, PC_OBS_TIMEOUT, 0, 0, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SILENCE);
	CHECK(!j.decisive);
	CHECK_STR(j.basis, "timeout");
}

/* A router's host unreachable arriving after the deadline (it resolved for 3 s): silence, no disagreement. */
static void
tcp_late_icmp_after_timeout(void)
{
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(0.0002, PC_OBS_WIRE_OUT, 0, 0, 0);
	ev(3.0, PC_OBS_TIMEOUT, 0, 0, 0);
	ev(3.15, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_ICMPERR);
	ev(3.15, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_SYNACK);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SILENCE);
	CHECK_STR(j.disagree, "");
}

/* The SYN-ACK arrived on the wire, the socket never connected: dropped on the way in, said so. */
static void
tcp_answer_dropped_on_the_way_in(void)
{
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(0.0002, PC_OBS_WIRE_OUT, 0, 0, 0);
	ev(0.0009, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_SYNACK);
	ev(1.0, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_SYNACK);
	ev(3.0, PC_OBS_TIMEOUT, 0, 0, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SILENCE);
	CHECK(strstr(j.disagree, "never connected") != NULL);
}

/* The IPv6 closed port: a RST decided at 0.9 ms; a later drop is after the answer. */
static void
tcp_late_drop_after_rst(void)
{
	start(AF_INET6, IPPROTO_TCP, "2001:db8:1::2", "2001:db8:2::2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(0.0008, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_RST);
	ev(0.0009, PC_OBS_POLL, 0, 0, POLLOUT | POLLERR | POLLHUP);
	ev(0.0009, PC_OBS_SOERROR, 0, ECONNREFUSED, 0);
	ev(0.0012, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_RST);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_REFUSED);
	CHECK(j.decisive);
	/* A NO_SOCKET drop at 1.2 ms follows the answer; one at 0.5 ms came before it. */
	CHECK(pc_drop_after_answer(&j, 0.0012));
	CHECK(!pc_drop_after_answer(&j, 0.0005));
	/* Silence decides nothing: every drop counts. */
	start(AF_INET6, IPPROTO_TCP, "2001:db8:1::2", "2001:db8:2::2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	ev(3.0, PC_OBS_TIMEOUT, 0, 0, 0);
	judge();
	CHECK(!pc_drop_after_answer(&j, 2.0));
}

/* connect() failing at once (no route, EPERM from an output rule). */
static void
tcp_connect_fails_at_once(void)
{
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EPERM, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SENDERR);
	CHECK_EQ_INT(j.err, EPERM);
	CHECK(!j.local_unreach);
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, ENETUNREACH, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SENDERR);
	CHECK_EQ_INT(j.err, ENETUNREACH);
}

/* ---- UDP and ICMP ---- */

static void
udp_reply(void)
{
	start(AF_INET, IPPROTO_UDP, "198.51.100.2", "203.0.113.2", true);
	ev(0, PC_OBS_CONNECT, 0, 0, 0);
	ev(0.0001, PC_OBS_SEND, 64, 0, 0);
	ev(0.0002, PC_OBS_WIRE_OUT, 0, 0, 0);
	ev(0.0007, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_DATA);
	ev(0.0008, PC_OBS_POLL, 0, 0, POLLIN);
	ev(0.0008, PC_OBS_RECV, 64, 0, PC_RECV_OURS);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_REPLY);
	CHECK_STR(j.disagree, "");
}

static void
udp_refused_by_destination(void)
{
	start(AF_INET6, IPPROTO_UDP, "2001:db8:1::2", "2001:db8:2::2", true);
	ev(0, PC_OBS_CONNECT, 0, 0, 0);
	ev(0.0001, PC_OBS_SEND, 64, 0, 0);
	ev(0.0008, PC_OBS_POLL, 0, 0, POLLERR);
	errq(0.0008, SO_EE_ORIGIN_ICMP6, ICMP6_DST_UNREACH, ICMP6_DST_UNREACH_NOPORT, ECONNREFUSED, "2001:db8:2::2");
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_REFUSED);
	CHECK(j.decisive);
}

/* A ping whose reply is someone else's (another probe's identifier) is no answer. */
static void
icmp_other_reply_then_silence(void)
{
	start(AF_INET, IPPROTO_ICMP, "198.51.100.2", "203.0.113.2", true);
	ev(0, PC_OBS_CONNECT, 0, 0, 0);
	ev(0.0001, PC_OBS_SEND, 64, 0, 0);
	ev(0.0008, PC_OBS_POLL, 0, 0, POLLIN);
	ev(0.0008, PC_OBS_RECV, 84, 0, 0);
	ev(2.0, PC_OBS_TIMEOUT, 0, 0, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SILENCE);
}

static void
icmp_echo_reply_dropped_on_the_way_in(void)
{
	start(AF_INET6, IPPROTO_ICMPV6, "2001:db8:1::2", "2001:db8:2::2", true);
	ev(0, PC_OBS_CONNECT, 0, 0, 0);
	ev(0.0001, PC_OBS_SEND, 64, 0, 0);
	ev(0.0002, PC_OBS_WIRE_OUT, 0, 0, 0);
	ev(0.0007, PC_OBS_WIRE_IN, 0, 0, PC_WIRE_ECHOREPLY);
	ev(2.0, PC_OBS_TIMEOUT, 0, 0, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SILENCE);
	CHECK(strstr(j.disagree, "never reached the socket") != NULL);
}

/* An ICMP probe through a next hop that never resolves: the kernel's own host unreachable. */
static void
icmp_neigh_failure(void)
{
	start(AF_INET, IPPROTO_ICMP, "198.51.100.2", "203.0.113.2", true);
	ev(0, PC_OBS_CONNECT, 0, 0, 0);
	ev(0.0001, PC_OBS_SEND, 64, 0, 0);
	ev(1.0, PC_OBS_POLL, 0, 0, POLLERR);
	errq(1.0, SO_EE_ORIGIN_ICMP, ICMP_DEST_UNREACH, ICMP_HOST_UNREACH, EHOSTUNREACH, "198.51.100.2");
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SENDERR);
	CHECK(j.local_unreach);
}

static void
udp_send_fails(void)
{
	start(AF_INET, IPPROTO_UDP, "198.51.100.2", "203.0.113.2", true);
	ev(0, PC_OBS_CONNECT, 0, 0, 0);
	ev(0.0001, PC_OBS_SEND, -1, EPERM, 0);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SENDERR);
	CHECK_EQ_INT(j.err, EPERM);
}

/* A full record keeps its first events and counts the rest. */
static void
record_overflow(void)
{
	start(AF_INET, IPPROTO_TCP, "198.51.100.2", "203.0.113.2", true);
	ev(0.0001, PC_OBS_CONNECT, -1, EINPROGRESS, 0);
	for (int i = 0; i < PC_OBS_MAX + 10; i++)
		ev(0.001 * i, PC_OBS_WIRE_OUT, 0, 0, 0);
	CHECK_EQ_INT((int)o.n, PC_OBS_MAX);
	CHECK_EQ_INT((int)o.overflow, 11);
	judge();
	CHECK_EQ_INT(j.outcome, PC_PR_SILENCE);
}

/*
 * Drops seen arriving on the captured device, matched with the flow's packets the
 * capture saw (issue 15: another lab's c0 flooding NO_SOCKET drops beside ours).
 */
static void
wire_vouch_nearest_of_its_length(void)
{
	const uint64_t ms = 1000000;
	/* Our SYN-ACK at 1000 ms (60 bytes) and one at 2000 ms. */
	struct pc_wire_seen arr[] = { { 1000 * ms, 60 }, { 2000 * ms, 60 } };
	/* Another namespace's drops around them, and ours 11 us after each arrival. */
	struct pc_wire_seen dr[] = {
		{ 1000 * ms - ms / 2, 60 },	/* 0: 500 us before, same length: a foreign SYN */
		{ 1000 * ms + 11000, 60 },	/* 1: ours */
		{ 1500 * ms, 60 },		/* 2: no packet of the flow near it */
		{ 2000 * ms + 243, 40 },	/* 3: nearest, but another length */
		{ 2000 * ms + 25000, 60 },	/* 4: ours */
		{ 2000 * ms + 3 * ms, 60 },	/* 5: outside the 2 ms window */
	};
	bool ok[PP_ARRAY_SIZE(dr)];

	pc_wire_vouch(arr, PP_ARRAY_SIZE(arr), dr, PP_ARRAY_SIZE(dr), 2 * ms, ok);
	CHECK(!ok[0]);
	CHECK(ok[1]);
	CHECK(!ok[2]);
	CHECK(!ok[3]);
	CHECK(ok[4]);
	CHECK(!ok[5]);
	/* No arrival at all (a silent target): nothing is vouched for. */
	pc_wire_vouch(arr, 0, dr, PP_ARRAY_SIZE(dr), 2 * ms, ok);
	for (size_t k = 0; k < PP_ARRAY_SIZE(dr); k++)
		CHECK(!ok[k]);
}

static void
wire_vouch_one_drop_per_arrival(void)
{
	const uint64_t ms = 1000000;
	struct pc_wire_seen arr[] = { { 10 * ms, 0 } };			/* length not known */
	struct pc_wire_seen dr[] = { { 10 * ms + 5000, 1500 }, { 10 * ms + 100, 64 }, { 10 * ms, 0 } };
	struct pc_wire_seen vlan_arr[] = { { 20 * ms, 100 } }, vlan_dr[] = { { 20 * ms + 10, 104 } };
	bool ok[3];

	pc_wire_vouch(arr, 1, dr, 3, 2 * ms, ok);
	CHECK(!ok[0]);
	CHECK(!ok[1]);
	CHECK(ok[2]);		/* the nearest; an arrival vouches for one drop */
	pc_wire_vouch(vlan_arr, 1, vlan_dr, 1, 2 * ms, ok);
	CHECK(ok[0]);		/* skb->len still counts a VLAN tag the tap skipped */
	pc_wire_vouch(vlan_arr, 1, dr, 0, 2 * ms, ok);	/* no drops: nothing to do */
}

int
main(void)
{
	RUN(tcp_connected_wire_and_socket);
	RUN(tcp_connected_socket_only);
	RUN(tcp_connected_wire_disagrees);
	RUN(tcp_refused_rst);
	RUN(tcp_icmp_from_router_each_type);
	RUN(tcp_neigh_failure_old_order_is_not_success);
	RUN(tcp_neigh_failure_v4);
	RUN(tcp_neigh_failure_v6);
	RUN(tcp_writable_not_connected);
	RUN(tcp_host_unreach_from_router_old_order);
	RUN(tcp_silence);
	RUN(tcp_answer_dropped_on_the_way_in);
	RUN(tcp_late_icmp_after_timeout);
	RUN(tcp_late_drop_after_rst);
	RUN(tcp_connect_fails_at_once);
	RUN(udp_reply);
	RUN(udp_refused_by_destination);
	RUN(icmp_other_reply_then_silence);
	RUN(icmp_echo_reply_dropped_on_the_way_in);
	RUN(icmp_neigh_failure);
	RUN(udp_send_fails);
	RUN(record_overflow);
	RUN(wire_vouch_nearest_of_its_length);
	RUN(wire_vouch_one_drop_per_arrival);
	return tap_done();
}
