/*
 * nft.h: the live nftables ruleset through libnftnl (no parsing of nft(8) text):
 * base chains with their hook, priority and policy, and the rules of one chain.
 */
#ifndef PP_NFT_H
#define PP_NFT_H

#include <net/if.h>
#include "nl.h"

struct nftnl_rule;

struct pp_nft_chain {
	uint32_t family;		/* NFPROTO_IPV4 (ip), NFPROTO_IPV6, NFPROTO_INET, NFPROTO_BRIDGE, ... */
	char table[256];
	char name[256];
	bool base;			/* has a hook */
	uint32_t hooknum;		/* NF_INET_* */
	int32_t prio;
	uint32_t policy;		/* NF_ACCEPT or NF_DROP */
	char type[16];			/* filter, nat, route */
	char dev[IF_NAMESIZE];		/* netdev family */
	uint64_t handle;
	uint32_t use;
};

typedef int (*pp_nft_chain_cb)(const struct pp_nft_chain *c, void *data);
/* Every chain of family (NFPROTO_UNSPEC: all). Needs a NETLINK_NETFILTER socket. */
int pp_nft_chain_dump(struct pp_nl *nl, uint32_t family, pp_nft_chain_cb cb, void *data,
		      struct pp_err *e);
/*
 * The same dump, only the base chains handed to cb: the others' attributes are checked but
 * not decoded (a kube-proxy host has 40,000 chains, a handful of them base chains).
 */
int pp_nft_base_chain_dump(struct pp_nl *nl, uint32_t family, pp_nft_chain_cb cb, void *data,
			   struct pp_err *e);
/* Whether an NFT_MSG_NEWCHAIN message is a base chain's (it has a hook): 1, 0, or -EBADMSG. */
int pp_nft_chain_msg_is_base(const struct nlmsghdr *nlh);
/* Decode one NFT_MSG_NEWCHAIN message. Returns 0 or -EBADMSG. */
int pp_nft_chain_decode(const struct nlmsghdr *nlh, struct pp_nft_chain *c);

/* One chain by table and name: NFT_MSG_GETCHAIN without NLM_F_DUMP. Returns 0 or -errno (-ENOENT: none). */
int pp_nft_chain_get(struct pp_nl *nl, uint32_t family, const char *table, const char *name,
		     struct pp_nft_chain *c, struct pp_err *e);

/* An nftables base chain as a netfilter hook's entry names it (nfnetlink_hook). */
struct pp_nft_hook_entry {
	uint32_t family;		/* the chain's table's: NFPROTO_INET on the IPv4 and IPv6 lists */
	char table[256];
	char name[256];
	int32_t prio;
};
/*
 * Decode one NFNL_MSG_HOOK_GET reply. Returns 1 and *h filled for an nftables base
 * chain, 0 for another hook (conntrack, x_tables, bpf, ...), -EOPNOTSUPP for an
 * nftables entry without its chain's family (5.13's layout), -EBADMSG.
 */
int pp_nft_hook_decode(const struct nlmsghdr *nlh, struct pp_nft_hook_entry *h);
/*
 * The nftables base chains on one netfilter hook of one protocol family, the way
 * `nft list hooks` finds them (NFNL_MSG_HOOK_GET dump: the kernel walks that hook's
 * entries, not the ruleset), each then read with one NFT_MSG_GETCHAIN: the cost does
 * not grow with the ruleset's regular chains. pf NFPROTO_IPV4 or NFPROTO_IPV6 (their
 * lists hold the inet family's chains too), NFPROTO_BRIDGE, NFPROTO_ARP. A chain of a
 * dormant table is on no hook. Returns 0, or -errno: a kernel without nfnetlink_hook
 * (before 5.14) or an entry without its chain's family is -EOPNOTSUPP (dump every
 * chain instead); a chain gone between the two reads is -EAGAIN.
 */
int pp_nft_hook_chains(struct pp_nl *nl, uint32_t pf, uint32_t hooknum, pp_nft_chain_cb cb, void *data,
		       struct pp_err *e);

/*
 * A rule as libnftnl parsed it. Return 0 and the rule is freed after the call,
 * PP_NFT_KEEP and the callback owns it (nftnl_rule_free), or -errno to stop.
 */
#define PP_NFT_KEEP 1
typedef int (*pp_nft_rule_cb)(struct nftnl_rule *r, void *data);
/* The rules of one chain, in order (filtered by the kernel). */
int pp_nft_rule_dump(struct pp_nl *nl, uint32_t family, const char *table, const char *chain,
		     pp_nft_rule_cb cb, void *data, struct pp_err *e);

/* A set's definition and its elements (NFT_MSG_GETSET, NFT_MSG_GETSETELEM). */
#define PP_NFT_KEY_MAX 64
struct pp_nft_elem {
	uint8_t key[PP_NFT_KEY_MAX], key_end[PP_NFT_KEY_MAX];
	uint32_t key_len, key_end_len;
	uint32_t flags;			/* NFT_SET_ELEM_INTERVAL_END */
	int32_t verdict;		/* for verdict maps; chain in chain[] for jump/goto */
	bool has_verdict;
	char chain[256];
	uint8_t data[PP_NFT_KEY_MAX];	/* a map's value: up to the whole register file */
	uint32_t data_len;
};
struct pp_nft_set {
	char name[256];
	uint32_t flags;			/* NFT_SET_INTERVAL, NFT_SET_MAP, NFT_SET_ANONYMOUS, ... */
	uint32_t key_len, data_len, data_type;
	uint8_t field_len[16];		/* a concatenation's fields (NFTA_SET_DESC_CONCAT), each padded to 4 in the key */
	uint32_t nfields;		/* 0: one field of key_len */
	struct pp_nft_elem *elems;	/* malloc'd, owned: free() */
	size_t nelems;
};
/* Fetch set name of table (definition and elements). Returns 0 or -errno. */
int pp_nft_set_get(struct pp_nl *nl, uint32_t family, const char *table, const char *name,
		   struct pp_nft_set *set, struct pp_err *e);
/*
 * The definition alone: one NFT_MSG_GETSET request for that set (no dump, no elements;
 * set->elems NULL). Returns 0 or -errno (-ENOENT: no such set).
 */
int pp_nft_set_def_get(struct pp_nl *nl, uint32_t family, const char *table, const char *name,
		       struct pp_nft_set *set, struct pp_err *e);
/* Every element of a set whose definition is in *set, by a dump (set->elems replaced). */
int pp_nft_set_elems_dump(struct pp_nl *nl, uint32_t family, const char *table,
			  struct pp_nft_set *set, struct pp_err *e);

/*
 * One element by key, the way `nft get element` asks: NFT_MSG_GETSETELEM without
 * NLM_F_DUMP, the key in NFTA_SET_ELEM_LIST_ELEMENTS; the kernel's own set backend
 * finds it (nft_setelem_get: hash, bitmap, rbtree, pipapo), so an interval set answers
 * the range that contains the key (its start, and key_end for a concatenation of
 * ranges) and a map its value. Returns 0 with *out filled (the key asked when the
 * reply carries none), -ENOENT when the key is not in the set (a decided answer),
 * -EOPNOTSUPP when this kernel cannot answer one element (before 4.20), -EPROTO for a
 * reply without the element, or another -errno.
 */
int pp_nft_setelem_get(struct pp_nl *nl, uint32_t family, const char *table, const char *set,
		       const uint8_t *key, uint32_t klen, struct pp_nft_elem *out, struct pp_err *e);
/* The request of pp_nft_setelem_get into buf (at least 512 + klen bytes); NULL when it does not fit. */
struct nlmsghdr *pp_nft_setelem_get_build(void *buf, size_t len, uint32_t family, const char *table,
					  const char *set, const uint8_t *key, uint32_t klen);
/*
 * Decode one NFT_MSG_NEWSETELEM message: up to max elements into out, their number in
 * *n (elements past max are counted, not stored). Unknown attributes are skipped; a
 * truncated or wrongly sized attribute, a key longer than PP_NFT_KEY_MAX or a value
 * longer than the element's data is -EBADMSG. Returns 0 or -EBADMSG.
 */
int pp_nft_setelem_decode(const struct nlmsghdr *nlh, struct pp_nft_elem *out, size_t max, size_t *n);

/*
 * The ruleset's generation (NFT_MSG_GETGEN, NFTA_GEN_ID): it changes with every
 * committed change, so what was read at one generation is still right while it is
 * the same. Returns 0 or -errno.
 */
int pp_nft_gen_get(struct pp_nl *nl, uint32_t *gen, struct pp_err *e);
/* Decode NFT_MSG_NEWGEN. Returns 0 or -EBADMSG (no NFTA_GEN_ID of 4 bytes). */
int pp_nft_gen_decode(const struct nlmsghdr *nlh, uint32_t *gen);

const char *pp_nft_family_name(uint32_t family);
const char *pp_nft_hook_name(uint32_t family, uint32_t hooknum);

/*
 * Legacy (non-nft) iptables tables loaded in this namespace, from
 * /proc/net/ip_tables_names or ip6_tables_names: names joined with ',' into buf.
 * Returns how many, 0 when none or the module is not loaded.
 */
int pp_legacy_iptables(int family, char *buf, size_t len);

#endif
