/* SPDX-License-Identifier: ISC */
/*
 * The encrypted record layer: encrypt-then-MAC with a DES-family block
 * cipher in CBC mode and HMAC-SHA256 (spec/PROTOCOL.md#records).
 *
 *   RECORD frame = header(6) || iv(8) || ct || tag(32)
 *   ct  = CBC(enc key, iv, plaintext || PKCS#7 padding of 1..8 bytes)
 *   tag = HMAC-SHA256(mac key, seq (u64 BE) || header(6) || iv || ct)
 *
 * The sequence number is never sent: both sides count records, so a
 * replayed, reordered, dropped or truncated record fails the tag. The tag
 * is checked (in constant time) before anything is decrypted. Any failure
 * poisons the direction for good: the connection must then be closed.
 */
#ifndef TES_CRYPTO_RECORD_H
#define TES_CRYPTO_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "wire/limits.h"

enum {
	/* largest RECORD payload: iv, padded maximal plaintext, tag */
	TES_RECORD_MAX_PAYLOAD = TES_DES_BLOCK + TES_RECORD_MAX_PLAIN + TES_DES_BLOCK + TES_MAC_LEN,
	/* largest RECORD frame: tes_record_seal() never needs more */
	TES_RECORD_MAX_FRAME = TES_FRAME_HDR_LEN + TES_RECORD_MAX_PAYLOAD
};

/* One direction of a session (a plain struct: copy it, wipe it). */
struct tes_record_dir {
	uint8_t suite;                /* enum tes_suite */
	uint8_t enc[TES_ENC_KEY_LEN]; /* 3DES-EDE3 key; single DES uses enc[0 .. 7] */
	uint8_t mac[TES_MAC_KEY_LEN];
	uint64_t seq; /* next sequence number, starts at 0 */
	int failed;   /* sticky: after one failure every call fails */
};

/*
 * Set up a direction with seq = 0. An unknown suite leaves it failed, so
 * every later call returns TES_ERR_STATE.
 */
void
tes_record_dir_init(struct tes_record_dir *d, uint8_t suite, const uint8_t enc[TES_ENC_KEY_LEN],
		    const uint8_t mac[TES_MAC_KEY_LEN]);

/* Wipe keys and state; the direction stays failed until init again. */
void
tes_record_dir_wipe(struct tes_record_dir *d);

/*
 * Encrypt n (1 .. TES_RECORD_MAX_PLAIN) bytes of plaintext into one
 * complete RECORD frame in out (cap bytes; TES_RECORD_MAX_FRAME always
 * suffices); *used gets the frame size. plain may overlap out. Errors:
 * TES_ERR_STATE (direction failed), TES_ERR_ARG (bad n), TES_ERR_SPACE
 * (cap short; nothing is written and the direction stays usable).
 */
int
tes_record_seal(struct tes_record_dir *d, const uint8_t *plain, size_t n, uint8_t *out, size_t cap,
		size_t *used);

/*
 * Authenticate and decrypt the payload (plen bytes) of a RECORD frame
 * whose 6 header bytes, as received, are hdr. The plaintext (1 ..
 * TES_RECORD_MAX_PLAIN bytes) goes to out (cap bytes), its length to
 * *outlen. Errors, all of which poison the direction: TES_ERR_MAC (bad
 * length, header or tag), TES_ERR_DECRYPT (bad padding or plaintext
 * length under a valid tag), TES_ERR_SPACE (cap short); TES_ERR_STATE if
 * the direction had already failed.
 */
int
tes_record_open(struct tes_record_dir *d, const uint8_t hdr[TES_FRAME_HDR_LEN], const uint8_t *payload,
		size_t plen, uint8_t *out, size_t cap, size_t *outlen);

#endif
