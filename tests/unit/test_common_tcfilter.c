/* test_common_tcfilter.c: pp_tcfilter_decode on RTM_NEWTFILTER as tcf_fill_node() and cls_bpf lay them out. */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>

#include "tcfilter.h"
#include "test_common_msg.h"

static struct nlmsghdr *
tf_start(struct tmsg *m, uint32_t handle)
{
	void *h;
	struct tcmsg *tcm;
	struct nlmsghdr *nlh = tmsg_start(m, RTM_NEWTFILTER, sizeof(*tcm), &h);

	tcm = h;
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = 4;
	tcm->tcm_handle = handle;
	tcm->tcm_parent = PP_TC_PARENT_INGRESS;
	tcm->tcm_info = TC_H_MAKE(49152u << 16, htons(ETH_P_ALL));
	return nlh;
}

/* bpf filter with an eBPF program: name, id, direct-action, as `tc filter add ... bpf obj x.o da` leaves it. */
static struct nlmsghdr *
build_bpf(struct tmsg *m)
{
	struct nlmsghdr *nlh = tf_start(m, 1);
	struct nlattr *opt;

	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	mnl_attr_put_u32(nlh, TCA_CHAIN, 0);
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
	mnl_attr_put_strz(nlh, TCA_BPF_NAME, "drop_all");
	mnl_attr_put(nlh, TCA_BPF_TAG, 8, "\x01\x02\x03\x04\x05\x06\x07\x08");
	mnl_attr_put_u32(nlh, TCA_BPF_ID, 42);
	mnl_attr_put_u16(nlh, 200, 7);	/* an attribute from a later kernel */
	mnl_attr_nest_end(nlh, opt);
	return nlh;
}

static void
test_tcfilter_bpf(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_bpf(&m);
	struct pp_tcfilter f;
	char s[128];

	CHECK_EQ_INT(TDECODE(pp_tcfilter_decode, nlh, &f), 0);
	CHECK_STR(f.kind, "bpf");
	CHECK_EQ_INT(f.ifindex, 4);
	CHECK_EQ_INT(f.parent, PP_TC_PARENT_INGRESS);
	CHECK_EQ_INT(f.handle, 1);
	CHECK_EQ_INT(f.prio, 49152);
	CHECK_EQ_INT(f.protocol, ETH_P_ALL);
	CHECK(f.has_bpf_name && f.has_bpf_id && f.bpf_direct_action);
	CHECK_EQ_INT(f.bpf_id, 42);
	CHECK(pp_tcfilter_is_filter(&f));
	CHECK_STR(pp_tcfilter_str(&f, s, sizeof(s)), "bpf name drop_all id 42 direct-action");
	/* A short buffer is cut, never overrun. */
	CHECK_STR(pp_tcfilter_str(&f, s, 9), "bpf name");
}

/* Classic BPF (`bpf bytecode '1,6 0 0 0' da`): the instruction count, no name or id. */
static void
test_tcfilter_cbpf_and_header(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = tf_start(&m, 1);
	struct nlattr *opt;
	struct pp_tcfilter f;
	char s[128];
	uint8_t ops[8] = { 6, 0, 0, 0, 0, 0, 0, 0 };

	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u16(nlh, TCA_BPF_OPS_LEN, 1);
	mnl_attr_put(nlh, TCA_BPF_OPS, sizeof(ops), ops);
	mnl_attr_put_u32(nlh, TCA_BPF_FLAGS, TCA_BPF_FLAG_ACT_DIRECT);
	mnl_attr_nest_end(nlh, opt);
	CHECK_EQ_INT(TDECODE(pp_tcfilter_decode, nlh, &f), 0);
	CHECK_STR(pp_tcfilter_str(&f, s, sizeof(s)), "bpf bytecode (1 op) direct-action");

	/* The header the kernel sends for a priority before its filters: handle 0, no options. */
	nlh = tf_start(&m, 0);
	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	mnl_attr_put_u32(nlh, TCA_CHAIN, 0);
	CHECK_EQ_INT(TDECODE(pp_tcfilter_decode, nlh, &f), 0);
	CHECK(!pp_tcfilter_is_filter(&f));

	/* A kind without a decoder keeps its kind. */
	nlh = tf_start(&m, 0x800);
	mnl_attr_put_strz(nlh, TCA_KIND, "u32");
	opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);
	mnl_attr_put_u32(nlh, 1, 7);
	mnl_attr_nest_end(nlh, opt);
	CHECK_EQ_INT(TDECODE(pp_tcfilter_decode, nlh, &f), 0);
	CHECK(pp_tcfilter_is_filter(&f));
	CHECK_STR(pp_tcfilter_str(&f, s, sizeof(s)), "u32");
}

static void
test_tcfilter_short_and_truncated(void)
{
	struct tmsg m;
	struct nlmsghdr *nlh = build_bpf(&m);
	struct pp_tcfilter f;
	uint32_t len = nlh->nlmsg_len;

	/* Cut inside the tcmsg, and cut anywhere inside the attributes. */
	CHECK_EQ_INT(TDECODE_LEN(pp_tcfilter_decode, nlh, NLMSG_HDRLEN + 4, &f), -EBADMSG);
	for (uint32_t l = NLMSG_HDRLEN + (uint32_t)sizeof(struct tcmsg) + 1; l < len; l += 3)
		CHECK(TDECODE_LEN(pp_tcfilter_decode, nlh, l, &f) == -EBADMSG || f.kind[0]);
	/* No TCA_KIND. */
	nlh = tf_start(&m, 1);
	mnl_attr_put_u32(nlh, TCA_CHAIN, 0);
	CHECK_EQ_INT(TDECODE(pp_tcfilter_decode, nlh, &f), -EBADMSG);
	/* TCA_BPF_ID of two bytes: wrong length. */
	nlh = tf_start(&m, 1);
	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	{
		struct nlattr *opt = mnl_attr_nest_start(nlh, TCA_OPTIONS);

		mnl_attr_put_u16(nlh, TCA_BPF_ID, 42);
		mnl_attr_nest_end(nlh, opt);
	}
	CHECK_EQ_INT(TDECODE(pp_tcfilter_decode, nlh, &f), -EBADMSG);
	/* An attribute whose length runs past the message. */
	nlh = tf_start(&m, 1);
	mnl_attr_put_strz(nlh, TCA_KIND, "bpf");
	tmsg_put_raw(nlh, TCA_OPTIONS, 200, "\0\0\0\0", 4);
	CHECK_EQ_INT(TDECODE(pp_tcfilter_decode, nlh, &f), -EBADMSG);
}

static int
fuzz_one(const struct nlmsghdr *nlh)
{
	struct pp_tcfilter f;

	return pp_tcfilter_decode(nlh, &f);
}

static void
test_tcfilter_fuzz(void)
{
	struct tmsg m;
	unsigned ok = tfuzz(build_bpf(&m), fuzz_one, 3000, 0xbeefu, 600);

	printf("# tcfilter fuzz: %u of 3000 damaged messages accepted\n", ok);
	CHECK(ok > 0);
}

int
main(void)
{
	RUN(test_tcfilter_bpf);
	RUN(test_tcfilter_cbpf_and_header);
	RUN(test_tcfilter_short_and_truncated);
	RUN(test_tcfilter_fuzz);
	return tap_done();
}
