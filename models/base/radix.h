/*
 * Stable sort by an unsigned 64-bit key, linear in the elements: least significant byte first, one
 * counting pass per byte the largest key has.  For the large arrays sorted once at the end of a run
 * (page-table regions, the isolation check's mappings), where qsort's n log n and its indirect
 * comparisons showed in the profile of a 1,024-GPU run.
 */
#ifndef VGS_RADIX_H
#define VGS_RADIX_H

#include <stddef.h>

/* Sort n elements of `size` bytes at base by the uint64_t at byte offset key_off of each, stably. */
void vgs_radix_sort(void *base, size_t n, size_t size, size_t key_off);

#endif
