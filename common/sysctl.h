/* sysctl.h: reading /proc/sys and /proc/net as the calling thread's network namespace sees them. */
#ifndef PP_SYSCTL_H
#define PP_SYSCTL_H

#include "pp.h"

/* Read /proc/sys/<key> ("net/ipv4/ip_forward") as an integer. Returns 0 or -errno. */
int pp_sysctl_get(const char *key, long long *out);
/* Read a whole small file into buf (NUL-terminated). Returns bytes read or -errno. */
ssize_t pp_read_file(const char *path, char *buf, size_t len);

/*
 * A whole file of any size (up to max bytes) into a malloc'd NUL-terminated
 * buffer, *out; the caller frees it. Returns its length, -EFBIG past max, -errno.
 */
int pp_slurp_fd(int fd, char **out, size_t max);
int pp_slurp(const char *path, char **out, size_t max);

#endif
