/* SPDX-License-Identifier: ISC */
#include <bearssl.h>

#include "common/wipe.h"
#include "crypto/hmac.h"

/* see hmac.h */
void
tes_hmac_sha256(const uint8_t *key, size_t klen, const void *data, size_t n, uint8_t out[32])
{
	struct tes_hmac h;

	tes_hmac_init(&h, key, klen);
	tes_hmac_update(&h, data, n);
	tes_hmac_out(&h, out);
}

/* see hmac.h */
void
tes_hmac_init(struct tes_hmac *h, const uint8_t *key, size_t klen)
{
	br_hmac_key_init(&h->kc, &br_sha256_vtable, key, klen);
	br_hmac_init(&h->hc, &h->kc, 0);
}

/* see hmac.h */
void
tes_hmac_key_init(struct tes_hmac_key *k, const uint8_t *key, size_t klen)
{
	br_hmac_key_init(&k->kc, &br_sha256_vtable, key, klen);
}

/* see hmac.h */
void
tes_hmac_init_ready(struct tes_hmac *h, const struct tes_hmac_key *k)
{
	br_hmac_init(&h->hc, &k->kc, 0);
}

/* see hmac.h */
void
tes_hmac_update(struct tes_hmac *h, const void *data, size_t n)
{
	br_hmac_update(&h->hc, data, n);
}

/* see hmac.h */
void
tes_hmac_out(struct tes_hmac *h, uint8_t out[32])
{
	br_hmac_out(&h->hc, out);
	TES_WIPE_CTX(h);
}
