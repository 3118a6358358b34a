/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <unistd.h>

#include <bearssl.h>

#include "common/err.h"
#include "common/wipe.h"
#include "crypto/rng.h"

/* Release generator only: fuzz builds link fuzz/fuzzmode.c instead of this file. */
#if defined(FUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION) || defined(TES_FUZZ_BUILD)
#error "src/crypto/rng.c must not be compiled in fuzz mode (release builds refuse the fuzz macros)"
#endif

enum {
	RNG_SEED_LEN = 48, /* 256-bit entropy + 128-bit nonce (SP 800-90A) */
	RNG_PAGE = 4096
};

/*
 * The generator state, alone on a page so that MADV_WIPEONFORK clears it
 * (ready drops to 0) in a child process.
 */
static _Alignas(RNG_PAGE) union {
	struct {
		br_hmac_drbg_context drbg;
		pid_t pid;
		int ready;
		int wipeonfork; /* the page is zeroed in a forked child */
	} s;
	unsigned char page[RNG_PAGE];
} rng;

/* Ask the kernel for n bytes; 0 or TES_ERR_RNG. */
static int
rng_getrandom(unsigned char *buf, size_t n)
{
	ssize_t got;
	size_t off = 0;

	while (off < n) {
		got = getrandom(buf + off, n - off, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return TES_ERR_RNG;
		off += (size_t)got;
	}
	return 0;
}

/* Seed the DRBG with getrandom(), or with BearSSL's system seeder. */
static int
rng_seed(void)
{
	unsigned char seed[RNG_SEED_LEN];
	br_prng_seeder seeder;
	int r = TES_ERR_RNG;

	if (rng_getrandom(seed, sizeof(seed)) == 0) {
		br_hmac_drbg_init(&rng.s.drbg, &br_sha256_vtable, seed, sizeof(seed));
		r = 0;
		goto out;
	}
	br_hmac_drbg_init(&rng.s.drbg, &br_sha256_vtable, NULL, 0);
	seeder = br_prng_seeder_system(NULL);
	if (seeder == 0 || !seeder(&rng.s.drbg.vtable))
		goto out;
	r = 0;
out:
	TES_WIPE_BUF(seed);
	return r;
}

/* see rng.h */
int
tes_rng_init(void)
{
	int r = TES_ERR_RNG;

	rng.s.ready = 0;
	rng.s.wipeonfork = 0;
#ifdef MADV_WIPEONFORK
	/* best effort: older kernels refuse it, the pid check then does the job */
	rng.s.wipeonfork = madvise(rng.page, sizeof(rng.page), MADV_WIPEONFORK) == 0;
#endif
	if ((r = rng_seed()) != 0) {
		TES_WIPE_CTX(&rng.s.drbg);
		goto out;
	}
	rng.s.pid = getpid();
	rng.s.ready = 1;
	r = 0;
out:
	return r;
}

/* Seed if this process has no usable state yet; abort if impossible. */
static void
rng_ensure(void)
{
	static const char msg[] = "tes: system randomness unavailable, aborting\n";

	/* With MADV_WIPEONFORK a forked child sees ready == 0, so no getpid()
	 * (a system call the sandboxed children may not make) is needed. */
	if (rng.s.ready && (rng.s.wipeonfork || rng.s.pid == getpid()))
		return;
	if (tes_rng_init() == 0)
		return;
	(void)!write(STDERR_FILENO, msg, sizeof(msg) - 1);
	abort();
}

/* see rng.h */
void
tes_rng_bytes(void *out, size_t n)
{
	rng_ensure();
	br_hmac_drbg_generate(&rng.s.drbg, out, n);
}

/* see rng.h */
const br_prng_class **
tes_rng_prng(void)
{
	rng_ensure();
	return &rng.s.drbg.vtable;
}
