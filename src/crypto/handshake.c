/* SPDX-License-Identifier: ISC */
#include <bearssl.h>
#include <string.h>

#include "common/err.h"
#include "crypto/handshake.h"
#include "wire/frame.h"

static int
frame(uint8_t type, const uint8_t *payload, size_t plen, uint8_t out[static TES_FRAME_MAX], size_t *n)
{
	return tes_frame_encode(out, TES_FRAME_MAX, type, payload, plen, n);
}

/* see handshake.h */
int
tes_handshake_ch_frame(const struct tes_client_hello *m, uint8_t out[static TES_FRAME_MAX], size_t *n)
{
	uint8_t p[TES_FRAME_MAX_PAYLOAD];
	size_t k;
	int r;

	if ((r = tes_msg_client_hello_encode(m, p, sizeof p, &k)) != 0)
		return r;
	return frame(TES_FRAME_CLIENT_HELLO, p, k, out, n);
}

/* see handshake.h */
int
tes_handshake_sh_frame(const struct tes_server_hello *m, uint8_t out[static TES_FRAME_MAX], size_t *n)
{
	uint8_t p[TES_FRAME_MAX_PAYLOAD];
	size_t k;
	int r;

	if ((r = tes_msg_server_hello_encode(m, p, sizeof p, &k)) != 0)
		return r;
	return frame(TES_FRAME_SERVER_HELLO, p, k, out, n);
}

/* see handshake.h */
int
tes_handshake_kx_frame(const struct tes_key_exchange *m, uint8_t out[static TES_FRAME_MAX], size_t *n)
{
	uint8_t p[TES_FRAME_MAX_PAYLOAD];
	size_t k;
	int r;

	if ((r = tes_msg_key_exchange_encode(m, p, sizeof p, &k)) != 0)
		return r;
	return frame(TES_FRAME_KEY_EXCHANGE, p, k, out, n);
}

/* see handshake.h */
void
tes_handshake_hash(const uint8_t *a, size_t an, const uint8_t *b, size_t bn, const uint8_t *c, size_t cn,
		   const uint8_t *d, size_t dn, uint8_t out[static TES_HASH_LEN])
{
	br_sha256_context h;

	br_sha256_init(&h);
	if (a != NULL)
		br_sha256_update(&h, a, an);
	if (b != NULL)
		br_sha256_update(&h, b, bn);
	if (c != NULL)
		br_sha256_update(&h, c, cn);
	if (d != NULL)
		br_sha256_update(&h, d, dn);
	br_sha256_out(&h, out);
}

/* see handshake.h */
void
tes_handshake_unit_auth_hash(const uint8_t *ch, size_t chn, const uint8_t *sh, size_t shn,
			     const uint8_t oaep[static TES_RSA_LEN], uint8_t out[static TES_HASH_LEN])
{
	static const uint8_t ctx[] = "TES1 unit-auth";

	tes_handshake_hash(ctx, sizeof ctx - 1, ch, chn, sh, shn, oaep, TES_RSA_LEN, out);
}

/* see handshake.h */
int
tes_handshake_rh_frame(const struct tes_resume_hello *m, uint8_t out[static TES_FRAME_MAX], size_t *n)
{
	uint8_t p[TES_FRAME_MAX_PAYLOAD];
	size_t k;
	int r;

	if ((r = tes_msg_resume_hello_encode(m, p, sizeof p, &k)) != 0)
		return r;
	return frame(TES_FRAME_RESUME_HELLO, p, k, out, n);
}

/* see handshake.h */
int
tes_handshake_ua_frame(const struct tes_unit_auth *m, uint8_t out[static TES_FRAME_MAX], size_t *n)
{
	uint8_t p[TES_FRAME_MAX_PAYLOAD];
	size_t k;
	int r;

	if ((r = tes_msg_unit_auth_encode(m, p, sizeof p, &k)) != 0)
		return r;
	return frame(TES_FRAME_UNIT_AUTH, p, k, out, n);
}

/* see handshake.h */
void
tes_handshake_resume_auth_hash(const uint8_t *rh, size_t rhn, const uint8_t *sh, size_t shn,
			       uint8_t out[static TES_HASH_LEN])
{
	static const uint8_t ctx[] = "TES1 resume-auth";

	tes_handshake_hash(ctx, sizeof ctx - 1, rh, rhn, sh, shn, NULL, 0, out);
}
