/*
 * test_common_dropmon.c: skb:kfree_skb records decoded into drops, net:* records
 * into (skb, device), and the attribution of a drop to a namespace (dropmon.c).
 * No root: the layouts are the ones a running kernel (6.18) printed in tracefs.
 */
#include <errno.h>
#include <stdlib.h>

#include "dropmon.h"
#include "fixture_tracefs.h"
#include "tap.h"

static struct pp_tp_format fmt;		/* 26 KiB: not on the stack */

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
test_decode_other(void)
{
	const struct pp_tp_format *f = &fmt;
	uint8_t raw[24] = { 0 };
	uint16_t type = 1234, proto = 0x86dd;
	uint32_t reason = 7, loc = 0xc1234567u, skb = 0xdeadbee0u;
	struct pp_drop d;

	CHECK_EQ_INT(pp_tp_parse_format(kfree_other, &fmt), 0);
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
test_decode_618(void)
{
	uint8_t raw[44] = { 0 };
	uint64_t skb = 0xffff8881638e0400ull, loc = 0xffffffff81fbd9b8ull;
	uint16_t type = 2310, proto = 0x0800;
	uint32_t reason = 12, u;
	struct pp_drop d;

	memcpy(raw, &type, 2);
	memcpy(raw + 8, &skb, 8);
	memcpy(raw + 16, &loc, 8);
	memcpy(raw + 32, &proto, 2);
	memcpy(raw + 36, &reason, 4);
	CHECK_EQ_INT(pp_tp_parse_format(kfree_618, &fmt), 0);
	CHECK_EQ_INT(pp_dropmon_check_kfree(&fmt), 0);
	memset(&d, 0, sizeof(d));
	CHECK_EQ_INT(pp_tp_raw_type(&fmt, raw, sizeof(raw), &u), 0);
	CHECK_EQ_INT(u, 2310);
	CHECK_EQ_INT(pp_dropmon_decode_kfree(&fmt, raw, sizeof(raw), &d), 0);
	CHECK(d.skbaddr == skb && d.location == loc);
	CHECK_EQ_INT(d.protocol, 0x0800);
	CHECK_STR(d.reason_name, "NETFILTER_DROP");
	/* short raw data: the reason (36..40) is cut */
	CHECK_EQ_INT(pp_dropmon_decode_kfree(&fmt, raw, 39, &d), -EBADMSG);
	CHECK_EQ_INT(pp_tp_raw_type(&fmt, raw, 1, &u), -EBADMSG);

}

static void
test_check_kfree(void)
{
	CHECK_EQ_INT(pp_tp_parse_format(nrs_618, &fmt), 0);
	CHECK_EQ_INT(pp_dropmon_check_kfree(&fmt), -ENOENT);	/* no location, protocol, reason */
	CHECK_EQ_INT(pp_tp_parse_format("name: kfree_skb\nID: 1421\nformat:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
		"\tfield:void * location;\toffset:16;\tsize:8;\tsigned:0;\n"
		"\tfield:unsigned short protocol;\toffset:24;\tsize:2;\tsigned:0;\n"
		"\nprint fmt: \"x\"\n", &fmt), 0);
	CHECK_EQ_INT(pp_dropmon_check_kfree(&fmt), -ENOENT);	/* 5.10: no reason field */
	CHECK_EQ_INT(pp_tp_parse_format("name: kfree_skb\nID: 1\nformat:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
		"\tfield:void * location;\toffset:16;\tsize:8;\tsigned:0;\n"
		"\tfield:unsigned short protocol;\toffset:24;\tsize:2;\tsigned:0;\n"
		"\tfield:char reason[3];\toffset:26;\tsize:3;\tsigned:0;\n"
		"\nprint fmt: \"x\"\n", &fmt), 0);
	CHECK_EQ_INT(pp_dropmon_check_kfree(&fmt), -ENOENT);	/* a reason that is no integer */
}

static void
test_net_event(void)
{
	uint8_t raw[40] = { 0 };
	uint16_t type = 2303;
	uint64_t skb = 0xffff888108912800ull, got = 0;
	uint32_t loc = (5u << 16) | 24;		/* "r0v1\0" at 24 */
	char dev[16];

	CHECK_EQ_INT(pp_tp_parse_format(nrs_618, &fmt), 0);
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

/* skb->len of a net:* event: what a capture's length is compared with. */
static void
test_net_event_len(void)
{
	uint8_t raw[40] = { 0 };
	uint32_t l = 60, got = 0;

	CHECK_EQ_INT(pp_tp_parse_format(nrs_618, &fmt), 0);
	memcpy(raw + 16, &l, 4);
	CHECK_EQ_INT(pp_dropmon_decode_skb_len(&fmt, raw, 32, &got), 0);
	CHECK_EQ_INT((int)got, 60);
	CHECK_EQ_INT(pp_dropmon_decode_skb_len(&fmt, raw, 18, &got), -EBADMSG);	/* cut inside len */
	CHECK_EQ_INT(pp_tp_parse_format("name: netif_receive_skb\nID: 2303\nformat:\n"
		"\tfield:unsigned short common_type;\toffset:0;\tsize:2;\tsigned:0;\n"
		"\tfield:void * skbaddr;\toffset:8;\tsize:8;\tsigned:0;\n"
		"\tfield:__data_loc char[] name;\toffset:16;\tsize:4;\tsigned:0;\n"
		"\nprint fmt: \"x\"\n", &fmt), 0);
	CHECK_EQ_INT(pp_dropmon_decode_skb_len(&fmt, raw, 32, &got), -ENOENT);	/* a kernel without len */
}


static void
test_attribute(void)
{
	const char *const devs[] = { "c0", "lo" };
	struct pp_drop d;

	memset(&d, 0, sizeof(d));
	d.pid = 4000;				/* the process */
	d.tid = 4242;				/* its sending thread */
	CHECK_EQ_INT(pp_drop_attribute(&d, 4242, devs, 2), PP_DROP_OURS_PROCESS);
	/* another thread of the same process (-f --parallel): not ours */
	CHECK_EQ_INT(pp_drop_attribute(&d, 4000, devs, 2), PP_DROP_UNATTRIBUTED);
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


int
main(void)
{
	RUN(test_decode_other);
	RUN(test_decode_618);
	RUN(test_check_kfree);
	RUN(test_net_event);
	RUN(test_net_event_len);
	RUN(test_attribute);
	return tap_done();
}
