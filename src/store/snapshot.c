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
tes_snapshot_load(const struct tes_db *db, struct tes_index_map *m, struct snap *s)
{
	struct tes_drivers_hdr h;
	struct tes_driver *v = NULL;
	uint8_t *buf = NULL;
	size_t len = 0, i;
	int r = TES_ERR_INTERNAL;

	memset(s, 0, sizeof(*s));
	if ((r = tes_file_slurp(db->dfd, NAME_DRIVERS, TES_FILE_NOFOLLOW, SNAP_FILE_MAX, &buf, &len)) != 0) {
		r = r == TES_ERR_NOTFOUND ? 0 : r == TES_ERR_IO ? r : TES_ERR_CORRUPT;
		goto out;
	}
	if (tes_drivers_hdr_decode(&db->dk, buf, len, &h) != 0) {
		r = TES_ERR_CORRUPT;
		goto out;
	}
	v = xrealloc(NULL, h.count, sizeof(*v));
	if (tes_drivers_decode(&db->dk, buf, len, &h, v, h.count) != 0) {
		r = TES_ERR_CORRUPT;
		goto out;
	}
	tes_index_map_reserve(m, h.count);
	/*= spec/STORAGE.md#drivers MUST-SN2 */
	/* plates are unique; a plate without points adds nothing, as in tes_index_map_add() */
	for (i = 0; i < h.count; i++)
		if (v[i].points != 0 && tes_index_map_put_new(m, db->hk, &v[i]) != 0) {
			r = TES_ERR_CORRUPT;
			goto out;
		}
	s->present = 1;
	s->seq = h.journal_seq;
	memcpy(s->mac, h.mac_at_seq, sizeof(s->mac));
	r = 0;
out:
	if (v != NULL)
		tes_wipe(v, (size_t)h.count * sizeof(*v));
	if (buf != NULL)
		tes_wipe(buf, len);
	free(v);
	free(buf);
	return r;
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
	int r;

	*out = NULL;
	/*= spec/STORAGE.md#drivers MUST-SN4: the journal is durable before the snapshot names it */
	if ((r = tes_db_sync(db)) != 0)
		return r;
	if (db->drv.n > UINT32_MAX)
		return TES_ERR_TOOLONG;
	j = xcalloc(1, sizeof(*j));
	j->dfd = db->dfd;
	j->since = db->since;
	j->dk = &db->dk;
	j->h.journal_seq = db->seq;
	memcpy(j->h.mac_at_seq, db->head, sizeof(j->h.mac_at_seq));
	j->h.count = (uint32_t)db->drv.n;
	tes_rng_bytes(j->iv, sizeof(j->iv));
	j->n = db->drv.n;
	j->v = xrealloc(NULL, j->n, sizeof(*j->v));
	if (j->n > 0)
		memcpy(j->v, db->drv.v, j->n * sizeof(*j->v));
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
