/* SPDX-License-Identifier: ISC */
#include <stdint.h>

#include "common/b64.h"
#include "common/err.h"
#include "common/wipe.h"

/* 1 when x < y, 0 otherwise; x and y below 2^31. Branch-free. */
static uint32_t
lt(uint32_t x, uint32_t y)
{
	return (x - y) >> 31;
}

/* All ones when lo <= x <= hi, zero otherwise (1 <= lo <= hi < 255). */
static uint32_t
in_range(uint32_t x, uint32_t lo, uint32_t hi)
{
	return -(lt(x, hi + 1) & lt(lo - 1, x));
}

/* Character for a 6-bit value. */
static char
b64_chr(uint32_t v)
{
	uint32_t c;

	c = v + 'A';
	c += lt(25, v) * 6u;  /* 26..51 -> 'a'..'z' */
	c -= lt(51, v) * 75u; /* 52..61 -> '0'..'9' */
	c -= lt(61, v) * 15u; /* 62 -> '+' */
	c += lt(62, v) * 3u;  /* 63 -> '/' */
	return (char)c;
}

/* 6-bit value of a character; sets *bad to 1 if it is not in the alphabet. */
static uint32_t
b64_val(char ch, uint32_t *bad)
{
	uint32_t x = (uint8_t)ch;
	uint32_t m, v = 0, ok = 0;

	m = in_range(x, 'A', 'Z');
	v |= m & (x - 'A');
	ok |= m;
	m = in_range(x, 'a', 'z');
	v |= m & (x - 'a' + 26);
	ok |= m;
	m = in_range(x, '0', '9');
	v |= m & (x - '0' + 52);
	ok |= m;
	m = in_range(x, '+', '+');
	v |= m & 62;
	ok |= m;
	m = in_range(x, '/', '/');
	v |= m & 63;
	ok |= m;
	*bad |= ~ok & 1;
	return v;
}

/* see b64.h */
int
tes_b64_encode(const uint8_t *in, size_t n, char *out, size_t cap, int pad)
{
	size_t i, o, need;
	uint32_t v;

	if (n > SIZE_MAX / 4)
		return TES_ERR_SPACE;
	need = pad ? (n + 2) / 3 * 4 : (n * 4 + 2) / 3;
	if (cap < need + 1)
		return TES_ERR_SPACE;
	for (i = 0, o = 0; n - i >= 3; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64_chr(v >> 18);
		out[o++] = b64_chr((v >> 12) & 63);
		out[o++] = b64_chr((v >> 6) & 63);
		out[o++] = b64_chr(v & 63);
	}
	if (n - i > 0) {
		v = (uint32_t)in[i] << 16;
		if (n - i == 2)
			v |= (uint32_t)in[i + 1] << 8;
		out[o++] = b64_chr(v >> 18);
		out[o++] = b64_chr((v >> 12) & 63);
		if (n - i == 2)
			out[o++] = b64_chr((v >> 6) & 63);
		while (pad && o < need)
			out[o++] = '=';
	}
	out[o] = '\0';
	return 0;
}

/*
 * Length of the data part (padding removed) and of the decoded bytes, or
 * TES_ERR_FORMAT when the padding or the length cannot be valid.
 */
static int
b64_lengths(const char *in, size_t n, size_t *m, size_t *outlen)
{
	size_t npad = 0, rem;

	if (n > 0 && in[n - 1] == '=') {
		npad = n > 1 && in[n - 2] == '=' ? 2 : 1;
		if (n % 4 != 0)
			return TES_ERR_FORMAT;
	}
	*m = n - npad;
	rem = *m % 4;
	if (rem == 1 || (npad != 0 && rem != 4 - npad))
		return TES_ERR_FORMAT;
	*outlen = *m / 4 * 3 + (rem == 0 ? 0 : rem - 1);
	return 0;
}

/* see b64.h */
int
tes_b64_decode(const char *in, size_t n, uint8_t *out, size_t cap, size_t *outlen)
{
	size_t i, o, m, len, rem;
	uint32_t v, bad = 0;
	int r;

	if ((r = b64_lengths(in, n, &m, &len)) != 0)
		return r;
	if (len > cap)
		return TES_ERR_SPACE;
	for (i = 0, o = 0; m - i >= 4; i += 4) {
		v = b64_val(in[i], &bad) << 18 | b64_val(in[i + 1], &bad) << 12 |
		    b64_val(in[i + 2], &bad) << 6 | b64_val(in[i + 3], &bad);
		out[o++] = (uint8_t)(v >> 16);
		out[o++] = (uint8_t)(v >> 8);
		out[o++] = (uint8_t)v;
	}
	rem = m - i;
	if (rem > 0) {
		v = b64_val(in[i], &bad) << 18 | b64_val(in[i + 1], &bad) << 12;
		if (rem == 3)
			v |= b64_val(in[i + 2], &bad) << 6;
		out[o++] = (uint8_t)(v >> 16);
		if (rem == 3)
			out[o++] = (uint8_t)(v >> 8);
		/* canonical form only: the bits after the last byte must be zero */
		bad |= (rem == 2 ? v & 0xffff : v & 0xff) != 0;
	}
	if (bad) {
		tes_wipe(out, len);
		return TES_ERR_FORMAT;
	}
	*outlen = len;
	return 0;
}
