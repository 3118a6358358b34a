/* SPDX-License-Identifier: ISC */
/*
 * The server side of one session as a sans-I/O state machine
 * (spec/PROTOCOL.md#state), BearSSL engine style: the caller reads frames
 * from the client and feeds them in, sends the frame the engine produces,
 * and carries its monitor requests to the master and the answers back.
 * The engine itself never touches a descriptor, a clock or the heap, so
 * the session child (session.c) and the fuzz harnesses run the same code.
 *
 *   WAIT_HELLO --CLIENT_HELLO--> WAIT_KX --KEY_EXCHANGE--> WAIT_FIN
 *   WAIT_FIN --FINISHED--> [master HANDSHAKE] --> READY (FINISHED sent)
 *   READY --RECORD(LOGIN)--> [master LOGIN] --> READY (LOGIN_RESULT sent)
 *   READY --RECORD(REPORT)--> [master REPORT] --> READY (RECEIPT sent)
 *   READY --RECORD(BYE)--> DONE
 *   READY --RECORD(HEARTBEAT)--> READY (HEARTBEAT sent, the master told)
 *
 * A resumed handshake (spec/PROTOCOL.md#resumption):
 *   WAIT_HELLO --RESUME_HELLO--> WAIT_UA --UNIT_AUTH--> WAIT_FIN
 *   WAIT_FIN --FINISHED--> [master RESUME] --> READY, logged in (FINISHED and SESSION sent)
 *
 * After the login, a record that would take a direction past the key
 * bounds of INIT is not opened: the engine fails with alert REKEY
 * (spec/PROTOCOL.md#rekey).
 *
 * Any error is sticky: the engine goes to FAILED and refuses every later
 * call; the caller then sends tes_engine_alert() and closes.
 */
#ifndef TES_OFFICER_ENGINE_H
#define TES_OFFICER_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/record.h"
#include "officer/mon.h"
#include "wire/limits.h"
#include "wire/msg.h"

enum tes_engine_state {
	TES_ENG_INVALID = 0,
	TES_ENG_WAIT_HELLO = 1,
	TES_ENG_WAIT_KX = 2,
	TES_ENG_WAIT_FIN = 3,
	TES_ENG_WAIT_HS_ANS = 4, /* HANDSHAKE request out, answer pending */
	TES_ENG_READY = 5,       /* records flow */
	TES_ENG_WAIT_LOGIN_ANS = 6,
	TES_ENG_WAIT_REPORT_ANS = 7,
	TES_ENG_DONE = 8, /* BYE received */
	TES_ENG_FAILED = 9,
	TES_ENG_WAIT_UA = 10 /* resumed: RESUME_HELLO in, SERVER_HELLO out, UNIT_AUTH expected */
};

/* What one step produced: at most one frame for the client or one request for the master. */
struct tes_engine_out {
	uint8_t frame[TES_FRAME_MAX]; /* complete frame to send, frame_len bytes (0: none) */
	size_t frame_len;
	int has_req; /* req is a request for the master */
	int oneway;  /* req has no answer (HEARTBEAT): send it and go on */
	struct tes_mon_msg req;
};

/* One session; caller-owned, no pointers inside (copy it, wipe it). */
struct tes_engine {
	uint8_t state; /* enum tes_engine_state */
	uint8_t alert; /* alert to send after a failure */
	int logged_in;
	int resumed;                 /* the handshake is a resumption (RESUME_HELLO, UNIT_AUTH) */
	int want_session;            /* the LOGIN asked for a SESSION record */
	uint64_t rx_bytes, tx_bytes; /* record payload bytes under the session keys, per direction */
	struct tes_resume_hello rh;
	struct tes_unit_auth ua;
	struct tes_mon_init init;
	struct tes_client_hello ch;
	struct tes_server_hello sh;
	struct tes_key_exchange kx;
	struct tes_finished cf;
	uint8_t x_priv[TES_X25519_LEN];
	uint8_t ch_f[TES_FRAME_MAX], sh_f[TES_FRAME_MAX], kx_f[TES_FRAME_MAX], cf_f[TES_FRAME_MAX];
	size_t ch_n, sh_n, kx_n, cf_n;
	uint8_t report_id[TES_REPORT_ID_LEN]; /* of the report the master is storing */
	struct tes_record_dir rx, tx;
};

/* Start a session with the parameters the master sent (INIT). */
void
tes_engine_init(struct tes_engine *e, const struct tes_mon_init *init);

/*
 * Feed one complete frame from the client (header + payload, len bytes).
 * On success out holds what to do next (a frame to send, a request for the
 * master, or nothing). TES_ERR_PEER for an ALERT, TES_ERR_TYPE for a frame
 * the state does not accept (spec/PROTOCOL.md#state MUST-S1), TES_ERR_STATE when a master answer
 * is pending, or any decoding / crypto error.
 */
int
tes_engine_frame(struct tes_engine *e, const uint8_t *frame, size_t len, struct tes_engine_out *out);

/*
 * Feed the master's answer to the pending request. TES_ERR_TYPE when it is
 * not the expected answer type, TES_ERR_STATE when nothing was pending.
 */
int
tes_engine_answer(struct tes_engine *e, const struct tes_mon_msg *ans, struct tes_engine_out *out);

/* 1 once the client said BYE. */
int
tes_engine_done(const struct tes_engine *e);

/* The generic alert code to send after a failure (spec/PROTOCOL.md#alerts). */
uint8_t
tes_engine_alert(const struct tes_engine *e);

/* Wipe every secret; the engine is FAILED afterwards. */
void
tes_engine_wipe(struct tes_engine *e);

#endif
