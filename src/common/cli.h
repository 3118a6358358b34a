/* SPDX-License-Identifier: ISC */
/* Small helpers shared by the two command-line front ends. */
#ifndef TES_COMMON_CLI_H
#define TES_COMMON_CLI_H

#include <stddef.h>

#define TES_VERSION "0.1.0"

/*
 * Read a password: the one line of `file` when given, else a line typed on the terminal
 * (no echo; asked twice when confirm is set), through tes_pwfile_decode (spec/INPUT.md#passwords).
 * Returns 0, or a TES_ERR_* code and *why a sentence: TES_ERR_NOTFOUND for a missing file
 * or no terminal, TES_ERR_IO for a file that cannot be read, TES_ERR_FORMAT or
 * TES_ERR_TOOLONG for what the decoder refuses, TES_ERR_AUTH when the two typed differ.
 */
int
tes_cli_password(const char *file, const char *prompt, int confirm, char *out, size_t cap, const char **why);

/* Parse a decimal integer in [min, max]. */
int
tes_cli_uint(const char *s, unsigned long min, unsigned long max, unsigned long *v);

#endif
