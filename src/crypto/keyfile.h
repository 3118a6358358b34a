/* SPDX-License-Identifier: ISC */
/*
 * RSA key files: PEM private keys ("RSA PRIVATE KEY", PKCS#1, readable by
 * OpenSSL; unencrypted PKCS#8 "PRIVATE KEY" is read too) and OpenSSH public
 * keys, one "ssh-rsa <base64> [comment]" line. Loading a private key draws
 * from crypto/rng.h (the pair check).
 */
#ifndef TES_CRYPTO_KEYFILE_H
#define TES_CRYPTO_KEYFILE_H

#include <stddef.h>

#include "crypto/rsa.h"

enum {
	TES_KEYFILE_COMMENT_MAX = 200,  /* public key comment, printable ASCII */
	TES_KEYFILE_SSH_LINE_MAX = 640, /* "ssh-rsa " + base64 + " " + comment + "\n" + NUL */
	TES_KEYFILE_MAX = 16384         /* larger key files are refused */
};

/*
 * Write k as a PEM "RSA PRIVATE KEY" (PKCS#1) to a new file, mode 0600.
 * TES_ERR_EXISTS if path exists (never overwrites, never follows a
 * symlink), TES_ERR_IO on any write error (the partial file is removed).
 * TES_ERR_KEY if BearSSL cannot recompute the private exponent (it only
 * promises to for primes that are 3 mod 4, which tes_rsa_generate() keys
 * always have; keys made by other tools have worked in practice).
 */
int
tes_keyfile_save_private(const struct tes_rsa_priv *k, const char *path);

/*
 * 0 if path is a regular file that neither group nor others can access.
 * TES_ERR_ARG if its mode & 077 != 0 (tell the user "key file permissions
 * too open (chmod 600)"), TES_ERR_NOTFOUND if missing, TES_ERR_IO else.
 */
int
tes_keyfile_check_mode(const char *path);

/*
 * Read a PEM private key: "RSA PRIVATE KEY" (PKCS#1) or unencrypted
 * "PRIVATE KEY" (PKCS#8), exactly one PEM object, at most TES_KEYFILE_MAX
 * bytes. Applies the tes_keyfile_check_mode() rules (checked on the
 * opened file). The public half is recomputed and the pair is checked with
 * a private/public round trip. TES_ERR_FORMAT for a bad encoding,
 * TES_ERR_KEY for a non-RSA or non-2048-bit or inconsistent key,
 * TES_ERR_TOOLONG for an oversize file. k is wiped on failure.
 */
int
tes_keyfile_load_private(struct tes_rsa_priv *k, const char *path);

/*
 * OpenSSH public key line "ssh-rsa <base64> <comment>\n" into out (cap
 * bytes, NUL-terminated). comment may be NULL or empty (then omitted),
 * otherwise up to TES_KEYFILE_COMMENT_MAX printable ASCII characters
 * (TES_ERR_ARG). TES_ERR_SPACE if cap is short; TES_KEYFILE_SSH_LINE_MAX
 * always fits.
 */
int
tes_keyfile_ssh_line(const struct tes_rsa_pub *k, const char *comment, char *out, size_t cap);

/*
 * Strict parse of one OpenSSH "ssh-rsa" line (n bytes, one trailing "\n"
 * or "\r\n" allowed, comment optional): canonical base64 and mpints, no
 * trailing data, then tes_rsa_pub_check(). TES_ERR_FORMAT or TES_ERR_KEY;
 * k is only written on success.
 */
int
tes_keyfile_ssh_parse(struct tes_rsa_pub *k, const char *line, size_t n);

/* Write the OpenSSH line to a new file, mode 0644 (same errors as save_private). */
int
tes_keyfile_save_public(const struct tes_rsa_pub *k, const char *path, const char *comment);

/* Read a file holding exactly one OpenSSH "ssh-rsa" line. */
int
tes_keyfile_load_public(struct tes_rsa_pub *k, const char *path);

#endif
