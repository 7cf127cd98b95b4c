/*
 * nw.h: neighwatch, the neighbour station. A snapshot (every ARP/NDP entry, the
 * next hops of current routes, the global neighbour tables) evaluated into
 * findings, and a watch that follows RTNLGRP_NEIGH with bounded memory.
 *
 * collect (main.c, common/) -> nw_eval() (pure) -> nw_render_*() ; the watch
 * model (nw_watch_*) is pure too: events in, transitions and alerts out.
 */
#ifndef NW_H
#define NW_H

#include <net/if.h>
#include <stdio.h>

#include "cli.h"
#include "link.h"
#include "neigh.h"
#include "ntable.h"
#include "route.h"

/* ---- snapshot model ---- */

struct nw_link {
	int ifindex;
	char name[IF_NAMESIZE];
	unsigned flags;			/* IFF_UP, IFF_LOWER_UP, ... */
	uint8_t operstate;
};

/* One family's neighbour table (the global one) and what this namespace holds of it. */
struct nw_table {
	bool have;			/* the kernel sent the table message */
	int family;
	char name[32];
	bool has_thresh, has_config, has_stats, has_gc_interval;
	uint32_t thresh1, thresh2, thresh3;
	uint64_t gc_interval_ms;
	struct ndt_config config;	/* ndtc_entries: every namespace together */
	struct ndt_stats stats;
	/* Counted in this namespace's dump: */
	uint64_t here;			/* entries of this family here */
	uint64_t here_exempt;		/* PERMANENT or externally learned: not counted against gc_thresh */
	uint64_t gc_estimate;		/* config.ndtc_entries - here_exempt: what gc_thresh is compared to */
	bool has_default_probes;
	uint32_t ucast_probes, mcast_probes, app_probes;	/* default parms: probes before FAILED */
};

#define NW_NH_ROUTES 4

/* A gateway of a current route, and the routes that use it. */
struct nw_nexthop {
	int family;
	int ifindex;
	struct pp_addr gw;
	unsigned nroutes;
	char routes[NW_NH_ROUTES][160];	/* the first few, iproute2 form */
	/* Filled by nw_eval(): */
	const struct pp_neigh *neigh;	/* the entry for gw on ifindex, NULL when there is none */
};

enum nw_kind {
	NW_F_NEXTHOP_FAILED,		/* a route's gateway is FAILED or INCOMPLETE */
	NW_F_NEXTHOP_UNRESOLVED,	/* a route's gateway is STALE, DELAY, PROBE or has no entry */
	NW_F_ENTRY_FAILED,		/* FAILED or INCOMPLETE entries that are no next hop */
	NW_F_IP_MANY_LLADDR,		/* one IP, different link-layer addresses on different devices */
	NW_F_LLADDR_MANY_IPS,		/* one link-layer address answering for many IPs */
	NW_F_DEVICE_DOWN,		/* entries on a device that is down */
	NW_F_TABLE_PRESSURE,		/* entries against gc_thresh2/3 (global) */
	NW_F_TABLE_FULLS,		/* the table was full at some time since boot (global) */
	NW_F_CHECK_UNKNOWN,		/* a check could not run */
	NW_F__COUNT
};
const char *nw_kind_name(enum nw_kind k);

#define NW_F_MAXREF 4

struct nw_finding {
	enum nw_kind kind;
	enum pp_status severity;	/* PP_ST_FAIL, PP_ST_WARN, PP_ST_OK (information), PP_ST_UNKNOWN */
	int family;
	int ifindex;			/* 0 when not about one device */
	struct pp_addr dst;		/* family 0 when not about one address */
	uint8_t lladdr[32];
	uint8_t lladdr_len;
	uint16_t state;
	bool has_probes;
	uint32_t probes;
	uint64_t count;			/* entries, IPs, routes or table_fulls, by kind */
	const struct nw_nexthop *nh;	/* nexthop findings */
	unsigned nref;			/* referenced entries (flux: each device and MAC; many IPs: the first IPs) */
	const struct pp_neigh *ref[NW_F_MAXREF];
	char summary[320];
};

struct nw_opts {
	int family;			/* AF_UNSPEC, AF_INET, AF_INET6 */
	int ifindex;			/* --dev, 0: all */
	const char *dev;
	bool route_all_tables;
	uint32_t route_table;		/* RT_TABLE_MAIN by default */
	unsigned mac_ips;		/* flag a link-layer address answering more than this many IPs */
	bool list_entries;		/* text: list every entry */
	/* watch */
	bool watch;
	double duration;		/* 0: until SIGINT */
	unsigned flap_count;		/* more than this many flips ... */
	double flap_window;		/* ... within this many seconds is flapping */
	unsigned max_entries;		/* entries the watch tracks at most */
	int rcvbuf;			/* initial event socket receive buffer, 0: default */
	bool final_entries;		/* watch summary lists the final table */
	bool count_only;		/* hidden: the bare neighbour dumps, messages only counted (benchmark floor) */
	bool json_events;		/* watch with --prom-file: events as JSON Lines */
	double table_interval;		/* watch: poll the global table counters every this many seconds, 0: never */
	/* Selection (snapshot only): which entries are listed and counted; the findings stay about the whole table. */
	bool select;			/* any of the below */
	bool proxy;			/* --proxy: the proxy entries (ip neigh show proxy) */
	unsigned nud;			/* --nud: NUD_* | PP_NUD_NONE, 0: every state */
	bool has_to;			/* --to PREFIX */
	struct pp_addr to;
	unsigned to_plen;
	bool has_get;			/* --get ADDR (with -d): one RTM_GETNEIGH request, no dump */
	struct pp_addr get;
};

struct nw_snap {
	struct pp_neigh *ent;
	size_t nent, capent;
	size_t entfault;	/* bytes of ent[] prefaulted (a hint: pages past it fault when written) */
	struct nw_link *links;
	size_t nlinks, caplinks;
	struct nw_table tables[2];	/* [0] inet, [1] inet6 */
	struct nw_nexthop *nh;
	size_t nnh, capnh;
	bool entries_ok;		/* the neighbour dump ran */
	bool links_ok, routes_ok, tables_ok;
	struct pp_err routes_err, tables_err, links_err;
	struct nw_finding *f;
	size_t nf, capf;
	/* With a selection (o->select): the entries listed, counted and exported. */
	bool select;
	struct pp_neigh *sel;
	size_t nsel, capsel;
	char warnings[8][256];
	unsigned nwarnings;
};

void nw_snap_init(struct nw_snap *s);
void nw_snap_free(struct nw_snap *s);
/* Add what a dump delivers. Return 0 or -ENOMEM. */
int nw_snap_add_neigh(struct nw_snap *s, const struct pp_neigh *n);
int nw_snap_add_sel(struct nw_snap *s, const struct pp_neigh *n);
/* Does an entry pass the selection's family, --to and --nud (as ip neigh show does)? */
bool nw_select_match(const struct nw_opts *o, const struct pp_neigh *n);
/* The entries shown: the selection when there is one, else every entry. */
const struct pp_neigh *nw_snap_shown(const struct nw_snap *s, size_t *n);
int nw_snap_add_link(struct nw_snap *s, const struct pp_link *l);
int nw_snap_add_ntable(struct nw_snap *s, const struct pp_ntable *t);
int nw_snap_add_route(struct nw_snap *s, const struct pp_route *r, const struct nw_opts *o);
void nw_snap_warn(struct nw_snap *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
struct nw_table *nw_snap_table(struct nw_snap *s, int family);
const struct nw_link *nw_snap_link(const struct nw_snap *s, int ifindex);
/* Device name for ifindex into buf ("if7" when unknown). */
const char *nw_ifname(const struct nw_snap *s, int ifindex, char *buf, size_t len);

/*
 * Evaluate a collected snapshot: fill s->f with findings, sorted by severity.
 * Pure: no I/O. Returns the exit status (PP_EXIT_OK, PP_EXIT_PROBLEM when a
 * finding is FAIL, PP_EXIT_UNKNOWN when a check could not run and none fails).
 */
int nw_eval(struct nw_snap *s, const struct nw_opts *o);

/* Render the snapshot. */
void nw_render_text(const struct nw_snap *s, const struct nw_opts *o, const struct pp_cli *c, FILE *f);
void nw_render_json(const struct nw_snap *s, const struct nw_opts *o, const struct pp_cli *c, FILE *f);
/* nagios.c: the --nagios line of a snapshot on stdout; returns its state (the exit code). */
int nw_render_nagios(const struct nw_snap *s, const struct nw_opts *o, struct pp_cli *c);
/* Prometheus families of the snapshot (no run info). */
void nw_render_prom(const struct nw_snap *s, struct pp_prom *p);

/* "inet", "inet6" */
const char *nw_family_name(int family);
/* The state name as one word ("REACHABLE", "NONE" for 0). */
const char *nw_state_name(uint16_t state, char *buf, size_t len);

/* ---- watch model ---- */

#define NW_HIST 16		/* flip times kept per entry: --flap-count is at most NW_HIST - 1 */

struct nw_went {
	int family;
	int ifindex;
	struct pp_addr dst;
	bool present;			/* false: deleted, kept as a tombstone for its history */
	uint16_t state;
	uint8_t flags;
	uint8_t lladdr[32];
	uint8_t lladdr_len;
	bool flapping;
	uint8_t nhist, hpos;
	uint64_t hist[NW_HIST];		/* ms of the last flips (ring) */
	uint64_t last_ms;
	uint32_t gen;			/* resync generation that last saw it */
	uint32_t hnext;			/* hash chain (index + 1, 0 ends) */
	uint32_t lru_prev, lru_next;	/* LRU list (index + 1, 0 ends); head is the most recent */
};

enum nw_ev_type { NW_EV_NONE, NW_EV_NEW, NW_EV_CHANGE, NW_EV_DEL };

/* What one event did to the model, for the renderer. */
struct nw_event {
	enum nw_ev_type type;
	int family, ifindex;
	struct pp_addr dst;
	uint16_t state, old_state;
	bool had_old;			/* old_state/old_lladdr describe an entry we knew */
	uint8_t lladdr[32], old_lladdr[32];
	uint8_t lladdr_len, old_lladdr_len;
	bool lladdr_changed;
	bool flap_start;		/* this event made the entry count as flapping */
	bool flapping;
	unsigned flips_in_window;
	bool resync;			/* found by a resync dump, not by an event */
};

struct nw_fam_ctr {
	uint64_t flaps, lladdr_changes;
};

struct nw_watch {
	struct nw_went *e;
	uint32_t n, cap, max;
	uint32_t *bucket;		/* index + 1 */
	uint32_t nbucket;
	uint32_t lru_head, lru_tail;
	uint32_t gen;
	unsigned flap_count;
	uint64_t flap_window_ms;
	/* counters */
	uint64_t events, changes, flaps, lladdr_changes, evicted, present;
	struct nw_fam_ctr fam[2];
};

/* max: entries tracked at most (the least recently changed is forgotten beyond it). Returns 0 or -ENOMEM. */
int nw_watch_init(struct nw_watch *w, uint32_t max, unsigned flap_count, double flap_window_s);
void nw_watch_free(struct nw_watch *w);
/*
 * Apply one neighbour message (del: RTM_DELNEIGH) at now_ms. Fills ev; returns
 * true when something visible changed (state, link-layer address, presence).
 */
bool nw_watch_apply(struct nw_watch *w, const struct pp_neigh *n, bool del, uint64_t now_ms,
		    struct nw_event *ev);
/* Resync: begin (new generation), apply each dumped entry with nw_watch_apply, then sweep. */
void nw_watch_resync_begin(struct nw_watch *w);
/* Entries not seen since nw_watch_resync_begin() are deleted; cb gets a DEL event for each. */
void nw_watch_resync_end(struct nw_watch *w, uint64_t now_ms,
			 void (*cb)(const struct nw_event *ev, void *data), void *data);
struct nw_went *nw_watch_find(struct nw_watch *w, int family, int ifindex, const struct pp_addr *dst);

/* ---- the tool's run (args.c, collect.c, live.c) ---- */

#define NW_RCVBUF_MAX (64 * 1024 * 1024)
/* With -w and --prom-file, the file is rewritten this often, so node_exporter sees a live watch. */
#define NW_PROM_EVERY_MS 30000
/* Device names a watch remembers at most. */
#define NW_NAMES_MAX 8192


int nw_collect(const struct pp_cli *c, struct pp_nl *nl, struct nw_opts *o, struct nw_snap *s);
int nw_link_cb(const struct pp_link *l, void *data);
void nw_link_reset(void *data);
/* --dev: resolved in s (exit 2 naming it when there is no such device). */
int nw_resolve_dev(const struct pp_cli *c, struct nw_snap *s, struct nw_opts *o);
int nw_ntable_cb(const struct pp_ntable *t, void *data);
void nw_ntable_reset(void *data);
int nw_render_prom_snapshot(struct pp_cli *c, const struct nw_snap *s, const struct nw_watch *w,
			    const uint64_t *wctr, bool ok);
/* Parse the command line (PP_EXIT_OK, PP_EXIT_HELP after --help/--version, or a usage exit). */
int nw_args(int argc, char *argv[], struct pp_cli *c, struct nw_opts *o);
/* A snapshot with findings; returns the exit code. */
int nw_snapshot(struct pp_cli *c, struct nw_opts *o);
/* -w: follow events until interrupted or --duration; returns the exit code. */
int nw_watch_run(struct pp_cli *c, struct nw_opts *o);

#endif
