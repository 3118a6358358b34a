/* SPDX-License-Identifier: ISC */
/*
 * X25519 (RFC 7748) over BearSSL's constant-time Curve25519 code. Keys and
 * shared secrets use the RFC byte order (little-endian scalars and
 * u-coordinates), so the RFC test vectors apply as they are.
 */
#ifndef TES_CRYPTO_X25519_H
#define TES_CRYPTO_X25519_H

#include <stdint.h>

/* Fresh ephemeral key pair: random scalar (tes_rng_bytes), public u. */
int
tes_x25519_keygen(uint8_t priv[32], uint8_t pub[32]);

/*
 * out = X25519(priv, peer). TES_ERR_KEY (out wiped) if the result is all
 * zero, i.e. peer is a low-order point (checked in constant time).
 */
int
tes_x25519_shared(uint8_t out[32], const uint8_t priv[32], const uint8_t peer[32]);

#endif
