/* nft.c: nftables chains and rules over NETLINK_NETFILTER, decoded by libnftnl. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <libnftnl/chain.h>
#include <libnftnl/rule.h>

#include "nft.h"
#include "sysctl.h"

int
pp_nft_chain_decode(const struct nlmsghdr *nlh, struct pp_nft_chain *c)
{
	struct nftnl_chain *ch = nftnl_chain_alloc();
	const char *s;
	int rc = 0;

	memset(c, 0, sizeof(*c));
	if (!ch)
		return -ENOMEM;
	if (nftnl_chain_nlmsg_parse(nlh, ch) < 0) {
		rc = -EBADMSG;
		goto out;
	}
	c->family = nftnl_chain_get_u32(ch, NFTNL_CHAIN_FAMILY);
	if ((s = nftnl_chain_get_str(ch, NFTNL_CHAIN_TABLE)))
		snprintf(c->table, sizeof(c->table), "%s", s);
	if ((s = nftnl_chain_get_str(ch, NFTNL_CHAIN_NAME)))
		snprintf(c->name, sizeof(c->name), "%s", s);
	if (!c->table[0] || !c->name[0]) {
		rc = -EBADMSG;
		goto out;
	}
	if (nftnl_chain_is_set(ch, NFTNL_CHAIN_HOOKNUM)) {
		c->base = true;
		c->hooknum = nftnl_chain_get_u32(ch, NFTNL_CHAIN_HOOKNUM);
		c->prio = nftnl_chain_get_s32(ch, NFTNL_CHAIN_PRIO);
		/* A base chain without a policy attribute accepts, as the kernel defaults it. */
		c->policy = nftnl_chain_is_set(ch, NFTNL_CHAIN_POLICY) ?
				    nftnl_chain_get_u32(ch, NFTNL_CHAIN_POLICY) : NF_ACCEPT;
		if ((s = nftnl_chain_get_str(ch, NFTNL_CHAIN_TYPE)))
			snprintf(c->type, sizeof(c->type), "%s", s);
		if (nftnl_chain_is_set(ch, NFTNL_CHAIN_DEV) && (s = nftnl_chain_get_str(ch, NFTNL_CHAIN_DEV)))
			snprintf(c->dev, sizeof(c->dev), "%s", s);
	}
	if (nftnl_chain_is_set(ch, NFTNL_CHAIN_HANDLE))
		c->handle = nftnl_chain_get_u64(ch, NFTNL_CHAIN_HANDLE);
	if (nftnl_chain_is_set(ch, NFTNL_CHAIN_USE))
		c->use = nftnl_chain_get_u32(ch, NFTNL_CHAIN_USE);
out:
	nftnl_chain_free(ch);
	return rc;
}

struct chain_ctx {
	pp_nft_chain_cb cb;
	void *data;
	struct pp_nl *nl;
};

static int
chain_cb(const struct nlmsghdr *nlh, void *data)
{
	struct chain_ctx *c = data;
	struct pp_nft_chain ch;
	int rc;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWCHAIN)
		return 0;
	if ((rc = pp_nft_chain_decode(nlh, &ch)) < 0) {
		if (rc == -ENOMEM)
			return rc;
		c->nl->bad_msgs++;
		return 0;
	}
	return c->cb(&ch, c->data);
}

int
pp_nft_chain_dump(struct pp_nl *nl, uint32_t family, pp_nft_chain_cb cb, void *data,
		  struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct chain_ctx c = { cb, data, nl };

	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETCHAIN, (uint16_t)family, 0, 0);
	pp_err_set(e, 0, "NFT_MSG_GETCHAIN dump");
	return pp_nl_dump(nl, nlh, chain_cb, &c, NULL, e);
}

struct rule_ctx {
	pp_nft_rule_cb cb;
	void *data;
	struct pp_nl *nl;
};

static int
rule_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rule_ctx *c = data;
	struct nftnl_rule *r;
	int rc;

	if ((nlh->nlmsg_type & 0xff) != NFT_MSG_NEWRULE)
		return 0;
	r = nftnl_rule_alloc();
	if (!r)
		return -ENOMEM;
	if (nftnl_rule_nlmsg_parse(nlh, r) < 0) {
		c->nl->bad_msgs++;
		nftnl_rule_free(r);
		return 0;
	}
	rc = c->cb(r, c->data);
	nftnl_rule_free(r);
	return rc;
}

int
pp_nft_rule_dump(struct pp_nl *nl, uint32_t family, const char *table, const char *chain,
		 pp_nft_rule_cb cb, void *data, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct rule_ctx c = { cb, data, nl };

	if (!r)
		return -ENOMEM;
	nlh = nftnl_nlmsg_build_hdr(buf, NFT_MSG_GETRULE, (uint16_t)family, 0, 0);
	nftnl_rule_set_str(r, NFTNL_RULE_TABLE, table);
	nftnl_rule_set_str(r, NFTNL_RULE_CHAIN, chain);
	nftnl_rule_nlmsg_build_payload(nlh, r);
	nftnl_rule_free(r);
	pp_err_set(e, 0, "NFT_MSG_GETRULE %s %s %s", pp_nft_family_name(family), table, chain);
	return pp_nl_dump(nl, nlh, rule_cb, &c, NULL, e);
}

const char *
pp_nft_family_name(uint32_t family)
{
	switch (family) {
	case NFPROTO_IPV4: return "ip";
	case NFPROTO_IPV6: return "ip6";
	case NFPROTO_INET: return "inet";
	case NFPROTO_ARP: return "arp";
	case NFPROTO_BRIDGE: return "bridge";
	case NFPROTO_NETDEV: return "netdev";
	default: return "unknown";
	}
}

const char *
pp_nft_hook_name(uint32_t family, uint32_t hooknum)
{
	if (family == NFPROTO_NETDEV)
		return hooknum == NF_NETDEV_INGRESS ? "ingress" : "egress";
	switch (hooknum) {
	case NF_INET_PRE_ROUTING: return "prerouting";
	case NF_INET_LOCAL_IN: return "input";
	case NF_INET_FORWARD: return "forward";
	case NF_INET_LOCAL_OUT: return "output";
	case NF_INET_POST_ROUTING: return "postrouting";
	case NF_INET_INGRESS: return "ingress";
	default: return "unknown";
	}
}

int
pp_legacy_iptables(int family, char *buf, size_t len)
{
	char raw[512];
	ssize_t n;
	int count = 0;
	size_t o = 0;

	buf[0] = '\0';
	n = pp_read_file(family == AF_INET6 ? "/proc/net/ip6_tables_names" : "/proc/net/ip_tables_names",
			 raw, sizeof(raw));
	if (n <= 0)
		return 0;
	for (char *save = NULL, *t = strtok_r(raw, "\n", &save); t; t = strtok_r(NULL, "\n", &save)) {
		if (!*t)
			continue;
		if (o < len)
			o += (size_t)snprintf(buf + o, len - o, "%s%s", count ? "," : "", t);
		count++;
	}
	return count;
}
