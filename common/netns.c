/* netns.c: setns() into a network namespace by name or by pid, and back. */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/net_namespace.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "netns.h"
#include "nl.h"
#include "snap.h"

int
pp_netns_enter(struct pp_netns *ns, const char *name, pid_t pid, struct pp_err *e)
{
	char path[128];
	int fd, err;

	ns->orig_fd = -1;
	ns->name[0] = '\0';
	ns->snap = false;
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
	if (pp_snap_replaying(pp_snap_active())) {
		if ((err = pp_snap_ns_enter(pp_snap_active(), ns->name, &ns->snap_prev, e)) < 0)
			return err;
		ns->snap = true;
		return 0;
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
	if (pp_snap_active())
		pp_snap_ns_entered(pp_snap_active(), ns->name);
	return 0;
}

int
pp_netns_leave(struct pp_netns *ns)
{
	int rc = 0;

	if (ns->snap) {
		pp_snap_ns_leave(pp_snap_active(), ns->snap_prev);
		ns->snap = false;
		return 0;
	}
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

const char *
pp_proc_net_path(const char *name, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", access("/proc/thread-self/net", F_OK) == 0 ? "/proc/thread-self/net" : "/proc/net",
		 name);
	return buf;
}

int
pp_netns_enter_fd(struct pp_netns *ns, int fd, const char *name, struct pp_err *e)
{
	int err;

	ns->snap = false;
	snprintf(ns->name, sizeof(ns->name), "%s", name ? name : "");
	if (pp_snap_replaying(pp_snap_active())) {
		if ((err = pp_snap_ns_enter(pp_snap_active(), ns->name, &ns->snap_prev, e)) < 0)
			return err;
		ns->orig_fd = -1;
		ns->snap = true;
		return 0;
	}
	ns->orig_fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
	if (ns->orig_fd < 0) {
		err = errno;
		pp_err_set(e, err, "open /proc/thread-self/ns/net");
		return -err;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		err = errno;
		close(ns->orig_fd);
		ns->orig_fd = -1;
		pp_err_set(e, err, "setns netns %s", name ? name : "?");
		return -err;
	}
	if (pp_snap_active())
		pp_snap_ns_entered(pp_snap_active(), ns->name);
	return 0;
}

static const struct pp_attr_policy nsid_pol[NETNSA_MAX + 1] = {
	[NETNSA_NSID] = { PP_A_U32 },
};

int
pp_nsid_decode(const struct nlmsghdr *nlh, int32_t *nsid)
{
	const struct nlattr *tb[NETNSA_MAX + 1];

	if (nlh->nlmsg_type != RTM_NEWNSID || !pp_msg_hdr(nlh, sizeof(struct rtgenmsg)) ||
	    pp_attr_parse_msg(nlh, sizeof(struct rtgenmsg), nsid_pol, NETNSA_MAX, tb) < 0 || !tb[NETNSA_NSID])
		return -EBADMSG;
	*nsid = (int32_t)mnl_attr_get_u32(tb[NETNSA_NSID]);
	return *nsid < 0 ? -ENOENT : 0;	/* NETNSA_NSID_NOT_ASSIGNED */
}

struct nsid_ctx {
	int32_t nsid;
	int rc;
};

static int
nsid_cb(const struct nlmsghdr *nlh, void *data)
{
	struct nsid_ctx *c = data;

	c->rc = pp_nsid_decode(nlh, &c->nsid);
	return 0;
}

int
pp_nsid_of_fd(struct pp_nl *nl, int fd, int32_t *nsid, struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct rtgenmsg *g;
	struct nsid_ctx c = { -1, -ENODATA };
	int rc;

	nlh->nlmsg_type = RTM_GETNSID;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->rtgen_family = AF_UNSPEC;
	mnl_attr_put_u32(nlh, NETNSA_FD, (uint32_t)fd);
	if ((rc = pp_nl_request(nl, nlh, nsid_cb, &c, e)) < 0)
		return rc;
	if (c.rc < 0) {
		if (c.rc != -ENOENT)
			pp_err_set(e, -c.rc, "RTM_GETNSID: a reply without an id");
		return c.rc;
	}
	*nsid = c.nsid;
	return 0;
}

static unsigned long
inode_of_fd(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 ? (unsigned long)st.st_ino : 0;
}

/* Is fd's namespace the one nl calls nsid? 1 yes (ref filled, fd kept), 0 no (fd closed). */
static int
try_fd(struct pp_nl *nl, int fd, int32_t nsid, const char *name, struct pp_netns_ref *ref)
{
	struct pp_err e = { 0 };
	int32_t id;

	if (pp_nsid_of_fd(nl, fd, &id, &e) == 0 && id == nsid) {
		ref->fd = fd;
		ref->inode = inode_of_fd(fd);
		snprintf(ref->name, sizeof(ref->name), "%s", name);
		return 1;
	}
	close(fd);
	return 0;
}

static int by_id(struct pp_nl *nl, int32_t nsid, struct pp_netns_ref *ref, struct pp_err *e);

/* With a snapshot installed, the answer is a fact of it: recorded, or replayed by name. */
int
pp_netns_by_id(struct pp_nl *nl, int32_t nsid, struct pp_netns_ref *ref, struct pp_err *e)
{
	char path[32];
	int found;

	ref->fd = -1;
	ref->name[0] = '\0';
	snprintf(path, sizeof(path), "nsid %d", (int)nsid);
	if (pp_snap_replaying(pp_snap_active())) {
		/*
		 * The namespace the recording found for this id, entered by name: the fd is a
		 * stand-in (/dev/null) that callers hold and close as they would the real one.
		 */
		int rc = pp_snap_fact_get(pp_snap_active(), path, ref->name, sizeof(ref->name));

		ref->inode = 0;
		if (rc < 0) {
			pp_err_set(e, rc == -ENODATA ? ENODATA : -rc, "%s namespace with netns id %d",
				   rc == -ENODATA ? "the snapshot holds no" : "no", (int)nsid);
			return rc;
		}
		if ((ref->fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) < 0) {
			pp_err_set(e, errno, "open /dev/null");
			return -errno;
		}
		return 0;
	}
	found = by_id(nl, nsid, ref, e);
	if (pp_snap_active())
		pp_snap_fact_record(pp_snap_active(), path, found < 0 ? found : 0, found < 0 ? NULL : ref->name);
	return found;
}

static int
by_id(struct pp_nl *nl, int32_t nsid, struct pp_netns_ref *ref, struct pp_err *e)
{
	unsigned long host = 0, *seen = NULL;
	size_t nseen = 0, cap = 0;
	struct dirent *d;
	char path[300];
	DIR *dir;
	int fd, found = 0;

	if ((dir = opendir("/run/netns")) != NULL) {
		while (!found && (d = readdir(dir)) != NULL) {
			if (d->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "/run/netns/%s", d->d_name);
			if ((fd = open(path, O_RDONLY | O_CLOEXEC)) >= 0)
				found = try_fd(nl, fd, nsid, d->d_name, ref);
		}
		closedir(dir);
	}
	if (found)
		return 0;
	if ((fd = open("/proc/1/ns/net", O_RDONLY | O_CLOEXEC)) >= 0) {
		host = inode_of_fd(fd);
		if (try_fd(nl, fd, nsid, "host", ref))
			return 0;
	}
	/* Every process's namespace, each asked once. */
	if ((dir = opendir("/proc")) == NULL) {
		pp_err_set(e, errno, "opendir /proc");
		return -errno;
	}
	while (!found && (d = readdir(dir)) != NULL) {
		unsigned long ino;
		bool dup = false;

		if (!isdigit((unsigned char)d->d_name[0]))
			continue;
		snprintf(path, sizeof(path), "/proc/%s/ns/net", d->d_name);
		if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
			continue;
		ino = inode_of_fd(fd);
		for (size_t i = 0; i < nseen && !dup; i++)
			dup = seen[i] == ino;
		if (dup || ino == host) {
			close(fd);
			continue;
		}
		if (nseen == cap) {
			unsigned long *n = realloc(seen, (cap ? cap * 2 : 64) * sizeof(*seen));

			if (!n) {
				close(fd);
				break;
			}
			seen = n;
			cap = cap ? cap * 2 : 64;
		}
		seen[nseen++] = ino;
		snprintf(path, sizeof(path), "pid:%s", d->d_name);
		found = try_fd(nl, fd, nsid, path, ref);
	}
	closedir(dir);
	free(seen);
	if (found)
		return 0;
	pp_err_set(e, ENOENT, "no namespace this process can open has netns id %d", (int)nsid);
	return -ENOENT;
}
