/* SPDX-License-Identifier: ISC */
/*
 * Proof driver (never linked into a binary): the round trips of the frame
 * header codec and of the ticket key file codec, decode(encode(x)) = x for
 * every valid x, proven from the contracts in src/wire/frame.h and
 * src/wire/ticket.h alone (WP is modular, so this is exactly what any
 * caller of the codecs may rely on).
 */
#include "common/err.h"
#include "wire/frame.h"
#include "wire/ticket.h"

/*@ requires 1 <= type <= TES_FRAME_TYPE_MAX && length <= TES_FRAME_MAX_PAYLOAD;
    terminates \true;
    assigns \nothing;
    ensures \result == 0;
 */
int
tes_proof_frame_roundtrip(uint8_t type, size_t length)
{
	uint8_t b[TES_FRAME_HDR_LEN];
	struct tes_frame_hdr h;

	if (tes_frame_encode_hdr(b, type, length) != 0)
		return TES_ERR_INTERNAL;
	if (tes_frame_decode_hdr(b, sizeof b, &h) != 0)
		return TES_ERR_INTERNAL;
	if (h.type != type || h.length != length)
		return TES_ERR_INTERNAL;
	return 0;
}

/*@ requires \valid_read(k) && ticket_keys_ok(k);
    terminates \true;
    assigns \nothing;
    ensures \result == 0;
 */
int
tes_proof_ticket_keys_roundtrip(const struct tes_ticket_keys *k)
{
	uint8_t b[TES_TICKET_KEYS_LEN];
	struct tes_ticket_keys d;
	size_t used = 0, i;
	int r;

	r = tes_ticket_keys_encode(k, b, sizeof b, &used);
	//@ assert r == 0 && used == TES_TICKET_KEYS_LEN;
	//@ assert ticket_keys_bytes_ok(&b[0]);
	if (r != 0)
		return TES_ERR_INTERNAL;
	r = tes_ticket_keys_decode(b, used, &d);
	//@ assert r == 0;
	if (r != 0)
		return TES_ERR_INTERNAL;
	//@ assert d.cur_kid == k->cur_kid;
	//@ assert d.cur_created == k->cur_created;
	//@ assert d.prev_kid == k->prev_kid && d.prev_created == k->prev_created;
	//@ assert \forall integer j; 0 <= j < TES_TICKET_KEY_LEN ==> d.cur[j] == k->cur[j];
	//@ assert \forall integer j; 0 <= j < TES_TICKET_KEY_LEN ==> d.prev[j] == k->prev[j];
	if (d.cur_kid != k->cur_kid || d.cur_created != k->cur_created || d.prev_kid != k->prev_kid ||
	    d.prev_created != k->prev_created)
		return TES_ERR_INTERNAL;
	/*@ loop invariant 0 <= i <= TES_TICKET_KEY_LEN;
	    loop assigns i;
	    loop variant TES_TICKET_KEY_LEN - i;
	 */
	for (i = 0; i < TES_TICKET_KEY_LEN; i++)
		if (d.cur[i] != k->cur[i] || d.prev[i] != k->prev[i])
			return TES_ERR_INTERNAL;
	return 0;
}
