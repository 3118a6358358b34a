/* SPDX-License-Identifier: ISC */
/*
 * tes_db_verify (spec/STORAGE.md#verify): the whole store checked from
 * scratch, as an independent reader would, against the open store's memory:
 * every record's MAC, chain and body, the report numbering, each decision
 * against its report, drivers.enc against the totals at its seq. Internal to
 * src/store (dbint.h).
 */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "common/ct.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/wipe.h"
#include "store/alloc.h"
#include "store/dbint.h"

struct verify {
	struct tes_db *db;
	const uint8_t *map;
	size_t size;
	uint64_t off; /* next record */
	uint64_t seq; /* last good record */
	uint8_t head[TES_JOURNAL_MAC_LEN];
	size_t nrep;                 /* REPORT records seen */
	uint8_t *decided;            /* per report number - 1 */
	struct tes_index_map totals; /* points from the decisions and imports seen */
	struct tes_index_map snapd;  /* a version-1 drivers.enc's totals */
	struct tes_driver *offs;     /* the offences seen: (plate, points, time) */
	size_t noff, capoff;
	struct tes_driver *sv; /* a version-2 drivers.enc's entries */
	size_t nsv;
	size_t npol; /* POLICY records seen, + 1 for the built-in policy */
	struct snap snap;
	char *msg;
	size_t cap;
};

static int
vfail(struct verify *v, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
vfail(struct verify *v, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (v->msg == NULL || v->cap == 0)
		return TES_ERR_CORRUPT;
	n = snprintf(v->msg, v->cap,
		     "journal record seq %llu (offset %llu): ", (unsigned long long)(v->seq + 1),
		     (unsigned long long)v->off);
	if (n < 0 || (size_t)n >= v->cap)
		return TES_ERR_CORRUPT;
	va_start(ap, fmt);
	vsnprintf(v->msg + n, v->cap - (size_t)n, fmt, ap);
	va_end(ap);
	return TES_ERR_CORRUPT;
}

static int
vmsg(struct verify *v, const char *text)
{
	if (v->msg != NULL && v->cap > 0)
		snprintf(v->msg, v->cap, "%s", text);
	return TES_ERR_CORRUPT;
}

/* REPORT: numbered in order and the one the open store indexed. */
static int
verify_report(struct verify *v, const struct tes_journal_hdr *h, const uint8_t *plain, size_t len)
{
	struct tes_journal_report m;
	const struct rep *x;

	if (tes_journal_report_decode(plain, len, &m) != 0)
		return vfail(v, "bad REPORT body");
	if (m.number != v->nrep + 1 || memcmp(m.r.id, h->key, TES_REPORT_ID_LEN) != 0)
		return vfail(v, "REPORT number or id out of place");
	if (v->nrep >= v->db->nrep)
		return vfail(v, "REPORT unknown to the open store");
	x = &v->db->reps[v->nrep];
	if (x->off != v->off || memcmp(x->id, m.r.id, TES_REPORT_ID_LEN) != 0)
		return vfail(v, "REPORT differs from the open store");
	v->nrep++;
	return 0;
}

/* Points a plate received, for the totals and drivers.enc's entries. */
static void
offence_seen(struct verify *v, const char *plate, uint8_t len, uint32_t points, uint64_t time)
{
	struct tes_driver *o;

	if (points == 0)
		return;
	tes_index_map_add(&v->totals, v->db->hk, plate, len, points);
	v->offs = grow(v->offs, &v->capoff, v->noff, sizeof(*v->offs));
	o = &v->offs[v->noff++];
	memset(o, 0, sizeof(*o));
	memcpy(o->plate, plate, len);
	o->plate_len = len;
	o->points = points;
	o->time = time;
}

/* DECISION: once per earlier report, with the points its policy gives. */
static int
verify_decision(struct verify *v, const struct tes_journal_hdr *h, const uint8_t *plain, size_t len)
{
	struct tes_journal_decision d;
	struct tes_journal_report m;
	const struct rep *x;
	size_t num;

	if (tes_journal_decision_decode(plain, len, &d) != 0 || memcmp(d.id, h->key, TES_REPORT_ID_LEN) != 0)
		return vfail(v, "bad DECISION body");
	if ((num = tes_state_rep_find(v->db, d.id)) == 0 || num > v->nrep || v->decided[num - 1])
		return vfail(v, "DECISION for an unknown or decided report");
	x = &v->db->reps[num - 1];
	if (tes_readback_report_decode(v->db, prev_in(v->db, v->map, x->off), v->map + x->off,
				       v->size - x->off, x, num, &m) != 0)
		return vfail(v, "the report of this DECISION does not read back");
	if (!tes_points_check(v->db, v->npol, &d, &m.r))
		return vfail(v, "DECISION points are not those of its policy for the report");
	if (x->doff != v->off)
		return vfail(v, "DECISION differs from the open store");
	v->decided[num - 1] = 1;
	offence_seen(v, m.r.plate, m.r.plate_len, d.points, m.r.time);
	return 0;
}

/* POLICY: the next version, and the text the open store has for it. */
static int
verify_policy(struct verify *v, const uint8_t *plain, size_t len)
{
	struct tes_journal_policy m;
	struct tes_policy pol;
	const uint8_t *text;
	uint32_t line;
	size_t n;

	if (tes_journal_policy_decode(plain, len, &m) != 0)
		return vfail(v, "bad POLICY body");
	if (m.version != v->npol || tes_policy_parse(m.text, m.text_len, &pol, &line) != 0)
		return vfail(v, "POLICY out of order or not a valid policy");
	if (tes_db_policy_text(v->db, m.version, &text, &n) != 0 || n != m.text_len ||
	    memcmp(text, m.text, n) != 0)
		return vfail(v, "POLICY differs from the open store");
	v->npol++;
	return 0;
}

/* IMPORT: its points. */
static int
verify_import(struct verify *v, const uint8_t *plain, size_t len)
{
	struct tes_journal_import m;

	if (tes_journal_import_decode(plain, len, &m) != 0)
		return vfail(v, "bad IMPORT body");
	offence_seen(v, m.plate, m.plate_len, m.points, m.time);
	return 0;
}

static int
verify_body(struct verify *v, const struct tes_journal_hdr *h, const uint8_t *plain, size_t len)
{
	struct tes_journal_unit un;
	struct tes_journal_user us;
	struct tes_journal_audit a;
	struct tes_journal_disable dis;
	int r = 0;

	char name[TES_NAME_MAX + 1];
	uint8_t nl;

	if (h->type == TES_JREC_UNIT && tes_journal_unit_decode(plain, len, &un) != 0)
		r = vfail(v, "bad UNIT body");
	else if (h->type == TES_JREC_REVOKE && tes_journal_revoke_decode(plain, len, name, &nl) != 0)
		r = vfail(v, "bad REVOKE body");
	else if (h->type == TES_JREC_USER && tes_journal_user_decode(plain, len, &us) != 0)
		r = vfail(v, "bad USER body");
	else if (h->type == TES_JREC_AUDIT && tes_journal_audit_decode(plain, len, &a) != 0)
		r = vfail(v, "bad AUDIT body");
	else if (h->type == TES_JREC_REPORT)
		r = verify_report(v, h, plain, len);
	else if (h->type == TES_JREC_DECISION)
		r = verify_decision(v, h, plain, len);
	else if (h->type == TES_JREC_POLICY)
		r = verify_policy(v, plain, len);
	else if (h->type == TES_JREC_DISABLE && tes_journal_disable_decode(plain, len, &dis) != 0)
		r = vfail(v, "bad DISABLE body");
	else if (h->type == TES_JREC_IMPORT)
		r = verify_import(v, plain, len);
	TES_WIPE_CTX(&us);
	return r;
}

/* Order of offences: plate, then time, then points. */
static int
offence_cmp(const void *a, const void *b)
{
	const struct tes_driver *x = a, *y = b;
	int c = tes_drivers_plate_cmp(x->plate, x->plate_len, y->plate, y->plate_len);

	if (c != 0)
		return c;
	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->points < y->points ? -1 : x->points > y->points;
}

/* drivers.enc against the chain value and the offences (version 1: the totals) at its seq. */
static int
verify_snap(struct verify *v)
{
	size_t i;

	if (tes_ct_eq(v->head, v->snap.mac, TES_JOURNAL_MAC_LEN) != 0)
		return vmsg(v, "drivers.enc was made from another journal (chain value differs)");
	if (v->snap.v1) {
		if (!tes_index_map_equal(&v->snapd, &v->totals, v->db->hk))
			return vmsg(v, "drivers.enc totals differ from the journal's decisions");
		return 0;
	}
	/*= spec/STORAGE.md#drivers MUST-SN3: every offence up to its seq, nothing else */
	if (v->nsv != v->noff)
		return vmsg(v, "drivers.enc entries differ from the journal's decisions and imports");
	if (v->noff > 1) {
		qsort(v->sv, v->nsv, sizeof(*v->sv), offence_cmp);
		qsort(v->offs, v->noff, sizeof(*v->offs), offence_cmp);
	}
	for (i = 0; i < v->noff; i++)
		if (offence_cmp(&v->sv[i], &v->offs[i]) != 0)
			return vmsg(v, "drivers.enc entries differ from the journal's decisions and imports");
	return 0;
}

static int
verify_rec(struct verify *v)
{
	uint8_t plain[TES_JOURNAL_CT_MAX];
	struct tes_journal_hdr h;
	size_t len;
	int r;

	if ((r = tes_journal_open_rec(&v->db->jk, v->head, v->map + v->off, v->size - v->off, &h, plain,
				      sizeof(plain), &len)) != 0) {
		r = vfail(v, "record check failed: %s", tes_err_str(r));
		goto out;
	}
	if (h.seq != v->seq + 1) {
		r = vfail(v, "sequence number %llu out of order", (unsigned long long)h.seq);
		goto out;
	}
	if ((r = verify_body(v, &h, plain, len)) != 0)
		goto out;
	memcpy(v->head, v->map + v->off + h.total_len - TES_JOURNAL_MAC_LEN, TES_JOURNAL_MAC_LEN);
	v->seq = h.seq;
	v->off += h.total_len;
	if (v->snap.present && v->snap.seq == v->seq)
		r = verify_snap(v);
out:
	TES_WIPE_BUF(plain);
	return r;
}

/* The mapped journal from its header to its end, then the open store's state. */
static int
verify_walk(struct verify *v)
{
	uint64_t created;
	int r;

	if (tes_journal_file_hdr_decode(v->map, v->size, &created) != 0)
		return vmsg(v, "journal: bad file header");
	tes_journal_genesis(&v->db->jk, v->map, v->head);
	if (tes_ct_eq(v->head, v->db->genesis, TES_JOURNAL_MAC_LEN) != 0)
		return vmsg(v, "journal: file header changed since the store was opened");
	v->off = TES_JOURNAL_FILE_HDR_LEN;
	if (v->snap.present && v->snap.seq == 0 && (r = verify_snap(v)) != 0)
		return r;
	while (v->off < v->size)
		if ((r = verify_rec(v)) != 0)
			return r;
	if (v->snap.present && v->snap.seq > v->seq)
		return vmsg(v, "drivers.enc covers records the journal does not have");
	if (v->seq != v->db->seq || v->nrep != v->db->nrep ||
	    tes_ct_eq(v->head, v->db->head, TES_JOURNAL_MAC_LEN) != 0)
		return vmsg(v, "journal: the file ends elsewhere than the open store");
	if (!tes_index_map_equal(&v->totals, &v->db->drv, v->db->hk))
		return vmsg(v, "driver totals in memory differ from the journal");
	if (v->noff != v->db->noff || v->npol != v->db->npol)
		return vmsg(v, "offences or policies in memory differ from the journal");
	return 0;
}

/* A version-1 drivers.enc: its totals, each plate once. */
static int
snapd_fill(struct verify *v)
{
	size_t i;

	for (i = 0; i < v->nsv; i++)
		if (v->sv[i].points != 0 && tes_index_map_put_new(&v->snapd, v->db->hk, &v->sv[i]) != 0)
			return vmsg(v, "drivers.enc: a plate listed twice");
	return 0;
}

/* On success: the last seq and chain value, to be noted outside the store. */
static void
verify_summary(const struct verify *v)
{
	char hex[2 * TES_JOURNAL_MAC_LEN + 1];

	if (v->msg == NULL || v->cap == 0)
		return;
	tes_hex_encode(v->head, TES_JOURNAL_MAC_LEN, hex);
	if (v->snap.present)
		snprintf(v->msg, v->cap, "ok: %llu records, chain %s, drivers.enc at seq %llu",
			 (unsigned long long)v->seq, hex, (unsigned long long)v->snap.seq);
	else
		snprintf(v->msg, v->cap, "ok: %llu records, chain %s, no drivers.enc",
			 (unsigned long long)v->seq, hex);
}

/* see dbint.h */
int
tes_verify(struct tes_db *db, char *msg, size_t cap, uint64_t *records)
{
	struct verify v;
	struct stat st;
	void *map = MAP_FAILED;
	int r = TES_ERR_INTERNAL;

	memset(&v, 0, sizeof(v));
	v.db = db, v.msg = msg, v.cap = cap;
	if (msg != NULL && cap > 0)
		msg[0] = '\0';
	tes_index_map_init(&v.totals);
	tes_index_map_init(&v.snapd);
	v.decided = xcalloc(db->nrep, 1);
	v.npol = 1;
	if ((r = tes_snapshot_load(db, &v.sv, &v.nsv, &v.snap)) != 0) {
		r = r == TES_ERR_CORRUPT ? vmsg(&v, "drivers.enc: MAC or structure check failed") : r;
		goto out;
	}
	if (v.snap.v1 && (r = snapd_fill(&v)) != 0)
		goto out;
	if (fstat(db->jfd, &st) != 0 || st.st_size < TES_JOURNAL_FILE_HDR_LEN) {
		r = vmsg(&v, "journal: shorter than its header");
		goto out;
	}
	v.size = (size_t)st.st_size;
	if ((map = mmap(NULL, v.size, PROT_READ, MAP_SHARED, db->jfd, 0)) == MAP_FAILED) {
		r = TES_ERR_IO;
		goto out;
	}
	v.map = map;
	if ((r = verify_walk(&v)) == 0)
		verify_summary(&v);
out:
	if (records != NULL)
		*records = v.seq;
	if (map != MAP_FAILED)
		munmap(map, v.size);
	free(v.decided);
	tes_snapshot_entries_free(v.sv, v.nsv);
	if (v.offs != NULL)
		tes_wipe(v.offs, v.capoff * sizeof(*v.offs));
	free(v.offs);
	tes_index_map_free(&v.totals);
	tes_index_map_free(&v.snapd);
	return r;
}
