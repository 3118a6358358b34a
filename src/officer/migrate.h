/* SPDX-License-Identifier: ISC */
/* tes-officer import-legacy: the original system's files into a store (spec/LEGACY.md). */
#ifndef TES_OFFICER_MIGRATE_H
#define TES_OFFICER_MIGRATE_H

#include <stdio.h>
#include <sys/types.h>

#include "store/db.h"

/*
 * import-legacy DRIVERS USERS KEY: DRIVERS and USERS absolute paths (USERS
 * "" for none), KEY the 8-byte DES key. Both files are checked whole first;
 * any refusal is exit 65 with every cause listed, nothing written.
 */
int
tes_migrate_exec(struct tes_db *db, uid_t caller, int argc, char **argv, FILE *out, FILE *err);

#endif
