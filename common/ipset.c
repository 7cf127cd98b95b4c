/*
 * ipset.c: the ipset netlink protocol (NFNL_SUBSYS_IPSET), on libmnl: a set's
 * header, a name from an index, and one key tested by the kernel.
 *
 * Every request carries IPSET_ATTR_PROTOCOL. The kernel insists on
 * NLA_F_NESTED for IPSET_ATTR_DATA and the address nests, and on
 * NLA_F_NET_BYTEORDER for addresses, ports and marks (ip_set_attr_netorder()):
 * without them a TEST fails with IPSET_ERR_PROTOCOL rather than answering.
 * A TEST is answered by an ACK: 0 when the key is in the set, IPSET_ERR_EXIST
 * when it is not.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/ipset/ip_set.h>

#include "attr.h"
#include "ipset.h"
#include "xt.h"

#define IPSET_TYPE(cmd) ((NFNL_SUBSYS_IPSET << 8) | (cmd))

int
pp_ipset_type_parts(const char *type, enum pp_ipset_part parts[PP_IPSET_PARTS])
{
	static const struct { const char *name; enum pp_ipset_part kind; } words[] = {
		{ "ip", PP_IPSET_P_IP }, { "net", PP_IPSET_P_IP }, { "port", PP_IPSET_P_PORT },
		{ "mac", PP_IPSET_P_MAC }, { "iface", PP_IPSET_P_IFACE }, { "mark", PP_IPSET_P_MARK },
	};
	const char *p = strchr(type, ':');
	int n = 0;

	if (!p || (strncmp(type, "hash:", 5) && strncmp(type, "bitmap:", 7)))
		return -EOPNOTSUPP;
	for (p++; *p;) {
		size_t w = strcspn(p, ","), i;

		for (i = 0; i < sizeof(words) / sizeof(words[0]); i++)
			if (strlen(words[i].name) == w && !strncmp(p, words[i].name, w))
				break;
		if (i == sizeof(words) / sizeof(words[0]) || n == PP_IPSET_PARTS)
			return -EOPNOTSUPP;
		parts[n++] = words[i].kind;
		p += w;
		if (*p == ',')
			p++;
	}
	return n ? n : -EOPNOTSUPP;
}

#define why_set(...) (why && whylen ? (void)snprintf(why, whylen, __VA_ARGS__) : (void)0)

int
pp_ipset_key_for(const struct pp_ipset_info *set, const struct pp_xt_set_query *q,
		 struct pp_ipset_key *k, char *why, size_t whylen)
{
	const struct pp_xt_pkt *p = q->pkt;
	enum pp_ipset_part parts[PP_IPSET_PARTS];
	int n = pp_ipset_type_parts(set->type, parts), i;
	int af = p->family == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
	bool bitmap = !strncmp(set->type, "bitmap:", 7);

	memset(k, 0, sizeof(*k));
	if (n < 0) {
		why_set("ipset %s: type %s is not tested here", set->name, set->type);
		return -1;
	}
	/* ip_set_test(): fewer dimensions than the type's, or another family, never match */
	if (q->dim < n || (set->family != NFPROTO_UNSPEC && set->family != p->family))
		return 0;
	k->n = (unsigned)n;
	for (i = 0; i < n; i++) {
		struct pp_ipset_keypart *kp = &k->part[i];
		bool src = q->srcdst & (1u << i);

		kp->kind = parts[i];
		switch (parts[i]) {
		case PP_IPSET_P_IP:
			if (!p->addr_known || p->src.family != af || p->dst.family != af) {
				why_set("ipset %s: the packet's addresses are not known", set->name);
				return -1;
			}
			kp->addr = src ? p->src : p->dst;
			break;
		case PP_IPSET_P_PORT:
			if (!p->l4_known) {
				why_set("ipset %s: the packet's protocol is not known", set->name);
				return -1;
			}
			/* bitmap:port holds ports alone and refuses IPSET_ATTR_PROTO */
			kp->proto = bitmap ? 0 : p->l4proto;
			if (!bitmap && (p->l4proto == IPPROTO_ICMP || p->l4proto == IPPROTO_ICMPV6)) {
				if (!p->icmp_known) {
					why_set("ipset %s: the packet's ICMP type is not known", set->name);
					return -1;
				}
				kp->port = (uint16_t)(p->icmp_type << 8 | p->icmp_code);
			} else if (p->l4proto == IPPROTO_TCP || p->l4proto == IPPROTO_UDP ||
				   p->l4proto == IPPROTO_SCTP || p->l4proto == IPPROTO_UDPLITE) {
				if (!p->ports_known) {
					why_set("ipset %s: the packet's ports are not known", set->name);
					return -1;
				}
				kp->port = src ? p->sport : p->dport;
			} else {
				why_set("ipset %s: protocol %u has no port the set could hold", set->name,
					p->l4proto);
				return -1;
			}
			break;
		case PP_IPSET_P_MAC:
			if (!src || !p->smac_known) {
				why_set("ipset %s: the packet's %s MAC address is not known", set->name,
					src ? "source" : "destination");
				return -1;
			}
			memcpy(kp->mac, p->smac, 6);
			break;
		case PP_IPSET_P_IFACE:
			if (src ? !p->iif_known : !p->oif_known) {
				why_set("ipset %s: the packet's %s device is not known", set->name,
					src ? "input" : "output");
				return -1;
			}
			snprintf(kp->iface, sizeof(kp->iface), "%s", src ? p->iif : p->oif);
			break;
		case PP_IPSET_P_MARK:
			if (!p->mark_known) {
				why_set("ipset %s: the packet's mark is not known", set->name);
				return -1;
			}
			kp->mark = p->mark;
			break;
		}
	}
	return 1;
}

/* The header every request starts with. */
static struct nlmsghdr *
put_hdr(void *buf, uint8_t cmd, uint16_t flags, uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *nfg;

	nlh->nlmsg_type = IPSET_TYPE(cmd);
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = family;
	nfg->version = NFNETLINK_V0;
	nfg->res_id = 0;
	return nlh;
}

int
pp_ipset_build_list(void *buf, size_t len, const char *name)
{
	struct nlmsghdr *nlh;

	if (len < 128 || strlen(name) >= PP_IPSET_NAMELEN)
		return len < 128 ? -EMSGSIZE : -EINVAL;
	nlh = put_hdr(buf, IPSET_CMD_LIST, 0, NFPROTO_IPV4);
	mnl_attr_put_u8(nlh, IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL);
	mnl_attr_put_strz(nlh, IPSET_ATTR_SETNAME, name);
	/* header only (ipset list -t): no member is sent */
	mnl_attr_put_u32(nlh, IPSET_ATTR_FLAGS | NLA_F_NET_BYTEORDER, htonl(IPSET_FLAG_LIST_HEADER));
	return (int)nlh->nlmsg_len;
}

int
pp_ipset_build_byindex(void *buf, size_t len, uint16_t index)
{
	struct nlmsghdr *nlh;

	if (len < 64)
		return -EMSGSIZE;
	nlh = put_hdr(buf, IPSET_CMD_GET_BYINDEX, 0, NFPROTO_IPV4);
	mnl_attr_put_u8(nlh, IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL);
	mnl_attr_put_u16(nlh, IPSET_ATTR_INDEX | NLA_F_NET_BYTEORDER, htons(index));
	return (int)nlh->nlmsg_len;
}

/* An address as the kernel's ip_set_get_ipaddr4/6 takes it: a nest holding one net-order address. */
static void
put_addr(struct nlmsghdr *nlh, uint16_t type, const struct pp_addr *a)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);

	if (a->family == AF_INET6)
		mnl_attr_put(nlh, IPSET_ATTR_IPADDR_IPV6 | NLA_F_NET_BYTEORDER, 16, &a->u.v6);
	else
		mnl_attr_put(nlh, IPSET_ATTR_IPADDR_IPV4 | NLA_F_NET_BYTEORDER, 4, &a->u.v4);
	mnl_attr_nest_end(nlh, nest);
}

int
pp_ipset_build_test(void *buf, size_t len, const char *name, uint8_t family,
		    const struct pp_ipset_key *k)
{
	struct nlmsghdr *nlh;
	struct nlattr *data;
	unsigned i, ips = 0;
	bool port = false;

	/*
	 * The largest request is 136 bytes: headers 20, protocol 8, name 36, data
	 * nest 4, and two IPv6 address nests of 24 with an interface name of 20.
	 */
	if (len < 256)
		return -EMSGSIZE;
	if (strlen(name) >= PP_IPSET_NAMELEN || k->n == 0 || k->n > PP_IPSET_PARTS)
		return -EINVAL;
	nlh = put_hdr(buf, IPSET_CMD_TEST, 0, family);
	mnl_attr_put_u8(nlh, IPSET_ATTR_PROTOCOL, IPSET_PROTOCOL);
	mnl_attr_put_strz(nlh, IPSET_ATTR_SETNAME, name);
	data = mnl_attr_nest_start(nlh, IPSET_ATTR_DATA);
	for (i = 0; i < k->n; i++) {
		const struct pp_ipset_keypart *kp = &k->part[i];

		switch (kp->kind) {
		case PP_IPSET_P_IP:
			/* the first address is IPSET_ATTR_IP, the second IPSET_ATTR_IP2 */
			if (ips == 2 || (kp->addr.family != AF_INET && kp->addr.family != AF_INET6))
				return -EINVAL;
			put_addr(nlh, ips++ ? IPSET_ATTR_IP2 : IPSET_ATTR_IP, &kp->addr);
			break;
		case PP_IPSET_P_PORT:
			if (port)
				return -EINVAL;
			port = true;
			mnl_attr_put_u16(nlh, IPSET_ATTR_PORT | NLA_F_NET_BYTEORDER, htons(kp->port));
			if (kp->proto)
				mnl_attr_put_u8(nlh, IPSET_ATTR_PROTO, kp->proto);
			break;
		case PP_IPSET_P_MAC:
			mnl_attr_put(nlh, IPSET_ATTR_ETHER, 6, kp->mac);
			break;
		case PP_IPSET_P_IFACE:
			mnl_attr_put_strz(nlh, IPSET_ATTR_IFACE, kp->iface);
			break;
		case PP_IPSET_P_MARK:
			mnl_attr_put_u32(nlh, IPSET_ATTR_MARK | NLA_F_NET_BYTEORDER, htonl(kp->mark));
			break;
		default:
			return -EINVAL;
		}
	}
	mnl_attr_nest_end(nlh, data);
	return (int)nlh->nlmsg_len;
}

static const struct pp_attr_policy list_pol[IPSET_ATTR_CMD_MAX + 1] = {
	[IPSET_ATTR_PROTOCOL] = { PP_A_U8, 0 },
	[IPSET_ATTR_SETNAME] = { PP_A_STR, 0 },
	[IPSET_ATTR_TYPENAME] = { PP_A_STR, 0 },
	[IPSET_ATTR_REVISION] = { PP_A_U8, 0 },
	[IPSET_ATTR_FAMILY] = { PP_A_U8, 0 },
	[IPSET_ATTR_DATA] = { PP_A_NEST, 0 },
	[IPSET_ATTR_INDEX] = { PP_A_U16, 0 },
};

static const struct pp_attr_policy create_pol[IPSET_ATTR_CREATE_MAX + 1] = {
	[IPSET_ATTR_ELEMENTS] = { PP_A_U32, 0 },
};

static bool
is_type(const struct nlmsghdr *nlh, uint8_t cmd)
{
	return nlh->nlmsg_type == IPSET_TYPE(cmd);
}

int
pp_ipset_decode_list(const struct nlmsghdr *nlh, struct pp_ipset_info *out)
{
	const struct nlattr *tb[IPSET_ATTR_CMD_MAX + 1], *cb[IPSET_ATTR_CREATE_MAX + 1];

	memset(out, 0, sizeof(*out));
	if (!is_type(nlh, IPSET_CMD_LIST) ||
	    pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), list_pol, IPSET_ATTR_CMD_MAX, tb) < 0)
		return -EBADMSG;
	if (!tb[IPSET_ATTR_SETNAME] || !tb[IPSET_ATTR_TYPENAME] || !tb[IPSET_ATTR_FAMILY])
		return -EBADMSG;
	snprintf(out->name, sizeof(out->name), "%s", mnl_attr_get_str(tb[IPSET_ATTR_SETNAME]));
	snprintf(out->type, sizeof(out->type), "%s", mnl_attr_get_str(tb[IPSET_ATTR_TYPENAME]));
	out->family = mnl_attr_get_u8(tb[IPSET_ATTR_FAMILY]);
	if (tb[IPSET_ATTR_REVISION])
		out->revision = mnl_attr_get_u8(tb[IPSET_ATTR_REVISION]);
	if (tb[IPSET_ATTR_DATA]) {
		if (pp_attr_parse_nest(tb[IPSET_ATTR_DATA], create_pol, IPSET_ATTR_CREATE_MAX, cb) < 0)
			return -EBADMSG;
		if (cb[IPSET_ATTR_ELEMENTS]) {
			out->has_elements = true;
			out->elements = ntohl(mnl_attr_get_u32(cb[IPSET_ATTR_ELEMENTS]));
		}
	}
	return 0;
}

int
pp_ipset_decode_name(const struct nlmsghdr *nlh, char *name, size_t len)
{
	const struct nlattr *tb[IPSET_ATTR_CMD_MAX + 1];

	if (!is_type(nlh, IPSET_CMD_GET_BYINDEX) ||
	    pp_attr_parse_msg(nlh, sizeof(struct nfgenmsg), list_pol, IPSET_ATTR_CMD_MAX, tb) < 0 ||
	    !tb[IPSET_ATTR_SETNAME])
		return -EBADMSG;
	snprintf(name, len, "%s", mnl_attr_get_str(tb[IPSET_ATTR_SETNAME]));
	return 0;
}

int
pp_ipset_test_answer(int rc)
{
	if (rc == 0)
		return 1;
	if (rc == -IPSET_ERR_EXIST)
		return 0;
	return rc;
}

/* ---- requests ---- */

struct hdr_ctx {
	struct pp_ipset_info *out;
	struct pp_nl *nl;
	bool found;
};

static int
hdr_cb(const struct nlmsghdr *nlh, void *data)
{
	struct hdr_ctx *c = data;
	struct pp_ipset_info info;

	if (!is_type(nlh, IPSET_CMD_LIST))
		return 0;
	if (pp_ipset_decode_list(nlh, &info) < 0) {
		c->nl->bad_msgs++;
		return 0;
	}
	/* a dump of one set can be split over messages: the first carries the header */
	if (!c->found) {
		*c->out = info;
		c->found = true;
	}
	return 0;
}

int
pp_ipset_header(struct pp_nl *nl, const char *name, struct pp_ipset_info *out, struct pp_err *e)
{
	char buf[512];
	struct hdr_ctx c = { out, nl, false };
	int rc = pp_ipset_build_list(buf, sizeof(buf), name);

	if (rc < 0)
		return rc;
	pp_err_set(e, 0, "IPSET_CMD_LIST %s", name);
	rc = pp_nl_dump(nl, (struct nlmsghdr *)buf, hdr_cb, &c, NULL, e);
	if (rc < 0)
		return rc;
	if (!c.found) {
		pp_err_set(e, ENOENT, "IPSET_CMD_LIST %s", name);
		return -ENOENT;
	}
	return 0;
}

struct name_ctx {
	char *name;
	size_t len;
	bool found;
};

static int
name_cb(const struct nlmsghdr *nlh, void *data)
{
	struct name_ctx *c = data;

	if (pp_ipset_decode_name(nlh, c->name, c->len) == 0)
		c->found = true;
	return 0;
}

int
pp_ipset_name(struct pp_nl *nl, uint16_t index, char *name, size_t len, struct pp_err *e)
{
	char buf[128];
	struct name_ctx c = { name, len, false };
	int rc = pp_ipset_build_byindex(buf, sizeof(buf), index);

	if (rc < 0)
		return rc;
	pp_err_set(e, 0, "IPSET_CMD_GET_BYINDEX %u", index);
	rc = pp_nl_request(nl, (struct nlmsghdr *)buf, name_cb, &c, e);
	if (rc < 0)
		return rc;
	if (!c.found) {
		pp_err_set(e, EBADMSG, "IPSET_CMD_GET_BYINDEX %u: no name in the answer", index);
		return -EBADMSG;
	}
	return 0;
}

int
pp_ipset_test(struct pp_nl *nl, const char *name, uint8_t family, const struct pp_ipset_key *k,
	      struct pp_err *e)
{
	char buf[512];
	int rc = pp_ipset_build_test(buf, sizeof(buf), name, family, k);

	if (rc < 0)
		return rc;
	pp_err_set(e, 0, "IPSET_CMD_TEST %s", name);
	rc = pp_ipset_test_answer(pp_nl_request(nl, (struct nlmsghdr *)buf, NULL, NULL, e));
	if (rc >= 0)
		pp_err_set(e, 0, "IPSET_CMD_TEST %s", name);	/* "not in" is no error */
	return rc;
}
