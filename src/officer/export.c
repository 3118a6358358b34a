/* SPDX-License-Identifier: ISC */
/*
 * The export's writers and its walk over the store (see export.h).
 */
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "common/hex.h"
#include "common/time.h"
#include "officer/export.h"

/* The columns, in their stable order (spec/EXPORT.md#columns). */
static const char *const columns[] = {
	"number",   "id",     "received", "unit",    "plate",   "speed",  "limit",          "observed",
	"location", "status", "points",   "officer", "decided", "reason", "policy_version",
};
enum {
	NCOLS = sizeof columns / sizeof columns[0]
};

/* see export.h */
void
tes_export_buf_init(struct tes_export_buf *b, char *p, size_t cap)
{
	b->p = p;
	b->len = 0;
	b->cap = cap;
	b->overflow = 0;
}

static void
put(struct tes_export_buf *b, const char *s, size_t n)
{
	if (b->overflow || n > b->cap - b->len) {
		b->overflow = 1;
		return;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
}

static void
putc1(struct tes_export_buf *b, char c)
{
	put(b, &c, 1);
}

static void
put_str(struct tes_export_buf *b, const char *s)
{
	put(b, s, strlen(s));
}

static void
put_u64(struct tes_export_buf *b, uint64_t v)
{
	char num[24];

	snprintf(num, sizeof num, "%llu", (unsigned long long)v);
	put_str(b, num);
}

/* see export.h */
void
tes_export_csv_field(struct tes_export_buf *b, const char *s, size_t n)
{
	size_t i;

	/*= spec/EXPORT.md#csv MUST-EX4: quoted when it holds a comma, quote, CR or LF; quotes doubled */
	if (memchr(s, ',', n) == NULL && memchr(s, '"', n) == NULL && memchr(s, '\r', n) == NULL &&
	    memchr(s, '\n', n) == NULL) {
		put(b, s, n);
		return;
	}
	putc1(b, '"');
	for (i = 0; i < n; i++) {
		if (s[i] == '"')
			putc1(b, '"');
		putc1(b, s[i]);
	}
	putc1(b, '"');
}

/* see export.h */
void
tes_export_json_string(struct tes_export_buf *b, const char *s, size_t n)
{
	static const char hexd[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t i;

	/*= spec/EXPORT.md#jsonl MUST-EX5: quote and backslash escaped, every byte below 0x20 as \u00XX */
	putc1(b, '"');
	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			putc1(b, '\\');
			putc1(b, (char)c);
		} else if (c < 0x20) {
			esc[4] = hexd[c >> 4];
			esc[5] = hexd[c & 15];
			put(b, esc, sizeof esc);
		} else
			putc1(b, (char)c);
	}
	putc1(b, '"');
}

/* see export.h */
void
tes_export_header(struct tes_export_buf *b, uint8_t format)
{
	size_t i;

	if (format != TES_EXPORT_CSV)
		return;
	for (i = 0; i < NCOLS; i++) {
		if (i > 0)
			putc1(b, ',');
		put_str(b, columns[i]);
	}
	put(b, "\r\n", 2);
}

/* One column's value: text (NULL = absent) or a number (is_num). */
struct val {
	const char *s;
	uint64_t num;
	int is_num;
};

static void
put_val(struct tes_export_buf *b, uint8_t format, size_t col, const struct val *v)
{
	if (format == TES_EXPORT_JSONL) {
		putc1(b, col == 0 ? '{' : ',');
		tes_export_json_string(b, columns[col], strlen(columns[col]));
		putc1(b, ':');
		if (v->is_num)
			put_u64(b, v->num);
		else if (v->s == NULL)
			put_str(b, "null");
		else
			tes_export_json_string(b, v->s, strlen(v->s));
		return;
	}
	if (col > 0)
		putc1(b, ',');
	if (v->is_num)
		put_u64(b, v->num);
	else if (v->s != NULL)
		tes_export_csv_field(b, v->s, strlen(v->s));
}

static const char *
status_word(uint8_t s)
{
	return s == TES_STATUS_APPROVED ? "approved" : s == TES_STATUS_REJECTED ? "rejected" : "pending";
}

/* see export.h */
void
tes_export_row(struct tes_export_buf *b, uint8_t format, const struct tes_export_rec *rec)
{
	const struct tes_db_report *d = rec->d;
	char hex[2 * TES_REPORT_ID_LEN + 1], received[32], observed[32], decided[32];
	int done = d->status != TES_STATUS_PENDING;
	struct val v[NCOLS];
	size_t i;

	tes_hex_encode(d->r.id, TES_REPORT_ID_LEN, hex);
	tes_time_format(d->received, received);
	tes_time_format(d->r.time, observed);
	tes_time_format(d->decided_at, decided);
	/*= spec/EXPORT.md#columns MUST-EX3: every column, in order; absent values NULL (empty, null) */
	memset(v, 0, sizeof v);
	v[0] = (struct val){ .num = d->number, .is_num = 1 };
	v[1].s = hex;
	v[2].s = received;
	v[3].s = rec->unit;
	v[4].s = d->r.plate;
	v[5] = (struct val){ .num = d->r.speed, .is_num = 1 };
	v[6] = d->r.limit != 0 ? (struct val){ .num = d->r.limit, .is_num = 1 } : (struct val){ 0 };
	v[7].s = observed;
	v[8].s = d->r.loc_len != 0 ? d->r.loc : NULL;
	v[9].s = status_word(d->status);
	v[10] = (struct val){ .num = d->points, .is_num = 1 };
	v[11].s = done ? d->officer : NULL;
	v[12].s = done ? decided : NULL;
	v[13].s = done ? d->reason : NULL;
	v[14] = (struct val){ .num = rec->policy_version, .is_num = 1 };
	for (i = 0; i < NCOLS; i++)
		put_val(b, format, i, &v[i]);
	if (format == TES_EXPORT_JSONL)
		put(b, "}\n", 2);
	else
		put(b, "\r\n", 2);
}

/* see export.h */
int
tes_export_keep(const struct tes_export_filter *f, const struct tes_db_report *d)
{
	/*= spec/EXPORT.md#command MUST-EX1: observation time, since inclusive, until exclusive */
	if (f->status != TES_EXPORT_STATUS_ALL && f->status != d->status)
		return 0;
	if (f->has_since && d->r.time < f->since)
		return 0;
	return !f->has_until || d->r.time < f->until;
}

/*
 * The policy version of a row: the one its decision names, or for a pending report the current
 * policy, whose points the row shows (spec/STORAGE.md#points).
 */
static uint32_t
policy_version(const struct tes_db_report *d)
{
	return d->policy_version;
}

/* The unit's name, looked up again only when the key differs from the last row's. */
struct unit_cache {
	uint8_t key[TES_KEYID_LEN];
	char name[TES_NAME_MAX + 1];
	int valid, found;
};

static const char *
unit_of(const struct tes_db *db, struct unit_cache *c, const uint8_t key[static TES_KEYID_LEN])
{
	struct tes_rsa_pub pub;

	if (!c->valid || memcmp(c->key, key, TES_KEYID_LEN) != 0) {
		memcpy(c->key, key, TES_KEYID_LEN);
		c->found = tes_db_unit_find(db, key, c->name, &pub) == 0;
		c->valid = 1;
	}
	return c->found ? c->name : NULL;
}

/* Whether report index i can pass the status filter, from memory (nothing is read). */
static int
may_keep(const struct tes_db *db, const struct tes_export_filter *f, size_t i)
{
	int pending = tes_db_report_is_pending(db, i);

	if (f->status == TES_EXPORT_STATUS_ALL)
		return 1;
	return f->status == TES_STATUS_PENDING ? pending : !pending;
}

/* see export.h */
int
tes_export_walk(const struct tes_db *db, uint8_t format, const struct tes_export_filter *f,
		int (*write)(void *ctx, const char *p, size_t n), void *ctx, uint64_t *rows, uint64_t *bad)
{
	struct tes_db_report d;
	struct unit_cache uc = { .valid = 0 };
	struct tes_export_rec rec = { .d = &d };
	struct tes_export_buf b;
	char row[TES_EXPORT_ROW_MAX];
	size_t i, n = tes_db_report_count(db);
	int r;

	*rows = 0;
	*bad = 0;
	tes_export_buf_init(&b, row, sizeof row);
	tes_export_header(&b, format);
	if (b.len > 0 && write(ctx, row, b.len) != 0)
		return TES_ERR_IO;
	/*= spec/EXPORT.md#memory MUST-EX7: one report read, formatted and written at a time */
	for (i = 0; i < n; i++) {
		if (!may_keep(db, f, i))
			continue;
		if ((r = tes_db_report_at(db, i, &d)) != 0) {
			*bad = i + 1;
			return r;
		}
		if (!tes_export_keep(f, &d))
			continue;
		rec.unit = unit_of(db, &uc, d.r.unit_key);
		rec.policy_version = policy_version(&d);
		tes_export_buf_init(&b, row, sizeof row);
		tes_export_row(&b, format, &rec);
		if (b.overflow)
			return TES_ERR_INTERNAL;
		if (write(ctx, row, b.len) != 0)
			return TES_ERR_IO;
		(*rows)++;
	}
	return 0;
}
