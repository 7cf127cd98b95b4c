/* collect.c: one sample: the link and qdisc dumps, ethtool, softnet, read through common/. */
#include <errno.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <linux/ethtool_netlink.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>

#include "mem.h"
#include "nicstat.h"
#include "parse.h"
#include "qdisc.h"
#include "sample.h"
#include "snap.h"
#include "sysctl.h"



static struct ns_dev *
find_dev(struct ns_model *m, int ifindex)
{
	size_t lo = 0, hi = m->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->devs[mid].l.ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < m->n && m->devs[lo].l.ifindex == ifindex ? &m->devs[lo] : NULL;
}

/*
 * The device of ifindex: one of the previous sample's (sorted, binary search), or a
 * new one appended at the end. Appending keeps a dump linear whatever order the
 * kernel walks its devices in (by ifindex since 6.6, by hash bucket before); the
 * array is sorted again after the dump.
 */
static struct ns_dev *
dev_slot(struct ns_collector *c, int ifindex)
{
	struct ns_model *m = c->m;
	size_t lo = 0, hi = c->n_sorted;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (m->devs[mid].l.ifindex < ifindex)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < c->n_sorted && m->devs[lo].l.ifindex == ifindex)
		return &m->devs[lo];
	if (pp_array_grow((void **)&m->devs, &m->cap, m->n, sizeof(*m->devs), 64) < 0)
		return NULL;
	memset(&m->devs[m->n], 0, sizeof(*m->devs));
	m->devs[m->n].l.ifindex = ifindex;
	return &m->devs[m->n++];
}

static int
cmp_dev_ifindex(const void *a, const void *b)
{
	const struct ns_dev *x = a, *y = b;

	return x->l.ifindex < y->l.ifindex ? -1 : x->l.ifindex > y->l.ifindex;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

static int
link_cb(const struct pp_link *l, void *data)
{
	struct ns_collector *c = data;
	enum ns_kind k = ns_classify(l);
	struct ns_dev *d;

	if (l->qdisc[0] && strcmp(l->qdisc, "noqueue") != 0 && strcmp(l->qdisc, "noop") != 0)
		c->m->n_with_qdisc++;
	if (!ns_speed_is_rate(l)) {
		if (c->n_virt == c->cap_virt) {
			size_t nc = c->cap_virt ? c->cap_virt * 2 : 256;
			int *nv = realloc(c->virt, nc * sizeof(*nv));

			if (!nv)
				return -ENOMEM;
			c->virt = nv;
			c->cap_virt = nc;
		}
		c->virt[c->n_virt++] = l->ifindex;
	}
	if (c->m->sample == 0)
		ns_hits_add(c->o, l, &c->hits);
	if (!ns_selected(c->o, l, k))
		return 0;
	if (!(d = dev_slot(c, l->ifindex)))
		return -ENOMEM;
	if (d->has_prev && strcmp(d->l.name, l->name) != 0)
		d->has_prev = false;	/* the index was reused by another device */
	if (d->et_done && d->l.has_carrier_changes && l->carrier_changes != d->l.carrier_changes)
		d->et_done = false;	/* the link renegotiated: read its settings again */
	d->l = *l;
	d->kind = k;
	d->seen = true;
	d->selected = true;
	return 0;
}

static void
link_reset(void *data)
{
	struct ns_collector *c = data;
	size_t i;

	c->m->n_with_qdisc = 0;
	c->n_virt = 0;
	/* Devices new in the abandoned pass come again in the next one. */
	c->m->n = c->n_sorted;
	for (i = 0; i < c->m->n; i++)
		c->m->devs[i].seen = false;
}

static int
qdisc_cb(const struct pp_qdisc *q, void *data)
{
	struct ns_collector *c = data;
	struct ns_dev *d;

	if (q->parent != TC_H_ROOT || !(d = find_dev(c->m, q->ifindex)) || !d->seen)
		return 0;
	d->has_qdisc = true;
	d->qdrops = q->drops;
	return 0;
}

/* Why a call failed, as a static string: the fix when one is known, else the errno's text. */
static const char *
err_text(int rc)
{
	const char *needs = pp_errno_needs(rc);

	return needs ? needs : strerror(-rc);
}

static bool
et_open(struct ns_collector *c)
{
	struct pp_err e = { 0 };

	if (c->et_open)
		return true;
	if (pp_ethtool_open(&c->et, &e) < 0)
		return false;
	c->et_open = true;
	if (c->o->force_ioctl)
		c->et.family = 0;	/* as on a kernel without the family */
	c->m->ethtool_family = c->et.family != 0;
	if (!c->et.family && !c->o->force_ioctl)
		ns_warn(c->m, "no ethtool netlink family in this kernel: using the SIOCETHTOOL ioctl");
	return true;
}

struct et_dump {
	struct ns_collector *c;
	unsigned cmd;
};

/* One reply of a settings dump: keep it if its device waits for it. */
static int
et_dump_cb(const struct nlmsghdr *nlh, void *data)
{
	struct et_dump *x = data;
	union {
		struct pp_ethtool_linkmodes lm;
		struct pp_ethtool_linkinfo li;
		struct pp_ethtool_rings r;
		struct pp_ethtool_channels ch;
	} u;
	struct ns_dev *d;
	int rc, ifindex;

	switch (x->cmd) {
	case ETHTOOL_MSG_LINKMODES_GET:
		rc = pp_ethtool_decode_linkmodes(nlh, &u.lm);
		ifindex = u.lm.ifindex;
		break;
	case ETHTOOL_MSG_LINKINFO_GET:
		rc = pp_ethtool_decode_linkinfo(nlh, &u.li);
		ifindex = u.li.ifindex;
		break;
	case ETHTOOL_MSG_RINGS_GET:
		rc = pp_ethtool_decode_rings(nlh, &u.r);
		ifindex = u.r.ifindex;
		break;
	default:
		rc = pp_ethtool_decode_channels(nlh, &u.ch);
		ifindex = u.ch.ifindex;
		break;
	}
	if (rc < 0) {
		x->c->et.nl.bad_msgs++;
		return 0;
	}
	if (!(d = find_dev(x->c->m, ifindex)) || !d->et_pending)
		return 0;
	switch (x->cmd) {
	case ETHTOOL_MSG_LINKMODES_GET:
		d->lm = u.lm;
		d->lm_rc = 0;
		d->lm_err = NULL;
		break;
	case ETHTOOL_MSG_LINKINFO_GET:
		if (d->x) {
			d->x->li = u.li;
			d->x->li_rc = 0;
		}
		break;
	case ETHTOOL_MSG_RINGS_GET:
		if (d->x) {
			d->x->rings = u.r;
			d->x->rings_rc = 0;
		}
		break;
	default:
		if (d->x) {
			d->x->chan = u.ch;
			d->x->chan_rc = 0;
		}
		break;
	}
	return 0;
}

/*
 * Many devices to ask: one dump per command over the namespace instead of one
 * request per device and command. A device the kernel leaves out of a dump lacks
 * the operation (EOPNOTSUPP). Returns false when the dumps could not be made (then
 * every device is asked on its own).
 */
static bool
et_dump_all(struct ns_collector *c, bool any_full)
{
	static const unsigned cmds[] = { ETHTOOL_MSG_LINKMODES_GET, ETHTOOL_MSG_LINKINFO_GET,
					 ETHTOOL_MSG_RINGS_GET, ETHTOOL_MSG_CHANNELS_GET };
	struct ns_model *m = c->m;
	struct pp_err e = { 0 };
	size_t i, k;

	for (k = 0; k < PP_ARRAY_SIZE(cmds); k++)
		if ((k == 0 || any_full) && !pp_ethtool_has_op(&c->et, cmds[k]))
			return false;
	for (i = 0; i < m->n; i++) {
		struct ns_dev *d = &m->devs[i];

		if (!d->et_pending)
			continue;
		d->lm_rc = -EOPNOTSUPP;
		d->lm_err = err_text(-EOPNOTSUPP);
		if (d->x)
			d->x->li_rc = d->x->rings_rc = d->x->chan_rc = -EOPNOTSUPP;
	}
	for (k = 0; k < PP_ARRAY_SIZE(cmds); k++) {
		struct et_dump x = { c, cmds[k] };

		if (k > 0 && !any_full)
			break;
		if (pp_ethtool_dump(&c->et, cmds[k], et_dump_cb, &x, &e) < 0) {
			char buf[300];

			ns_warn(m, "ethtool dump failed, asking each device: %s",
				pp_err_str(&e, buf, sizeof(buf)));
			return false;
		}
	}
	for (i = 0; i < m->n; i++) {
		struct ns_dev *d = &m->devs[i];

		if (!d->et_pending)
			continue;
		if (d->x)
			d->x->drv_rc = pp_ethtool_get_driver(&c->et, d->l.name, d->x->driver,
							     sizeof(d->x->driver), &e);
		d->et_pending = false;
		d->et_done = true;
	}
	return true;
}

/* Whether a failed read is worth asking again next sample: not when the driver or kernel lacks it. */
static bool
nic_ask(int rc)
{
	return rc != -EOPNOTSUPP && rc != -EPROTONOSUPPORT;
}

/*
 * The standard counters, pause and FEC of one device, each sample (they are
 * counters); the previous sample's values are kept for the deltas.
 */
static void
collect_nic(struct ns_collector *c, int ifindex, const char *name, struct ns_et *x)
{
	struct pp_err e = { 0 };

	if ((x->std_has_prev = x->std_rc == 0))
		x->std_prev = x->std;
	if (nic_ask(x->std_rc))
		x->std_rc = pp_ethtool_get_std_stats(&c->et, ifindex, name, &x->std, &e);
	if ((x->pause_has_prev = x->pause_rc == 0))
		x->pause_prev = x->pause;
	if (nic_ask(x->pause_rc))
		x->pause_rc = pp_ethtool_get_pause(&c->et, ifindex, name, &x->pause, &e);
	if ((x->fec_has_prev = x->fec_rc == 0))
		x->fec_prev = x->fec;
	if (nic_ask(x->fec_rc))
		x->fec_rc = pp_ethtool_get_fec(&c->et, ifindex, name, &x->fec, &e);
}

static void
collect_ethtool(struct ns_collector *c, struct ns_dev *d, bool full)
{
	struct pp_err e = { 0 };
	struct pp_ethtool_stat *st = NULL;
	size_t n = 0, i;

	struct ns_et *x = d->x;

	if (!et_open(c))
		return;
	if (full && !x)
		return;		/* no memory for it: the speed alone was read */
	if (!d->et_done) {
		d->lm_rc = pp_ethtool_get_linkmodes(&c->et, d->l.ifindex, d->l.name, &d->lm, &e);
		if (d->lm_rc < 0)
			d->lm_err = err_text(d->lm_rc);
		if (full) {
			x->li_rc = pp_ethtool_get_linkinfo(&c->et, d->l.ifindex, d->l.name, &x->li, &e);
			x->rings_rc = pp_ethtool_get_rings(&c->et, d->l.ifindex, d->l.name, &x->rings, &e);
			x->chan_rc = pp_ethtool_get_channels(&c->et, d->l.ifindex, d->l.name, &x->chan, &e);
			x->drv_rc = pp_ethtool_get_driver(&c->et, d->l.name, x->driver, sizeof(x->driver), &e);
		}
		d->et_done = true;
	}
	if (!full)
		return;
	collect_nic(c, d->l.ifindex, d->l.name, x);
	x->stats_rc = pp_ethtool_get_stats(&c->et, d->l.name, &st, &n, &e);
	if (x->stats_rc < 0) {
		x->stats_err = err_text(x->stats_rc);
		return;
	}
	/* Keep the previous values where the counter set is the same, for the deltas. */
	if (n != x->n_ds) {
		free(x->ds);
		x->ds = calloc(n ? n : 1, sizeof(*x->ds));
		x->n_ds = x->ds ? n : 0;
	}
	for (i = 0; i < x->n_ds; i++) {
		struct ns_dstat *s = &x->ds[i];

		if (strcmp(s->raw, st[i].name) == 0 && s->raw[0]) {
			s->prev = s->value;
			s->has_prev = true;
		} else {
			memcpy(s->raw, st[i].name, sizeof(s->raw));
			ns_split_queue(s->raw, s->name, sizeof(s->name), s->queue, sizeof(s->queue));
			s->has_prev = false;
		}
		s->value = st[i].value;
	}
	free(st);
}

/* Through common/sysctl.c, so a snapshot records and replays it. */
static double
read_uptime(void)
{
	char buf[128];
	double up = 0;

	if (pp_read_file("/proc/uptime", buf, sizeof(buf)) <= 0 || sscanf(buf, "%lf", &up) != 1)
		up = 0;
	return up;
}

static void
collect_softnet(struct ns_model *m)
{
	struct pp_softnet_cpu *cpus = NULL;
	struct pp_err e = { 0 };
	size_t n = 0, i, j;
	struct ns_cpu *nc;

	m->softnet_rc = pp_softnet_read(&cpus, &n, &e);
	if (m->softnet_rc < 0) {
		snprintf(m->softnet_err, sizeof(m->softnet_err), "%s", err_text(m->softnet_rc));
		return;
	}
	nc = calloc(n ? n : 1, sizeof(*nc));
	if (!nc) {
		free(cpus);
		m->softnet_rc = -ENOMEM;
		snprintf(m->softnet_err, sizeof(m->softnet_err), "out of memory");
		return;
	}
	for (i = 0; i < n; i++) {
		nc[i].cur = cpus[i];
		for (j = 0; j < m->n_cpus; j++)
			if (m->cpus[j].cur.cpu == cpus[i].cpu) {
				nc[i].prev = m->cpus[j].cur;
				nc[i].has_prev = true;
				break;
			}
	}
	free(m->cpus);
	free(cpus);
	m->cpus = nc;
	m->n_cpus = n;
}

int
ns_collect(struct ns_collector *c, struct pp_nl *nl, struct pp_err *e)
{
	struct ns_model *m = c->m;
	size_t i, j;
	int rc;

	m->t_prev = m->t;
	m->t = pp_mono_now();
	{
		struct timespec ts;

		pp_clock_realtime(&ts);
		m->wall = (double)ts.tv_sec;
	}
	m->uptime = read_uptime();
	for (i = 0; i < m->n; i++) {
		struct ns_dev *d = &m->devs[i];

		d->has_prev = d->seen && d->l.has_stats64;
		if (d->has_prev && !d->prev && !(d->prev = malloc(sizeof(*d->prev))))
			d->has_prev = false;
		if (d->has_prev) {
			*d->prev = d->l.stats;
			d->prev_carrier_changes = d->l.carrier_changes;
		}
		d->has_prev_qdisc = d->seen && d->has_qdisc;
		d->prev_qdrops = d->qdrops;
		d->has_qdisc = false;
		d->seen = false;
	}
	m->n_with_qdisc = 0;
	m->qdisc_in_sat = false;
	c->n_virt = 0;
	c->n_sorted = m->n;
	if ((rc = pp_link_dump(nl, link_cb, link_reset, c, e)) < 0)
		return rc;
	for (i = 1; i < m->n; i++)
		if (m->devs[i - 1].l.ifindex > m->devs[i].l.ifindex) {
			qsort(m->devs, m->n, sizeof(*m->devs), cmp_dev_ifindex);
			break;
		}
	for (i = 1; i < c->n_virt; i++)
		if (c->virt[i - 1] > c->virt[i]) {
			qsort(c->virt, c->n_virt, sizeof(int), cmp_int);
			break;
		}
	/* Devices that are gone leave the model, so a long run over container churn stays small. */
	for (i = 0, j = 0; i < m->n; i++) {
		if (!m->devs[i].seen) {
			ns_et_free(m->devs[i].x);
			free(m->devs[i].prev);
			continue;
		}
		if (i != j)
			m->devs[j] = m->devs[i];
		j++;
	}
	m->n = j;
	/*
	 * A vlan, macvlan or bond reports its lower device's speed: a line rate only if
	 * that device has one. A vlan on a veth says 10000Mb/s like the veth. The lower
	 * device is known only in this namespace (no link-netnsid); lower ifindexes come
	 * first, so a stack of them inherits in one pass.
	 */
	for (i = 0; i < m->n; i++) {
		struct ns_dev *d = &m->devs[i], *low;

		d->lower_virtual = false;
		if (!ns_speed_is_rate(&d->l) || d->kind == NS_K_PHYSICAL || d->l.has_link_netnsid ||
		    !d->l.link || (int)d->l.link == d->l.ifindex)
			continue;
		if (bsearch(&d->l.link, c->virt, c->n_virt, sizeof(int), cmp_int))
			d->lower_virtual = true;
		else if ((low = find_dev(m, (int)d->l.link)) && low->lower_virtual)
			d->lower_virtual = true;
	}
	/*
	 * Root qdisc drops: on Linux a saturated transmit path drops in the qdisc, and
	 * the device's tx_dropped never sees it. One RTM_GETQDISC dump, asked for with
	 * by default only while few devices have a qdisc: with thousands it costs about
	 * as much again as the link dump (the two cannot overlap in two threads: both
	 * hold the RTNL lock, measured).
	 */
	if (c->o->qdisc == NS_Q_ON ||
	    (c->o->qdisc == NS_Q_AUTO && m->n_with_qdisc <= NS_QDISC_AUTO_MAX)) {
		struct pp_err qe = { 0 };

		if ((rc = pp_qdisc_dump(nl, 0, false, qdisc_cb, NULL, c, &qe)) < 0) {
			char buf[300];

			ns_warn(m, "qdisc drops left out of Sat: %s", pp_err_str(&qe, buf, sizeof(buf)));
			for (i = 0; i < m->n; i++)
				m->devs[i].has_qdisc = false;
		} else {
			m->qdisc_in_sat = true;
		}
	} else if (c->o->qdisc == NS_Q_AUTO) {
		ns_warn(m, "qdisc drops left out of Sat: %zu devices have a qdisc (more than %d); "
			   "-q counts them at the cost of one more dump", m->n_with_qdisc, NS_QDISC_AUTO_MAX);
	}
	if (c->o->ethtool != NS_ET_NONE) {
		size_t pending = 0;
		bool any_full = false;

		for (i = 0; i < m->n; i++) {
			struct ns_dev *d = &m->devs[i];

			/*
			 * Per-device calls only where they tell something: a line rate for %Util, or
			 * the settings and counters asked for. Thousands of veths cost nothing here.
			 */
			d->et_full = c->o->ethtool == NS_ET_ALL || d->kind == NS_K_PHYSICAL;
			if (d->et_full && !d->x && !(d->x = ns_et_new()))
				d->et_full = false;	/* no memory: the speed alone */
			d->et_want = d->et_full || ns_dev_rate(d);
			d->et_pending = d->et_want && !d->et_done;
			pending += d->et_pending;
			any_full |= d->et_pending && d->et_full;
		}
		if (pending > NS_ET_DUMP_MIN && et_open(c) && !et_dump_all(c, any_full))
			for (i = 0; i < m->n; i++)
				m->devs[i].et_pending = false;
		for (i = 0; i < m->n; i++) {
			struct ns_dev *d = &m->devs[i];

			d->et_pending = false;
			if (d->et_want)
				collect_ethtool(c, d, d->et_full);
		}
	}
	if (!c->o->no_softnet)
		collect_softnet(m);
	return 0;
}

/* ---- the hidden benchmark floor: the same dumps, messages only counted ---- */

static int
count_cb(const struct nlmsghdr *nlh, void *data)
{
	(*(uint64_t *)data)++;
	(void)nlh;
	return 0;
}

int
ns_count_only(const struct ns_opts *o, struct pp_nl *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;
	struct tcmsg *tcm;
	struct pp_err e = { 0 };
	uint64_t links = 0, qdiscs = 0;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_GETLINK;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	if (pp_nl_dump(nl, nlh, count_cb, &links, NULL, &e) < 0)
		goto fail;
	if (o->qdisc == NS_Q_ON) {
		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = RTM_GETQDISC;
		tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
		tcm->tcm_family = AF_UNSPEC;
		pp_err_set(&e, 0, "RTM_GETQDISC dump");
		if (pp_nl_dump(nl, nlh, count_cb, &qdiscs, NULL, &e) < 0)
			goto fail;
	}
	printf("links %llu qdiscs %llu\n", (unsigned long long)links, (unsigned long long)qdiscs);
	return PP_EXIT_OK;
fail:
	pp_warn_err(&o->cli, &e);
	return PP_EXIT_UNKNOWN;
}
