/* SPDX-License-Identifier: ISC */
/* HMAC-SHA256 over BearSSL; no allocation, every context is caller-owned. */
#ifndef TES_CRYPTO_HMAC_H
#define TES_CRYPTO_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

/* Multi-part HMAC-SHA256; holds key material, see tes_hmac_out(). */
struct tes_hmac {
	br_hmac_key_context kc;
	br_hmac_context hc;
};

/*
 * An HMAC-SHA256 key made ready once (the hash states after its inner and
 * outer pads), for many MACs under the same key; it is key material: wipe
 * it (TES_WIPE_CTX) when done.
 */
struct tes_hmac_key {
	br_hmac_key_context kc;
};

/* out = HMAC-SHA256(key, data) in one call. */
void
tes_hmac_sha256(const uint8_t *key, size_t klen, const void *data, size_t n, uint8_t out[32]);

/* Start a multi-part HMAC-SHA256 with a key of any length. */
void
tes_hmac_init(struct tes_hmac *h, const uint8_t *key, size_t klen);

/* Make a key of any length ready for tes_hmac_init_ready(). */
void
tes_hmac_key_init(struct tes_hmac_key *k, const uint8_t *key, size_t klen);

/* tes_hmac_init() under a ready key: the same MAC, without hashing the key's pads again. */
void
tes_hmac_init_ready(struct tes_hmac *h, const struct tes_hmac_key *k);

/* Feed n more bytes. */
void
tes_hmac_update(struct tes_hmac *h, const void *data, size_t n);

/* Write the 32-byte tag, then wipe the context (init again to reuse it). */
void
tes_hmac_out(struct tes_hmac *h, uint8_t out[32]);

#endif
