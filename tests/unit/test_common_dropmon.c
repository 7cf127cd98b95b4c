/*
 * test_common_dropmon.c: skb:kfree_skb format parsing, raw perf records,
 * kallsyms lookup, attribution and the station mapper (dropmon.c). No root:
 * the format text is the one this kernel (6.18) printed in tracefs.
 */
#include <errno.h>
#include <stdlib.h>
#include <linux/perf_event.h>

#include "dropmon.h"
#include "tap.h"

/* /sys/kernel/tracing/events/skb/kfree_skb/format on Linux 6.18.44 (x86_64). */
static const char kfree_618[] =
	"name: kfree_skb\n"
	"ID: 2310\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:void * location;\toffset:16;\tsize:8;\tsigned:0;\n"
	"\tfield:void * rx_sk;\toffset:24;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned short protocol;\toffset:32;\tsize:2;\tsigned:0;\n"
	"\tfield:enum skb_drop_reason reason;\toffset:36;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"skbaddr=%p rx_sk=%p protocol=%u location=%pS reason: %s\", REC->skbaddr,"
	" REC->rx_sk, REC->protocol, REC->location, __print_symbolic(REC->reason, { 2,"
	" \"NOT_SPECIFIED\" }, { 3, \"NO_SOCKET\" }, { 4, \"SOCKET_CLOSE\" }, { 5,"
	" \"SOCKET_FILTER\" }, { 6, \"SOCKET_RCVBUFF\" }, { 7, \"UNIX_DISCONNECT\" }, { 8,"
	" \"UNIX_SKIP_OOB\" }, { 9, \"PKT_TOO_SMALL\" }, { 10, \"TCP_CSUM\" }, { 11, \"UDP_CSUM\""
	" }, { 12, \"NETFILTER_DROP\" }, { 13, \"OTHERHOST\" }, { 14, \"IP_CSUM\" }, { 15,"
	" \"IP_INHDR\" }, { 16, \"IP_RPFILTER\" }, { 17, \"UNICAST_IN_L2_MULTICAST\" }, { 18,"
	" \"XFRM_POLICY\" }, { 19, \"IP_NOPROTO\" }, { 20, \"PROTO_MEM\" }, { 21, \"TCP_AUTH_HDR\""
	" }, { 22, \"TCP_MD5NOTFOUND\" }, { 23, \"TCP_MD5UNEXPECTED\" }, { 24, \"TCP_MD5FAILURE\""
	" }, { 25, \"TCP_AONOTFOUND\" }, { 26, \"TCP_AOUNEXPECTED\" }, { 27, \"TCP_AOKEYNOTFOUND\""
	" }, { 28, \"TCP_AOFAILURE\" }, { 29, \"SOCKET_BACKLOG\" }, { 30, \"TCP_FLAGS\" }, { 31,"
	" \"TCP_ABORT_ON_DATA\" }, { 32, \"TCP_ZEROWINDOW\" }, { 33, \"TCP_OLD_DATA\" }, { 34,"
	" \"TCP_OVERWINDOW\" }, { 35, \"TCP_OFOMERGE\" }, { 36, \"TCP_RFC7323_PAWS\" }, { 37,"
	" \"TCP_RFC7323_PAWS_ACK\" }, { 38, \"TCP_RFC7323_TW_PAWS\" }, { 39, \"TCP_RFC7323_TSECR\""
	" }, { 40, \"TCP_LISTEN_OVERFLOW\" }, { 41, \"TCP_OLD_SEQUENCE\" }, { 42,"
	" \"TCP_INVALID_SEQUENCE\" }, { 43, \"TCP_INVALID_END_SEQUENCE\" }, { 44,"
	" \"TCP_INVALID_ACK_SEQUENCE\" }, { 45, \"TCP_RESET\" }, { 46, \"TCP_INVALID_SYN\" }, {"
	" 47, \"TCP_CLOSE\" }, { 48, \"TCP_FASTOPEN\" }, { 49, \"TCP_OLD_ACK\" }, { 50,"
	" \"TCP_TOO_OLD_ACK\" }, { 51, \"TCP_ACK_UNSENT_DATA\" }, { 52, \"TCP_OFO_QUEUE_PRUNE\" },"
	" { 53, \"TCP_OFO_DROP\" }, { 54, \"IP_OUTNOROUTES\" }, { 55, \"BPF_CGROUP_EGRESS\" }, {"
	" 56, \"IPV6DISABLED\" }, { 57, \"NEIGH_CREATEFAIL\" }, { 58, \"NEIGH_FAILED\" }, { 59,"
	" \"NEIGH_QUEUEFULL\" }, { 60, \"NEIGH_DEAD\" }, { 61, \"NEIGH_HH_FILLFAIL\" }, { 62,"
	" \"TC_EGRESS\" }, { 63, \"SECURITY_HOOK\" }, { 64, \"QDISC_DROP\" }, { 65,"
	" \"QDISC_OVERLIMIT\" }, { 66, \"QDISC_CONGESTED\" }, { 67, \"CAKE_FLOOD\" }, { 68,"
	" \"FQ_BAND_LIMIT\" }, { 69, \"FQ_HORIZON_LIMIT\" }, { 70, \"FQ_FLOW_LIMIT\" }, { 71,"
	" \"CPU_BACKLOG\" }, { 72, \"XDP\" }, { 73, \"TC_INGRESS\" }, { 74, \"UNHANDLED_PROTO\" },"
	" { 75, \"SKB_CSUM\" }, { 76, \"SKB_GSO_SEG\" }, { 77, \"SKB_UCOPY_FAULT\" }, { 78,"
	" \"DEV_HDR\" }, { 79, \"DEV_READY\" }, { 80, \"FULL_RING\" }, { 81, \"NOMEM\" }, { 82,"
	" \"HDR_TRUNC\" }, { 83, \"TAP_FILTER\" }, { 84, \"TAP_TXFILTER\" }, { 85, \"ICMP_CSUM\""
	" }, { 86, \"INVALID_PROTO\" }, { 87, \"IP_INADDRERRORS\" }, { 88, \"IP_INNOROUTES\" }, {"
	" 89, \"IP_LOCAL_SOURCE\" }, { 90, \"IP_INVALID_SOURCE\" }, { 91, \"IP_LOCALNET\" }, { 92,"
	" \"IP_INVALID_DEST\" }, { 93, \"PKT_TOO_BIG\" }, { 94, \"DUP_FRAG\" }, { 95,"
	" \"FRAG_REASM_TIMEOUT\" }, { 96, \"FRAG_TOO_FAR\" }, { 97, \"TCP_MINTTL\" }, { 98,"
	" \"IPV6_BAD_EXTHDR\" }, { 99, \"IPV6_NDISC_FRAG\" }, { 100, \"IPV6_NDISC_HOP_LIMIT\" }, {"
	" 101, \"IPV6_NDISC_BAD_CODE\" }, { 102, \"IPV6_NDISC_BAD_OPTIONS\" }, { 103,"
	" \"IPV6_NDISC_NS_OTHERHOST\" }, { 104, \"QUEUE_PURGE\" }, { 105, \"TC_COOKIE_ERROR\" }, {"
	" 106, \"PACKET_SOCK_ERROR\" }, { 107, \"TC_CHAIN_NOTFOUND\" }, { 108,"
	" \"TC_RECLASSIFY_LOOP\" }, { 109, \"VXLAN_INVALID_HDR\" }, { 110, \"VXLAN_VNI_NOT_FOUND\""
	" }, { 111, \"MAC_INVALID_SOURCE\" }, { 112, \"VXLAN_ENTRY_EXISTS\" }, { 113,"
	" \"NO_TX_TARGET\" }, { 114, \"IP_TUNNEL_ECN\" }, { 115, \"TUNNEL_TXINFO\" }, { 116,"
	" \"LOCAL_MAC\" }, { 117, \"ARP_PVLAN_DISABLE\" }, { 118, \"MAC_IEEE_MAC_CONTROL\" }, {"
	" 119, \"BRIDGE_INGRESS_STP_STATE\" }, { 120, \"CAN_RX_INVALID_FRAME\" }, { 121,"
	" \"CANFD_RX_INVALID_FRAME\" }, { 122, \"CANXL_RX_INVALID_FRAME\" }, { 123, \"PFMEMALLOC\""
	" }, { 124, \"DUALPI2_STEP_DROP\" }, { 125, \"PSP_INPUT\" }, { 126, \"PSP_OUTPUT\" }, {"
	" 127, \"RECURSION_LIMIT\" }, { 128, \"MAX\" })\n";

/* events/net/netif_receive_skb/format on the same kernel. */
static const char nrs_618[] =
	"name: netif_receive_skb\n"
	"ID: 2303\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
	"\tfield:unsigned int len;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:__data_loc char[] name;\toffset:20;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"dev=%s skbaddr=%p len=%u\", __get_str(name), REC->skbaddr, REC->len\n";

static struct pp_tp_format fmt;		/* 26 KiB: not on the stack */

static void
test_format_618(void)
{
	const struct pp_tp_format *f = &fmt;

	CHECK_EQ_INT(pp_dropmon_parse_format(kfree_618, &fmt), 0);
	CHECK_STR(f->name, "kfree_skb");
	CHECK_EQ_INT(f->id, 2310);
	CHECK_EQ_INT(f->nfields, 9);
	CHECK(f->f_skbaddr >= 0 && f->f_location >= 0 && f->f_protocol >= 0 && f->f_reason >= 0);
	CHECK(f->f_rx_sk >= 0 && f->f_common_type == 0 && f->f_common_flags == 1);
	CHECK_EQ_INT(f->fields[f->f_skbaddr].offset, 8);
	CHECK_EQ_INT(f->fields[f->f_skbaddr].size, 8);
	CHECK_EQ_INT(f->fields[f->f_location].offset, 16);
	CHECK_EQ_INT(f->fields[f->f_rx_sk].offset, 24);
	CHECK_EQ_INT(f->fields[f->f_protocol].offset, 32);
	CHECK_EQ_INT(f->fields[f->f_protocol].size, 2);
	CHECK_EQ_INT(f->fields[f->f_reason].offset, 36);
	CHECK_EQ_INT(f->fields[f->f_reason].size, 4);
	CHECK(f->fields[f->f_common_pid].is_signed);
	CHECK_EQ_INT(f->nreasons, 127);		/* 2..128, as fault-signals.md 5.1 counted */
	CHECK(!f->reasons_truncated);
	CHECK_STR(pp_dropmon_reason_name(f, 2), "NOT_SPECIFIED");
	CHECK_STR(pp_dropmon_reason_name(f, 3), "NO_SOCKET");
	CHECK_STR(pp_dropmon_reason_name(f, 12), "NETFILTER_DROP");
	CHECK_STR(pp_dropmon_reason_name(f, 16), "IP_RPFILTER");
	CHECK_STR(pp_dropmon_reason_name(f, 58), "NEIGH_FAILED");
	CHECK_STR(pp_dropmon_reason_name(f, 64), "QDISC_DROP");
	CHECK_STR(pp_dropmon_reason_name(f, 93), "PKT_TOO_BIG");
	CHECK_STR(pp_dropmon_reason_name(f, 128), "MAX");
	CHECK(pp_dropmon_reason_name(f, 0) == NULL);	/* NOT_DROPPED_YET: not in the list */
	CHECK(pp_dropmon_reason_name(f, 1) == NULL);	/* CONSUMED */
	CHECK(pp_dropmon_reason_name(f, 129) == NULL);
	CHECK_EQ_INT(pp_dropmon_check_kfree(f), 0);
}

static void
test_format_net(void)
{
	CHECK_EQ_INT(pp_dropmon_parse_format(nrs_618, &fmt), 0);
	CHECK_EQ_INT(fmt.id, 2303);
	CHECK(fmt.f_name >= 0 && fmt.fields[fmt.f_name].data_loc);
	CHECK_EQ_INT(fmt.fields[fmt.f_name].offset, 20);
	CHECK(fmt.f_len >= 0 && !fmt.fields[fmt.f_len].data_loc);
	CHECK_EQ_INT(fmt.nreasons, 0);
	CHECK_EQ_INT(pp_dropmon_check_kfree(&fmt), -ENOENT);
}

/*
 * Another layout: a 32-bit kernel, fields in another order, no rx_sk, a 5.17-like
 * table with the prefix still on, a hex value and an enum left unresolved.
 */
static const char kfree_other[] =
	"name: kfree_skb\n"
	"ID: 1234\n"
	"format:\n"
	"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
	"\tfield:unsigned char common_flags;\toffset:2;\tsize:1;\tsigned:0;\n"
	"\tfield:unsigned char common_preempt_count;\toffset:3;\tsize:1;\tsigned:0;\n"
	"\tfield:int common_pid;\toffset:4;\tsize:4;\tsigned:1;\n"
	"\n"
	"\tfield:enum skb_drop_reason reason;\toffset:8;\tsize:4;\tsigned:0;\n"
	"\tfield:unsigned short protocol;\toffset:12;\tsize:2;\tsigned:0;\n"
	"\tfield:void * location;\toffset:16;\tsize:4;\tsigned:0;\n"
	"\tfield:void * skbaddr;\toffset:20;\tsize:4;\tsigned:0;\n"
	"\n"
	"print fmt: \"skbaddr=%p protocol=%u location=%p reason: %s\", REC->skbaddr, REC->protocol, "
	"REC->location, __print_symbolic(REC->reason, { 1, \"SKB_DROP_REASON_NOT_SPECIFIED\" }, "
	"{ 2, \"SKB_DROP_REASON_NO_SOCKET\" }, { SKB_DROP_REASON_FOO, \"FOO\" }, "
	"{ 0x7, \"NETFILTER_DROP\" }, { 40, \"A_VERY_LONG_REASON_NAME_THAT_DOES_NOT_FIT_IN_FORTY_SEVEN\" })\n";

static void
test_format_other(void)
{
	const struct pp_tp_format *f = &fmt;
	uint8_t raw[24] = { 0 };
	uint16_t type = 1234, proto = 0x86dd;
	uint32_t reason = 7, loc = 0xc1234567u, skb = 0xdeadbee0u;
	struct pp_drop d;

	CHECK_EQ_INT(pp_dropmon_parse_format(kfree_other, &fmt), 0);
	CHECK_EQ_INT(f->id, 1234);
	CHECK_EQ_INT(f->f_rx_sk, -1);
	CHECK_EQ_INT(f->fields[f->f_skbaddr].offset, 20);
	CHECK_EQ_INT(f->fields[f->f_skbaddr].size, 4);
	CHECK_EQ_INT(f->nreasons, 4);		/* the unresolved enum name is skipped */
	CHECK_STR(pp_dropmon_reason_name(f, 1), "NOT_SPECIFIED");
	CHECK_STR(pp_dropmon_reason_name(f, 2), "NO_SOCKET");
	CHECK_STR(pp_dropmon_reason_name(f, 7), "NETFILTER_DROP");
	CHECK(pp_dropmon_reason_name(f, 12) == NULL);	/* 6.18's number means nothing here */
	CHECK_EQ_INT(strlen(pp_dropmon_reason_name(f, 40)), 47);
	CHECK_EQ_INT(pp_dropmon_check_kfree(f), 0);

	memcpy(raw, &type, 2);
	raw[2] = PP_TRACE_FLAG_SOFTIRQ;
	memcpy(raw + 8, &reason, 4);
	memcpy(raw + 12, &proto, 2);
	memcpy(raw + 16, &loc, 4);
	memcpy(raw + 20, &skb, 4);
	memset(&d, 0, sizeof(d));
	CHECK_EQ_INT(pp_dropmon_decode_kfree(f, raw, sizeof(raw), &d), 0);
	CHECK(d.skbaddr == 0xdeadbee0u && d.location == 0xc1234567u);
	CHECK_EQ_INT(d.protocol, 0x86dd);
	CHECK_EQ_INT(d.reason, 7);
	CHECK_STR(d.reason_name, "NETFILTER_DROP");
	CHECK_EQ_INT(d.flags, PP_TRACE_FLAG_SOFTIRQ);
	CHECK_EQ_INT(pp_dropmon_decode_kfree(f, raw, 23, &d), -EBADMSG);
	reason = 99;
	memcpy(raw + 8, &reason, 4);
	CHECK_EQ_INT(pp_dropmon_decode_kfree(f, raw, sizeof(raw), &d), 0);
	CHECK_STR(d.reason_name, "");
}

/* 5.10: the tracepoint exists without a reason field. */
static void
test_format_no_reason(void)
{
	static const char old[] =
		"name: kfree_skb\nID: 1421\nformat:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
		"\tfield:void * location;\toffset:16;\tsize:8;\tsigned:0;\n"
		"\tfield:unsigned short protocol;\toffset:24;\tsize:2;\tsigned:0;\n"
		"\nprint fmt: \"skbaddr=%p protocol=%u location=%p\", REC->skbaddr, REC->protocol, REC->location\n";

	CHECK_EQ_INT(pp_dropmon_parse_format(old, &fmt), 0);
	CHECK_EQ_INT(fmt.f_reason, -1);
	CHECK_EQ_INT(fmt.nreasons, 0);
	CHECK_EQ_INT(pp_dropmon_check_kfree(&fmt), -ENOENT);
}

static void
test_format_truncated(void)
{
	size_t n = strlen(kfree_618);
	char *buf = malloc(n + 1);
	unsigned bad = 0;

	/* Every cut read is refused: the last line (print fmt) is never complete. */
	for (size_t cut = 0; cut < n; cut++) {
		memcpy(buf, kfree_618, cut);
		buf[cut] = '\0';
		if (pp_dropmon_parse_format(buf, &fmt) != -EBADMSG)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	free(buf);

	CHECK_EQ_INT(pp_dropmon_parse_format("", &fmt), -EBADMSG);
	CHECK_EQ_INT(pp_dropmon_parse_format("name: x\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\n"
					     "print fmt: \"\"\n", &fmt), -EBADMSG);	/* no ID */
	CHECK_EQ_INT(pp_dropmon_parse_format("ID: 5\nformat:\n\tfield:int a;\toffset:x;\tsize:4;\n"
					     "print fmt: \"\"\n", &fmt), -EBADMSG);	/* offset */
	CHECK_EQ_INT(pp_dropmon_parse_format("ID: 5\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\n"
					     "print fmt: \"\"\n", &fmt), 0);
	/* a reason list that is never closed, on a complete line */
	CHECK_EQ_INT(pp_dropmon_parse_format("ID: 5\nformat:\n\tfield:int reason;\toffset:0;\tsize:4;\n"
					     "print fmt: \"%s\", __print_symbolic(REC->reason, { 2, \"A\" }, "
					     "{ 3, \"B\n", &fmt), -EBADMSG);
}

static void
test_sample(void)
{
	uint8_t rec[128], raw[40] = { 0 };
	struct perf_event_header h;
	struct pp_perf_sample s;
	uint32_t u;
	uint64_t t = 1241961585000ull, skb = 0xffff8881638e0400ull, loc = 0xffffffff81fbd9b8ull;
	uint16_t type = 2310, proto = 0x0800;
	uint32_t reason = 12, rawlen = 44;
	struct pp_drop d;
	size_t len;

	/* the raw tracepoint data as the kernel lays it out (40 bytes + 4 of padding) */
	memcpy(raw, &type, 2);
	memcpy(raw + 8, &skb, 8);
	memcpy(raw + 16, &loc, 8);
	memcpy(raw + 32, &proto, 2);
	memcpy(raw + 36, &reason, 4);

	memset(rec, 0, sizeof(rec));
	h.type = PERF_RECORD_SAMPLE;
	h.misc = 0;
	len = sizeof(h) + 28 + rawlen;
	h.size = (uint16_t)len;
	memcpy(rec, &h, sizeof(h));
	u = 14260;
	memcpy(rec + 8, &u, 4);
	u = 14261;
	memcpy(rec + 12, &u, 4);
	memcpy(rec + 16, &t, 8);
	u = 1;
	memcpy(rec + 24, &u, 4);
	memcpy(rec + 32, &rawlen, 4);
	memcpy(rec + 36, raw, sizeof(raw));

	CHECK_EQ_INT(pp_dropmon_decode_sample(rec, len, &s), 0);
	CHECK_EQ_INT(s.pid, 14260);
	CHECK_EQ_INT(s.tid, 14261);
	CHECK(s.time == t);
	CHECK_EQ_INT(s.cpu, 1);
	CHECK_EQ_INT(s.raw_len, 44);
	CHECK(s.raw == rec + 36);

	CHECK_EQ_INT(pp_dropmon_parse_format(kfree_618, &fmt), 0);
	memset(&d, 0, sizeof(d));
	CHECK_EQ_INT(pp_dropmon_raw_type(&fmt, s.raw, s.raw_len, &u), 0);
	CHECK_EQ_INT(u, 2310);
	CHECK_EQ_INT(pp_dropmon_decode_kfree(&fmt, s.raw, s.raw_len, &d), 0);
	CHECK(d.skbaddr == skb && d.location == loc);
	CHECK_EQ_INT(d.protocol, 0x0800);
	CHECK_STR(d.reason_name, "NETFILTER_DROP");
	/* short raw data: the reason (36..40) is cut */
	CHECK_EQ_INT(pp_dropmon_decode_kfree(&fmt, s.raw, 39, &d), -EBADMSG);
	CHECK_EQ_INT(pp_dropmon_raw_type(&fmt, s.raw, 1, &u), -EBADMSG);

	/* short records */
	CHECK_EQ_INT(pp_dropmon_decode_sample(rec, 7, &s), -EBADMSG);
	CHECK_EQ_INT(pp_dropmon_decode_sample(rec, len - 1, &s), -EBADMSG);	/* size > len */
	h.size = sizeof(h) + 20;
	memcpy(rec, &h, sizeof(h));
	CHECK_EQ_INT(pp_dropmon_decode_sample(rec, len, &s), -EBADMSG);	/* no room for RAW */
	h.size = (uint16_t)(sizeof(h) + 28 + 8);
	memcpy(rec, &h, sizeof(h));
	CHECK_EQ_INT(pp_dropmon_decode_sample(rec, len, &s), -EBADMSG);	/* raw size > record */
	h.size = 4;
	memcpy(rec, &h, sizeof(h));
	CHECK_EQ_INT(pp_dropmon_decode_sample(rec, len, &s), -EBADMSG);
	h.type = PERF_RECORD_LOST;
	h.size = 24;
	memcpy(rec, &h, sizeof(h));
	CHECK_EQ_INT(pp_dropmon_decode_sample(rec, len, &s), -ENOMSG);
}

static void
test_net_event(void)
{
	uint8_t raw[40] = { 0 };
	uint16_t type = 2303;
	uint64_t skb = 0xffff888108912800ull, got = 0;
	uint32_t loc = (5u << 16) | 24;		/* "r0v1\0" at 24 */
	char dev[16];

	CHECK_EQ_INT(pp_dropmon_parse_format(nrs_618, &fmt), 0);
	memcpy(raw, &type, 2);
	memcpy(raw + 8, &skb, 8);
	memcpy(raw + 20, &loc, 4);
	memcpy(raw + 24, "r0v1", 5);
	CHECK_EQ_INT(pp_dropmon_decode_skb_event(&fmt, raw, 32, &got, dev, sizeof(dev)), 0);
	CHECK(got == skb);
	CHECK_STR(dev, "r0v1");
	CHECK_EQ_INT(pp_dropmon_decode_skb_event(&fmt, raw, 28, &got, dev, sizeof(dev)), -EBADMSG);
	CHECK_EQ_INT(pp_dropmon_decode_skb_event(&fmt, raw, 12, &got, dev, sizeof(dev)), -EBADMSG);
	loc = (200u << 16) | 24;		/* length beyond the record */
	memcpy(raw + 20, &loc, 4);
	CHECK_EQ_INT(pp_dropmon_decode_skb_event(&fmt, raw, 40, &got, dev, sizeof(dev)), -EBADMSG);
}

static void
test_attribute(void)
{
	const char *const devs[] = { "c0", "lo" };
	struct pp_drop d;

	memset(&d, 0, sizeof(d));
	d.pid = 4242;
	CHECK_EQ_INT(pp_drop_attribute(&d, 4242, devs, 2), PP_DROP_OURS_PROCESS);
	CHECK_EQ_INT(pp_drop_attribute(&d, 4243, devs, 2), PP_DROP_UNATTRIBUTED);
	CHECK_EQ_INT(pp_drop_attribute(&d, 0, devs, 2), PP_DROP_UNATTRIBUTED);
	/* in softirq the pid is whoever ran: not proof */
	d.flags = PP_TRACE_FLAG_SOFTIRQ | 0x80;
	CHECK_EQ_INT(pp_drop_attribute(&d, 4242, devs, 2), PP_DROP_UNATTRIBUTED);
	snprintf(d.dev, sizeof(d.dev), "c0");
	CHECK_EQ_INT(pp_drop_attribute(&d, 4242, devs, 2), PP_DROP_OURS_DEVICE);
	snprintf(d.dev, sizeof(d.dev), "r0");
	CHECK_EQ_INT(pp_drop_attribute(&d, 4242, devs, 2), PP_DROP_OTHER_NS);
	CHECK_EQ_INT(pp_drop_attribute(&d, 4242, NULL, 0), PP_DROP_UNATTRIBUTED);
	d.flags = 0x80;				/* bh disabled, still process context */
	CHECK_EQ_INT(pp_drop_attribute(&d, 4242, devs, 2), PP_DROP_OURS_PROCESS);
}

static void
test_kallsyms(void)
{
	static const char text[] =
		"ffffffff81000000 T _stext\n"
		"ffffffff81f81280 T __pfx_nf_hook_slow\n"
		"ffffffff81f81290 T nf_hook_slow\n"
		"ffffffff81f813b0 T nf_hook_slow_list\n"
		"ffffffff82a00000 D some_data\n"
		"ffffffff81fbd5d0 T nft_do_chain\n"			/* out of order on purpose */
		"ffffffff81fbdbe0 t nft_do_chain_ipv4\n"
		"ffffffffc0123000 t veth_xmit\t[veth]\n"
		"ffffffffc0124000 W weak_one\t[veth]\n"
		"garbage line\n"
		"ffffffffc0125000 t\n";
	struct pp_kallsyms ks;
	uint64_t off = 99;

	CHECK_EQ_INT(pp_kallsyms_load(&ks, text), 0);
	CHECK_EQ_INT(ks.nsyms, 7);
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81fbd5d0ull, &off), "nft_do_chain");	/* exact */
	CHECK(off == 0);
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81fbd5d0ull + 0x3e8, &off), "nft_do_chain");
	CHECK(off == 0x3e8);
	/* the __pfx_ padding belongs to the symbol before it */
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81f81288ull, &off), "_stext");
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffff81f813b0ull, &off), "nf_hook_slow_list");
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffffc0123010ull, &off), "veth_xmit");	/* no [veth] */
	CHECK(off == 0x10);
	CHECK(pp_kallsyms_lookup(&ks, 0xffffffff80ffffffull, &off) == NULL);		/* below the first */
	CHECK_STR(pp_kallsyms_lookup(&ks, 0xffffffffc0124100ull, &off), "weak_one");	/* above the last, near */
	CHECK(pp_kallsyms_lookup(&ks, 0xffffffffc0134000ull, &off) == NULL);		/* far above the last */
	CHECK(pp_kallsyms_lookup(&ks, 0, &off) == NULL);
	pp_kallsyms_free(&ks);

	/* kptr_restrict / not root: every address reads 0 */
	CHECK_EQ_INT(pp_kallsyms_load(&ks, "0000000000000000 T _stext\n0000000000000000 t foo\n"), -EACCES);
	CHECK(ks.hidden);
	CHECK(pp_kallsyms_lookup(&ks, 0xffffffff81000000ull, &off) == NULL);
	pp_kallsyms_free(&ks);
	CHECK_EQ_INT(pp_kallsyms_load(&ks, "ffffffff82a00000 D some_data\n"), -ENOENT);
	pp_kallsyms_free(&ks);
	CHECK_EQ_INT(pp_kallsyms_load(&ks, ""), -ENOENT);
	pp_kallsyms_free(&ks);
}

int
main(void)
{
	RUN(test_format_618);
	RUN(test_format_net);
	RUN(test_format_other);
	RUN(test_format_no_reason);
	RUN(test_format_truncated);
	RUN(test_sample);
	RUN(test_net_event);
	RUN(test_attribute);
	RUN(test_kallsyms);
	return tap_done();
}
