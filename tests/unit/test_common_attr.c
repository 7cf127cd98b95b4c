/* test_common_attr.c: policy-checked attribute parsing (attr.c) and the address/error helpers (err.c). */
#include <arpa/inet.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "parse.h"
#include "test_common_msg.h"

enum { T_U8 = 1, T_U16, T_U32, T_U64, T_ADDR, T_MIN, T_STR, T_NEST, T_ANY, T_MAX = T_ANY };

static const struct pp_attr_policy pol[T_MAX + 1] = {
	[T_U8] = { .kind = PP_A_U8 }, [T_U16] = { .kind = PP_A_U16 }, [T_U32] = { .kind = PP_A_U32 }, [T_U64] = { .kind = PP_A_U64 },
	[T_ADDR] = { .kind = PP_A_ADDR }, [T_MIN] = { .kind = PP_A_MIN, .min = 6 }, [T_STR] = { .kind = PP_A_STR },
	[T_NEST] = { .kind = PP_A_NEST }, [T_ANY] = { .kind = PP_A_UNSPEC },
};

static struct nlmsghdr *
start(struct tmsg *m)
{
	return tmsg_start(m, RTM_NEWROUTE, sizeof(struct rtmsg), NULL);
}

static int
parse_msg(const struct nlmsghdr *nlh, const struct nlattr **tb)
{
	struct nlmsghdr *c = tmsg_dup(nlh);
	int rc = pp_attr_parse_msg(c, sizeof(struct rtmsg), pol, T_MAX, tb);

	/* tb points into c: callers only test for NULL after this. */
	free(c);
	return rc;
}

/* One attribute of type with len bytes: accepted? */
static int
one(uint16_t type, size_t len)
{
	struct tmsg m;
	struct nlmsghdr *nlh = start(&m);
	const struct nlattr *tb[T_MAX + 1];
	char data[32];

	memset(data, 'a', sizeof(data));
	if (len)
		data[len - 1] = '\0';
	mnl_attr_put(nlh, type, len, data);
	return parse_msg(nlh, tb);
}

static void
test_attr_lengths(void)
{
	CHECK_EQ_INT(one(T_U8, 1), 0);
	CHECK_EQ_INT(one(T_U8, 0), -EBADMSG);
	CHECK_EQ_INT(one(T_U16, 2), 0);
	CHECK_EQ_INT(one(T_U16, 1), -EBADMSG);
	CHECK_EQ_INT(one(T_U32, 4), 0);
	CHECK_EQ_INT(one(T_U32, 2), -EBADMSG);
	CHECK_EQ_INT(one(T_U32, 3), -EBADMSG);
	CHECK_EQ_INT(one(T_U64, 8), 0);
	CHECK_EQ_INT(one(T_U64, 4), -EBADMSG);
	CHECK_EQ_INT(one(T_ADDR, 4), 0);
	CHECK_EQ_INT(one(T_ADDR, 16), 0);
	CHECK_EQ_INT(one(T_ADDR, 3), -EBADMSG);
	CHECK_EQ_INT(one(T_ADDR, 6), -EBADMSG);
	CHECK_EQ_INT(one(T_ADDR, 0), -EBADMSG);
	CHECK_EQ_INT(one(T_MIN, 6), 0);
	CHECK_EQ_INT(one(T_MIN, 20), 0);
	CHECK_EQ_INT(one(T_MIN, 5), -EBADMSG);
	CHECK_EQ_INT(one(T_STR, 1), 0);	/* "" */
	CHECK_EQ_INT(one(T_STR, 9), 0);
	CHECK_EQ_INT(one(T_STR, 0), -EBADMSG);
	CHECK_EQ_INT(one(T_ANY, 0), 0);
	CHECK_EQ_INT(one(T_ANY, 31), 0);
	CHECK_EQ_INT(one(T_NEST, 0), 0);
	/* Unknown types, inside and beyond the policy, are not checked. */
	CHECK_EQ_INT(one(0, 3), 0);
	CHECK_EQ_INT(one(T_MAX + 1, 1), 0);
	CHECK_EQ_INT(one(0x3fff, 0), 0);
	/* A string without its NUL. */
	{
		struct tmsg m;
		struct nlmsghdr *nlh = start(&m);
		const struct nlattr *tb[T_MAX + 1];

		mnl_attr_put(nlh, T_STR, 4, "abcd");
		CHECK_EQ_INT(parse_msg(nlh, tb), -EBADMSG);
	}
}

static void
test_attr_table(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = start(&m);
	const struct nlattr *tb[T_MAX + 1];
	struct nlmsghdr *c;
	struct nlattr *n;

	mnl_attr_put_u32(nlh, T_U32, 1);
	mnl_attr_put_u32(nlh, T_U32, 2);		/* a repeat: the last one wins */
	mnl_attr_put_u8(nlh, T_U8 | NLA_F_NET_BYTEORDER, 9);	/* flag bits masked */
	n = mnl_attr_nest_start(nlh, T_NEST);
	mnl_attr_put_u16(nlh, 1, 7);
	mnl_attr_nest_end(nlh, n);
	n->nla_type |= NLA_F_NESTED;
	mnl_attr_put_u32(nlh, 200, 5);		/* beyond maxtype */
	c = tmsg_dup(nlh);
	CHECK_EQ_INT(pp_attr_parse_msg(c, sizeof(struct rtmsg), pol, T_MAX, tb), 0);
	CHECK(tb[T_U32] && mnl_attr_get_u32(tb[T_U32]) == 2);
	CHECK(tb[T_U8] && mnl_attr_get_u8(tb[T_U8]) == 9);
	CHECK(tb[T_NEST] != NULL);
	CHECK(tb[T_U16] == NULL && tb[T_STR] == NULL && tb[0] == NULL);
	if (tb[T_NEST]) {
		static const struct pp_attr_policy inner[3] = { [1] = { .kind = PP_A_U16 }, [2] = { .kind = PP_A_U64 } };
		const struct nlattr *it[3];

		CHECK_EQ_INT(pp_attr_parse_nest(tb[T_NEST], inner, 2, it), 0);
		CHECK(it[1] && mnl_attr_get_u16(it[1]) == 7);
		CHECK(it[2] == NULL);
	}
	/* No policy: layout checked, lengths not. */
	CHECK_EQ_INT(pp_attr_parse_msg(c, sizeof(struct rtmsg), NULL, T_MAX, tb), 0);
	free(c);
}

static void
test_attr_layout(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh;
	const struct nlattr *tb[T_MAX + 1];
	uint32_t start_len = NLMSG_HDRLEN + sizeof(struct rtmsg), v = 1;

	/* No attributes at all. */
	nlh = start(&m);
	CHECK_EQ_INT(parse_msg(nlh, tb), 0);
	/* Shorter than the family header; and every table entry cleared even then. */
	nlh = start(&m);
	mnl_attr_put_u32(nlh, T_U32, 1);
	tb[T_U32] = (const struct nlattr *)&v;
	{
		struct nlmsghdr *c = tmsg_dup_len(nlh, start_len - 1);

		CHECK_EQ_INT(pp_attr_parse_msg(c, sizeof(struct rtmsg), pol, T_MAX, tb), -EBADMSG);
		CHECK(tb[T_U32] == NULL);
		CHECK(pp_msg_hdr(c, sizeof(struct rtmsg)) == NULL);
		CHECK(pp_msg_hdr(c, 8) != NULL);
		free(c);
	}
	/* 1, 2, 3 stray bytes after the header or after an attribute. */
	for (uint32_t extra = 1; extra < 4; extra++) {
		struct nlmsghdr *c;

		nlh = start(&m);
		c = tmsg_dup_len(nlh, start_len + extra);
		CHECK_EQ_INT(pp_attr_parse_msg(c, sizeof(struct rtmsg), pol, T_MAX, tb), -EBADMSG);
		free(c);
		nlh = start(&m);
		mnl_attr_put_u32(nlh, T_U32, 1);
		c = tmsg_dup_len(nlh, nlh->nlmsg_len + extra);
		CHECK_EQ_INT(pp_attr_parse_msg(c, sizeof(struct rtmsg), pol, T_MAX, tb), -EBADMSG);
		free(c);
	}
	/* nla_len of 0, of 3 (below the header), of more than is left. */
	for (int i = 0; i < 3; i++) {
		static const uint16_t bad[] = { 0, 3, 12 };

		nlh = start(&m);
		tmsg_put_raw(nlh, T_U32, bad[i], &v, sizeof(v));
		CHECK_EQ_INT(parse_msg(nlh, tb), -EBADMSG);
	}
	/* The last attribute unpadded (nla_len 5, message ends there): fine. */
	nlh = start(&m);
	mnl_attr_put_u32(nlh, T_U32, 1);
	mnl_attr_put_u8(nlh, T_U8, 1);
	nlh->nlmsg_len -= 3;
	CHECK_EQ_INT(parse_msg(nlh, tb), 0);
	/* A u8 (padded to 4 bytes) then a u32. */
	nlh = start(&m);
	mnl_attr_put_u8(nlh, T_U8, 1);
	mnl_attr_put_u32(nlh, T_U32, 1);
	CHECK_EQ_INT(parse_msg(nlh, tb), 0);
	/* A nest whose inner stream is cut. */
	{
		struct nlattr *n;
		struct nlmsghdr *c;
		static const struct pp_attr_policy inner[2] = { [1] = { .kind = PP_A_U32 } };
		const struct nlattr *it[2];

		nlh = start(&m);
		n = mnl_attr_nest_start(nlh, T_NEST);
		mnl_attr_put_u32(nlh, 1, 1);
		mnl_attr_nest_end(nlh, n);
		n->nla_len -= 2;
		c = tmsg_dup(nlh);
		CHECK_EQ_INT(pp_attr_parse_msg(c, sizeof(struct rtmsg), pol, T_MAX, tb), 0);
		CHECK(tb[T_NEST] != NULL);
		if (tb[T_NEST])
			CHECK_EQ_INT(pp_attr_parse_nest(tb[T_NEST], inner, 1, it), -EBADMSG);
		free(c);
	}
}

static void
test_attr_copy_and_addr(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = start(&m);
	const struct nlattr *a;
	uint64_t dst[3];
	uint8_t src[32];
	struct pp_addr addr;
	char s[INET6_ADDRSTRLEN];

	for (size_t i = 0; i < sizeof(src); i++)
		src[i] = (uint8_t)(i + 1);
	/* Shorter than the struct: the rest is zeroed. */
	mnl_attr_put(nlh, T_ANY, 5, src);
	a = (const struct nlattr *)((char *)nlh + NLMSG_HDRLEN + sizeof(struct rtmsg));
	memset(dst, 0xff, sizeof(dst));
	CHECK_EQ_INT(pp_attr_copy(dst, sizeof(dst), a), 5);
	CHECK_EQ_INT(((uint8_t *)dst)[4], 5);
	CHECK_EQ_INT(((uint8_t *)dst)[5], 0);
	CHECK(dst[2] == 0);
	/* Longer: cut. */
	nlh = start(&m);
	mnl_attr_put(nlh, T_ANY, 32, src);
	a = (const struct nlattr *)((char *)nlh + NLMSG_HDRLEN + sizeof(struct rtmsg));
	CHECK_EQ_INT(pp_attr_copy(dst, sizeof(dst), a), 24);
	CHECK_EQ_INT(((uint8_t *)dst)[23], 24);
	/* Empty. */
	nlh = start(&m);
	mnl_attr_put(nlh, T_ANY, 0, NULL);
	a = (const struct nlattr *)((char *)nlh + NLMSG_HDRLEN + sizeof(struct rtmsg));
	CHECK_EQ_INT(pp_attr_copy(dst, sizeof(dst), a), 0);
	CHECK(dst[0] == 0);

	/* pp_attr_addr: the family decides the length. */
	nlh = start(&m);
	inet_pton(AF_INET6, "2001:db8::7", src);
	mnl_attr_put(nlh, T_ADDR, 16, src);
	a = (const struct nlattr *)((char *)nlh + NLMSG_HDRLEN + sizeof(struct rtmsg));
	CHECK(pp_attr_addr(a, AF_INET6, &addr));
	CHECK_STR(pp_addr_str(&addr, s, sizeof(s)), "2001:db8::7");
	CHECK(!pp_attr_addr(a, AF_INET, &addr));
	CHECK_EQ_INT(addr.family, 0);
	CHECK_STR(pp_addr_str(&addr, s, sizeof(s)), "");
}

static void
test_addr_helpers(void)
{
	struct pp_addr a, b, p;

	pp_parse_addr("203.0.113.130", 0, &a);
	pp_parse_addr("203.0.113.128", 0, &p);
	CHECK(pp_addr_in_prefix(&a, &p, 25));
	CHECK(pp_addr_in_prefix(&a, &p, 30));
	CHECK(!pp_addr_in_prefix(&a, &p, 31));
	CHECK(!pp_addr_in_prefix(&a, &p, 32));
	CHECK(pp_addr_in_prefix(&a, &p, 0));
	CHECK(!pp_addr_in_prefix(&a, &p, 33));	/* longer than the family */
	pp_parse_addr("2001:db8::1", 0, &b);
	CHECK(!pp_addr_in_prefix(&b, &p, 0));	/* other family */
	pp_parse_addr("2001:db8:8000::", 0, &p);
	pp_parse_addr("2001:db8:ffff::1", 0, &b);
	CHECK(pp_addr_in_prefix(&b, &p, 33));
	CHECK(!pp_addr_in_prefix(&b, &p, 34));	/* byte 4: 0xff vs 0x80, the second bit differs */
	CHECK(!pp_addr_in_prefix(&b, &p, 35));
	CHECK(!pp_addr_in_prefix(&b, &p, 129));
	CHECK(pp_addr_eq(&a, &a));
	CHECK(!pp_addr_eq(&a, &b));
	b = a;
	b.u.b[3] ^= 1;
	CHECK(!pp_addr_eq(&a, &b));
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	CHECK(pp_addr_eq(&a, &b));	/* two "none" */
	CHECK(pp_addr_set(&a, AF_INET, "\xcb\x00\x71\x01", 4));
	CHECK(!pp_addr_set(&a, AF_INET, "\xcb\x00\x71\x01", 16));
	CHECK(!pp_addr_set(&a, AF_PACKET, "\xcb\x00\x71\x01", 4));
	CHECK_EQ_INT(pp_addr_len(&a), 0);
}

static void
test_err_helpers(void)
{
	struct pp_err e;
	char buf[512], small[8];

	memset(&e, 0, sizeof(e));
	pp_err_set(&e, -EPERM, "RTM_GETROUTE %s", "203.0.113.1");
	CHECK_EQ_INT(e.code, EPERM);
	CHECK_STR(pp_err_str(&e, buf, sizeof(buf)), "RTM_GETROUTE 203.0.113.1: Operation not permitted");
	snprintf(e.ext, sizeof(e.ext), "no way");
	CHECK_STR(pp_err_str(&e, buf, sizeof(buf)),
		  "RTM_GETROUTE 203.0.113.1: Operation not permitted (kernel: no way)");
	pp_err_str(&e, small, sizeof(small));
	CHECK_STR(small, "RTM_GET");
	pp_err_set(NULL, EINVAL, "nothing");	/* NULL is allowed */
	{
		char longwhat[300];

		memset(longwhat, 'w', sizeof(longwhat) - 1);
		longwhat[sizeof(longwhat) - 1] = '\0';
		pp_err_set(&e, EIO, "%s", longwhat);
		CHECK_EQ_INT(strlen(e.what), sizeof(e.what) - 1);
	}
	CHECK(pp_errno_needs(EPERM) != NULL);
	CHECK(pp_errno_needs(-EACCES) != NULL);
	CHECK(pp_errno_needs(ENOENT) == NULL);
	CHECK_STR(pp_status_name(PP_ST_OK), "ok");
	CHECK_STR(pp_status_name(PP_ST_FAIL), "fail");
	CHECK_STR(pp_status_name(PP_ST_SKIPPED), "skipped");
	CHECK_STR(pp_status_name((enum pp_status)77), "unknown");
	CHECK_STR(pp_status_name((enum pp_status)-1), "unknown");
}

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	const struct nlattr *tb[T_MAX + 1];
	int rc = pp_attr_parse_msg(nlh, sizeof(struct rtmsg), pol, T_MAX, tb);

	if (rc == 0 && tb[T_NEST]) {
		const struct nlattr *it[T_MAX + 1];

		pp_attr_parse_nest(tb[T_NEST], pol, T_MAX, it);
	}
	return rc;
}

static void
test_attr_fuzz(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = start(&m);
	struct nlattr *n;
	unsigned ok;

	mnl_attr_put_u8(nlh, T_U8, 1);
	mnl_attr_put_u64(nlh, T_U64, 1);
	mnl_attr_put_strz(nlh, T_STR, "hello");
	n = mnl_attr_nest_start(nlh, T_NEST);
	mnl_attr_put_u32(nlh, T_U32, 1);
	mnl_attr_put(nlh, T_ADDR, 16, "0123456789abcdef");
	mnl_attr_nest_end(nlh, n);
	ok = tfuzz(nlh, fuzz_one, 5000, 0xa77u, 500);
	printf("# attr fuzz: %u of 5000 damaged messages accepted\n", ok);
	CHECK(ok > 0);
}

int
main(void)
{
	RUN(test_attr_lengths);
	RUN(test_attr_table);
	RUN(test_attr_layout);
	RUN(test_attr_copy_and_addr);
	RUN(test_addr_helpers);
	RUN(test_err_helpers);
	RUN(test_attr_fuzz);
	return tap_done();
}
