/* SPDX-License-Identifier: ISC */
/*
 * Test tool: police sessions that send reports signed beforehand, some of
 * them with a wrong signature (one bit flipped), to check the server's
 * signature checks (tests/integration/sigcheck.sh).
 *
 *   reports HOST:PORT UNIT.KEY SHA256:FP USER PWFILE MODE [ARGS]
 *
 * Modes; every answer is one line "LABEL ID STATUS REASON NUMBER" (STATUS
 * QUEUED, DUPLICATE, REJECTED, CONFLICT, or CLOSED when the session ended without a
 * receipt: then REASON and NUMBER are 0):
 *   badsig      one session: report R with a wrong signature (label bad),
 *               R correctly signed (good), R again (again)
 *   race        two sessions, logged in first, send the same report R at
 *               the same moment (labels s0, s1)
 *   load C N K  C sessions of N reports each, every K-th with a wrong
 *               signature (K = 0: none); labels "good" and "bad". Prints
 *               "go" on stderr when every session is logged in and its
 *               reports are signed, right before they start sending. A
 *               session whose connection closes stops there.
 *   wait        one session: log in, print "ready", wait for a line on
 *               stdin, then send one report (label late)
 * Exit status 0 when every session could log in.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common/err.h"
#include "common/hex.h"
#include "crypto/digest.h"
#include "crypto/keyfile.h"
#include "crypto/rng.h"
#include "tool.h"

struct signed_rep {
	struct tes_report r;
	uint8_t sig[TES_RSA_LEN];
	int bad;
};

static struct tes_rsa_priv unit;
static char *host, *fp, *user, pw[TES_PASSWORD_MAX + 2];

static int
login(struct tes_client *c)
{
	int r;

	if ((r = tool_connect(c, &unit, host, fp, "reports")) == 0 &&
	    (r = tes_client_login(c, user, pw)) != 0)
		fprintf(stderr, "reports: login: %s\n", tes_err_str(r));
	return r;
}

/* A fresh report with a random id, observed a minute ago, signed (wrongly when bad). */
static int
make(struct signed_rep *v, unsigned session, unsigned k, int bad)
{
	uint8_t h[TES_HASH_LEN];
	int r;

	memset(v, 0, sizeof *v);
	tes_rng_bytes(v->r.id, TES_REPORT_ID_LEN);
	tes_rsa_keyid(&unit.pub, v->r.unit_key);
	v->r.plate_len =
		(uint8_t)snprintf(v->r.plate, sizeof v->r.plate, "S%uK%u", session % 10000, k % 10000);
	v->r.speed = 90;
	v->r.limit = 50;
	v->r.time = (uint64_t)time(NULL) - 60;
	if ((r = tes_digest_report(&v->r, h)) != 0 || (r = tes_rsa_sign(&unit, h, v->sig)) != 0)
		return r;
	v->bad = bad;
	if (bad)
		v->sig[100] ^= 0x10;
	return 0;
}

/* Send one report, print its line with a single write; 0, or the error that ended the session. */
static int
send_one(struct tes_client *c, const struct signed_rep *v, const char *label)
{
	static const char *names[] = { "INVALID", "QUEUED", "DUPLICATE", "REJECTED", "CONFLICT" };
	char id[2 * TES_REPORT_ID_LEN + 1], line[128];
	struct tes_receipt rc = { 0 };
	int r = tes_client_report_signed(c, &v->r, v->sig, &rc), n;

	tes_hex_encode(v->r.id, TES_REPORT_ID_LEN, id);
	n = snprintf(line, sizeof line, "%s %s %s %u %llu\n", label, id,
		     r != 0                         ? "CLOSED"
		     : rc.status <= TES_RECEIPT_MAX ? names[rc.status]
						    : "INVALID",
		     r != 0 ? 0u : rc.reason, r != 0 ? 0ull : (unsigned long long)rc.number);
	(void)!write(1, line, (size_t)n);
	return r;
}

static int
mode_badsig(void)
{
	struct tes_client c;
	struct signed_rep v;

	if (login(&c) != 0 || make(&v, 0, 0, 1) != 0)
		return 1;
	(void)send_one(&c, &v, "bad");
	v.sig[100] ^= 0x10;
	(void)send_one(&c, &v, "good");
	(void)send_one(&c, &v, "again");
	tes_client_close(&c);
	return 0;
}

static const char *
label(unsigned c, unsigned n, unsigned i, const struct signed_rep *v)
{
	if (c == 2 && n == 1)
		return i ? "s1" : "s0";
	return v->bad ? "bad" : "good";
}

/* Fork one session per element of v (n of them), logged in, released together. */
static int
sessions(struct signed_rep **v, unsigned c, unsigned n, const char *go_msg)
{
	int ready[2], go[2], st, fails = 0;
	unsigned i, k, got = 0;
	char b;

	if (pipe(ready) != 0 || pipe(go) != 0)
		return 1;
	for (i = 0; i < c; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			struct tes_client cl;

			close(ready[0]);
			close(go[1]);
			if (login(&cl) != 0)
				_exit(1);
			(void)!write(ready[1], "r", 1);
			while (read(go[0], &b, 1) < 0 && errno == EINTR)
				;
			for (k = 0; k < n; k++)
				if (send_one(&cl, &v[i][k], label(c, n, i, &v[i][k])) != 0)
					_exit(0);
			tes_client_close(&cl);
			_exit(0);
		}
	}
	close(ready[1]);
	close(go[0]);
	while (got < c && read(ready[0], &b, 1) == 1)
		got++;
	if (go_msg != NULL)
		fprintf(stderr, "%s\n", go_msg);
	close(go[1]);
	while (wait(&st) > 0 || errno == EINTR)
		fails += WIFEXITED(st) && WEXITSTATUS(st) != 0;
	return got == c && fails == 0 ? 0 : 1;
}

static int
mode_race(void)
{
	static struct signed_rep one;
	struct signed_rep *v[2] = { &one, &one };

	if (make(&one, 0, 0, 0) != 0)
		return 1;
	return sessions(v, 2, 1, NULL);
}

static int
mode_load(unsigned c, unsigned n, unsigned every)
{
	struct signed_rep **v = calloc(c, sizeof *v);
	unsigned i, k;

	if (v == NULL || c < 1 || n < 1)
		return 1;
	for (i = 0; i < c; i++) {
		if ((v[i] = calloc(n, sizeof **v)) == NULL)
			return 1;
		for (k = 0; k < n; k++)
			if (make(&v[i][k], i, k, every > 0 && k % every == every - 1) != 0)
				return 1;
	}
	return sessions(v, c, n, "go");
}

static int
mode_wait(void)
{
	struct tes_client c;
	struct signed_rep v;
	char line[16];

	if (login(&c) != 0)
		return 1;
	printf("ready\n");
	fflush(stdout);
	if (fgets(line, sizeof line, stdin) == NULL || make(&v, 0, 0, 0) != 0)
		return 1;
	(void)send_one(&c, &v, "late");
	tes_client_close(&c);
	return 0;
}

int
main(int argc, char **argv)
{
	FILE *f;
	size_t l;

	if (argc < 7) {
		fprintf(stderr, "usage: reports HOST:PORT UNIT.KEY SHA256:FP USER PWFILE MODE [ARGS]\n");
		return 64;
	}
	host = argv[1];
	fp = argv[3];
	user = argv[4];
	if (tes_keyfile_load_private(&unit, argv[2]) != 0 || (f = fopen(argv[5], "r")) == NULL ||
	    fgets(pw, sizeof pw, f) == NULL) {
		fprintf(stderr, "reports: cannot load the key or the password file\n");
		return 66;
	}
	fclose(f);
	for (l = strlen(pw); l > 0 && (pw[l - 1] == '\n' || pw[l - 1] == '\r');)
		pw[--l] = '\0';
	if (strcmp(argv[6], "badsig") == 0)
		return mode_badsig();
	if (strcmp(argv[6], "race") == 0)
		return mode_race();
	if (strcmp(argv[6], "load") == 0 && argc == 10)
		return mode_load((unsigned)atoi(argv[7]), (unsigned)atoi(argv[8]), (unsigned)atoi(argv[9]));
	if (strcmp(argv[6], "wait") == 0)
		return mode_wait();
	fprintf(stderr, "reports: unknown mode %s\n", argv[6]);
	return 64;
}
