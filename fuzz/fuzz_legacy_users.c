/* SPDX-License-Identifier: ISC */
/*
 * Target "legacy_users": an old users.json (src/wire/legacy.c,
 * spec/LEGACY.md#users), which tes-officer import-legacy --users reads from
 * a file anyone may have written. input = the file. Properties: every user
 * has a name of at most 64 bytes, a role that is police or officer and an
 * offset at a quote that grows from user to user; a user written again the
 * way json.dumps writes it (either field order) decodes to the same name,
 * hash and role; a refusal has a reason and an offset inside the text, and
 * is sticky.
 */
#include <string.h>

#include "fuzz.h"
#include "wire/legacy.h"

/* {"<name as \u escapes>": {fields}} with the password first or last. */
static size_t
write_user(char *b, const struct tes_legacy_user *u, int role_first)
{
	static const char hexd[] = "0123456789abcdef";
	const char *role = u->role == TES_LEGACY_ROLE_POLICE ? "police" : "officer";
	char hash[TES_LEGACY_HEX_LEN + 1];
	size_t at = 0, k;

	for (k = 0; k < TES_LEGACY_HASH_LEN; k++) {
		hash[2 * k] = hexd[u->hash[k] >> 4];
		hash[2 * k + 1] = hexd[u->hash[k] & 15];
	}
	hash[TES_LEGACY_HEX_LEN] = 0;
	/* every name byte as \u00XX: the decoder turns each into its UTF-8 form, so only ASCII names go back */
	b[at++] = '{';
	b[at++] = '"';
	for (k = 0; k < u->name_len; k++)
		at += (size_t)sprintf(b + at, "\\u%04x", u->name[k]);
	if (role_first)
		at += (size_t)sprintf(b + at, "\": {\"role\": \"%s\", \"password\": \"%s\"}}", role, hash);
	else
		at += (size_t)sprintf(b + at, "\": {\"password\": \"%s\", \"role\": \"%s\"}}", hash, role);
	return at;
}

static void
round_trip(const struct tes_legacy_user *u, int role_first)
{
	char b[TES_LEGACY_KEY_MAX * 6 + 160];
	struct tes_legacy_json j;
	struct tes_legacy_user again;
	size_t n, k;

	for (k = 0; k < u->name_len; k++)
		if (u->name[k] >= 0x80)
			return;
	n = write_user(b, u, role_first);
	tes_legacy_json_init(&j);
	fuzz_check(tes_legacy_users_next(&j, (const uint8_t *)b, n, &again) == 1,
		   "a user written again decodes");
	fuzz_check(again.name_len == u->name_len && memcmp(again.name, u->name, u->name_len) == 0 &&
			   memcmp(again.hash, u->hash, sizeof u->hash) == 0 && again.role == u->role,
		   "to the same user");
	fuzz_check(tes_legacy_users_next(&j, (const uint8_t *)b, n, &again) == 0, "and alone");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tes_legacy_json j;
	struct tes_legacy_user u;
	size_t users = 0, last = 0;
	int r;

	tes_legacy_json_init(&j);
	while ((r = tes_legacy_users_next(&j, data, size, &u)) == 1) {
		fuzz_check(u.name_len <= TES_LEGACY_KEY_MAX, "name in range");
		fuzz_check(u.role == TES_LEGACY_ROLE_POLICE || u.role == TES_LEGACY_ROLE_OFFICER,
			   "a known role");
		fuzz_check(u.off < size && data[u.off] == '"' && (users == 0 || u.off > last),
			   "offsets grow");
		fuzz_check(j.off <= size, "the decoder stays inside the text");
		last = u.off;
		users++;
		round_trip(&u, 0);
		round_trip(&u, 1);
	}
	if (r == 0) {
		fuzz_check(j.state == TES_LEGACY_ST_DONE, "the end");
		fuzz_check(tes_legacy_users_next(&j, data, size, &u) == 0, "the end is sticky");
		return 0;
	}
	fuzz_check(r == TES_ERR_FORMAT && j.why >= 1 && j.why <= TES_LEGACY_WHY_MAX && j.err_off <= size,
		   "a refusal has a reason and an offset");
	fuzz_check(strcmp(tes_legacy_why_str(j.why), "no error") != 0, "and a sentence");
	fuzz_check(tes_legacy_users_next(&j, data, size, &u) == TES_ERR_FORMAT, "a refusal is sticky");
	return 0;
}
