/*
 * collect.c: everything dropstat reads from the kernel. skb:kfree_skb is sampled
 * on every online CPU into a perf ring (common/perfring.c), and each record is
 * counted at once into a ledger keyed by (reason, location), so the cost per drop
 * is a decode and a hash increment; symbols are looked up once per location.
 * The counters come from the common/ readers: link stats64, root qdiscs,
 * softnet_stat, conntrack per-CPU statistics, /proc/net/snmp and netstat.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <linux/perf_event.h>
#include <linux/pkt_sched.h>

#include "ct.h"
#include "dropmon.h"
#include "dropstat.h"
#include "link.h"
#include "qdisc.h"
#include "sample.h"
#include "snmp.h"
#include "softnet.h"
#include "sysctl.h"

#define RING_PAGES	128		/* data pages per CPU: 512 KiB, about 6,500 drops */
#define PF_KTHREAD	0x00200000	/* include/linux/sched.h: a kernel thread */

const struct ds_counter_desc ds_counters[DS_C_N] = {
	[DS_C_RX_MISSED] = { "rx_missed", "ingress-device", "link stats64 rx_missed_errors", false, true },
	[DS_C_RX_FIFO] = { "rx_fifo", "ingress-device", "link stats64 rx_fifo_errors", false, true },
	[DS_C_TX_FIFO] = { "tx_fifo", "egress-device", "link stats64 tx_fifo_errors", false, true },
	[DS_C_QDISC_DROPS] = { "qdisc_drops", "qdisc", "root qdiscs' drops (RTM_GETQDISC)", false, true },
	[DS_C_SOFTNET_DROPPED] = { "softnet_dropped", "ingress-device", "/proc/net/softnet_stat dropped", true, true },
	[DS_C_SOFTNET_SQUEEZE] = { "softnet_time_squeeze", "ingress-device", "/proc/net/softnet_stat time_squeeze", true, false },
	[DS_C_CT_DROP] = { "conntrack_drop", "conntrack", "conntrack statistics drop", false, true },
	[DS_C_CT_EARLY_DROP] = { "conntrack_early_drop", "conntrack", "conntrack statistics early_drop", false, true },
	[DS_C_CT_INSERT_FAILED] = { "conntrack_insert_failed", "conntrack", "conntrack statistics insert_failed", false, true },
	[DS_C_LISTEN_OVERFLOWS] = { "listen_overflows", "socket", "/proc/net/netstat TcpExtListenOverflows", false, true },
	[DS_C_LISTEN_DROPS] = { "listen_drops", "socket", "/proc/net/netstat TcpExtListenDrops", false, true },
	[DS_C_UDP_RCVBUF] = { "udp_rcvbuf_errors", "socket", "/proc/net/snmp UdpRcvbufErrors", false, true },
	[DS_C_UDP6_RCVBUF] = { "udp6_rcvbuf_errors", "socket", "/proc/net/snmp6 Udp6RcvbufErrors", false, true },
};

/* ---------------------------------------------------------------- the ledger */

static size_t
loc_hash(uint32_t reason, uint64_t location)
{
	return (size_t)(((location ^ ((uint64_t)reason << 48)) * 0x9E3779B97F4A7C15ull) >> (64 - DS_LOC_BITS));
}

static struct ds_loc *
loc_get(struct ds_ledger *l, uint32_t reason, uint64_t location)
{
	size_t mask = ((size_t)1 << DS_LOC_BITS) - 1, i;

	if (location == 0)
		location = 1;
	for (;;) {
		for (i = loc_hash(reason, location);; i = (i + 1) & mask) {
			struct ds_loc *s = &l->locs[i];

			if (s->location == location && s->reason == reason)
				return s;
			if (s->location == 0)
				break;
		}
		if (l->nlocs < (mask + 1) / 4 * 3 || location == 1)
			break;
		location = 1;		/* the table is full: count it under "other locations" */
	}
	l->locs[i].location = location;
	l->locs[i].reason = reason;
	l->nlocs++;
	return &l->locs[i];
}

int
ds_ledger_ns(const struct pp_perf_ns *ns, void *ledger)
{
	struct ds_ledger *l = ledger;
	struct ds_pidns *slot = &l->pids[ns->tid % DS_PID_SLOTS];

	/* Rings are read one CPU after another: the latest record of a task wins, not the last read. */
	if (slot->pid == (pid_t)ns->tid && slot->from_record && ns->time < slot->time)
		return 0;
	slot->pid = (pid_t)ns->tid;
	slot->time = ns->time;
	slot->attr = ns->net_ino == l->netns_ino ? DS_A_HERE : DS_A_OTHER;
	slot->checked = false;
	slot->from_record = true;
	return 0;
}

/*
 * A process-context drop ran in tid's syscall: is tid in our namespace? From
 * the task's PERF_RECORD_NAMESPACES when the kernel wrote one since we watch
 * (the task may be gone already), else from /proc/TID/ns/net.
 */
static int
attr_proc(struct ds_ledger *l, pid_t tid)
{
	struct ds_pidns *slot = &l->pids[(unsigned)tid % DS_PID_SLOTS];
	char path[64], buf[1024], *p;
	struct stat st;
	unsigned long flags = 0;
	bool known = slot->pid == tid && slot->from_record;
	int attr = known ? slot->attr : DS_A_UNATTR;

	if (tid <= 0)
		return DS_A_UNATTR;
	if (slot->pid == tid && slot->checked)
		return slot->attr;
	/* A kernel thread (a workqueue, ksoftirqd) runs for everybody: its namespace says nothing. */
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)tid);
	if (pp_read_file(path, buf, sizeof(buf)) <= 0 || !(p = strrchr(buf, ')')))
		goto out;		/* gone: what its record said, if any */
	/* after "pid (comm)": state ppid pgrp session tty_nr tpgid flags */
	if (sscanf(p + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1 || (flags & PF_KTHREAD)) {
		attr = DS_A_UNATTR;
		goto out;
	}
	if (known)
		goto out;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)tid);
	if (stat(path, &st) == 0)
		attr = st.st_ino == l->netns_ino ? DS_A_HERE : DS_A_OTHER;
out:
	slot->pid = tid;
	slot->attr = attr;
	slot->checked = true;
	slot->from_record = known;
	return attr;
}

int
ds_ledger_count(struct ds_ledger *l, const void *raw, size_t len, uint32_t tid,
		int (*attr_of)(struct ds_ledger *l, pid_t pid))
{
	const struct pp_tp_format *f = l->fmt;
	const uint8_t irq = PP_TRACE_FLAG_HARDIRQ | PP_TRACE_FLAG_SOFTIRQ | PP_TRACE_FLAG_NMI;
	uint64_t reason, location, flags = 0;
	struct ds_loc *s;
	int attr;

	if (pp_tp_get_uint(f, f->f_reason, raw, len, &reason) < 0 ||
	    pp_tp_get_uint(f, f->f_location, raw, len, &location) < 0) {
		l->bad++;
		return -EBADMSG;
	}
	pp_tp_get_uint(f, f->f_common_flags, raw, len, &flags);
	attr = (flags & irq) ? DS_A_UNATTR : (attr_of ? attr_of : attr_proc)(l, (pid_t)tid);
	s = loc_get(l, (uint32_t)reason, location);
	s->n[attr]++;
	s->total[attr]++;
	l->seen++;
	return 0;
}

static int
sample_cb(const struct pp_perf_sample *smp, void *arg)
{
	struct ds_ledger *l = arg;
	uint32_t type;

	if (pp_tp_raw_type(l->fmt, smp->raw, smp->raw_len, &type) < 0 || type != l->fmt->id) {
		l->bad++;
		return 0;
	}
	ds_ledger_count(l, smp->raw, smp->raw_len, smp->tid, NULL);
	return 0;
}

static void
needs_perf(struct ds_ledger *l, int rc)
{
	long long paranoid = -99;

	pp_sysctl_get("kernel/perf_event_paranoid", &paranoid);
	if (rc == -EACCES || rc == -EPERM)
		snprintf(l->needs, sizeof(l->needs),
			 "needs CAP_PERFMON or root for a system-wide tracepoint (kernel.perf_event_paranoid = %lld)",
			 paranoid);
	else
		snprintf(l->needs, sizeof(l->needs), "perf_event_open skb:kfree_skb: %s", strerror(-rc));
}

void
ds_ledger_open(struct ds_ledger *l)
{
	static const char *const paths[] = { "events/skb/kfree_skb/format" };
	char *text[1] = { NULL };
	struct pp_err e = { 0 };
	struct stat st;
	int *cpus = NULL, rc;
	unsigned n = 0;

	l->fmt_lost = true;
	if (stat("/proc/thread-self/ns/net", &st) == 0 || stat("/proc/self/ns/net", &st) == 0)
		l->netns_ino = st.st_ino;
	rc = pp_tracefs_read(paths, 1, text, l->tracefs, sizeof(l->tracefs), &e);
	if (rc < 0) {
		l->status = rc;
		if ((rc == -EACCES || rc == -EPERM) && l->tracefs[0] == '/')
			snprintf(l->needs, sizeof(l->needs), "needs root (or a readable tracefs) to read %s", e.what);
		else if (rc == -EACCES || rc == -EPERM)
			snprintf(l->needs, sizeof(l->needs),
				 "needs root: no tracefs is mounted, and mounting one privately needs CAP_SYS_ADMIN");
		else if (rc == -ENOENT)
			snprintf(l->needs, sizeof(l->needs),
				 "needs tracefs with events/skb/kfree_skb (a kernel with CONFIG_TRACEPOINTS): %s",
				 e.what);
		else
			snprintf(l->needs, sizeof(l->needs), "tracefs: %s: %s", e.what, strerror(-rc));
		goto out;
	}
	l->fmt = malloc(sizeof(*l->fmt));
	if (!l->fmt) {
		l->status = -ENOMEM;
		snprintf(l->needs, sizeof(l->needs), "out of memory");
		goto out;
	}
	if (pp_tp_parse_format(text[0], l->fmt) < 0 || pp_dropmon_check_kfree(l->fmt) < 0 ||
	    l->fmt->f_common_flags < 0) {
		l->status = -ENOENT;
		snprintf(l->needs, sizeof(l->needs),
			 "needs skb:kfree_skb with a reason field (Linux 5.17 or later)");
		goto out;
	}
	l->have_syms = pp_kallsyms_read(&l->ks) == 0;
	if ((rc = pp_perf_online_cpus(&cpus, &n)) < 0) {
		l->status = rc;
		snprintf(l->needs, sizeof(l->needs), "/sys/devices/system/cpu/online: %s", strerror(-rc));
		goto out;
	}
	l->fds = calloc(n, sizeof(*l->fds));
	l->rings = calloc(n, sizeof(*l->rings));
	l->tmp = malloc(65536);
	if (!l->fds || !l->rings || !l->tmp) {
		l->status = -ENOMEM;
		snprintf(l->needs, sizeof(l->needs), "out of memory");
		goto out;
	}
	for (unsigned i = 0; i < n; i++) {
		size_t pages = RING_PAGES;
		int fd = pp_perf_open_sampler_ns(l->fmt->id, cpus[i], (uint32_t)(pages * 4096 / 4), &l->fmt_lost);

		if (fd == -EINVAL)	/* before 4.12: no namespace records, /proc alone */
			fd = pp_perf_open_sampler(l->fmt->id, cpus[i], (uint32_t)(pages * 4096 / 4), &l->fmt_lost);

		if (fd < 0) {
			l->status = fd;
			needs_perf(l, fd);
			goto out;
		}
		l->fds[l->ncpus] = fd;
		l->rings[l->ncpus].fd = -1;
		l->ncpus++;
		while ((rc = pp_perf_ring_map(&l->rings[l->ncpus - 1], fd, pages)) < 0 && pages > 8)
			pages /= 2;		/* locked memory is short (perf_event_mlock_kb) */
		if (rc < 0) {
			l->status = rc;
			snprintf(l->needs, sizeof(l->needs), "mmap of the perf ring on cpu %d: %s", cpus[i],
				 strerror(-rc));
			goto out;
		}
	}
	for (unsigned i = 0; i < l->ncpus; i++)
		if (ioctl(l->fds[i], PERF_EVENT_IOC_ENABLE, 0) < 0) {
			l->status = -errno;
			needs_perf(l, l->status);
			goto out;
		}
out:
	free(cpus);
	free(text[0]);
}

static void
drain(struct ds_ledger *l)
{
	for (unsigned i = 0; i < l->ncpus; i++)
		pp_perf_ring_peek_ns(&l->rings[i], l->tmp, 65536, ds_ledger_ns, l);
	for (unsigned i = 0; i < l->ncpus; i++)
		pp_perf_ring_drain(&l->rings[i], l->tmp, 65536, sample_cb, l, &l->lost_rec);
}

void
ds_ledger_poll(struct ds_ledger *l, int timeout_ms)
{
	struct pollfd pf[1024];
	unsigned n = 0;

	if (l->status < 0 || !l->ncpus) {
		if (timeout_ms > 0)
			poll(NULL, 0, timeout_ms);
		return;
	}
	for (unsigned i = 0; i < l->ncpus && n < PP_ARRAY_SIZE(pf); i++) {
		pf[n].fd = l->fds[i];
		pf[n].events = POLLIN;
		pf[n].revents = 0;
		n++;
	}
	poll(pf, n, timeout_ms);
	drain(l);
}

void
ds_ledger_close_interval(struct ds_ledger *l)
{
	uint64_t fmt = 0, all;

	if (l->status < 0)
		return;
	drain(l);
	if (l->fmt_lost) {
		for (unsigned i = 0; i < l->ncpus; i++) {
			uint64_t v[2];

			if (read(l->fds[i], v, sizeof(v)) == sizeof(v))
				fmt += v[1];
		}
		l->lost_fmt = fmt;
	}
	all = l->lost_fmt > l->lost_rec ? l->lost_fmt : l->lost_rec;
	l->lost = all - l->lost_prev;
	l->lost_total = all;
	for (size_t i = 0; i < ((size_t)1 << DS_LOC_BITS); i++) {
		struct ds_loc *s = &l->locs[i];
		const char *sym;

		if (!s->location || s->resolved)
			continue;
		s->resolved = true;
		if (s->location == 1)
			snprintf(s->symbol, sizeof(s->symbol), "(other locations)");
		else if (l->have_syms && (sym = pp_kallsyms_lookup(&l->ks, s->location, NULL)))
			snprintf(s->symbol, sizeof(s->symbol), "%s", sym);
	}
}

void
ds_ledger_next(struct ds_ledger *l, bool all)
{
	if (all) {
		ds_ledger_close_interval(l);
		memset(l->locs, 0, sizeof(l->locs));
		l->nlocs = 0;
	}
	for (size_t i = 0; i < ((size_t)1 << DS_LOC_BITS); i++)
		memset(l->locs[i].n, 0, sizeof(l->locs[i].n));
	l->lost_prev = l->lost_total;
	l->lost = 0;
	l->seen = 0;
	/* A pid may be reused by the next interval: look namespaces up anew. */
	memset(l->pids, 0, sizeof(l->pids));
}

void
ds_ledger_close(struct ds_ledger *l)
{
	for (unsigned i = 0; i < l->ncpus; i++) {
		pp_perf_ring_unmap(&l->rings[i]);
		if (l->fds[i] >= 0)
			close(l->fds[i]);
	}
	free(l->fds);
	free(l->rings);
	free(l->tmp);
	free(l->fmt);
	pp_kallsyms_free(&l->ks);
	l->ncpus = 0;
	l->fds = NULL;
	l->rings = NULL;
	l->tmp = NULL;
	l->fmt = NULL;
}

/* ---------------------------------------------------------------- the counters */

void
ds_collector_open(struct ds_collector *c)
{
	struct pp_err e = { 0 };

	memset(c, 0, sizeof(*c));
	c->rt_rc = pp_nl_open(&c->rt, NETLINK_ROUTE, &e);
	c->nf_rc = pp_nl_open(&c->nf, NETLINK_NETFILTER, &e);
}

void
ds_collector_close(struct ds_collector *c)
{
	if (c->rt_rc == 0)
		pp_nl_close(&c->rt);
	if (c->nf_rc == 0)
		pp_nl_close(&c->nf);
	c->rt_rc = c->nf_rc = -EBADF;
}

static void
set_needs(struct ds_counters *s, enum ds_counter k, int rc, const char *what)
{
	const char *need = pp_errno_needs(-rc);

	s->have[k] = false;
	if (need)
		snprintf(s->needs[k], sizeof(s->needs[k]), "%s: %s", what, need);
	else
		snprintf(s->needs[k], sizeof(s->needs[k]), "%s: %s", what, strerror(-rc));
}

static int
link_cb(const struct pp_link *lk, void *data)
{
	struct ds_counters *s = data;
	struct ds_devctr *d, *nd;

	if (!lk->has_stats64)
		return 0;
	nd = realloc(s->dev, (s->ndev + 1) * sizeof(*s->dev));
	if (!nd)
		return -ENOMEM;
	s->dev = nd;
	d = &s->dev[s->ndev++];
	memset(d, 0, sizeof(*d));
	d->ifindex = lk->ifindex;
	snprintf(d->name, sizeof(d->name), "%s", lk->name);
	d->v[DS_C_RX_MISSED] = lk->stats.rx_missed_errors;
	d->v[DS_C_RX_FIFO] = lk->stats.rx_fifo_errors;
	d->v[DS_C_TX_FIFO] = lk->stats.tx_fifo_errors;
	return 0;
}

static void
link_reset(void *data)
{
	struct ds_counters *s = data;

	s->ndev = 0;
}

static int
qdisc_cb(const struct pp_qdisc *q, void *data)
{
	struct ds_counters *s = data;

	if (q->is_class || q->parent != TC_H_ROOT)
		return 0;		/* a root's counters include its children's */
	for (size_t i = 0; i < s->ndev; i++)
		if (s->dev[i].ifindex == q->ifindex) {
			s->dev[i].has_qdisc = true;
			s->dev[i].v[DS_C_QDISC_DROPS] += q->drops;
		}
	return 0;
}

static void
qdisc_reset(void *data)
{
	struct ds_counters *s = data;

	for (size_t i = 0; i < s->ndev; i++) {
		s->dev[i].has_qdisc = false;
		s->dev[i].v[DS_C_QDISC_DROPS] = 0;
	}
}

void
ds_collect_counters(struct ds_collector *c, struct ds_counters *s)
{
	struct pp_softnet_cpu *cpus = NULL;
	struct pp_ct_cpu_stats *ct = NULL;
	struct pp_snmp sn = { 0 };
	struct pp_err e = { 0 };
	size_t n = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	s->mono = pp_mono_now();
	/* link and qdisc counters of every device of the namespace */
	if ((rc = c->rt_rc) == 0)
		rc = pp_link_dump(&c->rt, link_cb, link_reset, s, &e);
	if (rc == 0) {
		int qrc = pp_qdisc_dump(&c->rt, 0, false, qdisc_cb, qdisc_reset, s, &e);

		for (size_t i = 0; i < s->ndev; i++)
			for (int k = DS_C_RX_MISSED; k <= DS_C_QDISC_DROPS; k++)
				s->v[k] += s->dev[i].v[k];
		s->have[DS_C_RX_MISSED] = s->have[DS_C_RX_FIFO] = s->have[DS_C_TX_FIFO] = true;
		s->have[DS_C_QDISC_DROPS] = qrc == 0;
		if (qrc < 0)
			set_needs(s, DS_C_QDISC_DROPS, qrc, "RTM_GETQDISC dump");
	} else {
		for (int k = DS_C_RX_MISSED; k <= DS_C_QDISC_DROPS; k++)
			set_needs(s, k, rc, "RTM_GETLINK dump");
	}
	/* softnet: the host's, per CPU (32-bit counters summed) */
	if ((rc = pp_softnet_read(&cpus, &n, &e)) == 0) {
		for (size_t i = 0; i < n; i++) {
			s->v[DS_C_SOFTNET_DROPPED] += cpus[i].dropped;
			s->v[DS_C_SOFTNET_SQUEEZE] += cpus[i].time_squeeze;
		}
		s->have[DS_C_SOFTNET_DROPPED] = s->have[DS_C_SOFTNET_SQUEEZE] = true;
		free(cpus);
	} else {
		set_needs(s, DS_C_SOFTNET_DROPPED, rc, "/proc/net/softnet_stat");
		set_needs(s, DS_C_SOFTNET_SQUEEZE, rc, "/proc/net/softnet_stat");
	}
	/* conntrack: this namespace's per-CPU statistics */
	rc = c->nf_rc;
	if (rc == 0)
		rc = pp_ct_stats_cpu(&c->nf, &ct, &n, &e);
	if (rc == 0) {
		for (size_t i = 0; i < n; i++) {
			s->v[DS_C_CT_DROP] += ct[i].v[PP_CT_STAT_DROP];
			s->v[DS_C_CT_EARLY_DROP] += ct[i].v[PP_CT_STAT_EARLY_DROP];
			s->v[DS_C_CT_INSERT_FAILED] += ct[i].v[PP_CT_STAT_INSERT_FAILED];
		}
		s->have[DS_C_CT_DROP] = s->have[DS_C_CT_EARLY_DROP] = s->have[DS_C_CT_INSERT_FAILED] = true;
		free(ct);
	} else {
		const char *what = rc == -ENOENT || rc == -EOPNOTSUPP || rc == -EPROTONOSUPPORT
			? "conntrack statistics (nf_conntrack not loaded?)" : "IPCTNL_MSG_CT_GET_STATS_CPU";

		set_needs(s, DS_C_CT_DROP, rc, what);
		set_needs(s, DS_C_CT_EARLY_DROP, rc, what);
		set_needs(s, DS_C_CT_INSERT_FAILED, rc, what);
	}
	/* listen queues and UDP receive buffers: this namespace's */
	if ((rc = pp_snmp_read(&sn)) == 0) {
		static const struct { enum ds_counter k; const char *name; } m[] = {
			{ DS_C_LISTEN_OVERFLOWS, "TcpExtListenOverflows" },
			{ DS_C_LISTEN_DROPS, "TcpExtListenDrops" },
			{ DS_C_UDP_RCVBUF, "UdpRcvbufErrors" },
			{ DS_C_UDP6_RCVBUF, "Udp6RcvbufErrors" },
		};

		for (size_t i = 0; i < PP_ARRAY_SIZE(m); i++) {
			if (pp_snmp_get(&sn, m[i].name, &s->v[m[i].k]))
				s->have[m[i].k] = true;
			else
				snprintf(s->needs[m[i].k], sizeof(s->needs[m[i].k]),
					 "the kernel does not print %s", m[i].name);
		}
		pp_snmp_free(&sn);
	} else {
		for (int k = DS_C_LISTEN_OVERFLOWS; k <= DS_C_UDP6_RCVBUF; k++)
			set_needs(s, k, rc, "/proc/net/snmp");
	}
}

void
ds_counters_free(struct ds_counters *s)
{
	free(s->dev);
	s->dev = NULL;
	s->ndev = 0;
}
