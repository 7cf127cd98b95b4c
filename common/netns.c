/* netns.c: setns() into a network namespace by name or by pid, and back. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netns.h"

int
pp_netns_enter(struct pp_netns *ns, const char *name, pid_t pid, struct pp_err *e)
{
	char path[128];
	int fd, err;

	ns->orig_fd = -1;
	ns->name[0] = '\0';
	if (!name && pid <= 0)
		return 0;
	if (name) {
		/* A name is one path element, as ip-netns(8) creates them. */
		if (!name[0] || strchr(name, '/') || strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			pp_err_set(e, EINVAL, "netns %s: not a namespace name", name);
			return -EINVAL;
		}
		snprintf(path, sizeof(path), "/run/netns/%s", name);
		snprintf(ns->name, sizeof(ns->name), "%s", name);
	} else {
		snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
		snprintf(ns->name, sizeof(ns->name), "pid:%d", (int)pid);
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		if (name)
			pp_err_set(e, err, "netns %s (%s)", name, path);
		else
			pp_err_set(e, err, "netns of pid %d (%s)", (int)pid, path);
		return -err;
	}
	ns->orig_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns->orig_fd < 0) {
		err = errno;
		close(fd);
		pp_err_set(e, err, "open /proc/thread-self/ns/net");
		return -err;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		err = errno;
		close(fd);
		close(ns->orig_fd);
		ns->orig_fd = -1;
		/* EINVAL here means the file is not a network namespace. */
		pp_err_set(e, err, "setns %s", path);
		return -err;
	}
	close(fd);
	return 0;
}

int
pp_netns_leave(struct pp_netns *ns)
{
	int rc = 0;

	if (ns->orig_fd < 0)
		return 0;
	if (setns(ns->orig_fd, CLONE_NEWNET) < 0)
		rc = -errno;
	close(ns->orig_fd);
	ns->orig_fd = -1;
	return rc;
}

unsigned long
pp_netns_inode(void)
{
	struct stat st;

	if (stat("/proc/thread-self/ns/net", &st) < 0)
		return 0;
	return (unsigned long)st.st_ino;
}
