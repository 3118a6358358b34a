/* SPDX-License-Identifier: ISC */
/*
 * Test tool: one session, several LOGIN attempts in it.
 *   relogin HOST:PORT UNIT.KEY SHA256:FP USER PW...
 * Prints one line per password: "ok", "refused" or "closed" (the server
 * ended the session: no answer). Exit 0 when the handshake worked.
 */
#include <stdio.h>

#include "common/err.h"
#include "crypto/keyfile.h"
#include "tool.h"

int
main(int argc, char **argv)
{
	static struct tes_rsa_priv unit;
	struct tes_client c;
	int i, r;

	if (argc < 6) {
		fprintf(stderr, "usage: relogin HOST:PORT UNIT.KEY SHA256:FP USER PW...\n");
		return 64;
	}
	if (tes_keyfile_load_private(&unit, argv[2]) != 0) {
		fprintf(stderr, "relogin: cannot load %s\n", argv[2]);
		return 66;
	}
	if (tool_connect(&c, &unit, argv[1], argv[3], "relogin") != 0)
		return 1;
	for (i = 5; i < argc; i++) {
		r = tes_client_login(&c, argv[4], argv[i]);
		printf("%s\n", r == 0 ? "ok" : r == TES_ERR_AUTH ? "refused" : "closed");
		fflush(stdout);
		if (r != 0 && r != TES_ERR_AUTH)
			break;
	}
	tes_client_close(&c);
	return 0;
}
