/* SPDX-License-Identifier: ISC */
/*
 * Child <-> master messages (spec/PROTOCOL.md#monitor). Every message is
 * exactly TES_MON_MSG_LEN bytes on a SOCK_SEQPACKET socketpair: type byte,
 * fields through the cursor, zero padding. The master trusts nothing a child
 * sends: it decodes with these functions (which re-run every field
 * validator and require zero padding), checks the request against the state
 * table (tes_mon_permit), then re-checks the content itself (signature,
 * unit binding, time window).
 */
#ifndef TES_OFFICER_MON_H
#define TES_OFFICER_MON_H

#include <stddef.h>
#include <stdint.h>

#include "wire/limits.h"
#include "wire/msg.h"

enum {
	TES_MON_MSG_LEN = 1024,
	TES_MON_LOG_MAX = 200
};

enum tes_mon_type {
	TES_MON_INVALID = 0,
	TES_MON_INIT = 1,          /* master -> child: session parameters */
	TES_MON_HANDSHAKE = 2,     /* child -> master: transcript fields, once */
	TES_MON_HANDSHAKE_ANS = 3, /* master -> child: status, pms */
	TES_MON_LOGIN = 4,         /* child -> master: user, password */
	TES_MON_LOGIN_ANS = 5,
	TES_MON_REPORT = 6,     /* child -> master: report + signature */
	TES_MON_REPORT_ANS = 7, /* master -> child: receipt */
	TES_MON_LOG = 8,        /* child -> master: one log line */
	TES_MON_RESUME = 9, /* child -> master: a resumed handshake (ticket), once, instead of HANDSHAKE */
	TES_MON_HEARTBEAT = 10, /* child -> master: an authenticated record came; no answer */
	TES_MON_TYPE_MAX = 10
};

/* Master-side session states (bit values so the table can hold masks). */
enum tes_mon_state {
	TES_MS_NONE = 0,
	TES_MS_HANDSHAKE = 1, /* waiting for the handshake request */
	TES_MS_UNIT = 2,      /* unit authenticated, waiting for login */
	TES_MS_USER = 4,      /* user logged in: reports allowed */
	TES_MS_DEAD = 8
};

/*
 * The one dispatch table of the session children: a row per child->master
 * request, X(type, states it is permitted in, once per connection, the
 * master's handler). mon.c expands it into the permission table that
 * tes_mon_permit checks, without the handler column (tes-parser links
 * mon.c and no master code); the master (server.c) into the handler
 * table of its session children. spec/PROTOCOL.md#monitor MUST-M2..M4.
 */
#define TES_MON_DISPATCH(X)                                                     \
	X(TES_MON_HANDSHAKE, TES_MS_HANDSHAKE, 1, on_handshake)                 \
	X(TES_MON_LOGIN, TES_MS_UNIT, 0, on_login)                              \
	X(TES_MON_REPORT, TES_MS_USER, 0, on_report)                            \
	X(TES_MON_LOG, TES_MS_HANDSHAKE | TES_MS_UNIT | TES_MS_USER, 0, on_log) \
	X(TES_MON_RESUME, TES_MS_HANDSHAKE, 1, on_resume)                       \
	X(TES_MON_HEARTBEAT, TES_MS_USER, 0, on_heartbeat)

struct tes_mon_init {
	uint8_t server_random[TES_RANDOM_LEN];
	uint8_t n[TES_RSA_LEN];
	uint8_t e_len;
	uint8_t e[TES_RSA_E_MAX];
	uint8_t allow_des;
	uint32_t idle_timeout;  /* seconds */
	uint32_t rekey_records; /* records per key and direction (spec/PROTOCOL.md#rekey) */
	uint32_t rekey_bytes;   /* record payload bytes per key and direction */
};

struct tes_mon_resume {
	struct tes_resume_hello rh; /* client hello fields and ticket */
	uint8_t server_x25519[TES_X25519_LEN];
	uint8_t suite; /* suite the child chose */
	struct tes_unit_auth ua;
};

struct tes_mon_handshake {
	struct tes_client_hello ch;
	uint8_t server_x25519[TES_X25519_LEN];
	uint8_t suite; /* suite the child chose */
	struct tes_key_exchange kx;
};

struct tes_mon_status {           /* HANDSHAKE_ANS and LOGIN_ANS */
	uint8_t status;           /* 0 ok, 1 refused, 2 try again (LOGIN_ANS only) */
	uint8_t pms[TES_PMS_LEN]; /* HANDSHAKE_ANS only: the transported secret, or after RESUME the
				     resumption secret */
	/* status 0 only (else all zero): the SESSION record's master-side fields */
	uint32_t lifetime;                /* seconds left before the session deadline */
	uint32_t ticket_lifetime;         /* LOGIN_ANS: seconds the ticket is good for; 0 = no ticket */
	uint8_t res_secret[TES_HASH_LEN]; /* LOGIN_ANS with a ticket: its resumption secret */
	uint16_t ticket_len;              /* 0 .. TES_TICKET_MAX; 0 iff ticket_lifetime == 0 */
	uint8_t ticket[TES_TICKET_MAX];
};

struct tes_mon_report {
	struct tes_report r;
	uint8_t sig[TES_RSA_LEN];
};

struct tes_mon_log {
	uint8_t level; /* 0 info, 1 warning, 2 error */
	uint8_t len;
	char text[TES_MON_LOG_MAX + 1];
};

/* A decoded message of any type. */
struct tes_mon_msg {
	uint8_t type;
	union {
		struct tes_mon_init init;
		struct tes_mon_handshake hs;
		struct tes_mon_status st;
		struct tes_login login;
		struct tes_mon_report rep;
		struct tes_receipt rcpt;
		struct tes_mon_log log;
		struct tes_mon_resume res;
	} u;
};

/*@ predicate mon_init_ok(struct tes_mon_init *m) =
        1 <= m->e_len <= TES_RSA_E_MAX && m->allow_des <= 1 &&
        1 <= m->rekey_records <= TES_REKEY_RECORDS && 1 <= m->rekey_bytes <= TES_REKEY_BYTES;
    predicate mon_hs_ok(struct tes_mon_handshake *m) =
        suite_valid(m->ch.suite) && m->suite == m->ch.suite;
    predicate mon_resume_ok(struct tes_mon_resume *m) =
        suite_valid(m->rh.ch.suite) && m->suite == m->rh.ch.suite &&
        1 <= m->rh.ticket_len <= TES_TICKET_MAX &&
        (\forall integer k; m->rh.ticket_len <= k < TES_TICKET_MAX ==> m->rh.ticket[k] == 0);
    // the SESSION fields of an answer, as far as they go on the wire
    predicate mon_session_ok(struct tes_mon_status *m) =
        m->ticket_len <= TES_TICKET_MAX && (m->ticket_len == 0 <==> m->ticket_lifetime == 0) &&
        m->ticket_lifetime <= TES_TICKET_LIFETIME &&
        (m->status != 0 ==> m->lifetime == 0 && m->ticket_len == 0 && m->ticket_lifetime == 0 &&
                            (\forall integer k; 0 <= k < TES_HASH_LEN ==> m->res_secret[k] == 0));
    predicate mon_status_ok(struct tes_mon_status *m, integer max) =
        m->status <= max && mon_session_ok(m) &&
        (\forall integer k; m->ticket_len <= k < TES_TICKET_MAX ==> m->ticket[k] == 0);
    predicate mon_log_ok(struct tes_mon_log *m) =
        m->level <= 2 && m->len <= TES_MON_LOG_MAX && m->text[m->len] == 0 &&
        (\forall integer k; 0 <= k < m->len ==> 0x20 <= m->text[k] <= 0x7e);
 */

/*@ requires \valid_read(m) && \valid(out + (0 .. TES_MON_MSG_LEN - 1));
    requires \separated(m, out + (0 .. TES_MON_MSG_LEN - 1));
    terminates \true;
    assigns out[0 .. TES_MON_MSG_LEN - 1];
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> out[0] == m->type;
    ensures \result != 0 ==> \forall integer k; 0 <= k < TES_MON_MSG_LEN ==> out[k] == 0;
 */
/*
 * Encode m into exactly TES_MON_MSG_LEN bytes (zero padded). Fields out of
 * range give TES_ERR_ARG and an all-zero buffer.
 */
int
tes_mon_encode(const struct tes_mon_msg *m, uint8_t out[static TES_MON_MSG_LEN]);

/*@ requires \valid_read(buf + (0 .. n-1)) && \valid(m);
    requires \separated(m, buf + (0 .. n-1));
    terminates \true;
    assigns *m;
    ensures \result == 0 || \result < 0;
    ensures \result == 0 ==> n == TES_MON_MSG_LEN;
    ensures \result == 0 ==> m->type == buf[0] && 1 <= m->type <= TES_MON_TYPE_MAX;
    ensures \result == 0 && m->type == TES_MON_INIT ==> mon_init_ok(&m->u.init);
    ensures \result == 0 && m->type == TES_MON_HANDSHAKE ==> mon_hs_ok(&m->u.hs);
    ensures \result == 0 && m->type == TES_MON_HANDSHAKE_ANS ==> mon_status_ok(&m->u.st, 1);
    ensures \result == 0 && m->type == TES_MON_LOGIN_ANS ==> mon_status_ok(&m->u.st, 2);
    ensures \result == 0 && m->type == TES_MON_LOGIN ==> login_ok(&m->u.login);
    ensures \result == 0 && m->type == TES_MON_REPORT ==> report_ok(&m->u.rep.r);
    ensures \result == 0 && m->type == TES_MON_REPORT_ANS ==> receipt_ok(&m->u.rcpt);
    ensures \result == 0 && m->type == TES_MON_LOG ==> mon_log_ok(&m->u.log);
    ensures \result == 0 && m->type == TES_MON_RESUME ==> mon_resume_ok(&m->u.res);
 */
/*
 * Decode a message of n bytes: n must equal TES_MON_MSG_LEN, the type must
 * be known, every field valid (the per-type clauses above), and every byte after the fields
 * zero. The ticket bytes past ticket_len (RESUME, HANDSHAKE_ANS, LOGIN_ANS) are not on the
 * wire: they decode as zero.
 */
int
tes_mon_decode(const uint8_t *buf, size_t n, struct tes_mon_msg *m);

/*@ terminates \true;
    assigns \nothing;
    ensures \result == 0 || \result == TES_ERR_STATE;
    behavior handshake:
      assumes type == TES_MON_HANDSHAKE;
      ensures \result == 0 <==> ((TES_MS_HANDSHAKE & state) != 0 &&
                                 ((used >> TES_MON_HANDSHAKE) & 1) == 0);
    behavior login:
      assumes type == TES_MON_LOGIN;
      ensures \result == 0 <==> (TES_MS_UNIT & state) != 0;
    behavior report:
      assumes type == TES_MON_REPORT;
      ensures \result == 0 <==> (TES_MS_USER & state) != 0;
    behavior log:
      assumes type == TES_MON_LOG;
      ensures \result == 0 <==>
              ((TES_MS_HANDSHAKE | TES_MS_UNIT | TES_MS_USER) & state) != 0;
    behavior resume:
      assumes type == TES_MON_RESUME;
      ensures \result == 0 <==> ((TES_MS_HANDSHAKE & state) != 0 &&
                                 ((used >> TES_MON_RESUME) & 1) == 0);
    behavior heartbeat:
      assumes type == TES_MON_HEARTBEAT;
      ensures \result == 0 <==> (TES_MS_USER & state) != 0;
    behavior refused:
      assumes type != TES_MON_HANDSHAKE && type != TES_MON_LOGIN &&
              type != TES_MON_REPORT && type != TES_MON_LOG &&
              type != TES_MON_RESUME && type != TES_MON_HEARTBEAT;
      ensures \result == TES_ERR_STATE;
    complete behaviors; disjoint behaviors;
 */
/*
 * The master's permission check (OpenSSH MON_PERMIT / MON_ONCE): 0 when a
 * child in `state` may send `type`, given the once-only requests already
 * used (bit (1 << type) set in `used`); TES_ERR_STATE otherwise. Only
 * child->master types can ever be permitted.
 */
int
tes_mon_permit(uint8_t state, uint8_t type, uint32_t used);

#endif
