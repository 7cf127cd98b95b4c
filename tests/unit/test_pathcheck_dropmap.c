/*
 * test_pathcheck_dropmap.c: the station a kernel drop belongs to, from its
 * reason and location (cmd/pathcheck/dropmap.c). No kernel needed.
 */
#include <string.h>

#include "../../cmd/pathcheck/dropmap.h"
#include "tap.h"

static void
test_station(void)
{
	CHECK_STR(pp_drop_station("NETFILTER_DROP", "nft_do_chain"), "netfilter");	/* F3-F6 */
	CHECK_STR(pp_drop_station("NETFILTER_DROP", ""), "netfilter");
	CHECK_STR(pp_drop_station("NETFILTER_DROP", "nf_hook_slow"), "conntrack");
	CHECK_STR(pp_drop_station("NETFILTER_DROP", "nf_conntrack_in"), "conntrack");
	CHECK_STR(pp_drop_station("IP_RPFILTER", "ip_rcv_finish_core"), "route");	/* F7 */
	CHECK_STR(pp_drop_station("IP_INADDRERRORS", "ip_error"), "forward");	/* F8 v4 */
	CHECK_STR(pp_drop_station("IP_INADDRERRORS", "ip6_forward"), "forward");	/* F8 v6 */
	CHECK_STR(pp_drop_station("IP_INNOROUTES", "ip_error"), "route");		/* F11a */
	CHECK_STR(pp_drop_station("IP_INNOROUTES", "ip6_pkt_discard"), "route");
	CHECK_STR(pp_drop_station("NOT_SPECIFIED", "ip_error"), "route");		/* F2 v4 */
	CHECK_STR(pp_drop_station("NOT_SPECIFIED", "dst_discard_out"), "route");	/* F2a v6 */
	CHECK_STR(pp_drop_station("NEIGH_FAILED", "neigh_invalidate"), "neighbour");	/* F10 */
	CHECK_STR(pp_drop_station("NEIGH_QUEUEFULL", NULL), "neighbour");
	CHECK_STR(pp_drop_station("NOT_SPECIFIED", "neigh_invalidate"), "neighbour");	/* F10 v6 */
	CHECK_STR(pp_drop_station("QDISC_DROP", "__dev_queue_xmit"), "qdisc");	/* F13 */
	CHECK_STR(pp_drop_station("QDISC_OVERLIMIT", NULL), "qdisc");
	CHECK_STR(pp_drop_station("PKT_TOO_BIG", "ip_forward"), "pmtu");		/* F12 */
	CHECK_STR(pp_drop_station("NO_SOCKET", "__udp4_lib_rcv"), "socket");	/* F9 */
	CHECK_STR(pp_drop_station("SOCKET_FILTER", NULL), "socket");
	CHECK_STR(pp_drop_station("TCP_LISTEN_OVERFLOW", "tcp_conn_request"), "socket");
	CHECK_STR(pp_drop_station("DEV_READY", NULL), "egress-device");
	CHECK_STR(pp_drop_station("DEV_HDR", NULL), "egress-device");
	CHECK_STR(pp_drop_station("NOT_SPECIFIED", "__dev_queue_xmit"), "egress-device");
	CHECK_STR(pp_drop_station("NOT_SPECIFIED", "validate_xmit_skb"), "egress-device");
	CHECK_STR(pp_drop_station("IP_INHDR", "ip_forward"), "forward");		/* TTL expiry */
	CHECK_STR(pp_drop_station("CPU_BACKLOG", NULL), "ingress-device");
	CHECK(pp_drop_station("NOT_SPECIFIED", "tcp_v4_rcv") == NULL);
	CHECK(pp_drop_station("NOT_SPECIFIED", "") == NULL);
	CHECK(pp_drop_station("", "") == NULL);
	CHECK(pp_drop_station(NULL, NULL) == NULL);
	CHECK(pp_drop_station("SOME_FUTURE_REASON", "nft_do_chain") == NULL);

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
