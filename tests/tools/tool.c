/* SPDX-License-Identifier: ISC */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "tool.h"

/* see tool.h */
int
tool_connect(struct tes_client *c, const struct tes_rsa_priv *unit, const char *hostport, const char *fp,
	     const char *name)
{
	char err[256];
	int r;

	/* as tes-police does: a server that ends the session makes the next write fail with EPIPE
	 * instead of killing the tool before it has reported what it saw */
	signal(SIGPIPE, SIG_IGN);
	tes_client_init(c, unit, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, 30);
	if ((r = tes_client_connect(c, hostport, err, sizeof err)) != 0 ||
	    (r = tes_client_handshake(c, tes_client_pin_fp, (void *)(uintptr_t)fp)) != 0)
		fprintf(stderr, "%s: %s\n", name, r == 0 ? err : tes_err_str(r));
	return r;
}
