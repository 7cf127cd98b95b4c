/*
 * test_common_msg.h: helpers for the common/ decoder tests. Messages are built
 * with libmnl the way the kernel lays them out; every decoder is handed an
 * exact-size heap copy, so ASan sees any read past nlmsg_len. A small mutation
 * fuzzer feeds damaged copies of a good message to a decoder.
 */
#ifndef PP_TEST_COMMON_MSG_H
#define PP_TEST_COMMON_MSG_H

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <libmnl/libmnl.h>

#include "pp.h"
#include "tap.h"

#define TMSG_SIZE 8192

/* A message buffer, aligned for struct nlmsghdr. */
struct tmsg {
	union {
		char b[TMSG_SIZE];
		struct nlmsghdr h;
		uint64_t align_;
	} u;
};

/* Start a message of type with a zeroed family header of hdrlen bytes; *hdr points at it. */
static inline struct nlmsghdr *
tmsg_start(struct tmsg *m, uint16_t type, size_t hdrlen, void **hdr)
{
	struct nlmsghdr *nlh;
	void *h;

	memset(m, 0, sizeof(*m));
	nlh = mnl_nlmsg_put_header(m->u.b);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = 1;
	nlh->nlmsg_pid = 4242;
	h = mnl_nlmsg_put_extra_header(nlh, hdrlen);
	if (hdr)
		*hdr = h;
	return nlh;
}

/*
 * Append an attribute whose header claims nla_len while datalen bytes of data
 * follow (padded to 4). For attributes that lie about their length.
 */
static inline struct nlattr *
tmsg_put_raw(struct nlmsghdr *nlh, uint16_t type, uint16_t nla_len, const void *data,
	     size_t datalen)
{
	struct nlattr *a = mnl_nlmsg_get_payload_tail(nlh);

	a->nla_type = type;
	a->nla_len = nla_len;
	if (datalen)
		memcpy((char *)a + MNL_ATTR_HDRLEN, data, datalen);
	nlh->nlmsg_len += MNL_ALIGN(MNL_ATTR_HDRLEN + datalen);
	return a;
}

/* Offset of p inside the message. */
static inline uint32_t
tmsg_off(const struct nlmsghdr *nlh, const void *p)
{
	return (uint32_t)((const char *)p - (const char *)nlh);
}

/* An exact-size heap copy of the first len bytes (nlmsg_len set to len). */
static inline struct nlmsghdr *
tmsg_dup_len(const struct nlmsghdr *nlh, uint32_t len)
{
	struct nlmsghdr *c = malloc(len);

	if (!c)
		abort();
	memcpy(c, nlh, len);
	c->nlmsg_len = len;
	return c;
}

static inline struct nlmsghdr *
tmsg_dup(const struct nlmsghdr *nlh)
{
	return tmsg_dup_len(nlh, nlh->nlmsg_len);
}

/* Run decode on an exact copy of nlh (cut to len bytes when len != 0). */
#define TDECODE(fn, nlh, out)                                                       \
	({                                                                          \
		struct nlmsghdr *c_ = tmsg_dup(nlh);                                \
		int r_ = fn(c_, out);                                               \
		free(c_);                                                           \
		r_;                                                                 \
	})
#define TDECODE_LEN(fn, nlh, len, out)                                              \
	({                                                                          \
		struct nlmsghdr *c_ = tmsg_dup_len(nlh, len);                       \
		int r_ = fn(c_, out);                                               \
		free(c_);                                                           \
		r_;                                                                 \
	})

/* xorshift32: a fixed-seed generator, so a failure is reproducible. */
static inline uint32_t
trand(uint32_t *s)
{
	uint32_t x = *s;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	return *s = x;
}

typedef int (*tdecode_fn)(const struct nlmsghdr *nlh);

/*
 * Feed iters damaged copies of seed to fn: random bytes changed after the
 * netlink header (attribute lengths and types included), random cuts, random
 * 16-bit nla_len values at attribute-like offsets. Each copy is exact-size.
 * Stops after max_ms. Returns how many messages fn accepted (0 return).
 */
static inline unsigned
tfuzz(const struct nlmsghdr *seed, tdecode_fn fn, unsigned iters, uint32_t rseed, unsigned max_ms)
{
	uint32_t len0 = seed->nlmsg_len, s = rseed ? rseed : 1;
	unsigned ok = 0;
	struct timespec t0, t1;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (unsigned i = 0; i < iters; i++) {
		uint32_t len = len0;
		struct nlmsghdr *c;
		unsigned nmut = 1 + trand(&s) % 6;

		if (trand(&s) % 4 == 0)	/* cut anywhere from the bare header to the end */
			len = NLMSG_HDRLEN + trand(&s) % (len0 - NLMSG_HDRLEN + 1);
		c = tmsg_dup_len(seed, len);
		for (unsigned k = 0; k < nmut && len > NLMSG_HDRLEN; k++) {
			uint32_t off = NLMSG_HDRLEN + trand(&s) % (len - NLMSG_HDRLEN);
			uint32_t r = trand(&s);

			switch (r % 4) {
			case 0: ((uint8_t *)c)[off] = (uint8_t)(r >> 8); break;
			case 1: ((uint8_t *)c)[off] ^= (uint8_t)(1u << ((r >> 8) % 8)); break;
			case 2:	/* a plausible but wrong nla_len at an aligned offset */
				off &= ~3u;
				if (off + 2 <= len) {
					uint16_t v = (uint16_t)((r >> 8) % 64);
					memcpy((char *)c + off, &v, 2);
				}
				break;
			default:
				off &= ~3u;
				if (off + 2 <= len) {
					uint16_t v = (uint16_t)(r >> 16);
					memcpy((char *)c + off, &v, 2);
				}
				break;
			}
		}
		if (fn(c) == 0)
			ok++;
		free(c);
		if ((i & 63) == 0) {
			clock_gettime(CLOCK_MONOTONIC, &t1);
			if ((t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000 > (long)max_ms)
				break;
		}
	}
	return ok;
}

/* An address as text, from a ring of four buffers: up to four in one printf. */
static inline const char *
astr(const struct pp_addr *a)
{
	static char buf[4][INET6_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	return pp_addr_str(a, buf[i], sizeof(buf[i]));
}

#endif
