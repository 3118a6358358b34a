/* SPDX-License-Identifier: ISC */
/*
 * Target "handshake" (fuzz build, src/crypto/fuzzmode.c): the server-side
 * session engine (src/officer/engine.c) and the police client's session
 * (src/police/client.c), each fed an attacker-controlled message sequence.
 * Fuzz mode makes the RNG deterministic and accepts the MACs, Finished
 * values and signatures it computes, with a NULL record cipher, so the
 * fuzzer reaches login, reports and receipts behind the handshake.
 *
 *   input = u8 flags | stream
 *   flags bit 7 clear: stream = frames from a client to the server engine
 *                      (flags bits 0..3: see fuzz/hs_server.h)
 *   flags bit 7 set:   stream = bytes from a server to the police client,
 *                      which runs handshake, login, two reports and BYE;
 *                      bit 0 picks the DES suite
 */
#define _GNU_SOURCE
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/io.h"
#include "crypto/fuzzmode.h"
#include "crypto/rsa.h"
#include "fuzz.h"
#include "hs_server.h"
#include "police/client.h"

static struct tes_rsa_priv unit;

/* The pin callback: the fuzzer's server key is "pinned". */
static int
pin_any(void *ctx, const struct tes_rsa_pub *server)
{
	(void)ctx;
	(void)server;
	return 0;
}

/* A unit key that passes the length checks; fuzz mode signs without it. */
static void
unit_init(void)
{
	memset(&unit, 0x5a, sizeof unit);
	unit.pub.n[0] = 0xc3;
	unit.pub.n[TES_RSA_LEN - 1] = 0x6b;
	unit.pub.elen = 3;
	unit.pub.e[0] = 1;
	unit.pub.e[1] = 0;
	unit.pub.e[2] = 1;
	unit.plen = unit.qlen = unit.dplen = unit.dqlen = unit.iqlen = TES_RSA_LEN / 2;
}

static void
client_run(uint8_t flags, const uint8_t *p, size_t n)
{
	static struct tes_client c;
	struct tes_report rep = { .plate_len = 6, .plate = "AB123C", .speed = 93, .limit = 50 };
	struct tes_receipt rc;
	uint8_t sig[TES_RSA_LEN] = { 0 };
	int sv[2], r;

	/* the server's bytes wait in the socket; what the client sends stays unread */
	if (n > 65536 || socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
		return;
	if (tes_write_full(sv[1], p, n) != 0 || shutdown(sv[1], SHUT_WR) != 0) {
		close(sv[0]);
		close(sv[1]);
		return;
	}
	memset(&c, 0, sizeof c);
	c.fd = sv[0];
	c.suite = flags & 1 ? TES_SUITE_DES_CBC_HMAC_SHA256 : TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256;
	c.timeout = 1;
	c.unit = &unit;
	memset(c.unit_key, 0x11, sizeof c.unit_key);
	memset(rep.id, 0x22, sizeof rep.id);
	memset(rep.unit_key, 0x11, sizeof rep.unit_key);
	rep.time = tes_fuzz_now() - 60;
	r = tes_client_handshake(&c, pin_any, NULL);
	if (r == 0)
		r = tes_client_login(&c, "officer1", "correct horse");
	if (r == 0)
		r = tes_client_report_signed(&c, &rep, sig, &rc);
	if (r == 0) {
		fuzz_check(memcmp(rc.id, rep.id, TES_REPORT_ID_LEN) == 0, "receipt names the report");
		rep.id[0] ^= 1;
		(void)tes_client_report_signed(&c, &rep, sig, &rc);
	}
	tes_client_close(&c);
	close(sv[1]);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct tes_engine e;
	static int ready;

	if (!ready) {
		unit_init();
		ready = 1;
	}
	if (size < 1)
		return 0;
	tes_fuzz_reset();
	if (data[0] & 0x80)
		client_run(data[0], data + 1, size - 1);
	else
		(void)hs_server_run(&e, data[0], data + 1, size - 1, NULL, NULL);
	return 0;
}
