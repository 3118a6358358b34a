/* SPDX-License-Identifier: ISC */
/*
 * Proof driver (never linked into a binary): the round trip of the frame
 * header codec, decode(encode(x)) = x for every valid x, proven from the two
 * contracts in src/wire/frame.h alone (WP is modular, so this is exactly
 * what any caller of the codec may rely on).
 */
#include "common/err.h"
#include "wire/frame.h"

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
