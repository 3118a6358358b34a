/* SPDX-License-Identifier: ISC */
/*
 * Report signature checks off the master's event loop. An RSA-2048 verify
 * costs about as much as the rest of the master's work on a report; done
 * inline, it caps the durable report rate at one core. The checks run in
 * their own worker pool (officer/pool.h), one worker per online CPU (at most
 * four), forked before the master loads any key and confined to read, write
 * and exit on their queue (TES_SANDBOX_SIGCHECK, sandbox/README.md). They
 * never share the password verifier's queue, so a report never waits behind
 * an Argon2id check.
 *
 * The master keeps every decision: it computes the report digest itself
 * from the canonical encoding, sends (tag, unit public key, digest,
 * signature), and acts on the (tag, verdict) answer only for the slot and
 * child the tag names (spec/PROTOCOL.md#report MUST-R7).
 */
#ifndef TES_OFFICER_SIGCHECK_H
#define TES_OFFICER_SIGCHECK_H

#include <stdint.h>

#include "crypto/rsa.h"
#include "officer/pool.h"
#include "wire/limits.h"

struct tes_sigcheck {
	struct tes_pool pool;
};

/* Fork the workers (tes_pool_cpus() of them) and wait until each is confined; 0 or TES_ERR_*. */
int
tes_sigcheck_start(struct tes_sigcheck *c);

/*
 * Queue one check of sig over digest with key k. 0; TES_ERR_BUSY when the
 * queue is full (retry when c->pool.fd is writable); TES_ERR_CLOSED when no
 * worker is left.
 */
int
tes_sigcheck_submit(struct tes_sigcheck *c, uint64_t tag, const struct tes_rsa_pub *k,
		    const uint8_t digest[static TES_HASH_LEN], const uint8_t sig[static TES_RSA_LEN]);

/* One finished check: 0 and *ok (1 = valid signature), TES_ERR_TIMEOUT, TES_ERR_CLOSED. */
int
tes_sigcheck_result(struct tes_sigcheck *c, uint64_t *tag, int *ok);

/* Stop and reap the workers. */
void
tes_sigcheck_stop(struct tes_sigcheck *c);

#endif
