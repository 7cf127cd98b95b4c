/* fdb.h: a Linux bridge's forwarding database (RTM_GETNEIGH, AF_BRIDGE) and its ports' state. */
#ifndef PP_FDB_H
#define PP_FDB_H

#include <stdbool.h>
#include <stdint.h>
#include "link.h"
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

/*
 * The bridge parts of an RTM_NEWLINK message, for tests and callers that hold a raw message
 * (pp_link_decode fills the same into struct pp_link: has_brport, brport, br_vlan_filtering):
 * a bridge port's state and flags (-ENOENT when not a bridge port), a bridge's VLAN
 * filtering (-ENOENT when not a bridge). 0 or -EBADMSG.
 */
int pp_brport_decode(const struct nlmsghdr *nlh, struct pp_brport *b);
int pp_bridge_vlan_filtering_decode(const struct nlmsghdr *nlh, bool *on);
/* "disabled", "listening", "learning", "forwarding", "blocking". */
const char *pp_brport_state_name(uint8_t state);

#endif
