/* SPDX-License-Identifier: ISC */
/*
 * Target "batch_jsonl": the reporter's batch input decoder (src/wire/batch.c)
 * and the RFC 3339 reader it calls (src/wire/rfc3339.c) on JSON Lines, the
 * bytes a user pipes into tes-police batch (spec/INPUT.md). The input is
 * the file itself, fed as JSON Lines and as AUTO (fuzz/batch.h says how and
 * what is checked); every record, written back as one JSON object, must
 * read back the same (MUST-IJ1, MUST-IJ4, MUST-IR2).
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

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_batch_run(data, size, TES_BATCH_JSONL);
	return 0;
}
