/*
 * station.h: the stations a packet walks through, and the one table that names them.
 *
 * A check is a walk, then a judgement. The walker (collect.c) takes the stations of the
 * packet's direction in order; each station's walk() asks the kernel what it needs (I/O)
 * and may change the packet (f->eq: addresses, ports, mark, direction, devices, netns). A
 * station that changes what the route depends on (a mark set at output, a dnat) asks for
 * the route station to run again; the walker runs it and calls the station back to carry
 * on. Then the driver (eval.c) calls every station's judge(), which is pure: it reads the
 * facts and writes the station's result, and picks the verdict.
 *
 * The walk state (struct pc_walk) is the packet plus the facts the stations found. It is
 * meant to be copied where a walk splits into branches, and the packet carries the
 * namespace it is in, so a walk can cross into another one; neither is built yet.
 */
#ifndef PC_STATION_H
#define PC_STATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "cause.h"
#include "pp.h"

/* Station identifiers. Their names and places in each direction's path are in station.c. */
enum pc_station_id {
	PC_INGRESS_DEVICE, PC_PREROUTING, PC_ROUTE, PC_INPUT, PC_SOCKET, PC_FORWARD_ST,
	PC_OUTPUT, PC_POSTROUTING, PC_CONNTRACK, PC_NEIGHBOUR, PC_QDISC, PC_EGRESS_DEVICE,
	PC_PMTU, PC_REMOTE, PC_TC_INGRESS, PC_TC_EGRESS, PC_NSTATIONS,
	PC_ANY_HOOK,		/* not a station: one of the netfilter hooks, which one not known */
};

enum pc_direction { PC_EGRESS, PC_INGRESS, PC_FORWARD };
#define PC_NDIRECTIONS 3

struct pc_query;
struct pc_facts;
struct pc_result;
struct pp_nl;

/* A walk in progress: the packet and what the stations found so far. */
struct pc_walk {
	const struct pc_query *q0;	/* the question as asked */
	struct pc_facts *f;		/* the facts; f->eq is the packet as it is now */
	struct pp_nl *nl;		/* rtnetlink in the packet's namespace */
	enum pc_direction dir;		/* the direction whose order is being walked */
	unsigned route_runs;		/* how often the route station ran */
	bool again;			/* the last station asks for the route to run again, then for itself */
	bool legacy_read;		/* iptables-legacy tables looked for */
	uint32_t nft_hooks;		/* the hooks (bit per NF_INET_*) the netfilter walk in progress covers */
	unsigned nft_walked;		/* bit per station: its hook was evaluated */
};

struct pc_station_ops {
	const char *name;		/* the contract's station name */
	const char *family;		/* the netfilter hooks: "netfilter"; NULL for the rest */
	int hook;			/* the netfilter hook (NF_INET_*), -1 for the rest */
	/* Place in each direction's path, from 1; 0: not on that path. */
	unsigned char order[PC_NDIRECTIONS];
	/* Directions where only an observation (--probe) can fill the station in: bit per direction. */
	unsigned char observed_only;
	/* Ask the kernel, change the packet. NULL: this station reads nothing of its own. */
	void (*walk)(struct pc_walk *w, enum pc_station_id id);
	/* Pure: from the facts to the station's result. */
	void (*judge)(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res,
		      enum pc_station_id id);
	/* Pure, after every station is judged and the observation applied. NULL: none. */
	void (*after)(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res,
		      enum pc_station_id id);
};

extern const struct pc_station_ops pc_stations[PC_NSTATIONS];

const char *pc_station_name(enum pc_station_id id);
/* The station of a name, or PC_NSTATIONS. The family name of the hooks gives PC_ANY_HOOK. */
enum pc_station_id pc_station_by_name(const char *name);
/* The stations of a direction, in the order the packet meets them. */
const enum pc_station_id *pc_path_order(enum pc_direction d, size_t *n);
/* Is the station walked and judged on this direction (not only observed)? */
bool pc_station_on_path(enum pc_station_id id, enum pc_direction d);
/* The station of a netfilter hook (NF_INET_*), or PC_NSTATIONS. */
enum pc_station_id pc_hook_station(uint32_t hook);

/* The stations' walks and judgements (st_*.c). */
void pc_route_walk(struct pc_walk *w, enum pc_station_id id);
void pc_route_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id);
void pc_netfilter_walk(struct pc_walk *w, enum pc_station_id id);
void pc_netfilter_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id);
/* Egress to one of the host's own addresses: the way back in through lo, on the input station. */
void pc_netfilter_loop_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res);
/* The netfilter station that dropped the flow: the traced or the dropping chain's hook. */
enum pc_station_id pc_netfilter_drop_station(const struct pc_query *q, const struct pc_facts *f);
void pc_netfilter_after(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id);
void pc_socket_walk(struct pc_walk *w, enum pc_station_id id);
void pc_socket_local_walk(struct pc_walk *w, enum pc_station_id id);
void pc_socket_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id);
void pc_neigh_walk(struct pc_walk *w, enum pc_station_id id);
void pc_neigh_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id);
void pc_qdisc_walk(struct pc_walk *w, enum pc_station_id id);
void pc_qdisc_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id);
void pc_device_walk(struct pc_walk *w, enum pc_station_id id);
void pc_device_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id);
void pc_tc_walk(struct pc_walk *w, enum pc_station_id id);
void pc_tc_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id);
void pc_conntrack_walk(struct pc_walk *w, enum pc_station_id id);
void pc_conntrack_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id);
void pc_pmtu_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id);
void pc_remote_walk(struct pc_walk *w, enum pc_station_id id);
void pc_remote_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id);

/*
 * Shared by the judgements (eval.c). Every status a judgement gives comes with its cause
 * (cause.h): pc_st() sets a station's status, cause and summary, pc_set() changes the
 * status and cause of a station already set. For ok and skipped the cause is ignored
 * (PC_C_NONE is stored); a fail, warn or unknown given PC_C_NONE becomes UNCLASSIFIED.
 */
struct pc_station *pc_st(struct pc_result *r, enum pc_station_id id, enum pp_status st, enum pc_cause cause,
			 const char *fmt, ...) __attribute__((format(printf, 5, 6)));
struct pc_station;
void pc_set(struct pc_station *s, enum pp_status st, enum pc_cause cause);
void pc_hint(struct pc_station *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
const char *pc_ipcmd(const struct pc_query *q);
/* Shared by the walks (collect.c): a sysctl's value, or dflt when it cannot be read. */
long long pc_sysctl_or(const char *key, long long dflt);

#endif
