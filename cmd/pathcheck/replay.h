/*
 * replay.h: --replay FILE: the snapshot's state restored into throw-away network
 * namespaces, the packet sent there for real, and the kernel's outcome set beside the
 * static verdict pathcheck gives from the same snapshot (replay.c); the recorded
 * replies turned into requests (replay_msg.c, pure).
 */
#ifndef PC_REPLAY_H
#define PC_REPLAY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

/*
 * The recorded reply msg (len bytes: RTM_NEWADDR, RTM_NEWROUTE, RTM_NEWRULE,
 * RTM_NEWNEIGH, NFT_MSG_NEWTABLE, NEWCHAIN, NEWSET, NEWSETELEM, NEWRULE, NEWOBJ) as the
 * request that makes the object again, into out (cap bytes): flags NLM_F_REQUEST |
 * NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL (a rule: NLM_F_APPEND instead of EXCL), seq and
 * pid 0, only the attributes a request may carry. An address gets IFA_FLAGS of its
 * recorded flags (kernel states removed) or'ed with ifa_flags_add. Returns the request's
 * length; 0 when the object is not to be made (a cached route: why says so); -EBADMSG
 * for a truncated message or an attribute that does not parse, -EOPNOTSUPP for a kind
 * not replayed (why names it), -ENOSPC.
 */
ssize_t pc_rp_convert(int proto, const void *msg, size_t len, void *out, size_t cap, uint32_t ifa_flags_add,
		      char *why, size_t wl);

/*
 * One expression of a rule (elem: its NFTA_LIST_ELEM, len bytes available) described
 * for a message: an x_tables extension by kind, name and revision ("match icmp
 * (revision 0)"), another expression by its name; "" when it does not parse.
 */
void pc_rp_expr_desc(const void *elem, size_t len, char *buf, size_t bl);

/* What the kernel did with the packet in the replayed namespaces. */
enum pc_rp_outcome {
	PC_RP_NONE = 0,		/* not replayed */
	PC_RP_DELIVERED,	/* taken by a socket of the replayed host (a handshake, a datagram, an echo reply) */
	PC_RP_EGRESS,		/* left the replayed host by a device (seen on its peer) */
	PC_RP_REJECTED,		/* an error came back: RST, ICMP error, the local stack's refusal */
	PC_RP_DROPPED,		/* nothing left and nothing came back */
};

struct pc_replay {
	bool ran;			/* the state was restored and the packet sent */
	char why[512];			/* not ran: what could not be replayed (or the privilege missing) */
	bool no_priv;			/* not ran for a missing privilege */
	enum pc_rp_outcome outcome;
	char device[16];		/* PC_RP_EGRESS: the device it left by */
	char evidence[512];
	int agree;			/* 1 agree, 0 disagree, -1 null (the model could not tell, or no replay) */
	char reason[512];
	char restored[256];		/* "2 links, 3 addresses, ..." */
};

const char *pc_rp_outcome_name(enum pc_rp_outcome o);

struct pc_opts;
struct pc_target;
struct pp_snap;
struct pp_json;
struct pp_prom;

/*
 * Replay each target of t (their static verdicts computed from snap already) in fresh
 * namespaces built from snapshot namespace ns. The snapshot is set aside while the
 * kernel is asked and installed again after. Results in rp[i].
 */
void pc_replay_run(const struct pc_opts *o, struct pp_snap *snap, int ns, struct pc_target *t, size_t n,
		   struct pc_replay *rp);
/* The run's exit with the replays: a disagreement is 1; not replayed and nothing else failing is 3. */
int pc_replay_exit(int rc, const struct pc_replay *rp, size_t n);
void pc_replay_text(const struct pc_replay *rp, FILE *f);
void pc_replay_json(const struct pc_replay *rp, const struct pc_target *t, struct pp_json *j);

#endif
