/*
 * pmtuprobe.h: the model of one run (local facts, probes, search state, verdict)
 * and the pure parts the unit tests drive: the size search, the TTL search and
 * the verdict evaluator.
 */
#ifndef PMTUPROBE_H
#define PMTUPROBE_H

#include <net/if.h>
#include <signal.h>
#include <stdio.h>

#include "cli.h"
#include "pcap.h"
#include "pp.h"
#include "route.h"

enum pm_proto { PM_PROTO_UDP, PM_PROTO_ICMP, PM_PROTO_TCP };

/* What one probe (after its tries) got back. */
enum pm_answer {
	PM_A_SILENT = 0,	/* nothing, after every try */
	PM_A_REACHED,		/* the destination answered (reply, port unreachable, SYN-ACK, RST) */
	PM_A_PTB,		/* a hop reported frag-needed / Packet Too Big */
	PM_A_TTL,		/* time exceeded from a hop (TTL searches) */
	PM_A_LOCAL_MSGSIZE,	/* this host refused it: larger than the device MTU */
	PM_A_UNREACH,		/* another ICMP error (unreachable, prohibited) */
	PM_A_SEND_ERR,		/* the send failed (errno in err) */
};
const char *pm_answer_name(enum pm_answer a);

/* RFC 8899 MAX_PROBES. */
#define PM_DEFAULT_TRIES 3
#define PM_MAX_LOG 256

/* One probe as sent and answered (the log in the JSON). */
struct pm_probe {
	enum pm_proto proto;
	unsigned size;		/* IP packet size, headers included */
	unsigned ttl;		/* 0: the default (searching sizes) */
	unsigned tries;		/* packets sent for it */
	enum pm_answer answer;
	struct pp_addr from;	/* who answered (family 0: nobody) */
	uint32_t mtu;		/* PTB / local EMSGSIZE MTU */
	double rtt_ms;
	bool ptb_local_drop;	/* the PTB was seen on the wire only: this host dropped it */
	int err;		/* PM_A_SEND_ERR: errno */
	unsigned reply_frag;	/* the reply came back fragmented: size of its first fragment */
};

/*
 * The size search. Probe sizes are asked for one at a time: first the smallest
 * size (min: is the destination answering at all?), then max, then the common
 * link MTUs between what passed and what failed, then a binary search. A PTB's
 * MTU, when smaller than the probe and not below min, is tried next and trusted
 * as the upper bound.
 */
struct pm_search {
	unsigned min, max;
	unsigned lo;		/* largest size answered; 0: none */
	unsigned hi;		/* smallest size that failed; max + 1: none */
	enum pm_answer hi_why;	/* how hi failed */
	unsigned ptb_next;	/* a PTB's suggestion to try next; 0: none */
	bool base_done, max_done;
	bool bad_ptb;		/* a PTB suggested an MTU not below the probe */
	unsigned steps;		/* sizes asked for */
};
void pm_search_init(struct pm_search *s, unsigned min, unsigned max);
/* The next size to probe, or 0 when the search is over. */
unsigned pm_search_next(struct pm_search *s);
/* Feed the answer to size (mtu: the PTB's or the local EMSGSIZE's MTU). */
void pm_search_answer(struct pm_search *s, unsigned size, enum pm_answer a, uint32_t mtu);

/*
 * The TTL search that locates a black hole: large probes (a size that vanished)
 * with TTL 1, 2, ...; while a hop answers them with time exceeded, the large
 * packet got that far. At the first TTL where the large probe is silent, a small
 * probe with the same TTL says whether that hop answers at all: if it does, the
 * large packet was lost between the last hop that saw it and this one.
 */
struct pm_ttl {
	unsigned ttl, max_ttl;
	bool small;		/* the next probe is the small one */
	bool done, found;
	bool reached;		/* a large probe reached the destination (not reproducible) */
	bool ptb;		/* a large probe drew a PTB after all */
	unsigned last_ttl;	/* last TTL whose hop answered the large probe; 0: none */
	struct pp_addr last_hop;
	unsigned drop_ttl;	/* TTL of the first hop the large probe did not reach */
	struct pp_addr next_hop;	/* who answered the small probe there */
	bool next_is_dst;	/* ... and it was the destination */
};
void pm_ttl_init(struct pm_ttl *t, unsigned max_ttl);
/* The next probe: returns its TTL and sets *large, or 0 when the search is over. */
unsigned pm_ttl_next(struct pm_ttl *t, bool *large);
void pm_ttl_answer(struct pm_ttl *t, unsigned ttl, bool large, enum pm_answer a,
		   const struct pp_addr *from);

/* An MSS clamp found in the ruleset (tcp option maxseg size set ...). */
struct pm_clamp {
	uint32_t family;
	char table[64], chain[64];
	uint64_t handle;
	uint32_t size;		/* 0 when set from the route (rt mtu) */
	bool rt_mtu;
};
#define PM_MAX_CLAMPS 16

struct nftnl_rule;
/* 1 when rule r writes the TCP MSS option (out filled), 0 when not, -1 on allocation failure. Pure. */
int pm_clamp_from_rule(struct nftnl_rule *r, struct pm_clamp *out);

/* 1 when rule r ends in drop or reject (a rule that can throw a PTB away), else 0. Pure. */
int pm_rule_drops(struct nftnl_rule *r);

/* A base chain on the input hook that sees ICMP of our family: where a PTB can die here. */
struct pm_input_chain {
	uint32_t family;
	char table[64], chain[64];
	uint32_t policy;	/* NF_ACCEPT or NF_DROP */
	unsigned drop_rules;	/* rules ending in drop or reject */
};
#define PM_MAX_INPUT 8

/* Facts of this host, beside the probing. */
struct pm_local {
	bool route_ok;
	int route_err;			/* -errno of the lookup */
	char route[256];		/* one-line form */
	char dev[IF_NAMESIZE];
	int oif;
	struct pp_addr src;
	uint32_t dev_mtu;		/* 0: unknown */
	uint32_t route_mtu;		/* the matched route's mtu metric; 0: none */
	bool route_mtu_locked;
	bool cached;			/* a PMTU exception for the destination before probing */
	uint32_t cached_mtu, cached_expires;
	bool cached_after;		/* ... and after probing (the probes' PTBs make one) */
	uint32_t cached_after_mtu, cached_after_expires;
	bool flushed;
	int nclamps;
	struct pm_clamp clamps[PM_MAX_CLAMPS];
	bool clamps_known;		/* the ruleset could be read */
	int ninput;
	struct pm_input_chain input[PM_MAX_INPUT];
	int clamps_err;
};

enum pm_cause {
	PM_C_CLEAN,		/* the largest size probed gets through */
	PM_C_PTB,		/* a hop limits the path and says so: PMTUD works */
	PM_C_BLACK_HOLE,	/* large probes vanish without a PTB */
	PM_C_LOCAL_FIREWALL,	/* a PTB arrives but this host drops it */
	PM_C_BAD_PTB,		/* a PTB suggested an MTU not below the probe */
	PM_C_UNREACHABLE,	/* even the smallest probe gets no answer */
	PM_C_INCOMPLETE,	/* interrupted or out of time before an answer */
	PM_C_LOCAL_ERROR,	/* cannot probe: no route, no privilege, send fails */
};
const char *pm_cause_name(enum pm_cause c);

struct pm_verdict {
	enum pp_status status;
	enum pm_cause cause;
	struct pp_addr hop;		/* the hop that reports or drops; family 0: none */
	char summary[256];
	char hint[256];
};

struct pm_opts {
	struct pp_cli cli;
	struct pp_addr dst;
	char dst_name[256];
	int family;
	enum pm_proto proto;
	bool proto_auto;
	uint16_t port;			/* UDP / TCP destination port */
	bool port_given;
	unsigned min, max;
	bool min_given, max_given;
	unsigned tries;
	double timeout;			/* seconds per try */
	double deadline;		/* seconds for the whole run; 0: none */
	unsigned max_ttl;
	bool flush;
	bool no_capture;
	bool no_locate;
};

struct pm_model {
	const struct pm_opts *o;
	int family;
	enum pm_proto proto;
	struct pm_local local;
	unsigned min, max;		/* as used, after defaults */
	bool max_limited_by_dev;	/* max is the egress device's (or route's) MTU */
	struct pm_search search;
	bool searched;
	struct pm_ttl ttl;
	bool located;			/* the TTL search ran */
	int nprobes;			/* entries in log (at most PM_MAX_LOG kept) */
	struct pm_probe log[PM_MAX_LOG];
	uint64_t probes_sent;		/* packets sent, every try counted */
	bool interrupted;		/* SIGINT / SIGTERM */
	bool timed_out;			/* --deadline reached */
	bool capture_ok;		/* the wire capture ran */
	char capture_err[160];
	bool ptb_seen;			/* a PTB reached the socket */
	struct pp_addr ptb_hop;
	uint32_t ptb_mtu;
	bool ptb_wire_only;		/* a PTB was on the wire but never reached the socket */
	struct pp_addr wire_hop;
	uint32_t wire_mtu;
	bool bad_ptb;
	struct pp_addr bad_hop;
	uint32_t bad_mtu, bad_size;
	unsigned return_frag;		/* largest first fragment of a reply: a smaller MTU on the way back */
	unsigned return_frag_probe;	/* the probe size whose reply it was */
	bool probe_error;		/* could not probe at all */
	char probe_err[200];
	struct pm_verdict v;
	int nwarn;
	char warn[8][200];
};

/* The verdict from the model (pure). Returns the exit code. */
int pm_eval(struct pm_model *m);
/* The path MTU found (0: none). */
unsigned pm_path_mtu(const struct pm_model *m);
/* The TCP MSS a path MTU allows: mtu - 40 (IPv4) or - 60 (IPv6); 0 for 0. */
unsigned pm_mss(int family, unsigned mtu);
void pm_warn(struct pm_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Rendering. */
void pm_render_text(const struct pm_model *m, FILE *f);
void pm_render_json(const struct pm_model *m, FILE *f);
void pm_render_prom(const struct pm_model *m, FILE *f, bool ok);
/* nagios.c: the --nagios line on stdout; returns its state (the exit code). */
int pm_render_nagios(const struct pm_model *m);

/* Local facts (local.c): route, device MTU, exceptions, MSS clamps. */
void pm_local_collect(struct pm_model *m, bool after);
int pm_local_flush(struct pm_model *m, struct pp_err *e);

/*
 * The prober (probe.c): one socket per run, probes of a given IP size and TTL,
 * answers from the error queue, replies, and the wire capture.
 */
struct pm_prober {
	int family;
	enum pm_proto proto;
	int fd;				/* UDP socket, raw ICMP socket, or raw TCP socket */
	struct pp_addr dst, src;
	uint16_t port, sport, id;
	uint32_t seq;
	unsigned tries;
	double timeout;
	double deadline_at;		/* monotonic seconds; 0: none */
	volatile sig_atomic_t *stop;
	struct pp_pcap cap;
	bool cap_on;
	char cap_dev[IF_NAMESIZE];	/* capture here when a probe first goes unanswered; "" never */
	bool cap_tried;			/* the capture was opened (or tried) */
	int cap_rc;			/* its result, 0 or -errno */
	struct pp_err cap_err;
	uint64_t *sent;
	unsigned hdr;			/* IP + transport header bytes of one probe */
};
int pm_prober_open(struct pm_prober *p, const struct pm_model *m, struct pp_err *e);
void pm_prober_close(struct pm_prober *p);
/* Open the capture on p->cap_dev now (once); the result is kept in cap_rc / cap_err. */
void pm_prober_capture_now(struct pm_prober *p);
/* Send a probe of size bytes (IP packet) with ttl (0: default). Returns 0, -EINTR when stopped, -ETIME past the deadline. */
int pm_probe(struct pm_prober *p, unsigned size, unsigned ttl, struct pm_probe *out);
double pm_now(void);

/*
 * The probe packets and the matching of answers (probe.c; pure, unit-tested).
 * pm_wire_build: the probe of size bytes (IP size) for p's protocol into buf, from
 * the transport header on for raw sockets, the payload for UDP; it carries a magic
 * and p->seq. Returns its length.
 */
struct pp_icmperr;
size_t pm_wire_build(const struct pm_prober *p, uint8_t *buf, unsigned size);
/* Does the payload an ICMP error quoted belong to the probe in flight (p->seq)? */
bool pm_wire_quoted_matches(const struct pm_prober *p, const uint8_t *q, size_t len);
/* An error-queue entry as an answer to the probe in flight; false when it is not one. */
bool pm_wire_from_error(const struct pm_prober *p, const struct pp_icmperr *ie, const uint8_t *q,
			size_t qlen, struct pm_probe *out);
/* A packet read from the probe socket as an answer (echo reply, SYN-ACK, RST, UDP reply). */
bool pm_wire_reply(const struct pm_prober *p, const uint8_t *b, size_t n, const struct pp_addr *src,
		   struct pm_probe *out);
/* Is a PTB seen on the wire about the probe in flight (its size, protocol, port or echo id)? */
bool pm_wire_ptb_matches(const struct pm_prober *p, const struct pp_wire_icmp *w, unsigned size);
/* The size of a captured first fragment (offset 0, more to come) from the destination, or 0. */
unsigned pm_wire_first_fragment(const struct pm_prober *p, const uint8_t *l3, size_t len);

#endif
