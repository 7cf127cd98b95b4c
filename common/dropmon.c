/*
 * dropmon.c: skb:kfree_skb through perf_event_open, formats from tracefs,
 * locations from /proc/kallsyms, devices from net:* events by skb address.
 * See dropmon.h for the attribution rules and their limits.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <linux/perf_event.h>

#include "dropmon.h"

/* ---------------------------------------------------------------- format files */

static bool
is_ident(int c)
{
	return isalnum(c) || c == '_';
}

/* The field's name is the last identifier of its declaration, array suffix dropped. */
static int
field_decl(const char *decl, size_t len, struct pp_tp_field *f)
{
	size_t end = len, start;

	while (end > 0 && isspace((unsigned char)decl[end - 1]))
		end--;
	if (end > 0 && decl[end - 1] == ']') {		/* "char comm[16]" */
		while (end > 0 && decl[end - 1] != '[')
			end--;
		if (end == 0)
			return -EBADMSG;
		end--;
	}
	start = end;
	while (start > 0 && is_ident((unsigned char)decl[start - 1]))
		start--;
	if (start == end || end - start >= sizeof(f->name))
		return -EBADMSG;
	memcpy(f->name, decl + start, end - start);
	f->name[end - start] = '\0';
	f->data_loc = len >= 10 && strncmp(decl, "__data_loc", 10) == 0;
	return 0;
}

/* "key:NUMBER;" at *p (after optional blanks); advances *p. */
static int
key_num(const char **p, const char *eol, const char *key, unsigned long *v)
{
	const char *s = *p;
	size_t kl = strlen(key);
	char *end;

	while (s < eol && (*s == ' ' || *s == '\t'))
		s++;
	if ((size_t)(eol - s) < kl || strncmp(s, key, kl) != 0)
		return -EBADMSG;
	s += kl;
	if (s >= eol || !isdigit((unsigned char)*s))
		return -EBADMSG;
	errno = 0;
	*v = strtoul(s, &end, 10);
	if (errno || end > eol || *end != ';' || *v > 0xffff)
		return -EBADMSG;
	*p = end + 1;
	return 0;
}

static int
parse_field_line(const char *p, const char *eol, struct pp_tp_field *f)
{
	const char *semi;
	unsigned long off, size, sgn = 0;

	memset(f, 0, sizeof(*f));
	p += strlen("field:");
	semi = memchr(p, ';', (size_t)(eol - p));
	if (!semi)
		return -EBADMSG;
	if (field_decl(p, (size_t)(semi - p), f) < 0)
		return -EBADMSG;
	p = semi + 1;
	if (key_num(&p, eol, "offset:", &off) < 0 || key_num(&p, eol, "size:", &size) < 0)
		return -EBADMSG;
	if (key_num(&p, eol, "signed:", &sgn) < 0)
		sgn = 0;			/* absent before 2.6.3x */
	f->offset = (uint16_t)off;
	f->size = (uint16_t)size;
	f->is_signed = sgn != 0;
	return 0;
}

static int
find_field(const struct pp_tp_format *f, const char *name)
{
	for (unsigned i = 0; i < f->nfields; i++)
		if (strcmp(f->fields[i].name, name) == 0)
			return (int)i;
	return -1;
}

/* One "{ N, "NAME" }" at *p; 1 parsed, 0 skipped (value not numeric), -EBADMSG. */
static int
parse_symbol(const char **pp, const char *end, struct pp_tp_reason *r)
{
	const char *p = *pp, *q;
	unsigned long long v;
	char *num_end;
	bool numeric;
	size_t n;

	if (p >= end || *p != '{')
		return -EBADMSG;
	p++;
	while (p < end && *p == ' ')
		p++;
	errno = 0;
	v = strtoull(p, &num_end, 0);
	numeric = !errno && num_end != p && num_end <= end && v <= UINT32_MAX &&
		  (*num_end == ',' || *num_end == ' ');
	q = memchr(p, ',', (size_t)(end - p));	/* an enum name left unresolved: skip it */
	if (!q)
		return -EBADMSG;
	p = q + 1;
	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p != '"')
		return -EBADMSG;
	p++;
	q = memchr(p, '"', (size_t)(end - p));
	if (!q)
		return -EBADMSG;
	n = (size_t)(q - p);
	if (n >= 16 && strncmp(p, "SKB_DROP_REASON_", 16) == 0) {
		p += 16;
		n -= 16;
	}
	if (numeric) {
		if (n >= sizeof(r->name))
			n = sizeof(r->name) - 1;
		r->value = (uint32_t)v;
		memcpy(r->name, p, n);
		r->name[n] = '\0';
	}
	p = q + 1;
	while (p < end && *p == ' ')
		p++;
	if (p >= end || *p != '}')
		return -EBADMSG;
	*pp = p + 1;
	return numeric ? 1 : 0;
}

/* __print_symbolic(REC->reason, {..}, ...) in the print fmt line [p, end). */
static int
parse_reasons(const char *p, const char *end, struct pp_tp_format *f)
{
	static const char key[] = "__print_symbolic(REC->reason,";
	const char *s = p;

	for (;;) {
		s = memchr(s, '_', (size_t)(end - s));
		if (!s || (size_t)(end - s) < sizeof(key) - 1)
			return 0;		/* no reason table: not an error here */
		if (strncmp(s, key, sizeof(key) - 1) == 0)
			break;
		s++;
	}
	s += sizeof(key) - 1;
	for (;;) {
		struct pp_tp_reason r;
		int rc;

		while (s < end && *s == ' ')
			s++;
		if (s >= end)
			return -EBADMSG;	/* list not closed */
		if (*s == ')')
			return 0;
		memset(&r, 0, sizeof(r));
		rc = parse_symbol(&s, end, &r);
		if (rc < 0)
			return rc;
		if (rc > 0) {
			if (f->nreasons < PP_TP_MAX_REASONS)
				f->reasons[f->nreasons++] = r;
			else
				f->reasons_truncated = true;
		}
		while (s < end && *s == ' ')
			s++;
		if (s < end && *s == ',')
			s++;
		else if (s < end && *s != ')')
			return -EBADMSG;
	}
}

int
pp_dropmon_parse_format(const char *text, struct pp_tp_format *out)
{
	const char *p = text;
	bool have_id = false, have_format = false, have_print = false;

	memset(out, 0, sizeof(*out));
	while (*p) {
		const char *eol = strchr(p, '\n');
		const char *s = p;

		if (!eol)
			return -EBADMSG;	/* a cut read: every line of the file ends in \n */
		while (s < eol && (*s == ' ' || *s == '\t'))
			s++;
		if (strncmp(s, "name:", 5) == 0) {
			s += 5;
			while (s < eol && *s == ' ')
				s++;
			snprintf(out->name, sizeof(out->name), "%.*s", (int)(eol - s), s);
		} else if (strncmp(s, "ID:", 3) == 0) {
			unsigned long v;
			char *end;

			errno = 0;
			v = strtoul(s + 3, &end, 10);
			if (errno || end == s + 3 || end != eol || v > UINT32_MAX)
				return -EBADMSG;
			out->id = (uint32_t)v;
			have_id = true;
		} else if (strncmp(s, "format:", 7) == 0) {
			have_format = true;
		} else if (strncmp(s, "field:", 6) == 0) {
			struct pp_tp_field f;

			if (!have_format)
				return -EBADMSG;
			if (parse_field_line(s, eol, &f) < 0)
				return -EBADMSG;
			if (out->nfields >= PP_TP_MAX_FIELDS)
				return -E2BIG;
			out->fields[out->nfields++] = f;
		} else if (strncmp(s, "print fmt:", 10) == 0) {
			int rc = parse_reasons(s + 10, eol, out);

			if (rc < 0)
				return rc;
			have_print = true;
		}
		p = eol + 1;
	}
	if (!have_id || !have_format || !have_print || out->nfields == 0)
		return -EBADMSG;
	out->f_common_type = find_field(out, "common_type");
	out->f_common_flags = find_field(out, "common_flags");
	out->f_common_pid = find_field(out, "common_pid");
	out->f_skbaddr = find_field(out, "skbaddr");
	out->f_location = find_field(out, "location");
	out->f_protocol = find_field(out, "protocol");
	out->f_reason = find_field(out, "reason");
	out->f_rx_sk = find_field(out, "rx_sk");
	out->f_len = find_field(out, "len");
	out->f_name = find_field(out, "name");
	return 0;
}

const char *
pp_dropmon_reason_name(const struct pp_tp_format *f, uint32_t reason)
{
	for (unsigned i = 0; i < f->nreasons; i++)
		if (f->reasons[i].value == reason)
			return f->reasons[i].name;
	return NULL;
}

static bool
int_field_ok(const struct pp_tp_format *f, int i)
{
	unsigned sz;

	if (i < 0)
		return false;
	sz = f->fields[i].size;
	return !f->fields[i].data_loc && (sz == 1 || sz == 2 || sz == 4 || sz == 8);
}

int
pp_dropmon_check_kfree(const struct pp_tp_format *f)
{
	if (!int_field_ok(f, f->f_common_type) || !int_field_ok(f, f->f_skbaddr) ||
	    !int_field_ok(f, f->f_location) || !int_field_ok(f, f->f_protocol) ||
	    !int_field_ok(f, f->f_reason))
		return -ENOENT;
	return 0;
}

/* ---------------------------------------------------------------- raw records */

static int
get_uint(const struct pp_tp_format *f, int i, const uint8_t *raw, size_t len, uint64_t *v)
{
	const struct pp_tp_field *fl;

	if (!int_field_ok(f, i))
		return -ENOENT;
	fl = &f->fields[i];
	if ((size_t)fl->offset + fl->size > len)
		return -EBADMSG;
	switch (fl->size) {
	case 1: *v = raw[fl->offset]; break;
	case 2: { uint16_t x; memcpy(&x, raw + fl->offset, 2); *v = x; break; }
	case 4: { uint32_t x; memcpy(&x, raw + fl->offset, 4); *v = x; break; }
	default: { uint64_t x; memcpy(&x, raw + fl->offset, 8); *v = x; break; }
	}
	return 0;
}

int
pp_dropmon_raw_type(const struct pp_tp_format *f, const void *raw, size_t len, uint32_t *type)
{
	uint64_t v;
	int rc = get_uint(f, f->f_common_type, raw, len, &v);

	if (rc < 0)
		return -EBADMSG;
	*type = (uint32_t)v;
	return 0;
}

int
pp_dropmon_decode_kfree(const struct pp_tp_format *f, const void *raw, size_t len, struct pp_drop *d)
{
	uint64_t v;
	const char *name;

	if (pp_dropmon_check_kfree(f) < 0)
		return -ENOENT;
	if (get_uint(f, f->f_skbaddr, raw, len, &d->skbaddr) < 0 ||
	    get_uint(f, f->f_location, raw, len, &d->location) < 0)
		return -EBADMSG;
	if (get_uint(f, f->f_protocol, raw, len, &v) < 0)
		return -EBADMSG;
	d->protocol = (uint16_t)v;
	if (get_uint(f, f->f_reason, raw, len, &v) < 0)
		return -EBADMSG;
	d->reason = (uint32_t)v;
	d->flags = 0;
	if (get_uint(f, f->f_common_flags, raw, len, &v) == 0)
		d->flags = (uint8_t)v;
	name = pp_dropmon_reason_name(f, d->reason);
	snprintf(d->reason_name, sizeof(d->reason_name), "%s", name ? name : "");
	return 0;
}

int
pp_dropmon_decode_skb_event(const struct pp_tp_format *f, const void *raw, size_t len,
			    uint64_t *skbaddr, char *dev, size_t devlen)
{
	const uint8_t *r = raw;

	if (devlen)
		dev[0] = '\0';
	if (get_uint(f, f->f_skbaddr, r, len, skbaddr) < 0)
		return -EBADMSG;
	if (f->f_name >= 0 && devlen) {
		const struct pp_tp_field *fl = &f->fields[f->f_name];
		uint32_t loc, off, n;

		if (!fl->data_loc || fl->size != 4 || (size_t)fl->offset + 4 > len)
			return -EBADMSG;
		memcpy(&loc, r + fl->offset, 4);
		off = loc & 0xffff;
		n = loc >> 16;
		if ((size_t)off + n > len)
			return -EBADMSG;
		while (n > 0 && r[off + n - 1] == '\0')
			n--;
		if (n >= devlen)
			n = (uint32_t)devlen - 1;
		memcpy(dev, r + off, n);
		dev[n] = '\0';
	}
	return 0;
}

int
pp_dropmon_decode_sample(const void *rec, size_t len, struct pp_perf_sample *s)
{
	const uint8_t *p = rec;
	struct perf_event_header h;
	uint32_t u32[2];
	size_t need = sizeof(h) + 8 + 8 + 8 + 4;

	if (len < sizeof(h))
		return -EBADMSG;
	memcpy(&h, p, sizeof(h));
	if (h.size < sizeof(h) || h.size > len)
		return -EBADMSG;
	if (h.type != PERF_RECORD_SAMPLE)
		return -ENOMSG;
	if (h.size < need)
		return -EBADMSG;
	p += sizeof(h);
	memcpy(u32, p, 8);			/* PERF_SAMPLE_TID */
	s->pid = u32[0];
	s->tid = u32[1];
	memcpy(&s->time, p + 8, 8);		/* PERF_SAMPLE_TIME */
	memcpy(u32, p + 16, 8);			/* PERF_SAMPLE_CPU: cpu, res */
	s->cpu = u32[0];
	memcpy(&s->raw_len, p + 24, 4);		/* PERF_SAMPLE_RAW: u32 size, data */
	if (s->raw_len > h.size - need)
		return -EBADMSG;
	s->raw = p + 28;
	return 0;
}

int
pp_drop_attribute(const struct pp_drop *d, pid_t pid, const char *const *devs, size_t ndevs)
{
	const uint8_t irq = PP_TRACE_FLAG_HARDIRQ | PP_TRACE_FLAG_SOFTIRQ | PP_TRACE_FLAG_NMI;

	/* F6: an OUTPUT drop runs in the sender's syscall (no 's' flag, comm = sender). */
	if (pid > 0 && !(d->flags & irq) && d->pid == (uint32_t)pid)
		return PP_DROP_OURS_PROCESS;
	/* 5.1 Workaround A: the skb was last seen on a device with this name. */
	if (d->dev[0]) {
		if (ndevs == 0)
			return PP_DROP_UNATTRIBUTED;
		for (size_t i = 0; i < ndevs; i++)
			if (devs[i] && strcmp(devs[i], d->dev) == 0)
				return PP_DROP_OURS_DEVICE;
		return PP_DROP_OTHER_NS;
	}
	/* In softirq the pid is whoever was running (5.1): nothing to go on. */
	return PP_DROP_UNATTRIBUTED;
}

/* ---------------------------------------------------------------- kallsyms */

static int
sym_cmp(const void *a, const void *b)
{
	const struct pp_kallsyms_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

int
pp_kallsyms_load(struct pp_kallsyms *ks, const char *text)
{
	size_t lines = 0, cap_names = 0;
	bool nonzero = false;
	const char *p;

	memset(ks, 0, sizeof(*ks));
	for (p = text; *p; p++)
		if (*p == '\n')
			lines++;
	lines++;
	cap_names = (size_t)(p - text) + 1;
	ks->syms = calloc(lines, sizeof(*ks->syms));
	ks->names = malloc(cap_names);
	if (!ks->syms || !ks->names) {
		pp_kallsyms_free(ks);
		return -ENOMEM;
	}
	for (p = text; *p;) {
		const char *eol = strchr(p, '\n'), *s, *name;
		unsigned long long addr;
		char *end, type;
		size_t n;

		if (!eol)
			eol = p + strlen(p);
		errno = 0;
		addr = strtoull(p, &end, 16);
		s = end;
		if (errno || s == p || s >= eol || *s != ' ')
			goto next;
		s++;
		type = *s;
		if (s + 2 > eol || s[1] != ' ')
			goto next;
		name = s + 2;
		for (n = 0; name + n < eol && name[n] != ' ' && name[n] != '\t'; n++)
			;
		if (n == 0)
			goto next;
		if (addr)
			nonzero = true;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			goto next;
		if (n >= 6 && strncmp(name, "__pfx_", 6) == 0)
			goto next;		/* padding before a function, not code */
		ks->syms[ks->nsyms].addr = addr;
		ks->syms[ks->nsyms].name = (uint32_t)ks->names_len;
		memcpy(ks->names + ks->names_len, name, n);
		ks->names[ks->names_len + n] = '\0';
		ks->names_len += n + 1;
		ks->nsyms++;
next:
		p = *eol ? eol + 1 : eol;
	}
	if (!nonzero && ks->nsyms) {
		ks->hidden = true;
		ks->nsyms = 0;
		return -EACCES;
	}
	if (ks->nsyms == 0)
		return -ENOENT;
	qsort(ks->syms, ks->nsyms, sizeof(*ks->syms), sym_cmp);
	return 0;
}

#define KALLSYMS_TAIL	0x10000		/* how far past the last symbol we still trust it */

const char *
pp_kallsyms_lookup(const struct pp_kallsyms *ks, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = ks->nsyms;

	if (!ks->nsyms || addr < ks->syms[0].addr)
		return NULL;
	while (hi - lo > 1) {			/* last sym with sym.addr <= addr */
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (lo == ks->nsyms - 1 && addr - ks->syms[lo].addr >= KALLSYMS_TAIL)
		return NULL;
	if (off)
		*off = addr - ks->syms[lo].addr;
	return ks->names + ks->syms[lo].name;
}

void
pp_kallsyms_free(struct pp_kallsyms *ks)
{
	free(ks->syms);
	free(ks->names);
	memset(ks, 0, sizeof(*ks));
}

/* ---------------------------------------------------------------- the monitor */

enum { EV_KFREE, EV_RX, EV_TX, EV_CONSUME, EV_N };

static const char *const ev_path[EV_N] = {
	[EV_KFREE] = "events/skb/kfree_skb/format",
	[EV_RX] = "events/net/netif_receive_skb/format",
	[EV_TX] = "events/net/net_dev_queue/format",
	[EV_CONSUME] = "events/skb/consume_skb/format",
};

#define DROP_PAGES	32		/* data pages per CPU for kfree_skb alone (power of two) */
#define AUX_PAGES	128		/* for the net:* and consume_skb flood; 32 when mlock is short */
#define MAP_BITS	16		/* skb address -> device: 65536 slots */
#define FMT_MAX		(256 * 1024)

/*
 * Two rings per CPU: drops alone in ring 0, so a flood of net:* and consume_skb
 * records can cost device attribution (ring 1) but never a drop.
 */
struct dm_ring {
	uint8_t *base;
	size_t len;			/* mapped: one metadata page + data */
	uint64_t size;			/* data */
	int fd;				/* the event that owns the ring, -1 none */
};

struct dm_cpu {
	int cpu;
	int fd[EV_N];
	struct dm_ring ring[2];		/* [0] kfree_skb, [1] the others (SET_OUTPUT) */
};

struct dm_slot {
	uint64_t key;			/* skbaddr, 0 = empty */
	char dev[16];
};

struct dm_ev {
	uint64_t time;
	uint64_t seq;
	uint64_t skbaddr;
	int kind;
	uint32_t drop;			/* index into drops for EV_KFREE */
	char dev[16];
};

struct pp_dropmon {
	struct pp_tp_format *fmt[EV_N];	/* NULL when that event is not available */
	struct pp_kallsyms ks;
	bool have_syms;
	struct dm_cpu *cpus;
	unsigned ncpus;
	size_t page;
	uint64_t lost[2];		/* PERF_RECORD_LOST per ring */
	uint64_t fmt_lost[2];		/* PERF_FORMAT_LOST (6.0+) summed per ring kind */
	bool has_fmt_lost;
	unsigned aux_missing;		/* net:* / consume_skb events that could not be opened */
	uint64_t seq;
	pid_t pid;
	char (*devs)[16];
	const char **devp;
	size_t ndevs;
	struct dm_slot *map;
	size_t map_used;
	struct dm_ev *evs;
	size_t nevs, evcap;
	struct pp_drop *drops;
	size_t ndrops, dropcap;
	uint8_t *tmp;			/* one record that wraps the ring end */
	char tracefs[128];
};

/* Whole file into a malloc'd NUL-terminated buffer. */
static int
slurp_fd(int fd, char **out, size_t max)
{
	size_t cap = 16384, len = 0;
	char *buf = malloc(cap);

	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			char *nb;

			if (cap >= max) {
				free(buf);
				return -EFBIG;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				free(buf);
				return -ENOMEM;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			int rc = -errno;

			if (errno == EINTR)
				continue;
			free(buf);
			return rc;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	buf[len] = '\0';
	*out = buf;
	return (int)len;
}

static int
slurp(const char *path, char **out, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC), rc;

	if (fd < 0)
		return -errno;
	rc = slurp_fd(fd, out, max);
	close(fd);
	return rc;
}

static bool
dir_has_events(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/events/skb", dir);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A tracefs mount point: the usual places, then any tracefs in /proc/self/mounts. */
static bool
find_tracefs(char *dir, size_t len)
{
	static const char *const known[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char *m = NULL, *line, *save = NULL;
	bool found = false;

	for (size_t i = 0; i < PP_ARRAY_SIZE(known); i++)
		if (dir_has_events(known[i])) {
			snprintf(dir, len, "%s", known[i]);
			return true;
		}
	if (slurp("/proc/self/mounts", &m, 4 << 20) < 0)
		return false;
	for (line = strtok_r(m, "\n", &save); line && !found; line = strtok_r(NULL, "\n", &save)) {
		char src[256], mnt[PATH_MAX / 4], type[64];

		if (sscanf(line, "%255s %1023s %63s", src, mnt, type) != 3)
			continue;
		if (strcmp(type, "tracefs") == 0 && !strchr(mnt, '\\') && dir_has_events(mnt)) {
			snprintf(dir, len, "%s", mnt);
			found = true;
		}
	}
	free(m);
	return found;
}

static void
write_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		p += n;
		len -= (size_t)n;
	}
}

/*
 * No tracefs mounted: a child unshares its mount namespace, makes it private,
 * mounts tracefs over /sys/kernel/tracing (or /tmp) there, and sends the format
 * files back through a pipe as (int32 length or -errno, bytes). The mount dies
 * with the child's namespace; the host's mounts are never touched.
 */
static int
read_formats_private(char *text[EV_N], struct pp_err *e)
{
	int pfd[2], status, rc = 0;
	pid_t child;
	char *buf = NULL;
	size_t off = 0;

	if (pipe2(pfd, O_CLOEXEC) < 0) {
		pp_err_set(e, errno, "pipe");
		return -errno;
	}
	child = fork();
	if (child < 0) {
		rc = -errno;
		close(pfd[0]);
		close(pfd[1]);
		pp_err_set(e, -rc, "fork for a private tracefs mount");
		return rc;
	}
	if (child == 0) {
		static const char *const at[] = { "/sys/kernel/tracing", "/tmp" };
		int32_t hdr = 0;
		int mounted = -1;

		close(pfd[0]);
		if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
			hdr = -errno;
			write_all(pfd[1], &hdr, sizeof(hdr));
			_exit(1);
		}
		hdr = -ENOENT;
		for (size_t i = 0; i < PP_ARRAY_SIZE(at) && mounted < 0; i++) {
			if (mount("tracefs", at[i], "tracefs", MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL) == 0)
				mounted = (int)i;
			else
				hdr = -errno;
		}
		if (mounted < 0) {
			write_all(pfd[1], &hdr, sizeof(hdr));
			_exit(1);
		}
		for (int i = 0; i < EV_N; i++) {
			static char t[FMT_MAX];	/* no malloc after fork */
			char path[256];
			size_t n = 0;
			ssize_t r = 0;
			int fd;

			snprintf(path, sizeof(path), "%s/%s", at[mounted], ev_path[i]);
			fd = open(path, O_RDONLY | O_CLOEXEC);
			hdr = fd < 0 ? -errno : 0;
			while (fd >= 0 && n < sizeof(t) && (r = read(fd, t + n, sizeof(t) - n)) != 0) {
				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0) {
					hdr = -errno;
					break;
				}
				n += (size_t)r;
			}
			if (fd >= 0)
				close(fd);
			if (hdr == 0)
				hdr = n < sizeof(t) ? (int32_t)n : -EFBIG;
			write_all(pfd[1], &hdr, sizeof(hdr));
			if (hdr > 0)
				write_all(pfd[1], t, n);
		}
		_exit(0);
	}
	close(pfd[1]);
	{
		int n = slurp_fd(pfd[0], &buf, EV_N * (FMT_MAX + 8));

		close(pfd[0]);
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		if (n < 0) {
			pp_err_set(e, -n, "reading formats from the private tracefs mount");
			return n;
		}
		for (int i = 0; i < EV_N; i++) {
			int32_t hdr;

			if (off + sizeof(hdr) > (size_t)n) {
				rc = rc ? rc : -EIO;
				break;
			}
			memcpy(&hdr, buf + off, sizeof(hdr));
			off += sizeof(hdr);
			if (i == 0 && hdr < 0 && off == (size_t)n) {	/* unshare/mount failed */
				rc = hdr;
				pp_err_set(e, -hdr, "mount tracefs in a private mount namespace%s",
					   hdr == -EPERM || hdr == -EACCES ? " (needs root, or tracefs mounted)" : "");
				break;
			}
			if (hdr < 0 || off + (size_t)hdr > (size_t)n)
				continue;
			text[i] = malloc((size_t)hdr + 1);
			if (!text[i]) {
				rc = -ENOMEM;
				break;
			}
			memcpy(text[i], buf + off, (size_t)hdr);
			text[i][hdr] = '\0';
			off += (size_t)hdr;
		}
	}
	free(buf);
	return rc;
}

static long
perf_event_open(struct perf_event_attr *a, pid_t pid, int cpu, int group, unsigned long flags)
{
	return syscall(SYS_perf_event_open, a, pid, cpu, group, flags);
}

/* "0-3,5,7-8" into a malloc'd list. */
static int
online_cpus(int **out, unsigned *n)
{
	char *t = NULL, *p;
	int *v = NULL;
	unsigned cnt = 0, cap = 0;
	int rc = slurp("/sys/devices/system/cpu/online", &t, 65536);

	if (rc < 0)
		return rc;
	for (p = t; *p && *p != '\n';) {
		char *end;
		long a = strtol(p, &end, 10), b = a;

		if (end == p || a < 0)
			goto bad;
		p = end;
		if (*p == '-') {
			b = strtol(p + 1, &end, 10);
			if (end == p + 1 || b < a)
				goto bad;
			p = end;
		}
		for (long c = a; c <= b; c++) {
			if (cnt == cap) {
				int *nv = realloc(v, (cap = cap ? cap * 2 : 16) * sizeof(*v));

				if (!nv)
					goto bad;
				v = nv;
			}
			v[cnt++] = (int)c;
		}
		if (*p == ',')
			p++;
	}
	free(t);
	if (!cnt) {
		free(v);
		return -ENOENT;
	}
	*out = v;
	*n = cnt;
	return 0;
bad:
	free(t);
	free(v);
	return -EINVAL;
}

static int
open_one(struct pp_dropmon *dm, int kind, int cpu, size_t pages)
{
	struct perf_event_attr a;
	long fd;

	memset(&a, 0, sizeof(a));
	a.type = PERF_TYPE_TRACEPOINT;
	a.size = sizeof(a);
	a.config = dm->fmt[kind]->id;
	a.sample_period = 1;
	a.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CPU | PERF_SAMPLE_RAW;
	a.disabled = 1;
	a.use_clockid = 1;
	a.clockid = CLOCK_MONOTONIC;
	a.watermark = 1;
	a.wakeup_watermark = (uint32_t)(pages * dm->page / 4);
	a.read_format = dm->has_fmt_lost ? PERF_FORMAT_LOST : 0;
	fd = perf_event_open(&a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	if (fd < 0 && errno == EINVAL && dm->has_fmt_lost) {	/* before 6.0 */
		dm->has_fmt_lost = false;
		a.read_format = 0;
		fd = perf_event_open(&a, -1, cpu, -1, PERF_FLAG_FD_CLOEXEC);
	}
	return fd < 0 ? -errno : (int)fd;
}

void
pp_dropmon_close(struct pp_dropmon *dm)
{
	if (!dm)
		return;
	for (unsigned i = 0; i < dm->ncpus; i++) {
		struct dm_cpu *c = &dm->cpus[i];

		for (int k = EV_N - 1; k >= 0; k--)
			if (c->fd[k] >= 0)
				close(c->fd[k]);
		for (int r = 0; r < 2; r++)
			if (c->ring[r].base)
				munmap(c->ring[r].base, c->ring[r].len);
	}
	free(dm->cpus);
	for (int k = 0; k < EV_N; k++)
		free(dm->fmt[k]);
	pp_kallsyms_free(&dm->ks);
	free(dm->devs);
	free(dm->devp);
	free(dm->map);
	free(dm->evs);
	free(dm->drops);
	free(dm->tmp);
	free(dm);
}

static int
map_ring(struct pp_dropmon *dm, struct dm_ring *r, int fd, size_t pages)
{
	r->len = (pages + 1) * dm->page;
	r->base = mmap(NULL, r->len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (r->base == MAP_FAILED) {
		r->base = NULL;
		return -errno;
	}
	r->size = (uint64_t)pages * dm->page;
	r->fd = fd;
	return 0;
}

static int
load_formats(struct pp_dropmon *dm, struct pp_err *e)
{
	char *text[EV_N] = { NULL };
	int rc = 0;

	if (find_tracefs(dm->tracefs, sizeof(dm->tracefs))) {
		for (int i = 0; i < EV_N; i++) {
			char path[PATH_MAX];
			int n;

			snprintf(path, sizeof(path), "%s/%s", dm->tracefs, ev_path[i]);
			n = slurp(path, &text[i], FMT_MAX);
			if (n < 0 && i == EV_KFREE) {
				rc = n;
				pp_err_set(e, -n, "%s", path);
			}
		}
	} else {
		snprintf(dm->tracefs, sizeof(dm->tracefs), "(private mount)");
		rc = read_formats_private(text, e);
	}
	if (rc == 0 && !text[EV_KFREE]) {
		rc = -ENOENT;
		pp_err_set(e, ENOENT, "tracepoint skb:kfree_skb");
	}
	for (int i = 0; rc == 0 && i < EV_N; i++) {
		struct pp_tp_format *f;

		if (!text[i])
			continue;
		f = malloc(sizeof(*f));
		if (!f) {
			rc = -ENOMEM;
			break;
		}
		if (pp_dropmon_parse_format(text[i], f) < 0 ||
		    (i == EV_KFREE && pp_dropmon_check_kfree(f) < 0) ||
		    (i != EV_KFREE && f->f_skbaddr < 0) ||
		    ((i == EV_RX || i == EV_TX) && f->f_name < 0)) {
			free(f);
			if (i == EV_KFREE) {
				rc = -ENOENT;
				pp_err_set(e, ENOENT, "skb:kfree_skb format has no usable reason field");
			}
			continue;
		}
		dm->fmt[i] = f;
	}
	for (int i = 0; i < EV_N; i++)
		free(text[i]);
	return rc;
}

int
pp_dropmon_open(struct pp_dropmon **out, struct pp_err *e)
{
	struct pp_dropmon *dm;
	int *cpus = NULL, rc;
	unsigned ncpu = 0;
	char *kt = NULL;

	*out = NULL;
	dm = calloc(1, sizeof(*dm));
	if (!dm)
		return -ENOMEM;
	dm->page = (size_t)sysconf(_SC_PAGESIZE);
	dm->has_fmt_lost = true;
	rc = load_formats(dm, e);
	if (rc < 0)
		goto fail;

	if (slurp("/proc/kallsyms", &kt, 256 << 20) >= 0) {
		dm->have_syms = pp_kallsyms_load(&dm->ks, kt) == 0;
		free(kt);
	}

	dm->map = calloc((size_t)1 << MAP_BITS, sizeof(*dm->map));
	dm->tmp = malloc(65536);
	if (!dm->map || !dm->tmp) {
		rc = -ENOMEM;
		goto fail;
	}
	rc = online_cpus(&cpus, &ncpu);
	if (rc < 0) {
		pp_err_set(e, -rc, "/sys/devices/system/cpu/online");
		goto fail;
	}
	dm->cpus = calloc(ncpu, sizeof(*dm->cpus));
	if (!dm->cpus) {
		rc = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < ncpu; i++) {
		struct dm_cpu *c = &dm->cpus[i];

		c->cpu = cpus[i];
		for (int k = 0; k < EV_N; k++)
			c->fd[k] = -1;
		c->ring[0].fd = c->ring[1].fd = -1;
		dm->ncpus = i + 1;
		rc = open_one(dm, EV_KFREE, c->cpu, DROP_PAGES);
		if (rc < 0) {
			pp_err_set(e, -rc, "perf_event_open skb:kfree_skb on cpu %d%s", c->cpu,
				   rc == -EACCES || rc == -EPERM ? " (needs CAP_PERFMON or root)" : "");
			goto fail;
		}
		c->fd[EV_KFREE] = rc;
		rc = map_ring(dm, &c->ring[0], rc, DROP_PAGES);
		if (rc < 0) {
			pp_err_set(e, -rc, "mmap perf ring on cpu %d", c->cpu);
			goto fail;
		}
		c->ring[1].fd = -1;
		for (int k = EV_RX; k < EV_N; k++) {
			int fd;

			if (!dm->fmt[k])
				continue;
			fd = open_one(dm, k, c->cpu, AUX_PAGES);
			if (fd >= 0 && c->ring[1].fd < 0) {
				if (map_ring(dm, &c->ring[1], fd, AUX_PAGES) < 0 &&
				    map_ring(dm, &c->ring[1], fd, DROP_PAGES) < 0) {
					close(fd);
					fd = -1;
				}
			} else if (fd >= 0 &&
				   ioctl(fd, PERF_EVENT_IOC_SET_OUTPUT, c->ring[1].fd) < 0) {
				close(fd);
				fd = -1;
			}
			if (fd < 0) {		/* optional: attribution by device gets weaker */
				dm->aux_missing++;
				continue;
			}
			c->fd[k] = fd;
		}
	}
	free(cpus);
	*out = dm;
	return 0;
fail:
	free(cpus);
	pp_dropmon_close(dm);
	return rc;
}

int
pp_dropmon_set_scope(struct pp_dropmon *dm, pid_t pid, const char *const *devs, size_t ndevs)
{
	char (*nd)[16] = NULL;
	const char **np = NULL;

	if (ndevs) {
		nd = calloc(ndevs, sizeof(*nd));
		np = calloc(ndevs, sizeof(*np));
		if (!nd || !np) {
			free(nd);
			free(np);
			return -ENOMEM;
		}
		for (size_t i = 0; i < ndevs; i++) {
			snprintf(nd[i], sizeof(nd[i]), "%s", devs[i] ? devs[i] : "");
			np[i] = nd[i];
		}
	}
	free(dm->devs);
	free(dm->devp);
	dm->devs = nd;
	dm->devp = np;
	dm->ndevs = ndevs;
	dm->pid = pid;
	return 0;
}

static int
ioctl_all(struct pp_dropmon *dm, unsigned long req)
{
	for (unsigned i = 0; i < dm->ncpus; i++)
		for (int k = 0; k < EV_N; k++)
			if (dm->cpus[i].fd[k] >= 0 && ioctl(dm->cpus[i].fd[k], req, 0) < 0)
				return -errno;
	return 0;
}

int
pp_dropmon_enable(struct pp_dropmon *dm)
{
	return ioctl_all(dm, PERF_EVENT_IOC_ENABLE);
}

int
pp_dropmon_disable(struct pp_dropmon *dm)
{
	return ioctl_all(dm, PERF_EVENT_IOC_DISABLE);
}

uint64_t
pp_dropmon_lost(const struct pp_dropmon *dm)
{
	return dm->has_fmt_lost && dm->fmt_lost[0] > dm->lost[0] ? dm->fmt_lost[0] : dm->lost[0];
}

uint64_t
pp_dropmon_lost_aux(const struct pp_dropmon *dm)
{
	return dm->has_fmt_lost && dm->fmt_lost[1] > dm->lost[1] ? dm->fmt_lost[1] : dm->lost[1];
}

/* PERF_FORMAT_LOST: what the kernel could not write, also while the ring stayed full. */
static void
count_lost(struct pp_dropmon *dm)
{
	uint64_t sum[2] = { 0, 0 };

	if (!dm->has_fmt_lost)
		return;
	for (unsigned i = 0; i < dm->ncpus; i++)
		for (int k = 0; k < EV_N; k++) {
			uint64_t v[2];

			if (dm->cpus[i].fd[k] >= 0 && read(dm->cpus[i].fd[k], v, sizeof(v)) == sizeof(v))
				sum[k != EV_KFREE] += v[1];
		}
	dm->fmt_lost[0] = sum[0];
	dm->fmt_lost[1] = sum[1];
}

bool
pp_dropmon_has_devices(const struct pp_dropmon *dm)
{
	return (dm->fmt[EV_RX] || dm->fmt[EV_TX]) && dm->aux_missing == 0;
}

bool
pp_dropmon_has_symbols(const struct pp_dropmon *dm)
{
	return dm->have_syms;
}

const char *
pp_dropmon_tracefs(const struct pp_dropmon *dm)
{
	return dm->tracefs;
}

int
pp_dropmon_wait(struct pp_dropmon *dm, int timeout_ms)
{
	struct pollfd pf[512];
	unsigned n = 0;
	int rc;

	for (unsigned i = 0; i < dm->ncpus; i++)
		for (int r = 0; r < 2; r++)
			if (dm->cpus[i].ring[r].fd >= 0 && n < PP_ARRAY_SIZE(pf)) {
				pf[n].fd = dm->cpus[i].ring[r].fd;
				pf[n].events = POLLIN;
				pf[n].revents = 0;
				n++;
			}
	rc = poll(pf, n, timeout_ms);
	if (rc < 0)
		return -errno;
	return rc > 0;
}

/* skb address -> last device, linear probing with backward-shift deletion. */
static size_t
map_hash(uint64_t key)
{
	return (size_t)(((key >> 6) * 0x9E3779B97F4A7C15ull) >> (64 - MAP_BITS));
}

static struct dm_slot *
map_find(struct pp_dropmon *dm, uint64_t key)
{
	size_t mask = ((size_t)1 << MAP_BITS) - 1;

	for (size_t i = map_hash(key);; i = (i + 1) & mask) {
		if (dm->map[i].key == key)
			return &dm->map[i];
		if (dm->map[i].key == 0)
			return NULL;
	}
}

static void
map_put(struct pp_dropmon *dm, uint64_t key, const char *dev)
{
	size_t mask = ((size_t)1 << MAP_BITS) - 1, i;

	if (!key)
		return;
	if (dm->map_used >= (mask + 1) / 4 * 3) {	/* full of skbs never freed in view: start over */
		memset(dm->map, 0, ((size_t)1 << MAP_BITS) * sizeof(*dm->map));
		dm->map_used = 0;
	}
	for (i = map_hash(key); dm->map[i].key && dm->map[i].key != key; i = (i + 1) & mask)
		;
	if (!dm->map[i].key)
		dm->map_used++;
	dm->map[i].key = key;
	snprintf(dm->map[i].dev, sizeof(dm->map[i].dev), "%s", dev);
}

static void
map_del(struct pp_dropmon *dm, uint64_t key)
{
	size_t mask = ((size_t)1 << MAP_BITS) - 1, i, j;
	struct dm_slot *s = key ? map_find(dm, key) : NULL;

	if (!s)
		return;
	i = (size_t)(s - dm->map);
	dm->map[i].key = 0;
	dm->map_used--;
	for (j = (i + 1) & mask; dm->map[j].key; j = (j + 1) & mask) {
		size_t h = map_hash(dm->map[j].key);

		/* move j back into the hole at i unless its home lies in (i, j] */
		if ((j > i && (h <= i || h > j)) || (j < i && h <= i && h > j)) {
			dm->map[i] = dm->map[j];
			dm->map[j].key = 0;
			i = j;
		}
	}
}

static int
push_ev(struct pp_dropmon *dm, const struct dm_ev *ev)
{
	if (dm->nevs == dm->evcap) {
		size_t nc = dm->evcap ? dm->evcap * 2 : 1024;
		struct dm_ev *n = realloc(dm->evs, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		dm->evs = n;
		dm->evcap = nc;
	}
	dm->evs[dm->nevs++] = *ev;
	return 0;
}

static int
push_drop(struct pp_dropmon *dm, const struct pp_drop *d, uint32_t *idx)
{
	if (dm->ndrops == dm->dropcap) {
		size_t nc = dm->dropcap ? dm->dropcap * 2 : 64;
		struct pp_drop *n = realloc(dm->drops, nc * sizeof(*n));

		if (!n)
			return -ENOMEM;
		dm->drops = n;
		dm->dropcap = nc;
	}
	*idx = (uint32_t)dm->ndrops;
	dm->drops[dm->ndrops++] = *d;
	return 0;
}

/* One sample's raw data, by its common_type. */
static int
take_sample(struct pp_dropmon *dm, const struct pp_perf_sample *s)
{
	struct dm_ev ev;
	uint32_t type;
	int kind = -1;

	if (pp_dropmon_raw_type(dm->fmt[EV_KFREE], s->raw, s->raw_len, &type) < 0)
		return 0;
	for (int k = 0; k < EV_N; k++)
		if (dm->fmt[k] && dm->fmt[k]->id == type)
			kind = k;
	if (kind < 0)
		return 0;
	memset(&ev, 0, sizeof(ev));
	ev.time = s->time;
	ev.seq = dm->seq++;
	ev.kind = kind;
	if (kind == EV_KFREE) {
		struct pp_drop d;

		memset(&d, 0, sizeof(d));
		if (pp_dropmon_decode_kfree(dm->fmt[kind], s->raw, s->raw_len, &d) < 0)
			return 0;
		d.time_ns = s->time;
		d.cpu = (int)s->cpu;
		d.pid = s->pid;
		d.tid = s->tid;
		ev.skbaddr = d.skbaddr;
		if (push_drop(dm, &d, &ev.drop) < 0)
			return -ENOMEM;
	} else if (pp_dropmon_decode_skb_event(dm->fmt[kind], s->raw, s->raw_len, &ev.skbaddr,
					       ev.dev, sizeof(ev.dev)) < 0) {
		return 0;
	}
	return push_ev(dm, &ev);
}

static int
drain_ring(struct pp_dropmon *dm, struct dm_ring *r, uint64_t *lost)
{
	struct perf_event_mmap_page *m;
	uint8_t *data;
	uint64_t size = r->size;
	uint64_t head, tail;
	int rc = 0;

	if (!r->base)
		return 0;
	m = (void *)r->base;
	data = r->base + dm->page;
	head = __atomic_load_n(&m->data_head, __ATOMIC_ACQUIRE);
	tail = m->data_tail;

	while (tail < head && rc == 0) {
		struct perf_event_header h;
		uint64_t off = tail % size;
		const uint8_t *rec;

		if (head - tail < sizeof(h))
			break;
		for (size_t i = 0; i < sizeof(h); i++)
			((uint8_t *)&h)[i] = data[(off + i) % size];
		if (h.size < sizeof(h) || h.size > head - tail)
			break;			/* corrupt: give up on this ring's content */
		if (off + h.size <= size) {
			rec = data + off;
		} else {
			size_t first = (size_t)(size - off);

			memcpy(dm->tmp, data + off, first);
			memcpy(dm->tmp + first, data, h.size - first);
			rec = dm->tmp;
		}
		if (h.type == PERF_RECORD_LOST && h.size >= sizeof(h) + 16) {
			uint64_t n;

			memcpy(&n, rec + sizeof(h) + 8, 8);
			*lost += n;
		} else if (h.type == PERF_RECORD_SAMPLE) {
			struct pp_perf_sample s;

			if (pp_dropmon_decode_sample(rec, h.size, &s) == 0)
				rc = take_sample(dm, &s);
		}
		tail += h.size;
	}
	__atomic_store_n(&m->data_tail, head, __ATOMIC_RELEASE);
	return rc;
}

static int
ev_cmp(const void *a, const void *b)
{
	const struct dm_ev *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int
pp_dropmon_read(struct pp_dropmon *dm, int (*cb)(const struct pp_drop *d, void *data), void *data)
{
	int rc = 0, seen = 0;
	bool stop = false;

	dm->nevs = 0;
	dm->ndrops = 0;
	for (unsigned i = 0; i < dm->ncpus && rc == 0; i++)
		for (int r = 0; r < 2 && rc == 0; r++)
			rc = drain_ring(dm, &dm->cpus[i].ring[r], &dm->lost[r]);
	count_lost(dm);
	if (rc < 0)
		return rc;
	if (dm->nevs > 1)
		qsort(dm->evs, dm->nevs, sizeof(*dm->evs), ev_cmp);
	for (size_t i = 0; i < dm->nevs; i++) {
		const struct dm_ev *ev = &dm->evs[i];
		struct pp_drop *d;
		struct dm_slot *s;
		const char *sym;

		switch (ev->kind) {
		case EV_RX:
		case EV_TX:
			map_put(dm, ev->skbaddr, ev->dev);
			continue;
		case EV_CONSUME:
			map_del(dm, ev->skbaddr);
			continue;
		default:
			break;
		}
		d = &dm->drops[ev->drop];
		s = map_find(dm, d->skbaddr);
		if (s)
			snprintf(d->dev, sizeof(d->dev), "%s", s->dev);
		map_del(dm, d->skbaddr);
		if (dm->have_syms && (sym = pp_kallsyms_lookup(&dm->ks, d->location, &d->sym_off)))
			snprintf(d->symbol, sizeof(d->symbol), "%s", sym);
		d->attribution = pp_drop_attribute(d, dm->pid, dm->devp, dm->ndevs);
		seen++;
		if (cb && !stop && cb(d, data) != 0)
			stop = true;
	}
	return seen;
}
