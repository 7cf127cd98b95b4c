/*
 * follow.c: --follow. A walk that leaves by a veth (or netkit) whose peer is in a namespace
 * pathcheck can enter, or by a bridge whose port is such a veth, goes on there: the packet
 * as it is on the wire (its source after a snat or masquerade, its destination after a
 * dnat, its mark gone when it changes namespace) arrives on the peer device and is walked
 * again, ingress or forward by the kernel's own lookup. The walk ends where the packet is
 * delivered to a socket, leaves the machine (a device with no peer pathcheck can enter),
 * dies, or cannot be decided; each namespace it crosses is one hop.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "snap.h"
#include "addr.h"
#include "fdb.h"
#include "netns.h"
#include "pathcheck.h"
#include "st_netfilter.h"
#include "sysctl.h"

#include <linux/netfilter.h>

#include <linux/neighbour.h>

/* The packet as it leaves a hop. */
struct wire {
	struct pp_addr src, dst;
	uint16_t sport, dport;
	bool has_sport, has_dport;
	struct pp_addr src0;		/* before a snat */
	uint16_t sport0;
	bool snat;
	char nat[256];			/* "masquerade to 203.0.113.1 (the address of eth0)" */
};

static void
end(struct pc_target *t, enum pc_follow_end how, enum pp_status st, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static void
end(struct pc_target *t, enum pc_follow_end how, enum pp_status st, const char *fmt, ...)
{
	va_list ap;

	t->follow_end = how;
	t->follow_status = st;
	/* A walk that ends between two namespaces: a bridge that blocks it, or what could not be found. */
	t->follow_cause = st == PP_ST_OK ? PC_C_NONE : how == PC_FOLLOW_DIES ? PC_C_BRIDGE_PORT_BLOCKED : PC_C_NOT_FOLLOWED;
	va_start(ap, fmt);
	vsnprintf(t->follow_summary, sizeof(t->follow_summary), fmt, ap);
	va_end(ap);
}

/* The namespace this thread is in, named as an SRE knows it. */
static void
live_name(char *buf, size_t len)
{
	struct stat st;
	unsigned long self = pp_netns_inode();
	char path[300];
	struct dirent *d;
	DIR *dir;

	if (stat("/proc/1/ns/net", &st) == 0 && (unsigned long)st.st_ino == self) {
		snprintf(buf, len, "host");
		return;
	}
	if ((dir = opendir("/run/netns")) != NULL) {
		while ((d = readdir(dir)) != NULL) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/run/netns/%s", d->d_name);
			if (stat(path, &st) == 0 && (unsigned long)st.st_ino == self) {
				snprintf(buf, len, "%s", d->d_name);
				closedir(dir);
				return;
			}
		}
		closedir(dir);
	}
	/*
	 * No name: the lowest pid of another process in it (a container's init, most often), so
	 * the label and the hints' nsenter -t still work once pathcheck has exited; our own pid
	 * only when nothing else lives here.
	 */
	long best = -1, me = (long)getpid();

	if ((dir = opendir("/proc")) != NULL) {
		while ((d = readdir(dir)) != NULL) {
			char *end;
			long pid = strtol(d->d_name, &end, 10);

			if (*end || pid <= 0 || pid == me || (best > 0 && pid >= best))
				continue;
			snprintf(path, sizeof(path), "/proc/%ld/ns/net", pid);
			if (stat(path, &st) == 0 && (unsigned long)st.st_ino == self)
				best = pid;
		}
		closedir(dir);
	}
	snprintf(buf, len, "pid:%ld", best > 0 ? best : me);
}

/* The same, from a snapshot: the name the saving run gave it (a fact of the namespace). */
static void
current_name(char *buf, size_t len)
{
	struct pp_snap *s = pp_snap_active();

	if (pp_snap_replaying(s)) {
		if (pp_snap_fact_get(s, "netns label", buf, len) < 0)
			snprintf(buf, len, "%s", pp_snap_ns_name(s, pp_snap_ns_here(s)));
		return;
	}
	live_name(buf, len);
	if (s)
		pp_snap_fact_record(s, "netns label", 0, buf);
}

/*
 * Where the packet leaves the hop, and as what. A postrouting nat chain that accepted
 * with an snat gives the new source; a masquerade the address the kernel picks for
 * the route out (inet_select_addr on the device: the route's preferred source).
 */
static int
packet_on_wire(const struct pc_target *t, struct pp_nl *nl, struct wire *w, char *why, size_t len)
{
	const struct pc_facts *f = &t->f;
	const struct pc_query *q = &f->eq;

	memset(w, 0, sizeof(*w));
	w->dst = q->dst;
	w->dport = q->dport;
	w->has_dport = q->has_dport;
	w->sport = q->sport;
	w->has_sport = q->has_sport;
	w->src = q->src.family ? q->src : f->src_before.family ? f->src_before : f->route.prefsrc;
	w->src0 = w->src;
	w->sport0 = w->sport;
	for (size_t i = 0; i < f->nchains; i++) {
		const struct pc_chain *c = &f->chains[i];

		if (c->c.hooknum != NF_INET_POST_ROUTING || strcmp(c->c.type, "nat") != 0 ||
		    c->res.verdict != PC_NFT_ACCEPT || !c->res.nat[0] || c->res.dnat)
			continue;
		if (strncmp(c->res.nat, "masquerade", 10) == 0 || strstr(c->res.nat, "MASQUERADE")) {
			struct pp_route_query rq = { .family = q->family, .dst = q->dst };
			struct pp_route r;
			struct pp_err e = { 0 };
			char a[INET6_ADDRSTRLEN];

			if (pp_route_get(nl, &rq, &r, &e) < 0 || !r.prefsrc.family) {
				snprintf(why, len, "%s in %s %s: the source the kernel picks could not be found",
					 c->res.nat, c->c.table, c->c.name);
				return -1;
			}
			w->src = r.prefsrc;
			snprintf(w->nat, sizeof(w->nat), "%s to %s in %s %s", c->res.nat,
				 pp_addr_str(&w->src, a, sizeof(a)), c->c.table, c->c.name);
		} else if (c->res.nat_addr.family == q->family) {
			w->src = c->res.nat_addr;
			snprintf(w->nat, sizeof(w->nat), "%s in %s %s", c->res.nat, c->c.table, c->c.name);
		} else {
			snprintf(why, len, "%s in %s %s: its new source is not known", c->res.nat, c->c.table,
				 c->c.name);
			return -1;
		}
		if (c->res.nat_port) {
			w->sport = c->res.nat_port;
			w->has_sport = true;
		}
		w->snat = true;
		break;
	}
	if (!w->src.family) {
		snprintf(why, len, "the packet's source address is not known (give --from)");
		return -1;
	}
	return 0;
}

/* The next hop's device as a veth's or netkit's peer: its namespace and index. */
struct peer {
	bool other_ns;			/* in another namespace (IFLA_LINK_NETNSID) */
	int32_t nsid;
	int ifindex;
};

static bool
has_peer(const struct pp_link *l, struct peer *p)
{
	if (strcmp(l->kind, "veth") != 0 && strcmp(l->kind, "netkit") != 0)
		return false;
	if (!l->link)
		return false;
	p->other_ns = l->has_link_netnsid;
	p->nsid = l->link_netnsid;
	p->ifindex = (int)l->link;
	return true;
}

/* The next hop's link-layer address is known: its entry holds one the kernel sends to. */
static bool
lladdr_known(const struct pc_facts *f)
{
	return f->neigh_rc == 0 && f->neigh.lladdr_len == 6 &&
	       (f->neigh.state & (NUD_REACHABLE | NUD_STALE | NUD_DELAY | NUD_PROBE | NUD_PERMANENT | NUD_NOARP));
}

struct port_scan {
	int bridge;
	int ports[64];
	size_t n;
};

static int
port_cb(const struct pp_link *l, void *data)
{
	struct port_scan *ps = data;

	if ((int)l->master == ps->bridge && ps->n < PP_ARRAY_SIZE(ps->ports))
		ps->ports[ps->n++] = l->ifindex;
	return 0;
}

/*
 * The port behind which the next hop is, found the way ARP/NDP or a flood finds it: the
 * port whose peer device (a veth in a namespace pathcheck can enter) holds the address
 * (addr) or the link-layer address (mac, when not NULL). Returns the number of such
 * ports (the first in *port), or -errno.
 */
static int
port_owning(struct pp_nl *nl, int bridge, const struct pp_addr *addr, const uint8_t *mac, struct pp_link *port,
	    uint8_t *peer_mac)
{
	struct port_scan ps = { .bridge = bridge };
	struct pp_err e = { 0 };
	int found = 0, rc;

	if ((rc = pp_link_dump(nl, port_cb, NULL, &ps, &e)) < 0)
		return rc;
	for (size_t i = 0; i < ps.n; i++) {
		struct pp_link l, pl;
		struct peer p;
		struct pp_netns_ref ref = { .fd = -1 };
		struct pp_netns back = { .orig_fd = -1 };
		struct pp_nl pnl;
		int ifx = 0, has = 0;

		if (pp_link_get(nl, ps.ports[i], NULL, &l, &e) < 0 || !has_peer(&l, &p))
			continue;
		if (p.other_ns && (pp_netns_by_id(nl, p.nsid, &ref, &e) < 0 ||
				   pp_netns_enter_fd(&back, ref.fd, ref.name, &e) < 0)) {
			if (ref.fd >= 0)
				close(ref.fd);
			continue;
		}
		if (pp_nl_open(&pnl, NETLINK_ROUTE, &e) == 0) {
			if (pp_link_get(&pnl, p.ifindex, NULL, &pl, &e) == 0) {
				if (mac)
					has = pl.addr_len == 6 && memcmp(pl.addr, mac, 6) == 0;
				else
					has = pp_ifaddr_find(&pnl, addr, &ifx, NULL, &e) > 0 && ifx == pl.ifindex;
			}
			pp_nl_close(&pnl);
		}
		pp_netns_leave(&back);
		if (ref.fd >= 0)
			close(ref.fd);
		if (has && found++ == 0) {
			*port = l;
			memcpy(peer_mac, pl.addr, 6);
		}
	}
	return found;
}

/*
 * A frame the IP stack sends out by a bridge meets the bridge family's output and
 * postrouting chains on its way to the port (__br_forward of a locally sent frame).
 * Their drop ends the walk there; what they leave undecided, too.
 */
static int
bridge_out_chains(struct pc_target *t, const struct pc_facts *cf, const struct pp_link *br,
		  const struct pp_link *port)
{
	struct pc_facts *f = calloc(1, sizeof(*f));
	struct pc_result *r = calloc(1, sizeof(*r));
	int ret = 0;

	if (!f || !r) {
		free(f);
		free(r);
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "bridge %s: out of memory", br->name);
		return -1;
	}
	f->eq = cf->eq;
	f->eq.direction = PC_EGRESS;
	f->l2 = f->l2_local = true;
	snprintf(f->l2_bridge, sizeof(f->l2_bridge), "%s", br->name);
	snprintf(f->l2_out, sizeof(f->l2_out), "%s", port->name);
	f->l2_bridge_index = br->ifindex;
	f->l2_out_index = port->ifindex;
	if (br->addr_len == 6) {
		f->l2_src_mac_known = true;	/* the bridge's own address: it is the sender */
		memcpy(f->l2_src_mac, br->addr, 6);
	}
	if (lladdr_known(cf)) {
		f->l2_dst_mac_known = true;
		memcpy(f->l2_dst_mac, cf->neigh.lladdr, 6);
	}
	/* A source nat on the way out: the new source is not known here. */
	for (size_t i = 0; i < cf->nchains; i++)
		if (cf->chains[i].c.hooknum == NF_INET_POST_ROUTING && cf->chains[i].res.nat[0] && !cf->chains[i].res.dnat)
			f->l2_src_unknown = true;
	f->mark = cf->mark;
	f->mark_unknown = cf->mark_unknown;
	f->eq.mark = cf->mark;
	pc_nft_collect(&f->eq, f, 1u << NF_INET_LOCAL_OUT | 1u << NF_INET_POST_ROUTING);
	pc_eval(&f->eq, f, r);
	/*
	 * A warning here (a drop policy whose rules could not all be decided) cannot ride on
	 * with the walk as ok: between two hops it is as undecided as the rule behind it.
	 */
	if (r->verdict_status == PP_ST_FAIL || r->verdict_status == PP_ST_UNKNOWN || r->verdict_status == PP_ST_WARN) {
		end(t, r->verdict_status == PP_ST_FAIL ? PC_FOLLOW_DIES : PC_FOLLOW_UNDECIDED,
		    r->verdict_status == PP_ST_FAIL ? PP_ST_FAIL : PP_ST_UNKNOWN,
		    "bridge %s, on its way to port %s, at the bridge family's %s: %s", br->name, port->name,
		    pc_station_name(r->verdict_station), r->st[r->verdict_station].summary);
		t->follow_cause = r->verdict_cause;
		ret = -1;
	}
	pc_result_free(r);
	pc_facts_free(f);
	free(r);
	free(f);
	return ret;
}

/*
 * A bridge sends the frame to the port its FDB holds for the next hop's address. Not in
 * the FDB: flooded to every port that floods, and the one whose peer owns the address
 * takes it; here the port is found by the FDB only, and a flood is said.
 */
static int
bridge_port(struct pc_target *t, const struct pc_facts *f, struct pp_nl *nl, struct pp_link *port, char *via,
	    size_t vlen)
{
	const struct pp_link *br = &f->oif_link;
	struct pp_fdb fdb;
	struct pp_brport bp;
	bool unknown_unicast = false;	/* no fdb entry: the frame reaches the port only by a flood */
	uint8_t port_peer_mac[6] = { 0 };
	struct pp_err e = { 0 };
	char mac[32], eb[320];
	int rc;

	if (!lladdr_known(f)) {
		/* Not resolved yet: the port whose host would answer the kernel's solicitation. */
		char a[INET6_ADDRSTRLEN];

		pp_addr_str(&f->nexthop, a, sizeof(a));
		rc = f->nexthop.family ? port_owning(nl, br->ifindex, &f->nexthop, NULL, port, port_peer_mac) : 0;
		if (rc == 1) {
			snprintf(via, vlen, "bridge %s port %s (%s not resolved yet: the host behind %s has it)", br->name,
				 port->name, a, port->name);
			unknown_unicast = pp_fdb_get(nl, br->ifindex, port_peer_mac, 0, &fdb, &e) == -ENOENT;
			goto port_found;
		}
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN,
		    "leaves by bridge %s; next hop %s is not resolved, and %s of the bridge's ports lead to a host that has it",
		    br->name, a, rc < 0 ? "it is not known which" : rc == 0 ? "none" : "several");
		return -1;
	}
	pp_lladdr_str(f->neigh.lladdr, 6, mac, sizeof(mac));
	rc = pp_fdb_get(nl, br->ifindex, f->neigh.lladdr, 0, &fdb, &e);
	if (rc == -ENOENT) {
		/* Flooded to every port that floods unknown unicast: the one whose host has the address takes it. */
		rc = port_owning(nl, br->ifindex, NULL, f->neigh.lladdr, port, port_peer_mac);
		if (rc == 1) {
			snprintf(via, vlen, "bridge %s port %s (%s not in the fdb: flooded; the host behind %s has it)",
				 br->name, port->name, mac, port->name);
			unknown_unicast = true;
			goto port_found;
		}
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN,
		    "bridge %s has no fdb entry for %s: it floods the frame, and %s of its ports lead to a host that has it",
		    br->name, mac, rc < 0 ? "it is not known which" : rc == 0 ? "none" : "several");
		return -1;
	}
	if (rc < 0) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "bridge %s: %s", br->name, pp_err_str(&e, eb, sizeof(eb)));
		return -1;
	}
	if ((rc = pp_link_get(nl, fdb.port, NULL, port, &e)) < 0) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "bridge %s: port %d of %s: %s", br->name, fdb.port, mac,
		    pp_err_str(&e, eb, sizeof(eb)));
		return -1;
	}
	if (port->ifindex == br->ifindex) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "bridge %s: %s is the bridge's own address", br->name, mac);
		return -1;
	}
	snprintf(via, vlen, "bridge %s port %s (fdb %s %s)", br->name, port->name, pp_fdb_kind(&fdb), mac);
port_found:
	/* The port's state and flags came with the link itself (pp_link_decode). */
	bp = port->brport;
	if (!port->has_brport) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "bridge %s: %s is not reported as one of its ports", br->name,
		    port->name);
		return -1;
	}
	if (bp.has_state && bp.state != 3 /* BR_STATE_FORWARDING */) {
		end(t, PC_FOLLOW_DIES, PP_ST_FAIL, "bridge %s: port %s is in state %s: it forwards nothing", br->name,
		    port->name, pp_brport_state_name(bp.state));
		return -1;
	}
	if (unknown_unicast && bp.has_flood && !bp.flood) {
		end(t, PC_FOLLOW_DIES, PP_ST_FAIL,
		    "bridge %s: the next hop is not in its fdb%s, and port %s does not flood unknown unicast (flood off): the frame never reaches it",
		    br->name, bp.has_learning && !bp.learning ? " (the port does not learn)" : "", port->name);
		return -1;
	}
	if (!(port->flags & IFF_UP)) {
		end(t, PC_FOLLOW_DIES, PP_ST_FAIL, "bridge %s: port %s is down", br->name, port->name);
		return -1;
	}
	if (br->br_vlan_filtering) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN,
		    "bridge %s filters by VLAN (vlan_filtering 1): the ports' VLANs are not evaluated by pathcheck", br->name);
		t->follow_cause = PC_C_UNDECIDED_RULE;
		return -1;
	}
	return bridge_out_chains(t, f, br, port);
}

/* The query of the next hop: the packet as on the wire, arriving on the peer device. */
static void
hop_query(const struct pc_query *base, const struct wire *w, const char *iif, bool same_ns, struct pc_query *q)
{
	char a[INET6_ADDRSTRLEN];

	*q = *base;
	q->direction = PC_INGRESS;
	snprintf(q->iif, sizeof(q->iif), "%s", iif);
	q->iif_index = 0;
	q->oif[0] = '\0';
	q->oif_index = 0;
	q->src = w->src;
	q->dst = w->dst;
	q->dport = w->dport;
	q->has_dport = w->has_dport;
	q->sport = w->sport;
	q->has_sport = w->has_sport;
	if (!same_ns) {		/* skb_scrub_packet: the mark does not cross namespaces */
		q->has_mark = false;
		q->mark = 0;
	}
	q->has_uid = false;	/* a socket's owner: this host's sockets only */
	q->probe = false;
	q->trace = false;
	q->watch = 0;
	q->follow = false;
	q->reply = q->round_trip = false;
	q->choice_npick = 0;
	snprintf(q->dest_arg, sizeof(q->dest_arg), "%s", pp_addr_str(&w->dst, a, sizeof(a)));
}

static struct pc_ctbind *
bind_of(struct pc_ctbinds *b, const char *ns, bool add)
{
	for (size_t i = 0; i < b->n; i++)
		if (strcmp(b->b[i].netns, ns) == 0)
			return &b->b[i];
	if (!add || b->n >= PP_ARRAY_SIZE(b->b))
		return NULL;
	memset(&b->b[b->n], 0, sizeof(b->b[b->n]));
	snprintf(b->b[b->n].netns, sizeof(b->b[b->n].netns), "%s", ns);
	return &b->b[b->n++];
}

/* What the request's walk did in a namespace that its answer meets undone. */
static void
record_bind(struct pc_target *t, const struct pc_target *hop, const char *ns, const struct wire *w)
{
	struct pc_ctbind *b;

	if (hop->q.ct_reply || (!hop->f.dnat && !(w && w->snat)))
		return;
	if (!t->binds && !(t->binds = calloc(1, sizeof(*t->binds))))
		return;
	if (!(b = bind_of(t->binds, ns, true)))
		return;
	if (hop->f.dnat) {
		b->dnat = true;
		b->d_orig = hop->q.dst;
		b->dp_orig = hop->q.dport;
		b->d_new = hop->f.eq.dst;
		b->dp_new = hop->f.eq.dport;
		b->dp_known = hop->q.has_dport;
	}
	if (w && w->snat) {
		b->snat = true;
		b->s_orig = w->src0;
		b->sp_orig = w->sport0;
		b->s_new = w->src;
		b->sp_new = w->sport;
		b->sp_known = w->has_sport;
	}
}

/* An answer arriving in ns: conntrack undoes the snat the request was given there, before routing. */
static void
undo_snat(const struct pc_query *q0, struct pc_query *q, const char *ns, char *note, size_t len)
{
	const struct pc_ctbind *b;
	char a[INET6_ADDRSTRLEN], o[INET6_ADDRSTRLEN];

	if (!q0->ctbinds || !(b = bind_of((struct pc_ctbinds *)q0->ctbinds, ns, false)) || !b->snat ||
	    !pp_addr_eq(&q->dst, &b->s_new))
		return;
	q->dst = b->s_orig;
	if (b->sp_known && b->sp_new != b->sp_orig)
		q->dport = b->sp_orig;
	snprintf(note, len, "conntrack undoes the request's snat: to %s, was %s", pp_addr_str(&b->s_orig, o, sizeof(o)),
		 pp_addr_str(&b->s_new, a, sizeof(a)));
	snprintf(q->dest_arg, sizeof(q->dest_arg), "%s", o);
}

/* An answer leaving ns: conntrack undoes the dnat the request was given there, on the way out. */
static void
undo_dnat(const struct pc_query *q, struct wire *w, const char *ns)
{
	const struct pc_ctbind *b;
	char a[INET6_ADDRSTRLEN], o[INET6_ADDRSTRLEN];

	if (!q->ctbinds || !(b = bind_of((struct pc_ctbinds *)q->ctbinds, ns, false)) || !b->dnat ||
	    !pp_addr_eq(&w->src, &b->d_new))
		return;
	w->src = b->d_orig;
	if (b->dp_known) {
		w->sport = b->dp_orig;
		w->has_sport = true;
	}
	snprintf(w->nat, sizeof(w->nat), "conntrack undoes the request's dnat: from %s, was %s",
		 pp_addr_str(&b->d_orig, o, sizeof(o)), pp_addr_str(&b->d_new, a, sizeof(a)));
}

static void follow_split(struct pc_target *t, struct pc_target *cur, const char *cur_ns, int cur_fd);

/*
 * A frame arriving on a bridge port (in) is for the bridge itself, and the IP stack takes it
 * (its destination link-layer address is the bridge's, or a local fdb entry; unresolved: the
 * next hop is an address of this namespace), or the bridge sends it on at layer 2 to another
 * port. Returns 0 for the IP stack; 1 bridged on, with the port it leaves by in *out and the
 * way in via; -1 when the walk ends here (t's end set).
 */
static int
l2_crossing(struct pc_target *t, const struct pc_target *cur, const struct pp_link *in, struct pp_nl *nl,
	    const char *ns, struct pp_link *out, struct pp_link *bro, char *via, size_t vlen)
{
	const struct pc_facts *cf = &cur->f;
	struct pp_link br;
	struct pp_fdb fdb;
	struct pp_brport bp;
	struct pp_err e = { 0 };
	bool mac_known = lladdr_known(cf);
	bool flooded = false;
	uint8_t peer_mac[6];
	char mac[32], eb[320], a[INET6_ADDRSTRLEN];
	int rc, ifx = 0;

	if (!in->master || strcmp(in->slave_kind, "bridge") != 0)
		return 0;
	if (pp_link_get(nl, (int)in->master, NULL, &br, &e) < 0)
		return 0;	/* the IP side says what it can */
	if (mac_known) {
		if (br.addr_len == 6 && memcmp(br.addr, cf->neigh.lladdr, 6) == 0)
			return 0;
		/*
		 * A local entry (the bridge's address, or any port's own, which a bridge keeps as
		 * local: its address changes to its lowest port's as ports come and go) is
		 * delivered to the bridge itself (br_handle_frame_finish).
		 */
		rc = pp_fdb_get(nl, br.ifindex, cf->neigh.lladdr, 0, &fdb, &e);
		if (rc == 0 && (fdb.state & NUD_PERMANENT))
			return 0;
	} else {
		const struct pp_addr *nh = cf->nexthop.family ? &cf->nexthop : &cf->eq.dst;

		if (pp_ifaddr_find(nl, nh, &ifx, NULL, &e) > 0)
			return 0;
	}
	/* Bridged on: the port its fdb holds for the address, or the one whose host has it (a flood). */
	pp_lladdr_str(cf->neigh.lladdr, 6, mac, sizeof(mac));
	if (mac_known && (rc = pp_fdb_get(nl, br.ifindex, cf->neigh.lladdr, 0, &fdb, &e)) == 0) {
		if ((rc = pp_link_get(nl, fdb.port, NULL, out, &e)) < 0) {
			end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "bridge %s in netns %s: port %d: %s", br.name, ns, fdb.port,
			    pp_err_str(&e, eb, sizeof(eb)));
			return -1;
		}
		snprintf(via, vlen, "bridged by %s from %s to %s (fdb %s %s)", br.name, in->name, out->name,
			 pp_fdb_kind(&fdb), mac);
	} else {
		const struct pp_addr *nh = cf->nexthop.family ? &cf->nexthop : &cf->eq.dst;

		rc = mac_known ? port_owning(nl, br.ifindex, NULL, cf->neigh.lladdr, out, peer_mac) :
				 port_owning(nl, br.ifindex, nh, NULL, out, peer_mac);
		if (rc != 1) {
			end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN,
			    "bridge %s in netns %s sends it on at layer 2, and %s of its ports lead to the host that has %s",
			    br.name, ns, rc < 0 ? "it is not known which" : rc == 0 ? "none" : "several",
			    mac_known ? mac : pp_addr_str(nh, a, sizeof(a)));
			return -1;
		}
		flooded = true;
		snprintf(via, vlen, "bridged by %s from %s to %s (not in the fdb: flooded; the host behind %s has it)",
			 br.name, in->name, out->name, out->name);
	}
	if (out->ifindex == in->ifindex) {
		end(t, PC_FOLLOW_DIES, PP_ST_FAIL, "bridge %s in netns %s: the address is behind the port it came in by (%s): not sent back",
		    br.name, ns, in->name);
		return -1;
	}
	/* Each port forwards, floods where it must; the bridge's own filters (their state came with the links). */
	if (in->brport.has_state && in->brport.state != 3) {
		end(t, PC_FOLLOW_DIES, PP_ST_FAIL, "bridge %s in netns %s: port %s (in) is in state %s", br.name, ns, in->name,
		    pp_brport_state_name(in->brport.state));
		return -1;
	}
	bp = out->brport;
	if (bp.has_state && bp.state != 3) {
		end(t, PC_FOLLOW_DIES, PP_ST_FAIL, "bridge %s in netns %s: port %s (out) is in state %s", br.name, ns,
		    out->name, pp_brport_state_name(bp.state));
		return -1;
	}
	if (flooded && bp.has_flood && !bp.flood) {
		end(t, PC_FOLLOW_DIES, PP_ST_FAIL,
		    "bridge %s in netns %s: the address is not in its fdb, and port %s does not flood unknown unicast",
		    br.name, ns, out->name);
		return -1;
	}
	if (!(out->flags & IFF_UP)) {
		end(t, PC_FOLLOW_DIES, PP_ST_FAIL, "bridge %s in netns %s: port %s is down", br.name, ns, out->name);
		return -1;
	}
	if (br.br_vlan_filtering) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN,
		    "bridge %s in netns %s filters by VLAN (vlan_filtering 1): the ports' VLANs are not evaluated by pathcheck",
		    br.name, ns);
		t->follow_cause = PC_C_UNDECIDED_RULE;
		return -1;
	}
	/* Its chains (the bridge family's, and the IP family's through br_netfilter) are the hop's stations. */
	*bro = br;
	return 1;
}

/*
 * The hop of a frame bridged on at layer 2: its netfilter stations, walked and judged in
 * the bridge's namespace (the caller's). out_dev is the device the frame left the hop
 * before by (its source address), in the port it came in by, out the port it leaves by.
 */
static void
l2_stations(struct pc_target *ht, const struct pc_target *cur, const struct pp_link *out_dev,
	    const struct pp_link *br, const struct pp_link *in, const struct pp_link *out)
{
	struct pc_facts *f = &ht->f;
	const char *key = ht->q.family == AF_INET6 ? "net/bridge/bridge-nf-call-ip6tables" :
						   "net/bridge/bridge-nf-call-iptables";
	long long nf = 0;
	int rc;

	f->l2 = true;
	snprintf(f->l2_bridge, sizeof(f->l2_bridge), "%s", br->name);
	snprintf(f->bridge_port, sizeof(f->bridge_port), "%s", in->name);
	snprintf(f->l2_out, sizeof(f->l2_out), "%s", out->name);
	f->l2_bridge_index = br->ifindex;
	f->l2_in_index = in->ifindex;
	f->l2_out_index = out->ifindex;
	if (out_dev->addr_len == 6) {
		f->l2_src_mac_known = true;
		memcpy(f->l2_src_mac, out_dev->addr, 6);
	}
	if (lladdr_known(&cur->f)) {
		f->l2_dst_mac_known = true;
		memcpy(f->l2_dst_mac, cur->f.neigh.lladdr, 6);
	}
	/* No net.bridge sysctls: no br_netfilter in this kernel, and the IP chains never see the frame. */
	rc = pp_sysctl_get(key, &nf);
	f->br_nf_call = rc == 0 ? nf : rc == -ENOENT ? 0 : -1;
	pc_nft_collect(&f->eq, f, 1u << NF_INET_PRE_ROUTING | 1u << NF_INET_FORWARD | 1u << NF_INET_POST_ROUTING);
	if (f->br_nf_call == 1)
		f->nlegacy = pp_legacy_iptables(f->eq.family, f->legacy, sizeof(f->legacy));
	pc_eval(&f->eq, f, &ht->r);
}

/* Continue from hop cur into the next one. Returns the new hop, or NULL when the walk ends (t->follow_* set). */
static struct pc_hop *
next_hop(struct pc_target *t, struct pc_target *cur, const char *cur_ns, int cur_fd)
{
	const struct pc_facts *f = &cur->f;
	struct pp_link out, peer_link;
	struct pp_netns_ref ref = { .fd = -1 };
	struct pp_netns back = { .orig_fd = -1 }, here = { .orig_fd = -1 };
	struct pc_hop *h = NULL;
	struct wire w;
	struct peer p;
	struct pp_nl nl;
	struct pp_link l2_out, l2_br;
	char l2_via[300] = "";
	struct pp_err e = { 0 };
	char via[300] = "", why[320], eb[320];
	int rc;

	if (cur->nbr > 0) {
		if (cur->br_overflow)
			end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN,
			    "the path splits into more branches in netns %s than pathcheck follows", cur_ns);
		else
			follow_split(t, cur, cur_ns, cur_fd);
		return NULL;
	}
	if (cur->r.verdict_status == PP_ST_FAIL || cur->r.verdict_status == PP_ST_UNKNOWN) {
		end(t, cur->r.verdict_status == PP_ST_FAIL ? PC_FOLLOW_DIES : PC_FOLLOW_UNDECIDED,
		    cur->r.verdict_status, "%s in netns %s", cur->r.verdict_status == PP_ST_FAIL ? "dies" : "not decided",
		    cur_ns);
		return NULL;
	}

	if (cur->q.direction == PC_INGRESS) {
		end(t, PC_FOLLOW_DELIVERED, PP_ST_OK, "delivered to a socket in netns %s", cur_ns);
		return NULL;
	}
	if (f->oif_rc != 0 || !f->oif_link.name[0]) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "the device the packet leaves netns %s by is not known", cur_ns);
		return NULL;
	}
	/* Every question below is the hop's namespace's: the nsid of a peer is its own. */
	if (cur_fd >= 0 && pp_netns_enter_fd(&here, cur_fd, cur_ns, &e) < 0) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "%s", pp_err_str(&e, eb, sizeof(eb)));
		return NULL;
	}
	if (pp_nl_open(&nl, NETLINK_ROUTE, &e) < 0) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "%s", pp_err_str(&e, eb, sizeof(eb)));
		pp_netns_leave(&here);
		return NULL;
	}
	out = f->oif_link;
	if (strcmp(out.kind, "bridge") == 0 && bridge_port(t, f, &nl, &out, via, sizeof(via)) < 0)
		goto fail;
	if (!has_peer(&out, &p)) {
		/* The packet as it leaves: where its answer comes from, and to. */
		if (packet_on_wire(cur, &nl, &w, why, sizeof(why)) == 0) {
			if (cur->q.ct_reply)
				undo_dnat(&cur->q, &w, cur_ns);
			record_bind(t, cur, cur_ns, &w);
			t->left = w.src;
			t->left_dst = w.dst;
			t->left_sport = w.sport;
			t->left_dport = w.dport;
			t->left_has_sport = w.has_sport;
			t->left_has_dport = w.has_dport;
			t->left_ok = true;
			snprintf(t->left_dev, sizeof(t->left_dev), "%s", out.name);
		}
		end(t, PC_FOLLOW_LEAVES, PP_ST_OK, "leaves the machine by %s%s%s in netns %s (%s)", out.name,
		    via[0] ? " via " : "", via, cur_ns, out.kind[0] ? out.kind : "no peer pathcheck can enter");
		goto fail;
	}
	if (packet_on_wire(cur, &nl, &w, why, sizeof(why)) < 0) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "leaves netns %s by %s: %s", cur_ns, out.name, why);
		goto fail;
	}
	if (cur->q.ct_reply)
		undo_dnat(&cur->q, &w, cur_ns);
	record_bind(t, cur, cur_ns, &w);
	if (p.other_ns) {
		if ((rc = pp_netns_by_id(&nl, p.nsid, &ref, &e)) < 0) {
			end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "leaves netns %s by %s %s, whose peer is in netns id %d: %s",
			    cur_ns, out.kind, out.name, (int)p.nsid, pp_err_str(&e, eb, sizeof(eb)));
			goto fail;
		}
	}
	pp_nl_close(&nl);
	if (t->nhops >= PC_HOPS_MAX) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "more than %d namespaces on the way: not followed further",
		    PC_HOPS_MAX);
		goto out;
	}
	h = &t->hops[t->nhops];
	memset(h, 0, sizeof(*h));
	h->nsfd = -1;
	snprintf(h->netns, sizeof(h->netns), "%s", p.other_ns ? ref.name : cur_ns);
	snprintf(h->dev_prev, sizeof(h->dev_prev), "%s", out.name);
	snprintf(h->nat, sizeof(h->nat), "%s", w.nat);
	if (p.other_ns && pp_netns_enter_fd(&back, ref.fd, ref.name, &e) < 0) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "%s", pp_err_str(&e, eb, sizeof(eb)));
		goto out;
	}
	if (pp_nl_open(&nl, NETLINK_ROUTE, &e) < 0 || (rc = pp_link_get(&nl, p.ifindex, NULL, &peer_link, &e)) < 0) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "the peer of %s in netns %s: %s", out.name, h->netns,
		    pp_err_str(&e, eb, sizeof(eb)));
		if (nl.sk)
			pp_nl_close(&nl);
		pp_netns_leave(&back);
		goto out;
	}
	snprintf(h->via, sizeof(h->via), "%s%s%s %s -> %s", via, via[0] ? ", " : "", out.kind, out.name, peer_link.name);
	snprintf(h->dev_in, sizeof(h->dev_in), "%s", peer_link.name);
	rc = l2_crossing(t, cur, &peer_link, &nl, h->netns, &l2_out, &l2_br, l2_via, sizeof(l2_via));
	pp_nl_close(&nl);
	if (rc < 0) {
		pp_netns_leave(&back);
		goto out;
	}
	hop_query(&cur->q, &w, peer_link.name, !p.other_ns, &h->t.q);
	h->t.q.iif_index = peer_link.ifindex;
	if (cur->q.ct_reply) {
		char note[256] = "";

		undo_snat(&cur->q, &h->t.q, h->netns, note, sizeof(note));
		if (note[0])
			snprintf(h->nat + strlen(h->nat), sizeof(h->nat) - strlen(h->nat), "%s%s", h->nat[0] ? "; " : "",
				 note);
	}
	h->t.q.netns = h->netns;
	snprintf(h->t.label, sizeof(h->t.label), "%s", t->label);
	h->t.line = t->line;
	h->t.rc = PP_EXIT_OK;
	if (rc == 1) {
		/* Bridged on at layer 2: only netfilter stations here; the next hop is out the port the bridge chose. */
		h->l2 = true;
		snprintf(h->l2_via, sizeof(h->l2_via), "%s", l2_via);
		h->t.q.direction = PC_FORWARD;
		h->t.f.eq = h->t.q;
		h->t.f.oif_link = l2_out;
		h->t.f.oif_rc = 0;
		h->t.f.neigh = cur->f.neigh;
		h->t.f.neigh_rc = cur->f.neigh_rc;
		h->t.f.nexthop = cur->f.nexthop;
		/* Still in the bridge's namespace: its chains are read there. */
		l2_stations(&h->t, cur, &out, &l2_br, &peer_link, &l2_out);
	} else {
		pc_target_check(&h->t);
	}
	pp_netns_leave(&back);
	/* The hop keeps its namespace open: the next one is asked from there. */
	h->nsfd = p.other_ns ? ref.fd : (cur_fd >= 0 ? dup(cur_fd) : open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
	ref.fd = -1;
	t->nhops++;
	pp_netns_leave(&here);
	return h;
fail:
	pp_nl_close(&nl);
out:
	if (ref.fd >= 0)
		close(ref.fd);
	pp_netns_leave(&here);
	return NULL;
}

/* Follow t's walk on from start (t itself, or a view of one of its branches) in ns; returns the last hop. */
static struct pc_target *
follow_from(struct pc_target *t, struct pc_target *start, const char *ns, int fd, const char **last_ns)
{
	struct pc_target *cur = start;

	*last_ns = ns;
	for (int cur_fd = fd;;) {
		struct pc_hop *h = next_hop(t, cur, *last_ns, cur_fd);

		if (!h)
			break;
		cur = &h->t;
		*last_ns = h->netns;
		cur_fd = h->nsfd;
	}
	return cur;
}

/* The walk's verdict: the hop where it ended decides, named with its namespace. */
static void
follow_verdict(struct pc_target *t, const struct pc_target *cur, const char *cur_ns)
{
	snprintf(t->follow_netns, sizeof(t->follow_netns), "%s", cur_ns);
	if (t->split_result) {
		/* Split, every branch followed: the deciding branch's, or all of them passing. */
		t->r.verdict_status = t->follow_status;
		t->r.verdict_station = t->split_result ? t->split_station : PC_NSTATIONS;
		t->r.decided_by = t->split_result;
		t->r.verdict_cause = t->split_cause;
		if (t->split_netns[0])
			snprintf(t->follow_netns, sizeof(t->follow_netns), "%s", t->split_netns);
		snprintf(t->r.branches_summary, sizeof(t->r.branches_summary), "%s", t->follow_summary);
		return;
	}
	if (cur->r.verdict_status == PP_ST_FAIL || cur->r.verdict_status == PP_ST_UNKNOWN) {
		if (cur != t) {
			t->r.verdict_status = cur->r.verdict_status;
			t->r.verdict_station = cur->r.verdict_station;
			t->r.verdict_cause = cur->r.verdict_cause;
			t->r.decided_by = cur->r.decided_by ? cur->r.decided_by : &cur->r;
			memcpy(t->r.branches_summary, cur->r.branches_summary, sizeof(t->r.branches_summary));
		}
		return;
	}
	if (t->follow_status == PP_ST_FAIL || t->follow_status == PP_ST_UNKNOWN) {
		/* Ended between two hops (a bridge port, a peer not found): where the packet left. */
		t->r.verdict_status = t->follow_status;
		t->r.verdict_station = PC_EGRESS_DEVICE;
		t->r.verdict_cause = t->follow_cause;
		t->r.decided_by = cur != t ? &cur->r : NULL;
		snprintf(t->r.branches_summary, sizeof(t->r.branches_summary), "%s", t->follow_summary);
		return;
	}
	for (size_t i = 0; i < t->nhops && t->r.verdict_status == PP_ST_OK; i++)
		if (t->hops[i].t.r.verdict_status == PP_ST_WARN) {
			t->r.verdict_status = PP_ST_WARN;
			t->r.verdict_station = t->hops[i].t.r.verdict_station;
			t->r.verdict_cause = t->hops[i].t.r.verdict_cause;
			t->r.decided_by = &t->hops[i].t.r;
			snprintf(t->follow_netns, sizeof(t->follow_netns), "%s", t->hops[i].netns);
		}
	if (t->r.verdict_status == PP_ST_OK)
		snprintf(t->r.branches_summary, sizeof(t->r.branches_summary), "%s", t->follow_summary);
}

/*
 * The walk split in cur (the kernel draws, per flow, a numgen's value): each branch is
 * followed on its own to its end, and the walk passes only when every branch does;
 * otherwise how many of how many die, the first named with its namespace and station.
 */
static void
follow_split(struct pc_target *t, struct pc_target *cur, const char *cur_ns, int cur_fd)
{
	size_t n = cur->nbr, die = 0, warn = 0, unk = 0;
	struct pc_target *bad = NULL;
	const struct pc_branch *badb = NULL;
	enum pc_follow_end ends = PC_FOLLOW_NONE;
	bool mixed = false;

	for (size_t i = 0; i < n; i++) {
		struct pc_branch *b = &cur->br[i];
		struct pc_target *v = calloc(1, sizeof(*v));
		struct pc_target *last;
		const char *lns;

		if (!v || !(v->hops = calloc(PC_HOPS_MAX, sizeof(*v->hops)))) {
			free(v);
			end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "out of memory");
			return;
		}
		/* A view of the branch: its facts and its own result (branch 1's are cur's own). */
		v->q = cur->q;
		v->f = i ? b->f : cur->f;
		v->r = i ? b->r : cur->r;
		v->r.verdict_status = b->station < PC_NSTATIONS ? b->status : PP_ST_OK;
		v->r.verdict_station = b->station;
		v->r.decided_by = NULL;
		v->r.branches_summary[0] = '\0';
		v->rc = PP_EXIT_OK;
		snprintf(v->label, sizeof(v->label), "%s", b->label);
		snprintf(v->netns_name, sizeof(v->netns_name), "%s", cur_ns);
		last = follow_from(v, v, cur_ns, cur_fd, &lns);
		follow_verdict(v, last, lns);
		b->walk = v;
		switch (v->r.verdict_status) {
		case PP_ST_FAIL: die++; break;
		case PP_ST_WARN: warn++; break;
		case PP_ST_UNKNOWN: unk++; break;
		default: break;
		}
		if (!bad && v->r.verdict_status != PP_ST_OK && v->r.verdict_status != PP_ST_SKIPPED) {
			bad = v;
			badb = b;
		}
		if (ends == PC_FOLLOW_NONE)
			ends = v->follow_end;
		else if (ends != v->follow_end)
			mixed = true;
	}
	if (!bad) {
		end(t, mixed ? PC_FOLLOW_DELIVERED : ends, PP_ST_OK, "all %zu branches pass; the first: %s", n,
		    cur->br[0].walk->follow_summary);
		t->split_result = NULL;
		return;
	}
	{
		const struct pc_result *d = bad->r.decided_by ? bad->r.decided_by : &bad->r;
		enum pc_station_id st = bad->r.verdict_station;
		const char *sum = bad->r.branches_summary[0] ? bad->r.branches_summary :
				  st < PC_NSTATIONS ? d->st[st].summary : "";

		end(t, die ? PC_FOLLOW_DIES : unk ? PC_FOLLOW_UNDECIDED : bad->follow_end,
		    die ? PP_ST_FAIL : unk ? PP_ST_UNKNOWN : PP_ST_WARN, "%zu of %zu branches %s: %s: in netns %s%s%s: %s",
		    die ? die : unk ? unk : warn, n, die ? "die" : unk ? "could not be decided" : "may die", badb->label,
		    bad->follow_netns, st < PC_NSTATIONS ? " at " : "", st < PC_NSTATIONS ? pc_station_name(st) : "", sum);
		t->split_result = d;
		t->split_cause = bad->r.verdict_cause;
		t->split_station = st < PC_NSTATIONS ? st : PC_EGRESS_DEVICE;
		snprintf(t->split_netns, sizeof(t->split_netns), "%s", bad->follow_netns);
	}
}

void
pc_follow(struct pc_target *t)
{
	struct pc_target *cur;
	char ns[64];
	const char *cur_ns;

	t->hops = calloc(PC_HOPS_MAX, sizeof(*t->hops));
	if (!t->hops) {
		end(t, PC_FOLLOW_UNDECIDED, PP_ST_UNKNOWN, "out of memory");
		return;
	}
	if (t->q.netns)
		snprintf(ns, sizeof(ns), "%s", t->q.netns);
	else
		current_name(ns, sizeof(ns));
	snprintf(t->netns_name, sizeof(t->netns_name), "%s", ns);
	cur = follow_from(t, t, t->netns_name, -1, &cur_ns);
	follow_verdict(t, cur, cur_ns);
}

/*
 * The answer: from where the packet was delivered (a socket's reply, leaving by the way
 * the kernel routes it) or from where it left the machine (arriving by that device from
 * the host it went to), as conntrack's reply direction has it: source and destination,
 * ports swapped, state established, the request's nat undone namespace by namespace.
 */
void
pc_reply(struct pc_target *t)
{
	const struct pc_hop *lh = t->nhops ? &t->hops[t->nhops - 1] : NULL;
	const struct pc_target *last = lh ? &lh->t : t;
	const char *ns = lh ? lh->netns : t->netns_name;
	struct pp_netns back = { .orig_fd = -1 };
	struct pp_err e = { 0 };
	struct pc_target *r;
	struct pc_query *q;
	char a[INET6_ADDRSTRLEN], note[256] = "", eb[320];

	if (t->follow_end != PC_FOLLOW_DELIVERED && !(t->follow_end == PC_FOLLOW_LEAVES && t->left_ok)) {
		snprintf(t->reply_none, sizeof(t->reply_none), "%s",
			 t->follow_end == PC_FOLLOW_LEAVES ? "the packet as it leaves the machine is not known: no answer to walk"
							   : "the packet is not delivered: no answer to walk");
		return;
	}
	if (!(r = calloc(1, sizeof(*r)))) {
		snprintf(t->reply_none, sizeof(t->reply_none), "out of memory");
		return;
	}
	if (t->follow_end == PC_FOLLOW_DELIVERED)
		record_bind(t, last, ns, NULL);	/* a dnat in the namespace that took it */
	q = &r->q;
	*q = last->q;
	q->ct_state = PC_CT_ESTABLISHED;
	q->ct_reply = true;
	q->follow = true;
	q->reply = q->round_trip = false;
	q->ctbinds = t->binds;
	q->has_mark = q->has_uid = false;
	q->mark = 0;
	q->choice_npick = 0;
	q->oif[0] = '\0';
	q->oif_index = 0;
	if (t->follow_end == PC_FOLLOW_DELIVERED) {
		/* From the socket that took it (the destination as the socket saw it), back to the sender. */
		q->direction = PC_EGRESS;
		q->iif[0] = '\0';
		q->iif_index = 0;
		q->src = last->f.eq.dst;
		q->dst = last->q.src;
		q->sport = last->f.eq.dport;
		q->has_sport = last->f.eq.has_dport;
		q->dport = last->q.sport;
		q->has_dport = last->q.has_sport;
	} else {
		/* Arriving from the host it went to, by the device it left by. */
		q->direction = PC_INGRESS;
		snprintf(q->iif, sizeof(q->iif), "%s", t->left_dev);
		q->iif_index = 0;
		q->src = t->left_dst;
		q->dst = t->left;
		q->sport = t->left_dport;
		q->has_sport = t->left_has_dport;
		q->dport = t->left_sport;
		q->has_dport = t->left_has_sport;
		undo_snat(q, q, ns, note, sizeof(note));
	}
	if (q->proto == IPPROTO_ICMP || q->proto == IPPROTO_ICMPV6)
		q->has_sport = q->has_dport = false;
	snprintf(q->dest_arg, sizeof(q->dest_arg), "%s", pp_addr_str(&q->dst, a, sizeof(a)));
	q->netns = ns;
	snprintf(r->label, sizeof(r->label), "%s (answer)", t->label);
	r->line = t->line;
	if (lh && lh->nsfd >= 0 && pp_netns_enter_fd(&back, lh->nsfd, ns, &e) < 0) {
		snprintf(t->reply_none, sizeof(t->reply_none), "%s", pp_err_str(&e, eb, sizeof(eb)));
		free(r);
		return;
	}
	if (q->iif[0])
		q->iif_index = (int)pp_ifindex(q->iif);
	pc_target_check(r);
	pp_netns_leave(&back);
	t->reply = r;
	(void)note;
}

/*
 * The verdict with the answer: --reply judges the answer; --round-trip is ok only when
 * the packet and its answer both pass, and names the first of them that does not.
 */
void
pc_reply_verdict(struct pc_target *t)
{
	const struct pc_target *r = t->reply;
	const struct pc_result *rr;
	enum pc_station_id st;
	const char *sum;

	if (t->r.verdict_status == PP_ST_FAIL || t->r.verdict_status == PP_ST_UNKNOWN)
		return;		/* the packet does not get there: that is the verdict */
	if (!r) {
		t->r.verdict_status = PP_ST_UNKNOWN;
		t->r.verdict_station = PC_EGRESS_DEVICE;
		t->r.verdict_cause = PC_C_NOT_FOLLOWED;
		snprintf(t->r.branches_summary, sizeof(t->r.branches_summary), "the answer: %s", t->reply_none);
		t->verdict_is_reply = true;
		return;
	}
	if (t->q.round_trip && (r->r.verdict_status == PP_ST_OK ||
				(r->r.verdict_status == PP_ST_WARN && t->r.verdict_status == PP_ST_WARN))) {
		if (t->r.verdict_status == PP_ST_OK)
			snprintf(t->r.branches_summary, sizeof(t->r.branches_summary), "there and back: %s; the answer: %s",
				 t->follow_summary, r->follow_summary);
		return;
	}
	rr = r->r.decided_by ? r->r.decided_by : &r->r;
	st = r->r.verdict_station;
	sum = r->r.branches_summary[0] ? r->r.branches_summary : st < PC_NSTATIONS ? rr->st[st].summary : "";
	t->r.verdict_status = r->r.verdict_status;
	t->r.verdict_station = st;
	t->r.verdict_cause = r->r.verdict_cause;
	t->r.decided_by = rr;
	snprintf(t->follow_netns, sizeof(t->follow_netns), "%s", r->follow_netns[0] ? r->follow_netns : r->netns_name);
	snprintf(t->r.branches_summary, sizeof(t->r.branches_summary), "the answer: %s", sum);
	t->verdict_is_reply = true;
}

/* A branch's followed walk: its hops (the facts and result it views are the branch's own). */
void
pc_branch_walk_free(struct pc_target *v)
{
	if (!v)
		return;
	pc_hops_free(v);
	free(v);
}

void
pc_hops_free(struct pc_target *t)
{
	for (size_t i = 0; i < t->nhops; i++) {
		pc_targets_free_one(&t->hops[i].t);
		if (t->hops[i].nsfd >= 0)
			close(t->hops[i].nsfd);
	}
	free(t->hops);
	t->hops = NULL;
	t->nhops = 0;
	if (t->reply) {
		pc_targets_free_one(t->reply);
		free(t->reply);
		t->reply = NULL;
	}
	free(t->binds);
	t->binds = NULL;
}

const char *
pc_follow_end_name(enum pc_follow_end e)
{
	static const char *const n[] = {
		[PC_FOLLOW_NONE] = "none", [PC_FOLLOW_DELIVERED] = "delivered", [PC_FOLLOW_LEAVES] = "leaves",
		[PC_FOLLOW_DIES] = "dies", [PC_FOLLOW_UNDECIDED] = "undecided",
	};

	return e < sizeof(n) / sizeof(n[0]) ? n[e] : "?";
}
