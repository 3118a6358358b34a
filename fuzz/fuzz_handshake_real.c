/* SPDX-License-Identifier: ISC */
/*
 * Target "handshake_real": the server-side session engine with real
 * cryptography (only the RNG is fixed, fuzz/fuzzmode.c built with
 * TES_FUZZ_REAL_CRYPTO), seeded with valid recorded client transcripts
 * (fuzz/seeds.c): the client Finished check, X25519, the record MAC,
 * decryption and sequence numbers are the real checks, so mutations test
 * that they refuse. Input as for the server side of fuzz_handshake.c:
 * u8 flags | client frames, the flags of fuzz/hs_server.h (bit 7 unused).
 * The seeds also run sessions behind a valid handshake that end in each of
 * the engine's refusals (a second login, a report before the login, broken
 * records, reports out of range, wrong answers from the master).
 */
#include "fuzz.h"
#include "fuzzmode.h"
#include "hs_server.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tes_engine e;

	if (size < 1)
		return 0;
	tes_fuzz_reset();
	(void)hs_server_run(&e, data[0] & 0x7f, data + 1, size - 1, NULL, NULL);
	return 0;
}
