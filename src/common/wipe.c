/* SPDX-License-Identifier: ISC */
/*
 * Wiping secrets. tes_wipe() is proven (proofs/STATUS.md); tes_wipe_u8 and
 * tes_wipe_chars exist for the proven callers (hex.c, http.c, journal.c):
 * wipe.h states their contract on uint8_t and char because WP's typed memory
 * model cannot follow those pointers into tes_wipe()'s void *. They are
 * trusted, not proven (proofs/README.md).
 */
#define _DEFAULT_SOURCE
#include <string.h>

#include "common/wipe.h"

/* see wipe.h */
void
tes_wipe(void *p, size_t n)
{
	explicit_bzero(p, n);
}

/* see wipe.h */
void
tes_wipe_u8(uint8_t *p, size_t n)
{
	tes_wipe(p, n);
}

/* see wipe.h */
void
tes_wipe_chars(char *p, size_t n)
{
	tes_wipe(p, n);
}
