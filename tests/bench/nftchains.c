/*
 * nftchains: the bare netlink floor of pathcheck's cold nftables read (make bench).
 * One NFT_MSG_GETCHAIN dump of every family, its messages counted and nothing else
 * decoded: what the kernel costs when no base-chain list is kept between runs.
 * Usage: nftchains (in the namespace to read; run it under ip netns exec).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <libmnl/libmnl.h>
#include <linux/netfilter.h>
#include <linux/netfilter/nfnetlink.h>
#include <linux/netfilter/nf_tables.h>

static int
count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(unsigned long *)data)++;
	return MNL_CB_OK;
}

int
main(void)
{
	char buf[65536];	/* the kernel fills at most 32 KiB a datagram */
	struct mnl_socket *nl = mnl_socket_open(NETLINK_NETFILTER);
	struct nlmsghdr *nlh;
	struct nfgenmsg *nfg;
	unsigned long n = 0;
	unsigned int seq = (unsigned int)time(NULL), port;
	ssize_t r;

	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nftchains: netlink");
		return 1;
	}
	port = mnl_socket_get_portid(nl);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = (NFNL_SUBSYS_NFTABLES << 8) | NFT_MSG_GETCHAIN;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	nfg = mnl_nlmsg_put_extra_header(nlh, sizeof(*nfg));
	nfg->nfgen_family = NFPROTO_UNSPEC;
	nfg->version = NFNETLINK_V0;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("nftchains: send");
		return 1;
	}
	while ((r = mnl_socket_recvfrom(nl, buf, sizeof(buf))) > 0) {
		int cr = mnl_cb_run(buf, (size_t)r, seq, port, count_cb, &n);

		if (cr == MNL_CB_STOP)
			break;
		if (cr < 0) {
			fprintf(stderr, "nftchains: dump: %s\n", strerror(errno));
			return 1;
		}
	}
	mnl_socket_close(nl);
	printf("chains %lu\n", n);
	return 0;
}
