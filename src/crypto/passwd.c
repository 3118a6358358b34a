/* SPDX-License-Identifier: ISC */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <argon2.h>

#include "common/err.h"
#include "common/wipe.h"
#include "crypto/passwd.h"
#include "crypto/rng.h"

enum {
	PW_T_COST = 2,
	PW_LANES = 1,
	PW_SALT_LEN = 16,
	PW_HASH_LEN = 32,
	PW_SALT_MIN = 8, /* libargon2 minimum */
	PW_SALT_MAX = 64,
	PW_M_MIN = 8,      /* libargon2 minimum for one lane */
	PW_M_MAX = 4194304 /* 4 GiB */
};

static const char pw_prefix[] = "$argon2id$";

/* Memory cost in KiB, or 0 if TES_ARGON2_MEMORY_KIB is set but not a number. */
static uint32_t
passwd_m_cost(void)
{
	static int done;
	static uint32_t m;
	const char *s;
	char *end = NULL;
	unsigned long v;

	if (done)
		return m;
	done = 1;
	m = TES_PASSWD_M_DEFAULT;
	if ((s = getenv("TES_ARGON2_MEMORY_KIB")) == NULL)
		return m;
	if (s[0] < '0' || s[0] > '9')
		return m = 0;
	v = strtoul(s, &end, 10);
	/* only the number here: its range is tes_passwd_hash_cost's check */
	m = *end == '\0' && v <= UINT32_MAX ? (uint32_t)v : 0;
	return m;
}

/* see passwd.h */
int
tes_passwd_hash(const char *pw, size_t pwlen, char *encoded, size_t cap)
{
	return tes_passwd_hash_cost(pw, pwlen, passwd_m_cost(), encoded, cap);
}

/* see passwd.h */
int
tes_passwd_hash_cost(const char *pw, size_t pwlen, uint32_t m, char *encoded, size_t cap)
{
	uint8_t salt[PW_SALT_LEN];
	int r = TES_ERR_INTERNAL, ar;

	if (m < PW_M_MIN || m > PW_M_MAX) {
		r = TES_ERR_ARG;
		goto out;
	}
	if (cap < argon2_encodedlen(PW_T_COST, m, PW_LANES, PW_SALT_LEN, PW_HASH_LEN, Argon2_id)) {
		r = TES_ERR_SPACE;
		goto out;
	}
	tes_rng_bytes(salt, sizeof(salt));
	ar = argon2id_hash_encoded(PW_T_COST, m, PW_LANES, pw, pwlen, salt, sizeof(salt), PW_HASH_LEN,
				   encoded, cap);
	if (ar != ARGON2_OK) {
		r = ar == ARGON2_MEMORY_ALLOCATION_ERROR ? TES_ERR_NOMEM : TES_ERR_INTERNAL;
		goto out;
	}
	r = 0;
out:
	TES_WIPE_BUF(salt);
	return r;
}

/* see passwd.h */
int
tes_passwd_verify(const char *encoded, const char *pw, size_t pwlen)
{
	if (strncmp(encoded, pw_prefix, sizeof(pw_prefix) - 1) != 0)
		return TES_ERR_FORMAT;
	switch (argon2id_verify(encoded, pw, pwlen)) {
	case ARGON2_OK:
		return 0;
	case ARGON2_VERIFY_MISMATCH:
		return TES_ERR_AUTH;
	case ARGON2_MEMORY_ALLOCATION_ERROR:
		return TES_ERR_NOMEM;
	default:
		return TES_ERR_FORMAT;
	}
}

/* see passwd.h */
int
tes_passwd_derive(const char *pw, size_t pwlen, const uint8_t *salt, size_t slen, uint8_t out[static 32])
{
	uint32_t m = passwd_m_cost();
	int ar;

	if (slen < PW_SALT_MIN || slen > PW_SALT_MAX || m < PW_M_MIN || m > PW_M_MAX) {
		tes_wipe(out, PW_HASH_LEN);
		return TES_ERR_ARG;
	}
	ar = argon2id_hash_raw(PW_T_COST, m, PW_LANES, pw, pwlen, salt, slen, out, PW_HASH_LEN);
	if (ar != ARGON2_OK) {
		tes_wipe(out, PW_HASH_LEN);
		return ar == ARGON2_MEMORY_ALLOCATION_ERROR ? TES_ERR_NOMEM : TES_ERR_INTERNAL;
	}
	return 0;
}
