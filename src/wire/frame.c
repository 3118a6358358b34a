/* SPDX-License-Identifier: ISC */
#include "wire/frame.h"
#include "common/cur.h"
#include "common/err.h"

/* see frame.h */
int
tes_frame_encode_hdr(uint8_t out[static TES_FRAME_HDR_LEN], uint8_t type, size_t length)
{
	if (type < 1 || type > TES_FRAME_TYPE_MAX)
		return TES_ERR_TYPE;
	if (length > TES_FRAME_MAX_PAYLOAD)
		return TES_ERR_TOOLONG;
	out[0] = TES_FRAME_MAGIC;
	out[1] = TES_PROTO_VERSION;
	out[2] = type;
	out[3] = 0;
	tes_cur_enc16be(out + 4, (uint16_t)length);
	return 0;
}

/* see frame.h */
int
tes_frame_decode_hdr(const uint8_t *buf, size_t len, struct tes_frame_hdr *h)
{
	uint16_t length;

	/*= spec/PROTOCOL.md#frames MUST-F5: the six header bytes alone decide */
	if (len < TES_FRAME_HDR_LEN)
		return TES_ERR_TRUNCATED;
	/*= spec/PROTOCOL.md#frames MUST-F1: magic and reserved byte */
	if (buf[0] != TES_FRAME_MAGIC || buf[3] != 0)
		return TES_ERR_FORMAT;
	/*= spec/PROTOCOL.md#frames MUST-F2 */
	if (buf[1] != TES_PROTO_VERSION)
		return TES_ERR_VERSION;
	/*= spec/PROTOCOL.md#frames MUST-F3: type 1..8, never 0 */
	if (buf[2] < 1 || buf[2] > TES_FRAME_TYPE_MAX)
		return TES_ERR_TYPE;
	length = tes_cur_dec16be(buf + 4);
	/*= spec/PROTOCOL.md#frames MUST-F4: at most 4090 bytes of payload */
	if (length > TES_FRAME_MAX_PAYLOAD)
		return TES_ERR_TOOLONG;
	h->type = buf[2];
	h->length = length;
	return 0;
}

/* see frame.h */
int
tes_frame_decode(const uint8_t *buf, size_t len, struct tes_frame_hdr *h, const uint8_t **payload,
		 size_t *used)
{
	int r;

	if ((r = tes_frame_decode_hdr(buf, len, h)) != 0)
		return r;
	if (h->length > len - TES_FRAME_HDR_LEN)
		return TES_ERR_TRUNCATED;
	*payload = buf + TES_FRAME_HDR_LEN;
	*used = (size_t)TES_FRAME_HDR_LEN + h->length;
	return 0;
}

/* see frame.h */
int
tes_frame_encode(uint8_t *out, size_t cap, uint8_t type, const uint8_t *payload, size_t length, size_t *used)
{
	size_t i;
	int r;

	if (cap < TES_FRAME_HDR_LEN || length > cap - TES_FRAME_HDR_LEN)
		return TES_ERR_SPACE;
	/* checked here too so that a refused frame leaves out untouched */
	if (type < 1 || type > TES_FRAME_TYPE_MAX)
		return TES_ERR_TYPE;
	if (length > TES_FRAME_MAX_PAYLOAD)
		return TES_ERR_TOOLONG;
	if ((r = tes_frame_encode_hdr(out, type, length)) != 0)
		return r;
	/*@ loop invariant 0 <= i <= length;
	    loop invariant frame_hdr_valid(out) && out[2] == type && be16(out + 4) == length;
	    loop invariant \forall integer k; 0 <= k < i ==> out[TES_FRAME_HDR_LEN + k] == payload[k];
	    loop assigns i, out[TES_FRAME_HDR_LEN .. TES_FRAME_HDR_LEN + length - 1];
	    loop variant length - i; */
	for (i = 0; i < length; i++)
		out[TES_FRAME_HDR_LEN + i] = payload[i];
	*used = TES_FRAME_HDR_LEN + length;
	return 0;
}
