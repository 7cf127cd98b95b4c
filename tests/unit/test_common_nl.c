/*
 * test_common_nl.c: the netlink layer without a kernel. pp_nl_parse_replies() gets
 * datagrams built here; pp_nl_dump(), pp_nl_request() and pp_nl_recv_events() talk
 * to a fake kernel on the other end of an AF_UNIX SOCK_SEQPACKET pair (record
 * boundaries kept, MSG_TRUNC honoured, the netlink address of sendto() ignored).
 */
#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include <linux/rtnetlink.h>

#include "nl.h"
#include "test_common_msg.h"

#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif

#define PORTID 4242u

struct dgram {
	union {
		char b[65536 + 8192];
		struct nlmsghdr h;
		uint64_t align_;
	} u;
	size_t len;
};

static struct dgram dg;

static void
dg_reset(struct dgram *d)
{
	memset(d, 0, sizeof(*d));
}

/* Start a message at the end of the datagram; dg_end() adds it. */
static struct nlmsghdr *
dg_put(struct dgram *d, uint16_t type, uint16_t flags, uint32_t seq, uint32_t pid)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(d->u.b + d->len);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = pid;
	return nlh;
}

static void
dg_end(struct dgram *d, struct nlmsghdr *nlh)
{
	d->len += NLMSG_ALIGN(nlh->nlmsg_len);
}

/* A route message of a dump, as the kernel sends it. */
static void
dg_route(struct dgram *d, uint32_t seq, uint16_t extra_flags, uint32_t oif)
{
	struct nlmsghdr *nlh = dg_put(d, RTM_NEWROUTE, NLM_F_MULTI | extra_flags, seq, PORTID);
	struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

	rtm->rtm_family = AF_INET;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_type = RTN_UNICAST;
	mnl_attr_put_u32(nlh, RTA_OIF, oif);
	dg_end(d, nlh);
}

/* NLMSG_DONE with its errno (and an extack message when msg is not NULL). */
static void
dg_done(struct dgram *d, uint32_t seq, uint16_t extra_flags, int err, const char *msg)
{
	struct nlmsghdr *nlh = dg_put(d, NLMSG_DONE, NLM_F_MULTI | extra_flags, seq, PORTID);
	int *p = mnl_nlmsg_put_extra_header(nlh, sizeof(int));

	*p = err;
	if (msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	}
	dg_end(d, nlh);
}

/* NLMSG_ERROR as netlink_ack() writes it: capped (header only) or with the whole request. */
static void
dg_error(struct dgram *d, uint32_t seq, int err, bool capped, const char *msg, uint32_t offs)
{
	struct nlmsghdr *nlh = dg_put(d, NLMSG_ERROR, capped ? NLM_F_CAPPED : 0, seq, PORTID);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = err;
	e->msg.nlmsg_len = NLMSG_HDRLEN + sizeof(struct rtmsg) + NLA_HDRLEN + 4;
	e->msg.nlmsg_type = RTM_GETROUTE;
	e->msg.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	e->msg.nlmsg_seq = seq;
	if (!capped) {
		/* The echoed request's body: rtmsg and one RTA_DST. */
		struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
		uint8_t a[4] = { 203, 0, 113, 1 };

		rtm->rtm_family = AF_INET;
		mnl_attr_put(nlh, RTA_DST, 4, a);
	}
	if (err && msg) {
		nlh->nlmsg_flags |= NLM_F_ACK_TLVS;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
		mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, offs);
	}
	dg_end(d, nlh);
}

struct ctx {
	int count;
	int resets;
	uint32_t last_oif;
	int fail_with;
};

static int
count_cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctx *c = data;

	if (nlh->nlmsg_type == RTM_NEWROUTE) {
		const struct nlattr *a;

		mnl_attr_for_each(a, nlh, sizeof(struct rtmsg))
			if (mnl_attr_get_type(a) == RTA_OIF)
				c->last_oif = mnl_attr_get_u32(a);
	}
	c->count++;
	return c->fail_with;
}

static void
count_reset(void *data)
{
	struct ctx *c = data;

	c->count = 0;
	c->resets++;
}

static struct pp_nl
fake_nl(void)
{
	struct pp_nl nl;

	memset(&nl, 0, sizeof(nl));
	nl.proto = NETLINK_ROUTE;
	nl.portid = PORTID;
	return nl;
}

/* Parse the first len bytes of d from an exact-size heap copy. */
static int
parse_len(struct pp_nl *nl, const struct dgram *d, size_t len, uint32_t seq, struct ctx *c,
	  bool *intr, struct pp_err *e)
{
	void *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, d->u.b, len);
	if (e)
		memset(e, 0, sizeof(*e));
	rc = pp_nl_parse_replies(nl, copy, len, seq, count_cb, c, intr, e);
	free(copy);
	return rc;
}

static int
parse(struct pp_nl *nl, const struct dgram *d, uint32_t seq, struct ctx *c, bool *intr,
      struct pp_err *e)
{
	return parse_len(nl, d, d->len, seq, c, intr, e);
}

static void
test_nl_dump_two_then_done(void)
{
	struct pp_nl nl = fake_nl();
	struct ctx c = { 0 };
	struct pp_err e;
	bool intr = false;

	dg_reset(&dg);
	dg_route(&dg, 7, 0, 1);
	dg_route(&dg, 7, 0, 2);
	dg_done(&dg, 7, 0, 0, NULL);
	CHECK_EQ_INT(parse(&nl, &dg, 7, &c, &intr, &e), 1);
	CHECK_EQ_INT(c.count, 2);
	CHECK_EQ_INT(c.last_oif, 2);
	CHECK(!intr);
	CHECK_EQ_INT(e.code, 0);

	/* The same dump over two datagrams: the first does not complete it. */
	memset(&c, 0, sizeof(c));
	dg_reset(&dg);
	dg_route(&dg, 7, 0, 1);
	dg_route(&dg, 7, 0, 2);
	CHECK_EQ_INT(parse(&nl, &dg, 7, &c, &intr, &e), 0);
	dg_reset(&dg);
	dg_done(&dg, 7, 0, 0, NULL);
	CHECK_EQ_INT(parse(&nl, &dg, 7, &c, &intr, &e), 1);
	CHECK_EQ_INT(c.count, 2);

	/* An old kernel's NLMSG_DONE without the errno int. */
	dg_reset(&dg);
	dg_done(&dg, 7, 0, 0, NULL);
	dg.u.h.nlmsg_len = NLMSG_HDRLEN;
	dg.len = NLMSG_HDRLEN;
	CHECK_EQ_INT(parse(&nl, &dg, 7, &c, &intr, &e), 1);

	/* An empty datagram: nothing yet. */
	CHECK_EQ_INT(parse_len(&nl, &dg, 0, 7, &c, &intr, &e), 0);
}

static void
test_nl_dump_intr(void)
{
	struct pp_nl nl = fake_nl();
	struct ctx c = { 0 };
	struct pp_err e;
	bool intr = false;

	dg_reset(&dg);
	dg_route(&dg, 3, 0, 1);
	dg_route(&dg, 3, NLM_F_DUMP_INTR, 2);
	dg_done(&dg, 3, NLM_F_DUMP_INTR, 0, NULL);
	CHECK_EQ_INT(parse(&nl, &dg, 3, &c, &intr, &e), 1);
	CHECK(intr);
	CHECK_EQ_INT(c.count, 2);

	/* Only the DONE flagged: still seen. */
	intr = false;
	dg_reset(&dg);
	dg_route(&dg, 3, 0, 1);
	dg_done(&dg, 3, NLM_F_DUMP_INTR, 0, NULL);
	CHECK_EQ_INT(parse(&nl, &dg, 3, &c, &intr, &e), 1);
	CHECK(intr);
}

/* NLMSG_ERROR -EINVAL, capped, with the kernel's extack message. */
static void
test_nl_error_extack_capped(void)
{
	struct pp_nl nl = fake_nl();
	struct ctx c = { 0 };
	struct pp_err e;
	bool intr = false;

	dg_reset(&dg);
	dg_error(&dg, 9, -EINVAL, true, "Invalid prefix for given prefix length", 20);
	CHECK_EQ_INT(parse(&nl, &dg, 9, &c, &intr, &e), -EINVAL);
	CHECK_EQ_INT(e.code, EINVAL);
	CHECK_STR(e.ext, "Invalid prefix for given prefix length");
	CHECK_EQ_INT(c.count, 0);
}

/* Not capped: the whole request is echoed before the TLVs. */
static void
test_nl_error_extack_uncapped(void)
{
	struct pp_nl nl = fake_nl();
	struct ctx c = { 0 };
	struct pp_err e;
	bool intr = false;

	dg_reset(&dg);
	dg_error(&dg, 9, -ENETUNREACH, false, "Nexthop has invalid gateway", 0);
	CHECK_EQ_INT(parse(&nl, &dg, 9, &c, &intr, &e), -ENETUNREACH);
	CHECK_EQ_INT(e.code, ENETUNREACH);
	CHECK_STR(e.ext, "Nexthop has invalid gateway");

	/* Without NLM_F_ACK_TLVS the bytes after the request are not read as TLVs. */
	dg_reset(&dg);
	dg_error(&dg, 9, -EPERM, true, "ignored", 0);
	dg.u.h.nlmsg_flags &= (uint16_t)~NLM_F_ACK_TLVS;
	CHECK_EQ_INT(parse(&nl, &dg, 9, &c, &intr, &e), -EPERM);
	CHECK_EQ_INT(e.code, EPERM);
	CHECK_STR(e.ext, "");

	/* An error without any TLVs, and an error with a bogus echoed length. */
	dg_reset(&dg);
	dg_error(&dg, 9, -EACCES, false, NULL, 0);
	CHECK_EQ_INT(parse(&nl, &dg, 9, &c, &intr, &e), -EACCES);
	CHECK_STR(e.ext, "");
	for (int i = 0; i < 3; i++) {
		static const uint32_t bogus[] = { 0, 0xffffffffu, 4000 };
		struct nlmsgerr *er;

		dg_reset(&dg);
		dg_error(&dg, 9, -EINVAL, false, "x", 0);
		er = mnl_nlmsg_get_payload(&dg.u.h);
		er->msg.nlmsg_len = bogus[i];
		CHECK_EQ_INT(parse(&nl, &dg, 9, &c, &intr, &e), -EINVAL);
	}
}

/* The extack string: too long is cut to the buffer, no NUL is survived, bad TLVs ignored. */
static void
test_nl_extack_odd(void)
{
	struct pp_nl nl = fake_nl();
	struct ctx c = { 0 };
	struct pp_err e;
	bool intr = false;
	char longmsg[400];
	struct nlmsghdr *nlh;
	struct nlmsgerr *er;

	memset(longmsg, 'x', sizeof(longmsg) - 1);
	longmsg[sizeof(longmsg) - 1] = '\0';
	dg_reset(&dg);
	dg_error(&dg, 9, -EINVAL, true, longmsg, 0);
	CHECK_EQ_INT(parse(&nl, &dg, 9, &c, &intr, &e), -EINVAL);
	CHECK_EQ_INT(strlen(e.ext), sizeof(e.ext) - 1);

	/* NLMSGERR_ATTR_MSG without a NUL, last in the message. */
	dg_reset(&dg);
	nlh = dg_put(&dg, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 9, PORTID);
	er = mnl_nlmsg_put_extra_header(nlh, sizeof(*er));
	er->error = -EINVAL;
	mnl_attr_put(nlh, NLMSGERR_ATTR_MSG, 5, "abcde");
	nlh->nlmsg_len -= 3;	/* unpadded */
	dg_end(&dg, nlh);
	dg.len = nlh->nlmsg_len;
	CHECK_EQ_INT(parse(&nl, &dg, 9, &c, &intr, &e), -EINVAL);
	CHECK_STR(e.ext, "abcde");

	/* A TLV with nla_len 0, and one that runs past the message: no message, no crash. */
	dg_reset(&dg);
	nlh = dg_put(&dg, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 9, PORTID);
	er = mnl_nlmsg_put_extra_header(nlh, sizeof(*er));
	er->error = -EINVAL;
	tmsg_put_raw(nlh, NLMSGERR_ATTR_OFFS, 0, "\0\0\0\0", 4);
	dg_end(&dg, nlh);
	CHECK_EQ_INT(parse(&nl, &dg, 9, &c, &intr, &e), -EINVAL);
	CHECK_STR(e.ext, "");
	dg_reset(&dg);
	nlh = dg_put(&dg, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 9, PORTID);
	er = mnl_nlmsg_put_extra_header(nlh, sizeof(*er));
	er->error = -EINVAL;
	mnl_attr_put_u32(nlh, NLMSGERR_ATTR_OFFS, 4);
	tmsg_put_raw(nlh, NLMSGERR_ATTR_MSG, 200, "abc", 4);
	dg_end(&dg, nlh);
	CHECK_EQ_INT(parse(&nl, &dg, 9, &c, &intr, &e), -EINVAL);
	CHECK_STR(e.ext, "");
	/* An empty message attribute. */
	dg_reset(&dg);
	nlh = dg_put(&dg, NLMSG_ERROR, NLM_F_CAPPED | NLM_F_ACK_TLVS, 9, PORTID);
	er = mnl_nlmsg_put_extra_header(nlh, sizeof(*er));
	er->error = -EINVAL;
	mnl_attr_put(nlh, NLMSGERR_ATTR_MSG, 0, NULL);
	dg_end(&dg, nlh);
	CHECK_EQ_INT(parse(&nl, &dg, 9, &c, &intr, &e), -EINVAL);
	CHECK_STR(e.ext, "");
}

static void
test_nl_ack(void)
{
	struct pp_nl nl = fake_nl();
	struct ctx c = { 0 };
	struct pp_err e;
	bool intr = false;

	/* A reply message, then the ACK. */
	dg_reset(&dg);
	dg_route(&dg, 5, 0, 4);
	dg.u.h.nlmsg_flags = 0;
	dg_error(&dg, 5, 0, true, NULL, 0);
	CHECK_EQ_INT(parse(&nl, &dg, 5, &c, &intr, &e), 1);
	CHECK_EQ_INT(c.count, 1);
	CHECK_EQ_INT(e.code, 0);
	/* An ACK carrying TLVs (a warning), still success. */
	dg_reset(&dg);
	dg_error(&dg, 5, 0, false, NULL, 0);
	CHECK_EQ_INT(parse(&nl, &dg, 5, &c, &intr, &e), 1);
	/* A positive "error": not an errno the kernel sends, reported as a protocol error. */
	dg_reset(&dg);
	dg_error(&dg, 5, 5, true, NULL, 0);
	CHECK_EQ_INT(parse(&nl, &dg, 5, &c, &intr, &e), -EPROTO);
	/* Messages after the ACK in the same datagram are not passed on. */
	c.count = 0;
	dg_reset(&dg);
	dg_error(&dg, 5, 0, true, NULL, 0);
	dg_route(&dg, 5, 0, 1);
	CHECK_EQ_INT(parse(&nl, &dg, 5, &c, &intr, &e), 1);
	CHECK_EQ_INT(c.count, 0);
}

/* A dump that ends in error: the errno inside NLMSG_DONE, with its extack. */
static void
test_nl_done_error(void)
{
	struct pp_nl nl = fake_nl();
	struct ctx c = { 0 };
	struct pp_err e;
	bool intr = false;

	dg_reset(&dg);
	dg_route(&dg, 11, 0, 1);
	dg_done(&dg, 11, 0, -EMSGSIZE, "Dump interrupted: message too big");
	CHECK_EQ_INT(parse(&nl, &dg, 11, &c, &intr, &e), -EMSGSIZE);
	CHECK_EQ_INT(e.code, EMSGSIZE);
	CHECK_STR(e.ext, "Dump interrupted: message too big");
	CHECK_EQ_INT(c.count, 1);
	/* Without extack. */
	dg_reset(&dg);
	dg_done(&dg, 11, 0, -ENOBUFS, NULL);
	CHECK_EQ_INT(parse(&nl, &dg, 11, &c, &intr, &e), -ENOBUFS);
	CHECK_EQ_INT(e.code, ENOBUFS);
	CHECK_STR(e.ext, "");
}

/* Replies to an abandoned request (other seq) or for another socket (other portid) are skipped. */
static void
test_nl_foreign(void)
{
	struct pp_nl nl = fake_nl();
	struct ctx c = { 0 };
	struct pp_err e;
	bool intr = false;
	struct nlmsghdr *nlh;

	dg_reset(&dg);
	dg_route(&dg, 4, NLM_F_DUMP_INTR, 1);		/* old seq, and flagged: ignored entirely */
	dg_error(&dg, 4, -EPERM, true, "old", 0);	/* an old request's error: not ours */
	dg_done(&dg, 4, 0, 0, NULL);			/* an old dump's end: not ours */
	dg_route(&dg, 6, 0, 2);
	nlh = dg_put(&dg, RTM_NEWROUTE, NLM_F_MULTI, 6, PORTID + 1);	/* another socket */
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
	dg_end(&dg, nlh);
	nlh = dg_put(&dg, RTM_NEWROUTE, NLM_F_MULTI, 6, 0);	/* portid 0: from the kernel */
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct rtmsg));
	dg_end(&dg, nlh);
	CHECK_EQ_INT(parse(&nl, &dg, 6, &c, &intr, &e), 0);
	CHECK_EQ_INT(c.count, 2);
	CHECK(!intr);
	CHECK_EQ_INT(e.code, 0);
	dg_reset(&dg);
	dg_done(&dg, 6, 0, 0, NULL);
	CHECK_EQ_INT(parse(&nl, &dg, 6, &c, &intr, &e), 1);
}

static void
test_nl_truncated(void)
{
	struct pp_nl nl = fake_nl();
	struct ctx c = { 0 };
	struct pp_err e;
	bool intr = false;

	/* A whole message then 10 bytes: less than a header. */
	dg_reset(&dg);
	dg_route(&dg, 2, 0, 1);
	memset(dg.u.b + dg.len, 0xee, 10);
	dg.len += 10;
	CHECK_EQ_INT(parse(&nl, &dg, 2, &c, &intr, &e), -EBADMSG);
	CHECK_EQ_INT(e.code, EBADMSG);
	CHECK(strstr(e.what, "truncated") != NULL);
	CHECK_EQ_INT(c.count, 1);

	/* The second message claims more than the datagram holds. */
	c.count = 0;
	dg_reset(&dg);
	dg_route(&dg, 2, 0, 1);
	dg_route(&dg, 2, 0, 2);
	CHECK_EQ_INT(parse_len(&nl, &dg, dg.len - 4, 2, &c, &intr, &e), -EBADMSG);
	CHECK_EQ_INT(c.count, 1);

	/* nlmsg_len of 2 GiB or more (libmnl's mnl_nlmsg_ok() takes it for negative). */
	for (int i = 0; i < 3; i++) {
		static const uint32_t huge[] = { 0x80000000u, 0xfffffff0u, 0xfffffffdu };
		struct nlmsghdr *second;

		c.count = 0;
		dg_reset(&dg);
		dg_route(&dg, 2, 0, 1);
		second = (struct nlmsghdr *)(dg.u.b + dg.len);
		dg_route(&dg, 2, 0, 2);
		second->nlmsg_len = huge[i];
		CHECK_EQ_INT(parse(&nl, &dg, 2, &c, &intr, &e), -EBADMSG);
		CHECK_EQ_INT(c.count, 1);
	}

	/* nlmsg_len below the header size. */
	dg_reset(&dg);
	dg_route(&dg, 2, 0, 1);
	dg.u.h.nlmsg_len = 8;
	CHECK_EQ_INT(parse(&nl, &dg, 2, &c, &intr, &e), -EBADMSG);

	/* An NLMSG_ERROR too short for its error code. */
	dg_reset(&dg);
	dg_error(&dg, 2, -EINVAL, true, NULL, 0);
	dg.u.h.nlmsg_len = NLMSG_HDRLEN + 2;
	dg.len = NLMSG_HDRLEN + 2;
	CHECK_EQ_INT(parse(&nl, &dg, 2, &c, &intr, &e), -EBADMSG);
	/* The same with only the errno: still the error. */
	dg_reset(&dg);
	dg_error(&dg, 2, -EINVAL, true, NULL, 0);
	dg.u.h.nlmsg_len = NLMSG_HDRLEN + 4;
	dg.len = NLMSG_HDRLEN + 4;
	CHECK_EQ_INT(parse(&nl, &dg, 2, &c, &intr, &e), -EINVAL);

	/* Overrun. */
	dg_reset(&dg);
	dg_end(&dg, dg_put(&dg, NLMSG_OVERRUN, 0, 2, PORTID));
	CHECK_EQ_INT(parse(&nl, &dg, 2, &c, &intr, &e), -ENOSPC);
	/* NOOP is skipped. */
	dg_reset(&dg);
	dg_end(&dg, dg_put(&dg, NLMSG_NOOP, 0, 2, PORTID));
	dg_done(&dg, 2, 0, 0, NULL);
	CHECK_EQ_INT(parse(&nl, &dg, 2, &c, &intr, &e), 1);
}

/* A callback's error stops the walk and is returned; NULL pp_err is allowed everywhere. */
static void
test_nl_cb_error_and_null_err(void)
{
	struct pp_nl nl = fake_nl();
	struct ctx c = { .fail_with = -ENOMEM };
	struct pp_err e;
	bool intr = false;

	dg_reset(&dg);
	dg_route(&dg, 1, 0, 1);
	dg_route(&dg, 1, 0, 2);
	dg_done(&dg, 1, 0, 0, NULL);
	CHECK_EQ_INT(parse(&nl, &dg, 1, &c, &intr, &e), -ENOMEM);
	CHECK_EQ_INT(c.count, 1);
	CHECK_EQ_INT(e.code, ENOMEM);
	c.fail_with = 0;

	dg_reset(&dg);
	dg_error(&dg, 1, -EINVAL, true, "m", 0);
	CHECK_EQ_INT(parse(&nl, &dg, 1, &c, &intr, NULL), -EINVAL);
	dg_reset(&dg);
	dg_done(&dg, 1, 0, -EIO, "m");
	CHECK_EQ_INT(parse(&nl, &dg, 1, &c, &intr, NULL), -EIO);
	dg_reset(&dg);
	dg_route(&dg, 1, 0, 1);
	dg.len += 5;
	CHECK_EQ_INT(parse(&nl, &dg, 1, &c, &intr, NULL), -EBADMSG);
	dg_reset(&dg);
	dg_end(&dg, dg_put(&dg, NLMSG_OVERRUN, 0, 1, PORTID));
	CHECK_EQ_INT(parse(&nl, &dg, 1, &c, &intr, NULL), -ENOSPC);
	/* A NULL callback is allowed too. */
	dg_reset(&dg);
	dg_route(&dg, 1, 0, 1);
	dg_done(&dg, 1, 0, 0, NULL);
	CHECK_EQ_INT(pp_nl_parse_replies(&nl, dg.u.b, dg.len, 1, NULL, NULL, &intr, NULL), 1);
}

/* ---- a fake kernel on a socketpair ---- */

struct fake {
	struct pp_nl nl;
	int peer;
};

static bool
fake_open(struct fake *f, size_t buflen)
{
	int sv[2];
	struct timeval tv = { .tv_usec = 300000 };

	memset(f, 0, sizeof(*f));
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return false;
	/* Never hang: a missing reply shows up as EAGAIN after 0.3 s. */
	setsockopt(sv[0], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	f->nl.sk = mnl_socket_fdopen(sv[0]);
	if (!f->nl.sk) {
		close(sv[0]);
		close(sv[1]);
		return false;
	}
	f->nl.proto = NETLINK_ROUTE;
	f->nl.portid = PORTID;
	f->nl.buflen = buflen;
	f->nl.buf = malloc(buflen);
	f->peer = sv[1];
	return f->nl.buf != NULL;
}

static void
fake_close(struct fake *f)
{
	pp_nl_close(&f->nl);
	close(f->peer);
}

/* Queue the datagram for the next recv. */
static void
fake_send(struct fake *f, struct dgram *d)
{
	ssize_t n = send(f->peer, d->u.b, d->len, 0);

	CHECK_EQ_INT(n, (ssize_t)d->len);
}

/* Read one request the code under test sent. */
static bool
fake_req(struct fake *f, struct nlmsghdr *out, size_t outlen)
{
	ssize_t n = recv(f->peer, out, outlen, MSG_DONTWAIT);

	return n >= (ssize_t)NLMSG_HDRLEN && (size_t)n == out->nlmsg_len;
}

static struct nlmsghdr *
route_dump_req(char *buf)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;

	nlh->nlmsg_type = RTM_GETROUTE;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET;
	return nlh;
}

/* The first dump is interrupted; the second is clean. The callback's state is reset between. */
static void
test_nl_dump_retry(void)
{
	struct fake f;
	struct ctx c = { 0 };
	struct pp_err e;
	char buf[256];
	union { char b[512]; struct nlmsghdr h; } req;

	if (!fake_open(&f, 65536)) {
		CHECK(!"socketpair");
		return;
	}
	/* seq 1: two routes, the second flagged, and the DONE. */
	dg_reset(&dg);
	dg_route(&dg, 1, 0, 1);
	dg_route(&dg, 1, NLM_F_DUMP_INTR, 2);
	dg_done(&dg, 1, NLM_F_DUMP_INTR, 0, NULL);
	fake_send(&f, &dg);
	/* seq 2: a stale message of seq 1 first, then three routes over two datagrams. */
	dg_reset(&dg);
	dg_route(&dg, 1, 0, 99);
	dg_route(&dg, 2, 0, 1);
	dg_route(&dg, 2, 0, 2);
	fake_send(&f, &dg);
	dg_reset(&dg);
	dg_route(&dg, 2, 0, 3);
	dg_done(&dg, 2, 0, 0, NULL);
	fake_send(&f, &dg);

	CHECK_EQ_INT(pp_nl_dump(&f.nl, route_dump_req(buf), count_cb, &c, count_reset, &e), 0);
	CHECK_EQ_INT(c.count, 3);
	CHECK_EQ_INT(c.last_oif, 3);
	CHECK_EQ_INT(c.resets, 1);
	CHECK_EQ_INT(f.nl.dump_retries, 1);
	CHECK_EQ_INT(e.code, 0);
	/* Two requests went out, seq 1 and 2, as dumps. */
	CHECK(fake_req(&f, &req.h, sizeof(req)));
	CHECK_EQ_INT(req.h.nlmsg_seq, 1);
	CHECK_EQ_INT(req.h.nlmsg_type, RTM_GETROUTE);
	CHECK((req.h.nlmsg_flags & (NLM_F_REQUEST | NLM_F_DUMP)) == (NLM_F_REQUEST | NLM_F_DUMP));
	CHECK(fake_req(&f, &req.h, sizeof(req)));
	CHECK_EQ_INT(req.h.nlmsg_seq, 2);
	CHECK(!fake_req(&f, &req.h, sizeof(req)));
	fake_close(&f);
}

/* Interrupted every time: -EAGAIN after four tries, with a reason. */
static void
test_nl_dump_retry_gives_up(void)
{
	struct fake f;
	struct ctx c = { 0 };
	struct pp_err e;
	char buf[256];

	if (!fake_open(&f, 65536)) {
		CHECK(!"socketpair");
		return;
	}
	for (uint32_t seq = 1; seq <= 4; seq++) {
		dg_reset(&dg);
		dg_route(&dg, seq, NLM_F_DUMP_INTR, seq);
		dg_done(&dg, seq, NLM_F_DUMP_INTR, 0, NULL);
		fake_send(&f, &dg);
	}
	CHECK_EQ_INT(pp_nl_dump(&f.nl, route_dump_req(buf), count_cb, &c, count_reset, &e), -EAGAIN);
	CHECK_EQ_INT(e.code, EAGAIN);
	CHECK(strstr(e.ext, "kept changing") != NULL);
	CHECK_EQ_INT(c.resets, 4);
	CHECK_EQ_INT(f.nl.dump_retries, 4);
	CHECK_EQ_INT(f.nl.seq, 4);
	fake_close(&f);
}

/* A dump that fails in NLMSG_DONE is not retried even when flagged. */
static void
test_nl_dump_error_not_retried(void)
{
	struct fake f;
	struct ctx c = { 0 };
	struct pp_err e;
	char buf[256];

	if (!fake_open(&f, 65536)) {
		CHECK(!"socketpair");
		return;
	}
	dg_reset(&dg);
	dg_route(&dg, 1, NLM_F_DUMP_INTR, 1);
	dg_done(&dg, 1, 0, -EPERM, "Operation not permitted here");
	fake_send(&f, &dg);
	CHECK_EQ_INT(pp_nl_dump(&f.nl, route_dump_req(buf), count_cb, &c, count_reset, &e), -EPERM);
	CHECK_EQ_INT(e.code, EPERM);
	CHECK_STR(e.ext, "Operation not permitted here");
	CHECK_EQ_INT(c.resets, 0);
	fake_close(&f);
}

/* A datagram larger than the buffer: the buffer grows (MSG_PEEK|MSG_TRUNC), nothing is cut. */
static void
test_nl_buffer_grows(void)
{
	struct fake f;
	struct ctx c = { 0 };
	struct pp_err e;
	char buf[256];
	int n = 0;

	if (!fake_open(&f, 512)) {
		CHECK(!"socketpair");
		return;
	}
	dg_reset(&dg);
	while (dg.len < 60000) {
		dg_route(&dg, 1, 0, (uint32_t)++n);
	}
	dg_done(&dg, 1, 0, 0, NULL);
	fake_send(&f, &dg);
	CHECK_EQ_INT(pp_nl_dump(&f.nl, route_dump_req(buf), count_cb, &c, NULL, &e), 0);
	CHECK_EQ_INT(c.count, n);
	CHECK_EQ_INT(c.last_oif, n);
	CHECK(f.nl.buflen >= dg.len);
	fake_close(&f);
}

static void
test_nl_request(void)
{
	struct fake f;
	struct ctx c = { 0 };
	struct pp_err e;
	char buf[256];
	union { char b[512]; struct nlmsghdr h; } req;
	struct nlmsghdr *nlh;

	if (!fake_open(&f, 65536)) {
		CHECK(!"socketpair");
		return;
	}
	/* The answer and the ACK. */
	dg_reset(&dg);
	dg_route(&dg, 1, 0, 8);
	dg_error(&dg, 1, 0, true, NULL, 0);
	fake_send(&f, &dg);
	nlh = route_dump_req(buf);
	CHECK_EQ_INT(pp_nl_request(&f.nl, nlh, count_cb, &c, &e), 0);
	CHECK_EQ_INT(c.count, 1);
	CHECK_EQ_INT(c.last_oif, 8);
	CHECK(fake_req(&f, &req.h, sizeof(req)));
	CHECK((req.h.nlmsg_flags & (NLM_F_REQUEST | NLM_F_ACK)) == (NLM_F_REQUEST | NLM_F_ACK));
	CHECK(!(req.h.nlmsg_flags & NLM_F_DUMP));
	CHECK_EQ_INT(req.h.nlmsg_seq, 1);

	/* An error with extack; a stale ACK of seq 1 before it is not taken for ours. */
	dg_reset(&dg);
	dg_error(&dg, 1, 0, true, NULL, 0);
	dg_error(&dg, 2, -ENETUNREACH, true, "No route to host", 0);
	fake_send(&f, &dg);
	nlh = route_dump_req(buf);
	CHECK_EQ_INT(pp_nl_request(&f.nl, nlh, count_cb, &c, &e), -ENETUNREACH);
	CHECK_EQ_INT(e.code, ENETUNREACH);
	CHECK_STR(e.ext, "No route to host");

	/* No reply at all: the receive times out, reported, not hung. */
	nlh = route_dump_req(buf);
	CHECK_EQ_INT(pp_nl_request(&f.nl, nlh, count_cb, &c, &e), -EAGAIN);
	CHECK_EQ_INT(e.code, EAGAIN);

	/* The other end gone: the send fails (SIGPIPE ignored for the test). */
	{
		void (*old)(int) = signal(SIGPIPE, SIG_IGN);
		int rc;

		close(f.peer);
		f.peer = -1;
		nlh = route_dump_req(buf);
		rc = pp_nl_request(&f.nl, nlh, count_cb, &c, &e);
		CHECK(rc == -EPIPE || rc == -ECONNRESET);
		CHECK_EQ_INT(e.code, -rc);
		signal(SIGPIPE, old);
	}
	pp_nl_close(&f.nl);
}

/* Events: seq 0, no ACK; control messages are not passed on; EAGAIN is "nothing". */
static void
test_nl_recv_events(void)
{
	struct fake f;
	struct ctx c = { 0 };
	struct pp_err e;
	struct nlmsghdr *nlh;

	if (!fake_open(&f, 65536)) {
		CHECK(!"socketpair");
		return;
	}
	dg_reset(&dg);
	for (int i = 0; i < 3; i++) {
		nlh = dg_put(&dg, RTM_NEWNEIGH, 0, 0, 0);
		mnl_nlmsg_put_extra_header(nlh, sizeof(struct ndmsg));
		dg_end(&dg, nlh);
	}
	dg_end(&dg, dg_put(&dg, NLMSG_NOOP, 0, 0, 0));
	fake_send(&f, &dg);
	CHECK_EQ_INT(pp_nl_recv_events(&f.nl, count_cb, &c, &e), 3);
	CHECK_EQ_INT(c.count, 3);
	CHECK_EQ_INT(pp_nl_recv_events(&f.nl, count_cb, &c, &e), 0);
	/* A callback error stops the batch. */
	c.fail_with = -EIO;
	c.count = 0;
	fake_send(&f, &dg);
	CHECK_EQ_INT(pp_nl_recv_events(&f.nl, count_cb, &c, &e), -EIO);
	CHECK_EQ_INT(c.count, 1);
	/* An event whose nlmsg_len claims 4 GiB: not passed on, no crash. */
	c.fail_with = 0;
	c.count = 0;
	dg.u.h.nlmsg_len = 0xfffffff0u;
	fake_send(&f, &dg);
	CHECK_EQ_INT(pp_nl_recv_events(&f.nl, count_cb, &c, &e), 0);
	CHECK_EQ_INT(c.count, 0);
	fake_close(&f);
}

/* Random datagrams: no crash, only the documented results. */
static void
test_nl_fuzz(void)
{
	struct pp_nl nl = fake_nl();
	struct ctx c = { 0 };
	struct pp_err e;
	uint32_t s = 0x5eed;
	struct dgram *base = malloc(sizeof(*base));
	unsigned done = 0, errs = 0, more = 0;

	dg_reset(base);
	dg_route(base, 1, 0, 1);
	dg_route(base, 1, NLM_F_DUMP_INTR, 2);
	dg_error(base, 1, -EINVAL, false, "bad", 4);
	dg_done(base, 1, 0, -ENOENT, "gone");
	for (int i = 0; i < 20000; i++) {
		size_t len = base->len;
		char *buf;
		bool intr = false;
		int rc;

		if (trand(&s) % 3 == 0)
			len = trand(&s) % (base->len + 1);
		buf = malloc(len ? len : 1);
		memcpy(buf, base->u.b, len);
		for (unsigned k = 0, n = 1 + trand(&s) % 8; k < n && len; k++) {
			uint32_t r = trand(&s);
			size_t off = r % len;

			if (r & 0x100)
				buf[off] = (char)(r >> 16);
			else if (off + 2 <= len) {
				uint16_t v = (uint16_t)((r >> 16) % 80);
				memcpy(buf + (off & ~(size_t)3), &v, 2 <= len - (off & ~(size_t)3) ? 2 : 0);
			}
		}
		rc = pp_nl_parse_replies(&nl, buf, len, 1, count_cb, &c, &intr, &e);
		CHECK(rc == 0 || rc == 1 || rc < 0);
		if (rc == 1)
			done++;
		else if (rc < 0)
			errs++;
		else
			more++;
		free(buf);
	}
	printf("# nl fuzz: 20000 datagrams: %u complete, %u errors, %u incomplete\n", done, errs, more);
	CHECK(done > 0 && errs > 0);
	free(base);
}

int
main(void)
{
	RUN(test_nl_dump_two_then_done);
	RUN(test_nl_dump_intr);
	RUN(test_nl_error_extack_capped);
	RUN(test_nl_error_extack_uncapped);
	RUN(test_nl_extack_odd);
	RUN(test_nl_ack);
	RUN(test_nl_done_error);
	RUN(test_nl_foreign);
	RUN(test_nl_truncated);
	RUN(test_nl_cb_error_and_null_err);
	RUN(test_nl_dump_retry);
	RUN(test_nl_dump_retry_gives_up);
	RUN(test_nl_dump_error_not_retried);
	RUN(test_nl_buffer_grows);
	RUN(test_nl_request);
	RUN(test_nl_recv_events);
	RUN(test_nl_fuzz);
	return tap_done();
}
