/* SPDX-License-Identifier: ISC */
/*
 * Target "batch_jsonl": the reporter's batch input decoder (src/wire/batch.c)
 * and the RFC 3339 reader it calls (src/wire/rfc3339.c) on JSON Lines, the
 * bytes a user pipes into tes-police batch (spec/INPUT.md). The input is
 * the file itself. It is fed at once and a byte at a time as JSON Lines, and
 * in varying chunks as AUTO when its first line starts with '{' and fits
 * the line limit (AUTO must then read JSON Lines) or as JSON Lines
 * otherwise; the three must agree (fuzz/batch.h says what else is checked),
 * and every record, written back as one JSON object, must read back the
 * same (MUST-IJ1, MUST-IJ4, MUST-IR2).
 */
#include <stdio.h>
#include <string.h>

#include "batch.h"

/* '"' + s with '"' and '\' escaped + '"' (strings hold no control character) */
static size_t
string(const char *s, char *out)
{
	size_t n = 0;

	out[n++] = '"';
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			out[n++] = '\\';
		out[n++] = *s;
	}
	out[n++] = '"';
	return n;
}

static size_t
fuzz_batch_write(const struct tes_batch_rec *r, char *out, size_t cap)
{
	char hex[2 * TES_REPORT_ID_LEN + 1], when[40];
	size_t n = 0;

	fuzz_check(cap >= 512, "room for one record");
	n += (size_t)snprintf(out + n, cap - n, "{\"speed\": %u, \"plate\": ", (unsigned)r->speed);
	n += string(r->plate, out + n);
	if (r->has_limit)
		n += (size_t)snprintf(out + n, cap - n, ", \"limit\": %u", (unsigned)r->limit);
	if (r->has_location) {
		n += (size_t)snprintf(out + n, cap - n, ", \"location\": ");
		n += string(r->loc, out + n);
	}
	if (r->has_time) {
		fuzz_time_text(r->time, when);
		n += (size_t)snprintf(out + n, cap - n, ", \"time\": \"%s\"", when);
	}
	if (r->has_id) {
		tes_hex_encode(r->id, TES_REPORT_ID_LEN, hex);
		n += (size_t)snprintf(out + n, cap - n, ", \"id\": \"%s\"", hex);
	}
	n += (size_t)snprintf(out + n, cap - n, "}\n");
	return n;
}

/* AUTO reads JSON Lines when line 1 starts with '{' and is not too long. */
static int
auto_is_jsonl(const uint8_t *data, size_t size)
{
	const uint8_t *lf = memchr(data, '\n', size);
	size_t len = lf != NULL ? (size_t)(lf - data) : size;

	return size > 0 && data[0] == '{' && len <= TES_BATCH_LINE_MAX;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_batch_run(data, size, TES_BATCH_JSONL,
		       auto_is_jsonl(data, size) ? TES_BATCH_AUTO : TES_BATCH_JSONL);
	return 0;
}
