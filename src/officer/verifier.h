/* SPDX-License-Identifier: ISC */
/*
 * Password checks off the master's event loop. Argon2id costs tens of
 * milliseconds by design; done inline, every login would stall every other
 * session for that long. The checks run in a worker pool (officer/pool.h)
 * of TES_VERIFIER_WORKERS processes forked before the master loads any key:
 * the master submits (tag, encoded hash, password) and later reads (tag,
 * verdict) when the pool's queue is readable. A worker that dies is noticed
 * by the master when it reaps it; when all are gone the queue reads EOF.
 */
#ifndef TES_OFFICER_VERIFIER_H
#define TES_OFFICER_VERIFIER_H

#include <stddef.h>
#include <stdint.h>

#include "officer/pool.h"

enum {
	TES_VERIFIER_WORKERS = 2
};

struct tes_verifier {
	struct tes_pool pool;
};

/* Fork the workers; 0 or TES_ERR_*. */
int
tes_verifier_start(struct tes_verifier *v);

/* Queue one check; hash NULL means "no such user": a dummy hash is checked
 * instead so the answer takes the same time, and it is always a refusal. */
int
tes_verifier_submit(struct tes_verifier *v, uint64_t tag, const char *hash, const char *pw, size_t pwlen);

/* Read one finished check: 0 and *ok (1 = password right), TES_ERR_TIMEOUT
 * when none is ready, TES_ERR_CLOSED when the workers are gone. */
int
tes_verifier_result(struct tes_verifier *v, uint64_t *tag, int *ok);

/* Stop and reap the workers. */
void
tes_verifier_stop(struct tes_verifier *v);

#endif
