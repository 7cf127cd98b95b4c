/* args.c: pathcheck's command line, and DEST resolved once. */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "parse.h"
#include "pathcheck.h"
#include "snap.h"

enum {
	OPT_PROTO = PP_OPT_TOOL,
	OPT_FROM,
	OPT_IIF,
	OPT_OIF,
	OPT_MARK,
	OPT_UID,
	OPT_SPORT,
	OPT_PARALLEL,
	OPT_PROBE,
	OPT_TIMEOUT,
	OPT_WATCH,
	OPT_TRACE,
	OPT_TOS,
	OPT_DSCP,
	OPT_FOLLOW,
	OPT_REPLY,
	OPT_ROUND_TRIP,
	OPT_CT_STATE,
	OPT_SAVE,
	OPT_SNAPSHOT,
	OPT_LIST,
	OPT_DIFF,
	OPT_REPLAY,
};

static const struct pp_optdef pc_optdefs[] = {
	PP_OPT(0, "proto", OPT_PROTO, "PROTO", "tcp, udp, sctp or icmp (default: tcp with a port, icmp without)"),
	PP_OPT(0, "from", OPT_FROM, "SRC", "source address (with --iif: the packet's sender)"),
	PP_OPT(0, "iif", OPT_IIF, "DEV", "the packet arrives on DEV (ingress or forward)"),
	PP_OPT(0, "oif", OPT_OIF, "DEV", "force the output device"),
	PP_OPT(0, "mark", OPT_MARK, "N", "firewall mark (decimal or 0x hex)"),
	PP_OPT(0, "uid", OPT_UID, "N", "sending user id (for uidrange rules)"),
	PP_OPT(0, "sport", OPT_SPORT, "N", "source port"),
	PP_OPT(0, "tos", OPT_TOS, "N", "TOS byte (IPv6: traffic class), as ip route get ... tos"),
	PP_OPT(0, "dscp", OPT_DSCP, "N", "DSCP (0-63): --tos with the value shifted left by 2"),
	PP_OPT('v', "verbose", 'v', NULL, "show each station's evidence in text output"),
	PP_OPT('f', "file", 'f', "FILE", "check every target of FILE, one per line:\nDEST[:PORT] [tcp|udp|sctp|icmp] [name=LABEL]; # comments"),
	PP_OPT(0, "parallel", OPT_PARALLEL, "N", "targets checked at once with -f (default 4, at most 64)"),
	PP_OPT(0, "probe", OPT_PROBE, NULL, "send one real flow and watch where the kernel drops it"),
	PP_OPT(0, "timeout", OPT_TIMEOUT, "SEC", "how long the probe waits for an answer (default 2)"),
	PP_OPT('c', "count", 'c', "N", "with --probe: N probes of the same flow, one after another (1-10000)"),
	PP_OPT('i', "interval", 'i', "SEC", "with --count: seconds between probe starts (default 1; 0: back to back)"),
	PP_OPT(0, "watch", OPT_WATCH, "SEC", "send nothing: observe the traffic that matches for SEC"),
	PP_OPT(0, "trace", OPT_TRACE, NULL, "with --probe/--watch: nft trace the flow (a temporary table)"),
	PP_OPT(0, "follow", OPT_FOLLOW, NULL, "go on into the namespace a veth (or a bridge port) hands the packet to,\nuntil it is delivered, leaves the machine or dies"),
	PP_OPT(0, "reply", OPT_REPLY, NULL, "walk the answer back from where the packet arrives (implies --follow)"),
	PP_OPT(0, "round-trip", OPT_ROUND_TRIP, NULL, "the packet, then its answer: ok only when both pass (implies --follow)"),
	PP_OPT(0, "ct-state", OPT_CT_STATE, "STATE", "the packet's conntrack state: new (default), established, related, invalid"),
	PP_OPT(0, "save", OPT_SAVE, "FILE", "run live, and also write the namespace's state (and what this run asked) to a snapshot"),
	PP_OPT(0, "snapshot", OPT_SNAPSHOT, "FILE", "answer from a snapshot written by --save: offline, no privileges, no packets"),
	PP_OPT(0, "list", OPT_LIST, NULL, "with --snapshot: list its pieces, their sizes and its header"),
	PP_OPT(0, "diff", OPT_DIFF, "BEFORE", "--diff BEFORE AFTER: the targets whose verdict changed between two snapshots\n(AFTER '-': the live host), and the first station where the walks part"),
	PP_OPT(0, "replay", OPT_REPLAY, "FILE", "the snapshot's verdict, then its state restored in throw-away namespaces\nand the packet sent there: does the kernel agree? (root)"),
	PP_COMMON_OPTDEFS,
	PP_OPT_END,
};

static void
usage(FILE *f)
{
	fputs("Usage: pathcheck [options] DEST[:PORT]\n"
	      "       pathcheck [options] -f FILE\n"
	      "       pathcheck --snapshot FILE [options] DEST[:PORT] | -f FILE | --list\n"
	      "       pathcheck --diff BEFORE AFTER|- [options] DEST[:PORT] | -f FILE\n"
	      "       pathcheck --replay FILE [options] DEST[:PORT] | -f FILE\n"
	      "Walk the kernel's path to DEST station by station and name where the packet dies.\n"
	      "DEST is an address or a name; IPv6 with a port: [ADDR]:PORT.\n"
	      "\n", f);
	pp_opt_help(f, pc_optdefs);
	fputs("\n"
	      "Exit status: 0 path ok, 1 the packet dies or is degraded, 2 usage error,\n"
	      "3 could not tell (a check the answer depends on could not run).\n", f);
}

static int
proto_parse(const char *s, uint8_t *p)
{
	if (strcmp(s, "tcp") == 0)
		*p = IPPROTO_TCP;
	else if (strcmp(s, "udp") == 0)
		*p = IPPROTO_UDP;
	else if (strcmp(s, "sctp") == 0)
		*p = IPPROTO_SCTP;
	else if (strcmp(s, "icmp") == 0 || strcmp(s, "icmpv6") == 0 || strcmp(s, "ipv6-icmp") == 0)
		*p = IPPROTO_ICMP;
	else
		return -EINVAL;
	return 0;
}

int
pc_args(int argc, char *argv[], struct pc_opts *o)
{
	struct pc_query *q = &o->q;
	const char *from = NULL, *why = NULL;
	char host[sizeof(q->dest_arg)];
	bool has_proto = false, has_interval = false;
	struct pp_optparse op;
	uint32_t v;
	int c, rc;

	memset(o, 0, sizeof(*o));
	pp_cli_init(&o->cli, "pathcheck");
	o->parallel = 4;
	pp_opt_init(&op, &o->cli, pc_optdefs);
	while ((c = pp_opt_next(&op, argc, argv)) != -1) {
		switch (c) {
		case 'v':
			o->verbose = true;
			break;
		case 'f':
			o->file = optarg;
			break;
		case OPT_PROBE:
			q->probe = true;
			break;
		case OPT_TRACE:
			q->trace = true;
			break;
		case OPT_FOLLOW:
			q->follow = true;
			break;
		case OPT_SAVE:
			o->save = optarg;
			break;
		case OPT_SNAPSHOT:
			o->snapshot = optarg;
			break;
		case OPT_LIST:
			o->list = true;
			break;
		case OPT_DIFF:
			o->diff_before = optarg;
			break;
		case OPT_REPLAY:
			o->replay = optarg;
			break;
		case OPT_REPLY:
			q->reply = q->follow = true;
			break;
		case OPT_ROUND_TRIP:
			q->round_trip = q->follow = true;
			break;
		case OPT_CT_STATE:
			if (strcmp(optarg, "new") == 0)
				q->ct_state = PC_CT_NEW;
			else if (strcmp(optarg, "established") == 0)
				q->ct_state = PC_CT_ESTABLISHED;
			else if (strcmp(optarg, "related") == 0)
				q->ct_state = PC_CT_RELATED;
			else if (strcmp(optarg, "invalid") == 0)
				q->ct_state = PC_CT_INVALID;
			else
				return pp_usage_error(&o->cli, "--ct-state: '%s' is not new, established, related or invalid",
						      optarg);
			break;
		case 'c':
			if (pp_parse_u32(optarg, PC_COUNT_MAX, &q->count) < 0 || q->count == 0)
				return pp_usage_error(&o->cli, "--count: '%s' is not a number from 1 to %d", optarg, PC_COUNT_MAX);
			break;
		case 'i':
			/* 0 is allowed: each probe waits for its answer, so back to back is no flood. */
			if (pp_parse_rate(optarg, 3600, &q->interval) < 0)
				return pp_usage_error(&o->cli, "--interval: '%s' is not a number of seconds from 0 to 3600", optarg);
			has_interval = true;
			break;
		case OPT_TIMEOUT:
			if (pp_parse_seconds(optarg, 60, &q->timeout) < 0)
				return pp_usage_error(&o->cli, "--timeout: '%s' is not a number of seconds up to 60", optarg);
			break;
		case OPT_WATCH:
			if (pp_parse_seconds(optarg, 3600, &q->watch) < 0)
				return pp_usage_error(&o->cli, "--watch: '%s' is not a number of seconds up to 3600", optarg);
			break;
		case OPT_PARALLEL:
			if (pp_parse_u32(optarg, 64, &o->parallel) < 0 || o->parallel == 0)
				return pp_usage_error(&o->cli, "--parallel: '%s' is not a number from 1 to 64", optarg);
			break;
		case OPT_PROTO:
			if (proto_parse(optarg, &q->proto) < 0)
				return pp_usage_error(&o->cli, "--proto: '%s' is not tcp, udp, sctp or icmp", optarg);
			has_proto = true;
			break;
		case OPT_FROM:
			from = optarg;
			break;
		case OPT_IIF:
		case OPT_OIF:
			if (!optarg[0] || strlen(optarg) >= IF_NAMESIZE || strchr(optarg, '/'))
				return pp_usage_error(&o->cli, "%s: '%s' is not a device name",
						      c == OPT_IIF ? "--iif" : "--oif", optarg);
			snprintf(c == OPT_IIF ? q->iif : q->oif, IF_NAMESIZE, "%s", optarg);
			break;
		case OPT_MARK:
			if (pp_parse_u32(optarg, UINT32_MAX, &q->mark) < 0)
				return pp_usage_error(&o->cli, "--mark: '%s' is not a 32-bit number", optarg);
			q->has_mark = true;
			break;
		case OPT_UID:
			if (pp_parse_u32(optarg, UINT32_MAX - 1, &q->uid) < 0)
				return pp_usage_error(&o->cli, "--uid: '%s' is not a user id", optarg);
			q->has_uid = true;
			break;
		case OPT_SPORT:
			if (pp_parse_u32(optarg, 65535, &v) < 0 || v == 0)
				return pp_usage_error(&o->cli, "--sport: '%s' is not a port (1-65535)", optarg);
			q->sport = (uint16_t)v;
			q->has_sport = true;
			break;
		case OPT_TOS:
		case OPT_DSCP:
			if (q->has_tos)
				return pp_usage_error(&o->cli, "--tos and --dscp: give one of them, once");
			if (c == OPT_TOS && pp_parse_u32(optarg, 255, &v) < 0)
				return pp_usage_error(&o->cli, "--tos: '%s' is not a TOS byte (0-255)", optarg);
			if (c == OPT_DSCP && pp_parse_u32(optarg, 63, &v) < 0)
				return pp_usage_error(&o->cli, "--dscp: '%s' is not a DSCP (0-63)", optarg);
			q->tos = (uint8_t)(c == OPT_TOS ? v : v << 2);
			q->has_tos = true;
			break;
		default:
			if ((rc = pp_opt_common(&o->cli, c, optarg, usage)) != PP_EXIT_OK)
				return rc;
		}
	}
	do {
		int frc = pp_cli_finish(&o->cli);

		if (frc != PP_EXIT_OK)
			return frc;
	} while (0);
	if (q->probe && q->watch > 0)
		return pp_usage_error(&o->cli, "--probe sends a packet, --watch sends none: choose one");
	if (q->trace && !q->probe && q->watch <= 0)
		return pp_usage_error(&o->cli, "--trace goes with --probe or --watch");
	if (q->count && !q->probe)
		return pp_usage_error(&o->cli, "--count goes with --probe: it counts the probes sent");
	if (has_interval && !q->count)
		return pp_usage_error(&o->cli, "--interval goes with --count: the gap between its probes");
	if (q->count && !has_interval)
		q->interval = 1.0;
	/*
	 * The probe and the watch send and recognise tcp, udp and icmp only. An SCTP probe
	 * would need SCTP sockets (this kernel may have none: CONFIG_IP_SCTP) and an
	 * association's handshake pathcheck does not speak: refused rather than half done.
	 */
	if (has_proto && q->proto == IPPROTO_SCTP && (q->probe || q->watch > 0))
		return pp_usage_error(&o->cli, "--proto sctp: %s speaks tcp, udp and icmp only (an SCTP probe needs SCTP sockets); "
				      "ask without it for the static walk", q->probe ? "--probe" : "--watch");
	if (has_proto && q->proto == IPPROTO_SCTP && o->replay)
		return pp_usage_error(&o->cli, "--proto sctp: --replay sends tcp, udp and icmp only (an SCTP packet needs SCTP sockets)");
	if (q->probe && q->iif[0])
		return pp_usage_error(&o->cli, "--probe sends from this host; for a packet arriving on --iif use --watch SEC");
	if (q->reply && q->round_trip)
		return pp_usage_error(&o->cli, "--reply walks the answer, --round-trip both ways: choose one");
	if (q->follow && (q->probe || q->watch > 0))
		return pp_usage_error(&o->cli, "--follow, --reply and --round-trip walk without sending: not with --probe or --watch");
	if (q->ct_state && (q->probe || q->watch > 0))
		return pp_usage_error(&o->cli, "--ct-state is what the walk assumes: not with --probe or --watch");
	if (o->save && o->snapshot)
		return pp_usage_error(&o->cli, "--save records the live kernel, --snapshot answers from a file: choose one");
	if (o->replay && o->diff_before)
		return pp_usage_error(&o->cli, "--replay and --diff: choose one");
	if (o->replay && (o->snapshot || o->save || o->list))
		return pp_usage_error(&o->cli, "--replay FILE reads the snapshot itself: not with --snapshot, --save or --list");
	if (o->replay && (q->probe || q->watch > 0 || q->follow))
		return pp_usage_error(&o->cli, "--replay sends its own packet in one replayed namespace: not with --probe, --watch, --follow, --reply or --round-trip");
	if (o->replay)
		o->snapshot = o->replay;	/* the static verdict is the snapshot's */
	if (o->list && !o->snapshot)
		return pp_usage_error(&o->cli, "--list goes with --snapshot FILE: it lists the snapshot's pieces");
	if (o->snapshot && (q->probe || q->watch > 0))
		return pp_usage_error(&o->cli, "--snapshot answers from a file: it sends and watches no packets (no --probe, --watch)");
	if (o->save && q->watch > 0)
		return pp_usage_error(&o->cli, "--save records what pathcheck asks the kernel: not with --watch");
	if (o->diff_before) {
		if (o->save || o->snapshot || o->list || q->probe || q->watch > 0)
			return pp_usage_error(&o->cli, "--diff compares two snapshots: not with --save, --snapshot, --list, --probe or --watch");
		if (optind >= argc)
			return pp_usage_error(&o->cli, "--diff BEFORE AFTER: missing AFTER (a snapshot, or '-' for the live host)");
		o->diff_after = argv[optind++];
	}
	if (o->list) {
		if (optind < argc || o->file)
			return pp_usage_error(&o->cli, "--list takes no DEST and no -f: it lists the snapshot");
		return PP_EXIT_OK;
	}
	if (!q->timeout)
		q->timeout = 2.0;
	if (from && pp_parse_addr(from, 0, &q->src) < 0)
		return pp_usage_error(&o->cli, "--from: '%s' is not an IPv4 or IPv6 address", from);
	if (q->iif[0] && !from)
		return pp_usage_error(&o->cli, "--iif needs --from: the address the packet comes from");
	if (o->file) {
		if (optind < argc)
			return pp_usage_error(&o->cli, "-f FILE and DEST '%s' cannot be used together", argv[optind]);
		o->default_proto = has_proto ? q->proto : 0;
		return PP_EXIT_OK;
	}
	if (optind >= argc)
		return pp_usage_error(&o->cli, "missing DEST");
	if (optind + 1 < argc)
		return pp_usage_error(&o->cli, "one DEST only; '%s' is extra", argv[optind + 1]);
	snprintf(q->dest_arg, sizeof(q->dest_arg), "%s", argv[optind]);
	if (pp_parse_dest(argv[optind], host, sizeof(host), &q->dport, &q->has_dport, &why) < 0)
		return pp_usage_error(&o->cli, "DEST '%s': %s", argv[optind], why);
	/* Keep the host part for resolution; the port is already parsed. */
	snprintf(q->dest_arg, sizeof(q->dest_arg), "%s", host);
	if (!has_proto)
		q->proto = q->has_dport ? IPPROTO_TCP : IPPROTO_ICMP;
	if (q->proto == IPPROTO_ICMP && (q->has_dport || q->has_sport))
		return pp_usage_error(&o->cli, "DEST '%s': icmp has no ports", argv[optind]);
	return PP_EXIT_OK;
}

/*
 * "IPv4" when DEST is only digits and dots, "IPv6" when it holds a colon: no host
 * name looks like either (a top-level domain is never all digits, and a name has
 * no colon), so such a DEST that does not parse is a mistyped address. NULL else.
 */
const char *
pc_dest_looks_like_addr(const char *dest)
{
	if (strchr(dest, ':'))
		return "IPv6";
	if (dest[0] && strspn(dest, "0123456789.") == strlen(dest))
		return "IPv4";
	return NULL;
}

/*
 * getaddrinfo(), or what the snapshot recorded of it (the incident host's resolver, not
 * this machine's): a fact "resolve FAMILY NAME" holding the address or "error RC MESSAGE".
 * Returns 0 with *out set, or an EAI_* code with err saying why.
 */
static int
resolve_name(const char *name, int family, struct pp_addr *out, char *err, size_t errlen)
{
	struct pp_snap *s = pp_snap_active();
	struct addrinfo hints = { 0 }, *res = NULL;
	char key[320], val[320];
	int rc;

	snprintf(key, sizeof(key), "resolve %d %s", family, name);
	if (s && pp_snap_replaying(s)) {
		char *end;

		if (pp_snap_fact_get(s, key, val, sizeof(val)) < 0) {
			snprintf(err, errlen, "the snapshot holds no resolution of it (not asked when it was saved): give the address");
			return EAI_AGAIN;
		}
		if (strncmp(val, "error ", 6) == 0) {
			rc = (int)strtol(val + 6, &end, 10);
			snprintf(err, errlen, "%s", *end == ' ' ? end + 1 : "?");
			return rc ? rc : EAI_FAIL;
		}
		if (pp_parse_addr(val, 0, out) < 0) {
			snprintf(err, errlen, "the snapshot's answer '%s' is not an address", val);
			return EAI_FAIL;
		}
		return 0;
	}
	hints.ai_family = family;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0 || !res) {
		snprintf(err, errlen, "%s", rc == EAI_SYSTEM ? strerror(errno) : gai_strerror(rc));
		if (!rc)
			rc = EAI_NODATA;
		snprintf(val, sizeof(val), "error %d %s", rc, err);
	} else {
		if (res->ai_family == AF_INET)
			pp_addr_set(out, AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
		else
			pp_addr_set(out, AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, 16);
		freeaddrinfo(res);
		pp_addr_str(out, val, sizeof(val));
	}
	if (s)
		pp_snap_fact_record(s, key, 0, val);
	return rc;
}

/*
 * Resolve DEST once, in the target namespace, and check family agreement and
 * devices. Returns PP_EXIT_OK, or PP_EXIT_USAGE with why filled.
 */
int
pc_resolve(struct pc_query *q, char *why, size_t len)
{
	int rc;

	if (pp_parse_addr(q->dest_arg, 0, &q->dst) < 0) {
		const char *kind = pc_dest_looks_like_addr(q->dest_arg);

		/* "203.0.113.999" is a typo, not a host name: never ask DNS about it. */
		if (kind) {
			snprintf(why, len, "DEST '%s' is not an %s address", q->dest_arg, kind);
			return PP_EXIT_USAGE;
		}
		char err[256];

		rc = resolve_name(q->dest_arg, q->src.family ? q->src.family : AF_UNSPEC, &q->dst, err, sizeof(err));
		if (rc != 0) {
			snprintf(why, len, "DEST '%s': cannot resolve: %s", q->dest_arg, err);
			/* A name that does not exist is bad input; a resolver that did not answer could not tell. */
			return rc == EAI_NONAME || rc == EAI_NODATA || rc == EAI_ADDRFAMILY ? PP_EXIT_USAGE
											   : PP_EXIT_UNKNOWN;
		}
	}
	q->family = q->dst.family;
	if (q->proto == IPPROTO_ICMP && q->family == AF_INET6)
		q->proto = IPPROTO_ICMPV6;
	if (q->src.family && q->src.family != q->family) {
		snprintf(why, len, "--from is %s but DEST '%s' is %s", q->src.family == AF_INET ? "IPv4" : "IPv6",
			 q->dest_arg, q->family == AF_INET ? "IPv4" : "IPv6");
		return PP_EXIT_USAGE;
	}
	if (q->iif[0] && !(q->iif_index = (int)pp_ifindex(q->iif))) {
		snprintf(why, len, "--iif: device '%s' does not exist", q->iif);
		return PP_EXIT_USAGE;
	}
	if (q->oif[0] && !(q->oif_index = (int)pp_ifindex(q->oif))) {
		snprintf(why, len, "--oif: device '%s' does not exist", q->oif);
		return PP_EXIT_USAGE;
	}
	return PP_EXIT_OK;
}

int
pc_snap_usable(const struct pc_opts *o, const struct pp_snap *s, int ns)
{
	const struct pp_snap_hdr *h = pp_snap_header(s);
	char missing[256], holds[256];

	/* pathcheck --save always dumps the full tables; a table the kernel refused is recorded with its error. */
	if (strncmp(h->writer, "pathcheck ", 10) == 0 || pp_snap_lacks_tables(s, ns, missing, sizeof(missing), holds, sizeof(holds)) == 0)
		return PP_EXIT_OK;
	pp_warnx(&o->cli, "snapshot %s (written by %s) holds no %s of netns %s: pathcheck walks with them "
		 "(pathcheck --save writes them); it holds %s", pp_snap_path(s), h->writer, missing,
		 pp_snap_ns_name(s, ns < 0 ? pp_snap_ns_here((struct pp_snap *)s) : ns), holds[0] ? holds : "nothing");
	return PP_EXIT_USAGE;
}
