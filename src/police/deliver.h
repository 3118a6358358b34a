/* SPDX-License-Identifier: ISC */
/*
 * Delivery of a police unit's reports (spec/SPOOL.md): every record is
 * checked, given its id and signature once, written to the unit's spool and
 * made durable there, and only then sent; a receipt retires it. What cannot
 * be sent (no server, a dropped link, a busy server) stays spooled for the
 * next report, batch or flush. Receipts go to stdout one line at a time, as
 * they arrive.
 *
 * tes_deliver_open does everything that needs the file system, the resolver
 * or the heap (key, password, known_servers, the spool and its keys) and
 * then enters the client's sandbox: from there on the process reads, writes,
 * syncs the spool and (re)connects to the already resolved server.
 */
#ifndef TES_POLICE_DELIVER_H
#define TES_POLICE_DELIVER_H

#include <stddef.h>
#include <stdint.h>

#include "wire/batch.h"

/* The session options of report, batch and flush, and the spool's place. */
struct tes_deliver_conf {
	const char *server, *key, *user, *password_file, *server_key, *known, *spool;
	int trust, suite;
	unsigned timeout, retries;
	int feed;    /* tes-police feed: one long session, resumed with tickets, heartbeats */
	int stop_fd; /* feed: readable once SIGTERM or SIGINT came (a signalfd), else -1 */
};

/*
 * Everything above, for the one run of the process (it holds the spool,
 * about 25 MiB: static storage). Opaque to the caller.
 */
struct tes_deliver;

/* The run of this process. */
struct tes_deliver *
tes_deliver_get(void);

/*
 * Load the key and the password, resolve the server, open and lock the
 * spool (D = conf->spool, else KEY.spool), derive the user's spool key, and
 * enter the sandbox. EX_OK or the sysexits code to exit with (a message
 * has been written to stderr).
 */
int
tes_deliver_open(struct tes_deliver *d, const struct tes_deliver_conf *conf);

/*
 * Check rec, give it its id, time and signature and add it to the spool
 * (not yet durable). prefix ("line 12: " or "") starts the line written to
 * stdout when the record is refused. 0 added or already spooled, 1 refused
 * (the line is written), or a sysexits code (> 1) to stop with.
 */
int
tes_deliver_record(struct tes_deliver *d, const struct tes_batch_rec *rec, const char *prefix);

/* Refuse an input record: a line on stdout with prefix (stderr when prefix is ""). 1. */
int
tes_deliver_refuse(struct tes_deliver *d, const char *prefix, const char *why);

/*
 * Make what was added durable, then send every report of this user that
 * waits in the spool, oldest first, while the server can be reached.
 * EX_OK or a sysexits code to stop with (authentication or server key
 * refused, the spool cannot be written).
 */
int
tes_deliver_flush(struct tes_deliver *d);

/*
 * Feed mode (spec/SPOOL.md#feed): the calls of tes-police feed's loop.
 *
 * tes_deliver_connect: a session when there is none: a resumption with the
 * ticket of the last login when there is one, else a full handshake and
 * login; stderr says "logged in" or "resumed". 0 connected, TES_ERR_CLOSED
 * when the server cannot be reached (try again later), or an error with
 * *code the exit code (authentication, server key, protocol).
 */
int
tes_deliver_connect(struct tes_deliver *d, int *code);

/* The session's socket, or -1 when there is no session. */
int
tes_deliver_fd(const struct tes_deliver *d);

/* Milliseconds between heartbeats of an idle session (a third of the server's idle timeout). */
unsigned
tes_deliver_heartbeat_ms(const struct tes_deliver *d);

/* A heartbeat now; the session is closed when it fails (connect again). 0 or the error. */
int
tes_deliver_heartbeat(struct tes_deliver *d);

/*
 * The session's socket is readable while no answer is due: an ALERT (busy,
 * rekey) or the end of the connection. The session is closed; 1 when the
 * server asked for a new session at once (rekey), else 0.
 */
int
tes_deliver_unsolicited(struct tes_deliver *d);

/* Reports of this user that wait in the spool. */
size_t
tes_deliver_waiting(struct tes_deliver *d);

/* 1 when the last session ended because the server asked for a new one (rekey): connect at once. */
int
tes_deliver_rekeyed(const struct tes_deliver *d);

/*
 * Say what is left (the SPOOLED lines, a count on stderr), close the
 * session and the spool, wipe the secrets. code is the run's code so far
 * (EX_OK, or what tes_deliver_flush or tes_deliver_record said to stop
 * with); returns the exit code: EX_TEMPFAIL when reports of this user
 * wait because the server could not be reached, EX_UNAVAILABLE when
 * nothing could be sent or spooled, EX_DATAERR when input or a report was
 * refused, else code.
 */
int
tes_deliver_close(struct tes_deliver *d, int code);

/*
 * The spool listing of tes-police spool: one line per waiting report on
 * stdout. With conf->key, the spool is opened as for sending (and repaired);
 * without it, conf->spool is only read and its retirements are not verified
 * (spec/SPOOL.md#listing): EX_NOINPUT when it does not exist. The sysexits
 * code.
 */
int
tes_deliver_list(const struct tes_deliver_conf *conf);

#endif
