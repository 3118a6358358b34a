/* SPDX-License-Identifier: ISC */
#include <stdlib.h>

#include <bearssl.h>

#include "common/wipe.h"
#include "crypto/hkdf.h"

/* see hkdf.h */
void
tes_hkdf_sha256(const uint8_t *salt, size_t slen, const uint8_t *ikm, size_t ilen, const uint8_t *info,
		size_t infolen, uint8_t *out, size_t outlen)
{
	br_hkdf_context c;

	if (outlen > TES_HKDF_MAX)
		abort();
	br_hkdf_init(&c, &br_sha256_vtable, slen == 0 ? BR_HKDF_NO_SALT : salt, slen);
	br_hkdf_inject(&c, ikm, ilen);
	br_hkdf_flip(&c);
	br_hkdf_produce(&c, info, infolen, out, outlen);
	TES_WIPE_CTX(&c);
}
