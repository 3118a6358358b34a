/* SPDX-License-Identifier: ISC */
/*
 * The officer server's database (db.h, spec/STORAGE.md): the public API.
 * Appends (one sealed record per write(), made durable by tes_db_sync),
 * look-ups in memory, reads that go back to the journal, decisions and
 * their totals. Opening and recovery are in recover.c, drivers.enc in
 * snapshot.c, the verifier in verify.c; dbint.h lists the store's files.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/file.h"
#include "common/wipe.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "crypto/sha256.h"
#include "store/alloc.h"
#include "store/dbint.h"

/* see db.h */
int
tes_db_create(const char *dir)
{
	return tes_dir_create(dir);
}

/* see db.h */
int
tes_db_open(const char *dir, struct tes_db **out)
{
	return tes_recover_open(dir, 0, NULL, out);
}

/* see db.h */
int
tes_db_open_diag(const char *dir, struct tes_db_damage *dmg, struct tes_db **out)
{
	return tes_recover_open(dir, 0, dmg, out);
}

/* see db.h */
int
tes_db_recover(const char *dir, struct tes_db_damage *dmg, struct tes_db **out)
{
	return tes_recover_open(dir, 1, dmg, out);
}

/* see db.h */
int
tes_db_quarantine_foreach(const struct tes_db *db, int (*fn)(void *ctx, const char *name, uint64_t size),
			  void *ctx)
{
	return tes_quarantine_foreach(db, fn, ctx);
}

/* Appends */

/* Seal and write one record at the end of the journal (one write()). */
static int
append(struct tes_db *db, uint8_t type, const uint8_t *key, const uint8_t *body, size_t n, uint64_t *off)
{
	uint8_t rec[TES_JOURNAL_REC_MAX], iv[TES_JOURNAL_IV_LEN];
	struct tes_journal_hdr h;
	size_t used;
	int r = TES_ERR_INTERNAL;

	if (db->broken)
		return TES_ERR_IO;
	memset(&h, 0, sizeof(h));
	h.type = type;
	h.seq = db->seq + 1;
	if (key != NULL)
		memcpy(h.key, key, TES_JOURNAL_KEY_LEN);
	tes_rng_bytes(iv, sizeof(iv));
	if ((r = tes_journal_seal(&db->jk, db->head, &h, iv, body, n, rec, sizeof(rec), &used)) != 0)
		return r;
	/*= spec/STORAGE.md#journal MUST-J7, #durability MUST-DU2 */
	if ((r = tes_file_write_all(db->jfd, rec, used)) != 0) {
		/* take back a partial record; if that fails too, stop writing */
		if (tes_file_truncate(db->jfd, db->end) != 0)
			db->broken = 1;
		return r; /* TES_ERR_NOSPACE on a full disk: the store stays usable */
	}
	if (off != NULL)
		*off = db->end;
	if (type == TES_JREC_DECISION || type == TES_JREC_AUDIT)
		tes_state_event_note(db, db->end);
	chain_advance(db, rec, used, h.seq);
	return 0;
}

/* see db.h */
int
tes_db_sync(struct tes_db *db)
{
	int r;

	(void)tes_snapshot_reap(db, 0); /* collect a finished background compaction */
	tes_tags_reap(db, 0);           /* and the plate tags once they are read */
	if (db->broken)
		return TES_ERR_IO;
	if ((r = tes_file_datasync(db->jfd)) != 0) {
		/* the page cache state is unknown after a failed fsync */
		db->broken = 1;
		return r;
	}
	return 0;
}

/* Append and make durable. */
static int
append_sync(struct tes_db *db, uint8_t type, const uint8_t *key, const uint8_t *body, size_t n, uint64_t *off)
{
	int r;

	if ((r = append(db, type, key, body, n, off)) != 0)
		return r;
	return tes_db_sync(db);
}

/* A caller's C string of at most max bytes (NULL = empty) into out[max + 1]. */
static int
str_take(const char *s, size_t max, char *out, uint8_t *len, int err)
{
	size_t n = s == NULL ? 0 : strnlen(s, max + 1);

	if (n > max)
		return err;
	memcpy(out, s == NULL ? "" : s, n);
	out[n] = '\0';
	*len = (uint8_t)n;
	return 0;
}

/* see db.h */
const struct tes_rsa_priv *
tes_db_server_key(const struct tes_db *db)
{
	return &db->server;
}

/* One key, one unit: is this key in a UNIT record already (revoked or not)?
 * Only a new registration is held to it; replay takes what the journal has. */
static int
key_held(const struct tes_db *db, const struct tes_rsa_pub *pub)
{
	/*= spec/STORAGE.md#bodies MUST-B7 */
	uint8_t id[TES_KEYID_LEN];
	size_t i;

	tes_rsa_keyid(pub, id);
	for (i = 0; i < db->nunit; i++)
		if (memcmp(db->unit_ids[i], id, TES_KEYID_LEN) == 0)
			return 1;
	return 0;
}

/* see db.h */
int
tes_db_unit_add(struct tes_db *db, const char *name, const struct tes_rsa_pub *pub)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_unit u;
	size_t n;
	int r;

	memset(&u, 0, sizeof(u));
	if ((r = str_take(name, TES_NAME_MAX, u.name, &u.name_len, TES_ERR_NAME)) != 0)
		return r;
	u.pub = *pub;
	if ((r = tes_journal_unit_encode(&u, body, sizeof(body), &n)) != 0)
		return r;
	if (tes_state_unit_find(db, u.name, u.name_len) != 0 || key_held(db, pub))
		return TES_ERR_EXISTS;
	if ((r = append_sync(db, TES_JREC_UNIT, NULL, body, n, NULL)) != 0)
		return r;
	tes_state_unit_insert(db, &u);
	return 0;
}

/* see db.h */
int
tes_db_unit_revoke(struct tes_db *db, const char *name)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	size_t n, len = name == NULL ? 0 : strnlen(name, TES_NAME_MAX + 1), i;
	int r;

	if (len == 0 || len > TES_NAME_MAX || (i = tes_state_unit_find(db, name, len)) == 0)
		return TES_ERR_NOTFOUND;
	if (db->unit_revoked[i - 1])
		return TES_ERR_EXISTS;
	if ((r = tes_journal_revoke_encode(name, (uint8_t)len, body, sizeof(body), &n)) != 0 ||
	    (r = append_sync(db, TES_JREC_REVOKE, NULL, body, n, NULL)) != 0)
		return r;
	db->unit_revoked[i - 1] = 1;
	return 0;
}

/* see db.h */
int
tes_db_unit_active(const struct tes_db *db, const uint8_t keyid[static TES_KEYID_LEN])
{
	size_t i;
	int r = TES_ERR_NOTFOUND;

	/*= spec/STORAGE.md#bodies MUST-B6 */
	/* revocation follows the key: an older store may hold one key under two names,
	 * and revoking either of them refuses the key */
	for (i = 0; i < db->nunit; i++) {
		if (memcmp(db->unit_ids[i], keyid, TES_KEYID_LEN) != 0)
			continue;
		if (db->unit_revoked[i])
			return TES_ERR_AUTH;
		r = 0;
	}
	return r;
}

/* see db.h */
int
tes_db_unit_find(const struct tes_db *db, const uint8_t keyid[static TES_KEYID_LEN],
		 char name[static TES_NAME_MAX + 1], struct tes_rsa_pub *out)
{
	size_t i;

	/* linear: units are few, and a key id is public */
	for (i = 0; i < db->nunit; i++)
		if (memcmp(db->unit_ids[i], keyid, TES_KEYID_LEN) == 0) {
			memcpy(name, db->units[i].name, db->units[i].name_len);
			name[db->units[i].name_len] = '\0';
			*out = db->units[i].pub;
			return 0;
		}
	return TES_ERR_NOTFOUND;
}

/* see db.h */
int
tes_db_unit_get(const struct tes_db *db, const char *name, struct tes_rsa_pub *out)
{
	size_t n = name == NULL ? 0 : strnlen(name, TES_NAME_MAX + 1), i;

	if (n == 0 || n > TES_NAME_MAX || (i = tes_state_unit_find(db, name, n)) == 0)
		return TES_ERR_NOTFOUND;
	*out = db->units[i - 1].pub;
	return 0;
}

/* see db.h */
int
tes_db_user_add(struct tes_db *db, const char *name, uint8_t role, const char *encoded_hash)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_user u;
	size_t n;
	int r = TES_ERR_INTERNAL;

	memset(&u, 0, sizeof(u));
	u.role = role;
	if ((r = str_take(name, TES_NAME_MAX, u.name, &u.name_len, TES_ERR_NAME)) != 0 ||
	    (r = str_take(encoded_hash, TES_JOURNAL_HASH_MAX, u.hash, &u.hash_len, TES_ERR_TOOLONG)) != 0 ||
	    (r = tes_journal_user_encode(&u, body, sizeof(body), &n)) != 0)
		goto out;
	if (tes_state_user_find(db, u.name, u.name_len) != 0) {
		r = TES_ERR_EXISTS;
		goto out;
	}
	if ((r = append_sync(db, TES_JREC_USER, NULL, body, n, NULL)) != 0)
		goto out;
	tes_state_user_insert(db, &u);
	r = 0;
out:
	TES_WIPE_BUF(body);
	TES_WIPE_CTX(&u);
	return r;
}

/* see db.h */
int
tes_db_user_passwd(struct tes_db *db, const char *name, const char *encoded_hash)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_user u;
	size_t n, i;
	int r = TES_ERR_INTERNAL;

	memset(&u, 0, sizeof(u));
	if ((r = str_take(name, TES_NAME_MAX, u.name, &u.name_len, TES_ERR_NAME)) != 0 ||
	    (r = str_take(encoded_hash, TES_JOURNAL_HASH_MAX, u.hash, &u.hash_len, TES_ERR_TOOLONG)) != 0)
		goto out;
	if ((i = tes_state_user_find(db, u.name, u.name_len)) == 0) {
		r = TES_ERR_NOTFOUND;
		goto out;
	}
	u.role = db->users[i - 1].role;
	if ((r = tes_journal_user_encode(&u, body, sizeof(body), &n)) != 0 ||
	    (r = append_sync(db, TES_JREC_USER, NULL, body, n, NULL)) != 0)
		goto out;
	tes_state_user_rehash(db, i - 1, &u);
	tes_state_user_enable(db, i - 1, 1);
	r = 0;
out:
	TES_WIPE_BUF(body);
	TES_WIPE_CTX(&u);
	return r;
}

/* see db.h */
int
tes_db_user_get(const struct tes_db *db, const char *name, uint8_t *role, char hash[TES_JOURNAL_HASH_MAX + 1])
{
	size_t n = name == NULL ? 0 : strnlen(name, TES_NAME_MAX + 1), i;

	if (n == 0 || n > TES_NAME_MAX || (i = tes_state_user_find(db, name, n)) == 0)
		return TES_ERR_NOTFOUND;
	/*= spec/STORAGE.md#bodies MUST-B9: a disabled account logs in nowhere */
	if (db->user_off[i - 1])
		return TES_ERR_AUTH;
	*role = db->users[i - 1].role;
	memcpy(hash, db->users[i - 1].hash, sizeof(db->users[i - 1].hash));
	return 0;
}

/* see db.h */
int
tes_db_user_info(const struct tes_db *db, const char *name, uint8_t *role, int *disabled)
{
	size_t n = name == NULL ? 0 : strnlen(name, TES_NAME_MAX + 1), i;

	if (n == 0 || n > TES_NAME_MAX || (i = tes_state_user_find(db, name, n)) == 0)
		return TES_ERR_NOTFOUND;
	*role = db->users[i - 1].role;
	*disabled = db->user_off[i - 1];
	return 0;
}

/* see db.h */
int
tes_db_user_disable(struct tes_db *db, const char *name)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_disable m;
	size_t n, i;
	int r;

	memset(&m, 0, sizeof(m));
	if ((r = str_take(name, TES_NAME_MAX, m.name, &m.name_len, TES_ERR_NAME)) != 0)
		return r;
	if ((i = tes_state_user_find(db, m.name, m.name_len)) == 0)
		return TES_ERR_NOTFOUND;
	if (db->user_off[i - 1])
		return TES_ERR_EXISTS;
	if ((r = tes_journal_disable_encode(&m, body, sizeof(body), &n)) != 0 ||
	    (r = append_sync(db, TES_JREC_DISABLE, NULL, body, n, NULL)) != 0)
		return r;
	tes_state_user_enable(db, i - 1, 0);
	return 0;
}

/* see db.h */
int
tes_db_user_foreach(const struct tes_db *db,
		    int (*cb)(void *ctx, const char *name, uint8_t role, int disabled), void *ctx)
{
	size_t i;

	for (i = 0; i < db->nuser; i++)
		if (cb(ctx, db->users[i].name, db->users[i].role, db->user_off[i]) != 0)
			break;
	return 0;
}

/* see db.h */
int
tes_db_unit_foreach(const struct tes_db *db,
		    int (*cb)(void *ctx, const char *name, const struct tes_rsa_pub *pub, int revoked),
		    void *ctx)
{
	size_t i;

	for (i = 0; i < db->nunit; i++)
		if (cb(ctx, db->units[i].name, &db->units[i].pub, db->unit_revoked[i]) != 0)
			break;
	return 0;
}

/* see db.h */
int
tes_db_report_add(struct tes_db *db, const struct tes_report *r, const uint8_t sig[static TES_RSA_LEN],
		  uint64_t received, uint64_t *number)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_report m;
	uint64_t off;
	size_t n;
	int ret;

	if ((n = tes_state_rep_find(db, r->id)) != 0) {
		*number = n;
		return TES_ERR_EXISTS;
	}
	m.number = db->nrep + 1;
	m.received = received;
	m.r = *r;
	memcpy(m.sig, sig, TES_RSA_LEN);
	if ((ret = tes_journal_report_encode(&m, body, sizeof(body), &n)) != 0 ||
	    (ret = append(db, TES_JREC_REPORT, r->id, body, n, &off)) != 0)
		return ret;
	tes_state_rep_insert(db, r->id, off);
	db->reps[db->nrep - 1].ptag = tes_index_plate_tag(db->hk, r->plate, r->plate_len);
	*number = m.number;
	return 0;
}

/* see db.h */
int
tes_db_report_get(const struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN],
		  struct tes_db_report *out)
{
	size_t num = tes_state_rep_find(db, id);

	return num == 0 ? TES_ERR_NOTFOUND : tes_readback_fill(db, num - 1, out);
}

/* see db.h */
size_t
tes_db_report_count(const struct tes_db *db)
{
	return db->nrep;
}

/* see db.h */
int
tes_db_report_at(const struct tes_db *db, size_t index, struct tes_db_report *out)
{
	return index >= db->nrep ? TES_ERR_NOTFOUND : tes_readback_fill(db, index, out);
}

/* see db.h */
size_t
tes_db_pending_count(const struct tes_db *db)
{
	return db->pending;
}

/* see db.h */
int
tes_db_report_is_pending(const struct tes_db *db, size_t index)
{
	return index < db->nrep && db->reps[index].doff == 0;
}

/* see db.h */
size_t
tes_db_tags_wait(struct tes_db *db)
{
	size_t i, n = 0;

	tes_tags_reap(db, 1);
	for (i = 0; i < db->nrep; i++)
		n += db->reps[i].ptag != 0;
	return n;
}

/* see db.h */
int
tes_db_plate_foreach(struct tes_db *db, const char *plate,
		     int (*cb)(void *ctx, const struct tes_db_report *d), void *ctx)
{
	struct tes_db_report d;
	size_t i, len = strlen(plate);
	uint32_t t;
	int r;

	if (len < 1 || len > TES_PLATE_MAX)
		return 0;
	tes_tags_reap(db, 1); /* a few seconds at most, once; reading every report takes far longer */
	t = tes_index_plate_tag(db->hk, plate, len);
	for (i = 0; i < db->nrep; i++) {
		if (db->reps[i].ptag != 0 && db->reps[i].ptag != t)
			continue;
		if ((r = tes_readback_fill(db, i, &d)) != 0)
			return r;
		if (strcmp(d.r.plate, plate) == 0 && cb(ctx, &d) != 0)
			break;
	}
	return 0;
}

/* The DECISION body for a report. */
static int
decision_make(const struct tes_db *db, struct tes_journal_decision *d, const struct tes_report *rep,
	      int approve, const char *reason, const char *officer, uint64_t now)
{
	const struct dbpol *p = &db->pols[db->npol - 1];
	int r;

	memset(d, 0, sizeof(*d));
	memcpy(d->id, rep->id, TES_REPORT_ID_LEN);
	d->verdict = approve ? TES_VERDICT_APPROVE : TES_VERDICT_REJECT;
	/*= spec/STORAGE.md#bodies MUST-B4: the current policy, named in the decision */
	d->points = approve ? tes_policy_points(&p->p, rep->speed, rep->limit, NULL) : 0;
	d->has_policy = 1;
	d->policy_version = (uint32_t)(db->npol - 1);
	memcpy(d->policy_hash, p->hash, sizeof(d->policy_hash));
	d->time = now;
	if ((r = str_take(reason, TES_JOURNAL_TEXT_MAX, d->reason, &d->reason_len, TES_ERR_TOOLONG)) != 0)
		return r;
	return str_take(officer, TES_NAME_MAX, d->officer, &d->officer_len, TES_ERR_NAME);
}

/* see db.h */
int
tes_db_decide(struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN], int approve, const char *reason,
	      const char *officer, uint64_t now, uint16_t *points)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_decision d;
	struct tes_journal_report m;
	uint64_t off;
	size_t num, n;
	int r;

	if ((num = tes_state_rep_find(db, id)) == 0)
		return TES_ERR_NOTFOUND;
	if (db->reps[num - 1].doff != 0)
		return TES_ERR_DECIDED;
	if ((r = tes_readback_report(db, num, &m)) != 0 ||
	    (r = decision_make(db, &d, &m.r, approve, reason, officer, now)) != 0 ||
	    (r = tes_journal_decision_encode(&d, body, sizeof(body), &n)) != 0 ||
	    (r = append_sync(db, TES_JREC_DECISION, id, body, n, &off)) != 0)
		return r;
	tes_state_decision_apply(db, &db->reps[num - 1], off);
	tes_points_add(db, m.r.plate, m.r.plate_len, d.points, m.r.time);
	if (points != NULL)
		*points = d.points;
	(void)tes_snapshot_reap(db, 0);
	if (++db->since >= TES_DB_COMPACT_EVERY && db->job == NULL)
		tes_snapshot_start(db);
	return 0;
}

/* see db.h */
int
tes_db_audit_append(struct tes_db *db, uint8_t kind, const char *who, const char *text, uint64_t now)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_audit a;
	size_t n;
	int r;

	memset(&a, 0, sizeof(a));
	a.kind = kind;
	a.time = now;
	if ((r = str_take(who, TES_NAME_MAX, a.who, &a.who_len, TES_ERR_NAME)) != 0 ||
	    (r = str_take(text, TES_JOURNAL_TEXT_MAX, a.text, &a.text_len, TES_ERR_TOOLONG)) != 0 ||
	    (r = tes_journal_audit_encode(&a, body, sizeof(body), &n)) != 0)
		return r;
	return append(db, TES_JREC_AUDIT, NULL, body, n, NULL);
}

/* see db.h */
int
tes_db_audit(struct tes_db *db, uint8_t kind, const char *who, const char *text, uint64_t now)
{
	int r;

	if ((r = tes_db_audit_append(db, kind, who, text, now)) != 0)
		return r;
	return tes_db_sync(db);
}

/* see db.h */
size_t
tes_db_event_count(const struct tes_db *db)
{
	return db->nev;
}

/* see db.h */
int
tes_db_event_at(const struct tes_db *db, size_t k, struct tes_db_event *out)
{
	return tes_readback_event(db, k, out);
}

/* Drivers */

static size_t
plate_entry(const struct tes_db *db, const char *plate)
{
	size_t n = plate == NULL ? 0 : strnlen(plate, TES_PLATE_MAX + 1);

	if (n == 0 || n > TES_PLATE_MAX)
		return 0;
	return tes_index_get(&db->drv.t, db->hk, db->drv.v, (const uint8_t *)plate, n);
}

/* see db.h */
uint32_t
tes_db_driver_points(const struct tes_db *db, const char *plate, uint64_t now, int *over)
{
	const struct tes_policy *p = &db->pols[db->npol - 1].p;
	size_t i = plate_entry(db, plate);
	uint32_t pts = i == 0 ? 0 : tes_points_window(db, i - 1, now);

	/*= spec/POLICY.md#window MUST-PO11: the threshold is reached at or above it */
	if (over != NULL)
		*over = p->threshold != 0 && pts >= p->threshold;
	return pts;
}

/* see db.h */
uint32_t
tes_db_driver_total(const struct tes_db *db, const char *plate)
{
	size_t i = plate_entry(db, plate);

	return i == 0 ? 0 : db->drv.v[i - 1].points;
}

/* see db.h */
int
tes_db_drivers_foreach(const struct tes_db *db, uint64_t now,
		       int (*cb)(void *ctx, const char *plate, uint32_t points, int over), void *ctx)
{
	const struct tes_policy *p = &db->pols[db->npol - 1].p;
	struct tes_driver *v = xrealloc(NULL, db->drv.n, sizeof(*v));
	size_t i, k = 0;

	/* a sorted copy with the points inside the window: the map keeps insertion order */
	for (i = 0; i < db->drv.n; i++) {
		v[k] = db->drv.v[i];
		v[k].points = tes_points_window(db, i, now);
		if (v[k].points != 0)
			k++;
	}
	tes_index_map_sort(v, k);
	for (i = 0; i < k; i++)
		if (cb(ctx, v[i].plate, v[i].points, p->threshold != 0 && v[i].points >= p->threshold) != 0)
			break;
	tes_wipe(v, db->drv.n * sizeof(*v));
	free(v);
	return 0;
}

/* see db.h */
int
tes_db_driver_counts(const struct tes_db *db, uint64_t time, uint64_t now)
{
	return tes_points_counts(db, time, now);
}

/* see db.h */
int
tes_db_imports_foreach(const struct tes_db *db, const char *plate,
		       int (*cb)(void *ctx, uint64_t time, uint32_t points), void *ctx)
{
	size_t i, n = plate == NULL ? 0 : strnlen(plate, TES_PLATE_MAX + 1);

	for (i = 0; i < db->nimport; i++)
		if (db->imports[i].plate_len == n && memcmp(db->imports[i].plate, plate, n) == 0 &&
		    cb(ctx, db->imports[i].time, db->imports[i].points) != 0)
			break;
	return 0;
}

/* Policies */

/* see db.h */
uint32_t
tes_db_policy(const struct tes_db *db, struct tes_policy *p, uint8_t *hash)
{
	const struct dbpol *x = &db->pols[db->npol - 1];

	if (p != NULL)
		*p = x->p;
	if (hash != NULL)
		memcpy(hash, x->hash, TES_SHA256_LEN);
	return (uint32_t)(db->npol - 1);
}

/* see db.h */
int
tes_db_policy_text(const struct tes_db *db, uint32_t version, const uint8_t **text, size_t *len)
{
	if (version >= db->npol)
		return TES_ERR_NOTFOUND;
	*text = db->pols[version].text;
	*len = db->pols[version].len;
	return 0;
}

/* see db.h */
int
tes_db_policy_set(struct tes_db *db, const uint8_t *text, size_t n, uint32_t *line, uint32_t *version)
{
	uint8_t body[TES_JOURNAL_BODY_MAX], hash[TES_SHA256_LEN];
	struct tes_journal_policy m;
	struct tes_policy pol;
	size_t len;
	int r;

	*line = 0;
	if ((r = tes_policy_parse(text, n, &pol, line)) != 0)
		return r;
	tes_sha256(text, n, hash);
	if (memcmp(hash, db->pols[db->npol - 1].hash, sizeof(hash)) == 0)
		return TES_ERR_EXISTS;
	if (db->npol > UINT32_MAX - 1)
		return TES_ERR_TOOLONG;
	memset(&m, 0, sizeof(m));
	m.version = (uint32_t)db->npol;
	m.text_len = (uint16_t)n;
	memcpy(m.text, text, n);
	if ((r = tes_journal_policy_encode(&m, body, sizeof(body), &len)) != 0 ||
	    (r = append_sync(db, TES_JREC_POLICY, NULL, body, len, NULL)) != 0)
		return r;
	if ((r = tes_points_policy_add(db, &m)) != 0)
		return r;
	*version = m.version;
	return 0;
}

/* Legacy imports */

/* see db.h */
int
tes_db_import(struct tes_db *db, const uint8_t batch[static TES_SHA256_LEN],
	      const struct tes_db_import_entry *v, size_t n, uint64_t now, size_t *added)
{
	uint8_t body[TES_JOURNAL_BODY_MAX];
	struct tes_journal_import m;
	size_t k = tes_points_batch_find(db, batch), i, len;
	int r;

	*added = 0;
	if (n == 0 || n > UINT32_MAX)
		return TES_ERR_ARG;
	/*= spec/STORAGE.md#bodies MUST-B10: a batch is taken in once; a batch a crash cut short is completed */
	if (k != 0 && (db->batches[k - 1].count != n || db->batches[k - 1].have >= n))
		return db->batches[k - 1].count != n ? TES_ERR_CORRUPT : TES_ERR_EXISTS;
	for (i = k != 0 ? db->batches[k - 1].have : 0; i < n; i++) {
		memset(&m, 0, sizeof(m));
		m.plate_len = v[i].plate_len;
		memcpy(m.plate, v[i].plate, v[i].plate_len);
		m.points = v[i].points;
		m.time = now;
		memcpy(m.batch, batch, TES_SHA256_LEN);
		m.index = (uint32_t)i;
		m.count = (uint32_t)n;
		if ((r = tes_journal_import_encode(&m, body, sizeof(body), &len)) != 0 ||
		    (r = append(db, TES_JREC_IMPORT, NULL, body, len, NULL)) != 0 ||
		    (r = tes_points_import_note(db, &m)) != 0)
			return r;
		tes_points_import_keep(db, &m);
		tes_points_add(db, m.plate, m.plate_len, m.points, m.time);
		db->since++;
		(*added)++;
	}
	return tes_db_sync(db);
}

/* see db.h */
int
tes_db_compact(struct tes_db *db)
{
	return tes_snapshot_write(db);
}

/* see db.h */
int
tes_db_compact_wait(struct tes_db *db)
{
	return tes_snapshot_reap(db, 1);
}

/* see db.h */
void
tes_db_forked(struct tes_db *db, int fds[3])
{
	db->job = NULL;
	db->tags = NULL;
	fds[0] = db->dfd, fds[1] = db->lfd, fds[2] = db->jfd;
}

/* see db.h */
int
tes_db_verify(struct tes_db *db, char *msg, size_t cap, uint64_t *records)
{
	(void)tes_snapshot_reap(db, 1); /* drivers.enc settled before it is read */
	return tes_verify(db, msg, cap, records);
}

/* see db.h */
void
tes_db_close(struct tes_db *db)
{
	if (db == NULL)
		return;
	tes_tags_reap(db, -1);
	(void)tes_snapshot_reap(db, 1);
	if (db->since > 0 && !db->broken)
		(void)tes_snapshot_warn(tes_db_compact(db));
	tes_state_free(db);
}
