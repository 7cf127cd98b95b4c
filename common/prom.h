/*
 * prom.h: Prometheus text exposition (format 0.0.4), as node_exporter's textfile
 * collector reads it: # HELP and # TYPE once per family, label values escaped,
 * and --prom-file written atomically (temp file in the same directory, fsync, rename).
 */
#ifndef PP_PROM_H
#define PP_PROM_H

#include <stdio.h>
#include "pp.h"

struct pp_label {
	const char *name;
	const char *value;
};

struct pp_prom {
	FILE *f;
	char family[128];	/* the family whose HELP/TYPE was written last */
};

void pp_prom_init(struct pp_prom *p, FILE *f);
/* Start a family: HELP and TYPE ("gauge", "counter"), unless it is the one in progress. */
void pp_prom_family(struct pp_prom *p, const char *name, const char *type, const char *help);
/* One sample; labels[0..n) (a NULL value is written as ""). */
void pp_prom_sample(struct pp_prom *p, const char *name, const struct pp_label *labels, size_t n,
		    double value);
void pp_prom_sample_u64(struct pp_prom *p, const char *name, const struct pp_label *labels,
			size_t n, uint64_t value);
/*
 * A label added to every sample this process writes, after the sample's own
 * (netns="NAME" once a tool has entered a namespace with -N or --netns-pid), so
 * that exports of one tool for several namespaces never collide in one textfile
 * directory. At most four; a name set again is replaced. Call before writing.
 */
void pp_prom_const_label(const char *name, const char *value);

/* Write s escaped as a label value (backslash, double quote, newline). */
void pp_prom_escape(FILE *f, const char *s);
/* The two families every export has: <prefix>_last_run_timestamp_seconds and <prefix>_run_success. */
void pp_prom_run_info(struct pp_prom *p, const char *prefix, bool success);
/* The same with labels, for a tool whose exports differ by more than the namespace (pmtuprobe's dst). */
void pp_prom_run_info_labels(struct pp_prom *p, const char *prefix, bool success,
			     const struct pp_label *labels, size_t n);

/*
 * Atomic file output. pp_prom_file_open() creates PATH.XXXXXX beside path; write
 * to *fp; pp_prom_file_commit() flushes, fsyncs, renames over path and fsyncs the
 * directory, so a reader sees the old file or the new one, never half of one.
 * pp_prom_file_abort() removes the temp file. Return 0 or -errno (e says which).
 */
struct pp_prom_file {
	FILE *fp;
	char path[4096];
	char tmp[4096 + 16];
};
int pp_prom_file_open(struct pp_prom_file *pf, const char *path, struct pp_err *e);
int pp_prom_file_commit(struct pp_prom_file *pf, struct pp_err *e);
void pp_prom_file_abort(struct pp_prom_file *pf);

#endif
