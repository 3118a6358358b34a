/* SPDX-License-Identifier: ISC */
/*
 * RSA-2048 keys: generation, the OpenSSH key blob and the SHA256
 * fingerprints over it (the same text `ssh-keygen -lf` prints), RSA-OAEP key
 * transport and PKCS#1 v1.5 signatures, all with SHA-256. Key files (PEM,
 * OpenSSH lines) are crypto/keyfile.h. Keys are plain fixed-size structs without
 * pointers: copy them freely, wipe private ones with TES_WIPE_CTX().
 *
 * Every function using randomness (generate, OAEP encrypt and decrypt,
 * load) draws from crypto/rng.h.
 */
#ifndef TES_CRYPTO_RSA_H
#define TES_CRYPTO_RSA_H

#include <stddef.h>
#include <stdint.h>

#include <bearssl.h>

#include "wire/limits.h"

enum {
	TES_FP_STRLEN = 51, /* "SHA256:" + 43 base64 characters + NUL */
	TES_RSA_HALF = TES_RSA_LEN / 2,
	TES_RSA_OAEP_MAX = TES_RSA_LEN - 2 * 32 - 2, /* largest OAEP plaintext: 190 */
	TES_RSA_SSH_BLOB_MAX = 4 + 7 + 4 + 5 + 4 + 1 + TES_RSA_LEN
};

/* Public key: n exactly 256 bytes big-endian (top bit set), e minimal. */
struct tes_rsa_pub {
	uint8_t n[TES_RSA_LEN];
	uint8_t e[TES_RSA_E_MAX]; /* big-endian, no leading zero */
	uint8_t elen;             /* 1 .. 4 */
};

/*
 * Private key: the public half plus the CRT elements, each big-endian
 * without leading zeros in the first *len bytes of its array.
 */
struct tes_rsa_priv {
	struct tes_rsa_pub pub;
	uint8_t p[TES_RSA_HALF], q[TES_RSA_HALF];
	uint8_t dp[TES_RSA_HALF], dq[TES_RSA_HALF], iq[TES_RSA_HALF];
	size_t plen, qlen, dplen, dqlen, iqlen;
};

/* 0 if n is 2048-bit and odd and e is odd and >= 3, else TES_ERR_KEY. */
int
tes_rsa_pub_check(const struct tes_rsa_pub *k);

/* Fresh RSA-2048 key pair, e = 65537. TES_ERR_KEY if generation fails. */
int
tes_rsa_generate(struct tes_rsa_priv *k);

/*
 * The raw PKCS#1 DER encoding of k (the private exponent recomputed) into
 * der (cap bytes), *len its length. TES_ERR_KEY if BearSSL cannot recompute
 * the private exponent (it only promises to for primes that are 3 mod 4,
 * which tes_rsa_generate() keys always have; keys made by other tools have
 * worked in practice), TES_ERR_SPACE if cap is short.
 */
int
tes_rsa_priv_der(const struct tes_rsa_priv *k, uint8_t *der, size_t cap, size_t *len);

/*
 * k from a key BearSSL decoded (PKCS#1 or PKCS#8): RSA-2048 only, the
 * public half recomputed and the pair checked with a private/public round
 * trip. TES_ERR_KEY; k is wiped on failure.
 */
int
tes_rsa_priv_import(struct tes_rsa_priv *k, const br_rsa_private_key *sk);

/* The OpenSSH wire blob of k: string "ssh-rsa", mpint e, mpint n. TES_ERR_KEY for a bad elen. */
int
tes_rsa_ssh_blob(const struct tes_rsa_pub *k, uint8_t out[TES_RSA_SSH_BLOB_MAX], size_t *len);

/*
 * Strict parse of an OpenSSH wire blob into k (canonical, non-negative
 * mpints, nothing after them; not yet tes_rsa_pub_check()ed): TES_ERR_FORMAT,
 * or TES_ERR_KEY for an exponent or modulus of the wrong size.
 */
int
tes_rsa_ssh_blob_parse(struct tes_rsa_pub *k, const uint8_t *blob, size_t len);

/*
 * Key id: the raw SHA-256 of the OpenSSH key blob (the binary form of the
 * fingerprint below). Meaningful only for a key that passes
 * tes_rsa_pub_check().
 */
void
tes_rsa_keyid(const struct tes_rsa_pub *k, uint8_t out[TES_KEYID_LEN]);

/*
 * "SHA256:" + unpadded base64 of SHA-256 of the OpenSSH key blob: the
 * fingerprint `ssh-keygen -lf key.pub` prints. Compare pinned values with
 * strcmp (fingerprints are public). Meaningful only for a key that passes
 * tes_rsa_pub_check().
 */
void
tes_rsa_fingerprint(const struct tes_rsa_pub *k, char out[TES_FP_STRLEN]);

/*
 * RSA-OAEP (SHA-256, MGF1-SHA-256, empty label) of n <= TES_RSA_OAEP_MAX
 * bytes. TES_ERR_KEY for a key failing tes_rsa_pub_check(), TES_ERR_TOOLONG.
 */
int
tes_rsa_oaep_encrypt(const struct tes_rsa_pub *k, const uint8_t *in, size_t n, uint8_t out[TES_RSA_LEN]);

/*
 * Decrypt an OAEP ciphertext that must hold exactly 32 bytes (the
 * pre-master secret). On any failure out is still filled, with random
 * bytes (implicit rejection), and TES_ERR_DECRYPT is returned; a caller
 * that goes on with out fails later at the Finished check.
 */
int
tes_rsa_oaep_decrypt(const struct tes_rsa_priv *k, const uint8_t in[TES_RSA_LEN], uint8_t out[TES_PMS_LEN]);

/*
 * PKCS#1 v1.5 signature of a SHA-256 hash (DigestInfo with the SHA-256
 * OID). The signature is verified before it is released (fault
 * protection); TES_ERR_KEY or TES_ERR_INTERNAL, sig wiped, on failure.
 */
int
tes_rsa_sign(const struct tes_rsa_priv *k, const uint8_t hash[TES_HASH_LEN], uint8_t sig[TES_RSA_LEN]);

/* 0 if sig is a valid signature of hash under k, else TES_ERR_SIG (or TES_ERR_KEY). */
int
tes_rsa_verify(const struct tes_rsa_pub *k, const uint8_t hash[TES_HASH_LEN], const uint8_t sig[TES_RSA_LEN]);

#endif
