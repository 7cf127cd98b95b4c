/* mem.h: growing arrays whose new pages are mapped in one call instead of one page fault each. */
#ifndef PP_MEM_H
#define PP_MEM_H

#include <stddef.h>

/*
 * Map in the whole pages of [p, p + len) for writing (MADV_POPULATE_WRITE, Linux
 * 5.14): one system call instead of a page fault per page on first touch, which
 * is where a sample of thousands of objects spends much of its time on a guest
 * with shadow paging (10 us a fault measured, 0.8 us a page populated). Best
 * effort: nothing happens on an older kernel or for a range under 64 KiB.
 */
void pp_mem_prefault(void *p, size_t len);

/*
 * Make room for element n of *arr (elem bytes each, *cap allocated): double the
 * capacity (at least min_cap) when n does not fit, and prefault the new part.
 * Returns 0, or -ENOMEM with *arr and *cap unchanged.
 */
int pp_array_grow(void **arr, size_t *cap, size_t n, size_t elem, size_t min_cap);

#endif
