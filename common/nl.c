/* nl.c: netlink sockets, requests, dumps and listeners on libmnl. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>

#include "nl.h"
#include "snap.h"

#define PP_NL_BUF_MIN (64 * 1024)
#define PP_NL_DUMP_TRIES 4

#ifndef NETLINK_EXT_ACK
#define NETLINK_EXT_ACK 11
#endif
#ifndef NETLINK_GET_STRICT_CHK
#define NETLINK_GET_STRICT_CHK 12
#endif
#ifndef NLM_F_ACK_TLVS
#define NLM_F_ACK_TLVS 0x200
#endif
#ifndef NLM_F_CAPPED
#define NLM_F_CAPPED 0x100
#endif

int
pp_nl_open(struct pp_nl *nl, int proto, struct pp_err *e)
{
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->proto = proto;
	if ((nl->snap = pp_snap_active()) != NULL) {
		nl->snap_ns = pp_snap_ns_here(nl->snap);
		if (pp_snap_replaying(nl->snap)) {
			/* Answered from the snapshot: no socket, no privilege, no kernel. */
			nl->replay = true;
			nl->portid = 1;
			nl->strict = proto == NETLINK_ROUTE && pp_snap_header(nl->snap)->strict;
			return 0;
		}
	}
	nl->sk = mnl_socket_open2(proto, SOCK_CLOEXEC);
	if (!nl->sk) {
		err = errno;
		pp_err_set(e, err, "netlink socket (protocol %d)", proto);
		return -err;
	}
	if (mnl_socket_bind(nl->sk, 0, MNL_SOCKET_AUTOPID) < 0) {
		err = errno;
		mnl_socket_close(nl->sk);
		nl->sk = NULL;
		pp_err_set(e, err, "netlink bind");
		return -err;
	}
	nl->portid = mnl_socket_get_portid(nl->sk);
	/* Extended acks carry the kernel's own words for an error; capped acks do not echo our request. */
	mnl_socket_setsockopt(nl->sk, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sk, NETLINK_CAP_ACK, &one, sizeof(one));
	/* Strict checking lets the kernel filter dumps (by ifindex, table, type) instead of us. */
	if (proto == NETLINK_ROUTE &&
	    mnl_socket_setsockopt(nl->sk, NETLINK_GET_STRICT_CHK, &one, sizeof(one)) == 0)
		nl->strict = true;
	nl->buflen = PP_NL_BUF_MIN;
	nl->buf = malloc(nl->buflen);
	if (!nl->buf) {
		mnl_socket_close(nl->sk);
		nl->sk = NULL;
		pp_err_set(e, ENOMEM, "netlink buffer");
		return -ENOMEM;
	}
	return 0;
}

void
pp_nl_close(struct pp_nl *nl)
{
	if (nl->sk)
		mnl_socket_close(nl->sk);
	free(nl->buf);
	free(nl->rec);
	nl->sk = NULL;
	nl->buf = NULL;
	nl->rec = NULL;
}

/* Recording: keep one reply datagram of the request being read. */
static void
rec_keep(struct pp_nl *nl, const void *buf, size_t len)
{
	size_t need = nl->rec_len + 4 + ((len + 3) & ~(size_t)3);
	uint32_t l = (uint32_t)len;

	if (!nl->snap || nl->rec_bad)
		return;
	if (need > nl->rec_cap) {
		size_t nc = nl->rec_cap ? nl->rec_cap : 65536;
		char *nb;

		while (nc < need)
			nc *= 2;
		if (!(nb = realloc(nl->rec, nc))) {
			nl->rec_bad = true;
			return;
		}
		nl->rec = nb;
		nl->rec_cap = nc;
	}
	memcpy(nl->rec + nl->rec_len, &l, 4);
	memcpy(nl->rec + nl->rec_len + 4, buf, len);
	memset(nl->rec + nl->rec_len + 4 + len, 0, need - nl->rec_len - 4 - len);
	nl->rec_len = need;
}

/*
 * Recording: the request completed (rc from pp_nl_parse_replies, 1 or an error of the
 * kernel's): keep it with its datagrams, unless the dump is to be run again.
 */
static void
rec_done(struct pp_nl *nl, const struct nlmsghdr *req, uint32_t seq, bool intr)
{
	if (nl->snap && !nl->rec_bad && !intr)
		pp_snap_nl_record(nl->snap, nl->snap_ns, nl->proto, req, seq, nl->portid, nl->rec, nl->rec_len);
}

/* Replaying: feed the recorded datagrams through the same parser as live ones. */
static int
replay(struct pp_nl *nl, struct nlmsghdr *req, pp_nl_cb cb, void *data, bool *intr, struct pp_err *e)
{
	const struct pp_snap_nl_ent *a;
	const void *dg;
	void *fib = NULL;
	size_t dlen, off = 0;
	uint32_t seq;
	int rc;

	if (nl->busy) {
		if (e)
			e->code = EBUSY;
		return -EBUSY;
	}
	req->nlmsg_pid = 0;
	if (!(a = pp_snap_nl_find(nl->snap, nl->snap_ns, nl->proto, req))) {
		size_t flen = 0;

		/* A route or neighbour no one asked at save time: the userspace FIB over the recorded tables (snapfib.c). */
		if (nl->proto != NETLINK_ROUTE || (req->nlmsg_type != RTM_GETROUTE && req->nlmsg_type != RTM_GETNEIGH) ||
		    pp_snap_fib_answer(nl->snap, nl->snap_ns, req, 1, nl->portid, &fib, &flen, e) < 0) {
			if (!e || e->code != ENODATA || !e->what[0])
				pp_snap_miss(nl->snap, nl->snap_ns, nl->proto, req, e);
			free(fib);
			return -ENODATA;
		}
		nl->busy = true;
		rc = pp_nl_parse_replies(nl, fib, flen, 1, cb, data, intr, e);
		nl->busy = false;
		free(fib);
		return rc < 0 ? rc : 0;
	}
	pp_snap_nl_answer(a, &seq, &nl->portid, &dg, &dlen);
	nl->busy = true;
	while (off + 4 <= dlen) {
		uint32_t len;

		memcpy(&len, (const char *)dg + off, 4);
		off += 4;
		if (len > dlen - off)
			break;
		rc = pp_nl_parse_replies(nl, (const char *)dg + off, len, seq, cb, data, intr, e);
		off += (len + 3) & ~3u;
		if (rc != 0) {
			nl->busy = false;
			return rc < 0 ? rc : 0;
		}
	}
	nl->busy = false;
	pp_err_set(e, EBADMSG, "the snapshot's answer ends before the reply does");
	return -EBADMSG;
}

/* Copy the NLMSGERR_ATTR_MSG string of an ACK or DONE carrying TLVs into e->ext. */
static void
extack_msg(const struct nlmsghdr *nlh, size_t tlv_off, struct pp_err *e)
{
	const struct nlattr *a;
	size_t len;

	if (!e || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (nlh->nlmsg_len < tlv_off || tlv_off < NLMSG_HDRLEN)
		return;
	len = nlh->nlmsg_len - tlv_off;
	a = (const struct nlattr *)((const char *)nlh + tlv_off);
	while (len >= sizeof(*a) && a->nla_len >= sizeof(*a) && a->nla_len <= len) {
		if ((a->nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG && a->nla_len > sizeof(*a)) {
			size_t n = a->nla_len - sizeof(*a);
			const char *s = (const char *)a + NLA_HDRLEN;

			if (n >= sizeof(e->ext))
				n = sizeof(e->ext) - 1;
			memcpy(e->ext, s, n);
			e->ext[n] = '\0';
			e->ext[strnlen(e->ext, n)] = '\0';
			return;
		}
		if ((size_t)NLA_ALIGN(a->nla_len) >= len)
			break;
		len -= (size_t)NLA_ALIGN(a->nla_len);
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
}

/*
 * mnl_nlmsg_ok() compares nlmsg_len as an int: a length of 2 GiB or more passes,
 * and mnl_nlmsg_next() then steps outside the datagram. Compare unsigned.
 */
static bool
msg_ok(const struct nlmsghdr *nlh, int len)
{
	return len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
	       nlh->nlmsg_len <= (unsigned)len;
}

/*
 * An error of the ipset subsystem (enum ipset_errno, 4096 up to the type
 * specific codes from 4352) to a request of that subsystem.
 */
static bool
ipset_errno(const struct pp_nl *nl, const struct nlmsghdr *nlh, const struct nlmsgerr *err)
{
	return nl->proto == NETLINK_NETFILTER && nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(*err) &&
	       (err->msg.nlmsg_type >> 8) == NFNL_SUBSYS_IPSET && err->error >= -(4352 + 255);
}

int
pp_nl_parse_replies(struct pp_nl *nl, const void *buf, size_t len, uint32_t seq,
		    pp_nl_cb cb, void *data, bool *intr, struct pp_err *e)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len, rc;

	while (msg_ok(nlh, rem)) {
		/* Replies to an earlier request (abandoned dump) or from someone else: skip. */
		if (nlh->nlmsg_seq != seq || (nlh->nlmsg_pid != nl->portid && nlh->nlmsg_pid != 0))
			goto next;
		if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
			*intr = true;
		switch (nlh->nlmsg_type) {
		case NLMSG_NOOP:
			break;
		case NLMSG_OVERRUN:
			pp_err_set(e, ENOSPC, "netlink overrun");
			return -ENOSPC;
		case NLMSG_ERROR: {
			const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
			size_t off;

			if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(int)) {
				pp_err_set(e, EBADMSG, "truncated netlink error");
				return -EBADMSG;
			}
			if (err->error == 0)
				return 1;	/* the ACK: done */
			if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(*err)) {
				off = NLMSG_HDRLEN + sizeof(*err);
				if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
					off += NLMSG_ALIGN(err->msg.nlmsg_len) - NLMSG_HDRLEN;
				extack_msg(nlh, off, e);
			}
			/*
			 * An errno is 1..4095 (MAX_ERRNO); ipset answers with codes of its
			 * own above that (IPSET_ERR_EXIST: "not in the set"); anything
			 * else is a malformed reply.
			 */
			if (err->error >= 0 || (err->error < -4095 && !ipset_errno(nl, nlh, err))) {
				pp_err_set(e, EPROTO, "netlink error of %d", err->error);
				return -EPROTO;
			}
			if (e)
				e->code = -err->error;
			return err->error;
		}
		case NLMSG_DONE: {
			/* A dump can end in error; the errno is the first int of the payload. */
			if (nlh->nlmsg_len >= NLMSG_HDRLEN + sizeof(int)) {
				int derr = *(const int *)mnl_nlmsg_get_payload(nlh);

				if (derr < -4095) {
					pp_err_set(e, EPROTO, "netlink dump ended with error %d", derr);
					return -EPROTO;
				}
				if (derr < 0) {
					extack_msg(nlh, NLMSG_HDRLEN + sizeof(int), e);
					if (e)
						e->code = -derr;
					return derr;
				}
			}
			return 1;
		}
		default:
			if (cb && (rc = cb(nlh, data)) < 0) {
				if (e && !e->code)
					e->code = -rc;
				return rc;
			}
		}
next:
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	/* Bytes left that do not form a whole message: the datagram was cut. */
	if (rem > 0) {
		pp_err_set(e, EBADMSG, "truncated netlink message (%d bytes left)", rem);
		return -EBADMSG;
	}
	return 0;
}

/* Receive one datagram, growing the buffer first if it would not fit. */
static ssize_t
recv_one(struct pp_nl *nl, int flags)
{
	int fd = mnl_socket_get_fd(nl->sk);
	ssize_t n;

	for (;;) {
		n = recv(fd, nl->buf, nl->buflen, MSG_PEEK | MSG_TRUNC | flags);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if ((size_t)n > nl->buflen) {
			size_t want = (size_t)n + 4096;
			char *nb = realloc(nl->buf, want);

			if (!nb)
				return -ENOMEM;
			nl->buf = nb;
			nl->buflen = want;
		}
		n = recv(fd, nl->buf, nl->buflen, flags);
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : n;
	}
}

/*
 * recv_len mode: up to two datagrams in one recvmmsg(), into the two halves of
 * buf. A dump's next datagram is made while the kernel hands us the previous
 * one, so the second slot usually fills (with NLMSG_DONE for a short dump).
 * Returns how many arrived (lens[] set) or -errno.
 */
static int
recv_two(struct pp_nl *nl, size_t lens[2])
{
	int fd = mnl_socket_get_fd(nl->sk);
	size_t len = nl->recv_len;
	struct mmsghdr mm[2];
	struct iovec iov[2];
	int n;

	if (len > PP_NL_RECV_LEN_MAX)
		len = PP_NL_RECV_LEN_MAX;
	if (nl->buflen < 2 * len) {
		char *nb = realloc(nl->buf, 2 * len);

		if (!nb)
			return -ENOMEM;
		nl->buf = nb;
		nl->buflen = 2 * len;
	}
	memset(mm, 0, sizeof(mm));
	for (int i = 0; i < 2; i++) {
		iov[i].iov_base = nl->buf + i * len;
		iov[i].iov_len = len;
		mm[i].msg_hdr.msg_iov = &iov[i];
		mm[i].msg_hdr.msg_iovlen = 1;
	}
	do
		n = recvmmsg(fd, mm, 2, MSG_WAITFORONE, NULL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	for (int i = 0; i < n; i++) {
		if (mm[i].msg_hdr.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		lens[i] = mm[i].msg_len;
	}
	return n;
}

/* Recording: a callback that stops the read leaves the answer unfinished, so it is not kept. */
struct rec_cb {
	struct pp_nl *nl;
	pp_nl_cb cb;
	void *data;
};

static int
rec_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rec_cb *r = data;
	int rc = r->cb ? r->cb(nlh, r->data) : 0;

	if (rc < 0)
		r->nl->rec_bad = true;
	return rc;
}

static int run_live(struct pp_nl *nl, struct nlmsghdr *req, pp_nl_cb cb, void *data, bool *intr,
		    struct pp_err *e);

/* Send req and read replies until the request completes. */
static int
run(struct pp_nl *nl, struct nlmsghdr *req, pp_nl_cb cb, void *data, bool *intr,
    struct pp_err *e)
{
	struct rec_cb r = { nl, cb, data };

	if (nl->replay)
		return replay(nl, req, cb, data, intr, e);
	if (!nl->snap)
		return run_live(nl, req, cb, data, intr, e);
	return run_live(nl, req, rec_cb, &r, intr, e);
}

static int
run_live(struct pp_nl *nl, struct nlmsghdr *req, pp_nl_cb cb, void *data, bool *intr,
	 struct pp_err *e)
{
	uint32_t seq;
	ssize_t n;
	int rc;

	if (nl->busy) {
		if (e)
			e->code = EBUSY;
		return -EBUSY;
	}
	seq = req->nlmsg_seq = ++nl->seq;
	req->nlmsg_pid = 0;
	if (mnl_socket_sendto(nl->sk, req, req->nlmsg_len) < 0) {
		rc = -errno;
		if (e)
			e->code = -rc;
		return rc;
	}
	nl->rec_len = 0;
	nl->rec_bad = false;
	while (nl->recv_len) {
		size_t lens[2];
		int got = recv_two(nl, lens);

		if (got <= 0) {
			rc = got < 0 ? got : -ECONNRESET;
			if (e)
				e->code = -rc;
			return rc;
		}
		for (int i = 0; i < got; i++) {
			size_t len = nl->recv_len > PP_NL_RECV_LEN_MAX ? PP_NL_RECV_LEN_MAX : nl->recv_len;

			if (lens[i] == 0) {
				if (e)
					e->code = ECONNRESET;
				return -ECONNRESET;
			}
			rec_keep(nl, nl->buf + i * len, lens[i]);
			rc = pp_nl_parse_replies(nl, nl->buf + i * len, lens[i], seq, cb, data, intr, e);
			if (rc != 0) {
				rec_done(nl, req, seq, *intr);
				return rc < 0 ? rc : 0;
			}
		}
	}
	nl->busy = true;
	for (;;) {
		n = recv_one(nl, 0);
		if (n < 0) {
			if (e)
				e->code = (int)-n;
			nl->busy = false;
			return (int)n;
		}
		if (n == 0) {
			if (e)
				e->code = ECONNRESET;
			nl->busy = false;
			return -ECONNRESET;
		}
		rec_keep(nl, nl->buf, (size_t)n);
		rc = pp_nl_parse_replies(nl, nl->buf, (size_t)n, seq, cb, data, intr, e);
		if (rc != 0) {
			nl->busy = false;
			rec_done(nl, req, seq, *intr);
			return rc < 0 ? rc : 0;
		}
	}
}

int
pp_nl_request(struct pp_nl *nl, struct nlmsghdr *req, pp_nl_cb cb, void *data,
	      struct pp_err *e)
{
	bool intr = false;

	if (e) {
		e->code = 0;
		e->ext[0] = '\0';
	}
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;
	return run(nl, req, cb, data, &intr, e);
}

int
pp_nl_dump(struct pp_nl *nl, struct nlmsghdr *req, pp_nl_cb cb, void *data,
	   pp_nl_reset reset, struct pp_err *e)
{
	int tries, rc;

	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_DUMP;
	for (tries = 0; tries < PP_NL_DUMP_TRIES; tries++) {
		bool intr = false;

		if (e) {
			e->code = 0;
			e->ext[0] = '\0';
		}
		rc = run(nl, req, cb, data, &intr, e);
		if (rc < 0 || !intr)
			return rc;
		/* The dump is inconsistent: the table changed while the kernel walked it. */
		nl->dump_retries++;
		if (reset)
			reset(data);
	}
	if (e) {
		e->code = EAGAIN;
		snprintf(e->ext, sizeof(e->ext), "the table kept changing during %d dumps", PP_NL_DUMP_TRIES);
	}
	return -EAGAIN;
}

int
pp_nl_subscribe(struct pp_nl *nl, unsigned group, struct pp_err *e)
{
	int g = (int)group;

	if (nl->replay) {
		pp_err_set(e, ENODATA, "a snapshot holds no events (netlink group %u)", group);
		return -ENODATA;
	}
	if (mnl_socket_setsockopt(nl->sk, NETLINK_ADD_MEMBERSHIP, &g, sizeof(g)) < 0) {
		int err = errno;

		pp_err_set(e, err, "netlink group %u", group);
		return -err;
	}
	return 0;
}

int
pp_nl_recv_events(struct pp_nl *nl, pp_nl_cb cb, void *data, struct pp_err *e)
{
	const struct nlmsghdr *nlh;
	ssize_t n;
	int rem, count = 0, rc;

	if (nl->replay) {
		pp_err_set(e, ENODATA, "a snapshot holds no events");
		return -ENODATA;
	}
	n = recv_one(nl, MSG_DONTWAIT);
	if (n < 0) {
		if (n == -EAGAIN || n == -EWOULDBLOCK)
			return 0;
		if (n == -ENOBUFS)
			nl->enobufs++;
		if (e)
			e->code = (int)-n;
		return (int)n;
	}
	nlh = (const struct nlmsghdr *)nl->buf;
	rem = (int)n;
	while (msg_ok(nlh, rem)) {
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
			if ((rc = cb(nlh, data)) < 0)
				return rc;
			count++;
		}
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	return count;
}

int
pp_nl_set_rcvbuf(struct pp_nl *nl, int bytes)
{
	int fd = nl->sk ? mnl_socket_get_fd(nl->sk) : -1, got = 0;
	socklen_t sl = sizeof(got);

	if (fd < 0)
		return -ENODATA;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) < 0)
		return -errno;
	if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &sl) < 0)
		return -errno;
	return got;
}
