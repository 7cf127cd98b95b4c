/* text.c: control bytes from outside written as \xHH for a terminal (text.h). */
#include <stdio.h>

#include "text.h"

static bool
is_control(unsigned char c)
{
	return (c < 0x20 && c != '\t') || c == 0x7f;
}

bool
pp_text_has_control(const char *s)
{
	for (const unsigned char *p = (const unsigned char *)s; p && *p; p++)
		if (is_control(*p))
			return true;
	return false;
}

const char *
pp_text_safe(const char *s, char *buf, size_t len)
{
	size_t n = 0;

	if (!s || !pp_text_has_control(s) || len == 0)
		return s;
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (is_control(*p) || *p == '\\') {
			if (n + 4 >= len)
				break;
			n += (size_t)snprintf(buf + n, len - n, "\\x%02x", *p);
		} else {
			if (n + 1 >= len)
				break;
			buf[n++] = (char)*p;
		}
	}
	buf[n] = '\0';
	return buf;
}
