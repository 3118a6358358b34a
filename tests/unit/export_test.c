/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the export's writers (officer/export.h, spec/EXPORT.md):
 * CSV fields as RFC 4180 quotes them (MUST-EX4), JSON strings (MUST-EX5),
 * whole rows with every column and absent values (MUST-EX3), the filter's
 * bounds (MUST-EX1), and a buffer too small for a row (no byte past it).
 */
#include <string.h>

#include "officer/export.h"
#include "tap.h"

static const char *
csv(const char *s)
{
	static char out[256];
	struct tes_export_buf b;

	tes_export_buf_init(&b, out, sizeof out - 1);
	tes_export_csv_field(&b, s, strlen(s));
	out[b.len] = '\0';
	return out;
}

static const char *
json(const char *s, size_t n)
{
	static char out[256];
	struct tes_export_buf b;

	tes_export_buf_init(&b, out, sizeof out - 1);
	tes_export_json_string(&b, s, n);
	out[b.len] = '\0';
	return out;
}

static void
test_csv_field(void)
{
	OK(strcmp(csv("Main st 4"), "Main st 4") == 0, "plain field as it is (MUST-EX4)");
	OK(strcmp(csv(""), "") == 0, "empty field: nothing");
	OK(strcmp(csv("Ring road, km 3"), "\"Ring road, km 3\"") == 0, "comma: quoted");
	OK(strcmp(csv("say \"no\""), "\"say \"\"no\"\"\"") == 0, "quote: quoted, doubled");
	OK(strcmp(csv("\""), "\"\"\"\"") == 0, "a lone quote");
	OK(strcmp(csv("a\nb"), "\"a\nb\"") == 0, "LF: quoted");
	OK(strcmp(csv("a\rb"), "\"a\rb\"") == 0, "CR: quoted");
	OK(strcmp(csv("it's; fine"), "it's; fine") == 0, "apostrophe and semicolon: as they are");
}

static void
test_json_string(void)
{
	OK(strcmp(json("abc", 3), "\"abc\"") == 0, "plain string (MUST-EX5)");
	OK(strcmp(json("", 0), "\"\"") == 0, "empty string");
	OK(strcmp(json("a\"b\\c", 5), "\"a\\\"b\\\\c\"") == 0, "quote and backslash escaped");
	OK(strcmp(json("\n\r\t\x01\x1f", 5), "\"\\u000a\\u000d\\u0009\\u0001\\u001f\"") == 0,
	   "bytes below 0x20 as \\u00XX");
	OK(strcmp(json("a, b / c", 8), "\"a, b / c\"") == 0, "comma and slash as they are");
}

static struct tes_db_report
report(uint8_t status)
{
	struct tes_db_report d;

	memset(&d, 0, sizeof d);
	memset(d.r.id, 0xab, sizeof d.r.id);
	d.number = 7;
	d.received = 1764000000; /* 2025-11-24T16:00:00Z */
	d.r.time = 1763990000;   /* 2025-11-24T13:13:20Z */
	d.r.plate_len = 5;
	memcpy(d.r.plate, "AB123", 6);
	d.r.speed = 83;
	d.status = status;
	d.points = 20;
	if (status != TES_STATUS_PENDING) {
		d.r.limit = 50;
		d.r.loc_len = 13;
		memcpy(d.r.loc, "Main st, km 4", 14);
		snprintf(d.officer, sizeof d.officer, "boss");
		snprintf(d.reason, sizeof d.reason, "glare, \"plate\" unreadable");
		d.decided_at = 1764003600; /* 2025-11-24T17:00:00Z */
	}
	return d;
}

static const char *
row(uint8_t format, const struct tes_db_report *d, const char *unit)
{
	static char out[TES_EXPORT_ROW_MAX + 1];
	struct tes_export_rec rec = { .d = d, .unit = unit, .policy_version = 0 };
	struct tes_export_buf b;

	tes_export_buf_init(&b, out, TES_EXPORT_ROW_MAX);
	tes_export_row(&b, format, &rec);
	out[b.len] = '\0';
	return b.overflow ? "overflow" : out;
}

#define ID "abababababababababababababababab"

static void
test_rows(void)
{
	struct tes_db_report p = report(TES_STATUS_PENDING), r = report(TES_STATUS_REJECTED);
	struct tes_export_buf b;
	char out[512];

	tes_export_buf_init(&b, out, sizeof out - 1);
	tes_export_header(&b, TES_EXPORT_CSV);
	out[b.len] = '\0';
	OK(strcmp(out, "number,id,received,unit,plate,speed,limit,observed,location,status,points,officer,"
		       "decided,reason,policy_version\r\n") == 0,
	   "CSV header: the columns in order, CRLF (MUST-EX3, MUST-EX4)");
	tes_export_buf_init(&b, out, sizeof out);
	tes_export_header(&b, TES_EXPORT_JSONL);
	EQ_INT(b.len, 0, "JSON Lines: no header");

	OK(strcmp(row(TES_EXPORT_CSV, &p, "patrol-7"), "7," ID ",2025-11-24T16:00:00Z,patrol-7,AB123,83,,"
						       "2025-11-24T13:13:20Z,,pending,20,,,,0\r\n") == 0,
	   "CSV row of a pending report: absent values empty");
	OK(strcmp(row(TES_EXPORT_CSV, &r, "patrol-7"),
		  "7," ID ",2025-11-24T16:00:00Z,patrol-7,AB123,83,50,2025-11-24T13:13:20Z,\"Main st, km 4\","
		  "rejected,20,boss,2025-11-24T17:00:00Z,\"glare, \"\"plate\"\" unreadable\",0\r\n") == 0,
	   "CSV row of a decided report: quoted where needed");
	OK(strcmp(row(TES_EXPORT_JSONL, &p, NULL),
		  "{\"number\":7,\"id\":\"" ID "\",\"received\":\"2025-11-24T16:00:00Z\",\"unit\":null,"
		  "\"plate\":\"AB123\",\"speed\":83,\"limit\":null,\"observed\":\"2025-11-24T13:13:20Z\","
		  "\"location\":null,\"status\":\"pending\",\"points\":20,\"officer\":null,\"decided\":null,"
		  "\"reason\":null,\"policy_version\":0}\n") == 0,
	   "JSON line of a pending report: numbers, nulls (MUST-EX5)");
	OK(strcmp(row(TES_EXPORT_JSONL, &r, "patrol-7"),
		  "{\"number\":7,\"id\":\"" ID
		  "\",\"received\":\"2025-11-24T16:00:00Z\",\"unit\":\"patrol-7\","
		  "\"plate\":\"AB123\",\"speed\":83,\"limit\":50,\"observed\":\"2025-11-24T13:13:20Z\","
		  "\"location\":\"Main st, km 4\",\"status\":\"rejected\",\"points\":20,\"officer\":\"boss\","
		  "\"decided\":\"2025-11-24T17:00:00Z\",\"reason\":\"glare, \\\"plate\\\" unreadable\","
		  "\"policy_version\":0}\n") == 0,
	   "JSON line of a decided report: escaped quotes");
}

static void
test_overflow(void)
{
	struct tes_db_report r = report(TES_STATUS_APPROVED);
	struct tes_export_rec rec = { .d = &r, .unit = "patrol-7" };
	struct tes_export_buf b;
	char out[64];

	memset(out, 0x5a, sizeof out);
	tes_export_buf_init(&b, out, 40);
	tes_export_row(&b, TES_EXPORT_CSV, &rec);
	OK(b.overflow && b.len <= 40, "a row larger than the buffer: overflow, length within it");
	OK(out[40] == 0x5a && out[63] == 0x5a, "... nothing written past the buffer");
}

static void
test_keep(void)
{
	struct tes_db_report d = report(TES_STATUS_APPROVED);
	struct tes_export_filter f = { .status = TES_EXPORT_STATUS_ALL };

	OK(tes_export_keep(&f, &d), "no filter keeps every report");
	f.status = TES_STATUS_REJECTED;
	OK(!tes_export_keep(&f, &d), "--status rejected drops an approved report (MUST-EX1)");
	f.status = TES_STATUS_APPROVED;
	OK(tes_export_keep(&f, &d), "--status approved keeps it");
	f = (struct tes_export_filter){ .status = TES_EXPORT_STATUS_ALL, .has_since = 1, .since = d.r.time };
	OK(tes_export_keep(&f, &d), "--since the observation time: kept (inclusive)");
	f.since = d.r.time + 1;
	OK(!tes_export_keep(&f, &d), "--since one second later: dropped");
	f = (struct tes_export_filter){ .status = TES_EXPORT_STATUS_ALL, .has_until = 1, .until = d.r.time };
	OK(!tes_export_keep(&f, &d), "--until the observation time: dropped (exclusive)");
	f.until = d.r.time + 1;
	OK(tes_export_keep(&f, &d), "--until one second later: kept");
	f = (struct tes_export_filter){ .status = TES_EXPORT_STATUS_ALL, .has_since = 1, .since = 0 };
	OK(tes_export_keep(&f, &d), "--since 0 (1970) keeps it");
}

int
main(void)
{
	test_csv_field();
	test_json_string();
	test_rows();
	test_overflow();
	test_keep();
	return tap_done();
}
