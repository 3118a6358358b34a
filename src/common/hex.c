/* SPDX-License-Identifier: ISC */
/*
 * Lowercase hex (hex.h). Branch-free like the base64 mapping, spelled with
 * arithmetic instead of masks and shifts so that the contracts prove: the
 * divisions by powers of two compile to shifts, the 0/1 range tests
 * multiply instead of selecting.
 */
#include <stdint.h>

#include "common/err.h"
#include "common/hex.h"
#include "common/wipe.h"

/*@ requires x < 2147483648 && y < 2147483648;
    terminates \true;
    assigns \nothing;
    ensures \result == (x < y ? 1 : 0);
 */
/* 1 when x < y, 0 otherwise; x and y below 2^31. */
static uint32_t
lt(uint32_t x, uint32_t y)
{
	return 1u - (x + 2147483648u - y) / 2147483648u;
}

/*@ requires x <= 255 && 1 <= lo <= hi < 255;
    terminates \true;
    assigns \nothing;
    ensures \result == (lo <= x <= hi ? 1 : 0);
 */
/* 1 when lo <= x <= hi, 0 otherwise. */
static uint32_t
in_range(uint32_t x, uint32_t lo, uint32_t hi)
{
	return lt(x, hi + 1) * lt(lo - 1, x);
}

/*@ requires v < 16;
    terminates \true;
    assigns \nothing;
    ensures hex_lower(\result) && hex_value(\result) == v;
 */
/* Lowercase digit of a 4-bit value. */
static char
hex_chr(uint32_t v)
{
	return (char)(v + '0' + lt(9, v) * 39u);
}

/*@ requires \valid(bad) && *bad < SIZE_MAX;
    terminates \true;
    assigns *bad;
    ensures \result == hex_value(ch) && \result < 16;
    ensures hex_digit(ch) ==> *bad == \old(*bad);
    ensures !hex_digit(ch) ==> *bad == \old(*bad) + 1;
 */
/* 4-bit value of a hex digit; counts any other character in *bad. */
static uint32_t
hex_val(char ch, size_t *bad)
{
	uint32_t x = (uint32_t)(ch + 256) % 256u;
	uint32_t d = in_range(x, '0', '9'), l = in_range(x, 'a', 'f'), u = in_range(x, 'A', 'F');

	*bad += 1u - (d + l + u);
	return (d * x - d * '0') + (l * x - l * ('a' - 10)) + (u * x - u * ('A' - 10));
}

/* see b64.h */
void
tes_hex_encode(const uint8_t *in, size_t n, char *out)
{
	size_t i;

	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < 2 * i ==> hex_lower(out[k]);
	    loop invariant \forall integer k; 0 <= k < i ==>
	                   hex_value(out[2 * k]) * 16 + hex_value(out[2 * k + 1]) == in[k];
	    loop assigns i, out[0 .. 2 * n - 1];
	    loop variant n - i; */
	for (i = 0; i < n; i++) {
		out[2 * i] = hex_chr(in[i] / 16u);
		out[2 * i + 1] = hex_chr(in[i] % 16u);
	}
	out[2 * n] = '\0';
}

/* see b64.h */
int
tes_hex_decode(const char *in, size_t n, uint8_t *out, size_t outlen)
{
	size_t i, bad = 0;
	uint32_t hi, lo;

	if (outlen > SIZE_MAX / 2 || n != 2 * outlen)
		return TES_ERR_FORMAT;
	/* no early exit: the time depends on the length only */
	/*@ loop invariant 0 <= i <= outlen;
	    loop invariant 0 <= bad <= 2 * i;
	    loop invariant bad == 0 <==> (\forall integer k; 0 <= k < 2 * i ==> hex_digit(in[k]));
	    loop invariant \forall integer k; 0 <= k < i ==>
	                   out[k] == hex_value(in[2 * k]) * 16 + hex_value(in[2 * k + 1]);
	    loop assigns i, bad, hi, lo, out[0 .. outlen-1];
	    loop variant outlen - i; */
	for (i = 0; i < outlen; i++) {
		hi = hex_val(in[2 * i], &bad);
		lo = hex_val(in[2 * i + 1], &bad);
		out[i] = (uint8_t)(hi * 16u + lo);
	}
	if (bad != 0) {
		tes_wipe_u8(out, outlen);
		return TES_ERR_FORMAT;
	}
	return 0;
}
