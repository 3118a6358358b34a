/* SPDX-License-Identifier: ISC */
/*
 * First-run demo enrolment for `make run` (tes-officer serve --demo): a
 * demo unit key, a police user and an officer user with random passwords
 * (20 characters, checked by the password policy like any other),
 * so a newcomer can send a report at once. Everything lands in DIR/demo
 * (0700, files 0600) and goes through the same store calls as the
 * subcommands.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/file.h"
#include "common/io.h"
#include "common/log.h"
#include "common/wipe.h"
#include "crypto/keyfile.h"
#include "crypto/passwd.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "officer/demo.h"
#include "officer/pwpolicy.h"
#include "store/db.h"
#include "wire/pwfile.h"

/* A new file (mode 0600) holding text and a newline. */
static int
write_secret(const char *path, const char *text)
{
	char line[64];
	int n = snprintf(line, sizeof line, "%s\n", text), r;

	if (n < 0 || (size_t)n >= sizeof line)
		return TES_ERR_TOOLONG;
	r = tes_file_create(AT_FDCWD, path, line, (size_t)n, 0600);
	tes_wipe(line, sizeof line);
	return r;
}

static int
add_user(struct tes_db *db, const char *dir, const char *name, uint8_t role, const char *file)
{
	uint8_t raw[15];
	char pw[32], hash[256], path[PATH_MAX];
	const char *why;
	int r;

	/* 20 characters of base64 (120 random bits): the policy's minimum is 15 for officers */
	tes_rng_bytes(raw, sizeof raw);
	tes_b64_encode(raw, sizeof raw, pw, sizeof pw, 0);
	for (char *p = pw; *p; p++)
		if (*p == '/' || *p == '+')
			*p = 'x';
	snprintf(path, sizeof path, "%s/demo/%s", dir, file);
	if ((r = tes_pwpolicy_check(pw, strlen(pw), role, &why)) != 0)
		tes_log(TES_LOG_ERROR, "demo password refused: %s", why);
	if (r == 0 && (r = tes_passwd_hash(pw, strlen(pw), hash, sizeof hash)) == 0 &&
	    (r = tes_db_user_add(db, name, role, hash)) == 0)
		r = write_secret(path, pw);
	tes_wipe(pw, sizeof pw);
	return r;
}

static int
add_unit(struct tes_db *db, const char *dir)
{
	struct tes_rsa_priv k;
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof path, "%s/demo/unit1.key", dir);
	if ((r = tes_rsa_generate(&k)) == 0 && (r = tes_keyfile_save_private(&k, path)) == 0) {
		snprintf(path, sizeof path, "%s/demo/unit1.key.pub", dir);
		if ((r = tes_keyfile_save_public(&k.pub, path, "demo-unit")) == 0)
			r = tes_db_unit_add(db, "demo-unit", &k.pub);
	}
	TES_WIPE_CTX(&k);
	return r;
}

static int
enrol(const char *dir)
{
	struct tes_db *db;
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof path, "%s/demo", dir);
	if ((r = tes_db_create(dir)) != 0)
		return r;
	if (mkdir(path, 0700) != 0)
		return TES_ERR_IO;
	if ((r = tes_db_open(dir, &db)) != 0)
		return r;
	if ((r = add_unit(db, dir)) == 0 && (r = add_user(db, dir, "demo", 1, "police.pw")) == 0)
		r = add_user(db, dir, "admin", 2, "officer.pw");
	tes_db_close(db);
	return r;
}

static void
print_help(const char *dir, const char *listen, const char *http)
{
	char where[160];

	char fp[TES_FP_STRLEN], path[PATH_MAX], pw[64] = "?", target[128];
	struct tes_rsa_priv k;
	const char *colon = strrchr(listen, ':'), *why;
	size_t n, len;

	snprintf(path, sizeof path, "%s/server.key", dir);
	if (tes_keyfile_load_private(&k, path) != 0)
		return;
	tes_rsa_fingerprint(&k.pub, fp);
	TES_WIPE_CTX(&k);
	if (http != NULL && strcmp(http, "off") != 0)
		snprintf(where, sizeof where, "dashboard http://%s/", http);
	else
		snprintf(where, sizeof where, "dashboard off: --http ADDR:PORT turns it on");
	snprintf(path, sizeof path, "%s/demo/officer.pw", dir);
	if (tes_file_load(AT_FDCWD, path, 0, (uint8_t *)pw, sizeof pw - 1, &n) == 0 &&
	    tes_pwfile_decode((const uint8_t *)pw, n, &len, &why) == 0)
		pw[len] = '\0';
	else
		snprintf(pw, sizeof pw, "?");
	if (strncmp(listen, "0.0.0.0:", 8) == 0 || strncmp(listen, "[::]:", 5) == 0)
		snprintf(target, sizeof target, "127.0.0.1%s", colon);
	else
		snprintf(target, sizeof target, "%s", listen);
	printf("\nTES officer server\n"
	       "  server key:      %s\n"
	       "  officer login:   admin / %s   (%s)\n"
	       "  demo police:     demo (password in %s/demo/police.pw), unit key %s/demo/unit1.key\n\n"
	       "Send a report from another terminal:\n\n"
	       "  %s report -s %s -k %s/demo/unit1.key -u demo --password-file %s/demo/police.pw \\\n"
	       "      --server-key %s --plate 34ABC123 --speed 120\n\n"
	       "Then: build/tes-officer pending -d %s\n\n",
	       fp, pw, where, dir, dir,
	       access("build/tes-police", X_OK) == 0 ? "build/tes-police" : "tes-police", target, dir, dir,
	       fp, dir);
	tes_wipe(pw, sizeof pw);
	fflush(stdout);
}

/* Create and enrol on first run; print the ready-to-paste command every run. */
int
tes_demo_setup(const char *dir, const char *listen, const char *http, int *created)
{
	char path[PATH_MAX];
	int r;

	snprintf(path, sizeof path, "%s/journal", dir);
	*created = 0;
	if (access(path, F_OK) != 0) {
		if ((r = enrol(dir)) != 0) {
			tes_log(TES_LOG_ERROR, "cannot create demo data in %s: %s", dir, tes_err_str(r));
			return r;
		}
		*created = 1;
		tes_log(TES_LOG_INFO, "created %s with a demo unit and demo users", dir);
	}
	snprintf(path, sizeof path, "%s/demo/officer.pw", dir);
	if (access(path, F_OK) == 0)
		print_help(dir, listen, http);
	return 0;
}
