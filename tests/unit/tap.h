/*
 * tap.h: the unit-test harness. A test is a function of CHECK()s; each test
 * prints one TAP line ("ok 3 - route: truncated attribute refused"); the runner
 * counts them. No root, no kernel: messages are built or recorded.
 */
#ifndef PP_TAP_H
#define PP_TAP_H

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed, tap_case_failed;

#define CHECK(cond)                                                                 \
	do {                                                                        \
		if (!(cond)) {                                                      \
			tap_case_failed++;                                          \
			fprintf(stdout, "#   %s:%d: CHECK(%s) failed\n", __FILE__,      \
				__LINE__, #cond);                                   \
		}                                                                   \
	} while (0)

#define CHECK_EQ_INT(a, b)                                                          \
	do {                                                                        \
		long long a_ = (long long)(a), b_ = (long long)(b);                 \
		if (a_ != b_) {                                                     \
			tap_case_failed++;                                          \
			fprintf(stdout, "#   %s:%d: %s == %lld, expected %lld\n",       \
				__FILE__, __LINE__, #a, a_, b_);                    \
		}                                                                   \
	} while (0)

#define CHECK_STR(a, b)                                                             \
	do {                                                                        \
		const char *a_ = (a), *b_ = (b);                                    \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                            \
			tap_case_failed++;                                          \
			fprintf(stdout, "#   %s:%d: %s == \"%s\", expected \"%s\"\n",   \
				__FILE__, __LINE__, #a, a_ ? a_ : "(null)",          \
				b_ ? b_ : "(null)");                                \
		}                                                                   \
	} while (0)

#define RUN(fn)                                                                     \
	do {                                                                        \
		tap_case_failed = 0;                                                \
		fn();                                                               \
		tap_n++;                                                            \
		if (tap_case_failed)                                                \
			tap_failed++;                                               \
		printf("%s %d - %s\n", tap_case_failed ? "not ok" : "ok", tap_n, #fn); \
		fflush(stdout);                                                     \
	} while (0)

static inline int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	return tap_failed ? 1 : 0;
}

#endif
