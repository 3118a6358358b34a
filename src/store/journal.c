/* SPDX-License-Identifier: ISC */
#include <bearssl.h>

#include "common/ct.h"
#include "common/cur.h"
#include "common/err.h"
#include "common/wipe.h"
#include "crypto/hmac.h"
#include "store/journal.h"
#include "store/seal.h"
#include "wire/field.h"

static const uint8_t genesis_ctx[] = "TES1 journal genesis";

_Static_assert(8 + 8 + TES_REPORT_MAX + TES_RSA_LEN <= TES_JOURNAL_BODY_MAX, "REPORT body fits");
_Static_assert(TES_JOURNAL_BODY_MAX <= TES_JOURNAL_PLAIN_MAX, "any body fits a record");
_Static_assert(TES_REPORT_ID_LEN + 1 + 2 + 1 + TES_JOURNAL_TEXT_MAX + 1 + TES_NAME_MAX + 8 +
			       TES_JOURNAL_DECISION_TAIL <=
		       TES_JOURNAL_BODY_MAX,
	       "DECISION body fits");
_Static_assert(1 + TES_PLATE_MAX + 4 + 8 + TES_JOURNAL_BATCH_LEN + 4 + 4 <= TES_JOURNAL_BODY_MAX,
	       "IMPORT body fits");

/* see journal.h */
void
tes_journal_file_hdr_encode(uint8_t out[static TES_JOURNAL_FILE_HDR_LEN], uint64_t created)
{
	struct tes_cur c;

	/* 16 bytes into a 16-byte buffer: no put can fail */
	tes_cur_init_wr(&c, out, TES_JOURNAL_FILE_HDR_LEN);
	(void)tes_cur_put_u32be(&c, TES_JOURNAL_MAGIC);
	(void)tes_cur_put_u16be(&c, TES_JOURNAL_VERSION);
	(void)tes_cur_put_u16be(&c, 0);
	(void)tes_cur_put_u64be(&c, created);
}

/* see journal.h */
int
tes_journal_file_hdr_decode(const uint8_t *p, size_t n, uint64_t *created)
{
	struct tes_cur c;
	uint32_t magic;
	uint16_t version, reserved;
	int r;
	/*= spec/STORAGE.md#journal MUST-J1 */

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u32be(&c, &magic)) != 0 || (r = tes_cur_get_u16be(&c, &version)) != 0 ||
	    (r = tes_cur_get_u16be(&c, &reserved)) != 0 || (r = tes_cur_get_u64be(&c, created)) != 0)
		return r;
	if (magic != TES_JOURNAL_MAGIC || reserved != 0)
		return TES_ERR_FORMAT;
	return version == TES_JOURNAL_VERSION ? 0 : TES_ERR_VERSION;
}

/* see journal.h */
void
tes_journal_genesis(const struct tes_seal_keys *k, const uint8_t fhdr[static TES_JOURNAL_FILE_HDR_LEN],
		    uint8_t out[static TES_JOURNAL_MAC_LEN])
{
	struct tes_hmac h;

	tes_hmac_init(&h, k->mac, sizeof(k->mac));
	tes_hmac_update(&h, genesis_ctx, sizeof(genesis_ctx) - 1);
	tes_hmac_update(&h, fhdr, TES_JOURNAL_FILE_HDR_LEN);
	tes_hmac_out(&h, out);
}

/*@ requires \valid_read(p + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 1 <==> (\forall integer k; 0 <= k < n ==> p[k] == 0);
    ensures \result == 0 || \result == 1;
 */
static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> p[k] == 0;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/* The header rules shared by the encoder and the decoder. */
/*@ requires \valid_read(h);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> jhdr_ok(h);
    ensures \result == 0 || \result == TES_ERR_TYPE || \result == TES_ERR_TOOLONG ||
            \result == TES_ERR_FORMAT;
 */
static int
hdr_check(const struct tes_journal_hdr *h)
{
	/*= spec/STORAGE.md#journal MUST-J2..J5: type, length, seq, key */
	if (h->type < 1 || h->type > TES_JREC_MAX)
		return TES_ERR_TYPE;
	if (h->total_len > TES_JOURNAL_REC_MAX)
		return TES_ERR_TOOLONG;
	if (h->total_len < TES_JOURNAL_REC_MIN ||
	    (h->total_len - TES_JOURNAL_OVERHEAD) % TES_DES_BLOCK != 0 || h->seq == 0)
		return TES_ERR_FORMAT;
	if (h->type != TES_JREC_REPORT && h->type != TES_JREC_DECISION &&
	    !all_zero(h->key, TES_JOURNAL_KEY_LEN))
		return TES_ERR_FORMAT;
	return 0;
}

/* see journal.h */
int
tes_journal_hdr_encode(const struct tes_journal_hdr *h, uint8_t out[static TES_JOURNAL_HDR_LEN])
{
	struct tes_cur c;
	int r;

	if ((r = hdr_check(h)) != 0)
		return r;
	tes_cur_init_wr(&c, out, TES_JOURNAL_HDR_LEN);
	if ((r = tes_cur_put_u32be(&c, h->total_len)) != 0 || (r = tes_cur_put_u8(&c, h->type)) != 0 ||
	    (r = tes_cur_put_u8(&c, 0)) != 0 || (r = tes_cur_put_u16be(&c, 0)) != 0 ||
	    (r = tes_cur_put_u64be(&c, h->seq)) != 0 ||
	    (r = tes_cur_put_bytes(&c, h->key, TES_JOURNAL_KEY_LEN)) != 0)
		return r;
	return 0;
}

/* see journal.h */
int
tes_journal_hdr_decode(const uint8_t *p, size_t n, struct tes_journal_hdr *h)
{
	struct tes_cur c;
	uint8_t type, r8;
	uint16_t r16;
	int r;

	/*
	 * type is read into a local and stored after seq: a byte stored into h
	 * between two reads of p would make the proof show that the store did
	 * not change the bytes of p read after it.
	 */
	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u32be(&c, &h->total_len)) != 0 || (r = tes_cur_get_u8(&c, &type)) != 0 ||
	    (r = tes_cur_get_u8(&c, &r8)) != 0 || (r = tes_cur_get_u16be(&c, &r16)) != 0 ||
	    (r = tes_cur_get_u64be(&c, &h->seq)) != 0)
		return r;
	h->type = type;
	if ((r = tes_cur_get_bytes(&c, h->key, TES_JOURNAL_KEY_LEN)) != 0)
		return r;
	if (r8 != 0 || r16 != 0)
		return TES_ERR_FORMAT;
	return hdr_check(h);
}

/*
 * HMAC(mac key, prev || rec[0 .. n-1]). A typed front to the tes_hmac_*
 * calls, which take the data as void *: its contract is trusted, not proven
 * (proofs/README.md, trusted stubs).
 */
/*@ requires \valid_read(k) && \valid_read(prev + (0 .. TES_JOURNAL_MAC_LEN - 1));
    requires \valid_read(rec + (0 .. n-1)) && \valid(out + (0 .. TES_JOURNAL_MAC_LEN - 1));
    requires \separated(out + (0 .. TES_JOURNAL_MAC_LEN - 1), k, prev + (0 .. TES_JOURNAL_MAC_LEN - 1),
                        rec + (0 .. n-1));
    terminates \true;
    assigns out[0 .. TES_JOURNAL_MAC_LEN - 1];
 */
static void
chain_mac(const struct tes_seal_keys *k, const uint8_t prev[static TES_JOURNAL_MAC_LEN], const uint8_t *rec,
	  size_t n, uint8_t out[static TES_JOURNAL_MAC_LEN])
{
	struct tes_hmac h;

	tes_hmac_init(&h, k->mac, sizeof(k->mac));
	tes_hmac_update(&h, prev, TES_JOURNAL_MAC_LEN);
	tes_hmac_update(&h, rec, n);
	tes_hmac_out(&h, out);
}

/* see journal.h */
int
tes_journal_seal(const struct tes_seal_keys *k, const uint8_t prev[static TES_JOURNAL_MAC_LEN],
		 struct tes_journal_hdr *h, const uint8_t iv[static TES_JOURNAL_IV_LEN], const uint8_t *plain,
		 size_t n, uint8_t *out, size_t cap, size_t *used)
{
	uint8_t hdr[TES_JOURNAL_HDR_LEN], mac[TES_JOURNAL_MAC_LEN];
	struct tes_cur c;
	size_t ct_len;
	int r;

	if (n > TES_JOURNAL_PLAIN_MAX)
		return TES_ERR_TOOLONG;
	ct_len = tes_seal_ct_len(n);
	h->total_len = (uint32_t)(TES_JOURNAL_OVERHEAD + ct_len);
	if (cap < h->total_len)
		return TES_ERR_SPACE;
	if ((r = tes_journal_hdr_encode(h, hdr)) != 0)
		return r;
	tes_cur_init_wr(&c, out, h->total_len);
	if ((r = tes_cur_put_bytes(&c, hdr, sizeof(hdr))) != 0 ||
	    (r = tes_cur_put_bytes(&c, iv, TES_JOURNAL_IV_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, plain, n)) != 0 || (r = tes_seal_put_pad(&c, n)) != 0)
		return r;
	tes_seal_encrypt(k, iv, out + TES_JOURNAL_HDR_LEN + TES_JOURNAL_IV_LEN, ct_len);
	chain_mac(k, prev, out, c.off, mac);
	if ((r = tes_cur_put_bytes(&c, mac, sizeof(mac))) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see journal.h */
int
tes_journal_check(const struct tes_seal_keys *k, const uint8_t prev[static TES_JOURNAL_MAC_LEN],
		  const uint8_t *p, size_t n, struct tes_journal_hdr *h)
{
	uint8_t mac[TES_JOURNAL_MAC_LEN];
	const uint8_t *rec, *tag;
	struct tes_cur c;
	int r;

	if ((r = tes_journal_hdr_decode(p, n, h)) != 0)
		return r;
	if (n < h->total_len)
		return TES_ERR_TRUNCATED;
	tes_cur_init_rd(&c, p, h->total_len);
	if ((r = tes_cur_get_view(&c, &rec, h->total_len - TES_JOURNAL_MAC_LEN)) != 0 ||
	    (r = tes_cur_get_view(&c, &tag, TES_JOURNAL_MAC_LEN)) != 0)
		return r;
	/*= spec/STORAGE.md#journal MUST-J6: the chain mac, in constant time, before any decryption */
	chain_mac(k, prev, rec, h->total_len - TES_JOURNAL_MAC_LEN, mac);
	return tes_ct_eq(mac, tag, TES_JOURNAL_MAC_LEN) == 0 ? 0 : TES_ERR_MAC;
}

/* see journal.h */
int
tes_journal_open_rec(const struct tes_seal_keys *k, const uint8_t prev[static TES_JOURNAL_MAC_LEN],
		     const uint8_t *p, size_t n, struct tes_journal_hdr *h, uint8_t *plain, size_t cap,
		     size_t *plain_len)
{
	const uint8_t *hdr, *iv;
	struct tes_cur c;
	size_t ct_len;
	int r;

	if ((r = tes_journal_check(k, prev, p, n, h)) != 0)
		return r;
	ct_len = h->total_len - TES_JOURNAL_OVERHEAD;
	if (cap < ct_len)
		return TES_ERR_SPACE;
	tes_cur_init_rd(&c, p, h->total_len);
	if ((r = tes_cur_get_view(&c, &hdr, TES_JOURNAL_HDR_LEN)) != 0 ||
	    (r = tes_cur_get_view(&c, &iv, TES_JOURNAL_IV_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(&c, plain, ct_len)) != 0)
		return r;
	tes_seal_decrypt(k, iv, plain, ct_len);
	if ((r = tes_seal_unpad(plain, ct_len, plain_len)) != 0)
		tes_wipe_u8(plain, ct_len);
	return r;
}

/* 0..max bytes in lo..0x7e. */
/*@ requires n <= max ==> \valid_read(s + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> n <= max && text_ok(s, n, lo);
    ensures \result == 0 || \result == TES_ERR_TOOLONG || \result == TES_ERR_FORMAT;
 */
static int
ascii_valid(const char *s, size_t n, size_t max, char lo)
{
	size_t i;

	if (n > max)
		return TES_ERR_TOOLONG;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant text_ok(s, i, lo);
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (s[i] < lo || s[i] > 0x7e)
			return TES_ERR_FORMAT;
	return 0;
}

/*@ requires \valid_read(c) && c->off <= c->len;
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> c->off == c->len;
    ensures \result == 0 || \result == TES_ERR_FORMAT;
 */
static int
done(const struct tes_cur *c)
{
	return tes_cur_left(c) == 0 ? 0 : TES_ERR_FORMAT;
}

/*
 * tes_field_name_valid() on a char array of TES_NAME_MAX + 1 bytes: a length that
 * does not fit is refused (TES_ERR_NAME, as tes_field_name_valid would) before any
 * byte is read.
 */
/*@ requires \valid_read(s + (0 .. TES_NAME_MAX));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 ==> name_ok(s, n);
    ensures \result == 0 || \result == TES_ERR_NAME;
 */
static int
name_field_valid(const char *s, size_t n)
{
	if (n > TES_NAME_MAX)
		return TES_ERR_NAME;
	return tes_field_name_valid(s, n);
}

/*@ requires \valid_read(m);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 ==> name_ok(&m->name[0], m->name_len);
    ensures \result == 0 ==> rsa_pub_ok(&m->pub);
    ensures \result == 0 || \result == TES_ERR_NAME || \result == TES_ERR_KEY;
 */
static int
unit_check(const struct tes_journal_unit *m)
{
	int r;

	/*= spec/STORAGE.md#bodies MUST-B1 */
	if ((r = name_field_valid(m->name, m->name_len)) != 0)
		return r;
	if (m->pub.elen < 1 || m->pub.elen > TES_RSA_E_MAX)
		return TES_ERR_KEY;
	return tes_rsa_pub_check(&m->pub);
}

/* see journal.h */
int
tes_journal_unit_encode(const struct tes_journal_unit *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	if ((r = unit_check(m)) != 0)
		return r;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_str8(&c, m->name, m->name_len)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->pub.n, TES_RSA_LEN)) != 0 ||
	    (r = tes_cur_put_u8(&c, m->pub.elen)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->pub.e, m->pub.elen)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/*
 * The public exponent: elen bytes into e, the rest of e zero. A helper of
 * its own so that the decoder's proof sees all of e[] written at once.
 */
/*@ requires cur_rd(c) && \valid(e + (0 .. TES_RSA_E_MAX - 1)) && elen <= TES_RSA_E_MAX;
    requires \separated(e + (0 .. TES_RSA_E_MAX - 1), c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, e[0 .. TES_RSA_E_MAX - 1];
    ensures \result == 0 || \result == TES_ERR_TRUNCATED;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == \old(c->off) + elen;
    ensures \result == 0 ==> \forall integer k; elen <= k < TES_RSA_E_MAX ==> e[k] == 0;
 */
static int
get_exponent(struct tes_cur *c, uint8_t *e, size_t elen)
{
	tes_cur_zero(e, TES_RSA_E_MAX);
	return tes_cur_get_bytes(c, e, elen);
}

/* see journal.h */
int
tes_journal_unit_decode(const uint8_t *p, size_t n, struct tes_journal_unit *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_str8(&c, TES_NAME_MAX, &m->name_len, m->name)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->pub.n, TES_RSA_LEN)) != 0 ||
	    (r = tes_cur_get_u8(&c, &m->pub.elen)) != 0)
		return r;
	if (m->pub.elen > TES_RSA_E_MAX)
		return TES_ERR_KEY;
	if ((r = get_exponent(&c, m->pub.e, m->pub.elen)) != 0 || (r = unit_check(m)) != 0)
		return r;
	return done(&c);
}

/* see journal.h */
int
tes_journal_revoke_encode(const char *name, uint8_t name_len, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	if ((r = tes_field_name_valid(name, name_len)) != 0)
		return r;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_str8(&c, name, name_len)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see journal.h */
int
tes_journal_revoke_decode(const uint8_t *p, size_t n, char *name, uint8_t *name_len)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_str8(&c, TES_NAME_MAX, name_len, name)) != 0 ||
	    (r = tes_field_name_valid(name, *name_len)) != 0)
		return r;
	return done(&c);
}

/*@ requires n <= TES_JOURNAL_HASH_MAX ==> \valid_read(s + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> argon2id_ok(s, n);
    ensures \result == 0 || \result == TES_ERR_TOOLONG || \result == TES_ERR_FORMAT;
 */
static int
hash_valid(const char *s, size_t n)
{
	/* automatic, not static: the proof then needs no assumption that s
	 * does not point into a global */
	const char prefix[] = "$argon2id$";
	size_t i, plen = sizeof(prefix) - 1;
	int r;

	if ((r = ascii_valid(s, n, TES_JOURNAL_HASH_MAX, 0x21)) != 0)
		return r;
	if (n < plen)
		return TES_ERR_FORMAT;
	/*@ loop invariant 0 <= i <= plen;
	    loop invariant \forall integer k; 0 <= k < i ==> s[k] == prefix[k];
	    loop assigns i;
	    loop variant plen - i; */
	for (i = 0; i < plen; i++)
		if (s[i] != prefix[i])
			return TES_ERR_FORMAT;
	return 0;
}

/*@ requires \valid_read(m);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 ==> name_ok(&m->name[0], m->name_len);
    ensures \result == 0 ==> m->role == TES_ROLE_POLICE || m->role == TES_ROLE_OFFICER;
    ensures \result == 0 ==> argon2id_ok(&m->hash[0], m->hash_len);
    ensures \result == 0 || \result < 0;
 */
static int
user_check(const struct tes_journal_user *m)
{
	int r;

	/*= spec/STORAGE.md#bodies MUST-B2 */
	if ((r = name_field_valid(m->name, m->name_len)) != 0)
		return r;
	if (m->role != TES_ROLE_POLICE && m->role != TES_ROLE_OFFICER)
		return TES_ERR_FORMAT;
	return hash_valid(m->hash, m->hash_len);
}

/* see journal.h */
int
tes_journal_user_encode(const struct tes_journal_user *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	if ((r = user_check(m)) != 0)
		return r;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_str8(&c, m->name, m->name_len)) != 0 || (r = tes_cur_put_u8(&c, m->role)) != 0 ||
	    (r = tes_cur_put_str8(&c, m->hash, m->hash_len)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see journal.h */
int
tes_journal_user_decode(const uint8_t *p, size_t n, struct tes_journal_user *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_str8(&c, TES_NAME_MAX, &m->name_len, m->name)) != 0 ||
	    (r = tes_cur_get_u8(&c, &m->role)) != 0 ||
	    (r = tes_cur_get_str8(&c, TES_JOURNAL_HASH_MAX, &m->hash_len, m->hash)) != 0)
		return r;
	/*@ assert str_ok(&m->name[0], m->name_len); */
	if ((r = user_check(m)) != 0)
		return r;
	return done(&c);
}

/* see journal.h */
int
tes_journal_report_encode(const struct tes_journal_report *m, uint8_t *out, size_t cap, size_t *used)
{
	uint8_t rep[TES_REPORT_MAX];
	struct tes_report chk;
	struct tes_cur c;
	size_t rn;
	int r;

	if (m->number == 0)
		return TES_ERR_FORMAT;
	if ((r = tes_msg_report_encode(&m->r, rep, sizeof(rep), &rn)) != 0 ||
	    (r = tes_msg_report_decode(rep, rn, &chk)) != 0)
		return r;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_u64be(&c, m->number)) != 0 || (r = tes_cur_put_u64be(&c, m->received)) != 0 ||
	    (r = tes_cur_put_bytes(&c, rep, rn)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->sig, TES_RSA_LEN)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see journal.h */
int
tes_journal_report_decode(const uint8_t *p, size_t n, struct tes_journal_report *m)
{
	const uint8_t *rep;
	struct tes_cur c;
	size_t rn;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u64be(&c, &m->number)) != 0 || (r = tes_cur_get_u64be(&c, &m->received)) != 0)
		return r;
	if (m->number == 0)
		return TES_ERR_FORMAT;
	/* the signature is the last 256 bytes; the report is what lies between */
	if (tes_cur_left(&c) < TES_RSA_LEN)
		return TES_ERR_TRUNCATED;
	rn = tes_cur_left(&c) - TES_RSA_LEN;
	/* sig and the end before the report (neither can fail here): the
	 * report's checks are then the last word on m->r, for the proof */
	if ((r = tes_cur_get_view(&c, &rep, rn)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->sig, TES_RSA_LEN)) != 0 || (r = done(&c)) != 0)
		return r;
	return tes_msg_report_decode(rep, rn, &m->r);
}

/*@ requires \valid_read(m);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 ==> points_ok(m->verdict, m->points);
    ensures \result == 0 ==> m->reason_len <= TES_JOURNAL_TEXT_MAX &&
            text_ok(&m->reason[0], m->reason_len, 0x20);
    ensures \result == 0 ==> name_ok(&m->officer[0], m->officer_len);
    ensures \result == 0 || \result < 0;
 */
static int
decision_check(const struct tes_journal_decision *m)
{
	int r;

	/*= spec/STORAGE.md#bodies MUST-B4: the points of the policy that decided; a rejection 0 */
	if (m->verdict == TES_VERDICT_REJECT) {
		if (m->points != 0)
			return TES_ERR_FORMAT;
	} else if (m->verdict == TES_VERDICT_APPROVE) {
		if (m->points > TES_JOURNAL_POINTS_MAX)
			return TES_ERR_FORMAT;
	} else
		return TES_ERR_FORMAT;
	if ((r = ascii_valid(m->reason, m->reason_len, TES_JOURNAL_TEXT_MAX, 0x20)) != 0)
		return r;
	return name_field_valid(m->officer, m->officer_len);
}

/* The policy tail of a DECISION, written only when has_policy is 1. */
/*@ requires cur_wr(c) && \valid_read(m) && m->has_policy <= 1;
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == \old(c->off) + m->has_policy * TES_JOURNAL_DECISION_TAIL;
 */
static int
put_policy_tail(struct tes_cur *c, const struct tes_journal_decision *m)
{
	int r;

	if (m->has_policy == 0)
		return 0;
	if ((r = tes_cur_put_u32be(c, m->policy_version)) != 0)
		return r;
	return tes_cur_put_bytes(c, m->policy_hash, TES_JOURNAL_POLICY_HASH_LEN);
}

/* The fields of a DECISION body up to its time (a version 1 body). */
/*@ requires cur_wr(c) && \valid_read(m);
    requires m->reason_len <= TES_JOURNAL_TEXT_MAX && m->officer_len <= TES_NAME_MAX;
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == \old(c->off + TES_REPORT_ID_LEN + 1 + 2 + 1 + m->reason_len + 1 +
                                              m->officer_len + 8);
 */
static int
put_decision_fields(struct tes_cur *c, const struct tes_journal_decision *m)
{
	int r;

	/* one field at a time, each with the offset it leaves, so that the length proves quickly */
	if ((r = tes_cur_put_bytes(c, m->id, TES_REPORT_ID_LEN)) != 0 ||
	    (r = tes_cur_put_u8(c, m->verdict)) != 0 || (r = tes_cur_put_u16be(c, m->points)) != 0)
		return r;
	/*@ assert c->off == \at(c->off, Pre) + TES_REPORT_ID_LEN + 1 + 2; */
	if ((r = tes_cur_put_str8(c, m->reason, m->reason_len)) != 0)
		return r;
	/*@ assert c->off == \at(c->off + TES_REPORT_ID_LEN + 1 + 2 + 1 + m->reason_len, Pre); */
	if ((r = tes_cur_put_str8(c, m->officer, m->officer_len)) != 0)
		return r;
	/*@ assert c->off == \at(c->off + TES_REPORT_ID_LEN + 1 + 2 + 1 + m->reason_len + 1 + m->officer_len, Pre); */
	return tes_cur_put_u64be(c, m->time);
}

/* see journal.h */
int
tes_journal_decision_encode(const struct tes_journal_decision *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	if ((r = decision_check(m)) != 0)
		return r;
	/*= spec/STORAGE.md#bodies MUST-B4: the tail is there or not, nothing else */
	if (m->has_policy > 1)
		return TES_ERR_FORMAT;
	tes_cur_init_wr(&c, out, cap);
	if ((r = put_decision_fields(&c, m)) != 0 || (r = put_policy_tail(&c, m)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/*
 * The rest of a DECISION body after its time: nothing (a version 1 body:
 * has_policy 0, version 0, hash zero) or exactly the policy tail.
 */
/*@ requires cur_rd(c) && \valid(m);
    requires \separated(m, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, m->has_policy, m->policy_version, m->policy_hash[0 .. TES_JOURNAL_POLICY_HASH_LEN - 1];
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == c->len && jtail_ok(m);
    ensures \result == 0 ==> c->len == \old(c->off) + m->has_policy * TES_JOURNAL_DECISION_TAIL;
 */
static int
get_policy_tail(struct tes_cur *c, struct tes_journal_decision *m)
{
	int r;

	m->has_policy = 0;
	m->policy_version = 0;
	tes_cur_zero(m->policy_hash, TES_JOURNAL_POLICY_HASH_LEN);
	if (tes_cur_left(c) == 0)
		return 0;
	/* anything but the whole tail is malformed, as trailing bytes are */
	if (tes_cur_left(c) != TES_JOURNAL_DECISION_TAIL)
		return TES_ERR_FORMAT;
	if ((r = tes_cur_get_u32be(c, &m->policy_version)) != 0 ||
	    (r = tes_cur_get_bytes(c, m->policy_hash, TES_JOURNAL_POLICY_HASH_LEN)) != 0)
		return r;
	m->has_policy = 1;
	return done(c);
}

/* see journal.h */
int
tes_journal_decision_decode(const uint8_t *p, size_t n, struct tes_journal_decision *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_bytes(&c, m->id, TES_REPORT_ID_LEN)) != 0 ||
	    (r = tes_cur_get_u8(&c, &m->verdict)) != 0 || (r = tes_cur_get_u16be(&c, &m->points)) != 0 ||
	    (r = tes_cur_get_str8(&c, TES_JOURNAL_TEXT_MAX, &m->reason_len, m->reason)) != 0 ||
	    (r = tes_cur_get_str8(&c, TES_NAME_MAX, &m->officer_len, m->officer)) != 0)
		return r;
	/*@ assert str_ok(&m->reason[0], m->reason_len); */
	if ((r = tes_cur_get_u64be(&c, &m->time)) != 0 || (r = decision_check(m)) != 0)
		return r;
	/*= spec/STORAGE.md#bodies MUST-B4: a version 1 body, or one with the policy tail */
	return get_policy_tail(&c, m);
}

/*@ requires \valid_read(m);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 ==> 1 <= m->kind <= TES_AUDIT_MAX;
    ensures \result == 0 ==> m->who_len == 0 || name_ok(&m->who[0], m->who_len);
    ensures \result == 0 ==> m->text_len <= TES_JOURNAL_TEXT_MAX &&
            text_ok(&m->text[0], m->text_len, 0x20);
    ensures \result == 0 || \result < 0;
 */
static int
audit_check(const struct tes_journal_audit *m)
{
	int r;

	/*= spec/STORAGE.md#bodies MUST-B5 */
	if (m->kind < 1 || m->kind > TES_AUDIT_MAX)
		return TES_ERR_FORMAT;
	if (m->who_len != 0 && (r = name_field_valid(m->who, m->who_len)) != 0)
		return r;
	return ascii_valid(m->text, m->text_len, TES_JOURNAL_TEXT_MAX, 0x20);
}

/* see journal.h */
int
tes_journal_audit_encode(const struct tes_journal_audit *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	if ((r = audit_check(m)) != 0)
		return r;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_u8(&c, m->kind)) != 0 || (r = tes_cur_put_str8(&c, m->who, m->who_len)) != 0 ||
	    (r = tes_cur_put_str8(&c, m->text, m->text_len)) != 0 ||
	    (r = tes_cur_put_u64be(&c, m->time)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see journal.h */
int
tes_journal_audit_decode(const uint8_t *p, size_t n, struct tes_journal_audit *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u8(&c, &m->kind)) != 0 ||
	    (r = tes_cur_get_str8(&c, TES_NAME_MAX, &m->who_len, m->who)) != 0 ||
	    (r = tes_cur_get_str8(&c, TES_JOURNAL_TEXT_MAX, &m->text_len, m->text)) != 0)
		return r;
	/*@ assert str_ok(&m->who[0], m->who_len); */
	if ((r = tes_cur_get_u64be(&c, &m->time)) != 0 || (r = audit_check(m)) != 0)
		return r;
	return done(&c);
}

/* 1..TES_JOURNAL_POLICY_TEXT_MAX bytes of a policy file: printable, tab, LF, CR. */
/*@ requires n <= TES_JOURNAL_POLICY_TEXT_MAX ==> \valid_read(s + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> jpolicy_text_ok(s, n);
    ensures \result == 0 || \result == TES_ERR_TOOLONG || \result == TES_ERR_FORMAT;
 */
static int
policy_text_valid(const uint8_t *s, size_t n)
{
	size_t i;

	if (n > TES_JOURNAL_POLICY_TEXT_MAX)
		return TES_ERR_TOOLONG;
	if (n == 0)
		return TES_ERR_FORMAT;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> jpolicy_char(s[k]);
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if ((s[i] < 0x20 || s[i] > 0x7e) && s[i] != '\t' && s[i] != '\n' && s[i] != '\r')
			return TES_ERR_FORMAT;
	return 0;
}

/* see journal.h */
int
tes_journal_policy_encode(const struct tes_journal_policy *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	/*= spec/STORAGE.md#bodies MUST-B8 */
	if (m->version == 0)
		return TES_ERR_FORMAT;
	if ((r = policy_text_valid(m->text, m->text_len)) != 0)
		return r;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_u32be(&c, m->version)) != 0 || (r = tes_cur_put_u16be(&c, m->text_len)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->text, m->text_len)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see journal.h */
int
tes_journal_policy_decode(const uint8_t *p, size_t n, struct tes_journal_policy *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u32be(&c, &m->version)) != 0 || (r = tes_cur_get_u16be(&c, &m->text_len)) != 0)
		return r;
	/*= spec/STORAGE.md#bodies MUST-B8: version >= 1, the length checked before the bytes are read */
	if (m->version == 0)
		return TES_ERR_FORMAT;
	if (m->text_len > TES_JOURNAL_POLICY_TEXT_MAX)
		return TES_ERR_TOOLONG;
	if ((r = tes_cur_get_bytes(&c, m->text, m->text_len)) != 0 ||
	    (r = policy_text_valid(m->text, m->text_len)) != 0)
		return r;
	return done(&c);
}

/* see journal.h */
int
tes_journal_disable_encode(const struct tes_journal_disable *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	/*= spec/STORAGE.md#bodies MUST-B9 */
	if ((r = name_field_valid(m->name, m->name_len)) != 0)
		return r;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_str8(&c, m->name, m->name_len)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see journal.h */
int
tes_journal_disable_decode(const uint8_t *p, size_t n, struct tes_journal_disable *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_str8(&c, TES_NAME_MAX, &m->name_len, m->name)) != 0 ||
	    (r = name_field_valid(m->name, m->name_len)) != 0)
		return r;
	return done(&c);
}

/*
 * tes_field_plate_valid() on a char array of TES_PLATE_MAX + 1 bytes: a
 * length that does not fit is refused before any byte is read.
 */
/*@ requires \valid_read(s + (0 .. TES_PLATE_MAX));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> jplate_ok(s, n);
    ensures \result == 0 || \result == TES_ERR_PLATE;
 */
static int
plate_field_valid(const char *s, size_t n)
{
	if (n > TES_PLATE_MAX)
		return TES_ERR_PLATE;
	return tes_field_plate_valid(s, n);
}

/*@ requires \valid_read(m);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> jimport_ok(m);
    ensures \result == 0 || \result < 0;
 */
static int
import_check(const struct tes_journal_import *m)
{
	int r;

	/*= spec/STORAGE.md#bodies MUST-B10 */
	if ((r = plate_field_valid(m->plate, m->plate_len)) != 0)
		return r;
	if (m->points < 1 || m->points > TES_JOURNAL_IMPORT_POINTS_MAX || m->count < 1 ||
	    m->index >= m->count)
		return TES_ERR_FORMAT;
	return 0;
}

/* see journal.h */
int
tes_journal_import_encode(const struct tes_journal_import *m, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	if ((r = import_check(m)) != 0)
		return r;
	tes_cur_init_wr(&c, out, cap);
	if ((r = tes_cur_put_str8(&c, m->plate, m->plate_len)) != 0 ||
	    (r = tes_cur_put_u32be(&c, m->points)) != 0 || (r = tes_cur_put_u64be(&c, m->time)) != 0 ||
	    (r = tes_cur_put_bytes(&c, m->batch, TES_JOURNAL_BATCH_LEN)) != 0 ||
	    (r = tes_cur_put_u32be(&c, m->index)) != 0 || (r = tes_cur_put_u32be(&c, m->count)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see journal.h */
int
tes_journal_import_decode(const uint8_t *p, size_t n, struct tes_journal_import *m)
{
	struct tes_cur c;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_str8(&c, TES_PLATE_MAX, &m->plate_len, m->plate)) != 0 ||
	    (r = tes_cur_get_u32be(&c, &m->points)) != 0 || (r = tes_cur_get_u64be(&c, &m->time)) != 0 ||
	    (r = tes_cur_get_bytes(&c, m->batch, TES_JOURNAL_BATCH_LEN)) != 0 ||
	    (r = tes_cur_get_u32be(&c, &m->index)) != 0 || (r = tes_cur_get_u32be(&c, &m->count)) != 0)
		return r;
	/*@ assert str_ok(&m->plate[0], m->plate_len); */
	if ((r = import_check(m)) != 0)
		return r;
	return done(&c);
}
