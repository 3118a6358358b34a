/* SPDX-License-Identifier: ISC */
/*
 * Trusted specification of the HMAC-SHA256 and HKDF-SHA256 wrappers of
 * src/crypto/hmac.h and src/crypto/hkdf.h (hmac.c and hkdf.c, over BearSSL, are not proven).
 * Force-included for the proofs of journal.c and drivers.c only, after the
 * real header, so a signature mismatch is a parse error. Assumed, nothing
 * about the hash itself: each function reads exactly the byte ranges given
 * by its pointer/length arguments, writes only the context and/or its
 * 32-byte (HKDF: outlen-byte) output, and returns; HKDF needs outlen <=
 * TES_HKDF_MAX (it aborts above). The functions take the data as void *, a
 * conversion WP's typed memory model cannot follow from a uint8_t buffer, so
 * proven code reaches them only through typed wrappers (chain_mac in
 * journal.c, snapshot_mac in drivers.c) whose contracts are what the proofs
 * use; these contracts make the wrappers' bodies well-specified.
 */
#ifndef TES_PROOF_CRYPTO_HASH_H
#define TES_PROOF_CRYPTO_HASH_H
#include "crypto/hkdf.h"
#include "crypto/hmac.h"

/*@ requires \valid(h) && \valid_read(key + (0 .. klen-1));
    requires \separated(h, key + (0 .. klen-1));
    terminates \true;
    assigns *h \from key[0 .. klen-1], klen;
 */
void
tes_hmac_init(struct tes_hmac *h, const uint8_t *key, size_t klen);

/*@ requires \valid(h) && \valid_read((const uint8_t *)data + (0 .. n-1));
    requires \separated(h, (const uint8_t *)data + (0 .. n-1));
    terminates \true;
    assigns *h \from *h, ((const uint8_t *)data)[0 .. n-1], n;
 */
void
tes_hmac_update(struct tes_hmac *h, const void *data, size_t n);

/*@ requires \valid(h) && \valid(out + (0 .. 31));
    requires \separated(h, out + (0 .. 31));
    terminates \true;
    assigns *h, out[0 .. 31] \from *h;
 */
void
tes_hmac_out(struct tes_hmac *h, uint8_t out[32]);

/*@ requires \valid_read(key + (0 .. klen-1));
    requires \valid_read((const uint8_t *)data + (0 .. n-1));
    requires \valid(out + (0 .. 31));
    requires \separated(out + (0 .. 31), key + (0 .. klen-1), (const uint8_t *)data + (0 .. n-1));
    terminates \true;
    assigns out[0 .. 31] \from key[0 .. klen-1], klen, ((const uint8_t *)data)[0 .. n-1], n;
 */
void
tes_hmac_sha256(const uint8_t *key, size_t klen, const void *data, size_t n, uint8_t out[32]);

/*@ requires \valid_read(salt + (0 .. slen-1)) && \valid_read(ikm + (0 .. ilen-1));
    requires \valid_read(info + (0 .. infolen-1)) && \valid(out + (0 .. outlen-1));
    requires outlen <= TES_HKDF_MAX;
    requires \separated(out + (0 .. outlen-1), salt + (0 .. slen-1), ikm + (0 .. ilen-1),
                        info + (0 .. infolen-1));
    terminates \true;
    assigns out[0 .. outlen-1] \from salt[0 .. slen-1], slen, ikm[0 .. ilen-1], ilen,
                                     info[0 .. infolen-1], infolen, outlen;
 */
void
tes_hkdf_sha256(const uint8_t *salt, size_t slen, const uint8_t *ikm, size_t ilen, const uint8_t *info,
		size_t infolen, uint8_t *out, size_t outlen);
#endif
