/*
 * nfttrace_probe: a test driver for common/nfttrace.c, in the namespace it runs in.
 *
 *   nfttrace_probe trace DST [SRC|any] [PROTO] [DPORT] [SECONDS] [replies]
 *       add the trace table for the flow, print "table NAME" once it is in place,
 *       then one line per event from the user's ruleset (our own table's events
 *       are skipped) until SECONDS have passed (default 5), and delete the table.
 *       SIGINT/SIGTERM: pp_nfttrace_end_from_signal() in the handler; the probe
 *       prints "signalled SIG", lives 2 s more, calls pp_nfttrace_end(), exits 128+SIG.
 *   nfttrace_probe cleanup
 *       remove stale pktpath_trace_<pid> tables; print how many.
 *
 * Event line: "event id=ID type=rule|return|policy table=FAMILY:TABLE chain=CHAIN
 *              handle=N verdict=accept|drop|jump|... [target=CHAIN] iif=IF oif=IF nfproto=N"
 *
 * Build: cc -I common -o nfttrace_probe tests/tools/nfttrace_probe.c build/libpktpath.a -lmnl -lnftnl
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nf_tables.h>

#include "nfttrace.h"
#include "parse.h"

static struct pp_nfttrace *g_t;
static volatile sig_atomic_t g_sig;

/*
 * The table goes in the handler; the process then lives on for 2 s (so a test
 * can see that the handler, not the exit, removed it) and calls pp_nfttrace_end()
 * as well, which must take the table being gone already.
 */
static void
on_signal(int sig)
{
	pp_nfttrace_end_from_signal(g_t);
	g_sig = sig;
}

static const char *
verdict_name(int32_t v)
{
	switch (v) {
	case NF_ACCEPT: return "accept";
	case NF_DROP: return "drop";
	case NF_STOLEN: return "stolen";
	case NF_QUEUE: return "queue";
	case NFT_CONTINUE: return "continue";
	case NFT_BREAK: return "break";
	case NFT_JUMP: return "jump";
	case NFT_GOTO: return "goto";
	case NFT_RETURN: return "return";
	default: return "other";
	}
}

static const char *
type_name(uint32_t t)
{
	switch (t) {
	case NFT_TRACETYPE_RULE: return "rule";
	case NFT_TRACETYPE_RETURN: return "return";
	case NFT_TRACETYPE_POLICY: return "policy";
	default: return "unspec";
	}
}

static int
print_ev(const struct pp_nfttrace_event *ev, void *data)
{
	unsigned *ours = data;

	if (ev->ours) {
		(*ours)++;
		return 0;
	}
	printf("event id=%08x type=%s table=%u:%s chain=%s", ev->id, type_name(ev->type), ev->family,
	       ev->table, ev->chain);
	if (ev->has_handle)
		printf(" handle=%llu", (unsigned long long)ev->handle);
	if (ev->has_verdict)
		printf(" verdict=%s", verdict_name(ev->verdict));
	if (ev->jump_target[0])
		printf(" target=%s", ev->jump_target);
	printf(" iif=%s oif=%s nfproto=%u\n", ev->iif[0] ? ev->iif : "-", ev->oif[0] ? ev->oif : "-",
	       ev->nfproto);
	fflush(stdout);
	return 0;
}

static int
proto_num(const char *s)
{
	uint32_t v;

	if (!strcmp(s, "tcp")) return IPPROTO_TCP;
	if (!strcmp(s, "udp")) return IPPROTO_UDP;
	if (!strcmp(s, "icmp")) return IPPROTO_ICMP;
	if (!strcmp(s, "icmpv6")) return IPPROTO_ICMPV6;
	if (!strcmp(s, "any")) return 0;
	return pp_parse_u32(s, 255, &v) == 0 ? (int)v : -1;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
trace(int argc, char **argv)
{
	struct pp_nfttrace_match m = { 0 };
	struct pp_err e = { 0 };
	struct sigaction sa = { 0 };
	sigset_t block, old;
	double secs = 5, end;
	uint32_t port = 0;
	unsigned ours = 0;
	char eb[512];
	int rc, p;

	if (argc < 3 || pp_parse_addr(argv[2], 0, &m.dst) < 0) {
		fprintf(stderr, "nfttrace_probe: trace DST [SRC|any] [PROTO] [DPORT] [SECONDS] [replies]\n");
		return 2;
	}
	m.family = m.dst.family;
	if (argc > 3 && strcmp(argv[3], "any") && pp_parse_addr(argv[3], m.family, &m.src) < 0)
		return 2;
	if (argc > 4) {
		if ((p = proto_num(argv[4])) < 0)
			return 2;
		m.l4proto = (uint8_t)p;
	}
	if (argc > 5 && pp_parse_u32(argv[5], 65535, &port) < 0)
		return 2;
	m.dport = (uint16_t)port;
	if (argc > 6 && pp_parse_seconds(argv[6], 3600, &secs) < 0)
		return 2;
	m.replies = argc > 7 && !strcmp(argv[7], "replies");

	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* No handle to remove the table with until begin returns: hold the signals. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &old);
	rc = pp_nfttrace_begin(&g_t, &m, &e);
	if (rc < 0) {
		sigprocmask(SIG_SETMASK, &old, NULL);
		fprintf(stderr, "nfttrace_probe: %s\n", pp_err_str(&e, eb, sizeof(eb)));
		return 1;
	}
	printf("table %s\n", pp_nfttrace_table_name(g_t));
	fflush(stdout);
	sigprocmask(SIG_SETMASK, &old, NULL);

	end = now() + secs;
	while (now() < end && !g_sig) {
		struct pollfd pf = { .fd = pp_nfttrace_fd(g_t), .events = POLLIN };
		int ms = (int)((end - now()) * 1000) + 1;

		if (poll(&pf, 1, ms) > 0 && (rc = pp_nfttrace_read(g_t, print_ev, &ours)) < 0) {
			fprintf(stderr, "nfttrace_probe: read: %s\n", strerror(-rc));
			break;
		}
	}
	sigprocmask(SIG_BLOCK, &block, NULL);
	if (g_sig) {
		printf("signalled %d\n", (int)g_sig);
		fflush(stdout);
		sleep(2);
	}
	printf("done ours=%u lost=%llu\n", ours, (unsigned long long)pp_nfttrace_lost(g_t));
	rc = pp_nfttrace_end(g_t);
	g_t = NULL;
	if (rc < 0) {
		fprintf(stderr, "nfttrace_probe: delete table: %s\n", strerror(-rc));
		return 1;
	}
	return g_sig ? 128 + g_sig : 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "trace"))
		return trace(argc, argv);
	if (argc == 2 && !strcmp(argv[1], "cleanup")) {
		struct pp_err e = { 0 };
		char eb[512];
		int n = pp_nfttrace_cleanup_stale(&e);

		if (n < 0) {
			fprintf(stderr, "nfttrace_probe: %s\n", pp_err_str(&e, eb, sizeof(eb)));
			return 1;
		}
		printf("removed %d\n", n);
		return 0;
	}
	fprintf(stderr, "usage: nfttrace_probe trace DST [SRC|any] [PROTO] [DPORT] [SECONDS] [replies] | cleanup\n");
	return 2;
}
