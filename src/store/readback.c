/* SPDX-License-Identifier: ISC */
/*
 * Records read back from the journal on demand: the store keeps only where
 * each record is, and shows a report, a decision or an event only after
 * reading its record again and checking its MAC against the chain value
 * stored before it (spec/STORAGE.md#recovery, #bodies). Internal to
 * src/store (dbint.h).
 */
#include <string.h>

#include "common/err.h"
#include "common/file.h"
#include "common/wipe.h"
#include "store/dbint.h"

/* see dbint.h */
int
tes_readback_open(const struct tes_db *db, const uint8_t *prev, const uint8_t *p, size_t n, uint8_t type,
		  const uint8_t *key, uint8_t plain[static TES_JOURNAL_CT_MAX], size_t *len)
{
	struct tes_journal_hdr h;

	if (tes_journal_open_rec(&db->jk, prev, p, n, &h, plain, TES_JOURNAL_CT_MAX, len) != 0 ||
	    h.type != type || (key != NULL && memcmp(h.key, key, TES_JOURNAL_KEY_LEN) != 0))
		return TES_ERR_CORRUPT;
	return 0;
}

/* see dbint.h */
int
tes_readback_pread(const struct tes_db *db, uint64_t off, uint8_t buf[static RBUF_LEN], const uint8_t **prev,
		   const uint8_t **p, size_t *n)
{
	int first = off == TES_JOURNAL_FILE_HDR_LEN;
	size_t got;

	if (off < TES_JOURNAL_FILE_HDR_LEN)
		return TES_ERR_INTERNAL;
	if (tes_file_pread_all(db->jfd, buf, RBUF_LEN, first ? off : off - TES_JOURNAL_MAC_LEN, &got) != 0)
		return TES_ERR_IO;
	if (first) {
		*prev = db->genesis, *p = buf, *n = got;
		return 0;
	}
	if (got < TES_JOURNAL_MAC_LEN)
		return TES_ERR_CORRUPT;
	*prev = buf, *p = buf + TES_JOURNAL_MAC_LEN, *n = got - TES_JOURNAL_MAC_LEN;
	return 0;
}

/* see dbint.h */
int
tes_readback_report_decode(const struct tes_db *db, const uint8_t *prev, const uint8_t *p, size_t n,
			   const struct rep *rp, uint64_t number, struct tes_journal_report *m)
{
	uint8_t plain[TES_JOURNAL_CT_MAX];
	size_t len;
	int r;

	/*= spec/STORAGE.md#bodies MUST-B3: the k-th REPORT has number k and the id of its header */
	if ((r = tes_readback_open(db, prev, p, n, TES_JREC_REPORT, rp->id, plain, &len)) == 0 &&
	    (tes_journal_report_decode(plain, len, m) != 0 || m->number != number ||
	     memcmp(m->r.id, rp->id, TES_REPORT_ID_LEN) != 0))
		r = TES_ERR_CORRUPT;
	TES_WIPE_BUF(plain);
	return r;
}

/* see dbint.h */
int
tes_readback_report(const struct tes_db *db, uint64_t number, struct tes_journal_report *m)
{
	const struct rep *rp = &db->reps[number - 1];
	const uint8_t *prev, *p;
	uint8_t buf[RBUF_LEN];
	size_t n;
	int r;

	if ((r = tes_readback_pread(db, rp->off, buf, &prev, &p, &n)) != 0)
		return r;
	return tes_readback_report_decode(db, prev, p, n, rp, number, m);
}

static uint8_t
verdict_status(uint8_t verdict)
{
	return verdict == TES_VERDICT_APPROVE ? TES_STATUS_APPROVED : TES_STATUS_REJECTED;
}

/*
 * The DECISION record of a decided report, read back from the file: mac
 * against the 32 bytes before it, type and key, then every rule of spec/STORAGE.md#bodies MUST-B4
 * that needs the body (its id, and an approval's points against the speed
 * of the report rep). The replay checks these only for decisions after the
 * snapshot, so this is where a decision the snapshot covers is checked.
 */
static int
decision_read(const struct tes_db *db, const struct rep *rp, const struct tes_report *rep,
	      struct tes_journal_decision *d)
{
	uint8_t buf[RBUF_LEN], plain[TES_JOURNAL_CT_MAX];
	const uint8_t *prev, *p;
	size_t n, len;
	int r;

	if ((r = tes_readback_pread(db, rp->doff, buf, &prev, &p, &n)) != 0 ||
	    (r = tes_readback_open(db, prev, p, n, TES_JREC_DECISION, rp->id, plain, &len)) != 0)
		goto out;
	/*= spec/STORAGE.md#bodies MUST-B4 */
	if (tes_journal_decision_decode(plain, len, d) != 0 ||
	    memcmp(d->id, rp->id, TES_REPORT_ID_LEN) != 0 || !tes_points_check(db, db->npol, d, rep))
		r = TES_ERR_CORRUPT;
out:
	TES_WIPE_BUF(plain);
	return r;
}

/* see dbint.h */
int
tes_readback_fill(const struct tes_db *db, size_t idx, struct tes_db_report *out)
{
	const struct rep *x = &db->reps[idx];
	struct tes_journal_decision d;
	struct tes_journal_report m;
	int r;

	memset(out, 0, sizeof(*out));
	if ((r = tes_readback_report(db, idx + 1, &m)) != 0)
		return r;
	out->r = m.r;
	memcpy(out->sig, m.sig, sizeof(out->sig));
	out->number = m.number;
	out->received = m.received;
	if (x->doff == 0) {
		out->status = TES_STATUS_PENDING;
		out->policy_version = (uint32_t)(db->npol - 1);
		out->points = tes_policy_points(&db->pols[db->npol - 1].p, m.r.speed, m.r.limit, &out->why);
		return 0;
	}
	if ((r = decision_read(db, x, &m.r, &d)) != 0) {
		memset(out, 0, sizeof(*out));
		return r;
	}
	out->status = verdict_status(d.verdict);
	out->points = d.points;
	out->policy_version = d.has_policy ? d.policy_version : 0;
	if (d.verdict == TES_VERDICT_APPROVE)
		(void)tes_policy_points(&db->pols[out->policy_version].p, m.r.speed, m.r.limit, &out->why);
	memcpy(out->reason, d.reason, sizeof(out->reason));
	memcpy(out->officer, d.officer, sizeof(out->officer));
	out->decided_at = d.time;
	return 0;
}

/* Events */

static int
event_from(const struct tes_journal_hdr *h, const uint8_t *plain, size_t len, struct tes_db_event *e)
{
	struct tes_journal_decision d;
	struct tes_journal_audit a;

	memset(e, 0, sizeof(*e));
	e->seq = h->seq;
	e->type = h->type;
	if (h->type == TES_JREC_AUDIT) {
		if (tes_journal_audit_decode(plain, len, &a) != 0)
			return TES_ERR_CORRUPT;
		e->kind = a.kind, e->time = a.time;
		memcpy(e->who, a.who, sizeof(e->who));
		memcpy(e->text, a.text, sizeof(e->text));
		return 0;
	}
	/* open leaves the bodies of the decisions drivers.enc covers unchecked (spec/STORAGE.md#recovery) */
	if (tes_journal_decision_decode(plain, len, &d) != 0 || memcmp(d.id, h->key, TES_REPORT_ID_LEN) != 0)
		return TES_ERR_CORRUPT;
	e->kind = d.verdict, e->time = d.time, e->points = d.points;
	memcpy(e->id, d.id, sizeof(e->id));
	memcpy(e->who, d.officer, sizeof(e->who));
	memcpy(e->text, d.reason, sizeof(e->text));
	return 0;
}

/* see dbint.h */
int
tes_readback_event(const struct tes_db *db, size_t k, struct tes_db_event *out)
{
	uint8_t buf[RBUF_LEN], plain[TES_JOURNAL_CT_MAX];
	const uint8_t *prev, *p;
	struct tes_journal_hdr h;
	size_t n, len;
	int r;

	memset(out, 0, sizeof(*out));
	if (k >= db->nev)
		return TES_ERR_NOTFOUND;
	if ((r = tes_readback_pread(db, db->evoff[k], buf, &prev, &p, &n)) != 0)
		return r;
	if (tes_journal_open_rec(&db->jk, prev, p, n, &h, plain, TES_JOURNAL_CT_MAX, &len) != 0 ||
	    (h.type != TES_JREC_AUDIT && h.type != TES_JREC_DECISION) ||
	    event_from(&h, plain, len, out) != 0) {
		memset(out, 0, sizeof(*out));
		r = TES_ERR_CORRUPT;
	}
	TES_WIPE_BUF(plain);
	return r;
}
