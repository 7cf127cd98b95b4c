/*
 * test_neighwatch_nagios: neighwatch --nagios from snapshots built by hand: the
 * FAILED next hop count as the figure, the findings without thresholds, routes
 * that could not be read, the tables' fill as perfdata.
 */
#include <errno.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <linux/neighbour.h>
#include <linux/rtnetlink.h>

#include "../../cmd/neighwatch/nw.h"
#include "nagios_capture.h"
#include "parse.h"
#include "tap.h"

#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif

static struct pp_cli c;
static struct nw_opts o;

static void
snap(struct nw_snap *s, uint16_t gw_state)
{
	struct pp_link l;
	struct pp_route r;
	struct pp_neigh n;

	memset(&o, 0, sizeof(o));
	o.mac_ips = 4;
	o.flap_count = 2;
	o.flap_window = 60;
	nw_snap_init(s);
	memset(&l, 0, sizeof(l));
	l.ifindex = 2;
	snprintf(l.name, sizeof(l.name), "c0");
	l.flags = IFF_UP | IFF_LOWER_UP;
	nw_snap_add_link(s, &l);
	s->links_ok = s->entries_ok = s->routes_ok = s->tables_ok = true;
	memset(&r, 0, sizeof(r));
	r.type = RTN_UNICAST;
	r.table = RT_TABLE_MAIN;
	pp_parse_addr("198.51.100.1", 0, &r.gateway);
	r.family = AF_INET;
	r.oif = 2;
	nw_snap_add_route(s, &r, &o);
	memset(&n, 0, sizeof(n));
	pp_parse_addr("198.51.100.1", 0, &n.dst);
	n.family = AF_INET;
	n.ifindex = 2;
	n.state = gw_state;
	if (gw_state == NUD_REACHABLE) {
		n.lladdr_len = 6;
		n.lladdr[0] = 2;
	}
	nw_snap_add_neigh(s, &n);
	/* the arp table: 64 entries of gc_thresh3 1024, below gc_thresh1 */
	s->tables[0].have = s->tables[0].has_config = s->tables[0].has_thresh = true;
	s->tables[0].family = AF_INET;
	s->tables[0].thresh1 = 128;
	s->tables[0].thresh2 = 512;
	s->tables[0].thresh3 = 1024;
	s->tables[0].config.ndtc_entries = 64;
}

static int
render(struct nw_snap *s, char *out, size_t len, const char *warn, const char *crit)
{
	char buf[4096];
	int st = 0;

	pp_cli_init(&c, "neighwatch");
	memset(c.nag, 0, sizeof(*c.nag));
	c.nag->on = true;
	if (warn)
		c.nag->has_warn = pp_range_parse(warn, &c.nag->warn) == 0;
	if (crit)
		c.nag->has_crit = pp_range_parse(crit, &c.nag->crit) == 0;
	nw_eval(s, &o);
	CAPTURE(buf, st = nw_render_nagios(s, &o, &c));
	snprintf(out, len, "%s", buf);
	return st;
}

static void
test_failed_next_hop(void)
{
	struct nw_snap s;
	char out[4096];

	snap(&s, NUD_FAILED);
	CHECK_EQ_INT(render(&s, out, sizeof(out), NULL, NULL), PP_NAG_CRITICAL);
	CHECK(STARTS(out, "NEIGHWATCH CRITICAL - next hop 198.51.100.1 dev c0 is FAILED"));
	CHECK(strstr(out, "| 'failed_nexthops'=1;;;0 'inet_fill'=6.25%;;;0;100 'entries'=1;;;0\n") != NULL);
	/* thresholds decide the state on the count */
	CHECK_EQ_INT(render(&s, out, sizeof(out), "0", "5"), PP_NAG_WARNING);
	CHECK_STR(out, "NEIGHWATCH WARNING - 1 FAILED next hop, 1 entry | 'failed_nexthops'=1;0;5;0 "
		       "'inet_fill'=6.25%;;;0;100 'entries'=1;;;0\n");
	CHECK_EQ_INT(render(&s, out, sizeof(out), NULL, "0"), PP_NAG_CRITICAL);
	CHECK_EQ_INT(render(&s, out, sizeof(out), "2:", NULL), PP_NAG_WARNING);	/* fewer than 2 */
	CHECK_EQ_INT(render(&s, out, sizeof(out), "@5:9", "@2:3"), PP_NAG_OK);
	nw_snap_free(&s);
}

static void
test_resolved(void)
{
	struct nw_snap s;
	char out[4096];

	snap(&s, NUD_REACHABLE);
	CHECK_EQ_INT(render(&s, out, sizeof(out), NULL, NULL), PP_NAG_OK);
	CHECK_STR(out, "NEIGHWATCH OK - 0 FAILED next hops, 1 entry, no findings | 'failed_nexthops'=0;;;0 "
		       "'inet_fill'=6.25%;;;0;100 'entries'=1;;;0\n");
	CHECK_EQ_INT(render(&s, out, sizeof(out), NULL, "0"), PP_NAG_OK);
	nw_snap_free(&s);
}

static void
test_routes_not_read(void)
{
	struct nw_snap s;
	char out[4096];

	/* without the routes there is no count: UNKNOWN, and no failed_nexthops item */
	snap(&s, NUD_REACHABLE);
	s.routes_ok = false;
	s.nnh = 0;
	snprintf(s.routes_err.what, sizeof(s.routes_err.what), "RTM_GETROUTE");
	s.routes_err.code = EPERM;
	CHECK_EQ_INT(render(&s, out, sizeof(out), "0", "5"), PP_NAG_UNKNOWN);
	CHECK(strstr(out, "failed_nexthops") == NULL);
	CHECK(STARTS(out, "NEIGHWATCH UNKNOWN - "));
	nw_snap_free(&s);
}

int
main(void)
{
	RUN(test_failed_next_hop);
	RUN(test_resolved);
	RUN(test_routes_not_read);
	return tap_done();
}
