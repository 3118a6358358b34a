/* SPDX-License-Identifier: ISC */
/*
 * The dashboard's server-side session table (master only). Fixed size, no
 * allocation; the caller passes the clock and fresh random tokens. A
 * session is either anonymous (user "", made for the login form so that
 * the login POST carries a CSRF token too) or belongs to an officer.
 * Sessions end after TES_WSESS_IDLE seconds without a request or
 * TES_WSESS_LIFETIME seconds in all.
 */
#ifndef TES_WEB_WSESS_H
#define TES_WEB_WSESS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "web/http.h"
#include "wire/limits.h"

enum {
	TES_WSESS_SLOTS = 64,
	TES_WSESS_IDLE = 900, /* idle timeout, seconds */
	TES_WSESS_LIFETIME = 12 * 3600
};

struct tes_wsess {
	uint8_t used;
	uint8_t token[TES_HTTP_TOKEN_LEN];
	uint8_t csrf[TES_HTTP_TOKEN_LEN];
	char user[TES_NAME_MAX + 1]; /* "" = anonymous (login form) */
	time_t created, last;
	uint8_t pw_changed; /* the password page says once that the password was changed */
};

struct tes_wsess_table {
	struct tes_wsess s[TES_WSESS_SLOTS];
	unsigned idle; /* idle timeout in seconds */
};

/* Empty table with the given idle timeout (0 = TES_WSESS_IDLE). */
void
tes_wsess_init(struct tes_wsess_table *t, unsigned idle);

/*
 * The live session with this token, its last use set to now; NULL if none
 * (an expired session found on the way is wiped). Every slot is compared
 * in constant time.
 */
struct tes_wsess *
tes_wsess_find(struct tes_wsess_table *t, const uint8_t token[static TES_HTTP_TOKEN_LEN], time_t now);

/*
 * Start a session for user ("" = anonymous) with the given fresh token and
 * CSRF token. When the table is full, an expired slot, else the least
 * recently used anonymous one, else the least recently used one is taken.
 */
struct tes_wsess *
tes_wsess_new(struct tes_wsess_table *t, const uint8_t token[static TES_HTTP_TOKEN_LEN],
	      const uint8_t csrf[static TES_HTTP_TOKEN_LEN], const char *user, time_t now);

/* End a session (wipes the slot). */
void
tes_wsess_end(struct tes_wsess *s);

/* End every session of user (a non-empty name) but keep (NULL: every one); how many ended. */
unsigned
tes_wsess_end_user(struct tes_wsess_table *t, const char *user, const struct tes_wsess *keep);

/* 0 when the request carries the session's CSRF token (constant time), else TES_ERR_AUTH. */
int
tes_wsess_csrf_check(const struct tes_wsess *s, int has, const uint8_t csrf[static TES_HTTP_TOKEN_LEN]);

#endif
