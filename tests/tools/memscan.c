/* SPDX-License-Identifier: ISC */
/*
 * Test tool: does a process hold any part of an RSA private key in memory?
 *
 *   memscan PID KEY.pem
 *
 * Loads the private key, then reads every readable mapping of PID through
 * /proc/PID/mem and looks for the first 32 bytes of each private value
 * (p, q, dp, dq, iq). Exit 0: none found; 1: found (which one is printed);
 * 2: error. Needs ptrace access to PID (root, in the tests).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto/keyfile.h"
#include "crypto/rsa.h"

enum {
	NEEDLE = 32,
	CHUNK = 1 << 20
};

static int
scan_region(int mem, unsigned long lo, unsigned long hi, const uint8_t (*needles)[NEEDLE], size_t nn)
{
	static uint8_t buf[CHUNK + NEEDLE];
	unsigned long at;
	size_t i, k;
	ssize_t got;

	for (at = lo; at < hi; at += CHUNK) {
		size_t want = hi - at < CHUNK + NEEDLE ? hi - at : CHUNK + NEEDLE;

		if ((got = pread(mem, buf, want, (off_t)at)) <= 0)
			break;
		for (i = 0; i + NEEDLE <= (size_t)got; i++)
			for (k = 0; k < nn; k++)
				if (buf[i] == needles[k][0] && memcmp(buf + i, needles[k], NEEDLE) == 0)
					return (int)k + 1;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *names[] = { "p", "q", "dp", "dq", "iq" };
	uint8_t needles[5][NEEDLE];
	struct tes_rsa_priv k;
	char path[64], line[512];
	unsigned long lo, hi;
	char perm[8];
	FILE *maps;
	int mem, found = 0;

	if (argc != 3 || tes_keyfile_load_private(&k, argv[2]) != 0)
		return 2;
	memcpy(needles[0], k.p, NEEDLE);
	memcpy(needles[1], k.q, NEEDLE);
	memcpy(needles[2], k.dp, NEEDLE);
	memcpy(needles[3], k.dq, NEEDLE);
	memcpy(needles[4], k.iq, NEEDLE);
	snprintf(path, sizeof path, "/proc/%s/maps", argv[1]);
	if ((maps = fopen(path, "r")) == NULL)
		return 2;
	snprintf(path, sizeof path, "/proc/%s/mem", argv[1]);
	if ((mem = open(path, O_RDONLY)) < 0)
		return 2;
	while (!found && fgets(line, sizeof line, maps) != NULL)
		if (sscanf(line, "%lx-%lx %7s", &lo, &hi, perm) == 3 && perm[0] == 'r' &&
		    !strstr(line, "[vvar]"))
			found = scan_region(mem, lo, hi, (const uint8_t(*)[NEEDLE])needles, 5);
	if (found)
		printf("found %s\n", names[found - 1]);
	return found ? 1 : 0;
}
