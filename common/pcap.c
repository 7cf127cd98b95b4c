/*
 * pcap.c: one-device live capture through libpcap, and the ICMP error wire decoder.
 *
 * libpcap is opened with dlopen() at the first capture, not linked: linked, it
 * and what it pulls in (libdbus, libsystemd, libgcrypt, liblzma, libzstd, liblz4,
 * libgpg-error, libcap) cost every run of pathcheck and pmtuprobe about 4 ms of
 * CPU in the dynamic loader (an empty program: 2.35 ms linked with nothing, 6.23 ms
 * with -lpcap), where most runs capture nothing. The header still gives the types.
 */
#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/ip_icmp.h>
#include <netinet/icmp6.h>
#include <pcap/pcap.h>

#include "pcap.h"

#define PP_ETH_IPV4 0x0800
#define PP_ETH_IPV6 0x86dd
#define PP_ETH_VLAN 0x8100
#define PP_ETH_QINQ 0x88a8

/* The libpcap functions used here, from dlopen(); ok when every one was found. */
static struct {
	bool ok;
	char why[160];
	__typeof__(pcap_create) *create;
	__typeof__(pcap_set_snaplen) *set_snaplen;
	__typeof__(pcap_set_promisc) *set_promisc;
	__typeof__(pcap_set_immediate_mode) *set_immediate_mode;
	__typeof__(pcap_set_buffer_size) *set_buffer_size;
	__typeof__(pcap_activate) *activate;
	__typeof__(pcap_geterr) *geterr;
	__typeof__(pcap_close) *close;
	__typeof__(pcap_compile) *compile;
	__typeof__(pcap_setfilter) *setfilter;
	__typeof__(pcap_freecode) *freecode;
	__typeof__(pcap_setnonblock) *setnonblock;
	__typeof__(pcap_datalink) *datalink;
	__typeof__(pcap_get_selectable_fd) *get_selectable_fd;
	__typeof__(pcap_next_ex) *next_ex;
} lib;
static pthread_once_t lib_once = PTHREAD_ONCE_INIT;

static void
lib_load(void)
{
	/* The upstream soname first, then Debian's (libpcap0.8), then the development link. */
	static const char *const names[] = { "libpcap.so.1", "libpcap.so.0.8", "libpcap.so" };
	void *h = NULL;

	for (size_t i = 0; !h && i < sizeof(names) / sizeof(names[0]); i++)
		h = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(lib.why, sizeof(lib.why), "libpcap is not installed (%s)", dlerror());
		return;
	}
#define LIB_SYM(f)                                                                              \
	do {                                                                                    \
		if (!(lib.f = (__typeof__(lib.f))dlsym(h, "pcap_" #f))) {                       \
			snprintf(lib.why, sizeof(lib.why), "libpcap has no pcap_%s", #f);        \
			return;                                                                 \
		}                                                                               \
	} while (0)
	LIB_SYM(create);
	LIB_SYM(set_snaplen);
	LIB_SYM(set_promisc);
	LIB_SYM(set_immediate_mode);
	LIB_SYM(set_buffer_size);
	LIB_SYM(activate);
	LIB_SYM(geterr);
	LIB_SYM(close);
	LIB_SYM(compile);
	LIB_SYM(setfilter);
	LIB_SYM(freecode);
	LIB_SYM(setnonblock);
	LIB_SYM(datalink);
	LIB_SYM(get_selectable_fd);
	LIB_SYM(next_ex);
#undef LIB_SYM
	lib.ok = true;	/* the handle stays open for the life of the process */
}

int
pp_pcap_open(struct pp_pcap *c, const char *dev, const char *filter, int snaplen,
	     struct pp_err *e)
{
	char ebuf[PCAP_ERRBUF_SIZE] = "";
	struct bpf_program prog;
	int rc;

	memset(c, 0, sizeof(*c));
	c->fd = -1;
	snprintf(c->dev, sizeof(c->dev), "%s", dev);
	if (if_nametoindex(dev) == 0) {
		pp_err_set(e, ENODEV, "capture on %s", dev);
		return -ENODEV;
	}
	pthread_once(&lib_once, lib_load);
	if (!lib.ok) {
		pp_err_set(e, EOPNOTSUPP, "capture on %s: %s", dev, lib.why);
		return -EOPNOTSUPP;
	}
	c->p = lib.create(dev, ebuf);
	if (!c->p) {
		pp_err_set(e, ENOMEM, "capture on %s: %s", dev, ebuf);
		return -ENOMEM;
	}
	lib.set_snaplen(c->p, snaplen > 0 ? snaplen : 2048);
	lib.set_promisc(c->p, 0);
	lib.set_immediate_mode(c->p, 1);
	lib.set_buffer_size(c->p, 256 << 10);
	rc = lib.activate(c->p);
	if (rc < 0) {
		int err = rc == PCAP_ERROR_PERM_DENIED ? EPERM :
			  rc == PCAP_ERROR_NO_SUCH_DEVICE ? ENODEV : EIO;

		pp_err_set(e, err, "capture on %s: %s", dev, lib.geterr(c->p));
		lib.close(c->p);
		c->p = NULL;
		return -err;
	}
	if (filter) {
		if (lib.compile(c->p, &prog, filter, 1, PCAP_NETMASK_UNKNOWN) < 0) {
			pp_err_set(e, EINVAL, "capture filter '%s': %s", filter, lib.geterr(c->p));
			pp_pcap_close(c);
			return -EINVAL;
		}
		rc = lib.setfilter(c->p, &prog);
		lib.freecode(&prog);
		if (rc < 0) {
			pp_err_set(e, EINVAL, "capture filter '%s': %s", filter, lib.geterr(c->p));
			pp_pcap_close(c);
			return -EINVAL;
		}
	}
	if (lib.setnonblock(c->p, 1, ebuf) < 0) {
		pp_err_set(e, EIO, "capture on %s: %s", dev, ebuf);
		pp_pcap_close(c);
		return -EIO;
	}
	c->dlt = lib.datalink(c->p);
	c->fd = lib.get_selectable_fd(c->p);
	if (c->fd < 0) {
		pp_err_set(e, EOPNOTSUPP, "capture on %s: no selectable descriptor", dev);
		pp_pcap_close(c);
		return -EOPNOTSUPP;
	}
	return 0;
}

void
pp_pcap_close(struct pp_pcap *c)
{
	if (c->p)
		lib.close(c->p);
	c->p = NULL;
	c->fd = -1;
}

int
pp_pcap_l3_offset(int dlt, const uint8_t *frame, size_t len, uint16_t *ethertype)
{
	size_t off;
	uint16_t et;

	switch (dlt) {
	case DLT_EN10MB:
		if (len < 14)
			return -EBADMSG;
		et = (uint16_t)(frame[12] << 8 | frame[13]);
		off = 14;
		/* At most two VLAN tags (802.1ad outer, 802.1Q inner). */
		for (int i = 0; i < 2 && (et == PP_ETH_VLAN || et == PP_ETH_QINQ); i++) {
			if (len < off + 4)
				return -EBADMSG;
			et = (uint16_t)(frame[off + 2] << 8 | frame[off + 3]);
			off += 4;
		}
		break;
	case DLT_LINUX_SLL:
		if (len < 16)
			return -EBADMSG;
		et = (uint16_t)(frame[14] << 8 | frame[15]);
		off = 16;
		break;
	case DLT_LINUX_SLL2:
		if (len < 20)
			return -EBADMSG;
		et = (uint16_t)(frame[0] << 8 | frame[1]);
		off = 20;
		break;
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
		if (len < 1)
			return -EBADMSG;
		et = (frame[0] >> 4) == 6 ? PP_ETH_IPV6 : PP_ETH_IPV4;
		off = 0;
		break;
	default:
		return -EPROTONOSUPPORT;
	}
	if (et != PP_ETH_IPV4 && et != PP_ETH_IPV6)
		return -EPROTONOSUPPORT;
	*ethertype = et;
	return (int)off;
}

int
pp_pcap_next(struct pp_pcap *c, const uint8_t **l3, size_t *len, struct timeval *ts)
{
	struct pcap_pkthdr *h;
	const u_char *data;
	uint16_t et;
	int rc, off;

	if (!c->p)
		return -EBADF;
	for (;;) {
		rc = lib.next_ex(c->p, &h, &data);
		if (rc == 0)
			return 0;
		if (rc < 0)
			return rc == PCAP_ERROR_BREAK ? 0 : -EIO;
		off = pp_pcap_l3_offset(c->dlt, data, h->caplen, &et);
		if (off < 0)
			continue;	/* not IP: the filter should have kept it out */
		*l3 = data + off;
		*len = h->caplen - (size_t)off;
		c->wire_len = h->len > (bpf_u_int32)off ? h->len - (uint32_t)off : 0;
		if (ts)
			*ts = h->ts;
		c->packets++;
		return 1;
	}
}

/* The quoted (offending) packet inside an ICMP error: addresses, length, ports. */
static void
decode_inner(const uint8_t *p, size_t len, struct pp_wire_icmp *out)
{
	size_t hl;
	const uint8_t *l4;
	size_t l4len;

	if (len < 1)
		return;
	if ((p[0] >> 4) == 4) {
		if (len < 20)
			return;
		hl = (size_t)(p[0] & 0x0f) * 4;
		if (hl < 20 || len < hl)
			return;
		pp_addr_set(&out->inner_src, AF_INET, p + 12, 4);
		pp_addr_set(&out->inner_dst, AF_INET, p + 16, 4);
		out->inner_proto = p[9];
		out->inner_len = (uint16_t)(p[2] << 8 | p[3]);
		l4 = p + hl;
		l4len = len - hl;
	} else if ((p[0] >> 4) == 6) {
		if (len < 40)
			return;
		pp_addr_set(&out->inner_src, AF_INET6, p + 8, 16);
		pp_addr_set(&out->inner_dst, AF_INET6, p + 24, 16);
		out->inner_proto = p[6];
		out->inner_len = (uint16_t)(40 + (p[4] << 8 | p[5]));
		l4 = p + 40;
		l4len = len - 40;
	} else {
		return;
	}
	out->has_inner = true;
	if ((out->inner_proto == IPPROTO_UDP || out->inner_proto == IPPROTO_TCP) && l4len >= 4) {
		out->inner_sport = (uint16_t)(l4[0] << 8 | l4[1]);
		out->inner_dport = (uint16_t)(l4[2] << 8 | l4[3]);
	} else if ((out->inner_proto == IPPROTO_ICMP || out->inner_proto == IPPROTO_ICMPV6) &&
		   l4len >= 6) {
		out->inner_icmp_id = (uint16_t)(l4[4] << 8 | l4[5]);
	}
}

int
pp_pcap_icmp_decode(const uint8_t *p, size_t len, struct pp_wire_icmp *out)
{
	const uint8_t *icmp;
	size_t hl, ilen;

	memset(out, 0, sizeof(*out));
	if (len < 1)
		return -EBADMSG;
	if ((p[0] >> 4) == 4) {
		if (len < 20)
			return -EBADMSG;
		hl = (size_t)(p[0] & 0x0f) * 4;
		if (hl < 20 || len < hl)
			return -EBADMSG;
		if (p[9] != IPPROTO_ICMP)
			return -ENOMSG;
		/* A fragment past the first carries no ICMP header. */
		if (((p[6] & 0x1f) << 8 | p[7]) != 0)
			return -ENOMSG;
		icmp = p + hl;
		ilen = len - hl;
		if (ilen < 8)
			return -EBADMSG;
		if (icmp[0] != ICMP_DEST_UNREACH && icmp[0] != ICMP_TIME_EXCEEDED &&
		    icmp[0] != ICMP_PARAMETERPROB)
			return -ENOMSG;
		out->family = AF_INET;
		pp_addr_set(&out->src, AF_INET, p + 12, 4);
		pp_addr_set(&out->dst, AF_INET, p + 16, 4);
		out->type = icmp[0];
		out->code = icmp[1];
		if (icmp[0] == ICMP_DEST_UNREACH && icmp[1] == ICMP_FRAG_NEEDED)
			out->mtu = (uint32_t)(icmp[6] << 8 | icmp[7]);
	} else if ((p[0] >> 4) == 6) {
		if (len < 40)
			return -EBADMSG;
		/* Extension headers before ICMPv6 are not followed: routers do not add them. */
		if (p[6] != IPPROTO_ICMPV6)
			return -ENOMSG;
		icmp = p + 40;
		ilen = len - 40;
		if (ilen < 8)
			return -EBADMSG;
		if (icmp[0] < 1 || icmp[0] > 4)
			return -ENOMSG;
		out->family = AF_INET6;
		pp_addr_set(&out->src, AF_INET6, p + 8, 16);
		pp_addr_set(&out->dst, AF_INET6, p + 24, 16);
		out->type = icmp[0];
		out->code = icmp[1];
		if (icmp[0] == ICMP6_PACKET_TOO_BIG)
			out->mtu = (uint32_t)icmp[4] << 24 | (uint32_t)icmp[5] << 16 |
				   (uint32_t)icmp[6] << 8 | icmp[7];
	} else {
		return -ENOMSG;
	}
	decode_inner(icmp + 8, ilen - 8, out);
	return 0;
}

const char *
pp_pcap_ptb_filter(int family)
{
	if (family == AF_INET6)
		return "icmp6 and ip6[40] == 2";
	return "icmp and icmp[0] == 3 and icmp[1] == 4";
}
