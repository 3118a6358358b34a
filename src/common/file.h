/* SPDX-License-Identifier: ISC */
/*
 * Files: every read, write, atomic replacement and fsync of a file the
 * programs keep goes through these functions. Names are taken relative to a
 * directory descriptor, as openat(2) does (AT_FDCWD for a plain path). The
 * files written are never reached through a symbolic link; a read follows
 * one unless its rules say TES_FILE_NOFOLLOW. Every descriptor is opened
 * O_CLOEXEC. Errors: TES_ERR_NOTFOUND when the file does not exist
 * (ENOENT), TES_ERR_EXISTS when a new file would replace one (EEXIST),
 * TES_ERR_TOOLONG for a file above the caller's size limit, TES_ERR_KEY for
 * a secret file others may read (TES_FILE_SECRET), TES_ERR_IO for anything
 * else. Sockets and frames are in io.h.
 */
#ifndef TES_COMMON_FILE_H
#define TES_COMMON_FILE_H

#include <sys/types.h>

#include <stddef.h>
#include <stdint.h>

/*
 * Rules a read checks on the descriptor it opened (fstat), so that the file
 * checked is the file read. REGULAR is checked before SECRET.
 */
enum tes_file_rule {
	TES_FILE_NOFOLLOW = 1, /* a symbolic link as the last component is refused: TES_ERR_IO */
	TES_FILE_REGULAR = 2,  /* anything but a regular file is refused: TES_ERR_IO */
	TES_FILE_SECRET = 4    /* anything but a regular file that neither group nor others
	                                may access (mode & 077 == 0) is refused: TES_ERR_KEY */
};

/*
 * Write all n bytes at fd's position (retrying short writes and EINTR).
 * TES_ERR_NOSPACE when the file system is full, else TES_ERR_IO.
 */
int
tes_file_write_all(int fd, const void *p, size_t n);

/* Read exactly n bytes from fd's position; end of file first is TES_ERR_IO. */
int
tes_file_read_all(int fd, void *p, size_t n);

/* Read up to n bytes at offset off; *got is short of n only at the end of the file. */
int
tes_file_pread_all(int fd, void *p, size_t n, uint64_t off, size_t *got);

/* fsync(2) of fd (a file or a directory). */
int
tes_file_sync(int fd);

/* fdatasync(2) of fd: its data and the size, not the other metadata. TES_ERR_NOSPACE or TES_ERR_IO. */
int
tes_file_datasync(int fd);

/* ftruncate(2) of fd to size bytes (not synced). */
int
tes_file_truncate(int fd, uint64_t size);

/*
 * fsync the directory that holds path (its parent, "." for a bare name), so
 * that a new entry for path is durable. TES_ERR_ARG if path is longer than
 * PATH_MAX.
 */
int
tes_file_sync_parent(const char *path);

/*
 * Open the directory dir, made with mode 0700 when it is missing (*made 1,
 * and its parent fsync'd so the new entry is durable; else *made 0): *dfd.
 * TES_ERR_IO.
 */
int
tes_file_dir_open(const char *dir, int *made, int *dfd);

/* Open the directory dir, which must exist (TES_ERR_NOTFOUND): *dfd. Makes nothing. TES_ERR_IO. */
int
tes_file_dir_open_existing(const char *dir, int *dfd);

/* How tes_file_lock takes its lock. */
enum tes_file_lock_flag {
	TES_FILE_LOCK_WAIT = 1,    /* block until the lock is free (else TES_ERR_LOCKED at once) */
	TES_FILE_LOCK_EXISTING = 2 /* never make the lock file: TES_ERR_NOTFOUND when it is missing */
};

/*
 * Take an exclusive flock(2) on name under dfd (made 0600 if missing unless
 * flags has TES_FILE_LOCK_EXISTING, never through a symbolic link); *lfd
 * holds it until it is closed. flags (enum tes_file_lock_flag) without
 * TES_FILE_LOCK_WAIT: TES_ERR_LOCKED at once when another process holds it;
 * with it: block until it is free. TES_ERR_IO. On failure *lfd is -1 and
 * nothing stays open.
 */
int
tes_file_lock(int dfd, const char *name, unsigned flags, int *lfd);

/*
 * Create name under dfd with the given mode (subject to the umask), never an
 * existing file (TES_ERR_EXISTS) and never through a symbolic link, write
 * the n bytes and fsync it. On any failure after the file was made it is
 * removed. The caller fsyncs the directory when the new entry must be
 * durable.
 */
int
tes_file_create(int dfd, const char *name, const void *p, size_t n, mode_t mode);

/*
 * Open name under dfd for appending (created with mode if missing): *fd,
 * which the caller writes with tes_file_write_all and closes; -1 and
 * TES_ERR_IO on failure. Unlike the other writes it follows a symbolic link,
 * as the reads do: it appends to a user's own files (known_servers).
 */
int
tes_file_open_append(int dfd, const char *name, mode_t mode, int *fd);

/*
 * Replace name under dfd atomically: write the n bytes to tmp (created or
 * truncated, not through a symbolic link, set to mode), fsync it, rename it
 * over name, then fsync the directory. On failure before the rename tmp is
 * removed and name is unchanged; a failure of the last fsync leaves the new
 * file in place (TES_ERR_IO: whether it survives a crash is unknown).
 */
int
tes_file_replace(int dfd, const char *tmp, const char *name, const void *p, size_t n, mode_t mode);

/*
 * Read a whole file of at most max bytes into buf, which has room for
 * max + 1 bytes (the extra byte catches a file that grew after it was
 * checked, or a pipe that holds more): *len gets the length, TES_ERR_TOOLONG
 * past max. rules: enum tes_file_rule, checked on the opened descriptor;
 * with REGULAR or SECRET the open is O_NONBLOCK so that a FIFO cannot hang
 * it (it is then refused); with neither, any file open(2) opens is read to
 * its end (a pipe such as /dev/stdin). On failure the bytes read are wiped.
 */
int
tes_file_load(int dfd, const char *name, unsigned rules, uint8_t *buf, size_t max, size_t *len);

/*
 * A whole regular file of at most max bytes (TES_ERR_TOOLONG) into a new
 * buffer *out of *len bytes (TES_FILE_REGULAR is implied; rules may add
 * NOFOLLOW and SECRET), which the caller frees. It reads the size fstat
 * gave: a file that shrinks meanwhile is TES_ERR_IO. *out is NULL on
 * failure. Out of memory ends the process.
 */
int
tes_file_slurp(int dfd, const char *name, unsigned rules, size_t max, uint8_t **out, size_t *len);

/*
 * The rules of tes_file_load on name without opening it (fstatat; with
 * TES_FILE_NOFOLLOW a symbolic link is judged itself, so it is not a
 * regular file). 0, TES_ERR_NOTFOUND, TES_ERR_IO or TES_ERR_KEY.
 */
int
tes_file_check(int dfd, const char *name, unsigned rules);

#endif
