/*
 * snapdump.c: --save's full tables. Every request goes through common/nl.c, so a
 * recording store keeps it; the replay (and the userspace FIB) finds the same requests,
 * built by the same functions.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <linux/inet_diag.h>
#include <linux/neighbour.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/nexthop.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>

#include "netns.h"
#include "nl.h"
#include "snap_int.h"
#include "snmp.h"
#include "sysctl.h"

struct nlmsghdr *
pp_snap_rt_dump_req(void *buf, uint16_t type, const void *hdr, size_t hlen)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);

	nlh->nlmsg_type = type;
	/* As pp_nl_dump() sends it, so the userspace FIB finds the recorded request. */
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	memcpy(mnl_nlmsg_put_extra_header(nlh, hlen), hdr, hlen);
	return nlh;
}

struct nlmsghdr *
pp_snap_link_dump_req(void *buf)
{
	struct ifinfomsg ifi = { .ifi_family = AF_UNSPEC };

	return pp_snap_rt_dump_req(buf, RTM_GETLINK, &ifi, sizeof(ifi));
}

struct nlmsghdr *
pp_snap_addr_dump_req(void *buf)
{
	struct ifaddrmsg ifa = { .ifa_family = AF_UNSPEC };

	return pp_snap_rt_dump_req(buf, RTM_GETADDR, &ifa, sizeof(ifa));
}

struct nlmsghdr *
pp_snap_route_dump_req(void *buf, int family)
{
	struct rtmsg rtm = { .rtm_family = (uint8_t)family };

	return pp_snap_rt_dump_req(buf, RTM_GETROUTE, &rtm, sizeof(rtm));
}

struct nlmsghdr *
pp_snap_rule_dump_req(void *buf, int family)
{
	struct fib_rule_hdr frh = { .family = (uint8_t)family };

	return pp_snap_rt_dump_req(buf, RTM_GETRULE, &frh, sizeof(frh));
}

struct links {
	int idx[1024];
	char name[1024][16];
	size_t n;
};

static int
link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct links *l = data;
	const struct ifinfomsg *ifi;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifi) || l->n >= 1024)
		return 0;
	ifi = mnl_nlmsg_get_payload(nlh);
	l->idx[l->n] = ifi->ifi_index;
	l->name[l->n][0] = '\0';
	mnl_attr_for_each(a, nlh, sizeof(*ifi))
		if (mnl_attr_get_type(a) == IFLA_IFNAME && mnl_attr_get_payload_len(a) <= 16 &&
		    mnl_attr_get_payload_len(a) > 0)
			snprintf(l->name[l->n], 16, "%.*s", (int)mnl_attr_get_payload_len(a) - 1,
				 (const char *)mnl_attr_get_payload(a));
	/* A name that does not make a safe path is not asked for. */
	if (l->name[l->n][0] && !strchr(l->name[l->n], '/') && strcmp(l->name[l->n], ".") != 0 &&
	    strcmp(l->name[l->n], "..") != 0)
		l->n++;
	return 0;
}

struct sets {
	struct { uint8_t family; char table[64], name[64]; } s[4096];
	size_t n;
};

static int
set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sets *ss = data;
	const struct nfgenmsg *g;
	const struct nlattr *a;

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*g) || ss->n >= PP_ARRAY_SIZE(ss->s))
		return 0;
	g = mnl_nlmsg_get_payload(nlh);
	ss->s[ss->n].family = g->nfgen_family;
	ss->s[ss->n].table[0] = ss->s[ss->n].name[0] = '\0';
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		uint16_t t = mnl_attr_get_type(a), l = mnl_attr_get_payload_len(a);
		char *dst = t == NFTA_SET_TABLE ? ss->s[ss->n].table : t == NFTA_SET_NAME ? ss->s[ss->n].name : NULL;

		if (dst && l > 0 && l <= 64)
			snprintf(dst, 64, "%.*s", (int)l - 1, (const char *)mnl_attr_get_payload(a));
	}
	if (ss->s[ss->n].table[0] && ss->s[ss->n].name[0])
		ss->n++;
	return 0;
}

static struct nlmsghdr *
nft_req(void *buf, uint16_t msg, uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | msg;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	return nlh;
}

/* The sysctls that decide verdicts, for the namespace and each device. */
static const char *const sysctls[] = {
	"net/ipv4/ip_forward", "net/ipv4/ip_local_port_range", "net/ipv4/ip_local_reserved_ports",
	"net/ipv4/fib_multipath_use_neigh", "net/ipv4/fib_multipath_hash_policy",
	"net/ipv6/fib_multipath_hash_policy", "net/ipv4/icmp_echo_ignore_all", "net/ipv6/icmp/echo_ignore_all",
	"net/ipv4/ip_nonlocal_bind", "net/ipv6/ip_nonlocal_bind", "net/ipv4/tcp_syncookies",
	"net/bridge/bridge-nf-call-iptables", "net/bridge/bridge-nf-call-ip6tables",
	"net/netfilter/nf_conntrack_count", "net/netfilter/nf_conntrack_max",
	"net/netfilter/nf_conntrack_tcp_loose", "net/core/somaxconn",
	/* Not read by pathcheck's stations: kept for --replay, which restores it (a DF bit the model assumes). */
	"net/ipv4/ip_no_pmtu_disc",
};
/* Each device's: net/<fam>/conf/<dev>/<key>. */
static const struct { const char *fam, *key; } dev_sysctls[] = {
	{ "ipv4", "forwarding" }, { "ipv4", "rp_filter" }, { "ipv4", "accept_local" },
	{ "ipv4", "route_localnet" }, { "ipv4", "proxy_arp" }, { "ipv4", "arp_ignore" },
	{ "ipv4", "arp_filter" }, { "ipv4", "src_valid_mark" }, { "ipv6", "forwarding" },
	{ "ipv6", "disable_ipv6" }, { "ipv4", "ignore_routes_with_linkdown" },
};

int
pp_snap_dump_all(struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], path[256], tmp[4096];
	static const int fams[] = { AF_INET, AF_INET6 };
	struct links *links = calloc(1, sizeof(*links));
	struct sets *sets = calloc(1, sizeof(*sets));
	struct pp_nl nl;
	struct pp_err ie = { 0 };
	struct pp_snmp sn;
	int rc = 0;

	if (!links || !sets) {
		rc = -ENOMEM;
		pp_err_set(e, ENOMEM, "snapshot tables");
		goto out;
	}
	if ((rc = pp_nl_open(&nl, NETLINK_ROUTE, e)) < 0)
		goto out;
	pp_nl_dump(&nl, pp_snap_link_dump_req(buf), link_cb, links, NULL, &ie);
	pp_nl_dump(&nl, pp_snap_addr_dump_req(buf), NULL, NULL, NULL, &ie);
	for (size_t i = 0; i < PP_ARRAY_SIZE(fams); i++) {
		pp_nl_dump(&nl, pp_snap_route_dump_req(buf, fams[i]), NULL, NULL, NULL, &ie);
		pp_nl_dump(&nl, pp_snap_rule_dump_req(buf, fams[i]), NULL, NULL, NULL, &ie);
	}
	{
		struct nhmsg nh = { .nh_family = AF_UNSPEC };
		struct ndmsg nd = { .ndm_family = AF_UNSPEC };
		struct ndtmsg ndt = { .ndtm_family = AF_UNSPEC };
		struct tcmsg tc = { .tcm_family = AF_UNSPEC };

		pp_nl_dump(&nl, pp_snap_rt_dump_req(buf, RTM_GETNEXTHOP, &nh, sizeof(nh)), NULL, NULL, NULL, &ie);
		pp_nl_dump(&nl, pp_snap_rt_dump_req(buf, RTM_GETNEIGH, &nd, sizeof(nd)), NULL, NULL, NULL, &ie);
		pp_nl_dump(&nl, pp_snap_rt_dump_req(buf, RTM_GETNEIGHTBL, &ndt, sizeof(ndt)), NULL, NULL, NULL, &ie);
		pp_nl_dump(&nl, pp_snap_rt_dump_req(buf, RTM_GETQDISC, &tc, sizeof(tc)), NULL, NULL, NULL, &ie);
		for (size_t i = 0; i < links->n; i++) {
			tc.tcm_ifindex = links->idx[i];
			pp_nl_dump(&nl, pp_snap_rt_dump_req(buf, RTM_GETTCLASS, &tc, sizeof(tc)), NULL, NULL, NULL, &ie);
		}
	}
	pp_nl_close(&nl);
	/* nftables: every object of every family, and each set's elements. */
	if (pp_nl_open(&nl, NETLINK_NETFILTER, &ie) == 0) {
		static const uint16_t msgs[] = { NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN, NFT_MSG_GETRULE, NFT_MSG_GETOBJ,
						 NFT_MSG_GETFLOWTABLE };
		struct nlmsghdr *nlh;

		for (size_t i = 0; i < PP_ARRAY_SIZE(msgs); i++)
			pp_nl_dump(&nl, nft_req(buf, msgs[i], NFPROTO_UNSPEC), NULL, NULL, NULL, &ie);
		pp_nl_dump(&nl, nft_req(buf, NFT_MSG_GETSET, NFPROTO_UNSPEC), set_cb, sets, NULL, &ie);
		for (size_t i = 0; i < sets->n; i++) {
			nlh = nft_req(buf, NFT_MSG_GETSETELEM, sets->s[i].family);
			mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, sets->s[i].table);
			mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, sets->s[i].name);
			pp_nl_dump(&nl, nlh, NULL, NULL, NULL, &ie);
		}
		/* Conntrack's statistics per CPU (no entries: they carry the flows' addresses). */
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = (NFNL_SUBSYS_CTNETLINK << 8) | IPCTNL_MSG_CT_GET_STATS_CPU;
		((struct nfgenmsg *)mnl_nlmsg_put_extra_header(nlh, sizeof(struct nfgenmsg)))->nfgen_family = AF_UNSPEC;
		pp_nl_dump(&nl, nlh, NULL, NULL, NULL, &ie);
		pp_nl_close(&nl);
	}
	/* Listening sockets (TCP) and bound ones (UDP): sock_diag's records, no command lines. */
	if (pp_nl_open(&nl, NETLINK_SOCK_DIAG, &ie) == 0) {
		static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };

		for (size_t f = 0; f < PP_ARRAY_SIZE(fams); f++)
			for (size_t p = 0; p < PP_ARRAY_SIZE(protos); p++) {
				struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
				struct inet_diag_req_v2 *r;

				nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
				r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
				r->sdiag_family = (uint8_t)fams[f];
				r->sdiag_protocol = protos[p];
				r->idiag_states = protos[p] == IPPROTO_TCP ? 1u << 10 : ~0u;
				pp_nl_dump(&nl, nlh, NULL, NULL, NULL, &ie);
			}
		pp_nl_close(&nl);
	}
	/* Files: read (and so recorded) through common/sysctl.c. */
	for (size_t i = 0; i < PP_ARRAY_SIZE(sysctls); i++) {
		snprintf(path, sizeof(path), "/proc/sys/%s", sysctls[i]);
		pp_read_file(path, tmp, sizeof(tmp));
	}
	for (size_t k = 0; k < PP_ARRAY_SIZE(dev_sysctls); k++)
		for (size_t i = 0; i < links->n + 2; i++) {
			const char *dev = i < links->n ? links->name[i] : i == links->n ? "all" : "default";

			snprintf(path, sizeof(path), "/proc/sys/net/%s/conf/%s/%s", dev_sysctls[k].fam, dev,
				 dev_sysctls[k].key);
			pp_read_file(path, tmp, sizeof(tmp));
		}
	pp_read_file(pp_proc_net_path("stat/nf_conntrack", path, sizeof(path)), tmp, sizeof(tmp));
	pp_read_file(pp_proc_net_path("ip_tables_names", path, sizeof(path)), tmp, sizeof(tmp));
	pp_read_file(pp_proc_net_path("ip6_tables_names", path, sizeof(path)), tmp, sizeof(tmp));
	if (pp_snmp_read(&sn) == 0)
		pp_snmp_free(&sn);
	rc = 0;
out:
	free(links);
	free(sets);
	return rc;
}

/* Append word to a ", "-separated list in buf, once. */
static void
list_add(char *buf, size_t len, const char *word)
{
	size_t n = strlen(buf), wl = strlen(word);

	if (!len)
		return;
	for (const char *p = buf; (p = strstr(p, word)) != NULL; p += wl)
		if ((p == buf || p[-1] == ' ') && (p[wl] == ',' || p[wl] == '\0'))
			return;
	snprintf(buf + n, len > n ? len - n : 0, "%s%s", n ? ", " : "", word);
}

int
pp_snap_lacks_tables(const struct pp_snap *s, int ns, char *missing, size_t mlen, char *holds, size_t hlen)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	const char *name;
	size_t nl;
	int n = 0;
	struct {
		const char *what;
		struct nlmsghdr *(*req)(void *buf, int family);
		int family;
	} need[] = {
		{ "links", NULL, 0 },
		{ "addresses", NULL, 0 },
		{ "IPv4 routes", pp_snap_route_dump_req, AF_INET },
		{ "IPv6 routes", pp_snap_route_dump_req, AF_INET6 },
		{ "IPv4 rules", pp_snap_rule_dump_req, AF_INET },
		{ "IPv6 rules", pp_snap_rule_dump_req, AF_INET6 },
	};

	if (ns < 0)
		ns = s->base;
	name = pp_snap_ns_name(s, ns);
	nl = strlen(name);
	if (mlen)
		missing[0] = '\0';
	if (hlen)
		holds[0] = '\0';
	for (size_t i = 0; i < PP_ARRAY_SIZE(need); i++) {
		struct nlmsghdr *req = i == 0 ? pp_snap_link_dump_req(buf) : i == 1 ? pp_snap_addr_dump_req(buf) :
				       need[i].req(buf, need[i].family);

		if (pp_snap_nl_find(s, ns, NETLINK_ROUTE, req))
			continue;
		list_add(missing, mlen, need[i].what);
		n++;
	}
	/* What it does hold, by piece: "ns1/qdisc" -> "qdisc". */
	for (size_t i = 0; i < s->npieces; i++) {
		const char *pn = s->pieces[i].name;

		if (strncmp(pn, name, nl) == 0 && pn[nl] == '/' && pn[nl + 1])
			list_add(holds, hlen, pn + nl + 1);
	}
	return n;
}
