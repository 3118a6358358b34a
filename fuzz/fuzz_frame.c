/* SPDX-License-Identifier: ISC */
/*
 * Target "frame": the frame header codec (src/wire/frame.c) on arbitrary
 * bytes, read as a stream of frames the way a receiver sees it, and split
 * at every position: a prefix of a stream must decode to the same frames
 * up to the split, then TES_ERR_TRUNCATED for the frame the split cuts (or
 * the same error the whole stream gives for its header). Every frame that
 * decodes must re-encode to the same bytes.
 */
#include <string.h>

#include "common/err.h"
#include "fuzz.h"
#include "wire/frame.h"

/* One decoded frame's properties, and its byte-exact re-encoding. */
static void
check_frame(const uint8_t *buf, size_t len, const struct tes_frame_hdr *h, const uint8_t *payload,
	    size_t used)
{
	static uint8_t again[TES_FRAME_MAX];
	struct tes_frame_hdr h2;
	size_t used2;

	fuzz_check(used == (size_t)TES_FRAME_HDR_LEN + h->length && used <= len, "frame size");
	fuzz_check(used <= TES_FRAME_MAX && h->type >= 1 && h->type <= TES_FRAME_TYPE_MAX, "frame limits");
	fuzz_check(payload == buf + TES_FRAME_HDR_LEN, "payload pointer");
	fuzz_check(tes_frame_decode_hdr(buf, len, &h2) == 0 && h2.type == h->type && h2.length == h->length,
		   "header decode agrees with frame decode");
	fuzz_check(tes_frame_encode(again, sizeof again, h->type, payload, h->length, &used2) == 0 &&
			   used2 == used && memcmp(again, buf, used) == 0,
		   "re-encoding gives the same bytes");
}

/* The frame that starts at off, cut at every position inside it. */
static void
check_splits(const uint8_t *buf, size_t len, size_t off, int whole_r)
{
	struct tes_frame_hdr h;
	const uint8_t *p;
	size_t cut, used, end = len - off;
	int r;

	if (whole_r == 0) {
		r = tes_frame_decode(buf + off, len - off, &h, &p, &used);
		end = used;
	}
	for (cut = 0; cut < end; cut++) {
		r = tes_frame_decode(buf + off, cut, &h, &p, &used);
		if (cut < TES_FRAME_HDR_LEN || whole_r == 0 || whole_r == TES_ERR_TRUNCATED)
			fuzz_check(r == TES_ERR_TRUNCATED, "a cut frame is TRUNCATED");
		else
			fuzz_check(r == whole_r, "a bad header fails the same way when cut");
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tes_frame_hdr h;
	const uint8_t *p;
	size_t off = 0, used;
	uint8_t hdr[TES_FRAME_HDR_LEN];
	int r;

	for (;;) {
		r = tes_frame_decode(data + off, size - off, &h, &p, &used);
		check_splits(data, size, off, r);
		if (r != 0)
			break;
		check_frame(data + off, size - off, &h, p, used);
		off += used;
	}
	fuzz_check(r != TES_ERR_TRUNCATED || size - off < TES_FRAME_HDR_LEN ||
			   tes_frame_decode_hdr(data + off, size - off, &h) == 0,
		   "TRUNCATED only for a short header or a valid header with a short payload");
	/* the frame encoder with any type, length and room: it writes within cap or refuses */
	if (size >= 4) {
		static uint8_t out[TES_FRAME_MAX];
		size_t cap = (size_t)data[3] * 17 % (sizeof out + 1), n = (size_t)data[1] << 8 | data[2];

		if (n > size - 4)
			n = size - 4 + (data[3] & 1 ? TES_FRAME_MAX : 0);
		if (n <= size - 4 || n > TES_FRAME_MAX_PAYLOAD) {
			r = tes_frame_encode(out, cap, data[0], data + 4, n, &used);
			fuzz_check(r != 0 || (used == TES_FRAME_HDR_LEN + n && used <= cap),
				   "frame encoder bounds");
		}
	}
	/* the header encoder refuses exactly what the decoder refuses */
	if (size >= 3) {
		r = tes_frame_encode_hdr(hdr, data[0], (size_t)data[1] << 8 | data[2]);
		fuzz_check((r == 0) == (data[0] >= 1 && data[0] <= TES_FRAME_TYPE_MAX &&
					((size_t)data[1] << 8 | data[2]) <= TES_FRAME_MAX_PAYLOAD),
			   "header encoder limits");
	}
	return 0;
}
