/* test_pmtuprobe_eval: the verdict evaluator on built models, and MSS-clamp recognition on built nft rules. */
#include <stdio.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>
#include <libnftnl/expr.h>
#include <libnftnl/rule.h>

#include "../../cmd/pmtuprobe/pmtuprobe.h"
#include "tap.h"

static struct pm_model m;

static void
addr(struct pp_addr *a, const char *s)
{
	if (strchr(s, ':')) {
		struct in6_addr in6;

		inet_pton(AF_INET6, s, &in6);
		pp_addr_set(a, AF_INET6, &in6, 16);
	} else {
		struct in_addr in;

		inet_pton(AF_INET, s, &in);
		pp_addr_set(a, AF_INET, &in, 4);
	}
}

/* A model after a search ended with lo passing and hi failing by why. */
static void
model(int family, unsigned lo, unsigned hi, enum pm_answer why)
{
	memset(&m, 0, sizeof(m));
	m.family = family;
	m.proto = PM_PROTO_UDP;
	m.min = family == AF_INET6 ? 1280 : 68;
	m.max = 1500;
	pm_search_init(&m.search, m.min, m.max);
	m.search.base_done = m.search.max_done = true;
	m.search.lo = lo;
	m.search.hi = hi;
	m.search.hi_why = why;
	m.searched = true;
	snprintf(m.local.dev, sizeof(m.local.dev), "c0");
}

static void
clean(void)
{
	model(AF_INET, 1500, 1501, PM_A_SILENT);
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_OK);
	CHECK_EQ_INT(m.v.status, PP_ST_OK);
	CHECK_STR(pm_cause_name(m.v.cause), "clean");
	CHECK_EQ_INT(m.v.hop.family, 0);
	CHECK_EQ_INT(pm_path_mtu(&m), 1500);
}

static void
ptb_names_hop(void)
{
	char b[64];

	model(AF_INET, 1280, 1281, PM_A_PTB);
	m.ptb_seen = true;
	addr(&m.ptb_hop, "198.51.100.1");
	m.ptb_mtu = 1280;
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_OK);
	CHECK_STR(pm_cause_name(m.v.cause), "ptb");
	CHECK_STR(pp_addr_str(&m.v.hop, b, sizeof(b)), "198.51.100.1");
	CHECK(strstr(m.v.summary, "frag-needed (mtu 1280)") != NULL);
	model(AF_INET6, 1280, 1281, PM_A_PTB);
	m.ptb_seen = true;
	addr(&m.ptb_hop, "2001:db8:1::1");
	m.ptb_mtu = 1280;
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_OK);
	CHECK(strstr(m.v.summary, "Packet Too Big (mtu 1280)") != NULL);
}

static void
black_hole_located(void)
{
	char b[64];

	model(AF_INET, 1280, 1281, PM_A_SILENT);
	m.located = true;
	pm_ttl_init(&m.ttl, 30);
	m.ttl.found = m.ttl.done = true;
	m.ttl.last_ttl = 1;
	addr(&m.ttl.last_hop, "198.51.100.1");
	m.ttl.drop_ttl = 2;
	addr(&m.ttl.next_hop, "203.0.113.2");
	m.ttl.next_is_dst = true;
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_PROBLEM);
	CHECK_EQ_INT(m.v.status, PP_ST_FAIL);
	CHECK_STR(pm_cause_name(m.v.cause), "black_hole");
	CHECK_STR(pp_addr_str(&m.v.hop, b, sizeof(b)), "198.51.100.1");
	CHECK(strstr(m.v.summary, "after hop 1 198.51.100.1") != NULL);
	CHECK(strstr(m.v.hint, "MSS to 1240") != NULL);
}

static void
black_hole_first_link(void)
{
	char b[64];

	/* Even TTL 1 is silent for large probes while the first hop answers small ones. */
	model(AF_INET, 1400, 1401, PM_A_SILENT);
	m.located = true;
	pm_ttl_init(&m.ttl, 30);
	m.ttl.found = m.ttl.done = true;
	m.ttl.drop_ttl = 1;
	addr(&m.ttl.next_hop, "198.51.100.1");
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_PROBLEM);
	CHECK_STR(pp_addr_str(&m.v.hop, b, sizeof(b)), "198.51.100.1");
	CHECK(strstr(m.v.summary, "first hop") != NULL);
}

static void
black_hole_not_located(void)
{
	model(AF_INET, 1280, 1281, PM_A_SILENT);
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_PROBLEM);
	CHECK_STR(pm_cause_name(m.v.cause), "black_hole");
	CHECK_EQ_INT(m.v.hop.family, 0);
	CHECK(strstr(m.v.summary, "not located") != NULL);
}

static void
local_firewall_beats_black_hole(void)
{
	char b[64];

	model(AF_INET, 1280, 1281, PM_A_PTB);
	m.ptb_wire_only = true;
	addr(&m.wire_hop, "198.51.100.1");
	m.wire_mtu = 1280;
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_PROBLEM);
	CHECK_STR(pm_cause_name(m.v.cause), "local_firewall");
	CHECK_STR(pp_addr_str(&m.v.hop, b, sizeof(b)), "198.51.100.1");
	CHECK(strstr(m.v.summary, "this host drops it") != NULL);
	CHECK(strstr(m.v.hint, "frag-needed") != NULL);
}

static void
bad_suggestion_warns(void)
{
	model(AF_INET, 1400, 1401, PM_A_PTB);
	m.bad_ptb = true;
	addr(&m.bad_hop, "198.51.100.1");
	m.bad_mtu = 1600;
	m.bad_size = 1500;
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_PROBLEM);
	CHECK_EQ_INT(m.v.status, PP_ST_WARN);
	CHECK_STR(pm_cause_name(m.v.cause), "bad_ptb");
	CHECK(strstr(m.v.summary, "mtu 1600") != NULL);
}

static void
unreachable_cannot_tell(void)
{
	model(AF_INET, 0, 68, PM_A_SILENT);
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_UNKNOWN);
	CHECK_STR(pm_cause_name(m.v.cause), "unreachable");
	CHECK(strstr(m.v.hint, "--proto icmp") != NULL);
}

static void
interrupted_partial(void)
{
	/* Interrupted between 1400 (passed) and 1500 (PTB-less failure not yet seen). */
	model(AF_INET, 1400, 1492, PM_A_PTB);
	m.interrupted = true;
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_UNKNOWN);
	CHECK_STR(pm_cause_name(m.v.cause), "incomplete");
	CHECK(strstr(m.v.summary, "at least 1400") != NULL);
	/* Interrupted before anything answered. */
	model(AF_INET, 0, 1501, PM_A_SILENT);
	m.search.base_done = false;
	m.timed_out = true;
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_UNKNOWN);
	CHECK_STR(pm_cause_name(m.v.cause), "incomplete");
	/* Interrupted, but silence above a passing size is already a black hole. */
	model(AF_INET, 68, 1492, PM_A_SILENT);
	m.interrupted = true;
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_PROBLEM);
	CHECK_STR(pm_cause_name(m.v.cause), "black_hole");
	CHECK(strstr(m.v.summary, "search not finished (interrupted)") != NULL);
}

static void
local_error(void)
{
	model(AF_INET, 0, 1501, PM_A_SILENT);
	m.searched = false;
	m.probe_error = true;
	snprintf(m.probe_err, sizeof(m.probe_err), "socket: needs CAP_NET_RAW");
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_UNKNOWN);
	CHECK_STR(pm_cause_name(m.v.cause), "local_error");
	CHECK(strstr(m.v.summary, "CAP_NET_RAW") != NULL);
}

static void
return_path_warning(void)
{
	model(AF_INET, 1500, 1501, PM_A_SILENT);
	m.return_frag = 1276;
	m.return_frag_probe = 1500;
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_OK);
	CHECK_EQ_INT(m.nwarn, 1);
	CHECK(strstr(m.warn[0], "return path") != NULL);
}

static void
mss_arithmetic(void)
{
	CHECK_EQ_INT(pm_mss(AF_INET, 1500), 1460);
	CHECK_EQ_INT(pm_mss(AF_INET6, 1280), 1220);
	CHECK_EQ_INT(pm_mss(AF_INET, 0), 0);
	CHECK_EQ_INT(pm_mss(AF_INET6, 40), 0);
}

/* ---- MSS clamps in nft rules ---- */

static struct nftnl_expr *
imm16(uint32_t reg, uint16_t v)
{
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");
	uint8_t d[2] = { (uint8_t)(v >> 8), (uint8_t)v };

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, reg);
	nftnl_expr_set(e, NFTNL_EXPR_IMM_DATA, d, 2);
	return e;
}

static struct nftnl_expr *
exthdr(uint8_t type, uint32_t sreg, uint32_t dreg)
{
	struct nftnl_expr *e = nftnl_expr_alloc("exthdr");

	nftnl_expr_set_u8(e, NFTNL_EXPR_EXTHDR_TYPE, type);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OFFSET, 2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_LEN, 2);
	nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_OP, NFT_EXTHDR_OP_TCPOPT);
	if (sreg)
		nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_SREG, sreg);
	if (dreg)
		nftnl_expr_set_u32(e, NFTNL_EXPR_EXTHDR_DREG, dreg);
	return e;
}

static void
clamp_fixed_size(void)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct pm_clamp c;

	nftnl_rule_set_u64(r, NFTNL_RULE_HANDLE, 7);
	nftnl_rule_add_expr(r, imm16(NFT_REG32_01, 1400));
	nftnl_rule_add_expr(r, exthdr(2, NFT_REG32_01, 0));
	CHECK_EQ_INT(pm_clamp_from_rule(r, &c), 1);
	CHECK_EQ_INT(c.size, 1400);
	CHECK(!c.rt_mtu);
	CHECK_EQ_INT(c.handle, 7);
	nftnl_rule_free(r);
}

static void
clamp_rt_mtu(void)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *rt = nftnl_expr_alloc("rt");
	struct pm_clamp c;

	nftnl_expr_set_u32(rt, NFTNL_EXPR_RT_DREG, NFT_REG_1);
	nftnl_expr_set_u32(rt, NFTNL_EXPR_RT_KEY, NFT_RT_TCPMSS);
	nftnl_rule_add_expr(r, rt);
	nftnl_rule_add_expr(r, exthdr(2, NFT_REG_1, 0));
	CHECK_EQ_INT(pm_clamp_from_rule(r, &c), 1);
	CHECK(c.rt_mtu);
	CHECK_EQ_INT(c.size, 0);
	nftnl_rule_free(r);
}

static void
clamp_not_a_write(void)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct pm_clamp c;

	/* Reading the MSS option (a match), and writing another option: neither is a clamp. */
	nftnl_rule_add_expr(r, exthdr(2, 0, NFT_REG_1));
	nftnl_rule_add_expr(r, imm16(NFT_REG32_02, 3));
	nftnl_rule_add_expr(r, exthdr(3, NFT_REG32_02, 0));
	CHECK_EQ_INT(pm_clamp_from_rule(r, &c), 0);
	nftnl_rule_free(r);
	r = nftnl_rule_alloc();
	CHECK_EQ_INT(pm_clamp_from_rule(r, &c), 0);	/* empty rule */
	nftnl_rule_free(r);
}

static void
rule_drop_verdicts(void)
{
	struct nftnl_rule *r = nftnl_rule_alloc();
	struct nftnl_expr *e = nftnl_expr_alloc("immediate");

	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_DROP);
	nftnl_rule_add_expr(r, e);
	CHECK_EQ_INT(pm_rule_drops(r), 1);
	nftnl_rule_free(r);
	r = nftnl_rule_alloc();
	e = nftnl_expr_alloc("immediate");
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_DREG, NFT_REG_VERDICT);
	nftnl_expr_set_u32(e, NFTNL_EXPR_IMM_VERDICT, NF_ACCEPT);
	nftnl_rule_add_expr(r, e);
	CHECK_EQ_INT(pm_rule_drops(r), 0);
	nftnl_rule_add_expr(r, nftnl_expr_alloc("reject"));
	CHECK_EQ_INT(pm_rule_drops(r), 1);
	nftnl_rule_free(r);
}

static void
local_firewall_names_chain(void)
{
	model(AF_INET6, 1280, 1281, PM_A_PTB);
	m.ptb_wire_only = true;
	addr(&m.wire_hop, "2001:db8:1::1");
	m.wire_mtu = 1280;
	m.local.ninput = 2;
	m.local.input[0] = (struct pm_input_chain){ .family = NFPROTO_INET, .table = "a", .chain = "in",
						    .policy = NF_ACCEPT, .drop_rules = 0 };
	m.local.input[1] = (struct pm_input_chain){ .family = NFPROTO_IPV6, .table = "fw", .chain = "input",
						    .policy = NF_ACCEPT, .drop_rules = 3 };
	CHECK_EQ_INT(pm_eval(&m), PP_EXIT_PROBLEM);
	CHECK(strstr(m.v.summary, "INPUT rules: ip6 fw input") != NULL);
	CHECK(strstr(m.v.hint, "icmpv6 type packet-too-big in ip6 fw input") != NULL);
}

int
main(void)
{
	RUN(clean);
	RUN(ptb_names_hop);
	RUN(black_hole_located);
	RUN(black_hole_first_link);
	RUN(black_hole_not_located);
	RUN(local_firewall_beats_black_hole);
	RUN(bad_suggestion_warns);
	RUN(unreachable_cannot_tell);
	RUN(interrupted_partial);
	RUN(local_error);
	RUN(return_path_warning);
	RUN(mss_arithmetic);
	RUN(clamp_fixed_size);
	RUN(clamp_rt_mtu);
	RUN(clamp_not_a_write);
	RUN(rule_drop_verdicts);
	RUN(local_firewall_names_chain);
	return tap_done();
}
