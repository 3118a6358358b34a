/* SPDX-License-Identifier: ISC */
/*
 * The per-connection parser child ("session"). It is a fresh process image
 * (the master starts it with posix_spawn), so no long-term secret is ever in its memory.
 * It reads every byte the police client sends, validates it, and asks the
 * master, over fixed-size monitor messages, for the one RSA private
 * operation of the handshake, for login checks and for storing reports.
 *
 * File descriptors on entry: TES_SESSION_NET_FD is the client socket,
 * TES_SESSION_MON_FD the monitor socket; 0, 1 and 2 point to /dev/null or
 * the master's stderr. Exit codes: 0 normal end, 3 protocol error or peer
 * gone, 4 set-up failure.
 */
#ifndef TES_OFFICER_SESSION_H
#define TES_OFFICER_SESSION_H

#include "officer/spawn.h"

enum {
	TES_SESSION_NET_FD = TES_CHILD_NET_FD,
	TES_SESSION_MON_FD = TES_CHILD_MON_FD,
	TES_SESSION_EXIT_OK = 0,
	TES_SESSION_EXIT_PROTO = 3,
	TES_SESSION_EXIT_SETUP = TES_CHILD_EXIT_SETUP
};

/* Run one session; returns the process exit code. */
int
tes_session_main(void);

#endif
