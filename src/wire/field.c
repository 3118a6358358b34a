/* SPDX-License-Identifier: ISC */
#include "wire/field.h"
#include "common/err.h"

/*@ terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> plate_char(c); */
static int
is_upper_digit(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/*@ terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> alnum_char(c); */
static int
is_alnum(char c)
{
	return is_upper_digit(c) || (c >= 'a' && c <= 'z');
}

/* see validate.h */
int
tes_field_plate_valid(const char *s, size_t n)
{
	size_t i;

	/*= spec/PROTOCOL.md#report-fields MUST-R2: plate alphabet and length */
	if (n < 1 || n > TES_PLATE_MAX)
		return TES_ERR_PLATE;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> plate_char(s[k]);
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (!is_upper_digit(s[i]))
			return TES_ERR_PLATE;
	return 0;
}

/* see validate.h */
int
tes_field_plate_normalize(const char *in, size_t n, char out[static TES_PLATE_MAX + 1], uint8_t *outlen)
{
	size_t i, k = 0;
	char c;

	/*= spec/PROTOCOL.md#report-fields MUST-R2: clients send only the normalised form */
	/*@ loop invariant 0 <= i <= n && 0 <= k <= TES_PLATE_MAX;
	    loop invariant \forall integer j; 0 <= j < k ==> plate_char(out[j]);
	    loop assigns i, k, c, out[0 .. TES_PLATE_MAX - 1];
	    loop variant n - i; */
	for (i = 0; i < n; i++) {
		c = in[i];
		if (c == ' ' || c == '-')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (!is_upper_digit(c) || k >= TES_PLATE_MAX)
			return TES_ERR_PLATE;
		out[k++] = c;
	}
	out[k] = '\0';
	*outlen = (uint8_t)k;
	return k == 0 ? TES_ERR_PLATE : 0;
}

/* see validate.h */
int
tes_field_speed_valid(uint32_t speed)
{
	/*= spec/PROTOCOL.md#report-fields MUST-R3: speed 1..400 km/h */
	return speed >= TES_SPEED_MIN && speed <= TES_SPEED_MAX ? 0 : TES_ERR_SPEED;
}

/* see validate.h */
int
tes_field_limit_valid(uint32_t limit)
{
	/*= spec/PROTOCOL.md#report-fields MUST-R3: limit 0 (not given) or 5..200 */
	if (limit == 0)
		return 0;
	return limit >= TES_LIMIT_MIN && limit <= TES_LIMIT_MAX ? 0 : TES_ERR_LIMIT;
}

/* see validate.h */
int
tes_field_time_valid(uint64_t t, uint64_t now)
{
	/*= spec/PROTOCOL.md#report-fields MUST-R5: no observation from the future */
	if (t < TES_TIME_MIN)
		return TES_ERR_TIME;
	if (now > UINT64_MAX - TES_TIME_SKEW || t > now + TES_TIME_SKEW)
		return TES_ERR_TIME;
	return 0;
}

/*@ terminates \true;
    assigns \nothing;
    ensures \result != 0 <==> loc_char(c); */
static int
is_loc_char(char c)
{
	return is_alnum(c) || c == ' ' || c == '.' || c == ',' || c == '-' || c == '/' || c == ':' ||
	       c == '#';
}

/* see validate.h */
int
tes_field_location_valid(const char *s, size_t n)
{
	size_t i;

	/*= spec/PROTOCOL.md#report-fields MUST-R4: location length and alphabet */
	if (n > TES_LOCATION_MAX)
		return TES_ERR_LOCATION;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> loc_char(s[k]);
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (!is_loc_char(s[i]))
			return TES_ERR_LOCATION;
	return 0;
}

/* see validate.h */
int
tes_field_name_valid(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > TES_NAME_MAX)
		return TES_ERR_NAME;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> name_char(s[k]);
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (!is_alnum(s[i]) && s[i] != '.' && s[i] != '_' && s[i] != '-')
			return TES_ERR_NAME;
	return 0;
}

/* see validate.h */
int
tes_field_password_valid(const char *s, size_t n)
{
	size_t i;

	if (n < 1 || n > TES_PASSWORD_MAX)
		return TES_ERR_ARG;
	/*@ loop invariant 0 <= i <= n;
	    loop invariant \forall integer k; 0 <= k < i ==> s[k] != 0;
	    loop assigns i;
	    loop variant n - i; */
	for (i = 0; i < n; i++)
		if (s[i] == '\0')
			return TES_ERR_ARG;
	return 0;
}
