/* SPDX-License-Identifier: ISC */
/*
 * The batch input decoder (src/wire/batch.h) driven the way a reader feeds
 * it, shared by fuzz_batch_csv.c and fuzz_batch_jsonl.c. One input is fed
 * in the harness's format all at once and one byte at a time, then all at
 * once again and as AUTO in chunks of 1 to 13 bytes that vary along the
 * input, each pair in lockstep: the two must give the same yields (result,
 * line number, reason, record), AUTO as long as it reads the harness's
 * format (when it reads the other one, which reaches the other format's
 * code, its yields are only checked). Every yield is checked on its own:
 *   - *used never exceeds what was offered, MORE consumes everything, a
 *     yield consumes at least its line end;
 *   - line numbers increase strictly and never exceed the input's line count;
 *   - a refusal has a reason; a record's strings are NUL-terminated at their
 *     length (no NUL inside), within their arrays, valid UTF-8 without a
 *     control character but TAB; numbers and flags within their ranges;
 *   - a record written back (fuzz_batch_write, per format) and read by a
 *     fresh decoder gives the same record.
 */
#ifndef TES_FUZZ_BATCH_H
#define TES_FUZZ_BATCH_H

#include <string.h>

#include "common/hex.h"
#include "common/time.h"
#include "fuzz.h"
#include "wire/batch.h"

/* A decoder and how it is fed. */
struct fuzz_stream {
	struct tes_batch b;
	const uint8_t *p;
	size_t n, off;
	int chunking; /* 0: all at once, 1: a byte at a time, 2: varying chunks */
	int ended;
	unsigned long last, lines;
};

static void
fuzz_stream_init(struct fuzz_stream *s, enum tes_batch_format f, const uint8_t *p, size_t n, int chunking)
{
	size_t k;

	tes_batch_init(&s->b, f);
	s->p = p;
	s->n = n;
	s->off = 0;
	s->chunking = chunking;
	s->ended = 0;
	s->last = 0;
	s->lines = 1;
	for (k = 0; k < n; k++)
		s->lines += p[k] == '\n';
}

static size_t
fuzz_chunk(const struct fuzz_stream *s)
{
	size_t left = s->n - s->off, c;

	c = s->chunking == 0 ? left : s->chunking == 1 ? 1 : 1 + (s->off * 7 + 3) % 13;
	return c < left ? c : left;
}

/* The next yield (TES_BATCH_RECORD or TES_BATCH_ERROR), or TES_BATCH_MORE once all is read. */
static int
fuzz_stream_next(struct fuzz_stream *s, struct tes_batch_rec *rec, const char **why)
{
	size_t len, used;
	int r;

	memset(rec, 0, sizeof *rec);
	*why = NULL;
	while (s->off < s->n) {
		len = fuzz_chunk(s);
		used = len + 1;
		r = tes_batch_feed(&s->b, s->p + s->off, len, &used, rec, why);
		fuzz_check(used <= len, "*used <= n");
		fuzz_check(r == TES_BATCH_MORE ? used == len : r == TES_BATCH_RECORD || r == TES_BATCH_ERROR,
			   "MORE consumes everything");
		fuzz_check(r == TES_BATCH_MORE || (used >= 1 && s->p[s->off + used - 1] == '\n'),
			   "a yield ends with its line end");
		s->off += used;
		if (r != TES_BATCH_MORE)
			goto yield;
	}
	if (s->ended)
		return TES_BATCH_MORE;
	s->ended = 1;
	if ((r = tes_batch_end(&s->b, rec, why)) == TES_BATCH_MORE)
		return r;
yield:
	fuzz_check(rec->line > s->last && rec->line <= s->lines, "line numbers increase, within the input");
	s->last = rec->line;
	fuzz_check(r == TES_BATCH_RECORD || (*why != NULL && (*why)[0] != '\0'), "a refusal has a reason");
	return r;
}

/* s[0 .. n-1] is UTF-8 without NUL and without a control character but TAB (an independent check). */
static int
fuzz_text_ok(const char *s, size_t n)
{
	size_t i = 0, k, len;
	unsigned c, u;

	while (i < n) {
		c = (unsigned char)s[i];
		if (c < 0x80) {
			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return 0;
			i++;
			continue;
		}
		len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2;
		if (c < 0xc2 || c > 0xf4 || n - i < len)
			return 0;
		u = c & (len == 2 ? 0x1f : len == 3 ? 0x0f : 0x07);
		for (k = 1; k < len; k++) {
			if (((unsigned char)s[i + k] & 0xc0) != 0x80)
				return 0;
			u = u << 6 | ((unsigned char)s[i + k] & 0x3f);
		}
		if ((len == 3 && u < 0x800) || (len == 4 && u < 0x10000) || u > 0x10ffff ||
		    (u >= 0xd800 && u <= 0xdfff) || (u >= 0x80 && u <= 0x9f))
			return 0;
		i += len;
	}
	return 1;
}

static void
fuzz_rec_check(const struct tes_batch_rec *r)
{
	fuzz_check(r->plate_len >= 1 && r->plate_len <= TES_BATCH_PLATE_MAX &&
			   strlen(r->plate) == r->plate_len,
		   "plate within its array, NUL-terminated at its length");
	fuzz_check(r->loc_len <= TES_LOCATION_MAX && strlen(r->loc) == r->loc_len &&
			   r->has_location == (r->loc_len > 0),
		   "location within its array, NUL-terminated at its length");
	fuzz_check(fuzz_text_ok(r->plate, r->plate_len) && fuzz_text_ok(r->loc, r->loc_len),
		   "plate and location are UTF-8 without control characters");
	fuzz_check(r->speed <= TES_BATCH_NUMBER_MAX && r->limit <= TES_BATCH_NUMBER_MAX &&
			   r->has_limit <= 1 && (r->has_limit || r->limit == 0),
		   "numbers within 5 digits");
	fuzz_check(r->has_time <= 1 && (r->has_time || r->time == 0) && r->time < TES_RFC3339_LIMIT,
		   "time within its bound");
	fuzz_check(r->has_id <= 1, "id flag");
}

static int
fuzz_rec_same(const struct tes_batch_rec *a, const struct tes_batch_rec *b)
{
	return a->line == b->line && a->plate_len == b->plate_len && strcmp(a->plate, b->plate) == 0 &&
	       a->speed == b->speed && a->limit == b->limit && a->has_limit == b->has_limit &&
	       a->loc_len == b->loc_len && strcmp(a->loc, b->loc) == 0 &&
	       a->has_location == b->has_location && a->time == b->time && a->has_time == b->has_time &&
	       a->has_id == b->has_id && (!a->has_id || memcmp(a->id, b->id, sizeof a->id) == 0);
}

/* A time as text the decoder reads back to t: UTC, or -23:59 past 9999-12-31T23:59:59Z. */
static size_t
fuzz_time_text(uint64_t t, char out[static 40])
{
	size_t n;

	if (t <= 253402300799ULL) {
		tes_time_format(t, out);
		return strlen(out);
	}
	tes_time_format(t - 86340, out);
	n = strlen(out) - 1;
	memcpy(out + n, "-23:59", 7);
	return n + 6;
}

/* Write r back as an input of format f (fuzz_batch_write, defined by each harness). */
static size_t
fuzz_batch_write(const struct tes_batch_rec *r, char *out, size_t cap);

/* Read r back from what fuzz_batch_write made of it: the same record, as line 1 or 2. */
static void
fuzz_roundtrip(const struct tes_batch_rec *r, enum tes_batch_format f)
{
	static char text[1024];
	static struct fuzz_stream s;
	struct tes_batch_rec again, want = *r;
	const char *why;
	size_t n = fuzz_batch_write(r, text, sizeof text);

	fuzz_stream_init(&s, f, (const uint8_t *)text, n, 0);
	fuzz_check(fuzz_stream_next(&s, &again, &why) == TES_BATCH_RECORD, "a record written back is read");
	want.line = again.line;
	fuzz_check(fuzz_rec_same(&again, &want), "a record written back is read as the same record");
	fuzz_check(fuzz_stream_next(&s, &again, &why) == TES_BATCH_MORE, "and nothing else");
}

/* Two decoders in lockstep: the same yields, each checked; a record also read back in format f. */
static void
fuzz_lockstep(struct fuzz_stream *a, struct fuzz_stream *b, enum tes_batch_format f)
{
	struct tes_batch_rec rec[2];
	const char *why[2];
	int r[2];

	do {
		r[0] = fuzz_stream_next(a, &rec[0], &why[0]);
		r[1] = fuzz_stream_next(b, &rec[1], &why[1]);
		if (b->b.fmt != TES_BATCH_AUTO && b->b.fmt != (int)f)
			break; /* b is AUTO and read the other format */
		fuzz_check(r[1] == r[0] && why[1] == why[0], "same yield whatever the chunking");
		fuzz_check(r[0] != TES_BATCH_ERROR || rec[1].line == rec[0].line, "same refused line");
		fuzz_check(r[0] != TES_BATCH_RECORD || fuzz_rec_same(&rec[1], &rec[0]), "same record");
		if (r[0] == TES_BATCH_RECORD) {
			fuzz_rec_check(&rec[0]);
			fuzz_roundtrip(&rec[0], f);
		}
	} while (r[0] != TES_BATCH_MORE);
	/* AUTO took the other format: the rest of b's yields are checked on their own */
	while (r[1] != TES_BATCH_MORE) {
		if (r[1] == TES_BATCH_RECORD)
			fuzz_rec_check(&rec[1]);
		r[1] = fuzz_stream_next(b, &rec[1], &why[1]);
	}
}

/*
 * data in format f at once against a byte at a time, then at once against
 * AUTO in varying chunks: AUTO must give the same yields as long as it reads
 * format f, and only checked ones once it reads the other.
 */
static void
fuzz_batch_run(const uint8_t *data, size_t size, enum tes_batch_format f)
{
	static struct fuzz_stream s[2];

	fuzz_stream_init(&s[0], f, data, size, 0);
	fuzz_stream_init(&s[1], f, data, size, 1);
	fuzz_lockstep(&s[0], &s[1], f);
	fuzz_stream_init(&s[0], f, data, size, 0);
	fuzz_stream_init(&s[1], TES_BATCH_AUTO, data, size, 2);
	fuzz_lockstep(&s[0], &s[1], f);
}

#endif
