/* SPDX-License-Identifier: ISC */
/*
 * The officer master: accepts connections, spawns one session child per
 * connection (posix_spawn of a fresh image), answers the children's monitor
 * requests through a permission table, and serves the local control socket
 * used by the officer subcommands while the server runs.
 */
#ifndef TES_OFFICER_SERVER_H
#define TES_OFFICER_SERVER_H

#include "officer/children.h"
#include "officer/sigcheck.h"
#include "officer/verifier.h"
#include "store/db.h"

struct tes_serve_opts {
	const char *dir;
	const char *listen;       /* ADDR:PORT, default 127.0.0.1:9999 */
	const char *http;         /* dashboard ADDR:PORT or "off" (reserved) */
	int allow_des;            /* accept single-DES sessions */
	unsigned idle_timeout;    /* seconds a client may stay silent */
	unsigned session_timeout; /* seconds a session may last in total */
	unsigned max_sessions;
	unsigned rekey_records;   /* records per session key and direction (spec/PROTOCOL.md#rekey) */
	unsigned rekey_bytes;     /* record payload bytes per session key and direction */
	unsigned ticket_lifetime; /* seconds a resumption ticket is good for (1 .. TES_TICKET_LIFETIME) */
	struct tes_children_startups startups; /* login grace time, per-source and total handshake caps */
	unsigned session_cpu;                  /* RLIMIT_CPU seconds of a session child */
	const char *parser_exe;                /* image exec'd for each parser child (tes-parser) */
	struct tes_verifier *verifier;         /* password checks (started before any key is loaded) */
	struct tes_sigcheck *sigcheck;         /* report signature checks (likewise) */
};

/* Run until SIGINT/SIGTERM; returns a sysexits code. */
int
tes_server_run(struct tes_db *db, const struct tes_serve_opts *o);

#endif
