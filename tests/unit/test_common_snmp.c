/* test_common_snmp.c: the /proc/net/snmp, netstat and snmp6 parser, and counter deltas. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "snmp.h"
#include "tap.h"

/* As a 6.x kernel prints them (columns cut short where the test does not need them). */
static const char snmp_text[] =
	"Ip: Forwarding DefaultTTL InReceives InHdrErrors InAddrErrors ForwDatagrams InUnknownProtos InDiscards InDelivers OutRequests OutDiscards OutNoRoutes ReasmTimeout ReasmReqds ReasmOKs ReasmFails FragOKs FragFails FragCreates OutTransmits\n"
	"Ip: 2 64 1834 0 0 0 0 0 1834 936 1 0 0 0 0 0 0 1 0 935\n"
	"Icmp: InMsgs InErrors InCsumErrors InDestUnreachs InTimeExcds\n"
	"Icmp: 20 0 0 20 0\n"
	"IcmpMsg: InType3 OutType3\n"
	"IcmpMsg: 20 19\n"
	"Tcp: RtoAlgorithm RtoMin RtoMax MaxConn ActiveOpens PassiveOpens AttemptFails EstabResets CurrEstab InSegs OutSegs RetransSegs InErrs OutRsts InCsumErrors\n"
	"Tcp: 1 200 120000 -1 13 2 0 0 0 1770 873 0 0 2 0\n"
	"Udp: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n"
	"Udp: 26 18 0 45 0 0 0 0 0\n"
	"UdpLite: InDatagrams NoPorts InErrors OutDatagrams RcvbufErrors SndbufErrors InCsumErrors IgnoredMulti MemErrors\n"
	"UdpLite: 0 0 0 0 0 0 0 0 0\n";

static const char netstat_text[] =
	"TcpExt: SyncookiesSent SyncookiesRecv SyncookiesFailed EmbryonicRsts PruneCalled RcvPruned OfoPruned OutOfWindowIcmps LockDroppedIcmps ArpFilter TW TWRecycled TWKilled PAWSActive PAWSEstab BeyondWindow TSEcrRejected PAWSOldAck PAWSTimewait DelayedACKs DelayedACKLocked DelayedACKLost ListenOverflows ListenDrops\n"
	"TcpExt: 0 0 0 0 0 0 0 0 0 0 11 0 0 0 0 0 0 0 0 0 0 0 7 9\n"
	"IpExt: InNoRoutes InTruncatedPkts InMcastPkts OutMcastPkts InBcastPkts OutBcastPkts InOctets OutOctets\n"
	"IpExt: 3 0 0 0 0 0 18446744073709551615 123456789012\n"
	"MPTcpExt: MPCapableSYNRX MPCapableSYNTX MPCapableFallbackACK\n"
	"MPTcpExt: 0 1 2\n";

static const char snmp6_text[] =
	"Ip6InReceives                   \t1\n"
	"Ip6InHdrErrors                  \t0\n"
	"Ip6InTooBigErrors               \t0\n"
	"Ip6InNoRoutes                   \t5\n"
	"Icmp6OutType133                 \t2\n"
	"Udp6NoPorts                     \t4";	/* the last line without its newline */

static uint64_t
val(const struct pp_snmp *s, const char *name)
{
	uint64_t v = 0xdeadbeef;

	CHECK(pp_snmp_get(s, name, &v));
	return v;
}

static void
test_snmp_pairs(void)
{
	struct pp_snmp s = { 0 };

	CHECK_EQ_INT(pp_snmp_parse(&s, snmp_text, 0), 0);
	CHECK_EQ_INT(s.n, 20 + 5 + 2 + 15 + 9 + 9);
	CHECK_EQ_INT(val(&s, "IpForwarding"), 2);
	CHECK_EQ_INT(val(&s, "IpDefaultTTL"), 64);
	CHECK_EQ_INT(val(&s, "IpOutTransmits"), 935);
	CHECK_EQ_INT(val(&s, "IcmpInDestUnreachs"), 20);
	CHECK_EQ_INT(val(&s, "IcmpMsgOutType3"), 19);
	CHECK_EQ_INT(val(&s, "TcpRtoMax"), 120000);
	CHECK(val(&s, "TcpMaxConn") == UINT64_MAX);	/* -1, two's complement */
	CHECK_EQ_INT(val(&s, "UdpNoPorts"), 18);
	CHECK_EQ_INT(val(&s, "UdpLiteMemErrors"), 0);
	CHECK(!pp_snmp_get(&s, "Ip", NULL));
	CHECK(!pp_snmp_get(&s, "Forwarding", NULL));
	CHECK(!pp_snmp_get(&s, "TcpExtListenOverflows", NULL));
	CHECK(pp_snmp_get(&s, "UdpInDatagrams", NULL));	/* out may be NULL */
	pp_snmp_free(&s);
	CHECK(s.v == NULL && s.n == 0);
	pp_snmp_free(&s);
}

static void
test_snmp_netstat_and_snmp6(void)
{
	struct pp_snmp s = { 0 };

	CHECK_EQ_INT(pp_snmp_parse(&s, netstat_text, 0), 0);
	CHECK_EQ_INT(pp_snmp_parse(&s, snmp6_text, 1), 0);
	CHECK_EQ_INT(val(&s, "TcpExtTW"), 11);
	CHECK_EQ_INT(val(&s, "TcpExtListenOverflows"), 7);
	CHECK_EQ_INT(val(&s, "TcpExtListenDrops"), 9);
	CHECK_EQ_INT(val(&s, "IpExtInNoRoutes"), 3);
	CHECK(val(&s, "IpExtInOctets") == UINT64_MAX);
	CHECK(val(&s, "IpExtOutOctets") == 123456789012ull);
	CHECK_EQ_INT(val(&s, "MPTcpExtMPCapableFallbackACK"), 2);
	CHECK_EQ_INT(val(&s, "Ip6InReceives"), 1);
	CHECK_EQ_INT(val(&s, "Ip6InNoRoutes"), 5);
	CHECK_EQ_INT(val(&s, "Icmp6OutType133"), 2);
	CHECK_EQ_INT(val(&s, "Udp6NoPorts"), 4);
	CHECK_EQ_INT(s.n, 24 + 8 + 3 + 6);
	CHECK_EQ_INT(pp_snmp_parse(&s, "x", 2), -EINVAL);
	pp_snmp_free(&s);
}

/* Many counters: the array grows past its first allocation, names stay unique. */
static void
test_snmp_many_and_duplicates(void)
{
	struct pp_snmp s = { 0 };
	char hdr[8192] = "Big:", vals[8192] = "Big:", name[32];
	size_t hl = 4, vl = 4;

	for (int i = 0; i < 300; i++) {
		hl += (size_t)snprintf(hdr + hl, sizeof(hdr) - hl, " C%d", i);
		vl += (size_t)snprintf(vals + vl, sizeof(vals) - vl, " %d", i * 3);
	}
	CHECK_EQ_INT(pp_snmp_parse(&s, hdr, 0), 0);	/* a header, no values yet */
	CHECK_EQ_INT(s.n, 0);
	{
		char *both = malloc(hl + vl + 3);

		snprintf(both, hl + vl + 3, "%s\n%s\n", hdr, vals);
		CHECK_EQ_INT(pp_snmp_parse(&s, both, 0), 0);
		CHECK_EQ_INT(s.n, 300);
		/* The same text again: values replaced, no duplicates. */
		CHECK_EQ_INT(pp_snmp_parse(&s, both, 0), 0);
		CHECK_EQ_INT(s.n, 300);
		free(both);
	}
	for (int i = 0; i < 300; i += 37) {
		snprintf(name, sizeof(name), "BigC%d", i);
		CHECK_EQ_INT(val(&s, name), i * 3);
	}
	CHECK_EQ_INT(val(&s, "BigC299"), 897);
	pp_snmp_free(&s);
}

static void
test_snmp_malformed(void)
{
	struct pp_snmp s = { 0 };
	static const char bad[] =
		"\n"
		"garbage without a colon 1 2 3\n"
		"Ip: 1 2 3\n"				/* values without a header */
		"Tcp: A B C\n"
		"Udp: 1 2 3\n"				/* values under another prefix */
		"Icmp: InMsgs InErrors InCsumErrors\n"
		"Icmp: 5 6\n"				/* shorter than its header: two kept */
		"IcmpMsg: InType3\n"
		"IcmpMsg: 7 8 9\n"			/* longer: one kept */
		"X: A B C D E\n"
		"X: 1 zz 99999999999999999999999 -5\n"	/* junk, overflow, negative */
		"Y: Name\n"
		"Y: -\n"
		"Z:\n"
		"Z: 4\n"
		"W: AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA Short\n"
		"W: 1 2\n"				/* a name too long for 64 bytes is skipped */
		"V: Last\n"
		"V: 10";				/* cut before its newline */
	static const char bad6[] =
		"Ip6InReceives\n"			/* no value */
		"Ip6InDiscards 12 13\n"			/* one column too many */
		"Ip6OutRequests x\n"
		"\t\n"
		"Ip6InDelivers -2\n"
		"Ip6OutNoRoutes 3\n";

	CHECK_EQ_INT(pp_snmp_parse(&s, bad, 0), 0);
	CHECK(!pp_snmp_get(&s, "Ip1", NULL));
	CHECK(!pp_snmp_get(&s, "TcpA", NULL));
	CHECK(!pp_snmp_get(&s, "UdpA", NULL));
	CHECK_EQ_INT(val(&s, "IcmpInMsgs"), 5);
	CHECK_EQ_INT(val(&s, "IcmpInErrors"), 6);
	CHECK(!pp_snmp_get(&s, "IcmpInCsumErrors", NULL));
	CHECK_EQ_INT(val(&s, "IcmpMsgInType3"), 7);
	CHECK_EQ_INT(val(&s, "XA"), 1);
	CHECK(!pp_snmp_get(&s, "XB", NULL));
	CHECK(!pp_snmp_get(&s, "XC", NULL));
	CHECK(val(&s, "XD") == (uint64_t)-5);
	CHECK(!pp_snmp_get(&s, "XE", NULL));
	CHECK(!pp_snmp_get(&s, "YName", NULL));
	CHECK_EQ_INT(val(&s, "WShort"), 2);
	CHECK_EQ_INT(val(&s, "VLast"), 10);
	CHECK_EQ_INT(s.n, 7);

	CHECK_EQ_INT(pp_snmp_parse(&s, bad6, 1), 0);
	CHECK(!pp_snmp_get(&s, "Ip6InReceives", NULL));
	CHECK(!pp_snmp_get(&s, "Ip6InDiscards", NULL));
	CHECK(!pp_snmp_get(&s, "Ip6OutRequests", NULL));
	CHECK(val(&s, "Ip6InDelivers") == (uint64_t)-2);
	CHECK_EQ_INT(val(&s, "Ip6OutNoRoutes"), 3);
	CHECK_EQ_INT(pp_snmp_parse(&s, "", 0), 0);
	CHECK_EQ_INT(pp_snmp_parse(&s, "", 1), 0);
	CHECK_EQ_INT(s.n, 9);
	pp_snmp_free(&s);
}

/* Every prefix of the real text, and of it with bytes changed: parsed without a crash. */
static void
test_snmp_cut_anywhere(void)
{
	size_t len = sizeof(snmp_text) - 1;
	char *buf = malloc(len + 1);
	uint32_t r = 12345;

	for (size_t cut = 0; cut <= len; cut++) {
		struct pp_snmp s = { 0 };

		memcpy(buf, snmp_text, cut);
		buf[cut] = '\0';
		CHECK_EQ_INT(pp_snmp_parse(&s, buf, 0), 0);
		CHECK_EQ_INT(pp_snmp_parse(&s, buf, 1), 0);
		pp_snmp_free(&s);
	}
	for (int i = 0; i < 2000; i++) {
		struct pp_snmp s = { 0 };

		memcpy(buf, snmp_text, len + 1);
		for (int k = 0; k < 4; k++) {
			r ^= r << 13;
			r ^= r >> 17;
			r ^= r << 5;
			buf[r % len] = " :\n-9aZ\t"[(r >> 20) % 8];
		}
		CHECK_EQ_INT(pp_snmp_parse(&s, buf, (int)(r & 1)), 0);
		pp_snmp_free(&s);
	}
	free(buf);
}

static void
test_snmp_delta(void)
{
	struct pp_snmp a = { 0 }, b = { 0 };

	CHECK_EQ_INT(pp_snmp_parse(&a, "TcpExt: ListenOverflows ListenDrops TW\nTcpExt: 10 20 5\n", 0), 0);
	CHECK_EQ_INT(pp_snmp_parse(&a, "Ip6InReceives 100\n", 1), 0);
	CHECK_EQ_INT(pp_snmp_parse(&b, "TcpExt: ListenOverflows ListenDrops TW\nTcpExt: 17 20 2\n", 0), 0);
	CHECK_EQ_INT(pp_snmp_parse(&b, "Ip6InReceives 18446744073709551615\nUdp6NoPorts 3\n", 1), 0);
	CHECK_EQ_INT(pp_snmp_delta(&a, &b, "TcpExtListenOverflows"), 7);
	CHECK_EQ_INT(pp_snmp_delta(&a, &b, "TcpExtListenDrops"), 0);
	CHECK_EQ_INT(pp_snmp_delta(&a, &b, "TcpExtTW"), 2);		/* went down: a reset */
	CHECK(pp_snmp_delta(&a, &b, "Ip6InReceives") == UINT64_MAX - 100);
	CHECK_EQ_INT(pp_snmp_delta(&a, &b, "Udp6NoPorts"), 0);	/* not in before */
	CHECK_EQ_INT(pp_snmp_delta(&b, &a, "Udp6NoPorts"), 0);	/* not in after */
	CHECK_EQ_INT(pp_snmp_delta(&a, &b, "Nothing"), 0);
	pp_snmp_free(&a);
	pp_snmp_free(&b);
	/* Empty structs. */
	CHECK_EQ_INT(pp_snmp_delta(&a, &b, "TcpExtTW"), 0);
	CHECK(!pp_snmp_get(&a, "TcpExtTW", NULL));
}

/* The real files of this namespace, when /proc has them (no root needed). */
static void
test_snmp_read_proc(void)
{
	struct pp_snmp s = { 0 };
	uint64_t v;

	if (access("/proc/net/snmp", R_OK) != 0) {
		printf("# skip: no /proc/net/snmp\n");
		return;
	}
	CHECK_EQ_INT(pp_snmp_read(&s), 0);
	CHECK(s.n > 50);
	CHECK(pp_snmp_get(&s, "IpForwarding", &v) && (v == 1 || v == 2));
	CHECK(pp_snmp_get(&s, "TcpExtListenOverflows", NULL));
	CHECK(pp_snmp_get(&s, "IpExtInNoRoutes", NULL));
	if (access("/proc/net/snmp6", R_OK) == 0)
		CHECK(pp_snmp_get(&s, "Ip6InReceives", NULL));
	printf("# %zu counters read\n", s.n);
	pp_snmp_free(&s);
}

int
main(void)
{
	RUN(test_snmp_pairs);
	RUN(test_snmp_netstat_and_snmp6);
	RUN(test_snmp_many_and_duplicates);
	RUN(test_snmp_malformed);
	RUN(test_snmp_cut_anywhere);
	RUN(test_snmp_delta);
	RUN(test_snmp_read_proc);
	return tap_done();
}
