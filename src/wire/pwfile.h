/* SPDX-License-Identifier: ISC */
/*
 * A password as a person writes it: the bytes of a password file
 * (--password-file) or of one line typed on the terminal, decoded into the
 * password (spec/INPUT.md#passwords). Pure and bounded: it reads only the
 * caller's bytes, allocates nothing and copies nothing (the password is a
 * prefix of the input). Every refusal comes with a fixed sentence saying
 * what is wrong, for a message that names the file.
 */
#ifndef TES_WIRE_PWFILE_H
#define TES_WIRE_PWFILE_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "wire/limits.h"

enum tes_pwfile_limits {
	/* the longest input that can decode: a password of TES_PASSWORD_MAX bytes and CRLF */
	TES_PWFILE_MAX = TES_PASSWORD_MAX + 2
};

/*@ predicate pw_byte(integer c) = c != 0 && c != 0x0a && c != 0x0d;
    predicate pw_tail(uint8_t *p, integer n, integer len) =
        n == len || (n == len + 1 && p[len] == 0x0a) ||
        (n == len + 2 && p[len] == 0x0d && p[len + 1] == 0x0a);
 */

/*@ requires \valid_read(p + (0 .. n-1));
    requires \valid(len) && \valid(why);
    requires \separated(len, why, p + (0 .. n-1));
    terminates \true;
    assigns *len;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == TES_ERR_FORMAT || \result == TES_ERR_TOOLONG;
    ensures \result == 0 ==> 1 <= *len <= TES_PASSWORD_MAX && *len <= n && *why == \null;
    ensures \result == 0 ==> \forall integer k; 0 <= k < *len ==> pw_byte(p[k]);
    ensures \result == 0 ==> pw_tail(p, n, *len);
    ensures \result == 0 ==> n <= TES_PWFILE_MAX;
    ensures \result != 0 ==> *why != \null;
 */
/*
 * p[0 .. n-1] is one line: the password, 1..TES_PASSWORD_MAX bytes of
 * well-formed UTF-8 (no overlong form, surrogate or code point above
 * U+10FFFF) without NUL, CR or LF, then at most one LF or CRLF, and nothing
 * else. Returns 0 with *len the password's length (it is p[0 .. *len-1])
 * and *why NULL; TES_ERR_TOOLONG for a line above TES_PASSWORD_MAX bytes;
 * TES_ERR_FORMAT for an empty line, a NUL byte, a second line, a CR inside
 * the line or invalid UTF-8. On failure *why is a static sentence.
 */
int
tes_pwfile_decode(const uint8_t *p, size_t n, size_t *len, const char **why);

/*@ requires \valid_read(p + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result <= n;
 */
/*
 * The number of characters (Unicode code points) in p[0 .. n-1], well-formed
 * UTF-8 as tes_pwfile_decode accepts it: the bytes that are not continuation
 * bytes (0x80..0xbf).
 */
size_t
tes_pwfile_chars(const uint8_t *p, size_t n);

#endif
