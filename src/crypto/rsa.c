/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bearssl.h>

#include "common/b64.h"
#include "common/ct.h"
#include "common/cur.h"
#include "common/err.h"
#include "crypto/hash.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"

enum {
	RSA_BITS = TES_RSA_BITS,
	RSA_E_DEFAULT = 65537,
	RSA_DER_MAX = 4096,     /* PKCS#1 or PKCS#8 RSA-2048 is about 1.2 KiB */
	RSA_PEM_MAX = 6144,
	SSH_BLOB_PARSE_MAX = 1100  /* any RSA up to 8192 bits parses, then fails the size check */
};

static const char ssh_rsa[] = "ssh-rsa";
#define SSH_RSA_LEN (sizeof(ssh_rsa) - 1)

/* ---- BearSSL views (rebuilt on demand: the structs hold no pointers) ---- */

static void
rsa_pub_view(const struct tes_rsa_pub *k, br_rsa_public_key *pk)
{
	/* BearSSL never writes through a key; the cast stays here */
	pk->n = (unsigned char *)(uintptr_t)k->n;
	pk->nlen = TES_RSA_LEN;
	pk->e = (unsigned char *)(uintptr_t)k->e;
	pk->elen = k->elen;
}

static void
rsa_priv_view(const struct tes_rsa_priv *k, br_rsa_private_key *sk)
{
	sk->n_bitlen = RSA_BITS;
	sk->p = (unsigned char *)(uintptr_t)k->p;
	sk->plen = k->plen;
	sk->q = (unsigned char *)(uintptr_t)k->q;
	sk->qlen = k->qlen;
	sk->dp = (unsigned char *)(uintptr_t)k->dp;
	sk->dplen = k->dplen;
	sk->dq = (unsigned char *)(uintptr_t)k->dq;
	sk->dqlen = k->dqlen;
	sk->iq = (unsigned char *)(uintptr_t)k->iq;
	sk->iqlen = k->iqlen;
}

/* 0 if k holds a usable private key layout (guards the BearSSL views). */
static int
rsa_priv_check(const struct tes_rsa_priv *k)
{
	if (k->plen < 1 || k->plen > TES_RSA_HALF || k->qlen < 1 || k->qlen > TES_RSA_HALF ||
	    k->dplen < 1 || k->dplen > TES_RSA_HALF || k->dqlen < 1 || k->dqlen > TES_RSA_HALF ||
	    k->iqlen < 1 || k->iqlen > TES_RSA_HALF)
		return TES_ERR_KEY;
	return tes_rsa_pub_check(&k->pub);
}

static uint32_t
rsa_pub_e(const struct tes_rsa_pub *k)
{
	uint32_t e = 0;
	size_t i;

	for (i = 0; i < k->elen; i++)
		e = e << 8 | k->e[i];
	return e;
}

/* Copy a big-endian integer without its leading zeros; TES_ERR_KEY if too big. */
static int
int_copy(uint8_t *dst, size_t cap, size_t *dlen, const unsigned char *src, size_t slen)
{
	while (slen > 0 && *src == 0) {
		src++;
		slen--;
	}
	if (slen == 0 || slen > cap)
		return TES_ERR_KEY;
	memcpy(dst, src, slen);
	*dlen = slen;
	return 0;
}

/* Store the CRT elements of a BearSSL private key in k. */
static int
rsa_priv_import(struct tes_rsa_priv *k, const br_rsa_private_key *sk)
{
	int r = TES_ERR_KEY;

	if (sk->n_bitlen != RSA_BITS)
		return TES_ERR_KEY;
	if ((r = int_copy(k->p, sizeof(k->p), &k->plen, sk->p, sk->plen)) != 0 ||
	    (r = int_copy(k->q, sizeof(k->q), &k->qlen, sk->q, sk->qlen)) != 0 ||
	    (r = int_copy(k->dp, sizeof(k->dp), &k->dplen, sk->dp, sk->dplen)) != 0 ||
	    (r = int_copy(k->dq, sizeof(k->dq), &k->dqlen, sk->dq, sk->dqlen)) != 0 ||
	    (r = int_copy(k->iq, sizeof(k->iq), &k->iqlen, sk->iq, sk->iqlen)) != 0)
		return r;
	return 0;
}

/* Check that the public operation undoes the private one on a random value. */
static int
rsa_pairwise(const struct tes_rsa_priv *k)
{
	br_rsa_private_key sk;
	br_rsa_public_key pk;
	uint8_t x[TES_RSA_LEN], y[TES_RSA_LEN];
	int r = TES_ERR_KEY;

	rsa_priv_view(k, &sk);
	rsa_pub_view(&k->pub, &pk);
	tes_rng_bytes(x, sizeof(x));
	x[0] = 0;	/* below n, whose top bit is set */
	memcpy(y, x, sizeof(y));
	if (!br_rsa_private_get_default()(y, &sk))
		goto out;
	if (!br_rsa_public_get_default()(y, sizeof(y), &pk))
		goto out;
	if (tes_ct_eq(x, y, sizeof(x)) != 0)
		goto out;
	r = 0;
 out:
	TES_WIPE_BUF(x);
	TES_WIPE_BUF(y);
	return r;
}

/*
 * Recompute n and e from the CRT elements, then test the pair. BearSSL
 * recovers e only when p and q are 3 mod 4 (always true for its own
 * keys); other imported keys are tried with 65537, which the round trip
 * confirms or refutes.
 */
static int
rsa_priv_complete(struct tes_rsa_priv *k)
{
	br_rsa_private_key sk;
	uint32_t e;
	int i;

	rsa_priv_view(k, &sk);
	if (br_rsa_compute_modulus_get_default()(NULL, &sk) != TES_RSA_LEN)
		return TES_ERR_KEY;
	if (br_rsa_compute_modulus_get_default()(k->pub.n, &sk) != TES_RSA_LEN)
		return TES_ERR_KEY;
	if ((e = br_rsa_compute_pubexp_get_default()(&sk)) == 0)
		e = RSA_E_DEFAULT;
	for (k->pub.elen = 0, i = 24; i >= 0; i -= 8)
		if ((e >> i) != 0)
			k->pub.e[k->pub.elen++] = (uint8_t)(e >> i);
	if (tes_rsa_pub_check(&k->pub) != 0)
		return TES_ERR_KEY;
	return rsa_pairwise(k);
}

/* see rsa.h */
int
tes_rsa_pub_check(const struct tes_rsa_pub *k)
{
	if (k->n[0] < 0x80 || (k->n[TES_RSA_LEN - 1] & 1) == 0)
		return TES_ERR_KEY;
	if (k->elen < 1 || k->elen > TES_RSA_E_MAX || k->e[0] == 0)
		return TES_ERR_KEY;
	if ((k->e[k->elen - 1] & 1) == 0 || (k->elen == 1 && k->e[0] < 3))
		return TES_ERR_KEY;
	return 0;
}

/* see rsa.h */
int
tes_rsa_generate(struct tes_rsa_priv *k)
{
	unsigned char kbuf[BR_RSA_KBUF_PRIV_SIZE(RSA_BITS)];
	br_rsa_private_key sk;
	int r = TES_ERR_KEY;

	memset(k, 0, sizeof(*k));
	if (!br_rsa_keygen_get_default()(tes_rng_prng(), &sk, kbuf, NULL, NULL, RSA_BITS,
					 RSA_E_DEFAULT))
		goto out;
	if ((r = rsa_priv_import(k, &sk)) != 0)
		goto out;
	if ((r = rsa_priv_complete(k)) != 0)
		goto out;
	r = 0;
 out:
	TES_WIPE_BUF(kbuf);
	TES_WIPE_CTX(&sk);
	if (r != 0)
		TES_WIPE_CTX(k);
	return r;
}

/* ---- files ---- */

static int
fd_write_all(int fd, const void *data, size_t len)
{
	const uint8_t *p = data;
	ssize_t w;

	while (len > 0) {
		w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return TES_ERR_IO;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Create path (never an existing file or a symlink) holding data, synced. */
static int
file_write_new(const char *path, const void *data, size_t len, mode_t mode)
{
	int fd, r = TES_ERR_IO;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
	if (fd < 0)
		return errno == EEXIST ? TES_ERR_EXISTS : TES_ERR_IO;
	if ((r = fd_write_all(fd, data, len)) != 0 || fsync(fd) != 0) {
		(void)close(fd);
		r = TES_ERR_IO;
		goto out;
	}
	r = close(fd) == 0 ? 0 : TES_ERR_IO;
 out:
	if (r != 0)
		(void)unlink(path);
	return r;
}

/* The key file mode rule on a stat result. */
static int
mode_check(const struct stat *st)
{
	if (!S_ISREG(st->st_mode))
		return TES_ERR_IO;
	if ((st->st_mode & 077) != 0)
		return TES_ERR_ARG;
	return 0;
}

/* see rsa.h */
int
tes_rsa_check_file_mode(const char *path)
{
	struct stat st;

	if (stat(path, &st) != 0)
		return errno == ENOENT ? TES_ERR_NOTFOUND : TES_ERR_IO;
	return mode_check(&st);
}

/*
 * Read a whole regular file of at most max bytes into buf, which has room
 * for max + 1 (the extra byte detects a file that grew after fstat). With
 * secret set, the mode rule is checked on the opened descriptor, so there
 * is no race between the check and the read.
 */
static int
file_read(const char *path, uint8_t *buf, size_t max, size_t *len, int secret)
{
	struct stat st;
	ssize_t got;
	size_t off = 0;
	int fd, r = TES_ERR_IO;

	/* O_NONBLOCK: a FIFO must not hang the open; regular files ignore it */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? TES_ERR_NOTFOUND : TES_ERR_IO;
	if (fstat(fd, &st) != 0)
		goto out;
	/*= spec/STORAGE.md#directory MUST-D2: a private key (server.key) open to group or others is refused */
	if ((r = mode_check(&st)) != 0 && (secret || r != TES_ERR_ARG))
		goto out;
	r = TES_ERR_TOOLONG;
	if (st.st_size < 0 || (uint64_t)st.st_size > max)
		goto out;
	while (off <= max) {
		got = read(fd, buf + off, max + 1 - off);
		if (got < 0 && errno == EINTR)
			continue;
		r = TES_ERR_IO;
		if (got < 0)
			goto out;
		if (got == 0)
			break;
		off += (size_t)got;
	}
	r = TES_ERR_TOOLONG;
	if (off > max)
		goto out;
	*len = off;
	r = 0;
 out:
	(void)close(fd);
	if (r != 0)
		tes_wipe(buf, off);
	return r;
}

/* ---- private key files ---- */

/* see rsa.h */
int
tes_rsa_save_private(const struct tes_rsa_priv *k, const char *path)
{
	br_rsa_private_key sk;
	br_rsa_public_key pk;
	br_rsa_compute_privexp privexp = br_rsa_compute_privexp_get_default();
	uint8_t d[TES_RSA_LEN], der[RSA_DER_MAX];
	char pem[RSA_PEM_MAX];
	size_t dlen, derlen, pemlen;
	int r = TES_ERR_KEY;

	if ((r = rsa_priv_check(k)) != 0)
		goto out;
	r = TES_ERR_KEY;
	rsa_priv_view(k, &sk);
	rsa_pub_view(&k->pub, &pk);
	dlen = privexp(NULL, &sk, rsa_pub_e(&k->pub));
	if (dlen == 0 || dlen > sizeof(d) || privexp(d, &sk, rsa_pub_e(&k->pub)) != dlen)
		goto out;
	r = TES_ERR_INTERNAL;
	derlen = br_encode_rsa_raw_der(NULL, &sk, &pk, d, dlen);
	if (derlen == 0 || derlen > sizeof(der))
		goto out;
	br_encode_rsa_raw_der(der, &sk, &pk, d, dlen);
	pemlen = br_pem_encode(NULL, der, derlen, "RSA PRIVATE KEY", BR_PEM_LINE64);
	if (pemlen >= sizeof(pem))
		goto out;
	br_pem_encode(pem, der, derlen, "RSA PRIVATE KEY", BR_PEM_LINE64);
	if ((r = file_write_new(path, pem, pemlen, 0600)) != 0)
		goto out;
	r = 0;
 out:
	TES_WIPE_BUF(d);
	TES_WIPE_BUF(der);
	TES_WIPE_BUF(pem);
	return r;
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
		if (*state != 0 || (strcmp(name, "RSA PRIVATE KEY") != 0 &&
				    strcmp(name, "PRIVATE KEY") != 0))
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
pem_feed(br_pem_decoder_context *pc, struct der_sink *sink, int *state, const uint8_t *p,
	 size_t n)
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
	if ((r = rsa_priv_import(k, sk)) != 0)
		goto out;
	if ((r = rsa_priv_complete(k)) != 0)
		goto out;
	r = 0;
 out:
	TES_WIPE_CTX(&sc);
	return r;
}

/* see rsa.h */
int
tes_rsa_load_private(struct tes_rsa_priv *k, const char *path)
{
	uint8_t file[TES_RSA_FILE_MAX + 1];
	struct der_sink sink;
	size_t len = 0;
	int r = TES_ERR_INTERNAL;

	memset(k, 0, sizeof(*k));
	memset(&sink, 0, sizeof(sink));
	if ((r = file_read(path, file, TES_RSA_FILE_MAX, &len, 1)) != 0)
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

/* ---- OpenSSH public keys ---- */

/* SSH mpint: u32 length, big-endian magnitude, 0x00 first if the top bit is set. */
static int
ssh_put_mpint(struct tes_cur *c, const uint8_t *v, size_t len)
{
	int r, pad;

	while (len > 0 && *v == 0) {
		v++;
		len--;
	}
	pad = len > 0 && (v[0] & 0x80) != 0;
	if ((r = tes_cur_put_u32be(c, (uint32_t)(len + (size_t)pad))) != 0)
		return r;
	if (pad && (r = tes_cur_put_u8(c, 0)) != 0)
		return r;
	return tes_cur_put_bytes(c, v, len);
}

/* The wire blob: string "ssh-rsa", mpint e, mpint n. */
static int
ssh_blob(const struct tes_rsa_pub *k, uint8_t out[TES_RSA_SSH_BLOB_MAX], size_t *len)
{
	struct tes_cur c;
	int r;

	if (k->elen > TES_RSA_E_MAX)
		return TES_ERR_KEY;
	tes_cur_init_wr(&c, out, TES_RSA_SSH_BLOB_MAX);
	if ((r = tes_cur_put_u32be(&c, SSH_RSA_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, (const uint8_t *)ssh_rsa, SSH_RSA_LEN)) != 0 ||
	    (r = ssh_put_mpint(&c, k->e, k->elen)) != 0 ||
	    (r = ssh_put_mpint(&c, k->n, TES_RSA_LEN)) != 0)
		return r;
	*len = c.off;
	return 0;
}

/* Read a canonical, non-negative mpint; its magnitude goes to v and len. */
static int
ssh_get_mpint(struct tes_cur *c, const uint8_t **v, size_t *len)
{
	uint32_t n;
	int r;

	if ((r = tes_cur_get_u32be(c, &n)) != 0 || (r = tes_cur_get_view(c, v, n)) != 0)
		return TES_ERR_FORMAT;
	*len = n;
	if (n == 0)
		return 0;
	if (((*v)[0] & 0x80) != 0)
		return TES_ERR_FORMAT;	/* negative */
	if ((*v)[0] == 0 && (n == 1 || ((*v)[1] & 0x80) == 0))
		return TES_ERR_FORMAT;	/* needless leading zero */
	if ((*v)[0] == 0) {
		(*v)++;
		(*len)--;
	}
	return 0;
}

/* Parse the blob into k (unchecked). */
static int
ssh_blob_parse(struct tes_rsa_pub *k, const uint8_t *blob, size_t len)
{
	struct tes_cur c;
	const uint8_t *t, *e, *n;
	size_t elen, nlen;
	uint32_t tlen;

	tes_cur_init_rd(&c, blob, len);
	if (tes_cur_get_u32be(&c, &tlen) != 0 || tlen != SSH_RSA_LEN ||
	    tes_cur_get_view(&c, &t, SSH_RSA_LEN) != 0 || memcmp(t, ssh_rsa, SSH_RSA_LEN) != 0)
		return TES_ERR_FORMAT;
	if (ssh_get_mpint(&c, &e, &elen) != 0 || ssh_get_mpint(&c, &n, &nlen) != 0 ||
	    tes_cur_left(&c) != 0)
		return TES_ERR_FORMAT;
	if (elen < 1 || elen > TES_RSA_E_MAX || nlen != TES_RSA_LEN)
		return TES_ERR_KEY;
	memcpy(k->n, n, TES_RSA_LEN);
	memcpy(k->e, e, elen);
	k->elen = (uint8_t)elen;
	return 0;
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

/* see rsa.h */
int
tes_rsa_pub_to_ssh(const struct tes_rsa_pub *k, const char *comment, char *out, size_t cap)
{
	uint8_t blob[TES_RSA_SSH_BLOB_MAX];
	char b64[TES_B64_ENCLEN(TES_RSA_SSH_BLOB_MAX)];
	size_t blen, b64len, clen, need;
	int r;

	clen = comment == NULL ? 0 : strlen(comment);
	if (clen > TES_RSA_COMMENT_MAX || printable(comment, clen) != 0)
		return TES_ERR_ARG;
	if ((r = tes_rsa_pub_check(k)) != 0)
		return r;
	if ((r = ssh_blob(k, blob, &blen)) != 0 ||
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

/* see rsa.h */
int
tes_rsa_pub_from_ssh(struct tes_rsa_pub *k, const char *line, size_t n)
{
	struct tes_rsa_pub t;
	uint8_t blob[SSH_BLOB_PARSE_MAX];
	size_t i, blen;
	int r;

	if (n > 0 && line[n - 1] == '\n')
		n--;
	if (n > 0 && line[n - 1] == '\r')
		n--;
	if (n <= SSH_RSA_LEN + 1 || memcmp(line, ssh_rsa, SSH_RSA_LEN) != 0 ||
	    line[SSH_RSA_LEN] != ' ' || printable(line, n) != 0)
		return TES_ERR_FORMAT;
	line += SSH_RSA_LEN + 1;
	n -= SSH_RSA_LEN + 1;
	for (i = 0; i < n && line[i] != ' '; i++)
		;
	/* what follows the base64 (after one space) is a free comment */
	if (tes_b64_decode(line, i, blob, sizeof(blob), &blen) != 0)
		return TES_ERR_FORMAT;
	memset(&t, 0, sizeof(t));
	if ((r = ssh_blob_parse(&t, blob, blen)) != 0)
		return r;
	if ((r = tes_rsa_pub_check(&t)) != 0)
		return r;
	*k = t;
	return 0;
}

/* see rsa.h */
int
tes_rsa_save_public(const struct tes_rsa_pub *k, const char *path, const char *comment)
{
	char line[TES_RSA_SSH_LINE_MAX];
	int r;

	if ((r = tes_rsa_pub_to_ssh(k, comment, line, sizeof(line))) != 0)
		return r;
	return file_write_new(path, line, strlen(line), 0644);
}

/* see rsa.h */
int
tes_rsa_load_public(struct tes_rsa_pub *k, const char *path)
{
	uint8_t buf[TES_RSA_FILE_MAX + 1];
	size_t len;
	int r;

	if ((r = file_read(path, buf, TES_RSA_FILE_MAX, &len, 0)) != 0)
		return r;
	return tes_rsa_pub_from_ssh(k, (const char *)buf, len);
}

/* see rsa.h */
void
tes_rsa_keyid(const struct tes_rsa_pub *k, uint8_t out[TES_KEYID_LEN])
{
	uint8_t blob[TES_RSA_SSH_BLOB_MAX];
	size_t blen = 0;

	/* only fails for a corrupt elen: then this is the hash of nothing */
	(void)ssh_blob(k, blob, &blen);
	tes_sha256(blob, blen, out);
}

/* see rsa.h */
void
tes_rsa_fingerprint(const struct tes_rsa_pub *k, char out[TES_FP_STRLEN])
{
	static const char prefix[] = "SHA256:";
	uint8_t id[TES_KEYID_LEN];

	tes_rsa_keyid(k, id);
	memcpy(out, prefix, sizeof(prefix) - 1);
	(void)tes_b64_encode(id, sizeof(id), out + sizeof(prefix) - 1,
			     TES_FP_STRLEN - (sizeof(prefix) - 1), 0);
}

/* ---- OAEP and signatures ---- */

/* see rsa.h */
int
tes_rsa_oaep_encrypt(const struct tes_rsa_pub *k, const uint8_t *in, size_t n,
		     uint8_t out[TES_RSA_LEN])
{
	br_rsa_public_key pk;
	int r;

	if ((r = tes_rsa_pub_check(k)) != 0)
		return r;
	if (n > TES_RSA_OAEP_MAX)
		return TES_ERR_TOOLONG;
	rsa_pub_view(k, &pk);
	if (br_rsa_oaep_encrypt_get_default()(tes_rng_prng(), &br_sha256_vtable, NULL, 0, &pk,
					      out, TES_RSA_LEN, in, n) != TES_RSA_LEN)
		return TES_ERR_KEY;
	return 0;
}

/* see rsa.h */
int
tes_rsa_oaep_decrypt(const struct tes_rsa_priv *k, const uint8_t in[TES_RSA_LEN],
		     uint8_t out[TES_PMS_LEN])
{
	br_rsa_private_key sk;
	uint8_t buf[TES_RSA_LEN], rnd[TES_PMS_LEN];
	size_t i, len = TES_RSA_LEN;	/* in: ciphertext length, out: plaintext length */
	uint32_t ok;
	uint8_t mask;
	int r = TES_ERR_DECRYPT;

	tes_rng_bytes(rnd, sizeof(rnd));
	memcpy(buf, in, sizeof(buf));
	rsa_priv_view(k, &sk);
	ok = rsa_priv_check(k) == 0;
	ok = ok && br_rsa_oaep_decrypt_get_default()(&br_sha256_vtable, NULL, 0, &sk, buf, &len);
	ok &= (uint32_t)(len == TES_PMS_LEN);
	/*= spec/PROTOCOL.md#handshake MUST-H5: on a failure, random bytes instead of a secret; the
	 *  plaintext or the random bytes are selected without a branch */
	mask = (uint8_t)-ok;
	for (i = 0; i < TES_PMS_LEN; i++)
		out[i] = rnd[i] ^ (mask & (rnd[i] ^ buf[i]));
	r = ok ? 0 : TES_ERR_DECRYPT;
	TES_WIPE_BUF(buf);
	TES_WIPE_BUF(rnd);
	return r;
}

/* see rsa.h */
int
tes_rsa_sign(const struct tes_rsa_priv *k, const uint8_t hash[TES_HASH_LEN],
	     uint8_t sig[TES_RSA_LEN])
{
	br_rsa_private_key sk;
	int r = TES_ERR_KEY;

	if (rsa_priv_check(k) != 0)
		goto out;
	rsa_priv_view(k, &sk);
	if (!br_rsa_pkcs1_sign_get_default()(BR_HASH_OID_SHA256, hash, TES_HASH_LEN, &sk, sig))
		goto out;
	/* a faulty CRT signature would leak a factor: check before release */
	r = TES_ERR_INTERNAL;
	if (tes_rsa_verify(&k->pub, hash, sig) != 0)
		goto out;
	r = 0;
 out:
	if (r != 0)
		tes_wipe(sig, TES_RSA_LEN);
	return r;
}

/* see rsa.h */
int
tes_rsa_verify(const struct tes_rsa_pub *k, const uint8_t hash[TES_HASH_LEN],
	       const uint8_t sig[TES_RSA_LEN])
{
	br_rsa_public_key pk;
	uint8_t h[TES_HASH_LEN];
	int r;

	if ((r = tes_rsa_pub_check(k)) != 0)
		return r;
	rsa_pub_view(k, &pk);
	if (!br_rsa_pkcs1_vrfy_get_default()(sig, TES_RSA_LEN, BR_HASH_OID_SHA256, sizeof(h), &pk,
					     h))
		return TES_ERR_SIG;
	return tes_ct_eq(h, hash, sizeof(h)) == 0 ? 0 : TES_ERR_SIG;
}
