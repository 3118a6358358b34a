/* SPDX-License-Identifier: ISC */
/*
 * Target "record": tes_record_open (src/crypto/record.c) with real crypto
 * and fixed keys: length and header checks, the MAC, CBC decryption,
 * padding, and the sequence number. Encrypted inputs are opaque to a
 * mutator, so the harness also plays the sender (the wolfSSL approach of
 * mutating before the MAC): the input is a list of operations
 *
 *   u8 suite | op* ;  op = u8 kind | u16 len | bytes[len]
 *
 *   kind % 5 == 0  raw: bytes = header(6) || payload, as received
 *   kind % 5 == 1  tagged: bytes = iv || ct; the harness adds the header and
 *                  the right tag for its own sequence number
 *   kind % 5 == 2  encrypted: bytes = iv || plaintext with its padding as the
 *                  fuzzer wrote it (a multiple of 8 is kept); the harness
 *                  encrypts and tags
 *   kind % 5 == 3  sealed: tes_record_seal(bytes) by a peer direction with
 *                  its own count; when that count is the receiver's and the
 *                  receiver has not failed, it must open to the same bytes
 *   kind % 5 == 4  the harness's sequence number moves by (kind >> 3) - 16
 *                  (replay, skip)
 *
 * Properties: a record the honest sender produced for the current sequence
 * number opens to its plaintext; once any open fails, every later one
 * fails with TES_ERR_STATE (sticky); the receiver's seq counts successes.
 * Every plaintext that opens goes, as in a session, to the decoder of its
 * inner type (login, heartbeat, session, login result, receipt), which must
 * keep its fields in range.
 */
#include <string.h>

#include <bearssl.h>

#include "common/cur.h"
#include "common/err.h"
#include "crypto/hmac.h"
#include "crypto/record.h"
#include "fuzz.h"
#include "wire/frame.h"
#include "wire/msg.h"

static const uint8_t key_enc[TES_ENC_KEY_LEN] = "fuzz record enc key 3des";
static const uint8_t key_mac[TES_MAC_KEY_LEN] = "fuzz record mac key hmac-sha256";

struct sender {
	struct tes_record_dir peer; /* the honest sealer, same keys */
	uint64_t seq;               /* the sequence number the harness tags with */
	uint8_t suite;
};

static size_t
keylen(uint8_t suite)
{
	return suite == TES_SUITE_DES_CBC_HMAC_SHA256 ? TES_DES_BLOCK : TES_ENC_KEY_LEN;
}

/* hdr || iv || ct || tag for ivct (len bytes) at sequence number seq. */
static size_t
tag_frame(uint64_t seq, const uint8_t *ivct, size_t len, uint8_t *frame)
{
	struct tes_hmac h;
	uint8_t s[8];

	tes_frame_encode_hdr(frame, TES_FRAME_RECORD, len + TES_MAC_LEN);
	memcpy(frame + TES_FRAME_HDR_LEN, ivct, len);
	tes_cur_enc64be(s, seq);
	tes_hmac_init(&h, key_mac, sizeof key_mac);
	tes_hmac_update(&h, s, sizeof s);
	tes_hmac_update(&h, frame, TES_FRAME_HDR_LEN);
	tes_hmac_update(&h, ivct, len);
	tes_hmac_out(&h, frame + TES_FRAME_HDR_LEN + len);
	return TES_FRAME_HDR_LEN + len + TES_MAC_LEN;
}

/* An opened plaintext, dispatched on its inner type as the session engines do. */
static void
inner(const uint8_t *p, size_t n)
{
	struct tes_login l;
	struct tes_session_info si;
	struct tes_receipt rc;
	uint8_t ok;

	switch (p[0]) {
	case TES_INNER_LOGIN:
		if (tes_msg_login_decode(p, n, &l) == 0)
			fuzz_check(l.features <= TES_LOGIN_FEAT_MAX, "LOGIN features");
		break;
	case TES_INNER_LOGIN_RESULT:
		if (tes_msg_login_result_decode(p, n, &ok) == 0)
			fuzz_check(ok <= TES_LOGIN_RESULT_MAX, "LOGIN_RESULT value");
		break;
	case TES_INNER_RECEIPT:
		if (tes_msg_receipt_decode(p, n, &rc) == 0)
			fuzz_check(rc.status >= TES_RECEIPT_QUEUED && rc.status <= TES_RECEIPT_MAX,
				   "RECEIPT status");
		break;
	case TES_INNER_HEARTBEAT:
		fuzz_check((tes_msg_heartbeat_decode(p, n) == 0) == (n == 1), "HEARTBEAT is empty");
		break;
	case TES_INNER_SESSION:
		if (tes_msg_session_decode(p, n, &si) == 0)
			fuzz_check(si.idle_timeout >= 1 && si.ticket_len <= TES_TICKET_MAX &&
					   (si.ticket_len == 0) == (si.ticket_lifetime == 0),
				   "SESSION fields");
		break;
	default:
		break;
	}
}

/* Open one frame; check stickiness and the sequence count. Returns the open result. */
static int
open_frame(struct tes_record_dir *d, const uint8_t *frame, size_t flen, uint8_t *out, size_t *outlen)
{
	uint64_t before = d->seq;
	int was_failed = d->failed;
	int r;

	if (flen < TES_FRAME_HDR_LEN)
		return TES_ERR_TRUNCATED;
	r = tes_record_open(d, frame, frame + TES_FRAME_HDR_LEN, flen - TES_FRAME_HDR_LEN, out,
			    TES_RECORD_MAX_PLAIN, outlen);
	/* spec/PROTOCOL.md MUST-C3: a failure is sticky */
	if (was_failed)
		fuzz_check(r == TES_ERR_STATE, "a failed direction stays failed");
	if (r == 0) {
		fuzz_check(d->seq == before + 1 && *outlen >= 1 && *outlen <= TES_RECORD_MAX_PLAIN,
			   "success counts one record");
		inner(out, *outlen);
	} else
		fuzz_check(d->failed && d->seq == before, "failure poisons the direction");
	return r;
}

static void
op_encrypted(struct tes_record_dir *d, struct sender *s, const uint8_t *b, size_t n)
{
	static uint8_t frame[TES_FRAME_MAX + 64], ivct[TES_FRAME_MAX], out[TES_RECORD_MAX_PLAIN];
	br_des_ct_cbcenc_keys ek;
	uint8_t iv[TES_DES_BLOCK];
	size_t len, outlen;

	if (n < TES_DES_BLOCK)
		return;
	len = TES_DES_BLOCK + (n - TES_DES_BLOCK) / TES_DES_BLOCK * TES_DES_BLOCK;
	if (len + TES_MAC_LEN > TES_FRAME_MAX_PAYLOAD)
		return;
	memcpy(ivct, b, len);
	memcpy(iv, ivct, sizeof iv);
	br_des_ct_cbcenc_init(&ek, key_enc, keylen(s->suite));
	br_des_ct_cbcenc_run(&ek, iv, ivct + TES_DES_BLOCK, len - TES_DES_BLOCK);
	(void)open_frame(d, frame, tag_frame(s->seq++, ivct, len, frame), out, &outlen);
}

static void
op_sealed(struct tes_record_dir *d, struct sender *s, const uint8_t *b, size_t n)
{
	static uint8_t frame[TES_RECORD_MAX_FRAME], out[TES_RECORD_MAX_PLAIN];
	size_t used, outlen;
	int in_sync = !d->failed && !s->peer.failed && s->peer.seq == d->seq;
	int r;

	if (tes_record_seal(&s->peer, b, n, frame, sizeof frame, &used) != 0)
		return;
	s->seq++;
	r = open_frame(d, frame, used, out, &outlen);
	if (in_sync)
		fuzz_check(r == 0 && outlen == n && memcmp(out, b, n) == 0, "sealed record round trip");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t frame[TES_FRAME_MAX + 64], out[TES_RECORD_MAX_PLAIN];
	struct fuzz_in in = { data, size, 0 };
	struct tes_record_dir d;
	struct sender s;
	const uint8_t *b;
	size_t n, outlen;
	uint8_t kind;

	s.suite = fuzz_u8(&in) & 1 ? TES_SUITE_DES_CBC_HMAC_SHA256 : TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	s.seq = 0;
	tes_record_dir_init(&d, s.suite, key_enc, key_mac);
	tes_record_dir_init(&s.peer, s.suite, key_enc, key_mac);
	while (in.off < in.n) {
		kind = fuzz_u8(&in);
		b = fuzz_bytes(&in, fuzz_u16(&in), &n);
		switch (kind % 5) {
		case 0:
			(void)open_frame(&d, b, n, out, &outlen);
			break;
		case 1:
			if (n + TES_MAC_LEN <= TES_FRAME_MAX_PAYLOAD)
				(void)open_frame(&d, frame, tag_frame(s.seq++, b, n, frame), out, &outlen);
			break;
		case 2:
			op_encrypted(&d, &s, b, n);
			break;
		case 3:
			op_sealed(&d, &s, b, n);
			break;
		default:
			s.seq += (uint64_t)(int64_t)((kind >> 3) - 16);
			break;
		}
	}
	tes_record_dir_wipe(&d);
	tes_record_dir_wipe(&s.peer);
	return 0;
}
