/* snapfib.c: the userspace FIB over a snapshot's recorded rules, routes and addresses. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>

#include "snap.h"

int
pp_snap_fib_answer(const struct pp_snap *s, int ns, const struct nlmsghdr *req, uint32_t seq,
		   uint32_t portid, void **out, size_t *outlen, struct pp_err *e)
{
	(void)seq, (void)portid, (void)out, (void)outlen;
	return pp_snap_miss(s, ns, NETLINK_ROUTE, req, e);
}
