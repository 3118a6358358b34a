/* SPDX-License-Identifier: ISC */
/*
 * Test tool: a session child that does not wait for the master's answers
 * (spec/PROTOCOL.md#monitor), for tests/integration/sandbox.sh. Copied as
 * tes-parser next to a copy of tes-officer, it is what that master starts
 * for a connection. It ignores the client socket (fd 3) and talks to the
 * master on fd 4 as a compromised child could, after a genuine HANDSHAKE
 * request for the unit and login that fakechild.conf beside it names:
 *
 *   login    LOGIN, then a LOG before the answer
 *   report   LOGIN and its answer, REPORT, then a LOG before the answer
 *   control  each request after the answer to the one before, then the
 *            LOG "fakechild: done"
 *   last     nothing but that first LOG, then it exits at once: its last
 *            words must reach the log all the same
 *
 * fakechild.conf holds four lines: the mode, the unit's private key file,
 * the user name and the password. A LOG "fakechild: MODE" goes first.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto/digest.h"
#include "crypto/handshake.h"
#include "crypto/keyfile.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "officer/mon.h"

enum {
	MON = 4
};

static struct tes_rsa_priv unit;
static char mode[16], keyfile[512], user[TES_NAME_MAX + 1], pw[TES_PASSWORD_MAX + 1];

static void
line(FILE *f, char *out, size_t cap)
{
	if (fgets(out, (int)cap, f) == NULL)
		out[0] = '\0';
	out[strcspn(out, "\n")] = '\0';
}

/* fakechild.conf in the directory of this executable. */
static int
read_conf(void)
{
	char path[600];
	ssize_t n = readlink("/proc/self/exe", path, sizeof path - 20);
	char *slash;
	FILE *f;

	if (n <= 0)
		return -1;
	path[n] = '\0';
	if ((slash = strrchr(path, '/')) == NULL)
		return -1;
	strcpy(slash + 1, "fakechild.conf");
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	line(f, mode, sizeof mode);
	line(f, keyfile, sizeof keyfile);
	line(f, user, sizeof user);
	line(f, pw, sizeof pw);
	fclose(f);
	return tes_keyfile_load_private(&unit, keyfile);
}

static struct tes_mon_msg *
log_msg(const char *text)
{
	static struct tes_mon_msg m;

	memset(&m, 0, sizeof m);
	m.type = TES_MON_LOG;
	m.u.log.level = 1;
	m.u.log.len = (uint8_t)snprintf(m.u.log.text, sizeof m.u.log.text, "fakechild: %s", text);
	return &m;
}

static int
send_msg(const struct tes_mon_msg *m)
{
	uint8_t buf[TES_MON_MSG_LEN];

	if (tes_mon_encode(m, buf) != 0)
		return -1;
	return write(MON, buf, sizeof buf) == (ssize_t)sizeof buf ? 0 : -1;
}

/* m, and with early set a LOG right behind it, before any answer. */
static int
send_msgs(const struct tes_mon_msg *m, int early, const char *what)
{
	return send_msg(m) != 0 || (early && send_msg(log_msg(what)) != 0) ? -1 : 0;
}

static int
recv_msg(struct tes_mon_msg *m, uint8_t type)
{
	uint8_t buf[TES_MON_MSG_LEN];
	ssize_t k = read(MON, buf, sizeof buf);

	return k > 0 && tes_mon_decode(buf, (size_t)k, m) == 0 && m->type == type ? 0 : -1;
}

/* The HANDSHAKE request a client of this unit would make the child send; 0 if the master accepts it. */
static int
handshake(void)
{
	static struct tes_mon_msg init, m, ans;
	struct tes_mon_handshake *hs = &m.u.hs;
	struct tes_server_hello sh = { .suite = TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256 };
	struct tes_rsa_pub server;
	uint8_t chf[TES_FRAME_MAX], shf[TES_FRAME_MAX], pms[TES_PMS_LEN], h[TES_HASH_LEN];
	size_t chn, shn;

	if (recv_msg(&init, TES_MON_INIT) != 0)
		return -1;
	memcpy(server.n, init.u.init.n, TES_RSA_LEN);
	memcpy(server.e, init.u.init.e, init.u.init.e_len);
	server.elen = init.u.init.e_len;
	m.type = TES_MON_HANDSHAKE;
	hs->ch.suite = hs->suite = sh.suite;
	tes_rng_bytes(hs->ch.random, TES_RANDOM_LEN);
	tes_rng_bytes(hs->ch.x25519, TES_X25519_LEN);
	tes_rsa_keyid(&unit.pub, hs->ch.unit_key);
	tes_rng_bytes(hs->server_x25519, TES_X25519_LEN);
	memcpy(sh.random, init.u.init.server_random, TES_RANDOM_LEN);
	memcpy(sh.x25519, hs->server_x25519, TES_X25519_LEN);
	memcpy(sh.n, server.n, TES_RSA_LEN);
	memcpy(sh.e, server.e, server.elen);
	sh.e_len = server.elen;
	tes_rng_bytes(pms, sizeof pms);
	if (tes_handshake_ch_frame(&hs->ch, chf, &chn) != 0 || tes_handshake_sh_frame(&sh, shf, &shn) != 0 ||
	    tes_rsa_oaep_encrypt(&server, pms, sizeof pms, hs->kx.oaep) != 0)
		return -1;
	tes_handshake_unit_auth_hash(chf, chn, shf, shn, hs->kx.oaep, h);
	if (tes_rsa_sign(&unit, h, hs->kx.sig) != 0 || send_msg(&m) != 0 ||
	    recv_msg(&ans, TES_MON_HANDSHAKE_ANS) != 0)
		return -1;
	return ans.u.st.status == 0 ? 0 : -1;
}

static int
session(void)
{
	static struct tes_mon_msg m, ans;
	struct tes_report *r = &m.u.rep.r;
	uint8_t h[TES_HASH_LEN];
	int early_login = strcmp(mode, "login") == 0, early_report = strcmp(mode, "report") == 0;

	if (send_msg(log_msg(mode)) != 0 || strcmp(mode, "last") == 0 || handshake() != 0)
		return 1;
	m.type = TES_MON_LOGIN;
	m.u.login.user_len = (uint8_t)strlen(user);
	m.u.login.pw_len = (uint8_t)strlen(pw);
	memcpy(m.u.login.user, user, m.u.login.user_len);
	memcpy(m.u.login.pw, pw, m.u.login.pw_len);
	if (send_msgs(&m, early_login, "a request before the login's answer") != 0 ||
	    recv_msg(&ans, TES_MON_LOGIN_ANS) != 0 || ans.u.st.status != 0)
		return 1;
	memset(&m, 0, sizeof m);
	m.type = TES_MON_REPORT;
	tes_rng_bytes(r->id, TES_REPORT_ID_LEN);
	tes_rsa_keyid(&unit.pub, r->unit_key);
	r->plate_len = 5;
	memcpy(r->plate, early_report ? "FAKE2" : "FAKE1", 5);
	r->speed = 90;
	r->time = (uint64_t)time(NULL) - 60;
	if (tes_digest_report(r, h) != 0 || tes_rsa_sign(&unit, h, m.u.rep.sig) != 0 ||
	    send_msgs(&m, early_report, "a request before the report's answer") != 0 ||
	    recv_msg(&ans, TES_MON_REPORT_ANS) != 0)
		return 1;
	return send_msg(log_msg("done")) != 0;
}

int
main(int argc, char **argv)
{
	if (argc != 2 || strcmp(argv[1], "session") != 0 || tes_rng_init() != 0 || read_conf() != 0)
		return 2;
	return session();
}
