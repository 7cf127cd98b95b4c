/* sysctl.h: reading /proc/sys and /proc/net as the calling thread's network namespace sees them. */
#ifndef PP_SYSCTL_H
#define PP_SYSCTL_H

#include "pp.h"

/* Read /proc/sys/<key> ("net/ipv4/ip_forward") as an integer. Returns 0 or -errno. */
int pp_sysctl_get(const char *key, long long *out);
/* Read a whole small file into buf (NUL-terminated). Returns bytes read or -errno. */
ssize_t pp_read_file(const char *path, char *buf, size_t len);

#endif
