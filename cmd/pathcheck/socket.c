/* socket.c: who could take an arriving packet: listeners from sock_diag, and the listen counters. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/tcp.h>

#include "pathcheck.h"
#include "sockdiag.h"
#include "sysctl.h"

static int
listener_cb(const struct pp_sock *s, void *data)
{
	struct pc_facts *f = data;
	struct pc_listener *l;

	/* A connected UDP socket only takes its peer's datagrams: not a listener. */
	if (s->proto == IPPROTO_UDP && s->dport)
		return 0;
	if (f->nlisteners >= PP_ARRAY_SIZE(f->listeners))
		return 0;
	l = &f->listeners[f->nlisteners++];
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
	char buf[16384], *hdr, *val, *save1 = NULL, *save2 = NULL, *save3 = NULL, *h, *v;

	if (pp_read_file("/proc/net/netstat", buf, sizeof(buf)) <= 0)
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

void
pc_collect_socket(const struct pc_query *q, struct pc_facts *f)
{
	const struct pc_query *eq = &f->eq;
	uint32_t states;
	struct pp_nl nl;
	int rc;

	(void)q;
	if (!eq->has_dport || (eq->proto != IPPROTO_TCP && eq->proto != IPPROTO_UDP))
		return;
	if ((rc = pp_nl_open(&nl, NETLINK_SOCK_DIAG, &f->sock_err)) < 0) {
		f->sock_rc = rc;
		return;
	}
	states = eq->proto == IPPROTO_TCP ? 1u << TCP_LISTEN : 1u << TCP_CLOSE | 1u << TCP_ESTABLISHED;
	/* IPv4 packets also reach IPv6 sockets bound to :: without IPV6_V6ONLY. */
	rc = pp_sock_dump(&nl, eq->family == AF_INET ? 0 : AF_INET6, eq->proto, states, eq->dport,
			  listener_cb, f, &f->sock_err);
	if (rc < 0)
		f->sock_rc = rc;
	pp_nl_close(&nl);
	if (eq->proto == IPPROTO_TCP)
		listen_counters(f);
}
