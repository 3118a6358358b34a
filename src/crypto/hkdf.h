/* SPDX-License-Identifier: ISC */
/* HKDF-SHA256 (RFC 5869) over BearSSL. */
#ifndef TES_CRYPTO_HKDF_H
#define TES_CRYPTO_HKDF_H

#include <stddef.h>
#include <stdint.h>

/* Largest HKDF-Expand output for SHA-256: 255 blocks. */
#define TES_HKDF_MAX (255 * 32)

/*
 * HKDF-SHA256: Extract(salt, ikm) then Expand(info, outlen). An empty salt
 * (slen 0, salt may be NULL) is the RFC's string of 32 zero bytes. outlen
 * must not exceed TES_HKDF_MAX: a larger request is a programming error
 * and aborts.
 */
void
tes_hkdf_sha256(const uint8_t *salt, size_t slen, const uint8_t *ikm, size_t ilen, const uint8_t *info,
		size_t infolen, uint8_t *out, size_t outlen);

#endif
