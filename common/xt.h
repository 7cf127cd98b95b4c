/*
 * xt.h: x_tables `match` and `target` expressions as iptables-nft writes them
 * (NFTNL_EXPR_MT_NAME/_REV/_INFO, NFTNL_EXPR_TG_NAME/_REV/_INFO): the info blob
 * decoded per name, revision and family from the kernel's uapi structs, shown as
 * iptables-save shows it, and judged against the facts known of one packet.
 *
 * Pure: nothing here reads the kernel. What a match needs that the packet view
 * does not carry (an ipset's members) is asked of the caller through a callback.
 * The uapi headers stay inside xt.c (several of them clash with <net/if.h>), so
 * this header carries the decoded blob as bytes and plain fields.
 */
#ifndef PP_XT_H
#define PP_XT_H

#include "pp.h"

#define PP_XT_NAME_MAX 29		/* XT_EXTENSION_MAXNAMELEN */
#define PP_XT_INFO_MAX 512		/* the largest blob we decode (hashlimit rev 3: 312) */
#define PP_XT_IFNAMSIZ 16

enum pp_xt_result {
	PP_XT_NOMATCH = 0,
	PP_XT_MATCH,
	PP_XT_UNKNOWN,		/* the facts do not decide it; why says what is missing */
	PP_XT_BRANCH,		/* the kernel picks at random or by count: pp_xt_match_branch() */
};

/* The matches this module knows. */
enum pp_xt_mkind {
	PP_XT_M_ADDRTYPE = 1, PP_XT_M_CONNTRACK, PP_XT_M_STATE, PP_XT_M_COMMENT,
	PP_XT_M_MULTIPORT, PP_XT_M_TCP, PP_XT_M_UDP, PP_XT_M_ICMP, PP_XT_M_ICMP6,
	PP_XT_M_MARK, PP_XT_M_CONNMARK, PP_XT_M_IPRANGE, PP_XT_M_MAC, PP_XT_M_PHYSDEV,
	PP_XT_M_SET, PP_XT_M_OWNER, PP_XT_M_SOCKET, PP_XT_M_STATISTIC, PP_XT_M_LIMIT,
	PP_XT_M_HASHLIMIT, PP_XT_M_CONNLIMIT, PP_XT_M_RECENT, PP_XT_M_RT, PP_XT_M_SCTP,
};

/*
 * A decoded match. info holds the blob as the kernel's struct for (name, rev),
 * zero-padded; conntrack rev 1 and 2 are widened to rev 3's struct, set rev
 * 1-3 to rev 4's and hashlimit rev 2 to rev 3's, so the text and the evaluator
 * read one layout per extension (hashlimit rev 1 keeps its own).
 */
struct pp_xt_match {
	enum pp_xt_mkind kind;
	char name[PP_XT_NAME_MAX];
	uint8_t rev;
	uint8_t family;			/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	uint32_t len;			/* bytes of the original blob */
	char set_name[32];		/* -m set: the caller fills it from IPSET_CMD_LIST (text shows #INDEX without) */
	uint8_t info[PP_XT_INFO_MAX] __attribute__((aligned(8)));
};

/*
 * The facts known of one packet at one hook. Every group has its own "known"
 * flag; a match that needs a fact that is not known answers PP_XT_UNKNOWN.
 */
struct pp_xt_set_query;
struct pp_xt_pkt {
	uint8_t family;			/* NFPROTO_IPV4 or NFPROTO_IPV6 */
	bool addr_known;
	struct pp_addr src, dst;
	bool l4_known;
	uint8_t l4proto;		/* IPPROTO_* */
	bool sport_known, dport_known;
	uint16_t sport, dport;		/* host order */
	bool tcp_flags_known;
	uint8_t tcp_flags;		/* TCPHDR FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ... */
	bool icmp_known;
	uint8_t icmp_type, icmp_code;
	bool iif_known, oif_known;
	char iif[PP_XT_IFNAMSIZ], oif[PP_XT_IFNAMSIZ];
	bool mark_known;
	uint32_t mark;
	bool ctmark_known;
	uint32_t ctmark;
	bool ctstate_known;
	uint32_t ctstate;		/* as nftables' ct state: invalid 1, established 2, related 4, new 8, untracked 64 */
	bool ctdir_known;
	uint8_t ctdir;			/* IP_CT_DIR_ORIGINAL or IP_CT_DIR_REPLY */
	bool ctstatus_known;
	uint32_t ctstatus;		/* IPS_* bits */
	bool cttuple_known;		/* the entry's tuples, as conntrack -L shows them */
	bool ct_sport_unknown;		/* ... but the flow's source port (ct_orig.sport, ct_reply.dport) is not known */
	uint8_t ct_l4proto;
	struct pp_xt_ct_tuple {
		struct pp_addr src, dst;
		uint16_t sport, dport;	/* host order */
	} ct_orig, ct_reply;
	bool ctexpires_known;
	uint32_t ctexpires;		/* seconds the entry has left */
	bool addrtype_known;		/* types of src and dst in the kernel's tables (no limit-iface) */
	uint16_t src_type, dst_type;	/* bitmask 1 << RTN_* (RTN_LOCAL, RTN_UNICAST, ...) */
	bool smac_known;
	uint8_t smac[6];
	bool phys_known;		/* bridged tells whether the packet crosses a bridge at all */
	bool bridged;
	char physin[PP_XT_IFNAMSIZ], physout[PP_XT_IFNAMSIZ];	/* "" when none */
	bool owner_known;		/* a local socket and its credentials (OUTPUT, POSTROUTING) */
	bool has_sk;
	uint32_t uid, gid;
	bool socket_known;		/* whether a local socket matches the packet (-m socket) */
	bool socket;
	/*
	 * ipset membership: 1 member, 0 not, negative unknown (why says what).
	 * NULL: every -m set is unknown.
	 */
	int (*set_test)(const struct pp_xt_set_query *q, void *ctx, char *why, size_t whylen);
	void *set_ctx;
};

/* What -m set asks: is the packet's key (dim parts, each src or dst) in set index. */
struct pp_xt_set_query {
	uint16_t index;			/* the kernel's ipset index (IPSET_CMD_LIST gives names) */
	uint8_t dim;			/* 1..6 key parts */
	uint8_t srcdst;			/* bit i-1 set: part i is the source, else destination */
	const struct pp_xt_pkt *pkt;
};

/* -m statistic: what the kernel decides per packet. */
struct pp_xt_branch {
	bool nth;			/* --mode nth (a counter) rather than --mode random */
	double p_match;			/* probability that the match matches (inversion applied) */
	uint32_t every, packet;		/* --mode nth */
};

/*
 * Decode a match blob. Returns 0; -EBADMSG when the blob is shorter than that
 * revision's struct (err names it); -EOPNOTSUPP for a name, revision or family
 * not known here (err: "unknown extension NAME rev N").
 */
int pp_xt_match_decode(const char *name, uint32_t rev, uint8_t family, const void *info,
		       size_t len, struct pp_xt_match *m, char *err, size_t errlen);
/* The match as iptables-save shows it ("-m addrtype --dst-type LOCAL"). Returns the length. */
int pp_xt_match_text(const struct pp_xt_match *m, char *buf, size_t len);
/* Judge the match on the packet; why gets the reason for UNKNOWN (and BRANCH). */
enum pp_xt_result pp_xt_match_eval(const struct pp_xt_match *m, const struct pp_xt_pkt *p,
				   char *why, size_t whylen);
/* For a statistic match: the branch the kernel takes. false for any other match. */
bool pp_xt_match_branch(const struct pp_xt_match *m, struct pp_xt_branch *b);
/* The index of the ipset a set match names, or -1 for another match. */
int pp_xt_match_set_index(const struct pp_xt_match *m);

/* Targets. */
enum pp_xt_tkind {
	PP_XT_T_STANDARD = 1, PP_XT_T_DNAT, PP_XT_T_SNAT, PP_XT_T_MASQUERADE, PP_XT_T_REDIRECT,
	PP_XT_T_REJECT, PP_XT_T_MARK, PP_XT_T_CONNMARK, PP_XT_T_CT, PP_XT_T_TCPMSS, PP_XT_T_LOG,
	PP_XT_T_NFLOG, PP_XT_T_CHECKSUM,
};

/* What the rule does to the packet when its target runs; the caller applies it. */
enum pp_xt_verdict {
	PP_XT_V_CONTINUE = 0,		/* XT_CONTINUE: on to the next rule */
	PP_XT_V_ACCEPT, PP_XT_V_DROP,
	PP_XT_V_RETURN,			/* XT_RETURN */
	PP_XT_V_JUMP,			/* a legacy standard target's offset: not followed here */
};
struct pp_xt_action {
	enum pp_xt_verdict verdict;
	bool reject;			/* REJECT: dropped with reject_type sent back */
	uint32_t reject_with;		/* enum ipt_reject_with or ip6t_reject_with, by family */
	bool nat;			/* DNAT, SNAT, MASQUERADE, REDIRECT */
	struct {
		uint32_t flags;		/* NF_NAT_RANGE_* */
		struct pp_addr min, max;	/* when flags & NF_NAT_RANGE_MAP_IPS */
		uint16_t min_port, max_port;	/* host order, when NF_NAT_RANGE_PROTO_SPECIFIED */
		uint16_t base_port;	/* rev 2, NF_NAT_RANGE_PROTO_OFFSET */
	} nat_range;
	bool set_mark;			/* mark = (mark & ~mark_mask) ^ mark_value (xt_mark_tginfo2) */
	uint32_t mark_value, mark_mask;
	bool connmark;
	uint8_t connmark_mode;		/* XT_CONNMARK_SET, _SAVE, _RESTORE */
	uint32_t ctmark, ctmask, nfmask;
	uint8_t shift_dir, shift_bits;	/* rev 2 */
	bool notrack;			/* CT --notrack */
};
struct pp_xt_target {
	enum pp_xt_tkind kind;
	char name[PP_XT_NAME_MAX];
	uint8_t rev;
	uint8_t family;
	uint32_t len;
	struct pp_xt_action act;
	uint8_t info[PP_XT_INFO_MAX] __attribute__((aligned(8)));
};

/* Decode a target blob; returns as pp_xt_match_decode(). */
int pp_xt_target_decode(const char *name, uint32_t rev, uint8_t family, const void *info,
			size_t len, struct pp_xt_target *t, char *err, size_t errlen);
/*
 * The target as iptables-save shows it ("-j DNAT --to-destination 198.51.100.2:80");
 * empty for a legacy standard target's jump offset (a rule without -j).
 */
int pp_xt_target_text(const struct pp_xt_target *t, char *buf, size_t len);

/* The packet's mark after a MARK action (xt_mark_tginfo2: (mark & ~mask) ^ value); others leave it. */
uint32_t pp_xt_mark_apply(const struct pp_xt_action *a, uint32_t mark);
/*
 * A CONNMARK action on the packet's mark and its connection's mark, as the
 * kernel's connmark_tg_shift() does (set, save, restore, with rev 2's shift).
 * Only for a packet with a conntrack entry: without one the kernel does nothing.
 */
void pp_xt_connmark_apply(const struct pp_xt_action *a, uint32_t *mark, uint32_t *ctmark);

#endif
