/* SPDX-License-Identifier: ISC */
/*
 * A pool of worker processes that answer yes/no questions off the master's
 * event loop: the password verifier (officer/verifier.h) and the report
 * signature checks (officer/sigcheck.h) are two pools.
 *
 * tes_pool_start forks the workers (before the master loads any key: they
 * hold no secret). They share one SOCK_SEQPACKET socketpair as a work queue:
 * the master sends fixed-size requests (u64 tag | body), any idle worker
 * reads one, and writes back the fixed-size answer (u64 tag | u8 verdict),
 * which the master reads when its end is readable. The tag is the master's:
 * the worker only copies it. Each pool has its own queue, so a request never
 * waits behind another pool's slow work.
 *
 * In each worker the queue moves to fd 3 and every other descriptor above 2
 * is closed; the process is renamed (ps shows the pool's name); the kind's
 * set-up runs; then, for a kind with a sandbox phase, the worker locks
 * itself down (sandbox/README.md) before it reads its first request. Every
 * worker reports that it is ready (or that its lock-down failed) before
 * tes_pool_start returns: a pool never runs unconfined.
 *
 * A dead worker loses the request it was working on, if any, and the master
 * cannot tell which one that was. So the pool keeps every request until it
 * is answered, under an id of its own (the tag a worker copies); when the
 * master reaps a worker (tes_pool_reaped), every request not answered yet is
 * sent again, to the workers left. The first answer of an id counts, a
 * second is dropped. A request already sent again that is lost once more (or
 * that finds no room), is answered TES_ERR_BUSY: no verdict. When every
 * worker is gone, tes_pool_result and tes_pool_submit return TES_ERR_CLOSED.
 */
#ifndef TES_OFFICER_POOL_H
#define TES_OFFICER_POOL_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "sandbox/sandbox.h"

enum {
	TES_POOL_MAX = 4,         /* workers per pool */
	TES_POOL_BODY_MAX = 1016, /* request body after the tag */
	TES_POOL_FD = 3           /* the queue, in a worker */
};

/* A request not answered yet: id 0 = free entry. */
struct tes_pool_req {
	uint64_t id;
	uint64_t tag;
	uint8_t resent; /* sent again after a worker died */
	uint8_t lost;   /* to be answered TES_ERR_BUSY */
	uint8_t body[TES_POOL_BODY_MAX];
};

struct tes_pool_kind {
	const char *name;                  /* process name of the workers (at most 15 bytes) */
	size_t body_len;                   /* bytes of a request after the tag, 1 .. TES_POOL_BODY_MAX */
	int queue_bytes;                   /* SO_SNDBUF of the master's end (the kernel may cap it) */
	unsigned max_pending;              /* requests not answered yet, at most */
	enum tes_sandbox_phase phase;      /* lock-down of the workers, or TES_SANDBOX_INVALID for none */
	void (*setup)(void);               /* run in each worker before the lock-down, or NULL */
	int (*check)(const uint8_t *body); /* the question: 1 = yes, anything else = no */
};

struct tes_pool {
	int fd;                   /* master's end, non-blocking */
	unsigned n;               /* workers started */
	pid_t pids[TES_POOL_MAX]; /* 0 once reaped */
	const struct tes_pool_kind *kind;
	struct tes_pool_req *reqs; /* kind->max_pending entries: request id i is at i % max_pending */
	uint64_t next_id;
	unsigned nlost; /* entries to be answered TES_ERR_BUSY */
};

/*
 * Fork n workers (1 .. TES_POOL_MAX) and wait until each is ready. 0, or
 * TES_ERR_IO (fork, socket), TES_ERR_SANDBOX (a worker could not set itself
 * up or lock itself down), TES_ERR_TIMEOUT (a worker did not answer within
 * READY_MS) or TES_ERR_INTERNAL; on error no worker is left running.
 */
int
tes_pool_start(struct tes_pool *p, const struct tes_pool_kind *k, unsigned n);

/* One worker per online CPU, at most TES_POOL_MAX. */
unsigned
tes_pool_cpus(void);

/*
 * Queue one request (body: the kind's body_len bytes). 0; TES_ERR_BUSY when
 * the queue is full (retry when the master's end is writable, or after an
 * answer); TES_ERR_CLOSED when no worker is left.
 */
int
tes_pool_submit(struct tes_pool *p, uint64_t tag, const uint8_t *body);

/*
 * Read one answer: 0 with the tag and *ok (1 only for a "yes" verdict);
 * TES_ERR_BUSY with the tag of a request lost with dead workers (no verdict:
 * the owner answers "try again"); TES_ERR_TIMEOUT when none is ready,
 * TES_ERR_CLOSED when every worker is gone.
 */
int
tes_pool_result(struct tes_pool *p, uint64_t *tag, int *ok);

/* 1 if pid (just reaped by the caller) was one of the workers, which is then forgotten and the
 * requests not answered yet sent again; else 0. */
int
tes_pool_reaped(struct tes_pool *p, pid_t pid);

/* Workers not yet reaped. */
unsigned
tes_pool_alive(const struct tes_pool *p);

/* Close the queue, stop and reap the workers. */
void
tes_pool_stop(struct tes_pool *p);

#endif
