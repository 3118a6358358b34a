/* SPDX-License-Identifier: ISC */
/*
 * drivers.enc, the snapshot of the penalty points per plate
 * (spec/STORAGE.md#drivers): loaded at open and by verify, and rewritten
 * every TES_DB_COMPACT_EVERY decisions on a thread of its own, or on demand
 * and at close. The codec is drivers.c; this file does the file and the
 * job. Internal to src/store (dbint.h).
 */
#define _GNU_SOURCE
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/file.h"
#include "common/wipe.h"
#include "crypto/rng.h"
#include "store/alloc.h"
#include "store/dbint.h"
#include "store/seal.h"

enum {
	SNAP_FILE_MAX = 1 << 30 /* larger drivers.enc files are refused */
};

/* see dbint.h */
int
tes_snapshot_load(const struct tes_db *db, struct tes_driver **out, size_t *count, struct snap *s)
{
	struct tes_drivers_hdr h;
	struct tes_driver *v = NULL;
	uint8_t *buf = NULL;
	size_t len = 0;
	int r = TES_ERR_INTERNAL;

	memset(s, 0, sizeof(*s));
	memset(&h, 0, sizeof(h));
	*out = NULL;
	*count = 0;
	if ((r = tes_file_slurp(db->dfd, NAME_DRIVERS, TES_FILE_NOFOLLOW, SNAP_FILE_MAX, &buf, &len)) != 0) {
		r = r == TES_ERR_NOTFOUND ? 0 : r == TES_ERR_IO ? r : TES_ERR_CORRUPT;
		goto out;
	}
	if (tes_drivers_hdr_decode(&db->dk, buf, len, &h) != 0) {
		r = TES_ERR_CORRUPT;
		goto out;
	}
	v = xrealloc(NULL, h.count, sizeof(*v));
	/*= spec/STORAGE.md#drivers MUST-SN2 */
	if (tes_drivers_decode(&db->dk, buf, len, &h, v, h.count) != 0) {
		r = TES_ERR_CORRUPT;
		goto out;
	}
	s->present = 1;
	s->v1 = h.version == 1;
	s->seq = h.journal_seq;
	memcpy(s->mac, h.mac_at_seq, sizeof(s->mac));
	*out = v;
	*count = h.count;
	v = NULL;
	r = 0;
out:
	tes_snapshot_entries_free(v, h.count);
	if (buf != NULL)
		tes_wipe(buf, len);
	free(buf);
	return r;
}

/* see dbint.h */
void
tes_snapshot_entries_free(struct tes_driver *v, size_t n)
{
	if (v != NULL)
		tes_wipe(v, n * sizeof(*v));
	free(v);
}

/* see dbint.h */
int
tes_snapshot_apply(struct tes_db *db, const struct tes_driver *v, size_t n)
{
	size_t i;

	/* version 1: totals, one per plate, checked against the journal at its seq (recover.c) */
	if (db->snap.v1) {
		tes_index_map_reserve(&db->v1drv, n);
		for (i = 0; i < n; i++)
			if (v[i].points != 0 && tes_index_map_put_new(&db->v1drv, db->hk, &v[i]) != 0)
				return TES_ERR_CORRUPT;
		return 0;
	}
	/* version 2: one entry per offence */
	for (i = 0; i < n; i++) {
		if (v[i].points == 0)
			return TES_ERR_CORRUPT;
		tes_points_add(db, v[i].plate, v[i].plate_len, v[i].points, v[i].time);
	}
	return 0;
}

/*
 * A drivers.enc rewrite (spec/STORAGE.md#drivers). The master takes a copy of
 * the totals, the header and an IV; sorting, encryption and the atomic file
 * replacement need nothing else of the store, so they run on a thread of
 * their own while the master goes on taking reports and decisions.
 */
struct compact_job {
	pthread_t t;
	atomic_int done;
	int r;
	int dfd;
	size_t since;                   /* decisions the snapshot takes in */
	const struct tes_seal_keys *dk; /* the store's: it outlives the job (close joins first) */
	struct tes_drivers_hdr h;
	uint8_t iv[TES_DES_BLOCK];
	struct tes_driver *v; /* copy of the table, sorted by compact_run */
	size_t n;
};

static void
compact_free(struct compact_job *j)
{
	tes_wipe(j->v, j->n * sizeof(*j->v));
	free(j->v);
	free(j);
}

/* Everything the snapshot needs, taken from the master's state. */
static int
compact_prepare(struct tes_db *db, struct compact_job **out)
{
	struct compact_job *j;
	size_t i;
	int r;

	*out = NULL;
	/*= spec/STORAGE.md#drivers MUST-SN4: the journal is durable before the snapshot names it */
	if ((r = tes_db_sync(db)) != 0)
		return r;
	if (db->noff > UINT32_MAX)
		return TES_ERR_TOOLONG;
	j = xcalloc(1, sizeof(*j));
	j->dfd = db->dfd;
	j->since = db->since;
	j->dk = &db->dk;
	j->h.journal_seq = db->seq;
	memcpy(j->h.mac_at_seq, db->head, sizeof(j->h.mac_at_seq));
	j->h.count = (uint32_t)db->noff;
	tes_rng_bytes(j->iv, sizeof(j->iv));
	/*= spec/STORAGE.md#drivers MUST-SN3: one entry per offence, with its time */
	j->n = db->noff;
	j->v = xrealloc(NULL, j->n, sizeof(*j->v));
	for (i = 0; i < j->n; i++) {
		j->v[i] = db->drv.v[db->offs[i].plate];
		j->v[i].points = db->offs[i].points;
		j->v[i].time = db->offs[i].time;
	}
	*out = j;
	return 0;
}

/* Sort, encrypt, replace drivers.enc; touches only the job and the directory. */
static int
compact_run(struct compact_job *j)
{
	uint8_t *buf;
	size_t len, used;
	int r;

	tes_index_map_sort(j->v, j->n);
	len = tes_drivers_encoded_len(j->v, j->n);
	buf = xrealloc(NULL, len, 1);
	if ((r = tes_drivers_encode(j->dk, &j->h, j->iv, j->v, j->n, buf, len, &used)) == 0)
		r = tes_file_replace(j->dfd, NAME_DRIVERS_TMP, NAME_DRIVERS, buf, used, 0600);
	tes_wipe(buf, len);
	free(buf);
	return r;
}

static void *
compact_thread(void *arg)
{
	struct compact_job *j = arg;

	j->r = compact_run(j);
	atomic_store(&j->done, 1);
	return NULL;
}

/* The snapshot is on disk, or the decisions it would have taken in still count. */
static int
compact_finish(struct tes_db *db, struct compact_job *j)
{
	int r = j->r;

	if (r == 0) {
		db->snap.present = 1;
		db->snap.seq = j->h.journal_seq;
		memcpy(db->snap.mac, j->h.mac_at_seq, sizeof(db->snap.mac));
	} else {
		db->since += j->since;
	}
	compact_free(j);
	return r;
}

/* see dbint.h: retried at the next decision (spec/STORAGE.md#drivers) */
int
tes_snapshot_warn(int r)
{
	if (r != 0)
		fprintf(stderr, "tes: warning: drivers.enc not written: %s\n", tes_err_str(r));
	return r;
}

/* see dbint.h */
int
tes_snapshot_reap(struct tes_db *db, int wait)
{
	struct compact_job *j = db->job;

	if (j == NULL || (!wait && !atomic_load(&j->done)))
		return 0;
	pthread_join(j->t, NULL);
	db->job = NULL;
	return tes_snapshot_warn(compact_finish(db, j));
}

/* see dbint.h */
void
tes_snapshot_start(struct tes_db *db)
{
	struct compact_job *j;

	if (tes_snapshot_warn(compact_prepare(db, &j)) != 0)
		return;
	db->since = 0;
	db->job = j;
	if (pthread_create(&j->t, NULL, compact_thread, j) != 0) {
		db->job = NULL;
		j->r = compact_run(j);
		(void)tes_snapshot_warn(compact_finish(db, j));
	}
}

/* see dbint.h */
int
tes_snapshot_write(struct tes_db *db)
{
	struct compact_job *j;
	int r;

	(void)tes_snapshot_reap(db, 1);
	if ((r = compact_prepare(db, &j)) != 0)
		return r;
	db->since = 0;
	j->r = compact_run(j);
	return compact_finish(db, j);
}
