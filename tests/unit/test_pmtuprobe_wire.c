/*
 * test_pmtuprobe_wire: probe packets (sizes, checksums, sequence) and the matching of
 * answers to the probe in flight: quoted payloads, error-queue entries, echo replies,
 * SYN-ACK / RST, first fragments of replies.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <linux/errqueue.h>

#include "icmperr.h"
#include "../../cmd/pmtuprobe/pmtuprobe.h"
#include "tap.h"

static uint8_t buf[2048];

static void
addr(struct pp_addr *a, const char *s)
{
	if (strchr(s, ':')) {
		struct in6_addr in6;

		inet_pton(AF_INET6, s, &in6);
		pp_addr_set(a, AF_INET6, &in6, 16);
	} else {
		struct in_addr in;

		inet_pton(AF_INET, s, &in);
		pp_addr_set(a, AF_INET, &in, 4);
	}
}

static void
prober(struct pm_prober *p, int family, enum pm_proto proto)
{
	memset(p, 0, sizeof(*p));
	p->family = family;
	p->proto = proto;
	p->port = proto == PM_PROTO_TCP ? 80 : 33434;
	p->sport = 40000;
	p->id = 0x1234;
	p->seq = 77;
	if (family == AF_INET6) {
		addr(&p->dst, "2001:db8:2::2");
		addr(&p->src, "2001:db8:1::2");
	} else {
		addr(&p->dst, "203.0.113.2");
		addr(&p->src, "198.51.100.2");
	}
	p->hdr = (family == AF_INET6 ? 40 : 20) + (proto == PM_PROTO_TCP ? 20 : 8);
}

/* One's-complement sum folded: 0xffff over data whose checksum is right. */
static uint16_t
fold(const uint8_t *d, size_t len, uint32_t sum)
{
	for (size_t i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)(d[i] << 8 | d[i + 1]);
	if (len & 1)
		sum += (uint32_t)(d[len - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

static void
udp_payload_size_and_seq(void)
{
	struct pm_prober p;
	size_t n;

	prober(&p, AF_INET, PM_PROTO_UDP);
	n = pm_wire_build(&p, buf, 1500);
	CHECK_EQ_INT(n, 1472);		/* 1500 - 20 - 8 */
	CHECK(pm_wire_quoted_matches(&p, buf, n));
	p.seq = 78;			/* a later probe: the old one's quote no longer matches */
	CHECK(!pm_wire_quoted_matches(&p, buf, n));
	CHECK(pm_wire_quoted_matches(&p, buf, 4));	/* too little quoted to tell: taken */
	prober(&p, AF_INET6, PM_PROTO_UDP);
	CHECK_EQ_INT(pm_wire_build(&p, buf, 1280), 1232);	/* 1280 - 40 - 8 */
}

static void
icmp_echo_checksum(void)
{
	struct pm_prober p;
	size_t n;

	prober(&p, AF_INET, PM_PROTO_ICMP);
	n = pm_wire_build(&p, buf, 1500);
	CHECK_EQ_INT(n, 1480);		/* ICMP header + payload */
	CHECK_EQ_INT(buf[0], ICMP_ECHO);
	CHECK_EQ_INT(fold(buf, n, 0), 0xffff);
	n = pm_wire_build(&p, buf, 69);	/* odd length */
	CHECK_EQ_INT(fold(buf, n, 0), 0xffff);
	CHECK(pm_wire_quoted_matches(&p, buf, 8));
	buf[7] ^= 1;
	CHECK(!pm_wire_quoted_matches(&p, buf, 8));
	prober(&p, AF_INET6, PM_PROTO_ICMP);
	pm_wire_build(&p, buf, 1280);
	CHECK_EQ_INT(buf[0], ICMP6_ECHO_REQUEST);
}

static void
tcp_syn_checksum(void)
{
	struct pm_prober p;
	uint32_t ph = 0;
	size_t n;

	prober(&p, AF_INET, PM_PROTO_TCP);
	n = pm_wire_build(&p, buf, 1500);
	CHECK_EQ_INT(n, 1480);
	CHECK_EQ_INT(buf[13], 0x02);	/* SYN */
	CHECK_EQ_INT(buf[12] >> 4, 5);
	CHECK_EQ_INT(buf[2] << 8 | buf[3], 80);
	/* pseudo-header: src, dst, proto, length */
	ph += fold((const uint8_t *)&p.src.u.v4, 4, 0);
	ph += fold((const uint8_t *)&p.dst.u.v4, 4, 0);
	ph += IPPROTO_TCP + (uint32_t)n;
	CHECK_EQ_INT(fold(buf, n, ph), 0xffff);
	CHECK(pm_wire_quoted_matches(&p, buf, 8));
	p.seq++;
	CHECK(!pm_wire_quoted_matches(&p, buf, 8));
}

static void
error_entries(void)
{
	struct pm_prober p;
	struct pp_icmperr ie = { 0 };
	struct pm_probe out = { 0 };
	char b[64];
	size_t n;

	prober(&p, AF_INET, PM_PROTO_UDP);
	n = pm_wire_build(&p, buf, 1500);
	ie.family = AF_INET;
	ie.origin = SO_EE_ORIGIN_ICMP;
	ie.kind = PP_ICMPERR_PTB;
	ie.info = 1280;
	ie.has_offender = true;
	addr(&ie.offender, "198.51.100.1");
	ie.has_dst = true;
	ie.dst = p.dst;
	CHECK(pm_wire_from_error(&p, &ie, buf, n, &out));
	CHECK_EQ_INT(out.answer, PM_A_PTB);
	CHECK_EQ_INT(out.mtu, 1280);
	CHECK_STR(pp_addr_str(&out.from, b, sizeof(b)), "198.51.100.1");
	/* Port unreachable from the destination: reached. */
	ie.kind = PP_ICMPERR_PORT;
	ie.offender = p.dst;
	CHECK(pm_wire_from_error(&p, &ie, buf, n, &out));
	CHECK_EQ_INT(out.answer, PM_A_REACHED);
	/* About another destination: not ours. */
	addr(&ie.dst, "203.0.113.9");
	CHECK(!pm_wire_from_error(&p, &ie, buf, n, &out));
	/* About an earlier probe: not this one. */
	ie.dst = p.dst;
	p.seq++;
	CHECK(!pm_wire_from_error(&p, &ie, buf, n, &out));
	/* Local EMSGSIZE carries no quote and no destination check. */
	memset(&ie, 0, sizeof(ie));
	ie.origin = SO_EE_ORIGIN_LOCAL;
	ie.kind = PP_ICMPERR_LOCAL_MSGSIZE;
	ie.info = 1500;
	CHECK(pm_wire_from_error(&p, &ie, NULL, 0, &out));
	CHECK_EQ_INT(out.answer, PM_A_LOCAL_MSGSIZE);
	CHECK_EQ_INT(out.mtu, 1500);
}

static void
echo_replies(void)
{
	struct pm_prober p;
	struct pm_probe out = { 0 };
	uint8_t r[64] = { 0 };

	prober(&p, AF_INET, PM_PROTO_ICMP);
	r[0] = 0x45;			/* raw IPv4 sockets deliver the IP header */
	r[20] = ICMP_ECHOREPLY;
	r[24] = 0x12; r[25] = 0x34;	/* id */
	r[26] = 0; r[27] = 77;		/* seq */
	CHECK(pm_wire_reply(&p, r, 48, &p.dst, &out));
	CHECK_EQ_INT(out.answer, PM_A_REACHED);
	r[25] = 0x35;			/* someone else's ping */
	CHECK(!pm_wire_reply(&p, r, 48, &p.dst, &out));
	r[25] = 0x34;
	CHECK(!pm_wire_reply(&p, r, 27, &p.dst, &out));	/* truncated */
	CHECK(!pm_wire_reply(&p, r, 10, &p.dst, &out));
	prober(&p, AF_INET6, PM_PROTO_ICMP);
	memset(r, 0, sizeof(r));
	r[0] = ICMP6_ECHO_REPLY;	/* IPv6 raw sockets: no IP header */
	r[4] = 0x12; r[5] = 0x34; r[7] = 77;
	CHECK(pm_wire_reply(&p, r, 8, &p.dst, &out));
	r[0] = ICMP6_ECHO_REQUEST;
	CHECK(!pm_wire_reply(&p, r, 8, &p.dst, &out));
}

static void
tcp_answers(void)
{
	struct pm_prober p;
	struct pm_probe out = { 0 };
	uint8_t r[60] = { 0 };
	uint32_t ack;

	prober(&p, AF_INET, PM_PROTO_TCP);
	r[0] = 0x45;
	r[20] = 0; r[21] = 80;		/* from port 80 */
	r[22] = 0x9c; r[23] = 0x40;	/* to 40000 */
	ack = (p.seq << 8) + 1;
	r[28] = (uint8_t)(ack >> 24); r[29] = (uint8_t)(ack >> 16); r[30] = (uint8_t)(ack >> 8); r[31] = (uint8_t)ack;
	r[33] = 0x12;			/* SYN+ACK */
	CHECK(pm_wire_reply(&p, r, 40, &p.dst, &out));
	r[33] = 0x14;			/* RST+ACK */
	CHECK(pm_wire_reply(&p, r, 40, &p.dst, &out));
	r[33] = 0x10;			/* a bare ACK is no answer */
	CHECK(!pm_wire_reply(&p, r, 40, &p.dst, &out));
	r[33] = 0x12;
	r[31] ^= 0x80;			/* acks something we did not send */
	r[29] ^= 0x40;
	CHECK(!pm_wire_reply(&p, r, 40, &p.dst, &out));
	r[31] ^= 0x80; r[29] ^= 0x40;
	r[23] = 0x41;			/* another port */
	CHECK(!pm_wire_reply(&p, r, 40, &p.dst, &out));
	CHECK(!pm_wire_reply(&p, r, 39, &p.dst, &out));
}

static void
reply_fragments(void)
{
	struct pm_prober p;
	uint8_t f[64] = { 0 };

	prober(&p, AF_INET, PM_PROTO_ICMP);
	f[0] = 0x45; f[2] = 0x04; f[3] = 0xfc;	/* 1276 */
	f[6] = 0x20;				/* MF, offset 0 */
	f[9] = IPPROTO_ICMP;
	inet_pton(AF_INET, "203.0.113.2", f + 12);
	f[20] = ICMP_ECHOREPLY; f[24] = 0x12; f[25] = 0x34;	/* our echo id */
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 28), 1276);
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 27), 0);	/* the echo header cut */
	f[25] = 0x35;				/* someone else's echo reply */
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 28), 0);
	f[25] = 0x34;
	f[7] = 0x10;				/* a later fragment */
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 28), 0);
	f[7] = 0; f[6] = 0x40;			/* DF, not a fragment */
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 28), 0);
	f[6] = 0x20;
	inet_pton(AF_INET, "203.0.113.3", f + 12);	/* from someone else */
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 28), 0);
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 19), 0);

	prober(&p, AF_INET, PM_PROTO_UDP);
	inet_pton(AF_INET, "203.0.113.2", f + 12);
	f[9] = IPPROTO_UDP;
	f[20] = 0x1b; f[21] = 0x5f; f[22] = 0x9c; f[23] = 0x40;	/* 7007 -> our 40000 */
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 28), 1276);
	f[23] = 0x41;
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 28), 0);

	prober(&p, AF_INET6, PM_PROTO_ICMP);
	memset(f, 0, sizeof(f));
	f[0] = 0x60; f[4] = 0x04; f[5] = 0xd8; f[6] = 44;	/* payload 1240: 1280 */
	inet_pton(AF_INET6, "2001:db8:2::2", f + 8);
	f[40] = IPPROTO_ICMPV6; f[43] = 0x01;		/* offset 0, M */
	f[48] = ICMP6_ECHO_REPLY; f[52] = 0x12; f[53] = 0x34;
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 56), 1280);
	f[43] = 0x00;					/* the last fragment */
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 56), 0);
	f[43] = 0x01;
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 55), 0);
	f[48] = ICMP6_ECHO_REQUEST;
	CHECK_EQ_INT(pm_wire_first_fragment(&p, f, 56), 0);
}

static void
wire_ptb_is_ours(void)
{
	struct pm_prober p;
	struct pp_wire_icmp w = { 0 };

	prober(&p, AF_INET, PM_PROTO_UDP);
	w.family = AF_INET;
	w.mtu = 1280;
	w.has_inner = true;
	w.inner_dst = p.dst;
	w.inner_len = 1500;
	w.inner_proto = IPPROTO_UDP;
	w.inner_sport = p.sport;
	CHECK(pm_wire_ptb_matches(&p, &w, 1500));
	CHECK(!pm_wire_ptb_matches(&p, &w, 1492));	/* about another size: an earlier probe */
	w.inner_sport = 40001;				/* another program's datagram */
	CHECK(!pm_wire_ptb_matches(&p, &w, 1500));
	w.inner_sport = p.sport;
	addr(&w.inner_dst, "203.0.113.9");
	CHECK(!pm_wire_ptb_matches(&p, &w, 1500));
	w.inner_dst = p.dst;
	w.mtu = 0;					/* not a PTB */
	CHECK(!pm_wire_ptb_matches(&p, &w, 1500));
	prober(&p, AF_INET6, PM_PROTO_ICMP);
	memset(&w, 0, sizeof(w));
	w.mtu = 1280;
	w.has_inner = true;
	w.inner_dst = p.dst;
	w.inner_len = 1500;
	w.inner_proto = IPPROTO_ICMPV6;
	w.inner_icmp_id = p.id;
	CHECK(pm_wire_ptb_matches(&p, &w, 1500));
	w.inner_icmp_id = (uint16_t)(p.id + 1);		/* someone else's ping */
	CHECK(!pm_wire_ptb_matches(&p, &w, 1500));
	prober(&p, AF_INET, PM_PROTO_TCP);
	w.inner_proto = IPPROTO_TCP;
	w.inner_sport = p.sport;
	w.inner_dst = p.dst;
	CHECK(pm_wire_ptb_matches(&p, &w, 1500));
}

int
main(void)
{
	RUN(udp_payload_size_and_seq);
	RUN(icmp_echo_checksum);
	RUN(tcp_syn_checksum);
	RUN(error_entries);
	RUN(echo_replies);
	RUN(tcp_answers);
	RUN(reply_fragments);
	RUN(wire_ptb_is_ours);
	return tap_done();
}
