/* SPDX-License-Identifier: ISC */
#include <sys/syscall.h>

#include "sandbox/policy.h"

/*
 * Parser children (protocol session and dashboard request): after set-up
 * they only read and write their two sockets and exit. Measured with the
 * debug (trap) build on glibc 2.36: nothing else is called; BearSSL's DES,
 * HMAC, SHA-256, X25519 and the DRBG make no system calls.
 *
 * The master's report signature-check workers (officer/sigcheck.h) have
 * the same list: after lock-down they only read requests from and write
 * verdicts to their queue (fd 3), and exit; BearSSL's RSA verification
 * makes no system call. They are forked before the master loads any key
 * and keep its user (no chroot or uid change: nothing but read, write and
 * exit is allowed), with no CPU limit (they live as long as the server).
 */
static const int parser_calls[] = {
	SYS_read,
	SYS_write,
	SYS_exit,
	SYS_exit_group,
};

/*
 * The master's password verifier workers (officer/verifier.h) check
 * Argon2id hashes, whose working memory (19 MiB by default) libargon2
 * takes with malloc for each check. The worker tells malloc never to use
 * mmap (mallopt M_MMAP_MAX 0), so that memory comes from the heap and goes
 * back to it with brk: besides reading requests, writing verdicts and
 * exiting, brk is the one system call they make (measured with the debug
 * build). brk can only move the end of the heap, never map anything
 * executable. Like the signature-check workers they are forked before the
 * master loads any key and keep its user.
 */
static const int verifier_calls[] = {
	SYS_read, SYS_write, SYS_brk, SYS_exit, SYS_exit_group,
};

/*
 * The police client after it has connected, loaded its key and opened what
 * it needs (terminal, known_servers): it reads input and the socket, writes
 * output and the socket, and may reconnect to the already resolved server
 * address (socket, connect with a timeout: fcntl, poll, getsockopt,
 * setsockopt; close of the old socket). tes-police feed also reads the
 * monotonic clock for its heartbeats and backoff: clock_gettime, which the
 * vDSO answers without a system call unless the clock source has none.
 */
static const int police_calls[] = {
	SYS_read, SYS_write, SYS_close,      SYS_exit,       SYS_exit_group, SYS_socket,        SYS_connect,
	SYS_poll, SYS_fcntl, SYS_getsockopt, SYS_setsockopt, SYS_fdatasync,  SYS_clock_gettime,
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static const struct tes_sandbox_policy policies[] = {
	{ TES_SANDBOX_SESSION, "session", parser_calls, N(parser_calls), 1, 1, 1 },
	/*= spec/HTTP.md#child MUST-W4: the http child may read, write and exit, nothing else */
	{ TES_SANDBOX_HTTP, "http", parser_calls, N(parser_calls), 1, 1, 1 },
	{ TES_SANDBOX_POLICE, "police", police_calls, N(police_calls), 0, 0, 0 },
	{ TES_SANDBOX_SIGCHECK, "sigcheck", parser_calls, N(parser_calls), 0, 1, 0 },
	{ TES_SANDBOX_VERIFIER, "verifier", verifier_calls, N(verifier_calls), 0, 1, 0 },
};

/* see policy.h */
const struct tes_sandbox_policy *
tes_sandbox_policy(enum tes_sandbox_phase phase)
{
	size_t i;

	for (i = 0; i < N(policies); i++)
		if (policies[i].phase == phase)
			return &policies[i];
	return NULL;
}
