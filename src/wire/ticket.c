/* SPDX-License-Identifier: ISC */
#include "wire/ticket.h"
#include "common/cur.h"
#include "common/err.h"
#include "wire/field.h"

/*@ requires \valid_read(p + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> (\forall integer i; 0 <= i < n ==> p[i] == 0);
 */
static int
all_zero(const uint8_t *p, size_t n)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer j; 0 <= j < i ==> p[j] == 0;
	    loop assigns i;
	    loop variant n - i;
	 */
	for (i = 0; i < n; i++)
		if (p[i] != 0)
			return 0;
	return 1;
}

/*@ terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> ticket_times_ok(issued, expiry);
 */
static int
times_ok(uint64_t issued, uint64_t expiry)
{
	return issued < expiry && expiry - issued <= TES_TICKET_LIFETIME;
}

/*@ requires \valid_read(k);
    terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> ticket_keys_ok(k);
 */
static int
keys_ok(const struct tes_ticket_keys *k)
{
	/*= spec/STORAGE.md#ticket-key MUST-TK1 */
	if (k->cur_kid < 1 || k->prev_kid == k->cur_kid)
		return 0;
	if (k->prev_kid == 0 && (k->prev_created != 0 || !all_zero(k->prev, TES_TICKET_KEY_LEN)))
		return 0;
	return 1;
}

/* see ticket.h */
int
tes_ticket_plain_encode(const struct tes_ticket *t, uint8_t *out, size_t cap, size_t *used)
{
	struct tes_cur c;
	int r;

	/* what the decoder refuses is not written; the length also bounds the read of user */
	if (t->version != TES_TICKET_VERSION || t->user_len < 1 || t->user_len > TES_NAME_MAX)
		return TES_ERR_ARG;
	if (tes_field_name_valid(t->user, t->user_len) != 0 || !times_ok(t->issued, t->expiry))
		return TES_ERR_ARG;
	if (cap < 146u + t->user_len)
		return TES_ERR_SPACE;
	tes_cur_init_wr(&c, out, cap);
	/* cap was checked: none of these can fail (put_str8 does not promise it, so it is checked) */
	(void)tes_cur_put_u8(&c, t->version);
	(void)tes_cur_put_bytes(&c, t->unit_key, TES_KEYID_LEN);
	(void)tes_cur_put_bytes(&c, t->server_key, TES_KEYID_LEN);
	//@ assert c.off == 65;
	if ((r = tes_cur_put_str8(&c, t->user, t->user_len)) != 0)
		return r;
	//@ assert c.off == 66 + t->user_len;
	(void)tes_cur_put_bytes(&c, t->pw_bind, TES_HASH_LEN);
	(void)tes_cur_put_bytes(&c, t->res_secret, TES_HASH_LEN);
	//@ assert c.off == 130 + t->user_len;
	(void)tes_cur_put_u64be(&c, t->issued);
	(void)tes_cur_put_u64be(&c, t->expiry);
	*used = c.off;
	return 0;
}

/* see ticket.h */
int
tes_ticket_plain_decode(const uint8_t *p, size_t n, struct tes_ticket *t)
{
	struct tes_cur c;
	uint64_t issued, expiry;
	int r;

	tes_cur_init_rd(&c, p, n);
	if ((r = tes_cur_get_u8(&c, &t->version)) != 0)
		return r;
	if (t->version != TES_TICKET_VERSION)
		return TES_ERR_VERSION;
	if ((r = tes_cur_get_bytes(&c, t->unit_key, TES_KEYID_LEN)) != 0)
		return r;
	if ((r = tes_cur_get_bytes(&c, t->server_key, TES_KEYID_LEN)) != 0)
		return r;
	//@ assert c.off == 65;
	if ((r = tes_cur_get_str8(&c, TES_NAME_MAX, &t->user_len, t->user)) != 0)
		return r;
	//@ assert c.off == 66 + t->user_len;
	if ((r = tes_cur_get_bytes(&c, t->pw_bind, TES_HASH_LEN)) != 0)
		return r;
	if ((r = tes_cur_get_bytes(&c, t->res_secret, TES_HASH_LEN)) != 0)
		return r;
	//@ assert c.off == 130 + t->user_len;
	if ((r = tes_cur_get_u64be(&c, &issued)) != 0)
		return r;
	if ((r = tes_cur_get_u64be(&c, &expiry)) != 0)
		return r;
	//@ assert c.off == 146 + t->user_len;
	t->issued = issued;
	t->expiry = expiry;
	/*= spec/PROTOCOL.md#encoding MUST-E2: no trailing bytes */
	if (tes_cur_left(&c) != 0)
		return TES_ERR_FORMAT;
	if (!times_ok(t->issued, t->expiry))
		return TES_ERR_FORMAT;
	/* last, so that nothing is written to t after the check */
	if ((r = tes_field_name_valid(t->user, t->user_len)) != 0)
		return r;
	return 0;
}

/*@ requires \valid(dst + (0 .. TES_TICKET_KEY_LEN-1)) && \valid_read(src + (0 .. TES_TICKET_KEY_LEN-1));
    requires \separated(dst + (0 .. TES_TICKET_KEY_LEN-1), src + (0 .. TES_TICKET_KEY_LEN-1));
    terminates \true;
    assigns dst[0 .. TES_TICKET_KEY_LEN-1];
    ensures \forall integer i; 0 <= i < TES_TICKET_KEY_LEN ==> dst[i] == src[i];
 */
static void
put_key(uint8_t *dst, const uint8_t *src)
{
	size_t i;

	/*@ loop invariant 0 <= i <= TES_TICKET_KEY_LEN;
	    loop invariant \forall integer j; 0 <= j < i ==> dst[j] == src[j];
	    loop assigns i, dst[0 .. TES_TICKET_KEY_LEN-1];
	    loop variant TES_TICKET_KEY_LEN - i;
	 */
	for (i = 0; i < TES_TICKET_KEY_LEN; i++)
		dst[i] = src[i];
}

/* see ticket.h */
int
tes_ticket_keys_encode(const struct tes_ticket_keys *k, uint8_t *out, size_t cap, size_t *used)
{
	if (!keys_ok(k))
		return TES_ERR_ARG;
	if (cap < TES_TICKET_KEYS_LEN)
		return TES_ERR_SPACE;
	/* a fixed layout: each field at its offset (magic 0, cur 8, 12, 20, prev 52, 56, 64) */
	tes_cur_enc64be(out, TES_TICKET_KEYS_MAGIC);
	tes_cur_enc32be(out + 8, k->cur_kid);
	tes_cur_enc64be(out + 12, k->cur_created);
	put_key(out + 20, k->cur);
	tes_cur_enc32be(out + 52, k->prev_kid);
	tes_cur_enc64be(out + 56, k->prev_created);
	put_key(out + 64, k->prev);
	*used = TES_TICKET_KEYS_LEN;
	return 0;
}

/* see ticket.h */
int
tes_ticket_keys_decode(const uint8_t *p, size_t n, struct tes_ticket_keys *k)
{
	struct tes_cur c;
	uint64_t magic;

	if (n != TES_TICKET_KEYS_LEN)
		return TES_ERR_FORMAT;
	tes_cur_init_rd(&c, p, n);
	/* n was checked: none of these can fail */
	(void)tes_cur_get_u64be(&c, &magic);
	(void)tes_cur_get_u32be(&c, &k->cur_kid);
	(void)tes_cur_get_u64be(&c, &k->cur_created);
	(void)tes_cur_get_bytes(&c, k->cur, TES_TICKET_KEY_LEN);
	(void)tes_cur_get_u32be(&c, &k->prev_kid);
	(void)tes_cur_get_u64be(&c, &k->prev_created);
	(void)tes_cur_get_bytes(&c, k->prev, TES_TICKET_KEY_LEN);
	/*= spec/STORAGE.md#ticket-key MUST-TK1 */
	if (magic != TES_TICKET_KEYS_MAGIC || !keys_ok(k))
		return TES_ERR_FORMAT;
	return 0;
}
