/* addr.h: interface addresses (RTM_GETADDR). */
#ifndef PP_ADDRS_H
#define PP_ADDRS_H

#include <net/if.h>
#include "nl.h"

struct pp_ifaddr {
	int family;
	int ifindex;
	uint8_t prefixlen, scope;
	uint32_t flags;		/* IFA_F_* (IFA_FLAGS when sent) */
	struct pp_addr local;	/* IFA_LOCAL, else IFA_ADDRESS */
	struct pp_addr peer;	/* IFA_ADDRESS when it differs (point-to-point) */
	char label[IF_NAMESIZE];
};

int pp_ifaddr_decode(const struct nlmsghdr *nlh, struct pp_ifaddr *a);
typedef int (*pp_ifaddr_cb)(const struct pp_ifaddr *a, void *data);
/* Every address of family (AF_UNSPEC for both). */
int pp_ifaddr_dump(struct pp_nl *nl, int family, pp_ifaddr_cb cb, void *data, struct pp_err *e);
/*
 * Is addr configured on this host? *ifindex (may be NULL) gets its device, *flags
 * its IFA_F_* flags (tentative, dadfailed, ...). Returns 1, 0, or -errno.
 */
int pp_ifaddr_find(struct pp_nl *nl, const struct pp_addr *addr, int *ifindex, uint32_t *flags,
		   struct pp_err *e);

#endif
