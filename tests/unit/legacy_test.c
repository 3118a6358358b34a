/* SPDX-License-Identifier: ISC */
/*
 * The original system's files (spec/LEGACY.md MUST-LG1..LG10): single-DES
 * decryption (crypto/des1.h), PKCS#7 padding, the drivers and users JSON
 * decoders and the plate normaliser (wire/legacy.h), over the committed
 * vectors of tests/vectors/legacy (written by its make.sh with Python's
 * json.dumps and OpenSSL) and over edge cases written here.
 */
#define _GNU_SOURCE
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "crypto/des1.h"
#include "crypto/sha256.h"
#include "tap.h"
#include "util.h"
#include "wire/legacy.h"

/* the vectors, found from this file's own path (make compiles from the top of the tree) */
#define VEC_DIR "tests/unit/../vectors/legacy/"

enum {
	MAX_ENTRIES = 1100
};

struct decoded {
	int r;                    /* last return: 0 end, < 0 error */
	struct tes_legacy_json j; /* the decoder at the end */
	size_t n;                 /* members */
	struct tes_legacy_driver d[MAX_ENTRIES];
};

static struct decoded dec;

static uint8_t *
vec(const char *name, size_t *n)
{
	char path[256];
	uint8_t *p;

	snprintf(path, sizeof path, VEC_DIR "%s", name);
	p = util_file_read(path, n);
	if (p == NULL) {
		fprintf(stderr, "legacy_test: cannot read %s\n", path);
		exit(1);
	}
	return p;
}

/* Decode a drivers text p[0 .. n-1] into dec. */
static int
drivers(const uint8_t *p, size_t n)
{
	struct tes_legacy_driver d;
	int r;

	memset(&dec, 0, sizeof dec);
	tes_legacy_json_init(&dec.j);
	while ((r = tes_legacy_drivers_next(&dec.j, p, n, &d)) == 1)
		if (dec.n < MAX_ENTRIES)
			dec.d[dec.n++] = d;
	dec.r = r;
	return r;
}

static int
drivers_str(const char *s)
{
	return drivers((const uint8_t *)s, strlen(s));
}

/* drivers.enc as the importer reads it: IV, single DES under key, padding. 0 with the plaintext in *pt. */
static int
open_enc(const uint8_t *f, size_t n, const char *key, uint8_t **pt, size_t *ptlen)
{
	uint8_t *buf;
	int r;

	*pt = NULL;
	*ptlen = 0;
	if (n < 2 * TES_LEGACY_BLOCK || (n - TES_LEGACY_BLOCK) % TES_LEGACY_BLOCK != 0)
		return TES_ERR_TRUNCATED;
	buf = malloc(n);
	if (buf == NULL)
		return TES_ERR_NOMEM;
	memcpy(buf, f + TES_LEGACY_BLOCK, n - TES_LEGACY_BLOCK);
	r = tes_des1_cbc_decrypt((const uint8_t *)key, f, buf, n - TES_LEGACY_BLOCK);
	if (r == 0)
		r = tes_legacy_unpad(buf, n - TES_LEGACY_BLOCK, ptlen);
	if (r != 0) {
		free(buf);
		return r;
	}
	*pt = buf;
	return 0;
}

/* A vector NAME.enc opens under STOREKEY to exactly NAME.plain; returns the plaintext. */
static uint8_t *
enc_plain(const char *name, size_t *ptlen)
{
	char f[64];
	uint8_t *enc, *plain, *pt;
	size_t n, pn;

	snprintf(f, sizeof f, "%s.enc", name);
	enc = vec(f, &n);
	snprintf(f, sizeof f, "%s.plain", name);
	plain = vec(f, &pn);
	EQ_INT(open_enc(enc, n, TES_LEGACY_DEFAULT_KEY, &pt, ptlen), 0, "%s.enc decrypts and unpads", name);
	OK(pt != NULL && *ptlen == pn && memcmp(pt, plain, pn) == 0, "%s.enc holds %s.plain", name, name);
	free(enc);
	free(plain);
	return pt;
}

static int
key_is(size_t k, const char *s)
{
	return dec.d[k].key_len == strlen(s) && memcmp(dec.d[k].key, s, dec.d[k].key_len) == 0;
}

/*= spec/LEGACY.md#container MUST-LG2: vectors through DES, padding */
static void
test_vectors_container(void)
{
	uint8_t *f, *pt;
	size_t n, ptlen;

	/* empty object: 2 bytes and 6 of padding */
	pt = enc_plain("empty", &ptlen);
	EQ_INT(ptlen, 2, "empty: {} is 2 bytes");
	free(pt);
	/* a whole block of padding */
	pt = enc_plain("block", &ptlen);
	EQ_INT(ptlen, 16, "block: 16 bytes of JSON, a whole padding block");
	free(pt);
	f = vec("block.enc", &n);
	EQ_INT(n, 8 + 16 + 8, "block.enc: IV, two blocks of JSON, one of padding");
	free(f);

	f = vec("badpad.enc", &n);
	EQ_INT(open_enc(f, n, TES_LEGACY_DEFAULT_KEY, &pt, &ptlen), TES_ERR_DECRYPT,
	       "badpad.enc: padding refused");
	free(f);
	f = vec("wrongkey.enc", &n);
	EQ_INT(open_enc(f, n, TES_LEGACY_DEFAULT_KEY, &pt, &ptlen), TES_ERR_DECRYPT,
	       "wrongkey.enc under STOREKEY: padding refused");
	EQ_INT(open_enc(f, n, "WRONGKEY", &pt, &ptlen), 0, "wrongkey.enc under its own key opens");
	OK(ptlen == 16 && memcmp(pt, "{\"AB123\": 12345}", 16) == 0, "... to block's plaintext");
	free(pt);
	free(f);
	f = vec("truncated.enc", &n);
	EQ_INT(n, 21, "truncated.enc is 21 bytes");
	EQ_INT(open_enc(f, n, TES_LEGACY_DEFAULT_KEY, &pt, &ptlen), TES_ERR_TRUNCATED,
	       "truncated.enc: not whole blocks");
	free(f);
	f = vec("zero.enc", &n);
	EQ_INT(n, 0, "zero.enc is empty (the importer imports nothing and says so)");
	free(f);
}

/*= spec/LEGACY.md#json MUST-LG1, MUST-LG3..LG7 #plates MUST-LG8: the vectors' JSON */
static void
test_vectors_json(void)
{
	char plate[TES_PLATE_MAX + 1], want[16];
	uint8_t *pt, plen;
	size_t ptlen, k, bad;

	pt = enc_plain("empty", &ptlen);
	EQ_INT(drivers(pt, ptlen), 0, "empty: decodes");
	EQ_INT(dec.n, 0, "empty: no member");
	free(pt);

	pt = enc_plain("block", &ptlen);
	EQ_INT(drivers(pt, ptlen), 0, "block: decodes");
	OK(dec.n == 1 && key_is(0, "AB123") && dec.d[0].points == 12345 && dec.d[0].off == 1,
	   "block: AB123 12345 at 1");
	free(pt);

	pt = enc_plain("thousand", &ptlen);
	EQ_INT(drivers(pt, ptlen), 0, "thousand: decodes");
	EQ_INT(dec.n, 1000, "thousand: 1000 members");
	bad = 0;
	for (k = 0; k < dec.n; k++) {
		uint32_t pts = k == 0 ? 1 : k == 999 ? 1000000 : (uint32_t)((k * 37) % 500 + 1);

		snprintf(want, sizeof want, "AB%04u", (unsigned)(k % 10000));
		if (tes_legacy_plate(dec.d[k].key, dec.d[k].key_len, plate, &plen) != 0 ||
		    strcmp(plate, want) != 0 || dec.d[k].points != pts)
			bad++;
	}
	EQ_INT(bad, 0, "thousand: every plate normalises to AB0000..AB0999 with its points");
	free(pt);

	pt = enc_plain("nonascii", &ptlen);
	EQ_INT(drivers(pt, ptlen), 0, "nonascii: the JSON decodes");
	OK(dec.n == 3 && key_is(0, "M\xc3\x9c 123") && dec.d[0].points == 10,
	   "nonascii: \\u00dc decodes to UTF-8");
	OK(key_is(2, "X\xf0\x9f\x98\x80 1") && dec.d[2].points == 20,
	   "nonascii: a surrogate pair decodes to UTF-8");
	EQ_INT(tes_legacy_plate(dec.d[0].key, dec.d[0].key_len, plate, &plen), TES_ERR_FORMAT,
	       "nonascii: M\xc3\x9c 123 is refused, not transliterated");
	EQ_INT(tes_legacy_plate(dec.d[1].key, dec.d[1].key_len, plate, &plen), 0,
	       "nonascii: B 42 normalises");
	EQ_INT(tes_legacy_plate(dec.d[2].key, dec.d[2].key_len, plate, &plen), TES_ERR_FORMAT,
	       "nonascii: the emoji plate is refused");
	free(pt);

	pt = enc_plain("collide", &ptlen);
	EQ_INT(drivers(pt, ptlen), 0, "collide: decodes");
	{
		char a[TES_PLATE_MAX + 1], b[TES_PLATE_MAX + 1];
		uint8_t al, bl;

		OK(dec.n == 2 && tes_legacy_plate(dec.d[0].key, dec.d[0].key_len, a, &al) == 0 &&
			   tes_legacy_plate(dec.d[1].key, dec.d[1].key_len, b, &bl) == 0 &&
			   strcmp(a, "AB123") == 0 && strcmp(b, "AB123") == 0,
		   "collide: ab-123 and AB 123 both normalise to AB123 (the importer refuses both)");
	}
	free(pt);

	pt = enc_plain("badjson", &ptlen);
	EQ_INT(drivers(pt, ptlen), TES_ERR_FORMAT, "badjson: refused");
	OK(dec.j.why == TES_LEGACY_WHY_EXPECT_KEY && dec.j.err_off == 13,
	   "badjson: a key expected at offset 13");
	EQ_INT(dec.n, 1, "badjson: the member before the error was read");
	free(pt);
}

/* A users text: r of the last call, the users in u[], their number in *nu. */
static int
users(const char *s, size_t sn, struct tes_legacy_user *u, size_t cap, size_t *nu, struct tes_legacy_json *j)
{
	struct tes_legacy_user one;
	int r;

	*nu = 0;
	tes_legacy_json_init(j);
	while ((r = tes_legacy_users_next(j, (const uint8_t *)s, sn, &one)) == 1)
		if (*nu < cap)
			u[(*nu)++] = one;
	return r;
}

static int
users_str(const char *s, struct tes_legacy_json *j)
{
	struct tes_legacy_user u[4];
	size_t nu;

	return users(s, strlen(s), u, 4, &nu, j);
}

/*= spec/LEGACY.md#users MUST-LG9, MUST-LG10: users.json */
static void
test_users(void)
{
	struct tes_legacy_user u[4];
	struct tes_legacy_json j;
	uint8_t *f, h[32];
	size_t n, nu;
	char s[512];
	const char *hx = "4104d36f8da2c254349f85836793ebe029e0c957063a34c91c2e9203187b5631";

	f = vec("users.json", &n);
	EQ_INT(users((const char *)f, n, u, 4, &nu, &j), 0, "users.json decodes");
	EQ_INT(nu, 2, "users.json: two users");
	tes_sha256("correct horse", 13, h);
	OK(u[0].name_len == 5 && memcmp(u[0].name, "alice", 5) == 0 && u[0].role == TES_LEGACY_ROLE_OFFICER &&
		   memcmp(u[0].hash, h, 32) == 0,
	   "users.json: alice, officer, SHA-256 of her password");
	tes_sha256("battery staple", 14, h);
	OK(u[1].name_len == 3 && memcmp(u[1].name, "bob", 3) == 0 && u[1].role == TES_LEGACY_ROLE_POLICE &&
		   memcmp(u[1].hash, h, 32) == 0 && u[1].off > u[0].off,
	   "users.json: bob, police (role before password)");
	free(f);
	f = vec("users-bare.json", &n);
	EQ_INT(users((const char *)f, n, u, 4, &nu, &j), TES_ERR_FORMAT, "users-bare.json refused");
	OK(j.why == TES_LEGACY_WHY_USER_BARE && j.err_off == 10, "users-bare.json: a bare hash at offset 10");
	free(f);

	EQ_INT(users_str("{}", &j), 0, "users: {} is no user");
	EQ_INT(users_str(" { \"a\" : { \"role\" : \"police\" , \"password\" : \"" /* whitespace everywhere */
			 "4104d36f8da2c254349f85836793ebe029e0c957063a34c91c2e9203187b5631\" } } \n",
			 &j),
	       0, "users: whitespace everywhere JSON allows it");
	snprintf(s, sizeof s, "{\"a\": {\"password\": \"%s\"}}", hx);
	EQ_INT(users_str(s, &j), TES_ERR_FORMAT, "users: no role refused");
	OK(j.why == TES_LEGACY_WHY_USER_MISSING && j.err_off == 6, "... as missing, at the user's '{'");
	snprintf(s, sizeof s, "{\"a\": {\"password\": \"%s\", \"role\": \"police\", \"role\": \"police\"}}",
		 hx);
	EQ_INT(users_str(s, &j), TES_ERR_FORMAT, "users: a field twice refused");
	EQ_INT(j.why, TES_LEGACY_WHY_USER_TWICE, "... as twice");
	snprintf(s, sizeof s, "{\"a\": {\"password\": \"%s\", \"role\": \"admin\"}}", hx);
	EQ_INT(users_str(s, &j), TES_ERR_FORMAT, "users: role admin refused");
	EQ_INT(j.why, TES_LEGACY_WHY_ROLE, "... as a bad role");
	snprintf(s, sizeof s, "{\"a\": {\"password\": \"%s\", \"role\": \"officers\"}}", hx);
	EQ_INT(users_str(s, &j), TES_ERR_FORMAT, "users: role officers (too long) refused");
	EQ_INT(j.why, TES_LEGACY_WHY_ROLE, "... as a bad role");
	snprintf(s, sizeof s, "{\"a\": {\"password\": \"%.63s\", \"role\": \"police\"}}", hx);
	EQ_INT(users_str(s, &j), TES_ERR_FORMAT, "users: 63 hex digits refused");
	OK(j.why == TES_LEGACY_WHY_HASH && j.err_off == 19, "... as a bad hash at its quote");
	snprintf(s, sizeof s, "{\"a\": {\"password\": \"%sa\", \"role\": \"police\"}}", hx);
	EQ_INT(users_str(s, &j), TES_ERR_FORMAT, "users: 65 hex digits refused");
	EQ_INT(j.why, TES_LEGACY_WHY_HASH, "... as a bad hash");
	EQ_INT(users_str("{\"a\": {\"password\": "
			 "\"4104D36F8DA2C254349F85836793EBE029E0C957063A34C91C2E9203187B5631\","
			 " \"role\": \"police\"}}",
			 &j),
	       TES_ERR_FORMAT, "users: upper-case hex refused");
	snprintf(s, sizeof s, "{\"a\": {\"password\": \"%s\", \"role\": \"police\", \"salt\": \"x\"}}", hx);
	EQ_INT(users_str(s, &j), TES_ERR_FORMAT, "users: an unknown field refused");
	EQ_INT(j.why, TES_LEGACY_WHY_USER_FIELD, "... as unknown");
	snprintf(s, sizeof s, "{\"a\": {\"passwords\": \"%s\", \"role\": \"police\"}}", hx);
	EQ_INT(users_str(s, &j), TES_ERR_FORMAT, "users: a long unknown field refused");
	OK(j.why == TES_LEGACY_WHY_USER_FIELD && j.err_off == 7, "... as unknown, at its quote");
	EQ_INT(users_str("{\"a\": {\"password\": 5, \"role\": \"police\"}}", &j), TES_ERR_FORMAT,
	       "users: a number as password refused");
	EQ_INT(j.why, TES_LEGACY_WHY_VALUE_TYPE, "... as not a string");
	EQ_INT(users_str("{\"a\": [1]}", &j), TES_ERR_FORMAT, "users: an array as user refused");
	EQ_INT(j.why, TES_LEGACY_WHY_USER_OBJECT, "... as not an object");
	EQ_INT(users_str("{\"a\": {}}", &j), TES_ERR_FORMAT, "users: an empty user refused");
	EQ_INT(j.why, TES_LEGACY_WHY_USER_MISSING, "... as missing fields");
	snprintf(s, sizeof s, "{\"a\": {\"password\": \"%s\", \"role\": \"\\u0070olice\"}}", hx);
	EQ_INT(users_str(s, &j), 0, "users: escapes in values are decoded (\\u0070olice)");
	snprintf(s, sizeof s, "{\"a\": {\"password\": \"%s\", \"role\": \"police\",}}", hx);
	EQ_INT(users_str(s, &j), TES_ERR_FORMAT, "users: a trailing comma in a user refused");
	EQ_INT(j.why, TES_LEGACY_WHY_EXPECT_KEY, "... as a key expected");
	snprintf(s, sizeof s, "{\"a\": {\"password\": \"%s\" \"role\": \"police\"}}", hx);
	EQ_INT(users_str(s, &j), TES_ERR_FORMAT, "users: a missing comma refused");
	EQ_INT(j.why, TES_LEGACY_WHY_EXPECT_COMMA, "... as , or } expected");
	snprintf(s, sizeof s, "{\"a\": {\"password\": \"%s\", \"role\": \"police\"", hx);
	EQ_INT(users_str(s, &j), TES_ERR_FORMAT, "users: cut inside a user refused");
	EQ_INT(j.why, TES_LEGACY_WHY_END, "... as the end inside the object");
}

/* One drivers text refused with why at offset at. */
static void
refused(const char *s, uint8_t why, size_t at)
{
	int r = drivers_str(s);

	OK(r == TES_ERR_FORMAT && dec.j.why == why && dec.j.err_off == at,
	   "refused %s: %s at %zu (got %d, %u at %zu)", s, tes_legacy_why_str(why), at, r, dec.j.why,
	   dec.j.err_off);
}

/*= spec/LEGACY.md#json MUST-LG1, MUST-LG3..LG7: escapes, surrogates, numbers, structure */
static void
test_json_edges(void)
{
	char s[256];
	size_t k;

	EQ_INT(drivers_str("{\"A\\\"\\\\\\/\\b\\f\\n\\r\\t\": 1}"), 0, "every short escape decodes");
	OK(dec.n == 1 && key_is(0, "A\"\\/\b\f\n\r\t"), "... to its byte");
	EQ_INT(drivers_str("{\"\\u0041\\u00e9\\u20ac\\uD83D\\uDE00\\u0000\": 0}"), 0,
	       "\\u escapes of every length");
	OK(dec.n == 1 && dec.d[0].key_len == 1 + 2 + 3 + 4 + 1 &&
		   memcmp(dec.d[0].key, "A\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\x00", 11) == 0,
	   "... to UTF-8, upper and lower hex, NUL included");
	EQ_INT(drivers_str("{\"\\udbff\\udfff\": 0}"), 0, "the last code point U+10FFFF");
	OK(memcmp(dec.d[0].key, "\xf4\x8f\xbf\xbf", 4) == 0, "... encodes as F4 8F BF BF");
	refused("{\"\\ud800\": 1}", TES_LEGACY_WHY_SURROGATE, 2);
	refused("{\"\\udc00\\ud800\": 1}", TES_LEGACY_WHY_SURROGATE, 2);
	refused("{\"\\ud800\\u0041\": 1}", TES_LEGACY_WHY_SURROGATE, 2);
	refused("{\"\\ud800\\ud800\": 1}", TES_LEGACY_WHY_SURROGATE, 2);
	refused("{\"\\ud800\\n\": 1}", TES_LEGACY_WHY_SURROGATE, 2);
	refused("{\"\\ud800", TES_LEGACY_WHY_SURROGATE, 2);
	refused("{\"\\u12\": 1}", TES_LEGACY_WHY_HEX, 2);
	refused("{\"\\u12g4\": 1}", TES_LEGACY_WHY_HEX, 2);
	refused("{\"\\x41\": 1}", TES_LEGACY_WHY_ESCAPE, 2);
	refused("{\"\\'\": 1}", TES_LEGACY_WHY_ESCAPE, 2);
	refused("{\"A\tB\": 1}", TES_LEGACY_WHY_CONTROL, 3);
	refused("{\"M\xc3\x9c\": 1}", TES_LEGACY_WHY_NON_ASCII, 3);
	refused("{\"AB", TES_LEGACY_WHY_STRING_END, 1);
	refused("{\"AB\\", TES_LEGACY_WHY_STRING_END, 4);

	/* keys: 64 bytes at most, counted after decoding */
	memset(s, 0, sizeof s);
	s[0] = '{';
	s[1] = '"';
	memset(s + 2, 'K', 64);
	strcpy(s + 66, "\": 1}");
	EQ_INT(drivers_str(s), 0, "a 64-byte key");
	EQ_INT(dec.d[0].key_len, 64, "... is kept whole");
	s[2] = 'X';
	memmove(s + 3, s + 2, strlen(s + 2) + 1);
	refused(s, TES_LEGACY_WHY_KEY_LONG, 1);
	strcpy(s, "{\"");
	for (k = 0; k < 21; k++)
		strcat(s, "\\u20ac"); /* 63 bytes of UTF-8 */
	strcat(s, "\\u00e9\": 1}");   /* and 2 more: 65 */
	refused(s, TES_LEGACY_WHY_KEY_LONG, 1);

	/* numbers */
	EQ_INT(drivers_str("{\"A\": 0}"), 0, "0 points");
	EQ_INT(drivers_str("{\"A\": 1000000}"), 0, "1000000 points");
	EQ_INT(dec.d[0].points, 1000000, "... read");
	refused("{\"A\": 1000001}", TES_LEGACY_WHY_BIG, 6);
	refused("{\"A\": 9999999}", TES_LEGACY_WHY_BIG, 6);
	refused("{\"A\": 10000000}", TES_LEGACY_WHY_BIG, 6);
	refused("{\"A\": 99999999999999999999999}", TES_LEGACY_WHY_BIG, 6);
	refused("{\"A\": 01}", TES_LEGACY_WHY_LEADING_ZERO, 6);
	refused("{\"A\": 00}", TES_LEGACY_WHY_LEADING_ZERO, 6);
	refused("{\"A\": -1}", TES_LEGACY_WHY_NEGATIVE, 6);
	refused("{\"A\": -0}", TES_LEGACY_WHY_NEGATIVE, 6);
	refused("{\"A\": 1.5}", TES_LEGACY_WHY_FRACTION, 7);
	refused("{\"A\": 1.0}", TES_LEGACY_WHY_FRACTION, 7);
	refused("{\"A\": 1e3}", TES_LEGACY_WHY_FRACTION, 7);
	refused("{\"A\": 1E3}", TES_LEGACY_WHY_FRACTION, 7);
	refused("{\"A\": 0.5}", TES_LEGACY_WHY_FRACTION, 7);
	refused("{\"A\": \"10\"}", TES_LEGACY_WHY_NOT_NUMBER, 6);
	refused("{\"A\": true}", TES_LEGACY_WHY_NOT_NUMBER, 6);
	refused("{\"A\": null}", TES_LEGACY_WHY_NOT_NUMBER, 6);
	refused("{\"A\": +1}", TES_LEGACY_WHY_NOT_NUMBER, 6);
	refused("{\"A\": 1x}", TES_LEGACY_WHY_EXPECT_COMMA, 7);

	/* structure and whitespace */
	EQ_INT(drivers_str(" \t\r\n{ \t\r\n\"A\" \t\r\n: \t\r\n1 \t\r\n, \t\r\n\"B\"\n:\n2\n}\n \t\r\n"), 0,
	       "JSON whitespace everywhere it may be");
	OK(dec.n == 2 && key_is(1, "B") && dec.d[1].points == 2, "... two members");
	EQ_INT(drivers_str("{}"), 0, "{}");
	EQ_INT(drivers_str("{ }"), 0, "{ }");
	refused("", TES_LEGACY_WHY_NOT_OBJECT, 0);
	refused("   ", TES_LEGACY_WHY_NOT_OBJECT, 3);
	refused("[]", TES_LEGACY_WHY_NOT_OBJECT, 0);
	refused("\xef\xbb\xbf{}", TES_LEGACY_WHY_NOT_OBJECT, 0);
	refused("{", TES_LEGACY_WHY_END, 1);
	refused("{\"A\"", TES_LEGACY_WHY_END, 4);
	refused("{\"A\":", TES_LEGACY_WHY_END, 5);
	refused("{\"A\": 1", TES_LEGACY_WHY_END, 7);
	refused("{\"A\": 1,", TES_LEGACY_WHY_END, 8);
	refused("{,}", TES_LEGACY_WHY_EXPECT_KEY, 1);
	refused("{\"A\": 1,}", TES_LEGACY_WHY_EXPECT_KEY, 8);
	refused("{A: 1}", TES_LEGACY_WHY_EXPECT_KEY, 1);
	refused("{'A': 1}", TES_LEGACY_WHY_EXPECT_KEY, 1);
	refused("{\"A\" 1}", TES_LEGACY_WHY_EXPECT_COLON, 5);
	refused("{\"A\": 1 \"B\": 2}", TES_LEGACY_WHY_EXPECT_COMMA, 8);
	refused("{\"A\": 1}}", TES_LEGACY_WHY_TRAILING, 8);
	refused("{} x", TES_LEGACY_WHY_TRAILING, 3);
	{
		static const uint8_t nul[] = { '{', '}', 0 };

		OK(drivers(nul, 3) == TES_ERR_FORMAT && dec.j.why == TES_LEGACY_WHY_TRAILING &&
			   dec.j.err_off == 2,
		   "a NUL after the object is trailing text");
	}
	/* duplicates are the caller's: the decoder returns both */
	EQ_INT(drivers_str("{\"A\": 1, \"A\": 2}"), 0, "a duplicate key decodes");
	EQ_INT(dec.n, 2, "... and both members come back");
	/* sticky states */
	{
		struct tes_legacy_driver d;

		drivers_str("{\"A\": x}");
		EQ_INT(tes_legacy_drivers_next(&dec.j, (const uint8_t *)"{}", 2, &d), TES_ERR_FORMAT,
		       "a failed decoder stays failed");
		drivers_str("{}");
		EQ_INT(tes_legacy_drivers_next(&dec.j, (const uint8_t *)"{}", 2, &d), 0,
		       "a finished decoder stays done");
	}
	for (k = 0; k <= TES_LEGACY_WHY_MAX; k++)
		if (tes_legacy_why_str((uint8_t)k) == NULL)
			break;
	OK(k > TES_LEGACY_WHY_MAX && strcmp(tes_legacy_why_str(200), "no error") == 0,
	   "every why has a sentence");
}

/*= spec/LEGACY.md#container MUST-LG2: the padding rules */
static void
test_unpad(void)
{
	uint8_t b[24];
	size_t len = 99, v;

	memset(b, 'x', sizeof b);
	for (v = 1; v <= 8; v++) {
		memset(b + 16 - v, (int)v, v);
		OK(tes_legacy_unpad(b, 16, &len) == 0 && len == 16 - v, "padding of %zu", v);
	}
	memset(b, 8, 8);
	OK(tes_legacy_unpad(b, 8, &len) == 0 && len == 0, "one block of padding alone: empty plaintext");
	memset(b, 'x', sizeof b);
	b[15] = 0;
	EQ_INT(tes_legacy_unpad(b, 16, &len), TES_ERR_DECRYPT, "padding byte 0");
	b[15] = 9;
	EQ_INT(tes_legacy_unpad(b, 16, &len), TES_ERR_DECRYPT, "padding byte 9");
	memset(b + 8, 8, 8);
	b[8] = 7;
	EQ_INT(tes_legacy_unpad(b, 16, &len), TES_ERR_DECRYPT, "padding bytes not all equal (first)");
	memset(b + 12, 4, 4);
	b[13] = 5;
	EQ_INT(tes_legacy_unpad(b, 16, &len), TES_ERR_DECRYPT, "padding bytes not all equal (middle)");
	memset(b, 1, sizeof b);
	EQ_INT(tes_legacy_unpad(b, 0, &len), TES_ERR_DECRYPT, "no block");
	EQ_INT(tes_legacy_unpad(b, 7, &len), TES_ERR_DECRYPT, "7 bytes");
	EQ_INT(tes_legacy_unpad(b, 9, &len), TES_ERR_DECRYPT, "9 bytes");
	OK(tes_legacy_unpad(b, 24, &len) == 0 && len == 23, "three blocks, one byte of padding");
}

/*= spec/LEGACY.md#container MUST-LG2: single DES known answer */
static void
test_des1(void)
{
	/* FIPS 81 / NBS test: key 0123456789abcdef, "Now is the time for all " under CBC, IV 1234567890abcdef */
	static const uint8_t key[8] = { 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef };
	static const uint8_t iv[8] = { 0x12, 0x34, 0x56, 0x78, 0x90, 0xab, 0xcd, 0xef };
	static const uint8_t ct[24] = { 0xe5, 0xc7, 0xcd, 0xde, 0x87, 0x2b, 0xf2, 0x7c,
					0x43, 0xe9, 0x34, 0x00, 0x8c, 0x38, 0x9c, 0x0f,
					0x68, 0x37, 0x88, 0x49, 0x9a, 0x7c, 0x05, 0xf6 };
	uint8_t buf[24], iv_copy[8];

	memcpy(buf, ct, sizeof buf);
	memcpy(iv_copy, iv, sizeof iv_copy);
	EQ_INT(tes_des1_cbc_decrypt(key, iv_copy, buf, sizeof buf), 0, "DES-CBC decrypts whole blocks");
	EQ_MEM(buf, "Now is the time for all ", 24, "FIPS 81 DES-CBC known answer");
	EQ_MEM(iv_copy, iv, 8, "the IV is not changed");
	EQ_INT(tes_des1_cbc_decrypt(key, iv, buf, 23), TES_ERR_ARG, "a partial block is refused");
	EQ_INT(tes_des1_cbc_decrypt(key, iv, buf, 0), 0, "nothing to decrypt");
}

/*= spec/LEGACY.md#plates MUST-LG8: the plate normaliser */
static void
test_plate(void)
{
	static const struct {
		const char *in, *out;
		int r;
	} t[] = {
		{ "ab-123", "AB123", 0 },
		{ "AB 123", "AB123", 0 },
		{ " - a - ", "A", 0 },
		{ "abcdefghijkl", "ABCDEFGHIJKL", 0 },
		{ "ab cd ef gh ij kl", "ABCDEFGHIJKL", 0 },
		{ "abcdefghijklm", NULL, TES_ERR_PLATE },
		{ "", NULL, TES_ERR_PLATE },
		{ " - ", NULL, TES_ERR_PLATE },
		{ "AB_123", NULL, TES_ERR_PLATE },
		{ "AB\t123", NULL, TES_ERR_PLATE },
		{ "AB.123", NULL, TES_ERR_PLATE },
		{ "M\xc3\x9c 123", NULL, TES_ERR_FORMAT },
		{ "\xc3\x9c", NULL, TES_ERR_FORMAT },
		{ "AB123 \xe2\x82\xac", NULL, TES_ERR_FORMAT },
		{ "abcdefghijklmnop\xc3\x9c", NULL, TES_ERR_FORMAT }, /* non-ASCII wins over length */
	};
	char out[TES_PLATE_MAX + 1];
	uint8_t len;
	size_t i;
	int r;

	for (i = 0; i < sizeof t / sizeof t[0]; i++) {
		r = tes_legacy_plate((const uint8_t *)t[i].in, strlen(t[i].in), out, &len);
		OK(r == t[i].r && (r != 0 || (strcmp(out, t[i].out) == 0 && len == strlen(t[i].out))),
		   "plate \"%s\"", t[i].in);
	}
	OK(tes_legacy_plate((const uint8_t *)"A\0B", 3, out, &len) == TES_ERR_PLATE, "a NUL inside a plate");
}

int
main(void)
{
	test_des1();
	test_unpad();
	test_vectors_container();
	test_vectors_json();
	test_users();
	test_json_edges();
	test_plate();
	return tap_done();
}
