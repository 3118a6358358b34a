/* SPDX-License-Identifier: ISC */
/*
 * Internal to src/store: the heap allocation of the store's files. The store
 * keeps everything in memory and cannot go on without it, so out of memory
 * ends the process (tes_log_fatal). Static inline, so each file has its own copy
 * and nothing is exported.
 */
#ifndef TES_STORE_ALLOC_H
#define TES_STORE_ALLOC_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "common/log.h"

/* Resize p to n entries of sz bytes (a product that overflows asks for SIZE_MAX and fails). */
static inline void *
xrealloc(void *p, size_t n, size_t sz)
{
	if (sz != 0 && n > SIZE_MAX / sz)
		n = SIZE_MAX;
	else
		n *= sz;
	if ((p = realloc(p, n == 0 ? 1 : n)) == NULL)
		tes_log_fatal("out of memory");
	return p;
}

/* n zeroed entries of sz bytes. */
static inline void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n == 0 ? 1 : n, sz == 0 ? 1 : sz);

	if (p == NULL)
		tes_log_fatal("out of memory");
	return p;
}

/* Room for entry n of an array of *cap entries of sz bytes (16, then doubling). */
static inline void *
grow(void *p, size_t *cap, size_t n, size_t sz)
{
	if (n < *cap)
		return p;
	*cap = *cap == 0 ? 16 : *cap * 2;
	return xrealloc(p, *cap, sz);
}

#endif
