/*
 * station.c: the one table of stations. A station's name, its place in each direction's
 * path, and its operations are written here and nowhere else; the walker, the judgement,
 * the renderers, the drop mapping and the tests take them from this table.
 */
#include <pthread.h>
#include <string.h>
#include <netinet/in.h>
#include <linux/netfilter.h>

#include "pathcheck.h"

#define E (1u << PC_EGRESS)
#define I (1u << PC_INGRESS)
#define F (1u << PC_FORWARD)

/* order = { egress, ingress, forward }: the place on each path, 0 when not on it. */
const struct pc_station_ops pc_stations[PC_NSTATIONS] = {
	[PC_INGRESS_DEVICE] = { .name = "ingress-device", .hook = -1, .order = { 0, 1, 1 },
				.walk = pc_device_walk, .judge = pc_device_judge },
	[PC_TC_INGRESS]	    = { .name = "tc-ingress", .hook = -1, .order = { 0, 2, 2 },
				.walk = pc_tc_walk, .judge = pc_tc_judge },
	[PC_PREROUTING]	    = { .name = "prerouting", .family = "netfilter", .hook = NF_INET_PRE_ROUTING,
				.order = { 0, 3, 3 }, .walk = pc_netfilter_walk, .judge = pc_netfilter_judge,
				.after = pc_netfilter_after },
	[PC_ROUTE]	    = { .name = "route", .hook = -1, .order = { 1, 4, 4 },
				.walk = pc_route_walk, .judge = pc_route_judge },
	[PC_INPUT]	    = { .name = "input", .family = "netfilter", .hook = NF_INET_LOCAL_IN,
				.order = { 2, 5, 0 }, .observed_only = E,
				.walk = pc_netfilter_walk, .judge = pc_netfilter_judge },
	[PC_SOCKET]	    = { .name = "socket", .hook = -1, .order = { 3, 6, 0 },
				.walk = pc_socket_walk, .judge = pc_socket_judge },
	[PC_FORWARD_ST]	    = { .name = "forward", .family = "netfilter", .hook = NF_INET_FORWARD,
				.order = { 0, 0, 5 }, .walk = pc_netfilter_walk, .judge = pc_netfilter_judge },
	[PC_OUTPUT]	    = { .name = "output", .family = "netfilter", .hook = NF_INET_LOCAL_OUT,
				.order = { 4, 0, 0 }, .walk = pc_netfilter_walk, .judge = pc_netfilter_judge },
	[PC_POSTROUTING]    = { .name = "postrouting", .family = "netfilter", .hook = NF_INET_POST_ROUTING,
				.order = { 5, 0, 6 }, .walk = pc_netfilter_walk, .judge = pc_netfilter_judge },
	[PC_CONNTRACK]	    = { .name = "conntrack", .hook = -1, .order = { 6, 7, 7 },
				.walk = pc_conntrack_walk, .judge = pc_conntrack_judge },
	[PC_NEIGHBOUR]	    = { .name = "neighbour", .hook = -1, .order = { 7, 0, 8 },
				.walk = pc_neigh_walk, .judge = pc_neigh_judge },
	[PC_TC_EGRESS]	    = { .name = "tc-egress", .hook = -1, .order = { 8, 0, 9 },
				.walk = pc_tc_walk, .judge = pc_tc_judge },
	[PC_QDISC]	    = { .name = "qdisc", .hook = -1, .order = { 9, 0, 10 },
				.walk = pc_qdisc_walk, .judge = pc_qdisc_judge },
	/* Its walk: a packet to this host's own address, the listeners it meets (st_socket.c). */
	[PC_EGRESS_DEVICE]  = { .name = "egress-device", .hook = -1, .order = { 10, 0, 11 },
				.walk = pc_socket_local_walk, .judge = pc_device_judge },
	[PC_PMTU]	    = { .name = "pmtu", .hook = -1, .order = { 11, 0, 12 }, .judge = pc_pmtu_judge },
	[PC_REMOTE]	    = { .name = "remote", .hook = -1, .order = { 12, 8, 13 },
				.walk = pc_remote_walk, .judge = pc_remote_judge },
};

const char *
pc_station_name(enum pc_station_id id)
{
	return (unsigned)id < PC_NSTATIONS ? pc_stations[id].name : "?";
}

enum pc_station_id
pc_station_by_name(const char *name)
{
	for (int i = 0; name && i < PC_NSTATIONS; i++) {
		if (strcmp(pc_stations[i].name, name) == 0)
			return (enum pc_station_id)i;
		if (pc_stations[i].family && strcmp(pc_stations[i].family, name) == 0)
			return PC_ANY_HOOK;
	}
	return PC_NSTATIONS;
}

static enum pc_station_id path[PC_NDIRECTIONS][PC_NSTATIONS];
static size_t path_len[PC_NDIRECTIONS];
static pthread_once_t path_once = PTHREAD_ONCE_INIT;

static void
build_paths(void)
{
	for (int d = 0; d < PC_NDIRECTIONS; d++)
		for (unsigned place = 1; place <= PC_NSTATIONS; place++)
			for (int i = 0; i < PC_NSTATIONS; i++)
				if (pc_stations[i].order[d] == place)
					path[d][path_len[d]++] = (enum pc_station_id)i;
}

const enum pc_station_id *
pc_path_order(enum pc_direction d, size_t *n)
{
	pthread_once(&path_once, build_paths);
	if ((unsigned)d >= PC_NDIRECTIONS)
		d = PC_EGRESS;
	*n = path_len[d];
	return path[d];
}

bool
pc_station_on_path(enum pc_station_id id, enum pc_direction d)
{
	return (unsigned)id < PC_NSTATIONS && pc_stations[id].order[d] &&
	       !(pc_stations[id].observed_only & (1u << d));
}

enum pc_station_id
pc_hook_station(uint32_t hook)
{
	for (int i = 0; i < PC_NSTATIONS; i++)
		if (pc_stations[i].hook >= 0 && (uint32_t)pc_stations[i].hook == hook)
			return (enum pc_station_id)i;
	return PC_NSTATIONS;
}
