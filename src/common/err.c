/* SPDX-License-Identifier: ISC */
#include <stddef.h>

#include "common/err.h"

static const struct {
	int code;
	const char *text;
} table[] = {
	{ TES_OK, "success" },
	{ TES_ERR_INTERNAL, "internal error" },
	{ TES_ERR_NOMEM, "out of memory" },
	{ TES_ERR_ARG, "invalid argument" },
	{ TES_ERR_SANDBOX, "a process could not lock itself down (seccomp, rlimits, descriptors)" },
	{ TES_ERR_TRUNCATED, "truncated input" },
	{ TES_ERR_TOOLONG, "length above limit" },
	{ TES_ERR_SPACE, "output buffer too small" },
	{ TES_ERR_VERSION, "unsupported version" },
	{ TES_ERR_TYPE, "unexpected message type" },
	{ TES_ERR_FORMAT, "malformed encoding" },
	{ TES_ERR_STATE, "message not allowed in this state" },
	{ TES_ERR_MAC, "integrity check failed" },
	{ TES_ERR_SIG, "signature verification failed" },
	{ TES_ERR_DECRYPT, "decryption failed" },
	{ TES_ERR_KEY, "bad key" },
	{ TES_ERR_PIN, "server key does not match the pinned fingerprint" },
	{ TES_ERR_RNG, "system randomness unavailable" },
	{ TES_ERR_AUTH, "authentication failed" },
	{ TES_ERR_RATELIMIT, "too many failed attempts, try again later" },
	{ TES_ERR_UNKNOWN_UNIT, "unknown unit" },
	{ TES_ERR_SESSION, "session ended before the login completed" },
	{ TES_ERR_PLATE, "invalid plate (1-12 characters A-Z 0-9)" },
	{ TES_ERR_SPEED, "invalid speed (1-400 km/h)" },
	{ TES_ERR_LIMIT, "invalid speed limit (5-200 km/h)" },
	{ TES_ERR_TIME, "invalid observation time (in the future or before 2020)" },
	{ TES_ERR_LOCATION, "invalid location (up to 64 of A-Z a-z 0-9 space . , - / : #)" },
	{ TES_ERR_NAME, "invalid name (1-32 of A-Z a-z 0-9 . _ -)" },
	{ TES_ERR_IO, "input/output error" },
	{ TES_ERR_CORRUPT, "stored data is corrupt or was tampered with" },
	{ TES_ERR_EXISTS, "already exists" },
	{ TES_ERR_NOTFOUND, "not found" },
	{ TES_ERR_LOCKED, "data directory is locked by another process" },
	{ TES_ERR_DECIDED, "report was already decided" },
	{ TES_ERR_NOSPACE, "no space left on device" },
	{ TES_ERR_PEER, "peer reported an error" },
	{ TES_ERR_CLOSED, "connection closed" },
	{ TES_ERR_TIMEOUT, "timed out" },
	{ TES_ERR_BUSY, "server busy" },
	{ TES_ERR_REKEY, "session key bound reached" },
};

/* see err.h */
const char *
tes_err_str(int err)
{
	size_t i;

	for (i = 0; i < sizeof table / sizeof table[0]; i++)
		if (table[i].code == err)
			return table[i].text;
	return "unknown error";
}
