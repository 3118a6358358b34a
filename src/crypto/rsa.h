/* SPDX-License-Identifier: ISC */
/*
 * RSA-2048 keys: generation, PEM private key files (PKCS#1, readable by
 * OpenSSL), OpenSSH-format public keys and their SHA256 fingerprints (the
 * same text `ssh-keygen -lf` prints), RSA-OAEP key transport and PKCS#1 v1.5
 * signatures, all with SHA-256. Keys are plain fixed-size structs without
 * pointers: copy them freely, wipe private ones with TES_WIPE_CTX().
 *
 * Every function using randomness (generate, OAEP encrypt and decrypt,
 * load) draws from crypto/rng.h.
 */
#ifndef TES_CRYPTO_RSA_H
#define TES_CRYPTO_RSA_H

#include <stddef.h>
#include <stdint.h>

#include "wire/limits.h"

enum {
	TES_FP_STRLEN = 51,            /* "SHA256:" + 43 base64 characters + NUL */
	TES_RSA_HALF = TES_RSA_LEN / 2,
	TES_RSA_OAEP_MAX = TES_RSA_LEN - 2 * 32 - 2,  /* largest OAEP plaintext: 190 */
	TES_RSA_COMMENT_MAX = 200,     /* public key comment, printable ASCII */
	TES_RSA_SSH_BLOB_MAX = 4 + 7 + 4 + 5 + 4 + 1 + TES_RSA_LEN,
	TES_RSA_SSH_LINE_MAX = 640,    /* "ssh-rsa " + base64 + " " + comment + "\n" + NUL */
	TES_RSA_FILE_MAX = 16384       /* larger key files are refused */
};

/* Public key: n exactly 256 bytes big-endian (top bit set), e minimal. */
struct tes_rsa_pub {
	uint8_t n[TES_RSA_LEN];
	uint8_t e[TES_RSA_E_MAX];      /* big-endian, no leading zero */
	uint8_t elen;                  /* 1 .. 4 */
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
 * Write k as a PEM "RSA PRIVATE KEY" (PKCS#1) to a new file, mode 0600.
 * TES_ERR_EXISTS if path exists (never overwrites, never follows a
 * symlink), TES_ERR_IO on any write error (the partial file is removed).
 * TES_ERR_KEY if BearSSL cannot recompute the private exponent (it only
 * promises to for primes that are 3 mod 4, which tes_rsa_generate() keys
 * always have; keys made by other tools have worked in practice).
 */
int
tes_rsa_save_private(const struct tes_rsa_priv *k, const char *path);

/*
 * 0 if path is a regular file that neither group nor others can access.
 * TES_ERR_ARG if its mode & 077 != 0 (tell the user "key file permissions
 * too open (chmod 600)"), TES_ERR_NOTFOUND if missing, TES_ERR_IO else.
 */
int
tes_rsa_check_file_mode(const char *path);

/*
 * Read a PEM private key: "RSA PRIVATE KEY" (PKCS#1) or unencrypted
 * "PRIVATE KEY" (PKCS#8), exactly one PEM object, at most TES_RSA_FILE_MAX
 * bytes. Applies the tes_rsa_check_file_mode() rules (checked on the
 * opened file). The public half is recomputed and the pair is checked with
 * a private/public round trip. TES_ERR_FORMAT for a bad encoding,
 * TES_ERR_KEY for a non-RSA or non-2048-bit or inconsistent key,
 * TES_ERR_TOOLONG for an oversize file. k is wiped on failure.
 */
int
tes_rsa_load_private(struct tes_rsa_priv *k, const char *path);

/*
 * OpenSSH public key line "ssh-rsa <base64> <comment>\n" into out (cap
 * bytes, NUL-terminated). comment may be NULL or empty (then omitted),
 * otherwise up to TES_RSA_COMMENT_MAX printable ASCII characters
 * (TES_ERR_ARG). TES_ERR_SPACE if cap is short; TES_RSA_SSH_LINE_MAX
 * always fits.
 */
int
tes_rsa_pub_to_ssh(const struct tes_rsa_pub *k, const char *comment, char *out, size_t cap);

/*
 * Strict parse of one OpenSSH "ssh-rsa" line (n bytes, one trailing "\n"
 * or "\r\n" allowed, comment optional): canonical base64 and mpints, no
 * trailing data, then tes_rsa_pub_check(). TES_ERR_FORMAT or TES_ERR_KEY;
 * k is only written on success.
 */
int
tes_rsa_pub_from_ssh(struct tes_rsa_pub *k, const char *line, size_t n);

/* Write the OpenSSH line to a new file, mode 0644 (same errors as save_private). */
int
tes_rsa_save_public(const struct tes_rsa_pub *k, const char *path, const char *comment);

/* Read a file holding exactly one OpenSSH "ssh-rsa" line. */
int
tes_rsa_load_public(struct tes_rsa_pub *k, const char *path);

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
tes_rsa_oaep_encrypt(const struct tes_rsa_pub *k, const uint8_t *in, size_t n,
		     uint8_t out[TES_RSA_LEN]);

/*
 * Decrypt an OAEP ciphertext that must hold exactly 32 bytes (the
 * pre-master secret). On any failure out is still filled, with random
 * bytes (implicit rejection), and TES_ERR_DECRYPT is returned; a caller
 * that goes on with out fails later at the Finished check.
 */
int
tes_rsa_oaep_decrypt(const struct tes_rsa_priv *k, const uint8_t in[TES_RSA_LEN],
		     uint8_t out[TES_PMS_LEN]);

/*
 * PKCS#1 v1.5 signature of a SHA-256 hash (DigestInfo with the SHA-256
 * OID). The signature is verified before it is released (fault
 * protection); TES_ERR_KEY or TES_ERR_INTERNAL, sig wiped, on failure.
 */
int
tes_rsa_sign(const struct tes_rsa_priv *k, const uint8_t hash[TES_HASH_LEN],
	     uint8_t sig[TES_RSA_LEN]);

/* 0 if sig is a valid signature of hash under k, else TES_ERR_SIG (or TES_ERR_KEY). */
int
tes_rsa_verify(const struct tes_rsa_pub *k, const uint8_t hash[TES_HASH_LEN],
	       const uint8_t sig[TES_RSA_LEN]);

#endif
