/* parse.c: checked parsers for numbers, addresses and destinations. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "parse.h"

int
pp_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || !isdigit((unsigned char)s[0]))
		return -EINVAL;
	errno = 0;
	/* Hex with 0x, else decimal: never octal, so "010" is ten. */
	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
		/* strtoull(base 16) would take a second "0x" ("0x0x10"): refuse it here. */
		if (!isxdigit((unsigned char)s[2]) || (s[2] == '0' && (s[3] == 'x' || s[3] == 'X')))
			return -EINVAL;
		v = strtoull(s + 2, &end, 16);
	} else {
		v = strtoull(s, &end, 10);
	}
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end != '\0')
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int
pp_parse_u32(const char *s, uint32_t max, uint32_t *out)
{
	uint64_t v;
	int rc = pp_parse_u64(s, max, &v);

	if (rc == 0)
		*out = (uint32_t)v;
	return rc;
}

int
pp_parse_u32_mask(const char *s, uint32_t *val, uint32_t *mask)
{
	char buf[64];
	char *slash;
	int rc;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	slash = strchr(buf, '/');
	*mask = UINT32_MAX;
	if (slash) {
		*slash = '\0';
		if ((rc = pp_parse_u32(slash + 1, UINT32_MAX, mask)) < 0)
			return rc;
	}
	return pp_parse_u32(buf, UINT32_MAX, val);
}

/* A finite decimal number, no sign, no trailing junk, at most max; zero only with allow_zero. */
static int
parse_number(const char *s, double max, bool allow_zero, double *out)
{
	char *end;
	double v;

	if (!s || !*s || !(isdigit((unsigned char)s[0]) || s[0] == '.'))
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end != '\0' || !isfinite(v) || v < 0 || (v == 0 && !allow_zero))
		return -EINVAL;
	if (v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int
pp_parse_seconds(const char *s, double max, double *out)
{
	return parse_number(s, max, false, out);
}

int
pp_parse_rate(const char *s, double max, double *out)
{
	return parse_number(s, max, true, out);
}

int
pp_parse_addr(const char *s, int family, struct pp_addr *out)
{
	memset(out, 0, sizeof(*out));
	if ((family == 0 || family == AF_INET) && inet_pton(AF_INET, s, &out->u.v4) == 1) {
		out->family = AF_INET;
		return 0;
	}
	if ((family == 0 || family == AF_INET6) && inet_pton(AF_INET6, s, &out->u.v6) == 1) {
		out->family = AF_INET6;
		return 0;
	}
	return -EINVAL;
}

int
pp_parse_prefix(const char *s, struct pp_addr *out, unsigned *plen)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash;
	uint32_t len = 0;

	if (!s || strlen(s) >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, strlen(s) + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (pp_parse_addr(buf, 0, out) < 0)
		return -EINVAL;
	if (!slash) {
		*plen = (unsigned)pp_addr_len(out) * 8;
		return 0;
	}
	if (pp_parse_u32(slash + 1, (uint32_t)pp_addr_len(out) * 8, &len) < 0)
		return -EINVAL;
	*plen = len;
	return 0;
}

static int
parse_port(const char *p, uint16_t *port, const char **why)
{
	uint32_t v = 0;

	if (pp_parse_u32(p, 65535, &v) < 0 || v == 0 || p[0] == '0') {
		*why = "port must be a number from 1 to 65535";
		return -EINVAL;
	}
	*port = (uint16_t)v;
	return 0;
}

int
pp_parse_dest(const char *s, char *host, size_t hostlen, uint16_t *port, bool *has_port,
	      const char **why)
{
	const char *colon, *end;
	size_t n;

	*has_port = false;
	*why = "empty destination";
	if (!s || !*s)
		return -EINVAL;
	if (s[0] == '[') {
		end = strchr(s, ']');
		if (!end) {
			*why = "missing ']' after an IPv6 address";
			return -EINVAL;
		}
		n = (size_t)(end - s - 1);
		if (n == 0 || n >= hostlen) {
			*why = "bad address between [ ]";
			return -EINVAL;
		}
		memcpy(host, s + 1, n);
		host[n] = '\0';
		if (end[1] == '\0')
			return 0;
		if (end[1] != ':') {
			*why = "expected :PORT after ']'";
			return -EINVAL;
		}
		if (parse_port(end + 2, port, why) < 0)
			return -EINVAL;
		*has_port = true;
		return 0;
	}
	colon = strchr(s, ':');
	if (colon && strchr(colon + 1, ':')) {
		/* Two or more colons and no brackets: a bare IPv6 address, no port. */
		if (strlen(s) >= hostlen) {
			*why = "destination too long";
			return -EINVAL;
		}
		memcpy(host, s, strlen(s) + 1);
		return 0;
	}
	n = colon ? (size_t)(colon - s) : strlen(s);
	if (n == 0 || n >= hostlen) {
		*why = n ? "destination too long" : "missing host before ':'";
		return -EINVAL;
	}
	memcpy(host, s, n);
	host[n] = '\0';
	if (colon) {
		if (parse_port(colon + 1, port, why) < 0)
			return -EINVAL;
		*has_port = true;
	}
	return 0;
}
