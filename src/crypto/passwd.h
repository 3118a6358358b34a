/* SPDX-License-Identifier: ISC */
/*
 * Password hashing for officer logins: Argon2id (libargon2), t = 2,
 * m = 19456 KiB, p = 1, 16-byte random salt, 32-byte hash, stored in the
 * standard encoded form "$argon2id$v=19$m=...,t=2,p=1$<salt>$<hash>".
 *
 * TES_ARGON2_MEMORY_KIB (environment, read once at the first hash): a
 * decimal memory cost from 8 to 4194304 KiB replacing 19456. For tests
 * only; never set it in production. Verification always uses the
 * parameters stored in the encoded string.
 */
#ifndef TES_CRYPTO_PASSWD_H
#define TES_CRYPTO_PASSWD_H

#include <stddef.h>
#include <stdint.h>

enum {
	TES_PASSWD_ENCODED_MAX = 128, /* buffer that fits any encoded hash we produce */
	TES_PASSWD_M_DEFAULT = 19456  /* KiB: the memory cost of every stored hash */
};

/*
 * Hash pw (pwlen bytes, need not be NUL-terminated) into encoded (cap
 * bytes, NUL-terminated). TES_ERR_SPACE if cap is short, TES_ERR_ARG if
 * TES_ARGON2_MEMORY_KIB is set but invalid, TES_ERR_NOMEM / TES_ERR_INTERNAL
 * if libargon2 fails.
 */
int
tes_passwd_hash(const char *pw, size_t pwlen, char *encoded, size_t cap);

/*
 * The same with the memory cost m (KiB, 8 to 4194304) given, not taken from
 * the environment: for the benchmark, which times both costs in one run.
 * TES_ERR_ARG if m is out of range.
 */
int
tes_passwd_hash_cost(const char *pw, size_t pwlen, uint32_t m, char *encoded, size_t cap);

/*
 * 0 if pw matches the encoded Argon2id hash (compared in constant time by
 * libargon2), TES_ERR_AUTH if it does not, TES_ERR_FORMAT if encoded is
 * not a valid Argon2id string, TES_ERR_NOMEM if libargon2 runs out of memory.
 */
int
tes_passwd_verify(const char *encoded, const char *pw, size_t pwlen);

/*
 * Raw Argon2id of pw (pwlen bytes) with salt (8 to 64 bytes) into out: t = 2,
 * p = 1, 32 bytes, and the memory cost of tes_passwd_hash (19456 KiB, or
 * TES_ARGON2_MEMORY_KIB as above: a key derived under one cost differs from
 * the key under another). For keys made from a password (the police spool,
 * spec/SPOOL.md#keys). TES_ERR_ARG for a salt length or memory cost out of
 * range, TES_ERR_NOMEM / TES_ERR_INTERNAL if libargon2 fails; out is wiped on
 * failure. It allocates the memory cost: call it before a sandbox forbids that.
 */
int
tes_passwd_derive(const char *pw, size_t pwlen, const uint8_t *salt, size_t slen, uint8_t out[static 32]);

#endif
