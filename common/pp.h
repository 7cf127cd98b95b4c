/* pp.h: what every part of pktpath shares: exit codes, station status, the error record. */
#ifndef PP_H
#define PP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <netinet/in.h>

/* Exit status, as in the contract. */
enum {
	PP_EXIT_OK = 0,		/* ran, found nothing wrong */
	PP_EXIT_PROBLEM = 1,	/* ran, found a problem */
	PP_EXIT_USAGE = 2,	/* bad option or input; the message names it */
	PP_EXIT_UNKNOWN = 3,	/* a check the answer depends on could not run */
	PP_EXIT_HELP = 100,	/* internal: --help or --version was handled, exit 0 */
};

/* Status of a station or of a verdict, in the order used to pick the verdict. */
enum pp_status {
	PP_ST_OK = 0,
	PP_ST_WARN,
	PP_ST_FAIL,
	PP_ST_UNKNOWN,
	PP_ST_SKIPPED,
};
const char *pp_status_name(enum pp_status st);

/*
 * The error record common/ fills instead of printing: the errno, what was being
 * done, and the kernel's extended-ack message when it sent one.
 */
struct pp_err {
	int code;		/* positive errno, 0 when no error */
	char what[128];		/* "RTM_GETROUTE 203.0.113.10" */
	char ext[256];		/* kernel extack message, may be empty */
};
void pp_err_set(struct pp_err *e, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* "what: strerror (kernel: ext)" into buf; returns buf. */
const char *pp_err_str(const struct pp_err *e, char *buf, size_t len);
/* The capability or fix an errno most likely means ("needs CAP_NET_ADMIN"), or NULL. */
const char *pp_errno_needs(int code);

/* An IPv4 or IPv6 address with its family. */
struct pp_addr {
	int family;		/* AF_INET, AF_INET6, or 0 for none */
	union {
		struct in_addr v4;
		struct in6_addr v6;
		uint8_t b[16];
	} u;
};
static inline size_t pp_addr_len(const struct pp_addr *a)
{
	return a->family == AF_INET ? 4 : a->family == AF_INET6 ? 16 : 0;
}
bool pp_addr_eq(const struct pp_addr *a, const struct pp_addr *b);
/* true when the first plen bits of a and p agree (same family required). */
bool pp_addr_in_prefix(const struct pp_addr *a, const struct pp_addr *p, unsigned plen);
/* Text form into buf (INET6_ADDRSTRLEN or more); "" for family 0. */
const char *pp_addr_str(const struct pp_addr *a, char *buf, size_t len);
bool pp_addr_set(struct pp_addr *a, int family, const void *raw, size_t len);
struct sockaddr_storage;
/* a and port (host order) as a sockaddr_in or sockaddr_in6 in ss; returns its length. */
unsigned pp_addr_sockaddr(const struct pp_addr *a, uint16_t port, struct sockaddr_storage *ss);

#define PP_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

#endif
