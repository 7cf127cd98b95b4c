/*
 * attr.h: netlink attributes parsed against a policy. Every known attribute's
 * length is checked before use; unknown types are ignored on purpose (the kernel
 * may be newer than we are); a message whose attributes run past its end is
 * refused as malformed.
 */
#ifndef PP_ATTR_H
#define PP_ATTR_H

#include <libmnl/libmnl.h>
#include "pp.h"

enum pp_attr_kind {
	PP_A_UNSPEC = 0,	/* any length, not checked (type is known but opaque) */
	PP_A_U8, PP_A_U16, PP_A_U32, PP_A_U64,
	PP_A_STR,		/* NUL-terminated within its payload */
	PP_A_NEST,		/* nested attributes, checked when parsed */
	PP_A_ADDR,		/* 4 or 16 bytes */
	PP_A_MIN,		/* at least .min bytes */
};

struct pp_attr_policy {
	uint8_t kind;
	uint16_t min;		/* for PP_A_MIN */
};

/*
 * Parse the attributes in [start, start+len) into tb[0..maxtype] (zeroed first).
 * pol has maxtype+1 entries; types past maxtype are ignored. Returns 0, or
 * -EBADMSG for a truncated stream or a known attribute of the wrong length.
 */
int pp_attr_parse(const void *start, size_t len, const struct pp_attr_policy *pol,
		  unsigned maxtype, const struct nlattr **tb);
/* The attributes of a message after its family header of hdrlen bytes. */
int pp_attr_parse_msg(const struct nlmsghdr *nlh, size_t hdrlen, const struct pp_attr_policy *pol,
		      unsigned maxtype, const struct nlattr **tb);
/* The attributes nested inside attribute nest. */
int pp_attr_parse_nest(const struct nlattr *nest, const struct pp_attr_policy *pol,
		       unsigned maxtype, const struct nlattr **tb);

/*
 * Copy a kernel struct carried in an attribute: min(payload, dstlen) bytes into a
 * zeroed dst, so an older kernel's shorter struct leaves the new fields 0 and a
 * newer kernel's longer one is cut to what we know. Returns the bytes copied.
 */
size_t pp_attr_copy(void *dst, size_t dstlen, const struct nlattr *a);

/* The payload of a message after its family header, or NULL when the message is shorter than that header. */
const void *pp_msg_hdr(const struct nlmsghdr *nlh, size_t hdrlen);

/* Read an address attribute of family (4 or 16 bytes); false on a length mismatch. */
bool pp_attr_addr(const struct nlattr *a, int family, struct pp_addr *out);

#endif
