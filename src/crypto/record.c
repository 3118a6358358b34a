/* SPDX-License-Identifier: ISC */
#include <string.h>

#include <bearssl.h>

#include "common/ct.h"
#include "common/cur.h"
#include "common/err.h"
#include "common/wipe.h"
#include "crypto/hmac.h"
#include "crypto/record.h"
#include "crypto/rng.h"
#include "wire/frame.h"

/*
 * Cipher: BearSSL des_ct rather than des_tab. des_tab indexes S-box tables
 * with key-dependent values (cache-timing leaks of a long-lived key);
 * des_ct is constant-time, about 4x slower, which does not matter for
 * records of at most 1 KiB. Both accept 8-byte (DES) and 24-byte
 * (3DES-EDE3) keys.
 */

enum {
	REC_OVERHEAD = TES_DES_BLOCK + TES_MAC_LEN,       /* iv + tag */
	REC_CT_MAX = TES_RECORD_MAX_PLAIN + TES_DES_BLOCK /* padded maximal plaintext */
};

/* Cipher key length for a suite, 0 if unknown. */
static size_t
rec_keylen(uint8_t suite)
{
	switch (suite) {
	case TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256:
		return TES_ENC_KEY_LEN;
	case TES_SUITE_DES_CBC_HMAC_SHA256:
		return TES_DES_BLOCK;
	default:
		return 0;
	}
}

/* tag = HMAC(mac key, seq || hdr || iv || ct); ivct is iv || ct (len bytes). */
static void
rec_tag(const struct tes_record_dir *d, const uint8_t hdr[TES_FRAME_HDR_LEN], const uint8_t *ivct, size_t len,
	uint8_t tag[TES_MAC_LEN])
{
	struct tes_hmac h;
	uint8_t seq[8];

	/*= spec/PROTOCOL.md#records MUST-C2: the direction's count, never sent, is in every tag */
	tes_cur_enc64be(seq, d->seq);
	tes_hmac_init(&h, d->mac, sizeof(d->mac));
	tes_hmac_update(&h, seq, sizeof(seq));
	tes_hmac_update(&h, hdr, TES_FRAME_HDR_LEN);
	tes_hmac_update(&h, ivct, len);
	tes_hmac_out(&h, tag);
}

/* 0 if the direction may process one more record, else TES_ERR_STATE. */
static int
rec_usable(const struct tes_record_dir *d)
{
	if (d->failed || rec_keylen(d->suite) == 0 || d->seq == UINT64_MAX)
		return TES_ERR_STATE;
	return 0;
}

/* see record.h */
void
tes_record_dir_init(struct tes_record_dir *d, uint8_t suite, const uint8_t enc[TES_ENC_KEY_LEN],
		    const uint8_t mac[TES_MAC_KEY_LEN])
{
	memset(d, 0, sizeof(*d));
	d->suite = suite;
	memcpy(d->enc, enc, sizeof(d->enc));
	memcpy(d->mac, mac, sizeof(d->mac));
	d->seq = 0;
	d->failed = rec_keylen(suite) == 0;
}

/* see record.h */
void
tes_record_dir_wipe(struct tes_record_dir *d)
{
	TES_WIPE_CTX(d);
	d->failed = 1;
}

/* see record.h */
int
tes_record_seal(struct tes_record_dir *d, const uint8_t *plain, size_t n, uint8_t *out, size_t cap,
		size_t *used)
{
	br_des_ct_cbcenc_keys ek;
	uint8_t iv[TES_DES_BLOCK];
	uint8_t *hdr = out, *ivct = out + TES_FRAME_HDR_LEN, *ct = ivct + TES_DES_BLOCK;
	size_t pad, ctlen, total;
	int r = TES_ERR_INTERNAL;

	memset(&ek, 0, sizeof(ek));
	if ((r = rec_usable(d)) != 0)
		goto out;
	r = TES_ERR_ARG;
	/*= spec/PROTOCOL.md#records MUST-C4: at most 1024 bytes of plaintext */
	if (n < 1 || n > TES_RECORD_MAX_PLAIN)
		goto out;
	pad = TES_DES_BLOCK - n % TES_DES_BLOCK;
	ctlen = n + pad;
	total = TES_FRAME_HDR_LEN + REC_OVERHEAD + ctlen;
	r = TES_ERR_SPACE;
	if (cap < total)
		goto out;
	/* plaintext first: plain may overlap out */
	memmove(ct, plain, n);
	memset(ct + n, (int)pad, pad);
	if ((r = tes_frame_encode_hdr(hdr, TES_FRAME_RECORD, REC_OVERHEAD + ctlen)) != 0)
		goto out;
	/*= spec/PROTOCOL.md#records MUST-C1: a fresh random IV for every record */
	tes_rng_bytes(ivct, TES_DES_BLOCK);
	memcpy(iv, ivct, sizeof(iv));
	br_des_ct_cbcenc_init(&ek, d->enc, rec_keylen(d->suite));
	br_des_ct_cbcenc_run(&ek, iv, ct, ctlen);
	rec_tag(d, hdr, ivct, TES_DES_BLOCK + ctlen, ct + ctlen);
	d->seq++;
	*used = total;
	r = 0;
out:
	TES_WIPE_CTX(&ek);
	return r;
}

/* Expected header of a RECORD frame with a plen-byte payload, byte for byte. */
static int
rec_hdr_check(const uint8_t hdr[TES_FRAME_HDR_LEN], size_t plen)
{
	uint8_t want[TES_FRAME_HDR_LEN];

	if (tes_frame_encode_hdr(want, TES_FRAME_RECORD, plen) != 0)
		return TES_ERR_MAC;
	return tes_ct_eq(want, hdr, sizeof(want)) == 0 ? 0 : TES_ERR_MAC;
}

/*
 * Padding length of a decrypted record (1 .. 8) or 0 if the PKCS#7
 * padding is malformed; no branch on the data.
 */
static size_t
rec_unpad(const uint8_t *pt, size_t len)
{
	uint32_t p = pt[len - 1], bad, i, inpad;

	bad = (uint32_t)(p == 0) | (uint32_t)(p > TES_DES_BLOCK);
	for (i = 0; i < TES_DES_BLOCK; i++) {
		inpad = (uint32_t)(i < p);
		bad |= inpad & (uint32_t)(pt[len - 1 - i] != p);
	}
	return (size_t)(p & -(bad ^ 1));
}

/* see record.h */
int
tes_record_open(struct tes_record_dir *d, const uint8_t hdr[TES_FRAME_HDR_LEN], const uint8_t *payload,
		size_t plen, uint8_t *out, size_t cap, size_t *outlen)
{
	br_des_ct_cbcdec_keys dk;
	uint8_t iv[TES_DES_BLOCK], tag[TES_MAC_LEN], work[REC_CT_MAX];
	size_t ctlen = 0, pad, ptlen;
	int r = TES_ERR_INTERNAL;

	memset(&dk, 0, sizeof(dk));
	if ((r = rec_usable(d)) != 0)
		goto out;
	r = TES_ERR_MAC;
	/*= spec/PROTOCOL.md#records MUST-C3: length, header and tag (constant time) before any decryption;
	 *  every failure poisons the direction (d->failed at out) */
	if (plen < TES_RECORD_MIN || plen > TES_RECORD_MAX_PAYLOAD ||
	    (plen - REC_OVERHEAD) % TES_DES_BLOCK != 0)
		goto out;
	if ((r = rec_hdr_check(hdr, plen)) != 0)
		goto out;
	ctlen = plen - REC_OVERHEAD;
	rec_tag(d, hdr, payload, TES_DES_BLOCK + ctlen, tag);
	r = TES_ERR_MAC;
	if (tes_ct_eq(tag, payload + TES_DES_BLOCK + ctlen, sizeof(tag)) != 0)
		goto out;
	memcpy(iv, payload, sizeof(iv));
	memcpy(work, payload + TES_DES_BLOCK, ctlen);
	br_des_ct_cbcdec_init(&dk, d->enc, rec_keylen(d->suite));
	br_des_ct_cbcdec_run(&dk, iv, work, ctlen);
	r = TES_ERR_DECRYPT;
	if ((pad = rec_unpad(work, ctlen)) == 0)
		goto out;
	ptlen = ctlen - pad;
	/*= spec/PROTOCOL.md#records MUST-C4 */
	if (ptlen < 1 || ptlen > TES_RECORD_MAX_PLAIN)
		goto out;
	r = TES_ERR_SPACE;
	if (ptlen > cap)
		goto out;
	memcpy(out, work, ptlen);
	*outlen = ptlen;
	d->seq++;
	r = 0;
out:
	if (r != 0)
		d->failed = 1;
	TES_WIPE_CTX(&dk);
	TES_WIPE_BUF(iv);
	TES_WIPE_BUF(tag);
	tes_wipe(work, ctlen);
	return r;
}
