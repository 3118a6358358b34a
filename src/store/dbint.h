/* SPDX-License-Identifier: ISC */
/*
 * Internal to src/store: the open store (struct tes_db) and the functions
 * its files share. Nothing outside src/store includes this header; the
 * store's interface is db.h. The files, one noun each:
 *
 *   db.c        the public API (db.h): appends, look-ups, decisions
 *   dir.c       the data directory: creation, lock, key files, journal file
 *   state.c     the open store's memory: reports, units, users, events
 *   readback.c  records read back from the journal on demand (MAC checked)
 *   recover.c   open: the parallel chain check, replay, torn-tail rules,
 *               the damage report and tes_db_recover
 *   quarantine.c quarantine/: what the store takes out of its files
 *   tags.c      the plate tags of the reports found at open (a thread)
 *   snapshot.c  drivers.enc: load, and the rewrite (a thread)
 *   verify.c    tes_db_verify's walk over the whole store
 *   index.c     SipHash, hash tables and the plate map (pure, index.h)
 *   points.c    the penalty policies, each plate's offences and the points
 *               inside the policy's window, legacy imports
 *
 * Functions return 0 or a negative TES_ERR_*; out of memory ends the
 * process (alloc.h).
 */
#ifndef TES_STORE_DBINT_H
#define TES_STORE_DBINT_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "crypto/rsa.h"
#include "crypto/sha256.h"
#include "store/db.h"
#include "store/drivers.h"
#include "store/index.h"
#include "store/journal.h"
#include "store/seal.h"
#include "wire/policy.h"

/* The files of the data directory (spec/STORAGE.md#directory). */
#define NAME_LOCK        "lock"
#define NAME_SKEY        "storage.key"
#define NAME_SERVER      "server.key"
#define NAME_JOURNAL     "journal"
#define NAME_DRIVERS     "drivers.enc"
#define NAME_DRIVERS_TMP "drivers.enc.tmp"
#define NAME_QUARANTINE  "quarantine"

enum {
	TES_QUARANTINE_NAME_MAX = 64 /* a file name under quarantine/, with its NUL */
};

/* What a failed open found damaged (recover.c), so that recovery knows what to move. */
enum dmg_kind {
	DMG_NONE = 0,
	DMG_JOURNAL,  /* a record from db->end on: the tail can be moved to quarantine */
	DMG_SNAPSHOT, /* drivers.enc: it can be moved to quarantine and rebuilt */
	DMG_OTHER     /* a key file or the journal's file header: nothing to move */
};

enum {
	RBUF_LEN = TES_JOURNAL_MAC_LEN + TES_JOURNAL_REC_MAX /* previous mac + one record */
};

/*
 * A report in memory; its body and its decision's body stay in the journal
 * and are read back when the report is shown (spec/STORAGE.md#recovery).
 */
struct rep {
	uint8_t id[TES_REPORT_ID_LEN];
	uint64_t off;  /* REPORT record */
	uint64_t doff; /* DECISION record, 0 while pending */
	uint32_t ptag; /* tes_index_plate_tag() of its plate, 0 while unknown */
};

/* What drivers.enc says about the journal. */
struct snap {
	int present;
	int v1; /* a version-1 file: totals without times; replay decrypts every decision */
	uint64_t seq;
	uint8_t mac[TES_JOURNAL_MAC_LEN];
};

/* A penalty policy of the journal: version = index (0 = the built-in one). */
struct dbpol {
	struct tes_policy p;
	uint8_t hash[TES_SHA256_LEN];
	uint8_t *text; /* its exact text (version 0: the built-in text, not owned) */
	uint16_t len;
};

/* Points a plate received at a time: an approved decision or an import. */
struct offence {
	uint64_t time; /* the report's observation time, or the import's */
	uint32_t points;
	uint32_t plate; /* index of the plate's entry in drv */
	uint32_t prev;  /* index + 1 of the plate's previous offence, 0 for its first */
};

/* A legacy import (IMPORT records of one batch). */
struct batch {
	uint8_t hash[TES_SHA256_LEN]; /* SHA-256 of the legacy plaintext */
	uint32_t count, have;         /* records it has, records seen so far (in index order) */
};

/* An IMPORT record, for a plate's history. */
struct import {
	uint64_t time;
	uint32_t points;
	uint8_t plate_len;
	char plate[TES_PLATE_MAX + 1];
};

struct compact_job;
struct tag_job;

struct tes_db {
	char *dir;
	int dfd, lfd, jfd;
	int broken; /* a write or fsync failed: no more writes */
	struct tes_seal_keys jk, dk;
	struct tes_rsa_priv server;
	uint8_t hk[TES_INDEX_KEY_LEN]; /* the tables' SipHash key, random per open */
	uint8_t genesis[TES_JOURNAL_MAC_LEN];
	uint8_t head[TES_JOURNAL_MAC_LEN]; /* chain value of record seq */
	uint64_t seq;                      /* last record */
	uint64_t end;                      /* journal size */
	struct snap snap;
	size_t since; /* decisions after the snapshot */
	size_t pending;
	struct rep *reps; /* index = number - 1 */
	size_t nrep, caprep;
	struct tes_index trep;
	struct tes_journal_unit *units;
	uint8_t (*unit_ids)[TES_KEYID_LEN]; /* key id of units[i], for handshake look-ups */
	uint8_t *unit_revoked;              /* units[i] was revoked (REVOKE record) */
	size_t nunit, capunit, capids, caprev;
	struct tes_index tunit;
	struct tes_journal_user *users;
	size_t nuser, capuser;
	struct tes_index tuser;
	struct tes_index_map drv; /* plate -> all the points it ever received */
	uint32_t *drv_last;       /* for drv entry i: index + 1 of its last offence, 0 for none */
	size_t ndl, capdl;
	struct offence *offs; /* in the order they were learnt */
	size_t noff, capoff;
	struct tes_index_map v1drv; /* a version-1 drivers.enc's totals, checked at its seq */
	struct dbpol *pols;         /* pols[0] built in, pols[k] the k-th POLICY record */
	size_t npol, cappol;
	uint8_t *user_off; /* users[i] is disabled (DISABLE record, until the next USER) */
	size_t capuoff;
	struct batch *batches;
	size_t nbatch, capbatch;
	struct import *imports;
	size_t nimport, capimport;
	struct compact_job *job; /* drivers.enc being written in the background */
	struct tag_job *tags;    /* plate tags of the stored reports being read */
	uint64_t *evoff;         /* DECISION and AUDIT records, in journal order */
	size_t nev, capev;
	struct tes_db_damage *dmg; /* during open: where to describe damage, or NULL */
	enum dmg_kind dmg_kind;    /* during open: the first damage found */
};

/* The chain value before the record at off, inside a map of the whole file. */
static inline const uint8_t *
prev_in(const struct tes_db *db, const uint8_t *map, uint64_t off)
{
	return off == TES_JOURNAL_FILE_HDR_LEN ? db->genesis : map + off - TES_JOURNAL_MAC_LEN;
}

/* Record len bytes long and with seq is now the last one. */
static inline void
chain_advance(struct tes_db *db, const uint8_t *rec, size_t len, uint64_t seq)
{
	memcpy(db->head, rec + len - TES_JOURNAL_MAC_LEN, TES_JOURNAL_MAC_LEN);
	db->seq = seq;
	db->end += len;
}

/* dir.c */

/*
 * tes_db_create (db.h): the directory, its lock, storage.key, server.key and
 * the journal's header, each fsynced (spec/STORAGE.md#directory MUST-D1).
 */
int
tes_dir_create(const char *dir);

/* storage.key into the journal and drivers.enc keys (spec/STORAGE.md#directory MUST-D2: TES_ERR_KEY). */
int
tes_dir_keys_load(struct tes_db *db);

/* server.key, with the same rules (TES_ERR_KEY). */
int
tes_dir_server_load(struct tes_db *db);

/* Open the journal for reading and appending (db->jfd). */
int
tes_dir_journal_open(struct tes_db *db);

/* state.c */

/* A store in memory with nothing loaded: empty tables, no descriptors. */
struct tes_db *
tes_state_new(const char *dir);

/* Close the descriptors, wipe and free everything (NULL: nothing). */
void
tes_state_free(struct tes_db *db);

/* Number (index + 1) of the report with this id, 0 if none. */
size_t
tes_state_rep_find(const struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN]);

/* A new pending report whose REPORT record is at off (its id must not be stored yet). */
void
tes_state_rep_insert(struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN], uint64_t off);

/* Index + 1 of the unit with this name, 0 if none. */
size_t
tes_state_unit_find(const struct tes_db *db, const char *name, size_t len);

/* A new unit (its name must not be taken), with its key id. */
void
tes_state_unit_insert(struct tes_db *db, const struct tes_journal_unit *u);

/* Index + 1 of the user with this name, 0 if none. */
size_t
tes_state_user_find(const struct tes_db *db, const char *name, size_t len);

/* A new user (its name must not be taken). */
void
tes_state_user_insert(struct tes_db *db, const struct tes_journal_user *u);

/* The user at index i (same name) takes u's hash: a password change (tes-officer passwd). */
void
tes_state_user_rehash(struct tes_db *db, size_t i, const struct tes_journal_user *u);

/* Disable (on 0) or enable (on 1) the user at index i. */
void
tes_state_user_enable(struct tes_db *db, size_t i, int on);

/* A pending report gets its decision, the record at off. */
void
tes_state_decision_apply(struct tes_db *db, struct rep *x, uint64_t off);

/* A DECISION or AUDIT record at off, for tes_db_event_at. */
void
tes_state_event_note(struct tes_db *db, uint64_t off);

/* points.c */

/* The built-in policy as version 0 (a new store, before any POLICY record). */
void
tes_points_init(struct tes_db *db);

/* Free the policies, offences and imports. */
void
tes_points_free(struct tes_db *db);

/* A POLICY record's body: the next version, a text that parses. TES_ERR_CORRUPT otherwise. */
int
tes_points_policy_add(struct tes_db *db, const struct tes_journal_policy *m);

/*
 * Whether decision d's points are the ones its policy gives report r
 * (spec/STORAGE.md#bodies MUST-B4): approvals by the policy the decision
 * names (version and hash; a body without them: the built-in one), among the
 * first npol policies; rejections 0. 1 if so, else 0.
 */
int
tes_points_check(const struct tes_db *db, size_t npol, const struct tes_journal_decision *d,
		 const struct tes_report *r);

/* Points plate received at time (an approval or an import): its total and its offences. */
void
tes_points_add(struct tes_db *db, const char *plate, uint8_t len, uint32_t points, uint64_t time);

/* An IMPORT record: its batch (new, or the next index of one seen). TES_ERR_CORRUPT otherwise. */
int
tes_points_import_note(struct tes_db *db, const struct tes_journal_import *m);

/* An IMPORT record's points, kept for its plate's history. */
void
tes_points_import_keep(struct tes_db *db, const struct tes_journal_import *m);

/* Points of drv entry i inside the current policy's window at now (all of them when it has none). */
uint32_t
tes_points_window(const struct tes_db *db, size_t i, uint64_t now);

/* Whether points received at time still count at now under the current policy's window. */
int
tes_points_counts(const struct tes_db *db, uint64_t time, uint64_t now);

/* The batch with this hash: its index + 1, 0 if none. */
size_t
tes_points_batch_find(const struct tes_db *db, const uint8_t hash[static TES_SHA256_LEN]);

/* readback.c */

/* Check and decrypt a record that must have type and (unless NULL) key: TES_ERR_CORRUPT. */
int
tes_readback_open(const struct tes_db *db, const uint8_t *prev, const uint8_t *p, size_t n, uint8_t type,
		  const uint8_t *key, uint8_t plain[static TES_JOURNAL_CT_MAX], size_t *len);

/* Read the record at off (its bytes to the end of buf) and the chain value before it. */
int
tes_readback_pread(const struct tes_db *db, uint64_t off, uint8_t buf[static RBUF_LEN], const uint8_t **prev,
		   const uint8_t **p, size_t *n);

/* The REPORT record of report number (entry rp) from its bytes: TES_ERR_CORRUPT. */
int
tes_readback_report_decode(const struct tes_db *db, const uint8_t *prev, const uint8_t *p, size_t n,
			   const struct rep *rp, uint64_t number, struct tes_journal_report *m);

/* Report number read back from the file. */
int
tes_readback_report(const struct tes_db *db, uint64_t number, struct tes_journal_report *m);

/* Report entry idx and its decision, as tes_db_report_get gives it. */
int
tes_readback_fill(const struct tes_db *db, size_t idx, struct tes_db_report *out);

/* Event k (0 = the oldest), as tes_db_event_at gives it. */
int
tes_readback_event(const struct tes_db *db, size_t k, struct tes_db_event *out);

/* recover.c */

/*
 * tes_db_open_diag and, with recover set, tes_db_recover (db.h): lock, keys,
 * drivers.enc and the journal's replay.
 */
int
tes_recover_open(const char *dir, int recover, struct tes_db_damage *dmg, struct tes_db **out);

/* quarantine.c */

/* Copy the n bytes p found at journal offset off into a new file under quarantine/, fsynced: its name. */
int
tes_quarantine_keep(const struct tes_db *db, uint64_t off, const uint8_t *p, size_t n,
		    char name[static TES_QUARANTINE_NAME_MAX]);

/* Move file (of the data directory) into quarantine/, both directories fsynced: its new name. */
int
tes_quarantine_move(const struct tes_db *db, const char *file, char name[static TES_QUARANTINE_NAME_MAX]);

/* tes_db_quarantine_foreach (db.h). */
int
tes_quarantine_foreach(const struct tes_db *db, int (*fn)(void *ctx, const char *name, uint64_t size),
		       void *ctx);

/* tags.c */

/* After open: read the plate tags the replay did not learn, on a thread of their own. */
void
tes_tags_start(struct tes_db *db);

/* Collect the tags: when ready (wait 0), after waiting (1), or stop the thread (-1). */
void
tes_tags_reap(struct tes_db *db, int wait);

/* snapshot.c */

/*
 * Load drivers.enc (if any): s, and its entries in *v (*n of them; free with
 * tes_snapshot_entries_free). Any failure of the file is TES_ERR_CORRUPT.
 */
int
tes_snapshot_load(const struct tes_db *db, struct tes_driver **v, size_t *n, struct snap *s);

/* Wipe and free loaded entries (NULL: nothing). */
void
tes_snapshot_entries_free(struct tes_driver *v, size_t n);

/* The loaded entries into the store (db->snap set): offences, or a version-1 file's totals. */
int
tes_snapshot_apply(struct tes_db *db, const struct tes_driver *v, size_t n);

/* Make the journal durable, then write drivers.enc now (after any background rewrite). */
int
tes_snapshot_write(struct tes_db *db);

/* Start a background rewrite of drivers.enc (inline if no thread can be made). */
void
tes_snapshot_start(struct tes_db *db);

/* Collect a background rewrite: wait for it (wait 1), or only if it has ended (0); its error. */
int
tes_snapshot_reap(struct tes_db *db, int wait);

/* A failed snapshot is reported on stderr (and retried later); returns r. */
int
tes_snapshot_warn(int r);

/* verify.c */

/* tes_db_verify (db.h), once a background rewrite has ended. */
int
tes_verify(struct tes_db *db, char *msg, size_t cap, uint64_t *records);

#endif
