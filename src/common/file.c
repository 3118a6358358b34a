/* SPDX-License-Identifier: ISC */
/*
 * Files (file.h): the one place where the programs read, write, replace and
 * sync the files they keep. Loops around short transfers and EINTR, maps
 * errno to TES_ERR_*, and checks what a file is on the descriptor it read.
 */
#define _GNU_SOURCE
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"
#include "common/log.h"
#include "common/wipe.h"

/* see file.h */
int
tes_file_write_all(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;
	ssize_t w;

	while (n > 0) {
		if ((w = write(fd, b, n)) < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return w < 0 && (errno == ENOSPC || errno == EDQUOT) ? TES_ERR_NOSPACE : TES_ERR_IO;
		b += w;
		n -= (size_t)w;
	}
	return 0;
}

/* see file.h */
int
tes_file_read_all(int fd, void *p, size_t n)
{
	uint8_t *b = p;
	ssize_t got;

	while (n > 0) {
		if ((got = read(fd, b, n)) < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return TES_ERR_IO;
		b += got;
		n -= (size_t)got;
	}
	return 0;
}

/* see file.h */
int
tes_file_pread_all(int fd, void *p, size_t n, uint64_t off, size_t *got)
{
	uint8_t *b = p;
	ssize_t r;

	*got = 0;
	while (*got < n) {
		r = pread(fd, b + *got, n - *got, (off_t)(off + *got));
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return TES_ERR_IO;
		if (r == 0)
			break;
		*got += (size_t)r;
	}
	return 0;
}

/* see file.h */
int
tes_file_sync(int fd)
{
	return fsync(fd) == 0 ? 0 : TES_ERR_IO;
}

/* see file.h */
int
tes_file_datasync(int fd)
{
	if (fdatasync(fd) == 0)
		return 0;
	return errno == ENOSPC || errno == EDQUOT ? TES_ERR_NOSPACE : TES_ERR_IO;
}

/* see file.h */
int
tes_file_truncate(int fd, uint64_t size)
{
	return ftruncate(fd, (off_t)size) == 0 ? 0 : TES_ERR_IO;
}

/* see file.h */
int
tes_file_dir_open(const char *dir, int *made, int *dfd)
{
	*made = 0;
	*dfd = -1;
	if (mkdir(dir, 0700) == 0)
		*made = 1;
	else if (errno != EEXIST)
		return TES_ERR_IO;
	if (*made && tes_file_sync_parent(dir) != 0)
		return TES_ERR_IO;
	if ((*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return TES_ERR_IO;
	return 0;
}

/* see file.h */
int
tes_file_dir_open_existing(const char *dir, int *dfd)
{
	if ((*dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0)
		return 0;
	return errno == ENOENT ? TES_ERR_NOTFOUND : TES_ERR_IO;
}

/* see file.h */
int
tes_file_lock(int dfd, const char *name, unsigned flags, int *lfd)
{
	int r;

	/* flock needs no write access: a lock file that must exist is opened read-only */
	if ((flags & TES_FILE_LOCK_EXISTING) != 0)
		*lfd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	else
		*lfd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (*lfd < 0)
		return errno == ENOENT && (flags & TES_FILE_LOCK_EXISTING) != 0 ? TES_ERR_NOTFOUND
										: TES_ERR_IO;
	while ((r = flock(*lfd, (flags & TES_FILE_LOCK_WAIT) != 0 ? LOCK_EX : LOCK_EX | LOCK_NB)) != 0 &&
	       errno == EINTR)
		;
	if (r == 0)
		return 0;
	r = errno == EWOULDBLOCK ? TES_ERR_LOCKED : TES_ERR_IO;
	close(*lfd);
	*lfd = -1;
	return r;
}

/* see file.h */
int
tes_file_sync_parent(const char *path)
{
	char parent[PATH_MAX], *slash;
	int fd, r;

	if (snprintf(parent, sizeof(parent), "%s", path) >= (int)sizeof(parent))
		return TES_ERR_ARG;
	while ((slash = strrchr(parent, '/')) != NULL && slash[1] == '\0' && slash != parent)
		*slash = '\0';
	if ((slash = strrchr(parent, '/')) == NULL)
		snprintf(parent, sizeof(parent), ".");
	else
		slash[slash == parent ? 1 : 0] = '\0';
	if ((fd = open(parent, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return TES_ERR_IO;
	r = tes_file_sync(fd);
	close(fd);
	return r;
}

/* see file.h */
int
tes_file_create(int dfd, const char *name, const void *p, size_t n, mode_t mode)
{
	int fd, r = TES_ERR_INTERNAL;

	fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return errno == EEXIST ? TES_ERR_EXISTS : TES_ERR_IO;
	if ((r = tes_file_write_all(fd, p, n)) != 0 || fsync(fd) != 0)
		r = TES_ERR_IO;
	if (close(fd) != 0)
		r = TES_ERR_IO;
	if (r != 0)
		(void)unlinkat(dfd, name, 0);
	return r;
}

/* see file.h */
int
tes_file_open_append(int dfd, const char *name, mode_t mode, int *fd)
{
	*fd = openat(dfd, name, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, mode);
	return *fd < 0 ? TES_ERR_IO : 0;
}

/* see file.h */
int
tes_file_replace(int dfd, const char *tmp, const char *name, const void *p, size_t n, mode_t mode)
{
	int fd, r = TES_ERR_INTERNAL;

	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return TES_ERR_IO;
	if (fchmod(fd, mode) != 0 || (r = tes_file_write_all(fd, p, n)) != 0 || fsync(fd) != 0)
		r = TES_ERR_IO;
	if (close(fd) != 0)
		r = TES_ERR_IO;
	if (r == 0 && renameat(dfd, tmp, dfd, name) != 0)
		r = TES_ERR_IO;
	if (r != 0) {
		(void)unlinkat(dfd, tmp, 0);
		return r;
	}
	return tes_file_sync(dfd);
}

/* The rules of enum tes_file_rule on what fstat or fstatat saw. */
static int
rules_check(const struct stat *st, unsigned rules)
{
	if ((rules & TES_FILE_REGULAR) != 0 && !S_ISREG(st->st_mode))
		return TES_ERR_IO;
	if ((rules & TES_FILE_SECRET) != 0 && (!S_ISREG(st->st_mode) || (st->st_mode & 077) != 0))
		return TES_ERR_KEY;
	return 0;
}

/* Open name for reading and check the rules on the descriptor; *fd is -1 on failure. */
static int
open_checked(int dfd, const char *name, unsigned rules, int *fd, struct stat *st)
{
	int flags = O_RDONLY | O_CLOEXEC, r;

	if ((rules & TES_FILE_NOFOLLOW) != 0)
		flags |= O_NOFOLLOW;
	/* a file that must be regular: a FIFO must not hang the open (regular files ignore the flag) */
	if ((rules & (TES_FILE_REGULAR | TES_FILE_SECRET)) != 0)
		flags |= O_NONBLOCK;
	if ((*fd = openat(dfd, name, flags)) < 0)
		return errno == ENOENT ? TES_ERR_NOTFOUND : TES_ERR_IO;
	r = fstat(*fd, st) != 0 ? TES_ERR_IO : rules_check(st, rules);
	if (r != 0) {
		close(*fd);
		*fd = -1;
	}
	return r;
}

/* see file.h */
int
tes_file_load(int dfd, const char *name, unsigned rules, uint8_t *buf, size_t max, size_t *len)
{
	struct stat st;
	size_t off = 0;
	ssize_t got;
	int fd, r;

	if ((r = open_checked(dfd, name, rules, &fd, &st)) != 0)
		return r;
	r = TES_ERR_TOOLONG;
	if (st.st_size < 0 || (uint64_t)st.st_size > max)
		goto out;
	while (off <= max) {
		got = read(fd, buf + off, max + 1 - off);
		if (got < 0 && errno == EINTR)
			continue;
		r = TES_ERR_IO;
		if (got < 0)
			goto out;
		if (got == 0)
			break;
		off += (size_t)got;
	}
	r = TES_ERR_TOOLONG;
	if (off > max)
		goto out;
	*len = off;
	r = 0;
out:
	close(fd);
	if (r != 0)
		tes_wipe(buf, off);
	return r;
}

/* see file.h */
int
tes_file_slurp(int dfd, const char *name, unsigned rules, size_t max, uint8_t **out, size_t *len)
{
	struct stat st;
	int fd, r;

	*out = NULL;
	if ((r = open_checked(dfd, name, rules | TES_FILE_REGULAR, &fd, &st)) != 0)
		return r;
	if ((uint64_t)st.st_size > max) {
		r = TES_ERR_TOOLONG;
		goto out;
	}
	*len = (size_t)st.st_size;
	if ((*out = malloc(*len == 0 ? 1 : *len)) == NULL)
		tes_log_fatal("out of memory");
	if ((r = tes_file_read_all(fd, *out, *len)) != 0) {
		tes_wipe(*out, *len);
		free(*out);
		*out = NULL;
	}
out:
	close(fd);
	return r;
}

/* see file.h */
int
tes_file_check(int dfd, const char *name, unsigned rules)
{
	struct stat st;

	if (fstatat(dfd, name, &st, (rules & TES_FILE_NOFOLLOW) != 0 ? AT_SYMLINK_NOFOLLOW : 0) != 0)
		return errno == ENOENT ? TES_ERR_NOTFOUND : TES_ERR_IO;
	return rules_check(&st, rules);
}
