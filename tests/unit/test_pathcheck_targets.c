/*
 * test_pathcheck_targets.c: reading -f FILE (cmd/pathcheck/targets.c) and telling a
 * mistyped address from a host name (args.c). No kernel needed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../cmd/pathcheck/pathcheck.h"
#include "tap.h"

static void
test_looks_like_addr(void)
{
	CHECK_STR(pc_dest_looks_like_addr("203.0.113.999"), "IPv4");
	CHECK_STR(pc_dest_looks_like_addr("10.1"), "IPv4");
	CHECK_STR(pc_dest_looks_like_addr("12345"), "IPv4");
	CHECK_STR(pc_dest_looks_like_addr("2001:db8::zz"), "IPv6");
	CHECK_STR(pc_dest_looks_like_addr("fe80::1%eth0"), "IPv6");
	CHECK(pc_dest_looks_like_addr("example.com") == NULL);
	CHECK(pc_dest_looks_like_addr("1.example") == NULL);
	CHECK(pc_dest_looks_like_addr("host-203.0.113.2") == NULL);
	CHECK(pc_dest_looks_like_addr("") == NULL);
}

/* Write content (len bytes: it may hold NUL) to a temp file; its path in path. */
static void
write_file(char *path, const char *content, size_t len)
{
	int fd;

	strcpy(path, "/tmp/pc-targets-XXXXXX");
	fd = mkstemp(path);
	CHECK(fd >= 0);
	if (fd >= 0) {
		CHECK(write(fd, content, len) == (ssize_t)len);
		close(fd);
	}
}

static void
opts(struct pc_opts *o)
{
	memset(o, 0, sizeof(*o));
}

static void
test_bad_line_is_its_own_target(void)
{
	static const char f[] = "# comment\n203.0.113.2:443 name=web\n203.0.113.2:99999 name=x\n"
				"bad\0line\n198.51.100.7 udp\n203.0.113.2 xyz\n";
	char path[64], why[256];
	struct pc_opts o;
	struct pc_target *t = NULL;
	size_t n = 0;

	opts(&o);
	write_file(path, f, sizeof(f) - 1);
	CHECK_EQ_INT(pc_targets_load(path, &o, &t, &n, why, sizeof(why)), PP_EXIT_OK);
	CHECK_EQ_INT(n, 5);
	if (n == 5) {
		CHECK_EQ_INT(t[0].rc, PP_EXIT_OK);
		CHECK_STR(t[0].label, "web");
		CHECK_EQ_INT(t[0].line, 2);
		CHECK_EQ_INT(t[1].rc, PP_EXIT_USAGE);
		CHECK_EQ_INT(t[1].line, 3);
		CHECK(strstr(t[1].error, "line 3") != NULL);
		CHECK_EQ_INT(t[2].rc, PP_EXIT_USAGE);	/* the NUL byte: refused, not cut */
		CHECK(strstr(t[2].error, "line 4: a NUL byte") != NULL);
		CHECK_EQ_INT(t[3].rc, PP_EXIT_OK);
		CHECK_EQ_INT(t[3].q.proto, IPPROTO_UDP);
		CHECK_EQ_INT(t[4].rc, PP_EXIT_USAGE);
		CHECK(strstr(t[4].error, "'xyz'") != NULL);
		/* any bad line makes the run's exit 2, whatever the others found */
		CHECK_EQ_INT(pc_targets_exit(t, n), PP_EXIT_USAGE);
	}
	free(t);
	unlink(path);
}


/* sctp in a file line: the static walk takes it; a probe or a watch refuses it, named. */
static void
test_sctp_line(void)
{
	struct pc_query base;
	struct pc_target t;
	char why[256];

	memset(&base, 0, sizeof(base));
	CHECK_EQ_INT(pc_target_parse("198.51.100.106:53 sctp name=dns", &base, 0, &t, why, sizeof(why)), 1);
	CHECK_EQ_INT(t.q.proto, IPPROTO_SCTP);
	CHECK_EQ_INT(t.q.dport, 53);
	base.probe = true;
	CHECK_EQ_INT(pc_target_parse("198.51.100.106:53 sctp", &base, 0, &t, why, sizeof(why)), -1);
	CHECK(strstr(why, "--probe") != NULL);
	/* --proto sctp as the file's default, without a probe */
	base.probe = false;
	CHECK_EQ_INT(pc_target_parse("198.51.100.106:53", &base, IPPROTO_SCTP, &t, why, sizeof(why)), 1);
	CHECK_EQ_INT(t.q.proto, IPPROTO_SCTP);
}

static void
test_exit_worst(void)
{
	struct pc_target t[3];

	memset(t, 0, sizeof(t));
	t[0].rc = PP_EXIT_OK;
	t[0].r.verdict_station = PC_NSTATIONS;
	t[0].r.verdict_status = PP_ST_OK;
	t[1] = t[0];
	t[2] = t[0];
	CHECK_EQ_INT(pc_targets_exit(t, 3), PP_EXIT_OK);
	t[1].rc = PP_EXIT_UNKNOWN;		/* a resolver that did not answer: could not tell */
	CHECK_EQ_INT(pc_targets_exit(t, 3), PP_EXIT_UNKNOWN);
	t[2].r.verdict_station = 0;
	t[2].r.verdict_status = PP_ST_FAIL;	/* a fail outranks could-not-tell, in any order */
	CHECK_EQ_INT(pc_targets_exit(t, 3), PP_EXIT_PROBLEM);
	t[0].rc = PP_EXIT_USAGE;		/* bad input outranks everything */
	CHECK_EQ_INT(pc_targets_exit(t, 3), PP_EXIT_USAGE);
}

static void
test_many_lines(void)
{
	/* 10,000 targets load (the documented limit); one more is refused. */
	size_t cap = 10001 * 16, len = 0;
	char *buf = malloc(cap), path[64], why[256];
	struct pc_opts o;
	struct pc_target *t = NULL;
	size_t n = 0;

	opts(&o);
	for (int i = 0; i < PC_TARGETS_MAX; i++)
		len += (size_t)snprintf(buf + len, cap - len, "203.0.113.%d\n", i % 250 + 1);
	write_file(path, buf, len);
	CHECK_EQ_INT(pc_targets_load(path, &o, &t, &n, why, sizeof(why)), PP_EXIT_OK);
	CHECK_EQ_INT(n, PC_TARGETS_MAX);
	free(t);
	unlink(path);
	len += (size_t)snprintf(buf + len, cap - len, "203.0.113.1\n");
	write_file(path, buf, len);
	t = NULL;
	CHECK_EQ_INT(pc_targets_load(path, &o, &t, &n, why, sizeof(why)), PP_EXIT_USAGE);
	CHECK(strstr(why, "more than 10000 targets") != NULL);
	CHECK(t == NULL);
	unlink(path);
	free(buf);
}

int
main(void)
{
	RUN(test_looks_like_addr);
	RUN(test_bad_line_is_its_own_target);
	RUN(test_exit_worst);
	RUN(test_sctp_line);
	RUN(test_many_lines);
	return tap_done();
}
