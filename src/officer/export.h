/* SPDX-License-Identifier: ISC */
/*
 * The reports as CSV or JSON Lines (spec/EXPORT.md): the field and row
 * writers, pure functions over a caller's fixed buffer, and the walk over
 * the store that formats one report at a time and hands each row to the
 * caller's write function. Nothing here holds more than one row: the
 * output goes wherever the caller writes it (standard output, the control
 * socket, the dashboard's response chunks).
 */
#ifndef TES_OFFICER_EXPORT_H
#define TES_OFFICER_EXPORT_H

#include <stddef.h>
#include <stdint.h>

#include "store/db.h"

enum tes_export_format {
	TES_EXPORT_INVALID = 0,
	TES_EXPORT_CSV = 1,
	TES_EXPORT_JSONL = 2
};

enum {
	TES_EXPORT_ROW_MAX = 4096,   /* one formatted row (the longest is below 2 KiB) */
	TES_EXPORT_STATUS_ALL = 0xff /* struct tes_export_filter.status: every state */
};

/* Which reports an export writes (spec/EXPORT.md#command MUST-EX1). */
struct tes_export_filter {
	uint8_t status; /* enum tes_status, or TES_EXPORT_STATUS_ALL */
	uint8_t has_since, has_until;
	uint64_t since; /* observed >= since */
	uint64_t until; /* observed < until */
};

/* A row being written into a caller's buffer; overflow is sticky. */
struct tes_export_buf {
	char *p;
	size_t len, cap;
	int overflow;
};

/* One report with what the row needs besides the store's record. */
struct tes_export_rec {
	const struct tes_db_report *d;
	const char *unit;        /* the signing unit's name, NULL if unknown */
	uint32_t policy_version; /* the policy that computed d->points */
};

/* Start an empty row in p[0..cap-1]. */
void
tes_export_buf_init(struct tes_export_buf *b, char *p, size_t cap);

/* Append one CSV field: s[0..n-1] as it is, or quoted with its quotes doubled when it holds
 * a comma, a double quote, CR or LF (spec/EXPORT.md#csv MUST-EX4). */
void
tes_export_csv_field(struct tes_export_buf *b, const char *s, size_t n);

/* Append s[0..n-1] as a JSON string, quotes included (spec/EXPORT.md#jsonl MUST-EX5). */
void
tes_export_json_string(struct tes_export_buf *b, const char *s, size_t n);

/* The header of a format into b: the CSV header row, nothing for JSON Lines. */
void
tes_export_header(struct tes_export_buf *b, uint8_t format);

/* One report's row into b, its line end included. */
void
tes_export_row(struct tes_export_buf *b, uint8_t format, const struct tes_export_rec *rec);

/* Whether the filter keeps report d. */
int
tes_export_keep(const struct tes_export_filter *f, const struct tes_db_report *d);

/*
 * The export of the store: the header, then the row of every report the
 * filter keeps, in violation-number order, each read back with
 * tes_db_report_at and handed to write(ctx, bytes, n) (non-zero stops the
 * walk: TES_ERR_IO). *rows gets the rows written. Returns 0, TES_ERR_IO,
 * or the error of a report that could not be read, with *bad its violation
 * number.
 */
int
tes_export_walk(const struct tes_db *db, uint8_t format, const struct tes_export_filter *f,
		int (*write)(void *ctx, const char *p, size_t n), void *ctx, uint64_t *rows, uint64_t *bad);

#endif
