/* SPDX-License-Identifier: ISC */
/* Shared by the test tools that play a police unit (relogin, reports). */
#ifndef TES_TESTS_TOOL_H
#define TES_TESTS_TOOL_H

#include "crypto/rsa.h"
#include "police/client.h"

/*
 * Connect c to hostport and run the handshake as unit (loaded by the
 * caller), pinning the server key to fingerprint fp. 0 or TES_ERR_*; the
 * reason of a failure is printed on stderr, prefixed with name. SIGPIPE is
 * ignored from then on, as in tes-police.
 */
int
tool_connect(struct tes_client *c, const struct tes_rsa_priv *unit, const char *hostport, const char *fp,
	     const char *name);

#endif
