/* SPDX-License-Identifier: ISC */
#include "officer/resume.h"
#include "common/ct.h"

/* see resume.h */
enum tes_resume_verdict
tes_resume_decide(const struct tes_ticket *t, const uint8_t server_key[static TES_KEYID_LEN],
		  const uint8_t unit_key[static TES_KEYID_LEN], const uint8_t *bind)
{
	/*= spec/PROTOCOL.md#resumption MUST-RS2: a ticket of another server or another unit is refused */
	if (tes_ct_eq(t->server_key, server_key, TES_KEYID_LEN) != 0)
		return TES_RESUME_OTHER_SERVER;
	if (tes_ct_eq(t->unit_key, unit_key, TES_KEYID_LEN) != 0)
		return TES_RESUME_OTHER_UNIT;
	/*= spec/PROTOCOL.md#resumption MUST-RS2: only while the password that earned it still logs in */
	if (bind == NULL)
		return TES_RESUME_NO_USER;
	if (tes_ct_eq(t->pw_bind, bind, TES_HASH_LEN) != 0)
		return TES_RESUME_PASSWORD;
	return TES_RESUME_OK;
}

/* see resume.h */
const char *
tes_resume_verdict_str(enum tes_resume_verdict v)
{
	switch (v) {
	case TES_RESUME_OK:
		return "ok";
	case TES_RESUME_OTHER_SERVER:
		return "ticket of another server";
	case TES_RESUME_OTHER_UNIT:
		return "ticket of another unit";
	case TES_RESUME_PASSWORD:
		return "the password changed since the ticket was issued";
	case TES_RESUME_NO_USER:
		return "user unknown or not a police account";
	}
	return "refused";
}
