/*
 * pmtuprobe: the path MTU to a destination, black holes, and the hop responsible.
 *
 *   args -> netns -> local facts -> probe sizes (and TTLs) -> evaluate -> render -> exit
 */
#include <errno.h>
#include <netdb.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "cli.h"
#include "parse.h"
#include "pmtuprobe.h"

enum {
	OPT_PROTO = PP_OPT_TOOL,
	OPT_PORT,
	OPT_MIN,
	OPT_MAX,
	OPT_TRIES,
	OPT_MAX_TTL,
	OPT_FLUSH,
	OPT_NO_CAPTURE,
	OPT_NO_LOCATE,
};


static const struct pp_optdef pm_optdefs[] = {
	PP_OPT('4', "ipv4", '4', NULL, "resolve DEST to IPv4"),
	PP_OPT('6', "ipv6", '6', NULL, "resolve DEST to IPv6"),
	PP_OPT(0, "proto", OPT_PROTO, "P", "udp, icmp, tcp or auto (default auto: udp, then icmp, then tcp\nwith a port: the first the destination answers)"),
	PP_OPT(0, "port", OPT_PORT, "N", "UDP/TCP destination port (default 33434 udp, 80 tcp)"),
	PP_OPT(0, "min", OPT_MIN, "BYTES", "smallest probe, IP header included (default 68 IPv4, 1280 IPv6)"),
	PP_OPT(0, "max", OPT_MAX, "BYTES", "largest probe (default the route's or egress device's MTU)"),
	PP_OPT(0, "tries", OPT_TRIES, "N", "packets per size before it counts as lost (default 3, RFC 8899)"),
	PP_OPT('t', "timeout", 't', "SEC", "wait per try (default 1)"),
	PP_OPT('w', "deadline", 'w', "SEC", "stop after SEC and report what was found so far"),
	PP_OPT(0, "max-ttl", OPT_MAX_TTL, "N", "longest path the black-hole search walks (default 30)"),
	PP_OPT(0, "flush", OPT_FLUSH, NULL, "remove the cached PMTU exception for DEST before probing\n(IPv4: flushes the namespace's route cache)"),
	PP_OPT(0, "no-capture", OPT_NO_CAPTURE, NULL, "do not watch the egress device for PTBs this host drops"),
	PP_OPT(0, "no-locate", OPT_NO_LOCATE, NULL, "do not search over TTL for the hop of a black hole"),
	PP_COMMON_OPTDEFS,
	PP_OPT_END,
};


static void
usage(FILE *f)
{
	fprintf(f,
		"Usage: pmtuprobe [options] DEST[:PORT]\n"
		"Find the path MTU to DEST with DF probes, tell a hop that reports Packet Too Big\n"
		"from a black hole (and locate it), and from a PTB this host drops itself.\n"
		"\n");
	pp_opt_help(f, pm_optdefs);
	fprintf(f,
		"\n"
		"Exit status: 0 clean path, 1 black hole or PTB dropped here, 2 usage, 3 could not tell.\n");
}

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static int
num_opt(struct pm_opts *o, const char *name, const char *arg, uint32_t min, uint32_t max,
	unsigned *out)
{
	uint32_t v;

	if (pp_parse_u32(arg, max, &v) < 0 || v < min)
		return pp_usage_error(&o->cli, "%s: '%s' is not a number from %u to %u", name, arg, min, max);
	*out = v;
	return 0;
}

static int
resolve(struct pm_opts *o, const char *host)
{
	struct addrinfo hints = { 0 }, *res = NULL;
	int rc;

	if (pp_parse_addr(host, o->family, &o->dst) == 0)
		return 0;
	hints.ai_family = o->family ? o->family : AF_UNSPEC;
	hints.ai_socktype = SOCK_DGRAM;
	rc = getaddrinfo(host, NULL, &hints, &res);
	if (rc != 0 || !res)
		return pp_usage_error(&o->cli, "'%s': %s", host, rc ? gai_strerror(rc) : "no address");
	if (res->ai_family == AF_INET6)
		pp_addr_set(&o->dst, AF_INET6, &((struct sockaddr_in6 *)res->ai_addr)->sin6_addr, 16);
	else
		pp_addr_set(&o->dst, AF_INET, &((struct sockaddr_in *)res->ai_addr)->sin_addr, 4);
	freeaddrinfo(res);
	return 0;
}

static int
parse_args(int argc, char *argv[], struct pm_opts *o)
{
	struct pp_optparse op;
	char host[256];
	const char *why = NULL;
	uint16_t port = 0;
	bool has_port = false;
	int opt, rc;

	memset(o, 0, sizeof(*o));
	pp_cli_init(&o->cli, "pmtuprobe");
	o->proto_auto = true;
	o->tries = PM_DEFAULT_TRIES;
	o->timeout = 1.0;
	o->max_ttl = 30;
	pp_opt_init(&op, &o->cli, pm_optdefs);
	while ((opt = pp_opt_next(&op, argc, argv)) != -1) {
		switch (opt) {
		case '4':
			o->family = AF_INET;
			break;
		case '6':
			o->family = AF_INET6;
			break;
		case OPT_PROTO:
			o->proto_auto = false;
			if (strcmp(optarg, "udp") == 0)
				o->proto = PM_PROTO_UDP;
			else if (strcmp(optarg, "icmp") == 0)
				o->proto = PM_PROTO_ICMP;
			else if (strcmp(optarg, "tcp") == 0)
				o->proto = PM_PROTO_TCP;
			else if (strcmp(optarg, "auto") == 0)
				o->proto_auto = true;
			else
				return pp_usage_error(&o->cli, "--proto: '%s' is not udp, icmp, tcp or auto", optarg);
			break;
		case OPT_PORT: {
			unsigned v = 0;

			if ((rc = num_opt(o, "--port", optarg, 1, 65535, &v)) != 0)
				return rc;
			o->port = (uint16_t)v;
			o->port_given = true;
			break;
		}
		case OPT_MIN:
			if ((rc = num_opt(o, "--min", optarg, 68, 65535, &o->min)) != 0)
				return rc;
			o->min_given = true;
			break;
		case OPT_MAX:
			if ((rc = num_opt(o, "--max", optarg, 68, 65535, &o->max)) != 0)
				return rc;
			o->max_given = true;
			break;
		case OPT_TRIES:
			if ((rc = num_opt(o, "--tries", optarg, 1, 100, &o->tries)) != 0)
				return rc;
			break;
		case OPT_MAX_TTL:
			if ((rc = num_opt(o, "--max-ttl", optarg, 1, 255, &o->max_ttl)) != 0)
				return rc;
			break;
		case 't':
			if (pp_parse_seconds(optarg, 60, &o->timeout) < 0 || o->timeout < 0.001)
				return pp_usage_error(&o->cli, "--timeout: '%s' is not a number of seconds (0.001 to 60)", optarg);
			break;
		case 'w':
			if (pp_parse_seconds(optarg, 86400, &o->deadline) < 0 || o->deadline <= 0)
				return pp_usage_error(&o->cli, "--deadline: '%s' is not a number of seconds", optarg);
			break;
		case OPT_FLUSH:
			o->flush = true;
			break;
		case OPT_NO_CAPTURE:
			o->no_capture = true;
			break;
		case OPT_NO_LOCATE:
			o->no_locate = true;
			break;
		default:
			if ((rc = pp_opt_common(&o->cli, opt, optarg, usage)) != PP_EXIT_OK)
				return rc;
		}
	}
	do {
		int frc = pp_cli_finish(&o->cli);

		if (frc != PP_EXIT_OK)
			return frc;
	} while (0);
	if (optind != argc - 1)
		return pp_usage_error(&o->cli, optind >= argc ? "missing DEST" : "one DEST only");
	if (pp_parse_dest(argv[optind], host, sizeof(host), &port, &has_port, &why) < 0)
		return pp_usage_error(&o->cli, "'%s': %s", argv[optind], why ? why : "bad destination");
	if (has_port) {
		if (o->port_given && o->port != port)
			return pp_usage_error(&o->cli, "'%s': port given twice (--port %u)", argv[optind], o->port);
		o->port = port;
		o->port_given = true;
	}
	snprintf(o->dst_name, sizeof(o->dst_name), "%s", host);
	if ((rc = resolve(o, host)) != 0)
		return rc;
	o->family = o->dst.family;
	if (o->min_given && o->max_given && o->min > o->max)
		return pp_usage_error(&o->cli, "--min %u is larger than --max %u", o->min, o->max);
	if (!o->proto_auto && o->proto == PM_PROTO_TCP && !o->port_given)
		o->port = 80;
	if (!o->port_given && o->proto != PM_PROTO_TCP)
		o->port = 33434;
	return PP_EXIT_OK;
}

static void
log_probe(struct pm_model *m, const struct pm_probe *p)
{
	if (m->nprobes < PM_MAX_LOG) {
		m->log[m->nprobes] = *p;
		m->log[m->nprobes++].proto = m->proto;
	}
	if (p->reply_frag && p->answer == PM_A_REACHED && !p->ttl && p->reply_frag > m->return_frag) {
		m->return_frag = p->reply_frag;
		m->return_frag_probe = p->size;
	}
}

/* Keep what a size probe's answer says about PTBs (evidence for the verdict). */
static void
note_ptb(struct pm_model *m, const struct pm_probe *p)
{
	if (p->answer != PM_A_PTB)
		return;
	if (p->mtu >= p->size) {
		if (!m->bad_ptb) {
			m->bad_ptb = true;
			m->bad_hop = p->from;
			m->bad_mtu = p->mtu;
			m->bad_size = p->size;
		}
		return;
	}
	if (p->ptb_local_drop) {
		if (!m->ptb_wire_only || p->mtu < m->wire_mtu) {
			m->ptb_wire_only = true;
			m->wire_hop = p->from;
			m->wire_mtu = p->mtu;
		}
		return;
	}
	if (!m->ptb_seen || p->mtu < m->ptb_mtu) {
		m->ptb_seen = true;
		m->ptb_hop = p->from;
		m->ptb_mtu = p->mtu;
	}
}

/* Stop reasons from pm_probe(). Returns true when probing must end. */
static bool
stopped(struct pm_model *m, int rc)
{
	if (rc == -EINTR)
		m->interrupted = true;
	else if (rc == -ETIME)
		m->timed_out = true;
	return rc < 0;
}

static void
note_capture(struct pm_model *m, const struct pm_prober *pr)
{
	char buf[256];

	if (pr->cap_rc == 0) {
		m->capture_ok = true;
		return;
	}
	if (pr->cap_err.code == EPERM || pr->cap_err.code == EACCES)
		snprintf(m->capture_err, sizeof(m->capture_err), "capture on %s: needs CAP_NET_RAW", pr->cap_dev);
	else
		snprintf(m->capture_err, sizeof(m->capture_err), "%s", pp_err_str(&pr->cap_err, buf, sizeof(buf)));
	pm_warn(m, "no capture (%s): a PTB this host drops looks like a black hole", m->capture_err);
}

static int
open_prober(struct pm_model *m, struct pm_prober *pr, double deadline_at)
{
	struct pp_err e = { 0 };
	char buf[256];
	int rc;

	rc = pm_prober_open(pr, m, &e);
	if (rc < 0) {
		snprintf(m->probe_err, sizeof(m->probe_err), "%s%s%s", pp_err_str(&e, buf, sizeof(buf)),
			 pp_errno_needs(rc) ? ": " : "", pp_errno_needs(rc) ? pp_errno_needs(rc) : "");
		if (rc == -EPERM || rc == -EACCES)
			snprintf(m->probe_err, sizeof(m->probe_err), "%s: needs CAP_NET_RAW (run as root)",
				 pp_err_str(&e, buf, sizeof(buf)));
		return rc;
	}
	pr->stop = &stop_flag;
	pr->sent = &m->probes_sent;
	pr->deadline_at = deadline_at;
	return 0;
}

static void
run(struct pm_model *m)
{
	const struct pm_opts *o = m->o;
	struct pm_prober pr;
	struct pm_probe p = { 0 };
	enum pm_proto order[3];
	double deadline_at = o->deadline > 0 ? pm_now() + o->deadline : 0;
	int norder = 0, i, rc = 0;
	unsigned size = 0;

	if (o->proto_auto) {
		order[norder++] = PM_PROTO_UDP;
		order[norder++] = PM_PROTO_ICMP;
		if (o->port_given)
			order[norder++] = PM_PROTO_TCP;
	} else {
		order[norder++] = o->proto;
	}
	/* The base probe: the smallest size, to find a protocol the destination answers. */
	bool open = false, tried = false;
	enum pm_proto tried_proto = order[0];
	struct pm_probe tried_p = { 0 };

	for (i = 0; i < norder; i++) {
		/* auto tries TCP only with a port given; --proto tcp defaults it in parse_args */
		m->proto = order[i];
		if (open_prober(m, &pr, deadline_at) < 0) {
			if (norder > 1)
				pm_warn(m, "%s probes: %s", m->proto == PM_PROTO_ICMP ? "icmp" :
					m->proto == PM_PROTO_TCP ? "tcp" : "udp", m->probe_err);
			continue;
		}
		pm_search_init(&m->search, m->min, m->max);
		size = pm_search_next(&m->search);
		rc = pm_probe(&pr, size, 0, &p);
		if (stopped(m, rc)) {
			pm_prober_close(&pr);
			return;
		}
		log_probe(m, &p);
		tried = true;
		tried_proto = m->proto;
		tried_p = p;
		if (p.answer == PM_A_REACHED || i + 1 == norder) {
			open = true;
			break;
		}
		pm_prober_close(&pr);
	}
	if (!tried) {
		m->probe_error = true;	/* no protocol could be probed; probe_err says why */
		return;
	}
	m->probe_error = false;
	if (!open) {
		/* The last protocol could not be opened: the answer is what the last one tried got. */
		m->proto = tried_proto;
		m->searched = true;
		pm_search_init(&m->search, m->min, m->max);
		size = pm_search_next(&m->search);
		pm_search_answer(&m->search, size, tried_p.answer, tried_p.mtu);
		return;
	}
	if (p.answer == PM_A_SEND_ERR) {
		m->probe_error = true;
		snprintf(m->probe_err, sizeof(m->probe_err), "send: %s%s", strerror(p.err),
			 p.err == EPERM ? " (this host's OUTPUT rules refuse the probe)" : "");
		pm_prober_close(&pr);
		return;
	}
	m->searched = true;
	pm_search_answer(&m->search, size, p.answer, p.mtu);
	/*
	 * The capture costs tens of milliseconds to set up and tear down (the packet
	 * ring), so for UDP and TCP it opens only when a probe first goes unanswered
	 * (pm_probe does that): a PTB this host drops is then seen on the next try.
	 * ICMP echo replies are as large as the probes and may come back fragmented
	 * (a smaller MTU on the way back): for ICMP it opens now.
	 */
	if (!o->no_capture && m->local.dev[0]) {
		snprintf(pr.cap_dev, sizeof(pr.cap_dev), "%s", m->local.dev);
		if (m->proto == PM_PROTO_ICMP)
			pm_prober_capture_now(&pr);
	}
	while ((size = pm_search_next(&m->search)) != 0) {
		rc = pm_probe(&pr, size, 0, &p);
		if (stopped(m, rc))
			break;
		log_probe(m, &p);
		note_ptb(m, &p);
		pm_search_answer(&m->search, size, p.answer, p.mtu);
	}
	/* A size vanished with no PTB while smaller ones pass: find where, over TTL. */
	if (rc == 0 && !o->no_locate && m->search.lo && m->search.hi <= m->max &&
	    m->search.hi_why == PM_A_SILENT && !m->ptb_wire_only) {
		unsigned ttl;
		bool large;

		m->located = true;
		pm_ttl_init(&m->ttl, o->max_ttl);
		while ((ttl = pm_ttl_next(&m->ttl, &large)) != 0) {
			rc = pm_probe(&pr, large ? m->search.hi : m->search.lo, ttl, &p);
			if (stopped(m, rc))
				break;
			log_probe(m, &p);
			pm_ttl_answer(&m->ttl, ttl, large, p.answer, &p.from);
		}
	}
	if (pr.cap_tried)
		note_capture(m, &pr);
	pm_prober_close(&pr);
}

static int
tool_main(int argc, char *argv[])
{
	static struct pm_opts o;
	static struct pm_model m;
	struct sigaction sa;
	struct pp_out out;
	struct pp_err e = { 0 };
	char buf[256];
	int rc, orc;

	if ((rc = parse_args(argc, argv, &o)) != PP_EXIT_OK)
		return rc == PP_EXIT_HELP ? PP_EXIT_OK : rc;
	if ((rc = pp_cli_enter_netns(&o.cli)) != PP_EXIT_OK)
		return rc;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;	/* no SA_RESTART: poll() returns and the run ends with what it has */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	m.o = &o;
	m.family = o.family;
	m.proto = o.proto;
	pm_local_collect(&m, false);
	m.min = o.min_given ? o.min : o.family == AF_INET6 ? 1280 : 68;
	if (o.max_given) {
		m.max = o.max;
	} else {
		m.max = m.local.dev_mtu ? m.local.dev_mtu : 1500;
		if (m.local.route_mtu && m.local.route_mtu < m.max)
			m.max = m.local.route_mtu;
		m.max_limited_by_dev = m.local.dev_mtu != 0;
	}
	if (m.max > 65535)
		m.max = 65535;	/* the largest IP packet (loopback's MTU is 65536) */
	if (m.min > m.max) {
		if (o.min_given)
			return pp_usage_error(&o.cli, "--min %u is larger than the largest size %u", m.min, m.max);
		m.min = m.max;
	}
	if (!m.local.route_ok) {
		m.probe_error = true;
		snprintf(m.probe_err, sizeof(m.probe_err), "route to %s: %s", o.dst_name,
			 strerror(-m.local.route_err));
	} else {
		if (m.local.clamps_err)
			pm_warn(&m, "nftables ruleset not read (%s%s%s): MSS clamps and input chains unknown",
				strerror(-m.local.clamps_err), pp_errno_needs(m.local.clamps_err) ? ", " : "",
				pp_errno_needs(m.local.clamps_err) ? pp_errno_needs(m.local.clamps_err) : "");
		if (o.flush && pm_local_flush(&m, &e) < 0)
			pm_warn(&m, "--flush: %s", pp_err_str(&e, buf, sizeof(buf)));
		run(&m);
		pm_local_collect(&m, true);
	}
	rc = pm_eval(&m);
	if (o.cli.nag->on)
		return pm_render_nagios(&m);

	if ((orc = pp_out_begin(&o.cli, &out)) != 0)
		return orc;
	switch (o.cli.format) {
	case PP_FMT_JSON:
		pm_render_json(&m, out.f);
		break;
	case PP_FMT_PROM:
		pm_render_prom(&m, out.f, rc != PP_EXIT_UNKNOWN);
		break;
	default:
		pm_render_text(&m, out.f);
		break;
	}
	if ((orc = pp_out_end(&o.cli, &out, true)) != 0)
		return orc;
	return rc;
}

int
main(int argc, char *argv[])
{
	return pp_cli_main(argc, argv, tool_main);
}
