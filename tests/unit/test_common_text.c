/* test_common_text.c: control bytes from outside made safe for a terminal (common/text.c). */
#include <string.h>

#include "../../common/text.h"
#include "tap.h"

static void
test_plain_unchanged(void)
{
	char buf[64];
	const char *s = "eth0 203.0.113.2 a\\b\ttab";

	CHECK(!pp_text_has_control(s));
	CHECK(pp_text_safe(s, buf, sizeof(buf)) == s);	/* no copy, backslash kept as is */
	CHECK(pp_text_safe(NULL, buf, sizeof(buf)) == NULL);
	CHECK_STR(pp_text_safe("", buf, sizeof(buf)), "");
}

static void
test_control_escaped(void)
{
	char buf[64];

	CHECK_STR(pp_text_safe("a\033]0;evil\007b", buf, sizeof(buf)), "a\\x1b]0;evil\\x07b");
	CHECK_STR(pp_text_safe("x\ny\rz\177", buf, sizeof(buf)), "x\\x0ay\\x0dz\\x7f");
	/* with a control byte present, a backslash is escaped too: "\x1b" typed cannot pass for one */
	CHECK_STR(pp_text_safe("\\x1b\033", buf, sizeof(buf)), "\\x5cx1b\\x1b");
	/* bytes above 0x7f (UTF-8) pass */
	CHECK_STR(pp_text_safe("\303\251\033", buf, sizeof(buf)), "\303\251\\x1b");
}

static void
test_cut_at_len(void)
{
	char buf[8];

	/* never a partial escape, always terminated */
	CHECK_STR(pp_text_safe("ab\033\033\033", buf, sizeof(buf)), "ab\\x1b");
	CHECK_STR(pp_text_safe("abcdefghij\033", buf, sizeof(buf)), "abcdefg");
	CHECK(pp_text_safe("\033", buf, 0) != NULL);	/* len 0: nothing written, s back */
}

int
main(void)
{
	RUN(test_plain_unchanged);
	RUN(test_control_escaped);
	RUN(test_cut_at_len);
	return tap_done();
}
