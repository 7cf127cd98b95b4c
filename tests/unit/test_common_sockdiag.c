/*
 * test_common_sockdiag.c: pp_sock_decode on inet_diag_msg replies laid out as
 * inet_sk_diag_fill() does, and pp_sock_dump against a fake kernel on a
 * socketpair: the request it sends, its port bytecode run through the kernel's
 * audit and filter rules, and the unfiltered retry when the bytecode is refused.
 */
#include <arpa/inet.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "sockdiag.h"
#include "test_common_msg.h"

#define PORTID 4242u

static struct inet_diag_msg *
diag_start(struct tmsg *m, struct nlmsghdr **nlhp, int family, uint8_t state, const char *src,
	   uint16_t sport, const char *dst, uint16_t dport)
{
	struct inet_diag_msg *r;
	void *h;

	*nlhp = tmsg_start(m, SOCK_DIAG_BY_FAMILY, sizeof(*r), &h);
	r = h;
	r->idiag_family = (uint8_t)family;
	r->idiag_state = state;
	r->id.idiag_sport = htons(sport);
	r->id.idiag_dport = htons(dport);
	inet_pton(family, src, r->id.idiag_src);
	inet_pton(family, dst, r->id.idiag_dst);
	r->id.idiag_cookie[0] = 0x1234;
	r->id.idiag_cookie[1] = 0;
	r->idiag_uid = 1000;
	r->idiag_inode = 424242;
	/* Every reply starts with INET_DIAG_SHUTDOWN (inet_diag_msg_attrs_fill()). */
	mnl_attr_put_u8(*nlhp, INET_DIAG_SHUTDOWN, 0);
	return r;
}

static struct nlmsghdr *
build_v4_listener(struct tmsg *m)
{
	struct nlmsghdr *nlh;
	struct inet_diag_msg *r = diag_start(m, &nlh, AF_INET, TCP_LISTEN, "127.0.0.1", 8080,
					     "0.0.0.0", 0);

	r->idiag_rqueue = 3;	/* sk_ack_backlog */
	r->idiag_wqueue = 128;	/* sk_max_ack_backlog */
	return nlh;
}

static struct nlmsghdr *
build_v6_listener(struct tmsg *m, int v6only)
{
	struct nlmsghdr *nlh;
	struct inet_diag_msg *r = diag_start(m, &nlh, AF_INET6, TCP_LISTEN, "::", 7070, "::", 0);

	r->idiag_wqueue = 4096;
	if (v6only >= 0)
		mnl_attr_put_u8(nlh, INET_DIAG_SKV6ONLY, (uint8_t)v6only);
	return nlh;
}

static void
test_sock_v4_listener(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4_listener(&m);
	struct pp_sock s;
	char a[INET6_ADDRSTRLEN];

	CHECK_EQ_INT(TDECODE(pp_sock_decode, nlh, &s), 0);
	CHECK_EQ_INT(s.family, AF_INET);
	CHECK_EQ_INT(s.state, TCP_LISTEN);
	CHECK_EQ_INT(s.proto, 0);	/* not in the message: the dump fills it */
	CHECK_EQ_INT(s.src.family, AF_INET);
	CHECK_STR(pp_addr_str(&s.src, a, sizeof(a)), "127.0.0.1");
	CHECK_STR(pp_addr_str(&s.dst, a, sizeof(a)), "0.0.0.0");
	CHECK_EQ_INT(s.sport, 8080);
	CHECK_EQ_INT(s.dport, 0);
	CHECK_EQ_INT(s.ifindex, 0);
	CHECK_EQ_INT(s.rqueue, 3);
	CHECK_EQ_INT(s.wqueue, 128);
	CHECK_EQ_INT(s.uid, 1000);
	CHECK_EQ_INT(s.inode, 424242);
	CHECK(!s.has_v6only && !s.v6only);
}

static void
test_sock_v6_listener_v6only(void)
{
	struct tmsg m;
	struct pp_sock s;
	char a[INET6_ADDRSTRLEN];

	CHECK_EQ_INT(TDECODE(pp_sock_decode, build_v6_listener(&m, 0), &s), 0);
	CHECK_EQ_INT(s.family, AF_INET6);
	CHECK_EQ_INT(s.src.family, AF_INET6);
	CHECK_STR(pp_addr_str(&s.src, a, sizeof(a)), "::");
	CHECK_EQ_INT(s.sport, 7070);
	CHECK_EQ_INT(s.wqueue, 4096);
	CHECK(s.has_v6only && !s.v6only);	/* dual-stack: takes IPv4 too */

	CHECK_EQ_INT(TDECODE(pp_sock_decode, build_v6_listener(&m, 1), &s), 0);
	CHECK(s.has_v6only && s.v6only);

	CHECK_EQ_INT(TDECODE(pp_sock_decode, build_v6_listener(&m, -1), &s), 0);
	CHECK(!s.has_v6only && !s.v6only);
}

static void
test_sock_v6_established(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct inet_diag_msg *r = diag_start(&m, &nlh, AF_INET6, TCP_ESTABLISHED, "2001:db8::1",
					     443, "2001:db8:1::2", 51515);
	struct pp_sock s;
	char a[INET6_ADDRSTRLEN];
	uint8_t info[232] = { 0 };	/* tcp_info: opaque to us */

	r->id.idiag_if = 7;
	r->idiag_rqueue = 10;
	r->idiag_wqueue = 20;
	mnl_attr_put(nlh, INET_DIAG_INFO, sizeof(info), info);
	CHECK_EQ_INT(TDECODE(pp_sock_decode, nlh, &s), 0);
	CHECK_EQ_INT(s.state, TCP_ESTABLISHED);
	CHECK_STR(pp_addr_str(&s.src, a, sizeof(a)), "2001:db8::1");
	CHECK_STR(pp_addr_str(&s.dst, a, sizeof(a)), "2001:db8:1::2");
	CHECK_EQ_INT(s.sport, 443);
	CHECK_EQ_INT(s.dport, 51515);
	CHECK_EQ_INT(s.ifindex, 7);
	CHECK_EQ_INT(s.rqueue, 10);
	CHECK_EQ_INT(s.wqueue, 20);
}

static void
test_sock_udp_and_protocol_attr(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_sock s;

	diag_start(&m, &nlh, AF_INET, TCP_CLOSE, "198.51.100.1", 53, "0.0.0.0", 0);
	mnl_attr_put_u8(nlh, INET_DIAG_PROTOCOL, IPPROTO_UDP);
	CHECK_EQ_INT(TDECODE(pp_sock_decode, nlh, &s), 0);
	CHECK_EQ_INT(s.state, TCP_CLOSE);
	CHECK_EQ_INT(s.proto, IPPROTO_UDP);
	CHECK_EQ_INT(s.sport, 53);
}

static void
test_sock_short_header(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4_listener(&m);
	struct pp_sock s;

	CHECK_EQ_INT(TDECODE_LEN(pp_sock_decode, nlh, NLMSG_HDRLEN, &s), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_sock_decode, nlh, NLMSG_HDRLEN + 8, &s), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_sock_decode, nlh,
				 NLMSG_HDRLEN + sizeof(struct inet_diag_msg) - 1, &s), -EBADMSG);
	/* The header alone, no attributes: fine. */
	CHECK_EQ_INT(TDECODE_LEN(pp_sock_decode, nlh,
				 NLMSG_HDRLEN + sizeof(struct inet_diag_msg), &s), 0);
	CHECK_EQ_INT(s.sport, 8080);
}

static void
test_sock_bad_family(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v4_listener(&m);
	struct inet_diag_msg *r = mnl_nlmsg_get_payload(nlh);
	struct pp_sock s;

	r->idiag_family = AF_UNIX;
	CHECK_EQ_INT(TDECODE(pp_sock_decode, nlh, &s), -EBADMSG);
	r->idiag_family = 0;
	CHECK_EQ_INT(TDECODE(pp_sock_decode, nlh, &s), -EBADMSG);
}

static void
test_sock_truncated_attr(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v6_listener(&m, -1);
	uint8_t one = 1;
	struct pp_sock s;

	/* An attribute that claims more than the message holds. */
	tmsg_put_raw(nlh, INET_DIAG_SKV6ONLY, NLA_HDRLEN + 64, &one, 1);
	CHECK_EQ_INT(TDECODE(pp_sock_decode, nlh, &s), -EBADMSG);
	/* A message cut inside an attribute header. */
	nlh = build_v6_listener(&m, 1);
	CHECK_EQ_INT(TDECODE_LEN(pp_sock_decode, nlh, nlh->nlmsg_len - 6, &s), -EBADMSG);
	/* SKV6ONLY with an empty payload: wrong length for a u8. */
	nlh = build_v6_listener(&m, -1);
	tmsg_put_raw(nlh, INET_DIAG_SKV6ONLY, NLA_HDRLEN, NULL, 0);
	CHECK_EQ_INT(TDECODE(pp_sock_decode, nlh, &s), -EBADMSG);
}

static void
test_sock_unknown_attrs(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_v6_listener(&m, 1);
	uint8_t blob[13] = { 1, 2, 3 };
	struct pp_sock s;

	mnl_attr_put(nlh, 250, sizeof(blob), blob);	/* a type from a newer kernel */
	mnl_attr_put_u32(nlh, INET_DIAG_MARK, 7);
	mnl_attr_put_u64(nlh, INET_DIAG_CGROUP_ID, 99);
	CHECK_EQ_INT(TDECODE(pp_sock_decode, nlh, &s), 0);
	CHECK(s.has_v6only && s.v6only);
	CHECK_EQ_INT(s.sport, 7070);
}

static int
fuzz_decode(const struct nlmsghdr *nlh)
{
	struct pp_sock s;

	return pp_sock_decode(nlh, &s);
}

static void
test_sock_fuzz(void)
{
	struct tmsg m;
	unsigned ok;

	ok = tfuzz(build_v6_listener(&m, 1), fuzz_decode, 20000, 7, 2000);
	CHECK(ok > 0);
	ok = tfuzz(build_v4_listener(&m), fuzz_decode, 20000, 11, 2000);
	CHECK(ok > 0);
}

/* ---- pp_sock_dump against a fake kernel ---- */

struct fake {
	struct pp_nl nl;
	int peer;
};

static bool
fake_open(struct fake *f)
{
	int sv[2];
	struct timeval tv = { .tv_usec = 300000 };

	memset(f, 0, sizeof(*f));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return false;
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (!(f->nl.sk = mnl_socket_fdopen(sv[0]))) {
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	f->nl.proto = NETLINK_SOCK_DIAG;
	f->nl.portid = PORTID;
	f->nl.buflen = 65536;
	f->nl.buf = malloc(f->nl.buflen);
	f->peer = sv[1];
	return f->nl.buf != NULL;
}

static void
fake_close(struct fake *f)
{
	pp_nl_close(&f->nl);
	close(f->peer);
}

struct dgram {
	union {
		char b[16384];
		struct nlmsghdr h;
		uint64_t align_;
	} u;
	size_t len;
};

/* Append msg (a built reply) to d with seq. */
static void
dg_add(struct dgram *d, const struct nlmsghdr *msg, uint32_t seq)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)(d->u.b + d->len);

	memcpy(nlh, msg, msg->nlmsg_len);
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORTID;
	d->len += NLMSG_ALIGN(msg->nlmsg_len);
}

static void
dg_done(struct dgram *d, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(d->u.b + d->len);
	int *p;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORTID;
	p = mnl_nlmsg_put_extra_header(nlh, sizeof(int));
	*p = 0;
	d->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* NLMSG_ERROR, capped, as netlink_ack() answers a refused dump. */
static void
dg_error(struct dgram *d, uint32_t seq, int err)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(d->u.b + d->len);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = 0x100;	/* NLM_F_CAPPED */
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORTID;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg.nlmsg_len = NLMSG_HDRLEN + sizeof(struct inet_diag_req_v2);
	e->msg.nlmsg_type = SOCK_DIAG_BY_FAMILY;
	e->msg.nlmsg_seq = seq;
	d->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

static void
fake_send(struct fake *f, const struct dgram *d)
{
	CHECK_EQ_INT(send(f->peer, d->u.b, d->len, 0), (ssize_t)d->len);
}

static bool
fake_req(struct fake *f, struct nlmsghdr *out, size_t outlen)
{
	ssize_t n = recv(f->peer, out, outlen, MSG_DONTWAIT);

	return n >= (ssize_t)NLMSG_HDRLEN && (size_t)n == out->nlmsg_len;
}

/*
 * The kernel's inet_diag_bc_audit() and inet_diag_bc_run() for the port ops,
 * restated: audit returns false where the kernel says -EINVAL; run says whether a
 * socket with local port sport matches.
 */
static bool
bc_audit(const struct inet_diag_bc_op *bc, int len)
{
	const char *p = (const char *)bc;

	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)p;
		int min_len = sizeof(*op);

		switch (op->code) {
		case INET_DIAG_BC_S_GE: case INET_DIAG_BC_S_LE:
		case INET_DIAG_BC_D_GE: case INET_DIAG_BC_D_LE:
		case INET_DIAG_BC_S_EQ: case INET_DIAG_BC_D_EQ:
			min_len += sizeof(*op);
			if (len < min_len)
				return false;
			break;
		case INET_DIAG_BC_NOP: case INET_DIAG_BC_JMP: case INET_DIAG_BC_AUTO:
			break;
		default:
			return false;
		}
		if (op->code != INET_DIAG_BC_NOP &&
		    (op->no < min_len || op->no > len + 4 || (op->no & 3)))
			return false;
		if (op->yes < min_len || op->yes > len + 4 || (op->yes & 3))
			return false;
		p += op->yes;
		len -= op->yes;
	}
	return len == 0;
}

static bool
bc_run(const struct inet_diag_bc_op *bc, int len, uint16_t sport)
{
	const char *p = (const char *)bc;

	while (len > 0) {
		const struct inet_diag_bc_op *op = (const void *)p;
		bool yes = true;

		switch (op->code) {
		case INET_DIAG_BC_S_GE: yes = sport >= op[1].no; break;
		case INET_DIAG_BC_S_LE: yes = sport <= op[1].no; break;
		case INET_DIAG_BC_S_EQ: yes = sport == op[1].no; break;
		case INET_DIAG_BC_JMP: yes = false; break;
		default: break;
		}
		p += yes ? op->yes : op->no;
		len -= yes ? op->yes : op->no;
	}
	return len == 0;
}

struct seen {
	int n;
	uint16_t ports[8];
	uint8_t protos[8];
	int fail_with;
};

static int
seen_cb(const struct pp_sock *s, void *data)
{
	struct seen *c = data;

	if (c->n < 8) {
		c->ports[c->n] = s->sport;
		c->protos[c->n] = s->proto;
	}
	c->n++;
	return c->fail_with;
}

/* The request's bytecode attribute, or NULL. */
static const struct nlattr *
req_bytecode(const struct nlmsghdr *req)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, req, sizeof(struct inet_diag_req_v2))
		if (mnl_attr_get_type(a) == INET_DIAG_REQ_BYTECODE)
			return a;
	return NULL;
}

static void
test_sock_dump_request_and_bytecode(void)
{
	struct fake f;
	struct tmsg m;
	struct dgram d = { .len = 0 };
	struct seen c = { 0 };
	struct pp_err e;
	union { char b[1024]; struct nlmsghdr h; } req;
	const struct inet_diag_req_v2 *r;
	const struct nlattr *bc;

	if (!fake_open(&f)) {
		CHECK(!"socketpair");
		return;
	}
	/* The kernel filtered: one listener on 8080 and the DONE. */
	dg_add(&d, build_v4_listener(&m), 1);
	dg_done(&d, 1);
	fake_send(&f, &d);
	CHECK_EQ_INT(pp_sock_dump(&f.nl, AF_INET, IPPROTO_TCP, 1u << TCP_LISTEN, 8080, seen_cb, &c,
				  &e), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK_EQ_INT(c.ports[0], 8080);
	CHECK_EQ_INT(c.protos[0], IPPROTO_TCP);	/* from the request */

	CHECK(fake_req(&f, &req.h, sizeof(req)));
	CHECK_EQ_INT(req.h.nlmsg_type, SOCK_DIAG_BY_FAMILY);
	CHECK((req.h.nlmsg_flags & (NLM_F_REQUEST | NLM_F_DUMP)) == (NLM_F_REQUEST | NLM_F_DUMP));
	CHECK(req.h.nlmsg_len >= NLMSG_HDRLEN + sizeof(*r));
	r = mnl_nlmsg_get_payload(&req.h);
	CHECK_EQ_INT(r->sdiag_family, AF_INET);
	CHECK_EQ_INT(r->sdiag_protocol, IPPROTO_TCP);
	CHECK_EQ_INT(r->idiag_states, 1u << TCP_LISTEN);
	bc = req_bytecode(&req.h);
	CHECK(bc != NULL);
	if (bc) {
		const struct inet_diag_bc_op *ops = mnl_attr_get_payload(bc);
		int len = (int)mnl_attr_get_payload_len(bc);

		CHECK(bc_audit(ops, len));
		CHECK(bc_run(ops, len, 8080));
		CHECK(!bc_run(ops, len, 8079));
		CHECK(!bc_run(ops, len, 8081));
		CHECK(!bc_run(ops, len, 0));
		CHECK(!bc_run(ops, len, 65535));
	}
	CHECK(!fake_req(&f, &req.h, sizeof(req)));
	fake_close(&f);
}

/* No port: no bytecode. Family 0: IPv4 then IPv6. A callback error stops the dump. */
static void
test_sock_dump_both_families(void)
{
	struct fake f;
	struct tmsg m;
	struct dgram d = { .len = 0 };
	struct seen c = { 0 };
	struct pp_err e;
	union { char b[1024]; struct nlmsghdr h; } req;

	if (!fake_open(&f)) {
		CHECK(!"socketpair");
		return;
	}
	dg_add(&d, build_v4_listener(&m), 1);
	dg_done(&d, 1);
	fake_send(&f, &d);
	d.len = 0;
	dg_add(&d, build_v6_listener(&m, 0), 2);
	dg_done(&d, 2);
	fake_send(&f, &d);
	CHECK_EQ_INT(pp_sock_dump(&f.nl, 0, IPPROTO_TCP, 1u << TCP_LISTEN, 0, seen_cb, &c, &e), 0);
	CHECK_EQ_INT(c.n, 2);
	CHECK_EQ_INT(c.ports[0], 8080);
	CHECK_EQ_INT(c.ports[1], 7070);
	CHECK(fake_req(&f, &req.h, sizeof(req)));
	CHECK_EQ_INT(((struct inet_diag_req_v2 *)mnl_nlmsg_get_payload(&req.h))->sdiag_family, AF_INET);
	CHECK(req_bytecode(&req.h) == NULL);
	CHECK(fake_req(&f, &req.h, sizeof(req)));
	CHECK_EQ_INT(((struct inet_diag_req_v2 *)mnl_nlmsg_get_payload(&req.h))->sdiag_family, AF_INET6);
	CHECK(!fake_req(&f, &req.h, sizeof(req)));

	CHECK_EQ_INT(pp_sock_dump(&f.nl, AF_UNIX, IPPROTO_TCP, ~0u, 0, seen_cb, &c, &e), -EAFNOSUPPORT);
	fake_close(&f);
}

/* The kernel refuses the bytecode: dump again without it and match the port here. */
static void
test_sock_dump_bytecode_refused(void)
{
	struct fake f;
	struct tmsg m;
	struct dgram d = { .len = 0 };
	struct seen c = { 0 };
	struct pp_err e;
	union { char b[1024]; struct nlmsghdr h; } req;

	if (!fake_open(&f)) {
		CHECK(!"socketpair");
		return;
	}
	dg_error(&d, 1, -EINVAL);
	fake_send(&f, &d);
	d.len = 0;
	dg_add(&d, build_v4_listener(&m), 2);
	dg_add(&d, build_v6_listener(&m, 0), 2);	/* port 7070: not asked for */
	dg_done(&d, 2);
	fake_send(&f, &d);
	CHECK_EQ_INT(pp_sock_dump(&f.nl, AF_INET, IPPROTO_TCP, 1u << TCP_LISTEN, 8080, seen_cb, &c,
				  &e), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK_EQ_INT(c.ports[0], 8080);
	CHECK(fake_req(&f, &req.h, sizeof(req)));
	CHECK(req_bytecode(&req.h) != NULL);
	CHECK(fake_req(&f, &req.h, sizeof(req)));
	CHECK(req_bytecode(&req.h) == NULL);
	CHECK(!fake_req(&f, &req.h, sizeof(req)));

	/* -EINVAL from the callback after a reply is not taken for a refused bytecode. */
	memset(&c, 0, sizeof(c));
	c.fail_with = -EINVAL;
	d.len = 0;
	dg_add(&d, build_v4_listener(&m), 3);
	dg_done(&d, 3);
	fake_send(&f, &d);
	CHECK_EQ_INT(pp_sock_dump(&f.nl, AF_INET, IPPROTO_TCP, 1u << TCP_LISTEN, 8080, seen_cb, &c,
				  &e), -EINVAL);
	CHECK_EQ_INT(c.n, 1);
	CHECK(fake_req(&f, &req.h, sizeof(req)));
	CHECK(!fake_req(&f, &req.h, sizeof(req)));
	fake_close(&f);
}

/* A reply that does not decode is counted and skipped. */
static void
test_sock_dump_bad_msg_counted(void)
{
	struct fake f;
	struct tmsg m;
	struct dgram d = { .len = 0 };
	struct seen c = { 0 };
	struct pp_err e;
	struct nlmsghdr *bad;

	if (!fake_open(&f)) {
		CHECK(!"socketpair");
		return;
	}
	bad = build_v4_listener(&m);
	((struct inet_diag_msg *)mnl_nlmsg_get_payload(bad))->idiag_family = AF_UNIX;
	dg_add(&d, bad, 1);
	dg_add(&d, build_v4_listener(&m), 1);
	dg_done(&d, 1);
	fake_send(&f, &d);
	CHECK_EQ_INT(pp_sock_dump(&f.nl, AF_INET, IPPROTO_TCP, ~0u, 0, seen_cb, &c, &e), 0);
	CHECK_EQ_INT(c.n, 1);
	CHECK_EQ_INT(f.nl.bad_msgs, 1);
	fake_close(&f);
}

int
main(void)
{
	RUN(test_sock_v4_listener);
	RUN(test_sock_v6_listener_v6only);
	RUN(test_sock_v6_established);
	RUN(test_sock_udp_and_protocol_attr);
	RUN(test_sock_short_header);
	RUN(test_sock_bad_family);
	RUN(test_sock_truncated_attr);
	RUN(test_sock_unknown_attrs);
	RUN(test_sock_fuzz);
	RUN(test_sock_dump_request_and_bytecode);
	RUN(test_sock_dump_both_families);
	RUN(test_sock_dump_bytecode_refused);
	RUN(test_sock_dump_bad_msg_counted);
	return tap_done();
}
