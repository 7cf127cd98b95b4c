/* addr.c: RTM_GETADDR dump and lookup. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>

#include "addr.h"
#include "attr.h"

static const struct pp_attr_policy addr_pol[IFA_MAX + 1] = {
	[IFA_ADDRESS] = { PP_A_ADDR }, [IFA_LOCAL] = { PP_A_ADDR }, [IFA_LABEL] = { PP_A_STR },
	[IFA_FLAGS] = { PP_A_U32 }, [IFA_CACHEINFO] = { PP_A_MIN, sizeof(struct ifa_cacheinfo) },
};

int
pp_ifaddr_decode(const struct nlmsghdr *nlh, struct pp_ifaddr *a)
{
	const struct nlattr *tb[IFA_MAX + 1];
	const struct ifaddrmsg *ifa = pp_msg_hdr(nlh, sizeof(*ifa));
	struct pp_addr address = { 0 };

	memset(a, 0, sizeof(*a));
	if (!ifa || pp_attr_parse_msg(nlh, sizeof(*ifa), addr_pol, IFA_MAX, tb) < 0)
		return -EBADMSG;
	if (ifa->ifa_family != AF_INET && ifa->ifa_family != AF_INET6)
		return -EAFNOSUPPORT;
	a->family = ifa->ifa_family;
	a->ifindex = (int)ifa->ifa_index;
	a->prefixlen = ifa->ifa_prefixlen;
	a->scope = ifa->ifa_scope;
	a->flags = tb[IFA_FLAGS] ? mnl_attr_get_u32(tb[IFA_FLAGS]) : ifa->ifa_flags;
	if (tb[IFA_ADDRESS] && !pp_attr_addr(tb[IFA_ADDRESS], a->family, &address))
		return -EBADMSG;
	if (tb[IFA_LOCAL]) {
		if (!pp_attr_addr(tb[IFA_LOCAL], a->family, &a->local))
			return -EBADMSG;
		if (address.family && !pp_addr_eq(&address, &a->local))
			a->peer = address;
	} else if (address.family) {
		a->local = address;
	} else {
		return -EBADMSG;
	}
	if (tb[IFA_LABEL])
		snprintf(a->label, sizeof(a->label), "%s", mnl_attr_get_str(tb[IFA_LABEL]));
	return 0;
}

struct dump_ctx {
	pp_ifaddr_cb cb;
	void *data;
	struct pp_nl *nl;
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct pp_ifaddr a;

	if (nlh->nlmsg_type != RTM_NEWADDR)
		return 0;
	if (pp_ifaddr_decode(nlh, &a) < 0) {
		c->nl->bad_msgs++;
		return 0;
	}
	return c->cb(&a, c->data);
}

int
pp_ifaddr_dump(struct pp_nl *nl, int family, pp_ifaddr_cb cb, void *data, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_ctx c = { cb, data, nl };
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_GETADDR;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)family;
	pp_err_set(e, 0, "RTM_GETADDR dump");
	return pp_nl_dump(nl, nlh, dump_cb, &c, NULL, e);
}

struct find_ctx {
	const struct pp_addr *want;
	int ifindex;
	uint32_t flags;
	int found;
};

static int
find_cb(const struct pp_ifaddr *a, void *data)
{
	struct find_ctx *c = data;

	if (!c->found && pp_addr_eq(&a->local, c->want)) {
		c->found = 1;
		c->ifindex = a->ifindex;
		c->flags = a->flags;
	}
	return 0;
}

int
pp_ifaddr_find(struct pp_nl *nl, const struct pp_addr *addr, int *ifindex, uint32_t *flags,
	       struct pp_err *e)
{
	struct find_ctx c = { .want = addr };
	int rc = pp_ifaddr_dump(nl, addr->family, find_cb, &c, e);

	if (rc < 0)
		return rc;
	if (c.found) {
		if (ifindex)
			*ifindex = c.ifindex;
		if (flags)
			*flags = c.flags;
	}
	return c.found;
}
