/* fdb.h: a Linux bridge's forwarding database (RTM_GETNEIGH, AF_BRIDGE) and its ports' state. */
#ifndef PP_FDB_H
#define PP_FDB_H

#include <stdbool.h>
#include <stdint.h>
#include "nl.h"

struct pp_fdb {
	int port;		/* ndm_ifindex: the port the address is behind */
	int master;		/* NDA_MASTER: the bridge */
	uint16_t state;		/* NUD_PERMANENT (local), NUD_NOARP (static), NUD_REACHABLE, NUD_STALE */
	uint8_t flags;		/* NTF_SELF, NTF_MASTER, NTF_EXT_LEARNED, NTF_OFFLOADED, ... */
	uint8_t lladdr[6];
	bool has_vlan;
	uint16_t vlan;
};

int pp_fdb_decode(const struct nlmsghdr *nlh, struct pp_fdb *f);
/*
 * The entry for lladdr (6 bytes) on bridge (its ifindex), in vlan (0: none), as `bridge fdb
 * get ADDR br BRIDGE` asks the kernel. Returns 0, -ENOENT when the bridge has none (it floods
 * such a frame to every port that allows it), or -errno.
 */
int pp_fdb_get(struct pp_nl *nl, int bridge, const uint8_t *lladdr, uint16_t vlan, struct pp_fdb *f,
	       struct pp_err *e);
/* "learned", "static", "local" (the bridge's own), "stale", ... */
const char *pp_fdb_kind(const struct pp_fdb *f);

/* A bridge port's state and flags (RTM_GETLINK, AF_BRIDGE, IFLA_PROTINFO). */
struct pp_brport {
	bool has_state;
	uint8_t state;		/* BR_STATE_DISABLED, LISTENING, LEARNING, FORWARDING, BLOCKING */
	bool has_learning, has_flood, has_mcast_flood, has_isolated, has_hairpin;
	bool learning, flood, mcast_flood, isolated, hairpin;
};
int pp_brport_decode(const struct nlmsghdr *nlh, struct pp_brport *b);
/* The port ifindex of a bridge. Returns 0, -ENODEV, -ENOENT when it is not a bridge port, or -errno. */
int pp_brport_get(struct pp_nl *nl, int ifindex, struct pp_brport *b, struct pp_err *e);
/* Whether bridge ifindex filters by VLAN (IFLA_BR_VLAN_FILTERING). Returns 0 (*on set), -ENOENT when not a bridge, or -errno. */
int pp_bridge_vlan_filtering(struct pp_nl *nl, int ifindex, bool *on, struct pp_err *e);
int pp_bridge_vlan_filtering_decode(const struct nlmsghdr *nlh, bool *on);
/* "disabled", "listening", "learning", "forwarding", "blocking". */
const char *pp_brport_state_name(uint8_t state);

#endif
