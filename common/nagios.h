/*
 * nagios.h: the Monitoring Plugins contract every tool speaks with --nagios
 * (https://www.monitoring-plugins.org/doc/guidelines.html): exit 0 OK, 1 WARNING,
 * 2 CRITICAL, 3 UNKNOWN; one status line "TOOL STATE - summary | perfdata" whose
 * first part stays under 80 characters; perfdata items
 * 'label'=value[UOM];[warn];[crit];[min];[max]; thresholds as ranges ("10", "10:",
 * "~:10", "10:20", "@10:20"); and a run bounded by a timeout of its own.
 *
 * Nothing here touches the kernel: ranges, perfdata and the line are built in
 * memory (unit-tested in tests/unit/test_common_nagios.c); only pp_nagios_arm()
 * sets a timer.
 */
#ifndef PP_NAGIOS_H
#define PP_NAGIOS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* The plugin states, which are also the exit codes. */
enum pp_nag_state {
	PP_NAG_OK = 0,
	PP_NAG_WARNING = 1,
	PP_NAG_CRITICAL = 2,
	PP_NAG_UNKNOWN = 3,
};
const char *pp_nag_state_name(int st);
/* The worse of two states: CRITICAL > WARNING > UNKNOWN > OK (Monitoring::Plugin's max_state_alt). */
int pp_nag_worse(int a, int b);

/*
 * A threshold range. Alert when the value is outside [lo, hi] (an open end is
 * infinite), or inside it when the range starts with '@'. Both ends inclusive.
 */
struct pp_range {
	bool inside;		/* '@': alert inside */
	bool lo_inf, hi_inf;	/* '~' start; no end after ':' */
	double lo, hi;
	char text[64];		/* as given, for perfdata */
};
/* Parse "10", "10:", "~:10", "10:20", "@10:20" (decimals, signs). 0, or -1 for a bad range. */
int pp_range_parse(const char *s, struct pp_range *r);
/* true when v raises the alert. */
bool pp_range_alert(const struct pp_range *r, double v);

#define PP_NAG_PERF_MAX 3072	/* Nagios 3 keeps 4 KB of a plugin's output */

struct pp_nagios {
	bool on;			/* --nagios */
	bool has_warn, has_crit;
	struct pp_range warn, crit;
	bool has_timeout;
	double timeout;			/* --timeout / --run-timeout; 10 s by default with --nagios */
	char perf[PP_NAG_PERF_MAX];
	size_t perf_len;
	unsigned perf_dropped;		/* items that did not fit */
	bool printed;			/* the status line is out */
	int state;			/* what it said */
};

/* The state of v against --warning and --critical (OK when neither alerts or none is given). */
int pp_nagios_judge(const struct pp_nagios *n, double v);
bool pp_nagios_has_thresholds(const struct pp_nagios *n);

/* Perfdata's label: quoted, with ' = and white space (which consumers split on) made '_'. */
void pp_nagios_label(const char *label, char *buf, size_t len);
/* A number as perfdata writes it: no exponent, at most 3 decimals, trailing zeros cut. */
void pp_nagios_num(double v, char *buf, size_t len);

/* min and max that are not given. */
#define PP_NAG_NONE (__builtin_nan(""))
/*
 * Append one perfdata item. thresholds: put --warning and --critical in its fields
 * (an '@' range is left out there: consumers do not read it in perfdata; the check
 * still uses it). Returns 0, or -1 when it did not fit (counted in perf_dropped).
 */
int pp_nagios_perf(struct pp_nagios *n, const char *label, double v, const char *uom,
		   bool thresholds, double min, double max);

/*
 * Build the status line "TOOL STATE - summary | perf\n" into buf: TOOL is prog in
 * capitals; the part before '|' is cut to 79 characters ("..." at the end); '|' and
 * control characters in the summary become '/' and ' '. Returns buf.
 */
char *pp_nagios_line(const struct pp_nagios *n, const char *prog, int state, const char *summary,
		     char *buf, size_t len);
/* Print the line on f (stdout), remember it was printed; returns state (the exit code). */
int pp_nagios_print(struct pp_nagios *n, FILE *f, const char *prog, int state, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));

/*
 * Bound the run: after n->timeout seconds the process writes "TOOL UNKNOWN - timed
 * out after N s" (or, without --nagios, "prog: timed out after N s" on stderr) and
 * exits 3, from a SIGALRM handler that only calls write(2) and _exit(2).
 */
int pp_nagios_arm(const struct pp_nagios *n, const char *prog);
/* A file the timeout removes before it exits (a --prom-file's temporary file), NULL for none. */
void pp_nagios_timeout_unlink(const char *path);

/* true when argv holds --nagios (or "--nag", as getopt_long takes it) before a "--": usage errors then exit 3. */
bool pp_nagios_in_argv(int argc, char *const argv[]);

#endif
