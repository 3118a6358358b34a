/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "common/wipe.h"
#include "crypto/hkdf.h"
#include "crypto/hmac.h"
#include "crypto/keysched.h"

static const char ks_salt[] = "TES1";
static const char ks_label[] = "TES1 keys";

#define KS_SALT_LEN  (sizeof(ks_salt) - 1)
#define KS_LABEL_LEN (sizeof(ks_label) - 1)

/* see keysched.h */
void
tes_keysched_derive(const uint8_t pms[TES_PMS_LEN], const uint8_t ecdh[TES_X25519_LEN],
		    const uint8_t th[TES_HASH_LEN], struct tes_session_keys *out)
{
	uint8_t ikm[TES_PMS_LEN + TES_X25519_LEN];
	uint8_t info[KS_LABEL_LEN + TES_HASH_LEN];
	uint8_t okm[2 * (TES_ENC_KEY_LEN + TES_MAC_KEY_LEN) + 2 * TES_FINISHED_LEN];
	uint8_t *p = okm;

	memcpy(ikm, pms, TES_PMS_LEN);
	memcpy(ikm + TES_PMS_LEN, ecdh, TES_X25519_LEN);
	memcpy(info, ks_label, KS_LABEL_LEN);
	memcpy(info + KS_LABEL_LEN, th, TES_HASH_LEN);
	tes_hkdf_sha256((const uint8_t *)ks_salt, KS_SALT_LEN, ikm, sizeof(ikm), info, sizeof(info), okm,
			sizeof(okm));
	memcpy(out->c2s_enc, p, sizeof(out->c2s_enc));
	p += sizeof(out->c2s_enc);
	memcpy(out->c2s_mac, p, sizeof(out->c2s_mac));
	p += sizeof(out->c2s_mac);
	memcpy(out->s2c_enc, p, sizeof(out->s2c_enc));
	p += sizeof(out->s2c_enc);
	memcpy(out->s2c_mac, p, sizeof(out->s2c_mac));
	p += sizeof(out->s2c_mac);
	memcpy(out->c_fin, p, sizeof(out->c_fin));
	p += sizeof(out->c_fin);
	memcpy(out->s_fin, p, sizeof(out->s_fin));
	TES_WIPE_BUF(ikm);
	TES_WIPE_BUF(okm);
}

/* see keysched.h */
void
tes_keysched_finished(const uint8_t fin_key[TES_FINISHED_LEN], const uint8_t th[TES_HASH_LEN],
		      uint8_t out[TES_FINISHED_LEN])
{
	tes_hmac_sha256(fin_key, TES_FINISHED_LEN, th, TES_HASH_LEN, out);
}
