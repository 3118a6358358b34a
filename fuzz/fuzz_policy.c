/* SPDX-License-Identifier: ISC */
/*
 * Target "policy": penalty policy files (src/wire/policy.c,
 * spec/POLICY.md), which `tes-officer policy set` reads from a file an
 * operator wrote and the store reads back from the journal. input = the
 * bytes of the file. Properties: nothing above TES_POLICY_TEXT_MAX bytes is
 * accepted; a refusal has a reason and a line within the file; an accepted
 * policy has every field in range and its bands strictly ascending, reads
 * the same with a comment line appended, and for a grid of speeds and
 * limits gives the points of an independent evaluation of the rule, 0 or
 * one band's points, with a consistent explanation; a policy equal to the
 * default gives the original bands.
 */
#include <string.h>

#include "fuzz.h"
#include "wire/policy.h"

static const uint32_t speeds[] = { 0,   1,   3,   49,  50,   51,   69,    70,    99,    100,
				   101, 130, 201, 400, 1000, 1001, 65535, 65536, 70000, UINT32_MAX };
static const uint32_t limits[] = { 0, 1, 5, 30, 50, 99, 100, 110, 130, 200, 65535, UINT32_MAX };

/* The original system's bands, written out here as the oracle of the default policy. */
static uint16_t
original_bands(uint32_t speed)
{
	return speed >= 100 ? 50 : speed >= 70 ? 20 : speed >= 50 ? 10 : 0;
}

static int
policy_ok(const struct tes_policy *p)
{
	int k;

	if ((p->basis != TES_POLICY_SPEED && p->basis != TES_POLICY_EXCESS) || p->tol_kmh > 50 ||
	    p->tol_pct > 50 || p->nbands < 1 || p->nbands > 16 || p->threshold > 1000000 ||
	    p->window_days > 3650)
		return 0;
	for (k = 0; k < p->nbands; k++) {
		if (p->band[k].from < 1 || p->band[k].from > 1000 || p->band[k].points < 1 ||
		    p->band[k].points > 1000)
			return 0;
		if (k > 0 && p->band[k - 1].from >= p->band[k].from)
			return 0;
	}
	return 1;
}

static int
same_policy(const struct tes_policy *a, const struct tes_policy *b)
{
	int k;

	if (a->basis != b->basis || a->tol_pct != b->tol_pct || a->tol_kmh != b->tol_kmh ||
	    a->nbands != b->nbands || a->threshold != b->threshold || a->window_days != b->window_days)
		return 0;
	for (k = 0; k < a->nbands; k++)
		if (a->band[k].from != b->band[k].from || a->band[k].points != b->band[k].points)
			return 0;
	return 1;
}

/* The rule of spec/POLICY.md#evaluation, written again: points, and the band (1-based, 0 = none). */
static unsigned
reference(const struct tes_policy *p, uint32_t speed, uint32_t limit, unsigned *band)
{
	unsigned long long tol = p->tol_kmh, pct = (unsigned long long)limit * p->tol_pct, value;
	int k;

	tol += pct / 100 + (pct % 100 != 0);
	value = speed > tol ? speed - tol : 0;
	*band = 0;
	if (p->basis == TES_POLICY_EXCESS) {
		if (limit == 0)
			return 0;
		value = value > limit ? value - limit : 0;
	}
	for (k = p->nbands - 1; k >= 0; k--)
		if (p->band[k].from <= value) {
			*band = (unsigned)k + 1;
			return p->band[k].points;
		}
	return 0;
}

static void
evaluate(const struct tes_policy *p)
{
	struct tes_policy d;
	struct tes_policy_why w;
	char buf[160];
	unsigned band, want;
	size_t i, j, n;
	uint16_t pts;
	int dflt;

	tes_policy_default(&d);
	dflt = same_policy(p, &d);
	for (i = 0; i < sizeof speeds / sizeof speeds[0]; i++)
		for (j = 0; j < sizeof limits / sizeof limits[0]; j++) {
			pts = tes_policy_points(p, speeds[i], limits[j], &w);
			want = reference(p, speeds[i], limits[j], &band);
			fuzz_check(pts == want && w.band == band, "points follow the rule");
			fuzz_check(pts == tes_policy_points(p, speeds[i], limits[j], NULL),
				   "why changes nothing");
			fuzz_check(pts == 0 ? w.band == 0
					    : (w.band >= 1 && w.band <= p->nbands &&
					       pts == p->band[w.band - 1].points),
				   "points are 0 or the points of the band applied");
			fuzz_check(w.no_limit == (p->basis == TES_POLICY_EXCESS && limits[j] == 0),
				   "no_limit exactly on the excess basis with no limit");
			if (dflt)
				fuzz_check(pts == original_bands(speeds[i]),
					   "the default gives the original bands");
			n = tes_policy_explain(p, &w, pts, buf, sizeof buf);
			fuzz_check(n < sizeof buf && buf[n] == 0 && strlen(buf) == n,
				   "explanation is one string");
			n = tes_policy_explain(p, &w, pts, buf, 7);
			fuzz_check(n <= 6 && buf[n] == 0, "explanation cut to its room");
		}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char tail[] = "\n# appended\n";
	uint8_t more[TES_POLICY_TEXT_MAX];
	struct tes_policy p, q;
	const char *why = NULL;
	uint32_t line = 0;
	size_t k, lines = 1;
	int r = tes_policy_parse_why(data, size, &p, &line, &why);

	for (k = 0; k < size; k++)
		lines += data[k] == '\n';
	if (r != 0) {
		fuzz_check(why != NULL, "a refusal has a reason");
		fuzz_check(r == TES_ERR_FORMAT || r == TES_ERR_VERSION || r == TES_ERR_TOOLONG,
			   "refusal codes");
		fuzz_check((r == TES_ERR_TOOLONG) == (size > TES_POLICY_TEXT_MAX),
			   "too long exactly above 2048");
		fuzz_check(line <= lines, "the line is in the file");
		fuzz_check(tes_policy_parse(data, size, &q, &line) == r, "the same without a reason");
		return 0;
	}
	fuzz_check(why == NULL && line == 0 && size <= TES_POLICY_TEXT_MAX, "accepted");
	fuzz_check(policy_ok(&p), "an accepted policy is in range");
	/* a comment line appended changes nothing (after a final CR, it would make a bare CR valid) */
	if (size > 0 && data[size - 1] != '\r' && size + sizeof tail - 1 <= sizeof more) {
		memcpy(more, data, size);
		memcpy(more + size, tail, sizeof tail - 1);
		fuzz_check(tes_policy_parse(more, size + sizeof tail - 1, &q, &line) == 0 &&
				   same_policy(&p, &q),
			   "a comment appended changes nothing");
	}
	evaluate(&p);
	return 0;
}
