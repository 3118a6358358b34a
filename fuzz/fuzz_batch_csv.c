/* SPDX-License-Identifier: ISC */
/*
 * Target "batch_csv": the reporter's batch input decoder (src/wire/batch.c)
 * and the RFC 3339 reader it calls (src/wire/rfc3339.c) on CSV input, the
 * bytes a user pipes into tes-police batch (spec/INPUT.md). The input is
 * the file itself, fed as CSV and as AUTO (fuzz/batch.h says how and what is
 * checked); every record, written back as a quoted CSV line under a header,
 * must read back the same (MUST-IC2, MUST-IL2, MUST-IR2).
 */
#include <stdio.h>
#include <string.h>

#include "batch.h"

/* '"' + s with every quote doubled + '"' */
static size_t
quoted(const char *s, char *out)
{
	size_t n = 0;

	out[n++] = '"';
	for (; *s != '\0'; s++) {
		if (*s == '"')
			out[n++] = '"';
		out[n++] = *s;
	}
	out[n++] = '"';
	return n;
}

static size_t
fuzz_batch_write(const struct tes_batch_rec *r, char *out, size_t cap)
{
	static const char head[] = "plate,speed,limit,location,time,id\n";
	char hex[2 * TES_REPORT_ID_LEN + 1], when[40];
	size_t n = sizeof head - 1;

	fuzz_check(cap >= 512, "room for one record");
	memcpy(out, head, n);
	n += quoted(r->plate, out + n);
	n += (size_t)snprintf(out + n, cap - n, ",%u,", (unsigned)r->speed);
	if (r->has_limit)
		n += (size_t)snprintf(out + n, cap - n, "%u", (unsigned)r->limit);
	out[n++] = ',';
	if (r->has_location)
		n += quoted(r->loc, out + n);
	out[n++] = ',';
	if (r->has_time) {
		size_t w = fuzz_time_text(r->time, when);

		memcpy(out + n, when, w);
		n += w;
	}
	out[n++] = ',';
	if (r->has_id) {
		tes_hex_encode(r->id, TES_REPORT_ID_LEN, hex);
		memcpy(out + n, hex, 2 * TES_REPORT_ID_LEN);
		n += 2 * TES_REPORT_ID_LEN;
	}
	out[n++] = '\n';
	return n;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_batch_run(data, size, TES_BATCH_CSV);
	return 0;
}
