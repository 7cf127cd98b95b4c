/* ct.c: conntrack dumps, statistics and events over ctnetlink, on libmnl. */
#include <arpa/inet.h>
#include <endian.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <linux/filter.h>
#include <linux/futex.h>
#include <linux/sock_diag.h>

#include "attr.h"
#include "ct.h"

#ifndef SO_MEMINFO
#define SO_MEMINFO 55
#endif

#define CT_TYPE(msg) ((NFNL_SUBSYS_CTNETLINK << 8) | (msg))

/* ---- policies ---- */

static const struct pp_attr_policy ct_pol[CTA_MAX + 1] = {
	[CTA_TUPLE_ORIG] = { PP_A_NEST, 0 },
	[CTA_TUPLE_REPLY] = { PP_A_NEST, 0 },
	[CTA_STATUS] = { PP_A_U32, 0 },
	[CTA_PROTOINFO] = { PP_A_NEST, 0 },
	[CTA_HELP] = { PP_A_NEST, 0 },
	[CTA_TIMEOUT] = { PP_A_U32, 0 },
	[CTA_MARK] = { PP_A_U32, 0 },
	[CTA_COUNTERS_ORIG] = { PP_A_NEST, 0 },
	[CTA_COUNTERS_REPLY] = { PP_A_NEST, 0 },
	[CTA_USE] = { PP_A_U32, 0 },
	[CTA_ID] = { PP_A_U32, 0 },
	[CTA_ZONE] = { PP_A_U16, 0 },
	[CTA_SECCTX] = { PP_A_NEST, 0 },
	[CTA_TIMESTAMP] = { PP_A_NEST, 0 },
	[CTA_LABELS] = { PP_A_UNSPEC, 0 },
};

static const struct pp_attr_policy tuple_pol[CTA_TUPLE_MAX + 1] = {
	[CTA_TUPLE_IP] = { PP_A_NEST, 0 },
	[CTA_TUPLE_PROTO] = { PP_A_NEST, 0 },
	[CTA_TUPLE_ZONE] = { PP_A_U16, 0 },
};

static const struct pp_attr_policy ip_pol[CTA_IP_MAX + 1] = {
	[CTA_IP_V4_SRC] = { PP_A_ADDR, 0 },
	[CTA_IP_V4_DST] = { PP_A_ADDR, 0 },
	[CTA_IP_V6_SRC] = { PP_A_ADDR, 0 },
	[CTA_IP_V6_DST] = { PP_A_ADDR, 0 },
};

static const struct pp_attr_policy proto_pol[CTA_PROTO_MAX + 1] = {
	[CTA_PROTO_NUM] = { PP_A_U8, 0 },
	[CTA_PROTO_SRC_PORT] = { PP_A_U16, 0 },
	[CTA_PROTO_DST_PORT] = { PP_A_U16, 0 },
	[CTA_PROTO_ICMP_ID] = { PP_A_U16, 0 },
	[CTA_PROTO_ICMP_TYPE] = { PP_A_U8, 0 },
	[CTA_PROTO_ICMP_CODE] = { PP_A_U8, 0 },
	[CTA_PROTO_ICMPV6_ID] = { PP_A_U16, 0 },
	[CTA_PROTO_ICMPV6_TYPE] = { PP_A_U8, 0 },
	[CTA_PROTO_ICMPV6_CODE] = { PP_A_U8, 0 },
};

static const struct pp_attr_policy protoinfo_pol[CTA_PROTOINFO_MAX + 1] = {
	[CTA_PROTOINFO_TCP] = { PP_A_NEST, 0 },
};

static const struct pp_attr_policy tcp_pol[CTA_PROTOINFO_TCP_MAX + 1] = {
	[CTA_PROTOINFO_TCP_STATE] = { PP_A_U8, 0 },
};

static const struct pp_attr_policy counters_pol[CTA_COUNTERS_MAX + 1] = {
	[CTA_COUNTERS_PACKETS] = { PP_A_U64, 0 },
	[CTA_COUNTERS_BYTES] = { PP_A_U64, 0 },
	[CTA_COUNTERS32_PACKETS] = { PP_A_U32, 0 },
	[CTA_COUNTERS32_BYTES] = { PP_A_U32, 0 },
};

static const struct pp_attr_policy tstamp_pol[CTA_TIMESTAMP_MAX + 1] = {
	[CTA_TIMESTAMP_START] = { PP_A_U64, 0 },
	[CTA_TIMESTAMP_STOP] = { PP_A_U64, 0 },
};

static const struct pp_attr_policy help_pol[CTA_HELP_MAX + 1] = {
	[CTA_HELP_NAME] = { PP_A_STR, 0 },
};

static const struct pp_attr_policy secctx_pol[CTA_SECCTX_MAX + 1] = {
	[CTA_SECCTX_NAME] = { PP_A_STR, 0 },
};

/* ---- small readers (attributes are 4-byte aligned; 64-bit ones may not be 8-byte aligned) ---- */

static inline const void *
pay(const struct nlattr *a)
{
	return (const char *)a + NLA_HDRLEN;
}

static inline uint8_t
get_u8(const struct nlattr *a)
{
	return *(const uint8_t *)pay(a);
}

static inline uint16_t
get_be16(const struct nlattr *a)
{
	uint16_t v;

	memcpy(&v, pay(a), 2);
	return ntohs(v);
}

static inline uint32_t
get_be32(const struct nlattr *a)
{
	uint32_t v;

	memcpy(&v, pay(a), 4);
	return ntohl(v);
}

static inline uint64_t
get_be64(const struct nlattr *a)
{
	uint64_t v;

	memcpy(&v, pay(a), 8);
	return be64toh(v);
}

static void
copy_str(char *dst, size_t len, const struct nlattr *a)
{
	size_t n = strnlen(pay(a), a->nla_len - NLA_HDRLEN);

	if (n >= len)
		n = len - 1;
	memcpy(dst, pay(a), n);
	dst[n] = '\0';
}

/* ---- the decoder ---- */

static int
parse_tuple(const struct nlattr *nest, int family, struct pp_ct_tuple *t)
{
	const struct nlattr *tb[CTA_TUPLE_MAX + 1];
	const struct nlattr *ip[CTA_IP_MAX + 1];
	const struct nlattr *pr[CTA_PROTO_MAX + 1];

	if (pp_attr_parse_nest(nest, tuple_pol, CTA_TUPLE_MAX, tb) < 0)
		return -EBADMSG;
	if (tb[CTA_TUPLE_IP]) {
		unsigned s = family == AF_INET6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC;
		unsigned d = family == AF_INET6 ? CTA_IP_V6_DST : CTA_IP_V4_DST;

		if (pp_attr_parse_nest(tb[CTA_TUPLE_IP], ip_pol, CTA_IP_MAX, ip) < 0)
			return -EBADMSG;
		if (ip[s]) {
			if (!pp_attr_addr(ip[s], family, &t->src))
				return -EBADMSG;
			t->have |= PP_CT_T_SRC;
		}
		if (ip[d]) {
			if (!pp_attr_addr(ip[d], family, &t->dst))
				return -EBADMSG;
			t->have |= PP_CT_T_DST;
		}
	}
	if (tb[CTA_TUPLE_PROTO]) {
		if (pp_attr_parse_nest(tb[CTA_TUPLE_PROTO], proto_pol, CTA_PROTO_MAX, pr) < 0)
			return -EBADMSG;
		if (pr[CTA_PROTO_NUM]) {
			t->proto = get_u8(pr[CTA_PROTO_NUM]);
			t->have |= PP_CT_T_PROTO;
		}
		if (pr[CTA_PROTO_SRC_PORT]) {
			t->sport = get_be16(pr[CTA_PROTO_SRC_PORT]);
			t->have |= PP_CT_T_SPORT;
		}
		if (pr[CTA_PROTO_DST_PORT]) {
			t->dport = get_be16(pr[CTA_PROTO_DST_PORT]);
			t->have |= PP_CT_T_DPORT;
		}
		/* ICMPv6 has its own attribute numbers for the same three fields. */
		if (pr[CTA_PROTO_ICMP_ID] || pr[CTA_PROTO_ICMPV6_ID]) {
			t->icmp_id = get_be16(pr[CTA_PROTO_ICMP_ID] ? pr[CTA_PROTO_ICMP_ID]
								    : pr[CTA_PROTO_ICMPV6_ID]);
			t->have |= PP_CT_T_ICMP_ID;
		}
		if (pr[CTA_PROTO_ICMP_TYPE] || pr[CTA_PROTO_ICMPV6_TYPE]) {
			t->icmp_type = get_u8(pr[CTA_PROTO_ICMP_TYPE] ? pr[CTA_PROTO_ICMP_TYPE]
								      : pr[CTA_PROTO_ICMPV6_TYPE]);
			t->have |= PP_CT_T_ICMP_TYPE;
		}
		if (pr[CTA_PROTO_ICMP_CODE] || pr[CTA_PROTO_ICMPV6_CODE]) {
			t->icmp_code = get_u8(pr[CTA_PROTO_ICMP_CODE] ? pr[CTA_PROTO_ICMP_CODE]
								      : pr[CTA_PROTO_ICMPV6_CODE]);
			t->have |= PP_CT_T_ICMP_CODE;
		}
	}
	if (tb[CTA_TUPLE_ZONE]) {
		t->zone = get_be16(tb[CTA_TUPLE_ZONE]);
		t->have |= PP_CT_T_ZONE;
	}
	return 0;
}

static int
parse_counters(const struct nlattr *nest, uint64_t *pkts, uint64_t *bytes)
{
	const struct nlattr *tb[CTA_COUNTERS_MAX + 1];

	if (pp_attr_parse_nest(nest, counters_pol, CTA_COUNTERS_MAX, tb) < 0)
		return -EBADMSG;
	if (tb[CTA_COUNTERS_PACKETS])
		*pkts = get_be64(tb[CTA_COUNTERS_PACKETS]);
	else if (tb[CTA_COUNTERS32_PACKETS])
		*pkts = get_be32(tb[CTA_COUNTERS32_PACKETS]);
	if (tb[CTA_COUNTERS_BYTES])
		*bytes = get_be64(tb[CTA_COUNTERS_BYTES]);
	else if (tb[CTA_COUNTERS32_BYTES])
		*bytes = get_be32(tb[CTA_COUNTERS32_BYTES]);
	return 0;
}

int
pp_ct_parse(const struct nlmsghdr *nlh, struct pp_ct_entry *ct, enum pp_ct_event *ev)
{
	const struct nlattr *tb[CTA_MAX + 1];
	const struct nfgenmsg *nfg;
	unsigned type;

	memset(ct, 0, sizeof(*ct));
	if (ev)
		*ev = PP_CT_EV_NONE;
	if (nlh->nlmsg_len < NLMSG_HDRLEN)
		return -EBADMSG;
	if ((nlh->nlmsg_type >> 8) != NFNL_SUBSYS_CTNETLINK)
		return -ENOMSG;
	type = nlh->nlmsg_type & 0xff;
	if (type != IPCTNL_MSG_CT_NEW && type != IPCTNL_MSG_CT_DELETE)
		return -ENOMSG;
	if (!(nfg = pp_msg_hdr(nlh, sizeof(*nfg))))
		return -EBADMSG;
	if (pp_attr_parse_msg(nlh, sizeof(*nfg), ct_pol, CTA_MAX, tb) < 0)
		return -EBADMSG;
	if (ev) {
		if (type == IPCTNL_MSG_CT_DELETE)
			*ev = PP_CT_EV_DESTROY;
		else if (nlh->nlmsg_flags & (NLM_F_CREATE | NLM_F_EXCL))
			*ev = PP_CT_EV_NEW;
		else
			*ev = PP_CT_EV_UPDATE;
	}
	ct->family = nfg->nfgen_family;
	if (ct->family != AF_INET && ct->family != AF_INET6)
		return -EBADMSG;
	if (tb[CTA_TUPLE_ORIG]) {
		if (parse_tuple(tb[CTA_TUPLE_ORIG], ct->family, &ct->orig) < 0)
			return -EBADMSG;
		ct->have |= PP_CT_HAVE_ORIG;
	}
	if (tb[CTA_TUPLE_REPLY]) {
		if (parse_tuple(tb[CTA_TUPLE_REPLY], ct->family, &ct->reply) < 0)
			return -EBADMSG;
		ct->have |= PP_CT_HAVE_REPLY;
	}
	if (tb[CTA_STATUS]) {
		ct->status = get_be32(tb[CTA_STATUS]);
		ct->have |= PP_CT_HAVE_STATUS;
	}
	if (tb[CTA_TIMEOUT]) {
		ct->timeout = get_be32(tb[CTA_TIMEOUT]);
		ct->have |= PP_CT_HAVE_TIMEOUT;
	}
	if (tb[CTA_MARK]) {
		ct->mark = get_be32(tb[CTA_MARK]);
		ct->have |= PP_CT_HAVE_MARK;
	}
	if (tb[CTA_USE]) {
		ct->use = get_be32(tb[CTA_USE]);
		ct->have |= PP_CT_HAVE_USE;
	}
	if (tb[CTA_ID]) {
		ct->id = get_be32(tb[CTA_ID]);
		ct->have |= PP_CT_HAVE_ID;
	}
	if (tb[CTA_ZONE]) {
		ct->zone = get_be16(tb[CTA_ZONE]);
		ct->have |= PP_CT_HAVE_ZONE;
	}
	if (tb[CTA_LABELS]) {
		/* The kernel's bitmap (unsigned long words): as 32-bit host-order words, beyond 128 bits ignored. */
		size_t n = mnl_attr_get_payload_len(tb[CTA_LABELS]);

		if (n % 4)
			return -EBADMSG;
		memcpy(ct->labels, mnl_attr_get_payload(tb[CTA_LABELS]), n < sizeof(ct->labels) ? n : sizeof(ct->labels));
		if (ct->labels[0] | ct->labels[1] | ct->labels[2] | ct->labels[3])
			ct->have |= PP_CT_HAVE_LABELS;
	}
	if (tb[CTA_PROTOINFO]) {
		const struct nlattr *pi[CTA_PROTOINFO_MAX + 1];
		const struct nlattr *tcp[CTA_PROTOINFO_TCP_MAX + 1];

		if (pp_attr_parse_nest(tb[CTA_PROTOINFO], protoinfo_pol, CTA_PROTOINFO_MAX, pi) < 0)
			return -EBADMSG;
		if (pi[CTA_PROTOINFO_TCP]) {
			if (pp_attr_parse_nest(pi[CTA_PROTOINFO_TCP], tcp_pol, CTA_PROTOINFO_TCP_MAX,
					       tcp) < 0)
				return -EBADMSG;
			if (tcp[CTA_PROTOINFO_TCP_STATE]) {
				ct->tcp_state = get_u8(tcp[CTA_PROTOINFO_TCP_STATE]);
				ct->have |= PP_CT_HAVE_TCP_STATE;
			}
		}
	}
	if (tb[CTA_COUNTERS_ORIG]) {
		if (parse_counters(tb[CTA_COUNTERS_ORIG], &ct->packets[0], &ct->bytes[0]) < 0)
			return -EBADMSG;
		ct->have |= PP_CT_HAVE_COUNTERS_ORIG;
	}
	if (tb[CTA_COUNTERS_REPLY]) {
		if (parse_counters(tb[CTA_COUNTERS_REPLY], &ct->packets[1], &ct->bytes[1]) < 0)
			return -EBADMSG;
		ct->have |= PP_CT_HAVE_COUNTERS_REPLY;
	}
	if (tb[CTA_TIMESTAMP]) {
		const struct nlattr *ts[CTA_TIMESTAMP_MAX + 1];

		if (pp_attr_parse_nest(tb[CTA_TIMESTAMP], tstamp_pol, CTA_TIMESTAMP_MAX, ts) < 0)
			return -EBADMSG;
		if (ts[CTA_TIMESTAMP_START]) {
			ct->tstamp_start = get_be64(ts[CTA_TIMESTAMP_START]);
			ct->have |= PP_CT_HAVE_TSTAMP_START;
		}
		if (ts[CTA_TIMESTAMP_STOP]) {
			ct->tstamp_stop = get_be64(ts[CTA_TIMESTAMP_STOP]);
			ct->have |= PP_CT_HAVE_TSTAMP_STOP;
		}
	}
	if (tb[CTA_HELP]) {
		const struct nlattr *h[CTA_HELP_MAX + 1];

		if (pp_attr_parse_nest(tb[CTA_HELP], help_pol, CTA_HELP_MAX, h) < 0)
			return -EBADMSG;
		if (h[CTA_HELP_NAME]) {
			copy_str(ct->helper, sizeof(ct->helper), h[CTA_HELP_NAME]);
			ct->have |= PP_CT_HAVE_HELPER;
		}
	}
	if (tb[CTA_SECCTX]) {
		const struct nlattr *s[CTA_SECCTX_MAX + 1];

		if (pp_attr_parse_nest(tb[CTA_SECCTX], secctx_pol, CTA_SECCTX_MAX, s) < 0)
			return -EBADMSG;
		if (s[CTA_SECCTX_NAME]) {
			copy_str(ct->secctx, sizeof(ct->secctx), s[CTA_SECCTX_NAME]);
			ct->have |= PP_CT_HAVE_SECCTX;
		}
	}
	return 0;
}

/* ---- names ---- */

const char *
pp_ct_event_name(enum pp_ct_event ev)
{
	switch (ev) {
	case PP_CT_EV_NEW: return "new";
	case PP_CT_EV_UPDATE: return "update";
	case PP_CT_EV_DESTROY: return "destroy";
	default: return "none";
	}
}

/* enum tcp_conntrack, in kernel order. */
static const char *const tcp_states[] = {
	"NONE", "SYN_SENT", "SYN_RECV", "ESTABLISHED", "FIN_WAIT", "CLOSE_WAIT",
	"LAST_ACK", "TIME_WAIT", "CLOSE", "SYN_SENT2",
};

const char *
pp_ct_tcp_state_name(unsigned st)
{
	return st < PP_ARRAY_SIZE(tcp_states) ? tcp_states[st] : NULL;
}

int
pp_ct_tcp_state_from_name(const char *name)
{
	for (size_t i = 0; i < PP_ARRAY_SIZE(tcp_states); i++)
		if (strcasecmp(name, tcp_states[i]) == 0)
			return (int)i;
	return -1;
}

/* enum ip_conntrack_status bits, named as conntrack(8) takes them in --status. */
static const char *const status_bits[] = {
	"EXPECTED", "SEEN_REPLY", "ASSURED", "CONFIRMED", "SRC_NAT", "DST_NAT",
	"SEQ_ADJUST", "SRC_NAT_DONE", "DST_NAT_DONE", "DYING", "FIXED_TIMEOUT",
	"TEMPLATE", "NAT_CLASH", "HELPER", "OFFLOAD", "HW_OFFLOAD",
};

const char *
pp_ct_status_bit_name(unsigned bit)
{
	return bit < PP_ARRAY_SIZE(status_bits) ? status_bits[bit] : NULL;
}

int
pp_ct_status_bit_from_name(const char *name)
{
	for (size_t i = 0; i < PP_ARRAY_SIZE(status_bits); i++)
		if (strcasecmp(name, status_bits[i]) == 0)
			return (int)i;
	/* conntrack's own spellings */
	if (strcasecmp(name, "SNAT") == 0)
		return 4;
	if (strcasecmp(name, "DNAT") == 0)
		return 5;
	return -1;
}

const char *
pp_ct_proto_name(unsigned proto)
{
	switch (proto) {
	case IPPROTO_TCP: return "tcp";
	case IPPROTO_UDP: return "udp";
	case IPPROTO_ICMP: return "icmp";
	case IPPROTO_ICMPV6: return "icmpv6";
	case IPPROTO_SCTP: return "sctp";
	case IPPROTO_UDPLITE: return "udplite";
	case IPPROTO_DCCP: return "dccp";
	case IPPROTO_GRE: return "gre";
	default: return NULL;
	}
}

/* ---- requests ---- */

static struct nlmsghdr *
ct_msg(void *buf, size_t len, unsigned msg, uint8_t family, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;

	if (len < MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*nfg)))
		return NULL;
	memset(buf, 0, MNL_NLMSG_HDRLEN + MNL_ALIGN(sizeof(*nfg)));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = CT_TYPE(msg);
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

static bool
put_filter_tuple(struct nlmsghdr *nlh, size_t len, uint16_t type, int family, uint32_t flags,
		 const struct pp_ct_tuple *t)
{
	struct nlattr *tn, *n;
	bool v6 = family == AF_INET6;
	size_t alen = v6 ? 16 : 4;

	if (!(tn = mnl_attr_nest_start_check(nlh, len, type)))
		return false;
	if (flags & (PP_CTA_FILTER_IP_SRC | PP_CTA_FILTER_IP_DST)) {
		if (!(n = mnl_attr_nest_start_check(nlh, len, CTA_TUPLE_IP)))
			return false;
		if ((flags & PP_CTA_FILTER_IP_SRC) &&
		    !mnl_attr_put_check(nlh, len, v6 ? CTA_IP_V6_SRC : CTA_IP_V4_SRC, alen, t->src.u.b))
			return false;
		if ((flags & PP_CTA_FILTER_IP_DST) &&
		    !mnl_attr_put_check(nlh, len, v6 ? CTA_IP_V6_DST : CTA_IP_V4_DST, alen, t->dst.u.b))
			return false;
		mnl_attr_nest_end(nlh, n);
	}
	if (flags & PP_CTA_FILTER_PROTO_NUM) {
		if (!(n = mnl_attr_nest_start_check(nlh, len, CTA_TUPLE_PROTO)))
			return false;
		if (!mnl_attr_put_u8_check(nlh, len, CTA_PROTO_NUM, t->proto))
			return false;
		if ((flags & PP_CTA_FILTER_SRC_PORT) &&
		    !mnl_attr_put_u16_check(nlh, len, CTA_PROTO_SRC_PORT, htons(t->sport)))
			return false;
		if ((flags & PP_CTA_FILTER_DST_PORT) &&
		    !mnl_attr_put_u16_check(nlh, len, CTA_PROTO_DST_PORT, htons(t->dport)))
			return false;
		if ((flags & PP_CTA_FILTER_ICMP_TYPE) &&
		    !mnl_attr_put_u8_check(nlh, len, CTA_PROTO_ICMP_TYPE, t->icmp_type))
			return false;
		if ((flags & PP_CTA_FILTER_ICMPV6_TYPE) &&
		    !mnl_attr_put_u8_check(nlh, len, CTA_PROTO_ICMPV6_TYPE, t->icmp_type))
			return false;
		mnl_attr_nest_end(nlh, n);
	}
	mnl_attr_nest_end(nlh, tn);
	return true;
}

struct nlmsghdr *
pp_ct_build_dump(void *buf, size_t len, const struct pp_ct_kfilter *f)
{
	struct nlmsghdr *nlh;
	struct nlattr *n;

	if (!(nlh = ct_msg(buf, len, IPCTNL_MSG_CT_GET, f ? f->family : 0, NLM_F_DUMP)))
		return NULL;
	if (!f)
		return nlh;
	if (f->mark) {
		if (!mnl_attr_put_u32_check(nlh, len, CTA_MARK, htonl(f->mark_val)) ||
		    !mnl_attr_put_u32_check(nlh, len, CTA_MARK_MASK, htonl(f->mark_mask)))
			return NULL;
	}
	if (f->status && f->status_mask) {
		if (!mnl_attr_put_u32_check(nlh, len, CTA_STATUS, htonl(f->status_val)) ||
		    !mnl_attr_put_u32_check(nlh, len, CTA_STATUS_MASK, htonl(f->status_mask)))
			return NULL;
	}
	if (f->zone && !mnl_attr_put_u16_check(nlh, len, CTA_ZONE, htons(f->zone)))
		return NULL;
	/* The kernel refuses tuple filters without a family (EOPNOTSUPP). */
	if ((f->orig_flags || f->reply_flags) && (f->family == AF_INET || f->family == AF_INET6)) {
		if (!(n = mnl_attr_nest_start_check(nlh, len, CTA_FILTER)))
			return NULL;
		if (f->orig_flags && !mnl_attr_put_u32_check(nlh, len, CTA_FILTER_ORIG_FLAGS, f->orig_flags))
			return NULL;
		if (f->reply_flags &&
		    !mnl_attr_put_u32_check(nlh, len, CTA_FILTER_REPLY_FLAGS, f->reply_flags))
			return NULL;
		mnl_attr_nest_end(nlh, n);
		if (f->orig_flags &&
		    !put_filter_tuple(nlh, len, CTA_TUPLE_ORIG, f->family, f->orig_flags, &f->orig))
			return NULL;
		if (f->reply_flags &&
		    !put_filter_tuple(nlh, len, CTA_TUPLE_REPLY, f->family, f->reply_flags, &f->reply))
			return NULL;
	}
	return nlh;
}

/*
 * The dump, pipelined. The kernel fills the next chunk of a dump only inside our
 * recvmsg() (netlink_recvmsg -> netlink_dump), so a single thread alternates: the
 * kernel walks and copies, then we decode and print, never both at once. A reader
 * thread that only receives keeps the kernel busy on one CPU while the caller's
 * callback decodes on another; at a million entries this hides most of the
 * userspace cost behind the kernel's walk.
 */
/*
 * 64 chunks of 32 KiB: about 15k entries, tens of milliseconds of the kernel's
 * work, may wait for the decoder, so a decoder preempted by another process does
 * not stall the walk at once. A dump chunk is never larger: netlink_recvmsg caps
 * the size it lets a dump allocate at SKB_WITH_OVERHEAD(32768).
 */
#define DUMP_BUFS 64
#define DUMP_BUFLEN (32 * 1024)

struct dump_pipe {
	/*
	 * A single-producer, single-consumer ring: the reader alone advances head,
	 * the decoder alone advances tail, so neither takes a lock. A side that finds
	 * the ring empty (or full) says it waits and sleeps on the other's counter
	 * (futex); the other wakes it only then. Sequentially consistent stores and
	 * loads of the counters and the wait flags close the lost-wakeup window.
	 */
	_Atomic uint32_t head, tail;
	_Atomic uint32_t cwait, pwait;
	char *buf[DUMP_BUFS];
	ssize_t len[DUMP_BUFS];		/* bytes, or -errno */
	bool last[DUMP_BUFS];		/* the reader stopped after this slot */
	int fd;
	uint32_t seq;
};

static void
futex_wait(_Atomic uint32_t *addr, uint32_t val)
{
	syscall(SYS_futex, addr, FUTEX_WAIT_PRIVATE, val, NULL, NULL, 0);
}

static void
futex_wake(_Atomic uint32_t *addr)
{
	syscall(SYS_futex, addr, FUTEX_WAKE_PRIVATE, 1, NULL, NULL, 0);
}

/* Does this datagram end our dump (NLMSG_DONE or an error for our sequence)? */
static bool
dump_ends(const struct dump_pipe *p, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	int rem = (int)len;

	while (mnl_nlmsg_ok(nlh, rem)) {
		if (nlh->nlmsg_seq == p->seq &&
		    (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR))
			return true;
		nlh = mnl_nlmsg_next(nlh, &rem);
	}
	return rem > 0;	/* a cut message: the parser will refuse it */
}

static void *
dump_reader(void *arg)
{
	struct dump_pipe *p = arg;
	uint32_t h = atomic_load(&p->head);
	bool last = false;

	while (!last) {
		uint32_t slot = h % DUMP_BUFS, t;
		struct iovec iov;
		struct msghdr mh;
		ssize_t n;

		while (h - (t = atomic_load(&p->tail)) == DUMP_BUFS) {
			atomic_store(&p->pwait, 1);
			if (h - atomic_load(&p->tail) == DUMP_BUFS)
				futex_wait(&p->tail, t);
			atomic_store(&p->pwait, 0);
		}
		iov.iov_base = p->buf[slot];
		iov.iov_len = DUMP_BUFLEN;
		memset(&mh, 0, sizeof(mh));
		mh.msg_iov = &iov;
		mh.msg_iovlen = 1;
		do
			n = recvmsg(p->fd, &mh, 0);
		while (n < 0 && errno == EINTR);
		if (n < 0) {
			n = -errno;
			last = true;
		} else if (n == 0) {
			n = -ECONNRESET;
			last = true;
		} else if (mh.msg_flags & MSG_TRUNC) {
			n = -EMSGSIZE;
			last = true;
		} else {
			last = dump_ends(p, p->buf[slot], (size_t)n);
		}
		p->len[slot] = n;
		p->last[slot] = last;
		atomic_store(&p->head, ++h);
		if (atomic_load(&p->cwait))
			futex_wake(&p->head);
	}
	return NULL;
}

int
pp_ct_dump(struct pp_nl *nl, const struct pp_ct_kfilter *f, pp_nl_cb cb, void *data,
	   struct pp_err *e)
{
	char req[1024];
	struct nlmsghdr *nlh;
	struct dump_pipe *p;
	pthread_t th;
	int rc = 0, err;
	bool intr = false, finished = false;
	uint32_t t = 0;

	if (!(nlh = pp_ct_build_dump(req, sizeof(req), f))) {
		pp_err_set(e, EMSGSIZE, "IPCTNL_MSG_CT_GET dump request");
		return -EMSGSIZE;
	}
	pp_err_set(e, 0, "IPCTNL_MSG_CT_GET dump");
	if (e)
		e->ext[0] = '\0';
	/*
	 * With a snapshot installed (recording or replaying), through common/nl.c's own
	 * dump, which keeps or answers it; the same parser reads the same datagrams.
	 */
	if (nl->snap) {
		rc = pp_nl_dump(nl, nlh, cb, data, NULL, e);
		if (rc < 0 && e && !e->code)
			e->code = -rc;
		return rc;
	}
	if (!(p = calloc(1, sizeof(*p)))) {
		pp_err_set(e, ENOMEM, "IPCTNL_MSG_CT_GET dump");
		return -ENOMEM;
	}
	for (int i = 0; i < DUMP_BUFS; i++) {
		if (!(p->buf[i] = malloc(DUMP_BUFLEN))) {
			rc = -ENOMEM;
			goto out_free;
		}
	}
	p->fd = pp_nl_fd(nl);
	p->seq = nlh->nlmsg_seq = ++nl->seq;
	nlh->nlmsg_pid = 0;
	if (mnl_socket_sendto(nl->sk, nlh, nlh->nlmsg_len) < 0) {
		rc = -errno;
		goto out_free;
	}
	if ((err = pthread_create(&th, NULL, dump_reader, p)) != 0) {
		rc = -err;
		goto out_free;
	}
	for (;;) {
		uint32_t slot = t % DUMP_BUFS;
		ssize_t n;
		bool last;

		while (atomic_load(&p->head) == t) {
			atomic_store(&p->cwait, 1);
			if (atomic_load(&p->head) == t)
				futex_wait(&p->head, t);
			atomic_store(&p->cwait, 0);
		}
		n = p->len[slot];
		last = p->last[slot];
		if (!finished) {
			if (n < 0) {
				rc = (int)n;
				finished = true;
			} else {
				int r = pp_nl_parse_replies(nl, p->buf[slot], (size_t)n, p->seq, cb, data,
							    &intr, e);
				if (r != 0) {
					rc = r < 0 ? r : 0;
					finished = true;
				}
			}
		}
		atomic_store(&p->tail, ++t);
		if (atomic_load(&p->pwait))
			futex_wake(&p->tail);
		/* After an early stop, drain to the end so the socket is clean for the next request. */
		if (last)
			break;
	}
	pthread_join(th, NULL);
	if (!finished && rc == 0)
		rc = -EPROTO;
out_free:
	for (int i = 0; i < DUMP_BUFS; i++)
		free(p->buf[i]);
	free(p);
	if (rc < 0 && e)
		e->code = -rc;
	return rc;
}

/* ---- statistics ---- */

static const char *const stat_names[PP_CT_STAT_N] = {
	"found", "invalid", "insert", "insert_failed", "drop", "early_drop", "error",
	"search_restart", "clash_resolve", "chaintoolong",
};

static const unsigned stat_attr[PP_CT_STAT_N] = {
	CTA_STATS_FOUND, CTA_STATS_INVALID, CTA_STATS_INSERT, CTA_STATS_INSERT_FAILED,
	CTA_STATS_DROP, CTA_STATS_EARLY_DROP, CTA_STATS_ERROR, CTA_STATS_SEARCH_RESTART,
	CTA_STATS_CLASH_RESOLVE, CTA_STATS_CHAIN_TOOLONG,
};

const char *
pp_ct_stat_name(enum pp_ct_stat s)
{
	return (unsigned)s < PP_CT_STAT_N ? stat_names[s] : "unknown";
}

#define STATS_MAXTYPE 16
static const struct pp_attr_policy cpu_stats_pol[STATS_MAXTYPE + 1] = {
	[CTA_STATS_FOUND] = { PP_A_U32, 0 },
	[CTA_STATS_INVALID] = { PP_A_U32, 0 },
	[CTA_STATS_INSERT] = { PP_A_U32, 0 },
	[CTA_STATS_INSERT_FAILED] = { PP_A_U32, 0 },
	[CTA_STATS_DROP] = { PP_A_U32, 0 },
	[CTA_STATS_EARLY_DROP] = { PP_A_U32, 0 },
	[CTA_STATS_ERROR] = { PP_A_U32, 0 },
	[CTA_STATS_SEARCH_RESTART] = { PP_A_U32, 0 },
	[CTA_STATS_CLASH_RESOLVE] = { PP_A_U32, 0 },
	[CTA_STATS_CHAIN_TOOLONG] = { PP_A_U32, 0 },
};

int
pp_ct_parse_cpu_stats(const struct nlmsghdr *nlh, struct pp_ct_cpu_stats *out)
{
	const struct nlattr *tb[STATS_MAXTYPE + 1];
	const struct nfgenmsg *nfg;

	memset(out, 0, sizeof(*out));
	if (!(nfg = pp_msg_hdr(nlh, sizeof(*nfg))))
		return -EBADMSG;
	if (pp_attr_parse_msg(nlh, sizeof(*nfg), cpu_stats_pol, STATS_MAXTYPE, tb) < 0)
		return -EBADMSG;
	/* The CPU number travels in res_id, in network order. */
	out->cpu = ntohs(nfg->res_id);
	for (unsigned i = 0; i < PP_CT_STAT_N; i++) {
		if (tb[stat_attr[i]]) {
			out->v[i] = get_be32(tb[stat_attr[i]]);
			out->have |= (uint16_t)(1u << i);
		}
	}
	return 0;
}

struct cpu_acc {
	struct pp_ct_cpu_stats *v;
	size_t n, cap;
	int rc;
};

static int
cpu_cb(const struct nlmsghdr *nlh, void *data)
{
	struct cpu_acc *a = data;
	struct pp_ct_cpu_stats s;

	if (nlh->nlmsg_type != CT_TYPE(IPCTNL_MSG_CT_GET_STATS_CPU))
		return 0;
	if (pp_ct_parse_cpu_stats(nlh, &s) < 0) {
		a->rc = -EBADMSG;
		return 0;
	}
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 16;
		struct pp_ct_cpu_stats *nv = realloc(a->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		a->v = nv;
		a->cap = nc;
	}
	a->v[a->n++] = s;
	return 0;
}

int
pp_ct_stats_cpu(struct pp_nl *nl, struct pp_ct_cpu_stats **out, size_t *n, struct pp_err *e)
{
	char buf[256];
	struct nlmsghdr *nlh = ct_msg(buf, sizeof(buf), IPCTNL_MSG_CT_GET_STATS_CPU, AF_UNSPEC, 0);
	struct cpu_acc a = { 0 };
	int rc;

	*out = NULL;
	*n = 0;
	pp_err_set(e, 0, "IPCTNL_MSG_CT_GET_STATS_CPU");
	rc = pp_nl_dump(nl, nlh, cpu_cb, &a, NULL, e);
	if (rc < 0) {
		free(a.v);
		return rc;
	}
	if (a.rc < 0)
		nl->bad_msgs++;
	*out = a.v;
	*n = a.n;
	return 0;
}

static const struct pp_attr_policy global_pol[CTA_STATS_GLOBAL_MAX + 1] = {
	[CTA_STATS_GLOBAL_ENTRIES] = { PP_A_U32, 0 },
	[CTA_STATS_GLOBAL_MAX_ENTRIES] = { PP_A_U32, 0 },
};

int
pp_ct_parse_global_stats(const struct nlmsghdr *nlh, struct pp_ct_global *out)
{
	const struct nlattr *tb[CTA_STATS_GLOBAL_MAX + 1];

	memset(out, 0, sizeof(*out));
	if (pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), global_pol, CTA_STATS_GLOBAL_MAX, tb) < 0)
		return -EBADMSG;
	if (tb[CTA_STATS_GLOBAL_ENTRIES]) {
		out->entries = get_be32(tb[CTA_STATS_GLOBAL_ENTRIES]);
		out->have_entries = true;
	}
	if (tb[CTA_STATS_GLOBAL_MAX_ENTRIES]) {
		out->max = get_be32(tb[CTA_STATS_GLOBAL_MAX_ENTRIES]);
		out->have_max = true;
	}
	return 0;
}

struct global_acc {
	struct pp_ct_global *g;
	int rc;
	bool seen;
};

static int
global_cb(const struct nlmsghdr *nlh, void *data)
{
	struct global_acc *a = data;

	if (nlh->nlmsg_type != CT_TYPE(IPCTNL_MSG_CT_GET_STATS))
		return 0;
	a->seen = true;
	a->rc = pp_ct_parse_global_stats(nlh, a->g);
	return 0;
}

int
pp_ct_stats_global(struct pp_nl *nl, struct pp_ct_global *out, struct pp_err *e)
{
	char buf[256];
	struct nlmsghdr *nlh = ct_msg(buf, sizeof(buf), IPCTNL_MSG_CT_GET_STATS, AF_UNSPEC, 0);
	struct global_acc a = { .g = out };
	int rc;

	memset(out, 0, sizeof(*out));
	pp_err_set(e, 0, "IPCTNL_MSG_CT_GET_STATS");
	rc = pp_nl_request(nl, nlh, global_cb, &a, e);
	if (rc < 0)
		return rc;
	if (!a.seen) {
		pp_err_set(e, ENODATA, "IPCTNL_MSG_CT_GET_STATS: no reply");
		return -ENODATA;
	}
	if (a.rc < 0) {
		nl->bad_msgs++;
		pp_err_set(e, EBADMSG, "IPCTNL_MSG_CT_GET_STATS");
		return a.rc;
	}
	return 0;
}

/* ---- events ---- */

int
pp_ct_subscribe(struct pp_nl *nl, unsigned mask, struct pp_err *e)
{
	static const unsigned groups[] = {
		[PP_CT_EV_NEW] = NFNLGRP_CONNTRACK_NEW,
		[PP_CT_EV_UPDATE] = NFNLGRP_CONNTRACK_UPDATE,
		[PP_CT_EV_DESTROY] = NFNLGRP_CONNTRACK_DESTROY,
	};
	int rc;

	for (unsigned ev = PP_CT_EV_NEW; ev <= PP_CT_EV_DESTROY; ev++) {
		if (!(mask & (1u << ev)))
			continue;
		if ((rc = pp_nl_subscribe(nl, groups[ev], e)) < 0)
			return rc;
	}
	return 0;
}

int
pp_ct_events_filter(struct pp_nl *nl, uint8_t family, bool has_proto, uint8_t proto)
{
	/* Attributes start after nlmsghdr and nfgenmsg; the family is nfgenmsg's first byte. */
	enum { ATTRS = NLMSG_HDRLEN + NLMSG_ALIGN(sizeof(struct nfgenmsg)), FAMILY = NLMSG_HDRLEN };
	struct sock_filter f[24];
	struct sock_fprog prog;
	unsigned n = 0;

	if (!family && !has_proto)
		return 0;
	if (family) {
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, FAMILY);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, family, 1, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	}
	if (has_proto) {
		/* A missing attribute on the way (not expected) lets the message through: userspace decides. */
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_IMM, ATTRS);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_IMM, CTA_TUPLE_ORIG);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 8, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_IMM, CTA_TUPLE_PROTO);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR_NEST);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 5, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LDX | BPF_IMM, CTA_PROTO_NUM);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_ABS, SKF_AD_OFF + SKF_AD_NLATTR_NEST);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, 0, 2, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_MISC | BPF_TAX, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_B | BPF_IND, NLA_HDRLEN);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, proto, 1, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, 0xffffffff);
	prog.len = (unsigned short)n;
	prog.filter = f;
	if (setsockopt(pp_nl_fd(nl), SOL_SOCKET, SO_ATTACH_FILTER, &prog, sizeof(prog)) < 0)
		return -errno;
	return 0;
}

int
pp_ct_sock_drops(struct pp_nl *nl, uint32_t *drops)
{
	uint32_t mem[SK_MEMINFO_VARS];
	socklen_t len = sizeof(mem);

	memset(mem, 0, sizeof(mem));
	if (getsockopt(pp_nl_fd(nl), SOL_SOCKET, SO_MEMINFO, mem, &len) < 0)
		return -errno;
	if (len < (SK_MEMINFO_DROPS + 1) * sizeof(uint32_t))
		return -EOPNOTSUPP;
	*drops = mem[SK_MEMINFO_DROPS];
	return 0;
}
