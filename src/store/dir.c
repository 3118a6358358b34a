/* SPDX-License-Identifier: ISC */
/*
 * The store's data directory (spec/STORAGE.md#directory): creating it with
 * its key files and an empty journal, the lock that makes one process its
 * only writer, and loading the keys. Internal to src/store (dbint.h).
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"
#include "common/wipe.h"
#include "crypto/keyfile.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "store/dbint.h"
#include "store/seal.h"

static int
path_join(char out[PATH_MAX], const char *dir, const char *name)
{
	int n = snprintf(out, PATH_MAX, "%s/%s", dir, name);

	return n < 0 || n >= PATH_MAX ? TES_ERR_ARG : 0;
}

/* Create */

/* TES_ERR_EXISTS if dir holds anything but the lock file. */
static int
dir_empty(int dfd)
{
	struct dirent *e;
	int fd, r = 0;
	DIR *d;

	if ((fd = dup(dfd)) < 0)
		return TES_ERR_IO;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return TES_ERR_IO;
	}
	while (r == 0 && (e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
		    strcmp(e->d_name, NAME_LOCK) != 0)
			r = TES_ERR_EXISTS;
	closedir(d);
	return r;
}

static int
create_server_key(const char *dir)
{
	struct tes_rsa_priv k;
	char path[PATH_MAX];
	int r = TES_ERR_INTERNAL;

	memset(&k, 0, sizeof(k));
	if ((r = path_join(path, dir, NAME_SERVER)) != 0 || (r = tes_rsa_generate(&k)) != 0 ||
	    (r = tes_keyfile_save_private(&k, path)) != 0)
		goto out;
	r = 0;
out:
	TES_WIPE_CTX(&k);
	return r;
}

/* The store files, journal last: a store is initialised once its journal exists. */
static int
create_files(const char *dir, int dfd)
{
	uint8_t sk[TES_STORE_KEY_LEN], fhdr[TES_JOURNAL_FILE_HDR_LEN];
	int r = TES_ERR_INTERNAL;

	if ((r = tes_rng_init()) != 0)
		goto out;
	tes_rng_bytes(sk, sizeof(sk));
	if ((r = tes_file_create(dfd, NAME_SKEY, sk, sizeof(sk), 0600)) != 0)
		goto out;
	if ((r = create_server_key(dir)) != 0)
		goto out;
	tes_journal_file_hdr_encode(fhdr, (uint64_t)time(NULL));
	if ((r = tes_file_create(dfd, NAME_JOURNAL, fhdr, sizeof(fhdr), 0600)) != 0)
		goto out;
	r = tes_file_sync(dfd);
out:
	TES_WIPE_BUF(sk);
	return r;
}

/* see dbint.h */
int
tes_dir_create(const char *dir)
{
	int dfd = -1, lfd = -1, made, e, r = TES_ERR_INTERNAL;

	/*= spec/STORAGE.md#directory MUST-D3 */
	if ((r = tes_file_dir_open(dir, &made, &dfd)) != 0 ||
	    (r = tes_file_lock(dfd, NAME_LOCK, 0, &lfd)) != 0 || (r = dir_empty(dfd)) != 0)
		goto out;
	if (fchmod(dfd, 0700) != 0) {
		r = TES_ERR_IO;
		goto out;
	}
	if ((r = create_files(dir, dfd)) != 0) {
		e = errno; /* the caller tells why: keep it past the clean-up */
		(void)unlinkat(dfd, NAME_JOURNAL, 0);
		(void)unlinkat(dfd, NAME_SERVER, 0);
		(void)unlinkat(dfd, NAME_SKEY, 0);
		errno = e;
		goto out;
	}
	r = 0;
out:
	if (lfd >= 0)
		close(lfd);
	if (dfd >= 0)
		close(dfd);
	return r;
}

/* Open */

/* see dbint.h: storage.key, a regular 32-byte file that only its owner can access */
int
tes_dir_keys_load(struct tes_db *db)
{
	uint8_t sk[TES_STORE_KEY_LEN + 1]; /* one more: a longer file is caught */
	size_t len = 0;
	int r = TES_ERR_INTERNAL;

	/*= spec/STORAGE.md#directory MUST-D2 */
	r = tes_file_load(db->dfd, NAME_SKEY, TES_FILE_NOFOLLOW | TES_FILE_SECRET, sk, TES_STORE_KEY_LEN,
			  &len);
	if (r == TES_ERR_TOOLONG || (r == 0 && len != TES_STORE_KEY_LEN))
		r = TES_ERR_KEY;
	if (r != 0)
		goto out;
	tes_seal_keys_derive(sk, TES_SEAL_JOURNAL, &db->jk);
	tes_seal_keys_derive(sk, TES_SEAL_DRIVERS, &db->dk);
	r = 0;
out:
	TES_WIPE_BUF(sk);
	return r;
}

/* see dbint.h */
int
tes_dir_server_load(struct tes_db *db)
{
	char path[PATH_MAX];
	int r;

	if ((r = path_join(path, db->dir, NAME_SERVER)) != 0)
		return r;
	r = tes_keyfile_load_private(&db->server, path);
	return r == TES_ERR_ARG ? TES_ERR_KEY : r;
}

/* see dbint.h */
int
tes_dir_journal_open(struct tes_db *db)
{
	db->jfd = openat(db->dfd, NAME_JOURNAL, O_RDWR | O_APPEND | O_NOFOLLOW | O_CLOEXEC);
	if (db->jfd < 0)
		return errno == ENOENT ? TES_ERR_NOTFOUND : TES_ERR_IO;
	return 0;
}
