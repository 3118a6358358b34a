/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "police/pin.h"

static int
default_path(char *out, size_t cap)
{
	const char *x = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");

	if (x != NULL && x[0] == '/')
		return (size_t)snprintf(out, cap, "%s/tes/known_servers", x) < cap ? 0 : TES_ERR_TOOLONG;
	if (home == NULL)
		return TES_ERR_NOTFOUND;
	return (size_t)snprintf(out, cap, "%s/.config/tes/known_servers", home) < cap ? 0 : TES_ERR_TOOLONG;
}

/* TES_ERR_NOTFOUND, 0 when a line for server matches fp, TES_ERR_PIN when it differs. */
static int
lookup(const char *path, const char *server, const char *fp)
{
	char line[512], host[256], key[128];
	FILE *f = fopen(path, "r");
	int r = TES_ERR_NOTFOUND;

	if (f == NULL)
		return TES_ERR_NOTFOUND;
	while (fgets(line, sizeof line, f) != NULL) {
		if (line[0] == '#' || sscanf(line, "%255s %127s", host, key) != 2 || strcmp(host, server) != 0)
			continue;
		r = strcmp(key, fp) == 0 ? 0 : TES_ERR_PIN;
		if (r == 0)
			break;
	}
	fclose(f);
	return r;
}

static int
mkparents(const char *path)
{
	char dir[PATH_MAX], *p;

	snprintf(dir, sizeof dir, "%s", path);
	for (p = dir + 1; (p = strchr(p, '/')) != NULL; p++) {
		*p = '\0';
		if (mkdir(dir, 0700) != 0 && errno != EEXIST)
			return TES_ERR_IO;
		*p = '/';
	}
	return 0;
}

static int
remember(const char *path, const char *server, const char *fp)
{
	FILE *f;

	if (mkparents(path) != 0 || (f = fopen(path, "a")) == NULL)
		return TES_ERR_IO;
	fprintf(f, "%s %s\n", server, fp);
	return fclose(f) == 0 ? 0 : TES_ERR_IO;
}

static int
ask(const struct tes_pin *p)
{
	char answer[16] = "";
	FILE *tty = fopen("/dev/tty", "r+");

	if (tty == NULL)
		return 0;
	fprintf(tty,
		"The authenticity of TES server %s can't be established.\n"
		"Its key fingerprint is %s.\n"
		"Compare it with 'tes-officer fingerprint' on the server.\n"
		"Trust this key and remember it (yes/no)? ",
		p->server, p->seen);
	fflush(tty);
	if (fgets(answer, sizeof answer, tty) == NULL)
		answer[0] = '\0';
	fclose(tty);
	return strcmp(answer, "yes\n") == 0;
}

/* see pin.h */
int
tes_pin_check(void *ctx, const struct tes_rsa_pub *server)
{
	struct tes_pin *p = ctx;
	char path[PATH_MAX];
	int r;

	tes_rsa_fingerprint(server, p->seen);
	/*= spec/PROTOCOL.md#trust MUST-T1: a substituted server key is refused */
	if (p->expected != NULL)
		return p->outcome = strcmp(p->expected, p->seen) == 0 ? 0 : TES_ERR_PIN;
	if (p->file != NULL)
		snprintf(path, sizeof path, "%s", p->file);
	else if ((r = default_path(path, sizeof path)) != 0)
		return p->outcome = r;
	r = lookup(path, p->server, p->seen);
	if (r != TES_ERR_NOTFOUND)
		return p->outcome = r;
	if (p->trust == TES_TRUST_ACCEPT_NEW || (p->trust == TES_TRUST_ASK && ask(p))) {
		if (remember(path, p->server, p->seen) != 0)
			fprintf(stderr, "tes-police: warning: cannot write %s\n", path);
		else
			fprintf(stderr, "tes-police: added %s %s to %s\n", p->server, p->seen, path);
		return p->outcome = 0;
	}
	return p->outcome = TES_ERR_NOTFOUND;
}
