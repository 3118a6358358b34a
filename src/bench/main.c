/* SPDX-License-Identifier: ISC */
/*
 * tes-bench: the load generator and measurement tool behind `make bench`
 * (driven by src/bench/bench.sh). Not installed; every subcommand prints
 * JSON lines (see bench.h).
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "bench/bench.h"
#include "crypto/rng.h"

static const struct {
	const char *name;
	int (*fn)(int, char **);
	const char *help;
} cmds[] = {
	{ "raw", tes_raw,
	  "raw [-k KEY] [-x TES-PARSER] [-r RUNS] [-t SECS]  primitive rates (-x: also spawning the image)" },
	{ "handshake", tes_load_handshakes,
	  "handshake NET [-c CLIENTS]              connect+handshake+login+close" },
	{ "resume", tes_load_resume,
	  "resume NET [-c CLIENTS]                 a ticket each (one login), then connect+resume+close" },
	{ "report", tes_load_reports, "report NET [-c SESSIONS] [-n PER]        pre-signed durable reports" },
	{ "idle", tes_load_idle, "idle NET -c N [-t SECS]                 hold N logged-in sessions" },
	{ "populate", tes_gen_populate,
	  "populate -d DIR -P UNIT.pub -n N [-D D] bulk journal + drivers.enc" },
	{ "approve", tes_scale_approve,
	  "approve -d DIR [-n N] [-r RUNS]          decision latency (server stopped)" },
	{ "startup", tes_scale_startup, "startup -e OFFICER -d DIR [-p PORT]      start-up time, peak RSS" },
	{ "rss", tes_scale_rss, "rss -p MASTER_PID [-T TAG]               memory of master and children" },
	{ "export", tes_scale_export,
	  "export -e OFFICER -d DIR [-r RUNS]       CSV export rows/s, peak RSS (and of opening the store)" },
};

static int
usage(void)
{
	size_t i;

	fputs("usage: tes-bench COMMAND [options]\n"
	      "NET = -s HOST:PORT -k UNIT.key -u USER -p PWFILE -f SHA256:FP [-r RUNS] [-t SECS] [-T TAG]\n"
	      "      [-P SERVER_PID: also the server's CPU time per operation]\n",
	      stderr);
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		fprintf(stderr, "  %s\n", cmds[i].help);
	return EX_USAGE;
}

int
main(int argc, char **argv)
{
	size_t i;

	if (argc < 2)
		return usage();
	if (tes_rng_init() != 0) {
		fputs("tes-bench: no randomness\n", stderr);
		return EX_OSERR;
	}
	for (i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(argv[1], cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	return usage();
}
