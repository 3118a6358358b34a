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

#include "common/cur.h"
#include "common/err.h"
#include "wire/field.h"
#include "wire/limits.h"

/* "TESTKEY1" as a big-endian u64: the key file's magic. */
#define TES_TICKET_KEYS_MAGIC UINT64_C(0x544553544b455931)

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

/*@ predicate ticket_times_ok(integer issued, integer expiry) =
        issued < expiry && expiry - issued <= TES_TICKET_LIFETIME;
    predicate ticket_prev_ok(integer cur_kid, integer prev_kid, integer prev_created, uint8_t *prev) =
        prev_kid != cur_kid &&
        (prev_kid == 0 ==> prev_created == 0 &&
                           \forall integer i; 0 <= i < TES_TICKET_KEY_LEN ==> prev[i] == 0);
    predicate ticket_keys_ok(struct tes_ticket_keys *k) =
        k->cur_kid >= 1 && ticket_prev_ok(k->cur_kid, k->prev_kid, k->prev_created, &k->prev[0]);
 */

/*@ requires \valid_read(t) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(t, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE || \result == TES_ERR_ARG;
    ensures \result == 0 ==> 1 <= t->user_len <= TES_NAME_MAX;
    ensures \result == 0 ==> *used == 146 + t->user_len && *used <= cap && *used <= TES_TICKET_PLAIN_MAX;
    ensures \result == 0 ==> ticket_times_ok(\old(t->issued), \old(t->expiry));
 */
/*
 * Encode a ticket's plaintext; TES_ERR_ARG for a ticket the decoder would
 * refuse (version, user name, times), so what encodes also decodes.
 */
int
tes_ticket_plain_encode(const struct tes_ticket *t, uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(t);
    requires \separated(t, p + (0 .. n-1));
    terminates \true;
    assigns *t;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> n == 146 + t->user_len && n <= TES_TICKET_PLAIN_MAX;
    ensures \result == 0 ==> t->version == TES_TICKET_VERSION && 1 <= t->user_len <= TES_NAME_MAX;
    ensures \result == 0 ==> t->user[t->user_len] == 0;
    ensures \result == 0 ==> \forall integer k; 0 <= k < t->user_len ==> name_char(t->user[k]);
    ensures \result == 0 ==> ticket_times_ok(t->issued, t->expiry);
    ensures \result == 0 ==> t->issued == be64((uint8_t *)p + 130 + t->user_len) &&
            t->expiry == be64((uint8_t *)p + 138 + t->user_len);
 */
/*
 * Decode a ticket's plaintext: TES_ERR_VERSION for a version other than 1,
 * TES_ERR_NAME for a user that is not a name, TES_ERR_FORMAT for times out
 * of order or a lifetime above TES_TICKET_LIFETIME and for trailing bytes,
 * TES_ERR_TRUNCATED for too few bytes.
 */
int
tes_ticket_plain_decode(const uint8_t *p, size_t n, struct tes_ticket *t);

/*@ requires \valid_read(k) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(k, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    behavior ok:
      assumes ticket_keys_ok(k) && cap >= TES_TICKET_KEYS_LEN;
      ensures \result == 0 && *used == TES_TICKET_KEYS_LEN;
    behavior bad:
      assumes !ticket_keys_ok(k);
      assigns \nothing;
      ensures \result == TES_ERR_ARG;
    behavior space:
      assumes ticket_keys_ok(k) && cap < TES_TICKET_KEYS_LEN;
      assigns \nothing;
      ensures \result == TES_ERR_SPACE;
    complete behaviors; disjoint behaviors;
 */
/* Encode the key file; TES_ERR_ARG for keys the decoder would refuse. */
int
tes_ticket_keys_encode(const struct tes_ticket_keys *k, uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(k);
    requires \separated(k, p + (0 .. n-1));
    terminates \true;
    assigns *k;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> n == TES_TICKET_KEYS_LEN && ticket_keys_ok(k);
 */
/*
 * Decode the key file: exactly TES_TICKET_KEYS_LEN bytes, the magic, a
 * current kid >= 1, a previous kid other than the current one, and no
 * previous key material when there is no previous key; anything else is
 * TES_ERR_FORMAT.
 */
int
tes_ticket_keys_decode(const uint8_t *p, size_t n, struct tes_ticket_keys *k);

#endif
