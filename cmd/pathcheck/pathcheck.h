/*
 * pathcheck.h: the model. args -> query; collect (kernel, through common/) ->
 * facts; eval (pure) -> stations and verdict; render -> text, JSON, Prometheus.
 */
#ifndef PATHCHECK_H
#define PATHCHECK_H

#include <net/if.h>
#include <netinet/in.h>

#include "cause.h"
#include "cli.h"
#include "icmperr.h"
#include "json.h"
#include "link.h"
#include "neigh.h"
#include "nft.h"
#include "pp.h"
#include "probe_judge.h"
#include "qdisc.h"
#include "route.h"
#include "rule.h"
#include "station.h"

/* NF_CT_STATE_BIT values, as nft's ct state compares them. */
#define PC_CT_INVALID 1u
#define PC_CT_ESTABLISHED 2u
#define PC_CT_RELATED 4u
#define PC_CT_NEW 8u

/* Outcome of a base chain for the packet. */
enum { PC_NFT_POLICY = 0, PC_NFT_ACCEPT, PC_NFT_DROP, PC_NFT_UNKNOWN };

/*
 * The kernel's own choices on a walk: a numgen the kernel draws for each flow (kube-proxy's
 * "numgen random mod 3 vmap { 0 : goto ep-a, ... }"). The walker says which option each
 * choice point takes (pick, in the order they are met; an option not given is 0) and the
 * VM records what it met, so that the walker can run every branch.
 */
#define PC_CHOICES_MAX 64		/* kube-proxy iptables mode: one 2-way -m statistic choice per endpoint but the last */
#define PC_CHOICE_OPTIONS_MAX 64
struct pc_choices {
	uint32_t pick[PC_CHOICES_MAX];
	size_t npick;
	struct pc_choice {
		char where[96];		/* "ip kube-proxy service-abc handle 12": the same rule met again reuses it */
		char what[48];		/* "numgen random mod 3" */
		uint32_t options;	/* how many values it can take */
		uint32_t taken;		/* the one this walk took */
	} seen[PC_CHOICES_MAX];
	size_t nseen;
	bool overflow;			/* more choice points, or options, than followed */
};

struct pc_query {
	enum pc_direction direction;
	int family;
	char dest_arg[256];		/* DEST as typed */
	struct pp_addr dst;
	struct pp_addr src;		/* family 0: not given */
	uint8_t proto;			/* IPPROTO_TCP, IPPROTO_UDP, IPPROTO_SCTP, IPPROTO_ICMP or IPPROTO_ICMPV6 */
	bool has_dport, has_sport, has_mark, has_uid, has_tos;
	uint16_t dport, sport;
	uint8_t tos;			/* --tos, or --dscp shifted into its place */
	uint32_t mark, uid;
	char iif[IF_NAMESIZE], oif[IF_NAMESIZE];
	int iif_index, oif_index;
	/* observation (issue 4) */
	bool probe;			/* --probe: send one real flow */
	bool trace;			/* --trace: nft trace of the flow */
	double timeout;			/* --timeout SEC for the probe */
	double watch;			/* --watch SEC: send nothing, observe */
	uint32_t count;			/* --count N: a series of N probes; 0: one probe, as without it */
	double interval;		/* --interval SEC: from one probe's start to the next's */
	int stop_fd;			/* a signalfd whose readiness stops every probe in flight; <= 0: none */
	bool probes_share_devices;	/* other probes of this run are in flight at the same time (-f,
					   --parallel > 1): a drop seen on a device cannot be told apart */
	/* The namespace the packet is in, as the walk follows it; NULL: the one pathcheck entered. */
	const char *netns;
	/* The branch this walk follows: the option each kernel choice point takes (targets.c). */
	bool follow;			/* --follow: into the namespaces the packet crosses into */
	/*
	 * The flow's conntrack state as the packet meets it (--ct-state): 0 or PC_CT_NEW for the
	 * first packet of a flow (the default), PC_CT_ESTABLISHED, PC_CT_RELATED, PC_CT_INVALID;
	 * ct_reply: the packet goes the reply way (--reply). Only a new flow meets the nat chains.
	 */
	uint32_t ct_state;
	bool ct_reply;
	bool reply, round_trip;		/* --reply: walk the answer back; --round-trip: the packet, then its answer */
	const struct pc_ctbinds *ctbinds;	/* a reply's walk: the nat bindings the request's made, per namespace */
	bool follow_choices;		/* numgen is a choice point, not a value not known */
	uint32_t choice_pick[PC_CHOICES_MAX];
	size_t choice_npick;
};

/* The most probes one --count series sends (the man page says so). */
#define PC_COUNT_MAX 10000

/* What the probe outcome was. */
enum pc_probe_outcome {
	PC_PR_NONE = 0,		/* nothing sent (--watch) */
	PC_PR_CONNECTED,	/* TCP handshake completed */
	PC_PR_REPLY,		/* UDP or ICMP echo answered */
	PC_PR_REFUSED,		/* RST, or ICMP port unreachable from the destination */
	PC_PR_ICMP,		/* an ICMP error from a hop (icmp holds it) */
	PC_PR_SENDERR,		/* the local stack refused to send (err) */
	PC_PR_SILENCE,		/* nothing came back before the timeout */
};

/* A drop the kernel reported while the probe ran (skb:kfree_skb). */
struct pc_drop_seen {
	char reason[48], symbol[64], dev[16];
	enum pc_station_id station;	/* pc_drop_station(): PC_ANY_HOOK for a rule, PC_NSTATIONS when not known */
	int attribution;		/* PP_DROP_OURS_PROCESS, PP_DROP_OURS_DEVICE */
	unsigned count;
	double t_first, t_last;		/* CLOCK_MONOTONIC seconds of the first and the last */
	bool after_answer;		/* every one came after the decisive answer: it does not overturn it */
	bool wire_seen;			/* arrived on the captured device with the flow's packet captured then */
	bool arrived;			/* every one was last seen arriving on a device (not queued to send) */
};

struct pc_series;

struct pc_probe {
	bool ran, watch;
	/*
	 * --count: every probe of the series, each judged from its own record (malloc'd; NULL
	 * without --count). The fields below are then those of its representative probe
	 * (series->rep), wire_out/wire_in and the drops those of the whole series.
	 */
	struct pc_series *series;
	bool series_failed;		/* --count, but the series could not be held (out of memory) */
	enum pc_probe_outcome outcome;
	int err;			/* errno of send/connect, or the error queue's ee_errno */
	double rtt;			/* seconds until the answer */
	bool has_icmp;
	struct pp_icmperr icmp;
	struct pp_addr src;		/* the probe's source address */
	uint16_t sport;
	/* on the wire (libpcap on the egress device, or the ingress device with --watch) */
	int pcap_rc;
	char pcap_err[256];
	char pcap_dev[IF_NAMESIZE];
	unsigned wire_out, wire_in;	/* packets of the flow leaving, and coming back */
	/* a large probe with DF after a small one was answered (icmp, udp) */
	bool big_ran;
	enum pc_probe_outcome big_outcome;
	unsigned big_size;
	bool big_has_icmp;
	struct pp_icmperr big_icmp;
	/* the next hop's entry after a silent probe */
	bool neigh_after;
	uint16_t neigh_state;
	/* counters across the probe */
	int snmp_rc;
	struct pc_counter { char name[48]; uint64_t delta; } ctr[24];
	size_t nctr;
	bool have_qdisc;
	uint64_t qdisc_drops_delta;
	bool have_dev;			/* the device's own drop and error counters */
	uint64_t dev_tx_dropped_delta, dev_rx_dropped_delta, dev_tx_errors_delta, dev_rx_errors_delta;
	bool have_ct;			/* conntrack's per-CPU statistics */
	uint64_t ct_drop_delta, ct_early_drop_delta, ct_insert_failed_delta, ct_invalid_delta;
	/* drops from the kernel */
	int drop_rc;
	char drop_err[256];
	struct pc_drop_seen drops[16];
	size_t ndrops;
	unsigned drops_other, drops_unattributed;
	unsigned drops_uncorroborated;	/* seen arriving on the captured device, no packet of the flow captured then */
	uint64_t drops_lost;
	/* nft trace */
	int trace_rc;
	char trace_err[256];
	unsigned trace_events;
	bool trace_drop;		/* a rule's verdict dropped the flow */
	uint32_t trace_family;
	char trace_table[256], trace_chain[256];
	uint64_t trace_handle;
	char trace_iif[16], trace_oif[16];
	/* what the probe saw, in order, and what was decided from it (probe_judge.c) */
	struct pc_obs obs;
	struct pc_judgement judgement;
};

struct pc_station {
	bool present;			/* part of this direction's path */
	enum pp_status status;
	char summary[512];
	char hint[256];
	char drop_reason[48];
	enum pc_cause cause;		/* why the status: PC_C_NONE exactly when ok or skipped (cause.h) */
	struct pp_val *evidence;	/* JSON object, owned */
	bool observed;			/* the probe saw it happen here: evidence of its own */
};

/* What evaluating one base chain's rules against the packet decided (nftvm.c). */
struct pc_nft_result {
	int verdict;			/* PC_NFT_ACCEPT, PC_NFT_DROP, PC_NFT_UNKNOWN, PC_NFT_POLICY */
	uint32_t policy;		/* NF_ACCEPT/NF_DROP when verdict is PC_NFT_POLICY */
	bool reject;
	bool xt;			/* the deciding rule holds an x_tables match or target (iptables-nft) */
	uint64_t handle;		/* the deciding rule; 0 for the policy */
	char chain[256];		/* the chain holding it */
	char text[256];			/* the rule as nft would show it (understood shapes) */
	char path[512];			/* "output -> blocklist" */
	char why[256];			/* UNKNOWN: what could not be decided */
	char nat[256];			/* a nat statement that applies: "dnat to 203.0.113.2:8080" */
	bool dnat;			/* the nat statement is a dnat with a known target */
	struct pp_addr nat_addr;	/* its address (family 0: unchanged) */
	uint16_t nat_port;		/* its port (0: unchanged) */
	bool mss_clamp;			/* a rule on the path sets the TCP MSS option */
	uint32_t rules_seen;
	/* The packet's mark and the flow's ct mark as the chain leaves them. */
	uint32_t mark, ctmark;
	bool mark_unknown, ctmark_unknown;
	bool mark_set;			/* a rule reached a meta mark set statement */
	char mark_stmt[96];		/* the last one: "meta mark set 0x1" */
	char mark_chain[64];		/* the chain holding it */
	bool reroute;			/* output: the kernel routes again after this chain */
};

/* A base chain on a hook of this path, and what its rules decided for the packet. */
struct pc_chain {
	struct pp_nft_chain c;
	int rc;				/* reading its rules: 0 or -errno */
	struct pc_nft_result res;
};

/* Per-CPU conntrack statistics summed, as /proc/net/stat/nf_conntrack gives them. */
struct pc_ct_stats {
	uint64_t found, invalid, insert, insert_failed, drop, early_drop, search_restart;
	uint64_t clash_resolve, chaintoolong;
	unsigned ncpus;
};

/* A socket that could take the packet (sock_diag). */
struct pc_listener {
	struct pp_addr addr;
	uint16_t port;
	uint32_t ifindex;
	uint32_t rqueue, wqueue;
	bool v6only;
	int family;
};

/*
 * The source ports a packet may carry when none is given (sport.c): for a packet this
 * host sends, net.ipv4.ip_local_port_range (it governs IPv6 too) less
 * ip_local_reserved_ports; for one that arrives, the sender's, any of 1-65535.
 */
#define PC_PORTS_MAX_RESERVED 32
struct pc_ports {
	uint16_t lo, hi;
	struct pc_port_range { uint16_t lo, hi; } rsv[PC_PORTS_MAX_RESERVED];
	size_t nrsv;
};

/* What a rule's source-port range makes of the ports the packet may carry. */
enum pc_sport_class {
	PC_SPORT_NONE = 0,	/* no rule with a source-port range on the way */
	PC_SPORT_DISJOINT,	/* no usable port is in the range: the rule never matches */
	PC_SPORT_INSIDE,	/* every usable port is in the range: the rule matches every packet */
	PC_SPORT_PARTIAL,	/* some are: the route depends on the port */
};

#define PC_SPORT_MAX_RULES 8
/* The rules with a source-port range met on the way to the deciding rule, and the lookups they call for. */
struct pc_sport {
	enum pc_sport_class cls;	/* over all the rules: PARTIAL if one is, else INSIDE if one is */
	size_t nrules;
	struct pc_sport_rule { struct pp_rule r; enum pc_sport_class cls; } rules[PC_SPORT_MAX_RULES];
	size_t named;			/* the rule the summary names: the first PARTIAL, else the first INSIDE */
	uint16_t port_in, port_out;	/* usable ports inside and outside its range (0: none) */
};

/* A device's clsact filters on one hook (tc-ingress, tc-egress). */
struct pc_tc {
	bool read;			/* the device was known and asked */
	int rc;				/* the RTM_GETTFILTER dump: 0 or -errno */
	struct pp_err err;
	char dev[IF_NAMESIZE];
	unsigned nfilters;
	char filters[8][128];		/* "bpf name foo id 42 direct-action pref 49152" */
};

struct pc_facts {
	/* The query as the stations after prerouting see it (DNAT applied). */
	struct pc_query eq;
	/* The kernel's choices this walk met, and the options it took (q->choice_pick). */
	struct pc_choices choices;
	bool choices_init;
	/*
	 * A packet the host sends to its own address loops back through lo: after output and
	 * postrouting it meets the prerouting and input hooks with lo as its in device
	 * (loop_leg: their chains were collected). loop_missed: the route became local only
	 * after they were collected (an output dnat to this host), so they were not.
	 */
	bool loop_leg, loop_missed;
	bool dnat;
	char dnat_text[256];
	struct pp_addr pre_dnat_dst;		/* the destination before prerouting's DNAT (set with dnat) */
	uint16_t pre_dnat_dport;
	/* direction found from the kernel's answer (ingress or forward) */
	int dir_rc;
	/* a bridge port: the IP stack sees the packet arrive on the bridge (eq.iif), bridge-family chains on the port */
	char bridge_port[IF_NAMESIZE];
	/*
	 * --follow: a frame the bridge l2_bridge forwards at layer 2 from port bridge_port to
	 * port l2_out. Only the netfilter stations are walked and judged: the bridge family's
	 * prerouting, forward and postrouting chains, and with br_netfilter (br_nf_call 1) the
	 * IP family's on the same hooks, with the bridge as their device.
	 */
	bool l2;
	char l2_bridge[IF_NAMESIZE], l2_out[IF_NAMESIZE];
	int l2_bridge_index, l2_in_index, l2_out_index;
	bool l2_src_mac_known, l2_dst_mac_known;
	uint8_t l2_src_mac[6], l2_dst_mac[6];
	char l2_dnat[300];			/* a prerouting dnat br_netfilter would route again after */
	/*
	 * l2_local: the IP stack sends it out by the bridge l2_bridge to port l2_out (its route's
	 * device is the bridge): the bridge family's output and postrouting chains, the bridge
	 * as in device at output (__br_forward of a locally sent frame). l2_src_unknown: a
	 * source nat before changed the source to one not known here.
	 */
	bool l2_local, l2_src_unknown;
	/* ingress device */
	int iif_rc;
	struct pp_err iif_err;
	struct pp_link iif_link;
	bool iif_tc_ingress;			/* an ingress or clsact qdisc is attached */
	/* sysctls: -1 when they could not be read */
	long long ip_forward, iif_forwarding, v6_forwarding, v6_iif_forwarding;
	long long br_nf_call;			/* net.bridge.bridge-nf-call-iptables (ip6tables for IPv6) */
	long long rp_filter_all, rp_filter_dev, accept_local, route_localnet, icmp_echo_ignore;
	/* lookups that explain a failing input lookup */
	int out_rc;				/* the destination looked up without iif */
	struct pp_route out_route;
	int rev_rc;				/* the reverse path: the route back to the source */
	struct pp_route rev_route;
	int src_is_local;			/* the packet's source is one of our addresses */
	/* socket (ingress) */
	int sock_rc;
	struct pp_err sock_err;
	struct pc_listener listeners[16];
	size_t nlisteners;
	int other_sock_rc;			/* the other protocol (udp for tcp, tcp for udp) on the same port */
	bool sock_local_read;			/* egress to this host's own address: the listeners were read */
	/* socket, SCTP: whether the kernel has it (/proc/net/protocols), and raw sockets of protocol 132 */
	int sctp_rc;				/* 0 read, or -errno */
	bool sctp_kernel;			/* an SCTP (or SCTPv6) protocol is registered */
	int sctp_raw_rc;			/* /proc/net/raw or raw6: 0 read, or -errno */
	bool sctp_raw;				/* a raw socket of protocol 132 takes the packet */
	struct pc_listener other_listeners[16];
	size_t nother;
	bool have_snmp;
	uint64_t listen_overflows, listen_drops;
	/* conntrack */
	int ct_rc;				/* -ENOENT: conntrack is not loaded */
	long long ct_count, ct_max, ct_buckets;
	struct pc_ct_stats ct;

	/* route */
	int route_rc;
	struct pp_err route_err;
	struct pp_route route;
	int fib_rc;
	struct pp_route fib;			/* RTM_F_FIB_MATCH: the FIB entry */
	/*
	 * ECMP: the FIB entry has ecmp_n > 1 next hops (fib.nh[]). ecmp_kernel: the one the
	 * kernel's answer for the looked-up flow took (-1: not one of them); ecmp_taken: the
	 * one this walk follows; ecmp_branch: the hash depends on what pathcheck does not
	 * know (the source port, a flow label), so every next hop is a branch; else
	 * ecmp_why says why the kernel's answer is this flow's.
	 */
	int ecmp_n, ecmp_kernel, ecmp_taken;
	bool ecmp_skip[16];			/* next hops the kernel passes over (neighbour not valid) */
	bool ecmp_branch;
	long long ecmp_policy;			/* fib_multipath_hash_policy, -1 not read */
	int rules_rc;
	struct pp_err rules_err;
	struct pp_rule *rules;
	size_t nrules;
	/* When the lookup failed: the special route (blackhole, unreachable, prohibit, throw) found per table tried. */
	struct pc_special {
		uint32_t table;
		uint32_t rule_prio;
		bool found;
		struct pp_route r;
		int rc;				/* the table's dump: 0, or -errno (-ENOENT: no such table) */
	} special[16];
	size_t nspecial;
	/*
	 * When the lookup succeeded: the custom tables a rule sent the flow to before the
	 * deciding rule, each with the throw route that sent the lookup on, if it holds one.
	 */
	struct pc_special thrown[8];
	size_t nthrown;
	char links_down[256];			/* devices administratively down, for a "no route" */
	/* socket (egress source) */
	int src_local;				/* 1 local, 0 not, <0 -errno */
	uint32_t src_flags;
	int nosrc_rc;				/* lookup again without --from when the source is not local */
	struct pp_route nosrc_route;
	/* egress device */
	int oif_rc;
	struct pp_err oif_err;
	struct pp_link oif_link;
	/* neighbour */
	bool need_neigh;
	struct pp_addr nexthop;
	int neigh_rc;
	struct pp_err neigh_err;
	struct pp_neigh neigh;
	/* tc-ingress (tc[0]), tc-egress (tc[1]) */
	struct pc_tc tc[2];
	/* qdisc */
	int qdisc_rc;
	struct pp_err qdisc_err;
	struct pp_qdisc *qdiscs;
	size_t nqdiscs;
	/* netfilter */
	int nft_rc;
	struct pp_err nft_err;
	struct pc_chain *chains;
	size_t nchains;
	char legacy[128];
	int nlegacy;
	unsigned nft_base_total;		/* base chains of any family and hook in this namespace */
	/*
	 * The packet's mark as the netfilter chains leave it (it starts as --mark, the socket's),
	 * the flow's ct mark, and the last rule that changed the mark.
	 */
	uint32_t mark, ctmark;
	bool mark_unknown, ctmark_unknown;
	char mark_by[256];			/* "meta mark set 0x1 in ip mangle OUTPUT" */
	/* The mark the route lookup used (the one shown in the route station), and what changed it. */
	uint32_t route_mark;
	bool route_mark_unknown;
	char route_after[512];			/* the rules that changed mark or destination before (re)routing */
	bool route_mark_changed;		/* route_mark is not the query's (--mark) */
	bool rerouted;				/* egress: routed again after OUTPUT (ip_route_me_harder) */
	int route_before_rc;			/* egress: the socket's own lookup, before OUTPUT */
	char route_before[256];
	struct pp_addr src_before;		/* the source it chose, which the packet keeps */
	/*
	 * Source-port rules, when no --sport was given for TCP or UDP: the ports the packet
	 * may carry, what the rules make of them, and the port the route above was looked up
	 * with (eq.sport). PARTIAL: the route with the other port (inside or outside the
	 * named rule's range) too.
	 */
	bool sport_checked;
	int ports_rc;				/* reading ip_local_port_range: 0 or -errno */
	struct pc_ports ports;
	struct pc_sport sp;
	uint16_t sport_other;			/* PARTIAL: the port of the other lookup */
	int sport_other_rc;
	struct pp_err sport_other_err;
	struct pp_route sport_other_route;
	int sport_other_fib_rc;
	struct pp_route sport_other_fib;	/* RTM_F_FIB_MATCH of the other lookup */
	/* observation (--probe, --watch) */
	struct pc_probe pr;
	/*
	 * The walk's own: an output chain made the kernel route again (nft_resume: the next
	 * chain to evaluate, plus one; 0: none pending), and what changed (reroute_why).
	 */
	size_t nft_resume;
	char reroute_why[256];
};

struct pc_result {
	struct pc_station st[PC_NSTATIONS];
	enum pc_station_id verdict_station;	/* PC_NSTATIONS when none */
	enum pp_status verdict_status;
	enum pc_cause verdict_cause;		/* PC_C_NONE when ok */
	char **warnings;
	size_t nwarnings;
	double elapsed;
	/* With branches (targets.c): the verdict over all of them, said for all of them, and the
	   result of the branch whose station it names (hint, drop reason); NULL: this one. */
	char branches_summary[512];
	const struct pc_result *decided_by;
};

/* One branch of a walk the kernel's choices split (a numgen's value), judged on its own. */
#define PC_BRANCHES_MAX 64
struct pc_branch {
	char label[512];		/* "numgen random mod 3 = 1; dnat to 198.51.100.12:8080" */
	enum pp_status status;		/* the branch's own verdict */
	enum pc_station_id station;	/* PC_NSTATIONS: every station passes */
	enum pc_cause cause;		/* the branch's own verdict's cause */
	struct pc_facts f;
	struct pc_result r;
	/*
	 * --follow: the branch's walk on from here (a view of this branch's facts and result,
	 * which it does not own, and the hops after it); NULL when not followed.
	 */
	struct pc_target *walk;
};

struct pc_opts {
	struct pp_cli cli;
	struct pc_query q;		/* DEST, or the options every target of -f shares */
	bool verbose;
	const char *file;		/* -f */
	uint32_t parallel;		/* --parallel */
	uint8_t default_proto;		/* --proto given with -f, else 0 */
	const char *save;		/* --save FILE: run live, also write a snapshot */
	const char *snapshot;		/* --snapshot FILE: answer from it, offline */
	bool list;			/* --list: the snapshot's pieces */
	const char *diff_before;	/* --diff BEFORE AFTER: two snapshots (AFTER "-": the live host) */
	const char *diff_after;
	const char *replay;		/* --replay FILE: the snapshot's verdict, then the kernel's in its restored state */
};

/* expect= of a -f line (targets.c): what the verdict must be. */
enum { PC_EXPECT_NONE = 0, PC_EXPECT_PASS, PC_EXPECT_DROP };

/* How a --follow walk ended. */
enum pc_follow_end {
	PC_FOLLOW_NONE = 0,	/* not followed */
	PC_FOLLOW_DELIVERED,	/* to a socket */
	PC_FOLLOW_LEAVES,	/* by a device with no peer pathcheck can enter: the uplink, a tunnel */
	PC_FOLLOW_DIES,
	PC_FOLLOW_UNDECIDED,
};
#define PC_HOPS_MAX 8
struct pc_hop;

/*
 * The nat a namespace gave a flow's first packet (conntrack keeps it as the flow's
 * binding): its answer meets it undone, the destination before routing (an snat's),
 * the source on the way out (a dnat's).
 */
struct pc_ctbind {
	char netns[64];
	bool dnat, snat;
	struct pp_addr d_orig, d_new, s_orig, s_new;
	uint16_t dp_orig, dp_new, sp_orig, sp_new;
	bool dp_known, sp_known;
};
struct pc_ctbinds {
	struct pc_ctbind b[PC_HOPS_MAX + 1];
	size_t n;
};

/* One destination checked: its query, and what was found (or why it could not be checked). */
struct pc_replay;
struct pc_target {
	struct pc_query q;
	struct pc_replay *replay;	/* --replay: the kernel's outcome beside the verdict (replay.c); not owned */
	char label[128];		/* name=LABEL, else DEST as written */
	int line;			/* in the -f file, 0 for the command line */
	int rc;				/* PP_EXIT_OK; PP_EXIT_USAGE for a bad line or a name that does not
					   exist; PP_EXIT_UNKNOWN when the resolver did not answer */
	char error[256];
	uint8_t expect;			/* expect= of the -f line: PC_EXPECT_NONE, _PASS or _DROP */
	struct pc_facts f;
	struct pc_result r;
	/*
	 * Where the walk met choices the kernel makes: every branch, the first (every
	 * choice at 0) in f and r, all of them (that one again first) in br. nbr 0: none.
	 */
	struct pc_branch *br;
	size_t nbr;
	bool br_overflow;		/* more than PC_BRANCHES_MAX, or a choice too wide to follow */
	/*
	 * --follow: the namespaces the packet went on into (follow.c), each a walk of its own;
	 * this target is the first hop. The verdict above is the whole walk's.
	 */
	struct pc_hop *hops;
	size_t nhops;
	enum pc_follow_end follow_end;
	enum pp_status follow_status;
	enum pc_cause follow_cause;	/* of a walk that ended between two namespaces */
	char follow_summary[512];	/* "delivered to a socket in netns ctr", "leaves the machine by eth0 ..." */
	char follow_netns[64];		/* the namespace the verdict is in */
	char netns_name[64];		/* this (the first) hop's namespace */
	/* --reply, --round-trip: the nat bindings this walk made, and the walk of its answer. */
	struct pc_ctbinds *binds;
	struct pc_target *reply;
	char reply_none[256];		/* why there is no answer to walk */
	/* How the packet left the machine (PC_FOLLOW_LEAVES): by left_dev, from left to left_dst. */
	bool left_ok, left_has_sport, left_has_dport;
	struct pp_addr left, left_dst;
	uint16_t left_sport, left_dport;
	char left_dev[IF_NAMESIZE];
	bool verdict_is_reply;		/* the verdict above is the answer's */
	/* The walk split (a numgen) and each branch was followed: the branch that decides. */
	const struct pc_result *split_result;
	enum pc_cause split_cause;
	enum pc_station_id split_station;
	char split_netns[64];
};

/* A namespace a --follow walk went on into: how the packet got there, and its walk there. */
struct pc_hop {
	char netns[64];
	int nsfd;			/* the namespace, open while the walk is followed; -1 when closed */
	char dev_prev[IF_NAMESIZE];	/* the device it left the namespace before by */
	char dev_in[IF_NAMESIZE];	/* the device it arrives on here */
	char via[384];			/* "bridge docker0 port veth1 (fdb learned ...), veth veth1 -> eth0" */
	char nat[256];			/* the source nat it left the namespace before with */
	bool l2;			/* bridged on at layer 2: no IP stations here (t holds the packet and the port out) */
	char l2_via[300];		/* "bridged by br0 from vethc to vethd (fdb learned ...)" */
	struct pc_target t;
};

/* args.c */
int pc_args(int argc, char *argv[], struct pc_opts *o);
/*
 * A snapshot another tool wrote (qdiscstat --save, ...) holds only what that run read:
 * without the links, addresses, routes and rules of namespace index ns (-1: the one it
 * was saved in) pathcheck cannot walk, and says so in one message naming the file, its
 * writer, what is missing and what it holds: PP_EXIT_USAGE. Else PP_EXIT_OK.
 */
struct pp_snap;
int pc_snap_usable(const struct pc_opts *o, const struct pp_snap *s, int ns);
/* Resolve DEST: PP_EXIT_OK, PP_EXIT_USAGE (bad input: no such name, a mistyped address) or PP_EXIT_UNKNOWN (no answer). */
int pc_resolve(struct pc_query *q, char *why, size_t len);
/* "IPv4" or "IPv6" when DEST can only be meant as such an address, else NULL. */
const char *pc_dest_looks_like_addr(const char *dest);
/* targets.c */
/*
 * Parse one line of a -f file into t, starting from the shared options in base.
 * Returns 1 for a target, 0 for a blank or comment line, -1 with why filled.
 */
int pc_target_parse(const char *line, const struct pc_query *base, uint8_t default_proto,
		    struct pc_target *t, char *why, size_t len);
/* The most targets one -f file may hold (the man page says so). */
#define PC_TARGETS_MAX 10000
/* Read every target of path. *t is malloc'd (free with pc_targets_free). Exit code, why filled on error. */
int pc_targets_load(const char *path, const struct pc_opts *o, struct pc_target **t, size_t *n,
		    char *why, size_t len);
/* Check every target, parallel at a time (threads share the namespace entered before). */
void pc_targets_run(struct pc_target *t, size_t n, unsigned parallel);
void pc_targets_free(struct pc_target *t, size_t n);
/* One target from start to verdict (its query resolved if need be), and free one target's parts. */
void pc_target_check(struct pc_target *t);
void pc_targets_free_one(struct pc_target *t);
/* follow.c: --follow the walk of t into the namespaces it crosses into. */
void pc_follow(struct pc_target *t);
void pc_hops_free(struct pc_target *t);
void pc_branch_walk_free(struct pc_target *v);
/* The answer to t's packet, walked back from where it was delivered or left the machine (--reply, --round-trip). */
void pc_reply(struct pc_target *t);
void pc_reply_verdict(struct pc_target *t);
const char *pc_follow_end_name(enum pc_follow_end e);
int pc_targets_exit(const struct pc_target *t, size_t n);
/*
 * Is t's expectation met? 1 met, 0 broken, -1 not decided (the verdict unknown, or
 * the target could not be checked) or no expectation. pass: the verdict is ok; drop:
 * it is fail (a warn meets neither: the packet may die, or may not).
 */
int pc_expect_met(uint8_t expect, int rc, enum pp_status verdict);
const char *pc_expect_name(uint8_t expect);
/* diff.c: --diff BEFORE AFTER, the whole run; returns the exit code. */
int pc_diff_main(struct pc_opts *o);
/* collect.c: walk the stations of the path, filling the facts. Never fails as a whole: each part records its own error. */
void pc_collect(const struct pc_query *q, struct pc_facts *f);
void pc_facts_free(struct pc_facts *f);
/* Conntrack's per-CPU statistics of this namespace, summed. Returns 0, or -errno when conntrack is not loaded. */
int pc_ct_stats_read(struct pc_ct_stats *st);
/* probe.c: send the probe (or watch) and observe it: error queue, wire, drops, trace, counters. */
void pc_probe_run(const struct pc_query *q, struct pc_facts *f);
/* probe_judge.c: the record and its judgement, as evidence (basis, disagreement, events). */
void pc_probe_evidence(const struct pc_probe *pr, struct pp_val *ev);
enum pc_station_id pc_counter_station(const char *name);
/* The drops of every qdisc of one device, summed. Returns 0 or -errno. */
int pc_qdisc_drops(struct pp_nl *nl, int ifindex, uint64_t *sum);
/* sport.c: pure. */
/* Parse ip_local_port_range ("32768\t60999\n") into p->lo, p->hi. Returns 0 or -EINVAL. */
int pc_ports_parse(const char *text, struct pc_ports *p);
/* Parse ip_local_reserved_ports ("8080,9000-9010\n", or empty) into p->rsv. Returns 0 or -EINVAL. */
int pc_ports_reserved_parse(const char *text, struct pc_ports *p);
/* Can the port be chosen: inside p's range and not reserved? */
bool pc_port_usable(const struct pc_ports *p, uint16_t port);
/*
 * Compare the range lo-hi of a rule with the usable ports of p. *in and *out get the
 * lowest usable port inside and outside it (0 when there is none).
 */
enum pc_sport_class pc_sport_classify(const struct pc_ports *p, uint16_t lo, uint16_t hi, uint16_t *in,
				      uint16_t *out);
/*
 * The rules with a source-port range that the flow rf (any source port) meets before
 * upto, the rule that decided its route (NULL: every rule), and whose other selectors
 * match it: the port decides whether each matches. Fills sp (classes, ports); returns
 * the number of such rules.
 */
size_t pc_sport_plan(const struct pp_rule *rules, size_t n, const struct pp_rule_flow *rf,
		     const struct pp_rule *upto, const struct pc_ports *p, struct pc_sport *sp);
const char *pc_sport_class_name(enum pc_sport_class c);
/* st_route.c: pure. */
/* The first rule the flow matches that sends it to table, or NULL. */
const struct pp_rule *pc_deciding_rule(const struct pc_facts *f, const struct pp_rule_flow *rf, uint32_t table);
/* st_route.c: the rule walk's idea of the flow (a locally generated packet comes from "lo"). */
void pc_rule_flow(const struct pc_query *q, struct pp_rule_flow *rf);
/* eval.c: judge every station, pick the verdict. Pure. */
void pc_eval(const struct pc_query *q, const struct pc_facts *f, struct pc_result *r);
void pc_result_free(struct pc_result *r);
void pc_warn(struct pc_result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int pc_exit_code(const struct pc_result *r);
/* render.c: one target (the contract's document) or many (-f). */
void pc_render_text(const struct pc_opts *o, const struct pc_target *t, size_t n, FILE *f);
void pc_render_json(const struct pc_opts *o, const struct pc_target *t, size_t n, FILE *f);
/* t may be NULL (n 0) for a run that could not check anything: run_success 0. */
void pc_render_prom(const struct pc_opts *o, const struct pc_target *t, size_t n, FILE *f, bool ok);
/* The expect= of a target in each format (the text returns 1 when it is broken). */
struct pp_prom;
int pc_text_expect(const struct pp_cli *c, const struct pc_target *t, FILE *f);
void pc_json_expect(const struct pc_target *t, struct pp_json *j);
void pc_prom_expect(struct pp_prom *p, const struct pc_target *t, size_t n);
/* nagios.c: the --nagios status line on stdout; returns its state (the exit code). */
int pc_render_nagios(const struct pc_opts *o, const struct pc_target *t, size_t n);
const char *pc_direction_name(enum pc_direction d);
const char *pc_proto_name(uint8_t proto);
/* A protocol whose packets carry ports where tcp's and udp's are (the first 4 bytes of the header). */
static inline bool
pc_proto_has_ports(uint8_t proto)
{
	return proto == IPPROTO_TCP || proto == IPPROTO_UDP || proto == IPPROTO_SCTP;
}
const char *pc_ct_state_name(uint32_t st);


#endif
