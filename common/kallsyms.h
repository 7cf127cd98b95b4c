/*
 * kallsyms.h: kernel text addresses to symbol names, from /proc/kallsyms.
 * Addresses read as 0 when kptr_restrict hides them (or the reader is not
 * root); then nothing can be resolved and the table says so.
 */
#ifndef PP_KALLSYMS_H
#define PP_KALLSYMS_H

#include "pp.h"

struct pp_kallsyms_sym {
	uint64_t addr;
	uint32_t name;			/* offset into names */
};

/* Text symbols of /proc/kallsyms (types t T w W), sorted by address. */
struct pp_kallsyms {
	struct pp_kallsyms_sym *syms;
	size_t nsyms;
	char *names;			/* "name\0name\0..." (module symbols without [module]) */
	size_t names_len;
	bool hidden;			/* every address was 0: kptr_restrict, or not root */
};

/*
 * Load /proc/kallsyms text (NUL-terminated). Keeps text symbols only. Returns 0,
 * -EACCES when every address is 0 (hidden: the location cannot be resolved;
 * ks->hidden set), -ENOENT when there are no text symbols, -ENOMEM.
 */
int pp_kallsyms_load(struct pp_kallsyms *ks, const char *text);
/* pp_kallsyms_load() of the running kernel's /proc/kallsyms; the same returns, or -errno reading it. */
int pp_kallsyms_read(struct pp_kallsyms *ks);
/*
 * The symbol addr falls in (the nearest one at or below), *off the offset; NULL
 * below the first symbol, or more than 64 KiB above the last one.
 */
const char *pp_kallsyms_lookup(const struct pp_kallsyms *ks, uint64_t addr, uint64_t *off);
void pp_kallsyms_free(struct pp_kallsyms *ks);
/*
 * The running kernel's table, read on the first call and shared by every thread
 * after it (read-only, kept until exit); NULL when it cannot be read or is hidden.
 * Symbols of modules loaded later are missing: a long-running reader uses
 * pp_kallsyms_read() of its own.
 */
const struct pp_kallsyms *pp_kallsyms_running(void);

#endif
