/* mem.c: array growth with prefaulted pages. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/mman.h>

#include "mem.h"

#ifndef MADV_POPULATE_WRITE
#define MADV_POPULATE_WRITE 23
#endif

#define PREFAULT_MIN (64 * 1024)

void
pp_mem_prefault(void *p, size_t len)
{
	long ps = sysconf(_SC_PAGESIZE);
	uintptr_t page = ps > 0 ? (uintptr_t)ps : 4096, a, b;

	if (len < PREFAULT_MIN)
		return;
	a = ((uintptr_t)p + page - 1) & ~(page - 1);
	b = ((uintptr_t)p + len) & ~(page - 1);
	if (b <= a)
		return;
	(void)madvise((void *)a, b - a, MADV_POPULATE_WRITE);
}

int
pp_array_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t min_cap)
{
	size_t nc;
	char *p;

	if (n < *cap)
		return 0;
	nc = *cap ? *cap * 2 : min_cap ? min_cap : 16;
	if (nc <= n)
		nc = n + 1;
	if (elem && nc > SIZE_MAX / elem)
		return -ENOMEM;
	if (!(p = realloc(*arr, nc * elem)))
		return -ENOMEM;
	pp_mem_prefault(p + *cap * elem, (nc - *cap) * elem);
	*arr = p;
	*cap = nc;
	return 0;
}
