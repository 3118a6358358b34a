/* SPDX-License-Identifier: ISC */
/*
 * Trusted specification of the four BearSSL 3DES-CBC functions that
 * src/store/journal.c calls (tes_seal_encrypt, tes_seal_decrypt).
 * Force-included for the proofs of journal.c and drivers.c only; the real
 * <bearssl.h> prototypes come first, so a signature mismatch is a parse
 * error. Assumed, nothing about the cipher itself: init reads len key bytes
 * and writes only the context; run reads the context, needs iv[0 .. 7] and
 * data[0 .. len-1] writable and len a multiple of 8, writes only those two
 * ranges, and returns. Their only callers are the two wrappers, whose own
 * contracts (journal.h) are what the proofs use.
 */
#ifndef TES_PROOF_BEARSSL_DES_H
#define TES_PROOF_BEARSSL_DES_H
#include <bearssl.h>

/*@ requires \valid(ctx) && \valid_read((const uint8_t *)key + (0 .. len-1));
    terminates \true;
    assigns *ctx \from ((const uint8_t *)key)[0 .. len-1], len;
 */
void
br_des_ct_cbcenc_init(br_des_ct_cbcenc_keys *ctx, const void *key, size_t len);

/*@ requires \valid(ctx) && \valid_read((const uint8_t *)key + (0 .. len-1));
    terminates \true;
    assigns *ctx \from ((const uint8_t *)key)[0 .. len-1], len;
 */
void
br_des_ct_cbcdec_init(br_des_ct_cbcdec_keys *ctx, const void *key, size_t len);

/*@ requires \valid_read(ctx) && \valid((uint8_t *)iv + (0 .. 7));
    requires \valid((uint8_t *)data + (0 .. len-1)) && len % 8 == 0;
    requires \separated((uint8_t *)iv + (0 .. 7), (uint8_t *)data + (0 .. len-1), ctx);
    terminates \true;
    assigns ((uint8_t *)iv)[0 .. 7], ((uint8_t *)data)[0 .. len-1];
 */
void
br_des_ct_cbcenc_run(const br_des_ct_cbcenc_keys *ctx, void *iv, void *data, size_t len);

/*@ requires \valid_read(ctx) && \valid((uint8_t *)iv + (0 .. 7));
    requires \valid((uint8_t *)data + (0 .. len-1)) && len % 8 == 0;
    requires \separated((uint8_t *)iv + (0 .. 7), (uint8_t *)data + (0 .. len-1), ctx);
    terminates \true;
    assigns ((uint8_t *)iv)[0 .. 7], ((uint8_t *)data)[0 .. len-1];
 */
void
br_des_ct_cbcdec_run(const br_des_ct_cbcdec_keys *ctx, void *iv, void *data, size_t len);
#endif
