/* SPDX-License-Identifier: ISC */
/*
 * Password checks off the master's event loop. Argon2id costs tens of
 * milliseconds by design; done inline, every login would stall every other
 * session for that long. tes_verifier_start forks worker processes (before
 * the master loads any key) that share one SOCK_SEQPACKET socket as a work
 * queue: the master submits (tag, encoded hash, password) and later reads
 * (tag, verdict) when the socket is readable. Requests are fixed-size
 * messages; a worker that dies is noticed by the master as EOF.
 */
#ifndef TES_OFFICER_VERIFIER_H
#define TES_OFFICER_VERIFIER_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

enum { TES_VERIFIER_WORKERS = 2 };

struct tes_verifier {
	int fd;                               /* master's end, non-blocking */
	pid_t pids[TES_VERIFIER_WORKERS];
};

/* Fork the workers; 0 or TES_ERR_*. */
int tes_verifier_start(struct tes_verifier *v);

/* Queue one check; hash NULL means "no such user": a dummy hash is checked
 * instead so the answer takes the same time, and it is always a refusal. */
int tes_verifier_submit(struct tes_verifier *v, uint64_t tag, const char *hash, const char *pw, size_t pwlen);

/* Read one finished check: 0 and *ok (1 = password right), TES_ERR_TIMEOUT
 * when none is ready, TES_ERR_CLOSED when the workers are gone. */
int tes_verifier_result(struct tes_verifier *v, uint64_t *tag, int *ok);

/* Stop and reap the workers. */
void tes_verifier_stop(struct tes_verifier *v);

#endif
