/* SPDX-License-Identifier: ISC */
/*
 * Refused logins, aggregated (spec/STORAGE.md#attempts): one AUDIT record
 * per door, source and window instead of one per attempt, so traffic that
 * holds no account cannot grow the journal faster than a stated bound.
 * The table is sans-I/O: the caller notes each refused attempt, asks which
 * windows are over, writes their records and clears them;
 * tes_attempts_flush does that last part with the store. Times are seconds
 * of the monotonic clock. Fixed size: TES_ATTEMPTS_SOURCES addresses one by one,
 * every other address shares the last slot ("*").
 */
#ifndef TES_OFFICER_ATTEMPTS_H
#define TES_OFFICER_ATTEMPTS_H

#include <stddef.h>
#include <stdint.h>

#include "store/journal.h" /* TES_JOURNAL_TEXT_MAX, TES_NAME_MAX */

enum {
	TES_ATTEMPTS_SOURCES = 64, /* addresses with a slot of their own */
	TES_ATTEMPTS_NAMES = 4,    /* distinct names kept per slot */
	TES_ATTEMPTS_WINDOW = 60,  /* seconds from a slot's first attempt to its record */
	TES_ATTEMPTS_KEY_LEN = 32, /* the name tags' HMAC key */
	TES_ATTEMPTS_ADDR = 64,
	TES_ATTEMPTS_TEXT = TES_JOURNAL_TEXT_MAX + 1
};

struct tes_attempts_slot {
	char addr[TES_ATTEMPTS_ADDR];                     /* "" free, "*" every address without a slot */
	uint64_t start;                                   /* the window's first attempt */
	uint32_t count;                                   /* attempts refused in the window */
	uint8_t nnames, more;                             /* names kept; more: others were tried too */
	char names[TES_ATTEMPTS_NAMES][TES_NAME_MAX + 1]; /* an account's name, or "?" and a tag */
};

struct tes_attempts {
	char door[16]; /* "police" or "dashboard" */
	uint8_t key[TES_ATTEMPTS_KEY_LEN];
	struct tes_attempts_slot slot[TES_ATTEMPTS_SOURCES + 1];
};

/* An empty table for door, its name tags keyed by key (random, drawn at start). */
void
tes_attempts_init(struct tes_attempts *t, const char *door, const uint8_t key[static TES_ATTEMPTS_KEY_LEN]);

/*
 * One refused attempt from addr that named user (NUL-terminated, may be
 * empty); account: user is a registered account's name, kept as it is;
 * any other string is kept only as its tag (it may be a password typed in
 * the user field).
 */
void
tes_attempts_note(struct tes_attempts *t, const char *addr, const char *user, int account, uint64_t now);

/*
 * A slot whose window is over at now (any used slot when all is set): its
 * index, and its record text in text; -1 when there is none.
 */
int
tes_attempts_due(const struct tes_attempts *t, uint64_t now, int all, char text[static TES_ATTEMPTS_TEXT]);

/* Slot i's record is written: the slot is free again. */
void
tes_attempts_clear(struct tes_attempts *t, int i);

struct tes_db;

/*
 * Write the record of every slot that is due (all: every used slot, at
 * shutdown) to db, fsynced, and free those slots. A record the store
 * cannot take (a full disk) keeps its slot, counting on, and is tried
 * again a window later; that is logged. wall: the records' time.
 */
void
tes_attempts_flush(struct tes_attempts *t, struct tes_db *db, uint64_t now, int all, uint64_t wall);

#endif
