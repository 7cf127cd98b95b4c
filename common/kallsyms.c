/* kallsyms.c: /proc/kallsyms text symbols, sorted, looked up by address. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "kallsyms.h"
#include "sysctl.h"

static int
sym_cmp(const void *a, const void *b)
{
	const struct pp_kallsyms_sym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	return x->name < y->name ? -1 : x->name > y->name;
}

int
pp_kallsyms_load(struct pp_kallsyms *ks, const char *text)
{
	size_t lines = 0, cap_names = 0;
	bool nonzero = false;
	const char *p;

	memset(ks, 0, sizeof(*ks));
	for (p = text; *p; p++)
		if (*p == '\n')
			lines++;
	lines++;
	cap_names = (size_t)(p - text) + 1;
	ks->syms = calloc(lines, sizeof(*ks->syms));
	ks->names = malloc(cap_names);
	if (!ks->syms || !ks->names) {
		pp_kallsyms_free(ks);
		return -ENOMEM;
	}
	for (p = text; *p;) {
		const char *eol = strchr(p, '\n'), *s, *name;
		unsigned long long addr;
		char *end, type;
		size_t n;

		if (!eol)
			eol = p + strlen(p);
		errno = 0;
		addr = strtoull(p, &end, 16);
		s = end;
		if (errno || s == p || s >= eol || *s != ' ')
			goto next;
		s++;
		type = *s;
		if (s + 2 > eol || s[1] != ' ')
			goto next;
		name = s + 2;
		for (n = 0; name + n < eol && name[n] != ' ' && name[n] != '\t'; n++)
			;
		if (n == 0)
			goto next;
		if (addr)
			nonzero = true;
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			goto next;
		if (n >= 6 && strncmp(name, "__pfx_", 6) == 0)
			goto next;		/* padding before a function, not code */
		ks->syms[ks->nsyms].addr = addr;
		ks->syms[ks->nsyms].name = (uint32_t)ks->names_len;
		memcpy(ks->names + ks->names_len, name, n);
		ks->names[ks->names_len + n] = '\0';
		ks->names_len += n + 1;
		ks->nsyms++;
next:
		p = *eol ? eol + 1 : eol;
	}
	if (!nonzero && ks->nsyms) {
		ks->hidden = true;
		ks->nsyms = 0;
		return -EACCES;
	}
	if (ks->nsyms == 0)
		return -ENOENT;
	qsort(ks->syms, ks->nsyms, sizeof(*ks->syms), sym_cmp);
	return 0;
}

#define KALLSYMS_TAIL	0x10000		/* how far past the last symbol we still trust it */

const char *
pp_kallsyms_lookup(const struct pp_kallsyms *ks, uint64_t addr, uint64_t *off)
{
	size_t lo = 0, hi = ks->nsyms;

	if (!ks->nsyms || addr < ks->syms[0].addr)
		return NULL;
	while (hi - lo > 1) {			/* last sym with sym.addr <= addr */
		size_t mid = lo + (hi - lo) / 2;

		if (ks->syms[mid].addr <= addr)
			lo = mid;
		else
			hi = mid;
	}
	if (lo == ks->nsyms - 1 && addr - ks->syms[lo].addr >= KALLSYMS_TAIL)
		return NULL;
	if (off)
		*off = addr - ks->syms[lo].addr;
	return ks->names + ks->syms[lo].name;
}

void
pp_kallsyms_free(struct pp_kallsyms *ks)
{
	free(ks->syms);
	free(ks->names);
	memset(ks, 0, sizeof(*ks));
}

/* The running kernel's table, read once per process: /proc/kallsyms is 200,000 lines. */
static struct pp_kallsyms running;
static int running_rc;
static pthread_once_t running_once = PTHREAD_ONCE_INIT;

static void
read_running(void)
{
	running_rc = pp_kallsyms_read(&running);
}

const struct pp_kallsyms *
pp_kallsyms_running(void)
{
	pthread_once(&running_once, read_running);
	return running_rc == 0 ? &running : NULL;
}

int
pp_kallsyms_read(struct pp_kallsyms *ks)
{
	char *text = NULL;
	int rc = pp_slurp("/proc/kallsyms", &text, 256 << 20);

	memset(ks, 0, sizeof(*ks));
	if (rc < 0)
		return rc;
	rc = pp_kallsyms_load(ks, text);
	free(text);
	return rc;
}
