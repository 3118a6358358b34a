/* SPDX-License-Identifier: ISC */
/*
 * tes-parser: the image the officer master starts (posix_spawn) for every connection,
 * "tes-parser session" for a protocol client and "tes-parser http" for a
 * dashboard request (officer/spawn.h gives the descriptors it starts with).
 * It holds only what a process that parses untrusted bytes needs: the
 * session engine and record layer, the X25519 and hash wrappers, the
 * monitor and dashboard message codecs, the HTTP parser and the sandbox;
 * no store, no RSA key handling, no password hashing. It is linked
 * statically (static-pie): no dynamic loading per connection and fewer
 * private pages per child (BENCHMARKS.md, memory).
 */
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "officer/session.h"
#include "officer/webchild.h"

int
main(int argc, char **argv)
{
	static const char usage[] =
		"usage: tes-parser session|http\n"
		"Started by 'tes-officer serve' for each connection, with the client socket on fd 3\n"
		"and the master's monitor socket on fd 4; not a command to run by hand.\n";

	if (argc == 2 && strcmp(argv[1], "session") == 0)
		return tes_session_main();
	if (argc == 2 && strcmp(argv[1], "http") == 0)
		return tes_webchild_main();
	/* plain write: no stdio buffers in this image */
	(void)!write(2, usage, sizeof usage - 1);
	return EX_USAGE;
}
