/* err.c: the error record, status names, address helpers. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "pp.h"

const char *
pp_status_name(enum pp_status st)
{
	static const char *const names[] = {
		[PP_ST_OK] = "ok", [PP_ST_WARN] = "warn", [PP_ST_FAIL] = "fail",
		[PP_ST_UNKNOWN] = "unknown", [PP_ST_SKIPPED] = "skipped",
	};
	if ((unsigned)st >= PP_ARRAY_SIZE(names))
		return "unknown";
	return names[st];
}

void
pp_err_set(struct pp_err *e, int code, const char *fmt, ...)
{
	va_list ap;

	if (!e)
		return;
	e->code = code < 0 ? -code : code;
	va_start(ap, fmt);
	vsnprintf(e->what, sizeof(e->what), fmt, ap);
	va_end(ap);
}

const char *
pp_err_str(const struct pp_err *e, char *buf, size_t len)
{
	if (e->ext[0])
		snprintf(buf, len, "%s: %s (kernel: %s)", e->what, strerror(e->code), e->ext);
	else
		snprintf(buf, len, "%s: %s", e->what, strerror(e->code));
	return buf;
}

const char *
pp_errno_needs(int code)
{
	switch (code < 0 ? -code : code) {
	case EPERM:
	case EACCES:
		return "needs CAP_NET_ADMIN (run as root)";
	case EPROTONOSUPPORT:
	case EAFNOSUPPORT:
		return "needs kernel support (module not loaded?)";
	case EOPNOTSUPP:
		return "not supported by this kernel or device";
	default:
		return NULL;
	}
}

bool
pp_addr_eq(const struct pp_addr *a, const struct pp_addr *b)
{
	return a->family == b->family && memcmp(a->u.b, b->u.b, pp_addr_len(a)) == 0;
}

bool
pp_addr_in_prefix(const struct pp_addr *a, const struct pp_addr *p, unsigned plen)
{
	size_t max = pp_addr_len(p) * 8;
	unsigned full, rem;

	if (a->family != p->family || plen > max)
		return false;
	full = plen / 8;
	rem = plen % 8;
	if (memcmp(a->u.b, p->u.b, full) != 0)
		return false;
	if (rem) {
		uint8_t mask = (uint8_t)(0xff << (8 - rem));
		if ((a->u.b[full] & mask) != (p->u.b[full] & mask))
			return false;
	}
	return true;
}

const char *
pp_addr_str(const struct pp_addr *a, char *buf, size_t len)
{
	if (len)
		buf[0] = '\0';
	if (a->family == AF_INET || a->family == AF_INET6)
		inet_ntop(a->family, a->u.b, buf, (socklen_t)len);
	return buf;
}

bool
pp_addr_set(struct pp_addr *a, int family, const void *raw, size_t len)
{
	memset(a, 0, sizeof(*a));
	if ((family == AF_INET && len == 4) || (family == AF_INET6 && len == 16)) {
		a->family = family;
		memcpy(a->u.b, raw, len);
		return true;
	}
	return false;
}

unsigned
pp_addr_sockaddr(const struct pp_addr *a, uint16_t port, struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (a->family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(port);
		s6->sin6_addr = a->u.v6;
		return sizeof(*s6);
	}
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

	s4->sin_family = AF_INET;
	s4->sin_port = htons(port);
	s4->sin_addr = a->u.v4;
	return sizeof(*s4);
}
