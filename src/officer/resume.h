/* SPDX-License-Identifier: ISC */
/*
 * The master's decision on an opened resumption ticket
 * (spec/PROTOCOL.md#resumption MUST-RS2), apart from the store lookups
 * (unit registered and active, the user's stored hash) and the unit
 * signature, which server.c does: a pure function, so that every refusal
 * has a unit test.
 */
#ifndef TES_OFFICER_RESUME_H
#define TES_OFFICER_RESUME_H

#include <stdint.h>

#include "wire/limits.h"
#include "wire/ticket.h"

enum tes_resume_verdict {
	TES_RESUME_OK = 0,
	TES_RESUME_OTHER_SERVER = 1, /* sealed for another server key */
	TES_RESUME_OTHER_UNIT = 2,   /* presented by another unit than the one it was issued to */
	TES_RESUME_PASSWORD = 3,     /* the user's password (stored hash) is not the one that earned it */
	TES_RESUME_NO_USER = 4       /* the user is gone or no longer a police account */
};

/*
 * t: the ticket as tes_ticketkey_open returned it (its time already checked);
 * server_key: this server's key id; unit_key: the key id of the RESUME_HELLO;
 * bind: the binding of the user's stored hash now (tes_ticketkey_pw_bind), or
 * NULL when the user is gone or not a police account. Compares in constant time.
 */
enum tes_resume_verdict
tes_resume_decide(const struct tes_ticket *t, const uint8_t server_key[static TES_KEYID_LEN],
		  const uint8_t unit_key[static TES_KEYID_LEN], const uint8_t *bind);

/* A short text for the log. */
const char *
tes_resume_verdict_str(enum tes_resume_verdict v);

#endif
