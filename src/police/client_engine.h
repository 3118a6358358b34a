/* SPDX-License-Identifier: ISC */
/*
 * The police side of one session as a sans-I/O state machine
 * (spec/PROTOCOL.md#handshake, #state), the mirror of officer/engine.h: the
 * caller sends the frames the engine produces, reads whole frames from the
 * server and feeds them in, and acts on the events that come out. The engine
 * never touches a descriptor, a clock or the heap, so police/client.c (the
 * socket driver), the fuzz harness and the unit tests run the same code.
 *
 *   init: CLIENT_HELLO out                                   --> WAIT_SH
 *   WAIT_SH  --SERVER_HELLO--> event SERVER_KEY              --> WAIT_PIN
 *   WAIT_PIN --pin(0)--> KEY_EXCHANGE + FINISHED out         --> WAIT_FIN
 *   WAIT_FIN --FINISHED--> event ESTABLISHED                 --> READY
 *   READY    --login()--> RECORD(LOGIN) out                  --> WAIT_LOGIN
 *   WAIT_LOGIN --RECORD(LOGIN_RESULT)--> event LOGIN         --> READY
 *   READY    --report()--> RECORD(REPORT) out                --> WAIT_RECEIPT
 *   WAIT_RECEIPT --RECORD(RECEIPT)--> event RECEIPT          --> READY
 *   READY, WAIT_LOGIN, WAIT_RECEIPT --bye()--> RECORD(BYE) out --> DONE
 *   WAIT_LOGIN --RECORD(LOGIN_RESULT accepted), SESSION asked--> WAIT_SESSION
 *   WAIT_SESSION --RECORD(SESSION)--> event LOGIN or RESUMED            --> READY
 *   READY    --heartbeat()--> RECORD(HEARTBEAT) out          --> WAIT_HEARTBEAT
 *   WAIT_HEARTBEAT --RECORD(HEARTBEAT)--> event HEARTBEAT     --> READY
 *
 * Resumed (init_resume): RESUME_HELLO out --> WAIT_SH, then as above to
 * WAIT_PIN; pin(0) sends UNIT_AUTH + FINISHED --> WAIT_FIN; the server's
 * FINISHED --> WAIT_SESSION; SESSION --> event RESUMED --> READY.
 *
 * The server key is handed to the caller (event SERVER_KEY), who checks it
 * against the pin and answers with tes_client_engine_pin(): the pin is
 * asked once, and nothing that depends on a secret exists before it says
 * yes. The client does not enforce the server's login rules
 * (spec/PROTOCOL.md#state): a LOGIN after a successful one, or a REPORT
 * before any, go out and the server refuses them.
 *
 * Any error is sticky: the engine wipes every secret, goes to FAILED and
 * refuses every later call (then no BYE is sent: the caller just closes).
 * The one exception is a record that would not encode from the caller's
 * own input (a name above its limit, a report field longer than its array,
 * a unit key that cannot sign): the call returns the error, produces
 * nothing and leaves the engine as it was.
 */
#ifndef TES_POLICE_CLIENT_ENGINE_H
#define TES_POLICE_CLIENT_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/record.h"
#include "crypto/rsa.h"
#include "wire/limits.h"
#include "wire/msg.h"

enum tes_client_engine_state {
	TES_CLIENT_ENG_INVALID = 0,
	TES_CLIENT_ENG_WAIT_SH = 1,      /* CLIENT_HELLO out */
	TES_CLIENT_ENG_WAIT_PIN = 2,     /* server key out, the caller's verdict pending */
	TES_CLIENT_ENG_WAIT_FIN = 3,     /* KEY_EXCHANGE and FINISHED out */
	TES_CLIENT_ENG_READY = 4,        /* records flow, no answer pending */
	TES_CLIENT_ENG_WAIT_LOGIN = 5,   /* LOGIN out, LOGIN_RESULT pending */
	TES_CLIENT_ENG_WAIT_RECEIPT = 6, /* REPORT out, RECEIPT pending */
	TES_CLIENT_ENG_DONE = 7,         /* BYE out */
	TES_CLIENT_ENG_FAILED = 8,
	TES_CLIENT_ENG_WAIT_SESSION = 9,   /* login accepted or resumed: the SESSION record comes next */
	TES_CLIENT_ENG_WAIT_HEARTBEAT = 10 /* HEARTBEAT out, the server's pending */
};

/* What a step tells the caller besides the bytes to send. */
enum tes_client_engine_event {
	TES_CLIENT_EV_NONE = 0,
	TES_CLIENT_EV_SERVER_KEY = 1,  /* server: check it, answer with tes_client_engine_pin() */
	TES_CLIENT_EV_ESTABLISHED = 2, /* the server's Finished is right: records may flow */
	TES_CLIENT_EV_LOGIN = 3,       /* login_result: accepted, refused or try again */
	TES_CLIENT_EV_RECEIPT = 4,     /* receipt, of the report sent */
	TES_CLIENT_EV_ALERT = 5,       /* alert: the code the server sent (the call returns TES_ERR_PEER) */
	TES_CLIENT_EV_RESUMED = 6,     /* a resumed handshake is done, logged in: session holds SESSION */
	TES_CLIENT_EV_HEARTBEAT = 7    /* the server answered a heartbeat */
};

enum {
	/* a whole CLIENT_HELLO frame, and the largest SERVER_HELLO frame (spec/PROTOCOL.md#handshake) */
	TES_CLIENT_ENGINE_CH_LEN = TES_FRAME_HDR_LEN + 1 + TES_RANDOM_LEN + TES_X25519_LEN + TES_KEYID_LEN,
	TES_CLIENT_ENGINE_SH_MAX =
		TES_FRAME_HDR_LEN + 1 + TES_RANDOM_LEN + TES_X25519_LEN + TES_RSA_LEN + 1 + TES_RSA_E_MAX,
	/* the largest RESUME_HELLO frame */
	TES_CLIENT_ENGINE_RH_MAX = TES_CLIENT_ENGINE_CH_LEN + 2 + TES_TICKET_MAX
};

/* What one step produced: whole frames to send, and at most one event. */
struct tes_client_engine_out {
	uint8_t frame[TES_FRAME_MAX]; /* complete frames to send, frame_len bytes (0: none); KEY_EXCHANGE
					    and FINISHED come out together, to go out in one write */
	size_t frame_len;
	uint8_t event;                   /* enum tes_client_engine_event */
	uint8_t login_result;            /* TES_CLIENT_EV_LOGIN: enum tes_login_result */
	uint8_t alert;                   /* TES_CLIENT_EV_ALERT: 1 .. TES_ALERT_MAX */
	struct tes_rsa_pub server;       /* TES_CLIENT_EV_SERVER_KEY: passes tes_rsa_pub_check() */
	struct tes_receipt receipt;      /* TES_CLIENT_EV_RECEIPT: QUEUED, DUPLICATE, REJECTED or CONFLICT (no
				       other status decodes: TES_ERR_FORMAT) */
	int has_session;                 /* session holds the server's SESSION record */
	struct tes_session_info session; /* TES_CLIENT_EV_RESUMED, and TES_CLIENT_EV_LOGIN when accepted
					    after a LOGIN that asked for it (TES_LOGIN_FEAT_SESSION) */
};

/* One session; caller-owned, no pointers inside (copy it, wipe it). */
struct tes_client_engine {
	uint8_t state; /* enum tes_client_engine_state */
	uint8_t suite; /* offered, and required of SERVER_HELLO */
	struct tes_client_hello ch;
	struct tes_server_hello sh;
	uint8_t x_priv[TES_X25519_LEN];   /* until the pin's verdict */
	int resumed;                      /* the handshake is a resumption */
	int want_session;                 /* the LOGIN sent asked for a SESSION record */
	uint8_t res_secret[TES_HASH_LEN]; /* resumption: in place of the transported secret */
	uint8_t ch_f[TES_CLIENT_ENGINE_RH_MAX],
		sh_f[TES_CLIENT_ENGINE_SH_MAX]; /* CLIENT_HELLO or RESUME_HELLO */
	size_t ch_n, sh_n;
	uint8_t s_fin[TES_FINISHED_LEN];      /* the server Finished expected, until it came */
	uint8_t report_id[TES_REPORT_ID_LEN]; /* of the report whose receipt is pending */
	struct tes_record_dir tx, rx;
};

/*
 * Start a session offering suite for the unit whose key id is unit_key
 * (tes_rsa_keyid of its public key): out holds the CLIENT_HELLO. 0, or an
 * error (then the engine is FAILED).
 */
int
tes_client_engine_init(struct tes_client_engine *e, uint8_t suite,
		       const uint8_t unit_key[static TES_KEYID_LEN], struct tes_client_engine_out *out);

/*
 * Start a resumed session (spec/PROTOCOL.md#resumption): out holds the
 * RESUME_HELLO with ticket (1 .. TES_TICKET_MAX bytes, as the server gave
 * it); then SERVER_HELLO and the pin as for a full handshake, the pin's
 * verdict sends UNIT_AUTH and FINISHED, and the server's FINISHED and
 * SESSION end in event RESUMED, logged in. res_secret is kept until then.
 */
int
tes_client_engine_init_resume(struct tes_client_engine *e, uint8_t suite,
			      const uint8_t unit_key[static TES_KEYID_LEN], const uint8_t *ticket,
			      size_t ticket_len, const uint8_t res_secret[static TES_HASH_LEN],
			      struct tes_client_engine_out *out);

/* A HEARTBEAT record in out; READY only: the server answers one (event HEARTBEAT). */
int
tes_client_engine_heartbeat(struct tes_client_engine *e, struct tes_client_engine_out *out);

/*
 * Feed one complete frame from the server (header + payload, len bytes).
 * On success out holds the event it caused. TES_ERR_PEER for an ALERT (out:
 * event TES_CLIENT_EV_ALERT and its code, TES_ALERT_PROTOCOL when it does
 * not decode), TES_ERR_TYPE for a frame the state does not accept,
 * TES_ERR_STATE when the state accepts no frame, TES_ERR_FORMAT for a
 * SERVER_HELLO of another suite or a receipt for another report,
 * TES_ERR_KEY for a server key that is not RSA-2048 with an odd e >= 3,
 * TES_ERR_MAC for a wrong server Finished or record, or a decoding error.
 */
int
tes_client_engine_frame(struct tes_client_engine *e, const uint8_t *frame, size_t len,
			struct tes_client_engine_out *out);

/*
 * The caller's verdict on the server key of event SERVER_KEY: 0 goes on
 * (out holds KEY_EXCHANGE and FINISHED, the transcript signed with unit,
 * the key whose id went in the CLIENT_HELLO; unit is not kept), anything
 * else fails the engine with that error (TES_ERR_PIN), nothing sent.
 */
int
tes_client_engine_pin(struct tes_client_engine *e, int verdict, const struct tes_rsa_priv *unit,
		      struct tes_client_engine_out *out);

/* A LOGIN record in out; READY only. TES_ERR_ARG for a name or password above its limit (see above). */
int
tes_client_engine_login(struct tes_client_engine *e, const struct tes_login *l,
			struct tes_client_engine_out *out);

/*
 * A REPORT record of r with a signature made beforehand (tes_digest_report,
 * then tes_rsa_sign with the unit key) in out; READY only. The server
 * checks sig itself: a wrong one is answered REJECTED. TES_ERR_ARG for a
 * field longer than its array (see above).
 */
int
tes_client_engine_report(struct tes_client_engine *e, const struct tes_report *r,
			 const uint8_t sig[static TES_RSA_LEN], struct tes_client_engine_out *out);

/* The same, signed here with unit (not kept); a signing error leaves the engine as it was. */
int
tes_client_engine_report_sign(struct tes_client_engine *e, const struct tes_report *r,
			      const struct tes_rsa_priv *unit, struct tes_client_engine_out *out);

/*
 * A BYE record in out, once the handshake is done and the engine has not
 * failed (also while an answer is pending: the caller gives up on it).
 * TES_ERR_STATE otherwise.
 */
int
tes_client_engine_bye(struct tes_client_engine *e, struct tes_client_engine_out *out);

/* 1 when a LOGIN or REPORT may be built: handshake done, no answer pending, not failed. */
int
tes_client_engine_ready(const struct tes_client_engine *e);

/* Wipe every secret; the engine is FAILED afterwards. */
void
tes_client_engine_wipe(struct tes_client_engine *e);

#endif
