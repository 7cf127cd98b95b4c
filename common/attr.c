/* attr.c: policy-checked attribute parsing. */
#include <errno.h>
#include <string.h>

#include "attr.h"

static bool
attr_ok(const struct nlattr *a, const struct pp_attr_policy *p)
{
	size_t n = a->nla_len - NLA_HDRLEN;
	const char *s;

	switch (p->kind) {
	case PP_A_U8: return n >= 1;
	case PP_A_U16: return n >= 2;
	case PP_A_U32: return n >= 4;
	case PP_A_U64: return n >= 8;
	case PP_A_ADDR: return n == 4 || n == 16;
	case PP_A_MIN: return n >= p->min;
	case PP_A_STR:
		s = (const char *)a + NLA_HDRLEN;
		return n > 0 && memchr(s, '\0', n) != NULL;
	case PP_A_NEST:
	case PP_A_UNSPEC:
	default:
		return true;
	}
}

int
pp_attr_parse(const void *start, size_t len, const struct pp_attr_policy *pol,
	      unsigned maxtype, const struct nlattr **tb)
{
	const struct nlattr *a = start;
	size_t rem = len;

	memset(tb, 0, sizeof(*tb) * (maxtype + 1));
	while (rem >= NLA_HDRLEN) {
		uint16_t alen = a->nla_len, type = a->nla_type & NLA_TYPE_MASK;
		size_t step;

		if (alen < NLA_HDRLEN || alen > rem)
			return -EBADMSG;
		if (type <= maxtype) {
			if (pol && !attr_ok(a, &pol[type]))
				return -EBADMSG;
			tb[type] = a;
		}
		step = NLA_ALIGN(alen);
		if (step >= rem)
			return 0;
		rem -= step;
		a = (const struct nlattr *)((const char *)a + step);
	}
	return rem == 0 ? 0 : -EBADMSG;
}

int
pp_attr_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen, const struct pp_attr_policy *pol,
		  unsigned maxtype, const struct nlattr **tb)
{
	size_t off = NLMSG_HDRLEN + NLMSG_ALIGN(hdrlen);

	if (nlh->nlmsg_len < NLMSG_HDRLEN + hdrlen) {
		memset(tb, 0, sizeof(*tb) * (maxtype + 1));
		return -EBADMSG;
	}
	if (nlh->nlmsg_len <= off) {
		memset(tb, 0, sizeof(*tb) * (maxtype + 1));
		return 0;
	}
	return pp_attr_parse((const char *)nlh + off, nlh->nlmsg_len - off, pol, maxtype, tb);
}

int
pp_attr_parse_nest(const struct nlattr *nest, const struct pp_attr_policy *pol,
		   unsigned maxtype, const struct nlattr **tb)
{
	return pp_attr_parse((const char *)nest + NLA_HDRLEN, nest->nla_len - NLA_HDRLEN, pol,
			     maxtype, tb);
}

size_t
pp_attr_copy(void *dst, size_t dstlen, const struct nlattr *a)
{
	size_t n = a->nla_len - NLA_HDRLEN;

	memset(dst, 0, dstlen);
	if (n > dstlen)
		n = dstlen;
	memcpy(dst, (const char *)a + NLA_HDRLEN, n);
	return n;
}

const void *
pp_msg_hdr(const struct nlmsghdr *nlh, size_t hdrlen)
{
	if (nlh->nlmsg_len < NLMSG_HDRLEN + hdrlen)
		return NULL;
	return (const char *)nlh + NLMSG_HDRLEN;
}

bool
pp_attr_addr(const struct nlattr *a, int family, struct pp_addr *out)
{
	return pp_addr_set(out, family, (const char *)a + NLA_HDRLEN, a->nla_len - NLA_HDRLEN);
}
