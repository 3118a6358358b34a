/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "common/ct.h"
#include "common/err.h"
#include "common/wipe.h"
#include "web/wsess.h"

/* see sess.h */
void
tes_wsess_init(struct tes_wsess_table *t, unsigned idle)
{
	memset(t, 0, sizeof *t);
	t->idle = idle != 0 ? idle : TES_WSESS_IDLE;
}

static int
expired(const struct tes_wsess_table *t, const struct tes_wsess *s, time_t now)
{
	return now - s->last > (time_t)t->idle || now - s->created > TES_WSESS_LIFETIME || now < s->created;
}

/* see sess.h */
struct tes_wsess *
tes_wsess_find(struct tes_wsess_table *t, const uint8_t token[static TES_HTTP_TOKEN_LEN], time_t now)
{
	struct tes_wsess *hit = NULL;
	size_t i;

	for (i = 0; i < TES_WSESS_SLOTS; i++) {
		struct tes_wsess *s = &t->s[i];
		int eq = tes_ct_eq(s->token, token, TES_HTTP_TOKEN_LEN) == 0;

		if (!s->used)
			continue;
		if (expired(t, s, now)) {
			tes_wsess_end(s);
			continue;
		}
		if (eq)
			hit = s;
	}
	if (hit != NULL)
		hit->last = now;
	return hit;
}

/* Slot to reuse: free or expired, else oldest anonymous, else oldest. */
static struct tes_wsess *
victim(struct tes_wsess_table *t, time_t now)
{
	struct tes_wsess *anon = NULL, *any = NULL;
	size_t i;

	for (i = 0; i < TES_WSESS_SLOTS; i++) {
		struct tes_wsess *s = &t->s[i];

		if (!s->used || expired(t, s, now))
			return s;
		if (s->user[0] == '\0' && (anon == NULL || s->last < anon->last))
			anon = s;
		if (any == NULL || s->last < any->last)
			any = s;
	}
	return anon != NULL ? anon : any;
}

/* see sess.h */
struct tes_wsess *
tes_wsess_new(struct tes_wsess_table *t, const uint8_t token[static TES_HTTP_TOKEN_LEN],
	      const uint8_t csrf[static TES_HTTP_TOKEN_LEN], const char *user, time_t now)
{
	struct tes_wsess *s = victim(t, now);
	size_t n = strlen(user);

	tes_wsess_end(s);
	if (n > TES_NAME_MAX)
		n = TES_NAME_MAX;
	s->used = 1;
	memcpy(s->token, token, TES_HTTP_TOKEN_LEN);
	memcpy(s->csrf, csrf, TES_HTTP_TOKEN_LEN);
	memcpy(s->user, user, n);
	s->user[n] = '\0';
	s->created = s->last = now;
	return s;
}

/* see sess.h */
void
tes_wsess_end(struct tes_wsess *s)
{
	tes_wipe(s, sizeof *s);
}

/* see wsess.h */
unsigned
tes_wsess_end_user(struct tes_wsess_table *t, const char *user, const struct tes_wsess *keep)
{
	unsigned i, n = 0;

	if (user[0] == '\0')
		return 0;
	for (i = 0; i < TES_WSESS_SLOTS; i++) {
		struct tes_wsess *s = &t->s[i];

		if (!s->used || s == keep || strcmp(s->user, user) != 0)
			continue;
		tes_wsess_end(s);
		n++;
	}
	return n;
}

/* see sess.h */
int
tes_wsess_csrf_check(const struct tes_wsess *s, int has, const uint8_t csrf[static TES_HTTP_TOKEN_LEN])
{
	/*= spec/HTTP.md#sessions MUST-W7: every POST carries the session's CSRF token */
	if (!has || tes_ct_eq(s->csrf, csrf, TES_HTTP_TOKEN_LEN) != 0)
		return TES_ERR_AUTH;
	return 0;
}
