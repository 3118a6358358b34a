/* SPDX-License-Identifier: ISC */
/*
 * The original system's files, read once to import them (spec/LEGACY.md):
 * the PKCS#7 padding of drivers.enc's plaintext, the JSON object inside it
 * ({"PLATE": points, ...}), users.json ({"name": {"password": "<sha256 hex>",
 * "role": "police"}, ...}) and the normalisation of an old plate to TES's
 * alphabet. Sans-I/O, bounded, allocation-free and proven: every function
 * reads only the caller's bytes and writes only the caller's structures.
 *
 * The JSON decoders are pull decoders over the whole text p[0 .. n-1]: the
 * caller keeps a struct tes_legacy_json (offsets only, no pointer into the
 * text) and calls tes_legacy_drivers_next (or tes_legacy_users_next) until
 * it returns 0 (the object ended, nothing but whitespace after it) or a
 * negative error (sticky: every later call returns it again). Each call that
 * returns 1 yields one member with the byte offset of its key. Duplicate
 * keys are the caller's to find: the decoder keeps no table.
 *
 *	struct tes_legacy_json j;
 *	struct tes_legacy_driver d;
 *	int r;
 *
 *	tes_legacy_json_init(&j);
 *	while ((r = tes_legacy_drivers_next(&j, p, n, &d)) == 1)
 *		use(d.key, d.key_len, d.points, d.off);
 *	if (r < 0)
 *		complain(j.err_off, tes_legacy_why_str(j.why));
 */
#ifndef TES_WIRE_LEGACY_H
#define TES_WIRE_LEGACY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "wire/field.h"
#include "wire/limits.h"

/* The original system's key: public (it is in its source), so it protects nothing. */
#define TES_LEGACY_DEFAULT_KEY "STOREKEY"

enum tes_legacy_limits {
	TES_LEGACY_BLOCK = 8,            /* DES block: IV length and padding unit */
	TES_LEGACY_KEY_MAX = 64,         /* bytes of one decoded key (UTF-8), a plate or a user name */
	TES_LEGACY_POINTS_MAX = 1000000, /* points of one plate */
	TES_LEGACY_DIGITS_MAX = 7,       /* digits of a points value */
	TES_LEGACY_HASH_LEN = 32,        /* SHA-256 of a user's password */
	TES_LEGACY_HEX_LEN = 64,         /* the same in lowercase hex */
	TES_LEGACY_FIELD_MAX = 8         /* "password", the longest field name of a user */
};

/* Decoder states (struct tes_legacy_json.state). */
enum tes_legacy_state {
	TES_LEGACY_ST_START = 0, /* nothing read yet */
	TES_LEGACY_ST_NEXT = 1,  /* a member was returned: a ',' or '}' comes next */
	TES_LEGACY_ST_DONE = 2,  /* the object ended: every later call returns 0 */
	TES_LEGACY_ST_FAILED = 3 /* refused: every later call returns TES_ERR_FORMAT */
};

/* Why a text was refused (struct tes_legacy_json.why); tes_legacy_why_str says it in words. */
enum tes_legacy_why {
	TES_LEGACY_WHY_NONE = 0,
	TES_LEGACY_WHY_NOT_OBJECT = 1,    /* the text does not start with '{' */
	TES_LEGACY_WHY_END = 2,           /* the text ends inside the object */
	TES_LEGACY_WHY_EXPECT_KEY = 3,    /* a quoted key (or '}' first) expected */
	TES_LEGACY_WHY_EXPECT_COLON = 4,  /* ':' expected after a key */
	TES_LEGACY_WHY_EXPECT_COMMA = 5,  /* ',' or '}' expected after a value */
	TES_LEGACY_WHY_TRAILING = 6,      /* something other than whitespace after the object */
	TES_LEGACY_WHY_STRING_END = 7,    /* the text ends inside a string */
	TES_LEGACY_WHY_CONTROL = 8,       /* a control character (below 0x20) inside a string */
	TES_LEGACY_WHY_NON_ASCII = 9,     /* a byte above 0x7f (json.dumps escapes non-ASCII) */
	TES_LEGACY_WHY_ESCAPE = 10,       /* an unknown escape after '\' */
	TES_LEGACY_WHY_HEX = 11,          /* \u without four hex digits */
	TES_LEGACY_WHY_SURROGATE = 12,    /* a lone surrogate: no pair */
	TES_LEGACY_WHY_KEY_LONG = 13,     /* a key above TES_LEGACY_KEY_MAX bytes */
	TES_LEGACY_WHY_NOT_NUMBER = 14,   /* points are not a number */
	TES_LEGACY_WHY_NEGATIVE = 15,     /* points are negative */
	TES_LEGACY_WHY_LEADING_ZERO = 16, /* a number with a leading zero */
	TES_LEGACY_WHY_FRACTION = 17,     /* points with a fraction or an exponent */
	TES_LEGACY_WHY_BIG = 18,          /* points above TES_LEGACY_POINTS_MAX */
	TES_LEGACY_WHY_USER_BARE = 19,    /* a user given as a bare string: no role */
	TES_LEGACY_WHY_USER_OBJECT = 20,  /* a user that is not an object */
	TES_LEGACY_WHY_USER_FIELD = 21,   /* a user field other than "password" and "role" */
	TES_LEGACY_WHY_USER_TWICE = 22,   /* a user field given twice */
	TES_LEGACY_WHY_USER_MISSING = 23, /* a user without "password" or "role" */
	TES_LEGACY_WHY_VALUE_TYPE = 24,   /* "password" or "role" is not a string */
	TES_LEGACY_WHY_HASH = 25,         /* password is not 64 lowercase hex digits */
	TES_LEGACY_WHY_ROLE = 26,         /* role is neither "police" nor "officer" */
	TES_LEGACY_WHY_MAX = 26
};

/* Roles of an imported user: the values of TES_ROLE_* (store/journal.h). */
enum tes_legacy_role {
	TES_LEGACY_ROLE_POLICE = 1,
	TES_LEGACY_ROLE_OFFICER = 2
};

/* A decoder's state: caller-owned, offsets only. */
struct tes_legacy_json {
	size_t off;     /* next byte of the text to read */
	size_t err_off; /* TES_LEGACY_ST_FAILED: the offset of the byte refused (n: the end) */
	uint8_t state;  /* enum tes_legacy_state */
	uint8_t why;    /* TES_LEGACY_ST_FAILED: enum tes_legacy_why, else 0 */
};

/* One member of drivers.enc's object. */
struct tes_legacy_driver {
	uint8_t key[TES_LEGACY_KEY_MAX]; /* the key, escapes decoded (UTF-8; may hold any byte, NUL too) */
	size_t key_len;
	uint32_t points; /* 0 .. TES_LEGACY_POINTS_MAX */
	size_t off;      /* offset of the key's opening quote */
};

/* One member of users.json's object. */
struct tes_legacy_user {
	uint8_t name[TES_LEGACY_KEY_MAX]; /* the user name, escapes decoded (not yet checked as a TES name) */
	size_t name_len;
	uint8_t hash[TES_LEGACY_HASH_LEN]; /* SHA-256 of the password, unsalted */
	uint8_t role;                      /* enum tes_legacy_role */
	size_t off;                        /* offset of the name's opening quote */
};

/*@ predicate legacy_failed(struct tes_legacy_json *j, integer n) =
        j->state == TES_LEGACY_ST_FAILED && j->err_off <= n &&
        1 <= j->why <= TES_LEGACY_WHY_MAX;
    predicate legacy_ok(struct tes_legacy_json *j, integer n) =
        j->off <= n && j->state <= TES_LEGACY_ST_FAILED &&
        (j->state == TES_LEGACY_ST_FAILED ==> legacy_failed(j, n));
 */

/*@ requires \valid(j);
    terminates \true;
    assigns *j;
    ensures j->off == 0 && j->state == TES_LEGACY_ST_START && j->why == 0 && j->err_off == 0;
 */
/* A decoder at the start of a text. */
void
tes_legacy_json_init(struct tes_legacy_json *j);

/*@ requires \valid(j) && \valid_read(p + (0 .. n-1)) && \valid(d);
    requires \separated(j, d, p + (0 .. n-1));
    requires legacy_ok(j, n);
    terminates \true;
    assigns *j, *d;
    ensures legacy_ok(j, n);
    ensures \result == 1 || \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 1 ==> j->state == TES_LEGACY_ST_NEXT && d->key_len <= TES_LEGACY_KEY_MAX &&
                              d->points <= TES_LEGACY_POINTS_MAX && d->off < j->off;
    ensures \result == 0 ==> j->state == TES_LEGACY_ST_DONE;
    ensures \result < 0 ==> legacy_failed(j, n);
    ensures \old(j->state) == TES_LEGACY_ST_DONE ==> \result == 0;
    ensures \old(j->state) == TES_LEGACY_ST_FAILED ==> \result < 0;
 */
/*
 * The next member of a drivers object: a string key (every JSON escape,
 * surrogate pairs decoded to UTF-8) and a points value, a non-negative
 * integer of at most 7 digits without a leading zero, at most
 * TES_LEGACY_POINTS_MAX. Returns 1 with the member in *d, 0 at the end, or
 * TES_ERR_FORMAT with j->why and j->err_off.
 */
int
tes_legacy_drivers_next(struct tes_legacy_json *j, const uint8_t *p, size_t n, struct tes_legacy_driver *d);

/*@ requires \valid(j) && \valid_read(p + (0 .. n-1)) && \valid(u);
    requires \separated(j, u, p + (0 .. n-1));
    requires legacy_ok(j, n);
    terminates \true;
    assigns *j, *u;
    ensures legacy_ok(j, n);
    ensures \result == 1 || \result == 0 || \result == TES_ERR_FORMAT;
    ensures \result == 1 ==> j->state == TES_LEGACY_ST_NEXT && u->name_len <= TES_LEGACY_KEY_MAX &&
                              (u->role == TES_LEGACY_ROLE_POLICE || u->role == TES_LEGACY_ROLE_OFFICER) &&
                              u->off < j->off;
    ensures \result == 0 ==> j->state == TES_LEGACY_ST_DONE;
    ensures \result < 0 ==> legacy_failed(j, n);
    ensures \old(j->state) == TES_LEGACY_ST_DONE ==> \result == 0;
    ensures \old(j->state) == TES_LEGACY_ST_FAILED ==> \result < 0;
 */
/*
 * The next member of a users object: the user name as key, and as value an
 * object with exactly the fields "password" (64 lowercase hex digits, the
 * unsalted SHA-256) and "role" ("police" or "officer"), in either order.
 * Returns like tes_legacy_drivers_next.
 */
int
tes_legacy_users_next(struct tes_legacy_json *j, const uint8_t *p, size_t n, struct tes_legacy_user *u);

/*@ terminates \true;
    assigns \result \from why;
 */
/* A static sentence for a tes_legacy_why value (never NULL). */
const char *
tes_legacy_why_str(uint8_t why);

/*@ requires \valid_read(buf + (0 .. n-1)) && \valid(len);
    requires \separated(len, buf + (0 .. n-1));
    terminates \true;
    assigns *len;
    ensures \result == 0 || \result == TES_ERR_DECRYPT;
    ensures \result == 0 <==> (n >= TES_LEGACY_BLOCK && n % TES_LEGACY_BLOCK == 0 &&
                               1 <= buf[n-1] <= TES_LEGACY_BLOCK &&
                               \forall integer k; n - buf[n-1] <= k < n ==> buf[k] == buf[n-1]);
    ensures \result == 0 ==> *len == n - buf[n-1];
 */
/*
 * PKCS#7 padding of a decrypted plaintext buf[0 .. n-1]: n a non-zero
 * multiple of 8, the last byte v in 1..8, the last v bytes all v. Returns 0
 * with *len = n - v, or TES_ERR_DECRYPT (a wrong key shows here too).
 */
int
tes_legacy_unpad(const uint8_t *buf, size_t n, size_t *len);

/*@ requires \valid_read(in + (0 .. n-1));
    requires \valid(out + (0 .. TES_PLATE_MAX)) && \valid(outlen);
    requires \separated(out + (0 .. TES_PLATE_MAX), outlen, in + (0 .. n-1));
    terminates \true;
    assigns out[0 .. TES_PLATE_MAX], *outlen;
    ensures \result == 0 || \result == TES_ERR_PLATE || \result == TES_ERR_FORMAT;
    ensures \result == TES_ERR_FORMAT <==> (\exists integer k; 0 <= k < n && in[k] >= 0x80);
    ensures \result == 0 ==> 1 <= *outlen <= TES_PLATE_MAX && out[*outlen] == 0 &&
            (\forall integer k; 0 <= k < *outlen ==> plate_char(out[k]));
 */
/*
 * An old plate as TES stores it: ASCII letters upper-cased, spaces and '-'
 * dropped, then 1..TES_PLATE_MAX characters of A-Z 0-9. Any byte above
 * 0x7f (a non-ASCII letter: never transliterated) gives TES_ERR_FORMAT;
 * anything else TES_ERR_PLATE. out gets the plate and a NUL.
 */
int
tes_legacy_plate(const uint8_t *in, size_t n, char out[static TES_PLATE_MAX + 1], uint8_t *outlen);

#endif
