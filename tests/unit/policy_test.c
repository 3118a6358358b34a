/* SPDX-License-Identifier: ISC */
/*
 * The penalty policy (wire/policy.h): the file format with every refusal and
 * its line (spec/POLICY.md#format MUST-PO1..PO6) and the evaluation rule
 * (spec/POLICY.md#evaluation MUST-PO7..PO8): band edges, tolerance in km/h
 * and in percent rounded up, the excess basis, a missing limit.
 */
#include <string.h>

#include "common/err.h"
#include "tap.h"
#include "wire/policy.h"

static int
parse(const char *text, struct tes_policy *p, uint32_t *line, const char **why)
{
	return tes_policy_parse_why((const uint8_t *)text, strlen(text), p, line, why);
}

/* The refusal of text: its code, its line and a reason. */
static void
refused(const char *text, int code, uint32_t want_line, const char *what)
{
	struct tes_policy p;
	uint32_t line = 99;
	const char *why = NULL;
	int r = parse(text, &p, &line, &why);

	OK(r == code && line == want_line && why != NULL, "%s: refused with %d at line %u (got %d at %u: %s)",
	   what, code, want_line, r, line, why ? why : "no reason");
	line = 99;
	EQ_INT(tes_policy_parse((const uint8_t *)text, strlen(text), &p, &line), code,
	       "%s: same without reason", what);
	EQ_INT(line, want_line, "%s: same line without reason", what);
}

static void
accepted(const char *text, struct tes_policy *p, const char *what)
{
	uint32_t line = 99;
	const char *why = "x";

	OK(parse(text, p, &line, &why) == 0 && line == 0 && why == NULL, "%s: accepted (%s)", what,
	   why ? why : "");
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

#define HDR "tes-policy 1\nbasis speed\n"

/* The original system's bands, written out as the oracle of the built-in policy. */
static uint16_t
original_bands(uint32_t speed)
{
	return speed >= 100 ? 50 : speed >= 70 ? 20 : speed >= 50 ? 10 : 0;
}

static void
test_default(void)
{
	struct tes_policy p, d;
	struct tes_policy_why w;
	uint32_t s, lim;
	int all = 1;

	tes_policy_default(&d);
	EQ_INT(d.basis, TES_POLICY_SPEED, "default: basis speed");
	EQ_INT(d.nbands, 3, "default: three bands");
	EQ_INT(d.tol_kmh + d.tol_pct + d.threshold + d.window_days, 0,
	       "default: no tolerance, threshold, window");
	accepted(tes_policy_default_text, &p, "the default text");
	OK(same_policy(&p, &d), "the default text parses to the default policy");
	/* band edges */
	EQ_INT(tes_policy_points(&d, 49, 0, NULL), 0, "49 -> 0");
	EQ_INT(tes_policy_points(&d, 50, 0, NULL), 10, "50 -> 10");
	EQ_INT(tes_policy_points(&d, 69, 0, NULL), 10, "69 -> 10");
	EQ_INT(tes_policy_points(&d, 70, 0, NULL), 20, "70 -> 20");
	EQ_INT(tes_policy_points(&d, 99, 0, NULL), 20, "99 -> 20");
	EQ_INT(tes_policy_points(&d, 100, 0, NULL), 50, "100 -> 50");
	EQ_INT(tes_policy_points(&d, 0, 0, NULL), 0, "0 -> 0");
	EQ_INT(tes_policy_points(&d, UINT32_MAX, 0, NULL), 50, "UINT32_MAX -> 50");
	/* the original bands for every speed and limit the protocol allows, and then some */
	for (s = 0; s <= 450; s++)
		for (lim = 0; lim <= 210; lim++)
			if (tes_policy_points(&d, s, lim, &w) != original_bands(s) || w.tolerance != 0 ||
			    w.value != s || w.no_limit != 0)
				all = 0;
	OK(all, "the default policy gives the original bands for speeds 0..450 and limits 0..210");
	EQ_INT(tes_policy_points(&d, 83, 130, &w), 20, "83 in a 130 zone: 20 under the default");
	EQ_INT(w.band, 2, "band 2");
	EQ_INT(w.value, 83, "value 83");
	EQ_INT(tes_policy_points(&d, 45, 30, &w), 0, "45 in a 30 zone: 0 under the default");
	EQ_INT(w.band, 0, "below every band");
}

static void
test_tolerance(void)
{
	struct tes_policy p;
	struct tes_policy_why w;

	accepted(HDR "tolerance-kmh 3\ntolerance-percent 5\nband 50 10\nband 70 20\nband 100 50\n", &p,
		 "tolerances");
	/* 130 x 5 %% = 6.5 -> 7; 3 + 7 = 10 */
	EQ_INT(tes_policy_points(&p, 110, 130, &w), 50, "110 in a 130 zone: 100 after a tolerance of 10");
	EQ_INT(w.tolerance, 10, "limit 130, 5 %% -> 7, plus 3 km/h");
	EQ_INT(w.value, 100, "value 100");
	EQ_INT(w.band, 3, "band 3");
	EQ_INT(tes_policy_points(&p, 109, 130, &w), 20, "109 in a 130 zone: value 99, band 2");
	EQ_INT(w.band, 2, "band 2");
	/* 100 x 5 %% = 5 exactly: no rounding */
	EQ_INT(tes_policy_points(&p, 58, 100, &w), 10, "58 in a 100 zone: tolerance 8, value 50");
	EQ_INT(w.tolerance, 8, "limit 100, 5 %% -> 5, plus 3");
	EQ_INT(tes_policy_points(&p, 57, 100, &w), 0, "57 in a 100 zone: value 49");
	/* 1 x 5 %% = 0.05 -> 1 */
	EQ_INT(tes_policy_points(&p, 54, 1, &w), 10, "limit 1: tolerance 3 + 1");
	EQ_INT(w.tolerance, 4, "limit 1, 5 %% rounds up to 1");
	/* limit 0: nothing from the percent */
	EQ_INT(tes_policy_points(&p, 53, 0, &w), 10, "limit 0: tolerance 3");
	EQ_INT(w.tolerance, 3, "limit 0, 5 %% -> 0");
	/* a speed below the tolerance */
	EQ_INT(tes_policy_points(&p, 2, 100, &w), 0, "a speed below the tolerance");
	EQ_INT(w.value, 0, "value 0");
	/* the largest tolerance */
	accepted(HDR "tolerance-kmh 50\ntolerance-percent 50\nband 1 1\n", &p, "largest tolerances");
	EQ_INT(tes_policy_points(&p, 201, 101, &w), 1, "201 in a 101 zone: tolerance 50 + ceil(50.5)");
	EQ_INT(w.tolerance, 101, "tolerance 101");
	EQ_INT(w.value, 100, "value 100");
}

static void
test_excess(void)
{
	struct tes_policy p;
	struct tes_policy_why w;
	char buf[160];
	size_t n;

	accepted("tes-policy 1\nbasis excess\ntolerance-kmh 3\ntolerance-percent 5\n"
		 "band 10 20\nband 20 50\nband 40 100\n",
		 &p, "excess policy");
	EQ_INT(tes_policy_points(&p, 120, 130, &w), 0, "120 in a 130 zone: 0");
	EQ_INT(w.value, 0, "no excess");
	EQ_INT(w.band, 0, "below every band");
	EQ_INT(tes_policy_points(&p, 130, 110, &w), 20, "130 in a 110 zone: excess 11, band 1");
	EQ_INT(w.tolerance, 9, "3 + ceil(5.5)");
	EQ_INT(w.value, 11, "excess 11");
	EQ_INT(w.band, 1, "band 1");
	n = tes_policy_explain(&p, &w, 20, buf, sizeof buf);
	OK(strcmp(buf, "20 points: band 1 (>= 10): excess 11 km/h after a tolerance of 9 km/h") == 0 &&
		   n == strlen(buf),
	   "explained: %s", buf);
	EQ_INT(tes_policy_points(&p, 45, 30, &w), 20, "45 in a 30 zone: excess 10, band 1");
	EQ_INT(w.value, 10, "excess 10");
	EQ_INT(tes_policy_points(&p, 44, 30, &w), 0, "44 in a 30 zone: excess 9");
	EQ_INT(tes_policy_points(&p, 160, 100, &w), 100, "160 in a 100 zone: excess 52, band 3");
	EQ_INT(w.band, 3, "band 3");
	EQ_INT(tes_policy_points(&p, 90, 0, &w), 0, "no limit: 0 points");
	EQ_INT(w.no_limit, 1, "no_limit");
	EQ_INT(w.band, 0, "no band");
	EQ_INT(w.value, 0, "no value");
	EQ_INT(w.tolerance, 3, "tolerance 3 from km/h alone");
	n = tes_policy_explain(&p, &w, 0, buf, sizeof buf);
	OK(strncmp(buf, "0 points: no speed limit", 24) == 0 && n == strlen(buf), "explained: %s", buf);
	EQ_INT(tes_policy_points(&p, UINT32_MAX, UINT32_MAX, &w), 0, "huge limit: no excess, no overflow");
	EQ_INT(w.tolerance, 65535, "tolerance saturates in why");
	EQ_INT(tes_policy_points(&p, UINT32_MAX, 1, &w), 100, "huge speed: last band");
	EQ_INT(w.value, 65535, "value saturates in why");
	/* limit 0 on the speed basis is no special case */
	accepted(HDR "band 50 10\n", &p, "one band");
	EQ_INT(tes_policy_points(&p, 60, 0, &w), 10, "speed basis, limit 0: 10");
	EQ_INT(w.no_limit, 0, "no_limit only on the excess basis");
}

static void
test_explain(void)
{
	struct tes_policy d;
	struct tes_policy_why w;
	char buf[160];
	size_t n;
	uint16_t pts;

	tes_policy_default(&d);
	pts = tes_policy_points(&d, 78, 60, &w);
	n = tes_policy_explain(&d, &w, pts, buf, sizeof buf);
	OK(strcmp(buf, "20 points: band 2 (>= 70): speed 78 km/h after a tolerance of 0 km/h") == 0,
	   "explained: %s", buf);
	EQ_INT(n, strlen(buf), "length returned");
	pts = tes_policy_points(&d, 45, 60, &w);
	tes_policy_explain(&d, &w, pts, buf, sizeof buf);
	OK(strcmp(buf, "0 points: below every band (the first starts at 50): speed 45 km/h after a tolerance "
		       "of 0 km/h") == 0,
	   "explained: %s", buf);
	n = tes_policy_explain(&d, &w, pts, buf, 10);
	OK(n == 9 && strcmp(buf, "0 points:") == 0, "cut to 9 bytes and a NUL: [%s]", buf);
	n = tes_policy_explain(&d, &w, pts, buf, 1);
	OK(n == 0 && buf[0] == 0, "cap 1: the NUL alone");
	buf[0] = 'x';
	EQ_INT(tes_policy_explain(&d, &w, pts, buf, 0), 0, "cap 0: nothing");
	EQ_INT(buf[0], 'x', "cap 0 writes nothing");
}

static void
test_format(void)
{
	struct tes_policy p;
	char big[TES_POLICY_TEXT_MAX + 2];
	size_t n;
	int k;

	accepted(
		"# a comment first\n\n   \t\ntes-policy 1 # trailing comment\n\tbasis\t  speed  \nband 50 10",
		&p, "comments, blank lines, tabs, no final LF");
	EQ_INT(p.nbands, 1, "one band");
	accepted("tes-policy 1\r\nbasis speed\r\nband 50 10\r\n", &p, "CR LF line ends");
	accepted(HDR "band 1 1\nband 2 2\nband 3 3\nband 4 4\nband 5 5\nband 6 6\nband 7 7\nband 8 8\n"
		     "band 9 9\nband 10 10\nband 11 11\nband 12 12\nband 13 13\nband 14 14\nband 15 15\n"
		     "band 1000 1000\n",
		 &p, "16 bands, the largest values");
	EQ_INT(p.nbands, 16, "16 bands");
	accepted(HDR
		 "band 50 10\nthreshold 1000000\nwindow-days 3650\ntolerance-kmh 0\ntolerance-percent 50\n",
		 &p, "optional keys after the bands, their largest values");
	EQ_INT(p.threshold, 1000000, "threshold");
	EQ_INT(p.window_days, 3650, "window-days");
	EQ_INT(p.tol_pct, 50, "tolerance-percent");
	accepted("tes-policy 1\nbasis excess\nband 5 1#comment right after\n", &p, "a # right after a value");
	EQ_INT(p.basis, TES_POLICY_EXCESS, "basis excess");

	/* MUST-PO6: what is required; MUST-PO5: the version line first */
	refused("", TES_ERR_FORMAT, 0, "empty file");
	refused("# only a comment\n", TES_ERR_FORMAT, 0, "only a comment");
	refused("tes-policy 1\nband 50 10\n", TES_ERR_FORMAT, 0, "missing basis");
	refused("tes-policy 1\nbasis speed\n", TES_ERR_FORMAT, 0, "no band");
	refused("basis speed\ntes-policy 1\nband 50 10\n", TES_ERR_FORMAT, 1, "version line not first");
	refused("\n# x\ntes-policy 2\nbasis speed\nband 50 10\n", TES_ERR_VERSION, 3, "version 2");
	refused("tes-policy 0\n", TES_ERR_VERSION, 1, "version 0");
	/* unknown and duplicate keys, missing and extra values */
	refused(HDR "band 50 10\nspeed-limit 3\n", TES_ERR_FORMAT, 4, "unknown key");
	refused(HDR "Band 50 10\n", TES_ERR_FORMAT, 3, "keys are lower case");
	refused(HDR "band 50 10\nbasis excess\n", TES_ERR_FORMAT, 4, "duplicate basis");
	refused("tes-policy 1\ntes-policy 1\n", TES_ERR_FORMAT, 2, "duplicate version line");
	refused(HDR "threshold 5\nband 50 10\nthreshold 5\n", TES_ERR_FORMAT, 5, "duplicate threshold");
	refused(HDR "band 50\n", TES_ERR_FORMAT, 3, "band without points");
	refused(HDR "band 50 10 3\n", TES_ERR_FORMAT, 3, "band with three values");
	refused(HDR "band\n", TES_ERR_FORMAT, 3, "band without values");
	refused(HDR "band 50 10\nthreshold\n", TES_ERR_FORMAT, 4, "threshold without value");
	refused(HDR "band 50 10\nwindow-days 3 4\n", TES_ERR_FORMAT, 4, "two values");
	refused("tes-policy 1\nbasis fast\nband 50 10\n", TES_ERR_FORMAT, 2, "basis fast");
	refused("tes-policy 1\nbasis speed excess\nband 50 10\n", TES_ERR_FORMAT, 2, "two bases");
	/* MUST-PO3: band order and ranges */
	refused(HDR "band 70 20\nband 50 10\n", TES_ERR_FORMAT, 4, "bands descending");
	refused(HDR "band 50 10\nband 50 20\n", TES_ERR_FORMAT, 4, "bands equal");
	refused(HDR "band 0 10\n", TES_ERR_FORMAT, 3, "band from 0");
	refused(HDR "band 1001 10\n", TES_ERR_FORMAT, 3, "band from 1001");
	refused(HDR "band 50 0\n", TES_ERR_FORMAT, 3, "band of 0 points");
	refused(HDR "band 50 1001\n", TES_ERR_FORMAT, 3, "band of 1001 points");
	refused(HDR "band 1 1\nband 2 2\nband 3 3\nband 4 4\nband 5 5\nband 6 6\nband 7 7\nband 8 8\n"
		    "band 9 9\nband 10 10\nband 11 11\nband 12 12\nband 13 13\nband 14 14\nband 15 15\n"
		    "band 16 16\nband 17 17\n",
		TES_ERR_FORMAT, 19, "17 bands");
	/* ranges of the other keys */
	refused(HDR "tolerance-kmh 51\nband 50 10\n", TES_ERR_FORMAT, 3, "tolerance-kmh 51");
	refused(HDR "tolerance-percent 51\nband 50 10\n", TES_ERR_FORMAT, 3, "tolerance-percent 51");
	refused(HDR "threshold 1000001\nband 50 10\n", TES_ERR_FORMAT, 3, "threshold 1000001");
	refused(HDR "window-days 3651\nband 50 10\n", TES_ERR_FORMAT, 3, "window-days 3651");
	/* MUST-PO2: numbers */
	refused(HDR "band 050 10\n", TES_ERR_FORMAT, 3, "leading zero");
	refused(HDR "threshold 00\nband 50 10\n", TES_ERR_FORMAT, 3, "00");
	refused(HDR "band +50 10\n", TES_ERR_FORMAT, 3, "a sign");
	refused(HDR "band 50 1O\n", TES_ERR_FORMAT, 3, "a letter in a number");
	refused(HDR "threshold 1000000000\nband 50 10\n", TES_ERR_FORMAT, 3, "10 digits");
	refused(HDR "threshold 999999999\nband 50 10\n", TES_ERR_FORMAT, 3, "9 digits, out of range");
	refused(HDR "threshold 99999999999999999999999\nband 50 10\n", TES_ERR_FORMAT, 3, "23 digits");
	/* MUST-PO1: bytes and line ends */
	refused(HDR "band 50 10\r", TES_ERR_FORMAT, 3, "a CR without LF at the end");
	refused(HDR "band 50\r10\n", TES_ERR_FORMAT, 3, "a CR inside a line");
	refused(HDR "band 50 10\r\r\n", TES_ERR_FORMAT, 3, "two CRs before LF");
	refused(HDR "band 50 10 # caf\xc3\xa9\n", TES_ERR_FORMAT, 3, "non-ASCII in a comment");
	refused("tes-policy 1\nbasis speed\nband 50 10\n\x01\n", TES_ERR_FORMAT, 4, "a control byte");
	{
		static const uint8_t nul[] = "tes-policy 1\nbasis\0speed\nband 50 10\n";
		struct tes_policy q;
		uint32_t line = 0;

		EQ_INT(tes_policy_parse(nul, sizeof nul - 1, &q, &line), TES_ERR_FORMAT, "a NUL byte");
		EQ_INT(line, 2, "a NUL byte: line 2");
	}
	/* the size limit */
	n = 0;
	memcpy(big, HDR "band 50 10\n", strlen(HDR "band 50 10\n"));
	n = strlen(HDR "band 50 10\n");
	while (n < TES_POLICY_TEXT_MAX)
		big[n++] = '\n';
	big[n] = 0;
	accepted(big, &p, "2048 bytes");
	big[n++] = '\n';
	big[n] = 0;
	refused(big, TES_ERR_TOOLONG, 0, "2049 bytes");
	for (k = 0; k < 3; k++)
		big[k] = 'x';
	refused(big, TES_ERR_TOOLONG, 0, "2049 bytes, whatever they are");
}

int
main(void)
{
	test_default();
	test_tolerance();
	test_excess();
	test_explain();
	test_format();
	return tap_done();
}
