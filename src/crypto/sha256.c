/* SPDX-License-Identifier: ISC */
#include <bearssl.h>

#include "common/wipe.h"
#include "crypto/sha256.h"

/* see sha256.h */
void
tes_sha256(const void *data, size_t n, uint8_t out[32])
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, data, n);
	br_sha256_out(&c, out);
	TES_WIPE_CTX(&c);
}
