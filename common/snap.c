/* snap.c: the recorded conversation with the kernel, its store and its file. */
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
#include <zlib.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include "snap.h"

#define SNAP_MAGIC "PKTPSNAP"
#define SNAP_NS_MAX 256
#define SNAP_BUCKETS 4096
#define SNAP_PIECE_MAX (1u << 30)	/* no piece of a real host is near a gigabyte */
#define SNAP_NAME_MAX 64

enum { ENT_NL = 1, ENT_FILE = 2, ENT_FACT = 3 };

/* One recorded exchange: a netlink request and its datagrams, or a file and its text. */
struct pp_snap_nl_ent {
	uint8_t kind;
	uint16_t ns;
	uint32_t proto, seq, portid;
	int32_t rc;
	uint32_t hash;
	uint8_t *key;		/* request bytes (seq, pid zeroed), or the path */
	uint32_t keylen;
	uint8_t *data;		/* datagrams [u32 len][bytes, padded to 4]..., or the content */
	uint32_t datalen;
	int next;		/* bucket chain */
};

struct snap_ns {
	char name[SNAP_NAME_MAX];
	unsigned long inode;	/* recording only */
};

struct pp_snap {
	pthread_mutex_t mu;	/* recording: guards everything below */
	bool replay;
	char path[256];
	struct pp_snap_hdr hdr;
	struct snap_ns ns[SNAP_NS_MAX];
	int nns;
	int base;		/* replay: the namespace of a thread that entered none */
	struct pp_snap_nl_ent *ent;
	size_t nent, cap;
	int bucket[SNAP_BUCKETS];
	/* of the last write or load */
	size_t npieces, raw_bytes, comp_bytes;
	struct snap_piece_info {
		char name[SNAP_NAME_MAX * 2];
		uint32_t nent, raw, comp;
	} *pieces;
};

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

static struct pp_snap *
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
static int
ns_index(struct pp_snap *s, const char *name, bool add)
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
		if ((i = ns_index(s, name, true)) >= 0)
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
	if (i == s->nns && (i = ns_index(s, name, true)) >= 0 && !s->ns[i].inode)
		s->ns[i].inode = ino;
	pthread_mutex_unlock(&s->mu);
}

int
pp_snap_ns_enter(struct pp_snap *s, const char *name, int *prev, struct pp_err *e)
{
	int i = ns_index(s, name, false);

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
static void
ent_add(struct pp_snap *s, uint8_t kind, int ns, uint32_t proto, const void *key, size_t keylen,
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
	ent_add(s, ENT_NL, ns, (uint32_t)proto, k, req->nlmsg_len, seq, portid, 0, dgrams, dlen);
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
static const char *
ent_kind(const struct pp_snap_nl_ent *a)
{
	const struct nlmsghdr *h = (const struct nlmsghdr *)a->key;
	const char *p = (const char *)a->key;

	if (a->kind == ENT_FACT)
		return "ifnames";
	if (a->kind == ENT_FILE) {
		if (strncmp(p, "/proc/sys/", 10) == 0)
			return "sysctl";
		if (strncmp(p, "/proc/net/snmp", 14) == 0 || strncmp(p, "/proc/net/netstat", 17) == 0)
			return "snmp";
		if (strncmp(p, "/proc/net/stat/nf_conntrack", 27) == 0)
			return "ct-stats";
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
		case NFNL_SUBSYS_CTNETLINK: case NFNL_SUBSYS_CTNETLINK_EXP: return "ct-stats";
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
	/* The network's files only: never /proc/kallsyms, mounts or the like. */
	if (strncmp(p, "/proc/sys/", 10) != 0 && strncmp(p, "/proc/net/", 10) != 0)
		return;
	ns = pp_snap_ns_here(s);
	pthread_mutex_lock(&s->mu);
	ent_add(s, ENT_FILE, ns, 0, p, strlen(p), 0, 0, rc, data, rc < 0 ? 0 : len);
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
	ent_add(s, ENT_FACT, ns, 0, key, strlen(key), 0, 0, rc, val, val ? strlen(val) : 0);
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

/* The file. */

struct wbuf {
	uint8_t *p;
	size_t len, cap;
	bool oom;
};

static void
w_put(struct wbuf *w, const void *p, size_t n)
{
	if (w->oom)
		return;
	if (w->len + n > w->cap) {
		size_t nc = w->cap ? w->cap : 4096;
		uint8_t *np;

		while (nc < w->len + n)
			nc *= 2;
		if (!(np = realloc(w->p, nc))) {
			w->oom = true;
			return;
		}
		w->p = np;
		w->cap = nc;
	}
	if (n)
		memcpy(w->p + w->len, p, n);
	w->len += n;
}

static void
w_u32(struct wbuf *w, uint32_t v)
{
	uint8_t b[4] = { (uint8_t)v, (uint8_t)(v >> 8), (uint8_t)(v >> 16), (uint8_t)(v >> 24) };

	w_put(w, b, 4);
}

static void
w_str(struct wbuf *w, const char *s)
{
	size_t n = strlen(s);
	uint8_t b[2] = { (uint8_t)n, (uint8_t)(n >> 8) };

	w_put(w, b, 2);
	w_put(w, s, n);
}

static void
w_pad(struct wbuf *w)
{
	static const uint8_t z[4];

	w_put(w, z, (4 - (w->len & 3)) & 3);
}

/* Sort entries by piece name, then by order of recording. */
struct ent_ref {
	char piece[SNAP_NAME_MAX * 2];
	size_t i;
};

static int
ref_cmp(const void *a, const void *b)
{
	const struct ent_ref *x = a, *y = b;
	int c = strcmp(x->piece, y->piece);

	return c ? c : x->i < y->i ? -1 : x->i > y->i;
}

int
pp_snap_write(struct pp_snap *s, const char *path, struct pp_err *e)
{
	struct wbuf out = { 0 }, hdr = { 0 }, raw = { 0 };
	struct ent_ref *refs;
	char tmp[4096];
	size_t np = 0, i, j;
	int fd, rc = 0;

	pthread_mutex_lock(&s->mu);
	refs = calloc(s->nent ? s->nent : 1, sizeof(*refs));
	free(s->pieces);
	s->pieces = calloc(s->nent ? s->nent : 1, sizeof(*s->pieces));
	if (!refs || !s->pieces) {
		pthread_mutex_unlock(&s->mu);
		free(refs);
		pp_err_set(e, ENOMEM, "snapshot %s", path);
		return -ENOMEM;
	}
	for (i = 0; i < s->nent; i++) {
		snprintf(refs[i].piece, sizeof(refs[i].piece), "%s/%s", s->ns[s->ent[i].ns].name, ent_kind(&s->ent[i]));
		refs[i].i = i;
	}
	qsort(refs, s->nent, sizeof(*refs), ref_cmp);
	for (i = 0; i < s->nent; i++)
		if (i == 0 || strcmp(refs[i].piece, refs[i - 1].piece) != 0)
			np++;
	out.len = 0;
	w_put(&out, SNAP_MAGIC, 8);
	w_u32(&out, PP_SNAP_VERSION);
	{
		uint8_t t[8];

		for (int k = 0; k < 8; k++)
			t[k] = (uint8_t)((uint64_t)s->hdr.time >> (8 * k));
		w_put(&hdr, t, 8);
	}
	w_str(&hdr, s->hdr.kernel);
	w_str(&hdr, s->hdr.host);
	w_str(&hdr, s->hdr.netns);
	w_str(&hdr, s->hdr.writer);
	w_u32(&hdr, s->hdr.strict);
	w_u32(&out, (uint32_t)hdr.len);
	w_put(&out, hdr.p, hdr.len);
	w_u32(&out, (uint32_t)np);
	s->npieces = 0;
	s->raw_bytes = s->comp_bytes = 0;
	for (i = 0; i < s->nent; i = j) {
		struct snap_piece_info *pi = &s->pieces[s->npieces++];
		uLongf clen;
		uint8_t *cbuf;

		raw.len = 0;
		for (j = i; j < s->nent && strcmp(refs[j].piece, refs[i].piece) == 0; j++) {
			const struct pp_snap_nl_ent *a = &s->ent[refs[j].i];
			uint8_t k4[4] = { a->kind, 0, 0, 0 };

			w_put(&raw, k4, 4);
			w_u32(&raw, a->proto);
			w_u32(&raw, a->seq);
			w_u32(&raw, a->portid);
			w_u32(&raw, (uint32_t)a->rc);
			w_u32(&raw, a->keylen);
			w_put(&raw, a->key, a->keylen);
			w_pad(&raw);
			w_u32(&raw, a->datalen);
			w_put(&raw, a->data, a->datalen);
			w_pad(&raw);
		}
		clen = compressBound((uLong)raw.len);
		if (raw.oom || !(cbuf = malloc(clen))) {
			rc = -ENOMEM;
			break;
		}
		if (compress2(cbuf, &clen, raw.p ? raw.p : (const Bytef *)"", (uLong)raw.len, 6) != Z_OK) {
			free(cbuf);
			rc = -ENOMEM;
			break;
		}
		snprintf(pi->name, sizeof(pi->name), "%s", refs[i].piece);
		pi->nent = (uint32_t)(j - i);
		pi->raw = (uint32_t)raw.len;
		pi->comp = (uint32_t)clen;
		w_str(&out, pi->name);
		w_u32(&out, pi->nent);
		w_u32(&out, pi->raw);
		w_u32(&out, pi->comp);
		w_u32(&out, (uint32_t)crc32(0, raw.p ? raw.p : (const Bytef *)"", (uInt)raw.len));
		w_put(&out, cbuf, clen);
		free(cbuf);
		s->raw_bytes += raw.len;
		s->comp_bytes += clen;
	}
	pthread_mutex_unlock(&s->mu);
	free(refs);
	free(raw.p);
	free(hdr.p);
	if (!rc && (out.oom || hdr.oom))
		rc = -ENOMEM;
	if (rc) {
		free(out.p);
		pp_err_set(e, -rc, "snapshot %s", path);
		return rc;
	}
	snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path);
	if ((fd = mkostemp(tmp, O_CLOEXEC)) < 0) {
		rc = -errno;
		free(out.p);
		pp_err_set(e, -rc, "snapshot %s: cannot create %s", path, tmp);
		return rc;
	}
	for (size_t off = 0; off < out.len;) {
		ssize_t n = write(fd, out.p + off, out.len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			rc = n < 0 ? -errno : -EIO;
			break;
		}
		off += (size_t)n;
	}
	/* mkostemp() makes 0600; a snapshot is as readable as its directory lets it be. */
	if (!rc && fchmod(fd, 0644) < 0)
		rc = -errno;
	if (close(fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(tmp, path) < 0)
		rc = -errno;
	free(out.p);
	if (rc) {
		unlink(tmp);
		pp_err_set(e, -rc, "snapshot %s: write", path);
	}
	return rc;
}

struct rbuf {
	const uint8_t *p;
	size_t len, off;
};

static bool
r_get(struct rbuf *r, void *out, size_t n)
{
	if (r->len - r->off < n)
		return false;
	memcpy(out, r->p + r->off, n);
	r->off += n;
	return true;
}

static bool
r_u32(struct rbuf *r, uint32_t *v)
{
	uint8_t b[4];

	if (!r_get(r, b, 4))
		return false;
	*v = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
	return true;
}

static bool
r_str(struct rbuf *r, char *buf, size_t len)
{
	uint8_t b[2];
	size_t n;

	if (!r_get(r, b, 2))
		return false;
	n = (size_t)b[0] | (size_t)b[1] << 8;
	if (n >= len || r->len - r->off < n)
		return false;
	memcpy(buf, r->p + r->off, n);
	buf[n] = '\0';
	r->off += n;
	return memchr(buf, '\0', n) == NULL;
}

static bool
r_pad(struct rbuf *r)
{
	size_t pad = (4 - (r->off & 3)) & 3;

	if (r->len - r->off < pad)
		return false;
	r->off += pad;
	return true;
}

/* A piece's entries, into s. Returns NULL or what is wrong with it. */
static const char *
load_piece(struct pp_snap *s, const char *name, const uint8_t *raw, size_t len, uint32_t nent)
{
	struct rbuf r = { raw, len, 0 };
	char nsname[SNAP_NAME_MAX];
	const char *slash = strrchr(name, '/');
	int ns;

	if (!slash || slash == name || (size_t)(slash - name) >= sizeof(nsname) || !slash[1])
		return "its name is not NAMESPACE/KIND";
	snprintf(nsname, sizeof(nsname), "%.*s", (int)(slash - name), name);
	if ((ns = ns_index(s, nsname, true)) < 0)
		return "too many namespaces";
	for (uint32_t i = 0; i < nent; i++) {
		uint8_t k4[4];
		uint32_t proto, seq, portid, rc, keylen, datalen;
		size_t koff, doff;

		if (!r_get(&r, k4, 4) || !r_u32(&r, &proto) || !r_u32(&r, &seq) || !r_u32(&r, &portid) ||
		    !r_u32(&r, &rc) || !r_u32(&r, &keylen))
			return "an entry is cut short";
		if (k4[0] < ENT_NL || k4[0] > ENT_FACT)
			return "an entry of an unknown kind";
		koff = r.off;
		if (keylen > r.len - r.off)
			return "an entry's key runs past the piece";
		r.off += keylen;
		if (!r_pad(&r) || !r_u32(&r, &datalen))
			return "an entry is cut short";
		doff = r.off;
		if (datalen > r.len - r.off)
			return "an entry's data runs past the piece";
		r.off += datalen;
		if (!r_pad(&r))
			return "an entry is cut short";
		if (k4[0] == ENT_NL) {
			const struct nlmsghdr *h = (const struct nlmsghdr *)(raw + koff);
			size_t off = 0;

			if (keylen < sizeof(*h) || h->nlmsg_len != keylen)
				return "a request that is not one netlink message";
			/* Each datagram's length must stay inside the data. */
			while (off < datalen) {
				uint32_t dl;

				if (datalen - off < 4)
					return "a datagram's length is cut";
				memcpy(&dl, raw + doff + off, 4);
				off += 4;
				if (dl > datalen - off || ((dl + 3) & ~3u) > datalen - off)
					return "a datagram runs past its entry";
				off += (dl + 3) & ~3u;
			}
		} else if (keylen == 0 || memchr(raw + koff, '\0', keylen)) {
			return "a file entry without a proper path";
		}
		ent_add(s, k4[0], ns, proto, raw + koff, keylen, seq, portid, (int32_t)rc, raw + doff, datalen);
	}
	if (r.off != r.len)
		return "bytes after its last entry";
	return NULL;
}

int
pp_snap_load_mem(const void *buf, size_t len, const char *name, struct pp_snap **out, struct pp_err *e)
{
	struct rbuf r = { buf, len, 0 };
	struct pp_snap *s;
	char magic[8];
	uint32_t version, hlen, np;
	const char *why = NULL;
	int rc = -EBADMSG;

	*out = NULL;
	if (!(s = snap_alloc())) {
		pp_err_set(e, ENOMEM, "snapshot %s", name);
		return -ENOMEM;
	}
	s->replay = true;
	snprintf(s->path, sizeof(s->path), "%s", name);
	if (!r_get(&r, magic, 8) || memcmp(magic, SNAP_MAGIC, 8) != 0) {
		pp_err_set(e, EBADMSG, "snapshot %s: not a pktpath snapshot (no %s header)", name, SNAP_MAGIC);
		goto bad;
	}
	if (!r_u32(&r, &version)) {
		pp_err_set(e, EBADMSG, "snapshot %s: header: cut short", name);
		goto bad;
	}
	if (version != PP_SNAP_VERSION) {
		pp_err_set(e, EPROTONOSUPPORT, "snapshot %s: format version %u; this pathcheck reads version %d",
			   name, version, PP_SNAP_VERSION);
		rc = -EPROTONOSUPPORT;
		goto bad;
	}
	s->hdr.version = version;
	if (!r_u32(&r, &hlen) || hlen > r.len - r.off) {
		pp_err_set(e, EBADMSG, "snapshot %s: header: cut short", name);
		goto bad;
	}
	{
		struct rbuf h = { r.p + r.off, hlen, 0 };
		uint8_t t[8];
		uint32_t strict;
		uint64_t tv = 0;

		if (!r_get(&h, t, 8) || !r_str(&h, s->hdr.kernel, sizeof(s->hdr.kernel)) ||
		    !r_str(&h, s->hdr.host, sizeof(s->hdr.host)) || !r_str(&h, s->hdr.netns, sizeof(s->hdr.netns)) ||
		    !r_str(&h, s->hdr.writer, sizeof(s->hdr.writer)) || !r_u32(&h, &strict) || !s->hdr.netns[0]) {
			pp_err_set(e, EBADMSG, "snapshot %s: header: malformed", name);
			goto bad;
		}
		for (int k = 0; k < 8; k++)
			tv |= (uint64_t)t[k] << (8 * k);
		s->hdr.time = (int64_t)tv;
		s->hdr.strict = strict != 0;
		r.off += hlen;
	}
	s->base = ns_index(s, s->hdr.netns, true);
	if (!r_u32(&r, &np)) {
		pp_err_set(e, EBADMSG, "snapshot %s: header: no piece count", name);
		goto bad;
	}
	if (np > 1u << 20 || !(s->pieces = calloc(np ? np : 1, sizeof(*s->pieces)))) {
		pp_err_set(e, EBADMSG, "snapshot %s: header: %u pieces announced", name, np);
		goto bad;
	}
	for (uint32_t i = 0; i < np; i++) {
		struct snap_piece_info *pi = &s->pieces[i];
		uint32_t crc;
		uLongf rawlen;
		uint8_t *raw;
		int zr;

		if (!r_str(&r, pi->name, sizeof(pi->name))) {
			pp_err_set(e, EBADMSG, "snapshot %s: piece %u of %u%s%s: cut short or its name malformed", name,
				   i + 1, np, i ? ", after " : "", i ? s->pieces[i - 1].name : "");
			goto bad;
		}
		if (!r_u32(&r, &pi->nent) || !r_u32(&r, &pi->raw) || !r_u32(&r, &pi->comp) || !r_u32(&r, &crc)) {
			pp_err_set(e, EBADMSG, "snapshot %s: piece %s: cut short", name, pi->name);
			goto bad;
		}
		if (pi->comp > r.len - r.off) {
			pp_err_set(e, EBADMSG, "snapshot %s: piece %s: cut short (%u bytes announced, %zu left)", name,
				   pi->name, pi->comp, r.len - r.off);
			goto bad;
		}
		/* zlib shrinks by 1032:1 at most: a larger claim is a lie, not a big piece. */
		if (pi->raw > SNAP_PIECE_MAX || (uint64_t)pi->raw > (uint64_t)pi->comp * 1032 + 1024 ||
		    pi->nent > pi->raw / 28 + 1) {
			pp_err_set(e, EBADMSG, "snapshot %s: piece %s: implausible sizes", name, pi->name);
			goto bad;
		}
		rawlen = pi->raw;
		if (!(raw = malloc(rawlen ? rawlen : 1))) {
			pp_err_set(e, ENOMEM, "snapshot %s: piece %s", name, pi->name);
			rc = -ENOMEM;
			goto bad;
		}
		zr = uncompress(raw, &rawlen, r.p + r.off, pi->comp);
		if (zr != Z_OK || rawlen != pi->raw || crc32(0, raw, (uInt)rawlen) != crc) {
			free(raw);
			pp_err_set(e, EBADMSG, "snapshot %s: piece %s: corrupt (%s)", name, pi->name,
				   zr != Z_OK ? "does not decompress" : rawlen != pi->raw ? "wrong length" : "checksum");
			goto bad;
		}
		why = load_piece(s, pi->name, raw, rawlen, pi->nent);
		free(raw);
		if (why) {
			pp_err_set(e, EBADMSG, "snapshot %s: piece %s: %s", name, pi->name, why);
			goto bad;
		}
		r.off += pi->comp;
		s->npieces++;
		s->raw_bytes += pi->raw;
		s->comp_bytes += pi->comp;
	}
	if (r.off != r.len) {
		pp_err_set(e, EBADMSG, "snapshot %s: %zu bytes after the last piece", name, r.len - r.off);
		goto bad;
	}
	*out = s;
	return 0;
bad:
	pp_snap_free(s);
	return rc;
}

int
pp_snap_load(const char *path, struct pp_snap **out, struct pp_err *e)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;
	uint8_t *buf = NULL;
	size_t len = 0, cap = 0;
	ssize_t n;

	*out = NULL;
	if (fd < 0) {
		rc = -errno;
		pp_err_set(e, -rc, "snapshot %s", path);
		return rc;
	}
	for (;;) {
		if (len == cap) {
			uint8_t *nb;

			if (cap >= (size_t)4 << 30 || !(nb = realloc(buf, cap ? cap * 2 : 1 << 16))) {
				free(buf);
				close(fd);
				pp_err_set(e, ENOMEM, "snapshot %s", path);
				return -ENOMEM;
			}
			buf = nb;
			cap = cap ? cap * 2 : 1 << 16;
		}
		n = read(fd, buf + len, cap - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = -errno;
			free(buf);
			close(fd);
			pp_err_set(e, -rc, "snapshot %s: read", path);
			return rc;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	rc = pp_snap_load_mem(buf, len, path, out, e);
	free(buf);
	return rc;
}

void
pp_snap_stats(const struct pp_snap *s, size_t *pieces, size_t *entries, size_t *raw, size_t *comp)
{
	*pieces = s->npieces;
	*entries = s->nent;
	*raw = s->raw_bytes;
	*comp = s->comp_bytes;
}

static void
json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

void
pp_snap_list(const struct pp_snap *s, FILE *f, bool json)
{
	char when[64] = "?";
	time_t t = (time_t)s->hdr.time;
	struct tm tm;

	if (gmtime_r(&t, &tm))
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	if (json) {
		fprintf(f, "{\"schema\":\"pathcheck-snapshot/1\",\"file\":");
		json_str(f, s->path);
		fprintf(f, ",\"format_version\":%u,\"time\":", s->hdr.version);
		json_str(f, when);
		fprintf(f, ",\"kernel\":");
		json_str(f, s->hdr.kernel);
		fprintf(f, ",\"host\":");
		json_str(f, s->hdr.host);
		fprintf(f, ",\"netns\":");
		json_str(f, s->hdr.netns);
		fprintf(f, ",\"writer\":");
		json_str(f, s->hdr.writer);
		fprintf(f, ",\"bytes\":%zu,\"raw_bytes\":%zu,\"pieces\":[", s->comp_bytes, s->raw_bytes);
		for (size_t i = 0; i < s->npieces; i++) {
			fprintf(f, "%s{\"name\":", i ? "," : "");
			json_str(f, s->pieces[i].name);
			fprintf(f, ",\"entries\":%u,\"raw_bytes\":%u,\"bytes\":%u}", s->pieces[i].nent,
				s->pieces[i].raw, s->pieces[i].comp);
		}
		fprintf(f, "]}\n");
		return;
	}
	fprintf(f, "snapshot %s: format %u, %s, kernel %s, host %s, netns %s, by %s\n", s->path, s->hdr.version,
		when, s->hdr.kernel, s->hdr.host, s->hdr.netns, s->hdr.writer);
	fprintf(f, "  %-32s %8s %10s %10s\n", "piece", "entries", "raw", "compressed");
	for (size_t i = 0; i < s->npieces; i++)
		fprintf(f, "  %-32s %8u %10u %10u\n", s->pieces[i].name, s->pieces[i].nent, s->pieces[i].raw,
			s->pieces[i].comp);
	fprintf(f, "  %-32s %8zu %10zu %10zu\n", "total", s->nent, s->raw_bytes, s->comp_bytes);
}
