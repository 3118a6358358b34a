/* SPDX-License-Identifier: ISC */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/ct.h"
#include "common/cur.h"
#include "common/err.h"
#include "crypto/passwd.h"
#include "crypto/rng.h"
#include "officer/verifier.h"
#include "wire/limits.h"

/* request: u64 tag | u8 has_hash | hash[129] | u8 pwlen | pw[128]; answer: u64 tag | u8 ok */
enum { REQ_LEN = 8 + 1 + TES_PASSWD_ENCODED_MAX + 1 + 1 + TES_PASSWORD_MAX, ANS_LEN = 9 };

static const char *
dummy_hash(void)
{
	static char h[TES_PASSWD_ENCODED_MAX + 1];

	if (h[0] == '\0' && tes_passwd_hash("tes-dummy", 9, h, sizeof h) != 0)
		h[0] = '\0';
	return h;
}

static void
answer(int fd, const uint8_t *req)
{
	uint8_t ans[ANS_LEN];
	char hash[TES_PASSWD_ENCODED_MAX + 1], pw[TES_PASSWORD_MAX + 1];
	size_t n = req[9 + TES_PASSWD_ENCODED_MAX + 1];
	int ok;

	memcpy(hash, req + 9, TES_PASSWD_ENCODED_MAX + 1);
	hash[TES_PASSWD_ENCODED_MAX] = '\0';
	if (n > TES_PASSWORD_MAX)
		n = 0;
	memcpy(pw, req + 9 + TES_PASSWD_ENCODED_MAX + 2, n);
	pw[n] = '\0';
	ok = tes_passwd_verify(req[8] ? hash : dummy_hash(), pw, n) == 0 && req[8];
	memcpy(ans, req, 8);
	ans[8] = (uint8_t)ok;
	tes_wipe(pw, sizeof pw);
	(void)!write(fd, ans, sizeof ans);
}

static _Noreturn void
worker(int fd)
{
	uint8_t req[REQ_LEN];
	ssize_t k;

	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_IGN);
	(void)tes_rng_init();
	(void)dummy_hash();
	for (;;) {
		k = read(fd, req, sizeof req);
		if (k == 0 || (k < 0 && errno != EINTR))
			_exit(0);
		if (k == (ssize_t)sizeof req)
			answer(fd, req);
		tes_wipe(req, sizeof req);
	}
}

/* see verifier.h */
int
tes_verifier_start(struct tes_verifier *v)
{
	int sv[2], i;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		return TES_ERR_IO;
	for (i = 0; i < TES_VERIFIER_WORKERS; i++) {
		if ((v->pids[i] = fork()) < 0)
			return TES_ERR_IO;
		if (v->pids[i] == 0) {
			close(sv[0]);
			worker(sv[1]);
		}
	}
	close(sv[1]);
	v->fd = sv[0];
	/* room for one request per session the master admits */
	(void)setsockopt(v->fd, SOL_SOCKET, SO_SNDBUF, &(int){ 1 << 20 }, sizeof(int));
	fcntl(v->fd, F_SETFL, O_NONBLOCK);
	return 0;
}

/* see verifier.h */
int
tes_verifier_submit(struct tes_verifier *v, uint64_t tag, const char *hash, const char *pw, size_t pwlen)
{
	uint8_t req[REQ_LEN] = { 0 };
	size_t hl = hash != NULL ? strlen(hash) : 0;
	int r;

	if (pwlen > TES_PASSWORD_MAX || hl > TES_PASSWD_ENCODED_MAX)
		return TES_ERR_ARG;
	tes_enc64be(req, tag);
	req[8] = hash != NULL;
	memcpy(req + 9, hash != NULL ? hash : "", hl);
	req[9 + TES_PASSWD_ENCODED_MAX + 1] = (uint8_t)pwlen;
	memcpy(req + 9 + TES_PASSWD_ENCODED_MAX + 2, pw, pwlen);
	/* the queue holds far more than the sessions the master admits; a full one is an error */
	r = send(v->fd, req, sizeof req, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t)sizeof req ? 0 : TES_ERR_BUSY;
	tes_wipe(req, sizeof req);
	return r;
}

/* see verifier.h */
int
tes_verifier_result(struct tes_verifier *v, uint64_t *tag, int *ok)
{
	uint8_t ans[ANS_LEN];
	ssize_t k = recv(v->fd, ans, sizeof ans, MSG_DONTWAIT);

	if (k < 0)
		return errno == EAGAIN || errno == EINTR ? TES_ERR_TIMEOUT : TES_ERR_CLOSED;
	if (k != (ssize_t)sizeof ans)
		return TES_ERR_CLOSED;
	*tag = tes_dec64be(ans);
	*ok = ans[8] == 1;
	return 0;
}

/* see verifier.h */
void
tes_verifier_stop(struct tes_verifier *v)
{
	int i;

	close(v->fd);
	for (i = 0; i < TES_VERIFIER_WORKERS; i++)
		if (v->pids[i] > 0) {
			kill(v->pids[i], SIGTERM);
			waitpid(v->pids[i], NULL, 0);
		}
}
