/* SPDX-License-Identifier: ISC */
/*
 * Officer subcommands that touch the store, in a normalised form that runs
 * either locally (the store is not in use) or inside the running server
 * (sent over the control socket). The CLI front end resolves files, prompts
 * and password hashing first, so a request carries only plain values; the
 * executor re-validates each of them.
 *
 *   pending
 *   records [PLATE]
 *   show ID
 *   decide ID approve|reject REASON OFFICER   (a rejection needs a REASON; OFFICER is an
 *                                             officer account, or "" for the caller's system user)
 *   add-unit NAME SSH-PUBLIC-KEY-LINE
 *   revoke-unit NAME
 *   add-user NAME police|officer ARGON2-ENCODED-HASH
 *   passwd NAME ARGON2-ENCODED-HASH police|officer   (the strictest role whose password policy
 *                                                 the new password meets)
 *   verify
 *   compact
 *   export csv|jsonl all|pending|approved|rejected SINCE UNTIL   (observation times in seconds
 *                                             since the epoch, "" for none; spec/EXPORT.md)
 */
#ifndef TES_OFFICER_CMD_H
#define TES_OFFICER_CMD_H

#include <stdio.h>
#include <sys/types.h>

#include "store/db.h"

/* Returns a sysexits code; output to out, one-line errors to err. caller: the uid that asked
 * (the control socket's peer, or the local process), the decider when a decision names none. */
int
tes_cmd_exec(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err);

#endif
