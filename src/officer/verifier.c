/* SPDX-License-Identifier: ISC */
#include <limits.h>
#include <malloc.h>
#include <string.h>

#include "common/err.h"
#include "common/wipe.h"
#include "crypto/passwd.h"
#include "crypto/rng.h"
#include "officer/verifier.h"
#include "wire/limits.h"

/* request body: u8 has_hash | hash[129] | u8 pwlen | pw[128] (the pool adds the tag) */
enum {
	HASH_OFF = 1,
	PWLEN_OFF = HASH_OFF + TES_PASSWD_ENCODED_MAX + 1,
	PW_OFF = PWLEN_OFF + 1,
	BODY_LEN = PW_OFF + TES_PASSWORD_MAX
};

static const char *
dummy_hash(void)
{
	static char h[TES_PASSWD_ENCODED_MAX + 1];

	if (h[0] == '\0' && tes_passwd_hash("tes-dummy", 9, h, sizeof h) != 0)
		h[0] = '\0';
	return h;
}

/*
 * In each worker, once: heap-only allocations (the sandbox allows brk but
 * not mmap, sandbox/policy.c), kept after each check (the heap is never
 * trimmed: each check would otherwise grow it with brk again and fault its
 * Argon2 memory in anew, about a third of a check's CPU at a small memory
 * cost), its own DRBG and the dummy hash.
 */
static void
setup(void)
{
	(void)mallopt(M_MMAP_MAX, 0);
	(void)mallopt(M_TRIM_THRESHOLD, INT_MAX);
	(void)tes_rng_init();
	(void)dummy_hash();
}

/* In a worker: 1 when the password matches the (real) hash. */
static int
check(const uint8_t *body)
{
	char hash[TES_PASSWD_ENCODED_MAX + 1], pw[TES_PASSWORD_MAX + 1];
	size_t n = body[PWLEN_OFF];
	int ok;

	memcpy(hash, body + HASH_OFF, TES_PASSWD_ENCODED_MAX + 1);
	hash[TES_PASSWD_ENCODED_MAX] = '\0';
	if (n > TES_PASSWORD_MAX)
		n = 0;
	memcpy(pw, body + PW_OFF, n);
	pw[n] = '\0';
	ok = tes_passwd_verify(body[0] ? hash : dummy_hash(), pw, n) == 0 && body[0];
	tes_wipe(pw, sizeof pw);
	return ok;
}

static const struct tes_pool_kind kind = {
	.name = "tes-verifier",
	.body_len = BODY_LEN,
	/* room for one request per session the master admits; a full queue refuses the login */
	.queue_bytes = 1 << 20,
	.max_pending = 4096,
	.phase = TES_SANDBOX_VERIFIER,
	.setup = setup,
	.check = check,
};

/* see verifier.h */
int
tes_verifier_start(struct tes_verifier *v)
{
	return tes_pool_start(&v->pool, &kind, TES_VERIFIER_WORKERS);
}

/* see verifier.h */
int
tes_verifier_submit(struct tes_verifier *v, uint64_t tag, const char *hash, const char *pw, size_t pwlen)
{
	uint8_t body[BODY_LEN] = { 0 };
	size_t hl = hash != NULL ? strlen(hash) : 0;
	int r;

	if (pwlen > TES_PASSWORD_MAX || hl > TES_PASSWD_ENCODED_MAX)
		return TES_ERR_ARG;
	body[0] = hash != NULL;
	memcpy(body + HASH_OFF, hash != NULL ? hash : "", hl);
	body[PWLEN_OFF] = (uint8_t)pwlen;
	memcpy(body + PW_OFF, pw, pwlen);
	r = tes_pool_submit(&v->pool, tag, body);
	tes_wipe(body, sizeof body);
	return r;
}

/* see verifier.h */
int
tes_verifier_result(struct tes_verifier *v, uint64_t *tag, int *ok)
{
	return tes_pool_result(&v->pool, tag, ok);
}

/* see verifier.h */
void
tes_verifier_stop(struct tes_verifier *v)
{
	tes_pool_stop(&v->pool);
}
