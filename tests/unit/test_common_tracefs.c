/*
 * test_common_tracefs.c: tracepoint format files (tracefs.c): the fields, the
 * drop-reason table of print fmt, cut and malformed files, raw record fields.
 * No root: the format text is the one a running kernel (6.18) printed in tracefs.
 */
#include <errno.h>
#include <stdlib.h>

#include "fixture_tracefs.h"
#include "tap.h"
#include "tracefs.h"

static struct pp_tp_format fmt;		/* 26 KiB: not on the stack */

static void
test_format_618(void)
{
	const struct pp_tp_format *f = &fmt;

	CHECK_EQ_INT(pp_tp_parse_format(kfree_618, &fmt), 0);
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
	CHECK_EQ_INT(f->nreasons, 127);		/* 2..128: 0 (NOT_DROPPED_YET) and 1 (CONSUMED) are not listed */
	CHECK(!f->reasons_truncated);
	CHECK_STR(pp_tp_reason_name(f, 2), "NOT_SPECIFIED");
	CHECK_STR(pp_tp_reason_name(f, 3), "NO_SOCKET");
	CHECK_STR(pp_tp_reason_name(f, 12), "NETFILTER_DROP");
	CHECK_STR(pp_tp_reason_name(f, 16), "IP_RPFILTER");
	CHECK_STR(pp_tp_reason_name(f, 58), "NEIGH_FAILED");
	CHECK_STR(pp_tp_reason_name(f, 64), "QDISC_DROP");
	CHECK_STR(pp_tp_reason_name(f, 93), "PKT_TOO_BIG");
	CHECK_STR(pp_tp_reason_name(f, 128), "MAX");
	CHECK(pp_tp_reason_name(f, 0) == NULL);	/* NOT_DROPPED_YET: not in the list */
	CHECK(pp_tp_reason_name(f, 1) == NULL);	/* CONSUMED */
	CHECK(pp_tp_reason_name(f, 129) == NULL);
}


static void
test_format_net(void)
{
	CHECK_EQ_INT(pp_tp_parse_format(nrs_618, &fmt), 0);
	CHECK_EQ_INT(fmt.id, 2303);
	CHECK(fmt.f_name >= 0 && fmt.fields[fmt.f_name].data_loc);
	CHECK_EQ_INT(fmt.fields[fmt.f_name].offset, 20);
	CHECK(fmt.f_len >= 0 && !fmt.fields[fmt.f_len].data_loc);
	CHECK_EQ_INT(fmt.nreasons, 0);
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
	uint32_t v = 0;

	CHECK_EQ_INT(pp_tp_parse_format(kfree_other, &fmt), 0);
	CHECK_EQ_INT(f->id, 1234);
	CHECK_EQ_INT(f->f_rx_sk, -1);
	CHECK_EQ_INT(f->fields[f->f_skbaddr].offset, 20);
	CHECK_EQ_INT(f->fields[f->f_skbaddr].size, 4);
	CHECK_EQ_INT(f->nreasons, 4);		/* the unresolved enum name is skipped */
	CHECK_STR(pp_tp_reason_name(f, 1), "NOT_SPECIFIED");
	CHECK_STR(pp_tp_reason_name(f, 2), "NO_SOCKET");
	CHECK_STR(pp_tp_reason_name(f, 7), "NETFILTER_DROP");
	CHECK(pp_tp_reason_name(f, 12) == NULL);	/* 6.18's number means nothing here */
	CHECK_EQ_INT(strlen(pp_tp_reason_name(f, 40)), 47);
	CHECK_EQ_INT(pp_tp_reason_value(f, "NETFILTER_DROP", &v), 0);
	CHECK_EQ_INT(v, 7);
	CHECK_EQ_INT(pp_tp_reason_value(f, "FOO", &v), -ENOENT);	/* its value was not a number */
	CHECK_EQ_INT(pp_tp_reason_value(f, "SKB_DROP_REASON_NO_SOCKET", &v), -ENOENT);	/* prefix stripped */
}

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

	CHECK_EQ_INT(pp_tp_parse_format(old, &fmt), 0);
	CHECK_EQ_INT(fmt.f_reason, -1);
	CHECK_EQ_INT(fmt.nreasons, 0);
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
		if (pp_tp_parse_format(buf, &fmt) != -EBADMSG)
			bad++;
	}
	CHECK_EQ_INT(bad, 0);
	free(buf);

	CHECK_EQ_INT(pp_tp_parse_format("", &fmt), -EBADMSG);
	CHECK_EQ_INT(pp_tp_parse_format("name: x\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\n"
					     "print fmt: \"\"\n", &fmt), -EBADMSG);	/* no ID */
	CHECK_EQ_INT(pp_tp_parse_format("ID: 5\nformat:\n\tfield:int a;\toffset:x;\tsize:4;\n"
					     "print fmt: \"\"\n", &fmt), -EBADMSG);	/* offset */
	CHECK_EQ_INT(pp_tp_parse_format("ID: 5\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\n"
					     "print fmt: \"\"\n", &fmt), 0);
	/* a reason list that is never closed, on a complete line */
	CHECK_EQ_INT(pp_tp_parse_format("ID: 5\nformat:\n\tfield:int reason;\toffset:0;\tsize:4;\n"
					     "print fmt: \"%s\", __print_symbolic(REC->reason, { 2, \"A\" }, "
					     "{ 3, \"B\n", &fmt), -EBADMSG);
}


/* Field lines a parser must refuse, skip or keep: short, cut, unknown keys, odd declarations. */
static void
test_format_fields(void)
{
	char buf[8192];
	int n;

#define HDR "name: t\nID: 7\nformat:\n"
#define PF "print fmt: \"x\"\n"
	/* unknown keys after size/signed, and unknown top-level lines, are ignored */
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int a;\toffset:0;\tsize:4;\tsigned:1;\tfuture:9;\n"
					"weird: line\n" PF, &fmt), 0);
	CHECK_EQ_INT(fmt.nfields, 1);
	CHECK(fmt.fields[0].is_signed);
	/* no signed: (old kernels) is unsigned */
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int a;\toffset:0;\tsize:4;\n" PF, &fmt), 0);
	CHECK(!fmt.fields[0].is_signed);
	/* an array keeps its name without [N]; __data_loc is marked */
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:char comm[16];\toffset:8;\tsize:16;\tsigned:0;\n"
					"\tfield:__data_loc char[] name;\toffset:24;\tsize:4;\tsigned:0;\n" PF, &fmt), 0);
	CHECK_STR(fmt.fields[0].name, "comm");
	CHECK(!fmt.fields[0].data_loc);
	CHECK_STR(fmt.fields[1].name, "name");
	CHECK(fmt.fields[1].data_loc);
	CHECK_EQ_INT(fmt.f_name, 1);
	CHECK(!pp_tp_int_field(&fmt, 0) && !pp_tp_int_field(&fmt, 1));	/* 16 bytes; data_loc */
	CHECK(!pp_tp_int_field(&fmt, 2) && !pp_tp_int_field(&fmt, -1));		/* out of range */
	/* short or cut field lines */
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int a\toffset:0;\tsize:4;\n" PF, &fmt), -EBADMSG);	/* no ; */
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int a;\toffset:0;\n" PF, &fmt), -EBADMSG);	/* no size */
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int a;\toffset:0;\tsize:4\n" PF, &fmt), -EBADMSG);	/* size cut */
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int a;\toffset:70000;\tsize:4;\n" PF, &fmt), -EBADMSG);
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:;\toffset:0;\tsize:4;\n" PF, &fmt), -EBADMSG);	/* no name */
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int a[;\toffset:0;\tsize:4;\n" PF, &fmt), -EBADMSG);
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int a_name_much_longer_than_thirty_two_bytes;"
					"\toffset:0;\tsize:4;\n" PF, &fmt), -EBADMSG);
	/* a field before "format:" */
	CHECK_EQ_INT(pp_tp_parse_format("ID: 7\n\tfield:int a;\toffset:0;\tsize:4;\nformat:\n" PF, &fmt), -EBADMSG);
	/* an ID that is not a number, or has trailing text */
	CHECK_EQ_INT(pp_tp_parse_format("ID: x\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\n" PF, &fmt), -EBADMSG);
	CHECK_EQ_INT(pp_tp_parse_format("ID: 7 8\nformat:\n\tfield:int a;\toffset:0;\tsize:4;\n" PF, &fmt), -EBADMSG);
	/* no fields at all */
	CHECK_EQ_INT(pp_tp_parse_format(HDR PF, &fmt), -EBADMSG);
	/* more fields than PP_TP_MAX_FIELDS */
	n = snprintf(buf, sizeof(buf), HDR);
	for (int i = 0; i <= PP_TP_MAX_FIELDS; i++)
		n += snprintf(buf + n, sizeof(buf) - (size_t)n, "\tfield:int f%d;\toffset:%d;\tsize:4;\n", i, i * 4);
	snprintf(buf + n, sizeof(buf) - (size_t)n, PF);
	CHECK_EQ_INT(pp_tp_parse_format(buf, &fmt), -E2BIG);
	/* a reason entry that is malformed inside a closed list */
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int reason;\toffset:0;\tsize:4;\n"
					"print fmt: \"%s\", __print_symbolic(REC->reason, { 2 \"A\" })\n", &fmt), -EBADMSG);
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int reason;\toffset:0;\tsize:4;\n"
					"print fmt: \"%s\", __print_symbolic(REC->reason, { 2, A })\n", &fmt), -EBADMSG);
	/* an empty list is a table of none; without the comma it is no table at all */
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int reason;\toffset:0;\tsize:4;\n"
					"print fmt: \"%s\", __print_symbolic(REC->reason, )\n", &fmt), 0);
	CHECK_EQ_INT(fmt.nreasons, 0);
	CHECK_EQ_INT(pp_tp_parse_format(HDR "\tfield:int reason;\toffset:0;\tsize:4;\n"
					"print fmt: \"%s\", __print_symbolic(REC->reason)\n", &fmt), 0);
	CHECK_EQ_INT(fmt.nreasons, 0);
#undef HDR
#undef PF
}

/* More reasons than PP_TP_MAX_REASONS: the first ones are kept and the table says it is cut. */
static void
test_format_many_reasons(void)
{
	size_t cap = 64 * 1024;
	char *buf = malloc(cap);
	int n;

	n = snprintf(buf, cap, "ID: 9\nformat:\n\tfield:int reason;\toffset:0;\tsize:4;\n"
		     "print fmt: \"%%s\", __print_symbolic(REC->reason");
	for (int i = 0; i < PP_TP_MAX_REASONS + 3; i++)
		n += snprintf(buf + n, cap - (size_t)n, ", { %d, \"R%d\" }", i, i);
	snprintf(buf + n, cap - (size_t)n, ")\n");
	CHECK_EQ_INT(pp_tp_parse_format(buf, &fmt), 0);
	CHECK_EQ_INT(fmt.nreasons, PP_TP_MAX_REASONS);
	CHECK(fmt.reasons_truncated);
	CHECK_STR(pp_tp_reason_name(&fmt, PP_TP_MAX_REASONS - 1), "R511");
	CHECK(pp_tp_reason_name(&fmt, PP_TP_MAX_REASONS) == NULL);
	free(buf);
}

/* Reading fields out of a raw record: integers of each size, strings, records too short. */
static void
test_raw_fields(void)
{
	uint8_t raw[32] = { 0 };
	uint64_t v = 0;
	uint32_t loc, type = 0;
	uint16_t u16 = 0x1234;
	char s[8];

	CHECK_EQ_INT(pp_tp_parse_format(nrs_618, &fmt), 0);
	memcpy(raw, &u16, 2);
	raw[8] = 0xaa;
	raw[15] = 0x11;
	loc = (4u << 16) | 24;
	memcpy(raw + 20, &loc, 4);
	memcpy(raw + 24, "eth\0", 4);
	CHECK_EQ_INT(pp_tp_raw_type(&fmt, raw, sizeof(raw), &type), 0);
	CHECK_EQ_INT(type, 0x1234);
	CHECK_EQ_INT(pp_tp_get_uint(&fmt, fmt.f_skbaddr, raw, sizeof(raw), &v), 0);
	CHECK(v == 0x11000000000000aaull);
	CHECK_EQ_INT(pp_tp_get_uint(&fmt, fmt.f_skbaddr, raw, 15, &v), -EBADMSG);	/* cut */
	CHECK_EQ_INT(pp_tp_get_uint(&fmt, fmt.f_name, raw, sizeof(raw), &v), -ENOENT);	/* a string */
	CHECK_EQ_INT(pp_tp_get_uint(&fmt, fmt.f_reason, raw, sizeof(raw), &v), -ENOENT);	/* absent */
	CHECK_EQ_INT(pp_tp_get_str(&fmt, fmt.f_name, raw, sizeof(raw), s, sizeof(s)), 0);
	CHECK_STR(s, "eth");
	CHECK_EQ_INT(pp_tp_get_str(&fmt, fmt.f_name, raw, sizeof(raw), s, 3), 0);	/* cut to fit */
	CHECK_STR(s, "et");
	CHECK_EQ_INT(pp_tp_get_str(&fmt, fmt.f_name, raw, 27, s, sizeof(s)), -EBADMSG);	/* string cut */
	CHECK_EQ_INT(pp_tp_get_str(&fmt, fmt.f_name, raw, 22, s, sizeof(s)), -EBADMSG);	/* loc cut */
	CHECK_EQ_INT(pp_tp_get_str(&fmt, fmt.f_len, raw, sizeof(raw), s, sizeof(s)), -EBADMSG);	/* not data_loc */
	CHECK_EQ_INT(pp_tp_raw_type(&fmt, raw, 1, &type), -EBADMSG);
}

int
main(void)
{
	RUN(test_format_618);
	RUN(test_format_net);
	RUN(test_format_other);
	RUN(test_format_no_reason);
	RUN(test_format_truncated);
	RUN(test_format_fields);
	RUN(test_format_many_reasons);
	RUN(test_raw_fields);
	return tap_done();
}
