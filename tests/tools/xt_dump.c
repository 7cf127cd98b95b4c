/*
 * xt_dump: print the x_tables match and target expressions of one nftables chain,
 * read back through common/nft.c (libnftnl), in the namespace it runs in.
 *
 *   xt_dump ip|ip6 TABLE CHAIN             the rules iptables-nft wrote (NFT_MSG_GETRULE)
 *   xt_dump legacy4|legacy6 TABLE CHAIN    the rules iptables-legacy wrote (IPT_SO_GET_ENTRIES)
 *
 * One line per rule: "rule N" followed by, for each expression of the rule,
 * "  expr NAME" or, for match/target, "  match|target NAME REV LEN HEXBYTES".
 * The legacy tables carry the same xt_* structs as iptables-nft's match and target
 * expressions (nft_compat hands the blob to the same x_tables extension); they are
 * read for the matches that iptables-nft 1.8.9 writes as native expressions
 * (tcp, udp ports, mark, limit), which older iptables-nft and --compat write as blobs.
 * The standard target (name "") is printed as "-".
 * tests/tools/xt_vectors.sh turns these into tests/unit/xt_vectors.h.
 *
 * Build: cc -I common -o xt_dump tests/tools/xt_dump.c build/libpktpath.a -lmnl -lnftnl
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>
#include <net/if.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4/ip_tables.h>
#include <linux/netfilter_ipv6/ip6_tables.h>
#include <libnftnl/rule.h>
#include <libnftnl/expr.h>

#include "nft.h"

static void
print_blob(const char *kind, const char *name, unsigned rev, const uint8_t *p, size_t len)
{
	size_t i;

	printf("  %s %s %u %zu ", kind, name, rev, len);
	for (i = 0; i < len; i++)
		printf("%02x", p[i]);
	printf("\n");
}

static int
expr_cb(struct nftnl_expr *ex, void *data)
{
	const char *name = nftnl_expr_get_str(ex, NFTNL_EXPR_NAME);
	uint16_t a_name, a_rev, a_info;
	const uint8_t *info;
	uint32_t len = 0;

	if (!strcmp(name, "match")) {
		a_name = NFTNL_EXPR_MT_NAME, a_rev = NFTNL_EXPR_MT_REV, a_info = NFTNL_EXPR_MT_INFO;
	} else if (!strcmp(name, "target")) {
		a_name = NFTNL_EXPR_TG_NAME, a_rev = NFTNL_EXPR_TG_REV, a_info = NFTNL_EXPR_TG_INFO;
	} else {
		printf("  expr %s\n", name);
		return 0;
	}
	info = nftnl_expr_get(ex, a_info, &len);
	print_blob(name, nftnl_expr_get_str(ex, a_name), nftnl_expr_get_u32(ex, a_rev), info, info ? len : 0);
	return 0;
}

static int
rule_cb(struct nftnl_rule *r, void *data)
{
	printf("rule %llu\n", (unsigned long long)nftnl_rule_get_u64(r, NFTNL_RULE_HANDLE));
	return nftnl_expr_foreach(r, expr_cb, NULL) < 0 ? -EINVAL : 0;
}

/*
 * The entries of a legacy table: a user chain starts at an ERROR target carrying
 * its name and ends at the next ERROR target (or the table's end).
 */
static int
legacy(bool v6, const char *table, const char *chain)
{
	struct ipt_getinfo info = { 0 };
	struct ipt_get_entries *ent;
	socklen_t sl = sizeof(info);
	int level = v6 ? IPPROTO_IPV6 : IPPROTO_IP, fd, n = 0;
	bool in = false;
	size_t off, esz = v6 ? sizeof(struct ip6t_entry) : sizeof(struct ipt_entry);

	fd = socket(v6 ? AF_INET6 : AF_INET, SOCK_RAW, IPPROTO_RAW);
	snprintf(info.name, sizeof(info.name), "%s", table);
	if (fd < 0 || getsockopt(fd, level, IPT_SO_GET_INFO, &info, &sl) < 0) {
		perror("xt_dump: IPT_SO_GET_INFO");
		return 1;
	}
	sl = sizeof(*ent) + info.size;
	if (!(ent = calloc(1, sl)))
		return 1;
	snprintf(ent->name, sizeof(ent->name), "%s", table);
	ent->size = info.size;
	if (getsockopt(fd, level, IPT_SO_GET_ENTRIES, ent, &sl) < 0) {
		perror("xt_dump: IPT_SO_GET_ENTRIES");
		return 1;
	}
	for (off = 0; off + esz <= ent->size;) {
		const uint8_t *e = (const uint8_t *)ent->entrytable + off;
		uint16_t toff, noff;
		const struct xt_entry_target *t;
		size_t m;

		if (v6) {
			toff = ((const struct ip6t_entry *)e)->target_offset;
			noff = ((const struct ip6t_entry *)e)->next_offset;
		} else {
			toff = ((const struct ipt_entry *)e)->target_offset;
			noff = ((const struct ipt_entry *)e)->next_offset;
		}
		if (noff == 0 || off + noff > ent->size)
			break;
		t = (const struct xt_entry_target *)(e + toff);
		if (!strcmp(t->u.user.name, XT_ERROR_TARGET)) {
			in = !strcmp((const char *)t->data, chain);
		} else if (in) {
			printf("rule %d\n", ++n);
			for (m = esz; m < toff;) {
				const struct xt_entry_match *mt = (const void *)(e + m);

				print_blob("match", mt->u.user.name, mt->u.user.revision, mt->data,
					   mt->u.match_size - sizeof(*mt));
				m += mt->u.match_size;
			}
			print_blob("target", t->u.user.name[0] ? t->u.user.name : "-", t->u.user.revision, t->data,
					   t->u.target_size - sizeof(*t));
		}
		off += noff;
	}
	free(ent);
	return 0;
}

int
main(int argc, char *argv[])
{
	struct pp_nl nl;
	struct pp_err e = { 0 };
	uint32_t fam;
	int rc;

	if (argc == 4 && !strncmp(argv[1], "legacy", 6))
		return legacy(!strcmp(argv[1], "legacy6"), argv[2], argv[3]);
	if (argc != 4 || (strcmp(argv[1], "ip") && strcmp(argv[1], "ip6"))) {
		fprintf(stderr, "usage: xt_dump ip|ip6|legacy4|legacy6 TABLE CHAIN\n");
		return 2;
	}
	fam = !strcmp(argv[1], "ip") ? NFPROTO_IPV4 : NFPROTO_IPV6;
	if ((rc = pp_nl_open(&nl, NETLINK_NETFILTER, &e)) < 0) {
		fprintf(stderr, "xt_dump: netlink: %s\n", strerror(-rc));
		return 1;
	}
	rc = pp_nft_rule_dump(&nl, fam, argv[2], argv[3], rule_cb, NULL, &e);
	pp_nl_close(&nl);
	if (rc < 0) {
		fprintf(stderr, "xt_dump: %s: %s\n", e.what, strerror(-rc));
		return 1;
	}
	return 0;
}
