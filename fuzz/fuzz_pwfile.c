/* SPDX-License-Identifier: ISC */
/*
 * Target "pwfile": password files and typed password lines
 * (src/wire/pwfile.c, spec/INPUT.md#passwords), which tes-police and
 * tes-officer add-user read from a file or a terminal anyone may have
 * written. input = the bytes of the file. Properties: the decoder accepts
 * nothing above TES_PWFILE_MAX bytes; on success the password is 1..128
 * bytes without NUL, CR or LF, what follows it is nothing, LF or CRLF,
 * every byte is valid UTF-8 by an independent check, the password alone
 * and the password with LF and with CRLF decode to the same, and it has at
 * most as many characters as bytes; on failure there is a reason, and a
 * refused input without CR or LF stays refused with LF appended.
 */
#include <string.h>

#include "fuzz.h"
#include "wire/pwfile.h"

/* An independent UTF-8 check (RFC 3629 table 3-7): 1 when p[0 .. n-1] is well formed. */
static int
utf8_ok(const uint8_t *p, size_t n)
{
	size_t i = 0, k, len;
	uint8_t lo, hi;

	while (i < n) {
		if (p[i] < 0x80) {
			i++;
			continue;
		}
		if (p[i] < 0xc2 || p[i] > 0xf4)
			return 0;
		len = p[i] >= 0xf0 ? 4 : p[i] >= 0xe0 ? 3 : 2;
		lo = p[i] == 0xe0 ? 0xa0 : p[i] == 0xf0 ? 0x90 : 0x80;
		hi = p[i] == 0xed ? 0x9f : p[i] == 0xf4 ? 0x8f : 0xbf;
		if (n - i < len || p[i + 1] < lo || p[i + 1] > hi)
			return 0;
		for (k = 2; k < len; k++)
			if (p[i + k] < 0x80 || p[i + k] > 0xbf)
				return 0;
		i += len;
	}
	return 1;
}

/* The password followed by tail decodes to the same length. */
static void
same_with(const uint8_t *p, size_t len, const char *tail, size_t tn)
{
	uint8_t again[TES_PWFILE_MAX + 2];
	const char *why = NULL;
	size_t len2 = 0;

	memcpy(again, p, len);
	memcpy(again + len, tail, tn);
	fuzz_check(tes_pwfile_decode(again, len + tn, &len2, &why) == 0 && len2 == len,
		   "the password with a line end decodes the same");
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *why = NULL;
	size_t len = 0, k;
	int r = tes_pwfile_decode(data, size, &len, &why);

	if (r != 0) {
		fuzz_check(why != NULL && (r == TES_ERR_FORMAT || r == TES_ERR_TOOLONG),
			   "a refusal has a reason");
		if (size <= TES_PASSWORD_MAX && memchr(data, '\n', size) == NULL &&
		    memchr(data, '\r', size) == NULL) {
			uint8_t more[TES_PASSWORD_MAX + 1];

			memcpy(more, data, size);
			more[size] = '\n';
			fuzz_check(tes_pwfile_decode(more, size + 1, &len, &why) != 0,
				   "a line end rescues nothing");
		}
		return 0;
	}
	fuzz_check(why == NULL && size <= TES_PWFILE_MAX, "an accepted input is at most one line");
	fuzz_check(len >= 1 && len <= TES_PASSWORD_MAX && len <= size, "the length is in range");
	for (k = 0; k < len; k++)
		fuzz_check(data[k] != 0 && data[k] != '\n' && data[k] != '\r',
			   "no NUL, CR or LF in the password");
	fuzz_check(size == len || (size == len + 1 && data[len] == '\n') ||
			   (size == len + 2 && data[len] == '\r' && data[len + 1] == '\n'),
		   "only one line end follows");
	fuzz_check(utf8_ok(data, len), "the password is UTF-8");
	fuzz_check(tes_pwfile_chars(data, len) <= len && tes_pwfile_chars(data, len) >= 1, "characters");
	same_with(data, len, "", 0);
	same_with(data, len, "\n", 1);
	same_with(data, len, "\r\n", 2);
	return 0;
}
