/* SPDX-License-Identifier: ISC */
/*
 * The officer server's database (spec/STORAGE.md). One data directory:
 *
 *   server.key    RSA-2048 private key, PEM, 0600
 *   storage.key   32 random bytes, 0600; journal and drivers.enc keys derive from it
 *   journal       append-only, authenticated, hash-chained log (the source of truth)
 *   drivers.enc   encrypted snapshot plate -> points, rewritten atomically
 *   lock          flock()ed by the process that has the store open
 *
 * Only the master process opens the store; the lock makes it the only
 * writer. Everything is kept in memory except report bodies, which are read
 * back from the journal on demand. Out of memory ends the process.
 * Functions return 0 or a negative TES_ERR_* code; after a failed write or
 * fsync the handle refuses further writes (TES_ERR_IO) and must be reopened.
 */
#ifndef TES_STORE_DB_H
#define TES_STORE_DB_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/rsa.h"
#include "crypto/sha256.h"
#include "store/journal.h" /* enum tes_role, enum tes_audit_kind */
#include "wire/limits.h"
#include "wire/msg.h"
#include "wire/policy.h"

/* An open store; heap-allocated, opaque. */
struct tes_db;

/* Decision state of a report. */
enum tes_status {
	TES_STATUS_PENDING = 0,
	TES_STATUS_APPROVED = 1,
	TES_STATUS_REJECTED = 2
};

/* How many decisions are made between two automatic drivers.enc rewrites. */
#define TES_DB_COMPACT_EVERY 1000

/* A report as the officer sees it. */
struct tes_db_report {
	struct tes_report r;
	uint8_t sig[TES_RSA_LEN];  /* the unit's signature, kept as evidence */
	uint64_t number;           /* violation number: 1, 2, ... in arrival order */
	uint64_t received;         /* server clock at arrival */
	uint8_t status;            /* enum tes_status */
	uint16_t points;           /* pending: what the current policy gives; decided: as stored */
	uint32_t policy_version;   /* pending: the current policy; decided: the one the decision names */
	struct tes_policy_why why; /* how that policy reached the points (zero for a rejection) */
	char reason[TES_JOURNAL_TEXT_MAX + 1]; /* decided only, else "" */
	char officer[TES_NAME_MAX + 1];        /* decided only, else "" */
	uint64_t decided_at;                   /* decided only, else 0 */
};

/*
 * Initialise a data directory: create it with mode 0700 (or use it if it
 * exists and is empty; its mode is set to 0700), write storage.key (32
 * random bytes) and server.key (fresh RSA-2048), both 0600, and a journal
 * holding only its header; fsync every file and the directory.
 * TES_ERR_EXISTS if the directory is not empty (already initialised);
 * TES_ERR_IO with errno telling why (EACCES, EROFS, ENOTDIR, ENOSPC, ...).
 */
int
tes_db_create(const char *dir);

/*
 * Open a store: take the lock (TES_ERR_LOCKED if another open file holds
 * it, even in this process), load the keys (TES_ERR_NOTFOUND if the store
 * was never created, TES_ERR_KEY if a key file is readable by group or
 * others), load and check drivers.enc, replay and check the journal.
 * An interrupted append at the end of the journal (spec/STORAGE.md#recovery
 * MUST-RC1) is copied to quarantine/ and cut off, with a warning on stderr
 * that names the copy; any other damage, a sequence gap, or a drivers.enc
 * that does not match the journal gives TES_ERR_CORRUPT and changes nothing
 * on disk.
 */
int
tes_db_open(const char *dir, struct tes_db **out);

/* Where a store that does not open is damaged, and what recovery moved. */
struct tes_db_damage {
	char text[384]; /* file, offset, record and what failed; "" for other errors */
	char done[384]; /* what tes_db_recover moved to quarantine/; "" if nothing */
	uint64_t later; /* records inside a moved journal tail that still verify */
};

/* tes_db_open that describes the damage behind TES_ERR_CORRUPT in *dmg. */
int
tes_db_open_diag(const char *dir, struct tes_db_damage *dmg, struct tes_db **out);

/*
 * Open a store that tes_db_open refuses for damage (spec/STORAGE.md#recovery
 * MUST-RC4): the journal from its first damaged record to the end is moved
 * to quarantine/ (copied, fsynced, then cut), and a drivers.enc that is
 * damaged or does not match the journal is moved there too (it is rebuilt
 * from the journal). dmg->text says what was found, dmg->done what was
 * moved. A store that opens as it is is opened unchanged; damage that
 * moving cannot mend (a key file, the journal's file header) is
 * TES_ERR_CORRUPT, nothing changed.
 */
int
tes_db_recover(const char *dir, struct tes_db_damage *dmg, struct tes_db **out);

/*
 * Call fn for each file in the store's quarantine/ directory (bytes moved
 * out of the store by a recovery), in no particular order; stops at fn's
 * first non-zero result and returns it. 0 when there is none.
 */
int
tes_db_quarantine_foreach(const struct tes_db *db, int (*fn)(void *ctx, const char *name, uint64_t size),
			  void *ctx);

/*
 * Rewrite drivers.enc if decisions were made since the last snapshot
 * (a failure is reported on stderr: the journal still has everything), wipe
 * the keys, release the lock and free db. NULL is a no-op.
 */
void
tes_db_close(struct tes_db *db);

/* The server's RSA private key (lives as long as db). */
const struct tes_rsa_priv *
tes_db_server_key(const struct tes_db *db);

/*
 * Register a police unit's public key under a name (tes_field_name_valid; the key
 * must pass tes_rsa_pub_check: TES_ERR_KEY). Appends a UNIT record and
 * fsyncs. TES_ERR_EXISTS if the name is taken or the key is registered
 * already, under any name, revoked or not (one key, one unit; the holder:
 * tes_db_unit_find).
 */
int
tes_db_unit_add(struct tes_db *db, const char *name, const struct tes_rsa_pub *pub);

/* Unit whose public key has this key id (SHA-256 of its SSH blob, as sent in
 * CLIENT_HELLO and in reports): its name and key (the first registered, when an
 * older store holds the key under two names); TES_ERR_NOTFOUND. */
int
tes_db_unit_find(const struct tes_db *db, const uint8_t keyid[static TES_KEYID_LEN],
		 char name[static TES_NAME_MAX + 1], struct tes_rsa_pub *out);

/*
 * Revoke a unit (a stolen or retired key): appends a REVOKE record and
 * fsyncs; from then on handshakes with that key are refused. Its reports
 * stay, as evidence signed by that key. TES_ERR_NOTFOUND, or TES_ERR_EXISTS
 * when already revoked.
 */
int
tes_db_unit_revoke(struct tes_db *db, const char *name);

/* 0 when the unit with this key id may authenticate; TES_ERR_AUTH when a unit
 * holding this key was revoked (revocation follows the key, whatever other name
 * an older store also registered it under), TES_ERR_NOTFOUND when there is none. */
int
tes_db_unit_active(const struct tes_db *db, const uint8_t keyid[static TES_KEYID_LEN]);

/* Public key of a unit; TES_ERR_NOTFOUND. */
int
tes_db_unit_get(const struct tes_db *db, const char *name, struct tes_rsa_pub *out);

/*
 * Add a user: role TES_ROLE_POLICE or TES_ROLE_OFFICER, encoded_hash an
 * Argon2id encoded string ("$argon2id$...", at most 128 characters).
 * Appends a USER record and fsyncs. TES_ERR_EXISTS if the name is taken.
 */
int
tes_db_user_add(struct tes_db *db, const char *name, uint8_t role, const char *encoded_hash);

/*
 * Set a new password hash for an existing user (tes-officer passwd): appends a
 * USER record with the same name and role and the new encoded_hash, fsyncs,
 * and from then on logins check the new hash; a disabled user is enabled. On replay a later USER record
 * of a recorded name with the same role replaces the hash (spec/STORAGE.md#bodies
 * MUST-B2). TES_ERR_NOTFOUND for an unknown user.
 */
int
tes_db_user_passwd(struct tes_db *db, const char *name, const char *encoded_hash);

/* Role and encoded password hash of a user; TES_ERR_NOTFOUND; TES_ERR_AUTH when it is disabled. */
int
tes_db_user_get(const struct tes_db *db, const char *name, uint8_t *role,
		char hash[TES_JOURNAL_HASH_MAX + 1]);

/* Role of a user and whether it is disabled, for any user; TES_ERR_NOTFOUND. */
int
tes_db_user_info(const struct tes_db *db, const char *name, uint8_t *role, int *disabled);

/*
 * Disable a user (an account that leaves the force): appends a DISABLE
 * record and fsyncs; it logs in nowhere until tes_db_user_passwd gives it a
 * new password. TES_ERR_NOTFOUND, TES_ERR_EXISTS when already disabled.
 */
int
tes_db_user_disable(struct tes_db *db, const char *name);

/* Call cb for every user, in the order they were added; non-zero from cb stops. Returns 0. */
int
tes_db_user_foreach(const struct tes_db *db,
		    int (*cb)(void *ctx, const char *name, uint8_t role, int disabled), void *ctx);

/* Call cb for every unit, in the order they were added; non-zero from cb stops. Returns 0. */
int
tes_db_unit_foreach(const struct tes_db *db,
		    int (*cb)(void *ctx, const char *name, const struct tes_rsa_pub *pub, int revoked),
		    void *ctx);

/*
 * Append a REPORT record without fsync: the caller groups several appends,
 * calls tes_db_sync(), and only then sends the receipts. On success *number
 * is the new violation number. If the id is already stored, nothing is
 * written and TES_ERR_EXISTS is returned with *number set to the stored
 * report's number (a retransmission). The caller has verified the
 * signature; fields are checked again by the record encoder.
 */
int
tes_db_report_add(struct tes_db *db, const struct tes_report *r, const uint8_t sig[static TES_RSA_LEN],
		  uint64_t received, uint64_t *number);

/* fdatasync the journal: after it returns 0 every appended record is durable. */
int
tes_db_sync(struct tes_db *db);

/*
 * Read a report back from the journal (pread, MAC check, decrypt), with its
 * decision if any (the same for the DECISION record, whose body is checked
 * against the report here: open does not decrypt the decisions drivers.enc
 * covers). TES_ERR_NOTFOUND; TES_ERR_CORRUPT, with out zeroed, if the file
 * changed under the open store or either record breaks a rule of
 * spec/STORAGE.md#bodies.
 */
int
tes_db_report_get(const struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN],
		  struct tes_db_report *out);

/* Number of stored reports. */
size_t
tes_db_report_count(const struct tes_db *db);

/* Report by position: index 0 is violation number 1. TES_ERR_NOTFOUND past the end. */
int
tes_db_report_at(const struct tes_db *db, size_t index, struct tes_db_report *out);

/* Number of reports not decided yet. */
size_t
tes_db_pending_count(const struct tes_db *db);

/* Whether report index is pending, from memory (nothing is read). 0 past the end. */
int
tes_db_report_is_pending(const struct tes_db *db, size_t index);

/*
 * Call cb for every report of plate (a valid, normalised plate), in
 * violation-number order, each read back from the journal with its MAC
 * checked; a non-zero return from cb stops the walk. Reads only the reports
 * whose in-memory plate tag matches (or has none: its plate could not be
 * read); in the first seconds after open it first waits for the tags of the
 * reports found at open. Returns 0, or the error of a report that could not
 * be read.
 */
int
tes_db_plate_foreach(struct tes_db *db, const char *plate,
		     int (*cb)(void *ctx, const struct tes_db_report *d), void *ctx);

/*
 * Wait until the plate tags of the reports found at open are read; returns
 * how many reports have a tag (all of them unless a read failed).
 */
size_t
tes_db_tags_wait(struct tes_db *db);

/*
 * Approve (points = what the current policy gives the report, added to the
 * plate's offences; the DECISION names the policy's version and hash)
 * or reject (0 points) a pending report. reason: 0..128 printable ASCII
 * characters (NULL = none); officer: the deciding user's name. Appends a
 * DECISION record and fsyncs; every TES_DB_COMPACT_EVERY decisions it
 * starts rewriting drivers.enc on a thread of its own (from a copy of the
 * totals) and returns without waiting for it. *points (may be NULL) gets
 * the points given. TES_ERR_NOTFOUND, TES_ERR_DECIDED.
 */
int
tes_db_decide(struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN], int approve, const char *reason,
	      const char *officer, uint64_t now, uint16_t *points);

/*
 * Append an AUDIT record and fsync. kind: enum tes_audit_kind; who: a user
 * or unit name, or NULL / "" for the server itself; text: 0..128 printable
 * ASCII characters (NULL = none).
 */
int
tes_db_audit(struct tes_db *db, uint8_t kind, const char *who, const char *text, uint64_t now);

/*
 * tes_db_audit without the fsync: the record is durable after the next
 * tes_db_sync, which the caller must do before acting on the event (the
 * server's group commit sends a login's answer only after it).
 */
int
tes_db_audit_append(struct tes_db *db, uint8_t kind, const char *who, const char *text, uint64_t now);

/*
 * Points of a plate inside the current policy's window at now (its
 * window-days before now; every point when the policy has no window), 0
 * when unknown; *over (may be NULL) is 1 when they reach the policy's
 * threshold (spec/POLICY.md#window).
 */
uint32_t
tes_db_driver_points(const struct tes_db *db, const char *plate, uint64_t now, int *over);

/* Every point a plate ever received, window or not. */
uint32_t
tes_db_driver_total(const struct tes_db *db, const char *plate);

/*
 * Call cb for every plate with points inside the window at now, in plate
 * order (tes_drivers_plate_cmp), with over set when they reach the
 * threshold; a non-zero return from cb stops the walk. Returns 0.
 */
int
tes_db_drivers_foreach(const struct tes_db *db, uint64_t now,
		       int (*cb)(void *ctx, const char *plate, uint32_t points, int over), void *ctx);

/* 1 when points received at time (an offence's observation time) still count at now, else 0. */
int
tes_db_driver_counts(const struct tes_db *db, uint64_t time, uint64_t now);

/* Call cb for every legacy import of plate, oldest first (the points and when they were imported). */
int
tes_db_imports_foreach(const struct tes_db *db, const char *plate,
		       int (*cb)(void *ctx, uint64_t time, uint32_t points), void *ctx);

/*
 * The current penalty policy: its version (0 = the built-in one, k = the
 * k-th set), the policy (p may be NULL) and the SHA-256 of its text (hash
 * may be NULL).
 */
uint32_t
tes_db_policy(const struct tes_db *db, struct tes_policy *p, uint8_t *hash);

/* The exact text of a policy version (lives as long as db); TES_ERR_NOTFOUND. */
int
tes_db_policy_text(const struct tes_db *db, uint32_t version, const uint8_t **text, size_t *len);

/*
 * Make text (n bytes, a policy file: spec/POLICY.md) the current policy:
 * parsed first (its error, with *line, 1-based, 0 for the whole file), then
 * appended as a POLICY record and fsynced; *version gets its version.
 * TES_ERR_EXISTS, nothing written, when it is the current policy's text.
 * Decisions already made keep their points and their policy.
 */
int
tes_db_policy_set(struct tes_db *db, const uint8_t *text, size_t n, uint32_t *line, uint32_t *version);

/* One plate of a legacy import (tes-officer import-legacy). */
struct tes_db_import_entry {
	uint8_t plate_len;
	char plate[TES_PLATE_MAX + 1]; /* a valid, normalised plate */
	uint32_t points;               /* 1 .. TES_JOURNAL_IMPORT_POINTS_MAX */
};

/*
 * Take in a legacy import: one IMPORT record per entry (v[0 .. n-1], in a
 * fixed order), all dated now, under batch (SHA-256 of the legacy
 * plaintext), then one fsync. TES_ERR_EXISTS, nothing written, when that
 * batch was taken in already; a batch that a crash cut short is completed
 * (*added says how many records were written).
 */
int
tes_db_import(struct tes_db *db, const uint8_t batch[static TES_SHA256_LEN],
	      const struct tes_db_import_entry *v, size_t n, uint64_t now, size_t *added);

/* A DECISION or AUDIT record as the audit log shows it. */
struct tes_db_event {
	uint64_t seq;                        /* journal record number */
	uint8_t type;                        /* TES_JREC_DECISION or TES_JREC_AUDIT */
	uint8_t kind;                        /* AUDIT: enum tes_audit_kind; DECISION: enum tes_verdict */
	char who[TES_NAME_MAX + 1];          /* AUDIT: user or unit ("" = server); DECISION: officer */
	char text[TES_JOURNAL_TEXT_MAX + 1]; /* AUDIT: text; DECISION: reason */
	uint8_t id[TES_REPORT_ID_LEN];       /* DECISION: the report; else zeros */
	uint16_t points;                     /* DECISION: points given */
	uint64_t time;
};

/* Number of DECISION and AUDIT records (the events of the audit log), from memory. */
size_t
tes_db_event_count(const struct tes_db *db);

/*
 * Event k (0 = the oldest) read back from the file, its MAC checked against
 * the chain value stored before it. TES_ERR_NOTFOUND past the end,
 * TES_ERR_CORRUPT if the record fails its checks.
 */
int
tes_db_event_at(const struct tes_db *db, size_t k, struct tes_db_event *out);

/*
 * Make the journal durable, then write drivers.enc now (atomically:
 * drivers.enc.tmp, fsync, rename, fsync of the directory), after any
 * background rewrite has ended.
 */
int
tes_db_compact(struct tes_db *db);

/*
 * Wait for a background rewrite of drivers.enc started by tes_db_decide, if
 * one runs. Returns 0, or its error (it was also reported on stderr, and the
 * decisions it would have taken in are rewritten again later).
 * tes_db_sync, tes_db_verify and tes_db_close collect a finished one.
 */
int
tes_db_compact_wait(struct tes_db *db);

/*
 * In a child forked from the process that opened the store: forget the
 * background threads (a drivers.enc rewrite, the plate tags), which exist
 * only in the parent, so that tes_db_verify and the read functions do not
 * wait for them, and give the store's open descriptors (directory, lock,
 * journal) in fds[0..2], the ones the child must keep. Such a child only
 * reads: it must not write to the store nor close it (it ends with _exit).
 */
void
tes_db_forked(struct tes_db *db, int fds[3]);

/*
 * Check the whole store from scratch: every journal record's MAC, chain and
 * body, report numbering, each decision against its report (points from the
 * speed), drivers.enc against the totals the journal gives at its seq, and
 * the in-memory state against the file. *records (may be NULL) gets the
 * number of journal records checked good. On success msg (cap bytes, may
 * be NULL) gets "ok: N records, chain <hex of the last chain value>, ..."
 * (worth noting outside the store: it anchors the journal's end); on
 * failure TES_ERR_CORRUPT and msg names the failing record seq or file.
 */
int
tes_db_verify(struct tes_db *db, char *msg, size_t cap, uint64_t *records);

#endif
