/* SPDX-License-Identifier: ISC */
/*
 * Codecs of the resumption ticket's plaintext and of the ticket key file
 * DATA/ticket.key (spec/PROTOCOL.md#resumption, spec/STORAGE.md#ticket-key).
 * Sans-I/O, bounded, allocation-free and proven like wire/msg.h: decoders
 * consume their input exactly and check every field.
 *
 * Ticket plaintext (TES_TICKET_PLAIN_MAX bytes at most):
 *   u8 version (1) | unit_key[32] | server_key[32] | str8 user (1..32 name chars) |
 *   pw_bind[32] | res_secret[32] | u64 issued | u64 expiry
 *   with issued < expiry <= issued + TES_TICKET_LIFETIME.
 *
 * Ticket key file (TES_TICKET_KEYS_LEN bytes):
 *   magic[8] "TESTKEY1" | u32 cur_kid (>= 1) | u64 cur_created | cur_key[32] |
 *   u32 prev_kid | u64 prev_created | prev_key[32]
 *   prev_kid == 0: no previous key (prev_created 0, prev_key all zero);
 *   otherwise prev_kid != cur_kid.
 */
#ifndef TES_WIRE_TICKET_H
#define TES_WIRE_TICKET_H

#include <stddef.h>
#include <stdint.h>

#include "wire/limits.h"

enum {
	TES_TICKET_VERSION = 1,
	TES_TICKET_KEY_LEN = 32,
	TES_TICKET_PLAIN_MAX = 1 + 32 + 32 + 1 + TES_NAME_MAX + 32 + 32 + 8 + 8,
	TES_TICKET_KEYS_LEN = 8 + 4 + 8 + TES_TICKET_KEY_LEN + 4 + 8 + TES_TICKET_KEY_LEN
};

struct tes_ticket {
	uint8_t version;
	uint8_t unit_key[TES_KEYID_LEN];
	uint8_t server_key[TES_KEYID_LEN];
	uint8_t user_len;
	char user[TES_NAME_MAX + 1];
	uint8_t pw_bind[TES_HASH_LEN];
	uint8_t res_secret[TES_HASH_LEN];
	uint64_t issued, expiry; /* seconds since the epoch */
};

struct tes_ticket_keys {
	uint32_t cur_kid;
	uint64_t cur_created;
	uint8_t cur[TES_TICKET_KEY_LEN];
	uint32_t prev_kid; /* 0: none */
	uint64_t prev_created;
	uint8_t prev[TES_TICKET_KEY_LEN];
};

int
tes_ticket_plain_encode(const struct tes_ticket *t, uint8_t *out, size_t cap, size_t *used);
int
tes_ticket_plain_decode(const uint8_t *p, size_t n, struct tes_ticket *t);

int
tes_ticket_keys_encode(const struct tes_ticket_keys *k, uint8_t *out, size_t cap, size_t *used);
int
tes_ticket_keys_decode(const uint8_t *p, size_t n, struct tes_ticket_keys *k);

#endif
