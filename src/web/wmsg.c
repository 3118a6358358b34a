/* SPDX-License-Identifier: ISC */
#include <string.h>

#include "common/cur.h"
#include "common/err.h"
#include "web/wmsg.h"
#include "wire/field.h"

static int
put_text(struct tes_cur *c, const char *s, uint8_t len)
{
	int r;

	if ((r = tes_cur_put_u8(c, len)) != 0)
		return r;
	return tes_cur_put_bytes(c, (const uint8_t *)s, len);
}

static int
printable(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] > 0x7e)
			return TES_ERR_FORMAT;
	return 0;
}

static int
get_text(struct tes_cur *c, char *out, uint8_t *len, size_t max)
{
	int r;

	if ((r = tes_cur_get_u8(c, len)) != 0)
		return r;
	if (*len > max)
		return TES_ERR_TOOLONG;
	if ((r = tes_cur_get_bytes(c, (uint8_t *)out, *len)) != 0)
		return r;
	out[*len] = '\0';
	return printable(out, *len);
}

static int
is_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;
	size_t i;

	for (i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

/* Bytes of the bulk ids a request carries: the stored ones, at most TES_WEB_BULK_MAX. */
static size_t
sel_bytes(const struct tes_web_req *q)
{
	return (size_t)(q->nsel < TES_WEB_BULK_MAX ? q->nsel : TES_WEB_BULK_MAX) * TES_REPORT_ID_LEN;
}

/* The largest REQUEST: type, the fixed fields, every id, every text at its limit. */
enum {
	REQ_MAX = 1 + 1 + 1 + TES_HTTP_TOKEN_LEN + 1 + TES_HTTP_TOKEN_LEN + 1 + TES_REPORT_ID_LEN + 4 + 3 +
		  3 + TES_WEB_BULK_MAX * TES_REPORT_ID_LEN + (1 + TES_NAME_MAX) + 3 * (1 + TES_PASSWORD_MAX) +
		  (1 + TES_HTTP_QUERY_MAX) + (1 + TES_HTTP_OTHER_MAX)
};
/*= spec/HTTP.md#bulk MUST-W10: a bulk decision of TES_WEB_BULK_MAX ids fits the fixed message */
_Static_assert((int)REQ_MAX <= (int)TES_WMSG_LEN, "the largest request fits one message");

/* Field rules shared by the encoder and the decoder. */
static int
req_check(const struct tes_web_req *q)
{
	if (q->route == TES_ROUTE_INVALID || q->route > TES_ROUTE_MAX || q->has_session > 1 ||
	    q->has_csrf > 1 || q->has_id > 1 || q->page > TES_HTTP_PAGE_MAX || q->verdict > TES_WV_REJECT ||
	    q->reason > TES_REASON_MAX || q->prefix > 1 || q->all > 1 || q->next > 1)
		return TES_ERR_FORMAT;
	if (!is_zero(q->sel + sel_bytes(q), sizeof q->sel - sel_bytes(q)))
		return TES_ERR_FORMAT;
	if ((!q->has_session && !is_zero(q->session, sizeof q->session)) ||
	    (!q->has_csrf && !is_zero(q->csrf, sizeof q->csrf)) ||
	    (!q->has_id && !is_zero(q->id, sizeof q->id)))
		return TES_ERR_FORMAT;
	if (q->user_len > TES_NAME_MAX ||
	    (q->user_len != 0 && tes_field_name_valid(q->user, q->user_len) != 0))
		return TES_ERR_NAME;
	if (q->pw_len > TES_PASSWORD_MAX || q->q_len > TES_HTTP_QUERY_MAX ||
	    q->other_len > TES_HTTP_OTHER_MAX || q->new_len > TES_PASSWORD_MAX ||
	    q->rep_len > TES_PASSWORD_MAX)
		return TES_ERR_TOOLONG;
	return printable(q->pw, q->pw_len) | printable(q->q, q->q_len) | printable(q->other, q->other_len) |
	       printable(q->newpw, q->new_len) | printable(q->rep, q->rep_len);
}

static int
req_encode(struct tes_cur *c, const struct tes_web_req *q)
{
	int r;

	if ((r = req_check(q)) != 0)
		return r;
	if ((r = tes_cur_put_u8(c, q->route)) != 0 || (r = tes_cur_put_u8(c, q->has_session)) != 0 ||
	    (r = tes_cur_put_bytes(c, q->session, sizeof q->session)) != 0 ||
	    (r = tes_cur_put_u8(c, q->has_csrf)) != 0 ||
	    (r = tes_cur_put_bytes(c, q->csrf, sizeof q->csrf)) != 0 ||
	    (r = tes_cur_put_u8(c, q->has_id)) != 0 || (r = tes_cur_put_bytes(c, q->id, sizeof q->id)) != 0 ||
	    (r = tes_cur_put_u32be(c, q->page)) != 0 || (r = tes_cur_put_u8(c, q->verdict)) != 0 ||
	    (r = tes_cur_put_u8(c, q->reason)) != 0 || (r = tes_cur_put_u8(c, q->prefix)) != 0 ||
	    (r = tes_cur_put_u8(c, q->all)) != 0 || (r = tes_cur_put_u8(c, q->next)) != 0 ||
	    (r = tes_cur_put_u8(c, q->nsel)) != 0 || (r = tes_cur_put_bytes(c, q->sel, sel_bytes(q))) != 0)
		return r;
	if ((r = put_text(c, q->user, q->user_len)) != 0 || (r = put_text(c, q->pw, q->pw_len)) != 0 ||
	    (r = put_text(c, q->q, q->q_len)) != 0 || (r = put_text(c, q->other, q->other_len)) != 0 ||
	    (r = put_text(c, q->newpw, q->new_len)) != 0)
		return r;
	return put_text(c, q->rep, q->rep_len);
}

static int
req_decode(struct tes_cur *c, struct tes_web_req *q)
{
	int r;

	if ((r = tes_cur_get_u8(c, &q->route)) != 0 || (r = tes_cur_get_u8(c, &q->has_session)) != 0 ||
	    (r = tes_cur_get_bytes(c, q->session, sizeof q->session)) != 0 ||
	    (r = tes_cur_get_u8(c, &q->has_csrf)) != 0 ||
	    (r = tes_cur_get_bytes(c, q->csrf, sizeof q->csrf)) != 0 ||
	    (r = tes_cur_get_u8(c, &q->has_id)) != 0 ||
	    (r = tes_cur_get_bytes(c, q->id, sizeof q->id)) != 0 ||
	    (r = tes_cur_get_u32be(c, &q->page)) != 0 || (r = tes_cur_get_u8(c, &q->verdict)) != 0 ||
	    (r = tes_cur_get_u8(c, &q->reason)) != 0 || (r = tes_cur_get_u8(c, &q->prefix)) != 0 ||
	    (r = tes_cur_get_u8(c, &q->all)) != 0 || (r = tes_cur_get_u8(c, &q->next)) != 0 ||
	    (r = tes_cur_get_u8(c, &q->nsel)) != 0 || (r = tes_cur_get_bytes(c, q->sel, sel_bytes(q))) != 0)
		return r;
	if ((r = get_text(c, q->user, &q->user_len, TES_NAME_MAX)) != 0 ||
	    (r = get_text(c, q->pw, &q->pw_len, TES_PASSWORD_MAX)) != 0 ||
	    (r = get_text(c, q->q, &q->q_len, TES_HTTP_QUERY_MAX)) != 0 ||
	    (r = get_text(c, q->other, &q->other_len, TES_HTTP_OTHER_MAX)) != 0 ||
	    (r = get_text(c, q->newpw, &q->new_len, TES_PASSWORD_MAX)) != 0 ||
	    (r = get_text(c, q->rep, &q->rep_len, TES_PASSWORD_MAX)) != 0)
		return r;
	return req_check(q);
}

static int
chunk_encode(struct tes_cur *c, const struct tes_wmsg_chunk *k)
{
	int r;

	if (k->last > 1 || k->len > TES_WMSG_CHUNK_MAX)
		return TES_ERR_FORMAT;
	if ((r = tes_cur_put_u8(c, k->last)) != 0 || (r = tes_cur_put_u16be(c, k->len)) != 0)
		return r;
	return tes_cur_put_bytes(c, k->data, k->len);
}

static int
chunk_decode(struct tes_cur *c, struct tes_wmsg_chunk *k)
{
	int r;

	if ((r = tes_cur_get_u8(c, &k->last)) != 0 || (r = tes_cur_get_u16be(c, &k->len)) != 0)
		return r;
	if (k->last > 1 || k->len > TES_WMSG_CHUNK_MAX)
		return TES_ERR_FORMAT;
	return tes_cur_get_bytes(c, k->data, k->len);
}

/* see msg.h */
int
tes_wmsg_encode(const struct tes_wmsg *m, uint8_t out[static TES_WMSG_LEN])
{
	struct tes_cur c;
	int r;

	memset(out, 0, TES_WMSG_LEN);
	tes_cur_init_wr(&c, out, TES_WMSG_LEN);
	if ((r = tes_cur_put_u8(&c, m->type)) != 0)
		return r;
	if (m->type == TES_WMSG_REQUEST)
		r = req_encode(&c, &m->u.req);
	else if (m->type == TES_WMSG_RESPONSE)
		r = chunk_encode(&c, &m->u.chunk);
	else
		r = TES_ERR_TYPE;
	if (r != 0)
		memset(out, 0, TES_WMSG_LEN);
	return r;
}

/* see msg.h */
int
tes_wmsg_decode(const uint8_t *buf, size_t n, struct tes_wmsg *m)
{
	struct tes_cur c;
	int r;

	memset(m, 0, sizeof *m);
	/*= spec/HTTP.md#messages MUST-W1: fixed size, known type, valid fields, zero padding */
	if (n != TES_WMSG_LEN)
		return TES_ERR_FORMAT;
	tes_cur_init_rd(&c, buf, n);
	if ((r = tes_cur_get_u8(&c, &m->type)) != 0)
		return r;
	if (m->type == TES_WMSG_REQUEST)
		r = req_decode(&c, &m->u.req);
	else if (m->type == TES_WMSG_RESPONSE)
		r = chunk_decode(&c, &m->u.chunk);
	else
		r = TES_ERR_TYPE;
	if (r == 0 && !is_zero(buf + c.off, n - c.off))
		r = TES_ERR_FORMAT;
	if (r != 0)
		memset(m, 0, sizeof *m);
	return r;
}

/* The state table: the columns of TES_WMSG_DISPATCH but the handler. */
#define PERMIT_ROW(type, states, once, handler) { type, states, once },
static const struct {
	uint8_t type;
	uint8_t states;
	uint8_t once;
} permits[] = { TES_WMSG_DISPATCH(PERMIT_ROW) };
#undef PERMIT_ROW

/* see msg.h */
int
tes_wmsg_permit(uint8_t state, uint8_t type, uint32_t used)
{
	size_t i;

	/*= spec/HTTP.md#messages MUST-W2: one request per child, nothing else from it */
	for (i = 0; i < sizeof permits / sizeof permits[0]; i++) {
		if (permits[i].type != type)
			continue;
		if ((permits[i].states & state) == 0)
			return TES_ERR_STATE;
		if (permits[i].once && type < 32 && ((used >> type) & 1u) != 0)
			return TES_ERR_STATE;
		return 0;
	}
	return TES_ERR_STATE;
}
