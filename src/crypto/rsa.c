/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <string.h>

#include <bearssl.h>

#include "common/b64.h"
#include "common/ct.h"
#include "common/cur.h"
#include "common/err.h"
#include "common/wipe.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "crypto/sha256.h"

enum {
	RSA_BITS = TES_RSA_BITS,
	RSA_E_DEFAULT = 65537
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
	if (k->plen < 1 || k->plen > TES_RSA_HALF || k->qlen < 1 || k->qlen > TES_RSA_HALF || k->dplen < 1 ||
	    k->dplen > TES_RSA_HALF || k->dqlen < 1 || k->dqlen > TES_RSA_HALF || k->iqlen < 1 ||
	    k->iqlen > TES_RSA_HALF)
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
	x[0] = 0; /* below n, whose top bit is set */
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
	if (!br_rsa_keygen_get_default()(tes_rng_prng(), &sk, kbuf, NULL, NULL, RSA_BITS, RSA_E_DEFAULT))
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

/* ---- private keys and the OpenSSH key blob ---- */

/* see rsa.h */
int
tes_rsa_priv_der(const struct tes_rsa_priv *k, uint8_t *der, size_t cap, size_t *len)
{
	br_rsa_private_key sk;
	br_rsa_public_key pk;
	br_rsa_compute_privexp privexp = br_rsa_compute_privexp_get_default();
	uint8_t d[TES_RSA_LEN];
	size_t dlen;
	int r = TES_ERR_KEY;

	if ((r = rsa_priv_check(k)) != 0)
		goto out;
	r = TES_ERR_KEY;
	rsa_priv_view(k, &sk);
	rsa_pub_view(&k->pub, &pk);
	dlen = privexp(NULL, &sk, rsa_pub_e(&k->pub));
	if (dlen == 0 || dlen > sizeof(d) || privexp(d, &sk, rsa_pub_e(&k->pub)) != dlen)
		goto out;
	r = TES_ERR_SPACE;
	*len = br_encode_rsa_raw_der(NULL, &sk, &pk, d, dlen);
	if (*len == 0 || *len > cap)
		goto out;
	br_encode_rsa_raw_der(der, &sk, &pk, d, dlen);
	r = 0;
out:
	TES_WIPE_BUF(d);
	return r;
}

/* see rsa.h */
int
tes_rsa_priv_import(struct tes_rsa_priv *k, const br_rsa_private_key *sk)
{
	int r;

	memset(k, 0, sizeof(*k));
	if ((r = rsa_priv_import(k, sk)) != 0 || (r = rsa_priv_complete(k)) != 0)
		TES_WIPE_CTX(k);
	return r;
}

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

/* see rsa.h */
int
tes_rsa_ssh_blob(const struct tes_rsa_pub *k, uint8_t out[TES_RSA_SSH_BLOB_MAX], size_t *len)
{
	struct tes_cur c;
	int r;

	if (k->elen > TES_RSA_E_MAX)
		return TES_ERR_KEY;
	tes_cur_init_wr(&c, out, TES_RSA_SSH_BLOB_MAX);
	if ((r = tes_cur_put_u32be(&c, SSH_RSA_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, (const uint8_t *)ssh_rsa, SSH_RSA_LEN)) != 0 ||
	    (r = ssh_put_mpint(&c, k->e, k->elen)) != 0 || (r = ssh_put_mpint(&c, k->n, TES_RSA_LEN)) != 0)
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
		return TES_ERR_FORMAT; /* negative */
	if ((*v)[0] == 0 && (n == 1 || ((*v)[1] & 0x80) == 0))
		return TES_ERR_FORMAT; /* needless leading zero */
	if ((*v)[0] == 0) {
		(*v)++;
		(*len)--;
	}
	return 0;
}

/* see rsa.h */
int
tes_rsa_ssh_blob_parse(struct tes_rsa_pub *k, const uint8_t *blob, size_t len)
{
	struct tes_cur c;
	const uint8_t *t, *e, *n;
	size_t elen, nlen;
	uint32_t tlen;

	tes_cur_init_rd(&c, blob, len);
	if (tes_cur_get_u32be(&c, &tlen) != 0 || tlen != SSH_RSA_LEN ||
	    tes_cur_get_view(&c, &t, SSH_RSA_LEN) != 0 || memcmp(t, ssh_rsa, SSH_RSA_LEN) != 0)
		return TES_ERR_FORMAT;
	if (ssh_get_mpint(&c, &e, &elen) != 0 || ssh_get_mpint(&c, &n, &nlen) != 0 || tes_cur_left(&c) != 0)
		return TES_ERR_FORMAT;
	if (elen < 1 || elen > TES_RSA_E_MAX || nlen != TES_RSA_LEN)
		return TES_ERR_KEY;
	memcpy(k->n, n, TES_RSA_LEN);
	memcpy(k->e, e, elen);
	k->elen = (uint8_t)elen;
	return 0;
}

/* see rsa.h */
void
tes_rsa_keyid(const struct tes_rsa_pub *k, uint8_t out[TES_KEYID_LEN])
{
	uint8_t blob[TES_RSA_SSH_BLOB_MAX];
	size_t blen = 0;

	/* only fails for a corrupt elen: then this is the hash of nothing */
	(void)tes_rsa_ssh_blob(k, blob, &blen);
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
	(void)tes_b64_encode(id, sizeof(id), out + sizeof(prefix) - 1, TES_FP_STRLEN - (sizeof(prefix) - 1),
			     0);
}

/* ---- OAEP and signatures ---- */

/* see rsa.h */
int
tes_rsa_oaep_encrypt(const struct tes_rsa_pub *k, const uint8_t *in, size_t n, uint8_t out[TES_RSA_LEN])
{
	br_rsa_public_key pk;
	int r;

	if ((r = tes_rsa_pub_check(k)) != 0)
		return r;
	if (n > TES_RSA_OAEP_MAX)
		return TES_ERR_TOOLONG;
	rsa_pub_view(k, &pk);
	if (br_rsa_oaep_encrypt_get_default()(tes_rng_prng(), &br_sha256_vtable, NULL, 0, &pk, out,
					      TES_RSA_LEN, in, n) != TES_RSA_LEN)
		return TES_ERR_KEY;
	return 0;
}

/* see rsa.h */
int
tes_rsa_oaep_decrypt(const struct tes_rsa_priv *k, const uint8_t in[TES_RSA_LEN], uint8_t out[TES_PMS_LEN])
{
	br_rsa_private_key sk;
	uint8_t buf[TES_RSA_LEN], rnd[TES_PMS_LEN];
	size_t i, len = TES_RSA_LEN; /* in: ciphertext length, out: plaintext length */
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
tes_rsa_sign(const struct tes_rsa_priv *k, const uint8_t hash[TES_HASH_LEN], uint8_t sig[TES_RSA_LEN])
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
tes_rsa_verify(const struct tes_rsa_pub *k, const uint8_t hash[TES_HASH_LEN], const uint8_t sig[TES_RSA_LEN])
{
	br_rsa_public_key pk;
	uint8_t h[TES_HASH_LEN];
	int r;

	if ((r = tes_rsa_pub_check(k)) != 0)
		return r;
	rsa_pub_view(k, &pk);
	if (!br_rsa_pkcs1_vrfy_get_default()(sig, TES_RSA_LEN, BR_HASH_OID_SHA256, sizeof(h), &pk, h))
		return TES_ERR_SIG;
	return tes_ct_eq(h, hash, sizeof(h)) == 0 ? 0 : TES_ERR_SIG;
}
