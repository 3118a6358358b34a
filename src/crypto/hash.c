/* SPDX-License-Identifier: ISC */
#include <stdlib.h>

#include <bearssl.h>

#include "common/ct.h"
#include "crypto/hash.h"

/* see hash.h */
void
tes_sha256(const void *data, size_t n, uint8_t out[32])
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, data, n);
	br_sha256_out(&c, out);
	TES_WIPE_CTX(&c);
}

/* see hash.h */
void
tes_hmac_sha256(const uint8_t *key, size_t klen, const void *data, size_t n, uint8_t out[32])
{
	struct tes_hmac h;

	tes_hmac_init(&h, key, klen);
	tes_hmac_update(&h, data, n);
	tes_hmac_out(&h, out);
}

/* see hash.h */
void
tes_hmac_init(struct tes_hmac *h, const uint8_t *key, size_t klen)
{
	br_hmac_key_init(&h->kc, &br_sha256_vtable, key, klen);
	br_hmac_init(&h->hc, &h->kc, 0);
}

/* see hash.h */
void
tes_hmac_key_init(struct tes_hmac_key *k, const uint8_t *key, size_t klen)
{
	br_hmac_key_init(&k->kc, &br_sha256_vtable, key, klen);
}

/* see hash.h */
void
tes_hmac_init_ready(struct tes_hmac *h, const struct tes_hmac_key *k)
{
	br_hmac_init(&h->hc, &k->kc, 0);
}

/* see hash.h */
void
tes_hmac_update(struct tes_hmac *h, const void *data, size_t n)
{
	br_hmac_update(&h->hc, data, n);
}

/* see hash.h */
void
tes_hmac_out(struct tes_hmac *h, uint8_t out[32])
{
	br_hmac_out(&h->hc, out);
	TES_WIPE_CTX(h);
}

/* see hash.h */
void
tes_hkdf_sha256(const uint8_t *salt, size_t slen, const uint8_t *ikm, size_t ilen,
		const uint8_t *info, size_t infolen, uint8_t *out, size_t outlen)
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
