/* SPDX-License-Identifier: ISC */
/*
 * The digest a unit signs for a report, over its canonical encoding
 * (spec/PROTOCOL.md#report): the evidence the officer keeps and checks.
 */
#ifndef TES_CRYPTO_DIGEST_H
#define TES_CRYPTO_DIGEST_H

#include <stdint.h>

#include "wire/limits.h"
#include "wire/msg.h"

/* SHA-256("TES1 report" || tes_msg_report_encode(r)); the encoder's error if r is out of range. */
int
tes_digest_report(const struct tes_report *r, uint8_t out[static TES_HASH_LEN]);

#endif
