/*
 * local.c: what this host says about the path before any probe: the route and
 * its MTU metric, the egress device's MTU, a cached PMTU exception for the
 * destination, and MSS clamps in the nftables ruleset.
 */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/rtnetlink.h>
#include <libnftnl/rule.h>

#include "link.h"
#include "nft.h"
#include "pmtuprobe.h"
#include "route.h"

struct clamp_ctx {
	struct pm_model *m;
	const struct pp_nft_chain *c;
	struct pm_input_chain *in;	/* when c is an input base chain */
};

static int
rule_cb(struct nftnl_rule *r, void *data)
{
	struct clamp_ctx *x = data;
	struct pm_local *l = &x->m->local;
	struct pm_clamp c;

	if (x->in && pm_rule_drops(r))
		x->in->drop_rules++;
	if (pm_clamp_from_rule(r, &c) != 1 || l->nclamps >= PM_MAX_CLAMPS)
		return 0;
	c.family = x->c->family;
	snprintf(c.table, sizeof(c.table), "%s", x->c->table);
	snprintf(c.chain, sizeof(c.chain), "%s", x->c->name);
	l->clamps[l->nclamps++] = c;
	return 0;
}

#define MAX_CHAINS 256

struct chains {
	int n;
	struct pp_nft_chain c[MAX_CHAINS];
};

static int
chain_cb(const struct pp_nft_chain *c, void *data)
{
	struct chains *cs = data;

	if (cs->n < MAX_CHAINS)
		cs->c[cs->n++] = *c;
	return 0;
}

static void
collect_clamps(struct pm_model *m)
{
	static struct chains cs;
	struct pp_nl nl;
	struct pp_err e = { 0 };
	int rc, i;

	cs.n = 0;
	if ((rc = pp_nl_open(&nl, NETLINK_NETFILTER, &e)) < 0) {
		m->local.clamps_err = rc;
		return;
	}
	rc = pp_nft_chain_dump(&nl, NFPROTO_UNSPEC, chain_cb, &cs, &e);
	if (rc < 0) {
		m->local.clamps_err = rc;
		pp_nl_close(&nl);
		return;
	}
	for (i = 0; i < cs.n; i++) {
		struct clamp_ctx x = { m, &cs.c[i], NULL };
		uint32_t want = m->family == AF_INET6 ? NFPROTO_IPV6 : NFPROTO_IPV4;

		if (cs.c[i].family != NFPROTO_INET && cs.c[i].family != NFPROTO_IPV4 &&
		    cs.c[i].family != NFPROTO_IPV6 && cs.c[i].family != NFPROTO_BRIDGE &&
		    cs.c[i].family != NFPROTO_NETDEV)
			continue;
		if (cs.c[i].base && cs.c[i].hooknum == NF_INET_LOCAL_IN &&
		    (cs.c[i].family == want || cs.c[i].family == NFPROTO_INET) &&
		    m->local.ninput < PM_MAX_INPUT) {
			x.in = &m->local.input[m->local.ninput++];
			memset(x.in, 0, sizeof(*x.in));
			x.in->family = cs.c[i].family;
			snprintf(x.in->table, sizeof(x.in->table), "%s", cs.c[i].table);
			snprintf(x.in->chain, sizeof(x.in->chain), "%s", cs.c[i].name);
			x.in->policy = cs.c[i].policy;
		}
		rc = pp_nft_rule_dump(&nl, cs.c[i].family, cs.c[i].table, cs.c[i].name, rule_cb, &x, &e);
		if (rc < 0 && rc != -ENOENT) {
			m->local.clamps_err = rc;
			pp_nl_close(&nl);
			return;
		}
	}
	m->local.clamps_known = true;
	pp_nl_close(&nl);
}

void
pm_local_collect(struct pm_model *m, bool after)
{
	struct pm_local *l = &m->local;
	struct pp_route_query q = { 0 };
	struct pp_route r;
	struct pp_link lk;
	struct pp_nl nl;
	struct pp_err e = { 0 };
	int rc;

	if (pp_nl_open(&nl, NETLINK_ROUTE, &e) < 0) {
		if (!after)
			l->route_err = -e.code;
		return;
	}
	q.family = m->family;
	q.dst = m->o->dst;
	rc = pp_route_get(&nl, &q, &r, &e);
	if (rc < 0) {
		if (!after)
			l->route_err = rc;
		pp_nl_close(&nl);
		return;
	}
	/*
	 * A PMTU exception shows in the lookup's answer as an expiry and an mtu
	 * metric: IPv4 flags every answer RTM_F_CLONED, IPv6 only a cached one.
	 */
	bool cached = r.mtu && r.has_expires && (m->family == AF_INET || (r.flags & RTM_F_CLONED));
	if (after) {
		l->cached_after = cached;
		l->cached_after_mtu = cached ? r.mtu : 0;
		l->cached_after_expires = cached ? r.expires_sec : 0;
		pp_nl_close(&nl);
		return;
	}
	l->route_ok = true;
	l->cached = cached;
	l->cached_mtu = cached ? r.mtu : 0;
	l->cached_expires = cached ? r.expires_sec : 0;
	l->oif = r.oif;
	l->src = r.prefsrc.family ? r.prefsrc : r.src;
	/* The route's own mtu metric: the FIB entry, not the exception. */
	q.fibmatch = true;
	if (pp_route_get(&nl, &q, &r, &e) == 0) {
		l->route_mtu = r.mtu;
		pp_route_format(&r, l->route, sizeof(l->route));
	} else if (!cached) {
		l->route_mtu = r.mtu;
	}
	if (l->oif > 0 && pp_link_get(&nl, l->oif, NULL, &lk, &e) == 0) {
		snprintf(l->dev, sizeof(l->dev), "%s", lk.name);
		l->dev_mtu = lk.mtu;
	}
	pp_nl_close(&nl);
	collect_clamps(m);
}

/*
 * Remove the cached PMTU exception for the destination. IPv6: RTM_DELROUTE with
 * RTM_F_CLONED for dst/128 removes that one exception. IPv4 has no per-exception
 * delete: writing net.ipv4.route.flush drops every cached route of the namespace.
 */
int
pm_local_flush(struct pm_model *m, struct pp_err *e)
{
	if (m->family == AF_INET) {
		int fd = open("/proc/sys/net/ipv4/route/flush", O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "1\n", 2) != 2) {
			int err = errno;

			if (fd >= 0)
				close(fd);
			pp_err_set(e, err, "write /proc/sys/net/ipv4/route/flush");
			return -err;
		}
		close(fd);
		m->local.flushed = true;
		return 0;
	}
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtmsg *rtm;
	struct pp_nl nl;
	int rc;

	nlh->nlmsg_type = RTM_DELROUTE;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	rtm = mnl_nlmsg_put_extra_header(nlh, sizeof(*rtm));
	rtm->rtm_family = AF_INET6;
	rtm->rtm_dst_len = 128;
	rtm->rtm_table = RT_TABLE_MAIN;
	rtm->rtm_flags = RTM_F_CLONED;
	mnl_attr_put(nlh, RTA_DST, 16, &m->o->dst.u.v6);
	if (m->local.oif > 0)
		mnl_attr_put_u32(nlh, RTA_OIF, (uint32_t)m->local.oif);
	if ((rc = pp_nl_open(&nl, NETLINK_ROUTE, e)) < 0)
		return rc;
	pp_err_set(e, 0, "RTM_DELROUTE cached exception");
	rc = pp_nl_request(&nl, nlh, NULL, NULL, e);
	pp_nl_close(&nl);
	if (rc == -ESRCH || rc == -ENOENT)
		rc = 0;		/* nothing cached */
	if (rc == 0)
		m->local.flushed = true;
	return rc;
}
