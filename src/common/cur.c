/* SPDX-License-Identifier: ISC */
#include "common/cur.h"
#include "common/err.h"

/* see cur.h */
void
tes_cur_init_rd(struct tes_cur *c, const uint8_t *buf, size_t len)
{
	/* the cast is confined here: no get_* function writes through buf */
	c->buf = (uint8_t *)buf;
	c->len = buf == NULL ? 0 : len;
	c->off = 0;
}

/* see cur.h */
void
tes_cur_init_wr(struct tes_cur *c, uint8_t *buf, size_t len)
{
	c->buf = buf;
	c->len = buf == NULL ? 0 : len;
	c->off = 0;
}

/* see cur.h */
size_t
tes_cur_left(const struct tes_cur *c)
{
	return c->len - c->off;
}

/* see cur.h */
uint16_t
tes_cur_dec16be(const uint8_t p[static 2])
{
	/*= spec/PROTOCOL.md#encoding MUST-E1: integers are big-endian, most significant byte first */
	return (uint16_t)((uint32_t)p[0] * 256u + (uint32_t)p[1]);
}

/* see cur.h */
uint32_t
tes_cur_dec32be(const uint8_t p[static 4])
{
	return (((uint32_t)p[0] * 256u + p[1]) * 256u + p[2]) * 256u + p[3];
}

/* see cur.h */
uint64_t
tes_cur_dec64be(const uint8_t p[static 8])
{
	return (uint64_t)tes_cur_dec32be(p) * 4294967296u + tes_cur_dec32be(p + 4);
}

/* see cur.h */
void
tes_cur_enc16be(uint8_t p[static 2], uint16_t v)
{
	p[0] = (uint8_t)(v / 256u);
	p[1] = (uint8_t)(v % 256u);
}

/* see cur.h */
void
tes_cur_enc32be(uint8_t p[static 4], uint32_t v)
{
	uint32_t t1 = v / 256u, t2 = t1 / 256u, t3 = t2 / 256u;

	p[3] = (uint8_t)(v % 256u);
	p[2] = (uint8_t)(t1 % 256u);
	p[1] = (uint8_t)(t2 % 256u);
	p[0] = (uint8_t)(t3 % 256u);
	/* stepwise facts the provers need for the non-linear ensures */
	/*@ assert v == t1 * 256 + p[3]; */
	/*@ assert t1 == t2 * 256 + p[2]; */
	/*@ assert t2 == t3 * 256 + p[1]; */
	/*@ assert t3 == p[0]; */
}

/* see cur.h */
void
tes_cur_enc64be(uint8_t p[static 8], uint64_t v)
{
	tes_cur_enc32be(p, (uint32_t)(v / 4294967296u));
	tes_cur_enc32be(p + 4, (uint32_t)(v % 4294967296u));
	/*@ assert be32(p) == v / 4294967296 && be32(p + 4) == v % 4294967296; */
}

/* see cur.h */
int
tes_cur_get_bytes(struct tes_cur *c, uint8_t *out, size_t n)
{
	size_t i;

	if (n > c->len - c->off)
		return TES_ERR_TRUNCATED;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> out[k] == c->buf[c->off + k];
	    loop assigns i, out[0 .. n-1];
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		out[i] = c->buf[c->off + i];
	c->off += n;
	return 0;
}

/* see cur.h */
int
tes_cur_get_view(struct tes_cur *c, const uint8_t **view, size_t n)
{
	if (n > c->len - c->off)
		return TES_ERR_TRUNCATED;
	*view = c->buf + c->off;
	c->off += n;
	return 0;
}

/* see cur.h */
int
tes_cur_get_u8(struct tes_cur *c, uint8_t *v)
{
	if (c->len - c->off < 1)
		return TES_ERR_TRUNCATED;
	*v = c->buf[c->off];
	c->off += 1;
	return 0;
}

/* see cur.h */
int
tes_cur_get_u16be(struct tes_cur *c, uint16_t *v)
{
	if (c->len - c->off < 2)
		return TES_ERR_TRUNCATED;
	*v = tes_cur_dec16be(c->buf + c->off);
	c->off += 2;
	return 0;
}

/* see cur.h */
int
tes_cur_get_u32be(struct tes_cur *c, uint32_t *v)
{
	if (c->len - c->off < 4)
		return TES_ERR_TRUNCATED;
	*v = tes_cur_dec32be(c->buf + c->off);
	c->off += 4;
	return 0;
}

/* see cur.h */
int
tes_cur_get_u64be(struct tes_cur *c, uint64_t *v)
{
	if (c->len - c->off < 8)
		return TES_ERR_TRUNCATED;
	*v = tes_cur_dec64be(c->buf + c->off);
	c->off += 8;
	return 0;
}

/* see cur.h */
int
tes_cur_put_bytes(struct tes_cur *c, const uint8_t *in, size_t n)
{
	size_t i;

	if (n > c->len - c->off)
		return TES_ERR_SPACE;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> c->buf[c->off + k] == in[k];
	    loop assigns i, c->buf[c->off .. c->off + n - 1];
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		c->buf[c->off + i] = in[i];
	c->off += n;
	return 0;
}

/* see cur.h */
int
tes_cur_put_u8(struct tes_cur *c, uint8_t v)
{
	if (c->len - c->off < 1)
		return TES_ERR_SPACE;
	c->buf[c->off] = v;
	c->off += 1;
	return 0;
}

/* see cur.h */
int
tes_cur_put_u16be(struct tes_cur *c, uint16_t v)
{
	if (c->len - c->off < 2)
		return TES_ERR_SPACE;
	tes_cur_enc16be(c->buf + c->off, v);
	c->off += 2;
	return 0;
}

/* see cur.h */
int
tes_cur_put_u32be(struct tes_cur *c, uint32_t v)
{
	if (c->len - c->off < 4)
		return TES_ERR_SPACE;
	tes_cur_enc32be(c->buf + c->off, v);
	c->off += 4;
	return 0;
}

/* see cur.h */
int
tes_cur_put_u64be(struct tes_cur *c, uint64_t v)
{
	if (c->len - c->off < 8)
		return TES_ERR_SPACE;
	tes_cur_enc64be(c->buf + c->off, v);
	c->off += 8;
	return 0;
}

/* Copy n bytes into a NUL-terminated char array of size n + 1. */
/*@ requires \valid(dst + (0 .. n)) && \valid_read(src + (0 .. n-1));
    requires \separated(dst + (0 .. n), src + (0 .. n-1));
    terminates \true;
    assigns dst[0 .. n];
    ensures dst[n] == 0;
 */
static void
copy_str(char *dst, const uint8_t *src, size_t n)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop assigns i, dst[0 .. n-1];
	    loop variant n - i; */
	for (i = 0; i < n; i++) {
		/* the two's-complement value (what (char) does on every target
		 * we build for), spelled so that no conversion is out of range */
		dst[i] = src[i] < 128 ? (char)src[i] : (char)(src[i] - 256);
	}
	dst[n] = '\0';
}

/* see cur.h */
int
tes_cur_get_str8(struct tes_cur *c, size_t max, uint8_t *len, char *out)
{
	const uint8_t *v;
	int r;

	/*= spec/PROTOCOL.md#encoding MUST-E1, MUST-E3: a u8 length, checked against max before the bytes
	 *  it announces are read */
	if ((r = tes_cur_get_u8(c, len)) != 0)
		return r;
	if (*len > max)
		return TES_ERR_TOOLONG;
	if ((r = tes_cur_get_view(c, &v, *len)) != 0)
		return r;
	copy_str(out, v, *len);
	return 0;
}

/* see cur.h */
int
tes_cur_put_str8(struct tes_cur *c, const char *s, uint8_t len)
{
	size_t i;
	int r;

	if ((r = tes_cur_put_u8(c, len)) != 0)
		return r;
	/*@ loop invariant 0 <= i <= len;
	    loop invariant c->off == \at(c->off, LoopEntry) + i && c->off <= c->len;
	    loop assigns i, r, c->off, c->buf[0 .. c->len - 1];
	    loop variant len - i; */
	for (i = 0; i < len; i++)
		if ((r = tes_cur_put_u8(c, s[i] < 0 ? (uint8_t)(s[i] + 256) : (uint8_t)s[i])) != 0)
			return r;
	return 0;
}

/* see cur.h */
void
tes_cur_zero(uint8_t *p, size_t n)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> p[k] == 0;
	    loop assigns i, p[0 .. n-1];
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		p[i] = 0;
}
