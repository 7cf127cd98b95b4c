/* link.h: network devices (RTM_GETLINK) with 64-bit statistics. */
#ifndef PP_LINK_H
#define PP_LINK_H

#include <net/if.h>
#include <linux/if_link.h>
#include "nl.h"

/* From linux/if.h, which cannot be included beside net/if.h. */
#ifndef IFF_LOWER_UP
#define IFF_LOWER_UP 0x10000
#endif
#ifndef IFF_DORMANT
#define IFF_DORMANT 0x20000
#endif

/* A bridge port's state and flags, as the kernel sends them with the link (IFLA_INFO_SLAVE_DATA). */
struct pp_brport {
	bool has_state;
	uint8_t state;		/* BR_STATE_DISABLED, LISTENING, LEARNING, FORWARDING, BLOCKING */
	bool has_learning, has_flood, has_mcast_flood, has_isolated, has_hairpin;
	bool learning, flood, mcast_flood, isolated, hairpin;
};

struct pp_link {
	int ifindex;
	char name[IF_NAMESIZE];
	char kind[32];			/* IFLA_INFO_KIND: veth, bridge, vlan, ...; "" for physical */
	char slave_kind[32];		/* IFLA_INFO_SLAVE_KIND: "bridge" for a bridge port */
	char qdisc[32];
	unsigned flags;			/* IFF_UP, IFF_LOWER_UP, IFF_NOARP, ... */
	uint8_t operstate;		/* IF_OPER_* */
	bool has_carrier, has_carrier_changes, has_stats64, has_link_netnsid, has_xdp;
	uint8_t carrier;
	uint32_t carrier_changes, carrier_up, carrier_down;
	uint32_t mtu, txqlen, master, link, group;
	int32_t link_netnsid;
	uint8_t xdp_attached;		/* XDP_ATTACHED_* */
	uint32_t xdp_prog_id;		/* IFLA_XDP_PROG_ID: the program of one attach mode, 0 when none */
	bool has_brport;		/* a bridge port: its state and flags */
	struct pp_brport brport;
	bool br_vlan_filtering;		/* a bridge that filters by VLAN (IFLA_BR_VLAN_FILTERING) */
	uint8_t addr[32];
	uint8_t addr_len;
	uint16_t type;			/* ARPHRD_* */
	struct rtnl_link_stats64 stats;
};

int pp_link_decode(const struct nlmsghdr *nlh, struct pp_link *l);
/*
 * The bridge parts of an IFLA_LINKINFO nest: a bridge port's slave data into *b
 * (*is_port set), a bridge's VLAN filtering into *vf (*is_bridge set). 0 or -EBADMSG.
 */
int pp_link_bridge_info(const struct nlattr *linkinfo, bool *is_port, struct pp_brport *b, bool *is_bridge,
			bool *vf);
/* One device by index (ifindex > 0) or by name. Returns 0, -ENODEV, or -errno. */
int pp_link_get(struct pp_nl *nl, int ifindex, const char *name, struct pp_link *l, struct pp_err *e);
typedef int (*pp_link_cb)(const struct pp_link *l, void *data);
/* Every device. reset (may be NULL) is called if the dump has to start again. */
int pp_link_dump(struct pp_nl *nl, pp_link_cb cb, pp_nl_reset reset, void *data, struct pp_err *e);
const char *pp_operstate_name(uint8_t st);

#endif
