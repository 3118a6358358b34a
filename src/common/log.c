/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#include "common/log.h"

static const char *prog = "tes";
static int stamps;

/* see log.h */
void
tes_log_init(const char *progname, int timestamps)
{
	prog = progname;
	stamps = timestamps;
}

static void
vlog(int level, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));

static void
vlog(int level, const char *fmt, va_list ap)
{
	static const char *names[] = { "info", "warning", "error" };
	char ts[32] = "";
	struct tm tm;
	time_t now;

	if (stamps) {
		now = time(NULL);
		gmtime_r(&now, &tm);
		strftime(ts, sizeof ts, "%Y-%m-%dT%H:%M:%SZ ", &tm);
	}
	fprintf(stderr, "%s%s: %s: ", ts, prog, names[level < 0 || level > 2 ? 2 : level]);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* see log.h */
void
tes_log(int level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

/* see log.h */
void
tes_log_fatal(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(TES_LOG_ERROR, fmt, ap);
	va_end(ap);
	_exit(70);
}
