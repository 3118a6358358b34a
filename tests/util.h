/* SPDX-License-Identifier: ISC */
/*
 * What the unit tests (tests/unit/<module>_test.c, one binary per module) share besides their
 * TAP output (tests/tap.h): a scratch directory and paths in it, whole files read and written,
 * a tree removed, a file's mode and size, a shell command and its output, hex test vectors.
 * Every function is named util_<what>, after this file (as tests/tools/tool.c names its own
 * tool_). The Makefile links tests/util.c into every unit test binary.
 */
#ifndef TES_TESTS_UTIL_H
#define TES_TESTS_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* The longest path the helpers make, with its NUL. */
#define UTIL_PATH_MAX 512

/* Make the run's scratch directory, /tmp/tes_<tag>_XXXXXX (mode 0700): 0, or -1 with perror(). */
int
util_scratch_init(const char *tag);

/* The scratch directory's path ("" before util_scratch_init). */
const char *
util_scratch(void);

/* "<scratch directory>/<name>", in one of 8 buffers used in turn: the last 8 results stay valid. */
char *
util_scratch_path(const char *name);

/* Remove the scratch directory and all that is in it. */
void
util_scratch_remove(void);

/* "<dir>/<name>" into out (cut to UTIL_PATH_MAX - 1 bytes). */
void
util_path(char out[static UTIL_PATH_MAX], const char *dir, const char *name);

/*
 * The whole file at path, in a buffer from malloc() with one spare byte (the caller frees it),
 * its length in *len; NULL, and *len 0, when it cannot be opened or read. Follows links.
 */
uint8_t *
util_file_read(const char *path, size_t *len);

/* Make the file at path hold exactly the n bytes at data, then chmod it to mode: 0, or -1. Follows links. */
int
util_file_write(const char *path, const void *data, size_t n, mode_t mode);

/* Copy file name of directory src to directory dst (mode 0600): 0, or -1. */
int
util_file_copy(const char *src, const char *dst, const char *name);

/* Remove the tree at path, depth first, without following links; a missing path is no error. */
void
util_rm_rf(const char *path);

/* stat() of dir/name; all zero (st_mode 0) when it does not exist. */
struct stat
util_stat(const char *dir, const char *name);

/* The permission bits (07777) of dir/name, or -1 when it does not exist. */
int
util_mode(const char *dir, const char *name);

/* The size of dir/name, or -1 when it does not exist. */
long
util_size(const char *dir, const char *name);

/* Run the command fmt, its %s filled with a, b, c in turn (unused ones may be NULL), with system(). */
int
util_sh(const char *fmt, const char *a, const char *b, const char *c);

/*
 * Run cmd; the first line it prints, newline stripped, into out (cap bytes): 0, or -1 when it fails
 * or prints nothing.
 */
int
util_sh_line(const char *cmd, char *out, size_t cap);

/* The strlen(hex) / 2 bytes a hex test vector spells, into out; a malformed one ends the run (status 2). */
void
util_unhex(const char *hex, uint8_t *out);

#endif
