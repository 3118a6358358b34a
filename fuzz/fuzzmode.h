/* SPDX-License-Identifier: ISC */
/*
 * Fuzz-build hooks (fuzz/fuzzmode.c). Only fuzz/ harnesses include
 * this header; it refuses to compile anywhere else.
 */
#ifndef TES_CRYPTO_FUZZMODE_H
#define TES_CRYPTO_FUZZMODE_H

#if !defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) || !defined(TES_FUZZ_BUILD)
#error "fuzz/fuzzmode.h is for fuzz builds only"
#endif

#include <stdint.h>

/* Present in every fuzz binary, absent from every release binary. */
#define TES_FUZZ_MARKER "TES-FUZZ-MODE-UNSAFE-FOR-PRODUCTION"

/* The fixed clock of fuzz builds: 2024-01-01T00:00:00Z. */
#define TES_FUZZ_NOW 1704067200u

extern const char tes_fuzz_marker[];

/* Re-seed the deterministic generator: call at the start of every input. */
void
tes_fuzz_reset(void);

/* The fixed clock (seconds since the epoch). */
uint64_t
tes_fuzz_now(void);

#endif
