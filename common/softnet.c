/* softnet.c: /proc/net/softnet_stat. */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "softnet.h"
#include "sysctl.h"

#define SOFTNET_PATH "/proc/net/softnet_stat"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* One line of hex columns [p, end). Returns 0 or -EBADMSG. */
static int
parse_line(const char *p, const char *end, unsigned lineno, struct pp_softnet_cpu *c)
{
	uint32_t col[16];
	unsigned nc = 0;

	memset(c, 0, sizeof(*c));
	for (;;) {
		uint64_t v = 0;
		unsigned digits = 0;
		int h;

		while (p < end && (*p == ' ' || *p == '\t'))
			p++;
		if (p == end)
			break;
		while (p < end && (h = hexval(*p)) >= 0) {
			v = (v << 4) | (unsigned)h;
			if (++digits > 8)
				return -EBADMSG;	/* wider than the kernel's u32 columns */
			p++;
		}
		if (digits == 0 || (p < end && *p != ' ' && *p != '\t'))
			return -EBADMSG;
		if (nc < PP_ARRAY_SIZE(col))
			col[nc] = (uint32_t)v;
		nc++;
	}
	if (nc < 3)
		return -EBADMSG;
	c->ncols = nc;
	c->processed = col[0];
	c->dropped = col[1];
	c->time_squeeze = col[2];
	/* Columns 3..8 were fastroute and cpu_collision; the kernel prints zeros there now. */
	if (nc > 9) {
		c->has_rps = true;
		c->received_rps = col[9];
	}
	if (nc > 10) {
		c->has_flow_limit = true;
		c->flow_limit = col[10];
	}
	if (nc > 11) {
		c->has_backlog = true;
		c->backlog_len = col[11];
	}
	/* Offline CPUs have no line, so the line number is the CPU id only when the kernel does not say. */
	if (nc > 12) {
		c->has_cpu_col = true;
		c->cpu = col[12];
	} else {
		c->cpu = lineno;
	}
	return 0;
}

int
pp_softnet_parse(const char *buf, size_t len, struct pp_softnet_cpu *cpus, size_t max, size_t *n)
{
	const char *p = buf, *end = buf + len;
	unsigned lineno = 0;
	int rc;

	*n = 0;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));

		if (!nl)
			return -EBADMSG;	/* the read stopped inside a line */
		if (nl == p) {			/* an empty line: nothing to count */
			p++;
			continue;
		}
		if (*n >= max)
			return -E2BIG;
		if ((rc = parse_line(p, nl, lineno, &cpus[*n])) < 0)
			return rc;
		(*n)++;
		lineno++;
		p = nl + 1;
	}
	return 0;
}

int
pp_softnet_read(struct pp_softnet_cpu **cpus, size_t *n, struct pp_err *e)
{
	size_t len, lines = 0, i;
	char *buf = NULL;
	int rc;

	*cpus = NULL;
	*n = 0;
	/* Through common/sysctl.c, so a snapshot records and replays it. */
	if ((rc = pp_slurp(SOFTNET_PATH, &buf, 16 << 20)) < 0) {
		pp_err_set(e, -rc, "%s", SOFTNET_PATH);
		return rc;
	}
	len = (size_t)rc;
	for (i = 0; i < len; i++)
		lines += buf[i] == '\n';
	*cpus = calloc(lines ? lines : 1, sizeof(**cpus));
	if (!*cpus) {
		rc = -ENOMEM;
		goto fail;
	}
	if ((rc = pp_softnet_parse(buf, len, *cpus, lines, n)) < 0) {
		free(*cpus);
		*cpus = NULL;
		*n = 0;
		goto fail;
	}
	free(buf);
	return 0;
fail:
	pp_err_set(e, -rc, "%s", SOFTNET_PATH);
	free(buf);
	return rc;
}
