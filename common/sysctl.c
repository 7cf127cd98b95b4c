/* sysctl.c: /proc/sys readers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "snap.h"
#include "sysctl.h"

/*
 * With a snapshot installed, every file read here is recorded (its content or its
 * error) or answered from the snapshot: sysctls, /proc/net counters and tables.
 */
static ssize_t
read_live(const char *path, char *buf, size_t len)
{
	size_t off = 0;
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	while (off + 1 < len && (n = read(fd, buf + off, len - 1 - off)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			n = -errno;
			close(fd);
			return n;
		}
		off += (size_t)n;
	}
	buf[off] = '\0';
	close(fd);
	return (ssize_t)off;
}

ssize_t
pp_read_file(const char *path, char *buf, size_t len)
{
	struct pp_snap *s = pp_snap_active();
	char *text;
	ssize_t n;
	int rc;

	if (len == 0)
		return -EINVAL;
	if (pp_snap_replaying(s)) {
		if ((rc = pp_snap_file_get(s, path, &text)) < 0)
			return rc;
		n = rc < (int)len - 1 ? rc : (ssize_t)len - 1;
		memcpy(buf, text, (size_t)n);
		buf[n] = '\0';
		free(text);
		return n;
	}
	n = read_live(path, buf, len);
	/* A read cut at len is recorded as cut: the replay gives what the caller got. */
	if (s)
		pp_snap_file_record(s, path, n < 0 ? (int)n : 0, buf, n < 0 ? 0 : (size_t)n);
	return n;
}

int
pp_sysctl_get(const char *key, long long *out)
{
	char path[256], buf[64], *end;
	ssize_t n;
	long long v;

	snprintf(path, sizeof(path), "/proc/sys/%s", key);
	n = pp_read_file(path, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	errno = 0;
	v = strtoll(buf, &end, 10);
	if (errno || end == buf)
		return -EINVAL;
	*out = v;
	return 0;
}

int
pp_slurp_fd(int fd, char **out, size_t max)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb;

			if (cap >= max) {
				free(buf);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			int rc = -errno;

			if (errno == EINTR)
				continue;
			free(buf);
			return rc;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	return (int)len;
}

int
pp_slurp(const char *path, char **out, size_t max)
{
	struct pp_snap *s = pp_snap_active();
	int fd, rc;

	if (pp_snap_replaying(s))
		return pp_snap_file_get(s, path, out);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rc = -errno;
	} else {
		rc = pp_slurp_fd(fd, out, max);
		close(fd);
	}
	if (s)
		pp_snap_file_record(s, path, rc < 0 ? rc : 0, rc < 0 ? NULL : *out, rc < 0 ? 0 : (size_t)rc);
	return rc;
}
