/*
 * replay.c: --replay FILE. The snapshot's namespace is rebuilt in a new network
 * namespace (the replayed host, R): for every recorded device a veth of the same index,
 * name, MTU, MAC and state, whose peer sits in a namespace of its own (the wire beyond
 * that device); the recorded addresses, rules, routes of every table, static neighbours,
 * sysctls, the nftables ruleset (the recorded NFT_MSG_NEW* messages in one batch) and
 * the listening sockets. Then the packet is sent for real (from R, or with --iif from
 * the device's peer) and what the kernel did is watched: the flow seen leaving on a
 * peer, taken by a socket of R, an error back, or nothing. The namespaces are anonymous
 * (held by this process's descriptors only): they cannot collide with any live one, and
 * the kernel removes them when the process ends, however it ends.
 */
#include <net/if.h>
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/ethernet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <netinet/ip_icmp.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/fib_rules.h>
#include <net/if_arp.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <linux/inet_diag.h>
#include <linux/neighbour.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/veth.h>

#include "json.h"
#include "netns.h"
#include "nl.h"
#include "pathcheck.h"
#include "replay.h"
#include "route.h"
#include "snap.h"
#include "sockdiag.h"
#include "text.h"

#define RP_LINKS 64
#define RP_SOCKS 64
#define RP_ADDRS 128

struct rp_link {
	int idx;
	char name[IF_NAMESIZE];
	uint32_t mtu;
	uint8_t mac[32];
	int maclen;
	unsigned flags;
	bool loopback;
	bool bridge;		/* a bridge: no peer of its own, its ports' peers are its wire */
	int master;		/* a bridge port: the bridge's index */
	int wfd;		/* the peer's namespace */
	int peer_idx;
	uint8_t peer_mac[6];
	int cap;		/* AF_PACKET on the peer */
};

struct rp_na { int idx; struct pp_addr a; };

struct rp_ctx {
	struct pp_snap *s;
	int ns;
	int orig, r;
	struct rp_link l[RP_LINKS];
	size_t nl;
	struct rp_ls { int fd; uint8_t proto; int family; uint16_t port; } ls[RP_SOCKS];
	size_t nls;
	struct rp_na gw[RP_ADDRS], failed[RP_ADDRS];
	size_t ngw, nfailed;
	unsigned naddr, nroute, nrule, nneigh, nsysctl, nsysctl_bad, nnft;
	char sysctl_bad[128];
	char why[512];
	bool fail;
};

static void
rp_why(struct rp_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
rp_why(struct rp_ctx *c, const char *fmt, ...)
{
	va_list ap;

	if (c->fail)
		return;
	c->fail = true;
	va_start(ap, fmt);
	vsnprintf(c->why, sizeof(c->why), fmt, ap);
	va_end(ap);
}

const char *
pc_rp_outcome_name(enum pc_rp_outcome o)
{
	switch (o) {
	case PC_RP_DELIVERED: return "delivered";
	case PC_RP_EGRESS: return "egress";
	case PC_RP_REJECTED: return "rejected";
	case PC_RP_DROPPED: return "dropped";
	default: return "none";
	}
}

static int
go(int fd)
{
	return setns(fd, CLONE_NEWNET);
}

/* A new anonymous namespace: its fd, the calling thread back in orig. */
static int
new_ns(int orig)
{
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		return -errno;
	fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		fd = -errno;
	if (go(orig) < 0) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	return fd;
}

static struct rp_link *
link_by_idx(struct rp_ctx *c, int idx)
{
	for (size_t i = 0; i < c->nl; i++)
		if (c->l[i].idx == idx)
			return &c->l[i];
	return NULL;
}

static void
wsysctl(const char *path, const char *val)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);

	if (fd >= 0) {
		if (write(fd, val, strlen(val)) < 0) {
			/* best effort: only for the lab's own settings */
		}
		close(fd);
	}
}

/* ---- links ---- */

static int
link_cb(const struct nlmsghdr *nlh, void *data)
{
	struct rp_ctx *c = data;
	const struct ifinfomsg *ifi;
	const struct nlattr *a;
	struct rp_link L = { .wfd = -1, .cap = -1 };
	char kind[32] = "";
	bool vlan_filtering = false;

	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifi))
		return 0;
	ifi = mnl_nlmsg_get_payload(nlh);
	L.idx = ifi->ifi_index;
	L.flags = ifi->ifi_flags;
	L.loopback = ifi->ifi_type == ARPHRD_LOOPBACK;
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		uint16_t l = mnl_attr_get_payload_len(a);

		switch (mnl_attr_get_type(a)) {
		case IFLA_IFNAME:
			if (l && l <= IF_NAMESIZE)
				snprintf(L.name, sizeof(L.name), "%.*s", (int)l - 1, (const char *)mnl_attr_get_payload(a));
			break;
		case IFLA_MTU:
			if (l == 4)
				L.mtu = mnl_attr_get_u32(a);
			break;
		case IFLA_ADDRESS:
			if (l <= sizeof(L.mac)) {
				memcpy(L.mac, mnl_attr_get_payload(a), l);
				L.maclen = l;
			}
			break;
		case IFLA_MASTER:
			if (l == 4)
				L.master = (int)mnl_attr_get_u32(a);
			break;
		case IFLA_LINKINFO: {
			const struct nlattr *b, *d;

			mnl_attr_for_each_nested(b, a) {
				if (mnl_attr_get_type(b) == IFLA_INFO_KIND && mnl_attr_get_payload_len(b) < sizeof(kind))
					snprintf(kind, sizeof(kind), "%.*s", (int)mnl_attr_get_payload_len(b),
						 (const char *)mnl_attr_get_payload(b));
				if (mnl_attr_get_type(b) == IFLA_INFO_DATA)
					mnl_attr_for_each_nested(d, b)
						if (mnl_attr_get_type(d) == IFLA_BR_VLAN_FILTERING && mnl_attr_get_payload_len(d) == 1)
							vlan_filtering = mnl_attr_get_u8(d) != 0;
			}
			break;
		}
		}
	}
	if (!L.name[0])
		return 0;
	L.bridge = strcmp(kind, "bridge") == 0;
	if (!L.loopback && ((kind[0] && strcmp(kind, "veth") != 0 && !L.bridge) || ifi->ifi_type != ARPHRD_ETHER))
		rp_why(c, "device %s (%s) cannot be replayed: only loopback, ethernet devices, veths and bridges are",
		       L.name, kind[0] ? kind : "link type not ethernet");
	else if (L.bridge && vlan_filtering)
		rp_why(c, "bridge %s filters VLANs (its VLAN table is not in a snapshot): not replayed", L.name);
	else if (L.bridge && L.master)
		rp_why(c, "bridge %s is a port of another device: not replayed", L.name);
	else if (c->nl >= RP_LINKS)
		rp_why(c, "more than %d devices: not replayed", RP_LINKS);
	else
		c->l[c->nl++] = L;
	return 0;
}

/* Device idx brought up (up), and made a port of master (non-zero); what is not asked is left. */
static int
link_set(struct pp_nl *nl, int idx, bool up, int master, struct pp_err *e)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = idx;
	if (up) {
		ifi->ifi_flags = IFF_UP;
		ifi->ifi_change = IFF_UP;
	}
	if (master)
		mnl_attr_put_u32(nlh, IFLA_MASTER, (uint32_t)master);
	return pp_nl_request(nl, nlh, NULL, NULL, e);
}

static int
make_veth(struct pp_nl *nl, const struct rp_link *L, struct pp_err *e)
{
	char buf[1024];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi, *pi;
	struct nlattr *li, *d, *p;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = L->idx;	/* the recorded index: routes, rules and nft iif/oif name it */
	mnl_attr_put_strz(nlh, IFLA_IFNAME, L->name);
	if (L->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, L->mtu);
	if (L->maclen == 6)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, L->mac);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	d = mnl_attr_nest_start(nlh, IFLA_INFO_DATA);
	p = mnl_attr_nest_start(nlh, VETH_INFO_PEER);
	pi = mnl_nlmsg_get_payload_tail(nlh);
	memset(pi, 0, sizeof(*pi));
	nlh->nlmsg_len += MNL_ALIGN(sizeof(*pi));
	mnl_attr_put_strz(nlh, IFLA_IFNAME, L->name);
	mnl_attr_put_u32(nlh, IFLA_NET_NS_FD, (uint32_t)L->wfd);
	if (L->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, L->mtu);
	mnl_attr_nest_end(nlh, p);
	mnl_attr_nest_end(nlh, d);
	mnl_attr_nest_end(nlh, li);
	return pp_nl_request(nl, nlh, NULL, NULL, e);
}

/* A bridge of the recorded index, name, MTU and MAC (STP off, no VLAN filtering: the kernel's defaults). */
static int
make_bridge(struct pp_nl *nl, const struct rp_link *L, struct pp_err *e)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;
	struct nlattr *li;

	nlh->nlmsg_type = RTM_NEWLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = L->idx;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, L->name);
	if (L->mtu)
		mnl_attr_put_u32(nlh, IFLA_MTU, L->mtu);
	if (L->maclen == 6)
		mnl_attr_put(nlh, IFLA_ADDRESS, 6, L->mac);
	li = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "bridge");
	mnl_attr_nest_end(nlh, li);
	return pp_nl_request(nl, nlh, NULL, NULL, e);
}

static const char *
errtxt(const struct pp_err *e, char *buf, size_t len)
{
	return pp_err_str(e, buf, len);
}

/* ---- addresses, rules, routes, neighbours: recorded replies as requests ---- */

struct msgs {
	uint8_t **m;
	size_t n, cap;
	int proto;
	uint32_t ifa_add;
	struct rp_ctx *c;
	const char *what;
};

static int
msgs_push(struct msgs *ms, const uint8_t *m, size_t len)
{
	uint8_t *cp;

	if (ms->n == ms->cap) {
		size_t nc = ms->cap ? ms->cap * 2 : 64;
		uint8_t **nm = realloc(ms->m, nc * sizeof(*nm));

		if (!nm)
			return -ENOMEM;
		ms->m = nm;
		ms->cap = nc;
	}
	if (!(cp = malloc(len)))
		return -ENOMEM;
	memcpy(cp, m, len);
	ms->m[ms->n++] = cp;
	return 0;
}

static void
msgs_free(struct msgs *ms)
{
	for (size_t i = 0; i < ms->n; i++)
		free(ms->m[i]);
	free(ms->m);
	ms->m = NULL;
	ms->n = ms->cap = 0;
}

static int
conv_cb(const struct nlmsghdr *nlh, void *data)
{
	struct msgs *ms = data;
	/* A request is never longer than its reply plus the few attributes conversion adds. */
	size_t cap = NLMSG_ALIGN(nlh->nlmsg_len) + 256;
	uint8_t *out;
	char why[128];
	ssize_t n;

	if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE)
		return 0;
	if (!(out = malloc(cap))) {
		rp_why(ms->c, "out of memory");
		return 0;
	}
	n = pc_rp_convert(ms->proto, nlh, nlh->nlmsg_len, out, cap, ms->ifa_add, why, sizeof(why));
	if (n < 0)
		rp_why(ms->c, "%s: a recorded message cannot be replayed: %s", ms->what, why);
	else if (n > 0 && msgs_push(ms, out, (size_t)n) < 0)
		rp_why(ms->c, "out of memory");
	free(out);
	return 0;
}

static uint32_t
attr_u32(const struct nlmsghdr *nlh, size_t fixed, uint16_t type, uint32_t dflt)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, fixed)
		if (mnl_attr_get_type(a) == type && mnl_attr_get_payload_len(a) == 4)
			return mnl_attr_get_u32(a);
	return dflt;
}

static const struct nlattr *
attr_get(const struct nlmsghdr *nlh, size_t fixed, uint16_t type)
{
	const struct nlattr *a;

	mnl_attr_for_each(a, nlh, fixed)
		if (mnl_attr_get_type(a) == type)
			return a;
	return NULL;
}

static void
add_na(struct rp_na *v, size_t *n, int idx, int family, const void *raw, size_t len)
{
	if (*n >= RP_ADDRS)
		return;
	v[*n].idx = idx;
	if (pp_addr_set(&v[*n].a, family, raw, len))
		(*n)++;
}

static bool
na_has(const struct rp_na *v, size_t n, int idx, const struct pp_addr *a)
{
	for (size_t i = 0; i < n; i++)
		if (v[i].idx == idx && pp_addr_eq(&v[i].a, a))
			return true;
	return false;
}

/* Send each request; EEXIST is the kernel having made the object already (a local route of an address). */
static void
send_all(struct rp_ctx *c, struct pp_nl *nl, struct msgs *ms, const char *what, unsigned *count, bool retry)
{
	bool *done = calloc(ms->n ? ms->n : 1, sizeof(bool));
	bool progress = true;
	struct pp_err e = { 0 };
	char eb[512];
	size_t left = ms->n, last = 0;

	if (!done) {
		rp_why(c, "out of memory");
		return;
	}
	while (left && progress) {
		progress = false;
		for (size_t i = 0; i < ms->n; i++) {
			int rc;

			if (done[i])
				continue;
			memset(&e, 0, sizeof(e));
			rc = pp_nl_request(nl, (struct nlmsghdr *)ms->m[i], NULL, NULL, &e);
			if (rc == 0 || rc == -EEXIST) {
				done[i] = true;
				left--;
				progress = true;
				*count += rc == 0;
			} else {
				last = i;
				errtxt(&e, eb, sizeof(eb));
			}
		}
		if (!retry)
			break;
	}
	if (left)
		rp_why(c, "%s: %zu of %zu recorded could not be restored (message %zu: %s)", what, left, ms->n, last, eb);
	free(done);
}

static bool
route_is_kernels(const uint8_t *m)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)m;
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	uint32_t table = attr_u32(nlh, sizeof(*rtm), RTA_TABLE, rtm->rtm_table);

	/* The local table's routes of an address: made again by the address itself. */
	return table == RT_TABLE_LOCAL && rtm->rtm_protocol == RTPROT_KERNEL;
}

static void
note_gateways(struct rp_ctx *c, const struct nlmsghdr *nlh)
{
	const struct rtmsg *rtm = mnl_nlmsg_get_payload(nlh);
	const struct nlattr *gw = attr_get(nlh, sizeof(*rtm), RTA_GATEWAY);
	uint32_t oif = attr_u32(nlh, sizeof(*rtm), RTA_OIF, 0);

	if (gw && oif)
		add_na(c->gw, &c->ngw, (int)oif, rtm->rtm_family, mnl_attr_get_payload(gw), mnl_attr_get_payload_len(gw));
}

struct rule_del { struct msgs ms; };

static int
rule_del_cb(const struct nlmsghdr *nlh, void *data)
{
	struct msgs *ms = data;

	if (nlh->nlmsg_type != RTM_NEWRULE)
		return 0;
	if (msgs_push(ms, (const uint8_t *)nlh, nlh->nlmsg_len) == 0) {
		struct nlmsghdr *h = (struct nlmsghdr *)ms->m[ms->n - 1];

		h->nlmsg_type = RTM_DELRULE;
		h->nlmsg_flags = NLM_F_REQUEST;
	}
	return 0;
}

static int
neigh_cb(const struct nlmsghdr *nlh, void *data)
{
	struct msgs *ms = data;
	struct rp_ctx *c = ms->c;
	const struct ndmsg *nd;
	const struct nlattr *dst;
	struct rp_link *L;

	if (nlh->nlmsg_type != RTM_NEWNEIGH || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*nd))
		return 0;
	nd = mnl_nlmsg_get_payload(nlh);
	if (!(L = link_by_idx(c, nd->ndm_ifindex)) || L->loopback || (nd->ndm_flags & NTF_PROXY) ||
	    (nd->ndm_family != AF_INET && nd->ndm_family != AF_INET6))
		return 0;
	dst = attr_get(nlh, sizeof(*nd), NDA_DST);
	if (nd->ndm_state & (NUD_FAILED | NUD_INCOMPLETE)) {
		/* The host could not resolve it: the replay's world does not answer it either. */
		if (dst)
			add_na(c->failed, &c->nfailed, nd->ndm_ifindex, nd->ndm_family, mnl_attr_get_payload(dst),
			       mnl_attr_get_payload_len(dst));
		return 0;
	}
	if (!(nd->ndm_state & NUD_PERMANENT) || !attr_get(nlh, sizeof(*nd), NDA_LLADDR))
		return 0;
	return conv_cb(nlh, data);
}

/* ---- sysctls ---- */

static const char *const rp_keys4[] = { "forwarding", "rp_filter", "accept_local", "route_localnet", "proxy_arp",
					"arp_ignore", "arp_filter", "src_valid_mark", "ignore_routes_with_linkdown" };
static const char *const rp_keys6[] = { "disable_ipv6", "forwarding" };
static const char *const rp_glob[] = {
	"net/ipv4/ip_local_port_range", "net/ipv4/ip_local_reserved_ports", "net/ipv4/fib_multipath_use_neigh",
	"net/ipv4/fib_multipath_hash_policy", "net/ipv6/fib_multipath_hash_policy", "net/ipv4/icmp_echo_ignore_all",
	"net/ipv6/icmp/echo_ignore_all", "net/ipv4/ip_nonlocal_bind", "net/ipv6/ip_nonlocal_bind",
	"net/ipv4/tcp_syncookies", "net/netfilter/nf_conntrack_tcp_loose", "net/core/somaxconn",
	"net/ipv4/ip_no_pmtu_disc",
};

static void
one_sysctl(struct rp_ctx *c, const char *rel)
{
	char path[256], *val = NULL;
	int n, fd;

	snprintf(path, sizeof(path), "/proc/sys/%s", rel);
	if ((n = pp_snap_file_get(c->s, path, &val)) <= 0) {
		free(val);
		return;
	}
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, val, (size_t)n) != n) {
		c->nsysctl_bad++;
		if (!c->sysctl_bad[0])
			snprintf(c->sysctl_bad, sizeof(c->sysctl_bad), "%s", rel);
	} else
		c->nsysctl++;
	if (fd >= 0)
		close(fd);
	free(val);
}

static void
restore_sysctls(struct rp_ctx *c, bool late)
{
	char rel[160];

	if (late) {
		for (size_t i = 0; i < PP_ARRAY_SIZE(rp_glob); i++)
			one_sysctl(c, rp_glob[i]);
		return;
	}
	one_sysctl(c, "net/ipv4/ip_forward");
	for (size_t d = 0; d < c->nl + 2; d++) {
		const char *dev = d == 0 ? "all" : d == 1 ? "default" : c->l[d - 2].name;

		for (size_t k = 0; k < PP_ARRAY_SIZE(rp_keys6); k++) {
			snprintf(rel, sizeof(rel), "net/ipv6/conf/%s/%s", dev, rp_keys6[k]);
			one_sysctl(c, rel);
		}
		for (size_t k = 0; k < PP_ARRAY_SIZE(rp_keys4); k++) {
			snprintf(rel, sizeof(rel), "net/ipv4/conf/%s/%s", dev, rp_keys4[k]);
			one_sysctl(c, rel);
		}
	}
}

/* ---- nftables ---- */

static struct nlmsghdr *
nft_dump_req(void *buf, uint16_t msg, uint8_t family)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nfgenmsg *g;

	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | msg;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;	/* as pp_nl_dump() sent it when recording */
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->nfgen_family = family;
	g->version = NFNETLINK_V0;
	return nlh;
}

struct setref { uint8_t family; char table[256], name[256]; };
struct sets { struct setref *v; size_t n, cap; };

static int
set_cb(const struct nlmsghdr *nlh, void *data)
{
	struct sets *ss = data;
	const struct nfgenmsg *g;
	const struct nlattr *a;
	struct setref r = { 0 };

	if (nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*g))
		return 0;
	g = mnl_nlmsg_get_payload(nlh);
	r.family = g->nfgen_family;
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		uint16_t t = mnl_attr_get_type(a), l = mnl_attr_get_payload_len(a);
		char *dst = t == NFTA_SET_TABLE ? r.table : t == NFTA_SET_NAME ? r.name : NULL;

		if (dst && l > 0 && l <= 256)
			snprintf(dst, 256, "%.*s", (int)l - 1, (const char *)mnl_attr_get_payload(a));
	}
	if (!r.table[0] || !r.name[0])
		return 0;
	if (ss->n == ss->cap) {
		size_t nc = ss->cap ? ss->cap * 2 : 16;
		struct setref *nv = realloc(ss->v, nc * sizeof(*nv));

		if (!nv)
			return -ENOMEM;
		ss->v = nv;
		ss->cap = nc;
	}
	ss->v[ss->n++] = r;
	return 0;
}

static int
count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(unsigned *)data)++;
	return 0;
}

static void
nft_batch_send(struct rp_ctx *c, struct msgs *ms)
{
	size_t total = 64, off = 0;
	uint8_t *buf;
	struct mnl_socket *nl;
	uint32_t seq = 1;
	struct nlmsghdr *h;
	int fd, big = 0;

	for (size_t i = 0; i < ms->n; i++)
		total += NLMSG_ALIGN(((struct nlmsghdr *)ms->m[i])->nlmsg_len);
	if (!(buf = calloc(1, total + 64))) {
		rp_why(c, "out of memory");
		return;
	}
	h = (struct nlmsghdr *)buf;
	h->nlmsg_len = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	h->nlmsg_type = NFNL_MSG_BATCH_BEGIN;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = seq++;
	((struct nfgenmsg *)NLMSG_DATA(h))->res_id = htons(NFNL_SUBSYS_NFTABLES);
	off = NLMSG_ALIGN(h->nlmsg_len);
	for (size_t i = 0; i < ms->n; i++) {
		struct nlmsghdr *m = (struct nlmsghdr *)ms->m[i];

		memcpy(buf + off, m, m->nlmsg_len);
		h = (struct nlmsghdr *)(buf + off);
		h->nlmsg_flags &= (uint16_t)~NLM_F_ACK;	/* errors come anyway; success is the generation's answer */
		h->nlmsg_seq = seq++;
		off += NLMSG_ALIGN(m->nlmsg_len);
	}
	h = (struct nlmsghdr *)(buf + off);
	h->nlmsg_len = NLMSG_HDRLEN + sizeof(struct nfgenmsg);
	h->nlmsg_type = NFNL_MSG_BATCH_END;
	h->nlmsg_flags = NLM_F_REQUEST;
	h->nlmsg_seq = seq++;
	((struct nfgenmsg *)NLMSG_DATA(h))->res_id = htons(NFNL_SUBSYS_NFTABLES);
	off += NLMSG_ALIGN(h->nlmsg_len);
	if (!(nl = mnl_socket_open(NETLINK_NETFILTER)) || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		rp_why(c, "nftables: netlink socket: %s", strerror(errno));
		goto out;
	}
	fd = mnl_socket_get_fd(nl);
	{
		int one = 1;

		setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
		/* An error without the request echoed: a large one (a set's elements) would not fit the reply. */
		setsockopt(fd, SOL_NETLINK, NETLINK_CAP_ACK, &one, sizeof(one));
	}
	big = (int)(off * 2 + 65536);
	setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &big, sizeof(big));
	if (mnl_socket_sendto(nl, buf, off) < 0) {
		rp_why(c, "nftables: sending the batch of %zu messages: %s", ms->n, strerror(errno));
		goto close;
	}
	/* A request after the batch: its answer comes after every error the batch had. */
	{
		char rb[MNL_SOCKET_BUFFER_SIZE * 2];
		struct nlmsghdr *g = nft_dump_req(rb, NFT_MSG_GETGEN, AF_UNSPEC);
		uint32_t gseq = seq;
		bool fin = false;

		g->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
		g->nlmsg_seq = gseq;
		if (mnl_socket_sendto(nl, g, g->nlmsg_len) < 0) {
			rp_why(c, "nftables: %s", strerror(errno));
			goto close;
		}
		while (!fin) {
			struct pollfd p = { .fd = fd, .events = POLLIN };
			ssize_t n;
			int rem;

			if (poll(&p, 1, 5000) <= 0) {
				rp_why(c, "nftables: no answer to the batch");
				break;
			}
			if ((n = recv(fd, rb, sizeof(rb), 0)) < 0) {
				rp_why(c, "nftables: reading the batch's answer: %s", strerror(errno));
				break;
			}
			rem = (int)n;
			for (h = (struct nlmsghdr *)rb; mnl_nlmsg_ok(h, rem); h = mnl_nlmsg_next(h, &rem)) {
				if (h->nlmsg_seq == gseq && (h->nlmsg_type == NLMSG_ERROR || h->nlmsg_type == NLMSG_DONE))
					fin = true;
				if (h->nlmsg_type == NLMSG_ERROR && h->nlmsg_seq != gseq &&
				    h->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct nlmsgerr)) {
					const struct nlmsgerr *er = mnl_nlmsg_get_payload(h);
					char nb[64];
					uint32_t k = h->nlmsg_seq >= 2 ? h->nlmsg_seq - 2 : 0;

					char ext[256] = "";

					if (er->error && (h->nlmsg_flags & NLM_F_ACK_TLVS)) {
						const struct nlattr *ea;
						size_t eoff = sizeof(*er);

						if (!(h->nlmsg_flags & NLM_F_CAPPED))
							eoff += er->msg.nlmsg_len - sizeof(struct nlmsghdr);
						if (NLMSG_HDRLEN + eoff <= h->nlmsg_len) {
							mnl_attr_for_each(ea, h, eoff)
								if (mnl_attr_get_type(ea) == NLMSGERR_ATTR_MSG) {
									size_t el = strlen(ext);

									snprintf(ext + el, sizeof(ext) - el, " (kernel: %.*s)",
										 (int)strnlen(mnl_attr_get_payload(ea),
											      mnl_attr_get_payload_len(ea)),
										 (const char *)mnl_attr_get_payload(ea));
								} else if (mnl_attr_get_type(ea) == NLMSGERR_ATTR_OFFS &&
									   mnl_attr_get_payload_len(ea) == 4 && k < ms->n) {
									/* The attribute the kernel points at, by its type. */
									uint32_t ao = mnl_attr_get_u32(ea);
									const struct nlmsghdr *bad = (const struct nlmsghdr *)ms->m[k];
									size_t el = strlen(ext);

									if (ao + sizeof(struct nlattr) <= bad->nlmsg_len) {
										const struct nlattr *ba = (const struct nlattr *)((const uint8_t *)bad + ao);
										char xd[96];

										/* An expression (a list element): by its name, an x_tables one by its own. */
										if ((ba->nla_type & NLA_TYPE_MASK) == NFTA_LIST_ELEM &&
										    (pc_rp_expr_desc(ba, bad->nlmsg_len - ao, xd, sizeof(xd)), xd[0]))
											snprintf(ext + el, sizeof(ext) - el, " (expression %s)", xd);
										else
											snprintf(ext + el, sizeof(ext) - el, " (attribute type %u)",
												 ba->nla_type & NLA_TYPE_MASK);
									}
								}
						}
					}
					if (er->error)
						rp_why(c, "nftables: the kernel refused the ruleset at message %u of %zu (%s): %s%s",
						       k + 1, ms->n,
						       pp_snap_msg_name(NETLINK_NETFILTER, er->msg.nlmsg_type, nb, sizeof(nb)),
						       strerror(-er->error), ext);
				}
			}
		}
	}
	if (!c->fail)
		c->nnft = (unsigned)ms->n;
close:
	mnl_socket_close(nl);
out:
	free(buf);
}

static void
restore_nft(struct rp_ctx *c)
{
	static const uint16_t order[] = { NFT_MSG_GETTABLE, NFT_MSG_GETCHAIN, NFT_MSG_GETOBJ, NFT_MSG_GETSET };
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct msgs ms = { .proto = NETLINK_NETFILTER, .c = c, .what = "nftables" };
	struct sets ss = { 0 };
	unsigned nflow = 0;
	char *legacy = NULL;

	if (pp_snap_file_get(c->s, "/proc/net/ip_tables_names", &legacy) > 0 && legacy[0] && legacy[0] != '\n')
		rp_why(c, "iptables-legacy tables (%.*s): not replayed", (int)strcspn(legacy, "\n"), legacy);
	free(legacy);
	if (pp_snap_file_get(c->s, "/proc/net/ip6_tables_names", &legacy) > 0 && legacy[0] && legacy[0] != '\n')
		rp_why(c, "ip6tables-legacy tables (%.*s): not replayed", (int)strcspn(legacy, "\n"), legacy);
	free(legacy);
	pp_snap_walk(c->s, c->ns, NETLINK_NETFILTER, nft_dump_req(buf, NFT_MSG_GETFLOWTABLE, NFPROTO_UNSPEC), count_cb,
		     &nflow);
	if (nflow)
		rp_why(c, "nftables flowtables (%u): not replayed", nflow);
	for (size_t i = 0; i < PP_ARRAY_SIZE(order); i++)
		pp_snap_walk(c->s, c->ns, NETLINK_NETFILTER, nft_dump_req(buf, order[i], NFPROTO_UNSPEC), conv_cb, &ms);
	pp_snap_walk(c->s, c->ns, NETLINK_NETFILTER, nft_dump_req(buf, NFT_MSG_GETSET, NFPROTO_UNSPEC), set_cb, &ss);
	for (size_t i = 0; i < ss.n; i++) {
		struct nlmsghdr *nlh = nft_dump_req(buf, NFT_MSG_GETSETELEM, ss.v[i].family);

		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_TABLE, ss.v[i].table);
		mnl_attr_put_strz(nlh, NFTA_SET_ELEM_LIST_SET, ss.v[i].name);
		pp_snap_walk(c->s, c->ns, NETLINK_NETFILTER, nlh, conv_cb, &ms);
	}
	pp_snap_walk(c->s, c->ns, NETLINK_NETFILTER, nft_dump_req(buf, NFT_MSG_GETRULE, NFPROTO_UNSPEC), conv_cb, &ms);
	if (!c->fail && ms.n)
		nft_batch_send(c, &ms);
	free(ss.v);
	msgs_free(&ms);
}

/* ---- listening sockets ---- */

static int
sock_cb(const struct nlmsghdr *nlh, void *data)
{
	struct msgs *ms = data;
	struct rp_ctx *c = ms->c;
	struct pp_sock s;
	struct sockaddr_storage ss = { 0 };
	socklen_t sl;
	int fd, one = 1;
	struct rp_link *L;

	if (nlh->nlmsg_type != SOCK_DIAG_BY_FAMILY || pp_sock_decode(nlh, &s) < 0 || c->nls >= RP_SOCKS)
		return 0;
	s.proto = (uint8_t)ms->ifa_add;
	if (s.proto == IPPROTO_TCP ? s.state != TCP_LISTEN : s.state != TCP_CLOSE)
		return 0;
	fd = socket(s.family, (s.proto == IPPROTO_TCP ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return 0;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	setsockopt(fd, SOL_IP, IP_FREEBIND, &one, sizeof(one));
	if (s.family == AF_INET6) {
		int v6 = s.has_v6only && s.v6only;

		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &v6, sizeof(v6));
	}
	if (s.ifindex && (L = link_by_idx(c, (int)s.ifindex)))
		setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, L->name, (socklen_t)strlen(L->name));
	if (s.family == AF_INET) {
		struct sockaddr_in *a = (struct sockaddr_in *)&ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(s.sport);
		memcpy(&a->sin_addr, s.src.u.b, 4);
		sl = sizeof(*a);
	} else {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)&ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(s.sport);
		memcpy(&a->sin6_addr, s.src.u.b, 16);
		sl = sizeof(*a);
	}
	if (bind(fd, (struct sockaddr *)&ss, sl) < 0 || (s.proto == IPPROTO_TCP && listen(fd, 128) < 0)) {
		char ab[INET6_ADDRSTRLEN];

		rp_why(c, "the recorded %s socket on %s port %u cannot be made: %s", s.proto == IPPROTO_TCP ? "tcp" : "udp",
		       pp_addr_str(&s.src, ab, sizeof(ab)), s.sport, strerror(errno));
		close(fd);
		return 0;
	}
	c->ls[c->nls++] = (struct rp_ls){ fd, s.proto, s.family, s.sport };
	return 0;
}

static void
restore_sockets(struct rp_ctx *c)
{
	static const int fams[] = { AF_INET, AF_INET6 };
	static const uint8_t protos[] = { IPPROTO_TCP, IPPROTO_UDP };
	char buf[MNL_SOCKET_BUFFER_SIZE];

	for (size_t f = 0; f < 2; f++)
		for (size_t p = 0; p < 2; p++) {
			struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
			struct inet_diag_req_v2 *r;
			struct msgs ms = { .c = c, .ifa_add = protos[p] };

			nlh->nlmsg_type = SOCK_DIAG_BY_FAMILY;
			nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
			r = mnl_nlmsg_put_extra_header(nlh, sizeof(*r));
			r->sdiag_family = (uint8_t)fams[f];
			r->sdiag_protocol = protos[p];
			r->idiag_states = protos[p] == IPPROTO_TCP ? 1u << 10 : ~0u;
			pp_snap_walk(c->s, c->ns, NETLINK_SOCK_DIAG, nlh, sock_cb, &ms);
		}
}

/* ---- the whole host ---- */

static int
add_addr(struct pp_nl *nl, int idx, const struct pp_addr *a, struct pp_err *e)
{
	char buf[512];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifaddrmsg *ifa;

	nlh->nlmsg_type = RTM_NEWADDR;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
	ifa = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifa));
	ifa->ifa_family = (uint8_t)a->family;
	ifa->ifa_prefixlen = a->family == AF_INET ? 32 : 128;
	ifa->ifa_index = (uint32_t)idx;
	mnl_attr_put(nlh, IFA_LOCAL, pp_addr_len(a), a->u.b);
	mnl_attr_put(nlh, IFA_ADDRESS, pp_addr_len(a), a->u.b);
	mnl_attr_put_u32(nlh, IFA_FLAGS, IFA_F_NODAD);
	return pp_nl_request(nl, nlh, NULL, NULL, e);
}

static void
restore(struct rp_ctx *c)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], eb[512];
	static const int fams[] = { AF_INET, AF_INET6 };
	struct pp_err e = { 0 };
	struct pp_nl nl;
	struct msgs ms = { .c = c, .proto = NETLINK_ROUTE };
	int rc;

	if (pp_snap_walk(c->s, c->ns, NETLINK_ROUTE, pp_snap_link_dump_req(buf), link_cb, c) < 0) {
		rp_why(c, "the snapshot holds no device dump (written by --save?)");
		return;
	}
	for (size_t i = 0; i < c->nl && !c->fail; i++) {
		const struct rp_link *m = c->l[i].master ? link_by_idx(c, c->l[i].master) : NULL;

		if (c->l[i].master && (!m || !m->bridge))
			rp_why(c, "device %s is a port of %s, not of a bridge: not replayed", c->l[i].name,
			       m ? m->name : "a device not recorded");
	}
	if (c->fail)
		return;
	for (size_t i = 0; i < c->nl; i++) {
		if (c->l[i].loopback || c->l[i].bridge)
			continue;
		if ((rc = new_ns(c->orig)) < 0) {
			rp_why(c, "a namespace for the peer of %s: %s", c->l[i].name, strerror(-rc));
			return;
		}
		c->l[i].wfd = rc;
	}
	if (go(c->r) < 0) {
		rp_why(c, "entering the replay namespace: %s", strerror(errno));
		return;
	}
	/* The lab's own settings: no DAD delay, no ICMP rate limit (the recorded sysctls come after). */
	wsysctl("/proc/sys/net/ipv6/conf/all/accept_dad", "0");
	wsysctl("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
	wsysctl("/proc/sys/net/ipv4/icmp_ratelimit", "0");
	wsysctl("/proc/sys/net/ipv6/icmp/ratelimit", "0");
	if (pp_nl_open(&nl, NETLINK_ROUTE, &e) < 0) {
		rp_why(c, "rtnetlink: %s", errtxt(&e, eb, sizeof(eb)));
		return;
	}
	for (size_t i = 0; i < c->nl && !c->fail; i++) {
		struct rp_link *L = &c->l[i];

		if (L->loopback) {
			if ((L->flags & IFF_UP) && link_set(&nl, 1, true, 0, &e) < 0)
				rp_why(c, "lo up: %s", errtxt(&e, eb, sizeof(eb)));
			continue;
		}
		if (L->bridge ? make_bridge(&nl, L, &e) < 0 : make_veth(&nl, L, &e) < 0)
			rp_why(c, "device %s (index %d) as a %s: %s", L->name, L->idx, L->bridge ? "bridge" : "veth",
			       errtxt(&e, eb, sizeof(eb)));
	}
	for (size_t i = 0; i < c->nl && !c->fail; i++)
		if (c->l[i].master && link_set(&nl, c->l[i].idx, false, c->l[i].master, &e) < 0)
			rp_why(c, "%s as a port of %s: %s", c->l[i].name, link_by_idx(c, c->l[i].master)->name,
			       errtxt(&e, eb, sizeof(eb)));
	if (c->fail)
		goto out;
	restore_sysctls(c, false);
	for (size_t i = 0; i < c->nl && !c->fail; i++)
		if (!c->l[i].loopback && (c->l[i].flags & IFF_UP) && link_set(&nl, c->l[i].idx, true, 0, &e) < 0)
			rp_why(c, "%s up: %s", c->l[i].name, errtxt(&e, eb, sizeof(eb)));
	/* Addresses without the kernel's prefix route: the recorded routes say which there are. */
	ms.ifa_add = IFA_F_NODAD | IFA_F_NOPREFIXROUTE;
	ms.what = "addresses";
	pp_snap_walk(c->s, c->ns, NETLINK_ROUTE, pp_snap_addr_dump_req(buf), conv_cb, &ms);
	for (size_t i = 0; i < ms.n; i++) {
		const struct ifaddrmsg *ifa = mnl_nlmsg_get_payload((struct nlmsghdr *)ms.m[i]);
		struct rp_link *L = link_by_idx(c, (int)ifa->ifa_index);

		if (!L || L->loopback) {
			free(ms.m[i]);
			ms.m[i--] = ms.m[--ms.n];
		}
	}
	send_all(c, &nl, &ms, "addresses", &c->naddr, false);
	msgs_free(&ms);
	/* Rules: the new namespace's defaults out, the recorded ones in. */
	for (size_t f = 0; f < 2; f++) {
		struct msgs del = { .c = c };
		unsigned k = 0;

		pp_nl_dump(&nl, pp_snap_rule_dump_req(buf, fams[f]), rule_del_cb, &del, NULL, &e);
		send_all(c, &nl, &del, "default rules", &k, false);
		msgs_free(&del);
	}
	ms.what = "rules";
	for (size_t f = 0; f < 2; f++)
		pp_snap_walk(c->s, c->ns, NETLINK_ROUTE, pp_snap_rule_dump_req(buf, fams[f]), conv_cb, &ms);
	send_all(c, &nl, &ms, "rules", &c->nrule, false);
	msgs_free(&ms);
	ms.what = "routes";
	for (size_t f = 0; f < 2; f++)
		pp_snap_walk(c->s, c->ns, NETLINK_ROUTE, pp_snap_route_dump_req(buf, fams[f]), conv_cb, &ms);
	for (size_t i = 0; i < ms.n; i++) {
		const struct nlmsghdr *h = (struct nlmsghdr *)ms.m[i];

		if (attr_get(h, sizeof(struct rtmsg), RTA_NH_ID)) {
			rp_why(c, "routes using nexthop objects: not replayed");
			break;
		}
		note_gateways(c, h);
		if (route_is_kernels(ms.m[i])) {
			free(ms.m[i]);
			ms.m[i--] = ms.m[--ms.n];
		}
	}
	if (!c->fail)
		send_all(c, &nl, &ms, "routes", &c->nroute, true);
	msgs_free(&ms);
	ms.what = "neighbours";
	{
		struct ndmsg nd = { .ndm_family = AF_UNSPEC };

		pp_snap_walk(c->s, c->ns, NETLINK_ROUTE, pp_snap_rt_dump_req(buf, RTM_GETNEIGH, &nd, sizeof(nd)), neigh_cb,
			     &ms);
	}
	send_all(c, &nl, &ms, "neighbours", &c->nneigh, false);
	msgs_free(&ms);
	if (!c->fail)
		restore_nft(c);
	if (!c->fail)
		restore_sysctls(c, true);
	if (!c->fail)
		restore_sockets(c);
	/* The world: each peer up (down when the device had no carrier), answering for the recorded gateways. */
	for (size_t i = 0; i < c->nl && !c->fail; i++) {
		struct rp_link *L = &c->l[i];
		struct pp_nl wn;
		bool carrier = !(L->flags & IFF_UP) || (L->flags & IFF_LOWER_UP);

		if (L->loopback || L->bridge)
			continue;
		if (go(L->wfd) < 0 || pp_nl_open(&wn, NETLINK_ROUTE, &e) < 0) {
			rp_why(c, "the peer of %s: %s", L->name, strerror(errno));
			break;
		}
		wsysctl("/proc/sys/net/ipv6/conf/all/accept_dad", "0");
		wsysctl("/proc/sys/net/ipv6/conf/default/accept_dad", "0");
		wsysctl("/proc/sys/net/ipv4/icmp_ratelimit", "0");
		wsysctl("/proc/sys/net/ipv6/icmp/ratelimit", "0");
		L->peer_idx = (int)if_nametoindex(L->name);
		link_set(&wn, 1, true, 0, &e);
		if (carrier && L->peer_idx)
			link_set(&wn, L->peer_idx, true, 0, &e);
		/* A bridge's gateways: beyond every port (the ARP request is flooded to all). */
		for (size_t g = 0; g < c->ngw; g++)
			if ((c->gw[g].idx == L->idx || (L->master && c->gw[g].idx == L->master)) &&
			    !na_has(c->failed, c->nfailed, c->gw[g].idx, &c->gw[g].a))
				add_addr(&wn, L->peer_idx, &c->gw[g].a, &e);
		pp_nl_close(&wn);
		L->cap = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC | SOCK_NONBLOCK, htons(ETH_P_ALL));
		if (L->cap >= 0) {
			struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL),
						   .sll_ifindex = L->peer_idx };

			struct ifreq ifr = { 0 };

			snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", L->name);
			if (bind(L->cap, (struct sockaddr *)&sll, sizeof(sll)) < 0 ||
			    ioctl(L->cap, SIOCGIFHWADDR, &ifr) < 0) {
				close(L->cap);
				L->cap = -1;
			} else
				memcpy(L->peer_mac, ifr.ifr_hwaddr.sa_data, 6);
		}
		if (L->cap < 0)
			rp_why(c, "capturing on the peer of %s: %s", L->name, strerror(errno));
	}
	go(c->r);
out:
	pp_nl_close(&nl);
}

static void
ctx_free(struct rp_ctx *c)
{
	for (size_t i = 0; i < c->nl; i++) {
		if (c->l[i].wfd >= 0)
			close(c->l[i].wfd);
		if (c->l[i].cap >= 0)
			close(c->l[i].cap);
	}
	for (size_t i = 0; i < c->nls; i++)
		close(c->ls[i].fd);
	if (c->r >= 0)
		close(c->r);
	if (c->orig >= 0) {
		go(c->orig);
		close(c->orig);
	}
}

/* ---- the packet ---- */

struct flow {
	int family;
	uint8_t proto;
	struct pp_addr dst;
	uint16_t sport, dport, echo_id;
};

/* Is this frame (as a peer saw it) the flow? */
static bool
frame_is_flow(const uint8_t *p, size_t n, const struct flow *fl)
{
	uint16_t et;
	const uint8_t *l4;
	uint8_t proto;
	struct pp_addr d;

	if (n < 14)
		return false;
	et = (uint16_t)(p[12] << 8 | p[13]);
	p += 14, n -= 14;
	if (et == ETH_P_IP && fl->family == AF_INET && n >= 20) {
		size_t ihl = (size_t)(p[0] & 15) * 4;

		if (ihl < 20 || n < ihl)
			return false;
		proto = p[9];
		pp_addr_set(&d, AF_INET, p + 16, 4);
		l4 = p + ihl, n -= ihl;
	} else if (et == ETH_P_IPV6 && fl->family == AF_INET6 && n >= 40) {
		proto = p[6];
		pp_addr_set(&d, AF_INET6, p + 24, 16);
		l4 = p + 40, n -= 40;
	} else
		return false;
	if (proto != fl->proto)
		return false;
	if (fl->proto == IPPROTO_TCP || fl->proto == IPPROTO_UDP) {
		uint16_t sp, dp;

		if (n < 4)
			return false;
		sp = (uint16_t)(l4[0] << 8 | l4[1]);
		dp = (uint16_t)(l4[2] << 8 | l4[3]);
		/* The destination, or our source port (a dnat changes the destination on the way). */
		if ((pp_addr_eq(&d, &fl->dst) && dp == fl->dport) || (fl->sport && sp == fl->sport))
			return true;
		/*
		 * A dnat and a masquerade (fully-random: kube-proxy's) change both: nothing else
		 * in the replayed world opens a TCP connection or sends our datagram, so a SYN
		 * (without ACK) or the datagram's own text arriving on a peer is the flow.
		 */
		if (fl->proto == IPPROTO_TCP)
			return n >= 14 && (l4[13] & (TH_SYN | TH_ACK)) == TH_SYN;
		return n >= 8 + 14 && memcmp(l4 + 8, "pktpath replay", 14) == 0;
	}
	if (n < 8)
		return false;
	/* Only the replay sends echo requests there: a masquerade may change the id too. */
	return l4[0] == (fl->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

struct seen {
	struct rp_link *egress;
	bool delivered, answered, sock_done;
	int err;		/* connect/send error (positive errno) */
	char icmp[96];		/* an ICMP error received */
	char local[128];	/* the local stack refused at once */
};

static uint16_t
csum_add(uint32_t sum, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i + 1 < n; i += 2)
		sum += (uint32_t)(p[i] << 8 | p[i + 1]);
	if (n & 1)
		sum += (uint32_t)(p[n - 1] << 8);
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

/*
 * The world beyond a device answers ARP and neighbour solicitations for whatever the
 * replayed host asks there (the next hop after a dnat, a host on a connected subnet),
 * from the peer's MAC, except for what the snapshot recorded as unresolvable there
 * (FAILED or INCOMPLETE): the recorded neighbour table holds only what the host had met.
 */
static void
neigh_answer(struct rp_ctx *c, struct rp_link *L, const uint8_t *p, size_t n)
{
	uint8_t out[86];
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = L->peer_idx, .sll_halen = 6 };
	struct pp_addr t;
	size_t len;
	int idx = L->master ? L->master : L->idx;

	if (n < 14 + 28)
		return;
	memcpy(to.sll_addr, p + 6, 6);
	if (p[12] == 0x08 && p[13] == 0x06) {
		const uint8_t *a = p + 14;

		/* Ethernet, IPv4, request */
		if (a[0] != 0 || a[1] != 1 || a[2] != 8 || a[3] != 0 || a[4] != 6 || a[5] != 4 || a[6] != 0 || a[7] != 1)
			return;
		pp_addr_set(&t, AF_INET, a + 24, 4);
		if (na_has(c->failed, c->nfailed, idx, &t) || !memcmp(a + 14, a + 24, 4))
			return;	/* unresolvable, or a gratuitous ARP */
		memcpy(out, p + 6, 6);
		memcpy(out + 6, L->peer_mac, 6);
		out[12] = 0x08, out[13] = 0x06;
		memcpy(out + 14, a, 6);
		out[20] = 0, out[21] = 2;			/* reply */
		memcpy(out + 22, L->peer_mac, 6);		/* sender: us, the address asked */
		memcpy(out + 28, a + 24, 4);
		memcpy(out + 32, a + 8, 10);			/* target: the asker's MAC and address */
		len = 42;
		to.sll_protocol = htons(ETH_P_ARP);
	} else if (p[12] == 0x86 && p[13] == 0xdd && n >= 14 + 40 + 24) {
		const uint8_t *ip = p + 14, *icmp = ip + 40;
		uint8_t ph[40];
		uint16_t sum;
		static const uint8_t unspec[16];

		if (ip[6] != IPPROTO_ICMPV6 || icmp[0] != ND_NEIGHBOR_SOLICIT || !memcmp(ip + 8, unspec, 16))
			return;	/* not a solicitation, or duplicate address detection */
		pp_addr_set(&t, AF_INET6, icmp + 8, 16);
		if (na_has(c->failed, c->nfailed, idx, &t))
			return;
		memset(out, 0, sizeof(out));
		memcpy(out, p + 6, 6);
		memcpy(out + 6, L->peer_mac, 6);
		out[12] = 0x86, out[13] = 0xdd;
		out[14] = 0x60;
		out[19] = 32;					/* payload: NA 24 + target link-layer address 8 */
		out[20] = IPPROTO_ICMPV6;
		out[21] = 255;
		memcpy(out + 22, icmp + 8, 16);			/* from the address asked */
		memcpy(out + 38, ip + 8, 16);			/* to the asker */
		out[54] = ND_NEIGHBOR_ADVERT;
		out[58] = 0x60;					/* solicited, override */
		memcpy(out + 62, icmp + 8, 16);
		out[78] = ND_OPT_TARGET_LINKADDR, out[79] = 1;
		memcpy(out + 80, L->peer_mac, 6);
		memcpy(ph, out + 22, 32);
		memset(ph + 32, 0, 8);
		ph[35] = 32, ph[39] = IPPROTO_ICMPV6;
		sum = csum_add(0, ph, sizeof(ph));
		sum = (uint16_t)~csum_add(sum, out + 54, 32);
		out[56] = (uint8_t)(sum >> 8), out[57] = (uint8_t)sum;
		len = 86;
		to.sll_protocol = htons(ETH_P_IPV6);
	} else
		return;
	if (sendto(L->cap, out, len, 0, (struct sockaddr *)&to, sizeof(to)) < 0) {
		/* best effort: the kernel retries, and the outcome is what it is */
	}
}

static void
drain_caps(struct rp_ctx *c, const struct flow *fl, struct seen *sn)
{
	uint8_t b[2048];

	for (size_t i = 0; i < c->nl; i++) {
		struct sockaddr_ll sll;
		socklen_t sl;
		ssize_t n;

		if (c->l[i].cap < 0)
			continue;
		for (;;) {
			sl = sizeof(sll);
			n = recvfrom(c->l[i].cap, b, sizeof(b), MSG_DONTWAIT, (struct sockaddr *)&sll, &sl);
			if (n < 0)
				break;
			if (sll.sll_pkttype == PACKET_OUTGOING)
				continue;
			if (fl && !sn->egress && frame_is_flow(b, (size_t)n, fl))
				sn->egress = &c->l[i];
			neigh_answer(c, &c->l[i], b, (size_t)n);
		}
	}
}

static void
icmp_answer(const uint8_t *p, size_t n, const struct flow *fl, struct seen *sn)
{
	uint8_t type, code;

	if (fl->family == AF_INET) {
		size_t ihl;

		if (n < 20 || (ihl = (size_t)(p[0] & 15) * 4) < 20 || n < ihl + 8)
			return;
		p += ihl, n -= ihl;
	} else if (n < 8)
		return;
	type = p[0], code = p[1];
	if ((fl->family == AF_INET && type == ICMP_ECHOREPLY) || (fl->family == AF_INET6 && type == ICMP6_ECHO_REPLY)) {
		if ((uint16_t)(p[4] << 8 | p[5]) == fl->echo_id)
			sn->answered = sn->sock_done = true;
		return;
	}
	if ((fl->family == AF_INET && (type == ICMP_DEST_UNREACH || type == ICMP_TIME_EXCEEDED)) ||
	    (fl->family == AF_INET6 && (type == ICMP6_DST_UNREACH || type == ICMP6_TIME_EXCEEDED))) {
		snprintf(sn->icmp, sizeof(sn->icmp), "ICMP%s type %u code %u", fl->family == AF_INET6 ? "v6" : "", type, code);
		sn->sock_done = true;
	}
}

/* Has a replayed listener of the flow's port something waiting for accept() or recv()? */
static bool
listener_took(const struct rp_ctx *c, const struct pc_query *q)
{
	for (size_t i = 0; i < c->nls; i++)
		if (c->ls[i].proto == q->proto && c->ls[i].port == q->dport) {
			struct pollfd lp = { .fd = c->ls[i].fd, .events = POLLIN };

			if (poll(&lp, 1, 0) == 1)
				return true;
		}
	return false;
}

static void
send_and_watch(struct rp_ctx *c, const struct pc_query *q, struct pc_replay *rp)
{
	struct flow fl = { .family = q->family, .proto = q->proto, .dst = q->dst, .dport = q->dport };
	struct rp_link *in = q->iif[0] ? link_by_idx(c, q->iif_index) : NULL;
	struct sockaddr_storage ss;
	struct pp_err e = { 0 };
	struct seen sn = { 0 };
	double end;
	char eb[256];
	int fd = -1, type;

	if (q->iif[0] && (!in || in->loopback)) {
		rp_why(c, "--iif %s: no such replayed device", q->iif);
		return;
	}
	if (in && in->bridge) {
		rp_why(c, "--iif %s is a bridge: which port the packet arrives by is not said (give the port)", q->iif);
		return;
	}
	if (in && q->src.family && pp_addr_eq(&q->src, &q->dst)) {
		/* The sender beyond --iif owns its source: sent to that same address, it would deliver it to itself. */
		rp_why(c, "--from is the destination itself (a hairpin through a load balancer's address): "
			  "the replay's sender would deliver it to itself: not replayed");
		return;
	}
	/* The next hop the replayed kernel picks answers ARP/NDP, unless the host could not resolve it. */
	{
		struct pp_nl nl;
		struct pp_route_query rq = { .family = q->family, .dst = q->dst, .src = q->src, .iif = q->iif_index,
					     .oif = q->oif_index, .has_mark = q->has_mark, .mark = q->mark,
					     .ipproto = q->proto, .sport = q->sport, .dport = q->dport, .tos = q->tos };
		struct pp_route r;

		if (pp_nl_open(&nl, NETLINK_ROUTE, &e) == 0) {
			if (pp_route_get(&nl, &rq, &r, &e) == 0 && r.type == RTN_UNICAST) {
				struct rp_link *L = link_by_idx(c, r.oif);
				const struct pp_addr *nh = r.gateway.family ? &r.gateway : &q->dst;

				/* Beyond the device, or beyond every port of a bridge. */
				for (size_t i = 0; L && !L->loopback && i < c->nl; i++) {
					struct rp_link *W = &c->l[i];
					struct pp_nl wn;

					if (L->bridge ? W->master != L->idx : W != L)
						continue;
					/* Never on the sender's own side: the destination would be its own address. */
					if (W == in)
						continue;
					if (na_has(c->failed, c->nfailed, L->idx, nh) || na_has(c->gw, c->ngw, L->idx, nh) ||
					    go(W->wfd) < 0)
						continue;
					if (pp_nl_open(&wn, NETLINK_ROUTE, &e) == 0) {
						add_addr(&wn, W->peer_idx, nh, &e);
						pp_nl_close(&wn);
					}
					go(c->r);
				}
			}
			pp_nl_close(&nl);
		}
	}
	type = q->proto == IPPROTO_TCP ? SOCK_STREAM : q->proto == IPPROTO_UDP ? SOCK_DGRAM : SOCK_RAW;
	if (in) {
		/* From the wire beyond --iif: the sender's address on the peer, the destination through the device. */
		char nb[512];
		struct nlmsghdr *nlh;
		struct pp_nl wn;

		if (go(in->wfd) < 0 || pp_nl_open(&wn, NETLINK_ROUTE, &e) < 0) {
			rp_why(c, "the peer of %s: %s", in->name, strerror(errno));
			goto back;
		}
		add_addr(&wn, in->peer_idx, &q->src, &e);
		nlh = mnl_nlmsg_put_header(nb);
		nlh->nlmsg_type = RTM_NEWNEIGH;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
		{
			struct ndmsg *nd = mnl_nlmsg_put_extra_header(nlh, sizeof(*nd));

			nd->ndm_family = (uint8_t)q->family;
			nd->ndm_ifindex = in->peer_idx;
			nd->ndm_state = NUD_PERMANENT;
		}
		mnl_attr_put(nlh, NDA_DST, pp_addr_len(&q->dst), q->dst.u.b);
		/* A bridge port's frames are for the bridge. */
		mnl_attr_put(nlh, NDA_LLADDR, 6, in->master && link_by_idx(c, in->master) ? link_by_idx(c, in->master)->mac : in->mac);
		if (pp_nl_request(&wn, nlh, NULL, NULL, &e) < 0)
			rp_why(c, "the sender's neighbour entry: %s", errtxt(&e, eb, sizeof(eb)));
		nlh = mnl_nlmsg_put_header(nb);
		nlh->nlmsg_type = RTM_NEWROUTE;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_REPLACE;
		{
			struct rtmsg *rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));

			rtm->rtm_family = (uint8_t)q->family;
			rtm->rtm_dst_len = q->family == AF_INET ? 32 : 128;
			rtm->rtm_table = RT_TABLE_MAIN;
			rtm->rtm_protocol = RTPROT_STATIC;
			rtm->rtm_scope = RT_SCOPE_LINK;
			rtm->rtm_type = RTN_UNICAST;
		}
		mnl_attr_put(nlh, RTA_DST, pp_addr_len(&q->dst), q->dst.u.b);
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)in->peer_idx);
		if (pp_nl_request(&wn, nlh, NULL, NULL, &e) < 0)
			rp_why(c, "the sender's route: %s", errtxt(&e, eb, sizeof(eb)));
		pp_nl_close(&wn);
	}
	if (c->fail)
		goto back;
	fd = socket(q->family, type | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    type != SOCK_RAW ? 0 : q->family == AF_INET ? IPPROTO_ICMP : IPPROTO_ICMPV6);
	if (fd < 0) {
		rp_why(c, "socket: %s", strerror(errno));
		goto back;
	}
	if (q->has_mark)
		setsockopt(fd, SOL_SOCKET, SO_MARK, &q->mark, sizeof(q->mark));
	if (q->has_tos) {
		int tos = q->tos;

		if (q->family == AF_INET)
			setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof(tos));
		else
			setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof(tos));
	}
	if (in)
		setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, in->name, (socklen_t)strlen(in->name));
	else if (q->oif[0])
		setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, q->oif, (socklen_t)strlen(q->oif));
	if (q->src.family || q->has_sport) {
		struct pp_addr any = { .family = q->family };
		socklen_t sl = (socklen_t)pp_addr_sockaddr(q->src.family ? &q->src : &any, type == SOCK_RAW ? 0 : q->sport, &ss);

		if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
			snprintf(sn.local, sizeof(sn.local), "bind: %s", strerror(errno));
			sn.err = errno;
			sn.sock_done = true;
		}
	}
	drain_caps(c, NULL, &sn);
	if (!sn.sock_done) {
		socklen_t sl = (socklen_t)pp_addr_sockaddr(&q->dst, type == SOCK_RAW ? 0 : q->dport, &ss);
		int r;

		if (type == SOCK_RAW) {
			uint8_t pkt[16] = { q->family == AF_INET ? ICMP_ECHO : ICMP6_ECHO_REQUEST, 0 };
			uint16_t id = (uint16_t)(getpid() & 0xffff);

			fl.echo_id = id;
			pkt[4] = (uint8_t)(id >> 8), pkt[5] = (uint8_t)id, pkt[7] = 1;
			if (q->family == AF_INET) {
				uint32_t sum = 0;

				for (size_t i = 0; i < sizeof(pkt); i += 2)
					sum += (uint32_t)(pkt[i] << 8 | pkt[i + 1]);
				while (sum >> 16)
					sum = (sum & 0xffff) + (sum >> 16);
				sum = ~sum & 0xffff;
				pkt[2] = (uint8_t)(sum >> 8), pkt[3] = (uint8_t)sum;
			}
			r = (int)sendto(fd, pkt, sizeof(pkt), 0, (struct sockaddr *)&ss, sl);
		} else {
			r = connect(fd, (struct sockaddr *)&ss, sl);
			if (r < 0 && errno == EINPROGRESS)
				r = 0;
			else if (r == 0 && type == SOCK_DGRAM)
				r = (int)send(fd, "pktpath replay", 14, 0);
		}
		if (r < 0) {
			sn.err = errno;
			snprintf(sn.local, sizeof(sn.local), "%s: %s", type == SOCK_STREAM ? "connect" : "send", strerror(errno));
			sn.sock_done = true;
		}
		if (type != SOCK_RAW) {
			struct sockaddr_storage me;
			socklen_t ml = sizeof(me);

			if (getsockname(fd, (struct sockaddr *)&me, &ml) == 0)
				fl.sport = ntohs(me.ss_family == AF_INET ? ((struct sockaddr_in *)&me)->sin_port
									  : ((struct sockaddr_in6 *)&me)->sin6_port);
		}
	}
	end = now_s() + (q->timeout > 0 ? q->timeout : 2.0);
	while (!sn.sock_done && !sn.egress && !sn.delivered) {
		struct pollfd p[RP_LINKS + RP_SOCKS + 1];
		size_t np = 0;
		double left = end - now_s();

		if (left <= 0)
			break;
		p[np++] = (struct pollfd){ .fd = fd, .events = type == SOCK_STREAM ? POLLOUT : POLLIN };
		for (size_t i = 0; i < c->nl; i++)
			if (c->l[i].cap >= 0)
				p[np++] = (struct pollfd){ .fd = c->l[i].cap, .events = POLLIN };
		for (size_t i = 0; i < c->nls; i++)
			p[np++] = (struct pollfd){ .fd = c->ls[i].fd, .events = POLLIN };
		if (poll(p, np, (int)(left * 1000) + 1) < 0 && errno != EINTR)
			break;
		drain_caps(c, &fl, &sn);
		sn.delivered |= listener_took(c, q);
		if (p[0].revents) {
			if (type == SOCK_STREAM) {
				int err = 0;
				socklen_t el = sizeof(err);

				struct sockaddr_storage peer;
				socklen_t pl = sizeof(peer);

				/* Connected only when the socket has a peer: a writable socket with no error is not proof. */
				getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &el);
				sn.err = err;
				sn.answered = err == 0 && getpeername(fd, (struct sockaddr *)&peer, &pl) == 0;
				sn.sock_done = true;
			} else {
				uint8_t b[1500];
				ssize_t n = recv(fd, b, sizeof(b), MSG_DONTWAIT);

				if (n < 0 && errno != EAGAIN) {
					sn.err = errno;
					sn.sock_done = true;
				} else if (n > 0 && type == SOCK_RAW)
					icmp_answer(b, (size_t)n, &fl, &sn);
				else if (n >= 0 && type == SOCK_DGRAM)
					sn.answered = sn.sock_done = true;
			}
		}
	}
	usleep(20000);
	drain_caps(c, &fl, &sn);
	sn.delivered |= listener_took(c, q);
	rp->ran = true;
	if (sn.egress) {
		const struct rp_link *br = sn.egress->master ? link_by_idx(c, sn.egress->master) : NULL;

		rp->outcome = PC_RP_EGRESS;
		/* Out of a bridge's port: the bridge is the device the stack sent it by. */
		snprintf(rp->device, sizeof(rp->device), "%s", br ? br->name : sn.egress->name);
		snprintf(rp->evidence, sizeof(rp->evidence), "the packet was seen leaving by %s%s%s (on its peer)%s%s",
			 br ? br->name : sn.egress->name, br ? ", port " : "", br ? sn.egress->name : "",
			 sn.answered ? "; the far side answered" : "",
			 sn.err == ECONNREFUSED ? "; the far side refused it" : "");
	} else if (sn.delivered || sn.answered) {
		rp->outcome = PC_RP_DELIVERED;
		snprintf(rp->evidence, sizeof(rp->evidence), "%s",
			 sn.delivered ? "a socket of the replayed host took it"
			 : type == SOCK_STREAM ? "the handshake completed inside the replayed host"
			 : "the replayed host answered it");
	} else if (sn.err == EPERM || sn.err == EINVAL) {
		rp->outcome = PC_RP_DROPPED;
		snprintf(rp->evidence, sizeof(rp->evidence), "%s (%s)", sn.local[0] ? sn.local : strerror(sn.err),
			 sn.err == EPERM ? "the local stack dropped it: a netfilter drop on the way out"
					 : "the route discards it: a blackhole");
	} else if (sn.err || sn.icmp[0] || sn.local[0]) {
		rp->outcome = PC_RP_REJECTED;
		snprintf(rp->evidence, sizeof(rp->evidence), "%s%s%s", sn.icmp[0] ? sn.icmp : "",
			 sn.icmp[0] && sn.err ? "; " : "",
			 sn.local[0] ? sn.local : sn.err == ECONNREFUSED ? "connection refused (a TCP RST or ICMP port unreachable)"
			 : sn.err ? strerror(sn.err) : "");
	} else {
		rp->outcome = PC_RP_DROPPED;
		snprintf(rp->evidence, sizeof(rp->evidence), "nothing left the replayed host and nothing came back in %.1f s",
			 q->timeout > 0 ? q->timeout : 2.0);
	}
back:
	if (fd >= 0)
		close(fd);
	go(c->r);
}

/* ---- the comparison ---- */

static void
compare(const struct pc_target *t, struct pc_replay *rp)
{
	const struct pc_result *r = &t->r;
	const char *st = r->verdict_station == PC_NSTATIONS ? "" : pc_station_name(r->verdict_station);
	const char *mdev = t->f.oif_link.name;
	bool model_pass = r->verdict_status == PP_ST_OK || r->verdict_status == PP_ST_WARN;
	bool kernel_pass = rp->outcome == PC_RP_EGRESS || rp->outcome == PC_RP_DELIVERED;

	/* What the replay does not restore cannot be judged by it: a verdict decided there is settled, not compared. */
	enum pc_station_id vs = r->verdict_station;

	if (vs != PC_NSTATIONS && r->verdict_status != PP_ST_OK &&
	    (vs == PC_CONNTRACK || vs == PC_QDISC || vs == PC_TC_INGRESS || vs == PC_TC_EGRESS)) {
		rp->agree = -1;
		snprintf(rp->reason, sizeof(rp->reason),
			 "pathcheck's verdict is decided at %s, whose state the replay does not restore (%s); the kernel: %s", st,
			 vs == PC_CONNTRACK ? "a snapshot holds no conntrack entries: the replay starts empty"
						      : "qdiscs and tc filters are not replayed",
			 pc_rp_outcome_name(rp->outcome));
		return;
	}
	if (r->verdict_status == PP_ST_UNKNOWN) {
		rp->agree = -1;
		snprintf(rp->reason, sizeof(rp->reason), "pathcheck could not tell%s%s; the kernel: %s", st[0] ? " at " : "",
			 st, pc_rp_outcome_name(rp->outcome));
		return;
	}
	/* "It may die here" (a rule it cannot evaluate, in a chain that drops): neither pass nor fail. */
	if (r->verdict_status == PP_ST_WARN && (int)r->verdict_cause >= PC_C_FIRST_UNDECIDED) {
		rp->agree = -1;
		snprintf(rp->reason, sizeof(rp->reason), "pathcheck could not tell at %s (%s: it may die there); the kernel: %s",
			 st, pc_cause_name(r->verdict_cause), pc_rp_outcome_name(rp->outcome));
		return;
	}
	/* The route depends on the source port the kernel picks, and the replay's kernel picked its own. */
	if (r->verdict_cause == PC_C_ROUTE_DEPENDS_ON_SPORT && !t->q.has_sport) {
		rp->agree = -1;
		snprintf(rp->reason, sizeof(rp->reason),
			 "pathcheck's route depends on the source port (%s), which the replayed kernel picked for itself; the kernel: %s%s%s",
			 pc_cause_name(r->verdict_cause), pc_rp_outcome_name(rp->outcome), rp->device[0] ? " by " : "", rp->device);
		return;
	}
	/* The walk split on what the kernel chooses per packet (numgen, a hash, ECMP): its one packet takes one branch. */
	if (t->nbr > 1) {
		for (size_t i = 0; i < t->nbr; i++) {
			const struct pc_branch *b = &t->br[i];
			bool bp = b->status == PP_ST_OK || b->status == PP_ST_WARN;

			if (bp != kernel_pass || (bp && rp->outcome == PC_RP_EGRESS && b->f.oif_link.name[0] &&
						  strcmp(b->f.oif_link.name, rp->device) != 0) ||
			    (bp && rp->outcome == PC_RP_DELIVERED && t->q.direction == PC_FORWARD))
				continue;
			rp->agree = 1;
			snprintf(rp->reason, sizeof(rp->reason), "the kernel's packet ended as one of pathcheck's %zu branches does (%s: %s); the kernel %s%s%s",
				 t->nbr, b->label, bp ? "passes" : "dies", pc_rp_outcome_name(rp->outcome), rp->device[0] ? " by " : "",
				 rp->device);
			return;
		}
		rp->agree = 0;
		snprintf(rp->reason, sizeof(rp->reason), "none of pathcheck's %zu branches ends as the kernel's packet did (the kernel: %s%s%s)",
			 t->nbr, pc_rp_outcome_name(rp->outcome), rp->device[0] ? " by " : "", rp->device);
		return;
	}
	if (model_pass != kernel_pass) {
		rp->agree = 0;
		if (model_pass)
			snprintf(rp->reason, sizeof(rp->reason), "pathcheck says the packet passes, the kernel %s it (%s)",
				 rp->outcome == PC_RP_REJECTED ? "rejected" : "dropped", rp->evidence);
		else
			snprintf(rp->reason, sizeof(rp->reason), "pathcheck says the packet dies at %s (%s), the kernel %s",
				 st, pc_cause_name(r->verdict_cause),
				 rp->outcome == PC_RP_EGRESS ? "sent it out" : "delivered it");
		if (!model_pass && rp->outcome == PC_RP_EGRESS) {
			size_t l = strlen(rp->reason);

			snprintf(rp->reason + l, sizeof(rp->reason) - l, " by %s", rp->device);
		}
		return;
	}
	if (model_pass && rp->outcome == PC_RP_EGRESS && mdev[0] && strcmp(mdev, rp->device) != 0) {
		rp->agree = 0;
		snprintf(rp->reason, sizeof(rp->reason), "pathcheck sends the packet out %s, the kernel out %s", mdev, rp->device);
		return;
	}
	if (model_pass && rp->outcome == PC_RP_DELIVERED && t->q.direction == PC_FORWARD) {
		rp->agree = 0;
		snprintf(rp->reason, sizeof(rp->reason), "pathcheck forwards the packet out %s, the kernel delivered it locally",
			 mdev[0] ? mdev : "a device");
		return;
	}
	rp->agree = 1;
	if (model_pass)
		snprintf(rp->reason, sizeof(rp->reason), "both pass: the kernel %s%s%s", rp->outcome == PC_RP_EGRESS ? "sent it out " :
			 "delivered it", rp->outcome == PC_RP_EGRESS ? rp->device : "", "");
	else
		snprintf(rp->reason, sizeof(rp->reason), "both fail: pathcheck at %s (%s), the kernel %s it", st,
			 pc_cause_name(r->verdict_cause), pc_rp_outcome_name(rp->outcome));
}

static void
replay_one(struct pp_snap *snap, int ns, struct pc_target *t, struct pc_replay *rp)
{
	struct rp_ctx *c = calloc(1, sizeof(*c));
	int rc;

	memset(rp, 0, sizeof(*rp));
	rp->agree = -1;
	if (!c) {
		snprintf(rp->why, sizeof(rp->why), "out of memory");
		return;
	}
	c->s = snap;
	c->ns = ns;
	c->r = -1;
	for (size_t i = 0; i < RP_LINKS; i++)
		c->l[i].wfd = c->l[i].cap = -1;
	if (t->q.has_uid || t->q.ct_state > PC_CT_NEW || t->q.ct_state == PC_CT_INVALID ||
	    t->q.ct_state == PC_CT_ESTABLISHED || t->q.ct_state == PC_CT_RELATED) {
		snprintf(rp->why, sizeof(rp->why), "%s: the replay sends a new flow as its own user only",
			 t->q.has_uid ? "--uid" : "--ct-state");
		free(c);
		return;
	}
	if (t->q.proto == IPPROTO_SCTP) {
		snprintf(rp->why, sizeof(rp->why), "sctp: the replay sends tcp, udp and icmp only (an SCTP packet needs SCTP sockets)");
		free(c);
		return;
	}
	if ((c->orig = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC)) < 0) {
		snprintf(rp->why, sizeof(rp->why), "/proc/thread-self/ns/net: %s", strerror(errno));
		free(c);
		return;
	}
	if ((rc = new_ns(c->orig)) < 0) {
		rp->no_priv = rc == -EPERM;
		snprintf(rp->why, sizeof(rp->why), "%s",
			 rc == -EPERM ? "needs CAP_SYS_ADMIN and CAP_NET_ADMIN (it makes network namespaces)"
				      : strerror(-rc));
		ctx_free(c);
		free(c);
		return;
	}
	c->r = rc;
	restore(c);
	if (!c->fail)
		send_and_watch(c, &t->q, rp);
	snprintf(rp->restored, sizeof(rp->restored),
		 "%zu devices, %u addresses, %u rules, %u routes, %u neighbours, %u nftables objects, %u sysctls%s%s%s, %zu sockets",
		 c->nl, c->naddr, c->nrule, c->nroute, c->nneigh, c->nnft, c->nsysctl, c->nsysctl_bad ? " (not writable: " : "",
		 c->sysctl_bad, c->nsysctl_bad ? ")" : "", c->nls);
	if (c->fail) {
		rp->ran = false;
		rp->outcome = PC_RP_NONE;
		snprintf(rp->why, sizeof(rp->why), "%s", c->why);
	} else
		compare(t, rp);
	ctx_free(c);
	free(c);
}

void
pc_replay_run(const struct pc_opts *o, struct pp_snap *snap, int ns, struct pc_target *t, size_t n,
	      struct pc_replay *rp)
{
	bool warned = false;

	pp_snap_install(NULL);	/* the kernel now: every netlink socket below is a live one */
	for (size_t i = 0; i < n; i++) {
		if (t[i].rc != PP_EXIT_OK) {
			memset(&rp[i], 0, sizeof(rp[i]));
			rp[i].agree = -1;
			snprintf(rp[i].why, sizeof(rp[i].why), "the target could not be checked");
			continue;
		}
		replay_one(snap, ns, &t[i], &rp[i]);
		if (!rp[i].ran && !warned) {
			pp_warnx(&o->cli, "--replay: %s", rp[i].why);
			warned = true;
		}
		if (rp[i].no_priv) {
			for (size_t k = i + 1; k < n; k++) {
				rp[k] = rp[i];
			}
			break;
		}
	}
	pp_snap_install(snap);
}

int
pc_replay_exit(int rc, const struct pc_replay *rp, size_t n)
{
	bool unknown = false;

	if (rc == PP_EXIT_USAGE)
		return rc;
	for (size_t i = 0; i < n; i++) {
		if (rp[i].ran && rp[i].agree == 0)
			return PP_EXIT_PROBLEM;
		if (!rp[i].ran)
			unknown = true;
	}
	return unknown && rc == PP_EXIT_OK ? PP_EXIT_UNKNOWN : rc;
}

void
pc_replay_text(const struct pc_replay *rp, FILE *f)
{
	char b1[1024], b2[1024];

	if (!rp->ran) {
		fprintf(f, "replay: UNKNOWN: %s\n", pp_text_safe(rp->why, b1, sizeof(b1)));
		return;
	}
	fprintf(f, "replay: the kernel: %s%s%s: %s\n", pc_rp_outcome_name(rp->outcome), rp->device[0] ? " by " : "",
		pp_text_safe(rp->device, b2, sizeof(b2)), pp_text_safe(rp->evidence, b1, sizeof(b1)));
	fprintf(f, "replay: %s: %s\n", rp->agree == 1 ? "agrees" : rp->agree == 0 ? "DISAGREES" : "settles an unknown",
		pp_text_safe(rp->reason, b1, sizeof(b1)));
	fprintf(f, "replay: restored %s\n", rp->restored);
}

void
pc_replay_json(const struct pc_replay *rp, const struct pc_target *t, struct pp_json *j)
{
	const struct pc_result *r = &t->r;

	pp_json_obj_open(j, "replay");
	if (rp->ran) {
		pp_json_obj_open(j, "kernel");
		pp_json_str(j, "outcome", pc_rp_outcome_name(rp->outcome));
		if (rp->device[0])
			pp_json_str(j, "device", rp->device);
		else
			pp_json_null(j, "device");
		pp_json_str(j, "evidence", rp->evidence);
		pp_json_obj_close(j);
	}
	pp_json_obj_open(j, "model");
	pp_json_str(j, "status", pp_status_name(t->rc != PP_EXIT_OK ? PP_ST_UNKNOWN : r->verdict_status));
	if (r->verdict_station == PC_NSTATIONS || t->rc != PP_EXIT_OK)
		pp_json_null(j, "station");
	else
		pp_json_str(j, "station", pc_station_name(r->verdict_station));
	pp_json_str(j, "cause", pc_cause_name(r->verdict_cause));
	pp_json_obj_close(j);
	if (rp->ran && rp->agree >= 0)
		pp_json_bool(j, "agree", rp->agree == 1);
	else
		pp_json_null(j, "agree");
	pp_json_str(j, "reason", rp->ran ? rp->reason : rp->why);
	if (rp->ran)
		pp_json_str(j, "restored", rp->restored);
	pp_json_obj_close(j);
}
