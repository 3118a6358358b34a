/* SPDX-License-Identifier: ISC */
/*
 * Target "legacy_json": the plaintext of an old drivers.enc, the JSON object
 * {"PLATE": points, ...} (src/wire/legacy.c, spec/LEGACY.md#json), which
 * tes-officer import-legacy reads from a file anyone may have written.
 * input = the decrypted text. Properties: every member has a key of at most
 * 64 bytes that is well-formed UTF-8 (decoded escapes), points at most
 * 1000000 and an offset that points at a quote and grows from member to
 * member; a member written again the way json.dumps writes it decodes to the
 * same key and points; a refusal has a reason and an offset inside the text,
 * and is sticky; the plate normaliser agrees with tes_field_plate_normalize
 * on ASCII keys and refuses every key with a non-ASCII byte. The padding
 * check is run on the same bytes and compared with a plain restatement.
 */
#include <string.h>

#include "fuzz.h"
#include "wire/field.h"
#include "wire/legacy.h"

/* Well-formed UTF-8 (RFC 3629): 1, and each code point into cp[] (*ncp of them). */
static int
utf8_cps(const uint8_t *p, size_t n, uint32_t *cp, size_t *ncp)
{
	size_t i = 0, k, len;
	uint32_t c;

	*ncp = 0;
	while (i < n) {
		if (p[i] < 0x80) {
			cp[(*ncp)++] = p[i++];
			continue;
		}
		len = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;
		if (p[i] < 0xc2 || p[i] > 0xf4 || n - i < len)
			return 0;
		c = p[i] & (0x7f >> len);
		for (k = 1; k < len; k++) {
			if ((p[i + k] & 0xc0) != 0x80)
				return 0;
			c = c << 6 | (p[i + k] & 0x3f);
		}
		if ((len == 3 && (c < 0x800 || (c >= 0xd800 && c <= 0xdfff))) ||
		    (len == 4 && (c < 0x10000 || c > 0x10ffff)))
			return 0;
		cp[(*ncp)++] = c;
		i += len;
	}
	return 1;
}

/* Append s to b as json.dumps writes a str (ensure_ascii). */
static size_t
put_str(char *b, size_t at, const uint32_t *cp, size_t ncp)
{
	size_t i;
	uint32_t c;

	b[at++] = '"';
	for (i = 0; i < ncp; i++) {
		c = cp[i];
		if (c == '"' || c == '\\') {
			b[at++] = '\\';
			b[at++] = (char)c;
		} else if (c >= 0x20 && c < 0x7f) {
			b[at++] = (char)c;
		} else if (c >= 0x10000) {
			c -= 0x10000;
			at += (size_t)sprintf(b + at, "\\u%04x\\u%04x", 0xd800 + (c >> 10),
					      0xdc00 + (c & 0x3ff));
		} else {
			at += (size_t)sprintf(b + at, "\\u%04x", c);
		}
	}
	b[at++] = '"';
	return at;
}

static void
round_trip(const struct tes_legacy_driver *d)
{
	uint32_t cp[TES_LEGACY_KEY_MAX];
	char b[TES_LEGACY_KEY_MAX * 12 + 32];
	struct tes_legacy_json j;
	struct tes_legacy_driver again;
	size_t ncp, at = 0;

	fuzz_check(utf8_cps(d->key, d->key_len, cp, &ncp), "a decoded key is UTF-8");
	b[at++] = '{';
	at = put_str(b, at, cp, ncp);
	at += (size_t)sprintf(b + at, ": %u}", d->points);
	tes_legacy_json_init(&j);
	fuzz_check(tes_legacy_drivers_next(&j, (const uint8_t *)b, at, &again) == 1,
		   "a member written again decodes");
	fuzz_check(again.key_len == d->key_len && memcmp(again.key, d->key, d->key_len) == 0 &&
			   again.points == d->points && again.off == 1,
		   "to the same member");
	fuzz_check(tes_legacy_drivers_next(&j, (const uint8_t *)b, at, &again) == 0, "and alone");
}

static void
plate(const struct tes_legacy_driver *d)
{
	char out[TES_PLATE_MAX + 1], ref[TES_PLATE_MAX + 1];
	uint8_t len = 0, rlen = 0;
	size_t k;
	int high = 0, r, rr;

	for (k = 0; k < d->key_len; k++)
		high |= d->key[k] >= 0x80;
	r = tes_legacy_plate(d->key, d->key_len, out, &len);
	if (high) {
		fuzz_check(r == TES_ERR_FORMAT, "a non-ASCII key is refused as such");
		return;
	}
	rr = tes_field_plate_normalize((const char *)d->key, d->key_len, ref, &rlen);
	fuzz_check((r == 0) == (rr == 0) && (r == 0 || r == TES_ERR_PLATE), "the normalisers agree");
	if (r == 0)
		fuzz_check(len == rlen && memcmp(out, ref, len + 1) == 0 &&
				   tes_field_plate_valid(out, len) == 0,
			   "on the same valid plate");
}

static void
unpad(const uint8_t *p, size_t n)
{
	size_t len = 0, k;
	int ok = n >= 8 && n % 8 == 0 && p[n - 1] >= 1 && p[n - 1] <= 8;

	for (k = 0; ok && k < p[n - 1]; k++)
		ok = p[n - 1 - k] == p[n - 1];
	fuzz_check((tes_legacy_unpad(p, n, &len) == 0) == ok, "padding as PKCS#7 says");
	if (ok)
		fuzz_check(len == n - p[n - 1], "the padding removed");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tes_legacy_json j;
	struct tes_legacy_driver d;
	size_t members = 0, last = 0;
	int r;

	unpad(data, size);
	tes_legacy_json_init(&j);
	while ((r = tes_legacy_drivers_next(&j, data, size, &d)) == 1) {
		fuzz_check(d.key_len <= TES_LEGACY_KEY_MAX && d.points <= TES_LEGACY_POINTS_MAX,
			   "member in range");
		fuzz_check(d.off < size && data[d.off] == '"' && (members == 0 || d.off > last),
			   "offsets grow");
		fuzz_check(j.off <= size, "the decoder stays inside the text");
		last = d.off;
		members++;
		round_trip(&d);
		plate(&d);
	}
	if (r == 0) {
		fuzz_check(j.state == TES_LEGACY_ST_DONE && members <= size / 5 + 1, "the end");
		fuzz_check(tes_legacy_drivers_next(&j, data, size, &d) == 0, "the end is sticky");
		return 0;
	}
	fuzz_check(r == TES_ERR_FORMAT && j.why >= 1 && j.why <= TES_LEGACY_WHY_MAX && j.err_off <= size,
		   "a refusal has a reason and an offset");
	fuzz_check(strcmp(tes_legacy_why_str(j.why), "no error") != 0, "and a sentence");
	fuzz_check(tes_legacy_drivers_next(&j, data, size, &d) == TES_ERR_FORMAT, "a refusal is sticky");
	return 0;
}
