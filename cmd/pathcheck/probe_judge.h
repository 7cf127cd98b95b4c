/*
 * probe_judge.h: what a probe saw, recorded in order with times, and the pure
 * decision made from that record. probe.c records, probe_judge.c decides; a unit
 * test replays a record without a socket.
 */
#ifndef PC_PROBE_JUDGE_H
#define PC_PROBE_JUDGE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "pp.h"
#include "icmperr.h"

enum pc_obs_kind {
	PC_OBS_CONNECT,		/* connect(): rc, err */
	PC_OBS_SEND,		/* send(): rc, err */
	PC_OBS_POLL,		/* poll() on the probe socket: flags = revents */
	PC_OBS_SOERROR,		/* getsockopt(SO_ERROR): err = its value (rc < 0: the call failed) */
	PC_OBS_ERRQ,		/* one error-queue entry: icmp (origin, offender, type, code) */
	PC_OBS_PEERNAME,	/* getpeername(): rc, err */
	PC_OBS_RECV,		/* recv(): rc = bytes or -1, err; flags PC_RECV_OURS when the answer is ours */
	PC_OBS_WIRE_OUT,	/* a packet of the flow captured leaving */
	PC_OBS_WIRE_IN,		/* a packet of the flow captured arriving: flags PC_WIRE_* */
	PC_OBS_TIMEOUT,		/* the probe's deadline passed */
	PC_OBS_STOP,		/* a signal stopped the probe */
};

#define PC_RECV_OURS		0x1
#define PC_WIRE_SYNACK		0x1
#define PC_WIRE_RST		0x2
#define PC_WIRE_ICMPERR		0x4	/* an ICMP error quoting a packet of the flow */
#define PC_WIRE_ECHOREPLY	0x8
#define PC_WIRE_DATA		0x10	/* a UDP datagram from the destination's port */

struct pc_obs_ev {
	double t;			/* seconds since the probe started */
	enum pc_obs_kind kind;
	int rc, err;
	unsigned flags;
	struct pp_icmperr icmp;		/* PC_OBS_ERRQ */
};

#define PC_OBS_MAX 64

struct pc_obs {
	int family;
	uint8_t proto;			/* IPPROTO_TCP, _UDP, _ICMP, _ICMPV6 */
	struct pp_addr dst, src;	/* src: the socket's own address (getsockname), family 0 if unknown */
	bool wire;			/* a capture ran on wire_dev */
	size_t n;
	unsigned overflow;		/* events not recorded (the record was full) */
	struct pc_obs_ev ev[PC_OBS_MAX];
};

/* The outcome decided from a record. outcome uses enum pc_probe_outcome's values. */
struct pc_judgement {
	int outcome;
	int err;			/* errno the socket reported, 0 if none */
	double rtt;			/* seconds to the deciding event (0 for silence) */
	double t_decided;		/* when the decisive answer came; drops after it do not overturn it */
	bool decisive;			/* refused, ICMP error, connected, reply: an answer came */
	bool has_icmp;
	struct pp_icmperr icmp;		/* the error-queue entry that decided */
	bool local_unreach;		/* the kernel failed the flow itself (a next hop that did not resolve) */
	const char *basis;		/* the evidence: "wire+socket", "wire", "socket", "error queue", ... */
	char disagree[200];		/* "" or where the wire and the socket disagree */
};

/* Record one event (drops it, counting overflow, when full). */
struct pc_obs_ev *pc_obs_add(struct pc_obs *o, double t, enum pc_obs_kind kind, int rc, int err, unsigned flags);
/* Decide from the record alone. */
void pc_probe_judge(const struct pc_obs *o, struct pc_judgement *j);
const char *pc_obs_kind_name(enum pc_obs_kind k);
/* A drop at t (seconds since the probe started) came after the decisive answer: it cannot overturn it. */
bool pc_drop_after_answer(const struct pc_judgement *j, double t);

/*
 * Drops seen arriving on the captured device, and the flow's packets the capture saw
 * arrive there: each arrival vouches for one drop, the one nearest to it in time that
 * lies within window_ns and has its length (skb->len and the length on the wire from
 * the network header; 0 is not known and matches; a tag of 4 or 8 bytes the tap skips
 * is allowed). Sets ok[k] for the drops vouched for. Pure.
 */
struct pc_wire_seen { uint64_t t; uint32_t len; };	/* CLOCK_MONOTONIC ns; 0: length not known */
void pc_wire_vouch(const struct pc_wire_seen *arrived, size_t narr, const struct pc_wire_seen *dropped, size_t ndrop,
		   uint64_t window_ns, bool *ok);

#endif
