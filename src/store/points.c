/* SPDX-License-Identifier: ISC */
/*
 * Penalty points over time (spec/STORAGE.md#points, spec/POLICY.md): the
 * policies of the journal, each plate's offences (the points it received
 * and when), the points inside the current policy's window, and the legacy
 * imports. Replay (recover.c), appends (db.c) and verify use them. Internal
 * to src/store (dbint.h).
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "common/ct.h"
#include "common/err.h"
#include "common/wipe.h"
#include "store/alloc.h"
#include "store/dbint.h"

/* see dbint.h */
void
tes_points_init(struct tes_db *db)
{
	struct dbpol *p;

	db->pols = grow(db->pols, &db->cappol, 0, sizeof(*db->pols));
	p = &db->pols[0];
	memset(p, 0, sizeof(*p));
	tes_policy_default(&p->p);
	p->text = (uint8_t *)tes_policy_default_text;
	p->len = (uint16_t)strlen(tes_policy_default_text);
	tes_sha256(p->text, p->len, p->hash);
	db->npol = 1;
}

/* see dbint.h */
void
tes_points_free(struct tes_db *db)
{
	size_t i;

	for (i = 1; i < db->npol; i++)
		free(db->pols[i].text);
	free(db->pols);
	free(db->drv_last);
	free(db->offs);
	free(db->batches);
	free(db->imports);
	free(db->user_off);
	tes_index_map_free(&db->v1drv);
}

/* see dbint.h */
int
tes_points_policy_add(struct tes_db *db, const struct tes_journal_policy *m)
{
	struct dbpol *p;
	struct tes_policy pol;
	uint32_t line;

	/*= spec/STORAGE.md#bodies MUST-B8: versions 1, 2, 3 ... in journal order, each a valid policy */
	if (m->version != db->npol || tes_policy_parse(m->text, m->text_len, &pol, &line) != 0)
		return TES_ERR_CORRUPT;
	db->pols = grow(db->pols, &db->cappol, db->npol, sizeof(*db->pols));
	p = &db->pols[db->npol];
	p->p = pol;
	p->len = m->text_len;
	p->text = xrealloc(NULL, m->text_len, 1);
	memcpy(p->text, m->text, m->text_len);
	tes_sha256(p->text, p->len, p->hash);
	db->npol++;
	return 0;
}

/* see dbint.h */
int
tes_points_check(const struct tes_db *db, size_t npol, const struct tes_journal_decision *d,
		 const struct tes_report *r)
{
	const struct dbpol *p = &db->pols[0];

	if (d->verdict != TES_VERDICT_APPROVE)
		return d->points == 0;
	/*= spec/STORAGE.md#bodies MUST-B4: points from the policy the decision names */
	if (d->has_policy) {
		if (d->policy_version >= npol || d->policy_version >= db->npol)
			return 0;
		p = &db->pols[d->policy_version];
		if (tes_ct_eq(p->hash, d->policy_hash, TES_SHA256_LEN) != 0)
			return 0;
	}
	return d->points == tes_policy_points(&p->p, r->speed, r->limit, NULL);
}

/* see dbint.h */
void
tes_points_add(struct tes_db *db, const char *plate, uint8_t len, uint32_t points, uint64_t time)
{
	struct offence *o;
	size_t i;

	if (points == 0)
		return;
	i = tes_index_map_add(&db->drv, db->hk, plate, len, points);
	if (i == 0)
		return;
	while (db->ndl < db->drv.n) {
		db->drv_last = grow(db->drv_last, &db->capdl, db->ndl, sizeof(*db->drv_last));
		db->drv_last[db->ndl++] = 0;
	}
	db->offs = grow(db->offs, &db->capoff, db->noff, sizeof(*db->offs));
	o = &db->offs[db->noff];
	o->time = time;
	o->points = points;
	o->plate = (uint32_t)(i - 1);
	o->prev = db->drv_last[i - 1];
	db->drv_last[i - 1] = (uint32_t)(db->noff + 1);
	db->noff++;
}

/* see dbint.h */
size_t
tes_points_batch_find(const struct tes_db *db, const uint8_t hash[static TES_SHA256_LEN])
{
	size_t i;

	for (i = 0; i < db->nbatch; i++)
		if (memcmp(db->batches[i].hash, hash, TES_SHA256_LEN) == 0)
			return i + 1;
	return 0;
}

/* see dbint.h */
int
tes_points_import_note(struct tes_db *db, const struct tes_journal_import *m)
{
	struct batch *b;
	size_t k = tes_points_batch_find(db, m->batch);

	/*= spec/STORAGE.md#bodies MUST-B10: a batch's records count 0 .. count-1 in order */
	if (k == 0) {
		if (m->index != 0)
			return TES_ERR_CORRUPT;
		db->batches = grow(db->batches, &db->capbatch, db->nbatch, sizeof(*db->batches));
		b = &db->batches[db->nbatch++];
		memcpy(b->hash, m->batch, TES_SHA256_LEN);
		b->count = m->count;
		b->have = 0;
	} else {
		b = &db->batches[k - 1];
		if (m->count != b->count || m->index != b->have)
			return TES_ERR_CORRUPT;
	}
	b->have++;
	return 0;
}

/* see dbint.h */
void
tes_points_import_keep(struct tes_db *db, const struct tes_journal_import *m)
{
	struct import *x;

	db->imports = grow(db->imports, &db->capimport, db->nimport, sizeof(*db->imports));
	x = &db->imports[db->nimport++];
	memset(x, 0, sizeof(*x));
	x->time = m->time;
	x->points = m->points;
	x->plate_len = m->plate_len;
	memcpy(x->plate, m->plate, m->plate_len);
}

/* The first second that still counts at now, under the current policy (0: all of them). */
static uint64_t
window_start(const struct tes_db *db, uint64_t now)
{
	uint64_t w = (uint64_t)db->pols[db->npol - 1].p.window_days * 86400;

	/*= spec/POLICY.md#window MUST-PO10: an offence counts for window-days after its time */
	return w == 0 || now < w ? 0 : now - w + 1;
}

/* see dbint.h */
int
tes_points_counts(const struct tes_db *db, uint64_t time, uint64_t now)
{
	return time >= window_start(db, now);
}

/* see dbint.h */
uint32_t
tes_points_window(const struct tes_db *db, size_t i, uint64_t now)
{
	uint64_t from = window_start(db, now);
	uint32_t k, sum = 0;
	const struct offence *o;

	if (from == 0)
		return db->drv.v[i].points;
	for (k = i < db->ndl ? db->drv_last[i] : 0; k != 0; k = o->prev) {
		o = &db->offs[k - 1];
		if (o->time >= from)
			sum = o->points > UINT32_MAX - sum ? UINT32_MAX : sum + o->points;
	}
	return sum;
}
