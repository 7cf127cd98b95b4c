/* snap.c: the recorded conversation with the kernel: its store, recording and replay (the file: snapfile.c). */
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nfnetlink_conntrack.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "snap_int.h"

/*
 * The process's store: set by pp_snap_install() before any thread starts, read only
 * after (the store it points to has its own lock).
 */
static struct pp_snap *snap_active;
/* Replay: the namespace this thread entered (-1: the store's base). Per thread, so -f threads never share it. */
static __thread int snap_tls_ns = -1;

void pp_snap_install(struct pp_snap *s) { snap_active = s; }
struct pp_snap *pp_snap_active(void) { return snap_active; }
bool pp_snap_replaying(const struct pp_snap *s) { return s && s->replay; }
const struct pp_snap_hdr *pp_snap_header(const struct pp_snap *s) { return &s->hdr; }
const char *pp_snap_path(const struct pp_snap *s) { return s->path; }

static uint32_t
fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t
ent_hash(uint8_t kind, int ns, uint32_t proto, const void *key, size_t keylen)
{
	uint32_t h = 2166136261u;

	h = fnv(h, &kind, 1);
	h = fnv(h, &ns, sizeof(ns));
	h = fnv(h, &proto, sizeof(proto));
	return fnv(h, key, keylen);
}

struct pp_snap *
snap_alloc(void)
{
	struct pp_snap *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	pthread_mutex_init(&s->mu, NULL);
	for (size_t i = 0; i < SNAP_BUCKETS; i++)
		s->bucket[i] = -1;
	return s;
}

struct pp_snap *
pp_snap_record_new(const char *base)
{
	struct pp_snap *s = snap_alloc();
	struct utsname u;
	struct stat st;

	if (!s)
		return NULL;
	s->hdr.version = PP_SNAP_VERSION;
	s->hdr.time = (int64_t)time(NULL);
	s->hdr.strict = true;
	if (uname(&u) == 0) {
		snprintf(s->hdr.kernel, sizeof(s->hdr.kernel), "%s", u.release);
		snprintf(s->hdr.host, sizeof(s->hdr.host), "%s", u.nodename);
	}
	snprintf(s->hdr.netns, sizeof(s->hdr.netns), "%s", base && base[0] ? base : "self");
	snprintf(s->hdr.writer, sizeof(s->hdr.writer), "pathcheck %s", PP_VERSION);
	snprintf(s->ns[0].name, sizeof(s->ns[0].name), "%s", s->hdr.netns);
	s->ns[0].inode = stat("/proc/thread-self/ns/net", &st) == 0 ? (unsigned long)st.st_ino : 0;
	s->nns = 1;
	return s;
}

void
pp_snap_set_writer(struct pp_snap *s, const char *prog)
{
	snprintf(s->hdr.writer, sizeof(s->hdr.writer), "%s %s", prog, PP_VERSION);
}

void
pp_snap_free(struct pp_snap *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->nent; i++) {
		free(s->ent[i].key);
		free(s->ent[i].data);
	}
	free(s->ent);
	free(s->pieces);
	pthread_mutex_destroy(&s->mu);
	free(s);
}

/* The index of namespace name, added when add (and room); -1 when absent. Caller holds mu when recording. */
int
snap_ns_index(struct pp_snap *s, const char *name, bool add)
{
	for (int i = 0; i < s->nns; i++)
		if (strcmp(s->ns[i].name, name) == 0)
			return i;
	if (!add || s->nns >= SNAP_NS_MAX)
		return -1;
	snprintf(s->ns[s->nns].name, sizeof(s->ns[0].name), "%s", name);
	return s->nns++;
}

static unsigned long
here_inode(void)
{
	struct stat st;

	return stat("/proc/thread-self/ns/net", &st) == 0 ? (unsigned long)st.st_ino : 0;
}

int
pp_snap_ns_here(struct pp_snap *s)
{
	unsigned long ino;
	char name[SNAP_NAME_MAX];
	int i;

	if (s->replay)
		return snap_tls_ns >= 0 ? snap_tls_ns : s->base;
	ino = here_inode();
	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->nns; i++)
		if (s->ns[i].inode == ino)
			break;
	if (i == s->nns) {
		/* A namespace entered without a name (never through pp_netns_enter*). */
		snprintf(name, sizeof(name), "inode:%lu", ino);
		if ((i = snap_ns_index(s, name, true)) >= 0)
			s->ns[i].inode = ino;
		else
			i = 0;
	}
	pthread_mutex_unlock(&s->mu);
	return i;
}

void
pp_snap_ns_entered(struct pp_snap *s, const char *name)
{
	unsigned long ino = here_inode();
	int i;

	if (s->replay || !name || !name[0])
		return;
	pthread_mutex_lock(&s->mu);
	for (i = 0; i < s->nns; i++)
		if (s->ns[i].inode == ino)
			break;
	/* The first name a namespace is entered by stays its name. */
	if (i == s->nns && (i = snap_ns_index(s, name, true)) >= 0 && !s->ns[i].inode)
		s->ns[i].inode = ino;
	pthread_mutex_unlock(&s->mu);
}

int
pp_snap_ns_enter(struct pp_snap *s, const char *name, int *prev, struct pp_err *e)
{
	int i = snap_ns_index(s, name, false);

	if (i < 0) {
		pp_err_set(e, ENOENT, "netns %s: the snapshot %s holds no namespace of that name", name, s->path);
		return -ENOENT;
	}
	*prev = snap_tls_ns;
	snap_tls_ns = i;
	return 0;
}

void
pp_snap_ns_leave(struct pp_snap *s, int prev)
{
	(void)s;
	snap_tls_ns = prev;
}

const char *
pp_snap_ns_name(const struct pp_snap *s, int ns)
{
	return ns >= 0 && ns < s->nns ? s->ns[ns].name : "";
}

void
pp_snap_rebase(struct pp_snap *s)
{
	if (s->replay && snap_tls_ns >= 0)
		s->base = snap_tls_ns;
}

/* Add an entry (recording, mu held); the first answer to a question is the one kept. */
void
snap_ent_add(struct pp_snap *s, uint8_t kind, int ns, uint32_t proto, const void *key, size_t keylen,
	uint32_t seq, uint32_t portid, int32_t rc, const void *data, size_t datalen)
{
	uint32_t h = ent_hash(kind, ns, proto, key, keylen);
	struct pp_snap_nl_ent *a;

	for (int i = s->bucket[h % SNAP_BUCKETS]; i >= 0; i = s->ent[i].next) {
		a = &s->ent[i];
		if (a->hash == h && a->kind == kind && a->ns == ns && a->proto == proto && a->keylen == keylen &&
		    memcmp(a->key, key, keylen) == 0)
			return;
	}
	if (s->nent == s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 256;
		struct pp_snap_nl_ent *n = realloc(s->ent, ncap * sizeof(*n));

		if (!n)
			return;
		s->ent = n;
		s->cap = ncap;
	}
	a = &s->ent[s->nent];
	memset(a, 0, sizeof(*a));
	a->key = malloc(keylen ? keylen : 1);
	a->data = malloc(datalen ? datalen : 1);
	if (!a->key || !a->data) {
		free(a->key);
		free(a->data);
		return;
	}
	memcpy(a->key, key, keylen);
	if (datalen)
		memcpy(a->data, data, datalen);
	a->kind = kind;
	a->ns = (uint16_t)ns;
	a->proto = proto;
	a->keylen = (uint32_t)keylen;
	a->datalen = (uint32_t)datalen;
	a->seq = seq;
	a->portid = portid;
	a->rc = rc;
	a->hash = h;
	a->next = s->bucket[h % SNAP_BUCKETS];
	s->bucket[h % SNAP_BUCKETS] = (int)s->nent++;
}

static const struct pp_snap_nl_ent *
ent_find(const struct pp_snap *s, uint8_t kind, int ns, uint32_t proto, const void *key, size_t keylen)
{
	uint32_t h = ent_hash(kind, ns, proto, key, keylen);

	for (int i = s->bucket[h % SNAP_BUCKETS]; i >= 0; i = s->ent[i].next) {
		const struct pp_snap_nl_ent *a = &s->ent[i];

		if (a->hash == h && a->kind == kind && a->ns == ns && a->proto == proto && a->keylen == keylen &&
		    memcmp(a->key, key, keylen) == 0)
			return a;
	}
	return NULL;
}

/* The fixed header after nlmsghdr of a request, so its attributes can be found; 0: unknown. */
static size_t
fixed_len(int proto, uint16_t type)
{
	if (proto == NETLINK_NETFILTER || proto == NETLINK_GENERIC)
		return 4;	/* nfgenmsg, genlmsghdr */
	if (proto == NETLINK_SOCK_DIAG)
		return 56;	/* inet_diag_req_v2 */
	if (proto != NETLINK_ROUTE)
		return 0;
	switch (type & ~3u) {
	case RTM_BASE: return sizeof(struct ifinfomsg);
	case RTM_NEWADDR: return sizeof(struct ifaddrmsg);
	case RTM_NEWROUTE: return sizeof(struct rtmsg);
	case RTM_NEWNEIGH: return sizeof(struct ndmsg);
	case RTM_NEWRULE: return 12;	/* struct fib_rule_hdr */
	case RTM_NEWQDISC: case RTM_NEWTCLASS: case RTM_NEWTFILTER: case RTM_NEWCHAIN: return sizeof(struct tcmsg);
	case RTM_NEWNEIGHTBL: case RTM_NEWNSID: case RTM_NEWNETCONF: return 4;
	case RTM_NEWNEXTHOP: return 8;	/* struct nhmsg */
	default: return 0;
	}
}

/*
 * libmnl leaves an attribute's padding as the caller's buffer had it: zero it (and in
 * nests, marked NLA_F_NESTED), so the same question makes the same key. An attribute
 * stream that does not parse is left as it is.
 */
static void
zero_pad(uint8_t *p, size_t len, int depth)
{
	size_t off = 0;

	while (len - off >= sizeof(struct nlattr)) {
		struct nlattr *a = (struct nlattr *)(p + off);
		size_t al = a->nla_len, aligned = NLA_ALIGN(al);

		if (al < sizeof(*a) || al > len - off)
			return;
		if ((a->nla_type & NLA_F_NESTED) && depth < 8)
			zero_pad(p + off + NLA_HDRLEN, al - NLA_HDRLEN, depth + 1);
		if (aligned > len - off)
			aligned = len - off;
		memset(p + off + al, 0, aligned - al);
		off += aligned;
	}
}

/* The request's bytes as the key: seq, pid and padding zeroed. Returns a malloc'd copy or NULL. */
static uint8_t *
req_key(int proto, const struct nlmsghdr *req)
{
	uint8_t *k = malloc(req->nlmsg_len);
	struct nlmsghdr *h = (struct nlmsghdr *)k;
	size_t fl;

	if (!k)
		return NULL;
	memcpy(k, req, req->nlmsg_len);
	h->nlmsg_seq = 0;
	h->nlmsg_pid = 0;
	fl = NLMSG_ALIGN(fixed_len(proto, req->nlmsg_type));
	if (fl && req->nlmsg_len >= NLMSG_HDRLEN + fl)
		zero_pad(k + NLMSG_HDRLEN + fl, req->nlmsg_len - NLMSG_HDRLEN - fl, 0);
	return k;
}

void
pp_snap_nl_record(struct pp_snap *s, int ns, int proto, const struct nlmsghdr *req, uint32_t seq,
		  uint32_t portid, const void *dgrams, size_t dlen)
{
	uint8_t *k = req_key(proto, req);

	if (!k || s->replay)
		goto out;
	pthread_mutex_lock(&s->mu);
	snap_ent_add(s, ENT_NL, ns, (uint32_t)proto, k, req->nlmsg_len, seq, portid, 0, dgrams, dlen);
	pthread_mutex_unlock(&s->mu);
out:
	free(k);
}

const struct pp_snap_nl_ent *
pp_snap_nl_find(const struct pp_snap *s, int ns, int proto, const struct nlmsghdr *req)
{
	const struct pp_snap_nl_ent *a;
	uint8_t *k = req_key(proto, req);

	if (!k)
		return NULL;
	a = ent_find(s, ENT_NL, ns, (uint32_t)proto, k, req->nlmsg_len);
	free(k);
	return a;
}

void
pp_snap_nl_answer(const struct pp_snap_nl_ent *a, uint32_t *seq, uint32_t *portid, const void **dgrams,
		  size_t *dlen)
{
	*seq = a->seq;
	*portid = a->portid;
	*dgrams = a->data;
	*dlen = a->datalen;
}

int
pp_snap_walk(const struct pp_snap *s, int ns, int proto, const struct nlmsghdr *req,
	     int (*cb)(const struct nlmsghdr *nlh, void *data), void *data)
{
	const struct pp_snap_nl_ent *a = pp_snap_nl_find(s, ns, proto, req);
	size_t off = 0;
	int rc;

	if (!a)
		return -ENODATA;
	while (off + 4 <= a->datalen) {
		uint32_t len;
		const struct nlmsghdr *nlh;
		int rem;

		memcpy(&len, a->data + off, 4);
		off += 4;
		if (len > a->datalen - off)
			return -EBADMSG;
		nlh = (const struct nlmsghdr *)(a->data + off);
		rem = (int)len;
		while (rem >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) && nlh->nlmsg_len <= (unsigned)rem) {
			if (nlh->nlmsg_seq == a->seq && nlh->nlmsg_type >= NLMSG_MIN_TYPE && (rc = cb(nlh, data)) < 0)
				return rc;
			nlh = mnl_nlmsg_next(nlh, &rem);
		}
		off += (len + 3) & ~3u;
	}
	return 0;
}

static const char *const rtm_names[] = {
	[RTM_GETLINK - RTM_BASE] = "RTM_GETLINK", [RTM_GETADDR - RTM_BASE] = "RTM_GETADDR",
	[RTM_GETROUTE - RTM_BASE] = "RTM_GETROUTE", [RTM_GETNEIGH - RTM_BASE] = "RTM_GETNEIGH",
	[RTM_GETRULE - RTM_BASE] = "RTM_GETRULE", [RTM_GETQDISC - RTM_BASE] = "RTM_GETQDISC",
	[RTM_GETTCLASS - RTM_BASE] = "RTM_GETTCLASS", [RTM_GETTFILTER - RTM_BASE] = "RTM_GETTFILTER",
	[RTM_GETNEIGHTBL - RTM_BASE] = "RTM_GETNEIGHTBL", [RTM_GETNSID - RTM_BASE] = "RTM_GETNSID",
	[RTM_GETNEXTHOP - RTM_BASE] = "RTM_GETNEXTHOP", [RTM_GETCHAIN - RTM_BASE] = "RTM_GETCHAIN",
	[RTM_GETNETCONF - RTM_BASE] = "RTM_GETNETCONF",
};

static const char *const nft_names[] = {
	"NFT_MSG_NEWTABLE", "NFT_MSG_GETTABLE", "NFT_MSG_DELTABLE", "NFT_MSG_NEWCHAIN",
	"NFT_MSG_GETCHAIN", "NFT_MSG_DELCHAIN", "NFT_MSG_NEWRULE", "NFT_MSG_GETRULE",
	"NFT_MSG_DELRULE", "NFT_MSG_NEWSET", "NFT_MSG_GETSET", "NFT_MSG_DELSET",
	"NFT_MSG_NEWSETELEM", "NFT_MSG_GETSETELEM", "NFT_MSG_DELSETELEM", "NFT_MSG_NEWGEN",
	"NFT_MSG_GETGEN", "NFT_MSG_TRACE", "NFT_MSG_NEWOBJ", "NFT_MSG_GETOBJ",
	"NFT_MSG_DELOBJ", "NFT_MSG_GETOBJ_RESET", "NFT_MSG_NEWFLOWTABLE", "NFT_MSG_GETFLOWTABLE",
};

const char *
pp_snap_msg_name(int proto, uint16_t type, char *buf, size_t len)
{
	unsigned sub = type >> 8, msg = type & 0xff;

	if (proto == NETLINK_ROUTE && type >= RTM_BASE && (size_t)(type - RTM_BASE) < PP_ARRAY_SIZE(rtm_names) &&
	    rtm_names[type - RTM_BASE])
		return rtm_names[type - RTM_BASE];
	if (proto == NETLINK_NETFILTER && sub == NFNL_SUBSYS_NFTABLES && msg < PP_ARRAY_SIZE(nft_names))
		return nft_names[msg];
	if (proto == NETLINK_NETFILTER && sub == NFNL_SUBSYS_CTNETLINK && msg == IPCTNL_MSG_CT_GET)
		return "IPCTNL_MSG_CT_GET";
	if (proto == NETLINK_NETFILTER && sub == NFNL_SUBSYS_CTNETLINK && msg == IPCTNL_MSG_CT_GET_STATS_CPU)
		return "IPCTNL_MSG_CT_GET_STATS_CPU";
	if (proto == NETLINK_NETFILTER && sub == NFNL_SUBSYS_CTNETLINK && msg == IPCTNL_MSG_CT_GET_STATS)
		return "IPCTNL_MSG_CT_GET_STATS";
	if (proto == NETLINK_NETFILTER && (sub == NFNL_SUBSYS_CTNETLINK || sub == NFNL_SUBSYS_CTNETLINK_EXP))
		snprintf(buf, len, "ctnetlink message %u", msg);
	else if (proto == NETLINK_NETFILTER && sub == NFNL_SUBSYS_IPSET)
		snprintf(buf, len, "ipset command %u", msg);
	else if (proto == NETLINK_SOCK_DIAG)
		snprintf(buf, len, "SOCK_DIAG_BY_FAMILY");
	else if (proto == NETLINK_GENERIC)
		snprintf(buf, len, "generic netlink family %u", type);
	else
		snprintf(buf, len, "message %u of netlink protocol %d", type, proto);
	return buf;
}

/* The piece an entry belongs to. */
const char *
snap_ent_kind(const struct pp_snap_nl_ent *a)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)a->key;
	const char *p = (const char *)a->key;

	if (a->kind == ENT_FACT) {
		if (a->keylen >= 11 && memcmp(p, "SIOCETHTOOL", 11) == 0)
			return "ethtool-ioctl";
		if (a->keylen >= 5 && memcmp(p, "clock", 5) == 0)
			return "clock";
		if (a->keylen >= 9 && memcmp(p, "connlabel", 9) == 0)
			return "connlabel";
		return "ifnames";
	}
	if (a->kind == ENT_FILE) {
		if (strncmp(p, "/proc/sys/", 10) == 0)
			return "sysctl";
		if (strncmp(p, "/proc/net/snmp", 14) == 0 || strncmp(p, "/proc/net/netstat", 17) == 0)
			return "snmp";
		if (strncmp(p, "/proc/net/stat/nf_conntrack", 27) == 0)
			return "ct-stats";
		if (strncmp(p, "/proc/net/softnet_stat", 22) == 0)
			return "softnet";
		return "proc";
	}
	if (a->keylen < sizeof(*h))
		return "netlink";
	switch (a->proto) {
	case NETLINK_ROUTE:
		switch (h->nlmsg_type) {
		case RTM_GETLINK: return "links";
		case RTM_GETADDR: return "addrs";
		case RTM_GETROUTE: return h->nlmsg_flags & NLM_F_DUMP ? "routes" : "route-lookups";
		case RTM_GETRULE: return "rules";
		case RTM_GETNEXTHOP: return "nexthops";
		case RTM_GETNEIGH: return "neigh";
		case RTM_GETNEIGHTBL: return "ntable";
		case RTM_GETQDISC: return "qdisc";
		case RTM_GETTCLASS: return "classes";
		case RTM_GETTFILTER: case RTM_GETCHAIN: return "tc-filters";
		case RTM_GETNSID: return "nsid";
		default: return "rtnetlink";
		}
	case NETLINK_NETFILTER:
		switch (h->nlmsg_type >> 8) {
		case NFNL_SUBSYS_NFTABLES: return "nft";
		case NFNL_SUBSYS_CTNETLINK:
			/* The entries (ctdump's listing) apart from the statistics. */
			return (h->nlmsg_type & 0xff) == IPCTNL_MSG_CT_GET ? "conntrack" : "ct-stats";
		case NFNL_SUBSYS_CTNETLINK_EXP: return "ct-stats";
		case NFNL_SUBSYS_IPSET: return "ipset";
		default: return "nfnetlink";
		}
	case NETLINK_SOCK_DIAG: return "sockets";
	case NETLINK_GENERIC: return "genetlink";
	default: return "netlink";
	}
}

/* What a request asked, for the error of a request the snapshot does not hold. */
static void
describe_req(int proto, const struct nlmsghdr *req, char *buf, size_t len)
{
	char nb[64];
	const char *name = pp_snap_msg_name(proto, req->nlmsg_type, nb, sizeof(nb));
	const struct nlattr *a;

	if (proto == NETLINK_ROUTE && req->nlmsg_type == RTM_GETROUTE && !(req->nlmsg_flags & NLM_F_DUMP) &&
	    req->nlmsg_len >= NLMSG_HDRLEN + sizeof(struct rtmsg)) {
		const struct rtmsg *rtm = mnl_nlmsg_get_payload(req);

		mnl_attr_for_each(a, req, sizeof(*rtm)) {
			char ab[INET6_ADDRSTRLEN];

			if (mnl_attr_get_type(a) == RTA_DST &&
			    inet_ntop(rtm->rtm_family, mnl_attr_get_payload(a), ab, sizeof(ab))) {
				snprintf(buf, len, "%s to %s", name, ab);
				return;
			}
		}
	}
	snprintf(buf, len, "%s%s", name, req->nlmsg_flags & NLM_F_DUMP ? " (dump)" : "");
}

int
pp_snap_miss(const struct pp_snap *s, int ns, int proto, const struct nlmsghdr *req, struct pp_err *e)
{
	char d[96];

	describe_req(proto, req, d, sizeof(d));
	pp_err_set(e, ENODATA, "the snapshot holds no answer for %s in netns %s", d,
		   ns >= 0 && ns < s->nns ? s->ns[ns].name : "?");
	return -ENODATA;
}

/* /proc/thread-self/net/X and /proc/self/net/X are /proc/net/X of the namespace: one key. */
static void
norm_path(const char *path, char *buf, size_t len)
{
	if (strncmp(path, "/proc/thread-self/net/", 22) == 0)
		snprintf(buf, len, "/proc/net/%s", path + 22);
	else if (strncmp(path, "/proc/self/net/", 15) == 0)
		snprintf(buf, len, "/proc/net/%s", path + 15);
	else
		snprintf(buf, len, "%s", path);
}

void
pp_snap_file_record(struct pp_snap *s, const char *path, int rc, const char *data, size_t len)
{
	char p[512];
	int ns;

	if (s->replay)
		return;
	norm_path(path, p, sizeof(p));
	/* The network's files only (and the uptime rates since boot divide by): never /proc/kallsyms, mounts or the like. */
	if (strncmp(p, "/proc/sys/", 10) != 0 && strncmp(p, "/proc/net/", 10) != 0 && strcmp(p, "/proc/uptime") != 0)
		return;
	ns = pp_snap_ns_here(s);
	pthread_mutex_lock(&s->mu);
	snap_ent_add(s, ENT_FILE, ns, 0, p, strlen(p), 0, 0, rc, data, rc < 0 ? 0 : len);
	pthread_mutex_unlock(&s->mu);
}

int
pp_snap_file_get(const struct pp_snap *s, const char *path, char **out)
{
	const struct pp_snap_nl_ent *a;
	char p[512];

	norm_path(path, p, sizeof(p));
	a = ent_find(s, ENT_FILE, snap_tls_ns >= 0 ? snap_tls_ns : s->base, 0, p, strlen(p));
	if (!a)
		return -ENODATA;
	if (a->rc < 0)
		return a->rc;
	if (!(*out = malloc((size_t)a->datalen + 1)))
		return -ENOMEM;
	memcpy(*out, a->data, a->datalen);
	(*out)[a->datalen] = '\0';
	return (int)a->datalen;
}

/* Device names: recorded as facts "ifname 5" -> "eth0", "ifindex eth0" -> "5". */
int
pp_snap_fact_get(const struct pp_snap *s, const char *key, char *buf, size_t len)
{
	const struct pp_snap_nl_ent *a;

	a = ent_find(s, ENT_FACT, snap_tls_ns >= 0 ? snap_tls_ns : s->base, 0, key, strlen(key));
	if (!a)
		return -ENODATA;
	if (a->rc < 0)
		return a->rc;
	snprintf(buf, len, "%.*s", (int)a->datalen, (const char *)a->data);
	return 0;
}

void
pp_snap_fact_record(struct pp_snap *s, const char *key, int rc, const char *val)
{
	int ns = pp_snap_ns_here(s);

	pthread_mutex_lock(&s->mu);
	snap_ent_add(s, ENT_FACT, ns, 0, key, strlen(key), 0, 0, rc, val, val ? strlen(val) : 0);
	pthread_mutex_unlock(&s->mu);
}

void
pp_snap_blob_record(struct pp_snap *s, const char *key, int rc, const void *data, size_t len)
{
	int ns;

	if (s->replay)
		return;
	ns = pp_snap_ns_here(s);
	pthread_mutex_lock(&s->mu);
	snap_ent_add(s, ENT_FACT, ns, 0, key, strlen(key), 0, 0, rc, data, rc < 0 ? 0 : len);
	pthread_mutex_unlock(&s->mu);
}

int
pp_snap_blob_get(const struct pp_snap *s, const char *key, void *buf, size_t len)
{
	const struct pp_snap_nl_ent *a;

	a = ent_find(s, ENT_FACT, snap_tls_ns >= 0 ? snap_tls_ns : s->base, 0, key, strlen(key));
	if (!a)
		return -ENODATA;
	if (a->rc < 0)
		return a->rc;
	memcpy(buf, a->data, a->datalen < len ? a->datalen : len);
	return (int)a->datalen;
}

/* The wall clock: one fact of the snapshot's first namespace, whichever thread asks. */
void
pp_clock_realtime(struct timespec *ts)
{
	struct pp_snap *s = snap_active;
	char val[48];

	if (s && s->replay) {
		const struct pp_snap_nl_ent *a = ent_find(s, ENT_FACT, 0, 0, "clock realtime", 14);
		long long sec;
		long nsec;

		ts->tv_sec = (time_t)s->hdr.time;
		ts->tv_nsec = 0;
		if (a && a->rc == 0 && a->datalen < sizeof(val)) {
			memcpy(val, a->data, a->datalen);
			val[a->datalen] = '\0';
			if (sscanf(val, "%lld.%9ld", &sec, &nsec) == 2 && nsec >= 0 && nsec < 1000000000L) {
				ts->tv_sec = (time_t)sec;
				ts->tv_nsec = nsec;
			}
		}
		return;
	}
	clock_gettime(CLOCK_REALTIME, ts);
	if (!s)
		return;
	snprintf(val, sizeof(val), "%lld.%09ld", (long long)ts->tv_sec, ts->tv_nsec);
	pthread_mutex_lock(&s->mu);
	snap_ent_add(s, ENT_FACT, 0, 0, "clock realtime", 14, 0, 0, 0, val, strlen(val));
	pthread_mutex_unlock(&s->mu);
}

struct link_find {
	unsigned index;
	const char *name;
	char found[IF_NAMESIZE];
	unsigned found_index;
};

static int
link_find_cb(const struct nlmsghdr *nlh, void *data)
{
	struct link_find *lf = data;
	const struct ifinfomsg *ifi;
	const struct nlattr *a;

	if (nlh->nlmsg_type != RTM_NEWLINK || nlh->nlmsg_len < NLMSG_HDRLEN + sizeof(*ifi))
		return 0;
	ifi = mnl_nlmsg_get_payload(nlh);
	mnl_attr_for_each(a, nlh, sizeof(*ifi)) {
		const char *n;
		uint16_t l;

		if (mnl_attr_get_type(a) != IFLA_IFNAME)
			continue;
		n = mnl_attr_get_payload(a);
		l = mnl_attr_get_payload_len(a);
		if (!l || l > (uint16_t)IF_NAMESIZE || n[l - 1] != '\0')
			return 0;
		if ((lf->index && (unsigned)ifi->ifi_index == lf->index) || (lf->name && strcmp(lf->name, n) == 0)) {
			snprintf(lf->found, sizeof(lf->found), "%s", n);
			lf->found_index = (unsigned)ifi->ifi_index;
		}
	}
	return 0;
}

/* Replay: a device by index or name from the full link dump --save recorded. */
static bool
link_from_dump(const struct pp_snap *s, struct link_find *lf)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	return pp_snap_walk(s, snap_tls_ns >= 0 ? snap_tls_ns : s->base, NETLINK_ROUTE, pp_snap_link_dump_req(buf),
			    link_find_cb, lf) == 0 && lf->found[0];
}

char *
pp_ifname(unsigned ifindex, char *name)
{
	struct pp_snap *s = snap_active;
	char key[32];
	char *r;

	snprintf(key, sizeof(key), "ifname %u", ifindex);
	if (s && s->replay) {
		struct link_find lf = { .index = ifindex };

		if (pp_snap_fact_get(s, key, name, IF_NAMESIZE) == 0)
			return name;
		if (!ifindex || !link_from_dump(s, &lf))
			return NULL;
		snprintf(name, IF_NAMESIZE, "%s", lf.found);
		return name;
	}
	r = if_indextoname(ifindex, name);
	if (s)
		pp_snap_fact_record(s, key, r ? 0 : -ENODEV, r);
	return r;
}

unsigned
pp_ifindex(const char *name)
{
	struct pp_snap *s = snap_active;
	char key[48], val[16];
	unsigned idx;

	snprintf(key, sizeof(key), "ifindex %s", name);
	if (s && s->replay) {
		struct link_find lf = { .name = name };

		if (pp_snap_fact_get(s, key, val, sizeof(val)) == 0)
			return (unsigned)strtoul(val, NULL, 10);
		return link_from_dump(s, &lf) ? lf.found_index : 0;
	}
	idx = if_nametoindex(name);
	snprintf(val, sizeof(val), "%u", idx);
	if (s)
		pp_snap_fact_record(s, key, idx ? 0 : -ENODEV, idx ? val : NULL);
	return idx;
}

