/* SPDX-License-Identifier: ISC */
#include "common/ct.h"

/* see ct.h */
int
tes_ct_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	size_t d = 0, i;
	int ne;

	/*
	 * Count the differing positions instead of OR-ing XORs: the comparison
	 * compiles to setcc (no branch) and the arithmetic form is what the
	 * loop contract proves. No early exit: the loop always runs n times.
	 */
	/*@ loop invariant 0 <= i <= n;
	    loop invariant 0 <= d <= i;
	    loop invariant d == 0 <==> (\forall integer k; 0 <= k < i ==> a[k] == b[k]);
	    loop assigns i, d;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		d += (size_t)(a[i] != b[i]);
	ne = d != 0;
	return -ne;
}
