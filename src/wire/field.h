/* SPDX-License-Identifier: ISC */
/*
 * Field validators (spec/PROTOCOL.md#report-fields). Each takes explicit
 * lengths (no str* on network data) and returns 0 or a TES_ERR_* code.
 */
#ifndef TES_WIRE_FIELD_H
#define TES_WIRE_FIELD_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"
#include "wire/limits.h"

/*@ predicate plate_char(integer c) = ('A' <= c <= 'Z') || ('0' <= c <= '9');
    predicate alnum_char(integer c) = plate_char(c) || ('a' <= c <= 'z');
    predicate loc_char(integer c) = alnum_char(c) || c == ' ' || c == '.' || c == ',' ||
                                    c == '-' || c == '/' || c == ':' || c == '#';
    predicate name_char(integer c) = alnum_char(c) || c == '.' || c == '_' || c == '-';
 */

/*@ requires \valid_read(s + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> (1 <= n <= TES_PLATE_MAX &&
                               \forall integer k; 0 <= k < n ==> plate_char(s[k]));
    ensures \result == 0 || \result == TES_ERR_PLATE;
 */
/* A plate is 1..12 characters of A-Z 0-9 (already normalised). */
int
tes_field_plate_valid(const char *s, size_t n);

/*@ requires \valid_read(in + (0 .. n-1));
    requires \valid(out + (0 .. TES_PLATE_MAX)) && \valid(outlen);
    requires \separated(out + (0 .. TES_PLATE_MAX), outlen, in + (0 .. n-1));
    terminates \true;
    assigns out[0 .. TES_PLATE_MAX], *outlen;
    ensures \result == 0 || \result == TES_ERR_PLATE;
    ensures \result == 0 ==> 1 <= *outlen <= TES_PLATE_MAX && out[*outlen] == 0 &&
            (\forall integer k; 0 <= k < *outlen ==> plate_char(out[k]));
 */
/* Normalise user input: upper-case, drop spaces and '-'; then validate.
 * out has TES_PLATE_MAX + 1 bytes; *outlen gets the length. */
int
tes_field_plate_normalize(const char *in, size_t n, char out[static TES_PLATE_MAX + 1], uint8_t *outlen);

/*@ terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> TES_SPEED_MIN <= speed <= TES_SPEED_MAX;
    ensures \result == 0 || \result == TES_ERR_SPEED;
 */
/* 1..400 km/h. */
int
tes_field_speed_valid(uint32_t speed);

/*@ terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> (limit == 0 || TES_LIMIT_MIN <= limit <= TES_LIMIT_MAX);
    ensures \result == 0 || \result == TES_ERR_LIMIT;
 */
/* 0 (not given) or 5..200 km/h. */
int
tes_field_limit_valid(uint32_t limit);

/*@ terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> (TES_TIME_MIN <= t && now <= UINT64_MAX - TES_TIME_SKEW &&
                               t <= now + TES_TIME_SKEW);
    ensures \result == 0 || \result == TES_ERR_TIME;
 */
/* Not before 2020-01-01 and at most TES_TIME_SKEW seconds after now. */
int
tes_field_time_valid(uint64_t t, uint64_t now);

/*@ requires \valid_read(s + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> (n <= TES_LOCATION_MAX &&
                               \forall integer k; 0 <= k < n ==> loc_char(s[k]));
    ensures \result == 0 || \result == TES_ERR_LOCATION;
 */
/* 0..64 characters of A-Z a-z 0-9 space . , - / : # */
int
tes_field_location_valid(const char *s, size_t n);

/*@ requires \valid_read(s + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> (1 <= n <= TES_NAME_MAX &&
                               \forall integer k; 0 <= k < n ==> name_char(s[k]));
    ensures \result == 0 || \result == TES_ERR_NAME;
 */
/* Unit ids and user names: 1..32 characters of A-Z a-z 0-9 . _ - */
int
tes_field_name_valid(const char *s, size_t n);

/*@ requires \valid_read(s + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> (1 <= n <= TES_PASSWORD_MAX &&
                               \forall integer k; 0 <= k < n ==> s[k] != 0);
    ensures \result == 0 || \result == TES_ERR_ARG;
 */
/* Password: 1..128 bytes, no NUL. */
int
tes_field_password_valid(const char *s, size_t n);

#endif
