/* SPDX-License-Identifier: ISC */
#include <string.h>

#include <bearssl.h>

#include "common/ct.h"
#include "common/cur.h"
#include "common/err.h"
#include "common/file.h"
#include "common/wipe.h"
#include "crypto/hkdf.h"
#include "crypto/hmac.h"
#include "crypto/rng.h"
#include "crypto/ticketkey.h"

#define NAME_TICKET_KEY     "ticket.key"
#define NAME_TICKET_KEY_TMP "ticket.key.tmp"

enum {
	KID_LEN = 4,
	NONCE_LEN = 16,
	TAG_LEN = TES_MAC_LEN,
	HEAD_LEN = KID_LEN + NONCE_LEN,
	SEALED_MIN = HEAD_LEN + TAG_LEN
};

_Static_assert(HEAD_LEN + TES_TICKET_PLAIN_MAX + TAG_LEN <= TES_TICKET_MAX, "a sealed ticket fits");

static const char salt[] = "TES1 ticket";
static const char pw_context[] = "TES1 ticket pw";

/* The two keys of one ticket key; wiped by the caller. */
struct keys {
	uint8_t enc[32];
	uint8_t mac[32];
};

/* enc and mac = HKDF-Expand(HKDF-Extract("TES1 ticket", key), "enc" / "mac", 32). */
static void
derive(const uint8_t key[static TES_TICKET_KEY_LEN], struct keys *out)
{
	tes_hkdf_sha256((const uint8_t *)salt, sizeof salt - 1, key, TES_TICKET_KEY_LEN,
			(const uint8_t *)"enc", 3, out->enc, sizeof out->enc);
	tes_hkdf_sha256((const uint8_t *)salt, sizeof salt - 1, key, TES_TICKET_KEY_LEN,
			(const uint8_t *)"mac", 3, out->mac, sizeof out->mac);
}

/*
 * AES-256-CTR with the nonce as the first counter block: BearSSL's CTR takes
 * the block's first 12 bytes as the IV and its last 4 as a big-endian block
 * counter. Encryption and decryption are the same operation.
 */
static void
ctr(const uint8_t enc[static 32], const uint8_t nonce[static NONCE_LEN], uint8_t *data, size_t n)
{
	br_aes_ct64_ctr_keys ks;

	br_aes_ct64_ctr_init(&ks, enc, 32);
	(void)br_aes_ct64_ctr_run(&ks, nonce, tes_cur_dec32be(nonce + 12), data, n);
	TES_WIPE_CTX(&ks);
}

/* see ticket.h */
int
tes_ticketkey_seal(const struct tes_ticket_keys *k, const struct tes_ticket *t,
		   uint8_t out[static TES_TICKET_MAX], uint16_t *len)
{
	struct keys ks;
	size_t n = 0;
	int r;

	if ((r = tes_ticket_plain_encode(t, out + HEAD_LEN, TES_TICKET_PLAIN_MAX, &n)) != 0)
		return r;
	tes_cur_enc32be(out, k->cur_kid);
	tes_rng_bytes(out + KID_LEN, NONCE_LEN);
	derive(k->cur, &ks);
	ctr(ks.enc, out + KID_LEN, out + HEAD_LEN, n);
	tes_hmac_sha256(ks.mac, sizeof ks.mac, out, HEAD_LEN + n, out + HEAD_LEN + n);
	*len = (uint16_t)(HEAD_LEN + n + TAG_LEN);
	TES_WIPE_CTX(&ks);
	return 0;
}

/* The key a sealed ticket's kid names, or NULL: the previous one only while its tickets may live. */
static const uint8_t *
key_of(const struct tes_ticket_keys *k, uint32_t kid, uint64_t now)
{
	if (kid == 0)
		return NULL;
	if (kid == k->cur_kid)
		return k->cur;
	/*= spec/STORAGE.md#ticket-key MUST-TK4 */
	if (kid == k->prev_kid && (now < k->cur_created || now - k->cur_created < TES_TICKET_LIFETIME))
		return k->prev;
	return NULL;
}

/* see ticket.h */
int
tes_ticketkey_open(const struct tes_ticket_keys *k, uint64_t now, const uint8_t *p, size_t n,
		   struct tes_ticket *t)
{
	uint8_t tag[TAG_LEN], plain[TES_TICKET_MAX];
	struct keys ks;
	const uint8_t *key;
	size_t ct_len;
	int r = TES_ERR_MAC;

	memset(&ks, 0, sizeof ks);
	if (n < SEALED_MIN || n > TES_TICKET_MAX)
		goto out;
	if ((key = key_of(k, tes_cur_dec32be(p), now)) == NULL)
		goto out;
	derive(key, &ks);
	ct_len = n - SEALED_MIN;
	/* the tag first, in constant time: nothing is decrypted under a wrong one */
	tes_hmac_sha256(ks.mac, sizeof ks.mac, p, HEAD_LEN + ct_len, tag);
	if (tes_ct_eq(tag, p + HEAD_LEN + ct_len, TAG_LEN) != 0)
		goto out;
	r = TES_ERR_FORMAT;
	if (ct_len > TES_TICKET_PLAIN_MAX)
		goto out;
	memcpy(plain, p + HEAD_LEN, ct_len);
	ctr(ks.enc, p + KID_LEN, plain, ct_len);
	if (tes_ticket_plain_decode(plain, ct_len, t) != 0)
		goto out;
	r = TES_ERR_TIME;
	if (now < t->issued || now >= t->expiry)
		goto out;
	r = 0;
out:
	if (r != 0)
		TES_WIPE_CTX(t);
	TES_WIPE_CTX(&ks);
	TES_WIPE_BUF(plain);
	return r;
}

/* see ticket.h */
void
tes_ticketkey_pw_bind(const char *stored, size_t n, uint8_t out[static TES_HASH_LEN])
{
	br_sha256_context c;

	br_sha256_init(&c);
	br_sha256_update(&c, pw_context, sizeof pw_context - 1);
	br_sha256_update(&c, stored, n);
	br_sha256_out(&c, out);
	TES_WIPE_CTX(&c);
}

/* see ticket.h */
int
tes_ticketkey_load(int dfd, struct tes_ticket_keys *k)
{
	uint8_t buf[TES_TICKET_KEYS_LEN + 1]; /* one more: a longer file is caught */
	size_t len = 0;
	int r;

	/*= spec/STORAGE.md#ticket-key MUST-TK2 */
	r = tes_file_load(dfd, NAME_TICKET_KEY, TES_FILE_NOFOLLOW | TES_FILE_SECRET, buf, TES_TICKET_KEYS_LEN,
			  &len);
	if (r == TES_ERR_TOOLONG)
		r = TES_ERR_CORRUPT;
	if (r == 0 && tes_ticket_keys_decode(buf, len, k) != 0)
		r = TES_ERR_CORRUPT;
	if (r != 0)
		TES_WIPE_CTX(k);
	TES_WIPE_BUF(buf);
	return r;
}

/* Write k to DATA/ticket.key, atomically, 0600. */
static int
keys_store(int dfd, const struct tes_ticket_keys *k)
{
	uint8_t buf[TES_TICKET_KEYS_LEN];
	size_t len = 0;
	int r;

	if ((r = tes_ticket_keys_encode(k, buf, sizeof buf, &len)) == 0)
		/*= spec/STORAGE.md#ticket-key MUST-TK2 */
		r = tes_file_replace(dfd, NAME_TICKET_KEY_TMP, NAME_TICKET_KEY, buf, len, 0600);
	TES_WIPE_BUF(buf);
	return r;
}

/* see ticket.h */
int
tes_ticketkey_ensure(int dfd, uint64_t now, struct tes_ticket_keys *k, int *rotated)
{
	struct tes_ticket_keys nk;
	int r;

	*rotated = 0;
	r = tes_ticketkey_load(dfd, k);
	if (r != 0 && r != TES_ERR_NOTFOUND)
		return r; /* a file that does not decode is never replaced */
	memset(&nk, 0, sizeof nk);
	if (r == TES_ERR_NOTFOUND) {
		/*= spec/STORAGE.md#ticket-key MUST-TK3 */
		nk.cur_kid = 1;
	} else if (now >= k->cur_created && now - k->cur_created >= TES_TICKETKEY_ROTATE) {
		/*= spec/STORAGE.md#ticket-key MUST-TK3 */
		nk.prev_kid = k->cur_kid;
		nk.prev_created = k->cur_created;
		memcpy(nk.prev, k->cur, sizeof nk.prev);
		nk.cur_kid = k->cur_kid == UINT32_MAX ? 1 : k->cur_kid + 1;
	} else {
		return 0;
	}
	nk.cur_created = now;
	tes_rng_bytes(nk.cur, sizeof nk.cur);
	if ((r = keys_store(dfd, &nk)) == 0) {
		*k = nk;
		*rotated = nk.prev_kid != 0;
	}
	TES_WIPE_CTX(&nk);
	return r;
}
