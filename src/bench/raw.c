/* SPDX-License-Identifier: ISC */
/*
 * The physical limit: single-core rates of the primitives the server pays
 * for, through the project's own wrappers (src/crypto), measured in the
 * same run as the server figures so that the ratios compare like with like.
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <unistd.h>

#include <bearssl.h>

#include "bench/bench.h"
#include "common/ct.h"
#include "crypto/hash.h"
#include "crypto/passwd.h"
#include "crypto/record.h"
#include "crypto/rng.h"
#include "crypto/rsa.h"
#include "crypto/x25519.h"
#include "officer/spawn.h"

enum { RAW_BUF = 1024 };

struct raw {
	struct tes_rsa_priv k;
	uint8_t oaep[TES_RSA_LEN], sig[TES_RSA_LEN], h[TES_HASH_LEN], out[TES_RSA_LEN];
	uint8_t xpriv[32], xpub[32];
	uint8_t buf[RAW_BUF], frame[TES_RECORD_MAX_FRAME], iv[8];
	br_des_ct_cbcenc_keys dk;
	struct tes_record_dir rec;
	char pw_default[TES_PASSWD_ENCODED_MAX], pw_256kib[TES_PASSWD_ENCODED_MAX];
	const char *parser;                 /* tes-parser, for op_spawn */
	int null;                           /* /dev/null, its two sockets there */
};

static const char raw_pw[] = "bench password";

static void
op_oaep(struct raw *x)
{
	(void)tes_rsa_oaep_decrypt(&x->k, x->oaep, x->out);
}

static void
op_sign(struct raw *x)
{
	if (tes_rsa_sign(&x->k, x->h, x->sig) != 0)
		abort();
}

static void
op_verify(struct raw *x)
{
	if (tes_rsa_verify(&x->k.pub, x->h, x->sig) != 0)
		abort();
}

static void
op_x25519(struct raw *x)
{
	if (tes_x25519_shared(x->out, x->xpriv, x->xpub) != 0)
		abort();
}

static void
op_des3(struct raw *x)
{
	br_des_ct_cbcenc_run(&x->dk, x->iv, x->buf, sizeof x->buf);
}

static void
op_hmac(struct raw *x)
{
	tes_hmac_sha256(x->h, sizeof x->h, x->buf, sizeof x->buf, x->out);
}

static void
op_record(struct raw *x)
{
	size_t used;

	if (tes_record_seal(&x->rec, x->buf, TES_RECORD_MAX_PLAIN, x->frame, sizeof x->frame, &used) != 0)
		abort();
}

/* A login's password check, through the verifier's wrapper, at the default cost and at 256 KiB. */
static void
op_argon2_default(struct raw *x)
{
	if (tes_passwd_verify(x->pw_default, raw_pw, sizeof raw_pw - 1) != 0)
		abort();
}

static void
op_argon2_256kib(struct raw *x)
{
	if (tes_passwd_verify(x->pw_256kib, raw_pw, sizeof raw_pw - 1) != 0)
		abort();
}

/*
 * Start the parser image as the master does (tes_spawn_child) and reap it:
 * with /dev/null for both sockets, "tes-parser session" finds no set-up
 * message and exits, so this is the least a child per connection costs
 * (process creation, exec, the image's start-up, exit, reaping).
 */
static void
op_spawn(struct raw *x)
{
	pid_t pid = tes_spawn_child(x->parser, "session", (char *[]){ NULL }, x->null, x->null);

	if (pid < 0 || waitpid(pid, NULL, 0) != pid)
		abort();
}

/* One primitive: its figure name, unit, operation and bytes per operation (0: count ops). */
static const struct {
	const char *name, *unit;
	void (*op)(struct raw *);
	size_t bytes;
} prims[] = {
	{ "raw_rsa_oaep_decrypt", "op/s", op_oaep, 0 },
	{ "raw_rsa_sign", "op/s", op_sign, 0 },
	{ "raw_rsa_verify", "op/s", op_verify, 0 },
	{ "raw_x25519", "op/s", op_x25519, 0 },
	{ "raw_3des_cbc", "MB/s", op_des3, RAW_BUF },
	{ "raw_hmac_sha256", "MB/s", op_hmac, RAW_BUF },
	{ "raw_record_seal", "MB/s", op_record, TES_RECORD_MAX_PLAIN },
	{ "raw_argon2id_default", "op/s", op_argon2_default, 0 },
	{ "raw_argon2id_256kib", "op/s", op_argon2_256kib, 0 },
	{ "raw_spawn_parser", "op/s", op_spawn, 0 },
};

static double
rate(struct raw *x, size_t i, double secs)
{
	double t0 = tes_bench_now(), t = t0;
	unsigned long n = 0;

	while (t - t0 < secs) {
		prims[i].op(x);
		n++;
		t = tes_bench_now();
	}
	if (prims[i].bytes != 0)
		return (double)n * (double)prims[i].bytes / (t - t0) / 1e6;
	return (double)n / (t - t0);
}

static int
raw_setup(struct raw *x, const char *keyfile)
{
	uint8_t pms[TES_PMS_LEN], enc[TES_ENC_KEY_LEN], mac[TES_MAC_KEY_LEN];

	if ((keyfile != NULL ? tes_rsa_load_private(&x->k, keyfile) : tes_rsa_generate(&x->k)) != 0)
		return -1;
	tes_rng_bytes(pms, sizeof pms);
	tes_rng_bytes(x->h, sizeof x->h);
	tes_rng_bytes(x->buf, sizeof x->buf);
	tes_rng_bytes(enc, sizeof enc);
	tes_rng_bytes(mac, sizeof mac);
	if (tes_rsa_oaep_encrypt(&x->k.pub, pms, sizeof pms, x->oaep) != 0 || tes_rsa_sign(&x->k, x->h, x->sig) != 0 ||
	    tes_x25519_keygen(x->xpriv, x->out) != 0 || tes_x25519_keygen(x->out, x->xpub) != 0 ||
	    tes_passwd_hash_cost(raw_pw, sizeof raw_pw - 1, TES_PASSWD_M_DEFAULT, x->pw_default, sizeof x->pw_default) != 0 ||
	    tes_passwd_hash_cost(raw_pw, sizeof raw_pw - 1, 256, x->pw_256kib, sizeof x->pw_256kib) != 0)
		return -1;
	if ((x->null = open("/dev/null", O_RDWR | O_CLOEXEC)) < 0)
		return -1;
	br_des_ct_cbcenc_init(&x->dk, enc, sizeof enc);
	tes_record_dir_init(&x->rec, TES_SUITE_3DES_EDE3_CBC_HMAC_SHA256, enc, mac);
	return 0;
}

/* see bench.h */
int
tes_bench_raw(int argc, char **argv)
{
	static struct raw x;
	struct tes_bench_fig f;
	const char *keyfile = NULL;
	unsigned runs = 3, r;
	double secs = 0.5;
	size_t i;
	int c;

	while ((c = getopt(argc, argv, "k:r:t:x:")) != -1) {
		if (c == 'k')
			keyfile = optarg;
		else if (c == 'x')
			x.parser = optarg;
		else if (c == 'r')
			runs = (unsigned)atoi(optarg);
		else if (c == 't')
			secs = atof(optarg);
		else
			return EX_USAGE;
	}
	if (runs < 1 || runs > TES_BENCH_RUNS_MAX || secs <= 0)
		return EX_USAGE;
	if (raw_setup(&x, keyfile) != 0) {
		fprintf(stderr, "tes-bench: raw: key set-up failed\n");
		return EX_SOFTWARE;
	}
	for (i = 0; i < sizeof prims / sizeof prims[0]; i++) {
		if (prims[i].op == op_spawn && x.parser == NULL)
			continue;
		memset(&f, 0, sizeof f);
		f.name = prims[i].name;
		f.unit = prims[i].unit;
		for (r = 0; r < runs; r++)
			tes_bench_fig_add(&f, rate(&x, i, secs));
		tes_bench_fig_print(&f);
	}
	close(x.null);
	TES_WIPE_CTX(&x);
	return EX_OK;
}
