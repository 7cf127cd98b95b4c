/* tcfilter.c: RTM_GETTFILTER dumps of one device's clsact hook, and cls_bpf's options. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/pkt_cls.h>
#include <linux/rtnetlink.h>

#include "attr.h"
#include "tcfilter.h"

static const struct pp_attr_policy tc_pol[TCA_MAX + 1] = {
	[TCA_KIND] = { PP_A_STR }, [TCA_OPTIONS] = { PP_A_NEST }, [TCA_CHAIN] = { PP_A_U32 },
};

static const struct pp_attr_policy bpf_pol[TCA_BPF_MAX + 1] = {
	[TCA_BPF_NAME] = { PP_A_STR }, [TCA_BPF_ID] = { PP_A_U32 }, [TCA_BPF_FLAGS] = { PP_A_U32 },
	[TCA_BPF_OPS_LEN] = { PP_A_U16 },
};

int
pp_tcfilter_decode(const struct nlmsghdr *nlh, struct pp_tcfilter *f)
{
	const struct nlattr *tb[TCA_MAX + 1];
	const struct tcmsg *tcm = pp_msg_hdr(nlh, sizeof(*tcm));

	memset(f, 0, sizeof(*f));
	if (!tcm || pp_attr_parse_msg(nlh, sizeof(*tcm), tc_pol, TCA_MAX, tb) < 0 || !tb[TCA_KIND])
		return -EBADMSG;
	f->ifindex = tcm->tcm_ifindex;
	f->parent = tcm->tcm_parent;
	f->prio = (uint16_t)(TC_H_MAJ(tcm->tcm_info) >> 16);
	f->protocol = ntohs((uint16_t)TC_H_MIN(tcm->tcm_info));
	if (tb[TCA_CHAIN])
		f->chain = mnl_attr_get_u32(tb[TCA_CHAIN]);
	snprintf(f->kind, sizeof(f->kind), "%s", mnl_attr_get_str(tb[TCA_KIND]));
	if (tb[TCA_OPTIONS] && strcmp(f->kind, "bpf") == 0) {
		const struct nlattr *bt[TCA_BPF_MAX + 1];

		if (pp_attr_parse_nest(tb[TCA_OPTIONS], bpf_pol, TCA_BPF_MAX, bt) < 0)
			return -EBADMSG;
		if (bt[TCA_BPF_NAME]) {
			f->has_bpf_name = true;
			snprintf(f->bpf_name, sizeof(f->bpf_name), "%s", mnl_attr_get_str(bt[TCA_BPF_NAME]));
		}
		if (bt[TCA_BPF_ID]) {
			f->has_bpf_id = true;
			f->bpf_id = mnl_attr_get_u32(bt[TCA_BPF_ID]);
		}
		if (bt[TCA_BPF_FLAGS])
			f->bpf_direct_action = mnl_attr_get_u32(bt[TCA_BPF_FLAGS]) & TCA_BPF_FLAG_ACT_DIRECT;
		if (bt[TCA_BPF_OPS_LEN])
			f->bpf_ops = mnl_attr_get_u16(bt[TCA_BPF_OPS_LEN]);
	}
	/* The header of a priority carries no options; a filter does, or has a handle. */
	f->handle = tcm->tcm_handle;
	if (!f->handle && tb[TCA_OPTIONS])
		f->handle = UINT32_MAX;	/* marks a filter without a handle of its own */
	return 0;
}

bool
pp_tcfilter_is_filter(const struct pp_tcfilter *f)
{
	return f->handle != 0;
}

struct dump_ctx {
	pp_tcfilter_cb cb;
	void *data;
	struct pp_nl *nl;
};

static int
dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct dump_ctx *c = data;
	struct pp_tcfilter f;

	if (nlh->nlmsg_type != RTM_NEWTFILTER)
		return 0;
	if (pp_tcfilter_decode(nlh, &f) < 0) {
		c->nl->bad_msgs++;
		return 0;
	}
	return c->cb(&f, c->data);
}

int
pp_tcfilter_dump(struct pp_nl *nl, int ifindex, uint32_t parent, pp_tcfilter_cb cb, void *data,
		 struct pp_err *e)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct dump_ctx c = { cb, data, nl };
	struct tcmsg *tcm;

	nlh->nlmsg_type = RTM_GETTFILTER;
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	tcm->tcm_parent = parent;
	pp_err_set(e, 0, "RTM_GETTFILTER dump");
	return pp_nl_dump(nl, nlh, dump_cb, &c, NULL, e);
}

const char *
pp_tcfilter_str(const struct pp_tcfilter *f, char *buf, size_t len)
{
	size_t n = (size_t)snprintf(buf, len, "%s", f->kind);

	if (f->has_bpf_name && n < len)
		n += (size_t)snprintf(buf + n, len - n, " name %s", f->bpf_name);
	if (f->has_bpf_id && n < len)
		n += (size_t)snprintf(buf + n, len - n, " id %u", f->bpf_id);
	if (f->bpf_ops && n < len)
		n += (size_t)snprintf(buf + n, len - n, " bytecode (%u op%s)", f->bpf_ops, f->bpf_ops == 1 ? "" : "s");
	if (f->bpf_direct_action && n < len)
		snprintf(buf + n, len - n, " direct-action");
	return buf;
}
