/*
 * cli.h: what every tool's front end shares: the common options of the contract,
 * output format selection, namespace entry, and err(3)-style messages
 * ("prog: what: why"). This is the one part of common/ that writes to stderr, and
 * only main() and argument parsing call it.
 */
#ifndef PP_CLI_H
#define PP_CLI_H

#include <getopt.h>
#include <stdio.h>
#include <sys/types.h>

#include "json.h"
#include "nagios.h"
#include "netns.h"
#include "pp.h"
#include "prom.h"

struct pp_snap;

enum pp_format { PP_FMT_TEXT, PP_FMT_JSON, PP_FMT_PROM };

enum {
	PP_OPT_PROM = 0x1000,
	PP_OPT_PROM_FILE,
	PP_OPT_NETNS_PID,
	PP_OPT_NO_COLOR,
	PP_OPT_LIST,		/* the hidden --list-options */
	PP_OPT_NAGIOS,		/* --nagios and its thresholds and timeout */
	PP_OPT_WARNING,
	PP_OPT_CRITICAL,
	PP_OPT_RUN_TIMEOUT,
	PP_OPT_TIMEOUT,		/* --timeout, the same, where a tool has no --timeout of its own */
	PP_OPT_SAVE,		/* a station tool's --save FILE */
	PP_OPT_SNAPSHOT,	/* and --snapshot FILE */
	PP_OPT_TOOL = 0x1100,	/* tools number their own long-only options from here */
};

/*
 * One option table per tool: each option is written once, with its short and long
 * name, its argument and its help; getopt_long's arrays, --help's option lines and
 * the hidden --list-options (what tests/static/docs_in_step.sh checks the man page
 * and completions against) are made from it, as curl makes its docs from one source
 * per option and ethtool parses from one args[].
 */
enum {
	PP_OPTF_HIDDEN = 0x1,		/* not in --help nor --list-options (benchmark floors) */
	PP_OPTF_NOHELP = 0x2,		/* listed, but described on the line before (-4, -6) */
};

struct pp_optdef {
	const char *name;		/* long name, or NULL */
	int shortopt;			/* short letter, or 0 */
	int val;			/* what pp_opt_next() returns: the letter or a PP_OPT_* */
	int has_arg;			/* no_argument or required_argument */
	const char *arg;		/* the argument's name in --help ("SEC") */
	const char *help;		/* --help text, '\n' continues it on the next line; a
					   heading when name and shortopt are both unset */
	const char *label;		/* --help's left column instead of the generated one */
	unsigned flags;
};

/* An option: short letter (or 0), long name (or NULL), value, argument name (NULL: none), help. */
#define PP_OPT(s, l, v, a, h) { (l), (s), (v), (a) ? required_argument : no_argument, (a), (h), NULL, 0 }
#define PP_OPT_HIDDEN(l, v, a) { (l), 0, (v), (a) ? required_argument : no_argument, (a), NULL, NULL, PP_OPTF_HIDDEN }
#define PP_OPT_HEADING(h) { NULL, 0, 0, 0, NULL, (h), NULL, 0 }
#define PP_OPT_END { NULL, 0, 0, 0, NULL, NULL, NULL, 0 }

/* The options of the contract every tool takes, in --help's order. */
#define PP_COMMON_OPTDEFS                                                                       \
	PP_OPT('j', "json", 'j', NULL, "JSON output"),                                          \
	PP_OPT('p', "pretty", 'p', NULL, "indent JSON"),                                        \
	PP_OPT(0, "prom", PP_OPT_PROM, NULL, "Prometheus text exposition on stdout"),           \
	PP_OPT(0, "prom-file", PP_OPT_PROM_FILE, "PATH", "write the exposition atomically to PATH"), \
	PP_OPT('N', "netns", 'N', "NAME", "run in network namespace NAME (/run/netns/NAME)"),   \
	PP_OPT(0, "netns-pid", PP_OPT_NETNS_PID, "PID", "run in the network namespace of process PID"), \
	PP_OPT(0, "no-color", PP_OPT_NO_COLOR, NULL, "no colour (also when NO_COLOR is set)"),  \
	PP_OPT('h', "help", 'h', NULL, "this help"),                                            \
	PP_OPT('V', "version", 'V', NULL, "version"),                                           \
	PP_OPT(0, "nagios", PP_OPT_NAGIOS, NULL, "Monitoring Plugins output: one status line, exit 0-3"), \
	PP_OPT(0, "warning", PP_OPT_WARNING, "RANGE", "with --nagios: WARNING when the figure is outside RANGE"), \
	PP_OPT(0, "critical", PP_OPT_CRITICAL, "RANGE", "with --nagios: CRITICAL when the figure is outside RANGE"), \
	PP_OPT(0, "run-timeout", PP_OPT_RUN_TIMEOUT, "SEC", "end the run after SEC, exit 3 (default 10 with --nagios)")

/* --timeout as the run's bound, in the tools where it means nothing else (not pathcheck, pmtuprobe). */
#define PP_OPT_TIMEOUT_RUN \
	PP_OPT(0, "timeout", PP_OPT_TIMEOUT, "SEC", "the same as --run-timeout")

/*
 * --save and --snapshot of the station tools (pathcheck has its own): the run's kernel
 * conversation recorded through common/snap.h, or answered from such a file.
 */
#define PP_OPT_SNAPSHOT_OPTDEFS                                                                 \
	PP_OPT(0, "save", PP_OPT_SAVE, "FILE", "run live, and also write what this run read from the kernel\nto the snapshot FILE"), \
	PP_OPT(0, "snapshot", PP_OPT_SNAPSHOT, "FILE", "answer from a snapshot written by --save: offline, no privileges")

#define PP_OPT_MAX 96

/* The state of one parse over a table. */
struct pp_optparse {
	const struct pp_cli *cli;
	const struct pp_optdef *defs;
	struct option longopts[PP_OPT_MAX + 2];
	char shortopts[2 * PP_OPT_MAX + 2];
};

/* pp_opt_next()'s answers besides an option's value and -1 (no more options). */
enum { PP_OPT_BAD = -2, PP_OPT_LISTED = -3 };

/* Make getopt_long's arrays from defs (which ends with PP_OPT_END). */
void pp_opt_init(struct pp_optparse *p, const struct pp_cli *c, const struct pp_optdef *defs);
/*
 * The next option (its val; optarg as getopt_long leaves it), -1 at the end,
 * PP_OPT_BAD after one line naming an unknown option or one missing its value
 * (the caller exits 2), or PP_OPT_LISTED after --list-options printed the table.
 */
int pp_opt_next(struct pp_optparse *p, int argc, char *argv[]);
/*
 * What every tool's option loop does with an option that is not its own:
 * --list-options and a bad option end the parse, -h prints usage(), -V the
 * version (PP_EXIT_HELP), a common option is taken (PP_EXIT_OK: go on), any
 * other is "unknown option" (PP_EXIT_USAGE).
 */
int pp_opt_common(struct pp_cli *c, int opt, const char *arg, void (*usage)(FILE *f));
/* --help's option lines, from the table. */
void pp_opt_help(FILE *f, const struct pp_optdef *defs);
/* The hidden --list-options: one line per option, "-i --interval SEC". */
void pp_opt_list(FILE *f, const struct pp_optdef *defs);

struct pp_cli {
	const char *prog;
	enum pp_format format;
	bool pretty;
	const char *prom_file;
	const char *netns;
	pid_t netns_pid;
	bool color;
	bool no_color;
	struct pp_netns ns;
	struct pp_nagios *nag;		/* --nagios, --warning, --critical, --run-timeout (one per process) */
	const char *save;		/* --save FILE (station tools) */
	const char *snapshot;		/* --snapshot FILE (station tools) */
	struct pp_snap *snap;		/* the store of either, installed by pp_cli_enter_netns() */
};

void pp_cli_init(struct pp_cli *c, const char *prog);
/*
 * Handle one common option from getopt_long. Returns 1 when it was one (or
 * PP_EXIT_HELP-worthy: -h/-V set *help_or_version), 0 when it is not a common
 * option, or -1 after printing a usage error naming the bad value.
 */
int pp_cli_opt(struct pp_cli *c, int opt, const char *arg);
/*
 * After parsing: --prom-file implies Prometheus; colour only on a terminal without
 * NO_COLOR; --nagios excludes -j and --prom, --warning/--critical need --nagios; the
 * run's timeout is armed. PP_EXIT_OK, or PP_EXIT_USAGE after a message.
 */
int pp_cli_finish(struct pp_cli *c);
/*
 * Every tool's main(): notes --nagios in argv first (so a usage error found before
 * it is read still ends as the plugin contract wants), runs tool_main, and then,
 * without --nagios, returns its code. With it: the status line's state once it was
 * printed; otherwise "TOOL UNKNOWN - <the last message>" and 3 (a usage error, a
 * namespace that could not be entered, a run that ended before its line).
 */
/*
 * stdout written by one thread (no stdio lock per call) and, when it is not a
 * terminal, buffered fully in 64 KiB. Call before the first output; flush points
 * stay the tool's own.
 */
void pp_cli_stdout_buffered(void);
int pp_cli_main(int argc, char *argv[], int (*tool_main)(int argc, char *argv[]));
/* The last message pp_warnx(), pp_warn_err() or a usage error wrote ("" before any). */
const char *pp_cli_last_msg(void);
/* Enter -N/--netns-pid. Returns PP_EXIT_OK, PP_EXIT_USAGE (no such namespace) or PP_EXIT_UNKNOWN (no privilege), after a message. */
int pp_cli_enter_netns(struct pp_cli *c);
/*
 * Station tools' --snapshot and --save, in pp_cli_enter_netns(): a snapshot is read
 * (a bad file: one message naming it and the piece, PP_EXIT_USAGE) and installed
 * before the namespace is entered (-N names one of the snapshot's; without -N the
 * one it was saved in is reported); --save installs a recording store once the
 * namespace is entered.
 *
 * pp_cli_snap_over_time(): a run that reads more than once (intervals, counts above
 * one, events, a watch) cannot be saved nor answered from a snapshot: with --save or
 * --snapshot, one message naming what (the option) and PP_EXIT_USAGE; else PP_EXIT_OK.
 */
int pp_cli_snap_over_time(const struct pp_cli *c, bool over_time, const char *what);
/*
 * The tool's main question failed: replaying, a question the snapshot holds no answer
 * to (e->code ENODATA) is a snapshot that cannot answer this run (another tool's,
 * other options): one message naming the file, its writer and the question, and
 * PP_EXIT_USAGE. Otherwise 0: the caller reports the error as it would live.
 */
int pp_cli_snap_refuse(const struct pp_cli *c, const struct pp_err *e);
/*
 * The end of the run: --save writes the file unless rc is a usage error (with --nagios
 * 2 is CRITICAL, and written); one that cannot be written: a message, and rc becomes
 * PP_EXIT_UNKNOWN (a --nagios line already printed keeps its state). The store is
 * uninstalled and freed. Returns the run's exit code.
 */
int pp_cli_snap_end(struct pp_cli *c, int rc);

/* The namespace name for output, or NULL for the current one. */
const char *pp_cli_netns_name(const struct pp_cli *c);

/* "prog: message" on stderr. */
void pp_warnx(const struct pp_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "prog: what: why (kernel: ext)" from an error record. */
void pp_warn_err(const struct pp_cli *c, const struct pp_err *e);
/* "prog: message" and "Try 'prog --help'."; returns PP_EXIT_USAGE. */
int pp_usage_error(const struct pp_cli *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void pp_print_version(const struct pp_cli *c);

/*
 * Output plumbing for the three forms. pp_out_begin() picks stdout or the
 * --prom-file temp file; pp_out_end() commits or aborts it. Returns 0 or an exit code:
 * a --prom-file that cannot be created or committed (read-only or full file system,
 * a directory at PATH, no permission) is PP_EXIT_UNKNOWN, after one message.
 */
struct pp_out {
	FILE *f;
	struct pp_prom_file pf;
	bool to_file;
};
int pp_out_begin(struct pp_cli *c, struct pp_out *o);
int pp_out_end(struct pp_cli *c, struct pp_out *o, bool ok);

/* ANSI colour for a status word when colour is on, else "". */
const char *pp_color(const struct pp_cli *c, enum pp_status st);
const char *pp_color_reset(const struct pp_cli *c);

#endif
