/* SPDX-License-Identifier: ISC */
/* Small helpers shared by the two command-line front ends. */
#ifndef TES_COMMON_CLI_H
#define TES_COMMON_CLI_H

#include <stddef.h>

#define TES_VERSION "0.1.0"

/* Read a password: from the first line of `file` when given, else from the terminal
 * (no echo; asked twice when confirm is set). Returns 0 or a TES_ERR_* code. */
int
tes_cli_password(const char *file, const char *prompt, int confirm, char *out, size_t cap);

/* Parse a decimal integer in [min, max]. */
int
tes_cli_uint(const char *s, unsigned long min, unsigned long max, unsigned long *v);

#endif
