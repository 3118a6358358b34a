/* SPDX-License-Identifier: ISC */
/*
 * Unit tests of the crypto module: known-answer vectors (FIPS 180, RFC
 * 4231, RFC 5869, RFC 7748), interoperability with openssl and ssh-keygen
 * (skipped when absent), and the negative cases of every parser and check.
 * TAP output; the closing line comes from tap_done().
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <bearssl.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/hex.h"
#include "common/wipe.h"
#include "crypto/hkdf.h"
#include "crypto/hmac.h"
#include "crypto/keyfile.h"
#include "crypto/keysched.h"
#include "crypto/passwd.h"
#include "crypto/record.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "crypto/sha256.h"
#include "crypto/x25519.h"
#include "wire/frame.h"

#include "../tap.h"
#include "../util.h"

/* NB: the TAP macros evaluate their arguments twice: never pass a call. */

static int have_openssl, have_ssh_keygen;

/* A file the test needs, or the run ends (status 2). */
static void
write_file(const char *path, const void *data, size_t n)
{
	if (util_file_write(path, data, n, 0600) != 0) {
		fprintf(stderr, "cannot write %s\n", path);
		exit(2);
	}
}

/* ---- hashes ---- */

static void
test_hash(void)
{
	uint8_t h[32], want[32], key[22], salt[13], info[10], okm[42], okmw[42];
	struct tes_hmac hm;

	tes_sha256("abc", 3, h);
	util_unhex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad", want);
	EQ_MEM(h, want, 32, "SHA-256(\"abc\")");
	tes_sha256("", 0, h);
	util_unhex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855", want);
	EQ_MEM(h, want, 32, "SHA-256(\"\")");

	memset(key, 0x0b, 20);
	tes_hmac_sha256(key, 20, "Hi There", 8, h);
	util_unhex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7", want);
	EQ_MEM(h, want, 32, "HMAC-SHA256 RFC 4231 case 1");
	tes_hmac_sha256((const uint8_t *)"Jefe", 4, "what do ya want for nothing?", 28, h);
	util_unhex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843", want);
	EQ_MEM(h, want, 32, "HMAC-SHA256 RFC 4231 case 2");
	tes_hmac_init(&hm, (const uint8_t *)"Jefe", 4);
	tes_hmac_update(&hm, "what do ya ", 11);
	tes_hmac_update(&hm, "", 0);
	tes_hmac_update(&hm, "want for nothing?", 17);
	tes_hmac_out(&hm, h);
	EQ_MEM(h, want, 32, "multi-part HMAC-SHA256 equals one-shot");
	{
		struct tes_hmac_key k;
		int i, ok = 1;

		tes_hmac_key_init(&k, (const uint8_t *)"Jefe", 4);
		for (i = 0; i < 2; i++) { /* the ready key is reusable */
			tes_hmac_init_ready(&hm, &k);
			tes_hmac_update(&hm, "what do ya want ", 16);
			tes_hmac_update(&hm, "for nothing?", 12);
			tes_hmac_out(&hm, h);
			ok &= memcmp(h, want, 32) == 0;
		}
		OK(ok, "HMAC-SHA256 under a ready key equals one-shot, twice");
		tes_hmac_key_init(&k, (const uint8_t *)"Jeff", 4);
		tes_hmac_init_ready(&hm, &k);
		tes_hmac_update(&hm, "what do ya want for nothing?", 28);
		tes_hmac_out(&hm, h);
		OK(memcmp(h, want, 32) != 0, "HMAC-SHA256 under another ready key differs");
		TES_WIPE_CTX(&k);
	}
	tes_hmac_sha256((const uint8_t *)"Jefe", 4, "what do ya want for nothing!", 28, h);
	OK(memcmp(h, want, 32) != 0, "HMAC differs for a different message");

	memset(key, 0x0b, 22);
	util_unhex("000102030405060708090a0b0c", salt);
	util_unhex("f0f1f2f3f4f5f6f7f8f9", info);
	tes_hkdf_sha256(salt, 13, key, 22, info, 10, okm, 42);
	util_unhex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865",
		   okmw);
	EQ_MEM(okm, okmw, 42, "HKDF-SHA256 RFC 5869 case 1");
	tes_hkdf_sha256(NULL, 0, key, 22, NULL, 0, okm, 42);
	util_unhex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b61a96c8",
		   okmw);
	EQ_MEM(okm, okmw, 42, "HKDF-SHA256 RFC 5869 case 3 (empty salt and info)");
}

/* ---- RNG ---- */

static void
test_rng_fork(void)
{
	uint8_t a[32], b[32], c[32];
	int fds[2], st = 0;
	pid_t pid;
	ssize_t got = 0;

	tes_rng_bytes(a, sizeof(a));
	tes_rng_bytes(b, sizeof(b));
	OK(memcmp(a, b, 32) != 0, "rng produces distinct outputs");
	if (pipe(fds) != 0)
		return;
	fflush(stdout);
	if ((pid = fork()) == 0) {
		tes_rng_bytes(c, sizeof(c));
		_exit(write(fds[1], c, sizeof(c)) == (ssize_t)sizeof(c) ? 0 : 1);
	}
	close(fds[1]);
	tes_rng_bytes(a, sizeof(a));
	if (pid > 0) {
		got = read(fds[0], c, sizeof(c));
		waitpid(pid, &st, 0);
	}
	close(fds[0]);
	OK(pid > 0 && got == 32 && memcmp(a, c, 32) != 0,
	   "forked child does not replay the parent's random stream");
	st = tes_rng_init();
	EQ_INT(st, 0, "tes_rng_init reseeds");
}

/* ---- RSA ---- */

static struct tes_rsa_priv k1, k2;

static void
test_rsa_pub_check(void)
{
	struct tes_rsa_pub p;
	int r;

	p = k1.pub;
	r = tes_rsa_pub_check(&p);
	EQ_INT(r, 0, "pub_check accepts a generated key");
	p.n[0] = 0x7f;
	r = tes_rsa_pub_check(&p);
	EQ_INT(r, TES_ERR_KEY, "pub_check rejects a 2047-bit modulus");
	memset(p.n, 0, 128);
	r = tes_rsa_pub_check(&p);
	EQ_INT(r, TES_ERR_KEY, "pub_check rejects a 1024-bit modulus");
	p = k1.pub;
	p.n[255] &= 0xfe;
	r = tes_rsa_pub_check(&p);
	EQ_INT(r, TES_ERR_KEY, "pub_check rejects an even modulus");
	p = k1.pub;
	p.e[0] = 1;
	p.e[1] = 0;
	p.e[2] = 0;
	p.elen = 3;
	r = tes_rsa_pub_check(&p);
	EQ_INT(r, TES_ERR_KEY, "pub_check rejects an even exponent (65536)");
	p.e[0] = 1;
	p.elen = 1;
	r = tes_rsa_pub_check(&p);
	EQ_INT(r, TES_ERR_KEY, "pub_check rejects e = 1");
	p.e[0] = 3;
	r = tes_rsa_pub_check(&p);
	EQ_INT(r, 0, "pub_check accepts e = 3");
	p.elen = 0;
	r = tes_rsa_pub_check(&p);
	EQ_INT(r, TES_ERR_KEY, "pub_check rejects an empty exponent");
	p.elen = 5;
	r = tes_rsa_pub_check(&p);
	EQ_INT(r, TES_ERR_KEY, "pub_check rejects a 5-byte exponent");
	p = k1.pub;
	p.e[0] = 0;
	p.e[1] = 1;
	p.e[2] = 1;
	p.elen = 3;
	r = tes_rsa_pub_check(&p);
	EQ_INT(r, TES_ERR_KEY, "pub_check rejects a leading zero in e");
}

static void
test_rsa_private_file(void)
{
	struct tes_rsa_priv l;
	struct stat st;
	const char *f = util_scratch_path("k1.pem");
	char junk[20000];
	uint8_t *pem;
	size_t len;
	int r, mode;

	r = tes_keyfile_save_private(&k1, f);
	EQ_INT(r, 0, "save_private");
	r = tes_keyfile_save_private(&k1, f);
	EQ_INT(r, TES_ERR_EXISTS, "save_private refuses to overwrite");
	mode = stat(f, &st) == 0 ? (int)(st.st_mode & 0777) : -1;
	OK(mode >= 0 && (mode & 077) == 0 && (mode & 0600) == 0600, "private key file mode 0600");
	r = tes_keyfile_check_mode(f);
	EQ_INT(r, 0, "check_file_mode accepts 0600");
	r = tes_keyfile_load_private(&l, f);
	EQ_INT(r, 0, "load_private");
	OK(memcmp(l.pub.n, k1.pub.n, 256) == 0 && l.pub.elen == k1.pub.elen &&
		   memcmp(l.pub.e, k1.pub.e, k1.pub.elen) == 0,
	   "reload gives the same public key");
	OK(l.plen == k1.plen && memcmp(l.p, k1.p, l.plen) == 0 && l.iqlen == k1.iqlen &&
		   memcmp(l.iq, k1.iq, l.iqlen) == 0,
	   "reload gives the same private elements");
	if (have_openssl) {
		r = util_sh("openssl rsa -in %s -check -noout >/dev/null 2>&1", f, NULL, NULL);
		EQ_INT(r, 0, "openssl rsa -check reads the PEM");
	} else {
		OK(1, "# skip openssl not found");
	}

	chmod(f, 0640);
	r = tes_keyfile_check_mode(f);
	EQ_INT(r, TES_ERR_ARG, "check_file_mode rejects 0640");
	r = tes_keyfile_load_private(&l, f);
	EQ_INT(r, TES_ERR_ARG, "load_private rejects a group-readable key (MUST-D2)");
	chmod(f, 0604);
	r = tes_keyfile_load_private(&l, f);
	EQ_INT(r, TES_ERR_ARG, "load_private rejects a world-readable key (MUST-D2)");
	chmod(f, 0600);
	r = tes_keyfile_check_mode(util_scratch_path("missing.pem"));
	EQ_INT(r, TES_ERR_NOTFOUND, "check_file_mode on a missing file");
	r = tes_keyfile_load_private(&l, util_scratch_path("missing.pem"));
	EQ_INT(r, TES_ERR_NOTFOUND, "load_private on a missing file");
	r = tes_keyfile_check_mode(util_scratch());
	EQ_INT(r, TES_ERR_IO, "check_file_mode rejects a directory");

	write_file(util_scratch_path("junk.pem"), "hello\n", 6);
	r = tes_keyfile_load_private(&l, util_scratch_path("junk.pem"));
	EQ_INT(r, TES_ERR_FORMAT, "load_private rejects a non-PEM file");
	write_file(util_scratch_path("cert.pem"),
		   "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", 58);
	r = tes_keyfile_load_private(&l, util_scratch_path("cert.pem"));
	EQ_INT(r, TES_ERR_FORMAT, "load_private rejects another PEM object");
	pem = util_file_read(f, &len);
	write_file(util_scratch_path("trunc.pem"), pem, len / 2);
	free(pem);
	r = tes_keyfile_load_private(&l, util_scratch_path("trunc.pem"));
	EQ_INT(r, TES_ERR_FORMAT, "load_private rejects a truncated PEM");
	memset(junk, 'A', sizeof(junk));
	write_file(util_scratch_path("big.pem"), junk, TES_KEYFILE_MAX + 1);
	r = tes_keyfile_load_private(&l, util_scratch_path("big.pem"));
	EQ_INT(r, TES_ERR_TOOLONG, "load_private refuses a file over 16 KiB");
}

static void
test_rsa_openssl_keys(void)
{
	struct tes_rsa_priv l;
	char line[1024], hex[600];
	uint8_t h[32], sig[256];
	const char *f;
	int i, r, bad = 0;

	if (!have_openssl) {
		OK(1, "# skip openssl not found");
		return;
	}
	/* several keys: most have primes that are not 3 mod 4 */
	for (i = 0; i < 4; i++) {
		f = util_scratch_path(i % 2 ? "o.pem" : "o8.pem");
		unlink(f);
		if (i % 2)
			r = util_sh("openssl genrsa -traditional -out %s 2048 2>/dev/null", f, NULL, NULL);
		else
			r = util_sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out %s "
				    "2>/dev/null",
				    f, NULL, NULL);
		chmod(f, 0600);
		bad |= r != 0;
		r = tes_keyfile_load_private(&l, f);
		bad |= r != 0;
		snprintf(hex, sizeof(hex), "openssl rsa -in %s -noout -modulus", f);
		bad |= util_sh_line(hex, line, sizeof(line)) != 0;
		tes_hex_encode(l.pub.n, 256, hex);
		bad |= strncmp(line, "Modulus=", 8) != 0 || strcasecmp(line + 8, hex) != 0;
		bad |= l.pub.elen != 3 || memcmp(l.pub.e, "\x01\x00\x01", 3) != 0;
		tes_sha256("x", 1, h);
		r = tes_rsa_sign(&l, h, sig);
		bad |= r != 0;
		r = tes_rsa_verify(&l.pub, h, sig);
		bad |= r != 0;
	}
	OK(!bad, "load openssl PKCS#1 and PKCS#8 keys; modulus matches openssl; sign works");
	f = util_scratch_path("small.pem");
	r = util_sh("openssl genrsa -traditional -out %s 1024 2>/dev/null", f, NULL, NULL);
	chmod(f, 0600);
	r = r == 0 ? tes_keyfile_load_private(&l, f) : -999;
	EQ_INT(r, TES_ERR_KEY, "load_private rejects RSA-1024");
	f = util_scratch_path("ec.pem");
	r = util_sh("openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out %s 2>/dev/null", f,
		    NULL, NULL);
	chmod(f, 0600);
	r = r == 0 ? tes_keyfile_load_private(&l, f) : -999;
	EQ_INT(r, TES_ERR_KEY, "load_private rejects a PKCS#8 EC key");
	f = util_scratch_path("enc.pem");
	r = util_sh("openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -aes256 -pass pass:x "
		    "-out %s 2>/dev/null",
		    f, NULL, NULL);
	chmod(f, 0600);
	r = r == 0 ? tes_keyfile_load_private(&l, f) : -999;
	EQ_INT(r, TES_ERR_FORMAT, "load_private rejects an encrypted key");
}

/* Build "ssh-rsa <b64(blob)>" for hand-made blobs. */
static void
ssh_line_of(const uint8_t *blob, size_t n, char *out, size_t cap)
{
	memcpy(out, "ssh-rsa ", 8);
	if (tes_b64_encode(blob, n, out + 8, cap - 8, 1) != 0)
		out[8] = '\0';
}

static void
test_rsa_ssh_reject(const char *good)
{
	struct tes_rsa_pub p;
	uint8_t blob[600];
	char line[1000];
	size_t blen = 0, gl = strlen(good), sp;
	int r;

	sp = (size_t)(strchr(good + 8, ' ') - good);
	r = tes_b64_decode(good + 8, sp - 8, blob, sizeof(blob), &blen);
	OK(r == 0 && blen == 4 + 7 + 4 + 3 + 4 + 257, "ssh blob has the expected layout");

	memcpy(line, good, gl + 1);
	memcpy(line, "ssh-dss", 7);
	r = tes_keyfile_ssh_parse(&p, line, gl);
	EQ_INT(r, TES_ERR_FORMAT, "pub_from_ssh rejects another key type");
	r = tes_keyfile_ssh_parse(&p, "ssh-rsa ", 8);
	EQ_INT(r, TES_ERR_FORMAT, "pub_from_ssh rejects an empty key");
	memcpy(line, good, gl + 1);
	line[20] = '*';
	r = tes_keyfile_ssh_parse(&p, line, gl);
	EQ_INT(r, TES_ERR_FORMAT, "pub_from_ssh rejects a bad base64 character");
	memcpy(line, good, gl + 1);
	line[gl - 3] = '\t';
	r = tes_keyfile_ssh_parse(&p, line, gl);
	EQ_INT(r, TES_ERR_FORMAT, "pub_from_ssh rejects a control character");
	memcpy(line, good, gl);
	memcpy(line + gl, good, gl);
	r = tes_keyfile_ssh_parse(&p, line, 2 * gl);
	EQ_INT(r, TES_ERR_FORMAT, "pub_from_ssh rejects two lines");

	blob[blen] = 0;
	ssh_line_of(blob, blen + 1, line, sizeof(line));
	r = tes_keyfile_ssh_parse(&p, line, strlen(line));
	EQ_INT(r, TES_ERR_FORMAT, "pub_from_ssh rejects trailing blob bytes");
	ssh_line_of(blob, blen - 1, line, sizeof(line));
	r = tes_keyfile_ssh_parse(&p, line, strlen(line));
	EQ_INT(r, TES_ERR_FORMAT, "pub_from_ssh rejects a truncated blob");
	blob[3] = 8;
	ssh_line_of(blob, blen, line, sizeof(line));
	r = tes_keyfile_ssh_parse(&p, line, strlen(line));
	EQ_INT(r, TES_ERR_FORMAT, "pub_from_ssh rejects a bad type length");
	blob[3] = 7;
	blob[15] = 0x81; /* e = 0x810001: negative mpint */
	ssh_line_of(blob, blen, line, sizeof(line));
	r = tes_keyfile_ssh_parse(&p, line, strlen(line));
	EQ_INT(r, TES_ERR_FORMAT, "pub_from_ssh rejects a negative mpint");
	blob[15] = 0x00; /* e = 0x000001: needless leading zero */
	ssh_line_of(blob, blen, line, sizeof(line));
	r = tes_keyfile_ssh_parse(&p, line, strlen(line));
	EQ_INT(r, TES_ERR_FORMAT, "pub_from_ssh rejects a non-canonical mpint");
	blob[15] = 0x01;
	blob[17] = 0x02; /* e = 65538: even */
	ssh_line_of(blob, blen, line, sizeof(line));
	r = tes_keyfile_ssh_parse(&p, line, strlen(line));
	EQ_INT(r, TES_ERR_KEY, "pub_from_ssh rejects an even exponent");
	blob[17] = 0x01;
	blob[blen - 1] &= 0xfe; /* even modulus */
	ssh_line_of(blob, blen, line, sizeof(line));
	r = tes_keyfile_ssh_parse(&p, line, strlen(line));
	EQ_INT(r, TES_ERR_KEY, "pub_from_ssh rejects an even modulus");
	blob[blen - 1] |= 1;
	/* 1024-bit modulus: mpint length 129, 0x00 then 128 bytes */
	blob[20] = 0;
	blob[21] = 129;
	ssh_line_of(blob, 22 + 129, line, sizeof(line));
	r = tes_keyfile_ssh_parse(&p, line, strlen(line));
	EQ_INT(r, TES_ERR_KEY, "pub_from_ssh rejects a 1024-bit modulus");
}

/* The base64 field of an ssh line; its length goes to *n. */
static const char *
good_b64(const char *line, int *n)
{
	*n = (int)strcspn(line + 8, " \n");
	return line + 8;
}

static void
test_rsa_ssh(void)
{
	struct tes_rsa_priv sk;
	struct tes_rsa_pub p;
	char line[TES_KEYFILE_SSH_LINE_MAX], line2[TES_KEYFILE_SSH_LINE_MAX], fp[TES_FP_STRLEN];
	char out[512], kfp[128], cmt[TES_KEYFILE_COMMENT_MAX + 2];
	uint8_t id[TES_KEYID_LEN], h[32], blob[400];
	const char *f = util_scratch_path("k1.pub"), *b64;
	size_t blen = 0;
	int r, bits = 0;

	r = tes_keyfile_ssh_line(&k1.pub, "unit7@tes", line, sizeof(line));
	OK(r == 0 && strncmp(line, "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABAQ", 38) == 0 &&
		   strcmp(line + strlen(line) - 11, " unit7@tes\n") == 0,
	   "pub_to_ssh line shape");
	memset(&p, 0, sizeof(p));
	r = tes_keyfile_ssh_parse(&p, line, strlen(line));
	OK(r == 0 && memcmp(&p, &k1.pub, sizeof(p)) == 0, "ssh public key round trip");
	r = tes_keyfile_ssh_line(&k1.pub, NULL, line2, sizeof(line2));
	OK(r == 0 && line2[strlen(line2) - 2] != ' ', "pub_to_ssh without comment");
	memset(&p, 0, sizeof(p));
	r = tes_keyfile_ssh_parse(&p, line2, strlen(line2) - 1);
	OK(r == 0 && memcmp(&p, &k1.pub, sizeof(p)) == 0, "pub_from_ssh without newline");
	strcpy(line2 + strlen(line2) - 1, "\r\n");
	r = tes_keyfile_ssh_parse(&p, line2, strlen(line2));
	EQ_INT(r, 0, "pub_from_ssh accepts CRLF");
	r = tes_keyfile_ssh_line(&k1.pub, "bad\ncomment", line2, sizeof(line2));
	EQ_INT(r, TES_ERR_ARG, "pub_to_ssh rejects a newline in the comment");
	memset(cmt, 'c', sizeof(cmt) - 1);
	cmt[sizeof(cmt) - 1] = '\0';
	r = tes_keyfile_ssh_line(&k1.pub, cmt, line2, sizeof(line2));
	EQ_INT(r, TES_ERR_ARG, "pub_to_ssh rejects an overlong comment");
	cmt[TES_KEYFILE_COMMENT_MAX] = '\0';
	r = tes_keyfile_ssh_line(&k1.pub, cmt, line2, sizeof(line2));
	EQ_INT(r, 0, "TES_KEYFILE_SSH_LINE_MAX fits the longest comment");
	r = tes_keyfile_ssh_line(&k1.pub, "unit7@tes", line2, strlen(line));
	EQ_INT(r, TES_ERR_SPACE, "pub_to_ssh refuses a short buffer");
	test_rsa_ssh_reject(line);

	r = tes_keyfile_save_public(&k1.pub, f, "unit7@tes");
	EQ_INT(r, 0, "save_public");
	r = tes_keyfile_save_public(&k1.pub, f, "unit7@tes");
	EQ_INT(r, TES_ERR_EXISTS, "save_public refuses to overwrite");
	memset(&p, 0, sizeof(p));
	r = tes_keyfile_load_public(&p, f);
	OK(r == 0 && memcmp(&p, &k1.pub, sizeof(p)) == 0, "load_public");
	tes_rsa_fingerprint(&k1.pub, fp);
	OK(strlen(fp) == TES_FP_STRLEN - 1 && strncmp(fp, "SHA256:", 7) == 0, "fingerprint shape");
	tes_rsa_keyid(&k1.pub, id);
	r = tes_b64_encode(id, sizeof(id), kfp, sizeof(kfp), 0);
	OK(r == 0 && strcmp(kfp, fp + 7) == 0, "key id is the binary fingerprint");
	b64 = good_b64(line, &bits);
	r = tes_b64_decode(b64, (size_t)bits, blob, sizeof(blob), &blen);
	tes_sha256(blob, blen, h);
	OK(r == 0 && memcmp(h, id, 32) == 0, "key id is SHA-256 of the ssh blob");
	if (!have_ssh_keygen) {
		OK(1, "# skip ssh-keygen not found");
		OK(1, "# skip ssh-keygen not found");
		return;
	}
	snprintf(out, sizeof(out), "ssh-keygen -lf %s", f);
	r = util_sh_line(out, out, sizeof(out));
	OK(r == 0 && sscanf(out, "%d %127s", &bits, kfp) == 2 && bits == 2048 && strcmp(kfp, fp) == 0,
	   "fingerprint equals ssh-keygen -lf (%s)", fp);
	/* the other way: a key made by ssh-keygen */
	r = util_sh("ssh-keygen -q -t rsa -b 2048 -m PEM -N '' -C sk@test -f %s >/dev/null 2>&1",
		    util_scratch_path("sk"), NULL, NULL);
	r = r == 0 ? tes_keyfile_load_public(&p, util_scratch_path("sk.pub")) : -999;
	snprintf(out, sizeof(out), "ssh-keygen -lf %s", util_scratch_path("sk.pub"));
	tes_rsa_fingerprint(&p, fp);
	r = r == 0 ? util_sh_line(out, out, sizeof(out)) : r;
	OK(r == 0 && sscanf(out, "%d %127s", &bits, kfp) == 2 && strcmp(kfp, fp) == 0,
	   "ssh-keygen public key loads with the same fingerprint");
	r = tes_keyfile_load_private(&sk, util_scratch_path("sk"));
	OK(r == 0 && memcmp(sk.pub.n, p.n, 256) == 0, "ssh-keygen PEM private key loads");
	TES_WIPE_CTX(&sk);
}

static void
test_rsa_oaep(void)
{
	uint8_t pms[32], ct[256], ct2[256], out[32], out2[32], big[200];
	struct tes_rsa_pub bad;
	int r;

	tes_rng_bytes(pms, sizeof(pms));
	r = tes_rsa_oaep_encrypt(&k1.pub, pms, 32, ct);
	EQ_INT(r, 0, "OAEP encrypt");
	r = tes_rsa_oaep_encrypt(&k1.pub, pms, 32, ct2);
	OK(r == 0 && memcmp(ct, ct2, 256) != 0, "OAEP encryption is randomised");
	r = tes_rsa_oaep_decrypt(&k1, ct, out);
	OK(r == 0 && memcmp(out, pms, 32) == 0, "OAEP round trip");
	ct[100] ^= 0x04;
	memset(out, 0, sizeof(out));
	r = tes_rsa_oaep_decrypt(&k1, ct, out);
	memset(out2, 0, sizeof(out2));
	EQ_INT(r, TES_ERR_DECRYPT, "OAEP decrypt of a flipped bit fails");
	OK(memcmp(out, pms, 32) != 0 && memcmp(out, out2, 32) != 0,
	   "failed OAEP decrypt still fills out (random) (MUST-H5)");
	r = tes_rsa_oaep_decrypt(&k1, ct, out2);
	OK(r == TES_ERR_DECRYPT && memcmp(out, out2, 32) != 0,
	   "implicit rejection is random each time (MUST-H5)");
	ct[100] ^= 0x04;
	r = tes_rsa_oaep_decrypt(&k2, ct, out);
	EQ_INT(r, TES_ERR_DECRYPT, "OAEP decrypt with another key fails");
	memset(ct, 0xff, sizeof(ct));
	r = tes_rsa_oaep_decrypt(&k1, ct, out);
	EQ_INT(r, TES_ERR_DECRYPT, "OAEP decrypt of a value above n fails");
	r = tes_rsa_oaep_encrypt(&k1.pub, pms, 31, ct);
	r = r == 0 ? tes_rsa_oaep_decrypt(&k1, ct, out) : -999;
	EQ_INT(r, TES_ERR_DECRYPT, "OAEP decrypt requires exactly 32 bytes");
	memset(big, 1, sizeof(big));
	r = tes_rsa_oaep_encrypt(&k1.pub, big, TES_RSA_OAEP_MAX, ct);
	EQ_INT(r, 0, "OAEP encrypts TES_RSA_OAEP_MAX bytes");
	r = tes_rsa_oaep_encrypt(&k1.pub, big, TES_RSA_OAEP_MAX + 1, ct);
	EQ_INT(r, TES_ERR_TOOLONG, "OAEP refuses a longer plaintext");
	bad = k1.pub;
	bad.n[255] ^= 1;
	r = tes_rsa_oaep_encrypt(&bad, pms, 32, ct);
	EQ_INT(r, TES_ERR_KEY, "OAEP refuses an invalid public key");
}

static void
test_rsa_oaep_openssl(void)
{
	uint8_t pms[32], ct[256], out[32], *got;
	size_t len = 0;
	int r;

	if (!have_openssl) {
		OK(1, "# skip openssl not found");
		return;
	}
	tes_rng_bytes(pms, sizeof(pms));
	write_file(util_scratch_path("pms"), pms, 32);
	r = util_sh("openssl rsa -in %s -pubout -out %s 2>/dev/null", util_scratch_path("k1.pem"),
		    util_scratch_path("k1.pub.pem"), NULL);
	r = r == 0 ? util_sh("openssl pkeyutl -encrypt -pubin -inkey %s -pkeyopt rsa_padding_mode:oaep "
			     "-pkeyopt rsa_oaep_md:sha256 -pkeyopt rsa_mgf1_md:sha256 -in %s -out %s",
			     util_scratch_path("k1.pub.pem"), util_scratch_path("pms"),
			     util_scratch_path("pms.ct"))
		   : r;
	got = r == 0 ? util_file_read(util_scratch_path("pms.ct"), &len) : NULL;
	r = got != NULL && len == sizeof(ct) ? 0 : -1;
	if (r == 0)
		memcpy(ct, got, sizeof(ct));
	free(got);
	r = r == 0 ? tes_rsa_oaep_decrypt(&k1, ct, out) : r;
	OK(r == 0 && memcmp(out, pms, 32) == 0, "decrypts OAEP-SHA256 made by openssl");
}

static void
test_rsa_sign(void)
{
	uint8_t h[32], sig[256], sig2[256];
	struct tes_rsa_pub bad;
	int r;

	tes_sha256("report 42", 9, h);
	r = tes_rsa_sign(&k1, h, sig);
	EQ_INT(r, 0, "sign");
	r = tes_rsa_sign(&k1, h, sig2);
	OK(r == 0 && memcmp(sig, sig2, 256) == 0, "PKCS#1 v1.5 signatures are deterministic");
	r = tes_rsa_verify(&k1.pub, h, sig);
	EQ_INT(r, 0, "verify");
	sig[77] ^= 0x10;
	r = tes_rsa_verify(&k1.pub, h, sig);
	EQ_INT(r, TES_ERR_SIG, "verify fails on a flipped signature bit");
	sig[77] ^= 0x10;
	h[31] ^= 0x01;
	r = tes_rsa_verify(&k1.pub, h, sig);
	EQ_INT(r, TES_ERR_SIG, "verify fails on a flipped hash bit");
	h[31] ^= 0x01;
	r = tes_rsa_verify(&k2.pub, h, sig);
	EQ_INT(r, TES_ERR_SIG, "verify fails with another key");
	bad = k1.pub;
	bad.e[2] ^= 1;
	r = tes_rsa_verify(&bad, h, sig);
	EQ_INT(r, TES_ERR_KEY, "verify refuses an invalid key");
	if (!have_openssl) {
		OK(1, "# skip openssl not found");
		return;
	}
	tes_sha256("report 42", 9, h);
	write_file(util_scratch_path("msg"), "report 42", 9);
	write_file(util_scratch_path("msg.sig"), sig, 256);
	r = util_sh("openssl dgst -sha256 -verify %s -signature %s %s >/dev/null 2>&1",
		    util_scratch_path("k1.pub.pem"), util_scratch_path("msg.sig"), util_scratch_path("msg"));
	EQ_INT(r, 0, "openssl verifies the signature");
}

static void
test_rsa(void)
{
	int r;

	r = tes_rsa_generate(&k1);
	EQ_INT(r, 0, "generate RSA-2048 key 1");
	r = tes_rsa_generate(&k2);
	EQ_INT(r, 0, "generate RSA-2048 key 2");
	OK(k1.pub.elen == 3 && memcmp(k1.pub.e, "\x01\x00\x01", 3) == 0 && k1.pub.n[0] >= 0x80 &&
		   memcmp(k1.pub.n, k2.pub.n, 256) != 0,
	   "generated keys: e = 65537, 2048 bits, distinct");
	test_rsa_pub_check();
	test_rsa_private_file();
	test_rsa_openssl_keys();
	test_rsa_oaep();
	test_rsa_oaep_openssl();
	test_rsa_sign();
	test_rsa_ssh();
}

/* ---- X25519 ---- */

static void
test_x25519(void)
{
	uint8_t a[32], b[32], pa[32], pb[32], sa[32], sb[32], want[32], peer[32];
	int r1, r2;

	util_unhex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a", a);
	util_unhex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f", pb);
	util_unhex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742", want);
	r1 = tes_x25519_shared(sa, a, pb);
	OK(r1 == 0 && memcmp(sa, want, 32) == 0, "X25519 RFC 7748 section 6.1 shared secret");
	util_unhex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4", a);
	util_unhex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c", peer);
	util_unhex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552", want);
	r1 = tes_x25519_shared(sa, a, peer);
	OK(r1 == 0 && memcmp(sa, want, 32) == 0, "X25519 RFC 7748 section 5.2 vector 1");

	r1 = tes_x25519_keygen(a, pa);
	r2 = tes_x25519_keygen(b, pb);
	OK(r1 == 0 && r2 == 0 && memcmp(pa, pb, 32) != 0, "X25519 keygen");
	r1 = tes_x25519_shared(sa, a, pb);
	r2 = tes_x25519_shared(sb, b, pa);
	OK(r1 == 0 && r2 == 0 && memcmp(sa, sb, 32) == 0, "X25519 both sides agree");
	memset(peer, 0, sizeof(peer));
	memset(sa, 0x55, sizeof(sa));
	r1 = tes_x25519_shared(sa, a, peer);
	OK(r1 == TES_ERR_KEY && memcmp(sa, peer, 32) == 0, "X25519 rejects the all-zero point (MUST-H8)");
	peer[0] = 1;
	r1 = tes_x25519_shared(sa, a, peer);
	EQ_INT(r1, TES_ERR_KEY, "X25519 rejects u = 1 (low order) (MUST-H8)");
	util_unhex("edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f", peer);
	r1 = tes_x25519_shared(sa, a, peer);
	EQ_INT(r1, TES_ERR_KEY, "X25519 rejects u = p (zero mod p) (MUST-H8)");
}

/* ---- record layer ---- */

static uint8_t rk_enc[24], rk_mac[32];

static void
rec_pair(uint8_t suite, struct tes_record_dir *tx, struct tes_record_dir *rx)
{
	tes_record_dir_init(tx, suite, rk_enc, rk_mac);
	tes_record_dir_init(rx, suite, rk_enc, rk_mac);
}

static int
rec_open_frame(struct tes_record_dir *rx, const uint8_t *f, size_t flen, uint8_t *out, size_t cap,
	       size_t *olen)
{
	return tes_record_open(rx, f, f + TES_FRAME_HDR_LEN, flen - TES_FRAME_HDR_LEN, out, cap, olen);
}

/* Check one frame against the spec with an independent DES implementation. */
static int
rec_spec_check(uint8_t suite, uint64_t seq, const uint8_t *f, size_t flen, const uint8_t *pt, size_t n)
{
	br_des_tab_cbcdec_keys dk;
	uint8_t mac_in[8 + 6 + 8 + 1040], tag[32], buf[1040], iv[8];
	size_t ctlen = flen - 6 - 8 - 32, i;
	uint8_t pad = (uint8_t)(8 - n % 8);

	if (ctlen != n + pad || f[2] != TES_FRAME_RECORD || f[4] * 256 + f[5] != (int)(flen - 6))
		return -1;
	for (i = 0; i < 8; i++)
		mac_in[i] = (uint8_t)(seq >> (56 - 8 * i));
	memcpy(mac_in + 8, f, flen - 32);
	tes_hmac_sha256(rk_mac, 32, mac_in, 8 + flen - 32, tag);
	if (memcmp(tag, f + flen - 32, 32) != 0)
		return -1;
	br_des_tab_cbcdec_init(&dk, rk_enc, suite == 1 ? 24 : 8);
	memcpy(iv, f + 6, 8);
	memcpy(buf, f + 14, ctlen);
	br_des_tab_cbcdec_run(&dk, iv, buf, ctlen);
	if (memcmp(buf, pt, n) != 0)
		return -1;
	for (i = n; i < ctlen; i++)
		if (buf[i] != pad)
			return -1;
	return 0;
}

static void
test_record_roundtrip(uint8_t suite)
{
	static const size_t lens[] = { 1, 7, 8, 9, 1024 };
	struct tes_record_dir tx, rx;
	uint8_t pt[1024], f[TES_RECORD_MAX_FRAME], out[1024];
	struct tes_frame_hdr h;
	const uint8_t *pl;
	size_t i, used, olen, fused;
	int r, r2;

	rec_pair(suite, &tx, &rx);
	for (i = 0; i < 5; i++) {
		tes_rng_bytes(pt, lens[i]);
		r = tes_record_seal(&tx, pt, lens[i], f, sizeof(f), &used);
		r2 = r == 0 ? tes_frame_decode(f, used, &h, &pl, &fused) : r;
		OK(r == 0 && r2 == 0 && h.type == TES_FRAME_RECORD && fused == used &&
			   used == 6 + 8 + (lens[i] / 8 + 1) * 8 + 32,
		   "suite %u: seal %zu bytes", suite, lens[i]);
		r = rec_spec_check(suite, i, f, used, pt, lens[i]);
		EQ_INT(r, 0, "suite %u: %zu-byte frame matches the spec (HMAC, des_tab, PKCS#7)", suite,
		       lens[i]);
		memset(out, 0, sizeof(out));
		r = rec_open_frame(&rx, f, used, out, sizeof(out), &olen);
		OK(r == 0 && olen == lens[i] && memcmp(out, pt, olen) == 0, "suite %u: open %zu bytes", suite,
		   lens[i]);
	}
	OK(tx.seq == 5 && rx.seq == 5, "suite %u: both sequence numbers advanced", suite);
}

static void
test_record_bitflips(void)
{
	struct tes_record_dir tx, rx, c;
	uint8_t f[128], out[64];
	size_t used, olen, i;
	int r, bit, fails = 0, sticky = 0, total = 0;

	rec_pair(1, &tx, &rx);
	r = tes_record_seal(&tx, (const uint8_t *)"123456789", 9, f, sizeof(f), &used);
	EQ_INT(used, 62, "9-byte record is a 62-byte frame");
	for (i = 0; i < used; i++) {
		for (bit = 0; bit < 8; bit += 7) {
			c = rx;
			f[i] ^= (uint8_t)(1u << bit);
			r = rec_open_frame(&c, f, used, out, sizeof(out), &olen);
			fails += r != 0;
			f[i] ^= (uint8_t)(1u << bit);
			r = rec_open_frame(&c, f, used, out, sizeof(out), &olen);
			sticky += c.failed && r == TES_ERR_STATE;
			total++;
		}
	}
	EQ_INT(fails, total, "a flipped bit anywhere (header, iv, ct, tag) fails open (MUST-C3)");
	EQ_INT(sticky, total, "after the failure the valid frame fails too (sticky) (MUST-C3)");
	c = rx;
	r = rec_open_frame(&c, f, used, out, sizeof(out), &olen);
	OK(r == 0 && olen == 9 && memcmp(out, "123456789", 9) == 0, "untouched frame opens");
}

static void
test_record_truncation(void)
{
	struct tes_record_dir tx, rx, c;
	uint8_t f[256], out[256], hdr[6];
	size_t used, olen;
	int r;

	rec_pair(1, &tx, &rx);
	r = tes_record_seal(&tx, (const uint8_t *)"0123456789abcdef", 16, f, sizeof(f), &used);
	EQ_INT(r, 0, "seal 16 bytes");
	c = rx;
	r = rec_open_frame(&c, f, used - 1, out, sizeof(out), &olen);
	EQ_INT(r, TES_ERR_MAC, "open fails on a payload one byte short (MUST-C3)");
	c = rx;
	r = rec_open_frame(&c, f, used - 8, out, sizeof(out), &olen);
	EQ_INT(r, TES_ERR_MAC, "open fails on a payload one block short");
	c = rx;
	r = tes_frame_encode_hdr(hdr, TES_FRAME_RECORD, used - 6 - 8);
	r = r == 0 ? tes_record_open(&c, hdr, f + 6, used - 6 - 8, out, sizeof(out), &olen) : r;
	EQ_INT(r, TES_ERR_MAC, "open fails on a block cut with a matching header");
	c = rx;
	r = tes_record_open(&c, f, f + 6, 40, out, sizeof(out), &olen);
	EQ_INT(r, TES_ERR_MAC, "open fails below TES_RECORD_MIN (48 bytes) (MUST-C3)");
	c = rx;
	r = tes_record_open(&c, f, f + 6, 0, out, sizeof(out), &olen);
	EQ_INT(r, TES_ERR_MAC, "open fails on an empty payload");
	c = rx;
	memset(f + used, 0, 8);
	r = tes_frame_encode_hdr(hdr, TES_FRAME_RECORD, used - 6 + 8);
	r = r == 0 ? tes_record_open(&c, hdr, f + 6, used - 6 + 8, out, sizeof(out), &olen) : r;
	EQ_INT(r, TES_ERR_MAC, "open fails on an extended payload");
	c = rx;
	r = rec_open_frame(&c, f, used, out, 15, &olen);
	OK(r == TES_ERR_SPACE && c.failed, "open with a short output buffer fails and poisons");
	c = rx;
	r = rec_open_frame(&c, f, used, out, 16, &olen);
	OK(r == 0 && olen == 16, "open with an exact output buffer");
}

static void
test_record_order(void)
{
	struct tes_record_dir tx, rx, c;
	uint8_t f1[64], f2[64], out[64];
	size_t u1, u2, olen;
	int r;

	rec_pair(2, &tx, &rx);
	r = tes_record_seal(&tx, (const uint8_t *)"first", 5, f1, sizeof(f1), &u1);
	r |= tes_record_seal(&tx, (const uint8_t *)"second", 6, f2, sizeof(f2), &u2);
	EQ_INT(r, 0, "seal two records");
	c = rx;
	r = rec_open_frame(&c, f1, u1, out, sizeof(out), &olen);
	EQ_INT(r, 0, "open record 1");
	r = rec_open_frame(&c, f1, u1, out, sizeof(out), &olen);
	EQ_INT(r, TES_ERR_MAC, "replayed record 1 fails (MUST-C2)");
	r = rec_open_frame(&c, f2, u2, out, sizeof(out), &olen);
	EQ_INT(r, TES_ERR_STATE, "record 2 after the failure fails (sticky)");
	c = rx;
	r = rec_open_frame(&c, f2, u2, out, sizeof(out), &olen);
	EQ_INT(r, TES_ERR_MAC, "reordered (or 1 dropped) record 2 before 1 fails (MUST-C2)");
	r = rec_open_frame(&c, f1, u1, out, sizeof(out), &olen);
	EQ_INT(r, TES_ERR_STATE, "record 1 after the failure fails (sticky)");
	c = rx;
	r = rec_open_frame(&c, f1, u1, out, sizeof(out), &olen);
	r = r == 0 ? rec_open_frame(&c, f2, u2, out, sizeof(out), &olen) : r;
	OK(r == 0 && olen == 6 && memcmp(out, "second", 6) == 0, "in-order records open");
}

static void
test_record_misc(void)
{
	struct tes_record_dir tx, rx, other;
	uint8_t f[TES_RECORD_MAX_FRAME + 16], out[1100], enc2[24], mac2[32];
	size_t used = 0, olen, i;
	int r, clean;

	rec_pair(1, &tx, &rx);
	r = tes_record_seal(&tx, f, 0, f, sizeof(f), &used);
	EQ_INT(r, TES_ERR_ARG, "seal refuses an empty plaintext");
	r = tes_record_seal(&tx, out, TES_RECORD_MAX_PLAIN + 1, f, sizeof(f), &used);
	EQ_INT(r, TES_ERR_ARG, "seal refuses more than TES_RECORD_MAX_PLAIN (MUST-C4)");
	memset(f, 0xee, sizeof(f));
	r = tes_record_seal(&tx, (const uint8_t *)"abc", 3, f, 53, &used);
	for (clean = 1, i = 0; i < sizeof(f); i++)
		clean &= f[i] == 0xee;
	OK(r == TES_ERR_SPACE && clean && tx.seq == 0 && !tx.failed,
	   "seal with a short buffer writes nothing");
	r = tes_record_seal(&tx, (const uint8_t *)"abc", 3, f, 54, &used);
	OK(r == 0 && used == 54 && f[54] == 0xee, "seal with an exact buffer stays within cap");
	r = rec_open_frame(&rx, f, used, out, sizeof(out), &olen);
	OK(r == 0 && olen == 3, "open it");

	memcpy(f + 14, "in place!", 9);
	r = tes_record_seal(&tx, f + 14, 9, f, sizeof(f), &used);
	r = r == 0 ? rec_open_frame(&rx, f, used, out, sizeof(out), &olen) : r;
	OK(r == 0 && olen == 9 && memcmp(out, "in place!", 9) == 0, "seal in place (plain = out + 14)");

	memcpy(mac2, rk_mac, 32);
	mac2[31] ^= 0x80;
	tes_record_dir_init(&other, 1, rk_enc, mac2);
	r = tes_record_seal(&tx, (const uint8_t *)"x", 1, f, sizeof(f), &used);
	r = r == 0 ? rec_open_frame(&other, f, used, out, sizeof(out), &olen) : r;
	EQ_INT(r, TES_ERR_MAC, "open with another MAC key fails");

	/* single DES uses only the first 8 key bytes; 3DES uses all 24 */
	memcpy(enc2, rk_enc, 24);
	enc2[20] ^= 0xff;
	tes_record_dir_init(&tx, 2, rk_enc, rk_mac);
	tes_record_dir_init(&other, 2, enc2, rk_mac);
	r = tes_record_seal(&tx, (const uint8_t *)"des key", 7, f, sizeof(f), &used);
	r = r == 0 ? rec_open_frame(&other, f, used, out, sizeof(out), &olen) : r;
	OK(r == 0 && olen == 7 && memcmp(out, "des key", 7) == 0, "DES suite ignores enc[8..23]");
	tes_record_dir_init(&tx, 1, rk_enc, rk_mac);
	tes_record_dir_init(&other, 1, enc2, rk_mac);
	r = tes_record_seal(&tx, (const uint8_t *)"3des key", 8, f, sizeof(f), &used);
	r = r == 0 ? rec_open_frame(&other, f, used, out, sizeof(out), &olen) : r;
	OK(r != 0 || memcmp(out, "3des key", 8) != 0, "3DES suite uses all 24 key bytes");

	tes_record_dir_init(&tx, 3, rk_enc, rk_mac);
	r = tes_record_seal(&tx, (const uint8_t *)"x", 1, f, sizeof(f), &used);
	EQ_INT(r, TES_ERR_STATE, "unknown suite: seal fails");
	tes_record_dir_init(&tx, 0, rk_enc, rk_mac);
	r = rec_open_frame(&tx, f, used, out, sizeof(out), &olen);
	EQ_INT(r, TES_ERR_STATE, "suite 0: open fails");
	tes_record_dir_init(&tx, 1, rk_enc, rk_mac);
	tes_record_dir_wipe(&tx);
	r = tes_record_seal(&tx, (const uint8_t *)"x", 1, f, sizeof(f), &used);
	OK(r == TES_ERR_STATE && tx.mac[0] == 0 && tx.enc[23] == 0, "wiped direction refuses to seal");
}

/* Two directions with the same keys and count seal the same plaintext: only the IV makes them differ. */
static void
test_record_iv(void)
{
	struct tes_record_dir a, b, rx;
	uint8_t f1[64], f2[64], f3[64], out[16];
	size_t u1 = 0, u2 = 0, u3 = 0, olen = 0;
	int r;

	rec_pair(1, &a, &rx);
	tes_record_dir_init(&b, 1, rk_enc, rk_mac);
	r = tes_record_seal(&a, (const uint8_t *)"same", 4, f1, sizeof(f1), &u1);
	r |= tes_record_seal(&b, (const uint8_t *)"same", 4, f2, sizeof(f2), &u2);
	r |= tes_record_seal(&a, (const uint8_t *)"same", 4, f3, sizeof(f3), &u3);
	OK(r == 0 && u1 == u2 && u1 == u3 && memcmp(f1 + 6, f2 + 6, 8) != 0 &&
		   memcmp(f1 + 6, f3 + 6, 8) != 0 && memcmp(f2 + 6, f3 + 6, 8) != 0,
	   "every record gets its own random IV (MUST-C1)");
	OK(memcmp(f1 + 14, f2 + 14, 8) != 0, "so the same plaintext under the same keys and count differs");
	r = rec_open_frame(&rx, f2, u2, out, sizeof(out), &olen);
	OK(r == 0 && olen == 4 && memcmp(out, "same", 4) == 0, "control: each opens");
}

/* A RECORD payload made here, with a valid tag for seq 0: plaintext pt (n bytes) and its padding. */
static size_t
rec_forge(const uint8_t *pt, size_t n, uint8_t *f)
{
	br_des_ct_cbcenc_keys ek;
	uint8_t iv[8], mac_in[8 + TES_RECORD_MAX_FRAME];
	size_t pad = 8 - n % 8, ctlen = n + pad, plen = 8 + ctlen + 32, i;

	if (tes_frame_encode_hdr(f, TES_FRAME_RECORD, plen) != 0)
		return 0;
	tes_rng_bytes(f + 6, 8);
	memcpy(f + 14, pt, n);
	memset(f + 14 + n, (int)pad, pad);
	memcpy(iv, f + 6, 8);
	br_des_ct_cbcenc_init(&ek, rk_enc, 24);
	br_des_ct_cbcenc_run(&ek, iv, f + 14, ctlen);
	for (i = 0; i < 8; i++)
		mac_in[i] = 0;
	memcpy(mac_in + 8, f, 6 + 8 + ctlen);
	tes_hmac_sha256(rk_mac, 32, mac_in, 8 + 6 + 8 + ctlen, f + 14 + ctlen);
	return 6 + plen;
}

/* The receiver's limit: a plaintext above 1024 bytes is refused even under a valid tag. */
static void
test_record_max(void)
{
	static uint8_t pt[TES_RECORD_MAX_PLAIN + 7], f[TES_RECORD_MAX_FRAME], out[TES_RECORD_MAX_PLAIN + 8];
	struct tes_record_dir tx, rx;
	size_t n, olen = 0;
	int r;

	memset(pt, 'p', sizeof(pt));
	rec_pair(1, &tx, &rx);
	n = rec_forge(pt, TES_RECORD_MAX_PLAIN, f);
	r = n > 0 ? rec_open_frame(&rx, f, n, out, sizeof(out), &olen) : -1;
	OK(r == 0 && olen == TES_RECORD_MAX_PLAIN, "control: a made record of 1024 bytes opens");
	rec_pair(1, &tx, &rx);
	n = rec_forge(pt, TES_RECORD_MAX_PLAIN + 7, f);
	r = n > 0 ? rec_open_frame(&rx, f, n, out, sizeof(out), &olen) : -1;
	OK(n == 6 + TES_RECORD_MAX_PAYLOAD && r == TES_ERR_DECRYPT && rx.failed,
	   "a 1031-byte plaintext under a valid tag is refused (MUST-C4)");
}

static void
test_record(void)
{
	tes_rng_bytes(rk_enc, sizeof(rk_enc));
	tes_rng_bytes(rk_mac, sizeof(rk_mac));
	test_record_roundtrip(TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256);
	test_record_roundtrip(TES_SUITE_DES_CBC_HMAC_SHA256);
	test_record_bitflips();
	test_record_truncation();
	test_record_order();
	test_record_misc();
	test_record_iv();
	test_record_max();
}

/* ---- key schedule ---- */

static void
test_keysched(void)
{
	struct tes_session_keys a, b, c;
	uint8_t pms[32], ecdh[32], th[32], want[32], fin[32];
	size_t i;

	for (i = 0; i < 32; i++) {
		pms[i] = (uint8_t)i;
		ecdh[i] = (uint8_t)(0x40 + i);
		th[i] = (uint8_t)(0x80 + i);
	}
	tes_keysched_derive(pms, ecdh, th, &a);
	tes_keysched_derive(pms, ecdh, th, &b);
	OK(memcmp(&a, &b, sizeof(a)) == 0, "keysched derive is deterministic");
	/* independent computation of the spec (Python hmac/hashlib HKDF) */
	util_unhex("81474a378dc2a9c6b2a6ccf4ea7a23de47e16ab061897014", want);
	EQ_MEM(a.c2s_enc, want, 24, "keysched known answer: c2s_enc");
	util_unhex("caabc2168b34c88445cd0ff4016a68993dab062b1ab0dd48b89e6e575351ea4a", want);
	EQ_MEM(a.s_fin, want, 32, "keysched known answer: s_fin");
	tes_keysched_finished(a.c_fin, th, fin);
	util_unhex("3a32ec79bdbc2d6f40a80b386491155fc9825b98bf32434918a0c9009097187b", want);
	EQ_MEM(fin, want, 32, "Finished known answer");
	th[31] ^= 1;
	tes_keysched_derive(pms, ecdh, th, &c);
	OK(memcmp(a.c2s_enc, c.c2s_enc, 24) != 0 && memcmp(a.c2s_mac, c.c2s_mac, 32) != 0 &&
		   memcmp(a.s2c_enc, c.s2c_enc, 24) != 0 && memcmp(a.s2c_mac, c.s2c_mac, 32) != 0 &&
		   memcmp(a.c_fin, c.c_fin, 32) != 0 && memcmp(a.s_fin, c.s_fin, 32) != 0,
	   "a different transcript hash changes every key");
	th[31] ^= 1;
	ecdh[0] ^= 1;
	tes_keysched_derive(pms, ecdh, th, &c);
	OK(memcmp(&a, &c, sizeof(a)) != 0, "a different ECDH secret changes the keys");
	ecdh[0] ^= 1;
	pms[0] ^= 1;
	tes_keysched_derive(pms, ecdh, th, &c);
	OK(memcmp(&a, &c, sizeof(a)) != 0, "a different pre-master secret changes the keys");
	OK(memcmp(a.c2s_mac, a.s2c_mac, 32) != 0 && memcmp(a.c_fin, a.s_fin, 32) != 0,
	   "the two directions get different keys");
}

/* ---- passwords ---- */

static char self_exe[512];

/* Child mode: hash once under the inherited TES_ARGON2_MEMORY_KIB. */
static int
argon2_env_child(void)
{
	char enc[TES_PASSWD_ENCODED_MAX];

	return tes_passwd_hash("pw", 2, enc, sizeof(enc)) == TES_ERR_ARG ? 0 : 1;
}

/* Run this binary with the override set to val; 0 if it was refused. */
static int
run_self_argon2_env(const char *val)
{
	int st = 0;
	pid_t pid;

	fflush(stdout);
	if ((pid = fork()) == 0) {
		setenv("TES_ARGON2_MEMORY_KIB", val, 1);
		execl(self_exe, self_exe, "--argon2-env-child", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static void
test_passwd(void)
{
	char enc[TES_PASSWD_ENCODED_MAX], enc2[TES_PASSWD_ENCODED_MAX], bad[TES_PASSWD_ENCODED_MAX];
	char *p;
	int r;

	r = tes_passwd_hash("correct horse", 13, enc, sizeof(enc));
	OK(r == 0 && strncmp(enc, "$argon2id$v=19$m=64,t=2,p=1$", 28) == 0,
	   "passwd hash (TES_ARGON2_MEMORY_KIB=64): %s", enc);
	r = tes_passwd_hash("correct horse", 13, enc2, sizeof(enc2));
	OK(r == 0 && strcmp(enc, enc2) != 0, "passwd hashes are salted");
	r = tes_passwd_verify(enc, "correct horse", 13);
	EQ_INT(r, 0, "passwd verify");
	r = tes_passwd_verify(enc, "correct horsf", 13);
	EQ_INT(r, TES_ERR_AUTH, "wrong password fails");
	r = tes_passwd_verify(enc, "correct hors", 12);
	EQ_INT(r, TES_ERR_AUTH, "truncated password fails");
	r = tes_passwd_verify(enc, "", 0);
	EQ_INT(r, TES_ERR_AUTH, "empty password fails");
	strcpy(bad, enc);
	p = strrchr(bad, '$') + 5;
	*p = *p == 'A' ? 'B' : 'A';
	r = tes_passwd_verify(bad, "correct horse", 13);
	EQ_INT(r, TES_ERR_AUTH, "altered hash fails");
	r = tes_passwd_verify("", "correct horse", 13);
	EQ_INT(r, TES_ERR_FORMAT, "empty encoding is a format error");
	r = tes_passwd_verify("garbage", "correct horse", 13);
	EQ_INT(r, TES_ERR_FORMAT, "garbage encoding is a format error");
	strcpy(bad, enc);
	bad[strlen(bad) - 10] = '\0';
	r = tes_passwd_verify(bad, "correct horse", 13);
	EQ_INT(r, TES_ERR_FORMAT, "truncated encoding is a format error");
	strcpy(bad, enc);
	memcpy(bad, "$argon2i$", 9);
	memmove(bad + 9, enc + 10, strlen(enc + 10) + 1);
	r = tes_passwd_verify(bad, "correct horse", 13);
	EQ_INT(r, TES_ERR_FORMAT, "argon2i encoding is refused");
	strcpy(bad, enc);
	p = strstr(bad, "m=64");
	p[2] = 'x';
	r = tes_passwd_verify(bad, "correct horse", 13);
	EQ_INT(r, TES_ERR_FORMAT, "bad parameter is a format error");
	r = tes_passwd_hash("pw", 2, enc2, 40);
	EQ_INT(r, TES_ERR_SPACE, "passwd hash refuses a short buffer");
	r = tes_passwd_hash_cost("correct horse", 13, 32, enc2, sizeof(enc2));
	OK(r == 0 && strncmp(enc2, "$argon2id$v=19$m=32,t=2,p=1$", 28) == 0 &&
		   tes_passwd_verify(enc2, "correct horse", 13) == 0,
	   "passwd hash with a given cost ignores the override: %s", enc2);
	r = tes_passwd_hash_cost("pw", 2, 7, enc2, sizeof(enc2));
	EQ_INT(r, TES_ERR_ARG, "passwd hash refuses a cost below 8 KiB");
	r = tes_passwd_hash_cost("pw", 2, 4194305, enc2, sizeof(enc2));
	EQ_INT(r, TES_ERR_ARG, "passwd hash refuses a cost above 4 GiB");

	/* the override is read once per process: bad values in fresh processes */
	r = run_self_argon2_env("7");
	EQ_INT(r, 0, "TES_ARGON2_MEMORY_KIB=7 (below 8) is refused");
	r = run_self_argon2_env("64k");
	EQ_INT(r, 0, "TES_ARGON2_MEMORY_KIB=64k is refused");
}

/* ---- main ---- */

int
main(int argc, char **argv)
{
	ssize_t n;
	int r;

	if (argc > 1 && strcmp(argv[1], "--argon2-env-child") == 0)
		return argon2_env_child();
	if ((n = readlink("/proc/self/exe", self_exe, sizeof(self_exe) - 1)) > 0)
		self_exe[n] = '\0';
	setenv("TES_ARGON2_MEMORY_KIB", "64", 1);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (util_scratch_init("crypto") != 0)
		return 2;
	have_openssl = system("command -v openssl >/dev/null 2>&1") == 0;
	have_ssh_keygen = system("command -v ssh-keygen >/dev/null 2>&1") == 0;
	r = tes_rng_init();
	EQ_INT(r, 0, "tes_rng_init");
	test_hash();
	test_rng_fork();
	test_rsa();
	test_x25519();
	test_record();
	test_keysched();
	test_passwd();
	TES_WIPE_CTX(&k1);
	TES_WIPE_CTX(&k2);
	util_scratch_remove();
	return tap_done();
}
