/*
 * test_ipset: common/ipset.c on built messages. Requests carry the flags the
 * kernel insists on (NLA_F_NESTED, NLA_F_NET_BYTEORDER) and IPSET_ATTR_PROTOCOL;
 * a LIST reply decodes, and every cut of it is refused or decoded without a read
 * past its end; the kernel's "not in the set" (IPSET_ERR_EXIST, above MAX_ERRNO)
 * reaches the caller as an answer; the key -m set builds follows the kernel's
 * dimensions, directions and families.
 */
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/ipset/ip_set.h>

#include "tap.h"
#include "ipset.h"
#include "xt.h"

static uint8_t buf[1024] __attribute__((aligned(4)));

/* The attribute of type (flags masked) among those from p to end, or NULL. */
static const struct nlattr *
find(const void *p, const void *end, uint16_t type)
{
	const struct nlattr *a = p;

	while ((const char *)a + NLA_HDRLEN <= (const char *)end && a->nla_len >= NLA_HDRLEN) {
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		a = (const struct nlattr *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return NULL;
}

static const struct nlattr *
top(const struct nlmsghdr *nlh, uint16_t type)
{
	return find((const char *)nlh + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)),
		    (const char *)nlh + nlh->nlmsg_len, type);
}

static const struct nlattr *
in(const struct nlattr *nest, uint16_t type)
{
	return find((const char *)nest + NLA_HDRLEN, (const char *)nest + nest->nla_len, type);
}

static void
type_parts(void)
{
	enum pp_ipset_part p[PP_IPSET_PARTS];

	CHECK_EQ_INT(pp_ipset_type_parts("hash:ip", p), 1);
	CHECK_EQ_INT(p[0], PP_IPSET_P_IP);
	CHECK_EQ_INT(pp_ipset_type_parts("hash:net,port,net", p), 3);
	CHECK(p[0] == PP_IPSET_P_IP && p[1] == PP_IPSET_P_PORT && p[2] == PP_IPSET_P_IP);
	CHECK_EQ_INT(pp_ipset_type_parts("hash:net,iface", p), 2);
	CHECK_EQ_INT(p[1], PP_IPSET_P_IFACE);
	CHECK_EQ_INT(pp_ipset_type_parts("bitmap:port", p), 1);
	CHECK_EQ_INT(pp_ipset_type_parts("hash:ip,mark", p), 2);
	CHECK_EQ_INT(pp_ipset_type_parts("list:set", p), -EOPNOTSUPP);
	CHECK_EQ_INT(pp_ipset_type_parts("hash:ip,foo", p), -EOPNOTSUPP);
	CHECK_EQ_INT(pp_ipset_type_parts("hash:ip,port,ip,port", p), -EOPNOTSUPP);
	CHECK_EQ_INT(pp_ipset_type_parts("hash:", p), -EOPNOTSUPP);
}

static void
test_request(void)
{
	struct pp_ipset_key k = { 0 };
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct nlattr *a, *d, *ip;
	uint32_t v4;
	int n;

	k.n = 2;
	k.part[0].kind = PP_IPSET_P_IP;
	k.part[0].addr.family = AF_INET;
	inet_pton(AF_INET, "198.51.100.3", &k.part[0].addr.u.v4);
	k.part[1].kind = PP_IPSET_P_PORT;
	k.part[1].proto = IPPROTO_TCP;
	k.part[1].port = 8080;
	n = pp_ipset_build_test(buf, sizeof(buf), "svc", NFPROTO_IPV4, &k);
	CHECK(n > 0 && (unsigned)n == nlh->nlmsg_len);
	CHECK_EQ_INT(nlh->nlmsg_type, (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_TEST);
	CHECK(nlh->nlmsg_flags & NLM_F_REQUEST);
	CHECK((a = top(nlh, IPSET_ATTR_PROTOCOL)) && mnl_attr_get_u8(a) == IPSET_PROTOCOL);
	CHECK((a = top(nlh, IPSET_ATTR_SETNAME)) && !strcmp(mnl_attr_get_str(a), "svc"));
	d = top(nlh, IPSET_ATTR_DATA);
	CHECK(d && (d->nla_type & NLA_F_NESTED));
	if (!d)
		return;
	ip = in(d, IPSET_ATTR_IP);
	CHECK(ip && (ip->nla_type & NLA_F_NESTED));
	if (!ip)
		return;
	a = in(ip, IPSET_ATTR_IPADDR_IPV4);
	CHECK(a && (a->nla_type & NLA_F_NET_BYTEORDER) && mnl_attr_get_payload_len(a) == 4);
	if (a) {
		memcpy(&v4, mnl_attr_get_payload(a), 4);
		CHECK_EQ_INT(ntohl(v4), 0xc6336403);
	}
	a = in(d, IPSET_ATTR_PORT);
	CHECK(a && (a->nla_type & NLA_F_NET_BYTEORDER) && ntohs(mnl_attr_get_u16(a)) == 8080);
	CHECK((a = in(d, IPSET_ATTR_PROTO)) && mnl_attr_get_u8(a) == IPPROTO_TCP);
	CHECK(in(d, IPSET_ATTR_IP2) == NULL);

	/* a second address is IPSET_ATTR_IP2; IPv6 is 16 net-order bytes */
	k.n = 3;
	k.part[0].addr.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", &k.part[0].addr.u.v6);
	k.part[2] = k.part[0];
	inet_pton(AF_INET6, "2001:db8::2", &k.part[2].addr.u.v6);
	n = pp_ipset_build_test(buf, sizeof(buf), "ipp6", NFPROTO_IPV6, &k);
	CHECK(n > 0);
	d = top(nlh, IPSET_ATTR_DATA);
	ip = d ? in(d, IPSET_ATTR_IP2) : NULL;
	a = ip ? in(ip, IPSET_ATTR_IPADDR_IPV6) : NULL;
	CHECK(a && mnl_attr_get_payload_len(a) == 16 && (a->nla_type & NLA_F_NET_BYTEORDER) &&
	      ((const uint8_t *)mnl_attr_get_payload(a))[15] == 2);
	/* bitmap:port: no protocol attribute */
	k.n = 1;
	k.part[0] = k.part[1];
	k.part[0].proto = 0;
	CHECK(pp_ipset_build_test(buf, sizeof(buf), "ports", NFPROTO_IPV4, &k) > 0);
	d = top(nlh, IPSET_ATTR_DATA);
	CHECK(d && in(d, IPSET_ATTR_PORT) && !in(d, IPSET_ATTR_PROTO));

	CHECK_EQ_INT(pp_ipset_build_test(buf, 16, "svc", NFPROTO_IPV4, &k), -EMSGSIZE);
	CHECK_EQ_INT(pp_ipset_build_test(buf, sizeof(buf), "a-name-of-thirty-two-characters!", NFPROTO_IPV4, &k),
		     -EINVAL);
	k.n = 0;
	CHECK_EQ_INT(pp_ipset_build_test(buf, sizeof(buf), "svc", NFPROTO_IPV4, &k), -EINVAL);
}

static void
list_and_index_requests(void)
{
	const struct nlmsghdr *nlh = (const void *)buf;
	const struct nlattr *a;

	CHECK(pp_ipset_build_list(buf, sizeof(buf), "blk") > 0);
	CHECK_EQ_INT(nlh->nlmsg_type, (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_LIST);
	CHECK((a = top(nlh, IPSET_ATTR_PROTOCOL)) && mnl_attr_get_u8(a) == IPSET_PROTOCOL);
	CHECK((a = top(nlh, IPSET_ATTR_SETNAME)) && !strcmp(mnl_attr_get_str(a), "blk"));
	CHECK((a = top(nlh, IPSET_ATTR_FLAGS)) && ntohl(mnl_attr_get_u32(a)) == IPSET_FLAG_LIST_HEADER);
	CHECK(pp_ipset_build_byindex(buf, sizeof(buf), 258) > 0);
	CHECK_EQ_INT(nlh->nlmsg_type, (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_GET_BYINDEX);
	CHECK((a = top(nlh, IPSET_ATTR_INDEX)) && ntohs(mnl_attr_get_u16(a)) == 258);
}

/* An IPSET_CMD_LIST reply header as the kernel sends it. */
static size_t
list_reply(uint8_t *b, size_t len, bool with_type)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b);
	struct nfgenmsg *nfg;
	struct nlattr *d;

	nlh->nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_LIST;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_IPV4;
	mnl_attr_put_u8(nlh, IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL);
	mnl_attr_put_strz(nlh, IPSET_ATTR_SETNAME, "nets");
	if (with_type)
		mnl_attr_put_strz(nlh, IPSET_ATTR_TYPENAME, "hash:net");
	mnl_attr_put_u8(nlh, IPSET_ATTR_REVISION, 7);
	mnl_attr_put_u8(nlh, IPSET_ATTR_FAMILY, NFPROTO_IPV4);
	d = mnl_attr_nest_start(nlh, IPSET_ATTR_DATA);
	mnl_attr_put_u32(nlh, IPSET_ATTR_HASHSIZE | NLA_F_NET_BYTEORDER, htonl(1024));
	mnl_attr_put_u32(nlh, IPSET_ATTR_ELEMENTS | NLA_F_NET_BYTEORDER, htonl(2));
	mnl_attr_nest_end(nlh, d);
	(void)len;
	return nlh->nlmsg_len;
}

static void
list_reply_decoded(void)
{
	struct pp_ipset_info info;
	size_t n = list_reply(buf, sizeof(buf), true), cut, ok = 0;
	struct nlmsghdr *nlh = (void *)buf;
	char name[PP_IPSET_NAMELEN];

	CHECK_EQ_INT(pp_ipset_decode_list(nlh, &info), 0);
	CHECK_STR(info.name, "nets");
	CHECK_STR(info.type, "hash:net");
	CHECK_EQ_INT(info.family, NFPROTO_IPV4);
	CHECK_EQ_INT(info.revision, 7);
	CHECK(info.has_elements && info.elements == 2);
	/* every cut: from an exact-size copy, refused or decoded, never read past */
	for (cut = NLMSG_HDRLEN; cut < n; cut++) {
		struct nlmsghdr *c = malloc(cut);
		int rc;

		memcpy(c, buf, cut);
		c->nlmsg_len = (uint32_t)cut;
		rc = pp_ipset_decode_list(c, &info);
		CHECK(rc == 0 || rc == -EBADMSG);
		ok += rc == 0;
		free(c);
	}
	/* a cut that keeps name, type and family but loses the data nest is still a header */
	CHECK(ok < n - NLMSG_HDRLEN);
	list_reply(buf, sizeof(buf), false);
	CHECK_EQ_INT(pp_ipset_decode_list(nlh, &info), -EBADMSG);
	list_reply(buf, sizeof(buf), true);
	nlh->nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_TEST;
	CHECK_EQ_INT(pp_ipset_decode_list(nlh, &info), -EBADMSG);
	/* a set name without its NUL */
	list_reply(buf, sizeof(buf), true);
	nlh->nlmsg_type = (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_GET_BYINDEX;
	CHECK_EQ_INT(pp_ipset_decode_name(nlh, name, sizeof(name)), 0);
	CHECK_STR(name, "nets");
	{
		struct nlattr *a = (void *)(buf + NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)));

		a = (void *)((char *)a + NLA_ALIGN(a->nla_len));	/* SETNAME */
		memset((char *)a + NLA_HDRLEN, 'x', a->nla_len - NLA_HDRLEN);
		CHECK_EQ_INT(pp_ipset_decode_name(nlh, name, sizeof(name)), -EBADMSG);
	}
}

/* NLMSG_ERROR for a request of type req_type with error err. */
static size_t
nl_error(uint8_t *b, uint16_t req_type, int err, uint32_t seq, uint32_t portid)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(b);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = portid;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg.nlmsg_len = NLMSG_HDRLEN;
	e->msg.nlmsg_type = req_type;
	e->msg.nlmsg_seq = seq;
	return nlh->nlmsg_len;
}

static void
test_answers(void)
{
	struct pp_nl nl;
	struct pp_err e = { 0 };
	bool intr = false;
	size_t n;

	memset(&nl, 0, sizeof(nl));
	nl.proto = NETLINK_NETFILTER;
	nl.portid = 77;
	CHECK_EQ_INT(pp_ipset_test_answer(0), 1);
	CHECK_EQ_INT(pp_ipset_test_answer(-IPSET_ERR_EXIST), 0);
	CHECK_EQ_INT(pp_ipset_test_answer(-ENOENT), -ENOENT);
	CHECK_EQ_INT(pp_ipset_test_answer(-IPSET_ERR_PROTOCOL), -IPSET_ERR_PROTOCOL);
	/* the kernel's IPSET_ERR_EXIST to an ipset request reaches the caller as it is */
	n = nl_error(buf, (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_TEST, -IPSET_ERR_EXIST, 9, 77);
	CHECK_EQ_INT(pp_nl_parse_replies(&nl, buf, n, 9, NULL, NULL, &intr, &e), -IPSET_ERR_EXIST);
	CHECK_EQ_INT(e.code, IPSET_ERR_EXIST);
	/* the same number to another subsystem's request is still a malformed reply */
	n = nl_error(buf, (NFNL_SUBSYS_CTNETLINK << 8) | 1, -IPSET_ERR_EXIST, 9, 77);
	CHECK_EQ_INT(pp_nl_parse_replies(&nl, buf, n, 9, NULL, NULL, &intr, &e), -EPROTO);
	n = nl_error(buf, (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_TEST, -100000, 9, 77);
	CHECK_EQ_INT(pp_nl_parse_replies(&nl, buf, n, 9, NULL, NULL, &intr, &e), -EPROTO);
	n = nl_error(buf, (NFNL_SUBSYS_IPSET << 8) | IPSET_CMD_TEST, 0, 9, 77);
	CHECK_EQ_INT(pp_nl_parse_replies(&nl, buf, n, 9, NULL, NULL, &intr, &e), 1);
}

static void
key_from_packet(void)
{
	struct pp_ipset_info set = { .name = "svc", .type = "hash:ip,port", .family = NFPROTO_IPV4 };
	struct pp_xt_pkt p = { 0 };
	struct pp_xt_set_query q = { .index = 3, .dim = 2, .srcdst = 0x1, .pkt = &p };
	struct pp_ipset_key k;
	char why[128], a[64];

	p.family = NFPROTO_IPV4;
	p.addr_known = p.l4_known = p.ports_known = true;
	p.src.family = p.dst.family = AF_INET;
	inet_pton(AF_INET, "198.51.100.3", &p.src.u.v4);
	inet_pton(AF_INET, "203.0.113.2", &p.dst.u.v4);
	p.l4proto = IPPROTO_TCP;
	p.sport = 40000, p.dport = 80;
	/* src,dst: the source address, the destination port */
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), 1);
	CHECK_EQ_INT(k.n, 2);
	CHECK_STR(inet_ntop(AF_INET, &k.part[0].addr.u.v4, a, sizeof(a)), "198.51.100.3");
	CHECK(k.part[1].kind == PP_IPSET_P_PORT && k.part[1].port == 80 && k.part[1].proto == IPPROTO_TCP);
	q.srcdst = 0x2;
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), 1);
	CHECK_STR(inet_ntop(AF_INET, &k.part[0].addr.u.v4, a, sizeof(a)), "203.0.113.2");
	CHECK_EQ_INT(k.part[1].port, 40000);
	/* fewer dimensions than the type: the kernel's match is never true */
	q.dim = 1;
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), 0);
	q.dim = 2;
	set.family = NFPROTO_IPV6;
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), 0);
	set.family = NFPROTO_IPV4;
	p.ports_known = false;
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), -1);
	CHECK(strstr(why, "ports") != NULL);
	p.ports_known = true;
	p.l4proto = IPPROTO_ICMP;
	p.icmp_known = true;
	p.icmp_type = 8;
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), 1);
	CHECK_EQ_INT(k.part[1].port, 8 << 8);
	p.l4proto = IPPROTO_GRE;
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), -1);
	p.l4proto = IPPROTO_TCP;
	snprintf(set.type, sizeof(set.type), "bitmap:port");
	q.dim = 1, q.srcdst = 0;
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), 1);
	CHECK(k.part[0].port == 80 && k.part[0].proto == 0);
	snprintf(set.type, sizeof(set.type), "hash:net,iface");
	q.dim = 2, q.srcdst = 0x3;
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), -1);
	CHECK(strstr(why, "input device") != NULL);
	p.iif_known = true;
	snprintf(p.iif, sizeof(p.iif), "eth0");
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), 1);
	CHECK_STR(k.part[1].iface, "eth0");
	snprintf(set.type, sizeof(set.type), "hash:mac");
	q.dim = 1, q.srcdst = 0;
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), -1);
	CHECK(strstr(why, "destination MAC") != NULL);
	snprintf(set.type, sizeof(set.type), "list:set");
	CHECK_EQ_INT(pp_ipset_key_for(&set, &q, &k, why, sizeof(why)), -1);
	CHECK(strstr(why, "list:set") != NULL);
}

int
main(void)
{
	RUN(type_parts);
	RUN(test_request);
	RUN(list_and_index_requests);
	RUN(list_reply_decoded);
	RUN(test_answers);
	RUN(key_from_packet);
	return tap_done();
}
