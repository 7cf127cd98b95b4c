/* rule.h: policy routing rules (RTM_GETRULE), decoded, and matched against a flow as fib_rules_lookup() would. */
#ifndef PP_RULE_H
#define PP_RULE_H

#include <net/if.h>
#include "nl.h"

struct pp_rule {
	int family;
	uint32_t priority;
	uint32_t table;
	uint8_t action;		/* FR_ACT_TO_TBL, FR_ACT_GOTO, FR_ACT_NOP, FR_ACT_BLACKHOLE, ... */
	uint8_t flags;		/* FIB_RULE_INVERT, ... */
	uint8_t tos;
	uint8_t src_len, dst_len;
	struct pp_addr src, dst;
	char iifname[IF_NAMESIZE], oifname[IF_NAMESIZE];
	bool has_mark, has_uid, has_sport, has_dport, l3mdev;
	uint32_t fwmark, fwmask;
	uint32_t uid_start, uid_end;
	uint8_t ipproto;
	uint16_t sport_lo, sport_hi, dport_lo, dport_hi;
	uint32_t goto_target;
	int32_t suppress_prefixlen;	/* -1 when unset */
	uint32_t suppress_ifgroup;	/* UINT32_MAX when unset */
	uint8_t protocol;
};

/* The packet as the rule walk sees it. */
struct pp_rule_flow {
	struct pp_addr src, dst;
	const char *iifname;	/* "lo" for locally generated packets, as the kernel sets it */
	const char *oifname;	/* NULL when unset */
	uint32_t mark, uid;
	uint8_t ipproto, tos;
	uint16_t sport, dport;
};

int pp_rule_decode(const struct nlmsghdr *nlh, struct pp_rule *r);
/*
 * Dump the rules of a family, in the kernel's order (by priority). *rules is
 * malloc'd, owned by the caller (free()). Returns 0 or -errno.
 */
int pp_rule_dump(struct pp_nl *nl, int family, struct pp_rule **rules, size_t *n, struct pp_err *e);
/* Does the rule's selector match the flow (FIB_RULE_INVERT applied)? Pure. */
bool pp_rule_match(const struct pp_rule *r, const struct pp_rule_flow *f);
/* ip-rule(8) form: "100: from all to 203.0.113.0/24 lookup 100". */
const char *pp_rule_format(const struct pp_rule *r, char *buf, size_t len);

#endif
