/*
 * dropmap.c: which pathcheck station a kernel drop belongs to, from the drop
 * reason the running kernel names and the symbol of the drop location. This is
 * pathcheck's vocabulary, not a kernel object, so it lives here and not in common/.
 */
#include <string.h>

#include "dropmap.h"
#include "pathcheck.h"

static bool
prefix(const char *s, const char *p)
{
	return strncmp(s, p, strlen(p)) == 0;
}

static bool
is(const char *a, const char *b)
{
	return strcmp(a, b) == 0;
}

enum pc_station_id
pc_drop_station(const char *r, const char *s)
{
	if (!r)
		r = "";
	if (!s)
		s = "";
	if (is(r, "NETFILTER_DROP")) {
		/*
		 * nf_hook_slow frees what a hook returned NF_DROP for without freeing
		 * it itself: conntrack (nf_conntrack_in: INVALID, table full). From
		 * the kernel source, not seen in a lab; on older kernels and with
		 * iptables-legacy a rule's drop also shows here, so the
		 * caller should confirm with nft trace.
		 */
		if (is(s, "nf_hook_slow") || prefix(s, "nf_conntrack_") || prefix(s, "nf_ct_"))
			return PC_CONNTRACK;
		/* A drop or reject rule on any hook (forward, input, output) was seen at nft_do_chain. */
		return PC_ANY_HOOK;
	}
	/*
	 * With ip_forward=0 the kernel gives IP_INADDRERRORS @ ip_error (v4) and @ ip6_forward (v6);
	 * ip_error sets this reason only when the input device does not forward
	 * (with forwarding on, an unreachable route gave NOT_SPECIFIED there): forward.
	 */
	if (is(r, "IP_INADDRERRORS"))
		return PC_FORWARD_ST;
	/* A reverse-path filter failure: IP_RPFILTER @ ip_rcv_finish_core. */
	if (is(r, "IP_RPFILTER"))
		return PC_ROUTE;
	/*
	 * No route on input: IP_INNOROUTES @ ip_error / ip6_pkt_discard; IPv6
	 * unreachable and prohibit routes @ ip6_pkt_discard / ip6_pkt_prohibit.
	 */
	if (is(r, "IP_INNOROUTES"))
		return PC_ROUTE;
	/* From the kernel's list of reasons, not seen in a lab (a failed output lookup builds no skb): route failures. */
	if (is(r, "IP_OUTNOROUTES") || is(r, "BLACKHOLE") || is(r, "IP_LOCAL_SOURCE") ||
	    is(r, "IP_INVALID_SOURCE") || is(r, "IP_LOCALNET") || is(r, "IP_INVALID_DEST") ||
	    is(r, "XFRM_POLICY"))
		return PC_ROUTE;
	/* An IPv4 neighbour going FAILED drops its queue with NEIGH_FAILED @ neigh_invalidate; the rest from the kernel's list. */
	if (prefix(r, "NEIGH_") || is(r, "ARP_PVLAN_DISABLE") || prefix(r, "IPV6_NDISC_"))
		return PC_NEIGHBOUR;
	/*
	 * A full tbf drops with QDISC_DROP @ __dev_queue_xmit. An ARP into a
	 * carrier-down veth gives the same reason and location: the caller checks
	 * the carrier.
	 */
	if (prefix(r, "QDISC_") || is(r, "CAKE_FLOOD") || prefix(r, "FQ_"))
		return PC_QDISC;
	/* From the kernel's list of reasons, not seen in a lab: a tc filter's drop, before the qdisc or after the device. */
	if (is(r, "TC_EGRESS"))
		return PC_TC_EGRESS;
	if (is(r, "TC_INGRESS"))
		return PC_TC_INGRESS;
	/* A forwarded packet over the next MTU: PKT_TOO_BIG @ ip_forward / ip6_forward. */
	if (is(r, "PKT_TOO_BIG"))
		return PC_PMTU;
	/* A closed port: NO_SOCKET @ tcp_v4_rcv, tcp_v6_rcv, __udp4_lib_rcv, __udp6_lib_rcv. */
	if (is(r, "NO_SOCKET") || prefix(r, "SOCKET_") || prefix(r, "TCP_") || is(r, "UDP_CSUM") ||
	    is(r, "PROTO_MEM") || is(r, "IP_NOPROTO"))
		return PC_SOCKET;
	/* Seen on healthy hosts: IP_INHDR @ ip_forward / ip6_forward is a TTL expiry on the way through. */
	if (is(r, "IP_INHDR") && (is(s, "ip_forward") || is(s, "ip6_forward")))
		return PC_FORWARD_ST;
	/* From the kernel's list of reasons, not seen in a lab: device and driver refusing to send. */
	if (is(r, "DEV_READY") || is(r, "DEV_HDR") || is(r, "FULL_RING"))
		return PC_EGRESS_DEVICE;
	/* From the kernel's list of reasons, not seen in a lab: refused on arrival, before routing. */
	if (is(r, "CPU_BACKLOG") || is(r, "XDP") || is(r, "OTHERHOST") ||
	    is(r, "IP_CSUM") || is(r, "IP_INHDR") || is(r, "PKT_TOO_SMALL") || is(r, "HDR_TRUNC") ||
	    is(r, "UNHANDLED_PROTO"))
		return PC_INGRESS_DEVICE;
	if (is(r, "BPF_CGROUP_EGRESS"))
		return PC_OUTPUT;
	/* From the kernel's list of reasons, not seen in a lab: a bridge port that is not forwarding drops what arrives on it. */
	if (is(r, "BRIDGE_INGRESS_STP_STATE"))
		return PC_INGRESS_DEVICE;
	if (is(r, "NOT_SPECIFIED") || !*r) {
		/* IPv4 blackhole, unreachable, prohibit all give NOT_SPECIFIED @ ip_error. */
		if (is(s, "ip_error"))
			return PC_ROUTE;
		/* An IPv6 blackhole route: NOT_SPECIFIED @ dst_discard_out. */
		if (is(s, "dst_discard_out") || is(s, "dst_discard") || prefix(s, "ip6_pkt_discard") ||
		    prefix(s, "ip6_pkt_prohibit"))
			return PC_ROUTE;
		/* An IPv6 neighbour going FAILED: the ND queue flush reports NOT_SPECIFIED @ neigh_invalidate. */
		if (is(s, "neigh_invalidate"))
			return PC_NEIGHBOUR;
		/* Not observed: the transmit path's own drops (no carrier, validation). */
		if (is(s, "__dev_queue_xmit") || prefix(s, "validate_xmit_skb") ||
		    is(s, "dev_hard_start_xmit"))
			return PC_EGRESS_DEVICE;
	}
	return PC_NSTATIONS;
}

/* The same as a name from the station table: "netfilter" (the hooks' family) for PC_ANY_HOOK. */
const char *
pp_drop_station(const char *r, const char *s)
{
	enum pc_station_id id = pc_drop_station(r, s);

	if (id == PC_ANY_HOOK)
		return pc_stations[PC_PREROUTING].family;
	return id < PC_NSTATIONS ? pc_station_name(id) : NULL;
}

bool
pp_drop_benign(const char *r, const char *s)
{
	if (!r)
		r = "";
	if (!s)
		s = "";
	if (is(r, "QUEUE_PURGE"))				/* socket close */
		return true;
	if (is(r, "NO_SOCKET") && is(s, "ping_rcv"))		/* raw-socket ping's echo reply */
		return true;
	if (is(r, "TCP_ABORT_ON_DATA") && (is(s, "tcp_v4_do_rcv") || is(s, "tcp_v6_do_rcv")))
		return true;
	if (is(r, "NOT_SPECIFIED") &&
	    (is(s, "tcp_v4_rcv") || is(s, "tcp_rcv_state_process") ||	/* normal closes */
	     is(s, "ip6_mc_input") ||					/* ND not for us */
	     is(s, "inet_rtm_getroute")))				/* input-path route get */
		return true;
	if (prefix(s, "virtio_transport_") || prefix(s, "vsock_"))	/* host vsock */
		return true;
	return false;
}

