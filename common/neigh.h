/* neigh.h: neighbour (ARP/NDP) entries, RTM_GETNEIGH get and dump. */
#ifndef PP_NEIGH_H
#define PP_NEIGH_H

#include <linux/neighbour.h>
#include "nl.h"

struct pp_neigh {
	int family;
	int ifindex;
	uint16_t state;		/* NUD_* */
	uint8_t flags;		/* NTF_* */
	uint8_t type;
	struct pp_addr dst;
	uint8_t lladdr[32];
	uint8_t lladdr_len;
	bool has_probes, has_cacheinfo;
	uint32_t probes;
	struct nda_cacheinfo ci;	/* confirmed, used, updated: ms ago as USER_HZ ticks */
};

int pp_neigh_decode(const struct nlmsghdr *nlh, struct pp_neigh *n);
/* The entry for dst on ifindex. Returns 0, -ENOENT when there is none, or -errno. */
int pp_neigh_get(struct pp_nl *nl, int ifindex, const struct pp_addr *dst, struct pp_neigh *n,
		 struct pp_err *e);
/* The same with ndm_flags (NTF_PROXY: the proxy entry). */
int pp_neigh_get_flags(struct pp_nl *nl, int ifindex, const struct pp_addr *dst, uint8_t flags,
		       struct pp_neigh *n, struct pp_err *e);
typedef int (*pp_neigh_cb)(const struct pp_neigh *n, void *data);
/* Entries of family (AF_UNSPEC: both) on ifindex (0: all; filtered by the kernel). */
int pp_neigh_dump(struct pp_nl *nl, int family, int ifindex, pp_neigh_cb cb, pp_nl_reset reset,
		  void *data, struct pp_err *e);
/* The proxy entries (pneigh: NTF_PROXY in the request's ndm_flags, as ip neigh show proxy). */
int pp_neigh_dump_proxy(struct pp_nl *nl, int family, int ifindex, pp_neigh_cb cb, pp_nl_reset reset,
			void *data, struct pp_err *e);
/*
 * ip(8)'s NUD state names ("permanent", "noarp", "stale", "reachable", "none",
 * "incomplete", "delay", "probe", "failed", "all") into a filter mask: NUD_* bits,
 * PP_NUD_NONE for entries without a state. Returns 0 or -EINVAL.
 */
#define PP_NUD_NONE 0x100
int pp_neigh_nud_parse(const char *name, unsigned *mask);
/* Does an entry pass a state filter as ip neigh show nud does (proxy and extern_learn always do)? */
bool pp_neigh_nud_match(const struct pp_neigh *n, unsigned mask);
/* "REACHABLE", "STALE", "FAILED", ...; several bits joined with ','. */
const char *pp_neigh_state_name(uint16_t state, char *buf, size_t len);
/* aa:bb:cc:.. form. */
const char *pp_lladdr_str(const uint8_t *a, size_t n, char *buf, size_t len);

#endif
