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

#include "common/cur.h"
#include "wire/limits.h"

struct tes_frame_hdr {
	uint8_t type;    /* enum tes_frame_type, never 0 */
	uint16_t length; /* payload bytes, <= TES_FRAME_MAX_PAYLOAD */
};

/*@ predicate frame_hdr_valid(uint8_t *b) =
        b[0] == TES_FRAME_MAGIC && b[1] == TES_PROTO_VERSION &&
        1 <= b[2] <= TES_FRAME_TYPE_MAX && b[3] == 0 &&
        be16(b + 4) <= TES_FRAME_MAX_PAYLOAD;
 */

/*@ requires \valid(out + (0 .. TES_FRAME_HDR_LEN-1));
    terminates \true;
    assigns out[0 .. TES_FRAME_HDR_LEN-1];
    behavior ok:
      assumes 1 <= type <= TES_FRAME_TYPE_MAX && length <= TES_FRAME_MAX_PAYLOAD;
      ensures \result == 0;
      ensures frame_hdr_valid(out) && out[2] == type && be16(out + 4) == length;
    behavior bad:
      assumes !(1 <= type <= TES_FRAME_TYPE_MAX && length <= TES_FRAME_MAX_PAYLOAD);
      assigns \nothing;
      ensures \result < 0;
    complete behaviors; disjoint behaviors;
 */
/* Write a header; refuses an invalid type or an oversize length. */
int
tes_frame_encode_hdr(uint8_t out[static TES_FRAME_HDR_LEN], uint8_t type, size_t length);

/*@ requires \valid_read(buf + (0 .. len-1));
    requires \valid(h);
    requires \separated(h, buf + (0 .. len-1));
    terminates \true;
    assigns *h;
    behavior short:
      assumes len < TES_FRAME_HDR_LEN;
      assigns \nothing;
      ensures \result == TES_ERR_TRUNCATED;
    behavior bad:
      assumes len >= TES_FRAME_HDR_LEN && !frame_hdr_valid((uint8_t *)buf);
      assigns \nothing;
      ensures \result < 0;
    behavior ok:
      assumes len >= TES_FRAME_HDR_LEN && frame_hdr_valid((uint8_t *)buf);
      ensures \result == 0;
      ensures h->type == buf[2] && h->length == be16((uint8_t *)buf + 4);
      ensures 1 <= h->type <= TES_FRAME_TYPE_MAX && h->length <= TES_FRAME_MAX_PAYLOAD;
    complete behaviors; disjoint behaviors;
 */
/*
 * Decode and check a header from the first bytes of buf (the payload need
 * not be present yet). Returns TES_ERR_TRUNCATED when fewer than 6 bytes are
 * available, TES_ERR_FORMAT / TES_ERR_VERSION / TES_ERR_TYPE / TES_ERR_TOOLONG
 * for a header that can never become valid. Never reads past buf[5].
 */
int
tes_frame_decode_hdr(const uint8_t *buf, size_t len, struct tes_frame_hdr *h);

/*@ requires \valid_read(buf + (0 .. len-1));
    requires \valid(h) && \valid(payload) && \valid(used);
    requires \separated(h, payload, used, buf + (0 .. len-1));
    terminates \true;
    assigns *h, *used;
    assigns *payload \from buf;
    behavior complete_frame:
      assumes len >= TES_FRAME_HDR_LEN && frame_hdr_valid((uint8_t *)buf) &&
              be16((uint8_t *)buf + 4) <= len - TES_FRAME_HDR_LEN;
      ensures \result == 0;
      ensures h->type == buf[2] && h->length == be16((uint8_t *)buf + 4);
      ensures *payload == buf + TES_FRAME_HDR_LEN;
      ensures *used == TES_FRAME_HDR_LEN + h->length && *used <= len;
      ensures \valid_read(*payload + (0 .. h->length - 1));
    behavior reject:
      assumes !(len >= TES_FRAME_HDR_LEN && frame_hdr_valid((uint8_t *)buf) &&
                be16((uint8_t *)buf + 4) <= len - TES_FRAME_HDR_LEN);
      assigns *h;
      ensures \result < 0;
    complete behaviors; disjoint behaviors;
 */
/*
 * Decode one complete frame at the start of buf: header checks as above, then
 * TES_ERR_TRUNCATED unless the whole payload is present. On success *payload
 * points into buf and *used is the frame size (header + payload) <= len.
 */
int
tes_frame_decode(const uint8_t *buf, size_t len, struct tes_frame_hdr *h, const uint8_t **payload,
		 size_t *used);

/*@ requires \valid(out + (0 .. cap-1));
    requires \valid_read(payload + (0 .. length-1));
    requires \valid(used);
    requires \separated(used, out + (0 .. cap-1), payload + (0 .. length-1));
    requires \separated(out + (0 .. cap-1), payload + (0 .. length-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    behavior ok:
      assumes cap >= TES_FRAME_HDR_LEN && length <= cap - TES_FRAME_HDR_LEN;
      assumes 1 <= type <= TES_FRAME_TYPE_MAX && length <= TES_FRAME_MAX_PAYLOAD;
      ensures \result == 0 && *used == TES_FRAME_HDR_LEN + length && *used <= cap;
      ensures frame_hdr_valid(out) && out[2] == type && be16(out + 4) == length;
      ensures \forall integer k; 0 <= k < length ==> out[TES_FRAME_HDR_LEN + k] == payload[k];
    behavior bad:
      assumes !(cap >= TES_FRAME_HDR_LEN && length <= cap - TES_FRAME_HDR_LEN &&
                1 <= type <= TES_FRAME_TYPE_MAX && length <= TES_FRAME_MAX_PAYLOAD);
      assigns \nothing;
      ensures \result < 0;
    complete behaviors; disjoint behaviors;
 */
/* Header + payload into out (cap bytes); *used gets the frame size. */
int
tes_frame_encode(uint8_t *out, size_t cap, uint8_t type, const uint8_t *payload, size_t length, size_t *used);

#endif
