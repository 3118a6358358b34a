/* SPDX-License-Identifier: ISC */
/*
 * The police unit's offline spool (spec/SPOOL.md): the directory that keeps
 * every signed report until a receipt retires it, so that each report is
 * delivered exactly once across outages, crashes and re-runs. This is the
 * I/O side; the file format is police/spool.h.
 *
 * One process at a time: tes_spooler_open takes an exclusive flock on D/lock
 * and holds it until tes_spooler_close (or exit), so concurrent report,
 * batch, flush and feed processes never send one entry twice.
 *
 * System calls. tes_spooler_open does every file system call: mkdir, open,
 * fstat, flock, read, the repairs and the compaction (write, fsync, rename),
 * and draws the random salt and table keys; tes_spooler_password runs
 * Argon2id, which allocates its memory cost. Both run before the caller
 * enters its sandbox; tes_spooler_peek (a listing without the unit key)
 * makes only open, fstat, flock and read, and draws the table keys. After
 * them the only system calls this module makes are write(2) on the spool's
 * O_APPEND descriptor (tes_spooler_add,
 * tes_spooler_retire, tes_spooler_drop_added) and fdatasync(2)
 * (tes_spooler_sync, tes_spooler_drop_added); tes_spooler_close adds
 * close(2). A failed or short write, or a failed fdatasync, makes every
 * later write fail (TES_ERR_IO): the next open repairs the file.
 *
 * Time: "now" is always the caller's (seconds since the epoch, UTC).
 *
 * Use, for a report or a batch (spec/SPOOL.md#crash):
 *   tes_spooler_open, tes_spooler_password (before the sandbox);
 *   per record: tes_spooler_assign, sign item.r, tes_spooler_add;
 *   tes_spooler_sync, and only then say "spooled" or send anything;
 *   log in; per entry of tes_spooler_next whose verdict is MINE: send, then
 *   tes_spooler_retire with the receipt's status; a refused login:
 *   tes_spooler_drop_added.
 */
#ifndef TES_POLICE_SPOOLER_H
#define TES_POLICE_SPOOLER_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/rsa.h"
#include "police/spool.h"
#include "wire/limits.h"
#include "wire/msg.h"

enum tes_spooler_limits {
	TES_SPOOLER_FILE_MAX = 16 * 1024 * 1024,      /* the spool file, with what a run appends to it */
	TES_SPOOLER_RECS_MAX = 1 << 18,               /* records in it */
	TES_SPOOLER_PENDING_MAX = 20000,              /* reports waiting: "spool full" beyond */
	TES_SPOOLER_SLOTS = 2 * TES_SPOOLER_RECS_MAX, /* each look-up table, at most half full */
	TES_SPOOLER_WINDOW = 86400,                   /* seconds a timeless input is remembered */
	TES_SPOOLER_NAME_MAX = 64                     /* a quarantine file's name */
};

/* What a pending entry is to the user whose password was given. */
enum tes_spooler_verdict {
	TES_SPOOLER_UNCHECKED = 0, /* no password given (listing) */
	TES_SPOOLER_MINE = 1,      /* verifies under the current user's key: may be sent */
	TES_SPOOLER_OTHER = 2,     /* names another user: theirs to send */
	TES_SPOOLER_BAD = 3        /* names the current user but does not verify, or does not decode */
};

/* What tes_spooler_open found and did (for the caller to report). */
struct tes_spooler_info {
	int created;        /* the spool (or its directory) was made now */
	int waited;         /* another process held the lock: this one waited */
	size_t pending;     /* entries waiting that decode */
	size_t unusable;    /* records kept that cannot be used: bad tag or body (never removed) */
	size_t dropped;     /* retired records compaction removed */
	size_t torn;        /* bytes of an incomplete last record cut */
	size_t quarantined; /* bytes from a malformed record to the end, moved to quarantine */
	char quarantine[TES_SPOOLER_NAME_MAX]; /* that file's name in the directory ("" if none) */
	size_t unread; /* tes_spooler_peek: bytes at the end that are no whole record, left as they are */
};

/* One pending entry (tes_spooler_next). */
struct tes_spooler_entry {
	size_t offset;   /* in the spool file */
	uint8_t verdict; /* enum tes_spooler_verdict */
	uint8_t decoded; /* 0: the record does not decode (verdict BAD, add is zero) */
	struct tes_spool_add add;
};

/*
 * A new record on its way into the spool: tes_spooler_assign, then
 * tes_spooler_add. In r the caller fills plate, speed, limit and location,
 * and id and time when the input gave them (has_id, has_time); assign
 * fills the unit key, and the id and time the rules give (spec/SPOOL.md#ids).
 */
struct tes_spooler_item {
	struct tes_report r;
	uint8_t has_id;                       /* in: the input gave the id */
	uint8_t has_time;                     /* in: the input gave the time */
	uint8_t timeless;                     /* out: = !has_time */
	uint8_t digest[TES_SPOOL_DIGEST_LEN]; /* out: a timeless record's memory key, else zeros */
	uint8_t remembered;                   /* out: the time (and id) came from the 24-hour memory */
	/* out: 0, a new report: add it; TES_SPOOLER_MINE or TES_SPOOLER_OTHER: the same report
	 * already waits, this user's or another's: do not add it */
	uint8_t pending;
};

/* One record of the spool as the module indexes it. */
struct tes_spooler_rec {
	uint32_t off;    /* in buf */
	uint16_t len;    /* the whole record */
	uint8_t type;    /* enum tes_spool_type */
	uint8_t state;   /* spooler.c: pending, retired, applied, unusable */
	uint8_t verdict; /* ADD: enum tes_spooler_verdict */
};

/*
 * The spool of one process. About 24 MiB: make it static. No pointers
 * inside; the descriptors are its own.
 */
struct tes_spooler {
	int opened;       /* tes_spooler_open or _peek ran: the descriptors below are set */
	int readonly;     /* opened by tes_spooler_peek: no key, no writes */
	int dfd, lfd, fd; /* the directory, D/lock (flock'ed), D/spool (O_APPEND), -1 when closed */
	int failed;       /* a write or a sync failed: no more writes */
	uint8_t salt[TES_SPOOL_SALT_LEN];
	uint8_t secret[32];                    /* S, from the unit's private key */
	uint8_t device_key[TES_SPOOL_KEY_LEN]; /* DONE and SEEN tags */
	uint8_t id_key[TES_SPOOL_KEY_LEN];     /* report ids, timeless digests */
	uint8_t user_key[TES_SPOOL_KEY_LEN];   /* the current user's ADD tags */
	uint8_t unit_key[TES_KEYID_LEN];       /* the unit's key id */
	uint64_t hk[3];                        /* keys of the look-up tables' hash */
	uint8_t has_user, user_len;
	char user[TES_SPOOL_USER_MAX + 1];
	size_t len;         /* bytes of buf: what the file holds */
	size_t nrec;        /* records indexed */
	size_t npending;    /* ADD records pending (decodable) */
	size_t first_added; /* the first record this process wrote */
	struct tes_spooler_info info;
	struct tes_spool_add scratch;          /* a decoded ADD */
	uint32_t by_id[TES_SPOOLER_SLOTS];     /* ADD records by report id: index + 1, 0 free */
	uint32_t by_digest[TES_SPOOLER_SLOTS]; /* timeless ADD and SEEN records by digest */
	struct tes_spooler_rec rec[TES_SPOOLER_RECS_MAX];
	uint8_t buf[TES_SPOOLER_FILE_MAX + 1];
};

/*
 * Open the spool directory dir (made 0700 if missing) for the unit whose
 * private key is unit, and take its lock (waiting, with one line on
 * stderr, while another process holds it). Reads D/spool (made with a
 * fresh salt if missing), cuts a torn tail, moves a malformed tail to a
 * quarantine file, and compacts it when it holds retired records, all
 * before returning; s->info says what it found and did. Errors, with a
 * line naming the file in err (cap bytes): TES_ERR_KEY for a directory or
 * spool that group or others may access, or not owned by the user;
 * TES_ERR_VERSION for a spool of another version (left alone);
 * TES_ERR_TOOLONG for a spool above TES_SPOOLER_FILE_MAX or
 * TES_SPOOLER_RECS_MAX; TES_ERR_IO. On failure everything is released.
 */
int
tes_spooler_open(struct tes_spooler *s, const char *dir, const struct tes_rsa_priv *unit, uint64_t now,
		 char *err, size_t cap);

/*
 * Open the spool directory dir read-only, without the unit key, for a
 * listing (spec/SPOOL.md#listing): the directory and D/spool must exist
 * (TES_ERR_NOTFOUND, naming the one missing); the lock is taken as
 * tes_spooler_open takes it, but D/lock is never made (without it, no
 * tes-police has used the spool there, and the spool is read unlocked).
 * Nothing is made, repaired, compacted or written: a torn or malformed tail
 * is left as it is and counted in s->info.unread. DONE and SEEN tags cannot
 * be checked without the unit key: a DONE that decodes retires its ADDs as
 * if it verified, so tes_spooler_next may omit an entry a forged DONE hides
 * (never shows one that is not in the file). Only tes_spooler_next,
 * tes_spooler_pending, tes_spooler_line and tes_spooler_close may follow;
 * the others refuse with TES_ERR_STATE. Errors as tes_spooler_open's, and
 * TES_ERR_FORMAT for a file without a spool header.
 */
int
tes_spooler_peek(struct tes_spooler *s, const char *dir, char *err, size_t cap);

/*
 * Derive the user key of user (a valid name, user_len bytes) from pw
 * (Argon2id: slow, and it allocates; before the sandbox), and check every
 * entry against it (verdicts). A wrong password gives a key under which
 * that user's entries do not verify; nothing else tells. Once per open:
 * it wipes the unit secret the keys come from (TES_ERR_STATE after, and
 * after tes_spooler_peek).
 * TES_ERR_NAME, or tes_passwd_derive's errors.
 */
int
tes_spooler_password(struct tes_spooler *s, const char *user, size_t user_len, const char *pw, size_t pwlen);

/*
 * Give it a new record its unit key, id and time (spec/SPOOL.md#ids), and
 * tell whether the same report already waits. The caller fills it->r's
 * plate, speed, limit and location, and id and time when the input gave
 * them (has_id, has_time). TES_ERR_STATE without a password, TES_ERR_EXISTS
 * when an entry with the same id but other content waits (a conflict),
 * TES_ERR_ARG for fields longer than their arrays.
 */
int
tes_spooler_assign(struct tes_spooler *s, struct tes_spooler_item *it, uint64_t now);

/*
 * Append the ADD of an assigned item (pending 0) with its signature sig,
 * tagged under the user key; not synced. TES_ERR_STATE without a password,
 * TES_ERR_EXISTS for an item that already waits, TES_ERR_ARG for a report
 * of another unit key, TES_ERR_SPACE when the spool is full
 * (TES_SPOOLER_PENDING_MAX entries, or its size), the codec's errors for a
 * report it refuses, TES_ERR_IO.
 */
int
tes_spooler_add(struct tes_spooler *s, const struct tes_spooler_item *it,
		const uint8_t sig[static TES_RSA_LEN], uint64_t now);

/* fdatasync the spool: everything added so far is durable after it returns 0. TES_ERR_IO. */
int
tes_spooler_sync(struct tes_spooler *s);

/*
 * Retire the pending entries with report id id: append a DONE with status
 * (enum tes_spool_status), not synced (a lost DONE only makes the entry be
 * sent again, answered DUPLICATE). TES_ERR_NOTFOUND when none waits,
 * TES_ERR_FORMAT for a bad status, TES_ERR_SPACE, TES_ERR_IO.
 */
int
tes_spooler_retire(struct tes_spooler *s, const uint8_t id[static TES_REPORT_ID_LEN], uint8_t status,
		   uint64_t now);

/*
 * Retire, status DROPPED, every entry this process added that still waits
 * (its login was refused), then sync; *n gets how many.
 */
int
tes_spooler_drop_added(struct tes_spooler *s, uint64_t now, size_t *n);

/*
 * The pending entries in the order they were spooled, oldest first: *pos
 * starts at 0; 0 with e filled, or TES_ERR_NOTFOUND after the last one.
 * Entries this process adds meanwhile come after the others.
 */
int
tes_spooler_next(struct tes_spooler *s, size_t *pos, struct tes_spooler_entry *e);

/* Entries waiting that decode. */
size_t
tes_spooler_pending(const struct tes_spooler *s);

/*
 * One line for a listing: "<id hex> <plate> <user> <spooled at>", and
 * " (another user's)" or " (does not verify)" after a password, into out
 * (cap bytes, cut to fit); "? <offset>: does not decode" for a record that
 * does not. The time goes through gmtime_r, whose first call in a process
 * may read the zone file: call tzset() before a sandbox.
 */
void
tes_spooler_line(const struct tes_spooler_entry *e, char *out, size_t cap);

/* Wipe every key and the buffer, close the descriptors (the lock goes with them). */
void
tes_spooler_close(struct tes_spooler *s);

#endif
