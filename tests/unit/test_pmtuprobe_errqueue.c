/*
 * test_pmtuprobe_errqueue: the error-queue decoder (common/icmperr) and the ICMP
 * wire decoder (common/pcap) on built messages: PTB, time exceeded, port
 * unreachable, local EMSGSIZE; short, truncated and unknown control messages.
 */
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <linux/errqueue.h>
#include <pcap/dlt.h>

#include "icmperr.h"
#include "pcap.h"
#include "tap.h"

union ctl {
	struct cmsghdr align;
	unsigned char buf[512];
};

/* A message with one control message of level/type carrying ee (+ offender when off != NULL). */
static void
build(struct msghdr *msg, union ctl *c, int level, int type, const struct sock_extended_err *ee,
      size_t eelen, const void *off, size_t offlen, const void *name, socklen_t namelen)
{
	struct cmsghdr *cm;

	memset(msg, 0, sizeof(*msg));
	memset(c, 0, sizeof(*c));
	msg->msg_control = c->buf;
	msg->msg_controllen = CMSG_SPACE(eelen + offlen);
	cm = CMSG_FIRSTHDR(msg);
	cm->cmsg_level = level;
	cm->cmsg_type = type;
	cm->cmsg_len = CMSG_LEN(eelen + offlen);
	memcpy(CMSG_DATA(cm), ee, eelen);
	if (off)
		memcpy(CMSG_DATA(cm) + eelen, off, offlen);
	msg->msg_name = (void *)name;
	msg->msg_namelen = namelen;
}

static struct sockaddr_in
sin4(const char *a, uint16_t port)
{
	struct sockaddr_in s = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, a, &s.sin_addr);
	return s;
}

static struct sockaddr_in6
sin6(const char *a, uint16_t port)
{
	struct sockaddr_in6 s = { .sin6_family = AF_INET6, .sin6_port = htons(port) };

	inet_pton(AF_INET6, a, &s.sin6_addr);
	return s;
}

static void
v4_frag_needed(void)
{
	struct sock_extended_err ee = { .ee_errno = EMSGSIZE, .ee_origin = SO_EE_ORIGIN_ICMP,
					.ee_type = ICMP_DEST_UNREACH, .ee_code = ICMP_FRAG_NEEDED,
					.ee_info = 1280 };
	struct sockaddr_in off = sin4("198.51.100.1", 0), dst = sin4("203.0.113.2", 33434);
	struct msghdr msg;
	union ctl c;
	struct pp_icmperr e;
	char b[64];

	build(&msg, &c, SOL_IP, IP_RECVERR, &ee, sizeof(ee), &off, sizeof(off), &dst, sizeof(dst));
	CHECK_EQ_INT(pp_icmperr_decode(&msg, 100, &e), 0);
	CHECK_EQ_INT(e.family, AF_INET);
	CHECK_EQ_INT(e.kind, PP_ICMPERR_PTB);
	CHECK_EQ_INT(e.info, 1280);
	CHECK(e.has_offender);
	CHECK_STR(pp_addr_str(&e.offender, b, sizeof(b)), "198.51.100.1");
	CHECK(e.has_dst);
	CHECK_STR(pp_addr_str(&e.dst, b, sizeof(b)), "203.0.113.2");
	CHECK_EQ_INT(e.dst_port, 33434);
	CHECK_EQ_INT(e.quoted_len, 100);
	CHECK_STR(pp_icmperr_kind_name(e.kind), "ptb");
}

static void
v6_packet_too_big(void)
{
	struct sock_extended_err ee = { .ee_errno = EMSGSIZE, .ee_origin = SO_EE_ORIGIN_ICMP6,
					.ee_type = ICMP6_PACKET_TOO_BIG, .ee_info = 1280 };
	struct sockaddr_in6 off = sin6("2001:db8:1::1", 0), dst = sin6("2001:db8:2::2", 33434);
	struct msghdr msg;
	union ctl c;
	struct pp_icmperr e;
	char b[64];

	build(&msg, &c, SOL_IPV6, IPV6_RECVERR, &ee, sizeof(ee), &off, sizeof(off), &dst, sizeof(dst));
	CHECK_EQ_INT(pp_icmperr_decode(&msg, 0, &e), 0);
	CHECK_EQ_INT(e.family, AF_INET6);
	CHECK_EQ_INT(e.kind, PP_ICMPERR_PTB);
	CHECK_EQ_INT(e.info, 1280);
	CHECK_STR(pp_addr_str(&e.offender, b, sizeof(b)), "2001:db8:1::1");
	CHECK_STR(pp_addr_str(&e.dst, b, sizeof(b)), "2001:db8:2::2");
}

static void
classify_table(void)
{
	CHECK_EQ_INT(pp_icmperr_classify(AF_INET, SO_EE_ORIGIN_ICMP, EHOSTUNREACH, ICMP_TIME_EXCEEDED, 0), PP_ICMPERR_TTL);
	CHECK_EQ_INT(pp_icmperr_classify(AF_INET, SO_EE_ORIGIN_ICMP, ECONNREFUSED, 3, 3), PP_ICMPERR_PORT);
	CHECK_EQ_INT(pp_icmperr_classify(AF_INET, SO_EE_ORIGIN_ICMP, EHOSTUNREACH, 3, 1), PP_ICMPERR_UNREACH);
	CHECK_EQ_INT(pp_icmperr_classify(AF_INET, SO_EE_ORIGIN_ICMP, EACCES, 3, 13), PP_ICMPERR_PROHIBITED);
	CHECK_EQ_INT(pp_icmperr_classify(AF_INET6, SO_EE_ORIGIN_ICMP6, EHOSTUNREACH, 3, 0), PP_ICMPERR_TTL);
	CHECK_EQ_INT(pp_icmperr_classify(AF_INET6, SO_EE_ORIGIN_ICMP6, ECONNREFUSED, 1, 4), PP_ICMPERR_PORT);
	CHECK_EQ_INT(pp_icmperr_classify(AF_INET6, SO_EE_ORIGIN_ICMP6, EACCES, 1, 1), PP_ICMPERR_PROHIBITED);
	CHECK_EQ_INT(pp_icmperr_classify(AF_INET, SO_EE_ORIGIN_LOCAL, EMSGSIZE, 0, 0), PP_ICMPERR_LOCAL_MSGSIZE);
	CHECK_EQ_INT(pp_icmperr_classify(AF_INET, SO_EE_ORIGIN_LOCAL, ENOBUFS, 0, 0), PP_ICMPERR_LOCAL);
	/* An IPv4 error on an AF_INET6 socket (mapped address) comes under SOL_IPV6. */
	CHECK_EQ_INT(pp_icmperr_classify(AF_INET6, SO_EE_ORIGIN_ICMP, EMSGSIZE, 3, 4), PP_ICMPERR_PTB);
	CHECK_EQ_INT(pp_icmperr_classify(AF_INET, SO_EE_ORIGIN_TIMESTAMPING, 0, 0, 0), PP_ICMPERR_OTHER);
}

static void
local_emsgsize_no_offender(void)
{
	struct sock_extended_err ee = { .ee_errno = EMSGSIZE, .ee_origin = SO_EE_ORIGIN_LOCAL, .ee_info = 1500 };
	struct sockaddr_in zero = { .sin_family = AF_INET };
	struct msghdr msg;
	union ctl c;
	struct pp_icmperr e;

	build(&msg, &c, SOL_IP, IP_RECVERR, &ee, sizeof(ee), &zero, sizeof(zero), NULL, 0);
	CHECK_EQ_INT(pp_icmperr_decode(&msg, 0, &e), 0);
	CHECK_EQ_INT(e.kind, PP_ICMPERR_LOCAL_MSGSIZE);
	CHECK_EQ_INT(e.info, 1500);
	CHECK(!e.has_offender);		/* 0.0.0.0 is no offender */
	CHECK(!e.has_dst);
}

static void
short_and_truncated(void)
{
	struct sock_extended_err ee = { .ee_errno = EMSGSIZE, .ee_origin = SO_EE_ORIGIN_ICMP,
					.ee_type = 3, .ee_code = 4, .ee_info = 1400 };
	struct sockaddr_in off = sin4("198.51.100.1", 0);
	struct msghdr msg;
	union ctl c;
	struct pp_icmperr e;

	/* Shorter than the fixed part of sock_extended_err: refused. */
	build(&msg, &c, SOL_IP, IP_RECVERR, &ee, 6, NULL, 0, NULL, 0);
	CHECK_EQ_INT(pp_icmperr_decode(&msg, 0, &e), -EBADMSG);
	/* The struct whole, the offender cut short: decoded, no offender. */
	build(&msg, &c, SOL_IP, IP_RECVERR, &ee, sizeof(ee), &off, 4, NULL, 0);
	CHECK_EQ_INT(pp_icmperr_decode(&msg, 0, &e), 0);
	CHECK_EQ_INT(e.kind, PP_ICMPERR_PTB);
	CHECK(!e.has_offender);
	/* A control message longer than the buffer it is in: refused, not read past. */
	build(&msg, &c, SOL_IP, IP_RECVERR, &ee, sizeof(ee), &off, sizeof(off), NULL, 0);
	msg.msg_controllen = CMSG_LEN(sizeof(ee));
	CHECK_EQ_INT(pp_icmperr_decode(&msg, 0, &e), -EBADMSG);
	/* msg_name too short for its family. */
	build(&msg, &c, SOL_IP, IP_RECVERR, &ee, sizeof(ee), NULL, 0, &off, 3);
	CHECK_EQ_INT(pp_icmperr_decode(&msg, 0, &e), 0);
	CHECK(!e.has_dst);
}

static void
unknown_cmsg_and_none(void)
{
	struct sock_extended_err ee = { .ee_errno = EMSGSIZE };
	struct msghdr msg;
	union ctl c;
	struct pp_icmperr e;
	int ttl = 64;

	build(&msg, &c, SOL_IP, IP_TTL, (const struct sock_extended_err *)(const void *)&ttl, sizeof(ttl), NULL, 0, NULL, 0);
	CHECK_EQ_INT(pp_icmperr_decode(&msg, 0, &e), -ENOMSG);
	memset(&msg, 0, sizeof(msg));
	CHECK_EQ_INT(pp_icmperr_decode(&msg, 0, &e), -ENOMSG);
	(void)ee;
}

static void
unknown_cmsg_before_the_error(void)
{
	struct sock_extended_err ee = { .ee_errno = EHOSTUNREACH, .ee_origin = SO_EE_ORIGIN_ICMP,
					.ee_type = ICMP_TIME_EXCEEDED };
	struct sockaddr_in off = sin4("198.51.100.1", 0);
	struct msghdr msg = { 0 };
	union ctl c;
	struct cmsghdr *cm;
	struct pp_icmperr e;
	int ttl = 63;

	memset(&c, 0, sizeof(c));
	msg.msg_control = c.buf;
	msg.msg_controllen = CMSG_SPACE(sizeof(ttl)) + CMSG_SPACE(sizeof(ee) + sizeof(off));
	cm = CMSG_FIRSTHDR(&msg);
	cm->cmsg_level = SOL_IP;
	cm->cmsg_type = IP_TTL;
	cm->cmsg_len = CMSG_LEN(sizeof(ttl));
	memcpy(CMSG_DATA(cm), &ttl, sizeof(ttl));
	cm = CMSG_NXTHDR(&msg, cm);
	cm->cmsg_level = SOL_IP;
	cm->cmsg_type = IP_RECVERR;
	cm->cmsg_len = CMSG_LEN(sizeof(ee) + sizeof(off));
	memcpy(CMSG_DATA(cm), &ee, sizeof(ee));
	memcpy(CMSG_DATA(cm) + sizeof(ee), &off, sizeof(off));
	CHECK_EQ_INT(pp_icmperr_decode(&msg, 0, &e), 0);
	CHECK_EQ_INT(e.kind, PP_ICMPERR_TTL);
	CHECK(e.has_offender);
}

/* ---- the wire decoder ---- */

static size_t
ipv4_frag_needed(uint8_t *p, uint16_t mtu)
{
	/* outer IPv4 (20) + ICMP (8) + inner IPv4 (20) + UDP (8) */
	memset(p, 0, 56);
	p[0] = 0x45; p[2] = 0; p[3] = 56; p[8] = 64; p[9] = IPPROTO_ICMP;
	inet_pton(AF_INET, "198.51.100.1", p + 12);
	inet_pton(AF_INET, "198.51.100.2", p + 16);
	p[20] = ICMP_DEST_UNREACH; p[21] = ICMP_FRAG_NEEDED;
	p[26] = (uint8_t)(mtu >> 8); p[27] = (uint8_t)mtu;
	uint8_t *in = p + 28;
	in[0] = 0x45; in[2] = 0x05; in[3] = 0xdc; in[6] = 0x40; in[8] = 63; in[9] = IPPROTO_UDP;
	inet_pton(AF_INET, "198.51.100.2", in + 12);
	inet_pton(AF_INET, "203.0.113.2", in + 16);
	in[20] = 0x9c; in[21] = 0x40; in[22] = 0x82; in[23] = 0x9a;	/* 40000 -> 33434 */
	return 56;
}

static void
wire_v4_frag_needed(void)
{
	uint8_t p[64];
	size_t len = ipv4_frag_needed(p, 1280);
	struct pp_wire_icmp w;
	char b[64];

	CHECK_EQ_INT(pp_pcap_icmp_decode(p, len, &w), 0);
	CHECK_EQ_INT(w.family, AF_INET);
	CHECK_EQ_INT(w.mtu, 1280);
	CHECK_STR(pp_addr_str(&w.src, b, sizeof(b)), "198.51.100.1");
	CHECK(w.has_inner);
	CHECK_STR(pp_addr_str(&w.inner_dst, b, sizeof(b)), "203.0.113.2");
	CHECK_EQ_INT(w.inner_proto, IPPROTO_UDP);
	CHECK_EQ_INT(w.inner_len, 1500);
	CHECK_EQ_INT(w.inner_sport, 40000);
	CHECK_EQ_INT(w.inner_dport, 33434);
	/* Every truncation is refused or decoded without the inner part, never read past. */
	for (size_t l = 0; l < len; l++) {
		int rc = pp_pcap_icmp_decode(p, l, &w);

		CHECK(rc == -EBADMSG || rc == 0);
		if (rc == 0 && l < 48)
			CHECK(!w.has_inner);
	}
	/* Not an error: an echo reply. */
	p[20] = ICMP_ECHOREPLY;
	CHECK_EQ_INT(pp_pcap_icmp_decode(p, len, &w), -ENOMSG);
	/* Not ICMP. */
	p[9] = IPPROTO_UDP;
	CHECK_EQ_INT(pp_pcap_icmp_decode(p, len, &w), -ENOMSG);
}

static void
wire_v6_ptb(void)
{
	uint8_t p[96] = { 0 };
	struct pp_wire_icmp w;
	char b[64];

	p[0] = 0x60; p[5] = 48; p[6] = IPPROTO_ICMPV6; p[7] = 64;
	inet_pton(AF_INET6, "2001:db8:1::1", p + 8);
	inet_pton(AF_INET6, "2001:db8:1::2", p + 24);
	p[40] = ICMP6_PACKET_TOO_BIG;
	p[46] = 0x05; p[47] = 0x00;		/* 1280 */
	p[48] = 0x60; p[52] = 0x05; p[53] = 0xb4; p[54] = IPPROTO_UDP;	/* payload 1460 */
	inet_pton(AF_INET6, "2001:db8:1::2", p + 56);
	inet_pton(AF_INET6, "2001:db8:2::2", p + 72);
	CHECK_EQ_INT(pp_pcap_icmp_decode(p, 88, &w), 0);
	CHECK_EQ_INT(w.family, AF_INET6);
	CHECK_EQ_INT(w.type, ICMP6_PACKET_TOO_BIG);
	CHECK_EQ_INT(w.mtu, 1280);
	CHECK(w.has_inner);
	CHECK_STR(pp_addr_str(&w.inner_dst, b, sizeof(b)), "2001:db8:2::2");
	CHECK_EQ_INT(w.inner_len, 1500);
	CHECK_EQ_INT(pp_pcap_icmp_decode(p, 47, &w), -EBADMSG);
	CHECK_EQ_INT(pp_pcap_icmp_decode(p, 39, &w), -EBADMSG);
	p[40] = ICMP6_ECHO_REPLY;
	CHECK_EQ_INT(pp_pcap_icmp_decode(p, 88, &w), -ENOMSG);
}

static void
link_headers(void)
{
	uint8_t f[64] = { 0 };
	uint16_t et = 0;

	f[12] = 0x08; f[13] = 0x00;
	CHECK_EQ_INT(pp_pcap_l3_offset(DLT_EN10MB, f, 34, &et), 14);
	CHECK_EQ_INT(et, 0x0800);
	/* One 802.1Q tag, then IPv6. */
	f[12] = 0x81; f[13] = 0x00; f[16] = 0x86; f[17] = 0xdd;
	CHECK_EQ_INT(pp_pcap_l3_offset(DLT_EN10MB, f, 60, &et), 18);
	CHECK_EQ_INT(et, 0x86dd);
	CHECK_EQ_INT(pp_pcap_l3_offset(DLT_EN10MB, f, 16, &et), -EBADMSG);
	CHECK_EQ_INT(pp_pcap_l3_offset(DLT_EN10MB, f, 10, &et), -EBADMSG);
	/* ARP is not ours. */
	f[12] = 0x08; f[13] = 0x06;
	CHECK_EQ_INT(pp_pcap_l3_offset(DLT_EN10MB, f, 42, &et), -EPROTONOSUPPORT);
	/* Linux cooked capture. */
	memset(f, 0, sizeof(f));
	f[14] = 0x08; f[15] = 0x00;
	CHECK_EQ_INT(pp_pcap_l3_offset(DLT_LINUX_SLL, f, 36, &et), 16);
	f[0] = 0x60;
	CHECK_EQ_INT(pp_pcap_l3_offset(DLT_RAW, f, 40, &et), 0);
	CHECK_EQ_INT(et, 0x86dd);
	CHECK_EQ_INT(pp_pcap_l3_offset(DLT_IEEE802_11, f, 40, &et), -EPROTONOSUPPORT);
}

static void
ptb_filters(void)
{
	CHECK(strstr(pp_pcap_ptb_filter(AF_INET), "icmp[1] == 4") != NULL);
	CHECK(strstr(pp_pcap_ptb_filter(AF_INET6), "ip6[40] == 2") != NULL);
}

int
main(void)
{
	RUN(v4_frag_needed);
	RUN(v6_packet_too_big);
	RUN(classify_table);
	RUN(local_emsgsize_no_offender);
	RUN(short_and_truncated);
	RUN(unknown_cmsg_and_none);
	RUN(unknown_cmsg_before_the_error);
	RUN(wire_v4_frag_needed);
	RUN(wire_v6_ptb);
	RUN(link_headers);
	RUN(ptb_filters);
	return tap_done();
}
