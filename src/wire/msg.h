/* SPDX-License-Identifier: ISC */
/*
 * Message codecs: handshake frames, inner records and the canonical report
 * (spec/PROTOCOL.md#handshake, #records, #report). Decoders take a payload
 * (the bytes after the frame header), check every length against the limits
 * in wire/limits.h and the validators in wire/field.h, require the payload
 * to be consumed exactly (no trailing bytes), and fill a fixed-size struct.
 * Strings are copied into NUL-terminated char arrays with an explicit length.
 * Encoders write into a caller buffer and report the bytes used.
 */
#ifndef TES_WIRE_MSG_H
#define TES_WIRE_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "common/cur.h"
#include "wire/field.h"
#include "wire/limits.h"

struct tes_client_hello {
	uint8_t suite;
	uint8_t random[TES_RANDOM_LEN];
	uint8_t x25519[TES_X25519_LEN];
	uint8_t unit_key[TES_KEYID_LEN]; /* SHA-256 of the unit's public key blob */
};

struct tes_server_hello {
	uint8_t suite;
	uint8_t random[TES_RANDOM_LEN];
	uint8_t x25519[TES_X25519_LEN];
	uint8_t n[TES_RSA_LEN]; /* server RSA-2048 modulus */
	uint8_t e_len;
	uint8_t e[TES_RSA_E_MAX];
};

struct tes_key_exchange {
	uint8_t oaep[TES_RSA_LEN]; /* RSA-OAEP-SHA256(server key, pms) */
	uint8_t sig[TES_RSA_LEN];  /* unit signature over the transcript */
};

struct tes_finished {
	uint8_t mac[TES_FINISHED_LEN];
};

struct tes_login {
	uint8_t user_len;
	char user[TES_NAME_MAX + 1];
	uint8_t pw_len;
	char pw[TES_PASSWORD_MAX + 1];
	uint8_t features; /* enum tes_login_feature bits; 0 = the byte is absent on the wire */
};

/* RESUME_HELLO: the CLIENT_HELLO fields and a ticket (spec/PROTOCOL.md#resumption). */
struct tes_resume_hello {
	struct tes_client_hello ch;
	uint16_t ticket_len; /* 1 .. TES_TICKET_MAX */
	uint8_t ticket[TES_TICKET_MAX];
};

/* UNIT_AUTH: the unit's signature over a resumed handshake. */
struct tes_unit_auth {
	uint8_t sig[TES_RSA_LEN];
};

/* SESSION (S->C): what a logged-in client needs to keep its session (spec/PROTOCOL.md#session). */
struct tes_session_info {
	uint32_t idle_timeout;    /* seconds, >= 1: send something (a HEARTBEAT) before it passes */
	uint32_t lifetime;        /* seconds left before the server ends the session with ALERT REKEY */
	uint32_t rekey_records;   /* records per key and direction the server accepts */
	uint32_t rekey_bytes;     /* record payload bytes per key and direction */
	uint32_t ticket_lifetime; /* seconds the ticket below is good for; 0: no ticket in this record */
	uint8_t res_secret[TES_HASH_LEN];
	uint16_t ticket_len; /* 0 .. TES_TICKET_MAX; 0 iff ticket_lifetime == 0 */
	uint8_t ticket[TES_TICKET_MAX];
};

struct tes_report {
	uint8_t id[TES_REPORT_ID_LEN];
	uint8_t unit_key[TES_KEYID_LEN]; /* key id of the signing unit */
	uint8_t plate_len;
	char plate[TES_PLATE_MAX + 1];
	uint16_t speed;  /* km/h */
	uint16_t limit;  /* km/h, 0 = not given */
	uint64_t time;   /* observation, seconds since the epoch (UTC) */
	uint8_t loc_len; /* 0 = not given */
	char loc[TES_LOCATION_MAX + 1];
};

struct tes_receipt {
	uint8_t id[TES_REPORT_ID_LEN];
	uint8_t status;  /* enum tes_receipt_status */
	uint8_t reason;  /* enum tes_reject_reason */
	uint64_t number; /* violation number, 0 unless QUEUED/DUPLICATE/CONFLICT */
};

/*@ predicate str_ok(char *s, integer n) = s[n] == 0;
    predicate report_ok(struct tes_report *m) =
        1 <= m->plate_len <= TES_PLATE_MAX && str_ok(&m->plate[0], m->plate_len) &&
        (\forall integer k; 0 <= k < m->plate_len ==> plate_char(m->plate[k])) &&
        TES_SPEED_MIN <= m->speed <= TES_SPEED_MAX &&
        (m->limit == 0 || TES_LIMIT_MIN <= m->limit <= TES_LIMIT_MAX) &&
        m->time >= TES_TIME_MIN &&
        m->loc_len <= TES_LOCATION_MAX && str_ok(&m->loc[0], m->loc_len) &&
        (\forall integer k; 0 <= k < m->loc_len ==> loc_char(m->loc[k]));
    predicate login_ok(struct tes_login *m) =
        1 <= m->user_len <= TES_NAME_MAX && str_ok(&m->user[0], m->user_len) &&
        (\forall integer k; 0 <= k < m->user_len ==> name_char(m->user[k])) &&
        1 <= m->pw_len <= TES_PASSWORD_MAX && str_ok(&m->pw[0], m->pw_len) &&
        (\forall integer k; 0 <= k < m->pw_len ==> m->pw[k] != 0) &&
        m->features <= TES_LOGIN_FEAT_MAX;
    predicate receipt_ok(struct tes_receipt *m) =
        TES_RECEIPT_QUEUED <= m->status <= TES_RECEIPT_MAX && m->reason <= TES_REJECT_MAX;
    predicate suite_valid(integer s) =
        s == TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256 || s == TES_SUITE_DES_CBC_HMAC_SHA256;
    predicate resume_hello_ok(struct tes_resume_hello *m) =
        suite_valid(m->ch.suite) && 1 <= m->ticket_len <= TES_TICKET_MAX;
    predicate session_ok(struct tes_session_info *m) =
        m->idle_timeout >= 1 && m->rekey_records >= 1 && m->rekey_bytes >= 1 &&
        m->ticket_lifetime <= TES_TICKET_LIFETIME && m->ticket_len <= TES_TICKET_MAX &&
        (m->ticket_len == 0 <==> m->ticket_lifetime == 0);
 */

/*
 * Decoder contract (all of them): p[0 .. n-1] is readable, the output is
 * separate from it, nothing outside p[0 .. n-1] is read and nothing outside
 * the output is written; 0 or a negative TES_ERR_* is returned, and 0 means
 * the payload had exactly the message's length and every field is in range.
 */

/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures \result == 0 ==> *used == 97 && *used <= cap;
 */
int
tes_msg_client_hello_encode(const struct tes_client_hello *m, uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> n == 97 && suite_valid(m->suite) && m->suite == p[0];
 */
int
tes_msg_client_hello_decode(const uint8_t *p, size_t n, struct tes_client_hello *m);

/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> 1 <= m->e_len <= TES_RSA_E_MAX &&
            *used == 322 + m->e_len && *used <= cap;
 */
int
tes_msg_server_hello_encode(const struct tes_server_hello *m, uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> suite_valid(m->suite) && 1 <= m->e_len <= TES_RSA_E_MAX &&
            n == 322 + m->e_len && m->n[0] >= 0x80 && m->e[0] != 0;
 */
int
tes_msg_server_hello_decode(const uint8_t *p, size_t n, struct tes_server_hello *m);

/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures \result == 0 ==> *used == 2 * TES_RSA_LEN && *used <= cap;
 */
int
tes_msg_key_exchange_encode(const struct tes_key_exchange *m, uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> n == 2 * TES_RSA_LEN;
 */
int
tes_msg_key_exchange_decode(const uint8_t *p, size_t n, struct tes_key_exchange *m);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> n == TES_FINISHED_LEN &&
            (\forall integer k; 0 <= k < TES_FINISHED_LEN ==> m->mac[k] == p[k]);
 */
int
tes_msg_finished_decode(const uint8_t *p, size_t n, struct tes_finished *m);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(code);
    requires \separated(code, p + (0 .. n-1));
    terminates \true;
    assigns *code;
    ensures \result == 0 <==> (n == 1 && 1 <= p[0] <= TES_ALERT_MAX);
    ensures \result == 0 ==> *code == p[0];
    ensures \result == 0 || \result == TES_ERR_FORMAT;
 */
int
tes_msg_alert_decode(const uint8_t *p, size_t n, uint8_t *code);

/*
 * Inner records: first byte is the inner type, then the body.
 * LOGIN: type | str8 user | str8 password | optional u8 features. The
 * features byte is written only when m->features != 0; the decoder reads
 * an absent byte as 0 and refuses a present 0 or an unknown value.
 */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE || \result == TES_ERR_ARG;
    ensures \old(m->user_len > TES_NAME_MAX || m->pw_len > TES_PASSWORD_MAX ||
                 m->features > TES_LOGIN_FEAT_MAX) ==> \result == TES_ERR_ARG;
    ensures \result == 0 ==> *used == 3 + m->user_len + m->pw_len + (m->features != 0 ? 1 : 0) &&
            *used <= cap;
 */
int
tes_msg_login_encode(const struct tes_login *m, uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> n == 3 + m->user_len + m->pw_len + (m->features != 0 ? 1 : 0) &&
            p[0] == TES_INNER_LOGIN && login_ok(m);
 */
int
tes_msg_login_decode(const uint8_t *p, size_t n, struct tes_login *m);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(ok);
    requires \separated(ok, p + (0 .. n-1));
    terminates \true;
    assigns *ok;
    ensures \result == 0 <==> (n == 2 && p[0] == TES_INNER_LOGIN_RESULT && p[1] <= TES_LOGIN_RESULT_MAX);
    ensures \result == 0 ==> *ok == p[1];
    ensures \result == 0 || \result == TES_ERR_FORMAT;
 */
int
tes_msg_login_result_decode(const uint8_t *p, size_t n, uint8_t *ok);

/*
 * Canonical report encoding: the exact bytes the unit signs (after the
 * context string, see tes_digest_report). Field order and widths:
 * id[16] | unit_key[32] | u8 plate_len | plate | u16 speed | u16 limit |
 * u64 time | u8 loc_len | loc. The decoder validates every field except the
 * time window (that needs a clock: tes_field_time_valid), and rejects trailing bytes
 * when exact != 0.
 */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE || \result == TES_ERR_ARG;
    ensures \old(m->plate_len > TES_PLATE_MAX || m->loc_len > TES_LOCATION_MAX) ==> \result == TES_ERR_ARG;
    ensures \result == 0 ==> *used == 62 + m->plate_len + m->loc_len && *used <= cap;
 */
int
tes_msg_report_encode(const struct tes_report *m, uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m) && \valid(used);
    requires \separated(m, used, p + (0 .. n-1));
    requires \separated(m, used);
    terminates \true;
    assigns *m, *used;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> report_ok(m) && *used == 62 + m->plate_len + m->loc_len &&
            *used <= n;
 */
int
tes_msg_report_decode_cur(const uint8_t *p, size_t n, struct tes_report *m, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> report_ok(m) && n == 62 + m->plate_len + m->loc_len;
 */
int
tes_msg_report_decode(const uint8_t *p, size_t n, struct tes_report *m);

/* REPORT inner record: type | canonical report | sig[256]. */
/*@ requires \valid_read(m) && \valid_read(sig + (0 .. TES_RSA_LEN-1));
    requires \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, sig + (0 .. TES_RSA_LEN-1), out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    requires \separated(sig + (0 .. TES_RSA_LEN-1), out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE || \result == TES_ERR_ARG;
    ensures \result == 0 ==> *used <= cap;
 */
int
tes_msg_report_rec_encode(const struct tes_report *m, const uint8_t sig[static TES_RSA_LEN], uint8_t *out,
			  size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m) && \valid(sig + (0 .. TES_RSA_LEN-1));
    requires \separated(m, sig + (0 .. TES_RSA_LEN-1), p + (0 .. n-1));
    terminates \true;
    assigns *m, sig[0 .. TES_RSA_LEN-1];
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> report_ok(m) && p[0] == TES_INNER_REPORT &&
            n == 1 + 62 + m->plate_len + m->loc_len + TES_RSA_LEN;
 */
int
tes_msg_report_rec_decode(const uint8_t *p, size_t n, struct tes_report *m, uint8_t sig[static TES_RSA_LEN]);

/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures \result == 0 ==> *used == 27 && *used <= cap;
 */
int
tes_msg_receipt_encode(const struct tes_receipt *m, uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> n == 27 && p[0] == TES_INNER_RECEIPT && receipt_ok(m);
 */
int
tes_msg_receipt_decode(const uint8_t *p, size_t n, struct tes_receipt *m);

/*
 * Resumption and session messages (spec/PROTOCOL.md#resumed-handshake, #session).
 * Contracts as for the others: decoders consume the payload exactly and check
 * every field.
 */

/* RESUME_HELLO payload: the 97 CLIENT_HELLO bytes, u16 ticket_len (1..TES_TICKET_MAX), ticket. */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE || \result == TES_ERR_ARG;
    ensures \old(m->ticket_len < 1 || m->ticket_len > TES_TICKET_MAX) ==> \result == TES_ERR_ARG;
    ensures \result == 0 ==> *used == 99 + m->ticket_len && *used <= cap;
 */
int
tes_msg_resume_hello_encode(const struct tes_resume_hello *m, uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> n == 99 + m->ticket_len && resume_hello_ok(m) && m->ch.suite == p[0];
 */
int
tes_msg_resume_hello_decode(const uint8_t *p, size_t n, struct tes_resume_hello *m);

/* UNIT_AUTH payload: sig[256]. */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE;
    ensures \result == 0 ==> *used == TES_RSA_LEN && *used <= cap;
 */
int
tes_msg_unit_auth_encode(const struct tes_unit_auth *m, uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> n == TES_RSA_LEN &&
            (\forall integer k; 0 <= k < TES_RSA_LEN ==> m->sig[k] == p[k]);
 */
int
tes_msg_unit_auth_decode(const uint8_t *p, size_t n, struct tes_unit_auth *m);

/* HEARTBEAT inner record: the type byte alone. 0 iff n == 1 and p[0] == TES_INNER_HEARTBEAT. */
/*@ requires \valid_read(p + (0 .. n-1));
    terminates \true;
    assigns \nothing;
    ensures \result == 0 <==> (n == 1 && p[0] == TES_INNER_HEARTBEAT);
    ensures \result == 0 || \result < 0;
 */
int
tes_msg_heartbeat_decode(const uint8_t *p, size_t n);

/*
 * SESSION inner record: type | u32 idle_timeout (>= 1) | u32 lifetime | u32 rekey_records (>= 1) |
 * u32 rekey_bytes (>= 1) | u32 ticket_lifetime (<= TES_TICKET_LIFETIME) | res_secret[32] |
 * u16 ticket_len (<= TES_TICKET_MAX; 0 iff ticket_lifetime == 0) | ticket.
 * The encoder refuses (TES_ERR_ARG) what the decoder would refuse.
 */
/*@ requires \valid_read(m) && \valid(out + (0 .. cap-1)) && \valid(used);
    requires \separated(m, used, out + (0 .. cap-1));
    requires \separated(used, out + (0 .. cap-1));
    terminates \true;
    assigns out[0 .. cap-1], *used;
    ensures \result == 0 || \result == TES_ERR_SPACE || \result == TES_ERR_ARG;
    ensures \old(!session_ok(m)) ==> \result == TES_ERR_ARG;
    ensures \result == 0 ==> *used == 55 + m->ticket_len && *used <= cap;
 */
int
tes_msg_session_encode(const struct tes_session_info *m, uint8_t *out, size_t cap, size_t *used);

/*@ requires \valid_read(p + (0 .. n-1)) && \valid(m);
    requires \separated(m, p + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> n == 55 + m->ticket_len && p[0] == TES_INNER_SESSION && session_ok(m);
 */
int
tes_msg_session_decode(const uint8_t *p, size_t n, struct tes_session_info *m);

#endif
