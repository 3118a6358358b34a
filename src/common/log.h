/* SPDX-License-Identifier: ISC */
/*
 * Logging for the mains: one line per event on stderr, with a UTC
 * timestamp and the program name. tes_log_fatal() ends the process (fail
 * closed); tes_log_bug() is for a broken invariant.
 */
#ifndef TES_COMMON_LOG_H
#define TES_COMMON_LOG_H

enum tes_log_level {
	TES_LOG_INFO = 0,
	TES_LOG_WARN = 1,
	TES_LOG_ERROR = 2
};

void
tes_log_init(const char *progname, int timestamps);
void
tes_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
_Noreturn void
tes_log_fatal(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
#define tes_log_bug(msg) tes_log_fatal("internal error: %s (%s:%d)", (msg), __FILE__, __LINE__)

#endif
