/* SPDX-License-Identifier: ISC */
/*
 * Frame header codec (spec/PROTOCOL.md#frames). Pure functions over caller
 * buffers; no allocation, no I/O.
 *
 *   0        1        2        3        4        5
 *   +--------+--------+--------+--------+--------+--------+----------------+
 *   | 0x54   | ver=1  | type   | 0x00   | length (u16 BE) | payload[length]|
 *   +--------+--------+--------+--------+--------+--------+----------------+
 */
#ifndef TES_WIRE_FRAME_H
#define TES_WIRE_FRAME_H

#include <stddef.h>
#include <stdint.h>

#include "wire/limits.h"

struct tes_frame_hdr {
	uint8_t type;     /* enum tes_frame_type, never 0 */
	uint16_t length;  /* payload bytes, <= TES_FRAME_MAX_PAYLOAD */
};

/*@ requires \valid(out + (0 .. TES_FRAME_HDR_LEN-1));
    assigns out[0 .. TES_FRAME_HDR_LEN-1];
    ensures (1 <= type <= TES_FRAME_TYPE_MAX && length <= TES_FRAME_MAX_PAYLOAD) <==> \result == 0;
 */
/* Write a header; refuses an invalid type or an oversize length. */
int
tes_frame_encode_hdr(uint8_t out[static TES_FRAME_HDR_LEN], uint8_t type, size_t length);

/*@ requires \valid_read(buf + (0 .. len-1));
    requires \valid(h);
    assigns *h;
    ensures \result == 0 ==> len >= TES_FRAME_HDR_LEN;
    ensures \result == 0 ==> 1 <= h->type <= TES_FRAME_TYPE_MAX;
    ensures \result == 0 ==> h->length <= TES_FRAME_MAX_PAYLOAD;
 */
/*
 * Decode and check a header from the first bytes of buf (the payload need
 * not be present yet). Returns TES_ERR_TRUNCATED when fewer than 6 bytes are
 * available, TES_ERR_FORMAT / TES_ERR_VERSION / TES_ERR_TYPE / TES_ERR_TOOLONG
 * for a header that can never become valid.
 */
int
tes_frame_decode_hdr(const uint8_t *buf, size_t len, struct tes_frame_hdr *h);

/*
 * Decode one complete frame at the start of buf: header checks as above, then
 * TES_ERR_TRUNCATED unless the whole payload is present. On success *payload
 * points into buf and *used is the frame size (header + payload) <= len.
 */
int
tes_frame_decode(const uint8_t *buf, size_t len, struct tes_frame_hdr *h, const uint8_t **payload,
		 size_t *used);

/* Header + payload into out (cap bytes); *used gets the frame size. */
int
tes_frame_encode(uint8_t *out, size_t cap, uint8_t type, const uint8_t *payload, size_t length,
		 size_t *used);

#endif
