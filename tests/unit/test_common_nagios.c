/* test_common_nagios.c: plugin ranges, perfdata and the status line (common/nagios.c). */
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sys/wait.h>
#include <unistd.h>

#include "../../common/cli.h"
#include "../../common/nagios.h"
#include "tap.h"

static bool
alert(const char *range, double v)
{
	struct pp_range r;

	if (pp_range_parse(range, &r) < 0)
		return false;
	return pp_range_alert(&r, v);
}

/* The guidelines' table: what each form means, at and beside its ends. */
static void
test_range_forms(void)
{
	/* "10": outside 0..10 */
	CHECK(!alert("10", 0));
	CHECK(!alert("10", 10));
	CHECK(alert("10", 10.001));
	CHECK(alert("10", -0.5));
	/* "10:": below 10 */
	CHECK(alert("10:", 9.99));
	CHECK(!alert("10:", 10));
	CHECK(!alert("10:", 1e12));
	/* "~:10": above 10, any negative is fine */
	CHECK(!alert("~:10", -1e9));
	CHECK(!alert("~:10", 10));
	CHECK(alert("~:10", 11));
	/* "10:20": outside */
	CHECK(alert("10:20", 9));
	CHECK(!alert("10:20", 10));
	CHECK(!alert("10:20", 20));
	CHECK(alert("10:20", 20.5));
	/* "@10:20": inside, ends included */
	CHECK(!alert("@10:20", 9.9));
	CHECK(alert("@10:20", 10));
	CHECK(alert("@10:20", 15));
	CHECK(alert("@10:20", 20));
	CHECK(!alert("@10:20", 21));
	/* "@~:0" and "@5": inside */
	CHECK(alert("@~:0", -3));
	CHECK(!alert("@~:0", 0.1));
	CHECK(alert("@5", 0));
	CHECK(!alert("@5", 6));
	/* ":10" is 0:10, "~:" never alerts, "0" alerts on anything but 0 */
	CHECK(alert(":10", -1));
	CHECK(!alert(":10", 3));
	CHECK(!alert("~:", -1e300));
	CHECK(!alert("~:", 1e300));
	CHECK(!alert("0", 0));
	CHECK(alert("0", 1));
	/* decimals and signs */
	CHECK(alert("-5:-1", 0));
	CHECK(!alert("-5:-1", -3));
	CHECK(!alert("0.5:1.5", 1.5));
	CHECK(alert("0.5:1.5", 1.5001));
	CHECK(!alert("1e3", 1000));
	CHECK(alert("1e3", 1001));
}

static void
test_range_fields(void)
{
	struct pp_range r;

	CHECK_EQ_INT(pp_range_parse("@~:7", &r), 0);
	CHECK(r.inside && r.lo_inf && !r.hi_inf && r.hi == 7);
	CHECK_STR(r.text, "@~:7");
	CHECK_EQ_INT(pp_range_parse("3:", &r), 0);
	CHECK(!r.inside && !r.lo_inf && r.hi_inf && r.lo == 3);
}

static void
test_range_bad(void)
{
	static const char *const bad[] = {
		"", "@", "~", ":", "@:", "abc", "10:5", "1:2:3", "10::", "inf", "nan", "0x10",
		"1,5", " 10", "10 ", "~10", "10:~", "@@1", "--1", "1e", "e5", ".", "+",
		"123456789012345678901234567890123456789012345678901234567890123456789",
	};
	struct pp_range r;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (pp_range_parse(bad[i], &r) == 0)
			fprintf(stdout, "#   accepted bad range '%s'\n", bad[i]);
		CHECK(pp_range_parse(bad[i], &r) < 0);
	}
	CHECK(pp_range_parse(NULL, &r) < 0);
	/* start equal to end is a range */
	CHECK_EQ_INT(pp_range_parse("5:5", &r), 0);
}

static void
test_judge_and_worse(void)
{
	struct pp_nagios n;

	memset(&n, 0, sizeof(n));
	CHECK_EQ_INT(pp_nagios_judge(&n, 1e9), PP_NAG_OK);	/* no thresholds */
	CHECK(pp_range_parse("10", &n.warn) == 0);
	n.has_warn = true;
	CHECK(pp_range_parse("20", &n.crit) == 0);
	n.has_crit = true;
	CHECK_EQ_INT(pp_nagios_judge(&n, 5), PP_NAG_OK);
	CHECK_EQ_INT(pp_nagios_judge(&n, 10), PP_NAG_OK);
	CHECK_EQ_INT(pp_nagios_judge(&n, 10.5), PP_NAG_WARNING);
	CHECK_EQ_INT(pp_nagios_judge(&n, 20), PP_NAG_WARNING);
	CHECK_EQ_INT(pp_nagios_judge(&n, 20.5), PP_NAG_CRITICAL);
	CHECK_EQ_INT(pp_nagios_judge(&n, NAN), PP_NAG_UNKNOWN);
	CHECK_EQ_INT(pp_nag_worse(PP_NAG_OK, PP_NAG_UNKNOWN), PP_NAG_UNKNOWN);
	CHECK_EQ_INT(pp_nag_worse(PP_NAG_UNKNOWN, PP_NAG_WARNING), PP_NAG_WARNING);
	CHECK_EQ_INT(pp_nag_worse(PP_NAG_CRITICAL, PP_NAG_UNKNOWN), PP_NAG_CRITICAL);
	CHECK_EQ_INT(pp_nag_worse(PP_NAG_OK, PP_NAG_OK), PP_NAG_OK);
	CHECK_STR(pp_nag_state_name(PP_NAG_CRITICAL), "CRITICAL");
	CHECK_STR(pp_nag_state_name(42), "UNKNOWN");
}

static void
test_label_quoting(void)
{
	char b[64];

	pp_nagios_label("rtt", b, sizeof(b));
	CHECK_STR(b, "'rtt'");
	pp_nagios_label("eth0 drops", b, sizeof(b));
	CHECK_STR(b, "'eth0_drops'");
	pp_nagios_label("it's=1|x\ty\n", b, sizeof(b));
	CHECK_STR(b, "'it_s_1_x_y_'");
	pp_nagios_label("", b, sizeof(b));
	CHECK_STR(b, "'_'");
	pp_nagios_label(NULL, b, sizeof(b));
	CHECK_STR(b, "'_'");
	pp_nagios_label("veth-a.100:drops/s", b, sizeof(b));
	CHECK_STR(b, "'veth-a.100:drops/s'");
	/* cut short, still quoted at both ends */
	pp_nagios_label("abcdefghij", b, 6);
	CHECK_STR(b, "'abc'");
}

static void
test_numbers(void)
{
	char b[48];

	pp_nagios_num(0, b, sizeof(b));
	CHECK_STR(b, "0");
	pp_nagios_num(1500, b, sizeof(b));
	CHECK_STR(b, "1500");
	pp_nagios_num(0.21, b, sizeof(b));
	CHECK_STR(b, "0.21");
	pp_nagios_num(12.5, b, sizeof(b));
	CHECK_STR(b, "12.5");
	pp_nagios_num(1.0 / 3, b, sizeof(b));
	CHECK_STR(b, "0.3333");
	pp_nagios_num(100.0 / 3, b, sizeof(b));
	CHECK_STR(b, "33.333");
	/* small values keep four significant digits: 1 entry in 262144 is no 0 % */
	pp_nagios_num(100.0 / 262144, b, sizeof(b));
	CHECK_STR(b, "0.0003815");
	pp_nagios_num(0.05, b, sizeof(b));
	CHECK_STR(b, "0.05");
	pp_nagios_num(-1e-15, b, sizeof(b));
	CHECK_STR(b, "0");
	pp_nagios_num(-2.5, b, sizeof(b));
	CHECK_STR(b, "-2.5");
	pp_nagios_num(1e20, b, sizeof(b));
	CHECK(strchr(b, 'e') == NULL);
	pp_nagios_num(NAN, b, sizeof(b));
	CHECK_STR(b, "U");
}

static void
test_perfdata(void)
{
	struct pp_nagios n;

	memset(&n, 0, sizeof(n));
	CHECK_EQ_INT(pp_nagios_perf(&n, "rtt", 0.21, "ms", true, 0, PP_NAG_NONE), 0);
	CHECK_STR(n.perf, "'rtt'=0.21ms;;;0");
	CHECK(pp_range_parse("~:10", &n.warn) == 0);
	n.has_warn = true;
	CHECK(pp_range_parse("@5:20", &n.crit) == 0);
	n.has_crit = true;
	CHECK_EQ_INT(pp_nagios_perf(&n, "loss", 50, "%", true, 0, 100), 0);
	/* '@' stays out of perfdata (Monitoring::Plugin does not read it there) */
	CHECK_STR(n.perf, "'rtt'=0.21ms;;;0 'loss'=50%;~:10;;0;100");
	memset(&n, 0, sizeof(n));
	CHECK(pp_range_parse("10", &n.warn) == 0);
	n.has_warn = true;
	CHECK(pp_range_parse("20:", &n.crit) == 0);
	n.has_crit = true;
	CHECK_EQ_INT(pp_nagios_perf(&n, "x", 3, "", true, PP_NAG_NONE, PP_NAG_NONE), 0);
	CHECK_STR(n.perf, "'x'=3;10;20:");
	CHECK_EQ_INT(pp_nagios_perf(&n, "y", 3, "c", false, PP_NAG_NONE, PP_NAG_NONE), 0);
	CHECK_STR(n.perf, "'x'=3;10;20: 'y'=3c");
	/* full: items that do not fit are counted, never cut in half */
	memset(&n, 0, sizeof(n));
	for (int i = 0; i < 400; i++)
		pp_nagios_perf(&n, "some_long_label_for_a_device", 123456.789, "B", false, 0, 1e9);
	CHECK(n.perf_dropped > 0);
	CHECK(n.perf_len < sizeof(n.perf));
	CHECK(strcmp(n.perf + n.perf_len - 13, ";0;1000000000") == 0);	/* ends on a whole item */
}

static void
test_status_line(void)
{
	struct pp_nagios n;
	char line[4096], *bar;
	const char *lng = "203.0.113.2 tcp/443 dies at forward: rule 7 in table inet filter chain forward drops it";

	memset(&n, 0, sizeof(n));
	pp_nagios_line(&n, "pathcheck", PP_NAG_OK, "203.0.113.2 tcp/443 reaches its socket", line, sizeof(line));
	CHECK_STR(line, "PATHCHECK OK - 203.0.113.2 tcp/443 reaches its socket\n");
	pp_nagios_perf(&n, "rtt", 0.21, "ms", false, 0, PP_NAG_NONE);
	pp_nagios_line(&n, "pathcheck", PP_NAG_CRITICAL, lng, line, sizeof(line));
	bar = strstr(line, " | ");
	CHECK(bar != NULL);
	if (bar) {
		CHECK(bar - line <= 79);
		CHECK(strncmp(bar - 3, "...", 3) == 0);
		CHECK_STR(bar, " | 'rtt'=0.21ms;;;0\n");
	}
	CHECK(strncmp(line, "PATHCHECK CRITICAL - 203.0.113.2 tcp/443 dies at forward",
		      strlen("PATHCHECK CRITICAL - 203.0.113.2 tcp/443 dies at forward")) == 0);
	/* a '|' or a newline from outside cannot start perfdata or a second line */
	memset(&n, 0, sizeof(n));
	pp_nagios_line(&n, "qdiscstat", PP_NAG_WARNING, "dev a|b\nc", line, sizeof(line));
	CHECK_STR(line, "QDISCSTAT WARNING - dev a/b c\n");
	pp_nagios_line(&n, "x", 7, "", line, sizeof(line));
	CHECK_STR(line, "X UNKNOWN - \n");
	/* exactly 79 characters are kept whole */
	{
		char s[80];

		memset(s, 'a', sizeof(s));
		s[79 - (int)strlen("X OK - ")] = '\0';
		pp_nagios_line(&n, "x", PP_NAG_OK, s, line, sizeof(line));
		CHECK_EQ_INT(strlen(line), 80);
		CHECK(strstr(line, "...") == NULL);
	}
	/* a cut never splits a UTF-8 character */
	{
		char s[200] = "";

		for (int i = 0; i < 60; i++)
			strcat(s, "\303\251");
		pp_nagios_line(&n, "x", PP_NAG_OK, s, line, sizeof(line));
		bar = strstr(line, "...");
		CHECK(bar != NULL);
		if (bar)
			CHECK(((unsigned char)bar[-1] & 0xc0) == 0x80 && (unsigned char)bar[-2] == 0xc3);
	}
}

/* ---- pp_cli_main(): a tool's whole run, in a child (the state is one per process) ---- */

static const struct pp_optdef fake_defs[] = {
	PP_OPT_TIMEOUT_RUN,
	PP_COMMON_OPTDEFS,
	PP_OPT_END,
};
enum { F_RETURN, F_SLEEP, F_PRINT, F_PRINT_SLEEP, F_PROM_SLEEP };
static int fake_mode;

static void
fake_usage(FILE *f)
{
	fputs("Usage: fake\n", f);
	pp_opt_help(f, fake_defs);	/* as every tool's usage() */
}

static int
fake_main(int argc, char *argv[])
{
	struct pp_cli c;
	struct pp_optparse op;
	int opt, rc;

	pp_cli_init(&c, "fake");
	pp_opt_init(&op, &c, fake_defs);
	while ((opt = pp_opt_next(&op, argc, argv)) != -1)
		if ((rc = pp_opt_common(&c, opt, optarg, fake_usage)) != PP_EXIT_OK)
			return rc == PP_EXIT_HELP ? PP_EXIT_OK : rc;
	if ((rc = pp_cli_finish(&c)) != PP_EXIT_OK)
		return rc;
	if (fake_mode == F_PRINT || fake_mode == F_PRINT_SLEEP)
		pp_nagios_print(c.nag, stdout, "fake", PP_NAG_WARNING, "a finding");
	if (fake_mode == F_SLEEP || fake_mode == F_PRINT_SLEEP)
		usleep(300000);
	if (fake_mode == F_PROM_SLEEP) {
		struct pp_out out;

		if ((rc = pp_out_begin(&c, &out)) != 0)
			return rc;
		fprintf(out.f, "# a half-written export\n");
		fflush(out.f);
		usleep(300000);
		return pp_out_end(&c, &out, true);
	}
	return PP_EXIT_OK;
}

/* Run fake_main as main() would, with argv; its stdout into out, its exit status returned. */
static int
run_fake(int mode, char *out, size_t len, ...)
{
	char *argv[16];
	int argc = 0, fd[2], status = 0;
	ssize_t n, got = 0;
	va_list ap;
	pid_t pid;

	va_start(ap, len);
	argv[argc++] = (char *)"fake";
	while (argc < 15 && (argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	argv[argc] = NULL;
	va_end(ap);
	if (pipe(fd) < 0)
		return -1;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		dup2(fd[1], STDOUT_FILENO);
		close(fd[0]);
		close(fd[1]);
		if (!freopen("/dev/null", "w", stderr))
			_exit(99);
		fake_mode = mode;
		optind = 0;	/* getopt starts over */
		exit(pp_cli_main(argc, argv, fake_main));
	}
	close(fd[1]);
	while ((size_t)got + 1 < len && (n = read(fd[0], out + got, len - 1 - (size_t)got)) > 0)
		got += n;
	out[got] = '\0';
	close(fd[0]);
	waitpid(pid, &status, 0);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
test_cli_main(void)
{
	char out[512];

	/* a usage error is UNKNOWN (3) under --nagios, also when the error comes first */
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--bogus", "--nagios", NULL), 3);
	CHECK_STR(out, "FAKE UNKNOWN - usage: unknown option '--bogus' (see 'fake --help')\n");
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--nagios", "--warning", "x", NULL), 3);
	CHECK(strncmp(out, "FAKE UNKNOWN - usage: --warning: 'x' is not a range", 51) == 0);
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--nagios", "--critical", NULL), 3);
	CHECK(strncmp(out, "FAKE UNKNOWN - usage: option '--critical' needs a value", 55) == 0);
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--nagios", "--prom", NULL), 3);
	/* without --nagios: 2, and nothing on stdout */
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--bogus", NULL), 2);
	CHECK_STR(out, "");
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--warning", "3", NULL), 2);
	/* an abbreviation getopt_long takes counts as well */
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--bogus", "--nag", NULL), 3);
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--bogus", "--nagiosx", NULL), 2);
	/* "--nagios" after "--" is an argument, not the option */
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--bogus", "--", "--nagios", NULL), 2);
	/* the line's state is the exit code */
	CHECK_EQ_INT(run_fake(F_PRINT, out, sizeof(out), "--nagios", NULL), 1);
	CHECK_STR(out, "FAKE WARNING - a finding\n");
	/* a run that ends without its line is no OK */
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--nagios", "--warning", "1", NULL), 3);
	CHECK_STR(out, "FAKE UNKNOWN - the run ended without a status line\n");
	/* --help and --version are answers of their own */
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--nagios", "--help", NULL), 0);
	CHECK(strncmp(out, "Usage: fake\n", 12) == 0);
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--nagios", "-V", NULL), 0);
	CHECK(strncmp(out, "fake (pktpath) ", 15) == 0);
	/* the run's own timeout: UNKNOWN, 3, its own line */
	CHECK_EQ_INT(run_fake(F_SLEEP, out, sizeof(out), "--nagios", "--run-timeout", "0.05", NULL), 3);
	CHECK_STR(out, "FAKE UNKNOWN - timed out after 0.05 s\n");
	CHECK_EQ_INT(run_fake(F_SLEEP, out, sizeof(out), "--nagios", "--timeout", "0.05", NULL), 3);
	CHECK_STR(out, "FAKE UNKNOWN - timed out after 0.05 s\n");
	/* without --nagios: exit 3, the message on stderr, stdout untouched */
	CHECK_EQ_INT(run_fake(F_SLEEP, out, sizeof(out), "--run-timeout", "0.05", NULL), 3);
	CHECK_STR(out, "");
	/* once the line is out, the timer is off: one line, its state */
	CHECK_EQ_INT(run_fake(F_PRINT_SLEEP, out, sizeof(out), "--nagios", "--run-timeout", "0.1", NULL), 1);
	CHECK_STR(out, "FAKE WARNING - a finding\n");
	/* a --prom-file being written when the time is up: neither it nor its temporary file is left */
	{
		char dir[] = "/tmp/test_nagios.XXXXXX", path[64];
		int left = 0;

		if (mkdtemp(dir)) {
			DIR *d;
			struct dirent *de;

			snprintf(path, sizeof(path), "%s/x.prom", dir);
			CHECK_EQ_INT(run_fake(F_PROM_SLEEP, out, sizeof(out), "--prom-file", path, "--run-timeout", "0.05",
					      NULL), 3);
			if ((d = opendir(dir)) != NULL) {
				while ((de = readdir(d)) != NULL)
					left += strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0;
				closedir(d);
			}
			CHECK_EQ_INT(left, 0);
			/* without the timeout the export is committed */
			CHECK_EQ_INT(run_fake(F_PROM_SLEEP, out, sizeof(out), "--prom-file", path, NULL), 0);
			CHECK(access(path, F_OK) == 0);
			unlink(path);
			rmdir(dir);
		}
	}
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--run-timeout", "0", NULL), 2);
	CHECK_EQ_INT(run_fake(F_RETURN, out, sizeof(out), "--run-timeout", "-1", NULL), 2);
}

int
main(void)
{
	RUN(test_range_forms);
	RUN(test_range_fields);
	RUN(test_range_bad);
	RUN(test_judge_and_worse);
	RUN(test_label_quoting);
	RUN(test_numbers);
	RUN(test_perfdata);
	RUN(test_status_line);
	RUN(test_cli_main);
	return tap_done();
}
