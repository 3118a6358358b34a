/* SPDX-License-Identifier: ISC */
#include "store/drivers.h"
#include "common/ct.h"
#include "common/cur.h"
#include "common/err.h"
#include "crypto/hmac.h"
#include "store/seal.h"
#include "wire/field.h"

/*@ terminates \true;
    assigns \nothing;
    ensures \result == ubyte(c) && 0 <= \result <= 255;
 */
/* The byte value of c, what (uint8_t)c is, spelled so that no conversion is out of range. */
static int
byte_value(char c)
{
	return c < 0 ? c + 256 : c;
}

/* see drivers.h */
int
tes_drivers_plate_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i, n = alen < blen ? alen : blen;

	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer j; 0 <= j < i ==> a[j] == b[j];
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (a[i] != b[i])
			return byte_value(a[i]) < byte_value(b[i]) ? -1 : 1;
	if (alen == blen)
		return 0;
	return alen < blen ? -1 : 1;
}

/* Bytes of the plaintext entries (version 2). */
/*@ requires \valid_read(v + (0 .. count-1)) && count <= SIZE_MAX / 512;
    terminates \true;
    assigns \nothing;
    ensures \result <= count * (TES_DRIVERS_ENTRY2_MIN + 255);
 */
static size_t
entries_len(const struct tes_driver *v, size_t count)
{
	size_t i, n = 0;

	/*@ loop invariant 0 <= i <= count;
	    loop invariant n <= i * (TES_DRIVERS_ENTRY2_MIN + 255);
	    loop assigns i, n;
	    loop variant count - i; */
	for (i = 0; i < count; i++)
		n += 1 + (size_t)v[i].plate_len + 4 + 8;
	return n;
}

/* see drivers.h */
size_t
tes_drivers_encoded_len(const struct tes_driver *v, size_t count)
{
	return TES_DRIVERS_HDR_LEN + tes_seal_ct_len(entries_len(v, count)) + TES_JOURNAL_MAC_LEN;
}

/*
 * Entry i is a valid plate, and after entry i - 1 in the order of version:
 * version 1 a greater plate; version 2 a greater plate, or the same plate
 * with the same or a later time.
 */
/*@ requires \valid_read(v + (0 .. i));
    requires i > 0 ==> v[i-1].plate_len <= TES_PLATE_MAX;
    terminates \true;
    assigns \nothing;
    ensures \result == 0 ==> 1 <= v[i].plate_len <= TES_PLATE_MAX &&
            \forall integer k; 0 <= k < v[i].plate_len ==> plate_char(v[i].plate[k]);
    ensures \result == 0 && i > 0 ==> entry_lt(&v[i-1], &v[i], version);
    ensures \result == 0 || \result == TES_ERR_PLATE || \result == TES_ERR_FORMAT;
 */
static int
entry_check(const struct tes_driver *v, size_t i, uint16_t version)
{
	int r, cmp;

	/*= spec/STORAGE.md#drivers MUST-SN2: valid plates, in the order of the version */
	/* a length beyond the array is refused before any byte is read, as tes_field_plate_valid would */
	if (v[i].plate_len > TES_PLATE_MAX)
		return TES_ERR_PLATE;
	if ((r = tes_field_plate_valid(v[i].plate, v[i].plate_len)) != 0)
		return r;
	if (i == 0)
		return 0;
	cmp = tes_drivers_plate_cmp(v[i - 1].plate, v[i - 1].plate_len, v[i].plate, v[i].plate_len);
	if (cmp < 0)
		return 0;
	if (cmp == 0 && version == TES_DRIVERS_VERSION && v[i - 1].time <= v[i].time)
		return 0;
	return TES_ERR_FORMAT;
}

/*@ requires cur_wr(c) && \valid_read(h) && \valid_read(iv + (0 .. TES_DES_BLOCK - 1));
    requires \separated(h, c, c->buf + (0 .. c->len - 1));
    requires \separated(iv + (0 .. TES_DES_BLOCK - 1), c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off == \old(c->off) + TES_DRIVERS_HDR_LEN;
 */
static int
put_hdr(struct tes_cur *c, const struct tes_drivers_hdr *h, const uint8_t iv[static TES_DES_BLOCK])
{
	int r;

	if ((r = tes_cur_put_u32be(c, TES_DRIVERS_MAGIC)) != 0 ||
	    (r = tes_cur_put_u16be(c, TES_DRIVERS_VERSION)) != 0 || (r = tes_cur_put_u16be(c, 0)) != 0 ||
	    (r = tes_cur_put_u64be(c, h->journal_seq)) != 0 ||
	    (r = tes_cur_put_bytes(c, h->mac_at_seq, TES_JOURNAL_MAC_LEN)) != 0 ||
	    (r = tes_cur_put_u32be(c, h->count)) != 0 || (r = tes_cur_put_bytes(c, iv, TES_DES_BLOCK)) != 0)
		return r;
	return 0;
}

/*@ requires cur_wr(c) && \valid_read(v + (0 .. count-1));
    requires \separated(v + (0 .. count-1), c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, c->buf[0 .. c->len - 1];
    ensures \result == 0 || \result < 0;
    ensures c->off <= c->len;
    ensures \result == 0 ==> c->off >= \old(c->off);
 */
static int
put_entries(struct tes_cur *c, const struct tes_driver *v, size_t count)
{
	size_t i;
	int r;

	/*@ loop invariant 0 <= i <= count;
	    loop invariant \at(c->off, LoopEntry) <= c->off <= c->len;
	    loop invariant i > 0 ==> v[i-1].plate_len <= TES_PLATE_MAX;
	    loop assigns i, r, c->off, c->buf[0 .. c->len - 1];
	    loop variant count - i; */
	for (i = 0; i < count; i++) {
		if ((r = entry_check(v, i, TES_DRIVERS_VERSION)) != 0 ||
		    (r = tes_cur_put_str8(c, v[i].plate, v[i].plate_len)) != 0 ||
		    (r = tes_cur_put_u32be(c, v[i].points)) != 0 ||
		    (r = tes_cur_put_u64be(c, v[i].time)) != 0)
			return r;
	}
	return 0;
}

/*
 * HMAC(drivers mac key, p[0 .. n-1]). A typed front to tes_hmac_sha256,
 * which takes the data as void *: its contract is trusted, not proven
 * (proofs/README.md, trusted stubs).
 */
/*@ requires \valid_read(k) && \valid_read(p + (0 .. n-1)) && \valid(out + (0 .. TES_JOURNAL_MAC_LEN - 1));
    requires \separated(out + (0 .. TES_JOURNAL_MAC_LEN - 1), k, p + (0 .. n-1));
    terminates \true;
    assigns out[0 .. TES_JOURNAL_MAC_LEN - 1];
 */
static void
snapshot_mac(const struct tes_seal_keys *k, const uint8_t *p, size_t n,
	     uint8_t out[static TES_JOURNAL_MAC_LEN])
{
	tes_hmac_sha256(k->mac, sizeof(k->mac), p, n, out);
}

/* see drivers.h */
int
tes_drivers_encode(const struct tes_seal_keys *k, const struct tes_drivers_hdr *h,
		   const uint8_t iv[static TES_DES_BLOCK], const struct tes_driver *v, size_t count,
		   uint8_t *out, size_t cap, size_t *used)
{
	uint8_t mac[TES_JOURNAL_MAC_LEN];
	struct tes_cur c;
	size_t total;
	int r;

	if (h->count != count)
		return TES_ERR_ARG;
	total = tes_drivers_encoded_len(v, count);
	if (cap < total)
		return TES_ERR_SPACE;
	tes_cur_init_wr(&c, out, total);
	if ((r = put_hdr(&c, h, iv)) != 0 || (r = put_entries(&c, v, count)) != 0 ||
	    (r = tes_seal_put_pad(&c, c.off - TES_DRIVERS_HDR_LEN)) != 0)
		return r;
	tes_seal_encrypt(k, iv, out + TES_DRIVERS_HDR_LEN, c.off - TES_DRIVERS_HDR_LEN);
	snapshot_mac(k, out, c.off, mac);
	if ((r = tes_cur_put_bytes(&c, mac, sizeof(mac))) != 0)
		return r;
	*used = c.off;
	return 0;
}

/* Header fields after the MAC check. */
/*@ requires cur_rd(c) && \valid(h) && c->off == 0 && c->len == TES_DRIVERS_HDR_LEN;
    requires \separated(h, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *h;
    ensures \result == 0 || \result == TES_ERR_TRUNCATED || \result == TES_ERR_FORMAT ||
            \result == TES_ERR_VERSION;
    ensures \result == 0 ==> \old(be32(c->buf)) == TES_DRIVERS_MAGIC &&
            \old(be16(c->buf + 4)) == h->version && \old(be16(c->buf + 6)) == 0;
    ensures \result == 0 ==> drivers_version_ok(h->version);
 */
static int
get_hdr(struct tes_cur *c, struct tes_drivers_hdr *h)
{
	const uint8_t *iv;
	uint32_t magic;
	uint16_t reserved;
	int r;

	if ((r = tes_cur_get_u32be(c, &magic)) != 0 || (r = tes_cur_get_u16be(c, &h->version)) != 0 ||
	    (r = tes_cur_get_u16be(c, &reserved)) != 0 || (r = tes_cur_get_u64be(c, &h->journal_seq)) != 0 ||
	    (r = tes_cur_get_bytes(c, h->mac_at_seq, TES_JOURNAL_MAC_LEN)) != 0 ||
	    (r = tes_cur_get_u32be(c, &h->count)) != 0 || (r = tes_cur_get_view(c, &iv, TES_DES_BLOCK)) != 0)
		return r;
	if (magic != TES_DRIVERS_MAGIC || reserved != 0)
		return TES_ERR_FORMAT;
	/*= spec/STORAGE.md#drivers MUST-SN1: version 2, or a version 1 file written before it */
	return h->version == TES_DRIVERS_VERSION || h->version == TES_DRIVERS_VERSION_1 ? 0 : TES_ERR_VERSION;
}

/* see drivers.h */
int
tes_drivers_hdr_decode(const struct tes_seal_keys *k, const uint8_t *p, size_t n, struct tes_drivers_hdr *h)
{
	uint8_t mac[TES_JOURNAL_MAC_LEN];
	const uint8_t *body, *tag;
	struct tes_cur c;
	size_t ct_len, entry_min;
	int r;

	if (n < TES_DRIVERS_FILE_MIN)
		return TES_ERR_TRUNCATED;
	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_view(&c, &body, n - TES_JOURNAL_MAC_LEN)) != 0 ||
	    (r = tes_cur_get_view(&c, &tag, TES_JOURNAL_MAC_LEN)) != 0)
		return r;
	/*= spec/STORAGE.md#drivers MUST-SN1: mac first, then the header */
	snapshot_mac(k, body, n - TES_JOURNAL_MAC_LEN, mac);
	if (tes_ct_eq(mac, tag, sizeof(mac)) != 0)
		return TES_ERR_MAC;
	tes_cur_init_rd(&c, body, TES_DRIVERS_HDR_LEN);
	if ((r = get_hdr(&c, h)) != 0)
		return r;
	ct_len = n - TES_DRIVERS_HDR_LEN - TES_JOURNAL_MAC_LEN;
	entry_min = h->version == TES_DRIVERS_VERSION_1 ? TES_DRIVERS_ENTRY1_MIN : TES_DRIVERS_ENTRY2_MIN;
	if (ct_len % TES_DES_BLOCK != 0 || h->count > ct_len / entry_min)
		return TES_ERR_FORMAT;
	return 0;
}

/*@ requires cur_rd(c) && \valid(d) && drivers_version_ok(version);
    requires \separated(d, c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, *d;
    ensures \result == 0 || \result == TES_ERR_TRUNCATED || \result == TES_ERR_PLATE;
    ensures c->off <= c->len;
    ensures \result == 0 ==> d->plate_len <= TES_PLATE_MAX && d->plate[d->plate_len] == 0;
    ensures \result == 0 && version == TES_DRIVERS_VERSION_1 ==> d->time == 0;
 */
static int
get_entry(struct tes_cur *c, struct tes_driver *d, uint16_t version)
{
	const uint8_t *v;
	size_t i;
	int r;

	d->time = 0;
	if ((r = tes_cur_get_u8(c, &d->plate_len)) != 0)
		return r;
	if (d->plate_len > TES_PLATE_MAX)
		return TES_ERR_PLATE;
	if ((r = tes_cur_get_view(c, &v, d->plate_len)) != 0 || (r = tes_cur_get_u32be(c, &d->points)) != 0)
		return r;
	if (version == TES_DRIVERS_VERSION && (r = tes_cur_get_u64be(c, &d->time)) != 0)
		return r;
	/*@ loop invariant 0 <= i <= d->plate_len;
	    loop assigns i, d->plate[0 .. TES_PLATE_MAX - 1];
	    loop variant d->plate_len - i; */
	for (i = 0; i < d->plate_len; i++) {
		/* the two's-complement value (what (char) does on every target
		 * we build for), spelled so that no conversion is out of range */
		d->plate[i] = v[i] < 128 ? (char)v[i] : (char)(v[i] - 256);
	}
	d->plate[d->plate_len] = '\0';
	return 0;
}

/*@ requires cur_rd(c) && \valid(v + (0 .. count-1)) && drivers_version_ok(version);
    requires \separated(v + (0 .. count-1), c, c->buf + (0 .. c->len - 1));
    terminates \true;
    assigns c->off, v[0 .. count-1];
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> c->off == c->len;
 */
static int
get_entries(struct tes_cur *c, struct tes_driver *v, size_t count, uint16_t version)
{
	size_t i;
	int r;

	/*@ loop invariant 0 <= i <= count && c->off <= c->len;
	    loop invariant i > 0 ==> v[i-1].plate_len <= TES_PLATE_MAX;
	    loop assigns i, r, c->off, v[0 .. count-1];
	    loop variant count - i; */
	for (i = 0; i < count; i++)
		if ((r = get_entry(c, &v[i], version)) != 0 || (r = entry_check(v, i, version)) != 0)
			return r;
	return tes_cur_left(c) == 0 ? 0 : TES_ERR_FORMAT;
}

/* see drivers.h */
int
tes_drivers_decode(const struct tes_seal_keys *k, uint8_t *p, size_t n, struct tes_drivers_hdr *h,
		   struct tes_driver *v, size_t max)
{
	uint8_t *ct = p + TES_DRIVERS_HDR_LEN;
	struct tes_cur c;
	size_t ct_len, plain_len;
	int r;

	if ((r = tes_drivers_hdr_decode(k, p, n, h)) != 0)
		return r;
	if (h->count > max)
		return TES_ERR_SPACE;
	ct_len = n - TES_DRIVERS_HDR_LEN - TES_JOURNAL_MAC_LEN;
	/* the IV is the last field of the header, right before the ciphertext */
	tes_seal_decrypt(k, ct - TES_DES_BLOCK, ct, ct_len);
	if ((r = tes_seal_unpad(ct, ct_len, &plain_len)) != 0)
		return r;
	tes_cur_init_rd(&c, ct, plain_len);
	return get_entries(&c, v, h->count, h->version);
}
