/*
 * test_xt: common/xt.c on the blobs the real iptables wrote (tests/unit/xt_vectors.h,
 * made by tests/tools/xt_vectors.sh): each decodes, its text is what iptables-save
 * printed for the same rule, every shorter length is refused without a read past
 * the blob, unknown names and revisions are named; then the evaluator on packets.
 */
#include <errno.h>
#include <stdlib.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_conntrack_common.h>
#include <linux/netfilter/nf_nat.h>
#include <linux/rtnetlink.h>

#include "tap.h"
#include "xt.h"
#include <linux/netfilter/x_tables.h>
#include <linux/netfilter/xt_conntrack.h>
#include <linux/netfilter/ipset/ip_set.h>
#include <linux/netfilter/xt_set.h>
#include <linux/netfilter/xt_hashlimit.h>
#include <linux/netfilter/xt_connmark.h>
#include <linux/netfilter/xt_CT.h>

struct xt_vec_expr {
	const char *kind, *name;
	unsigned rev, len;
	const uint8_t *info;
};
struct xt_vec {
	int family;
	const char *backend, *table, *args, *save, *pre, *post, *setname;
	unsigned nexpr;
	struct xt_vec_expr expr[4];
};
#include "xt_vectors.h"

/* Extensions outside the module's list, made on purpose by the generator. */
static bool
outside(const char *name)
{
	return !strcmp(name, "length") || !strcmp(name, "ttl") || !strcmp(name, "hl") ||
	       !strcmp(name, "u32");
}

static uint8_t
nfproto(const struct xt_vec *v)
{
	return v->family == 6 ? NFPROTO_IPV6 : NFPROTO_IPV4;
}

/* Decode one expression of a vector from an exact-size heap copy (ASan sees any over-read). */
static int
decode(const struct xt_vec *v, const struct xt_vec_expr *x, size_t len, struct pp_xt_match *m,
       struct pp_xt_target *t, char *err, size_t errlen)
{
	uint8_t *copy = malloc(len ? len : 1);
	int rc;

	memcpy(copy, x->info, len);
	if (!strcmp(x->kind, "match"))
		rc = pp_xt_match_decode(x->name, x->rev, nfproto(v), copy, len, m, err, errlen);
	else
		rc = pp_xt_target_decode(x->name, x->rev, nfproto(v), copy, len, t, err, errlen);
	free(copy);
	return rc;
}

/* Find the vector made from args (family fam). */
static const struct xt_vec *
vec(int fam, const char *args)
{
	unsigned i;

	for (i = 0; i < XT_NVEC; i++)
		if (xt_vecs[i]->family == fam && !strcmp(xt_vecs[i]->args, args))
			return xt_vecs[i];
	printf("#   no vector %d \"%s\"\n", fam, args);
	return NULL;
}

static void
vectors_text_as_iptables_save(void)
{
	unsigned i, k, checked = 0;

	for (i = 0; i < XT_NVEC; i++) {
		const struct xt_vec *v = xt_vecs[i];
		char line[2048], one[1024], err[256];
		size_t n;
		bool unknown = false;

		n = (size_t)snprintf(line, sizeof(line), "-A T");
		if (*v->pre)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", v->pre);
		for (k = 0; k < v->nexpr; k++) {
			const struct xt_vec_expr *x = &v->expr[k];
			struct pp_xt_match m;
			struct pp_xt_target t;
			int rc = decode(v, x, x->len, &m, &t, err, sizeof(err));

			if (outside(x->name)) {
				char want[128];

				snprintf(want, sizeof(want), "unknown extension %s rev %u", x->name, x->rev);
				CHECK_EQ_INT(rc, -EOPNOTSUPP);
				CHECK_STR(err, want);
				unknown = true;
				continue;
			}
			if (rc != 0) {
				printf("#   %s: %s %s rev %u: %s\n", v->args, x->kind, x->name, x->rev, err);
				CHECK_EQ_INT(rc, 0);
				continue;
			}
			if (!strcmp(x->kind, "match")) {
				snprintf(m.set_name, sizeof(m.set_name), "%s", v->setname);
				pp_xt_match_text(&m, one, sizeof(one));
			} else {
				pp_xt_target_text(&t, one, sizeof(one));
			}
			if (*one)
				n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", one);
		}
		if (*v->post)
			n += (size_t)snprintf(line + n, sizeof(line) - n, " %s", v->post);
		if (unknown)
			continue;
		CHECK(v->nexpr > 0);
		if (strcmp(line, v->save))
			printf("#   %s (%s, IPv%d)\n", v->args, v->backend, v->family);
		CHECK_STR(line, v->save);
		checked++;
	}
	printf("#   %u rules of %s equal to iptables-save\n", checked, XT_VEC_IPTABLES);
	CHECK(checked + 4 == XT_NVEC);
}

static void
truncated_blobs_refused(void)
{
	unsigned i, k, tried = 0;

	for (i = 0; i < XT_NVEC; i++) {
		const struct xt_vec *v = xt_vecs[i];

		for (k = 0; k < v->nexpr; k++) {
			const struct xt_vec_expr *x = &v->expr[k];
			struct pp_xt_match m;
			struct pp_xt_target t;
			char err[256];
			size_t len;

			if (outside(x->name))
				continue;
			for (len = 0; len < x->len; len++) {
				int rc = decode(v, x, len, &m, &t, err, sizeof(err));

				if (rc != -EBADMSG)
					printf("#   %s %s: length %zu gave %d\n", x->kind, x->name, len, rc);
				CHECK_EQ_INT(rc, -EBADMSG);
				CHECK(strstr(err, "shorter than") != NULL);
				tried++;
			}
		}
	}
	printf("#   %u truncated blobs\n", tried);
	CHECK(tried > 1000);
}

static void
unknown_revision_and_name(void)
{
	const struct xt_vec *v = vec(4, "-m addrtype --dst-type LOCAL -j RETURN");
	const struct xt_vec *d6 = vec(6, "-j DNAT --to-destination 2001:db8::2");
	struct pp_xt_match m;
	struct pp_xt_target t;
	char err[256];

	if (!v || !d6)
		return;
	CHECK_EQ_INT(pp_xt_match_decode("addrtype", 0, NFPROTO_IPV4, v->expr[0].info, v->expr[0].len,
					&m, err, sizeof(err)), -EOPNOTSUPP);
	CHECK_STR(err, "unknown extension addrtype rev 0");
	CHECK_EQ_INT(pp_xt_match_decode("conntrack", 9, NFPROTO_IPV4, v->expr[0].info, v->expr[0].len,
					&m, err, sizeof(err)), -EOPNOTSUPP);
	CHECK_STR(err, "unknown extension conntrack rev 9");
	CHECK_EQ_INT(pp_xt_match_decode("string", 1, NFPROTO_IPV4, v->expr[0].info, v->expr[0].len,
					&m, err, sizeof(err)), -EOPNOTSUPP);
	CHECK_STR(err, "unknown extension string rev 1");
	/* DNAT rev 0 (the IPv4 compat struct) does not exist for IPv6 */
	CHECK_EQ_INT(pp_xt_target_decode("DNAT", 0, NFPROTO_IPV6, d6->expr[0].info, d6->expr[0].len,
					 &t, err, sizeof(err)), -EOPNOTSUPP);
	CHECK_STR(err, "unknown extension DNAT rev 0");
	CHECK_EQ_INT(pp_xt_target_decode("TEE", 1, NFPROTO_IPV4, d6->expr[0].info, d6->expr[0].len,
					 &t, err, sizeof(err)), -EOPNOTSUPP);
	CHECK_STR(err, "unknown extension TEE rev 1");
}

/* ---- evaluation ---- */

static bool
mt(int fam, const char *args, unsigned idx, struct pp_xt_match *m)
{
	const struct xt_vec *v = vec(fam, args);
	char err[256];

	if (!v || idx >= v->nexpr)
		return false;
	if (pp_xt_match_decode(v->expr[idx].name, v->expr[idx].rev, nfproto(v), v->expr[idx].info,
			       v->expr[idx].len, m, err, sizeof(err))) {
		printf("#   %s: %s\n", args, err);
		return false;
	}
	snprintf(m->set_name, sizeof(m->set_name), "%s", v->setname);
	return true;
}

static bool
tg(int fam, const char *args, struct pp_xt_target *t)
{
	const struct xt_vec *v = vec(fam, args);
	char err[256];
	unsigned k;

	if (!v)
		return false;
	for (k = 0; k < v->nexpr; k++)
		if (!strcmp(v->expr[k].kind, "target"))
			break;
	if (k == v->nexpr)
		return false;
	if (pp_xt_target_decode(v->expr[k].name, v->expr[k].rev, nfproto(v), v->expr[k].info,
				v->expr[k].len, t, err, sizeof(err))) {
		printf("#   %s: %s\n", args, err);
		return false;
	}
	return true;
}

static struct pp_xt_pkt
pkt4(const char *src, const char *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct pp_xt_pkt p = { 0 };

	p.family = NFPROTO_IPV4;
	p.addr_known = true;
	p.src.family = p.dst.family = AF_INET;
	inet_pton(AF_INET, src, &p.src.u.v4);
	inet_pton(AF_INET, dst, &p.dst.u.v4);
	p.l4_known = true;
	p.l4proto = proto;
	p.sport_known = p.dport_known = true;
	p.sport = sport;
	p.dport = dport;
	return p;
}

static struct pp_xt_pkt
pkt6(const char *src, const char *dst, uint8_t proto, uint16_t sport, uint16_t dport)
{
	struct pp_xt_pkt p = pkt4("0.0.0.0", "0.0.0.0", proto, sport, dport);

	p.family = NFPROTO_IPV6;
	p.src.family = p.dst.family = AF_INET6;
	inet_pton(AF_INET6, src, &p.src.u.v6);
	inet_pton(AF_INET6, dst, &p.dst.u.v6);
	return p;
}

#define EVAL(m, p) pp_xt_match_eval(&(m), &(p), why, sizeof(why))

static void
eval_addrtype(void)
{
	struct pp_xt_match m;
	struct pp_xt_pkt p = pkt4("198.51.100.2", "203.0.113.1", IPPROTO_TCP, 40000, 8080);
	char why[256];

	if (!mt(4, "-m addrtype --dst-type LOCAL -j RETURN", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "address types") != NULL);
	p.addrtype_known = true;
	p.src_type = 1 << RTN_UNICAST;
	p.dst_type = 1 << RTN_LOCAL;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.dst_type = 1 << RTN_UNICAST;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	/* --limit-iface-in asks for types on one device: not in the view */
	if (!mt(4, "-m addrtype ! --src-type LOCAL,BROADCAST --limit-iface-in", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "limit-iface-in") != NULL);
	if (!mt(6, "-m addrtype --dst-type LOCAL,MULTICAST", 0, &m))
		{ CHECK(0); return; }
	p = pkt6("2001:db8:1::2", "ff02::1", IPPROTO_UDP, 1, 2);
	p.addrtype_known = true;
	p.dst_type = 1 << RTN_MULTICAST;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.dst_type = 1 << RTN_UNICAST;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
}

static void
eval_conntrack(void)
{
	struct pp_xt_match m;
	struct pp_xt_pkt p = pkt4("198.51.100.2", "203.0.113.1", IPPROTO_TCP, 40000, 80);
	char why[256];

	if (!mt(4, "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "conntrack state") != NULL);
	p.ctstate_known = true;
	p.ctstate = 8;			/* new */
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ctstate = 2;			/* established */
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.ctstate = 4;			/* related */
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	if (!mt(4, "-m conntrack --ctstate INVALID -j DROP", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ctstate = 1;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	/* ! --ctstate NEW --ctdir REPLY */
	if (!mt(4, "-m conntrack ! --ctstate NEW --ctdir REPLY", 0, &m))
		{ CHECK(0); return; }
	p.ctstate = 2;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "direction") != NULL);
	p.ctdir_known = true;
	p.ctdir = IP_CT_DIR_REPLY;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.ctdir = IP_CT_DIR_ORIGINAL;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ctdir = IP_CT_DIR_REPLY;
	p.ctstate = 8;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	/* --ctstate DNAT needs the status; the tuple part is not in the view */
	if (!mt(4, "-m conntrack --ctstate DNAT --ctorigdst 203.0.113.10 --ctorigdstport 80", 0, &m))
		{ CHECK(0); return; }
	p.ctstate = 2;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "status") != NULL);
	p.ctstatus_known = true;
	p.ctstatus = 0;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ctstatus = IPS_DST_NAT;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "addresses") != NULL);
	/* with the entry's tuples: --ctorigdst and --ctorigdstport decide */
	p.cttuple_known = true;
	p.ct_l4proto = IPPROTO_TCP;
	p.ct_orig.src.family = p.ct_orig.dst.family = AF_INET;
	p.ct_reply.src.family = p.ct_reply.dst.family = AF_INET;
	inet_pton(AF_INET, "198.51.100.2", &p.ct_orig.src.u.v4);
	inet_pton(AF_INET, "203.0.113.10", &p.ct_orig.dst.u.v4);
	p.ct_orig.sport = 40000, p.ct_orig.dport = 80;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.ct_orig.dport = 81;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ct_orig.dport = 80;
	inet_pton(AF_INET, "203.0.113.11", &p.ct_orig.dst.u.v4);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	/* the flow's source port not known: --ctorigdst and --ctorigdstport still decide */
	inet_pton(AF_INET, "203.0.113.10", &p.ct_orig.dst.u.v4);
	p.ct_sport_unknown = true;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.ct_orig.dport = 81;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ct_orig.dport = 80;
	p.ct_sport_unknown = false;
	inet_pton(AF_INET, "203.0.113.11", &p.ct_orig.dst.u.v4);
	/* a false option decides even when another is unknown */
	if (!mt(4, "-m conntrack --ctstatus ASSURED,SEEN_REPLY --ctproto 6 --ctorigsrc 198.51.100.0/24", 0, &m))
		{ CHECK(0); return; }
	p.ctstatus_known = false;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "status") != NULL);
	p.ct_l4proto = IPPROTO_UDP;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ct_l4proto = IPPROTO_TCP;
	p.ctstatus_known = true;
	p.ctstatus = IPS_SEEN_REPLY;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	inet_pton(AF_INET, "198.51.101.2", &p.ct_orig.src.u.v4);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	if (!mt(4, "-m conntrack ! --ctstatus EXPECTED --ctexpire 10:20 --ctdir ORIGINAL", 0, &m))
		{ CHECK(0); return; }
	p.ctdir = IP_CT_DIR_ORIGINAL;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "seconds") != NULL);
	p.ctexpires_known = true;
	p.ctexpires = 15;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.ctexpires = 21;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ctexpires = 15;
	p.ctstatus = IPS_EXPECTED;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ctstatus = IPS_SEEN_REPLY;
	if (!mt(4, "-m conntrack --ctorigsrcport 1000:2000 ! --ctrepldstport 53 --ctproto 17", 0, &m))
		{ CHECK(0); return; }
	p.ct_l4proto = IPPROTO_UDP;
	p.ct_orig.sport = 1500, p.ct_reply.dport = 1500;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.ct_reply.dport = 53;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ct_reply.dport = 1500, p.ct_orig.sport = 999;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	/* the flow's source port not known (no --sport): what needs it is unknown, the rest decides */
	p.ct_orig.sport = 1500;
	p.ct_sport_unknown = true;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "source port") != NULL);
	p.ct_reply.dport = 53;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);	/* ! --ctrepldstport 53 is the source port too */
	p.ct_reply.dport = 1500;
	p.ct_sport_unknown = false;
	p.cttuple_known = false;
	p.ctdir_known = true;
	/* an invalid packet has no entry: the state decides, the rest is not looked at */
	if (!mt(4, "-m conntrack ! --ctstate NEW --ctdir REPLY", 0, &m))
		{ CHECK(0); return; }
	p.ctstate = 1;
	p.ctdir_known = false;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	if (!mt(4, "-m conntrack --ctstatus ASSURED,SEEN_REPLY --ctproto 6 --ctorigsrc 198.51.100.0/24", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ctdir_known = true;
	/* -m state (the conntrack alias) */
	if (!mt(4, "-m state --state NEW,ESTABLISHED", 0, &m))
		{ CHECK(0); return; }
	p.ctstate = 4;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ctstate = 8;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	/* untracked: nftables' bit 64 is conntrack's UNTRACKED, not SNAT */
	if (!mt(6, "-m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT", 0, &m))
		{ CHECK(0); return; }
	p.ctstate = 64;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	/* IPv6 reply tuple under a /48 */
	if (!mt(6, "-m conntrack --ctstate UNTRACKED,SNAT --ctreplsrc 2001:db8:2::2 --ctrepldst 2001:db8:1::/48", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);		/* untracked: the state alone decides */
	p.ctstate = 2;
	p.ctstatus = IPS_SRC_NAT;
	p.cttuple_known = true;
	p.ct_reply.src.family = p.ct_reply.dst.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8:2::2", &p.ct_reply.src.u.v6);
	inet_pton(AF_INET6, "2001:db8:1:ffff::9", &p.ct_reply.dst.u.v6);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	inet_pton(AF_INET6, "2001:db8:2::9", &p.ct_reply.dst.u.v6);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.ct_reply.dst.family = AF_INET;		/* a tuple of the other family is no answer */
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
}

static void
eval_ports_and_protocols(void)
{
	struct pp_xt_match m;
	struct pp_xt_pkt p = pkt4("198.51.100.2", "203.0.113.1", IPPROTO_TCP, 40000, 443);
	char why[256];

	if (!mt(4, "-p tcp -m multiport --dports 80,443", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.dport = 8443;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.sport_known = p.dport_known = false;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	p.sport_known = p.dport_known = true;
	if (!mt(6, "-p tcp -m multiport --dports 80,443,8000:8080", 0, &m))
		{ CHECK(0); return; }
	p.dport = 8042;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.dport = 8081;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	if (!mt(4, "-p tcp -m multiport ! --ports 22", 0, &m))
		{ CHECK(0); return; }
	p.sport = 22;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.sport = 40000;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);

	if (!mt(4, "-p tcp -m tcp --dport 8080", 0, &m))
		{ CHECK(0); return; }
	p.dport = 8080;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.dport = 8081;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.l4proto = IPPROTO_UDP;
	p.dport = 8080;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.l4proto = IPPROTO_TCP;
	if (!mt(4, "-p tcp --sport 1024:65535 --dport 22 --tcp-flags SYN,RST,ACK SYN", 0, &m))
		{ CHECK(0); return; }
	p.dport = 22;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "TCP flags") != NULL);
	p.tcp_flags_known = true;
	p.tcp_flags = 0x02;		/* SYN */
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.tcp_flags = 0x12;		/* SYN+ACK */
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.tcp_flags = 0x02;
	p.sport = 1000;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	if (!mt(6, "-p udp ! --sport 53", 0, &m))
		{ CHECK(0); return; }
	p = pkt6("2001:db8:1::2", "2001:db8:2::2", IPPROTO_UDP, 53, 5353);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.sport = 54;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);

	if (!mt(4, "-p icmp --icmp-type 3/4", 0, &m))
		{ CHECK(0); return; }
	p = pkt4("198.51.100.2", "203.0.113.1", IPPROTO_ICMP, 0, 0);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	p.icmp_known = true;
	p.icmp_type = 3, p.icmp_code = 4;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.icmp_code = 3;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	if (!mt(6, "-p ipv6-icmp --icmpv6-type 128", 0, &m))
		{ CHECK(0); return; }
	p = pkt6("2001:db8:1::2", "2001:db8:2::2", IPPROTO_ICMPV6, 0, 0);
	p.icmp_known = true;
	p.icmp_type = 128;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.icmp_type = 129;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
}


/* -m sctp: the ports as tcp's; a packet of another protocol never matches; chunks undecided. */
static void
eval_sctp(void)
{
	struct pp_xt_match m;
	struct pp_xt_pkt p = pkt4("198.51.100.2", "198.51.100.106", IPPROTO_SCTP, 40000, 53);
	char why[256];

	if (!mt(4, "-p sctp -m sctp --dport 53", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.dport = 54;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.dport_known = false;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "destination port") != NULL);
	p.dport_known = true;
	p.dport = 53;
	p.l4proto = IPPROTO_TCP;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.l4proto = IPPROTO_SCTP;
	/* the source port not known, and not asked about: decided */
	p.sport_known = false;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.sport_known = true;

	if (!mt(4, "-p sctp -m sctp --sport 1000:2000 ! --dport 80", 0, &m))
		{ CHECK(0); return; }
	p.sport = 1500;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.dport = 80;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.dport = 53;
	p.sport = 999;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.sport_known = false;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);

	if (!mt(6, "-p sctp -m sctp --dport 3868", 0, &m))
		{ CHECK(0); return; }
	p = pkt6("2001:db8:1::2", "2001:db8:2::2", IPPROTO_SCTP, 40000, 3868);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);

	if (!mt(4, "-p sctp -m sctp --chunk-types any INIT", 0, &m))
		{ CHECK(0); return; }
	p = pkt4("198.51.100.2", "198.51.100.106", IPPROTO_SCTP, 40000, 53);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "chunks") != NULL);
	/* not SCTP: decided without the chunks */
	p.l4proto = IPPROTO_UDP;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
}

static void
eval_marks_ranges_devices(void)
{
	struct pp_xt_match m;
	struct pp_xt_pkt p = pkt4("198.51.100.5", "203.0.113.15", IPPROTO_TCP, 40000, 80);
	char why[256];

	if (!mt(4, "-m mark --mark 0x1/0xff", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	p.mark_known = true;
	p.mark = 0x4001;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.mark = 0x4002;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	if (!mt(4, "-m mark ! --mark 0x4000", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	if (!mt(4, "-m connmark --mark 0x2/0xf", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	p.ctmark_known = true;
	p.ctmark = 0x12;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.ctmark = 0x13;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.mark_known = false;	/* the packet's mark is another fact */
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.mark_known = true;
	if (!mt(6, "-m connmark ! --mark 0x2", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.ctmark = 0x2;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	if (!mt(4, "-m iprange --src-range 198.51.100.1-198.51.100.9", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	inet_pton(AF_INET, "198.51.100.10", &p.src.u.v4);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	if (!mt(4, "-m iprange ! --dst-range 203.0.113.10-203.0.113.20", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	inet_pton(AF_INET, "203.0.113.21", &p.dst.u.v4);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.addr_known = false;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	if (!mt(6, "-m iprange --dst-range 2001:db8::1-2001:db8::ff", 0, &m))
		{ CHECK(0); return; }
	p = pkt6("2001:db8:1::2", "2001:db8::80", IPPROTO_TCP, 1, 2);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	inet_pton(AF_INET6, "2001:db8::100", &p.dst.u.v6);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);

	if (!mt(4, "-m mac --mac-source aa:bb:cc:00:00:01", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	p.smac_known = true;
	memcpy(p.smac, "\xaa\xbb\xcc\x00\x00\x01", 6);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.smac[5] = 2;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);

	if (!mt(4, "-m physdev --physdev-in veth0 --physdev-is-bridged", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	p.phys_known = true;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);	/* not bridged */
	p.bridged = true;
	snprintf(p.physin, sizeof(p.physin), "veth0");
	/* in through a bridge port to the host: not "bridged" (the kernel tests physoutdev) */
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	snprintf(p.physout, sizeof(p.physout), "veth3");
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	snprintf(p.physin, sizeof(p.physin), "veth1");
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	snprintf(p.physin, sizeof(p.physin), "veth00");	/* the NUL is in the mask */
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	if (!mt(4, "-m physdev ! --physdev-out br+", 0, &m))
		{ CHECK(0); return; }
	snprintf(p.physout, sizeof(p.physout), "br0");
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	snprintf(p.physout, sizeof(p.physout), "bridge7");	/* br+ is a prefix */
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	snprintf(p.physout, sizeof(p.physout), "veth2");
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.bridged = false;		/* not bridged: the inverted name matches */
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
}

static int
set_answer(const struct pp_xt_set_query *q, void *ctx, char *why, size_t whylen)
{
	const int *answer = ctx;

	/* a query for set 2 (blkp) must ask for src,dst */
	if (q->index == 2 && (q->dim != 2 || q->srcdst != 0x1))
		return -1;
	if (*answer < 0)
		snprintf(why, whylen, "ipset test: no answer");
	return *answer;
}

static void
eval_set_owner_socket(void)
{
	struct pp_xt_match m;
	struct pp_xt_pkt p = pkt4("198.51.100.5", "203.0.113.15", IPPROTO_TCP, 40000, 80);
	char why[256];
	int answer = 1;

	if (!mt(4, "-m set --match-set blk dst", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(pp_xt_match_set_index(&m), 0);
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "blk") != NULL);
	p.set_test = set_answer;
	p.set_ctx = &answer;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	answer = 0;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	answer = -1;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK_STR(why, "ipset test: no answer");
	if (!mt(4, "-m set ! --match-set blkp src,dst", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(pp_xt_match_set_index(&m), 2);
	answer = 1;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	answer = 0;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);

	if (!mt(4, "-m set --match-set blk src --return-nomatch ! --update-counters", 0, &m))
		{ CHECK(0); return; }
	answer = 1;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	answer = 0;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "return-nomatch") != NULL);

	if (!mt(4, "-m owner --uid-owner 1000-2000 --gid-owner 100", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	p.owner_known = true;
	p.has_sk = true;
	p.uid = 1500, p.gid = 100;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.uid = 999;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.has_sk = false;	/* forwarded: no socket, the owner match never matches */
	p.uid = 1500;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	if (!mt(6, "-m owner --socket-exists", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	p.has_sk = true;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);

	if (!mt(4, "-m socket", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	p.socket_known = true;
	p.socket = true;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	p.socket = false;
	CHECK_EQ_INT(EVAL(m, p), PP_XT_NOMATCH);
	if (!mt(4, "-m socket --transparent --nowildcard", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
}

static void
eval_undecidable_and_branches(void)
{
	struct pp_xt_match m;
	struct pp_xt_pkt p = pkt4("198.51.100.5", "203.0.113.15", IPPROTO_TCP, 40000, 80);
	struct pp_xt_branch b;
	char why[256];

	if (!mt(4, "-m limit --limit 5/sec", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK_STR(why, "-m limit: a rate pathcheck cannot know");
	CHECK(!pp_xt_match_branch(&m, &b));
	if (!mt(4, "-m hashlimit --hashlimit-above 10/sec --hashlimit-name h1", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "-m hashlimit") == why);
	if (!mt(6, "-m connlimit --connlimit-upto 4 --connlimit-mask 64 --connlimit-daddr", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "-m connlimit") == why);

	/* ufw's limit: --set always matches (it only records), --update asks the host's history. */
	if (!mt(4, "-m recent --set --name DEFAULT --mask 255.255.255.255 --rsource", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
	if (!mt(4, "-m recent --update --seconds 30 --hitcount 6 --name DEFAULT --mask 255.255.255.255 --rsource", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "-m recent") == why && strstr(why, "DEFAULT"));
	if (!mt(6, "-m recent ! --rcheck --seconds 60 --reap --name ssh --mask ffff:ffff:ffff:ffff:: --rdest", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_UNKNOWN);
	CHECK(strstr(why, "destination") != NULL);

	/* ufw6-before-input's -m rt --rt-type 0 -j DROP: the packet has no routing header, inverted or not. */
	{
		struct pp_xt_pkt p6 = pkt6("2001:db8:1::2", "2001:db8:1::1", IPPROTO_TCP, 40000, 22);

		if (!mt(6, "-m rt --rt-type 0", 0, &m))
			{ CHECK(0); return; }
		CHECK_EQ_INT(EVAL(m, p6), PP_XT_NOMATCH);
		if (!mt(6, "-m rt ! --rt-type 2 --rt-segsleft 1:5 --rt-len 24", 0, &m))
			{ CHECK(0); return; }
		CHECK_EQ_INT(EVAL(m, p6), PP_XT_NOMATCH);
	}

	if (!mt(4, "-m statistic --mode random --probability 0.5", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_BRANCH);
	CHECK(pp_xt_match_branch(&m, &b));
	CHECK(!b.nth && b.p_match == 0.5);
	if (!mt(6, "-m statistic --mode random --probability 0.33333333349", 0, &m))
		{ CHECK(0); return; }
	CHECK(pp_xt_match_branch(&m, &b));
	CHECK(b.p_match > 0.3333 && b.p_match < 0.3334);
	if (!mt(4, "-m statistic --mode nth --every 3 --packet 1", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_BRANCH);
	CHECK(pp_xt_match_branch(&m, &b));
	CHECK(b.nth && b.every == 3 && b.packet == 1);
	if (!mt(4, "-m comment --comment hello -j ACCEPT", 0, &m))
		{ CHECK(0); return; }
	CHECK_EQ_INT(EVAL(m, p), PP_XT_MATCH);
}

static void
targets_decoded(void)
{
	struct pp_xt_target t;
	char a[64];

	if (!tg(4, "-p tcp -j DNAT --to-destination 198.51.100.2:80", &t))
		{ CHECK(0); return; }
	CHECK(t.act.nat && t.act.verdict == PP_XT_V_ACCEPT);
	CHECK(t.act.nat_range.flags & NF_NAT_RANGE_MAP_IPS);
	CHECK_STR(inet_ntop(AF_INET, &t.act.nat_range.min.u.v4, a, sizeof(a)), "198.51.100.2");
	CHECK_EQ_INT(t.act.nat_range.min_port, 80);
	CHECK_EQ_INT(t.act.nat_range.max_port, 80);
	if (!tg(6, "-p tcp -j DNAT --to-destination [2001:db8::2]:80", &t))
		{ CHECK(0); return; }
	CHECK_STR(inet_ntop(AF_INET6, &t.act.nat_range.max.u.v6, a, sizeof(a)), "2001:db8::2");
	if (!tg(4, "-j MASQUERADE", &t))
		{ CHECK(0); return; }
	CHECK(t.kind == PP_XT_T_MASQUERADE && t.act.nat && !(t.act.nat_range.flags & NF_NAT_RANGE_MAP_IPS));
	if (!tg(6, "-j REJECT", &t))
		{ CHECK(0); return; }
	CHECK(t.act.reject && t.act.verdict == PP_XT_V_DROP);
	CHECK_EQ_INT(t.act.reject_with, 4);	/* IP6T_ICMP6_PORT_UNREACH */
	if (!tg(4, "-p tcp -j REJECT --reject-with tcp-reset", &t))
		{ CHECK(0); return; }
	CHECK_EQ_INT(t.act.reject_with, 7);	/* IPT_TCP_RESET */
	if (!tg(4, "-j MARK --set-xmark 0x4000/0x4000", &t))
		{ CHECK(0); return; }
	CHECK(t.act.set_mark && t.act.verdict == PP_XT_V_CONTINUE);
	CHECK_EQ_INT(pp_xt_mark_apply(&t.act, 0x1), 0x4001);
	CHECK_EQ_INT(pp_xt_mark_apply(&t.act, 0x4001), 0x4001);
	if (!tg(6, "-j MARK --or-mark 0x8000", &t))
		{ CHECK(0); return; }
	CHECK_EQ_INT(pp_xt_mark_apply(&t.act, 0x1), 0x8001);
	if (!tg(4, "-j MARK --set-mark 0x1", &t))
		{ CHECK(0); return; }
	CHECK_EQ_INT(pp_xt_mark_apply(&t.act, 0xff00), 0x1);
	if (!tg(4, "-j CONNMARK --save-mark", &t))
		{ CHECK(0); return; }
	CHECK(t.act.connmark && t.act.connmark_mode == 1 && t.act.verdict == PP_XT_V_CONTINUE);
	{
		uint32_t mark = 0x1234, ctmark = 0xff000000;

		pp_xt_connmark_apply(&t.act, &mark, &ctmark);
		CHECK_EQ_INT(ctmark, 0x1234);
		CHECK_EQ_INT(mark, 0x1234);
		if (!tg(4, "-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff", &t))
			{ CHECK(0); return; }
		mark = 0xab00, ctmark = 0x5566;
		pp_xt_connmark_apply(&t.act, &mark, &ctmark);
		CHECK_EQ_INT(mark, 0xab66);
		CHECK_EQ_INT(ctmark, 0x5566);
		if (!tg(4, "-j CONNMARK --save-mark --mask 0xffff", &t))
			{ CHECK(0); return; }
		mark = 0x12345678, ctmark = 0xabcd0000;
		pp_xt_connmark_apply(&t.act, &mark, &ctmark);
		CHECK_EQ_INT(ctmark, 0xabcd5678);
		if (!tg(6, "-j CONNMARK --set-mark 0x1/0x1", &t))
			{ CHECK(0); return; }
		mark = 7, ctmark = 0x10;
		pp_xt_connmark_apply(&t.act, &mark, &ctmark);
		CHECK_EQ_INT(ctmark, 0x11);
		CHECK_EQ_INT(mark, 7);
		/* rev 2's shift: ctmark = ((ctmark & ~ctmask) ^ ctmark_value) << bits */
		t.act.shift_dir = 0, t.act.shift_bits = 4;
		ctmark = 0x10;
		pp_xt_connmark_apply(&t.act, &mark, &ctmark);
		CHECK_EQ_INT(ctmark, 0x110);
		/* MARK leaves the connection's mark alone, CONNMARK the packet's set_mark */
		CHECK_EQ_INT(pp_xt_mark_apply(&t.act, 9), 9);
	}
	if (!tg(4, "-j CT --notrack", &t))
		{ CHECK(0); return; }
	CHECK(t.act.notrack);
	if (!tg(4, "-j LOG --log-prefix \"DROP: \" --log-level 6", &t))
		{ CHECK(0); return; }
	CHECK(t.act.verdict == PP_XT_V_CONTINUE && !t.act.nat && !t.act.reject);
	if (!tg(4, "-p tcp --dport 80 -j ACCEPT", &t))
		{ CHECK(0); return; }
	CHECK(t.kind == PP_XT_T_STANDARD && t.act.verdict == PP_XT_V_ACCEPT);
	if (!tg(4, "-j DROP", &t))
		{ CHECK(0); return; }
	CHECK(t.act.verdict == PP_XT_V_DROP);
	if (!tg(6, "-j RETURN", &t))
		{ CHECK(0); return; }
	CHECK(t.act.verdict == PP_XT_V_RETURN);
}

/* A blob the right size with a field the kernel would refuse: refused, named. */
static void
bad_fields_refused(void)
{
	const struct xt_vec *v = vec(4, "-m set --match-set blk dst");
	const struct xt_vec *r = vec(4, "-j REJECT");
	uint8_t buf[64];
	struct pp_xt_match m;
	struct pp_xt_target t;
	char err[256];

	if (!v || !r)
		{ CHECK(0); return; }
	memcpy(buf, v->expr[0].info, v->expr[0].len);
	buf[2] = 7;			/* dim beyond IPSET_DIM_MAX */
	CHECK_EQ_INT(pp_xt_match_decode("set", 4, NFPROTO_IPV4, buf, v->expr[0].len, &m, err,
					sizeof(err)), -EBADMSG);
	CHECK(strstr(err, "dimension 7") != NULL);
	memcpy(buf, r->expr[0].info, r->expr[0].len);
	buf[0] = 42;
	CHECK_EQ_INT(pp_xt_target_decode("REJECT", 0, NFPROTO_IPV4, buf, r->expr[0].len, &t, err,
					 sizeof(err)), -EBADMSG);
	CHECK(strstr(err, "reject type 42") != NULL);
}

/* The text of one expression of a vector decoded at another revision from blob. */
static const char *
text_at(const struct xt_vec *v, unsigned idx, unsigned rev, const void *blob, size_t len, char *out,
	size_t outlen)
{
	const struct xt_vec_expr *x = &v->expr[idx];
	struct pp_xt_match m;
	struct pp_xt_target t;
	char err[256];

	if (!strcmp(x->kind, "match")) {
		if (pp_xt_match_decode(x->name, rev, nfproto(v), blob, len, &m, err, sizeof(err)) < 0)
			goto bad;
		snprintf(m.set_name, sizeof(m.set_name), "%s", v->setname);
		pp_xt_match_text(&m, out, outlen);
	} else {
		if (pp_xt_target_decode(x->name, rev, nfproto(v), blob, len, &t, err, sizeof(err)) < 0)
			goto bad;
		pp_xt_target_text(&t, out, outlen);
	}
	return out;
bad:
	printf("#   %s rev %u: %s\n", x->name, rev, err);
	return "(refused)";
}

static const struct xt_vec *
vec_kind(int fam, const char *args, const char *kind, unsigned *idx)
{
	const struct xt_vec *v = vec(fam, args);
	unsigned k;

	for (k = 0; v && k < v->nexpr; k++)
		if (!strcmp(v->expr[k].kind, kind)) {
			*idx = k;
			return v;
		}
	return NULL;
}

/*
 * iptables 1.8.9 on this kernel writes the newest revisions only. The older ones
 * (still in rulesets older iptables wrote) are made here from the real blobs,
 * field by field through the kernel's structs, and must print the same.
 */
static void
older_revisions_print_alike(void)
{
	const struct xt_vec *v;
	unsigned i = 0;
	char want[512], got[512];

	if ((v = vec_kind(4, "-m conntrack --ctstate DNAT --ctorigdst 203.0.113.10 --ctorigdstport 80", "match", &i))) {
		struct xt_conntrack_mtinfo3 c3;
		struct xt_conntrack_mtinfo2 c2 = { 0 };
		struct xt_conntrack_mtinfo1 c1 = { 0 };

		memcpy(&c3, v->expr[i].info, sizeof(c3));
		text_at(v, i, 3, v->expr[i].info, v->expr[i].len, want, sizeof(want));
		memcpy(&c2, &c3, offsetof(struct xt_conntrack_mtinfo2, l4proto));
		c2.origdst_port = htons(c3.origdst_port);
		c2.match_flags = c3.match_flags;
		c2.state_mask = c3.state_mask;
		memcpy(&c1, &c3, offsetof(struct xt_conntrack_mtinfo1, l4proto));
		c1.origdst_port = htons(c3.origdst_port);
		c1.match_flags = c3.match_flags;
		c1.state_mask = (uint8_t)c3.state_mask;
		CHECK_STR(text_at(v, i, 2, &c2, XT_ALIGN(sizeof(c2)), got, sizeof(got)), want);
		CHECK_STR(text_at(v, i, 1, &c1, XT_ALIGN(sizeof(c1)), got, sizeof(got)), want);
	} else CHECK(0);
	if ((v = vec_kind(4, "-m set ! --match-set blkp src,dst", "match", &i))) {
		struct xt_set_info_match_v4 s4;
		struct xt_set_info_match_v3 s3 = { 0 };
		struct xt_set_info_match_v1 s1 = { 0 };

		memcpy(&s4, v->expr[i].info, sizeof(s4));
		text_at(v, i, 4, v->expr[i].info, v->expr[i].len, want, sizeof(want));
		CHECK_STR(want, "-m set ! --match-set blkp src,dst");
		s3.match_set = s1.match_set = s4.match_set;
		CHECK_STR(text_at(v, i, 3, &s3, XT_ALIGN(sizeof(s3)), got, sizeof(got)), want);
		CHECK_STR(text_at(v, i, 2, &s1, XT_ALIGN(sizeof(s1)), got, sizeof(got)), want);
		CHECK_STR(text_at(v, i, 1, &s1, XT_ALIGN(sizeof(s1)), got, sizeof(got)), want);
		/* rev 2 carries --return-nomatch in the set flags */
		s1.match_set.flags |= IPSET_RETURN_NOMATCH;
		CHECK_STR(text_at(v, i, 2, &s1, XT_ALIGN(sizeof(s1)), got, sizeof(got)),
			  "-m set ! --match-set blkp src,dst --return-nomatch");
	} else CHECK(0);
	if ((v = vec_kind(6, "-m hashlimit --hashlimit-upto 5/sec --hashlimit-mode srcip --hashlimit-srcmask 64 --hashlimit-name h6", "match", &i))) {
		struct xt_hashlimit_mtinfo3 h3;
		struct xt_hashlimit_mtinfo2 h2 = { 0 };

		memcpy(&h3, v->expr[i].info, sizeof(h3));
		text_at(v, i, 3, v->expr[i].info, v->expr[i].len, want, sizeof(want));
		memcpy(h2.name, h3.name, sizeof(h2.name));
		h2.cfg.avg = h3.cfg.avg, h2.cfg.burst = h3.cfg.burst, h2.cfg.mode = h3.cfg.mode;
		h2.cfg.size = h3.cfg.size, h2.cfg.max = h3.cfg.max, h2.cfg.gc_interval = h3.cfg.gc_interval;
		h2.cfg.expire = h3.cfg.expire, h2.cfg.srcmask = h3.cfg.srcmask, h2.cfg.dstmask = h3.cfg.dstmask;
		CHECK_STR(text_at(v, i, 2, &h2, XT_ALIGN(sizeof(h2)), got, sizeof(got)), want);
	} else CHECK(0);
	if ((v = vec_kind(4, "-p tcp -j DNAT --to-destination 198.51.100.2:80", "target", &i))) {
		struct nf_nat_range2 r2;
		struct nf_nat_ipv4_multi_range_compat c = { 0 };

		memcpy(&r2, v->expr[i].info, sizeof(r2));
		text_at(v, i, 2, v->expr[i].info, v->expr[i].len, want, sizeof(want));
		CHECK_STR(text_at(v, i, 1, &r2, XT_ALIGN(sizeof(struct nf_nat_range)), got, sizeof(got)), want);
		c.rangesize = 1;
		c.range[0].flags = r2.flags;
		c.range[0].min_ip = r2.min_addr.ip;
		c.range[0].max_ip = r2.max_addr.ip;
		c.range[0].min = r2.min_proto;
		c.range[0].max = r2.max_proto;
		CHECK_STR(text_at(v, i, 0, &c, XT_ALIGN(sizeof(c)), got, sizeof(got)), want);
		c.rangesize = 2;
		CHECK_STR(text_at(v, i, 0, &c, XT_ALIGN(sizeof(c)), got, sizeof(got)), "(refused)");
	} else CHECK(0);
	if ((v = vec_kind(4, "-j CONNMARK --restore-mark --nfmask 0xff --ctmask 0xff", "target", &i))) {
		struct xt_connmark_tginfo2 k2;
		struct xt_connmark_tginfo1 k1 = { 0 };

		memcpy(&k2, v->expr[i].info, sizeof(k2));
		text_at(v, i, 2, v->expr[i].info, v->expr[i].len, want, sizeof(want));
		k1.ctmark = k2.ctmark, k1.ctmask = k2.ctmask, k1.nfmask = k2.nfmask, k1.mode = k2.mode;
		CHECK_STR(text_at(v, i, 1, &k1, XT_ALIGN(sizeof(k1)), got, sizeof(got)), want);
	} else CHECK(0);
	if ((v = vec_kind(4, "-j CT --zone 5", "target", &i))) {
		struct xt_ct_target_info_v1 t1;
		struct xt_ct_target_info t0 = { 0 };

		memcpy(&t1, v->expr[i].info, sizeof(t1));
		text_at(v, i, 2, v->expr[i].info, v->expr[i].len, want, sizeof(want));
		CHECK_STR(want, "-j CT --zone 5");
		CHECK_STR(text_at(v, i, 1, &t1, XT_ALIGN(sizeof(t1)), got, sizeof(got)), want);
		t0.flags = t1.flags, t0.zone = t1.zone;
		CHECK_STR(text_at(v, i, 0, &t0, XT_ALIGN(sizeof(t0)), got, sizeof(got)), want);
	} else CHECK(0);
	if ((v = vec_kind(4, "-m socket", "match", &i))) {
		text_at(v, i, 3, v->expr[i].info, v->expr[i].len, want, sizeof(want));
		CHECK_STR(text_at(v, i, 2, v->expr[i].info, v->expr[i].len, got, sizeof(got)), want);
		CHECK_STR(text_at(v, i, 1, v->expr[i].info, v->expr[i].len, got, sizeof(got)), want);
	} else CHECK(0);
}

int
main(void)
{
	RUN(vectors_text_as_iptables_save);
	RUN(truncated_blobs_refused);
	RUN(unknown_revision_and_name);
	RUN(eval_addrtype);
	RUN(eval_conntrack);
	RUN(eval_ports_and_protocols);
	RUN(eval_sctp);
	RUN(eval_marks_ranges_devices);
	RUN(eval_set_owner_socket);
	RUN(eval_undecidable_and_branches);
	RUN(targets_decoded);
	RUN(bad_fields_refused);
	RUN(older_revisions_print_alike);
	return tap_done();
}
