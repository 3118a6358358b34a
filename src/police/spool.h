/* SPDX-License-Identifier: ISC */
/*
 * The police unit's spool file (spec/SPOOL.md#format): its header, its three
 * kinds of records, and the canonical bytes that report ids and the memory of
 * timeless input are computed over (spec/SPOOL.md#ids). Pure functions over
 * caller buffers: no allocation, no I/O, no clock. Keys come from the caller
 * (police/spooler.h derives them); a tag is HMAC-SHA256 under the key given.
 *
 *   file   = header record*
 *   header = "TESSPOOL" | u8 version 1 | 7 zero bytes | salt[16]           (32 bytes)
 *   record = u16 L | u8 type | body | tag[32]          L = 1 + body + 32
 *   tag    = HMAC-SHA256(key, u16 L | u8 type | body)
 *
 *   ADD  1  str8 user | u64 spooled_at | u8 timeless | digest[32] |
 *           u16 rlen | canonical report (rlen bytes) | sig[256]       user key
 *   DONE 2  id[16] | u8 status | u64 at                                 device key
 *   SEEN 3  digest[32] | id[16] | u64 observed | u64 first              device key
 *
 * The canonical report is tes_msg_report_encode's (wire/msg.h), checked with
 * tes_msg_report_decode; sig is the unit's signature over it.
 */
#ifndef TES_POLICE_SPOOL_H
#define TES_POLICE_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "common/cur.h"
#include "wire/field.h"
#include "wire/limits.h"
#include "wire/msg.h"

enum tes_spool_limits {
	TES_SPOOL_MAGIC_HI = 0x54455353, /* "TESS" */
	TES_SPOOL_MAGIC_LO = 0x504F4F4C, /* "POOL" */
	TES_SPOOL_VERSION = 1,
	TES_SPOOL_SALT_LEN = 16,
	TES_SPOOL_HDR_LEN = 32,
	TES_SPOOL_KEY_LEN = 32,
	TES_SPOOL_TAG_LEN = 32,
	TES_SPOOL_DIGEST_LEN = 32,
	TES_SPOOL_USER_MAX = TES_NAME_MAX,
	TES_SPOOL_OVERHEAD = 2 + 1 + TES_SPOOL_TAG_LEN, /* length, type, tag */
	TES_SPOOL_REPORT_MIN = 62 + 1,                  /* canonical report with a 1-character plate */
	/* the body of each type, smallest and largest */
	TES_SPOOL_ADD_FIXED =
		1 + 8 + 1 + TES_SPOOL_DIGEST_LEN + 2 + TES_RSA_LEN, /* all but user and report */
	TES_SPOOL_ADD_BODY_MIN = TES_SPOOL_ADD_FIXED + 1 + TES_SPOOL_REPORT_MIN,
	TES_SPOOL_ADD_BODY_MAX = TES_SPOOL_ADD_FIXED + TES_SPOOL_USER_MAX + TES_REPORT_MAX,
	TES_SPOOL_DONE_BODY = TES_REPORT_ID_LEN + 1 + 8,
	TES_SPOOL_SEEN_BODY = TES_SPOOL_DIGEST_LEN + TES_REPORT_ID_LEN + 8 + 8,
	/* the length field L of each type (type + body + tag) */
	TES_SPOOL_ADD_LEN_MIN = 1 + TES_SPOOL_ADD_BODY_MIN + TES_SPOOL_TAG_LEN,
	TES_SPOOL_ADD_LEN_MAX = 1 + TES_SPOOL_ADD_BODY_MAX + TES_SPOOL_TAG_LEN,
	TES_SPOOL_DONE_LEN = 1 + TES_SPOOL_DONE_BODY + TES_SPOOL_TAG_LEN,
	TES_SPOOL_SEEN_LEN = 1 + TES_SPOOL_SEEN_BODY + TES_SPOOL_TAG_LEN,
	/* whole records, length field included */
	TES_SPOOL_REC_MIN = 2 + TES_SPOOL_DONE_LEN,
	TES_SPOOL_REC_MAX = 2 + TES_SPOOL_ADD_LEN_MAX,
	/* tes_spool_id_input: "timeless" or the time, and the fields */
	TES_SPOOL_ID_INPUT_MAX = 8 + 1 + TES_PLATE_MAX + 2 + 2 + 1 + TES_LOCATION_MAX
};

/* Record types; 0 is never valid. */
enum tes_spool_type {
	TES_SPOOL_INVALID = 0,
	TES_SPOOL_ADD = 1,  /* a signed report waiting to be sent */
	TES_SPOOL_DONE = 2, /* an ADD retired, with the outcome */
	TES_SPOOL_SEEN = 3  /* the memory of a timeless input record (24 hours) */
};

/* DONE status: the receipt's status (QUEUED .. CONFLICT), or DROPPED (its login was refused). */
enum tes_spool_status {
	TES_SPOOL_QUEUED = 1,
	TES_SPOOL_DUPLICATE = 2,
	TES_SPOOL_REJECTED = 3,
	TES_SPOOL_CONFLICT = 4,
	TES_SPOOL_DROPPED = 5,
	TES_SPOOL_STATUS_MAX = 5
};

/* Where one record lies in a buffer (tes_spool_next). */
struct tes_spool_rec {
	size_t off;   /* its first byte, the length field */
	size_t len;   /* the whole record: 2 + L */
	uint8_t type; /* enum tes_spool_type */
};

/* ADD: a report, signed, spooled by a user. */
struct tes_spool_add {
	uint8_t user_len;
	char user[TES_SPOOL_USER_MAX + 1];    /* tes_field_name_valid, NUL-terminated */
	uint64_t spooled_at;                  /* when this record was written (unit clock) */
	uint8_t timeless;                     /* 1: the input gave no time */
	uint8_t digest[TES_SPOOL_DIGEST_LEN]; /* timeless: the memory key; 32 zeros otherwise */
	struct tes_report report;
	uint8_t sig[TES_RSA_LEN]; /* the unit's signature (tes_digest_report, tes_rsa_sign) */
};

/* DONE: report id retired with a status. */
struct tes_spool_done {
	uint8_t id[TES_REPORT_ID_LEN];
	uint8_t status; /* enum tes_spool_status */
	uint64_t at;
};

/* SEEN: a timeless input record's memory key, and the id and time it got. */
struct tes_spool_seen {
	uint8_t digest[TES_SPOOL_DIGEST_LEN];
	uint8_t id[TES_REPORT_ID_LEN];
	uint64_t observed; /* the time the record got when it was first spooled */
	uint64_t first;    /* when the ADD this record replaces was written */
};

/*
 * The rules of spec/SPOOL.md#format as ACSL predicates, for the contracts
 * below (proofs/README.md).
 */
/*@ predicate spool_len_ok(integer type, integer l) =
        (type == TES_SPOOL_ADD && TES_SPOOL_ADD_LEN_MIN <= l <= TES_SPOOL_ADD_LEN_MAX) ||
        (type == TES_SPOOL_DONE && l == TES_SPOOL_DONE_LEN) ||
        (type == TES_SPOOL_SEEN && l == TES_SPOOL_SEEN_LEN);
    predicate spool_hdr_ok(uint8_t *p) =
        be32(p) == TES_SPOOL_MAGIC_HI && be32(p + 4) == TES_SPOOL_MAGIC_LO && p[8] == TES_SPOOL_VERSION &&
        p[9] == 0 && p[10] == 0 && p[11] == 0 && p[12] == 0 && p[13] == 0 && p[14] == 0 && p[15] == 0;
    predicate spool_user_ok(char *s, integer n) =
        1 <= n <= TES_SPOOL_USER_MAX && s[n] == 0 && \forall integer k; 0 <= k < n ==> name_char(s[k]);
    predicate spool_zero_digest(struct tes_spool_add *a) =
        \forall integer k; 0 <= k < TES_SPOOL_DIGEST_LEN ==> a->digest[k] == 0;
    logic integer spool_add_size(struct tes_spool_add *a) =
        TES_SPOOL_OVERHEAD + TES_SPOOL_ADD_FIXED + a->user_len + 62 + a->report.plate_len +
        a->report.loc_len;
 */

/* The file header with salt into out. */
/*@ requires \valid_read(salt + (0 .. TES_SPOOL_SALT_LEN - 1));
    requires \valid(out + (0 .. TES_SPOOL_HDR_LEN - 1));
    requires \separated(out + (0 .. TES_SPOOL_HDR_LEN - 1), salt + (0 .. TES_SPOOL_SALT_LEN - 1));
    terminates \true;
    assigns out[0 .. TES_SPOOL_HDR_LEN - 1];
    ensures spool_hdr_ok(out);
    ensures \forall integer k; 0 <= k < TES_SPOOL_SALT_LEN ==> out[16 + k] == salt[k];
 */
void
tes_spool_hdr_encode(const uint8_t salt[static TES_SPOOL_SALT_LEN], uint8_t out[static TES_SPOOL_HDR_LEN]);

/*
 * Check the header at the start of p (n bytes, the whole file; only the
 * first 32 are read) and copy its salt: TES_ERR_TRUNCATED below 32 bytes,
 * TES_ERR_FORMAT for another magic or a reserved byte not zero,
 * TES_ERR_VERSION for another version.
 */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(salt + (0 .. TES_SPOOL_SALT_LEN - 1));
    requires \separated(salt + (0 .. TES_SPOOL_SALT_LEN - 1), p + (0 .. n-1));
    terminates \true;
    assigns salt[0 .. TES_SPOOL_SALT_LEN - 1];
    ensures \result == 0 <==> n >= TES_SPOOL_HDR_LEN && spool_hdr_ok(p);
    ensures \result == 0 ==> \forall integer k; 0 <= k < TES_SPOOL_SALT_LEN ==> salt[k] == p[16 + k];
    ensures n < TES_SPOOL_HDR_LEN ==> \result == TES_ERR_TRUNCATED;
    ensures \result == 0 || \result == TES_ERR_TRUNCATED || \result == TES_ERR_FORMAT ||
            \result == TES_ERR_VERSION;
 */
int
tes_spool_hdr_decode(const uint8_t *p, size_t n, uint8_t salt[static TES_SPOOL_SALT_LEN]);

/*
 * The record that starts at p[off] (p holds n bytes, off <= n): 0 and its
 * place in rec when its length field and type agree (spool_len_ok) and the
 * whole record lies inside the n bytes; nothing of its body or tag is
 * checked. TES_ERR_TRUNCATED for a torn tail: fewer than 2 bytes left, a
 * record whose length and type agree (as far as they are there) but that
 * reaches past the end, or nothing but zero bytes to the end; such a tail
 * is shorter than a whole record or all zeros. TES_ERR_FORMAT for anything
 * else (malformed at off).
 */
/*@ requires \valid_read(p + (0 .. n-1)) && \valid(rec);
    requires \separated(rec, p + (0 .. n-1));
    requires off <= n;
    terminates \true;
    assigns *rec;
    ensures \result == 0 || \result == TES_ERR_TRUNCATED || \result == TES_ERR_FORMAT;
    ensures \result == 0 ==> rec->off == off && rec->len == 2 + be16(p + off) && rec->len <= n - off &&
            rec->type == p[off + 2] && spool_len_ok(rec->type, rec->len - 2);
    ensures \result == TES_ERR_TRUNCATED ==>
            n - off < TES_SPOOL_REC_MAX || (\forall integer k; off <= k < n ==> p[k] == 0);
    ensures n - off < 2 ==> \result == TES_ERR_TRUNCATED;
 */
int
tes_spool_next(const uint8_t *p, size_t n, size_t off, struct tes_spool_rec *rec);

/*
 * Body decoders: q holds one whole record (m bytes, from its length field
 * to its tag, as tes_spool_next placed it); the length field must be m - 2,
 * the type the decoder's, the body consumed exactly, every field in range.
 * The tag is not checked here (tes_spool_verify).
 */

/*
 * ADD: a valid user name (NUL-terminated), timeless 0 or 1, the digest zero
 * unless timeless, the report as tes_msg_report_decode takes it.
 */
/*@ requires \valid_read(q + (0 .. m-1)) && \valid(a);
    requires \separated(a, q + (0 .. m-1));
    terminates \true;
    assigns *a;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> spool_user_ok(&a->user[0], a->user_len);
    ensures \result == 0 ==> a->timeless <= 1;
    ensures \result == 0 ==> (a->timeless == 0 ==> spool_zero_digest(a));
    ensures \result == 0 ==> report_ok(&a->report);
    ensures \result == 0 ==> m == spool_add_size(a);
 */
int
tes_spool_add_decode(const uint8_t *q, size_t m, struct tes_spool_add *a);

/* DONE: status 1 .. TES_SPOOL_STATUS_MAX. */
/*@ requires \valid_read(q + (0 .. m-1)) && \valid(d);
    requires \separated(d, q + (0 .. m-1));
    terminates \true;
    assigns *d;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> m == 2 + TES_SPOOL_DONE_LEN && 1 <= d->status <= TES_SPOOL_STATUS_MAX;
 */
int
tes_spool_done_decode(const uint8_t *q, size_t m, struct tes_spool_done *d);

/* SEEN: any values. */
/*@ requires \valid_read(q + (0 .. m-1)) && \valid(s);
    requires \separated(s, q + (0 .. m-1));
    terminates \true;
    assigns *s;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> m == 2 + TES_SPOOL_SEEN_LEN;
 */
int
tes_spool_seen_decode(const uint8_t *q, size_t m, struct tes_spool_seen *s);

/*
 * 0 if the last 32 bytes of the record q (m bytes) are the tag of the
 * others under key (compared in constant time), TES_ERR_MAC if not,
 * TES_ERR_TRUNCATED when m is below a record's overhead. The key lies
 * outside the record (as the HMAC wrapper's contract asks).
 */
/*@ requires \valid_read(key + (0 .. TES_SPOOL_KEY_LEN - 1)) && \valid_read(q + (0 .. m-1));
    requires \separated(key + (0 .. TES_SPOOL_KEY_LEN - 1), q + (0 .. m-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == TES_ERR_MAC || \result == TES_ERR_TRUNCATED;
    ensures m < TES_SPOOL_OVERHEAD ==> \result == TES_ERR_TRUNCATED;
 */
int
tes_spool_verify(const uint8_t key[static TES_SPOOL_KEY_LEN], const uint8_t *q, size_t m);

/*
 * Encoders: the whole record, tagged under key, into out (cap bytes);
 * *used its size. They check what the decoders check (nothing they write
 * would be refused): TES_ERR_ARG for a length beyond its array, the
 * validators' errors, TES_ERR_FORMAT, TES_ERR_SPACE when cap is short.
 */
/*@ requires \valid_read(key + (0 .. TES_SPOOL_KEY_LEN - 1)) && \valid_read(a);
    requires \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(out + (0 .. cap-1), used, key + (0 .. TES_SPOOL_KEY_LEN - 1), a);
    requires \separated(used, key + (0 .. TES_SPOOL_KEY_LEN - 1), a);
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \old(a->user_len > TES_SPOOL_USER_MAX) ==> \result == TES_ERR_ARG;
    ensures \result == 0 ==> *used <= cap && *used == \old(spool_add_size(a));
 */
int
tes_spool_add_encode(const uint8_t key[static TES_SPOOL_KEY_LEN], const struct tes_spool_add *a, uint8_t *out,
		     size_t cap, size_t *used);

/*@ requires \valid_read(key + (0 .. TES_SPOOL_KEY_LEN - 1)) && \valid_read(d);
    requires \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(out + (0 .. cap-1), used, key + (0 .. TES_SPOOL_KEY_LEN - 1), d);
    requires \separated(used, key + (0 .. TES_SPOOL_KEY_LEN - 1), d);
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_FORMAT || \result == TES_ERR_SPACE;
    ensures \result == 0 ==> *used <= cap && *used == 2 + TES_SPOOL_DONE_LEN;
 */
int
tes_spool_done_encode(const uint8_t key[static TES_SPOOL_KEY_LEN], const struct tes_spool_done *d,
		      uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(key + (0 .. TES_SPOOL_KEY_LEN - 1)) && \valid_read(s);
    requires \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(out + (0 .. cap-1), used, key + (0 .. TES_SPOOL_KEY_LEN - 1), s);
    requires \separated(used, key + (0 .. TES_SPOOL_KEY_LEN - 1), s);
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures \result == 0 ==> *used <= cap && *used == 2 + TES_SPOOL_SEEN_LEN;
 */
int
tes_spool_seen_encode(const uint8_t key[static TES_SPOOL_KEY_LEN], const struct tes_spool_seen *s,
		      uint8_t *out, size_t cap, size_t *used);

/*
 * The canonical bytes of a record's fields as written (spec/SPOOL.md#ids):
 * str8 plate | u16 speed | u16 limit (0: none) | str8 location, then u64 time
 * (with_time != 0: what a report id is the HMAC of), or after "timeless"
 * (with_time == 0: what the memory of a timeless input is the HMAC of). The
 * id, unit key and signature are not part of it. TES_ERR_ARG for a plate
 * or location length beyond its array; TES_ERR_SPACE when cap is short
 * (TES_SPOOL_ID_INPUT_MAX always fits).
 */
/*@ requires \valid_read(r) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(r, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE || \result == TES_ERR_ARG;
    ensures \old(r->plate_len > TES_PLATE_MAX || r->loc_len > TES_LOCATION_MAX) ==> \result == TES_ERR_ARG;
    ensures \result == 0 ==> *used <= cap && *used == 14 + r->plate_len + r->loc_len;
 */
int
tes_spool_id_input(const struct tes_report *r, int with_time, uint8_t *out, size_t cap, size_t *used);

#endif
