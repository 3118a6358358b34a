/* SPDX-License-Identifier: ISC */
/*
 * The local control socket (DATA_DIR/control.sock, 0600, in a 0700
 * directory). While the server runs it holds the data directory's lock, so
 * the officer subcommands send their request here instead of opening the
 * files: there is never a second writer. The peer must have the server's
 * uid (SO_PEERCRED). Request: u32 length | u16 argc | argc x (u16 len |
 * bytes). Response: u8 exit code | u32 n | stdout bytes | u32 n | stderr bytes.
 * A streamed command (tes_control_streamed: export, whose output has no
 * bound) answers in frames instead, u8 kind | u32 n | n bytes, made as the
 * output is: kind OUT (stdout bytes), ERR (stderr bytes), and last END
 * (n = 1: the exit code). A stream without its END frame was cut short.
 */
#ifndef TES_OFFICER_CONTROL_H
#define TES_OFFICER_CONTROL_H

#include "store/db.h"

enum {
	TES_CONTROL_MAX = 16384,
	TES_CONTROL_ARGS = 16,
	TES_CONTROL_STREAM_BUF = 65536,  /* the most stdout bytes in one frame */
	TES_CONTROL_STREAM_TIMEOUT = 300 /* seconds a streamed answer waits for a client that reads nothing */
};

/* Frame kinds of a streamed answer. */
enum {
	TES_CONTROL_OUT = 1,
	TES_CONTROL_ERR = 2,
	TES_CONTROL_END = 3
};

/* Whether the command's answer is streamed (its output has no bound). */
int
tes_control_streamed(const char *cmd);

int
tes_control_listen(const char *dir, char *err, size_t cap);
void
tes_control_close(const char *dir, int fd);
/* Accept and answer one request (runs tes_cmd_exec in the master). */
void
tes_control_serve(int lfd, struct tes_db *db);
/* Client side: forward argv, copy the output to stdout/stderr, set *code. */
int
tes_control_call(const char *dir, int argc, char **argv, int *code);

#endif
