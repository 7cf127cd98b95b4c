/*
 * st_socket.c: the socket station. For a packet this host sends: is the source ours. For one
 * that arrives: the sockets that could take it (sock_diag), the listen queue counters, and
 * the sysctls that make the stack ignore it.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netfilter.h>
#include <linux/rtnetlink.h>

#include <netinet/tcp.h>

#include "netns.h"
#include "pathcheck.h"
#include "sockdiag.h"
#include "sysctl.h"

/* ---- socket (egress) ---- */

static void
eval_socket_egress(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	char a[INET6_ADDRSTRLEN];
	struct pc_station *s;

	if (q->src.family) {
		pp_addr_str(&q->src, a, sizeof(a));
		if (f->src_local < 0) {
			s = pc_st(res, PC_SOCKET, PP_ST_UNKNOWN, pc_cause_of_errno(f->src_local), "could not list addresses: %s",
				    strerror(-f->src_local));
			return;
		}
		if (f->src_local == 0) {
			s = pc_st(res, PC_SOCKET, PP_ST_FAIL, PC_C_SOURCE_NOT_LOCAL,
				    "%s is not an address of this host: bind() fails with EADDRNOTAVAIL", a);
			pc_hint(s, "%s addr show", pc_ipcmd(q));
			return;
		}
		if (f->src_flags & IFA_F_DADFAILED) {
			s = pc_st(res, PC_SOCKET, PP_ST_FAIL, PC_C_SOURCE_DAD_FAILED, "%s failed duplicate address detection", a);
			pc_hint(s, "ip -6 addr show");
			return;
		}
		if (f->src_flags & IFA_F_TENTATIVE) {
			s = pc_st(res, PC_SOCKET, PP_ST_WARN, PC_C_SOURCE_TENTATIVE, "%s is tentative (duplicate address detection running)", a);
			return;
		}
		s = pc_st(res, PC_SOCKET, PP_ST_OK, PC_C_NONE, "source %s is local", a);
		pp_val_add_str(s->evidence, "src", a);
		return;
	}
	if (f->rerouted && f->src_before.family) {
		/* The socket's own route chose the source; routing again after OUTPUT keeps it. */
		s = pc_st(res, PC_SOCKET, PP_ST_OK, PC_C_NONE, "source %s, chosen by the route before OUTPUT",
			    pp_addr_str(&f->src_before, a, sizeof(a)));
		pp_val_add_str(s->evidence, "src", a);
		return;
	}
	if (f->route_rc < 0) {
		pc_st(res, PC_SOCKET, PP_ST_SKIPPED, PC_C_NONE, "no route, so no source address to choose");
		return;
	}
	if (f->route.prefsrc.family) {
		s = pc_st(res, PC_SOCKET, PP_ST_OK, PC_C_NONE, "source %s, chosen by the route",
			    pp_addr_str(&f->route.prefsrc, a, sizeof(a)));
		pp_val_add_str(s->evidence, "src", a);
		return;
	}
	if (f->route.type == RTN_LOCAL) {
		pc_st(res, PC_SOCKET, PP_ST_OK, PC_C_NONE, "local destination");
		return;
	}
	s = pc_st(res, PC_SOCKET, PP_ST_WARN, PC_C_NO_SOURCE_ADDRESS, "the route gives no source address: the host has no usable address for it");
	pc_hint(s, "%s addr show", pc_ipcmd(q));
}

/* A listener bound elsewhere: on loopback only, or on another address. */
static enum pc_cause
listener_cause(const struct pp_addr *a)
{
	bool lo = (a->family == AF_INET && (ntohl(a->u.v4.s_addr) >> 24) == 127) ||
		  (a->family == AF_INET6 && IN6_IS_ADDR_LOOPBACK(&a->u.v6));

	return lo ? PC_C_LISTENER_LOOPBACK_ONLY : PC_C_LISTENER_OTHER_ADDRESS;
}

/* Would the socket take a packet for q's destination, arriving on q's device? */
static bool
takes(const struct pc_listener *l, const struct pc_query *q)
{
	bool any = (l->family == AF_INET && l->addr.u.v4.s_addr == 0) ||
		   (l->family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&l->addr.u.v6));
	bool fam_ok = l->family == q->family || (l->family == AF_INET6 && q->family == AF_INET && !l->v6only && any);
	bool dev_ok = !l->ifindex || l->ifindex == (uint32_t)q->iif_index;

	return fam_ok && dev_ok && (any || pp_addr_eq(&l->addr, &q->dst));
}

/* SCTP to a local address: what collect_sctp() could tell, and never more. */
static void
eval_sctp_ingress(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	struct pc_station *s;

	if (f->sctp_rc < 0) {
		s = pc_st(res, PC_SOCKET, PP_ST_UNKNOWN, pc_cause_of_errno(f->sctp_rc),
			  "whether this kernel has SCTP is not known: /proc/net/protocols: %s", strerror(-f->sctp_rc));
		return;
	}
	if (f->sctp_kernel) {
		s = pc_st(res, PC_SOCKET, PP_ST_UNKNOWN, PC_C_NOT_READ,
			  "the kernel has SCTP, and pathcheck does not read SCTP sockets: whether anything listens on sctp port %u is not known",
			  q->dport);
		pc_hint(s, "ss -lSn 'sport = :%u'", q->dport);
		return;
	}
	if (f->sctp_raw_rc < 0) {
		s = pc_st(res, PC_SOCKET, PP_ST_UNKNOWN, pc_cause_of_errno(f->sctp_raw_rc),
			  "the kernel has no SCTP; whether a raw socket takes protocol 132 is not known: %s",
			  strerror(-f->sctp_raw_rc));
		return;
	}
	if (f->sctp_raw) {
		s = pc_st(res, PC_SOCKET, PP_ST_UNKNOWN, PC_C_NOT_READ,
			  "the kernel has no SCTP, and a raw socket of protocol 132 (a userspace SCTP stack) takes the packet: "
			  "whether it answers on port %u is not known", q->dport);
		pc_hint(s, "ss -w -a -p -n");
		return;
	}
	s = pc_st(res, PC_SOCKET, PP_ST_FAIL, PC_C_PROTOCOL_UNREACHABLE,
		  "this kernel has no SCTP (no SCTP%s in /proc/net/protocols: CONFIG_IP_SCTP, or the sctp module not loaded) "
		  "and no raw socket takes protocol 132: the packet is dropped (%s)",
		  q->family == AF_INET6 ? "v6" : "",
		  q->family == AF_INET6 ? "answered with ICMPv6 parameter problem, unknown next header"
					: "answered with ICMP protocol unreachable");
	snprintf(s->drop_reason, sizeof(s->drop_reason), "IP_NOPROTO");
	pc_hint(s, "modprobe sctp; grep -i sctp /proc/net/protocols");
	if (f->dnat)
		pp_val_add_str(s->evidence, "after_dnat", f->dnat_text);
}

static void
eval_socket_ingress(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res)
{
	char d[INET6_ADDRSTRLEN], a[INET6_ADDRSTRLEN], err[512];
	const struct pc_listener *match = NULL, *elsewhere = NULL;
	const char *other = NULL;
	struct pc_station *s;
	struct pp_val *arr;

	if (res->st[PC_ROUTE].status == PP_ST_FAIL) {
		pc_st(res, PC_SOCKET, PP_ST_SKIPPED, PC_C_NONE, "not delivered locally");
		return;
	}
	if (q->ct_reply) {
		/* An answer goes to the socket that sent the request (a connected one, not a listener). */
		pc_st(res, PC_SOCKET, PP_ST_OK, PC_C_NONE, "the answer goes to the socket that sent the request");
		return;
	}
	if (q->proto == IPPROTO_ICMP || q->proto == IPPROTO_ICMPV6) {
		if (f->icmp_echo_ignore == 1) {
			s = pc_st(res, PC_SOCKET, PP_ST_FAIL, PC_C_ICMP_ECHO_IGNORED, "echo requests are ignored (%s=1)",
				    q->family == AF_INET ? "net.ipv4.icmp_echo_ignore_all" : "net.ipv6.icmp.echo_ignore_all");
			pc_hint(s, "sysctl %s", q->family == AF_INET ? "net.ipv4.icmp_echo_ignore_all" : "net.ipv6.icmp.echo_ignore_all");
		} else {
			pc_st(res, PC_SOCKET, PP_ST_OK, PC_C_NONE, "the kernel answers echo requests itself");
		}
		return;
	}
	if (!q->has_dport) {
		pc_st(res, PC_SOCKET, PP_ST_SKIPPED, PC_C_NONE, "no port given");
		return;
	}
	if (q->proto == IPPROTO_SCTP) {
		eval_sctp_ingress(q, f, res);
		return;
	}
	pp_addr_str(&q->dst, d, sizeof(d));
	if (f->sock_rc < 0) {
		s = pc_st(res, PC_SOCKET, PP_ST_UNKNOWN, pc_cause_of_errno(f->sock_rc), "sockets not read: %s", pp_err_str(&f->sock_err, err, sizeof(err)));
		if (pp_errno_needs(f->sock_rc))
			pp_val_add_str(s->evidence, "needs", pp_errno_needs(f->sock_rc));
		return;
	}
	for (size_t i = 0; i < f->nlisteners; i++) {
		const struct pc_listener *l = &f->listeners[i];

		if (takes(l, q)) {
			if (!match)
				match = l;
		} else if (!elsewhere) {
			elsewhere = l;
		}
	}
	/* The mistake behind many "the port is open" tickets: the other protocol listens there. */
	for (size_t i = 0; !match && f->other_sock_rc == 0 && i < f->nother; i++)
		if (takes(&f->other_listeners[i], q))
			other = q->proto == IPPROTO_TCP ? "udp" : "tcp";
	if (match) {
		s = pc_st(res, PC_SOCKET, PP_ST_OK, PC_C_NONE, "%s listener on %s port %u", pc_proto_name(q->proto),
			    pp_addr_str(&match->addr, a, sizeof(a)), q->dport);
		if (q->proto == IPPROTO_TCP && match->wqueue && match->rqueue >= match->wqueue) {
			pc_set(s, PP_ST_WARN, PC_C_ACCEPT_QUEUE_FULL);
			snprintf(s->summary, sizeof(s->summary),
				 "tcp listener on %s port %u has a full accept queue (%u of %u): new connections are dropped (ListenOverflows %llu)",
				 a, q->dport, match->rqueue, match->wqueue, (unsigned long long)f->listen_overflows);
			snprintf(s->drop_reason, sizeof(s->drop_reason), "TCP_LISTEN_OVERFLOW");
			pc_hint(s, "ss -ltn 'sport = :%u'; nstat -az TcpExtListenOverflows TcpExtListenDrops", q->dport);
		} else if (q->proto == IPPROTO_TCP && f->listen_overflows) {
			size_t n = strlen(s->summary);

			snprintf(s->summary + n, sizeof(s->summary) - n,
				 "; accept queue %u of %u now; ListenOverflows %llu since boot in this namespace",
				 match->rqueue, match->wqueue, (unsigned long long)f->listen_overflows);
		}
		pp_val_add_str(s->evidence, "bound", a);
		if (q->proto == IPPROTO_TCP) {
			pp_val_add_u64(s->evidence, "accept_queue", match->rqueue);
			pp_val_add_u64(s->evidence, "backlog", match->wqueue);
		}
	} else if (elsewhere) {
		pp_addr_str(&elsewhere->addr, a, sizeof(a));
		s = pc_st(res, PC_SOCKET, PP_ST_FAIL, listener_cause(&elsewhere->addr),
			    "port %u is open on %s only, not on %s: the packet finds no socket (%s)", q->dport, a, d,
			    q->proto == IPPROTO_TCP ? "answered with RST" : "answered with ICMP port unreachable");
		pp_val_add_str(s->evidence, "bound", a);
	} else if (other) {
		s = pc_st(res, PC_SOCKET, PP_ST_FAIL, PC_C_LISTENER_OTHER_PROTOCOL, "nothing listens on %s/%u; %s/%u is open (%s)",
			    pc_proto_name(q->proto), q->dport, other, q->dport,
			    q->proto == IPPROTO_TCP ? "answered with RST" : "answered with ICMP port unreachable");
	} else {
		s = pc_st(res, PC_SOCKET, PP_ST_FAIL, PC_C_NO_LISTENER, "nothing listens on %s port %u (%s)", pc_proto_name(q->proto), q->dport,
			    q->proto == IPPROTO_TCP ? "answered with RST" : "answered with ICMP port unreachable");
	}
	if (!match) {
		snprintf(s->drop_reason, sizeof(s->drop_reason), "NO_SOCKET");
		pc_hint(s, "ss -l%sn 'sport = :%u'", other ? "tu" : q->proto == IPPROTO_TCP ? "t" : "u", q->dport);
		if (other) {
			pp_val_add_strf(s->evidence, "other_proto_open", "%s/%u", other, q->dport);
		} else if (f->other_sock_rc < 0) {
			pp_val_add_strf(s->evidence, "other_proto_error", "%s", strerror(-f->other_sock_rc));
		}
	}
	if (f->dnat)
		pp_val_add_str(s->evidence, "after_dnat", f->dnat_text);
	arr = pp_val_add_arr(s->evidence, "sockets");
	for (size_t i = 0; i < f->nlisteners; i++)
		pp_val_add_strf(arr, NULL, "%s:%u%s", pp_addr_str(&f->listeners[i].addr, a, sizeof(a)), f->listeners[i].port,
				f->listeners[i].v6only ? " v6only" : "");
	if (f->have_snmp) {
		pp_val_add_u64(s->evidence, "listen_overflows", f->listen_overflows);
		pp_val_add_u64(s->evidence, "listen_drops", f->listen_drops);
	}
}

struct listen_ctx {
	struct pc_listener *l;
	size_t *n, max;
};

static int
listener_cb(const struct pp_sock *s, void *data)
{
	struct listen_ctx *c = data;
	struct pc_listener *l;

	/* A connected UDP socket only takes its peer's datagrams: not a listener. */
	if (s->proto == IPPROTO_UDP && s->dport)
		return 0;
	if (*c->n >= c->max)
		return 0;
	l = &c->l[(*c->n)++];
	l->family = s->family;
	l->addr = s->src;
	l->port = s->sport;
	l->ifindex = s->ifindex;
	l->rqueue = s->rqueue;
	l->wqueue = s->wqueue;
	l->v6only = s->has_v6only && s->v6only;
	return 0;
}

/* TcpExt ListenOverflows and ListenDrops from /proc/net/netstat (this namespace). */
static void
listen_counters(struct pc_facts *f)
{
	char buf[16384], path[64], *hdr, *val, *save1 = NULL, *save2 = NULL, *save3 = NULL, *h, *v;

	if (pp_read_file(pp_proc_net_path("netstat", path, sizeof(path)), buf, sizeof(buf)) <= 0)
		return;
	for (hdr = strtok_r(buf, "\n", &save1); hdr; hdr = strtok_r(NULL, "\n", &save1)) {
		val = strtok_r(NULL, "\n", &save1);
		if (!val || strncmp(hdr, "TcpExt:", 7) != 0)
			continue;
		for (h = strtok_r(hdr + 7, " ", &save3), v = strtok_r(val + 7, " ", &save2); h && v;
		     h = strtok_r(NULL, " ", &save3), v = strtok_r(NULL, " ", &save2)) {
			if (strcmp(h, "ListenOverflows") == 0)
				f->listen_overflows = strtoull(v, NULL, 10);
			else if (strcmp(h, "ListenDrops") == 0)
				f->listen_drops = strtoull(v, NULL, 10);
		}
		f->have_snmp = true;
		return;
	}
}

/* Whether /proc/net/raw (raw6) lists a raw socket of protocol proto: 1, 0, or -errno. */
static int
raw_socket_of(int family, uint8_t proto)
{
	char path[64], *buf, *line, *save = NULL;
	const size_t max = 1u << 18;
	ssize_t n;
	int found = 0;

	if (!(buf = malloc(max)))
		return -ENOMEM;
	n = pp_read_file(pp_proc_net_path(family == AF_INET6 ? "raw6" : "raw", path, sizeof(path)), buf, max);
	if (n < 0 || (size_t)n >= max - 1) {
		/* Cut at the buffer: a socket further down could be the one, so not "none". */
		free(buf);
		return n < 0 ? (int)n : -EFBIG;
	}
	/* "   0: 00000000:0084 00000000:0000 07 ...": a raw socket's local port is its protocol. */
	for (line = strtok_r(buf, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char local[64];
		const char *colon;

		if (sscanf(line, "%*s %63s", local) != 1 || !(colon = strrchr(local, ':')))
			continue;
		if (strtoul(colon + 1, NULL, 16) == proto)
			found = 1;
	}
	free(buf);
	return found;
}

/*
 * SCTP: pathcheck reads no SCTP sockets. What it can tell is whether the kernel has
 * SCTP at all (its protocols are listed in /proc/net/protocols as SCTP and SCTPv6 when
 * the sctp module is in), and, when it has not, whether a raw socket of protocol 132
 * (a userspace SCTP stack) takes the packet instead of the kernel's protocol unreachable.
 */
static void
collect_sctp(struct pc_facts *f)
{
	char path[64], *buf, *line, *save = NULL;
	const size_t max = 1u << 16;
	ssize_t n;
	int rc;

	if (!(buf = malloc(max))) {
		f->sctp_rc = -ENOMEM;
		return;
	}
	n = pp_read_file(pp_proc_net_path("protocols", path, sizeof(path)), buf, max);
	if (n < 0) {
		f->sctp_rc = (int)n;
		free(buf);
		return;
	}
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		if (strncmp(line, f->eq.family == AF_INET6 ? "SCTPv6 " : "SCTP ", f->eq.family == AF_INET6 ? 7 : 5) == 0)
			f->sctp_kernel = true;
	free(buf);
	if (f->sctp_kernel)
		return;
	rc = raw_socket_of(f->eq.family, IPPROTO_SCTP);
	if (rc < 0)
		f->sctp_raw_rc = rc;
	else
		f->sctp_raw = rc == 1;
}

static void
collect_socket(struct pc_facts *f)
{
	const struct pc_query *eq = &f->eq;
	uint32_t states;
	struct pp_nl nl;
	int rc;

	if (eq->has_dport && eq->proto == IPPROTO_SCTP) {
		collect_sctp(f);
		return;
	}
	if (!eq->has_dport || (eq->proto != IPPROTO_TCP && eq->proto != IPPROTO_UDP))
		return;
	if ((rc = pp_nl_open(&nl, NETLINK_SOCK_DIAG, &f->sock_err)) < 0) {
		f->sock_rc = rc;
		return;
	}
	struct listen_ctx c = { f->listeners, &f->nlisteners, PP_ARRAY_SIZE(f->listeners) };
	struct listen_ctx oc = { f->other_listeners, &f->nother, PP_ARRAY_SIZE(f->other_listeners) };
	uint8_t other = eq->proto == IPPROTO_TCP ? IPPROTO_UDP : IPPROTO_TCP;
	struct pp_err e = { 0 };

	states = eq->proto == IPPROTO_TCP ? 1u << TCP_LISTEN : 1u << TCP_CLOSE | 1u << TCP_ESTABLISHED;
	/* IPv4 packets also reach IPv6 sockets bound to :: without IPV6_V6ONLY. */
	rc = pp_sock_dump(&nl, eq->family == AF_INET ? 0 : AF_INET6, eq->proto, states, eq->dport,
			  listener_cb, &c, &f->sock_err);
	if (rc < 0)
		f->sock_rc = rc;
	/* The other protocol on the same port, for a summary that says it is open there. */
	if (rc == 0) {
		states = other == IPPROTO_TCP ? 1u << TCP_LISTEN : 1u << TCP_CLOSE | 1u << TCP_ESTABLISHED;
		f->other_sock_rc = pp_sock_dump(&nl, eq->family == AF_INET ? 0 : AF_INET6, other, states, eq->dport,
						listener_cb, &oc, &e);
	}
	pp_nl_close(&nl);
	if (eq->proto == IPPROTO_TCP)
		listen_counters(f);
}

/* Egress: whether the source is ours is read with the route (its lookup needs the answer). */
void
pc_socket_walk(struct pc_walk *w, enum pc_station_id id)
{
	(void)id;
	if (w->f->eq.direction == PC_INGRESS)
		collect_socket(w->f);
}

/* A packet this host sends to one of its own addresses (the route, after OUTPUT's nat, is local). */
static bool
local_delivery(const struct pc_query *q, const struct pc_facts *f)
{
	return q->direction == PC_EGRESS && f->route_rc == 0 && f->route.type == RTN_LOCAL && q->has_dport &&
	       pc_proto_has_ports(q->proto) && !q->ct_reply;
}

/*
 * Egress, after OUTPUT (walked with the egress device): a packet to this host's own
 * address (kube-proxy's node to its own NodePort, a health check port) is delivered to
 * a socket here, so the listeners of its final destination, the one after any nat, are
 * read as for an arriving packet.
 */
void
pc_socket_local_walk(struct pc_walk *w, enum pc_station_id id)
{
	(void)id;
	if (!local_delivery(&w->f->eq, w->f) || w->f->sock_local_read)
		return;
	collect_socket(w->f);
	w->f->sock_local_read = true;
}

void
pc_socket_judge(const struct pc_query *q, const struct pc_facts *f, struct pc_result *res, enum pc_station_id id)
{
	(void)id;
	if (q->direction != PC_EGRESS) {
		eval_socket_ingress(q, f, res);
		return;
	}
	eval_socket_egress(q, f, res);
	/* The source is fine; to this host's own address, the listener decides (RST or port unreachable). */
	if (res->st[PC_SOCKET].status == PP_ST_OK && local_delivery(q, f) && f->sock_local_read)
		eval_socket_ingress(q, f, res);
}
