/* SPDX-License-Identifier: ISC */
#include <bearssl.h>

#include "common/cur.h"
#include "common/err.h"
#include "common/wipe.h"
#include "crypto/hkdf.h"
#include "store/seal.h"

static const uint8_t storage_salt[] = "TES1 storage";

/* see seal.h */
void
tes_seal_keys_derive(const uint8_t sk[static TES_STORE_KEY_LEN], enum tes_seal_obj obj,
		     struct tes_seal_keys *k)
{
	static const uint8_t jenc[] = "journal enc", jmac[] = "journal mac";
	static const uint8_t denc[] = "drivers enc", dmac[] = "drivers mac";
	const uint8_t *ienc = obj == TES_SEAL_JOURNAL ? jenc : denc;
	const uint8_t *imac = obj == TES_SEAL_JOURNAL ? jmac : dmac;

	/* all four info strings are 11 bytes */
	tes_hkdf_sha256(storage_salt, sizeof(storage_salt) - 1, sk, TES_STORE_KEY_LEN, ienc, sizeof(jenc) - 1,
			k->enc, sizeof(k->enc));
	tes_hkdf_sha256(storage_salt, sizeof(storage_salt) - 1, sk, TES_STORE_KEY_LEN, imac, sizeof(jmac) - 1,
			k->mac, sizeof(k->mac));
}

/* see seal.h */
void
tes_seal_encrypt(const struct tes_seal_keys *k, const uint8_t iv_in[static TES_DES_BLOCK], uint8_t *buf,
		 size_t n)
{
	br_des_ct_cbcenc_keys ctx;
	uint8_t iv[TES_DES_BLOCK];
	size_t i;

	for (i = 0; i < sizeof(iv); i++)
		iv[i] = iv_in[i];
	br_des_ct_cbcenc_init(&ctx, k->enc, sizeof(k->enc));
	br_des_ct_cbcenc_run(&ctx, iv, buf, n);
	TES_WIPE_CTX(&ctx);
	TES_WIPE_BUF(iv);
}

/* see seal.h */
void
tes_seal_decrypt(const struct tes_seal_keys *k, const uint8_t iv_in[static TES_DES_BLOCK], uint8_t *buf,
		 size_t n)
{
	br_des_ct_cbcdec_keys ctx;
	uint8_t iv[TES_DES_BLOCK];
	size_t i;

	for (i = 0; i < sizeof(iv); i++)
		iv[i] = iv_in[i];
	br_des_ct_cbcdec_init(&ctx, k->enc, sizeof(k->enc));
	br_des_ct_cbcdec_run(&ctx, iv, buf, n);
	TES_WIPE_CTX(&ctx);
	TES_WIPE_BUF(iv);
}

/* see seal.h */
size_t
tes_seal_ct_len(size_t n)
{
	return (n / TES_DES_BLOCK + 1) * TES_DES_BLOCK;
}

/* see seal.h */
int
tes_seal_put_pad(struct tes_cur *c, size_t n)
{
	uint8_t pad = (uint8_t)(TES_DES_BLOCK - n % TES_DES_BLOCK);
	size_t i;
	int r;

	/*@ loop invariant 0 <= i <= pad;
	    loop invariant c->off == \at(c->off, LoopEntry) + i && c->off <= c->len;
	    loop assigns i, r, c->off, c->buf[0 .. c->len - 1];
	    loop variant pad - i; */
	for (i = 0; i < pad; i++)
		if ((r = tes_cur_put_u8(c, pad)) != 0)
			return r;
	return 0;
}

/* see seal.h */
int
tes_seal_unpad(const uint8_t *p, size_t n, size_t *plain_len)
{
	uint8_t pad;
	size_t i;

	if (n < TES_DES_BLOCK || n % TES_DES_BLOCK != 0)
		return TES_ERR_DECRYPT;
	pad = p[n - 1];
	if (pad < 1 || pad > TES_DES_BLOCK)
		return TES_ERR_DECRYPT;
	/*@ loop invariant n - pad <= i <= n;
	    loop invariant \forall integer k; n - pad <= k < i ==> p[k] == pad;
	    loop assigns i;
	    loop variant n - i; */
	for (i = n - pad; i < n; i++)
		if (p[i] != pad)
			return TES_ERR_DECRYPT;
	*plain_len = n - pad;
	return 0;
}
