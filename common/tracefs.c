/*
 * tracefs.c: tracepoint format files, parsed, and read from tracefs (or from a
 * private mount of it when none is mounted).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "sysctl.h"
#include "tracefs.h"

#define FMT_MAX		(256 * 1024)	/* one format file; kfree_skb's is about 6 KiB */

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
pp_tp_parse_format(const char *text, struct pp_tp_format *out)
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
pp_tp_reason_name(const struct pp_tp_format *f, uint32_t reason)
{
	for (unsigned i = 0; i < f->nreasons; i++)
		if (f->reasons[i].value == reason)
			return f->reasons[i].name;
	return NULL;
}

int
pp_tp_reason_value(const struct pp_tp_format *f, const char *name, uint32_t *value)
{
	for (unsigned i = 0; i < f->nreasons; i++)
		if (strcmp(f->reasons[i].name, name) == 0) {
			*value = f->reasons[i].value;
			return 0;
		}
	return -ENOENT;
}

bool
pp_tp_int_field(const struct pp_tp_format *f, int i)
{
	unsigned sz;

	if (i < 0 || (unsigned)i >= f->nfields)
		return false;
	sz = f->fields[i].size;
	return !f->fields[i].data_loc && (sz == 1 || sz == 2 || sz == 4 || sz == 8);
}

/* ---------------------------------------------------------------- raw records */

int
pp_tp_get_uint(const struct pp_tp_format *f, int i, const void *rawp, size_t len, uint64_t *v)
{
	const struct pp_tp_field *fl;
	const uint8_t *raw = rawp;

	if (!pp_tp_int_field(f, i))
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
pp_tp_raw_type(const struct pp_tp_format *f, const void *raw, size_t len, uint32_t *type)
{
	uint64_t v;
	int rc = pp_tp_get_uint(f, f->f_common_type, raw, len, &v);

	if (rc < 0)
		return -EBADMSG;
	*type = (uint32_t)v;
	return 0;
}

int
pp_tp_get_str(const struct pp_tp_format *f, int i, const void *raw, size_t len, char *buf, size_t buflen)
{
	const uint8_t *r = raw;
	const struct pp_tp_field *fl;
	uint32_t loc, off, n;

	if (buflen)
		buf[0] = '\0';
	if (i < 0 || (unsigned)i >= f->nfields || buflen == 0)
		return -EBADMSG;
	fl = &f->fields[i];
	if (!fl->data_loc || fl->size != 4 || (size_t)fl->offset + 4 > len)
		return -EBADMSG;
	memcpy(&loc, r + fl->offset, 4);
	off = loc & 0xffff;
	n = loc >> 16;
	if ((size_t)off + n > len)
		return -EBADMSG;
	while (n > 0 && r[off + n - 1] == '\0')
		n--;
	if (n >= buflen)
		n = (uint32_t)buflen - 1;
	memcpy(buf, r + off, n);
	buf[n] = '\0';
	return 0;
}

/* ---------------------------------------------------------------- tracefs */

static bool
dir_has_events(const char *dir)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s/events/skb", dir);
	return stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

/* A tracefs mount point: the usual places, then any tracefs in /proc/self/mounts. */
bool
pp_tracefs_find(char *dir, size_t len)
{
	static const char *const known[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	char *m = NULL, *line, *save = NULL;
	bool found = false;

	for (size_t i = 0; i < PP_ARRAY_SIZE(known); i++)
		if (dir_has_events(known[i])) {
			snprintf(dir, len, "%s", known[i]);
			return true;
		}
	if (pp_slurp("/proc/self/mounts", &m, 4 << 20) < 0)
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
 * mounts tracefs over /sys/kernel/tracing (or /tmp) there, and sends the
 * files back through a pipe as (int32 length or -errno, bytes). The mount dies
 * with the child's namespace; the host's mounts are never touched.
 */
static int
read_private(const char *const *paths, size_t nfiles, char **text, struct pp_err *e)
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
		for (size_t i = 0; i < nfiles; i++) {
			static char t[FMT_MAX];	/* no malloc after fork */
			char path[256];
			size_t n = 0;
			ssize_t r = 0;
			int fd;

			snprintf(path, sizeof(path), "%s/%s", at[mounted], paths[i]);
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
		int n = pp_slurp_fd(pfd[0], &buf, nfiles * (FMT_MAX + 8));

		close(pfd[0]);
		while (waitpid(child, &status, 0) < 0 && errno == EINTR)
			;
		if (n < 0) {
			pp_err_set(e, -n, "reading formats from the private tracefs mount");
			return n;
		}
		for (size_t i = 0; i < nfiles; i++) {
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

int
pp_tracefs_read(const char *const *paths, size_t n, char **text, char *where, size_t wlen,
		struct pp_err *e)
{
	char dir[128];
	int rc = 0;

	for (size_t i = 0; i < n; i++)
		text[i] = NULL;
	if (pp_tracefs_find(dir, sizeof(dir))) {
		snprintf(where, wlen, "%s", dir);
		for (size_t i = 0; i < n; i++) {
			char path[PATH_MAX];
			int r;

			snprintf(path, sizeof(path), "%s/%s", dir, paths[i]);
			r = pp_slurp(path, &text[i], FMT_MAX);
			if (r < 0 && i == 0) {
				rc = r;
				pp_err_set(e, -r, "%s", path);
			}
		}
	} else {
		snprintf(where, wlen, "(private mount)");
		rc = read_private(paths, n, text, e);
		if (rc == 0 && n && !text[0]) {
			rc = -ENOENT;
			pp_err_set(e, ENOENT, "%s in a private tracefs mount", paths[0]);
		}
	}
	return rc;
}
