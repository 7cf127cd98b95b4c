/*
 * cause.c: the one table of causes (cause.h). A code's number, name, meaning,
 * recommendation, stations and kernel drop reasons are written here and nowhere else:
 * the judgements, the renderers, the man page's CAUSES section and the tests take them
 * from this table (tests/static/docs_in_step.sh compares the man page with it).
 *
 * Kernel drop reasons are the names of the skb:kfree_skb tracepoint's enum (its numbers
 * change between kernels); "REASON@symbol" where dropmap.c needs the location to name
 * the station. test_pathcheck_cause.c checks that dropmap.c maps every reason here to one
 * of the cause's stations.
 */
#include <errno.h>
#include <string.h>

#include "cause.h"
#include "station.h"

#define S(id) (1u << (id))
#define NF (S(PC_PREROUTING) | S(PC_INPUT) | S(PC_FORWARD_ST) | S(PC_OUTPUT) | S(PC_POSTROUTING))
#define DEV (S(PC_INGRESS_DEVICE) | S(PC_EGRESS_DEVICE))

const struct pc_cause_info pc_causes[PC_C_MAX] = {
	[PC_C_NONE] = { "NONE", "every station passes", "nothing to do", 0, { NULL } },

	/* ---- route ---- */
	[PC_C_ROUTE_NONE] = { "ROUTE_NONE", "no route to the destination in any table the policy rules reach",
		"add a route (or bring up the device of one), then check with ip route get", S(PC_ROUTE),
		{ "IP_INNOROUTES", "IP_OUTNOROUTES" } },
	[PC_C_ROUTE_BLACKHOLE] = { "ROUTE_BLACKHOLE", "a blackhole route or policy rule discards the packet silently",
		"remove the blackhole route or rule if the destination should be reachable (ip route show type blackhole)",
		S(PC_ROUTE), { "NOT_SPECIFIED@ip_error", "NOT_SPECIFIED@dst_discard_out" } },
	[PC_C_ROUTE_UNREACHABLE] = { "ROUTE_UNREACHABLE",
		"an unreachable route or policy rule rejects the packet (ICMP host unreachable)",
		"remove the unreachable route or rule if the destination should be reachable (ip route show type unreachable)",
		S(PC_ROUTE), { "IP_INNOROUTES", "NOT_SPECIFIED@ip_error", "NOT_SPECIFIED@ip6_pkt_discard" } },
	[PC_C_ROUTE_PROHIBIT] = { "ROUTE_PROHIBIT",
		"a prohibit route or policy rule rejects the packet (ICMP administratively prohibited)",
		"remove the prohibit route or rule if the destination should be reachable (ip route show type prohibit)",
		S(PC_ROUTE), { "IP_INNOROUTES", "NOT_SPECIFIED@ip_error", "NOT_SPECIFIED@ip6_pkt_prohibit" } },
	[PC_C_ROUTE_THROW] = { "ROUTE_THROW",
		"a throw route sent the lookup on to later rules, and no later table has a route",
		"add the route to the table the throw should reach, or narrow the throw (ip rule show; ip route show table all type throw)",
		S(PC_ROUTE), { "IP_INNOROUTES", "IP_OUTNOROUTES" } },
	[PC_C_RPF] = { "RPF", "the reverse-path filter drops the packet: the route back to its source leaves by another device, or there is none",
		"route the source back through the receiving device, or set rp_filter to 2 (loose) or 0 on it",
		S(PC_ROUTE), { "IP_RPFILTER" } },
	[PC_C_MARTIAN_SOURCE] = { "MARTIAN_SOURCE",
		"the packet's source is an address the input path refuses (loopback, multicast, 0.0.0.0/8, one of this host's own)",
		"fix the sender's source address; log_martians shows each refusal", S(PC_ROUTE),
		{ "IP_INVALID_SOURCE", "IP_LOCAL_SOURCE", "IP_LOCALNET" } },
	[PC_C_MARTIAN_DESTINATION] = { "MARTIAN_DESTINATION",
		"the packet's destination is an address the input path refuses (loopback arriving on a device, 0.0.0.0/8)",
		"fix the destination; route_localnet=1 only where 127/8 must be routed", S(PC_ROUTE),
		{ "IP_INVALID_DEST", "IP_LOCALNET" } },
	[PC_C_FORWARDING_DISABLED] = { "FORWARDING_DISABLED",
		"forwarding is off (net.ipv4.ip_forward, the device's forwarding, or net.ipv6.conf.all.forwarding)",
		"turn forwarding on if this host is meant to route (sysctl -w net.ipv4.ip_forward=1)", S(PC_FORWARD_ST),
		{ "IP_INADDRERRORS" } },
	[PC_C_ROUTE_TABLE_FALLTHROUGH] = { "ROUTE_TABLE_FALLTHROUGH",
		"a policy rule sends the flow to a table with no route for it, and the lookup falls through to a later table",
		"add the route to the table the rule names, or remove the rule (ip route show table N; ip rule show)",
		S(PC_ROUTE), { NULL } },
	[PC_C_ROUTE_DEPENDS_ON_SPORT] = { "ROUTE_DEPENDS_ON_SPORT",
		"a policy rule selects on the source port: some ports the kernel may pick leave another way",
		"check with --sport N for a port on each side of the rule's range", S(PC_ROUTE), { NULL } },
	[PC_C_ROUTE_DEPENDS_ON_TOS] = { "ROUTE_DEPENDS_ON_TOS",
		"a policy rule selects on a TOS that was not given: a packet with it is routed another way",
		"check with --tos for the TOS the application sets", S(PC_ROUTE), { NULL } },

	/* ---- netfilter ---- */
	[PC_C_NFT_RULE_DROP] = { "NFT_RULE_DROP", "an nftables rule drops the packet",
		"change or remove the rule the hint names (nft -a list chain ...)", NF, { "NETFILTER_DROP" } },
	[PC_C_NFT_RULE_REJECT] = { "NFT_RULE_REJECT", "an nftables rule rejects the packet (RST or ICMP error back to the sender)",
		"change or remove the rule the hint names (nft -a list chain ...)", NF, { "NETFILTER_DROP" } },
	[PC_C_NFT_POLICY_DROP] = { "NFT_POLICY_DROP", "no rule of an nftables chain with policy drop accepts the packet",
		"add an accept rule for the flow to the chain, before its end", NF, { "NETFILTER_DROP" } },
	[PC_C_XT_RULE_DROP] = { "XT_RULE_DROP", "an iptables rule (iptables-nft) drops the packet",
		"change or remove the rule (iptables-nft -S CHAIN; the hint names the chain)", NF, { "NETFILTER_DROP" } },
	[PC_C_XT_RULE_REJECT] = { "XT_RULE_REJECT", "an iptables rule (iptables-nft, -j REJECT) rejects the packet",
		"change or remove the rule (iptables-nft -S CHAIN; the hint names the chain)", NF, { "NETFILTER_DROP" } },
	[PC_C_XT_POLICY_DROP] = { "XT_POLICY_DROP", "no rule of an iptables chain (iptables-nft) with policy DROP accepts the packet",
		"add an ACCEPT rule for the flow to the chain (iptables-nft -I CHAIN ...)", NF, { "NETFILTER_DROP" } },
	[PC_C_NETFILTER_DROP] = { "NETFILTER_DROP",
		"the probe saw netfilter drop the packet on this hook, and no rule pathcheck read explains it",
		"find the rule with pathcheck --probe --trace, or nft monitor trace", NF, { "NETFILTER_DROP" } },
	[PC_C_BPF_CGROUP_DROP] = { "BPF_CGROUP_DROP", "a cgroup BPF program refused the packet on its way out",
		"bpftool cgroup tree: find the program attached to the sender's cgroup", S(PC_OUTPUT),
		{ "BPF_CGROUP_EGRESS" } },

	/* ---- socket ---- */
	[PC_C_NO_LISTENER] = { "NO_LISTENER", "nothing listens on the port: TCP answers with RST, UDP with ICMP port unreachable",
		"start the service, or check the port it is configured with (ss -ltnup)", S(PC_SOCKET), { "NO_SOCKET" } },
	[PC_C_LISTENER_LOOPBACK_ONLY] = { "LISTENER_LOOPBACK_ONLY",
		"the service listens on the loopback address only, not on the address the packet is for",
		"bind the service to the address (or to 0.0.0.0 / [::])", S(PC_SOCKET), { "NO_SOCKET" } },
	[PC_C_LISTENER_OTHER_ADDRESS] = { "LISTENER_OTHER_ADDRESS",
		"the service listens on another address of this host, on another device, or on IPv6 only (v6only), not where the packet is for",
		"bind the service to the address (or to 0.0.0.0 / [::])", S(PC_SOCKET), { "NO_SOCKET" } },
	[PC_C_LISTENER_OTHER_PROTOCOL] = { "LISTENER_OTHER_PROTOCOL",
		"nothing listens on the port for this protocol; the other protocol (tcp or udp) listens there",
		"ask with the protocol the service speaks (--proto), or fix the client", S(PC_SOCKET), { "NO_SOCKET" } },
	[PC_C_ACCEPT_QUEUE_FULL] = { "ACCEPT_QUEUE_FULL",
		"the listener's accept queue is full: new connections are dropped (ListenOverflows)",
		"the application accepts too slowly: find why, or raise its backlog and net.core.somaxconn",
		S(PC_SOCKET), { "TCP_LISTEN_OVERFLOW" } },
	[PC_C_ICMP_ECHO_IGNORED] = { "ICMP_ECHO_IGNORED", "the host ignores echo requests (icmp_echo_ignore_all=1)",
		"set icmp_echo_ignore_all to 0, or ask with TCP or UDP", S(PC_SOCKET), { NULL } },
	[PC_C_SOURCE_NOT_LOCAL] = { "SOURCE_NOT_LOCAL", "the source address asked for is not an address of this host",
		"use a local source address (ip addr show)", S(PC_SOCKET), { NULL } },
	[PC_C_SOURCE_DAD_FAILED] = { "SOURCE_DAD_FAILED",
		"the source address failed duplicate address detection: another host on the link has it",
		"find the other holder of the address; change one of them", S(PC_SOCKET), { NULL } },
	[PC_C_SOURCE_TENTATIVE] = { "SOURCE_TENTATIVE",
		"the source address is tentative: duplicate address detection is still running",
		"wait for DAD to finish, or use optimistic DAD", S(PC_SOCKET), { NULL } },
	[PC_C_NO_SOURCE_ADDRESS] = { "NO_SOURCE_ADDRESS", "the route gives no source address: the host has none usable for it",
		"add an address, or a src to the route", S(PC_SOCKET), { NULL } },
	[PC_C_PROTOCOL_UNREACHABLE] = { "PROTOCOL_UNREACHABLE",
		"the kernel has no handler for the packet's protocol (SCTP without CONFIG_IP_SCTP or the sctp module) and no raw socket takes it: "
		"dropped, answered with ICMP protocol unreachable (IPv6: parameter problem, unknown next header)",
		"load the sctp module (modprobe sctp) or use a kernel built with CONFIG_IP_SCTP, then start the service",
		S(PC_SOCKET), { "IP_NOPROTO" } },

	/* ---- conntrack ---- */
	[PC_C_CT_TABLE_FULL] = { "CT_TABLE_FULL", "the conntrack table is full: new flows are dropped",
		"raise net.netfilter.nf_conntrack_max, or shorten timeouts; ctdump --top shows who fills it",
		S(PC_CONNTRACK), { "NETFILTER_DROP@nf_hook_slow", "NETFILTER_DROP@nf_conntrack_in" } },
	[PC_C_CT_TABLE_NEAR_FULL] = { "CT_TABLE_NEAR_FULL", "the conntrack table is at 90% of its limit or more",
		"raise net.netfilter.nf_conntrack_max before it fills; ctdump --top shows who fills it",
		S(PC_CONNTRACK), { NULL } },
	/* Given by no judgement yet (conntrack's INVALID state is not modelled): the number is kept. */
	[PC_C_CT_INVALID] = { "CT_INVALID", "conntrack found the packet INVALID for its flow and it was dropped",
		"conntrack -S (invalid); look for asymmetric routing or a missing helper", S(PC_CONNTRACK),
		{ "NETFILTER_DROP@nf_conntrack_in" } },
	[PC_C_CT_DROPS_RISING] = { "CT_DROPS_RISING", "conntrack dropped flows (drop, insert_failed) while pathcheck ran",
		"conntrack -S; ctdump -c: the table is full, or inserts race", S(PC_CONNTRACK), { NULL } },

	/* ---- neighbour ---- */
	[PC_C_NEIGH_FAILED] = { "NEIGH_FAILED",
		"the next hop's address does not resolve (entry FAILED, or no answer during the probe): nobody answered ARP or neighbour solicitation, or the requests never left",
		"check the next hop is up and on the link, and that nothing here (a tc egress filter, the qdisc) drops the requests (ip neigh show; arping)",
		S(PC_NEIGHBOUR),
		{ "NEIGH_FAILED", "NOT_SPECIFIED@neigh_invalidate" } },
	[PC_C_NEIGH_INCOMPLETE] = { "NEIGH_INCOMPLETE", "resolution of the next hop was sent and has no answer yet (entry INCOMPLETE)",
		"check the next hop is up and on the link (ip neigh show; arping)", S(PC_NEIGHBOUR),
		{ "NEIGH_FAILED", "NEIGH_QUEUEFULL" } },

	/* ---- qdisc, tc, devices ---- */
	[PC_C_QDISC_DROP] = { "QDISC_DROP", "the egress queue discipline drops packets (full queue, rate limit)",
		"qdiscstat: which qdisc or class drops; raise its limit or rate", S(PC_QDISC),
		{ "QDISC_DROP", "QDISC_OVERLIMIT", "QDISC_CONGESTED", "CAKE_FLOOD", "FQ_BAND_LIMIT", "FQ_HORIZON_LIMIT",
		  "FQ_FLOW_LIMIT" } },
	[PC_C_LINK_DOWN] = { "LINK_DOWN", "the device is administratively down", "ip link set DEV up", DEV,
		{ NULL } },
	[PC_C_NO_CARRIER] = { "NO_CARRIER", "the device has no carrier: the cable, the peer or the far end of the link is down",
		"check the link and its peer (ip link show; ethtool DEV)", DEV,
		{ "NOT_SPECIFIED@__dev_queue_xmit" } },
	[PC_C_DEVICE_DROPS] = { "DEVICE_DROPS", "the device dropped packets or counted errors while pathcheck ran",
		"nicstat: the device's error breakdown and driver counters", DEV,
		{ "DEV_READY", "DEV_HDR", "FULL_RING", "CPU_BACKLOG", "OTHERHOST", "IP_CSUM", "PKT_TOO_SMALL",
		  "HDR_TRUNC", "UNHANDLED_PROTO" } },
	[PC_C_XDP_PRESENT] = { "XDP_PRESENT", "an XDP program on the receiving device sees the packet first and may drop it",
		"bpftool net show dev DEV: check what the program does with this flow",
		S(PC_INGRESS_DEVICE) | S(PC_TC_INGRESS), { "XDP" } },
	[PC_C_TC_FILTER_PRESENT] = { "TC_FILTER_PRESENT", "a tc filter (BPF or classifier) on the device may drop or change the packet",
		"tc filter show dev DEV ingress|egress: check what it does with this flow",
		S(PC_TC_INGRESS) | S(PC_TC_EGRESS), { "TC_INGRESS", "TC_EGRESS" } },
	[PC_C_BRIDGE_PORT_BLOCKED] = { "BRIDGE_PORT_BLOCKED",
		"a bridge does not pass the frame to the port it needs: the port is not forwarding or down, or does not flood an address the bridge has not learned",
		"bridge link show; bridge fdb show br BRIDGE (learning and flood flags, the port's state)", DEV,
		{ "BRIDGE_INGRESS_STP_STATE" } },

	/* ---- PMTU ---- */
	[PC_C_MTU_EXCEEDED] = { "MTU_EXCEEDED",
		"the next device's MTU is smaller than the packet may be: it needs fragmentation or working PMTU discovery",
		"let ICMP fragmentation-needed / packet-too-big through, or clamp the TCP MSS", S(PC_PMTU),
		{ "PKT_TOO_BIG" } },
	[PC_C_PMTU_BLACK_HOLE] = { "PMTU_BLACK_HOLE",
		"large packets with DF vanish while small ones are answered, and no hop reports why",
		"pmtuprobe DEST finds the hop; let ICMP errors through there, or clamp the MSS", S(PC_PMTU),
		{ "PKT_TOO_BIG" } },

	/* ---- the far side ---- */
	[PC_C_REMOTE_REFUSED] = { "REMOTE_REFUSED", "the destination refused the probe (RST, or ICMP port unreachable)",
		"on the destination: start the service or open the port (ss -ltnup there)", S(PC_REMOTE), { NULL } },
	[PC_C_REMOTE_SILENT] = { "REMOTE_SILENT", "the probe left this host and nothing came back",
		"run pathcheck --watch on the next hop or the destination: the packet dies beyond this host",
		S(PC_REMOTE), { NULL } },
	[PC_C_REMOTE_ICMP_ERROR] = { "REMOTE_ICMP_ERROR", "a hop or the destination answered with an ICMP error",
		"run pathcheck on the hop that sent the error (the evidence names it)", S(PC_REMOTE), { NULL } },
	[PC_C_PROBES_LOST] = { "PROBES_LOST", "some probes of a --count series were answered and some not: the path is flaky",
		"the pattern says how (every other one, a burst); dropstat and qdiscstat show where packets go", S(PC_REMOTE),
		{ NULL } },

	/* ---- drops the probe saw ---- */
	[PC_C_KERNEL_DROP] = { "KERNEL_DROP", "the probe saw the kernel drop the packet here, for a reason no other code names",
		"the drop reason and its location say more; dropstat shows how often", 0, { NULL } },

	/* ---- could not be decided ---- */
	[PC_C_UNDECIDED_RULE] = { "UNDECIDED_RULE", "a rule pathcheck cannot evaluate may drop or change the packet",
		"read the rule the summary names; --probe --trace shows what it does to a real packet", 0, { NULL } },
	[PC_C_UNDECIDED_UPSTREAM] = { "UNDECIDED_UPSTREAM",
		"an earlier station could not be decided: this station's finding holds only if the packet gets here",
		"decide the earlier station first (the verdict names it)", 0, { NULL } },
	[PC_C_NOT_READ] = { "NOT_READ", "the kernel could not be asked what this station needs (a dump or a read failed)",
		"the summary gives the error; run again, or as root", 0, { NULL } },
	[PC_C_NEEDS_PRIVILEGE] = { "NEEDS_PRIVILEGE", "reading this station needs a privilege pathcheck does not have",
		"run as root, or with the capability the evidence names (CAP_NET_ADMIN)", 0, { NULL } },
	[PC_C_LEGACY_IPTABLES_UNREAD] = { "LEGACY_IPTABLES_UNREAD", "iptables-legacy tables exist and pathcheck does not read them",
		"iptables-legacy -L -n -v; move the rules to nftables or iptables-nft", NF, { NULL } },
	[PC_C_MARK_UNKNOWN] = { "MARK_UNKNOWN", "the packet's mark at routing is not known, and policy rules select on fwmark",
		"pass --mark, or read the rule that sets it", S(PC_ROUTE), { NULL } },
	[PC_C_SPORT_UNKNOWN] = { "SPORT_UNKNOWN",
		"the source port the kernel picks is not known, and a policy rule selects on the source port",
		"pass --sport N", S(PC_ROUTE), { NULL } },
	[PC_C_KERNEL_UNSUPPORTED] = { "KERNEL_UNSUPPORTED", "the running kernel does not say what this station needs",
		"a newer kernel, or check by hand (the hint names the command)", 0, { NULL } },
	[PC_C_PROBE_INCONCLUSIVE] = { "PROBE_INCONCLUSIVE", "the probe ended in a way that decides nothing here",
		"the evidence gives the outcome; run the probe again with --trace", 0, { NULL } },
	[PC_C_BRANCHES_OVERFLOW] = { "BRANCHES_OVERFLOW",
		"the kernel's choices (numgen, maps) split the path into more branches than pathcheck follows",
		"check single endpoints directly", 0, { NULL } },
	[PC_C_BAD_INPUT] = { "BAD_INPUT", "the target could not be checked: its line or name is not valid",
		"fix the target (the summary names what is wrong)", 0, { NULL } },
	[PC_C_RESOLVE_FAILED] = { "RESOLVE_FAILED", "the target's name could not be resolved: the resolver did not answer",
		"check the resolver (getent hosts NAME), or give an address", 0, { NULL } },
	[PC_C_UNCLASSIFIED] = { "UNCLASSIFIED", "pathcheck found a problem it gave no cause: a bug in pathcheck",
		"report it with the JSON output (-j)", 0, { NULL } },
	[PC_C_NOT_FOLLOWED] = { "NOT_FOLLOWED",
		"--follow could not go on: the namespace a veth leads to, or the bridge port a frame leaves by, could not be found",
		"the summary names what was missing; walk the next namespace by hand with -N and --iif", 0, { NULL } },
	[PC_C_LOOPBACK_UNEVALUATED] = { "LOOPBACK_UNEVALUATED",
		"an output dnat sends the host's own packet back to this host: its way back in through lo (prerouting, input) was not evaluated",
		"ask again with the dnat's target as DEST: pathcheck ADDR:PORT", 0, { NULL } },
};

bool
pc_cause_valid(int code)
{
	return code >= 0 && code < PC_C_MAX && pc_causes[code].name;
}

const char *
pc_cause_name(enum pc_cause c)
{
	return pc_cause_valid((int)c) ? pc_causes[c].name : pc_causes[PC_C_UNCLASSIFIED].name;
}

int
pc_cause_by_name(const char *name)
{
	for (int i = 0; name && i < PC_C_MAX; i++)
		if (pc_causes[i].name && strcmp(pc_causes[i].name, name) == 0)
			return i;
	return -1;
}

enum pc_cause
pc_cause_of_errno(int rc)
{
	return rc == -EPERM || rc == -EACCES ? PC_C_NEEDS_PRIVILEGE : PC_C_NOT_READ;
}

/*
 * Codes a drop reason alone does not name: the kind of rule, route or listener comes from
 * what the station read. A drop the probe saw maps to them only when the station found it.
 */
static const enum pc_cause configured_only[] = {
	PC_C_ROUTE_BLACKHOLE, PC_C_ROUTE_UNREACHABLE, PC_C_ROUTE_PROHIBIT, PC_C_ROUTE_THROW,
	PC_C_NFT_RULE_DROP, PC_C_NFT_RULE_REJECT, PC_C_NFT_POLICY_DROP, PC_C_XT_RULE_DROP,
	PC_C_XT_RULE_REJECT, PC_C_XT_POLICY_DROP, PC_C_LISTENER_LOOPBACK_ONLY,
	PC_C_LISTENER_OTHER_ADDRESS, PC_C_LISTENER_OTHER_PROTOCOL, PC_C_CT_TABLE_FULL, PC_C_CT_INVALID,
	PC_C_NEIGH_INCOMPLETE, PC_C_PMTU_BLACK_HOLE,
};

bool
pc_cause_configured_only(enum pc_cause c)
{
	for (size_t i = 0; i < sizeof(configured_only) / sizeof(configured_only[0]); i++)
		if (configured_only[i] == c)
			return true;
	return false;
}

/* Does the cause list the reason (with any location)? */
static bool
lists(const struct pc_cause_info *ci, const char *reason)
{
	size_t n = strlen(reason);

	for (size_t k = 0; k < PC_CAUSE_REASONS_MAX && ci->reasons[k]; k++)
		if (strncmp(ci->reasons[k], reason, n) == 0 && (ci->reasons[k][n] == '\0' || ci->reasons[k][n] == '@'))
			return true;
	return false;
}

enum pc_cause
pc_cause_of_drop(enum pc_cause cur, const char *reason, int station)
{
	if (!reason || !*reason)
		return PC_C_KERNEL_DROP;
	if (pc_cause_valid((int)cur) && cur != PC_C_NONE && cur < PC_C_FIRST_UNDECIDED && lists(&pc_causes[cur], reason))
		return cur;
	for (int i = 1; i < PC_C_FIRST_UNDECIDED; i++)
		if (pc_causes[i].name && pc_causes[i].stations && station >= 0 && station < 32 &&
		    !pc_cause_configured_only((enum pc_cause)i) &&
		    (pc_causes[i].stations & (1u << station)) && lists(&pc_causes[i], reason))
			return (enum pc_cause)i;
	return PC_C_KERNEL_DROP;
}
