/* SPDX-License-Identifier: ISC */
/*
 * Target "ticket": the two codecs of resumption tickets (src/wire/ticket.c):
 * a ticket's plaintext, which the master reads after it has checked the
 * ticket's tag, and the ticket key file DATA/ticket.key, which the master
 * reads at start-up (spec/STORAGE.md#ticket-key MUST-TK1..TK4).
 * input = one mode byte (even: plaintext, odd: key file), then the bytes
 * to decode. Properties: an accepted plaintext is 146 + user_len <=
 * TES_TICKET_PLAIN_MAX bytes, its version is 1, its user 1..32 name
 * characters NUL-terminated, issued < expiry <= issued + 43200; an accepted
 * key file is exactly 96 bytes with the magic, cur_kid >= 1, prev_kid !=
 * cur_kid, and no previous key material without a previous kid; either
 * re-encodes to exactly the input bytes, the encoders refuse room one byte
 * short, and they refuse the decoded value made invalid (a version other
 * than 1, a character outside the name alphabet, prev_kid == cur_kid). A
 * refused input is refused with a negative code.
 */
#include <string.h>

#include "fuzz.h"
#include "wire/field.h"
#include "wire/ticket.h"

static void
plain(const uint8_t *p, size_t n)
{
	struct tes_ticket t;
	uint8_t out[TES_TICKET_PLAIN_MAX];
	size_t used = 0, k;
	int r;

	memset(&t, 0xa5, sizeof t);
	r = tes_ticket_plain_decode(p, n, &t);
	if (r != 0) {
		fuzz_check(r < 0, "a refusal is negative");
		return;
	}
	fuzz_check(n == 146u + t.user_len && n <= TES_TICKET_PLAIN_MAX, "plaintext length");
	fuzz_check(t.version == TES_TICKET_VERSION, "version 1");
	fuzz_check(t.user_len >= 1 && t.user_len <= TES_NAME_MAX && t.user[t.user_len] == 0, "user length");
	fuzz_check(tes_field_name_valid(t.user, t.user_len) == 0, "user is a name");
	for (k = 0; k < t.user_len; k++)
		fuzz_check(t.user[k] != 0, "no NUL in the user");
	fuzz_check(t.issued < t.expiry && t.expiry - t.issued <= TES_TICKET_LIFETIME, "times");
	fuzz_check(tes_ticket_plain_encode(&t, out, sizeof out, &used) == 0,
		   "an accepted plaintext re-encodes");
	fuzz_check(used == n && memcmp(out, p, n) == 0, "re-encoded plaintext is the input");
	fuzz_check(tes_ticket_plain_encode(&t, out, n - 1, &used) == TES_ERR_SPACE,
		   "one byte short: no room");
	/* the encoder refuses what the decoder refuses, whatever the room */
	t.version = (uint8_t)(p[n - 1] | 2);
	fuzz_check(tes_ticket_plain_encode(&t, out, sizeof out, &used) == TES_ERR_ARG,
		   "encoder: bad version");
	t.version = TES_TICKET_VERSION;
	t.user[p[n - 2] % t.user_len] = (char)(p[n - 3] % 2 ? ' ' : '/');
	fuzz_check(tes_ticket_plain_encode(&t, out, sizeof out, &used) == TES_ERR_ARG, "encoder: bad user");
}

static int
zero(const uint8_t *p, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		if (p[k] != 0)
			return 0;
	return 1;
}

static void
keys(const uint8_t *p, size_t n)
{
	struct tes_ticket_keys k;
	uint8_t out[TES_TICKET_KEYS_LEN];
	size_t used = 0;
	int r;

	memset(&k, 0xa5, sizeof k);
	r = tes_ticket_keys_decode(p, n, &k);
	if (r != 0) {
		fuzz_check(r == TES_ERR_FORMAT, "a refused key file is TES_ERR_FORMAT");
		return;
	}
	fuzz_check(n == TES_TICKET_KEYS_LEN && memcmp(p, "TESTKEY1", 8) == 0, "length and magic");
	fuzz_check(k.cur_kid >= 1 && k.prev_kid != k.cur_kid, "kids");
	fuzz_check(k.prev_kid != 0 || (k.prev_created == 0 && zero(k.prev, sizeof k.prev)),
		   "no previous key material without a previous kid");
	fuzz_check(tes_ticket_keys_encode(&k, out, sizeof out, &used) == 0,
		   "an accepted key file re-encodes");
	fuzz_check(used == n && memcmp(out, p, n) == 0, "re-encoded key file is the input");
	fuzz_check(tes_ticket_keys_encode(&k, out, n - 1, &used) == TES_ERR_SPACE, "one byte short: no room");
	/* the encoder refuses what the decoder refuses, whatever the room */
	k.prev_kid = k.cur_kid;
	fuzz_check(tes_ticket_keys_encode(&k, out, sizeof out, &used) == TES_ERR_ARG,
		   "encoder: prev_kid == cur_kid");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 1)
		return 0;
	if (data[0] % 2 == 0)
		plain(data + 1, size - 1);
	else
		keys(data + 1, size - 1);
	return 0;
}
