/* SPDX-License-Identifier: ISC */
#include "police/spool.h"
#include "common/ct.h"
#include "common/cur.h"
#include "common/err.h"
#include "crypto/hmac.h"
#include "wire/field.h"
#include "wire/msg.h"

/* "timeless", the prefix of a timeless input's memory key, as two big-endian words */
enum {
	TIMELESS_HI = 0x74696D65, /* "time" */
	TIMELESS_LO = 0x6C657373  /* "less" */
};

_Static_assert(TES_SPOOL_ADD_LEN_MAX <= 65535, "the length field holds every record");
_Static_assert(TES_SPOOL_DONE_LEN < TES_SPOOL_SEEN_LEN && TES_SPOOL_SEEN_LEN < TES_SPOOL_ADD_LEN_MIN,
	       "DONE is the smallest record, ADD the largest");
_Static_assert(TES_SPOOL_ADD_FIXED + 1 + 62 + 1 == TES_SPOOL_ADD_BODY_MIN, "ADD body sizes");

/* Whether p[off .. n-1] are all zero (indices as they are, for the callers' contracts). */
/*@ requires off <= n && \valid_read(p + (off .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 1 ==> (\forall integer k; off <= k < n ==> p[k] == 0);
    ensures (\forall integer k; off <= k < n ==> p[k] == 0) ==> \result == 1;
    ensures \result == 0 || \result == 1;
 */
static int
zero_from(const uint8_t *p, size_t off, size_t n)
{
	size_t i;

	/*@ loop invariant off <= i <= n;
	    loop invariant \forall integer k; off <= k < i ==> p[k] == 0;
	    loop assigns i;
	    loop variant n - i; */
	for (i = off; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/*@ terminates \true;
    assigns \nothing;
    ensures \result == 1 <==> spool_len_ok(type, l);
    ensures \result == 0 || \result == 1;
 */
static int
len_ok(uint8_t type, size_t l)
{
	/*= spec/SPOOL.md#format MUST-SP4: the length of each type */
	switch (type) {
	case TES_SPOOL_ADD:
		return l >= TES_SPOOL_ADD_LEN_MIN && l <= TES_SPOOL_ADD_LEN_MAX;
	case TES_SPOOL_DONE:
		return l == TES_SPOOL_DONE_LEN;
	case TES_SPOOL_SEEN:
		return l == TES_SPOOL_SEEN_LEN;
	default:
		return 0;
	}
}

/* dst[0 .. n-1] = src[0 .. n-1]. */
/*@ requires \valid(dst + (0 .. n-1)) && \valid_read(src + (0 .. n-1));
    requires \separated(dst + (0 .. n-1), src + (0 .. n-1));
    terminates \true;
    assigns dst[0 .. n-1];
    ensures \forall integer k; 0 <= k < n ==> dst[k] == src[k];
 */
static void
copy_bytes(uint8_t *dst, const uint8_t *src, size_t n)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> dst[k] == src[k];
	    loop assigns i, dst[0 .. n-1];
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		dst[i] = src[i];
}

/* see spool.h */
void
tes_spool_hdr_encode(const uint8_t salt[static TES_SPOOL_SALT_LEN], uint8_t out[static TES_SPOOL_HDR_LEN])
{
	/* "TESSPOOL", byte by byte: the provers read these straight */
	out[0] = 0x54;
	out[1] = 0x45;
	out[2] = 0x53;
	out[3] = 0x53;
	out[4] = 0x50;
	out[5] = 0x4F;
	out[6] = 0x4F;
	out[7] = 0x4C;
	out[8] = TES_SPOOL_VERSION;
	out[9] = out[10] = out[11] = out[12] = out[13] = out[14] = out[15] = 0;
	copy_bytes(out + 16, salt, TES_SPOOL_SALT_LEN);
}

/* The seven reserved bytes of a header are zero. */
/*@ requires \valid_read(p + (0 .. 15));
    terminates \true;
    assigns \nothing;
    ensures \result == 1 <==> p[9] == 0 && p[10] == 0 && p[11] == 0 && p[12] == 0 && p[13] == 0 &&
                              p[14] == 0 && p[15] == 0;
    ensures \result == 0 || \result == 1;
 */
static int
reserved_zero(const uint8_t *p)
{
	return p[9] == 0 && p[10] == 0 && p[11] == 0 && p[12] == 0 && p[13] == 0 && p[14] == 0 && p[15] == 0;
}

/* see spool.h */
int
tes_spool_hdr_decode(const uint8_t *p, size_t n, uint8_t salt[static TES_SPOOL_SALT_LEN])
{
	if (n < TES_SPOOL_HDR_LEN)
		return TES_ERR_TRUNCATED;
	/*= spec/SPOOL.md#format MUST-SP3: magic, version 1, reserved bytes zero */
	if (tes_cur_dec32be(p) != TES_SPOOL_MAGIC_HI || tes_cur_dec32be(p + 4) != TES_SPOOL_MAGIC_LO ||
	    !reserved_zero(p))
		return TES_ERR_FORMAT;
	if (p[8] != TES_SPOOL_VERSION)
		return TES_ERR_VERSION;
	copy_bytes(salt, p + 16, TES_SPOOL_SALT_LEN);
	return 0;
}

/* see spool.h */
int
tes_spool_next(const uint8_t *p, size_t n, size_t off, struct tes_spool_rec *rec)
{
	size_t left = n - off, l;

	/*= spec/SPOOL.md#torn MUST-SP11: what a torn tail is */
	if (left < 2 || zero_from(p, off, n))
		return TES_ERR_TRUNCATED;
	l = tes_cur_dec16be(p + off);
	if (l < TES_SPOOL_DONE_LEN || l > TES_SPOOL_ADD_LEN_MAX)
		return TES_ERR_FORMAT;
	if (left >= 3 && !len_ok(p[off + 2], l))
		return TES_ERR_FORMAT;
	if (left - 2 < l)
		return TES_ERR_TRUNCATED;
	rec->off = off;
	rec->len = 2 + l;
	rec->type = p[off + 2];
	return 0;
}

/*
 * The frame of one whole record q (m bytes) of the given type: its length
 * field says m - 2 and agrees with the type. c then reads its body.
 */
/*@ requires \valid_read(q + (0 .. m-1)) && \valid(c);
    requires \separated(c, q + (0 .. m-1));
    terminates \true;
    assigns *c;
    ensures \result == 0 || \result == TES_ERR_TRUNCATED || \result == TES_ERR_FORMAT ||
            \result == TES_ERR_TYPE;
    ensures \result == 0 ==> m >= TES_SPOOL_OVERHEAD && spool_len_ok(type, m - 2) && cur_rd(c) &&
            c->off == 0 && c->len == m - TES_SPOOL_OVERHEAD && c->buf == q + 3;
 */
static int
body_cur(const uint8_t *q, size_t m, uint8_t type, struct tes_cur *c)
{
	if (m < TES_SPOOL_OVERHEAD)
		return TES_ERR_TRUNCATED;
	if (tes_cur_dec16be(q) != m - 2)
		return TES_ERR_FORMAT;
	if (q[2] != type)
		return TES_ERR_TYPE;
	if (!len_ok(type, m - 2))
		return TES_ERR_FORMAT;
	tes_cur_init_rd(c, q + 3, m - TES_SPOOL_OVERHEAD);
	return 0;
}

/* The timeless flag is 0 or 1, and the digest is zero unless it is 1. */
/*@ requires \valid_read(a);
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> a->timeless <= 1 &&
            (a->timeless == 0 ==> \forall integer k; 0 <= k < TES_SPOOL_DIGEST_LEN ==> a->digest[k] == 0);
    ensures \result == 0 || \result == TES_ERR_FORMAT;
 */
static int
digest_check(const struct tes_spool_add *a)
{
	/*= spec/SPOOL.md#format MUST-SP5: the flag and the digest */
	if (a->timeless > 1 || (a->timeless == 0 && !zero_from(a->digest, 0, TES_SPOOL_DIGEST_LEN)))
		return TES_ERR_FORMAT;
	return 0;
}

/* An ADD's fields before its report: user, spooled_at, timeless, digest. */
/*@ requires cur_rd(c) && \valid(a);
    requires \separated(a, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, a->user_len, a->user[0 .. TES_SPOOL_USER_MAX], a->spooled_at, a->timeless,
            a->digest[0 .. TES_SPOOL_DIGEST_LEN - 1];
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == \old(c->off) + 1 + a->user_len + 8 + 1 + TES_SPOOL_DIGEST_LEN;
    ensures \result == 0 ==> a->user_len <= TES_SPOOL_USER_MAX && a->user[a->user_len] == 0;
 */
static int
add_head(struct tes_cur *c, struct tes_spool_add *a)
{
	int r;

	if ((r = tes_cur_get_str8(c, TES_SPOOL_USER_MAX, &a->user_len, a->user)) != 0 ||
	    (r = tes_cur_get_u64be(c, &a->spooled_at)) != 0 || (r = tes_cur_get_u8(c, &a->timeless)) != 0 ||
	    (r = tes_cur_get_bytes(c, a->digest, TES_SPOOL_DIGEST_LEN)) != 0)
		return r;
	return 0;
}

/* An ADD's report (a view of its rlen bytes) and signature, which end the body. */
/*@ requires cur_rd(c) && \valid(a) && \valid(rep) && \valid(rlen);
    requires \separated(a, rep, rlen, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, a->sig[0 .. TES_RSA_LEN - 1], *rlen;
    assigns *rep \from c->buf, c->off;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> \old(c->off) + 2 + *rlen + TES_RSA_LEN == c->len;
    ensures \result == 0 ==> *rep == c->buf + (\old(c->off) + 2) && \valid_read(*rep + (0 .. *rlen - 1));
 */
static int
add_tail(struct tes_cur *c, struct tes_spool_add *a, const uint8_t **rep, uint16_t *rlen)
{
	int r;

	if ((r = tes_cur_get_u16be(c, rlen)) != 0 || (r = tes_cur_get_view(c, rep, *rlen)) != 0 ||
	    (r = tes_cur_get_bytes(c, a->sig, TES_RSA_LEN)) != 0)
		return r;
	return tes_cur_left(c) == 0 ? 0 : TES_ERR_FORMAT;
}

/* see spool.h */
int
tes_spool_add_decode(const uint8_t *q, size_t m, struct tes_spool_add *a)
{
	const uint8_t *rep;
	struct tes_cur c;
	uint16_t rlen;
	uint8_t ulen;
	int r;

	if ((r = body_cur(q, m, TES_SPOOL_ADD, &c)) != 0 || (r = add_head(&c, a)) != 0 ||
	    (r = add_tail(&c, a, &rep, &rlen)) != 0)
		return r;
	ulen = a->user_len;
	/*@ assert m == TES_SPOOL_OVERHEAD + TES_SPOOL_ADD_FIXED + ulen + rlen; */
	/*= spec/SPOOL.md#format MUST-SP5: a user name, the report as the protocol's decoder takes it */
	if ((r = tes_field_name_valid(a->user, a->user_len)) != 0 || (r = digest_check(a)) != 0)
		return r;
	/*@ assert spool_user_ok(&a->user[0], a->user_len) && a->timeless <= 1; */
	/*@ assert a->timeless == 0 ==> \forall integer k; 0 <= k < TES_SPOOL_DIGEST_LEN ==> a->digest[k] == 0; */
	if ((r = tes_msg_report_decode(rep, rlen, &a->report)) != 0)
		return r;
	/*@ assert rlen == 62 + a->report.plate_len + a->report.loc_len; */
	/* the same value again, written after the report: the size's proof then needs no frame */
	a->user_len = ulen;
	return 0;
}

/* see spool.h */
int
tes_spool_done_decode(const uint8_t *q, size_t m, struct tes_spool_done *d)
{
	struct tes_cur c;
	int r;

	if ((r = body_cur(q, m, TES_SPOOL_DONE, &c)) != 0)
		return r;
	if ((r = tes_cur_get_bytes(&c, d->id, TES_REPORT_ID_LEN)) != 0 ||
	    (r = tes_cur_get_u8(&c, &d->status)) != 0 || (r = tes_cur_get_u64be(&c, &d->at)) != 0)
		return r;
	/*= spec/SPOOL.md#format MUST-SP6: a DONE's status */
	if (d->status < 1 || d->status > TES_SPOOL_STATUS_MAX)
		return TES_ERR_FORMAT;
	return 0;
}

/* see spool.h */
int
tes_spool_seen_decode(const uint8_t *q, size_t m, struct tes_spool_seen *s)
{
	struct tes_cur c;
	int r;

	if ((r = body_cur(q, m, TES_SPOOL_SEEN, &c)) != 0)
		return r;
	if ((r = tes_cur_get_bytes(&c, s->digest, TES_SPOOL_DIGEST_LEN)) != 0 ||
	    (r = tes_cur_get_bytes(&c, s->id, TES_REPORT_ID_LEN)) != 0 ||
	    (r = tes_cur_get_u64be(&c, &s->observed)) != 0 || (r = tes_cur_get_u64be(&c, &s->first)) != 0)
		return r;
	return 0;
}

/*
 * HMAC-SHA256(key, p[0 .. n-1]). A typed front to tes_hmac_sha256, which
 * takes the data as void *: its contract is trusted, not proven
 * (proofs/README.md, trusted stubs).
 */
/*@ requires \valid_read(key + (0 .. TES_SPOOL_KEY_LEN - 1)) && \valid_read(p + (0 .. n-1));
    requires \valid(out + (0 .. TES_SPOOL_TAG_LEN - 1));
    requires \separated(out + (0 .. TES_SPOOL_TAG_LEN - 1), key + (0 .. TES_SPOOL_KEY_LEN - 1), p + (0 .. n-1));
    terminates \true;
    assigns out[0 .. TES_SPOOL_TAG_LEN - 1];
 */
static void
rec_tag(const uint8_t key[static TES_SPOOL_KEY_LEN], const uint8_t *p, size_t n,
	uint8_t out[static TES_SPOOL_TAG_LEN])
{
	tes_hmac_sha256(key, TES_SPOOL_KEY_LEN, p, n, out);
}

/* see spool.h */
int
tes_spool_verify(const uint8_t key[static TES_SPOOL_KEY_LEN], const uint8_t *q, size_t m)
{
	uint8_t tag[TES_SPOOL_TAG_LEN];

	if (m < TES_SPOOL_OVERHEAD)
		return TES_ERR_TRUNCATED;
	/*= spec/SPOOL.md#keys MUST-SP7: every byte before the tag, compared in constant time */
	rec_tag(key, q, m - TES_SPOOL_TAG_LEN, tag);
	return tes_ct_eq(tag, q + m - TES_SPOOL_TAG_LEN, TES_SPOOL_TAG_LEN) == 0 ? 0 : TES_ERR_MAC;
}

/* The length field and the type. */
/*@ requires cur_wr(c) && l <= 65535;
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == \old(c->off) + 3;
 */
static int
put_head(struct tes_cur *c, uint8_t type, size_t l)
{
	int r;

	if ((r = tes_cur_put_u16be(c, (uint16_t)l)) != 0 || (r = tes_cur_put_u8(c, type)) != 0)
		return r;
	return 0;
}

/* The tag of everything written so far. */
/*@ requires cur_wr(c) && \valid_read(key + (0 .. TES_SPOOL_KEY_LEN - 1));
    requires \separated(key + (0 .. TES_SPOOL_KEY_LEN - 1), c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == \old(c->off) + TES_SPOOL_TAG_LEN;
 */
static int
put_tag(const uint8_t key[static TES_SPOOL_KEY_LEN], struct tes_cur *c)
{
	uint8_t tag[TES_SPOOL_TAG_LEN];

	rec_tag(key, c->buf, c->off, tag);
	return tes_cur_put_bytes(c, tag, TES_SPOOL_TAG_LEN);
}

/* An ADD's fields before its report: user, spooled_at, timeless, digest. */
/*@ requires cur_wr(c) && \valid_read(a) && a->user_len <= TES_SPOOL_USER_MAX;
    requires \separated(a, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == \old(c->off) + 1 + a->user_len + 8 + 1 + TES_SPOOL_DIGEST_LEN;
 */
static int
put_add_head(struct tes_cur *c, const struct tes_spool_add *a)
{
	int r;

	if ((r = tes_cur_put_str8(c, a->user, a->user_len)) != 0 ||
	    (r = tes_cur_put_u64be(c, a->spooled_at)) != 0 || (r = tes_cur_put_u8(c, a->timeless)) != 0 ||
	    (r = tes_cur_put_bytes(c, a->digest, TES_SPOOL_DIGEST_LEN)) != 0)
		return r;
	return 0;
}

/* An ADD's report (already encoded: rep, rn bytes) and signature. */
/*@ requires cur_wr(c) && \valid_read(sig + (0 .. TES_RSA_LEN - 1));
    requires \valid_read(rep + (0 .. rn-1)) && rn <= TES_REPORT_MAX;
    requires \separated(sig + (0 .. TES_RSA_LEN - 1), c, c->buf + (0 .. c->len - 1));
    requires \separated(rep + (0 .. rn-1), c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == \old(c->off) + 2 + rn + TES_RSA_LEN;
 */
static int
put_add_tail(struct tes_cur *c, const uint8_t *rep, size_t rn, const uint8_t *sig)
{
	int r;

	if ((r = tes_cur_put_u16be(c, (uint16_t)rn)) != 0 || (r = tes_cur_put_bytes(c, rep, rn)) != 0 ||
	    (r = tes_cur_put_bytes(c, sig, TES_RSA_LEN)) != 0)
		return r;
	return 0;
}

/* see spool.h */
int
tes_spool_add_encode(const uint8_t key[static TES_SPOOL_KEY_LEN], const struct tes_spool_add *a, uint8_t *out,
		     size_t cap, size_t *used)
{
	uint8_t rep[TES_REPORT_MAX];
	struct tes_report chk;
	struct tes_cur c;
	size_t rn, total;
	int r;

	/* a length beyond the array would be read past it */
	if (a->user_len > TES_SPOOL_USER_MAX)
		return TES_ERR_ARG;
	if ((r = tes_field_name_valid(a->user, a->user_len)) != 0 || (r = digest_check(a)) != 0)
		return r;
	if ((r = tes_msg_report_encode(&a->report, rep, sizeof(rep), &rn)) != 0 ||
	    (r = tes_msg_report_decode(rep, rn, &chk)) != 0)
		return r;
	total = TES_SPOOL_OVERHEAD + TES_SPOOL_ADD_FIXED + a->user_len + rn;
	if (cap < total)
		return TES_ERR_SPACE;
	tes_cur_init_wr(&c, out, total);
	if ((r = put_head(&c, TES_SPOOL_ADD, total - 2)) != 0 || (r = put_add_head(&c, a)) != 0 ||
	    (r = put_add_tail(&c, rep, rn, a->sig)) != 0 || (r = put_tag(key, &c)) != 0)
		return r;
	/*@ assert c.off == total; */
	*used = c.off;
	return 0;
}

/* see spool.h */
int
tes_spool_done_encode(const uint8_t key[static TES_SPOOL_KEY_LEN], const struct tes_spool_done *d,
		      uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	if (d->status < 1 || d->status > TES_SPOOL_STATUS_MAX)
		return TES_ERR_FORMAT;
	if (cap < 2 + TES_SPOOL_DONE_LEN)
		return TES_ERR_SPACE;
	tes_cur_init_wr(&c, out, 2 + TES_SPOOL_DONE_LEN);
	if ((r = put_head(&c, TES_SPOOL_DONE, TES_SPOOL_DONE_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, d->id, TES_REPORT_ID_LEN)) != 0 ||
	    (r = tes_cur_put_u8(&c, d->status)) != 0 || (r = tes_cur_put_u64be(&c, d->at)) != 0 ||
	    (r = put_tag(key, &c)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see spool.h */
int
tes_spool_seen_encode(const uint8_t key[static TES_SPOOL_KEY_LEN], const struct tes_spool_seen *s,
		      uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	if (cap < 2 + TES_SPOOL_SEEN_LEN)
		return TES_ERR_SPACE;
	tes_cur_init_wr(&c, out, 2 + TES_SPOOL_SEEN_LEN);
	if ((r = put_head(&c, TES_SPOOL_SEEN, TES_SPOOL_SEEN_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, s->digest, TES_SPOOL_DIGEST_LEN)) != 0 ||
	    (r = tes_cur_put_bytes(&c, s->id, TES_REPORT_ID_LEN)) != 0 ||
	    (r = tes_cur_put_u64be(&c, s->observed)) != 0 || (r = tes_cur_put_u64be(&c, s->first)) != 0 ||
	    (r = put_tag(key, &c)) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* see spool.h */
int
tes_spool_id_input(const struct tes_report *r, int with_time, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int e;

	/* a length beyond the array would be read past it */
	if (r->plate_len > TES_PLATE_MAX || r->loc_len > TES_LOCATION_MAX)
		return TES_ERR_ARG;
	tes_cur_init_wr(&c, out, cap);
	/*= spec/SPOOL.md#ids MUST-SP9: the fields as written, length-prefixed, the time last or "timeless" first */
	if (!with_time &&
	    ((e = tes_cur_put_u32be(&c, TIMELESS_HI)) != 0 || (e = tes_cur_put_u32be(&c, TIMELESS_LO)) != 0))
		return e;
	if ((e = tes_cur_put_str8(&c, r->plate, r->plate_len)) != 0 ||
	    (e = tes_cur_put_u16be(&c, r->speed)) != 0 || (e = tes_cur_put_u16be(&c, r->limit)) != 0 ||
	    (e = tes_cur_put_str8(&c, r->loc, r->loc_len)) != 0)
		return e;
	if (with_time && (e = tes_cur_put_u64be(&c, r->time)) != 0)
		return e;
	*used = c.off;
	return 0;
}
