/* test_common_rule.c: pp_rule_decode on RTM_NEWRULE messages as fib_nl_fill_rule() lays them out, and pp_rule_match. */
#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/rtnetlink.h>

#include "parse.h"
#include "rule.h"
#include "test_common_msg.h"

static struct fib_rule_hdr *
rule_start(struct tmsg *m, int family, struct nlmsghdr **nlhp)
{
	void *h;
	struct fib_rule_hdr *frh;

	*nlhp = tmsg_start(m, RTM_NEWRULE, sizeof(*frh), &h);
	frh = h;
	frh->family = (uint8_t)family;
	frh->action = FR_ACT_TO_TBL;
	frh->table = RT_TABLE_MAIN;
	return frh;
}

static void
putaddr(struct nlmsghdr *nlh, uint16_t type, int family, const char *s)
{
	uint8_t b[16];

	inet_pton(family, s, b);
	mnl_attr_put(nlh, type, family == AF_INET ? 4 : 16, b);
}

/* "ip rule add pref 100 from 198.51.100.0/24 to 203.0.113.0/24 iif lo fwmark 0x10/0xf0
 *  uidrange 1000-2000 ipproto tcp sport 1000-2000 dport 443 lookup 1000" */
static struct nlmsghdr *
build_rule_v4(struct tmsg *m)
{
	struct nlmsghdr *nlh;
	struct fib_rule_hdr *frh = rule_start(m, AF_INET, &nlh);
	struct fib_rule_uid_range u = { 1000, 2000 };
	struct fib_rule_port_range sp = { 1000, 2000 }, dp = { 443, 443 };

	frh->src_len = 24;
	frh->dst_len = 24;
	frh->table = RT_TABLE_COMPAT;	/* table > 255: the real one is in FRA_TABLE */
	mnl_attr_put_u32(nlh, FRA_TABLE, 1000);
	mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, UINT32_MAX);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 100);
	mnl_attr_put_strz(nlh, FRA_IIFNAME, "lo");
	mnl_attr_put_u32(nlh, FRA_FWMARK, 0x10);
	mnl_attr_put_u32(nlh, FRA_FWMASK, 0xf0);
	mnl_attr_put(nlh, FRA_UID_RANGE, sizeof(u), &u);
	mnl_attr_put(nlh, FRA_SPORT_RANGE, sizeof(sp), &sp);
	mnl_attr_put(nlh, FRA_DPORT_RANGE, sizeof(dp), &dp);
	mnl_attr_put_u8(nlh, FRA_IP_PROTO, IPPROTO_TCP);
	mnl_attr_put_u8(nlh, FRA_PROTOCOL, RTPROT_BOOT);
	putaddr(nlh, FRA_DST, AF_INET, "203.0.113.0");
	putaddr(nlh, FRA_SRC, AF_INET, "198.51.100.0");
	return nlh;
}

static void
test_rule_v4_full(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_rule_v4(&m);
	struct pp_rule r;
	char a[INET6_ADDRSTRLEN], buf[256];

	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.family, AF_INET);
	CHECK_EQ_INT(r.priority, 100);
	CHECK_EQ_INT(r.table, 1000);
	CHECK_EQ_INT(r.action, FR_ACT_TO_TBL);
	CHECK_EQ_INT(r.src_len, 24);
	CHECK_EQ_INT(r.dst_len, 24);
	CHECK_STR(pp_addr_str(&r.src, a, sizeof(a)), "198.51.100.0");
	CHECK_STR(pp_addr_str(&r.dst, a, sizeof(a)), "203.0.113.0");
	CHECK_STR(r.iifname, "lo");
	CHECK_STR(r.oifname, "");
	CHECK(r.has_mark);
	CHECK_EQ_INT(r.fwmark, 0x10);
	CHECK_EQ_INT(r.fwmask, 0xf0);
	CHECK(r.has_uid && r.uid_start == 1000 && r.uid_end == 2000);
	CHECK(r.has_sport && r.sport_lo == 1000 && r.sport_hi == 2000);
	CHECK(r.has_dport && r.dport_lo == 443 && r.dport_hi == 443);
	CHECK_EQ_INT(r.ipproto, IPPROTO_TCP);
	CHECK_EQ_INT(r.protocol, RTPROT_BOOT);
	CHECK_EQ_INT(r.suppress_prefixlen, -1);
	CHECK_EQ_INT(r.suppress_ifgroup, UINT32_MAX);
	CHECK_STR(pp_rule_format(&r, buf, sizeof(buf)),
		  "100: from 198.51.100.0/24 to 203.0.113.0/24 fwmark 0x10/0xf0 iif lo "
		  "uidrange 1000-2000 ipproto 6 sport 1000-2000 dport 443-443 lookup 1000");
}

/* The default rules: "0: from all lookup local", and a table < 256 only in the header. */
static void
test_rule_defaults(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct fib_rule_hdr *frh = rule_start(&m, AF_INET6, &nlh);
	struct pp_rule r;
	struct fib_rule_uid_range all = { 0, UINT32_MAX };
	struct fib_rule_port_range none = { 0, 0 };
	char buf[128];

	frh->table = RT_TABLE_LOCAL;
	mnl_attr_put_u32(nlh, FRA_SUPPRESS_PREFIXLEN, 0);
	mnl_attr_put(nlh, FRA_UID_RANGE, sizeof(all), &all);
	mnl_attr_put(nlh, FRA_SPORT_RANGE, sizeof(none), &none);
	mnl_attr_put_u32(nlh, FRA_FWMARK, 0x1);	/* mark without a mask: all bits */
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.family, AF_INET6);
	CHECK_EQ_INT(r.table, RT_TABLE_LOCAL);
	CHECK_EQ_INT(r.priority, 0);
	CHECK(!r.has_uid);
	CHECK(!r.has_sport);
	CHECK(r.has_mark && r.fwmask == UINT32_MAX);
	CHECK_EQ_INT(r.suppress_prefixlen, 0);
	CHECK_STR(pp_rule_format(&r, buf, sizeof(buf)), "0: from all fwmark 0x1 lookup local suppress_prefixlength 0");

	frh = rule_start(&m, AF_INET, &nlh);
	frh->action = FR_ACT_GOTO;
	frh->flags = FIB_RULE_INVERT;
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 5);
	mnl_attr_put_u32(nlh, FRA_GOTO, 300);
	mnl_attr_put_strz(nlh, FRA_OIFNAME, "veth0");
	mnl_attr_put_u8(nlh, FRA_L3MDEV, 1);
	mnl_attr_put_u32(nlh, FRA_SUPPRESS_IFGROUP, 7);
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.goto_target, 300);
	CHECK_STR(r.oifname, "veth0");
	CHECK(r.l3mdev);
	CHECK_EQ_INT(r.suppress_ifgroup, 7);
	CHECK_STR(pp_rule_format(&r, buf, sizeof(buf)), "5: not from all oif veth0 goto 300");
}

static void
test_rule_short_and_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_rule_v4(&m);
	uint32_t start = NLMSG_HDRLEN + sizeof(struct fib_rule_hdr);
	struct pp_rule r;

	CHECK_EQ_INT(TDECODE_LEN(pp_rule_decode, nlh, start - 1, &r), -EBADMSG);
	CHECK_EQ_INT(TDECODE_LEN(pp_rule_decode, nlh, NLMSG_HDRLEN, &r), -EBADMSG);
	/* Even a refused rule leaves the "unset" markers, not garbage. */
	CHECK_EQ_INT(r.suppress_prefixlen, -1);
	CHECK_EQ_INT(TDECODE_LEN(pp_rule_decode, nlh, start + 5, &r), -EBADMSG);
	for (uint32_t len = start; len < nlh->nlmsg_len; len++) {
		int rc = TDECODE_LEN(pp_rule_decode, nlh, len, &r);

		CHECK(rc == 0 || rc == -EBADMSG);
	}
	/* FRA_IIFNAME whose nla_len runs past the message end. */
	rule_start(&m, AF_INET, &nlh);
	tmsg_put_raw(nlh, FRA_IIFNAME, 64, "lo", 3);
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), -EBADMSG);
}

static void
test_rule_wrong_length(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_rule r;
	uint8_t b[16] = { 0 };
	struct fib_rule_uid_range u = { 1, 2 };

	rule_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, FRA_SRC, 3, b);
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), -EBADMSG);

	rule_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, FRA_DST, 16, b);	/* IPv6 length in an IPv4 rule */
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), -EBADMSG);

	rule_start(&m, AF_INET, &nlh);
	mnl_attr_put_u16(nlh, FRA_PRIORITY, 1);
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), -EBADMSG);

	rule_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, FRA_IIFNAME, 4, "eth0");	/* no NUL */
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), -EBADMSG);

	rule_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, FRA_UID_RANGE, sizeof(u) - 1, &u);
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), -EBADMSG);

	rule_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, FRA_DPORT_RANGE, 2, &u);
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), -EBADMSG);

	rule_start(&m, AF_INET, &nlh);
	mnl_attr_put(nlh, FRA_IP_PROTO, 0, NULL);
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), -EBADMSG);

	/* An interface name longer than IFNAMSIZ is cut, never overflows. */
	rule_start(&m, AF_INET, &nlh);
	mnl_attr_put_strz(nlh, FRA_IIFNAME, "abcdefghijklmnopqrstuvwxyz");
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), 0);
	CHECK_EQ_INT(strlen(r.iifname), IF_NAMESIZE - 1);

	rule_start(&m, AF_BRIDGE, &nlh);
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), -EAFNOSUPPORT);
}

static void
test_rule_unknown_attr(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	struct pp_rule r;
	uint64_t tun = 5;

	rule_start(&m, AF_INET, &nlh);
	mnl_attr_put_u8(nlh, FRA_MAX + 1, 0x2e);	/* FRA_DSCP on 6.x kernels */
	mnl_attr_put_u32(nlh, FRA_MAX + 2, 1);
	mnl_attr_put_u32(nlh, FRA_PRIORITY, 32766);
	mnl_attr_put(nlh, FRA_TUN_ID, sizeof(tun), &tun);	/* known type, not used */
	mnl_attr_put_u32(nlh, FRA_FLOW, 3);
	mnl_attr_put(nlh, FRA_PAD, 0, NULL);
	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), 0);
	CHECK_EQ_INT(r.priority, 32766);
}

static struct pp_rule_flow
flow4(const char *src, const char *dst)
{
	struct pp_rule_flow f = { .iifname = "lo" };

	pp_parse_addr(src, AF_INET, &f.src);
	pp_parse_addr(dst, AF_INET, &f.dst);
	return f;
}

static struct pp_rule
rule_empty(int family)
{
	struct pp_rule r;

	memset(&r, 0, sizeof(r));
	r.family = family;
	r.action = FR_ACT_TO_TBL;
	r.table = RT_TABLE_MAIN;
	r.suppress_prefixlen = -1;
	r.suppress_ifgroup = UINT32_MAX;
	return r;
}

static void
test_rule_match_prefix(void)
{
	struct pp_rule r = rule_empty(AF_INET);
	struct pp_rule_flow f = flow4("198.51.100.7", "203.0.113.9");
	unsigned plen;

	CHECK(pp_rule_match(&r, &f));	/* "from all" */
	CHECK_EQ_INT(pp_parse_prefix("198.51.100.0/24", &r.src, &plen), 0);
	r.src_len = (uint8_t)plen;
	CHECK(pp_rule_match(&r, &f));
	CHECK_EQ_INT(pp_parse_prefix("198.51.100.8/29", &r.src, &plen), 0);
	r.src_len = (uint8_t)plen;
	CHECK(!pp_rule_match(&r, &f));	/* .7 is in .0/29, not .8/29 */
	CHECK_EQ_INT(pp_parse_prefix("198.51.100.0/29", &r.src, &plen), 0);
	r.src_len = (uint8_t)plen;
	CHECK(pp_rule_match(&r, &f));
	CHECK_EQ_INT(pp_parse_prefix("203.0.113.8/31", &r.dst, &plen), 0);
	r.dst_len = (uint8_t)plen;
	CHECK(pp_rule_match(&r, &f));
	CHECK_EQ_INT(pp_parse_prefix("203.0.113.10/31", &r.dst, &plen), 0);
	r.dst_len = (uint8_t)plen;
	CHECK(!pp_rule_match(&r, &f));
	/* An IPv6 flow never matches an IPv4 prefix. */
	r = rule_empty(AF_INET);
	pp_parse_prefix("0.0.0.0/1", &r.dst, &plen);
	r.dst_len = 1;
	pp_parse_addr("2001:db8::1", AF_INET6, &f.dst);
	CHECK(!pp_rule_match(&r, &f));
	/* IPv6 /64. */
	r = rule_empty(AF_INET6);
	pp_parse_prefix("2001:db8:0:1::/64", &r.dst, &plen);
	r.dst_len = (uint8_t)plen;
	pp_parse_addr("2001:db8:0:1::99", AF_INET6, &f.dst);
	CHECK(pp_rule_match(&r, &f));
	pp_parse_addr("2001:db8:0:2::99", AF_INET6, &f.dst);
	CHECK(!pp_rule_match(&r, &f));
}

static void
test_rule_match_selectors(void)
{
	struct pp_rule r = rule_empty(AF_INET);
	struct pp_rule_flow f = flow4("198.51.100.7", "203.0.113.9");

	/* iif lo: locally generated packets. */
	snprintf(r.iifname, sizeof(r.iifname), "lo");
	CHECK(pp_rule_match(&r, &f));
	f.iifname = "veth0";
	CHECK(!pp_rule_match(&r, &f));
	f.iifname = NULL;
	CHECK(!pp_rule_match(&r, &f));
	f.iifname = "lo";
	/* oif set on the rule, none on the flow. */
	r = rule_empty(AF_INET);
	snprintf(r.oifname, sizeof(r.oifname), "veth1");
	CHECK(!pp_rule_match(&r, &f));
	f.oifname = "veth1";
	CHECK(pp_rule_match(&r, &f));
	f.oifname = NULL;

	/* fwmark 0x10/0xf0: only the masked bits count. */
	r = rule_empty(AF_INET);
	r.has_mark = true;
	r.fwmark = 0x10;
	r.fwmask = 0xf0;
	f.mark = 0x1f;
	CHECK(pp_rule_match(&r, &f));
	f.mark = 0x20;
	CHECK(!pp_rule_match(&r, &f));
	f.mark = 0x0;
	CHECK(!pp_rule_match(&r, &f));
	r.fwmask = UINT32_MAX;
	f.mark = 0x10;
	CHECK(pp_rule_match(&r, &f));
	f.mark = 0x110;
	CHECK(!pp_rule_match(&r, &f));
	/* fwmark 0/0xff: packets whose low byte is 0. */
	r.fwmark = 0;
	r.fwmask = 0xff;
	f.mark = 0x100;
	CHECK(pp_rule_match(&r, &f));
	f.mark = 0;

	/* uid range, inclusive. */
	r = rule_empty(AF_INET);
	r.has_uid = true;
	r.uid_start = 1000;
	r.uid_end = 2000;
	f.uid = 999;
	CHECK(!pp_rule_match(&r, &f));
	f.uid = 1000;
	CHECK(pp_rule_match(&r, &f));
	f.uid = 2000;
	CHECK(pp_rule_match(&r, &f));
	f.uid = 2001;
	CHECK(!pp_rule_match(&r, &f));
	f.uid = 0;

	/* ipproto and port ranges. */
	r = rule_empty(AF_INET);
	r.ipproto = IPPROTO_UDP;
	f.ipproto = IPPROTO_TCP;
	CHECK(!pp_rule_match(&r, &f));
	f.ipproto = IPPROTO_UDP;
	CHECK(pp_rule_match(&r, &f));
	r.has_dport = true;
	r.dport_lo = 53;
	r.dport_hi = 53;
	f.dport = 53;
	CHECK(pp_rule_match(&r, &f));
	f.dport = 54;
	CHECK(!pp_rule_match(&r, &f));
	f.dport = 53;
	r.has_sport = true;
	r.sport_lo = 1024;
	r.sport_hi = 65535;
	f.sport = 1023;
	CHECK(!pp_rule_match(&r, &f));
	f.sport = 65535;
	CHECK(pp_rule_match(&r, &f));

	/* tos */
	r = rule_empty(AF_INET);
	r.tos = 0x10;
	f.tos = 0;
	CHECK(!pp_rule_match(&r, &f));
	f.tos = 0x10;
	CHECK(pp_rule_match(&r, &f));
}

/* FIB_RULE_INVERT ("not") flips the whole selector. */
static void
test_rule_match_invert(void)
{
	struct pp_rule r = rule_empty(AF_INET);
	struct pp_rule_flow f = flow4("198.51.100.7", "203.0.113.9");
	unsigned plen;

	r.flags = FIB_RULE_INVERT;
	CHECK(!pp_rule_match(&r, &f));	/* "not from all" matches nothing */
	pp_parse_prefix("203.0.113.0/24", &r.dst, &plen);
	r.dst_len = (uint8_t)plen;
	CHECK(!pp_rule_match(&r, &f));
	pp_parse_addr("198.51.100.1", AF_INET, &f.dst);
	CHECK(pp_rule_match(&r, &f));
	r.has_mark = true;
	r.fwmark = 1;
	r.fwmask = 1;
	f.mark = 0;
	CHECK(pp_rule_match(&r, &f));	/* neither selector matches: inverted, it does */
	pp_parse_addr("203.0.113.1", AF_INET, &f.dst);
	CHECK(pp_rule_match(&r, &f));	/* dst matches, mark does not: still no match, inverted */
	f.mark = 1;
	CHECK(!pp_rule_match(&r, &f));	/* both match: inverted, no */
}

/* Decode, then match: the decoder's output feeds the matcher directly. */
static void
test_rule_decode_then_match(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_rule_v4(&m);
	struct pp_rule r;
	struct pp_rule_flow f = flow4("198.51.100.7", "203.0.113.9");

	CHECK_EQ_INT(TDECODE(pp_rule_decode, nlh, &r), 0);
	f.mark = 0x13;
	f.uid = 1500;
	f.ipproto = IPPROTO_TCP;
	f.sport = 1500;
	f.dport = 443;
	CHECK(pp_rule_match(&r, &f));
	f.dport = 80;
	CHECK(!pp_rule_match(&r, &f));
}

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	struct pp_rule r;
	char buf[64];
	int rc = pp_rule_decode(nlh, &r);

	if (rc == 0)
		pp_rule_format(&r, buf, sizeof(buf));
	return rc;
}

static void
test_rule_fuzz(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_rule_v4(&m);
	unsigned ok = tfuzz(nlh, fuzz_one, 5000, 0xbeefu, 800);

	printf("# rule fuzz: %u of 5000 damaged messages accepted\n", ok);
	CHECK(ok > 0);
}

int
main(void)
{
	RUN(test_rule_v4_full);
	RUN(test_rule_defaults);
	RUN(test_rule_short_and_truncated);
	RUN(test_rule_wrong_length);
	RUN(test_rule_unknown_attr);
	RUN(test_rule_match_prefix);
	RUN(test_rule_match_selectors);
	RUN(test_rule_match_invert);
	RUN(test_rule_decode_then_match);
	RUN(test_rule_fuzz);
	return tap_done();
}
