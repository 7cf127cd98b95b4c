/*
 * xt_eval: judge the x_tables matches of one nftables chain on a packet described
 * on the command line, with common/xt.c (and common/ipset.c for -m set), in the
 * namespace it runs in. For the xt_eval scenario, which compares each rule's
 * answer with the rule's counter after the same packet went through the kernel.
 *
 *   xt_eval ip|ip6 TABLE CHAIN FACT...
 *     src=ADDR dst=ADDR proto=tcp|udp|icmp sport=N dport=N ctstate=N (nftables bits)
 *     dsttype=N srctype=N (1 << RTN_*) mark=N ctmark=N smac=aa:bb:.. socket=0|1 bridged=0|1
 *     cttuple=1 (after the others: the entry's tuples are the packet's, no NAT)
 *
 * One line per rule, in order: "rule N match|nomatch|unknown|branch TEXT [: why]",
 * where TEXT is the rule's x_tables expressions as iptables-save shows them and the
 * answer is that of all of them together (the rule's native expressions, such as
 * -p tcp, are not judged: the scenario's packets satisfy them). A MARK or CONNMARK
 * target of a matching rule changes the packet's marks for the rules after it, as
 * the kernel's does; after an undecided one the marks are unknown.
 *
 * Build: cc -I common -o xt_eval tests/tools/xt_eval.c build/libpktpath.a -lmnl -lnftnl
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <net/if.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>

#include "ipset.h"
#include "nft.h"
#include "xt.h"

struct ctx {
	struct pp_xt_pkt *p;
	struct pp_nl *ipset;
	int n;
};

/* -m set asks the kernel: the name from the index, the type, then IPSET_CMD_TEST. */
static int
set_test(const struct pp_xt_set_query *q, void *data, char *why, size_t whylen)
{
	struct pp_nl *nl = data;
	struct pp_err e = { 0 };
	struct pp_ipset_info info;
	struct pp_ipset_key k;
	char name[PP_IPSET_NAMELEN];
	int rc;

	if (pp_ipset_name(nl, q->index, name, sizeof(name), &e) < 0 ||
	    pp_ipset_header(nl, name, &info, &e) < 0) {
		snprintf(why, whylen, "ipset #%u: %s", q->index, e.what);
		return -1;
	}
	if ((rc = pp_ipset_key_for(&info, q, &k, why, whylen)) <= 0)
		return rc;
	rc = pp_ipset_test(nl, name, info.family, &k, &e);
	if (rc < 0)
		snprintf(why, whylen, "%s: %s", e.what, strerror(-rc));
	return rc;
}

struct rule_eval {
	struct ctx *c;
	enum pp_xt_result res;
	char text[1024], why[256];
	size_t tn;
};

static int
expr_cb(struct nftnl_expr *ex, void *data)
{
	struct rule_eval *r = data;
	const char *kind = nftnl_expr_get_str(ex, NFTNL_EXPR_NAME);
	struct pp_xt_match m;
	char one[512], err[256], why[256] = "";
	const void *info;
	uint32_t len = 0;
	enum pp_xt_result x;

	if (!strcmp(kind, "target")) {
		struct pp_xt_target t;

		info = nftnl_expr_get(ex, NFTNL_EXPR_TG_INFO, &len);
		if (pp_xt_target_decode(nftnl_expr_get_str(ex, NFTNL_EXPR_TG_NAME),
					nftnl_expr_get_u32(ex, NFTNL_EXPR_TG_REV), r->c->p->family, info,
					len, &t, err, sizeof(err)) < 0) {
			snprintf(r->why, sizeof(r->why), "%s", err);
			r->res = PP_XT_UNKNOWN;
			return 0;
		}
		pp_xt_target_text(&t, one, sizeof(one));
		r->tn += (size_t)snprintf(r->text + r->tn, sizeof(r->text) - r->tn, "%s%s",
					  r->tn ? " " : "", one);
		if (r->tn >= sizeof(r->text))
			r->tn = sizeof(r->text) - 1;
		if (r->res == PP_XT_MATCH) {
			r->c->p->mark = pp_xt_mark_apply(&t.act, r->c->p->mark);
			pp_xt_connmark_apply(&t.act, &r->c->p->mark, &r->c->p->ctmark);
		} else if (r->res != PP_XT_NOMATCH && (t.act.set_mark || t.act.connmark)) {
			r->c->p->mark_known = r->c->p->ctmark_known = false;
		}
		return 0;
	}
	if (strcmp(kind, "match"))
		return 0;
	info = nftnl_expr_get(ex, NFTNL_EXPR_MT_INFO, &len);
	if (pp_xt_match_decode(nftnl_expr_get_str(ex, NFTNL_EXPR_MT_NAME),
			       nftnl_expr_get_u32(ex, NFTNL_EXPR_MT_REV), r->c->p->family, info, len,
			       &m, err, sizeof(err)) < 0) {
		r->res = PP_XT_UNKNOWN;
		snprintf(r->why, sizeof(r->why), "%s", err);
		return 0;
	}
	/* the text names the set as iptables-save does: its name from the kernel's index */
	if (pp_xt_match_set_index(&m) >= 0) {
		struct pp_err e = { 0 };

		if (pp_ipset_name(r->c->ipset, (uint16_t)pp_xt_match_set_index(&m), m.set_name,
				  sizeof(m.set_name), &e) < 0)
			m.set_name[0] = '\0';
	}
	pp_xt_match_text(&m, one, sizeof(one));
	r->tn += (size_t)snprintf(r->text + r->tn, sizeof(r->text) - r->tn, "%s%s", r->tn ? " " : "", one);
	if (r->tn >= sizeof(r->text))
		r->tn = sizeof(r->text) - 1;
	x = pp_xt_match_eval(&m, r->c->p, why, sizeof(why));
	/* all of them: a nomatch decides, else an unknown or branch is kept */
	if (r->res == PP_XT_NOMATCH)
		return 0;
	if (x == PP_XT_NOMATCH || (x != PP_XT_MATCH && r->res == PP_XT_MATCH)) {
		r->res = x;
		snprintf(r->why, sizeof(r->why), "%s", why);
	}
	return 0;
}

static int
rule_cb(struct nftnl_rule *rule, void *data)
{
	static const char *const names[] = { "nomatch", "match", "unknown", "branch" };
	struct ctx *c = data;
	struct rule_eval r = { .c = c, .res = PP_XT_MATCH };

	nftnl_expr_foreach(rule, expr_cb, &r);
	printf("rule %d %s %s%s%s\n", ++c->n, names[r.res], r.text, r.why[0] ? " : " : "", r.why);
	return 0;
}

static bool
fact(struct pp_xt_pkt *p, const char *kv)
{
	const char *v = strchr(kv, '=');
	int af = p->family == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
	unsigned long n;

	if (!v++)
		return false;
	n = strtoul(v, NULL, 0);
	if (!strncmp(kv, "src=", 4) || !strncmp(kv, "dst=", 4)) {
		struct pp_addr *a = kv[0] == 's' ? &p->src : &p->dst;

		a->family = af;
		p->addr_known = true;
		return inet_pton(af, v, &a->u) == 1;
	}
	if (!strncmp(kv, "proto=", 6)) {
		p->l4_known = true;
		p->l4proto = !strcmp(v, "tcp") ? IPPROTO_TCP : !strcmp(v, "udp") ? IPPROTO_UDP :
			     p->family == NFPROTO_IPV6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	} else if (!strncmp(kv, "sport=", 6)) {
		p->ports_known = true;
		p->sport = (uint16_t)n;
	} else if (!strncmp(kv, "dport=", 6)) {
		p->ports_known = true;
		p->dport = (uint16_t)n;
	} else if (!strncmp(kv, "ctstate=", 8)) {
		p->ctstate_known = p->ctstatus_known = p->ctdir_known = true;
		p->ctstate = (uint32_t)n;
	} else if (!strncmp(kv, "dsttype=", 8)) {
		p->addrtype_known = true;
		p->dst_type = (uint16_t)n;
	} else if (!strncmp(kv, "srctype=", 8)) {
		p->addrtype_known = true;
		p->src_type = (uint16_t)n;
	} else if (!strncmp(kv, "ctmark=", 7)) {
		p->ctmark_known = true;
		p->ctmark = (uint32_t)n;
	} else if (!strcmp(kv, "cttuple=1")) {
		/* a new entry without NAT: the original tuple is the packet's, the reply its reverse */
		p->cttuple_known = true;
		p->ct_l4proto = p->l4proto;
		p->ct_orig.src = p->ct_reply.dst = p->src;
		p->ct_orig.dst = p->ct_reply.src = p->dst;
		p->ct_orig.sport = p->ct_reply.dport = p->sport;
		p->ct_orig.dport = p->ct_reply.sport = p->dport;
	} else if (!strncmp(kv, "mark=", 5)) {
		p->mark_known = true;
		p->mark = (uint32_t)n;
	} else if (!strncmp(kv, "smac=", 5)) {
		p->smac_known = true;
		return sscanf(v, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &p->smac[0], &p->smac[1], &p->smac[2],
			      &p->smac[3], &p->smac[4], &p->smac[5]) == 6;
	} else if (!strncmp(kv, "socket=", 7)) {
		p->socket_known = true;
		p->socket = n != 0;
	} else if (!strncmp(kv, "bridged=", 8)) {
		p->phys_known = true;
		p->bridged = n != 0;
	} else {
		return false;
	}
	return true;
}

int
main(int argc, char *argv[])
{
	struct pp_nl nl, ipset;
	struct pp_err e = { 0 };
	struct pp_xt_pkt p = { 0 };
	struct ctx c = { &p, &ipset, 0 };
	int rc, i;

	if (argc < 4 || (strcmp(argv[1], "ip") && strcmp(argv[1], "ip6"))) {
		fprintf(stderr, "usage: xt_eval ip|ip6 TABLE CHAIN FACT...\n");
		return 2;
	}
	p.family = !strcmp(argv[1], "ip") ? NFPROTO_IPV4 : NFPROTO_IPV6;
	for (i = 4; i < argc; i++)
		if (!fact(&p, argv[i])) {
			fprintf(stderr, "xt_eval: bad fact %s\n", argv[i]);
			return 2;
		}
	if ((rc = pp_nl_open(&nl, NETLINK_NETFILTER, &e)) < 0 ||
	    (rc = pp_nl_open(&ipset, NETLINK_NETFILTER, &e)) < 0) {
		fprintf(stderr, "xt_eval: netlink: %s\n", strerror(-rc));
		return 1;
	}
	p.set_test = set_test;
	p.set_ctx = &ipset;
	rc = pp_nft_rule_dump(&nl, p.family, argv[2], argv[3], rule_cb, &c, &e);
	pp_nl_close(&nl);
	pp_nl_close(&ipset);
	if (rc < 0) {
		fprintf(stderr, "xt_eval: %s: %s\n", e.what, strerror(-rc));
		return 1;
	}
	return 0;
}
