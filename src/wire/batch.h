/* SPDX-License-Identifier: ISC */
/*
 * The reporter's batch input (spec/INPUT.md): CSV (RFC 4180, an optional
 * header) or JSON Lines, one record a line. A sans-I/O decoder: the caller
 * feeds bytes as they come, in chunks of any size, and gets back one record
 * or one refused line at a time, the same whatever the chunking. Bounded
 * (one line of TES_BATCH_LINE_MAX bytes is kept, the rest of a longer line
 * is dropped), allocation-free, over a caller-owned context.
 *
 * The decoder bounds lengths and numbers; what the values may contain
 * (plate and location alphabets, speed and limit ranges, times not in the
 * future) stays with the field validators of wire/field.h, which the caller
 * applies to each record.
 */
#ifndef TES_WIRE_BATCH_H
#define TES_WIRE_BATCH_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "wire/limits.h"
#include "wire/rfc3339.h"

enum tes_batch_limits {
	TES_BATCH_LINE_MAX = 1024, /* bytes of one line, without its end (LF or CR LF) */
	TES_BATCH_PLATE_MAX = 32,  /* a plate as written, before normalisation */
	TES_BATCH_TIME_MAX = 64,   /* an RFC 3339 time as written */
	TES_BATCH_DIGITS_MAX = 5,  /* speed and limit: at most 99999 */
	TES_BATCH_FIELDS_MAX = 6,  /* CSV fields of a line: the six columns */
	TES_BATCH_VALUE_MAX = 65,  /* a field's value kept while it is checked */
	TES_BATCH_NUMBER_MAX = 99999
};

/* Input formats: AUTO decides by the first line that is neither blank nor a comment. */
enum tes_batch_format {
	TES_BATCH_AUTO = 0,
	TES_BATCH_CSV = 1,
	TES_BATCH_JSONL = 2
};

/* What tes_batch_feed and tes_batch_end yield. */
enum tes_batch_result {
	TES_BATCH_MORE = 0,   /* every byte consumed, nothing to yield yet */
	TES_BATCH_RECORD = 1, /* *rec holds a record */
	TES_BATCH_ERROR = 2   /* line rec->line is refused, *why says why */
};

/* Columns and JSON keys; 0 names none. */
enum tes_batch_column {
	TES_BATCH_COL_NONE = 0,
	TES_BATCH_COL_PLATE = 1,
	TES_BATCH_COL_SPEED = 2,
	TES_BATCH_COL_LIMIT = 3,
	TES_BATCH_COL_LOCATION = 4,
	TES_BATCH_COL_TIME = 5,
	TES_BATCH_COL_ID = 6
};

/* Where the decoder stands with a CSV header. */
enum tes_batch_header {
	TES_BATCH_HDR_UNSEEN = 0, /* no record read yet */
	TES_BATCH_HDR_NONE = 1,   /* no header: plate,speed,limit,location,time,id */
	TES_BATCH_HDR_NAMED = 2,  /* the header's columns, in col[0 .. ncol-1] */
	TES_BATCH_HDR_REFUSED = 3 /* the header was refused: every later record is */
};

/* One record. Absent optional fields are zero with their has_ flag 0. */
struct tes_batch_rec {
	unsigned long line;                  /* its line number, from 1 */
	char plate[TES_BATCH_PLATE_MAX + 1]; /* as written, NUL-terminated */
	uint8_t plate_len;                   /* 1 .. TES_BATCH_PLATE_MAX */
	uint32_t speed;                      /* 0 .. 99999 */
	uint32_t limit;                      /* 0 .. 99999, 0 when absent */
	uint8_t has_limit;
	char loc[TES_LOCATION_MAX + 1]; /* as written, NUL-terminated */
	uint8_t loc_len;                /* 0 .. TES_LOCATION_MAX, 0 when absent */
	uint8_t has_location;           /* loc_len > 0 */
	uint64_t time;                  /* UTC seconds (wire/rfc3339.h) */
	uint8_t has_time;
	uint8_t id[TES_REPORT_ID_LEN]; /* from 32 hex digits */
	uint8_t has_id;
};

/* The decoder's state; the caller owns it, tes_batch_init sets it up. */
struct tes_batch {
	uint8_t line[TES_BATCH_LINE_MAX + 1]; /* the line being read (room for a CR) */
	size_t len;                           /* bytes of it kept */
	unsigned long no;                     /* its number */
	unsigned long last;                   /* the line of the last yield, 0 before any */
	/*
	 * Types no field of struct tes_batch_rec has (int, uint16_t): the proofs
	 * then see at once that filling a record leaves them as they were.
	 */
	int over;     /* it was longer than line[]: the rest is dropped */
	int full;     /* ULONG_MAX lines read: the decoder reads no more */
	int fmt;      /* enum tes_batch_format, decided */
	uint16_t hdr; /* enum tes_batch_header */
	uint16_t ncol;
	uint16_t col[TES_BATCH_FIELDS_MAX]; /* enum tes_batch_column of each CSV field */
};

/*@ predicate batch_ok(struct tes_batch *b) =
        b->len <= TES_BATCH_LINE_MAX + 1 && 0 <= b->over <= 1 && 0 <= b->full <= 1 &&
        TES_BATCH_AUTO <= b->fmt <= TES_BATCH_JSONL && b->hdr <= TES_BATCH_HDR_REFUSED &&
        b->ncol <= TES_BATCH_FIELDS_MAX &&
        (\forall integer k; 0 <= k < TES_BATCH_FIELDS_MAX ==> b->col[k] <= TES_BATCH_COL_ID) &&
        1 <= b->no && (b->full == 0 ==> b->last < b->no) && b->last <= b->no &&
        (b->full == 1 ==> b->len == 0) && (b->over == 1 ==> b->len == TES_BATCH_LINE_MAX + 1);
    predicate batch_rec_ok(struct tes_batch_rec *r) =
        1 <= r->plate_len <= TES_BATCH_PLATE_MAX && r->plate[r->plate_len] == 0 &&
        r->loc_len <= TES_LOCATION_MAX && r->loc[r->loc_len] == 0 &&
        r->has_location == (r->loc_len > 0 ? 1 : 0) &&
        r->speed <= TES_BATCH_NUMBER_MAX && r->limit <= TES_BATCH_NUMBER_MAX &&
        r->has_limit <= 1 && (r->has_limit == 0 ==> r->limit == 0) &&
        r->has_time <= 1 && (r->has_time == 0 ==> r->time == 0) && r->time < TES_RFC3339_LIMIT &&
        r->has_id <= 1;
 */

/*@ requires \valid(b);
    requires f == TES_BATCH_AUTO || f == TES_BATCH_CSV || f == TES_BATCH_JSONL;
    terminates \true;
    assigns *b;
    ensures batch_ok(b) && b->fmt == f && b->no == 1 && b->last == 0 && b->len == 0;
 */
/* A decoder for a new input in format f (AUTO: decided by the input). */
void
tes_batch_init(struct tes_batch *b, enum tes_batch_format f);

/*@ requires \valid(b) && batch_ok(b);
    requires \valid_read(p + (0 .. n-1));
    requires \valid(used) && \valid(rec) && \valid(why);
    requires \separated(b, rec, used, why, p + (0 .. n-1));
    terminates \true;
    assigns *b, *rec, *used;
    assigns *why \from \nothing;
    ensures batch_ok(b);
    ensures *used <= n;
    ensures b->no >= \old(b->no);
    ensures \result == TES_BATCH_MORE || \result == TES_BATCH_RECORD || \result == TES_BATCH_ERROR;
    ensures \result == TES_BATCH_MORE ==> *used == n && b->last == \old(b->last);
    ensures \result != TES_BATCH_MORE ==> 1 <= *used && \old(b->last) < rec->line && rec->line == b->last;
    ensures \result == TES_BATCH_RECORD ==> batch_rec_ok(rec);
    ensures \result == TES_BATCH_ERROR ==> *why != \null;
 */
/*
 * Feed p[0 .. n-1]. Returns TES_BATCH_RECORD (*rec is the record of line
 * rec->line) or TES_BATCH_ERROR (line rec->line is refused, *why a static
 * sentence) as soon as a line ends, with *used the bytes consumed, the line's
 * end included: call again with p + *used, n - *used. TES_BATCH_MORE: all n
 * bytes consumed, nothing to yield. Every yield has a line number above the
 * previous one's; blank lines, comments and a CSV header yield nothing.
 */
int
tes_batch_feed(struct tes_batch *b, const uint8_t *p, size_t n, size_t *used, struct tes_batch_rec *rec,
	       const char **why);

/*@ requires \valid(b) && batch_ok(b);
    requires \valid(rec) && \valid(why);
    requires \separated(b, rec, why);
    terminates \true;
    assigns *b, *rec;
    assigns *why \from \nothing;
    ensures batch_ok(b) && b->len == 0;
    ensures b->no >= \old(b->no);
    ensures \result == TES_BATCH_MORE || \result == TES_BATCH_RECORD || \result == TES_BATCH_ERROR;
    ensures \result == TES_BATCH_MORE ==> b->last == \old(b->last);
    ensures \result != TES_BATCH_MORE ==> \old(b->last) < rec->line && rec->line == b->last;
    ensures \result == TES_BATCH_RECORD ==> batch_rec_ok(rec);
    ensures \result == TES_BATCH_ERROR ==> *why != \null;
 */
/*
 * The end of the input: yields the last line when it had no line end
 * (a record, or refused, e.g. for a quote left open), else TES_BATCH_MORE.
 * Feeding more afterwards starts a new line.
 */
int
tes_batch_end(struct tes_batch *b, struct tes_batch_rec *rec, const char **why);

#endif
