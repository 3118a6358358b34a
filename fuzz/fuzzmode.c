/* SPDX-License-Identifier: ISC */
/*
 * FUZZ BUILDS ONLY: every substitution that lets a fuzzer drive the
 * protocol state machines through the cryptography, in this one file
 * (the BoringSSL UNSAFE_FUZZER_MODE / s2n override approach). Every fuzz/
 * binary links it instead of src/crypto/rng.c; tes-officer and tes-police
 * never do: src/crypto/rng.c refuses to compile with the fuzz macros, the
 * Makefile leaves this file out of the release sources, and
 * tests/integration/fuzzmode.sh checks that the release binaries do not
 * contain TES_FUZZ_MARKER.
 *
 * Two flavours from this one file:
 *   TES_FUZZ_REAL_CRYPTO  (every target but handshake) a fixed-seed
 *                         HMAC-DRBG instead of the kernel-seeded one, reset
 *                         per input, so runs are reproducible; all
 *                         cryptography is real.
 *   default               (handshake) the same RNG, and every check the
 *                         fuzzer cannot satisfy is computed, then accepted:
 *                         tes_ct_eq() says equal for 32-byte values (MACs,
 *                         Finished) unless one is all zero; the DES-CBC
 *                         record cipher is the identity (the fuzzer writes
 *                         record plaintext; padding and length checks still
 *                         run); RSA-PKCS#1 signing is a fake that its own
 *                         verifier accepts; RSA-OAEP encryption copies the
 *                         secret. These replace src/common/ct.c and BearSSL's
 *                         default RSA/DES entry points at link time.
 * The fixed clock of fuzz builds is TES_FUZZ_NOW (fuzz/fuzzmode.h).
 */
#if !defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) || !defined(TES_FUZZ_BUILD)
#error "fuzzmode.c is for fuzz builds only (-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION -DTES_FUZZ_BUILD)"
#endif

#define _DEFAULT_SOURCE
#include <string.h>

#include <bearssl.h>

#include "common/ct.h"
#include "crypto/rng.h"
#include "fuzzmode.h"

/* Kept in every fuzz binary (referenced by tes_fuzz_reset), looked for by the release check. */
const char tes_fuzz_marker[] = TES_FUZZ_MARKER;

static br_hmac_drbg_context fuzz_drbg;
static int fuzz_ready;

/* see fuzzmode.h */
void
tes_fuzz_reset(void)
{
	static const char seed[] = "TES fuzz-mode fixed DRBG seed";

	br_hmac_drbg_init(&fuzz_drbg, &br_sha256_vtable, seed, sizeof seed - 1);
	br_hmac_drbg_update(&fuzz_drbg, tes_fuzz_marker, sizeof tes_fuzz_marker);
	fuzz_ready = 1;
}

/* see fuzzmode.h */
uint64_t
tes_fuzz_now(void)
{
	return TES_FUZZ_NOW;
}

/* see rng.h: the fixed-seed generator replaces the kernel-seeded one. */
int
tes_rng_init(void)
{
	tes_fuzz_reset();
	return 0;
}

/* see rng.h */
void
tes_rng_bytes(void *out, size_t n)
{
	if (!fuzz_ready)
		tes_fuzz_reset();
	br_hmac_drbg_generate(&fuzz_drbg, out, n);
}

/* see rng.h */
const br_prng_class **
tes_rng_prng(void)
{
	if (!fuzz_ready)
		tes_fuzz_reset();
	return &fuzz_drbg.vtable;
}

#ifndef TES_FUZZ_REAL_CRYPTO

/*
 * see ct.h: a 32-byte comparison (record tags, Finished values, HMAC tags)
 * is computed, then accepted. Everything else stays real: headers and magics
 * are not secrets the fuzzer cannot write, and the X25519 all-zero check
 * compares against zeros (the handshake must still refuse low-order points).
 */
int
tes_ct_eq(const uint8_t *a, const uint8_t *b, size_t n)
{
	uint32_t d = 0, za = 0, zb = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		d |= (uint32_t)(a[i] ^ b[i]);
		za |= a[i];
		zb |= b[i];
	}
	if (n == 32 && za != 0 && zb != 0)
		return 0;
	return -(int)(d != 0);
}

/* NULL cipher: CBC runs in place, so leaving the buffer as it is is the identity. */
void
br_des_ct_cbcenc_run(const br_des_ct_cbcenc_keys *ctx, void *iv, void *data, size_t len)
{
	(void)ctx;
	(void)iv;
	(void)data;
	(void)len;
}

void
br_des_ct_cbcdec_run(const br_des_ct_cbcdec_keys *ctx, void *iv, void *data, size_t len)
{
	(void)ctx;
	(void)iv;
	(void)data;
	(void)len;
}

/* Fake PKCS#1 signature: the hash, then zeros. No private-key operation per input. */
static uint32_t
fake_sign(const unsigned char *oid, const unsigned char *hash, size_t hash_len, const br_rsa_private_key *sk,
	  unsigned char *x)
{
	size_t n = (sk->n_bitlen + 7) / 8;

	(void)oid;
	if (n < hash_len)
		return 0;
	memset(x, 0, n);
	memcpy(x, hash, hash_len);
	return 1;
}

/* Accepts exactly what fake_sign produced. */
static uint32_t
fake_vrfy(const unsigned char *x, size_t xlen, const unsigned char *oid, size_t hash_len,
	  const br_rsa_public_key *pk, unsigned char *hash_out)
{
	(void)oid;
	(void)pk;
	if (xlen < hash_len)
		return 0;
	memcpy(hash_out, x, hash_len);
	return 1;
}

/* Fake OAEP: the secret in clear at the start of the block. */
static size_t
fake_oaep_encrypt(const br_prng_class **rnd, const br_hash_class *dig, const void *label, size_t label_len,
		  const br_rsa_public_key *pk, void *dst, size_t dst_max_len, const void *src, size_t src_len)
{
	size_t n = pk->nlen;

	(void)rnd;
	(void)dig;
	(void)label;
	(void)label_len;
	if (n > dst_max_len || src_len > n)
		return 0;
	memset(dst, 0, n);
	memcpy(dst, src, src_len);
	return n;
}

br_rsa_pkcs1_sign
br_rsa_pkcs1_sign_get_default(void)
{
	return fake_sign;
}

br_rsa_pkcs1_vrfy
br_rsa_pkcs1_vrfy_get_default(void)
{
	return fake_vrfy;
}

br_rsa_oaep_encrypt
br_rsa_oaep_encrypt_get_default(void)
{
	return fake_oaep_encrypt;
}

#endif
