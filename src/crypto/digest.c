/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "common/wipe.h"
#include "crypto/digest.h"
#include "crypto/sha256.h"

static const char context[] = "TES1 report";

/* see digest.h */
int
tes_digest_report(const struct tes_report *r, uint8_t out[static TES_HASH_LEN])
{
	uint8_t buf[sizeof context - 1 + TES_REPORT_MAX];
	size_t n;
	int e;

	memcpy(buf, context, sizeof context - 1);
	if ((e = tes_msg_report_encode(r, buf + sizeof context - 1, TES_REPORT_MAX, &n)) != 0)
		return e;
	tes_sha256(buf, sizeof context - 1 + n, out);
	TES_WIPE_BUF(buf);
	return 0;
}
