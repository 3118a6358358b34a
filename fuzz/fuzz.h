/* SPDX-License-Identifier: ISC */
/*
 * Shared by the fuzz harnesses (fuzz/fuzz_<target>.c). Each harness defines
 * LLVMFuzzerTestOneInput; the same source is built for libFuzzer, for
 * AFL++ (afl-clang-fast -fsanitize=fuzzer links libAFLDriver), for the plain
 * corpus replayer (fuzz/replay.c) and for the coverage build.
 * Harnesses are deterministic, allocate nothing (but the code under test
 * may: the index target's tables grow) and keep no state between inputs; a
 * broken property aborts (a crash for both engines).
 */
#ifndef TES_FUZZ_FUZZ_H
#define TES_FUZZ_FUZZ_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Abort with a message when a property the code promises does not hold. */
static inline void
fuzz_check(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fuzz property violated: %s\n", what);
		abort();
	}
}

/* A little reader over the input for harness choices (never fails: zeros past the end). */
struct fuzz_in {
	const uint8_t *p;
	size_t n, off;
};

static inline uint8_t
fuzz_u8(struct fuzz_in *in)
{
	return in->off < in->n ? in->p[in->off++] : 0;
}

static inline uint16_t
fuzz_u16(struct fuzz_in *in)
{
	uint16_t hi = fuzz_u8(in);

	return (uint16_t)(hi << 8 | fuzz_u8(in));
}

/* Take up to want bytes; *got says how many. */
static inline const uint8_t *
fuzz_bytes(struct fuzz_in *in, size_t want, size_t *got)
{
	const uint8_t *p = in->p + in->off;
	size_t left = in->n - in->off;

	*got = want < left ? want : left;
	in->off += *got;
	return p;
}

#endif
