/* SPDX-License-Identifier: ISC */
/*
 * Failed-login rate limiting, per account and per client address. After
 * TES_RL_FREE failures a key is blocked for 2^(failures - TES_RL_FREE)
 * seconds (capped at 15 minutes); a success clears the account's record.
 * Fixed-size tables: the oldest entry is recycled, so a flood of names
 * cannot grow memory.
 */
#ifndef TES_OFFICER_RATELIMIT_H
#define TES_OFFICER_RATELIMIT_H

#include <time.h>

enum { TES_RL_SLOTS = 256, TES_RL_FREE = 5, TES_RL_MAX_BLOCK = 900, TES_RL_KEY = 64 };

struct tes_rl_entry {
	char key[TES_RL_KEY];
	unsigned failures;
	time_t last, until;
};

struct tes_ratelimit {
	struct tes_rl_entry user[TES_RL_SLOTS];
	struct tes_rl_entry addr[TES_RL_SLOTS];
};

/* Non-zero when either the account or the address is currently blocked. */
int tes_ratelimit_blocked(const struct tes_ratelimit *rl, const char *user, const char *addr, time_t now);

/* Record the outcome of one attempt. */
void tes_ratelimit_note(struct tes_ratelimit *rl, const char *user, const char *addr, int ok, time_t now);

#endif
