/* prom.c: Prometheus text writer and atomic textfile output. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "prom.h"

void
pp_prom_init(struct pp_prom *p, FILE *f)
{
	p->f = f;
	p->family[0] = '\0';
}

/* HELP text escapes backslash and newline only. */
static void
help_escape(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

void
pp_prom_family(struct pp_prom *p, const char *name, const char *type, const char *help)
{
	if (strcmp(p->family, name) == 0)
		return;
	snprintf(p->family, sizeof(p->family), "%s", name);
	fprintf(p->f, "# HELP %s ", name);
	help_escape(p->f, help);
	fprintf(p->f, "\n# TYPE %s %s\n", name, type);
}

void
pp_prom_escape(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '\\')
			fputs("\\\\", f);
		else if (*s == '"')
			fputs("\\\"", f);
		else if (*s == '\n')
			fputs("\\n", f);
		else
			fputc(*s, f);
	}
}

/* Process-wide constant labels (see pp_prom_const_label). */
static struct {
	char name[32];
	char value[128];
} const_labels[4];
static size_t nconst;

void
pp_prom_const_label(const char *name, const char *value)
{
	size_t i;

	for (i = 0; i < nconst; i++)
		if (strcmp(const_labels[i].name, name) == 0)
			break;
	if (i == nconst) {
		if (nconst == PP_ARRAY_SIZE(const_labels))
			return;
		nconst++;
	}
	snprintf(const_labels[i].name, sizeof(const_labels[i].name), "%s", name);
	snprintf(const_labels[i].value, sizeof(const_labels[i].value), "%s", value ? value : "");
}

static void
labels_out(FILE *f, const struct pp_label *labels, size_t n)
{
	if (!n && !nconst)
		return;
	fputc('{', f);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%s%s=\"", i ? "," : "", labels[i].name);
		pp_prom_escape(f, labels[i].value ? labels[i].value : "");
		fputc('"', f);
	}
	for (size_t i = 0; i < nconst; i++) {
		fprintf(f, "%s%s=\"", i || n ? "," : "", const_labels[i].name);
		pp_prom_escape(f, const_labels[i].value);
		fputc('"', f);
	}
	fputc('}', f);
}

void
pp_prom_sample(struct pp_prom *p, const char *name, const struct pp_label *labels, size_t n,
	       double value)
{
	fputs(name, p->f);
	labels_out(p->f, labels, n);
	if (isnan(value))
		fputs(" NaN\n", p->f);
	else if (isinf(value))
		fputs(value > 0 ? " +Inf\n" : " -Inf\n", p->f);
	else
		fprintf(p->f, " %.17g\n", value);
}

void
pp_prom_sample_u64(struct pp_prom *p, const char *name, const struct pp_label *labels, size_t n,
		   uint64_t value)
{
	fputs(name, p->f);
	labels_out(p->f, labels, n);
	fprintf(p->f, " %" PRIu64 "\n", value);
}

void
pp_prom_run_info_labels(struct pp_prom *p, const char *prefix, bool success,
			const struct pp_label *labels, size_t n)
{
	char name[160];
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	snprintf(name, sizeof(name), "%s_last_run_timestamp_seconds", prefix);
	pp_prom_family(p, name, "gauge", "Unix time when this export was written.");
	pp_prom_sample(p, name, labels, n, (double)ts.tv_sec + ts.tv_nsec / 1e9);
	snprintf(name, sizeof(name), "%s_run_success", prefix);
	pp_prom_family(p, name, "gauge", "1 if the run completed and its results are valid, 0 if it failed.");
	pp_prom_sample_u64(p, name, labels, n, success ? 1 : 0);
}

void
pp_prom_run_info(struct pp_prom *p, const char *prefix, bool success)
{
	pp_prom_run_info_labels(p, prefix, success, NULL, 0);
}

int
pp_prom_file_open(struct pp_prom_file *pf, const char *path, struct pp_err *e)
{
	int fd, err;

	memset(pf, 0, sizeof(*pf));
	if (!path || !*path || strlen(path) >= sizeof(pf->path)) {
		pp_err_set(e, EINVAL, "--prom-file: bad path");
		return -EINVAL;
	}
	snprintf(pf->path, sizeof(pf->path), "%s", path);
	snprintf(pf->tmp, sizeof(pf->tmp), "%s.XXXXXX", path);
	fd = mkostemp(pf->tmp, O_CLOEXEC);
	if (fd < 0) {
		err = errno;
		pp_err_set(e, err, "--prom-file %s", path);
		return -err;
	}
	/*
	 * mkostemp() creates 0600; the file gets what open(path, O_CREAT, 0666) would:
	 * 0644 under the usual umask 022 (node_exporter may run as another user), 0600
	 * under umask 077, as the user asked.
	 */
	{
		mode_t um = umask(0);

		umask(um);
		fchmod(fd, 0666 & ~um);
	}
	pf->fp = fdopen(fd, "w");
	if (!pf->fp) {
		err = errno;
		close(fd);
		unlink(pf->tmp);
		pp_err_set(e, err, "--prom-file %s", path);
		return -err;
	}
	return 0;
}

int
pp_prom_file_commit(struct pp_prom_file *pf, struct pp_err *e)
{
	char dirbuf[sizeof(pf->path)];
	int err = 0, dfd;

	if (fflush(pf->fp) != 0 || ferror(pf->fp) || fsync(fileno(pf->fp)) < 0)
		err = errno ? errno : EIO;
	if (fclose(pf->fp) != 0 && !err)
		err = errno;
	pf->fp = NULL;
	if (!err && rename(pf->tmp, pf->path) < 0)
		err = errno;
	if (err) {
		unlink(pf->tmp);
		pp_err_set(e, err, "--prom-file %s", pf->path);
		return -err;
	}
	/* Make the rename itself durable. */
	snprintf(dirbuf, sizeof(dirbuf), "%s", pf->path);
	dfd = open(dirname(dirbuf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

void
pp_prom_file_abort(struct pp_prom_file *pf)
{
	if (pf->fp) {
		fclose(pf->fp);
		pf->fp = NULL;
	}
	if (pf->tmp[0])
		unlink(pf->tmp);
}
