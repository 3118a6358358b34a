/* SPDX-License-Identifier: ISC */
#include <string.h>

#include <bearssl.h>

#include "common/ct.h"
#include "common/err.h"
#include "common/wipe.h"
#include "crypto/rng.h"
#include "crypto/x25519.h"

/*
 * BearSSL's Curve25519 code (c25519_m31: constant-time, 32x32 multiplies)
 * takes the multiplier as the RFC 7748 little-endian byte string and
 * clamps it itself, contrary to the generic big-endian rule of br_ec_impl;
 * the RFC vectors in the unit test pin this down.
 */

/* see x25519.h */
int
tes_x25519_keygen(uint8_t priv[32], uint8_t pub[32])
{
	int r = TES_ERR_KEY;

	tes_rng_bytes(priv, 32);
	if (br_ec_c25519_m31.mulgen(pub, priv, 32, BR_EC_curve25519) != 32)
		goto out;
	r = 0;
out:
	if (r != 0) {
		tes_wipe(priv, 32);
		tes_wipe(pub, 32);
	}
	return r;
}

/* see x25519.h */
int
tes_x25519_shared(uint8_t out[32], const uint8_t priv[32], const uint8_t peer[32])
{
	static const uint8_t zero[32];
	uint8_t u[32];
	uint32_t ok;
	int r = TES_ERR_KEY;

	memcpy(u, peer, sizeof(u));
	ok = br_ec_c25519_m31.mul(u, sizeof(u), priv, 32, BR_EC_curve25519);
	/*= spec/PROTOCOL.md#handshake MUST-H8: an all-zero shared secret (low-order point) is refused */
	/* tes_ct_eq is -1 (not all zero) or 0: keep the check branch-free */
	ok &= (uint32_t)-tes_ct_eq(u, zero, sizeof(u));
	if (!ok)
		goto out;
	memcpy(out, u, sizeof(u));
	r = 0;
out:
	TES_WIPE_BUF(u);
	if (r != 0)
		tes_wipe(out, 32);
	return r;
}
