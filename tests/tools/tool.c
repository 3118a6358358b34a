/* SPDX-License-Identifier: ISC */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "tool.h"

static int
pin_fp(void *ctx, const struct tes_rsa_pub *server)
{
	char fp[TES_FP_STRLEN];

	tes_rsa_fingerprint(server, fp);
	return strcmp(fp, (const char *)ctx) == 0 ? 0 : TES_ERR_PIN;
}

/* see tool.h */
int
tool_connect(struct tes_client *c, const struct tes_rsa_priv *unit, const char *hostport, const char *fp,
	     const char *name)
{
	char err[256];
	int r;

	memset(c, 0, sizeof *c);
	c->fd = -1;
	c->timeout = 30;
	c->suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	c->unit = unit;
	tes_rsa_keyid(&unit->pub, c->unit_key);
	if ((r = tes_client_connect(c, hostport, err, sizeof err)) != 0 ||
	    (r = tes_client_handshake(c, pin_fp, (void *)(uintptr_t)fp)) != 0)
		fprintf(stderr, "%s: %s\n", name, r == 0 ? err : tes_strerror(r));
	return r;
}
