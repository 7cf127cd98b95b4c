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
#include "netns.h"
#include "pp.h"
#include "prom.h"

enum pp_format { PP_FMT_TEXT, PP_FMT_JSON, PP_FMT_PROM };

enum {
	PP_OPT_PROM = 0x1000,
	PP_OPT_PROM_FILE,
	PP_OPT_NETNS_PID,
	PP_OPT_NO_COLOR,
	PP_OPT_TOOL = 0x1100,	/* tools number their own long-only options from here */
};

#define PP_COMMON_SHORTOPTS "hVjpN:"
#define PP_COMMON_LONGOPTS                                      \
	{ "help", no_argument, NULL, 'h' },                     \
	{ "version", no_argument, NULL, 'V' },                  \
	{ "json", no_argument, NULL, 'j' },                     \
	{ "pretty", no_argument, NULL, 'p' },                   \
	{ "prom", no_argument, NULL, PP_OPT_PROM },             \
	{ "prom-file", required_argument, NULL, PP_OPT_PROM_FILE }, \
	{ "netns", required_argument, NULL, 'N' },              \
	{ "netns-pid", required_argument, NULL, PP_OPT_NETNS_PID }, \
	{ "no-color", no_argument, NULL, PP_OPT_NO_COLOR }

/* The common options' lines for --help. */
#define PP_COMMON_HELP                                                                  \
	"  -j, --json             JSON output\n"                                        \
	"  -p, --pretty           indent JSON\n"                                        \
	"      --prom             Prometheus text exposition on stdout\n"               \
	"      --prom-file PATH   write the exposition atomically to PATH\n"            \
	"  -N, --netns NAME       run in network namespace NAME (/run/netns/NAME)\n"    \
	"      --netns-pid PID    run in the network namespace of process PID\n"        \
	"      --no-color         no colour (also when NO_COLOR is set)\n"              \
	"  -h, --help             this help\n"                                          \
	"  -V, --version          version\n"

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
};

void pp_cli_init(struct pp_cli *c, const char *prog);
/*
 * Handle one common option from getopt_long. Returns 1 when it was one (or
 * PP_EXIT_HELP-worthy: -h/-V set *help_or_version), 0 when it is not a common
 * option, or -1 after printing a usage error naming the bad value.
 */
int pp_cli_opt(struct pp_cli *c, int opt, const char *arg);
/* After parsing: --prom-file implies Prometheus; colour only on a terminal without NO_COLOR. */
void pp_cli_finish(struct pp_cli *c);
/* Enter -N/--netns-pid. Returns PP_EXIT_OK, PP_EXIT_USAGE (no such namespace) or PP_EXIT_UNKNOWN (no privilege), after a message. */
int pp_cli_enter_netns(struct pp_cli *c);
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
 * --prom-file temp file; pp_out_end() commits or aborts it. Returns 0 or an exit code.
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
