/* SPDX-License-Identifier: ISC */
/* Login rate limiting, time parsing/formatting and CLI number parsing. */
#include <string.h>

#include "common/cli.h"
#include "common/err.h"
#include "officer/ratelimit.h"
#include "tap.h"

static struct tes_ratelimit rl;

static void
test_ratelimit(void)
{
	int i, blocked_early = 0;

	for (i = 0; i < TES_RL_FREE - 1; i++) {
		tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 1000);
		blocked_early |= tes_ratelimit_blocked(&rl, "alice", "10.0.0.1", 1000);
	}
	OK(!blocked_early, "the first %d failures are not blocked", TES_RL_FREE - 1);
	tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 1000);
	OK(tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1000), "account blocked after %d failures", TES_RL_FREE);
	OK(tes_ratelimit_blocked(&rl, "bob", "10.0.0.1", 1000), "the address is blocked for other accounts too");
	OK(!tes_ratelimit_blocked(&rl, "bob", "10.0.0.2", 1000), "other accounts from other addresses are not");
	OK(!tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1002), "the block expires");
	tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 1002);
	OK(tes_ratelimit_blocked(&rl, "alice", "10.0.0.9", 1003), "the block grows with more failures");
	for (i = 0; i < 40; i++)
		tes_ratelimit_note(&rl, "alice", "10.0.0.1", 0, 2000);
	OK(tes_ratelimit_blocked(&rl, "alice", "x", 2000 + TES_RL_MAX_BLOCK - 1) &&
	   !tes_ratelimit_blocked(&rl, "alice", "x", 2000 + TES_RL_MAX_BLOCK), "the block is capped at 15 minutes");
	tes_ratelimit_note(&rl, "alice", "10.0.0.1", 1, 3000);
	OK(!tes_ratelimit_blocked(&rl, "alice", "10.0.0.3", 3000), "a success clears the account");
	for (i = 0; i < 3 * TES_RL_SLOTS; i++) {
		char name[32];

		snprintf(name, sizeof name, "u%d", i);
		tes_ratelimit_note(&rl, name, name, 0, 4000 + i);
	}
	OK(1, "a flood of names does not grow the table (fixed %d slots)", TES_RL_SLOTS);
}

static void
test_time(void)
{
	char buf[32];
	uint64_t t;

	OK(tes_time_parse("2026-11-23T10:15:00Z", &t) == 0 && t == 1795428900, "parse an ISO 8601 UTC time");
	tes_time_format(t, buf);
	OK(strcmp(buf, "2026-11-23T10:15:00Z") == 0, "format it back");
	OK(tes_time_parse("2026-11-23 10:15:00", &t) != 0, "refuse a time without T and Z");
	OK(tes_time_parse("2026-11-23T10:15:00Zjunk", &t) != 0, "refuse trailing text");
	OK(tes_time_parse("2026-13-01T00:00:00Z", &t) != 0, "refuse month 13");
}

static void
test_uint(void)
{
	unsigned long v;

	OK(tes_cli_uint("120", 1, 400, &v) == 0 && v == 120, "parse 120");
	OK(tes_cli_uint("0", 1, 400, &v) != 0, "refuse below the minimum");
	OK(tes_cli_uint("401", 1, 400, &v) != 0, "refuse above the maximum");
	OK(tes_cli_uint("-5", 0, 400, &v) != 0 && tes_cli_uint("12a", 0, 400, &v) != 0 &&
	   tes_cli_uint("", 0, 400, &v) != 0 && tes_cli_uint(" 1", 0, 400, &v) != 0, "refuse signs, junk, blanks");
	OK(tes_cli_uint("99999999999999999999999", 0, 400, &v) != 0, "refuse overflow");
}

int
main(void)
{
	test_ratelimit();
	test_time();
	test_uint();
	return tap_done();
}
