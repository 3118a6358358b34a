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

static int
from_file(const char *file, char *out, size_t cap)
{
	char buf[512];
	size_t n;
	int r;

	if ((r = tes_file_load(AT_FDCWD, file, 0, (uint8_t *)buf, sizeof buf - 1, &n)) != 0)
		return r;
	buf[n] = '\0';
	n = strcspn(buf, "\r\n");
	if (n == 0 || n >= cap) {
		tes_wipe(buf, sizeof buf);
		return TES_ERR_ARG;
	}
	memcpy(out, buf, n);
	out[n] = '\0';
	tes_wipe(buf, sizeof buf);
	return 0;
}

static int
ask(const char *prompt, char *out, size_t cap)
{
	struct termios old, quiet;
	FILE *tty = fopen("/dev/tty", "r+");
	int r = TES_ERR_ARG;
	size_t n;

	if (tty == NULL)
		return TES_ERR_NOTFOUND;
	fprintf(tty, "%s", prompt);
	fflush(tty);
	tcgetattr(fileno(tty), &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fileno(tty), TCSAFLUSH, &quiet);
	if (fgets(out, (int)cap, tty) != NULL) {
		n = strcspn(out, "\r\n");
		out[n] = '\0';
		r = n > 0 ? 0 : TES_ERR_ARG;
	}
	tcsetattr(fileno(tty), TCSAFLUSH, &old);
	fprintf(tty, "\n");
	fclose(tty);
	return r;
}

/* see cli.h */
int
tes_cli_password(const char *file, const char *prompt, int confirm, char *out, size_t cap)
{
	char again[256];
	int r;

	if (file != NULL)
		return from_file(file, out, cap);
	if ((r = ask(prompt, out, cap)) != 0 || !confirm)
		return r;
	if ((r = ask("Repeat password: ", again, sizeof again)) == 0 && strcmp(again, out) != 0)
		r = TES_ERR_AUTH;
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
