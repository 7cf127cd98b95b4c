/* test_common_prom.c: Prometheus text output and the atomic --prom-file (prom.c). */
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "prom.h"
#include "test_common_msg.h"

struct cap {
	FILE *f;
	char *buf;
	size_t len;
};

static void
cap_open(struct cap *c)
{
	c->buf = NULL;
	c->len = 0;
	c->f = open_memstream(&c->buf, &c->len);
}

static const char *
cap_text(struct cap *c)
{
	fflush(c->f);
	return c->buf;
}

static void
cap_close(struct cap *c)
{
	fclose(c->f);
	free(c->buf);
}

static int
count(const char *hay, const char *needle)
{
	int n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static void
test_prom_escape(void)
{
	struct cap c;
	struct pp_prom p;
	const struct pp_label l[] = {
		{ "dev", "veth0" },
		{ "path", "C:\\tmp\\" },
		{ "msg", "say \"hi\"\nbye" },
		{ "empty", NULL },
		{ "utf8", "caf\xc3\xa9" },
	};

	cap_open(&c);
	pp_prom_escape(c.f, "a\\b\"c\nd\te");
	pp_prom_escape(c.f, NULL);
	CHECK_STR(cap_text(&c), "a\\\\b\\\"c\\nd\te");
	cap_close(&c);

	cap_open(&c);
	pp_prom_init(&p, c.f);
	pp_prom_sample_u64(&p, "pktpath_x_total", l, PP_ARRAY_SIZE(l), 3);
	CHECK_STR(cap_text(&c),
		  "pktpath_x_total{dev=\"veth0\",path=\"C:\\\\tmp\\\\\",msg=\"say \\\"hi\\\"\\nbye\","
		  "empty=\"\",utf8=\"caf\xc3\xa9\"} 3\n");
	cap_close(&c);
}

static void
test_prom_family_once(void)
{
	struct cap c;
	struct pp_prom p;
	const struct pp_label a = { "dev", "a" }, b = { "dev", "b" };
	const char *t;

	cap_open(&c);
	pp_prom_init(&p, c.f);
	pp_prom_family(&p, "pktpath_q_drops_total", "counter", "Packets dropped.\nBy the qdisc \\ \"x\".");
	pp_prom_sample_u64(&p, "pktpath_q_drops_total", &a, 1, 1);
	pp_prom_family(&p, "pktpath_q_drops_total", "counter", "Packets dropped.\nBy the qdisc \\ \"x\".");
	pp_prom_sample_u64(&p, "pktpath_q_drops_total", &b, 1, 2);
	pp_prom_family(&p, "pktpath_q_backlog_bytes", "gauge", "Bytes queued.");
	pp_prom_sample_u64(&p, "pktpath_q_backlog_bytes", &a, 1, 0);
	t = cap_text(&c);
	CHECK_STR(t,
		  "# HELP pktpath_q_drops_total Packets dropped.\\nBy the qdisc \\\\ \"x\".\n"
		  "# TYPE pktpath_q_drops_total counter\n"
		  "pktpath_q_drops_total{dev=\"a\"} 1\n"
		  "pktpath_q_drops_total{dev=\"b\"} 2\n"
		  "# HELP pktpath_q_backlog_bytes Bytes queued.\n"
		  "# TYPE pktpath_q_backlog_bytes gauge\n"
		  "pktpath_q_backlog_bytes{dev=\"a\"} 0\n");
	CHECK_EQ_INT(count(t, "# HELP"), 2);
	CHECK_EQ_INT(count(t, "# TYPE"), 2);
	cap_close(&c);
}

static void
test_prom_values(void)
{
	struct cap c;
	struct pp_prom p;

	cap_open(&c);
	pp_prom_init(&p, c.f);
	pp_prom_sample(&p, "m", NULL, 0, 0.5);
	pp_prom_sample(&p, "m", NULL, 0, NAN);
	pp_prom_sample(&p, "m", NULL, 0, INFINITY);
	pp_prom_sample(&p, "m", NULL, 0, -INFINITY);
	pp_prom_sample(&p, "m", NULL, 0, 1e-9);
	pp_prom_sample(&p, "m", NULL, 0, 0.1);
	pp_prom_sample(&p, "m", NULL, 0, 1700000000.25);
	pp_prom_sample_u64(&p, "m", NULL, 0, UINT64_MAX);
	CHECK_STR(cap_text(&c),
		  "m 0.5\nm NaN\nm +Inf\nm -Inf\nm 1.0000000000000001e-09\nm 0.10000000000000001\n"
		  "m 1700000000.25\nm 18446744073709551615\n");
	cap_close(&c);
	/* %.17g reads back as the same double. */
	CHECK(strtod("0.10000000000000001", NULL) == 0.1);
}

static void
test_prom_run_info(void)
{
	struct cap c;
	struct pp_prom p;
	const char *t, *ts;
	double when;

	for (int ok = 0; ok < 2; ok++) {
		cap_open(&c);
		pp_prom_init(&p, c.f);
		pp_prom_run_info(&p, "pktpath_qdiscstat", ok);
		t = cap_text(&c);
		CHECK(strstr(t, "# HELP pktpath_qdiscstat_last_run_timestamp_seconds ") != NULL);
		CHECK(strstr(t, "# TYPE pktpath_qdiscstat_last_run_timestamp_seconds gauge\n") != NULL);
		CHECK(strstr(t, "# TYPE pktpath_qdiscstat_run_success gauge\n") != NULL);
		CHECK(strstr(t, ok ? "\npktpath_qdiscstat_run_success 1\n" : "\npktpath_qdiscstat_run_success 0\n") != NULL);
		ts = strstr(t, "\npktpath_qdiscstat_last_run_timestamp_seconds ");
		CHECK(ts != NULL);
		if (ts) {
			when = strtod(ts + strlen("\npktpath_qdiscstat_last_run_timestamp_seconds "), NULL);
			CHECK(when > 1.6e9 && when < 1e10);
		}
		cap_close(&c);
	}
}

/* promtool, when installed, accepts what the writer produces. */
static void
test_prom_promtool(void)
{
	char dir[] = "/tmp/pp-prom-XXXXXX", path[128], cmd[256];
	struct pp_prom p;
	FILE *f;
	const struct pp_label l[] = { { "dev", "we\"ird\\na\nme" }, { "kind", "htb" } };

	if (system("command -v promtool >/dev/null 2>&1") != 0) {
		printf("# promtool not installed: check skipped\n");
		return;
	}
	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (!f)
		return;
	pp_prom_init(&p, f);
	pp_prom_family(&p, "pktpath_test_drops_total", "counter", "Drops \\ with\nodd help.");
	pp_prom_sample_u64(&p, "pktpath_test_drops_total", l, 2, 5);
	pp_prom_family(&p, "pktpath_test_rate_bytes", "gauge", "Rate.");
	pp_prom_sample(&p, "pktpath_test_rate_bytes", l, 2, NAN);
	pp_prom_sample(&p, "pktpath_test_rate_bytes", l + 1, 1, INFINITY);
	pp_prom_run_info(&p, "pktpath_test", true);
	fclose(f);
	snprintf(cmd, sizeof(cmd), "promtool check metrics < %s >/dev/null 2>&1", path);
	CHECK_EQ_INT(system(cmd), 0);
	unlink(path);
	rmdir(dir);
}

/* Names in dir other than . and .. */
static int
dir_entries(const char *dir, char *first, size_t len)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	if (!d)
		return -1;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (n++ == 0 && first)
			snprintf(first, len, "%s", de->d_name);
	}
	closedir(d);
	return n;
}

static char *
slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	static char buf[4096];
	size_t n;

	if (!f)
		return NULL;
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
test_prom_file_atomic(void)
{
	char dir[] = "/tmp/pp-prom-XXXXXX", path[128], name[256];
	struct pp_prom_file pf;
	struct pp_prom p;
	struct pp_err e = { 0 };
	struct stat st;

	if (!mkdtemp(dir)) {
		CHECK(!"mkdtemp");
		return;
	}
	snprintf(path, sizeof(path), "%s/pathcheck.prom", dir);

	/* First write: nothing at path until the commit; only the temp file beside it. */
	umask(022);
	CHECK_EQ_INT(pp_prom_file_open(&pf, path, &e), 0);
	CHECK(pf.fp != NULL);
	CHECK_EQ_INT(dir_entries(dir, name, sizeof(name)), 1);
	CHECK(strncmp(name, "pathcheck.prom.", 15) == 0);
	CHECK(access(path, F_OK) != 0);
	pp_prom_init(&p, pf.fp);
	pp_prom_run_info(&p, "pktpath_pathcheck", true);
	CHECK_EQ_INT(pp_prom_file_commit(&pf, &e), 0);
	CHECK_EQ_INT(dir_entries(dir, name, sizeof(name)), 1);
	CHECK_STR(name, "pathcheck.prom");
	CHECK(strstr(slurp(path) ? slurp(path) : "", "pktpath_pathcheck_run_success 1\n") != NULL);
	CHECK_EQ_INT(stat(path, &st), 0);
	CHECK_EQ_INT(st.st_mode & 0777, 0644);	/* 0666 less umask 022 */
	{
		/* The umask decides, as for open(path, O_CREAT, 0666): 077 leaves 0600. */
		char p2[sizeof(path) + 8];

		snprintf(p2, sizeof(p2), "%s/u.prom", dir);
		umask(077);
		CHECK_EQ_INT(pp_prom_file_open(&pf, p2, &e), 0);
		CHECK_EQ_INT(pp_prom_file_commit(&pf, &e), 0);
		CHECK_EQ_INT(stat(p2, &st), 0);
		CHECK_EQ_INT(st.st_mode & 0777, 0600);
		unlink(p2);
		umask(022);
	}

	/* A second run replaces it; until the commit the old content is what a reader sees. */
	CHECK_EQ_INT(pp_prom_file_open(&pf, path, &e), 0);
	pp_prom_init(&p, pf.fp);
	pp_prom_run_info(&p, "pktpath_pathcheck", false);
	fflush(pf.fp);
	CHECK(strstr(slurp(path) ? slurp(path) : "", "pktpath_pathcheck_run_success 1\n") != NULL);
	CHECK_EQ_INT(dir_entries(dir, NULL, 0), 2);
	CHECK_EQ_INT(pp_prom_file_commit(&pf, &e), 0);
	CHECK(strstr(slurp(path) ? slurp(path) : "", "pktpath_pathcheck_run_success 0\n") != NULL);
	CHECK_EQ_INT(dir_entries(dir, NULL, 0), 1);

	/* Abort: the temp file goes, the old file stays as it was. */
	CHECK_EQ_INT(pp_prom_file_open(&pf, path, &e), 0);
	fputs("half a file", pf.fp);
	pp_prom_file_abort(&pf);
	CHECK(pf.fp == NULL);
	CHECK_EQ_INT(dir_entries(dir, NULL, 0), 1);
	CHECK(strstr(slurp(path) ? slurp(path) : "", "half a file") == NULL);
	unlink(path);

	/* Abort with no file before: nothing is left. */
	CHECK_EQ_INT(pp_prom_file_open(&pf, path, &e), 0);
	pp_prom_file_abort(&pf);
	CHECK_EQ_INT(dir_entries(dir, NULL, 0), 0);
	pp_prom_file_abort(&pf);	/* twice is harmless */

	/* A path whose target is a directory: the rename fails, no temp file is left. */
	CHECK_EQ_INT(mkdir(path, 0755), 0);
	CHECK_EQ_INT(pp_prom_file_open(&pf, path, &e), 0);
	fputs("x 1\n", pf.fp);
	CHECK(pp_prom_file_commit(&pf, &e) < 0);
	CHECK(e.code != 0);
	CHECK(strstr(e.what, "pathcheck.prom") != NULL);
	CHECK_EQ_INT(dir_entries(dir, NULL, 0), 1);
	rmdir(path);

	/* Bad paths. */
	snprintf(path, sizeof(path), "%s/no/such/dir/x.prom", dir);
	CHECK_EQ_INT(pp_prom_file_open(&pf, path, &e), -ENOENT);
	CHECK_EQ_INT(e.code, ENOENT);
	pp_prom_file_abort(&pf);
	CHECK_EQ_INT(pp_prom_file_open(&pf, "", &e), -EINVAL);
	CHECK_EQ_INT(pp_prom_file_open(&pf, NULL, &e), -EINVAL);
	{
		char *longp = malloc(5000);

		memset(longp, 'a', 4999);
		longp[4999] = '\0';
		CHECK_EQ_INT(pp_prom_file_open(&pf, longp, &e), -EINVAL);
		free(longp);
	}
	CHECK_EQ_INT(dir_entries(dir, NULL, 0), 0);
	rmdir(dir);
}

/* A relative path in the current directory (dirname is "."). */
static void
test_prom_file_relative(void)
{
	char dir[] = "/tmp/pp-prom-XXXXXX", old[4096];
	struct pp_prom_file pf;
	struct pp_err e = { 0 };

	if (!mkdtemp(dir) || !getcwd(old, sizeof(old)) || chdir(dir) != 0) {
		CHECK(!"setup");
		return;
	}
	CHECK_EQ_INT(pp_prom_file_open(&pf, "rel.prom", &e), 0);
	fputs("m 1\n", pf.fp);
	CHECK_EQ_INT(pp_prom_file_commit(&pf, &e), 0);
	CHECK_STR(slurp("rel.prom"), "m 1\n");
	CHECK_EQ_INT(dir_entries(".", NULL, 0), 1);
	unlink("rel.prom");
	CHECK_EQ_INT(chdir(old), 0);
	rmdir(dir);
}

int
main(void)
{
	RUN(test_prom_escape);
	RUN(test_prom_family_once);
	RUN(test_prom_values);
	RUN(test_prom_run_info);
	RUN(test_prom_promtool);
	RUN(test_prom_file_atomic);
	RUN(test_prom_file_relative);
	return tap_done();
}
