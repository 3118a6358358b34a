/* SPDX-License-Identifier: ISC */
/*
 * Resumption tickets (spec/PROTOCOL.md#resumption): sealed and opened by
 * the officer master only, under a ticket key kept in DATA/ticket.key.
 *
 *   sealed = u32 kid | nonce[16] | ct | tag[32]
 *   ct     = AES-256-CTR(enc, nonce, plaintext (wire/ticket.h))
 *   tag    = HMAC-SHA256(mac, kid || nonce || ct)
 *   prk    = HKDF-Extract(salt = "TES1 ticket", ikm = ticket key)
 *   enc    = HKDF-Expand(prk, "enc", 32), mac = HKDF-Expand(prk, "mac", 32)
 */
#ifndef TES_CRYPTO_TICKETKEY_H
#define TES_CRYPTO_TICKETKEY_H

#include <stddef.h>
#include <stdint.h>

#include "wire/limits.h"
#include "wire/ticket.h"

/* Seal t under k's current key with a fresh nonce: out[0 .. *len-1], *len <= TES_TICKET_MAX. */
int
tes_ticketkey_seal(const struct tes_ticket_keys *k, const struct tes_ticket *t,
		   uint8_t out[static TES_TICKET_MAX], uint16_t *len);

/*
 * Open a sealed ticket: its kid names the current key, or the previous one
 * while now < cur_created + TES_TICKET_LIFETIME; the tag is checked in
 * constant time before anything is decrypted; the plaintext must decode,
 * and issued <= now < expiry. 0, TES_ERR_MAC (unknown kid, bad tag),
 * TES_ERR_FORMAT (does not decode) or TES_ERR_TIME (not valid at now).
 */
int
tes_ticketkey_open(const struct tes_ticket_keys *k, uint64_t now, const uint8_t *p, size_t n,
		   struct tes_ticket *t);

/* pw_bind = SHA-256("TES1 ticket pw" || stored), stored = the user's stored password hash string. */
void
tes_ticketkey_pw_bind(const char *stored, size_t n, uint8_t out[static TES_HASH_LEN]);

/*
 * The ticket key file DATA/ticket.key (dfd = the data directory, 0600).
 * load: TES_ERR_NOTFOUND when absent, TES_ERR_CORRUPT when it does not decode.
 * ensure: load it, create it when absent, and rotate it when the current key
 * is TES_TICKETKEY_ROTATE seconds old or more (prev := cur, a fresh cur, kid + 1),
 * written atomically; *rotated says whether it did.
 */
enum {
	TES_TICKETKEY_ROTATE = 86400
};

int
tes_ticketkey_load(int dfd, struct tes_ticket_keys *k);
int
tes_ticketkey_ensure(int dfd, uint64_t now, struct tes_ticket_keys *k, int *rotated);

#endif
