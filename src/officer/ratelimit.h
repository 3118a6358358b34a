/* SPDX-License-Identifier: ISC */
/*
 * Failed-login rate limiting, per account and per client address. After
 * TES_RL_FREE failures a key is blocked for 2^(failures - TES_RL_FREE)
 * seconds (capped at 15 minutes); a success clears the account's record.
 * Failures are forgotten TES_RL_FORGET seconds after the last failure or
 * the end of the last block, whichever is later, so a shared address is
 * not blocked for good by the odd typo of each of its users, and a capped
 * block is not followed at once by free attempts.
 * Times are milliseconds of the monotonic clock (tes_ratelimit_now): a
 * block lasts its whole length whatever the wall clock does. Fixed-size
 * tables: the oldest entry is recycled, so a flood of names cannot grow
 * memory.
 */
#ifndef TES_OFFICER_RATELIMIT_H
#define TES_OFFICER_RATELIMIT_H

#include <stdint.h>

enum {
	TES_RL_SLOTS = 256,
	TES_RL_FREE = 5,
	TES_RL_MAX_BLOCK = 900,
	TES_RL_FORGET = 900,
	TES_RL_KEY = 64
};

struct tes_rl_entry {
	char key[TES_RL_KEY];
	unsigned failures;
	uint64_t last, until; /* ms, tes_ratelimit_now() */
};

struct tes_ratelimit {
	struct tes_rl_entry user[TES_RL_SLOTS];
	struct tes_rl_entry addr[TES_RL_SLOTS];
};

/* Milliseconds of the monotonic clock: the `now` of the calls below. */
uint64_t
tes_ratelimit_now(void);

/* Non-zero when either the account or the address is currently blocked. */
int
tes_ratelimit_blocked(const struct tes_ratelimit *rl, const char *user, const char *addr, uint64_t now);

/* Record the outcome of one attempt. */
void
tes_ratelimit_note(struct tes_ratelimit *rl, const char *user, const char *addr, int ok, uint64_t now);

#endif
