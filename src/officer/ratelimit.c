/* SPDX-License-Identifier: ISC */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "common/time.h"
#include "officer/ratelimit.h"

static const struct tes_rl_entry *
find(const struct tes_rl_entry *t, const char *key)
{
	size_t i;

	for (i = 0; i < TES_RL_SLOTS; i++)
		if (t[i].key[0] != '\0' && strncmp(t[i].key, key, TES_RL_KEY) == 0)
			return &t[i];
	return NULL;
}

static struct tes_rl_entry *
find_or_add(struct tes_rl_entry *t, const char *key)
{
	struct tes_rl_entry *e = (struct tes_rl_entry *)find(t, key), *old = &t[0];
	size_t i;

	if (e != NULL)
		return e;
	for (i = 0; i < TES_RL_SLOTS; i++) {
		if (t[i].key[0] == '\0') {
			old = &t[i];
			break;
		}
		if (t[i].last < old->last)
			old = &t[i];
	}
	memset(old, 0, sizeof *old);
	snprintf(old->key, sizeof old->key, "%s", key);
	return old;
}

/* see ratelimit.h */
uint64_t
tes_ratelimit_now(void)
{
	return tes_time_mono_ms();
}

static int
blocked(const struct tes_rl_entry *e, uint64_t now)
{
	return e != NULL && now < e->until;
}

/* see ratelimit.h */
int
tes_ratelimit_blocked(const struct tes_ratelimit *rl, const char *user, const char *addr, uint64_t now)
{
	return blocked(find(rl->user, user), now) || blocked(find(rl->addr, addr), now);
}

static void
fail(struct tes_rl_entry *e, uint64_t now)
{
	unsigned shift;
	uint64_t d, quiet;

	quiet = e->until > e->last ? e->until : e->last;
	if (now >= quiet && now - quiet >= 1000u * (uint64_t)TES_RL_FORGET)
		e->failures = 0;
	e->failures++;
	e->last = now;
	if (e->failures < TES_RL_FREE)
		return;
	shift = e->failures - TES_RL_FREE;
	d = shift >= 10 ? TES_RL_MAX_BLOCK : (uint64_t)1 << shift;
	e->until = now + 1000u * (d > TES_RL_MAX_BLOCK ? TES_RL_MAX_BLOCK : d);
}

/* see ratelimit.h */
void
tes_ratelimit_note(struct tes_ratelimit *rl, const char *user, const char *addr, int ok, uint64_t now)
{
	struct tes_rl_entry *u = find_or_add(rl->user, user);

	if (ok) {
		memset(u, 0, sizeof *u);
		return;
	}
	fail(u, now);
	fail(find_or_add(rl->addr, addr), now);
}
