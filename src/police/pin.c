/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common/err.h"
#include "common/file.h"
#include "common/io.h"
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
lookup(const char *known, const char *server, const char *fp)
{
	char host[256], key[128];
	const char *line = known;
	int r = TES_ERR_NOTFOUND;

	for (; line != NULL && *line != '\0'; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		if (line[0] == '#' || sscanf(line, "%255s %127s", host, key) != 2 ||
		    strcmp(host, server) != 0)
			continue;
		if ((r = strcmp(key, fp) == 0 ? 0 : TES_ERR_PIN) == 0)
			break;
	}
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
remember(const struct tes_pin *p)
{
	char line[512];
	int n = snprintf(line, sizeof line, "%s %s\n", p->server, p->seen);

	if (p->append_fd < 0 || n <= 0 || (size_t)n >= sizeof line)
		return TES_ERR_IO;
	return tes_file_write_all(p->append_fd, line, (size_t)n);
}

static int
ask(const struct tes_pin *p)
{
	char q[512], answer[16] = "";
	int n;
	ssize_t k;

	if (p->tty_fd < 0)
		return 0;
	n = snprintf(q, sizeof q,
		     "The authenticity of TES server %s can't be established.\n"
		     "Its key fingerprint is %s.\n"
		     "Compare it with 'tes-officer fingerprint' on the server.\n"
		     "Trust this key and remember it (yes/no)? ",
		     p->server, p->seen);
	if (n <= 0 || write(p->tty_fd, q, (size_t)n) != n)
		return 0;
	k = read(p->tty_fd, answer, sizeof answer - 1);
	answer[k > 0 ? k : 0] = '\0';
	return strcmp(answer, "yes\n") == 0;
}

/* see pin.h */
int
tes_pin_prepare(struct tes_pin *p)
{
	size_t n = 0;
	int r;

	p->append_fd = p->tty_fd = -1;
	p->known[0] = '\0';
	if (p->expected != NULL)
		return 0;
	if (p->file != NULL)
		snprintf(p->path, sizeof p->path, "%s", p->file);
	else if ((r = default_path(p->path, sizeof p->path)) != 0)
		return r;
	r = tes_file_load(AT_FDCWD, p->path, 0, (uint8_t *)p->known, sizeof p->known - 1, &n);
	if (r != 0 && r != TES_ERR_NOTFOUND)
		return r;
	p->known[r == 0 ? n : 0] = '\0';
	if (p->trust != TES_TRUST_STRICT && mkparents(p->path) == 0)
		(void)tes_file_open_append(AT_FDCWD, p->path, 0600, &p->append_fd);
	if (p->trust == TES_TRUST_ASK)
		p->tty_fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	return 0;
}

/* see pin.h */
void
tes_pin_close(struct tes_pin *p)
{
	if (p->append_fd >= 0)
		close(p->append_fd);
	if (p->tty_fd >= 0)
		close(p->tty_fd);
	p->append_fd = p->tty_fd = -1;
}

/* see pin.h */
int
tes_pin_check(void *ctx, const struct tes_rsa_pub *server)
{
	struct tes_pin *p = ctx;
	int r;

	tes_rsa_fingerprint(server, p->seen);
	/*= spec/PROTOCOL.md#trust MUST-T1: a substituted server key is refused */
	if (p->expected != NULL)
		return p->outcome = strcmp(p->expected, p->seen) == 0 ? 0 : TES_ERR_PIN;
	r = lookup(p->known, p->server, p->seen);
	if (r != TES_ERR_NOTFOUND)
		return p->outcome = r;
	if (p->trust == TES_TRUST_ACCEPT_NEW || (p->trust == TES_TRUST_ASK && ask(p))) {
		if (remember(p) != 0)
			fprintf(stderr, "tes-police: warning: cannot write %s\n", p->path);
		else
			fprintf(stderr, "tes-police: added %s %s to %s\n", p->server, p->seen, p->path);
		return p->outcome = 0;
	}
	return p->outcome = TES_ERR_NOTFOUND;
}
