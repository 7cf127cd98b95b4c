/* netns.h: run in a named or a process's network namespace, and come back. */
#ifndef PP_NETNS_H
#define PP_NETNS_H

#include <sys/types.h>
#include "pp.h"

/* Where we were before pp_netns_enter(); pass it to pp_netns_leave(). */
struct pp_netns {
	int orig_fd;		/* -1 when nothing was entered */
	char name[64];		/* what to call the namespace in output; "" for the current one */
	bool snap;		/* entered in a snapshot being replayed (common/snap.h): no setns */
	int snap_prev;		/* the snapshot namespace to go back to */
};

/*
 * Enter the namespace /run/netns/NAME (name != NULL) or /proc/PID/ns/net (pid > 0);
 * with neither, stay where we are. The calling thread's netlink sockets, /proc/net
 * and /proc/sys/net then belong to that namespace.
 * Returns 0, -ENOENT when the namespace does not exist, -EPERM without
 * CAP_SYS_ADMIN, or another -errno; e says which. With a snapshot installed, the
 * namespace is named to it: recorded as the one the next questions ran in, or, replaying,
 * entered in the snapshot only (-ENOENT when it holds no namespace of that name).
 */
int pp_netns_enter(struct pp_netns *ns, const char *name, pid_t pid, struct pp_err *e);
/* Return to the namespace we came from. Returns 0 or -errno. */
int pp_netns_leave(struct pp_netns *ns);

/* Inode of the current thread's network namespace, 0 on error. */
unsigned long pp_netns_inode(void);

/*
 * "/proc/thread-self/net/NAME" where the kernel has it, else "/proc/net/NAME", into buf:
 * /proc/net is the thread group leader's namespace, which differs from the calling
 * thread's after a setns() in another thread (pathcheck -f --follow).
 */
const char *pp_proc_net_path(const char *name, char *buf, size_t len);

/* Enter the namespace open at fd (any nsfs file), called name in output. As pp_netns_enter. */
int pp_netns_enter_fd(struct pp_netns *ns, int fd, const char *name, struct pp_err *e);

struct nlmsghdr;
struct pp_nl;
/* The NETNSA_NSID of an RTM_NEWNSID reply: 0, -ENOENT when the kernel has none assigned, -EBADMSG. */
int pp_nsid_decode(const struct nlmsghdr *nlh, int32_t *nsid);
/* The id the namespace of nl's socket gives the namespace open at fd (RTM_GETNSID). As above, or -errno. */
int pp_nsid_of_fd(struct pp_nl *nl, int fd, int32_t *nsid, struct pp_err *e);

/* A namespace found by the id another one knows it by. */
struct pp_netns_ref {
	int fd;			/* open, O_CLOEXEC; the caller closes it */
	unsigned long inode;
	char name[64];		/* its /run/netns name; "host" for the namespace of pid 1; else "pid:N" */
};
/*
 * The namespace that nl's namespace calls nsid (a device's IFLA_LINK_NETNSID): looked for
 * among /run/netns/ (so that a name ip-netns knows is the one given), then the namespaces
 * of running processes (a container's, the host's). Returns 0, -ENOENT when no namespace
 * this process can open has that id, or -errno; e says which.
 */
int pp_netns_by_id(struct pp_nl *nl, int32_t nsid, struct pp_netns_ref *ref, struct pp_err *e);

#endif
