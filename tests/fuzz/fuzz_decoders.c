/*
 * fuzz_decoders.c: one libFuzzer target for every decoder that reads kernel or
 * wire data. The first input byte picks the decoder; the rest is the message, in
 * an exact-size heap copy so AddressSanitizer sees any read past its end.
 *
 *   make fuzz            (clang, ASan + UBSan + libFuzzer; FUZZ_SECONDS=60 by default)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>

#include "addr.h"
#include "ct.h"
#include "dropmon.h"
#include "ethtool.h"
#include "ipset.h"
#include "link.h"
#include "neigh.h"
#include "nft.h"
#include "nfttrace.h"
#include "nexthop.h"
#include "nl.h"
#include "ntable.h"
#include "pcap.h"
#include "qdisc.h"
#include "route.h"
#include "rule.h"
#include "snap.h"
#include "snmp.h"
#include "sockdiag.h"
#include "softnet.h"
#include "tc_kind.h"
#include "xt.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int
set_in(const struct pp_xt_set_query *q, void *ctx, char *why, size_t whylen)
{
	(void)ctx, (void)why, (void)whylen;
	return q->index & 1;
}

/* An x_tables blob: data[1] picks the extension, data[2] the revision, data[3] the family. */
static void
fuzz_xt(const uint8_t *data, size_t size, const uint8_t *blob, size_t len)
{
	static const char *const names[] = {
		"addrtype", "conntrack", "state", "comment", "multiport", "tcp", "udp", "icmp",
		"icmp6", "mark", "connmark", "iprange", "mac", "physdev", "set", "owner", "socket",
		"statistic", "limit", "hashlimit", "connlimit", "", "DNAT", "SNAT", "MASQUERADE",
		"REDIRECT", "REJECT", "MARK", "CONNMARK", "CT", "TCPMSS", "LOG", "NFLOG", "CHECKSUM",
	};
	struct pp_xt_match m;
	struct pp_xt_target t;
	struct pp_xt_pkt p = { 0 };
	struct pp_xt_branch br;
	char text[1024], err[256];
	const char *name;
	uint8_t family;

	if (size < 4)
		return;
	name = names[data[1] % (sizeof(names) / sizeof(names[0]))];
	family = data[3] & 1 ? NFPROTO_IPV6 : NFPROTO_IPV4;
	blob += 3, len -= 3;
	p.family = family;
	p.addr_known = p.l4_known = p.sport_known = p.dport_known = p.tcp_flags_known = p.icmp_known = true;
	p.iif_known = p.oif_known = p.mark_known = p.ctmark_known = p.ctstate_known = true;
	p.ctdir_known = p.ctstatus_known = p.addrtype_known = p.smac_known = p.phys_known = true;
	p.owner_known = p.has_sk = p.socket_known = p.bridged = true;
	p.src.family = p.dst.family = family == NFPROTO_IPV6 ? AF_INET6 : AF_INET;
	p.l4proto = data[2];
	p.ctstate = data[2];
	p.set_test = set_in;
	if (pp_xt_match_decode(name, data[2] % 6, family, blob, len, &m, err, sizeof(err)) == 0) {
		pp_xt_match_text(&m, text, sizeof(text));
		pp_xt_match_eval(&m, &p, err, sizeof(err));
		pp_xt_match_branch(&m, &br);
	}
	if (pp_xt_target_decode(name, data[2] % 6, family, blob, len, &t, err, sizeof(err)) == 0)
		pp_xt_target_text(&t, text, sizeof(text));
}

static int
count_cb(const struct nlmsghdr *nlh, void *d)
{
	(void)nlh;
	(*(int *)d)++;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct nlmsghdr *nlh;
	uint8_t *buf;
	size_t len;

	if (size < 1)
		return 0;
	len = size - 1;
	buf = malloc(len ? len : 1);
	if (!buf)
		return 0;
	memcpy(buf, data + 1, len);
	nlh = (const struct nlmsghdr *)buf;
	/* Message decoders expect a header whose nlmsg_len the netlink layer already checked. */
	if (len >= sizeof(*nlh) && nlh->nlmsg_len >= NLMSG_HDRLEN && nlh->nlmsg_len <= len) {
		switch (data[0] % 19) {
		case 0: { struct pp_route r; pp_route_decode(nlh, &r);
			  struct pp_nhobj o; pp_nhobj_decode(nlh, &o); break; }
		case 1: { struct pp_rule r; pp_rule_decode(nlh, &r); break; }
		case 2: { struct pp_link l; pp_link_decode(nlh, &l); break; }
		case 3: { struct pp_ifaddr a; pp_ifaddr_decode(nlh, &a); break; }
		case 4: { struct pp_neigh n; pp_neigh_decode(nlh, &n); break; }
		case 5: { struct pp_qdisc q; pp_qdisc_decode(nlh, &q);
			  struct pp_tc_fields tf; pp_tc_options_decode(q.kind, q.is_class, q.options, q.options_len, &tf);
			  pp_tc_xstats_decode(q.kind, q.is_class, q.xstats, q.xstats_len, &tf); break; }
		case 6: { struct pp_nft_chain c; pp_nft_chain_decode(nlh, &c); break; }
		case 7: { struct pp_nfttrace_event ev; pp_nfttrace_decode(nlh, &ev); break; }
		case 8: { struct pp_ntable t; pp_ntable_decode(nlh, &t); break; }
		case 9: { struct pp_sock s; pp_sock_decode(nlh, &s); break; }
		case 10: { struct pp_ct_entry ct; enum pp_ct_event ev; pp_ct_parse(nlh, &ct, &ev);
			   struct pp_ct_cpu_stats cs; pp_ct_parse_cpu_stats(nlh, &cs); break; }
		case 11: { struct pp_ethtool_linkmodes lm; pp_ethtool_decode_linkmodes(nlh, &lm);
			   struct pp_ethtool_rings rg; pp_ethtool_decode_rings(nlh, &rg);
			   struct pp_ethtool_channels ch; pp_ethtool_decode_channels(nlh, &ch);
			   struct pp_ethtool_std_stats ss; pp_ethtool_decode_std_stats(nlh, &ss);
			   struct pp_ethtool_pause pa; pp_ethtool_decode_pause(nlh, &pa);
			   struct pp_ethtool_fec fe; pp_ethtool_decode_fec(nlh, &fe); break; }
		case 16: { struct pp_ipset_info si; char sn[PP_IPSET_NAMELEN];
			   pp_ipset_decode_list(nlh, &si); pp_ipset_decode_name(nlh, sn, sizeof(sn)); break; }
		default: break;
		}
	}
	switch (data[0] % 19) {
	case 17:
		fuzz_xt(data, size, buf, len);
		break;
	case 12: {	/* a whole datagram of replies */
		struct pp_nl nl = { .portid = 0 };
		struct pp_err e = { 0 };
		bool intr = false;
		int n = 0;

		pp_nl_parse_replies(&nl, buf, len, 0, count_cb, &n, &intr, &e);
		break;
	}
	case 18: {	/* a snapshot file; what it holds walked as replay walks it */
		struct pp_snap *sn = NULL;
		struct pp_err e = { 0 };
		char rb[MNL_SOCKET_BUFFER_SIZE];
		int n = 0;

		if (pp_snap_load_mem(buf, len, "fuzz.snap", &sn, &e) == 0) {
			char miss[256], holds[256], blob[64];
			struct timespec ts;

			pp_snap_walk(sn, 0, NETLINK_ROUTE, pp_snap_route_dump_req(rb, AF_INET), count_cb, &n);
			pp_snap_walk(sn, 0, NETLINK_ROUTE, pp_snap_link_dump_req(rb), count_cb, &n);
			/* What the station tools' replays read: binary facts, the clock, the tables pathcheck needs. */
			pp_snap_lacks_tables(sn, -1, miss, sizeof(miss), holds, sizeof(holds));
			pp_snap_blob_get(sn, "connlabel.conf", blob, sizeof(blob));
			pp_snap_install(sn);
			pp_clock_realtime(&ts);
			pp_snap_install(NULL);
		}
		pp_snap_free(sn);
		break;
	}
	case 13: { struct pp_wire_icmp w; pp_pcap_icmp_decode(buf, len, &w); break; }
	case 14: {	/* text the kernel writes: snmp, softnet */
		char *t = malloc(len + 1);
		struct pp_snmp s = { 0 };
		struct pp_softnet_cpu cpus[8];
		size_t n;

		if (!t)
			break;
		memcpy(t, buf, len);
		t[len] = '\0';
		pp_snmp_parse(&s, t, len & 1);
		pp_snmp_free(&s);
		pp_softnet_parse(t, len, cpus, 8, &n);
		free(t);
		break;
	}
	case 15: {	/* perf records, a ring of them; tracepoint format and kallsyms text */
		static struct pp_tp_format f;
		struct pp_perf_sample ps;
		struct pp_perf_ns pns;
		struct pp_kallsyms ks;
		uint64_t lost = 0;
		uint8_t *tmp = malloc(65536);
		char *t = malloc(len + 1);

		pp_perf_decode_sample(buf, len, &ps);
		pp_perf_decode_namespaces(buf, len, &pns);
		if (tmp && len >= 8 && (len & (len - 1)) == 0)	/* a power-of-two ring, every offset */
			pp_perf_ring_walk_ns(buf, len, len / 2, len / 2 + len, tmp, 65536, NULL, NULL, NULL, &lost);
		if (t) {
			memcpy(t, buf, len);
			t[len] = '\0';
			pp_tp_parse_format(t, &f);
			if (pp_kallsyms_load(&ks, t) == 0)
				pp_kallsyms_lookup(&ks, 0xffffffff81000000ull, NULL);
			pp_kallsyms_free(&ks);
		}
		free(tmp);
		free(t);
		break;
	}
	default: break;
	}
	free(buf);
	return 0;
}
