/* test_common_parse.c: checked parsing of numbers, addresses, prefixes and DEST[:PORT] (parse.c). */
#include <arpa/inet.h>

#include "parse.h"
#include "test_common_msg.h"

static void
test_parse_u64(void)
{
	uint64_t v = 0;

	CHECK_EQ_INT(pp_parse_u64("0", UINT64_MAX, &v), 0);
	CHECK(v == 0);
	CHECK_EQ_INT(pp_parse_u64("42", UINT64_MAX, &v), 0);
	CHECK(v == 42);
	CHECK_EQ_INT(pp_parse_u64("010", UINT64_MAX, &v), 0);	/* never octal */
	CHECK(v == 10);
	CHECK_EQ_INT(pp_parse_u64("0x10", UINT64_MAX, &v), 0);
	CHECK(v == 16);
	CHECK_EQ_INT(pp_parse_u64("0XfF", UINT64_MAX, &v), 0);
	CHECK(v == 255);
	CHECK_EQ_INT(pp_parse_u64("0x0", UINT64_MAX, &v), 0);
	CHECK(v == 0);
	CHECK_EQ_INT(pp_parse_u64("18446744073709551615", UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);
	CHECK_EQ_INT(pp_parse_u64("0xffffffffffffffff", UINT64_MAX, &v), 0);
	CHECK(v == UINT64_MAX);

	v = 7;
	CHECK_EQ_INT(pp_parse_u64("", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64(NULL, UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("-1", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("+1", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64(" 1", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("1 ", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("1x", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("0x", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("0xg", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("0x-1", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("0x 1", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("0x0x10", UINT64_MAX, &v), -EINVAL);	/* one prefix only */
	CHECK_EQ_INT(pp_parse_u64("0X0X10", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("1.5", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("abc", UINT64_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u64("18446744073709551616", UINT64_MAX, &v), -ERANGE);
	CHECK_EQ_INT(pp_parse_u64("0x10000000000000000", UINT64_MAX, &v), -ERANGE);
	CHECK_EQ_INT(pp_parse_u64("99999999999999999999999", UINT64_MAX, &v), -ERANGE);
	CHECK_EQ_INT(pp_parse_u64("101", 100, &v), -ERANGE);
	CHECK(v == 7);	/* untouched on error */
	CHECK_EQ_INT(pp_parse_u64("100", 100, &v), 0);
	CHECK(v == 100);
}

static void
test_parse_u32(void)
{
	uint32_t v = 0, mask = 0;

	CHECK_EQ_INT(pp_parse_u32("4294967295", UINT32_MAX, &v), 0);
	CHECK(v == UINT32_MAX);
	CHECK_EQ_INT(pp_parse_u32("4294967296", UINT32_MAX, &v), -ERANGE);
	CHECK_EQ_INT(pp_parse_u32("0x100000000", UINT32_MAX, &v), -ERANGE);
	CHECK_EQ_INT(pp_parse_u32("010", UINT32_MAX, &v), 0);
	CHECK_EQ_INT(v, 10);
	CHECK_EQ_INT(pp_parse_u32("-1", UINT32_MAX, &v), -EINVAL);
	CHECK_EQ_INT(pp_parse_u32("65536", 65535, &v), -ERANGE);

	CHECK_EQ_INT(pp_parse_u32_mask("0xff/0xff00", &v, &mask), 0);
	CHECK_EQ_INT(v, 0xff);
	CHECK_EQ_INT(mask, 0xff00);
	CHECK_EQ_INT(pp_parse_u32_mask("42", &v, &mask), 0);
	CHECK_EQ_INT(v, 42);
	CHECK(mask == UINT32_MAX);
	CHECK_EQ_INT(pp_parse_u32_mask("1/", &v, &mask), -EINVAL);
	CHECK_EQ_INT(pp_parse_u32_mask("/1", &v, &mask), -EINVAL);
	CHECK_EQ_INT(pp_parse_u32_mask("1/2/3", &v, &mask), -EINVAL);
	CHECK_EQ_INT(pp_parse_u32_mask("1/0x100000000", &v, &mask), -ERANGE);
	CHECK_EQ_INT(pp_parse_u32_mask("", &v, &mask), -EINVAL);
	{
		char longs[100];

		memset(longs, '1', sizeof(longs) - 1);
		longs[sizeof(longs) - 1] = '\0';
		CHECK_EQ_INT(pp_parse_u32_mask(longs, &v, &mask), -EINVAL);
	}
}

static void
test_parse_seconds(void)
{
	double d = 0;

	CHECK_EQ_INT(pp_parse_seconds("0.5", 60, &d), 0);
	CHECK(d == 0.5);
	CHECK_EQ_INT(pp_parse_seconds(".25", 60, &d), 0);
	CHECK(d == 0.25);
	CHECK_EQ_INT(pp_parse_seconds("10", 60, &d), 0);
	CHECK(d == 10);
	CHECK_EQ_INT(pp_parse_seconds("0", 60, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_seconds("-1", 60, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_seconds("", 60, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_seconds("abc", 60, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_seconds("inf", 1e9, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_seconds("nan", 1e9, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_seconds("1s", 60, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_seconds("1e999", 1e308, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_seconds("61", 60, &d), -ERANGE);
	/* a rate may be zero */
	CHECK_EQ_INT(pp_parse_rate("0", 60, &d), 0);
	CHECK(d == 0);
	CHECK_EQ_INT(pp_parse_rate("0.0", 60, &d), 0);
	CHECK_EQ_INT(pp_parse_rate("2.5", 60, &d), 0);
	CHECK(d == 2.5);
	CHECK_EQ_INT(pp_parse_rate("-0", 60, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_rate("-1", 60, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_rate("x", 60, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_rate("", 60, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_rate("nan", 60, &d), -EINVAL);
	CHECK_EQ_INT(pp_parse_rate("61", 60, &d), -ERANGE);
}

static void
test_parse_addr_prefix(void)
{
	struct pp_addr a;
	unsigned plen = 99;
	char s[INET6_ADDRSTRLEN];

	CHECK_EQ_INT(pp_parse_addr("203.0.113.1", 0, &a), 0);
	CHECK_EQ_INT(a.family, AF_INET);
	CHECK_EQ_INT(pp_parse_addr("2001:db8::1", 0, &a), 0);
	CHECK_EQ_INT(a.family, AF_INET6);
	CHECK_EQ_INT(pp_parse_addr("2001:db8::1", AF_INET, &a), -EINVAL);
	CHECK_EQ_INT(pp_parse_addr("203.0.113.1", AF_INET6, &a), -EINVAL);
	CHECK_EQ_INT(pp_parse_addr("example.com", 0, &a), -EINVAL);
	CHECK_EQ_INT(pp_parse_addr("203.0.113.256", 0, &a), -EINVAL);
	CHECK_EQ_INT(pp_parse_addr("", 0, &a), -EINVAL);
	CHECK_EQ_INT(a.family, 0);

	CHECK_EQ_INT(pp_parse_prefix("203.0.113.0/24", &a, &plen), 0);
	CHECK_EQ_INT(plen, 24);
	CHECK_STR(pp_addr_str(&a, s, sizeof(s)), "203.0.113.0");
	CHECK_EQ_INT(pp_parse_prefix("203.0.113.7", &a, &plen), 0);
	CHECK_EQ_INT(plen, 32);
	CHECK_EQ_INT(pp_parse_prefix("0.0.0.0/0", &a, &plen), 0);
	CHECK_EQ_INT(plen, 0);
	CHECK_EQ_INT(pp_parse_prefix("2001:db8::/32", &a, &plen), 0);
	CHECK_EQ_INT(plen, 32);
	CHECK_EQ_INT(a.family, AF_INET6);
	CHECK_EQ_INT(pp_parse_prefix("2001:db8::1", &a, &plen), 0);
	CHECK_EQ_INT(plen, 128);
	CHECK_EQ_INT(pp_parse_prefix("2001:db8::/128", &a, &plen), 0);
	CHECK_EQ_INT(pp_parse_prefix("2001:db8::/129", &a, &plen), -EINVAL);
	CHECK_EQ_INT(pp_parse_prefix("203.0.113.0/33", &a, &plen), -EINVAL);
	CHECK_EQ_INT(pp_parse_prefix("203.0.113.0/", &a, &plen), -EINVAL);
	CHECK_EQ_INT(pp_parse_prefix("203.0.113.0/-1", &a, &plen), -EINVAL);
	CHECK_EQ_INT(pp_parse_prefix("203.0.113.0/24x", &a, &plen), -EINVAL);
	CHECK_EQ_INT(pp_parse_prefix("203.0.113.0/24/1", &a, &plen), -EINVAL);
	CHECK_EQ_INT(pp_parse_prefix("/24", &a, &plen), -EINVAL);
	CHECK_EQ_INT(pp_parse_prefix("host/24", &a, &plen), -EINVAL);
	CHECK_EQ_INT(pp_parse_prefix("", &a, &plen), -EINVAL);
	CHECK_EQ_INT(pp_parse_prefix(NULL, &a, &plen), -EINVAL);
	{
		char longs[200];

		memset(longs, '1', sizeof(longs) - 1);
		longs[sizeof(longs) - 1] = '\0';
		CHECK_EQ_INT(pp_parse_prefix(longs, &a, &plen), -EINVAL);
	}
}

struct dest_case {
	const char *in;
	int rc;
	const char *host;
	bool has_port;
	uint16_t port;
};

static void
test_parse_dest(void)
{
	static const struct dest_case cases[] = {
		{ "203.0.113.1", 0, "203.0.113.1", false, 0 },
		{ "203.0.113.1:443", 0, "203.0.113.1", true, 443 },
		{ "[2001:db8::1]:443", 0, "2001:db8::1", true, 443 },
		{ "[2001:db8::1]", 0, "2001:db8::1", false, 0 },
		{ "2001:db8::1", 0, "2001:db8::1", false, 0 },
		{ "::1", 0, "::1", false, 0 },
		{ "host", 0, "host", false, 0 },
		{ "host:80", 0, "host", true, 80 },
		{ "host:65535", 0, "host", true, 65535 },
		{ "x:0", -EINVAL, NULL, false, 0 },
		{ "x:65536", -EINVAL, NULL, false, 0 },
		{ "x:abc", -EINVAL, NULL, false, 0 },
		{ "x:", -EINVAL, NULL, false, 0 },
		{ "x:-1", -EINVAL, NULL, false, 0 },
		{ "x:080", -EINVAL, NULL, false, 0 },
		{ "x:0x50", -EINVAL, NULL, false, 0 },
		{ ":80", -EINVAL, NULL, false, 0 },
		{ "[2001:db8::1", -EINVAL, NULL, false, 0 },
		{ "[::1]x", -EINVAL, NULL, false, 0 },
		{ "[::1]:", -EINVAL, NULL, false, 0 },
		{ "[::1]:99999", -EINVAL, NULL, false, 0 },
		{ "[]:80", -EINVAL, NULL, false, 0 },
		{ "", -EINVAL, NULL, false, 0 },
	};

	for (size_t i = 0; i < PP_ARRAY_SIZE(cases); i++) {
		const struct dest_case *c = &cases[i];
		char host[64] = "unset";
		uint16_t port = 0;
		bool has_port = true;
		const char *why = NULL;
		int rc = pp_parse_dest(c->in, host, sizeof(host), &port, &has_port, &why);

		if (rc != c->rc)
			printf("#   dest \"%s\": rc %d, expected %d\n", c->in, rc, c->rc);
		CHECK_EQ_INT(rc, c->rc);
		if (c->rc == 0) {
			CHECK_STR(host, c->host);
			CHECK_EQ_INT(has_port, c->has_port);
			if (c->has_port)
				CHECK_EQ_INT(port, c->port);
		} else {
			CHECK(why != NULL && why[0] != '\0');
		}
	}
	/* The host buffer is never overrun: too long is an error. */
	{
		char host[8];
		uint16_t port;
		bool has_port;
		const char *why;

		CHECK_EQ_INT(pp_parse_dest("averylonghostname", host, sizeof(host), &port, &has_port, &why), -EINVAL);
		CHECK_EQ_INT(pp_parse_dest("averylonghostname:80", host, sizeof(host), &port, &has_port, &why), -EINVAL);
		CHECK_EQ_INT(pp_parse_dest("[2001:db8::1]:80", host, sizeof(host), &port, &has_port, &why), -EINVAL);
		CHECK_EQ_INT(pp_parse_dest("2001:db8::1", host, sizeof(host), &port, &has_port, &why), -EINVAL);
		CHECK_EQ_INT(pp_parse_dest("1234567", host, sizeof(host), &port, &has_port, &why), 0);
		CHECK_STR(host, "1234567");
	}
}

int
main(void)
{
	RUN(test_parse_u64);
	RUN(test_parse_u32);
	RUN(test_parse_seconds);
	RUN(test_parse_addr_prefix);
	RUN(test_parse_dest);
	return tap_done();
}
