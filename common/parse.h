/* parse.h: checked parsing of what users type. Every number from the command line goes through here. */
#ifndef PP_PARSE_H
#define PP_PARSE_H

#include "pp.h"

/* Decimal, or hex with 0x; no sign, no trailing junk, at most max. Returns 0 or -EINVAL / -ERANGE. */
int pp_parse_u64(const char *s, uint64_t max, uint64_t *out);
int pp_parse_u32(const char *s, uint32_t max, uint32_t *out);
/* "0xff/0xff00" or "42": value with an optional mask (mask defaults to all ones). */
int pp_parse_u32_mask(const char *s, uint32_t *val, uint32_t *mask);
/* A positive number of seconds, decimals allowed ("0.5"), at most max. */
int pp_parse_seconds(const char *s, double max, double *out);
/* A number per second >= 0 ("0", "0.5", "100"), decimals allowed, at most max. */
int pp_parse_rate(const char *s, double max, double *out);
/* A literal IPv4 or IPv6 address (no names); family 0 accepts either. */
int pp_parse_addr(const char *s, int family, struct pp_addr *out);
/* "ADDR/LEN" or "ADDR" (full length). */
int pp_parse_prefix(const char *s, struct pp_addr *out, unsigned *plen);

/*
 * Split DEST[:PORT]: "203.0.113.1", "203.0.113.1:443", "[2001:db8::1]:443", "2001:db8::1",
 * "host", "host:443". host gets the address or name without brackets.
 * Returns 0, or -EINVAL with why pointing at a static explanation.
 */
int pp_parse_dest(const char *s, char *host, size_t hostlen, uint16_t *port, bool *has_port,
		  const char **why);

#endif
