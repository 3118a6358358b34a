/* SPDX-License-Identifier: ISC */
/*
 * The handshake key schedule (spec/PROTOCOL.md#key-schedule):
 *
 *   prk = HKDF-Extract(salt = "TES1", ikm = pms(32) || ecdh(32))
 *   okm = HKDF-Expand(prk, info = "TES1 keys" || th(32), 176)
 *       = c2s_enc(24) || c2s_mac(32) || s2c_enc(24) || s2c_mac(32)
 *         || c_fin(32) || s_fin(32)
 *
 * pms is the RSA-OAEP transported secret, ecdh the X25519 shared secret,
 * th the SHA-256 transcript hash; the labels are ASCII without a NUL.
 */
#ifndef TES_CRYPTO_KEYSCHED_H
#define TES_CRYPTO_KEYSCHED_H

#include <stdint.h>

#include "wire/limits.h"

/* All session secrets; wipe with TES_WIPE_CTX() once the record layer has them. */
struct tes_session_keys {
	uint8_t c2s_enc[TES_ENC_KEY_LEN], c2s_mac[TES_MAC_KEY_LEN];
	uint8_t s2c_enc[TES_ENC_KEY_LEN], s2c_mac[TES_MAC_KEY_LEN];
	uint8_t c_fin[TES_FINISHED_LEN], s_fin[TES_FINISHED_LEN];
};

/* Derive the session keys as above (deterministic; never fails). */
void
tes_keysched_derive(const uint8_t pms[TES_PMS_LEN], const uint8_t ecdh[TES_X25519_LEN],
		    const uint8_t th[TES_HASH_LEN], struct tes_session_keys *out);

/*
 * Finished value = HMAC-SHA256(fin_key, th). Compare a received one with
 * tes_ct_eq().
 */
void
tes_keysched_finished(const uint8_t fin_key[TES_FINISHED_LEN], const uint8_t th[TES_HASH_LEN],
		      uint8_t out[TES_FINISHED_LEN]);

#endif
