/* SPDX-License-Identifier: ISC */
/*
 * The officer's day at the command line: policy show/set, records (points
 * inside the policy's window, over its threshold, a plate's history),
 * users, units, disable-user, import-legacy. Requests come as tes_cmd_exec's do.
 */
#ifndef TES_OFFICER_OFFICE_H
#define TES_OFFICER_OFFICE_H

#include <stdio.h>
#include <sys/types.h>

#include "store/db.h"

/* Run one request if it is one of these commands: its exit code (sysexits.h); -1 if it is not. */
int
tes_office_exec(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err);

#endif
