/* SPDX-License-Identifier: ISC */
/*
 * The process-wide random generator: one HMAC-DRBG (SHA-256) seeded from
 * the kernel (getrandom(), falling back to BearSSL's system seeder). Every
 * key, IV, nonce and salt comes from here.
 *
 * Fork safety: a forked child must never replay its parent's stream. The
 * state lives on its own page marked MADV_WIPEONFORK, and the owner pid is
 * checked on every call; either one makes the child reseed before its
 * first output. Servers should still call tes_rng_init() right after
 * fork() so that a seeding failure is reported instead of aborting later.
 *
 * Not thread-safe: use it from one thread per process.
 */
#ifndef TES_CRYPTO_RNG_H
#define TES_CRYPTO_RNG_H

#include <stddef.h>

#include <bearssl.h>

/* (Re)seed the generator from the kernel. TES_ERR_RNG when no entropy. */
int
tes_rng_init(void);

/*
 * Fill out with n random bytes. Seeds first if needed; if the kernel
 * cannot provide entropy, prints a message on stderr and aborts (there is
 * no safe way to continue without randomness).
 */
void
tes_rng_bytes(void *out, size_t n);

/*
 * The seeded generator for BearSSL calls that take a PRNG (RSA key
 * generation, OAEP encryption). Same seeding and abort rules as
 * tes_rng_bytes(). Do not keep the pointer across fork().
 */
const br_prng_class **
tes_rng_prng(void);

#endif
