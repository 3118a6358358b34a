/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "common/err.h"
#include "officer/sigcheck.h"

/* request body: n[256] | u8 e_len | e[4] | digest[32] | sig[256] (the pool adds the tag) */
enum {
	N_OFF = 0,
	ELEN_OFF = N_OFF + TES_RSA_LEN,
	E_OFF = ELEN_OFF + 1,
	DIGEST_OFF = E_OFF + TES_RSA_E_MAX,
	SIG_OFF = DIGEST_OFF + TES_HASH_LEN,
	BODY_LEN = SIG_OFF + TES_RSA_LEN
};

/* In a worker: 1 when sig is the key's PKCS#1 v1.5 SHA-256 signature of digest. */
static int
check(const uint8_t *body)
{
	struct tes_rsa_pub k;

	if (body[ELEN_OFF] < 1 || body[ELEN_OFF] > TES_RSA_E_MAX)
		return 0;
	memset(&k, 0, sizeof k);
	memcpy(k.n, body + N_OFF, TES_RSA_LEN);
	k.elen = body[ELEN_OFF];
	memcpy(k.e, body + E_OFF, k.elen);
	return tes_rsa_verify(&k, body + DIGEST_OFF, body + SIG_OFF) == 0;
}

/*
 * Room for about 1600 requests where the kernel allows (net.core.wmem_max); a
 * full queue makes the master keep the report until there is room. Test
 * builds keep a queue of a few requests, so that this path runs
 * (tests/integration/sigcheck.sh).
 */
#ifdef TES_TEST_BUILD
enum {
	QUEUE_BYTES = 4096,
	MAX_PENDING = 16
};
#else
enum {
	QUEUE_BYTES = 1 << 20,
	MAX_PENDING = 2048
};
#endif

static const struct tes_pool_kind kind = {
	.name = "tes-sigcheck",
	.body_len = BODY_LEN,
	.queue_bytes = QUEUE_BYTES,
	.max_pending = MAX_PENDING,
	.phase = TES_SANDBOX_SIGCHECK,
	.setup = NULL,
	.check = check,
};

/* see sigcheck.h */
int
tes_sigcheck_start(struct tes_sigcheck *c)
{
	return tes_pool_start(&c->pool, &kind, tes_pool_cpus());
}

/* see sigcheck.h */
int
tes_sigcheck_submit(struct tes_sigcheck *c, uint64_t tag, const struct tes_rsa_pub *k,
		    const uint8_t digest[static TES_HASH_LEN], const uint8_t sig[static TES_RSA_LEN])
{
	uint8_t body[BODY_LEN] = { 0 };

	memcpy(body + N_OFF, k->n, TES_RSA_LEN);
	body[ELEN_OFF] = k->elen;
	memcpy(body + E_OFF, k->e, TES_RSA_E_MAX);
	memcpy(body + DIGEST_OFF, digest, TES_HASH_LEN);
	memcpy(body + SIG_OFF, sig, TES_RSA_LEN);
	return tes_pool_submit(&c->pool, tag, body);
}

/* see sigcheck.h */
int
tes_sigcheck_result(struct tes_sigcheck *c, uint64_t *tag, int *ok)
{
	return tes_pool_result(&c->pool, tag, ok);
}

/* see sigcheck.h */
void
tes_sigcheck_stop(struct tes_sigcheck *c)
{
	tes_pool_stop(&c->pool);
}
