/*
 * test_pathcheck_dropmap.c: the station a kernel drop belongs to, from its
 * reason and location (cmd/pathcheck/dropmap.c). No kernel needed.
 */
#include <string.h>

#include "../../cmd/pathcheck/dropmap.h"
#include "../../cmd/pathcheck/pathcheck.h"
#include "tap.h"

static void
test_station(void)
{
	/* The name form comes from the station table; the hooks' family name for a rule's drop. */
	CHECK_STR(pp_drop_station("NO_SOCKET", "__udp4_lib_rcv"), pc_station_name(PC_SOCKET));
	CHECK_STR(pp_drop_station("NETFILTER_DROP", "nft_do_chain"), pc_stations[PC_OUTPUT].family);
	CHECK(pp_drop_station("SOME_FUTURE_REASON", "nft_do_chain") == NULL);
	CHECK_EQ_INT(pc_drop_station("NETFILTER_DROP", "nft_do_chain"), PC_ANY_HOOK);	/* F3-F6 */
	CHECK_EQ_INT(pc_drop_station("NETFILTER_DROP", ""), PC_ANY_HOOK);
	CHECK_EQ_INT(pc_drop_station("NETFILTER_DROP", "nf_hook_slow"), PC_CONNTRACK);
	CHECK_EQ_INT(pc_drop_station("NETFILTER_DROP", "nf_conntrack_in"), PC_CONNTRACK);
	CHECK_EQ_INT(pc_drop_station("IP_RPFILTER", "ip_rcv_finish_core"), PC_ROUTE);	/* F7 */
	CHECK_EQ_INT(pc_drop_station("IP_INADDRERRORS", "ip_error"), PC_FORWARD_ST);	/* F8 v4 */
	CHECK_EQ_INT(pc_drop_station("IP_INADDRERRORS", "ip6_forward"), PC_FORWARD_ST);	/* F8 v6 */
	CHECK_EQ_INT(pc_drop_station("IP_INNOROUTES", "ip_error"), PC_ROUTE);		/* F11a */
	CHECK_EQ_INT(pc_drop_station("IP_INNOROUTES", "ip6_pkt_discard"), PC_ROUTE);
	CHECK_EQ_INT(pc_drop_station("NOT_SPECIFIED", "ip_error"), PC_ROUTE);		/* F2 v4 */
	CHECK_EQ_INT(pc_drop_station("NOT_SPECIFIED", "dst_discard_out"), PC_ROUTE);	/* F2a v6 */
	CHECK_EQ_INT(pc_drop_station("NEIGH_FAILED", "neigh_invalidate"), PC_NEIGHBOUR);	/* F10 */
	CHECK_EQ_INT(pc_drop_station("NEIGH_QUEUEFULL", NULL), PC_NEIGHBOUR);
	CHECK_EQ_INT(pc_drop_station("NOT_SPECIFIED", "neigh_invalidate"), PC_NEIGHBOUR);	/* F10 v6 */
	CHECK_EQ_INT(pc_drop_station("QDISC_DROP", "__dev_queue_xmit"), PC_QDISC);	/* F13 */
	CHECK_EQ_INT(pc_drop_station("QDISC_OVERLIMIT", NULL), PC_QDISC);
	CHECK_EQ_INT(pc_drop_station("PKT_TOO_BIG", "ip_forward"), PC_PMTU);		/* F12 */
	CHECK_EQ_INT(pc_drop_station("NO_SOCKET", "__udp4_lib_rcv"), PC_SOCKET);	/* F9 */
	CHECK_EQ_INT(pc_drop_station("SOCKET_FILTER", NULL), PC_SOCKET);
	CHECK_EQ_INT(pc_drop_station("TCP_LISTEN_OVERFLOW", "tcp_conn_request"), PC_SOCKET);
	CHECK_EQ_INT(pc_drop_station("DEV_READY", NULL), PC_EGRESS_DEVICE);
	CHECK_EQ_INT(pc_drop_station("DEV_HDR", NULL), PC_EGRESS_DEVICE);
	CHECK_EQ_INT(pc_drop_station("NOT_SPECIFIED", "__dev_queue_xmit"), PC_EGRESS_DEVICE);
	CHECK_EQ_INT(pc_drop_station("NOT_SPECIFIED", "validate_xmit_skb"), PC_EGRESS_DEVICE);
	CHECK_EQ_INT(pc_drop_station("IP_INHDR", "ip_forward"), PC_FORWARD_ST);		/* TTL expiry */
	CHECK_EQ_INT(pc_drop_station("CPU_BACKLOG", NULL), PC_INGRESS_DEVICE);
	CHECK_EQ_INT(pc_drop_station("TC_INGRESS", NULL), PC_TC_INGRESS);
	CHECK_EQ_INT(pc_drop_station("TC_EGRESS", NULL), PC_TC_EGRESS);
	CHECK_EQ_INT(pc_drop_station("NOT_SPECIFIED", "tcp_v4_rcv"), PC_NSTATIONS);
	CHECK_EQ_INT(pc_drop_station("NOT_SPECIFIED", ""), PC_NSTATIONS);
	CHECK_EQ_INT(pc_drop_station("", ""), PC_NSTATIONS);
	CHECK_EQ_INT(pc_drop_station(NULL, NULL), PC_NSTATIONS);
	CHECK_EQ_INT(pc_drop_station("SOME_FUTURE_REASON", "nft_do_chain"), PC_NSTATIONS);

	CHECK(pp_drop_benign("NO_SOCKET", "ping_rcv"));
	CHECK(!pp_drop_benign("NO_SOCKET", "__udp4_lib_rcv"));
	CHECK(pp_drop_benign("QUEUE_PURGE", "inet_sock_destruct"));
	CHECK(pp_drop_benign("NOT_SPECIFIED", "inet_rtm_getroute"));
	CHECK(pp_drop_benign("NOT_SPECIFIED", "virtio_transport_recv_pkt"));
	CHECK(!pp_drop_benign("NETFILTER_DROP", "nft_do_chain"));
	CHECK(!pp_drop_benign(NULL, NULL));
}

int
main(void)
{
	RUN(test_station);
	return tap_done();
}
