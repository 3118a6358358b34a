/* SPDX-License-Identifier: ISC */
/*
 * The penalty policy an office owns (spec/POLICY.md): the parser of a
 * policy file and the points evaluator. Sans-I/O, bounded and
 * allocation-free: the parser reads only the caller's bytes and writes only
 * its output, the evaluator is arithmetic. Both are proven (proofs/STATUS.md)
 * and the parser is fuzzed (target `policy`).
 *
 * File (ASCII, LF line ends, an optional CR before each LF, `#` comments):
 *   tes-policy 1           first non-comment line
 *   basis speed|excess     required
 *   tolerance-kmh N        0..50, default 0
 *   tolerance-percent N    0..50, default 0 (of the posted limit, rounded up)
 *   band FROM POINTS       1..16 lines; FROM 1..1000 strictly ascending, POINTS 1..1000
 *   threshold N            0..1000000, default 0 (no suspension threshold)
 *   window-days N          0..3650, default 0 (points never expire)
 */
#ifndef TES_WIRE_POLICY_H
#define TES_WIRE_POLICY_H

#include <stddef.h>
#include <stdint.h>

#include "common/err.h"

enum {
	TES_POLICY_TEXT_MAX = 2048, /* bytes of a policy file */
	TES_POLICY_BANDS_MAX = 16,
	TES_POLICY_POINTS_MAX = 1000, /* points of one band */
	TES_POLICY_FROM_MAX = 1000,   /* km/h: the highest start of a band */
	TES_POLICY_TOL_KMH_MAX = 50,
	TES_POLICY_TOL_PCT_MAX = 50,
	TES_POLICY_THRESHOLD_MAX = 1000000,
	TES_POLICY_WINDOW_MAX = 3650 /* days */
};

enum tes_policy_basis {
	TES_POLICY_SPEED = 1,
	TES_POLICY_EXCESS = 2
};

struct tes_policy_band {
	uint16_t from; /* applies to value >= from */
	uint16_t points;
};

struct tes_policy {
	uint8_t basis;    /* enum tes_policy_basis */
	uint8_t tol_pct;  /* 0..50 */
	uint16_t tol_kmh; /* 0..50 */
	uint8_t nbands;   /* 1..16 */
	struct tes_policy_band
		band[TES_POLICY_BANDS_MAX]; /* from 1..1000 strictly ascending; points 1..1000 */
	uint32_t threshold;                 /* 0 = no suspension threshold; else 1..1000000 */
	uint16_t window_days;               /* 0 = points never expire; else 1..3650 */
};

struct tes_policy_why {
	uint16_t tolerance; /* km/h subtracted from the measured speed (65535 at most) */
	uint16_t value;     /* what the bands were applied to: speed or excess, after the tolerance
	                       (65535 at most; 0 when no_limit) */
	uint8_t band;       /* 1-based index of the band applied, 0 = below every band */
	uint8_t no_limit;   /* basis excess and the report gives no limit (0): 0 points */
};

/*@ predicate policy_band_ok(struct tes_policy *p, integer k) =
        1 <= p->band[k].from <= TES_POLICY_FROM_MAX && 1 <= p->band[k].points <= TES_POLICY_POINTS_MAX;
    predicate policy_bands_ok(struct tes_policy *p, integer nb) =
        (\forall integer k; 0 <= k < nb ==> policy_band_ok(p, k)) &&
        (\forall integer i, j; 0 <= i < j < nb ==> p->band[i].from < p->band[j].from);
    // what a parse in progress keeps: every field set so far in range
    predicate policy_partial(struct tes_policy *p) =
        p->basis <= TES_POLICY_EXCESS && p->tol_kmh <= TES_POLICY_TOL_KMH_MAX &&
        p->tol_pct <= TES_POLICY_TOL_PCT_MAX && p->nbands <= TES_POLICY_BANDS_MAX &&
        policy_bands_ok(p, p->nbands) && p->threshold <= TES_POLICY_THRESHOLD_MAX &&
        p->window_days <= TES_POLICY_WINDOW_MAX;
    predicate policy_ok(struct tes_policy *p) =
        policy_partial(p) && (p->basis == TES_POLICY_SPEED || p->basis == TES_POLICY_EXCESS) &&
        1 <= p->nbands;
    predicate policy_is_default(struct tes_policy *p) =
        p->basis == TES_POLICY_SPEED && p->tol_kmh == 0 && p->tol_pct == 0 && p->nbands == 3 &&
        p->band[0].from == 50 && p->band[0].points == 10 && p->band[1].from == 70 &&
        p->band[1].points == 20 && p->band[2].from == 100 && p->band[2].points == 50 &&
        p->threshold == 0 && p->window_days == 0;

    // the evaluation rule (spec/POLICY.md#evaluation)
    logic integer policy_tol(struct tes_policy *p, integer limit) =
        p->tol_kmh + (limit * p->tol_pct + 99) / 100;
    logic integer policy_adj(struct tes_policy *p, integer speed, integer limit) =
        speed > policy_tol(p, limit) ? speed - policy_tol(p, limit) : 0;
    logic integer policy_value(struct tes_policy *p, integer speed, integer limit) =
        p->basis == TES_POLICY_EXCESS ?
            (policy_adj(p, speed, limit) > limit ? policy_adj(p, speed, limit) - limit : 0) :
            policy_adj(p, speed, limit);
    predicate policy_no_limit(struct tes_policy *p, integer limit) =
        p->basis == TES_POLICY_EXCESS && limit == 0;
    // the original bands, over the measured speed
    logic integer policy_orig(integer speed) =
        speed >= 100 ? 50 : speed >= 70 ? 20 : speed >= 50 ? 10 : 0;
 */

/*@ requires \valid_read(p + (0 .. n-1));
    requires \valid(out) && \valid(line) && \valid(why);
    requires \separated(out, line, why, p + (0 .. n-1));
    terminates \true;
    assigns *out, *line;
    assigns *why \from \nothing;
    ensures \result == 0 || \result == TES_ERR_FORMAT || \result == TES_ERR_TOOLONG ||
            \result == TES_ERR_VERSION;
    ensures \result == 0 ==> policy_ok(out) && *line == 0 && *why == \null;
    ensures \result != 0 ==> *why != \null;
    ensures \result == TES_ERR_TOOLONG ==> *line == 0;
    ensures n > TES_POLICY_TEXT_MAX ==> \result == TES_ERR_TOOLONG;
    ensures *line <= n;
 */
/*
 * tes_policy_parse with a reason: on failure *why is a static sentence
 * saying what is wrong (for a message that names the file and the line).
 */
int
tes_policy_parse_why(const uint8_t *p, size_t n, struct tes_policy *out, uint32_t *line, const char **why);

/*@ requires \valid_read(p + (0 .. n-1));
    requires \valid(out) && \valid(line);
    requires \separated(out, line, p + (0 .. n-1));
    terminates \true;
    assigns *out, *line;
    ensures \result == 0 || \result == TES_ERR_FORMAT || \result == TES_ERR_TOOLONG ||
            \result == TES_ERR_VERSION;
    ensures \result == 0 ==> policy_ok(out) && *line == 0;
    ensures n > TES_POLICY_TEXT_MAX ==> \result == TES_ERR_TOOLONG && *line == 0;
    ensures *line <= n;
 */
/*
 * Parse a whole policy file p[0..n-1] (n <= TES_POLICY_TEXT_MAX else
 * TES_ERR_TOOLONG). 0, or a negative TES_ERR_* with *line the 1-based line
 * of the error (0 = the whole file: too long, or a required line missing):
 * TES_ERR_VERSION for a "tes-policy" line other than 1, TES_ERR_TOOLONG for
 * a file above TES_POLICY_TEXT_MAX bytes, TES_ERR_FORMAT for the rest. On
 * failure *out holds no policy to use.
 */
int
tes_policy_parse(const uint8_t *p, size_t n, struct tes_policy *out, uint32_t *line);

/*@ requires \valid(p);
    terminates \true;
    assigns *p;
    ensures policy_is_default(p);
    ensures policy_ok(p);
 */
/* The built-in policy (version 0): the original bands over the measured speed. */
void
tes_policy_default(struct tes_policy *p);

/* Its canonical text (parses to tes_policy_default); its SHA-256 is version 0's hash. */
extern const char tes_policy_default_text[];

/*@ requires \valid_read(p) && policy_ok(p);
    requires why == \null || (\valid(why) && \separated(why, p));
    terminates \true;
    assigns *why;
    ensures why != \null ==> why->no_limit <= 1 && (why->no_limit == 1 <==> \old(policy_no_limit(p, limit)));
    ensures why != \null ==> why->tolerance ==
            \old(policy_tol(p, limit) > 65535 ? 65535 : policy_tol(p, limit));
    ensures why != \null && \old(!policy_no_limit(p, limit)) ==> why->value ==
            \old(policy_value(p, speed, limit) > 65535 ? 65535 : policy_value(p, speed, limit));
    ensures \old(policy_is_default(p)) ==> \result == policy_orig(speed);
    behavior no_limit:
        assumes policy_no_limit(p, limit);
        ensures \result == 0;
        ensures why != \null ==> why->band == 0 && why->value == 0;
    behavior below:
        assumes !policy_no_limit(p, limit) && policy_value(p, speed, limit) < p->band[0].from;
        ensures \result == 0;
        ensures why != \null ==> why->band == 0;
    behavior band:
        assumes !policy_no_limit(p, limit) && policy_value(p, speed, limit) >= p->band[0].from;
        ensures \exists integer k; 0 <= k < \old(p->nbands) &&
                \old(p->band[k].from <= policy_value(p, speed, limit)) &&
                (k == \old(p->nbands) - 1 || \old(policy_value(p, speed, limit) < p->band[k + 1].from)) &&
                \result == \old(p->band[k].points) && (why != \null ==> why->band == k + 1);
    complete behaviors;
    disjoint behaviors;
 */
/*
 * Points for a report (spec/POLICY.md#evaluation); why may be NULL.
 * tolerance = tol_kmh + ceil(limit * tol_pct / 100); the speed less the
 * tolerance (0 below it) is the value on basis speed, its excess over the
 * limit (0 below it) on basis excess, where a limit of 0 gives 0 points;
 * the last band whose from <= value gives the points, none gives 0. With
 * the default policy this equals the original bands (50-69 -> 10,
 * 70-99 -> 20, >= 100 -> 50) for every speed and limit.
 */
uint16_t
tes_policy_points(const struct tes_policy *p, uint32_t speed, uint32_t limit, struct tes_policy_why *why);

/*@ requires \valid_read(p) && policy_ok(p) && \valid_read(why);
    requires cap == 0 || \valid(buf + (0 .. cap-1));
    requires \separated(buf + (0 .. cap-1), p, why);
    terminates \true;
    assigns buf[0 .. cap-1];
    ensures cap == 0 ==> \result == 0;
    ensures cap > 0 ==> \result < cap && buf[\result] == 0;
 */
/*
 * One line saying why into buf, NUL-terminated, cut to cap - 1 bytes; the
 * length written. For example "20 points: band 2 (>= 70): speed 78 km/h
 * after a tolerance of 5 km/h".
 */
size_t
tes_policy_explain(const struct tes_policy *p, const struct tes_policy_why *why, uint16_t points, char *buf,
		   size_t cap);

#endif
