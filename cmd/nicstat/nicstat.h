/*
 * nicstat.h: is the NIC (or virtual device) saturated or dropping? The model that
 * main.c collects into, the pure evaluator (eval.c: rates, %Util, Sat, verdict),
 * and the renderers (render.c: text, JSON, Prometheus).
 */
#ifndef NICSTAT_H
#define NICSTAT_H

#include <stdio.h>

#include "cli.h"
#include "ethtool.h"
#include "link.h"
#include "softnet.h"

struct ns_dev;

enum ns_kind { NS_K_PHYSICAL, NS_K_VETH, NS_K_BRIDGE, NS_K_VLAN, NS_K_LOOPBACK, NS_K_OTHER, NS_K_N };
const char *ns_kind_name(enum ns_kind k);
int ns_kind_parse(const char *s);	/* NS_K_* or -1 */
/* loopback by flag or type, physical when the link has no kind, else by IFLA_INFO_KIND. */
enum ns_kind ns_classify(const struct pp_link *l);
/*
 * Whether the speed ethtool reports for this kind of device is a line rate. veth,
 * bridge, tun and loopback report a constant or nothing; a vlan, macvlan or bond
 * passes on its lower device's rate.
 */
bool ns_speed_is_rate(const struct pp_link *l);

/* ns_speed_is_rate(), and not stacked on a device without a line rate (vlan on veth). */
bool ns_dev_rate(const struct ns_dev *d);

enum ns_sort { NS_S_NONE, NS_S_NAME, NS_S_RKB, NS_S_WKB, NS_S_RPK, NS_S_WPK, NS_S_UTIL, NS_S_SAT,
	       NS_S_ERRORS, NS_S_DROPS };
int ns_sort_parse(const char *s);	/* NS_S_* or -1 */

enum ns_et_mode { NS_ET_AUTO, NS_ET_ALL, NS_ET_NONE };
/*
 * Root qdisc drops in Sat: -q always, --no-qdisc never, by default when at most
 * NS_QDISC_AUTO_MAX devices have a qdisc (noqueue and noop do not count), since the
 * dump costs about as much again as the link dump when thousands have one.
 */
enum ns_qdisc_mode { NS_Q_AUTO, NS_Q_ON, NS_Q_OFF };
#define NS_QDISC_AUTO_MAX 256
/* More devices than this to ask for their settings: one ethtool dump per command instead. */
#define NS_ET_DUMP_MIN 8

struct ns_opts {
	struct pp_cli cli;
	double interval;		/* seconds; 0: one since-boot sample */
	uint64_t count;			/* samples; 0: until interrupted (with -i) */
	unsigned top;			/* 0: every device */
	int sort;
	const char *dev_pats[32];	/* fnmatch(3) patterns, any may match */
	size_t n_dev_pats;
	unsigned kind_mask;		/* bit per NS_K_*, 0: every kind */
	const char *kind_names[16];	/* literal IFLA_INFO_KIND values (tun, bond, ...) */
	size_t n_kind_names;
	enum ns_et_mode ethtool;
	bool all_counters;		/* driver counters: all, not only non-zero and changing */
	enum ns_qdisc_mode qdisc;	/* root qdisc drops in Sat (one RTM_GETQDISC dump) */
	bool skip_idle;
	bool no_softnet;		/* leave out /proc/net/softnet_stat */
	double threshold;		/* problem when Sat (per second) is above this */
	bool force_ioctl;		/* hidden: act as if the ethtool genl family were missing */
	bool count_only;		/* hidden: bare dump that only counts (benchmark floor) */
};

/* The fields of struct rtnl_link_stats64 nicstat reports, in output order. */
enum ns_field {
	NS_F_RX_BYTES, NS_F_TX_BYTES, NS_F_RX_PACKETS, NS_F_TX_PACKETS,
	NS_F_RX_ERRORS, NS_F_RX_DROPPED, NS_F_RX_MISSED, NS_F_RX_CRC, NS_F_RX_FRAME, NS_F_RX_FIFO,
	NS_F_RX_LENGTH, NS_F_RX_OVER, NS_F_RX_NOHANDLER,
	NS_F_TX_ERRORS, NS_F_TX_DROPPED, NS_F_TX_CARRIER, NS_F_TX_ABORTED, NS_F_TX_FIFO,
	NS_F_TX_HEARTBEAT, NS_F_TX_WINDOW, NS_F_COLLISIONS, NS_F_MULTICAST,
	NS_F_N
};
struct ns_field_desc {
	const char *key;		/* JSON key, as the kernel names the field */
	const char *prom;		/* pktpath_nicstat_network_<prom>_total */
	const char *help;
	size_t off;			/* offset in struct rtnl_link_stats64 */
	bool sat;			/* counted in Sat */
	bool err;			/* part of the error breakdown */
};
extern const struct ns_field_desc ns_fields[NS_F_N];
uint64_t ns_field_get(const struct rtnl_link_stats64 *s, unsigned f);

/* One driver counter, its queue number split out of the name. */
struct ns_dstat {
	char name[ETH_GSTRING_LEN + 1];	/* without the queue number: rx_queue_drops */
	char queue[12];			/* "3", or "" */
	char raw[ETH_GSTRING_LEN + 1];	/* as the driver names it: rx_queue_3_drops */
	uint64_t value, prev;
	bool has_prev;
};
/*
 * Split a queue number out of a driver counter name: rx_queue_3_drops ->
 * rx_queue_drops + "3", tx0_packets -> tx_packets + "0", rx-2.bytes -> rx.bytes
 * + "2", ch1_arm -> ch_arm + "1". A number that is not a queue (rx_64_to_127_bytes)
 * stays. Returns true when a queue was found.
 */
bool ns_split_queue(const char *raw, char *name, size_t namelen, char *queue, size_t qlen);

/* What ethtool says beyond the speed: allocated only for the devices it is read for. */
struct ns_et {
	int li_rc, rings_rc, chan_rc, drv_rc, stats_rc;
	const char *stats_err;		/* static string: why stats failed */
	struct pp_ethtool_linkinfo li;
	struct pp_ethtool_rings rings;
	struct pp_ethtool_channels chan;
	char driver[32];
	struct ns_dstat *ds;
	size_t n_ds;
	/*
	 * The standard counters (ethtool -S --all-groups), pause (-I -a) and FEC (-I
	 * --show-fec), read every sample; *_prev is the previous sample's, valid when
	 * *_has_prev. rc -ENODATA: not read; -EOPNOTSUPP: the driver lacks it;
	 * -EPROTONOSUPPORT: this kernel's ethtool netlink lacks it.
	 */
	int std_rc, pause_rc, fec_rc;
	bool std_has_prev, pause_has_prev, fec_has_prev;
	struct pp_ethtool_std_stats std, std_prev;
	struct pp_ethtool_pause pause, pause_prev;
	struct pp_ethtool_fec fec, fec_prev;
};

/*
 * The NIC counters that make a finding when they rise over an interval. The error
 * ones count toward the exit status like Sat (errors above the threshold); pause
 * frames received are a finding only: the link partner throttles us, nothing is lost.
 */
enum ns_nicf { NS_N_SYMBOL, NS_N_FCS, NS_N_ALIGN, NS_N_FEC_UNCORR, NS_N_PAUSE_RX, NS_N_N };
struct ns_nicf_desc {
	const char *key;		/* JSON "finding" */
	const char *counter;		/* the counter's name as ethtool prints it */
	bool error;			/* counts toward the exit status */
	const char *what;		/* the finding, in words */
	const char *next;		/* what to run next, DEV the device */
};
extern const struct ns_nicf_desc ns_nicf[NS_N_N];
/* Finding f's next step with DEV replaced by dev, into buf. */
void ns_nicf_next(unsigned f, const char *dev, char *buf, size_t len);
/* Whether the stat (group g, index i) is an error counter, shown in text when non-zero. */
bool ns_std_is_error(unsigned g, unsigned i);
/* Why an object (std stats, pause, FEC) is null in the output: rc and what was read. */
const char *ns_nic_why(int rc);
/*
 * The counter of finding f (NS_N_*) in this sample, or with prev in the previous
 * one: false when it was not read or the driver does not report it.
 */
bool ns_nic_value(const struct ns_et *x, unsigned f, bool prev, uint64_t *v);
/* Change of a standard stat over the sample (since boot in the first). */
uint64_t ns_std_delta(const struct ns_et *x, unsigned g, unsigned i);
/* A device's ns_et, or one that says "not read" (every rc -ENODATA, no counters). */
const struct ns_et *ns_et_of(const struct ns_dev *d);
/* A fresh ns_et with nothing read yet, or NULL without memory. */
struct ns_et *ns_et_new(void);
void ns_et_free(struct ns_et *x);

struct ns_result {
	double dt;			/* seconds the rates are over */
	double rbps, wbps, rpps, wpps;	/* bytes and packets per second */
	double ravs, wavs;		/* average packet size, bytes; 0 without packets */
	bool util_known;
	double util;			/* percent */
	const char *util_why;		/* why util is unknown */
	double sat;			/* errors and drops per second */
	uint64_t d_carrier, d_qdrops;
	/* NIC findings over an interval (never in the since-boot sample) */
	unsigned nic_rising;		/* bit per NS_N_*: rose above the threshold */
	uint64_t nic_d[NS_N_N];
	double nic_ps[NS_N_N];
	bool problem;			/* sat, or an error counter of ns_nicf, above the threshold */
};

struct ns_dev {
	struct pp_link l;
	enum ns_kind kind;
	bool seen;			/* present in the current sample */
	bool selected;			/* passes the filters */
	bool has_prev;			/* prev holds the previous sample's counters */
	bool lower_virtual;		/* a vlan/macvlan/... whose lower device has no line rate */
	struct rtnl_link_stats64 *prev;	/* allocated at the second sample: one-shot runs touch less memory */
	uint32_t prev_carrier_changes;
	bool has_qdisc, has_prev_qdisc;
	uint32_t qdrops, prev_qdrops;	/* root egress qdisc drops (u32 in gnet_stats_queue) */
	/* ethtool */
	bool et_want, et_done, et_full;	/* settings asked for, read; rings, counters too */
	bool et_pending;		/* to be filled by this sample's dumps */
	int lm_rc;
	const char *lm_err;		/* static string: why lm failed */
	struct pp_ethtool_linkmodes lm;
	struct ns_et *x;		/* the rest of ethtool, for et_full devices only */
	struct ns_result r;
};

struct ns_cpu {
	struct pp_softnet_cpu cur, prev;
	bool has_prev;
	uint64_t d_processed, d_dropped, d_squeeze, d_flow;
	double dropped_ps;
	bool problem;
};

struct ns_model {
	struct ns_dev *devs;		/* sorted by ifindex */
	size_t n, cap;
	struct ns_cpu *cpus;
	size_t n_cpus;
	int softnet_rc;
	char softnet_err[160];
	unsigned sample;		/* 0 for the first */
	bool since_boot;		/* this sample's rates are since boot */
	double t, t_prev;		/* monotonic seconds */
	double uptime;			/* /proc/uptime, the since-boot interval */
	double wall;			/* time(2) of the sample */
	bool evaluate;			/* this sample decides the exit status */
	bool problem;
	size_t n_problem_devs, n_problem_cpus;
	int ethtool_family;		/* 1 netlink family found, 0 not, -1 not asked */
	size_t n_with_qdisc;		/* devices (selected or not) with a real qdisc */
	bool qdisc_in_sat;		/* this sample's Sat has the root qdisc drops */
	char warnings[8][200];
	size_t n_warnings;
};

/* Add a warning to this sample's output (the first eight are kept). */
void ns_warn(struct ns_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Find or add the device with ifindex (devs stays sorted). NULL on no memory. */
struct ns_dev *ns_dev_slot(struct ns_model *m, int ifindex);
void ns_model_free(struct ns_model *m);
/* Whether a device passes --dev and --kind. */
bool ns_selected(const struct ns_opts *o, const struct pp_link *l, enum ns_kind k);

/* Which --dev patterns and --kind values some device matched (the first sample's). */
struct ns_hits {
	uint32_t dev;			/* bit per dev_pats[] */
	uint32_t kind_name;		/* bit per kind_names[] */
};
/* Mark what device l matches, each filter alone. */
void ns_hits_add(const struct ns_opts *o, const struct pp_link *l, struct ns_hits *h);
/*
 * A filter given by name that matched no device: a --dev without wildcards or a
 * link kind (tun, bond; not the classes physical, veth, bridge, ... which may
 * select nothing). Returns its option ("--dev", "--kind") with *what the value, or NULL.
 */
const char *ns_hits_missing(const struct ns_opts *o, const struct ns_hits *h, const char **what);

/*
 * %Util from the byte rates and the link speed in Mb/s: the busier direction for
 * full duplex (unknown duplex counts as full), their sum for half duplex.
 * Returns false (util unknown) when the speed is unknown.
 */
bool ns_util(double rbps, double wbps, uint32_t speed_mbps, bool speed_known, uint8_t duplex,
	     double *util);
/* Field f's change over the sample: since the previous one, or since the device appeared. */
uint64_t ns_delta(const struct ns_dev *d, unsigned f);
/* Compute every selected device's and CPU's result for this sample; sets m->problem. Pure. */
void ns_eval(const struct ns_opts *o, struct ns_model *m);
/* The selected devices in output order (--sort, --top, --skip-idle). *out is allocated. */
size_t ns_order(const struct ns_opts *o, const struct ns_model *m, struct ns_dev ***out);

/* One sample as nicstat's table and the sections that have something to say. */
void ns_render_text(const struct ns_opts *o, const struct ns_model *m, FILE *f);
/* One sample as one JSON document (a line of a JSON Lines stream). */
void ns_render_json(const struct ns_opts *o, const struct ns_model *m, FILE *f);
/* The exposition of one sample; with ok false only the run info (run_success 0). */
void ns_render_prom(const struct ns_opts *o, const struct ns_model *m, FILE *f, bool ok);

/* ---- the tool's run (args.c, collect.c) ---- */

/* What the collection keeps between samples. */
struct ns_collector {
	const struct ns_opts *o;
	struct ns_model *m;
	size_t n_sorted;		/* devs[0..n_sorted) are the previous sample's, by ifindex */
	int *virt;			/* ifindexes without a line rate, ascending (dump order) */
	size_t n_virt, cap_virt;
	struct pp_ethtool et;
	bool et_open;
	struct ns_hits hits;		/* filled in the first sample */
	int err;
};

/* Parse the command line (PP_EXIT_OK, PP_EXIT_HELP after --help/--version, or a usage exit). */
int ns_args(int argc, char *argv[], struct ns_opts *o);
/* One sample into c->m. Returns 0, or -1 with e set. */
int ns_collect(struct ns_collector *c, struct pp_nl *nl, struct pp_err *e);
/* The hidden benchmark floor: the same dumps, messages only counted. */
int ns_count_only(const struct ns_opts *o, struct pp_nl *nl);

/* nagios.c: the --nagios line of the last sample on stdout; returns its state (the exit code). */
int ns_render_nagios(const struct ns_opts *o, const struct ns_model *m);

#endif
