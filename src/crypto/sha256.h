/* SPDX-License-Identifier: ISC */
/* SHA-256 over BearSSL: the only hash of the protocol. */
#ifndef TES_CRYPTO_SHA256_H
#define TES_CRYPTO_SHA256_H

#include <stddef.h>
#include <stdint.h>

enum {
	TES_SHA256_LEN = 32
};

/* out = SHA-256(data[0 .. n-1]). */
void
tes_sha256(const void *data, size_t n, uint8_t out[32]);

#endif
