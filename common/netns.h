/* netns.h: run in a named or a process's network namespace, and come back. */
#ifndef PP_NETNS_H
#define PP_NETNS_H

#include <sys/types.h>
#include "pp.h"

/* Where we were before pp_netns_enter(); pass it to pp_netns_leave(). */
struct pp_netns {
	int orig_fd;		/* -1 when nothing was entered */
	char name[64];		/* what to call the namespace in output; "" for the current one */
};

/*
 * Enter the namespace /run/netns/NAME (name != NULL) or /proc/PID/ns/net (pid > 0);
 * with neither, stay where we are. The calling thread's netlink sockets, /proc/net
 * and /proc/sys/net then belong to that namespace.
 * Returns 0, -ENOENT when the namespace does not exist, -EPERM without
 * CAP_SYS_ADMIN, or another -errno; e says which.
 */
int pp_netns_enter(struct pp_netns *ns, const char *name, pid_t pid, struct pp_err *e);
/* Return to the namespace we came from. Returns 0 or -errno. */
int pp_netns_leave(struct pp_netns *ns);

/* Inode of the current thread's network namespace, 0 on error. */
unsigned long pp_netns_inode(void);

#endif
