/* SPDX-License-Identifier: ISC */
/*
 * Opening the store and crash recovery (spec/STORAGE.md#recovery): the lock
 * and the keys, drivers.enc loaded while the journal's MAC chain is checked
 * on every core, the records replayed into memory in order, and a torn last
 * record cut off only when everything before it is sound. Open decrypts only
 * what the in-memory state needs (units, users, decisions after the
 * snapshot); reports are read back on demand (readback.c) and their plate
 * tags afterwards (tags.c). Internal to src/store (dbint.h).
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/ct.h"
#include "common/cur.h"
#include "common/err.h"
#include "common/file.h"
#include "common/wipe.h"
#include "crypto/hmac.h"
#include "crypto/rng.h"
#include "store/alloc.h"
#include "store/dbint.h"
#include "store/seal.h"

enum {
	CHAIN_THREADS_MAX = 8, /* threads that check the journal's macs at open */
	CHAIN_PARTS = 64       /* runs of records they share out */
};

/*
 * Note the first damage an open finds (spec/STORAGE.md#recovery MUST-RC2):
 * what it is, in which file and where, for the caller and for a recovery.
 */
static int
damage(struct tes_db *db, enum dmg_kind kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static int
damage(struct tes_db *db, enum dmg_kind kind, const char *fmt, ...)
{
	va_list ap;

	if (db->dmg_kind != DMG_NONE)
		return TES_ERR_CORRUPT;
	db->dmg_kind = kind;
	if (db->dmg != NULL) {
		va_start(ap, fmt);
		vsnprintf(db->dmg->text, sizeof(db->dmg->text), fmt, ap);
		va_end(ap);
	}
	return TES_ERR_CORRUPT;
}

/*
 * Decrypt the record at p whose header and mac replay_rec() has just
 * checked (spec/STORAGE.md#journal MUST-J6 holds): the same result as tes_readback_open() without a
 * second mac pass, which cost a tenth of the start-up time of a large journal.
 */
static int
rec_decrypt_checked(const struct tes_db *db, const uint8_t *p, const struct tes_journal_hdr *h,
		    uint8_t plain[static TES_JOURNAL_CT_MAX], size_t *len)
{
	size_t ct = h->total_len - TES_JOURNAL_OVERHEAD;

	if (h->total_len < TES_JOURNAL_REC_MIN || ct > TES_JOURNAL_CT_MAX || ct % TES_DES_BLOCK != 0)
		return TES_ERR_CORRUPT;
	memcpy(plain, p + TES_JOURNAL_HDR_LEN + TES_JOURNAL_IV_LEN, ct);
	tes_seal_decrypt(&db->jk, p + TES_JOURNAL_HDR_LEN, plain, ct);
	if (tes_seal_unpad(plain, ct, len) != 0) {
		tes_wipe(plain, ct);
		return TES_ERR_CORRUPT;
	}
	return 0;
}

/* tes_state_rep_insert() of an id not stored yet, with one table probe; TES_ERR_CORRUPT for a stored one. */
static int
rep_insert_new(struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN], uint64_t off)
{
	struct rep *x;

	if (tes_index_put_new(&db->trep, db->hk, db->reps, id, TES_REPORT_ID_LEN, db->nrep) != 0)
		return TES_ERR_CORRUPT;
	db->reps = grow(db->reps, &db->caprep, db->nrep, sizeof(*db->reps));
	x = &db->reps[db->nrep++];
	memset(x, 0, sizeof(*x));
	memcpy(x->id, id, TES_REPORT_ID_LEN);
	x->off = off;
	db->pending++;
	return 0;
}

static int
replay_unit(struct tes_db *db, const uint8_t *plain, size_t len)
{
	struct tes_journal_unit u;

	if (tes_journal_unit_decode(plain, len, &u) != 0 || tes_state_unit_find(db, u.name, u.name_len) != 0)
		return TES_ERR_CORRUPT;
	tes_state_unit_insert(db, &u);
	return 0;
}

/* A REVOKE names a registered, not yet revoked unit; anything else is damage (spec/STORAGE.md#bodies MUST-B6). */
static int
replay_revoke(struct tes_db *db, const uint8_t *plain, size_t len)
{
	char name[TES_NAME_MAX + 1];
	uint8_t n;
	size_t i;

	if (tes_journal_revoke_decode(plain, len, name, &n) != 0 ||
	    (i = tes_state_unit_find(db, name, n)) == 0 || db->unit_revoked[i - 1])
		return TES_ERR_CORRUPT;
	db->unit_revoked[i - 1] = 1;
	return 0;
}

static int
replay_user(struct tes_db *db, const uint8_t *plain, size_t len)
{
	struct tes_journal_user u;
	size_t i;
	int r = TES_ERR_CORRUPT;

	if (tes_journal_user_decode(plain, len, &u) != 0)
		goto out;
	/* a later USER record of a recorded name is a password change: same role, new hash
	 * (spec/STORAGE.md#bodies MUST-B2) */
	if ((i = tes_state_user_find(db, u.name, u.name_len)) != 0) {
		if (db->users[i - 1].role != u.role)
			goto out;
		tes_state_user_rehash(db, i - 1, &u);
		tes_state_user_enable(db, i - 1, 1);
	} else {
		tes_state_user_insert(db, &u);
	}
	r = 0;
out:
	TES_WIPE_CTX(&u);
	return r;
}

/* POLICY: the next version, a policy that parses (spec/STORAGE.md#bodies MUST-B8). */
static int
replay_policy(struct tes_db *db, const uint8_t *plain, size_t len)
{
	struct tes_journal_policy m;

	if (tes_journal_policy_decode(plain, len, &m) != 0)
		return TES_ERR_CORRUPT;
	return tes_points_policy_add(db, &m);
}

/* DISABLE: a user, disabled until a later USER record (spec/STORAGE.md#bodies MUST-B9). */
static int
replay_disable(struct tes_db *db, const uint8_t *plain, size_t len)
{
	struct tes_journal_disable m;
	size_t i;

	if (tes_journal_disable_decode(plain, len, &m) != 0 ||
	    (i = tes_state_user_find(db, m.name, m.name_len)) == 0)
		return TES_ERR_CORRUPT;
	tes_state_user_enable(db, i - 1, 0);
	return 0;
}

/*
 * IMPORT: the next record of its batch (spec/STORAGE.md#bodies MUST-B10); its
 * points count unless drivers.enc took them in.
 */
static int
replay_import(struct tes_db *db, const struct tes_journal_hdr *h, const uint8_t *plain, size_t len)
{
	struct tes_journal_import m;

	if (tes_journal_import_decode(plain, len, &m) != 0 || tes_points_import_note(db, &m) != 0)
		return TES_ERR_CORRUPT;
	tes_points_import_keep(db, &m);
	if (h->seq > db->snap.seq || db->snap.v1)
		tes_points_add(db, m.plate, m.plate_len, m.points, m.time);
	return 0;
}

/*
 * A decision after the snapshot (or with no snapshot): decrypted, checked
 * against its report (decrypted for its speed and plate), and its points
 * added to the plate.
 */
static int
replay_decision_body(struct tes_db *db, const uint8_t *map, size_t size, const struct tes_journal_hdr *h,
		     uint64_t off, struct rep *x, size_t num)
{
	uint8_t plain[TES_JOURNAL_CT_MAX];
	struct tes_journal_decision d;
	struct tes_journal_report m;
	size_t len;
	int r = TES_ERR_CORRUPT;

	if (rec_decrypt_checked(db, map + off, h, plain, &len) != 0 ||
	    tes_journal_decision_decode(plain, len, &d) != 0 ||
	    memcmp(d.id, h->key, TES_REPORT_ID_LEN) != 0 ||
	    tes_readback_report_decode(db, prev_in(db, map, x->off), map + x->off, size - x->off, x, num,
				       &m) != 0)
		goto out;
	/*= spec/STORAGE.md#bodies MUST-B4: points from the policy the decision names */
	if (!tes_points_check(db, db->npol, &d, &m.r))
		goto out;
	if (d.verdict == TES_VERDICT_APPROVE)
		tes_points_add(db, m.r.plate, m.r.plate_len, d.points, m.r.time);
	x->ptag = tes_index_plate_tag(db->hk, m.r.plate, m.r.plate_len);
	db->since++;
	r = 0;
out:
	TES_WIPE_BUF(plain);
	return r;
}

/*
 * A decision: the report its clear key names must be stored earlier and
 * pending (exactly one decision per report). A decision the snapshot covers
 * is not decrypted: its points are in the snapshot's totals, and its body is
 * checked when its report is read back (decision_read) and by verify.
 */
static int
replay_decision(struct tes_db *db, const uint8_t *map, size_t size, const struct tes_journal_hdr *h,
		uint64_t off)
{
	struct rep *x;
	size_t num;

	/*= spec/STORAGE.md#recovery: exactly one DECISION per earlier REPORT, from the clear key */
	if ((num = tes_state_rep_find(db, h->key)) == 0)
		return TES_ERR_CORRUPT;
	x = &db->reps[num - 1];
	if (x->doff != 0)
		return TES_ERR_CORRUPT;
	/* a version-1 drivers.enc has no times: every decision is read (spec/STORAGE.md#drivers) */
	if ((h->seq > db->snap.seq || db->snap.v1) &&
	    replay_decision_body(db, map, size, h, off, x, num) != 0)
		return TES_ERR_CORRUPT;
	tes_state_decision_apply(db, x, off);
	return 0;
}

/* Index one authentic record; any inconsistency is TES_ERR_CORRUPT. */
static int
replay_apply(struct tes_db *db, const uint8_t *map, size_t size, uint64_t off,
	     const struct tes_journal_hdr *h)
{
	uint8_t plain[TES_JOURNAL_CT_MAX];
	size_t len;
	int r = TES_ERR_CORRUPT;

	if (h->type == TES_JREC_REPORT)
		return rep_insert_new(db, h->key, off);
	if (h->type == TES_JREC_AUDIT || h->type == TES_JREC_DECISION)
		tes_state_event_note(db, off);
	if (h->type == TES_JREC_AUDIT)
		return 0;
	if (h->type == TES_JREC_DECISION)
		return replay_decision(db, map, size, h, off);
	if (rec_decrypt_checked(db, map + off, h, plain, &len) != 0)
		goto out;
	if (h->type == TES_JREC_UNIT)
		r = replay_unit(db, plain, len);
	else if (h->type == TES_JREC_REVOKE)
		r = replay_revoke(db, plain, len);
	else if (h->type == TES_JREC_USER)
		r = replay_user(db, plain, len);
	else if (h->type == TES_JREC_POLICY)
		r = replay_policy(db, plain, len);
	else if (h->type == TES_JREC_DISABLE)
		r = replay_disable(db, plain, len);
	else if (h->type == TES_JREC_IMPORT)
		r = replay_import(db, h, plain, len);
out:
	TES_WIPE_BUF(plain);
	return r;
}

/*
 * Apply the record at db->end, whose header and mac the chain check has
 * verified (spec/STORAGE.md#journal MUST-J2..J6 hold): a sequence gap, an authentic record that
 * makes no sense or a snapshot mismatch is TES_ERR_CORRUPT.
 */
static int
replay_rec(struct tes_db *db, const uint8_t *map, size_t size)
{
	uint64_t off = db->end;
	struct tes_journal_hdr h;

	if (tes_journal_hdr_decode(map + off, size - off, &h) != 0 || h.total_len > size - off)
		return damage(db, DMG_JOURNAL,
			      "%s/%s: record %llu at offset %llu: its header changed while it was read",
			      db->dir, NAME_JOURNAL, (unsigned long long)db->seq + 1,
			      (unsigned long long)off);
	/*= spec/STORAGE.md#journal MUST-J4: contiguous seq */
	if (h.seq != db->seq + 1)
		return damage(db, DMG_JOURNAL,
			      "%s/%s: record at offset %llu has sequence number %llu, not %llu", db->dir,
			      NAME_JOURNAL, (unsigned long long)off, (unsigned long long)h.seq,
			      (unsigned long long)db->seq + 1);
	if (replay_apply(db, map, size, off, &h) != 0)
		return damage(
			db, DMG_JOURNAL,
			"%s/%s: record %llu at offset %llu is authentic but does not fit the store (a "
			"duplicate name or id, a decision for an unknown or decided report, wrong points "
			"or a malformed body)",
			db->dir, NAME_JOURNAL, (unsigned long long)h.seq, (unsigned long long)off);
	chain_advance(db, map + off, h.total_len, h.seq);
	if (db->snap.present && db->snap.seq == db->seq &&
	    tes_ct_eq(db->head, db->snap.mac, TES_JOURNAL_MAC_LEN) != 0)
		return damage(db, DMG_SNAPSHOT,
			      "%s/%s: its chain value differs from the journal's at record %llu", db->dir,
			      NAME_DRIVERS, (unsigned long long)db->seq);
	if (db->snap.present && db->snap.v1 && db->snap.seq == db->seq &&
	    !tes_index_map_equal(&db->drv, &db->v1drv, db->hk))
		return damage(db, DMG_SNAPSHOT, "%s/%s: its totals differ from the journal's at record %llu",
			      db->dir, NAME_DRIVERS, (unsigned long long)db->seq);
	return 0;
}

static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	for (i = 0; i < n && p[i] == 0; i++)
		;
	return i == n;
}

/*
 * Whether the n bytes from off, to the end of the file, are a whole record
 * under the length they actually have: then the record was written in full
 * and only its length field is damaged.
 */
static int
whole_under_own_length(const struct tes_db *db, const uint8_t *map, size_t size, uint64_t off)
{
	uint8_t rec[TES_JOURNAL_REC_MAX];
	struct tes_journal_hdr h;
	size_t n = size - off;
	int r;

	if (n < TES_JOURNAL_REC_MIN || n > sizeof(rec))
		return 0;
	memcpy(rec, map + off, n);
	tes_cur_enc32be(rec, (uint32_t)n);
	r = tes_journal_check(&db->jk, prev_in(db, map, off), rec, n, &h) == 0;
	memset(rec, 0, sizeof(rec));
	return r;
}

/*
 * Whether an authentic record starts anywhere after the failed one at off
 * (records are 8-byte aligned): then the failure is damage, not a torn
 * append, whatever its length field says. Counts them into *later (may be
 * NULL: stop at the first).
 */
static int
authentic_after(const struct tes_db *db, const uint8_t *map, size_t size, uint64_t off, uint64_t *later)
{
	struct tes_journal_hdr h;
	uint64_t q, k = 0;

	for (q = off + TES_DES_BLOCK; q + TES_JOURNAL_REC_MIN <= size; q += TES_DES_BLOCK)
		if (q >= TES_JOURNAL_MAC_LEN &&
		    tes_journal_check(&db->jk, map + q - TES_JOURNAL_MAC_LEN, map + q, size - q, &h) == 0) {
			if (later == NULL)
				return 1;
			k++;
		}
	if (later != NULL)
		*later = k;
	return k != 0;
}

/*
 * Classify the bytes from the first failed record at db->end to the end of
 * the file (spec/STORAGE.md#recovery MUST-RC1, RC2): 0 for an interrupted
 * append (fewer bytes than a header, a record whose length reaches past the
 * end of the file and whose bytes are not a whole record under their own
 * length, or zeros), else the damage, described.
 */
static int
tail_classify(struct tes_db *db, const uint8_t *map, size_t size, int why)
{
	const uint8_t *p = map + db->end;
	size_t n = size - db->end, len;
	const char *what;

	if (all_zero(p, n))
		return 0;
	len = n < TES_JOURNAL_HDR_LEN ? n + 1 : tes_cur_dec32be(p);
	if (authentic_after(db, map, size, db->end, NULL))
		what = "fails its check, and authentic records follow it";
	else if (len == n)
		what = "was written in full but fails its check";
	else if (len < n)
		what = "fails its check and does not reach the end of the file";
	else if (whole_under_own_length(db, map, size, db->end))
		what = "has a damaged length field: the bytes left verify as a whole record";
	else
		return 0;
	return damage(db, DMG_JOURNAL,
		      "%s/%s: record %llu at offset %llu (%zu bytes to the end of the file) %s (%s)", db->dir,
		      NAME_JOURNAL, (unsigned long long)db->seq + 1, (unsigned long long)db->end, n, what,
		      tes_err_str(why));
}

/* Keep the interrupted append in quarantine/, then cut it off (spec/STORAGE.md#recovery MUST-RC1). */
static int
cut_tail(struct tes_db *db, const uint8_t *map, size_t size, int why)
{
	char name[TES_QUARANTINE_NAME_MAX];
	int r;

	if ((r = tes_quarantine_keep(db, db->end, map + db->end, size - db->end, name)) != 0) {
		fprintf(stderr,
			"tes: %s/%s: cannot keep the interrupted append at offset %llu in %s/%s/: %s\n",
			db->dir, NAME_JOURNAL, (unsigned long long)db->end, db->dir, NAME_QUARANTINE,
			tes_err_str(r));
		return r;
	}
	fprintf(stderr,
		"tes: warning: %s/%s: %llu bytes after record %llu (offset %llu) are an interrupted append "
		"(%s): "
		"kept in %s/%s/%s and cut\n",
		db->dir, NAME_JOURNAL, (unsigned long long)(size - db->end), (unsigned long long)db->seq,
		(unsigned long long)db->end,
		all_zero(map + db->end, size - db->end) ? "zeros" : tes_err_str(why), db->dir,
		NAME_QUARANTINE, name);
	if (tes_file_truncate(db->jfd, db->end) != 0 || tes_file_sync(db->jfd) != 0)
		return TES_ERR_IO;
	return 0;
}

/* File header and genesis. */
static int
replay_start(struct tes_db *db, const uint8_t *map, size_t size)
{
	uint64_t created;

	if (tes_journal_file_hdr_decode(map, size, &created) != 0)
		return damage(db, DMG_OTHER, "%s/%s: offset 0: not a TES journal file header", db->dir,
			      NAME_JOURNAL);
	tes_journal_genesis(&db->jk, map, db->genesis);
	memcpy(db->head, db->genesis, sizeof(db->head));
	db->seq = 0;
	db->end = TES_JOURNAL_FILE_HDR_LEN;
	return 0;
}

/*
 * The chain check (spec/STORAGE.md#recovery): each record's header and mac
 * against the 32 bytes stored before it (the genesis value for the first).
 * Record n's mac covers the stored mac of record n - 1, so records that
 * pass one by one form the same chain as a sequential walk, and runs of
 * records can be checked on several cores at once. A first walk over the
 * clear headers cuts the journal into CHAIN_PARTS runs; threads take the
 * next unchecked run until none is left, so a thread that gets less CPU
 * (the cores are shared) checks fewer runs.
 */
struct chain_part {
	uint64_t from, to; /* record boundaries found by chain_walk() */
	uint64_t bad;      /* the first record that fails, or to */
	int r;             /* its tes_journal_check() error, 0 if none */
};

struct chain {
	const struct tes_db *db;
	const uint8_t *map;
	size_t size;
	struct tes_hmac_key mk; /* the journal mac key, made ready once */
	struct chain_part part[CHAIN_PARTS];
	size_t nparts;
	uint64_t limit;     /* where the header walk stopped */
	size_t nreports;    /* REPORT headers before limit */
	atomic_size_t next; /* the next run to check */
};

/*
 * tes_journal_check() of the record at p under the ready mac key: the same
 * checks in the same order (the header by tes_journal_hdr_decode, all
 * total_len bytes present, the mac compared in constant time), with two
 * SHA-256 blocks fewer per record than keying the HMAC each time.
 */
static int
chain_rec_check(const struct tes_hmac_key *mk, const uint8_t prev[static TES_JOURNAL_MAC_LEN],
		const uint8_t *p, size_t n, struct tes_journal_hdr *h)
{
	uint8_t mac[TES_JOURNAL_MAC_LEN];
	struct tes_hmac c;
	int r;

	if ((r = tes_journal_hdr_decode(p, n, h)) != 0)
		return r;
	if (n < h->total_len)
		return TES_ERR_TRUNCATED;
	tes_hmac_init_ready(&c, mk);
	tes_hmac_update(&c, prev, TES_JOURNAL_MAC_LEN);
	tes_hmac_update(&c, p, h->total_len - TES_JOURNAL_MAC_LEN);
	tes_hmac_out(&c, mac);
	return tes_ct_eq(mac, p + h->total_len - TES_JOURNAL_MAC_LEN, TES_JOURNAL_MAC_LEN) == 0 ? 0
												: TES_ERR_MAC;
}

static void
chain_check_part(const struct chain *c, struct chain_part *p)
{
	struct tes_journal_hdr h;
	uint64_t off = p->from;
	int r = 0;

	/*= spec/STORAGE.md#journal MUST-J6: every mac checked before any record is decrypted */
	while (off < p->to) {
		if ((r = chain_rec_check(&c->mk, prev_in(c->db, c->map, off), c->map + off, c->size - off,
					 &h)) != 0)
			break;
		off += h.total_len;
	}
	/* the walk found these boundaries in the same bytes; anything else is damage */
	if (r == 0 && off != p->to)
		r = TES_ERR_CORRUPT;
	p->bad = off;
	p->r = r;
}

static void *
chain_worker(void *arg)
{
	struct chain *c = arg;
	size_t i;

	while ((i = atomic_fetch_add(&c->next, 1)) < c->nparts)
		chain_check_part(c, &c->part[i]);
	return NULL;
}

/*
 * Cut the records from the start to the first one whose header does not
 * decode or whose total_len passes the end of the file (c->limit) into
 * runs of about equal size, and count the REPORT headers on the way.
 */
static void
chain_walk(struct chain *c)
{
	uint64_t off = TES_JOURNAL_FILE_HDR_LEN, step = (c->size - off) / CHAIN_PARTS + 1;
	struct tes_journal_hdr h;
	size_t i = 0;

	c->nreports = 0;
	c->part[0].from = off;
	while (off < c->size && tes_journal_hdr_decode(c->map + off, c->size - off, &h) == 0 &&
	       h.total_len <= c->size - off) {
		if (i + 1 < CHAIN_PARTS && off - TES_JOURNAL_FILE_HDR_LEN >= (i + 1) * step) {
			c->part[i].to = off;
			c->part[++i].from = off;
		}
		c->nreports += h.type == TES_JREC_REPORT;
		off += h.total_len;
	}
	c->part[i].to = off;
	c->nparts = i + 1;
	c->limit = off;
}

static size_t
chain_threads(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > CHAIN_THREADS_MAX ? CHAIN_THREADS_MAX : (size_t)n;
}

/*
 * Check the whole chain on every core: *bad gets the offset of the first
 * record that fails its check (the file size if none) and the return
 * value its error (0 if none). c->nreports counts the REPORT headers.
 */
static int
chain_scan(struct chain *c, uint64_t *bad)
{
	pthread_t t[CHAIN_THREADS_MAX];
	int started[CHAIN_THREADS_MAX] = { 0 };
	struct tes_journal_hdr h;
	size_t n = chain_threads(), i;
	int r;

	chain_walk(c);
	tes_hmac_key_init(&c->mk, c->db->jk.mac, sizeof(c->db->jk.mac));
	atomic_init(&c->next, 0);
	for (i = 1; i < n && i < c->nparts; i++)
		started[i] = pthread_create(&t[i], NULL, chain_worker, c) == 0;
	chain_worker(c); /* this thread checks runs too, and any a failed thread left */
	for (i = 1; i < n; i++)
		if (started[i])
			pthread_join(t[i], NULL);
	for (i = 0; i < c->nparts; i++)
		if (c->part[i].r != 0) {
			*bad = c->part[i].bad;
			return c->part[i].r;
		}
	*bad = c->limit;
	if (c->limit == c->size)
		return 0;
	/* the record the walk stopped at: its own error */
	r = tes_journal_check(&c->db->jk, prev_in(c->db, c->map, c->limit), c->map + c->limit,
			      c->size - c->limit, &h);
	return r != 0 ? r : TES_ERR_CORRUPT;
}

enum {
	RETRY = 1
}; /* tes_recover_open: a recovery moved something, open again */

/* Append to dmg->done what a recovery moved. */
static void
done_note(struct tes_db_damage *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void
done_note(struct tes_db_damage *d, const char *fmt, ...)
{
	size_t len = strlen(d->done);
	va_list ap;

	if (len != 0 && len + 2 < sizeof(d->done))
		len += (size_t)snprintf(d->done + len, sizeof(d->done) - len, "; ");
	va_start(ap, fmt);
	vsnprintf(d->done + len, sizeof(d->done) - len, fmt, ap);
	va_end(ap);
}

/*
 * tes_db_recover (spec/STORAGE.md#recovery MUST-RC4): move what the failed
 * open found damaged to quarantine/ — the journal from the damaged record
 * on, or drivers.enc — and ask for another open (RETRY). Damage elsewhere
 * stays TES_ERR_CORRUPT.
 */
static int
mend(struct tes_db *db, const uint8_t *map, size_t size)
{
	char name[TES_QUARANTINE_NAME_MAX];
	uint64_t later = 0;
	int r;

	if (db->dmg_kind == DMG_JOURNAL) {
		authentic_after(db, map, size, db->end, &later);
		if ((r = tes_quarantine_keep(db, db->end, map + db->end, size - db->end, name)) != 0)
			return r;
		if (tes_file_truncate(db->jfd, db->end) != 0 || tes_file_sync(db->jfd) != 0)
			return TES_ERR_IO;
		db->dmg->later += later;
		done_note(db->dmg, "%llu bytes of the journal from offset %llu (after record %llu) to %s/%s",
			  (unsigned long long)(size - db->end), (unsigned long long)db->end,
			  (unsigned long long)db->seq, NAME_QUARANTINE, name);
		return RETRY;
	}
	if (db->dmg_kind == DMG_SNAPSHOT) {
		if ((r = tes_quarantine_move(db, NAME_DRIVERS, name)) != 0)
			return r;
		done_note(db->dmg, "%s to %s/%s (it is rebuilt from the journal)", NAME_DRIVERS,
			  NAME_QUARANTINE, name);
		return RETRY;
	}
	return TES_ERR_CORRUPT;
}

/* drivers.enc is read and checked while the journal's chain is. */
struct snap_job {
	struct tes_db *db;
	int r;
};

static void *
snap_worker(void *arg)
{
	struct snap_job *j = arg;

	struct tes_driver *v;
	size_t n;

	if ((j->r = tes_snapshot_load(j->db, &v, &n, &j->db->snap)) == 0)
		j->r = tes_snapshot_apply(j->db, v, n);
	tes_snapshot_entries_free(v, n);
	return NULL;
}

/*
 * Load drivers.enc and check the mapped journal's chain (at the same time),
 * then apply the journal's records in order up to the first that fails;
 * nothing is truncated unless the rest is sound.
 */
static int
replay_map(struct tes_db *db, const uint8_t *map, size_t size, int recover)
{
	struct snap_job sj = { .db = db, .r = 0 };
	struct chain *c = xcalloc(1, sizeof(*c));
	pthread_t st;
	uint64_t bad = 0;
	int sthread, r;

	/* the loader touches db->drv, the offences, db->v1drv and db->snap only, the chain check none */
	if (!(sthread = pthread_create(&st, NULL, snap_worker, &sj) == 0))
		snap_worker(&sj);
	c->db = db, c->map = map, c->size = size;
	if ((r = replay_start(db, map, size)) == 0)
		r = chain_scan(c, &bad);
	if (sthread)
		pthread_join(st, NULL);
	if (sj.r != 0) {
		r = damage(db, DMG_SNAPSHOT, "%s/%s: %s", db->dir, NAME_DRIVERS, tes_err_str(sj.r));
		goto out;
	}
	if (r == TES_ERR_CORRUPT) {
		r = damage(db, DMG_OTHER, "%s/%s: changed while it was read", db->dir, NAME_JOURNAL);
		goto out;
	}
	/*= spec/STORAGE.md#drivers MUST-SN3: a snapshot taken on an empty journal */
	if (db->snap.present && db->snap.seq == 0 &&
	    tes_ct_eq(db->head, db->snap.mac, TES_JOURNAL_MAC_LEN) != 0) {
		r = damage(db, DMG_SNAPSHOT, "%s/%s: taken on an empty journal, but not on this one", db->dir,
			   NAME_DRIVERS);
		goto out;
	}
	tes_index_reserve(&db->trep, c->nreports);
	if (db->caprep < c->nreports) {
		db->reps = xrealloc(db->reps, c->nreports, sizeof(*db->reps));
		db->caprep = c->nreports;
	}
	while (db->end < bad)
		if (replay_rec(db, map, size) != 0) {
			r = TES_ERR_CORRUPT;
			goto out;
		}
	/*= spec/STORAGE.md#recovery MUST-RC1..RC3: cut an interrupted append only once everything else is sound */
	if (r != 0 && tail_classify(db, map, size, r) != 0)
		r = TES_ERR_CORRUPT;
	else if (db->snap.present && db->snap.seq > db->seq)
		r = damage(db, DMG_SNAPSHOT,
			   "%s/%s: covers journal record %llu, past the last good record %llu", db->dir,
			   NAME_DRIVERS, (unsigned long long)db->snap.seq, (unsigned long long)db->seq);
	else if (r != 0)
		r = cut_tail(db, map, size, r);
out:
	if (r == TES_ERR_CORRUPT && recover)
		r = mend(db, map, size);
	TES_WIPE_CTX(&c->mk);
	free(c);
	return r;
}

static int
replay(struct tes_db *db, int recover)
{
	struct stat st;
	void *map;
	int r;

	if (fstat(db->jfd, &st) != 0)
		return TES_ERR_IO;
	if (st.st_size < TES_JOURNAL_FILE_HDR_LEN)
		return damage(db, DMG_OTHER, "%s/%s: %lld bytes, shorter than its file header", db->dir,
			      NAME_JOURNAL, (long long)st.st_size);
	map = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED, db->jfd, 0);
	if (map == MAP_FAILED)
		return TES_ERR_IO;
	r = replay_map(db, map, (size_t)st.st_size, recover);
	munmap(map, (size_t)st.st_size);
	return r;
}

/* One open: the damage it finds goes to dmg (may be NULL); with recover, what it moves too. */
static int
open_once(const char *dir, int recover, struct tes_db_damage *dmg, struct tes_db **out)
{
	struct tes_db *db;
	int r = TES_ERR_INTERNAL;

	*out = NULL;
	db = tes_state_new(dir);
	db->dmg = dmg;
	if ((db->dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		r = errno == ENOENT ? TES_ERR_NOTFOUND : TES_ERR_IO;
		goto out;
	}
	tes_rng_bytes(db->hk, sizeof(db->hk));
	/*= spec/STORAGE.md#directory MUST-D3: one process holds the store's lock */
	if ((r = tes_file_lock(db->dfd, NAME_LOCK, 0, &db->lfd)) != 0)
		goto out;
	if ((r = tes_dir_keys_load(db)) != 0 || (r = tes_dir_server_load(db)) != 0) {
		if (r == TES_ERR_CORRUPT)
			damage(db, DMG_OTHER, "%s/%s or %s: %s", dir, NAME_SKEY, NAME_SERVER, tes_err_str(r));
		goto out;
	}
	if ((r = tes_dir_journal_open(db)) != 0 || (r = replay(db, recover)) != 0)
		goto out;
	tes_tags_start(db);
	db->dmg = NULL;
	*out = db;
	db = NULL;
	r = 0;
out:
	tes_state_free(db);
	return r;
}

/* see dbint.h */
int
tes_recover_open(const char *dir, int recover, struct tes_db_damage *dmg, struct tes_db **out)
{
	struct tes_db_damage again;
	int r, tries;

	if (dmg != NULL)
		memset(dmg, 0, sizeof(*dmg));
	if (recover && dmg == NULL)
		return TES_ERR_ARG;
	r = open_once(dir, recover, dmg, out);
	/* each try moves one thing (the journal's tail, drivers.enc) or fails */
	for (tries = 0; r == RETRY && tries < 3; tries++) {
		again = *dmg;
		again.text[0] = '\0';
		r = open_once(dir, recover, &again, out);
		memcpy(dmg->done, again.done, sizeof(dmg->done));
		dmg->later = again.later;
	}
	return r == RETRY ? TES_ERR_CORRUPT : r;
}
