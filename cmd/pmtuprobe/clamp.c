/*
 * clamp.c: recognise a TCP MSS clamp in an nftables rule (pure: works on a
 * libnftnl rule object, no I/O).
 *
 * `tcp option maxseg size set 1400` compiles to an immediate expression loading
 * 1400 (2 bytes, network order) into a register, then an exthdr expression with
 * op TCPOPT, type 2 (maximum segment size) and a source register: the write.
 * `tcp option maxseg size set rt mtu` loads the register with an rt expression
 * (key NFT_RT_TCPMSS) instead. An exthdr that only reads the option has a
 * destination register and no source register.
 */
#include <stdio.h>
#include <netinet/in.h>
#include <string.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "pmtuprobe.h"

#define TCPOPT_MSS 2
#define NREGS 32

/* Register numbers: NFT_REG_1..4 (16-byte) and NFT_REG32_00.. (4-byte) share one space here. */
static int
reg_index(uint32_t reg)
{
	if (reg >= NFT_REG32_00)
		return (int)(reg - NFT_REG32_00) / 4 + 1 < NREGS ? (int)(reg - NFT_REG32_00) / 4 + 1 : -1;
	return reg < NREGS ? (int)reg : -1;
}

int
pm_clamp_from_rule(struct nftnl_rule *r, struct pm_clamp *out)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	uint32_t val[NREGS] = { 0 };
	bool rt[NREGS] = { false };
	int found = 0;

	memset(out, 0, sizeof(*out));
	it = nftnl_expr_iter_create(r);
	if (!it)
		return -1;
	while ((e = nftnl_expr_iter_next(it)) != NULL) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);
		int ri;

		if (!name)
			continue;
		if (strcmp(name, "immediate") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_IMM_DATA) &&
		    nftnl_expr_is_set(e, NFTNL_EXPR_IMM_DREG)) {
			uint32_t len = 0;
			const uint8_t *d = nftnl_expr_get(e, NFTNL_EXPR_IMM_DATA, &len);

			ri = reg_index(nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_DREG));
			if (ri < 0 || !d)
				continue;
			val[ri] = len >= 2 ? (uint32_t)(d[0] << 8 | d[1]) : len == 1 ? d[0] : 0;
			rt[ri] = false;
		} else if (strcmp(name, "rt") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_RT_DREG)) {
			ri = reg_index(nftnl_expr_get_u32(e, NFTNL_EXPR_RT_DREG));
			if (ri < 0)
				continue;
			rt[ri] = nftnl_expr_get_u32(e, NFTNL_EXPR_RT_KEY) == NFT_RT_TCPMSS;
			val[ri] = 0;
		} else if (strcmp(name, "exthdr") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_SREG) &&
			   nftnl_expr_is_set(e, NFTNL_EXPR_EXTHDR_OP) &&
			   nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_OP) == NFT_EXTHDR_OP_TCPOPT &&
			   nftnl_expr_get_u8(e, NFTNL_EXPR_EXTHDR_TYPE) == TCPOPT_MSS) {
			ri = reg_index(nftnl_expr_get_u32(e, NFTNL_EXPR_EXTHDR_SREG));
			found = 1;
			if (ri >= 0) {
				out->size = val[ri];
				out->rt_mtu = rt[ri];
			}
		}
	}
	nftnl_expr_iter_destroy(it);
	if (found && nftnl_rule_is_set(r, NFTNL_RULE_HANDLE))
		out->handle = nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE);
	return found;
}

int
pm_rule_drops(struct nftnl_rule *r)
{
	struct nftnl_expr_iter *it;
	struct nftnl_expr *e;
	int drops = 0;

	it = nftnl_expr_iter_create(r);
	if (!it)
		return 0;
	while ((e = nftnl_expr_iter_next(it)) != NULL) {
		const char *name = nftnl_expr_get_str(e, NFTNL_EXPR_NAME);

		if (!name)
			continue;
		if (strcmp(name, "reject") == 0)
			drops = 1;
		else if (strcmp(name, "immediate") == 0 && nftnl_expr_is_set(e, NFTNL_EXPR_IMM_VERDICT) &&
			 nftnl_expr_get_u32(e, NFTNL_EXPR_IMM_VERDICT) == NF_DROP)
			drops = 1;
	}
	nftnl_expr_iter_destroy(it);
	return drops;
}
