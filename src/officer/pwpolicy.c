/* SPDX-License-Identifier: ISC */
/* The password policy, see pwpolicy.h and SECURITY.md#passwords. */
#include <stdlib.h>
#include <string.h>

#include "common/err.h"
#include "common/wipe.h"
#include "officer/pwpolicy.h"
#include "store/journal.h"
#include "wire/limits.h"
#include "wire/pwfile.h"

/* pwlist[]: the common passwords, lowercased and sorted (generated, see pwlist.pl) */
#include "pwlist.inc"

static int
cmp_entry(const void *key, const void *entry)
{
	return strcmp(key, *(const char *const *)entry);
}

/* see pwpolicy.h */
int
tes_pwpolicy_common(const char *pw, size_t n)
{
	char low[TES_PASSWORD_MAX + 1];
	size_t i;
	int found;

	if (n > TES_PASSWORD_MAX)
		return 0;
	for (i = 0; i < n; i++)
		low[i] = pw[i] >= 'A' && pw[i] <= 'Z' ? (char)(pw[i] - 'A' + 'a') : pw[i];
	low[n] = '\0';
	found = bsearch(low, pwlist, sizeof pwlist / sizeof pwlist[0], sizeof pwlist[0], cmp_entry) != NULL;
	tes_wipe(low, sizeof low);
	return found;
}

/* 1 when every byte is printable ASCII or space: what the dashboard's login form carries. */
static int
form_safe(const char *pw, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (pw[i] < 0x20 || pw[i] > 0x7e)
			return 0;
	return 1;
}

/* see pwpolicy.h */
int
tes_pwpolicy_check(const char *pw, size_t n, uint8_t role, const char **why)
{
	size_t chars = tes_pwfile_chars((const uint8_t *)pw, n);

	/*= spec/INPUT.md#passwords MUST-PW2: police >= 8, officer >= 15 characters, at most 128 bytes */
	if (role == TES_ROLE_OFFICER && chars < TES_PWPOLICY_OFFICER_MIN) {
		*why = "shorter than 15 characters (the minimum for officer accounts)";
		return TES_ERR_ARG;
	}
	if (chars < TES_PWPOLICY_POLICE_MIN) {
		*why = "shorter than 8 characters (the minimum for police accounts)";
		return TES_ERR_ARG;
	}
	if (n > TES_PASSWORD_MAX) {
		*why = "longer than 128 bytes";
		return TES_ERR_ARG;
	}
	if (role == TES_ROLE_OFFICER && !form_safe(pw, n)) {
		*why = "a character other than printable ASCII or space (the dashboard's login form "
		       "carries only those)";
		return TES_ERR_ARG;
	}
	/*= spec/INPUT.md#passwords MUST-PW3: a password on the list of common passwords is refused */
	if (tes_pwpolicy_common(pw, n)) {
		*why = "on the list of common passwords (Debian john-data's password.lst)";
		return TES_ERR_ARG;
	}
	return 0;
}
