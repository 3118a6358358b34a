/* SPDX-License-Identifier: ISC */
/*
 * The password policy (NIST SP 800-63B rev. 4, section 3.1.1.2), applied
 * when a password is set: tes-officer add-user, passwd and the demo set-up. Logins
 * never apply it, so a store made before it still logs in. Pure: the list
 * of common passwords is a table built into the program at build time from
 * Debian's john-data (src/officer/pwlist.pl).
 */
#ifndef TES_OFFICER_PWPOLICY_H
#define TES_OFFICER_PWPOLICY_H

#include <stddef.h>
#include <stdint.h>

enum tes_pwpolicy_limits {
	/* characters (Unicode code points), not bytes; the maximum is TES_PASSWORD_MAX bytes */
	TES_PWPOLICY_POLICE_MIN = 8,   /* police accounts also need the unit key */
	TES_PWPOLICY_OFFICER_MIN = 15, /* the dashboard login is single-factor */
	TES_PWPOLICY_LIST_MIN = 8      /* shorter list entries are refused by length anyway */
};

/*
 * 0 when pw[0 .. n-1] (well-formed UTF-8 without NUL, as tes_pwfile_decode
 * gives it) may be set for an account of role (TES_ROLE_POLICE or
 * TES_ROLE_OFFICER); else TES_ERR_ARG and *why a static sentence naming the
 * rule it breaks: fewer characters than the role's minimum, more than
 * TES_PASSWORD_MAX bytes, for an officer a character the dashboard's login
 * form cannot carry (only printable ASCII and space), or on the list of
 * common passwords (compared without regard to ASCII case).
 */
int
tes_pwpolicy_check(const char *pw, size_t n, uint8_t role, const char **why);

/* 1 when pw[0 .. n-1] is on the list of common passwords (ASCII case ignored), else 0. */
int
tes_pwpolicy_common(const char *pw, size_t n);

#endif
