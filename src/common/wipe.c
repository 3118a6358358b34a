/* SPDX-License-Identifier: ISC */
/*
 * tes_wipe() on typed buffers, for the proven callers (hex.c, http.c,
 * journal.c): ct.h states the contract on uint8_t and char because WP's
 * typed memory model cannot follow those pointers into tes_wipe()'s void *.
 * Trusted, not proven (proofs/README.md); a file of its own so that the
 * fuzz build, which replaces ct.c, links the same wrappers.
 */
#include "common/ct.h"

/* see ct.h */
void
tes_wipe_u8(uint8_t *p, size_t n)
{
	tes_wipe(p, n);
}

/* see ct.h */
void
tes_wipe_chars(char *p, size_t n)
{
	tes_wipe(p, n);
}
