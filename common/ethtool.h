/*
 * ethtool.h: link settings, ring and channel sizes through the ethtool generic
 * netlink family (kernel 5.6+), and the old SIOCETHTOOL ioctl where netlink lacks
 * something: the whole family on older kernels, an operation the running kernel
 * does not offer, and the driver's private counters (`ethtool -S`), which have no
 * netlink form at all (the kernel's translation table says ETHTOOL_GSTATS -> n/a).
 *
 * The family and its operations are discovered once with CTRL_CMD_GETFAMILY, as
 * ethtool(8) does, so a missing operation is known before it is asked for.
 * Decoders fill plain structs and never print; unknown attributes are ignored on
 * purpose, since the kernel may be newer than the header we were built with.
 */
#ifndef PP_ETHTOOL_H
#define PP_ETHTOOL_H

#include <linux/ethtool.h>
#include <net/if.h>
#include "nl.h"

enum pp_ethtool_src {
	PP_ET_SRC_NONE = 0,
	PP_ET_SRC_NETLINK,	/* answered through the ethtool genl family */
	PP_ET_SRC_IOCTL,	/* answered through SIOCETHTOOL */
};
const char *pp_ethtool_src_name(uint8_t src);

struct pp_ethtool_linkmodes {
	int ifindex;		/* from the reply header, 0 when absent */
	uint8_t source;
	bool has_speed, has_duplex, has_autoneg, has_lanes;
	/*
	 * The kernel sent SPEED_UNKNOWN ((u32)-1), or 0 as some drivers do: the link
	 * has no known rate. speed is then 0; never use it as a rate.
	 */
	bool speed_unknown;
	uint32_t speed;		/* Mb/s, the full 32-bit range (nicstat used the low 16 bits only) */
	uint8_t duplex;		/* DUPLEX_HALF, DUPLEX_FULL, DUPLEX_UNKNOWN */
	uint8_t autoneg;	/* AUTONEG_DISABLE, AUTONEG_ENABLE */
	uint32_t lanes;
};

struct pp_ethtool_linkinfo {
	int ifindex;
	uint8_t source;
	bool has_port, has_phyaddr, has_transceiver, has_mdix, has_mdix_ctrl;
	uint8_t port;		/* PORT_TP, PORT_FIBRE, PORT_DA, PORT_NONE, PORT_OTHER, ... */
	uint8_t phyaddr, transceiver, tp_mdix, tp_mdix_ctrl;
};

enum pp_ring { PP_RING_RX, PP_RING_RX_MINI, PP_RING_RX_JUMBO, PP_RING_TX, PP_RING_N };
struct pp_ethtool_rings {
	int ifindex;
	uint8_t source;
	uint8_t has_cur, has_max;	/* bit (1 << PP_RING_*) set when the value was sent */
	uint32_t cur[PP_RING_N], max[PP_RING_N];
	bool has_rx_buf_len;
	uint32_t rx_buf_len;
};
const char *pp_ring_name(unsigned r);

enum pp_chan { PP_CHAN_RX, PP_CHAN_TX, PP_CHAN_OTHER, PP_CHAN_COMBINED, PP_CHAN_N };
struct pp_ethtool_channels {
	int ifindex;
	uint8_t source;
	uint8_t has_cur, has_max;	/* bit (1 << PP_CHAN_*) */
	uint32_t cur[PP_CHAN_N], max[PP_CHAN_N];
};
const char *pp_chan_name(unsigned c);

/* One driver counter of `ethtool -S`. */
struct pp_ethtool_stat {
	char name[ETH_GSTRING_LEN + 1];
	uint64_t value;
};

struct pp_ethtool {
	struct pp_nl nl;
	bool nl_open;
	uint16_t family;	/* genl id of "ethtool"; 0 when the kernel has none: ioctl only */
	uint64_t ops;		/* bit n set: the family offers command n */
	int fd;			/* AF_INET datagram socket for SIOCETHTOOL, -1 until first needed */
	uint64_t requests;	/* netlink requests and ioctls made (for the benchmark) */
};

/*
 * Open the generic netlink socket in the current network namespace and look up
 * the "ethtool" family and its operations. A kernel without the family is not an
 * error: every call then goes through the ioctl. Returns 0 or -errno (no memory).
 */
int pp_ethtool_open(struct pp_ethtool *et, struct pp_err *e);
void pp_ethtool_close(struct pp_ethtool *et);
/* true when the genl family offers command cmd (ETHTOOL_MSG_*_GET). */
bool pp_ethtool_has_op(const struct pp_ethtool *et, unsigned cmd);

/*
 * The decoders: a whole netlink message (nlmsghdr, genlmsghdr, attributes) in, a
 * struct out. Return 0, or -EBADMSG when the message is short, an attribute
 * runs past the end, or a known attribute has the wrong length.
 */
int pp_ethtool_decode_family(const struct nlmsghdr *nlh, uint16_t *id, uint64_t *ops);
/*
 * The device of any ethtool GET reply, from its header (attribute 1): ifindex and
 * name (IF_NAMESIZE bytes, NUL-terminated). Returns 0, or -EBADMSG when the
 * header, its index or its name is missing or malformed, or the name is too long.
 */
int pp_ethtool_decode_devname(const struct nlmsghdr *nlh, int *ifindex, char name[IF_NAMESIZE]);
int pp_ethtool_decode_linkmodes(const struct nlmsghdr *nlh, struct pp_ethtool_linkmodes *lm);
int pp_ethtool_decode_linkinfo(const struct nlmsghdr *nlh, struct pp_ethtool_linkinfo *li);
int pp_ethtool_decode_rings(const struct nlmsghdr *nlh, struct pp_ethtool_rings *r);
int pp_ethtool_decode_channels(const struct nlmsghdr *nlh, struct pp_ethtool_channels *c);

/*
 * One device's settings, by ifindex (netlink) and name (ioctl). Netlink when the
 * family offers the command, else the ioctl. Return 0, -EOPNOTSUPP when the
 * driver does not implement it, -ENODEV, or another -errno, with e filled.
 */
int pp_ethtool_get_linkmodes(struct pp_ethtool *et, int ifindex, const char *name,
			     struct pp_ethtool_linkmodes *lm, struct pp_err *e);
int pp_ethtool_get_linkinfo(struct pp_ethtool *et, int ifindex, const char *name,
			    struct pp_ethtool_linkinfo *li, struct pp_err *e);
int pp_ethtool_get_rings(struct pp_ethtool *et, int ifindex, const char *name,
			 struct pp_ethtool_rings *r, struct pp_err *e);
int pp_ethtool_get_channels(struct pp_ethtool *et, int ifindex, const char *name,
			    struct pp_ethtool_channels *c, struct pp_err *e);

/*
 * One dump of command cmd (ETHTOOL_MSG_LINKMODES_GET, _LINKINFO_GET, _RINGS_GET,
 * _CHANNELS_GET) over every device of the namespace: one request instead of one per
 * device. cb gets each reply message; decode it with the matching decoder (the
 * device is in the decoded ifindex). Devices whose driver lacks the operation are
 * left out by the kernel. Returns 0, -EOPNOTSUPP when the family does not offer
 * cmd (ask per device, through the ioctl), or -errno.
 */
int pp_ethtool_dump(struct pp_ethtool *et, unsigned cmd, pp_nl_cb cb, void *data,
		    struct pp_err *e);

/*
 * The driver's private counters (`ethtool -S`): ETHTOOL_GSSET_INFO for the count,
 * ETHTOOL_GSTRINGS for the names, ETHTOOL_GSTATS for the values. *st is
 * allocated (free() it), *n entries; a driver without counters gives *n = 0 and
 * returns 0. Returns -errno on failure (-EOPNOTSUPP, -ENODEV, ...), or -EAGAIN
 * when the count changed between the calls.
 */
int pp_ethtool_get_stats(struct pp_ethtool *et, const char *name, struct pp_ethtool_stat **st,
			 size_t *n, struct pp_err *e);

/* The driver's name (`ethtool -i`: ETHTOOL_GDRVINFO) into buf. Returns 0 or -errno. */
int pp_ethtool_get_driver(struct pp_ethtool *et, const char *name, char *buf, size_t len,
			  struct pp_err *e);

/*
 * The standard statistics of `ethtool -S --all-groups` (ETHTOOL_MSG_STATS_GET,
 * kernel 5.13+): IEEE 802.3 PHY, MAC and MAC control counters and RMON. Groups
 * and stats are numbered by the uapi enums (ETHTOOL_STATS_*, ETHTOOL_A_STATS_*),
 * which are ABI: the kernel only ever adds at the end. Their names come from a
 * fixed table matching those enums and the kernel's string sets (ETH_SS_STATS_STD,
 * _ETH_PHY, _ETH_MAC, _ETH_CTRL, _RMON), not from a STRSET_GET per run: the names
 * are metric labels and must stay the same whatever the kernel, and a stat index
 * past the table (a newer kernel) is counted, not given a made-up name.
 */
enum pp_std_group { PP_STD_ETH_PHY, PP_STD_ETH_MAC, PP_STD_ETH_CTRL, PP_STD_RMON, PP_STD_N };
#define PP_STD_SLOTS 32		/* stat indexes kept per group (eth-mac has 22) */
#define PP_RMON_HIST_N 10	/* ETHTOOL_RMON_HIST_MAX */

/* Group g's name as ethtool prints it ("eth-mac"), or NULL past the table. */
const char *pp_std_group_name(unsigned g);
/* Stat i of group g by its IEEE/RMON name ("FrameCheckSequenceErrors"), or NULL past the table. */
const char *pp_std_stat_name(unsigned g, unsigned i);
/* How many stats of group g the table names. */
unsigned pp_std_stat_count(unsigned g);

struct pp_ethtool_rmon_bkt {
	uint32_t low, high;	/* frame length range, bytes */
	uint64_t val;
};

struct pp_ethtool_std_group {
	bool present;		/* the kernel sent the group's nest (it does for every group asked) */
	uint32_t ss_id;		/* its string set, ETH_SS_STATS_ETH_MAC ... */
	uint32_t has;		/* bit i: the driver set stat i (an absent stat is not supported, never 0) */
	uint64_t val[PP_STD_SLOTS];
};

struct pp_ethtool_std_stats {
	int ifindex;
	struct pp_ethtool_std_group grp[PP_STD_N];
	struct pp_ethtool_rmon_bkt hist_rx[PP_RMON_HIST_N], hist_tx[PP_RMON_HIST_N];
	unsigned n_hist_rx, n_hist_tx;
	unsigned unknown_groups;	/* groups past PP_STD_N (a newer kernel): skipped */
	unsigned unknown_stats;		/* stat indexes past PP_STD_SLOTS or the table: skipped */
};
/* true when the driver sent at least one counter of any group (or a histogram bucket). */
bool pp_ethtool_std_any(const struct pp_ethtool_std_stats *s);

/* Pause frames (`ethtool -I -a`, ETHTOOL_MSG_PAUSE_GET with ETHTOOL_FLAG_STATS). */
struct pp_ethtool_pause {
	int ifindex;
	bool has_autoneg, has_rx, has_tx;
	uint8_t autoneg, rx, tx;
	bool has_stats;			/* the stats nest was sent */
	bool has_tx_frames, has_rx_frames;	/* ... with these counters (absent: the driver has none) */
	uint64_t tx_frames, rx_frames;
};

/* FEC (`ethtool -I --show-fec`, ETHTOOL_MSG_FEC_GET with ETHTOOL_FLAG_STATS). */
enum pp_fec_stat { PP_FEC_CORRECTED, PP_FEC_UNCORR, PP_FEC_CORR_BITS, PP_FEC_N };
#define PP_FEC_LANES 8		/* ETHTOOL_MAX_LANES */
struct pp_ethtool_fec_stat {
	bool has;		/* the driver reports it (the kernel sends an empty array otherwise) */
	uint64_t total;		/* element 0: the total (the kernel sums the lanes into it) */
	unsigned n_lanes;
	uint64_t lane[PP_FEC_LANES];
};
struct pp_ethtool_fec {
	int ifindex;
	bool has_auto;
	uint8_t fec_auto;
	bool has_active;
	uint32_t active;	/* link mode bit: ETHTOOL_LINK_MODE_FEC_*_BIT */
	bool has_stats;
	struct pp_ethtool_fec_stat st[PP_FEC_N];
};
/* "None", "RS", "BaseR", "LLRS" for a link mode bit, as ethtool prints them; "unknown" else. */
const char *pp_fec_mode_name(uint32_t bit);
/* "corrected_blocks", "uncorrectable_blocks", "corrected_bits". */
const char *pp_fec_stat_name(unsigned s);

int pp_ethtool_decode_std_stats(const struct nlmsghdr *nlh, struct pp_ethtool_std_stats *s);
int pp_ethtool_decode_pause(const struct nlmsghdr *nlh, struct pp_ethtool_pause *p);
int pp_ethtool_decode_fec(const struct nlmsghdr *nlh, struct pp_ethtool_fec *f);

/*
 * One device's standard statistics (every group), pause settings and frames, FEC
 * mode and counters, through netlink only (there is no ioctl for them). Return 0;
 * -EOPNOTSUPP when the driver does not implement the operation (pause, FEC; the
 * kernel answers STATS_GET for every device, with groups that are empty when the
 * driver lacks them); -EPROTONOSUPPORT when this kernel's ethtool family does not
 * offer the command (no family, or older than 5.13); -ENODEV; another -errno.
 */
int pp_ethtool_get_std_stats(struct pp_ethtool *et, int ifindex, const char *name,
			     struct pp_ethtool_std_stats *s, struct pp_err *e);
int pp_ethtool_get_pause(struct pp_ethtool *et, int ifindex, const char *name,
			 struct pp_ethtool_pause *p, struct pp_err *e);
int pp_ethtool_get_fec(struct pp_ethtool *et, int ifindex, const char *name,
		       struct pp_ethtool_fec *f, struct pp_err *e);

#endif
