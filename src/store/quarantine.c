/* SPDX-License-Identifier: ISC */
/*
 * The data directory's quarantine/ (spec/STORAGE.md#recovery): bytes the
 * store takes out of its files are kept there first, never destroyed. A
 * journal tail is copied into a new file and fsynced before the journal is
 * cut; drivers.enc is renamed into it. Each new entry is made durable with
 * its directory before the caller changes the store. Internal to src/store
 * (dbint.h).
 */
#define _GNU_SOURCE
#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"
#include "store/dbint.h"

/* quarantine/ under the data directory, made (and made durable) if missing. */
static int
qdir_open(const struct tes_db *db, int *qfd)
{
	if (mkdirat(db->dfd, NAME_QUARANTINE, 0700) == 0) {
		if (tes_file_sync(db->dfd) != 0)
			return TES_ERR_IO;
	} else if (errno != EEXIST) {
		return TES_ERR_IO;
	}
	*qfd = openat(db->dfd, NAME_QUARANTINE, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	return *qfd < 0 ? TES_ERR_IO : 0;
}

/* see dbint.h */
int
tes_quarantine_keep(const struct tes_db *db, uint64_t off, const uint8_t *p, size_t n,
		    char name[static TES_QUARANTINE_NAME_MAX])
{
	int qfd, r;

	snprintf(name, TES_QUARANTINE_NAME_MAX, "%s-at-%llu-%lld", NAME_JOURNAL, (unsigned long long)off,
		 (long long)time(NULL));
	if ((r = qdir_open(db, &qfd)) != 0)
		return r;
	if ((r = tes_file_create(qfd, name, p, n, 0600)) == 0 && tes_file_sync(qfd) != 0)
		r = TES_ERR_IO;
	close(qfd);
	return r;
}

/* see dbint.h */
int
tes_quarantine_move(const struct tes_db *db, const char *file, char name[static TES_QUARANTINE_NAME_MAX])
{
	int qfd, r = 0;

	snprintf(name, TES_QUARANTINE_NAME_MAX, "%s-%lld", file, (long long)time(NULL));
	if ((r = qdir_open(db, &qfd)) != 0)
		return r;
	/* never over an earlier copy: RENAME_NOREPLACE, not a look before the rename */
	if (renameat2(db->dfd, file, qfd, name, RENAME_NOREPLACE) != 0)
		r = errno == EEXIST ? TES_ERR_EXISTS : TES_ERR_IO;
	else if (tes_file_sync(qfd) != 0 || tes_file_sync(db->dfd) != 0)
		r = TES_ERR_IO;
	close(qfd);
	return r;
}

/* see dbint.h */
int
tes_quarantine_foreach(const struct tes_db *db, int (*fn)(void *ctx, const char *name, uint64_t size),
		       void *ctx)
{
	struct dirent *e;
	struct stat st;
	DIR *d;
	int qfd, r = 0;

	qfd = openat(db->dfd, NAME_QUARANTINE, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (qfd < 0)
		return errno == ENOENT ? 0 : TES_ERR_IO;
	if ((d = fdopendir(qfd)) == NULL) {
		close(qfd);
		return TES_ERR_IO;
	}
	while (r == 0 && (e = readdir(d)) != NULL)
		if (e->d_name[0] != '.' && fstatat(qfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0)
			r = fn(ctx, e->d_name, (uint64_t)st.st_size);
	closedir(d);
	return r;
}
