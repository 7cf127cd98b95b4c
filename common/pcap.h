/*
 * pcap.h: a small live capture on one device (libpcap), and a decoder for the ICMP
 * errors seen on the wire.
 *
 * Why a capture: an AF_PACKET tap sees a packet as the device hands it up,
 * before netfilter's PREROUTING and INPUT hooks. An ICMP error that is on the
 * wire but never reaches the socket's error queue was therefore dropped by this
 * host itself (its INPUT rules, rp_filter, a policy). pmtuprobe uses it to tell a
 * Packet Too Big dropped by the local firewall from a real black hole;
 * pathcheck --probe uses the same capture for its answers.
 *
 * The capture runs in the network namespace that is current when
 * pp_pcap_open() is called (enter it first). It is non-blocking and in immediate
 * mode: poll pp_pcap_fd() and call pp_pcap_next() until it returns 0. Opening
 * needs CAP_NET_RAW; without it pp_pcap_open() returns -EPERM and the caller
 * reports the check as unknown. Nothing here prints.
 */
#ifndef PP_PCAP_H
#define PP_PCAP_H

#include <net/if.h>
#include <sys/time.h>
#include "pp.h"

struct pcap;

struct pp_pcap {
	struct pcap *p;
	int fd;			/* selectable fd, -1 when closed */
	int dlt;		/* the link type libpcap reported (DLT_EN10MB, DLT_LINUX_SLL, ...) */
	char dev[IF_NAMESIZE];
	uint64_t packets;	/* packets handed out by pp_pcap_next() */
	uint32_t wire_len;	/* the last one's length on the wire from its network header (not cut to snaplen) */
};

/*
 * Open a capture on dev (in the current network namespace) with a BPF filter in
 * tcpdump syntax (NULL: everything). snaplen bytes per packet are kept (0: 2048).
 * Returns 0, -ENODEV (no such device), -EPERM (needs CAP_NET_RAW), -EINVAL (bad
 * filter), or another -errno; e holds libpcap's message.
 */
int pp_pcap_open(struct pp_pcap *c, const char *dev, const char *filter, int snaplen,
		 struct pp_err *e);
static inline int pp_pcap_fd(const struct pp_pcap *c) { return c->fd; }
/*
 * The next captured packet without blocking: *l3 points at its network-layer
 * header (link header and VLAN tags skipped; valid until the next call), *len is
 * the captured length from there, *ts the capture time (may be NULL). Returns 1, 0
 * when nothing is waiting, or -errno.
 */
int pp_pcap_next(struct pp_pcap *c, const uint8_t **l3, size_t *len, struct timeval *ts);
void pp_pcap_close(struct pp_pcap *c);

/*
 * Strip the link header of one frame of link type dlt: returns the offset of the
 * network-layer header and sets *ethertype (host order), or -EPROTONOSUPPORT for
 * a link type or ethertype we do not handle, -EBADMSG when it is too short. Pure.
 */
int pp_pcap_l3_offset(int dlt, const uint8_t *frame, size_t len, uint16_t *ethertype);

/* An ICMP or ICMPv6 error as seen on the wire, with the packet it quotes. */
struct pp_wire_icmp {
	int family;			/* AF_INET or AF_INET6 */
	struct pp_addr src, dst;	/* of the ICMP packet: the reporting hop, and us */
	uint8_t type, code;
	uint32_t mtu;			/* frag-needed next-hop MTU / PTB MTU; 0 for other types */
	bool has_inner;			/* the quoted header could be read */
	struct pp_addr inner_src, inner_dst;	/* the offending packet's addresses */
	uint8_t inner_proto;		/* its protocol field (IPv4) or next header (IPv6; extension headers are not walked) */
	uint16_t inner_len;		/* its total length as its header said (IPv4 tot_len, IPv6 40+payload) */
	uint16_t inner_sport, inner_dport;	/* UDP/TCP ports, when quoted (host order) */
	uint16_t inner_icmp_id;		/* ICMP echo identifier, when the quoted packet is an echo */
};

/*
 * Decode an IPv4 packet carrying ICMP, or an IPv6 packet whose next header is
 * ICMPv6, that is an error message (v4 types 3, 11, 12; v6 types 1-4). Returns 0,
 * -ENOMSG when it is not an ICMP error, -EBADMSG when truncated. Pure.
 */
int pp_pcap_icmp_decode(const uint8_t *l3, size_t len, struct pp_wire_icmp *out);

/* A BPF filter (tcpdump syntax) for frag-needed (AF_INET) or Packet Too Big (AF_INET6). */
const char *pp_pcap_ptb_filter(int family);

#endif
