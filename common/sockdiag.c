/* sockdiag.c: inet sockets through NETLINK_SOCK_DIAG. */
#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include <sys/socket.h>

#include "attr.h"
#include "sockdiag.h"

static const struct pp_attr_policy sock_pol[INET_DIAG_MAX + 1] = {
	[INET_DIAG_SHUTDOWN] = { PP_A_U8 },
	[INET_DIAG_PROTOCOL] = { PP_A_U8 },
	[INET_DIAG_SKV6ONLY] = { PP_A_U8 },
};

int
pp_sock_decode(const struct nlmsghdr *nlh, struct pp_sock *s)
{
	const struct nlattr *tb[INET_DIAG_MAX + 1];
	const struct inet_diag_msg *m = pp_msg_hdr(nlh, sizeof(*m));
	size_t alen;

	memset(s, 0, sizeof(*s));
	if (!m)
		return -EBADMSG;
	if (m->idiag_family != AF_INET && m->idiag_family != AF_INET6)
		return -EBADMSG;
	if (pp_attr_parse_msg(nlh, sizeof(*m), sock_pol, INET_DIAG_MAX, tb) < 0)
		return -EBADMSG;
	s->family = m->idiag_family;
	s->state = m->idiag_state;
	alen = s->family == AF_INET ? 4 : 16;
	pp_addr_set(&s->src, s->family, m->id.idiag_src, alen);
	pp_addr_set(&s->dst, s->family, m->id.idiag_dst, alen);
	s->sport = ntohs(m->id.idiag_sport);
	s->dport = ntohs(m->id.idiag_dport);
	s->ifindex = m->id.idiag_if;
	s->rqueue = m->idiag_rqueue;
	s->wqueue = m->idiag_wqueue;
	s->uid = m->idiag_uid;
	s->inode = m->idiag_inode;
	if (tb[INET_DIAG_PROTOCOL])
		s->proto = mnl_attr_get_u8(tb[INET_DIAG_PROTOCOL]);
	if (tb[INET_DIAG_SKV6ONLY]) {
		s->has_v6only = true;
		s->v6only = mnl_attr_get_u8(tb[INET_DIAG_SKV6ONLY]) != 0;
	}
	return 0;
}

struct dump_ctx {
	struct pp_nl *nl;
	pp_sock_cb cb;
	void *data;
	uint8_t proto;
	uint16_t sport;
	unsigned long seen;	/* replies read, decoded or not */
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct pp_sock s;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY)
		return 0;
	c->seen++;
	if (pp_sock_decode(nlh, &s) < 0) {
		c->nl->bad_msgs++;
		return 0;
	}
	if (!s.proto)
		s.proto = c->proto;
	/* The kernel filtered by port already; this matters only when it refused the bytecode. */
	if (c->sport && s.sport != c->sport)
		return 0;
	return c->cb(&s, c->data);
}

/*
 * The bytecode "sport >= port && sport <= port". The kernel runs it op by op:
 * a true op moves on by op->yes bytes, a false one by op->no; the socket matches
 * when the walk ends exactly at the end of the program. So a false test jumps
 * four bytes past the end (no = remaining + 4), the reject ss(8) uses. A port
 * test takes two ops, the second carrying the port (host order) in its no field.
 * INET_DIAG_BC_S_EQ would do in one test, but older kernels (it came in 2018)
 * refuse it.
 */
static void
put_port_filter(struct nlmsghdr *nlh, uint16_t port)
{
	struct inet_diag_bc_op bc[4] = {
		{ .code = INET_DIAG_BC_S_GE, .yes = 8, .no = 16 + 4 },
		{ .no = port },
		{ .code = INET_DIAG_BC_S_LE, .yes = 8, .no = 8 + 4 },
		{ .no = port },
	};

	mnl_attr_put(nlh, INET_DIAG_REQ_BYTECODE, sizeof(bc), bc);
}

static int
dump_one(struct pp_nl *nl, struct dump_ctx *c, int family, uint32_t states, bool filter,
	 struct pp_err *e)
{
	char buf[256] __attribute__((aligned(4)));
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct inet_diag_req_v2 *r;

	nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
	r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
	r->sdiag_family = (uint8_t)family;
	r->sdiag_protocol = c->proto;
	r->idiag_states = states;
	if (filter)
		put_port_filter(nlh, c->sport);
	pp_err_set(e, 0, "SOCK_DIAG_BY_FAMILY %s %s dump", family == AF_INET ? "inet" : "inet6",
		   c->proto == IPPROTO_TCP ? "tcp" : c->proto == IPPROTO_UDP ? "udp" : "proto");
	return pp_nl_dump(nl, nlh, dump_cb, c, NULL, e);
}

int
pp_sock_dump(struct pp_nl *nl, int family, uint8_t proto, uint32_t states, uint16_t sport,
	     pp_sock_cb cb, void *data, struct pp_err *e)
{
	static const int both[] = { AF_INET, AF_INET6 };
	struct dump_ctx c = { nl, cb, data, proto, sport, 0 };
	const int *fams = both;
	size_t nf = 2, i;
	int rc = 0;

	if (family == AF_INET || family == AF_INET6) {
		fams = family == AF_INET ? &both[0] : &both[1];
		nf = 1;
	} else if (family != AF_UNSPEC) {
		pp_err_set(e, EAFNOSUPPORT, "SOCK_DIAG_BY_FAMILY family %d", family);
		return -EAFNOSUPPORT;
	}
	for (i = 0; i < nf; i++) {
		c.seen = 0;
		rc = dump_one(nl, &c, fams[i], states, sport != 0, e);
		/*
		 * The kernel audits the bytecode before the dump starts: -EINVAL with
		 * no reply read means it refused the filter (and not that cb said
		 * -EINVAL), so dump again unfiltered and match the port here.
		 */
		if (rc == -EINVAL && sport && c.seen == 0)
			rc = dump_one(nl, &c, fams[i], states, false, e);
		if (rc < 0)
			break;
	}
	return rc;
}
