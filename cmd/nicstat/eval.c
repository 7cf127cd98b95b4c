/* eval.c: nicstat's decisions: device kinds, rates, %Util, Sat, the verdict. No I/O. */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <net/if_arp.h>
#include <linux/ethtool_netlink.h>

#include "nicstat.h"
#include "sample.h"

#define F(k, p, h, fld, sat, err) { k, p, h, offsetof(struct rtnl_link_stats64, fld), sat, err }
const struct ns_field_desc ns_fields[NS_F_N] = {
	[NS_F_RX_BYTES] = F("rx_bytes", "receive_bytes", "Bytes received.", rx_bytes, false, false),
	[NS_F_TX_BYTES] = F("tx_bytes", "transmit_bytes", "Bytes sent.", tx_bytes, false, false),
	[NS_F_RX_PACKETS] = F("rx_packets", "receive_packets", "Packets received.", rx_packets, false, false),
	[NS_F_TX_PACKETS] = F("tx_packets", "transmit_packets", "Packets sent.", tx_packets, false, false),
	[NS_F_RX_ERRORS] = F("rx_errors", "receive_errors", "Receive errors (all kinds).", rx_errors, true, true),
	[NS_F_RX_DROPPED] = F("rx_dropped", "receive_dropped", "Received packets dropped by the device or its driver.", rx_dropped, true, true),
	[NS_F_RX_MISSED] = F("rx_missed_errors", "receive_missed_errors", "Packets the NIC missed: receive ring overflow.", rx_missed_errors, true, true),
	[NS_F_RX_CRC] = F("rx_crc_errors", "receive_crc_errors", "Frames with a bad CRC.", rx_crc_errors, false, true),
	[NS_F_RX_FRAME] = F("rx_frame_errors", "receive_frame_errors", "Frame alignment errors.", rx_frame_errors, false, true),
	[NS_F_RX_FIFO] = F("rx_fifo_errors", "receive_fifo_errors", "Receive FIFO overruns.", rx_fifo_errors, false, true),
	[NS_F_RX_LENGTH] = F("rx_length_errors", "receive_length_errors", "Frames with a bad length.", rx_length_errors, false, true),
	[NS_F_RX_OVER] = F("rx_over_errors", "receive_over_errors", "Receiver ring buffer overflows.", rx_over_errors, false, true),
	[NS_F_RX_NOHANDLER] = F("rx_nohandler", "receive_nohandler", "Packets dropped for want of a protocol handler.", rx_nohandler, false, true),
	[NS_F_TX_ERRORS] = F("tx_errors", "transmit_errors", "Transmit errors (all kinds).", tx_errors, true, true),
	[NS_F_TX_DROPPED] = F("tx_dropped", "transmit_dropped", "Packets dropped by the device on transmit (not qdisc drops).", tx_dropped, true, true),
	[NS_F_TX_CARRIER] = F("tx_carrier_errors", "transmit_carrier_errors", "Transmit carrier errors.", tx_carrier_errors, false, true),
	[NS_F_TX_ABORTED] = F("tx_aborted_errors", "transmit_aborted_errors", "Transmits aborted.", tx_aborted_errors, false, true),
	[NS_F_TX_FIFO] = F("tx_fifo_errors", "transmit_fifo_errors", "Transmit FIFO underruns.", tx_fifo_errors, false, true),
	[NS_F_TX_HEARTBEAT] = F("tx_heartbeat_errors", "transmit_heartbeat_errors", "Transmit heartbeat (SQE) errors.", tx_heartbeat_errors, false, true),
	[NS_F_TX_WINDOW] = F("tx_window_errors", "transmit_window_errors", "Late collisions.", tx_window_errors, false, true),
	[NS_F_COLLISIONS] = F("collisions", "collisions", "Collisions (a duplex mismatch shows here).", collisions, true, true),
	[NS_F_MULTICAST] = F("multicast", "receive_multicast", "Multicast packets received.", multicast, false, false),
};
#undef F

uint64_t
ns_field_get(const struct rtnl_link_stats64 *s, unsigned f)
{
	uint64_t v;

	if (f >= NS_F_N)
		return 0;
	memcpy(&v, (const char *)s + ns_fields[f].off, sizeof(v));
	return v;
}

static const char *const kind_names[NS_K_N] = {
	[NS_K_PHYSICAL] = "physical", [NS_K_VETH] = "veth", [NS_K_BRIDGE] = "bridge",
	[NS_K_VLAN] = "vlan", [NS_K_LOOPBACK] = "loopback", [NS_K_OTHER] = "other",
};

const char *
ns_kind_name(enum ns_kind k)
{
	return (unsigned)k < NS_K_N ? kind_names[k] : "other";
}

int
ns_kind_parse(const char *s)
{
	unsigned i;

	for (i = 0; i < NS_K_N; i++)
		if (strcmp(s, kind_names[i]) == 0)
			return (int)i;
	return -1;
}

enum ns_kind
ns_classify(const struct pp_link *l)
{
	if (l->flags & IFF_LOOPBACK || l->type == ARPHRD_LOOPBACK)
		return NS_K_LOOPBACK;
	if (!l->kind[0])
		return NS_K_PHYSICAL;	/* no rtnl_link_ops kind: a driver's own device */
	if (strcmp(l->kind, "veth") == 0)
		return NS_K_VETH;
	if (strcmp(l->kind, "bridge") == 0)
		return NS_K_BRIDGE;
	if (strcmp(l->kind, "vlan") == 0)
		return NS_K_VLAN;
	return NS_K_OTHER;
}

bool
ns_speed_is_rate(const struct pp_link *l)
{
	static const char *const lower[] = { "vlan", "macvlan", "macvtap", "ipvlan", "bond", "team" };
	size_t i;

	switch (ns_classify(l)) {
	case NS_K_PHYSICAL:
	case NS_K_VLAN:
		return true;
	case NS_K_OTHER:
		for (i = 0; i < PP_ARRAY_SIZE(lower); i++)
			if (strcmp(l->kind, lower[i]) == 0)
				return true;
		return false;
	default:
		return false;	/* veth says 10000Mb/s whatever it carries; bridge, loopback: no line */
	}
}

bool
ns_dev_rate(const struct ns_dev *d)
{
	return ns_speed_is_rate(&d->l) && !d->lower_virtual;
}

int
ns_sort_parse(const char *s)
{
	static const struct { const char *n; int v; } t[] = {
		{ "name", NS_S_NAME }, { "rkb", NS_S_RKB }, { "wkb", NS_S_WKB }, { "rpk", NS_S_RPK },
		{ "wpk", NS_S_WPK }, { "util", NS_S_UTIL }, { "sat", NS_S_SAT },
		{ "errors", NS_S_ERRORS }, { "drops", NS_S_DROPS },
	};
	size_t i;

	for (i = 0; i < PP_ARRAY_SIZE(t); i++)
		if (strcmp(s, t[i].n) == 0)
			return t[i].v;
	return -1;
}

void
ns_warn(struct ns_model *m, const char *fmt, ...)
{
	va_list ap;

	if (m->n_warnings >= PP_ARRAY_SIZE(m->warnings))
		return;
	va_start(ap, fmt);
	vsnprintf(m->warnings[m->n_warnings++], sizeof(m->warnings[0]), fmt, ap);
	va_end(ap);
}

struct ns_dev *
ns_dev_slot(struct ns_model *m, int ifindex)
{
	size_t lo = 0, hi = m->n;

	/* Dumps come in ifindex order, so the common case is an append. */
	if (m->n && m->devs[m->n - 1].l.ifindex < ifindex) {
		lo = m->n;
	} else {
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;

			if (m->devs[mid].l.ifindex < ifindex)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < m->n && m->devs[lo].l.ifindex == ifindex)
			return &m->devs[lo];
	}
	if (m->n == m->cap) {
		size_t nc = m->cap ? m->cap * 2 : 64;
		struct ns_dev *nd = realloc(m->devs, nc * sizeof(*nd));

		if (!nd)
			return NULL;
		m->devs = nd;
		m->cap = nc;
	}
	memmove(&m->devs[lo + 1], &m->devs[lo], (m->n - lo) * sizeof(*m->devs));
	memset(&m->devs[lo], 0, sizeof(*m->devs));
	m->devs[lo].l.ifindex = ifindex;
	m->n++;
	return &m->devs[lo];
}

static const struct ns_et et_none = {
	.li_rc = -ENODATA, .rings_rc = -ENODATA, .chan_rc = -ENODATA, .drv_rc = -ENODATA,
	.stats_rc = -ENODATA, .std_rc = -ENODATA, .pause_rc = -ENODATA, .fec_rc = -ENODATA,
};

const struct ns_nicf_desc ns_nicf[NS_N_N] = {
	[NS_N_SYMBOL] = { "symbol_errors", "SymbolErrorDuringCarrier", true,
			  "symbol errors during carrier rising: the PHY receives bad symbols "
			  "(cable, optic, or the link partner's transmitter)",
			  "ethtool -S DEV --all-groups; ethtool -m DEV (optic power); check or replace the cable or optic" },
	[NS_N_FCS] = { "fcs_errors", "FrameCheckSequenceErrors", true,
		       "frames with a bad FCS rising: frames corrupted on the wire",
		       "ethtool -S DEV --all-groups; ethtool -m DEV (optic power); check or replace the cable or optic" },
	[NS_N_ALIGN] = { "alignment_errors", "AlignmentErrors", true,
			 "alignment errors rising: frames that are not a whole number of bytes "
			 "(a bad cable or a duplex mismatch)",
			 "ethtool DEV (duplex on both ends); ethtool -S DEV --all-groups" },
	[NS_N_FEC_UNCORR] = { "fec_uncorrectable_blocks", "uncorrectable_blocks", true,
			      "FEC uncorrectable blocks rising: errors below the MAC that FEC could not repair",
			      "ethtool -I --show-fec DEV (same FEC mode on both ends); ethtool -m DEV (optic power)" },
	[NS_N_PAUSE_RX] = { "pause_rx_frames", "rx_pause_frames", false,
			    "pause frames received rising: the link partner is throttling this host's transmit",
			    "ethtool -I -a DEV; look at the switch port's congestion and buffers (ethtool -A DEV rx off stops honouring them)" },
};

void
ns_nicf_next(unsigned f, const char *dev, char *buf, size_t len)
{
	const char *t = f < NS_N_N ? ns_nicf[f].next : "", *p;
	size_t o = 0;

	buf[0] = '\0';
	while (*t && o + 1 < len) {
		if (!(p = strstr(t, "DEV")))
			p = t + strlen(t);
		o += (size_t)snprintf(buf + o, len - o, "%.*s%s", (int)(p - t), t, *p ? dev : "");
		if (o >= len)
			break;
		t = *p ? p + 3 : p;
	}
}

bool
ns_std_is_error(unsigned g, unsigned i)
{
	switch (g) {
	case PP_STD_ETH_PHY:
		return i == ETHTOOL_A_STATS_ETH_PHY_5_SYM_ERR;
	case PP_STD_ETH_MAC:
		switch (i) {
		case ETHTOOL_A_STATS_ETH_MAC_3_SINGLE_COL:
		case ETHTOOL_A_STATS_ETH_MAC_4_MULTI_COL:
		case ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR:
		case ETHTOOL_A_STATS_ETH_MAC_7_ALIGN_ERR:
		case ETHTOOL_A_STATS_ETH_MAC_10_LATE_COL:
		case ETHTOOL_A_STATS_ETH_MAC_11_XS_COL:
		case ETHTOOL_A_STATS_ETH_MAC_12_TX_INT_ERR:
		case ETHTOOL_A_STATS_ETH_MAC_13_CS_ERR:
		case ETHTOOL_A_STATS_ETH_MAC_15_RX_INT_ERR:
		case ETHTOOL_A_STATS_ETH_MAC_20_XS_DEFER:
		case ETHTOOL_A_STATS_ETH_MAC_23_IR_LEN_ERR:
		case ETHTOOL_A_STATS_ETH_MAC_25_TOO_LONG_ERR:
			return true;
		default:
			return false;
		}
	case PP_STD_ETH_CTRL:
		return i == ETHTOOL_A_STATS_ETH_CTRL_5_RX_UNSUP;
	case PP_STD_RMON:
		return i < pp_std_stat_count(PP_STD_RMON);	/* undersize, oversize, fragments, jabbers */
	default:
		return false;
	}
}

const char *
ns_nic_why(int rc)
{
	switch (rc) {
	case 0:
	case -EOPNOTSUPP:
		return "not supported by the driver";
	case -EPROTONOSUPPORT:
		return "this kernel's ethtool netlink does not offer it (kernel 5.13+)";
	case -ENODATA:
		return "not read (by default only physical devices are asked; -e asks every device)";
	case -ENODEV:
		return "the device went away while it was read";
	default: {
		const char *needs = pp_errno_needs(rc);

		return needs ? needs : "could not be read";
	}
	}
}

static bool
std_value(const struct pp_ethtool_std_stats *s, unsigned g, unsigned i, uint64_t *v)
{
	if (!(s->grp[g].has & (1u << i)))
		return false;
	*v = s->grp[g].val[i];
	return true;
}

bool
ns_nic_value(const struct ns_et *x, unsigned f, bool prev, uint64_t *v)
{
	const struct pp_ethtool_std_stats *s = prev ? &x->std_prev : &x->std;
	const struct pp_ethtool_pause *p = prev ? &x->pause_prev : &x->pause;
	const struct pp_ethtool_fec *fe = prev ? &x->fec_prev : &x->fec;

	switch (f) {
	case NS_N_SYMBOL:
	case NS_N_FCS:
	case NS_N_ALIGN:
		if (x->std_rc < 0 || (prev && !x->std_has_prev))
			return false;
		return f == NS_N_SYMBOL ? std_value(s, PP_STD_ETH_PHY, ETHTOOL_A_STATS_ETH_PHY_5_SYM_ERR, v)
		       : f == NS_N_FCS  ? std_value(s, PP_STD_ETH_MAC, ETHTOOL_A_STATS_ETH_MAC_6_FCS_ERR, v)
					: std_value(s, PP_STD_ETH_MAC, ETHTOOL_A_STATS_ETH_MAC_7_ALIGN_ERR, v);
	case NS_N_FEC_UNCORR:
		if (x->fec_rc < 0 || (prev && !x->fec_has_prev) || !fe->st[PP_FEC_UNCORR].has)
			return false;
		*v = fe->st[PP_FEC_UNCORR].total;
		return true;
	case NS_N_PAUSE_RX:
		if (x->pause_rc < 0 || (prev && !x->pause_has_prev) || !p->has_rx_frames)
			return false;
		*v = p->rx_frames;
		return true;
	default:
		return false;
	}
}

uint64_t
ns_std_delta(const struct ns_et *x, unsigned g, unsigned i)
{
	uint64_t cur = 0, old = 0;

	if (x->std_rc < 0 || !std_value(&x->std, g, i, &cur))
		return 0;
	if (x->std_has_prev && std_value(&x->std_prev, g, i, &old))
		return pp_delta64(old, cur);
	return cur;
}

const struct ns_et *
ns_et_of(const struct ns_dev *d)
{
	return d->x ? d->x : &et_none;
}

struct ns_et *
ns_et_new(void)
{
	struct ns_et *x = malloc(sizeof(*x));

	if (x)
		*x = et_none;
	return x;
}

void
ns_et_free(struct ns_et *x)
{
	if (x)
		free(x->ds);
	free(x);
}

void
ns_model_free(struct ns_model *m)
{
	size_t i;

	for (i = 0; i < m->n; i++) {
		ns_et_free(m->devs[i].x);
		free(m->devs[i].prev);
	}
	free(m->devs);
	free(m->cpus);
	m->devs = NULL;
	m->cpus = NULL;
	m->n = m->cap = m->n_cpus = 0;
}

bool
ns_selected(const struct ns_opts *o, const struct pp_link *l, enum ns_kind k)
{
	size_t i;
	bool ok;

	if (o->n_dev_pats) {
		for (ok = false, i = 0; i < o->n_dev_pats && !ok; i++)
			ok = fnmatch(o->dev_pats[i], l->name, 0) == 0;
		if (!ok)
			return false;
	}
	if (o->kind_mask || o->n_kind_names) {
		ok = (o->kind_mask & (1u << k)) != 0;
		for (i = 0; i < o->n_kind_names && !ok; i++)
			ok = strcmp(o->kind_names[i], l->kind) == 0;
		if (!ok)
			return false;
	}
	return true;
}

void
ns_hits_add(const struct ns_opts *o, const struct pp_link *l, struct ns_hits *h)
{
	size_t i;

	for (i = 0; i < o->n_dev_pats && i < 32; i++)
		if (fnmatch(o->dev_pats[i], l->name, 0) == 0)
			h->dev |= 1u << i;
	for (i = 0; i < o->n_kind_names && i < 32; i++)
		if (strcmp(o->kind_names[i], l->kind) == 0)
			h->kind_name |= 1u << i;
}

const char *
ns_hits_missing(const struct ns_opts *o, const struct ns_hits *h, const char **what)
{
	size_t i;

	for (i = 0; i < o->n_dev_pats && i < 32; i++)
		if (!(h->dev & (1u << i)) && !strpbrk(o->dev_pats[i], "*?[")) {
			*what = o->dev_pats[i];
			return "--dev";
		}
	for (i = 0; i < o->n_kind_names && i < 32; i++)
		if (!(h->kind_name & (1u << i))) {
			*what = o->kind_names[i];
			return "--kind";
		}
	return NULL;
}

static bool
is_sep(char c)
{
	return c == '_' || c == '-' || c == '.' || c == ':' || c == '\0';
}

/* The run of letters that ends just before position end, as [*ws, end). */
static bool
word_in(const char *s, size_t end, const char *const *words, size_t nwords)
{
	size_t ws = end, i;

	while (ws > 0 && isalpha((unsigned char)s[ws - 1]))
		ws--;
	for (i = 0; i < nwords; i++)
		if (strlen(words[i]) == end - ws && strncmp(s + ws, words[i], end - ws) == 0)
			return true;
	return false;
}

bool
ns_split_queue(const char *raw, char *name, size_t namelen, char *queue, size_t qlen)
{
	/* Words a queue number follows after an underscore or hyphen: rx_queue_3_, queue_0_, ring-2- ... */
	static const char *const sepw[] = { "queue", "q", "ring", "ch", "channel", "rxq", "txq" };
	/* ... and words it follows directly or after a hyphen: rx3_, tx-0., ch0_, q2_. */
	static const char *const tightw[] = { "rx", "tx", "q", "ch", "queue", "rxq", "txq", "cq", "sq" };
	size_t len = strlen(raw), i, j, cut;
	bool hit;

	snprintf(name, namelen, "%s", raw);
	if (qlen)
		queue[0] = '\0';
	for (i = 1; i < len; i++) {
		if (!isdigit((unsigned char)raw[i]) || isdigit((unsigned char)raw[i - 1]))
			continue;
		for (j = i; j < len && isdigit((unsigned char)raw[j]); j++)
			;
		if (!is_sep(raw[j]) || j - i > 6)
			continue;
		if (raw[i - 1] == '_' || raw[i - 1] == '-') {
			cut = i - 1;	/* rx_queue_3_drops: cut "_3", keep "_drops" */
			hit = word_in(raw, i - 1, sepw, PP_ARRAY_SIZE(sepw)) ||
			      (raw[i - 1] == '-' && word_in(raw, i - 1, tightw, PP_ARRAY_SIZE(tightw)));
		} else {
			cut = i;	/* rx3_packets: cut "3" */
			hit = word_in(raw, i, tightw, PP_ARRAY_SIZE(tightw));
		}
		if (!hit)
			continue;
		if (qlen)
			snprintf(queue, qlen, "%.*s", (int)(j - i), raw + i);
		snprintf(name, namelen, "%.*s%s", (int)cut, raw, raw + j);
		return true;
	}
	return false;
}

bool
ns_util(double rbps, double wbps, uint32_t speed_mbps, bool speed_known, uint8_t duplex,
	double *util)
{
	double cap, r, w;

	*util = 0;
	if (!speed_known || speed_mbps == 0)
		return false;
	cap = (double)speed_mbps * 1e6;	/* bits per second */
	r = rbps * 8 * 100 / cap;
	w = wbps * 8 * 100 / cap;
	if (duplex == DUPLEX_HALF)
		*util = (rbps + wbps) * 8 * 100 / cap;	/* one medium, shared by both directions */
	else
		*util = r > w ? r : w;
	return true;
}

uint64_t
ns_delta(const struct ns_dev *d, unsigned f)
{
	uint64_t cur = ns_field_get(&d->l.stats, f);

	return d->has_prev && d->prev ? pp_delta64(ns_field_get(d->prev, f), cur) : cur;
}

static void
eval_dev(const struct ns_opts *o, const struct ns_model *m, struct ns_dev *d)
{
	struct ns_result *r = &d->r;
	uint64_t dd[NS_F_N];
	/*
	 * No previous sample: in the first sample the counters are since boot (since
	 * the device appeared); later, the device appeared during the interval, so all
	 * its counters belong to the interval.
	 */
	double dt = d->has_prev || !m->since_boot ? m->t - m->t_prev : m->uptime;
	uint64_t satsum = 0;
	unsigned f;

	memset(r, 0, sizeof(*r));
	r->dt = dt;
	for (f = 0; f < NS_F_N; f++) {
		dd[f] = ns_delta(d, f);
		if (ns_fields[f].sat)
			satsum += dd[f];
	}
	if (d->l.has_carrier_changes)
		r->d_carrier = d->has_prev ? pp_delta32(d->prev_carrier_changes, d->l.carrier_changes)
					   : d->l.carrier_changes;
	if (d->has_qdisc) {
		r->d_qdrops = d->has_prev_qdisc ? pp_delta32(d->prev_qdrops, d->qdrops) : d->qdrops;
		satsum += r->d_qdrops;
	}
	r->rbps = pp_rate(dd[NS_F_RX_BYTES], dt);
	r->wbps = pp_rate(dd[NS_F_TX_BYTES], dt);
	r->rpps = pp_rate(dd[NS_F_RX_PACKETS], dt);
	r->wpps = pp_rate(dd[NS_F_TX_PACKETS], dt);
	r->ravs = dd[NS_F_RX_PACKETS] ? (double)dd[NS_F_RX_BYTES] / (double)dd[NS_F_RX_PACKETS] : 0;
	r->wavs = dd[NS_F_TX_PACKETS] ? (double)dd[NS_F_TX_BYTES] / (double)dd[NS_F_TX_PACKETS] : 0;
	r->sat = pp_rate(satsum, dt);
	if (!ns_dev_rate(d)) {
		r->util_why = d->kind == NS_K_LOOPBACK ? "loopback: no line rate"
			      : d->lower_virtual       ? "its lower device is virtual: no line rate"
						       : "virtual device: no line rate";
	} else if (!d->et_done || d->lm_rc < 0 || !d->lm.has_speed) {
		r->util_why = d->lm_rc == -EOPNOTSUPP ? "driver does not report its speed"
			      : d->lm_rc < 0	       ? "speed could not be read"
						       : "speed not read";
	} else if (d->lm.speed_unknown) {
		r->util_why = "the driver reports no speed (no link, or a virtual NIC)";
	} else {
		r->util_known = ns_util(r->rbps, r->wbps, d->lm.speed, true,
					d->lm.has_duplex ? d->lm.duplex : DUPLEX_UNKNOWN, &r->util);
	}
	r->problem = r->sat > o->threshold;
	/*
	 * The NIC's own counters: a finding only over an interval (both samples read),
	 * never from since-boot values, which are evidence of old trouble only.
	 */
	if (d->x && !m->since_boot) {
		unsigned k;

		for (k = 0; k < NS_N_N; k++) {
			uint64_t cur, old;

			if (!ns_nic_value(d->x, k, false, &cur) || !ns_nic_value(d->x, k, true, &old))
				continue;
			r->nic_d[k] = pp_delta64(old, cur);
			r->nic_ps[k] = pp_rate(r->nic_d[k], dt);
			if (r->nic_d[k] && r->nic_ps[k] > o->threshold) {
				r->nic_rising |= 1u << k;
				if (ns_nicf[k].error)
					r->problem = true;
			}
		}
	}
}

void
ns_eval(const struct ns_opts *o, struct ns_model *m)
{
	size_t i;

	m->problem = false;
	m->n_problem_devs = m->n_problem_cpus = 0;
	for (i = 0; i < m->n; i++) {
		struct ns_dev *d = &m->devs[i];

		if (!d->seen || !d->selected)
			continue;
		eval_dev(o, m, d);
		if (d->r.problem)
			m->n_problem_devs++;
	}
	for (i = 0; i < m->n_cpus; i++) {
		struct ns_cpu *c = &m->cpus[i];
		double dt = c->has_prev || !m->since_boot ? m->t - m->t_prev : m->uptime;

		if (c->has_prev) {
			c->d_processed = pp_delta32(c->prev.processed, c->cur.processed);
			c->d_dropped = pp_delta32(c->prev.dropped, c->cur.dropped);
			c->d_squeeze = pp_delta32(c->prev.time_squeeze, c->cur.time_squeeze);
			c->d_flow = pp_delta32(c->prev.flow_limit, c->cur.flow_limit);
		} else {
			c->d_processed = c->cur.processed;
			c->d_dropped = c->cur.dropped;
			c->d_squeeze = c->cur.time_squeeze;
			c->d_flow = c->cur.flow_limit;
		}
		c->dropped_ps = pp_rate(c->d_dropped + c->d_flow, dt);
		c->problem = c->dropped_ps > o->threshold;
		if (c->problem)
			m->n_problem_cpus++;
	}
	m->problem = m->n_problem_devs > 0 || m->n_problem_cpus > 0;
}

static double
sort_key(int s, const struct ns_dev *d)
{
	const struct ns_result *r = &d->r;

	switch (s) {
	case NS_S_RKB: return r->rbps;
	case NS_S_WKB: return r->wbps;
	case NS_S_RPK: return r->rpps;
	case NS_S_WPK: return r->wpps;
	case NS_S_UTIL: return r->util_known ? r->util : -1;
	case NS_S_SAT: return r->sat;
	case NS_S_ERRORS: return (double)(ns_delta(d, NS_F_RX_ERRORS) + ns_delta(d, NS_F_TX_ERRORS));
	case NS_S_DROPS:
		return (double)(ns_delta(d, NS_F_RX_DROPPED) + ns_delta(d, NS_F_TX_DROPPED) +
				ns_delta(d, NS_F_RX_MISSED) +
				r->d_qdrops);
	default: return 0;
	}
}

static int sort_by;

static int
cmp_dev(const void *a, const void *b)
{
	const struct ns_dev *x = *(struct ns_dev *const *)a, *y = *(struct ns_dev *const *)b;
	double kx, ky;

	if (sort_by == NS_S_NAME)
		return strcmp(x->l.name, y->l.name);
	kx = sort_key(sort_by, x);
	ky = sort_key(sort_by, y);
	if (kx != ky)
		return kx > ky ? -1 : 1;	/* busiest first */
	kx = x->r.rbps + x->r.wbps;
	ky = y->r.rbps + y->r.wbps;
	if (kx != ky)
		return kx > ky ? -1 : 1;
	return x->l.ifindex - y->l.ifindex;
}

size_t
ns_order(const struct ns_opts *o, const struct ns_model *m, struct ns_dev ***out)
{
	size_t i, n = 0;

	*out = calloc(m->n ? m->n : 1, sizeof(**out));
	if (!*out)
		return 0;
	for (i = 0; i < m->n; i++) {
		struct ns_dev *d = &m->devs[i];

		if (!d->seen || !d->selected)
			continue;
		if (o->skip_idle && ns_delta(d, NS_F_RX_PACKETS) == 0 && ns_delta(d, NS_F_TX_PACKETS) == 0 &&
		    d->r.sat == 0)
			continue;
		(*out)[n++] = d;
	}
	if (o->sort != NS_S_NONE || o->top) {
		sort_by = o->sort != NS_S_NONE ? o->sort : NS_S_SAT;
		qsort(*out, n, sizeof(**out), cmp_dev);
	}
	if (o->top && n > o->top)
		n = o->top;
	return n;
}
