/* SPDX-License-Identifier: ISC */
/*
 * The open store's memory: the reports (id, where their records are, plate
 * tag), the units and users, the offsets of the audit log's events, each
 * table indexed by index.c. Replay (recover.c) and appends (db.c) change it
 * through these functions. Internal to src/store (dbint.h).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/log.h"
#include "common/wipe.h"
#include "store/alloc.h"
#include "store/dbint.h"

static const uint8_t *
rep_key(const void *arr, size_t i, size_t *klen)
{
	*klen = TES_REPORT_ID_LEN;
	return ((const struct rep *)arr)[i].id;
}

static const uint8_t *
unit_key(const void *arr, size_t i, size_t *klen)
{
	const struct tes_journal_unit *u = (const struct tes_journal_unit *)arr + i;

	*klen = u->name_len;
	return (const uint8_t *)u->name;
}

static const uint8_t *
user_key(const void *arr, size_t i, size_t *klen)
{
	const struct tes_journal_user *u = (const struct tes_journal_user *)arr + i;

	*klen = u->name_len;
	return (const uint8_t *)u->name;
}

/* see dbint.h */
struct tes_db *
tes_state_new(const char *dir)
{
	struct tes_db *db = xcalloc(1, sizeof(*db));

	if ((db->dir = strdup(dir)) == NULL)
		tes_log_fatal("out of memory");
	db->dfd = db->lfd = db->jfd = -1;
	tes_index_init(&db->trep, rep_key);
	tes_index_init(&db->tunit, unit_key);
	tes_index_init(&db->tuser, user_key);
	tes_index_map_init(&db->drv);
	tes_index_map_init(&db->v1drv);
	tes_points_init(db);
	return db;
}

/* see dbint.h */
void
tes_state_free(struct tes_db *db)
{
	if (db == NULL)
		return;
	if (db->jfd >= 0)
		close(db->jfd);
	if (db->lfd >= 0)
		close(db->lfd);
	if (db->dfd >= 0)
		close(db->dfd);
	if (db->users != NULL)
		tes_wipe(db->users, db->capuser * sizeof(*db->users));
	free(db->users);
	free(db->units);
	free(db->unit_ids);
	free(db->unit_revoked);
	free(db->reps);
	free(db->evoff);
	tes_index_free(&db->trep);
	tes_index_free(&db->tunit);
	tes_index_free(&db->tuser);
	tes_index_map_free(&db->drv);
	tes_points_free(db);
	free(db->dir);
	tes_wipe(db, sizeof(*db));
	free(db);
}

/* see dbint.h */
size_t
tes_state_rep_find(const struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN])
{
	return tes_index_get(&db->trep, db->hk, db->reps, id, TES_REPORT_ID_LEN);
}

/* see dbint.h */
void
tes_state_rep_insert(struct tes_db *db, const uint8_t id[static TES_REPORT_ID_LEN], uint64_t off)
{
	struct rep *x;

	db->reps = grow(db->reps, &db->caprep, db->nrep, sizeof(*db->reps));
	x = &db->reps[db->nrep];
	memset(x, 0, sizeof(*x));
	memcpy(x->id, id, TES_REPORT_ID_LEN);
	x->off = off;
	tes_index_put(&db->trep, db->hk, db->reps, db->nrep);
	db->nrep++;
	db->pending++;
}

/* see dbint.h */
size_t
tes_state_unit_find(const struct tes_db *db, const char *name, size_t len)
{
	return tes_index_get(&db->tunit, db->hk, db->units, (const uint8_t *)name, len);
}

/* see dbint.h */
void
tes_state_unit_insert(struct tes_db *db, const struct tes_journal_unit *u)
{
	db->units = grow(db->units, &db->capunit, db->nunit, sizeof(*db->units));
	db->unit_ids = grow(db->unit_ids, &db->capids, db->nunit, sizeof(*db->unit_ids));
	db->unit_revoked = grow(db->unit_revoked, &db->caprev, db->nunit, sizeof(*db->unit_revoked));
	db->unit_revoked[db->nunit] = 0;
	db->units[db->nunit] = *u;
	tes_rsa_keyid(&u->pub, db->unit_ids[db->nunit]);
	tes_index_put(&db->tunit, db->hk, db->units, db->nunit);
	db->nunit++;
}

/* see dbint.h */
size_t
tes_state_user_find(const struct tes_db *db, const char *name, size_t len)
{
	return tes_index_get(&db->tuser, db->hk, db->users, (const uint8_t *)name, len);
}

/* see dbint.h */
void
tes_state_user_insert(struct tes_db *db, const struct tes_journal_user *u)
{
	db->users = grow(db->users, &db->capuser, db->nuser, sizeof(*db->users));
	db->user_off = grow(db->user_off, &db->capuoff, db->nuser, sizeof(*db->user_off));
	db->users[db->nuser] = *u;
	db->user_off[db->nuser] = 0;
	tes_index_put(&db->tuser, db->hk, db->users, db->nuser);
	db->nuser++;
}

/* see dbint.h */
void
tes_state_user_rehash(struct tes_db *db, size_t i, const struct tes_journal_user *u)
{
	tes_wipe(db->users[i].hash, sizeof(db->users[i].hash));
	memcpy(db->users[i].hash, u->hash, sizeof(u->hash));
	db->users[i].hash_len = u->hash_len;
}

/* see dbint.h */
void
tes_state_user_enable(struct tes_db *db, size_t i, int on)
{
	db->user_off[i] = on ? 0 : 1;
}

/* see dbint.h */
void
tes_state_decision_apply(struct tes_db *db, struct rep *x, uint64_t off)
{
	x->doff = off;
	db->pending--;
}

/* see dbint.h */
void
tes_state_event_note(struct tes_db *db, uint64_t off)
{
	db->evoff = grow(db->evoff, &db->capev, db->nev, sizeof(*db->evoff));
	db->evoff[db->nev++] = off;
}
