/* SPDX-License-Identifier: ISC */
/*
 * Field validators (spec/PROTOCOL.md#report-fields). Each takes explicit
 * lengths (no str* on network data) and returns 0 or a TES_ERR_* code.
 */
#ifndef TES_WIRE_VALIDATE_H
#define TES_WIRE_VALIDATE_H

#include <stddef.h>
#include <stdint.h>

#include "wire/limits.h"

/*@ predicate plate_char(integer c) = ('A' <= c <= 'Z') || ('0' <= c <= '9'); */

/*@ requires \valid_read(s + (0 .. n-1));
    assigns \nothing;
    ensures \result == 0 <==> (1 <= n <= TES_PLATE_MAX &&
                               \forall integer k; 0 <= k < n ==> plate_char(s[k]));
 */
/* A plate is 1..12 characters of A-Z 0-9 (already normalised). */
int
tes_plate_valid(const char *s, size_t n);

/* Normalise user input: upper-case, drop spaces and '-'; then validate.
 * out has TES_PLATE_MAX + 1 bytes; *outlen gets the length. */
int
tes_plate_normalize(const char *in, size_t n, char out[static TES_PLATE_MAX + 1], uint8_t *outlen);

/* 1..400 km/h. */
int
tes_speed_valid(uint32_t speed);

/* 0 (not given) or 5..200 km/h. */
int
tes_limit_valid(uint32_t limit);

/* Not before 2020-01-01 and at most TES_TIME_SKEW seconds after now. */
int
tes_time_valid(uint64_t t, uint64_t now);

/* 0..64 characters of A-Z a-z 0-9 space . , - / : # */
int
tes_location_valid(const char *s, size_t n);

/* Unit ids and user names: 1..32 characters of A-Z a-z 0-9 . _ - */
int
tes_name_valid(const char *s, size_t n);

/* Password: 1..128 bytes, no NUL. */
int
tes_password_valid(const char *s, size_t n);

#endif
