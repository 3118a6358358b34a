/* SPDX-License-Identifier: ISC */
/*
 * tes-officer import-legacy: the original system's drivers.enc and
 * users.json taken into a TES store (spec/LEGACY.md). The files are decoded
 * by the proven codecs (src/wire/legacy.c) and checked whole before
 * anything is written: a plate that cannot be normalised, or two that
 * normalise to the same one, and nothing is imported.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/file.h"
#include "common/hex.h"
#include "common/wipe.h"
#include "crypto/des1.h"
#include "crypto/rng.h"
#include "crypto/sha256.h"
#include "officer/migrate.h"
#include "wire/field.h"
#include "wire/legacy.h"

enum {
	LEGACY_FILE_MAX = 16 << 20 /* bytes of an old drivers.enc or users.json */
};

/* A plate of the old file: its text as it was (for messages) and as TES writes it. */
struct old_plate {
	struct tes_db_import_entry e;
	size_t off;                             /* offset of its key in the plaintext */
	char shown[4 * TES_LEGACY_KEY_MAX + 1]; /* the old key, non-ASCII bytes as \xNN */
	int bad;                                /* cannot be normalised */
};

static void
shown_key(const uint8_t *k, size_t n, char *out, size_t cap)
{
	size_t i, o = 0;

	for (i = 0; i < n && o + 5 < cap; i++) {
		if (k[i] >= 0x20 && k[i] < 0x7f && k[i] != '"' && k[i] != '\\')
			out[o++] = (char)k[i];
		else
			o += (size_t)snprintf(out + o, cap - o, "\\x%02x", k[i]);
	}
	out[o] = '\0';
}

static int
plate_cmp(const void *a, const void *b)
{
	const struct old_plate *x = a, *y = b;
	int c = strcmp(x->e.plate, y->e.plate);

	return c != 0 ? c : x->off < y->off ? -1 : x->off > y->off;
}

static int
off_cmp(const void *a, const void *b)
{
	const struct old_plate *x = a, *y = b;

	return x->off < y->off ? -1 : x->off > y->off;
}

/* Read a whole file the front end named (an absolute path). */
static int
slurp(const char *path, uint8_t **buf, size_t *len, FILE *err)
{
	int r = tes_file_slurp(AT_FDCWD, path, TES_FILE_REGULAR, LEGACY_FILE_MAX, buf, len);

	if (r != 0)
		fprintf(err, "%s: %s\n", path,
			r == TES_ERR_TOOLONG    ? "larger than 16 MiB"
			: r == TES_ERR_NOTFOUND ? "no such file"
						: tes_err_str(r));
	return r;
}

struct old {
	struct old_plate *v;
	size_t n, cap;
	uint64_t points;
};

/*
 * Decrypt and decode drivers.enc into o: every plate normalised, or a list
 * of the ones that cannot be and of those that collide (exit 65).
 */
static int
read_drivers(const char *path, const uint8_t key[static TES_DES1_KEY_LEN], uint8_t *buf, size_t len,
	     struct old *o, uint8_t batch[static TES_SHA256_LEN], FILE *err)
{
	struct tes_legacy_json j;
	struct tes_legacy_driver d;
	struct old_plate *p;
	size_t plain_len, i, bad = 0;
	uint8_t *plain = buf + TES_DES1_BLOCK;
	int r;

	/*= spec/LEGACY.md#container MUST-LG2: an 8-byte IV, then whole DES blocks, PKCS#7 inside */
	if (len < 2 * TES_DES1_BLOCK || (len - TES_DES1_BLOCK) % TES_DES1_BLOCK != 0) {
		fprintf(err, "%s: %zu bytes: not an 8-byte IV followed by whole 8-byte DES blocks\n", path,
			len);
		return EX_DATAERR;
	}
	if (tes_des1_cbc_decrypt(key, buf, plain, len - TES_DES1_BLOCK) != 0 ||
	    tes_legacy_unpad(plain, len - TES_DES1_BLOCK, &plain_len) != 0) {
		fprintf(err,
			"%s: the padding is wrong after decryption: a wrong key (--key), or not a "
			"drivers.enc "
			"of the original system\n",
			path);
		return EX_DATAERR;
	}
	tes_sha256(plain, plain_len, batch);
	tes_legacy_json_init(&j);
	while ((r = tes_legacy_drivers_next(&j, plain, plain_len, &d)) == 1) {
		if (o->n == o->cap) {
			o->cap = o->cap == 0 ? 64 : 2 * o->cap;
			if ((o->v = realloc(o->v, o->cap * sizeof(*o->v))) == NULL)
				abort();
		}
		p = &o->v[o->n++];
		memset(p, 0, sizeof(*p));
		p->off = d.off;
		p->e.points = d.points;
		shown_key(d.key, d.key_len, p->shown, sizeof p->shown);
		/*= spec/LEGACY.md#plates MUST-LG8: never transliterated: a plate that does not normalise is refused */
		p->bad = tes_legacy_plate(d.key, d.key_len, p->e.plate, &p->e.plate_len) != 0;
		o->points += d.points;
	}
	if (r < 0) {
		fprintf(err, "%s: plaintext offset %zu: %s (a wrong key gives this too)\n", path, j.err_off,
			tes_legacy_why_str(j.why));
		return EX_DATAERR;
	}
	for (i = 0; i < o->n; i++)
		if (o->v[i].bad) {
			fprintf(err,
				"%s: plaintext offset %zu: plate \"%s\" cannot be written in TES's alphabet "
				"(A-Z, "
				"0-9)\n",
				path, o->v[i].off, o->v[i].shown);
			bad++;
		}
	/*= spec/LEGACY.md#import MUST-LG11: two old plates that become one are refused, both named */
	if (o->n > 1)
		qsort(o->v, o->n, sizeof(*o->v), plate_cmp);
	for (i = 1; i < o->n; i++)
		if (!o->v[i].bad && !o->v[i - 1].bad && strcmp(o->v[i].e.plate, o->v[i - 1].e.plate) == 0) {
			fprintf(err,
				"%s: plates \"%s\" (offset %zu) and \"%s\" (offset %zu) both become %s\n",
				path, o->v[i - 1].shown, o->v[i - 1].off, o->v[i].shown, o->v[i].off,
				o->v[i].e.plate);
			bad++;
		}
	if (o->n > 1)
		qsort(o->v, o->n, sizeof(*o->v), off_cmp);
	if (bad != 0) {
		fprintf(err, "%s: %zu plate%s refused: nothing was imported\n", path, bad,
			bad == 1 ? "" : "s");
		return EX_DATAERR;
	}
	return EX_OK;
}

/* users.json: every user decoded and named validly, none clashing with an account of another role. */
struct olduser {
	char name[TES_NAME_MAX + 1];
	uint8_t role;
	int exists;
};

static int
read_users(const struct tes_db *db, const char *path, const uint8_t *buf, size_t len, struct olduser **out,
	   size_t *count, FILE *err)
{
	struct tes_legacy_json j;
	struct tes_legacy_user u;
	struct olduser *v = NULL;
	size_t n = 0, cap = 0, bad = 0, i;
	uint8_t role;
	int r, off;
	char shown[4 * TES_LEGACY_KEY_MAX + 1];

	tes_legacy_json_init(&j);
	while ((r = tes_legacy_users_next(&j, buf, len, &u)) == 1) {
		shown_key(u.name, u.name_len, shown, sizeof shown);
		tes_wipe(u.hash, sizeof u.hash); /* an unsalted SHA-256 cannot become an Argon2id hash */
		if (u.name_len > TES_NAME_MAX || memchr(u.name, 0, u.name_len) != NULL ||
		    tes_field_name_valid((const char *)u.name, u.name_len) != 0) {
			fprintf(err, "%s: offset %zu: user \"%s\" is not a valid TES account name\n", path,
				u.off, shown);
			bad++;
			continue;
		}
		if (n == cap) {
			cap = cap == 0 ? 16 : 2 * cap;
			if ((v = realloc(v, cap * sizeof(*v))) == NULL)
				abort();
		}
		memset(&v[n], 0, sizeof(v[n]));
		memcpy(v[n].name, u.name, u.name_len);
		v[n].role = u.role;
		for (i = 0; i < n; i++)
			if (strcmp(v[i].name, v[n].name) == 0) {
				fprintf(err, "%s: offset %zu: user \"%s\" is listed twice\n", path, u.off,
					shown);
				bad++;
			}
		if (tes_db_user_info(db, v[n].name, &role, &off) == 0) {
			if (role != u.role) {
				fprintf(err, "%s: offset %zu: user \"%s\" exists already with another role\n",
					path, u.off, shown);
				bad++;
			}
			v[n].exists = 1;
		}
		n++;
	}
	if (r < 0) {
		fprintf(err, "%s: offset %zu: %s\n", path, j.err_off, tes_legacy_why_str(j.why));
		free(v);
		return EX_DATAERR;
	}
	if (bad != 0) {
		fprintf(err, "%s: %zu user%s refused: nothing was imported\n", path, bad,
			bad == 1 ? "" : "s");
		free(v);
		return EX_DATAERR;
	}
	*out = v;
	*count = n;
	return EX_OK;
}

/* An Argon2id string that no password matches: random salt and random output, nothing hashed. */
static void
locked_hash(char out[static TES_JOURNAL_HASH_MAX + 1])
{
	uint8_t salt[16], h[32];
	char s[32], t[48];

	tes_rng_bytes(salt, sizeof salt);
	tes_rng_bytes(h, sizeof h);
	(void)tes_b64_encode(salt, sizeof salt, s, sizeof s, 0);
	(void)tes_b64_encode(h, sizeof h, t, sizeof t, 0);
	snprintf(out, TES_JOURNAL_HASH_MAX + 1, "$argon2id$v=19$m=65536,t=3,p=1$%s$%s", s, t);
}

static int
add_users(struct tes_db *db, const struct olduser *v, size_t n, size_t *added, FILE *err)
{
	char hash[TES_JOURNAL_HASH_MAX + 1];
	size_t i;
	int r;

	*added = 0;
	for (i = 0; i < n; i++) {
		if (v[i].exists)
			continue;
		locked_hash(hash);
		/*= spec/LEGACY.md#import MUST-LG13: users arrive disabled until an operator sets a password */
		if ((r = tes_db_user_add(db, v[i].name, v[i].role, hash)) != 0 ||
		    (r = tes_db_user_disable(db, v[i].name)) != 0) {
			fprintf(err, "user %s: %s\n", v[i].name, tes_err_str(r));
			return r == TES_ERR_NOSPACE || r == TES_ERR_IO ? EX_IOERR : EX_SOFTWARE;
		}
		(*added)++;
	}
	return EX_OK;
}

static void
caller_name(uid_t caller, char name[static TES_NAME_MAX + 1])
{
	struct passwd pw, *p = NULL;
	char buf[1024];

	name[0] = '\0';
	if (getpwuid_r(caller, &pw, buf, sizeof buf, &p) == 0 && p != NULL &&
	    tes_field_name_valid(p->pw_name, strlen(p->pw_name)) == 0)
		snprintf(name, TES_NAME_MAX + 1, "%s", p->pw_name);
}

/* The points: one IMPORT record per plate with points, all or nothing decided above. */
static int
add_points(struct tes_db *db, const char *path, const struct old *o,
	   const uint8_t batch[static TES_SHA256_LEN], size_t *added, int *again, FILE *err)
{
	struct tes_db_import_entry *e;
	size_t i, k = 0;
	int r;

	*added = 0;
	*again = 0;
	if ((e = calloc(o->n + 1, sizeof(*e))) == NULL)
		abort();
	for (i = 0; i < o->n; i++)
		if (o->v[i].e.points > 0)
			e[k++] = o->v[i].e;
	r = k == 0 ? 0 : tes_db_import(db, batch, e, k, (uint64_t)time(NULL), added);
	free(e);
	/*= spec/LEGACY.md#import MUST-LG12: the same plaintext twice is imported once */
	if (r == TES_ERR_EXISTS) {
		*again = 1;
		return EX_OK;
	}
	if (r != 0) {
		fprintf(err, "%s: %s\n", path, tes_err_str(r));
		return r == TES_ERR_NOSPACE || r == TES_ERR_IO ? EX_IOERR : EX_SOFTWARE;
	}
	return EX_OK;
}

/* see migrate.h: import-legacy DRIVERS USERS|"" KEY */
int
tes_migrate_exec(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err)
{
	uint8_t key[TES_DES1_KEY_LEN], batch[TES_SHA256_LEN];
	char hex[2 * TES_SHA256_LEN + 1], who[TES_NAME_MAX + 1], note[TES_JOURNAL_TEXT_MAX + 1];
	uint8_t *dbuf = NULL, *ubuf = NULL;
	size_t dlen = 0, ulen = 0, nusers = 0, uadded = 0, padded = 0;
	struct olduser *users = NULL;
	struct old o = { 0 };
	int code = EX_DATAERR, again = 0;

	if (argc != 4 || strlen(argv[3]) != TES_DES1_KEY_LEN) {
		fprintf(err, "usage: import-legacy DRIVERS USERS KEY (an 8-byte key)\n");
		return EX_USAGE;
	}
	memcpy(key, argv[3], sizeof key);
	if (slurp(argv[1], &dbuf, &dlen, err) != 0) {
		code = EX_NOINPUT;
		goto out;
	}
	if (argv[2][0] != '\0' && slurp(argv[2], &ubuf, &ulen, err) != 0) {
		code = EX_NOINPUT;
		goto out;
	}
	if (strcmp(argv[3], TES_LEGACY_DEFAULT_KEY) == 0)
		/* the default key is public (spec/LEGACY.md#container), and said so */
		fprintf(err,
			"warning: the key %s is public (it is in the original system's source): whoever had "
			"this file could read and change it\n",
			TES_LEGACY_DEFAULT_KEY);
	/* every file is checked whole before anything is written */
	/*= spec/LEGACY.md#container MUST-LG2: an empty file, which the original read as no drivers */
	if (dlen != 0 && (code = read_drivers(argv[1], key, dbuf, dlen, &o, batch, err)) != EX_OK)
		goto out;
	if (ubuf != NULL && (code = read_users(db, argv[2], ubuf, ulen, &users, &nusers, err)) != EX_OK)
		goto out;
	if ((code = add_users(db, users, nusers, &uadded, err)) != EX_OK)
		goto out;
	if (dlen != 0 && (code = add_points(db, argv[1], &o, batch, &padded, &again, err)) != EX_OK)
		goto out;
	caller_name(caller, who);
	tes_hex_encode(batch, sizeof batch, hex);
	if (dlen == 0)
		fprintf(out, "%s is empty: the original system read it as no drivers; no points imported\n",
			argv[1]);
	else if (again)
		fprintf(out, "%s: this content was imported already (sha256 %.16s...): no points imported\n",
			argv[1], hex);
	else
		fprintf(out, "%s: %zu plates read, %zu with points, %llu points imported\n", argv[1], o.n,
			padded, (unsigned long long)o.points);
	if (ubuf != NULL)
		fprintf(out, "%s: %zu users read, %zu added, disabled until 'tes-officer passwd NAME'%s\n",
			argv[2], nusers, uadded, nusers > uadded ? " (the others exist already)" : "");
	if (padded != 0 || uadded != 0) {
		snprintf(note, sizeof note, "import-legacy: %zu plates, %llu points, %zu users; sha256 %.16s",
			 padded, (unsigned long long)o.points, uadded, dlen != 0 ? hex : "-");
		if (tes_db_audit(db, TES_AUDIT_IMPORT, who, note, (uint64_t)time(NULL)) != 0)
			fprintf(err, "import-legacy: audit record not written\n");
	}
	code = EX_OK;
out:
	if (dbuf != NULL)
		tes_wipe(dbuf, dlen);
	free(dbuf);
	free(ubuf);
	free(o.v);
	free(users);
	tes_wipe(key, sizeof key);
	return code;
}
