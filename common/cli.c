/* cli.c: common options, messages, namespace entry, and output plumbing. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "parse.h"

void
pp_cli_init(struct pp_cli *c, const char *prog)
{
	memset(c, 0, sizeof(*c));
	c->prog = prog;
	c->ns.orig_fd = -1;
}

void
pp_warnx(const struct pp_cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
pp_warn_err(const struct pp_cli *c, const struct pp_err *e)
{
	char buf[512];

	fprintf(stderr, "%s: %s\n", c->prog, pp_err_str(e, buf, sizeof(buf)));
}

int
pp_usage_error(const struct pp_cli *c, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", c->prog);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nTry '%s --help' for more information.\n", c->prog);
	return PP_EXIT_USAGE;
}

void
pp_print_version(const struct pp_cli *c)
{
	fprintf(stdout, "%s (pktpath) %s\n", c->prog, PP_VERSION);
}

int
pp_cli_opt(struct pp_cli *c, int opt, const char *arg)
{
	uint32_t pid;

	switch (opt) {
	case 'j':
		c->format = PP_FMT_JSON;
		return 1;
	case 'p':
		c->pretty = true;
		return 1;
	case PP_OPT_PROM:
		c->format = PP_FMT_PROM;
		return 1;
	case PP_OPT_PROM_FILE:
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
	default:
		return 0;
	}
}

void
pp_cli_finish(struct pp_cli *c)
{
	const char *nc = getenv("NO_COLOR");

	if (c->prom_file)
		c->format = PP_FMT_PROM;
	c->color = c->format == PP_FMT_TEXT && !c->no_color && !(nc && nc[0]) && isatty(STDOUT_FILENO);
}

int
pp_cli_enter_netns(struct pp_cli *c)
{
	struct pp_err e = { 0 };
	int rc;

	rc = pp_netns_enter(&c->ns, c->netns, c->netns_pid, &e);
	if (rc == 0) {
		/* Exports for several namespaces must not collide in one textfile directory. */
		if (c->ns.name[0])
			pp_prom_const_label("netns", c->ns.name);
		return PP_EXIT_OK;
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
	if (pp_prom_file_open(&o->pf, c->prom_file, &e) < 0) {
		pp_warn_err(c, &e);
		return PP_EXIT_USAGE;
	}
	o->f = o->pf.fp;
	o->to_file = true;
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
