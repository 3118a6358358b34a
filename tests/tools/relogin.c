/* SPDX-License-Identifier: ISC */
/*
 * Test tool: one session, several LOGIN attempts in it.
 *   relogin HOST:PORT UNIT.KEY SHA256:FP USER PW...
 * Prints one line per password: "ok", "refused" or "closed" (the server
 * ended the session: no answer). Exit 0 when the handshake worked.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "common/err.h"
#include "crypto/rsa.h"
#include "police/client.h"

static int
pin_fp(void *ctx, const struct tes_rsa_pub *server)
{
	char fp[TES_FP_STRLEN];

	tes_rsa_fingerprint(server, fp);
	return strcmp(fp, (const char *)ctx) == 0 ? 0 : TES_ERR_PIN;
}

int
main(int argc, char **argv)
{
	static struct tes_rsa_priv unit;
	struct tes_client c;
	char err[256];
	int i, r;

	if (argc < 6) {
		fprintf(stderr, "usage: relogin HOST:PORT UNIT.KEY SHA256:FP USER PW...\n");
		return 64;
	}
	if (tes_rsa_load_private(&unit, argv[2]) != 0) {
		fprintf(stderr, "relogin: cannot load %s\n", argv[2]);
		return 66;
	}
	memset(&c, 0, sizeof c);
	c.fd = -1;
	c.timeout = 30;
	c.suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	c.unit = &unit;
	tes_rsa_keyid(&unit.pub, c.unit_key);
	if ((r = tes_client_connect(&c, argv[1], err, sizeof err)) != 0 ||
	    (r = tes_client_handshake(&c, pin_fp, argv[3])) != 0) {
		fprintf(stderr, "relogin: %s\n", r == 0 ? err : tes_strerror(r));
		return 1;
	}
	for (i = 5; i < argc; i++) {
		r = tes_client_login(&c, argv[4], argv[i]);
		printf("%s\n", r == 0 ? "ok" : r == TES_ERR_AUTH ? "refused" : "closed");
		if (r != 0 && r != TES_ERR_AUTH)
			break;
	}
	tes_client_close(&c);
	return 0;
}
