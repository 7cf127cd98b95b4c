/*
 * ipset_probe: a test driver for common/ipset.c, in the namespace it runs in.
 *
 *   ipset_probe header NAME             "name N type T family F revision R elements E"
 *   ipset_probe name INDEX              the name of the set with that kernel index
 *   ipset_probe test NAME ELEMENT       "in" or "not in" (ELEMENT as ipset(8) writes it:
 *                                        198.51.100.2,tcp:80 ; 2001:db8::1 ; 80 ; aa:bb:..)
 *   ipset_probe xt NAME DIRS SRC DST PROTO SPORT DPORT
 *                                       what -m set --match-set NAME DIRS answers for that
 *                                       packet: "in", "not in", "never" or "unknown: why"
 * Exit 0 when an answer was printed, 1 on an error (printed on stderr), 2 on bad usage.
 *
 * Build: cc -I common -o ipset_probe tests/tools/ipset_probe.c build/libpktpath.a -lmnl -lnftnl
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <linux/netfilter.h>

#include "ipset.h"
#include "xt.h"

static int
fail(const char *what, int rc, const struct pp_err *e)
{
	char buf[512];

	fprintf(stderr, "ipset_probe: %s: %s (%d)\n", what, pp_err_str(e, buf, sizeof(buf)), rc);
	return 1;
}

static bool
parse_addr(const char *s, uint8_t family, struct pp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->family = family == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
	return inet_pton(a->family, s, &a->u) == 1;
}

static bool
parse_proto(const char *s, uint8_t *proto)
{
	static const struct { const char *n; uint8_t p; } t[] = {
		{ "tcp", IPPROTO_TCP }, { "udp", IPPROTO_UDP }, { "sctp", IPPROTO_SCTP },
		{ "udplite", IPPROTO_UDPLITE }, { "icmp", IPPROTO_ICMP }, { "icmpv6", IPPROTO_ICMPV6 },
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		if (!strcmp(s, t[i].n)) {
			*proto = t[i].p;
			return true;
		}
	return false;
}

/* One part of an ipset(8) element of the set's type. */
static bool
parse_part(char *s, enum pp_ipset_part kind, uint8_t family, struct pp_ipset_keypart *kp)
{
	char *c;

	kp->kind = kind;
	switch (kind) {
	case PP_IPSET_P_IP:
		return parse_addr(s, family, &kp->addr);
	case PP_IPSET_P_PORT:
		kp->proto = IPPROTO_TCP;
		if ((c = strchr(s, ':'))) {
			*c = '\0';
			if (!parse_proto(s, &kp->proto))
				return false;
			s = c + 1;
		}
		if ((c = strchr(s, '/'))) {	/* icmp:TYPE/CODE */
			*c = '\0';
			kp->port = (uint16_t)(strtoul(s, NULL, 10) << 8 | strtoul(c + 1, NULL, 10));
		} else {
			kp->port = (uint16_t)strtoul(s, NULL, 10);
		}
		return true;
	case PP_IPSET_P_MAC:
		return sscanf(s, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx", &kp->mac[0], &kp->mac[1], &kp->mac[2],
			      &kp->mac[3], &kp->mac[4], &kp->mac[5]) == 6;
	case PP_IPSET_P_IFACE:
		snprintf(kp->iface, sizeof(kp->iface), "%s", s);
		return true;
	case PP_IPSET_P_MARK:
		kp->mark = (uint32_t)strtoul(s, NULL, 0);
		return true;
	}
	return false;
}

static int
run(struct pp_nl *nl, int argc, char *argv[])
{
	struct pp_err e = { 0 };
	struct pp_ipset_info info;
	int rc;

	if (!strcmp(argv[1], "name") && argc == 3) {
		char name[PP_IPSET_NAMELEN];

		if ((rc = pp_ipset_name(nl, (uint16_t)strtoul(argv[2], NULL, 10), name, sizeof(name), &e)) < 0)
			return fail("name", rc, &e);
		printf("%s\n", name);
		return 0;
	}
	if ((rc = pp_ipset_header(nl, argv[2], &info, &e)) < 0)
		return fail("header", rc, &e);
	if (!strcmp(argv[1], "header") && argc == 3) {
		printf("name %s type %s family %u revision %u elements %u\n", info.name, info.type,
		       info.family, info.revision, info.elements);
		return 0;
	}
	if (!strcmp(argv[1], "test") && argc == 4) {
		enum pp_ipset_part parts[PP_IPSET_PARTS];
		struct pp_ipset_key k = { 0 };
		int n = pp_ipset_type_parts(info.type, parts), i;
		char *save, *tok = strtok_r(argv[3], ",", &save);

		if (n < 0) {
			fprintf(stderr, "ipset_probe: type %s not supported\n", info.type);
			return 1;
		}
		for (i = 0; i < n; i++, tok = strtok_r(NULL, ",", &save))
			if (!tok || !parse_part(tok, parts[i], info.family, &k.part[i])) {
				fprintf(stderr, "ipset_probe: bad element part %d\n", i + 1);
				return 2;
			}
		k.n = (unsigned)n;
		if (!strncmp(info.type, "bitmap:", 7))
			for (i = 0; i < n; i++)
				k.part[i].proto = 0;
		if ((rc = pp_ipset_test(nl, info.name, info.family, &k, &e)) < 0)
			return fail("test", rc, &e);
		printf("%s\n", rc ? "in" : "not in");
		return 0;
	}
	if (!strcmp(argv[1], "xt") && argc == 9) {
		struct pp_xt_pkt p = { 0 };
		struct pp_xt_set_query q = { 0 };
		struct pp_ipset_key k;
		char why[256] = "", *save, *tok;

		p.family = strchr(argv[4], ':') ? NFPROTO_IPV6 : NFPROTO_IPV4;
		p.addr_known = parse_addr(argv[4], p.family, &p.src) && parse_addr(argv[5], p.family, &p.dst);
		p.l4_known = parse_proto(argv[6], &p.l4proto);
		p.ports_known = true;
		p.sport = (uint16_t)strtoul(argv[7], NULL, 10);
		p.dport = (uint16_t)strtoul(argv[8], NULL, 10);
		q.pkt = &p;
		for (tok = strtok_r(argv[3], ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			if (!strcmp(tok, "src"))
				q.srcdst |= (uint8_t)(1u << q.dim);
			q.dim++;
		}
		rc = pp_ipset_key_for(&info, &q, &k, why, sizeof(why));
		if (rc < 0) {
			printf("unknown: %s\n", why);
			return 0;
		}
		if (rc == 0) {
			printf("never\n");
			return 0;
		}
		if ((rc = pp_ipset_test(nl, info.name, info.family, &k, &e)) < 0)
			return fail("test", rc, &e);
		printf("%s\n", rc ? "in" : "not in");
		return 0;
	}
	fprintf(stderr, "ipset_probe: %s: unknown command or wrong arguments\n", argv[1]);
	return 2;
}

int
main(int argc, char *argv[])
{
	struct pp_nl nl;
	struct pp_err e = { 0 };
	int rc;

	if (argc < 3) {
		fprintf(stderr, "usage: ipset_probe header NAME | name INDEX | test NAME ELEMENT |"
				" xt NAME DIRS SRC DST PROTO SPORT DPORT\n");
		return 2;
	}
	if ((rc = pp_nl_open(&nl, NETLINK_NETFILTER, &e)) < 0)
		return fail("netlink", rc, &e);
	rc = run(&nl, argc, argv);
	pp_nl_close(&nl);
	return rc;
}
