/*
 * st_netfilter.h: the netfilter station, and its glue that evaluates the live nftables ruleset against one packet, the way the
 * kernel's nft VM would, from what libnftnl decodes: registers, payload and meta
 * loads, cmp, bitwise, range, set lookups and verdict maps, ct state, jumps,
 * gotos, returns, accept, drop, reject, nat. A value pathcheck cannot know (an
 * unknown source port, a rate limit) or an expression it does not understand
 * makes the result UNKNOWN, never a guess. The VM itself is nftvm.h (struct pc_pkt,
 * struct pc_nft_cache); this is its glue to the kernel and to the query.
 */
#ifndef PC_ST_NETFILTER_H
#define PC_ST_NETFILTER_H

#include "nftvm.h"

/*
 * Evaluate base chain against p. Returns 0, or -errno when the rules could not be read.
 * r->mark and r->ctmark are the marks as the chain leaves them (meta mark set, ct mark
 * set, in rule order); r->reroute says the kernel routes the packet again after this
 * chain: a chain of type route at output that changed the mark (nft_chain_route.c), or
 * a nat chain at output whose dnat changed the destination (nf_nat_ipv4_local_fn).
 */
int pc_nft_eval_base(struct pc_nft_cache *c, const struct pp_nft_chain *base,
		     const struct pc_pkt *p, struct pc_nft_result *r);

/* Build the packet a hook sees for the query (uses the route for the source and devices). */
void pc_pkt_for_hook(const struct pc_query *q, const struct pc_facts *f, uint32_t hook,
		     struct pc_pkt *p);
/*
 * Fetch the base chains on the hooks of q's direction that are in hooks (a bit per
 * NF_INET_* hook), evaluate each, and append them to f->chains.
 */
void pc_nft_collect(const struct pc_query *q, struct pc_facts *f, uint32_t hooks);
/* The rule flow of q, as the policy-routing walk sees it (collect.c). */
void pc_rule_flow(const struct pc_query *q, struct pp_rule_flow *rf);

#endif
