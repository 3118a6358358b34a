/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "common/cli.h"
#include "common/err.h"
#include "common/file.h"
#include "common/io.h"
#include "common/wipe.h"
#include "wire/pwfile.h"

/* The password in buf[0 .. n-1] into out (cap bytes), through the one decoder of password lines. */
static int
take(const uint8_t *buf, size_t n, char *out, size_t cap, const char **why)
{
	size_t len;
	int r;

	if ((r = tes_pwfile_decode(buf, n, &len, why)) != 0)
		return r;
	if (len >= cap) {
		*why = "longer than this program takes";
		return TES_ERR_TOOLONG;
	}
	memcpy(out, buf, len);
	out[len] = '\0';
	return 0;
}

static int
from_file(const char *file, char *out, size_t cap, const char **why)
{
	uint8_t buf[TES_PWFILE_MAX + 1];
	size_t n;
	int r;

	/*= spec/INPUT.md#passwords MUST-PW1: the whole file is the line; a longer file is refused */
	r = tes_file_load(AT_FDCWD, file, 0, buf, TES_PWFILE_MAX, &n);
	if (r == TES_ERR_TOOLONG)
		*why = "longer than 128 bytes";
	else if (r != 0)
		*why = tes_err_str(r);
	else
		r = take(buf, n, out, cap, why);
	tes_wipe(buf, sizeof buf);
	return r;
}

/* One line from the terminal, echo off; TES_ERR_NOTFOUND without a terminal. */
static int
ask(const char *prompt, char *out, size_t cap, const char **why)
{
	struct termios old, quiet;
	uint8_t buf[TES_PWFILE_MAX + 1];
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC), r;
	ssize_t got;

	*why = "no terminal";
	if (fd < 0)
		return TES_ERR_NOTFOUND;
	(void)tes_io_write_full(fd, prompt, strlen(prompt));
	tcgetattr(fd, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	do
		got = read(fd, buf, sizeof buf);
	while (got < 0 && errno == EINTR);
	/* TCSAFLUSH also drops what is left of a line longer than buf */
	tcsetattr(fd, TCSAFLUSH, &old);
	(void)tes_io_write_full(fd, "\n", 1);
	close(fd);
	if (got < 0) {
		*why = "cannot read the terminal";
		r = TES_ERR_IO;
	} else if ((size_t)got == sizeof buf) {
		*why = "longer than 128 bytes";
		r = TES_ERR_TOOLONG;
	} else
		r = take(buf, (size_t)got, out, cap, why);
	tes_wipe(buf, sizeof buf);
	return r;
}

/* see cli.h */
int
tes_cli_password(const char *file, const char *prompt, int confirm, char *out, size_t cap, const char **why)
{
	char again[TES_PASSWORD_MAX + 2];
	int r;

	if (file != NULL)
		return from_file(file, out, cap, why);
	if ((r = ask(prompt, out, cap, why)) != 0 || !confirm)
		return r;
	if ((r = ask("Repeat password: ", again, sizeof again, why)) == 0 && strcmp(again, out) != 0) {
		*why = "the two passwords differ";
		r = TES_ERR_AUTH;
	}
	tes_wipe(again, sizeof again);
	return r;
}

/* see cli.h */
int
tes_cli_uint(const char *s, unsigned long min, unsigned long max, unsigned long *v)
{
	char *end;

	errno = 0;
	if (s == NULL || *s < '0' || *s > '9')
		return TES_ERR_ARG;
	*v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || *v < min || *v > max)
		return TES_ERR_ARG;
	return 0;
}
