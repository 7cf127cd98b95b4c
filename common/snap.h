/*
 * snap.h: incident snapshots, a recorded conversation with the kernel.
 *
 * Record: every netlink request common/nl.c sends (its bytes with the sequence number
 * and port id zeroed), the protocol, the namespace it ran in and the reply datagrams as
 * the kernel wrote them; every kernel file read through common/sysctl.c and
 * common/snmp.c; every device name asked by index (and back). Replay: the same calls
 * find the recorded request and feed the recorded replies through the same parsing
 * (pp_nl_parse_replies), so the decoders are the live ones; a request the snapshot does
 * not hold fails with -ENODATA and says so ("the snapshot holds no answer for
 * RTM_GETROUTE to 203.0.113.9 in netns ns1").
 *
 * One store per process, installed with pp_snap_install() before any thread starts and
 * never changed while they run. Recording takes the store's mutex; a loaded snapshot is
 * read only. Which namespace a thread is in: recording, the namespace's inode (each
 * named by pp_netns_enter*); replaying, a per-thread name set by pp_netns_enter.
 *
 * The file (format version 1, little endian): "PKTPSNAP", u32 version, u32 header
 * length, the header (kernel release, host name, time, the namespace the run was
 * asked in, the writer's version), u32 piece count, then the pieces, each a name
 * ("ns1/routes", "self/sysctl"), its entry count, raw and compressed lengths, the raw
 * bytes' CRC-32, and the entries compressed with zlib. No packet payloads; sockets are
 * sock_diag's records (no command lines).
 */
#ifndef PP_SNAP_H
#define PP_SNAP_H

#include <stdio.h>
#include <time.h>
#include <sys/types.h>
#include "pp.h"

#define PP_SNAP_VERSION 1

struct pp_snap;
struct nlmsghdr;

struct pp_snap_hdr {
	uint32_t version;
	int64_t time;			/* seconds since the epoch, when recording began */
	char kernel[128];		/* uname -r of the recording host */
	char host[128];			/* its host name */
	char netns[64];			/* the namespace the run was asked in ("self": where it started) */
	char writer[32];		/* the writing pathcheck's version */
	bool strict;			/* the kernel took NETLINK_GET_STRICT_CHK */
};

/* A new recording store; base is the name of the namespace the caller is in now ("" is "self"). */
struct pp_snap *pp_snap_record_new(const char *base);
/* Write the store to path (a temporary file renamed over it). Returns 0 or -errno, e says which. */
int pp_snap_write(struct pp_snap *s, const char *path, struct pp_err *e);
/*
 * Read a snapshot file. Returns 0 with *out set, or -errno: -ENOENT and the like for the
 * file, -EBADMSG for a file that is not a snapshot, is truncated or corrupt (e names the
 * file and the piece), -EPROTONOSUPPORT for another format version.
 */
int pp_snap_load(const char *path, struct pp_snap **out, struct pp_err *e);
/* The same from memory (the fuzz target, unit tests); name is what errors call it. */
int pp_snap_load_mem(const void *buf, size_t len, const char *name, struct pp_snap **out,
		     struct pp_err *e);
void pp_snap_free(struct pp_snap *s);

/* Install s (NULL: none) for the whole process. Only before any thread starts. */
void pp_snap_install(struct pp_snap *s);
struct pp_snap *pp_snap_active(void);
bool pp_snap_replaying(const struct pp_snap *s);
const struct pp_snap_hdr *pp_snap_header(const struct pp_snap *s);
const char *pp_snap_path(const struct pp_snap *s);

/* Write the list of pieces (name, entries, sizes) and the header: text, or JSON when json. */
void pp_snap_list(const struct pp_snap *s, FILE *f, bool json);
/* How many pieces and entries; the raw and compressed bytes of the last write or load. */
void pp_snap_stats(const struct pp_snap *s, size_t *pieces, size_t *entries, size_t *raw, size_t *comp);

/* The header's writer: "qdiscstat 0.1.0" (pp_snap_record_new() says "pathcheck VERSION"). */
void pp_snap_set_writer(struct pp_snap *s, const char *prog);

/*
 * Binary facts of the calling thread's namespace: an ioctl's answer ("SIOCETHTOOL eth0
 * ETHTOOL_GSTATS ..."), its bytes (rc 0) or its error. Replaying, blob_get copies at most
 * len bytes of the recorded answer into buf and returns its length, the recorded -errno,
 * or -ENODATA when the snapshot did not ask.
 */
void pp_snap_blob_record(struct pp_snap *s, const char *key, int rc, const void *data, size_t len);
int pp_snap_blob_get(const struct pp_snap *s, const char *key, void *buf, size_t len);

/*
 * CLOCK_REALTIME, as the run's ages and timestamps must read it: live, the clock (and
 * when recording, its first reading is kept in the snapshot); replaying, the saving
 * run's first reading (a snapshot without one: its header's time), so an entry's age
 * is what it was at save time.
 */
void pp_clock_realtime(struct timespec *ts);

/*
 * Which of the tables pathcheck walks with (links, addresses, routes and rules of both
 * families) the snapshot lacks for namespace index ns (-1: the one it was saved in): their names, comma-separated,
 * into missing (empty when none is missing), and the kinds of piece it does hold for
 * that namespace into holds. Returns how many are missing.
 */
int pp_snap_lacks_tables(const struct pp_snap *s, int ns, char *missing, size_t mlen, char *holds, size_t hlen);

/* Namespaces. */
/* The namespace index of the calling thread (recording: by inode; replaying: its current name). */
int pp_snap_ns_here(struct pp_snap *s);
/* Recording: the calling thread has just entered a namespace called name. */
void pp_snap_ns_entered(struct pp_snap *s, const char *name);
/*
 * Replaying: enter namespace name. Returns 0 with *prev the index to give back to
 * pp_snap_ns_leave(), or -ENOENT when the snapshot holds no namespace of that name.
 */
int pp_snap_ns_enter(struct pp_snap *s, const char *name, int *prev, struct pp_err *e);
void pp_snap_ns_leave(struct pp_snap *s, int prev);
/* The name of namespace index ns ("" when out of range). */
const char *pp_snap_ns_name(const struct pp_snap *s, int ns);
/*
 * Facts of the calling thread's namespace that are no netlink message or file: "ifname 5",
 * "nsid 3" (the namespace a device's IFLA_LINK_NETNSID names). Recorded with their value
 * (rc 0) or error; replaying, fact_get fills val and returns 0, the recorded -errno, or
 * -ENODATA when the snapshot did not ask.
 */
void pp_snap_fact_record(struct pp_snap *s, const char *key, int rc, const char *val);
int pp_snap_fact_get(const struct pp_snap *s, const char *key, char *val, size_t len);
/* Replaying: the namespace the calling thread is in now becomes every new thread's. */
void pp_snap_rebase(struct pp_snap *s);

/* Netlink (used by common/nl.c). */
struct pp_snap_nl_ent;
/* Record one finished request: dgrams is [u32 len][bytes, padded to 4]... of dlen bytes. */
void pp_snap_nl_record(struct pp_snap *s, int ns, int proto, const struct nlmsghdr *req,
		       uint32_t seq, uint32_t portid, const void *dgrams, size_t dlen);
/* The recorded answer to req, or NULL. */
const struct pp_snap_nl_ent *pp_snap_nl_find(const struct pp_snap *s, int ns, int proto,
					     const struct nlmsghdr *req);
/* An answer's sequence number, port id and datagrams (as recorded). */
void pp_snap_nl_answer(const struct pp_snap_nl_ent *a, uint32_t *seq, uint32_t *portid,
		       const void **dgrams, size_t *dlen);
/* Fill e for a request the snapshot holds no answer to, and return -ENODATA. */
int pp_snap_miss(const struct pp_snap *s, int ns, int proto, const struct nlmsghdr *req,
		 struct pp_err *e);
/* "RTM_GETROUTE", "NFT_MSG_GETRULE", "SOCK_DIAG_BY_FAMILY", ... */
const char *pp_snap_msg_name(int proto, uint16_t type, char *buf, size_t len);

/* Kernel files (used by common/sysctl.c and common/snmp.c). */
/* Record path's content (rc 0) or its error (-errno). */
void pp_snap_file_record(struct pp_snap *s, const char *path, int rc, const char *data, size_t len);
/*
 * Replaying: the recorded content of path into a malloc'd NUL-terminated *out. Returns
 * its length, the recorded -errno, or -ENODATA when the snapshot did not read it.
 */
int pp_snap_file_get(const struct pp_snap *s, const char *path, char **out);

/* Device names and indexes in the calling thread's namespace, live or recorded. */
char *pp_ifname(unsigned ifindex, char *name);	/* as if_indextoname(): name or NULL */
unsigned pp_ifindex(const char *name);		/* as if_nametoindex(): index or 0 */

/*
 * --save: besides what the run asked, dump the full tables of the calling thread's
 * namespace (links, addresses, routes and rules of every table, nexthops, neighbours and
 * their tables, qdiscs and classes, nftables objects and set elements, conntrack
 * statistics, listening sockets, the sysctls and counters). Recorded through the same
 * layer, so replay finds them; errors of single tables are skipped (a kernel without
 * nexthop objects). Returns 0, or -errno when no socket could be opened.
 */
int pp_snap_dump_all(struct pp_err *e);
/*
 * The requests pp_snap_dump_all() sends for the full route and rule tables of family,
 * built into buf (MNL_SOCKET_BUFFER_SIZE): the userspace FIB looks them up.
 */
struct nlmsghdr *pp_snap_route_dump_req(void *buf, int family);
struct nlmsghdr *pp_snap_rule_dump_req(void *buf, int family);
struct nlmsghdr *pp_snap_link_dump_req(void *buf);
/* Any rtnetlink dump of type with its fixed header (struct ndmsg, ...), flags as pp_nl_dump() sends them. */
struct nlmsghdr *pp_snap_rt_dump_req(void *buf, uint16_t type, const void *hdr, size_t hlen);
struct nlmsghdr *pp_snap_addr_dump_req(void *buf);

/*
 * The userspace FIB (snapfib.c): answer an RTM_GETROUTE the snapshot does not hold from
 * its recorded rules, routes and addresses, as the kernel's output lookup would. Returns
 * 0 with the reply datagram (route message and ACK, or the error) built in *out (malloc'd,
 * *outlen bytes, sequence seq and port portid), or -ENODATA with e saying what it cannot
 * decide (an input lookup, a multipath route, a rule it does not model).
 */
int pp_snap_fib_answer(const struct pp_snap *s, int ns, const struct nlmsghdr *req, uint32_t seq,
		       uint32_t portid, void **out, size_t *outlen, struct pp_err *e);
/* The messages of the recorded answer to req (a dump), each passed to cb; -ENODATA when absent. */
int pp_snap_walk(const struct pp_snap *s, int ns, int proto, const struct nlmsghdr *req,
		 int (*cb)(const struct nlmsghdr *nlh, void *data), void *data);

#endif
