/* SPDX-License-Identifier: ISC */
/* Single-DES-CBC decryption over BearSSL (see des1.h). */
#include <bearssl.h>

#include "common/wipe.h"
#include "crypto/des1.h"

/* see des1.h */
int
tes_des1_cbc_decrypt(const uint8_t key[static TES_DES1_KEY_LEN], const uint8_t iv_in[static TES_DES1_BLOCK],
		     uint8_t *data, size_t n)
{
	br_des_ct_cbcdec_keys ctx;
	uint8_t iv[TES_DES1_BLOCK];
	size_t i;

	/*= spec/LEGACY.md#container MUST-LG2: whole blocks only */
	if (n % TES_DES1_BLOCK != 0)
		return TES_ERR_ARG;
	if (n == 0)
		return 0;
	for (i = 0; i < sizeof(iv); i++)
		iv[i] = iv_in[i];
	/* an 8-byte key makes BearSSL's DES context single DES (24 bytes: 3DES-EDE3) */
	br_des_ct_cbcdec_init(&ctx, key, TES_DES1_KEY_LEN);
	br_des_ct_cbcdec_run(&ctx, iv, data, n);
	TES_WIPE_CTX(&ctx);
	TES_WIPE_BUF(iv);
	return 0;
}
