/*
 * nfteval.h: evaluate the live nftables ruleset against one packet, the way the
 * kernel's nft VM would, from what libnftnl decodes: registers, payload and meta
 * loads, cmp, bitwise, range, set lookups and verdict maps, ct state, jumps,
 * gotos, returns, accept, drop, reject, nat. A value pathcheck cannot know (an
 * unknown source port, a rate limit) or an expression it does not understand
 * makes the result UNKNOWN, never a guess.
 */
#ifndef PC_NFTEVAL_H
#define PC_NFTEVAL_H

#include <net/if.h>
#include "nft.h"
#include "pathcheck.h"

struct nftnl_rule;

/* The packet as the hook sees it. */
struct pc_pkt {
	int family;			/* AF_INET, AF_INET6 */
	uint32_t hook;			/* NF_INET_* */
	struct pp_addr src, dst;
	bool src_known;
	uint8_t l4proto;
	bool sport_known, dport_known;
	uint16_t sport, dport;
	char iifname[IF_NAMESIZE], oifname[IF_NAMESIZE];	/* "" when the hook has none */
	int iif, oif;
	uint32_t mark;
	bool mark_unknown;		/* an earlier rule set the mark to a value pathcheck cannot know */
	uint32_t ctmark;		/* the flow's ct mark: 0 for a new flow unless a rule set it */
	bool ctmark_unknown;
	bool uid_known;
	uint32_t uid;
	uint32_t ct_state;		/* NF_CT_STATE_BIT: 8 for a new flow */
};

/* Chains and sets fetched from the kernel (nl != NULL) or put in by a test. */
struct pc_nft_cache {
	struct pp_nl *nl;
	struct pc_cached_chain {
		uint32_t family;
		char table[256], name[256];
		struct nftnl_rule **rules;
		size_t n;
		int rc;
	} *chains;
	size_t nchains;
	struct pc_cached_set {
		uint32_t family;
		char table[256];
		struct pp_nft_set set;
		int rc;
	} *sets;
	size_t nsets;
};

/* Take ownership of rules[0..n) (and the array) as the chain's content. */
int pc_nft_cache_add_chain(struct pc_nft_cache *c, uint32_t family, const char *table,
			   const char *chain, struct nftnl_rule **rules, size_t n);
/* Take ownership of set (its elems). */
int pc_nft_cache_add_set(struct pc_nft_cache *c, uint32_t family, const char *table,
			 struct pp_nft_set *set);
void pc_nft_cache_free(struct pc_nft_cache *c);


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
