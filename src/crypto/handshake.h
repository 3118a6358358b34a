/* SPDX-License-Identifier: ISC */
/*
 * Transcript and evidence digests shared by the police client, the session
 * child and the master (spec/PROTOCOL.md#handshake, #report). The master
 * rebuilds the client and server hello frames from the fields a child sends
 * with the same canonical encoders, so a child cannot make it sign off on a
 * transcript the client never saw.
 */
#ifndef TES_CRYPTO_HANDSHAKE_H
#define TES_CRYPTO_HANDSHAKE_H

#include <stddef.h>
#include <stdint.h>

#include "wire/limits.h"
#include "wire/msg.h"

/* Whole frames (header + payload) of the three handshake messages. */
int
tes_handshake_ch_frame(const struct tes_client_hello *m, uint8_t out[static TES_FRAME_MAX], size_t *n);
int
tes_handshake_sh_frame(const struct tes_server_hello *m, uint8_t out[static TES_FRAME_MAX], size_t *n);
int
tes_handshake_kx_frame(const struct tes_key_exchange *m, uint8_t out[static TES_FRAME_MAX], size_t *n);

/* Whole RESUME_HELLO and UNIT_AUTH frames (spec/PROTOCOL.md#resumption). */
int
tes_handshake_rh_frame(const struct tes_resume_hello *m, uint8_t out[static TES_FRAME_MAX], size_t *n);
int
tes_handshake_ua_frame(const struct tes_unit_auth *m, uint8_t out[static TES_FRAME_MAX], size_t *n);

/* What the unit signs on a resumed handshake: SHA-256("TES1 resume-auth" || RH || SH). */
void
tes_handshake_resume_auth_hash(const uint8_t *rh, size_t rhn, const uint8_t *sh, size_t shn,
			       uint8_t out[static TES_HASH_LEN]);

/* What the unit signs: SHA-256("TES1 unit-auth" || CH || SH || oaep). */
void
tes_handshake_unit_auth_hash(const uint8_t *ch, size_t chn, const uint8_t *sh, size_t shn,
			     const uint8_t oaep[static TES_RSA_LEN], uint8_t out[static TES_HASH_LEN]);

/* SHA-256 over the concatenation of up to 4 byte strings (NULL ends the list). */
void
tes_handshake_hash(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, const uint8_t *c, size_t cn,
		   const uint8_t *d, size_t dn, uint8_t out[static TES_HASH_LEN]);

#endif
