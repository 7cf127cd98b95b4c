/*
 * ipset.h: one ipset through the ipset netlink protocol (NFNL_SUBSYS_IPSET over
 * NETLINK_NETFILTER): its header (IPSET_CMD_LIST, header only), its name from the
 * kernel index an iptables rule carries (IPSET_CMD_GET_BYINDEX), and whether one
 * key is in it (IPSET_CMD_TEST: the kernel looks the key up, nets, ranges and
 * timeouts included, without listing a single member).
 */
#ifndef PP_IPSET_H
#define PP_IPSET_H

#include "nl.h"

struct pp_xt_set_query;

#define PP_IPSET_NAMELEN 32		/* IPSET_MAXNAMELEN */
#define PP_IPSET_PARTS 3		/* the most parts a set type's key has */

struct pp_ipset_info {
	char name[PP_IPSET_NAMELEN];
	char type[PP_IPSET_NAMELEN];	/* "hash:ip", "hash:net,port", "bitmap:port", ... */
	uint8_t family;			/* NFPROTO_IPV4, NFPROTO_IPV6, NFPROTO_UNSPEC */
	uint8_t revision;
	bool has_elements;
	uint32_t elements;		/* IPSET_ATTR_ELEMENTS, when the kernel says */
};

/* What one part of a set type's key is made of ("hash:ip,port" is IP then PORT). */
enum pp_ipset_part {
	PP_IPSET_P_IP = 1,		/* ip and net alike: an address (the kernel finds its net) */
	PP_IPSET_P_PORT,		/* protocol and port (ICMP: type << 8 | code) */
	PP_IPSET_P_MAC,
	PP_IPSET_P_IFACE,
	PP_IPSET_P_MARK,
};

/* A key to test: parts in the order of the set type's name. */
struct pp_ipset_key {
	unsigned n;
	struct pp_ipset_keypart {
		enum pp_ipset_part kind;
		struct pp_addr addr;
		uint8_t proto;		/* IPPROTO_*; 0: not sent (bitmap:port) */
		uint16_t port;		/* host order */
		uint8_t mac[6];
		char iface[16];
		uint32_t mark;
	} part[PP_IPSET_PARTS];
};

/* The parts of a set type's key into parts[]: their number, or -EOPNOTSUPP (list:set, unknown). */
int pp_ipset_type_parts(const char *type, enum pp_ipset_part parts[PP_IPSET_PARTS]);

/*
 * The key the kernel's set match builds from a packet for set (what -m set
 * --match-set NAME src,dst looks up). Returns 1 with k filled, 0 when the
 * kernel's match cannot be true whatever the members (fewer parts asked than
 * the type has, another family), or -1 with why naming the missing fact.
 */
int pp_ipset_key_for(const struct pp_ipset_info *set, const struct pp_xt_set_query *q,
		     struct pp_ipset_key *k, char *why, size_t whylen);

/* Request builders, into buf of len bytes: the message length, or -EMSGSIZE / -EINVAL. */
int pp_ipset_build_list(void *buf, size_t len, const char *name);
int pp_ipset_build_byindex(void *buf, size_t len, uint16_t index);
int pp_ipset_build_test(void *buf, size_t len, const char *name, uint8_t family,
			const struct pp_ipset_key *k);

/* Decode an IPSET_CMD_LIST reply's header. Returns 0 or -EBADMSG. */
int pp_ipset_decode_list(const struct nlmsghdr *nlh, struct pp_ipset_info *out);
/* Decode an IPSET_CMD_GET_BYINDEX reply: the set's name. Returns 0 or -EBADMSG. */
int pp_ipset_decode_name(const struct nlmsghdr *nlh, char *name, size_t len);
/* The kernel's answer to IPSET_CMD_TEST (0 or its -errno) as 1 in, 0 not in, or -errno. */
int pp_ipset_test_answer(int rc);

/* The header of set name. Returns 0, -ENOENT for no such set, or -errno. */
int pp_ipset_header(struct pp_nl *nl, const char *name, struct pp_ipset_info *out, struct pp_err *e);
/* The name of the set with kernel index index. Returns 0 or -errno (-ENOENT: no such index). */
int pp_ipset_name(struct pp_nl *nl, uint16_t index, char *name, size_t len, struct pp_err *e);
/* Is k in set name (of family)? 1 yes, 0 no, or -errno. */
int pp_ipset_test(struct pp_nl *nl, const char *name, uint8_t family, const struct pp_ipset_key *k,
		  struct pp_err *e);

#endif
