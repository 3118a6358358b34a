/* SPDX-License-Identifier: ISC */
/*
 * Key files: PEM private keys (PKCS#1 written; PKCS#1 or unencrypted PKCS#8
 * read, readable by OpenSSL) and OpenSSH "ssh-rsa" public key lines. The
 * files go through common/file.h; the key arithmetic is crypto/rsa.h.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <string.h>

#include <bearssl.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/file.h"
#include "common/wipe.h"
#include "crypto/keyfile.h"
#include "crypto/rsa.h"

enum {
	RSA_DER_MAX = 4096, /* PKCS#1 or PKCS#8 RSA-2048 is about 1.2 KiB */
	RSA_PEM_MAX = 6144,
	SSH_BLOB_PARSE_MAX = 1100 /* any RSA up to 8192 bits parses, then fails the size check */
};

static const char ssh_rsa[] = "ssh-rsa";
#define SSH_RSA_LEN (sizeof(ssh_rsa) - 1)

/* The file rules a secret key file breaks are reported as TES_ERR_ARG (see keyfile.h). */
static int
secret_rule(int r)
{
	return r == TES_ERR_KEY ? TES_ERR_ARG : r;
}

/* see keyfile.h */
int
tes_keyfile_save_private(const struct tes_rsa_priv *k, const char *path)
{
	uint8_t der[RSA_DER_MAX];
	char pem[RSA_PEM_MAX];
	size_t derlen = 0, pemlen;
	int r;

	if ((r = tes_rsa_priv_der(k, der, sizeof(der), &derlen)) != 0) {
		r = r == TES_ERR_SPACE ? TES_ERR_INTERNAL : r;
		goto out;
	}
	r = TES_ERR_INTERNAL;
	pemlen = br_pem_encode(NULL, der, derlen, "RSA PRIVATE KEY", BR_PEM_LINE64);
	if (pemlen >= sizeof(pem))
		goto out;
	br_pem_encode(pem, der, derlen, "RSA PRIVATE KEY", BR_PEM_LINE64);
	r = tes_file_create(AT_FDCWD, path, pem, pemlen, 0600);
out:
	TES_WIPE_BUF(der);
	TES_WIPE_BUF(pem);
	return r;
}

/* see keyfile.h */
int
tes_keyfile_check_mode(const char *path)
{
	return secret_rule(tes_file_check(AT_FDCWD, path, TES_FILE_REGULAR | TES_FILE_SECRET));
}

/* Collects the DER bytes the PEM decoder emits. */
struct der_sink {
	uint8_t buf[RSA_DER_MAX];
	size_t len;
	int overflow;
};

static void
der_sink_push(void *ctx, const void *src, size_t n)
{
	struct der_sink *s = ctx;

	if (s->overflow || n > sizeof(s->buf) - s->len) {
		s->overflow = 1;
		return;
	}
	memcpy(s->buf + s->len, src, n);
	s->len += n;
}

/* Handle one PEM decoder event; *state: 0 before, 1 inside, 2 after the key. */
static int
pem_event(br_pem_decoder_context *pc, struct der_sink *sink, int *state)
{
	const char *name;

	switch (br_pem_decoder_event(pc)) {
	case 0:
		return 0;
	case BR_PEM_BEGIN_OBJ:
		name = br_pem_decoder_name(pc);
		if (*state != 0 || (strcmp(name, "RSA PRIVATE KEY") != 0 && strcmp(name, "PRIVATE KEY") != 0))
			return TES_ERR_FORMAT;
		br_pem_decoder_setdest(pc, der_sink_push, sink);
		*state = 1;
		return 0;
	case BR_PEM_END_OBJ:
		*state = 2;
		return 0;
	default:
		return TES_ERR_FORMAT;
	}
}

/* Push n bytes through the PEM decoder, handling events as they come. */
static int
pem_feed(br_pem_decoder_context *pc, struct der_sink *sink, int *state, const uint8_t *p, size_t n)
{
	size_t k;
	int r;

	while (n > 0) {
		k = br_pem_decoder_push(pc, p, n);
		p += k;
		n -= k;
		if ((r = pem_event(pc, sink, state)) != 0)
			return r;
	}
	return 0;
}

/* Extract the DER of the single private key object of a PEM file. */
static int
pem_extract(const uint8_t *pem, size_t len, struct der_sink *sink)
{
	br_pem_decoder_context pc;
	int state = 0, r = TES_ERR_FORMAT;

	br_pem_decoder_init(&pc);
	if ((r = pem_feed(&pc, sink, &state, pem, len)) != 0)
		goto out;
	/* the decoder only sees an END line once its newline arrives */
	if ((r = pem_feed(&pc, sink, &state, (const uint8_t *)"\n", 1)) != 0)
		goto out;
	r = TES_ERR_FORMAT;
	if (state != 2 || sink->overflow || sink->len == 0)
		goto out;
	r = 0;
out:
	TES_WIPE_CTX(&pc);
	return r;
}

/* DER (PKCS#1 or PKCS#8) to a checked RSA-2048 key. */
static int
der_import(struct tes_rsa_priv *k, const uint8_t *der, size_t len)
{
	br_skey_decoder_context sc;
	const br_rsa_private_key *sk;
	int r = TES_ERR_FORMAT;

	br_skey_decoder_init(&sc);
	br_skey_decoder_push(&sc, der, len);
	if (br_skey_decoder_last_error(&sc) != 0)
		goto out;
	r = TES_ERR_KEY;
	if ((sk = br_skey_decoder_get_rsa(&sc)) == NULL)
		goto out;
	if ((r = tes_rsa_priv_import(k, sk)) != 0)
		goto out;
	r = 0;
out:
	TES_WIPE_CTX(&sc);
	return r;
}

/* see keyfile.h */
int
tes_keyfile_load_private(struct tes_rsa_priv *k, const char *path)
{
	uint8_t file[TES_KEYFILE_MAX + 1];
	struct der_sink sink;
	size_t len = 0;
	int r = TES_ERR_INTERNAL;

	memset(k, 0, sizeof(*k));
	memset(&sink, 0, sizeof(sink));
	/*= spec/STORAGE.md#directory MUST-D2: a private key (server.key) open to group or others is refused */
	if ((r = secret_rule(tes_file_load(AT_FDCWD, path, TES_FILE_REGULAR | TES_FILE_SECRET, file,
					   TES_KEYFILE_MAX, &len))) != 0)
		goto out;
	if ((r = pem_extract(file, len, &sink)) != 0)
		goto out;
	if ((r = der_import(k, sink.buf, sink.len)) != 0)
		goto out;
	r = 0;
out:
	tes_wipe(file, len);
	TES_WIPE_CTX(&sink);
	if (r != 0)
		TES_WIPE_CTX(k);
	return r;
}

/* 0 if s[0 .. n-1] is printable ASCII (space included). */
static int
printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return -1;
	return 0;
}

/* see keyfile.h */
int
tes_keyfile_ssh_line(const struct tes_rsa_pub *k, const char *comment, char *out, size_t cap)
{
	uint8_t blob[TES_RSA_SSH_BLOB_MAX];
	char b64[TES_B64_ENCLEN(TES_RSA_SSH_BLOB_MAX)];
	size_t blen, b64len, clen, need;
	int r;

	clen = comment == NULL ? 0 : strlen(comment);
	if (clen > TES_KEYFILE_COMMENT_MAX || printable(comment, clen) != 0)
		return TES_ERR_ARG;
	if ((r = tes_rsa_pub_check(k)) != 0)
		return r;
	if ((r = tes_rsa_ssh_blob(k, blob, &blen)) != 0 ||
	    (r = tes_b64_encode(blob, blen, b64, sizeof(b64), 1)) != 0)
		return TES_ERR_INTERNAL;
	b64len = strlen(b64);
	need = SSH_RSA_LEN + 1 + b64len + (clen > 0 ? 1 + clen : 0) + 2;
	if (cap < need)
		return TES_ERR_SPACE;
	memcpy(out, ssh_rsa, SSH_RSA_LEN);
	out[SSH_RSA_LEN] = ' ';
	memcpy(out + SSH_RSA_LEN + 1, b64, b64len);
	need = SSH_RSA_LEN + 1 + b64len;
	if (clen > 0) {
		out[need++] = ' ';
		memcpy(out + need, comment, clen);
		need += clen;
	}
	out[need++] = '\n';
	out[need] = '\0';
	return 0;
}

/* see keyfile.h */
int
tes_keyfile_ssh_parse(struct tes_rsa_pub *k, const char *line, size_t n)
{
	struct tes_rsa_pub t;
	uint8_t blob[SSH_BLOB_PARSE_MAX];
	size_t i, blen;
	int r;

	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n <= SSH_RSA_LEN + 1 || memcmp(line, ssh_rsa, SSH_RSA_LEN) != 0 || line[SSH_RSA_LEN] != ' ' ||
	    printable(line, n) != 0)
		return TES_ERR_FORMAT;
	line += SSH_RSA_LEN + 1;
	n -= SSH_RSA_LEN + 1;
	for (i = 0; i < n && line[i] != ' '; i++)
		;
	/* what follows the base64 (after one space) is a free comment */
	if (tes_b64_decode(line, i, blob, sizeof(blob), &blen) != 0)
		return TES_ERR_FORMAT;
	memset(&t, 0, sizeof(t));
	if ((r = tes_rsa_ssh_blob_parse(&t, blob, blen)) != 0)
		return r;
	if ((r = tes_rsa_pub_check(&t)) != 0)
		return r;
	*k = t;
	return 0;
}

/* see keyfile.h */
int
tes_keyfile_save_public(const struct tes_rsa_pub *k, const char *path, const char *comment)
{
	char line[TES_KEYFILE_SSH_LINE_MAX];
	int r;

	if ((r = tes_keyfile_ssh_line(k, comment, line, sizeof(line))) != 0)
		return r;
	return tes_file_create(AT_FDCWD, path, line, strlen(line), 0644);
}

/* see keyfile.h */
int
tes_keyfile_load_public(struct tes_rsa_pub *k, const char *path)
{
	uint8_t buf[TES_KEYFILE_MAX + 1];
	size_t len;
	int r;

	if ((r = tes_file_load(AT_FDCWD, path, TES_FILE_REGULAR, buf, TES_KEYFILE_MAX, &len)) != 0)
		return r;
	return tes_keyfile_ssh_parse(k, (const char *)buf, len);
}
