/* nagios.c: threshold ranges, perfdata, the status line and the run's timeout (see nagios.h). */
#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <unistd.h>

#include "nagios.h"

const char *
pp_nag_state_name(int st)
{
	switch (st) {
	case PP_NAG_OK: return "OK";
	case PP_NAG_WARNING: return "WARNING";
	case PP_NAG_CRITICAL: return "CRITICAL";
	default: return "UNKNOWN";
	}
}

static int
rank(int st)
{
	switch (st) {
	case PP_NAG_OK: return 0;
	case PP_NAG_UNKNOWN: return 1;
	case PP_NAG_WARNING: return 2;
	case PP_NAG_CRITICAL: return 3;
	default: return 1;
	}
}

int
pp_nag_worse(int a, int b)
{
	return rank(a) >= rank(b) ? a : b;
}

/* One number of a range: digits, '.', a sign, an exponent; no inf, nan or hex. */
static int
parse_num(const char *s, size_t n, double *out)
{
	char buf[48], *end;
	bool digit = false;

	if (n == 0 || n >= sizeof(buf))
		return -1;
	for (size_t i = 0; i < n; i++) {
		if (isdigit((unsigned char)s[i]))
			digit = true;
		else if (!strchr("+-.eE", s[i]))
			return -1;
	}
	if (!digit)
		return -1;
	memcpy(buf, s, n);
	buf[n] = '\0';
	errno = 0;
	*out = strtod(buf, &end);
	if (errno || *end || end == buf || !isfinite(*out))
		return -1;
	return 0;
}

int
pp_range_parse(const char *s, struct pp_range *r)
{
	const char *colon, *p = s;

	memset(r, 0, sizeof(*r));
	if (!s || !*s || strlen(s) >= sizeof(r->text) || !strpbrk(s, "0123456789~"))
		return -1;
	snprintf(r->text, sizeof(r->text), "%s", s);
	if (*p == '@') {
		r->inside = true;
		p++;
	}
	colon = strchr(p, ':');
	if (!colon) {
		/* "10": 0..10 */
		if (parse_num(p, strlen(p), &r->hi) < 0)
			return -1;
		r->lo = 0;
	} else {
		if (strchr(colon + 1, ':'))
			return -1;
		if (colon - p == 1 && *p == '~')
			r->lo_inf = true;
		else if (colon == p)
			r->lo = 0;	/* ":10" is 0:10, as Monitoring::Plugin reads it */
		else if (parse_num(p, (size_t)(colon - p), &r->lo) < 0)
			return -1;
		if (!colon[1])
			r->hi_inf = true;
		else if (parse_num(colon + 1, strlen(colon + 1), &r->hi) < 0)
			return -1;
	}
	if (!r->lo_inf && !r->hi_inf && r->lo > r->hi)
		return -1;
	return 0;
}

bool
pp_range_alert(const struct pp_range *r, double v)
{
	bool in = (r->lo_inf || v >= r->lo) && (r->hi_inf || v <= r->hi);

	return r->inside ? in : !in;
}

bool
pp_nagios_has_thresholds(const struct pp_nagios *n)
{
	return n->has_warn || n->has_crit;
}

int
pp_nagios_judge(const struct pp_nagios *n, double v)
{
	if (isnan(v))
		return PP_NAG_UNKNOWN;
	if (n->has_crit && pp_range_alert(&n->crit, v))
		return PP_NAG_CRITICAL;
	if (n->has_warn && pp_range_alert(&n->warn, v))
		return PP_NAG_WARNING;
	return PP_NAG_OK;
}

void
pp_nagios_label(const char *label, char *buf, size_t len)
{
	size_t o = 0;

	if (len < 3) {
		if (len)
			buf[0] = '\0';
		return;
	}
	buf[o++] = '\'';
	for (const char *p = label ? label : ""; *p && o + 2 < len; p++) {
		unsigned char ch = (unsigned char)*p;

		buf[o++] = (ch == '\'' || ch == '=' || ch == '|' || isspace(ch) || ch < 0x20 || ch == 0x7f)
			? '_' : (char)ch;
	}
	if (o == 1)
		buf[o++] = '_';	/* an empty label is no label */
	buf[o++] = '\'';
	buf[o] = '\0';
}

void
pp_nagios_num(double v, char *buf, size_t len)
{
	char *dot, *e;
	int decimals;

	if (!isfinite(v)) {
		snprintf(buf, len, "U");
		return;
	}
	if (v == floor(v) && fabs(v) < 1e15) {
		snprintf(buf, len, "%.0f", v);
		return;
	}
	/* Below 1, enough decimals for four significant digits (a fill of 1 in 262144 is not 0). */
	decimals = 3;
	if (fabs(v) < 1) {
		double a = fabs(v);

		for (decimals = 4; a < 0.1 && decimals < 12; decimals++)
			a *= 10;
	}
	snprintf(buf, len, "%.*f", decimals, v);
	dot = strchr(buf, '.');
	if (dot) {
		e = buf + strlen(buf) - 1;
		while (e > dot && *e == '0')
			*e-- = '\0';
		if (e == dot)
			*e = '\0';
	}
	if (strcmp(buf, "-0") == 0)
		snprintf(buf, len, "0");
}

/* A threshold as perfdata carries it: the range text, unless it is inverted. */
static const char *
perf_range(bool has, const struct pp_range *r)
{
	return has && !r->inside ? r->text : "";
}

int
pp_nagios_perf(struct pp_nagios *n, const char *label, double v, const char *uom, bool thresholds,
	       double min, double max)
{
	char item[256], lab[128], val[48], mn[48] = "", mx[48] = "";
	const char *w = thresholds ? perf_range(n->has_warn, &n->warn) : "";
	const char *c = thresholds ? perf_range(n->has_crit, &n->crit) : "";
	int k;

	pp_nagios_label(label, lab, sizeof(lab));
	pp_nagios_num(v, val, sizeof(val));
	if (!isnan(min))
		pp_nagios_num(min, mn, sizeof(mn));
	if (!isnan(max))
		pp_nagios_num(max, mx, sizeof(mx));
	k = snprintf(item, sizeof(item), "%s=%s%s;%s;%s;%s;%s", lab, val, uom ? uom : "", w, c, mn, mx);
	/* Trailing empty fields are left out. */
	while (k > 0 && item[k - 1] == ';')
		item[--k] = '\0';
	if (k < 0 || (size_t)k >= sizeof(item) || n->perf_len + (size_t)k + 2 > sizeof(n->perf)) {
		n->perf_dropped++;
		return -1;
	}
	if (n->perf_len)
		n->perf[n->perf_len++] = ' ';
	memcpy(n->perf + n->perf_len, item, (size_t)k + 1);
	n->perf_len += (size_t)k;
	return 0;
}

char *
pp_nagios_line(const struct pp_nagios *n, const char *prog, int state, const char *summary,
	       char *buf, size_t len)
{
	char head[256];
	size_t h = 0, cap = 79;

	for (const char *p = prog; *p && h < 32; p++)
		head[h++] = (char)toupper((unsigned char)*p);
	h += (size_t)snprintf(head + h, sizeof(head) - h, " %s - ", pp_nag_state_name(state));
	for (const char *p = summary ? summary : ""; *p && h + 1 < sizeof(head); p++) {
		unsigned char ch = (unsigned char)*p;

		head[h++] = ch == '|' ? '/' : (ch < 0x20 || ch == 0x7f) ? ' ' : (char)ch;
	}
	head[h] = '\0';
	if (h > cap) {
		/* Cut on a character, not inside a UTF-8 sequence. */
		size_t cut = cap - 3;

		while (cut > 0 && ((unsigned char)head[cut] & 0xc0) == 0x80)
			cut--;
		memcpy(head + cut, "...", 4);
	}
	if (n && n->perf_len)
		snprintf(buf, len, "%s | %s\n", head, n->perf);
	else
		snprintf(buf, len, "%s\n", head);
	return buf;
}

static void disarm(void);

int
pp_nagios_print(struct pp_nagios *n, FILE *f, const char *prog, int state, const char *fmt, ...)
{
	char summary[512], line[PP_NAG_PERF_MAX + 400];
	va_list ap;

	/* The answer is in: a timeout now (while the tool cleans up) must not add a second line. */
	disarm();
	va_start(ap, fmt);
	vsnprintf(summary, sizeof(summary), fmt, ap);
	va_end(ap);
	fputs(pp_nagios_line(n, prog, state, summary, line, sizeof(line)), f);
	fflush(f);
	n->printed = true;
	n->state = state;
	return state;
}

/* ---- the run's own timeout ---- */

static char timeout_msg[160];
static size_t timeout_len;
static int timeout_fd = STDOUT_FILENO;
static char timeout_unlink[4200];	/* a --prom-file's temporary file while it is written */

void
pp_nagios_timeout_unlink(const char *path)
{
	sigset_t set, old;

	/* Not while the handler could read it half written. */
	sigemptyset(&set);
	sigaddset(&set, SIGALRM);
	sigprocmask(SIG_BLOCK, &set, &old);
	snprintf(timeout_unlink, sizeof(timeout_unlink), "%s", path ? path : "");
	sigprocmask(SIG_SETMASK, &old, NULL);
}

static bool armed;

static void
disarm(void)
{
	struct itimerval it;

	if (!armed)
		return;
	memset(&it, 0, sizeof(it));
	setitimer(ITIMER_REAL, &it, NULL);
	armed = false;
}

static void
on_alarm(int sig)
{
	ssize_t w;

	(void)sig;
	if (timeout_unlink[0])
		unlink(timeout_unlink);
	w = write(timeout_fd, timeout_msg, timeout_len);
	(void)w;
	_exit(PP_NAG_UNKNOWN);
}

int
pp_nagios_arm(const struct pp_nagios *n, const char *prog)
{
	struct sigaction sa;
	struct itimerval it;
	char up[40], secs[48];
	size_t h = 0;

	if (!(n->timeout > 0))
		return 0;
	pp_nagios_num(n->timeout, secs, sizeof(secs));
	for (const char *p = prog; *p && h + 1 < sizeof(up); p++)
		up[h++] = (char)toupper((unsigned char)*p);
	up[h] = '\0';
	if (n->on) {
		timeout_fd = STDOUT_FILENO;
		snprintf(timeout_msg, sizeof(timeout_msg), "%s UNKNOWN - timed out after %s s\n", up, secs);
	} else {
		timeout_fd = STDERR_FILENO;
		snprintf(timeout_msg, sizeof(timeout_msg), "%s: timed out after %s s\n", prog, secs);
	}
	timeout_len = strlen(timeout_msg);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_alarm;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0)
		return -1;
	memset(&it, 0, sizeof(it));
	it.it_value.tv_sec = (time_t)n->timeout;
	it.it_value.tv_usec = (suseconds_t)((n->timeout - (double)it.it_value.tv_sec) * 1e6);
	if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0)
		it.it_value.tv_usec = 1;
	if (setitimer(ITIMER_REAL, &it, NULL) < 0)
		return -1;
	armed = true;
	return 0;
}

bool
pp_nagios_in_argv(int argc, char *const argv[])
{
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			return false;
		/* getopt_long takes an unambiguous abbreviation ("--nag") as the option */
		if (strlen(argv[i]) >= 4 && strncmp(argv[i], "--nagios", strlen(argv[i])) == 0)
			return true;
	}
	return false;
}
