/* SPDX-License-Identifier: ISC */
#define _DEFAULT_SOURCE
#include <string.h>

#include "common/ct.h"

/* see ct.h */
int
tes_ct_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint32_t d = 0;
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop invariant d <= 255;
	    loop invariant d == 0 <==> (\forall integer k; 0 <= k < i ==> a[k] == b[k]);
	    loop assigns i, d;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		d |= (uint32_t)(a[i] ^ b[i]);
	/* no early exit: the loop always runs n times; d != 0 compiles to setcc */
	return -(int)(d != 0);
}

/* see ct.h */
void
tes_wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}
