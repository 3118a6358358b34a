/* SPDX-License-Identifier: ISC */
/* What the unit tests share: scratch directory, whole files, shell commands, test vectors. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "util.h"

static char scratch[64];

/* see util.h */
int
util_scratch_init(const char *tag)
{
	snprintf(scratch, sizeof scratch, "/tmp/tes_%s_XXXXXX", tag);
	if (mkdtemp(scratch) == NULL) {
		perror("mkdtemp");
		scratch[0] = '\0';
		return -1;
	}
	return 0;
}

/* see util.h */
const char *
util_scratch(void)
{
	return scratch;
}

/* see util.h */
char *
util_scratch_path(const char *name)
{
	static char p[8][UTIL_PATH_MAX];
	static unsigned i;
	char *d = p[i++ % 8];

	util_path(d, scratch, name);
	return d;
}

/* see util.h */
void
util_scratch_remove(void)
{
	if (scratch[0] != '\0')
		util_rm_rf(scratch);
}

/* see util.h */
void
util_path(char out[static UTIL_PATH_MAX], const char *dir, const char *name)
{
	snprintf(out, UTIL_PATH_MAX, "%s/%s", dir, name);
}

/* see util.h */
uint8_t *
util_file_read(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *b = NULL;
	size_t got = 0;
	ssize_t k = 1;
	int fd = open(path, O_RDONLY);

	*len = 0;
	if (fd < 0)
		return NULL;
	if (fstat(fd, &st) == 0 && (b = malloc((size_t)st.st_size + 1)) != NULL)
		while (got < (size_t)st.st_size && (k = read(fd, b + got, (size_t)st.st_size - got)) > 0)
			got += (size_t)k;
	close(fd);
	if (b == NULL || k < 0) {
		free(b);
		return NULL;
	}
	*len = got;
	return b;
}

/* see util.h */
int
util_file_write(const char *path, const void *data, size_t n, mode_t mode)
{
	const uint8_t *p = data;
	size_t done = 0;
	ssize_t k = 0;
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode), ok;

	if (fd < 0)
		return -1;
	while (done < n && (k = write(fd, p + done, n - done)) > 0)
		done += (size_t)k;
	ok = done == n && fchmod(fd, mode) == 0;
	return close(fd) == 0 && ok ? 0 : -1;
}

/* see util.h */
int
util_file_copy(const char *src, const char *dst, const char *name)
{
	char a[UTIL_PATH_MAX], b[UTIL_PATH_MAX];
	uint8_t *buf;
	size_t len = 0;
	int r;

	util_path(a, src, name);
	util_path(b, dst, name);
	if ((buf = util_file_read(a, &len)) == NULL)
		return -1;
	r = util_file_write(b, buf, len, 0600);
	free(buf);
	return r;
}

static int
rm_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	(void)st, (void)flag, (void)f;
	return remove(p);
}

/* see util.h */
void
util_rm_rf(const char *path)
{
	nftw(path, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* see util.h */
struct stat
util_stat(const char *dir, const char *name)
{
	char p[UTIL_PATH_MAX];
	struct stat st;

	util_path(p, dir, name);
	if (stat(p, &st) != 0)
		memset(&st, 0, sizeof st);
	return st;
}

/* see util.h */
int
util_mode(const char *dir, const char *name)
{
	struct stat st = util_stat(dir, name);

	return st.st_mode != 0 ? (int)(st.st_mode & 07777) : -1;
}

/* see util.h */
long
util_size(const char *dir, const char *name)
{
	struct stat st = util_stat(dir, name);

	return st.st_mode != 0 ? (long)st.st_size : -1;
}

/* see util.h */
int
util_sh(const char *fmt, const char *a, const char *b, const char *c)
{
	char cmd[1024];

	snprintf(cmd, sizeof cmd, fmt, a, b, c);
	return system(cmd);
}

/* see util.h */
int
util_sh_line(const char *cmd, char *out, size_t cap)
{
	FILE *f;
	int ok;

	if ((f = popen(cmd, "r")) == NULL)
		return -1;
	ok = fgets(out, (int)cap, f) != NULL;
	if (pclose(f) != 0 || !ok)
		return -1;
	out[strcspn(out, "\r\n")] = '\0';
	return 0;
}

/* The value of hex digit c, or -1. */
static int
nibble(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* see util.h */
void
util_unhex(const char *hex, uint8_t *out)
{
	size_t i, n = strlen(hex);
	int hi, lo;

	for (i = 0; i + 1 < n; i += 2) {
		if ((hi = nibble(hex[i])) < 0 || (lo = nibble(hex[i + 1])) < 0)
			break;
		out[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	if (i != n) {
		fprintf(stderr, "bad test vector %s\n", hex);
		exit(2);
	}
}
