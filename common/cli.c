/* cli.c: common options, messages, namespace entry, and output plumbing. */
#include <errno.h>
#include <stdarg.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "parse.h"
#include "snap.h"
#include "text.h"

/* --nagios's state: one per process, so main()'s wrapper still has it after the tool returned. */
static struct pp_nagios nagios;
static const char *nagios_prog;

void
pp_cli_stdout_buffered(void)
{
	static char buf[1 << 16];

	__fsetlocking(stdout, FSETLOCKING_BYCALLER);
	/* setvbuf(NULL, size) keeps glibc's own st_blksize buffer (4 KiB for a file or /dev/null): give it one. */
	if (!isatty(STDOUT_FILENO))
		setvbuf(stdout, buf, _IOFBF, sizeof(buf));
}

void
pp_cli_init(struct pp_cli *c, const char *prog)
{
	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->nag = &nagios;
	nagios_prog = prog;
	c->ns.orig_fd = -1;
}

/* The last message, for --nagios's UNKNOWN line. */
static char last_msg[512];
/* --help, --version or --list-options answered: a run with no status line to give. */
static bool answered_help;

const char *
pp_cli_last_msg(void)
{
	return last_msg;
}

/* A message to stderr, its outside strings (DEST, a device name) safe for a terminal. */
static void
vmsg(const char *fmt, va_list ap)
{
	char buf[1024], safe[2048];

	const char *t;

	vsnprintf(buf, sizeof(buf), fmt, ap);
	t = pp_text_safe(buf, safe, sizeof(safe));
	snprintf(last_msg, sizeof(last_msg), "%s", t);
	fputs(t, stderr);
}

/* A parse message (getopt's), remembered as vmsg() remembers its own. */
static void __attribute__((format(printf, 1, 2)))
note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(last_msg, sizeof(last_msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "%s\n", last_msg);
}

void
pp_warnx(const struct pp_cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
pp_warn_err(const struct pp_cli *c, const struct pp_err *e)
{
	char buf[512];

	pp_err_str(e, buf, sizeof(buf));
	snprintf(last_msg, sizeof(last_msg), "%s", buf);
	fprintf(stderr, "%s: %s\n", c->prog, buf);
}

int
pp_usage_error(const struct pp_cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vmsg(fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", c->prog);
	return PP_EXIT_USAGE;
}

void
pp_print_version(const struct pp_cli *c)
{
	answered_help = true;
	fprintf(stdout, "%s (pktpath) %s\n", c->prog, PP_VERSION);
}

int
pp_cli_opt(struct pp_cli *c, int opt, const char *arg)
{
	uint32_t pid;

	switch (opt) {
	case 'j':
		if (c->nag->on) {
			pp_usage_error(c, "--nagios and --json cannot be used together");
			return -1;
		}
		c->format = PP_FMT_JSON;
		return 1;
	case PP_OPT_NAGIOS:
		if (c->format != PP_FMT_TEXT || c->prom_file) {
			pp_usage_error(c, "--nagios and %s cannot be used together",
				       c->format == PP_FMT_JSON ? "--json" : "--prom");
			return -1;
		}
		c->nag->on = true;
		return 1;
	case PP_OPT_WARNING:
	case PP_OPT_CRITICAL:
		if (pp_range_parse(arg, opt == PP_OPT_WARNING ? &c->nag->warn : &c->nag->crit) < 0) {
			pp_usage_error(c, "--%s: '%s' is not a range (10, 10:, ~:10, 10:20, @10:20)",
				       opt == PP_OPT_WARNING ? "warning" : "critical", arg);
			return -1;
		}
		if (opt == PP_OPT_WARNING)
			c->nag->has_warn = true;
		else
			c->nag->has_crit = true;
		return 1;
	case PP_OPT_RUN_TIMEOUT:
	case PP_OPT_TIMEOUT:
		if (pp_parse_seconds(arg, 86400, &c->nag->timeout) < 0) {
			pp_usage_error(c, "--%s: '%s' is not a number of seconds (0 < SEC <= 86400)",
				       opt == PP_OPT_TIMEOUT ? "timeout" : "run-timeout", arg);
			return -1;
		}
		c->nag->has_timeout = true;
		return 1;
	case 'p':
		c->pretty = true;
		return 1;
	case PP_OPT_PROM:
	case PP_OPT_PROM_FILE:
		if (c->nag->on) {
			pp_usage_error(c, "--nagios and --prom cannot be used together");
			return -1;
		}
		if (opt == PP_OPT_PROM) {
			c->format = PP_FMT_PROM;
			return 1;
		}
		if (!arg[0]) {
			pp_usage_error(c, "--prom-file: empty path");
			return -1;
		}
		c->prom_file = arg;
		return 1;
	case 'N':
		if (c->netns_pid) {
			pp_usage_error(c, "--netns and --netns-pid cannot be used together");
			return -1;
		}
		c->netns = arg;
		return 1;
	case PP_OPT_NETNS_PID:
		if (c->netns) {
			pp_usage_error(c, "--netns and --netns-pid cannot be used together");
			return -1;
		}
		if (pp_parse_u32(arg, INT32_MAX, &pid) < 0 || pid == 0) {
			pp_usage_error(c, "--netns-pid: '%s' is not a process id", arg);
			return -1;
		}
		c->netns_pid = (pid_t)pid;
		return 1;
	case PP_OPT_NO_COLOR:
		c->no_color = true;
		return 1;
	case PP_OPT_SAVE:
	case PP_OPT_SNAPSHOT:
		if (!arg[0]) {
			pp_usage_error(c, "--%s: empty path", opt == PP_OPT_SAVE ? "save" : "snapshot");
			return -1;
		}
		if (opt == PP_OPT_SAVE ? c->snapshot != NULL : c->save != NULL) {
			pp_usage_error(c, "--save records the live kernel, --snapshot answers from a file: choose one");
			return -1;
		}
		if (opt == PP_OPT_SAVE)
			c->save = arg;
		else
			c->snapshot = arg;
		return 1;
	default:
		return 0;
	}
}

int
pp_cli_finish(struct pp_cli *c)
{
	const char *nc = getenv("NO_COLOR");

	if (c->prom_file)
		c->format = PP_FMT_PROM;
	c->color = c->format == PP_FMT_TEXT && !c->no_color && !(nc && nc[0]) && isatty(STDOUT_FILENO) &&
		   !c->nag->on;
	if (pp_nagios_has_thresholds(c->nag) && !c->nag->on)
		return pp_usage_error(c, "--%s needs --nagios", c->nag->has_warn ? "warning" : "critical");
	if (c->nag->on && !c->nag->has_timeout)
		c->nag->timeout = 10;
	if (pp_nagios_arm(c->nag, c->prog) < 0) {
		pp_warnx(c, "--run-timeout: cannot set a timer: %s", strerror(errno));
		return PP_EXIT_UNKNOWN;
	}
	return PP_EXIT_OK;
}

int
pp_cli_main(int argc, char *argv[], int (*tool_main)(int argc, char *argv[]))
{
	const char *m = last_msg, *prog;
	size_t pl;
	int rc;

	nagios.on = pp_nagios_in_argv(argc, argv);
	rc = tool_main(argc, argv);
	fflush(stdout);
	if (!nagios.on)
		return rc;
	if (nagios.printed)
		return nagios.state;
	if (rc == PP_EXIT_OK && answered_help)
		return rc;	/* --help, --version, --list-options */
	prog = nagios_prog ? nagios_prog : "pktpath";
	pl = strlen(prog);
	/* "prog: what" -> "what" */
	if (strncmp(m, prog, pl) == 0 && m[pl] == ':' && m[pl + 1] == ' ')
		m += pl + 2;
	return pp_nagios_print(&nagios, stdout, prog, PP_NAG_UNKNOWN, "%s%s",
			       rc == PP_EXIT_USAGE ? "usage: " : "",
			       m[0] ? m : "the run ended without a status line");
}

int
pp_cli_enter_netns(struct pp_cli *c)
{
	struct pp_err e = { 0 };
	int rc;

	if (c->snapshot) {
		/* A snapshot that cannot be read is bad input, named with its piece. */
		if (pp_snap_load(c->snapshot, &c->snap, &e) < 0) {
			pp_warn_err(c, &e);
			return PP_EXIT_USAGE;
		}
		pp_snap_install(c->snap);
	}
	rc = pp_netns_enter(&c->ns, c->netns, c->netns_pid, &e);
	if (rc == 0) {
		if (c->snap) {
			const char *saved = pp_snap_header(c->snap)->netns;

			pp_snap_rebase(c->snap);	/* -N NAME of the snapshot: every thread's namespace */
			/* Without -N, the namespace the snapshot was saved in is the one reported. */
			if (!c->ns.name[0] && strcmp(saved, "self") != 0)
				snprintf(c->ns.name, sizeof(c->ns.name), "%s", saved);
		}
		if (c->save) {
			if (!(c->snap = pp_snap_record_new(c->ns.name))) {
				pp_warnx(c, "--save: out of memory");
				return PP_EXIT_UNKNOWN;
			}
			pp_snap_set_writer(c->snap, c->prog);
			pp_snap_install(c->snap);
		}
		/* Exports for several namespaces must not collide in one textfile directory. */
		if (c->ns.name[0])
			pp_prom_const_label("netns", c->ns.name);
		return PP_EXIT_OK;
	}
	if (c->snap && rc == -ENOENT) {
		pp_warnx(c, "snapshot %s: it holds no netns '%s' (it was saved in netns %s)", c->snapshot, c->ns.name,
			 pp_snap_header(c->snap)->netns);
		return PP_EXIT_USAGE;
	}
	if (rc == -ENOENT || rc == -EINVAL || rc == -ESRCH) {
		if (c->netns)
			pp_warnx(c, "netns '%s': no such network namespace (see 'ip netns list')", c->netns);
		else
			pp_warnx(c, "--netns-pid %d: no such process, or it has no network namespace",
				 (int)c->netns_pid);
		return PP_EXIT_USAGE;
	}
	pp_warn_err(c, &e);
	if (rc == -EPERM)
		pp_warnx(c, "entering a network namespace needs CAP_SYS_ADMIN (run as root)");
	return PP_EXIT_UNKNOWN;
}

int
pp_cli_snap_over_time(const struct pp_cli *c, bool over_time, const char *what)
{
	if (!over_time || (!c->save && !c->snapshot))
		return PP_EXIT_OK;
	pp_warnx(c, "%s: a snapshot holds one reading of the kernel (not with --%s)", what,
		 c->save ? "save" : "snapshot");
	return PP_EXIT_USAGE;
}

int
pp_cli_snap_refuse(const struct pp_cli *c, const struct pp_err *e)
{
	char buf[512];

	if (!pp_snap_replaying(c->snap) || !e || e->code != ENODATA)
		return 0;
	pp_warnx(c, "snapshot %s (written by %s): %s", c->snapshot, pp_snap_header(c->snap)->writer,
		 pp_err_str(e, buf, sizeof(buf)));
	return PP_EXIT_USAGE;
}

int
pp_cli_snap_end(struct pp_cli *c, int rc)
{
	struct pp_err e = { 0 };

	if (!c->snap)
		return rc;
	/* With --nagios, 2 is CRITICAL, not a usage error: the reading stands and is written. */
	if (c->save && (rc != PP_EXIT_USAGE || c->nag->on) && pp_snap_write(c->snap, c->save, &e) < 0) {
		pp_warn_err(c, &e);
		rc = PP_EXIT_UNKNOWN;
	}
	pp_snap_install(NULL);
	pp_snap_free(c->snap);
	c->snap = NULL;
	return rc;
}

const char *
pp_cli_netns_name(const struct pp_cli *c)
{
	return c->ns.name[0] ? c->ns.name : NULL;
}

int
pp_out_begin(struct pp_cli *c, struct pp_out *o)
{
	struct pp_err e = { 0 };

	memset(o, 0, sizeof(*o));
	o->f = stdout;
	if (!c->prom_file)
		return 0;
	/* The diagnosis ran; only its export could not be written: could not tell (3), as at commit. */
	if (pp_prom_file_open(&o->pf, c->prom_file, &e) < 0) {
		pp_warn_err(c, &e);
		return PP_EXIT_UNKNOWN;
	}
	o->f = o->pf.fp;
	o->to_file = true;
	/* A run that times out while writing leaves no temporary file in the textfile directory. */
	pp_nagios_timeout_unlink(o->pf.tmp);
	return 0;
}

int
pp_out_end(struct pp_cli *c, struct pp_out *o, bool ok)
{
	struct pp_err e = { 0 };

	if (!o->to_file) {
		fflush(stdout);
		return 0;
	}
	pp_nagios_timeout_unlink(NULL);
	if (!ok) {
		pp_prom_file_abort(&o->pf);
		return 0;
	}
	if (pp_prom_file_commit(&o->pf, &e) < 0) {
		pp_warn_err(c, &e);
		return PP_EXIT_UNKNOWN;
	}
	return 0;
}

const char *
pp_color(const struct pp_cli *c, enum pp_status st)
{
	if (!c->color)
		return "";
	switch (st) {
	case PP_ST_OK: return "\033[32m";
	case PP_ST_WARN: return "\033[33m";
	case PP_ST_FAIL: return "\033[1;31m";
	case PP_ST_UNKNOWN: return "\033[35m";
	default: return "\033[2m";
	}
}

const char *
pp_color_reset(const struct pp_cli *c)
{
	return c->color ? "\033[0m" : "";
}

/* ---- the option table ---- */

void
pp_opt_init(struct pp_optparse *p, const struct pp_cli *c, const struct pp_optdef *defs)
{
	size_t nl = 0, ns = 0;

	memset(p, 0, sizeof(*p));
	p->cli = c;
	p->defs = defs;
	/* ':' first: a missing value is told apart from an unknown option, and getopt stays quiet. */
	p->shortopts[ns++] = ':';
	for (const struct pp_optdef *d = defs; d->name || d->shortopt || d->help; d++) {
		if (d->name && nl < PP_OPT_MAX)
			p->longopts[nl++] = (struct option){ d->name, d->has_arg, NULL, d->val };
		if (d->shortopt && ns + 2 < sizeof(p->shortopts)) {
			p->shortopts[ns++] = (char)d->shortopt;
			if (d->has_arg == required_argument)
				p->shortopts[ns++] = ':';
		}
	}
	p->longopts[nl++] = (struct option){ "list-options", no_argument, NULL, PP_OPT_LIST };
	p->longopts[nl] = (struct option){ NULL, 0, NULL, 0 };
	p->shortopts[ns] = '\0';
}

static const struct pp_optdef *
opt_by_val(const struct pp_optdef *defs, int val)
{
	for (const struct pp_optdef *d = defs; d->name || d->shortopt || d->help; d++)
		if ((d->name || d->shortopt) && d->val == val)
			return d;
	return NULL;
}

int
pp_opt_next(struct pp_optparse *p, int argc, char *argv[])
{
	const struct pp_optdef *d;
	const char *word;
	int opt;

	opterr = 0;
	opt = getopt_long(argc, argv, p->shortopts, p->longopts, NULL);
	if (opt == PP_OPT_LIST) {
		pp_opt_list(stdout, p->defs);
		return PP_OPT_LISTED;
	}
	if (opt != ':' && opt != '?')
		return opt;
	/* The word getopt stopped at: "--top", "--bogus=1", or "-x" inside "-zx". */
	word = optind > 0 && optind <= argc ? argv[optind - 1] : "?";
	if (opt == ':') {
		d = opt_by_val(p->defs, optopt);
		if (d && d->name && !(strncmp(word, "--", 2) != 0 && d->shortopt))
			note("%s: option '--%s' needs a value (see '%s --help')",
				p->cli->prog, d->name, p->cli->prog);
		else
			note("%s: option '-%c' needs a value (see '%s --help')",
				p->cli->prog, optopt, p->cli->prog);
	} else if (optopt && strncmp(word, "--", 2) != 0) {
		note("%s: unknown option '-%c' (see '%s --help')", p->cli->prog, optopt,
			p->cli->prog);
	} else {
		note("%s: unknown option '%s' (see '%s --help')", p->cli->prog, word,
			p->cli->prog);
	}
	return PP_OPT_BAD;
}

static int
opt_label(const struct pp_optdef *d, char *buf, size_t len)
{
	if (d->label)
		return snprintf(buf, len, "%s", d->label);
	return snprintf(buf, len, "%c%c%s%s%s%s%s", d->shortopt ? '-' : ' ',
			d->shortopt ? d->shortopt : ' ', d->shortopt && d->name ? ", " : d->name ? "  " : "",
			d->name ? "--" : "", d->name ? d->name : "", d->arg ? " " : "", d->arg ? d->arg : "");
}

void
pp_opt_help(FILE *f, const struct pp_optdef *defs)
{
	char label[96];

	answered_help = true;
	for (const struct pp_optdef *d = defs; d->name || d->shortopt || d->help; d++) {
		const char *h = d->help, *nl;
		int n;

		if (!d->name && !d->shortopt) {
			fprintf(f, "%s\n", h);
			continue;
		}
		if (!h || (d->flags & (PP_OPTF_HIDDEN | PP_OPTF_NOHELP)))
			continue;
		n = opt_label(d, label, sizeof(label));
		fprintf(f, "  %s%*s", label, n <= 22 ? 23 - n : 2, "");
		while ((nl = strchr(h, '\n')) != NULL) {
			fprintf(f, "%.*s\n%25s", (int)(nl - h), h, "");
			h = nl + 1;
		}
		fprintf(f, "%s\n", h);
	}
}

void
pp_opt_list(FILE *f, const struct pp_optdef *defs)
{
	answered_help = true;
	for (const struct pp_optdef *d = defs; d->name || d->shortopt || d->help; d++) {
		if ((!d->name && !d->shortopt) || (d->flags & PP_OPTF_HIDDEN))
			continue;
		if (d->shortopt)
			fprintf(f, "-%c%s", d->shortopt, d->name ? " " : "");
		if (d->name)
			fprintf(f, "--%s", d->name);
		fprintf(f, "%s%s\n", d->arg ? " " : "", d->arg ? d->arg : "");
	}
}

int
pp_opt_common(struct pp_cli *c, int opt, const char *arg, void (*usage)(FILE *f))
{
	int rc;

	switch (opt) {
	case PP_OPT_LISTED:
		return PP_EXIT_HELP;
	case PP_OPT_BAD:
		return PP_EXIT_USAGE;
	case 'h':
		usage(stdout);
		return PP_EXIT_HELP;
	case 'V':
		pp_print_version(c);
		return PP_EXIT_HELP;
	}
	rc = pp_cli_opt(c, opt, arg);
	if (rc == 1)
		return PP_EXIT_OK;
	if (rc < 0)
		return PP_EXIT_USAGE;
	return pp_usage_error(c, "unknown option");
}
