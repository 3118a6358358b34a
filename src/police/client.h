/* SPDX-License-Identifier: ISC */
/*
 * The police side of a session over a socket: resolve, connect with a
 * timeout, then handshake (pinning the server key), login, signed reports
 * and their receipts, BYE. This is the I/O driver only: it reads whole
 * frames, hands them to the sans-I/O engine (police/client_engine.h) and
 * writes what the engine produces; all protocol logic is in the engine.
 */
#ifndef TES_POLICE_CLIENT_H
#define TES_POLICE_CLIENT_H

#include <stdint.h>

#include "crypto/rsa.h"
#include "police/client_engine.h"
#include "wire/limits.h"
#include "wire/msg.h"

/* Decides whether the server key is the expected one: 0 to go on. */
typedef int (*tes_pin_fn)(void *ctx, const struct tes_rsa_pub *server);

struct tes_client {
	int fd;
	uint8_t suite;
	unsigned timeout; /* seconds per read/write */
	const struct tes_rsa_priv *unit;
	uint8_t unit_key[TES_KEYID_LEN];
	struct tes_client_engine eng; /* the session's protocol state */
	uint8_t alert;                /* alert code received, 0 if none */
	int established;              /* handshake done: records may flow */
	int want_session;             /* the login asks for the SESSION record (feed) */
	int has_session;              /* session holds the server's SESSION of this connection */
	struct tes_session_info session;
	const struct addrinfo *ai; /* resolved server, or NULL to resolve on connect */
};

struct addrinfo;

/* Ready c for tes_client_connect: no socket yet, the unit key and its id, suite, seconds per I/O. */
void
tes_client_init(struct tes_client *c, const struct tes_rsa_priv *unit, uint8_t suite, unsigned timeout);
/* tes_pin_fn that accepts exactly the server key whose fingerprint ("SHA256:...") is ctx. */
int
tes_client_pin_fp(void *ctx, const struct tes_rsa_pub *server);

/* Resolve HOST:PORT once (before a sandbox forbids it); free with freeaddrinfo. */
int
tes_client_resolve(const char *hostport, struct addrinfo **ai, char *err, size_t cap);
/* TCP connect with a timeout, to c->ai when set, else to HOST:PORT resolved now. */
int
tes_client_connect(struct tes_client *c, const char *hostport, char *err, size_t cap);
/*
 * Run the handshake on the connected socket: pin(ctx, key) is asked once,
 * with the server key, before anything that depends on a secret is sent.
 * TES_ERR_PEER with c->alert set when the server sent an ALERT.
 */
int
tes_client_handshake(struct tes_client *c, tes_pin_fn pin, void *ctx);
/*
 * A resumption ticket as the server gave it (SESSION), kept in memory only
 * (spec/PROTOCOL.md#resumption): len 0 when there is none.
 */
struct tes_client_ticket {
	uint16_t len;
	uint8_t ticket[TES_TICKET_MAX];
	uint8_t res_secret[TES_HASH_LEN];
	uint64_t expires; /* CLOCK_MONOTONIC ms when it is no longer worth presenting */
};

/*
 * A resumed handshake on the connected socket with ticket t: pin as for
 * tes_client_handshake; 0 when the session is established and logged in
 * (c->session holds the server's SESSION). TES_ERR_PEER with c->alert
 * TES_ALERT_AUTH when the server refused the ticket: the caller drops it
 * and makes a full handshake and login on a new connection.
 */
int
tes_client_resume(struct tes_client *c, const struct tes_client_ticket *t, tes_pin_fn pin, void *ctx);

/*
 * The socket is readable while no answer is due: read the one frame, an
 * ALERT (TES_ERR_PEER, c->alert set) or the end (TES_ERR_CLOSED); anything
 * else fails the session.
 */
int
tes_client_read_alert(struct tes_client *c);

/* A HEARTBEAT and the server's answer. */
int
tes_client_heartbeat(struct tes_client *c);

/* 0 when the server accepted the login, TES_ERR_AUTH otherwise. */
int
tes_client_login(struct tes_client *c, const char *user, const char *pw);
/* Sign r with the unit key, send it, wait for its receipt. */
int
tes_client_report(struct tes_client *c, const struct tes_report *r, struct tes_receipt *rc);
/*
 * Send r with a signature made beforehand (tes_digest_report, then
 * tes_rsa_sign with the unit key), wait for its receipt. The server checks
 * sig itself: a wrong one is answered REJECTED.
 */
int
tes_client_report_signed(struct tes_client *c, const struct tes_report *r,
			 const uint8_t sig[static TES_RSA_LEN], struct tes_receipt *rc);
/* Send BYE (best effort; not after a protocol failure), close, wipe keys. */
void
tes_client_close(struct tes_client *c);

#endif
