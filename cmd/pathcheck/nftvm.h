/*
 * nftvm.h: the nft VM on its own. It evaluates a base chain against one packet the
 * way the kernel's nft_do_chain would, from what libnftnl decodes, and does no I/O:
 * the chains and sets it reads come from a cache, and what the cache lacks it asks
 * for through a fetch callback (the glue in st_netfilter.c reads it from the kernel).
 */
#ifndef PC_NFTVM_H
#define PC_NFTVM_H

#include <net/if.h>
#include "nft.h"
#include "pathcheck.h"

struct nftnl_rule;
struct pp_nl;
struct pp_xt_set_query;

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
	bool ct_reply;			/* the packet goes the flow's reply way (ct direction reply) */
	/*
	 * The new flow's conntrack entry, where its tuples are settled (forward: after
	 * prerouting's DNAT, before postrouting's SNAT): original src:sport -> ct_orig_dst:
	 * ct_orig_dport, reply dst:dport -> src:sport.
	 */
	bool ct_tuple_known;
	struct pp_addr ct_orig_dst;
	uint16_t ct_orig_dport;
	struct pc_choices *choices;	/* NULL: a numgen's value is not known (the rule is undecided) */
	bool addrtype_known;		/* the types the kernel's tables give src and dst (-m addrtype) */
	uint16_t src_type, dst_type;	/* 1 << RTN_* (RTN_LOCAL, RTN_UNICAST, ...) */
	/*
	 * fib saddr . iif oif (firewalld's and rpfilter's reverse path check): the
	 * device the kernel's route back to src leaves by, when it is iif (0: missing),
	 * looked up with the mark rpf_mark. rpf_known false: no lookup was made.
	 */
	bool rpf_known;
	int rpf_oif;
	uint32_t rpf_mark;
	/* ct status of the new flow (IPS_*): the low byte is known when ct_status_known. */
	bool ct_status_known;
	uint32_t ct_status;
	/*
	 * A frame on a bridge. bridge_family: a bridge-family chain sees it (meta nfproto
	 * bridge, the link-layer header's ether type). ibrname, obrname: the bridge of the
	 * port the frame came in by and goes out by ("" when that device is no port: the
	 * bridge itself sends a frame the host routes out by it). The link-layer addresses
	 * where they are known. phys_known: br_netfilter names the ports to -m physdev
	 * (bridged, physin, physout).
	 */
	bool bridge_family;
	char ibrname[IF_NAMESIZE], obrname[IF_NAMESIZE];
	bool ll_src_known, ll_dst_known;
	uint8_t ll_src[6], ll_dst[6];
	bool phys_known, bridged;
	char physin[IF_NAMESIZE], physout[IF_NAMESIZE];
};

/* Chains and sets fetched from the kernel (nl != NULL) or put in by a test. */
struct pc_nft_cache {
	struct pp_nl *nl;		/* the glue's: the VM never reads it */
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
		/*
		 * by_key: the definition only; each key is asked of the kernel (fetch->elem)
		 * and its answer kept in answers[] (rc 0: in the set, el; -ENOENT: not).
		 */
		bool by_key;
		struct pc_set_answer {
			uint8_t key[PP_NFT_KEY_MAX];
			uint32_t klen;
			int rc;
			struct pp_nft_elem el;
		} *answers;
		size_t nanswers;
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
 * What the VM asks for when the cache has no chain or set of that name; the answer
 * is cached, a failure too. rules fills cc->rules and cc->n; set fills *set. Each
 * returns 0 or -errno. With no fetch, a chain or set not in the cache is -ENOENT.
 */
struct pc_nft_fetch {
	int (*rules)(struct pc_nft_cache *c, struct pc_cached_chain *cc);
	int (*set)(struct pc_nft_cache *c, uint32_t family, const char *table, const char *name,
		   struct pp_nft_set *set);
	/*
	 * Optional, all three or none: a named set is then read as its definition alone
	 * (set_def) and each key the VM looks up is asked of the kernel (elem: 0 and *out
	 * when found, -ENOENT when not, -EOPNOTSUPP or -EPROTO when the kernel cannot
	 * answer one key, and then the VM reads every element once with elems).
	 * Anonymous sets are read whole by set.
	 */
	int (*set_def)(struct pc_nft_cache *c, uint32_t family, const char *table, const char *name,
		       struct pp_nft_set *set);
	int (*elem)(struct pc_nft_cache *c, uint32_t family, const char *table, const struct pp_nft_set *set,
		    const uint8_t *key, uint32_t klen, struct pp_nft_elem *out);
	int (*elems)(struct pc_nft_cache *c, uint32_t family, const char *table, struct pp_nft_set *set);
	/*
	 * Optional, -m set (iptables-nft's ipset match): the name of the ipset of a kernel
	 * index (0 or -errno), and whether the packet's key is in it, asked of the kernel
	 * (IPSET_CMD_TEST): 1 in, 0 not (or never: the match's dimensions or family), -1
	 * unknown with why naming what could not be formed or asked.
	 */
	int (*ipset_name)(struct pc_nft_cache *c, uint16_t index, char *name, size_t len);
	int (*ipset_test)(struct pc_nft_cache *c, const char *name, const struct pp_xt_set_query *q,
			  char *why, size_t whylen);
};

/*
 * Evaluate base chain against p: r gets the verdict, the deciding rule, the path, the
 * nat and the marks as the chain leaves them. r->reroute is left false (the glue
 * judges it). Returns 0.
 */
int pc_nftvm_eval_base(struct pc_nft_cache *c, const struct pc_nft_fetch *fetch,
		       const struct pp_nft_chain *base, const struct pc_pkt *p, struct pc_nft_result *r);

/* The i-th name of the expressions the VM evaluates (sorted), NULL past the last. */
const char *pc_nftvm_expr_name(size_t i);

#endif
