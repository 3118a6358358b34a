/* SPDX-License-Identifier: ISC */
/*
 * Plain corpus replayer (no libFuzzer, no AFL): runs every file named on the
 * command line, or found in a directory named there, through the harness
 * once, each in an exact-size heap copy so that ASan sees any overread.
 * Prints "replayed N inputs" and exits 0; a crash ends it with the
 * sanitizer's report. make test runs it over fuzz/corpus/<target>/.
 */
#define _DEFAULT_SOURCE
#include <dirent.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static unsigned long replayed;

static int
run_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	long n;

	if (f == NULL || fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		if (f != NULL)
			fclose(f);
		return -1;
	}
	buf = malloc(n > 0 ? (size_t)n : 1);
	if (buf == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "replay: cannot read %s\n", path);
		free(buf);
		fclose(f);
		return -1;
	}
	fclose(f);
	LLVMFuzzerTestOneInput(buf, (size_t)n);
	free(buf);
	replayed++;
	return 0;
}

static int
run_path(const char *path)
{
	struct dirent **ents;
	struct stat st;
	char sub[4096];
	int i, k, r = 0;

	if (stat(path, &st) != 0) {
		fprintf(stderr, "replay: %s: not found\n", path);
		return -1;
	}
	if (!S_ISDIR(st.st_mode))
		return run_file(path);
	if ((k = scandir(path, &ents, NULL, alphasort)) < 0)
		return -1;
	for (i = 0; i < k; i++) {
		if (ents[i]->d_name[0] != '.' &&
		    snprintf(sub, sizeof sub, "%s/%s", path, ents[i]->d_name) < (int)sizeof sub &&
		    run_path(sub) != 0)
			r = -1;
		free(ents[i]);
	}
	free(ents);
	return r;
}

int
main(int argc, char **argv)
{
	int i, r = 0;

	for (i = 1; i < argc; i++)
		if (run_path(argv[i]) != 0)
			r = 1;
	printf("replayed %lu inputs\n", replayed);
	return r;
}
