/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/cur.h"
#include "common/err.h"
#include "common/log.h"
#include "common/wipe.h"
#include "officer/pool.h"

/*
 * request: u64 tag | body[kind->body_len]; answer: u64 tag | u8 verdict.
 * Each worker's first answer is the ready message: tag READY_TAG, verdict 1
 * once locked down, 0 when its lock-down failed (it then exits).
 */
enum {
	ANS_LEN = 9,
	REQ_MAX = 8 + TES_POOL_BODY_MAX,
	READY_MS = 30000
};
static const uint64_t READY_TAG = UINT64_MAX;

static void
send_answer(uint64_t tag, int verdict)
{
	uint8_t ans[ANS_LEN];

	tes_cur_enc64be(ans, tag);
	ans[8] = (uint8_t)verdict;
	(void)!write(TES_POOL_FD, ans, sizeof ans);
}

/* The queue at fd 3, nothing else above stderr, the pool's name, then the kind's set-up. */
static int
worker_setup(const struct tes_pool_kind *k, int fd)
{
	/* a stop signal for the whole process group (systemctl stop, timeout, ^C) is the master's:
	 * a worker that died of it first would look lost; the master stops it with SIGKILL */
	signal(SIGTERM, SIG_IGN);
	signal(SIGINT, SIG_IGN);
	if (fd != TES_POOL_FD && dup2(fd, TES_POOL_FD) != TES_POOL_FD)
		return TES_ERR_INTERNAL;
	/* another pool's queue or any other descriptor of the master is not the worker's */
	close_range(TES_POOL_FD + 1, ~0U, 0);
	(void)prctl(PR_SET_NAME, k->name, 0, 0, 0);
	if (k->setup != NULL)
		k->setup();
	if (k->phase == TES_SANDBOX_INVALID)
		return 0;
	/*= sandbox/README.md: locked down before the first request is read; never unconfined */
	if (tes_sandbox_init(k->phase) != 0 || tes_sandbox_enter(k->phase) != 0)
		return TES_ERR_INTERNAL;
	return 0;
}

static _Noreturn void
worker(const struct tes_pool_kind *k, int fd)
{
	static uint8_t req[REQ_MAX + 1];
	const size_t len = 8 + k->body_len;
	ssize_t got;

	if (worker_setup(k, fd) != 0) {
		send_answer(READY_TAG, 0);
		_exit(1);
	}
	send_answer(READY_TAG, 1);
	for (;;) {
		/* one message per read; a longer one arrives truncated to len + 1 and is ignored */
		got = read(TES_POOL_FD, req, len + 1);
		if (got == 0 || (got < 0 && errno != EINTR))
			_exit(0);
		if (got == (ssize_t)len)
			send_answer(tes_cur_dec64be(req), k->check(req + 8) == 1);
		tes_wipe(req, len + 1);
	}
}

/* Every worker's ready message, within READY_MS. */
static int
await_ready(struct tes_pool *p)
{
	struct pollfd pfd = { .fd = p->fd, .events = POLLIN };
	uint8_t ans[ANS_LEN];
	unsigned got = 0;
	int n;

	while (got < p->n) {
		if ((n = poll(&pfd, 1, READY_MS)) < 0 && errno == EINTR)
			continue;
		if (n == 0)
			return TES_ERR_TIMEOUT;
		if (n < 0 || recv(p->fd, ans, sizeof ans, 0) != (ssize_t)sizeof ans ||
		    tes_cur_dec64be(ans) != READY_TAG)
			return TES_ERR_INTERNAL;
		if (ans[8] != 1)
			return TES_ERR_SANDBOX;
		got++;
	}
	return 0;
}

/* see pool.h */
int
tes_pool_start(struct tes_pool *p, const struct tes_pool_kind *k, unsigned n)
{
	int sv[2], r = TES_ERR_IO;
	unsigned i;

	memset(p, 0, sizeof *p);
	p->fd = -1;
	p->kind = k;
	if (n < 1 || n > TES_POOL_MAX || k->body_len < 1 || k->body_len > TES_POOL_BODY_MAX ||
	    k->max_pending < 1)
		return TES_ERR_ARG;
	if ((p->reqs = calloc(k->max_pending, sizeof *p->reqs)) == NULL)
		return TES_ERR_INTERNAL;
	p->next_id = 1;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return TES_ERR_IO;
	p->fd = sv[0];
	for (i = 0; i < n; i++) {
		if ((p->pids[i] = fork()) < 0) {
			p->pids[i] = 0;
			goto out;
		}
		if (p->pids[i] == 0) {
			close(sv[0]);
			worker(k, sv[1]);
		}
		p->n = i + 1;
	}
	close(sv[1]);
	sv[1] = -1;
	if ((r = await_ready(p)) != 0)
		goto out;
	/* a full queue is the caller's to handle (TES_ERR_BUSY) */
	(void)setsockopt(p->fd, SOL_SOCKET, SO_SNDBUF, &k->queue_bytes, sizeof k->queue_bytes);
	r = fcntl(p->fd, F_SETFL, O_NONBLOCK) == 0 ? 0 : TES_ERR_IO;
out:
	if (sv[1] >= 0)
		close(sv[1]);
	if (r != 0)
		tes_pool_stop(p);
	return r;
}

/* see pool.h */
unsigned
tes_pool_cpus(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n < 1 ? 1 : n > TES_POOL_MAX ? TES_POOL_MAX : (unsigned)n;
}

/* Put one request (its pool id as the tag a worker copies) in the queue: 0, TES_ERR_BUSY, TES_ERR_CLOSED. */
static int
send_req(struct tes_pool *p, const struct tes_pool_req *q)
{
	uint8_t req[REQ_MAX];
	const size_t len = 8 + p->kind->body_len;
	ssize_t k;

	tes_cur_enc64be(req, q->id);
	memcpy(req + 8, q->body, p->kind->body_len);
	k = send(p->fd, req, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	tes_wipe(req, len);
	if (k == (ssize_t)len)
		return 0;
	return k < 0 && (errno == EAGAIN || errno == EINTR) ? TES_ERR_BUSY : TES_ERR_CLOSED;
}

static void
req_free(struct tes_pool_req *q)
{
	tes_wipe(q, sizeof *q);
}

/* see pool.h */
int
tes_pool_submit(struct tes_pool *p, uint64_t tag, const uint8_t *body)
{
	struct tes_pool_req *q = &p->reqs[p->next_id % p->kind->max_pending];
	int r;

	/* ids grow; the entry of the next one is free unless max_pending requests wait */
	if (q->id != 0)
		return TES_ERR_BUSY;
	q->id = p->next_id;
	q->tag = tag;
	memcpy(q->body, body, p->kind->body_len);
	if ((r = send_req(p, q)) != 0) {
		req_free(q);
		return r;
	}
	/* id 0 marks a free entry and READY_TAG the ready message: never a request's */
	if (++p->next_id == READY_TAG)
		p->next_id = 1;
	return 0;
}

/* A request lost with dead workers: answered TES_ERR_BUSY by tes_pool_result. */
static int
lost_result(struct tes_pool *p, uint64_t *tag)
{
	unsigned i;

	for (i = 0; i < p->kind->max_pending; i++)
		if (p->reqs[i].id != 0 && p->reqs[i].lost) {
			*tag = p->reqs[i].tag;
			req_free(&p->reqs[i]);
			p->nlost--;
			return TES_ERR_BUSY;
		}
	tes_log_bug("pool: lost count");
	return TES_ERR_INTERNAL;
}

/* see pool.h */
int
tes_pool_result(struct tes_pool *p, uint64_t *tag, int *ok)
{
	uint8_t ans[ANS_LEN];
	struct tes_pool_req *q;
	ssize_t k;

	*ok = 0;
	if (p->nlost > 0)
		return lost_result(p, tag);
	for (;;) {
		k = recv(p->fd, ans, sizeof ans, MSG_DONTWAIT);
		if (k < 0)
			return errno == EAGAIN || errno == EINTR ? TES_ERR_TIMEOUT : TES_ERR_CLOSED;
		if (k != (ssize_t)sizeof ans)
			return TES_ERR_CLOSED;
		q = &p->reqs[tes_cur_dec64be(ans) % p->kind->max_pending];
		/* a second answer of a request sent again (its first one counted) */
		if (q->id != tes_cur_dec64be(ans) || q->lost)
			continue;
		*tag = q->tag;
		*ok = ans[8] == 1;
		req_free(q);
		return 0;
	}
}

/*
 * A worker died: it may have taken any request not answered yet. Each is
 * sent again, once; one sent again already, or that finds no room, is lost.
 */
static void
resend_all(struct tes_pool *p)
{
	unsigned i;

	for (i = 0; i < p->kind->max_pending; i++) {
		struct tes_pool_req *q = &p->reqs[i];

		if (q->id == 0 || q->lost)
			continue;
		if (q->resent || send_req(p, q) != 0) {
			q->lost = 1;
			p->nlost++;
		}
		q->resent = 1;
	}
}

/* see pool.h */
int
tes_pool_reaped(struct tes_pool *p, pid_t pid)
{
	unsigned i;

	for (i = 0; i < p->n; i++)
		if (pid > 0 && p->pids[i] == pid) {
			p->pids[i] = 0;
			resend_all(p);
			return 1;
		}
	return 0;
}

/* see pool.h */
unsigned
tes_pool_alive(const struct tes_pool *p)
{
	unsigned i, n = 0;

	for (i = 0; i < p->n; i++)
		n += p->pids[i] > 0;
	return n;
}

/* see pool.h */
void
tes_pool_stop(struct tes_pool *p)
{
	unsigned i;

	if (p->fd >= 0)
		close(p->fd);
	p->fd = -1;
	if (p->reqs != NULL && p->kind != NULL)
		tes_wipe(p->reqs, p->kind->max_pending * sizeof *p->reqs);
	free(p->reqs);
	p->reqs = NULL;
	for (i = 0; i < p->n; i++)
		if (p->pids[i] > 0) {
			kill(p->pids[i], SIGKILL);
			waitpid(p->pids[i], NULL, 0);
			p->pids[i] = 0;
		}
}
