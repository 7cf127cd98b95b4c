/*
 * nftrule.h: the rule being evaluated, shared by the VM (nftvm.c), which decides it,
 * and its text (nftrule.c), which shows it as `nft list ruleset` would for the shapes
 * pathcheck understands. Private to those two files.
 */
#ifndef PC_NFTRULE_H
#define PC_NFTRULE_H

#include <linux/netfilter/nf_tables.h>

#include "nftvm.h"

#define NREG32 20			/* verdict (4) + 16 32-bit registers */

enum { M_YES, M_NO, M_UNKNOWN };

struct regs {
	uint8_t b[NREG32 * 4];
	uint8_t known[NREG32 * 4];
	char desc[NREG32][48];		/* what was loaded at this 32-bit slot, for rule text */
	uint8_t kind[NREG32];		/* how to print a value loaded there */
	uint8_t plen[NREG32];		/* a prefix mask applied to an address there (0: none) */
	uint32_t flags[NREG32];		/* a flag mask applied to ct state there (0: none) */
	char op[NREG32][40];		/* a bitwise applied to a mark there, as nft shows it: " | 0x4000" */
	bool written[NREG32];		/* an expression of this rule stored at this 32-bit slot */
};

enum { K_HEX, K_ADDR4, K_ADDR6, K_PORT, K_PROTO, K_IFNAME, K_CTSTATE, K_U32, K_MARK, K_ICMPTYPE, K_NFPROTO, K_ETHERTYPE, K_ICMP6TYPE, K_FIBOIF, K_LLADDR };

/* Byte offset of a register in the file, or -1. */
static inline int
reg_off(uint32_t reg)
{
	if (reg >= NFT_REG_1 && reg <= NFT_REG_4)
		return (int)(reg * 16);
	if (reg >= NFT_REG32_00 && reg <= NFT_REG32_15)
		return (int)((reg - NFT_REG32_00) * 4 + 16);
	return -1;
}

struct rule_eval {
	const struct pc_pkt *p;
	struct pc_nft_cache *cache;
	const struct pc_nft_fetch *fetch;
	uint32_t family;
	const char *table;
	const char *chain;		/* the rule's chain and handle: where a choice point is */
	uint64_t handle;
	struct pc_nft_result *st;	/* the marks as earlier rules left them; set statements change them */
	char mark_stmt[96];		/* a meta mark set this rule reached */
	struct regs rg;
	int match;			/* M_YES until something says otherwise */
	bool unfollowed;		/* a statement reached changes the packet in a way pathcheck does not follow */
	char why[256];
	char text[256];
	size_t tlen;
	/* verdict of the rule when it matches */
	bool has_verdict;
	int32_t verdict;
	char target[256];
	bool reject;
	bool xt;			/* the rule holds an x_tables match or target (iptables-nft) */
	char nat[256];
	bool dnat, mss_clamp;
	struct pp_addr nat_addr;
	uint16_t nat_port;
	bool vmap;			/* the verdict came from a verdict map */
	bool gte;			/* the last cmp was "x >= a": a "x <= b" joins it into "x a-b" */
	size_t gte_tlen;
	int gte_off;
	char gte_v[80];
};

/* ---- nftrule.c: the rule's text ---- */

void nftr_add(struct rule_eval *re, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A value of kind as nft shows it. */
void nftr_value(uint8_t kind, const uint8_t *v, uint32_t len, char *buf, size_t bl);
/* What a payload load reads, as nft names it ("ip daddr", "tcp dport", "@nh,64,8"), and its kind. */
void nftr_payload_desc(const struct pc_pkt *p, uint32_t base, uint32_t off, uint32_t len, char *d,
		       size_t dl, uint8_t *kind);
/* The register's text marks after a bitwise (a prefix length, a flag mask, a mark operation). */
void nftr_bitwise(struct rule_eval *re, uint32_t dreg, uint8_t kind, const uint8_t *mask,
		  const uint8_t *xor, uint32_t len);
void nftr_cmp(struct rule_eval *re, int off, uint32_t op, const uint8_t *data, uint32_t len);
void nftr_range(struct rule_eval *re, int off, uint32_t op, const uint8_t *from, const uint8_t *to,
		uint32_t len);
void nftr_lookup(struct rule_eval *re, const struct pp_nft_set *s, const char *name, int off, bool inv);
/* What a map's value is named by: its key, "tcp sport map". */
void nftr_map_desc(const struct rule_eval *re, uint32_t sreg, char *desc, size_t dl);
/* "meta mark set ..." for -j MARK (xt_mark_tginfo2) and for meta mark set from sreg. */
void nftr_xt_mark(char *stmt, size_t sl, uint32_t mark, uint32_t mask);
void nftr_meta_mark_set(const struct rule_eval *re, int off, bool known, uint32_t v, char *stmt, size_t sl);
/* A mark statement reached: its text, and re->mark_stmt when the rule has not missed. */
void nftr_mark_stmt(struct rule_eval *re, const char *stmt, uint32_t v, bool known, bool computed);
/* "dnat to 203.0.113.2:8080" into re->nat and the text. */
void nftr_nat(struct rule_eval *re, const char *what, bool has_addr, bool has_port);
/* The verdict, when the rule's text does not show it already. */
void nftr_verdict(struct rule_eval *re);
/* nft's name of a key of expr "meta" or "ct" ("iifkind", "zone"), NULL for one this build does not know. */
const char *nftr_key(const char *expr, uint32_t key);
/* Drop the implicit dependencies nft adds and does not print ("meta l4proto tcp" before "tcp dport"). */
void nftr_tidy(char *t);

#endif
