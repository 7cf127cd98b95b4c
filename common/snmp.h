/*
 * snmp.h: the namespace's SNMP and nstat counters, read as nstat(8) reads them.
 * /proc/net/snmp and /proc/net/netstat hold pairs of lines per protocol, a header
 * ("Tcp: RtoAlgorithm RtoMin ...") and its values ("Tcp: 1 200 ..."); the names
 * become the prefix joined to the column: TcpRtoMin, TcpExtListenOverflows,
 * IpExtInNoRoutes. /proc/net/snmp6 holds one "Ip6InReceives 123" per line.
 */
#ifndef PP_SNMP_H
#define PP_SNMP_H

#include "pp.h"

struct pp_snmp {
	struct pp_snmp_ent {
		char name[64];
		uint64_t value;
	} *v;		/* allocated, in the order read; pp_snmp_free() */
	size_t n;
};

/*
 * Read /proc/thread-self/net/{snmp,netstat,snmp6} (/proc/net/ when thread-self is
 * missing), the calling thread's namespace. A missing file is skipped (snmp6 is
 * absent when IPv6 is off). s is overwritten, not freed: pass a zeroed struct or
 * one pp_snmp_free() emptied. Returns 0 or -errno; on failure s is empty.
 */
int pp_snmp_read(struct pp_snmp *s);

/*
 * Parse one file's text (NUL-terminated) and append its counters to s. kind 0:
 * pairs format (snmp, netstat); kind 1: snmp6 format. A name already in s gets
 * the new value. Lines that do not parse are skipped, never fatal: a value line
 * without its header (or with another prefix), a value that is not a number or
 * does not fit 64 bits, a name of 64 bytes or more; when a header and its value
 * line differ in length the columns they share are kept. A negative value (the
 * gauge TcpMaxConn is -1 when there is no limit) is stored as the two's
 * complement, (uint64_t)(int64_t)v: -1 reads as UINT64_MAX.
 * Returns 0, -EINVAL for an unknown kind, or -ENOMEM.
 */
int pp_snmp_parse(struct pp_snmp *s, const char *text, int kind);

/* The value of counter name; false when s does not have it. */
bool pp_snmp_get(const struct pp_snmp *s, const char *name, uint64_t *out);

/*
 * How much counter name grew from before to after: 0 when either lacks it. The
 * counters are 64-bit (the kernel prints unsigned long), so a decrease is not a
 * wrap but a reset (a namespace made anew): the delta is then after's value.
 * Meant for counters; for gauges (TcpCurrEstab) read the values themselves.
 */
uint64_t pp_snmp_delta(const struct pp_snmp *before, const struct pp_snmp *after,
		       const char *name);

/* Free what s holds and leave it empty (safe on an empty struct). */
void pp_snmp_free(struct pp_snmp *s);

#endif
