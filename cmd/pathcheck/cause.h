/*
 * cause.h: why a verdict is what it is, as a fixed code (verdict.cause, verdict.cause_code).
 *
 * Alerts and runbooks route on the cause, so a code is added, never renumbered, never
 * reused: a code that is retired keeps its number and its row in cause.c. The numbers are
 * grouped (1-19 route, 20-39 netfilter, 40-59 socket, 60-69 conntrack, 70-79 neighbour,
 * 80-89 qdisc, tc and devices, 90-99 PMTU, 100-109 the far side, 110-199 drops seen, 200-
 * what could not be decided), and the table in cause.c gives each its meaning, the
 * recommendation, the stations it is found at and the kernel drop reasons it corresponds
 * to. tests/unit/test_pathcheck_cause.c holds the frozen list of code=name pairs.
 */
#ifndef PC_CAUSE_H
#define PC_CAUSE_H

#include <stdbool.h>
#include <stdint.h>

enum pc_cause {
	PC_C_NONE = 0,			/* ok: nothing to explain */
	/* route */
	PC_C_ROUTE_NONE = 1,
	PC_C_ROUTE_BLACKHOLE = 2,
	PC_C_ROUTE_UNREACHABLE = 3,
	PC_C_ROUTE_PROHIBIT = 4,
	PC_C_ROUTE_THROW = 5,
	PC_C_RPF = 6,
	PC_C_MARTIAN_SOURCE = 7,
	PC_C_MARTIAN_DESTINATION = 8,
	PC_C_FORWARDING_DISABLED = 9,
	PC_C_ROUTE_TABLE_FALLTHROUGH = 10,
	PC_C_ROUTE_DEPENDS_ON_SPORT = 11,
	PC_C_ROUTE_DEPENDS_ON_TOS = 12,
	/* netfilter */
	PC_C_NFT_RULE_DROP = 20,
	PC_C_NFT_RULE_REJECT = 21,
	PC_C_NFT_POLICY_DROP = 22,
	PC_C_XT_RULE_DROP = 23,
	PC_C_XT_RULE_REJECT = 24,
	PC_C_XT_POLICY_DROP = 25,
	PC_C_NETFILTER_DROP = 26,
	PC_C_BPF_CGROUP_DROP = 27,
	/* socket */
	PC_C_NO_LISTENER = 40,
	PC_C_LISTENER_LOOPBACK_ONLY = 41,
	PC_C_LISTENER_OTHER_ADDRESS = 42,
	PC_C_LISTENER_OTHER_PROTOCOL = 43,
	PC_C_ACCEPT_QUEUE_FULL = 44,
	PC_C_ICMP_ECHO_IGNORED = 45,
	PC_C_SOURCE_NOT_LOCAL = 46,
	PC_C_SOURCE_DAD_FAILED = 47,
	PC_C_SOURCE_TENTATIVE = 48,
	PC_C_NO_SOURCE_ADDRESS = 49,
	PC_C_PROTOCOL_UNREACHABLE = 50,
	/* conntrack */
	PC_C_CT_TABLE_FULL = 60,
	PC_C_CT_TABLE_NEAR_FULL = 61,
	PC_C_CT_INVALID = 62,
	PC_C_CT_DROPS_RISING = 63,
	/* neighbour */
	PC_C_NEIGH_FAILED = 70,
	PC_C_NEIGH_INCOMPLETE = 71,
	/* qdisc, tc, devices */
	PC_C_QDISC_DROP = 80,
	PC_C_LINK_DOWN = 81,
	PC_C_NO_CARRIER = 82,
	PC_C_DEVICE_DROPS = 83,
	PC_C_XDP_PRESENT = 84,
	PC_C_TC_FILTER_PRESENT = 85,
	PC_C_BRIDGE_PORT_BLOCKED = 86,
	/* PMTU */
	PC_C_MTU_EXCEEDED = 90,
	PC_C_PMTU_BLACK_HOLE = 91,
	/* the far side */
	PC_C_REMOTE_REFUSED = 100,
	PC_C_REMOTE_SILENT = 101,
	PC_C_REMOTE_ICMP_ERROR = 102,
	PC_C_PROBES_LOST = 103,
	/* drops the probe saw */
	PC_C_KERNEL_DROP = 110,
	/* what could not be decided (unknown) */
	PC_C_UNDECIDED_RULE = 200,
	PC_C_UNDECIDED_UPSTREAM = 201,
	PC_C_NOT_READ = 202,
	PC_C_NEEDS_PRIVILEGE = 203,
	PC_C_LEGACY_IPTABLES_UNREAD = 204,
	PC_C_MARK_UNKNOWN = 205,
	PC_C_SPORT_UNKNOWN = 206,
	PC_C_KERNEL_UNSUPPORTED = 207,
	PC_C_PROBE_INCONCLUSIVE = 208,
	PC_C_BRANCHES_OVERFLOW = 209,
	PC_C_BAD_INPUT = 210,
	PC_C_RESOLVE_FAILED = 211,
	PC_C_UNCLASSIFIED = 212,
	PC_C_NOT_FOLLOWED = 213,
	PC_C_LOOPBACK_UNEVALUATED = 214,
	PC_C_MAX = 256,			/* not a code: the table's size */
};

/* The first code of the kinds that say what could not be decided. */
#define PC_C_FIRST_UNDECIDED 200
#define PC_CAUSE_REASONS_MAX 12

struct pc_cause_info {
	const char *name;		/* NULL: no such code */
	const char *meaning;		/* one line */
	const char *recommendation;	/* what to do, one line */
	uint32_t stations;		/* bit per enum pc_station_id where it is found; 0: any */
	/* The kernel drop reasons (skb:kfree_skb's enum, no prefix) it corresponds to, with the
	   drop location after '@' where the reason alone names another station. */
	const char *reasons[PC_CAUSE_REASONS_MAX];
};

extern const struct pc_cause_info pc_causes[PC_C_MAX];

/* The code's name ("NFT_RULE_DROP"), or "UNCLASSIFIED" for a number that is not a code. */
const char *pc_cause_name(enum pc_cause c);
/* The code of a name, or -1. */
int pc_cause_by_name(const char *name);
bool pc_cause_valid(int code);
/* The cause of an unknown that came from a failed read: NEEDS_PRIVILEGE for EPERM/EACCES, else NOT_READ. */
enum pc_cause pc_cause_of_errno(int rc);
/* A code a drop reason alone does not name (the kind of rule, route, listener): only a station's reading gives it. */
bool pc_cause_configured_only(enum pc_cause c);
/*
 * The cause of a drop the kernel reported at a station (enum pc_station_id): keep cur when
 * it lists the reason, else the first cause found at that station that lists it and
 * that a reason alone names, else KERNEL_DROP.
 */
enum pc_cause pc_cause_of_drop(enum pc_cause cur, const char *reason, int station);

#endif
