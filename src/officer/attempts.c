/* SPDX-License-Identifier: ISC */
/* Refused logins, aggregated per door, source and window (see attempts.h). */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/hex.h"
#include "common/log.h"
#include "common/wipe.h"
#include "crypto/hmac.h"
#include "officer/attempts.h"
#include "store/db.h"

enum {
	TAG_BYTES = 3 /* "?" and 6 hex digits: enough to tell names apart, too short to search */
};

/* see attempts.h */
void
tes_attempts_init(struct tes_attempts *t, const char *door, const uint8_t key[static TES_ATTEMPTS_KEY_LEN])
{
	memset(t, 0, sizeof *t);
	snprintf(t->door, sizeof t->door, "%s", door);
	memcpy(t->key, key, TES_ATTEMPTS_KEY_LEN);
}

/* addr's slot; a free one taken for it; else the shared last slot. */
static struct tes_attempts_slot *
slot_for(struct tes_attempts *t, const char *addr)
{
	struct tes_attempts_slot *free_slot = NULL;
	size_t i;

	for (i = 0; i < TES_ATTEMPTS_SOURCES; i++) {
		if (strncmp(t->slot[i].addr, addr, TES_ATTEMPTS_ADDR) == 0 && t->slot[i].addr[0] != '\0')
			return &t->slot[i];
		if (free_slot == NULL && t->slot[i].addr[0] == '\0')
			free_slot = &t->slot[i];
	}
	if (free_slot == NULL)
		free_slot = &t->slot[TES_ATTEMPTS_SOURCES];
	if (free_slot->addr[0] == '\0')
		snprintf(free_slot->addr, sizeof free_slot->addr, "%s",
			 free_slot == &t->slot[TES_ATTEMPTS_SOURCES] ? "*" : addr);
	return free_slot;
}

/* How a name is kept: an account's name as it is, "-" for none, else "?" and its tag. */
static void
name_form(const struct tes_attempts *t, const char *user, int account, char out[static TES_NAME_MAX + 1])
{
	uint8_t mac[32];

	if (user[0] == '\0') {
		snprintf(out, TES_NAME_MAX + 1, "-");
		return;
	}
	if (account) {
		snprintf(out, TES_NAME_MAX + 1, "%s", user);
		return;
	}
	tes_hmac_sha256(t->key, sizeof t->key, user, strnlen(user, TES_NAME_MAX), mac);
	out[0] = '?';
	tes_hex_encode(mac, TAG_BYTES, out + 1);
	tes_wipe(mac, sizeof mac);
}

static void
name_add(struct tes_attempts_slot *s, const char *name)
{
	size_t i;

	for (i = 0; i < s->nnames; i++)
		if (strcmp(s->names[i], name) == 0)
			return;
	if (s->nnames == TES_ATTEMPTS_NAMES) {
		s->more = 1;
		return;
	}
	snprintf(s->names[s->nnames++], sizeof s->names[0], "%s", name);
}

/* see attempts.h */
void
tes_attempts_note(struct tes_attempts *t, const char *addr, const char *user, int account, uint64_t now)
{
	struct tes_attempts_slot *s = slot_for(t, addr);
	char name[TES_NAME_MAX + 1];

	if (s->count == 0)
		s->start = now;
	if (s->count < UINT32_MAX)
		s->count++;
	name_form(t, user, account, name);
	name_add(s, name);
}

/* The record of slot s: "DOOR ADDR: N refused; names A ?0a1b2c ..." cut at a whole name. */
static void
record_text(const struct tes_attempts *t, const struct tes_attempts_slot *s,
	    char text[static TES_ATTEMPTS_TEXT])
{
	size_t n, i, more = s->more;
	int k;

	k = snprintf(text, TES_ATTEMPTS_TEXT, "%s %s: %lu refused; names", t->door, s->addr,
		     (unsigned long)s->count);
	n = k < 0 ? 0 : (size_t)k;
	for (i = 0; i < s->nnames && n < TES_ATTEMPTS_TEXT; i++) {
		/* room for this name and a later " +" */
		if (n + 1 + strlen(s->names[i]) + 2 > TES_JOURNAL_TEXT_MAX) {
			more = 1;
			break;
		}
		n += (size_t)snprintf(text + n, TES_ATTEMPTS_TEXT - n, " %s", s->names[i]);
	}
	if (more && n + 2 <= TES_JOURNAL_TEXT_MAX)
		snprintf(text + n, TES_ATTEMPTS_TEXT - n, " +");
	text[TES_JOURNAL_TEXT_MAX] = '\0';
}

/* see attempts.h */
int
tes_attempts_due(const struct tes_attempts *t, uint64_t now, int all, char text[static TES_ATTEMPTS_TEXT])
{
	size_t i;

	/*= spec/STORAGE.md#attempts MUST-AT2: a slot is due once a window, so the journal grows by a bound */
	for (i = 0; i <= TES_ATTEMPTS_SOURCES; i++) {
		const struct tes_attempts_slot *s = &t->slot[i];

		if (s->count == 0 || (!all && now - s->start < TES_ATTEMPTS_WINDOW))
			continue;
		record_text(t, s, text);
		return (int)i;
	}
	return -1;
}

/* see attempts.h */
void
tes_attempts_clear(struct tes_attempts *t, int i)
{
	if (i >= 0 && i <= TES_ATTEMPTS_SOURCES)
		memset(&t->slot[i], 0, sizeof t->slot[i]);
}

/* The store refused a record: every due window grows by one more, its count goes on. */
static void
defer(struct tes_attempts *t, uint64_t now)
{
	size_t i;

	for (i = 0; i <= TES_ATTEMPTS_SOURCES; i++)
		if (t->slot[i].count != 0 && now - t->slot[i].start >= TES_ATTEMPTS_WINDOW)
			t->slot[i].start = now;
}

/* see attempts.h */
void
tes_attempts_flush(struct tes_attempts *t, struct tes_db *db, uint64_t now, int all, uint64_t wall)
{
	char text[TES_ATTEMPTS_TEXT];
	int i, r;

	/*= spec/STORAGE.md#attempts MUST-AT1: one record per door, source and window */
	while ((i = tes_attempts_due(t, now, all, text)) >= 0) {
		if ((r = tes_db_audit(db, TES_AUDIT_LOGIN_FAILED, NULL, text, wall)) != 0) {
			tes_log(TES_LOG_ERROR, "refused logins not recorded (%s), tried again in %d s: %s",
				tes_err_str(r), TES_ATTEMPTS_WINDOW, text);
			defer(t, now);
			return;
		}
		tes_attempts_clear(t, i);
	}
}
